/*
 * test_plog.c — the partition log against Kafka's rules and numbers: leader offset
 * assignment, the leader-epoch cache (LeaderEpochFileCacheTest's cases), both follower
 * truncation rules on KIP-101's and KIP-279's scenarios, segment rolling, one-segment
 * reads, durability across power loss and process crash, and retention.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model/plog.h"

#define S_US INT64_C(1000000)

static struct plog_config cfg_default(void)
{
	struct plog_config c;
	plog_config_defaults(&c);
	return c;
}

static void open_log(struct plog *log, const struct plog_config *cfg)
{
	assert_int_equal(plog_init(log, cfg, 0), KERR_NONE);
}

static struct plog_batch mk(int32_t count, int32_t size, int64_t ts_ms, uint64_t ref)
{
	return (struct plog_batch){
		.base_offset = 12345,   /* whatever the producer sent: the leader ignores it */
		.max_timestamp_ms = ts_ms, .producer_id = PLOG_NO_PRODUCER_ID, .rec_ref = ref,
		.record_count = count, .leader_epoch = 77, .base_sequence = PLOG_NO_SEQUENCE,
		.size_bytes = size, .producer_epoch = -1,
	};
}

/* Appends as leader; returns the assigned base offset. */
static int64_t lead(struct plog *log, int32_t epoch, int32_t count, int32_t size, int64_t ts_ms,
		    int64_t now_us, uint64_t ref)
{
	struct plog_batch b = mk(count, size, ts_ms, ref);
	assert_int_equal(plog_append_as_leader(log, &b, epoch, ts_ms, now_us), KERR_NONE);
	return b.base_offset;
}

/* One follower fetch: everything the leader has from the follower's LEO, as far as one
 * segment goes. */
static void fetch(struct plog *follower, const struct plog *leader, int64_t now_us)
{
	struct plog_view v = plog_read(leader, plog_leo(follower), INT64_MAX, plog_leo(leader));
	assert_int_equal(v.error, KERR_NONE);
	for (uint32_t i = 0; i < v.count; i++)
		assert_int_equal(plog_append_as_follower(follower, &v.batches[i], 0, now_us),
				 KERR_NONE);
}

static uint64_t ref_at(const struct plog *log, int64_t offset)
{
	const struct plog_batch *b = plog_batch_at(log, offset);
	assert_non_null(b);
	return b->rec_ref;
}

static void expect_epochs(const struct plog *log, const int64_t *pairs, uint32_t n)
{
	assert_int_equal(log->epochs.n, n);
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(log->epochs.e[i].epoch, pairs[2 * i]);
		assert_int_equal(log->epochs.e[i].start_offset, pairs[2 * i + 1]);
	}
}

/* ---- Appends ------------------------------------------------------------------------- */

static void test_plog_leader_assigns_offsets_from_leo(void **state)
{
	(void)state;
	struct plog log;
	struct plog_config c = cfg_default();
	open_log(&log, &c);
	assert_int_equal(lead(&log, 0, 3, 100, 10, 0, 1), 0);
	assert_int_equal(lead(&log, 0, 1, 100, 10, 0, 2), 3);
	assert_int_equal(lead(&log, 0, 5, 100, 10, 0, 3), 4);
	assert_int_equal(plog_leo(&log), 9);
	assert_int_equal(plog_batch_count(&log), 3);
	assert_int_equal(ref_at(&log, 3), 2);
	assert_int_equal(plog_batch_at(&log, 8)->base_offset, 4);
	assert_null(plog_batch_at(&log, 9));
	/* The leader's epoch overwrote whatever the producer's batch carried. */
	assert_int_equal(plog_batch(&log, 0)->leader_epoch, 0);
	assert_int_equal(plog_size_bytes(&log), 300);
	plog_free(&log);
}

static void test_plog_leader_epoch_cache_after_leader_changes(void **state)
{
	(void)state;
	struct plog log;
	struct plog_config c = cfg_default();
	open_log(&log, &c);
	lead(&log, 0, 2, 100, 10, 0, 1);
	lead(&log, 0, 2, 100, 10, 0, 2);
	/* Partition.makeLeader: the new leader caches (epoch, LEO) before any append. */
	assert_int_equal(plog_assign_epoch(&log, 1, plog_leo(&log)), KERR_NONE);
	lead(&log, 1, 2, 100, 10, 0, 3);
	/* Epoch 2 led elsewhere; this replica leads again in epoch 3. */
	assert_int_equal(plog_assign_epoch(&log, 3, plog_leo(&log)), KERR_NONE);
	lead(&log, 3, 3, 100, 10, 0, 4);
	const int64_t want[] = {0, 0, 1, 4, 3, 6};
	expect_epochs(&log, want, 3);
	assert_int_equal(plog_latest_epoch(&log), 3);
	assert_int_equal(plog_last_fetched_epoch(&log), 3);
	assert_int_equal(plog_epoch_at(&log, 5), 1);
	assert_int_equal(plog_epoch_at(&log, 9), PLOG_NO_EPOCH);
	assert_int_equal(plog_epochs_epoch_for_offset(&log.epochs, 5), 1);
	plog_free(&log);
}

static void test_plog_follower_keeps_offsets_epochs_and_timestamps(void **state)
{
	(void)state;
	struct plog leader, follower;
	struct plog_config c = cfg_default();
	c.log_append_time = true;
	open_log(&leader, &c);
	open_log(&follower, &c);
	struct plog_batch b = mk(4, 100, 1, 9);
	assert_int_equal(plog_append_as_leader(&leader, &b, 5, 5000, 0), KERR_NONE);
	assert_int_equal(b.max_timestamp_ms, 5000);
	/* The follower's own clock (9000) changes nothing. */
	assert_int_equal(plog_append_as_follower(&follower, &b, 9000, 7), KERR_NONE);
	const struct plog_batch *f = plog_batch(&follower, 0);
	assert_int_equal(f->base_offset, 0);
	assert_int_equal(f->leader_epoch, 5);
	assert_int_equal(f->max_timestamp_ms, 5000);
	assert_int_equal(f->rec_ref, 9);
	assert_int_equal(f->append_us, 7);
	const int64_t want[] = {5, 0};
	expect_epochs(&follower, want, 1);
	/* A batch below the LEO: Kafka's UnexpectedAppendOffsetException. */
	assert_int_equal(plog_append_as_follower(&follower, &b, 9000, 8),
			 KERR_OFFSET_OUT_OF_RANGE);
	assert_int_equal(plog_leo(&follower), 4);
	plog_free(&leader);
	plog_free(&follower);
}

static void test_plog_log_append_time_overwrites_max_timestamp(void **state)
{
	(void)state;
	struct plog create, append;
	struct plog_config c = cfg_default();
	open_log(&create, &c);
	c.log_append_time = true;
	open_log(&append, &c);
	struct plog_batch b1 = mk(1, 100, 123, 1), b2 = mk(1, 100, 123, 1);
	assert_int_equal(plog_append_as_leader(&create, &b1, 0, 7000, 0), KERR_NONE);
	assert_int_equal(plog_append_as_leader(&append, &b2, 0, 7000, 0), KERR_NONE);
	assert_int_equal(plog_batch(&create, 0)->max_timestamp_ms, 123);
	assert_int_equal(plog_batch(&create, 0)->timestamp_type, PLOG_CREATE_TIME);
	assert_int_equal(plog_batch(&append, 0)->max_timestamp_ms, 7000);
	assert_int_equal(plog_batch(&append, 0)->timestamp_type, PLOG_LOG_APPEND_TIME);
	plog_free(&create);
	plog_free(&append);
}

/* ---- The epoch cache: LeaderEpochFileCacheTest's cases ------------------------------- */

static struct plog_epoch_end end_for(const struct plog_epochs *c, int32_t e, int64_t leo)
{
	return plog_epochs_end_offset_for(c, e, leo);
}

static void expect_end(struct plog_epoch_end got, int32_t epoch, int64_t end)
{
	assert_int_equal(got.epoch, epoch);
	assert_int_equal(got.end_offset, end);
}

static void test_plog_end_offset_for_epoch_matches_kafka(void **state)
{
	(void)state;
	struct plog_epochs c = {0};
	/* shouldFetchEndOffsetOfEmptyCache, ...UndefinedEpochRequested */
	expect_end(end_for(&c, 7, 0), -1, -1);
	plog_epochs_assign(&c, 5, 11);
	plog_epochs_assign(&c, 6, 12);
	plog_epochs_assign(&c, 7, 13);
	expect_end(end_for(&c, PLOG_NO_EPOCH, 0), -1, -1);
	/* shouldReturnFirstEpochIfRequestedEpochLessThanFirstEpoch: (4, 11). */
	expect_end(end_for(&c, 4, 0), 4, 11);
	/* The latest epoch ends at the LEO; an unknown later epoch is UNDEFINED. */
	expect_end(end_for(&c, 7, 20), 7, 20);
	expect_end(end_for(&c, 8, 20), -1, -1);
	/* shouldTruncateIfMatchingEpochButEarlierStartingOffset. */
	plog_epochs_assign(&c, 7, 12);
	expect_end(end_for(&c, 5, 0), 5, 12);
	expect_end(end_for(&c, 6, 0), 5, 12);
	/* shouldReturnNextAvailableEpochIfThereIsNoExactEpochForTheOneRequested. */
	c.n = 0;
	plog_epochs_assign(&c, 0, 10);
	plog_epochs_assign(&c, 2, 13);
	plog_epochs_assign(&c, 4, 17);
	expect_end(end_for(&c, 1, 0), 0, 13);
	expect_end(end_for(&c, 2, 0), 2, 17);
	expect_end(end_for(&c, 3, 0), 2, 17);
	/* shouldIncreaseAndTrackEpochsAsFollowerReceivesManyMessages. */
	c.n = 0;
	for (int64_t o = 0; o < 9; o++)
		plog_epochs_assign(&c, (int32_t)(o / 3), o);
	assert_int_equal(c.n, 3);
	expect_end(end_for(&c, 0, 9), 0, 3);
	expect_end(end_for(&c, 1, 9), 1, 6);
	expect_end(end_for(&c, 2, 9), 2, 9);
	free(c.e);
}

static void test_plog_epoch_assign_keeps_cache_monotonic(void **state)
{
	(void)state;
	struct plog_epochs c = {0};
	/* shouldNotOverwriteLogEndOffsetForALeaderEpochOnceItHasBeenAssigned. */
	plog_epochs_assign(&c, 2, 9);
	plog_epochs_assign(&c, 2, 10);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.e[0].start_offset, 9);
	/* shouldEnforceMonotonicallyIncreasingStartOffsets. */
	plog_epochs_assign(&c, 3, 9);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.e[0].epoch, 3);
	/* shouldEnforceOffsetsIncreaseMonotonically. */
	c.n = 0;
	plog_epochs_assign(&c, 2, 6);
	plog_epochs_assign(&c, 3, 5);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.e[0].epoch, 3);
	assert_int_equal(c.e[0].start_offset, 5);
	/* shouldEnforceMonotonicallyIncreasingEpochs: 1@5, 2@6, 1@7 leaves 1@7. */
	c.n = 0;
	plog_epochs_assign(&c, 1, 5);
	plog_epochs_assign(&c, 2, 6);
	plog_epochs_assign(&c, 1, 7);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.e[0].start_offset, 7);
	assert_int_equal(plog_epochs_latest(&c), 1);
	expect_end(end_for(&c, 1, 8), 1, 8);
	expect_end(end_for(&c, 2, 8), -1, -1);
	/* shouldIncreaseAndTrackEpochsAsLeadersChangeManyTimes: 0@0 then 1@0. */
	c.n = 0;
	plog_epochs_assign(&c, 0, 0);
	plog_epochs_assign(&c, 1, 0);
	assert_int_equal(c.n, 1);
	expect_end(end_for(&c, 0, 5), 0, 0);
	expect_end(end_for(&c, 1, 5), 1, 5);
	free(c.e);
}

static void cache_2_3_4(struct plog_epochs *c)
{
	c->n = 0;
	plog_epochs_assign(c, 2, 6);
	plog_epochs_assign(c, 3, 8);
	plog_epochs_assign(c, 4, 11);
}

static void expect_cache(const struct plog_epochs *c, const int64_t *pairs, uint32_t n)
{
	assert_int_equal(c->n, n);
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(c->e[i].epoch, pairs[2 * i]);
		assert_int_equal(c->e[i].start_offset, pairs[2 * i + 1]);
	}
}

static void test_plog_epoch_cache_truncation_matches_kafka(void **state)
{
	(void)state;
	struct plog_epochs c = {0};
	const int64_t all[] = {2, 6, 3, 8, 4, 11};
	cache_2_3_4(&c);
	plog_epochs_truncate_end(&c, 8);            /* ...OnEpochBoundaryWhenRemovingLatest */
	expect_cache(&c, all, 1);
	cache_2_3_4(&c);
	plog_epochs_truncate_end(&c, 9);            /* ...BetweenEpochBoundaryWhenRemovingNewest */
	expect_cache(&c, all, 2);
	cache_2_3_4(&c);
	plog_epochs_truncate_end(&c, -1);           /* ...TailIfUndefinedPassed */
	plog_epochs_truncate_start(&c, -1);
	plog_epochs_truncate_start(&c, 1);          /* shouldNotClearAnythingIfOffsetTooEarly */
	plog_epochs_truncate_start(&c, 6);          /* ...IfOffsetIsFirstOffset */
	expect_cache(&c, all, 3);
	plog_epochs_truncate_start(&c, 8);          /* shouldPreserveResetOffsetOnClearEarliest */
	expect_cache(&c, all + 2, 2);
	cache_2_3_4(&c);
	plog_epochs_truncate_start(&c, 9);          /* ...BetweenEpochBoundariesOnClearEarliest */
	const int64_t at9[] = {3, 9, 4, 11};
	expect_cache(&c, at9, 2);
	cache_2_3_4(&c);
	plog_epochs_truncate_start(&c, 11);         /* shouldRetainLatestEpochOnClearAllEarliest */
	expect_cache(&c, all + 4, 1);
	plog_epochs_truncate_start(&c, 15);         /* ...AndUpdateItsOffset */
	const int64_t at15[] = {4, 15};
	expect_cache(&c, at15, 1);
	c.n = 0;
	plog_epochs_assign(&c, 0, 0);
	plog_epochs_assign(&c, 1, 7);
	plog_epochs_assign(&c, 2, 10);
	plog_epochs_truncate_start(&c, 5);          /* ...FirstTwoEpochBoundariesOnClearEarliest */
	const int64_t at5[] = {0, 5, 1, 7, 2, 10};
	expect_cache(&c, at5, 3);
	assert_int_equal(plog_epochs_epoch_for_offset(&c, 4), PLOG_NO_EPOCH);
	assert_int_equal(plog_epochs_epoch_for_offset(&c, 7), 1);
	assert_int_equal(plog_epochs_epoch_for_offset(&c, 9), 1);
	assert_int_equal(plog_epochs_epoch_for_offset(&c, 99), 2);
	free(c.e);
}

/* ---- Truncation ---------------------------------------------------------------------- */

/* Epoch 0: [0..2], epoch 1: [3..6], epoch 2: [7..9]; HW at the LEO. */
static void three_epochs(struct plog *log)
{
	struct plog_config c = cfg_default();
	open_log(log, &c);
	lead(log, 0, 3, 100, 10, 0, 1);
	lead(log, 1, 4, 100, 10, 0, 2);
	lead(log, 2, 3, 100, 10, 0, 3);
	plog_set_hw(log, 10);
}

static void test_plog_truncate_removes_straddling_batch_whole(void **state)
{
	(void)state;
	struct plog log;
	three_epochs(&log);
	assert_true(plog_truncate_to(&log, 5, 0));
	/* The batch [3..6] holding 5 goes whole: LEO 3, not 5. */
	assert_int_equal(plog_leo(&log), 3);
	assert_int_equal(plog_batch_count(&log), 1);
	assert_int_equal(plog_hw(&log), 3);
	const int64_t want[] = {0, 0};
	expect_epochs(&log, want, 1);
	assert_int_equal(plog_segment(&log, 0)->bytes, 100);
	/* At or past the LEO nothing happens. */
	assert_false(plog_truncate_to(&log, 3, 0));
	assert_int_equal(plog_leo(&log), 3);
	plog_free(&log);
}

static void test_plog_truncate_at_batch_boundary_keeps_earlier_epochs(void **state)
{
	(void)state;
	struct plog log;
	three_epochs(&log);
	plog_set_hw(&log, 4);
	assert_true(plog_truncate_to(&log, 7, 0));
	assert_int_equal(plog_leo(&log), 7);
	assert_int_equal(plog_hw(&log), 4);       /* below the LEO: untouched */
	const int64_t want[] = {0, 0, 1, 3};
	expect_epochs(&log, want, 2);
	assert_int_equal(plog_last_fetched_epoch(&log), 1);
	plog_free(&log);
}

static void test_plog_truncate_fully_and_start_at(void **state)
{
	(void)state;
	struct plog log;
	three_epochs(&log);
	plog_truncate_fully_and_start_at(&log, 50, 0);
	assert_int_equal(plog_leo(&log), 50);
	assert_int_equal(plog_hw(&log), 50);
	assert_int_equal(plog_log_start(&log), 50);
	assert_int_equal(plog_batch_count(&log), 0);
	assert_int_equal(plog_segment_count(&log), 1);
	assert_int_equal(plog_segment(&log, 0)->base_offset, 50);
	assert_int_equal(log.epochs.n, 0);
	struct plog_batch b = mk(2, 100, 10, 4);
	b.base_offset = 50;
	b.leader_epoch = 6;
	assert_int_equal(plog_append_as_follower(&log, &b, 0, 0), KERR_NONE);
	assert_int_equal(plog_leo(&log), 52);
	/* truncate_to below the first segment's base is a full truncation too. */
	assert_true(plog_truncate_to(&log, 20, 0));
	assert_int_equal(plog_log_start(&log), 20);
	assert_int_equal(plog_leo(&log), 20);
	plog_free(&log);
}

/* ---- KIP-101 and KIP-279 scenarios ---------------------------------------------------- */

/* KIP-101 scenario 1, "high watermark truncation followed by immediate leader election".
 * A leads epoch 0 with m1, m2; B has fetched both, so A's HW is 2, but B learned only HW 1.
 * B restarts; then A dies and B becomes leader. */
static void kip101_loss_setup(struct plog *a, struct plog *b)
{
	struct plog_config c = cfg_default();
	open_log(a, &c);
	open_log(b, &c);
	lead(a, 0, 1, 100, 10, 0, 1);
	lead(a, 0, 1, 100, 10, 0, 2);
	fetch(b, a, 0);
	plog_set_hw(a, 2);
	plog_set_hw(b, 1);
	plog_checkpoint_hw(a);
	plog_checkpoint_hw(b);
	plog_restart(b);
	assert_int_equal(plog_hw(b), 1);
}

static void test_plog_kip101_hw_truncation_loses_committed_record(void **state)
{
	(void)state;
	struct plog a, b;
	kip101_loss_setup(&a, &b);
	/* Pre-KIP-101: B truncates to its HW and loses m2. */
	struct plog_trunc t = plog_trunc_high_watermark(&b);
	assert_int_equal(t.offset, 1);
	plog_truncate_to(&b, t.offset, 0);
	/* A dies before B refetches; B leads epoch 1. A returns, truncates to its own HW (2,
	 * nothing), fetches at 2 > B's LEO: OFFSET_OUT_OF_RANGE, and truncates to B's LEO. */
	plog_assign_epoch(&b, 1, plog_leo(&b));
	plog_restart(&a);
	assert_int_equal(plog_trunc_high_watermark(&a).offset, 2);
	assert_int_equal(plog_read(&b, plog_leo(&a), INT64_MAX, plog_leo(&b)).error,
			 KERR_OFFSET_OUT_OF_RANGE);
	plog_truncate_to(&a, plog_leo(&b), 0);
	/* m2 was committed (A's HW was 2) and is now on no replica. */
	assert_int_equal(plog_leo(&a), 1);
	assert_int_equal(plog_leo(&b), 1);
	assert_null(plog_batch_at(&b, 1));
	plog_free(&a);
	plog_free(&b);
}

static void test_plog_kip101_epoch_truncation_keeps_committed_record(void **state)
{
	(void)state;
	struct plog a, b;
	kip101_loss_setup(&a, &b);
	/* B asks A (still leader) for the end of its last epoch 0: A's LEO, 2. */
	struct plog_epoch_end ans = plog_end_offset_for_epoch(&a, plog_last_fetched_epoch(&b));
	assert_int_equal(ans.epoch, 0);
	assert_int_equal(ans.end_offset, 2);
	struct plog_trunc t = plog_trunc_leader_epoch(&b, ans);
	assert_int_equal(t.offset, 2);
	assert_true(t.complete);
	assert_false(plog_truncate_to(&b, t.offset, 0));
	/* A dies; B leads with m2 still there. */
	plog_assign_epoch(&b, 1, plog_leo(&b));
	assert_int_equal(ref_at(&b, 1), 2);
	plog_free(&a);
	plog_free(&b);
}

/* KIP-101 scenario 2, "replica divergence on restart after multiple hard failures".
 * A leads epoch 0 with m1, m2 and HW 2 (B out of the ISR); B has m1, HW 1. Both lose
 * power; B comes back first, leads epoch 1 and takes m3 at offset 1; A returns. */
static void kip101_divergence_setup(struct plog *a, struct plog *b)
{
	struct plog_config c = cfg_default();
	open_log(a, &c);
	open_log(b, &c);
	lead(a, 0, 1, 100, 10, 0, 1);
	fetch(b, a, 0);
	lead(a, 0, 1, 100, 10, 0, 2);
	plog_set_hw(a, 2);
	plog_set_hw(b, 1);
	plog_checkpoint_hw(a);
	plog_checkpoint_hw(b);
	assert_int_equal(plog_power_loss(a, 60 * S_US, 60000), KERR_NONE);
	assert_int_equal(plog_power_loss(b, 60 * S_US, 60000), KERR_NONE);
	plog_assign_epoch(b, 1, plog_leo(b));
	lead(b, 1, 1, 100, 10, 61 * S_US, 3);
	plog_set_hw(b, 2);
}

static void test_plog_kip101_hw_truncation_lets_replicas_diverge(void **state)
{
	(void)state;
	struct plog a, b;
	kip101_divergence_setup(&a, &b);
	/* A truncates to its HW, 2: nothing. Its fetch at 2 is B's LEO: in range, no data. */
	assert_false(plog_truncate_to(&a, plog_trunc_high_watermark(&a).offset, 0));
	fetch(&a, &b, 62 * S_US);
	lead(&b, 1, 1, 100, 10, 63 * S_US, 4);
	fetch(&a, &b, 64 * S_US);
	/* Same length, different records at offset 1: m2 on A, m3 on B. */
	assert_int_equal(plog_leo(&a), plog_leo(&b));
	assert_int_equal(ref_at(&a, 1), 2);
	assert_int_equal(ref_at(&b, 1), 3);
	assert_int_equal(ref_at(&a, 2), ref_at(&b, 2));
	plog_free(&a);
	plog_free(&b);
}

static void test_plog_kip101_epoch_truncation_prevents_divergence(void **state)
{
	(void)state;
	struct plog a, b;
	kip101_divergence_setup(&a, &b);
	/* B's cache is [(0,0),(1,1)]: epoch 0 ends at 1. */
	struct plog_epoch_end ans = plog_end_offset_for_epoch(&b, plog_last_fetched_epoch(&a));
	assert_int_equal(ans.epoch, 0);
	assert_int_equal(ans.end_offset, 1);
	struct plog_trunc t = plog_trunc_leader_epoch(&a, ans);
	assert_int_equal(t.offset, 1);
	assert_true(t.complete);
	plog_truncate_to(&a, t.offset, 0);
	fetch(&a, &b, 62 * S_US);
	assert_int_equal(plog_leo(&a), 2);
	assert_int_equal(ref_at(&a, 1), 3);
	const int64_t want[] = {0, 0, 1, 1};
	expect_epochs(&a, want, 2);
	plog_free(&a);
	plog_free(&b);
}

/* KIP-279's fast leader change: A leads epoch 1 with m0, m1 (B has m0); B leads epoch 2 and
 * takes m2 at 1; A leads epoch 3 (caching (3, 2)) and takes m3 at 2; B follows A. */
static void kip279_setup(struct plog *a, struct plog *b)
{
	struct plog_config c = cfg_default();
	open_log(a, &c);
	open_log(b, &c);
	plog_assign_epoch(a, 1, 0);
	lead(a, 1, 1, 100, 10, 0, 10);
	fetch(b, a, 0);
	lead(a, 1, 1, 100, 10, 0, 11);
	plog_assign_epoch(b, 2, plog_leo(b));
	lead(b, 2, 1, 100, 10, 0, 12);
	plog_assign_epoch(a, 3, plog_leo(a));
	lead(a, 3, 1, 100, 10, 0, 13);
}

static void test_plog_kip279_fast_leader_change(void **state)
{
	(void)state;
	struct plog a, b;
	kip279_setup(&a, &b);
	/* A answers B's epoch 2 with (1, 2): its largest epoch <= 2 is 1, ending where 3
	 * starts. */
	struct plog_epoch_end ans = plog_end_offset_for_epoch(&a, plog_last_fetched_epoch(&b));
	assert_int_equal(ans.epoch, 1);
	assert_int_equal(ans.end_offset, 2);
	/* KIP-101 alone (an answer without an epoch) keeps B's m2 at 1: divergence. */
	struct plog_epoch_end old = {.epoch = PLOG_NO_EPOCH, .end_offset = ans.end_offset};
	assert_int_equal(plog_trunc_leader_epoch(&b, old).offset, 2);
	/* KIP-279: B's own epoch 1 ends at 1, so min(2, 1, 2) = 1 and m2 goes. */
	struct plog_trunc t = plog_trunc_leader_epoch(&b, ans);
	assert_int_equal(t.offset, 1);
	assert_true(t.complete);
	plog_truncate_to(&b, t.offset, 0);
	fetch(&b, &a, 0);
	assert_int_equal(plog_leo(&b), 3);
	for (int64_t o = 0; o < 3; o++)
		assert_int_equal(ref_at(&b, o), ref_at(&a, o));
	plog_free(&a);
	plog_free(&b);
}

static void test_plog_kip279_follower_iterates_on_unknown_epoch(void **state)
{
	(void)state;
	/* Follower F: epoch 0 [0..1], epoch 2 [2..3]. It never saw epoch 1. */
	struct plog f;
	struct plog_config c = cfg_default();
	open_log(&f, &c);
	lead(&f, 0, 2, 100, 10, 0, 1);
	lead(&f, 2, 2, 100, 10, 0, 2);
	/* The leader's largest epoch <= 2 is 1, ending at 3. F's largest <= 1 is 0. */
	struct plog_epoch_end ans = {.epoch = 1, .end_offset = 3};
	struct plog_trunc t = plog_trunc_leader_epoch(&f, ans);
	assert_int_equal(t.offset, 2);
	assert_false(t.complete);
	plog_truncate_to(&f, t.offset, 0);
	assert_int_equal(plog_latest_epoch(&f), 0);
	/* Asked again for epoch 0, the leader says (0, 2): done. */
	ans = (struct plog_epoch_end){.epoch = 0, .end_offset = 2};
	t = plog_trunc_leader_epoch(&f, ans);
	assert_int_equal(t.offset, 2);
	assert_true(t.complete);
	/* An UNDEFINED answer falls back to the HW. */
	plog_set_hw(&f, 1);
	ans = (struct plog_epoch_end){.epoch = -1, .end_offset = -1};
	assert_int_equal(plog_trunc_leader_epoch(&f, ans).offset, 1);
	plog_free(&f);
}

/* ---- Segments ------------------------------------------------------------------------ */

static void test_plog_roll_by_segment_bytes(void **state)
{
	(void)state;
	struct plog log;
	struct plog_config c = cfg_default();
	c.segment_bytes = 1000;
	open_log(&log, &c);
	lead(&log, 0, 1, 600, 10, 0, 1);
	/* 600 > 1000 - 400 is false: the segment may reach segment.bytes exactly. */
	lead(&log, 0, 1, 400, 10, 0, 2);
	assert_int_equal(plog_segment_count(&log), 1);
	assert_int_equal(plog_segment(&log, 0)->bytes, 1000);
	/* 1000 > 1000 - 1: roll before appending. */
	int64_t off = lead(&log, 0, 1, 1, 10, 0, 3);
	assert_int_equal(plog_segment_count(&log), 2);
	assert_int_equal(plog_segment(&log, 1)->base_offset, off);
	assert_int_equal(plog_segment(&log, 1)->bytes, 1);
	/* A batch larger than segment.bytes is refused (RecordBatchTooLargeException). */
	struct plog_batch big = mk(1, 1001, 10, 4);
	assert_int_equal(plog_append_as_leader(&log, &big, 0, 10, 0), PLOG_RECORD_LIST_TOO_LARGE);
	assert_int_equal(plog_leo(&log), 3);
	plog_free(&log);
}

static void test_plog_roll_by_segment_ms_uses_batch_timestamps(void **state)
{
	(void)state;
	struct plog log;
	struct plog_config c = cfg_default();
	c.segment_ms = 5000;
	open_log(&log, &c);
	/* CreateTime: the broker's clock (now_ms) plays no part once the first batch has a
	 * timestamp; the incoming batch's max timestamp is measured from the first one's. */
	struct plog_batch b = mk(1, 100, 1000, 1);
	assert_int_equal(plog_append_as_leader(&log, &b, 0, 90000, 0), KERR_NONE);
	b = mk(1, 100, 6000, 2);   /* 6000 - 1000 = 5000, not > 5000 */
	assert_int_equal(plog_append_as_leader(&log, &b, 0, 90000, 0), KERR_NONE);
	assert_int_equal(plog_segment_count(&log), 1);
	b = mk(1, 100, 6001, 3);
	assert_int_equal(plog_append_as_leader(&log, &b, 0, 1, 0), KERR_NONE);
	assert_int_equal(plog_segment_count(&log), 2);
	assert_int_equal(plog_segment(&log, 1)->first_batch_ts_ms, 6001);
	plog_free(&log);
	/* LogAppendTime: the timestamps are the broker's clock. */
	c.log_append_time = true;
	open_log(&log, &c);
	lead(&log, 0, 1, 100, 0, 0, 1);
	lead(&log, 0, 1, 100, 5000, 0, 2);
	assert_int_equal(plog_segment_count(&log), 1);
	lead(&log, 0, 1, 100, 5001, 0, 3);
	assert_int_equal(plog_segment_count(&log), 2);
	plog_free(&log);
}

/* ---- Reading ------------------------------------------------------------------------- */

/* Six two-record batches of 300 bytes, segment.bytes 1000: segments [0..5] and [6..11]. */
static void two_segments(struct plog *log)
{
	struct plog_config c = cfg_default();
	c.segment_bytes = 1000;
	open_log(log, &c);
	for (uint64_t i = 0; i < 6; i++)
		lead(log, 0, 2, 300, 10, 0, i);
	assert_int_equal(plog_segment_count(log), 2);
	assert_int_equal(plog_segment(log, 1)->base_offset, 6);
	plog_set_hw(log, 12);
}

static void expect_view(struct plog_view v, int16_t err, uint32_t count, int64_t first)
{
	assert_int_equal(v.error, err);
	assert_int_equal(v.count, count);
	if (count > 0)
		assert_int_equal(v.batches[0].base_offset, first);
	else
		assert_null(v.batches);
}

static void test_plog_read_stops_at_segment_end(void **state)
{
	(void)state;
	struct plog log;
	two_segments(&log);
	struct plog_view v = plog_read(&log, 0, INT64_MAX, 12);
	expect_view(v, KERR_NONE, 3, 0);
	assert_int_equal(v.bytes, 900);
	/* From inside a batch: the batch holding the offset comes first. */
	expect_view(plog_read(&log, 3, INT64_MAX, 12), KERR_NONE, 2, 2);
	expect_view(plog_read(&log, 7, INT64_MAX, 12), KERR_NONE, 3, 6);
	plog_free(&log);
}

static void test_plog_truncate_into_earlier_segment_drops_later_ones(void **state)
{
	(void)state;
	struct plog log;
	two_segments(&log);
	assert_true(plog_truncate_to(&log, 4, 0));
	assert_int_equal(plog_segment_count(&log), 1);
	assert_int_equal(plog_segment(&log, 0)->bytes, 600);
	assert_int_equal(plog_size_bytes(&log), 600);
	/* Appends continue in the surviving segment: 600 > 1000 - 300 is false. */
	lead(&log, 0, 2, 300, 10, 0, 9);
	assert_int_equal(plog_segment_count(&log), 1);
	assert_int_equal(plog_segment(&log, 0)->bytes, 900);
	/* Truncating exactly to a segment's base keeps it, empty (LocalLog.truncateTo). */
	lead(&log, 0, 2, 300, 10, 0, 10);
	assert_int_equal(plog_segment_count(&log), 2);
	assert_true(plog_truncate_to(&log, 6, 0));
	assert_int_equal(plog_segment_count(&log), 2);
	assert_int_equal(plog_segment(&log, 1)->bytes, 0);
	assert_int_equal(plog_segment(&log, 1)->largest_ts_ms, -1);
	plog_free(&log);
}

static void test_plog_read_returns_one_batch_beyond_max_bytes(void **state)
{
	(void)state;
	struct plog log;
	two_segments(&log);
	expect_view(plog_read(&log, 0, 100, 12), KERR_NONE, 1, 0);
	expect_view(plog_read(&log, 0, 0, 12), KERR_NONE, 1, 0);
	expect_view(plog_read(&log, 0, 599, 12), KERR_NONE, 1, 0);
	expect_view(plog_read(&log, 0, 600, 12), KERR_NONE, 2, 0);
	plog_free(&log);
}

static void test_plog_read_never_passes_upper_bound(void **state)
{
	(void)state;
	struct plog log;
	two_segments(&log);
	/* Upper bound 5 lies in [4..5]: only [0..1] and [2..3]. */
	expect_view(plog_read(&log, 0, INT64_MAX, 5), KERR_NONE, 2, 0);
	expect_view(plog_read(&log, 0, INT64_MAX, 4), KERR_NONE, 2, 0);
	/* The bound wins over "at least one batch". */
	expect_view(plog_read(&log, 0, INT64_MAX, 1), KERR_NONE, 0, 0);
	expect_view(plog_read(&log, 4, INT64_MAX, 4), KERR_NONE, 0, 0);
	plog_free(&log);
}

static void test_plog_read_out_of_range(void **state)
{
	(void)state;
	struct plog log;
	two_segments(&log);
	expect_view(plog_read(&log, 12, INT64_MAX, 12), KERR_NONE, 0, 0);
	expect_view(plog_read(&log, 13, INT64_MAX, 12), KERR_OFFSET_OUT_OF_RANGE, 0, 0);
	assert_int_equal(plog_advance_log_start(&log, 6), KERR_NONE);
	expect_view(plog_read(&log, 5, INT64_MAX, 12), KERR_OFFSET_OUT_OF_RANGE, 0, 0);
	expect_view(plog_read(&log, 6, INT64_MAX, 12), KERR_NONE, 3, 6);
	plog_free(&log);
}

/* ---- Durability ---------------------------------------------------------------------- */

static void test_plog_batch_durable_exactly_after_dirty_writeback(void **state)
{
	(void)state;
	struct plog log;
	struct plog_config c = cfg_default();
	open_log(&log, &c);
	lead(&log, 0, 4, 100, 10, 0, 1);
	assert_int_equal(plog_durable_end(&log, 30 * S_US - 1), 0);
	assert_int_equal(plog_durable_end(&log, 30 * S_US), 4);
	plog_free(&log);
}

static void test_plog_power_loss_keeps_durable_prefix(void **state)
{
	(void)state;
	struct plog log;
	struct plog_config c = cfg_default();
	open_log(&log, &c);
	lead(&log, 0, 2, 100, 10, 0, 1);              /* [0..1] at 0 s */
	lead(&log, 0, 2, 100, 10, 10 * S_US, 2);      /* [2..3] at 10 s */
	plog_assign_epoch(&log, 1, plog_leo(&log));
	lead(&log, 1, 2, 100, 10, 20 * S_US, 3);      /* [4..5] at 20 s */
	lead(&log, 1, 2, 100, 10, 40 * S_US, 4);      /* [6..7] at 40 s */
	plog_set_hw(&log, 6);
	plog_checkpoint_hw(&log);
	plog_set_hw(&log, 8);
	/* At 45 s the batches from 0 s and 10 s are written back; 20 s is 5 s short. */
	assert_int_equal(plog_durable_end(&log, 45 * S_US), 4);
	assert_int_equal(plog_power_loss(&log, 45 * S_US, 45000), KERR_NONE);
	assert_int_equal(plog_leo(&log), 4);
	assert_int_equal(plog_batch_count(&log), 2);
	assert_int_equal(plog_segment(&log, 0)->bytes, 200);
	const int64_t want[] = {0, 0};
	expect_epochs(&log, want, 1);
	/* HW from the checkpoint (6), capped at the LEO. */
	assert_int_equal(plog_hw(&log), 4);
	assert_int_equal(plog_durable_end(&log, 45 * S_US), 4);
	plog_free(&log);
}

static void test_plog_roll_fsync_makes_previous_segment_durable(void **state)
{
	(void)state;
	struct plog log;
	struct plog_config c = cfg_default();
	c.segment_bytes = 1000;
	open_log(&log, &c);
	lead(&log, 0, 1, 400, 10, 0, 1);
	lead(&log, 0, 1, 400, 10, 1 * S_US, 2);
	lead(&log, 0, 1, 400, 10, 2 * S_US, 3);   /* rolls: the first segment is fsynced */
	assert_int_equal(plog_segment_count(&log), 2);
	assert_int_equal(plog_durable_end(&log, 2 * S_US), 2);
	assert_int_equal(plog_power_loss(&log, 3 * S_US, 3000), KERR_NONE);
	assert_int_equal(plog_leo(&log), 2);
	assert_int_equal(plog_segment_count(&log), 2);
	assert_int_equal(plog_segment(&log, 1)->bytes, 0);
	plog_free(&log);
}

static void test_plog_truncation_forgets_fsync_past_new_end(void **state)
{
	(void)state;
	struct plog log;
	struct plog_config c = cfg_default();
	open_log(&log, &c);
	for (uint64_t i = 0; i < 4; i++)
		lead(&log, 0, 2, 100, 10, 0, i);
	plog_flush(&log, 0);
	plog_truncate_to(&log, 4, 0);
	/* New data where the fsynced data was is dirty again. */
	lead(&log, 1, 2, 100, 10, S_US, 10);
	lead(&log, 1, 2, 100, 10, S_US, 11);
	assert_int_equal(plog_durable_end(&log, 2 * S_US), 4);
	assert_int_equal(plog_power_loss(&log, 2 * S_US, 2000), KERR_NONE);
	assert_int_equal(plog_leo(&log), 4);
	assert_int_equal(plog_latest_epoch(&log), 0);
	plog_free(&log);
}

static void test_plog_process_crash_keeps_everything_hw_from_checkpoint(void **state)
{
	(void)state;
	struct plog log;
	struct plog_config c = cfg_default();
	open_log(&log, &c);
	for (uint64_t i = 0; i < 4; i++)
		lead(&log, 0, 2, 100, 10, 0, i);
	plog_set_hw(&log, 4);
	plog_checkpoint_hw(&log);
	plog_set_hw(&log, 8);
	plog_restart(&log);
	assert_int_equal(plog_leo(&log), 8);
	assert_int_equal(plog_batch_count(&log), 4);
	assert_int_equal(plog_hw(&log), 4);
	/* The page cache survived, but it is still dirty: a power loss now keeps nothing. */
	assert_int_equal(plog_durable_end(&log, 1), 0);
	plog_free(&log);
}

static void test_plog_clean_shutdown_flushes_everything(void **state)
{
	(void)state;
	struct plog log;
	struct plog_config c = cfg_default();
	open_log(&log, &c);
	lead(&log, 0, 3, 100, 10, 0, 1);
	lead(&log, 0, 3, 100, 10, S_US / 2, 2);
	plog_set_hw(&log, 6);
	plog_clean_shutdown(&log, 1000);
	assert_int_equal(plog_durable_end(&log, S_US), 6);
	assert_int_equal(plog_power_loss(&log, S_US, 1000), KERR_NONE);
	assert_int_equal(plog_leo(&log), 6);
	assert_int_equal(plog_hw(&log), 6);
	plog_free(&log);
}

static void test_plog_flush_messages_fsyncs(void **state)
{
	(void)state;
	struct plog log;
	struct plog_config c = cfg_default();
	c.flush_messages = 6;
	open_log(&log, &c);
	lead(&log, 0, 2, 100, 10, 0, 1);
	lead(&log, 0, 2, 100, 10, 0, 2);
	assert_int_equal(plog_durable_end(&log, 0), 0);     /* 4 unflushed < 6 */
	lead(&log, 0, 2, 100, 10, 0, 3);
	assert_int_equal(plog_durable_end(&log, 0), 6);     /* 6 >= 6: fsync */
	lead(&log, 0, 2, 100, 10, 0, 4);
	assert_int_equal(plog_durable_end(&log, 0), 6);
	plog_free(&log);
	/* Kafka's default, Long.MAX_VALUE, never fsyncs. */
	c = cfg_default();
	open_log(&log, &c);
	for (uint64_t i = 0; i < 100; i++)
		lead(&log, 0, 1000, 100, 10, 0, i);
	assert_int_equal(plog_durable_end(&log, 0), 0);
	plog_free(&log);
}

static void test_plog_flush_ms_fsyncs_when_due(void **state)
{
	(void)state;
	struct plog log;
	struct plog_config c = cfg_default();
	c.flush_ms = 1000;
	open_log(&log, &c);
	lead(&log, 0, 2, 100, 10, 0, 1);
	assert_false(plog_flush_if_due(&log, 999));
	assert_int_equal(plog_durable_end(&log, 0), 0);
	assert_true(plog_flush_if_due(&log, 1000));
	assert_int_equal(plog_durable_end(&log, 0), 2);
	lead(&log, 0, 2, 100, 10, 0, 2);
	assert_false(plog_flush_if_due(&log, 1999));
	assert_true(plog_flush_if_due(&log, 2000));
	assert_int_equal(plog_durable_end(&log, 0), 4);
	plog_free(&log);
}

/* ---- Retention ----------------------------------------------------------------------- */

/* Batches of 600 bytes with segment.bytes 1000: one batch (two records) per segment. */
static void one_batch_segments(struct plog *log, const int64_t *ts, uint32_t n,
			       int64_t retention_ms)
{
	struct plog_config c = cfg_default();
	c.segment_bytes = 1000;
	c.retention_ms = retention_ms;
	open_log(log, &c);
	for (uint32_t i = 0; i < n; i++)
		lead(log, 0, 2, 600, ts[i], 0, i);
	assert_int_equal(plog_segment_count(log), n);
	plog_set_hw(log, plog_leo(log));
}

static void test_plog_retention_by_time_uses_largest_timestamp(void **state)
{
	(void)state;
	struct plog log;
	const int64_t ts[] = {1000, 2000, 3000, 4000};
	one_batch_segments(&log, ts, 4, 10000);
	/* 12000 - 1000 > 10000, but 12000 - 2000 is not. */
	struct plog_retention r = plog_retention_run(&log, 12000);
	assert_int_equal(r.segments, 1);
	assert_int_equal(r.by_time, 1);
	assert_int_equal(r.from_offset, 0);
	assert_int_equal(r.to_offset, 2);
	assert_int_equal(plog_log_start(&log), 2);
	assert_int_equal(plog_batch_count(&log), 3);
	assert_null(plog_batch_at(&log, 1));
	/* The epoch cache starts at the new log start (truncateFromStart). */
	const int64_t want[] = {0, 2};
	expect_epochs(&log, want, 1);
	plog_free(&log);
	/* Three batches in one segment: its largest timestamp (9000) counts, not the first. */
	struct plog_config c = cfg_default();
	c.retention_ms = 10000;
	c.segment_bytes = 1000;
	open_log(&log, &c);
	lead(&log, 0, 1, 300, 1000, 0, 1);
	lead(&log, 0, 1, 300, 9000, 0, 2);
	lead(&log, 0, 1, 300, 2000, 0, 3);
	lead(&log, 0, 1, 300, 15000, 0, 4);   /* rolls; young enough to stay */
	plog_set_hw(&log, 4);
	assert_int_equal(plog_segment(&log, 0)->largest_ts_ms, 9000);
	assert_int_equal(plog_retention_run(&log, 19000).segments, 0);
	assert_int_equal(plog_retention_run(&log, 19001).segments, 1);
	plog_free(&log);
}

static void test_plog_retention_future_timestamp_holds_the_prefix(void **state)
{
	(void)state;
	struct plog log;
	const int64_t ts[] = {1000, 50000, 1000, 1000};
	one_batch_segments(&log, ts, 4, 10000);
	/* The future-dated second segment stops the scan; the old third one stays too. */
	struct plog_retention r = plog_retention_run(&log, 20000);
	assert_int_equal(r.segments, 1);
	assert_int_equal(plog_segment(&log, 0)->largest_ts_ms, 50000);
	assert_int_equal(plog_segment_count(&log), 3);
	plog_free(&log);
}

/* Batches of 500 bytes with segment.bytes 1000: segments of 1000, 1000, 1000 and an
 * active one of 500 (3500 in all). */
static void size_log(struct plog *log, int64_t retention_bytes)
{
	struct plog_config c = cfg_default();
	c.segment_bytes = 1000;
	c.retention_ms = -1;
	c.retention_bytes = retention_bytes;
	open_log(log, &c);
	for (uint64_t i = 0; i < 7; i++)
		lead(log, 0, 1, 500, 10, 0, i);
	assert_int_equal(plog_segment_count(log), 4);
	assert_int_equal(plog_size_bytes(log), 3500);
	plog_set_hw(log, 7);
}

static void test_plog_retention_by_size_arithmetic(void **state)
{
	(void)state;
	struct plog log;
	/* diff = 3500 - 1600 = 1900: 1900 - 1000 >= 0 deletes, 900 - 1000 < 0 stops. The log
	 * stays above retention.bytes (2500): Kafka never deletes below it. */
	size_log(&log, 1600);
	struct plog_retention r = plog_retention_run(&log, 0);
	assert_int_equal(r.segments, 1);
	assert_int_equal(r.by_size, 1);
	assert_int_equal(r.bytes, 1000);
	assert_int_equal(plog_size_bytes(&log), 2500);
	plog_free(&log);
	/* diff = 2000: two segments go (2000 - 1000 - 1000 = 0 >= 0), 1500 left. */
	size_log(&log, 1500);
	assert_int_equal(plog_retention_run(&log, 0).segments, 2);
	assert_int_equal(plog_size_bytes(&log), 1500);
	assert_int_equal(plog_log_start(&log), 4);
	plog_free(&log);
	/* Under the limit: nothing. */
	size_log(&log, 3501);
	assert_int_equal(plog_retention_run(&log, 0).segments, 0);
	plog_free(&log);
}

static void test_plog_retention_only_below_hw(void **state)
{
	(void)state;
	struct plog log;
	size_log(&log, 1500);
	/* Segment 1 is [2..3]; with the HW at 3 it is not wholly committed. */
	plog_set_hw(&log, 3);
	struct plog_retention r = plog_retention_run(&log, 0);
	assert_int_equal(r.segments, 1);
	assert_int_equal(r.to_offset, 2);
	assert_true(r.to_offset <= plog_hw(&log));
	plog_set_hw(&log, 4);
	assert_int_equal(plog_retention_run(&log, 0).segments, 1);
	assert_int_equal(plog_log_start(&log), 4);
	plog_free(&log);
}

static void test_plog_retention_rolls_then_deletes_active_segment(void **state)
{
	(void)state;
	struct plog log;
	struct plog_config c = cfg_default();
	c.retention_ms = 1000;
	open_log(&log, &c);
	lead(&log, 0, 3, 100, 0, 0, 1);
	lead(&log, 0, 3, 100, 0, 0, 2);
	plog_set_hw(&log, 6);
	struct plog_retention r = plog_retention_plan(&log, 5000);
	assert_int_equal(r.segments, 1);
	assert_true(r.roll_active);
	/* The plan changed nothing; the doomed batches are still readable. */
	assert_int_equal(plog_batch_count(&log), 2);
	assert_int_equal(ref_at(&log, r.from_offset), 1);
	plog_retention_apply(&log, &r, 5000);
	assert_int_equal(plog_segment_count(&log), 1);
	assert_int_equal(plog_segment(&log, 0)->base_offset, 6);
	assert_int_equal(plog_segment(&log, 0)->bytes, 0);
	assert_int_equal(plog_log_start(&log), 6);
	assert_int_equal(plog_leo(&log), 6);
	assert_int_equal(plog_batch_count(&log), 0);
	assert_int_equal(plog_durable_end(&log, 0), 6);   /* the roll fsynced */
	/* An empty active segment is never deleted. */
	assert_int_equal(plog_retention_run(&log, 99999).segments, 0);
	assert_int_equal(lead(&log, 0, 1, 100, 99999, 0, 3), 6);
	plog_free(&log);
}

static void test_plog_retention_deletes_segments_below_log_start(void **state)
{
	(void)state;
	struct plog log;
	const int64_t ts[] = {1000, 1000, 1000, 1000};
	one_batch_segments(&log, ts, 4, -1);
	log.cfg.cleanup_delete = false;   /* even cleanup.policy=compact */
	assert_int_equal(plog_advance_log_start(&log, 9), KERR_OFFSET_OUT_OF_RANGE);
	/* A follower adopting the leader's log start, 5 (inside segment [4..5]). */
	assert_int_equal(plog_advance_log_start(&log, 5), KERR_NONE);
	struct plog_retention r = plog_retention_run(&log, 0);
	assert_int_equal(r.segments, 2);
	assert_int_equal(r.by_log_start, 2);
	assert_int_equal(plog_segment(&log, 0)->base_offset, 4);
	assert_int_equal(plog_log_start(&log), 5);
	/* A lower offset changes nothing; exactly the next segment's base frees [4..5]. */
	assert_int_equal(plog_advance_log_start(&log, 3), KERR_NONE);
	assert_int_equal(plog_log_start(&log), 5);
	assert_int_equal(plog_advance_log_start(&log, 6), KERR_NONE);
	r = plog_retention_run(&log, 0);
	assert_int_equal(r.by_log_start, 1);
	assert_int_equal(plog_segment(&log, 0)->base_offset, 6);
	plog_free(&log);
}

static void test_plog_restart_reloads_log_start_and_epochs(void **state)
{
	(void)state;
	struct plog log;
	const int64_t ts[] = {1000, 1000, 1000, 1000};
	one_batch_segments(&log, ts, 4, -1);
	plog_checkpoint_hw(&log);
	/* Log start = max(its checkpoint, first segment's base). */
	assert_int_equal(plog_advance_log_start(&log, 3), KERR_NONE);
	plog_restart(&log);
	assert_int_equal(plog_log_start(&log), 0);          /* never checkpointed */
	assert_int_equal(plog_advance_log_start(&log, 3), KERR_NONE);
	plog_checkpoint_log_start(&log);
	plog_restart(&log);
	assert_int_equal(plog_log_start(&log), 3);
	log.log_start_ckpt = 0;
	plog_retention_run(&log, 0);                        /* [0..1] goes: base 2 */
	plog_restart(&log);
	assert_int_equal(plog_log_start(&log), 2);
	/* An epoch cached by a new leader that never wrote is gone after a restart. */
	plog_assign_epoch(&log, 4, plog_leo(&log));
	assert_int_equal(plog_latest_epoch(&log), 4);
	plog_restart(&log);
	assert_int_equal(plog_latest_epoch(&log), 0);
	/* The HW checkpoint is clamped up to the log start. */
	log.hw_ckpt = 1;
	plog_restart(&log);
	assert_int_equal(plog_hw(&log), 2);
	plog_free(&log);
}

static void test_plog_many_batches_stay_searchable_after_retention(void **state)
{
	(void)state;
	struct plog log;
	struct plog_config c = cfg_default();
	c.segment_bytes = 1000;
	c.retention_ms = -1;
	c.retention_bytes = 5000;
	open_log(&log, &c);
	for (uint64_t i = 0; i < 20000; i++) {
		lead(&log, 0, 3, 250, 10, (int64_t)i, i);
		plog_set_hw(&log, plog_leo(&log));
		if (i % 97 == 0)
			plog_retention_run(&log, 0);
	}
	plog_retention_run(&log, 0);
	assert_true(plog_size_bytes(&log) < 7000);
	for (uint32_t i = 0; i < plog_batch_count(&log); i++) {
		const struct plog_batch *b = plog_batch(&log, i);
		assert_ptr_equal(plog_batch_at(&log, b->base_offset + 2), b);
		assert_int_equal(b->base_offset, 3 * (int64_t)b->rec_ref);
	}
	assert_int_equal(plog_batch(&log, 0)->base_offset, plog_log_start(&log));
	plog_free(&log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plog_leader_assigns_offsets_from_leo),
		cmocka_unit_test(test_plog_leader_epoch_cache_after_leader_changes),
		cmocka_unit_test(test_plog_follower_keeps_offsets_epochs_and_timestamps),
		cmocka_unit_test(test_plog_log_append_time_overwrites_max_timestamp),
		cmocka_unit_test(test_plog_end_offset_for_epoch_matches_kafka),
		cmocka_unit_test(test_plog_epoch_assign_keeps_cache_monotonic),
		cmocka_unit_test(test_plog_epoch_cache_truncation_matches_kafka),
		cmocka_unit_test(test_plog_truncate_removes_straddling_batch_whole),
		cmocka_unit_test(test_plog_truncate_at_batch_boundary_keeps_earlier_epochs),
		cmocka_unit_test(test_plog_truncate_fully_and_start_at),
		cmocka_unit_test(test_plog_kip101_hw_truncation_loses_committed_record),
		cmocka_unit_test(test_plog_kip101_epoch_truncation_keeps_committed_record),
		cmocka_unit_test(test_plog_kip101_hw_truncation_lets_replicas_diverge),
		cmocka_unit_test(test_plog_kip101_epoch_truncation_prevents_divergence),
		cmocka_unit_test(test_plog_kip279_fast_leader_change),
		cmocka_unit_test(test_plog_kip279_follower_iterates_on_unknown_epoch),
		cmocka_unit_test(test_plog_roll_by_segment_bytes),
		cmocka_unit_test(test_plog_roll_by_segment_ms_uses_batch_timestamps),
		cmocka_unit_test(test_plog_read_stops_at_segment_end),
		cmocka_unit_test(test_plog_truncate_into_earlier_segment_drops_later_ones),
		cmocka_unit_test(test_plog_read_returns_one_batch_beyond_max_bytes),
		cmocka_unit_test(test_plog_read_never_passes_upper_bound),
		cmocka_unit_test(test_plog_read_out_of_range),
		cmocka_unit_test(test_plog_batch_durable_exactly_after_dirty_writeback),
		cmocka_unit_test(test_plog_power_loss_keeps_durable_prefix),
		cmocka_unit_test(test_plog_roll_fsync_makes_previous_segment_durable),
		cmocka_unit_test(test_plog_truncation_forgets_fsync_past_new_end),
		cmocka_unit_test(test_plog_process_crash_keeps_everything_hw_from_checkpoint),
		cmocka_unit_test(test_plog_restart_reloads_log_start_and_epochs),
		cmocka_unit_test(test_plog_clean_shutdown_flushes_everything),
		cmocka_unit_test(test_plog_flush_messages_fsyncs),
		cmocka_unit_test(test_plog_flush_ms_fsyncs_when_due),
		cmocka_unit_test(test_plog_retention_by_time_uses_largest_timestamp),
		cmocka_unit_test(test_plog_retention_future_timestamp_holds_the_prefix),
		cmocka_unit_test(test_plog_retention_by_size_arithmetic),
		cmocka_unit_test(test_plog_retention_only_below_hw),
		cmocka_unit_test(test_plog_retention_rolls_then_deletes_active_segment),
		cmocka_unit_test(test_plog_retention_deletes_segments_below_log_start),
		cmocka_unit_test(test_plog_many_batches_stay_searchable_after_retention),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
