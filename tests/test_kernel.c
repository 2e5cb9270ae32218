/*
 * test_kernel.c — the event kernel: time order, ties, phases, cancel, periodic timers,
 * run budgets and growth.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sim/kernel.h"

struct log {
	int64_t  at[4096];
	uint64_t id[4096];
	int      n;
	/* Behaviour switches for handlers. */
	struct sim_handle cancel_on_fire;
	int      cancel_self_after;
	int      schedule_more;
};

static void record(void *ctx, struct sim_kernel *k, const struct sim_event *ev,
		   struct sim_handle self)
{
	struct log *l = ctx;
	assert_true(l->n < 4096);
	l->at[l->n] = k->now_us;
	l->id[l->n] = ev->arg0;
	l->n++;
	assert_int_equal(k->now_us, ev->at_us);
	if (l->cancel_on_fire.slot != 0)
		sim_cancel(k, l->cancel_on_fire);
	if (l->cancel_self_after > 0 && l->n >= l->cancel_self_after)
		assert_true(sim_cancel(k, self));
	if (l->schedule_more > 0) {
		l->schedule_more--;
		sim_after(k, 0, 0, 0, 1000 + ev->arg0, 0);
	}
}

static struct sim_kernel kernel;
static struct log lg;

static int setup(void **state)
{
	(void)state;
	memset(&lg, 0, sizeof(lg));
	return sim_init(&kernel, record, &lg);
}

static int teardown(void **state)
{
	(void)state;
	sim_free(&kernel);
	return 0;
}

static void at(int64_t t, uint64_t id)
{
	struct sim_event ev = {.at_us = t, .arg0 = id};
	struct sim_handle h = sim_schedule(&kernel, &ev, SIM_PHASE_NORMAL, 0);
	assert_int_not_equal(h.slot, 0);
}

static void test_kernel_runs_in_time_order(void **state)
{
	(void)state;
	at(30, 3);
	at(10, 1);
	at(20, 2);
	assert_int_equal(sim_run(&kernel, INT64_MAX, 0), SIM_STOP_IDLE);
	assert_int_equal(lg.n, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(lg.at[i], 10 * (i + 1));
		assert_int_equal(lg.id[i], (uint64_t)(i + 1));
	}
	assert_int_equal(kernel.now_us, 30);
}

static void test_kernel_ties_run_in_insertion_order(void **state)
{
	(void)state;
	for (uint64_t i = 0; i < 100; i++)
		at(5, i);
	at(4, 999);
	sim_run(&kernel, INT64_MAX, 0);
	assert_int_equal(lg.id[0], 999);
	for (int i = 0; i < 100; i++)
		assert_int_equal(lg.id[i + 1], (uint64_t)i);
}

/* scenario-format 11.1: end actions, undos, scripted faults, nemesis, then the rest. */
static void test_kernel_phases_order_one_instant(void **state)
{
	(void)state;
	struct sim_event ev = {.at_us = 7};
	ev.arg0 = 5; sim_schedule(&kernel, &ev, SIM_PHASE_NORMAL, 0);
	ev.arg0 = 4; sim_schedule(&kernel, &ev, SIM_PHASE_NEMESIS, 0);
	ev.arg0 = 3; sim_schedule(&kernel, &ev, SIM_PHASE_FAULT, 9);
	ev.arg0 = 2; sim_schedule(&kernel, &ev, SIM_PHASE_FAULT, 1);
	ev.arg0 = 1; sim_schedule(&kernel, &ev, SIM_PHASE_UNDO, 3);
	ev.arg0 = 0; sim_schedule(&kernel, &ev, SIM_PHASE_END, 0);
	sim_run(&kernel, INT64_MAX, 0);
	assert_int_equal(lg.n, 6);
	for (int i = 0; i < 6; i++)
		assert_int_equal(lg.id[i], (uint64_t)i);
}

static void test_kernel_cancel_removes_event(void **state)
{
	(void)state;
	struct sim_handle a = sim_after(&kernel, 10, 0, 0, 1, 0);
	struct sim_handle b = sim_after(&kernel, 20, 0, 0, 2, 0);
	struct sim_handle c = sim_after(&kernel, 30, 0, 0, 3, 0);
	assert_true(sim_pending(&kernel, b));
	assert_true(sim_cancel(&kernel, b));
	assert_false(sim_pending(&kernel, b));
	assert_false(sim_cancel(&kernel, b));   /* twice is harmless */
	assert_int_equal(sim_queue_len(&kernel), 2);
	sim_run(&kernel, INT64_MAX, 0);
	assert_int_equal(lg.n, 2);
	assert_int_equal(lg.id[0], 1);
	assert_int_equal(lg.id[1], 3);
	/* Stale handles: the slots were reused or freed; cancel must not touch new events. */
	struct sim_handle d = sim_after(&kernel, 5, 0, 0, 4, 0);
	assert_false(sim_cancel(&kernel, a));
	assert_false(sim_cancel(&kernel, c));
	assert_true(sim_pending(&kernel, d));
}

static void test_kernel_cancel_from_handler(void **state)
{
	(void)state;
	sim_after(&kernel, 10, 0, 0, 1, 0);
	lg.cancel_on_fire = sim_after(&kernel, 20, 0, 0, 2, 0);
	sim_run(&kernel, INT64_MAX, 0);
	assert_int_equal(lg.n, 1);
}

static void test_kernel_periodic_timer(void **state)
{
	(void)state;
	struct sim_event ev = {.at_us = 100, .period_us = 250, .arg0 = 7};
	sim_schedule(&kernel, &ev, SIM_PHASE_NORMAL, 0);
	assert_int_equal(sim_run(&kernel, 1000, 0), SIM_STOP_TIME);
	/* 100, 350, 600, 850 */
	assert_int_equal(lg.n, 4);
	assert_int_equal(lg.at[3], 850);
	assert_int_equal(kernel.now_us, 1000);
	lg.cancel_self_after = 6;
	sim_run(&kernel, INT64_MAX, 0);
	assert_int_equal(lg.n, 6);
	assert_int_equal(lg.at[5], 1350);
	assert_int_equal(sim_queue_len(&kernel), 0);
}

static void test_kernel_budget_and_halt(void **state)
{
	(void)state;
	for (uint64_t i = 0; i < 10; i++)
		sim_after(&kernel, (int64_t)i, 0, 0, i, 0);
	assert_int_equal(sim_run(&kernel, INT64_MAX, 4), SIM_STOP_BUDGET);
	assert_int_equal(lg.n, 4);
	assert_int_equal(sim_run(&kernel, INT64_MAX, 0), SIM_STOP_IDLE);
	assert_int_equal(lg.n, 10);
	assert_int_equal(kernel.fired, 10);
}

static void test_kernel_zero_delay_from_handler_runs_after_peers(void **state)
{
	(void)state;
	lg.schedule_more = 1;
	at(10, 1);
	at(10, 2);
	sim_run(&kernel, INT64_MAX, 0);
	assert_int_equal(lg.n, 3);
	assert_int_equal(lg.id[0], 1);
	assert_int_equal(lg.id[1], 2);
	assert_int_equal(lg.id[2], 1001);
	assert_int_equal(lg.at[2], 10);
}

/* Many events at random times, a third of them cancelled: the kernel must agree with a
 * stable sort by (time, insertion order) of the survivors. */
static void test_kernel_matches_stable_sort(void **state)
{
	(void)state;
	uint64_t x = 88172645463325252ull;
	static int64_t times[3000];
	static struct sim_handle h[3000];
	for (int i = 0; i < 3000; i++) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		times[i] = (int64_t)(x % 500);
		struct sim_event ev = {.at_us = times[i], .arg0 = (uint64_t)i};
		h[i] = sim_schedule(&kernel, &ev, SIM_PHASE_NORMAL, 0);
	}
	for (int i = 0; i < 3000; i += 3)
		assert_true(sim_cancel(&kernel, h[i]));
	sim_run(&kernel, INT64_MAX, 0);
	assert_int_equal(lg.n, 2000);
	for (int i = 0; i < 2000; i++) {
		assert_int_not_equal(lg.id[i] % 3, 0);
		assert_int_equal(lg.at[i], times[lg.id[i]]);
		if (i > 0) {
			assert_true(lg.at[i - 1] <= lg.at[i]);
			if (lg.at[i - 1] == lg.at[i])
				assert_true(lg.id[i - 1] < lg.id[i]);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kernel_runs_in_time_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_ties_run_in_insertion_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_kernel_phases_order_one_instant, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_kernel_cancel_removes_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_cancel_from_handler, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_periodic_timer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_budget_and_halt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_zero_delay_from_handler_runs_after_peers,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_matches_stable_sort, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
