/*
 * plog.h — one replica's partition log: record batches, segments, LEO, high watermark, log
 * start offset, the leader-epoch cache, durability (what survives a power loss) and retention.
 *
 * A pure state machine: time comes in as arguments. `now_us` is simulated time and drives
 * durability only (dirty write-back, sim.dirty-writeback); `now_ms` is the broker's own
 * wall-clock reading, possibly skewed, and drives timestamps, segment.ms, flush.ms and
 * retention.ms, as Kafka's time.milliseconds() does.
 *
 * Kafka: storage/.../log/UnifiedLog.java, LocalLog.java, LogSegment.java,
 * storage/.../epoch/LeaderEpochFileCache.java, core/.../server/AbstractFetcherThread.scala;
 * KIP-101 and KIP-279 (leader epochs), KIP-32 (timestamps).
 *
 * Storage: batches live in one growable array (amortised doubling, a consumed prefix is
 * compacted away lazily), segments in another, epoch entries in a third; nothing is allocated
 * per record. Pointers into the log (plog_batch_at, plog_read views) stay valid until the
 * next call that changes the log.
 */
#ifndef KAFKASIM_PLOG_H
#define KAFKASIM_PLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "model/errors.h"

/* Calls that may grow an array return a Kafka error code (>= 0, enum kafka_error) or this,
 * the simulator's own error when memory runs out. */
#define PLOG_NOMEM (-1)

/* Errors.RECORD_LIST_TOO_LARGE: a batch larger than segment.bytes
 * (RecordBatchTooLargeException in UnifiedLog.append). Not yet in model/errors.h. */
#define PLOG_RECORD_LIST_TOO_LARGE 18

/* RecordBatch.NO_PRODUCER_ID / NO_SEQUENCE / NO_PARTITION_LEADER_EPOCH. */
#define PLOG_NO_PRODUCER_ID   INT64_C(-1)
#define PLOG_NO_SEQUENCE      (-1)
#define PLOG_NO_EPOCH         (-1)

enum plog_ts_type {
	PLOG_CREATE_TIME     = 0,   /* message.timestamp.type=CreateTime (the default) */
	PLOG_LOG_APPEND_TIME = 1,   /* the leader stamps its own now_ms (KIP-32) */
};

/* One v2 record batch, as the log keeps it. */
struct plog_batch {
	int64_t  base_offset;        /* last offset = base_offset + record_count - 1 */
	int64_t  max_timestamp_ms;
	int64_t  producer_id;        /* PLOG_NO_PRODUCER_ID when not idempotent */
	uint64_t rec_ref;            /* the caller's handle on the records; copied verbatim */
	int64_t  append_us;          /* when this replica appended it (simulated), durability */
	int32_t  record_count;
	int32_t  leader_epoch;       /* partitionLeaderEpoch, stamped by the leader */
	int32_t  base_sequence;      /* PLOG_NO_SEQUENCE when not idempotent */
	int32_t  size_bytes;         /* v2 format size, computed by the caller */
	int16_t  producer_epoch;
	uint8_t  timestamp_type;     /* enum plog_ts_type */
	uint8_t  pad[5];
};

static inline int64_t plog_batch_last(const struct plog_batch *b)
{
	return b->base_offset + b->record_count - 1;
}

/* One segment file (LogSegment). Its batches are those with base offsets in
 * [base_offset, next segment's base_offset or LEO). */
struct plog_segment {
	int64_t base_offset;
	int64_t bytes;
	int64_t largest_ts_ms;       /* maxTimestampSoFar; -1 while the segment holds no batch */
	int64_t first_batch_ts_ms;   /* rollingBasedTimestamp: first batch's max timestamp, -1 */
	int64_t created_ms;          /* LogSegment.created, the broker's wall clock */
	int64_t modified_ms;         /* the file's mtime: last append (used when no timestamp) */
};

/* One leader-epoch cache entry (EpochEntry). */
struct plog_epoch_entry {
	int32_t epoch;
	int32_t pad;
	int64_t start_offset;
};

/* The leader-epoch cache (LeaderEpochFileCache): epochs and start offsets both strictly
 * increasing. Its checkpoint file is written on every assign, so it is always durable. */
struct plog_epochs {
	struct plog_epoch_entry *e;
	uint32_t n;
	uint32_t cap;
};

/* An (epoch, end offset) answer of OffsetsForLeaderEpoch; (-1, -1) is UNDEFINED. */
struct plog_epoch_end {
	int32_t epoch;
	int64_t end_offset;
};

/* Topic configs the log obeys, Kafka's names and units, plus sim.dirty-writeback. */
struct plog_config {
	int64_t segment_bytes;       /* segment.bytes, 1073741824 */
	int64_t segment_ms;          /* segment.ms, 604800000 (segment.jitter.ms 0 assumed) */
	int64_t retention_ms;        /* retention.ms, 604800000; -1 infinite */
	int64_t retention_bytes;     /* retention.bytes, -1 unlimited */
	int64_t flush_messages;      /* flush.messages, Long.MAX_VALUE: never */
	int64_t flush_ms;            /* flush.ms, Long.MAX_VALUE: never */
	int64_t dirty_writeback_us;  /* sim.dirty-writeback, 30 s */
	bool    log_append_time;     /* message.timestamp.type=LogAppendTime */
	bool    cleanup_delete;      /* cleanup.policy contains delete (the default) */
};

struct plog {
	struct plog_config  cfg;
	struct plog_batch  *batches;     /* live batches are [head, end) */
	uint32_t            head;
	uint32_t            end;
	uint32_t            cap;
	uint32_t            nsegs;
	uint32_t            seg_cap;
	struct plog_segment *segs;       /* ascending base offsets; the last is the active one */
	struct plog_epochs  epochs;
	int64_t leo;                     /* log end offset */
	int64_t hw;                      /* high watermark, moved by the broker */
	int64_t log_start;               /* log start offset */
	/* Durability. */
	int64_t flushed_end;             /* recovery point: everything below was fsynced */
	int64_t last_flush_ms;           /* wall clock of the last fsync (flush.ms) */
	int64_t hw_ckpt;                 /* replication-offset-checkpoint (durable when written) */
	int64_t log_start_ckpt;          /* log-start-offset-checkpoint */
};

void plog_config_defaults(struct plog_config *cfg);

/* An empty log starting at offset 0, one empty segment created at now_ms. Returns KERR_NONE
 * or PLOG_NOMEM. */
int  plog_init(struct plog *log, const struct plog_config *cfg, int64_t now_ms);
void plog_free(struct plog *log);

/* ---- Appends ------------------------------------------------------------------------- */

/* UnifiedLog.appendAsLeader: the batch's base offset becomes the LEO, its leader epoch
 * becomes leader_epoch (added to the epoch cache at the LEO when new), and under
 * LogAppendTime its max timestamp becomes now_ms. *b is updated to what was written.
 * Rolls a segment first when LogSegment.shouldRoll says so. Returns KERR_NONE,
 * PLOG_RECORD_LIST_TOO_LARGE (batch > segment.bytes; nothing appended) or PLOG_NOMEM. */
int plog_append_as_leader(struct plog *log, struct plog_batch *b, int32_t leader_epoch,
			  int64_t now_ms, int64_t now_us);

/* UnifiedLog.appendAsFollower: keeps the leader's offsets, epoch and timestamps. The batch
 * must start at the LEO; one starting below it is refused with KERR_OFFSET_OUT_OF_RANGE
 * (Kafka's UnexpectedAppendOffsetException, which fails the partition's fetcher) and
 * happens only to logs that diverged under sim.truncation: high-watermark. */
int plog_append_as_follower(struct plog *log, const struct plog_batch *b, int64_t now_ms,
			    int64_t now_us);

/* UnifiedLog.maybeRoll alone. Kafka rolls before it checks for a duplicate idempotent batch,
 * so a broker that answers a duplicate calls this with the batch's size and (validated)
 * max timestamp. Returns KERR_NONE or PLOG_NOMEM. */
int plog_maybe_roll(struct plog *log, int64_t size_bytes, int64_t max_timestamp_ms,
		    int64_t now_ms);

/* ---- Offsets ------------------------------------------------------------------------- */

static inline int64_t plog_leo(const struct plog *log)       { return log->leo; }
static inline int64_t plog_hw(const struct plog *log)        { return log->hw; }
static inline int64_t plog_log_start(const struct plog *log) { return log->log_start; }

/* Asserts log start <= hw <= LEO; the broker decides where the HW goes. */
void plog_set_hw(struct plog *log, int64_t hw);

/* UnifiedLog.maybeIncrementLogStartOffset (a follower adopting the leader's log start).
 * KERR_OFFSET_OUT_OF_RANGE when offset > HW; a lower offset than the current one is a no-op.
 * Segments wholly below it go at the next retention pass. */
int plog_advance_log_start(struct plog *log, int64_t offset);

/* ---- Batches ------------------------------------------------------------------------- */

static inline uint32_t plog_batch_count(const struct plog *log)
{
	return log->end - log->head;
}

/* The i-th live batch, oldest first; the array of all of them (for pstate_rebuild). */
const struct plog_batch *plog_batch(const struct plog *log, uint32_t i);
const struct plog_batch *plog_batches(const struct plog *log, uint32_t *count);

/* The batch holding offset, or NULL (binary search). */
const struct plog_batch *plog_batch_at(const struct plog *log, int64_t offset);

static inline uint32_t plog_segment_count(const struct plog *log) { return log->nsegs; }
const struct plog_segment *plog_segment(const struct plog *log, uint32_t i);
int64_t plog_size_bytes(const struct plog *log);   /* UnifiedLog.size: all segments */

/* ---- Truncation ---------------------------------------------------------------------- */

/* UnifiedLog.truncateTo: removes every batch at or above offset. A batch straddling offset
 * is removed whole and the LEO becomes its base offset (Kafka truncates the segment file at
 * that batch's position but sets the LEO to the target itself; the two agree whenever the
 * target is a batch boundary, which epoch and HW truncation targets always are on logs
 * that have not diverged). Epoch entries starting at or above the new LEO are removed, the
 * HW is lowered to the LEO if above it, log start = min(log start, LEO). An offset at or
 * past the LEO changes nothing but the epoch cache's tail. Returns true if it removed data. */
bool plog_truncate_to(struct plog *log, int64_t offset, int64_t now_ms);

/* UnifiedLog.truncateFullyAndStartAt: empty log, one empty segment at offset,
 * LEO = HW = log start = offset, epoch cache cleared (a follower below the leader's start). */
void plog_truncate_fully_and_start_at(struct plog *log, int64_t offset, int64_t now_ms);

/* ---- Leader epochs (KIP-101, KIP-279) ------------------------------------------------ */

/* LeaderEpochFileCache.assign: entries at the end with an epoch >= epoch or a start >=
 * start_offset are replaced; a no-op when epoch is the latest and starts no earlier. */
int  plog_epochs_assign(struct plog_epochs *c, int32_t epoch, int64_t start_offset);
/* truncateFromEnd: drops entries starting at or after end_offset (end_offset >= 0). */
void plog_epochs_truncate_end(struct plog_epochs *c, int64_t end_offset);
/* truncateFromStart: drops entries starting at or before start_offset, keeping the last of
 * them with its start moved to start_offset. */
void plog_epochs_truncate_start(struct plog_epochs *c, int64_t start_offset);
/* endOffsetFor, given the log end offset. */
struct plog_epoch_end plog_epochs_end_offset_for(const struct plog_epochs *c, int32_t epoch,
						 int64_t leo);
/* epochForOffset: the epoch of the entry with the largest start <= offset, or -1. */
int32_t plog_epochs_epoch_for_offset(const struct plog_epochs *c, int64_t offset);
int32_t plog_epochs_latest(const struct plog_epochs *c);   /* -1 when empty */

/* Partition.makeLeader: a new leader records (epoch, its LEO) before any append
 * (UnifiedLog.maybeAssignEpochStartOffset). */
int plog_assign_epoch(struct plog *log, int32_t epoch, int64_t start_offset);

/* UnifiedLog.latestEpoch and endOffsetForEpoch (leader side of OffsetsForLeaderEpoch). */
int32_t plog_latest_epoch(const struct plog *log);
struct plog_epoch_end plog_end_offset_for_epoch(const struct plog *log, int32_t epoch);

/* The epoch of the batch holding offset, -1 if there is none. */
int32_t plog_epoch_at(const struct plog *log, int64_t offset);

/* The epoch of the last batch (a follower's lastFetchedEpoch), -1 for an empty log. */
int32_t plog_last_fetched_epoch(const struct plog *log);

/* ---- Follower truncation rules (pure) ------------------------------------------------ */

struct plog_trunc {
	int64_t offset;     /* truncate to this */
	bool    complete;   /* false: truncate, then ask the leader again with the new latest
			     * epoch (KIP-279 iteration) */
};

/* KIP-279 (AbstractFetcherThread.getOffsetTruncationState), given the leader's answer for the
 * follower's last fetched epoch. The follower looks up its own largest epoch <= the answer's
 * epoch E': if it is E', truncate to min(leader end offset, own end offset for E', own LEO);
 * if it is smaller, truncate to min(its end offset, own LEO) and ask again; if it has none,
 * truncate to min(leader end offset, own LEO). An UNDEFINED answer (end offset -1) falls back
 * to the follower's HW, as Kafka falls back to its initial fetch offset. */
struct plog_trunc plog_trunc_leader_epoch(const struct plog *follower,
					  struct plog_epoch_end leader);

/* sim.truncation: high-watermark, the pre-KIP-101 rule: truncate to the replica's own HW
 * (after a restart, the checkpointed one). */
struct plog_trunc plog_trunc_high_watermark(const struct plog *follower);

/* ---- Reading (scenario-format 11.6) -------------------------------------------------- */

struct plog_view {
	int16_t  error;                    /* KERR_NONE or KERR_OFFSET_OUT_OF_RANGE */
	uint32_t count;                    /* batches in the view, 0 when nothing to return */
	int64_t  bytes;
	const struct plog_batch *batches;  /* valid until the log next changes */
};

/* UnifiedLog.read / LocalLog.read / LogSegment.read: whole batches starting with the one
 * holding from_offset, from the segment holding it only, up to max_bytes but at least one
 * batch, and only batches whose last offset is below upper_bound (the HW for consumers, the
 * LEO for followers: Kafka bounds the read at the position of the batch holding the bound).
 * OFFSET_OUT_OF_RANGE when from_offset < log start or > LEO. */
struct plog_view plog_read(const struct plog *log, int64_t from_offset, int64_t max_bytes,
			   int64_t upper_bound);

/* ---- Durability (scenario-format 11.7) ----------------------------------------------- */

/* The end offset of the longest durable prefix at now_us: batches written back
 * (now_us - append_us >= sim.dirty-writeback) or below the last fsync. */
int64_t plog_durable_end(const struct plog *log, int64_t now_us);

/* UnifiedLog.flush: fsync up to the LEO. */
void plog_flush(struct plog *log, int64_t now_ms);

/* LogManager.flushDirtyLogs: fsync when now_ms - last flush >= flush.ms. True if flushed. */
bool plog_flush_if_due(struct plog *log, int64_t now_ms);

/* ReplicaManager's replica.high.watermark.checkpoint.interval.ms task, and the
 * log-start-offset checkpoint (log.flush.start.offset.checkpoint.interval.ms). */
void plog_checkpoint_hw(struct plog *log);
void plog_checkpoint_log_start(struct plog *log);

/* A clean shutdown: everything flushed, both checkpoints written. */
void plog_clean_shutdown(struct plog *log, int64_t now_ms);

/* A process restart (after a crash or a clean stop): the page cache survived, so the log is
 * intact, but the HW comes from its checkpoint (clamped to [log start, LEO]) and the log
 * start from max(its checkpoint, first segment's base). */
void plog_restart(struct plog *log);

/* A machine crash: keeps the durable prefix at now_us, cut at a batch boundary; segments
 * past it go, the epoch cache is rebuilt from the remaining batches (LogSegment.recover),
 * then as plog_restart. The caller rebuilds producer state (pstate_rebuild). Returns
 * KERR_NONE or PLOG_NOMEM. */
int  plog_power_loss(struct plog *log, int64_t now_us, int64_t now_ms);

/* ---- Retention (UnifiedLog.deleteOldSegments) ---------------------------------------- */

struct plog_retention {
	uint32_t segments;       /* the oldest `segments` segments go */
	uint32_t by_log_start;   /* ... of which for lying below the log start offset */
	uint32_t by_size;        /* ... for retention.bytes */
	uint32_t by_time;        /* ... for retention.ms */
	bool     roll_active;    /* the active segment goes too: roll an empty one first */
	int64_t  from_offset;    /* removed offsets [from_offset, to_offset), all below the HW */
	int64_t  to_offset;      /* the new log start offset */
	int64_t  bytes;
};

/* What a retention pass at now_ms would delete, without changing the log, so the caller
 * can look at the doomed batches first. */
struct plog_retention plog_retention_plan(const struct plog *log, int64_t now_ms);

/* Deletes what plan says (a plan from this log, unchanged since). */
void plog_retention_apply(struct plog *log, const struct plog_retention *plan, int64_t now_ms);

/* Plan and apply in one go. */
struct plog_retention plog_retention_run(struct plog *log, int64_t now_ms);

#endif
