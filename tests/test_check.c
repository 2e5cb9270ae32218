/*
 * test_check.c — the checker's runtime invariants can fail: log matching below both high
 * watermarks, one leader per epoch, a leader's HW never going backwards; and a disagreement
 * where Kafka itself can lose data (a power loss of a replica) is counted as the
 * inconsistent-offsets anomaly instead of stopping the run.
 *
 * The test builds the parts of a run the checker reads — two real brokers (broker_init) of
 * one two-replica partition, a world that names them, a kernel for the time — and writes
 * the replicas' logs directly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model/broker.h"
#include "sim/check.h"
#include "sim/run.h"

static const struct node_ops no_ops;   /* the nodes are never started */

struct harness {
	struct run          r;
	struct scenario     s;
	int32_t             ids[2];
	int32_t             replicas[2];
	struct topic_cfg    topic;
	struct part_cfg     part;
	struct broker_cfg   bcfg[2];
	struct broker       brokers[2];
	bool                power[2];
};

static struct harness h;

static int setup(void **state)
{
	(void)state;
	memset(&h, 0, sizeof(h));
	struct run *r = &h.r;
	r->s = &h.s;
	h.ids[0] = 1;
	h.ids[1] = 2;
	h.replicas[0] = 1;
	h.replicas[1] = 2;
	h.topic = (struct topic_cfg){.name = "t", .partitions = 1, .rf = 2,
				     .min_insync_replicas = 1};
	plog_config_defaults(&h.topic.log);
	h.part = (struct part_cfg){.topic = 0, .partition = 0, .rf = 2, .replicas = h.replicas};
	r->ccfg = (struct cluster_cfg){
		.brokers = 2, .broker_node0 = 0, .controller_node = UINT32_MAX, .broker_ids = h.ids,
		.ntopics = 1, .topics = &h.topic, .nparts = 1, .parts = &h.part,
		.offsets_topic = UINT32_MAX,
	};
	r->user_parts = 1;
	r->bcfgs = h.bcfg;
	r->brokers = h.brokers;
	r->power_noted = h.power;
	for (int i = 0; i < 2; i++) {
		h.bcfg[i].broker_id = h.ids[i];
		assert_int_equal(broker_init(&h.brokers[i], &h.bcfg[i], &r->ccfg, (uint32_t)i), 0);
	}
	trace_init(&r->trace, NULL);
	assert_int_equal(sim_init(&r->kernel, world_dispatch, &r->world), 0);
	struct net_params np = {.latency_us = 1000, .client_latency_us = 1000};
	assert_int_equal(world_init(&r->world, &r->kernel, &r->trace, 1, &np), 0);
	uint32_t idx;
	assert_int_equal(world_add_node(&r->world, NODE_BROKER, "broker-1", &no_ops, NULL, &idx), 0);
	assert_int_equal(world_add_node(&r->world, NODE_BROKER, "broker-2", &no_ops, NULL, &idx), 0);
	return check_init(&r->check, r);
}

static int teardown(void **state)
{
	(void)state;
	check_free(&h.r.check);
	world_free(&h.r.world);
	sim_free(&h.r.kernel);
	for (int i = 0; i < 2; i++)
		broker_free(&h.brokers[i]);
	return 0;
}

static struct replica *rep(int b)
{
	return &h.brokers[b].replicas[0];
}

/* Appends a batch of `count` records with identity `ref` as leader (b = 0) and copies it to
 * the follower unless `diverge`, which gives the follower another batch at the same offset. */
static void append(int count, uint64_t ref, bool diverge)
{
	struct plog_batch b = {.record_count = count, .size_bytes = 100, .rec_ref = ref,
			       .producer_id = -1, .base_sequence = -1};
	assert_int_equal(plog_append_as_leader(&rep(0)->log, &b, 0, 0, 0), KERR_NONE);
	struct plog_batch f = b;
	if (diverge)
		f.rec_ref = ref + 1000;
	assert_int_equal(plog_append_as_follower(&rep(1)->log, &f, 0, 0), KERR_NONE);
}

static void set_hws(int64_t hw)
{
	plog_set_hw(&rep(0)->log, hw);
	plog_set_hw(&rep(1)->log, hw);
	broker_mark(&h.brokers[0], 0);
	broker_mark(&h.brokers[1], 0);
}

static void test_check_agreeing_replicas_pass(void **state)
{
	(void)state;
	rep(0)->is_leader = true;
	append(3, 1, false);
	append(2, 2, false);
	set_hws(5);
	assert_true(check_after_event(&h.r.check));
	assert_false(h.r.check.broken);
}

static void test_check_log_matching_breaks_the_run(void **state)
{
	(void)state;
	rep(0)->is_leader = true;
	append(3, 1, false);
	append(2, 2, true);
	set_hws(3);
	assert_true(check_after_event(&h.r.check));     /* they agree below offset 3 */
	set_hws(5);
	assert_false(check_after_event(&h.r.check));
	assert_true(h.r.check.broken);
	assert_non_null(strstr(h.r.check.message, "log matching"));
	assert_non_null(strstr(h.r.check.message, "partition t-0"));
}

static void test_check_divergence_after_power_loss_is_an_anomaly(void **state)
{
	(void)state;
	rep(0)->is_leader = true;
	check_note_power_loss(&h.r.check, 1);
	append(3, 1, false);
	append(2, 2, true);
	set_hws(5);
	assert_true(check_after_event(&h.r.check));
	assert_false(h.r.check.broken);
	const struct check_part *cp = &h.r.check.parts[0];
	assert_int_equal(cp->n_bad, 1);
	assert_int_equal(cp->bad[0].from, 3);
	assert_int_equal(cp->bad[0].to, 5);
}

static void test_check_two_leaders_in_one_epoch_break_the_run(void **state)
{
	(void)state;
	rep(0)->is_leader = true;
	rep(1)->is_leader = true;
	rep(0)->leader_epoch = rep(1)->leader_epoch = 4;
	broker_mark(&h.brokers[0], 0);
	assert_false(check_after_event(&h.r.check));
	assert_non_null(strstr(h.r.check.message, "two leaders in one leader epoch"));
}

static void test_check_zombie_leader_of_an_older_epoch_is_fine(void **state)
{
	(void)state;
	rep(0)->is_leader = true;
	rep(1)->is_leader = true;
	rep(0)->leader_epoch = 3;
	rep(1)->leader_epoch = 4;
	broker_mark(&h.brokers[0], 0);
	assert_true(check_after_event(&h.r.check));
}

static void test_check_leader_hw_going_backwards_breaks_the_run(void **state)
{
	(void)state;
	rep(0)->is_leader = true;
	append(5, 1, false);
	plog_set_hw(&rep(0)->log, 5);
	broker_mark(&h.brokers[0], 0);
	assert_true(check_after_event(&h.r.check));
	plog_set_hw(&rep(0)->log, 4);
	broker_mark(&h.brokers[0], 0);
	assert_false(check_after_event(&h.r.check));
	assert_non_null(strstr(h.r.check.message, "high watermark went backwards"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_check_agreeing_replicas_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_log_matching_breaks_the_run, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_check_divergence_after_power_loss_is_an_anomaly,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_two_leaders_in_one_epoch_break_the_run,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_zombie_leader_of_an_older_epoch_is_fine,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_leader_hw_going_backwards_breaks_the_run,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
