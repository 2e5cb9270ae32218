/*
 * bench_sim.c — the whole simulator's speed on the benchmark scenarios in tests/bench/:
 * wall time, simulated events per second, records per second. A benchmark, not a test:
 * it prints figures and fails only if a scenario does not load or breaks an invariant.
 */
#include <stdio.h>
#include <time.h>

#include "sim/runner.h"
#include "sim/scenario.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench(const char *path, int repeat)
{
	struct scenario *s = NULL;
	struct scen_errors errs = {0};
	if (scen_load_file(path, &s, &errs) != 0) {
		scen_errors_print(&errs, stderr);
		return 1;
	}
	FILE *sink = fopen("/dev/null", "w");
	if (sink == NULL)
		return 1;
	double best = 1e30;
	int rc = 0;
	for (int i = 0; i < repeat; i++) {
		struct run_options o = {.file = path, .quiet = true, .out = sink};
		double t0 = now_s();
		rc = runner_run(s, &o);
		double t = now_s() - t0;
		if (t < best)
			best = t;
	}
	unsigned long long records = s->records_total;
	printf("  %-40s %8.3f s  %10.0f records/s  (exit %d, best of %d)\n", path, best,
	       (double)records / best, rc, repeat);
	fclose(sink);
	scen_free(s);
	return rc >= 2 ? 1 : 0;
}

int main(int argc, char **argv)
{
	printf("bench_sim: whole runs, tracing to the hash only\n");
	int bad = 0;
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			bad |= bench(argv[i], 3);
		return bad;
	}
	bad |= bench("tests/bench/acks-all-100k.yaml", 3);
	bad |= bench("tests/bench/acks-all-1m-12p.yaml", 1);
	bad |= bench("tests/bench/group-100k.yaml", 3);
	return bad;
}
