/*
 * test_consumer.c — the consumer group member. Every test drives the real consumer_ops
 * through the real world (sim/world.c) against scripted fake brokers: broker 1 is the group
 * coordinator (a small classic-group barrier: MEMBER_ID_REQUIRED, JoinGroup completing
 * when the expected members have joined, the leader's SyncGroup, heartbeats that answer
 * REBALANCE_IN_PROGRESS during a rebalance, committed offsets) and every broker serves
 * Metadata, ListOffsets, OffsetsForLeaderEpoch and Fetch (long-polled) from shared fake
 * logs that scripted appends fill. Pinned: the member-id handshake, the leader's
 * assignment, auto-commit at the start of poll() after auto.commit.interval.ms and before a
 * rebalance, after-processing and before-processing commits, max.poll.records, exact
 * processing times, a stall past max.poll.interval.ms (LeaveGroup, CommitFailedException,
 * rejoin), auto.offset.reset earliest / latest / none, OFFSET_OUT_OF_RANGE, CommitFailed-
 * Exception on ILLEGAL_GENERATION, RebalanceInProgressException, KIP-320 truncation,
 * cooperative revocation, leave, crash without LeaveGroup and restart as a new member, and
 * determinism. CONSUMER_TRACE=1 prints the trace to stderr.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model/cluster.h"
#include "model/consumer.h"
#include "model/proto.h"
#include "model/records.h"
#include "sim/config_table.h"
#include "sim/kernel.h"
#include "sim/prng.h"
#include "sim/trace.h"
#include "sim/world.h"

#define NB      3
#define MAXP    8
#define MAXC    3
#define MAXB    1024
#define MAXLOG  512
#define MAXM    8
#define MS      INT64_C(1000)
#define SEC     (1000 * MS)

/* ---- the fake cluster's state ---------------------------------------------------------------- */

struct flog {                        /* one partition's log, shared by the brokers */
	struct plog_batch b[MAXB];
	uint32_t n;
	int64_t  start, end, hw;
	int32_t  epoch;                  /* stamped on appended batches */
};

struct append {                      /* scripted: count records of producer 0 at at_us */
	int64_t  at;
	uint32_t part;
	uint32_t count;
};

struct fmember {
	struct member_ref id;
	bool     live;
	bool     join_pending;
	conn_id  jconn;
	uint64_t jcorr;
	bool     sync_pending;
	conn_id  sconn;
	uint64_t scorr;
	uint32_t order;
	int32_t  reported_gen;
	uint8_t  protocols[4];
	uint32_t topics[4], n_topics;
	uint32_t owned[MAXP], n_owned;
	uint32_t assigned[MAXP], n_assigned;
};

enum log_kind { L_JOIN, L_SYNC, L_HB, L_LEAVE, L_COMMIT, L_OFETCH, L_LIST, L_EPOCH, L_FIND };

struct lentry {                      /* what the fake brokers received */
	int64_t  t;
	uint8_t  kind;
	int16_t  answered;               /* the error answered, -1 when held */
	int32_t  generation;
	struct member_ref member;
	uint32_t n;                      /* commit parts / sync assignments */
	struct commit_part parts[MAXP];
	int64_t  ts;                     /* ListOffsets timestamp */
	uint32_t tp;
};

struct parked {                     /* a long-polled fetch */
	bool     live;
	conn_id  conn;
	uint64_t corr;
	struct fetch_req req;
	struct fetch_part parts[MAXP];
	uint64_t timer;
};

struct fbroker {
	int32_t  id;
	struct parked pk[MAXC + 1];
	uint32_t fetches;
};

enum step_op { STEP_CRASH, STEP_RESTART, STEP_LEAVE, STEP_STALL, STEP_STALL_END };

struct tev {                         /* a trace line the test keeps */
	int64_t t;
	char node[16];
	char ev[24];
	char line[512];
};

static struct harness {
	struct sim_kernel   k;
	struct trace        tr;
	struct world        w;
	int32_t             ids[NB];
	struct topic_cfg    topic;
	struct part_cfg     parts[MAXP];
	struct group_cfg    group;
	const char         *client_ids[MAXC];
	struct cluster_cfg  cc;
	uint32_t            sub[1];
	int32_t             leader[MAXP];
	int32_t             leader_epoch[MAXP];
	struct flog         log[MAXP];
	struct fbroker      fb[NB];
	struct rec_store    store;
	uint32_t            next_index;
	struct append       appends[64];
	uint32_t            nappends;
	int64_t             now_ms;          /* the appending broker's clock */
	struct change {                      /* scripted: a new leader, the log cut at `cut` */
		int64_t  at;
		uint32_t part;
		int32_t  leader;
		int64_t  cut;
		uint32_t append;
	} changes[4];
	uint32_t            nchanges;
	/* the coordinator */
	struct fmember      fm[MAXM];
	uint32_t            nfm;
	uint32_t            join_seq;
	uint32_t            uuid_seq;
	int32_t             generation;
	int                 phase;           /* 0 stable/empty, 1 preparing */
	uint32_t            expect;          /* members a join waits for */
	int16_t             commit_errors[8];
	uint32_t            ncommit_errors;
	int16_t             hb_error;        /* one-shot heartbeat answer */
	int64_t             rebalance_at;    /* the coordinator starts a rebalance then */
	int64_t             committed[MAXP];
	int32_t             committed_epoch[MAXP];
	int32_t             epoch_end_epoch[MAXP];   /* OffsetsForLeaderEpoch, -2: default */
	int64_t             epoch_end_offset[MAXP];
	struct lentry       log_rx[MAXLOG];
	uint32_t            nlog;
	/* consumers */
	struct consumer     c[MAXC];
	struct consumer_cfg cfg[MAXC];
	uint32_t            cnode[MAXC];
	uint32_t            nc;
	struct proc_log     plog;
	struct tev          tevs[2048];
	uint32_t            ntevs;
	bool                started;
	struct { int64_t at; enum step_op op; uint32_t who; int64_t arg; } steps[16];
	uint32_t            nsteps;
} h;

/* ---- fake logs ------------------------------------------------------------------------------- */

static void log_append_records(uint32_t part, uint32_t count)
{
	struct flog *l = &h.log[part];
	assert_true(l->n < MAXB && count <= 64);
	uint32_t idx[64];
	for (uint32_t k = 0; k < count; k++)
		idx[k] = h.next_index++;
	uint64_t ref = rec_store_add(&h.store, 0, idx, count);
	assert_true(ref != REC_REF_NONE);
	l->b[l->n++] = (struct plog_batch){
		.base_offset = l->end, .max_timestamp_ms = h.now_ms, .producer_id = -1,
		.rec_ref = ref,
		.record_count = (int32_t)count, .leader_epoch = l->epoch, .base_sequence = -1,
		.size_bytes = (int32_t)(61 + 20 * count), .producer_epoch = -1,
	};
	l->end += count;
	l->hw = l->end;
}

/* ---- the coordinator ------------------------------------------------------------------------- */

static bool same_ref(const struct member_ref *a, const struct member_ref *b)
{
	return a->client == b->client && memcmp(a->uuid, b->uuid, 16) == 0;
}

static struct fmember *fm_find(const struct member_ref *id)
{
	for (uint32_t i = 0; i < h.nfm; i++)
		if (h.fm[i].live && same_ref(&h.fm[i].id, id))
			return &h.fm[i];
	return NULL;
}

static struct lentry *rx(struct node_ctx *ctx, uint8_t kind)
{
	assert_true(h.nlog < MAXLOG);
	struct lentry *e = &h.log_rx[h.nlog++];
	memset(e, 0, sizeof(*e));
	e->t = ctx->now_us;
	e->kind = kind;
	e->answered = -1;
	return e;
}

static void reply(struct node_ctx *ctx, conn_id conn, uint64_t corr, struct net_msg *m,
		  const void *blob, uint32_t len)
{
	m->corr = corr;
	node_send(ctx, conn, m, blob, len);
}

static void group_reply(struct node_ctx *ctx, conn_id conn, uint64_t corr, uint16_t type,
			int16_t err)
{
	struct group_resp r = {.error = err};
	struct net_msg m;
	PROTO_PUT(&m, type, r);
	reply(ctx, conn, corr, &m, NULL, 0);
}

static uint32_t live_members(void)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < h.nfm; i++)
		n += h.fm[i].live;
	return n;
}

static void complete_join(struct node_ctx *ctx)
{
	h.generation++;
	h.phase = 0;
	struct fmember *lead = NULL;
	for (uint32_t i = 0; i < h.nfm; i++)
		if (h.fm[i].live && h.fm[i].join_pending &&
		    (lead == NULL || h.fm[i].order < lead->order))
			lead = &h.fm[i];
	uint8_t blob[4096];
	uint32_t off = 0, n = 0;
	for (uint32_t i = 0; i < h.nfm; i++) {
		struct fmember *m = &h.fm[i];
		if (!m->live || !m->join_pending)
			continue;
		struct join_member jm = {m->id, m->reported_gen, m->n_topics, m->n_owned};
		memcpy(blob + off, &jm, sizeof(jm));
		off += (uint32_t)sizeof(jm);
		memcpy(blob + off, m->topics, 4 * m->n_topics);
		off += 4 * m->n_topics;
		memcpy(blob + off, m->owned, 4 * m->n_owned);
		off += 4 * m->n_owned;
		n++;
	}
	for (uint32_t i = 0; i < h.nfm; i++) {
		struct fmember *m = &h.fm[i];
		if (!m->live || !m->join_pending)
			continue;
		m->join_pending = false;
		m->n_assigned = 0;
		struct join_group_resp r = {
			.error = KERR_NONE, .protocol = lead->protocols[0],
			.generation = h.generation,
			.member = m->id, .leader = lead->id, .n_members = m == lead ? n : 0,
		};
		struct net_msg out;
		PROTO_PUT(&out, MSG_JOIN_GROUP_RESP, r);
		reply(ctx, m->jconn, m->jcorr, &out, m == lead ? blob : NULL, m == lead ? off : 0);
	}
}

/* The join completes once the expected number of members have joined; members that did
 * not rejoin are dropped (as Kafka's rebalance timeout would). */
static void maybe_complete_join(struct node_ctx *ctx)
{
	uint32_t pending = 0;
	for (uint32_t i = 0; i < h.nfm; i++)
		pending += h.fm[i].live && h.fm[i].join_pending;
	if (pending == 0 || pending < h.expect)
		return;
	for (uint32_t i = 0; i < h.nfm; i++)
		if (h.fm[i].live && !h.fm[i].join_pending)
			h.fm[i].live = false;
	complete_join(ctx);
}

static void on_join(struct node_ctx *ctx, conn_id conn, const struct net_msg *msg,
		    const uint8_t *blob, uint32_t len)
{
	struct join_group j;
	PROTO_GET(msg, j);
	assert_int_equal(len, 4 * (j.n_topics + j.n_owned));
	struct lentry *e = rx(ctx, L_JOIN);
	e->member = j.member;
	e->generation = j.generation;
	e->n = j.n_owned;
	if (member_ref_empty(&j.member)) {
		struct join_group_resp r = {.error = KERR_MEMBER_ID_REQUIRED, .generation = -1};
		r.member.client = j.member.client;
		r.member.uuid[0] = (uint8_t)(0x10 + h.uuid_seq++);
		r.member.uuid[15] = (uint8_t)(j.member.client + 1);
		e->answered = KERR_MEMBER_ID_REQUIRED;
		struct net_msg out;
		PROTO_PUT(&out, MSG_JOIN_GROUP_RESP, r);
		reply(ctx, conn, msg->corr, &out, NULL, 0);
		return;
	}
	struct fmember *m = fm_find(&j.member);
	if (m == NULL) {
		assert_true(h.nfm < MAXM);
		m = &h.fm[h.nfm++];
		memset(m, 0, sizeof(*m));
		m->id = j.member;
		m->live = true;
		m->order = h.join_seq++;
	}
	m->join_pending = true;
	m->jconn = conn;
	m->jcorr = msg->corr;
	m->reported_gen = j.generation;
	memcpy(m->protocols, j.protocols, 4);
	m->n_topics = j.n_topics;
	memcpy(m->topics, blob, 4 * j.n_topics);
	m->n_owned = j.n_owned;
	memcpy(m->owned, blob + 4 * j.n_topics, 4 * j.n_owned);
	h.phase = 1;
	maybe_complete_join(ctx);
}

static void sync_reply(struct node_ctx *ctx, struct fmember *m, conn_id conn, uint64_t corr)
{
	struct sync_group_resp r = {.error = KERR_NONE, .n_tps = m->n_assigned};
	struct net_msg out;
	PROTO_PUT(&out, MSG_SYNC_GROUP_RESP, r);
	reply(ctx, conn, corr, &out, m->assigned, 4 * m->n_assigned);
}

static void on_sync(struct node_ctx *ctx, conn_id conn, const struct net_msg *msg,
		    const uint8_t *blob, uint32_t len)
{
	struct sync_group q;
	PROTO_GET(msg, q);
	struct lentry *e = rx(ctx, L_SYNC);
	e->member = q.member;
	e->generation = q.generation;
	e->n = q.n_assignments;
	struct fmember *m = fm_find(&q.member);
	if (m == NULL || q.generation != h.generation || h.phase == 1) {
		int16_t err = m == NULL ? KERR_UNKNOWN_MEMBER_ID
			    : h.phase == 1 ? KERR_REBALANCE_IN_PROGRESS : KERR_ILLEGAL_GENERATION;
		e->answered = err;
		struct sync_group_resp r = {.error = err};
		struct net_msg out;
		PROTO_PUT(&out, MSG_SYNC_GROUP_RESP, r);
		reply(ctx, conn, msg->corr, &out, NULL, 0);
		return;
	}
	uint32_t off = 0;
	for (uint32_t a = 0; a < q.n_assignments; a++) {
		struct sync_assignment sa;
		memcpy(&sa, blob + off, sizeof(sa));
		off += (uint32_t)sizeof(sa);
		struct fmember *x = fm_find(&sa.member);
		assert_non_null(x);
		assert_true(sa.n_tps <= MAXP);
		x->n_assigned = sa.n_tps;
		memcpy(x->assigned, blob + off, 4 * sa.n_tps);
		off += 4 * sa.n_tps;
	}
	assert_int_equal(off, len);
	m->sync_pending = true;
	m->sconn = conn;
	m->scorr = msg->corr;
	/* Followers wait for the leader's assignment (a SyncGroup of this generation with
	 * assignments); then every waiting member is answered. */
	bool have_leader_assignment = false;
	for (uint32_t i = h.nlog; i-- > 0;) {
		const struct lentry *x = &h.log_rx[i];
		if (x->kind == L_SYNC && x->generation == h.generation && x->n > 0) {
			have_leader_assignment = true;
			break;
		}
	}
	if (!have_leader_assignment)
		return;
	for (uint32_t i = 0; i < h.nfm; i++) {
		struct fmember *x = &h.fm[i];
		if (x->live && x->sync_pending) {
			x->sync_pending = false;
			sync_reply(ctx, x, x->sconn, x->scorr);
		}
	}
	e->answered = KERR_NONE;
}

static void on_heartbeat(struct node_ctx *ctx, conn_id conn, const struct net_msg *msg)
{
	struct heartbeat_req q;
	PROTO_GET(msg, q);
	struct lentry *e = rx(ctx, L_HB);
	e->member = q.member;
	e->generation = q.generation;
	struct fmember *m = fm_find(&q.member);
	int16_t err = m == NULL ? KERR_UNKNOWN_MEMBER_ID
		    : q.generation != h.generation ? KERR_ILLEGAL_GENERATION
		    : h.phase == 1 ? KERR_REBALANCE_IN_PROGRESS : h.hb_error;
	if (err == h.hb_error)
		h.hb_error = KERR_NONE;
	e->answered = err;
	group_reply(ctx, conn, msg->corr, MSG_HEARTBEAT_RESP, err);
}

static void on_leave(struct node_ctx *ctx, conn_id conn, const struct net_msg *msg)
{
	struct leave_group q;
	PROTO_GET(msg, q);
	struct lentry *e = rx(ctx, L_LEAVE);
	e->member = q.member;
	struct fmember *m = fm_find(&q.member);
	if (m != NULL) {
		m->live = false;
		h.expect = h.expect > 0 ? h.expect - 1 : 0;
		if (live_members() > 0)
			h.phase = 1;
		maybe_complete_join(ctx);
	}
	e->answered = KERR_NONE;
	group_reply(ctx, conn, msg->corr, MSG_LEAVE_GROUP_RESP, KERR_NONE);
}

static void on_commit(struct node_ctx *ctx, conn_id conn, const struct net_msg *msg,
		      const uint8_t *blob, uint32_t len)
{
	struct offset_commit q;
	PROTO_GET(msg, q);
	assert_int_equal(len, q.n * sizeof(struct commit_part));
	struct lentry *e = rx(ctx, L_COMMIT);
	e->member = q.member;
	e->generation = q.generation;
	e->n = q.n;
	assert_true(q.n <= MAXP);
	memcpy(e->parts, blob, len);
	int16_t err = KERR_NONE;
	if (h.ncommit_errors > 0) {
		err = h.commit_errors[0];
		memmove(h.commit_errors, h.commit_errors + 1,
			(h.ncommit_errors - 1) * sizeof(int16_t));
		h.ncommit_errors--;
	}
	struct commit_part_resp pr[MAXP];
	for (uint32_t i = 0; i < q.n; i++) {
		pr[i] = (struct commit_part_resp){.tp = e->parts[i].tp, .error = err};
		if (err == KERR_NONE) {
			h.committed[e->parts[i].tp] = e->parts[i].offset;
			h.committed_epoch[e->parts[i].tp] = e->parts[i].leader_epoch;
		}
	}
	e->answered = err;
	struct offset_commit_resp r = {.error = err, .n = q.n};
	struct net_msg out;
	PROTO_PUT(&out, MSG_OFFSET_COMMIT_RESP, r);
	reply(ctx, conn, msg->corr, &out, pr, q.n * (uint32_t)sizeof(pr[0]));
}

static void on_offset_fetch(struct node_ctx *ctx, conn_id conn, const struct net_msg *msg,
			    const uint8_t *blob, uint32_t len)
{
	struct offset_fetch q;
	PROTO_GET(msg, q);
	assert_int_equal(len, 4 * q.n);
	struct lentry *e = rx(ctx, L_OFETCH);
	e->n = q.n;
	struct offset_fetch_part out[MAXP];
	for (uint32_t i = 0; i < q.n; i++) {
		uint32_t tp;
		memcpy(&tp, blob + 4 * i, 4);
		out[i] = (struct offset_fetch_part){tp, h.committed_epoch[tp], h.committed[tp]};
	}
	struct offset_fetch_resp r = {.error = KERR_NONE, .n = q.n};
	struct net_msg m;
	PROTO_PUT(&m, MSG_OFFSET_FETCH_RESP, r);
	reply(ctx, conn, msg->corr, &m, out, q.n * (uint32_t)sizeof(out[0]));
}

/* ---- data requests --------------------------------------------------------------------------- */

static void on_metadata(struct node_ctx *ctx, conn_id conn, const struct net_msg *msg)
{
	struct md_leader l[MAXP];
	for (uint32_t i = 0; i < h.topic.partitions; i++)
		l[i] = (struct md_leader){
			.tp = i, .leader = h.leader[i], .leader_epoch = h.leader_epoch[i],
			.error = h.leader[i] < 0 ? KERR_LEADER_NOT_AVAILABLE : KERR_NONE,
		};
	struct metadata_resp r = {.error = KERR_NONE, .topic = 0, .count = h.topic.partitions};
	struct net_msg m;
	PROTO_PUT(&m, MSG_METADATA_RESP, r);
	reply(ctx, conn, msg->corr, &m, l, h.topic.partitions * (uint32_t)sizeof(l[0]));
}

static void on_list_offsets(struct node_ctx *ctx, conn_id conn, const struct net_msg *msg)
{
	struct list_offsets q;
	PROTO_GET(msg, q);
	struct lentry *e = rx(ctx, L_LIST);
	e->ts = q.timestamp;
	e->tp = q.tp;
	const struct flog *l = &h.log[q.tp];
	struct list_offsets_resp r = {.tp = q.tp, .leader_epoch = h.leader_epoch[q.tp],
				      .offset = -1, .timestamp = -1};
	if (q.timestamp == LIST_OFFSETS_EARLIEST)
		r.offset = l->start;
	else if (q.timestamp == LIST_OFFSETS_LATEST)
		r.offset = l->hw;
	else
		for (uint32_t i = 0; i < l->n; i++)
			if (l->b[i].max_timestamp_ms >= q.timestamp &&
			    l->b[i].base_offset >= l->start) {
				r.offset = l->b[i].base_offset;
				break;
			}
	struct net_msg m;
	PROTO_PUT(&m, MSG_LIST_OFFSETS_RESP, r);
	reply(ctx, conn, msg->corr, &m, NULL, 0);
}

static void on_epoch(struct node_ctx *ctx, conn_id conn, const struct net_msg *msg)
{
	struct offsets_for_epoch q;
	PROTO_GET(msg, q);
	struct lentry *e = rx(ctx, L_EPOCH);
	e->tp = q.tp;
	e->generation = q.leader_epoch;
	struct offsets_for_epoch_resp r = {.tp = q.tp, .leader_epoch = q.leader_epoch,
					   .end_offset = h.log[q.tp].end};
	if (h.epoch_end_epoch[q.tp] != -2) {
		r.leader_epoch = h.epoch_end_epoch[q.tp];
		r.end_offset = h.epoch_end_offset[q.tp];
	}
	struct net_msg m;
	PROTO_PUT(&m, MSG_OFFSETS_FOR_LEADER_EPOCH_RESP, r);
	reply(ctx, conn, msg->corr, &m, NULL, 0);
}

/* Builds a fetch answer; returns true when it carries data or an error. */
static bool fetch_answer(struct fbroker *b, const struct fetch_req *q,
			 const struct fetch_part *parts, uint8_t *out, uint32_t *len)
{
	struct fetch_part_resp pr[MAXP];
	struct plog_batch bs[MAXB];
	uint32_t nb = 0;
	bool some = false;
	for (uint32_t i = 0; i < q->count; i++) {
		const struct fetch_part *fp = &parts[i];
		const struct flog *l = &h.log[fp->tp];
		pr[i] = (struct fetch_part_resp){.tp = fp->tp, .high_watermark = l->hw,
						 .log_start_offset = l->start,
						 .log_end_offset = l->end, .diverging_epoch = -1,
						 .leader_epoch = h.leader_epoch[fp->tp],
						 .batch_first = nb};
		if (h.leader[fp->tp] != b->id) {
			pr[i].error = KERR_NOT_LEADER_OR_FOLLOWER;
			some = true;
			continue;
		}
		if (fp->fetch_offset < l->start || fp->fetch_offset > l->end) {
			pr[i].error = KERR_OFFSET_OUT_OF_RANGE;
			some = true;
			continue;
		}
		int32_t bytes = 0;
		for (uint32_t k = 0; k < l->n; k++) {
			const struct plog_batch *x = &l->b[k];
			if (plog_batch_last(x) < fp->fetch_offset || x->base_offset < l->start)
				continue;
			if (x->base_offset >= l->hw)
				break;
			if (bytes > 0 && bytes + x->size_bytes > fp->partition_max_bytes)
				break;
			bs[nb++] = *x;
			pr[i].batch_count++;
			bytes += x->size_bytes;
		}
		some |= pr[i].batch_count > 0;
	}
	uint32_t head = q->count * (uint32_t)sizeof(pr[0]);
	memcpy(out, pr, head);
	memcpy(out + head, bs, nb * sizeof(bs[0]));
	*len = head + nb * (uint32_t)sizeof(bs[0]);
	return some;
}

static void fetch_reply(struct fbroker *b, struct node_ctx *ctx, conn_id conn, uint64_t corr,
			const struct fetch_req *q, const struct fetch_part *parts, bool may_wait)
{
	static uint8_t out[MAXP * sizeof(struct fetch_part_resp) +
			   MAXB * sizeof(struct plog_batch)];
	uint32_t len = 0;
	if (!fetch_answer(b, q, parts, out, &len) && may_wait && q->max_wait_ms > 0) {
		uint32_t i = 0;
		while (i < MAXC + 1 && b->pk[i].live)
			i++;
		assert_true(i < MAXC + 1);
		struct parked *pk = &b->pk[i];
		pk->live = true;
		pk->conn = conn;
		pk->corr = corr;
		pk->req = *q;
		memcpy(pk->parts, parts, q->count * sizeof(*parts));
		pk->timer = node_timer(ctx, q->max_wait_ms * MS, 2, i);
		return;
	}
	struct fetch_resp r = {.error = KERR_NONE, .count = q->count};
	struct net_msg m;
	PROTO_PUT(&m, MSG_FETCH_RESP, r);
	reply(ctx, conn, corr, &m, out, len);
}

static void on_fetch(struct fbroker *b, struct node_ctx *ctx, conn_id conn,
		     const struct net_msg *msg, const uint8_t *blob, uint32_t len)
{
	struct fetch_req q;
	PROTO_GET(msg, q);
	assert_int_equal(q.replica_id, -1);
	assert_int_equal(len, q.count * sizeof(struct fetch_part));
	assert_true(q.count <= MAXP);
	struct fetch_part parts[MAXP];
	memcpy(parts, blob, len);
	b->fetches++;
	fetch_reply(b, ctx, conn, msg->corr, &q, parts, true);
}

static void unpark(struct fbroker *b, struct node_ctx *ctx, uint32_t i, bool cancel)
{
	struct parked *pk = &b->pk[i];
	if (!pk->live)
		return;
	pk->live = false;
	if (cancel)
		node_timer_cancel(ctx, pk->timer);
	fetch_reply(b, ctx, pk->conn, pk->corr, &pk->req, pk->parts, false);
}

/* ---- the fake broker node -------------------------------------------------------------------- */

static void fb_start(void *model, struct node_ctx *ctx)
{
	struct fbroker *b = model;
	for (uint32_t i = 0; i < h.nappends; i++)
		if (h.leader[h.appends[i].part] == b->id)
			node_timer(ctx, h.appends[i].at, 1, i);
	if (b->id == 1 && h.rebalance_at > 0)
		node_timer(ctx, h.rebalance_at, 3, 0);
	for (uint32_t i = 0; b->id == 1 && i < h.nchanges; i++)
		node_timer(ctx, h.changes[i].at, 4, i);
}

/* A leader change with truncation: the old leader's epoch ends at `cut`, the new epoch
 * writes from there. */
static void leader_change(struct fbroker *b, struct node_ctx *ctx, const struct change *ch)
{
	struct flog *l = &h.log[ch->part];
	int32_t old_epoch = h.leader_epoch[ch->part];
	while (l->n > 0 && l->b[l->n - 1].base_offset >= ch->cut)
		l->n--;
	l->end = l->hw = ch->cut;
	h.leader[ch->part] = ch->leader;
	h.leader_epoch[ch->part] = old_epoch + 1;
	l->epoch = old_epoch + 1;
	h.epoch_end_epoch[ch->part] = old_epoch;
	h.epoch_end_offset[ch->part] = ch->cut;
	if (ch->append > 0)
		log_append_records(ch->part, ch->append);
	for (uint32_t i = 0; i < MAXC + 1; i++)
		unpark(b, ctx, i, true);
}

static void fb_halt(void *model, enum node_halt how, int64_t now_us)
{
	(void)model;
	(void)how;
	(void)now_us;
}

static void fb_conn(void *model, struct node_ctx *ctx, conn_id conn, enum conn_event ev)
{
	(void)model;
	(void)ctx;
	(void)conn;
	(void)ev;
}

static void fb_timer(void *model, struct node_ctx *ctx, uint32_t kind, uint64_t arg)
{
	struct fbroker *b = model;
	h.now_ms = ctx->wall_ms;
	if (kind == 1) {
		log_append_records(h.appends[arg].part, h.appends[arg].count);
		for (uint32_t i = 0; i < MAXC + 1; i++)
			unpark(b, ctx, i, true);
	} else if (kind == 2) {
		unpark(b, ctx, (uint32_t)arg, false);
	} else if (kind == 3) {
		h.phase = 1;   /* a rebalance: heartbeats answer REBALANCE_IN_PROGRESS */
	} else if (kind == 4) {
		leader_change(b, ctx, &h.changes[arg]);
	}
}

static void fb_message(void *model, struct node_ctx *ctx, conn_id conn, const struct net_msg *m,
		       const void *blob, uint32_t len)
{
	struct fbroker *b = model;
	switch (m->type) {
	case MSG_METADATA: on_metadata(ctx, conn, m); break;
	case MSG_FIND_COORDINATOR: {
		rx(ctx, L_FIND);
		struct find_coordinator_resp r = {.error = KERR_NONE, .node_id = 1};
		struct net_msg out;
		PROTO_PUT(&out, MSG_FIND_COORDINATOR_RESP, r);
		reply(ctx, conn, m->corr, &out, NULL, 0);
		break;
	}
	case MSG_JOIN_GROUP: on_join(ctx, conn, m, blob, len); break;
	case MSG_SYNC_GROUP: on_sync(ctx, conn, m, blob, len); break;
	case MSG_HEARTBEAT: on_heartbeat(ctx, conn, m); break;
	case MSG_LEAVE_GROUP: on_leave(ctx, conn, m); break;
	case MSG_OFFSET_COMMIT: on_commit(ctx, conn, m, blob, len); break;
	case MSG_OFFSET_FETCH: on_offset_fetch(ctx, conn, m, blob, len); break;
	case MSG_LIST_OFFSETS: on_list_offsets(ctx, conn, m); break;
	case MSG_OFFSETS_FOR_LEADER_EPOCH: on_epoch(ctx, conn, m); break;
	case MSG_FETCH: on_fetch(b, ctx, conn, m, blob, len); break;
	default: fail_msg("unexpected message type %u", m->type);
	}
}

static const struct node_ops fb_ops = {
	.start = fb_start, .halt = fb_halt, .message = fb_message, .conn_event = fb_conn,
	.timer = fb_timer,
};

/* ---- the harness ----------------------------------------------------------------------------- */

static void observe(void *ctx, int64_t t_us, const char *node, const char *ev, const char *line,
		    uint32_t len)
{
	(void)ctx;
	if (strncmp(node, "g-", 2) != 0 || h.ntevs >= 2048)
		return;
	struct tev *e = &h.tevs[h.ntevs++];
	e->t = t_us;
	snprintf(e->node, sizeof(e->node), "%s", node);
	snprintf(e->ev, sizeof(e->ev), "%s", ev);
	uint32_t n = len < sizeof(e->line) - 1 ? len : (uint32_t)sizeof(e->line) - 1;
	memcpy(e->line, line, n);
	e->line[n] = '\0';
}

static void runner(void *ctx, struct world *w, const struct sim_event *ev,
		   struct sim_handle self)
{
	(void)ctx;
	(void)self;
	uint32_t i = (uint32_t)ev->arg0;
	uint32_t node = h.cnode[h.steps[i].who];
	switch (h.steps[i].op) {
	case STEP_CRASH: world_crash(w, node, false); break;
	case STEP_RESTART: world_restart(w, node); break;
	case STEP_LEAVE: world_action(w, node, NODE_ACTION_LEAVE, 0); break;
	case STEP_STALL: world_action(w, node, NODE_ACTION_STALL, h.steps[i].arg); break;
	case STEP_STALL_END: world_action(w, node, NODE_ACTION_STALL_END, 0); break;
	}
}

static void step(int64_t at, enum step_op op, uint32_t who, int64_t arg)
{
	assert_true(h.nsteps < 16);
	uint32_t i = h.nsteps++;
	h.steps[i].at = at;
	h.steps[i].op = op;
	h.steps[i].who = who;
	h.steps[i].arg = arg;
	world_schedule_runner(&h.w, at, SIM_PHASE_FAULT, i, 0, i, 0);
}

static void add_append(int64_t at, uint32_t part, uint32_t count)
{
	assert_true(h.nappends < 64);
	h.appends[h.nappends++] = (struct append){at, part, count};
}

static struct consumer_cfg default_cfg(uint32_t i)
{
	struct consumer_cfg c = {
		.client = i, .group = 0, .topics = h.sub, .n_topics = 1, .start_us = 0,
		.process_us = 1 * MS, .commit = CONSUMER_COMMIT_AFTER_PROCESSING,
		.reset = CONSUMER_RESET_EARLIEST, .auto_commit_interval_ms = 5000,
		.session_timeout_ms = 10000, .heartbeat_interval_ms = 3000,
		.max_poll_interval_ms = 300000, .max_poll_records = 500,
		.assignors = {CFG_ASSIGNOR_RANGE, CFG_ASSIGNOR_COOPERATIVE_STICKY},
		.fetch_min_bytes = 1, .fetch_max_bytes = 52428800, .fetch_max_wait_ms = 500,
		.max_partition_fetch_bytes = 1048576, .request_timeout_ms = 30000,
		.default_api_timeout_ms = 60000, .retry_backoff_ms = 100,
		.retry_backoff_max_ms = 1000, .metadata_max_age_ms = 300000,
		.reconnect_backoff_ms = 50, .reconnect_backoff_max_ms = 1000,
		.socket_connection_setup_timeout_ms = 10000,
	};
	return c;
}

static const char *const client_names[MAXC] = {"g-1", "g-2", "g-3"};

/* A world with NB fake brokers (ids 1..3) and topic "t" of np partitions led by broker 1;
 * nc consumers of group "g" (configs in h.cfg, adjustable before run_until). */
static void setup(uint32_t np, uint32_t nc, uint64_t seed)
{
	memset(&h, 0, sizeof(h));
	assert_int_equal(sim_init(&h.k, world_dispatch, &h.w), 0);
	trace_init(&h.tr, getenv("CONSUMER_TRACE") ? stderr : NULL);
	trace_observe(&h.tr, observe, NULL);
	struct net_params net = {1000, 1000, 0, 0};
	assert_int_equal(world_init(&h.w, &h.k, &h.tr, seed, &net), NET_OK);
	world_set_runner_handler(&h.w, runner, NULL);
	for (uint32_t b = 0; b < NB; b++)
		h.ids[b] = (int32_t)b + 1;
	h.topic = (struct topic_cfg){.name = "t", .partitions = np, .first_tp = 0, .rf = 1};
	for (uint32_t i = 0; i < np; i++) {
		h.parts[i] = (struct part_cfg){.topic = 0, .partition = i, .rf = 1,
					       .replicas = &h.ids[0]};
		h.leader[i] = 1;
		h.committed[i] = -1;
		h.committed_epoch[i] = -1;
		h.epoch_end_epoch[i] = -2;
	}
	h.group = (struct group_cfg){.name = "g", .offsets_partition = 0};
	for (uint32_t i = 0; i < MAXC; i++)
		h.client_ids[i] = client_names[i];
	h.cc = (struct cluster_cfg){
		.brokers = NB, .broker_node0 = 0, .controller_node = UINT32_MAX,
		.broker_ids = h.ids, .ntopics = 1, .topics = &h.topic, .nparts = np,
		.parts = h.parts, .ngroups = 1, .groups = &h.group, .offsets_topic = UINT32_MAX,
		.nclients = MAXC, .client_ids = h.client_ids,
	};
	for (uint32_t b = 0; b < NB; b++) {
		char name[16];
		snprintf(name, sizeof(name), "broker-%u", b + 1);
		h.fb[b].id = h.ids[b];
		uint32_t idx = 0;
		assert_int_equal(world_add_node(&h.w, NODE_BROKER, name, &fb_ops, &h.fb[b], &idx),
				 NET_OK);
	}
	rec_store_init(&h.store);
	h.sub[0] = 0;
	h.nc = nc;
	h.expect = nc;
	for (uint32_t i = 0; i < nc; i++)
		h.cfg[i] = default_cfg(i);
}

/* Creates the consumers (after the test adjusted h.cfg) and starts the world. */
static void start(void)
{
	for (uint32_t i = 0; i < h.nc; i++) {
		assert_int_equal(consumer_init(&h.c[i], &h.cfg[i], &h.cc, &h.store, &h.plog), 0);
		assert_int_equal(world_add_node(&h.w, NODE_CONSUMER, client_names[i], &consumer_ops,
						&h.c[i], &h.cnode[i]), NET_OK);
	}
	h.started = true;
	world_start_all(&h.w);
}

static void run_until(int64_t us)
{
	if (!h.started)
		start();
	sim_run(&h.k, us, 0);
	assert_int_equal(world_status(&h.w), NET_OK);
	for (uint32_t i = 0; i < h.nc; i++)
		assert_false(consumer_nomem(&h.c[i]));
}

static int teardown(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < h.nc && h.started; i++)
		consumer_free(&h.c[i]);
	world_free(&h.w);
	sim_free(&h.k);
	rec_store_free(&h.store);
	free(h.plog.ev);
	return 0;
}

/* ---- queries --------------------------------------------------------------------------------- */

static uint32_t count_rx(uint8_t kind)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < h.nlog; i++)
		n += h.log_rx[i].kind == kind;
	return n;
}

/* The nth (from 0) received entry of a kind, or NULL. */
static const struct lentry *nth_rx(uint8_t kind, uint32_t nth)
{
	for (uint32_t i = 0; i < h.nlog; i++)
		if (h.log_rx[i].kind == kind && nth-- == 0)
			return &h.log_rx[i];
	return NULL;
}

static const struct tev *nth_ev(const char *node, const char *ev, uint32_t nth)
{
	for (uint32_t i = 0; i < h.ntevs; i++)
		if ((node == NULL || strcmp(h.tevs[i].node, node) == 0) &&
		    strcmp(h.tevs[i].ev, ev) == 0 && nth-- == 0)
			return &h.tevs[i];
	return NULL;
}

static uint32_t count_ev(const char *node, const char *ev)
{
	uint32_t n = 0;
	while (nth_ev(node, ev, n) != NULL)
		n++;
	return n;
}

/* The integer value of "key" in a trace line. */
__attribute__((noinline)) static int64_t field_int(const char *line, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	const char *at = strstr(line, pat);
	assert_non_null(at);
	return strtoll(at + strlen(pat), NULL, 10);
}

static int64_t commit_offset(const struct lentry *e, uint32_t tp)
{
	for (uint32_t i = 0; i < e->n; i++)
		if (e->parts[i].tp == tp)
			return e->parts[i].offset;
	return -1;
}

/* ---- the member-id handshake and the leader's assignment ------------------------------------- */

static void test_consumer_member_id_handshake(void **state)
{
	(void)state;
	setup(2, 1, 1);
	run_until(2 * SEC);
	/* KIP-394: the first JoinGroup has no member id; MEMBER_ID_REQUIRED carries one; the
	 * member joins again at once with it. */
	const struct lentry *j0 = nth_rx(L_JOIN, 0), *j1 = nth_rx(L_JOIN, 1);
	assert_non_null(j0);
	assert_non_null(j1);
	assert_true(member_ref_empty(&j0->member));
	assert_int_equal(j0->member.client, 0);
	assert_int_equal(j0->answered, KERR_MEMBER_ID_REQUIRED);
	assert_false(member_ref_empty(&j1->member));
	assert_int_equal(j1->member.uuid[0], 0x10);
	assert_int_equal(j1->member.uuid[15], 1);
	assert_int_equal(j1->t - j0->t, 2 * MS);   /* one round trip, no backoff */
	assert_int_equal(j1->generation, -1);
	assert_int_equal(count_rx(L_JOIN), 2);
	/* joined, synced, assigned both partitions */
	assert_int_equal(consumer_generation(&h.c[0]), 1);
	const uint32_t *tps;
	assert_int_equal(consumer_assignment(&h.c[0], &tps), 2);
	assert_int_equal(tps[0], 0);
	assert_int_equal(tps[1], 1);
	const struct tev *joined = nth_ev("g-1", "joined", 0);
	assert_non_null(joined);
	assert_non_null(strstr(joined->line,
			       "\"member\":\"g-1-10000000-0000-0000-0000-000000000001\""));
	assert_non_null(nth_ev("g-1", "assigned", 0));
	assert_non_null(strstr(nth_ev("g-1", "assigned", 0)->line, "[\"t-0\",\"t-1\"]"));
}

static void test_consumer_leader_computes_assignment(void **state)
{
	(void)state;
	setup(4, 2, 1);
	h.cfg[1].start_us = 100 * MS;   /* g-2 joins second: g-1 leads */
	run_until(3 * SEC);
	assert_int_equal(count_rx(L_SYNC), 2);
	/* The leader's SyncGroup carries both members' assignments, the follower's none. */
	const struct lentry *s0 = NULL, *s1 = NULL;
	for (uint32_t i = 0; i < 2; i++) {
		const struct lentry *e = nth_rx(L_SYNC, i);
		if (e->member.client == 0)
			s0 = e;
		else
			s1 = e;
	}
	assert_non_null(s0);
	assert_non_null(s1);
	assert_int_equal(s0->n, 2);
	assert_int_equal(s1->n, 0);
	/* range over 4 partitions, members sorted by member id: g-1-... then g-2-... */
	const uint32_t *tps;
	assert_int_equal(consumer_assignment(&h.c[0], &tps), 2);
	assert_int_equal(tps[0], 0);
	assert_int_equal(tps[1], 1);
	assert_int_equal(consumer_assignment(&h.c[1], &tps), 2);
	assert_int_equal(tps[0], 2);
	assert_int_equal(tps[1], 3);
	assert_non_null(strstr(nth_ev("g-1", "joined", 0)->line, "\"leader\":true"));
	assert_non_null(strstr(nth_ev("g-2", "joined", 0)->line, "\"leader\":false"));
	assert_non_null(strstr(nth_ev("g-1", "joined", 0)->line, "\"protocol\":\"range\""));
}

/* ---- commit modes ---------------------------------------------------------------------------- */

static void test_consumer_after_processing_commits_next_offsets(void **state)
{
	(void)state;
	setup(2, 1, 1);
	h.cfg[0].process_us = 10 * MS;
	add_append(1 * SEC, 0, 3);
	add_append(1 * SEC, 1, 2);
	run_until(3 * SEC);
	assert_int_equal(h.plog.n, 5);
	/* One commit after the batch's last record: next offsets of each partition. */
	uint32_t commits = 0;
	const struct lentry *c = NULL;
	for (uint32_t i = 0; i < count_rx(L_COMMIT); i++) {
		c = nth_rx(L_COMMIT, i);
		commits++;
	}
	assert_true(commits >= 1);
	c = nth_rx(L_COMMIT, commits - 1);
	assert_int_equal(h.committed[0], 3);
	assert_int_equal(h.committed[1], 2);
	assert_int_equal(commit_offset(c, 0) >= 0 || commit_offset(c, 1) >= 0, 1);
	/* Each commit leaves the member when its batch's last record completes: its poll
	 * plus 10 ms per record returned. */
	assert_int_equal(count_ev("g-1", "poll"), commits);
	uint32_t total = 0;
	for (uint32_t i = 0; i < commits; i++) {
		const struct lentry *e = nth_rx(L_COMMIT, i);
		const struct tev *poll = nth_ev("g-1", "poll", i);
		uint32_t n = (uint32_t)field_int(poll->line, "records");
		total += n;
		assert_int_equal(e->t, poll->t + (int64_t)n * 10 * MS + MS);
		assert_int_equal(e->n, 1);
	}
	assert_int_equal(total, 5);
	/* Every record was processed by an owner, in generation 1. */
	for (uint64_t i = 0; i < h.plog.n; i++) {
		assert_true(h.plog.ev[i].owned);
		assert_int_equal(h.plog.ev[i].generation, 1);
	}
}

static void test_consumer_before_processing_commits_positions_first(void **state)
{
	(void)state;
	setup(1, 1, 1);
	h.cfg[0].commit = CONSUMER_COMMIT_BEFORE_PROCESSING;
	h.cfg[0].process_us = 10 * MS;
	add_append(1 * SEC, 0, 4);
	run_until(1 * SEC + 2 * MS);
	const struct tev *poll = nth_ev("g-1", "poll", 0);
	assert_non_null(poll);
	const struct lentry *c = nth_rx(L_COMMIT, 0);
	assert_non_null(c);
	/* The positions are committed right after poll() returns, before any processing. */
	assert_int_equal(c->t, poll->t + MS);
	assert_int_equal(commit_offset(c, 0), 4);
	/* Processing starts only when the commit's answer is back. */
	int64_t p = poll->t;
	run_until(p + 2 * MS + 10 * MS - 1);
	assert_int_equal(h.plog.n, 0);
	run_until(p + 2 * MS + 10 * MS);
	assert_int_equal(h.plog.n, 1);
	run_until(2 * SEC);
	assert_int_equal(h.plog.n, 4);
	assert_int_equal(count_rx(L_COMMIT), 1);
}

static void test_consumer_before_processing_failure_skips_batch(void **state)
{
	(void)state;
	setup(1, 1, 1);
	h.cfg[0].commit = CONSUMER_COMMIT_BEFORE_PROCESSING;
	h.commit_errors[h.ncommit_errors++] = KERR_ILLEGAL_GENERATION;
	add_append(1 * SEC, 0, 4);
	run_until(3 * SEC);
	/* commitSync threw CommitFailedException: the batch was not processed; the member
	 * rejoined (generation 2) and got the records again from the committed offset. */
	assert_int_equal(consumer_errors(&h.c[0], CEX_COMMIT_FAILED), 1);
	assert_non_null(nth_ev("g-1", "commit_failed", 0));
	assert_int_equal(h.plog.n, 4);
	for (uint64_t i = 0; i < h.plog.n; i++) {
		assert_int_equal(h.plog.ev[i].generation, 2);
		assert_int_equal(h.plog.ev[i].offset, (int64_t)i);
	}
	assert_true(nth_ev("g-1", "poll", 1)->t > nth_ev("g-1", "commit_failed", 0)->t);
}

static void test_consumer_auto_commit_interval_and_before_rebalance(void **state)
{
	(void)state;
	setup(1, 1, 1);
	h.cfg[0].commit = CONSUMER_COMMIT_AUTO;
	h.cfg[0].auto_commit_interval_ms = 1000;
	h.cfg[0].process_us = 100 * MS;
	h.cfg[0].max_poll_records = 2;
	for (int i = 0; i < 10; i++)
		add_append(1 * SEC + i * 200 * MS, 0, 1);
	h.rebalance_at = 5 * SEC + 50 * MS;
	run_until(8 * SEC);
	assert_true(count_rx(L_COMMIT) >= 3);
	/* Periodic auto-commits happen inside poll() (at its start, or while it waits) once
	 * the interval passed since the last one (and since the assignment): never while a
	 * batch is being processed. */
	const struct tev *assigned = nth_ev("g-1", "assigned", 0);
	assert_non_null(assigned);
	int64_t last = assigned->t;
	uint32_t periodic = 0, at_start = 0;
	for (uint32_t i = 0; i < count_rx(L_COMMIT); i++) {
		const struct lentry *c = nth_rx(L_COMMIT, i);
		int64_t sent = c->t - MS;
		if (c->t > h.rebalance_at)
			break;
		assert_true(sent - last >= 1000 * MS);
		bool in_poll = false;
		for (uint32_t k = 0; k < count_ev("g-1", "poll"); k++) {
			const struct tev *p = nth_ev("g-1", "poll", k);
			int64_t entered = field_int(p->line, "entered_us");
			int64_t done = p->t + field_int(p->line, "records") * 100 * MS;
			bool last_poll = nth_ev("g-1", "poll", k + 1) == NULL;
			in_poll |= sent >= entered && sent <= p->t;
			in_poll |= last_poll && sent >= done;
			at_start += sent == entered;
		}
		assert_true(in_poll);
		last = sent;
		periodic++;
	}
	assert_true(periodic >= 3);
	assert_true(at_start >= 1);
	/* Before the rebalance's JoinGroup, the positions are committed (onJoinPrepare). */
	const struct lentry *rejoin = NULL;
	for (uint32_t i = 0; i < count_rx(L_JOIN); i++)
		if (nth_rx(L_JOIN, i)->t > h.rebalance_at)
			rejoin = nth_rx(L_JOIN, i);
	assert_non_null(rejoin);
	const struct lentry *before = NULL;
	for (uint32_t i = 0; i < count_rx(L_COMMIT); i++) {
		const struct lentry *c = nth_rx(L_COMMIT, i);
		if (c->t > h.rebalance_at && c->t <= rejoin->t)
			before = c;
	}
	assert_non_null(before);
	assert_int_equal(before->generation, 1);
	assert_true(rejoin->t >= before->t + 2 * MS);   /* after the commit's answer */
	assert_non_null(nth_ev("g-1", "revoked", 0));
	assert_int_equal(consumer_generation(&h.c[0]), 2);
}

static void test_consumer_max_poll_records_caps_a_poll(void **state)
{
	(void)state;
	setup(1, 1, 1);
	h.cfg[0].max_poll_records = 3;
	h.cfg[0].process_us = 5 * MS;
	add_append(1 * SEC, 0, 10);
	run_until(3 * SEC);
	assert_int_equal(h.plog.n, 10);
	assert_int_equal(count_ev("g-1", "poll"), 4);
	assert_non_null(strstr(nth_ev("g-1", "poll", 0)->line, "\"records\":3"));
	assert_non_null(strstr(nth_ev("g-1", "poll", 3)->line, "\"records\":1"));
	/* after-processing commits every batch: 3, 6, 9, 10 */
	assert_int_equal(count_rx(L_COMMIT), 4);
	assert_int_equal(commit_offset(nth_rx(L_COMMIT, 0), 0), 3);
	assert_int_equal(commit_offset(nth_rx(L_COMMIT, 1), 0), 6);
	assert_int_equal(commit_offset(nth_rx(L_COMMIT, 2), 0), 9);
	assert_int_equal(commit_offset(nth_rx(L_COMMIT, 3), 0), 10);
	for (uint64_t i = 0; i < h.plog.n; i++)
		assert_int_equal(h.plog.ev[i].offset, (int64_t)i);
}

static void test_consumer_processing_takes_process_ms_each(void **state)
{
	(void)state;
	setup(1, 1, 1);
	h.cfg[0].process_us = 7 * MS;
	h.cfg[0].commit = CONSUMER_COMMIT_NONE;
	add_append(1 * SEC, 0, 5);
	run_until(1 * SEC + 1 * MS);
	const struct tev *poll = nth_ev("g-1", "poll", 0);
	assert_non_null(poll);
	assert_non_null(strstr(poll->line, "\"records\":5"));
	/* Record k completes at exactly poll + (k + 1) * process.ms. */
	for (uint64_t k = 0; k < 5; k++) {
		run_until(poll->t + (int64_t)(k + 1) * 7 * MS - 1);
		assert_int_equal(h.plog.n, k);
		run_until(poll->t + (int64_t)(k + 1) * 7 * MS);
		assert_int_equal(h.plog.n, k + 1);
		assert_int_equal(h.plog.ev[k].offset, (int64_t)k);
		assert_int_equal(h.plog.ev[k].producer, 0);
		assert_int_equal(h.plog.ev[k].index, (uint32_t)k);
		assert_int_equal(h.plog.ev[k].tp, 0);
	}
	run_until(2 * SEC);
	assert_int_equal(count_rx(L_COMMIT), 0);
}

static void test_consumer_zero_process_ms_runs_every_batch_at_once(void **state)
{
	(void)state;
	setup(1, 1, 1);
	h.cfg[0].process_us = 0;
	h.cfg[0].commit = CONSUMER_COMMIT_NONE;
	h.cfg[0].max_poll_records = 1;
	for (int i = 0; i < 4; i++)
		add_append(1 * SEC, 0, 50);
	run_until(1 * SEC + 100 * MS);
	/* 200 polls of one record each, each fetch's records at the instant they came: the
	 * first fetch brought one batch, the next the three others. */
	assert_int_equal(h.plog.n, 200);
	assert_int_equal(count_ev("g-1", "poll"), 200);
	assert_int_equal(nth_ev("g-1", "poll", 49)->t, nth_ev("g-1", "poll", 0)->t);
	assert_int_equal(nth_ev("g-1", "poll", 199)->t, nth_ev("g-1", "poll", 50)->t);
	assert_true(nth_ev("g-1", "poll", 50)->t > nth_ev("g-1", "poll", 0)->t);
	for (uint64_t i = 0; i < h.plog.n; i++)
		assert_int_equal(h.plog.ev[i].offset, (int64_t)i);
}

/* ---- stall, leave, crash --------------------------------------------------------------------- */

static void test_consumer_stall_past_max_poll_interval_leaves(void **state)
{
	(void)state;
	setup(1, 1, 1);
	h.cfg[0].max_poll_interval_ms = 2000;
	h.cfg[0].process_us = 500 * MS;
	add_append(1 * SEC, 0, 3);
	add_append(8 * SEC, 0, 2);
	run_until(1 * SEC);
	step(1 * SEC + 200 * MS, STEP_STALL, 0, 5 * SEC);
	run_until(12 * SEC);
	const struct tev *poll = nth_ev("g-1", "poll", 0);
	assert_non_null(poll);
	/* The heartbeat thread leaves max.poll.interval.ms after poll() returned. */
	const struct lentry *leave = nth_rx(L_LEAVE, 0);
	assert_non_null(leave);
	assert_int_equal(leave->t, poll->t + 2000 * MS + MS);
	assert_non_null(nth_ev("g-1", "left_group", 0));
	/* The stalled record completed 5 s late, out of the group (generation -1, the
	 * partition still held until the next poll() gives it up as lost); the batch's
	 * commit then failed (the member had left: CommitFailedException without a request). */
	assert_int_equal(consumer_errors(&h.c[0], CEX_COMMIT_FAILED), 1);
	assert_true(h.plog.n >= 3);
	assert_true(h.plog.ev[0].owned);
	assert_int_equal(h.plog.ev[0].generation, -1);
	const uint32_t *tps;
	assert_int_equal(consumer_assignment(&h.c[0], &tps), 1);
	assert_non_null(strstr(nth_ev("g-1", "revoked", 0)->line, "\"lost\":true"));
	const struct tev *f = nth_ev("g-1", "commit_failed", 0);
	assert_non_null(f);
	assert_int_equal(f->t, poll->t + 3 * 500 * MS + 5 * SEC);
	assert_true(nth_rx(L_COMMIT, 0)->t > f->t);
	/* It rejoined as a new member (empty member id first) and consumed the rest. */
	uint32_t empty_joins = 0;
	for (uint32_t i = 0; i < count_rx(L_JOIN); i++)
		empty_joins += member_ref_empty(&nth_rx(L_JOIN, i)->member);
	assert_int_equal(empty_joins, 2);
	assert_int_equal(consumer_generation(&h.c[0]), 2);
	assert_int_equal(h.plog.ev[h.plog.n - 1].offset, 4);
}

static void test_consumer_stall_while_polling_waits_for_a_record(void **state)
{
	(void)state;
	setup(1, 1, 1);
	h.cfg[0].max_poll_interval_ms = 2000;
	h.cfg[0].process_us = 10 * MS;
	add_append(1 * SEC, 0, 2);
	run_until(500 * MS);
	step(500 * MS, STEP_STALL, 0, 3 * SEC);
	run_until(8 * SEC);
	/* Idle inside poll() at 0.5 s: the first record (from 1 s) takes 3 s longer. */
	const struct tev *poll = nth_ev("g-1", "poll", 0);
	assert_non_null(poll);
	assert_non_null(strstr(nth_ev("g-1", "stall", 0)->line, "pending"));
	assert_int_equal(nth_rx(L_LEAVE, 0)->t, poll->t + 2000 * MS + MS);
	const struct tev *f = nth_ev("g-1", "commit_failed", 0);
	assert_non_null(f);
	assert_int_equal(f->t, poll->t + 3 * SEC + 2 * 10 * MS);
	assert_int_equal(consumer_errors(&h.c[0], CEX_COMMIT_FAILED), 1);
}

static void test_consumer_stall_end_resumes_early(void **state)
{
	(void)state;
	setup(1, 1, 1);
	h.cfg[0].process_us = 10 * MS;
	h.cfg[0].commit = CONSUMER_COMMIT_NONE;
	add_append(1 * SEC, 0, 2);
	run_until(1 * SEC);
	step(1 * SEC + 5 * MS, STEP_STALL, 0, -1);
	step(1 * SEC + 505 * MS, STEP_STALL_END, 0, 0);
	run_until(3 * SEC);
	const struct tev *poll = nth_ev("g-1", "poll", 0);
	assert_non_null(poll);
	assert_int_equal(h.plog.n, 2);
	assert_int_equal(count_rx(L_LEAVE), 0);
	assert_true(h.plog.ev[0].owned);
}

static void test_consumer_leave_commits_and_sends_leave_group(void **state)
{
	(void)state;
	setup(1, 1, 1);
	h.cfg[0].commit = CONSUMER_COMMIT_AUTO;
	h.cfg[0].process_us = 10 * MS;
	add_append(1 * SEC, 0, 4);
	add_append(3 * SEC, 0, 4);
	run_until(1 * SEC);
	step(1 * SEC + 15 * MS, STEP_LEAVE, 0, 0);
	run_until(5 * SEC);
	/* The batch was finished, close() committed the positions, then LeaveGroup. */
	assert_int_equal(h.plog.n, 4);
	const struct lentry *c = nth_rx(L_COMMIT, count_rx(L_COMMIT) - 1);
	assert_non_null(c);
	assert_int_equal(commit_offset(c, 0), 4);
	const struct lentry *leave = nth_rx(L_LEAVE, 0);
	assert_non_null(leave);
	assert_true(leave->t >= c->t);
	assert_int_equal(count_rx(L_LEAVE), 1);
	const uint32_t *tps;
	assert_int_equal(consumer_assignment(&h.c[0], &tps), 0);
	assert_non_null(nth_ev("g-1", "consumer_closed", 0));
	/* Nothing more: the records of 3 s are not consumed. */
	uint32_t fetches = h.fb[0].fetches;
	run_until(8 * SEC);
	assert_int_equal(h.fb[0].fetches, fetches);
}

static void test_consumer_crash_sends_no_leave_and_restarts_new(void **state)
{
	(void)state;
	setup(1, 1, 1);
	h.cfg[0].commit = CONSUMER_COMMIT_AFTER_PROCESSING;
	add_append(1 * SEC, 0, 3);
	add_append(5 * SEC, 0, 3);
	run_until(1 * SEC);
	step(2 * SEC, STEP_CRASH, 0, 0);
	step(4 * SEC, STEP_RESTART, 0, 0);
	run_until(8 * SEC);
	assert_int_equal(count_rx(L_LEAVE), 0);
	/* The restart is a new member: it starts with an empty member id again... */
	uint32_t empty_joins = 0;
	for (uint32_t i = 0; i < count_rx(L_JOIN); i++)
		empty_joins += member_ref_empty(&nth_rx(L_JOIN, i)->member);
	assert_int_equal(empty_joins, 2);
	/* ...and resumes from the committed offset: no record twice. */
	assert_int_equal(h.plog.n, 6);
	for (uint64_t i = 0; i < h.plog.n; i++)
		assert_int_equal(h.plog.ev[i].offset, (int64_t)i);
	const struct lentry *f = nth_rx(L_OFETCH, 1);
	assert_non_null(f);
	assert_true(f->t > 4 * SEC);
}

/* ---- auto.offset.reset, out of range, truncation --------------------------------------------- */

static void test_consumer_reset_earliest(void **state)
{
	(void)state;
	setup(1, 1, 1);
	h.cfg[0].start_us = 500 * MS;
	h.cfg[0].reset = CONSUMER_RESET_EARLIEST;
	add_append(100 * MS, 0, 5);
	h.log[0].start = 0;
	run_until(6 * SEC);
	const struct lentry *l = nth_rx(L_LIST, 0);
	assert_non_null(l);
	assert_int_equal(l->ts, LIST_OFFSETS_EARLIEST);
	assert_int_equal(h.plog.n, 5);
	assert_int_equal(h.plog.ev[0].offset, 0);
	assert_non_null(strstr(nth_ev("g-1", "offset_reset", 0)->line,
			       "\"why\":\"no_committed_offset\""));
}

static void test_consumer_reset_latest(void **state)
{
	(void)state;
	setup(1, 1, 1);
	h.cfg[0].start_us = 500 * MS;
	h.cfg[0].reset = CONSUMER_RESET_LATEST;
	add_append(100 * MS, 0, 5);
	add_append(6 * SEC, 0, 2);
	run_until(8 * SEC);
	const struct lentry *l = nth_rx(L_LIST, 0);
	assert_non_null(l);
	assert_int_equal(l->ts, LIST_OFFSETS_LATEST);
	/* Only what came after the reset to the HW (5). */
	assert_int_equal(h.plog.n, 2);
	assert_int_equal(h.plog.ev[0].offset, 5);
	assert_int_equal(h.plog.ev[1].offset, 6);
}

static void test_consumer_reset_none_raises_no_offset(void **state)
{
	(void)state;
	setup(2, 1, 1);
	h.cfg[0].start_us = 500 * MS;
	h.cfg[0].reset = CONSUMER_RESET_NONE;
	h.committed[1] = 2;   /* partition 1 has a committed offset, partition 0 none */
	add_append(100 * MS, 0, 5);
	add_append(100 * MS, 1, 5);
	run_until(8 * SEC);
	assert_int_equal(consumer_errors(&h.c[0], CEX_NO_OFFSET_FOR_PARTITION), 1);
	assert_int_equal(count_rx(L_LIST), 0);
	/* Partition 0 stays unfetchable; partition 1 goes on from its committed offset. */
	assert_int_equal(h.plog.n, 3);
	for (uint64_t i = 0; i < h.plog.n; i++) {
		assert_int_equal(h.plog.ev[i].tp, 1);
		assert_int_equal(h.plog.ev[i].offset, (int64_t)i + 2);
	}
	assert_string_equal(consumer_exception_name(CEX_NO_OFFSET_FOR_PARTITION),
			    "NoOffsetForPartitionException");
}

static void test_consumer_out_of_range_resets_or_raises(void **state)
{
	(void)state;
	setup(1, 1, 1);
	h.cfg[0].start_us = 500 * MS;
	h.committed[0] = 50;   /* beyond the log end */
	add_append(100 * MS, 0, 5);
	run_until(6 * SEC);
	/* earliest: OFFSET_OUT_OF_RANGE resets to the log start. */
	assert_int_equal(h.plog.n, 5);
	assert_non_null(strstr(nth_ev("g-1", "offset_reset", 0)->line,
			       "\"why\":\"offset_out_of_range\""));
	teardown(NULL);
	setup(1, 1, 1);
	h.cfg[0].start_us = 500 * MS;
	h.cfg[0].reset = CONSUMER_RESET_NONE;
	h.committed[0] = 50;
	add_append(100 * MS, 0, 5);
	run_until(6 * SEC);
	assert_int_equal(h.plog.n, 0);
	assert_int_equal(consumer_errors(&h.c[0], CEX_OFFSET_OUT_OF_RANGE), 1);
}

static void test_consumer_truncation_detected_by_epoch_validation(void **state)
{
	(void)state;
	setup(1, 1, 1);
	h.cfg[0].start_us = 500 * MS;
	/* Committed offset 8 with leader epoch 3; the leader's epoch 3 ended at 6: the log
	 * was truncated under the position (KIP-320). */
	h.committed[0] = 8;
	h.committed_epoch[0] = 3;
	h.leader_epoch[0] = 4;
	h.log[0].epoch = 4;
	h.epoch_end_epoch[0] = 3;
	h.epoch_end_offset[0] = 6;
	add_append(100 * MS, 0, 10);
	run_until(6 * SEC);
	const struct lentry *e = nth_rx(L_EPOCH, 0);
	assert_non_null(e);
	assert_int_equal(e->generation, 3);   /* the epoch of the committed position */
	assert_non_null(strstr(nth_ev("g-1", "offset_reset", 0)->line, "\"why\":\"truncation\""));
	assert_int_equal(h.plog.n, 4);
	assert_int_equal(h.plog.ev[0].offset, 6);
	teardown(NULL);
	setup(1, 1, 1);
	h.cfg[0].start_us = 500 * MS;
	h.cfg[0].reset = CONSUMER_RESET_NONE;
	h.committed[0] = 8;
	h.committed_epoch[0] = 3;
	h.leader_epoch[0] = 4;
	h.epoch_end_epoch[0] = 3;
	h.epoch_end_offset[0] = 6;
	add_append(100 * MS, 0, 10);
	run_until(6 * SEC);
	assert_int_equal(consumer_errors(&h.c[0], CEX_LOG_TRUNCATION), 1);
	assert_int_equal(h.plog.n, 0);
}

static void test_consumer_leader_change_validates_position(void **state)
{
	(void)state;
	setup(1, 1, 1);
	h.cfg[0].commit = CONSUMER_COMMIT_NONE;
	for (int k = 0; k < 5; k++)
		add_append(1 * SEC, 0, 1);   /* batch by batch: the cut falls between */
	/* At 3 s broker 2 leads in epoch 1; the log was cut at 3 under the member's
	 * position 5, and two new records follow. */
	h.changes[h.nchanges++] = (struct change){3 * SEC, 0, 2, 3, 2};
	run_until(6 * SEC);
	/* KIP-320: the new leader epoch makes the member validate its position with the
	 * epoch of the last record it consumed (0); the end offset 3 is below 5: it seeks to
	 * 3 and consumes the new records there. */
	const struct lentry *e = nth_rx(L_EPOCH, 0);
	assert_non_null(e);
	assert_int_equal(e->generation, 0);
	assert_true(e->t > 3 * SEC);
	assert_non_null(strstr(nth_ev("g-1", "offset_reset", 1)->line, "\"why\":\"truncation\""));
	assert_int_equal(h.plog.n, 7);
	assert_int_equal(h.plog.ev[5].offset, 3);
	assert_int_equal(h.plog.ev[5].index, 5);
	assert_int_equal(h.plog.ev[6].offset, 4);
	assert_int_equal(h.plog.ev[6].index, 6);
	assert_true(h.fb[1].fetches > 0);
	teardown(NULL);
	setup(1, 1, 1);
	h.cfg[0].commit = CONSUMER_COMMIT_NONE;
	h.cfg[0].reset = CONSUMER_RESET_NONE;
	h.committed[0] = 0;
	for (int k = 0; k < 5; k++)
		add_append(1 * SEC, 0, 1);   /* batch by batch: the cut falls between */
	h.changes[h.nchanges++] = (struct change){3 * SEC, 0, 2, 3, 2};
	run_until(6 * SEC);
	assert_int_equal(consumer_errors(&h.c[0], CEX_LOG_TRUNCATION), 1);
	assert_int_equal(h.plog.n, 5);
}

static void test_consumer_reset_by_duration(void **state)
{
	(void)state;
	setup(1, 1, 1);
	h.cfg[0].start_us = 2 * SEC;
	h.cfg[0].reset = CONSUMER_RESET_BY_DURATION;
	h.cfg[0].reset_by_duration_ms = 500;
	add_append(1 * SEC, 0, 2);
	add_append(1600 * MS, 0, 3);
	run_until(4 * SEC);
	/* ListOffsets for now - 500 ms: the first batch at or after it is the one of 1.6 s. */
	const struct lentry *l = nth_rx(L_LIST, 0);
	assert_non_null(l);
	assert_int_equal(l->ts, (l->t - MS) / MS - 500);
	assert_int_equal(h.plog.n, 3);
	assert_int_equal(h.plog.ev[0].offset, 2);
	teardown(NULL);
	/* Nothing that new: the member resets to the end (latest). */
	setup(1, 1, 1);
	h.cfg[0].start_us = 2 * SEC;
	h.cfg[0].reset = CONSUMER_RESET_BY_DURATION;
	h.cfg[0].reset_by_duration_ms = 100;
	add_append(1 * SEC, 0, 2);
	add_append(3 * SEC, 0, 1);
	run_until(5 * SEC);
	assert_int_equal(nth_rx(L_LIST, 1)->ts, LIST_OFFSETS_LATEST);
	assert_int_equal(h.plog.n, 1);
	assert_int_equal(h.plog.ev[0].offset, 2);
}

static void test_consumer_rediscovers_coordinator(void **state)
{
	(void)state;
	setup(1, 1, 1);
	h.hb_error = KERR_NOT_COORDINATOR;
	add_append(8 * SEC, 0, 2);
	run_until(10 * SEC);
	/* NOT_COORDINATOR on a heartbeat: FindCoordinator again; the generation stays. */
	assert_int_equal(count_rx(L_FIND), 2);
	assert_non_null(nth_ev("g-1", "coordinator_lost", 0));
	assert_int_equal(count_rx(L_JOIN), 2);
	assert_int_equal(consumer_generation(&h.c[0]), 1);
	assert_true(count_rx(L_HB) >= 3);
	assert_int_equal(h.plog.n, 2);
}

/* ---- commit failures ------------------------------------------------------------------------- */

static void test_consumer_commit_failed_on_illegal_generation(void **state)
{
	(void)state;
	setup(1, 1, 1);
	h.commit_errors[h.ncommit_errors++] = KERR_ILLEGAL_GENERATION;
	add_append(1 * SEC, 0, 2);
	run_until(4 * SEC);
	assert_int_equal(consumer_errors(&h.c[0], CEX_COMMIT_FAILED), 1);
	const struct tev *f = nth_ev("g-1", "commit_failed", 0);
	assert_non_null(f);
	assert_non_null(strstr(f->line, "\"exception\":\"CommitFailedException\""));
	assert_non_null(strstr(f->line, "\"error\":\"ILLEGAL_GENERATION\""));
	/* The generation was reset (member id kept) and the member rejoined. */
	const struct lentry *last = nth_rx(L_JOIN, count_rx(L_JOIN) - 1);
	assert_int_equal(count_rx(L_JOIN), 3);
	assert_false(member_ref_empty(&last->member));
	assert_int_equal(consumer_generation(&h.c[0]), 2);
}

static void test_consumer_rebalance_in_progress_on_commit(void **state)
{
	(void)state;
	setup(1, 1, 1);
	h.commit_errors[h.ncommit_errors++] = KERR_REBALANCE_IN_PROGRESS;
	add_append(1 * SEC, 0, 2);
	run_until(4 * SEC);
	/* Kafka 4.1: REBALANCE_IN_PROGRESS on commitSync is RebalanceInProgressException. */
	assert_int_equal(consumer_errors(&h.c[0], CEX_REBALANCE_IN_PROGRESS), 1);
	assert_int_equal(consumer_errors(&h.c[0], CEX_COMMIT_FAILED), 0);
}

/* ---- cooperative rebalancing ----------------------------------------------------------------- */

static void test_consumer_cooperative_revokes_then_rejoins(void **state)
{
	(void)state;
	setup(4, 2, 1);
	h.expect = 1;
	for (uint32_t i = 0; i < 2; i++) {
		h.cfg[i].assignors[0] = CFG_ASSIGNOR_COOPERATIVE_STICKY;
		h.cfg[i].assignors[1] = 0;
	}
	h.cfg[1].start_us = 3 * SEC;
	run_until(2 * SEC);
	const uint32_t *tps;
	assert_int_equal(consumer_assignment(&h.c[0], &tps), 4);
	h.phase = 1;   /* the coordinator rebalances when g-2 joins */
	h.expect = 2;
	run_until(8 * SEC);
	/* First rebalance: g-1 keeps 2, gives 2 up (revoked) and rejoins; second: g-2 gets
	 * them. g-1 kept consuming its partitions throughout. */
	assert_non_null(nth_ev("g-1", "revoked", 0));
	assert_int_equal(consumer_assignment(&h.c[0], &tps), 2);
	assert_int_equal(consumer_assignment(&h.c[1], &tps), 2);
	assert_int_equal(consumer_generation(&h.c[0]), 3);
	assert_int_equal(consumer_generation(&h.c[1]), 3);
	/* the cooperative JoinGroup reported the owned partitions */
	bool reported = false;
	for (uint32_t i = 0; i < count_rx(L_JOIN); i++) {
		const struct lentry *j = nth_rx(L_JOIN, i);
		reported |= j->member.client == 0 && j->n == 4;
	}
	assert_true(reported);
}

static void test_consumer_join_answer_waits_for_poll(void **state)
{
	(void)state;
	setup(2, 2, 1);
	for (uint32_t i = 0; i < 2; i++) {
		h.cfg[i].assignors[0] = CFG_ASSIGNOR_COOPERATIVE_STICKY;
		h.cfg[i].assignors[1] = 0;
		h.cfg[i].process_us = 300 * MS;
		h.cfg[i].max_poll_records = 1;
	}
	for (int i = 0; i < 20; i++) {
		add_append(1 * SEC + i * 100 * MS, 0, 2);
		add_append(1 * SEC + i * 100 * MS, 1, 2);
	}
	run_until(1 * SEC);
	step(3 * SEC, STEP_LEAVE, 1, 0);
	run_until(12 * SEC);
	assert_int_equal(count_rx(L_LEAVE), 1);
	/* g-1 rejoined from poll() and went on processing its partition; the JoinGroup answer
	 * came while it processed, so its SyncGroup (with the leader's assignment) left only
	 * at its next poll(). */
	const struct lentry *j = NULL, *sy = NULL;
	for (uint32_t i = 0; i < count_rx(L_JOIN); i++)
		if (nth_rx(L_JOIN, i)->t > 3 * SEC)
			j = j ? j : nth_rx(L_JOIN, i);
	assert_non_null(j);
	for (uint32_t i = 0; i < count_rx(L_SYNC); i++)
		if (nth_rx(L_SYNC, i)->t > j->t)
			sy = sy ? sy : nth_rx(L_SYNC, i);
	assert_non_null(sy);
	assert_int_equal(sy->n, 1);
	bool at_poll = false;
	for (uint32_t k = 0; k < count_ev("g-1", "poll"); k++)
		at_poll |= field_int(nth_ev("g-1", "poll", k)->line, "entered_us") == sy->t - MS;
	assert_true(at_poll);
	assert_true(sy->t - j->t > 100 * MS);
	const uint32_t *tps;
	assert_int_equal(consumer_assignment(&h.c[0], &tps), 2);
}

/* ---- determinism ----------------------------------------------------------------------------- */

static void run_scenario(uint64_t seed, char digest[65], uint64_t *n)
{
	setup(4, 2, seed);
	h.cfg[0].commit = CONSUMER_COMMIT_AUTO;
	h.cfg[1].start_us = 200 * MS;
	h.cfg[0].max_poll_interval_ms = 3000;
	for (int i = 0; i < 20; i++)
		add_append(1 * SEC + i * 100 * MS, (uint32_t)i % 4, 3);
	h.rebalance_at = 4 * SEC;
	run_until(1 * SEC);
	step(2 * SEC, STEP_STALL, 0, 4 * SEC);
	run_until(15 * SEC);
	trace_digest_hex(&h.tr, digest);
	*n = h.plog.n;
}

static void test_consumer_runs_are_deterministic(void **state)
{
	(void)state;
	char a[65], b[65];
	uint64_t na, nb;
	run_scenario(7, a, &na);
	teardown(NULL);
	run_scenario(7, b, &nb);
	assert_string_equal(a, b);
	assert_int_equal(na, nb);
	assert_true(na > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_consumer_member_id_handshake, teardown),
		cmocka_unit_test_teardown(test_consumer_leader_computes_assignment, teardown),
		cmocka_unit_test_teardown(test_consumer_after_processing_commits_next_offsets,
					  teardown),
		cmocka_unit_test_teardown(test_consumer_before_processing_commits_positions_first,
					  teardown),
		cmocka_unit_test_teardown(test_consumer_before_processing_failure_skips_batch,
					  teardown),
		cmocka_unit_test_teardown(test_consumer_auto_commit_interval_and_before_rebalance,
					  teardown),
		cmocka_unit_test_teardown(test_consumer_max_poll_records_caps_a_poll, teardown),
		cmocka_unit_test_teardown(test_consumer_processing_takes_process_ms_each, teardown),
		cmocka_unit_test_teardown(test_consumer_zero_process_ms_runs_every_batch_at_once,
					  teardown),
		cmocka_unit_test_teardown(test_consumer_stall_past_max_poll_interval_leaves,
					  teardown),
		cmocka_unit_test_teardown(test_consumer_stall_while_polling_waits_for_a_record,
					  teardown),
		cmocka_unit_test_teardown(test_consumer_stall_end_resumes_early, teardown),
		cmocka_unit_test_teardown(test_consumer_leave_commits_and_sends_leave_group,
					  teardown),
		cmocka_unit_test_teardown(test_consumer_crash_sends_no_leave_and_restarts_new,
					  teardown),
		cmocka_unit_test_teardown(test_consumer_reset_earliest, teardown),
		cmocka_unit_test_teardown(test_consumer_reset_latest, teardown),
		cmocka_unit_test_teardown(test_consumer_reset_none_raises_no_offset, teardown),
		cmocka_unit_test_teardown(test_consumer_out_of_range_resets_or_raises, teardown),
		cmocka_unit_test_teardown(test_consumer_truncation_detected_by_epoch_validation,
					  teardown),
		cmocka_unit_test_teardown(test_consumer_leader_change_validates_position,
					  teardown),
		cmocka_unit_test_teardown(test_consumer_reset_by_duration, teardown),
		cmocka_unit_test_teardown(test_consumer_rediscovers_coordinator, teardown),
		cmocka_unit_test_teardown(test_consumer_commit_failed_on_illegal_generation,
					  teardown),
		cmocka_unit_test_teardown(test_consumer_rebalance_in_progress_on_commit, teardown),
		cmocka_unit_test_teardown(test_consumer_cooperative_revokes_then_rejoins, teardown),
		cmocka_unit_test_teardown(test_consumer_join_answer_waits_for_poll, teardown),
		cmocka_unit_test_teardown(test_consumer_runs_are_deterministic, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
