/*
 * test_units.c — the scenario format's value syntax (sim/units.c): integers, times, sizes,
 * rates and probabilities parsed exactly, and the refusals scenario-format 1 asks for.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sim/units.h"

#define S(x) x, strlen(x)

static void test_units_int64(void **state)
{
	(void)state;
	int64_t v;
	assert_int_equal(units_int64(S("0"), &v), UNITS_OK);
	assert_int_equal(v, 0);
	assert_int_equal(units_int64(S("-1"), &v), UNITS_OK);
	assert_int_equal(v, -1);
	assert_int_equal(units_int64(S("+7"), &v), UNITS_OK);
	assert_int_equal(v, 7);
	assert_int_equal(units_int64(S("007"), &v), UNITS_OK);
	assert_int_equal(v, 7);
	assert_int_equal(units_int64(S("9223372036854775807"), &v), UNITS_OK);
	assert_true(v == INT64_MAX);
	assert_int_equal(units_int64(S("-9223372036854775808"), &v), UNITS_OK);
	assert_true(v == INT64_MIN);
	assert_int_equal(units_int64(S("9223372036854775808"), &v), UNITS_RANGE);
	assert_int_equal(units_int64(S("99999999999999999999999"), &v), UNITS_RANGE);
	assert_int_equal(units_int64(S("1.0"), &v), UNITS_NOT_INTEGER);
	assert_int_equal(units_int64(S("1e3"), &v), UNITS_NOT_INTEGER);
	assert_int_equal(units_int64(S(" 1"), &v), UNITS_NOT_INTEGER);
	assert_int_equal(units_int64(S("0x10"), &v), UNITS_NOT_INTEGER);
	assert_int_equal(units_int64(S("-"), &v), UNITS_NOT_INTEGER);
	assert_int_equal(units_int64(S(""), &v), UNITS_EMPTY);
}

static void test_units_uint64_full_range(void **state)
{
	(void)state;
	uint64_t v;
	assert_int_equal(units_uint64(S("18446744073709551615"), &v), UNITS_OK);
	assert_true(v == UINT64_MAX);
	assert_int_equal(units_uint64(S("18446744073709551616"), &v), UNITS_RANGE);
	assert_int_equal(units_uint64(S("-1"), &v), UNITS_NEGATIVE);
	assert_int_equal(units_uint64(S("1.5"), &v), UNITS_NOT_INTEGER);
}

static void test_units_time_exact(void **state)
{
	(void)state;
	int64_t us;
	assert_int_equal(units_time_us(S("1.5s"), 1000, false, &us), UNITS_OK);
	assert_int_equal(us, 1500000);
	assert_int_equal(units_time_us(S("250"), 1000, false, &us), UNITS_OK);
	assert_int_equal(us, 250000);
	assert_int_equal(units_time_us(S("250us"), 1000, false, &us), UNITS_OK);
	assert_int_equal(us, 250);
	assert_int_equal(units_time_us(S("250\xc2\xb5s"), 1000, false, &us), UNITS_OK);
	assert_int_equal(us, 250);
	assert_int_equal(units_time_us(S("5ms"), 1000, false, &us), UNITS_OK);
	assert_int_equal(us, 5000);
	assert_int_equal(units_time_us(S("2m"), 1000, false, &us), UNITS_OK);
	assert_int_equal(us, 120000000);
	assert_int_equal(units_time_us(S("1h"), 1000, false, &us), UNITS_OK);
	assert_true(us == INT64_C(3600000000));
	assert_int_equal(units_time_us(S("1d"), 1000, false, &us), UNITS_OK);
	assert_true(us == INT64_C(86400000000));
	assert_int_equal(units_time_us(S("0.001ms"), 1000, false, &us), UNITS_OK);
	assert_int_equal(us, 1);
	assert_int_equal(units_time_us(S("1.0000000000000000000000s"), 1000, false, &us), UNITS_OK);
	assert_int_equal(us, 1000000);
	assert_int_equal(units_time_us(S("-5s"), 1000, true, &us), UNITS_OK);
	assert_int_equal(us, -5000000);
}

static void test_units_time_refusals(void **state)
{
	(void)state;
	int64_t us = 42;
	assert_int_equal(units_time_us(S("1.5"), 1000, false, &us), UNITS_FLOAT_NO_UNIT);
	assert_int_equal(units_time_us(S("1m30s"), 1000, false, &us), UNITS_COMPOSITE);
	assert_int_equal(units_time_us(S("5sec"), 1000, false, &us), UNITS_BAD_UNIT);
	assert_int_equal(units_time_us(S("5 s"), 1000, false, &us), UNITS_BAD_UNIT);
	assert_int_equal(units_time_us(S("5S"), 1000, false, &us), UNITS_BAD_UNIT);
	assert_int_equal(units_time_us(S("0.5us"), 1000, false, &us), UNITS_NOT_WHOLE);
	assert_int_equal(units_time_us(S("0.0001ms"), 1000, false, &us), UNITS_NOT_WHOLE);
	assert_int_equal(units_time_us(S("-5s"), 1000, false, &us), UNITS_NEGATIVE);
	assert_int_equal(units_time_us(S("999999999999d"), 1000, false, &us), UNITS_RANGE);
	assert_int_equal(units_time_us(S("9223372036854775807"), 1000, false, &us), UNITS_RANGE);
	assert_int_equal(units_time_us(S("s"), 1000, false, &us), UNITS_SYNTAX);
	assert_int_equal(units_time_us(S(".5s"), 1000, false, &us), UNITS_SYNTAX);
	assert_int_equal(units_time_us(S("1.s"), 1000, false, &us), UNITS_SYNTAX);
	assert_int_equal(units_time_us(S("1.00000000000000000001s"), 1000, false, &us),
			 UNITS_TOO_PRECISE);
	assert_int_equal(us, 42);   /* untouched on error */
}

static void test_units_size(void **state)
{
	(void)state;
	int64_t b;
	assert_int_equal(units_size(S("100"), &b), UNITS_OK);
	assert_int_equal(b, 100);
	assert_int_equal(units_size(S("16KiB"), &b), UNITS_OK);
	assert_int_equal(b, 16384);
	assert_int_equal(units_size(S("1MiB"), &b), UNITS_OK);
	assert_int_equal(b, 1048576);
	assert_int_equal(units_size(S("1.5MiB"), &b), UNITS_OK);
	assert_int_equal(b, 1572864);
	assert_int_equal(units_size(S("1GiB"), &b), UNITS_OK);
	assert_int_equal(b, 1073741824);
	assert_int_equal(units_size(S("-1"), &b), UNITS_OK);
	assert_int_equal(b, -1);
	assert_int_equal(units_size(S("16KB"), &b), UNITS_BAD_UNIT);
	assert_int_equal(units_size(S("1.5"), &b), UNITS_NOT_INTEGER);
	assert_int_equal(units_size(S("0.1KiB"), &b), UNITS_NOT_WHOLE);
	assert_int_equal(units_size(S("99999999TiB"), &b), UNITS_RANGE);
}

static void test_units_rate(void **state)
{
	(void)state;
	struct units_rate r;
	assert_int_equal(units_rate(S("100"), &r), UNITS_OK);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.per_us, 10000);
	assert_int_equal(units_rate(S("100/s"), &r), UNITS_OK);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.per_us, 10000);
	assert_int_equal(units_rate(S("5/ms"), &r), UNITS_OK);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.per_us, 200);
	assert_int_equal(units_rate(S("600/m"), &r), UNITS_OK);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.per_us, 100000);
	assert_int_equal(units_rate(S("3/s"), &r), UNITS_OK);
	assert_int_equal(r.count, 3);
	assert_int_equal(r.per_us, 1000000);
	assert_int_equal(units_rate(S("2.5/s"), &r), UNITS_OK);   /* one per 0.4 s */
	assert_int_equal(r.count, 1);
	assert_int_equal(r.per_us, 400000);
	assert_int_equal(units_rate(S("0.3/s"), &r), UNITS_OK);
	assert_int_equal(r.count, 3);
	assert_int_equal(r.per_us, 10000000);
	assert_int_equal(units_rate(S("0/s"), &r), UNITS_ZERO);
	assert_int_equal(units_rate(S("-1/s"), &r), UNITS_NEGATIVE);
	assert_int_equal(units_rate(S("2.5"), &r), UNITS_FLOAT_NO_UNIT);
	assert_int_equal(units_rate(S("5/sec"), &r), UNITS_BAD_UNIT);
	assert_int_equal(units_rate(S("5 per s"), &r), UNITS_BAD_UNIT);
}

static void test_units_probability_exact_ratio(void **state)
{
	(void)state;
	uint64_t r;
	assert_int_equal(units_probability(S("0.25"), &r), UNITS_OK);
	assert_true(r == UINT64_C(1) << 30);
	assert_int_equal(units_probability(S("1"), &r), UNITS_OK);
	assert_true(r == UINT64_C(1) << 32);
	assert_int_equal(units_probability(S("1.000"), &r), UNITS_OK);
	assert_true(r == UINT64_C(1) << 32);
	assert_int_equal(units_probability(S("0"), &r), UNITS_OK);
	assert_true(r == 0);
	/* round(0.1 * 2^32) = round(429496729.6) */
	assert_int_equal(units_probability(S("0.1"), &r), UNITS_OK);
	assert_true(r == 429496730);
	/* round(1e-10 * 2^32) = round(0.43) */
	assert_int_equal(units_probability(S("0.0000000001"), &r), UNITS_OK);
	assert_true(r == 0);
	assert_int_equal(units_probability(S("0.9999999999999999999"), &r), UNITS_OK);
	assert_true(r == UINT64_C(1) << 32);
	assert_int_equal(units_probability(S("1.01"), &r), UNITS_ABOVE_ONE);
	assert_int_equal(units_probability(S("2"), &r), UNITS_ABOVE_ONE);
	assert_int_equal(units_probability(S("-0.1"), &r), UNITS_NEGATIVE);
	assert_int_equal(units_probability(S("25%"), &r), UNITS_SYNTAX);
	assert_int_equal(units_probability(S("0.12345678901234567891"), &r), UNITS_TOO_PRECISE);
}

static void test_units_format(void **state)
{
	(void)state;
	char b[48];
	assert_string_equal(units_format_time(1500000, b, sizeof(b)), "1.5s");
	assert_string_equal(units_format_time(0, b, sizeof(b)), "0s");
	assert_string_equal(units_format_time(250, b, sizeof(b)), "250us");
	assert_string_equal(units_format_time(1500, b, sizeof(b)), "1.5ms");
	assert_string_equal(units_format_time(90000000, b, sizeof(b)), "90s");
	assert_string_equal(units_format_time(120000000, b, sizeof(b)), "2m");
	assert_string_equal(units_format_time(-5000000, b, sizeof(b)), "-5s");
	assert_string_equal(units_format_time(INT64_C(86400000000), b, sizeof(b)), "1d");
	assert_string_equal(units_format_time(1000001, b, sizeof(b)), "1.000001s");
	int64_t us;
	assert_int_equal(units_time_us(S("1.000001s"), 1000, false, &us), UNITS_OK);
	assert_int_equal(us, 1000001);
	struct units_rate r = {1, 10000};
	assert_string_equal(units_format_rate(&r, b, sizeof(b)), "100/s");
	r = (struct units_rate){5, 2000000};
	assert_string_equal(units_format_rate(&r, b, sizeof(b)), "5 per 2s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units_int64),
		cmocka_unit_test(test_units_uint64_full_range),
		cmocka_unit_test(test_units_time_exact),
		cmocka_unit_test(test_units_time_refusals),
		cmocka_unit_test(test_units_size),
		cmocka_unit_test(test_units_rate),
		cmocka_unit_test(test_units_probability_exact_ratio),
		cmocka_unit_test(test_units_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
