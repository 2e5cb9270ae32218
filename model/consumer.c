/*
 * consumer.c — the consumer group member as a node: its lifecycle (start at start_us, crash,
 * restart as a new member), the run loop that steps the application thread, the heartbeat
 * thread and the network after every event and arms one wake timer, and small helpers.
 *
 * Kafka 4.1 classic consumer: clients/.../consumer/internals/ClassicKafkaConsumer.java (poll,
 * updateAssignmentMetadataIfNeeded, pollForFetches, close), ConsumerCoordinator.java,
 * AbstractCoordinator.java (HeartbeatThread), Heartbeat.java, SubscriptionState.java,
 * AbstractFetch.java, FetchCollector.java, OffsetFetcher.java, OffsetsForLeaderEpochUtils,
 * ConsumerUtils.refreshCommittedOffsets; scenario-format 6, 7, 9, 11.4 - 11.6.
 *
 * Choices this model makes where the scenario format is silent (each is the contract):
 *  - Threads. The application thread runs the loop of 11.4; Kafka's network client is
 *    read by whichever thread polls it. Here answers are handled when they arrive, except a
 *    JoinGroup answer that arrives while the application is not inside poll(): Kafka's
 *    heartbeat thread is disabled in PREPARING_REBALANCE, so the answer (and the leader's
 *    assignment, and the SyncGroup it sends) waits for the next poll(). onJoinComplete
 *    (the new assignment) always runs in poll(), as in Kafka.
 *  - poll() blocks until records are available (an application calling poll(Duration)
 *    in a loop and skipping empty results). Inside it the member keeps its group, commit
 *    and fetch work going; fetches, ListOffsets, OffsetsForLeaderEpoch and OffsetFetch are
 *    sent only from poll() (and the pipelined fetch right after poll() returns), as Kafka
 *    sends them from the application thread. max.poll.interval.ms counts from the last
 *    poll() activity: while the application waits inside poll() the timer stays fresh;
 *    it starts when poll() returns records.
 *    Kafka's last reset is the start of poll()'s last loop iteration, at most one
 *    heartbeat interval earlier.
 *  - The heartbeat thread acts exactly at its deadlines (heartbeat due, session timer,
 *    poll timer, coordinator lookup retry); Kafka's thread wakes at most retry.backoff.ms
 *    late.
 *  - Exceptions poll() would throw (NoOffsetForPartitionException, OffsetOutOfRange-
 *    Exception, LogTruncationException) are counted once; the partitions stay unfetchable
 *    until they are assigned again (an application that catches and polls on; Kafka would
 *    throw from every later poll()). A commitSync() that throws is counted by the
 *    exception it throws, including TimeoutException after default.api.timeout.ms.
 *  - A stall is a slow record: the record being processed completes arg_us later (the
 *    application thread is frozen; the heartbeat thread runs on). A member that is not
 *    processing a record when the stall comes (it waits inside poll(), or in commitSync())
 *    stalls on the next record it processes, for arg_us from that record's start. The
 *    stall ends after arg_us (-1: never), or at NODE_ACTION_STALL_END, which also cancels
 *    a stall still waiting for its record. A second stall during one extends it.
 *  - leave: a member inside poll() is woken (KafkaConsumer.wakeup()) and closes at once;
 *    otherwise it closes after its batch and that batch's commit. close() commits the
 *    positions under auto-commit (commitSync within 30 s, failures ignored), sends
 *    LeaveGroup and ends the application for good: later crash / restart faults do not
 *    bring it back.
 *  - Member ids come from the coordinator (KIP-394 MEMBER_ID_REQUIRED); the member draws
 *    from ctx->prng only for backoff jitter. A restart is a new member: nothing of the
 *    process survives but the exception counts.
 *  - by_duration: ListOffsets with now_ms - duration (this node's wall clock); when no
 *    record is that new (offset -1) the member resets to latest.
 *  - Fetch errors other than OFFSET_OUT_OF_RANGE back the partition off for
 *    retry.backoff.ms before it is fetched again (Kafka refetches at once and relies on
 *    metadata; the backoff keeps a partition whose leader lags from spinning).
 *  - A JoinGroup carries one owned-partition list: the current assignment under the
 *    cooperative protocol; under an eager one, the StickyAssignor's last assignment and
 *    its generation when sticky is configured (its user data), else the (empty, revoked)
 *    assignment.
 *  - proc_event.generation is the member's generation when the record completes (-1 after
 *    a reset: a poll-timeout LeaveGroup, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID);
 *    proc_event.owned says the partition is in the member's own assignment then
 *    (SubscriptionState). A member keeps its partitions after a reset until its next
 *    poll() gives them up as lost, so it finishes its batch on them, as Kafka's does.
 *  - consumer_assignment(): what the member's generation gave it and it has not revoked:
 *    the SyncGroup answer as soon as it arrives (onJoinComplete applies it at the next
 *    poll()), the owned partitions through a cooperative rebalance, nothing once an
 *    eager member revoked before rejoining, nothing without a generation.
 *  - Auto-commit before a rebalance is Kafka 4.1's onJoinPrepare: an asynchronous commit
 *    the join waits for (retriable failures retried after retry.backoff.ms) at most the
 *    rebalance timeout (max.poll.interval.ms); eager members stop fetching and returning
 *    records of their partitions meanwhile (pending revocation).
 *  - Memory exhaustion inside the model makes the member inert and sets consumer_nomem().
 */
#include "model/consumer.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "model/consumer_internal.h"
#include "model/text.h"
#include "sim/config_table.h"
#include "sim/trace.h"

/* ---- helpers ----------------------------------------------------------------------------- */

void cons_set_nomem(struct consumer *c)
{
	c->nomem = true;
}

int64_t cons_us(int64_t ms)
{
	if (ms > INT64_MAX / US_PER_MS)
		return INT64_MAX;
	return ms < 0 ? 0 : ms_to_us(ms);
}

int64_t cons_add_sat(int64_t a, int64_t b)
{
	return b > INT64_MAX - a ? INT64_MAX : a + b;
}

void cons_wake_at(int64_t *wake, int64_t t, int64_t now)
{
	if (t < now)
		t = now;
	if (t < *wake)
		*wake = t;
}

int64_t cons_backoff_ms(struct prng *r, int64_t initial_ms, int64_t max_ms, uint32_t attempts)
{
	assert(initial_ms >= 0);
	assert(max_ms >= 0);
	int64_t base = initial_ms < max_ms ? initial_ms : max_ms;
	if (max_ms <= base || base == 0)
		return base;   /* no exponential range: constant, without jitter */
	int64_t v = base;
	for (uint32_t i = 0; i < attempts && v < max_ms; i++)
		v = v > max_ms / 2 ? max_ms : 2 * v;
	uint64_t f = 1000000u - CONS_JITTER_PPM + prng_below(r, 2u * CONS_JITTER_PPM);
	unsigned __int128 j = (unsigned __int128)(uint64_t)v * f / 1000000u;
	return j > (unsigned __int128)max_ms ? max_ms : (int64_t)j;
}

int64_t cons_retry_backoff_us(struct consumer *c, struct node_ctx *ctx, uint32_t attempts)
{
	return cons_us(cons_backoff_ms(ctx->prng, c->cfg->retry_backoff_ms,
				       c->cfg->retry_backoff_max_ms, attempts));
}

bool cons_u32v_reserve(struct consumer *c, struct cons_u32v *v, uint32_t need)
{
	if (need <= v->cap)
		return true;
	uint32_t n = v->cap ? v->cap : 8;
	while (n < need)
		n *= 2;
	uint32_t *q = realloc(v->v, (size_t)n * sizeof(*q));
	if (q == NULL) {
		cons_set_nomem(c);
		return false;
	}
	v->v = q;
	v->cap = n;
	return true;
}

bool cons_u32v_push(struct consumer *c, struct cons_u32v *v, uint32_t x)
{
	if (!cons_u32v_reserve(c, v, v->n + 1))
		return false;
	v->v[v->n++] = x;
	return true;
}

bool cons_u32v_has(const struct cons_u32v *v, uint32_t x)
{
	for (uint32_t i = 0; i < v->n; i++)
		if (v->v[i] == x)
			return true;
	return false;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

void cons_u32v_sort(struct cons_u32v *v)
{
	if (v->n > 1)
		qsort(v->v, v->n, sizeof(*v->v), cmp_u32);
}

uint32_t cons_part_of(const struct consumer *c, uint32_t tp)
{
	return tp < c->cluster->nparts ? c->local[tp] : CONS_NONE;
}

char *cons_member_text(const struct consumer *c, const struct member_ref *m, char *buf,
		       size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	assert(cap >= 64);
	const char *id = m->client < c->cluster->nclients ? c->cluster->client_ids[m->client] : "?";
	size_t n = strlen(id);
	if (n > cap - 38)
		n = cap - 38;
	memcpy(buf, id, n);
	buf[n++] = '-';
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			buf[n++] = '-';
		buf[n++] = hex[m->uuid[i] >> 4];
		buf[n++] = hex[m->uuid[i] & 15];
	}
	buf[n] = '\0';
	return buf;
}

char *cons_tps_json(const struct consumer *c, const uint32_t *tps, uint32_t n, char *buf,
		    size_t cap)
{
	assert(cap >= 8);
	size_t len = 0;
	buf[len++] = '[';
	for (uint32_t i = 0; i < n; i++) {
		char name[300];
		text_tp(c->cluster, tps[i], name, sizeof(name));
		size_t k = strlen(name);
		if (len + k + 8 >= cap)
			break;   /* cut: the line stays valid JSON */
		if (i > 0)
			buf[len++] = ',';
		buf[len++] = '"';
		memcpy(buf + len, name, k);
		len += k;
		buf[len++] = '"';
	}
	buf[len++] = ']';
	buf[len] = '\0';
	return buf;
}

const char *consumer_exception_name(enum consumer_exception e)
{
	static const char *const names[CEX_COUNT] = {
		[CEX_COMMIT_FAILED] = "CommitFailedException",
		[CEX_REBALANCE_IN_PROGRESS] = "RebalanceInProgressException",
		[CEX_OFFSET_OUT_OF_RANGE] = "OffsetOutOfRangeException",
		[CEX_NO_OFFSET_FOR_PARTITION] = "NoOffsetForPartitionException",
		[CEX_LOG_TRUNCATION] = "LogTruncationException",
		[CEX_TIMEOUT] = "TimeoutException",
	};
	return (unsigned)e < CEX_COUNT ? names[e] : "KafkaException";
}

void cons_count_exception(struct consumer *c, struct node_ctx *ctx, enum consumer_exception e,
			  uint32_t part)
{
	assert((unsigned)e < CEX_COUNT);
	c->errors[e]++;
	struct trace_line *l = node_trace(ctx, "consumer_exception");
	trace_str(l, "exception", consumer_exception_name(e));
	if (part != CONS_NONE) {
		char name[300];
		uint32_t tp = c->parts[part].tp;
		trace_str(l, "partition", text_tp(c->cluster, tp, name, sizeof(name)));
	}
	trace_end(l);
}

/* ---- API ------------------------------------------------------------------------------- */

uint64_t consumer_errors(const struct consumer *c, enum consumer_exception e)
{
	return (unsigned)e < CEX_COUNT ? c->errors[e] : 0;
}

bool consumer_nomem(const struct consumer *c)
{
	return c->nomem;
}

int32_t consumer_generation(const struct consumer *c)
{
	return c->session ? c->generation : -1;
}

uint32_t consumer_assignment(const struct consumer *c, const uint32_t **tps)
{
	*tps = NULL;
	if (!c->session || c->generation < 0 || member_ref_empty(&c->member))
		return 0;
	/* After SyncGroup the coordinator's view is the new assignment, even before
	 * onJoinComplete applies it at the next poll(). During a rebalance a member keeps
	 * what it owns until it revokes it (all at once when eager, before rejoining; only
	 * what moves when cooperative). */
	const struct cons_u32v *v = c->sync_ready && c->gstate == CGRP_STABLE ? &c->sync_tps
									       : &c->assigned;
	*tps = v->v;
	return v->n;
}

/* ---- setup ------------------------------------------------------------------------------ */

static int subscribe(struct consumer *c)
{
	const struct cluster_cfg *cl = c->cluster;
	uint32_t n = 0;
	for (uint32_t i = 0; i < c->cfg->n_topics; i++) {
		assert(c->cfg->topics[i] < cl->ntopics);
		n += cl->topics[c->cfg->topics[i]].partitions;
	}
	c->nparts = n;
	c->tps = calloc(n + 1, sizeof(*c->tps));
	c->parts = calloc(n + 1, sizeof(*c->parts));
	c->local = malloc((cl->nparts + 1) * sizeof(*c->local));
	c->conns = calloc(c->nbrokers + 1, sizeof(*c->conns));
	if (c->tps == NULL || c->parts == NULL || c->local == NULL || c->conns == NULL)
		return -1;
	for (uint32_t tp = 0; tp < cl->nparts; tp++)
		c->local[tp] = CONS_NONE;
	uint32_t k = 0;
	for (uint32_t i = 0; i < c->cfg->n_topics; i++) {
		const struct topic_cfg *t = &cl->topics[c->cfg->topics[i]];
		for (uint32_t p = 0; p < t->partitions; p++) {
			uint32_t tp = t->first_tp + p;
			if (c->local[tp] != CONS_NONE)
				continue;   /* a topic listed twice */
			c->local[tp] = k;
			c->tps[k++] = tp;
		}
	}
	c->nparts = k;
	return 0;
}

/* RebalanceProtocol: the highest one every configured assignor supports (range, roundrobin
 * and sticky: EAGER; cooperative-sticky: COOPERATIVE and EAGER). */
static void protocols(struct consumer *c)
{
	bool all_coop = true;
	int n = 0;
	for (int k = 0; k < 4 && c->cfg->assignors[k] != CFG_ASSIGNOR_NONE; k++, n++) {
		all_coop &= c->cfg->assignors[k] == CFG_ASSIGNOR_COOPERATIVE_STICKY;
		c->has_sticky |= c->cfg->assignors[k] == CFG_ASSIGNOR_STICKY;
	}
	c->cooperative = n > 0 && all_coop;
}

static void reset_session(struct consumer *c)
{
	for (uint32_t i = 0; i < c->nparts; i++)
		c->parts[i] = (struct cons_part){
			.tp = c->tps[i], .leader = -1, .leader_b = CONS_NONE, .leader_epoch = -1,
			.fstate = FS_UNASSIGNED, .pos_epoch = -1, .pos_leader = -1,
			.pos_leader_epoch = -1,
		};
	c->session = false;
	c->start_timer = 0;
	c->wake_timer = 0;
	c->wake_at_us = INT64_MIN;
	c->md_requested = true;   /* ConsumerCoordinator: metadata.requestUpdate(true) */
	c->md_inflight = 0;
	c->md_round_failed = false;
	c->md_attempts = 0;
	c->md_last_us = INT64_MIN;
	c->md_next_allowed_us = 0;
	cons_net_reset(c);
	cons_group_reset(c);
	cons_fetch_reset(c);
	cons_app_reset(c);
}

int consumer_init(struct consumer *c, const struct consumer_cfg *cfg,
		  const struct cluster_cfg *cluster, const struct rec_store *store,
		  struct proc_log *log)
{
	assert(cfg->client < cluster->nclients);
	assert(cfg->group < cluster->ngroups);
	assert(cfg->max_poll_records >= 1);
	assert(cfg->process_us >= 0);
	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
	c->cluster = cluster;
	c->store = store;
	c->log = log;
	c->nbrokers = cluster->brokers;
	assert(c->nbrokers > 0);
	if (subscribe(c) != 0) {
		consumer_free(c);
		return -1;
	}
	protocols(c);
	reset_session(c);
	return 0;
}

void consumer_free(struct consumer *c)
{
	free(c->tps);
	free(c->parts);
	free(c->local);
	free(c->conns);
	free(c->reqs);
	free(c->blob);
	free(c->join_blob);
	free(c->sync_tps.v);
	free(c->assigned.v);
	free(c->sticky_prev.v);
	free(c->cfs);
	free(c->fb);
	free(c->batch);
	free(c->cs_offs);
	memset(c, 0, sizeof(*c));
}

/* ---- the run loop ----------------------------------------------------------------------- */

static void arm_wake(struct consumer *c, struct node_ctx *ctx, int64_t wake)
{
	if (wake == c->wake_at_us)
		return;
	if (c->wake_timer != 0)
		node_timer_cancel(ctx, c->wake_timer);
	c->wake_timer = 0;
	c->wake_at_us = wake;
	if (wake == INT64_MAX)
		return;
	c->wake_gen++;
	int64_t delay = wake > ctx->now_us ? wake - ctx->now_us : 0;
	c->wake_timer = node_timer(ctx, delay, CT_WAKE, c->wake_gen);
}

void cons_run(struct consumer *c, struct node_ctx *ctx)
{
	if (!c->session || c->nomem)
		return;
	int64_t wake = INT64_MAX;
	cons_app_step(c, ctx, &wake);
	if (!c->session || c->nomem)
		return;   /* the application closed */
	cons_fetch_unsent(c, ctx);
	cons_hb_step(c, ctx, &wake);
	cons_md_step(c, ctx, &wake);
	if (c->nomem)
		return;
	arm_wake(c, ctx, wake);
}

/* ---- the node --------------------------------------------------------------------------- */

static void begin(struct consumer *c, struct node_ctx *ctx)
{
	c->session = true;
	c->sessions++;
	struct trace_line *l = node_trace(ctx, "consumer_start");
	trace_str(l, "group", c->cluster->groups[c->cfg->group].name);
	trace_uint(l, "session", c->sessions);
	trace_end(l);
	cons_app_begin(c, ctx);
	cons_run(c, ctx);
}

static void consumer_start(void *model, struct node_ctx *ctx)
{
	struct consumer *c = model;
	if (c->nomem || c->left)
		return;
	reset_session(c);
	if (ctx->now_us < c->cfg->start_us) {
		c->start_timer = node_timer(ctx, c->cfg->start_us - ctx->now_us, CT_START, 0);
		return;
	}
	begin(c, ctx);
}

/* A crash: the process and everything it held is gone; no LeaveGroup. */
static void consumer_halt(void *model, enum node_halt how, int64_t now_us)
{
	struct consumer *c = model;
	(void)how;
	(void)now_us;
	reset_session(c);
}

static void consumer_message(void *model, struct node_ctx *ctx, conn_id conn,
			     const struct net_msg *m, const void *blob, uint32_t len)
{
	struct consumer *c = model;
	if (!c->session || c->nomem)
		return;
	cons_on_message(c, ctx, conn, m, blob, len);
	cons_run(c, ctx);
}

static void consumer_conn_event(void *model, struct node_ctx *ctx, conn_id conn,
				enum conn_event ev)
{
	struct consumer *c = model;
	if (!c->session || c->nomem)
		return;
	cons_on_conn_event(c, ctx, conn, ev);
	cons_run(c, ctx);
}

static void consumer_timer(void *model, struct node_ctx *ctx, uint32_t kind, uint64_t arg)
{
	struct consumer *c = model;
	if (c->nomem)
		return;
	switch (kind) {
	case CT_START:
		c->start_timer = 0;
		if (!c->session && !c->left)
			begin(c, ctx);
		return;
	case CT_APP:
		if (!c->session || arg != c->app_gen)
			return;
		c->app_timer = 0;
		cons_app_timer(c, ctx);
		break;
	case CT_WAKE:
		if (!c->session || arg != c->wake_gen)
			return;
		c->wake_timer = 0;
		c->wake_at_us = INT64_MIN;
		break;
	case CT_REQ:
		if (!c->session)
			return;
		cons_on_req_timeout(c, ctx, arg);
		break;
	default:
		assert(0 && "unknown consumer timer");
	}
	cons_run(c, ctx);
}

static void consumer_action(void *model, struct node_ctx *ctx, enum node_action what,
			    int64_t arg_us)
{
	struct consumer *c = model;
	if (c->nomem || c->left)
		return;
	if (!c->session) {
		/* Not started yet (or between sessions): a leave ends the application before
		 * it begins; a stall has nothing to freeze. */
		if (what == NODE_ACTION_LEAVE) {
			c->left = true;
			if (c->start_timer != 0)
				node_timer_cancel(ctx, c->start_timer);
			c->start_timer = 0;
		}
		return;
	}
	cons_app_action(c, ctx, what, arg_us);
	cons_run(c, ctx);
}

const struct node_ops consumer_ops = {
	.start = consumer_start,
	.halt = consumer_halt,
	.message = consumer_message,
	.conn_event = consumer_conn_event,
	.timer = consumer_timer,
	.action = consumer_action,
};
