/*
 * consumer_offsets.c — offsets: OffsetCommit (the periodic auto-commit, onJoinPrepare's
 * auto-commit, commitSync of the application and of close()), OffsetFetch of committed
 * offsets for new partitions, and fetch positions: auto.offset.reset through ListOffsets
 * and KIP-320 validation through OffsetsForLeaderEpoch.
 *
 * Kafka 4.1: ConsumerCoordinator.java (maybeAutoCommitOffsetsAsync, autoCommitOffsetsAsync,
 * commitOffsetsSync, sendOffsetCommitRequest with generationIfStable(),
 * OffsetCommitResponseHandler, fetchCommittedOffsets, OffsetFetchResponseHandler),
 * ConsumerUtils.refreshCommittedOffsets, SubscriptionState.java (allConsumed,
 * seekUnvalidated, resetInitializingPositions, requestOffsetReset, maybeCompleteValidation,
 * maybeValidatePositionForCurrentLeader), OffsetFetcher.java and OffsetFetcherUtils
 * (resetPositionsIfNeeded, validatePositionsIfNeeded), ClassicKafkaConsumer.
 * updateFetchPositions.
 */
#include "model/consumer_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "model/text.h"
#include "sim/trace.h"

/* ---- commits --------------------------------------------------------------------------- */

/* SubscriptionState.allConsumed: every assigned partition with a valid position. The
 * array lives in the request scratch blob until the next request is built. */
uint32_t cons_all_consumed(struct consumer *c, struct commit_part **out)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < c->nparts; i++)
		n += c->parts[i].fstate == FS_FETCHING;
	struct commit_part *offs = cons_blob(c, n * (uint32_t)sizeof(*offs) + 1);
	*out = offs;
	if (offs == NULL)
		return 0;
	uint32_t k = 0;
	for (uint32_t i = 0; i < c->nparts; i++) {
		const struct cons_part *p = &c->parts[i];
		if (p->fstate == FS_FETCHING)
			offs[k++] = (struct commit_part){p->tp, p->pos_epoch, p->position};
	}
	return k;
}

bool cons_commit_send(struct consumer *c, struct node_ctx *ctx, uint8_t kind,
		      const struct commit_part *offs, uint32_t n, int16_t *err)
{
	assert(n > 0);
	if (c->gstate != CGRP_STABLE) {
		/* generationIfStable() is null: RebalanceInProgressException while a rebalance
		 * is under way, else CommitFailedException ("kicked out of the group"). */
		*err = c->gstate == CGRP_UNJOINED ? KERR_ILLEGAL_GENERATION
						  : KERR_REBALANCE_IN_PROGRESS;
		return false;
	}
	uint32_t bytes = n * (uint32_t)sizeof(*offs);
	/* offs may live in the scratch blob (cons_all_consumed): it must not move. */
	assert((const void *)offs != (const void *)c->blob || bytes + 1 <= c->blob_cap);
	uint8_t *b = cons_blob(c, bytes + 1);
	uint32_t id = b == NULL ? CONS_NONE : cons_req_new(c, CREQ_COMMIT, c->nbrokers);
	if (id == CONS_NONE) {
		*err = KERR_NETWORK_EXCEPTION;
		return false;
	}
	if ((const void *)b != (const void *)offs)
		memmove(b, offs, bytes);
	struct cons_req *r = &c->reqs[id];
	r->commit_kind = kind;
	r->generation = c->generation;
	r->member = c->member;
	struct offset_commit q = {.group = c->cfg->group, .generation = c->generation,
				  .member = c->member, .n = n};
	struct net_msg m;
	PROTO_PUT(&m, MSG_OFFSET_COMMIT, q);
	/* The corr is known once written; handlers of an earlier, abandoned commit of the
	 * same kind are told apart by it. */
	uint64_t corr = cons_req_next_corr(c, id);
	if (kind == CCOMMIT_SYNC)
		c->cs_corr = corr;
	else if (kind == CCOMMIT_JOIN_PREPARE)
		c->jp_corr = corr;
	cons_req_send(c, ctx, id, &m, b, bytes, cons_us(c->cfg->request_timeout_ms));
	return true;
}

static void trace_commit_failed(struct consumer *c, struct node_ctx *ctx, const char *kind,
				int16_t err, const char *exception)
{
	struct trace_line *l = node_trace(ctx, "commit_failed");
	trace_str(l, "commit", kind);
	trace_str(l, "error", kafka_error_name(err));
	trace_str(l, "exception", exception);
	trace_int(l, "generation", c->generation);
	trace_end(l);
}

/* ConsumerCoordinator.maybeAutoCommitOffsetsAsync, at the end of coordinator.poll(). */
void cons_maybe_auto_commit(struct consumer *c, struct node_ctx *ctx, int64_t *wake)
{
	int64_t now = ctx->now_us;
	if (c->cfg->commit != CONSUMER_COMMIT_AUTO)
		return;
	if (now < c->next_auto_commit_us) {
		cons_wake_at(wake, c->next_auto_commit_us, now);
		return;
	}
	if (!cons_coord_ready(c, ctx, wake))
		return;   /* the commit waits for the coordinator's connection */
	c->next_auto_commit_us = now + cons_us(c->cfg->auto_commit_interval_ms);
	cons_wake_at(wake, c->next_auto_commit_us, now);
	struct commit_part *offs = NULL;
	uint32_t n = cons_all_consumed(c, &offs);
	int16_t err = KERR_NONE;
	if (n > 0 && !cons_commit_send(c, ctx, CCOMMIT_AUTO, offs, n, &err))
		trace_commit_failed(c, ctx, "auto", err, "none (logged)");
}

/* The outcome of an OffsetCommit answer (OffsetCommitResponseHandler). */
struct commit_outcome {
	bool ok;
	bool retriable;
	int  exception;               /* enum consumer_exception, or -1 */
	int16_t error;
};

static struct commit_outcome classify(struct consumer *c, struct node_ctx *ctx,
				      const struct cons_req *r, int16_t err, bool answered)
{
	struct commit_outcome o = {.error = err, .exception = -1};
	bool unchanged = r->generation == c->generation &&
			 memcmp(r->member.uuid, c->member.uuid, 16) == 0;
	switch (err) {
	case KERR_NONE:
		o.ok = true;
		break;
	case KERR_COORDINATOR_LOAD_IN_PROGRESS:
	case KERR_UNKNOWN_TOPIC_OR_PARTITION:
		o.retriable = true;
		break;
	case KERR_COORDINATOR_NOT_AVAILABLE:
	case KERR_NOT_COORDINATOR:
	case KERR_REQUEST_TIMED_OUT:
		cons_mark_coord_unknown(c, ctx, !answered, kafka_error_name(err));
		o.retriable = true;
		break;
	case KERR_REBALANCE_IN_PROGRESS:
		cons_request_rejoin(c);
		o.exception = CEX_REBALANCE_IN_PROGRESS;
		break;
	case KERR_UNKNOWN_MEMBER_ID:
	case KERR_ILLEGAL_GENERATION:
		if (!unchanged && c->gstate == CGRP_PREPARING) {
			o.exception = CEX_REBALANCE_IN_PROGRESS;
		} else {
			/* The member id survives ILLEGAL_GENERATION. */
			cons_reset_generation(c, err != KERR_ILLEGAL_GENERATION,
					      "error from OFFSET_COMMIT response", ctx);
			o.exception = CEX_COMMIT_FAILED;
		}
		break;
	default:
		if (!answered) {   /* DisconnectException: retriable */
			cons_mark_coord_unknown(c, ctx, true, kafka_error_name(err));
			o.retriable = true;
		}
		break;   /* else an unexpected KafkaException */
	}
	return o;
}

static void sync_commit_result(struct consumer *c, struct node_ctx *ctx,
			       struct commit_outcome o);

void cons_commit_done(struct consumer *c, struct node_ctx *ctx, const struct cons_req *r,
		      const struct net_msg *m, const void *blob, uint32_t len, int16_t err)
{
	struct offset_commit_resp resp = {.error = err};
	if (m != NULL) {
		PROTO_GET(m, resp);
		uint64_t fits = len / sizeof(struct commit_part_resp);
		for (uint32_t i = 0; resp.error == KERR_NONE && i < resp.n && i < fits; i++) {
			struct commit_part_resp pr;
			memcpy(&pr, (const uint8_t *)blob + (size_t)i * sizeof(pr), sizeof(pr));
			resp.error = pr.error;
		}
	}
	struct commit_outcome o = classify(c, ctx, r, resp.error, m != NULL);
	int64_t now = ctx->now_us;
	switch (r->commit_kind) {
	case CCOMMIT_AUTO:
		if (o.retriable)   /* RetriableCommitFailedException: try again soon */
			c->next_auto_commit_us = now + cons_us(c->cfg->retry_backoff_ms);
		if (!o.ok)
			trace_commit_failed(c, ctx, "auto", o.error, "none (logged)");
		break;
	case CCOMMIT_JOIN_PREPARE:
		if (c->jp_commit != CJP_PENDING || r->corr != c->jp_corr)
			break;   /* onJoinPrepare gave up waiting (its timer expired) */
		c->jp_commit = o.retriable ? CJP_RETRY : CJP_DONE;
		c->jp_retry_us = now + cons_us(c->cfg->retry_backoff_ms);
		if (!o.ok)
			trace_commit_failed(c, ctx, "before_rebalance", o.error, "none (logged)");
		break;
	case CCOMMIT_SYNC:
		if (c->app == CAPP_COMMIT && c->cs_inflight && r->corr == c->cs_corr)
			sync_commit_result(c, ctx, o);
		break;
	default:
		assert(0 && "unknown commit kind");
	}
}

/* ---- commitSync ---------------------------------------------------------------------- */

static const char *purpose_name(uint8_t p)
{
	return p == CSP_AFTER ? "after_processing" : p == CSP_BEFORE ? "before_processing"
								  : "close";
}

/* commitSync() returns or throws: the application thread takes it from here when it runs
 * (not while stalled). close() swallows what it throws. */
static void sync_finish(struct consumer *c, struct node_ctx *ctx, int exception, int16_t err)
{
	c->cs_inflight = false;
	c->cs_finished = true;
	c->cs_ok = exception < 0;
	if (exception < 0)
		return;
	bool counted = c->cs_purpose != CSP_CLOSE;
	trace_commit_failed(c, ctx, purpose_name(c->cs_purpose), err,
			    counted ? consumer_exception_name((enum consumer_exception)exception)
				    : "none (logged)");
	if (counted && exception < CEX_COUNT)
		cons_count_exception(c, ctx, (enum consumer_exception)exception, CONS_NONE);
}

static void sync_commit_result(struct consumer *c, struct node_ctx *ctx,
			       struct commit_outcome o)
{
	c->cs_inflight = false;
	if (o.ok) {
		sync_finish(c, ctx, -1, KERR_NONE);
	} else if (o.retriable) {
		c->cs_retry_us = ctx->now_us + cons_retry_backoff_us(c, ctx, c->cs_attempts++);
	} else {
		/* An unexpected KafkaException has no counter of its own. */
		sync_finish(c, ctx, o.exception >= 0 ? o.exception : CEX_COUNT, o.error);
	}
}

void cons_commit_sync_start(struct consumer *c, struct node_ctx *ctx, uint8_t purpose,
			    const struct commit_part *offs, uint32_t n)
{
	c->app = CAPP_COMMIT;
	c->cs_purpose = purpose;
	c->cs_inflight = false;
	c->cs_finished = false;
	c->cs_ok = false;
	c->cs_attempts = 0;
	c->cs_retry_us = 0;
	int64_t timeout_ms = purpose == CSP_CLOSE ? CONS_CLOSE_TIMEOUT_MS
						  : c->cfg->default_api_timeout_ms;
	c->cs_deadline_us = cons_add_sat(ctx->now_us, cons_us(timeout_ms));
	c->cs_n = 0;
	if (n > 0) {
		if (n > c->cs_cap) {
			struct commit_part *q = realloc(c->cs_offs, (size_t)n * sizeof(*q));
			if (q == NULL) {
				cons_set_nomem(c);
				return;
			}
			c->cs_offs = q;
			c->cs_cap = n;
		}
		memmove(c->cs_offs, offs, (size_t)n * sizeof(*offs));
		c->cs_n = n;
	}
}

/* ConsumerCoordinator.commitOffsetsSync: empty offsets return at once; otherwise find the
 * coordinator, send, retry retriable failures with backoff until default.api.timeout.ms. */
void cons_commit_sync_step(struct consumer *c, struct node_ctx *ctx, int64_t *wake)
{
	int64_t now = ctx->now_us;
	if (c->cs_n == 0 && !c->cs_finished)
		sync_finish(c, ctx, -1, KERR_NONE);
	if (c->cs_finished) {
		cons_app_commit_done(c, ctx, c->cs_ok);
		return;
	}
	if (now >= c->cs_deadline_us) {
		sync_finish(c, ctx, CEX_TIMEOUT, KERR_REQUEST_TIMED_OUT);
		cons_app_commit_done(c, ctx, false);
		return;
	}
	cons_wake_at(wake, c->cs_deadline_us, now);
	if (c->cs_inflight)
		return;
	if (now < c->cs_retry_us) {
		cons_wake_at(wake, c->cs_retry_us, now);
		return;
	}
	if (!cons_coord_known(c)) {
		cons_coord_lookup(c, ctx, wake);
		return;
	}
	if (!cons_coord_ready(c, ctx, wake))
		return;
	int16_t err = KERR_NONE;
	c->cs_inflight = true;
	if (!cons_commit_send(c, ctx, CCOMMIT_SYNC, c->cs_offs, c->cs_n, &err)) {
		c->cs_inflight = false;
		sync_finish(c, ctx, err == KERR_REBALANCE_IN_PROGRESS ? CEX_REBALANCE_IN_PROGRESS
								      : CEX_COMMIT_FAILED, err);
		cons_app_commit_done(c, ctx, false);
	}
}

/* ---- committed offsets (OffsetFetch) ------------------------------------------------------ */

static void send_offset_fetch(struct consumer *c, struct node_ctx *ctx)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < c->nparts; i++)
		n += c->parts[i].fstate == FS_INITIALIZING && c->parts[i].ofetch == COF_NEED;
	uint32_t *tps = cons_blob(c, 4 * n + 4);
	uint32_t id = tps == NULL ? CONS_NONE : cons_req_new(c, CREQ_OFFSET_FETCH, c->nbrokers);
	if (id == CONS_NONE)
		return;
	uint32_t k = 0;
	for (uint32_t i = 0; i < c->nparts; i++) {
		struct cons_part *p = &c->parts[i];
		if (p->fstate == FS_INITIALIZING && p->ofetch == COF_NEED) {
			p->ofetch = COF_INFLIGHT;
			tps[k++] = p->tp;
		}
	}
	struct offset_fetch q = {.group = c->cfg->group, .n = k};
	struct net_msg m;
	PROTO_PUT(&m, MSG_OFFSET_FETCH, q);
	c->ofetch_inflight = true;
	cons_req_send(c, ctx, id, &m, tps, 4 * k, cons_us(c->cfg->request_timeout_ms));
}

static void ofetch_failed(struct consumer *c, struct node_ctx *ctx)
{
	for (uint32_t i = 0; i < c->nparts; i++)
		if (c->parts[i].ofetch == COF_INFLIGHT)
			c->parts[i].ofetch = COF_NEED;
	c->ofetch_retry_us = ctx->now_us + cons_retry_backoff_us(c, ctx, c->ofetch_attempts++);
}

static void trace_position(struct consumer *c, struct node_ctx *ctx, const char *ev,
			   uint32_t part, const char *why)
{
	const struct cons_part *p = &c->parts[part];
	char name[300];
	struct trace_line *l = node_trace(ctx, ev);
	trace_str(l, "partition", text_tp(c->cluster, p->tp, name, sizeof(name)));
	trace_int(l, "offset", p->position);
	trace_int(l, "epoch", p->pos_epoch);
	trace_str(l, "why", why);
	trace_end(l);
}

/* FetchPosition(offset, epoch, currentLeader) and SubscriptionState.seekUnvalidated: a
 * position with an epoch is validated before it is fetched (KIP-320). */
static void seek_unvalidated(struct consumer *c, uint32_t part, int64_t offset, int32_t epoch)
{
	struct cons_part *p = &c->parts[part];
	cons_drop_buffered(c, part);
	p->position = offset;
	p->pos_epoch = epoch;
	p->pos_leader = p->leader;
	p->pos_leader_epoch = p->leader_epoch;
	p->retry_us = 0;
	p->fstate = epoch >= 0 && p->leader_epoch >= 0 ? FS_AWAIT_VALIDATION : FS_FETCHING;
}

void cons_ofetch_done(struct consumer *c, struct node_ctx *ctx, const struct cons_req *r,
		      const struct net_msg *m, const void *blob, uint32_t len, int16_t err)
{
	(void)r;
	c->ofetch_inflight = false;
	struct offset_fetch_resp resp = {.error = err};
	if (m != NULL)
		PROTO_GET(m, resp);
	if (resp.error != KERR_NONE || (uint64_t)resp.n * sizeof(struct offset_fetch_part) > len) {
		if (resp.error == KERR_NOT_COORDINATOR)
			cons_mark_coord_unknown(c, ctx, false, "NOT_COORDINATOR");
		ofetch_failed(c, ctx);
		return;
	}
	c->ofetch_attempts = 0;
	for (uint32_t i = 0; i < resp.n; i++) {
		struct offset_fetch_part op;
		memcpy(&op, (const uint8_t *)blob + (size_t)i * sizeof(op), sizeof(op));
		uint32_t part = cons_part_of(c, op.tp);
		if (part == CONS_NONE || c->parts[part].fstate != FS_INITIALIZING ||
		    c->parts[part].ofetch != COF_INFLIGHT)
			continue;   /* no longer assigned, or positioned since */
		if (op.offset < 0) {
			c->parts[part].ofetch = COF_NONE;
			continue;
		}
		struct cons_part *p = &c->parts[part];
		if (op.leader_epoch > p->leader_epoch && p->leader_epoch >= 0)
			c->md_requested = true;   /* updateLastSeenEpochIfNewer */
		seek_unvalidated(c, part, op.offset, op.leader_epoch);
		trace_position(c, ctx, "position", part, "committed");
	}
	for (uint32_t i = 0; i < c->nparts; i++)
		if (c->parts[i].ofetch == COF_INFLIGHT)
			c->parts[i].ofetch = COF_NEED;   /* not in the answer: ask again */
}

/* ---- resets and validation ----------------------------------------------------------------- */

void cons_request_reset(struct consumer *c, uint32_t part, const char *why)
{
	struct cons_part *p = &c->parts[part];
	cons_drop_buffered(c, part);
	p->fstate = FS_AWAIT_RESET;
	p->reset = (uint8_t)c->cfg->reset;
	p->why = why;
	p->retry_us = 0;
}

/* An exception for the partition reaches the application once; the partition waits for
 * a new assignment. */
static void stuck(struct consumer *c, struct node_ctx *ctx, uint32_t part,
		  enum consumer_exception e)
{
	cons_drop_buffered(c, part);
	c->parts[part].fstate = FS_STUCK;
	cons_count_exception(c, ctx, e, part);
}

void cons_maybe_validate(struct consumer *c, uint32_t part)
{
	struct cons_part *p = &c->parts[part];
	if (p->fstate != FS_FETCHING && p->fstate != FS_AWAIT_VALIDATION)
		return;
	if (p->leader < 0)
		return;   /* no leader now: nothing to validate against */
	if (p->pos_leader == p->leader && p->pos_leader_epoch == p->leader_epoch)
		return;
	p->pos_leader = p->leader;
	p->pos_leader_epoch = p->leader_epoch;
	if (p->pos_epoch >= 0 && p->leader_epoch >= 0) {
		p->fstate = FS_AWAIT_VALIDATION;
		p->retry_us = 0;
	}
}

static void part_backoff(struct consumer *c, uint32_t part, int64_t now, bool metadata)
{
	c->parts[part].retry_us = now + cons_us(c->cfg->retry_backoff_ms);
	if (metadata)
		c->md_requested = true;
}

static bool metadata_error(int16_t err)
{
	return err == KERR_NOT_LEADER_OR_FOLLOWER || err == KERR_FENCED_LEADER_EPOCH ||
	       err == KERR_UNKNOWN_LEADER_EPOCH || err == KERR_LEADER_NOT_AVAILABLE ||
	       err == KERR_UNKNOWN_TOPIC_OR_PARTITION || err == KERR_KAFKA_STORAGE_ERROR ||
	       err == KERR_NETWORK_EXCEPTION || err == KERR_REQUEST_TIMED_OUT;
}

static int64_t reset_timestamp(const struct consumer *c, const struct node_ctx *ctx,
			       uint8_t strategy)
{
	switch (strategy) {
	case CONSUMER_RESET_EARLIEST: return LIST_OFFSETS_EARLIEST;
	case CONSUMER_RESET_BY_DURATION: return ctx->wall_ms - c->cfg->reset_by_duration_ms;
	default: return LIST_OFFSETS_LATEST;
	}
}

static void send_list_offsets(struct consumer *c, struct node_ctx *ctx, uint32_t part)
{
	struct cons_part *p = &c->parts[part];
	uint32_t id = cons_req_new(c, CREQ_LIST_OFFSETS, p->leader_b);
	if (id == CONS_NONE)
		return;
	struct list_offsets q = {.tp = p->tp, .current_leader_epoch = p->leader_epoch,
				 .timestamp = reset_timestamp(c, ctx, p->reset)};
	c->reqs[id].part = part;
	c->reqs[id].offset = q.timestamp;
	struct net_msg m;
	PROTO_PUT(&m, MSG_LIST_OFFSETS, q);
	p->req_inflight = true;
	cons_req_send(c, ctx, id, &m, NULL, 0, cons_us(c->cfg->request_timeout_ms));
}

static const char *strategy_name(uint8_t s)
{
	switch (s) {
	case CONSUMER_RESET_EARLIEST: return "earliest";
	case CONSUMER_RESET_BY_DURATION: return "by_duration";
	case CONSUMER_RESET_NONE: return "none";
	default: return "latest";
	}
}

void cons_list_offsets_done(struct consumer *c, struct node_ctx *ctx, const struct cons_req *r,
			    const struct net_msg *m, const void *blob, uint32_t len, int16_t err)
{
	(void)blob;
	(void)len;
	struct cons_part *p = &c->parts[r->part];
	p->req_inflight = false;
	struct list_offsets_resp resp = {.error = err, .offset = -1};
	if (m != NULL)
		PROTO_GET(m, resp);
	if (p->fstate != FS_AWAIT_RESET)
		return;   /* repositioned or unassigned meanwhile */
	if (resp.error != KERR_NONE) {
		part_backoff(c, r->part, ctx->now_us, metadata_error(resp.error));
		return;
	}
	if (resp.offset < 0) {
		/* by_duration: no record that new; reset to the end instead. */
		p->reset = CONSUMER_RESET_LATEST;
		return;
	}
	p->position = resp.offset;
	p->pos_epoch = -1;   /* "this will ensure we skip validation" */
	p->pos_leader = p->leader;
	p->pos_leader_epoch = p->leader_epoch;
	p->fstate = FS_FETCHING;
	struct trace_line *l = node_trace(ctx, "offset_reset");
	char name[300];
	trace_str(l, "partition", text_tp(c->cluster, p->tp, name, sizeof(name)));
	trace_int(l, "offset", resp.offset);
	trace_str(l, "strategy", strategy_name(p->reset));
	trace_str(l, "why", p->why != NULL ? p->why : "reset");
	trace_end(l);
}

static void send_epoch(struct consumer *c, struct node_ctx *ctx, uint32_t part)
{
	struct cons_part *p = &c->parts[part];
	uint32_t id = cons_req_new(c, CREQ_EPOCH, p->leader_b);
	if (id == CONS_NONE)
		return;
	struct offsets_for_epoch q = {.tp = p->tp, .current_leader_epoch = p->leader_epoch,
				      .leader_epoch = p->pos_epoch};
	c->reqs[id].part = part;
	c->reqs[id].offset = p->position;
	struct net_msg m;
	PROTO_PUT(&m, MSG_OFFSETS_FOR_LEADER_EPOCH, q);
	p->req_inflight = true;
	cons_req_send(c, ctx, id, &m, NULL, 0, cons_us(c->cfg->request_timeout_ms));
}

/* SubscriptionState.maybeCompleteValidation. */
void cons_epoch_done(struct consumer *c, struct node_ctx *ctx, const struct cons_req *r,
		     const struct net_msg *m, const void *blob, uint32_t len, int16_t err)
{
	(void)blob;
	(void)len;
	struct cons_part *p = &c->parts[r->part];
	p->req_inflight = false;
	struct offsets_for_epoch_resp resp = {.error = err, .leader_epoch = -1, .end_offset = -1};
	if (m != NULL)
		PROTO_GET(m, resp);
	if (p->fstate != FS_AWAIT_VALIDATION || p->position != r->offset)
		return;   /* the position moved on meanwhile */
	if (resp.error != KERR_NONE) {
		part_backoff(c, r->part, ctx->now_us, metadata_error(resp.error));
		return;
	}
	bool policy = c->cfg->reset != CONSUMER_RESET_NONE;
	if (resp.end_offset < 0 || resp.leader_epoch < 0) {
		/* The leader knows no end offset for the epoch. */
		if (policy)
			cons_request_reset(c, r->part, "undefined_epoch_end_offset");
		else
			stuck(c, ctx, r->part, CEX_LOG_TRUNCATION);
		return;
	}
	if (resp.end_offset >= p->position) {
		p->fstate = FS_FETCHING;   /* completeValidation */
		return;
	}
	/* Truncation: the log under the position was replaced. */
	if (!policy) {
		stuck(c, ctx, r->part, CEX_LOG_TRUNCATION);
		return;
	}
	cons_drop_buffered(c, r->part);
	p->position = resp.end_offset;   /* seekValidated to the divergence point */
	p->pos_epoch = resp.leader_epoch;
	p->fstate = FS_FETCHING;
	trace_position(c, ctx, "offset_reset", r->part, "truncation");
}

/* Sends the requests a partition in state st needs, when its retry time and leader allow. */
static void part_requests(struct consumer *c, struct node_ctx *ctx, uint8_t st, int64_t *wake)
{
	int64_t now = ctx->now_us;
	for (uint32_t i = 0; i < c->nparts && !c->nomem; i++) {
		struct cons_part *p = &c->parts[i];
		if (p->fstate != st || p->req_inflight)
			continue;
		if (now < p->retry_us) {
			cons_wake_at(wake, p->retry_us, now);
			continue;
		}
		if (p->leader_b == CONS_NONE) {
			c->md_requested = true;
			continue;
		}
		if (!cons_conn_use(c, ctx, p->leader_b, wake))
			continue;
		if (st == FS_AWAIT_VALIDATION)
			send_epoch(c, ctx, i);
		else
			send_list_offsets(c, ctx, i);
	}
}

/* resetInitializingPositions: what has no committed offset resets, or with
 * auto.offset.reset none raises one NoOffsetForPartitionException for them all. */
static void reset_initializing(struct consumer *c, struct node_ctx *ctx)
{
	uint32_t none = 0, first = CONS_NONE;
	for (uint32_t i = 0; i < c->nparts; i++) {
		struct cons_part *p = &c->parts[i];
		if (p->fstate != FS_INITIALIZING || p->ofetch != COF_NONE)
			continue;
		if (c->cfg->reset == CONSUMER_RESET_NONE) {
			p->fstate = FS_STUCK;
			first = none++ == 0 ? i : first;
		} else {
			cons_request_reset(c, i, "no_committed_offset");
		}
	}
	if (none > 0)
		cons_count_exception(c, ctx, CEX_NO_OFFSET_FOR_PARTITION, none == 1 ? first
										    : CONS_NONE);
}

/* ClassicKafkaConsumer.updateFetchPositions. */
void cons_update_positions(struct consumer *c, struct node_ctx *ctx, int64_t *wake)
{
	part_requests(c, ctx, FS_AWAIT_VALIDATION, wake);
	bool need = false, waiting = false;
	for (uint32_t i = 0; i < c->nparts; i++) {
		const struct cons_part *p = &c->parts[i];
		if (p->fstate != FS_INITIALIZING)
			continue;
		need |= p->ofetch == COF_NEED;
		waiting |= p->ofetch != COF_NONE;
	}
	if (need && !c->ofetch_inflight) {
		if (ctx->now_us < c->ofetch_retry_us)
			cons_wake_at(wake, c->ofetch_retry_us, ctx->now_us);
		else if (cons_coord_ready(c, ctx, wake))
			send_offset_fetch(c, ctx);
	}
	if (waiting)
		return;   /* initWithCommittedOffsetsIfNeeded has not completed */
	reset_initializing(c, ctx);
	part_requests(c, ctx, FS_AWAIT_RESET, wake);
}
