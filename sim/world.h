/*
 * world.h — the simulated world: the node table, the kernel's dispatcher, node lifecycles
 * (crash, power loss, stop, restart, pause, resume), clock skew, the node_ctx functions of
 * sim/node.h, the connection protocol over sim/net.h's links, and the trace of every world
 * event. Scenario-format sections 7, 11.1, 11.5 and 11.8.
 *
 * Setup: sim_init(&k, world_dispatch, &w); world_init(&w, &k, &trace, seed, &defaults);
 * world_add_node() for controllers, brokers by id, then clients in file order (node order,
 * 11.1); world_start_all() at t = 0; then sim_run(). The runner schedules its own fault and
 * end events on the same kernel with type WORLD_EV_RUNNER (world_schedule_runner) and gets
 * them back through the handler it registered with world_set_runner_handler().
 *
 * Choices this module makes where the spec is silent (each is the contract):
 *  - Order within one instant: packets (messages, SYN, SYN-ACK, RST) are kernel events of
 *    phase NORMAL, rank 0, so they run in send order; node timers and connection setup
 *    timeouts are phase NORMAL, rank 1 + node index, so simultaneous timers of different
 *    nodes run in node order (11.1) and, at one instant, after the packets landing then.
 *  - Arrival checks run in this order: cut ("cut"), then the drop draw ("drop"), then the
 *    receiver: machine powered off ("down"), process down (a SYN is answered with RST by the
 *    machine; anything else is "down"), paused (deferred), closed receiving end ("closed").
 *  - Connections: a SYN accepted by a live process opens the target end and answers
 *    SYN-ACK; CONN_UP comes to the initiator when that arrives. A SYN reaching a live machine
 *    whose process is down is answered with RST; an RST reaching a CONNECTING end is
 *    CONN_REFUSED, reaching an OPEN end CONN_RESET. The setup timeout is the caller's and
 *    counts from node_connect. Both ends share one conn_id. The target's model hears of a
 *    connection only with its first message (ops->message); a reset of an end whose model
 *    never heard of it closes it silently (traced with "unseen": true).
 *  - Halt (crash, stop, power loss) closes every end of the node. On crash and stop the
 *    machine sends an RST on each connection whose other end is still open (or connecting);
 *    it travels the link like any packet (same delay rule, so it arrives after what the node
 *    sent before halting; it can be cut or dropped, and then the peer hears nothing). Power
 *    loss sends nothing.
 *  - node_close() and CONN_TIMEOUT close only this end; the peer is not told (no FIN).
 *  - Crash of a powered-off machine does nothing; crash with power loss of a crashed or
 *    stopped node cuts its power and calls ops->halt(HALT_POWER_LOSS) again (the model
 *    drops what was not durable). Stop and crash of a paused node halt it; its deferred
 *    events are lost with the process. Pause of a halted or paused node, resume of a
 *    non-paused node, restart of a running (or paused) node do nothing and return false.
 *  - Wall clock: ctx->wall_ms = floor((now_us + skew_us) / 1000), rounding toward negative
 *    infinity, so it is negative near t = 0 with a negative skew.
 *  - Allocation failure on the hot path (a packet, a blob, a timer) is recorded in
 *    world_status(), the kernel is halted, and the operation is dropped.
 */
#ifndef KAFKASIM_WORLD_H
#define KAFKASIM_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/kernel.h"
#include "sim/net.h"
#include "sim/node.h"
#include "sim/prng.h"
#include "sim/trace.h"

/* The kernel event types the world dispatches. */
enum world_event_type {
	WORLD_EV_PACKET       = 1,   /* arg0: packet slot */
	WORLD_EV_TIMER        = 2,   /* arg0: timer id */
	WORLD_EV_CONN_TIMEOUT = 3,   /* arg0: connection slot */
	WORLD_EV_RUNNER       = 4,   /* forwarded to the runner's handler as is */
	WORLD_EV_SELF_STOP    = 5,   /* node: a model finished its controlled shutdown;
				      * arg0: the incarnation that asked */
};

enum world_node_state {
	WORLD_NODE_DOWN,          /* process not running (crashed, stopped, not started) */
	WORLD_NODE_UP,
	WORLD_NODE_PAUSED,
	WORLD_NODE_POWERED_OFF,   /* machine down (power loss) */
};

struct world;
typedef void world_runner_fn(void *ctx, struct world *w, const struct sim_event *ev,
			     struct sim_handle self);

struct world_stats {
	uint64_t sent;             /* data messages handed to a link */
	uint64_t delivered;        /* data messages given to a model */
	uint64_t lost_cut;         /* packets lost to a cut link */
	uint64_t lost_drop;        /* packets lost to a drop draw */
	uint64_t lost_down;        /* packets to a powered-off machine or a halted process */
	uint64_t lost_closed;      /* packets for a closed connection end */
	uint64_t deferred;         /* events held for a paused node */
	uint64_t connects;
	uint64_t timers_fired;
};

struct world_node {
	char                  *name;
	const struct node_ops *ops;
	void                  *model;
	enum node_kind         kind;
	bool                   powered;     /* machine up */
	bool                   running;     /* process up */
	bool                   paused;      /* only while running */
	uint32_t               incarnation; /* bumped at each halt */
	int64_t                skew_us;
	struct prng            prng;        /* PRNG_STREAM_NODE, index = node index */
	uint32_t               defer_head;  /* FIFO of events held while paused */
	uint32_t               defer_tail;
	uint32_t               defer_len;
};

struct world {
	struct sim_kernel *kernel;
	struct trace      *trace;
	uint64_t           root_seed;
	struct net         net;
	struct world_node *nodes;
	uint32_t           node_count;
	uint32_t           node_cap;
	bool               started;
	uint32_t           in_model;    /* depth of model calls: faults may not come from them */
	struct net_pool    timers;
	struct net_pool    deferred;
	const char      *(*msg_name)(uint16_t type);   /* for the trace, or NULL */
	world_runner_fn   *runner;
	void              *runner_ctx;
	int                status;      /* enum net_status: the first hot-path failure */
	struct world_stats stats;
};

/* The kernel dispatcher: give it to sim_init with the world as its context. */
sim_dispatch_fn world_dispatch;

/* Returns 0, or NET_ERR_NOMEM. The kernel must have been given world_dispatch and `w`; the
 * trace may be hash-only (out = NULL) but not NULL. */
int  world_init(struct world *w, struct sim_kernel *k, struct trace *t, uint64_t root_seed,
		const struct net_params *defaults);
void world_free(struct world *w);

/* Adds the next node (before world_start_all); its index is the node order. The name is
 * copied. Returns 0, NET_ERR_NOMEM, or NET_ERR_INVALID past LIMIT_NODES. */
int  world_add_node(struct world *w, enum node_kind kind, const char *name,
		    const struct node_ops *ops, void *model, uint32_t *index);
/* Calls ops->start of every node in node order, at the kernel's current time (t = 0). */
void world_start_all(struct world *w);

void world_set_runner_handler(struct world *w, world_runner_fn *fn, void *ctx);
/* Names message types in the trace (e.g. the model's Kafka API names). */
void world_set_msg_names(struct world *w, const char *(*name)(uint16_t type));
/* A runner event at at_us in phase/rank (kernel.h); `node`, arg0, arg1 are the runner's. */
struct sim_handle world_schedule_runner(struct world *w, int64_t at_us, enum sim_phase phase,
					uint32_t rank, uint32_t node, uint64_t arg0,
					uint64_t arg1);

/* Lifecycle faults; each returns true if it changed something (and traced it). world_stop
 * is the final clean halt: waiting for leadership to move away first is the runner's job. */
bool world_crash(struct world *w, uint32_t node, bool power_loss);
/* A controlled stop: a model with ops->shutdown is asked to shut down and halts (clean)
 * when it calls node_stop_self(); others, and paused nodes, halt cleanly at once. */
bool world_stop(struct world *w, uint32_t node);
bool world_restart(struct world *w, uint32_t node);
bool world_pause(struct world *w, uint32_t node);
bool world_resume(struct world *w, uint32_t node);
/* Calls the node's ops->action (a running, unpaused node with one); returns whether it did. */
bool world_action(struct world *w, uint32_t node, enum node_action what, int64_t arg_us);
/* Sets the node's wall-clock skew; returns the previous one (for the `for:` undo). */
int64_t world_set_skew(struct world *w, uint32_t node, int64_t skew_us);

/* Network faults (traced); see net.h for their rules. */
int  world_partition(struct world *w, const struct net_group *groups, uint32_t ngroups,
		     net_fault_id *id);
int  world_isolate(struct world *w, uint32_t node, net_fault_id *id);
int  world_link(struct world *w, uint32_t from, uint32_t to, const struct net_link_params *p,
		net_fault_id *id);
bool world_undo(struct world *w, net_fault_id id);
void world_heal(struct world *w);

/* Accessors. */
uint32_t              world_node_count(const struct world *w);
const char           *world_node_name(const struct world *w, uint32_t node);
enum node_kind        world_node_kind(const struct world *w, uint32_t node);
enum world_node_state world_node_state(const struct world *w, uint32_t node);
int64_t               world_node_skew(const struct world *w, uint32_t node);
uint32_t              world_node_incarnation(const struct world *w, uint32_t node);
/* The node named `name`, or NET_NONE (a linear scan: for setup, not the hot path). */
uint32_t              world_find_node(const struct world *w, const char *name);
int64_t               world_now_us(const struct world *w);
int                   world_status(const struct world *w);
const struct world_stats *world_stats(const struct world *w);
struct net           *world_net(struct world *w);

#endif
