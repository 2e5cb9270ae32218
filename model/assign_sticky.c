/*
 * assign_sticky.c — sticky and cooperative-sticky: the generation checks on owned partitions,
 * the constrained path taken when every member subscribes to the same topics, and the
 * cooperative adjustment (KIP-429). The general path is in assign_general.c.
 *
 * Kafka sources (clients/.../consumer/): internals/AbstractStickyAssignor.java —
 * assignPartitions, allSubscriptionsEqual, ConstrainedAssignmentBuilder (assignOwnedPartitions,
 * getUnassignedPartitions, assignRoundRobin, assignNewPartition, verifyUnfilledMembers);
 * CooperativeStickyAssignor.java — assignPartitions, adjustAssignment,
 * computePartitionsTransferringOwnership. Read and re-expressed, not copied.
 *
 * Orders that decide ties, as in Kafka: members are visited in the iteration order of the
 * leader's HashMaps (c->jorder, then the consumerToOwnedPartitions map filled in that order);
 * a member's owned partitions by (partition, topic); unassigned partitions by (topic,
 * partition); the under-quota members by member id; members at exactly the minimum quota in
 * a FIFO, sorted by member id before the round robin starts.
 */
#include "model/assign_internal.h"

#include <assert.h>
#include <stdlib.h>

/* allSubscriptionsEqual's outputs. */
struct claims {
	uint32_t *kept_by;     /* partition -> the member whose owned list keeps it */
	uint32_t *prev_owner;  /* allPreviousPartitionsToOwner */
	bool     *multi;       /* partitionsWithMultiplePreviousOwners */
	bool      all_equal;
	int32_t   max_gen;
};

static bool same_subscription(const struct actx *c, uint32_t a, uint32_t b)
{
	uint32_t na = c->sub_first[a + 1] - c->sub_first[a];
	uint32_t nb = c->sub_first[b + 1] - c->sub_first[b];
	if (na != nb)
		return false;
	for (uint32_t i = 0; i < na; i++)
		if (c->sub_list[c->sub_first[a] + i] != c->sub_list[c->sub_first[b] + i])
			return false;
	return true;
}

/* One owned partition claimed by member m: the first claimant keeps it; a later claimant of
 * the same generation invalidates it for both; a higher generation takes it over. */
static void claim(const struct actx *c, struct claims *cl, uint32_t m, uint32_t g)
{
	uint32_t other = cl->prev_owner[g];
	int32_t gen = c->in->members[m].generation;
	if (other == ASSIGN_NONE) {
		cl->kept_by[g] = m;
		cl->prev_owner[g] = m;
		return;
	}
	int32_t other_gen = c->in->members[other].generation;
	if (gen == other_gen) {
		cl->multi[g] = true;
		if (cl->kept_by[g] == other)
			cl->kept_by[g] = ASSIGN_NONE;
		cl->prev_owner[g] = m;
	} else if (gen > other_gen) {
		cl->kept_by[g] = m;
		cl->prev_owner[g] = m;
	}
}

/* AbstractStickyAssignor.allSubscriptionsEqual. Its quirk is kept: the reference subscription
 * is taken again while it is empty, so members with no subscription seen first do not count. */
static enum assign_err all_subscriptions_equal(const struct actx *c, struct claims *cl)
{
	uint32_t max_owned = 0;
	for (uint32_t m = 0; m < c->nm; m++)
		if (c->in->members[m].n_owned > max_owned)
			max_owned = c->in->members[m].n_owned;
	uint32_t *buf = calloc(max_owned ? max_owned : 1, sizeof(uint32_t));
	if (buf == NULL)
		return ASSIGN_ERR_NOMEM;
	uint32_t ref = ASSIGN_NONE;
	cl->all_equal = true;
	cl->max_gen = ASSIGN_NO_GENERATION;
	for (uint32_t k = 0; k < c->nm; k++) {
		uint32_t m = c->jorder[k];
		if (ref == ASSIGN_NONE || c->sub_first[ref + 1] == c->sub_first[ref])
			ref = m;
		else if (cl->all_equal && !same_subscription(c, ref, m))
			cl->all_equal = false;
		if (c->in->members[m].generation > cl->max_gen)
			cl->max_gen = c->in->members[m].generation;
		uint32_t n = actx_owned(c, m, buf);
		for (uint32_t i = 0; i < n; i++)
			claim(c, cl, m, buf[i]);
	}
	free(buf);
	return ASSIGN_OK;
}

/* The constrained builder's state. */
struct cons {
	struct actx         *c;
	const struct claims *cl;
	uint32_t  min_q, max_q;
	uint32_t  expected;        /* members that end above min_q: P % M */
	uint32_t  current;         /* members above min_q so far */
	uint32_t *count;           /* member -> partitions assigned */
	bool     *revoked;         /* allRevokedPartitions */
	uint32_t *transfer;        /* partitionsTransferringOwnership: partition -> member */
	uint32_t *under;           /* unfilledMembersWithUnderMinQuotaPartitions, NONE = removed */
	uint32_t  n_under, live_under, it, last;
	uint32_t *exact;           /* ...WithExactlyMinQuotaPartitions: FIFO [head, tail) */
	uint32_t  head, tail;
};

/* A member's owned partition and its sort key (partition, then topic name). */
struct owned_key {
	uint32_t partition;
	uint32_t trank;
	uint32_t g;
};

static int owned_key_cmp(const void *pa, const void *pb)
{
	const struct owned_key *a = pa, *b = pb;
	if (a->partition != b->partition)
		return a->partition < b->partition ? -1 : 1;
	return a->trank < b->trank ? -1 : a->trank > b->trank;
}

static void exact_add(struct cons *s, uint32_t m)
{
	assert(s->tail < 2 * s->c->nm + 1);
	s->exact[s->tail++] = m;
}

static void keep(struct cons *s, uint32_t m, const struct owned_key *k, uint32_t n, uint32_t q)
{
	for (uint32_t i = 0; i < n; i++) {
		if (i < q) {
			s->c->owner[k[i].g] = m;
			s->count[m]++;
		} else {
			s->revoked[k[i].g] = true;
		}
	}
}

/* ConstrainedAssignmentBuilder.assignOwnedPartitions for one member. */
static void assign_owned_member(struct cons *s, uint32_t m, const struct owned_key *k, uint32_t n)
{
	if (n < s->min_q) {
		keep(s, m, k, n, n);
		s->under[s->n_under++] = m;
	} else if (n >= s->max_q && s->current < s->expected) {
		if (++s->current == s->expected)
			s->head = s->tail;          /* clear(): nobody else may go above min_q */
		keep(s, m, k, n, s->max_q);
	} else {
		keep(s, m, k, n, s->min_q);
		if (s->current < s->expected)
			exact_add(s, m);
	}
}

/* Each member's kept, valid owned partitions, grouped by member and sorted. */
static struct owned_key *owned_lists(const struct cons *s, uint32_t *first)
{
	const struct actx *c = s->c;
	for (uint32_t g = 0; g < c->ptotal; g++) {
		uint32_t m = s->cl->kept_by[g];
		if (m != ASSIGN_NONE && !s->cl->multi[g])
			first[m + 1]++;
	}
	for (uint32_t m = 0; m < c->nm; m++)
		first[m + 1] += first[m];
	struct owned_key *keys = calloc(first[c->nm] ? first[c->nm] : 1, sizeof(*keys));
	uint32_t *fill = calloc(c->nm, sizeof(uint32_t));
	if (keys == NULL || fill == NULL) {
		free(fill);
		free(keys);
		return NULL;
	}
	for (uint32_t g = 0; g < c->ptotal; g++) {
		uint32_t m = s->cl->kept_by[g];
		if (m == ASSIGN_NONE || s->cl->multi[g])
			continue;
		uint32_t t = c->ptopic[g];
		keys[first[m] + fill[m]++] = (struct owned_key){g - c->base[t], c->trank[t], g};
	}
	for (uint32_t m = 0; m < c->nm; m++)
		qsort(keys + first[m], first[m + 1] - first[m], sizeof(*keys), owned_key_cmp);
	free(fill);
	return keys;
}

/* The consumerToOwnedPartitions map: put() in the leader map's order, iterated in its own. */
static enum assign_err assign_owned(struct cons *s)
{
	struct actx *c = s->c;
	uint32_t *order = calloc(c->nm, sizeof(uint32_t));
	uint32_t *first = calloc(c->nm + 1, sizeof(uint32_t));
	struct owned_key *keys = order && first ? owned_lists(s, first) : NULL;
	enum assign_err err = keys ? ASSIGN_OK : ASSIGN_ERR_NOMEM;
	if (err == ASSIGN_OK)
		err = jmap_order(c->mhash, c->jorder, c->nm, order, &c->approx);
	for (uint32_t k = 0; k < c->nm && err == ASSIGN_OK; k++) {
		uint32_t m = order[k];
		assign_owned_member(s, m, keys + first[m], first[m + 1] - first[m]);
	}
	free(keys);
	free(first);
	free(order);
	return err;
}

static int u64_cmp(const void *pa, const void *pb)
{
	const uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
	return a < b ? -1 : a > b;
}

/* Sorts members by id: packs (rank << 32 | member), sorts, unpacks. */
static enum assign_err sort_by_id(const struct actx *c, uint32_t *v, uint32_t n)
{
	uint64_t *k = calloc(n ? n : 1, sizeof(uint64_t));
	if (k == NULL)
		return ASSIGN_ERR_NOMEM;
	for (uint32_t i = 0; i < n; i++)
		k[i] = (uint64_t)c->mrank[v[i]] << 32 | v[i];
	qsort(k, n, sizeof(uint64_t), u64_cmp);
	for (uint32_t i = 0; i < n; i++)
		v[i] = (uint32_t)k[i];
	free(k);
	return ASSIGN_OK;
}

/* The under-quota list's iterator (a java.util.LinkedList iterator with remove()). */
static bool under_has_next(struct cons *s)
{
	while (s->it < s->n_under && s->under[s->it] == ASSIGN_NONE)
		s->it++;
	return s->it < s->n_under;
}

static void under_restart(struct cons *s)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < s->n_under; i++)
		if (s->under[i] != ASSIGN_NONE)
			s->under[n++] = s->under[i];
	s->n_under = n;
	s->it = 0;
}

static void assign_new(struct cons *s, uint32_t g, uint32_t m)
{
	s->c->owner[g] = m;
	s->count[m]++;
	if (s->revoked[g] || s->cl->multi[g])
		s->transfer[g] = m;
}

/* The member the next unassigned partition goes to; ASSIGN_NONE where Kafka throws
 * ("No more unfilled consumers to be assigned."). */
static uint32_t next_member(struct cons *s, bool *from_under)
{
	*from_under = true;
	if (!under_has_next(s)) {
		if (s->live_under == 0 && s->head == s->tail)
			return ASSIGN_NONE;
		if (s->live_under == 0) {
			*from_under = false;
			return s->exact[s->head++];
		}
		under_restart(s);
		(void)under_has_next(s);
	}
	s->last = s->it++;
	return s->under[s->last];
}

/* ConstrainedAssignmentBuilder.assignRoundRobin over the unassigned partitions. */
static enum assign_err assign_round_robin(struct cons *s)
{
	struct actx *c = s->c;
	for (uint32_t r = 0; r < c->nt; r++) {
		uint32_t t = c->torder[r];
		for (uint32_t p = 0; p < c->np[t]; p++) {
			uint32_t g = actx_gp(c, t, p);
			if (c->owner[g] != ASSIGN_NONE)
				continue;
			bool from_under;
			uint32_t m = next_member(s, &from_under);
			if (m == ASSIGN_NONE)
				return ASSIGN_ERR_KAFKA_THROWS;
			assign_new(s, g, m);
			if (s->count[m] == s->min_q) {
				assert(from_under);
				s->under[s->last] = ASSIGN_NONE;
				s->live_under--;
				exact_add(s, m);
			} else if (s->count[m] == s->max_q) {
				s->current++;
			}
		}
	}
	return ASSIGN_OK;
}

/* verifyUnfilledMembers: members left under the quota are an IllegalStateException. */
static enum assign_err verify_unfilled(const struct cons *s)
{
	if (s->live_under == 0)
		return ASSIGN_OK;
	if (s->current != s->expected)
		return ASSIGN_ERR_KAFKA_THROWS;
	for (uint32_t i = 0; i < s->n_under; i++)
		if (s->under[i] != ASSIGN_NONE && s->count[s->under[i]] != s->min_q)
			return ASSIGN_ERR_KAFKA_THROWS;
	return ASSIGN_OK;
}

static enum assign_err cons_alloc(struct cons *s)
{
	uint32_t nm = s->c->nm, pt = s->c->ptotal;
	s->count = calloc(nm, sizeof(uint32_t));
	s->under = calloc(nm, sizeof(uint32_t));
	s->exact = calloc(2 * (size_t)nm + 1, sizeof(uint32_t));
	s->revoked = calloc(pt ? pt : 1, sizeof(bool));
	if (!s->count || !s->under || !s->exact || !s->revoked)
		return ASSIGN_ERR_NOMEM;
	s->min_q = pt / nm;
	s->max_q = (pt + nm - 1) / nm;
	s->expected = pt % nm;
	return ASSIGN_OK;
}

static void cons_free(struct cons *s)
{
	free(s->count);
	free(s->under);
	free(s->exact);
	free(s->revoked);
}

/* ConstrainedAssignmentBuilder.build without racks. */
static enum assign_err constrained(struct actx *c, const struct claims *cl, uint32_t *transfer)
{
	assert(c->nm > 0);
	struct cons s = {.c = c, .cl = cl, .transfer = transfer};
	enum assign_err err = cons_alloc(&s);
	if (err == ASSIGN_OK)
		err = assign_owned(&s);
	if (err == ASSIGN_OK) {
		s.live_under = s.n_under;
		err = sort_by_id(c, s.under, s.n_under);
	}
	if (err == ASSIGN_OK)
		err = sort_by_id(c, s.exact + s.head, s.tail - s.head);
	if (err == ASSIGN_OK)
		err = assign_round_robin(&s);
	if (err == ASSIGN_OK)
		err = verify_unfilled(&s);
	cons_free(&s);
	return err;
}

/* CooperativeStickyAssignor.adjustAssignment: a partition changing owner leaves the new
 * owner's answer; the previous owner, not finding it in its own, revokes it first. */
static void withhold(struct actx *c, const uint32_t *transfer)
{
	for (uint32_t g = 0; g < c->ptotal; g++) {
		if (transfer[g] == ASSIGN_NONE)
			continue;
		assert(c->owner[g] == transfer[g]);
		c->moving_to[g] = transfer[g];
		c->owner[g] = ASSIGN_NONE;
	}
}

/* computePartitionsTransferringOwnership (general path): partitions assigned to a member that
 * did not own them while another member owned them. */
static enum assign_err transfers_from_owned(const struct actx *c, uint32_t *transfer)
{
	bool *kept = calloc(c->ptotal ? c->ptotal : 1, sizeof(bool));
	bool *revoked = calloc(c->ptotal ? c->ptotal : 1, sizeof(bool));
	uint32_t *buf = calloc(c->ptotal ? c->ptotal : 1, sizeof(uint32_t));
	enum assign_err err = kept && revoked && buf ? ASSIGN_OK : ASSIGN_ERR_NOMEM;
	for (uint32_t m = 0; m < c->nm && err == ASSIGN_OK; m++) {
		uint32_t n = actx_owned(c, m, buf);
		for (uint32_t i = 0; i < n; i++) {
			if (c->owner[buf[i]] == m)
				kept[buf[i]] = true;
			else
				revoked[buf[i]] = true;
		}
	}
	for (uint32_t g = 0; g < c->ptotal && err == ASSIGN_OK; g++)
		if (c->owner[g] != ASSIGN_NONE && !kept[g] && revoked[g])
			transfer[g] = c->owner[g];
	free(buf);
	free(revoked);
	free(kept);
	return err;
}

static enum assign_err claims_alloc(const struct actx *c, struct claims *cl)
{
	size_t n = c->ptotal ? c->ptotal : 1;
	cl->kept_by = calloc(n, sizeof(uint32_t));
	cl->prev_owner = calloc(n, sizeof(uint32_t));
	cl->multi = calloc(n, sizeof(bool));
	if (!cl->kept_by || !cl->prev_owner || !cl->multi)
		return ASSIGN_ERR_NOMEM;
	for (uint32_t g = 0; g < c->ptotal; g++)
		cl->kept_by[g] = cl->prev_owner[g] = ASSIGN_NONE;
	return ASSIGN_OK;
}

static void claims_free(struct claims *cl)
{
	free(cl->kept_by);
	free(cl->prev_owner);
	free(cl->multi);
}

enum assign_err assign_sticky(struct actx *c, bool cooperative, bool force_general)
{
	assert(c->nm > 0);
	struct claims cl = {0};
	uint32_t *transfer = calloc(c->ptotal ? c->ptotal : 1, sizeof(uint32_t));
	enum assign_err err = transfer ? claims_alloc(c, &cl) : ASSIGN_ERR_NOMEM;
	if (err == ASSIGN_OK)
		err = all_subscriptions_equal(c, &cl);
	for (uint32_t g = 0; g < c->ptotal && err == ASSIGN_OK; g++)
		transfer[g] = ASSIGN_NONE;
	if (err == ASSIGN_OK && cl.all_equal && !force_general) {
		err = constrained(c, &cl, transfer);
	} else if (err == ASSIGN_OK) {
		c->general = true;
		err = assign_general(c, cl.kept_by, cl.max_gen);
		if (err == ASSIGN_OK && cooperative)
			err = transfers_from_owned(c, transfer);
	}
	if (err == ASSIGN_OK && cooperative)
		withhold(c, transfer);
	claims_free(&cl);
	free(transfer);
	return err;
}
