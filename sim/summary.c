/*
 * summary.c — evaluates expectations and prints the run summary.
 *
 * A metric that this version does not compute yet is never guessed: its expectation is
 * "not evaluated" and counts as failed, so a scenario cannot pass on a check that did not
 * run.
 */
#include "sim/summary.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/json.h"
#include "sim/units.h"

static const char *const not_modelled = "not computed in this version of kafkasim";

int summary_init(struct run *r)
{
	r->checks = calloc(r->s->expect_count + 1, sizeof(*r->checks));
	return r->checks == NULL ? -1 : 0;
}

void summary_free(struct run *r)
{
	free(r->checks);
	r->checks = NULL;
}

/* The metric's current value; false when this version does not compute it. */
static bool metric_value(struct run *r, const struct scen_expect *e, int64_t *v)
{
	(void)r;
	(void)e;
	(void)v;
	return false;
}

static bool compare(enum scen_op op, int64_t a, int64_t b)
{
	switch (op) {
	case SCEN_OP_EQ: return a == b;
	case SCEN_OP_NE: return a != b;
	case SCEN_OP_LT: return a < b;
	case SCEN_OP_LE: return a <= b;
	case SCEN_OP_GT: return a > b;
	case SCEN_OP_GE: return a >= b;
	}
	return false;
}

static void check(struct run *r, uint32_t i)
{
	const struct scen_expect *e = &r->s->expects[i];
	struct run_check *c = &r->checks[i];
	int64_t v = 0;
	c->is_list = e->is_list;
	if (e->is_list || !metric_value(r, e, &v)) {
		c->evaluated = false;
		c->ok = false;
		c->why = not_modelled;
		return;
	}
	c->evaluated = true;
	c->actual = v;
	c->ok = compare(e->op, v, e->value);
}

void summary_sample(struct run *r, int64_t at_us)
{
	for (uint32_t i = 0; i < r->s->expect_count; i++)
		if (r->s->expects[i].has_at && r->s->expects[i].at_us == at_us)
			check(r, i);
}

/* ---- human summary ---------------------------------------------------------------------- */

static const char *state_name(enum world_node_state st)
{
	switch (st) {
	case WORLD_NODE_DOWN: return "down";
	case WORLD_NODE_UP: return "up";
	case WORLD_NODE_PAUSED: return "paused";
	case WORLD_NODE_POWERED_OFF: return "powered-off";
	}
	return "?";
}

static const char *kind_name(enum node_kind k)
{
	switch (k) {
	case NODE_CONTROLLER: return "controller";
	case NODE_BROKER: return "broker";
	case NODE_PRODUCER: return "producer";
	case NODE_CONSUMER: return "consumer";
	}
	return "?";
}

/* Prints a trace line's fields after "ev" as `key=value` pairs. */
static void print_note(FILE *f, const struct run_note *n)
{
	char t[48];
	const char *line = n->line;
	const char *node = strstr(line, "\"node\":\"");
	const char *ev = strstr(line, "\"ev\":\"");
	if (node == NULL || ev == NULL) {
		fprintf(f, "  %12s  %s\n", units_format_time(n->t_us, t, sizeof(t)), line);
		return;
	}
	node += 8;
	ev += 6;
	const char *node_end = strchr(node, '"');
	const char *ev_end = strchr(ev, '"');
	fprintf(f, "  %12s  %-14.*s %.*s", units_format_time(n->t_us, t, sizeof(t)),
		(int)(node_end - node), node, (int)(ev_end - ev), ev);
	const char *p = ev_end + 1;
	while (*p == ',') {
		p++;
		const char *k = p + 1;                  /* after the key's opening quote */
		const char *k_end = strchr(k, '"');
		if (k_end == NULL)
			break;
		fprintf(f, " %.*s=", (int)(k_end - k), k);
		p = k_end + 2;                          /* past `":` */
		bool in_str = false;
		int depth = 0;
		for (; *p; p++) {
			if (in_str) {
				if (*p == '\\' && p[1]) {
					fputc(p[1], f);
					p++;
				} else if (*p == '"') {
					in_str = false;
				} else {
					fputc(*p, f);
				}
				continue;
			}
			if (*p == '"') {
				in_str = true;
				continue;
			}
			if (depth == 0 && (*p == ',' || *p == '}'))
				break;
			if (*p == '[' || *p == '{')
				depth++;
			else if (*p == ']' || *p == '}')
				depth--;
			fputc(*p, f);
		}
	}
	fputc('\n', f);
}

static void print_human(struct run *r, FILE *f, int verdict)
{
	const struct scenario *s = r->s;
	char a[48], b[48], c[48];
	fprintf(f, "kafkasim %s: %s\n", KAFKASIM_VERSION, s->name);
	fprintf(f, "file: %s  seed: %" PRIu64 "  duration: %s  settle: %s  ended at: %s\n\n",
		r->o->file, r->seed, units_format_time(s->duration_us, a, sizeof(a)),
		units_format_time(s->settle_us, b, sizeof(b)),
		units_format_time(r->end_us, c, sizeof(c)));
	if (r->plan.count > r->plan.scripted) {
		fprintf(f, "Nemesis schedule (replayable as faults:)\n");
		char buf[1024];
		for (uint32_t i = r->plan.scripted; i < r->plan.count; i++)
			fprintf(f, "  - %s\n", fault_format(&r->plan, i, buf, sizeof(buf)));
		fputc('\n', f);
	}
	fprintf(f, "Timeline\n");
	for (uint32_t i = 0; i < r->timeline_len; i++)
		print_note(f, &r->timeline[i]);
	if (r->timeline_len == 0)
		fprintf(f, "  (nothing notable happened)\n");
	fprintf(f, "\nNodes at the end\n  %-24s %-11s %s\n", "NODE", "KIND", "STATE");
	for (uint32_t n = 0; n < world_node_count(&r->world); n++)
		fprintf(f, "  %-24s %-11s %s\n", world_node_name(&r->world, n),
			kind_name(world_node_kind(&r->world, n)),
			state_name(world_node_state(&r->world, n)));
	const struct world_stats *st = world_stats(&r->world);
	fprintf(f, "\nNetwork\n  messages sent %" PRIu64 ", delivered %" PRIu64
		", lost to cuts %" PRIu64 ", to drops %" PRIu64 ", to down nodes %" PRIu64
		", to closed connections %" PRIu64 "\n",
		st->sent, st->delivered, st->lost_cut, st->lost_drop, st->lost_down,
		st->lost_closed);
	fprintf(f, "\nExpectations\n");
	for (uint32_t i = 0; i < s->expect_count; i++) {
		const struct run_check *ck = &r->checks[i];
		if (!ck->evaluated)
			fprintf(f, "  FAIL %s (not evaluated: %s)\n", s->expects[i].text, ck->why);
		else
			fprintf(f, "  %s %s (actual %" PRId64 ")\n", ck->ok ? "PASS" : "FAIL",
				s->expects[i].text, ck->actual);
	}
	if (s->expect_count == 0)
		fprintf(f, "  (none)\n");
	fprintf(f, "\nverdict: %s\ntrace_sha256: %s\n", verdict == EXIT_PASS ? "pass" : "fail",
		r->trace_sha256);
}

/* ---- JSON ------------------------------------------------------------------------------- */

static void print_json(struct run *r, FILE *f, int verdict)
{
	const struct scenario *s = r->s;
	struct json j;
	json_init(&j, f);
	json_obj(&j, NULL);
	json_str(&j, "scenario", s->name);
	json_str(&j, "file", r->o->file);
	json_uint(&j, "seed", r->seed);
	json_str(&j, "version", KAFKASIM_VERSION);
	json_str(&j, "verdict", verdict == EXIT_PASS ? "pass" : "fail");
	json_int(&j, "end_us", r->end_us);
	json_obj(&j, "metrics");
	json_obj_end(&j);
	json_arr(&j, "nemesis");
	char buf[1024];
	for (uint32_t i = r->plan.scripted; i < r->plan.count; i++)
		json_str(&j, NULL, fault_format(&r->plan, i, buf, sizeof(buf)));
	json_arr_end(&j);
	json_obj(&j, "nodes");
	for (uint32_t n = 0; n < world_node_count(&r->world); n++)
		json_str(&j, world_node_name(&r->world, n),
			 state_name(world_node_state(&r->world, n)));
	json_obj_end(&j);
	const struct world_stats *st = world_stats(&r->world);
	json_obj(&j, "network");
	json_uint(&j, "sent", st->sent);
	json_uint(&j, "delivered", st->delivered);
	json_uint(&j, "lost_cut", st->lost_cut);
	json_uint(&j, "lost_drop", st->lost_drop);
	json_uint(&j, "lost_down", st->lost_down);
	json_uint(&j, "lost_closed", st->lost_closed);
	json_obj_end(&j);
	json_arr(&j, "expectations");
	for (uint32_t i = 0; i < s->expect_count; i++) {
		const struct run_check *ck = &r->checks[i];
		json_obj(&j, NULL);
		json_str(&j, "expect", s->expects[i].text);
		json_bool(&j, "ok", ck->ok);
		if (ck->evaluated) {
			json_int(&j, "actual", ck->actual);
		} else {
			json_null(&j, "actual");
			json_str(&j, "error", ck->why);
		}
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_uint(&j, "events", r->kernel.fired);
	json_str(&j, "trace_sha256", r->trace_sha256);
	json_obj_end(&j);
	json_end(&j);
}

int summary_finish(struct run *r)
{
	int verdict = EXIT_PASS;
	for (uint32_t i = 0; i < r->s->expect_count; i++) {
		if (!r->s->expects[i].has_at)
			check(r, i);
		if (!r->checks[i].ok)
			verdict = EXIT_FAIL;
	}
	if (r->o->json_file != NULL)
		print_json(r, r->o->json_file, verdict);
	if (!r->o->quiet) {
		if (r->o->json)
			print_json(r, r->o->out, verdict);
		else
			print_human(r, r->o->out, verdict);
	}
	return verdict;
}
