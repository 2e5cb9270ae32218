/*
 * fault.c — fires scripted and drawn faults, their undos and the `end:` actions.
 */
#include "sim/fault.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/limits.h"
#include "sim/units.h"

enum fault_tag {
	TAG_FAULT = 0x464c5401,   /* arbitrary tags in sim_event.node for the runner's events */
	TAG_UNDO  = 0x464c5402,
	TAG_END   = 0x464c5403,
};

/* ---- storage -------------------------------------------------------------------------- */

static int grow(void **ptr, uint32_t *cap, uint32_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	uint32_t n = *cap ? *cap : 16;
	while (n < need)
		n *= 2;
	void *q = realloc(*ptr, (size_t)n * elem);
	if (q == NULL)
		return -1;
	*ptr = q;
	*cap = n;
	return 0;
}

static struct scen_fault *new_fault(struct fault_plan *p)
{
	if (grow((void **)&p->faults, &p->cap, p->count + 1, sizeof(*p->faults)) != 0)
		return NULL;
	struct scen_fault *f = &p->faults[p->count];
	memset(f, 0, sizeof(*f));
	f->index = p->count++;
	return f;
}

/* ---- the nemesis (scenario-format 8) ---------------------------------------------------- */

/* The node references the nemesis draws targets from, in node order. */
static uint32_t nemesis_targets(const struct scenario *s, struct scen_ref *out)
{
	uint32_t n = 0;
	enum scen_targets t = s->nemesis.targets;
	if (t == SCEN_TARGETS_CONTROLLERS || t == SCEN_TARGETS_ALL)
		for (uint32_t i = 0; i < s->cluster.controllers; i++)
			out[n++] = (struct scen_ref){.kind = SCEN_REF_CONTROLLER_N,
						     .controller = i + 1};
	if (t == SCEN_TARGETS_BROKERS || t == SCEN_TARGETS_ALL)
		for (uint32_t i = 0; i < s->cluster.broker_count; i++)
			out[n++] = (struct scen_ref){.kind = SCEN_REF_BROKER,
						     .broker_id = s->cluster.brokers[i].id};
	if (t == SCEN_TARGETS_CLIENTS || t == SCEN_TARGETS_ALL)
		for (uint32_t i = 0; i < s->client_count; i++)
			out[n++] = (struct scen_ref){.kind = SCEN_REF_CLIENT, .client = i};
	return n;
}

struct draw {
	int64_t at_us;
	int64_t len_us;
};

/* Faults drawn so far still active at `t` (a fault is active on [at, at + len)). */
static uint32_t active_at(const struct draw *d, uint32_t n, int64_t t)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < n; i++)
		if (d[i].at_us <= t && t < d[i].at_us + d[i].len_us)
			k++;
	return k;
}

/* Fisher-Yates shuffle of the targets; the first *split (1 <= split < n) form one group. */
static void draw_split(struct scen_ref *tg, uint32_t n, struct prng *r, uint32_t *split)
{
	for (uint32_t i = n - 1; i > 0; i--) {
		uint32_t j = (uint32_t)prng_below(r, (uint64_t)i + 1);
		struct scen_ref tmp = tg[i];
		tg[i] = tg[j];
		tg[j] = tmp;
	}
	*split = 1 + (uint32_t)prng_below(r, n - 1);
}

/* Stores a kept partition's two groups; its pointers are set once every draw is made (the
 * arrays may still move until then). */
static int keep_partition(struct fault_plan *p, const struct scen_ref *tg, uint32_t n,
			  uint32_t split)
{
	if (grow((void **)&p->refs, &p->refs_cap, p->refs_len + n, sizeof(*p->refs)) != 0 ||
	    grow((void **)&p->starts, &p->starts_cap, p->starts_len + 3, sizeof(*p->starts)) != 0)
		return -1;
	p->starts[p->starts_len++] = 0;
	p->starts[p->starts_len++] = split;
	p->starts[p->starts_len++] = n;
	memcpy(&p->refs[p->refs_len], tg, n * sizeof(*tg));
	p->refs_len += n;
	return 0;
}

/* One candidate: draws its kind, length and targets; returns 1 if it can apply to these
 * targets, 0 if not. Draw order: kind, length, targets. */
static int draw_one(struct fault_plan *p, struct prng *r, int64_t at_us, struct scen_ref *tg,
		    uint32_t n, struct scen_fault *f, int64_t *len_us, uint32_t *split)
{
	const struct scen_nemesis *nm = &p->s->nemesis;
	enum scen_nemesis_kind kind = nm->kinds[prng_below(r, nm->kind_count)];
	int64_t len = prng_exponential(r, nm->for_us);
	if (len < 1000)
		len = 1000;    /* at least 1 ms */
	*len_us = len;
	f->at_us = at_us;
	f->has_for = true;
	f->for_us = len;
	switch (kind) {
	case SCEN_NEMESIS_CRASH:
	case SCEN_NEMESIS_POWER_LOSS:
	case SCEN_NEMESIS_PAUSE:
	case SCEN_NEMESIS_ISOLATE:
	case SCEN_NEMESIS_CLOCK:
		if (n == 0)
			return 0;
		f->node = tg[prng_below(r, n)];
		f->kind = kind == SCEN_NEMESIS_PAUSE ? SCEN_FAULT_PAUSE
			: kind == SCEN_NEMESIS_ISOLATE ? SCEN_FAULT_ISOLATE
			: kind == SCEN_NEMESIS_CLOCK ? SCEN_FAULT_CLOCK : SCEN_FAULT_CRASH;
		f->power_loss = kind == SCEN_NEMESIS_POWER_LOSS;
		if (kind == SCEN_NEMESIS_CLOCK)
			f->skew_us = prng_range(r, -nm->interval_us, nm->interval_us);
		return 1;
	case SCEN_NEMESIS_PARTITION:
		if (n < 2)
			return 0;
		f->kind = SCEN_FAULT_PARTITION;
		f->group_count = 2;
		f->node_count = n;
		draw_split(tg, n, r, split);
		return 1;
	case SCEN_NEMESIS_LINK: {
		if (n < 2)
			return 0;
		uint32_t a = (uint32_t)prng_below(r, n);
		uint32_t b = (uint32_t)prng_below(r, n - 1);
		if (b >= a)
			b++;
		f->kind = SCEN_FAULT_LINK;
		f->link.from = tg[a];
		f->link.to = tg[b];
		f->link.has_drop = true;
		f->link.drop_ratio = PRNG_RATIO_ONE;
		return 1;
	}
	case SCEN_NEMESIS_KIND_COUNT:
		break;
	}
	assert(0 && "unknown nemesis kind");
	return 0;
}

/* Fault starts are a Poisson process from t = 0: exponential gaps of mean `interval`.
 * A candidate that would exceed max-concurrent is skipped (its draws are still made, so
 * later candidates do not shift). */
static int draw_nemesis(struct fault_plan *p, uint64_t seed)
{
	const struct scenario *s = p->s;
	if (!s->nemesis.enabled || s->nemesis.kind_count == 0)
		return 0;
	uint32_t cap = s->cluster.controllers + s->cluster.broker_count + s->client_count;
	struct scen_ref *tg = calloc(cap ? cap : 1, sizeof(*tg));
	struct draw *d = NULL;
	uint32_t dn = 0, dcap = 0;
	if (tg == NULL)
		return -1;
	struct prng r;
	prng_child(&r, seed, PRNG_STREAM_NEMESIS, 0);
	int64_t t = 0;
	int rc = 0;
	for (;;) {
		t += prng_exponential(&r, s->nemesis.interval_us);
		if (t >= s->duration_us || p->count >= LIMIT_FAULTS)
			break;
		uint32_t n = nemesis_targets(s, tg);
		struct scen_fault *f = new_fault(p);
		if (f == NULL || grow((void **)&d, &dcap, dn + 1, sizeof(*d)) != 0) {
			rc = -1;
			break;
		}
		int64_t len = 0;
		uint32_t split = 0;
		int kept = draw_one(p, &r, t, tg, n, f, &len, &split);
		if (kept == 0 || active_at(d, dn, t) >= s->nemesis.max_concurrent) {
			p->count--;       /* skipped */
			continue;
		}
		if (f->kind == SCEN_FAULT_PARTITION && keep_partition(p, tg, n, split) != 0) {
			rc = -1;
			break;
		}
		d[dn++] = (struct draw){t, len};
	}
	free(tg);
	free(d);
	if (rc != 0)
		return rc;
	/* The drawn partitions' groups were stored in draw order: point at them. */
	uint32_t starts = 0, refs = 0;
	for (uint32_t i = p->scripted; i < p->count; i++) {
		struct scen_fault *f = &p->faults[i];
		f->index = i;
		if (f->kind != SCEN_FAULT_PARTITION)
			continue;
		f->group_start = p->starts + starts;
		f->nodes = p->refs + refs;
		starts += 3;
		refs += f->node_count;
	}
	assert(starts == p->starts_len && refs == p->refs_len);
	return 0;
}

int fault_plan_init(struct fault_plan *p, const struct scenario *s, uint64_t seed,
		    fault_resolve_fn *resolve, fault_client_fn *client_action, void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->s = s;
	p->resolve = resolve;
	p->client_action = client_action;
	p->ctx = ctx;
	if (grow((void **)&p->faults, &p->cap, s->fault_count + 1, sizeof(*p->faults)) != 0)
		return -1;
	if (s->fault_count > 0)
		memcpy(p->faults, s->faults, s->fault_count * sizeof(*p->faults));
	p->scripted = p->count = s->fault_count;
	if (draw_nemesis(p, seed) != 0)
		return -1;
	p->state = calloc(p->count + 1, sizeof(*p->state));
	if (p->state == NULL)
		return -1;
	for (uint32_t i = 0; i < p->count; i++)
		p->state[i].node = p->state[i].node2 = NET_NONE;
	return 0;
}

void fault_plan_free(struct fault_plan *p)
{
	free(p->faults);
	free(p->state);
	free(p->refs);
	free(p->starts);
	memset(p, 0, sizeof(*p));
}

/* ---- scheduling and firing ---------------------------------------------------------------- */

int fault_plan_schedule(struct fault_plan *p, struct world *w)
{
	for (uint32_t i = 0; i < p->count; i++) {
		bool drawn = i >= p->scripted;
		struct sim_handle h = world_schedule_runner(w, p->faults[i].at_us,
			drawn ? SIM_PHASE_NEMESIS : SIM_PHASE_FAULT, i, TAG_FAULT, i, 0);
		if (h.slot == 0)
			return -1;
	}
	struct sim_handle h = world_schedule_runner(w, p->s->duration_us, SIM_PHASE_END, 0,
						    TAG_END, 0, 0);
	return h.slot == 0 ? -1 : 0;
}

static void trace_fault(struct fault_plan *p, struct world *w, uint32_t i, const char *ev,
			const char *why)
{
	char spec[512];
	fault_format(p, i, spec, sizeof(spec));
	struct trace_line *l = trace_begin(w->trace, world_now_us(w), "sim", ev);
	trace_uint(l, "fault", i);
	trace_str(l, "kind", scen_fault_kind_name(p->faults[i].kind));
	trace_str(l, "spec", spec);
	if (p->state[i].node != NET_NONE && p->state[i].node < world_node_count(w))
		trace_str(l, "target", world_node_name(w, p->state[i].node));
	if (why != NULL)
		trace_str(l, "why", why);
	trace_end(l);
}

static uint32_t resolve(struct fault_plan *p, const struct scen_ref *r)
{
	return p->resolve(p->ctx, r);
}

/* Resolves a partition's groups into node indices; false if a reference did not resolve. */
static bool partition_groups(struct fault_plan *p, const struct scen_fault *f,
			     struct net_group *groups, uint32_t *nodes)
{
	for (uint32_t g = 0; g < f->group_count; g++) {
		uint32_t a = f->group_start[g], b = f->group_start[g + 1];
		groups[g].nodes = nodes + a;
		groups[g].count = b - a;
		for (uint32_t k = a; k < b; k++) {
			nodes[k] = resolve(p, &f->nodes[k]);
			if (nodes[k] == NET_NONE)
				return false;
		}
	}
	return true;
}

static const char *fire_partition(struct fault_plan *p, struct world *w, uint32_t i)
{
	const struct scen_fault *f = &p->faults[i];
	struct net_group *groups = calloc(f->group_count, sizeof(*groups));
	uint32_t *nodes = calloc(f->node_count, sizeof(*nodes));
	const char *why = NULL;
	if (groups == NULL || nodes == NULL)
		why = "out of memory";
	else if (!partition_groups(p, f, groups, nodes))
		why = "a node reference names no node now";
	else if (world_partition(w, groups, f->group_count, &p->state[i].net_id) != NET_OK)
		why = "a node would be in two groups";
	free(groups);
	free(nodes);
	return why;
}

static const char *fire_link(struct fault_plan *p, struct world *w, uint32_t i)
{
	const struct scen_fault *f = &p->faults[i];
	struct fault_state *st = &p->state[i];
	st->node = resolve(p, &f->link.from);
	st->node2 = resolve(p, &f->link.to);
	if (st->node == NET_NONE || st->node2 == NET_NONE)
		return "a node reference names no node now";
	if (st->node == st->node2)
		return "both ends are the same node";
	struct net_link_params lp = {
		.latency_us = f->link.has_latency ? f->link.latency_us : NET_KEEP,
		.jitter_us = f->link.has_jitter ? f->link.jitter_us : NET_KEEP,
		.drop_ratio = f->link.has_drop ? (int64_t)f->link.drop_ratio : NET_KEEP,
	};
	if (world_link(w, st->node, st->node2, &lp, &st->net_id) != NET_OK)
		return "out of memory";
	return NULL;
}

/* Applies fault i; returns NULL, or why it did nothing. */
static const char *fire(struct fault_plan *p, struct world *w, uint32_t i)
{
	const struct scen_fault *f = &p->faults[i];
	struct fault_state *st = &p->state[i];
	st->node = NET_NONE;
	switch (f->kind) {
	case SCEN_FAULT_PARTITION:
		return fire_partition(p, w, i);
	case SCEN_FAULT_LINK:
		return fire_link(p, w, i);
	case SCEN_FAULT_HEAL:
		world_heal(w);
		return NULL;
	default:
		break;
	}
	st->node = resolve(p, &f->node);
	if (st->node == NET_NONE)
		return "the node reference names no node now";
	switch (f->kind) {
	case SCEN_FAULT_CRASH:
		return world_crash(w, st->node, f->power_loss) ? NULL : "the node is already down";
	case SCEN_FAULT_RESTART:
		return world_restart(w, st->node) ? NULL : "the node is running";
	case SCEN_FAULT_STOP:
		return world_stop(w, st->node) ? NULL : "the node is already down";
	case SCEN_FAULT_PAUSE:
		return world_pause(w, st->node) ? NULL : "the node is not running";
	case SCEN_FAULT_ISOLATE:
		return world_isolate(w, st->node, &st->net_id) == NET_OK ? NULL : "out of memory";
	case SCEN_FAULT_CLOCK:
		st->prev_skew_us = world_set_skew(w, st->node, f->skew_us);
		return NULL;
	case SCEN_FAULT_LEAVE:
	case SCEN_FAULT_STALL:
		p->client_action(p->ctx, f->kind, st->node, f->has_for ? f->for_us : -1);
		return NULL;
	default:
		break;
	}
	assert(0 && "unhandled fault kind");
	return NULL;
}

/* Undoes fault i exactly (scenario-format 7: `for:`). */
static void undo(struct fault_plan *p, struct world *w, uint32_t i)
{
	const struct scen_fault *f = &p->faults[i];
	struct fault_state *st = &p->state[i];
	switch (f->kind) {
	case SCEN_FAULT_CRASH:
	case SCEN_FAULT_STOP:
		world_restart(w, st->node);
		break;
	case SCEN_FAULT_PAUSE:
		world_resume(w, st->node);
		break;
	case SCEN_FAULT_PARTITION:
	case SCEN_FAULT_ISOLATE:
	case SCEN_FAULT_LINK:
		world_undo(w, st->net_id);
		break;
	case SCEN_FAULT_CLOCK:
		world_set_skew(w, st->node, st->prev_skew_us);
		break;
	case SCEN_FAULT_STALL:
		break;   /* the client model ends the stall itself */
	default:
		assert(0 && "fault kind without an undo");
	}
}

/* scenario-format 11.8: heal the network, resume paused nodes, restart crashed or stopped
 * brokers and controllers; crashed or departed clients stay down. */
static void end_heal(struct world *w)
{
	world_heal(w);
	for (uint32_t n = 0; n < world_node_count(w); n++) {
		enum world_node_state st = world_node_state(w, n);
		enum node_kind k = world_node_kind(w, n);
		if (st == WORLD_NODE_PAUSED)
			world_resume(w, n);
		else if ((k == NODE_BROKER || k == NODE_CONTROLLER) && st != WORLD_NODE_UP)
			world_restart(w, n);
	}
}

bool fault_plan_handle(struct fault_plan *p, struct world *w, const struct sim_event *ev)
{
	uint32_t i = (uint32_t)ev->arg0;
	switch (ev->node) {
	case TAG_FAULT: {
		assert(i < p->count);
		trace_fault(p, w, i, "fault", NULL);
		const char *why = fire(p, w, i);
		p->state[i].fired = true;
		p->state[i].skipped = why != NULL;
		if (why != NULL)
			trace_fault(p, w, i, "fault_skipped", why);
		const struct scen_fault *f = &p->faults[i];
		if (why == NULL && f->has_for && f->kind != SCEN_FAULT_STALL)
			world_schedule_runner(w, f->at_us + f->for_us, SIM_PHASE_UNDO, i,
					      TAG_UNDO, i, 0);
		return true;
	}
	case TAG_UNDO:
		assert(i < p->count && p->state[i].fired && !p->state[i].skipped);
		trace_fault(p, w, i, "fault_undo", NULL);
		undo(p, w, i);
		return true;
	case TAG_END: {
		struct trace_line *l = trace_begin(w->trace, world_now_us(w), "sim", "end");
		trace_bool(l, "heal", p->s->end_heal);
		trace_end(l);
		if (p->s->end_heal)
			end_heal(w);
		return true;
	}
	default:
		return false;
	}
}

/* ---- formatting ----------------------------------------------------------------------------- */

static void appendf(char *buf, size_t cap, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void appendf(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	if (*len >= cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n < cap - *len ? (size_t)n : cap - *len - 1;
}

/* A ratio out of 2^32 as a decimal that reads back to the same ratio (19 digits). */
static char *format_ratio(uint64_t r, char *buf, size_t cap)
{
	if (r >= PRNG_RATIO_ONE) {
		snprintf(buf, cap, "1.0");
		return buf;
	}
	const uint64_t e19 = UINT64_C(10000000000000000000);
	unsigned __int128 x = (unsigned __int128)r * e19;
	uint64_t frac = (uint64_t)((x + (PRNG_RATIO_ONE / 2)) >> 32);
	char digits[24];
	snprintf(digits, sizeof(digits), "%019" PRIu64, frac);
	size_t n = strlen(digits);
	while (n > 1 && digits[n - 1] == '0')
		digits[--n] = '\0';
	snprintf(buf, cap, "0.%s", digits);
	return buf;
}

char *fault_format(const struct fault_plan *p, uint32_t i, char *buf, size_t cap)
{
	const struct scen_fault *f = &p->faults[i];
	const struct scenario *s = p->s;
	char t[48], a[300], b[300];
	size_t len = 0;
	buf[0] = '\0';
	appendf(buf, cap, &len, "{at: %s, ", units_format_time(f->at_us, t, sizeof(t)));
	switch (f->kind) {
	case SCEN_FAULT_PARTITION:
		appendf(buf, cap, &len, "partition: [");
		for (uint32_t g = 0; g < f->group_count; g++) {
			appendf(buf, cap, &len, "%s[", g ? ", " : "");
			for (uint32_t k = f->group_start[g]; k < f->group_start[g + 1]; k++)
				appendf(buf, cap, &len, "%s%s", k > f->group_start[g] ? ", " : "",
					scen_ref_format(s, &f->nodes[k], a, sizeof(a)));
			appendf(buf, cap, &len, "]");
		}
		appendf(buf, cap, &len, "]");
		break;
	case SCEN_FAULT_LINK:
		appendf(buf, cap, &len, "link: {from: %s, to: %s",
			scen_ref_format(s, &f->link.from, a, sizeof(a)),
			scen_ref_format(s, &f->link.to, b, sizeof(b)));
		if (f->link.has_drop)
			appendf(buf, cap, &len, ", drop: %s",
				format_ratio(f->link.drop_ratio, a, sizeof(a)));
		if (f->link.has_latency)
			appendf(buf, cap, &len, ", latency: %s",
				units_format_time(f->link.latency_us, t, sizeof(t)));
		if (f->link.has_jitter)
			appendf(buf, cap, &len, ", jitter: %s",
				units_format_time(f->link.jitter_us, t, sizeof(t)));
		appendf(buf, cap, &len, "}");
		break;
	case SCEN_FAULT_HEAL:
		appendf(buf, cap, &len, "heal: all");
		break;
	case SCEN_FAULT_CLOCK:
		appendf(buf, cap, &len, "clock: {node: %s, skew: %s}",
			scen_ref_format(s, &f->node, a, sizeof(a)),
			units_format_time(f->skew_us, t, sizeof(t)));
		break;
	default:
		appendf(buf, cap, &len, "%s: %s", scen_fault_kind_name(f->kind),
			scen_ref_format(s, &f->node, a, sizeof(a)));
		if (f->kind == SCEN_FAULT_CRASH && f->power_loss)
			appendf(buf, cap, &len, ", power-loss: true");
		break;
	}
	if (f->has_for)
		appendf(buf, cap, &len, ", for: %s", units_format_time(f->for_us, t, sizeof(t)));
	appendf(buf, cap, &len, "}");
	return buf;
}
