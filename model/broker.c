/*
 * broker.c — the broker's lifecycle with the controller.
 *
 * Kafka: core/.../server/BrokerLifecycleManager.scala — register, then heartbeat every
 * broker.heartbeat.interval.ms; a broker that restarts registers again and starts fenced
 * (KIP-631); the registration carries previousBrokerEpoch only after a clean shutdown
 * (KIP-966). Requests to the controller time out after controller.quorum.request.timeout.ms.
 */
#include "model/broker.h"

#include <assert.h>
#include <stddef.h>

#include "model/proto.h"
#include "sim/trace.h"

enum {
	TIMER_HEARTBEAT = 1,
	TIMER_REQUEST_TIMEOUT,
	TIMER_RECONNECT,
};

void broker_init(struct broker *b, const struct broker_cfg *cfg,
		 const struct cluster_cfg *cluster, int64_t initial_epoch)
{
	*b = (struct broker){
		.cfg = cfg, .cluster = cluster, .clean_shutdown = true,
		.last_broker_epoch = initial_epoch, .registered = true, .fenced = false,
		.broker_epoch = initial_epoch,
	};
}

static void connect_controller(struct broker *b, struct node_ctx *ctx)
{
	b->ctl_up = false;
	b->in_flight = false;
	b->ctl_conn = node_connect(ctx, b->cluster->controller_node,
				   ms_to_us(b->cfg->socket_connection_setup_timeout_ms));
}

/* One heartbeat timer at a time: the next communication is scheduled after each answer. */
static void arm_heartbeat(struct broker *b, struct node_ctx *ctx)
{
	if (b->hb_timer != 0)
		node_timer_cancel(ctx, b->hb_timer);
	b->hb_timer = node_timer(ctx, ms_to_us(b->cfg->broker_heartbeat_interval_ms),
				 TIMER_HEARTBEAT, 0);
}

static void send_lifecycle_request(struct broker *b, struct node_ctx *ctx)
{
	assert(b->ctl_up);
	assert(!b->in_flight);
	struct net_msg m;
	if (b->registered) {
		struct broker_heartbeat hb = {
			.broker_id = b->cfg->broker_id, .broker_epoch = b->broker_epoch,
			.want_fence = 0,
		};
		PROTO_PUT(&m, MSG_BROKER_HEARTBEAT, hb);
		b->heartbeats_sent++;
	} else {
		struct broker_registration reg = {
			.broker_id = b->cfg->broker_id, .incarnation = b->incarnation,
			.previous_broker_epoch = b->clean_shutdown ? b->last_broker_epoch : -1,
		};
		PROTO_PUT(&m, MSG_BROKER_REGISTRATION, reg);
	}
	m.corr = ++b->next_corr;
	m.bytes = 64;
	if (!node_send(ctx, b->ctl_conn, &m, NULL, 0)) {
		connect_controller(b, ctx);
		return;
	}
	if (b->hb_timer != 0)
		node_timer_cancel(ctx, b->hb_timer);
	b->hb_timer = 0;
	b->in_flight = true;
	b->in_flight_corr = m.corr;
	b->timeout_timer = node_timer(ctx, ms_to_us(b->cfg->controller_request_timeout_ms),
				      TIMER_REQUEST_TIMEOUT, m.corr);
}

static void broker_start(void *model, struct node_ctx *ctx)
{
	struct broker *b = model;
	b->incarnation = prng_u64(ctx->prng);
	b->in_flight = false;
	b->next_corr = 0;
	b->hb_timer = 0;
	if (b->started) {
		/* A restart: the process registers again (the t = 0 cluster is formed with
		 * every broker registered, scenario-format 11.1). */
		b->registered = false;
		b->fenced = true;
	}
	b->started = true;
	connect_controller(b, ctx);
}

static void broker_halt(void *model, enum node_halt how)
{
	struct broker *b = model;
	/* Kafka writes the clean-shutdown marker only on a controlled shutdown. */
	b->clean_shutdown = how == HALT_CLEAN;
	if (b->registered)
		b->last_broker_epoch = b->broker_epoch;
	b->ctl_up = false;
	b->in_flight = false;
}

static void on_heartbeat_resp(struct broker *b, struct node_ctx *ctx, const struct net_msg *m)
{
	struct broker_heartbeat_resp r;
	PROTO_GET(m, r);
	if (r.error == KERR_STALE_BROKER_EPOCH) {
		/* The controller no longer knows this epoch: register again. */
		b->registered = false;
		send_lifecycle_request(b, ctx);
		return;
	}
	if (b->fenced != (r.is_fenced != 0)) {
		struct trace_line *l = node_trace(ctx, r.is_fenced ? "learned_fenced" :
							   "learned_unfenced");
		trace_int(l, "broker_epoch", b->broker_epoch);
		trace_end(l);
	}
	b->fenced = r.is_fenced != 0;
	arm_heartbeat(b, ctx);
}

static void on_registration_resp(struct broker *b, struct node_ctx *ctx,
				 const struct net_msg *m)
{
	struct broker_registration_resp r;
	PROTO_GET(m, r);
	if (r.error != KERR_NONE) {
		arm_heartbeat(b, ctx);
		return;
	}
	b->registered = true;
	b->broker_epoch = r.broker_epoch;
	b->last_broker_epoch = r.broker_epoch;
	b->clean_shutdown = false;   /* the marker is removed once the broker runs */
	/* Heartbeat at once: the first heartbeat after catching up asks to be unfenced. */
	send_lifecycle_request(b, ctx);
}

static void broker_message(void *model, struct node_ctx *ctx, conn_id conn,
			   const struct net_msg *m, const void *blob, uint32_t blob_len)
{
	struct broker *b = model;
	(void)blob;
	(void)blob_len;
	if (conn != b->ctl_conn || !b->in_flight || m->corr != b->in_flight_corr)
		return;   /* a late answer to a request already given up */
	b->in_flight = false;
	node_timer_cancel(ctx, b->timeout_timer);
	if (m->type == MSG_BROKER_HEARTBEAT_RESP)
		on_heartbeat_resp(b, ctx, m);
	else if (m->type == MSG_BROKER_REGISTRATION_RESP)
		on_registration_resp(b, ctx, m);
}

static void broker_conn_event(void *model, struct node_ctx *ctx, conn_id conn,
			      enum conn_event ev)
{
	struct broker *b = model;
	if (conn != b->ctl_conn)
		return;
	if (ev == CONN_UP) {
		b->ctl_up = true;
		send_lifecycle_request(b, ctx);
		return;
	}
	/* Refused, timed out or reset: the request in flight fails; reconnect later. */
	if (b->in_flight)
		node_timer_cancel(ctx, b->timeout_timer);
	b->ctl_up = false;
	b->in_flight = false;
	node_close(ctx, conn);
	b->ctl_conn = 0;
	node_timer(ctx, ms_to_us(b->cfg->reconnect_backoff_ms), TIMER_RECONNECT, 0);
}

static void broker_timer(void *model, struct node_ctx *ctx, uint32_t kind, uint64_t arg)
{
	struct broker *b = model;
	switch (kind) {
	case TIMER_HEARTBEAT:
		b->hb_timer = 0;
		if (b->ctl_up && !b->in_flight)
			send_lifecycle_request(b, ctx);
		break;
	case TIMER_REQUEST_TIMEOUT:
		if (!b->in_flight || arg != b->in_flight_corr)
			break;
		/* REQUEST_TIMED_OUT: close the connection (scenario-format 11.5), reconnect. */
		b->in_flight = false;
		node_close(ctx, b->ctl_conn);
		b->ctl_conn = 0;
		b->ctl_up = false;
		node_timer(ctx, ms_to_us(b->cfg->reconnect_backoff_ms), TIMER_RECONNECT, 0);
		break;
	case TIMER_RECONNECT:
		if (b->ctl_conn == 0)
			connect_controller(b, ctx);
		break;
	default:
		assert(0 && "unknown broker timer");
	}
}

const struct node_ops broker_ops = {
	.start = broker_start,
	.halt = broker_halt,
	.message = broker_message,
	.conn_event = broker_conn_event,
	.timer = broker_timer,
};
