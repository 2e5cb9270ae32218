/*
 * test_partitioner.c — murmur2 against the six values of Kafka's UtilsTest.testMurmur2, and
 * the keyed partition choice (toPositive, not abs).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "model/partitioner.h"

static int32_t mm(const char *s)
{
	return part_murmur2((const uint8_t *)s, strlen(s));
}

static void test_part_murmur2_matches_kafka_utils_test(void **state)
{
	(void)state;
	assert_int_equal(mm("21"), -973932308);
	assert_int_equal(mm("foobar"), -790332482);
	assert_int_equal(mm("a-little-bit-long-string"), -985981536);
	assert_int_equal(mm("a-little-bit-longer-string"), -1486304829);
	assert_int_equal(mm("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
	assert_int_equal(mm("abc"), 479470107);
}

/* toPositive keeps the low 31 bits: -973932308 & 0x7fffffff = 1173551340. abs() would give
 * 973932308, a different partition for most partition counts. */
static void test_part_for_key_uses_to_positive(void **state)
{
	(void)state;
	const uint8_t k[] = {'2', '1'};
	assert_int_equal(part_for_key(k, 2, 1000000), 1173551340u % 1000000u);
	assert_int_not_equal(part_for_key(k, 2, 1000000), 973932308u % 1000000u);
	assert_int_equal(part_for_key(k, 2, 1), 0);
	/* The empty key hashes too (275646681 -> partition 0 of 3). */
	assert_int_equal(part_murmur2(NULL, 0), 275646681);
	assert_int_equal(part_for_key(NULL, 0, 3), 0);
	assert_int_equal(part_for_key((const uint8_t *)"key0", 4, 3), 1);
	assert_int_equal(part_for_key((const uint8_t *)"key1", 4, 3), 2);
	assert_int_equal(part_for_key((const uint8_t *)"key2", 4, 3), 2);
}

/* GroupCoordinator partitionFor with the default 50 partitions (the known values),
 * and Java's String.hashCode. */
static void test_part_for_group_known_ids(void **state)
{
	(void)state;
	assert_int_equal(part_java_hash(""), 0);
	assert_int_equal(part_java_hash("a"), 97);
	assert_int_equal(part_java_hash("foo"), 101574);
	assert_int_equal(part_for_group("foo", 50), 24);
	assert_int_equal(part_for_group("my-group", 50), 12);
	assert_int_equal(part_for_group("group1", 50), 40);
	/* Non-ASCII: "é" is one UTF-16 unit 0xe9; an emoji is a surrogate pair. */
	assert_int_equal(part_java_hash("\xc3\xa9"), 0xe9);
	assert_int_equal(part_java_hash("\xf0\x9f\x98\x80"), 31 * 0xd83d + 0xde00);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_part_murmur2_matches_kafka_utils_test),
		cmocka_unit_test(test_part_for_key_uses_to_positive),
		cmocka_unit_test(test_part_for_group_known_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
