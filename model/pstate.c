/*
 * pstate.c — idempotent-producer state of one partition replica: the five-batch cache per
 * producer id, the leader's checks (ProducerAppendInfo.checkProducerEpoch/checkSequence,
 * ProducerStateEntry.findDuplicateBatch) and the updates that follow every append.
 */
#include "model/pstate.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

void pstate_init(struct pstate *ps)
{
	ps->e = NULL;
	ps->n = 0;
	ps->cap = 0;
}

void pstate_free(struct pstate *ps)
{
	free(ps->e);
	pstate_init(ps);
}

void pstate_clear(struct pstate *ps)
{
	ps->n = 0;
}

int32_t pstate_seq_add(int32_t seq, int32_t delta)
{
	assert(seq >= 0);
	assert(delta >= 0);
	if (seq > INT32_MAX - delta)
		return delta - (INT32_MAX - seq) - 1;
	return seq + delta;
}

int32_t pstate_batch_last_seq(const struct plog_batch *b)
{
	if (b->base_sequence == PLOG_NO_SEQUENCE)
		return PLOG_NO_SEQUENCE;
	assert(b->record_count > 0);
	return pstate_seq_add(b->base_sequence, b->record_count - 1);
}

/* Index of the first entry whose producer id is >= pid. */
static uint32_t lower_bound(const struct pstate *ps, int64_t pid)
{
	uint32_t lo = 0, hi = ps->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (ps->e[mid].producer_id < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct pstate_entry *pstate_find(const struct pstate *ps, int64_t producer_id)
{
	uint32_t i = lower_bound(ps, producer_id);
	return i < ps->n && ps->e[i].producer_id == producer_id ? &ps->e[i] : NULL;
}

const struct pstate_batch *pstate_entry_batch(const struct pstate_entry *e, uint32_t i)
{
	assert(i < e->count);
	return &e->ring[(e->head + i) % PSTATE_BATCHES_RETAINED];
}

static int32_t entry_last_seq(const struct pstate_entry *e)
{
	return e->count > 0 ? pstate_entry_batch(e, e->count - 1u)->last_seq : PLOG_NO_SEQUENCE;
}

/* ProducerAppendInfo.inSequence, in Java long arithmetic: MAX_VALUE wraps to 0. */
static bool in_sequence(int32_t last_seq, int32_t next_seq)
{
	return (int64_t)next_seq == (int64_t)last_seq + 1 ||
	       (next_seq == 0 && last_seq == INT32_MAX);
}

/* ProducerStateEntry.findDuplicateBatch: same epoch, exact sequence range. */
static const struct pstate_batch *find_duplicate(const struct pstate_entry *e, int16_t epoch,
						 int32_t first_seq, int32_t last_seq)
{
	if (e->epoch != epoch)
		return NULL;
	for (uint32_t i = 0; i < e->count; i++) {
		const struct pstate_batch *b = pstate_entry_batch(e, i);
		if (b->first_seq == first_seq && b->last_seq == last_seq)
			return b;
	}
	return NULL;
}

/* ProducerAppendInfo.checkProducerEpoch and checkSequence (non-transactional, CLIENT). */
static int16_t check_epoch_and_sequence(const struct pstate_entry *e, int16_t epoch,
					int32_t first_seq)
{
	int16_t known = e != NULL ? e->epoch : PSTATE_NO_EPOCH;
	if (epoch < known)
		return KERR_INVALID_PRODUCER_EPOCH;
	if (epoch != known) {
		/* A new epoch starts at 0, unless there was no epoch at all (KIP-360: a
		 * producer whose state is gone may continue at any sequence). */
		if (first_seq != 0 && known != PSTATE_NO_EPOCH)
			return KERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
		return KERR_NONE;
	}
	/* Same epoch: Kafka also accepts any sequence when that epoch is NO_PRODUCER_EPOCH,
	 * which a batch with a producer id never carries (asserted in pstate_check). */
	assert(e != NULL);
	if (in_sequence(entry_last_seq(e), first_seq))
		return KERR_NONE;
	return KERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
}

struct pstate_verdict pstate_check(const struct pstate *ps, int64_t producer_id, int16_t epoch,
				   int32_t first_seq, int32_t last_seq)
{
	struct pstate_verdict v = {.error = KERR_NONE, .duplicate = false,
				   .first_offset = -1, .last_offset = -1, .timestamp_ms = -1};
	if (producer_id == PLOG_NO_PRODUCER_ID)
		return v;
	assert(epoch >= 0);
	assert(first_seq >= 0);
	assert(last_seq >= 0);
	const struct pstate_entry *e = pstate_find(ps, producer_id);
	/* UnifiedLog.analyzeAndValidateProducerState: the duplicate check comes first. */
	const struct pstate_batch *dup = NULL;
	if (e != NULL)
		dup = find_duplicate(e, epoch, first_seq, last_seq);
	if (dup != NULL) {
		v.duplicate = true;
		v.first_offset = dup->first_offset;
		v.last_offset = dup->last_offset;
		v.timestamp_ms = dup->timestamp_ms;
		return v;
	}
	v.error = check_epoch_and_sequence(e, epoch, first_seq);
	return v;
}

static int reserve(struct pstate *ps)
{
	if (ps->n < ps->cap)
		return KERR_NONE;
	uint32_t cap = ps->cap > 0 ? ps->cap : 4;
	while (cap <= ps->n) {
		assert(cap <= UINT32_MAX / 2);
		cap *= 2;
	}
	struct pstate_entry *e = realloc(ps->e, sizeof(*e) * cap);
	if (e == NULL)
		return PLOG_NOMEM;
	ps->e = e;
	ps->cap = cap;
	return KERR_NONE;
}

/* The entry for pid, inserted empty (ProducerStateEntry.empty) in id order if missing. */
static struct pstate_entry *find_or_insert(struct pstate *ps, int64_t pid)
{
	uint32_t i = lower_bound(ps, pid);
	if (i < ps->n && ps->e[i].producer_id == pid)
		return &ps->e[i];
	if (reserve(ps) != KERR_NONE)
		return NULL;
	memmove(ps->e + i + 1, ps->e + i, sizeof(*ps->e) * (ps->n - i));
	ps->n++;
	memset(&ps->e[i], 0, sizeof(ps->e[i]));
	ps->e[i].producer_id = pid;
	ps->e[i].epoch = PSTATE_NO_EPOCH;
	ps->e[i].last_timestamp_ms = -1;
	return &ps->e[i];
}

int pstate_update(struct pstate *ps, int64_t producer_id, int16_t epoch,
		  const struct pstate_batch *meta)
{
	assert(producer_id != PLOG_NO_PRODUCER_ID);
	assert(meta->first_offset <= meta->last_offset);
	struct pstate_entry *e = find_or_insert(ps, producer_id);
	if (e == NULL)
		return PLOG_NOMEM;
	/* ProducerStateEntry.maybeUpdateProducerEpoch: a new epoch forgets the old batches. */
	if (e->epoch != epoch) {
		e->epoch = epoch;
		e->count = 0;
		e->head = 0;
	}
	/* addBatchMetadata: at capacity the oldest goes. */
	if (e->count == PSTATE_BATCHES_RETAINED) {
		e->head = (uint8_t)((e->head + 1) % PSTATE_BATCHES_RETAINED);
		e->count--;
	}
	e->ring[(e->head + e->count) % PSTATE_BATCHES_RETAINED] = *meta;
	e->count++;
	e->last_timestamp_ms = meta->timestamp_ms;
	return KERR_NONE;
}

int pstate_apply_batch(struct pstate *ps, const struct plog_batch *b)
{
	if (b->producer_id == PLOG_NO_PRODUCER_ID)
		return KERR_NONE;
	struct pstate_batch meta = {
		.first_seq = b->base_sequence,
		.last_seq = pstate_batch_last_seq(b),
		.first_offset = b->base_offset,
		.last_offset = plog_batch_last(b),
		.timestamp_ms = b->max_timestamp_ms,
	};
	return pstate_update(ps, b->producer_id, b->producer_epoch, &meta);
}

int pstate_rebuild(struct pstate *ps, const struct plog_batch *batches, uint32_t count)
{
	pstate_clear(ps);
	for (uint32_t i = 0; i < count; i++) {
		if (i > 0)
			assert(batches[i].base_offset > batches[i - 1].base_offset);
		if (pstate_apply_batch(ps, &batches[i]) != KERR_NONE)
			return PLOG_NOMEM;
	}
	return KERR_NONE;
}

uint32_t pstate_expire(struct pstate *ps, int64_t now_ms, int64_t expiration_ms)
{
	assert(expiration_ms >= 0);
	uint32_t kept = 0;
	for (uint32_t i = 0; i < ps->n; i++) {
		if (now_ms - ps->e[i].last_timestamp_ms >= expiration_ms)
			continue;
		if (kept != i)
			ps->e[kept] = ps->e[i];
		kept++;
	}
	uint32_t removed = ps->n - kept;
	ps->n = kept;
	return removed;
}
