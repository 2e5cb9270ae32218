/*
 * producer_idem.c — the idempotent producer's client side: producer id and epoch,
 * per-partition sequence numbers assigned when a batch is first drained and kept across
 * retries, the in-flight batches of each partition ordered by sequence, and KIP-360's
 * recovery: an OUT_OF_ORDER_SEQUENCE_NUMBER gap, an unresolved sequence after an expired
 * retry, or a batch failed after it may have been written bumps the producer epoch locally
 * and restarts that partition's sequences at 0.
 *
 * Kafka: producer/internals/TransactionManager.java (non-transactional paths:
 * bumpIdempotentEpochAndResetIdIfNeeded, maybeUpdateProducerIdAndEpoch, canRetry,
 * handleCompletedBatch, handleFailedBatch, markSequenceUnresolved, maybeResolveSequences),
 * TxnPartitionEntry / TxnPartitionMap (startSequencesAtBeginning),
 * RecordAccumulator.shouldStopDrainBatchesForPartition and insertInSequenceOrder.
 */
#include "model/producer_internal.h"

#include <assert.h>

#include "model/proto.h"
#include "model/pstate.h"
#include "sim/trace.h"

/* A fresh TxnPartitionEntry. */
void prod_idem_reset_part(struct prod_part *pp)
{
	pp->pid = -1;
	pp->epoch = -1;
	pp->next_seq = 0;
	pp->last_acked_seq = -1;
	pp->last_acked_offset = -1;
}

static bool stale(const struct producer *p, const struct prod_part *pp)
{
	return pp->pid != p->pid || pp->epoch != p->epoch;
}

static int32_t last_seq(const struct prod_batch *b)
{
	return (int32_t)((uint32_t)b->base_seq + b->count - 1u);
}

/* TransactionManager.isNextSequence: sequence - lastAckedSequence == 1 (int arithmetic). */
static bool is_next_seq(const struct prod_part *pp, int32_t seq)
{
	return (uint32_t)seq - (uint32_t)pp->last_acked_seq == 1u;
}

static void request_bump(struct producer *p, struct prod_part *pp)
{
	p->epoch_bump_required = true;
	pp->rewrite = true;
}

static void set_unresolved(struct producer *p, struct prod_part *pp, bool on)
{
	if (pp->unresolved == on)
		return;
	pp->unresolved = on;
	if (on)
		p->n_unresolved++;
	else
		p->n_unresolved--;
}

static void seq_remove(struct producer *p, struct prod_part *pp, uint32_t id)
{
	struct prod_batch *b = prod_batch(p, id);
	if (!b->seq_inflight)
		return;
	prod_vec_remove(&pp->seqs, id);
	b->seq_inflight = false;
}

/* TxnPartitionMap.startSequencesAtBeginning: the partition's in-flight batches take
 * sequences from 0 under the current producer id and epoch. */
static void start_at_beginning(struct producer *p, struct prod_part *pp)
{
	int32_t seq = 0;
	for (uint32_t i = 0; i < pp->seqs.n; i++) {
		struct prod_batch *b = prod_batch(p, pp->seqs.v[i]);
		b->pid = p->pid;
		b->epoch = p->epoch;
		b->base_seq = seq;
		b->reopened = true;
		seq = pstate_seq_add(seq, (int32_t)b->count);
	}
	pp->pid = p->pid;
	pp->epoch = p->epoch;
	pp->next_seq = seq;
	pp->last_acked_seq = -1;
}

/* TransactionManager.resetSequenceForPartition: the entry is dropped, in-flight set and
 * all. */
static void reset_entry(struct producer *p, struct prod_part *pp)
{
	for (uint32_t i = 0; i < pp->seqs.n; i++) {
		uint32_t id = pp->seqs.v[i];
		prod_batch(p, id)->seq_inflight = false;
		prod_batch_maybe_release(p, id);
	}
	pp->seqs.n = 0;
	prod_idem_reset_part(pp);
	set_unresolved(p, pp, false);
}

bool prod_idem_stop_drain(struct producer *p, struct prod_part *pp,
			  const struct prod_batch *first)
{
	if (p->pid < 0)
		return true;   /* no producer id yet */
	if (first->base_seq < 0) {
		/* A new batch waits while older-epoch batches are in flight, or while the
		 * partition's sequence is unresolved. */
		if (pp->seqs.n > 0 && stale(p, pp))
			return true;
		if (pp->unresolved)
			return true;
	}
	int32_t first_inflight = pp->seqs.n > 0 ? prod_batch(p, pp->seqs.v[0])->base_seq : -1;
	/* A retried batch goes only when it is the first in flight: one at a time. */
	return first_inflight != -1 && first->base_seq >= 0 && first->base_seq != first_inflight;
}

void prod_idem_assign(struct producer *p, struct prod_part *pp, uint32_t id)
{
	struct prod_batch *b = prod_batch(p, id);
	assert(b->base_seq < 0);
	if (stale(p, pp) && pp->seqs.n == 0)
		start_at_beginning(p, pp);   /* maybeUpdateProducerIdAndEpoch */
	b->pid = p->pid;
	b->epoch = p->epoch;
	b->base_seq = pp->next_seq;
	pp->next_seq = pstate_seq_add(pp->next_seq, (int32_t)b->count);
	uint32_t at = pp->seqs.n;
	while (at > 0 && prod_batch(p, pp->seqs.v[at - 1])->base_seq > b->base_seq)
		at--;
	if (prod_vec_insert(p, &pp->seqs, at, id))
		b->seq_inflight = true;
}

bool prod_idem_can_retry(struct producer *p, struct node_ctx *ctx, uint32_t id, int16_t err)
{
	(void)ctx;
	struct prod_batch *b = prod_batch(p, id);
	struct prod_part *pp = &p->parts[b->part];
	/* The response carries no log start offset: Kafka retries when it is unknown. */
	if (err == PROD_KERR_UNKNOWN_PRODUCER_ID)
		return true;
	if (err == KERR_OUT_OF_ORDER_SEQUENCE_NUMBER) {
		/* Not the next batch: an earlier one failed; retry it in its turn. */
		if (!pp->unresolved && (b->reopened || !is_next_seq(pp, b->base_seq)))
			return true;
		/* A real gap (or the batch right after an unresolved one): bump the epoch. */
		if (!pp->unresolved || b->base_seq == pp->unresolved_next)
			request_bump(p, pp);
		return true;
	}
	return prod_retriable(err);
}

void prod_idem_completed(struct producer *p, uint32_t id, int64_t base)
{
	struct prod_batch *b = prod_batch(p, id);
	struct prod_part *pp = &p->parts[b->part];
	int32_t ls = last_seq(b);
	if (ls > pp->last_acked_seq)
		pp->last_acked_seq = ls;
	if (base >= 0 && base + b->count - 1 > pp->last_acked_offset)
		pp->last_acked_offset = base + b->count - 1;
	seq_remove(p, pp, id);
}

void prod_idem_failed(struct producer *p, uint32_t id, int16_t err, bool adjust)
{
	struct prod_batch *b = prod_batch(p, id);
	struct prod_part *pp = &p->parts[b->part];
	seq_remove(p, pp, id);
	if (err == KERR_OUT_OF_ORDER_SEQUENCE_NUMBER)
		request_bump(p, pp);   /* a gap in the log: restart sequences at 0 */
	else if (err == PROD_KERR_UNKNOWN_PRODUCER_ID)
		reset_entry(p, pp);
	else if (adjust)
		request_bump(p, pp);   /* it may or may not have been written */
}

void prod_idem_mark_unresolved(struct producer *p, uint32_t id)
{
	struct prod_batch *b = prod_batch(p, id);
	struct prod_part *pp = &p->parts[b->part];
	int32_t next = (int32_t)((uint32_t)last_seq(b) + 1u);
	if (!pp->unresolved || next > pp->unresolved_next)
		pp->unresolved_next = next;
	set_unresolved(p, pp, true);
}

/* TransactionManager.maybeResolveSequences: once nothing is in flight, an unresolved
 * partition is resolved if the acks caught up, else its epoch is bumped. */
void prod_idem_resolve(struct producer *p)
{
	for (uint32_t part = 0; part < p->nparts && p->n_unresolved > 0; part++) {
		struct prod_part *pp = &p->parts[part];
		if (!pp->unresolved || pp->seqs.n > 0)
			continue;
		if (!is_next_seq(pp, pp->next_seq))
			request_bump(p, pp);
		set_unresolved(p, pp, false);
	}
}

bool prod_idem_bump_if_needed(struct producer *p, struct node_ctx *ctx)
{
	if (p->epoch_bump_required) {
		if (p->epoch == INT16_MAX) {
			p->pid = -1;   /* resetIdempotentProducerId: a new InitProducerId */
			p->epoch = -1;
		} else {
			p->epoch++;
		}
		uint32_t rewritten = 0;
		for (uint32_t part = 0; part < p->nparts; part++) {
			struct prod_part *pp = &p->parts[part];
			if (!pp->rewrite)
				continue;
			start_at_beginning(p, pp);
			set_unresolved(p, pp, false);
			pp->rewrite = false;
			rewritten++;
		}
		p->epoch_bump_required = false;
		struct trace_line *l = node_trace(ctx, "epoch_bump");
		trace_int(l, "producer_id", p->pid);
		trace_int(l, "epoch", p->epoch);
		trace_int(l, "partitions", rewritten);
		trace_end(l);
	}
	return p->pid < 0;
}

/* RecordAccumulator.insertInSequenceOrder: behind the queued batches with lower
 * sequences, ahead of the rest. */
bool prod_idem_insert_in_order(struct producer *p, struct prod_part *pp, uint32_t id)
{
	int32_t seq = prod_batch(p, id)->base_seq;
	uint32_t at = 0;
	while (at < pp->q.n) {
		const struct prod_batch *q = prod_batch(p, pp->q.v[at]);
		if (q->base_seq < 0 || q->base_seq >= seq)
			break;
		at++;
	}
	return prod_vec_insert(p, &pp->q, at, id);
}
