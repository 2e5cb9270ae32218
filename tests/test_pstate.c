/*
 * test_pstate.c — idempotent-producer state against Kafka 4.1's rules (ProducerStateEntry,
 * ProducerAppendInfo.checkSequence, UnifiedLog.analyzeAndValidateProducerState): the five
 * cached batches and duplicate answers, sequence and epoch errors with Kafka's codes,
 * int32 wrap-around, and the rebuild from a truncated or power-cut log.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "model/plog.h"
#include "model/pstate.h"

#define PID INT64_C(1000)

/* A batch of `count` records with sequences [first, first + count) at offsets
 * [offset, offset + count). */
static void record(struct pstate *ps, int64_t pid, int16_t epoch, int32_t first, int32_t count,
		   int64_t offset)
{
	struct pstate_batch m = {
		.first_seq = first, .last_seq = pstate_seq_add(first, count - 1),
		.first_offset = offset, .last_offset = offset + count - 1, .timestamp_ms = offset,
	};
	assert_int_equal(pstate_update(ps, pid, epoch, &m), KERR_NONE);
}

static struct pstate_verdict check(const struct pstate *ps, int16_t epoch, int32_t first,
				   int32_t count)
{
	return pstate_check(ps, PID, epoch, first, pstate_seq_add(first, count - 1));
}

static void expect_ok(struct pstate_verdict v)
{
	assert_int_equal(v.error, KERR_NONE);
	assert_false(v.duplicate);
}

static void expect_error(struct pstate_verdict v, int16_t error)
{
	assert_int_equal(v.error, error);
	assert_false(v.duplicate);
}

static void test_pstate_no_producer_id_is_never_checked(void **state)
{
	(void)state;
	struct pstate ps;
	pstate_init(&ps);
	record(&ps, PID, 3, 0, 1, 0);
	expect_ok(pstate_check(&ps, PLOG_NO_PRODUCER_ID, -1, 0, 0));
	pstate_free(&ps);
}

static void test_pstate_unknown_producer_accepts_any_sequence(void **state)
{
	(void)state;
	struct pstate ps;
	pstate_init(&ps);
	/* Kafka 4.1 checkSequence: with no state there is no epoch (NO_PRODUCER_EPOCH), and a
	 * first batch at any sequence is accepted (KIP-360; before 2.5 this was
	 * UNKNOWN_PRODUCER_ID or OUT_OF_ORDER_SEQUENCE_NUMBER). */
	expect_ok(check(&ps, 0, 42, 3));
	expect_ok(check(&ps, 5, 0, 1));
	record(&ps, PID, 0, 42, 3, 0);
	expect_ok(check(&ps, 0, 45, 1));
	pstate_free(&ps);
}

static void test_pstate_out_of_order_sequence(void **state)
{
	(void)state;
	struct pstate ps;
	pstate_init(&ps);
	record(&ps, PID, 0, 0, 5, 0);                 /* sequences 0..4 */
	expect_ok(check(&ps, 0, 5, 2));
	expect_error(check(&ps, 0, 6, 1), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);   /* a gap */
	expect_error(check(&ps, 0, 4, 1), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);   /* overlap */
	expect_error(check(&ps, 0, 0, 4), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);   /* not exact */
	assert_int_equal(KERR_OUT_OF_ORDER_SEQUENCE_NUMBER, 45);
	pstate_free(&ps);
}

static void test_pstate_dedupes_each_of_five_cached_batches(void **state)
{
	(void)state;
	struct pstate ps;
	pstate_init(&ps);
	/* Six batches of two: [0,1] at offset 10, [2,3] at 20, ... [10,11] at 60. */
	for (int32_t i = 0; i < 6; i++)
		record(&ps, PID, 0, 2 * i, 2, 10 * (i + 1));
	const struct pstate_entry *e = pstate_find(&ps, PID);
	assert_non_null(e);
	assert_int_equal(e->count, PSTATE_BATCHES_RETAINED);
	assert_int_equal(pstate_entry_batch(e, 0)->first_seq, 2);
	for (int32_t i = 1; i < 6; i++) {
		struct pstate_verdict v = check(&ps, 0, 2 * i, 2);
		assert_int_equal(v.error, KERR_NONE);
		assert_true(v.duplicate);
		assert_int_equal(v.first_offset, 10 * (i + 1));
		assert_int_equal(v.last_offset, 10 * (i + 1) + 1);
		assert_int_equal(v.timestamp_ms, 10 * (i + 1));
	}
	/* The sixth-oldest was evicted: a plain out-of-order batch now. */
	expect_error(check(&ps, 0, 0, 2), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
	pstate_free(&ps);
}

static void test_pstate_duplicate_needs_same_epoch(void **state)
{
	(void)state;
	struct pstate ps;
	pstate_init(&ps);
	record(&ps, PID, 2, 0, 2, 0);
	record(&ps, PID, 2, 2, 2, 2);
	assert_true(check(&ps, 2, 2, 2).duplicate);
	/* The same range under a newer epoch is a new-epoch batch not at sequence 0. */
	expect_error(check(&ps, 3, 2, 2), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
	/* ... and under an older epoch it is fenced. */
	expect_error(check(&ps, 1, 2, 2), KERR_INVALID_PRODUCER_EPOCH);
	pstate_free(&ps);
}

static void test_pstate_old_epoch_is_fenced(void **state)
{
	(void)state;
	struct pstate ps;
	pstate_init(&ps);
	record(&ps, PID, 3, 0, 1, 0);
	expect_error(check(&ps, 2, 1, 1), KERR_INVALID_PRODUCER_EPOCH);
	expect_error(check(&ps, 0, 0, 1), KERR_INVALID_PRODUCER_EPOCH);
	assert_int_equal(KERR_INVALID_PRODUCER_EPOCH, 47);
	pstate_free(&ps);
}

static void test_pstate_epoch_bump_starts_at_zero_and_clears_cache(void **state)
{
	(void)state;
	struct pstate ps;
	pstate_init(&ps);
	for (int32_t i = 0; i < 3; i++)
		record(&ps, PID, 0, i, 1, i);
	expect_error(check(&ps, 1, 3, 1), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
	expect_ok(check(&ps, 1, 0, 1));
	record(&ps, PID, 1, 0, 1, 3);
	const struct pstate_entry *e = pstate_find(&ps, PID);
	assert_int_equal(e->epoch, 1);
	assert_int_equal(e->count, 1);
	/* The old epoch's batches are forgotten: no duplicate, and fenced. */
	expect_error(check(&ps, 0, 2, 1), KERR_INVALID_PRODUCER_EPOCH);
	expect_ok(check(&ps, 1, 1, 1));
	pstate_free(&ps);
}

static void test_pstate_sequence_wraps_at_int_max(void **state)
{
	(void)state;
	/* DefaultRecordBatch.incrementSequence: MAX-1, MAX, 0, 1. */
	assert_int_equal(pstate_seq_add(INT32_MAX - 1, 3), 1);
	assert_int_equal(pstate_seq_add(INT32_MAX, 1), 0);
	assert_int_equal(pstate_seq_add(5, 0), 5);
	struct plog_batch b = {.base_sequence = INT32_MAX - 1, .record_count = 4};
	assert_int_equal(pstate_batch_last_seq(&b), 1);
	b.base_sequence = PLOG_NO_SEQUENCE;
	assert_int_equal(pstate_batch_last_seq(&b), PLOG_NO_SEQUENCE);
	struct pstate ps;
	pstate_init(&ps);
	record(&ps, PID, 0, INT32_MAX - 1, 2, 0);   /* ends at Integer.MAX_VALUE */
	expect_ok(check(&ps, 0, 0, 1));              /* inSequence(MAX, 0) */
	expect_error(check(&ps, 0, 1, 1), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
	record(&ps, PID, 0, INT32_MAX, 3, 2);        /* MAX, 0, 1 */
	expect_ok(check(&ps, 0, 2, 1));
	assert_true(pstate_check(&ps, PID, 0, INT32_MAX, 1).duplicate);
	pstate_free(&ps);
}

static void test_pstate_follower_updates_are_never_checked(void **state)
{
	(void)state;
	struct pstate ps;
	pstate_init(&ps);
	/* ProducerAppendInfo with origin REPLICATION validates nothing: out of order, older
	 * epoch, whatever the leader wrote is recorded. */
	record(&ps, PID, 5, 10, 1, 0);
	record(&ps, PID, 4, 99, 1, 1);
	const struct pstate_entry *e = pstate_find(&ps, PID);
	assert_int_equal(e->epoch, 4);
	assert_int_equal(e->count, 1);
	assert_int_equal(pstate_entry_batch(e, 0)->last_seq, 99);
	pstate_free(&ps);
}

static void test_pstate_entries_in_producer_id_order(void **state)
{
	(void)state;
	struct pstate ps;
	pstate_init(&ps);
	const int64_t pids[] = {9, 3, 7, 1, 8, 2, 6, 4, 5};
	for (uint32_t i = 0; i < 9; i++)
		record(&ps, pids[i], 0, 0, 1, (int64_t)i);
	assert_int_equal(ps.n, 9);
	for (uint32_t i = 0; i < 9; i++)
		assert_int_equal(ps.e[i].producer_id, i + 1);
	assert_null(pstate_find(&ps, 10));
	assert_int_equal(pstate_find(&ps, 7)->ring[0].first_offset, 2);
	pstate_free(&ps);
}

static void test_pstate_expires_idle_producers(void **state)
{
	(void)state;
	struct pstate ps;
	pstate_init(&ps);
	record(&ps, 1, 0, 0, 1, 1000);   /* last timestamp 1000 */
	record(&ps, 2, 0, 0, 1, 5000);
	/* producer.id.expiration.ms 86400000: expired once now - last >= it. */
	assert_int_equal(pstate_expire(&ps, 1000 + 86400000 - 1, 86400000), 0);
	assert_int_equal(pstate_expire(&ps, 1000 + 86400000, 86400000), 1);
	assert_null(pstate_find(&ps, 1));
	assert_non_null(pstate_find(&ps, 2));
	/* Forgotten: any sequence again. */
	expect_ok(pstate_check(&ps, 1, 0, 17, 17));
	pstate_free(&ps);
}

/* ---- Rebuild from the log ------------------------------------------------------------- */

static void idempotent_log(struct plog *log, struct pstate *ps)
{
	struct plog_config c;
	plog_config_defaults(&c);
	assert_int_equal(plog_init(log, &c, 0), KERR_NONE);
	pstate_init(ps);
	for (int32_t i = 0; i < 4; i++) {
		struct plog_batch b = {
			.max_timestamp_ms = 100 + i, .producer_id = PID, .record_count = 2,
			.base_sequence = 2 * i, .size_bytes = 100, .producer_epoch = 0,
		};
		struct pstate_verdict v = pstate_check(ps, PID, 0, b.base_sequence,
						       pstate_batch_last_seq(&b));
		expect_ok(v);
		int64_t now_us = (int64_t)i * 20000000;   /* 0 s, 20 s, 40 s, 60 s */
		assert_int_equal(plog_append_as_leader(log, &b, 0, 100 + i, now_us), KERR_NONE);
		assert_int_equal(pstate_apply_batch(ps, &b), KERR_NONE);
	}
	assert_int_equal(plog_leo(log), 8);
}

static void rebuild(struct pstate *ps, const struct plog *log)
{
	uint32_t n;
	const struct plog_batch *b = plog_batches(log, &n);
	assert_int_equal(pstate_rebuild(ps, b, n), KERR_NONE);
}

static void test_pstate_rebuild_after_truncation(void **state)
{
	(void)state;
	struct plog log;
	struct pstate ps;
	idempotent_log(&log, &ps);
	assert_true(check(&ps, 0, 4, 2).duplicate);
	/* A follower truncates away [4..7] (sequences 4..7). */
	plog_truncate_to(&log, 4, 0);
	rebuild(&ps, &log);
	const struct pstate_entry *e = pstate_find(&ps, PID);
	assert_int_equal(e->count, 2);
	assert_int_equal(pstate_entry_batch(e, 1)->last_seq, 3);
	/* The retried batch [4,5] is new again, [6,7] is out of order, [2,3] is still a
	 * duplicate at its original offsets. */
	expect_ok(check(&ps, 0, 4, 2));
	expect_error(check(&ps, 0, 6, 2), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
	struct pstate_verdict v = check(&ps, 0, 2, 2);
	assert_true(v.duplicate);
	assert_int_equal(v.first_offset, 2);
	assert_int_equal(v.timestamp_ms, 101);
	pstate_free(&ps);
	plog_free(&log);
}

static void test_pstate_rebuild_after_power_loss(void **state)
{
	(void)state;
	struct plog log;
	struct pstate ps;
	idempotent_log(&log, &ps);
	/* At 65 s the batches from 0 s and 20 s are written back (sim.dirty-writeback 30 s). */
	assert_int_equal(plog_power_loss(&log, 65000000, 65000), KERR_NONE);
	assert_int_equal(plog_leo(&log), 4);
	rebuild(&ps, &log);
	expect_ok(check(&ps, 0, 4, 2));
	assert_true(check(&ps, 0, 0, 2).duplicate);
	/* Everything lost: the producer is unknown and any sequence goes. */
	plog_truncate_fully_and_start_at(&log, 8, 0);
	rebuild(&ps, &log);
	assert_int_equal(ps.n, 0);
	expect_ok(check(&ps, 0, 6, 2));
	pstate_free(&ps);
	plog_free(&log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pstate_no_producer_id_is_never_checked),
		cmocka_unit_test(test_pstate_unknown_producer_accepts_any_sequence),
		cmocka_unit_test(test_pstate_out_of_order_sequence),
		cmocka_unit_test(test_pstate_dedupes_each_of_five_cached_batches),
		cmocka_unit_test(test_pstate_duplicate_needs_same_epoch),
		cmocka_unit_test(test_pstate_old_epoch_is_fenced),
		cmocka_unit_test(test_pstate_epoch_bump_starts_at_zero_and_clears_cache),
		cmocka_unit_test(test_pstate_sequence_wraps_at_int_max),
		cmocka_unit_test(test_pstate_follower_updates_are_never_checked),
		cmocka_unit_test(test_pstate_entries_in_producer_id_order),
		cmocka_unit_test(test_pstate_expires_idle_producers),
		cmocka_unit_test(test_pstate_rebuild_after_truncation),
		cmocka_unit_test(test_pstate_rebuild_after_power_loss),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
