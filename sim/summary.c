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

#include "model/errors.h"
#include "model/text.h"
#include "sim/json.h"
#include "sim/units.h"

static const char *const not_modelled = "this version of kafkasim does not compute it for "
					"this scope";

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

/* ---- metric values ---------------------------------------------------------------- */

static uint32_t tp_of(const struct run *r, struct scen_tp t)
{
	uint32_t topic = t.topic == SCEN_TOPIC_OFFSETS ? r->ccfg.offsets_topic : t.topic;
	assert(topic != UINT32_MAX);
	return r->topics[topic].first_tp + t.partition;
}

static uint64_t count_state(const struct run *r, uint32_t p, enum rec_state st)
{
	uint64_t n = 0;
	for (uint64_t i = 0; i < r->s->producers[p].messages; i++)
		n += r->outcomes[p][i].state == st;
	return n;
}

static uint64_t producers_state(const struct run *r, const struct scen_expect *e,
				enum rec_state st)
{
	uint64_t n = 0;
	for (uint32_t p = 0; p < r->s->producer_count; p++)
		if (!e->has_producer || e->producer == p)
			n += count_state(r, p, st);
	return n;
}

static uint64_t produce_errors(const struct run *r, const struct scen_expect *e)
{
	int16_t code = kafka_error_code(e->code);
	if (code < 0)
		return 0;
	uint64_t n = 0;
	for (uint32_t p = 0; p < r->s->producer_count; p++)
		if (!e->has_producer || e->producer == p)
			n += producer_errors(&r->producers[p], code);
	return n;
}

/* Sums a per-partition counter over the expectation's partition scope. */
static int64_t per_partition(const struct run *r, const struct scen_expect *e,
			     int64_t (*f)(const struct run *, uint32_t))
{
	if (e->has_partition)
		return f(r, tp_of(r, e->partition));
	int64_t n = 0;
	for (uint32_t tp = 0; tp < r->user_parts; tp++)   /* user topics only (4) */
		n += f(r, tp);
	return n;
}

static int64_t pm_lost(const struct run *r, uint32_t tp) { return (int64_t)r->check.pm[tp].lost_write; }
static int64_t pm_dup(const struct run *r, uint32_t tp) { return (int64_t)r->check.pm[tp].duplicate; }
static int64_t pm_unavail(const struct run *r, uint32_t tp)
{
	return (int64_t)r->check.pm[tp].unavailable;
}
static int64_t pm_elections(const struct run *r, uint32_t tp)
{
	return (int64_t)r->controller.stats[tp].elections;
}
static int64_t pm_unclean(const struct run *r, uint32_t tp)
{
	return (int64_t)r->controller.stats[tp].unclean_elections;
}
static int64_t pm_offline_ms(const struct run *r, uint32_t tp)
{
	return ctl_offline_us(&r->controller, tp, r->kernel.now_us) / 1000;
}

static const struct replica *leader_replica(const struct run *r, uint32_t tp)
{
	const struct md_part_state *p = ctl_partition(&r->controller, tp);
	if (p->leader == NO_LEADER)
		return NULL;
	int bi = md_broker_index(&r->ccfg, p->leader);
	return bi < 0 ? NULL : broker_replica(&r->brokers[bi], tp);
}

static uint64_t consumer_errors_of(const struct run *r, uint32_t g, const char *code)
{
	uint64_t n = 0;
	for (int e = 0; e < CEX_COUNT; e++) {
		if (code != NULL && strcmp(consumer_exception_name((enum consumer_exception)e),
					   code) != 0)
			continue;
		for (uint32_t k = 0; k < r->nconsumers; k++)
			if (r->ccfgs[k].group == g)
				n += consumer_errors(&r->consumers[k], (enum consumer_exception)e);
	}
	return n;
}

static bool group_metric(struct run *r, const struct scen_expect *e, int64_t *v)
{
	if (!e->has_group)
		return false;
	const struct group_metrics *gm = &r->check.gm[e->group];
	switch (e->metric) {
	case SCEN_M_CONSUMED: *v = (int64_t)gm->consumed; return true;
	case SCEN_M_REDELIVERED: *v = (int64_t)gm->redelivered; return true;
	case SCEN_M_SKIPPED: *v = (int64_t)gm->skipped; return true;
	case SCEN_M_UNSEEN: *v = (int64_t)gm->unseen; return true;
	case SCEN_M_LAG: *v = gm->lag; return true;
	case SCEN_M_REBALANCES: *v = (int64_t)gm->rebalances; return true;
	case SCEN_M_CONSUMER_ERRORS:
		*v = (int64_t)consumer_errors_of(r, e->group, e->has_code ? e->code : NULL);
		return true;
	default: return false;
	}
}

/* End-of-run metrics are valid once check_final ran. */
static bool end_metric(struct run *r, const struct scen_expect *e, int64_t *v)
{
	switch (e->metric) {
	case SCEN_M_ACKED: *v = (int64_t)producers_state(r, e, REC_ACKED); return true;
	case SCEN_M_FAILED: *v = (int64_t)producers_state(r, e, REC_FAILED); return true;
	case SCEN_M_LOST_WRITE: *v = per_partition(r, e, pm_lost); return true;
	case SCEN_M_DUPLICATE: *v = per_partition(r, e, pm_dup); return true;
	case SCEN_M_UNAVAILABLE: *v = per_partition(r, e, pm_unavail); return true;
	case SCEN_M_FAILED_BUT_PRESENT: *v = (int64_t)r->check.failed_but_present; return true;
	case SCEN_M_INCONSISTENT_OFFSETS: *v = (int64_t)r->check.total.inconsistent; return true;
	case SCEN_M_NONMONOTONIC_SEND: {
		int64_t n = 0;
		for (uint32_t p = 0; p < r->s->producer_count; p++)
			if (!e->has_producer || e->producer == p)
				n += (int64_t)r->check.nonmonotonic[p];
		*v = n;
		return true;
	}
	case SCEN_M_PRODUCE_ERRORS: *v = (int64_t)produce_errors(r, e); return true;
	default: return group_metric(r, e, v);
	}
}

/* State metrics, valid at any time (scenario-format 9: the controller's committed metadata,
 * the current leader's HW and log start, a replica's LEO). */
static bool state_metric(struct run *r, const struct scen_expect *e, int64_t *v)
{
	switch (e->metric) {
	case SCEN_M_ELECTIONS: *v = per_partition(r, e, pm_elections); return true;
	case SCEN_M_UNCLEAN_ELECTIONS: *v = per_partition(r, e, pm_unclean); return true;
	case SCEN_M_OFFLINE_MS: *v = per_partition(r, e, pm_offline_ms); return true;
	default: break;
	}
	if (!e->has_partition ||
	    (e->partition.topic == SCEN_TOPIC_OFFSETS && r->ccfg.offsets_topic == UINT32_MAX))
		return false;
	uint32_t tp = tp_of(r, e->partition);
	const struct md_part_state *p = ctl_partition(&r->controller, tp);
	const struct replica *lr = leader_replica(r, tp);
	switch (e->metric) {
	case SCEN_M_LEADER: *v = p->leader; return true;
	case SCEN_M_LEADER_EPOCH: *v = p->leader_epoch; return true;
	case SCEN_M_HW: *v = lr ? plog_hw(&lr->log) : -1; return true;
	case SCEN_M_LOG_START_OFFSET: *v = lr ? plog_log_start(&lr->log) : -1; return true;
	case SCEN_M_COMMITTED_OFFSET:
		*v = e->has_group ? check_committed(r, e->group, tp) : -1;
		return true;
	case SCEN_M_LEO: {
		int bi = md_broker_index(&r->ccfg, e->replica);
		const struct replica *rep = bi < 0 ? NULL : broker_replica(&r->brokers[bi], tp);
		*v = rep ? plog_leo(&rep->log) : -1;
		return true;
	}
	default: return false;
	}
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* A member's assignment as a set of tps (scenario-format 9: [] when not in the group). */
static bool assignment_metric(struct run *r, const struct scen_expect *e, struct run_check *c)
{
	if (!e->has_member)
		return false;
	const uint32_t *tps = NULL;
	uint32_t n = consumer_assignment(&r->consumers[r->consumer_of_client[e->member]], &tps);
	uint32_t want[RUN_LIST_MAX], have[RUN_LIST_MAX];
	uint32_t nw = e->list_len < RUN_LIST_MAX ? e->list_len : RUN_LIST_MAX;
	c->list_len = n < RUN_LIST_MAX ? n : RUN_LIST_MAX;
	for (uint32_t i = 0; i < c->list_len; i++) {
		have[i] = tps[i];
		c->list[i] = (int32_t)tps[i];
	}
	for (uint32_t i = 0; i < nw; i++)
		want[i] = tp_of(r, e->tps[i]);
	qsort(have, c->list_len, sizeof(uint32_t), cmp_u32);
	qsort(want, nw, sizeof(uint32_t), cmp_u32);
	bool eq = nw == c->list_len && memcmp(want, have, nw * sizeof(uint32_t)) == 0;
	c->ok = e->op == SCEN_OP_EQ ? eq : !eq;
	c->is_tps = true;
	return true;
}

/* ISR and ELR as sorted sets. */
static bool list_metric(struct run *r, const struct scen_expect *e, struct run_check *c)
{
	if (e->metric == SCEN_M_ASSIGNMENT)
		return assignment_metric(r, e, c);
	if ((e->metric != SCEN_M_ISR && e->metric != SCEN_M_ELR) || !e->has_partition ||
	    (e->partition.topic == SCEN_TOPIC_OFFSETS && r->ccfg.offsets_topic == UINT32_MAX))
		return false;
	const struct md_part_state *p = ctl_partition(&r->controller, tp_of(r, e->partition));
	const int32_t *src = e->metric == SCEN_M_ISR ? p->isr : p->elr;
	uint32_t n = e->metric == SCEN_M_ISR ? p->n_isr : p->n_elr;
	c->list_len = n < RUN_LIST_MAX ? n : RUN_LIST_MAX;
	memcpy(c->list, src, c->list_len * sizeof(int32_t));
	qsort(c->list, c->list_len, sizeof(int32_t), cmp_i32);
	bool eq = c->list_len == e->list_len &&
		  memcmp(c->list, e->brokers, e->list_len * sizeof(int32_t)) == 0;
	c->ok = e->op == SCEN_OP_EQ ? eq : !eq;
	return true;
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

static void check(struct run *r, uint32_t i, bool at_end)
{
	const struct scen_expect *e = &r->s->expects[i];
	struct run_check *c = &r->checks[i];
	int64_t v = 0;
	c->is_list = e->is_list;
	if (e->is_list) {
		c->evaluated = list_metric(r, e, c);
		if (!c->evaluated) {
			c->ok = false;
			c->why = not_modelled;
		}
		return;
	}
	bool have = state_metric(r, e, &v) || (at_end && end_metric(r, e, &v));
	if (!have) {
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
			check(r, i, false);
}

static const char *verdict_name(int verdict)
{
	return verdict == EXIT_PASS ? "pass" : verdict == EXIT_INVARIANT ? "invariant" : "fail";
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

static void print_ids(FILE *f, const int32_t *ids, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		fprintf(f, "%s%" PRId32, i ? "," : "", ids[i]);
}

/* The layout of kafka-topics.sh --describe (TopicCommand.PartitionDescription). */
static void print_topics(struct run *r, FILE *f)
{
	fprintf(f, "\nTopics (kafka-topics.sh --describe)\n");
	for (uint32_t t = 0; t < r->ccfg.ntopics; t++) {
		const struct topic_cfg *tc = &r->topics[t];
		fprintf(f, "Topic: %s\tPartitionCount: %u\tReplicationFactor: %u\tConfigs: "
			"min.insync.replicas=%" PRId64 "\n", tc->name, tc->partitions, tc->rf,
			tc->min_insync_replicas);
		for (uint32_t p = 0; p < tc->partitions; p++) {
			uint32_t tp = tc->first_tp + p;
			const struct md_part_state *ps = ctl_partition(&r->controller, tp);
			fprintf(f, "\tTopic: %s\tPartition: %u\tLeader: ", tc->name, p);
			if (ps->leader == NO_LEADER)
				fprintf(f, "none");
			else
				fprintf(f, "%" PRId32, ps->leader);
			fprintf(f, "\tReplicas: ");
			print_ids(f, r->parts[tp].replicas, r->parts[tp].rf);
			fprintf(f, "\tIsr: ");
			print_ids(f, ps->isr, ps->n_isr);
			fprintf(f, "\tElr: ");
			print_ids(f, ps->elr, ps->n_elr);
			fprintf(f, "\tLastKnownElr: ");
			print_ids(f, ps->lke, ps->n_lke);
			const struct replica *lr = leader_replica(r, tp);
			if (lr != NULL)
				fprintf(f, "\t(hw %" PRId64 ", leader epoch %" PRId32 ")",
					plog_hw(&lr->log), ps->leader_epoch);
			fputc('\n', f);
		}
	}
}

static void print_check_list(struct run *r, FILE *f, const struct run_check *ck)
{
	char name[300];
	if (!ck->is_tps) {
		print_ids(f, ck->list, ck->list_len);
		return;
	}
	for (uint32_t i = 0; i < ck->list_len; i++)
		fprintf(f, "%s%s", i ? ", " : "",
			text_tp(&r->ccfg, (uint32_t)ck->list[i], name, sizeof(name)));
}

/* The layout of kafka-consumer-groups.sh --describe (ConsumerGroupCommand). */
static void print_groups(struct run *r, FILE *f)
{
	for (uint32_t g = 0; g < r->s->group_count; g++) {
		fprintf(f, "\nGroup %s (kafka-consumer-groups.sh --describe)\n", r->groups[g].name);
		fprintf(f, "  %-16s %-16s %9s %14s %14s %6s  %s\n", "GROUP", "TOPIC", "PARTITION",
			"CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID");
		for (uint32_t t = 0; t < r->s->topic_count; t++)
			for (uint32_t p = 0; p < r->topics[t].partitions; p++) {
				uint32_t tp = r->topics[t].first_tp + p;
				const struct replica *lr = leader_replica(r, tp);
				int64_t committed = check_committed(r, g, tp);
				bool subscribed = false;
				const char *owner = "-";
				for (uint32_t k = 0; k < r->nconsumers; k++) {
					if (r->ccfgs[k].group != g)
						continue;
					for (uint32_t q = 0; q < r->ccfgs[k].n_topics; q++)
						subscribed |= r->ccfgs[k].topics[q] == t;
					const uint32_t *tps;
					uint32_t n = consumer_assignment(&r->consumers[k], &tps);
					for (uint32_t q = 0; q < n; q++)
						if (tps[q] == tp)
							owner = r->s->clients[r->ccfgs[k].client].id;
				}
				if (!subscribed)
					continue;
				int64_t hw = lr ? plog_hw(&lr->log) : -1;
				fprintf(f, "  %-16s %-16s %9u ", r->groups[g].name, r->topics[t].name, p);
				if (committed >= 0)
					fprintf(f, "%14" PRId64 " %14" PRId64 " %6" PRId64, committed, hw,
						hw - committed);
				else
					fprintf(f, "%14s %14" PRId64 " %6s", "-", hw, "-");
				fprintf(f, "  %s\n", owner);
			}
		const struct group_metrics *gm = &r->check.gm[g];
		fprintf(f, "  consumed %" PRIu64 "  redelivered %" PRIu64 "  skipped %" PRIu64
			"  unseen %" PRIu64 "  lag %" PRId64 "  rebalances %" PRIu64 "\n",
			gm->consumed, gm->redelivered, gm->skipped, gm->unseen, gm->lag,
			gm->rebalances);
		fprintf(f, "  consumer-errors:");
		bool any = false;
		for (int e = 0; e < CEX_COUNT; e++) {
			const char *cn = consumer_exception_name((enum consumer_exception)e);
			uint64_t n = consumer_errors_of(r, g, cn);
			if (n > 0) {
				fprintf(f, " %s %" PRIu64, cn, n);
				any = true;
			}
		}
		fprintf(f, "%s\n", any ? "" : " none");
	}
}

static void print_producers(struct run *r, FILE *f)
{
	if (r->s->producer_count == 0)
		return;
	fprintf(f, "\nProducers\n  %-16s %10s %10s %10s %10s %10s %10s\n", "PRODUCER", "SENT",
		"ACKED", "FAILED", "PENDING", "ABANDONED", "UNSENT");
	for (uint32_t p = 0; p < r->s->producer_count; p++) {
		uint64_t acked = count_state(r, p, REC_ACKED), failed = count_state(r, p, REC_FAILED);
		uint64_t pending = count_state(r, p, REC_PENDING);
		uint64_t abandoned = count_state(r, p, REC_ABANDONED);
		uint64_t unsent = count_state(r, p, REC_UNSENT);
		fprintf(f, "  %-16s %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64
			" %10" PRIu64 " %10" PRIu64 "\n", r->s->producers[p].id,
			r->s->producers[p].messages - unsent, acked, failed, pending, abandoned,
			unsent);
	}
}

static uint64_t total_elections(const struct run *r, bool unclean)
{
	uint64_t n = 0;
	for (uint32_t tp = 0; tp < r->user_parts; tp++)
		n += unclean ? r->controller.stats[tp].unclean_elections
			     : r->controller.stats[tp].elections;
	return n;
}

static int64_t total_offline_ms(const struct run *r)
{
	int64_t n = 0;
	for (uint32_t tp = 0; tp < r->user_parts; tp++)
		n += pm_offline_ms(r, tp);
	return n;
}

struct producer_totals {
	uint64_t acked, failed, pending, nonmono;
};

static struct producer_totals producer_totals(const struct run *r)
{
	struct producer_totals pt = {0};
	for (uint32_t p = 0; p < r->s->producer_count; p++) {
		pt.acked += count_state(r, p, REC_ACKED);
		pt.failed += count_state(r, p, REC_FAILED);
		pt.pending += count_state(r, p, REC_PENDING);
		pt.nonmono += r->check.nonmonotonic[p];
	}
	return pt;
}

static void print_metrics(struct run *r, FILE *f)
{
	const struct part_metrics *t = &r->check.total;
	struct producer_totals pt = producer_totals(r);
	fprintf(f, "\nMetrics\n");
	fprintf(f, "  acked %" PRIu64 "  failed %" PRIu64 "  pending %" PRIu64
		"  unavailable %" PRIu64 "\n", pt.acked, pt.failed, pt.pending, t->unavailable);
	fprintf(f, "  lost-write %" PRIu64 "  duplicate %" PRIu64 "  nonmonotonic-send %" PRIu64
		"  failed-but-present %" PRIu64 "  inconsistent-offsets %" PRIu64 "\n",
		t->lost_write, t->duplicate, pt.nonmono, r->check.failed_but_present,
		t->inconsistent);
	fprintf(f, "  elections %" PRIu64 "  unclean-elections %" PRIu64 "  offline-ms %" PRId64
		"\n", total_elections(r, false), total_elections(r, true), total_offline_ms(r));
	fprintf(f, "  produce-errors:");
	bool any = false;
	for (int16_t code = 1; code < PRODUCER_ERROR_CODES; code++) {
		uint64_t n = 0;
		for (uint32_t p = 0; p < r->s->producer_count; p++)
			n += producer_errors(&r->producers[p], code);
		if (n > 0) {
			fprintf(f, " %s %" PRIu64, kafka_error_name(code), n);
			any = true;
		}
	}
	fprintf(f, "%s\n", any ? "" : " none");
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
	print_topics(r, f);
	print_producers(r, f);
	print_groups(r, f);
	print_metrics(r, f);
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
		if (!ck->evaluated) {
			fprintf(f, "  FAIL %s (not evaluated: %s)\n", s->expects[i].text, ck->why);
		} else if (ck->is_list) {
			fprintf(f, "  %s %s (actual [", ck->ok ? "PASS" : "FAIL", s->expects[i].text);
			print_check_list(r, f, ck);
			fprintf(f, "])\n");
		} else {
			fprintf(f, "  %s %s (actual %" PRId64 ")\n", ck->ok ? "PASS" : "FAIL",
				s->expects[i].text, ck->actual);
		}
	}
	if (s->expect_count == 0)
		fprintf(f, "  (none)\n");
	if (r->check.broken)
		fprintf(f, "\n%s\n", r->check.message);
	fprintf(f, "\nverdict: %s\ntrace_sha256: %s\n", verdict_name(verdict), r->trace_sha256);
}

/* ---- JSON ------------------------------------------------------------------------------- */

static void json_errors(struct run *r, struct json *j, int32_t only)
{
	json_obj(j, "produce-errors");
	for (int16_t code = 1; code < PRODUCER_ERROR_CODES; code++) {
		uint64_t n = 0;
		for (uint32_t p = 0; p < r->s->producer_count; p++)
			if (only < 0 || (uint32_t)only == p)
				n += producer_errors(&r->producers[p], code);
		if (n > 0)
			json_uint(j, kafka_error_name(code), n);
	}
	json_obj_end(j);
}

static void json_metrics(struct run *r, struct json *j)
{
	const struct part_metrics *t = &r->check.total;
	struct producer_totals pt = producer_totals(r);
	json_obj(j, "metrics");
	json_uint(j, "acked", pt.acked);
	json_uint(j, "failed", pt.failed);
	json_uint(j, "pending", pt.pending);
	json_uint(j, "unavailable", t->unavailable);
	json_uint(j, "lost-write", t->lost_write);
	json_uint(j, "duplicate", t->duplicate);
	json_uint(j, "nonmonotonic-send", pt.nonmono);
	json_uint(j, "failed-but-present", r->check.failed_but_present);
	json_uint(j, "inconsistent-offsets", t->inconsistent);
	json_uint(j, "elections", total_elections(r, false));
	json_uint(j, "unclean-elections", total_elections(r, true));
	json_int(j, "offline-ms", total_offline_ms(r));
	json_errors(r, j, -1);
	json_obj_end(j);
}

static void json_producers(struct run *r, struct json *j)
{
	json_obj(j, "producers");
	for (uint32_t p = 0; p < r->s->producer_count; p++) {
		uint64_t unsent = count_state(r, p, REC_UNSENT);
		json_obj(j, r->s->producers[p].id);
		json_uint(j, "sent", r->s->producers[p].messages - unsent);
		json_uint(j, "acked", count_state(r, p, REC_ACKED));
		json_uint(j, "failed", count_state(r, p, REC_FAILED));
		json_uint(j, "pending", count_state(r, p, REC_PENDING));
		json_uint(j, "abandoned", count_state(r, p, REC_ABANDONED));
		json_uint(j, "unsent", unsent);
		json_uint(j, "nonmonotonic-send", r->check.nonmonotonic[p]);
		json_errors(r, j, (int32_t)p);
		json_obj_end(j);
	}
	json_obj_end(j);
}

static void json_ids(struct json *j, const char *key, const int32_t *ids, uint32_t n)
{
	json_arr(j, key);
	for (uint32_t i = 0; i < n; i++)
		json_int(j, NULL, ids[i]);
	json_arr_end(j);
}

static void json_groups(struct run *r, struct json *j)
{
	char name[300];
	json_obj(j, "groups");
	for (uint32_t g = 0; g < r->s->group_count; g++) {
		const struct group_metrics *gm = &r->check.gm[g];
		json_obj(j, r->groups[g].name);
		json_uint(j, "consumed", gm->consumed);
		json_uint(j, "redelivered", gm->redelivered);
		json_uint(j, "skipped", gm->skipped);
		json_uint(j, "unseen", gm->unseen);
		json_int(j, "lag", gm->lag);
		json_uint(j, "rebalances", gm->rebalances);
		json_obj(j, "committed");
		for (uint32_t tp = 0; tp < r->user_parts; tp++) {
			int64_t c = check_committed(r, g, tp);
			if (c >= 0)
				json_int(j, text_tp(&r->ccfg, tp, name, sizeof(name)), c);
		}
		json_obj_end(j);
		json_obj(j, "assignment");
		for (uint32_t k = 0; k < r->nconsumers; k++) {
			if (r->ccfgs[k].group != g)
				continue;
			const uint32_t *tps;
			uint32_t n = consumer_assignment(&r->consumers[k], &tps);
			json_arr(j, r->s->clients[r->ccfgs[k].client].id);
			for (uint32_t q = 0; q < n; q++)
				json_str(j, NULL, text_tp(&r->ccfg, tps[q], name, sizeof(name)));
			json_arr_end(j);
		}
		json_obj_end(j);
		json_obj(j, "consumer-errors");
		for (int e = 0; e < CEX_COUNT; e++) {
			const char *cn = consumer_exception_name((enum consumer_exception)e);
			uint64_t n = consumer_errors_of(r, g, cn);
			if (n > 0)
				json_uint(j, cn, n);
		}
		json_obj_end(j);
		json_obj_end(j);
	}
	json_obj_end(j);
}

static void json_partitions(struct run *r, struct json *j)
{
	char name[300], id[24];
	json_obj(j, "partitions");
	for (uint32_t tp = 0; tp < r->ccfg.nparts; tp++) {
		const struct md_part_state *ps = ctl_partition(&r->controller, tp);
		const struct replica *lr = leader_replica(r, tp);
		json_obj(j, text_tp(&r->ccfg, tp, name, sizeof(name)));
		json_int(j, "leader", ps->leader);
		json_int(j, "leader_epoch", ps->leader_epoch);
		json_ids(j, "isr", ps->isr, ps->n_isr);
		json_ids(j, "elr", ps->elr, ps->n_elr);
		json_int(j, "hw", lr ? plog_hw(&lr->log) : -1);
		json_int(j, "log_start_offset", lr ? plog_log_start(&lr->log) : -1);
		json_obj(j, "leo");
		const struct part_cfg *pc = &r->parts[tp];
		for (uint32_t i = 0; i < pc->rf; i++) {
			int bi = md_broker_index(&r->ccfg, pc->replicas[i]);
			const struct replica *rep = broker_replica(&r->brokers[bi], tp);
			id[text_i64(id, pc->replicas[i])] = '\0';
			json_int(j, id, rep ? plog_leo(&rep->log) : -1);
		}
		json_obj_end(j);
		const struct part_metrics *pm = &r->check.pm[tp];
		json_uint(j, "lost-write", pm->lost_write);
		json_uint(j, "duplicate", pm->duplicate);
		json_uint(j, "unavailable", pm->unavailable);
		json_uint(j, "elections", r->controller.stats[tp].elections);
		json_uint(j, "unclean-elections", r->controller.stats[tp].unclean_elections);
		json_int(j, "offline-ms", pm_offline_ms(r, tp));
		json_obj_end(j);
	}
	json_obj_end(j);
}

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
	json_str(&j, "verdict", verdict_name(verdict));
	if (r->check.broken)
		json_str(&j, "message", r->check.message);
	json_int(&j, "end_us", r->end_us);
	json_metrics(r, &j);
	json_producers(r, &j);
	json_partitions(r, &j);
	json_groups(r, &j);
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
		if (ck->evaluated && ck->is_list && ck->is_tps) {
			char name[300];
			json_arr(&j, "actual");
			for (uint32_t q = 0; q < ck->list_len; q++)
				json_str(&j, NULL, text_tp(&r->ccfg, (uint32_t)ck->list[q], name,
							  sizeof(name)));
			json_arr_end(&j);
		} else if (ck->evaluated && ck->is_list) {
			json_ids(&j, "actual", ck->list, ck->list_len);
		} else if (ck->evaluated) {
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
	if (check_final(&r->check) != 0) {
		fprintf(stderr, "kafkasim: out of memory while checking the history\n");
		return EXIT_BAD_INPUT;
	}
	for (uint32_t i = 0; i < r->s->expect_count; i++) {
		if (!r->s->expects[i].has_at)
			check(r, i, true);
		if (!r->checks[i].ok)
			verdict = EXIT_FAIL;
	}
	if (r->check.broken)
		verdict = EXIT_INVARIANT;
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
