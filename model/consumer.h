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
#include "model/proto.h"
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
	CEX_TIMEOUT,                       /* TimeoutException: a commitSync() that ran out of
					    * default.api.timeout.ms (added by the client) */
	CEX_COUNT,
};

const char *consumer_exception_name(enum consumer_exception e);

/* Where processing events go (owned by the runner, appended by every member). */
struct proc_log {
	struct proc_event *ev;
	uint64_t n, cap;
	bool     oom;
};

/*
 * The member. Kafka 4.1's classic consumer (ClassicKafkaConsumer with ConsumerCoordinator,
 * AbstractCoordinator and its heartbeat thread, SubscriptionState, AbstractFetch and
 * FetchCollector, OffsetFetcher) driven by the application loop of scenario-format 11.4.
 * model/consumer_internal.h says how the files share the work; docs of every choice the
 * scenario format leaves open are in the file header of model/consumer.c.
 */

/* Internal types, defined in model/consumer_internal.h. */
struct cons_part;
struct cons_conn;
struct cons_req;
struct cons_cf;
struct cons_rec;

/* A growable array of uint32 (partition lists). */
struct cons_u32v {
	uint32_t *v;
	uint32_t  n;
	uint32_t  cap;
};

enum cons_app_state {
	CAPP_IDLE,             /* before start_us, or between sessions */
	CAPP_POLL,             /* inside poll(), waiting for records */
	CAPP_PROCESS,          /* processing the records poll() returned, one at a time */
	CAPP_COMMIT,           /* inside commitSync() (a commit mode, or close()) */
	CAPP_DONE,             /* closed after a leave */
};

enum cons_group_state {    /* AbstractCoordinator.MemberState */
	CGRP_UNJOINED,
	CGRP_PREPARING,        /* JoinGroup sent, no answer yet */
	CGRP_COMPLETING,       /* joined, waiting for the SyncGroup answer */
	CGRP_STABLE,
};

struct consumer {
	const struct consumer_cfg *cfg;
	const struct cluster_cfg  *cluster;
	const struct rec_store    *store;
	struct proc_log           *log;
	uint32_t nbrokers;
	uint32_t nparts;              /* partitions of the subscribed topics */
	uint32_t *tps;                /* [nparts] their global tps, topic by topic */
	uint32_t *local;              /* [cluster nparts]: a tp's index in parts, or UINT32_MAX */
	struct cons_part *parts;      /* [nparts] */
	struct cons_conn *conns;      /* [nbrokers + 1]: one per broker, then the coordinator's */
	bool     cooperative;         /* RebalanceProtocol COOPERATIVE (every assignor supports
				       * it), else EAGER */
	bool     has_sticky;          /* the sticky assignor is configured (its user data) */

	/* Metrics and the application's fate: survive a crash. */
	uint64_t errors[CEX_COUNT];
	uint64_t sessions;
	bool     nomem;
	bool     left;                /* closed by a leave: the application ended */

	/* ---- the process: lost at a halt ---- */
	bool     session;             /* running, start_us reached */
	uint64_t start_timer;
	uint64_t next_seq;            /* correlation ids: seq << 32 | request slot */
	struct cons_req *reqs;        /* request pool */
	uint32_t nreq_cap;
	uint32_t req_free;
	uint8_t *blob;                /* request blob scratch */
	uint32_t blob_cap;
	uint64_t wake_timer;
	int64_t  wake_at_us;
	uint64_t wake_gen;

	/* Metadata (ConsumerMetadata): a refresh asks for every subscribed topic. */
	bool     md_requested;
	uint32_t md_inflight;         /* topic requests of the current refresh */
	bool     md_round_failed;
	uint32_t md_attempts;
	int64_t  md_last_us;          /* last successful refresh, INT64_MIN: never */
	int64_t  md_next_allowed_us;

	/* Group membership (AbstractCoordinator / ConsumerCoordinator). */
	uint8_t  gstate;              /* enum cons_group_state */
	int32_t  generation;          /* -1: none (Generation.NO_GENERATION) */
	struct member_ref member;     /* empty uuid: none */
	uint8_t  protocol;            /* the generation's assignor (enum cfg_assignor), 0: none */
	bool     is_leader;
	bool     rejoin_needed;
	bool     needs_join_prepare;
	bool     join_pending;        /* joinFuture != null: JoinGroup + SyncGroup under way */
	int64_t  join_retry_us;       /* a failed join retries after retry.backoff.ms */
	uint32_t coord;               /* the coordinator's broker index, or UINT32_MAX */
	bool     find_inflight;
	uint32_t find_attempts;
	int64_t  find_retry_us;
	/* The heartbeat thread (Heartbeat's timers). */
	int64_t  hb_next_us;
	int64_t  session_deadline_us;
	int64_t  last_poll_us;
	/* onJoinPrepare's auto-commit and its timer (the rebalance timeout). */
	bool     jp_timer_set;
	int64_t  jp_deadline_us;
	uint8_t  jp_commit;           /* enum cons_jp_commit */
	int64_t  jp_retry_us;
	/* A JoinGroup answer that waits for the application thread (the heartbeat thread is
	 * off while PREPARING_REBALANCE; only poll() reads the network then). */
	bool     join_deferred;
	struct net_msg join_msg;
	uint8_t *join_blob;
	uint32_t join_blob_len, join_blob_cap;
	int32_t  join_sent_gen;       /* its request's generation and member (sentGeneration) */
	struct member_ref join_sent_member;
	/* The SyncGroup answer, applied by onJoinComplete at the next poll(). */
	bool     sync_ready;
	struct cons_u32v sync_tps;
	struct cons_u32v assigned;    /* SubscriptionState.assignedPartitions(), tps ascending */
	struct cons_u32v sticky_prev; /* StickyAssignor's memberAssignment and generation */
	int32_t  sticky_gen;
	int64_t  next_auto_commit_us;
	/* OffsetFetch of committed offsets and the partitions' own retries. */
	bool     ofetch_inflight;
	uint32_t ofetch_attempts;
	int64_t  ofetch_retry_us;

	/* The fetch buffer: completed fetches (FIFO) and their batches. */
	struct cons_cf *cfs;
	uint32_t cf_head, cf_n, cf_cap;
	struct plog_batch *fb;
	uint32_t fb_n, fb_cap;

	/* The application. */
	uint8_t  app;                 /* enum cons_app_state */
	struct cons_rec *batch;       /* what the last poll() returned */
	uint32_t batch_n, batch_at, batch_cap;
	uint64_t app_timer;
	uint64_t app_gen;
	int64_t  poll_entered_us;     /* when the application entered poll() */
	uint64_t jp_corr;             /* onJoinPrepare's commit in flight */
	int64_t  proc_done_us;        /* the record being processed completes then */
	bool     stalled;
	int64_t  stall_end_us;        /* INT64_MAX: until STALL_END */
	int64_t  stall_left_us;       /* processing left when the stall began */
	bool     stall_pending;       /* stalled while not processing: the next record */
	int64_t  stall_pending_us;    /* its length, -1: forever */
	bool     leave_requested;
	/* commitSync() in progress (ConsumerCoordinator.commitOffsetsSync). */
	uint8_t  cs_purpose;          /* enum cons_sync_purpose */
	bool     cs_inflight;
	bool     cs_finished;         /* returned or threw; the application thread goes on */
	bool     cs_ok;
	uint64_t cs_corr;
	uint32_t cs_attempts;
	int64_t  cs_deadline_us;
	int64_t  cs_retry_us;
	struct commit_part *cs_offs;
	uint32_t cs_n, cs_cap;
};

/* Binds the member to its config (which must outlive it), the cluster, the shared record
 * store (read only) and the processing log. Returns 0, or -1 when memory ran out. */
int  consumer_init(struct consumer *c, const struct consumer_cfg *cfg,
		   const struct cluster_cfg *cluster, const struct rec_store *store,
		   struct proc_log *log);
void consumer_free(struct consumer *c);
extern const struct node_ops consumer_ops;      /* with .action: leave, stall, stall end */

/* consumer-errors: exceptions of this kind the application saw (all sessions). */
uint64_t consumer_errors(const struct consumer *c, enum consumer_exception e);
/* The partitions (tps, ascending) it owns now: what its generation assigned it and it has
 * not revoked (a cooperative member keeps them through a rebalance); empty without a
 * generation (before joining, after a reset, a leave, a crash). */
uint32_t consumer_assignment(const struct consumer *c, const uint32_t **tps);
/* True once the model could not allocate memory (it then stopped acting). */
bool     consumer_nomem(const struct consumer *c);
/* The member's generation (-1 outside a group) and whether it has a member id. */
int32_t  consumer_generation(const struct consumer *c);

#endif
