/*
 * test_net.c — the simulated network and world: in-order links with jitter, latencies, drop
 * ratios, partition / isolate / link faults and their undo, connections (up, refused, reset,
 * timeout, close), crash / power loss / stop / restart, pause deferral, timers, clock skew,
 * and determinism. A tiny scripted model runs on the real kernel.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim/kernel.h"
#include "sim/net.h"
#include "sim/prng.h"
#include "sim/trace.h"
#include "sim/world.h"

#define MAXN      8
#define MAXLOG    16384
#define MAXSTEPS  256
#define ANY       UINT64_MAX
#define STEP_KIND 100000u   /* timer kinds at or above this run script steps */

enum what { W_START, W_HALT, W_MSG, W_CONN, W_TIMER };

struct entry {
	int64_t   t;
	int64_t   wall_ms;
	uint32_t  node;
	enum what what;
	conn_id   conn;
	uint64_t  x;       /* message corr, conn event, timer kind, halt kind */
	uint32_t  type;    /* message type */
	uint32_t  blob_len;
	uint8_t   blob0;
};

enum op {
	/* done by the node's model (from a timer at `at`) */
	OP_CONNECT,      /* to a, setup timeout b */
	OP_SEND,         /* a messages of type b on the node's last connection */
	OP_CLOSE,        /* closes the node's last connection */
	OP_TIMER,        /* arms timer kind a after b µs */
	OP_CANCEL,       /* cancels the node's timer of kind a */
	OP_SEND_BLOB,    /* one message with a blob of a bytes filled with b */
	OP_PEER,         /* records node_peer() of its last connection and traces a line */
	/* done by the runner */
	OP_CRASH,
	OP_POWER_LOSS,
	OP_STOP,
	OP_RESTART,
	OP_PAUSE,
	OP_RESUME,
	OP_SKEW,         /* skew a µs */
	OP_ISOLATE,
	OP_PARTITION,    /* groups: bitmask a, bitmask b */
	OP_LINK,         /* node -> a with links[b] */
	OP_UNDO,         /* the fault of step a */
	OP_HEAL,
};

struct step {
	int64_t  at;
	enum op  op;
	uint32_t node;
	int64_t  a;
	int64_t  b;
};

struct tmodel {
	uint32_t node;
	conn_id  conn;            /* the last connection opened or used by a peer */
	bool     echo;            /* answers every message with type + 1, same corr */
	int      cancel_on_msg;   /* >= 0: cancels its timer of that kind on a message */
	uint64_t timers[64];      /* by kind */
	uint64_t corr;
};

struct harness {
	struct sim_kernel      k;
	struct trace           tr;
	struct world           w;
	struct tmodel          m[MAXN];
	uint32_t               n;
	struct step            steps[MAXSTEPS];
	uint32_t               nsteps;
	net_fault_id           fault[MAXSTEPS];
	int                    result[MAXSTEPS];
	struct net_link_params links[4];
	struct entry           log[MAXLOG];
	uint32_t               nlog;
	int64_t                sent_at[MAXLOG];   /* by corr */
	bool                   started;
	uint32_t               send_failed;   /* node_send on a connection not open here */
	uint32_t               peer[MAXN];    /* OP_PEER results */
};

/* Names for the next setup_kinds(), or NULL for kind-index names. */
static const char *const *custom_names;

static struct harness h;

/* ---- the test model ------------------------------------------------------------------------ */

static void log_add(struct node_ctx *ctx, enum what what, conn_id conn, uint64_t x)
{
	assert_true(h.nlog < MAXLOG);
	struct entry *e = &h.log[h.nlog++];
	memset(e, 0, sizeof(*e));
	e->t = ctx ? ctx->now_us : world_now_us(&h.w);
	e->wall_ms = ctx ? ctx->wall_ms : 0;
	e->node = ctx ? ctx->node : UINT32_MAX;
	e->what = what;
	e->conn = conn;
	e->x = x;
}

static bool send_one(struct tmodel *m, struct node_ctx *ctx, uint32_t type, uint64_t corr,
		     const void *blob, uint32_t blob_len)
{
	struct net_msg msg;
	memset(&msg, 0, sizeof(msg));
	msg.type = (uint16_t)type;
	msg.bytes = 100;
	msg.corr = corr;
	if (node_send(ctx, m->conn, &msg, blob, blob_len))
		return true;
	h.send_failed++;
	return false;
}

static void run_node_step(struct tmodel *m, struct node_ctx *ctx, const struct step *s)
{
	switch (s->op) {
	case OP_CONNECT:
		m->conn = node_connect(ctx, (uint32_t)s->a, s->b);
		assert_int_not_equal(m->conn, 0);
		return;
	case OP_SEND:
		for (int64_t i = 0; i < s->a; i++) {
			uint64_t corr = m->corr++;
			h.sent_at[corr % MAXLOG] = ctx->now_us;
			send_one(m, ctx, (uint32_t)s->b, corr, NULL, 0);
		}
		return;
	case OP_SEND_BLOB: {
		uint8_t blob[4096];
		assert_true(s->a <= (int64_t)sizeof(blob));
		memset(blob, (int)s->b, (size_t)s->a);
		send_one(m, ctx, 7, m->corr++, blob, (uint32_t)s->a);
		memset(blob, 0xEE, sizeof(blob));   /* the world must have copied it */
		return;
	}
	case OP_CLOSE:
		node_close(ctx, m->conn);
		return;
	case OP_TIMER:
		m->timers[s->a] = node_timer(ctx, s->b, (uint32_t)s->a, 0);
		return;
	case OP_CANCEL:
		node_timer_cancel(ctx, m->timers[s->a]);
		return;
	case OP_PEER: {
		h.peer[m->node] = node_peer(ctx, m->conn);
		struct trace_line *l = node_trace(ctx, "model_note");
		trace_int(l, "peer", h.peer[m->node]);
		trace_end(l);
		return;
	}
	default:
		fail_msg("not a node step");
	}
}

static bool node_op(enum op op)
{
	return op <= OP_PEER;
}

static void m_start(void *model, struct node_ctx *ctx)
{
	struct tmodel *m = model;
	m->conn = 0;
	log_add(ctx, W_START, 0, 0);
	for (uint32_t i = 0; i < h.nsteps; i++) {
		const struct step *s = &h.steps[i];
		if (node_op(s->op) && s->node == m->node && s->at >= ctx->now_us)
			node_timer(ctx, s->at - ctx->now_us, STEP_KIND + i, 0);
	}
}

static void m_halt(void *model, enum node_halt how, int64_t now_us)
{
	(void)now_us;
	struct tmodel *m = model;
	assert_true(h.nlog < MAXLOG);
	struct entry *e = &h.log[h.nlog++];
	memset(e, 0, sizeof(*e));
	e->t = world_now_us(&h.w);
	e->node = m->node;
	e->what = W_HALT;
	e->x = how;
}

static void m_message(void *model, struct node_ctx *ctx, conn_id conn, const struct net_msg *msg,
		      const void *blob, uint32_t blob_len)
{
	struct tmodel *m = model;
	log_add(ctx, W_MSG, conn, msg->corr);
	h.log[h.nlog - 1].type = msg->type;
	h.log[h.nlog - 1].blob_len = blob_len;
	if (blob_len > 0) {
		const uint8_t *b = blob;
		for (uint32_t i = 1; i < blob_len; i++)
			assert_int_equal(b[i], b[0]);
		h.log[h.nlog - 1].blob0 = b[0];
	}
	m->conn = conn;
	if (m->echo)
		send_one(m, ctx, msg->type + 1u, msg->corr, NULL, 0);
	if (m->cancel_on_msg >= 0)
		node_timer_cancel(ctx, m->timers[m->cancel_on_msg]);
}

static void m_conn_event(void *model, struct node_ctx *ctx, conn_id conn, enum conn_event ev)
{
	struct tmodel *m = model;
	log_add(ctx, W_CONN, conn, ev);
	if (ev == CONN_UP)
		m->conn = conn;
}

static void m_timer(void *model, struct node_ctx *ctx, uint32_t kind, uint64_t arg)
{
	struct tmodel *m = model;
	(void)arg;
	if (kind >= STEP_KIND) {
		run_node_step(m, ctx, &h.steps[kind - STEP_KIND]);
		return;
	}
	log_add(ctx, W_TIMER, 0, kind);
}

static const struct node_ops test_ops = {
	.start = m_start,
	.halt = m_halt,
	.message = m_message,
	.conn_event = m_conn_event,
	.timer = m_timer,
};

/* ---- the harness ---------------------------------------------------------------------------- */

static void runner(void *ctx, struct world *w, const struct sim_event *ev,
		   struct sim_handle self)
{
	(void)ctx;
	(void)self;
	uint32_t i = (uint32_t)ev->arg0;
	const struct step *s = &h.steps[i];
	int rc = 0;
	switch (s->op) {
	case OP_CRASH:       rc = world_crash(w, s->node, false); break;
	case OP_POWER_LOSS:  rc = world_crash(w, s->node, true); break;
	case OP_STOP:        rc = world_stop(w, s->node); break;
	case OP_RESTART:     rc = world_restart(w, s->node); break;
	case OP_PAUSE:       rc = world_pause(w, s->node); break;
	case OP_RESUME:      rc = world_resume(w, s->node); break;
	case OP_SKEW:        rc = (int)world_set_skew(w, s->node, s->a); break;
	case OP_ISOLATE:     rc = world_isolate(w, s->node, &h.fault[i]); break;
	case OP_LINK:
		rc = world_link(w, s->node, (uint32_t)s->a, &h.links[s->b], &h.fault[i]);
		break;
	case OP_PARTITION: {
		uint32_t g[2][MAXN];
		struct net_group groups[2] = {{g[0], 0}, {g[1], 0}};
		for (uint32_t node = 0; node < h.n; node++)
			for (int k = 0; k < 2; k++)
				if (((k ? s->b : s->a) >> node) & 1)
					g[k][groups[k].count++] = node;
		rc = world_partition(w, groups, 2, &h.fault[i]);
		break;
	}
	case OP_UNDO:        rc = world_undo(w, h.fault[s->a]); break;
	case OP_HEAL:        world_heal(w); break;
	default:             fail_msg("not a runner step");
	}
	h.result[i] = rc;
}

static struct net_params params(int64_t latency, int64_t client_latency, int64_t jitter,
				uint64_t drop)
{
	return (struct net_params){latency, client_latency, jitter, drop};
}

static void setup_kinds(const enum node_kind *kinds, uint32_t n, struct net_params p,
			uint64_t seed)
{
	memset(&h, 0, sizeof(h));
	assert_int_equal(sim_init(&h.k, world_dispatch, &h.w), 0);
	trace_init(&h.tr, NULL);
	assert_int_equal(world_init(&h.w, &h.k, &h.tr, seed, &p), NET_OK);
	world_set_runner_handler(&h.w, runner, NULL);
	h.n = n;
	for (uint32_t i = 0; i < n; i++) {
		char name[32];
		const char *prefix = kinds[i] == NODE_BROKER ? "broker" :
				     kinds[i] == NODE_CONTROLLER ? "controller" : "client";
		snprintf(name, sizeof(name), "%s-%u", prefix, i);
		if (custom_names != NULL)
			snprintf(name, sizeof(name), "%s", custom_names[i]);
		h.m[i].node = i;
		h.m[i].cancel_on_msg = -1;
		uint32_t idx = 0;
		assert_int_equal(world_add_node(&h.w, kinds[i], name, &test_ops, &h.m[i], &idx),
				 NET_OK);
		assert_int_equal(idx, i);
	}
}

/* n brokers with the default network: 1 ms everywhere, no jitter, no drop. */
static void setup_n(uint32_t n, struct net_params p, uint64_t seed)
{
	enum node_kind kinds[MAXN];
	for (uint32_t i = 0; i < MAXN; i++)
		kinds[i] = NODE_BROKER;
	setup_kinds(kinds, n, p, seed);
}

static void setup_default(uint32_t n)
{
	setup_n(n, params(1000, 1000, 0, 0), 1);
}

static int teardown(void **state)
{
	(void)state;
	world_free(&h.w);
	sim_free(&h.k);
	return 0;
}

static uint32_t step(int64_t at, enum op op, uint32_t node, int64_t a, int64_t b)
{
	assert_true(h.nsteps < MAXSTEPS);
	assert_false(h.started);
	uint32_t i = h.nsteps++;
	h.steps[i] = (struct step){at, op, node, a, b};
	if (!node_op(op))
		world_schedule_runner(&h.w, at, SIM_PHASE_FAULT, i, node, i, 0);
	return i;
}

static void run_until(int64_t until)
{
	if (!h.started) {
		h.started = true;
		world_start_all(&h.w);
	}
	sim_run(&h.k, until, 0);
	assert_int_equal(world_status(&h.w), NET_OK);
}

/* The index of the nth (from 0) matching entry, or -1. */
static int find(uint32_t node, enum what what, uint64_t x, int nth)
{
	for (uint32_t i = 0; i < h.nlog; i++) {
		const struct entry *e = &h.log[i];
		if (e->node == node && e->what == what && (x == ANY || e->x == x) && nth-- == 0)
			return (int)i;
	}
	return -1;
}

static int count(uint32_t node, enum what what, uint64_t x)
{
	int c = 0;
	for (uint32_t i = 0; i < h.nlog; i++)
		if (h.log[i].node == node && h.log[i].what == what && (x == ANY || h.log[i].x == x))
			c++;
	return c;
}

static int64_t time_of(uint32_t node, enum what what, uint64_t x, int nth)
{
	int i = find(node, what, x, nth);
	assert_true(i >= 0);
	return h.log[i].t;
}

/* ---- links: order, latency, jitter, drop ----------------------------------------------------- */

static void test_net_connect_takes_one_round_trip(void **state)
{
	(void)state;
	setup_default(2);
	step(0, OP_CONNECT, 0, 1, 1000000);
	run_until(1000000);
	assert_int_equal(count(0, W_CONN, ANY), 1);
	assert_int_equal(time_of(0, W_CONN, CONN_UP, 0), 2000);
}

static void test_net_message_takes_latency(void **state)
{
	(void)state;
	setup_default(2);
	h.m[1].echo = true;
	step(0, OP_CONNECT, 0, 1, 1000000);
	step(5000, OP_SEND, 0, 1, 10);
	run_until(100000);
	assert_int_equal(time_of(1, W_MSG, 0, 0), 6000);
	int i = find(0, W_MSG, 0, 0);
	assert_true(i >= 0);
	assert_int_equal(h.log[i].t, 7000);
	assert_int_equal(h.log[i].type, 11);
	assert_int_equal(h.w.stats.sent, 2);
	assert_int_equal(h.w.stats.delivered, 2);
}

static void test_net_client_latency_applies_to_client_links(void **state)
{
	(void)state;
	enum node_kind kinds[3] = {NODE_BROKER, NODE_BROKER, NODE_PRODUCER};
	setup_kinds(kinds, 3, params(1000, 5000, 0, 0), 1);
	step(0, OP_CONNECT, 0, 1, 1000000);   /* broker -> broker */
	step(0, OP_CONNECT, 2, 0, 1000000);   /* client -> broker */
	run_until(1000000);
	assert_int_equal(time_of(0, W_CONN, CONN_UP, 0), 2000);
	assert_int_equal(time_of(2, W_CONN, CONN_UP, 0), 10000);
	assert_int_equal(net_latency_us(world_net(&h.w), 1, 2), 5000);
	assert_int_equal(net_latency_us(world_net(&h.w), 1, 0), 1000);
}

/* Expected arrivals on link from -> to, replaying its own stream: one jitter draw per packet
 * in send order, arrival = max(send + latency + draw, previous arrival). */
static void test_net_link_delivers_in_send_order(void **state)
{
	(void)state;
	const int64_t lat = 1000, jit = 5000;
	setup_n(2, params(lat, lat, jit, 0), 42);
	step(0, OP_CONNECT, 0, 1, 10000000);
	int64_t sends[60];
	for (int i = 0; i < 60; i++) {
		sends[i] = 20000 + i * 150;
		step(sends[i], OP_SEND, 0, 1, 3);
	}
	run_until(10000000);
	assert_int_equal(count(1, W_MSG, ANY), 60);

	struct prng link;
	prng_child(&link, 42, PRNG_STREAM_NETWORK, (UINT64_C(0) << 32) | 1);
	int64_t prev = 0 + lat + prng_range(&link, 0, jit);   /* the SYN */
	int lifted = 0;
	for (int i = 0; i < 60; i++) {
		int64_t want = sends[i] + lat + prng_range(&link, 0, jit);
		if (want < prev) {
			want = prev;
			lifted++;
		}
		prev = want;
		int e = find(1, W_MSG, (uint64_t)i, 0);
		assert_true(e >= 0);
		assert_int_equal(h.log[e].t, want);
		if (i > 0)
			assert_true(e > find(1, W_MSG, (uint64_t)i - 1, 0));   /* never overtakes */
	}
	assert_true(lifted > 0);   /* the max rule was exercised */
}

static void test_net_equal_arrivals_keep_send_order(void **state)
{
	(void)state;
	setup_default(2);
	step(0, OP_CONNECT, 0, 1, 1000000);
	step(5000, OP_SEND, 0, 50, 1);
	run_until(100000);
	assert_int_equal(h.send_failed, 0);
	for (int i = 0; i < 50; i++) {
		int e = find(1, W_MSG, (uint64_t)i, 0);
		assert_int_equal(h.log[e].t, 6000);
		if (i > 0)
			assert_int_equal(e, find(1, W_MSG, (uint64_t)i - 1, 0) + 1);
	}
}

static void test_net_drop_ratio_zero_delivers_all(void **state)
{
	(void)state;
	setup_default(2);
	step(0, OP_CONNECT, 0, 1, 1000000);
	step(5000, OP_SEND, 0, 500, 1);
	run_until(100000);
	assert_int_equal(count(1, W_MSG, ANY), 500);
	assert_int_equal(h.w.stats.lost_drop, 0);
}

static void test_net_drop_ratio_one_loses_everything(void **state)
{
	(void)state;
	setup_n(2, params(1000, 1000, 0, PRNG_RATIO_ONE), 1);
	step(0, OP_CONNECT, 0, 1, 300000);
	run_until(1000000);
	assert_int_equal(time_of(0, W_CONN, CONN_TIMEOUT, 0), 300000);
	assert_int_equal(count(0, W_CONN, CONN_UP), 0);
	assert_int_equal(h.w.stats.lost_drop, 1);   /* the SYN */
}

/* drop 0.5 on one direction: one draw per message at arrival from the link's own stream. */
static void test_net_drop_ratio_half_golden_count(void **state)
{
	(void)state;
	setup_n(2, params(1000, 1000, 0, 0), 7);
	h.links[0] = (struct net_link_params){NET_KEEP, NET_KEEP, (int64_t)(PRNG_RATIO_ONE / 2)};
	step(0, OP_CONNECT, 0, 1, 1000000);
	step(4000, OP_LINK, 0, 1, 0);
	step(5000, OP_SEND, 0, 1000, 1);
	run_until(1000000);

	struct prng link;
	prng_child(&link, 7, PRNG_STREAM_NETWORK, 1);
	int want = 0;
	for (int i = 0; i < 1000; i++)
		want += !prng_chance(&link, PRNG_RATIO_ONE / 2);
	int got = count(1, W_MSG, ANY);
	assert_int_equal(got, want);
	assert_int_equal(got, 504);   /* golden: seed 7 */
	assert_int_equal(h.w.stats.lost_drop, (uint64_t)(1000 - got));
}

/* ---- faults ------------------------------------------------------------------------------ */

static void test_net_partition_cuts_listed_groups_only(void **state)
{
	(void)state;
	setup_default(4);
	/* groups {0, 1} and {2}; node 3 is not listed */
	uint32_t p = step(1000, OP_PARTITION, 0, 0x3, 0x4);
	step(2000, OP_CONNECT, 0, 2, 50000);   /* across: silence */
	step(2000, OP_CONNECT, 2, 1, 50000);   /* across, other way */
	step(2000, OP_CONNECT, 1, 0, 50000);   /* same group */
	step(2000, OP_CONNECT, 3, 0, 50000);   /* unlisted keeps every link */
	step(2100, OP_CONNECT, 3, 2, 50000);
	step(100000, OP_UNDO, 0, p, 0);
	step(200000, OP_CONNECT, 0, 2, 50000);
	run_until(1000000);
	assert_int_equal(h.result[p], NET_OK);
	assert_int_equal(time_of(0, W_CONN, CONN_TIMEOUT, 0), 52000);
	assert_int_equal(time_of(2, W_CONN, CONN_TIMEOUT, 0), 52000);
	assert_int_equal(time_of(1, W_CONN, CONN_UP, 0), 4000);
	assert_int_equal(time_of(3, W_CONN, CONN_UP, 0), 4000);
	assert_int_equal(time_of(3, W_CONN, CONN_UP, 1), 4100);
	assert_int_equal(time_of(0, W_CONN, CONN_UP, 0), 202000);   /* undo restored it */
	assert_int_equal(h.w.stats.lost_cut, 2);
}

static void test_net_partition_rejects_node_listed_twice(void **state)
{
	(void)state;
	setup_default(3);
	uint32_t p = step(1000, OP_PARTITION, 0, 0x3, 0x6);
	uint32_t q = step(1000, OP_PARTITION, 0, 0x3, 0x0);
	run_until(10000);
	assert_int_equal(h.result[p], NET_ERR_INVALID);
	assert_int_equal(h.result[q], NET_ERR_INVALID);
	assert_int_equal(net_active_faults(world_net(&h.w)), 0);
}

static void test_net_overlapping_faults_keep_link_cut(void **state)
{
	(void)state;
	setup_default(3);
	uint32_t p = step(1000, OP_PARTITION, 0, 0x1, 0x2);
	uint32_t i = step(1000, OP_ISOLATE, 0, 0, 0);
	step(10000, OP_UNDO, 0, p, 0);
	step(20000, OP_UNDO, 0, i, 0);
	run_until(5000);
	struct net *n = world_net(&h.w);
	assert_true(net_is_cut(n, 0, 1));
	assert_true(net_is_cut(n, 1, 0));
	assert_true(net_is_cut(n, 0, 2));
	assert_false(net_is_cut(n, 1, 2));
	run_until(15000);
	assert_true(net_is_cut(n, 0, 1));   /* the isolate still cuts it */
	assert_true(net_is_cut(n, 0, 2));
	run_until(25000);
	assert_false(net_is_cut(n, 0, 1));
	assert_false(net_is_cut(n, 2, 0));
	assert_int_equal(net_active_faults(n), 0);
}

static void test_net_isolate_cuts_both_ways(void **state)
{
	(void)state;
	setup_default(3);
	step(0, OP_CONNECT, 0, 1, 1000000);
	step(0, OP_CONNECT, 2, 1, 1000000);
	uint32_t i = step(5000, OP_ISOLATE, 1, 0, 0);
	step(6000, OP_SEND, 0, 1, 1);      /* into the isolated node */
	step(6000, OP_SEND, 2, 1, 1);
	step(20000, OP_UNDO, 0, i, 0);
	step(30000, OP_SEND, 0, 1, 1);
	run_until(100000);
	assert_int_equal(count(1, W_MSG, ANY), 1);
	assert_int_equal(time_of(1, W_MSG, ANY, 0), 31000);
	assert_true(net_is_cut(world_net(&h.w), 0, 2) == false);
	assert_int_equal(h.w.stats.lost_cut, 2);
}

static void test_net_link_fault_cuts_one_direction(void **state)
{
	(void)state;
	setup_default(2);
	h.m[1].echo = true;
	h.links[0] = (struct net_link_params){NET_KEEP, NET_KEEP, (int64_t)PRNG_RATIO_ONE};
	step(0, OP_CONNECT, 0, 1, 1000000);
	step(4000, OP_LINK, 1, 0, 0);       /* 1 -> 0 only */
	step(5000, OP_SEND, 0, 3, 1);
	run_until(100000);
	assert_int_equal(count(1, W_MSG, ANY), 3);   /* 0 -> 1 still works */
	assert_int_equal(count(0, W_MSG, ANY), 0);   /* the echoes are cut */
	assert_int_equal(h.w.stats.lost_cut, 3);
	assert_true(net_is_cut(world_net(&h.w), 1, 0));
	assert_false(net_is_cut(world_net(&h.w), 0, 1));
}

static void test_net_link_override_latency(void **state)
{
	(void)state;
	setup_default(2);
	h.m[1].echo = true;
	h.links[0] = (struct net_link_params){50000, NET_KEEP, NET_KEEP};
	h.links[1] = (struct net_link_params){20000, NET_KEEP, NET_KEEP};
	h.links[2] = (struct net_link_params){NET_KEEP, NET_KEEP, 0};
	step(0, OP_CONNECT, 0, 1, 1000000);
	uint32_t a = step(4000, OP_LINK, 0, 1, 0);
	step(10000, OP_SEND, 0, 1, 1);         /* 50 ms there, 1 ms back */
	uint32_t b = step(100000, OP_LINK, 0, 1, 1);
	step(100000, OP_LINK, 0, 1, 2);        /* sets only drop: latency still 20 ms */
	step(110000, OP_SEND, 0, 1, 1);
	step(200000, OP_UNDO, 0, b, 0);
	step(210000, OP_SEND, 0, 1, 1);        /* back to the first override */
	step(300000, OP_UNDO, 0, a, 0);
	step(310000, OP_SEND, 0, 1, 1);        /* defaults */
	run_until(1000000);
	assert_int_equal(time_of(1, W_MSG, 0, 0), 60000);
	assert_int_equal(time_of(0, W_MSG, 0, 0), 61000);
	assert_int_equal(time_of(1, W_MSG, 1, 0), 130000);
	assert_int_equal(time_of(1, W_MSG, 2, 0), 260000);
	assert_int_equal(time_of(1, W_MSG, 3, 0), 311000);
}

static void test_net_heal_removes_every_fault(void **state)
{
	(void)state;
	setup_default(3);
	h.links[0] = (struct net_link_params){90000, NET_KEEP, NET_KEEP};
	step(0, OP_CONNECT, 0, 1, 1000000);
	step(3000, OP_PARTITION, 0, 0x1, 0x2);
	step(3000, OP_ISOLATE, 2, 0, 0);
	step(3000, OP_LINK, 0, 1, 0);
	step(5000, OP_HEAL, 0, 0, 0);
	step(6000, OP_SEND, 0, 1, 1);
	run_until(100000);
	assert_int_equal(net_active_faults(world_net(&h.w)), 0);
	assert_int_equal(time_of(1, W_MSG, 0, 0), 7000);
	assert_false(net_is_cut(world_net(&h.w), 2, 0));
}

static void test_net_cut_is_checked_at_arrival(void **state)
{
	(void)state;
	setup_default(2);
	step(0, OP_CONNECT, 0, 1, 1000000);
	step(10000, OP_SEND, 0, 1, 1);          /* in flight when the cut starts: lost */
	uint32_t p = step(10500, OP_ISOLATE, 1, 0, 0);
	step(11500, OP_UNDO, 0, p, 0);
	step(20000, OP_SEND, 0, 1, 1);          /* cut and healed while in flight: arrives */
	uint32_t q = step(20200, OP_ISOLATE, 1, 0, 0);
	step(20700, OP_UNDO, 0, q, 0);
	uint32_t r = step(29500, OP_ISOLATE, 1, 0, 0);
	step(30000, OP_SEND, 0, 1, 1);          /* sent into a cut that heals before arrival */
	step(30500, OP_UNDO, 0, r, 0);
	run_until(100000);
	assert_int_equal(count(1, W_MSG, ANY), 2);
	assert_int_equal(find(1, W_MSG, 0, 0), -1);
	assert_int_equal(time_of(1, W_MSG, 1, 0), 21000);
	assert_int_equal(time_of(1, W_MSG, 2, 0), 31000);
	assert_int_equal(h.w.stats.lost_cut, 1);
}

/* Creation order of links does not change their draws. */
static void test_net_link_streams_are_independent(void **state)
{
	(void)state;
	int64_t first[2][2];
	for (int order = 0; order < 2; order++) {
		setup_n(3, params(1000, 1000, 3000, 0), 99);
		step(order ? 0 : 100, OP_CONNECT, 0, 1, 1000000);
		step(order ? 100 : 0, OP_CONNECT, 2, 1, 1000000);
		run_until(1000000);
		first[order][0] = time_of(0, W_CONN, CONN_UP, 0) - (order ? 0 : 100);
		first[order][1] = time_of(2, W_CONN, CONN_UP, 0) - (order ? 100 : 0);
		teardown(NULL);
	}
	assert_int_equal(first[0][0], first[1][0]);
	assert_int_equal(first[0][1], first[1][1]);
	setup_default(1);   /* for the teardown */
}

/* ---- connections and lifecycles --------------------------------------------------------- */

static void test_net_connect_to_crashed_process_refused_after_rtt(void **state)
{
	(void)state;
	setup_default(2);
	step(1000, OP_CRASH, 1, 0, 0);
	step(5000, OP_CONNECT, 0, 1, 1000000);
	run_until(1000000);
	assert_int_equal(world_node_state(&h.w, 1), WORLD_NODE_DOWN);
	assert_int_equal(time_of(0, W_CONN, CONN_REFUSED, 0), 7000);
	assert_int_equal(count(0, W_CONN, ANY), 1);
	assert_int_equal(net_conn_live(world_net(&h.w)), 0);
}

static void test_net_connect_into_silence_times_out(void **state)
{
	(void)state;
	setup_default(2);
	step(1000, OP_ISOLATE, 1, 0, 0);
	step(5000, OP_CONNECT, 0, 1, 30000);
	run_until(1000000);
	assert_int_equal(count(0, W_CONN, ANY), 1);
	assert_int_equal(time_of(0, W_CONN, CONN_TIMEOUT, 0), 35000);
}

static void test_net_connect_to_powered_off_machine_times_out(void **state)
{
	(void)state;
	setup_default(2);
	step(1000, OP_POWER_LOSS, 1, 0, 0);
	step(5000, OP_CONNECT, 0, 1, 30000);
	run_until(1000000);
	assert_int_equal(world_node_state(&h.w, 1), WORLD_NODE_POWERED_OFF);
	assert_int_equal(time_of(0, W_CONN, CONN_TIMEOUT, 0), 35000);
	assert_int_equal(h.w.stats.lost_down, 1);
}

/* Node 1 answers requests; it crashes with a response on the wire and a request on its way. */
static void test_net_crash_resets_peers_after_one_link_delay(void **state)
{
	(void)state;
	setup_default(2);
	h.m[1].echo = true;
	step(0, OP_CONNECT, 0, 1, 1000000);
	step(10000, OP_SEND, 0, 1, 5);         /* handled at 11000; answer lands at 12000 */
	step(11500, OP_CRASH, 1, 0, 0);
	step(11600, OP_SEND, 0, 1, 6);         /* lands at 12600 on a dead process */
	run_until(1000000);
	assert_int_equal(time_of(0, W_MSG, 0, 0), 12000);     /* sent before the crash */
	assert_int_equal(time_of(0, W_CONN, CONN_RESET, 0), 12500);
	assert_int_equal(count(1, W_MSG, ANY), 1);
	assert_int_equal(h.w.stats.lost_down, 1);
	assert_int_equal(time_of(1, W_HALT, HALT_CRASH, 0), 11500);
	assert_int_equal(net_conn_live(world_net(&h.w)), 0);
}

static void test_net_messages_sent_before_crash_arrive(void **state)
{
	(void)state;
	setup_default(2);
	step(0, OP_CONNECT, 0, 1, 1000000);
	step(10000, OP_SEND, 0, 3, 1);
	step(10001, OP_CRASH, 0, 0, 0);
	run_until(1000000);
	assert_int_equal(count(1, W_MSG, ANY), 3);
	assert_int_equal(time_of(1, W_MSG, 2, 0), 11000);
	assert_int_equal(time_of(1, W_CONN, CONN_RESET, 0), 11001);
	assert_true(find(1, W_MSG, 2, 0) < find(1, W_CONN, CONN_RESET, 0));
}

static void test_net_stop_resets_peers(void **state)
{
	(void)state;
	setup_default(2);
	step(0, OP_CONNECT, 0, 1, 1000000);
	step(10000, OP_STOP, 1, 0, 0);
	run_until(1000000);
	assert_int_equal(time_of(1, W_HALT, HALT_CLEAN, 0), 10000);
	assert_int_equal(time_of(0, W_CONN, CONN_RESET, 0), 11000);
}

static void test_net_reset_into_cut_link_is_silent(void **state)
{
	(void)state;
	setup_default(2);
	step(0, OP_CONNECT, 0, 1, 1000000);
	step(9000, OP_ISOLATE, 1, 0, 0);
	step(10000, OP_CRASH, 1, 0, 0);
	run_until(1000000);
	assert_int_equal(count(0, W_CONN, CONN_RESET), 0);
	assert_int_equal(h.w.stats.lost_cut, 1);
}

static void test_net_power_loss_sends_no_reset(void **state)
{
	(void)state;
	setup_default(2);
	step(0, OP_CONNECT, 0, 1, 1000000);
	step(10000, OP_POWER_LOSS, 1, 0, 0);
	step(20000, OP_SEND, 0, 1, 1);          /* still open at 0: lands on a dead machine */
	run_until(1000000);
	assert_int_equal(count(0, W_CONN, ANY), 1);   /* only CONN_UP */
	assert_int_equal(time_of(1, W_HALT, HALT_POWER_LOSS, 0), 10000);
	assert_int_equal(h.w.stats.lost_down, 1);
	assert_int_equal(h.w.stats.sent, 1);
}

static void test_net_power_loss_of_crashed_node_cuts_power(void **state)
{
	(void)state;
	setup_default(2);
	uint32_t a = step(1000, OP_CRASH, 1, 0, 0);
	uint32_t b = step(2000, OP_CRASH, 1, 0, 0);          /* already crashed: nothing */
	uint32_t c = step(3000, OP_POWER_LOSS, 1, 0, 0);
	uint32_t d = step(4000, OP_POWER_LOSS, 1, 0, 0);     /* already off: nothing */
	uint32_t e = step(5000, OP_RESTART, 1, 0, 0);
	run_until(1000000);
	assert_int_equal(h.result[a], 1);
	assert_int_equal(h.result[b], 0);
	assert_int_equal(h.result[c], 1);
	assert_int_equal(h.result[d], 0);
	assert_int_equal(h.result[e], 1);
	assert_int_equal(time_of(1, W_HALT, HALT_CRASH, 0), 1000);
	assert_int_equal(time_of(1, W_HALT, HALT_POWER_LOSS, 0), 3000);
	assert_int_equal(count(1, W_HALT, ANY), 2);
	assert_int_equal(time_of(1, W_START, ANY, 1), 5000);
	assert_int_equal(world_node_state(&h.w, 1), WORLD_NODE_UP);
}

static void test_net_close_discards_later_arrivals_at_closer(void **state)
{
	(void)state;
	setup_default(2);
	h.m[1].echo = true;
	step(0, OP_CONNECT, 0, 1, 1000000);
	step(10000, OP_SEND, 0, 2, 1);
	step(10100, OP_CLOSE, 0, 0, 0);
	run_until(1000000);
	assert_int_equal(count(1, W_MSG, ANY), 2);   /* the peer still gets what was sent */
	assert_int_equal(time_of(1, W_MSG, 1, 0), 11000);
	assert_int_equal(count(0, W_MSG, ANY), 0);   /* the answers are discarded */
	assert_int_equal(h.w.stats.lost_closed, 2);
	assert_int_equal(count(1, W_CONN, ANY), 0);  /* no FIN: the peer is not told */
}

static void test_net_crashed_peer_restart_accepts_new_connections(void **state)
{
	(void)state;
	setup_default(2);
	h.m[1].echo = true;
	step(0, OP_CONNECT, 0, 1, 1000000);
	step(10000, OP_CRASH, 1, 0, 0);
	step(10500, OP_SEND, 0, 1, 1);           /* old connection: lands on a dead process */
	step(10800, OP_RESTART, 1, 0, 0);
	step(20000, OP_CONNECT, 0, 1, 1000000);
	step(30000, OP_SEND, 0, 1, 1);
	run_until(1000000);
	assert_int_equal(time_of(0, W_CONN, CONN_RESET, 0), 11000);
	assert_int_equal(time_of(0, W_CONN, CONN_UP, 1), 22000);
	assert_int_equal(count(1, W_MSG, ANY), 1);   /* the one at 11500 hit a closed end */
	assert_int_equal(time_of(0, W_MSG, 1, 0), 32000);
	assert_int_equal(h.w.stats.lost_closed, 1);
}

static void test_net_restart_of_running_node_is_noop(void **state)
{
	(void)state;
	setup_default(2);
	step(0, OP_CONNECT, 0, 1, 1000000);
	uint32_t r = step(5000, OP_RESTART, 1, 0, 0);
	run_until(1000000);
	assert_int_equal(h.result[r], 0);
	assert_int_equal(count(1, W_START, ANY), 1);
	assert_int_equal(count(1, W_HALT, ANY), 0);
	assert_int_equal(world_node_incarnation(&h.w, 1), 0);
	assert_int_equal(count(0, W_CONN, CONN_RESET), 0);
}

static void test_net_connections_are_freed(void **state)
{
	(void)state;
	setup_default(2);
	for (int i = 0; i < 20; i++) {
		step(i * 10000, OP_CONNECT, 0, 1, 1000000);
		step(i * 10000 + 5000, OP_SEND, 0, 1, 1);
		step(i * 10000 + 5000, OP_CLOSE, 0, 0, 0);
	}
	step(300000, OP_CRASH, 1, 0, 0);   /* closes the target ends */
	run_until(1000000);
	assert_int_equal(count(1, W_MSG, ANY), 20);
	assert_int_equal(net_conn_live(world_net(&h.w)), 0);
	assert_int_equal(h.w.net.packets.live, 0);
}

/* An abandoned connect leaves no half-open target end behind. */
static void test_net_half_open_unseen_end_is_freed(void **state)
{
	(void)state;
	setup_default(2);
	h.links[0] = (struct net_link_params){NET_KEEP, NET_KEEP, (int64_t)PRNG_RATIO_ONE};
	step(0, OP_LINK, 1, 0, 0);            /* SYN-ACKs are cut */
	step(1000, OP_CONNECT, 0, 1, 5000);
	run_until(1000000);
	assert_int_equal(time_of(0, W_CONN, CONN_TIMEOUT, 0), 6000);
	assert_int_equal(net_conn_live(world_net(&h.w)), 0);
}

static void test_net_blob_is_copied_and_delivered(void **state)
{
	(void)state;
	setup_default(2);
	step(0, OP_CONNECT, 0, 1, 1000000);
	step(5000, OP_SEND_BLOB, 0, 3000, 0x5A);
	step(5000, OP_SEND_BLOB, 0, 10, 0x11);
	run_until(100000);
	int i = find(1, W_MSG, 0, 0);
	assert_int_equal(h.log[i].blob_len, 3000);
	assert_int_equal(h.log[i].blob0, 0x5A);
	i = find(1, W_MSG, 1, 0);
	assert_int_equal(h.log[i].blob_len, 10);
	assert_int_equal(h.log[i].blob0, 0x11);
}

/* ---- pause ---------------------------------------------------------------------------------- */

static void test_net_pause_defers_deliveries_and_timers(void **state)
{
	(void)state;
	setup_default(3);
	step(0, OP_CONNECT, 0, 1, 1000000);
	step(5000, OP_TIMER, 1, 1, 10000);      /* node 1's timer due at 15000 */
	step(8000, OP_PAUSE, 1, 0, 0);
	step(12000, OP_SEND, 0, 1, 1);          /* lands at 13000 */
	step(17000, OP_SEND, 0, 1, 1);          /* lands at 18000 */
	step(15000, OP_TIMER, 1, 2, 15000);     /* not run: node 1 is paused (its step waits) */
	step(40000, OP_RESUME, 1, 0, 0);
	step(39000, OP_SEND, 0, 1, 1);          /* lands at the resume instant: after the held */
	run_until(1000000);
	int a = find(1, W_MSG, 0, 0);
	int t = find(1, W_TIMER, 1, 0);
	int b = find(1, W_MSG, 1, 0);
	int c = find(1, W_MSG, 2, 0);
	assert_true(a >= 0 && t >= 0 && b >= 0 && c >= 0);
	assert_int_equal(h.log[a].t, 40000);
	assert_int_equal(h.log[t].t, 40000);
	assert_int_equal(h.log[b].t, 40000);
	assert_int_equal(h.log[c].t, 40000);
	assert_true(a < t);          /* in the order they fell due */
	assert_true(t < b);
	assert_true(b < c);          /* the held ones before the event of the resume instant */
	/* the step timer held at 15000 ran at the resume and armed timer 2 then */
	assert_int_equal(time_of(1, W_TIMER, 2, 0), 55000);
	assert_int_equal(world_node_state(&h.w, 1), WORLD_NODE_UP);
	assert_int_equal(h.w.stats.deferred, 4);
}

static void test_net_pause_holds_syn_until_resume(void **state)
{
	(void)state;
	setup_default(2);
	step(1000, OP_PAUSE, 1, 0, 0);
	step(2000, OP_CONNECT, 0, 1, 1000000);
	step(50000, OP_RESUME, 1, 0, 0);
	run_until(1000000);
	assert_int_equal(time_of(0, W_CONN, CONN_UP, 0), 51000);
}

static void test_net_timer_cancelled_while_held_does_not_fire(void **state)
{
	(void)state;
	setup_default(2);
	h.m[1].cancel_on_msg = 3;
	step(0, OP_CONNECT, 0, 1, 1000000);
	step(5000, OP_TIMER, 1, 3, 10000);     /* due at 15000 */
	step(6000, OP_PAUSE, 1, 0, 0);
	step(10000, OP_SEND, 0, 1, 1);         /* held at 11000, before the timer */
	step(20000, OP_RESUME, 1, 0, 0);
	run_until(1000000);
	assert_int_equal(time_of(1, W_MSG, 0, 0), 20000);
	assert_int_equal(count(1, W_TIMER, 3), 0);
}

static void test_net_crash_of_paused_node_drops_held_events(void **state)
{
	(void)state;
	setup_default(2);
	step(0, OP_CONNECT, 0, 1, 1000000);
	step(5000, OP_TIMER, 1, 4, 1000);
	step(5500, OP_PAUSE, 1, 0, 0);
	step(6000, OP_SEND, 0, 1, 1);
	step(9000, OP_CRASH, 1, 0, 0);
	step(9500, OP_RESUME, 1, 0, 0);
	step(12000, OP_RESTART, 1, 0, 0);
	run_until(1000000);
	assert_int_equal(count(1, W_TIMER, 4), 0);
	assert_int_equal(count(1, W_MSG, ANY), 0);
	assert_int_equal(time_of(0, W_CONN, CONN_RESET, 0), 10000);
	assert_int_equal(h.w.stats.lost_down, 1);
	assert_int_equal(h.w.timers.live, 0);
	assert_int_equal(h.w.deferred.live, 0);
}

/* ---- timers and clocks ------------------------------------------------------------------- */

static void test_net_timers_cancelled_by_crash(void **state)
{
	(void)state;
	setup_default(2);
	step(1000, OP_TIMER, 1, 5, 10000);     /* due at 11000 */
	step(2000, OP_CRASH, 1, 0, 0);
	step(3000, OP_RESTART, 1, 0, 0);
	step(4000, OP_TIMER, 1, 6, 10000);     /* the new process's timer still fires */
	run_until(1000000);
	assert_int_equal(count(1, W_TIMER, 5), 0);
	assert_int_equal(time_of(1, W_TIMER, 6, 0), 14000);
	assert_int_equal(world_node_incarnation(&h.w, 1), 1);
}

static void test_net_timer_cancel(void **state)
{
	(void)state;
	setup_default(1);
	step(1000, OP_TIMER, 0, 1, 5000);
	step(2000, OP_CANCEL, 0, 1, 0);
	step(3000, OP_TIMER, 0, 2, 0);
	run_until(1000000);
	assert_int_equal(count(0, W_TIMER, 1), 0);
	assert_int_equal(time_of(0, W_TIMER, 2, 0), 3000);
}

static void test_net_simultaneous_timers_run_in_node_order(void **state)
{
	(void)state;
	setup_default(3);
	step(1000, OP_TIMER, 2, 1, 9000);
	step(2000, OP_TIMER, 1, 1, 8000);
	step(3000, OP_TIMER, 0, 1, 7000);
	run_until(1000000);
	int a = find(0, W_TIMER, 1, 0);
	int b = find(1, W_TIMER, 1, 0);
	int c = find(2, W_TIMER, 1, 0);
	assert_int_equal(h.log[a].t, 10000);
	assert_int_equal(h.log[c].t, 10000);
	assert_true(a < b);
	assert_true(b < c);
}

static void test_net_skew_affects_wall_clock_only(void **state)
{
	(void)state;
	setup_default(2);
	uint32_t s1 = step(1000, OP_SKEW, 1, 5000000, 0);
	step(2000, OP_TIMER, 1, 1, 10500);
	uint32_t s2 = step(5000, OP_SKEW, 0, -1500, 0);
	step(5000, OP_TIMER, 0, 2, 0);
	step(5000, OP_TIMER, 0, 3, 1);          /* wall = floor((5001 - 1500) / 1000) = 3 */
	uint32_t s3 = step(6000, OP_SKEW, 0, -7500, 0);
	step(6000, OP_TIMER, 0, 4, 0);          /* floor(-1500 / 1000) = -2 */
	run_until(1000000);
	assert_int_equal(h.result[s1], 0);
	assert_int_equal(h.result[s2], 0);
	assert_int_equal(h.result[s3], -1500);
	int i = find(1, W_TIMER, 1, 0);
	assert_int_equal(h.log[i].t, 12500);   /* simulated time is not skewed */
	assert_int_equal(h.log[i].wall_ms, 5012);
	assert_int_equal(h.log[find(0, W_TIMER, 2, 0)].wall_ms, 3);
	assert_int_equal(h.log[find(0, W_TIMER, 3, 0)].wall_ms, 3);
	assert_int_equal(h.log[find(0, W_TIMER, 4, 0)].wall_ms, -2);
	assert_int_equal(world_node_skew(&h.w, 0), -7500);
}

static void test_net_setup_timeout_waits_for_resume(void **state)
{
	(void)state;
	setup_default(3);
	step(500, OP_ISOLATE, 1, 0, 0);
	step(1000, OP_CONNECT, 0, 1, 10000);   /* times out at 11000, while 0 is paused */
	step(1000, OP_CONNECT, 2, 1, 10000);
	step(5000, OP_PAUSE, 0, 0, 0);
	step(5000, OP_PAUSE, 2, 0, 0);
	step(20000, OP_RESUME, 0, 0, 0);
	step(20000, OP_CRASH, 2, 0, 0);          /* its held timeout is lost with it */
	run_until(1000000);
	assert_int_equal(time_of(0, W_CONN, CONN_TIMEOUT, 0), 20000);
	assert_int_equal(count(2, W_CONN, ANY), 0);
	assert_int_equal(net_conn_live(world_net(&h.w)), 0);
	assert_int_equal(h.w.deferred.live, 0);
}

static void test_net_node_peer_and_accessors(void **state)
{
	(void)state;
	enum node_kind kinds[3] = {NODE_CONTROLLER, NODE_BROKER, NODE_CONSUMER};
	setup_kinds(kinds, 3, params(1000, 1000, 0, 0), 1);
	step(0, OP_CONNECT, 2, 1, 1000000);
	step(5000, OP_SEND, 2, 1, 1);
	step(7000, OP_PEER, 2, 0, 0);
	step(7000, OP_PEER, 1, 0, 0);
	run_until(100000);
	assert_int_equal(h.peer[2], 1);
	assert_int_equal(h.peer[1], 2);
	assert_int_equal(world_node_count(&h.w), 3);
	assert_string_equal(world_node_name(&h.w, 1), "broker-1");
	assert_int_equal(world_node_kind(&h.w, 2), NODE_CONSUMER);
	assert_int_equal(world_find_node(&h.w, "controller-0"), 0);
	assert_int_equal(world_find_node(&h.w, "nobody"), NET_NONE);
	assert_int_equal(world_stats(&h.w)->connects, 1);
	assert_int_equal(world_now_us(&h.w), 100000);
}

/* The trace names nodes, escapes names, and says why a packet was lost. */
static void test_net_trace_lines_name_nodes_and_reasons(void **state)
{
	(void)state;
	static const char *const names[3] = {"broker-1", "broker-2", "p\"1"};
	enum node_kind kinds[3] = {NODE_BROKER, NODE_BROKER, NODE_PRODUCER};
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_non_null(out);
	custom_names = names;
	setup_kinds(kinds, 3, params(1000, 1000, 0, 0), 1);
	custom_names = NULL;
	h.tr.out = out;
	step(0, OP_CONNECT, 2, 0, 1000000);
	step(3000, OP_PARTITION, 0, 0x1, 0x6);
	step(4000, OP_SEND, 2, 1, 9);
	step(6000, OP_HEAL, 0, 0, 0);
	step(7000, OP_CRASH, 0, 0, 0);
	run_until(100000);
	fclose(out);
	assert_non_null(strstr(buf, "{\"t\":0,\"node\":\"p\\\"1\",\"ev\":\"connect\","));
	assert_non_null(strstr(buf, "\"groups\":[[\"broker-1\"],[\"broker-2\",\"p\\\"1\"]]"));
	assert_non_null(strstr(buf, "\"ev\":\"drop\",\"from\":\"p\\\"1\""));
	assert_non_null(strstr(buf, "\"reason\":\"cut\""));
	assert_non_null(strstr(buf, "\"ev\":\"conn_reset\""));
	assert_non_null(strstr(buf, "\"ev\":\"crash\""));
	free(buf);
}

/* ---- determinism --------------------------------------------------------------------------- */

static void busy_script(void)
{
	h.m[1].echo = true;
	step(0, OP_CONNECT, 0, 1, 1000000);
	step(0, OP_CONNECT, 2, 1, 1000000);
	for (int i = 0; i < 40; i++) {
		step(20000 + i * 700, OP_SEND, 0, 2, 1);
		step(20000 + i * 900, OP_SEND, 2, 1, 1);
	}
	step(30000, OP_CRASH, 2, 0, 0);
	step(31000, OP_RESTART, 2, 0, 0);
	step(32000, OP_CONNECT, 2, 1, 1000000);
	step(35000, OP_PAUSE, 1, 0, 0);
	step(45000, OP_RESUME, 1, 0, 0);
}

static void run_busy(uint64_t seed, char digest[65], int64_t *arrivals, int n)
{
	setup_n(3, params(1000, 1000, 2000, PRNG_RATIO_ONE / 20), seed);
	busy_script();
	run_until(1000000);
	trace_digest_hex(&h.tr, digest);
	for (int i = 0; i < n; i++) {
		int e = find(1, W_MSG, (uint64_t)(2 * i), 0);
		arrivals[i] = e >= 0 ? h.log[e].t : -1;
	}
	teardown(NULL);
}

static void test_net_same_seed_same_trace(void **state)
{
	(void)state;
	char d1[65], d2[65], d3[65];
	int64_t a1[20], a2[20], a3[20];
	run_busy(5, d1, a1, 20);
	run_busy(5, d2, a2, 20);
	run_busy(6, d3, a3, 20);
	assert_string_equal(d1, d2);
	assert_memory_equal(a1, a2, sizeof(a1));
	assert_string_not_equal(d1, d3);
	assert_memory_not_equal(a1, a3, sizeof(a1));
	setup_default(1);   /* for the teardown */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_net_connect_takes_one_round_trip, teardown),
		cmocka_unit_test_teardown(test_net_message_takes_latency, teardown),
		cmocka_unit_test_teardown(test_net_client_latency_applies_to_client_links,
					  teardown),
		cmocka_unit_test_teardown(test_net_link_delivers_in_send_order, teardown),
		cmocka_unit_test_teardown(test_net_equal_arrivals_keep_send_order, teardown),
		cmocka_unit_test_teardown(test_net_drop_ratio_zero_delivers_all, teardown),
		cmocka_unit_test_teardown(test_net_drop_ratio_one_loses_everything, teardown),
		cmocka_unit_test_teardown(test_net_drop_ratio_half_golden_count, teardown),
		cmocka_unit_test_teardown(test_net_partition_cuts_listed_groups_only, teardown),
		cmocka_unit_test_teardown(test_net_partition_rejects_node_listed_twice, teardown),
		cmocka_unit_test_teardown(test_net_overlapping_faults_keep_link_cut, teardown),
		cmocka_unit_test_teardown(test_net_isolate_cuts_both_ways, teardown),
		cmocka_unit_test_teardown(test_net_link_fault_cuts_one_direction, teardown),
		cmocka_unit_test_teardown(test_net_link_override_latency, teardown),
		cmocka_unit_test_teardown(test_net_heal_removes_every_fault, teardown),
		cmocka_unit_test_teardown(test_net_cut_is_checked_at_arrival, teardown),
		cmocka_unit_test_teardown(test_net_link_streams_are_independent, teardown),
		cmocka_unit_test_teardown(test_net_connect_to_crashed_process_refused_after_rtt,
					  teardown),
		cmocka_unit_test_teardown(test_net_connect_into_silence_times_out, teardown),
		cmocka_unit_test_teardown(test_net_connect_to_powered_off_machine_times_out,
					  teardown),
		cmocka_unit_test_teardown(test_net_crash_resets_peers_after_one_link_delay,
					  teardown),
		cmocka_unit_test_teardown(test_net_messages_sent_before_crash_arrive, teardown),
		cmocka_unit_test_teardown(test_net_stop_resets_peers, teardown),
		cmocka_unit_test_teardown(test_net_reset_into_cut_link_is_silent, teardown),
		cmocka_unit_test_teardown(test_net_power_loss_sends_no_reset, teardown),
		cmocka_unit_test_teardown(test_net_power_loss_of_crashed_node_cuts_power, teardown),
		cmocka_unit_test_teardown(test_net_close_discards_later_arrivals_at_closer,
					  teardown),
		cmocka_unit_test_teardown(test_net_crashed_peer_restart_accepts_new_connections,
					  teardown),
		cmocka_unit_test_teardown(test_net_restart_of_running_node_is_noop, teardown),
		cmocka_unit_test_teardown(test_net_connections_are_freed, teardown),
		cmocka_unit_test_teardown(test_net_half_open_unseen_end_is_freed, teardown),
		cmocka_unit_test_teardown(test_net_blob_is_copied_and_delivered, teardown),
		cmocka_unit_test_teardown(test_net_pause_defers_deliveries_and_timers, teardown),
		cmocka_unit_test_teardown(test_net_pause_holds_syn_until_resume, teardown),
		cmocka_unit_test_teardown(test_net_timer_cancelled_while_held_does_not_fire,
					  teardown),
		cmocka_unit_test_teardown(test_net_crash_of_paused_node_drops_held_events,
					  teardown),
		cmocka_unit_test_teardown(test_net_timers_cancelled_by_crash, teardown),
		cmocka_unit_test_teardown(test_net_timer_cancel, teardown),
		cmocka_unit_test_teardown(test_net_simultaneous_timers_run_in_node_order, teardown),
		cmocka_unit_test_teardown(test_net_skew_affects_wall_clock_only, teardown),
		cmocka_unit_test_teardown(test_net_setup_timeout_waits_for_resume, teardown),
		cmocka_unit_test_teardown(test_net_node_peer_and_accessors, teardown),
		cmocka_unit_test_teardown(test_net_trace_lines_name_nodes_and_reasons, teardown),
		cmocka_unit_test_teardown(test_net_same_seed_same_trace, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
