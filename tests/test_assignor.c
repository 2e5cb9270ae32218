/*
 * test_assignor.c — the partition assignors against Kafka's own examples: the javadocs of
 * RangeAssignor, RoundRobinAssignor and StickyAssignor, and cases with exact expected answers
 * from Kafka's RangeAssignorTest, RoundRobinAssignorTest, AbstractStickyAssignorTest,
 * StickyAssignorTest, CooperativeStickyAssignorTest and AbstractPartitionAssignorTest
 * (clients/src/test/java/org/apache/kafka/clients/consumer/...). Then the `kafkasim assign`
 * command through assign_cli_run with temporary files.
 *
 * Kafka's tests name members "consumer1".. and put them into a `new HashMap<>()` in that
 * order, which is the order they are given here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "model/assign_internal.h"
#include "model/assignor.h"
#include "sim/assign_cli.h"
#include "sim/json_in.h"

#define QMAX 32

/* A question built from short strings. */
struct q {
	enum assign_strategy  strategy;
	struct assign_topic   topics[QMAX];
	char                  tname[QMAX][32];
	uint32_t              nt;
	struct assign_member  members[QMAX];
	char                  mid[QMAX][64];
	char                  inst[QMAX][64];
	uint32_t              subs[QMAX][QMAX];
	struct assign_tp      owned[QMAX][256];
	uint32_t              nm;
	struct assign_result  r;
};

static void q_init(struct q *q, enum assign_strategy s)
{
	assign_result_free(&q->r);
	memset(q, 0, sizeof(*q));
	q->strategy = s;
}

static void q_topic(struct q *q, const char *name, uint32_t partitions)
{
	assert_true(q->nt < QMAX);
	snprintf(q->tname[q->nt], sizeof(q->tname[0]), "%s", name);
	q->topics[q->nt] = (struct assign_topic){q->tname[q->nt], partitions};
	q->nt++;
}

static uint32_t q_topic_index(const struct q *q, const char *name, size_t len)
{
	for (uint32_t t = 0; t < q->nt; t++)
		if (strlen(q->tname[t]) == len && strncmp(q->tname[t], name, len) == 0)
			return t;
	fail_msg("unknown topic %.*s", (int)len, name);
	return 0;
}

/* topics: "t0 t1" ("*" = every topic); owned: "t0-0 t1-2". */
static void q_member(struct q *q, const char *id, const char *topics, int32_t gen,
		     const char *owned)
{
	assert_true(q->nm < QMAX);
	uint32_t m = q->nm++;
	struct assign_member *mb = &q->members[m];
	snprintf(q->mid[m], sizeof(q->mid[0]), "%s", id);
	*mb = (struct assign_member){.member_id = q->mid[m], .generation = gen,
				     .topics = q->subs[m], .owned = q->owned[m]};
	if (strcmp(topics, "*") == 0) {
		for (uint32_t t = 0; t < q->nt; t++)
			q->subs[m][mb->n_topics++] = t;
	}
	for (const char *p = topics; *p && strcmp(topics, "*") != 0;) {
		size_t len = strcspn(p, " ");
		if (len > 0)
			q->subs[m][mb->n_topics++] = q_topic_index(q, p, len);
		p += len + (p[len] == ' ');
	}
	for (const char *p = owned ? owned : ""; *p;) {
		size_t len = strcspn(p, " ");
		const char *dash = p + len - 1;
		while (*dash != '-')
			dash--;
		uint32_t t = q_topic_index(q, p, (size_t)(dash - p));
		q->owned[m][mb->n_owned++] = (struct assign_tp){t, (uint32_t)atoi(dash + 1)};
		p += len + (p[len] == ' ');
	}
}

static void q_static(struct q *q, const char *instance_id)
{
	uint32_t m = q->nm - 1;
	snprintf(q->inst[m], sizeof(q->inst[0]), "%s", instance_id);
	q->members[m].group_instance_id = q->inst[m];
}

static enum assign_err q_run_opts(struct q *q, bool force_general)
{
	struct assign_input in = {q->strategy, q->topics, q->nt, q->members, q->nm};
	struct assign_opts opts = {.force_general = force_general};
	assign_result_free(&q->r);
	return assign_run_opts(&in, &q->r, &opts);
}

static void q_run(struct q *q)
{
	assert_int_equal(q_run_opts(q, false), ASSIGN_OK);
}

static uint32_t q_find(const struct q *q, const char *id)
{
	for (uint32_t m = 0; m < q->nm; m++)
		if (strcmp(q->mid[m], id) == 0)
			return m;
	fail_msg("unknown member %s", id);
	return 0;
}

/* The member's answer as "t0-0 t0-1". */
static const char *q_answer(const struct q *q, const char *id)
{
	static char buf[4096];
	uint32_t n, m = q_find(q, id);
	const struct assign_tp *tp = assign_member_tps(&q->r, m, &n);
	buf[0] = 0;
	for (uint32_t i = 0; i < n; i++) {
		size_t at = strlen(buf);
		snprintf(buf + at, sizeof(buf) - at, "%s%s-%u", i ? " " : "", q->tname[tp[i].topic],
			 tp[i].partition);
	}
	return buf;
}

#define assert_answer(q, id, expected) assert_string_equal(q_answer(q, id), expected)

/* The member's answer becomes its owned partitions, at generation gen. */
static void q_carry(struct q *q, int32_t gen)
{
	for (uint32_t m = 0; m < q->nm; m++) {
		uint32_t n;
		const struct assign_tp *tp = assign_member_tps(&q->r, m, &n);
		memcpy(q->owned[m], tp, sizeof(*tp) * n);
		q->members[m].n_owned = n;
		q->members[m].generation = gen;
	}
}

static void q_remove(struct q *q, const char *id)
{
	uint32_t m = q_find(q, id);
	for (uint32_t k = m; k + 1 < q->nm; k++) {
		memcpy(q->mid[k], q->mid[k + 1], sizeof(q->mid[0]));
		memcpy(q->subs[k], q->subs[k + 1], sizeof(q->subs[0]));
		memcpy(q->owned[k], q->owned[k + 1], sizeof(q->owned[0]));
		q->members[k] = q->members[k + 1];
		q->members[k].member_id = q->mid[k];
		q->members[k].topics = q->subs[k];
		q->members[k].owned = q->owned[k];
	}
	q->nm--;
}

static int q_teardown(void **state)
{
	struct q *q = *state;
	assign_result_free(&q->r);
	free(q);
	return 0;
}

static int q_setup(void **state)
{
	*state = calloc(1, sizeof(struct q));
	return *state ? 0 : -1;
}

/* ---- Java String order and hash, HashMap iteration order ---- */

static void test_assignor_java_string_order_and_hash(void **state)
{
	(void)state;
	assert_true(assign_java_compare("g-10", "g-2") < 0);
	assert_true(assign_java_compare("g-2", "g-10") > 0);
	assert_true(assign_java_compare("C0", "C0") == 0);
	assert_true(assign_java_compare("C", "C0") < 0);
	assert_true(assign_java_compare("Z", "a") < 0);
	/* UTF-16 order: U+1F600 is a surrogate pair (0xD83D...), below U+FFFD; UTF-8 byte order
	 * would say the opposite. */
	assert_true(assign_java_compare("\xf0\x9f\x98\x80", "\xef\xbf\xbd") < 0);
	/* "foo".hashCode() = 101574, "my-group".hashCode() = -1906497762 (semantics 6.2). */
	assert_int_equal(assign_java_hash("foo"), 101574u);
	assert_int_equal(assign_java_hash("my-group"), (uint32_t)-1906497762);
	assert_int_equal(assign_java_hash(""), 0u);
}

/* "consumer1".."consumer3" hash to buckets 12, 11, 10 of a 16-slot table: a HashMap iterates
 * them consumer3, consumer2, consumer1 — what Kafka's sticky tests silently depend on. */
static void test_assignor_java_hashmap_order(void **state)
{
	(void)state;
	uint32_t hash[3], ins[3] = {0, 1, 2}, out[3];
	hash[0] = assign_java_hash("consumer1");
	hash[1] = assign_java_hash("consumer2");
	hash[2] = assign_java_hash("consumer3");
	bool approx = false;
	assert_int_equal(jmap_order(hash, ins, 3, out, &approx), ASSIGN_OK);
	assert_int_equal(out[0], 2);
	assert_int_equal(out[1], 1);
	assert_int_equal(out[2], 0);
	assert_false(approx);
	/* Same bucket: insertion order decides. 16 apart in the low bits, equal high bits. */
	uint32_t h2[2] = {5, 5 + 16 * 1024 * 1024}, o2[2];
	uint32_t i2[2] = {1, 0};
	assert_int_equal(jmap_order(h2, i2, 2, o2, &approx), ASSIGN_OK);
	assert_int_equal(o2[0], 1);
	assert_int_equal(o2[1], 0);
}


/* The public helper for the coordinator's member map: growth and carried capacity. */
static void test_assignor_java_map_order_api(void **state)
{
	(void)state;
	const char *keys[13] = {"consumer1", "consumer2", "consumer3"};
	char more[10][16];
	uint32_t order[13], cap = 0;
	bool approx = false;
	assert_int_equal(assign_java_map_order(keys, 3, &cap, order, &approx), ASSIGN_OK);
	assert_int_equal(cap, 16);
	assert_int_equal(order[0], 2);
	assert_int_equal(order[2], 0);
	for (int i = 0; i < 10; i++) {
		snprintf(more[i], sizeof(more[i]), "m%d", i);
		keys[3 + i] = more[i];
	}
	assert_int_equal(assign_java_map_order(keys, 13, &cap, order, &approx), ASSIGN_OK);
	assert_int_equal(cap, 32);                       /* 13 > 12: one resize */
	assert_int_equal(assign_java_map_order(keys, 3, &cap, order, &approx), ASSIGN_OK);
	assert_int_equal(cap, 32);                       /* never shrinks */
	assert_false(approx);
}

/* ---- range ---- */

/* RangeAssignor javadoc. */
static void test_assignor_range_javadoc_example(void **state)
{
	struct q *q = *state;
	q_init(q, ASSIGN_RANGE);
	q_topic(q, "t0", 3);
	q_topic(q, "t1", 3);
	q_member(q, "C0", "t0 t1", -1, NULL);
	q_member(q, "C1", "t0 t1", -1, NULL);
	q_run(q);
	assert_answer(q, "C0", "t0-0 t0-1 t1-0 t1-1");
	assert_answer(q, "C1", "t0-2 t1-2");
}

/* RangeAssignor javadoc, static membership: instance ids order the members, not member ids
 * (C3 was C0 as I0, C2 was C1 as I1). */
static void test_assignor_range_javadoc_static_members(void **state)
{
	struct q *q = *state;
	q_init(q, ASSIGN_RANGE);
	q_topic(q, "t0", 3);
	q_topic(q, "t1", 3);
	q_member(q, "C2", "t0 t1", -1, NULL);
	q_static(q, "I1");
	q_member(q, "C3", "t0 t1", -1, NULL);
	q_static(q, "I0");
	q_run(q);
	assert_answer(q, "C3", "t0-0 t0-1 t1-0 t1-1");
	assert_answer(q, "C2", "t0-2 t1-2");
}

/* RangeAssignorTest.testMultipleConsumersMixedTopics and ...OnlyAssignsPartitionsFrom
 * SubscribedTopics. */
static void test_assignor_range_kafka_mixed_topics(void **state)
{
	struct q *q = *state;
	q_init(q, ASSIGN_RANGE);
	q_topic(q, "topic1", 3);
	q_topic(q, "topic2", 2);
	q_topic(q, "other", 3);
	q_member(q, "consumer1", "topic1", -1, NULL);
	q_member(q, "consumer2", "topic1 topic2", -1, NULL);
	q_member(q, "consumer3", "topic1", -1, NULL);
	q_run(q);
	assert_answer(q, "consumer1", "topic1-0");
	assert_answer(q, "consumer2", "topic1-1 topic2-0 topic2-1");
	assert_answer(q, "consumer3", "topic1-2");
}

/* Member ids sort as Java Strings: "g-10" < "g-2". */
static void test_assignor_range_member_id_string_order(void **state)
{
	struct q *q = *state;
	q_init(q, ASSIGN_RANGE);
	q_topic(q, "orders", 3);
	q_member(q, "g-2", "orders", -1, NULL);
	q_member(q, "g-10", "orders", -1, NULL);
	q_run(q);
	assert_answer(q, "g-10", "orders-0 orders-1");
	assert_answer(q, "g-2", "orders-2");
}

/* More members than partitions: the last ones idle; unknown topics are skipped. */
static void test_assignor_range_idle_members_and_missing_topic(void **state)
{
	struct q *q = *state;
	q_init(q, ASSIGN_RANGE);
	q_topic(q, "t", 2);
	q_topic(q, "gone", 0);
	q_member(q, "a", "t gone", -1, NULL);
	q_member(q, "b", "t", -1, NULL);
	q_member(q, "c", "t", -1, NULL);
	q_run(q);
	assert_answer(q, "a", "t-0");
	assert_answer(q, "b", "t-1");
	assert_answer(q, "c", "");
}

/* ---- roundrobin ---- */

/* RoundRobinAssignor javadoc, identical subscriptions. */
static void test_assignor_roundrobin_javadoc_same_subscriptions(void **state)
{
	struct q *q = *state;
	q_init(q, ASSIGN_ROUNDROBIN);
	q_topic(q, "t0", 3);
	q_topic(q, "t1", 3);
	q_member(q, "C0", "t0 t1", -1, NULL);
	q_member(q, "C1", "t0 t1", -1, NULL);
	q_run(q);
	assert_answer(q, "C0", "t0-0 t0-2 t1-1");
	assert_answer(q, "C1", "t0-1 t1-0 t1-2");
}

/* RoundRobinAssignor javadoc: C0 [t0], C1 [t0 t1], C2 [t0 t1 t2]; t0, t1, t2 with 1, 2, 3
 * partitions. */
static void test_assignor_roundrobin_javadoc_different_subscriptions(void **state)
{
	struct q *q = *state;
	q_init(q, ASSIGN_ROUNDROBIN);
	q_topic(q, "t0", 1);
	q_topic(q, "t1", 2);
	q_topic(q, "t2", 3);
	q_member(q, "C0", "t0", -1, NULL);
	q_member(q, "C1", "t0 t1", -1, NULL);
	q_member(q, "C2", "t0 t1 t2", -1, NULL);
	q_run(q);
	assert_answer(q, "C0", "t0-0");
	assert_answer(q, "C1", "t1-0");
	assert_answer(q, "C2", "t1-1 t2-0 t2-1 t2-2");
}

/* RoundRobinAssignorTest.testMultipleConsumersMixedTopics, testTwoConsumersOneTopicOnePartition
 * and the static-member ordering of MemberInfo. */
static void test_assignor_roundrobin_kafka_cases(void **state)
{
	struct q *q = *state;
	q_init(q, ASSIGN_ROUNDROBIN);
	q_topic(q, "topic1", 3);
	q_topic(q, "topic2", 2);
	q_member(q, "consumer1", "topic1", -1, NULL);
	q_member(q, "consumer2", "topic1 topic2", -1, NULL);
	q_member(q, "consumer3", "topic1", -1, NULL);
	q_run(q);
	assert_answer(q, "consumer1", "topic1-0");
	assert_answer(q, "consumer2", "topic1-1 topic2-0 topic2-1");
	assert_answer(q, "consumer3", "topic1-2");

	q_init(q, ASSIGN_ROUNDROBIN);
	q_topic(q, "topic", 1);
	q_member(q, "consumer1", "topic", -1, NULL);
	q_member(q, "consumer2", "topic", -1, NULL);
	q_run(q);
	assert_answer(q, "consumer1", "topic-0");
	assert_answer(q, "consumer2", "");

	/* AbstractPartitionAssignorTest.testMemberInfoSortingSomeGroupInstanceId: c (x), b (y),
	 * then a. */
	q_init(q, ASSIGN_ROUNDROBIN);
	q_topic(q, "t", 3);
	q_member(q, "a", "t", -1, NULL);
	q_member(q, "b", "t", -1, NULL);
	q_static(q, "y");
	q_member(q, "c", "t", -1, NULL);
	q_static(q, "x");
	q_run(q);
	assert_answer(q, "c", "t-0");
	assert_answer(q, "b", "t-1");
	assert_answer(q, "a", "t-2");
}

/* ---- sticky: constrained path ---- */

/* StickyAssignor javadoc example 1: the first assignment matches round robin. */
static void q_javadoc_example1(struct q *q, enum assign_strategy s)
{
	q_init(q, s);
	q_topic(q, "t0", 2);
	q_topic(q, "t1", 2);
	q_topic(q, "t2", 2);
	q_topic(q, "t3", 2);
	q_member(q, "C0", "*", -1, NULL);
	q_member(q, "C1", "*", -1, NULL);
	q_member(q, "C2", "*", -1, NULL);
	q_run(q);
	assert_answer(q, "C0", "t0-0 t1-1 t3-0");
	assert_answer(q, "C1", "t0-1 t2-0 t3-1");
	assert_answer(q, "C2", "t1-0 t2-1");
	q_carry(q, 1);
	q_remove(q, "C1");
}

/* StickyAssignor javadoc example 1, C1 leaves. The javadoc's answer (C0 +t2p0, C2 +t0p1) comes
 * from the general algorithm, which Kafka ran for every group before 2.8 and still runs for
 * different subscriptions; with equal subscriptions Kafka 4.1 takes the constrained path,
 * which keeps the same partitions but deals the three free ones round robin by member id. */
static void test_assignor_sticky_javadoc_example1(void **state)
{
	struct q *q = *state;
	q_javadoc_example1(q, ASSIGN_STICKY);
	assert_int_equal(q_run_opts(q, true), ASSIGN_OK);
	assert_true(q->r.general_path);
	assert_answer(q, "C0", "t0-0 t1-1 t2-0 t3-0");
	assert_answer(q, "C2", "t0-1 t1-0 t2-1 t3-1");

	q_run(q);
	assert_false(q->r.general_path);
	assert_answer(q, "C0", "t0-0 t0-1 t1-1 t3-0");
	assert_answer(q, "C2", "t1-0 t2-0 t2-1 t3-1");
}

/* AbstractStickyAssignorTest.testTwoConsumersTwoTopicsSixPartitions and
 * testAddRemoveTwoConsumersTwoTopics (exact answers and partitionsTransferringOwnership). */
static void test_assignor_sticky_kafka_add_remove_two_consumers(void **state)
{
	struct q *q = *state;
	q_init(q, ASSIGN_STICKY);
	q_topic(q, "topic1", 3);
	q_topic(q, "topic2", 4);
	q_member(q, "consumer1", "*", -1, NULL);
	q_member(q, "consumer2", "*", -1, NULL);
	q_run(q);
	assert_answer(q, "consumer1", "topic1-0 topic1-2 topic2-1 topic2-3");
	assert_answer(q, "consumer2", "topic1-1 topic2-0 topic2-2");
	q_carry(q, 1);
	q_member(q, "consumer3", "*", 1, NULL);
	q_member(q, "consumer4", "*", 1, NULL);
	q_run(q);
	assert_answer(q, "consumer1", "topic1-0 topic2-1");
	assert_answer(q, "consumer2", "topic1-1 topic2-0");
	assert_answer(q, "consumer3", "topic1-2 topic2-3");
	assert_answer(q, "consumer4", "topic2-2");
	q_carry(q, 1);
	q_remove(q, "consumer1");
	q_remove(q, "consumer2");
	q_run(q);
	assert_answer(q, "consumer3", "topic1-0 topic1-2 topic2-1 topic2-3");
	assert_answer(q, "consumer4", "topic1-1 topic2-0 topic2-2");
}

/* AbstractStickyAssignorTest.testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers: only
 * one member may keep two; HashMap order visits consumer2 before consumer1, so consumer2 keeps
 * both and topic2-0 moves from consumer1 to consumer3. */
static void test_assignor_sticky_kafka_max_quota_goes_by_hashmap_order(void **state)
{
	struct q *q = *state;
	q_init(q, ASSIGN_STICKY);
	q_topic(q, "topic1", 2);
	q_topic(q, "topic2", 2);
	q_member(q, "consumer1", "*", 1, "topic1-0 topic2-0");
	q_member(q, "consumer2", "*", 1, "topic1-1 topic2-1");
	q_member(q, "consumer3", "*", 1, NULL);
	q_run(q);
	assert_answer(q, "consumer1", "topic1-0");
	assert_answer(q, "consumer2", "topic1-1 topic2-1");
	assert_answer(q, "consumer3", "topic2-0");
	assert_int_equal(q->r.n_moving, 0);

	q->strategy = ASSIGN_COOPERATIVE_STICKY;      /* topic2-0 waits for its revocation */
	q_run(q);
	assert_answer(q, "consumer3", "");
	assert_int_equal(q->r.n_moving, 1);
	assert_int_equal(q->r.moving[0].to_member, q_find(q, "consumer3"));
}

/* AbstractStickyAssignorTest: testAllConsumersAreUnderMinQuota and
 * testConsumerOwningMinQuotaExpectedMaxQuota. */
static void test_assignor_sticky_kafka_quota_cases(void **state)
{
	struct q *q = *state;
	q_init(q, ASSIGN_STICKY);
	q_topic(q, "topic1", 2);
	q_topic(q, "topic2", 3);
	q_member(q, "consumer1", "*", 1, "topic1-0");
	q_member(q, "consumer2", "*", 1, "topic1-1");
	q_member(q, "consumer3", "*", 1, NULL);
	q_run(q);
	assert_answer(q, "consumer1", "topic1-0 topic2-1");
	assert_answer(q, "consumer2", "topic1-1 topic2-2");
	assert_answer(q, "consumer3", "topic2-0");

	q_init(q, ASSIGN_STICKY);
	q_topic(q, "topic1", 2);
	q_topic(q, "topic2", 3);
	q_member(q, "consumer1", "*", 1, "topic1-0 topic2-1");
	q_member(q, "consumer2", "*", 1, "topic1-1 topic2-2");
	q_run(q);
	assert_answer(q, "consumer1", "topic1-0 topic2-0 topic2-1");
	assert_answer(q, "consumer2", "topic1-1 topic2-2");
}

/* AbstractStickyAssignorTest.testAddRemoveConsumerOneTopic: topic-2 moves to consumer2. */
static void test_assignor_sticky_kafka_add_consumer_one_topic(void **state)
{
	struct q *q = *state;
	q_init(q, ASSIGN_STICKY);
	q_topic(q, "topic", 3);
	q_member(q, "consumer1", "topic", -1, NULL);
	q_run(q);
	assert_answer(q, "consumer1", "topic-0 topic-1 topic-2");
	q_carry(q, 1);
	q_member(q, "consumer2", "topic", 1, NULL);
	q_run(q);
	assert_answer(q, "consumer1", "topic-0 topic-1");
	assert_answer(q, "consumer2", "topic-2");
}

/* Generations: AbstractStickyAssignorTest.testOwnedPartitionsAreInvalidatedForConsumerWith
 * StaleGeneration / ...WithNoGeneration / ...WithMultipleGeneration and
 * testEnsurePartitionsAssignedToHighestGeneration. */
static void test_assignor_sticky_kafka_generations(void **state)
{
	struct q *q = *state;
	for (int32_t older = -1; older <= 9; older += 10) {
		q_init(q, ASSIGN_STICKY);
		q_topic(q, "topic", 3);
		q_topic(q, "topic2", 3);
		q_member(q, "consumer1", "*", 10, "topic-0 topic-2 topic2-1");
		q_member(q, "consumer2", "*", older, "topic-0 topic-2 topic2-1");
		q_run(q);
		assert_answer(q, "consumer1", "topic-0 topic-2 topic2-1");
		assert_answer(q, "consumer2", "topic-1 topic2-0 topic2-2");
	}
	q_init(q, ASSIGN_STICKY);
	q_topic(q, "topic", 3);
	q_topic(q, "topic2", 3);
	q_member(q, "consumer1", "*", 10, "topic-0 topic2-1 topic-1");
	q_member(q, "consumer2", "*", 8, "topic-0 topic2-1 topic2-2");
	q_run(q);
	assert_answer(q, "consumer1", "topic-0 topic-1 topic2-1");
	assert_answer(q, "consumer2", "topic-2 topic2-0 topic2-2");

	q_init(q, ASSIGN_STICKY);
	q_topic(q, "topic", 3);
	q_topic(q, "topic2", 3);
	q_topic(q, "topic3", 3);
	q_member(q, "consumer1", "*", 10, "topic-0 topic2-0 topic3-0");
	q_member(q, "consumer2", "*", 9, "topic-1 topic2-1 topic3-1");
	q_member(q, "consumer3", "*", 8, "topic2-1 topic3-0 topic3-2");
	q_run(q);
	assert_answer(q, "consumer1", "topic-0 topic2-0 topic3-0");
	assert_answer(q, "consumer2", "topic-1 topic2-1 topic3-1");
	assert_answer(q, "consumer3", "topic-2 topic2-2 topic3-2");
}

/* StickyAssignorTest / CooperativeStickyAssignorTest: a partition claimed by two members of
 * the same generation is invalid for both; sticky gives it to the third member at once,
 * cooperative-sticky holds it back. */
static void test_assignor_sticky_kafka_double_claim_same_generation(void **state)
{
	struct q *q = *state;
	for (uint32_t parts = 3; parts <= 4; parts++) {
		q_init(q, ASSIGN_STICKY);
		q_topic(q, "topic", parts);
		q_member(q, "consumer1", "topic", 1, "topic-0 topic-1");
		q_member(q, "consumer2", "topic", 1, "topic-0 topic-2");
		q_member(q, "consumer3", "topic", 1, NULL);
		q_run(q);
		assert_answer(q, "consumer1", parts == 3 ? "topic-1" : "topic-1 topic-3");
		assert_answer(q, "consumer2", "topic-2");
		assert_answer(q, "consumer3", "topic-0");
		q->strategy = ASSIGN_COOPERATIVE_STICKY;
		q_run(q);
		assert_answer(q, "consumer1", parts == 3 ? "topic-1" : "topic-1 topic-3");
		assert_answer(q, "consumer2", "topic-2");
		assert_answer(q, "consumer3", "");
	}
}

/* ---- sticky: general path ---- */

/* AbstractStickyAssignorTest.testMultipleConsumersMixedTopicSubscriptions. */
static void test_assignor_sticky_kafka_mixed_subscriptions(void **state)
{
	struct q *q = *state;
	q_init(q, ASSIGN_STICKY);
	q_topic(q, "topic1", 3);
	q_topic(q, "topic2", 2);
	q_member(q, "consumer1", "topic1", -1, NULL);
	q_member(q, "consumer2", "topic1 topic2", -1, NULL);
	q_member(q, "consumer3", "topic1", -1, NULL);
	q_run(q);
	assert_true(q->r.general_path);
	assert_answer(q, "consumer1", "topic1-0 topic1-2");
	assert_answer(q, "consumer2", "topic2-0 topic2-1");
	assert_answer(q, "consumer3", "topic1-1");
}

/* StickyAssignor javadoc example 2, then C0 leaves. */
static void test_assignor_sticky_javadoc_example2(void **state)
{
	struct q *q = *state;
	q_init(q, ASSIGN_STICKY);
	q_topic(q, "t0", 1);
	q_topic(q, "t1", 2);
	q_topic(q, "t2", 3);
	q_member(q, "C0", "t0", -1, NULL);
	q_member(q, "C1", "t0 t1", -1, NULL);
	q_member(q, "C2", "t0 t1 t2", -1, NULL);
	q_run(q);
	assert_answer(q, "C0", "t0-0");
	assert_answer(q, "C1", "t1-0 t1-1");
	assert_answer(q, "C2", "t2-0 t2-1 t2-2");
	q_carry(q, 1);
	q_remove(q, "C0");
	q_run(q);
	assert_answer(q, "C1", "t0-0 t1-0 t1-1");
	assert_answer(q, "C2", "t2-0 t2-1 t2-2");
}

/* AbstractStickyAssignorTest.testRackAwareAssignmentWithNonEqualSubscription, the cases without
 * rack matching: consumer0..2 ("consumer" + i), t1:6 t2:7 t3:2, consumer2 on t1 and t3. */
static void q_nonequal(struct q *q, enum assign_strategy s, const char *const owned[3])
{
	q_init(q, s);
	q_topic(q, "t1", 6);
	q_topic(q, "t2", 7);
	q_topic(q, "t3", 2);
	q_member(q, "consumer0", "*", -1, owned ? owned[0] : NULL);
	q_member(q, "consumer1", "*", -1, owned ? owned[1] : NULL);
	q_member(q, "consumer2", "t1 t3", -1, owned ? owned[2] : NULL);
	q_run(q);
}

static void test_assignor_sticky_kafka_nonequal_subscription(void **state)
{
	struct q *q = *state;
	static const char *const owned[3] = {"t1-0 t1-1 t1-2 t1-3 t1-4",
					     "t1-5 t2-0 t2-1 t2-2 t2-3",
					     "t2-4 t2-5 t2-6 t3-0 t3-1"};
	q_nonequal(q, ASSIGN_STICKY, NULL);
	assert_answer(q, "consumer0", "t1-5 t2-0 t2-2 t2-4 t2-6");
	assert_answer(q, "consumer1", "t1-3 t2-1 t2-3 t2-5 t3-0");
	assert_answer(q, "consumer2", "t1-0 t1-1 t1-2 t1-4 t3-1");
	/* Cooperative, from `owned`: first the partitions that can stay... */
	q_nonequal(q, ASSIGN_COOPERATIVE_STICKY, owned);
	assert_answer(q, "consumer0", "t1-2 t1-3 t1-4");
	assert_answer(q, "consumer1", "t2-0 t2-1 t2-2 t2-3");
	assert_answer(q, "consumer2", "t3-0 t3-1");
	assert_int_equal(q->r.n_moving, 6);
	/* ...then, once revoked, the rest. */
	q_carry(q, -1);
	q_run(q);
	assert_answer(q, "consumer0", "t1-2 t1-3 t1-4 t2-4 t2-5");
	assert_answer(q, "consumer1", "t2-0 t2-1 t2-2 t2-3 t2-6");
	assert_answer(q, "consumer2", "t1-0 t1-1 t1-5 t3-0 t3-1");
	assert_int_equal(q->r.n_moving, 0);
}

/* testRackAwareAssignmentWithUniformSubscription without racks: round robin. */
static void test_assignor_sticky_kafka_uniform_subscription(void **state)
{
	struct q *q = *state;
	q_init(q, ASSIGN_COOPERATIVE_STICKY);
	q_topic(q, "t1", 6);
	q_topic(q, "t2", 7);
	q_topic(q, "t3", 2);
	q_member(q, "consumer0", "*", -1, NULL);
	q_member(q, "consumer1", "*", -1, NULL);
	q_member(q, "consumer2", "*", -1, NULL);
	q_run(q);
	assert_answer(q, "consumer0", "t1-0 t1-3 t2-0 t2-3 t2-6");
	assert_answer(q, "consumer1", "t1-1 t1-4 t2-1 t2-4 t3-0");
	assert_answer(q, "consumer2", "t1-2 t1-5 t2-2 t2-5 t3-1");
}

/* ---- cooperative two-phase move (KIP-429) ---- */

static void test_assignor_cooperative_two_phase_move(void **state)
{
	struct q *q = *state;
	q_init(q, ASSIGN_COOPERATIVE_STICKY);
	q_topic(q, "t0", 4);
	q_member(q, "A", "t0", 1, "t0-0 t0-1 t0-2 t0-3");
	q_member(q, "B", "t0", -1, NULL);
	q_run(q);
	/* First rebalance: A keeps two, B gets nothing yet; t0-2 and t0-3 are moving to B. */
	assert_answer(q, "A", "t0-0 t0-1");
	assert_answer(q, "B", "");
	assert_int_equal(q->r.n_moving, 2);
	assert_int_equal(q->r.moving[0].tp.partition, 2);
	assert_int_equal(q->r.moving[0].to_member, q_find(q, "B"));
	assert_int_equal(q->r.moving[1].tp.partition, 3);
	/* A revoked them and both rejoin: the follow-up rebalance hands them to B. */
	q_carry(q, 2);
	q_run(q);
	assert_answer(q, "A", "t0-0 t0-1");
	assert_answer(q, "B", "t0-2 t0-3");
	assert_int_equal(q->r.n_moving, 0);
	/* The eager sticky assignor moves them in one step. */
	q_init(q, ASSIGN_STICKY);
	q_topic(q, "t0", 4);
	q_member(q, "A", "t0", 1, "t0-0 t0-1 t0-2 t0-3");
	q_member(q, "B", "t0", -1, NULL);
	q_run(q);
	assert_answer(q, "B", "t0-2 t0-3");
}

/* CooperativeStickyAssignorTest.testAssignorWithOldVersionSubscriptions. */
static void test_assignor_cooperative_kafka_old_subscriptions(void **state)
{
	struct q *q = *state;
	q_init(q, ASSIGN_COOPERATIVE_STICKY);
	q_topic(q, "topic1", 3);
	q_member(q, "consumer1", "topic1", 1, "topic1-0");
	q_member(q, "consumer2", "topic1", 1, "topic1-1");
	q_member(q, "consumer3", "topic1", 1, NULL);
	q_run(q);
	assert_answer(q, "consumer1", "topic1-0");
	assert_answer(q, "consumer2", "topic1-1");
	assert_answer(q, "consumer3", "topic1-2");
}

/* ---- input errors ---- */

static void test_assignor_rejects_bad_input(void **state)
{
	struct q *q = *state;
	q_init(q, ASSIGN_STICKY);
	q_topic(q, "t", 2);
	q_member(q, "a", "t", 1, "t-5");
	assert_int_equal(q_run_opts(q, false), ASSIGN_ERR_BAD_OWNED);
	assert_int_equal(q->r.err_member, 0);
	q_init(q, ASSIGN_STICKY);
	q_topic(q, "t", 2);
	q_member(q, "a", "t", 1, "t-1 t-1");
	assert_int_equal(q_run_opts(q, false), ASSIGN_ERR_BAD_OWNED);
	q_init(q, ASSIGN_RANGE);
	q_topic(q, "t", 2);
	q_member(q, "a", "t t", 1, NULL);
	assert_int_equal(q_run_opts(q, false), ASSIGN_ERR_BAD_SUBSCRIPTION);
	q_init(q, ASSIGN_RANGE);
	q_topic(q, "t", 2);
	q_member(q, "a", "t", 1, NULL);
	q_member(q, "a", "t", 1, NULL);
	assert_int_equal(q_run_opts(q, false), ASSIGN_ERR_BAD_MEMBER);
	q_init(q, ASSIGN_RANGE);
	q_topic(q, "t", 2);
	q_topic(q, "t", 3);
	assert_int_equal(q_run_opts(q, false), ASSIGN_ERR_BAD_TOPIC);
	q_init(q, ASSIGN_RANGE);
	q_topic(q, "t", 2);
	q_member(q, "a", "t", -2, NULL);
	assert_int_equal(q_run_opts(q, false), ASSIGN_ERR_BAD_GENERATION);
	q_init(q, ASSIGN_RANGE);
	q_topic(q, "t", LIMIT_PARTITIONS_TOTAL + 1);
	assert_int_equal(q_run_opts(q, false), ASSIGN_ERR_LIMIT);
	q_init(q, ASSIGN_RANGE);                 /* no members: an empty answer */
	q_topic(q, "t", 2);
	assert_int_equal(q_run_opts(q, false), ASSIGN_OK);
	assert_int_equal(q->r.n_members, 0);
}


/* ---- kafkasim assign ---- */

struct cli_out {
	int  rc;
	char out[4096];
	char err[4096];
};

static void slurp(FILE *f, char *buf, size_t size)
{
	rewind(f);
	size_t n = fread(buf, 1, size - 1, f);
	buf[n] = 0;
	fclose(f);
}

/* Runs `kafkasim assign ARGS...` (NULL-terminated). */
static struct cli_out *cli(const char *first, ...)
{
	static struct cli_out r;
	char *argv[32];
	int argc = 0;
	va_list ap;
	argv[argc++] = strdup("assign");
	va_start(ap, first);
	for (const char *a = first; a != NULL; a = va_arg(ap, const char *))
		argv[argc++] = strdup(a);
	va_end(ap);
	FILE *out = tmpfile(), *err = tmpfile();
	assert_non_null(out);
	assert_non_null(err);
	r.rc = assign_cli_run(argc, argv, out, err);
	slurp(out, r.out, sizeof(r.out));
	slurp(err, r.err, sizeof(r.err));
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return &r;
}

/* Writes text to a new temporary file; returns its name (static). */
static const char *temp_json(const char *text)
{
	static char name[64];
	snprintf(name, sizeof(name), "/tmp/kafkasim-assign-XXXXXX");
	int fd = mkstemp(name);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return name;
}

static void test_assignor_cli_text_and_json(void **state)
{
	(void)state;
	struct cli_out *r = cli("--strategy", "range", "--topics", "t0:3,t1:3", "--members",
				"C1,C0", NULL);
	assert_int_equal(r->rc, 0);
	assert_string_equal(r->out, "C0: t0-0 t0-1 t1-0 t1-1\nC1: t0-2 t1-2\n");
	assert_string_equal(r->err, "");
	r = cli("--strategy=range", "--topics=t0:3,t1:3", "--members=C1,C0", "--json", NULL);
	assert_int_equal(r->rc, 0);
	assert_string_equal(r->out, "{\"C0\": [[\"t0\", 0], [\"t0\", 1], [\"t1\", 0], [\"t1\", 1]],"
			     " \"C1\": [[\"t0\", 2], [\"t1\", 2]]}\n");
	/* Per-member topics, the RoundRobinAssignor javadoc's second example. */
	r = cli("--strategy", "roundrobin", "--topics", "t0:1,t1:2,t2:3", "--members",
		"C0:t0,C1:t0+t1,C2:t0+t1+t2", NULL);
	assert_int_equal(r->rc, 0);
	assert_string_equal(r->out, "C0: t0-0\nC1: t1-0\nC2: t1-1 t2-0 t2-1 t2-2\n");
	/* Member ids sort as Java Strings; an idle member still gets a line / a key. */
	r = cli("--strategy", "range", "--topics", "t:1", "--members", "g-2,g-10", NULL);
	assert_string_equal(r->out, "g-10: t-0\ng-2:\n");
	r = cli("--strategy", "range", "--topics", "t:1", "--members", "g-2,g-10", "--json", NULL);
	assert_string_equal(r->out, "{\"g-10\": [[\"t\", 0]], \"g-2\": []}\n");
}

static void test_assignor_cli_json_input(void **state)
{
	(void)state;
	const char *f = temp_json(
		"{\"assignor\": \"sticky\", \"topics\": {\"t0\": 6}, \"members\": [{\"member_id\":"
		" \"c-1\", \"topics\": [\"t0\"], \"owned_partitions\": [[\"t0\", 0]],"
		" \"generation\": 1}]}");
	struct cli_out *r = cli("--input", f, "--json", NULL);
	assert_int_equal(r->rc, 0);
	assert_string_equal(r->out, "{\"c-1\": [[\"t0\", 0], [\"t0\", 1], [\"t0\", 2],"
			     " [\"t0\", 3], [\"t0\", 4], [\"t0\", 5]]}\n");
	remove(f);
	/* The cooperative two-phase move: B's partitions are held back in the first answer. */
	f = temp_json("{\"assignor\": \"cooperative-sticky\", \"topics\": {\"t0\": 4},\n"
		      " \"members\": [{\"member_id\": \"A\", \"generation\": 1,\n"
		      "  \"owned_partitions\":\n"
		      "   [[\"t0\", 0], [\"t0\", 1], [\"t0\", 2], [\"t0\", 3]]},\n"
		      "  {\"member_id\": \"B\"}]}\n");
	r = cli("--input", f, NULL);
	assert_int_equal(r->rc, 0);
	assert_string_equal(r->out, "A: t0-0 t0-1\nB:\n");
	r = cli("--input", f, "--strategy", "sticky", NULL);     /* --strategy wins */
	assert_string_equal(r->out, "A: t0-0 t0-1\nB: t0-2 t0-3\n");
	remove(f);
}

static void test_assignor_cli_json_errors_have_line_and_column(void **state)
{
	(void)state;
	const char *f = temp_json("{\"assignor\": \"sticky\",\n \"topics\": {\"t0\": 6,}\n}\n");
	struct cli_out *r = cli("--input", f, NULL);
	char want[128];
	assert_int_equal(r->rc, 2);
	assert_string_equal(r->out, "");
	snprintf(want, sizeof(want), "%s:2:21: expected a string key\n", f);
	assert_string_equal(r->err, want);
	remove(f);
	f = temp_json("{\"assignor\": \"sticky\", \"topics\": {\"t0\": 6}, \"members\": [\n"
		      "  {\"member_id\": \"a\", \"owned_partitions\": [[\"t0\", 6]]}]}");
	r = cli("--input", f, NULL);
	assert_int_equal(r->rc, 2);
	snprintf(want, sizeof(want), "%s:2:50: topic \"t0\" has 6 partitions\n", f);
	assert_string_equal(r->err, want);
	remove(f);
	f = temp_json("{\"assignor\": \"sticky\", \"topics\": {\"t0\": 6}, \"members\": [\n"
		      "  {\"member_id\": \"a\", \"owned\": []}]}");
	r = cli("--input", f, NULL);
	assert_int_equal(r->rc, 2);
	assert_non_null(strstr(r->err, ":2:22: unknown member key \"owned\""));
	remove(f);
	f = temp_json("{\"assignor\": \"sticky\", \"topics\": {\"t0\": 6}, \"members\": [\n"
		      "  {\"member_id\": \"a\", \"owned_partitions\": "
		      "[[\"t0\", 1], [\"t0\", 1]]},\n"
		      "  {\"member_id\": \"b\", \"topics\": [\"t0\", \"t0\"]}]}");
	r = cli("--input", f, NULL);
	assert_int_equal(r->rc, 2);
	assert_non_null(strstr(r->err, ":2:54: partition t0-1 is listed twice"));
	remove(f);
	f = temp_json("{\"assignor\": \"sticky\", \"topics\": {\"t0\": 6}, \"members\": [\n"
		      "  {\"member_id\": \"b\", \"topics\": [\"t0\", \"t0\"]}]}");
	r = cli("--input", f, NULL);
	assert_int_equal(r->rc, 2);
	assert_non_null(strstr(r->err, ":2:39: topic \"t0\" is listed twice"));
	remove(f);
	f = temp_json("{\"assignor\": \"lucky\", \"topics\": {}, \"members\": []}");
	r = cli("--input", f, NULL);
	assert_int_equal(r->rc, 2);
	assert_non_null(strstr(r->err, ":1:14: unknown assignor \"lucky\""));
	remove(f);
	r = cli("--input", "/nonexistent/q.json", NULL);
	assert_int_equal(r->rc, 2);
	assert_non_null(strstr(r->err, "cannot open"));
}

static void test_assignor_cli_usage_errors(void **state)
{
	(void)state;
	assert_int_equal(cli(NULL)->rc, 2);
	assert_int_equal(cli("--strategy", "lucky", "--topics", "t:1", "--members", "a",
			     NULL)->rc, 2);
	assert_int_equal(cli("--strategy", "range", "--topics", "t:0", "--members", "a",
			     NULL)->rc, 2);
	assert_int_equal(cli("--strategy", "range", "--topics", "t:1,t:2", "--members", "a",
			     NULL)->rc, 2);
	assert_int_equal(cli("--strategy", "range", "--topics", "t:1", "--members", "a,a",
			     NULL)->rc, 2);
	assert_int_equal(cli("--strategy", "range", "--topics", "bad/name:1", "--members", "a",
			     NULL)->rc, 2);
	assert_int_equal(cli("--strategy", "range", "--topics", "t:1", "--members", "a:t+t",
			     NULL)->rc, 2);
	assert_int_equal(cli("--input", "x.json", "--topics", "t:1", NULL)->rc, 2);
	struct cli_out *r = cli("--strategy", "range", "--topics", "t:1", "--members", "a",
				"--frobnicate", NULL);
	assert_int_equal(r->rc, 2);
	assert_string_equal(r->out, "");
	assert_non_null(strstr(r->err, "unknown option --frobnicate"));
	r = cli("--help", NULL);
	assert_int_equal(r->rc, 0);
	assert_non_null(strstr(r->out, "usage: kafkasim assign"));
}

/* ---- the strict JSON reader behind --input ---- */

static bool parses(const char *text, struct jin_value *v, struct jin_error *e)
{
	return jin_parse(text, strlen(text), v, e);
}

static void test_assignor_json_reader_is_strict(void **state)
{
	(void)state;
	struct jin_value v;
	struct jin_error e;
	assert_false(parses("{\"a\": 1, \"a\": 2}", &v, &e));
	assert_string_equal(e.msg, "repeated key \"a\"");
	assert_int_equal(e.col, 10);
	assert_false(parses("[1,]", &v, &e));
	assert_false(parses("{} x", &v, &e));
	assert_false(parses("tru", &v, &e));
	assert_false(parses("\"\\ud83d\"", &v, &e));          /* lone high surrogate */
	assert_false(parses("\"\\u0000\"", &v, &e));
	assert_false(parses("\"a\tb\"", &v, &e));             /* raw control character */
	assert_false(parses("\"\xc3\x28\"", &v, &e));         /* invalid UTF-8 */
	assert_false(parses("01", &v, &e));
	assert_true(parses("\"\\ud83d\\ude00\\n\"", &v, &e));
	assert_string_equal(v.str, "\xf0\x9f\x98\x80\n");
	jin_free(&v);
	assert_true(parses("-9223372036854775808", &v, &e));
	assert_true(v.in_range);
	assert_true(v.integer == INT64_MIN);
	assert_true(parses("9223372036854775808", &v, &e));
	assert_false(v.in_range);
	assert_true(parses("1.5e3", &v, &e));
	assert_false(v.integral);
	char deep[200];
	memset(deep, '[', 65);
	memset(deep + 65, ']', 65);
	deep[130] = 0;
	assert_false(parses(deep, &v, &e));                    /* 65 levels */
	assert_false(parses(deep + 1, &v, &e));               /* one ']' too many */
	deep[129] = 0;
	assert_true(parses(deep + 1, &v, &e));                /* 64 levels */
	jin_free(&v);
	assert_true(parses(" {\"k\": [true, false, null, \"s\", -0, {}]} \n", &v, &e));
	assert_int_equal(v.type, JIN_OBJECT);
	assert_int_equal(jin_get(&v, "k")->n, 6);
	jin_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assignor_java_string_order_and_hash),
		cmocka_unit_test(test_assignor_java_hashmap_order),
		cmocka_unit_test(test_assignor_java_map_order_api),
#define T(name) cmocka_unit_test_setup_teardown(name, q_setup, q_teardown)
		T(test_assignor_range_javadoc_example),
		T(test_assignor_range_javadoc_static_members),
		T(test_assignor_range_kafka_mixed_topics),
		T(test_assignor_range_member_id_string_order),
		T(test_assignor_range_idle_members_and_missing_topic),
		T(test_assignor_roundrobin_javadoc_same_subscriptions),
		T(test_assignor_roundrobin_javadoc_different_subscriptions),
		T(test_assignor_roundrobin_kafka_cases),
		T(test_assignor_sticky_javadoc_example1),
		T(test_assignor_sticky_kafka_add_remove_two_consumers),
		T(test_assignor_sticky_kafka_max_quota_goes_by_hashmap_order),
		T(test_assignor_sticky_kafka_quota_cases),
		T(test_assignor_sticky_kafka_add_consumer_one_topic),
		T(test_assignor_sticky_kafka_generations),
		T(test_assignor_sticky_kafka_double_claim_same_generation),
		T(test_assignor_sticky_kafka_mixed_subscriptions),
		T(test_assignor_sticky_javadoc_example2),
		T(test_assignor_sticky_kafka_nonequal_subscription),
		T(test_assignor_sticky_kafka_uniform_subscription),
		T(test_assignor_cooperative_two_phase_move),
		T(test_assignor_cooperative_kafka_old_subscriptions),
		T(test_assignor_rejects_bad_input),
#undef T
		cmocka_unit_test(test_assignor_cli_text_and_json),
		cmocka_unit_test(test_assignor_cli_json_input),
		cmocka_unit_test(test_assignor_cli_json_errors_have_line_and_column),
		cmocka_unit_test(test_assignor_cli_usage_errors),
		cmocka_unit_test(test_assignor_json_reader_is_strict),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
