/*
 * test_prng.c — the PRNG tree: reference vectors, golden draws, stream independence and
 * integer-only distributions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim/prng.h"

/* xoshiro256** from state {1, 2, 3, 4}: the first outputs of the reference C code. */
static void test_prng_xoshiro_reference_vector(void **state)
{
	(void)state;
	struct prng p = {{1, 2, 3, 4}};
	assert_int_equal(prng_u64(&p), 11520);
	assert_int_equal(prng_u64(&p), 0);
	assert_int_equal(prng_u64(&p), 1509978240);
	assert_int_equal(prng_u64(&p), UINT64_C(1215971899390074240));
}

/* splitmix64 from state 0 gives 0xe220a8397b1dcdaf first (Vigna's reference code). */
static void test_prng_splitmix_seeding_reference(void **state)
{
	(void)state;
	struct prng p;
	prng_init(&p, 0);
	assert_int_equal(p.s[0], UINT64_C(0xe220a8397b1dcdaf));
}

/* Golden draws pin the seeding and the tree layout: a change here changes every replay, so
 * it must be deliberate (and bump the version, scenario-format 8). */
static void test_prng_golden_draws(void **state)
{
	(void)state;
	struct prng p;
	prng_init(&p, 1);
	assert_int_equal(prng_u64(&p), UINT64_C(12966619160104079557));
	assert_int_equal(prng_u64(&p), UINT64_C(9600361134598540522));
	prng_child(&p, 7, PRNG_STREAM_NETWORK, (UINT64_C(3) << 32) | 5);
	assert_int_equal(prng_u64(&p), UINT64_C(17125736402632773649));
	assert_int_equal(prng_below(&p, 1000), 954);
}

static void test_prng_children_are_independent(void **state)
{
	(void)state;
	struct prng a, b, a2;
	prng_child(&a, 42, PRNG_STREAM_NODE, 1);
	prng_child(&b, 42, PRNG_STREAM_NODE, 2);
	prng_child(&a2, 42, PRNG_STREAM_NODE, 1);
	/* Drawing from b does not move a. */
	for (int i = 0; i < 100; i++)
		(void)prng_u64(&b);
	assert_int_equal(prng_u64(&a), prng_u64(&a2));
	struct prng c, d;
	prng_child(&c, 42, PRNG_STREAM_NODE, 1);
	prng_child(&d, 42, PRNG_STREAM_FAULTS, 1);
	assert_int_not_equal(prng_u64(&c), prng_u64(&d));
	prng_child(&c, 42, PRNG_STREAM_NODE, 1);
	prng_child(&d, 43, PRNG_STREAM_NODE, 1);
	assert_int_not_equal(prng_u64(&c), prng_u64(&d));
}

static void test_prng_below_and_range_bounds(void **state)
{
	(void)state;
	struct prng p;
	prng_init(&p, 9);
	uint64_t seen[7] = {0};
	for (int i = 0; i < 7000; i++) {
		uint64_t v = prng_below(&p, 7);
		assert_true(v < 7);
		seen[v]++;
	}
	for (int i = 0; i < 7; i++)
		assert_in_range(seen[i], 850, 1150);
	for (int i = 0; i < 1000; i++) {
		int64_t v = prng_range(&p, -3, 3);
		assert_true(v >= -3 && v <= 3);
	}
	assert_int_equal(prng_range(&p, 5, 5), 5);
	assert_int_equal(prng_below(&p, 1), 0);
}

static void test_prng_chance_is_exact_at_the_ends(void **state)
{
	(void)state;
	struct prng p;
	prng_init(&p, 3);
	int hits = 0;
	for (int i = 0; i < 10000; i++) {
		assert_false(prng_chance(&p, 0));
		assert_true(prng_chance(&p, PRNG_RATIO_ONE));
		hits += prng_chance(&p, PRNG_RATIO_ONE / 4);
	}
	assert_in_range(hits, 2300, 2700);
}

static void test_prng_exponential_mean(void **state)
{
	(void)state;
	struct prng p;
	prng_init(&p, 11);
	int64_t sum = 0;
	int64_t max = 0;
	const int n = 100000;
	for (int i = 0; i < n; i++) {
		int64_t v = prng_exponential(&p, 1000000);
		assert_true(v >= 0);
		sum += v;
		if (v > max)
			max = v;
	}
	/* Mean 1 s within 1 %; the tail reaches past 5 means (P = e^-5 per draw). */
	assert_in_range(sum / n, 990000, 1010000);
	assert_true(max > 5000000);
	assert_int_equal(prng_exponential(&p, 0), 0);
}

static void test_prng_uuid_format(void **state)
{
	(void)state;
	struct prng p;
	prng_init(&p, 5);
	char u[37];
	prng_uuid(&p, u);
	assert_int_equal(u[8], '-');
	assert_int_equal(u[13], '-');
	assert_int_equal(u[14], '4');
	assert_int_equal(u[18], '-');
	assert_true(u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b');
	assert_int_equal(u[23], '-');
	assert_int_equal(u[36], '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prng_xoshiro_reference_vector),
		cmocka_unit_test(test_prng_splitmix_seeding_reference),
		cmocka_unit_test(test_prng_golden_draws),
		cmocka_unit_test(test_prng_children_are_independent),
		cmocka_unit_test(test_prng_below_and_range_bounds),
		cmocka_unit_test(test_prng_chance_is_exact_at_the_ends),
		cmocka_unit_test(test_prng_exponential_mean),
		cmocka_unit_test(test_prng_uuid_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
