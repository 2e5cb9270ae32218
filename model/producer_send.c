/*
 * producer_send.c — the sender: one connection per broker with Kafka's reconnect backoff,
 * the least-loaded node, metadata refreshes, InitProducerId, the accumulator's readiness
 * check and drain, produce requests with max.in.flight and request.timeout.ms, and the
 * handling of their answers (retry, fail, split, metadata refresh).
 *
 * Kafka: producer/internals/Sender.java (runOnce, sendProducerData, handleProduceResponse,
 * completeBatch, canRetry), RecordAccumulator.java (ready, partitionReady, batchReady,
 * drainBatchesForOneNode, updateNodeLatencyStats), clients/NetworkClient.java (ready,
 * leastLoadedNode, handleTimedOutRequests, processDisconnection: a timed-out request closes
 * its connection and fails every request on it), ClusterConnectionStates.java (reconnect
 * backoff, setup timeout), clients/Metadata.java (timeToNextUpdate, timeToAllowUpdate with
 * equivalent-response backoff, KIP-320 leader-epoch check), TransactionManager.java
 * (InitProducerId for the idempotent producer).
 */
#include "model/producer_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "model/proto.h"
#include "sim/trace.h"

static int64_t us_of(int64_t ms)
{
	return ms > INT64_MAX / US_PER_MS ? INT64_MAX : ms_to_us(ms);
}

static int64_t add_sat(int64_t a, int64_t b)
{
	return b > INT64_MAX - a ? INT64_MAX : a + b;
}

static void wake_at(int64_t *wake, int64_t t, int64_t now)
{
	if (t > now && t < *wake)
		*wake = t;
}

/* ---- errors --------------------------------------------------------------------------- */

/* Errors whose exception is a RetriableException. */
bool prod_retriable(int16_t err)
{
	switch (err) {
	case KERR_CORRUPT_MESSAGE:
	case KERR_UNKNOWN_TOPIC_OR_PARTITION:
	case KERR_LEADER_NOT_AVAILABLE:
	case KERR_NOT_LEADER_OR_FOLLOWER:
	case KERR_REQUEST_TIMED_OUT:
	case KERR_NETWORK_EXCEPTION:
	case KERR_COORDINATOR_LOAD_IN_PROGRESS:
	case KERR_COORDINATOR_NOT_AVAILABLE:
	case KERR_NOT_COORDINATOR:
	case KERR_NOT_ENOUGH_REPLICAS:
	case KERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
	case PROD_KERR_NOT_CONTROLLER:
	case PROD_KERR_KAFKA_STORAGE_ERROR:
	case KERR_FENCED_LEADER_EPOCH:
	case KERR_UNKNOWN_LEADER_EPOCH:
	case KERR_OFFSET_NOT_AVAILABLE:
		return true;
	default:
		return false;
	}
}

/* Errors whose exception is an InvalidMetadataException: they ask for a metadata update. */
static bool invalid_metadata(int16_t err)
{
	switch (err) {
	case KERR_UNKNOWN_TOPIC_OR_PARTITION:
	case KERR_LEADER_NOT_AVAILABLE:
	case KERR_NOT_LEADER_OR_FOLLOWER:
	case KERR_NETWORK_EXCEPTION:
	case PROD_KERR_KAFKA_STORAGE_ERROR:
	case KERR_FENCED_LEADER_EPOCH:
	case KERR_UNKNOWN_LEADER_EPOCH:
		return true;
	default:
		return false;
	}
}

void prod_count_error(struct producer *p, int16_t err)
{
	assert(err != KERR_NONE);
	uint32_t i = err > 0 && err < PRODUCER_ERROR_CODES ? (uint32_t)err : 0;
	p->errors[i]++;
}

/* ---- connections ---------------------------------------------------------------------- */

static uint32_t broker_index(const struct producer *p, int32_t broker_id)
{
	uint32_t node = cluster_broker_node(p->cluster, broker_id);
	return node == UINT32_MAX ? PROD_NONE : node - p->cluster->broker_node0;
}

static uint32_t broker_of_conn(struct producer *p, struct node_ctx *ctx, conn_id conn)
{
	uint32_t peer = node_peer(ctx, conn);
	uint32_t b = peer - p->cluster->broker_node0;
	if (peer != UINT32_MAX && peer >= p->cluster->broker_node0 && b < p->nbrokers &&
	    p->conns[b].id == conn)
		return b;
	for (b = 0; b < p->nbrokers; b++)
		if (p->conns[b].id == conn && conn != 0)
			return b;
	return PROD_NONE;
}

static bool can_connect(const struct prod_conn *c, int64_t now)
{
	return c->state == PCONN_DOWN && now - c->last_attempt_us >= c->backoff_us;
}

/* ClusterConnectionStates.connectionDelay. */
static int64_t conn_delay(const struct prod_conn *c, int64_t now)
{
	if (c->state != PCONN_DOWN)
		return INT64_MAX;
	int64_t left = c->last_attempt_us + c->backoff_us - now;
	return left > 0 ? left : 0;
}

static bool can_send(const struct producer *p, const struct prod_conn *c)
{
	return c->state == PCONN_READY && c->inflight < (uint64_t)p->cfg->max_in_flight;
}

static void conn_connect(struct producer *p, struct node_ctx *ctx, uint32_t b)
{
	struct prod_conn *c = &p->conns[b];
	int64_t setup = p->cfg->socket_connection_setup_timeout_ms;
	int64_t max = setup > PROD_SETUP_TIMEOUT_MAX_MS ? setup : PROD_SETUP_TIMEOUT_MAX_MS;
	int64_t to_ms = prod_backoff_ms(ctx->prng, setup, max, c->setup_failed);
	c->id = node_connect(ctx, p->cluster->broker_node0 + b, us_of(to_ms));
	if (c->id == 0) {
		prod_set_nomem(p);
		return;
	}
	c->state = PCONN_CONNECTING;
	c->last_attempt_us = ctx->now_us;
}

/* ClusterConnectionStates.disconnected: back off before the next attempt. */
static void conn_down(struct producer *p, struct node_ctx *ctx, uint32_t b, bool setup)
{
	struct prod_conn *c = &p->conns[b];
	const struct producer_cfg *cfg = p->cfg;
	c->state = PCONN_DOWN;
	c->id = 0;
	c->last_attempt_us = ctx->now_us;
	c->backoff_us = us_of(prod_backoff_ms(ctx->prng, cfg->reconnect_backoff_ms,
					      cfg->reconnect_backoff_max_ms, c->failed));
	c->failed++;
	if (setup)
		c->setup_failed++;
}

/* NetworkClient.leastLoadedNode, brokers in id order: a ready node with the fewest requests
 * in flight, else a connecting one, else the one whose last attempt is oldest. */
static uint32_t least_loaded(const struct producer *p, int64_t now)
{
	uint32_t ready = PROD_NONE, connecting = PROD_NONE, can = PROD_NONE;
	uint32_t fewest = UINT32_MAX;
	for (uint32_t b = 0; b < p->nbrokers; b++) {
		const struct prod_conn *c = &p->conns[b];
		if (can_send(p, c)) {
			if (c->inflight == 0)
				return b;
			if (c->inflight < fewest) {
				fewest = c->inflight;
				ready = b;
			}
		} else if (c->state == PCONN_CONNECTING) {
			connecting = b;
		} else if (can_connect(c, now)) {
			if (can == PROD_NONE || p->conns[can].last_attempt_us > c->last_attempt_us)
				can = b;
		}
	}
	return ready != PROD_NONE ? ready : connecting != PROD_NONE ? connecting : can;
}

/* The earliest reconnect among brokers in backoff (nothing else to do but wait). */
static void wake_for_backoff(const struct producer *p, int64_t now, int64_t *wake)
{
	for (uint32_t b = 0; b < p->nbrokers; b++)
		if (p->conns[b].state == PCONN_DOWN)
			wake_at(wake, add_sat(now, conn_delay(&p->conns[b], now)), now);
}

/* For a one-off request (metadata, InitProducerId): true when broker *out can take it now;
 * otherwise a connection may have been started, and *wake covers the wait. */
static bool node_for_request(struct producer *p, struct node_ctx *ctx, uint32_t *out,
			     int64_t *wake)
{
	int64_t now = ctx->now_us;
	uint32_t b = least_loaded(p, now);
	*out = b;
	if (b == PROD_NONE) {
		wake_for_backoff(p, now, wake);
		return false;
	}
	if (can_send(p, &p->conns[b]))
		return true;
	if (can_connect(&p->conns[b], now))
		conn_connect(p, ctx, b);
	return false;
}

/* ---- requests ------------------------------------------------------------------------- */

static uint32_t req_new(struct producer *p)
{
	if (p->req_free == PROD_NONE) {
		uint32_t n = p->nreq_cap ? p->nreq_cap * 2 : 8;
		struct prod_req *q = realloc(p->reqs, (size_t)n * sizeof(*q));
		if (q == NULL) {
			prod_set_nomem(p);
			return PROD_NONE;
		}
		for (uint32_t i = p->nreq_cap; i < n; i++)
			q[i] = (struct prod_req){.next = i + 1 < n ? i + 1 : PROD_NONE};
		p->req_free = p->nreq_cap;
		p->reqs = q;
		p->nreq_cap = n;
	}
	uint32_t id = p->req_free;
	struct prod_req *r = &p->reqs[id];
	p->req_free = r->next;
	r->active = true;
	r->next = PROD_NONE;
	r->timer = 0;
	r->batches.n = 0;
	return id;
}

static void req_release(struct producer *p, uint32_t id)
{
	struct prod_req *r = &p->reqs[id];
	r->active = false;
	r->batches.n = 0;
	r->next = p->req_free;
	p->req_free = id;
}

static void req_link(struct producer *p, uint32_t id)
{
	struct prod_req *r = &p->reqs[id];
	struct prod_conn *c = &p->conns[r->broker];
	r->next = PROD_NONE;
	if (c->req_tail == PROD_NONE)
		c->req_head = id;
	else
		p->reqs[c->req_tail].next = id;
	c->req_tail = id;
	c->inflight++;
}

static void req_unlink(struct producer *p, uint32_t id)
{
	struct prod_req *r = &p->reqs[id];
	struct prod_conn *c = &p->conns[r->broker];
	uint32_t prev = PROD_NONE;
	for (uint32_t i = c->req_head; i != PROD_NONE; prev = i, i = p->reqs[i].next) {
		if (i != id)
			continue;
		if (prev == PROD_NONE)
			c->req_head = r->next;
		else
			p->reqs[prev].next = r->next;
		if (c->req_tail == id)
			c->req_tail = prev;
		assert(c->inflight > 0);
		c->inflight--;
		r->next = PROD_NONE;
		return;
	}
	assert(0 && "request not on its connection");
}

static uint32_t req_find(const struct producer *p, uint32_t b, uint64_t corr)
{
	for (uint32_t i = p->conns[b].req_head; i != PROD_NONE; i = p->reqs[i].next)
		if (p->reqs[i].corr == corr)
			return i;
	return PROD_NONE;
}

/* A new request on broker b, linked to its connection. */
static uint32_t req_start(struct producer *p, uint32_t b, uint8_t kind, int64_t now)
{
	uint32_t id = req_new(p);
	if (id == PROD_NONE)
		return PROD_NONE;
	struct prod_req *r = &p->reqs[id];
	r->corr = 0;   /* given when written */
	r->kind = kind;
	r->broker = b;
	r->sent_us = now;
	return id;
}

static void conn_lost(struct producer *p, struct node_ctx *ctx, uint32_t b, int16_t err,
		      bool setup);

/* Writes request id to its connection. False: the connection was closed (a disconnect,
 * already handled). */
static bool req_transmit(struct producer *p, struct node_ctx *ctx, uint32_t id,
			 struct net_msg *m, const void *blob, uint32_t len, bool expect)
{
	struct prod_req *r = &p->reqs[id];
	uint32_t b = r->broker;
	if (r->corr == 0)
		r->corr = ++p->next_corr;
	m->corr = r->corr;
	req_link(p, id);
	if (!node_send(ctx, p->conns[b].id, m, blob, len)) {
		conn_lost(p, ctx, b, KERR_NETWORK_EXCEPTION, false);
		return false;
	}
	p->requests_sent++;
	if (expect)
		p->reqs[id].timer = node_timer(ctx, us_of(p->cfg->request_timeout_ms),
					       PROD_TIMER_REQUEST, p->reqs[id].corr);
	return true;
}

/* ---- metadata ------------------------------------------------------------------------- */

static bool md_in_use(const struct producer *p)
{
	return (p->app != PROD_APP_DONE && p->app != PROD_APP_IDLE) || p->live_batches > 0;
}

/* Metadata.timeToNextUpdate. */
static int64_t md_time_to_update(const struct producer *p, int64_t now)
{
	int64_t age = us_of(p->cfg->metadata_max_age_ms);
	int64_t expire_at = add_sat(p->md_last_success_us, age);
	bool aged = p->have_md && expire_at <= now;
	int64_t expire;
	if (p->md_requested || !p->have_md)
		expire = 0;
	else if (!md_in_use(p))
		return INT64_MAX;
	else
		expire = aged ? 0 : expire_at - now;
	int64_t allow = p->md_next_allowed_us - now;
	/* A periodic refresh does not back off on equivalent responses. */
	if (!aged && p->md_eq_allowed_us - now > allow)
		allow = p->md_eq_allowed_us - now;
	if (allow < 0)
		allow = 0;
	return expire > allow ? expire : allow;
}

static bool md_update_due(const struct producer *p, int64_t now)
{
	return !p->md_inflight && md_time_to_update(p, now) == 0;
}

static int64_t retry_backoff_us(struct producer *p, struct node_ctx *ctx, uint32_t attempts)
{
	return us_of(prod_backoff_ms(ctx->prng, p->cfg->retry_backoff_ms,
				     p->cfg->retry_backoff_max_ms, attempts));
}

/* Metadata.update: attempts reset; equivalent responses back off exponentially. */
static void md_refreshed(struct producer *p, struct node_ctx *ctx, bool progress)
{
	int64_t now = ctx->now_us;
	p->md_requested = !p->have_md;   /* waitOnMetadata keeps asking for a missing topic */
	p->md_attempts = 0;
	p->md_last_success_us = now;
	p->md_eq = progress ? 0 : p->md_eq + 1;
	p->md_next_allowed_us = now + retry_backoff_us(p, ctx, 0);
	p->md_eq_allowed_us = p->md_eq > 0 ? now + retry_backoff_us(p, ctx, p->md_eq - 1) : now;
}

/* Metadata.failedUpdate. */
static void md_failed(struct producer *p, struct node_ctx *ctx)
{
	int64_t now = ctx->now_us;
	p->md_inflight = false;
	p->md_attempts++;
	p->md_next_allowed_us = now + retry_backoff_us(p, ctx, p->md_attempts - 1);
	p->md_eq_allowed_us = p->md_eq > 0 ? now + retry_backoff_us(p, ctx, p->md_eq - 1) : now;
}

/* The partitions with a leader (availablePartitionsForTopic) and, per broker, the
 * partitions it leads (partitionsForNode), both in partition order. */
static void md_index(struct producer *p)
{
	p->navail = 0;
	for (uint32_t b = 0; b < p->nbrokers; b++)
		p->conns[b].led_n = 0;
	for (uint32_t part = 0; part < p->nparts; part++) {
		uint32_t b = p->parts[part].leader_b;
		if (b == PROD_NONE)
			continue;
		p->avail[p->navail++] = part;
		p->conns[b].led_n++;
	}
	uint32_t at = 0;
	for (uint32_t b = 0; b < p->nbrokers; b++) {
		p->conns[b].led_first = at;
		at += p->conns[b].led_n;
		p->conns[b].led_n = 0;
	}
	for (uint32_t k = 0; k < p->navail; k++) {
		uint32_t part = p->avail[k];
		struct prod_conn *c = &p->conns[p->parts[part].leader_b];
		p->led[c->led_first + c->led_n++] = part;
	}
}

/* Applies one partition's metadata; true when it changed. Metadata with an older leader
 * epoch than the last seen one is ignored (KIP-320, Metadata.updateLatestMetadata); one
 * without an epoch is taken as is and forgets the last seen epoch. */
static bool md_apply_one(struct producer *p, const struct md_leader *l)
{
	if (l->tp < p->first_tp || l->tp - p->first_tp >= p->nparts)
		return false;
	struct prod_part *pp = &p->parts[l->tp - p->first_tp];
	if (l->leader_epoch >= 0 && pp->leader_epoch >= 0 && l->leader_epoch < pp->leader_epoch)
		return false;
	uint32_t b = l->error == KERR_NONE && l->leader >= 0 ? broker_index(p, l->leader)
							      : PROD_NONE;
	int32_t leader = b == PROD_NONE ? -1 : l->leader;
	if (leader == pp->leader && l->leader_epoch == pp->leader_epoch)
		return false;
	pp->leader = leader;
	pp->leader_b = b;
	pp->leader_epoch = l->leader_epoch;
	return true;
}

static void md_trace(struct producer *p, struct node_ctx *ctx, uint32_t b, uint32_t changed,
		     const char *leaders)
{
	struct trace_line *l = node_trace(ctx, "metadata");
	trace_int(l, "broker", p->cluster->broker_ids[b]);
	trace_int(l, "changed", changed);
	trace_raw(l, "leaders", leaders);
	trace_end(l);
}

/* Appends "[p,leader,epoch]" to the trace array text when there is room. */
static void md_note(char *buf, size_t cap, size_t *len, uint32_t part, const struct prod_part *pp)
{
	char item[48];
	int n = 0;
	int32_t v[3] = {(int32_t)part, pp->leader, pp->leader_epoch};
	if (*len > 1)
		item[n++] = ',';
	item[n++] = '[';
	for (int k = 0; k < 3; k++) {
		char d[12];
		int nd = 0;
		uint32_t x = v[k] < 0 ? (uint32_t)-(int64_t)v[k] : (uint32_t)v[k];
		do {
			d[nd++] = (char)('0' + (int)(x % 10));
			x /= 10;
		} while (x != 0);
		if (k > 0)
			item[n++] = ',';
		if (v[k] < 0)
			item[n++] = '-';
		while (nd > 0)
			item[n++] = d[--nd];
	}
	item[n++] = ']';
	if (*len + (size_t)n + 2 >= cap)
		return;
	memcpy(buf + *len, item, (size_t)n);
	*len += (size_t)n;
}

static void on_md_resp(struct producer *p, struct node_ctx *ctx, uint32_t b,
		       const struct net_msg *m, const void *blob, uint32_t len)
{
	struct metadata_resp r;
	PROTO_GET(m, r);
	p->md_inflight = false;
	if (r.error != KERR_NONE || r.topic != (int32_t)p->cfg->topic ||
	    (uint64_t)r.count * sizeof(struct md_leader) > len) {
		/* The topic is not in this answer: a refresh that made no progress. */
		md_refreshed(p, ctx, false);
		md_trace(p, ctx, b, 0, "[]");
		return;
	}
	char text[1024] = "[";
	size_t tl = 1;
	uint32_t changed = 0;
	for (uint32_t i = 0; i < r.count; i++) {
		struct md_leader l;
		memcpy(&l, (const uint8_t *)blob + (size_t)i * sizeof(l), sizeof(l));
		if (!md_apply_one(p, &l))
			continue;
		changed++;
		md_note(text, sizeof(text), &tl, l.tp - p->first_tp, &p->parts[l.tp - p->first_tp]);
	}
	text[tl++] = ']';
	text[tl] = '\0';
	bool first = !p->have_md;
	p->have_md = true;
	md_index(p);
	md_refreshed(p, ctx, first || changed > 0);
	md_trace(p, ctx, b, changed, text);
	prod_app_kick(p, ctx);
}

/* NetworkClient's metadata updater: one request at a time, to the least-loaded node. */
static bool md_maybe_update(struct producer *p, struct node_ctx *ctx, int64_t *wake)
{
	int64_t now = ctx->now_us;
	if (p->md_inflight)
		return false;
	int64_t t = md_time_to_update(p, now);
	if (t > 0) {
		wake_at(wake, add_sat(now, t), now);
		return false;
	}
	uint32_t b;
	if (!node_for_request(p, ctx, &b, wake))
		return false;
	uint32_t id = req_start(p, b, PREQ_METADATA, now);
	if (id == PROD_NONE)
		return false;
	struct metadata_req mr = {.topic = (int32_t)p->cfg->topic};
	struct net_msg m;
	PROTO_PUT(&m, MSG_METADATA, mr);
	m.bytes = 64;
	p->md_inflight = true;
	req_transmit(p, ctx, id, &m, NULL, 0, true);
	return true;
}

/* ---- InitProducerId ------------------------------------------------------------------- */

static void init_maybe_send(struct producer *p, struct node_ctx *ctx, int64_t *wake)
{
	int64_t now = ctx->now_us;
	if (p->init_inflight)
		return;
	if (now < p->init_retry_at_us) {
		wake_at(wake, p->init_retry_at_us, now);
		return;
	}
	uint32_t b;
	if (!node_for_request(p, ctx, &b, wake))
		return;
	uint32_t id = req_start(p, b, PREQ_INIT_PID, now);
	if (id == PROD_NONE)
		return;
	struct net_msg m;
	memset(&m, 0, sizeof(m));
	m.type = MSG_INIT_PRODUCER_ID;
	m.bytes = 64;
	p->init_inflight = true;
	req_transmit(p, ctx, id, &m, NULL, 0, true);
}

/* Any error, disconnect or timeout: retried after retry.backoff.ms (TxnRequestHandler
 * reenqueue; the sender sleeps retryBackoffMs before a retried request). */
static void init_failed(struct producer *p, struct node_ctx *ctx)
{
	p->init_inflight = false;
	p->init_retry_at_us = ctx->now_us + us_of(p->cfg->retry_backoff_ms);
}

static void on_init_resp(struct producer *p, struct node_ctx *ctx, const struct net_msg *m)
{
	struct init_producer_id_resp r;
	PROTO_GET(m, r);
	struct trace_line *l = node_trace(ctx, "producer_id");
	trace_int(l, "producer_id", r.producer_id);
	trace_int(l, "epoch", r.producer_epoch);
	trace_str(l, "error", kafka_error_name(r.error));
	trace_end(l);
	if (r.error != KERR_NONE || r.producer_id < 0) {
		init_failed(p, ctx);
		return;
	}
	p->init_inflight = false;
	p->pid = r.producer_id;
	p->epoch = r.producer_epoch;
}

/* ---- produce answers ------------------------------------------------------------------ */

/* Sender.canRetry. */
static bool can_retry(struct producer *p, struct node_ctx *ctx, uint32_t id, int16_t err)
{
	const struct prod_batch *b = prod_batch(p, id);
	bool timed_out = us_of(p->cfg->delivery_timeout_ms) <= ctx->now_us - b->created_us;
	if (timed_out || b->attempts >= p->cfg->retries || b->done)
		return false;
	return p->cfg->idempotent ? prod_idem_can_retry(p, ctx, id, err) : prod_retriable(err);
}

/* Sender.completeBatch for one batch of an answered (or failed) request. */
static void produce_result(struct producer *p, struct node_ctx *ctx, uint32_t id, int16_t err,
			   int64_t base, uint32_t broker)
{
	struct prod_batch *b = prod_batch(p, id);
	uint32_t part = b->part;
	b->req = PROD_NONE;
	if (err != KERR_NONE) {
		prod_count_error(p, err);
		struct trace_line *l = node_trace(ctx, "produce_error");
		trace_int(l, "partition", part);
		trace_int(l, "broker", p->cluster->broker_ids[broker]);
		trace_str(l, "error", kafka_error_name(err));
		trace_int(l, "attempt", b->attempts + 1);
		trace_end(l);
	}
	if (err == KERR_MESSAGE_TOO_LARGE && b->count > 1 && !b->done) {
		prod_split(p, ctx, id);   /* not a retry: attempts stay */
	} else if (err != KERR_NONE) {
		bool adjust = b->attempts < p->cfg->retries;
		if (can_retry(p, ctx, id, err))
			prod_reenqueue(p, ctx, id);
		else if (err == KERR_DUPLICATE_SEQUENCE_NUMBER)
			prod_complete_ok(p, ctx, id, -1);   /* success without an offset */
		else
			prod_fail_batch(p, ctx, id, err, adjust);
		if (invalid_metadata(err))
			p->md_requested = true;
	} else {
		prod_complete_ok(p, ctx, id, base);
	}
	if (p->cfg->max_in_flight == 1)
		p->parts[part].muted = false;
}

static bool find_part_resp(const void *blob, uint32_t count, uint32_t tp,
			   struct produce_part_resp *out)
{
	for (uint32_t i = 0; i < count; i++) {
		memcpy(out, (const uint8_t *)blob + (size_t)i * sizeof(*out), sizeof(*out));
		if (out->tp == tp)
			return true;
	}
	return false;
}

static void on_produce_resp(struct producer *p, struct node_ctx *ctx, uint32_t rid,
			    const struct net_msg *m, const void *blob, uint32_t len)
{
	struct produce_resp pr;
	PROTO_GET(m, pr);
	uint32_t count = pr.count;
	if ((uint64_t)count * sizeof(struct produce_part_resp) > len)
		count = len / (uint32_t)sizeof(struct produce_part_resp);
	struct prod_req *r = &p->reqs[rid];
	uint32_t errors = 0;
	for (uint32_t i = 0; i < r->batches.n; i++) {
		uint32_t id = r->batches.v[i];
		struct produce_part_resp pp;
		int16_t err = KERR_NETWORK_EXCEPTION;   /* not answered: as if disconnected */
		int64_t base = -1;
		if (find_part_resp(blob, count, p->first_tp + prod_batch(p, id)->part, &pp)) {
			err = pp.error;
			base = pp.base_offset;
		}
		errors += err != KERR_NONE;
		produce_result(p, ctx, id, err, base, r->broker);
	}
	struct trace_line *l = node_trace(ctx, "produce_resp");
	trace_int(l, "broker", p->cluster->broker_ids[r->broker]);
	trace_uint(l, "corr", r->corr);
	trace_int(l, "batches", r->batches.n);
	trace_int(l, "errors", errors);
	trace_end(l);
}

/* A request that will not be answered: its batches complete with err. */
static void req_fail(struct producer *p, struct node_ctx *ctx, uint32_t id, int16_t err)
{
	struct prod_req *r = &p->reqs[id];
	if (r->timer != 0)
		node_timer_cancel(ctx, r->timer);
	switch (r->kind) {
	case PREQ_PRODUCE:
		for (uint32_t i = 0; i < r->batches.n; i++)
			produce_result(p, ctx, r->batches.v[i], err, -1, r->broker);
		break;
	case PREQ_METADATA:
		md_failed(p, ctx);
		break;
	case PREQ_INIT_PID:
		init_failed(p, ctx);
		break;
	default:
		assert(0 && "unknown request kind");
	}
	req_release(p, id);
}

/* The connection to broker b is gone (reset, refused, setup timeout, request timeout):
 * every request on it fails with err, and metadata is refreshed (NetworkClient). */
static void conn_lost(struct producer *p, struct node_ctx *ctx, uint32_t b, int16_t err,
		      bool setup)
{
	struct prod_conn *c = &p->conns[b];
	if (c->state == PCONN_DOWN)
		return;
	node_close(ctx, c->id);
	conn_down(p, ctx, b, setup);
	while (c->req_head != PROD_NONE) {
		uint32_t id = c->req_head;
		req_unlink(p, id);
		req_fail(p, ctx, id, err);
	}
	p->md_requested = true;
}

void prod_on_conn_event(struct producer *p, struct node_ctx *ctx, conn_id conn,
			enum conn_event ev)
{
	uint32_t b = broker_of_conn(p, ctx, conn);
	if (b == PROD_NONE)
		return;   /* a connection this session no longer uses */
	struct prod_conn *c = &p->conns[b];
	if (ev == CONN_UP) {
		if (c->state != PCONN_CONNECTING)
			return;
		c->state = PCONN_READY;
		c->failed = 0;
		c->setup_failed = 0;
		return;
	}
	static const char *const why[] = {
		[CONN_UP] = "up", [CONN_REFUSED] = "refused", [CONN_TIMEOUT] = "setup_timeout",
		[CONN_RESET] = "reset",
	};
	struct trace_line *l = node_trace(ctx, "disconnected");
	trace_int(l, "broker", p->cluster->broker_ids[b]);
	trace_str(l, "reason", why[ev]);
	trace_int(l, "requests", c->inflight);
	trace_end(l);
	conn_lost(p, ctx, b, KERR_NETWORK_EXCEPTION, c->state == PCONN_CONNECTING);
}

void prod_on_request_timeout(struct producer *p, struct node_ctx *ctx, uint64_t corr)
{
	for (uint32_t b = 0; b < p->nbrokers; b++) {
		uint32_t id = req_find(p, b, corr);
		if (id == PROD_NONE)
			continue;
		p->reqs[id].timer = 0;   /* it fired */
		struct trace_line *l = node_trace(ctx, "request_timeout");
		trace_int(l, "broker", p->cluster->broker_ids[b]);
		trace_uint(l, "corr", corr);
		trace_int(l, "requests", p->conns[b].inflight);
		trace_end(l);
		conn_lost(p, ctx, b, KERR_REQUEST_TIMED_OUT, false);
		return;
	}
}

void prod_on_message(struct producer *p, struct node_ctx *ctx, conn_id conn,
		     const struct net_msg *m, const void *blob, uint32_t blob_len)
{
	uint32_t b = broker_of_conn(p, ctx, conn);
	if (b == PROD_NONE)
		return;
	uint32_t id = req_find(p, b, m->corr);
	if (id == PROD_NONE)
		return;   /* an answer to a request given up */
	struct prod_req *r = &p->reqs[id];
	req_unlink(p, id);
	if (r->timer != 0)
		node_timer_cancel(ctx, r->timer);
	r->timer = 0;
	if (r->kind == PREQ_PRODUCE && m->type == MSG_PRODUCE_RESP)
		on_produce_resp(p, ctx, id, m, blob, blob_len);
	else if (r->kind == PREQ_METADATA && m->type == MSG_METADATA_RESP)
		on_md_resp(p, ctx, b, m, blob, blob_len);
	else if (r->kind == PREQ_INIT_PID && m->type == MSG_INIT_PRODUCER_ID_RESP)
		on_init_resp(p, ctx, m);
	else
		req_fail(p, ctx, id, KERR_NETWORK_EXCEPTION);   /* a mismatched answer */
	if (p->reqs[id].active)
		req_release(p, id);
}

/* ---- ready and drain ------------------------------------------------------------------ */

/* RecordAccumulator.updateNodeLatencyStats (only with partitioner.availability.timeout.ms). */
static void latency_stats(struct producer *p, uint32_t b, int64_t now, bool drained)
{
	if (p->cfg->partitioner_availability_timeout_ms <= 0)
		return;
	struct prod_conn *c = &p->conns[b];
	if (!c->has_stats) {
		c->has_stats = true;
		c->ready_time_us = c->drain_time_us = now;
	}
	if (drained)
		c->drain_time_us = now;
	c->ready_time_us = now;
}

struct ready_scan {
	int64_t now;
	int64_t *wake;
	bool exhausted;
	bool unknown_leader;
};

/* RecordAccumulator.batchReady. */
static void batch_ready(struct producer *p, struct ready_scan *s, struct prod_part *pp,
			const struct prod_batch *first, bool full, bool backing_off)
{
	struct prod_conn *c = &p->conns[pp->leader_b];
	if (c->ready_now || pp->muted)
		return;
	int64_t waited = s->now - first->last_attempt_us;
	if (waited < 0)
		waited = 0;
	int64_t wait = backing_off ? first->backoff_us : us_of(p->cfg->linger_ms);
	bool sendable = full || waited >= wait || s->exhausted;
	if (sendable && !backing_off)
		c->ready_now = true;
	else
		wake_at(s->wake, add_sat(s->now, wait - waited), s->now);
}

/* RecordAccumulator.partitionReady for the one topic: marks brokers with sendable data and
 * rebuilds the adaptive partitioner's queue-size stats (in place, in p->cft). */
static void ready(struct producer *p, struct ready_scan *s)
{
	bool collect = !p->cfg->partitioner_adaptive_off && p->ndeques >= p->nparts;
	int64_t avail_to = us_of(p->cfg->partitioner_availability_timeout_ms);
	uint32_t len = 0;
	for (uint32_t b = 0; b < p->nbrokers; b++)
		p->conns[b].ready_now = false;
	for (uint32_t part = 0; part < p->nparts; part++) {
		struct prod_part *pp = &p->parts[part];
		if (!pp->has_deque)
			continue;
		bool leader = pp->leader_b != PROD_NONE;
		uint32_t idx = len;
		if (leader && collect) {
			p->cft_ids[idx] = part;
			p->cft[idx] = 0;
			len++;
		}
		if (pp->q.n == 0)
			continue;
		struct prod_batch *first = prod_batch(p, pp->q.v[0]);
		prod_leader_epoch_seen(first, pp->leader_epoch);
		bool backing_off = prod_backing_off(first, s->now);
		bool full = pp->q.n > 1 || prod_batch_full(first);
		if (!leader) {
			s->unknown_leader = true;
			continue;
		}
		const struct prod_conn *c = &p->conns[pp->leader_b];
		if (collect) {
			p->cft[idx] = pp->q.n;
			if (avail_to > 0 && c->has_stats &&
			    c->ready_time_us - c->drain_time_us > avail_to)
				len--;   /* the broker has not taken data for too long */
		}
		batch_ready(p, s, pp, first, full, backing_off);
	}
	if (collect)
		prod_update_load_stats(p, p->cft, p->cft_ids, len);
	else
		p->cft_len = 0;
}

/* NetworkClient.ready: connected, metadata not due first, and room in flight; otherwise a
 * connection is started when the backoff allows. */
static bool client_ready(struct producer *p, struct node_ctx *ctx, uint32_t b)
{
	struct prod_conn *c = &p->conns[b];
	int64_t now = ctx->now_us;
	if (c->state == PCONN_READY && !md_update_due(p, now) && can_send(p, c))
		return true;
	if (can_connect(c, now))
		conn_connect(p, ctx, b);
	return false;
}

/* The producer id and epoch a batch will carry once drained. */
static void batch_identity(const struct producer *p, const struct prod_batch *b, int64_t *pid,
			   int16_t *epoch)
{
	bool assigned = b->base_seq >= 0;
	*pid = !p->cfg->idempotent ? -1 : assigned ? b->pid : p->pid;
	*epoch = !p->cfg->idempotent ? -1 : assigned ? b->epoch : p->epoch;
}

/* Takes a partition's first batch into request rid. */
static void drain_take(struct producer *p, struct prod_part *pp, uint32_t rid)
{
	uint32_t id = pp->q.v[0];
	prod_vec_remove_at(&pp->q, 0);
	struct prod_batch *b = prod_batch(p, id);
	b->queued = false;
	if (p->cfg->idempotent && b->base_seq < 0)
		prod_idem_assign(p, pp, id);
	prod_batch_close(p, id);
	b = prod_batch(p, id);
	b->req = rid;
	if (prod_vec_push(p, &p->reqs[rid].batches, id) && prod_vec_push(p, &pp->infl, id))
		b->sender_inflight = true;
	if (p->cfg->max_in_flight == 1)
		pp->muted = true;   /* guaranteeMessageOrder */
}

/* RecordAccumulator.drainBatchesForOneNode: the first batch of each partition the broker
 * leads, round robin from its drain index, up to max.request.size. A request holds one
 * producer id and epoch (produce_req carries them): a batch of another epoch waits for
 * the next request. */
static void drain_node(struct producer *p, uint32_t b, uint32_t rid, int64_t now)
{
	struct prod_conn *c = &p->conns[b];
	uint32_t n = c->led_n;
	if (n == 0)
		return;
	int64_t size = 0, req_pid = 0;
	int16_t req_epoch = 0;
	uint32_t start = c->drain_index % n, di = start;
	do {
		uint32_t part = p->led[c->led_first + di];
		c->drain_index = di;
		di = (di + 1) % n;
		struct prod_part *pp = &p->parts[part];
		if (pp->muted || pp->q.n == 0)
			continue;
		struct prod_batch *first = prod_batch(p, pp->q.v[0]);
		prod_leader_epoch_seen(first, pp->leader_epoch);
		if (prod_backing_off(first, now))
			continue;
		uint32_t have = p->reqs[rid].batches.n;
		if (size + first->size > p->cfg->max_request_size && have > 0)
			break;
		if (p->cfg->idempotent && prod_idem_stop_drain(p, pp, first))
			break;
		int64_t pid;
		int16_t epoch;
		batch_identity(p, first, &pid, &epoch);
		if (have > 0 && (pid != req_pid || epoch != req_epoch))
			continue;
		req_pid = pid;
		req_epoch = epoch;
		size += first->size;
		drain_take(p, pp, rid);
	} while (start != di && !p->nomem);
}

static void *blob_reserve(struct producer *p, uint32_t bytes)
{
	if (bytes > p->blob_cap) {
		uint32_t n = p->blob_cap ? p->blob_cap : 1024;
		while (n < bytes)
			n *= 2;
		void *q = realloc(p->blob, n);
		if (q == NULL) {
			prod_set_nomem(p);
			return NULL;
		}
		p->blob = q;
		p->blob_cap = n;
	}
	return p->blob;
}

/* Sender.sendProduceRequest. acks=0: the batches are done once written. */
static void produce_send(struct producer *p, struct node_ctx *ctx, uint32_t rid)
{
	struct prod_req *r = &p->reqs[rid];
	uint32_t n = r->batches.n;
	struct produce_part *parts = blob_reserve(p, n * (uint32_t)sizeof(*parts));
	if (parts == NULL)
		return;
	uint32_t bytes = 64, records = 0;
	int64_t pid = -1;
	int16_t epoch = -1;
	for (uint32_t i = 0; i < n; i++) {
		const struct prod_batch *b = prod_batch(p, r->batches.v[i]);
		batch_identity(p, b, &pid, &epoch);
		parts[i] = (struct produce_part){
			.tp = p->first_tp + b->part, .record_count = (int32_t)b->count,
			.base_sequence = b->base_seq, .size_bytes = b->size,
			.max_timestamp_ms = b->max_ts_ms, .rec_ref = b->rec_ref,
			.producer_id = pid, .producer_epoch = epoch,
		};
		bytes += (uint32_t)b->size;
		records += b->count;
	}
	struct produce_req q = {
		.acks = p->cfg->acks, .producer_epoch = epoch,
		.timeout_ms = (int32_t)p->cfg->request_timeout_ms, .producer_id = pid,
		.count = n,
	};
	struct net_msg m;
	PROTO_PUT(&m, MSG_PRODUCE, q);
	m.bytes = bytes;
	r->corr = ++p->next_corr;
	struct trace_line *l = node_trace(ctx, "produce");
	trace_int(l, "broker", p->cluster->broker_ids[r->broker]);
	trace_uint(l, "corr", r->corr);
	trace_int(l, "batches", n);
	trace_int(l, "records", records);
	trace_int(l, "bytes", bytes);
	trace_end(l);
	bool expect = p->cfg->acks != 0;
	if (!req_transmit(p, ctx, rid, &m, parts, n * (uint32_t)sizeof(*parts), expect))
		return;
	if (expect)
		return;
	req_unlink(p, rid);
	for (uint32_t i = 0; i < r->batches.n; i++)
		produce_result(p, ctx, r->batches.v[i], KERR_NONE, -1, r->broker);
	req_release(p, rid);
}

/* Sender.sendProducerData. */
static bool send_producer_data(struct producer *p, struct node_ctx *ctx, int64_t *wake)
{
	int64_t now = ctx->now_us;
	struct ready_scan s = {.now = now, .wake = wake,
			       .exhausted = p->app == PROD_APP_BLOCK_MEM};
	ready(p, &s);
	if (s.unknown_leader)
		p->md_requested = true;
	bool sent = false;
	uint32_t *pending = p->scratch;   /* request slot per broker, PROD_NONE */
	for (uint32_t b = 0; b < p->nbrokers; b++) {
		pending[b] = PROD_NONE;
		if (!p->conns[b].ready_now)
			continue;
		if (!client_ready(p, ctx, b)) {
			latency_stats(p, b, now, false);
			wake_at(wake, add_sat(now, conn_delay(&p->conns[b], now)), now);
			continue;
		}
		latency_stats(p, b, now, true);
		uint32_t rid = req_start(p, b, PREQ_PRODUCE, now);
		if (rid == PROD_NONE)
			return false;
		drain_node(p, b, rid, now);
		if (p->reqs[rid].batches.n == 0)
			req_release(p, rid);
		else
			pending[b] = rid;
	}
	wake_at(wake, prod_expire(p, ctx), now);
	for (uint32_t b = 0; b < p->nbrokers && !p->nomem; b++) {
		if (pending[b] == PROD_NONE)
			continue;
		produce_send(p, ctx, pending[b]);
		sent = true;
	}
	return sent;
}

bool prod_sender_once(struct producer *p, struct node_ctx *ctx, int64_t *wake)
{
	bool progress = false;
	if (p->cfg->idempotent) {
		if (p->n_unresolved > 0)
			prod_idem_resolve(p);
		if (prod_idem_bump_if_needed(p, ctx) || p->init_inflight) {
			/* Sender.runOnce waits for InitProducerId before producing. */
			progress = md_maybe_update(p, ctx, wake);
			if (!p->init_inflight)
				init_maybe_send(p, ctx, wake);
			return progress;
		}
	}
	progress = send_producer_data(p, ctx, wake);
	if (md_maybe_update(p, ctx, wake))
		progress = true;
	return progress && !p->nomem;
}

void prod_sender_run(struct producer *p, struct node_ctx *ctx)
{
	if (!p->session || p->nomem)
		return;
	int64_t wake = INT64_MAX;
	for (int i = 0; i < 100000; i++) {
		wake = INT64_MAX;
		if (!prod_sender_once(p, ctx, &wake))
			break;
		prod_app_kick(p, ctx);
		if (!p->session || p->nomem)
			return;
	}
	if (wake == p->wake_at_us)
		return;
	if (p->wake_timer != 0)
		node_timer_cancel(ctx, p->wake_timer);
	p->wake_timer = 0;
	p->wake_at_us = wake;
	if (wake == INT64_MAX)
		return;
	p->wake_gen++;
	p->wake_timer = node_timer(ctx, wake - ctx->now_us, PROD_TIMER_WAKE, p->wake_gen);
}
