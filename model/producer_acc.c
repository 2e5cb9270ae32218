/*
 * producer_acc.c — record and batch sizes, KIP-580 backoff, the batch pool, the record
 * accumulator (per-partition deques of batches), the uniform sticky partitioner with its
 * adaptive load stats, final batch states, retries, splits and delivery-timeout expiry.
 *
 * Kafka: common/record/DefaultRecord.java (sizeInBytes, recordSizeUpperBound),
 * DefaultRecordBatch.java (RECORD_BATCH_OVERHEAD), MemoryRecordsBuilder.java (hasRoomFor,
 * isFull), common/utils/ExponentialBackoff.java, producer/internals/RecordAccumulator.java
 * (append, tryAppend, allBatchesFull, expiredBatches, reenqueue, splitAndReenqueue),
 * BuiltInPartitioner.java (KIP-794), ProducerBatch.java, Sender.java (completeBatch,
 * failBatch, getExpiredInflightBatches).
 */
#include "model/producer_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "model/partitioner.h"
#include "model/proto.h"
#include "model/pstate.h"
#include "sim/trace.h"

/* ---- sizes ---------------------------------------------------------------------------- */

/* ByteUtils.sizeOfVarint: the zig-zag encoded value in 7-bit groups. */
int32_t prod_varint_size(int32_t v)
{
	uint32_t z = ((uint32_t)v << 1) ^ (v < 0 ? UINT32_MAX : 0u);
	int32_t n = 1;
	while (z >= 0x80u) {
		z >>= 7;
		n++;
	}
	return n;
}

int32_t prod_varlong_size(int64_t v)
{
	uint64_t z = ((uint64_t)v << 1) ^ (v < 0 ? UINT64_MAX : 0u);
	int32_t n = 1;
	while (z >= 0x80u) {
		z >>= 7;
		n++;
	}
	return n;
}

/* A nullable byte field: varint length (-1 for null) and the bytes. */
static int32_t field_size(int32_t len)
{
	return len < 0 ? prod_varint_size(-1) : prod_varint_size(len) + len;
}

int32_t prod_record_size(int32_t offset_delta, int64_t ts_delta, int32_t key_len,
			 int32_t value_len)
{
	assert(offset_delta >= 0);
	/* attributes (1 byte), timestampDelta, offsetDelta, key, value, header count 0. */
	int32_t body = 1 + prod_varlong_size(ts_delta) + prod_varint_size(offset_delta) +
		       field_size(key_len) + field_size(value_len) + prod_varint_size(0);
	return body + prod_varint_size(body);
}

int32_t prod_record_upper_bound(int32_t key_len, int32_t value_len)
{
	return PROD_BATCH_OVERHEAD + PROD_MAX_RECORD_OVERHEAD + field_size(key_len) +
	       field_size(value_len) + prod_varint_size(0);
}

/* ---- backoff -------------------------------------------------------------------------- */

int64_t prod_backoff_ms(struct prng *r, int64_t initial_ms, int64_t max_ms, uint32_t attempts)
{
	assert(initial_ms >= 0);
	assert(max_ms >= 0);
	int64_t init = initial_ms < max_ms ? initial_ms : max_ms;
	/* expMax == 0 (max <= initial): a constant backoff, no jitter; 0 stays 0. */
	if (max_ms <= init || init == 0)
		return init;
	int64_t term = init;
	for (uint32_t i = 0; i < attempts && term < max_ms; i++)
		term = term > max_ms / 2 ? max_ms : term * 2;
	if (term > max_ms)
		term = max_ms;
	uint64_t f = 1000000u - PROD_JITTER_PPM + prng_below(r, 2u * PROD_JITTER_PPM);
	unsigned __int128 v = (unsigned __int128)(uint64_t)term * f / 1000000u;
	return v > (unsigned __int128)max_ms ? max_ms : (int64_t)v;
}

/* ---- vectors -------------------------------------------------------------------------- */

static bool vec_reserve(struct producer *p, struct prod_vec *v, uint32_t need)
{
	if (need <= v->cap)
		return true;
	uint32_t n = v->cap ? v->cap : 4;
	while (n < need)
		n *= 2;
	uint32_t *q = realloc(v->v, (size_t)n * sizeof(*q));
	if (q == NULL) {
		prod_set_nomem(p);
		return false;
	}
	v->v = q;
	v->cap = n;
	return true;
}

bool prod_vec_push(struct producer *p, struct prod_vec *v, uint32_t x)
{
	if (!vec_reserve(p, v, v->n + 1))
		return false;
	v->v[v->n++] = x;
	return true;
}

bool prod_vec_insert(struct producer *p, struct prod_vec *v, uint32_t at, uint32_t x)
{
	assert(at <= v->n);
	if (!vec_reserve(p, v, v->n + 1))
		return false;
	memmove(&v->v[at + 1], &v->v[at], (size_t)(v->n - at) * sizeof(*v->v));
	v->v[at] = x;
	v->n++;
	return true;
}

void prod_vec_remove_at(struct prod_vec *v, uint32_t at)
{
	assert(at < v->n);
	memmove(&v->v[at], &v->v[at + 1], (size_t)(v->n - at - 1) * sizeof(*v->v));
	v->n--;
}

bool prod_vec_remove(struct prod_vec *v, uint32_t x)
{
	for (uint32_t i = 0; i < v->n; i++) {
		if (v->v[i] == x) {
			prod_vec_remove_at(v, i);
			return true;
		}
	}
	return false;
}

void prod_vec_free(struct prod_vec *v)
{
	free(v->v);
	*v = (struct prod_vec){0};
}

/* ---- batches -------------------------------------------------------------------------- */

struct prod_batch *prod_batch(struct producer *p, uint32_t id)
{
	assert(id < p->nbatch_cap);
	assert(p->batches[id].used);
	return &p->batches[id];
}

/* A fresh batch id; may move p->batches (callers re-fetch pointers). PROD_NONE: no memory. */
static uint32_t batch_new(struct producer *p)
{
	if (p->batch_free == PROD_NONE) {
		uint32_t n = p->nbatch_cap ? p->nbatch_cap * 2 : 16;
		struct prod_batch *q = realloc(p->batches, (size_t)n * sizeof(*q));
		if (q == NULL) {
			prod_set_nomem(p);
			return PROD_NONE;
		}
		for (uint32_t i = p->nbatch_cap; i < n; i++)
			q[i] = (struct prod_batch){.next_free = i + 1 < n ? i + 1 : p->batch_free};
		p->batch_free = p->nbatch_cap;
		p->batches = q;
		p->nbatch_cap = n;
	}
	uint32_t id = p->batch_free;
	struct prod_batch *b = &p->batches[id];
	p->batch_free = b->next_free;
	*b = (struct prod_batch){
		.used = true, .rec_ref = REC_REF_NONE, .pid = -1, .epoch = -1, .base_seq = -1,
		.leader_epoch = -1, .req = PROD_NONE, .next_free = PROD_NONE,
	};
	p->live_batches++;
	return id;
}

void prod_batch_maybe_release(struct producer *p, uint32_t id)
{
	struct prod_batch *b = prod_batch(p, id);
	if (!b->done || b->req != PROD_NONE || b->queued || b->sender_inflight ||
	    b->seq_inflight)
		return;
	b->used = false;
	b->next_free = p->batch_free;
	p->batch_free = id;
	assert(p->live_batches > 0);
	p->live_batches--;
}

const uint32_t *prod_batch_indices(struct producer *p, const struct prod_batch *b)
{
	if (b->rec_ref == REC_REF_NONE) {
		assert(p->parts[b->part].open.n == b->count);
		return p->parts[b->part].open.v;
	}
	return rec_store_indices(p->store, rec_store_batch(p->store, b->rec_ref));
}

/* MemoryRecordsBuilder.isFull: closed, or the write limit reached after a first record. */
bool prod_batch_full(const struct prod_batch *b)
{
	return b->closed || (b->count > 0 && b->write_limit <= b->size);
}

void prod_batch_close(struct producer *p, uint32_t id)
{
	struct prod_batch *b = prod_batch(p, id);
	if (b->closed)
		return;
	b->closed = true;
	if (b->rec_ref != REC_REF_NONE || b->count == 0)
		return;
	struct prod_part *pp = &p->parts[b->part];
	assert(pp->open.n == b->count);
	uint64_t ref = rec_store_add(p->store, p->cfg->index, pp->open.v, b->count);
	if (ref == REC_REF_NONE) {
		prod_set_nomem(p);
		return;
	}
	b->rec_ref = ref;
	pp->open.n = 0;
}

/* ---- keys and partitions -------------------------------------------------------------- */

/* "key-" and the decimal digits of n. */
static uint32_t key_mod_text(uint64_t n, uint8_t out[32])
{
	char digits[24];
	uint32_t d = 0;
	do {
		digits[d++] = (char)('0' + (int)(n % 10));
		n /= 10;
	} while (n != 0);
	memcpy(out, "key-", 4);
	for (uint32_t i = 0; i < d; i++)
		out[4 + i] = (uint8_t)digits[d - 1 - i];
	return 4 + d;
}

/* The key bytes of record rec; -1 for a null key. */
static int32_t key_of(const struct producer *p, uint64_t rec, uint8_t buf[32],
		      const uint8_t **key)
{
	const struct producer_cfg *c = p->cfg;
	if (c->key_mod > 0) {
		*key = buf;
		return (int32_t)key_mod_text(rec % c->key_mod, buf);
	}
	if (c->key_count == 0)
		return -1;
	uint64_t k = rec % c->key_count;
	if (c->key_null != NULL && c->key_null[k])
		return -1;
	*key = c->keys[k];
	return (int32_t)c->key_lens[k];
}

int32_t prod_key_len(const struct producer *p, uint64_t rec)
{
	uint8_t buf[32];
	const uint8_t *key = NULL;
	return key_of(p, rec, buf, &key);
}

int32_t prod_value_len(const struct producer *p)
{
	return (int32_t)p->cfg->value_bytes;
}

/* KafkaProducer.partition: explicit, else keyed (BuiltInPartitioner.partitionForKey over all
 * partitions) unless partitioner.ignore.keys, else UNKNOWN_PARTITION (-1): sticky. */
int32_t prod_partition_of(const struct producer *p, uint64_t rec, int32_t *key_len,
			  const uint8_t **key_out)
{
	uint8_t buf[32];
	const uint8_t *key = NULL;
	*key_len = key_of(p, rec, buf, &key);
	*key_out = NULL;
	if (p->cfg->partition >= 0) {
		assert((uint32_t)p->cfg->partition < p->nparts);
		return p->cfg->partition;
	}
	if (*key_len >= 0 && !p->cfg->partitioner_ignore_keys)
		return (int32_t)part_for_key(key, (size_t)*key_len, p->nparts);
	return -1;
}

/* ---- the sticky partitioner ----------------------------------------------------------- */

uint32_t prod_next_partition(struct producer *p, struct node_ctx *ctx)
{
	if (p->cft_len > 0) {
		/* Weighted by inverted queue sizes: the first entry of the cumulative table that
		 * is strictly greater than the draw. */
		uint64_t r = prng_below(ctx->prng, p->cft[p->cft_len - 1]);
		uint32_t lo = 0, hi = p->cft_len - 1;
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			if (p->cft[mid] > r)
				hi = mid;
			else
				lo = mid + 1;
		}
		return p->cft_ids[lo];
	}
	if (p->navail > 0)
		return p->avail[prng_below(ctx->prng, p->navail)];
	return (uint32_t)prng_below(ctx->prng, p->nparts);
}

void prod_update_load_stats(struct producer *p, const uint32_t *qs, const uint32_t *ids,
			    uint32_t len)
{
	p->cft_len = 0;
	/* Fewer than two partitions, or none available: uniform. */
	if (len < 1 || p->ndeques < 2)
		return;
	uint32_t max1 = qs[0];
	bool equal = true;
	for (uint32_t i = 1; i < len; i++) {
		if (qs[i] != max1)
			equal = false;
		if (qs[i] > max1)
			max1 = qs[i];
	}
	max1++;
	/* All queues equal and none excluded: uniform. */
	if (equal && len == p->ndeques)
		return;
	uint32_t sum = 0;
	for (uint32_t i = 0; i < len; i++) {
		sum += max1 - qs[i];
		p->cft[i] = sum;
		p->cft_ids[i] = ids[i];
	}
	p->cft_len = len;
}

/* BuiltInPartitioner.updatePartitionInfo: switch once batch.size bytes went to the sticky
 * partition and its last batch is full (or twice that, unconditionally). */
static void sticky_update(struct producer *p, struct node_ctx *ctx, int64_t appended,
			  bool enable_switch)
{
	p->produced_bytes += appended;
	if ((p->produced_bytes >= p->batch_size && enable_switch) ||
	    p->produced_bytes >= 2 * p->batch_size) {
		p->sticky = (int32_t)prod_next_partition(p, ctx);
		p->produced_bytes = 0;
	}
}

/* RecordAccumulator.allBatchesFull: only the last batch may be incomplete. */
static bool all_batches_full(struct producer *p, const struct prod_part *pp)
{
	return pp->q.n == 0 || prod_batch_full(prod_batch(p, pp->q.v[pp->q.n - 1]));
}

/* RecordAccumulator.partitionChanged: complete a switch that was disabled while the
 * partition had an incomplete batch. True when the sticky partition moved. */
static bool sticky_moved(struct producer *p, struct node_ctx *ctx, struct prod_part *pp,
			 uint32_t part)
{
	if (all_batches_full(p, pp))
		sticky_update(p, ctx, 0, true);
	return p->sticky != (int32_t)part;
}

/* ---- append --------------------------------------------------------------------------- */

static int64_t batch_buffer(const struct producer *p, int32_t klen, int32_t vlen)
{
	int64_t ub = prod_record_upper_bound(klen, vlen);
	return ub > p->batch_size ? ub : p->batch_size;
}

bool prod_memory_for(const struct producer *p, uint64_t rec)
{
	int64_t need = batch_buffer(p, prod_key_len(p, rec), prod_value_len(p));
	return p->mem_used + need <= p->cfg->buffer_memory;
}

static struct prod_part *part_touch(struct producer *p, uint32_t part)
{
	struct prod_part *pp = &p->parts[part];
	if (!pp->has_deque) {
		pp->has_deque = true;
		p->ndeques++;
	}
	return pp;
}

/* ProducerBatch.tryAppend on the last batch; closes it when the record does not fit.
 * Returns the appended bytes, or -1. */
static int32_t try_append(struct producer *p, struct prod_part *pp, uint64_t rec,
			  int32_t klen, int32_t vlen, int64_t ts_ms, int64_t now)
{
	if (pp->q.n == 0)
		return -1;
	uint32_t id = pp->q.v[pp->q.n - 1];
	struct prod_batch *b = prod_batch(p, id);
	int32_t rs = prod_record_size((int32_t)b->count, ts_ms - b->base_ts_ms, klen, vlen);
	if (prod_batch_full(b) || b->write_limit < b->size + rs) {
		prod_batch_close(p, id);
		return -1;
	}
	if (!prod_vec_push(p, &pp->open, (uint32_t)rec))
		return -1;
	b->size += rs;
	b->count++;
	if (ts_ms > b->max_ts_ms)
		b->max_ts_ms = ts_ms;
	b->last_append_us = now;
	return rs;
}

/* A new batch holding record rec; -1 without memory of the model. */
static int32_t append_new(struct producer *p, struct prod_part *pp, uint32_t part,
			  uint64_t rec, int32_t klen, int32_t vlen, int64_t ts_ms, int64_t now)
{
	int64_t need = batch_buffer(p, klen, vlen);
	assert(pp->open.n == 0);
	uint32_t id = batch_new(p);
	if (id == PROD_NONE || !prod_vec_push(p, &pp->open, (uint32_t)rec) ||
	    !prod_vec_push(p, &pp->q, id))
		return -1;
	struct prod_batch *b = prod_batch(p, id);
	b->part = part;
	b->count = 1;
	b->size = PROD_BATCH_OVERHEAD + prod_record_size(0, 0, klen, vlen);
	b->write_limit = (int32_t)need;
	b->alloc = need;
	b->base_ts_ms = b->max_ts_ms = ts_ms;
	b->created_us = b->last_attempt_us = b->last_append_us = now;
	b->queued = true;
	p->mem_used += need;
	return b->size;
}

int32_t prod_append(struct producer *p, struct node_ctx *ctx, uint64_t rec, int32_t part_arg,
		    int32_t klen, int64_t ts_ms)
{
	bool sticky = part_arg < 0;
	int32_t vlen = prod_value_len(p);
	int64_t now = ctx->now_us;
	for (int guard = 0;; guard++) {
		assert(guard < 8);   /* a switch resets produced bytes: at most two moves */
		if (sticky && p->sticky < 0) {
			p->sticky = (int32_t)prod_next_partition(p, ctx);
			p->produced_bytes = 0;
		}
		uint32_t part = sticky ? (uint32_t)p->sticky : (uint32_t)part_arg;
		struct prod_part *pp = part_touch(p, part);
		if (sticky && sticky_moved(p, ctx, pp, part))
			continue;
		int32_t appended = try_append(p, pp, rec, klen, vlen, ts_ms, now);
		if (appended < 0 && p->nomem)
			return -1;
		if (appended < 0) {
			/* BufferPool.allocate blocks when buffer.memory is used up. */
			if (p->mem_used + batch_buffer(p, klen, vlen) > p->cfg->buffer_memory)
				return -1;
			if (sticky && sticky_moved(p, ctx, pp, part))
				continue;
			appended = append_new(p, pp, part, rec, klen, vlen, ts_ms, now);
			if (appended < 0)
				return -1;
		}
		if (sticky)
			sticky_update(p, ctx, appended, all_batches_full(p, pp));
		return (int32_t)part;
	}
}

/* ---- final states --------------------------------------------------------------------- */

static void set_outcomes(struct producer *p, const struct prod_batch *b, uint8_t state,
			 int16_t err, int64_t base)
{
	const uint32_t *idx = prod_batch_indices(p, b);
	for (uint32_t k = 0; k < b->count; k++) {
		struct rec_outcome *o = &p->out[idx[k]];
		assert(o->state == REC_PENDING);
		o->state = state;
		o->error = err;
		o->offset = base >= 0 ? base + k : -1;
	}
}

/* ProducerBatch.done succeeded for the first time: free its buffer and its place in
 * Sender.inFlightBatches (maybeRemoveAndDeallocateBatch). */
static void batch_finish(struct producer *p, uint32_t id)
{
	struct prod_batch *b = prod_batch(p, id);
	b->done = true;
	p->mem_used -= b->alloc;
	assert(p->mem_used >= 0);
	b->alloc = 0;
	if (b->sender_inflight) {
		prod_vec_remove(&p->parts[b->part].infl, id);
		b->sender_inflight = false;
	}
}

void prod_complete_ok(struct producer *p, struct node_ctx *ctx, uint32_t id, int64_t base)
{
	(void)ctx;
	if (p->cfg->idempotent)
		prod_idem_completed(p, id, base);
	struct prod_batch *b = prod_batch(p, id);
	if (!b->done) {
		set_outcomes(p, b, REC_ACKED, KERR_NONE, base);
		batch_finish(p, id);
	}
	prod_batch_maybe_release(p, id);
}

void prod_fail_batch(struct producer *p, struct node_ctx *ctx, uint32_t id, int16_t err,
		     bool adjust)
{
	if (p->cfg->idempotent)
		prod_idem_failed(p, id, err, adjust);
	struct prod_batch *b = prod_batch(p, id);
	if (!b->done) {
		set_outcomes(p, b, REC_FAILED, err, -1);
		struct trace_line *l = node_trace(ctx, "batch_failed");
		trace_int(l, "partition", b->part);
		trace_int(l, "records", b->count);
		trace_str(l, "error", kafka_error_name(err));
		trace_int(l, "attempts", b->attempts);
		trace_end(l);
		batch_finish(p, id);
	}
	prod_batch_maybe_release(p, id);
}

/* ProducerBatch.maybeUpdateLeaderEpoch (KIP-951). */
void prod_leader_epoch_seen(struct prod_batch *b, int32_t leader_epoch)
{
	if (leader_epoch >= 0 && (b->leader_epoch < 0 || b->leader_epoch < leader_epoch)) {
		b->attempts_at_leader_change = b->attempts;
		b->leader_epoch = leader_epoch;
	}
}

/* RecordAccumulator.shouldBackoff: a retry waits its backoff unless the leader changed
 * for this attempt (hasLeaderChangedForTheOngoingRetry, KIP-951). */
bool prod_backing_off(const struct prod_batch *b, int64_t now_us)
{
	bool leader_changed = b->attempts >= 1 && b->attempts == b->attempts_at_leader_change;
	return b->attempts > 0 && now_us - b->last_attempt_us < b->backoff_us && !leader_changed;
}

void prod_reenqueue(struct producer *p, struct node_ctx *ctx, uint32_t id)
{
	struct prod_batch *b = prod_batch(p, id);
	int64_t now = ctx->now_us;
	const struct producer_cfg *c = p->cfg;
	/* ProducerBatch.reenqueued. */
	b->attempts++;
	b->last_attempt_us = b->last_append_us > now ? b->last_append_us : now;
	b->last_append_us = b->last_attempt_us;
	b->retry = true;
	b->backoff_us = ms_to_us(prod_backoff_ms(ctx->prng, c->retry_backoff_ms,
						 c->retry_backoff_max_ms,
						 (uint32_t)(b->attempts - 1)));
	struct prod_part *pp = &p->parts[b->part];
	bool ok = c->idempotent ? prod_idem_insert_in_order(p, pp, id)
				: prod_vec_insert(p, &pp->q, 0, id);
	if (!ok)
		return;
	b->queued = true;
	if (b->sender_inflight) {
		prod_vec_remove(&pp->infl, id);
		b->sender_inflight = false;
	}
}

/* ---- split ---------------------------------------------------------------------------- */

/* Cuts [0, n) of the scratch indices into runs that fit batch.size (ProducerBatch.split):
 * returns the end of the run starting at `from`. */
static uint32_t split_run(struct producer *p, uint32_t from, uint32_t n, int64_t span)
{
	const uint32_t *idx = p->split_idx;
	int32_t vlen = prod_value_len(p);
	int64_t limit = batch_buffer(p, prod_key_len(p, idx[from]), vlen);
	int64_t size = PROD_BATCH_OVERHEAD + prod_record_size(0, 0, prod_key_len(p, idx[from]),
							      vlen);
	uint32_t k = from + 1;
	for (; k < n; k++) {
		int32_t rs = prod_record_size((int32_t)(k - from), span,
					      prod_key_len(p, idx[k]), vlen);
		if (limit < size + rs)
			break;
		size += rs;
	}
	return k;
}

static uint32_t split_batch(struct producer *p, uint32_t big, uint32_t from, uint32_t to,
			    int64_t span)
{
	struct prod_batch src = *prod_batch(p, big);
	uint32_t id = batch_new(p);
	if (id == PROD_NONE)
		return PROD_NONE;
	uint64_t ref = rec_store_add(p->store, p->cfg->index, &p->split_idx[from], to - from);
	if (ref == REC_REF_NONE) {
		prod_set_nomem(p);
		return PROD_NONE;
	}
	struct prod_batch *b = prod_batch(p, id);
	int32_t vlen = prod_value_len(p);
	b->part = src.part;
	b->count = to - from;
	b->rec_ref = ref;
	b->size = PROD_BATCH_OVERHEAD;
	for (uint32_t k = from; k < to; k++)
		b->size += prod_record_size((int32_t)(k - from), k == from ? 0 : span,
					    prod_key_len(p, p->split_idx[k]), vlen);
	b->write_limit = (int32_t)batch_buffer(p, prod_key_len(p, p->split_idx[from]), vlen);
	b->base_ts_ms = src.base_ts_ms;
	b->max_ts_ms = src.max_ts_ms;
	b->created_us = b->last_attempt_us = b->last_append_us = src.created_us;
	b->closed = true;
	b->leader_epoch = src.leader_epoch;
	return id;
}

/* Queues the split batches at the front, in order; with idempotence they keep the big
 * batch's producer id, epoch and sequences (ProducerBatch.split, splitAndReenqueue). */
static void split_enqueue(struct producer *p, const uint32_t *ids, uint32_t nb, uint32_t big)
{
	struct prod_batch src = *prod_batch(p, big);
	struct prod_part *pp = &p->parts[src.part];
	int32_t seq = src.base_seq;
	for (uint32_t i = 0; i < nb; i++) {
		struct prod_batch *b = prod_batch(p, ids[i]);
		if (src.base_seq >= 0) {
			b->pid = src.pid;
			b->epoch = src.epoch;
			b->base_seq = seq;
			seq = pstate_seq_add(seq, (int32_t)b->count);
		}
	}
	for (uint32_t i = nb; i-- > 0;) {
		struct prod_batch *b = prod_batch(p, ids[i]);
		bool ok;
		if (p->cfg->idempotent && b->base_seq >= 0) {
			ok = prod_idem_insert_in_order(p, pp, ids[i]);
			uint32_t at = 0;
			while (ok && at < pp->seqs.n &&
			       prod_batch(p, pp->seqs.v[at])->base_seq < b->base_seq)
				at++;
			ok = ok && prod_vec_insert(p, &pp->seqs, at, ids[i]);
			b->seq_inflight = ok;
		} else {
			ok = prod_vec_insert(p, &pp->q, 0, ids[i]);
		}
		b->queued = ok;
	}
}

void prod_split(struct producer *p, struct node_ctx *ctx, uint32_t id)
{
	struct prod_batch *big = prod_batch(p, id);
	uint32_t n = big->count;
	int64_t span = big->max_ts_ms - big->base_ts_ms;
	if (n > p->split_cap) {
		uint32_t *q = realloc(p->split_idx, (size_t)n * 2 * sizeof(*q));
		if (q == NULL) {
			prod_set_nomem(p);
			return;
		}
		p->split_idx = q;
		p->split_cap = n * 2;
	}
	memcpy(p->split_idx, prod_batch_indices(p, big), (size_t)n * sizeof(uint32_t));
	if (p->cfg->idempotent && big->seq_inflight) {
		prod_vec_remove(&p->parts[big->part].seqs, id);
		big->seq_inflight = false;
	}
	uint32_t ids[64];
	uint32_t nb = 0;
	for (uint32_t from = 0; from < n && nb < 64;) {
		uint32_t to = nb == 63 ? n : split_run(p, from, n, span);
		uint32_t sid = split_batch(p, id, from, to, span);
		if (sid == PROD_NONE)
			return;
		ids[nb++] = sid;
		from = to;
	}
	split_enqueue(p, ids, nb, id);
	struct trace_line *l = node_trace(ctx, "batch_split");
	trace_int(l, "partition", prod_batch(p, id)->part);
	trace_int(l, "records", n);
	trace_int(l, "batches", nb);
	trace_end(l);
	batch_finish(p, id);   /* its records live on in the split batches */
	prod_batch_maybe_release(p, id);
}

/* ---- delivery timeout ----------------------------------------------------------------- */

static bool expired(const struct producer *p, const struct prod_batch *b, int64_t now)
{
	return ms_to_us(p->cfg->delivery_timeout_ms) <= now - b->created_us;
}

static int64_t expiry_of(const struct producer *p, const struct prod_batch *b)
{
	return b->created_us + ms_to_us(p->cfg->delivery_timeout_ms);
}

/* Sender.sendProducerData: a batch that expired after a retry leaves its partition's
 * sequence unresolved (marked first here: failing it may release it). */
static void expire_one(struct producer *p, struct node_ctx *ctx, uint32_t id)
{
	if (p->cfg->idempotent && prod_batch(p, id)->retry)
		prod_idem_mark_unresolved(p, id);
	prod_fail_batch(p, ctx, id, KERR_REQUEST_TIMED_OUT, false);
}

/* RecordAccumulator.expiredBatches, then Sender.getExpiredInflightBatches; the batches
 * fail with a TimeoutException (REQUEST_TIMED_OUT), which is not a produce error. */
int64_t prod_expire(struct producer *p, struct node_ctx *ctx)
{
	int64_t now = ctx->now_us, next = INT64_MAX;
	for (uint32_t part = 0; part < p->nparts && !p->nomem; part++) {
		struct prod_part *pp = &p->parts[part];
		while (pp->q.n > 0 && expired(p, prod_batch(p, pp->q.v[0]), now)) {
			uint32_t id = pp->q.v[0];
			prod_vec_remove_at(&pp->q, 0);
			prod_batch_close(p, id);
			prod_batch(p, id)->queued = false;
			expire_one(p, ctx, id);
		}
		if (pp->q.n > 0 && expiry_of(p, prod_batch(p, pp->q.v[0])) < next)
			next = expiry_of(p, prod_batch(p, pp->q.v[0]));
	}
	for (uint32_t part = 0; part < p->nparts && !p->nomem; part++) {
		struct prod_part *pp = &p->parts[part];
		while (pp->infl.n > 0 && expired(p, prod_batch(p, pp->infl.v[0]), now)) {
			uint32_t id = pp->infl.v[0];
			prod_vec_remove_at(&pp->infl, 0);
			prod_batch(p, id)->sender_inflight = false;
			expire_one(p, ctx, id);
		}
		if (pp->infl.n > 0 && expiry_of(p, prod_batch(p, pp->infl.v[0])) < next)
			next = expiry_of(p, prod_batch(p, pp->infl.v[0]));
	}
	return next;
}
