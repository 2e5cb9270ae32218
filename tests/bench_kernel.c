/*
 * bench_kernel.c — the event kernel's raw speed against a bare binary-heap loop.
 *
 * Both run the classic "hold" workload: QUEUE events pending; each event, when it fires,
 * schedules one successor a pseudo-random delay later. The bare loop is the least a
 * discrete-event simulator can do (a heap of (time, seq) pairs, no slots, no cancel, no
 * dispatch); the ratio kernel/bare is the price of the kernel's features. Compiled with
 * the same flags as the simulator. Wall-clock time is read here only, never in a run.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim/kernel.h"

#define QUEUE  10000
#define EVENTS 20000000ULL

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t xs(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* ---- bare heap ---- */
struct bare { int64_t at; uint64_t seq; };
static struct bare *bh;
static uint32_t bn;

static int bare_less(const struct bare *a, const struct bare *b)
{
	return a->at != b->at ? a->at < b->at : a->seq < b->seq;
}

static void bare_push(struct bare e)
{
	uint32_t i = bn++;
	while (i > 0) {
		uint32_t p = (i - 1) / 2;
		if (!bare_less(&e, &bh[p]))
			break;
		bh[i] = bh[p];
		i = p;
	}
	bh[i] = e;
}

static struct bare bare_pop(void)
{
	struct bare top = bh[0], e = bh[--bn];
	uint32_t i = 0;
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= bn)
			break;
		if (c + 1 < bn && bare_less(&bh[c + 1], &bh[c]))
			c++;
		if (!bare_less(&bh[c], &e))
			break;
		bh[i] = bh[c];
		i = c;
	}
	bh[i] = e;
	return top;
}

static uint64_t bare_run(uint64_t *checksum)
{
	bh = malloc(sizeof(*bh) * (QUEUE + 1));
	if (bh == NULL)
		exit(1);
	uint64_t x = 42, seq = 0, sum = 0;
	for (int i = 0; i < QUEUE; i++)
		bare_push((struct bare){(int64_t)(xs(&x) % 1000), seq++});
	for (uint64_t n = 0; n < EVENTS; n++) {
		struct bare e = bare_pop();
		sum += (uint64_t)e.at;
		bare_push((struct bare){e.at + 1 + (int64_t)(xs(&x) % 1000), seq++});
	}
	free(bh);
	*checksum = sum;
	return EVENTS;
}

/* ---- kernel ---- */
struct kstate { uint64_t x, sum; };

static void on_event(void *ctx, struct sim_kernel *k, const struct sim_event *ev,
		     struct sim_handle self)
{
	(void)self;
	struct kstate *s = ctx;
	s->sum += (uint64_t)ev->at_us;
	sim_after(k, 1 + (int64_t)(xs(&s->x) % 1000), 0, 0, 0, 0);
}

static uint64_t kernel_run(uint64_t *checksum)
{
	struct kstate s = {42, 0};
	struct sim_kernel k;
	if (sim_init(&k, on_event, &s) != 0)
		exit(1);
	for (int i = 0; i < QUEUE; i++)
		sim_after(&k, (int64_t)(xs(&s.x) % 1000), 0, 0, 0, 0);
	sim_run(&k, INT64_MAX, EVENTS);
	uint64_t fired = k.fired;
	sim_free(&k);
	*checksum = s.sum;
	return fired;
}

int main(void)
{
	uint64_t cb, ck;
	double t0 = now_s();
	uint64_t nb = bare_run(&cb);
	double t1 = now_s();
	uint64_t nk = kernel_run(&ck);
	double t2 = now_s();
	double bare_s = t1 - t0, kern_s = t2 - t1;
	printf("bench_kernel: hold model, %d pending, %" PRIu64 " events\n", QUEUE, nb);
	printf("  bare heap loop : %7.1f M events/s (%.3f s)\n", (double)nb / bare_s / 1e6, bare_s);
	printf("  sim kernel     : %7.1f M events/s (%.3f s)\n", (double)nk / kern_s / 1e6, kern_s);
	printf("  ratio kernel/bare time: %.2f\n", kern_s / bare_s * (double)nb / (double)nk);
	/* Same workload, same order: the sums of firing times must agree. */
	if (cb != ck || nb != nk) {
		printf("  MISMATCH: the kernel did not run the same events in the same order\n");
		return 1;
	}
	return 0;
}
