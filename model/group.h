/*
 * group.h — the broker's classic group coordinator (GroupCoordinator / ClassicGroup,
 * GroupMetadataManager): membership, generations, the JoinGroup / SyncGroup barrier,
 * heartbeats and session expiry, LeaveGroup, and committed offsets stored in the
 * replicated __consumer_offsets partition the broker leads.
 */
#ifndef KAFKASIM_GROUP_H
#define KAFKASIM_GROUP_H

#include <stdbool.h>
#include <stdint.h>

#include "model/proto.h"
#include "sim/node.h"

enum group_phase {
	GROUP_EMPTY,
	GROUP_PREPARING_REBALANCE,
	GROUP_COMPLETING_REBALANCE,
	GROUP_STABLE,
};

struct group_member {
	struct member_ref id;
	bool     live;
	bool     join_pending;      /* a JoinGroup waits for the rebalance to complete */
	conn_id  join_conn;
	uint64_t join_corr;
	bool     sync_pending;
	conn_id  sync_conn;
	uint64_t sync_corr;
	int32_t  session_timeout_ms;
	int32_t  rebalance_timeout_ms;
	int32_t  last_generation;
	uint8_t  protocols[4];
	uint32_t *topics;           /* subscription */
	uint32_t n_topics, topics_cap;
	uint32_t *owned;
	uint32_t n_owned, owned_cap;
	uint32_t *assigned;         /* this generation's assignment */
	uint32_t n_assigned, assigned_cap;
	int64_t  last_heard_us;
	uint64_t session_timer;
	uint64_t join_seq;          /* order of joining (the first live one leads) */
};

struct group_offset {
	int64_t offset;             /* -1: none */
	int32_t leader_epoch;
};

struct pending_commit {
	bool     live;
	conn_id  conn;
	uint64_t corr;
	int64_t  required_offset;   /* the LEO after the append: done when the HW passes it */
	uint64_t timer;
	uint32_t n;
	uint32_t first;             /* its commits in the commit store */
	uint32_t group;
};

struct group_state {
	bool     loaded;            /* this broker coordinates the group now */
	enum group_phase phase;
	int32_t  generation;
	uint8_t  protocol;
	struct member_ref leader;
	bool     has_leader;
	struct group_member *members;
	uint32_t n_members, members_cap;
	uint64_t join_seq;
	uint64_t rebalance_timer;
	bool     rebalance_armed;
	bool     initial_delay;     /* InitialDelayedJoin of a new, empty group */
	bool     new_member;        /* a member joined during the current delay */
	int64_t  initial_deadline_us;
	struct group_offset *offsets;   /* [cluster nparts] */
	uint64_t rebalances;        /* generations whose SyncGroup completed, here */
};

struct broker;

int  group_init(struct broker *b);
void group_free(struct broker *b);
/* The process died: every group unloads (volatile state is lost). */
void group_reset(struct broker *b);
/* The broker became (or stopped being) leader of offsets partition tp. */
void group_partition_led(struct broker *b, struct node_ctx *ctx, uint32_t tp, bool leader);
/* The HW of tp moved: complete the offset commits it covers. */
void group_hw_moved(struct broker *b, struct node_ctx *ctx, uint32_t tp);
/* Requests. */
void group_handle(struct broker *b, struct node_ctx *ctx, conn_id conn,
		  const struct net_msg *m, const void *blob, uint32_t len);
/* Timers: kind is BT_GROUP_*, arg encodes the group and member. */
void group_timer(struct broker *b, struct node_ctx *ctx, uint32_t kind, uint64_t arg);
/* A client connection went away. */
void group_drop_conn(struct broker *b, conn_id conn);
/* The committed offset of group g for tp here, -1 if none or not coordinating. */
int64_t group_committed(const struct broker *b, uint32_t g, uint32_t tp);

#endif
