/*
 * consumer_app.c — the application thread of scenario-format 11.4: poll() (up to
 * max.poll.records, blocking until records are available), processing one record at a
 * time, process.ms each (a record is processed when its processing completes, appended to
 * the proc_log), the commit modes (auto, after-processing, before-processing, none), the
 * `leave` action (finish the batch, commit per mode, close(): auto-commit, LeaveGroup) and
 * the `stall` action (the thread freezes; the heartbeat thread runs on).
 *
 * Kafka 4.1: ClassicKafkaConsumer.poll (updateAssignmentMetadataIfNeeded with
 * waitForJoinGroup false, pollForFetches, the pipelined sendFetches before returning),
 * commitSync, close (ConsumerCoordinator.close: maybeAutoCommitOffsetsSync, then
 * AbstractCoordinator.close: onLeavePrepare, maybeLeaveGroup), wakeup.
 */
#include "model/consumer_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "model/text.h"
#include "sim/trace.h"

void cons_app_reset(struct consumer *c)
{
	c->app = CAPP_IDLE;
	c->batch_n = c->batch_at = 0;
	c->app_timer = 0;
	c->app_gen++;            /* timers of an earlier session never match */
	c->proc_done_us = 0;
	c->stalled = false;
	c->stall_end_us = 0;
	c->stall_left_us = 0;
	c->stall_pending = false;
	c->stall_pending_us = 0;
	c->leave_requested = false;
	c->cs_inflight = false;
	c->cs_finished = false;
	c->cs_n = 0;
	c->jp_corr = 0;
	c->cs_corr = 0;
}

bool cons_app_polling(const struct consumer *c)
{
	return c->app == CAPP_POLL && !c->stalled;
}

void cons_app_begin(struct consumer *c, struct node_ctx *ctx)
{
	c->app = CAPP_POLL;
	c->poll_entered_us = ctx->now_us;
	c->last_poll_us = ctx->now_us;
	if (c->cfg->commit == CONSUMER_COMMIT_AUTO)   /* nextAutoCommitTimer at construction */
		c->next_auto_commit_us = ctx->now_us + cons_us(c->cfg->auto_commit_interval_ms);
}

/* ---- closing ------------------------------------------------------------------------------ */

/* The application ended: nothing of this member acts again. */
static void stop(struct consumer *c, struct node_ctx *ctx)
{
	for (uint32_t id = 0; id < c->nreq_cap; id++)
		if (c->reqs[id].active && c->reqs[id].timer != 0)
			node_timer_cancel(ctx, c->reqs[id].timer);
	for (uint32_t s = 0; s <= c->nbrokers; s++)
		if (c->conns[s].state != CCONN_DOWN)
			node_close(ctx, c->conns[s].id);   /* what was sent is still delivered */
	if (c->app_timer != 0)
		node_timer_cancel(ctx, c->app_timer);
	if (c->wake_timer != 0)
		node_timer_cancel(ctx, c->wake_timer);
	c->app_timer = c->wake_timer = 0;
	c->app = CAPP_DONE;
	c->left = true;
	c->session = false;
	struct trace_line *l = node_trace(ctx, "consumer_closed");
	trace_end(l);
}

/* AbstractCoordinator.close: onLeavePrepare (revoke, or lose after a reset), then
 * maybeLeaveGroup. */
static void finish_close(struct consumer *c, struct node_ctx *ctx)
{
	if (c->assigned.n > 0) {
		char buf[3000];
		bool lost = c->generation < 0 || c->gstate == CGRP_PREPARING ||
			    c->gstate == CGRP_COMPLETING;
		struct trace_line *l = node_trace(ctx, "revoked");
		trace_int(l, "generation", c->generation);
		if (lost)
			trace_bool(l, "lost", true);
		trace_raw(l, "partitions", cons_tps_json(c, c->assigned.v, c->assigned.n, buf,
							 sizeof(buf)));
		trace_end(l);
		cons_assign(c, NULL, 0);
	}
	cons_maybe_leave_group(c, ctx, "the consumer is being closed");
	stop(c, ctx);
}

/* close(): under auto-commit, commitSync of the positions first (failures ignored). */
static void close_consumer(struct consumer *c, struct node_ctx *ctx)
{
	c->leave_requested = false;
	if (c->cfg->commit != CONSUMER_COMMIT_AUTO) {
		finish_close(c, ctx);
		return;
	}
	struct commit_part *offs = NULL;
	uint32_t n = cons_all_consumed(c, &offs);
	cons_commit_sync_start(c, ctx, CSP_CLOSE, offs, n);
}

/* The loop polls again, or closes when a leave is waiting. */
static void to_poll(struct consumer *c, struct node_ctx *ctx)
{
	c->batch_n = c->batch_at = 0;
	if (c->leave_requested) {
		close_consumer(c, ctx);
		return;
	}
	c->app = CAPP_POLL;
	c->poll_entered_us = ctx->now_us;
}

/* ---- processing ---------------------------------------------------------------------- */

static void log_append(struct consumer *c, const struct proc_event *e)
{
	struct proc_log *log = c->log;
	if (log->n == log->cap) {
		uint64_t n = log->cap ? log->cap * 2 : 1024;
		struct proc_event *q = realloc(log->ev, (size_t)n * sizeof(*q));
		if (q == NULL) {
			log->oom = true;
			cons_set_nomem(c);
			return;
		}
		log->ev = q;
		log->cap = n;
	}
	log->ev[log->n++] = *e;
}

/* The record being processed completes: PROCESSED. */
static void record_done(struct consumer *c)
{
	assert(c->batch_at < c->batch_n);
	const struct cons_rec *r = &c->batch[c->batch_at++];
	struct proc_event e = {
		.client = c->cfg->client, .tp = c->parts[r->part].tp, .offset = r->offset,
		.producer = r->producer, .index = r->index, .generation = c->generation,
		.owned = cons_owns(c, r->part),
	};
	log_append(c, &e);
}

/* after-processing: commitSync of the next offset of each partition in the batch. */
static void commit_batch(struct consumer *c, struct node_ctx *ctx)
{
	uint32_t n = 0;
	struct commit_part *offs = cons_blob(c, c->batch_n * (uint32_t)sizeof(*offs) + 1);
	if (offs == NULL)
		return;
	for (uint32_t i = c->batch_n; i-- > 0;) {
		const struct cons_rec *r = &c->batch[i];
		struct cons_part *p = &c->parts[r->part];
		if (p->mark)
			continue;
		p->mark = true;
		offs[n++] = (struct commit_part){p->tp, r->epoch, r->offset + 1};
	}
	for (uint32_t i = 0; i < n; i++)
		c->parts[cons_part_of(c, offs[i].tp)].mark = false;
	cons_commit_sync_start(c, ctx, CSP_AFTER, offs, n);
}

static void batch_done(struct consumer *c, struct node_ctx *ctx)
{
	if (c->cfg->commit == CONSUMER_COMMIT_AFTER_PROCESSING && c->batch_n > 0) {
		commit_batch(c, ctx);
		return;
	}
	to_poll(c, ctx);
}

static void stall_begin(struct consumer *c, struct node_ctx *ctx, int64_t arg_us);

/* Processes the batch from batch_at: one record at a time, process.ms each. */
static void process_next(struct consumer *c, struct node_ctx *ctx)
{
	c->app = CAPP_PROCESS;
	while (c->batch_at < c->batch_n && !c->nomem) {
		if (c->stall_pending) {
			/* The stall that waited for a record: this one takes that much longer. */
			c->stall_pending = false;
			c->proc_done_us = ctx->now_us + c->cfg->process_us;
			c->app_timer = 0;
			stall_begin(c, ctx, c->stall_pending_us);
			return;
		}
		if (c->cfg->process_us > 0) {
			c->proc_done_us = ctx->now_us + c->cfg->process_us;
			c->app_gen++;
			c->app_timer = node_timer(ctx, c->cfg->process_us, CT_APP, c->app_gen);
			return;
		}
		record_done(c);
	}
	batch_done(c, ctx);
}

void cons_app_timer(struct consumer *c, struct node_ctx *ctx)
{
	if (c->app != CAPP_PROCESS || c->stalled)
		return;
	record_done(c);
	process_next(c, ctx);
}

void cons_app_commit_done(struct consumer *c, struct node_ctx *ctx, bool ok)
{
	assert(c->app == CAPP_COMMIT);
	c->cs_finished = false;
	switch (c->cs_purpose) {
	case CSP_BEFORE:
		if (ok) {
			c->batch_at = 0;
			process_next(c, ctx);
		} else {
			to_poll(c, ctx);   /* the batch is not processed */
		}
		break;
	case CSP_AFTER:
		to_poll(c, ctx);
		break;
	case CSP_CLOSE:
		finish_close(c, ctx);
		break;
	default:
		assert(0 && "unknown commitSync purpose");
	}
}

/* ---- poll() ------------------------------------------------------------------------------ */

/* poll() returned records. */
static void returned(struct consumer *c, struct node_ctx *ctx)
{
	c->last_poll_us = ctx->now_us;
	struct trace_line *l = node_trace(ctx, "poll");
	trace_uint(l, "records", c->batch_n);
	trace_int(l, "generation", c->generation);
	trace_int(l, "entered_us", c->poll_entered_us);
	trace_end(l);
	if (c->cfg->commit == CONSUMER_COMMIT_BEFORE_PROCESSING) {
		struct commit_part *offs = NULL;
		uint32_t n = cons_all_consumed(c, &offs);
		cons_commit_sync_start(c, ctx, CSP_BEFORE, offs, n);
		return;
	}
	c->batch_at = 0;
	process_next(c, ctx);
}

/* One iteration of ClassicKafkaConsumer.poll's loop; true when poll() returned. */
static bool poll_step(struct consumer *c, struct node_ctx *ctx, int64_t *wake)
{
	if (c->leave_requested) {
		close_consumer(c, ctx);   /* wakeup(): poll() is left, close() follows */
		return true;
	}
	c->last_poll_us = ctx->now_us;   /* pollHeartbeat */
	if (cons_group_poll(c, ctx, wake) && !c->nomem) {
		cons_maybe_auto_commit(c, ctx, wake);
		cons_update_positions(c, ctx, wake);
	}
	if (c->nomem || c->app != CAPP_POLL)
		return false;
	uint32_t n = cons_collect(c, ctx);
	cons_send_fetches(c, ctx, wake);   /* pipelined when records are returned */
	if (n == 0 || c->nomem)
		return false;
	returned(c, ctx);
	return true;
}

void cons_app_step(struct consumer *c, struct node_ctx *ctx, int64_t *wake)
{
	for (int guard = 0; c->session && !c->nomem; guard++) {
		if (guard == 64) {
			/* Batch after batch at one instant (process.ms 0): go on at once, but
			 * let the other threads and the world run in between. */
			cons_wake_at(wake, ctx->now_us, ctx->now_us);
			return;
		}
		if (c->stalled) {
			if (ctx->now_us < c->stall_end_us) {
				cons_wake_at(wake, c->stall_end_us, ctx->now_us);
				return;
			}
			cons_app_action(c, ctx, NODE_ACTION_STALL_END, 0);
		}
		uint8_t before = c->app;
		bool moved = false;
		if (c->app == CAPP_POLL)
			moved = poll_step(c, ctx, wake);
		else if (c->app == CAPP_COMMIT)
			cons_commit_sync_step(c, ctx, wake);
		moved |= c->app != before;
		if (!moved || c->app == CAPP_PROCESS)
			return;
	}
}

/* ---- leave and stall ------------------------------------------------------------------------- */

/* The record being processed takes arg_us longer: the application thread freezes (the
 * heartbeat thread runs on). A member that is not processing a record (inside poll() or
 * commitSync()) stalls on the next record it processes. */
static void stall_begin(struct consumer *c, struct node_ctx *ctx, int64_t arg_us)
{
	int64_t end = arg_us < 0 ? INT64_MAX : cons_add_sat(ctx->now_us, arg_us);
	if (c->stalled) {
		if (end > c->stall_end_us)
			c->stall_end_us = end;
		return;
	}
	bool processing = c->app == CAPP_PROCESS && c->batch_at < c->batch_n;
	struct trace_line *l = node_trace(ctx, "stall");
	trace_int(l, "for_us", arg_us);
	trace_str(l, "in", processing ? "processing" : "pending: the next record");
	trace_end(l);
	if (!processing) {
		int64_t had = c->stall_pending_us;
		bool longer = arg_us < 0 || (had >= 0 && arg_us > had);
		if (!c->stall_pending || longer)
			c->stall_pending_us = arg_us;
		c->stall_pending = true;
		return;
	}
	c->stalled = true;
	c->stall_end_us = end;
	if (c->app_timer != 0)
		node_timer_cancel(ctx, c->app_timer);
	c->app_timer = 0;
	c->stall_left_us = c->proc_done_us > ctx->now_us ? c->proc_done_us - ctx->now_us : 0;
}

static void stall_end(struct consumer *c, struct node_ctx *ctx)
{
	c->stall_pending = false;
	if (!c->stalled)
		return;
	c->stalled = false;
	struct trace_line *l = node_trace(ctx, "stall_end");
	trace_end(l);
	if (c->app == CAPP_PROCESS && c->batch_at < c->batch_n) {
		c->proc_done_us = ctx->now_us + c->stall_left_us;
		c->app_gen++;
		c->app_timer = node_timer(ctx, c->stall_left_us, CT_APP, c->app_gen);
	}
}

void cons_app_action(struct consumer *c, struct node_ctx *ctx, enum node_action what,
		     int64_t arg_us)
{
	switch (what) {
	case NODE_ACTION_LEAVE: {
		if (c->app == CAPP_DONE)
			return;
		c->leave_requested = true;
		struct trace_line *l = node_trace(ctx, "leave");
		trace_str(l, "in", c->app == CAPP_PROCESS ? "processing"
				   : c->app == CAPP_POLL ? "poll" : "commit");
		trace_end(l);
		break;
	}
	case NODE_ACTION_STALL:
		if (arg_us != 0)
			stall_begin(c, ctx, arg_us);
		break;
	case NODE_ACTION_STALL_END:
		stall_end(c, ctx);
		break;
	default:
		assert(0 && "unknown node action");
	}
}
