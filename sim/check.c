/*
 * check.c — invariants after every event and the record history at the end.
 */
#include "sim/check.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/records.h"
#include "model/text.h"
#include "sim/limits.h"
#include "sim/run.h"
#include "sim/units.h"

int check_init(struct check *c, struct run *r)
{
	memset(c, 0, sizeof(*c));
	c->run = r;
	const struct cluster_cfg *cc = &r->ccfg;
	c->parts = calloc(cc->nparts + 1, sizeof(*c->parts));
	c->pm = calloc(cc->nparts + 1, sizeof(*c->pm));
	c->nonmonotonic = calloc(r->s->producer_count + 1, sizeof(*c->nonmonotonic));
	c->gm = calloc(r->s->group_count + 1, sizeof(*c->gm));
	if (c->parts == NULL || c->pm == NULL || c->nonmonotonic == NULL || c->gm == NULL)
		return -1;
	bool hw_rule = false;
	for (uint32_t b = 0; b < cc->brokers; b++)
		hw_rule |= r->bcfgs[b].truncation == TRUNCATE_HIGH_WATERMARK;
	for (uint32_t tp = 0; tp < cc->nparts; tp++) {
		uint32_t rf = cc->parts[tp].rf;
		c->parts[tp].pairs = calloc((size_t)rf * rf, sizeof(struct check_pair));
		if (c->parts[tp].pairs == NULL)
			return -1;
		c->parts[tp].data_loss_possible = hw_rule;
		c->parts[tp].hw_broker = NO_LEADER;
	}
	return 0;
}

void check_free(struct check *c)
{
	if (c->parts != NULL)
		for (uint32_t tp = 0; tp < c->run->ccfg.nparts; tp++) {
			free(c->parts[tp].pairs);
			free(c->parts[tp].bad);
		}
	free(c->parts);
	free(c->pm);
	free(c->nonmonotonic);
	free(c->gm);
	memset(c, 0, sizeof(*c));
}

void check_after_fault(struct check *c)
{
	struct run *r = c->run;
	for (uint32_t b = 0; b < r->ccfg.brokers; b++) {
		bool off = world_node_state(&r->world, r->broker_node0 + b) ==
			   WORLD_NODE_POWERED_OFF;
		if (off && !r->power_noted[b])
			check_note_power_loss(c, b);
		r->power_noted[b] = off;
	}
}

void check_note_power_loss(struct check *c, uint32_t broker_index)
{
	const struct cluster_cfg *cc = &c->run->ccfg;
	int32_t id = cc->broker_ids[broker_index];
	for (uint32_t tp = 0; tp < cc->nparts; tp++)
		for (uint32_t i = 0; i < cc->parts[tp].rf; i++)
			if (cc->parts[tp].replicas[i] == id)
				c->parts[tp].data_loss_possible = true;
}

static void fail(struct check *c, uint32_t tp, const char *node, const char *what)
{
	char name[300], t[48];
	struct run *r = c->run;
	snprintf(c->message, sizeof(c->message), "invariant broken at %s on %s, partition %s: %s",
		 units_format_time(r->kernel.now_us, t, sizeof(t)), node,
		 text_tp(&r->ccfg, tp, name, sizeof(name)), what);
	c->broken = true;
}

/* Adds [from, to) to the partition's inconsistent offsets, keeping the list merged. */
static void add_bad(struct check_part *p, int64_t from, int64_t to)
{
	for (uint32_t i = 0; i < p->n_bad; i++)
		if (from <= p->bad[i].to && to >= p->bad[i].from) {
			if (from < p->bad[i].from)
				p->bad[i].from = from;
			if (to > p->bad[i].to)
				p->bad[i].to = to;
			return;
		}
	if (p->n_bad == p->bad_cap) {
		uint32_t cap = p->bad_cap ? p->bad_cap * 2 : 8;
		struct check_range *n = realloc(p->bad, cap * sizeof(*n));
		if (n == NULL)
			return;
		p->bad = n;
		p->bad_cap = cap;
	}
	p->bad[p->n_bad++] = (struct check_range){from, to};
}

static bool same_batch(const struct plog_batch *x, const struct plog_batch *y)
{
	return x->base_offset == y->base_offset && x->record_count == y->record_count &&
	       x->rec_ref == y->rec_ref;
}

/* Log matching between two replicas below both their HWs, from where it was verified. */
static void match_pair(struct check *c, uint32_t tp, const struct replica *a,
		       const struct replica *b, struct check_pair *pr, const char *node)
{
	if (pr->gen_a != a->trunc_gen || pr->gen_b != b->trunc_gen) {
		pr->verified = 0;
		pr->gen_a = a->trunc_gen;
		pr->gen_b = b->trunc_gen;
	}
	int64_t upto = plog_hw(&a->log) < plog_hw(&b->log) ? plog_hw(&a->log) : plog_hw(&b->log);
	int64_t o = pr->verified;
	while (o < upto) {
		const struct plog_batch *x = plog_batch_at(&a->log, o);
		const struct plog_batch *y = plog_batch_at(&b->log, o);
		if (x == NULL || y == NULL) {
			o++;        /* below a log start (retention): nothing to compare */
			continue;
		}
		if (!same_batch(x, y)) {
			int64_t end = plog_batch_last(x) < plog_batch_last(y) ? plog_batch_last(x)
									       : plog_batch_last(y);
			if (end >= upto)
				end = upto - 1;
			if (!c->parts[tp].data_loss_possible) {
				fail(c, tp, node, "replicas hold different records below both "
						  "their high watermarks (log matching)");
				return;
			}
			add_bad(&c->parts[tp], o, end + 1);
			o = end + 1;
			continue;
		}
		o = plog_batch_last(x) + 1;
	}
	if (upto > pr->verified)
		pr->verified = upto;
}

static void check_partition(struct check *c, uint32_t tp)
{
	struct run *r = c->run;
	const struct part_cfg *pc = &r->ccfg.parts[tp];
	struct check_part *cp = &c->parts[tp];
	const struct replica *reps[LIMIT_BROKERS];
	const char *names[LIMIT_BROKERS];
	int32_t leaders_epoch[LIMIT_BROKERS];
	for (uint32_t i = 0; i < pc->rf; i++) {
		int bi = md_broker_index(&r->ccfg, pc->replicas[i]);
		reps[i] = &r->brokers[bi].replicas[tp];
		names[i] = world_node_name(&r->world, r->broker_node0 + (uint32_t)bi);
		const struct replica *x = reps[i];
		if (plog_hw(&x->log) > plog_leo(&x->log))
			{ fail(c, tp, names[i], "HW above LEO"); return; }
		leaders_epoch[i] = x->is_leader ? x->leader_epoch : -1;
		for (uint32_t k = 0; k < i; k++)
			if (leaders_epoch[i] >= 0 && leaders_epoch[k] == leaders_epoch[i])
				{ fail(c, tp, names[i], "two leaders in one leader epoch"); return; }
		if (!x->is_leader)
			continue;
		if (cp->hw_broker == pc->replicas[i] && cp->hw_epoch == x->leader_epoch &&
		    plog_hw(&x->log) < cp->hw_last)
			{ fail(c, tp, names[i], "the leader's high watermark went backwards"); return; }
		cp->hw_broker = pc->replicas[i];
		cp->hw_epoch = x->leader_epoch;
		cp->hw_last = plog_hw(&x->log);
	}
	for (uint32_t i = 0; i < pc->rf && !c->broken; i++)
		for (uint32_t k = i + 1; k < pc->rf && !c->broken; k++)
			match_pair(c, tp, reps[i], reps[k], &cp->pairs[i * pc->rf + k], names[k]);
}

bool check_after_event(struct check *c)
{
	struct run *r = c->run;
	if (r->ctl_unclean_seen != r->controller.unclean_total) {
		/* An unclean election may lose data on its partition: from now on a
		 * disagreement there is an anomaly, not a bug. */
		for (uint32_t tp = 0; tp < r->ccfg.nparts; tp++)
			if (r->controller.stats[tp].unclean_elections > 0)
				c->parts[tp].data_loss_possible = true;
		r->ctl_unclean_seen = r->controller.unclean_total;
	}
	if (r->procs_checked < r->procs.n && !check_groups_event(c))
		return false;
	for (uint32_t b = 0; b < r->ccfg.brokers && !c->broken; b++) {
		struct broker *br = &r->brokers[b];
		while (br->n_dirty > 0 && !c->broken) {
			uint32_t tp = br->dirty[--br->n_dirty];
			br->is_dirty[tp] = false;
			check_partition(c, tp);
		}
	}
	return !c->broken;
}

/* ---- the record history at the end (scenario-format 11.3) ---------------------------- */

struct tally {
	uint32_t **copies;       /* [producer][record]: copies in final committed logs */
	uint8_t  **removed;      /* [producer][record]: removed by retention below the HW */
	uint8_t  **above_hw;     /* [producer][record]: in a leader's log at or above its HW */
	int64_t   *last_idx;     /* [producer]: last first-copy index seen in this partition */
	uint32_t  *touched;
	uint32_t   n_touched;
};

static void tally_free(struct tally *t, uint32_t np)
{
	for (uint32_t p = 0; p < np; p++) {
		if (t->copies)
			free(t->copies[p]);
		if (t->removed)
			free(t->removed[p]);
		if (t->above_hw)
			free(t->above_hw[p]);
	}
	free(t->copies);
	free(t->removed);
	free(t->above_hw);
	free(t->last_idx);
	free(t->touched);
}

static int tally_init(struct tally *t, const struct scenario *s)
{
	uint32_t np = s->producer_count;
	memset(t, 0, sizeof(*t));
	t->copies = calloc(np + 1, sizeof(*t->copies));
	t->removed = calloc(np + 1, sizeof(*t->removed));
	t->above_hw = calloc(np + 1, sizeof(*t->above_hw));
	t->last_idx = calloc(np + 1, sizeof(*t->last_idx));
	t->touched = calloc(np + 1, sizeof(*t->touched));
	if (!t->copies || !t->removed || !t->above_hw || !t->last_idx || !t->touched)
		return -1;
	for (uint32_t p = 0; p < np; p++) {
		size_t n = (size_t)s->producers[p].messages;
		t->copies[p] = calloc(n, sizeof(uint32_t));
		t->removed[p] = calloc(n, 1);
		t->above_hw[p] = calloc(n, 1);
		if (!t->copies[p] || !t->removed[p] || !t->above_hw[p])
			return -1;
		t->last_idx[p] = -1;
	}
	return 0;
}

/* Walks the final committed log of tp: the leader's log below its HW. */
static void walk_final(struct check *c, struct tally *t, uint32_t tp)
{
	struct run *r = c->run;
	const struct md_part_state *p = ctl_partition(&r->controller, tp);
	if (p->leader == NO_LEADER)
		return;
	int bi = md_broker_index(&r->ccfg, p->leader);
	const struct replica *rep = &r->brokers[bi].replicas[tp];
	int64_t hw = plog_hw(&rep->log);
	uint32_t n;
	const struct plog_batch *bs = plog_batches(&rep->log, &n);
	t->n_touched = 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct rec_batch *rb = rec_store_batch(&r->store, bs[i].rec_ref);
		if (rb == NULL)
			continue;
		const uint32_t *idx = rec_store_indices(&r->store, rb);
		uint32_t prod = rb->producer;
		for (uint32_t k = 0; k < rb->count; k++) {
			uint32_t rec = idx[k];
			if (bs[i].base_offset + k >= hw) {
				t->above_hw[prod][rec] = 1;
				continue;
			}
			if (t->copies[prod][rec]++ > 0) {
				c->pm[tp].duplicate++;
				continue;
			}
			c->pm[tp].present++;
			/* nonmonotonic-send: first copies walked in offset order (11.3). */
			if (t->last_idx[prod] < 0)
				t->touched[t->n_touched++] = prod;
			else if ((int64_t)rec < t->last_idx[prod])
				c->nonmonotonic[prod]++;
			t->last_idx[prod] = rec;
		}
	}
	for (uint32_t i = 0; i < t->n_touched; i++)
		t->last_idx[t->touched[i]] = -1;
}

static void mark_removed(struct check *c, struct tally *t)
{
	struct run *r = c->run;
	for (uint32_t b = 0; b < r->ccfg.brokers; b++) {
		const struct broker *br = &r->brokers[b];
		for (uint32_t i = 0; i < br->n_removed; i++) {
			const struct rec_batch *rb = rec_store_batch(&r->store, br->removed[i].rec_ref);
			if (rb == NULL)
				continue;
			const uint32_t *idx = rec_store_indices(&r->store, rb);
			for (uint32_t k = 0; k < rb->count; k++)
				t->removed[rb->producer][idx[k]] = 1;
		}
	}
}

/* Classifies every acknowledged record (scenario-format 9: lost-write, unavailable). */
static void classify(struct check *c, struct tally *t)
{
	struct run *r = c->run;
	const struct scenario *s = r->s;
	for (uint32_t p = 0; p < s->producer_count; p++)
		for (uint64_t i = 0; i < s->producers[p].messages; i++) {
			const struct rec_outcome *o = &r->outcomes[p][i];
			if (o->state == REC_FAILED && t->copies[p][i] > 0)
				c->failed_but_present++;
			if (o->state != REC_ACKED || o->partition < 0)
				continue;
			uint32_t tp = r->topics[s->producers[p].topic].first_tp +
				      (uint32_t)o->partition;
			struct part_metrics *pm = &c->pm[tp];
			pm->acked++;
			if (t->copies[p][i] > 0)
				continue;
			if (t->removed[p][i]) {
				pm->removed++;
				continue;
			}
			bool no_leader = ctl_partition(&r->controller, tp)->leader == NO_LEADER;
			if (no_leader || t->above_hw[p][i])
				pm->unavailable++;
			else
				pm->lost_write++;
		}
}

int check_final(struct check *c)
{
	struct run *r = c->run;
	struct tally t;
	int rc = tally_init(&t, r->s);
	if (rc == 0) {
		for (uint32_t tp = 0; tp < r->ccfg.nparts; tp++)
			walk_final(c, &t, tp);
		mark_removed(c, &t);
		classify(c, &t);
		memset(&c->total, 0, sizeof(c->total));
		for (uint32_t tp = 0; tp < r->user_parts; tp++) {
			struct part_metrics *pm = &c->pm[tp];
			for (uint32_t i = 0; i < c->parts[tp].n_bad; i++)
				pm->inconsistent += (uint64_t)(c->parts[tp].bad[i].to -
							       c->parts[tp].bad[i].from);
			c->total.lost_write += pm->lost_write;
			c->total.duplicate += pm->duplicate;
			c->total.unavailable += pm->unavailable;
			c->total.acked += pm->acked;
			c->total.present += pm->present;
			c->total.removed += pm->removed;
			c->total.inconsistent += pm->inconsistent;
		}
	}
	tally_free(&t, r->s->producer_count);
	return rc == 0 ? check_groups_final(c) : rc;
}
