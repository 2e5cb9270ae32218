/*
 * config_table.h — the single source of truth for every Kafka config kafkasim accepts
 * (scenario-format 11.9; docs/configs.md is written from it).
 *
 * Four scopes: broker (cluster.config, or one broker's own config), topic (a topic's config;
 * cluster.config sets the broker default under the broker name, e.g. log.retention.ms for
 * retention.ms), producer and consumer. Each entry has Kafka's name, type, default
 * (Kafka 4.1) and validator (ConfigDef's min/max/enum), or is a `sim.` knob. A second list
 * names real Kafka configs that kafkasim does not model: they are refused as "not supported"
 * rather than "unknown".
 *
 * Values are stored in Kafka's own unit (ms, seconds, bytes, counts) as int64, with the
 * encodings below for booleans, enums, lists and ratios; the loader converts nothing else.
 */
#ifndef KAFKASIM_CONFIG_TABLE_H
#define KAFKASIM_CONFIG_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cfg_scope {
	CFG_SCOPE_BROKER,
	CFG_SCOPE_TOPIC,
	CFG_SCOPE_PRODUCER,
	CFG_SCOPE_CONSUMER,
	CFG_SCOPE_COUNT,
};

/* Broker configs (ReplicationConfigs, KRaftConfigs, ServerLogConfigs, GroupCoordinatorConfig,
 * TransactionLogConfig). Entries with a topic synonym are the broker-wide topic defaults. */
enum cfg_broker_id {
	CFG_B_BROKER_HEARTBEAT_INTERVAL_MS,
	CFG_B_BROKER_SESSION_TIMEOUT_MS,
	CFG_B_ELIGIBLE_LEADER_REPLICAS_VERSION,
	CFG_B_CONTROLLER_QUORUM_REQUEST_TIMEOUT_MS,
	CFG_B_SOCKET_CONNECTION_SETUP_TIMEOUT_MS,
	CFG_B_SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS,
	CFG_B_REPLICA_LAG_TIME_MAX_MS,
	CFG_B_REPLICA_FETCH_WAIT_MAX_MS,
	CFG_B_REPLICA_FETCH_MIN_BYTES,
	CFG_B_REPLICA_FETCH_MAX_BYTES,
	CFG_B_REPLICA_FETCH_BACKOFF_MS,
	CFG_B_REPLICA_HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS,
	CFG_B_AUTO_LEADER_REBALANCE_ENABLE,
	CFG_B_LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS,
	CFG_B_UNCLEAN_LEADER_ELECTION_ENABLE,
	CFG_B_MIN_INSYNC_REPLICAS,
	CFG_B_LOG_SEGMENT_BYTES,
	CFG_B_LOG_ROLL_MS,
	CFG_B_LOG_ROLL_HOURS,
	CFG_B_LOG_ROLL_JITTER_MS,
	CFG_B_LOG_ROLL_JITTER_HOURS,
	CFG_B_LOG_RETENTION_MS,
	CFG_B_LOG_RETENTION_MINUTES,
	CFG_B_LOG_RETENTION_HOURS,
	CFG_B_LOG_RETENTION_BYTES,
	CFG_B_LOG_RETENTION_CHECK_INTERVAL_MS,
	CFG_B_LOG_INITIAL_TASK_DELAY_MS,
	CFG_B_LOG_CLEANUP_POLICY,
	CFG_B_LOG_FLUSH_INTERVAL_MESSAGES,
	CFG_B_LOG_FLUSH_INTERVAL_MS,
	CFG_B_LOG_FLUSH_SCHEDULER_INTERVAL_MS,
	CFG_B_LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS,
	CFG_B_LOG_SEGMENT_DELETE_DELAY_MS,
	CFG_B_LOG_MESSAGE_TIMESTAMP_TYPE,
	CFG_B_LOG_MESSAGE_TIMESTAMP_BEFORE_MAX_MS,
	CFG_B_LOG_MESSAGE_TIMESTAMP_AFTER_MAX_MS,
	CFG_B_MESSAGE_MAX_BYTES,
	CFG_B_LOG_CLEANER_DELETE_RETENTION_MS,
	CFG_B_LOG_CLEANER_MIN_CLEANABLE_RATIO,
	CFG_B_LOG_CLEANER_MIN_COMPACTION_LAG_MS,
	CFG_B_LOG_CLEANER_MAX_COMPACTION_LAG_MS,
	CFG_B_GROUP_INITIAL_REBALANCE_DELAY_MS,
	CFG_B_GROUP_MIN_SESSION_TIMEOUT_MS,
	CFG_B_GROUP_MAX_SESSION_TIMEOUT_MS,
	CFG_B_GROUP_MAX_SIZE,
	CFG_B_OFFSETS_TOPIC_NUM_PARTITIONS,
	CFG_B_OFFSETS_TOPIC_REPLICATION_FACTOR,
	CFG_B_OFFSETS_TOPIC_SEGMENT_BYTES,
	CFG_B_OFFSETS_RETENTION_MINUTES,
	CFG_B_OFFSETS_RETENTION_CHECK_INTERVAL_MS,
	CFG_B_OFFSETS_COMMIT_TIMEOUT_MS,
	CFG_B_PRODUCER_ID_EXPIRATION_MS,
	CFG_B_SIM_DIRTY_WRITEBACK,
	CFG_B_SIM_TRUNCATION,
	CFG_B_COUNT,
};

/* Topic configs (LogConfig, TopicConfig). */
enum cfg_topic_id {
	CFG_T_CLEANUP_POLICY,
	CFG_T_DELETE_RETENTION_MS,
	CFG_T_FILE_DELETE_DELAY_MS,
	CFG_T_FLUSH_MESSAGES,
	CFG_T_FLUSH_MS,
	CFG_T_MAX_COMPACTION_LAG_MS,
	CFG_T_MAX_MESSAGE_BYTES,
	CFG_T_MESSAGE_TIMESTAMP_AFTER_MAX_MS,
	CFG_T_MESSAGE_TIMESTAMP_BEFORE_MAX_MS,
	CFG_T_MESSAGE_TIMESTAMP_TYPE,
	CFG_T_MIN_CLEANABLE_DIRTY_RATIO,
	CFG_T_MIN_COMPACTION_LAG_MS,
	CFG_T_MIN_INSYNC_REPLICAS,
	CFG_T_RETENTION_BYTES,
	CFG_T_RETENTION_MS,
	CFG_T_SEGMENT_BYTES,
	CFG_T_SEGMENT_JITTER_MS,
	CFG_T_SEGMENT_MS,
	CFG_T_UNCLEAN_LEADER_ELECTION_ENABLE,
	CFG_T_COUNT,
};

/* Producer configs (ProducerConfig, CommonClientConfigs). */
enum cfg_producer_id {
	CFG_P_ACKS,
	CFG_P_ENABLE_IDEMPOTENCE,
	CFG_P_RETRIES,
	CFG_P_DELIVERY_TIMEOUT_MS,
	CFG_P_REQUEST_TIMEOUT_MS,
	CFG_P_RETRY_BACKOFF_MS,
	CFG_P_RETRY_BACKOFF_MAX_MS,
	CFG_P_MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
	CFG_P_LINGER_MS,
	CFG_P_BATCH_SIZE,
	CFG_P_BUFFER_MEMORY,
	CFG_P_MAX_BLOCK_MS,
	CFG_P_MAX_REQUEST_SIZE,
	CFG_P_PARTITIONER_IGNORE_KEYS,
	CFG_P_PARTITIONER_ADAPTIVE_PARTITIONING_ENABLE,
	CFG_P_PARTITIONER_AVAILABILITY_TIMEOUT_MS,
	CFG_P_METADATA_MAX_AGE_MS,
	CFG_P_RECONNECT_BACKOFF_MS,
	CFG_P_RECONNECT_BACKOFF_MAX_MS,
	CFG_P_SOCKET_CONNECTION_SETUP_TIMEOUT_MS,
	CFG_P_SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS,
	CFG_P_COUNT,
};

/* Consumer configs (ConsumerConfig, CommonClientConfigs). */
enum cfg_consumer_id {
	CFG_C_AUTO_OFFSET_RESET,
	CFG_C_ENABLE_AUTO_COMMIT,
	CFG_C_AUTO_COMMIT_INTERVAL_MS,
	CFG_C_SESSION_TIMEOUT_MS,
	CFG_C_HEARTBEAT_INTERVAL_MS,
	CFG_C_MAX_POLL_INTERVAL_MS,
	CFG_C_MAX_POLL_RECORDS,
	CFG_C_PARTITION_ASSIGNMENT_STRATEGY,
	CFG_C_FETCH_MIN_BYTES,
	CFG_C_FETCH_MAX_BYTES,
	CFG_C_FETCH_MAX_WAIT_MS,
	CFG_C_MAX_PARTITION_FETCH_BYTES,
	CFG_C_REQUEST_TIMEOUT_MS,
	CFG_C_DEFAULT_API_TIMEOUT_MS,
	CFG_C_ISOLATION_LEVEL,
	CFG_C_GROUP_PROTOCOL,
	CFG_C_RETRY_BACKOFF_MS,
	CFG_C_RETRY_BACKOFF_MAX_MS,
	CFG_C_METADATA_MAX_AGE_MS,
	CFG_C_RECONNECT_BACKOFF_MS,
	CFG_C_RECONNECT_BACKOFF_MAX_MS,
	CFG_C_SOCKET_CONNECTION_SETUP_TIMEOUT_MS,
	CFG_C_SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS,
	CFG_C_COUNT,
};

#define CFG_MAX_PER_SCOPE CFG_B_COUNT

enum cfg_type {
	CFG_BOOL,          /* v: 0 or 1; "true"/"false", any case, as Kafka's BOOLEAN */
	CFG_INT,           /* v: Kafka INT (int32) within [min, max] */
	CFG_LONG,          /* v: Kafka LONG (int64) within [min, max] */
	CFG_ENUM,          /* v: index into enums[] */
	CFG_LIST,          /* v: bit k set when enums[k] is listed (cleanup.policy) */
	CFG_RATIO,         /* v: Kafka DOUBLE in [0, 1] as a ratio out of 2^32 */
	CFG_ACKS,          /* v: -1 (all), 0 or 1 */
	CFG_ASSIGNORS,     /* v: assignors in preference order, 4 bits each, lowest first */
	CFG_OFFSET_RESET,  /* v: enum cfg_offset_reset; aux: by_duration in µs */
	CFG_SIM_TIME,      /* v: µs; a scenario time (bare integer = ms) */
};

enum cfg_flag {
	CFG_F_TIME         = 1 << 0,  /* unit strings accepted; v counts unit_us each */
	CFG_F_SIZE         = 1 << 1,  /* size strings accepted (16KiB) */
	CFG_F_CLUSTER_ONLY = 1 << 2,  /* broker scope: cluster.config only */
	CFG_F_CASE_FOLD    = 1 << 3,  /* enum compared ignoring ASCII case */
	CFG_F_TOPIC_LEVEL  = 1 << 4,  /* broker scope: feeds a topic default (not per broker) */
};

struct cfg_def {
	const char        *name;
	enum cfg_type      type;
	uint32_t           flags;
	int64_t            def;
	int64_t            min;
	int64_t            max;
	int64_t            unit_us;    /* CFG_F_TIME: µs per unit of v (1000 for .ms) */
	const char *const *enums;      /* CFG_ENUM, CFG_LIST */
	int                synonym;    /* topic <-> broker default id, or -1 */
	const char        *source;     /* Kafka file that defines it */
	const char        *doc;        /* one line for docs/configs.md */
};

/* A config as the loader resolved it: Kafka's default unless `set`, then where it was set. */
struct cfg_value {
	int64_t  v;
	int64_t  aux;
	uint32_t line;
	uint32_t col;
	bool     set;
};

/* Enumerations stored in cfg_value.v. */
enum cfg_timestamp_type { CFG_TS_CREATE_TIME, CFG_TS_LOG_APPEND_TIME };
enum cfg_cleanup_bit { CFG_CLEANUP_DELETE = 1, CFG_CLEANUP_COMPACT = 2 };
enum cfg_truncation { CFG_TRUNC_LEADER_EPOCH, CFG_TRUNC_HIGH_WATERMARK };
enum cfg_isolation { CFG_ISO_READ_UNCOMMITTED, CFG_ISO_READ_COMMITTED };
enum cfg_group_protocol { CFG_GP_CLASSIC, CFG_GP_CONSUMER };
enum cfg_offset_reset {
	CFG_RESET_LATEST, CFG_RESET_EARLIEST, CFG_RESET_NONE, CFG_RESET_BY_DURATION,
};
enum cfg_assignor {
	CFG_ASSIGNOR_NONE = 0,
	CFG_ASSIGNOR_RANGE = 1,
	CFG_ASSIGNOR_ROUNDROBIN = 2,
	CFG_ASSIGNOR_STICKY = 3,
	CFG_ASSIGNOR_COOPERATIVE_STICKY = 4,
};
#define CFG_ASSIGNORS_MAX 4

/* The k-th assignor (0-based) of a CFG_ASSIGNORS value, CFG_ASSIGNOR_NONE past the end. */
enum cfg_assignor cfg_assignor_at(int64_t v, unsigned k);
const char *cfg_assignor_name(enum cfg_assignor a);

const char *cfg_scope_name(enum cfg_scope scope);
int  cfg_count(enum cfg_scope scope);
const struct cfg_def *cfg_def(enum cfg_scope scope, int id);
/* The id of `name` in `scope`, or -1. */
int  cfg_find(enum cfg_scope scope, const char *name, size_t len);
/* For a real Kafka config that kafkasim does not model: true, and *note (may be "") says
 * why or what to use instead. */
bool cfg_unsupported(const char *name, size_t len, const char **note);
/* Fills vals[0 .. cfg_count(scope)) with Kafka's defaults, none set. */
void cfg_defaults(enum cfg_scope scope, struct cfg_value *vals);

/* Parses and validates one value as Kafka's ConfigDef would. `text` is the scalar (a YAML
 * list is passed joined with commas). On error returns false with a message in err, which
 * reads after "invalid value for `name`: ". */
bool cfg_parse(const struct cfg_def *d, const char *text, size_t len, struct cfg_value *out,
	       char *err, size_t errcap);

/* Copies text for an error message: control bytes escaped, cut to fit with "...". */
void cfg_quote_text(char *dst, size_t cap, const char *s, size_t len);

/* µs of a time value in Kafka units (ms, s, ...), saturating at INT64_MAX ("never"). */
int64_t cfg_time_us(const struct cfg_def *d, int64_t v);
/* µs of a millisecond count, saturating: for Long.MAX_VALUE-style "never" values. */
int64_t cfg_ms_to_us(int64_t ms);

#endif
