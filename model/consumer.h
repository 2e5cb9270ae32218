/*
 * consumer.h — a consumer group member: the application's poll loop and Kafka's consumer
 * client (classic group protocol).
 *
 * Kafka: clients/.../consumer/KafkaConsumer.java (ClassicKafkaConsumer), internals/
 * ConsumerCoordinator.java, AbstractCoordinator.java, SubscriptionState.java, Fetcher and
 * FetchCollector, OffsetFetcher; scenario-format 6 and 11.4.
 */
#ifndef KAFKASIM_CONSUMER_H
#define KAFKASIM_CONSUMER_H

#include <stdbool.h>
#include <stdint.h>

#include "model/cluster.h"
#include "model/records.h"
#include "sim/node.h"

enum consumer_commit {
	CONSUMER_COMMIT_AUTO,              /* Kafka's auto-commit of positions */
	CONSUMER_COMMIT_AFTER_PROCESSING,  /* commitSync() of the batch's next offsets after it */
	CONSUMER_COMMIT_BEFORE_PROCESSING, /* commitSync() of the positions right after poll() */
	CONSUMER_COMMIT_NONE,
};

enum consumer_reset {                  /* auto.offset.reset */
	CONSUMER_RESET_LATEST,
	CONSUMER_RESET_EARLIEST,
	CONSUMER_RESET_NONE,
	CONSUMER_RESET_BY_DURATION,        /* by_duration:<d> (KIP-1106) */
};

/* Resolved from the scenario; Kafka's names and units. */
struct consumer_cfg {
	uint32_t client;                   /* index in cluster_cfg.client_ids: member id prefix */
	uint32_t group;                    /* index in cluster_cfg.groups */
	const uint32_t *topics;            /* subscription: topic indices */
	uint32_t n_topics;
	int64_t  start_us;
	int64_t  process_us;               /* per record */
	enum consumer_commit commit;
	enum consumer_reset  reset;
	int64_t  reset_by_duration_ms;
	int64_t  auto_commit_interval_ms;  /* 5000 */
	int64_t  session_timeout_ms;       /* 45000 */
	int64_t  heartbeat_interval_ms;    /* 3000 */
	int64_t  max_poll_interval_ms;     /* 300000 */
	int64_t  max_poll_records;         /* 500 */
	uint8_t  assignors[4];             /* enum cfg_assignor in preference order, 0 ends */
	int64_t  fetch_min_bytes, fetch_max_bytes, fetch_max_wait_ms, max_partition_fetch_bytes;
	int64_t  request_timeout_ms, default_api_timeout_ms;
	int64_t  retry_backoff_ms, retry_backoff_max_ms, metadata_max_age_ms;
	int64_t  reconnect_backoff_ms, reconnect_backoff_max_ms;
	int64_t  socket_connection_setup_timeout_ms;
};

/* One record processing completed by a member (the unit of every group metric). */
struct proc_event {
	uint32_t client;                   /* the member's client index */
	uint32_t tp;
	int64_t  offset;
	uint32_t producer;                 /* the record's identity */
	uint32_t index;
	int32_t  generation;               /* the member's generation when it processed it */
	bool     owned;                    /* it owned tp (in that generation) then */
};

/* Exceptions surfaced to the application (scenario-format 9, consumer-errors). */
enum consumer_exception {
	CEX_COMMIT_FAILED,                 /* CommitFailedException */
	CEX_REBALANCE_IN_PROGRESS,         /* RebalanceInProgressException */
	CEX_OFFSET_OUT_OF_RANGE,           /* OffsetOutOfRangeException (auto.offset.reset none) */
	CEX_NO_OFFSET_FOR_PARTITION,       /* NoOffsetForPartitionException */
	CEX_LOG_TRUNCATION,                /* LogTruncationException */
	CEX_COUNT,
};

const char *consumer_exception_name(enum consumer_exception e);

/* Where processing events go (owned by the runner, appended by every member). */
struct proc_log {
	struct proc_event *ev;
	uint64_t n, cap;
	bool     oom;
};

#endif
