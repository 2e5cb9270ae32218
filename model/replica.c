/*
 * replica.c — the leader's side of a partition: produce (acks, min.insync.replicas,
 * idempotence, timestamps), DelayedProduce, serving follower and consumer fetches
 * (divergence answers, follower state), DelayedFetch, the high watermark, ISR expansion and
 * shrinking through AlterPartition, and the role changes from the metadata image.
 *
 * Kafka: core/.../cluster/Partition.scala (appendRecordsToLeader, fetchRecords,
 * updateFollowerFetchState, maybeExpandIsr, maybeShrinkIsr, maybeIncrementLeaderHW,
 * checkEnoughReplicasReachOffset, makeLeader, makeFollower), Replica.scala,
 * core/.../server/ReplicaManager.scala, DelayedProduce.scala, DelayedFetch.scala.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "model/broker_internal.h"
#include "model/group.h"
#include "model/text.h"
#include "sim/limits.h"
#include "sim/trace.h"

/* ---- helpers -------------------------------------------------------------------------- */

static bool in_isr(const struct replica *r, int32_t id)
{
	for (uint32_t i = 0; i < r->n_isr; i++)
		if (r->isr[i] == id)
			return true;
	return false;
}

/* The "maximal" ISR: committed plus a pending addition (Partition.scala PendingExpandIsr). */
static bool in_maximal_isr(const struct replica *r, int32_t id)
{
	return in_isr(r, id) || r->pending_add == id;
}

static struct follower_state *follower(struct replica *r, int32_t id)
{
	for (uint32_t i = 0; i < r->nfs; i++)
		if (r->fs[i].broker_id == id)
			return &r->fs[i];
	return NULL;
}

static const struct topic_cfg *topic_of(const struct broker *b, uint32_t tp)
{
	return &b->cluster->topics[b->cluster->parts[tp].topic];
}

/* Partition.effectiveMinIsr: min(min.insync.replicas, replication factor). */
static uint32_t effective_min_isr(const struct broker *b, uint32_t tp)
{
	int64_t m = topic_of(b, tp)->min_insync_replicas;
	uint32_t rf = b->cluster->parts[tp].rf;
	return m < (int64_t)rf ? (uint32_t)m : rf;
}

static void trace_partition(struct broker *b, struct node_ctx *ctx, const char *ev,
			    const struct replica *r)
{
	char name[300];
	struct trace_line *l = node_trace(ctx, ev);
	trace_str(l, "partition", text_tp(b->cluster, r->tp, name, sizeof(name)));
	trace_int(l, "leader_epoch", r->leader_epoch);
	trace_int(l, "leo", plog_leo(&r->log));
	trace_int(l, "hw", plog_hw(&r->log));
	trace_end(l);
}

/* Partition.isReplicaIsrEligible (KIP-841, KIP-903): unfenced, not in controlled shutdown,
 * and fetched since this broker became leader with its registered broker epoch (or -1). */
static bool isr_eligible(const struct broker *b, const struct follower_state *f)
{
	int bi = md_broker_index(b->cluster, f->broker_id);
	return bi >= 0 && f->leo >= 0 && !b->img.brokers[bi].fenced &&
	       !b->img.brokers[bi].shutting_down &&
	       (f->broker_epoch == -1 || f->broker_epoch == b->img.brokers[bi].broker_epoch);
}

/* ---- the high watermark --------------------------------------------------------------- */

static void complete_produces(struct broker *b, struct node_ctx *ctx, uint32_t tp);

/* Partition.maybeIncrementLeaderHW: the smallest LEO among the leader and the followers that
 * are in the maximal ISR, or caught up within replica.lag.time.max.ms and ISR-eligible
 * (shouldWaitForReplicaToJoinIsr); never while the committed ISR is below the effective
 * min ISR (isUnderMinIsr, Kafka 3.7+); only up. */
void repl_maybe_increment_hw(struct broker *b, struct node_ctx *ctx, struct replica *r)
{
	if (!r->is_leader || r->n_isr < effective_min_isr(b, r->tp))
		return;
	int64_t hw = plog_leo(&r->log);
	int64_t lag_us = ms_to_us(b->cfg->replica_lag_time_max_ms);
	for (uint32_t i = 0; i < r->nfs; i++) {
		const struct follower_state *f = &r->fs[i];
		bool counts = in_maximal_isr(r, f->broker_id) ||
			      (ctx->now_us - f->last_caught_up_us <= lag_us && isr_eligible(b, f));
		if (counts && f->leo < hw)
			hw = f->leo;
	}
	if (hw <= plog_hw(&r->log))
		return;
	plog_set_hw(&r->log, hw);
	broker_mark(b, r->tp);
	complete_produces(b, ctx, r->tp);
	repl_wake_fetches(b, ctx, r->tp);
	group_hw_moved(b, ctx, r->tp);
}

/* ---- ISR changes through the controller ----------------------------------------------- */

/* The AlterPartition channel to the controller (AlterPartitionManager), kept open. */
void ap_connect(struct broker *b, struct node_ctx *ctx)
{
	if (b->ap_up || b->ap_connecting)
		return;
	b->ap_connecting = true;
	b->ap_conn = node_connect(ctx, b->cluster->controller_node,
				  ms_to_us(b->cfg->socket_connection_setup_timeout_ms));
}

/* AlterPartitionManager: one request in flight per partition. */
static void send_alter(struct broker *b, struct node_ctx *ctx, struct replica *r,
		       const int32_t *isr, uint32_t n)
{
	if (!b->ap_up) {
		ap_connect(b, ctx);
		return;
	}
	struct alter_isr_member *mem = (struct alter_isr_member *)broker_scratch(
		b, n * (uint32_t)sizeof(*mem));
	if (mem == NULL) {
		b->oom = true;
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		int bi = md_broker_index(b->cluster, isr[i]);
		mem[i] = (struct alter_isr_member){
			.broker_id = isr[i],
			.broker_epoch = bi >= 0 ? b->img.brokers[bi].broker_epoch : -1,
		};
		if (isr[i] == broker_my_id(b))
			mem[i].broker_epoch = b->broker_epoch;
	}
	struct alter_partition a = {
		.tp = r->tp, .leader = broker_my_id(b), .leader_epoch = r->leader_epoch,
		.partition_epoch = r->partition_epoch, .broker_epoch = b->broker_epoch, .n_isr = n,
	};
	struct net_msg m;
	PROTO_PUT(&m, MSG_ALTER_PARTITION, a);
	m.corr = ++b->next_corr;
	m.bytes = 64 + n * (uint32_t)sizeof(*mem);
	if (!node_send(ctx, b->ap_conn, &m, mem, n * (uint32_t)sizeof(*mem)))
		return;
	r->alter_in_flight = true;
	r->alter_timer = node_timer(ctx, ms_to_us(b->cfg->controller_request_timeout_ms),
				    BT_AP_TIMEOUT, r->tp);
	char name[300], ids[4096];
	struct trace_line *l = node_trace(ctx, "alter_partition");
	trace_str(l, "partition", text_tp(b->cluster, r->tp, name, sizeof(name)));
	trace_raw(l, "isr", text_ids(isr, n, ids, sizeof(ids)));
	trace_end(l);
}

void repl_alter_failed(struct broker *b, uint32_t tp)
{
	struct replica *r = &b->replicas[tp];
	if (!r->hosted)
		return;
	r->alter_in_flight = false;
	r->pending_add = -1;
}

void repl_update_isr(struct broker *b, struct node_ctx *ctx, struct replica *r,
		     const int32_t *isr, uint32_t n, int32_t partition_epoch)
{
	assert(n <= b->cluster->parts[r->tp].rf);
	memcpy(r->isr, isr, n * sizeof(int32_t));
	r->n_isr = n;
	r->partition_epoch = partition_epoch;
	if (r->pending_add >= 0 && in_isr(r, r->pending_add))
		r->pending_add = -1;
	repl_maybe_increment_hw(b, ctx, r);
	complete_produces(b, ctx, r->tp);
}

void repl_on_alter_resp(struct broker *b, struct node_ctx *ctx, const struct net_msg *m,
			const void *blob, uint32_t len)
{
	struct alter_partition_resp a;
	PROTO_GET(m, a);
	if (a.tp >= b->cluster->nparts || !b->replicas[a.tp].hosted)
		return;
	struct replica *r = &b->replicas[a.tp];
	if (!r->alter_in_flight)
		return;
	node_timer_cancel(ctx, r->alter_timer);
	r->alter_in_flight = false;
	r->pending_add = -1;
	if (a.error != KERR_NONE || !r->is_leader || a.leader_epoch != r->leader_epoch ||
	    len != a.n_isr * sizeof(int32_t) || a.n_isr > b->cluster->parts[a.tp].rf)
		return;   /* the metadata log will tell the truth */
	if (a.partition_epoch > r->partition_epoch)
		repl_update_isr(b, ctx, r, blob, a.n_isr, a.partition_epoch);
}

/* Partition.maybeExpandIsr: a follower at or past the HW and the leader epoch's start offset,
 * eligible by KIP-841 / KIP-903 (unfenced, not shutting down, current broker epoch). */
static void maybe_expand_isr(struct broker *b, struct node_ctx *ctx, struct replica *r,
			     const struct follower_state *f)
{
	if (r->alter_in_flight || in_maximal_isr(r, f->broker_id))
		return;
	if (f->leo < plog_hw(&r->log) || f->leo < r->epoch_start_offset)
		return;
	if (!isr_eligible(b, f))
		return;
	int32_t isr[LIMIT_BROKERS];
	uint32_t n = 0;
	for (uint32_t i = 0; i < r->n_isr; i++)
		isr[n++] = r->isr[i];
	isr[n++] = f->broker_id;
	r->pending_add = f->broker_id;
	send_alter(b, ctx, r, isr, n);
	if (!r->alter_in_flight)
		r->pending_add = -1;
}

/* Partition.maybeShrinkIsr (every replica.lag.time.max.ms / 2): followers neither at the
 * leader's LEO nor caught up within replica.lag.time.max.ms leave the ISR. */
static void shrink_one(struct broker *b, struct node_ctx *ctx, struct replica *r)
{
	if (!r->is_leader || r->alter_in_flight)
		return;
	int64_t lag_us = ms_to_us(b->cfg->replica_lag_time_max_ms);
	int32_t isr[LIMIT_BROKERS];
	uint32_t n = 0;
	for (uint32_t i = 0; i < r->n_isr; i++) {
		int32_t id = r->isr[i];
		const struct follower_state *f = follower(r, id);
		bool caught_up = f == NULL || f->leo == plog_leo(&r->log) ||
				 ctx->now_us - f->last_caught_up_us <= lag_us;
		if (caught_up)
			isr[n++] = id;
	}
	if (n < r->n_isr)
		send_alter(b, ctx, r, isr, n);
}

void repl_isr_shrink_check(struct broker *b, struct node_ctx *ctx)
{
	for (uint32_t tp = 0; tp < b->cluster->nparts; tp++)
		if (b->replicas[tp].hosted)
			shrink_one(b, ctx, &b->replicas[tp]);
}

/* ---- produce ---------------------------------------------------------------------------- */

/* Partition.appendRecordsToLeader and UnifiedLog.append for one partition of a request. */
static void append_one(struct broker *b, struct node_ctx *ctx, const struct produce_req *q,
		       const struct produce_part *pp, struct dp_part *out)
{
	out->tp = pp->tp;
	out->base_offset = -1;
	out->log_append_time_ms = -1;
	out->done = true;
	if (pp->tp >= b->cluster->nparts || !b->replicas[pp->tp].hosted ||
	    !b->replicas[pp->tp].is_leader) {
		out->error = KERR_NOT_LEADER_OR_FOLLOWER;
		return;
	}
	struct replica *r = &b->replicas[pp->tp];
	const struct topic_cfg *t = topic_of(b, pp->tp);
	int64_t now_ms = broker_now_ms(ctx);
	/* Partition.appendRecordsToLeader: acks=all needs the ISR at the minimum first, before
	 * the log validates anything. */
	if (q->acks == -1 && r->n_isr < effective_min_isr(b, pp->tp)) {
		out->error = KERR_NOT_ENOUGH_REPLICAS;
		return;
	}
	/* LogValidator.validateTimestamp (CreateTime only; KIP-937/KIP-1030 bounds). */
	if (!t->log_append_time &&
	    (now_ms - pp->max_timestamp_ms > t->timestamp_before_max_ms ||
	     pp->max_timestamp_ms - now_ms > t->timestamp_after_max_ms)) {
		out->error = KERR_INVALID_TIMESTAMP;
		return;
	}
	if (pp->size_bytes > t->max_message_bytes) {
		out->error = KERR_MESSAGE_TOO_LARGE;
		return;
	}
	struct plog_batch batch = {
		.record_count = pp->record_count, .base_sequence = pp->base_sequence,
		.size_bytes = pp->size_bytes, .max_timestamp_ms = pp->max_timestamp_ms,
		.producer_id = q->producer_id, .producer_epoch = q->producer_epoch,
		.rec_ref = pp->rec_ref,
		.timestamp_type = t->log_append_time ? PLOG_LOG_APPEND_TIME : PLOG_CREATE_TIME,
	};
	if (q->producer_id >= 0) {
		int32_t last_seq = pstate_batch_last_seq(&batch);
		struct pstate_verdict v = pstate_check(&r->ps, q->producer_id, q->producer_epoch,
						       pp->base_sequence, last_seq);
		if (v.duplicate) {
			/* A retried batch already in the log: its original offset, no append
			 * (KIP-98). Kafka rolls before it looks. */
			(void)plog_maybe_roll(&r->log, pp->size_bytes, pp->max_timestamp_ms, now_ms);
			out->error = KERR_NONE;
			out->base_offset = v.first_offset;
			return;
		}
		if (v.error != KERR_NONE) {
			out->error = v.error;
			return;
		}
	}
	int rc = plog_append_as_leader(&r->log, &batch, r->leader_epoch, now_ms, ctx->now_us);
	if (rc != KERR_NONE) {
		if (rc == PLOG_NOMEM)
			b->oom = true;
		out->error = rc == PLOG_NOMEM ? KERR_NOT_LEADER_OR_FOLLOWER : (int16_t)rc;
		return;
	}
	if (q->producer_id >= 0) {
		struct pstate_batch meta = {
			.first_seq = batch.base_sequence,
			.last_seq = pstate_batch_last_seq(&batch),
			.first_offset = batch.base_offset, .last_offset = plog_batch_last(&batch),
			.timestamp_ms = batch.max_timestamp_ms,
		};
		if (pstate_update(&r->ps, q->producer_id, q->producer_epoch, &meta) != KERR_NONE)
			b->oom = true;
	}
	broker_mark(b, r->tp);
	out->error = KERR_NONE;
	out->base_offset = batch.base_offset;
	out->required_offset = plog_leo(&r->log);
	if (t->log_append_time)
		out->log_append_time_ms = batch.max_timestamp_ms;
	out->done = q->acks != -1;
	char name[300];
	struct trace_line *l = node_trace(ctx, "append");
	trace_str(l, "partition", text_tp(b->cluster, r->tp, name, sizeof(name)));
	trace_int(l, "offset", batch.base_offset);
	trace_int(l, "records", batch.record_count);
	trace_int(l, "epoch", r->leader_epoch);
	trace_end(l);
	repl_maybe_increment_hw(b, ctx, r);
	repl_wake_fetches(b, ctx, r->tp);
}

int16_t repl_append_internal(struct broker *b, struct node_ctx *ctx, uint32_t tp,
			     struct plog_batch *batch, int64_t *end)
{
	struct replica *r = &b->replicas[tp];
	if (!r->hosted || !r->is_leader)
		return KERR_NOT_LEADER_OR_FOLLOWER;
	if (r->n_isr < effective_min_isr(b, tp))
		return KERR_NOT_ENOUGH_REPLICAS;
	int rc = plog_append_as_leader(&r->log, batch, r->leader_epoch, broker_now_ms(ctx),
				       ctx->now_us);
	if (rc != KERR_NONE) {
		if (rc == PLOG_NOMEM)
			b->oom = true;
		return rc == PLOG_NOMEM ? KERR_NOT_LEADER_OR_FOLLOWER : (int16_t)rc;
	}
	broker_mark(b, tp);
	*end = plog_leo(&r->log);
	repl_maybe_increment_hw(b, ctx, r);
	repl_wake_fetches(b, ctx, tp);
	return KERR_NONE;
}

/* DelayedProduce.tryComplete per partition (Partition.checkEnoughReplicasReachOffset). */
static void check_part(struct broker *b, struct dp_part *p)
{
	if (p->done)
		return;
	const struct replica *r = &b->replicas[p->tp];
	if (!r->is_leader) {
		p->done = true;
		p->error = KERR_NOT_LEADER_OR_FOLLOWER;
		return;
	}
	if (plog_hw(&r->log) < p->required_offset)
		return;
	p->done = true;
	p->error = r->n_isr + (r->pending_add >= 0) < effective_min_isr(b, p->tp)
		? KERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND : KERR_NONE;
}

static void respond_produce(struct broker *b, struct node_ctx *ctx, conn_id conn,
			    uint64_t corr, const struct dp_part *parts, uint32_t n)
{
	struct produce_part_resp *out = (struct produce_part_resp *)broker_scratch(
		b, n * (uint32_t)sizeof(*out));
	if (out == NULL) {
		b->oom = true;
		return;
	}
	for (uint32_t i = 0; i < n; i++)
		out[i] = (struct produce_part_resp){
			.tp = parts[i].tp, .error = parts[i].error,
			.base_offset = parts[i].error == KERR_NONE ? parts[i].base_offset : -1,
			.log_append_time_ms = parts[i].log_append_time_ms,
		};
	struct produce_resp r = {.count = n};
	struct net_msg m;
	PROTO_PUT(&m, MSG_PRODUCE_RESP, r);
	broker_reply(ctx, conn, corr, &m, out, n * (uint32_t)sizeof(*out));
}

static bool all_done(const struct dp_part *parts, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (!parts[i].done)
			return false;
	return true;
}

static void dp_finish(struct broker *b, struct node_ctx *ctx, struct delayed_produce *d)
{
	d->live = false;
	node_timer_cancel(ctx, d->timer);
	respond_produce(b, ctx, d->conn, d->corr, d->parts, d->count);
}

static void complete_produces(struct broker *b, struct node_ctx *ctx, uint32_t tp)
{
	for (uint32_t i = 0; i < b->dp_cap; i++) {
		struct delayed_produce *d = &b->dp[i];
		if (!d->live)
			continue;
		bool touched = false;
		for (uint32_t k = 0; k < d->count; k++)
			if (d->parts[k].tp == tp && !d->parts[k].done) {
				check_part(b, &d->parts[k]);
				touched = true;
			}
		if (touched && all_done(d->parts, d->count))
			dp_finish(b, ctx, d);
	}
}

static struct delayed_produce *dp_slot(struct broker *b, uint32_t n, uint32_t *slot)
{
	uint32_t i = 0;
	while (i < b->dp_cap && b->dp[i].live)
		i++;
	if (i == b->dp_cap && !broker_grow((void **)&b->dp, &b->dp_cap, i + 1, sizeof(*b->dp)))
		return NULL;
	struct delayed_produce *d = &b->dp[i];
	if (!broker_grow((void **)&d->parts, &d->parts_cap, n, sizeof(*d->parts)))
		return NULL;
	*slot = i;
	return d;
}

void repl_produce(struct broker *b, struct node_ctx *ctx, conn_id conn, const struct net_msg *m,
		  const void *blob, uint32_t len)
{
	struct produce_req q;
	PROTO_GET(m, q);
	if (len != q.count * sizeof(struct produce_part) || q.count == 0)
		return;   /* a malformed request: Kafka closes the connection */
	uint32_t slot = 0;
	struct delayed_produce *d = dp_slot(b, q.count, &slot);
	if (d == NULL) {
		b->oom = true;
		return;
	}
	const struct produce_part *pp = blob;
	for (uint32_t i = 0; i < q.count; i++) {
		struct produce_part part;
		memcpy(&part, &pp[i], sizeof(part));
		append_one(b, ctx, &q, &part, &d->parts[i]);
	}
	if (q.acks == 0)
		return;   /* acks=0: no response at all */
	for (uint32_t i = 0; i < q.count; i++)
		check_part(b, &d->parts[i]);
	if (all_done(d->parts, q.count)) {
		respond_produce(b, ctx, conn, m->corr, d->parts, q.count);
		return;
	}
	/* DelayedProduce: wait for the HW, at most the request's timeout. */
	d->live = true;
	d->conn = conn;
	d->corr = m->corr;
	d->count = q.count;
	d->timer = node_timer(ctx, ms_to_us(q.timeout_ms), BT_DP_TIMEOUT, slot);
}

void repl_dp_timeout(struct broker *b, struct node_ctx *ctx, uint32_t slot)
{
	struct delayed_produce *d = &b->dp[slot];
	if (!d->live)
		return;
	for (uint32_t k = 0; k < d->count; k++) {
		check_part(b, &d->parts[k]);
		if (!d->parts[k].done) {
			d->parts[k].done = true;
			d->parts[k].error = KERR_REQUEST_TIMED_OUT;
		}
	}
	dp_finish(b, ctx, d);
}

/* ---- fetch (the leader's side) ---------------------------------------------------------- */

/* Partition.checkCurrentLeaderEpoch: a request naming an older leader epoch is fenced, a
 * newer one unknown here yet; -1 skips the check. */
static int16_t epoch_error(int32_t requested, int32_t mine)
{
	if (requested < 0 || requested == mine)
		return KERR_NONE;
	return requested < mine ? KERR_FENCED_LEADER_EPOCH : KERR_UNKNOWN_LEADER_EPOCH;
}

/* Replica.updateFetchStateOrThrow: lastCaughtUpTime moves to this fetch's time when the
 * follower asked from the leader's LEO, or to the previous fetch's time when it asked from
 * at least the LEO the leader had then. */
static void update_follower(struct broker *b, struct node_ctx *ctx, struct replica *r,
			    const struct fetch_req *q, int64_t fetch_offset)
{
	struct follower_state *f = follower(r, q->replica_id);
	if (f == NULL)
		return;
	int64_t leo = plog_leo(&r->log);
	if (fetch_offset >= leo) {
		if (ctx->now_us > f->last_caught_up_us)
			f->last_caught_up_us = ctx->now_us;
	} else if (fetch_offset >= f->last_fetch_leader_leo &&
		   f->last_fetch_us > f->last_caught_up_us) {
		f->last_caught_up_us = f->last_fetch_us;
	}
	f->leo = fetch_offset;
	f->last_fetch_leader_leo = leo;
	f->last_fetch_us = ctx->now_us;
	f->broker_epoch = q->broker_epoch;
	maybe_expand_isr(b, ctx, r, f);
	repl_maybe_increment_hw(b, ctx, r);
}

struct fetch_answer {
	struct fetch_part_resp resp;
	struct plog_view view;
};

/* Partition.fetchRecords for one partition. */
static void fetch_one(struct broker *b, struct node_ctx *ctx, const struct fetch_req *q,
		      const struct fetch_part *fp, bool update, struct fetch_answer *a)
{
	memset(a, 0, sizeof(*a));
	a->resp.tp = fp->tp;
	a->resp.diverging_epoch = -1;
	a->resp.diverging_end_offset = -1;
	a->resp.high_watermark = a->resp.log_start_offset = a->resp.log_end_offset = -1;
	if (fp->tp >= b->cluster->nparts || !b->replicas[fp->tp].hosted) {
		a->resp.error = KERR_NOT_LEADER_OR_FOLLOWER;
		return;
	}
	struct replica *r = &b->replicas[fp->tp];
	a->resp.leader_epoch = r->leader_epoch;
	/* Partition.getLocalLog: the leader epoch is checked before leadership. */
	a->resp.error = epoch_error(fp->current_leader_epoch, r->leader_epoch);
	if (a->resp.error != KERR_NONE)
		return;
	if (!r->is_leader) {
		a->resp.error = KERR_NOT_LEADER_OR_FOLLOWER;
		return;
	}
	/* Partition.readRecords answers with the offsets from before this fetch's update of
	 * the follower's state: a follower learns a HW its fetch moved with its next fetch. */
	a->resp.high_watermark = plog_hw(&r->log);
	a->resp.log_start_offset = plog_log_start(&r->log);
	a->resp.log_end_offset = plog_leo(&r->log);
	bool follower_fetch = q->replica_id >= 0;
	/* KIP-595 / Kafka 2.7+: a follower whose last fetched epoch ends earlier on the
	 * leader (or is unknown to it) is told where to truncate instead of getting data. */
	if (follower_fetch && fp->last_fetched_epoch >= 0) {
		struct plog_epoch_end e = plog_end_offset_for_epoch(&r->log, fp->last_fetched_epoch);
		/* readRecords: an unknown epoch end, or an offset below the log start, is out of
		 * range whether or not the epochs diverge. */
		if (e.epoch == PLOG_NO_EPOCH || e.end_offset < 0 ||
		    fp->fetch_offset < plog_log_start(&r->log)) {
			a->resp.error = KERR_OFFSET_OUT_OF_RANGE;
			return;
		}
		if (e.epoch < fp->last_fetched_epoch || e.end_offset < fp->fetch_offset) {
			a->resp.diverged = 1;
			a->resp.diverging_epoch = e.epoch;
			a->resp.diverging_end_offset = e.end_offset;
			return;
		}
	}
	if (fp->fetch_offset < plog_log_start(&r->log) || fp->fetch_offset > plog_leo(&r->log)) {
		a->resp.error = KERR_OFFSET_OUT_OF_RANGE;
		return;
	}
	if (follower_fetch && update)
		update_follower(b, ctx, r, q, fp->fetch_offset);
	/* Followers read to the LEO; consumers (read_uncommitted) only below the HW. */
	int64_t upper = follower_fetch ? plog_leo(&r->log) : plog_hw(&r->log);
	if (fp->fetch_offset < upper)
		a->view = plog_read(&r->log, fp->fetch_offset, fp->partition_max_bytes, upper);
}

/* Builds and sends the response; returns false if it has nothing to say yet and may wait. */
static bool serve_fetch(struct broker *b, struct node_ctx *ctx, conn_id conn, uint64_t corr,
			const struct fetch_req *q, const struct fetch_part *parts, bool may_wait,
			bool update)
{
	uint32_t n = q->count;
	struct fetch_answer *ans = calloc(n, sizeof(*ans));
	if (ans == NULL) {
		b->oom = true;
		return true;
	}
	uint32_t batches = 0;
	int64_t bytes = 0;
	bool errors = false;
	for (uint32_t i = 0; i < n; i++) {
		struct fetch_part fp;
		memcpy(&fp, &parts[i], sizeof(fp));
		fetch_one(b, ctx, q, &fp, update, &ans[i]);
		/* fetch.max.bytes / replica.fetch.max.bytes over the whole response, but the
		 * first partition with data always gets its batch (KIP-74). */
		if (bytes > 0 && bytes + ans[i].view.bytes > q->max_bytes)
			ans[i].view.count = 0;
		bytes += ans[i].view.count ? ans[i].view.bytes : 0;
		batches += ans[i].view.count;
		errors |= ans[i].resp.error != KERR_NONE || ans[i].resp.diverged;
	}
	if (may_wait && !errors && bytes < q->min_bytes && q->max_wait_ms > 0) {
		free(ans);
		return false;
	}
	uint32_t len = n * (uint32_t)sizeof(struct fetch_part_resp) +
		       batches * (uint32_t)sizeof(struct plog_batch);
	uint8_t *out = broker_scratch(b, len);
	if (out == NULL) {
		b->oom = true;
		free(ans);
		return true;
	}
	struct plog_batch *bout = (struct plog_batch *)(out + n * sizeof(struct fetch_part_resp));
	uint32_t next = 0;
	for (uint32_t i = 0; i < n; i++) {
		ans[i].resp.batch_first = next;
		ans[i].resp.batch_count = ans[i].view.count;
		memcpy(out + i * sizeof(struct fetch_part_resp), &ans[i].resp, sizeof(ans[i].resp));
		if (ans[i].view.count > 0)
			memcpy(&bout[next], ans[i].view.batches,
			       ans[i].view.count * sizeof(struct plog_batch));
		next += ans[i].view.count;
	}
	free(ans);
	struct fetch_resp r = {.error = KERR_NONE, .count = n};
	struct net_msg m;
	PROTO_PUT(&m, MSG_FETCH_RESP, r);
	m.corr = corr;
	m.bytes = 64 + (uint32_t)bytes;
	node_send(ctx, conn, &m, out, len);
	return true;
}

static struct delayed_fetch *df_slot(struct broker *b, uint32_t n, uint32_t *slot)
{
	uint32_t i = 0;
	while (i < b->df_cap && b->df[i].live)
		i++;
	if (i == b->df_cap && !broker_grow((void **)&b->df, &b->df_cap, i + 1, sizeof(*b->df)))
		return NULL;
	struct delayed_fetch *d = &b->df[i];
	if (!broker_grow((void **)&d->parts, &d->parts_cap, n, sizeof(*d->parts)))
		return NULL;
	*slot = i;
	return d;
}

void repl_fetch(struct broker *b, struct node_ctx *ctx, conn_id conn, const struct net_msg *m,
		const void *blob, uint32_t len)
{
	struct fetch_req q;
	PROTO_GET(m, q);
	if (len != q.count * sizeof(struct fetch_part))
		return;
	if (serve_fetch(b, ctx, conn, m->corr, &q, blob, true, true))
		return;
	/* DelayedFetch: wait for data, at most max_wait_ms. */
	uint32_t slot = 0;
	struct delayed_fetch *d = df_slot(b, q.count, &slot);
	if (d == NULL) {
		b->oom = true;
		return;
	}
	d->live = true;
	d->conn = conn;
	d->corr = m->corr;
	d->req = q;
	memcpy(d->parts, blob, len);
	d->timer = node_timer(ctx, ms_to_us(q.max_wait_ms), BT_DF_TIMEOUT, slot);
}

static void df_finish(struct broker *b, struct node_ctx *ctx, struct delayed_fetch *d,
		      bool timed_out)
{
	d->live = false;
	if (!timed_out)
		node_timer_cancel(ctx, d->timer);
	serve_fetch(b, ctx, d->conn, d->corr, &d->req, d->parts, false, false);
}

void repl_df_timeout(struct broker *b, struct node_ctx *ctx, uint32_t slot)
{
	if (slot < b->df_cap && b->df[slot].live)
		df_finish(b, ctx, &b->df[slot], true);
}

/* New data (an append) or a new HW on tp: parked fetches that include it answer now. */
void repl_wake_fetches(struct broker *b, struct node_ctx *ctx, uint32_t tp)
{
	for (uint32_t i = 0; i < b->df_cap; i++) {
		struct delayed_fetch *d = &b->df[i];
		if (!d->live)
			continue;
		for (uint32_t k = 0; k < d->req.count; k++)
			if (d->parts[k].tp == tp) {
				const struct replica *r = &b->replicas[tp];
				int64_t upper = d->req.replica_id >= 0 ? plog_leo(&r->log)
								       : plog_hw(&r->log);
				if (!r->is_leader || d->parts[k].fetch_offset < upper)
					df_finish(b, ctx, d, false);
				break;
			}
	}
}

/* ---- ListOffsets and OffsetsForLeaderEpoch (consumers) ----------------------------------- */

/* ListOffsets on the leader: EARLIEST = log start; LATEST = the HW (read_uncommitted);
 * a timestamp = the first batch whose max timestamp is at or after it, else -1.
 * OFFSET_NOT_AVAILABLE while a new leader's HW is below its epoch's start (KIP-207). */
void repl_list_offsets(struct broker *b, struct node_ctx *ctx, conn_id conn,
		       const struct net_msg *m)
{
	struct list_offsets q;
	PROTO_GET(m, q);
	struct list_offsets_resp r = {.tp = q.tp, .offset = -1, .timestamp = -1, .leader_epoch = -1};
	const struct replica *rep = q.tp < b->cluster->nparts ? &b->replicas[q.tp] : NULL;
	if (rep == NULL || !rep->hosted || !rep->is_leader) {
		r.error = KERR_NOT_LEADER_OR_FOLLOWER;
	} else if (epoch_error(q.current_leader_epoch, rep->leader_epoch) != KERR_NONE) {
		r.error = epoch_error(q.current_leader_epoch, rep->leader_epoch);
	} else if (q.timestamp == LIST_OFFSETS_EARLIEST) {
		r.offset = plog_log_start(&rep->log);
	} else if (q.timestamp == LIST_OFFSETS_LATEST) {
		if (plog_hw(&rep->log) < rep->epoch_start_offset)
			r.error = KERR_OFFSET_NOT_AVAILABLE;
		else
			r.offset = plog_hw(&rep->log);
	} else {
		uint32_t n;
		const struct plog_batch *bs = plog_batches(&rep->log, &n);
		for (uint32_t i = 0; i < n; i++)
			if (bs[i].base_offset < plog_hw(&rep->log) &&
			    bs[i].max_timestamp_ms >= q.timestamp) {
				r.offset = bs[i].base_offset;
				r.timestamp = bs[i].max_timestamp_ms;
				break;
			}
	}
	if (rep != NULL && rep->hosted)
		r.leader_epoch = rep->leader_epoch;
	struct net_msg out;
	PROTO_PUT(&out, MSG_LIST_OFFSETS_RESP, r);
	broker_reply(ctx, conn, m->corr, &out, NULL, 0);
}

/* OffsetsForLeaderEpoch (KIP-320) on the leader: the end offset of the largest epoch at or
 * below the one asked for. */
void repl_offsets_for_epoch(struct broker *b, struct node_ctx *ctx, conn_id conn,
			    const struct net_msg *m)
{
	struct offsets_for_epoch q;
	PROTO_GET(m, q);
	struct offsets_for_epoch_resp r = {.tp = q.tp, .leader_epoch = -1, .end_offset = -1};
	const struct replica *rep = q.tp < b->cluster->nparts ? &b->replicas[q.tp] : NULL;
	if (rep == NULL || !rep->hosted || !rep->is_leader) {
		r.error = KERR_NOT_LEADER_OR_FOLLOWER;
	} else if (epoch_error(q.current_leader_epoch, rep->leader_epoch) != KERR_NONE) {
		r.error = epoch_error(q.current_leader_epoch, rep->leader_epoch);
	} else {
		struct plog_epoch_end e = plog_end_offset_for_epoch(&rep->log, q.leader_epoch);
		r.leader_epoch = e.epoch;
		r.end_offset = e.end_offset;
	}
	struct net_msg out;
	PROTO_PUT(&out, MSG_OFFSETS_FOR_LEADER_EPOCH_RESP, r);
	broker_reply(ctx, conn, m->corr, &out, NULL, 0);
}

/* ---- roles -------------------------------------------------------------------------------- */

static void fail_produces(struct broker *b, struct node_ctx *ctx, uint32_t tp)
{
	complete_produces(b, ctx, tp);   /* check_part answers NOT_LEADER_OR_FOLLOWER */
	repl_wake_fetches(b, ctx, tp);
}

/* Partition.makeLeader: the leader epoch starts at this LEO (epoch cache); followers in the
 * ISR count as caught up now, their LEOs unknown until they fetch. */
void repl_make_leader(struct broker *b, struct node_ctx *ctx, struct replica *r,
		      const struct md_part_state *p)
{
	r->is_leader = true;
	r->leader = broker_my_id(b);
	r->leader_epoch = p->leader_epoch;
	r->partition_epoch = p->partition_epoch;
	memcpy(r->isr, p->isr, p->n_isr * sizeof(int32_t));
	r->n_isr = p->n_isr;
	r->pending_add = -1;
	r->alter_in_flight = false;
	r->fetch_ready = false;
	if (plog_assign_epoch(&r->log, p->leader_epoch, plog_leo(&r->log)) != KERR_NONE)
		b->oom = true;
	r->epoch_start_offset = plog_leo(&r->log);
	for (uint32_t i = 0; i < r->nfs; i++) {
		struct follower_state *f = &r->fs[i];
		f->leo = -1;
		f->last_caught_up_us = in_isr(r, f->broker_id) ? ctx->now_us : 0;
		f->last_fetch_us = 0;
		f->last_fetch_leader_leo = -1;
	}
	broker_mark(b, r->tp);
	trace_partition(b, ctx, "become_leader", r);
	repl_maybe_increment_hw(b, ctx, r);
	group_partition_led(b, ctx, r->tp, true);
}

/* Partition.makeFollower. Under sim.truncation: high-watermark a new follower truncates to
 * its own HW at once (pre-KIP-101); under the leader-epoch rule it asks the leader where its
 * log diverges, with its next fetch. */
void repl_make_follower(struct broker *b, struct node_ctx *ctx, struct replica *r,
			const struct md_part_state *p)
{
	bool was_leader = r->is_leader;
	r->is_leader = false;
	r->leader = p->leader;
	r->leader_epoch = p->leader_epoch;
	r->partition_epoch = p->partition_epoch;
	r->alter_in_flight = false;
	r->pending_add = -1;
	if (was_leader) {
		fail_produces(b, ctx, r->tp);
		group_partition_led(b, ctx, r->tp, false);
		group_hw_moved(b, ctx, r->tp);
	}
	if (b->cfg->truncation == TRUNCATE_HIGH_WATERMARK) {
		struct plog_trunc t = plog_trunc_high_watermark(&r->log);
		if (t.offset < plog_leo(&r->log)) {
			plog_truncate_to(&r->log, t.offset, broker_now_ms(ctx));
			r->trunc_gen++;
			uint32_t n;
			const struct plog_batch *bs = plog_batches(&r->log, &n);
			if (pstate_rebuild(&r->ps, bs, n) != KERR_NONE)
				b->oom = true;
			trace_partition(b, ctx, "truncate_to_hw", r);
		}
	}
	r->fetch_ready = p->leader != NO_LEADER && p->leader != broker_my_id(b);
	r->fetch_backoff_until_us = 0;
	broker_mark(b, r->tp);
	trace_partition(b, ctx, "become_follower", r);
}

/* ---- connections and resets --------------------------------------------------------------- */

void repl_drop_conn(struct broker *b, struct node_ctx *ctx, conn_id conn)
{
	for (uint32_t i = 0; i < b->dp_cap; i++)
		if (b->dp[i].live && b->dp[i].conn == conn) {
			b->dp[i].live = false;
			node_timer_cancel(ctx, b->dp[i].timer);
		}
	for (uint32_t i = 0; i < b->df_cap; i++)
		if (b->df[i].live && b->df[i].conn == conn) {
			b->df[i].live = false;
			node_timer_cancel(ctx, b->df[i].timer);
		}
}

void repl_reset(struct broker *b)
{
	for (uint32_t i = 0; i < b->dp_cap; i++)
		b->dp[i].live = false;
	for (uint32_t i = 0; i < b->df_cap; i++)
		b->df[i].live = false;
}
