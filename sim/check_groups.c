/*
 * check_groups.c — the consumer side of the checker: ownership invariants as records are
 * processed, and the group metrics at the end (scenario-format 9: consumed, redelivered,
 * skipped, unseen, lag, rebalances, consumer-errors).
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/group.h"
#include "model/text.h"
#include "sim/check.h"
#include "sim/run.h"
#include "sim/units.h"

static void fail_group(struct check *c, const struct proc_event *e, const char *what)
{
	struct run *r = c->run;
	char name[300], t[48];
	snprintf(c->message, sizeof(c->message),
		 "invariant broken at %s on %s, partition %s: %s",
		 units_format_time(r->kernel.now_us, t, sizeof(t)), r->s->clients[e->client].id,
		 text_tp(&r->ccfg, e->tp, name, sizeof(name)), what);
	c->broken = true;
}

static bool owns(const struct consumer *m, uint32_t tp)
{
	const uint32_t *tps;
	uint32_t n = consumer_assignment(m, &tps);
	for (uint32_t i = 0; i < n; i++)
		if (tps[i] == tp)
			return true;
	return false;
}

/* A member processes only partitions it owns, and no two members of one group own a
 * partition in one generation (checked at every processed record). */
bool check_groups_event(struct check *c)
{
	struct run *r = c->run;
	for (; r->procs_checked < r->procs.n && !c->broken; r->procs_checked++) {
		const struct proc_event *e = &r->procs.ev[r->procs_checked];
		if (!e->owned) {
			fail_group(c, e, "a member processed a record of a partition it does "
					 "not own");
			break;
		}
		uint32_t me = r->consumer_of_client[e->client];
		const struct scen_group *sg = &r->s->groups[r->ccfgs[me].group];
		/* The group's members are consumers[first, first + member_count). */
		uint32_t first = r->consumer_of_client[sg->members[0].client];
		for (uint32_t k = first; k < first + sg->member_count; k++) {
			if (k == me)
				continue;
			if (consumer_generation(&r->consumers[k]) == e->generation &&
			    owns(&r->consumers[k], e->tp)) {
				fail_group(c, e, "two members of one generation own the partition");
				break;
			}
		}
	}
	return !c->broken;
}

/* ---- metrics at the end ---------------------------------------------------------------- */

struct pkey {
	uint32_t tp, producer, index, pad;
	int64_t  offset;
};

static int cmp_pkey(const void *a, const void *b)
{
	const struct pkey *x = a, *y = b;
	if (x->tp != y->tp)
		return x->tp < y->tp ? -1 : 1;
	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	if (x->producer != y->producer)
		return x->producer < y->producer ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

static bool processed(const struct pkey *keys, uint64_t n, uint32_t tp, int64_t offset,
		      uint32_t producer, uint32_t index)
{
	struct pkey k = {tp, producer, index, 0, offset};
	return bsearch(&k, keys, n, sizeof(k), cmp_pkey) != NULL;
}

static bool subscribes(const struct run *r, uint32_t g, uint32_t topic)
{
	const struct scen_group *sg = &r->s->groups[g];
	for (uint32_t i = 0; i < sg->member_count; i++)
		for (uint32_t t = 0; t < sg->members[i].topic_count; t++)
			if (sg->members[i].topics[t] == topic)
				return true;
	return false;
}

/* The broker coordinating group g now, or NULL. */
const struct broker *check_coordinator(const struct run *r, uint32_t g)
{
	if (r->ccfg.offsets_topic == UINT32_MAX)
		return NULL;
	uint32_t tp = r->topics[r->ccfg.offsets_topic].first_tp + r->groups[g].offsets_partition;
	int32_t leader = ctl_partition(&r->controller, tp)->leader;
	int bi = leader == NO_LEADER ? -1 : md_broker_index(&r->ccfg, leader);
	return bi < 0 ? NULL : &r->brokers[bi];
}

int64_t check_committed(const struct run *r, uint32_t g, uint32_t tp)
{
	const struct broker *b = check_coordinator(r, g);
	return b ? group_committed(b, g, tp) : -1;
}

static void skipped_in(struct check *c, uint32_t g, uint32_t tp, const struct pkey *keys,
		       uint64_t nk, struct group_metrics *gm)
{
	struct run *r = c->run;
	int64_t committed = check_committed(r, g, tp);
	const struct md_part_state *p = ctl_partition(&r->controller, tp);
	int bi = p->leader == NO_LEADER ? -1 : md_broker_index(&r->ccfg, p->leader);
	const struct replica *rep = bi < 0 ? NULL : broker_replica(&r->brokers[bi], tp);
	int64_t hw = rep ? plog_hw(&rep->log) : 0;
	gm->lag += rep ? hw - (committed >= 0 ? committed : plog_log_start(&rep->log)) : 0;
	if (committed <= 0)
		return;
	/* Records below the committed offset, in the final log or removed by retention. */
	for (uint32_t b = 0; b <= r->ccfg.brokers; b++) {
		const struct plog_batch *bs = NULL;
		uint32_t n = 0;
		if (b == r->ccfg.brokers && rep != NULL) {
			bs = plog_batches(&rep->log, &n);
		} else if (b < r->ccfg.brokers) {
			for (uint32_t i = 0; i < r->brokers[b].n_removed; i++) {
				const struct retained_batch *rb = &r->brokers[b].removed[i];
				if (rb->tp != tp)
					continue;
				const struct rec_batch *x = rec_store_batch(&r->store, rb->rec_ref);
				if (x == NULL)
					continue;
				const uint32_t *idx = rec_store_indices(&r->store, x);
				for (uint32_t k = 0; k < x->count; k++) {
					int64_t off = rb->base_offset + k;
					if (off < committed &&
					    !processed(keys, nk, tp, off, x->producer, idx[k]))
						gm->skipped++;
				}
			}
			continue;
		}
		for (uint32_t i = 0; i < n; i++) {
			const struct rec_batch *x = rec_store_batch(&r->store, bs[i].rec_ref);
			if (x == NULL)
				continue;
			const uint32_t *idx = rec_store_indices(&r->store, x);
			for (uint32_t k = 0; k < x->count; k++) {
				int64_t off = bs[i].base_offset + k;
				if (off < committed && off < hw &&
				    !processed(keys, nk, tp, off, x->producer, idx[k]))
					gm->skipped++;
			}
		}
	}
}

static int group_final(struct check *c, uint32_t g, struct group_metrics *gm)
{
	struct run *r = c->run;
	const struct scenario *s = r->s;
	uint64_t n = 0;
	for (uint64_t i = 0; i < r->procs.n; i++)
		n += r->ccfgs[r->consumer_of_client[r->procs.ev[i].client]].group == g;
	struct pkey *keys = calloc(n + 1, sizeof(*keys));
	uint8_t **seen = calloc(s->producer_count + 1, sizeof(*seen));
	int rc = keys == NULL || seen == NULL ? -1 : 0;
	for (uint32_t p = 0; rc == 0 && p < s->producer_count; p++)
		if ((seen[p] = calloc(s->producers[p].messages + 1, 1)) == NULL)
			rc = -1;
	if (rc == 0) {
		uint64_t k = 0;
		for (uint64_t i = 0; i < r->procs.n; i++) {
			const struct proc_event *e = &r->procs.ev[i];
			if (r->ccfgs[r->consumer_of_client[e->client]].group != g)
				continue;
			keys[k++] = (struct pkey){e->tp, e->producer, e->index, 0, e->offset};
			if (e->producer < s->producer_count)
				seen[e->producer][e->index] = 1;
		}
		qsort(keys, n, sizeof(*keys), cmp_pkey);
		gm->consumed = n;
		for (uint64_t i = 1; i < n; i++)
			gm->redelivered += cmp_pkey(&keys[i - 1], &keys[i]) == 0;
		/* unseen: acknowledged records of subscribed topics never processed. */
		for (uint32_t p = 0; p < s->producer_count; p++) {
			if (!subscribes(r, g, s->producers[p].topic))
				continue;
			for (uint64_t i = 0; i < s->producers[p].messages; i++)
				gm->unseen += r->outcomes[p][i].state == REC_ACKED && !seen[p][i];
		}
		for (uint32_t t = 0; t < s->topic_count; t++) {
			if (!subscribes(r, g, t))
				continue;
			for (uint32_t q = 0; q < r->topics[t].partitions; q++)
				skipped_in(c, g, r->topics[t].first_tp + q, keys, n, gm);
		}
		for (uint32_t b = 0; b < r->ccfg.brokers; b++)
			gm->rebalances += r->brokers[b].groups[g].rebalances;
	}
	for (uint32_t p = 0; seen != NULL && p < s->producer_count; p++)
		free(seen[p]);
	free(seen);
	free(keys);
	return rc;
}

int check_groups_final(struct check *c)
{
	struct run *r = c->run;
	for (uint32_t g = 0; g < r->s->group_count; g++)
		if (group_final(c, g, &c->gm[g]) != 0)
			return -1;
	return 0;
}
