/*
 * controller.c — registrations, heartbeats and session fencing of the active controller.
 *
 * Kafka: metadata/.../controller/ClusterControlManager.java (registration, broker epochs),
 * BrokerHeartbeatManager.java (session tracking, fencing of stale brokers),
 * QuorumController.java (maybeFenceStaleBroker is scheduled for the next session expiry).
 */
#include "model/controller.h"

#include <assert.h>
#include <stddef.h>

#include "model/proto.h"
#include "sim/trace.h"

enum { TIMER_FENCE_CHECK = 1 };

void ctl_init(struct controller *c, const struct cluster_cfg *cfg, struct ctl_broker *storage)
{
	assert(cfg->brokers > 0);
	c->cfg = cfg;
	c->brokers = storage;
	c->metadata_offset = 0;
	c->fence_timer = 0;
	c->fence_timer_at_us = -1;
	c->fences = 0;
	c->unfences = 0;
	c->registrations = 0;
	for (uint32_t i = 0; i < cfg->brokers; i++) {
		/* A broker's epoch is the offset of its registration record in the metadata
		 * log (ClusterControlManager.registerBroker). */
		c->metadata_offset++;
		c->brokers[i] = (struct ctl_broker){
			.id = cfg->broker_ids[i], .registered = true, .fenced = false,
			.last_shutdown_clean = true, .broker_epoch = c->metadata_offset,
			.last_contact_us = 0,
		};
	}
}

/* Broker ids ascend in cfg->broker_ids: binary search. */
static int64_t broker_index(const struct controller *c, int32_t broker_id)
{
	uint32_t lo = 0, hi = c->cfg->brokers;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (c->brokers[mid].id < broker_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->cfg->brokers && c->brokers[lo].id == broker_id ? (int64_t)lo : -1;
}

const struct ctl_broker *ctl_broker(const struct controller *c, int32_t broker_id)
{
	int64_t i = broker_index(c, broker_id);
	return i < 0 ? NULL : &c->brokers[i];
}

static struct ctl_broker *find(struct controller *c, int32_t broker_id)
{
	int64_t i = broker_index(c, broker_id);
	return i < 0 ? NULL : &c->brokers[i];
}

static int64_t session_us(const struct controller *c)
{
	return ms_to_us(c->cfg->broker_session_timeout_ms);
}

/* Arms the fence check for the earliest session expiry among unfenced brokers. */
static void arm_fence_check(struct controller *c, struct node_ctx *ctx)
{
	int64_t next = INT64_MAX;
	for (uint32_t i = 0; i < c->cfg->brokers; i++) {
		const struct ctl_broker *b = &c->brokers[i];
		if (b->registered && !b->fenced && b->last_contact_us + session_us(c) < next)
			next = b->last_contact_us + session_us(c);
	}
	if (next == c->fence_timer_at_us)
		return;
	if (c->fence_timer_at_us >= 0)
		node_timer_cancel(ctx, c->fence_timer);
	c->fence_timer_at_us = -1;
	if (next == INT64_MAX)
		return;
	int64_t delay = next > ctx->now_us ? next - ctx->now_us : 0;
	c->fence_timer = node_timer(ctx, delay, TIMER_FENCE_CHECK, 0);
	c->fence_timer_at_us = ctx->now_us + delay;
}

static void trace_broker(struct node_ctx *ctx, const char *ev, const struct ctl_broker *b,
			 const char *reason)
{
	struct trace_line *l = node_trace(ctx, ev);
	trace_int(l, "broker", b->id);
	trace_int(l, "broker_epoch", b->broker_epoch);
	if (reason != NULL)
		trace_str(l, "reason", reason);
	trace_end(l);
}

/* BrokerHeartbeatManager: a broker not heard from for broker.session.timeout.ms is fenced. */
static void fence_stale(struct controller *c, struct node_ctx *ctx)
{
	for (uint32_t i = 0; i < c->cfg->brokers; i++) {
		struct ctl_broker *b = &c->brokers[i];
		if (!b->registered || b->fenced)
			continue;
		if (ctx->now_us - b->last_contact_us < session_us(c))
			continue;
		b->fenced = true;
		c->metadata_offset++;
		c->fences++;
		trace_broker(ctx, "broker_fenced", b, "session-timeout");
	}
}

static void ctl_start(void *model, struct node_ctx *ctx)
{
	struct controller *c = model;
	for (uint32_t i = 0; i < c->cfg->brokers; i++)
		c->brokers[i].last_contact_us = ctx->now_us;
	c->fence_timer_at_us = -1;
	arm_fence_check(c, ctx);
}

static void ctl_halt(void *model, enum node_halt how)
{
	struct controller *c = model;
	(void)how;   /* the metadata log is durable when written: nothing is lost */
	c->fence_timer_at_us = -1;
}

static void reply(struct node_ctx *ctx, conn_id conn, uint64_t corr, struct net_msg *m)
{
	m->corr = corr;
	m->bytes = 64;
	node_send(ctx, conn, m, NULL, 0);
}

static void on_heartbeat(struct controller *c, struct node_ctx *ctx, conn_id conn,
			 const struct net_msg *m)
{
	struct broker_heartbeat hb;
	PROTO_GET(m, hb);
	struct broker_heartbeat_resp r = {.error = KERR_NONE};
	struct ctl_broker *b = find(c, hb.broker_id);
	if (b == NULL || !b->registered || b->broker_epoch != hb.broker_epoch) {
		r.error = KERR_STALE_BROKER_EPOCH;
		r.is_fenced = 1;
	} else {
		b->last_contact_us = ctx->now_us;
		if (b->fenced && !hb.want_fence) {
			/* The broker caught up with the metadata log: unfence it. */
			b->fenced = false;
			c->metadata_offset++;
			c->unfences++;
			trace_broker(ctx, "broker_unfenced", b, NULL);
		}
		r.is_fenced = b->fenced;
		arm_fence_check(c, ctx);
	}
	struct net_msg out;
	PROTO_PUT(&out, MSG_BROKER_HEARTBEAT_RESP, r);
	reply(ctx, conn, m->corr, &out);
}

static void on_registration(struct controller *c, struct node_ctx *ctx, conn_id conn,
			    const struct net_msg *m)
{
	struct broker_registration reg;
	PROTO_GET(m, reg);
	struct broker_registration_resp r = {.error = KERR_NONE, .broker_epoch = -1};
	struct ctl_broker *b = find(c, reg.broker_id);
	if (b != NULL) {
		/* KIP-966: a previous broker epoch equal to the registered one means the
		 * broker shut down cleanly; anything else is an unclean shutdown. */
		b->last_shutdown_clean = reg.previous_broker_epoch == b->broker_epoch;
		c->metadata_offset++;
		b->broker_epoch = c->metadata_offset;
		b->registered = true;
		b->fenced = true;     /* a broker starts fenced until it has caught up */
		b->last_contact_us = ctx->now_us;
		c->registrations++;
		struct trace_line *l = node_trace(ctx, "broker_registered");
		trace_int(l, "broker", b->id);
		trace_int(l, "broker_epoch", b->broker_epoch);
		trace_bool(l, "clean_shutdown", b->last_shutdown_clean);
		trace_end(l);
		r.broker_epoch = b->broker_epoch;
		arm_fence_check(c, ctx);
	} else {
		r.error = KERR_INELIGIBLE_REPLICA;
	}
	struct net_msg out;
	PROTO_PUT(&out, MSG_BROKER_REGISTRATION_RESP, r);
	reply(ctx, conn, m->corr, &out);
}

static void ctl_message(void *model, struct node_ctx *ctx, conn_id conn,
			const struct net_msg *m, const void *blob, uint32_t blob_len)
{
	struct controller *c = model;
	(void)blob;
	(void)blob_len;
	switch (m->type) {
	case MSG_BROKER_HEARTBEAT:
		on_heartbeat(c, ctx, conn, m);
		break;
	case MSG_BROKER_REGISTRATION:
		on_registration(c, ctx, conn, m);
		break;
	default:
		break;   /* not a controller request: ignored, as an unknown API would be */
	}
}

static void ctl_conn_event(void *model, struct node_ctx *ctx, conn_id conn, enum conn_event ev)
{
	(void)model;
	(void)ctx;
	(void)conn;
	(void)ev;   /* the controller only answers; brokers own their connections */
}

static void ctl_timer(void *model, struct node_ctx *ctx, uint32_t kind, uint64_t arg)
{
	struct controller *c = model;
	(void)arg;
	assert(kind == TIMER_FENCE_CHECK);
	c->fence_timer_at_us = -1;
	fence_stale(c, ctx);
	arm_fence_check(c, ctx);
}

const struct node_ops controller_ops = {
	.start = ctl_start,
	.halt = ctl_halt,
	.message = ctl_message,
	.conn_event = ctl_conn_event,
	.timer = ctl_timer,
};
