/*
 * config_table.c — every Kafka config kafkasim accepts, per scope, with Kafka 4.1's type,
 * default and validator, and the real Kafka configs it refuses as not supported
 * (scenario-format 11.9). docs/configs.md is written from these tables; keep them in step.
 *
 * Sources (apache/kafka): PC = clients/.../producer/ProducerConfig.java, CC = clients/.../
 * consumer/ConsumerConfig.java, LC = storage/.../log/LogConfig.java (topic configs and
 * ServerLogConfigs' broker defaults), RC = server/.../config/ReplicationConfigs.java, KR =
 * KRaftConfigs.java / QuorumConfig.java, GC = group-coordinator/.../GroupCoordinatorConfig.java,
 * TC = TransactionLogConfig.java (producer.id.expiration.ms). Where Kafka's ConfigDef has no
 * validator but the value is a period (a timer interval), kafkasim requires it to be >= 1 and
 * the doc line says so.
 */
#include "sim/config_table.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "sim/units.h"

#define I32_MIN INT32_MIN
#define I32_MAX INT32_MAX
#define I64_MIN INT64_MIN
#define I64_MAX INT64_MAX
#define MS      INT64_C(1000)
#define SEC     INT64_C(1000000)
#define MINUTE  (60 * SEC)
#define HOUR    (60 * MINUTE)
#define MIB     (INT64_C(1) << 20)
#define GIB     (INT64_C(1) << 30)
#define RATIO_HALF (INT64_C(1) << 31)

#define T_MS    CFG_F_TIME
#define T_SIZE  CFG_F_SIZE
#define T_CLUS  CFG_F_CLUSTER_ONLY
#define T_TOPIC CFG_F_TOPIC_LEVEL

static const char *const enum_timestamp[] = {"CreateTime", "LogAppendTime", NULL};
static const char *const enum_cleanup[] = {"delete", "compact", NULL};
static const char *const enum_truncation[] = {"leader-epoch", "high-watermark", NULL};
static const char *const enum_isolation[] = {"read_uncommitted", "read_committed", NULL};
static const char *const enum_group_protocol[] = {"classic", "consumer", NULL};

/* Broker configs. `synonym` names the topic config a broker entry is the default of. */
static const struct cfg_def broker_defs[CFG_B_COUNT] = {
	[CFG_B_BROKER_HEARTBEAT_INTERVAL_MS] = {"broker.heartbeat.interval.ms", CFG_INT, T_MS,
		2000, 1, I32_MAX, MS, NULL, -1, "KR",
		"how often a broker heartbeats to the controller (kafkasim: >= 1)"},
	[CFG_B_BROKER_SESSION_TIMEOUT_MS] = {"broker.session.timeout.ms", CFG_INT, T_MS | T_CLUS,
		9000, 1, I32_MAX, MS, NULL, -1, "KR",
		"controller fences a broker that has not heartbeated for this long (kafkasim: >= 1)"},
	[CFG_B_ELIGIBLE_LEADER_REPLICAS_VERSION] = {"eligible.leader.replicas.version", CFG_INT,
		T_CLUS, 1, 0, 1, 0, NULL, -1, "KIP-966",
		"KRaft feature level at t = 0: 1 turns Eligible Leader Replicas on (4.1 default for "
		"new clusters), 0 off (the 4.0 default)"},
	[CFG_B_CONTROLLER_QUORUM_REQUEST_TIMEOUT_MS] = {"controller.quorum.request.timeout.ms",
		CFG_INT, T_MS | T_CLUS, 2000, 0, I32_MAX, MS, NULL, -1, "KR",
		"timeout of requests to the controller quorum"},
	[CFG_B_SOCKET_CONNECTION_SETUP_TIMEOUT_MS] = {"socket.connection.setup.timeout.ms",
		CFG_LONG, T_MS, 10000, 0, I64_MAX, MS, NULL, -1, "KafkaConfig",
		"broker-to-broker and broker-to-controller connection setup timeout"},
	[CFG_B_SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS] = {"socket.connection.setup.timeout.max.ms",
		CFG_LONG, T_MS, 30000, 0, I64_MAX, MS, NULL, -1, "KafkaConfig",
		"upper bound of the exponential connection setup timeout"},
	[CFG_B_REPLICA_LAG_TIME_MAX_MS] = {"replica.lag.time.max.ms", CFG_LONG, T_MS,
		30000, 1, I64_MAX, MS, NULL, -1, "RC",
		"a follower not caught up for this long leaves the ISR (kafkasim: >= 1)"},
	[CFG_B_REPLICA_FETCH_WAIT_MAX_MS] = {"replica.fetch.wait.max.ms", CFG_INT, T_MS,
		500, 0, I32_MAX, MS, NULL, -1, "RC",
		"long-poll wait of an empty follower fetch; <= replica.lag.time.max.ms"},
	[CFG_B_REPLICA_FETCH_MIN_BYTES] = {"replica.fetch.min.bytes", CFG_INT, T_SIZE,
		1, 0, I32_MAX, 0, NULL, -1, "RC", "bytes a follower fetch waits for"},
	[CFG_B_REPLICA_FETCH_MAX_BYTES] = {"replica.fetch.max.bytes", CFG_INT, T_SIZE,
		1048576, 0, I32_MAX, 0, NULL, -1, "RC",
		"bytes per partition per follower fetch (at least one batch)"},
	[CFG_B_REPLICA_FETCH_BACKOFF_MS] = {"replica.fetch.backoff.ms", CFG_INT, T_MS,
		1000, 0, I32_MAX, MS, NULL, -1, "RC", "follower back-off after a fetch error"},
	[CFG_B_REPLICA_HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS] = {
		"replica.high.watermark.checkpoint.interval.ms", CFG_LONG, T_MS,
		5000, 1, I64_MAX, MS, NULL, -1, "RC",
		"how often high watermarks are checkpointed (kafkasim: >= 1)"},
	[CFG_B_AUTO_LEADER_REBALANCE_ENABLE] = {"auto.leader.rebalance.enable", CFG_BOOL, T_CLUS,
		1, 0, 1, 0, NULL, -1, "RC",
		"the controller moves leadership back to preferred replicas periodically"},
	[CFG_B_LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS] = {
		"leader.imbalance.check.interval.seconds", CFG_LONG, T_MS | T_CLUS,
		300, 1, I64_MAX, SEC, NULL, -1, "RC",
		"period of the preferred-leader check, in seconds"},
	[CFG_B_UNCLEAN_LEADER_ELECTION_ENABLE] = {"unclean.leader.election.enable", CFG_BOOL, 0,
		0, 0, 1, 0, NULL, CFG_T_UNCLEAN_LEADER_ELECTION_ENABLE, "LC",
		"default of the topic config unclean.leader.election.enable"},
	[CFG_B_MIN_INSYNC_REPLICAS] = {"min.insync.replicas", CFG_INT, 0,
		1, 1, I32_MAX, 0, NULL, CFG_T_MIN_INSYNC_REPLICAS, "LC",
		"default of the topic config min.insync.replicas"},
	[CFG_B_LOG_SEGMENT_BYTES] = {"log.segment.bytes", CFG_INT, T_SIZE,
		GIB, MIB, I32_MAX, 0, NULL, CFG_T_SEGMENT_BYTES, "LC",
		"default of segment.bytes (at least 1 MiB since 4.0, KIP-1030)"},
	[CFG_B_LOG_ROLL_MS] = {"log.roll.ms", CFG_LONG, T_MS,
		168 * 3600000LL, 1, I64_MAX, MS, NULL, CFG_T_SEGMENT_MS, "LC",
		"default of segment.ms; unset: log.roll.hours"},
	[CFG_B_LOG_ROLL_HOURS] = {"log.roll.hours", CFG_INT, T_MS | T_TOPIC,
		168, 1, I32_MAX, HOUR, NULL, -1, "LC", "log.roll.ms in hours, when that is unset"},
	[CFG_B_LOG_ROLL_JITTER_MS] = {"log.roll.jitter.ms", CFG_LONG, T_MS,
		0, 0, I64_MAX, MS, NULL, CFG_T_SEGMENT_JITTER_MS, "LC",
		"default of segment.jitter.ms; unset: log.roll.jitter.hours"},
	[CFG_B_LOG_ROLL_JITTER_HOURS] = {"log.roll.jitter.hours", CFG_INT, T_MS | T_TOPIC,
		0, 0, I32_MAX, HOUR, NULL, -1, "LC",
		"log.roll.jitter.ms in hours, when that is unset"},
	[CFG_B_LOG_RETENTION_MS] = {"log.retention.ms", CFG_LONG, T_MS,
		168 * 3600000LL, -1, I64_MAX, MS, NULL, CFG_T_RETENTION_MS, "LC",
		"default of retention.ms, -1 unlimited; unset: log.retention.minutes, then .hours"},
	[CFG_B_LOG_RETENTION_MINUTES] = {"log.retention.minutes", CFG_INT, T_MS | T_TOPIC,
		10080, -1, I32_MAX, MINUTE, NULL, -1, "LC",
		"log.retention.ms in minutes, when that is unset"},
	[CFG_B_LOG_RETENTION_HOURS] = {"log.retention.hours", CFG_INT, T_MS | T_TOPIC,
		168, -1, I32_MAX, HOUR, NULL, -1, "LC",
		"log.retention.ms in hours, when it and log.retention.minutes are unset"},
	[CFG_B_LOG_RETENTION_BYTES] = {"log.retention.bytes", CFG_LONG, T_SIZE,
		-1, I64_MIN, I64_MAX, 0, NULL, CFG_T_RETENTION_BYTES, "LC",
		"default of retention.bytes (per partition; negative: unlimited)"},
	[CFG_B_LOG_RETENTION_CHECK_INTERVAL_MS] = {"log.retention.check.interval.ms", CFG_LONG,
		T_MS, 300000, 1, I64_MAX, MS, NULL, -1, "LC",
		"how often retention deletes old segments"},
	[CFG_B_LOG_INITIAL_TASK_DELAY_MS] = {"log.initial.task.delay.ms", CFG_LONG, T_MS,
		30000, 0, I64_MAX, MS, NULL, -1, "LC",
		"delay of the first retention check after start (a Kafka internal config)"},
	[CFG_B_LOG_CLEANUP_POLICY] = {"log.cleanup.policy", CFG_LIST, 0,
		CFG_CLEANUP_DELETE, 0, 0, 0, enum_cleanup, CFG_T_CLEANUP_POLICY, "LC",
		"default of cleanup.policy"},
	[CFG_B_LOG_FLUSH_INTERVAL_MESSAGES] = {"log.flush.interval.messages", CFG_LONG, 0,
		I64_MAX, 1, I64_MAX, 0, NULL, CFG_T_FLUSH_MESSAGES, "LC",
		"default of flush.messages (Kafka never fsyncs per write by default)"},
	[CFG_B_LOG_FLUSH_INTERVAL_MS] = {"log.flush.interval.ms", CFG_LONG, T_MS,
		I64_MAX, 0, I64_MAX, MS, NULL, CFG_T_FLUSH_MS, "LC",
		"default of flush.ms; unset: log.flush.scheduler.interval.ms"},
	[CFG_B_LOG_FLUSH_SCHEDULER_INTERVAL_MS] = {"log.flush.scheduler.interval.ms", CFG_LONG,
		T_MS | T_TOPIC, I64_MAX, 1, I64_MAX, MS, NULL, -1, "LC",
		"log.flush.interval.ms when that is unset (kafkasim: >= 1)"},
	[CFG_B_LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS] = {
		"log.flush.offset.checkpoint.interval.ms", CFG_INT, T_MS,
		60000, 0, I32_MAX, MS, NULL, -1, "LC", "how often the recovery point is checkpointed"},
	[CFG_B_LOG_SEGMENT_DELETE_DELAY_MS] = {"log.segment.delete.delay.ms", CFG_LONG, T_MS,
		60000, 0, I64_MAX, MS, NULL, CFG_T_FILE_DELETE_DELAY_MS, "LC",
		"default of file.delete.delay.ms"},
	[CFG_B_LOG_MESSAGE_TIMESTAMP_TYPE] = {"log.message.timestamp.type", CFG_ENUM, 0,
		CFG_TS_CREATE_TIME, 0, 0, 0, enum_timestamp, CFG_T_MESSAGE_TIMESTAMP_TYPE, "LC",
		"default of message.timestamp.type"},
	[CFG_B_LOG_MESSAGE_TIMESTAMP_BEFORE_MAX_MS] = {"log.message.timestamp.before.max.ms",
		CFG_LONG, T_MS, I64_MAX, 0, I64_MAX, MS, NULL,
		CFG_T_MESSAGE_TIMESTAMP_BEFORE_MAX_MS, "LC",
		"default of message.timestamp.before.max.ms"},
	[CFG_B_LOG_MESSAGE_TIMESTAMP_AFTER_MAX_MS] = {"log.message.timestamp.after.max.ms",
		CFG_LONG, T_MS, 3600000, 0, I64_MAX, MS, NULL,
		CFG_T_MESSAGE_TIMESTAMP_AFTER_MAX_MS, "LC",
		"default of message.timestamp.after.max.ms (1 h since 4.0, KIP-1030)"},
	[CFG_B_MESSAGE_MAX_BYTES] = {"message.max.bytes", CFG_INT, T_SIZE,
		1048588, 0, I32_MAX, 0, NULL, CFG_T_MAX_MESSAGE_BYTES, "LC",
		"default of max.message.bytes"},
	[CFG_B_LOG_CLEANER_DELETE_RETENTION_MS] = {"log.cleaner.delete.retention.ms", CFG_LONG,
		T_MS, 86400000, 0, I64_MAX, MS, NULL, CFG_T_DELETE_RETENTION_MS, "LC",
		"default of delete.retention.ms"},
	[CFG_B_LOG_CLEANER_MIN_CLEANABLE_RATIO] = {"log.cleaner.min.cleanable.ratio", CFG_RATIO,
		0, RATIO_HALF, 0, 0, 0, NULL, CFG_T_MIN_CLEANABLE_DIRTY_RATIO, "LC",
		"default of min.cleanable.dirty.ratio"},
	[CFG_B_LOG_CLEANER_MIN_COMPACTION_LAG_MS] = {"log.cleaner.min.compaction.lag.ms",
		CFG_LONG, T_MS, 0, 0, I64_MAX, MS, NULL, CFG_T_MIN_COMPACTION_LAG_MS, "LC",
		"default of min.compaction.lag.ms"},
	[CFG_B_LOG_CLEANER_MAX_COMPACTION_LAG_MS] = {"log.cleaner.max.compaction.lag.ms",
		CFG_LONG, T_MS, I64_MAX, 1, I64_MAX, MS, NULL, CFG_T_MAX_COMPACTION_LAG_MS, "LC",
		"default of max.compaction.lag.ms"},
	[CFG_B_GROUP_INITIAL_REBALANCE_DELAY_MS] = {"group.initial.rebalance.delay.ms", CFG_INT,
		T_MS | T_CLUS, 3000, 0, I32_MAX, MS, NULL, -1, "GC",
		"delay of an empty group's first rebalance"},
	[CFG_B_GROUP_MIN_SESSION_TIMEOUT_MS] = {"group.min.session.timeout.ms", CFG_INT,
		T_MS | T_CLUS, 6000, I32_MIN, I32_MAX, MS, NULL, -1, "GC",
		"smallest session.timeout.ms the coordinator accepts"},
	[CFG_B_GROUP_MAX_SESSION_TIMEOUT_MS] = {"group.max.session.timeout.ms", CFG_INT,
		T_MS | T_CLUS, 1800000, I32_MIN, I32_MAX, MS, NULL, -1, "GC",
		"largest session.timeout.ms the coordinator accepts"},
	[CFG_B_GROUP_MAX_SIZE] = {"group.max.size", CFG_INT, T_CLUS,
		I32_MAX, 1, I32_MAX, 0, NULL, -1, "GC", "members a classic group may have"},
	[CFG_B_OFFSETS_TOPIC_NUM_PARTITIONS] = {"offsets.topic.num.partitions", CFG_INT, T_CLUS,
		50, 1, I32_MAX, 0, NULL, -1, "GC", "partitions of __consumer_offsets"},
	[CFG_B_OFFSETS_TOPIC_REPLICATION_FACTOR] = {"offsets.topic.replication.factor", CFG_INT,
		T_CLUS, 3, 1, INT16_MAX, 0, NULL, -1, "GC",
		"replication factor of __consumer_offsets (kafkasim caps it at the broker count)"},
	[CFG_B_OFFSETS_TOPIC_SEGMENT_BYTES] = {"offsets.topic.segment.bytes", CFG_INT,
		T_SIZE | T_CLUS, 104857600, 1, I32_MAX, 0, NULL, -1, "GC",
		"segment.bytes of __consumer_offsets"},
	[CFG_B_OFFSETS_RETENTION_MINUTES] = {"offsets.retention.minutes", CFG_INT, T_MS | T_CLUS,
		10080, 1, I32_MAX, MINUTE, NULL, -1, "GC",
		"committed offsets of a group Empty this long expire (KIP-211)"},
	[CFG_B_OFFSETS_RETENTION_CHECK_INTERVAL_MS] = {"offsets.retention.check.interval.ms",
		CFG_LONG, T_MS | T_CLUS, 600000, 1, I64_MAX, MS, NULL, -1, "GC",
		"how often expired offsets are removed"},
	[CFG_B_OFFSETS_COMMIT_TIMEOUT_MS] = {"offsets.commit.timeout.ms", CFG_INT, T_MS | T_CLUS,
		5000, 1, I32_MAX, MS, NULL, -1, "GC",
		"an offset commit waits this long for __consumer_offsets replication"},
	[CFG_B_PRODUCER_ID_EXPIRATION_MS] = {"producer.id.expiration.ms", CFG_INT, T_MS,
		86400000, 1, I32_MAX, MS, NULL, -1, "TC",
		"idle producer ids are forgotten after this long"},
	[CFG_B_SIM_DIRTY_WRITEBACK] = {"sim.dirty-writeback", CFG_SIM_TIME, 0,
		30 * SEC, 0, I64_MAX, 1, NULL, -1, "kafkasim",
		"the OS writes dirty pages older than this to disk (Linux dirty_expire); a power "
		"loss keeps only what was flushed or written back"},
	[CFG_B_SIM_TRUNCATION] = {"sim.truncation", CFG_ENUM, 0,
		CFG_TRUNC_LEADER_EPOCH, 0, 0, 0, enum_truncation, -1, "kafkasim",
		"leader-epoch (KIP-101, KIP-279) or high-watermark: pre-KIP-101 follower truncation"},
};

/* Topic configs; `synonym` is the broker config that supplies the default. */
static const struct cfg_def topic_defs[CFG_T_COUNT] = {
	[CFG_T_CLEANUP_POLICY] = {"cleanup.policy", CFG_LIST, 0, CFG_CLEANUP_DELETE, 0, 0, 0,
		enum_cleanup, CFG_B_LOG_CLEANUP_POLICY, "LC",
		"delete (retention), compact, or both (\"delete,compact\" or a list)"},
	[CFG_T_DELETE_RETENTION_MS] = {"delete.retention.ms", CFG_LONG, T_MS, 86400000, 0,
		I64_MAX, MS, NULL, CFG_B_LOG_CLEANER_DELETE_RETENTION_MS, "LC",
		"how long compaction keeps tombstones"},
	[CFG_T_FILE_DELETE_DELAY_MS] = {"file.delete.delay.ms", CFG_LONG, T_MS, 60000, 0, I64_MAX,
		MS, NULL, CFG_B_LOG_SEGMENT_DELETE_DELAY_MS, "LC",
		"delay before a deleted segment's files are removed"},
	[CFG_T_FLUSH_MESSAGES] = {"flush.messages", CFG_LONG, 0, I64_MAX, 1, I64_MAX, 0, NULL,
		CFG_B_LOG_FLUSH_INTERVAL_MESSAGES, "LC",
		"fsync after this many messages (default: never)"},
	[CFG_T_FLUSH_MS] = {"flush.ms", CFG_LONG, T_MS, I64_MAX, 0, I64_MAX, MS, NULL,
		CFG_B_LOG_FLUSH_INTERVAL_MS, "LC", "fsync data older than this (default: never)"},
	[CFG_T_MAX_COMPACTION_LAG_MS] = {"max.compaction.lag.ms", CFG_LONG, T_MS, I64_MAX, 1,
		I64_MAX, MS, NULL, CFG_B_LOG_CLEANER_MAX_COMPACTION_LAG_MS, "LC",
		"longest a record stays uncompacted"},
	[CFG_T_MAX_MESSAGE_BYTES] = {"max.message.bytes", CFG_INT, T_SIZE, 1048588, 0, I32_MAX, 0,
		NULL, CFG_B_MESSAGE_MAX_BYTES, "LC",
		"largest record batch the topic accepts (MESSAGE_TOO_LARGE)"},
	[CFG_T_MESSAGE_TIMESTAMP_AFTER_MAX_MS] = {"message.timestamp.after.max.ms", CFG_LONG,
		T_MS, 3600000, 0, I64_MAX, MS, NULL, CFG_B_LOG_MESSAGE_TIMESTAMP_AFTER_MAX_MS, "LC",
		"CreateTime at most this far ahead of the broker clock (INVALID_TIMESTAMP)"},
	[CFG_T_MESSAGE_TIMESTAMP_BEFORE_MAX_MS] = {"message.timestamp.before.max.ms", CFG_LONG,
		T_MS, I64_MAX, 0, I64_MAX, MS, NULL, CFG_B_LOG_MESSAGE_TIMESTAMP_BEFORE_MAX_MS, "LC",
		"CreateTime at most this far behind the broker clock"},
	[CFG_T_MESSAGE_TIMESTAMP_TYPE] = {"message.timestamp.type", CFG_ENUM, 0,
		CFG_TS_CREATE_TIME, 0, 0, 0, enum_timestamp, CFG_B_LOG_MESSAGE_TIMESTAMP_TYPE, "LC",
		"CreateTime (the producer's stamp) or LogAppendTime (the leader's)"},
	[CFG_T_MIN_CLEANABLE_DIRTY_RATIO] = {"min.cleanable.dirty.ratio", CFG_RATIO, 0, RATIO_HALF,
		0, 0, 0, NULL, CFG_B_LOG_CLEANER_MIN_CLEANABLE_RATIO, "LC",
		"dirty share of the log that makes it eligible for compaction, 0..1"},
	[CFG_T_MIN_COMPACTION_LAG_MS] = {"min.compaction.lag.ms", CFG_LONG, T_MS, 0, 0, I64_MAX,
		MS, NULL, CFG_B_LOG_CLEANER_MIN_COMPACTION_LAG_MS, "LC",
		"shortest a record stays uncompacted; <= max.compaction.lag.ms"},
	[CFG_T_MIN_INSYNC_REPLICAS] = {"min.insync.replicas", CFG_INT, 0, 1, 1, I32_MAX, 0, NULL,
		CFG_B_MIN_INSYNC_REPLICAS, "LC",
		"ISR size acks=all writes need (capped at the replication factor)"},
	[CFG_T_RETENTION_BYTES] = {"retention.bytes", CFG_LONG, T_SIZE, -1, I64_MIN, I64_MAX, 0,
		NULL, CFG_B_LOG_RETENTION_BYTES, "LC", "per-partition size limit; negative: none"},
	[CFG_T_RETENTION_MS] = {"retention.ms", CFG_LONG, T_MS, 168 * 3600000LL, -1, I64_MAX, MS,
		NULL, CFG_B_LOG_RETENTION_MS, "LC", "time-based retention; -1: none"},
	[CFG_T_SEGMENT_BYTES] = {"segment.bytes", CFG_INT, T_SIZE, GIB, MIB, I32_MAX, 0, NULL,
		CFG_B_LOG_SEGMENT_BYTES, "LC", "segment size (at least 1 MiB since 4.0, KIP-1030)"},
	[CFG_T_SEGMENT_JITTER_MS] = {"segment.jitter.ms", CFG_LONG, T_MS, 0, 0, I64_MAX, MS, NULL,
		CFG_B_LOG_ROLL_JITTER_MS, "LC", "random jitter subtracted from segment.ms"},
	[CFG_T_SEGMENT_MS] = {"segment.ms", CFG_LONG, T_MS, 168 * 3600000LL, 1, I64_MAX, MS, NULL,
		CFG_B_LOG_ROLL_MS, "LC", "roll a segment whose first record is this old"},
	[CFG_T_UNCLEAN_LEADER_ELECTION_ENABLE] = {"unclean.leader.election.enable", CFG_BOOL, 0,
		0, 0, 1, 0, NULL, CFG_B_UNCLEAN_LEADER_ELECTION_ENABLE, "LC",
		"elect a replica outside the ISR as a last resort (may lose data)"},
};

static const struct cfg_def producer_defs[CFG_P_COUNT] = {
	[CFG_P_ACKS] = {"acks", CFG_ACKS, 0, -1, -1, 1, 0, NULL, -1, "PC",
		"all (-1), 1 or 0; all since 3.0 (KIP-679)"},
	[CFG_P_ENABLE_IDEMPOTENCE] = {"enable.idempotence", CFG_BOOL, 0, 1, 0, 1, 0, NULL, -1,
		"PC", "idempotent producer (needs acks=all, retries > 0, max.in.flight <= 5)"},
	[CFG_P_RETRIES] = {"retries", CFG_INT, 0, I32_MAX, 0, I32_MAX, 0, NULL, -1, "PC",
		"retries of a failed batch (bounded by delivery.timeout.ms)"},
	[CFG_P_DELIVERY_TIMEOUT_MS] = {"delivery.timeout.ms", CFG_INT, T_MS, 120000, 0, I32_MAX,
		MS, NULL, -1, "PC",
		"send() to callback bound; >= linger.ms + request.timeout.ms (raised if defaulted)"},
	[CFG_P_REQUEST_TIMEOUT_MS] = {"request.timeout.ms", CFG_INT, T_MS, 30000, 0, I32_MAX, MS,
		NULL, -1, "PC", "per-request timeout, also the broker's produce timeout"},
	[CFG_P_RETRY_BACKOFF_MS] = {"retry.backoff.ms", CFG_LONG, T_MS, 100, 0, I64_MAX, MS, NULL,
		-1, "PC", "first retry back-off (exponential, KIP-580)"},
	[CFG_P_RETRY_BACKOFF_MAX_MS] = {"retry.backoff.max.ms", CFG_LONG, T_MS, 1000, 0, I64_MAX,
		MS, NULL, -1, "PC", "largest retry back-off"},
	[CFG_P_MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION] = {
		"max.in.flight.requests.per.connection", CFG_INT, 0, 5, 1, I32_MAX, 0, NULL, -1,
		"PC", "unacknowledged requests per broker connection"},
	[CFG_P_LINGER_MS] = {"linger.ms", CFG_LONG, T_MS, 5, 0, I64_MAX, MS, NULL, -1, "PC",
		"wait this long to fill a batch (5 since 4.0, KIP-1030)"},
	[CFG_P_BATCH_SIZE] = {"batch.size", CFG_INT, T_SIZE, 16384, 0, I32_MAX, 0, NULL, -1, "PC",
		"batch buffer per partition; also the sticky partitioner's switch size"},
	[CFG_P_BUFFER_MEMORY] = {"buffer.memory", CFG_LONG, T_SIZE, 33554432, 0, I64_MAX, 0, NULL,
		-1, "PC", "memory for unsent records; send() blocks when full"},
	[CFG_P_MAX_BLOCK_MS] = {"max.block.ms", CFG_LONG, T_MS, 60000, 0, I64_MAX, MS, NULL, -1,
		"PC", "longest send() blocks for metadata or buffer space"},
	[CFG_P_MAX_REQUEST_SIZE] = {"max.request.size", CFG_INT, T_SIZE, 1048576, 0, I32_MAX, 0,
		NULL, -1, "PC", "largest request (and record) the producer sends"},
	[CFG_P_PARTITIONER_IGNORE_KEYS] = {"partitioner.ignore.keys", CFG_BOOL, 0, 0, 0, 1, 0,
		NULL, -1, "PC", "true: keyed records are placed by the sticky partitioner too"},
	[CFG_P_PARTITIONER_ADAPTIVE_PARTITIONING_ENABLE] = {
		"partitioner.adaptive.partitioning.enable", CFG_BOOL, 0, 1, 0, 1, 0, NULL, -1, "PC",
		"sticky partition choice weighted by queue length (KIP-794)"},
	[CFG_P_PARTITIONER_AVAILABILITY_TIMEOUT_MS] = {"partitioner.availability.timeout.ms",
		CFG_LONG, T_MS, 0, 0, I64_MAX, MS, NULL, -1, "PC",
		"skip partitions whose leader accepted nothing for this long; 0 off"},
	[CFG_P_METADATA_MAX_AGE_MS] = {"metadata.max.age.ms", CFG_LONG, T_MS, 300000, 0, I64_MAX,
		MS, NULL, -1, "PC", "metadata refresh period"},
	[CFG_P_RECONNECT_BACKOFF_MS] = {"reconnect.backoff.ms", CFG_LONG, T_MS, 50, 0, I64_MAX, MS,
		NULL, -1, "PC", "first reconnect back-off"},
	[CFG_P_RECONNECT_BACKOFF_MAX_MS] = {"reconnect.backoff.max.ms", CFG_LONG, T_MS, 1000, 0,
		I64_MAX, MS, NULL, -1, "PC", "largest reconnect back-off"},
	[CFG_P_SOCKET_CONNECTION_SETUP_TIMEOUT_MS] = {"socket.connection.setup.timeout.ms",
		CFG_LONG, T_MS, 10000, 0, I64_MAX, MS, NULL, -1, "PC",
		"connection setup timeout (exponential up to the max)"},
	[CFG_P_SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS] = {"socket.connection.setup.timeout.max.ms",
		CFG_LONG, T_MS, 30000, 0, I64_MAX, MS, NULL, -1, "PC",
		"largest connection setup timeout"},
};

static const struct cfg_def consumer_defs[CFG_C_COUNT] = {
	[CFG_C_AUTO_OFFSET_RESET] = {"auto.offset.reset", CFG_OFFSET_RESET, 0, CFG_RESET_LATEST,
		0, 0, 0, NULL, -1, "CC",
		"latest, earliest, none, or by_duration:<ISO-8601> (KIP-1106)"},
	[CFG_C_ENABLE_AUTO_COMMIT] = {"enable.auto.commit", CFG_BOOL, 0, 1, 0, 1, 0, NULL, -1,
		"CC", "commit positions automatically (see `commit`)"},
	[CFG_C_AUTO_COMMIT_INTERVAL_MS] = {"auto.commit.interval.ms", CFG_INT, T_MS, 5000, 0,
		I32_MAX, MS, NULL, -1, "CC", "auto-commit period"},
	[CFG_C_SESSION_TIMEOUT_MS] = {"session.timeout.ms", CFG_INT, T_MS, 45000, I32_MIN,
		I32_MAX, MS, NULL, -1, "CC", "member removed after this long without heartbeats"},
	[CFG_C_HEARTBEAT_INTERVAL_MS] = {"heartbeat.interval.ms", CFG_INT, T_MS, 3000, 1, I32_MAX,
		MS, NULL, -1, "CC", "heartbeat period (kafkasim: >= 1)"},
	[CFG_C_MAX_POLL_INTERVAL_MS] = {"max.poll.interval.ms", CFG_INT, T_MS, 300000, 1, I32_MAX,
		MS, NULL, -1, "CC", "longest gap between polls before the member leaves"},
	[CFG_C_MAX_POLL_RECORDS] = {"max.poll.records", CFG_INT, 0, 500, 1, I32_MAX, 0, NULL, -1,
		"CC", "records one poll() returns at most"},
	[CFG_C_PARTITION_ASSIGNMENT_STRATEGY] = {"partition.assignment.strategy", CFG_ASSIGNORS, 0,
		CFG_ASSIGNOR_RANGE | (CFG_ASSIGNOR_COOPERATIVE_STICKY << 4), 0, 0, 0, NULL, -1, "CC",
		"range, roundrobin, sticky, cooperative-sticky (or class names), or a list"},
	[CFG_C_FETCH_MIN_BYTES] = {"fetch.min.bytes", CFG_INT, T_SIZE, 1, 0, I32_MAX, 0, NULL, -1,
		"CC", "bytes a fetch waits for"},
	[CFG_C_FETCH_MAX_BYTES] = {"fetch.max.bytes", CFG_INT, T_SIZE, 52428800, 0, I32_MAX, 0,
		NULL, -1, "CC", "bytes per fetch response"},
	[CFG_C_FETCH_MAX_WAIT_MS] = {"fetch.max.wait.ms", CFG_INT, T_MS, 500, 0, I32_MAX, MS, NULL,
		-1, "CC", "longest a fetch waits for fetch.min.bytes"},
	[CFG_C_MAX_PARTITION_FETCH_BYTES] = {"max.partition.fetch.bytes", CFG_INT, T_SIZE, 1048576,
		0, I32_MAX, 0, NULL, -1, "CC", "bytes per partition per fetch (at least one batch)"},
	[CFG_C_REQUEST_TIMEOUT_MS] = {"request.timeout.ms", CFG_INT, T_MS, 30000, 0, I32_MAX, MS,
		NULL, -1, "CC", "per-request timeout"},
	[CFG_C_DEFAULT_API_TIMEOUT_MS] = {"default.api.timeout.ms", CFG_INT, T_MS, 60000, 0,
		I32_MAX, MS, NULL, -1, "CC", "bound of blocking calls such as commitSync()"},
	[CFG_C_ISOLATION_LEVEL] = {"isolation.level", CFG_ENUM, 0, CFG_ISO_READ_UNCOMMITTED, 0, 0,
		0, enum_isolation, -1, "CC", "read_uncommitted or read_committed"},
	[CFG_C_GROUP_PROTOCOL] = {"group.protocol", CFG_ENUM, CFG_F_CASE_FOLD, CFG_GP_CLASSIC, 0,
		0, 0, enum_group_protocol, -1, "CC",
		"classic (consumer, KIP-848, is not supported yet)"},
	[CFG_C_RETRY_BACKOFF_MS] = {"retry.backoff.ms", CFG_LONG, T_MS, 100, 0, I64_MAX, MS, NULL,
		-1, "CC", "first retry back-off"},
	[CFG_C_RETRY_BACKOFF_MAX_MS] = {"retry.backoff.max.ms", CFG_LONG, T_MS, 1000, 0, I64_MAX,
		MS, NULL, -1, "CC", "largest retry back-off"},
	[CFG_C_METADATA_MAX_AGE_MS] = {"metadata.max.age.ms", CFG_LONG, T_MS, 300000, 0, I64_MAX,
		MS, NULL, -1, "CC", "metadata refresh period"},
	[CFG_C_RECONNECT_BACKOFF_MS] = {"reconnect.backoff.ms", CFG_LONG, T_MS, 50, 0, I64_MAX, MS,
		NULL, -1, "CC", "first reconnect back-off"},
	[CFG_C_RECONNECT_BACKOFF_MAX_MS] = {"reconnect.backoff.max.ms", CFG_LONG, T_MS, 1000, 0,
		I64_MAX, MS, NULL, -1, "CC", "largest reconnect back-off"},
	[CFG_C_SOCKET_CONNECTION_SETUP_TIMEOUT_MS] = {"socket.connection.setup.timeout.ms",
		CFG_LONG, T_MS, 10000, 0, I64_MAX, MS, NULL, -1, "CC",
		"connection setup timeout (exponential up to the max)"},
	[CFG_C_SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS] = {"socket.connection.setup.timeout.max.ms",
		CFG_LONG, T_MS, 30000, 0, I64_MAX, MS, NULL, -1, "CC",
		"largest connection setup timeout"},
};

/* Real Kafka configs kafkasim does not model, with a hint where one helps. */
struct unsupported {
	const char *name;
	const char *note;
};

static const struct unsupported unsupported[] = {
	{"client.id", "a client's id is its `id` (or a consumer member's generated id)"},
	{"group.id", "a consumer group's id is its `group:`"},
	{"group.instance.id", "static membership (KIP-345) is not modelled"},
	{"broker.id", "a broker's id is its `id:` in cluster.brokers"},
	{"node.id", "a broker's id is its `id:` in cluster.brokers"},
	{"broker.rack", "give the broker a `rack:` in cluster.brokers"},
	{"transactional.id", "transactions are not modelled"},
	{"transaction.timeout.ms", "transactions are not modelled"},
	{"transaction.two.phase.commit.enable", "transactions are not modelled"},
	{"compression.type", "records are uncompressed"},
	{"compression.gzip.level", "records are uncompressed"},
	{"compression.lz4.level", "records are uncompressed"},
	{"compression.zstd.level", "records are uncompressed"},
	{"partitioner.class", "only Kafka's built-in partitioner is modelled"},
	{"interceptor.classes", ""}, {"key.serializer", ""}, {"value.serializer", ""},
	{"key.deserializer", ""}, {"value.deserializer", ""}, {"bootstrap.servers", ""},
	{"client.dns.lookup", ""}, {"send.buffer.bytes", ""}, {"receive.buffer.bytes", ""},
	{"connections.max.idle.ms", ""}, {"metadata.max.idle.ms", ""},
	{"metrics.sample.window.ms", ""}, {"metrics.num.samples", ""},
	{"metrics.recording.level", ""}, {"metric.reporters", ""}, {"enable.metrics.push", ""},
	{"security.protocol", ""}, {"security.providers", ""}, {"metadata.recovery.strategy", ""},
	{"metadata.recovery.rebootstrap.trigger.ms", ""}, {"config.providers", ""},
	{"client.rack", "rack-aware fetching and assignment are not modelled"},
	{"check.crcs", ""}, {"exclude.internal.topics", ""}, {"allow.auto.create.topics", ""},
	{"group.remote.assignor", "the consumer group protocol (KIP-848) is not modelled"},
	{"bootstrap.resolve.timeout.ms", ""},
	{"process.roles", ""}, {"listeners", ""}, {"advertised.listeners", ""},
	{"listener.security.protocol.map", ""}, {"inter.broker.listener.name", ""},
	{"inter.broker.protocol.version", ""}, {"security.inter.broker.protocol", ""},
	{"controller.listener.names", ""},
	{"controller.quorum.voters", "the quorum is `cluster.controllers`"},
	{"controller.quorum.bootstrap.servers", "the quorum is `cluster.controllers`"},
	{"controller.quorum.election.timeout.ms", "the controller quorum is not modelled yet"},
	{"controller.quorum.fetch.timeout.ms", "the controller quorum is not modelled yet"},
	{"controller.quorum.election.backoff.max.ms", "the controller quorum is not modelled yet"},
	{"controller.quorum.append.linger.ms", "the controller quorum is not modelled yet"},
	{"initial.broker.registration.timeout.ms", ""}, {"metadata.log.dir", ""},
	{"metadata.log.segment.bytes", ""}, {"log.dir", ""}, {"log.dirs", ""},
	{"num.partitions", "topics are created by the scenario, never automatically"},
	{"default.replication.factor", "topics are created by the scenario, never automatically"},
	{"auto.create.topics.enable", "topics are created by the scenario, never automatically"},
	{"delete.topic.enable", ""}, {"num.io.threads", ""}, {"num.network.threads", ""},
	{"num.replica.fetchers", ""}, {"num.recovery.threads.per.data.dir", ""},
	{"background.threads", ""}, {"queued.max.requests", ""},
	{"socket.send.buffer.bytes", ""}, {"socket.receive.buffer.bytes", ""},
	{"socket.request.max.bytes", ""}, {"log.index.interval.bytes", ""},
	{"log.index.size.max.bytes", ""}, {"log.preallocate", ""}, {"log.cleaner.enable", ""},
	{"log.cleaner.threads", ""}, {"log.cleaner.dedupe.buffer.size", ""},
	{"log.cleaner.io.buffer.size", ""}, {"log.cleaner.backoff.ms", ""},
	{"log.flush.start.offset.checkpoint.interval.ms", ""},
	{"replica.socket.timeout.ms", ""}, {"replica.socket.receive.buffer.bytes", ""},
	{"replica.fetch.response.max.bytes", ""}, {"replica.selector.class", ""},
	{"leader.imbalance.per.broker.percentage", "used only by the ZooKeeper controller"},
	{"unclean.leader.election.interval.ms", ""},
	{"transaction.state.log.replication.factor", "transactions are not modelled"},
	{"transaction.state.log.min.isr", "transactions are not modelled"},
	{"transaction.state.log.num.partitions", "transactions are not modelled"},
	{"transactional.id.expiration.ms", "transactions are not modelled"},
	{"transaction.max.timeout.ms", "transactions are not modelled"},
	{"group.coordinator.rebalance.protocols", ""},
	{"group.consumer.session.timeout.ms", "the consumer group protocol (KIP-848) is not modelled"},
	{"group.consumer.heartbeat.interval.ms",
	 "the consumer group protocol (KIP-848) is not modelled"},
	{"group.consumer.assignors", "the consumer group protocol (KIP-848) is not modelled"},
	{"offset.metadata.max.bytes", ""}, {"offsets.load.buffer.size", ""},
	{"offsets.topic.compression.codec", ""},
	{"remote.log.storage.system.enable", "tiered storage is not modelled"},
	{"remote.storage.enable", "tiered storage is not modelled"},
	{"local.retention.ms", "tiered storage is not modelled"},
	{"local.retention.bytes", "tiered storage is not modelled"},
	{"segment.index.bytes", ""}, {"index.interval.bytes", ""}, {"preallocate", ""},
	{"follower.replication.throttled.replicas", ""},
	{"leader.replication.throttled.replicas", ""},
	{"zookeeper.connect", "removed in Kafka 4.0 (KRaft only)"},
	{"log.message.format.version", "removed in Kafka 4.0"},
	{"message.format.version", "removed in Kafka 4.0"},
	{"message.timestamp.difference.max.ms",
	 "removed in Kafka 4.0 (KIP-937); use message.timestamp.before.max.ms / after.max.ms"},
	{"log.message.timestamp.difference.max.ms",
	 "removed in Kafka 4.0 (KIP-937); use log.message.timestamp.before.max.ms / after.max.ms"},
	{"message.downconversion.enable", "removed in Kafka 4.0"},
	{"log.message.downconversion.enable", "removed in Kafka 4.0"},
	{"controlled.shutdown.enable", "use a `stop` fault for a controlled shutdown"},
};

static const struct cfg_def *const scope_defs[CFG_SCOPE_COUNT] = {
	broker_defs, topic_defs, producer_defs, consumer_defs,
};

static const int scope_counts[CFG_SCOPE_COUNT] = {
	CFG_B_COUNT, CFG_T_COUNT, CFG_P_COUNT, CFG_C_COUNT,
};

const char *cfg_scope_name(enum cfg_scope scope)
{
	static const char *const names[CFG_SCOPE_COUNT] = {
		"broker", "topic", "producer", "consumer",
	};
	assert(scope < CFG_SCOPE_COUNT);
	return names[scope];
}

int cfg_count(enum cfg_scope scope)
{
	assert(scope < CFG_SCOPE_COUNT);
	return scope_counts[scope];
}

const struct cfg_def *cfg_def(enum cfg_scope scope, int id)
{
	assert(scope < CFG_SCOPE_COUNT);
	assert(id >= 0 && id < scope_counts[scope]);
	const struct cfg_def *d = &scope_defs[scope][id];
	assert(d->name != NULL);
	return d;
}

static bool name_is(const char *name, const char *s, size_t len)
{
	return strlen(name) == len && memcmp(name, s, len) == 0;
}

int cfg_find(enum cfg_scope scope, const char *name, size_t len)
{
	for (int i = 0; i < cfg_count(scope); i++)
		if (name_is(scope_defs[scope][i].name, name, len))
			return i;
	return -1;
}

bool cfg_unsupported(const char *name, size_t len, const char **note)
{
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
		if (name_is(unsupported[i].name, name, len)) {
			*note = unsupported[i].note;
			return true;
		}
	}
	return false;
}

void cfg_defaults(enum cfg_scope scope, struct cfg_value *vals)
{
	for (int i = 0; i < cfg_count(scope); i++) {
		memset(&vals[i], 0, sizeof(vals[i]));
		vals[i].v = cfg_def(scope, i)->def;
	}
}

enum cfg_assignor cfg_assignor_at(int64_t v, unsigned k)
{
	if (k >= CFG_ASSIGNORS_MAX)
		return CFG_ASSIGNOR_NONE;
	return (enum cfg_assignor)(((uint64_t)v >> (4 * k)) & 0xf);
}

const char *cfg_assignor_name(enum cfg_assignor a)
{
	switch (a) {
	case CFG_ASSIGNOR_RANGE:              return "range";
	case CFG_ASSIGNOR_ROUNDROBIN:         return "roundrobin";
	case CFG_ASSIGNOR_STICKY:             return "sticky";
	case CFG_ASSIGNOR_COOPERATIVE_STICKY: return "cooperative-sticky";
	case CFG_ASSIGNOR_NONE:               break;
	}
	return "none";
}

static int64_t sat_mul(int64_t v, int64_t unit)
{
	assert(unit > 0);
	if (v > INT64_MAX / unit)
		return INT64_MAX;
	if (v < INT64_MIN / unit)
		return INT64_MIN;
	return v * unit;
}

int64_t cfg_time_us(const struct cfg_def *d, int64_t v)
{
	if (d->type == CFG_SIM_TIME)
		return v;
	assert(d->flags & CFG_F_TIME);
	return sat_mul(v, d->unit_us);
}

int64_t cfg_ms_to_us(int64_t ms)
{
	return sat_mul(ms, 1000);
}

/* Value parsing: Kafka's ConfigDef.parseType plus the validators above. */

void cfg_quote_text(char *dst, size_t cap, const char *s, size_t len)
{
	assert(cap >= 8);
	size_t o = 0, limit = cap - 5;
	for (size_t i = 0; i < len && o < limit; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f) {
			if (o + 4 > limit)
				break;
			snprintf(dst + o, cap - o, "\\x%02x", c);
			o += 4;
		} else {
			dst[o++] = (char)c;
		}
		if (o >= limit && i + 1 < len) {
			memcpy(dst + o, "...", 3);
			o += 3;
			break;
		}
	}
	dst[o] = '\0';
}

static bool ascii_eq_fold(const char *a, const char *s, size_t len)
{
	if (strlen(a) != len)
		return false;
	for (size_t i = 0; i < len; i++) {
		char x = a[i], y = s[i];
		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

/* err = before `text` after; returns false for the caller's return. */
static bool fail(char *err, size_t errcap, const char *before, const char *text, size_t len,
		 const char *after)
{
	char q[64];
	cfg_quote_text(q, sizeof(q), text, len);
	snprintf(err, errcap, "%s`%s`%s", before, q, after);
	return false;
}

static bool parse_bool(const char *s, size_t len, struct cfg_value *out, char *err,
		       size_t errcap)
{
	if (ascii_eq_fold("true", s, len))
		out->v = 1;
	else if (ascii_eq_fold("false", s, len))
		out->v = 0;
	else
		return fail(err, errcap, "expected true or false, got ", s, len, "");
	return true;
}

static const char *unit_word(int64_t unit_us)
{
	switch (unit_us) {
	case MS:     return "milliseconds";
	case SEC:    return "seconds";
	case MINUTE: return "minutes";
	case HOUR:   return "hours";
	default:     return "units";
	}
}

/* A bare integer in Kafka's unit, or (for .ms/.bytes configs) a unit string. */
static bool parse_number(const struct cfg_def *d, const char *s, size_t len, int64_t *v,
			 char *err, size_t errcap)
{
	enum units_err e = units_int64(s, len, v);
	if (e == UNITS_NOT_INTEGER && (d->flags & CFG_F_TIME)) {
		int64_t us;
		e = units_time_us(s, len, d->unit_us, true, &us);
		if (e == UNITS_OK && us % d->unit_us != 0) {
			snprintf(err, errcap, "must be a whole number of %s", unit_word(d->unit_us));
			return false;
		}
		if (e == UNITS_OK)
			*v = us / d->unit_us;
	} else if (e == UNITS_NOT_INTEGER && (d->flags & CFG_F_SIZE)) {
		e = units_size(s, len, v);
	}
	if (e == UNITS_OK)
		return true;
	if (e == UNITS_RANGE)
		return fail(err, errcap, "", s, len, " is out of range");
	if (d->flags & CFG_F_TIME)
		return fail(err, errcap, "expected an integer or a time like 500ms or 5s, got ",
			    s, len, "");
	if (d->flags & CFG_F_SIZE)
		return fail(err, errcap, "expected an integer or a size like 16KiB, got ", s,
			    len, "");
	return fail(err, errcap, "expected an integer, got ", s, len, "");
}

static bool check_range(const struct cfg_def *d, int64_t v, char *err, size_t errcap)
{
	int64_t lo = d->min, hi = d->max;
	if (d->type == CFG_INT) {
		lo = lo < INT32_MIN ? INT32_MIN : lo;
		hi = hi > INT32_MAX ? INT32_MAX : hi;
	}
	if (v < lo) {
		snprintf(err, errcap, "must be at least %lld, got %lld", (long long)lo,
			 (long long)v);
		return false;
	}
	if (v > hi) {
		snprintf(err, errcap, "must be at most %lld, got %lld", (long long)hi,
			 (long long)v);
		return false;
	}
	return true;
}

static void list_enums(const char *const *enums, char *buf, size_t cap)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t k = 0; enums[k] != NULL && o < cap; k++)
		o += (size_t)snprintf(buf + o, cap - o, "%s%s", k ? ", " : "", enums[k]);
}

static int find_enum(const struct cfg_def *d, const char *s, size_t len)
{
	for (int k = 0; d->enums[k] != NULL; k++) {
		bool eq = (d->flags & CFG_F_CASE_FOLD) ? ascii_eq_fold(d->enums[k], s, len)
						       : name_is(d->enums[k], s, len);
		if (eq)
			return k;
	}
	return -1;
}

static bool parse_enum(const struct cfg_def *d, const char *s, size_t len, int64_t *v,
		       char *err, size_t errcap)
{
	int k = find_enum(d, s, len);
	if (k >= 0) {
		*v = k;
		return true;
	}
	char all[160], q[64];
	list_enums(d->enums, all, sizeof(all));
	cfg_quote_text(q, sizeof(q), s, len);
	snprintf(err, errcap, "expected one of %s; got `%s`", all, q);
	return false;
}

/* Splits "a, b,c" at commas, trimming spaces, as Kafka's LIST type does. */
struct items {
	const char *s;
	size_t      len;
	size_t      pos;
};

static bool next_item(struct items *it, const char **item, size_t *ilen)
{
	if (it->pos > it->len)
		return false;
	size_t b = it->pos, e = b;
	while (e < it->len && it->s[e] != ',')
		e++;
	it->pos = e + 1;
	while (b < e && it->s[b] == ' ')
		b++;
	while (e > b && it->s[e - 1] == ' ')
		e--;
	*item = it->s + b;
	*ilen = e - b;
	return true;
}

static bool parse_list(const struct cfg_def *d, const char *s, size_t len, int64_t *v,
		       char *err, size_t errcap)
{
	struct items it = {s, len, 0};
	const char *item;
	size_t ilen;
	int64_t bits = 0;
	while (next_item(&it, &item, &ilen)) {
		if (ilen == 0 && len == 0)
			break;
		int64_t one;
		if (!parse_enum(d, item, ilen, &one, err, errcap))
			return false;
		bits |= INT64_C(1) << one;
	}
	if (bits == 0) {
		char all[160];
		list_enums(d->enums, all, sizeof(all));
		snprintf(err, errcap, "needs at least one of %s", all);
		return false;
	}
	*v = bits;
	return true;
}

static enum cfg_assignor assignor_from(const char *s, size_t len)
{
	static const struct {
		const char *name;
		enum cfg_assignor a;
	} names[] = {
		{"range", CFG_ASSIGNOR_RANGE},
		{"roundrobin", CFG_ASSIGNOR_ROUNDROBIN},
		{"sticky", CFG_ASSIGNOR_STICKY},
		{"cooperative-sticky", CFG_ASSIGNOR_COOPERATIVE_STICKY},
		{"org.apache.kafka.clients.consumer.RangeAssignor", CFG_ASSIGNOR_RANGE},
		{"org.apache.kafka.clients.consumer.RoundRobinAssignor", CFG_ASSIGNOR_ROUNDROBIN},
		{"org.apache.kafka.clients.consumer.StickyAssignor", CFG_ASSIGNOR_STICKY},
		{"org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
		 CFG_ASSIGNOR_COOPERATIVE_STICKY},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (name_is(names[i].name, s, len))
			return names[i].a;
	return CFG_ASSIGNOR_NONE;
}

static bool parse_assignors(const char *s, size_t len, int64_t *v, char *err, size_t errcap)
{
	struct items it = {s, len, 0};
	const char *item;
	size_t ilen;
	unsigned n = 0;
	uint64_t packed = 0, seen = 0;
	while (next_item(&it, &item, &ilen)) {
		enum cfg_assignor a = assignor_from(item, ilen);
		if (a == CFG_ASSIGNOR_NONE)
			return fail(err, errcap, "unknown assignor ", item, ilen,
				    " (expected range, roundrobin, sticky, cooperative-sticky or "
				    "their Kafka class names)");
		if (seen & (UINT64_C(1) << a))
			return fail(err, errcap, "assignor ", item, ilen, " is listed twice");
		seen |= UINT64_C(1) << a;
		assert(n < CFG_ASSIGNORS_MAX);
		packed |= (uint64_t)a << (4 * n++);
	}
	*v = (int64_t)packed;
	return true;
}

/* Digits [. up to 6 digits] of one ISO-8601 component, in µs of `scale_us` each. */
static bool iso_number(const char *s, size_t len, size_t *i, uint64_t *whole,
		       uint64_t *frac_us, bool *has_frac)
{
	size_t b = *i;
	*whole = 0;
	*frac_us = 0;
	*has_frac = false;
	while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
		uint64_t digit = (uint64_t)(s[*i] - '0');
		if (*whole > (UINT64_MAX - digit) / 10)
			return false;
		*whole = *whole * 10 + digit;
		(*i)++;
	}
	if (*i == b)
		return false;
	if (*i >= len || s[*i] != '.')
		return true;
	(*i)++;
	*has_frac = true;
	unsigned nd = 0;
	size_t fb = *i;
	for (; *i < len && s[*i] >= '0' && s[*i] <= '9'; (*i)++) {
		if (nd < 6)
			*frac_us = *frac_us * 10 + (uint64_t)(s[*i] - '0'), nd++;
		else if (s[*i] != '0')
			return false;   /* finer than a microsecond */
	}
	for (; nd < 6; nd++)
		*frac_us *= 10;
	return *i > fb;
}

/* java.time.Duration's PnDTnHnMn.nS, without signs (KIP-1106 refuses negative durations). */
static bool iso_duration_us(const char *s, size_t len, int64_t *out)
{
	static const char designators[] = "DHMS";
	static const int64_t scales[] = {24 * HOUR, HOUR, MINUTE, SEC};
	size_t i = 1;
	if (len < 3 || (s[0] != 'P' && s[0] != 'p'))
		return false;
	bool in_time = false;
	int stage = -1;
	int64_t total = 0;
	while (i < len) {
		if ((s[i] == 'T' || s[i] == 't') && !in_time) {
			in_time = true;
			i++;
			continue;
		}
		uint64_t whole, frac_us;
		bool has_frac;
		if (!iso_number(s, len, &i, &whole, &frac_us, &has_frac) || i >= len)
			return false;
		char u = s[i++];
		u = (char)(u >= 'a' && u <= 'z' ? u - 'a' + 'A' : u);
		const char *at = strchr(designators, u);
		if (u == '\0' || at == NULL)
			return false;
		int st = (int)(at - designators);
		if (st <= stage || (st == 0) == in_time || (has_frac && st != 3))
			return false;
		stage = st;
		if (whole > (uint64_t)(INT64_MAX - total) / (uint64_t)scales[st])
			return false;
		total += (int64_t)whole * scales[st];
		if (frac_us > (uint64_t)(INT64_MAX - total))
			return false;
		total += (int64_t)frac_us;
	}
	if (stage < 0 || (in_time && stage == 0))
		return false;
	*out = total;
	return true;
}

static bool parse_offset_reset(const char *s, size_t len, struct cfg_value *out, char *err,
			       size_t errcap)
{
	static const char *const plain[] = {"latest", "earliest", "none"};
	for (int k = 0; k < 3; k++) {
		if (ascii_eq_fold(plain[k], s, len)) {
			out->v = k;
			return true;
		}
	}
	const char prefix[] = "by_duration:";
	size_t pl = sizeof(prefix) - 1;
	if (len >= pl && ascii_eq_fold(prefix, s, pl)) {
		int64_t us;
		if (!iso_duration_us(s + pl, len - pl, &us))
			return fail(err, errcap, "", s, len,
				    " is not by_duration:<ISO-8601 duration> such as "
				    "by_duration:PT1H30M (whole microseconds, not negative)");
		out->v = CFG_RESET_BY_DURATION;
		out->aux = us;
		return true;
	}
	return fail(err, errcap, "expected latest, earliest, none or by_duration:<ISO-8601>; "
		    "got ", s, len, "");
}

static bool parse_sim_time(const struct cfg_def *d, const char *s, size_t len, int64_t *v,
			   char *err, size_t errcap)
{
	enum units_err e = units_time_us(s, len, 1000, false, v);
	if (e != UNITS_OK) {
		char q[64];
		cfg_quote_text(q, sizeof(q), s, len);
		snprintf(err, errcap, "expected a time like 30s, got `%s` (it %s)", q,
			 units_strerror(e));
		return false;
	}
	return check_range(d, *v, err, errcap);
}

static bool parse_acks(const char *s, size_t len, int64_t *v, char *err, size_t errcap)
{
	if (name_is("all", s, len) || name_is("-1", s, len))
		*v = -1;
	else if (name_is("0", s, len))
		*v = 0;
	else if (name_is("1", s, len))
		*v = 1;
	else
		return fail(err, errcap, "expected all, -1, 0 or 1; got ", s, len, "");
	return true;
}

bool cfg_parse(const struct cfg_def *d, const char *text, size_t len, struct cfg_value *out,
	       char *err, size_t errcap)
{
	assert(errcap > 0);
	out->aux = 0;
	switch (d->type) {
	case CFG_BOOL:
		return parse_bool(text, len, out, err, errcap);
	case CFG_INT:
	case CFG_LONG:
		return parse_number(d, text, len, &out->v, err, errcap) &&
		       check_range(d, out->v, err, errcap);
	case CFG_ENUM:
		return parse_enum(d, text, len, &out->v, err, errcap);
	case CFG_LIST:
		return parse_list(d, text, len, &out->v, err, errcap);
	case CFG_RATIO: {
		uint64_t r;
		enum units_err e = units_probability(text, len, &r);
		if (e != UNITS_OK)
			return fail(err, errcap, "expected a number between 0 and 1, got ", text,
				    len, "");
		out->v = (int64_t)r;
		return true;
	}
	case CFG_ACKS:
		return parse_acks(text, len, &out->v, err, errcap);
	case CFG_ASSIGNORS:
		return parse_assignors(text, len, &out->v, err, errcap);
	case CFG_OFFSET_RESET:
		return parse_offset_reset(text, len, out, err, errcap);
	case CFG_SIM_TIME:
		return parse_sim_time(d, text, len, &out->v, err, errcap);
	}
	assert(d->type == CFG_BOOL && d->type != CFG_BOOL);  /* every type is handled above */
	return false;
}
