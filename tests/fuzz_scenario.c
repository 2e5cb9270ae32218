/*
 * fuzz_scenario.c — libFuzzer target for the scenario loader: any bytes go through
 * scen_load_buffer, which must return an error or a scenario without crashing, hanging,
 * leaking or printing. Built by tests/fuzz.sh (never by `make unit`: the name is not
 * tests/test_*.c).
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scenario *s = NULL;
	struct scen_errors errs = {0};
	int rc = scen_load_buffer("fuzz.yaml", (const char *)data, size, &s, &errs);
	/* Exactly one of: a scenario, or at least one error. */
	assert((rc == 0) == (s != NULL));
	assert(rc == 0 || errs.count > 0);
	assert(rc != 0 || (errs.count == 0 && errs.dropped == 0));
	if (s != NULL)
		for (uint32_t i = 0; i < s->producer_count; i++)
			(void)scen_record_due_us(&s->producers[i], s->producers[i].messages - 1);
	scen_free(s);
	scen_errors_free(&errs);
	return 0;
}
