/*
 * world.c — the simulated world: node table, kernel dispatch, the connection protocol over
 * the network's links, node lifecycles (crash, power loss, stop, restart, pause, resume),
 * clock skew, node timers, the node_ctx functions of sim/node.h, and the trace of every world
 * event. The rules it follows are listed in world.h and net.h.
 *
 * A node's events carry its incarnation (timers) or ride connection ends (packets), so a
 * halt drops them without a scan: stale timers are recognised when they fire, arrivals for a
 * closed end are discarded. A paused node's events wait in its FIFO (one shared pool of
 * records) and run inside world_resume(), in the order they fell due.
 */
#include "sim/world.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "sim/limits.h"

/* A node timer: the id handed to the model is (gen << 32) | slot. */
struct wtimer {
	uint32_t          gen;          /* bumped at each use of the slot; never 0 when live */
	bool              live;
	uint32_t          node;
	uint32_t          incarnation;
	uint32_t          kind;
	uint64_t          arg;
	struct sim_handle handle;
};

/* One event held for a paused node. */
struct deferred {
	uint32_t type;                  /* WORLD_EV_PACKET, _TIMER or _CONN_TIMEOUT */
	uint32_t next;
	uint64_t arg0;
};

static const char *const pkt_names[] = {"data", "syn", "synack", "rst"};

/* ---- small helpers ---------------------------------------------------------------------- */

static struct world_node *node_at(const struct world *w, uint32_t node)
{
	assert(node < w->node_count);
	return &w->nodes[node];
}

static int64_t now_us(const struct world *w)
{
	return w->kernel->now_us;
}

/* Floor division: wall time rounds toward negative infinity. */
static int64_t floor_div(int64_t a, int64_t b)
{
	assert(b > 0);
	int64_t q = a / b;
	if (a % b != 0 && a < 0)
		q--;
	return q;
}

static void fail(struct world *w, int status)
{
	assert(status != NET_OK);
	if (w->status == NET_OK)
		w->status = status;
	sim_halt(w->kernel);
}

static void ctx_make(struct world *w, uint32_t node, struct node_ctx *ctx)
{
	struct world_node *n = node_at(w, node);
	assert(n->running);
	assert(!n->paused);
	ctx->world = w;
	ctx->node = node;
	ctx->now_us = now_us(w);
	ctx->wall_ms = floor_div(ctx->now_us + n->skew_us, 1000);
	ctx->prng = &n->prng;
}

static struct world *ctx_world(const struct node_ctx *ctx)
{
	struct world *w = ctx->world;
	assert(w != NULL);
	assert(w->in_model > 0);
	assert(ctx->now_us == now_us(w));
	assert(node_at(w, ctx->node)->running);
	return w;
}

/* A message's type in the trace: the model's name for it when it gave one. */
static void trace_type(const struct world *w, struct trace_line *l, uint16_t type)
{
	if (w->msg_name != NULL)
		trace_str(l, "type", w->msg_name(type));
	else
		trace_uint(l, "type", type);
}

static struct trace_line *trace_node(struct world *w, uint32_t node, const char *ev)
{
	return trace_begin(w->trace, now_us(w), node_at(w, node)->name, ev);
}

static struct trace_line *trace_net(struct world *w, const char *ev)
{
	return trace_begin(w->trace, now_us(w), "net", ev);
}

static conn_id conn_id_of(const struct world *w, uint32_t slot)
{
	return net_conn_at(&w->net, slot)->id;
}

/* ---- model calls ------------------------------------------------------------------------ */

static void call_start(struct world *w, uint32_t node)
{
	struct world_node *n = node_at(w, node);
	struct node_ctx ctx;
	ctx_make(w, node, &ctx);
	w->in_model++;
	n->ops->start(n->model, &ctx);
	w->in_model--;
}

static void call_halt(struct world *w, uint32_t node, enum node_halt how)
{
	struct world_node *n = node_at(w, node);
	w->in_model++;
	n->ops->halt(n->model, how, w->kernel->now_us);
	w->in_model--;
}

static void call_conn_event(struct world *w, uint32_t node, conn_id conn, enum conn_event ev)
{
	struct world_node *n = node_at(w, node);
	struct node_ctx ctx;
	ctx_make(w, node, &ctx);
	w->in_model++;
	n->ops->conn_event(n->model, &ctx, conn, ev);
	w->in_model--;
}

/* ---- packets ---------------------------------------------------------------------------- */

static bool handle_none(struct sim_handle h)
{
	return h.slot == 0 && h.gen == 0;
}

/* A new packet on the link from -> to (not yet sent), or NET_NONE on failure. */
static uint32_t packet_make(struct world *w, enum net_pkt_kind kind, uint32_t from,
			    uint32_t to, uint32_t conn, uint8_t side)
{
	uint32_t link = net_link(&w->net, from, to);
	uint32_t p = link == NET_NONE ? NET_NONE : net_packet_new(&w->net, kind, link, conn, side);
	if (p == NET_NONE)
		fail(w, NET_ERR_NOMEM);
	return p;
}

/* Puts a made packet on the wire: its arrival per the link rule; false on failure. */
static bool packet_launch(struct world *w, uint32_t p, int64_t *arrive_us)
{
	struct net_packet *pk = net_packet_at(&w->net, p);
	int64_t at = net_link_arrival(&w->net, pk->link, now_us(w));
	struct sim_event ev = {.at_us = at, .type = WORLD_EV_PACKET, .node = pk->to, .arg0 = p};
	/* Phase NORMAL, rank 0: packets landing at one instant run in send order. */
	if (handle_none(sim_schedule(w->kernel, &ev, SIM_PHASE_NORMAL, 0))) {
		net_packet_free(&w->net, p);
		fail(w, NET_ERR_NOMEM);
		return false;
	}
	*arrive_us = at;
	return true;
}

/* A control packet (SYN, SYN-ACK, RST) from -> to; false on failure. */
static bool send_packet(struct world *w, enum net_pkt_kind kind, uint32_t from, uint32_t to,
			uint32_t conn, uint8_t side, int64_t *arrive_us)
{
	uint32_t p = packet_make(w, kind, from, to, conn, side);
	return p != NET_NONE && packet_launch(w, p, arrive_us);
}

/* A packet that will not be handled: traced at the receiver with the reason. */
static void lose(struct world *w, uint32_t p, const char *reason)
{
	struct net_packet *pk = net_packet_at(&w->net, p);
	struct trace_line *l = trace_node(w, pk->to, "drop");
	trace_str(l, "from", node_at(w, pk->from)->name);
	trace_uint(l, "conn", conn_id_of(w, pk->conn));
	trace_str(l, "pkt", pkt_names[pk->kind]);
	if (pk->kind == NET_PKT_DATA)
		trace_type(w, l, pk->msg.type);
	trace_str(l, "reason", reason);
	trace_end(l);
	net_packet_free(&w->net, p);
}

static void cancel_timeout(struct world *w, uint32_t slot)
{
	struct net_conn *c = net_conn_at(&w->net, slot);
	struct sim_handle h = c->timeout;
	c->timeout = SIM_HANDLE_NONE;
	if (sim_cancel(w->kernel, h))
		net_conn_release(&w->net, slot);
	/* else it already fired: a held (deferred) copy releases the slot when it runs */
}

static void trace_conn(struct world *w, uint32_t node, const char *ev, uint32_t slot)
{
	const struct net_conn *c = net_conn_at(&w->net, slot);
	uint8_t side = net_conn_side(&w->net, slot, node);
	struct trace_line *l = trace_node(w, node, ev);
	trace_str(l, "peer", node_at(w, c->node[side ^ 1])->name);
	trace_uint(l, "conn", c->id);
	trace_end(l);
}

static void on_data(struct world *w, uint32_t p)
{
	struct net_packet *pk = net_packet_at(&w->net, p);
	struct net_conn *c = net_conn_at(&w->net, pk->conn);
	if (c->state[pk->side] != NET_END_OPEN) {
		w->stats.lost_closed++;
		lose(w, p, "closed");
		return;
	}
	c->known[pk->side] = true;
	conn_id id = c->id;
	struct trace_line *l = trace_node(w, pk->to, "recv");
	trace_str(l, "from", node_at(w, pk->from)->name);
	trace_uint(l, "conn", id);
	trace_type(w, l, pk->msg.type);
	trace_uint(l, "bytes", pk->msg.bytes);
	trace_end(l);
	w->stats.delivered++;
	struct world_node *n = node_at(w, pk->to);
	struct node_ctx ctx;
	ctx_make(w, pk->to, &ctx);
	w->in_model++;
	n->ops->message(n->model, &ctx, id, &pk->msg, pk->blob, pk->blob_len);
	w->in_model--;
	net_packet_free(&w->net, p);   /* after the call: the packet keeps the connection alive */
}

/* A SYN reached a live process: open the target end and answer SYN-ACK. */
static void on_syn(struct world *w, uint32_t p)
{
	struct net_packet *pk = net_packet_at(&w->net, p);
	assert(pk->side == 1);
	assert(net_conn_at(&w->net, pk->conn)->state[1] == NET_END_NONE);
	net_conn_set_state(&w->net, pk->conn, 1, NET_END_OPEN);
	struct trace_line *l = trace_node(w, pk->to, "accept");
	trace_str(l, "from", node_at(w, pk->from)->name);
	trace_uint(l, "conn", conn_id_of(w, pk->conn));
	trace_end(l);
	int64_t at;
	send_packet(w, NET_PKT_SYNACK, pk->to, pk->from, pk->conn, 0, &at);
	net_packet_free(&w->net, p);
}

/* A SYN reached a live machine whose process is down: the machine answers RST. */
static void on_syn_refused(struct world *w, uint32_t p)
{
	struct net_packet *pk = net_packet_at(&w->net, p);
	struct trace_line *l = trace_node(w, pk->to, "refuse");
	trace_str(l, "from", node_at(w, pk->from)->name);
	trace_uint(l, "conn", conn_id_of(w, pk->conn));
	trace_end(l);
	int64_t at;
	send_packet(w, NET_PKT_RST, pk->to, pk->from, pk->conn, 0, &at);
	net_packet_free(&w->net, p);
}

static void on_synack(struct world *w, uint32_t p)
{
	struct net_packet *pk = net_packet_at(&w->net, p);
	assert(pk->side == 0);
	struct net_conn *c = net_conn_at(&w->net, pk->conn);
	if (c->state[0] != NET_END_CONNECTING) {
		w->stats.lost_closed++;
		lose(w, p, "closed");
		return;
	}
	conn_id id = c->id;
	cancel_timeout(w, pk->conn);
	net_conn_set_state(&w->net, pk->conn, 0, NET_END_OPEN);
	trace_conn(w, pk->to, "conn_up", pk->conn);
	call_conn_event(w, pk->to, id, CONN_UP);
	net_packet_free(&w->net, p);
}

static void on_rst(struct world *w, uint32_t p)
{
	struct net_packet *pk = net_packet_at(&w->net, p);
	struct net_conn *c = net_conn_at(&w->net, pk->conn);
	uint8_t side = pk->side;
	enum net_end_state st = c->state[side];
	if (st != NET_END_CONNECTING && st != NET_END_OPEN) {
		w->stats.lost_closed++;
		lose(w, p, "closed");
		return;
	}
	conn_id id = c->id;
	bool known = c->known[side];
	if (st == NET_END_CONNECTING)
		cancel_timeout(w, pk->conn);
	struct trace_line *l = trace_node(w, pk->to,
					  st == NET_END_CONNECTING ? "conn_refused" : "conn_reset");
	trace_str(l, "peer", node_at(w, pk->from)->name);
	trace_uint(l, "conn", id);
	if (!known)
		trace_bool(l, "unseen", true);   /* the model never heard of it: closed silently */
	trace_end(l);
	net_conn_set_state(&w->net, pk->conn, side, NET_END_CLOSED);
	if (known)
		call_conn_event(w, pk->to, id,
				st == NET_END_CONNECTING ? CONN_REFUSED : CONN_RESET);
	net_packet_free(&w->net, p);
}

/* A packet whose arrival checks passed, at a running, unpaused receiver. */
static void packet_handle(struct world *w, uint32_t p)
{
	switch ((enum net_pkt_kind)net_packet_at(&w->net, p)->kind) {
	case NET_PKT_DATA:
		on_data(w, p);
		return;
	case NET_PKT_SYN:
		on_syn(w, p);
		return;
	case NET_PKT_SYNACK:
		on_synack(w, p);
		return;
	case NET_PKT_RST:
		on_rst(w, p);
		return;
	}
	assert(false && "unknown packet kind");
}

/* ---- the pause FIFO ----------------------------------------------------------------------- */

static void defer(struct world *w, uint32_t node, uint32_t type, uint64_t arg0)
{
	struct world_node *n = node_at(w, node);
	assert(n->paused);
	uint32_t d = net_pool_alloc(&w->deferred);
	if (d == NET_NONE) {
		fail(w, NET_ERR_NOMEM);
		return;
	}
	struct deferred *rec = net_pool_at(&w->deferred, d);
	rec->type = type;
	rec->next = NET_NONE;
	rec->arg0 = arg0;
	if (n->defer_tail == NET_NONE)
		n->defer_head = d;
	else
		((struct deferred *)net_pool_at(&w->deferred, n->defer_tail))->next = d;
	n->defer_tail = d;
	n->defer_len++;
	w->stats.deferred++;
}

/* Removes the oldest held event of `node`; false if none. */
static bool defer_pop(struct world *w, uint32_t node, uint32_t *type, uint64_t *arg0)
{
	struct world_node *n = node_at(w, node);
	uint32_t d = n->defer_head;
	if (d == NET_NONE)
		return false;
	struct deferred *rec = net_pool_at(&w->deferred, d);
	*type = rec->type;
	*arg0 = rec->arg0;
	n->defer_head = rec->next;
	if (n->defer_head == NET_NONE)
		n->defer_tail = NET_NONE;
	assert(n->defer_len > 0);
	n->defer_len--;
	net_pool_release(&w->deferred, d);
	return true;
}

/* ---- timers ------------------------------------------------------------------------------- */

static struct wtimer *timer_find(const struct world *w, uint64_t id)
{
	uint32_t slot = (uint32_t)id;
	uint32_t gen = (uint32_t)(id >> 32);
	if (slot >= w->timers.fresh)
		return NULL;
	struct wtimer *t = net_pool_at(&w->timers, slot);
	return t->live && t->gen == gen ? t : NULL;
}

static void timer_release(struct world *w, uint64_t id)
{
	struct wtimer *t = timer_find(w, id);
	assert(t != NULL);
	t->live = false;
	net_pool_release(&w->timers, (uint32_t)id);
}

/* A due timer of a running, unpaused node (possibly cancelled while it was held). */
static void timer_fire(struct world *w, uint64_t id)
{
	struct wtimer *t = timer_find(w, id);
	if (t == NULL)
		return;
	uint32_t node = t->node;
	uint32_t kind = t->kind;
	uint64_t arg = t->arg;
	assert(t->incarnation == node_at(w, node)->incarnation);
	timer_release(w, id);
	w->stats.timers_fired++;
	struct world_node *n = node_at(w, node);
	struct node_ctx ctx;
	ctx_make(w, node, &ctx);
	w->in_model++;
	n->ops->timer(n->model, &ctx, kind, arg);
	w->in_model--;
}

static void on_timer(struct world *w, uint64_t id)
{
	struct wtimer *t = timer_find(w, id);
	assert(t != NULL);   /* a cancelled timer's event is cancelled too */
	struct world_node *n = node_at(w, t->node);
	if (t->incarnation != n->incarnation) {
		timer_release(w, id);   /* armed by a process that has since halted */
		return;
	}
	assert(n->running);
	if (n->paused) {
		defer(w, t->node, WORLD_EV_TIMER, id);
		return;
	}
	timer_fire(w, id);
}

/* ---- connection setup timeouts ------------------------------------------------------------ */

static void timeout_handle(struct world *w, uint32_t slot)
{
	struct net_conn *c = net_conn_at(&w->net, slot);
	if (c->state[0] == NET_END_CONNECTING) {
		uint32_t node = c->node[0];
		conn_id id = c->id;
		net_conn_set_state(&w->net, slot, 0, NET_END_CLOSED);
		trace_conn(w, node, "conn_timeout", slot);
		call_conn_event(w, node, id, CONN_TIMEOUT);
	}
	net_conn_release(&w->net, slot);
}

static void on_conn_timeout(struct world *w, uint32_t slot)
{
	struct net_conn *c = net_conn_at(&w->net, slot);
	c->timeout = SIM_HANDLE_NONE;
	struct world_node *n = node_at(w, c->node[0]);
	assert(n->running);   /* a halt cancels its pending setup timeouts */
	if (n->paused) {
		defer(w, c->node[0], WORLD_EV_CONN_TIMEOUT, slot);
		return;
	}
	timeout_handle(w, slot);
}

/* ---- dispatch ----------------------------------------------------------------------------- */

static void on_packet(struct world *w, uint32_t p)
{
	struct net_packet *pk = net_packet_at(&w->net, p);
	enum net_verdict v = net_link_verdict(&w->net, pk->link);
	if (v != NET_PASS) {
		bool cut = v == NET_LOST_CUT;
		if (cut)
			w->stats.lost_cut++;
		else
			w->stats.lost_drop++;
		lose(w, p, cut ? "cut" : "drop");
		return;
	}
	struct world_node *n = node_at(w, pk->to);
	if (n->powered && !n->running && pk->kind == NET_PKT_SYN) {
		on_syn_refused(w, p);
		return;
	}
	if (!n->powered || !n->running) {
		w->stats.lost_down++;
		lose(w, p, "down");
		return;
	}
	if (n->paused) {
		defer(w, pk->to, WORLD_EV_PACKET, p);
		return;
	}
	packet_handle(w, p);
}

static void halt(struct world *w, uint32_t node, enum node_halt how);

void world_dispatch(void *ctx, struct sim_kernel *k, const struct sim_event *ev,
		    struct sim_handle self)
{
	struct world *w = ctx;
	assert(w->kernel == k);
	assert(w->in_model == 0);
	switch (ev->type) {
	case WORLD_EV_PACKET:
		on_packet(w, (uint32_t)ev->arg0);
		return;
	case WORLD_EV_TIMER:
		on_timer(w, ev->arg0);
		return;
	case WORLD_EV_CONN_TIMEOUT:
		on_conn_timeout(w, (uint32_t)ev->arg0);
		return;
	case WORLD_EV_RUNNER:
		assert(w->runner != NULL);
		w->runner(w->runner_ctx, w, ev, self);
		return;
	case WORLD_EV_SELF_STOP: {
		struct world_node *n = node_at(w, ev->node);
		if (n->running && n->incarnation == (uint32_t)ev->arg0) {
			trace_end(trace_node(w, ev->node, "stop"));
			halt(w, ev->node, HALT_CLEAN);
		}
		return;
	}
	}
	assert(false && "unknown world event type");
}

/* Runs a held event at the resume instant. */
static void dispatch_deferred(struct world *w, uint32_t type, uint64_t arg0)
{
	switch (type) {
	case WORLD_EV_PACKET:
		packet_handle(w, (uint32_t)arg0);
		return;
	case WORLD_EV_TIMER:
		timer_fire(w, arg0);
		return;
	case WORLD_EV_CONN_TIMEOUT:
		timeout_handle(w, (uint32_t)arg0);
		return;
	}
	assert(false && "unknown deferred event type");
}

/* Drops a held event of a halting node, releasing what it holds. */
static void drop_deferred(struct world *w, uint32_t type, uint64_t arg0)
{
	switch (type) {
	case WORLD_EV_PACKET:
		w->stats.lost_down++;
		lose(w, (uint32_t)arg0, "down");
		return;
	case WORLD_EV_TIMER:
		if (timer_find(w, arg0) != NULL)
			timer_release(w, arg0);
		return;
	case WORLD_EV_CONN_TIMEOUT:
		net_conn_release(&w->net, (uint32_t)arg0);
		return;
	}
	assert(false && "unknown deferred event type");
}

/* ---- setup -------------------------------------------------------------------------------- */

int world_init(struct world *w, struct sim_kernel *k, struct trace *t, uint64_t root_seed,
	       const struct net_params *defaults)
{
	assert(k != NULL);
	assert(t != NULL);
	/* The kernel's dispatcher is world_dispatch, or one that forwards to it (the runner
	 * wraps it to run its checker after every event). */
	assert(k->dispatch != NULL);
	memset(w, 0, sizeof(*w));
	w->kernel = k;
	w->trace = t;
	w->root_seed = root_seed;
	net_pool_init(&w->timers, sizeof(struct wtimer));
	net_pool_init(&w->deferred, sizeof(struct deferred));
	return net_init(&w->net, root_seed, defaults);
}

void world_free(struct world *w)
{
	for (uint32_t i = 0; i < w->node_count; i++)
		free(w->nodes[i].name);
	free(w->nodes);
	net_free(&w->net);
	net_pool_free(&w->timers);
	net_pool_free(&w->deferred);
	memset(w, 0, sizeof(*w));
}

static bool is_client(enum node_kind kind)
{
	return kind == NODE_PRODUCER || kind == NODE_CONSUMER;
}

static bool grow_nodes(struct world *w)
{
	uint32_t cap = w->node_cap ? w->node_cap * 2 : 16;
	struct world_node *nodes = realloc(w->nodes, sizeof(*nodes) * cap);
	if (nodes == NULL)
		return false;
	w->nodes = nodes;
	w->node_cap = cap;
	return true;
}

int world_add_node(struct world *w, enum node_kind kind, const char *name,
		   const struct node_ops *ops, void *model, uint32_t *index)
{
	assert(!w->started);   /* ctx->prng points into the table */
	assert(name != NULL);
	assert(ops != NULL);
	if (w->node_count >= LIMIT_NODES)
		return NET_ERR_INVALID;
	if (w->node_count == w->node_cap && !grow_nodes(w))
		return NET_ERR_NOMEM;
	char *copy = strdup(name);
	if (copy == NULL)
		return NET_ERR_NOMEM;
	if (net_add_node(&w->net, is_client(kind)) != NET_OK) {
		free(copy);
		return NET_ERR_NOMEM;
	}
	uint32_t i = w->node_count++;
	struct world_node *n = &w->nodes[i];
	memset(n, 0, sizeof(*n));
	n->name = copy;
	n->ops = ops;
	n->model = model;
	n->kind = kind;
	n->powered = true;
	n->defer_head = NET_NONE;
	n->defer_tail = NET_NONE;
	prng_child(&n->prng, w->root_seed, PRNG_STREAM_NODE, i);
	*index = i;
	return NET_OK;
}

void world_start_all(struct world *w)
{
	assert(!w->started);
	assert(w->in_model == 0);
	w->started = true;
	for (uint32_t i = 0; i < w->node_count; i++) {
		struct world_node *n = node_at(w, i);
		assert(!n->running);
		n->running = true;
		trace_end(trace_node(w, i, "start"));
		call_start(w, i);
	}
}

void world_set_msg_names(struct world *w, const char *(*name)(uint16_t type))
{
	w->msg_name = name;
}

void world_set_runner_handler(struct world *w, world_runner_fn *fn, void *ctx)
{
	w->runner = fn;
	w->runner_ctx = ctx;
}

struct sim_handle world_schedule_runner(struct world *w, int64_t at_us, enum sim_phase phase,
					uint32_t rank, uint32_t node, uint64_t arg0,
					uint64_t arg1)
{
	struct sim_event ev = {
		.at_us = at_us, .type = WORLD_EV_RUNNER, .node = node, .arg0 = arg0, .arg1 = arg1,
	};
	return sim_schedule(w->kernel, &ev, phase, rank);
}

/* ---- lifecycle ---------------------------------------------------------------------------- */

/* Closes every end of a halting node; on crash and stop its machine resets the peers. */
static void close_ends(struct world *w, uint32_t node, bool reset_peers)
{
	uint32_t end;
	while ((end = net_node_first_end(&w->net, node)) != NET_NONE) {
		uint32_t slot = end >> 1;
		uint8_t side = (uint8_t)(end & 1);
		struct net_conn *c = net_conn_at(&w->net, slot);
		uint8_t peer_state = c->state[side ^ 1];
		uint32_t peer = c->node[side ^ 1];
		if (c->state[side] == NET_END_CONNECTING)
			cancel_timeout(w, slot);
		bool peer_open = peer_state == NET_END_OPEN || peer_state == NET_END_CONNECTING;
		if (reset_peers && peer_open) {
			int64_t at = 0;
			if (send_packet(w, NET_PKT_RST, node, peer, slot, side ^ 1, &at)) {
				struct trace_line *l = trace_node(w, node, "rst");
				trace_str(l, "to", node_at(w, peer)->name);
				trace_uint(l, "conn", conn_id_of(w, slot));
				trace_int(l, "arrive", at);
				trace_end(l);
			}
		}
		net_conn_set_state(&w->net, slot, side, NET_END_CLOSED);
	}
}

static void halt(struct world *w, uint32_t node, enum node_halt how)
{
	struct world_node *n = node_at(w, node);
	assert(n->running);
	n->incarnation++;
	n->running = false;
	n->paused = false;
	uint32_t type;
	uint64_t arg0;
	while (defer_pop(w, node, &type, &arg0))
		drop_deferred(w, type, arg0);
	close_ends(w, node, how != HALT_POWER_LOSS);
	if (how == HALT_POWER_LOSS)
		n->powered = false;
	call_halt(w, node, how);
}

bool world_crash(struct world *w, uint32_t node, bool power_loss)
{
	assert(w->in_model == 0);
	struct world_node *n = node_at(w, node);
	if (!n->powered || (!n->running && !power_loss))
		return false;
	if (!n->running) {
		/* Power loss of a machine whose process is already down. */
		n->powered = false;
		trace_end(trace_node(w, node, "power_loss"));
		call_halt(w, node, HALT_POWER_LOSS);
		return true;
	}
	trace_end(trace_node(w, node, power_loss ? "power_loss" : "crash"));
	halt(w, node, power_loss ? HALT_POWER_LOSS : HALT_CRASH);
	return true;
}

bool world_stop(struct world *w, uint32_t node)
{
	assert(w->in_model == 0);
	struct world_node *n = node_at(w, node);
	if (!n->running)
		return false;
	if (n->ops->shutdown != NULL && !n->paused) {
		trace_end(trace_node(w, node, "shutdown_requested"));
		struct node_ctx ctx;
		ctx_make(w, node, &ctx);
		w->in_model++;
		n->ops->shutdown(n->model, &ctx);
		w->in_model--;
		return true;
	}
	trace_end(trace_node(w, node, "stop"));
	halt(w, node, HALT_CLEAN);
	return true;
}

bool world_action(struct world *w, uint32_t node, enum node_action what, int64_t arg_us)
{
	assert(w->in_model == 0);
	struct world_node *n = node_at(w, node);
	if (!n->running || n->paused || n->ops->action == NULL)
		return false;
	struct node_ctx ctx;
	ctx_make(w, node, &ctx);
	w->in_model++;
	n->ops->action(n->model, &ctx, what, arg_us);
	w->in_model--;
	return true;
}

void node_stop_self(struct node_ctx *ctx)
{
	struct world *w = ctx_world(ctx);
	uint32_t inc = node_at(w, ctx->node)->incarnation;
	struct sim_handle h = sim_after(w->kernel, 0, WORLD_EV_SELF_STOP, ctx->node, inc, 0);
	if (h.slot == 0 && h.gen == 0) {
		w->status = NET_ERR_NOMEM;
		sim_halt(w->kernel);
	}
}

bool world_restart(struct world *w, uint32_t node)
{
	assert(w->in_model == 0);
	assert(w->started);
	struct world_node *n = node_at(w, node);
	if (n->running)
		return false;
	n->powered = true;
	n->running = true;
	n->paused = false;
	trace_end(trace_node(w, node, "restart"));
	call_start(w, node);
	return true;
}

bool world_pause(struct world *w, uint32_t node)
{
	assert(w->in_model == 0);
	struct world_node *n = node_at(w, node);
	if (!n->running || n->paused)
		return false;
	n->paused = true;
	trace_end(trace_node(w, node, "pause"));
	return true;
}

bool world_resume(struct world *w, uint32_t node)
{
	assert(w->in_model == 0);
	struct world_node *n = node_at(w, node);
	if (!n->paused)
		return false;
	assert(n->running);
	n->paused = false;
	struct trace_line *l = trace_node(w, node, "resume");
	trace_uint(l, "deferred", n->defer_len);
	trace_end(l);
	/* The held events run now, in the order they fell due, before any later event. */
	uint32_t type;
	uint64_t arg0;
	while (defer_pop(w, node, &type, &arg0))
		dispatch_deferred(w, type, arg0);
	return true;
}

int64_t world_set_skew(struct world *w, uint32_t node, int64_t skew_us)
{
	assert(w->in_model == 0);
	struct world_node *n = node_at(w, node);
	int64_t prev = n->skew_us;
	n->skew_us = skew_us;
	struct trace_line *l = trace_node(w, node, "clock");
	trace_int(l, "skew_us", skew_us);
	trace_int(l, "prev_skew_us", prev);
	trace_end(l);
	return prev;
}

/* ---- network faults ----------------------------------------------------------------------- */

/* Appends s as a JSON string; false if it does not fit. */
static bool json_str(char *buf, size_t cap, size_t *len, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = *len;
	if (n + 1 >= cap)
		return false;
	buf[n++] = '"';
	for (const unsigned char *c = (const unsigned char *)s; *c != 0; c++) {
		if (n + 7 >= cap)
			return false;
		if (*c == '"' || *c == '\\') {
			buf[n++] = '\\';
			buf[n++] = (char)*c;
		} else if (*c < 0x20) {
			memcpy(buf + n, "\\u00", 4);
			buf[n + 4] = hex[*c >> 4];
			buf[n + 5] = hex[*c & 15];
			n += 6;
		} else {
			buf[n++] = (char)*c;
		}
	}
	buf[n++] = '"';
	*len = n;
	return true;
}

static bool json_ch(char *buf, size_t cap, size_t *len, char ch)
{
	if (*len + 1 >= cap)
		return false;
	buf[(*len)++] = ch;
	return true;
}

/* [["a","b"],["c"]]; groups that do not fit in the line are left out (returns false). */
static bool groups_json(const struct world *w, const struct net_group *groups,
			uint32_t ngroups, char *buf, size_t cap)
{
	size_t room = cap - 2;   /* the closing bracket and the NUL always fit */
	size_t len = 0;
	bool whole = true;
	buf[len++] = '[';
	for (uint32_t g = 0; g < ngroups && whole; g++) {
		size_t mark = len;
		bool ok = g == 0 || json_ch(buf, room, &len, ',');
		ok = ok && json_ch(buf, room, &len, '[');
		for (uint32_t i = 0; ok && i < groups[g].count; i++)
			ok = (i == 0 || json_ch(buf, room, &len, ',')) &&
			     json_str(buf, room, &len, node_at(w, groups[g].nodes[i])->name);
		ok = ok && json_ch(buf, room, &len, ']');
		if (!ok) {
			len = mark;
			whole = false;
		}
	}
	buf[len++] = ']';
	buf[len] = 0;
	return whole;
}

int world_partition(struct world *w, const struct net_group *groups, uint32_t ngroups,
		    net_fault_id *id)
{
	assert(w->in_model == 0);
	int rc = net_partition(&w->net, groups, ngroups, id);
	if (rc != NET_OK)
		return rc;
	char buf[TRACE_LINE_MAX / 2];
	bool whole = groups_json(w, groups, ngroups, buf, sizeof(buf));
	struct trace_line *l = trace_net(w, "partition");
	trace_uint(l, "fault", *id);
	trace_raw(l, "groups", buf);
	if (!whole)
		trace_bool(l, "groups_truncated", true);
	trace_end(l);
	return NET_OK;
}

int world_isolate(struct world *w, uint32_t node, net_fault_id *id)
{
	assert(w->in_model == 0);
	int rc = net_isolate(&w->net, node, id);
	if (rc != NET_OK)
		return rc;
	struct trace_line *l = trace_net(w, "isolate");
	trace_uint(l, "fault", *id);
	trace_str(l, "target", node_at(w, node)->name);
	trace_end(l);
	return NET_OK;
}

int world_link(struct world *w, uint32_t from, uint32_t to, const struct net_link_params *p,
	       net_fault_id *id)
{
	assert(w->in_model == 0);
	int rc = net_link_fault(&w->net, from, to, p, id);
	if (rc != NET_OK)
		return rc;
	struct trace_line *l = trace_net(w, "link");
	trace_uint(l, "fault", *id);
	trace_str(l, "from", node_at(w, from)->name);
	trace_str(l, "to", node_at(w, to)->name);
	trace_int(l, "latency_us", p->latency_us);
	trace_int(l, "jitter_us", p->jitter_us);
	trace_int(l, "drop", p->drop_ratio);
	trace_end(l);
	return NET_OK;
}

bool world_undo(struct world *w, net_fault_id id)
{
	assert(w->in_model == 0);
	if (!net_undo(&w->net, id))
		return false;
	struct trace_line *l = trace_net(w, "undo");
	trace_uint(l, "fault", id);
	trace_end(l);
	return true;
}

void world_heal(struct world *w)
{
	assert(w->in_model == 0);
	uint32_t active = net_active_faults(&w->net);
	net_heal(&w->net);
	struct trace_line *l = trace_net(w, "heal");
	trace_uint(l, "faults", active);
	trace_end(l);
}

/* ---- accessors ---------------------------------------------------------------------------- */

uint32_t world_node_count(const struct world *w)
{
	return w->node_count;
}

const char *world_node_name(const struct world *w, uint32_t node)
{
	return node_at(w, node)->name;
}

enum node_kind world_node_kind(const struct world *w, uint32_t node)
{
	return node_at(w, node)->kind;
}

enum world_node_state world_node_state(const struct world *w, uint32_t node)
{
	const struct world_node *n = node_at(w, node);
	if (!n->powered)
		return WORLD_NODE_POWERED_OFF;
	if (!n->running)
		return WORLD_NODE_DOWN;
	return n->paused ? WORLD_NODE_PAUSED : WORLD_NODE_UP;
}

int64_t world_node_skew(const struct world *w, uint32_t node)
{
	return node_at(w, node)->skew_us;
}

uint32_t world_node_incarnation(const struct world *w, uint32_t node)
{
	return node_at(w, node)->incarnation;
}

uint32_t world_find_node(const struct world *w, const char *name)
{
	for (uint32_t i = 0; i < w->node_count; i++)
		if (strcmp(w->nodes[i].name, name) == 0)
			return i;
	return NET_NONE;
}

int64_t world_now_us(const struct world *w)
{
	return now_us(w);
}

int world_status(const struct world *w)
{
	return w->status;
}

const struct world_stats *world_stats(const struct world *w)
{
	return &w->stats;
}

struct net *world_net(struct world *w)
{
	return &w->net;
}

/* ---- node_ctx functions (sim/node.h) ------------------------------------------------------ */

static int64_t schedule_node_event(struct world *w, uint32_t node, int64_t at_us,
				   uint32_t type, uint64_t arg0, struct sim_handle *h)
{
	assert(node + 1 <= SIM_RANK_MAX);
	struct sim_event ev = {.at_us = at_us, .type = type, .node = node, .arg0 = arg0};
	/* Rank 1 + node: simultaneous timers of different nodes run in node order (11.1). */
	*h = sim_schedule(w->kernel, &ev, SIM_PHASE_NORMAL, node + 1);
	if (handle_none(*h)) {
		fail(w, NET_ERR_NOMEM);
		return -1;
	}
	return 0;
}

conn_id node_connect(struct node_ctx *ctx, uint32_t to, int64_t setup_timeout_us)
{
	struct world *w = ctx_world(ctx);
	uint32_t from = ctx->node;
	assert(to < w->node_count);
	assert(to != from);
	assert(setup_timeout_us > 0);
	uint32_t slot = net_conn_new(&w->net, from, to);
	if (slot == NET_NONE) {
		fail(w, NET_ERR_NOMEM);
		return 0;
	}
	conn_id id = conn_id_of(w, slot);
	struct sim_handle h;
	if (schedule_node_event(w, from, ctx->now_us + setup_timeout_us, WORLD_EV_CONN_TIMEOUT,
				slot, &h) != 0)
		return 0;
	net_conn_hold(&w->net, slot);
	net_conn_at(&w->net, slot)->timeout = h;
	int64_t at = 0;
	send_packet(w, NET_PKT_SYN, from, to, slot, 1, &at);
	struct trace_line *l = trace_node(w, from, "connect");
	trace_str(l, "to", node_at(w, to)->name);
	trace_uint(l, "conn", id);
	trace_int(l, "timeout_us", setup_timeout_us);
	trace_int(l, "arrive", at);
	trace_end(l);
	w->stats.connects++;
	return id;
}

bool node_send(struct node_ctx *ctx, conn_id conn, const struct net_msg *m,
	       const void *blob, uint32_t blob_len)
{
	struct world *w = ctx_world(ctx);
	assert(m != NULL);
	assert(blob != NULL || blob_len == 0);
	uint32_t slot = net_conn_find(&w->net, conn);
	if (slot == NET_NONE)
		return false;
	struct net_conn *c = net_conn_at(&w->net, slot);
	uint8_t side = net_conn_side(&w->net, slot, ctx->node);
	if (c->state[side] != NET_END_OPEN)
		return false;
	uint32_t peer = c->node[side ^ 1];
	uint32_t p = packet_make(w, NET_PKT_DATA, ctx->node, peer, slot, side ^ 1);
	if (p == NET_NONE)
		return false;
	struct net_packet *pk = net_packet_at(&w->net, p);
	pk->msg = *m;
	int rc = net_packet_set_blob(&w->net, p, blob, blob_len);
	if (rc != NET_OK) {
		net_packet_free(&w->net, p);
		fail(w, rc);
		return false;
	}
	int64_t at = 0;
	if (!packet_launch(w, p, &at))
		return false;
	struct trace_line *l = trace_node(w, ctx->node, "send");
	trace_str(l, "to", node_at(w, peer)->name);
	trace_uint(l, "conn", conn);
	trace_type(w, l, m->type);
	trace_uint(l, "bytes", m->bytes);
	trace_int(l, "arrive", at);
	trace_end(l);
	w->stats.sent++;
	return true;
}

void node_close(struct node_ctx *ctx, conn_id conn)
{
	struct world *w = ctx_world(ctx);
	uint32_t slot = net_conn_find(&w->net, conn);
	if (slot == NET_NONE)
		return;
	struct net_conn *c = net_conn_at(&w->net, slot);
	uint8_t side = net_conn_side(&w->net, slot, ctx->node);
	enum net_end_state st = c->state[side];
	if (st != NET_END_CONNECTING && st != NET_END_OPEN)
		return;
	trace_conn(w, ctx->node, "close", slot);
	if (st == NET_END_CONNECTING)
		cancel_timeout(w, slot);
	net_conn_set_state(&w->net, slot, side, NET_END_CLOSED);
}

uint32_t node_peer(struct node_ctx *ctx, conn_id conn)
{
	struct world *w = ctx_world(ctx);
	uint32_t slot = net_conn_find(&w->net, conn);
	if (slot == NET_NONE)
		return NET_NONE;
	uint8_t side = net_conn_side(&w->net, slot, ctx->node);
	return net_conn_at(&w->net, slot)->node[side ^ 1];
}

uint64_t node_timer(struct node_ctx *ctx, int64_t delay_us, uint32_t kind, uint64_t arg)
{
	struct world *w = ctx_world(ctx);
	assert(delay_us >= 0);
	uint32_t slot = net_pool_alloc(&w->timers);
	if (slot == NET_NONE) {
		fail(w, NET_ERR_NOMEM);
		return 0;
	}
	struct wtimer *t = net_pool_at(&w->timers, slot);
	t->gen++;
	if (t->gen == 0)
		t->gen = 1;   /* after 2^32 uses of one slot; ids stay non-zero */
	t->live = true;
	t->node = ctx->node;
	t->incarnation = node_at(w, ctx->node)->incarnation;
	t->kind = kind;
	t->arg = arg;
	uint64_t id = ((uint64_t)t->gen << 32) | slot;
	if (schedule_node_event(w, ctx->node, ctx->now_us + delay_us, WORLD_EV_TIMER, id,
				&t->handle) != 0) {
		timer_release(w, id);
		return 0;
	}
	return id;
}

void node_timer_cancel(struct node_ctx *ctx, uint64_t timer)
{
	struct world *w = ctx_world(ctx);
	struct wtimer *t = timer_find(w, timer);
	if (t == NULL)
		return;   /* fired, cancelled, or dropped by a halt */
	assert(t->node == ctx->node);
	sim_cancel(w->kernel, t->handle);   /* false if it fired and waits in the pause FIFO */
	timer_release(w, timer);
}

struct trace_line *node_trace(struct node_ctx *ctx, const char *kind)
{
	struct world *w = ctx_world(ctx);
	return trace_begin(w->trace, ctx->now_us, node_at(w, ctx->node)->name, kind);
}
