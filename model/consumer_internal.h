/*
 * consumer_internal.h — the consumer's private types and the functions its files share:
 *   consumer.c          lifecycle (start, crash, restart as a new member), node calls, the
 *                       run loop after every event and its wake timer, small helpers;
 *   consumer_net.c      connections, the request pool, timeouts, message dispatch, metadata;
 *   consumer_group.c    coordinator discovery, JoinGroup / SyncGroup / Heartbeat /
 *                       LeaveGroup, the heartbeat thread, onJoinPrepare and onJoinComplete;
 *   consumer_assign.c   the group leader's assignment;
 *   consumer_offsets.c  OffsetCommit (auto, before a rebalance, commitSync), OffsetFetch,
 *                       positions: reset (ListOffsets) and validation (KIP-320);
 *   consumer_fetch.c    Fetch requests and answers, the fetch buffer, FetchCollector;
 *   consumer_app.c      the application loop of scenario-format 11.4, stall and leave.
 */
#ifndef KAFKASIM_CONSUMER_INTERNAL_H
#define KAFKASIM_CONSUMER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "model/consumer.h"
#include "model/proto.h"
#include "sim/node.h"
#include "sim/prng.h"

#define CONS_NONE UINT32_MAX
/* CommonClientConfigs.RETRY_BACKOFF_JITTER (0.2) as parts per million around 1. */
#define CONS_JITTER_PPM 200000
/* socket.connection.setup.timeout.max.ms default (CommonClientConfigs). */
#define CONS_SETUP_TIMEOUT_MAX_MS 30000
/* KafkaConsumer.DEFAULT_CLOSE_TIMEOUT_MS: close() commits and leaves within it. */
#define CONS_CLOSE_TIMEOUT_MS 30000
/* AbstractCoordinator.JOIN_GROUP_TIMEOUT_LAPSE: the JoinGroup request timeout is the
 * rebalance timeout plus this. */
#define CONS_JOIN_TIMEOUT_LAPSE_MS 5000

enum cons_timer {
	CT_START = 1,          /* start_us reached */
	CT_APP,                /* arg: app_gen; the record being processed completes */
	CT_WAKE,               /* arg: wake_gen; the earliest deadline of the run loop */
	CT_REQ,                /* arg: corr; request.timeout.ms */
};

enum cons_conn_state {
	CCONN_DOWN,
	CCONN_CONNECTING,
	CCONN_READY,
};

/* One connection: slots 0..nbrokers-1 are the brokers, slot nbrokers the coordinator's
 * (Kafka opens a separate one, node id Integer.MAX_VALUE - id). */
struct cons_conn {
	conn_id  id;
	uint8_t  state;                /* enum cons_conn_state */
	bool     fetch_inflight;       /* one fetch per broker (AbstractFetch) */
	bool     fetch_wanted;         /* a fetch waits for this connection */
	uint32_t broker;               /* the broker index it goes to */
	uint32_t inflight;
	uint32_t failed;
	uint32_t setup_failed;
	int64_t  last_attempt_us;
	int64_t  backoff_us;
};

enum cons_req_kind {
	CREQ_METADATA,
	CREQ_FETCH,
	CREQ_LIST_OFFSETS,
	CREQ_EPOCH,                    /* OffsetsForLeaderEpoch */
	CREQ_FIND,
	CREQ_JOIN,
	CREQ_SYNC,
	CREQ_HEARTBEAT,
	CREQ_LEAVE,
	CREQ_COMMIT,
	CREQ_OFFSET_FETCH,
};

enum cons_commit_kind {
	CCOMMIT_AUTO,                  /* the periodic auto-commit (commitAsync) */
	CCOMMIT_JOIN_PREPARE,          /* onJoinPrepare's auto-commit */
	CCOMMIT_SYNC,                  /* commitSync() of the application or close() */
};

enum cons_jp_commit {              /* onJoinPrepare's autoCommitOffsetRequestFuture */
	CJP_NONE,
	CJP_PENDING,
	CJP_DONE,                      /* succeeded, or failed for good: go on */
	CJP_RETRY,                     /* failed with a retriable error: again after a backoff */
};

enum cons_sync_purpose {
	CSP_AFTER,                     /* after-processing: the batch's next offsets */
	CSP_BEFORE,                    /* before-processing: the positions */
	CSP_CLOSE,                     /* close() under auto-commit: the positions */
};

/* One request in flight. */
struct cons_req {
	bool     active;
	uint8_t  kind;                 /* enum cons_req_kind */
	uint8_t  commit_kind;          /* enum cons_commit_kind */
	uint32_t slot;                 /* connection slot */
	conn_id  conn;
	uint64_t corr;
	uint64_t timer;
	uint32_t part;                 /* ListOffsets, OffsetsForLeaderEpoch: local index */
	int64_t  offset;               /* the position validated / the ListOffsets timestamp */
	int32_t  generation;           /* the sentGeneration of coordinator requests */
	struct member_ref member;
	uint32_t next_free;
};

/* An initializing partition's committed offset. */
enum cons_ofetch {
	COF_NEED,                      /* to be asked for */
	COF_INFLIGHT,                  /* in the OffsetFetch under way */
	COF_NONE,                      /* the group has none: reset per auto.offset.reset */
};

/* SubscriptionState.FetchStates, plus the member's own bookkeeping. */
enum cons_fstate {
	FS_UNASSIGNED,
	FS_INITIALIZING,               /* assigned, no position: committed offset wanted */
	FS_AWAIT_RESET,                /* ListOffsets per the reset strategy */
	FS_AWAIT_VALIDATION,           /* OffsetsForLeaderEpoch (KIP-320) */
	FS_FETCHING,
	FS_STUCK,                      /* an exception was raised for it (auto.offset.reset
					* none): unfetchable until assigned again */
};

struct cons_part {
	uint32_t tp;
	int32_t  leader;               /* broker id, -1 none */
	uint32_t leader_b;             /* broker index, CONS_NONE */
	int32_t  leader_epoch;         /* the newest seen, -1 */
	uint8_t  fstate;               /* enum cons_fstate */
	uint8_t  reset;                /* enum consumer_reset of a pending reset */
	bool     pending_revocation;   /* eager onJoinPrepare: no fetches, no records */
	bool     req_inflight;         /* its ListOffsets or OffsetsForLeaderEpoch */
	uint8_t  ofetch;               /* enum cons_ofetch, while FS_INITIALIZING */
	bool     mark;                 /* scratch of cons_assign */
	uint32_t buffered;             /* completed fetches of it in the buffer */
	const char *why;               /* the reset's reason, for the trace */
	int64_t  position;
	int32_t  pos_epoch;            /* offsetEpoch: the last consumed record's, -1 */
	int32_t  pos_leader;           /* FetchPosition.currentLeader */
	int32_t  pos_leader_epoch;
	int64_t  retry_us;             /* its next reset / validation / fetch not before */
	uint64_t fetch_corr;           /* the fetch it is in, 0 none */
	int64_t  fetch_offset;         /* that fetch's offset */
};

/* A completed fetch of one partition: batches fb[first .. first + n), at the next one. */
struct cons_cf {
	uint32_t part;                 /* CONS_NONE: dropped */
	uint32_t first;
	uint32_t n;
	uint32_t at;
	int64_t  next_offset;
	int64_t  limit;                /* the answer's high watermark: nothing at or above */
};

/* A record poll() returned. */
struct cons_rec {
	uint32_t part;
	int32_t  epoch;                /* its batch's partition leader epoch */
	int64_t  offset;
	uint32_t producer;
	uint32_t index;
};

/* ---- consumer.c ------------------------------------------------------------------------ */

void    cons_set_nomem(struct consumer *c);
int64_t cons_us(int64_t ms);
int64_t cons_add_sat(int64_t a, int64_t b);
void    cons_wake_at(int64_t *wake, int64_t t, int64_t now);
/* ExponentialBackoff (KIP-580): initial * 2^attempts, capped, ±20% jitter. */
int64_t cons_backoff_ms(struct prng *r, int64_t initial_ms, int64_t max_ms, uint32_t attempts);
int64_t cons_retry_backoff_us(struct consumer *c, struct node_ctx *ctx, uint32_t attempts);
bool    cons_u32v_reserve(struct consumer *c, struct cons_u32v *v, uint32_t need);
bool    cons_u32v_push(struct consumer *c, struct cons_u32v *v, uint32_t x);
bool    cons_u32v_has(const struct cons_u32v *v, uint32_t x);
void    cons_u32v_sort(struct cons_u32v *v);
/* "<client.id>-<uuid>" into buf (at least 300 bytes); returns buf. */
char   *cons_member_text(const struct consumer *c, const struct member_ref *m, char *buf,
			 size_t cap);
/* A JSON array of partition names, cut to fit a trace line. */
char   *cons_tps_json(const struct consumer *c, const uint32_t *tps, uint32_t n, char *buf,
		      size_t cap);
void    cons_count_exception(struct consumer *c, struct node_ctx *ctx,
			     enum consumer_exception e, uint32_t part);
/* Runs every thread's step after an event, then arms the wake timer. */
void    cons_run(struct consumer *c, struct node_ctx *ctx);
uint32_t cons_part_of(const struct consumer *c, uint32_t tp);

/* ---- consumer_net.c -------------------------------------------------------------------- */

void     cons_net_reset(struct consumer *c);
/* True when connection slot s is ready; otherwise starts a connection when allowed and
 * adds its backoff's end to *wake. */
bool     cons_conn_use(struct consumer *c, struct node_ctx *ctx, uint32_t s, int64_t *wake);
void     cons_conn_close(struct consumer *c, struct node_ctx *ctx, uint32_t s, bool backoff);
uint32_t cons_least_loaded(struct consumer *c, struct node_ctx *ctx, int64_t *wake);
uint32_t cons_broker_index(const struct consumer *c, int32_t broker_id);
/* A request slot; CONS_NONE when memory ran out. */
uint32_t cons_req_new(struct consumer *c, uint8_t kind, uint32_t slot);
/* The correlation id cons_req_send will give request id. */
uint64_t cons_req_next_corr(const struct consumer *c, uint32_t id);
/* Sends request id on its connection with the given timeout. False when the connection
 * was found closed: the request then failed through its handler already. */
bool     cons_req_send(struct consumer *c, struct node_ctx *ctx, uint32_t id, struct net_msg *m,
		       const void *blob, uint32_t len, int64_t timeout_us);
void    *cons_blob(struct consumer *c, uint32_t bytes);
void     cons_on_message(struct consumer *c, struct node_ctx *ctx, conn_id conn,
			 const struct net_msg *m, const void *blob, uint32_t len);
void     cons_on_conn_event(struct consumer *c, struct node_ctx *ctx, conn_id conn,
			    enum conn_event ev);
void     cons_on_req_timeout(struct consumer *c, struct node_ctx *ctx, uint64_t corr);
void     cons_md_step(struct consumer *c, struct node_ctx *ctx, int64_t *wake);

/* A request ended: m is the answer, or NULL when it failed with err (the connection
 * dropped or timed out). */
typedef void cons_done_fn(struct consumer *c, struct node_ctx *ctx, const struct cons_req *r,
			  const struct net_msg *m, const void *blob, uint32_t len, int16_t err);
cons_done_fn cons_md_done, cons_fetch_done, cons_list_offsets_done, cons_epoch_done,
	cons_find_done, cons_join_done, cons_sync_done, cons_hb_done, cons_leave_done,
	cons_commit_done, cons_ofetch_done;

/* ---- consumer_group.c ------------------------------------------------------------------ */

void cons_group_reset(struct consumer *c);
/* The heartbeat thread's step. */
void cons_hb_step(struct consumer *c, struct node_ctx *ctx, int64_t *wake);
/* coordinator.poll(timer 0, waitForJoinGroup false): true when the group needs nothing. */
bool cons_group_poll(struct consumer *c, struct node_ctx *ctx, int64_t *wake);
bool cons_coord_known(const struct consumer *c);
bool cons_coord_ready(struct consumer *c, struct node_ctx *ctx, int64_t *wake);
void cons_coord_lookup(struct consumer *c, struct node_ctx *ctx, int64_t *wake);
void cons_mark_coord_unknown(struct consumer *c, struct node_ctx *ctx, bool disconnected,
			     const char *why);
void cons_request_rejoin(struct consumer *c);
void cons_reset_generation(struct consumer *c, bool reset_member, const char *why,
			   struct node_ctx *ctx);
void cons_maybe_leave_group(struct consumer *c, struct node_ctx *ctx, const char *why);
/* The partition is in the member's assignment (SubscriptionState.assignedPartitions). */
bool cons_owns(const struct consumer *c, uint32_t part);
/* SubscriptionState.assignFromSubscribed: the new assignment (tps, sorted). */
void cons_assign(struct consumer *c, const uint32_t *tps, uint32_t n);
void cons_heartbeat_enable(struct consumer *c, struct node_ctx *ctx);

/* ---- consumer_assign.c ----------------------------------------------------------------- */

/* The leader runs the generation's assignor on the JoinGroup answer's members and writes
 * the SyncGroup blob into c->blob; returns its length, *n_out the assignments in it. */
uint32_t cons_leader_assign(struct consumer *c, struct node_ctx *ctx,
			    const struct join_group_resp *resp, const uint8_t *blob, uint32_t len,
			    uint32_t *n_out);

/* ---- consumer_offsets.c ---------------------------------------------------------------- */

/* SubscriptionState.allConsumed into c->cs_offs style arrays: returns the count. */
uint32_t cons_all_consumed(struct consumer *c, struct commit_part **out);
/* Sends an OffsetCommit; returns false with *err (the exception's error) when Kafka fails
 * it locally (generationIfStable() is null). */
bool cons_commit_send(struct consumer *c, struct node_ctx *ctx, uint8_t kind,
		      const struct commit_part *offs, uint32_t n, int16_t *err);
void cons_maybe_auto_commit(struct consumer *c, struct node_ctx *ctx, int64_t *wake);
/* Starts commitSync() of offs (copied) for the application. */
void cons_commit_sync_start(struct consumer *c, struct node_ctx *ctx, uint8_t purpose,
			    const struct commit_part *offs, uint32_t n);
/* Steps commitSync() (retries, coordinator lookup, the timeout). */
void cons_commit_sync_step(struct consumer *c, struct node_ctx *ctx, int64_t *wake);
/* commitSync() returned (ok) or threw (already counted and traced). */
void cons_app_commit_done(struct consumer *c, struct node_ctx *ctx, bool ok);
/* updateFetchPositions: validation, committed offsets, resets. */
void cons_update_positions(struct consumer *c, struct node_ctx *ctx, int64_t *wake);
void cons_request_reset(struct consumer *c, uint32_t part, const char *why);
/* KIP-320 on a metadata change: validate a position whose leader changed. */
void cons_maybe_validate(struct consumer *c, uint32_t part);

/* ---- consumer_fetch.c ------------------------------------------------------------------ */

void     cons_fetch_reset(struct consumer *c);
void     cons_send_fetches(struct consumer *c, struct node_ctx *ctx, int64_t *wake);
void     cons_fetch_unsent(struct consumer *c, struct node_ctx *ctx);
/* FetchCollector.collectFetch: up to max.poll.records into c->batch. */
uint32_t cons_collect(struct consumer *c, struct node_ctx *ctx);
/* Drops buffered data of a partition (no longer assigned or repositioned). */
void     cons_drop_buffered(struct consumer *c, uint32_t part);

/* ---- consumer_app.c -------------------------------------------------------------------- */

void cons_app_reset(struct consumer *c);
void cons_app_begin(struct consumer *c, struct node_ctx *ctx);
/* The application thread's step (poll loop, commitSync waits). */
void cons_app_step(struct consumer *c, struct node_ctx *ctx, int64_t *wake);
void cons_app_timer(struct consumer *c, struct node_ctx *ctx);
void cons_app_action(struct consumer *c, struct node_ctx *ctx, enum node_action what,
		     int64_t arg_us);
/* The application thread is in poll() and not stalled (it polls the network itself). */
bool cons_app_polling(const struct consumer *c);

#endif
