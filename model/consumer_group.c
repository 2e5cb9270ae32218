/*
 * consumer_group.c — group membership: coordinator discovery, JoinGroup (with the KIP-394
 * member-id handshake), the leader's assignment and SyncGroup, onJoinPrepare (auto-commit
 * before a rebalance, eager revocation, lost partitions) and onJoinComplete (KIP-429
 * cooperative revocation and the follow-up rebalance), the heartbeat thread (heartbeats,
 * session timer, max.poll.interval.ms expiry with a proactive LeaveGroup) and LeaveGroup.
 *
 * Kafka 4.1: clients/.../consumer/internals/AbstractCoordinator.java (ensureCoordinator-
 * Ready, lookupCoordinator, joinGroupIfNeeded, JoinGroupResponseHandler, SyncGroupResponse-
 * Handler, HeartbeatResponseHandler, HeartbeatThread.run, maybeLeaveGroup,
 * resetStateAndGeneration, markCoordinatorUnknown), ConsumerCoordinator.java (poll,
 * onJoinPrepare, onJoinComplete, metadata()), Heartbeat.java. The leader's assignment is
 * in consumer_assign.c.
 */
#include "model/consumer_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "model/text.h"
#include "sim/config_table.h"
#include "sim/trace.h"

void cons_group_reset(struct consumer *c)
{
	c->gstate = CGRP_UNJOINED;
	c->generation = -1;
	memset(&c->member, 0, sizeof(c->member));
	c->member.client = c->cfg->client;
	c->protocol = 0;
	c->is_leader = false;
	c->rejoin_needed = true;
	c->needs_join_prepare = true;
	c->join_pending = false;
	c->join_retry_us = 0;
	c->coord = CONS_NONE;
	c->find_inflight = false;
	c->find_attempts = 0;
	c->find_retry_us = 0;
	c->hb_next_us = c->session_deadline_us = c->last_poll_us = 0;
	c->jp_timer_set = false;
	c->jp_commit = CJP_NONE;
	c->jp_retry_us = 0;
	c->join_deferred = false;
	c->sync_ready = false;
	c->sync_tps.n = 0;
	c->assigned.n = 0;
	c->sticky_prev.n = 0;
	c->sticky_gen = -1;
	c->next_auto_commit_us = INT64_MAX;
	c->ofetch_inflight = false;
	c->ofetch_attempts = 0;
	c->ofetch_retry_us = 0;
}

static bool member_eq(const struct member_ref *a, const struct member_ref *b)
{
	return a->client == b->client && memcmp(a->uuid, b->uuid, 16) == 0;
}

/* SubscriptionState's view: the partition is in the member's assignment. After a reset
 * of the generation (a poll-timeout leave, ILLEGAL_GENERATION, ...) the member still holds
 * its partitions, with generation -1, until its next poll() gives them up as lost. */
bool cons_owns(const struct consumer *c, uint32_t part)
{
	return c->parts[part].fstate != FS_UNASSIGNED;
}

static void trace_parts(struct consumer *c, struct node_ctx *ctx, const char *ev,
			const uint32_t *tps, uint32_t n, bool lost)
{
	char buf[3000];
	struct trace_line *l = node_trace(ctx, ev);
	trace_int(l, "generation", c->generation);
	if (lost)
		trace_bool(l, "lost", true);
	trace_raw(l, "partitions", cons_tps_json(c, tps, n, buf, sizeof(buf)));
	trace_end(l);
}

/* ---- the coordinator ------------------------------------------------------------------- */

bool cons_coord_known(const struct consumer *c)
{
	return c->coord != CONS_NONE;
}

bool cons_coord_ready(struct consumer *c, struct node_ctx *ctx, int64_t *wake)
{
	return cons_coord_known(c) && cons_conn_use(c, ctx, c->nbrokers, wake);
}

/* AbstractCoordinator.lookupCoordinator: FindCoordinator to the least loaded broker. */
void cons_coord_lookup(struct consumer *c, struct node_ctx *ctx, int64_t *wake)
{
	if (c->find_inflight || cons_coord_known(c))
		return;
	if (ctx->now_us < c->find_retry_us) {
		cons_wake_at(wake, c->find_retry_us, ctx->now_us);
		return;
	}
	uint32_t b = cons_least_loaded(c, ctx, wake);
	if (b == CONS_NONE)
		return;
	uint32_t id = cons_req_new(c, CREQ_FIND, b);
	if (id == CONS_NONE)
		return;
	struct find_coordinator q = {.group = c->cfg->group};
	struct net_msg m;
	PROTO_PUT(&m, MSG_FIND_COORDINATOR, q);
	c->find_inflight = true;
	cons_req_send(c, ctx, id, &m, NULL, 0, cons_us(c->cfg->request_timeout_ms));
}

void cons_find_done(struct consumer *c, struct node_ctx *ctx, const struct cons_req *r,
		    const struct net_msg *m, const void *blob, uint32_t len, int16_t err)
{
	(void)r;
	(void)blob;
	(void)len;
	c->find_inflight = false;
	struct find_coordinator_resp resp = {.error = err, .node_id = -1};
	if (m != NULL)
		PROTO_GET(m, resp);
	uint32_t b = resp.error == KERR_NONE ? cons_broker_index(c, resp.node_id) : CONS_NONE;
	if (b == CONS_NONE) {
		/* ensureCoordinatorReady: back off, refresh metadata, look again. */
		c->find_attempts++;
		int64_t backoff = cons_retry_backoff_us(c, ctx, c->find_attempts - 1);
		c->find_retry_us = ctx->now_us + backoff;
		c->md_requested = true;
		return;
	}
	if (cons_coord_known(c))
		return;
	c->find_attempts = 0;
	c->coord = b;
	struct cons_conn *k = &c->conns[c->nbrokers];
	if (k->state != CCONN_DOWN)
		cons_conn_close(c, ctx, c->nbrokers, false);
	if (k->broker != b)   /* a new node: no reconnect backoff carried over */
		*k = (struct cons_conn){.state = CCONN_DOWN, .broker = b};
	c->session_deadline_us = ctx->now_us + cons_us(c->cfg->session_timeout_ms);
	struct trace_line *l = node_trace(ctx, "coordinator_found");
	trace_int(l, "broker", c->cluster->broker_ids[b]);
	trace_end(l);
	int64_t wake = INT64_MAX;
	cons_conn_use(c, ctx, c->nbrokers, &wake);   /* client.tryConnect */
}

void cons_mark_coord_unknown(struct consumer *c, struct node_ctx *ctx, bool disconnected,
			     const char *why)
{
	if (!cons_coord_known(c))
		return;
	struct trace_line *l = node_trace(ctx, "coordinator_lost");
	trace_int(l, "broker", c->cluster->broker_ids[c->coord]);
	trace_str(l, "reason", why);
	trace_end(l);
	c->coord = CONS_NONE;
	/* Pending callbacks fail with DisconnectException. */
	cons_conn_close(c, ctx, c->nbrokers, disconnected);
}

/* ---- generation ------------------------------------------------------------------------ */

void cons_request_rejoin(struct consumer *c)
{
	c->rejoin_needed = true;
}

/* resetStateAndRejoin. */
void cons_reset_generation(struct consumer *c, bool reset_member, const char *why,
			   struct node_ctx *ctx)
{
	struct trace_line *l = node_trace(ctx, "generation_reset");
	trace_int(l, "generation", c->generation);
	trace_bool(l, "member_id_reset", reset_member);
	trace_str(l, "reason", why);
	trace_end(l);
	c->gstate = CGRP_UNJOINED;
	c->generation = -1;
	c->protocol = 0;
	if (reset_member)
		memset(c->member.uuid, 0, sizeof(c->member.uuid));
	c->rejoin_needed = true;
	c->needs_join_prepare = true;
}

/* maybeLeaveGroup: a dynamic member with a member id, a known coordinator and a group
 * state other than UNJOINED sends LeaveGroup (one attempt, no retry); the generation and
 * member id are reset either way. */
void cons_maybe_leave_group(struct consumer *c, struct node_ctx *ctx, const char *why)
{
	char mid[320];
	cons_member_text(c, &c->member, mid, sizeof(mid));
	bool send = cons_coord_known(c) && c->gstate != CGRP_UNJOINED &&
		    !member_ref_empty(&c->member);
	int64_t wake = INT64_MAX;
	if (send && cons_conn_use(c, ctx, c->nbrokers, &wake)) {
		uint32_t id = cons_req_new(c, CREQ_LEAVE, c->nbrokers);
		if (id == CONS_NONE)
			return;
		struct leave_group q = {.group = c->cfg->group, .member = c->member};
		struct net_msg m;
		PROTO_PUT(&m, MSG_LEAVE_GROUP, q);
		send = cons_req_send(c, ctx, id, &m, NULL, 0, cons_us(c->cfg->request_timeout_ms));
	} else {
		send = false;
	}
	struct trace_line *l = node_trace(ctx, "left_group");
	trace_str(l, "member", mid);
	trace_int(l, "generation", c->generation);
	trace_bool(l, "sent", send);
	trace_str(l, "reason", why);
	trace_end(l);
	cons_reset_generation(c, true, "consumer pro-actively leaving the group", ctx);
}

void cons_leave_done(struct consumer *c, struct node_ctx *ctx, const struct cons_req *r,
		     const struct net_msg *m, const void *blob, uint32_t len, int16_t err)
{
	(void)c;
	(void)ctx;
	(void)r;
	(void)m;
	(void)blob;
	(void)len;
	(void)err;
}

/* ---- the heartbeat thread --------------------------------------------------------------- */

/* HeartbeatThread.enable: Heartbeat.resetTimeouts. */
void cons_heartbeat_enable(struct consumer *c, struct node_ctx *ctx)
{
	int64_t now = ctx->now_us;
	c->session_deadline_us = now + cons_us(c->cfg->session_timeout_ms);
	c->last_poll_us = now;
	c->hb_next_us = now + cons_us(c->cfg->heartbeat_interval_ms);
}

static void send_heartbeat(struct consumer *c, struct node_ctx *ctx)
{
	uint32_t id = cons_req_new(c, CREQ_HEARTBEAT, c->nbrokers);
	if (id == CONS_NONE)
		return;
	c->reqs[id].generation = c->generation;
	c->reqs[id].member = c->member;
	struct heartbeat_req q = {.group = c->cfg->group, .generation = c->generation,
				  .member = c->member};
	struct net_msg m;
	PROTO_PUT(&m, MSG_HEARTBEAT, q);
	cons_req_send(c, ctx, id, &m, NULL, 0, cons_us(c->cfg->request_timeout_ms));
}

/* HeartbeatThread.run, one pass at the current instant. The thread is enabled from the
 * JoinGroup answer on (COMPLETING_REBALANCE, STABLE) and idles otherwise. */
void cons_hb_step(struct consumer *c, struct node_ctx *ctx, int64_t *wake)
{
	int64_t now = ctx->now_us;
	if (c->gstate != CGRP_COMPLETING && c->gstate != CGRP_STABLE)
		return;
	if (!cons_coord_known(c)) {
		cons_coord_lookup(c, ctx, wake);
		return;
	}
	if (now >= c->session_deadline_us) {
		cons_mark_coord_unknown(c, ctx, false,
					"session timed out without receiving a heartbeat response");
		cons_coord_lookup(c, ctx, wake);
		return;
	}
	if (!cons_app_polling(c)) {
		int64_t due = cons_add_sat(c->last_poll_us, cons_us(c->cfg->max_poll_interval_ms));
		if (now >= due) {
			cons_maybe_leave_group(c, ctx, "consumer poll timeout has expired.");
			return;
		}
		cons_wake_at(wake, due, now);
	}
	cons_wake_at(wake, c->session_deadline_us, now);
	if (now < c->hb_next_us) {
		cons_wake_at(wake, c->hb_next_us, now);
		return;
	}
	if (!cons_coord_ready(c, ctx, wake))
		return;
	c->hb_next_us = now + cons_us(c->cfg->heartbeat_interval_ms);   /* sentHeartbeat */
	cons_wake_at(wake, c->hb_next_us, now);
	send_heartbeat(c, ctx);
}

void cons_hb_done(struct consumer *c, struct node_ctx *ctx, const struct cons_req *r,
		  const struct net_msg *m, const void *blob, uint32_t len, int16_t err)
{
	(void)blob;
	(void)len;
	int64_t now = ctx->now_us;
	struct group_resp resp = {.error = err};
	if (m != NULL)
		PROTO_GET(m, resp);
	bool unchanged = r->generation == c->generation && member_eq(&r->member, &c->member);
	bool ok = true;   /* the future completed: receiveHeartbeat */
	switch (resp.error) {
	case KERR_NONE:
		break;
	case KERR_REBALANCE_IN_PROGRESS:
		if (c->gstate == CGRP_STABLE)
			cons_request_rejoin(c);   /* "group is already rebalancing" */
		break;   /* heartbeating on during a rebalance keeps the member in the group */
	case KERR_ILLEGAL_GENERATION:
	case KERR_UNKNOWN_MEMBER_ID:
		if (unchanged) {
			bool unknown = resp.error == KERR_UNKNOWN_MEMBER_ID;
			cons_reset_generation(c, unknown, unknown
					      ? "UNKNOWN_MEMBER_ID from HEARTBEAT response"
					      : "ILLEGAL_GENERATION from HEARTBEAT response", ctx);
			ok = false;
		}
		break;
	case KERR_COORDINATOR_NOT_AVAILABLE:
	case KERR_NOT_COORDINATOR:
		cons_mark_coord_unknown(c, ctx, false, kafka_error_name(resp.error));
		ok = false;
		break;
	default:
		if (m == NULL)
			cons_mark_coord_unknown(c, ctx, true, kafka_error_name(resp.error));
		ok = false;
	}
	if (ok)
		c->session_deadline_us = now + cons_us(c->cfg->session_timeout_ms);
	else
		c->hb_next_us = now + cons_us(c->cfg->retry_backoff_ms);   /* failHeartbeat */
}

/* ---- JoinGroup and SyncGroup ---------------------------------------------------------- */

/* A join attempt failed (joinGroupIfNeeded's catch): rejoin, at once for the errors Kafka
 * retries without a pause, else after retry.backoff.ms. */
static void join_failed(struct consumer *c, struct node_ctx *ctx, bool immediate)
{
	c->join_pending = false;
	c->join_deferred = false;
	c->sync_ready = false;
	cons_request_rejoin(c);
	c->join_retry_us = immediate ? ctx->now_us
				     : ctx->now_us + cons_us(c->cfg->retry_backoff_ms);
}

/* ConsumerCoordinator.metadata(): the subscription, owned partitions and generation. */
static void send_join(struct consumer *c, struct node_ctx *ctx)
{
	const struct cons_u32v *owned = &c->assigned;
	int32_t gen = c->generation;
	if (!c->cooperative && c->has_sticky) {
		owned = &c->sticky_prev;   /* StickyAssignor.subscriptionUserData */
		gen = c->sticky_gen;
	}
	uint32_t nt = c->cfg->n_topics, no = owned->n;
	uint32_t *b = cons_blob(c, 4 * (nt + no) + 4);
	uint32_t id = b == NULL ? CONS_NONE : cons_req_new(c, CREQ_JOIN, c->nbrokers);
	if (id == CONS_NONE)
		return;
	if (nt > 0)
		memcpy(b, c->cfg->topics, 4 * (size_t)nt);
	if (no > 0)
		memcpy(b + nt, owned->v, 4 * (size_t)no);
	struct join_group q = {
		.group = c->cfg->group, .session_timeout_ms = (int32_t)c->cfg->session_timeout_ms,
		.rebalance_timeout_ms = (int32_t)c->cfg->max_poll_interval_ms, .generation = gen,
		.member = c->member, .n_topics = nt, .n_owned = no,
	};
	memcpy(q.protocols, c->cfg->assignors, sizeof(q.protocols));
	c->reqs[id].generation = c->generation;
	c->reqs[id].member = c->member;
	struct net_msg m;
	PROTO_PUT(&m, MSG_JOIN_GROUP, q);
	int64_t to = c->cfg->max_poll_interval_ms + CONS_JOIN_TIMEOUT_LAPSE_MS;
	if (to < c->cfg->request_timeout_ms)
		to = c->cfg->request_timeout_ms;
	c->gstate = CGRP_PREPARING;   /* initiateJoinGroup */
	c->join_pending = true;
	struct trace_line *l = node_trace(ctx, "join_group");
	char mid[320];
	trace_str(l, "member", member_ref_empty(&c->member) ? ""
			       : cons_member_text(c, &c->member, mid, sizeof(mid)));
	trace_int(l, "generation", c->generation);
	trace_end(l);
	cons_req_send(c, ctx, id, &m, b, 4 * (nt + no), cons_us(to));
}

static void send_sync(struct consumer *c, struct node_ctx *ctx, const void *blob, uint32_t len,
		      uint32_t n)
{
	int64_t wake = INT64_MAX;
	if (!cons_coord_ready(c, ctx, &wake)) {
		join_failed(c, ctx, false);   /* RequestFuture.coordinatorNotAvailable() */
		return;
	}
	uint32_t id = cons_req_new(c, CREQ_SYNC, c->nbrokers);
	if (id == CONS_NONE)
		return;
	c->reqs[id].generation = c->generation;
	c->reqs[id].member = c->member;
	struct sync_group q = {.group = c->cfg->group, .generation = c->generation,
			       .member = c->member, .n_assignments = n};
	struct net_msg m;
	PROTO_PUT(&m, MSG_SYNC_GROUP, q);
	cons_req_send(c, ctx, id, &m, blob, len, cons_us(c->cfg->request_timeout_ms));
}

static void trace_joined(struct consumer *c, struct node_ctx *ctx)
{
	char mid[320];
	struct trace_line *l = node_trace(ctx, "joined");
	trace_int(l, "generation", c->generation);
	trace_str(l, "member", cons_member_text(c, &c->member, mid, sizeof(mid)));
	trace_bool(l, "leader", c->is_leader);
	trace_str(l, "protocol", cfg_assignor_name((enum cfg_assignor)c->protocol));
	trace_end(l);
}

static void join_ok(struct consumer *c, struct node_ctx *ctx, const struct join_group_resp *resp,
		    const uint8_t *blob, uint32_t len)
{
	if (c->gstate != CGRP_PREPARING) {
		join_failed(c, ctx, false);   /* UnjoinedGroupException */
		return;
	}
	c->gstate = CGRP_COMPLETING;
	cons_heartbeat_enable(c, ctx);
	c->generation = resp->generation;
	c->member = resp->member;
	c->protocol = resp->protocol;
	c->is_leader = resp->n_members > 0;
	trace_joined(c, ctx);
	if (!c->is_leader) {
		send_sync(c, ctx, NULL, 0, 0);
		return;
	}
	uint32_t n = 0;
	uint32_t out = cons_leader_assign(c, ctx, resp, blob, len, &n);
	if (!c->nomem)
		send_sync(c, ctx, c->blob, out, n);
}

static void handle_join(struct consumer *c, struct node_ctx *ctx, const struct net_msg *m,
			const uint8_t *blob, uint32_t len, int16_t err, int32_t sent_gen,
			const struct member_ref *sent_member)
{
	struct join_group_resp resp = {.error = err, .generation = -1};
	if (m != NULL)
		PROTO_GET(m, resp);
	bool unchanged = sent_gen == c->generation && member_eq(sent_member, &c->member);
	switch (resp.error) {
	case KERR_NONE:
		join_ok(c, ctx, &resp, blob, len);
		break;
	case KERR_MEMBER_ID_REQUIRED:
		/* KIP-394: rejoin at once with the member id the coordinator gave. */
		c->generation = -1;
		c->protocol = 0;
		c->member = resp.member;
		join_failed(c, ctx, true);
		break;
	case KERR_UNKNOWN_MEMBER_ID:
		if (unchanged)
			cons_reset_generation(c, true, "UNKNOWN_MEMBER_ID from JOIN_GROUP response",
					      ctx);
		join_failed(c, ctx, true);
		break;
	case KERR_REBALANCE_IN_PROGRESS:
	case KERR_ILLEGAL_GENERATION:
		join_failed(c, ctx, true);
		break;
	case KERR_COORDINATOR_NOT_AVAILABLE:
	case KERR_NOT_COORDINATOR:
		cons_mark_coord_unknown(c, ctx, false, kafka_error_name(resp.error));
		join_failed(c, ctx, false);
		break;
	default:
		if (m == NULL)
			cons_mark_coord_unknown(c, ctx, true, kafka_error_name(resp.error));
		join_failed(c, ctx, false);
	}
}

void cons_join_done(struct consumer *c, struct node_ctx *ctx, const struct cons_req *r,
		    const struct net_msg *m, const void *blob, uint32_t len, int16_t err)
{
	if (!c->join_pending || c->join_deferred)
		return;
	if (m != NULL && c->gstate == CGRP_PREPARING && !cons_app_polling(c)) {
		/* Nobody reads the network until the application's next poll(). */
		if (len > c->join_blob_cap) {
			uint8_t *q = realloc(c->join_blob, len);
			if (q == NULL) {
				cons_set_nomem(c);
				return;
			}
			c->join_blob = q;
			c->join_blob_cap = len;
		}
		if (len > 0)
			memcpy(c->join_blob, blob, len);
		c->join_blob_len = len;
		c->join_msg = *m;
		c->join_sent_gen = r->generation;
		c->join_sent_member = r->member;
		c->join_deferred = true;
		return;
	}
	handle_join(c, ctx, m, blob, len, err, r->generation, &r->member);
}

void cons_sync_done(struct consumer *c, struct node_ctx *ctx, const struct cons_req *r,
		    const struct net_msg *m, const void *blob, uint32_t len, int16_t err)
{
	if (!c->join_pending)
		return;
	struct sync_group_resp resp = {.error = err};
	if (m != NULL)
		PROTO_GET(m, resp);
	bool unchanged = r->generation == c->generation && member_eq(&r->member, &c->member);
	switch (resp.error) {
	case KERR_NONE:
		if (c->generation < 0 || c->gstate != CGRP_COMPLETING ||
		    (uint64_t)resp.n_tps * 4 > len) {
			join_failed(c, ctx, true);   /* raised as ILLEGAL_GENERATION */
			return;
		}
		c->sync_tps.n = 0;
		if (!cons_u32v_reserve(c, &c->sync_tps, resp.n_tps + 1))
			return;
		if (resp.n_tps > 0)
			memcpy(c->sync_tps.v, blob, 4 * (size_t)resp.n_tps);
		c->sync_tps.n = resp.n_tps;
		cons_u32v_sort(&c->sync_tps);
		c->gstate = CGRP_STABLE;
		c->rejoin_needed = false;
		c->sync_ready = true;
		break;
	case KERR_REBALANCE_IN_PROGRESS:
		join_failed(c, ctx, true);
		break;
	case KERR_UNKNOWN_MEMBER_ID:
	case KERR_ILLEGAL_GENERATION:
		if (unchanged)
			cons_reset_generation(c, resp.error == KERR_UNKNOWN_MEMBER_ID,
					      "error from SYNC_GROUP response", ctx);
		join_failed(c, ctx, true);
		break;
	case KERR_COORDINATOR_NOT_AVAILABLE:
	case KERR_NOT_COORDINATOR:
		cons_mark_coord_unknown(c, ctx, false, kafka_error_name(resp.error));
		join_failed(c, ctx, false);
		break;
	default:
		if (m == NULL)
			cons_mark_coord_unknown(c, ctx, true, kafka_error_name(resp.error));
		join_failed(c, ctx, false);
	}
}

/* ---- onJoinPrepare and onJoinComplete --------------------------------------------------- */

void cons_assign(struct consumer *c, const uint32_t *tps, uint32_t n)
{
	for (uint32_t i = 0; i < c->nparts; i++)
		c->parts[i].pending_revocation = false;
	/* Mark the new set, then drop what left it and start what joined it. */
	for (uint32_t k = 0; k < n; k++) {
		uint32_t part = cons_part_of(c, tps[k]);
		if (part != CONS_NONE)
			c->parts[part].mark = true;
	}
	c->assigned.n = 0;
	for (uint32_t i = 0; i < c->nparts; i++) {
		struct cons_part *p = &c->parts[i];
		bool now = p->mark;
		p->mark = false;
		if (!now) {
			if (p->fstate != FS_UNASSIGNED)
				cons_drop_buffered(c, i);
			p->fstate = FS_UNASSIGNED;
			continue;
		}
		if (p->fstate == FS_UNASSIGNED) {
			p->fstate = FS_INITIALIZING;
			p->ofetch = COF_NEED;
			p->position = -1;
			p->pos_epoch = -1;
			p->retry_us = 0;
		}
		if (!cons_u32v_push(c, &c->assigned, p->tp))
			return;
	}
}

static void revoke_all(struct consumer *c, struct node_ctx *ctx, bool lost)
{
	if (c->assigned.n == 0)
		return;
	trace_parts(c, ctx, "revoked", c->assigned.v, c->assigned.n, lost);
	cons_assign(c, NULL, 0);
}

/* The auto-commit of onJoinPrepare; true when the join may go on. */
static bool join_prepare_commit(struct consumer *c, struct node_ctx *ctx, int64_t *wake)
{
	int64_t now = ctx->now_us;
	if (c->jp_commit == CJP_RETRY) {
		if (now < c->jp_retry_us && now < c->jp_deadline_us) {
			cons_wake_at(wake, c->jp_retry_us, now);
			return false;
		}
		c->jp_commit = CJP_NONE;
	}
	if (c->jp_commit == CJP_NONE && now < c->jp_deadline_us) {
		if (!c->cooperative)   /* maybeMarkPartitionsPendingRevocation */
			for (uint32_t i = 0; i < c->nparts; i++) {
				struct cons_part *p = &c->parts[i];
				p->pending_revocation = p->fstate != FS_UNASSIGNED;
			}
		struct commit_part *offs = NULL;
		uint32_t n = cons_all_consumed(c, &offs);
		int16_t err = KERR_NONE;
		if (n == 0)
			c->jp_commit = CJP_DONE;
		else if (!cons_coord_ready(c, ctx, wake))
			return false;
		else if (cons_commit_send(c, ctx, CCOMMIT_JOIN_PREPARE, offs, n, &err))
			c->jp_commit = CJP_PENDING;
		else
			c->jp_commit = CJP_DONE;   /* failed for good: "continue to join group" */
	}
	if (c->jp_commit == CJP_PENDING && now < c->jp_deadline_us) {
		cons_wake_at(wake, c->jp_deadline_us, now);
		return false;
	}
	return true;
}

/* ConsumerCoordinator.onJoinPrepare; false while its auto-commit is under way. */
static bool on_join_prepare(struct consumer *c, struct node_ctx *ctx, int64_t *wake)
{
	if (!c->jp_timer_set) {
		c->jp_timer_set = true;
		c->jp_deadline_us = ctx->now_us + cons_us(c->cfg->max_poll_interval_ms);
	}
	if (c->cfg->commit == CONSUMER_COMMIT_AUTO && !join_prepare_commit(c, ctx, wake))
		return false;
	if (c->generation < 0 || member_ref_empty(&c->member))
		revoke_all(c, ctx, true);    /* generation reset: the partitions are lost */
	else if (!c->cooperative)
		revoke_all(c, ctx, false);   /* eager: revoke everything */
	/* cooperative: only partitions of topics no longer subscribed (never here) */
	c->is_leader = false;
	c->jp_timer_set = false;
	c->jp_commit = CJP_NONE;
	return true;
}

static void on_join_complete(struct consumer *c, struct node_ctx *ctx)
{
	c->sync_ready = false;
	trace_parts(c, ctx, "assigned", c->sync_tps.v, c->sync_tps.n, false);
	if (c->cooperative) {
		struct cons_u32v *rv = &c->sticky_prev;   /* scratch until overwritten below */
		rv->n = 0;
		for (uint32_t i = 0; i < c->assigned.n; i++)
			if (!cons_u32v_has(&c->sync_tps, c->assigned.v[i]) &&
			    !cons_u32v_push(c, rv, c->assigned.v[i]))
				return;
		if (rv->n > 0) {
			/* KIP-429: revoke what moved away, then rejoin at once. */
			trace_parts(c, ctx, "revoked", rv->v, rv->n, false);
			cons_request_rejoin(c);
		}
	}
	c->sticky_prev.n = 0;
	for (uint32_t i = 0; i < c->sync_tps.n; i++)
		if (!cons_u32v_push(c, &c->sticky_prev, c->sync_tps.v[i]))
			return;
	c->sticky_gen = c->generation;
	if (c->cfg->commit == CONSUMER_COMMIT_AUTO)
		c->next_auto_commit_us = ctx->now_us + cons_us(c->cfg->auto_commit_interval_ms);
	cons_assign(c, c->sync_tps.v, c->sync_tps.n);
}

/* One pass of joinGroupIfNeeded's loop; true when the join finished (or must restart). */
static bool join_step(struct consumer *c, struct node_ctx *ctx, int64_t *wake)
{
	if (c->needs_join_prepare && !c->join_pending) {
		c->needs_join_prepare = false;
		if (!on_join_prepare(c, ctx, wake)) {
			c->needs_join_prepare = true;
			return false;
		}
	}
	if (!c->join_pending) {
		if (ctx->now_us < c->join_retry_us) {
			cons_wake_at(wake, c->join_retry_us, ctx->now_us);
			return false;
		}
		if (!cons_coord_ready(c, ctx, wake))
			return false;
		send_join(c, ctx);
		return false;
	}
	if (c->join_deferred) {
		c->join_deferred = false;
		handle_join(c, ctx, &c->join_msg, c->join_blob, c->join_blob_len, KERR_NONE,
			    c->join_sent_gen, &c->join_sent_member);
		return !c->join_pending;
	}
	if (!c->sync_ready)
		return false;
	c->join_pending = false;
	if (c->generation >= 0 && c->gstate == CGRP_STABLE) {
		on_join_complete(c, ctx);
		c->needs_join_prepare = true;
	} else {
		c->sync_ready = false;
		cons_reset_generation(c, true, "rebalance failed since the generation/state was "
					       "modified by heartbeat thread", ctx);
	}
	return true;
}

/* ConsumerCoordinator.poll(timer 0, waitForJoinGroup false). */
bool cons_group_poll(struct consumer *c, struct node_ctx *ctx, int64_t *wake)
{
	if (!cons_coord_known(c)) {
		cons_coord_lookup(c, ctx, wake);
		return false;
	}
	for (int guard = 0; guard < 16 && (c->rejoin_needed || c->join_pending); guard++) {
		if (!cons_coord_known(c)) {
			cons_coord_lookup(c, ctx, wake);
			return false;
		}
		if (!join_step(c, ctx, wake) || c->nomem)
			return false;
	}
	return !c->rejoin_needed && !c->join_pending;
}
