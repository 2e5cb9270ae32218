/*
 * consumer_net.c — the consumer's network client: one connection per broker plus one to the
 * group coordinator, Kafka's reconnect backoff and setup timeout, the least-loaded node,
 * the pool of requests in flight with request.timeout.ms, the dispatch of answers, and
 * metadata refreshes (ConsumerMetadata) with the KIP-320 leader-epoch check.
 *
 * Kafka: clients/NetworkClient.java (leastLoadedNode, handleTimedOutRequests,
 * processDisconnection: a timed-out request closes its connection and fails every request
 * on it; a disconnect asks for a metadata update), ClusterConnectionStates.java
 * (reconnect.backoff.ms exponential to reconnect.backoff.max.ms, setup timeout),
 * clients/Metadata.java (updateLatestMetadata: an older leader epoch is ignored;
 * refresh backoff, metadata.max.age.ms), consumer/internals/ConsumerNetworkClient.java.
 */
#include "model/consumer_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "model/text.h"
#include "sim/trace.h"

/* ---- connections -------------------------------------------------------------------- */

void cons_net_reset(struct consumer *c)
{
	for (uint32_t s = 0; s <= c->nbrokers; s++)
		c->conns[s] = (struct cons_conn){
			.state = CCONN_DOWN, .broker = s < c->nbrokers ? s : CONS_NONE,
		};
	c->req_free = CONS_NONE;
	for (uint32_t i = c->nreq_cap; i-- > 0;) {
		c->reqs[i].active = false;
		c->reqs[i].next_free = c->req_free;
		c->req_free = i;
	}
	c->next_seq = 0;
}

uint32_t cons_broker_index(const struct consumer *c, int32_t broker_id)
{
	uint32_t node = cluster_broker_node(c->cluster, broker_id);
	return node == UINT32_MAX ? CONS_NONE : node - c->cluster->broker_node0;
}

static void connect_slot(struct consumer *c, struct node_ctx *ctx, uint32_t s)
{
	struct cons_conn *k = &c->conns[s];
	assert(k->broker < c->nbrokers);
	int64_t setup = c->cfg->socket_connection_setup_timeout_ms;
	int64_t max = setup > CONS_SETUP_TIMEOUT_MAX_MS ? setup : CONS_SETUP_TIMEOUT_MAX_MS;
	int64_t to_ms = cons_backoff_ms(ctx->prng, setup, max, k->setup_failed);
	k->id = node_connect(ctx, c->cluster->broker_node0 + k->broker, cons_us(to_ms));
	if (k->id == 0) {
		cons_set_nomem(c);
		return;
	}
	k->state = CCONN_CONNECTING;
	k->last_attempt_us = ctx->now_us;
}

bool cons_conn_use(struct consumer *c, struct node_ctx *ctx, uint32_t s, int64_t *wake)
{
	struct cons_conn *k = &c->conns[s];
	if (k->state == CCONN_READY)
		return true;
	if (k->state == CCONN_CONNECTING || k->broker == CONS_NONE)
		return false;
	int64_t at = cons_add_sat(k->last_attempt_us, k->backoff_us);
	if (ctx->now_us >= at)
		connect_slot(c, ctx, s);
	else
		cons_wake_at(wake, at, ctx->now_us);
	return false;
}

/* ClusterConnectionStates.disconnected: the next attempt backs off. */
static void conn_down(struct consumer *c, struct node_ctx *ctx, uint32_t s, bool setup)
{
	struct cons_conn *k = &c->conns[s];
	k->state = CCONN_DOWN;
	k->id = 0;
	k->inflight = 0;
	k->fetch_inflight = false;
	k->last_attempt_us = ctx->now_us;
	k->backoff_us = cons_us(cons_backoff_ms(ctx->prng, c->cfg->reconnect_backoff_ms,
						c->cfg->reconnect_backoff_max_ms, k->failed));
	k->failed++;
	if (setup)
		k->setup_failed++;
}

static cons_done_fn *const done_fns[] = {
	[CREQ_METADATA] = cons_md_done, [CREQ_FETCH] = cons_fetch_done,
	[CREQ_LIST_OFFSETS] = cons_list_offsets_done, [CREQ_EPOCH] = cons_epoch_done,
	[CREQ_FIND] = cons_find_done, [CREQ_JOIN] = cons_join_done, [CREQ_SYNC] = cons_sync_done,
	[CREQ_HEARTBEAT] = cons_hb_done, [CREQ_LEAVE] = cons_leave_done,
	[CREQ_COMMIT] = cons_commit_done, [CREQ_OFFSET_FETCH] = cons_ofetch_done,
};

static const uint16_t resp_types[] = {
	[CREQ_METADATA] = MSG_METADATA_RESP, [CREQ_FETCH] = MSG_FETCH_RESP,
	[CREQ_LIST_OFFSETS] = MSG_LIST_OFFSETS_RESP,
	[CREQ_EPOCH] = MSG_OFFSETS_FOR_LEADER_EPOCH_RESP,
	[CREQ_FIND] = MSG_FIND_COORDINATOR_RESP, [CREQ_JOIN] = MSG_JOIN_GROUP_RESP,
	[CREQ_SYNC] = MSG_SYNC_GROUP_RESP, [CREQ_HEARTBEAT] = MSG_HEARTBEAT_RESP,
	[CREQ_LEAVE] = MSG_LEAVE_GROUP_RESP, [CREQ_COMMIT] = MSG_OFFSET_COMMIT_RESP,
	[CREQ_OFFSET_FETCH] = MSG_OFFSET_FETCH_RESP,
};

/* Releases request id and hands its copy to its handler. */
static void req_finish(struct consumer *c, struct node_ctx *ctx, uint32_t id,
		       const struct net_msg *m, const void *blob, uint32_t len, int16_t err)
{
	struct cons_req r = c->reqs[id];
	assert(r.active);
	if (r.timer != 0)
		node_timer_cancel(ctx, r.timer);
	struct cons_conn *k = &c->conns[r.slot];
	if (k->id == r.conn && k->inflight > 0)
		k->inflight--;
	c->reqs[id].active = false;
	c->reqs[id].next_free = c->req_free;
	c->req_free = id;
	assert(r.kind < sizeof(done_fns) / sizeof(done_fns[0]));
	done_fns[r.kind](c, ctx, &r, m, blob, len, err);
}

/* Every request on connection slot s fails with err. */
static void fail_slot(struct consumer *c, struct node_ctx *ctx, uint32_t s, int16_t err)
{
	for (uint32_t id = 0; id < c->nreq_cap; id++)
		if (c->reqs[id].active && c->reqs[id].slot == s && c->reqs[id].corr != 0)
			req_finish(c, ctx, id, NULL, NULL, 0, err);
}

/* The connection is gone: closed here, its requests failed, metadata refreshed. */
static void conn_lost(struct consumer *c, struct node_ctx *ctx, uint32_t s, int16_t err,
		      bool setup)
{
	struct cons_conn *k = &c->conns[s];
	if (k->state == CCONN_DOWN)
		return;
	node_close(ctx, k->id);
	conn_down(c, ctx, s, setup);
	fail_slot(c, ctx, s, err);
	if (s == c->nbrokers)
		cons_mark_coord_unknown(c, ctx, true, "coordinator disconnected");
	else
		c->md_requested = true;
}

void cons_conn_close(struct consumer *c, struct node_ctx *ctx, uint32_t s, bool backoff)
{
	struct cons_conn *k = &c->conns[s];
	if (k->state != CCONN_DOWN) {
		node_close(ctx, k->id);
		if (backoff) {
			conn_down(c, ctx, s, false);
		} else {
			k->state = CCONN_DOWN;
			k->id = 0;
			k->inflight = 0;
			k->fetch_inflight = false;
		}
	}
	fail_slot(c, ctx, s, KERR_NETWORK_EXCEPTION);   /* DisconnectException */
}

static bool can_connect(const struct cons_conn *k, int64_t now)
{
	return k->state == CCONN_DOWN && now - k->last_attempt_us >= k->backoff_us;
}

/* NetworkClient.leastLoadedNode over the brokers in id order: a ready one with the fewest
 * requests in flight, else a connecting one, else the one whose last attempt is oldest.
 * Starts a connection when that is the best there is. */
uint32_t cons_least_loaded(struct consumer *c, struct node_ctx *ctx, int64_t *wake)
{
	uint32_t ready = CONS_NONE, connecting = CONS_NONE, can = CONS_NONE;
	uint32_t fewest = UINT32_MAX;
	int64_t now = ctx->now_us;
	for (uint32_t b = 0; b < c->nbrokers; b++) {
		const struct cons_conn *k = &c->conns[b];
		if (k->state == CCONN_READY) {
			if (k->inflight < fewest) {
				fewest = k->inflight;
				ready = b;
			}
		} else if (k->state == CCONN_CONNECTING) {
			if (connecting == CONS_NONE)
				connecting = b;
		} else if (can_connect(k, now)) {
			if (can == CONS_NONE || c->conns[can].last_attempt_us > k->last_attempt_us)
				can = b;
		} else {
			cons_wake_at(wake, cons_add_sat(k->last_attempt_us, k->backoff_us), now);
		}
	}
	if (ready != CONS_NONE)
		return ready;
	if (connecting == CONS_NONE && can != CONS_NONE)
		connect_slot(c, ctx, can);
	return CONS_NONE;
}

/* ---- requests ----------------------------------------------------------------------- */

uint32_t cons_req_new(struct consumer *c, uint8_t kind, uint32_t slot)
{
	if (c->req_free == CONS_NONE) {
		uint32_t n = c->nreq_cap ? c->nreq_cap * 2 : 16;
		struct cons_req *q = realloc(c->reqs, (size_t)n * sizeof(*q));
		if (q == NULL) {
			cons_set_nomem(c);
			return CONS_NONE;
		}
		for (uint32_t i = c->nreq_cap; i < n; i++)
			q[i] = (struct cons_req){.next_free = i + 1 < n ? i + 1 : CONS_NONE};
		c->req_free = c->nreq_cap;
		c->reqs = q;
		c->nreq_cap = n;
	}
	uint32_t id = c->req_free;
	struct cons_req *r = &c->reqs[id];
	c->req_free = r->next_free;
	*r = (struct cons_req){.active = true, .kind = kind, .slot = slot, .part = CONS_NONE,
			       .next_free = CONS_NONE, .generation = -1};
	return id;
}

uint64_t cons_req_next_corr(const struct consumer *c, uint32_t id)
{
	return (c->next_seq + 1) << 32 | id;
}

bool cons_req_send(struct consumer *c, struct node_ctx *ctx, uint32_t id, struct net_msg *m,
		   const void *blob, uint32_t len, int64_t timeout_us)
{
	struct cons_req *r = &c->reqs[id];
	struct cons_conn *k = &c->conns[r->slot];
	assert(r->active && k->state == CCONN_READY);
	r->corr = cons_req_next_corr(c, id);
	c->next_seq++;
	r->conn = k->id;
	m->corr = r->corr;
	m->bytes = 64 + len;
	k->inflight++;
	if (!node_send(ctx, k->id, m, blob, len)) {
		/* The connection is gone at this end: this request fails with the others on
		 * it, through its handler (callers set their state before sending). */
		conn_lost(c, ctx, r->slot, KERR_NETWORK_EXCEPTION, false);
		return false;
	}
	r->timer = node_timer(ctx, timeout_us, CT_REQ, r->corr);
	return true;
}

void *cons_blob(struct consumer *c, uint32_t bytes)
{
	if (bytes > c->blob_cap) {
		uint32_t n = c->blob_cap ? c->blob_cap : 1024;
		while (n < bytes)
			n *= 2;
		uint8_t *q = realloc(c->blob, n);
		if (q == NULL) {
			cons_set_nomem(c);
			return NULL;
		}
		c->blob = q;
		c->blob_cap = n;
	}
	return c->blob;
}

static uint32_t slot_of(const struct consumer *c, conn_id conn)
{
	for (uint32_t s = 0; s <= c->nbrokers; s++)
		if (c->conns[s].id == conn && conn != 0)
			return s;
	return CONS_NONE;
}

void cons_on_message(struct consumer *c, struct node_ctx *ctx, conn_id conn,
		     const struct net_msg *m, const void *blob, uint32_t len)
{
	uint32_t s = slot_of(c, conn);
	uint32_t id = (uint32_t)(m->corr & 0xffffffffu);
	if (s == CONS_NONE || id >= c->nreq_cap)
		return;   /* a connection or request given up */
	const struct cons_req *r = &c->reqs[id];
	if (!r->active || r->corr != m->corr || r->conn != conn)
		return;
	if (m->type != resp_types[r->kind]) {
		req_finish(c, ctx, id, NULL, NULL, 0, KERR_NETWORK_EXCEPTION);
		return;
	}
	req_finish(c, ctx, id, m, blob, len, KERR_NONE);
}

static void trace_conn(struct consumer *c, struct node_ctx *ctx, uint32_t s, const char *why)
{
	struct trace_line *l = node_trace(ctx, "disconnected");
	trace_int(l, "broker", c->cluster->broker_ids[c->conns[s].broker]);
	trace_bool(l, "coordinator", s == c->nbrokers);
	trace_str(l, "reason", why);
	trace_uint(l, "requests", c->conns[s].inflight);
	trace_end(l);
}

void cons_on_conn_event(struct consumer *c, struct node_ctx *ctx, conn_id conn,
			enum conn_event ev)
{
	uint32_t s = slot_of(c, conn);
	if (s == CONS_NONE)
		return;
	struct cons_conn *k = &c->conns[s];
	if (ev == CONN_UP) {
		if (k->state == CCONN_CONNECTING) {
			k->state = CCONN_READY;
			k->failed = 0;
			k->setup_failed = 0;
		}
		return;
	}
	static const char *const why[] = {
		[CONN_UP] = "up", [CONN_REFUSED] = "refused", [CONN_TIMEOUT] = "setup_timeout",
		[CONN_RESET] = "reset",
	};
	trace_conn(c, ctx, s, why[ev]);
	conn_lost(c, ctx, s, KERR_NETWORK_EXCEPTION, k->state == CCONN_CONNECTING);
}

void cons_on_req_timeout(struct consumer *c, struct node_ctx *ctx, uint64_t corr)
{
	uint32_t id = (uint32_t)(corr & 0xffffffffu);
	if (id >= c->nreq_cap || !c->reqs[id].active || c->reqs[id].corr != corr)
		return;
	c->reqs[id].timer = 0;   /* it fired */
	uint32_t s = c->reqs[id].slot;
	trace_conn(c, ctx, s, "request_timeout");
	conn_lost(c, ctx, s, KERR_REQUEST_TIMED_OUT, false);
}

/* ---- metadata ------------------------------------------------------------------------- */

static void md_send(struct consumer *c, struct node_ctx *ctx, uint32_t b)
{
	c->md_requested = false;
	c->md_round_failed = false;
	for (uint32_t i = 0; i < c->cfg->n_topics && !c->nomem; i++) {
		uint32_t id = cons_req_new(c, CREQ_METADATA, b);
		if (id == CONS_NONE)
			return;
		struct metadata_req q = {.topic = (int32_t)c->cfg->topics[i]};
		struct net_msg m;
		PROTO_PUT(&m, MSG_METADATA, q);
		c->md_inflight++;
		if (!cons_req_send(c, ctx, id, &m, NULL, 0, cons_us(c->cfg->request_timeout_ms)))
			return;
	}
}

/* Metadata.timeToNextUpdate / timeToAllowUpdate, then a request to the least loaded
 * broker for every subscribed topic. */
void cons_md_step(struct consumer *c, struct node_ctx *ctx, int64_t *wake)
{
	int64_t now = ctx->now_us;
	if (c->md_inflight > 0 || c->cfg->n_topics == 0)
		return;
	int64_t due = c->md_requested || c->md_last_us == INT64_MIN
		? now : cons_add_sat(c->md_last_us, cons_us(c->cfg->metadata_max_age_ms));
	if (due < c->md_next_allowed_us)
		due = c->md_next_allowed_us;
	if (due > now) {
		cons_wake_at(wake, due, now);
		return;
	}
	uint32_t b = cons_least_loaded(c, ctx, wake);
	if (b != CONS_NONE)
		md_send(c, ctx, b);
}

/* Applies one partition's leader; an older leader epoch than the newest seen is ignored
 * (KIP-320, Metadata.updateLatestMetadata). */
static void md_apply(struct consumer *c, const struct md_leader *l)
{
	uint32_t part = cons_part_of(c, l->tp);
	if (part == CONS_NONE)
		return;
	struct cons_part *p = &c->parts[part];
	if (l->error != KERR_NONE && p->fstate != FS_UNASSIGNED)
		c->md_requested = true;   /* an assigned partition without a leader */
	if (l->leader_epoch >= 0 && p->leader_epoch >= 0 && l->leader_epoch < p->leader_epoch)
		return;
	uint32_t b = l->error == KERR_NONE && l->leader >= 0 ? cons_broker_index(c, l->leader)
							      : CONS_NONE;
	int32_t leader = b == CONS_NONE ? -1 : l->leader;
	if (leader == p->leader && l->leader_epoch == p->leader_epoch)
		return;
	p->leader = leader;
	p->leader_b = b;
	if (l->leader_epoch >= 0)
		p->leader_epoch = l->leader_epoch;
	cons_maybe_validate(c, part);
}

void cons_md_done(struct consumer *c, struct node_ctx *ctx, const struct cons_req *r,
		  const struct net_msg *m, const void *blob, uint32_t len, int16_t err)
{
	(void)r;
	assert(c->md_inflight > 0);
	c->md_inflight--;
	struct metadata_resp resp = {.error = err};
	if (m != NULL)
		PROTO_GET(m, resp);
	if (resp.error != KERR_NONE || (uint64_t)resp.count * sizeof(struct md_leader) > len) {
		c->md_round_failed = true;
	} else {
		for (uint32_t i = 0; i < resp.count; i++) {
			struct md_leader l;
			memcpy(&l, (const uint8_t *)blob + (size_t)i * sizeof(l), sizeof(l));
			md_apply(c, &l);
		}
	}
	if (c->md_inflight > 0)
		return;
	int64_t now = ctx->now_us;
	if (c->md_round_failed) {
		c->md_attempts++;
		c->md_next_allowed_us = now + cons_retry_backoff_us(c, ctx, c->md_attempts - 1);
		c->md_requested = true;
		return;
	}
	c->md_attempts = 0;
	c->md_last_us = now;
	c->md_next_allowed_us = now + cons_retry_backoff_us(c, ctx, 0);
}
