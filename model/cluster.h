/*
 * cluster.h — the resolved cluster configuration the model runs with.
 *
 * The runner fills these from the scenario (every value already defaulted and validated
 * there); the model keeps Kafka's config names as field names, with the unit suffix Kafka
 * uses, and converts to microseconds in one place (the *_us helpers below).
 */
#ifndef KAFKASIM_CLUSTER_H
#define KAFKASIM_CLUSTER_H

#include <stdbool.h>
#include <stdint.h>

#include "model/plog.h"

#define US_PER_MS INT64_C(1000)

enum truncation_rule {
	TRUNCATE_LEADER_EPOCH,      /* KIP-101 / KIP-279 (Kafka since 0.11 / 2.0) */
	TRUNCATE_HIGH_WATERMARK,    /* pre-KIP-101, sim.truncation: high-watermark */
};

struct broker_cfg {
	int32_t  broker_id;
	/* KRaft (REPL/KRaftConfigs.java). */
	int64_t  broker_heartbeat_interval_ms;    /* broker.heartbeat.interval.ms, 2000 */
	int64_t  broker_session_timeout_ms;       /* broker.session.timeout.ms, 9000 */
	int64_t  controller_request_timeout_ms;   /* controller.quorum.request.timeout.ms, 2000 */
	int64_t  socket_connection_setup_timeout_ms;  /* socket.connection.setup.timeout.ms, 10000 */
	int64_t  reconnect_backoff_ms;            /* reconnect.backoff.ms, 50 */
	/* Replication (ReplicationConfigs.java). */
	int64_t  replica_lag_time_max_ms;         /* replica.lag.time.max.ms, 30000 */
	int64_t  replica_fetch_wait_max_ms;       /* replica.fetch.wait.max.ms, 500 */
	int64_t  replica_fetch_min_bytes;         /* replica.fetch.min.bytes, 1 */
	int64_t  replica_fetch_max_bytes;         /* replica.fetch.max.bytes, 1048576 */
	int64_t  replica_fetch_backoff_ms;        /* replica.fetch.backoff.ms, 1000 */
	int64_t  replica_hw_checkpoint_interval_ms;   /* replica.high.watermark.checkpoint.interval.ms */
	int64_t  log_retention_check_interval_ms; /* log.retention.check.interval.ms, 300000 */
	int64_t  log_initial_task_delay_ms;       /* log.initial.task.delay.ms, 30000 */
	int64_t  dirty_writeback_us;              /* sim.dirty-writeback, 30 s */
	enum truncation_rule truncation;          /* sim.truncation */
	/* Group coordinator (GroupCoordinatorConfig). */
	int64_t  group_initial_rebalance_delay_ms; /* group.initial.rebalance.delay.ms, 3000 */
	int64_t  group_min_session_timeout_ms;     /* group.min.session.timeout.ms, 6000 */
	int64_t  group_max_session_timeout_ms;     /* group.max.session.timeout.ms, 1800000 */
	int64_t  offsets_commit_timeout_ms;        /* offsets.commit.timeout.ms, 5000 */
};

/* A topic as every node knows it (names, partition counts, assignment; from the scenario). */
struct topic_cfg {
	const char *name;
	uint32_t    partitions;
	uint32_t    first_tp;            /* its partition p is tp first_tp + p */
	uint32_t    rf;
	bool        internal;            /* __consumer_offsets */
	/* Topic configs (LogConfig); the log's own are in struct plog_config. */
	int64_t     min_insync_replicas;         /* min.insync.replicas, 1 */
	bool        unclean_leader_election;     /* unclean.leader.election.enable, false */
	bool        log_append_time;             /* message.timestamp.type */
	int64_t     timestamp_before_max_ms;     /* message.timestamp.before.max.ms */
	int64_t     timestamp_after_max_ms;      /* message.timestamp.after.max.ms, 3600000 */
	int64_t     max_message_bytes;           /* max.message.bytes, 1048588 */
	struct plog_config log;                  /* segment, retention, flush configs */
};

/* One partition: its topic, number and replica list (first = preferred leader). */
struct part_cfg {
	uint32_t       topic;
	uint32_t       partition;
	uint32_t       rf;
	const int32_t *replicas;         /* broker ids, [rf] */
};

/* A consumer group (group.id) as every node knows it. */
struct group_cfg {
	const char *name;
	uint32_t    offsets_partition;   /* abs(name.hashCode()) % offsets.topic.num.partitions */
};

struct cluster_cfg {
	uint32_t brokers;              /* count; broker b (0-based) has node index broker_node0 + b */
	uint32_t broker_node0;
	uint32_t controller_node;      /* the active controller's node index */
	const int32_t *broker_ids;     /* [brokers], ascending */
	bool     elr_enabled;          /* eligible.leader.replicas.version >= 1 (KIP-966) */
	uint32_t ntopics;
	const struct topic_cfg *topics;
	uint32_t nparts;
	const struct part_cfg *parts;  /* [nparts], by tp */
	/* Consumer groups and the internal offsets topic (scenario-format 4). */
	uint32_t ngroups;
	const struct group_cfg *groups;
	uint32_t offsets_topic;        /* topic index of __consumer_offsets, or UINT32_MAX */
	uint32_t nclients;
	const char *const *client_ids; /* every client's client.id, in file order */
};

/* The node index of a broker id, or UINT32_MAX (broker ids ascend: binary search). */
static inline uint32_t cluster_broker_node(const struct cluster_cfg *c, int32_t broker_id)
{
	uint32_t lo = 0, hi = c->brokers;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (c->broker_ids[mid] < broker_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->brokers && c->broker_ids[lo] == broker_id ? c->broker_node0 + lo
								  : UINT32_MAX;
}

static inline int64_t ms_to_us(int64_t ms)
{
	return ms * US_PER_MS;
}

#endif
