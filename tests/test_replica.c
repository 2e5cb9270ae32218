/*
 * test_replica.c — the leader's side of a partition (model/replica.c, driven through a real
 * broker) against Kafka's rules: the high-watermark rule (Partition.maybeIncrementLeaderHW,
 * with the strict min-ISR rule of 3.7+), lastCaughtUpTime (Replica.updateFetchStateOrThrow),
 * produce (acks, min.insync.replicas, DelayedProduce, timestamps, idempotence) and the
 * follower and consumer fetch paths (divergence, offset range, leader epochs, HW bound).
 *
 * Broker 1 is a real broker (broker_ops) on a real kernel and world. Everything around it is
 * a fake written here: a controller that answers heartbeats, long-polls the broker's
 * metadata fetch and serves the records a test pushes (PartitionRecord and broker records,
 * which is how the broker learns ISR and leader changes), two followers (brokers 2 and 3)
 * that send the Fetch requests a test scripts, and a client that produces and consumes.
 * Each test names the Kafka source rule it pins (PART = Partition.scala, Replica.scala;
 * RM = ReplicaManager.scala, DelayedProduce.scala; UL = UnifiedLog / LogValidator).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model/broker.h"
#include "model/cluster.h"
#include "model/errors.h"
#include "model/mdimage.h"
#include "model/plog.h"
#include "model/proto.h"
#include "sim/kernel.h"
#include "sim/net.h"
#include "sim/trace.h"
#include "sim/world.h"

#define NB          3                      /* brokers 1 (real), 2, 3 (fake followers) */
#define CTL_NODE    0u
#define BROKER_NODE 1u
#define CLIENT      2u                     /* peers: [0] broker 2, [1] broker 3, [2] client */
#define NPEERS      3u
#define LAT_US      INT64_C(1000)          /* one-way delay on every link */
#define MS          INT64_C(1000)
#define SEC         INT64_C(1000000)
#define LAG_MS      INT64_C(30000)         /* replica.lag.time.max.ms */
#define MAXT        3
#define MAXP        4
#define MAXRF       3
#define MAXB        64
#define MD_WAIT     1u                     /* fake controller timer: a long poll ran out */

/* ---- the fake controller ---------------------------------------------------------------- */

struct fake_ctl {
	struct md_image img;
	struct md_log   log;
	bool            parked;        /* the broker's metadata fetch waits here */
	conn_id         md_conn;
	uint64_t        md_corr;
	int64_t         md_from;
	uint64_t        md_gen;
	uint32_t        n_alter;       /* AlterPartition requests seen (never answered) */
	struct alter_partition alter;
	int32_t         alter_isr[MAXRF];
};

/* ---- the fake followers and the client --------------------------------------------------- */

struct peer {
	uint32_t node;
	int32_t  id;                   /* broker id, or -1 for the client */
	conn_id  conn;                 /* to broker 1 */
	uint64_t corr;
	uint32_t n_fetch;              /* fetch answers */
	struct fetch_part_resp fr;
	uint32_t nbatch;
	struct plog_batch batch[MAXB];
	int64_t  fetch_at;
	uint32_t n_prod;               /* produce answers */
	struct produce_part_resp pr;
	int64_t  prod_at;
};

struct tdef {
	int64_t  min_isr;
	uint32_t rf;
	uint32_t nparts;
	int32_t  replicas[MAXP][MAXRF];
};

struct harness {
	struct sim_kernel  k;
	struct trace       tr;
	struct world       w;
	bool               ready;
	struct cluster_cfg cc;
	struct broker_cfg  bcfg;
	struct broker      b;
	struct fake_ctl    fc;
	struct peer        peer[NPEERS];
	struct topic_cfg   topics[MAXT];
	char               names[MAXT][8];
	struct part_cfg    parts[MAXP];
	int32_t            replicas[MAXP][MAXRF];
	int32_t            ids[NB];
	uint64_t           rec_ref;
};

static struct harness h;

static void ctl_answer(struct node_ctx *ctx)
{
	struct fake_ctl *c = &h.fc;
	if (!c->parked)
		return;
	c->parked = false;
	uint64_t from = (uint64_t)c->md_from, n = c->log.n;
	assert_true(from <= n);
	uint64_t len = 0;
	const uint8_t *bytes = md_log_slice(&c->log, from, n, &len);
	struct metadata_fetch_resp r = {
		.error = KERR_NONE, .count = (uint32_t)(n - from), .from_offset = c->md_from,
		.end_offset = (int64_t)n,
	};
	struct net_msg m;
	PROTO_PUT(&m, MSG_METADATA_FETCH_RESP, r);
	m.corr = c->md_corr;
	m.bytes = 64 + (uint32_t)len;
	(void)node_send(ctx, c->md_conn, &m, len ? bytes : NULL, (uint32_t)len);
}

static void ctl_message(void *model, struct node_ctx *ctx, conn_id conn, const struct net_msg *m,
			const void *blob, uint32_t len)
{
	struct fake_ctl *c = model;
	struct net_msg out;
	switch (m->type) {
	case MSG_BROKER_HEARTBEAT: {
		struct broker_heartbeat_resp r = {
			.error = KERR_NONE, .metadata_end = (int64_t)c->log.n,
		};
		PROTO_PUT(&out, MSG_BROKER_HEARTBEAT_RESP, r);
		out.corr = m->corr;
		out.bytes = 64;
		(void)node_send(ctx, conn, &out, NULL, 0);
		break;
	}
	case MSG_METADATA_FETCH: {
		struct metadata_fetch q;
		PROTO_GET(m, q);
		c->parked = true;
		c->md_conn = conn;
		c->md_corr = m->corr;
		c->md_from = q.from_offset;
		if (q.from_offset < (int64_t)c->log.n || q.max_wait_ms <= 0) {
			ctl_answer(ctx);
			break;
		}
		node_timer(ctx, q.max_wait_ms * MS, MD_WAIT, ++c->md_gen);
		break;
	}
	case MSG_ALTER_PARTITION:
		PROTO_GET(m, c->alter);
		assert_true(c->alter.n_isr <= MAXRF);
		for (uint32_t i = 0; i < c->alter.n_isr; i++) {
			struct alter_isr_member mem;
			memcpy(&mem, (const uint8_t *)blob + i * sizeof(mem), sizeof(mem));
			c->alter_isr[i] = mem.broker_id;
		}
		assert_int_equal(len, c->alter.n_isr * sizeof(struct alter_isr_member));
		c->n_alter++;
		break;
	default:
		fail_msg("controller: unexpected message type %u", m->type);
	}
}

static void ctl_timer(void *model, struct node_ctx *ctx, uint32_t kind, uint64_t arg)
{
	struct fake_ctl *c = model;
	assert_int_equal(kind, MD_WAIT);
	if (c->parked && arg == c->md_gen)
		ctl_answer(ctx);
}

static void nop_start(void *model, struct node_ctx *ctx)
{
	(void)model;
	(void)ctx;
}

static void nop_halt(void *model, enum node_halt how, int64_t now_us)
{
	(void)model;
	(void)how;
	(void)now_us;
}

static void nop_conn(void *model, struct node_ctx *ctx, conn_id conn, enum conn_event ev)
{
	(void)model;
	(void)ctx;
	(void)conn;
	(void)ev;
}

static const struct node_ops fake_ctl_ops = {
	.start = nop_start,
	.halt = nop_halt,
	.message = ctl_message,
	.conn_event = nop_conn,
	.timer = ctl_timer,
};

static void peer_start(void *model, struct node_ctx *ctx)
{
	struct peer *p = model;
	p->conn = node_connect(ctx, BROKER_NODE, 10 * SEC);
	assert_int_not_equal(p->conn, 0);
}

static void peer_message(void *model, struct node_ctx *ctx, conn_id conn,
			 const struct net_msg *m, const void *blob, uint32_t len)
{
	struct peer *p = model;
	if (conn != p->conn)
		return;   /* broker 1's own fetcher, once it follows: never answered */
	if (m->type == MSG_FETCH_RESP) {
		struct fetch_resp r;
		PROTO_GET(m, r);
		assert_int_equal(r.count, 1);
		assert_true(len >= sizeof(p->fr));
		memcpy(&p->fr, blob, sizeof(p->fr));
		p->nbatch = (uint32_t)((len - sizeof(p->fr)) / sizeof(struct plog_batch));
		assert_true(p->nbatch <= MAXB);
		assert_int_equal(p->nbatch, p->fr.batch_count);
		if (p->nbatch > 0)
			memcpy(p->batch, (const uint8_t *)blob + sizeof(p->fr),
			       p->nbatch * sizeof(struct plog_batch));
		p->fetch_at = ctx->now_us;
		p->n_fetch++;
	} else if (m->type == MSG_PRODUCE_RESP) {
		struct produce_resp r;
		PROTO_GET(m, r);
		assert_int_equal(r.count, 1);
		assert_int_equal(len, sizeof(p->pr));
		memcpy(&p->pr, blob, sizeof(p->pr));
		p->prod_at = ctx->now_us;
		p->n_prod++;
	} else {
		fail_msg("peer: unexpected message type %u", m->type);
	}
}

static void peer_timer(void *model, struct node_ctx *ctx, uint32_t kind, uint64_t arg)
{
	(void)model;
	(void)ctx;
	(void)kind;
	(void)arg;
	fail_msg("peer: no timers");
}

static const struct node_ops peer_ops = {
	.start = peer_start,
	.halt = nop_halt,
	.message = peer_message,
	.conn_event = nop_conn,
	.timer = peer_timer,
};

/* ---- the harness ---------------------------------------------------------------------- */

static void fill_broker_cfg(void)
{
	/* The runner's defaults (sim/runner.c, docs/scenario-format.md). */
	h.bcfg = (struct broker_cfg){
		.broker_id = 1, .broker_heartbeat_interval_ms = 2000,
		.broker_session_timeout_ms = 9000, .controller_request_timeout_ms = 2000,
		.socket_connection_setup_timeout_ms = 10000, .reconnect_backoff_ms = 50,
		.replica_lag_time_max_ms = LAG_MS, .replica_fetch_wait_max_ms = 500,
		.replica_fetch_min_bytes = 1, .replica_fetch_max_bytes = 1048576,
		.replica_fetch_backoff_ms = 1000, .replica_hw_checkpoint_interval_ms = 5000,
		.log_retention_check_interval_ms = 300000, .log_initial_task_delay_ms = 30000,
		.dirty_writeback_us = 30 * SEC, .truncation = TRUNCATE_LEADER_EPOCH,
		.group_initial_rebalance_delay_ms = 3000, .group_min_session_timeout_ms = 6000,
		.group_max_session_timeout_ms = 1800000, .offsets_commit_timeout_ms = 5000,
	};
}

static void setup(const struct tdef *t, uint32_t nt)
{
	memset(&h, 0, sizeof(h));
	assert_true(nt <= MAXT);
	uint32_t tp = 0;
	for (uint32_t i = 0; i < nt; i++) {
		snprintf(h.names[i], sizeof(h.names[i]), "t%u", i);
		h.topics[i] = (struct topic_cfg){
			.name = h.names[i], .partitions = t[i].nparts, .first_tp = tp,
			.rf = t[i].rf,
			.min_insync_replicas = t[i].min_isr,
			.timestamp_before_max_ms = INT64_MAX,      /* Long.MAX_VALUE */
			.timestamp_after_max_ms = 3600000,         /* KIP-1030, 4.0 */
			.max_message_bytes = 1048588,
		};
		plog_config_defaults(&h.topics[i].log);
		for (uint32_t p = 0; p < t[i].nparts; p++, tp++) {
			assert_true(tp < MAXP);
			memcpy(h.replicas[tp], t[i].replicas[p], sizeof(h.replicas[tp]));
			h.parts[tp] = (struct part_cfg){
				.topic = i, .partition = p, .rf = t[i].rf,
				.replicas = h.replicas[tp],
			};
		}
	}
	for (int32_t b = 0; b < NB; b++)
		h.ids[b] = b + 1;
	h.cc = (struct cluster_cfg){
		.brokers = NB, .broker_node0 = 1, .controller_node = CTL_NODE,
		.broker_ids = h.ids,
		.ntopics = nt, .topics = h.topics, .nparts = tp, .parts = h.parts,
		.offsets_topic = UINT32_MAX,
	};
	fill_broker_cfg();
	assert_int_equal(broker_init(&h.b, &h.bcfg, &h.cc, 0), 0);
	assert_int_equal(md_image_init(&h.fc.img, &h.cc), 0);
	md_log_init(&h.fc.log);
	assert_int_equal(sim_init(&h.k, world_dispatch, &h.w), 0);
	trace_init(&h.tr, NULL);
	struct net_params np = {LAT_US, LAT_US, 0, 0};
	assert_int_equal(world_init(&h.w, &h.k, &h.tr, 11, &np), NET_OK);
	h.ready = true;
	uint32_t idx = 0;
	assert_int_equal(world_add_node(&h.w, NODE_CONTROLLER, "controller-1", &fake_ctl_ops,
					&h.fc, &idx), NET_OK);
	assert_int_equal(world_add_node(&h.w, NODE_BROKER, "broker-1", &broker_ops, &h.b, &idx),
			 NET_OK);
	assert_int_equal(idx, BROKER_NODE);
	for (uint32_t i = 0; i < NPEERS; i++) {
		h.peer[i] = (struct peer){.node = 2 + i, .id = i < 2 ? (int32_t)i + 2 : -1};
		char name[16];
		snprintf(name, sizeof(name), i < 2 ? "broker-%u" : "client-%u", i + 2);
		assert_int_equal(world_add_node(&h.w, i < 2 ? NODE_BROKER : NODE_PRODUCER, name,
						&peer_ops, &h.peer[i], &idx), NET_OK);
		assert_int_equal(idx, 2 + i);
	}
	world_start_all(&h.w);
}

/* One topic, tp 0 with replicas [1, 2, 3] (broker 1 leads at epoch 0), and tp 1 with
 * replicas [2, 3], which broker 1 does not host. */
static void setup_rf3(int64_t min_isr)
{
	struct tdef t[] = {
		{.min_isr = min_isr, .rf = 3, .nparts = 1, .replicas = {{1, 2, 3}}},
		{.min_isr = 1, .rf = 2, .nparts = 1, .replicas = {{2, 3}}},
	};
	setup(t, 2);
}

static int teardown(void **state)
{
	(void)state;
	if (h.ready) {
		world_free(&h.w);
		sim_free(&h.k);
		broker_free(&h.b);
		md_image_free(&h.fc.img);
		md_log_free(&h.fc.log);
		h.ready = false;
	}
	return 0;
}

static int64_t now(void)
{
	return world_now_us(&h.w);
}

static void run_to(int64_t t_us)
{
	assert_true(t_us >= now());
	(void)sim_run(&h.k, t_us, 0);
	assert_int_equal(world_status(&h.w), NET_OK);
	assert_int_equal(now(), t_us);
	assert_false(h.b.oom);
}

static void run_for(int64_t d_us)
{
	run_to(now() + d_us);
}

/* Acts as node `node` at the current instant, as the world does when it calls a model. */
static struct node_ctx actx;

static struct node_ctx *act_as(uint32_t node)
{
	actx = (struct node_ctx){
		.world = &h.w, .node = node, .now_us = now(), .wall_ms = now() / 1000,
		.prng = &h.w.nodes[node].prng,
	};
	h.w.in_model++;
	return &actx;
}

static void act_done(void)
{
	h.w.in_model--;
}

static struct replica *rep(uint32_t tp)
{
	assert_true(h.b.replicas[tp].hosted);
	return &h.b.replicas[tp];
}

static int64_t leo(uint32_t tp)
{
	return plog_leo(&rep(tp)->log);
}

static int64_t hw(uint32_t tp)
{
	return plog_hw(&rep(tp)->log);
}

static const struct follower_state *fstate(uint32_t tp, int32_t id)
{
	struct replica *r = rep(tp);
	for (uint32_t i = 0; i < r->nfs; i++)
		if (r->fs[i].broker_id == id)
			return &r->fs[i];
	fail_msg("no follower %d", id);
	return NULL;
}

/* The controller writes a partition's new state; broker 1 learns it by its metadata fetch. */
static void push_partition(uint32_t tp, int32_t leader, int32_t leader_epoch, int32_t part_epoch,
			   const int32_t *isr, uint32_t n)
{
	struct md_part_state *p = &h.fc.img.parts[tp];
	p->leader = leader;
	p->leader_epoch = leader_epoch;
	p->partition_epoch = part_epoch;
	p->n_isr = (uint16_t)n;
	memcpy(p->isr, isr, n * sizeof(int32_t));
	assert_int_equal(md_log_append_partition(&h.fc.log, &h.fc.img, tp), 0);
	struct node_ctx *ctx = act_as(CTL_NODE);
	ctl_answer(ctx);
	act_done();
	run_for(3 * LAT_US);
	assert_int_equal(h.b.img.offset, (int64_t)h.fc.log.n);
}

static void push_broker(int32_t id, bool fenced, bool shutting_down)
{
	int b = md_broker_index(&h.cc, id);
	h.fc.img.brokers[b].fenced = fenced;
	h.fc.img.brokers[b].shutting_down = shutting_down;
	assert_int_equal(md_log_append_broker(&h.fc.log, &h.fc.img, (uint32_t)b), 0);
	struct node_ctx *ctx = act_as(CTL_NODE);
	ctl_answer(ctx);
	act_done();
	run_for(3 * LAT_US);
	assert_int_equal(h.b.img.offset, (int64_t)h.fc.log.n);
}

#define LIST(...) (const int32_t[]){__VA_ARGS__}, \
	(uint32_t)(sizeof((const int32_t[]){__VA_ARGS__}) / sizeof(int32_t))

static void peer_send(struct peer *p, struct net_msg *m, const void *blob, uint32_t len)
{
	m->corr = ++p->corr;
	m->bytes = 64 + len;
	struct node_ctx *ctx = act_as(p->node);
	assert_true(node_send(ctx, p->conn, m, blob, len));
	act_done();
}

/* Sends one Produce of `records` records to tp (no answer is awaited). */
static void send_produce(int16_t acks, int32_t timeout_ms, uint32_t tp, int32_t records,
			 int64_t ts_ms, int64_t pid, int16_t pepoch, int32_t seq)
{
	struct produce_part pp = {
		.tp = tp, .record_count = records, .base_sequence = seq,
		.size_bytes = 100 * records,
		.max_timestamp_ms = ts_ms, .rec_ref = ++h.rec_ref, .producer_id = pid,
		.producer_epoch = pepoch,
	};
	struct produce_req q = {
		.acks = acks, .producer_epoch = pepoch, .timeout_ms = timeout_ms,
		.producer_id = pid, .count = 1,
	};
	struct net_msg m;
	PROTO_PUT(&m, MSG_PRODUCE, q);
	peer_send(&h.peer[CLIENT], &m, &pp, sizeof(pp));
}

/* A plain (non-idempotent) produce stamped with the client's clock, then one round trip. */
static void produce(int16_t acks, int32_t timeout_ms, uint32_t tp, int32_t records)
{
	send_produce(acks, timeout_ms, tp, records, now() / 1000, -1, -1, -1);
	run_for(2 * LAT_US);
}

static const struct produce_part_resp *last_produce(void)
{
	return &h.peer[CLIENT].pr;
}

/* Sends one Fetch of tp from `who` (a peer index), answered at once (max_wait 0). */
static void send_fetch(uint32_t who, uint32_t tp, int64_t offset, int32_t last_epoch,
		       int32_t current_leader_epoch)
{
	struct peer *p = &h.peer[who];
	int b = p->id >= 0 ? md_broker_index(&h.cc, p->id) : -1;
	struct fetch_part fp = {
		.tp = tp, .current_leader_epoch = current_leader_epoch, .fetch_offset = offset,
		.last_fetched_epoch = last_epoch, .partition_max_bytes = 1 << 20,
	};
	struct fetch_req q = {
		.replica_id = p->id, .max_wait_ms = 0,
		.broker_epoch = b >= 0 ? h.b.img.brokers[b].broker_epoch : -1,
		.min_bytes = 1, .max_bytes = 1 << 20, .count = 1,
	};
	struct net_msg m;
	PROTO_PUT(&m, MSG_FETCH, q);
	peer_send(p, &m, &fp, sizeof(fp));
}

/* The same, then one round trip for the answer. */
static const struct peer *fetch(uint32_t who, uint32_t tp, int64_t offset, int32_t last_epoch,
				int32_t current_leader_epoch)
{
	uint32_t before = h.peer[who].n_fetch;
	send_fetch(who, tp, offset, last_epoch, current_leader_epoch);
	run_for(2 * LAT_US);
	assert_int_equal(h.peer[who].n_fetch, before + 1);
	return &h.peer[who];
}

/* A follower fetch from broker `id` at `offset`, in the leader's current epoch. */
static const struct fetch_part_resp *follow(int32_t id, uint32_t tp, int64_t offset)
{
	return &fetch((uint32_t)id - 2, tp, offset, -1, rep(tp)->leader_epoch)->fr;
}

/* ---- the high watermark ------------------------------------------------------------------- */

/* PART maybeIncrementLeaderHW: HW = the smallest LEO among the leader and the followers in
 * the (maximal) ISR; a follower whose LEO is unknown since this broker became leader
 * (resetReplicaState: UNKNOWN_OFFSET_METADATA) holds it back. The leader learns a
 * follower's LEO from its fetch offset. */
static void test_repl_hw_is_min_leo_over_leader_and_isr_followers(void **state)
{
	(void)state;
	setup_rf3(1);
	run_to(10 * MS);
	assert_true(rep(0)->is_leader);
	for (int i = 0; i < 3; i++)
		produce(1, 30000, 0, 1);
	assert_int_equal(leo(0), 3);
	assert_int_equal(hw(0), 0);
	follow(2, 0, 3);
	assert_int_equal(fstate(0, 2)->leo, 3);
	assert_int_equal(fstate(0, 3)->leo, -1);
	assert_int_equal(hw(0), 0);                   /* 3's LEO is still unknown */
	follow(3, 0, 1);
	assert_int_equal(hw(0), 1);
	follow(3, 0, 2);
	assert_int_equal(hw(0), 2);
	follow(3, 0, 3);
	assert_int_equal(hw(0), 3);
}

/* PART maybeIncrementLeaderHW / Replica.isCaughtUp: a follower outside the ISR whose
 * lastCaughtUpTime is within replica.lag.time.max.ms (now - lastCaughtUp <= 30000) and which
 * is ISR-eligible is waited for ("the leader also waits for a recovering follower that is
 * about to join"); past that it is not. */
static void test_repl_hw_waits_for_caught_up_follower_outside_isr(void **state)
{
	(void)state;
	setup_rf3(1);
	run_to(10 * MS);
	follow(3, 0, 0);
	int64_t caught_up = fstate(0, 3)->last_caught_up_us;
	assert_int_equal(caught_up, 10 * MS + LAT_US);
	run_to(1 * SEC);
	push_partition(0, 1, 0, 1, LIST(1, 2));
	run_to(2 * SEC);
	produce(1, 30000, 0, 1);
	follow(2, 0, 1);
	assert_int_equal(hw(0), 0);                   /* 3 (LEO 0) caught up 3 s ago */
	/* A fetch landing exactly replica.lag.time.max.ms after 3 caught up: 3 is still
	 * waited for; one landing a microsecond later: no longer. */
	int64_t limit = caught_up + LAG_MS * MS;
	run_to(limit - LAT_US);
	send_fetch(0, 0, 1, -1, 0);
	run_for(1);
	send_fetch(0, 0, 1, -1, 0);
	run_to(limit);
	assert_int_equal(hw(0), 0);
	run_to(limit + 1);
	assert_int_equal(hw(0), 1);
}

/* PART maybeIncrementLeaderHW: shouldWaitForReplicaToJoinIsr also needs
 * isReplicaIsrEligible (KIP-841, KIP-903): a fenced or shutting-down follower outside the
 * ISR, or one that has not fetched since this broker became leader, is not waited for,
 * however recently it caught up. */
static void test_repl_hw_ignores_ineligible_follower_outside_isr(void **state)
{
	(void)state;
	setup_rf3(1);
	run_to(10 * MS);
	follow(3, 0, 0);
	run_to(1 * SEC);
	push_partition(0, 1, 0, 1, LIST(1, 2));
	push_broker(3, true, false);
	run_to(2 * SEC);
	produce(1, 30000, 0, 1);
	follow(2, 0, 1);
	assert_int_equal(hw(0), 1);                   /* fenced 3 is not waited for */
	push_broker(3, false, true);
	produce(1, 30000, 0, 1);
	follow(2, 0, 2);
	assert_int_equal(hw(0), 2);                   /* nor is a shutting-down 3 */
	/* A new leader epoch: 3 was in the ISR then (lastCaughtUp = now) but leaves it at
	 * once without having fetched: its broker epoch is unknown, so it is not eligible. */
	push_broker(3, false, false);
	push_partition(0, 1, 1, 2, LIST(1, 2, 3));
	push_partition(0, 1, 1, 3, LIST(1, 2));
	produce(1, 30000, 0, 1);
	follow(2, 0, 3);
	assert_int_equal(hw(0), 3);
}

/* PART maybeIncrementLeaderHW, Kafka 3.7+: "if (isUnderMinIsr) return false" — no HW
 * movement while |ISR| < effectiveMinIsr = min(min.insync.replicas, replication factor),
 * even when every replica has the records; acks=0/1 writes are still accepted. */
static void test_repl_hw_frozen_while_isr_below_min_isr(void **state)
{
	(void)state;
	struct tdef t[] = {
		{.min_isr = 2, .rf = 3, .nparts = 1, .replicas = {{1, 2, 3}}},
		{.min_isr = 5, .rf = 3, .nparts = 1, .replicas = {{1, 2, 3}}},
	};
	setup(t, 2);
	run_to(1 * SEC);
	push_partition(0, 1, 0, 1, LIST(1));
	produce(1, 30000, 0, 1);
	assert_int_equal(last_produce()->error, KERR_NONE);
	assert_int_equal(leo(0), 1);
	follow(2, 0, 1);
	follow(3, 0, 1);
	assert_int_equal(hw(0), 0);
	push_partition(0, 1, 0, 2, LIST(1, 2));
	assert_int_equal(hw(0), 1);
	/* min.insync.replicas 5 with RF 3: the effective minimum is 3 */
	produce(-1, 30000, 1, 1);
	assert_int_equal(h.peer[CLIENT].n_prod, 1);   /* waiting, not NOT_ENOUGH_REPLICAS */
	follow(2, 1, 1);
	follow(3, 1, 1);
	assert_int_equal(hw(1), 1);
	assert_int_equal(h.peer[CLIENT].n_prod, 2);
	assert_int_equal(last_produce()->error, KERR_NONE);
}

/* PART maybeIncrementLeaderHW: the HW only ever increases on the leader
 * ("newHighWatermark > oldHighWatermark"); makeLeader keeps it and resets the followers'
 * LEOs to unknown, so a re-elected leader waits for every ISR follower's next fetch. */
static void test_repl_hw_never_decreases_and_new_epoch_waits_for_followers(void **state)
{
	(void)state;
	setup_rf3(1);
	run_to(10 * MS);
	produce(1, 30000, 0, 2);
	follow(2, 0, 2);
	follow(3, 0, 2);
	assert_int_equal(hw(0), 2);
	follow(3, 0, 1);                              /* a follower behind the HW */
	assert_int_equal(hw(0), 2);
	push_partition(0, 1, 1, 1, LIST(1, 2, 3));
	assert_int_equal(rep(0)->leader_epoch, 1);
	assert_int_equal(fstate(0, 2)->leo, -1);
	assert_int_equal(hw(0), 2);
	produce(1, 30000, 0, 1);
	follow(2, 0, 3);
	assert_int_equal(hw(0), 2);
	follow(3, 0, 3);
	assert_int_equal(hw(0), 3);
}

/* PART Replica.updateFetchStateOrThrow: lastCaughtUpTime becomes the fetch time when the
 * fetch offset reaches the leader's LEO; else the previous fetch's time when the fetch
 * offset reaches the LEO the leader had at that previous fetch; else it stays. */
static void test_repl_last_caught_up_time_follows_update_fetch_state(void **state)
{
	(void)state;
	setup_rf3(1);
	run_to(1 * SEC);
	follow(2, 0, 0);                              /* LEO 0: caught up */
	assert_int_equal(fstate(0, 2)->last_caught_up_us, 1 * SEC + LAT_US);
	run_to(2 * SEC);
	produce(1, 30000, 0, 1);                      /* LEO 1 */
	run_to(3 * SEC);
	follow(2, 0, 0);                              /* 0 >= LEO at the 1 s fetch (0) */
	assert_int_equal(fstate(0, 2)->last_caught_up_us, 1 * SEC + LAT_US);
	run_to(4 * SEC);
	produce(1, 30000, 0, 1);                      /* LEO 2 */
	run_to(5 * SEC);
	follow(2, 0, 1);                              /* 1 >= LEO at the 3 s fetch (1) */
	assert_int_equal(fstate(0, 2)->last_caught_up_us, 3 * SEC + LAT_US);
	run_to(6 * SEC);
	produce(1, 30000, 0, 1);                      /* LEO 3 */
	run_to(7 * SEC);
	follow(2, 0, 1);                              /* 1 < LEO at the 5 s fetch (2) */
	assert_int_equal(fstate(0, 2)->last_caught_up_us, 3 * SEC + LAT_US);
	run_to(8 * SEC);
	follow(2, 0, 3);
	assert_int_equal(fstate(0, 2)->last_caught_up_us, 8 * SEC + LAT_US);
}

/* ---- ISR changes --------------------------------------------------------------------- */

/* PART maybeExpandIsr / canAddReplicaToIsr / isFollowerInSync: a follower outside the ISR
 * whose LEO reaches the HW and its leader epoch's start offset, and which is ISR-eligible
 * (not fenced: KIP-841), is proposed with an AlterPartition naming the leader's epochs; the
 * pending addition is part of the maximal ISR, so the HW waits for it at once. */
static void test_repl_isr_expand_proposes_follower_at_hw(void **state)
{
	(void)state;
	setup_rf3(1);
	run_to(1 * SEC);
	push_partition(0, 1, 0, 1, LIST(1, 2));
	produce(1, 30000, 0, 2);
	follow(2, 0, 2);
	assert_int_equal(hw(0), 2);
	push_broker(3, true, false);
	follow(3, 0, 2);
	assert_int_equal(h.fc.n_alter, 0);            /* fenced: not eligible */
	push_broker(3, false, false);
	follow(3, 0, 1);
	assert_int_equal(h.fc.n_alter, 0);            /* below the HW */
	follow(3, 0, 2);
	assert_int_equal(h.fc.n_alter, 1);
	assert_int_equal(h.fc.alter.leader, 1);
	assert_int_equal(h.fc.alter.leader_epoch, 0);
	assert_int_equal(h.fc.alter.partition_epoch, 1);
	assert_int_equal(h.fc.alter.n_isr, 3);
	assert_int_equal(h.fc.alter_isr[2], 3);
	produce(1, 30000, 0, 1);
	follow(2, 0, 3);
	assert_int_equal(hw(0), 2);                   /* 3 is in the maximal ISR */
	push_partition(0, 1, 0, 2, LIST(1, 2, 3));
	assert_int_equal(rep(0)->n_isr, 3);
	follow(3, 0, 3);
	assert_int_equal(hw(0), 3);
}

/* PART maybeShrinkIsr / getOutOfSyncReplicas, run every replica.lag.time.max.ms / 2
 * (ReplicaManager "isr-expiration"): an ISR follower that is neither at the leader's LEO
 * nor caught up within replica.lag.time.max.ms is proposed for removal, at the first run
 * after its lag passes 30 s. */
static void test_repl_isr_shrink_proposes_lagging_follower_removal(void **state)
{
	(void)state;
	setup_rf3(1);
	run_to(1 * SEC);
	follow(3, 0, 0);                              /* last caught up at 1.001 s */
	run_to(2 * SEC);
	produce(1, 30000, 0, 1);
	follow(2, 0, 1);                              /* 2 stays at the leader's LEO */
	run_to(45 * SEC - 1);
	assert_int_equal(h.fc.n_alter, 0);            /* 30 s run: 28.999 s behind */
	run_to(45 * SEC + LAT_US);
	assert_int_equal(h.fc.n_alter, 1);
	assert_int_equal(h.fc.alter.n_isr, 2);
	assert_int_equal(h.fc.alter_isr[0], 1);
	assert_int_equal(h.fc.alter_isr[1], 2);
	assert_int_equal(rep(0)->n_isr, 3);           /* until the controller commits it */
}

/* ---- produce ------------------------------------------------------------------------------- */

/* PART appendRecordsToLeader: "if (inSyncSize < minIsr && requiredAcks == -1) throw
 * NotEnoughReplicasException" before the log is touched (LEO unchanged); acks=1 writes are
 * accepted with the same ISR. The check comes before the log's own validation
 * (LogValidator timestamps), so it wins over a bad timestamp. */
static void test_repl_produce_acks_all_below_min_isr_is_not_enough_replicas(void **state)
{
	(void)state;
	setup_rf3(2);
	run_to(1 * SEC);
	push_partition(0, 1, 0, 1, LIST(1));
	produce(-1, 30000, 0, 1);
	assert_int_equal(h.peer[CLIENT].n_prod, 1);
	assert_int_equal(last_produce()->error, KERR_NOT_ENOUGH_REPLICAS);
	assert_int_equal(last_produce()->base_offset, -1);
	assert_int_equal(leo(0), 0);
	send_produce(-1, 30000, 0, 1, (now() + LAT_US) / 1000 + 3600001, -1, -1, -1);
	run_for(2 * LAT_US);
	assert_int_equal(last_produce()->error, KERR_NOT_ENOUGH_REPLICAS);
	produce(1, 30000, 0, 1);
	assert_int_equal(last_produce()->error, KERR_NONE);
	assert_int_equal(last_produce()->base_offset, 0);
	assert_int_equal(leo(0), 1);
}

/* RM appendRecords: acks=1 answers once the leader has appended (no waiting for the HW);
 * acks=0 is never answered, though the records are appended. */
static void test_repl_produce_acks_1_answers_at_once_acks_0_never(void **state)
{
	(void)state;
	setup_rf3(1);
	run_to(1 * SEC);
	int64_t sent = now();
	produce(1, 30000, 0, 2);
	assert_int_equal(h.peer[CLIENT].n_prod, 1);
	assert_int_equal(h.peer[CLIENT].prod_at, sent + 2 * LAT_US);
	assert_int_equal(last_produce()->error, KERR_NONE);
	assert_int_equal(last_produce()->base_offset, 0);
	assert_int_equal(hw(0), 0);
	produce(0, 30000, 0, 1);
	run_for(5 * SEC);
	assert_int_equal(h.peer[CLIENT].n_prod, 1);
	assert_int_equal(leo(0), 3);
}

/* DelayedProduce.tryComplete / PART checkEnoughReplicasReachOffset: acks=all is answered
 * when the HW reaches the request's end offset; REQUEST_TIMED_OUT when the request's
 * timeout passes first (the records stay appended). */
static void test_repl_produce_acks_all_waits_for_hw_then_times_out(void **state)
{
	(void)state;
	setup_rf3(2);
	run_to(1 * SEC);
	produce(-1, 30000, 0, 1);
	assert_int_equal(h.peer[CLIENT].n_prod, 0);
	assert_int_equal(leo(0), 1);
	follow(2, 0, 1);
	assert_int_equal(h.peer[CLIENT].n_prod, 0);   /* 3 is in the ISR and has not */
	int64_t sent = now();
	follow(3, 0, 1);
	assert_int_equal(h.peer[CLIENT].n_prod, 1);
	assert_int_equal(h.peer[CLIENT].prod_at, sent + 2 * LAT_US);
	assert_int_equal(last_produce()->error, KERR_NONE);
	assert_int_equal(last_produce()->base_offset, 0);
	/* nobody fetches: the request times out after its own timeout */
	run_to(2 * SEC);
	produce(-1, 1000, 0, 1);
	run_to(2 * SEC + LAT_US + 1000 * MS + LAT_US - 1);
	assert_int_equal(h.peer[CLIENT].n_prod, 1);
	run_for(1);
	assert_int_equal(h.peer[CLIENT].n_prod, 2);
	assert_int_equal(last_produce()->error, KERR_REQUEST_TIMED_OUT);
	assert_int_equal(leo(0), 2);
}

/* PART checkEnoughReplicasReachOffset: once the HW reaches the required offset, the answer
 * is NOT_ENOUGH_REPLICAS_AFTER_APPEND if the maximal ISR is then below min ISR (the
 * records were written). Under the strict min-ISR HW rule the HW cannot pass the offset
 * while the ISR is too small, so the test stands the HW where concurrent follower fetches
 * could have put it before the ISR shrink was applied. */
static void test_repl_produce_not_enough_replicas_after_append(void **state)
{
	(void)state;
	setup_rf3(2);
	run_to(1 * SEC);
	produce(-1, 30000, 0, 1);
	assert_int_equal(h.peer[CLIENT].n_prod, 0);
	plog_set_hw(&rep(0)->log, 1);
	push_partition(0, 1, 0, 1, LIST(1));
	assert_int_equal(h.peer[CLIENT].n_prod, 1);
	assert_int_equal(last_produce()->error, KERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND);
	assert_int_equal(leo(0), 1);
}

/* RM appendToLocalLog / PART appendRecordsToLeader: a broker that does not lead the
 * partition answers NOT_LEADER_OR_FOLLOWER; DelayedProduce answers a waiting request the
 * same way when the broker stops leading (Case A). */
static void test_repl_produce_to_non_leader_is_not_leader_or_follower(void **state)
{
	(void)state;
	setup_rf3(1);
	run_to(1 * SEC);
	produce(1, 30000, 1, 1);                      /* tp 1: replicas [2, 3] */
	assert_int_equal(last_produce()->error, KERR_NOT_LEADER_OR_FOLLOWER);
	produce(-1, 30000, 0, 1);
	assert_int_equal(h.peer[CLIENT].n_prod, 1);
	push_partition(0, 2, 1, 1, LIST(1, 2, 3));
	assert_false(rep(0)->is_leader);
	assert_int_equal(h.peer[CLIENT].n_prod, 2);
	assert_int_equal(last_produce()->error, KERR_NOT_LEADER_OR_FOLLOWER);
	produce(1, 30000, 0, 1);
	assert_int_equal(last_produce()->error, KERR_NOT_LEADER_OR_FOLLOWER);
}

/* UL LogValidator.validateTimestamp (CreateTime): rejected when the timestamp is more than
 * message.timestamp.after.max.ms (3600000 since 4.0, KIP-1030) ahead of the broker's clock
 * (strictly more); nothing is appended. */
static void test_repl_produce_timestamp_too_far_ahead_is_invalid_timestamp(void **state)
{
	(void)state;
	setup_rf3(1);
	run_to(1 * SEC);
	int64_t arrive_ms = (now() + LAT_US) / 1000;
	send_produce(1, 30000, 0, 1, arrive_ms + 3600000, -1, -1, -1);
	run_for(2 * LAT_US);
	assert_int_equal(last_produce()->error, KERR_NONE);
	assert_int_equal(leo(0), 1);
	arrive_ms = (now() + LAT_US) / 1000;
	send_produce(1, 30000, 0, 1, arrive_ms + 3600001, -1, -1, -1);
	run_for(2 * LAT_US);
	assert_int_equal(last_produce()->error, KERR_INVALID_TIMESTAMP);
	assert_int_equal(leo(0), 1);
}

/* UL analyzeAndValidateProducerState (KIP-98): a batch whose sequence range is one of the
 * producer's last five is a duplicate: answered with the original base offset, nothing
 * appended. */
static void test_repl_produce_idempotent_duplicate_returns_original_offset(void **state)
{
	(void)state;
	setup_rf3(1);
	run_to(1 * SEC);
	send_produce(1, 30000, 0, 3, now() / 1000, 42, 0, 0);
	run_for(2 * LAT_US);
	assert_int_equal(last_produce()->error, KERR_NONE);
	assert_int_equal(last_produce()->base_offset, 0);
	send_produce(1, 30000, 0, 2, now() / 1000, 42, 0, 3);
	run_for(2 * LAT_US);
	assert_int_equal(last_produce()->base_offset, 3);
	assert_int_equal(leo(0), 5);
	send_produce(1, 30000, 0, 3, now() / 1000, 42, 0, 0);
	run_for(2 * LAT_US);
	assert_int_equal(h.peer[CLIENT].n_prod, 3);
	assert_int_equal(last_produce()->error, KERR_NONE);
	assert_int_equal(last_produce()->base_offset, 0);
	assert_int_equal(leo(0), 5);
}

/* ---- fetch ---------------------------------------------------------------------------- */

/* Leader log for the fetch tests: epoch 0 holds [0, 3), epoch 2 holds [3, 5). */
static void build_two_epoch_log(void)
{
	run_to(1 * SEC);
	produce(1, 30000, 0, 3);
	push_partition(0, 1, 2, 1, LIST(1, 2, 3));
	assert_int_equal(rep(0)->leader_epoch, 2);
	produce(1, 30000, 0, 2);
	assert_int_equal(leo(0), 5);
}

/* PART readRecords (KIP-595 divergingEpoch, Kafka 2.7+): the leader looks up the end of
 * the follower's lastFetchedEpoch (LeaderEpochFileCache.endOffsetFor: largest epoch <= it,
 * ending where the next one starts); if that epoch is smaller or ends before fetchOffset it
 * answers divergingEpoch {epoch, endOffset} and no data, and does not update the
 * follower's state (fetchRecords: "!logReadInfo.divergingEpoch.isPresent"). */
static void test_repl_fetch_diverging_epoch_answer(void **state)
{
	(void)state;
	setup_rf3(1);
	build_two_epoch_log();
	/* the follower holds epoch 1, which this leader never had */
	const struct fetch_part_resp *r = &fetch(0, 0, 5, 1, 2)->fr;
	assert_int_equal(r->error, KERR_NONE);
	assert_int_equal(r->diverged, 1);
	assert_int_equal(r->diverging_epoch, 0);
	assert_int_equal(r->diverging_end_offset, 3);
	assert_int_equal(r->batch_count, 0);
	assert_int_equal(fstate(0, 2)->leo, -1);
	/* the follower has epoch-0 records up to 4, but epoch 0 ends at 3 here */
	r = &fetch(0, 0, 4, 0, 2)->fr;
	assert_int_equal(r->diverged, 1);
	assert_int_equal(r->diverging_epoch, 0);
	assert_int_equal(r->diverging_end_offset, 3);
	/* consistent logs get data */
	r = &fetch(0, 0, 3, 0, 2)->fr;
	assert_int_equal(r->diverged, 0);
	assert_int_equal(r->batch_count, 1);
	assert_int_equal(h.peer[0].batch[0].base_offset, 3);
	assert_int_equal(h.peer[0].batch[0].leader_epoch, 2);
	assert_int_equal(fstate(0, 2)->leo, 3);
	r = &fetch(0, 0, 5, 2, 2)->fr;
	assert_int_equal(r->diverged, 0);
	assert_int_equal(r->batch_count, 0);
}

/* UL read / PART readRecords: a fetch offset above the LEO or below the log start offset is
 * OFFSET_OUT_OF_RANGE; below the log start it is so "regardless of whether epochs are
 * diverging" (checked before the divergence test). */
static void test_repl_fetch_offset_out_of_range(void **state)
{
	(void)state;
	setup_rf3(1);
	build_two_epoch_log();
	const struct fetch_part_resp *r = &fetch(0, 0, 6, -1, 2)->fr;
	assert_int_equal(r->error, KERR_OFFSET_OUT_OF_RANGE);
	assert_int_equal(r->log_end_offset, 5);
	assert_int_equal(r->batch_count, 0);
	follow(2, 0, 3);
	follow(3, 0, 3);
	assert_int_equal(hw(0), 3);
	/* the log start moves up (DeleteRecords or retention: UnifiedLog.maybeIncrementLog-
	 * StartOffset) */
	assert_int_equal(plog_advance_log_start(&rep(0)->log, 2), KERR_NONE);
	r = &fetch(0, 0, 1, -1, 2)->fr;
	assert_int_equal(r->error, KERR_OFFSET_OUT_OF_RANGE);
	assert_int_equal(r->log_start_offset, 2);
	r = &fetch(CLIENT, 0, 1, -1, 2)->fr;
	assert_int_equal(r->error, KERR_OFFSET_OUT_OF_RANGE);
	/* diverging as well (epoch 1 unknown here): still OFFSET_OUT_OF_RANGE */
	r = &fetch(0, 0, 1, 1, 2)->fr;
	assert_int_equal(r->error, KERR_OFFSET_OUT_OF_RANGE);
	assert_int_equal(r->diverged, 0);
	r = &fetch(0, 0, 2, -1, 2)->fr;
	assert_int_equal(r->error, KERR_NONE);
}

/* PART checkCurrentLeaderEpoch: a fetch naming an older leader epoch than the broker's is
 * FENCED_LEADER_EPOCH, a newer one UNKNOWN_LEADER_EPOCH; none (-1) is not checked. */
static void test_repl_fetch_stale_and_newer_leader_epochs(void **state)
{
	(void)state;
	setup_rf3(1);
	build_two_epoch_log();
	assert_int_equal(fetch(0, 0, 3, -1, 1)->fr.error, KERR_FENCED_LEADER_EPOCH);
	assert_int_equal(fetch(0, 0, 3, -1, 3)->fr.error, KERR_UNKNOWN_LEADER_EPOCH);
	assert_int_equal(fetch(CLIENT, 0, 0, -1, 0)->fr.error, KERR_FENCED_LEADER_EPOCH);
	assert_int_equal(fetch(0, 0, 3, -1, -1)->fr.error, KERR_NONE);
	assert_int_equal(fetch(0, 0, 3, -1, 2)->fr.error, KERR_NONE);
}

/* PART getLocalLog: checkCurrentLeaderEpoch runs before the leadership test, so a replica
 * that follows answers FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH for an older / newer
 * epoch, and NOT_LEADER_OR_FOLLOWER only for its own epoch. */
static void test_repl_fetch_leader_epoch_checked_before_leadership(void **state)
{
	(void)state;
	setup_rf3(1);
	run_to(1 * SEC);
	push_partition(0, 2, 1, 1, LIST(1, 2, 3));
	assert_false(rep(0)->is_leader);
	assert_int_equal(fetch(CLIENT, 0, 0, -1, 0)->fr.error, KERR_FENCED_LEADER_EPOCH);
	assert_int_equal(fetch(CLIENT, 0, 0, -1, 2)->fr.error, KERR_UNKNOWN_LEADER_EPOCH);
	assert_int_equal(fetch(CLIENT, 0, 0, -1, 1)->fr.error, KERR_NOT_LEADER_OR_FOLLOWER);
	assert_int_equal(fetch(CLIENT, 1, 0, -1, 0)->fr.error, KERR_NOT_LEADER_OR_FOLLOWER);
}

/* PART fetchRecords (FetchIsolation.HIGH_WATERMARK for consumers): a consumer reads only
 * batches below the HW; an offset between the HW and the LEO is in range but empty. */
static void test_repl_consumer_reads_only_below_hw(void **state)
{
	(void)state;
	setup_rf3(1);
	run_to(1 * SEC);
	for (int i = 0; i < 3; i++)
		produce(1, 30000, 0, 1);
	follow(2, 0, 1);
	follow(3, 0, 1);
	assert_int_equal(hw(0), 1);
	const struct peer *c = fetch(CLIENT, 0, 0, -1, 0);
	assert_int_equal(c->fr.error, KERR_NONE);
	assert_int_equal(c->fr.high_watermark, 1);
	assert_int_equal(c->nbatch, 1);
	assert_int_equal(c->batch[0].base_offset, 0);
	c = fetch(CLIENT, 0, 1, -1, 0);
	assert_int_equal(c->fr.error, KERR_NONE);
	assert_int_equal(c->nbatch, 0);
	c = fetch(CLIENT, 0, 3, -1, 0);
	assert_int_equal(c->fr.error, KERR_NONE);
	assert_int_equal(c->nbatch, 0);
	c = fetch(CLIENT, 0, 4, -1, 0);
	assert_int_equal(c->fr.error, KERR_OFFSET_OUT_OF_RANGE);
	/* a follower reads up to the LEO */
	const struct peer *f = fetch(0, 0, 1, -1, 0);
	assert_int_equal(f->nbatch, 2);
}

/* PART readRecords captures initialHighWatermark before fetchRecords updates the
 * follower's state (updateFollowerFetchState), and RM builds the answer from that read: a
 * follower fetch that moves the HW carries the HW from before it; the follower learns the
 * new HW with its next fetch ("follower HWs lag the leader's by one fetch round trip"). */
static void test_repl_follower_fetch_answer_carries_hw_from_before_it(void **state)
{
	(void)state;
	setup_rf3(1);
	run_to(1 * SEC);
	produce(1, 30000, 0, 1);
	follow(2, 0, 1);
	const struct fetch_part_resp *r = follow(3, 0, 1);
	assert_int_equal(hw(0), 1);
	assert_int_equal(r->high_watermark, 0);
	r = follow(3, 0, 1);
	assert_int_equal(r->high_watermark, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_repl_hw_is_min_leo_over_leader_and_isr_followers,
					  teardown),
		cmocka_unit_test_teardown(test_repl_hw_waits_for_caught_up_follower_outside_isr,
					  teardown),
		cmocka_unit_test_teardown(test_repl_hw_ignores_ineligible_follower_outside_isr,
					  teardown),
		cmocka_unit_test_teardown(test_repl_hw_frozen_while_isr_below_min_isr, teardown),
		cmocka_unit_test_teardown(
			test_repl_hw_never_decreases_and_new_epoch_waits_for_followers, teardown),
		cmocka_unit_test_teardown(test_repl_last_caught_up_time_follows_update_fetch_state,
					  teardown),
		cmocka_unit_test_teardown(test_repl_isr_expand_proposes_follower_at_hw, teardown),
		cmocka_unit_test_teardown(test_repl_isr_shrink_proposes_lagging_follower_removal,
					  teardown),
		cmocka_unit_test_teardown(
			test_repl_produce_acks_all_below_min_isr_is_not_enough_replicas, teardown),
		cmocka_unit_test_teardown(test_repl_produce_acks_1_answers_at_once_acks_0_never,
					  teardown),
		cmocka_unit_test_teardown(test_repl_produce_acks_all_waits_for_hw_then_times_out,
					  teardown),
		cmocka_unit_test_teardown(
			test_repl_produce_not_enough_replicas_after_append, teardown),
		cmocka_unit_test_teardown(test_repl_produce_to_non_leader_is_not_leader_or_follower,
					  teardown),
		cmocka_unit_test_teardown(
			test_repl_produce_timestamp_too_far_ahead_is_invalid_timestamp, teardown),
		cmocka_unit_test_teardown(
			test_repl_produce_idempotent_duplicate_returns_original_offset, teardown),
		cmocka_unit_test_teardown(test_repl_fetch_diverging_epoch_answer, teardown),
		cmocka_unit_test_teardown(test_repl_fetch_offset_out_of_range, teardown),
		cmocka_unit_test_teardown(test_repl_fetch_stale_and_newer_leader_epochs, teardown),
		cmocka_unit_test_teardown(test_repl_fetch_leader_epoch_checked_before_leadership,
					  teardown),
		cmocka_unit_test_teardown(test_repl_consumer_reads_only_below_hw, teardown),
		cmocka_unit_test_teardown(test_repl_follower_fetch_answer_carries_hw_from_before_it,
					  teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
