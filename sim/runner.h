/*
 * runner.h — runs one scenario: builds the world from a loaded scenario, schedules its
 * faults and end actions, drives the kernel to `duration + settle`, checks invariants,
 * evaluates metrics and expectations, and prints the summary (human or JSON).
 */
#ifndef KAFKASIM_RUNNER_H
#define KAFKASIM_RUNNER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct scenario;

/* Exit statuses of the contract (scenario-format 10). */
enum run_exit {
	EXIT_PASS      = 0,
	EXIT_FAIL      = 1,
	EXIT_BAD_INPUT = 2,
	EXIT_INVARIANT = 3,
};

struct run_options {
	const char *file;          /* as given on the command line, for the summary */
	uint64_t    seed;
	bool        seed_set;      /* --seed overrides the scenario's seed */
	bool        json;          /* print the JSON object instead of the human summary */
	bool        quiet;         /* print nothing; the exit status tells */
	FILE       *trace;         /* the JSON Lines trace, or NULL (hash only) */
	FILE       *out;           /* where the summary goes (stdout) */
	FILE       *json_file;     /* also write the JSON summary here (--out), or NULL */
};

/* Returns an enum run_exit. A failure to allocate is reported on stderr as exit 2. */
int runner_run(const struct scenario *s, const struct run_options *o);

#endif
