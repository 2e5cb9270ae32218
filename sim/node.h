/*
 * node.h — the narrow boundary between the simulated world (sim/) and Kafka's state machines
 * (model/).
 *
 * Every broker, controller and client is a node on its own machine. A model implements
 * `struct node_ops`; the world calls it with a message, a timer, a connection event or a
 * lifecycle change, and the model answers only through the `struct node_ctx` functions
 * (send, connect, close, arm a timer, trace). The model never sees faults: a crash is a
 * `crash` call followed, maybe, by `start`; a cut link is silence; a pause is simply time
 * that the model did not see pass.
 *
 * Network and process semantics are scenario-format section 7 and 11.5:
 *  - each directed link delivers in send order: arrival = max(send + latency + jitter,
 *    previous arrival on the link);
 *  - a message is dropped at arrival if the link is cut then, by a drop draw, or if the
 *    receiver's machine is down; messages sent before a crash still arrive;
 *  - connections: connecting takes a round trip; to a crashed process on a live machine it is
 *    refused after one round trip; across a cut link or to an unpowered machine it fails after
 *    the caller's setup timeout; when a process crashes, its peers' connections to it are
 *    reset one link delay later; closing a connection discards what later arrives for the
 *    closer on it, while what the closer already sent is still delivered;
 *  - a paused node keeps its state; its deliveries and due timers wait and run at the resume
 *    instant in the order they fell due, before any later event;
 *  - a halt (crash, power loss, clean stop) cancels the node's timers and closes its
 *    connections; power loss also tells the model to keep only its durable state.
 */
#ifndef KAFKASIM_NODE_H
#define KAFKASIM_NODE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/prng.h"

enum node_kind {
	NODE_CONTROLLER,
	NODE_BROKER,
	NODE_PRODUCER,
	NODE_CONSUMER,
};

/* A fixed-size message header and body; larger payloads travel as a blob beside it. */
#define NET_MSG_BODY_BYTES 112
struct net_msg {
	uint16_t type;                    /* the model's message type */
	uint16_t flags;
	uint32_t bytes;                   /* simulated size, for traces and sizes; no bandwidth */
	uint64_t corr;                    /* correlation id, the model's to use */
	uint8_t  body[NET_MSG_BODY_BYTES] __attribute__((aligned(8)));
};

enum conn_event {
	CONN_UP,        /* connect completed */
	CONN_REFUSED,   /* crashed process on a live machine: after one round trip */
	CONN_TIMEOUT,   /* silence until the setup timeout */
	CONN_RESET,     /* the peer's process crashed: one link delay after the crash */
};

enum node_action {
	NODE_ACTION_LEAVE,      /* graceful consumer close: finish the batch, commit, LeaveGroup */
	NODE_ACTION_STALL,      /* the record being processed takes arg_us longer (-1: forever) */
	NODE_ACTION_STALL_END,  /* internal: the runner ends a stall it started */
};

enum node_halt {
	HALT_CRASH,
	HALT_POWER_LOSS,
	HALT_CLEAN,
};

/* Connection ids are never reused within a run; 0 is "no connection". */
typedef uint32_t conn_id;

struct node_ctx;

struct node_ops {
	/* Process start at t = 0, or restart after a crash, stop or power loss. */
	void (*start)(void *model, struct node_ctx *ctx);
	/* The process ended now. HALT_POWER_LOSS: the machine lost power too, keep only what was
	 * durable (scenario-format 11.7); HALT_CRASH: the page cache survives; HALT_CLEAN: a
	 * controlled shutdown that flushed everything. No ctx: a dead process acts no more;
	 * now_us is the instant it ended (what was durable then survives a power loss). */
	void (*halt)(void *model, enum node_halt how, int64_t now_us);
	void (*message)(void *model, struct node_ctx *ctx, conn_id conn, const struct net_msg *m,
			const void *blob, uint32_t blob_len);
	void (*conn_event)(void *model, struct node_ctx *ctx, conn_id conn, enum conn_event ev);
	void (*timer)(void *model, struct node_ctx *ctx, uint32_t kind, uint64_t arg);
	/* Optional: a controlled shutdown was asked for (the `stop` fault). The model does its
	 * part (e.g. moves leadership away) and then calls node_stop_self(). NULL: the process
	 * stops at once. */
	void (*shutdown)(void *model, struct node_ctx *ctx);
	/* Optional: a client-level fault (scenario-format 7: `leave`, `stall`). */
	void (*action)(void *model, struct node_ctx *ctx, enum node_action what, int64_t arg_us);
};

/* What a model may read and do while it handles one call. */
struct node_ctx {
	struct world *world;
	uint32_t      node;       /* this node's index */
	int64_t       now_us;     /* simulated time */
	int64_t       wall_ms;    /* this node's wall clock: now + its skew, in ms */
	struct prng  *prng;       /* this node's own stream */
};

/* Opens a connection to node `to` (not itself); its outcome arrives as a conn_event. The
 * target's model first hears of it with its first message. Returns 0 only when the world ran
 * out of memory (the run is then stopped). */
conn_id node_connect(struct node_ctx *ctx, uint32_t to, int64_t setup_timeout_us);
/* Sends on an open connection; a blob (may be NULL) is copied. Returns false if the
 * connection is not open at this end (the caller treats that as a disconnect). */
bool    node_send(struct node_ctx *ctx, conn_id conn, const struct net_msg *m,
		  const void *blob, uint32_t blob_len);
void    node_close(struct node_ctx *ctx, conn_id conn);
/* The node at the other end of a connection; UINT32_MAX once the world has forgotten it
 * (both ends closed). */
uint32_t node_peer(struct node_ctx *ctx, conn_id conn);
/* One-shot timer; cancelled automatically by a crash. Returns an id for node_timer_cancel. */
uint64_t node_timer(struct node_ctx *ctx, int64_t delay_us, uint32_t kind, uint64_t arg);
void    node_timer_cancel(struct node_ctx *ctx, uint64_t timer);
/* Ends this process cleanly (HALT_CLEAN) right after the current call. */
void    node_stop_self(struct node_ctx *ctx);

/* Appends one model event to the trace: node_trace() opens the line with the time, node and
 * kind; add fields with trace_int / trace_str (sim/trace.h); trace_end() closes it. */
struct trace_line *node_trace(struct node_ctx *ctx, const char *kind);

#endif
