/*
 * plog.c — one replica's partition log: appends, segments and their rolling, the leader-epoch
 * cache, truncation (both follower rules), reads, durability and retention.
 *
 * Each rule cites the Kafka file it follows (paths under apache/kafka: storage/.../log/ is
 * storage/src/main/java/org/apache/kafka/storage/internals/log/).
 */
#include "model/plog.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

void plog_config_defaults(struct plog_config *cfg)
{
	/* LogConfig / ServerLogConfigs defaults; flush.* are Long.MAX_VALUE (never). */
	*cfg = (struct plog_config){
		.segment_bytes = INT64_C(1073741824),
		.segment_ms = INT64_C(604800000),
		.retention_ms = INT64_C(604800000),
		.retention_bytes = -1,
		.flush_messages = INT64_MAX,
		.flush_ms = INT64_MAX,
		.dirty_writeback_us = INT64_C(30000000),
		.log_append_time = false,
		.cleanup_delete = true,
	};
}

static uint32_t grown_cap(uint32_t cap, uint32_t need)
{
	uint32_t c = cap > 0 ? cap : 8;
	while (c < need) {
		assert(c <= UINT32_MAX / 2);
		c *= 2;
	}
	return c;
}

static struct plog_segment empty_segment(int64_t base, int64_t now_ms)
{
	return (struct plog_segment){
		.base_offset = base, .bytes = 0, .largest_ts_ms = -1, .first_batch_ts_ms = -1,
		.created_ms = now_ms, .modified_ms = now_ms,
	};
}

/* The log's offsets in their order, checked after every change (O(1)). */
static void check(const struct plog *log)
{
	assert(log->nsegs >= 1);
	assert(log->head <= log->end);
	assert(log->end <= log->cap || log->end == 0);
	assert(log->segs[0].base_offset <= log->log_start);
	assert(log->log_start <= log->hw);
	assert(log->hw <= log->leo);
	assert(log->flushed_end <= log->leo);
	assert(log->segs[log->nsegs - 1].base_offset <= log->leo);
	if (log->end > log->head)
		assert(plog_batch_last(&log->batches[log->end - 1]) + 1 == log->leo);
	else
		assert(log->segs[log->nsegs - 1].base_offset == log->leo);
}

int plog_init(struct plog *log, const struct plog_config *cfg, int64_t now_ms)
{
	assert(cfg->segment_bytes > 0);
	assert(cfg->dirty_writeback_us >= 0);
	memset(log, 0, sizeof(*log));
	log->cfg = *cfg;
	log->segs = malloc(sizeof(*log->segs) * 4);
	if (log->segs == NULL)
		return PLOG_NOMEM;
	log->seg_cap = 4;
	log->nsegs = 1;
	log->segs[0] = empty_segment(0, now_ms);
	log->last_flush_ms = now_ms;
	check(log);
	return KERR_NONE;
}

void plog_free(struct plog *log)
{
	free(log->batches);
	free(log->segs);
	free(log->epochs.e);
	memset(log, 0, sizeof(*log));
}

/* ---- Array upkeep -------------------------------------------------------------------- */

/* Drops the consumed prefix [0, head) once it is at least as long as the live part, so
 * retention costs amortised O(1) per batch. */
static void compact_if_sparse(struct plog *log)
{
	uint32_t live = log->end - log->head;
	if (log->head == 0 || log->head < live)
		return;
	memmove(log->batches, log->batches + log->head, sizeof(*log->batches) * live);
	log->head = 0;
	log->end = live;
}

static int reserve_batch(struct plog *log)
{
	if (log->end < log->cap)
		return KERR_NONE;
	compact_if_sparse(log);
	if (log->end < log->cap)
		return KERR_NONE;
	uint32_t cap = grown_cap(log->cap, log->end + 1);
	struct plog_batch *b = realloc(log->batches, sizeof(*b) * cap);
	if (b == NULL)
		return PLOG_NOMEM;
	log->batches = b;
	log->cap = cap;
	return KERR_NONE;
}

static int reserve_segment(struct plog *log)
{
	if (log->nsegs < log->seg_cap)
		return KERR_NONE;
	uint32_t cap = grown_cap(log->seg_cap, log->nsegs + 1);
	struct plog_segment *s = realloc(log->segs, sizeof(*s) * cap);
	if (s == NULL)
		return PLOG_NOMEM;
	log->segs = s;
	log->seg_cap = cap;
	return KERR_NONE;
}

/* ---- Lookups ------------------------------------------------------------------------- */

/* Index of the first live batch whose base offset is >= offset (log->end if none). */
static uint32_t first_base_at_or_after(const struct plog *log, int64_t offset)
{
	uint32_t lo = log->head, hi = log->end;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (log->batches[mid].base_offset < offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Index of the batch holding offset, NONE if no live batch does. */
static uint32_t batch_holding(const struct plog *log, int64_t offset)
{
	uint32_t i = first_base_at_or_after(log, offset + 1);
	if (i == log->head)
		return NONE;
	const struct plog_batch *b = &log->batches[i - 1];
	assert(b->base_offset <= offset);
	return plog_batch_last(b) >= offset ? i - 1 : NONE;
}

/* Index of the segment holding offset: the last one whose base is <= offset. */
static uint32_t segment_holding(const struct plog *log, int64_t offset)
{
	assert(log->nsegs > 0);
	assert(log->segs[0].base_offset <= offset);
	uint32_t lo = 0, hi = log->nsegs;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (log->segs[mid].base_offset <= offset)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Offsets of segment s are [base, upper): the next segment's base, or the LEO. */
static int64_t segment_upper(const struct plog *log, uint32_t s)
{
	assert(s < log->nsegs);
	return s + 1 < log->nsegs ? log->segs[s + 1].base_offset : log->leo;
}

const struct plog_batch *plog_batch(const struct plog *log, uint32_t i)
{
	assert(i < plog_batch_count(log));
	return &log->batches[log->head + i];
}

const struct plog_batch *plog_batches(const struct plog *log, uint32_t *count)
{
	*count = plog_batch_count(log);
	return *count > 0 ? &log->batches[log->head] : NULL;
}

const struct plog_batch *plog_batch_at(const struct plog *log, int64_t offset)
{
	uint32_t i = batch_holding(log, offset);
	return i == NONE ? NULL : &log->batches[i];
}

const struct plog_segment *plog_segment(const struct plog *log, uint32_t i)
{
	assert(i < log->nsegs);
	return &log->segs[i];
}

int64_t plog_size_bytes(const struct plog *log)
{
	int64_t total = 0;
	for (uint32_t s = 0; s < log->nsegs; s++)
		total += log->segs[s].bytes;
	return total;
}

/* ---- Leader-epoch cache (storage/.../epoch/LeaderEpochFileCache.java) ------------------ */

int plog_epochs_assign(struct plog_epochs *c, int32_t epoch, int64_t start_offset)
{
	/* assign() throws on a negative epoch or offset. */
	assert(epoch >= 0);
	assert(start_offset >= 0);
	/* isUpdateNeeded: not for the latest epoch again at the same or a later offset. */
	if (c->n > 0 && c->e[c->n - 1].epoch == epoch && start_offset >= c->e[c->n - 1].start_offset)
		return KERR_NONE;
	if (c->n == c->cap) {
		uint32_t cap = grown_cap(c->cap, c->n + 1);
		struct plog_epoch_entry *e = realloc(c->e, sizeof(*e) * cap);
		if (e == NULL)
			return PLOG_NOMEM;
		c->e = e;
		c->cap = cap;
	}
	/* maybeTruncateNonMonotonicEntries: from the end, drop every entry whose epoch or start
	 * is not below the new one's. */
	while (c->n > 0) {
		const struct plog_epoch_entry *last = &c->e[c->n - 1];
		if (last->epoch < epoch && last->start_offset < start_offset)
			break;
		c->n--;
	}
	c->e[c->n++] = (struct plog_epoch_entry){.epoch = epoch, .start_offset = start_offset};
	return KERR_NONE;
}

void plog_epochs_truncate_end(struct plog_epochs *c, int64_t end_offset)
{
	if (end_offset < 0)
		return;   /* truncateFromEnd ignores UNDEFINED_EPOCH_OFFSET */
	while (c->n > 0 && c->e[c->n - 1].start_offset >= end_offset)
		c->n--;
}

void plog_epochs_truncate_start(struct plog_epochs *c, int64_t start_offset)
{
	uint32_t r = 0;
	while (r < c->n && c->e[r].start_offset <= start_offset)
		r++;
	if (r == 0)
		return;
	/* The last removed entry comes back with its start moved up to start_offset. */
	memmove(c->e, c->e + (r - 1), sizeof(*c->e) * (c->n - (r - 1)));
	c->n -= r - 1;
	c->e[0].start_offset = start_offset;
	assert(c->n == 1 || c->e[1].start_offset > start_offset);
}

struct plog_epoch_end plog_epochs_end_offset_for(const struct plog_epochs *c, int32_t epoch,
						 int64_t leo)
{
	const struct plog_epoch_end undefined = {.epoch = PLOG_NO_EPOCH, .end_offset = -1};
	if (epoch == PLOG_NO_EPOCH)
		return undefined;
	/* The latest epoch is still being written: it ends at the LEO. */
	if (c->n > 0 && c->e[c->n - 1].epoch == epoch)
		return (struct plog_epoch_end){.epoch = epoch, .end_offset = leo};
	uint32_t higher = 0;
	while (higher < c->n && c->e[higher].epoch <= epoch)
		higher++;
	if (higher == c->n)
		return undefined;   /* larger than any known epoch (or an empty cache) */
	/* Smaller than every known epoch: the requested epoch ends where the first known one
	 * starts (KIP-279: the data before it is gone anyway). */
	if (higher == 0)
		return (struct plog_epoch_end){.epoch = epoch, .end_offset = c->e[0].start_offset};
	return (struct plog_epoch_end){
		.epoch = c->e[higher - 1].epoch, .end_offset = c->e[higher].start_offset,
	};
}

int32_t plog_epochs_epoch_for_offset(const struct plog_epochs *c, int64_t offset)
{
	int32_t epoch = PLOG_NO_EPOCH;
	for (uint32_t i = 0; i < c->n && c->e[i].start_offset <= offset; i++)
		epoch = c->e[i].epoch;
	return epoch;
}

int32_t plog_epochs_latest(const struct plog_epochs *c)
{
	return c->n > 0 ? c->e[c->n - 1].epoch : PLOG_NO_EPOCH;
}

int plog_assign_epoch(struct plog *log, int32_t epoch, int64_t start_offset)
{
	assert(start_offset <= log->leo);
	return plog_epochs_assign(&log->epochs, epoch, start_offset);
}

int32_t plog_latest_epoch(const struct plog *log)
{
	return plog_epochs_latest(&log->epochs);
}

struct plog_epoch_end plog_end_offset_for_epoch(const struct plog *log, int32_t epoch)
{
	return plog_epochs_end_offset_for(&log->epochs, epoch, log->leo);
}

int32_t plog_epoch_at(const struct plog *log, int64_t offset)
{
	const struct plog_batch *b = plog_batch_at(log, offset);
	return b == NULL ? PLOG_NO_EPOCH : b->leader_epoch;
}

int32_t plog_last_fetched_epoch(const struct plog *log)
{
	return log->end > log->head ? log->batches[log->end - 1].leader_epoch : PLOG_NO_EPOCH;
}

/* ---- Durability bookkeeping ---------------------------------------------------------- */

/* LocalLog.markFlushed: the recovery point and the last flush time move only forward. */
static void flush_to(struct plog *log, int64_t offset, int64_t now_ms)
{
	assert(offset <= log->leo);
	if (offset <= log->flushed_end)
		return;
	log->flushed_end = offset;
	log->last_flush_ms = now_ms;
}

void plog_flush(struct plog *log, int64_t now_ms)
{
	flush_to(log, log->leo, now_ms);
}

bool plog_flush_if_due(struct plog *log, int64_t now_ms)
{
	/* LogManager.flushDirtyLogs: timeSinceLastFlush >= flush.ms. */
	if (now_ms - log->last_flush_ms < log->cfg.flush_ms)
		return false;
	plog_flush(log, now_ms);
	return true;
}

int64_t plog_durable_end(const struct plog *log, int64_t now_us)
{
	/* Append times never decrease along the log, so written-back batches are a prefix. */
	uint32_t lo = log->head, hi = log->end;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (now_us - log->batches[mid].append_us >= log->cfg.dirty_writeback_us)
			lo = mid + 1;
		else
			hi = mid;
	}
	int64_t end = log->segs[0].base_offset;
	if (lo > log->head)
		end = plog_batch_last(&log->batches[lo - 1]) + 1;
	if (log->flushed_end > end)
		end = log->flushed_end;
	assert(end <= log->leo);
	return end;
}

void plog_checkpoint_hw(struct plog *log)
{
	log->hw_ckpt = log->hw;
}

void plog_checkpoint_log_start(struct plog *log)
{
	log->log_start_ckpt = log->log_start;
}

void plog_clean_shutdown(struct plog *log, int64_t now_ms)
{
	/* LogManager.shutdown flushes every log; ReplicaManager checkpoints the HWs. */
	plog_flush(log, now_ms);
	plog_checkpoint_hw(log);
	plog_checkpoint_log_start(log);
}

/* ---- Appends ------------------------------------------------------------------------- */

/* LogSegment.shouldRoll (segment.jitter.ms 0; the offset and time indexes never fill at
 * the sizes simulated). The time rule measures from the segment's first batch timestamp to
 * the incoming batch's max timestamp, falling back to wall-clock age only when the first
 * batch carried no timestamp (LogSegment.timeWaitedForRoll). */
static bool should_roll(const struct plog *log, int64_t size, int64_t max_ts, int64_t now_ms)
{
	const struct plog_segment *s = &log->segs[log->nsegs - 1];
	int64_t waited = s->first_batch_ts_ms >= 0 ? max_ts - s->first_batch_ts_ms
						   : now_ms - s->created_ms;
	bool reached_ms = waited > log->cfg.segment_ms;
	return s->bytes > log->cfg.segment_bytes - size || (s->bytes > 0 && reached_ms);
}

/* UnifiedLog.roll: a new active segment at the LEO; the previous segment is flushed
 * (flushUptoOffsetExclusive of the new base, scheduled at once). Capacity is reserved. */
static void roll(struct plog *log, int64_t now_ms)
{
	assert(log->nsegs < log->seg_cap);
	assert(log->segs[log->nsegs - 1].bytes > 0);
	log->segs[log->nsegs++] = empty_segment(log->leo, now_ms);
	flush_to(log, log->leo, now_ms);
}

int plog_maybe_roll(struct plog *log, int64_t size_bytes, int64_t max_timestamp_ms,
		    int64_t now_ms)
{
	assert(size_bytes > 0);
	if (!should_roll(log, size_bytes, max_timestamp_ms, now_ms))
		return KERR_NONE;
	if (reserve_segment(log) != KERR_NONE)
		return PLOG_NOMEM;
	roll(log, now_ms);
	return KERR_NONE;
}

/* LocalLog.append + LogSegment.append: the bytes, the segment's timestamps, the LEO. */
static void push_batch(struct plog *log, const struct plog_batch *b, int64_t now_ms)
{
	assert(log->end < log->cap);
	assert(b->base_offset == log->leo);
	if (log->end > log->head)
		assert(b->append_us >= log->batches[log->end - 1].append_us);
	log->batches[log->end++] = *b;
	struct plog_segment *s = &log->segs[log->nsegs - 1];
	if (s->bytes == 0)
		s->first_batch_ts_ms = b->max_timestamp_ms;   /* rollingBasedTimestamp */
	if (b->max_timestamp_ms > s->largest_ts_ms)
		s->largest_ts_ms = b->max_timestamp_ms;
	s->bytes += b->size_bytes;
	s->modified_ms = now_ms;
	log->leo = plog_batch_last(b) + 1;
}

/* The part of UnifiedLog.append after offsets are settled: epoch cache, size check, roll,
 * write, flush.messages. */
static int append_settled(struct plog *log, const struct plog_batch *b, int64_t now_ms)
{
	assert(b->record_count > 0);
	assert(b->size_bytes > 0);
	/* The epoch cache learns the batch's epoch before the size check (UnifiedLog.append). */
	if (b->leader_epoch >= 0 &&
	    plog_epochs_assign(&log->epochs, b->leader_epoch, b->base_offset) != KERR_NONE)
		return PLOG_NOMEM;
	if (b->size_bytes > log->cfg.segment_bytes)
		return PLOG_RECORD_LIST_TOO_LARGE;
	if (reserve_batch(log) != KERR_NONE || reserve_segment(log) != KERR_NONE)
		return PLOG_NOMEM;
	if (should_roll(log, b->size_bytes, b->max_timestamp_ms, now_ms))
		roll(log, now_ms);
	push_batch(log, b, now_ms);
	/* unflushedMessages = LEO - recovery point >= flush.messages -> flush(false). */
	if (log->leo - log->flushed_end >= log->cfg.flush_messages)
		plog_flush(log, now_ms);
	check(log);
	return KERR_NONE;
}

int plog_append_as_leader(struct plog *log, struct plog_batch *b, int32_t leader_epoch,
			  int64_t now_ms, int64_t now_us)
{
	assert(leader_epoch >= 0);
	/* The leader assigns offsets from its LEO and stamps its epoch (LogValidator). */
	b->base_offset = log->leo;
	b->leader_epoch = leader_epoch;
	b->append_us = now_us;
	/* KIP-32 LogAppendTime: the batch's max timestamp becomes the broker's clock. */
	if (log->cfg.log_append_time) {
		b->max_timestamp_ms = now_ms;
		b->timestamp_type = PLOG_LOG_APPEND_TIME;
	} else {
		b->timestamp_type = PLOG_CREATE_TIME;
	}
	return append_settled(log, b, now_ms);
}

int plog_append_as_follower(struct plog *log, const struct plog_batch *b, int64_t now_ms,
			    int64_t now_us)
{
	/* UnifiedLog.append: a first offset below the LEO is UnexpectedAppendOffsetException;
	 * without compaction the leader never leaves gaps, so above it is impossible. */
	if (b->base_offset < log->leo)
		return KERR_OFFSET_OUT_OF_RANGE;
	assert(b->base_offset == log->leo);
	struct plog_batch copy = *b;
	copy.append_us = now_us;
	return append_settled(log, &copy, now_ms);
}

/* ---- Offsets ------------------------------------------------------------------------- */

void plog_set_hw(struct plog *log, int64_t hw)
{
	assert(hw <= log->leo);
	assert(hw >= log->log_start);
	log->hw = hw;
}

int plog_advance_log_start(struct plog *log, int64_t offset)
{
	/* UnifiedLog.maybeIncrementLogStartOffset: never past the HW; the epoch cache forgets
	 * what lies below (truncateFromStart). */
	if (offset > log->hw)
		return KERR_OFFSET_OUT_OF_RANGE;
	if (offset <= log->log_start)
		return KERR_NONE;
	log->log_start = offset;
	plog_epochs_truncate_start(&log->epochs, offset);
	return KERR_NONE;
}

/* ---- Truncation ---------------------------------------------------------------------- */

/* Recomputes segment s's size and timestamps from its batches (after its tail went). */
static void recompute_segment(struct plog *log, uint32_t s, int64_t now_ms)
{
	struct plog_segment *sg = &log->segs[s];
	uint32_t a = first_base_at_or_after(log, sg->base_offset);
	uint32_t z = first_base_at_or_after(log, segment_upper(log, s));
	sg->bytes = 0;
	sg->largest_ts_ms = -1;
	sg->first_batch_ts_ms = a < z ? log->batches[a].max_timestamp_ms : -1;
	for (uint32_t i = a; i < z; i++) {
		sg->bytes += log->batches[i].size_bytes;
		if (log->batches[i].max_timestamp_ms > sg->largest_ts_ms)
			sg->largest_ts_ms = log->batches[i].max_timestamp_ms;
	}
	sg->modified_ms = now_ms;
}

/* Removes the batches at or above offset (a straddling batch whole) and the segments that
 * start past the new LEO (LocalLog.truncateTo), then fixes every offset that pointed
 * past the end. */
static void cut_to(struct plog *log, int64_t offset, int64_t now_ms)
{
	assert(offset >= log->segs[0].base_offset);
	uint32_t i = first_base_at_or_after(log, offset);
	if (i > log->head && plog_batch_last(&log->batches[i - 1]) >= offset)
		i--;
	if (i < log->end)
		log->leo = log->batches[i].base_offset;
	log->end = i;
	log->nsegs = segment_holding(log, log->leo) + 1;
	recompute_segment(log, log->nsegs - 1, now_ms);
	if (log->flushed_end > log->leo)
		log->flushed_end = log->leo;
	plog_epochs_truncate_end(&log->epochs, log->leo);
	if (log->log_start > log->leo)
		log->log_start = log->leo;
	if (log->hw > log->leo)
		log->hw = log->leo;
	check(log);
}

void plog_truncate_fully_and_start_at(struct plog *log, int64_t offset, int64_t now_ms)
{
	assert(offset >= 0);
	assert(log->seg_cap >= 1);
	log->head = 0;
	log->end = 0;
	log->nsegs = 1;
	log->segs[0] = empty_segment(offset, now_ms);
	log->epochs.n = 0;
	log->leo = offset;
	log->hw = offset;
	log->log_start = offset;
	log->flushed_end = offset;
	check(log);
}

bool plog_truncate_to(struct plog *log, int64_t offset, int64_t now_ms)
{
	assert(offset >= 0);
	if (offset >= log->leo) {
		/* "Always truncate epoch cache since we may have a conflicting epoch entry at the
		 * end of the log from the leader" (UnifiedLog.truncateTo). */
		plog_epochs_truncate_end(&log->epochs, log->leo);
		return false;
	}
	if (log->segs[0].base_offset > offset) {
		plog_truncate_fully_and_start_at(log, offset, now_ms);
		return true;
	}
	cut_to(log, offset, now_ms);
	assert(log->leo <= offset);
	return true;
}

/* ---- Follower truncation rules ------------------------------------------------------- */

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

struct plog_trunc plog_trunc_leader_epoch(const struct plog *follower,
					  struct plog_epoch_end leader)
{
	int64_t leo = follower->leo;
	/* UNDEFINED_EPOCH_OFFSET: fall back to the initial fetch offset, the HW. */
	if (leader.end_offset < 0)
		return (struct plog_trunc){.offset = min64(follower->hw, leo), .complete = true};
	/* A leader too old to name an epoch: its offset, capped at our LEO. */
	if (leader.epoch == PLOG_NO_EPOCH)
		return (struct plog_trunc){.offset = min64(leader.end_offset, leo), .complete = true};
	struct plog_epoch_end own = plog_end_offset_for_epoch(follower, leader.epoch);
	if (own.end_offset < 0)
		return (struct plog_trunc){.offset = min64(leader.end_offset, leo), .complete = true};
	if (own.epoch != leader.epoch) {
		/* KIP-279: we never saw E'; cut to the end of our largest epoch below it and ask
		 * again with what is then our latest epoch. */
		return (struct plog_trunc){.offset = min64(own.end_offset, leo), .complete = false};
	}
	int64_t off = min64(min64(own.end_offset, leader.end_offset), leo);
	return (struct plog_trunc){.offset = off, .complete = true};
}

struct plog_trunc plog_trunc_high_watermark(const struct plog *follower)
{
	/* Pre-KIP-101 ReplicaManager.makeFollowers: truncate to the HW (the checkpointed one
	 * after a restart, as plog_restart restores it). */
	assert(follower->hw <= follower->leo);
	return (struct plog_trunc){.offset = follower->hw, .complete = true};
}

/* ---- Reading ------------------------------------------------------------------------- */

struct plog_view plog_read(const struct plog *log, int64_t from_offset, int64_t max_bytes,
			   int64_t upper_bound)
{
	assert(max_bytes >= 0);
	struct plog_view v = {.error = KERR_NONE, .count = 0, .bytes = 0, .batches = NULL};
	/* UnifiedLog.checkLogStartOffset and LocalLog.read's "beyond the LEO" check. */
	if (from_offset < log->log_start || from_offset > log->leo) {
		v.error = KERR_OFFSET_OUT_OF_RANGE;
		return v;
	}
	if (from_offset >= upper_bound)
		return v;
	uint32_t i = batch_holding(log, from_offset);
	if (i == NONE)
		return v;
	/* LogSegment.read: one segment; the bound cuts at the batch holding it; at least one
	 * whole batch even beyond max_bytes (minOneMessage). */
	int64_t seg_end = segment_upper(log, segment_holding(log, log->batches[i].base_offset));
	for (uint32_t j = i; j < log->end; j++) {
		const struct plog_batch *b = &log->batches[j];
		if (b->base_offset >= seg_end || plog_batch_last(b) >= upper_bound)
			break;
		if (v.count > 0 && v.bytes + b->size_bytes > max_bytes)
			break;
		v.count++;
		v.bytes += b->size_bytes;
	}
	if (v.count > 0)
		v.batches = &log->batches[i];
	return v;
}

/* ---- Restart and power loss ---------------------------------------------------------- */

void plog_restart(struct plog *log)
{
	/* LogLoader.load: the epoch cache loses entries starting at or past the LEO (an epoch
	 * a leader cached but never wrote), log start = max(checkpoint, first segment's base)
	 * and the cache is trimmed to it. */
	plog_epochs_truncate_end(&log->epochs, log->leo);
	int64_t start = log->log_start_ckpt;
	if (start < log->segs[0].base_offset)
		start = log->segs[0].base_offset;
	if (start > log->leo)
		start = log->leo;
	log->log_start = start;
	plog_epochs_truncate_start(&log->epochs, start);
	/* The HW comes back from replication-offset-checkpoint, clamped into
	 * [log start, LEO] (UnifiedLog.updateHighWatermark). */
	int64_t hw = log->hw_ckpt;
	if (hw < start)
		hw = start;
	if (hw > log->leo)
		hw = log->leo;
	log->hw = hw;
	check(log);
}

/* LogSegment.recover: every batch's epoch is offered to the cache, which keeps the first
 * offset of each new one. */
static int rebuild_epochs(struct plog *log)
{
	log->epochs.n = 0;
	for (uint32_t i = log->head; i < log->end; i++) {
		const struct plog_batch *b = &log->batches[i];
		if (b->leader_epoch >= 0 &&
		    plog_epochs_assign(&log->epochs, b->leader_epoch, b->base_offset) != KERR_NONE)
			return PLOG_NOMEM;
	}
	return KERR_NONE;
}

int plog_power_loss(struct plog *log, int64_t now_us, int64_t now_ms)
{
	int64_t durable = plog_durable_end(log, now_us);
	/* The durable prefix always ends on a batch boundary. */
	assert(durable == log->leo || batch_holding(log, durable) == NONE ||
	       log->batches[batch_holding(log, durable)].base_offset == durable);
	if (durable < log->leo)
		cut_to(log, durable, now_ms);
	if (rebuild_epochs(log) != KERR_NONE)
		return PLOG_NOMEM;
	log->flushed_end = log->leo;
	plog_restart(log);
	return KERR_NONE;
}

/* ---- Retention (UnifiedLog.deleteOldSegments / deletableSegments) ---------------------- */

/* The checks every rule shares: never the last segment when empty, and only segments whose
 * whole range is below the HW, so the log start never passes it. */
static bool segment_may_go(const struct plog *log, uint32_t s)
{
	if (s + 1 == log->nsegs && log->segs[s].bytes == 0)
		return false;
	return log->hw >= segment_upper(log, s);
}

/* deleteLogStartOffsetBreachedSegments: the next segment starts at or below log start. */
static uint32_t pass_log_start(const struct plog *log, uint32_t k, uint32_t *count)
{
	while (k + 1 < log->nsegs && segment_may_go(log, k) &&
	       log->segs[k + 1].base_offset <= log->log_start) {
		k++;
		(*count)++;
	}
	return k;
}

/* deleteRetentionSizeBreachedSegments: diff = size - retention.bytes; delete the oldest
 * while diff - segment size >= 0. */
static uint32_t pass_size(const struct plog *log, uint32_t k, uint32_t *count)
{
	int64_t limit = log->cfg.retention_bytes;
	if (limit < 0)
		return k;
	int64_t total = 0;
	for (uint32_t s = k; s < log->nsegs; s++)
		total += log->segs[s].bytes;
	if (total < limit)
		return k;
	int64_t diff = total - limit;
	while (k < log->nsegs && segment_may_go(log, k) && diff - log->segs[k].bytes >= 0) {
		diff -= log->segs[k].bytes;
		k++;
		(*count)++;
	}
	return k;
}

/* LogSegment.largestTimestamp: the largest record timestamp, else the file's mtime. */
static int64_t largest_timestamp(const struct plog_segment *s)
{
	return s->largest_ts_ms >= 0 ? s->largest_ts_ms : s->modified_ms;
}

/* deleteRetentionMsBreachedSegments: now - largestTimestamp > retention.ms; a future-dated
 * record holds its segment (and every later one: the scan stops). */
static uint32_t pass_time(const struct plog *log, uint32_t k, int64_t now_ms, uint32_t *count)
{
	int64_t limit = log->cfg.retention_ms;
	if (limit < 0)
		return k;
	while (k < log->nsegs && segment_may_go(log, k) &&
	       now_ms - largest_timestamp(&log->segs[k]) > limit) {
		k++;
		(*count)++;
	}
	return k;
}

struct plog_retention plog_retention_plan(const struct plog *log, int64_t now_ms)
{
	struct plog_retention r = {0};
	uint32_t k = pass_log_start(log, 0, &r.by_log_start);
	/* cleanup.policy=compact alone deletes only below the log start. */
	if (log->cfg.cleanup_delete) {
		k = pass_size(log, k, &r.by_size);
		k = pass_time(log, k, now_ms, &r.by_time);
	}
	r.segments = k;
	r.roll_active = k == log->nsegs;
	r.from_offset = log->segs[0].base_offset;
	r.to_offset = k == log->nsegs ? log->leo : log->segs[k].base_offset;
	for (uint32_t s = 0; s < k; s++)
		r.bytes += log->segs[s].bytes;
	assert(r.to_offset <= log->hw || k == 0);
	return r;
}

void plog_retention_apply(struct plog *log, const struct plog_retention *plan, int64_t now_ms)
{
	uint32_t k = plan->segments;
	if (k == 0)
		return;
	assert(k <= log->nsegs);
	assert(plan->to_offset == (k == log->nsegs ? log->leo : log->segs[k].base_offset));
	if (k == log->nsegs) {
		/* deleteSegments: a log keeps one segment, so roll an empty one first (its roll
		 * flushes everything before it), then the old ones go. */
		flush_to(log, log->leo, now_ms);
		log->segs[0] = empty_segment(log->leo, now_ms);
		log->nsegs = 1;
	} else {
		memmove(log->segs, log->segs + k, sizeof(*log->segs) * (log->nsegs - k));
		log->nsegs -= k;
	}
	int64_t start = log->segs[0].base_offset;
	log->head = first_base_at_or_after(log, start);
	if (start > log->log_start) {
		log->log_start = start;
		plog_epochs_truncate_start(&log->epochs, start);
	}
	compact_if_sparse(log);
	check(log);
}

struct plog_retention plog_retention_run(struct plog *log, int64_t now_ms)
{
	struct plog_retention r = plog_retention_plan(log, now_ms);
	plog_retention_apply(log, &r, now_ms);
	return r;
}
