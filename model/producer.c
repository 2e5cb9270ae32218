/*
 * producer.c — the producer node: its lifecycle (start, crash, restart as a new session),
 * the application that hands records to send() at their due times, KafkaProducer.doSend
 * (waitOnMetadata, ensureValidRecordSize, the accumulator append and its max.block.ms
 * waits), and the dispatch of messages, connection events and timers to the sender.
 * See model/producer.h for the contract.
 */
#include "model/producer.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "model/producer_internal.h"
#include "model/proto.h"
#include "sim/trace.h"

static int64_t us_of(int64_t ms)
{
	return ms > INT64_MAX / US_PER_MS ? INT64_MAX : ms_to_us(ms);
}

void prod_set_nomem(struct producer *p)
{
	p->nomem = true;
}

bool producer_nomem(const struct producer *p)
{
	return p->nomem;
}

uint64_t producer_errors(const struct producer *p, int16_t code)
{
	if (code <= 0 || code >= PRODUCER_ERROR_CODES)
		return 0;
	return p->errors[code];
}

/* ---- session state -------------------------------------------------------------------- */

static void reset_parts(struct producer *p)
{
	for (uint32_t i = 0; i < p->nparts; i++) {
		struct prod_part *pp = &p->parts[i];
		pp->q.n = pp->open.n = pp->infl.n = pp->seqs.n = 0;
		pp->leader = -1;
		pp->leader_epoch = -1;
		pp->leader_b = PROD_NONE;
		pp->has_deque = pp->muted = pp->unresolved = pp->rewrite = false;
		pp->unresolved_next = 0;
		prod_idem_reset_part(pp);
	}
}

static void reset_pools(struct producer *p)
{
	p->batch_free = PROD_NONE;
	for (uint32_t i = p->nbatch_cap; i-- > 0;) {
		p->batches[i].used = false;
		p->batches[i].next_free = p->batch_free;
		p->batch_free = i;
	}
	p->live_batches = 0;
	p->mem_used = 0;
	p->req_free = PROD_NONE;
	for (uint32_t i = p->nreq_cap; i-- > 0;) {
		p->reqs[i].active = false;
		p->reqs[i].batches.n = 0;
		p->reqs[i].next = p->req_free;
		p->req_free = i;
	}
}

/* Everything a process holds in memory; the application's progress and the metrics stay. */
static void reset_session(struct producer *p)
{
	reset_parts(p);
	reset_pools(p);
	for (uint32_t b = 0; b < p->nbrokers; b++)
		p->conns[b] = (struct prod_conn){.state = PCONN_DOWN, .req_head = PROD_NONE,
						 .req_tail = PROD_NONE};
	p->session = false;
	p->next_corr = 0;
	p->wake_timer = 0;
	p->wake_at_us = INT64_MIN;
	p->app_timer = 0;
	p->have_md = p->md_requested = p->md_inflight = false;
	p->md_attempts = p->md_eq = 0;
	p->md_last_success_us = p->md_next_allowed_us = p->md_eq_allowed_us = 0;
	p->navail = 0;
	p->sticky = -1;
	p->produced_bytes = 0;
	p->cft_len = 0;
	p->ndeques = 0;
	p->pid = -1;
	p->epoch = -1;
	p->init_inflight = p->epoch_bump_required = false;
	p->init_retry_at_us = 0;
	p->n_unresolved = 0;
}

int producer_init(struct producer *p, const struct producer_cfg *cfg,
		  const struct cluster_cfg *cluster, struct rec_store *store,
		  struct rec_outcome *outcomes)
{
	assert(cfg->topic < cluster->ntopics);
	assert(cfg->rate_count > 0 && cfg->rate_per_us > 0);
	assert(cfg->max_in_flight >= 1);
	memset(p, 0, sizeof(*p));
	const struct topic_cfg *t = &cluster->topics[cfg->topic];
	p->cfg = cfg;
	p->cluster = cluster;
	p->store = store;
	p->out = outcomes;
	p->nparts = t->partitions;
	p->first_tp = t->first_tp;
	p->nbrokers = cluster->brokers;
	p->batch_size = cfg->batch_size > 1 ? cfg->batch_size : 1;
	assert(p->nparts > 0 && p->nbrokers > 0);
	uint32_t scratch = p->nparts > p->nbrokers ? p->nparts : p->nbrokers;
	p->parts = calloc(p->nparts, sizeof(*p->parts));
	p->conns = calloc(p->nbrokers, sizeof(*p->conns));
	p->avail = calloc(p->nparts, sizeof(*p->avail));
	p->led = calloc(p->nparts, sizeof(*p->led));
	p->cft = calloc(p->nparts, sizeof(*p->cft));
	p->cft_ids = calloc(p->nparts, sizeof(*p->cft_ids));
	p->scratch = calloc(scratch, sizeof(*p->scratch));
	if (p->parts == NULL || p->conns == NULL || p->avail == NULL || p->led == NULL ||
	    p->cft == NULL || p->cft_ids == NULL || p->scratch == NULL) {
		producer_free(p);
		return -1;
	}
	for (uint64_t i = 0; i < cfg->messages; i++)
		outcomes[i] = (struct rec_outcome){.state = REC_UNSENT, .partition = -1,
						   .offset = -1};
	reset_session(p);
	p->app = cfg->messages == 0 ? PROD_APP_DONE : PROD_APP_IDLE;
	p->next_due_us = cfg->start_us;
	return 0;
}

void producer_free(struct producer *p)
{
	if (p->parts != NULL) {
		for (uint32_t i = 0; i < p->nparts; i++) {
			prod_vec_free(&p->parts[i].q);
			prod_vec_free(&p->parts[i].open);
			prod_vec_free(&p->parts[i].infl);
			prod_vec_free(&p->parts[i].seqs);
		}
	}
	for (uint32_t i = 0; i < p->nreq_cap; i++)
		prod_vec_free(&p->reqs[i].batches);
	free(p->parts);
	free(p->conns);
	free(p->avail);
	free(p->led);
	free(p->cft);
	free(p->cft_ids);
	free(p->scratch);
	free(p->batches);
	free(p->reqs);
	free(p->split_idx);
	free(p->blob);
	memset(p, 0, sizeof(*p));
}

/* ---- the application ------------------------------------------------------------------ */

static void app_timer_at(struct producer *p, struct node_ctx *ctx, int64_t at)
{
	if (p->app_timer != 0)
		node_timer_cancel(ctx, p->app_timer);
	p->app_timer = 0;
	p->app_gen++;
	if (at == INT64_MAX)
		return;
	int64_t delay = at > ctx->now_us ? at - ctx->now_us : 0;
	p->app_timer = node_timer(ctx, delay, PROD_TIMER_APP, p->app_gen);
}

/* When record i is due: start + floor(i * per / count), exact (scenario-format 11.2). */
static int64_t even_due(const struct producer_cfg *c, uint64_t i)
{
	unsigned __int128 off = (unsigned __int128)i * c->rate_per_us / c->rate_count;
	unsigned __int128 due = (unsigned __int128)(uint64_t)c->start_us + off;
	return due > (unsigned __int128)INT64_MAX ? INT64_MAX : (int64_t)due;
}

/* send() returned: the next record, and its due time. */
static void app_advance(struct producer *p, struct node_ctx *ctx)
{
	const struct producer_cfg *c = p->cfg;
	p->in_send = false;
	p->md_passed = false;
	p->next_rec++;
	if (!c->poisson) {
		p->next_due_us = even_due(c, p->next_rec);
		return;
	}
	int64_t gap = prng_exponential(ctx->prng, (int64_t)c->rate_per_us) /
		      (int64_t)c->rate_count;
	p->next_due_us = gap > INT64_MAX - p->next_due_us ? INT64_MAX : p->next_due_us + gap;
}

static void fail_record(struct producer *p, struct node_ctx *ctx, int16_t err, int32_t part)
{
	struct rec_outcome *o = &p->out[p->next_rec];
	assert(o->state == REC_PENDING);
	o->state = REC_FAILED;
	o->error = err;
	o->partition = part;
	struct trace_line *l = node_trace(ctx, "send_failed");
	trace_uint(l, "record", p->next_rec);
	trace_str(l, "error", kafka_error_name(err));
	trace_end(l);
}

/* KafkaProducer.waitOnMetadata. True when the topic's metadata is there. */
static bool wait_metadata(struct producer *p, struct node_ctx *ctx, bool *failed)
{
	int64_t deadline = p->send_start_us + us_of(p->cfg->max_block_ms);
	if (p->have_md)
		return true;
	if (p->app != PROD_APP_BLOCK_MD) {
		/* Metadata.requestUpdateForNewTopics: ask at once. */
		p->md_requested = true;
		p->md_next_allowed_us = p->md_eq_allowed_us = 0;
		p->md_eq = 0;
	}
	if (ctx->now_us >= deadline) {
		fail_record(p, ctx, KERR_REQUEST_TIMED_OUT, -1);   /* TimeoutException */
		*failed = true;
		return false;
	}
	p->app = PROD_APP_BLOCK_MD;
	p->block_deadline_us = deadline;
	app_timer_at(p, ctx, deadline);
	return false;
}

/* KafkaProducer.doSend for the record inside send(). True when send() returned. */
static bool send_step(struct producer *p, struct node_ctx *ctx)
{
	uint64_t i = p->next_rec;
	int32_t klen;
	const uint8_t *key;
	int32_t part_arg = prod_partition_of(p, i, &klen, &key);
	if (!p->md_passed) {
		bool failed = false;
		if (!wait_metadata(p, ctx, &failed))
			return failed;
		p->md_passed = true;
		p->send_ts_ms = ctx->wall_ms;   /* CreateTime, taken after the metadata wait */
		/* ensureValidRecordSize: RecordTooLargeException. */
		int64_t ub = prod_record_upper_bound(klen, prod_value_len(p));
		if (ub > p->cfg->max_request_size || ub > p->cfg->buffer_memory) {
			fail_record(p, ctx, KERR_MESSAGE_TOO_LARGE, part_arg);
			return true;
		}
	}
	int32_t part = prod_append(p, ctx, i, part_arg, klen, p->send_ts_ms);
	if (part >= 0) {
		p->out[i].partition = part;
		return true;
	}
	if (p->nomem)
		return false;
	/* BufferPool.allocate waits what is left of max.block.ms: BufferExhaustedException. */
	int64_t deadline = p->send_start_us + us_of(p->cfg->max_block_ms);
	if (ctx->now_us >= deadline) {
		fail_record(p, ctx, KERR_REQUEST_TIMED_OUT, part_arg);
		return true;
	}
	p->app = PROD_APP_BLOCK_MEM;
	p->block_deadline_us = deadline;
	app_timer_at(p, ctx, deadline);
	return false;
}

/* Hands due records to send() until one blocks or none is due. */
static void app_run(struct producer *p, struct node_ctx *ctx)
{
	const struct producer_cfg *c = p->cfg;
	while (p->session && !p->nomem) {
		if (p->in_send) {
			if (!send_step(p, ctx))
				return;
			app_advance(p, ctx);
			continue;
		}
		int64_t now = ctx->now_us;
		if (p->next_rec >= c->messages || now >= c->stop_us ||
		    p->next_due_us >= c->stop_us) {
			p->app = PROD_APP_DONE;
			app_timer_at(p, ctx, INT64_MAX);
			return;
		}
		if (p->next_due_us > now) {
			p->app = PROD_APP_WAIT_DUE;
			app_timer_at(p, ctx, p->next_due_us);
			return;
		}
		p->app = PROD_APP_WAIT_DUE;
		p->in_send = true;
		p->md_passed = false;
		p->send_start_us = now;
		p->out[p->next_rec] = (struct rec_outcome){.state = REC_PENDING, .partition = -1,
							   .offset = -1};
	}
}

void prod_app_kick(struct producer *p, struct node_ctx *ctx)
{
	if (!p->session || p->nomem)
		return;
	if ((p->app == PROD_APP_BLOCK_MD && p->have_md) ||
	    (p->app == PROD_APP_BLOCK_MEM && prod_memory_for(p, p->next_rec)))
		app_run(p, ctx);
}

static void app_timer(struct producer *p, struct node_ctx *ctx)
{
	bool blocked = p->app == PROD_APP_BLOCK_MD || p->app == PROD_APP_BLOCK_MEM;
	if (blocked && ctx->now_us >= p->block_deadline_us) {
		int32_t part = p->app == PROD_APP_BLOCK_MEM ? p->out[p->next_rec].partition : -1;
		fail_record(p, ctx, KERR_REQUEST_TIMED_OUT, part);
		p->app = PROD_APP_WAIT_DUE;
		app_advance(p, ctx);
	}
	if (!blocked || p->app == PROD_APP_WAIT_DUE)
		app_run(p, ctx);
}

/* ---- the node ------------------------------------------------------------------------- */

static void begin_session(struct producer *p, struct node_ctx *ctx)
{
	p->session = true;
	struct trace_line *l = node_trace(ctx, "producer_start");
	trace_uint(l, "session", p->sessions);
	trace_uint(l, "next_record", p->next_rec);
	trace_end(l);
	app_run(p, ctx);
	prod_sender_run(p, ctx);
}

static void producer_start(void *model, struct node_ctx *ctx)
{
	struct producer *p = model;
	if (p->nomem)
		return;
	reset_session(p);
	p->sessions++;
	if (p->advance_pending) {
		p->advance_pending = false;
		app_advance(p, ctx);
	}
	if (p->app == PROD_APP_DONE)
		return;   /* nothing left to send */
	p->app = PROD_APP_IDLE;
	if (ctx->now_us < p->cfg->start_us) {
		app_timer_at(p, ctx, p->cfg->start_us);
		return;
	}
	begin_session(p, ctx);
}

static void abandon(struct rec_outcome *o)
{
	assert(o->state == REC_PENDING);
	o->state = REC_ABANDONED;
}

/* A crash: what send() had not settled is abandoned; the process's memory is gone. */
static void producer_halt(void *model, enum node_halt how, int64_t now_us)
{
	struct producer *p = model;
	(void)how;
	(void)now_us;
	for (uint32_t id = 0; id < p->nbatch_cap; id++) {
		const struct prod_batch *b = &p->batches[id];
		if (!b->used || b->done)
			continue;
		const uint32_t *idx = prod_batch_indices(p, b);
		for (uint32_t k = 0; k < b->count; k++)
			abandon(&p->out[idx[k]]);
	}
	if (p->in_send) {
		/* The record inside send() was handed: abandoned; the next one follows it
		 * (its due time is drawn at the restart, which has the random stream). */
		abandon(&p->out[p->next_rec]);
		p->advance_pending = true;
	}
	if (p->app != PROD_APP_DONE)
		p->app = PROD_APP_IDLE;
	reset_session(p);
}

static void producer_message(void *model, struct node_ctx *ctx, conn_id conn,
			     const struct net_msg *m, const void *blob, uint32_t blob_len)
{
	struct producer *p = model;
	if (!p->session || p->nomem)
		return;
	prod_on_message(p, ctx, conn, m, blob, blob_len);
	prod_app_kick(p, ctx);
	prod_sender_run(p, ctx);
}

static void producer_conn_event(void *model, struct node_ctx *ctx, conn_id conn,
				enum conn_event ev)
{
	struct producer *p = model;
	if (!p->session || p->nomem)
		return;
	prod_on_conn_event(p, ctx, conn, ev);
	prod_app_kick(p, ctx);
	prod_sender_run(p, ctx);
}

static void producer_timer(void *model, struct node_ctx *ctx, uint32_t kind, uint64_t arg)
{
	struct producer *p = model;
	if (p->nomem)
		return;
	switch (kind) {
	case PROD_TIMER_APP:
		if (arg != p->app_gen)
			return;   /* replaced (it may have waited out a pause) */
		p->app_timer = 0;
		if (!p->session) {
			if (p->app == PROD_APP_IDLE)
				begin_session(p, ctx);
			return;
		}
		app_timer(p, ctx);
		break;
	case PROD_TIMER_WAKE:
		if (!p->session)
			return;
		if (arg == p->wake_gen) {
			p->wake_timer = 0;
			p->wake_at_us = INT64_MIN;
		}
		break;
	case PROD_TIMER_REQUEST:
		if (!p->session)
			return;
		prod_on_request_timeout(p, ctx, arg);
		prod_app_kick(p, ctx);
		break;
	default:
		assert(0 && "unknown producer timer");
	}
	prod_sender_run(p, ctx);
}

const struct node_ops producer_ops = {
	.start = producer_start,
	.halt = producer_halt,
	.message = producer_message,
	.conn_event = producer_conn_event,
	.timer = producer_timer,
};
