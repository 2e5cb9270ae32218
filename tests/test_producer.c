/*
 * test_producer.c — the producer client. Pure parts against Kafka's numbers: record and
 * batch sizes (DefaultRecord / DefaultRecordBatch), KIP-580 backoff bounds, keyed murmur2
 * placement, the accumulator's batching by batch.size, KIP-794 sticky switching and its
 * adaptive load stats. Node-level behaviour drives the real producer_ops through the real
 * world (sim/world.c) against a scripted fake broker: linger.ms and batch.size batching,
 * idempotent sequences kept across retries, KIP-360 epoch bumps, non-idempotent reordering,
 * request timeouts and disconnects failing every request in flight, delivery.timeout.ms,
 * acks=0, max.block.ms on metadata and buffer.memory, bootstrap fail-over, crash and
 * restart, stop_us, and determinism. PRODUCER_TRACE=1 prints the trace to stderr.
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
#include "model/partitioner.h"
#include "model/producer.h"
#include "model/producer_internal.h"
#include "model/proto.h"
#include "model/records.h"
#include "sim/kernel.h"
#include "sim/prng.h"
#include "sim/trace.h"
#include "sim/world.h"

#define NB      3
#define MAXP    8
#define MAXREC  4096
#define MAXLOG  8192
#define MS      INT64_C(1000)

/* One partition of a produce request as the fake broker saw it. */
struct plog_entry {
	int64_t  t;
	int32_t  broker;
	int16_t  acks;
	int16_t  error;        /* what the broker answered (NONE: appended at base) */
	int64_t  base;
	int64_t  req_pid;
	int16_t  req_epoch;
	struct produce_part part;
};

struct fbroker {
	int32_t  id;
	bool     mute_md;           /* ignore metadata requests */
	bool     md_stale;          /* answer partition 0 with md_leader / md_epoch */
	int32_t  md_leader;
	int32_t  md_epoch;
	bool     mute_init;
	int64_t  mute_produce_until;   /* drop produce requests (not appended) before this */
	int16_t  fail[64];          /* errors for the next produce partitions, in order */
	uint32_t nfail;
	uint32_t fail_at;
	int64_t  next_offset[MAXP];
	uint32_t md_requests;
	uint32_t init_requests;
	uint32_t produce_requests;
};

enum step_op { STEP_CRASH, STEP_RESTART };

static struct harness {
	struct sim_kernel   k;
	struct trace        tr;
	struct world        w;
	int32_t             ids[NB];
	struct topic_cfg    topic;
	struct part_cfg     parts[MAXP];
	struct cluster_cfg  cc;
	int32_t             leader[MAXP];
	int32_t             leader_epoch[MAXP];
	struct fbroker      fb[NB];
	struct producer     p;
	struct producer_cfg cfg;
	struct rec_store    store;
	struct rec_outcome  out[MAXREC];
	uint32_t            pnode;
	struct plog_entry   log[MAXLOG];
	uint32_t            nlog;
	int64_t             next_pid;
	bool                started;
	bool                has_producer;
	struct { int64_t at; enum step_op op; uint32_t node; } steps[16];
	uint32_t            nsteps;
} h;

/* ---- the fake broker ------------------------------------------------------------------ */

static void fb_start(void *model, struct node_ctx *ctx)
{
	(void)model;
	(void)ctx;
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
	(void)model;
	(void)ctx;
	(void)kind;
	(void)arg;
}

static void reply_md(const struct fbroker *b, struct node_ctx *ctx, conn_id conn,
		     uint64_t corr)
{
	struct md_leader l[MAXP];
	for (uint32_t i = 0; i < h.topic.partitions; i++)
		l[i] = (struct md_leader){
			.tp = i, .leader = h.leader[i], .leader_epoch = h.leader_epoch[i],
			.error = h.leader[i] < 0 ? KERR_LEADER_NOT_AVAILABLE : KERR_NONE,
		};
	if (b->md_stale) {
		l[0].leader = b->md_leader;
		l[0].leader_epoch = b->md_epoch;
	}
	struct metadata_resp r = {.error = KERR_NONE, .topic = 0, .count = h.topic.partitions};
	struct net_msg m;
	PROTO_PUT(&m, MSG_METADATA_RESP, r);
	m.corr = corr;
	node_send(ctx, conn, &m, l, (uint32_t)(h.topic.partitions * sizeof(l[0])));
}

static void reply_init(struct node_ctx *ctx, conn_id conn, uint64_t corr)
{
	struct init_producer_id_resp r = {.error = KERR_NONE, .producer_epoch = 0,
					  .producer_id = h.next_pid++};
	struct net_msg m;
	PROTO_PUT(&m, MSG_INIT_PRODUCER_ID_RESP, r);
	m.corr = corr;
	node_send(ctx, conn, &m, NULL, 0);
}

static void handle_produce(struct fbroker *b, struct node_ctx *ctx, conn_id conn,
			   const struct net_msg *m, const void *blob, uint32_t len)
{
	struct produce_req q;
	PROTO_GET(m, q);
	assert_int_equal(len, q.count * sizeof(struct produce_part));
	b->produce_requests++;
	if (ctx->now_us < b->mute_produce_until)
		return;
	struct produce_part_resp resp[MAXP];
	assert_true(q.count <= MAXP);
	for (uint32_t i = 0; i < q.count; i++) {
		struct produce_part pp;
		memcpy(&pp, (const uint8_t *)blob + i * sizeof(pp), sizeof(pp));
		int16_t err = b->fail_at < b->nfail ? b->fail[b->fail_at++] : KERR_NONE;
		int64_t base = -1;
		if (err == KERR_NONE) {
			base = b->next_offset[pp.tp];
			b->next_offset[pp.tp] += pp.record_count;
		}
		assert_true(h.nlog < MAXLOG);
		h.log[h.nlog++] = (struct plog_entry){
			.t = ctx->now_us, .broker = b->id, .acks = q.acks, .error = err,
			.base = base, .req_pid = q.producer_id, .req_epoch = q.producer_epoch,
			.part = pp,
		};
		resp[i] = (struct produce_part_resp){.tp = pp.tp, .error = err, .base_offset = base,
						     .log_append_time_ms = -1};
	}
	if (q.acks == 0)
		return;
	struct produce_resp r = {.count = q.count};
	struct net_msg out;
	PROTO_PUT(&out, MSG_PRODUCE_RESP, r);
	out.corr = m->corr;
	node_send(ctx, conn, &out, resp, (uint32_t)(q.count * sizeof(resp[0])));
}

static void fb_message(void *model, struct node_ctx *ctx, conn_id conn, const struct net_msg *m,
		       const void *blob, uint32_t len)
{
	struct fbroker *b = model;
	switch (m->type) {
	case MSG_METADATA:
		b->md_requests++;
		if (!b->mute_md)
			reply_md(b, ctx, conn, m->corr);
		break;
	case MSG_INIT_PRODUCER_ID:
		b->init_requests++;
		if (!b->mute_init)
			reply_init(ctx, conn, m->corr);
		break;
	case MSG_PRODUCE:
		handle_produce(b, ctx, conn, m, blob, len);
		break;
	default:
		fail_msg("unexpected message type %u", m->type);
	}
}

static const struct node_ops fb_ops = {
	.start = fb_start, .halt = fb_halt, .message = fb_message, .conn_event = fb_conn,
	.timer = fb_timer,
};

/* ---- the harness ---------------------------------------------------------------------- */

static void runner(void *ctx, struct world *w, const struct sim_event *ev,
		   struct sim_handle self)
{
	(void)ctx;
	(void)self;
	uint32_t i = (uint32_t)ev->arg0;
	if (h.steps[i].op == STEP_CRASH)
		world_crash(w, h.steps[i].node, false);
	else
		world_restart(w, h.steps[i].node);
}

static void step(int64_t at, enum step_op op, uint32_t node)
{
	assert_true(h.nsteps < 16);
	uint32_t i = h.nsteps++;
	h.steps[i].at = at;
	h.steps[i].op = op;
	h.steps[i].node = node;
	world_schedule_runner(&h.w, at, SIM_PHASE_FAULT, i, node, i, 0);
}

static void default_cfg(void)
{
	h.cfg = (struct producer_cfg){
		.index = 0, .topic = 0, .messages = 10, .rate_count = 100, .rate_per_us = 1000000,
		.start_us = 0, .stop_us = 600 * 1000 * MS, .partition = -1, .value_bytes = 100,
		.acks = -1, .idempotent = true, .retries = INT32_MAX,
		.delivery_timeout_ms = 120000, .request_timeout_ms = 30000,
		.retry_backoff_ms = 100, .retry_backoff_max_ms = 1000, .max_in_flight = 5,
		.linger_ms = 5, .batch_size = 16384, .buffer_memory = 33554432,
		.max_block_ms = 60000, .max_request_size = 1048576, .metadata_max_age_ms = 300000,
		.reconnect_backoff_ms = 50, .reconnect_backoff_max_ms = 1000,
		.socket_connection_setup_timeout_ms = 10000,
	};
}

/* A world with NB fake brokers (ids 1..3, node indices 0..2) and one topic of np
 * partitions led by broker 1 at epoch 0. */
static void setup(uint32_t np, uint64_t seed)
{
	memset(&h, 0, sizeof(h));
	assert_int_equal(sim_init(&h.k, world_dispatch, &h.w), 0);
	trace_init(&h.tr, getenv("PRODUCER_TRACE") ? stderr : NULL);
	struct net_params net = {1000, 1000, 0, 0};
	assert_int_equal(world_init(&h.w, &h.k, &h.tr, seed, &net), NET_OK);
	world_set_runner_handler(&h.w, runner, NULL);
	for (uint32_t b = 0; b < NB; b++)
		h.ids[b] = (int32_t)b + 1;
	h.topic = (struct topic_cfg){.name = "t", .partitions = np, .first_tp = 0, .rf = 1,
				     .max_message_bytes = 1048588};
	for (uint32_t i = 0; i < np; i++) {
		h.parts[i] = (struct part_cfg){.topic = 0, .partition = i, .rf = 1,
					       .replicas = &h.ids[0]};
		h.leader[i] = 1;
		h.leader_epoch[i] = 0;
	}
	h.cc = (struct cluster_cfg){
		.brokers = NB, .broker_node0 = 0, .controller_node = UINT32_MAX,
		.broker_ids = h.ids, .ntopics = 1, .topics = &h.topic, .nparts = np,
		.parts = h.parts,
	};
	for (uint32_t b = 0; b < NB; b++) {
		char name[16];
		snprintf(name, sizeof(name), "broker-%u", b + 1);
		h.fb[b].id = h.ids[b];
		uint32_t idx = 0;
		assert_int_equal(world_add_node(&h.w, NODE_BROKER, name, &fb_ops, &h.fb[b], &idx),
				 NET_OK);
		assert_int_equal(idx, b);
	}
	rec_store_init(&h.store);
	h.next_pid = 1000;
	default_cfg();
}

/* The producer alone, not a node (pure tests call its functions directly). */
static void init_producer(void)
{
	assert_true(h.cfg.messages <= MAXREC);
	assert_int_equal(producer_init(&h.p, &h.cfg, &h.cc, &h.store, h.out), 0);
	h.has_producer = true;
}

static void add_producer(void)
{
	assert_true(h.cfg.messages <= MAXREC);
	assert_int_equal(producer_init(&h.p, &h.cfg, &h.cc, &h.store, h.out), 0);
	assert_int_equal(world_add_node(&h.w, NODE_PRODUCER, "p1", &producer_ops, &h.p,
					&h.pnode), NET_OK);
	h.has_producer = true;
}

static void run_until(int64_t us)
{
	if (!h.started) {
		h.started = true;
		world_start_all(&h.w);
	}
	sim_run(&h.k, us, 0);
	assert_int_equal(world_status(&h.w), NET_OK);
	assert_false(producer_nomem(&h.p));
}

static int teardown(void **state)
{
	(void)state;
	if (h.has_producer)
		producer_free(&h.p);
	world_free(&h.w);
	sim_free(&h.k);
	rec_store_free(&h.store);
	return 0;
}

static uint32_t count_state(enum rec_state st)
{
	uint32_t n = 0;
	for (uint64_t i = 0; i < h.cfg.messages; i++)
		n += h.out[i].state == st;
	return n;
}

/* The record indices of a logged batch. */
static const uint32_t *log_records(const struct plog_entry *e, uint32_t *n)
{
	const struct rec_batch *b = rec_store_batch(&h.store, e->part.rec_ref);
	assert_non_null(b);
	*n = b->count;
	return rec_store_indices(&h.store, b);
}

static bool log_has_record(const struct plog_entry *e, uint32_t rec)
{
	uint32_t n;
	const uint32_t *idx = log_records(e, &n);
	for (uint32_t k = 0; k < n; k++)
		if (idx[k] == rec)
			return true;
	return false;
}

/* The nth (from 0) log entry carrying record rec, or -1. */
static int log_find(uint32_t rec, int nth)
{
	for (uint32_t i = 0; i < h.nlog; i++)
		if (log_has_record(&h.log[i], rec) && nth-- == 0)
			return (int)i;
	return -1;
}

static uint64_t errs(int16_t code)
{
	return producer_errors(&h.p, code);
}

/* ---- pure: sizes ---------------------------------------------------------------------- */

static void test_producer_varint_sizes_zigzag(void **state)
{
	(void)state;
	/* ByteUtils.sizeOfVarint on the zig-zag value: 63 -> 126 (1 byte), 64 -> 128 (2),
	 * -64 -> 127 (1), -65 -> 129 (2), 8191 -> 16382 (2), 8192 -> 16384 (3). */
	assert_int_equal(prod_varint_size(0), 1);
	assert_int_equal(prod_varint_size(-1), 1);
	assert_int_equal(prod_varint_size(63), 1);
	assert_int_equal(prod_varint_size(64), 2);
	assert_int_equal(prod_varint_size(-64), 1);
	assert_int_equal(prod_varint_size(-65), 2);
	assert_int_equal(prod_varint_size(8191), 2);
	assert_int_equal(prod_varint_size(8192), 3);
	assert_int_equal(prod_varint_size(INT32_MAX), 5);
	assert_int_equal(prod_varint_size(INT32_MIN), 5);
	assert_int_equal(prod_varlong_size(INT64_MAX), 10);
	assert_int_equal(prod_varlong_size(INT64_MIN), 10);
	assert_int_equal(prod_varlong_size(1000), 2);
}

static void test_producer_record_size_matches_default_record(void **state)
{
	(void)state;
	/* DefaultRecord.sizeInBytes(offsetDelta 0, timestampDelta 0, 3-byte key, 100-byte
	 * value, no headers), worked by hand:
	 *   attributes 1 + timestampDelta varlong(0) 1 + offsetDelta varint(0) 1
	 *   + key: varint(3) (zig-zag 6) 1 + 3 bytes
	 *   + value: varint(100) (zig-zag 200, two 7-bit groups) 2 + 100 bytes
	 *   + header count varint(0) 1
	 *   = body 110; the length prefix varint(110) (zig-zag 220) is 2 bytes: 112.
	 * The batch adds RECORD_BATCH_OVERHEAD 61: 173 bytes in a fresh batch. */
	assert_int_equal(prod_record_size(0, 0, 3, 100), 112);
	assert_int_equal(PROD_BATCH_OVERHEAD + prod_record_size(0, 0, 3, 100), 173);
	/* A null key is varint(-1), one byte: body 107, total 109. */
	assert_int_equal(prod_record_size(0, 0, -1, 100), 109);
	/* The 64th record (offsetDelta 64) and a 64 ms timestamp delta each take a byte more. */
	assert_int_equal(prod_record_size(64, 0, 3, 100), 113);
	assert_int_equal(prod_record_size(64, 64, 3, 100), 114);
	/* An empty key is not null: varint(0) + 0 bytes. Empty value likewise. */
	assert_int_equal(prod_record_size(0, 0, 0, 0), 7);
	/* Upper bound (AbstractRecords.estimateSizeInBytesUpperBound, v2): 61 + 21 +
	 * (1 + 3) + (2 + 100) + 1 = 189. */
	assert_int_equal(prod_record_upper_bound(3, 100), 189);
	assert_int_equal(prod_record_upper_bound(-1, 100), 186);
}

/* ---- pure: backoff -------------------------------------------------------------------- */

static void test_producer_backoff_exponential_with_jitter(void **state)
{
	(void)state;
	struct prng r;
	prng_init(&r, 42);
	/* retry.backoff.ms 100, retry.backoff.max.ms 1000: 100 * 2^n within ±20%, capped. */
	const int64_t lo[] = {80, 160, 320, 640, 800, 800, 800};
	const int64_t hi[] = {120, 240, 480, 960, 1000, 1000, 1000};
	for (uint32_t a = 0; a < 7; a++) {
		int64_t seen_lo = INT64_MAX, seen_hi = 0;
		for (int i = 0; i < 2000; i++) {
			int64_t v = prod_backoff_ms(&r, 100, 1000, a);
			assert_true(v >= lo[a]);
			assert_true(v < hi[a] || (hi[a] == 1000 && v == 1000));
			seen_lo = v < seen_lo ? v : seen_lo;
			seen_hi = v > seen_hi ? v : seen_hi;
		}
		/* The jitter really spreads over the band. */
		assert_true(seen_lo < lo[a] + (hi[a] - lo[a]) / 10);
		assert_true(seen_hi > hi[a] - (hi[a] - lo[a]) / 10 - 1);
	}
	/* Huge attempt counts do not overflow. */
	assert_true(prod_backoff_ms(&r, 100, 1000, 1000000) <= 1000);
	/* max <= initial: ExponentialBackoff is constant at max, without jitter. */
	for (int i = 0; i < 100; i++) {
		assert_int_equal(prod_backoff_ms(&r, 100, 50, (uint32_t)i), 50);
		assert_int_equal(prod_backoff_ms(&r, 100, 100, (uint32_t)i), 100);
	}
	assert_int_equal(prod_backoff_ms(&r, 0, 1000, 3), 0);
	/* reconnect.backoff.ms 50 to 1000: the first reconnect waits 40..60 ms. */
	for (int i = 0; i < 100; i++) {
		int64_t v = prod_backoff_ms(&r, 50, 1000, 0);
		assert_true(v >= 40 && v < 60);
	}
}

/* ---- pure: partitioning and the accumulator ------------------------------------------- */

/* A producer bound to the harness cluster, not started (no world events). */
static void pure_producer(uint32_t np)
{
	setup(np, 1);
	h.cfg.acks = 1;
	h.cfg.idempotent = false;
}

static struct node_ctx pure_ctx(struct prng *r, int64_t now)
{
	return (struct node_ctx){.world = &h.w, .node = 0, .now_us = now, .wall_ms = now / MS,
				 .prng = r};
}

static void test_producer_keyed_records_use_murmur2(void **state)
{
	(void)state;
	pure_producer(3);
	static const uint8_t k0[] = "key0", k1[] = "key1", k2[] = "key2", ke[] = "";
	static const uint8_t *const keys[] = {k0, k1, k2, ke, k0};
	static const uint32_t lens[] = {4, 4, 4, 0, 4};
	static const bool nulls[] = {false, false, false, false, true};
	h.cfg.key_count = 5;
	h.cfg.keys = keys;
	h.cfg.key_lens = lens;
	h.cfg.key_null = nulls;
	h.cfg.messages = 10;
	init_producer();
	int32_t klen;
	const uint8_t *key;
	/* kafka-semantics.md 2.2: "key0" -> 1, "key1" -> 2, "key2" -> 2, "" -> 0 (of 3). */
	assert_int_equal(prod_partition_of(&h.p, 0, &klen, &key), 1);
	assert_int_equal(klen, 4);
	assert_int_equal(prod_partition_of(&h.p, 1, &klen, &key), 2);
	assert_int_equal(prod_partition_of(&h.p, 2, &klen, &key), 2);
	assert_int_equal(prod_partition_of(&h.p, 3, &klen, &key), 0);
	assert_int_equal(klen, 0);
	/* A null key goes to the sticky partitioner. */
	assert_int_equal(prod_partition_of(&h.p, 4, &klen, &key), -1);
	assert_int_equal(klen, -1);
	assert_int_equal(prod_partition_of(&h.p, 5, &klen, &key), 1);   /* 5 mod 5 = 0 */
	/* partitioner.ignore.keys: every record is sticky. */
	h.cfg.partitioner_ignore_keys = true;
	assert_int_equal(prod_partition_of(&h.p, 0, &klen, &key), -1);
	h.cfg.partitioner_ignore_keys = false;
	/* An explicit partition wins over the key. */
	h.cfg.partition = 0;
	assert_int_equal(prod_partition_of(&h.p, 1, &klen, &key), 0);
}

static void test_producer_key_mod_keys_are_key_dash_n(void **state)
{
	(void)state;
	pure_producer(7);
	h.cfg.key_mod = 13;
	h.cfg.messages = 40;
	init_producer();
	for (uint64_t i = 0; i < 40; i++) {
		char key[32];
		int n = snprintf(key, sizeof(key), "key-%llu", (unsigned long long)(i % 13));
		int32_t klen;
		const uint8_t *k;
		int32_t part = prod_partition_of(&h.p, i, &klen, &k);
		assert_int_equal(klen, n);
		assert_int_equal(part, (int32_t)part_for_key((const uint8_t *)key, (size_t)n, 7));
	}
}

static void test_producer_batches_fill_to_batch_size(void **state)
{
	(void)state;
	pure_producer(1);
	h.cfg.batch_size = 1000;
	h.cfg.messages = 20;
	init_producer();
	struct prng r;
	prng_init(&r, 1);
	struct node_ctx ctx = pure_ctx(&r, 0);
	/* Null key, 100-byte value: 109 bytes per record, 61 + 8 * 109 = 933 <= 1000 and a
	 * ninth would make 1042: eight records per batch. */
	for (uint32_t i = 0; i < 17; i++) {
		h.out[i].state = REC_PENDING;
		assert_int_equal(prod_append(&h.p, &ctx, i, 0, -1, 0), 0);
	}
	struct prod_part *pp = &h.p.parts[0];
	assert_int_equal(pp->q.n, 3);
	const struct prod_batch *b0 = prod_batch(&h.p, pp->q.v[0]);
	const struct prod_batch *b1 = prod_batch(&h.p, pp->q.v[1]);
	const struct prod_batch *b2 = prod_batch(&h.p, pp->q.v[2]);
	assert_int_equal(b0->count, 8);
	assert_int_equal(b0->size, 933);
	assert_true(b0->closed);
	assert_true(prod_batch_full(b0));
	assert_int_equal(b1->count, 8);
	assert_int_equal(b2->count, 1);
	assert_false(prod_batch_full(b2));
	/* Closed batches are sealed in the store with their records in order. */
	const struct rec_batch *rb = rec_store_batch(&h.store, b1->rec_ref);
	assert_non_null(rb);
	assert_int_equal(rb->count, 8);
	assert_int_equal(rec_store_indices(&h.store, rb)[0], 8);
	assert_int_equal(b2->rec_ref, REC_REF_NONE);
	/* buffer.memory holds one batch.size buffer per batch. */
	assert_int_equal(h.p.mem_used, 3000);
	/* A record larger than batch.size gets a buffer of its own upper bound. */
	h.cfg.value_bytes = 5000;
	h.out[17].state = REC_PENDING;
	assert_int_equal(prod_append(&h.p, &ctx, 17, 0, -1, 0), 0);
	assert_int_equal(pp->q.n, 4);
	assert_int_equal(h.p.mem_used, 3000 + prod_record_upper_bound(-1, 5000));
}

static void test_producer_buffer_memory_full_blocks_append(void **state)
{
	(void)state;
	pure_producer(1);
	h.cfg.batch_size = 1000;
	h.cfg.buffer_memory = 2000;
	init_producer();
	struct prng r;
	prng_init(&r, 1);
	struct node_ctx ctx = pure_ctx(&r, 0);
	for (uint32_t i = 0; i < 16; i++)
		assert_int_equal(prod_append(&h.p, &ctx, i, 0, -1, 0), 0);
	assert_false(prod_memory_for(&h.p, 16));
	assert_int_equal(prod_append(&h.p, &ctx, 16, 0, -1, 0), -1);
	assert_int_equal(h.p.parts[0].q.n, 2);
}

/* Marks every partition as led by broker 1, as a metadata response would. */
static void pure_leaders(void)
{
	h.p.navail = 0;
	for (uint32_t i = 0; i < h.p.nparts; i++) {
		h.p.parts[i].leader = 1;
		h.p.parts[i].leader_b = 0;
		h.p.avail[h.p.navail++] = i;
	}
}

static void test_producer_sticky_switches_after_batch_size(void **state)
{
	(void)state;
	pure_producer(4);
	h.cfg.batch_size = 1000;
	init_producer();
	pure_leaders();
	struct prng r;
	prng_init(&r, 3);
	struct node_ctx ctx = pure_ctx(&r, 0);
	/* 16 records fill two batches of 8 on the sticky partition: produced bytes pass
	 * batch.size with the 9th (a new batch, 170 bytes), but the switch waits until the
	 * partition's last batch is full (BuiltInPartitioner, enableSwitch). The 17th record
	 * fills the second batch and completes the switch. */
	int32_t first = prod_append(&h.p, &ctx, 0, -1, -1, 0);
	assert_true(first >= 0);
	for (uint32_t i = 1; i < 16; i++) {
		assert_int_equal(prod_append(&h.p, &ctx, i, -1, -1, 0), first);
		assert_int_equal(h.p.sticky, first);
	}
	assert_int_equal(h.p.produced_bytes, 2 * 61 + 16 * 109);
	int32_t next = prod_append(&h.p, &ctx, 16, -1, -1, 0);
	assert_true(next >= 0);
	/* After the switch, produced bytes count from the new partition's batch alone. */
	assert_int_equal(h.p.parts[next].q.n, next == first ? 3 : 1);
	assert_int_equal(h.p.produced_bytes, 170);
}

static void test_producer_sticky_switches_at_twice_batch_size(void **state)
{
	(void)state;
	pure_producer(4);
	h.cfg.batch_size = 1000;
	h.cfg.value_bytes = 3000;
	init_producer();
	pure_leaders();
	struct prng r;
	prng_init(&r, 3);
	struct node_ctx ctx = pure_ctx(&r, 0);
	/* One 3000-byte record: its batch is not full (its buffer is the record's upper
	 * bound) but produced bytes pass 2 * batch.size: switch at once. */
	assert_true(prod_append(&h.p, &ctx, 0, -1, -1, 0) >= 0);
	assert_int_equal(h.p.produced_bytes, 0);
}

static void test_producer_sticky_spreads_uniformly(void **state)
{
	(void)state;
	pure_producer(4);
	h.cfg.batch_size = 1;
	h.cfg.messages = 4000;
	init_producer();
	pure_leaders();
	/* Only partitions with a leader are chosen (availablePartitionsForTopic). */
	h.p.parts[2].leader = -1;
	h.p.parts[2].leader_b = PROD_NONE;
	h.p.navail = 3;
	h.p.avail[2] = 3;
	struct prng r;
	prng_init(&r, 9);
	struct node_ctx ctx = pure_ctx(&r, 0);
	uint32_t per[4] = {0};
	for (uint32_t i = 0; i < 3000; i++)
		per[prod_next_partition(&h.p, &ctx)]++;
	assert_int_equal(per[2], 0);
	for (uint32_t i = 0; i < 4; i++)
		if (i != 2)
			assert_true(per[i] > 900 && per[i] < 1100);
}

static void test_producer_adaptive_load_stats_weight_short_queues(void **state)
{
	(void)state;
	pure_producer(3);
	init_producer();
	h.p.ndeques = 3;
	/* BuiltInPartitioner.updatePartitionLoadStats' own example: queue sizes 0 3 1 invert
	 * against max + 1 = 4 to 4 1 3, running sums 4 5 8. */
	const uint32_t qs[] = {0, 3, 1}, ids[] = {0, 1, 2};
	prod_update_load_stats(&h.p, qs, ids, 3);
	assert_int_equal(h.p.cft_len, 3);
	assert_int_equal(h.p.cft[0], 4);
	assert_int_equal(h.p.cft[1], 5);
	assert_int_equal(h.p.cft[2], 8);
	struct prng r;
	prng_init(&r, 5);
	struct node_ctx ctx = pure_ctx(&r, 0);
	uint32_t per[3] = {0};
	for (uint32_t i = 0; i < 8000; i++)
		per[prod_next_partition(&h.p, &ctx)]++;
	/* Draws 0-3 -> partition 0, 4 -> 1, 5-7 -> 2: 4/8, 1/8, 3/8. */
	assert_true(per[0] > 3700 && per[0] < 4300);
	assert_true(per[1] > 800 && per[1] < 1200);
	assert_true(per[2] > 2700 && per[2] < 3300);
	/* Equal queues with none excluded: no stats (uniform). */
	const uint32_t eq[] = {2, 2, 2};
	prod_update_load_stats(&h.p, eq, ids, 3);
	assert_int_equal(h.p.cft_len, 0);
	/* Equal queues, one partition excluded: stats over the others. */
	prod_update_load_stats(&h.p, eq, ids, 2);
	assert_int_equal(h.p.cft_len, 2);
	assert_int_equal(h.p.cft[1], 2);
}

/* ---- node level ----------------------------------------------------------------------- */

static void test_producer_acks_all_happy_path(void **state)
{
	(void)state;
	setup(1, 1);
	add_producer();
	run_until(1000 * MS);
	assert_int_equal(count_state(REC_ACKED), 10);
	for (uint32_t i = 0; i < 10; i++) {
		assert_int_equal(h.out[i].partition, 0);
		assert_int_equal(h.out[i].offset, i);
	}
	/* InitProducerId once, before any produce; each 10 ms record is its own batch
	 * (linger 5 ms) with the next sequence. */
	assert_int_equal(h.fb[0].init_requests, 1);
	assert_true(h.fb[0].md_requests >= 1);
	assert_int_equal(h.nlog, 10);
	for (uint32_t i = 0; i < 10; i++) {
		assert_int_equal(h.log[i].part.base_sequence, i);
		assert_int_equal(h.log[i].part.record_count, 1);
		assert_int_equal(h.log[i].part.producer_id, 1000);
		assert_int_equal(h.log[i].part.producer_epoch, 0);
		assert_int_equal(h.log[i].req_pid, 1000);
		assert_int_equal(h.log[i].acks, -1);
		assert_int_equal(h.log[i].part.size_bytes, 61 + 109);
		/* linger.ms: sent 5 ms after the batch was created (record i due at 10 i ms;
		 * record 0 waited for metadata until 4 ms). */
		int64_t created = i == 0 ? 4 * MS : (int64_t)i * 10 * MS;
		assert_int_equal(h.log[i].t, created + 5 * MS + 1 * MS);
	}
	for (int16_t c = 1; c < PRODUCER_ERROR_CODES; c++)
		assert_int_equal(errs(c), 0);
}

static void test_producer_linger_collects_records(void **state)
{
	(void)state;
	setup(1, 1);
	h.cfg.rate_count = 1000;   /* one record per ms */
	h.cfg.messages = 50;
	add_producer();
	run_until(1000 * MS);
	assert_int_equal(count_state(REC_ACKED), 50);
	/* Records 0..4 wait for metadata until 4 ms and open a batch then; it lingers 5 ms and
	 * takes records due until 8 ms. Every later batch lingers 5 ms: 5 records (the batch
	 * leaves before the record due at its linger expiry), and record 49 goes alone. */
	assert_int_equal(h.nlog, 10);
	assert_int_equal(h.log[0].part.record_count, 9);
	for (uint32_t i = 1; i < 9; i++)
		assert_int_equal(h.log[i].part.record_count, 5);
	assert_int_equal(h.log[9].part.record_count, 1);
	assert_int_equal(h.log[9].t, 49 * MS + 5 * MS + 1 * MS);
}

static void test_producer_full_batches_go_without_linger(void **state)
{
	(void)state;
	setup(1, 1);
	h.cfg.acks = 1;
	h.cfg.idempotent = false;
	h.cfg.rate_count = 1000;
	h.cfg.messages = 21;
	h.cfg.batch_size = 500;   /* 61 + 4 * 109 = 497: four records per batch */
	h.cfg.linger_ms = 1000;
	add_producer();
	run_until(3000 * MS);
	assert_int_equal(count_state(REC_ACKED), 21);
	assert_int_equal(h.nlog, 6);
	for (uint32_t i = 0; i < 5; i++) {
		assert_int_equal(h.log[i].part.record_count, 4);
		assert_true(h.log[i].t < 30 * MS);   /* sent once the next batch opened */
		assert_int_equal(h.log[i].part.base_sequence, -1);
		assert_int_equal(h.log[i].part.producer_id, -1);
	}
	/* The last, partial batch (record 20, created at 20 ms) waits linger.ms. */
	assert_int_equal(h.log[5].part.record_count, 1);
	assert_int_equal(h.log[5].t, 20 * MS + 1000 * MS + 1 * MS);
}

static void test_producer_retry_keeps_sequence(void **state)
{
	(void)state;
	setup(1, 1);
	h.cfg.messages = 3;
	h.fb[0].fail[0] = KERR_NOT_LEADER_OR_FOLLOWER;
	h.fb[0].nfail = 1;
	add_producer();
	run_until(2000 * MS);
	assert_int_equal(count_state(REC_ACKED), 3);
	assert_int_equal(errs(KERR_NOT_LEADER_OR_FOLLOWER), 1);
	int a = log_find(0, 0), b = log_find(0, 1);
	assert_true(a >= 0 && b > a);
	assert_int_equal(h.log[a].error, KERR_NOT_LEADER_OR_FOLLOWER);
	assert_int_equal(h.log[b].error, KERR_NONE);
	/* Same batch, same producer id, epoch and sequence on the retry. */
	assert_int_equal(h.log[b].part.rec_ref, h.log[a].part.rec_ref);
	assert_int_equal(h.log[b].part.base_sequence, 0);
	assert_int_equal(h.log[b].part.producer_epoch, 0);
	/* The retry waited retry.backoff.ms (100 ms ± 20%) after the error arrived. */
	int64_t gap = h.log[b].t - (h.log[a].t + 1 * MS);
	assert_true(gap >= 80 * MS);
	assert_true(gap <= 125 * MS);
	/* NOT_LEADER_OR_FOLLOWER refreshed the metadata. */
	assert_true(h.fb[0].md_requests >= 2);
	/* The later records queued behind the retried batch (one batch, still open while it
	 * waited) and followed it, in sequence order. */
	assert_int_equal(h.out[0].offset, 0);
	assert_int_equal(h.out[1].offset, 1);
	assert_int_equal(h.out[2].offset, 2);
	int c = log_find(1, 0);
	assert_int_equal(c, log_find(2, 0));
	assert_int_equal(h.log[c].part.base_sequence, 1);
	assert_int_equal(h.log[c].part.record_count, 2);
	assert_true(h.log[c].t >= h.log[b].t);
}

static void test_producer_out_of_order_sequence_bumps_epoch(void **state)
{
	(void)state;
	setup(1, 1);
	h.cfg.messages = 2;
	h.fb[0].fail[0] = KERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
	h.fb[0].nfail = 1;
	add_producer();
	run_until(2000 * MS);
	assert_int_equal(count_state(REC_ACKED), 2);
	assert_int_equal(errs(KERR_OUT_OF_ORDER_SEQUENCE_NUMBER), 1);
	int a = log_find(0, 0), b = log_find(0, 1);
	assert_true(a >= 0 && b > a);
	assert_int_equal(h.log[a].part.producer_epoch, 0);
	/* KIP-360: the idempotent producer bumps its epoch locally and restarts the
	 * partition's sequences at 0; the same producer id, no new InitProducerId. */
	assert_int_equal(h.log[b].part.producer_epoch, 1);
	assert_int_equal(h.log[b].req_epoch, 1);
	assert_int_equal(h.log[b].part.base_sequence, 0);
	assert_int_equal(h.log[b].part.producer_id, 1000);
	assert_int_equal(h.fb[0].init_requests, 1);
	int c = log_find(1, 0);
	assert_int_equal(h.log[c].part.producer_epoch, 1);
	assert_int_equal(h.log[c].part.base_sequence, 1);
}

static void test_producer_duplicate_sequence_is_success(void **state)
{
	(void)state;
	setup(1, 1);
	h.cfg.messages = 1;
	h.fb[0].fail[0] = KERR_DUPLICATE_SEQUENCE_NUMBER;
	h.fb[0].nfail = 1;
	add_producer();
	run_until(1000 * MS);
	assert_int_equal(h.out[0].state, REC_ACKED);
	assert_int_equal(h.out[0].offset, -1);
	assert_int_equal(h.nlog, 1);
}

static void test_producer_non_retriable_error_fails_at_once(void **state)
{
	(void)state;
	setup(1, 1);
	h.cfg.messages = 2;
	h.fb[0].fail[0] = KERR_INVALID_TIMESTAMP;
	h.fb[0].nfail = 1;
	add_producer();
	run_until(1000 * MS);
	assert_int_equal(h.out[0].state, REC_FAILED);
	assert_int_equal(h.out[0].error, KERR_INVALID_TIMESTAMP);
	assert_int_equal(h.out[1].state, REC_ACKED);
	assert_int_equal(errs(KERR_INVALID_TIMESTAMP), 1);
	/* The failed batch might have been written elsewhere: the partition's sequences
	 * restart under a bumped epoch (TransactionManager.handleFailedBatch). */
	int c = log_find(1, 0);
	assert_int_equal(h.log[c].part.producer_epoch, 1);
	assert_int_equal(h.log[c].part.base_sequence, 0);
}

static void test_producer_split_cuts_at_batch_size(void **state)
{
	(void)state;
	pure_producer(1);
	h.cfg.batch_size = 1000;
	init_producer();
	struct prng r;
	prng_init(&r, 1);
	struct node_ctx ctx = pure_ctx(&r, 0);
	for (uint32_t i = 0; i < 8; i++) {
		h.out[i].state = REC_PENDING;
		assert_int_equal(prod_append(&h.p, &ctx, i, 0, -1, 0), 0);
	}
	struct prod_part *pp = &h.p.parts[0];
	uint32_t big = pp->q.v[0];
	prod_vec_remove_at(&pp->q, 0);   /* as if drained */
	prod_batch(&h.p, big)->queued = false;
	prod_batch_close(&h.p, big);
	/* ProducerBatch.split re-batches at batch.size: 61 + 3 * 109 = 388 <= 400. */
	h.p.batch_size = 400;
	world_start_all(&h.w);   /* brokers only: prod_split traces as broker-1 */
	h.w.in_model++;
	prod_split(&h.p, &ctx, big);
	h.w.in_model--;
	assert_int_equal(pp->q.n, 3);
	const uint32_t want[] = {3, 3, 2};
	uint32_t next = 0;
	for (uint32_t k = 0; k < 3; k++) {
		const struct prod_batch *b = prod_batch(&h.p, pp->q.v[k]);
		assert_int_equal(b->count, want[k]);
		assert_true(b->closed);
		assert_int_equal(b->attempts, 0);
		assert_int_equal(b->alloc, 0);   /* split batches live outside buffer.memory */
		const uint32_t *idx = rec_store_indices(&h.store,
							rec_store_batch(&h.store, b->rec_ref));
		for (uint32_t j = 0; j < b->count; j++)
			assert_int_equal(idx[j], next++);
	}
	assert_int_equal(h.p.mem_used, 0);
	assert_int_equal(count_state(REC_PENDING), 8);
}

static void test_producer_message_too_large_splits_batch(void **state)
{
	(void)state;
	setup(1, 1);
	h.cfg.acks = 1;
	h.cfg.idempotent = false;
	h.cfg.rate_count = 1000;
	h.cfg.messages = 5;
	h.fb[0].fail[0] = KERR_MESSAGE_TOO_LARGE;
	h.fb[0].nfail = 1;
	add_producer();
	run_until(1000 * MS);
	assert_int_equal(count_state(REC_ACKED), 5);
	assert_int_equal(errs(KERR_MESSAGE_TOO_LARGE), 1);
	int a = log_find(0, 0), b = log_find(0, 1);
	assert_true(a >= 0 && b > a);
	/* Split batches are new batches (their own rec_ref) and are not retries: no backoff,
	 * sent as soon as the answer arrived. */
	assert_int_not_equal(h.log[a].part.rec_ref, h.log[b].part.rec_ref);
	assert_int_equal(h.log[b].t, h.log[a].t + 2 * MS);
}

static void test_producer_non_idempotent_retry_reorders(void **state)
{
	(void)state;
	setup(1, 1);
	h.cfg.acks = 1;
	h.cfg.idempotent = false;
	h.cfg.linger_ms = 0;
	h.cfg.rate_count = 1000;
	h.cfg.messages = 8;
	h.fb[0].fail[0] = KERR_NOT_ENOUGH_REPLICAS;
	h.fb[0].nfail = 1;
	add_producer();
	run_until(2000 * MS);
	assert_int_equal(count_state(REC_ACKED), 8);
	assert_int_equal(errs(KERR_NOT_ENOUGH_REPLICAS), 1);
	/* The first batch (records 0..4) failed and was retried after later batches were
	 * written: it lands behind them (the nonmonotonic-send anomaly). */
	int first_ok = log_find(0, 1), later = log_find(5, 0);
	assert_true(first_ok >= 0 && later >= 0);
	assert_true(later < first_ok);
	assert_true(h.out[0].offset > h.out[5].offset);
}

static void test_producer_max_in_flight_one_keeps_order(void **state)
{
	(void)state;
	setup(1, 1);
	h.cfg.acks = 1;
	h.cfg.idempotent = false;
	h.cfg.max_in_flight = 1;
	h.cfg.linger_ms = 0;
	h.cfg.rate_count = 1000;
	h.cfg.messages = 8;
	h.fb[0].fail[0] = KERR_NOT_ENOUGH_REPLICAS;
	h.fb[0].nfail = 1;
	add_producer();
	run_until(2000 * MS);
	assert_int_equal(count_state(REC_ACKED), 8);
	/* The partition is muted while its batch is in flight: the retried first batch is
	 * written before the later ones. */
	for (uint32_t i = 1; i < 8; i++)
		assert_true(h.out[i].offset > h.out[i - 1].offset);
}

static void test_producer_ignores_metadata_with_older_leader_epoch(void **state)
{
	(void)state;
	setup(1, 1);
	h.leader_epoch[0] = 5;
	h.fb[1].md_stale = true;   /* broker 2's cache is behind: leader 3 at epoch 4 */
	h.fb[1].md_leader = 3;
	h.fb[1].md_epoch = 4;
	h.cfg.messages = 50;
	add_producer();
	step(100 * MS, STEP_CRASH, 0);   /* later metadata comes from broker 2 */
	run_until(1000 * MS);
	assert_true(h.fb[1].md_requests >= 1);
	/* KIP-320: the older epoch is not taken; broker 3 never hears from the producer. */
	assert_int_equal(h.p.parts[0].leader, 1);
	assert_int_equal(h.p.parts[0].leader_epoch, 5);
	assert_int_equal(h.fb[2].produce_requests, 0);
}

static void test_producer_request_timeout_fails_every_inflight(void **state)
{
	(void)state;
	setup(1, 1);
	h.cfg.acks = 1;
	h.cfg.idempotent = false;
	h.cfg.linger_ms = 0;
	h.cfg.rate_count = 1000;
	h.cfg.messages = 10;
	h.cfg.request_timeout_ms = 1000;
	h.fb[0].mute_produce_until = 500 * MS;
	add_producer();
	/* Batches at 4 (records 0..4), 5, 6, 7, 8 ms fill max.in.flight 5; the first times
	 * out at 1004 ms and closes the connection: all five fail together. */
	run_until(1004 * MS - 1);
	assert_int_equal(errs(KERR_REQUEST_TIMED_OUT), 0);
	assert_int_equal(h.fb[0].produce_requests, 5);
	run_until(1004 * MS);
	assert_int_equal(errs(KERR_REQUEST_TIMED_OUT), 5);
	assert_int_equal(count_state(REC_PENDING), 10);
	run_until(3000 * MS);
	assert_int_equal(count_state(REC_ACKED), 10);
	assert_int_equal(errs(KERR_REQUEST_TIMED_OUT), 5);
}

static void test_producer_disconnect_is_network_exception(void **state)
{
	(void)state;
	setup(1, 1);
	h.cfg.acks = 1;
	h.cfg.idempotent = false;
	h.cfg.linger_ms = 0;
	h.cfg.rate_count = 1000;
	h.cfg.messages = 10;
	h.fb[0].mute_produce_until = INT64_MAX;
	add_producer();
	step(100 * MS, STEP_CRASH, 0);
	/* The crash resets the connection one link delay later: every request in flight on
	 * it fails with NETWORK_EXCEPTION. */
	run_until(101 * MS - 1);
	assert_int_equal(errs(KERR_NETWORK_EXCEPTION), 0);
	run_until(101 * MS);
	assert_int_equal(errs(KERR_NETWORK_EXCEPTION), 5);
	assert_int_equal(count_state(REC_PENDING), 10);
}

static void test_producer_delivery_timeout_expires_in_flight(void **state)
{
	(void)state;
	setup(1, 1);
	h.cfg.acks = 1;
	h.cfg.idempotent = false;
	h.cfg.linger_ms = 0;
	h.cfg.messages = 1;
	h.cfg.request_timeout_ms = 1000;
	h.cfg.delivery_timeout_ms = 3000;
	h.fb[0].mute_produce_until = INT64_MAX;
	add_producer();
	/* The batch was created at 4 ms (after metadata); delivery.timeout.ms counts from
	 * there, whatever attempt is in flight. */
	run_until(3004 * MS - 1);
	assert_int_equal(h.out[0].state, REC_PENDING);
	run_until(3004 * MS);
	assert_int_equal(h.out[0].state, REC_FAILED);
	assert_int_equal(h.out[0].error, KERR_REQUEST_TIMED_OUT);
	/* Each attempt before ended in a client-made REQUEST_TIMED_OUT. */
	assert_int_equal(errs(KERR_REQUEST_TIMED_OUT), 2);
	run_until(10000 * MS);
	assert_int_equal(h.out[0].state, REC_FAILED);
	assert_int_equal(errs(KERR_REQUEST_TIMED_OUT), 3);   /* the last attempt too */
	assert_int_equal(h.fb[0].produce_requests, 3);
}

static void test_producer_delivery_timeout_expires_queued(void **state)
{
	(void)state;
	setup(1, 1);
	h.cfg.acks = 1;
	h.cfg.idempotent = false;
	h.cfg.messages = 3;
	h.cfg.delivery_timeout_ms = 2000;
	h.cfg.request_timeout_ms = 1000;
	h.leader[0] = -1;   /* no leader: batches stay in the accumulator */
	add_producer();
	run_until(4 * MS + 2000 * MS - 1);
	assert_int_equal(count_state(REC_PENDING), 3);
	run_until(4 * MS + 2000 * MS);
	assert_int_equal(h.out[0].state, REC_FAILED);
	assert_int_equal(h.out[0].error, KERR_REQUEST_TIMED_OUT);
	run_until(3000 * MS);
	assert_int_equal(count_state(REC_FAILED), 3);
	assert_int_equal(h.nlog, 0);
	for (int16_t c = 1; c < PRODUCER_ERROR_CODES; c++)
		assert_int_equal(errs(c), 0);   /* expiry is not a produce error */
	/* The unknown leader kept the producer asking for metadata, with backoff. */
	assert_true(h.fb[0].md_requests > 3);
	assert_true(h.fb[0].md_requests < 40);
}

static void test_producer_acks0_acked_when_written(void **state)
{
	(void)state;
	setup(1, 1);
	h.cfg.acks = 0;
	h.cfg.idempotent = false;
	h.cfg.messages = 5;
	add_producer();
	run_until(9 * MS - 1);
	assert_int_equal(h.out[0].state, REC_PENDING);
	/* Written at 9 ms (created at 4, linger 5): acknowledged then, no offset. */
	run_until(9 * MS);
	assert_int_equal(h.out[0].state, REC_ACKED);
	assert_int_equal(h.out[0].offset, -1);
	run_until(1000 * MS);
	assert_int_equal(count_state(REC_ACKED), 5);
	assert_int_equal(h.nlog, 5);
	assert_int_equal(h.log[0].acks, 0);
}

static void test_producer_metadata_wait_times_out_in_max_block(void **state)
{
	(void)state;
	setup(1, 1);
	for (uint32_t b = 0; b < NB; b++)
		h.fb[b].mute_md = true;
	h.cfg.messages = 3;
	h.cfg.max_block_ms = 1000;
	add_producer();
	run_until(1000 * MS - 1);
	assert_int_equal(h.out[0].state, REC_PENDING);
	assert_int_equal(h.out[1].state, REC_UNSENT);
	/* send() blocked max.block.ms, then failed; the next record (due at 10 ms) was
	 * delayed, not dropped, and blocks in turn. */
	run_until(1000 * MS);
	assert_int_equal(h.out[0].state, REC_FAILED);
	assert_int_equal(h.out[0].error, KERR_REQUEST_TIMED_OUT);
	assert_int_equal(h.out[1].state, REC_PENDING);
	run_until(3000 * MS);
	assert_int_equal(count_state(REC_FAILED), 3);
	for (int16_t c = 1; c < PRODUCER_ERROR_CODES; c++)
		assert_int_equal(errs(c), 0);
}

static void test_producer_buffer_memory_blocks_then_resumes(void **state)
{
	(void)state;
	setup(1, 1);
	h.cfg.acks = 1;
	h.cfg.idempotent = false;
	h.cfg.linger_ms = 0;
	h.cfg.rate_count = 1000;
	h.cfg.messages = 10;
	h.cfg.batch_size = 1000;
	h.cfg.buffer_memory = 3000;
	h.cfg.max_block_ms = 10000;
	h.fb[0].mute_produce_until = 200 * MS;
	h.cfg.request_timeout_ms = 300;
	add_producer();
	/* Batches at 4, 5, 6 ms take the 3000 bytes; record 7 blocks in send(). */
	run_until(100 * MS);
	assert_int_equal(h.p.app, PROD_APP_BLOCK_MEM);
	assert_int_equal(h.out[7].state, REC_PENDING);
	assert_int_equal(h.out[7].partition, -1);
	assert_int_equal(h.out[8].state, REC_UNSENT);
	run_until(2000 * MS);
	assert_int_equal(count_state(REC_ACKED), 10);
}

static void test_producer_buffer_memory_wait_times_out(void **state)
{
	(void)state;
	setup(1, 1);
	h.cfg.acks = 1;
	h.cfg.idempotent = false;
	h.cfg.linger_ms = 0;
	h.cfg.rate_count = 1000;
	h.cfg.messages = 9;
	h.cfg.batch_size = 1000;
	h.cfg.buffer_memory = 3000;
	h.cfg.max_block_ms = 100;
	h.fb[0].mute_produce_until = INT64_MAX;
	add_producer();
	/* Record 7, handed at 7 ms, waits 100 ms for memory, then fails. */
	run_until(107 * MS - 1);
	assert_int_equal(h.out[7].state, REC_PENDING);
	run_until(107 * MS);
	assert_int_equal(h.out[7].state, REC_FAILED);
	assert_int_equal(h.out[7].error, KERR_REQUEST_TIMED_OUT);
	assert_int_equal(h.out[8].state, REC_PENDING);
}

static void test_producer_bootstrap_tries_next_broker(void **state)
{
	(void)state;
	setup(1, 1);
	h.cfg.start_us = 10 * MS;
	h.cfg.messages = 1;
	add_producer();
	step(0, STEP_CRASH, 0);   /* broker 1's process is down, its machine up */
	run_until(100 * MS);
	assert_int_equal(h.fb[0].md_requests, 0);
	assert_int_equal(h.fb[1].md_requests, 1);
	assert_int_equal(h.fb[1].init_requests, 1);
}

static void test_producer_crash_abandons_and_restart_continues(void **state)
{
	(void)state;
	setup(1, 1);
	h.cfg.messages = 100;
	h.fb[0].mute_produce_until = 300 * MS;
	add_producer();
	step(200 * MS, STEP_CRASH, 3);
	step(500 * MS, STEP_RESTART, 3);
	run_until(300 * MS);
	/* Records 0..19 were handed before the crash and never acknowledged. */
	for (uint32_t i = 0; i < 20; i++)
		assert_int_equal(h.out[i].state, REC_ABANDONED);
	assert_int_equal(h.out[20].state, REC_UNSENT);
	run_until(3000 * MS);
	for (uint32_t i = 20; i < 100; i++)
		assert_int_equal(h.out[i].state, REC_ACKED);
	/* A new session: a new producer id; the abandoned records are never resent. */
	assert_int_equal(h.fb[0].init_requests, 2);
	for (uint32_t i = 0; i < h.nlog; i++) {
		assert_int_equal(h.log[i].part.producer_id, 1001);
		uint32_t n;
		const uint32_t *idx = log_records(&h.log[i], &n);
		for (uint32_t k = 0; k < n; k++)
			assert_true(idx[k] >= 20);
	}
	/* Records 20..50 fell due while it was down: handed at once at the restart. */
	int a = log_find(20, 0);
	assert_true(h.log[a].t < 520 * MS);
}

static void test_producer_stops_at_duration(void **state)
{
	(void)state;
	setup(1, 1);
	h.cfg.stop_us = 45 * MS;
	add_producer();
	run_until(1000 * MS);
	assert_int_equal(count_state(REC_ACKED), 5);
	assert_int_equal(count_state(REC_UNSENT), 5);
}

static void test_producer_keyed_records_reach_their_partitions(void **state)
{
	(void)state;
	setup(5, 1);
	h.cfg.key_mod = 7;
	h.cfg.messages = 40;
	h.cfg.rate_count = 1000;
	for (uint32_t i = 0; i < 5; i++)
		h.leader[i] = (int32_t)(i % NB) + 1;
	add_producer();
	run_until(2000 * MS);
	assert_int_equal(count_state(REC_ACKED), 40);
	for (uint32_t i = 0; i < 40; i++) {
		char key[16];
		int n = snprintf(key, sizeof(key), "key-%u", i % 7);
		assert_int_equal(h.out[i].partition,
				 (int32_t)part_for_key((const uint8_t *)key, (size_t)n, 5));
	}
	/* Each broker received only the partitions it leads. */
	for (uint32_t i = 0; i < h.nlog; i++)
		assert_int_equal(h.log[i].broker, h.leader[h.log[i].part.tp]);
}

static void run_digest(char out[65])
{
	setup(3, 77);
	h.cfg.messages = 200;
	h.cfg.rate_count = 1000;
	h.cfg.poisson = true;
	h.fb[0].fail[0] = KERR_NOT_ENOUGH_REPLICAS;
	h.fb[0].nfail = 1;
	h.leader[1] = 2;
	h.leader[2] = 3;
	add_producer();
	step(100 * MS, STEP_CRASH, 1);
	step(300 * MS, STEP_RESTART, 1);
	run_until(5000 * MS);
	assert_int_equal(count_state(REC_PENDING), 0);
	trace_digest_hex(&h.tr, out);
	teardown(NULL);
}

static void test_producer_runs_are_deterministic(void **state)
{
	(void)state;
	char a[65], b[65];
	run_digest(a);
	run_digest(b);
	assert_string_equal(a, b);
	memset(&h, 0, sizeof(h));
	setup(1, 1);   /* for the teardown */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_producer_varint_sizes_zigzag),
		cmocka_unit_test(test_producer_record_size_matches_default_record),
		cmocka_unit_test(test_producer_backoff_exponential_with_jitter),
		cmocka_unit_test_teardown(test_producer_keyed_records_use_murmur2, teardown),
		cmocka_unit_test_teardown(test_producer_key_mod_keys_are_key_dash_n, teardown),
		cmocka_unit_test_teardown(test_producer_batches_fill_to_batch_size, teardown),
		cmocka_unit_test_teardown(test_producer_buffer_memory_full_blocks_append, teardown),
		cmocka_unit_test_teardown(test_producer_sticky_switches_after_batch_size, teardown),
		cmocka_unit_test_teardown(test_producer_sticky_switches_at_twice_batch_size,
					  teardown),
		cmocka_unit_test_teardown(test_producer_sticky_spreads_uniformly, teardown),
		cmocka_unit_test_teardown(test_producer_adaptive_load_stats_weight_short_queues,
					  teardown),
		cmocka_unit_test_teardown(test_producer_acks_all_happy_path, teardown),
		cmocka_unit_test_teardown(test_producer_linger_collects_records, teardown),
		cmocka_unit_test_teardown(test_producer_full_batches_go_without_linger, teardown),
		cmocka_unit_test_teardown(test_producer_retry_keeps_sequence, teardown),
		cmocka_unit_test_teardown(test_producer_out_of_order_sequence_bumps_epoch,
					  teardown),
		cmocka_unit_test_teardown(test_producer_duplicate_sequence_is_success, teardown),
		cmocka_unit_test_teardown(test_producer_non_retriable_error_fails_at_once,
					  teardown),
		cmocka_unit_test_teardown(test_producer_split_cuts_at_batch_size, teardown),
		cmocka_unit_test_teardown(test_producer_message_too_large_splits_batch, teardown),
		cmocka_unit_test_teardown(test_producer_non_idempotent_retry_reorders, teardown),
		cmocka_unit_test_teardown(test_producer_max_in_flight_one_keeps_order, teardown),
		cmocka_unit_test_teardown(test_producer_ignores_metadata_with_older_leader_epoch,
					  teardown),
		cmocka_unit_test_teardown(test_producer_request_timeout_fails_every_inflight,
					  teardown),
		cmocka_unit_test_teardown(test_producer_disconnect_is_network_exception, teardown),
		cmocka_unit_test_teardown(test_producer_delivery_timeout_expires_in_flight,
					  teardown),
		cmocka_unit_test_teardown(test_producer_delivery_timeout_expires_queued, teardown),
		cmocka_unit_test_teardown(test_producer_acks0_acked_when_written, teardown),
		cmocka_unit_test_teardown(test_producer_metadata_wait_times_out_in_max_block,
					  teardown),
		cmocka_unit_test_teardown(test_producer_buffer_memory_blocks_then_resumes,
					  teardown),
		cmocka_unit_test_teardown(test_producer_buffer_memory_wait_times_out, teardown),
		cmocka_unit_test_teardown(test_producer_bootstrap_tries_next_broker, teardown),
		cmocka_unit_test_teardown(test_producer_crash_abandons_and_restart_continues,
					  teardown),
		cmocka_unit_test_teardown(test_producer_stops_at_duration, teardown),
		cmocka_unit_test_teardown(test_producer_keyed_records_reach_their_partitions,
					  teardown),
		cmocka_unit_test_teardown(test_producer_runs_are_deterministic, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
