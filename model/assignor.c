/*
 * assignor.c — the assignor entry point: checks the question, numbers the partitions the
 * assignor sees, runs range or roundrobin here (the sticky ones live in assign_sticky.c and
 * assign_general.c), and lays out the answer.
 *
 * Kafka sources: AbstractPartitionAssignor.assign (partitionsPerTopic = the created topics in
 * the union of the subscriptions), AbstractPartitionAssignor.MemberInfo.compareTo (static
 * members first, by group.instance.id, then member ids), RangeAssignor.assignPartitions and
 * assignRanges without racks, RoundRobinAssignor.assign with its CircularIterator.
 */
#include "model/assign_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

struct named {
	const char *name;
	uint32_t    idx;
};

static int named_cmp(const void *pa, const void *pb)
{
	const struct named *a = pa, *b = pb;
	int r = assign_java_compare(a->name, b->name);
	if (r != 0)
		return r;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Sorts n names (Java order); writes rank[i] and order[rank]; returns the index of a repeated
 * name, or ASSIGN_NONE. */
static uint32_t rank_names(struct named *v, uint32_t n, uint32_t *rank, uint32_t *order)
{
	qsort(v, n, sizeof(*v), named_cmp);
	for (uint32_t r = 0; r < n; r++) {
		if (r > 0 && assign_java_compare(v[r - 1].name, v[r].name) == 0)
			return v[r].idx;
		rank[v[r].idx] = r;
		order[r] = v[r].idx;
	}
	return ASSIGN_NONE;
}

static void *xcalloc(size_t n, size_t size)
{
	return calloc(n ? n : 1, size);
}

static enum assign_err check_limits(const struct assign_input *in)
{
	if (in->n_members > ASSIGN_MAX_MEMBERS || in->n_topics > ASSIGN_MAX_TOPICS)
		return ASSIGN_ERR_LIMIT;
	uint64_t total = 0, subs = 0, owned = 0;
	for (uint32_t t = 0; t < in->n_topics; t++)
		total += in->topics[t].partitions;
	for (uint32_t m = 0; m < in->n_members; m++) {
		subs += in->members[m].n_topics;
		owned += in->members[m].n_owned;
	}
	if (subs > ASSIGN_MAX_SUBSCRIPTIONS || owned > ASSIGN_MAX_OWNED)
		return ASSIGN_ERR_LIMIT;
	return total > ASSIGN_MAX_PARTITIONS ? ASSIGN_ERR_LIMIT : ASSIGN_OK;
}

static enum assign_err rank_topics(struct actx *c, struct assign_result *out)
{
	struct named *v = xcalloc(c->nt, sizeof(*v));
	if (v == NULL)
		return ASSIGN_ERR_NOMEM;
	for (uint32_t t = 0; t < c->nt; t++) {
		if (c->in->topics[t].name == NULL) {
			free(v);
			out->err_topic = t;
			return ASSIGN_ERR_BAD_TOPIC;
		}
		v[t] = (struct named){c->in->topics[t].name, t};
	}
	out->err_topic = rank_names(v, c->nt, c->trank, c->torder);
	free(v);
	return out->err_topic == ASSIGN_NONE ? ASSIGN_OK : ASSIGN_ERR_BAD_TOPIC;
}

static enum assign_err rank_members(struct actx *c, struct assign_result *out)
{
	struct named *v = xcalloc(c->nm, sizeof(*v));
	if (v == NULL)
		return ASSIGN_ERR_NOMEM;
	for (uint32_t m = 0; m < c->nm; m++) {
		if (c->in->members[m].member_id == NULL) {
			free(v);
			out->err_member = m;
			return ASSIGN_ERR_BAD_MEMBER;
		}
		v[m] = (struct named){c->in->members[m].member_id, m};
	}
	out->err_member = rank_names(v, c->nm, c->mrank, c->morder);
	free(v);
	return out->err_member == ASSIGN_NONE ? ASSIGN_OK : ASSIGN_ERR_BAD_MEMBER;
}

static int u32_cmp(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	return a < b ? -1 : a > b;
}

/* Copies one member's subscription to sub_list + at, sorted; false on a bad or repeated
 * topic index. */
static bool load_member_subscription(struct actx *c, uint32_t m, uint32_t at)
{
	const struct assign_member *mb = &c->in->members[m];
	if (mb->n_topics > 0 && mb->topics == NULL)
		return false;
	for (uint32_t i = 0; i < mb->n_topics; i++) {
		if (mb->topics[i] >= c->nt)
			return false;
		c->sub_list[at + i] = mb->topics[i];
	}
	qsort(c->sub_list + at, mb->n_topics, sizeof(uint32_t), u32_cmp);
	for (uint32_t i = 1; i < mb->n_topics; i++)
		if (c->sub_list[at + i] == c->sub_list[at + i - 1])
			return false;
	return true;
}

static enum assign_err load_subscriptions(struct actx *c, struct assign_result *out)
{
	uint32_t total = 0;
	for (uint32_t m = 0; m < c->nm; m++)
		total += c->in->members[m].n_topics;     /* bounded by check_limits */
	c->sub_first = xcalloc(c->nm + 1, sizeof(uint32_t));
	c->sub_list = xcalloc(total, sizeof(uint32_t));
	if (c->sub_first == NULL || c->sub_list == NULL)
		return ASSIGN_ERR_NOMEM;
	uint32_t at = 0;
	for (uint32_t m = 0; m < c->nm; m++) {
		c->sub_first[m] = at;
		if (!load_member_subscription(c, m, at)) {
			out->err_member = m;
			return ASSIGN_ERR_BAD_SUBSCRIPTION;
		}
		at += c->in->members[m].n_topics;
	}
	c->sub_first[c->nm] = at;
	return ASSIGN_OK;
}

bool actx_subscribed(const struct actx *c, uint32_t member, uint32_t topic)
{
	assert(member < c->nm);
	uint32_t lo = c->sub_first[member], hi = c->sub_first[member + 1];
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (c->sub_list[mid] == topic)
			return true;
		if (c->sub_list[mid] < topic)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The partitions the assignor sees: created topics somebody subscribes to. */
static enum assign_err number_partitions(struct actx *c)
{
	for (uint32_t i = 0; i < c->sub_first[c->nm]; i++)
		c->nsubs[c->sub_list[i]]++;
	c->ptotal = 0;
	for (uint32_t t = 0; t < c->nt; t++) {
		c->np[t] = c->nsubs[t] > 0 ? c->in->topics[t].partitions : 0;
		if (c->np[t] == 0)
			c->nsubs[t] = 0;
		c->base[t] = c->ptotal;
		c->ptotal += c->np[t];
	}
	c->ptopic = xcalloc(c->ptotal, sizeof(uint32_t));
	c->owner = xcalloc(c->ptotal, sizeof(uint32_t));
	c->moving_to = xcalloc(c->ptotal, sizeof(uint32_t));
	if (c->ptopic == NULL || c->owner == NULL || c->moving_to == NULL)
		return ASSIGN_ERR_NOMEM;
	for (uint32_t t = 0; t < c->nt; t++)
		for (uint32_t p = 0; p < c->np[t]; p++)
			c->ptopic[c->base[t] + p] = t;
	for (uint32_t g = 0; g < c->ptotal; g++)
		c->owner[g] = c->moving_to[g] = ASSIGN_NONE;
	return ASSIGN_OK;
}

/* Owned partitions: in range and not repeated; generation not below -1. Partitions of topics
 * without metadata are not checked (Kafka drops them). stamp: one slot per input partition. */
static enum assign_err check_member_owned(const struct actx *c, uint32_t m, uint32_t *stamp,
					  const uint32_t *in_base)
{
	const struct assign_member *mb = &c->in->members[m];
	if (mb->generation < ASSIGN_NO_GENERATION)
		return ASSIGN_ERR_BAD_GENERATION;
	if (mb->n_owned > 0 && mb->owned == NULL)
		return ASSIGN_ERR_BAD_OWNED;
	for (uint32_t i = 0; i < mb->n_owned; i++) {
		struct assign_tp tp = mb->owned[i];
		if (tp.topic >= c->nt)
			return ASSIGN_ERR_BAD_OWNED;
		uint32_t np = c->in->topics[tp.topic].partitions;
		if (np == 0)
			continue;
		if (tp.partition >= np || stamp[in_base[tp.topic] + tp.partition] == m + 1)
			return ASSIGN_ERR_BAD_OWNED;
		stamp[in_base[tp.topic] + tp.partition] = m + 1;
	}
	return ASSIGN_OK;
}

static enum assign_err check_owned(const struct actx *c, struct assign_result *out)
{
	uint32_t *in_base = xcalloc(c->nt, sizeof(uint32_t));
	uint32_t total = 0;
	if (in_base == NULL)
		return ASSIGN_ERR_NOMEM;
	for (uint32_t t = 0; t < c->nt; t++) {
		in_base[t] = total;
		total += c->in->topics[t].partitions;
	}
	uint32_t *stamp = xcalloc(total, sizeof(uint32_t));
	enum assign_err err = stamp == NULL ? ASSIGN_ERR_NOMEM : ASSIGN_OK;
	for (uint32_t m = 0; m < c->nm && err == ASSIGN_OK; m++) {
		err = check_member_owned(c, m, stamp, in_base);
		if (err != ASSIGN_OK)
			out->err_member = m;
	}
	free(stamp);
	free(in_base);
	return err;
}

uint32_t actx_owned(const struct actx *c, uint32_t member, uint32_t *out)
{
	const struct assign_member *mb = &c->in->members[member];
	uint32_t n = 0;
	for (uint32_t i = 0; i < mb->n_owned; i++) {
		struct assign_tp tp = mb->owned[i];
		if (c->np[tp.topic] > 0)
			out[n++] = actx_gp(c, tp.topic, tp.partition);
	}
	return n;
}

/* AbstractPartitionAssignor.MemberInfo order: static members by group.instance.id, then the
 * dynamic ones by member id. */
static enum assign_err member_info_order(const struct actx *c, uint32_t *order,
					 struct assign_result *out)
{
	struct named *v = xcalloc(c->nm, sizeof(*v));
	uint32_t *rank = xcalloc(c->nm, sizeof(uint32_t));
	enum assign_err err = v && rank ? ASSIGN_OK : ASSIGN_ERR_NOMEM;
	uint32_t n_static = 0;
	for (uint32_t m = 0; m < c->nm && err == ASSIGN_OK; m++) {
		const char *inst = c->in->members[m].group_instance_id;
		if (inst != NULL)
			v[n_static++] = (struct named){inst, m};
	}
	if (err == ASSIGN_OK) {
		out->err_member = rank_names(v, n_static, rank, order);
		if (out->err_member != ASSIGN_NONE)
			err = ASSIGN_ERR_BAD_INSTANCE;
	}
	for (uint32_t r = 0; r < c->nm && err == ASSIGN_OK; r++) {
		uint32_t m = c->morder[r];
		if (c->in->members[m].group_instance_id == NULL)
			order[n_static++] = m;
	}
	free(rank);
	free(v);
	return err;
}

/* RangeAssignor: per topic, members subscribed to it in MemberInfo order; the first
 * P % C get P / C + 1 consecutive partitions, the rest P / C. */
static void assign_range(struct actx *c, const uint32_t *minfo)
{
	for (uint32_t t = 0; t < c->nt; t++) {
		if (c->np[t] == 0)
			continue;
		uint32_t each = c->np[t] / c->nsubs[t], extra = c->np[t] % c->nsubs[t];
		uint32_t next = 0, i = 0;
		for (uint32_t k = 0; k < c->nm; k++) {
			uint32_t m = minfo[k];
			if (!actx_subscribed(c, m, t))
				continue;
			uint32_t len = each + (i++ < extra ? 1 : 0);
			for (uint32_t j = 0; j < len; j++)
				c->owner[actx_gp(c, t, next++)] = m;
		}
		assert(next == c->np[t]);
	}
}

/* RoundRobinAssignor: all partitions, topics by name, dealt around the members in MemberInfo
 * order, skipping a member not subscribed to the partition's topic. */
static void assign_roundrobin(struct actx *c, const uint32_t *minfo)
{
	uint32_t at = 0;
	for (uint32_t r = 0; r < c->nt; r++) {
		uint32_t t = c->torder[r];
		for (uint32_t p = 0; p < c->np[t]; p++) {
			while (!actx_subscribed(c, minfo[at], t))
				at = (at + 1) % c->nm;
			c->owner[actx_gp(c, t, p)] = minfo[at];
			at = (at + 1) % c->nm;
		}
	}
}

static enum assign_err run_strategy(struct actx *c, struct assign_result *out,
				    const struct assign_opts *opts)
{
	enum assign_strategy s = c->in->strategy;
	if (s == ASSIGN_STICKY || s == ASSIGN_COOPERATIVE_STICKY)
		return assign_sticky(c, s == ASSIGN_COOPERATIVE_STICKY, opts->force_general);
	uint32_t *minfo = xcalloc(c->nm, sizeof(uint32_t));
	if (minfo == NULL)
		return ASSIGN_ERR_NOMEM;
	enum assign_err err = member_info_order(c, minfo, out);
	if (err == ASSIGN_OK && s == ASSIGN_RANGE)
		assign_range(c, minfo);
	else if (err == ASSIGN_OK)
		assign_roundrobin(c, minfo);
	free(minfo);
	return err;
}

/* Lays out the answer: each member's partitions by (topic name, partition). */
static enum assign_err build_result(const struct actx *c, struct assign_result *out)
{
	out->n_members = c->nm;
	out->first = xcalloc(c->nm + 1, sizeof(uint32_t));
	out->tps = xcalloc(c->ptotal, sizeof(struct assign_tp));
	out->moving = xcalloc(c->ptotal, sizeof(struct assign_moving));
	uint32_t *fill = xcalloc(c->nm + 1, sizeof(uint32_t));
	if (!out->first || !out->tps || !out->moving || !fill) {
		free(fill);
		return ASSIGN_ERR_NOMEM;
	}
	for (uint32_t g = 0; g < c->ptotal; g++)
		if (c->owner[g] != ASSIGN_NONE)
			out->first[c->owner[g] + 1]++;
	for (uint32_t m = 0; m < c->nm; m++)
		out->first[m + 1] += out->first[m];
	memcpy(fill, out->first, sizeof(uint32_t) * (c->nm + 1));
	for (uint32_t r = 0; r < c->nt; r++) {
		uint32_t t = c->torder[r];
		for (uint32_t p = 0; p < c->np[t]; p++) {
			uint32_t g = actx_gp(c, t, p), m = c->owner[g];
			if (m != ASSIGN_NONE)
				out->tps[fill[m]++] = (struct assign_tp){t, p};
			if (c->moving_to[g] != ASSIGN_NONE)
				out->moving[out->n_moving++] =
					(struct assign_moving){{t, p}, c->moving_to[g]};
		}
	}
	free(fill);
	out->general_path = c->general;
	out->approx_order = c->approx;
	return ASSIGN_OK;
}

static void actx_free(struct actx *c)
{
	free(c->mrank);
	free(c->morder);
	free(c->trank);
	free(c->torder);
	free(c->np);
	free(c->base);
	free(c->nsubs);
	free(c->ptopic);
	free(c->sub_first);
	free(c->sub_list);
	free(c->jorder);
	free(c->mhash);
	free(c->owner);
	free(c->moving_to);
}

static enum assign_err actx_alloc(struct actx *c)
{
	c->mrank = xcalloc(c->nm, sizeof(uint32_t));
	c->morder = xcalloc(c->nm, sizeof(uint32_t));
	c->jorder = xcalloc(c->nm, sizeof(uint32_t));
	c->mhash = xcalloc(c->nm, sizeof(uint32_t));
	c->trank = xcalloc(c->nt, sizeof(uint32_t));
	c->torder = xcalloc(c->nt, sizeof(uint32_t));
	c->np = xcalloc(c->nt, sizeof(uint32_t));
	c->base = xcalloc(c->nt, sizeof(uint32_t));
	c->nsubs = xcalloc(c->nt, sizeof(uint32_t));
	if (!c->mrank || !c->morder || !c->jorder || !c->mhash || !c->trank || !c->torder ||
	    !c->np || !c->base || !c->nsubs)
		return ASSIGN_ERR_NOMEM;
	return ASSIGN_OK;
}

/* The leader's `subscriptions` HashMap: member ids put in JoinGroup response order. */
static enum assign_err leader_map_order(struct actx *c)
{
	uint32_t *ins = xcalloc(c->nm, sizeof(uint32_t));
	if (ins == NULL)
		return ASSIGN_ERR_NOMEM;
	for (uint32_t m = 0; m < c->nm; m++) {
		c->mhash[m] = assign_java_hash(c->in->members[m].member_id);
		ins[m] = m;
	}
	enum assign_err err = jmap_order(c->mhash, ins, c->nm, c->jorder, &c->approx);
	free(ins);
	return err;
}

static enum assign_err prepare(struct actx *c, struct assign_result *out)
{
	enum assign_err err = check_limits(c->in);
	if (err == ASSIGN_OK)
		err = actx_alloc(c);
	if (err == ASSIGN_OK)
		err = rank_topics(c, out);
	if (err == ASSIGN_OK)
		err = rank_members(c, out);
	if (err == ASSIGN_OK)
		err = load_subscriptions(c, out);
	if (err == ASSIGN_OK)
		err = check_owned(c, out);
	if (err == ASSIGN_OK)
		err = number_partitions(c);
	if (err == ASSIGN_OK)
		err = leader_map_order(c);
	return err;
}

enum assign_err assign_run_opts(const struct assign_input *in, struct assign_result *out,
				const struct assign_opts *opts)
{
	assert(in != NULL);
	assert(out != NULL);
	assert(opts != NULL);
	assert(in->n_topics == 0 || in->topics != NULL);
	assert(in->n_members == 0 || in->members != NULL);
	*out = (struct assign_result){0};
	out->err_member = out->err_topic = ASSIGN_NONE;
	struct actx c = {.in = in, .nm = in->n_members, .nt = in->n_topics};
	enum assign_err err = prepare(&c, out);
	if (err == ASSIGN_OK && c.nm > 0)
		err = run_strategy(&c, out, opts);
	if (err == ASSIGN_OK)
		err = build_result(&c, out);
	actx_free(&c);
	if (err != ASSIGN_OK) {
		uint32_t em = out->err_member, et = out->err_topic;
		assign_result_free(out);
		out->err_member = em;
		out->err_topic = et;
	}
	return err;
}

enum assign_err assign_run(const struct assign_input *in, struct assign_result *out)
{
	const struct assign_opts opts = {.force_general = false};
	return assign_run_opts(in, out, &opts);
}

void assign_result_free(struct assign_result *r)
{
	free(r->first);
	free(r->tps);
	free(r->moving);
	*r = (struct assign_result){0};
	r->err_member = r->err_topic = ASSIGN_NONE;
}

const struct assign_tp *assign_member_tps(const struct assign_result *r, uint32_t member,
					  uint32_t *n)
{
	assert(member < r->n_members);
	*n = r->first[member + 1] - r->first[member];
	return r->tps + r->first[member];
}

static const char *const strategy_names[] = {
	[ASSIGN_RANGE] = "range",
	[ASSIGN_ROUNDROBIN] = "roundrobin",
	[ASSIGN_STICKY] = "sticky",
	[ASSIGN_COOPERATIVE_STICKY] = "cooperative-sticky",
};

const char *assign_strategy_name(enum assign_strategy s)
{
	assert((unsigned)s < sizeof(strategy_names) / sizeof(strategy_names[0]));
	return strategy_names[s];
}

bool assign_strategy_parse(const char *name, enum assign_strategy *out)
{
	for (unsigned s = 0; s < sizeof(strategy_names) / sizeof(strategy_names[0]); s++) {
		if (strcmp(name, strategy_names[s]) == 0) {
			*out = (enum assign_strategy)s;
			return true;
		}
	}
	return false;
}

const char *assign_err_text(enum assign_err e)
{
	switch (e) {
	case ASSIGN_OK:                   return "ok";
	case ASSIGN_ERR_NOMEM:            return "out of memory";
	case ASSIGN_ERR_LIMIT:            return "too many members, topics or partitions";
	case ASSIGN_ERR_BAD_TOPIC:        return "topic name missing or repeated";
	case ASSIGN_ERR_BAD_MEMBER:       return "member id missing or repeated";
	case ASSIGN_ERR_BAD_INSTANCE:     return "group.instance.id used by two members";
	case ASSIGN_ERR_BAD_SUBSCRIPTION: return "subscription names a topic twice or none";
	case ASSIGN_ERR_BAD_OWNED:        return "owned partition out of range or repeated";
	case ASSIGN_ERR_BAD_GENERATION:   return "generation below -1";
	case ASSIGN_ERR_KAFKA_THROWS:     return "Kafka's assignor throws on this input";
	}
	return "unknown error";
}
