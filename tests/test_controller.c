/*
 * test_controller.c — the active KRaft controller (model/controller.c) against Kafka's rules:
 * clean elections in assignment order, session fencing at broker.session.timeout.ms, the
 * last ISR member kept without ELR, unclean elections, Eligible Leader Replicas (KIP-966),
 * AlterPartition validation (KIP-497, KIP-841, KIP-903), controlled shutdown, preferred
 * leader elections, offline-time and election counters, and the metadata log and its fetch.
 *
 * A real controller node runs on a real kernel and world; the brokers are fake nodes written
 * here that heartbeat every broker.heartbeat.interval.ms and send, as a test scripts them,
 * BrokerRegistration, AlterPartition and MetadataFetch requests over real connections. Each
 * test names the Kafka source rule it pins (CTRL = PartitionChangeBuilder.java and
 * ReplicationControlManager.java; BHM = BrokerHeartbeatManager.java, BrokerHeartbeatTracker
 * .java; QC = QuorumController.java).
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
#include "model/controller.h"
#include "model/errors.h"
#include "model/mdimage.h"
#include "model/proto.h"
#include "sim/kernel.h"
#include "sim/net.h"
#include "sim/trace.h"
#include "sim/world.h"

#define NB          3                      /* brokers 1, 2, 3 at nodes 1, 2, 3 */
#define CTL_NODE    0u
#define LAT_US      INT64_C(1000)          /* one-way delay on every link */
#define MS          INT64_C(1000)
#define SEC         INT64_C(1000000)
#define HB_US       (2000 * MS)            /* broker.heartbeat.interval.ms */
#define SESSION_MS  INT64_C(9000)          /* broker.session.timeout.ms */
#define MAXT        4
#define MAXP        8
#define MAXRF       3
#define HB_TIMER    1u
#define CAUGHT_UP   (INT64_C(1) << 40)     /* a metadata offset past any log end */
#define MD_BLOB     32768u

/* ---- the fake brokers ----------------------------------------------------------------- */

struct fake_broker {
	uint32_t node;
	int32_t  id;
	int64_t  epoch;            /* the broker epoch it is registered with */
	int64_t  prev_epoch;       /* sent with its next registration (-1: unclean shutdown) */
	int64_t  md_offset;        /* current_metadata_offset in its heartbeats */
	bool     heartbeats;
	bool     want_shutdown;
	bool     registered;
	uint32_t starts;
	conn_id  conn;
	bool     up;
	uint64_t corr;
	/* the last answers */
	struct broker_heartbeat_resp    hb;
	uint32_t                        n_hb;
	struct broker_registration_resp reg;
	uint32_t                        n_reg;
	struct alter_partition_resp     ap;
	int32_t                         ap_isr[MAXRF];
	uint32_t                        n_ap;
	struct metadata_fetch_resp      md;
	uint32_t                        n_md;
	int64_t                         md_at_us;
	uint8_t                         md_blob[MD_BLOB];
	uint32_t                        md_len;
};

/* One topic of a test cluster. */
struct tdef {
	int64_t  min_isr;
	bool     unclean;
	uint32_t rf;
	uint32_t nparts;
	int32_t  replicas[MAXP][MAXRF];
};

struct harness {
	struct sim_kernel      k;
	struct trace           tr;
	struct world           w;
	struct controller      ctl;
	bool                   ready;
	struct cluster_cfg     cc;
	struct controller_cfg  cfg;
	struct topic_cfg       topics[MAXT];
	char                   names[MAXT][8];
	struct part_cfg        parts[MAXP];
	int32_t                replicas[MAXP][MAXRF];
	int32_t                ids[NB];
	struct fake_broker     fb[NB];
};

static struct harness h;

static struct fake_broker *fb_of(int32_t id)
{
	assert_true(id >= 1 && id <= NB);
	return &h.fb[id - 1];
}

static void fb_send(struct fake_broker *f, struct node_ctx *ctx, struct net_msg *m,
		    const void *blob, uint32_t len)
{
	m->corr = ++f->corr;
	m->bytes = 64 + len;
	assert_true(node_send(ctx, f->conn, m, blob, len));
}

static void fb_heartbeat(struct fake_broker *f, struct node_ctx *ctx)
{
	struct broker_heartbeat hb = {
		.broker_id = f->id, .want_shutdown = (uint8_t)f->want_shutdown,
		.broker_epoch = f->epoch, .current_metadata_offset = f->md_offset,
	};
	struct net_msg m;
	PROTO_PUT(&m, MSG_BROKER_HEARTBEAT, hb);
	fb_send(f, ctx, &m, NULL, 0);
}

static void fb_register(struct fake_broker *f, struct node_ctx *ctx)
{
	struct broker_registration reg = {
		.broker_id = f->id, .previous_broker_epoch = f->prev_epoch,
		.incarnation = f->starts,
	};
	struct net_msg m;
	PROTO_PUT(&m, MSG_BROKER_REGISTRATION, reg);
	fb_send(f, ctx, &m, NULL, 0);
}

static void fb_start(void *model, struct node_ctx *ctx)
{
	struct fake_broker *f = model;
	f->starts++;
	f->up = false;
	/* The t = 0 cluster is formed with every broker registered (scenario-format 11.1); a
	 * restarted process registers again. */
	f->registered = f->starts == 1;
	f->conn = node_connect(ctx, CTL_NODE, 10 * SEC);
	assert_int_not_equal(f->conn, 0);
}

static void fb_halt(void *model, enum node_halt how, int64_t now_us)
{
	struct fake_broker *f = model;
	(void)how;
	(void)now_us;
	f->up = false;
}

static void fb_conn_event(void *model, struct node_ctx *ctx, conn_id conn, enum conn_event ev)
{
	struct fake_broker *f = model;
	if (conn != f->conn)
		return;
	f->up = ev == CONN_UP;
	if (!f->up)
		return;
	if (!f->registered)
		fb_register(f, ctx);
	else if (f->heartbeats)
		fb_heartbeat(f, ctx);
	node_timer(ctx, HB_US, HB_TIMER, 0);
}

static void fb_timer(void *model, struct node_ctx *ctx, uint32_t kind, uint64_t arg)
{
	struct fake_broker *f = model;
	(void)arg;
	assert_int_equal(kind, HB_TIMER);
	if (f->up && f->registered && f->heartbeats)
		fb_heartbeat(f, ctx);
	node_timer(ctx, HB_US, HB_TIMER, 0);
}

static void fb_message(void *model, struct node_ctx *ctx, conn_id conn, const struct net_msg *m,
		       const void *blob, uint32_t len)
{
	struct fake_broker *f = model;
	(void)conn;
	switch (m->type) {
	case MSG_BROKER_HEARTBEAT_RESP:
		PROTO_GET(m, f->hb);
		f->n_hb++;
		break;
	case MSG_BROKER_REGISTRATION_RESP:
		PROTO_GET(m, f->reg);
		f->n_reg++;
		if (f->reg.error == KERR_NONE) {
			f->epoch = f->reg.broker_epoch;
			f->registered = true;
			if (f->heartbeats)
				fb_heartbeat(f, ctx);
		}
		break;
	case MSG_ALTER_PARTITION_RESP:
		PROTO_GET(m, f->ap);
		assert_true(f->ap.n_isr <= MAXRF);
		assert_int_equal(len, f->ap.n_isr * sizeof(int32_t));
		if (len > 0)
			memcpy(f->ap_isr, blob, len);
		f->n_ap++;
		break;
	case MSG_METADATA_FETCH_RESP:
		PROTO_GET(m, f->md);
		assert_true(len <= MD_BLOB);
		if (len > 0)
			memcpy(f->md_blob, blob, len);
		f->md_len = len;
		f->md_at_us = ctx->now_us;
		f->n_md++;
		break;
	default:
		fail_msg("unexpected message type %u", m->type);
	}
}

static const struct node_ops fake_broker_ops = {
	.start = fb_start,
	.halt = fb_halt,
	.message = fb_message,
	.conn_event = fb_conn_event,
	.timer = fb_timer,
};

/* ---- the harness ---------------------------------------------------------------------- */

static struct controller_cfg default_ctl_cfg(void)
{
	return (struct controller_cfg){
		.broker_session_timeout_ms = SESSION_MS,
		.auto_leader_rebalance_enable = false,
		.leader_imbalance_check_interval_s = 300,
	};
}

/* A cluster of brokers 1..3 running the given topics; tp numbers follow topic order. */
static void setup_cfg(bool elr, const struct controller_cfg *cfg, const struct tdef *t,
		      uint32_t nt)
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
			.unclean_leader_election = t[i].unclean,
			.timestamp_before_max_ms = INT64_MAX, .timestamp_after_max_ms = 3600000,
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
		.broker_ids = h.ids, .elr_enabled = elr,
		.ntopics = nt, .topics = h.topics, .nparts = tp, .parts = h.parts,
		.offsets_topic = UINT32_MAX,
	};
	h.cfg = *cfg;
	assert_int_equal(ctl_init(&h.ctl, &h.cfg, &h.cc), 0);
	assert_int_equal(sim_init(&h.k, world_dispatch, &h.w), 0);
	trace_init(&h.tr, NULL);
	struct net_params np = {LAT_US, LAT_US, 0, 0};
	assert_int_equal(world_init(&h.w, &h.k, &h.tr, 7, &np), NET_OK);
	h.ready = true;
	uint32_t idx = 0;
	assert_int_equal(world_add_node(&h.w, NODE_CONTROLLER, "controller-1", &controller_ops,
					&h.ctl, &idx), NET_OK);
	assert_int_equal(idx, CTL_NODE);
	for (uint32_t b = 0; b < NB; b++) {
		struct fake_broker *f = &h.fb[b];
		*f = (struct fake_broker){
			.node = b + 1, .id = (int32_t)b + 1, .epoch = (int64_t)b + 1,
			.prev_epoch = -1, .md_offset = CAUGHT_UP, .heartbeats = true,
		};
		char name[16];
		snprintf(name, sizeof(name), "broker-%u", b + 1);
		assert_int_equal(world_add_node(&h.w, NODE_BROKER, name, &fake_broker_ops, f, &idx),
				 NET_OK);
		assert_int_equal(idx, b + 1);
	}
	world_start_all(&h.w);
}

static void setup(bool elr, const struct tdef *t, uint32_t nt)
{
	struct controller_cfg cfg = default_ctl_cfg();
	setup_cfg(elr, &cfg, t, nt);
}

static int teardown(void **state)
{
	(void)state;
	if (h.ready) {
		world_free(&h.w);
		sim_free(&h.k);
		ctl_free(&h.ctl);
		h.ready = false;
	}
	return 0;
}

static int64_t now(void)
{
	return world_now_us(&h.w);
}

/* Runs every event up to and including t_us; the clock then reads t_us. */
static void run_to(int64_t t_us)
{
	assert_true(t_us >= now());
	(void)sim_run(&h.k, t_us, 0);
	assert_int_equal(world_status(&h.w), NET_OK);
	assert_int_equal(now(), t_us);
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

static void crash(int32_t id)
{
	assert_true(world_crash(&h.w, fb_of(id)->node, false));
}

/* Restarts broker id; it registers again, saying its last shutdown was clean (previous
 * broker epoch = the registered one) or not (-1). */
static void restart(int32_t id, bool clean)
{
	struct fake_broker *f = fb_of(id);
	f->prev_epoch = clean ? f->epoch : -1;
	assert_true(world_restart(&h.w, f->node));
}

static void heartbeat_now(int32_t id)
{
	struct node_ctx *ctx = act_as(fb_of(id)->node);
	fb_heartbeat(fb_of(id), ctx);
	act_done();
}

static int64_t registered_epoch(int32_t id)
{
	return h.ctl.img.brokers[md_broker_index(&h.cc, id)].broker_epoch;
}

/* AlterPartition from broker `from`; epochs NULL: every member's registered epoch. */
static void send_alter(int32_t from, uint32_t tp, int32_t leader_epoch, int32_t part_epoch,
		       const int32_t *ids, uint32_t n, const int64_t *epochs)
{
	struct fake_broker *f = fb_of(from);
	struct alter_isr_member mem[MAXRF];
	assert_true(n <= MAXRF);
	for (uint32_t i = 0; i < n; i++)
		mem[i] = (struct alter_isr_member){
			.broker_id = ids[i],
			.broker_epoch = epochs ? epochs[i] : registered_epoch(ids[i]),
		};
	struct alter_partition a = {
		.tp = tp, .leader = from, .leader_epoch = leader_epoch,
		.partition_epoch = part_epoch, .broker_epoch = registered_epoch(from),
		.n_isr = n,
	};
	struct net_msg m;
	PROTO_PUT(&m, MSG_ALTER_PARTITION, a);
	struct node_ctx *ctx = act_as(f->node);
	fb_send(f, ctx, &m, mem, n * (uint32_t)sizeof(mem[0]));
	act_done();
}

/* Sends it and waits for the answer; returns its error. */
static int16_t alter(int32_t from, uint32_t tp, int32_t leader_epoch, int32_t part_epoch,
		     const int32_t *ids, uint32_t n, const int64_t *epochs)
{
	uint32_t before = fb_of(from)->n_ap;
	send_alter(from, tp, leader_epoch, part_epoch, ids, n, epochs);
	run_for(2 * LAT_US);
	assert_int_equal(fb_of(from)->n_ap, before + 1);
	return fb_of(from)->ap.error;
}

static void send_md_fetch(int32_t from, int64_t offset, int32_t max_wait_ms)
{
	struct fake_broker *f = fb_of(from);
	struct metadata_fetch q = {.from_offset = offset, .max_wait_ms = max_wait_ms};
	struct net_msg m;
	PROTO_PUT(&m, MSG_METADATA_FETCH, q);
	struct node_ctx *ctx = act_as(f->node);
	fb_send(f, ctx, &m, NULL, 0);
	act_done();
}

static const struct md_part_state *part(uint32_t tp)
{
	return ctl_partition(&h.ctl, tp);
}

static bool fenced(int32_t id)
{
	return h.ctl.img.brokers[md_broker_index(&h.cc, id)].fenced;
}

/* The same members, in any order (Kafka keeps the order it was given; the rules tested
 * here are about membership unless a test says otherwise). */
static void check_set(const int32_t *got, uint32_t n, const int32_t *want, uint32_t nwant)
{
	assert_int_equal(n, nwant);
	for (uint32_t i = 0; i < nwant; i++) {
		bool found = false;
		for (uint32_t j = 0; j < n; j++)
			found |= got[j] == want[i];
		if (!found)
			fail_msg("member %d missing", want[i]);
	}
}

#define LIST(...) (const int32_t[]){__VA_ARGS__}, \
	(uint32_t)(sizeof((const int32_t[]){__VA_ARGS__}) / sizeof(int32_t))

static void check_isr(uint32_t tp, const int32_t *want, uint32_t n)
{
	check_set(part(tp)->isr, part(tp)->n_isr, want, n);
}

/* The ELR in its exact order (Kafka builds it from a HashSet of small integers, which
 * iterates in ascending order). */
static void check_elr(uint32_t tp, const int32_t *want, uint32_t n)
{
	assert_int_equal(part(tp)->n_elr, n);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(part(tp)->elr[i], want[i]);
}

static void check_leader(uint32_t tp, int32_t leader, int32_t leader_epoch, int32_t part_epoch)
{
	assert_int_equal(part(tp)->leader, leader);
	assert_int_equal(part(tp)->leader_epoch, leader_epoch);
	assert_int_equal(part(tp)->partition_epoch, part_epoch);
}

/* Crashes broker id and runs until the controller has fenced it (a session later). */
static void crash_and_fence(int32_t id)
{
	crash(id);
	run_for(SESSION_MS * MS + HB_US);
	assert_true(fenced(id));
}

/* Restarts broker id and runs until it is registered and unfenced again. */
static void restart_and_unfence(int32_t id, bool clean)
{
	restart(id, clean);
	run_for(10 * MS);
	assert_true(fb_of(id)->registered);
	assert_false(fenced(id));
}

/* ---- clean elections -------------------------------------------------------------------- */

/* CTRL electAnyLeader: keep a valid current leader, else the FIRST replica of the assignment
 * (targetReplicas order) that is in the target ISR and acceptable (isAcceptableLeader:
 * active, not the broker being fenced). Neither ISR order nor broker id order. Leader epoch
 * +1 on a leader change (PartitionRegistration.merge); partition epoch +1 on every change. */
static void test_ctl_clean_election_first_isr_replica_in_assignment_order(void **state)
{
	(void)state;
	struct tdef t[] = {
		{.min_isr = 1, .rf = 3, .nparts = 1, .replicas = {{3, 1, 2}}},
		{.min_isr = 1, .rf = 3, .nparts = 1, .replicas = {{3, 2, 1}}},
	};
	setup(false, t, 2);
	run_to(1 * SEC);
	/* tp 1: the leader reorders its ISR to [3, 1, 2]; assignment order stays [3, 2, 1]. */
	assert_int_equal(alter(3, 1, 0, 0, LIST(3, 1, 2), NULL), KERR_NONE);
	check_leader(1, 3, 0, 1);
	crash_and_fence(3);
	/* replicas [3,1,2], ISR {1,2}: leader 1, not 2. */
	check_leader(0, 1, 1, 1);
	check_isr(0, LIST(1, 2));
	/* replicas [3,2,1], ISR [1,2]: leader 2 (assignment order), not 1 (ISR and id order). */
	check_leader(1, 2, 1, 2);
	check_isr(1, LIST(1, 2));
	assert_int_equal(h.ctl.stats[0].elections, 1);
	assert_int_equal(h.ctl.stats[1].elections, 1);
	assert_int_equal(h.ctl.stats[0].unclean_elections, 0);
	assert_false(part(0)->recovering);
}

/* CTRL electAnyLeader: "Don't consider a new leader since the current leader meets all the
 * constraints": fencing a follower shrinks the ISR (partition epoch +1) and keeps the
 * leader and its epoch (no epoch bump on ISR shrink since metadata 3.6, KAFKA-15021). */
static void test_ctl_leader_kept_while_valid_partition_epoch_bumps(void **state)
{
	(void)state;
	struct tdef t[] = {{.min_isr = 1, .rf = 3, .nparts = 1, .replicas = {{1, 2, 3}}}};
	setup(false, t, 1);
	crash_and_fence(2);
	check_leader(0, 1, 0, 1);
	check_isr(0, LIST(1, 3));
	crash_and_fence(3);
	check_leader(0, 1, 0, 2);
	check_isr(0, LIST(1));
	assert_int_equal(h.ctl.stats[0].elections, 0);
}

/* ---- fencing ------------------------------------------------------------------------------ */

/* BHM/BrokerHeartbeatTracker.isExpired: a session expires once lastContact +
 * broker.session.timeout.ms (9000) has passed; QC fences the stale broker then
 * (maybeFenceOneStaleBroker) and handleBrokerFenced removes it from every ISR. Kafka tests
 * "timeNs + sessionTimeoutNs < nowNs" in nanoseconds, so at microsecond resolution the
 * broker is fenced within [T + 9000 ms, T + 9000 ms + 1 µs], never before. */
static void test_ctl_fenced_after_session_timeout_exactly(void **state)
{
	(void)state;
	struct tdef t[] = {{.min_isr = 1, .rf = 3, .nparts = 1, .replicas = {{1, 2, 3}}}};
	setup(false, t, 1);
	run_to(5 * SEC);
	crash(2);
	int64_t last = h.ctl.brokers[1].last_contact_us;
	/* heartbeats go out at 2 ms + k * 2 s and take 1 ms: the last one landed at 4.003 s */
	assert_int_equal(last, 4 * SEC + 3 * MS);
	uint64_t log_before = h.ctl.log.n;
	run_to(last + SESSION_MS * MS - 1);
	assert_false(fenced(2));
	check_isr(0, LIST(1, 2, 3));
	assert_int_equal(h.ctl.log.n, log_before);
	run_to(last + SESSION_MS * MS + 1);
	assert_true(fenced(2));
	check_isr(0, LIST(1, 3));
	/* one broker record (fenced) and one partition record */
	assert_int_equal(h.ctl.log.n, log_before + 2);
	/* brokers that heartbeat every 2 s keep their sessions */
	run_to(60 * SEC);
	assert_false(fenced(1));
	assert_false(fenced(3));
}

/* CTRL build(): "If ELR is enabled, the ISR is allowed to be empty"; otherwise an empty
 * target ISR is not written: the last member stays in the ISR and the leader becomes -1
 * (NO_LEADER). When it is unfenced it is elected again (handleBrokerUnfenced), and a
 * replica outside the ISR never is while unclean election is off. */
static void test_ctl_last_isr_member_stays_with_no_leader_without_elr(void **state)
{
	(void)state;
	struct tdef t[] = {{.min_isr = 1, .rf = 2, .nparts = 1, .replicas = {{1, 2}}}};
	setup(false, t, 1);
	crash_and_fence(2);
	check_isr(0, LIST(1));
	crash_and_fence(1);
	check_leader(0, NO_LEADER, 1, 2);
	check_isr(0, LIST(1));
	assert_int_equal(part(0)->n_elr, 0);
	/* broker 2 returns but is not in the ISR: the partition stays offline */
	restart_and_unfence(2, true);
	check_leader(0, NO_LEADER, 1, 2);
	restart_and_unfence(1, true);
	check_leader(0, 1, 2, 3);
	check_isr(0, LIST(1));
	assert_int_equal(h.ctl.stats[0].elections, 1);
	assert_int_equal(h.ctl.stats[0].unclean_elections, 0);
}

/* BHM.calculateNextBrokerState, FENCED: a registered broker is unfenced by the heartbeat
 * whose currentMetadataOffset reaches the offset of its registration record, not before. */
static void test_ctl_registered_broker_unfenced_once_caught_up(void **state)
{
	(void)state;
	struct tdef t[] = {{.min_isr = 1, .rf = 3, .nparts = 1, .replicas = {{1, 2, 3}}}};
	setup(false, t, 1);
	crash_and_fence(3);
	fb_of(3)->md_offset = 0;
	restart(3, true);
	run_for(5 * SEC);
	assert_true(fb_of(3)->registered);
	assert_true(fenced(3));
	assert_true(fb_of(3)->hb.is_fenced);
	int64_t reg_end = h.ctl.brokers[2].caught_up_offset;
	fb_of(3)->md_offset = reg_end - 1;
	heartbeat_now(3);
	run_for(2 * LAT_US);
	assert_true(fenced(3));
	fb_of(3)->md_offset = reg_end;
	heartbeat_now(3);
	run_for(2 * LAT_US);
	assert_false(fenced(3));
	assert_false(fb_of(3)->hb.is_fenced);
	/* unfencing does not put it back in the ISR: only its leader's AlterPartition does */
	check_isr(0, LIST(1, 2));
}

/* ---- unclean elections ------------------------------------------------------------------- */

/* CTRL electAnyLeader with Election.UNCLEAN (generateLeaderAndIsrUpdates sets it when the
 * topic's unclean.leader.election.enable is true): no ISR member is acceptable, so the
 * first acceptable replica in assignment order leads, the ISR is reset to [leader] and the
 * leader recovery state becomes RECOVERING (KIP-704). Without the config: leader -1. */
static void test_ctl_unclean_election_only_when_topic_enables_it(void **state)
{
	(void)state;
	struct tdef t[] = {
		{.min_isr = 1, .unclean = true, .rf = 3, .nparts = 1, .replicas = {{1, 2, 3}}},
		{.min_isr = 1, .unclean = false, .rf = 3, .nparts = 1, .replicas = {{1, 2, 3}}},
	};
	setup(false, t, 2);
	run_to(1 * SEC);
	assert_int_equal(alter(1, 0, 0, 0, LIST(1), NULL), KERR_NONE);
	assert_int_equal(alter(1, 1, 0, 0, LIST(1), NULL), KERR_NONE);
	crash_and_fence(2);
	check_leader(0, 1, 0, 1);
	crash_and_fence(1);
	/* 1 is being fenced, 2 is fenced: 3 is the first acceptable replica */
	check_leader(0, 3, 1, 2);
	check_isr(0, LIST(3));
	assert_true(part(0)->recovering);
	assert_int_equal(h.ctl.stats[0].elections, 1);
	assert_int_equal(h.ctl.stats[0].unclean_elections, 1);
	check_leader(1, NO_LEADER, 1, 2);
	check_isr(1, LIST(1));
	assert_int_equal(h.ctl.stats[1].unclean_elections, 0);
	assert_int_equal(h.ctl.unclean_total, 1);
	/* The leader reports its log recovered with its next AlterPartition: RECOVERED. */
	assert_int_equal(alter(3, 0, 1, 2, LIST(3), NULL), KERR_NONE);
	assert_false(part(0)->recovering);
}

/* ---- Eligible Leader Replicas (KIP-966) ------------------------------------------------ */

/* CTRL maybePopulateTargetElr: while the target ISR is below min ISR the members that leave
 * it join the ELR (candidates = ELR ∪ current ISR, minus the target ISR), collected through
 * a HashSet (ascending ids); the ISR may become empty, and the last leader is then
 * remembered as LastKnownElr (maybeUpdateLastKnownLeader). */
static void test_ctl_elr_holds_members_leaving_below_min_isr_sorted(void **state)
{
	(void)state;
	struct tdef t[] = {{.min_isr = 2, .rf = 3, .nparts = 1, .replicas = {{1, 2, 3}}}};
	setup(true, t, 1);
	crash_and_fence(1);
	check_leader(0, 2, 1, 1);
	check_isr(0, LIST(2, 3));
	assert_int_equal(part(0)->n_elr, 0);          /* ISR 2 >= min ISR 2 */
	crash_and_fence(3);
	check_isr(0, LIST(2));
	check_elr(0, LIST(3));
	check_leader(0, 2, 1, 2);
	crash_and_fence(2);
	assert_int_equal(part(0)->n_isr, 0);          /* empty ISR with ELR on */
	check_elr(0, LIST(2, 3));                     /* ascending, not the leaving order */
	check_leader(0, NO_LEADER, 2, 3);
	assert_int_equal(part(0)->n_lke, 1);
	assert_int_equal(part(0)->lke[0], 2);
}

/* CTRL electAnyLeader/isValidNewLeader: with an empty ISR an acceptable ELR member is a
 * valid leader; tryElection makes it the whole ISR and takes it out of the ELR; it is a
 * clean election. maybePopulateTargetElr: ISR >= min ISR clears the ELR. */
static void test_ctl_elr_member_elected_cleanly_and_cleared_at_min_isr(void **state)
{
	(void)state;
	struct tdef t[] = {{.min_isr = 2, .rf = 3, .nparts = 1, .replicas = {{1, 2, 3}}}};
	setup(true, t, 1);
	crash_and_fence(1);
	crash_and_fence(3);
	crash_and_fence(2);
	check_elr(0, LIST(2, 3));
	restart_and_unfence(3, true);
	check_leader(0, 3, 3, 4);
	check_isr(0, LIST(3));
	check_elr(0, LIST(2));
	assert_int_equal(part(0)->n_lke, 0);
	assert_false(part(0)->recovering);
	assert_int_equal(h.ctl.stats[0].unclean_elections, 0);
	restart_and_unfence(2, true);
	check_leader(0, 3, 3, 4);                     /* no election: 3 still leads */
	assert_int_equal(alter(3, 0, 3, 4, LIST(3, 2), NULL), KERR_NONE);
	check_isr(0, LIST(3, 2));
	assert_int_equal(part(0)->n_elr, 0);
	check_leader(0, 3, 3, 5);
}

/* ReplicationControlManager.handleBrokerUncleanShutdown (KIP-966): a registration whose
 * previousBrokerEpoch is not the registered epoch is an unclean shutdown; the broker leaves
 * every ELR (setUncleanShutdownReplicas) and is not elected from it. */
static void test_ctl_elr_unclean_shutdown_registration_leaves_elr(void **state)
{
	(void)state;
	struct tdef t[] = {{.min_isr = 2, .rf = 3, .nparts = 1, .replicas = {{1, 2, 3}}}};
	setup(true, t, 1);
	crash_and_fence(1);
	crash_and_fence(3);
	crash_and_fence(2);
	check_elr(0, LIST(2, 3));
	restart_and_unfence(3, false);
	check_elr(0, LIST(2));
	check_leader(0, NO_LEADER, 2, 4);             /* 3 is neither in the ISR nor the ELR */
	restart_and_unfence(2, true);
	check_leader(0, 2, 3, 5);
	check_isr(0, LIST(2));
	assert_int_equal(part(0)->n_elr, 0);
	assert_int_equal(h.ctl.stats[0].unclean_elections, 0);
}

/* CTRL canElectLastKnownLeader (useLastKnownLeaderInBalancedRecovery): with ISR and ELR
 * empty and LastKnownElr = [the last leader], that broker is elected, and the election is
 * unclean (ElectionResult(lastKnownElr[0], true)): ISR [leader], RECOVERING. */
static void test_ctl_elr_last_known_leader_election_counts_as_unclean(void **state)
{
	(void)state;
	struct tdef t[] = {{.min_isr = 2, .rf = 3, .nparts = 1, .replicas = {{1, 2, 3}}}};
	setup(true, t, 1);
	crash_and_fence(1);
	crash_and_fence(3);
	crash_and_fence(2);
	assert_int_equal(part(0)->lke[0], 2);
	restart_and_unfence(3, false);
	check_leader(0, NO_LEADER, 2, 4);
	restart_and_unfence(2, false);
	check_leader(0, 2, 3, part(0)->partition_epoch);
	check_isr(0, LIST(2));
	assert_int_equal(part(0)->n_elr, 0);
	assert_true(part(0)->recovering);
	assert_int_equal(h.ctl.stats[0].unclean_elections, 1);
	assert_int_equal(h.ctl.unclean_total, 1);
}

/* ---- AlterPartition ---------------------------------------------------------------------- */

/* ReplicationControlManager.alterPartition: a valid request's ISR is applied through the
 * builder; the partition epoch goes up by one, the leader epoch does not; the response
 * carries the new state. */
static void test_ctl_alter_partition_applies_isr_and_bumps_partition_epoch(void **state)
{
	(void)state;
	struct tdef t[] = {{.min_isr = 1, .rf = 3, .nparts = 1, .replicas = {{1, 2, 3}}}};
	setup(false, t, 1);
	run_to(1 * SEC);
	uint64_t log_before = h.ctl.log.n;
	assert_int_equal(alter(1, 0, 0, 0, LIST(1, 2), NULL), KERR_NONE);
	check_leader(0, 1, 0, 1);
	check_isr(0, LIST(1, 2));
	assert_int_equal(h.ctl.log.n, log_before + 1);
	const struct fake_broker *f = fb_of(1);
	assert_int_equal(f->ap.leader, 1);
	assert_int_equal(f->ap.leader_epoch, 0);
	assert_int_equal(f->ap.partition_epoch, 1);
	check_set(f->ap_isr, f->ap.n_isr, LIST(1, 2));
	/* and expanding back */
	assert_int_equal(alter(1, 0, 0, 1, LIST(1, 2, 3), NULL), KERR_NONE);
	check_leader(0, 1, 0, 2);
	check_isr(0, LIST(1, 2, 3));
}

/* validateAlterPartitionData: leader epoch below the controller's -> FENCED_LEADER_EPOCH
 * (checked first); partition epoch below -> INVALID_UPDATE_VERSION. Nothing changes. */
static void test_ctl_alter_partition_stale_epochs_are_rejected(void **state)
{
	(void)state;
	struct tdef t[] = {{.min_isr = 1, .rf = 3, .nparts = 1, .replicas = {{1, 2, 3}}}};
	setup(false, t, 1);
	crash_and_fence(1);
	check_leader(0, 2, 1, 1);
	uint64_t log_before = h.ctl.log.n;
	assert_int_equal(alter(2, 0, 0, 1, LIST(2), NULL), KERR_FENCED_LEADER_EPOCH);
	assert_int_equal(alter(2, 0, 0, 0, LIST(2), NULL), KERR_FENCED_LEADER_EPOCH);
	assert_int_equal(alter(2, 0, 1, 0, LIST(2), NULL), KERR_INVALID_UPDATE_VERSION);
	check_leader(0, 2, 1, 1);
	check_isr(0, LIST(2, 3));
	assert_int_equal(h.ctl.log.n, log_before);
	/* the response tells the leader the current state */
	assert_int_equal(fb_of(2)->ap.leader_epoch, 1);
	assert_int_equal(fb_of(2)->ap.partition_epoch, 1);
}

/* validateAlterPartitionData: epochs above the controller's mean this controller is stale:
 * NOT_CONTROLLER, so the leader looks for the new active controller. */
static void test_ctl_alter_partition_newer_epochs_are_not_controller(void **state)
{
	(void)state;
	struct tdef t[] = {{.min_isr = 1, .rf = 3, .nparts = 1, .replicas = {{1, 2, 3}}}};
	setup(false, t, 1);
	run_to(1 * SEC);
	assert_int_equal(alter(1, 0, 1, 0, LIST(1, 2), NULL), KERR_NOT_CONTROLLER);
	assert_int_equal(alter(1, 0, 0, 1, LIST(1, 2), NULL), KERR_NOT_CONTROLLER);
	check_leader(0, 1, 0, 0);
	check_isr(0, LIST(1, 2, 3));
}

/* ineligibleReplicasForIsr (KIP-841, KIP-903): a proposed member that is fenced, in
 * controlled shutdown, or named with a broker epoch other than its registered one (and not
 * -1) makes the request fail with INELIGIBLE_REPLICA. */
static void test_ctl_alter_partition_ineligible_replicas(void **state)
{
	(void)state;
	struct tdef t[] = {{.min_isr = 1, .rf = 3, .nparts = 1, .replicas = {{1, 2, 3}}}};
	setup(false, t, 1);
	crash_and_fence(1);
	check_leader(0, 2, 1, 1);
	/* fenced */
	assert_int_equal(alter(2, 0, 1, 1, LIST(2, 3, 1), NULL), KERR_INELIGIBLE_REPLICA);
	/* stale broker epoch: broker 1 came back with a new epoch */
	int64_t old_epoch = registered_epoch(1);
	restart_and_unfence(1, true);
	assert_true(registered_epoch(1) > old_epoch);
	const int64_t stale[] = {registered_epoch(2), registered_epoch(3), old_epoch};
	assert_int_equal(alter(2, 0, 1, 1, LIST(2, 3, 1), stale), KERR_INELIGIBLE_REPLICA);
	const int64_t skip[] = {registered_epoch(2), registered_epoch(3), -1};
	/* -1 skips the epoch check (older AlterPartition versions) */
	assert_int_equal(alter(2, 0, 1, 1, LIST(2, 3, 1), skip), KERR_NONE);
	check_isr(0, LIST(2, 3, 1));
	/* in controlled shutdown */
	fb_of(3)->want_shutdown = true;
	heartbeat_now(3);
	run_for(2 * LAT_US);
	check_isr(0, LIST(2, 1));
	int32_t pe = part(0)->partition_epoch;
	assert_int_equal(alter(2, 0, 1, pe, LIST(2, 1, 3), NULL), KERR_INELIGIBLE_REPLICA);
	check_isr(0, LIST(2, 1));
	assert_int_equal(part(0)->partition_epoch, pe);
}

/* ---- controlled shutdown ----------------------------------------------------------------- */

/* BHM.calculateNextBrokerState + handleBrokerInControlledShutdown: an unfenced broker that
 * wants to shut down and still leads partitions enters CONTROLLED_SHUTDOWN (not granted
 * yet); the controller writes the registration change and moves it out of every ISR and
 * leadership (a sole ISR member stays, leader -1, without ELR). Shutdown is granted only
 * once it leads nothing and the records are replayed (controlledShutdownOffset <=
 * lowestActiveOffset; the other brokers here report themselves caught up). */
static void test_ctl_controlled_shutdown_moves_leadership_and_leaves_isrs(void **state)
{
	(void)state;
	struct tdef t[] = {
		{.min_isr = 1, .rf = 3, .nparts = 2, .replicas = {{1, 2, 3}, {2, 1, 3}}},
		{.min_isr = 1, .rf = 2, .nparts = 1, .replicas = {{1, 2}}},
	};
	setup(false, t, 2);
	run_to(1 * SEC);
	assert_int_equal(alter(1, 2, 0, 0, LIST(1), NULL), KERR_NONE);
	struct fake_broker *f = fb_of(1);
	f->want_shutdown = true;
	f->md_offset = (int64_t)h.ctl.log.n;      /* caught up before the request */
	uint32_t n_hb = f->n_hb;
	heartbeat_now(1);
	run_for(2 * LAT_US);
	assert_int_equal(f->n_hb, n_hb + 1);
	assert_false(f->hb.should_shutdown);
	assert_true(h.ctl.img.brokers[0].shutting_down);
	check_leader(0, 2, 1, 1);
	check_isr(0, LIST(2, 3));
	check_leader(1, 2, 0, 1);
	check_isr(1, LIST(2, 3));
	check_leader(2, NO_LEADER, 1, 2);
	check_isr(2, LIST(1));
	/* once caught up with those records, and leading nothing: shut down */
	f->md_offset = (int64_t)h.ctl.log.n;
	heartbeat_now(1);
	run_for(2 * LAT_US);
	assert_true(f->hb.should_shutdown);
	/* a broker in controlled shutdown is never elected */
	check_leader(2, NO_LEADER, 1, 2);
}

/* ---- preferred leader election ----------------------------------------------------------- */

/* QC maybeBalancePartitionLeaders / CTRL electPreferredLeader, with
 * auto.leader.rebalance.enable and leader.imbalance.check.interval.seconds: within one
 * interval after the imbalance, a partition whose preferred (first) replica is in the ISR
 * and acceptable moves back to it (leader epoch +1); one whose preferred replica is not in
 * the ISR keeps its leader; nothing moves when the check is disabled. */
static void preferred_scenario(bool enabled)
{
	struct tdef t[] = {
		{.min_isr = 1, .rf = 3, .nparts = 2, .replicas = {{1, 2, 3}, {1, 2, 3}}},
	};
	struct controller_cfg cfg = default_ctl_cfg();
	cfg.auto_leader_rebalance_enable = enabled;
	cfg.leader_imbalance_check_interval_s = 300;
	setup_cfg(false, &cfg, t, 1);
	crash_and_fence(1);
	int64_t imbalance_at = now();
	check_leader(0, 2, 1, 1);
	check_leader(1, 2, 1, 1);
	restart_and_unfence(1, true);
	assert_int_equal(alter(2, 0, 1, 1, LIST(2, 3, 1), NULL), KERR_NONE);
	run_for(1 * SEC);
	check_leader(0, 2, 1, 2);                     /* not at once */
	run_to(imbalance_at + 300 * SEC + 1 * SEC);
	if (enabled) {
		check_leader(0, 1, 2, 3);
		check_isr(0, LIST(2, 3, 1));
		assert_int_equal(h.ctl.stats[0].elections, 2);
	} else {
		check_leader(0, 2, 1, 2);
	}
	check_leader(1, 2, 1, 1);                     /* 1 is not in its ISR */
	run_for(700 * SEC);
	check_leader(1, 2, 1, 1);
}

static void test_ctl_preferred_leader_election_moves_leadership_back(void **state)
{
	(void)state;
	preferred_scenario(true);
}

static void test_ctl_no_preferred_election_when_auto_rebalance_disabled(void **state)
{
	(void)state;
	preferred_scenario(false);
}

/* ---- counters ------------------------------------------------------------------------------ */

/* scenario-format 9: offline time is the sum of the intervals with leader -1, the open one
 * counted up to now; elections count leader changes to a broker. */
static void test_ctl_offline_time_accumulates_across_outages(void **state)
{
	(void)state;
	struct tdef t[] = {{.min_isr = 1, .rf = 1, .nparts = 1, .replicas = {{1}}}};
	setup(false, t, 1);
	assert_int_equal(ctl_offline_us(&h.ctl, 0, now()), 0);
	crash(1);
	int64_t last = h.ctl.brokers[0].last_contact_us;
	run_for(SESSION_MS * MS + HB_US);
	int64_t down1 = last + SESSION_MS * MS;
	assert_true(fenced(1));
	assert_int_equal(part(0)->leader, NO_LEADER);
	assert_int_equal(h.ctl.stats[0].offline_since_us, down1);
	assert_int_equal(ctl_offline_us(&h.ctl, 0, now()), now() - down1);
	restart(1, true);
	run_for(10 * MS);
	assert_int_equal(part(0)->leader, 1);
	/* registered at restart + 2 ms (connect) + 1 ms, unfenced by the heartbeat 2 ms later */
	int64_t up1 = now() - 10 * MS + 5 * MS;
	assert_int_equal(ctl_offline_us(&h.ctl, 0, now()), up1 - down1);
	run_for(30 * SEC);
	assert_int_equal(ctl_offline_us(&h.ctl, 0, now()), up1 - down1);
	crash(1);
	last = h.ctl.brokers[0].last_contact_us;
	run_for(SESSION_MS * MS + HB_US);
	int64_t down2 = last + SESSION_MS * MS;
	assert_int_equal(ctl_offline_us(&h.ctl, 0, now()), (up1 - down1) + (now() - down2));
	assert_int_equal(h.ctl.stats[0].elections, 1);
	assert_int_equal(h.ctl.stats[0].unclean_elections, 0);
}

/* ---- the metadata log ---------------------------------------------------------------------- */

/* KRaft: every change is a record in __cluster_metadata (PartitionChangeRecord,
 * BrokerRegistrationChangeRecord); an observer fetching from offset k gets the records
 * from k on, and replaying them from 0 rebuilds the controller's image. */
static void test_ctl_metadata_fetch_returns_records_after_offset(void **state)
{
	(void)state;
	struct tdef t[] = {
		{.min_isr = 1, .rf = 3, .nparts = 2, .replicas = {{1, 2, 3}, {2, 3, 1}}},
	};
	setup(false, t, 1);
	assert_int_equal(h.ctl.log.n, 0);
	run_to(1 * SEC);
	assert_int_equal(alter(1, 0, 0, 0, LIST(1, 3), NULL), KERR_NONE);
	assert_int_equal(h.ctl.log.n, 1);                 /* one partition record */
	crash_and_fence(2);
	/* broker record, tp 1 (leader 2 moves), tp 0 does not contain 2 any more: no record */
	assert_int_equal(h.ctl.log.n, 3);
	uint64_t n = h.ctl.log.n;
	for (uint64_t k = 0; k <= n; k++) {
		uint32_t before = fb_of(1)->n_md;
		send_md_fetch(1, (int64_t)k, 0);
		run_for(2 * LAT_US);
		const struct fake_broker *f = fb_of(1);
		assert_int_equal(f->n_md, before + 1);
		assert_int_equal(f->md.error, KERR_NONE);
		assert_int_equal(f->md.from_offset, (int64_t)k);
		assert_int_equal(f->md.end_offset, (int64_t)n);
		assert_int_equal(f->md.count, n - k);
		uint64_t len = 0;
		const uint8_t *want = md_log_slice(&h.ctl.log, k, n, &len);
		assert_int_equal(f->md_len, len);
		assert_memory_equal(f->md_blob, want, len);
	}
	send_md_fetch(1, 0, 0);
	run_for(2 * LAT_US);
	struct md_image img;
	assert_int_equal(md_image_init(&img, &h.cc), 0);
	assert_int_equal(md_image_apply(&img, fb_of(1)->md_blob, fb_of(1)->md_len,
					fb_of(1)->md.count), (int64_t)n);
	for (uint32_t tp = 0; tp < 2; tp++) {
		assert_int_equal(img.parts[tp].leader, part(tp)->leader);
		assert_int_equal(img.parts[tp].leader_epoch, part(tp)->leader_epoch);
		assert_int_equal(img.parts[tp].partition_epoch, part(tp)->partition_epoch);
		check_set(img.parts[tp].isr, img.parts[tp].n_isr, part(tp)->isr, part(tp)->n_isr);
	}
	assert_true(img.brokers[1].fenced);
	md_image_free(&img);
}

/* A fetch at the log end long-polls (Raft FetchRequest maxWaitMs): it is answered as soon
 * as a record is appended, or empty when the wait runs out. */
static void test_ctl_metadata_fetch_long_polls_at_log_end(void **state)
{
	(void)state;
	struct tdef t[] = {{.min_isr = 1, .rf = 3, .nparts = 1, .replicas = {{1, 2, 3}}}};
	setup(false, t, 1);
	run_to(1 * SEC);
	struct fake_broker *f = fb_of(1);
	/* nothing new: empty answer after max_wait */
	send_md_fetch(1, 0, 500);
	run_for(LAT_US + 499 * MS);
	assert_int_equal(f->n_md, 0);
	run_for(1 * MS + LAT_US);
	assert_int_equal(f->n_md, 1);
	assert_int_equal(f->md.count, 0);
	assert_int_equal(f->md_at_us, 1 * SEC + 500 * MS + 2 * LAT_US);
	/* a change while it waits: answered with that record at once */
	send_md_fetch(1, 0, 500);
	run_for(100 * MS);
	assert_int_equal(f->n_md, 1);
	/* a request that changes nothing (broker 2 does not lead) does not answer it */
	send_alter(2, 0, 0, 0, LIST(1, 2), NULL);
	run_for(10 * MS);
	assert_int_equal(fb_of(2)->ap.error, KERR_NOT_LEADER_OR_FOLLOWER);
	assert_int_equal(f->n_md, 1);
	send_alter(1, 0, 0, 0, LIST(1, 2), NULL);
	int64_t sent = now();
	run_for(3 * LAT_US);
	assert_int_equal(f->n_md, 2);
	assert_int_equal(f->md.count, 1);
	assert_int_equal(f->md.end_offset, 1);
	assert_int_equal(f->md_at_us, sent + 2 * LAT_US);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(
			test_ctl_clean_election_first_isr_replica_in_assignment_order, teardown),
		cmocka_unit_test_teardown(test_ctl_leader_kept_while_valid_partition_epoch_bumps,
					  teardown),
		cmocka_unit_test_teardown(test_ctl_fenced_after_session_timeout_exactly, teardown),
		cmocka_unit_test_teardown(
			test_ctl_last_isr_member_stays_with_no_leader_without_elr, teardown),
		cmocka_unit_test_teardown(test_ctl_registered_broker_unfenced_once_caught_up,
					  teardown),
		cmocka_unit_test_teardown(test_ctl_unclean_election_only_when_topic_enables_it,
					  teardown),
		cmocka_unit_test_teardown(test_ctl_elr_holds_members_leaving_below_min_isr_sorted,
					  teardown),
		cmocka_unit_test_teardown(
			test_ctl_elr_member_elected_cleanly_and_cleared_at_min_isr, teardown),
		cmocka_unit_test_teardown(test_ctl_elr_unclean_shutdown_registration_leaves_elr,
					  teardown),
		cmocka_unit_test_teardown(
			test_ctl_elr_last_known_leader_election_counts_as_unclean, teardown),
		cmocka_unit_test_teardown(
			test_ctl_alter_partition_applies_isr_and_bumps_partition_epoch, teardown),
		cmocka_unit_test_teardown(test_ctl_alter_partition_stale_epochs_are_rejected,
					  teardown),
		cmocka_unit_test_teardown(test_ctl_alter_partition_newer_epochs_are_not_controller,
					  teardown),
		cmocka_unit_test_teardown(test_ctl_alter_partition_ineligible_replicas, teardown),
		cmocka_unit_test_teardown(
			test_ctl_controlled_shutdown_moves_leadership_and_leaves_isrs, teardown),
		cmocka_unit_test_teardown(test_ctl_preferred_leader_election_moves_leadership_back,
					  teardown),
		cmocka_unit_test_teardown(
			test_ctl_no_preferred_election_when_auto_rebalance_disabled, teardown),
		cmocka_unit_test_teardown(test_ctl_offline_time_accumulates_across_outages,
					  teardown),
		cmocka_unit_test_teardown(test_ctl_metadata_fetch_returns_records_after_offset,
					  teardown),
		cmocka_unit_test_teardown(test_ctl_metadata_fetch_long_polls_at_log_end, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
