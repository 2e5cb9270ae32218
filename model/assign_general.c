/*
 * assign_general.c — the sticky assignors' general path, taken when members subscribe to
 * different topics: keep every valid owned partition, give each unassigned partition to the
 * least loaded member that may take it, then move partitions one at a time while that makes
 * the assignment more balanced, preferring to move a partition back to where it came from.
 *
 * Kafka source: clients/.../consumer/internals/AbstractStickyAssignor.java —
 * GeneralAssignmentBuilder (assignOwnedPartitions, getUnassignedPartitions,
 * prepopulateCurrentAssignments, isBalanced, getBalanceScore, maybeAssign, balance,
 * performReassignments, reassignPartition, processPartitionMovement) and PartitionMovements
 * (movePartition, getTheActualPartitionToBeMoved). Without racks. Read and re-expressed.
 *
 * Orders, as in Kafka: topics by (number of subscribers, name), partitions ascending
 * (sortedAllPartitions); members by (partitions held, member id) (the TreeSet
 * sortedCurrentSubscriptions, kept here as a sorted array); the partition a reverse movement
 * hands back is the first of a java.util.HashSet<TopicPartition> in iteration order
 * (assign_java.c). prevAssignment keeps, per partition, the first claimant in the leader map's
 * order among those of the highest generation below the current one.
 */
#include "model/assign_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* One PartitionMovements entry: the partitions of `topic` that moved, net, from src to dst. */
struct mv_pair {
	uint32_t    topic, src, dst;
	struct jset set;
};

struct moves {
	uint32_t       *src, *dst;      /* partition -> its movement record, NONE if none */
	uint32_t       *topic_pairs;    /* topic -> pairs with a non-empty set */
	uint32_t       *thash;          /* topic -> String.hashCode of its name */
	struct mv_pair *pairs;
	uint32_t        n_pairs, cap_pairs;
	uint32_t       *slot;           /* open addressing over pairs: index + 1, 0 = empty */
	uint32_t        n_slots;
	uint64_t        seq;            /* insertion stamps for the HashSets */
};

struct gen {
	struct actx  *c;
	uint32_t     *size;          /* member -> partitions in currentAssignment */
	uint32_t     *maxasg;        /* member -> getMaxAssignmentSize */
	bool         *fixed;         /* member taken out of the reassignment */
	uint32_t     *sorted;        /* sortedCurrentSubscriptions */
	uint32_t      n_sorted;
	uint32_t     *all, n_all;    /* sortedAllPartitions */
	uint32_t     *un, n_un;      /* unassignedPartitions */
	uint32_t     *prev_m;        /* prevAssignment: partition -> member, NONE */
	int32_t      *prev_g;        /* ... and its generation */
	uint32_t     *topic_max;     /* isBalanced scratch */
	uint32_t     *best;          /* topic -> sorted_first_for, valid while best_epoch[t] ==
				      * epoch (the sorted order changes only when a partition
				      * moves) */
	uint64_t     *best_epoch;
	uint64_t      epoch;
	bool          revocation_required;
	bool          balanced_known, balanced;
	struct moves  mv;
};

/* ---- sortedCurrentSubscriptions: members by (size, member id) ---- */

static bool sub_less(const struct gen *s, uint32_t a, uint32_t b)
{
	if (s->size[a] != s->size[b])
		return s->size[a] < s->size[b];
	return s->c->mrank[a] < s->c->mrank[b];
}

static uint32_t sorted_lower_bound(const struct gen *s, uint32_t m)
{
	uint32_t lo = 0, hi = s->n_sorted;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (sub_less(s, s->sorted[mid], m))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void sorted_add(struct gen *s, uint32_t m)
{
	uint32_t at = sorted_lower_bound(s, m);
	assert(at == s->n_sorted || s->sorted[at] != m);
	memmove(s->sorted + at + 1, s->sorted + at, sizeof(uint32_t) * (s->n_sorted - at));
	s->sorted[at] = m;
	s->n_sorted++;
}

static void sorted_remove(struct gen *s, uint32_t m)
{
	uint32_t at = sorted_lower_bound(s, m);
	assert(at < s->n_sorted);
	assert(s->sorted[at] == m);
	s->n_sorted--;
	memmove(s->sorted + at, s->sorted + at + 1, sizeof(uint32_t) * (s->n_sorted - at));
}

/* The first member in sorted order that subscribes to topic t, or ASSIGN_NONE. */
static uint32_t sorted_first_for(const struct gen *s, uint32_t t)
{
	for (uint32_t k = 0; k < s->n_sorted; k++)
		if (actx_subscribed(s->c, s->sorted[k], t))
			return s->sorted[k];
	return ASSIGN_NONE;
}

/* sorted_first_for, remembered until the next movement. */
static uint32_t least_loaded_for(struct gen *s, uint32_t t)
{
	if (s->best_epoch[t] != s->epoch) {
		s->best[t] = sorted_first_for(s, t);
		s->best_epoch[t] = s->epoch;
	}
	assert(s->best[t] == ASSIGN_NONE || actx_subscribed(s->c, s->best[t], t));
	return s->best[t];
}

/* ---- PartitionMovements ---- */

static uint32_t pair_slot(const struct moves *mv, uint32_t t, uint32_t src, uint32_t dst)
{
	uint64_t k = ((uint64_t)t << 42) ^ ((uint64_t)src << 21) ^ dst;
	k *= 0x9e3779b97f4a7c15u;
	return (uint32_t)(k >> 32) & (mv->n_slots - 1);
}

static enum assign_err pairs_grow(struct moves *mv)
{
	uint32_t n = mv->n_slots ? mv->n_slots * 2 : 64;
	uint32_t *slot = calloc(n, sizeof(uint32_t));
	struct mv_pair *pairs = realloc(mv->pairs, sizeof(*pairs) * (n / 2));
	if (slot == NULL || pairs == NULL) {
		free(slot);
		if (pairs != NULL)
			mv->pairs = pairs;
		return ASSIGN_ERR_NOMEM;
	}
	free(mv->slot);
	mv->slot = slot;
	mv->n_slots = n;
	mv->pairs = pairs;
	mv->cap_pairs = n / 2;
	for (uint32_t i = 0; i < mv->n_pairs; i++) {
		struct mv_pair *p = &mv->pairs[i];
		uint32_t h = pair_slot(mv, p->topic, p->src, p->dst);
		while (mv->slot[h] != 0)
			h = (h + 1) & (n - 1);
		mv->slot[h] = i + 1;
	}
	return ASSIGN_OK;
}

/* The pair's entry; created (empty) when `create`. NULL if absent or out of memory. */
static struct mv_pair *pair_find(struct moves *mv, uint32_t t, uint32_t src, uint32_t dst,
				 bool create)
{
	if (mv->n_slots == 0 && (!create || pairs_grow(mv) != ASSIGN_OK))
		return NULL;
	uint32_t h = pair_slot(mv, t, src, dst);
	for (; mv->slot[h] != 0; h = (h + 1) & (mv->n_slots - 1)) {
		struct mv_pair *p = &mv->pairs[mv->slot[h] - 1];
		if (p->topic == t && p->src == src && p->dst == dst)
			return p;
	}
	if (!create)
		return NULL;
	if (mv->n_pairs + 1 > mv->cap_pairs) {
		if (pairs_grow(mv) != ASSIGN_OK)
			return NULL;
		return pair_find(mv, t, src, dst, true);
	}
	mv->pairs[mv->n_pairs] = (struct mv_pair){t, src, dst, {0}};
	mv->slot[h] = ++mv->n_pairs;
	return &mv->pairs[mv->n_pairs - 1];
}

static void record_remove(struct gen *s, uint32_t g)
{
	struct moves *mv = &s->mv;
	uint32_t t = s->c->ptopic[g];
	struct mv_pair *p = pair_find(mv, t, mv->src[g], mv->dst[g], false);
	assert(p != NULL);
	jset_remove(&p->set, g);
	if (p->set.size == 0) {
		jset_reset(&p->set);        /* Kafka drops the empty set; the next is new */
		mv->topic_pairs[t]--;
	}
	mv->src[g] = mv->dst[g] = ASSIGN_NONE;
}

static enum assign_err record_add(struct gen *s, uint32_t g, uint32_t src, uint32_t dst)
{
	struct moves *mv = &s->mv;
	uint32_t t = s->c->ptopic[g];
	struct mv_pair *p = pair_find(mv, t, src, dst, true);
	if (p == NULL)
		return ASSIGN_ERR_NOMEM;
	if (p->set.size == 0)
		mv->topic_pairs[t]++;
	uint32_t hash = jhash_tp(mv->thash[t], g - s->c->base[t]);
	enum assign_err err = jset_add(&p->set, g, hash, mv->seq++);
	s->c->approx |= p->set.tree;
	mv->src[g] = src;
	mv->dst[g] = dst;
	return err;
}

/* PartitionMovements.movePartition: net movements; moving back cancels the record. */
static enum assign_err move_record(struct gen *s, uint32_t g, uint32_t old, uint32_t to)
{
	struct moves *mv = &s->mv;
	if (mv->src[g] == ASSIGN_NONE)
		return record_add(s, g, old, to);
	uint32_t first_src = mv->src[g];
	assert(mv->dst[g] == old);
	record_remove(s, g);
	if (first_src != to)
		return record_add(s, g, first_src, to);
	return ASSIGN_OK;
}

/* PartitionMovements.getTheActualPartitionToBeMoved: if partitions of this topic moved the
 * other way between the two members, move one of those back instead. */
static uint32_t actual_to_move(struct gen *s, uint32_t g, uint32_t old, uint32_t to)
{
	struct moves *mv = &s->mv;
	uint32_t t = s->c->ptopic[g];
	if (mv->topic_pairs[t] == 0)
		return g;
	if (mv->src[g] != ASSIGN_NONE) {
		assert(mv->dst[g] == old);
		old = mv->src[g];
	}
	struct mv_pair *p = pair_find(mv, t, to, old, false);
	if (p == NULL || p->set.size == 0)
		return g;
	return jset_first(&p->set);
}

/* ---- the builder ---- */

/* processPartitionMovement. */
static enum assign_err process_move(struct gen *s, uint32_t g, uint32_t to)
{
	uint32_t old = s->c->owner[g];
	assert(old != ASSIGN_NONE);
	assert(old != to);
	sorted_remove(s, old);
	sorted_remove(s, to);
	enum assign_err err = move_record(s, g, old, to);
	s->c->owner[g] = to;
	s->size[old]--;
	s->size[to]++;
	sorted_add(s, to);
	sorted_add(s, old);
	s->balanced_known = false;
	s->epoch++;
	return err;
}

static enum assign_err reassign(struct gen *s, uint32_t g, uint32_t to)
{
	uint32_t moved = actual_to_move(s, g, s->c->owner[g], to);
	return process_move(s, moved, to);
}

/* isBalanced: sizes within one of each other, or no member below its maximum could take a
 * partition of its topics from a member holding two or more partitions more. Cached between
 * movements. */
static bool is_balanced(struct gen *s)
{
	const struct actx *c = s->c;
	if (s->balanced_known)
		return s->balanced;
	assert(s->n_sorted > 0);
	s->balanced_known = true;
	s->balanced = true;
	if (s->size[s->sorted[0]] + 1 >= s->size[s->sorted[s->n_sorted - 1]])
		return true;
	memset(s->topic_max, 0, sizeof(uint32_t) * c->nt);
	uint32_t top = 0;
	for (uint32_t g = 0; g < c->ptotal; g++) {
		uint32_t m = c->owner[g], t = c->ptopic[g];
		if (m != ASSIGN_NONE && !s->fixed[m] && s->size[m] > s->topic_max[t]) {
			s->topic_max[t] = s->size[m];
			top = s->size[m] > top ? s->size[m] : top;
		}
	}
	/* Ascending sizes: once a member is within one of the largest holder, so are the rest. */
	for (uint32_t k = 0; k < s->n_sorted && s->size[s->sorted[k]] + 1 < top; k++) {
		uint32_t m = s->sorted[k];
		if (s->size[m] == s->maxasg[m])
			continue;
		for (uint32_t i = c->sub_first[m]; i < c->sub_first[m + 1]; i++)
			if (s->topic_max[c->sub_list[i]] > s->size[m] + 1)
				return s->balanced = false;
	}
	return true;
}

/* One pass step of performReassignments for partition g; *moved tells whether it moved. */
static enum assign_err reassign_step(struct gen *s, uint32_t g, bool *moved)
{
	uint32_t m = s->c->owner[g], prev = s->prev_m[g];
	assert(m != ASSIGN_NONE);
	*moved = false;
	if (prev != ASSIGN_NONE) {
		if (s->fixed[prev])
			return ASSIGN_ERR_KAFKA_THROWS;    /* Kafka: NullPointerException */
		if (s->size[m] > s->size[prev] + 1) {
			*moved = true;
			return reassign(s, g, prev);
		}
	}
	uint32_t best = least_loaded_for(s, s->c->ptopic[g]);
	assert(best != ASSIGN_NONE);
	if (s->size[m] > s->size[best] + 1) {
		*moved = true;
		return reassign(s, g, best);
	}
	return ASSIGN_OK;
}

static enum assign_err perform_reassignments(struct gen *s, const uint32_t *list, uint32_t n,
					     bool *performed)
{
	bool modified;
	*performed = false;
	do {
		modified = false;
		for (uint32_t i = 0; i < n && !is_balanced(s); i++) {
			bool moved;
			enum assign_err err = reassign_step(s, list[i], &moved);
			if (err != ASSIGN_OK)
				return err;
			modified |= moved;
		}
		*performed |= modified;
	} while (modified);
	return ASSIGN_OK;
}

/* getBalanceScore over the members taking part: Σ over pairs of |size difference|. */
static int u32_cmp(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	return a < b ? -1 : a > b;
}

static int64_t balance_score(const struct gen *s, const uint32_t *size, uint32_t *scratch)
{
	uint32_t n = 0;
	for (uint32_t m = 0; m < s->c->nm; m++)
		if (!s->fixed[m])
			scratch[n++] = size[m];
	qsort(scratch, n, sizeof(uint32_t), u32_cmp);
	int64_t score = 0;
	for (uint32_t i = 0; i < n; i++)
		score += (int64_t)scratch[i] * (2 * (int64_t)i - (int64_t)n + 1);
	return score;
}

/* maybeAssign without racks: each unassigned partition to the least loaded subscriber. */
static void maybe_assign(struct gen *s)
{
	for (uint32_t i = 0; i < s->n_un; i++) {
		uint32_t g = s->un[i];
		uint32_t m = sorted_first_for(s, s->c->ptopic[g]);
		assert(m != ASSIGN_NONE);
		sorted_remove(s, m);
		s->c->owner[g] = m;
		s->size[m]++;
		sorted_add(s, m);
	}
}

/* Drops the partitions of topics with one subscriber from a list. */
static uint32_t drop_fixed_partitions(const struct gen *s, uint32_t *list, uint32_t n)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < n; i++)
		if (s->c->nsubs[s->c->ptopic[list[i]]] >= 2)
			list[k++] = list[i];
	return k;
}

/* canConsumerParticipateInReassignment is false: it holds all it can get, and none of it
 * belongs to a topic with two or more subscribers. */
static enum assign_err take_out_fixed_members(struct gen *s)
{
	const struct actx *c = s->c;
	bool *movable = calloc(c->nm, sizeof(bool));
	if (movable == NULL)
		return ASSIGN_ERR_NOMEM;
	for (uint32_t g = 0; g < c->ptotal; g++)
		if (c->owner[g] != ASSIGN_NONE && c->nsubs[c->ptopic[g]] >= 2)
			movable[c->owner[g]] = true;
	for (uint32_t m = 0; m < c->nm; m++) {
		if (s->size[m] < s->maxasg[m] || movable[m])
			continue;
		sorted_remove(s, m);
		s->fixed[m] = true;
	}
	free(movable);
	return ASSIGN_OK;
}

/* balance() after maybeAssign: narrow to what may move, reassign, and keep the result only if
 * it scores better than before (unless everything started empty). */
static enum assign_err balance(struct gen *s, uint32_t *snap_owner, uint32_t *snap_size)
{
	struct actx *c = s->c;
	bool initializing = s->size[s->sorted[s->n_sorted - 1]] == 0;
	maybe_assign(s);
	s->n_all = drop_fixed_partitions(s, s->all, s->n_all);
	s->n_un = drop_fixed_partitions(s, s->un, s->n_un);
	enum assign_err err = take_out_fixed_members(s);
	if (err != ASSIGN_OK)
		return err;
	memcpy(snap_owner, c->owner, sizeof(uint32_t) * c->ptotal);
	memcpy(snap_size, s->size, sizeof(uint32_t) * c->nm);
	bool performed = false;
	if (!s->revocation_required)
		err = perform_reassignments(s, s->un, s->n_un, &performed);
	if (err == ASSIGN_OK)
		err = perform_reassignments(s, s->all, s->n_all, &performed);
	if (err != ASSIGN_OK || initializing || !performed)
		return err;
	uint32_t *scratch = calloc(c->nm, sizeof(uint32_t));
	if (scratch == NULL)
		return ASSIGN_ERR_NOMEM;
	if (balance_score(s, s->size, scratch) >= balance_score(s, snap_size, scratch)) {
		memcpy(c->owner, snap_owner, sizeof(uint32_t) * c->ptotal);
		memcpy(s->size, snap_size, sizeof(uint32_t) * c->nm);
	}
	free(scratch);
	return ASSIGN_OK;
}

/* prepopulateCurrentAssignments: claims of members below the highest generation, the
 * highest of those generations winning, the first claimant winning a tie. */
static enum assign_err prev_assignment(struct gen *s, int32_t max_gen)
{
	const struct actx *c = s->c;
	uint32_t *buf = calloc(c->ptotal ? c->ptotal : 1, sizeof(uint32_t));
	if (buf == NULL)
		return ASSIGN_ERR_NOMEM;
	for (uint32_t k = 0; k < c->nm; k++) {
		uint32_t m = c->jorder[k];
		int32_t gen = c->in->members[m].generation;
		if (gen >= max_gen)
			continue;       /* covers "no generation" while max_gen is -1 too */
		uint32_t n = actx_owned(c, m, buf);
		for (uint32_t i = 0; i < n; i++) {
			uint32_t g = buf[i];
			if (s->prev_m[g] == ASSIGN_NONE || gen > s->prev_g[g]) {
				s->prev_m[g] = m;
				s->prev_g[g] = gen;
			}
		}
	}
	free(buf);
	return ASSIGN_OK;
}

/* Topics by (subscribers, name): the order of sortedAllPartitions. */
static int topic_key_cmp(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
	return a < b ? -1 : a > b;
}

static enum assign_err sorted_all_partitions(struct gen *s)
{
	const struct actx *c = s->c;
	uint64_t *key = calloc(c->nt ? c->nt : 1, sizeof(uint64_t));
	if (key == NULL)
		return ASSIGN_ERR_NOMEM;
	uint32_t n = 0;
	for (uint32_t t = 0; t < c->nt; t++)
		if (c->np[t] > 0)
			key[n++] = (uint64_t)c->nsubs[t] << 40 | (uint64_t)c->trank[t] << 20;
	qsort(key, n, sizeof(uint64_t), topic_key_cmp);
	s->n_all = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t t = c->torder[(uint32_t)(key[i] >> 20) & 0xfffff];
		for (uint32_t p = 0; p < c->np[t]; p++)
			s->all[s->n_all++] = actx_gp(c, t, p);
	}
	free(key);
	return ASSIGN_OK;
}

/* assignOwnedPartitions: keep owned partitions of topics the member still subscribes to. */
static void keep_owned(struct gen *s, const uint32_t *kept_by)
{
	struct actx *c = s->c;
	for (uint32_t g = 0; g < c->ptotal; g++) {
		uint32_t m = kept_by[g];
		if (m == ASSIGN_NONE)
			continue;
		if (!actx_subscribed(c, m, c->ptopic[g])) {
			s->revocation_required = true;
			continue;
		}
		c->owner[g] = m;
		s->size[m]++;
	}
	s->n_un = 0;
	for (uint32_t i = 0; i < s->n_all; i++)
		if (c->owner[s->all[i]] == ASSIGN_NONE)
			s->un[s->n_un++] = s->all[i];
}

static void max_assignment_sizes(struct gen *s)
{
	const struct actx *c = s->c;
	for (uint32_t m = 0; m < c->nm; m++)
		for (uint32_t i = c->sub_first[m]; i < c->sub_first[m + 1]; i++)
			s->maxasg[m] += c->np[c->sub_list[i]];
}

static enum assign_err gen_alloc(struct gen *s)
{
	const struct actx *c = s->c;
	size_t nm = c->nm, nt = c->nt ? c->nt : 1, pt = c->ptotal ? c->ptotal : 1;
	s->size = calloc(nm, sizeof(uint32_t));
	s->maxasg = calloc(nm, sizeof(uint32_t));
	s->fixed = calloc(nm, sizeof(bool));
	s->sorted = calloc(nm, sizeof(uint32_t));
	s->all = calloc(pt, sizeof(uint32_t));
	s->un = calloc(pt, sizeof(uint32_t));
	s->prev_m = calloc(pt, sizeof(uint32_t));
	s->prev_g = calloc(pt, sizeof(int32_t));
	s->topic_max = calloc(nt, sizeof(uint32_t));
	s->best = calloc(nt, sizeof(uint32_t));
	s->best_epoch = calloc(nt, sizeof(uint64_t));
	s->mv.src = calloc(pt, sizeof(uint32_t));
	s->mv.dst = calloc(pt, sizeof(uint32_t));
	s->mv.topic_pairs = calloc(nt, sizeof(uint32_t));
	s->mv.thash = calloc(nt, sizeof(uint32_t));
	if (!s->size || !s->maxasg || !s->fixed || !s->sorted || !s->all || !s->un ||
	    !s->prev_m || !s->prev_g || !s->topic_max || !s->best || !s->best_epoch ||
	    !s->mv.src || !s->mv.dst ||
	    !s->mv.topic_pairs || !s->mv.thash)
		return ASSIGN_ERR_NOMEM;
	for (uint32_t g = 0; g < c->ptotal; g++)
		s->prev_m[g] = s->mv.src[g] = s->mv.dst[g] = ASSIGN_NONE;
	for (uint32_t t = 0; t < c->nt; t++)
		s->mv.thash[t] = assign_java_hash(c->in->topics[t].name);
	return ASSIGN_OK;
}

static void gen_free(struct gen *s)
{
	for (uint32_t i = 0; i < s->mv.n_pairs; i++)
		jset_free(&s->mv.pairs[i].set);
	free(s->mv.pairs);
	free(s->mv.slot);
	free(s->mv.src);
	free(s->mv.dst);
	free(s->mv.topic_pairs);
	free(s->mv.thash);
	free(s->size);
	free(s->maxasg);
	free(s->fixed);
	free(s->sorted);
	free(s->all);
	free(s->un);
	free(s->prev_m);
	free(s->prev_g);
	free(s->topic_max);
	free(s->best);
	free(s->best_epoch);
}

enum assign_err assign_general(struct actx *c, const uint32_t *kept_by, int32_t max_gen)
{
	assert(c->nm > 0);
	struct gen s = {.c = c, .epoch = 1};
	uint32_t *snap_owner = calloc(c->ptotal ? c->ptotal : 1, sizeof(uint32_t));
	uint32_t *snap_size = calloc(c->nm, sizeof(uint32_t));
	enum assign_err err = snap_owner && snap_size ? gen_alloc(&s) : ASSIGN_ERR_NOMEM;
	if (err == ASSIGN_OK)
		err = prev_assignment(&s, max_gen);
	if (err == ASSIGN_OK)
		err = sorted_all_partitions(&s);
	if (err == ASSIGN_OK) {
		max_assignment_sizes(&s);
		keep_owned(&s, kept_by);
		for (uint32_t m = 0; m < c->nm; m++)
			sorted_add(&s, m);
		err = balance(&s, snap_owner, snap_size);
	}
	gen_free(&s);
	free(snap_size);
	free(snap_owner);
	return err;
}
