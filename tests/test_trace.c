/*
 * test_trace.c — SHA-256 against FIPS 180-4 vectors, and the JSON Lines trace writer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim/sha256.h"
#include "sim/trace.h"

static void hex_of(const char *msg, size_t len, char out[65])
{
	struct sha256 s;
	uint8_t d[32];
	sha256_init(&s);
	sha256_update(&s, msg, len);
	sha256_final(&s, d);
	sha256_hex(d, out);
}

/* FIPS 180-4 / NIST CAVP example messages. */
static void test_sha256_known_vectors(void **state)
{
	(void)state;
	char h[65];
	hex_of("", 0, h);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hex_of("abc", 3, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	hex_of(two, strlen(two), h);
	assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* The portable code and the SHA-NI code (where the CPU has it) agree on every length. */
static void test_sha256_portable_and_accelerated_agree(void **state)
{
	(void)state;
	static uint8_t msg[1000];
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 131 + 7);
	for (size_t len = 0; len < sizeof(msg); len += 37) {
		char a[65], b[65];
		sha256_accelerated(false);
		hex_of((const char *)msg, len, a);
		sha256_accelerated(true);
		hex_of((const char *)msg, len, b);
		assert_string_equal(a, b);
	}
	sha256_accelerated(false);
	char h[65];
	hex_of("abc", 3, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_accelerated(true);
}

static void test_sha256_streaming_equals_one_shot(void **state)
{
	(void)state;
	char *a = malloc(1000000);
	assert_non_null(a);
	memset(a, 'a', 1000000);
	char one[65];
	hex_of(a, 1000000, one);
	assert_string_equal(one,
		"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	struct sha256 s;
	sha256_init(&s);
	size_t off = 0, step = 1;
	while (off < 1000000) {
		size_t n = step < 1000000 - off ? step : 1000000 - off;
		sha256_update(&s, a + off, n);
		off += n;
		step = step * 3 % 127 + 1;
	}
	uint8_t d[32];
	char many[65];
	sha256_final(&s, d);
	sha256_hex(d, many);
	assert_string_equal(one, many);
	free(a);
}

static void test_trace_line_layout_and_escapes(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	struct trace t;
	trace_init(&t, f);
	struct trace_line *l = trace_begin(&t, 1500, "broker-1", "deliver");
	trace_int(l, "epoch", -3);
	trace_uint(l, "offset", 18446744073709551615ull);
	trace_bool(l, "ok", true);
	trace_str(l, "why", "a \"quoted\"\\path\n\x01");
	trace_raw(l, "isr", "[1,2]");
	trace_end(l);
	fclose(f);
	assert_string_equal(buf,
		"{\"t\":1500,\"node\":\"broker-1\",\"ev\":\"deliver\",\"epoch\":-3,"
		"\"offset\":18446744073709551615,\"ok\":true,"
		"\"why\":\"a \\\"quoted\\\"\\\\path\\n\\u0001\",\"isr\":[1,2]}\n");
	char h[65];
	trace_digest_hex(&t, h);
	char want[65];
	hex_of(buf, len, want);
	assert_string_equal(h, want);
	assert_int_equal(t.lines, 1);
	free(buf);
}

/* Hash-only traces hash the same bytes as written ones. */
static void test_trace_hash_without_file(void **state)
{
	(void)state;
	struct trace a, b;
	FILE *devnull = fopen("/dev/null", "w");
	assert_non_null(devnull);
	trace_init(&a, devnull);
	trace_init(&b, NULL);
	for (int i = 0; i < 100; i++) {
		struct trace_line *l = trace_begin(&a, i, "n", "e");
		trace_int(l, "i", i);
		trace_end(l);
		l = trace_begin(&b, i, "n", "e");
		trace_int(l, "i", i);
		trace_end(l);
	}
	fclose(devnull);
	char ha[65], hb[65];
	trace_digest_hex(&a, ha);
	trace_digest_hex(&b, hb);
	assert_string_equal(ha, hb);
}

/* A line that would overflow is cut at a field boundary and stays valid JSON. */
static void test_trace_overlong_line_is_cut_cleanly(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct trace t;
	trace_init(&t, f);
	static char big[3000];
	memset(big, 'x', sizeof(big) - 1);
	struct trace_line *l = trace_begin(&t, 0, "n", "e");
	trace_str(l, "a", big);
	trace_str(l, "b", big);
	trace_int(l, "c", 1);
	trace_end(l);
	fclose(f);
	assert_true(len < TRACE_LINE_MAX);
	assert_non_null(strstr(buf, "\"a\":\"xxx"));
	assert_null(strstr(buf, "\"b\":"));
	assert_null(strstr(buf, "\"c\":"));
	assert_non_null(strstr(buf, "\"truncated\":true}\n"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_known_vectors),
		cmocka_unit_test(test_sha256_streaming_equals_one_shot),
		cmocka_unit_test(test_sha256_portable_and_accelerated_agree),
		cmocka_unit_test(test_trace_line_layout_and_escapes),
		cmocka_unit_test(test_trace_hash_without_file),
		cmocka_unit_test(test_trace_overlong_line_is_cut_cleanly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
