/*
 * net.h — the simulated network's state: directed links and their delivery rule, the active
 * fault rules (cuts and link overrides), packets on the wire with their blobs, and the
 * connection table. Scenario-format section 7 and 11.5.
 *
 * This module is pure data: it never schedules, traces or calls a model. The world
 * (sim/world.c) drives it: it asks for a packet's arrival time at send, for the arrival
 * verdict (cut / drop draw) when the packet lands, and keeps the connection ends' states here.
 *
 * Rules this module decides (section 7):
 *  - one directed link per (from, to), created on first use; arrival = max(send + latency +
 *    jitter draw, previous arrival on the link), so a link never reorders;
 *  - the jitter draw is prng_range(0, jitter) from the link's own stream
 *    prng_child(root, PRNG_STREAM_NETWORK, (from << 32) | to); no draw when jitter is 0;
 *  - at arrival: lost if any active fault cuts the link ("cut"); else, with the effective drop
 *    ratio d, lost if d = PRNG_RATIO_ONE, kept if d = 0, else one prng_chance(d) draw from the
 *    link's stream ("drop");
 *  - default latency is `client_latency_us` when either end is a client (producer/consumer),
 *    else `latency_us`; jitter and drop are the same for every link;
 *  - a link fault overrides one direction field by field: for each of latency, jitter and
 *    drop the most recent active link fault on that direction that sets the field wins,
 *    unset fields (NET_KEEP) fall through to older faults, then to the defaults; a link fault
 *    with drop = PRNG_RATIO_ONE also cuts the direction (reason "cut");
 *  - a link is cut while at least one active fault cuts it; undo removes exactly one fault's
 *    rule; heal removes every rule.
 *
 * Links live in an open-addressing hash map keyed by (from, to); its iteration order is never
 * used. Packets, connections and other records live in chunked pools (stable addresses, a free
 * index stack): nothing is allocated per message once warm. Blobs use power-of-two size
 * classes with free lists.
 */
#ifndef KAFKASIM_NET_H
#define KAFKASIM_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/kernel.h"
#include "sim/node.h"
#include "sim/prng.h"

#define NET_NONE UINT32_MAX       /* "no index" for links, packets, connections, pool slots */
#define NET_KEEP INT64_C(-1)      /* a link fault field that keeps the default */

enum net_status {
	NET_OK          = 0,
	NET_ERR_NOMEM   = -1,   /* memory could not be had */
	NET_ERR_INVALID = -2,   /* bad arguments: a node listed twice, fewer than two groups */
};

/* The cluster's network values (scenario `cluster.network`). */
struct net_params {
	int64_t  latency_us;          /* one-way delay on every link */
	int64_t  client_latency_us;   /* links with a producer or consumer at either end */
	int64_t  jitter_us;           /* uniform extra delay in [0, jitter_us] */
	uint64_t drop_ratio;          /* out of PRNG_RATIO_ONE */
};

/* A `link` fault's replacement values for one direction; NET_KEEP keeps the default. */
struct net_link_params {
	int64_t latency_us;
	int64_t jitter_us;
	int64_t drop_ratio;           /* 0..PRNG_RATIO_ONE; PRNG_RATIO_ONE cuts the direction */
};

/* One group of a partition fault. */
struct net_group {
	const uint32_t *nodes;
	uint32_t        count;
};

/* Ids of active faults, for undo; never reused within a run; 0 is "none". */
typedef uint32_t net_fault_id;

enum net_verdict {
	NET_PASS,
	NET_LOST_CUT,    /* an active fault cuts the link */
	NET_LOST_DROP,   /* the drop ratio (a draw, or drop = 1 from the defaults) */
};

/* ---- chunked pools: fixed-size records with stable addresses ---------------------------- */

struct net_pool {
	char     **chunks;
	uint32_t   nchunks;
	uint32_t   elem_size;
	uint32_t   fresh;         /* slots ever handed out */
	uint32_t   live;
	uint32_t  *free_idx;      /* stack of freed slots */
	uint32_t   free_len;
	uint32_t   free_cap;
};

void     net_pool_init(struct net_pool *p, uint32_t elem_size);
void     net_pool_free(struct net_pool *p);
/* A slot, or NET_NONE when memory could not be had. A fresh slot is zeroed; a reused one
 * keeps what its last user left (so a record can keep a generation count across uses). */
uint32_t net_pool_alloc(struct net_pool *p);
void     net_pool_release(struct net_pool *p, uint32_t slot);
void    *net_pool_at(const struct net_pool *p, uint32_t slot);

/* ---- packets ---------------------------------------------------------------------------- */

enum net_pkt_kind {
	NET_PKT_DATA,     /* a model message on an open connection */
	NET_PKT_SYN,      /* connect request */
	NET_PKT_SYNACK,   /* the target's process accepted */
	NET_PKT_RST,      /* refusal (process down) or reset (process halted) */
};

struct net_packet {
	struct net_msg msg;       /* NET_PKT_DATA only */
	void          *blob;      /* NULL, or a pool buffer of at least blob_len bytes */
	uint32_t       blob_len;
	uint32_t       link;      /* the link index it travels on */
	uint32_t       from;
	uint32_t       to;
	uint32_t       conn;      /* connection slot */
	uint8_t        kind;      /* enum net_pkt_kind */
	uint8_t        side;      /* the receiving end of the connection: 0 initiator, 1 target */
};

/* ---- connections -------------------------------------------------------------------------- */

enum net_end_state {
	NET_END_NONE,         /* target end before the SYN was accepted */
	NET_END_CONNECTING,   /* initiator end before SYN-ACK, RST or the setup timeout */
	NET_END_OPEN,
	NET_END_CLOSED,
};

/* A connection: end 0 is the initiator's, end 1 the target's. One id names both ends. */
struct net_conn {
	conn_id           id;
	uint32_t          node[2];
	uint8_t           state[2];    /* enum net_end_state */
	bool              known[2];    /* that end's model has been told the id */
	uint32_t          inflight;    /* packets and timeout events that refer to this slot */
	struct sim_handle timeout;     /* the initiator's setup timeout while CONNECTING */
	uint32_t          prev[2];     /* end refs (slot * 2 + side) in the node's end list */
	uint32_t          next[2];
};

/* ---- the network ------------------------------------------------------------------------ */

struct net_link;
struct net_rule;
struct net_conn_entry;

struct net {
	uint64_t               root_seed;
	struct net_params      defaults;
	/* links: a dense array plus an open-addressing index keyed by (from, to) */
	struct net_link       *links;
	uint32_t               link_count;
	uint32_t               link_cap;
	uint32_t              *link_index;    /* link + 1; 0 = empty */
	uint32_t               link_mask;
	/* active fault rules, oldest first */
	struct net_rule       *rules;
	uint32_t               rule_count;
	uint32_t               rule_cap;
	net_fault_id           next_fault;
	/* per node */
	bool                  *client;
	uint32_t              *end_head;      /* oldest open or connecting end, NET_NONE if none */
	uint32_t              *end_tail;
	uint32_t               node_count;
	uint32_t               node_cap;
	/* packets and blobs */
	struct net_pool        packets;
	void                  *blob_free[26]; /* class c holds buffers of 64 << c bytes */
	/* connections: slots in a pool, ids in an open-addressing map */
	struct net_pool        conns;
	struct net_conn_entry *conn_index;
	uint32_t               conn_mask;
	uint32_t               conn_index_len;
	conn_id                next_conn;
};

int  net_init(struct net *n, uint64_t root_seed, const struct net_params *defaults);
void net_free(struct net *n);
/* Registers the next node (indices 0, 1, ...); clients get `client_latency_us`. */
int  net_add_node(struct net *n, bool client);

/* ---- links -------------------------------------------------------------------------------- */

/* The link from -> to, created on first use; NET_NONE when memory could not be had. */
uint32_t net_link(struct net *n, uint32_t from, uint32_t to);
/* Arrival time of a packet sent now on `link`: draws jitter, advances the link's FIFO floor. */
int64_t  net_link_arrival(struct net *n, uint32_t link, int64_t now_us);
/* The verdict for a packet landing now on `link`: cut, then one drop draw if 0 < d < 1. */
enum net_verdict net_link_verdict(struct net *n, uint32_t link);
/* The effective one-way values of from -> to under the active faults. */
int64_t  net_latency_us(const struct net *n, uint32_t from, uint32_t to);
int64_t  net_jitter_us(const struct net *n, uint32_t from, uint32_t to);
uint64_t net_drop_ratio(const struct net *n, uint32_t from, uint32_t to);
bool     net_is_cut(const struct net *n, uint32_t from, uint32_t to);

/* ---- faults ------------------------------------------------------------------------------- */

/* Cuts every link between nodes of different listed groups, both ways. */
int  net_partition(struct net *n, const struct net_group *groups, uint32_t ngroups,
		   net_fault_id *id);
/* Cuts every link between `node` and every other node, both ways. */
int  net_isolate(struct net *n, uint32_t node, net_fault_id *id);
/* Overrides from -> to (one direction); drop = PRNG_RATIO_ONE cuts it. */
int  net_link_fault(struct net *n, uint32_t from, uint32_t to, const struct net_link_params *p,
		    net_fault_id *id);
/* Removes exactly the rule of fault `id`; false if it is not active. */
bool net_undo(struct net *n, net_fault_id id);
/* Removes every rule. */
void net_heal(struct net *n);
uint32_t net_active_faults(const struct net *n);

/* ---- packets and blobs -------------------------------------------------------------------- */

/* A new packet with kind, ends, link and connection set; NET_NONE when out of memory. The
 * connection's inflight count is raised. */
uint32_t net_packet_new(struct net *n, enum net_pkt_kind kind, uint32_t link, uint32_t conn,
			uint8_t side);
struct net_packet *net_packet_at(const struct net *n, uint32_t pkt);
/* Copies a blob into the packet (pooled buffer). */
int  net_packet_set_blob(struct net *n, uint32_t pkt, const void *blob, uint32_t len);
/* Returns the blob to its pool and the slot to the packet pool, and lowers the connection's
 * inflight count (which may free the connection). */
void net_packet_free(struct net *n, uint32_t pkt);

/* ---- connections -------------------------------------------------------------------------- */

/* A new connection from -> to with the initiator end CONNECTING; NET_NONE if out of memory. */
uint32_t net_conn_new(struct net *n, uint32_t from, uint32_t to);
/* The slot of connection `id`, or NET_NONE once it is freed (or never existed). */
uint32_t net_conn_find(const struct net *n, conn_id id);
struct net_conn *net_conn_at(const struct net *n, uint32_t slot);
/* Which end of `slot` belongs to `node`. */
uint8_t  net_conn_side(const struct net *n, uint32_t slot, uint32_t node);
/* Moves an end to a new state; open and connecting ends are kept in their node's end list. */
void net_conn_set_state(struct net *n, uint32_t slot, uint8_t side, enum net_end_state st);
/* Raises / lowers the inflight count (a pending timeout event counts as one). */
void net_conn_hold(struct net *n, uint32_t slot);
void net_conn_release(struct net *n, uint32_t slot);
/* The oldest open or connecting end of `node` (slot * 2 + side), or NET_NONE. */
uint32_t net_node_first_end(const struct net *n, uint32_t node);
/* Connections currently allocated (for tests and the run summary). */
uint32_t net_conn_live(const struct net *n);

#endif
