/*
 * broker_internal.h — what the broker's files (broker.c: lifecycle and metadata;
 * replica.c: produce, fetch, HW, ISR; fetcher.c: follower fetchers) share.
 */
#ifndef KAFKASIM_BROKER_INTERNAL_H
#define KAFKASIM_BROKER_INTERNAL_H

#include "model/broker.h"
#include "model/proto.h"

enum broker_timer {
	BT_HEARTBEAT = 1,
	BT_REQUEST_TIMEOUT,
	BT_RECONNECT,
	BT_MD_TIMEOUT,
	BT_MD_RECONNECT,
	BT_ISR_SHRINK,
	BT_HW_CHECKPOINT,
	BT_RETENTION,
	BT_SHUTDOWN_DEADLINE,
	BT_DP_TIMEOUT,          /* arg: delayed produce slot */
	BT_DF_TIMEOUT,          /* arg: delayed fetch slot */
	BT_FETCH_TIMEOUT,       /* arg: leader broker index */
	BT_FETCH_BACKOFF,       /* arg: leader broker index */
	BT_AP_TIMEOUT,          /* arg: tp */
	BT_AP_RECONNECT,
	BT_GROUP_SESSION,       /* arg: group << 32 | member slot */
	BT_GROUP_REBALANCE,     /* arg: group */
	BT_GROUP_COMMIT,        /* arg: pending commit slot */
};

static inline int32_t broker_my_id(const struct broker *b)
{
	return b->cfg->broker_id;
}

static inline int64_t broker_now_ms(const struct node_ctx *ctx)
{
	return ctx->wall_ms;
}

/* Grows *p (elements of `elem` bytes) to hold `need`; false when memory ran out. */
bool broker_grow(void **p, uint32_t *cap, uint32_t need, size_t elem);
/* A scratch buffer of at least `bytes`, or NULL. */
uint8_t *broker_scratch(struct broker *b, uint32_t bytes);
void broker_reply(struct node_ctx *ctx, conn_id conn, uint64_t corr, struct net_msg *m,
		  const void *blob, uint32_t len);

/* replica.c */
void repl_produce(struct broker *b, struct node_ctx *ctx, conn_id conn, const struct net_msg *m,
		  const void *blob, uint32_t len);
void repl_fetch(struct broker *b, struct node_ctx *ctx, conn_id conn, const struct net_msg *m,
		const void *blob, uint32_t len);
void repl_make_leader(struct broker *b, struct node_ctx *ctx, struct replica *r,
		      const struct md_part_state *p);
void repl_make_follower(struct broker *b, struct node_ctx *ctx, struct replica *r,
			const struct md_part_state *p);
void repl_update_isr(struct broker *b, struct node_ctx *ctx, struct replica *r,
		     const int32_t *isr, uint32_t n, int32_t partition_epoch);
void repl_maybe_increment_hw(struct broker *b, struct node_ctx *ctx, struct replica *r);
void repl_isr_shrink_check(struct broker *b, struct node_ctx *ctx);
void repl_on_alter_resp(struct broker *b, struct node_ctx *ctx, const struct net_msg *m,
			const void *blob, uint32_t len);
void repl_alter_failed(struct broker *b, uint32_t tp);
void ap_connect(struct broker *b, struct node_ctx *ctx);
void repl_dp_timeout(struct broker *b, struct node_ctx *ctx, uint32_t slot);
void repl_df_timeout(struct broker *b, struct node_ctx *ctx, uint32_t slot);
void repl_wake_fetches(struct broker *b, struct node_ctx *ctx, uint32_t tp);
void repl_drop_conn(struct broker *b, struct node_ctx *ctx, conn_id conn);
void repl_list_offsets(struct broker *b, struct node_ctx *ctx, conn_id conn,
		       const struct net_msg *m);
void repl_offsets_for_epoch(struct broker *b, struct node_ctx *ctx, conn_id conn,
			    const struct net_msg *m);
void repl_reset(struct broker *b);

/* An append by the broker itself as leader (offset commits): like a produce with acks=all
 * but without the client checks. Returns a Kafka error; *base and *end get the offsets. */
int16_t repl_append_internal(struct broker *b, struct node_ctx *ctx, uint32_t tp,
			     struct plog_batch *batch, int64_t *end);

/* fetcher.c */
void fetcher_kick(struct broker *b, struct node_ctx *ctx, int32_t leader_id);
void fetcher_kick_all(struct broker *b, struct node_ctx *ctx);
bool fetcher_owns_conn(const struct broker *b, conn_id conn, uint32_t *leader_index);
void fetcher_on_conn_event(struct broker *b, struct node_ctx *ctx, uint32_t li,
			   enum conn_event ev);
void fetcher_on_resp(struct broker *b, struct node_ctx *ctx, uint32_t li,
		     const struct net_msg *m, const void *blob, uint32_t len);
void fetcher_timeout(struct broker *b, struct node_ctx *ctx, uint32_t li, uint64_t corr);
void fetcher_backoff_done(struct broker *b, struct node_ctx *ctx, uint32_t li);
void fetcher_reset(struct broker *b);

#endif
