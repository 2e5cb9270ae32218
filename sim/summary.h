/*
 * summary.h — metrics, expectations and the run summary (scenario-format 9 and 10): the
 * human report and the `--json` object.
 */
#ifndef KAFKASIM_SUMMARY_H
#define KAFKASIM_SUMMARY_H

#include <stdint.h>

#include "sim/run.h"

int  summary_init(struct run *r);
/* Evaluates the expectations whose `at:` is `at_us`, now. */
void summary_sample(struct run *r, int64_t at_us);
/* Evaluates the end-of-run expectations, prints the summary, returns the exit status. */
int  summary_finish(struct run *r);
void summary_free(struct run *r);

#endif
