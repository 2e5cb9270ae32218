/*
 * fetcher.c — a follower's replica fetchers (AbstractFetcherThread, ReplicaFetcherThread):
 * one connection and one fetch in flight per leader broker, carrying every partition this
 * broker follows there; appending what comes back, adopting the leader's HW and log start,
 * and truncating where the leader says the logs diverge (KIP-101, KIP-279, Kafka 2.7+
 * divergingEpoch) or, under sim.truncation: high-watermark, where offsets run out of range.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "model/broker_internal.h"
#include "model/text.h"
#include "sim/trace.h"

/* replica.socket.timeout.ms (ReplicationConfigs, 30000): how long a fetch may take. */
#define REPLICA_SOCKET_TIMEOUT_MS 30000

void fetcher_reset(struct broker *b)
{
	for (uint32_t i = 0; i < b->cluster->brokers; i++)
		b->fetchers[i] = (struct fetcher){0};
}

bool fetcher_owns_conn(const struct broker *b, conn_id conn, uint32_t *leader_index)
{
	if (conn == 0)
		return false;
	for (uint32_t i = 0; i < b->cluster->brokers; i++)
		if (b->fetchers[i].conn == conn) {
			*leader_index = i;
			return true;
		}
	return false;
}

static bool fetchable(const struct replica *r, int32_t leader_id, int64_t now_us)
{
	return r->hosted && r->fetch_ready && !r->is_leader && r->leader == leader_id &&
	       r->fetch_backoff_until_us <= now_us;
}

static void close_fetcher(struct broker *b, struct node_ctx *ctx, uint32_t li, bool backoff)
{
	struct fetcher *f = &b->fetchers[li];
	if (f->in_flight)
		node_timer_cancel(ctx, f->timeout_timer);
	if (f->conn != 0)
		node_close(ctx, f->conn);
	*f = (struct fetcher){0};
	if (backoff) {
		f->backoff = true;
		node_timer(ctx, ms_to_us(b->cfg->replica_fetch_backoff_ms), BT_FETCH_BACKOFF, li);
	}
}

void fetcher_kick(struct broker *b, struct node_ctx *ctx, int32_t leader_id)
{
	int li = md_broker_index(b->cluster, leader_id);
	if (li < 0 || leader_id == broker_my_id(b))
		return;
	struct fetcher *f = &b->fetchers[li];
	if (f->in_flight || f->backoff || f->connecting)
		return;
	uint32_t n = 0;
	for (uint32_t tp = 0; tp < b->cluster->nparts; tp++)
		n += fetchable(&b->replicas[tp], leader_id, ctx->now_us);
	if (n == 0)
		return;
	if (!f->up) {
		f->connecting = true;
		f->conn = node_connect(ctx, b->cluster->broker_node0 + (uint32_t)li,
				       ms_to_us(b->cfg->socket_connection_setup_timeout_ms));
		return;
	}
	struct fetch_part *parts = (struct fetch_part *)broker_scratch(
		b, n * (uint32_t)sizeof(*parts));
	if (parts == NULL) {
		b->oom = true;
		return;
	}
	uint32_t k = 0;
	for (uint32_t tp = 0; tp < b->cluster->nparts; tp++) {
		const struct replica *r = &b->replicas[tp];
		if (!fetchable(r, leader_id, ctx->now_us))
			continue;
		parts[k++] = (struct fetch_part){
			.tp = tp, .current_leader_epoch = r->leader_epoch,
			.fetch_offset = plog_leo(&r->log),
			.last_fetched_epoch = b->cfg->truncation == TRUNCATE_LEADER_EPOCH
				? plog_last_fetched_epoch(&r->log) : -1,
			.partition_max_bytes = (int32_t)b->cfg->replica_fetch_max_bytes,
			.log_start_offset = plog_log_start(&r->log),
		};
	}
	struct fetch_req q = {
		.replica_id = broker_my_id(b), .max_wait_ms = (int32_t)b->cfg->replica_fetch_wait_max_ms,
		.broker_epoch = b->broker_epoch, .min_bytes = (int32_t)b->cfg->replica_fetch_min_bytes,
		.max_bytes = (int32_t)b->cfg->replica_fetch_max_bytes, .count = n,
	};
	struct net_msg m;
	PROTO_PUT(&m, MSG_FETCH, q);
	m.corr = ++b->next_corr;
	m.bytes = 64 + n * 32;
	if (!node_send(ctx, f->conn, &m, parts, n * (uint32_t)sizeof(*parts))) {
		close_fetcher(b, ctx, (uint32_t)li, true);
		return;
	}
	f->in_flight = true;
	f->corr = m.corr;
	f->timeout_timer = node_timer(ctx, ms_to_us(REPLICA_SOCKET_TIMEOUT_MS +
						    b->cfg->replica_fetch_wait_max_ms),
				      BT_FETCH_TIMEOUT, (uint64_t)li);
}

void fetcher_kick_all(struct broker *b, struct node_ctx *ctx)
{
	for (uint32_t i = 0; i < b->cluster->brokers; i++)
		fetcher_kick(b, ctx, b->cluster->broker_ids[i]);
}

void fetcher_on_conn_event(struct broker *b, struct node_ctx *ctx, uint32_t li,
			   enum conn_event ev)
{
	struct fetcher *f = &b->fetchers[li];
	if (ev == CONN_UP) {
		f->connecting = false;
		f->up = true;
		fetcher_kick(b, ctx, b->cluster->broker_ids[li]);
		return;
	}
	close_fetcher(b, ctx, li, true);
}

void fetcher_timeout(struct broker *b, struct node_ctx *ctx, uint32_t li, uint64_t corr)
{
	(void)corr;
	if (b->fetchers[li].in_flight)
		close_fetcher(b, ctx, li, true);
}

void fetcher_backoff_done(struct broker *b, struct node_ctx *ctx, uint32_t li)
{
	b->fetchers[li].backoff = false;
	fetcher_kick(b, ctx, b->cluster->broker_ids[li]);
}

static void rebuild_pstate(struct broker *b, struct replica *r)
{
	uint32_t n;
	const struct plog_batch *bs = plog_batches(&r->log, &n);
	if (pstate_rebuild(&r->ps, bs, n) != KERR_NONE)
		b->oom = true;
}

static void trace_truncate(struct broker *b, struct node_ctx *ctx, const struct replica *r,
			   int64_t from, const char *why)
{
	char name[300];
	struct trace_line *l = node_trace(ctx, "truncate");
	trace_str(l, "partition", text_tp(b->cluster, r->tp, name, sizeof(name)));
	trace_int(l, "from_leo", from);
	trace_int(l, "to", plog_leo(&r->log));
	trace_str(l, "why", why);
	trace_end(l);
}

/* Appends the batches a leader sent; the follower's HW becomes min(leader HW, own LEO)
 * and its log start follows the leader's (ReplicaFetcherThread.processPartitionData). */
static void append_batches(struct broker *b, struct node_ctx *ctx, struct replica *r,
			   const struct fetch_part_resp *pr, const struct plog_batch *batches)
{
	int64_t now_ms = broker_now_ms(ctx);
	for (uint32_t i = 0; i < pr->batch_count; i++) {
		struct plog_batch bt;
		memcpy(&bt, &batches[pr->batch_first + i], sizeof(bt));
		if (bt.base_offset != plog_leo(&r->log))
			break;   /* not contiguous (a diverged log): the next fetch sorts it out */
		int rc = plog_append_as_follower(&r->log, &bt, now_ms, ctx->now_us);
		if (rc != KERR_NONE) {
			if (rc == PLOG_NOMEM)
				b->oom = true;
			break;
		}
		if (pstate_apply_batch(&r->ps, &bt) != KERR_NONE)
			b->oom = true;
	}
	int64_t hw = pr->high_watermark;
	if (hw > plog_leo(&r->log))
		hw = plog_leo(&r->log);
	if (pr->log_start_offset > plog_log_start(&r->log) && pr->log_start_offset <= hw)
		(void)plog_advance_log_start(&r->log, pr->log_start_offset);
	if (hw < plog_log_start(&r->log))
		hw = plog_log_start(&r->log);
	plog_set_hw(&r->log, hw);
}

static void process_part(struct broker *b, struct node_ctx *ctx, int32_t leader_id,
			 const struct fetch_part_resp *pr, const struct plog_batch *batches)
{
	if (pr->tp >= b->cluster->nparts)
		return;
	struct replica *r = &b->replicas[pr->tp];
	if (!fetchable(r, leader_id, ctx->now_us))
		return;   /* the role changed while the fetch was out */
	if (pr->error == KERR_NONE && pr->leader_epoch != r->leader_epoch)
		return;   /* data from another epoch than the one this broker follows */
	int64_t leo = plog_leo(&r->log);
	int64_t now_ms = broker_now_ms(ctx);
	broker_mark(b, r->tp);
	if (pr->error == KERR_NONE && pr->diverged) {
		struct plog_epoch_end e = {pr->diverging_epoch, pr->diverging_end_offset};
		struct plog_trunc t = plog_trunc_leader_epoch(&r->log, e);
		plog_truncate_to(&r->log, t.offset, now_ms);
		rebuild_pstate(b, r);
		r->trunc_gen++;
		trace_truncate(b, ctx, r, leo, "diverging-epoch");
	} else if (pr->error == KERR_NONE) {
		append_batches(b, ctx, r, pr, batches);
	} else if (pr->error == KERR_OFFSET_OUT_OF_RANGE && leo > pr->log_end_offset) {
		/* handleOutOfRangeError: the leader's log is shorter: truncate to its end. */
		plog_truncate_to(&r->log, pr->log_end_offset, now_ms);
		rebuild_pstate(b, r);
		r->trunc_gen++;
		trace_truncate(b, ctx, r, leo, "out-of-range-above-leader");
	} else if (pr->error == KERR_OFFSET_OUT_OF_RANGE) {
		/* Below the leader's log start: start over there. */
		plog_truncate_fully_and_start_at(&r->log, pr->log_start_offset, now_ms);
		pstate_clear(&r->ps);
		r->trunc_gen++;
		trace_truncate(b, ctx, r, leo, "out-of-range-below-log-start");
	} else {
		/* NOT_LEADER_OR_FOLLOWER, FENCED / UNKNOWN_LEADER_EPOCH: wait for metadata. */
		r->fetch_backoff_until_us = ctx->now_us + ms_to_us(b->cfg->replica_fetch_backoff_ms);
		node_timer(ctx, ms_to_us(b->cfg->replica_fetch_backoff_ms), BT_FETCH_BACKOFF,
			   (uint64_t)md_broker_index(b->cluster, leader_id));
	}
}

void fetcher_on_resp(struct broker *b, struct node_ctx *ctx, uint32_t li,
		     const struct net_msg *m, const void *blob, uint32_t len)
{
	struct fetcher *f = &b->fetchers[li];
	if (!f->in_flight || m->corr != f->corr)
		return;
	f->in_flight = false;
	node_timer_cancel(ctx, f->timeout_timer);
	struct fetch_resp r;
	PROTO_GET(m, r);
	size_t head = (size_t)r.count * sizeof(struct fetch_part_resp);
	if (len < head || (len - head) % sizeof(struct plog_batch) != 0)
		return;
	const uint8_t *bytes = blob;
	const struct plog_batch *batches = (const struct plog_batch *)(bytes + head);
	uint32_t nb = (uint32_t)((len - head) / sizeof(struct plog_batch));
	int32_t leader_id = b->cluster->broker_ids[li];
	for (uint32_t i = 0; i < r.count; i++) {
		struct fetch_part_resp pr;
		memcpy(&pr, bytes + i * sizeof(pr), sizeof(pr));
		if (pr.batch_first > nb || pr.batch_count > nb - pr.batch_first)
			continue;
		process_part(b, ctx, leader_id, &pr, batches);
	}
	fetcher_kick(b, ctx, leader_id);
}
