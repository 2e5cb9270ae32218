/*
 * group.c — the classic group coordinator of a broker.
 *
 * Kafka: group-coordinator/.../classic/ClassicGroup.java, GroupMetadataManager.java
 * (classicGroupJoin, completeClassicGroupJoin, classicGroupSync, classicGroupHeartbeat,
 * classicGroupLeave, session expiry), OffsetMetadataManager.java (commitOffset, fetchOffsets),
 * GroupCoordinatorConfig (group.initial.rebalance.delay.ms, offsets.commit.timeout.ms).
 *
 * Offsets and the group's metadata (generation, protocol, leader, members and their
 * assignments; GroupMetadataManager.storeGroup after a SyncGroup) are records of the
 * replicated __consumer_offsets partition; a new coordinator rebuilds both from its log, so
 * a coordinator failover keeps the generation and the members' sessions start afresh.
 */
#include "model/group.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "model/broker.h"
#include "model/broker_internal.h"
#include "model/records.h"
#include "model/text.h"
#include "sim/trace.h"

/* ---- helpers ------------------------------------------------------------------------- */

static struct group_state *gs(struct broker *b, uint32_t g)
{
	return g < b->cluster->ngroups ? &b->groups[g] : NULL;
}

static bool same_member(const struct member_ref *a, const struct member_ref *b)
{
	return a->client == b->client && memcmp(a->uuid, b->uuid, 16) == 0;
}

static struct group_member *find_member(struct group_state *g, const struct member_ref *id)
{
	for (uint32_t i = 0; i < g->n_members; i++)
		if (g->members[i].live && same_member(&g->members[i].id, id))
			return &g->members[i];
	return NULL;
}

static uint32_t live_members(const struct group_state *g)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < g->n_members; i++)
		n += g->members[i].live;
	return n;
}

static uint64_t timer_arg(uint32_t g, uint32_t member)
{
	return (uint64_t)g << 32 | member;
}

static void send_group_resp(struct node_ctx *ctx, conn_id conn, uint64_t corr, uint16_t type,
			    int16_t error)
{
	struct group_resp r = {.error = error};
	struct net_msg m;
	PROTO_PUT(&m, type, r);
	broker_reply(ctx, conn, corr, &m, NULL, 0);
}

static void trace_group(struct broker *b, struct node_ctx *ctx, uint32_t g, const char *ev)
{
	struct group_state *s = &b->groups[g];
	struct trace_line *l = node_trace(ctx, ev);
	trace_str(l, "group", b->cluster->groups[g].name);
	trace_int(l, "generation", s->generation);
	trace_uint(l, "members", live_members(s));
	trace_end(l);
}

static bool grow_u32(uint32_t **p, uint32_t *cap, uint32_t need)
{
	return broker_grow((void **)p, cap, need, sizeof(uint32_t));
}

static bool copy_u32(uint32_t **dst, uint32_t *n, uint32_t *cap, const uint8_t *src,
		     uint32_t k);
static struct group_member *add_member(struct broker *b, struct group_state *s,
				       const struct member_ref *id, uint32_t *idx);
static void arm_session(struct node_ctx *ctx, uint32_t g, uint32_t idx, struct group_member *m);

/* ---- setup and loading ------------------------------------------------------------------- */

int group_init(struct broker *b)
{
	b->groups = calloc(b->cluster->ngroups + 1, sizeof(*b->groups));
	if (b->groups == NULL)
		return -1;
	for (uint32_t g = 0; g < b->cluster->ngroups; g++) {
		b->groups[g].offsets = calloc(b->cluster->nparts + 1, sizeof(struct group_offset));
		if (b->groups[g].offsets == NULL)
			return -1;
	}
	return 0;
}

static void free_members(struct group_state *s)
{
	for (uint32_t i = 0; i < s->n_members; i++) {
		free(s->members[i].topics);
		free(s->members[i].owned);
		free(s->members[i].assigned);
	}
	free(s->members);
	s->members = NULL;
	s->n_members = s->members_cap = 0;
}

void group_free(struct broker *b)
{
	if (b->groups == NULL)
		return;
	for (uint32_t g = 0; g < b->cluster->ngroups; g++) {
		free_members(&b->groups[g]);
		free(b->groups[g].offsets);
	}
	free(b->groups);
	free(b->pcommits);
	b->groups = NULL;
}

static void unload(struct group_state *s, uint32_t nparts)
{
	s->loaded = false;
	s->phase = GROUP_EMPTY;
	s->has_leader = false;
	s->rebalance_armed = false;
	s->initial_delay = false;
	for (uint32_t i = 0; i < s->n_members; i++)
		s->members[i].live = false;
	for (uint32_t tp = 0; tp < nparts; tp++)
		s->offsets[tp] = (struct group_offset){-1, -1};
}

void group_reset(struct broker *b)
{
	for (uint32_t g = 0; g < b->cluster->ngroups; g++)
		unload(&b->groups[g], b->cluster->nparts);
	for (uint32_t i = 0; i < b->pcommits_cap; i++)
		b->pcommits[i].live = false;
}

/* Decodes a group metadata snapshot (see store_group) into s; false if malformed. */
static bool restore_group(struct broker *b, struct group_state *s, const uint32_t *w,
			  uint64_t n, int64_t now_us)
{
	if (n < 9)
		return false;
	uint64_t k = 1;      /* w[0] is the group */
	s->generation = (int32_t)w[k++];
	s->protocol = (uint8_t)w[k++];
	s->leader.client = w[k++];
	memcpy(s->leader.uuid, &w[k], 16);
	k += 4;
	s->has_leader = true;
	uint32_t members = w[k++];
	for (uint32_t i = 0; i < s->n_members; i++)
		s->members[i].live = false;
	for (uint32_t m = 0; m < members; m++) {
		if (n - k < 10)
			return false;
		struct member_ref id = {.client = w[k]};
		memcpy(id.uuid, &w[k + 1], 16);
		k += 5;
		uint32_t idx;
		struct group_member *gm = add_member(b, s, &id, &idx);
		if (gm == NULL)
			return false;
		gm->session_timeout_ms = (int32_t)w[k++];
		gm->rebalance_timeout_ms = (int32_t)w[k++];
		memcpy(gm->protocols, &w[k++], 4);
		uint32_t nt = w[k++];
		if (n - k < nt + 1 || !copy_u32(&gm->topics, &gm->n_topics, &gm->topics_cap,
						 (const uint8_t *)&w[k], nt))
			return false;
		k += nt;
		uint32_t na = w[k++];
		if (n - k < na || !copy_u32(&gm->assigned, &gm->n_assigned, &gm->assigned_cap,
					     (const uint8_t *)&w[k], na))
			return false;
		k += na;
		gm->last_generation = s->generation;
		gm->last_heard_us = now_us;
	}
	s->phase = live_members(s) > 0 ? GROUP_STABLE : GROUP_EMPTY;
	return true;
}

/* The words of group g's snapshot that starts at word i of the store, or 0. */
static uint64_t snapshot_len(const struct commit_store *st, uint64_t i)
{
	const uint32_t *w = st->md;
	if (i + 9 > st->md_n)
		return 0;
	uint64_t k = i + 9;
	uint32_t members = w[i + 8];
	for (uint32_t m = 0; m < members; m++) {
		if (k + 10 > st->md_n)
			return 0;
		k += 8;
		k += w[k];          /* topics */
		k++;
		if (k >= st->md_n)
			return 0;
		k += w[k];          /* assignment */
		k++;
	}
	return k <= st->md_n ? k - i : 0;
}

/* GroupMetadataManager load: replay the offset commits and group metadata in the
 * partition's log; the last snapshot of a group wins. */
static void load(struct broker *b, uint32_t g, const struct replica *r, struct node_ctx *ctx)
{
	struct group_state *s = &b->groups[g];
	unload(s, b->cluster->nparts);
	s->loaded = true;
	uint32_t n;
	const struct plog_batch *bs = plog_batches(&r->log, &n);
	uint64_t snap = UINT64_MAX;
	for (uint32_t i = 0; i < n; i++) {
		if (b->commits == NULL)
			break;
		if (bs[i].rec_ref != REC_REF_NONE && (bs[i].rec_ref & GROUPMD_REF_BIT) &&
		    !(bs[i].rec_ref & COMMIT_REF_BIT)) {
			uint64_t at = bs[i].rec_ref & ~GROUPMD_REF_BIT;
			if (at < b->commits->md_n && b->commits->md[at] == g)
				snap = at;
			continue;
		}
		if (!(bs[i].rec_ref & COMMIT_REF_BIT))
			continue;
		uint64_t first = bs[i].rec_ref & ~COMMIT_REF_BIT;
		for (int32_t k = 0; k < bs[i].record_count; k++) {
			if (first + (uint64_t)k >= b->commits->n)
				break;
			const struct commit_rec *c = &b->commits->recs[first + (uint64_t)k];
			if (c->group == g && c->tp < b->cluster->nparts)
				s->offsets[c->tp] = (struct group_offset){c->offset, c->leader_epoch};
		}
	}
	uint64_t len = snap == UINT64_MAX ? 0 : snapshot_len(b->commits, snap);
	if (len > 0 && restore_group(b, s, &b->commits->md[snap], len, ctx->now_us)) {
		for (uint32_t i = 0; i < s->n_members; i++)
			if (s->members[i].live)
				arm_session(ctx, g, i, &s->members[i]);
	}
}

/* onGroupUnloaded: members waiting in JoinGroup or SyncGroup learn NOT_COORDINATOR and go
 * find the new coordinator. */
static void answer_waiting(struct node_ctx *ctx, struct group_state *s, int16_t error)
{
	for (uint32_t i = 0; i < s->n_members; i++) {
		struct group_member *m = &s->members[i];
		if (!m->live)
			continue;
		if (m->join_pending) {
			struct join_group_resp r = {.error = error, .generation = -1};
			struct net_msg out;
			PROTO_PUT(&out, MSG_JOIN_GROUP_RESP, r);
			broker_reply(ctx, m->join_conn, m->join_corr, &out, NULL, 0);
		}
		if (m->sync_pending)
			send_group_resp(ctx, m->sync_conn, m->sync_corr, MSG_SYNC_GROUP_RESP, error);
		m->join_pending = m->sync_pending = false;
	}
}

void group_partition_led(struct broker *b, struct node_ctx *ctx, uint32_t tp, bool leader)
{
	const struct part_cfg *pc = &b->cluster->parts[tp];
	if (pc->topic != b->cluster->offsets_topic)
		return;
	for (uint32_t g = 0; g < b->cluster->ngroups; g++) {
		if (b->cluster->groups[g].offsets_partition != pc->partition)
			continue;
		if (leader) {
			load(b, g, &b->replicas[tp], ctx);
			trace_group(b, ctx, g, "group_loaded");
		} else if (b->groups[g].loaded) {
			answer_waiting(ctx, &b->groups[g], KERR_NOT_COORDINATOR);
			unload(&b->groups[g], b->cluster->nparts);
			trace_group(b, ctx, g, "group_unloaded");
		}
	}
}

int64_t group_committed(const struct broker *b, uint32_t g, uint32_t tp)
{
	const struct group_state *s = &b->groups[g];
	return s->loaded ? s->offsets[tp].offset : -1;
}

/* ---- rebalances -------------------------------------------------------------------------- */

static void remove_member(struct broker *b, struct node_ctx *ctx, struct group_state *s,
			  struct group_member *m)
{
	(void)b;
	m->live = false;
	m->join_pending = false;
	m->sync_pending = false;
	if (m->session_timer != 0)
		node_timer_cancel(ctx, m->session_timer);
	m->session_timer = 0;
	if (s->has_leader && same_member(&s->leader, &m->id))
		s->has_leader = false;
}

static void arm_session(struct node_ctx *ctx, uint32_t g, uint32_t idx, struct group_member *m)
{
	if (m->session_timer != 0)
		node_timer_cancel(ctx, m->session_timer);
	m->last_heard_us = ctx->now_us;
	m->session_timer = node_timer(ctx, ms_to_us(m->session_timeout_ms), BT_GROUP_SESSION,
				      timer_arg(g, idx));
}

/* ClassicGroup.selectProtocol: the protocols every member supports; each member votes for
 * its first such; the most votes win (ties: the earliest in the leader's preference). */
static uint8_t select_protocol(const struct group_state *s, const struct group_member *lead)
{
	uint8_t best = 0;
	uint32_t best_votes = 0;
	for (int k = 0; k < 4 && lead->protocols[k] != 0; k++) {
		uint8_t p = lead->protocols[k];
		bool all = true;
		uint32_t votes = 0;
		for (uint32_t i = 0; i < s->n_members && all; i++) {
			const struct group_member *m = &s->members[i];
			if (!m->live)
				continue;
			int first = -1;
			bool has = false;
			for (int q = 0; q < 4 && m->protocols[q] != 0; q++) {
				has |= m->protocols[q] == p;
				if (first < 0) {
					/* the member's first protocol that every member supports is its
					 * vote; approximated by its first listed one that the leader
					 * also lists */
					for (int z = 0; z < 4 && lead->protocols[z] != 0; z++)
						if (lead->protocols[z] == m->protocols[q])
							first = q;
				}
			}
			all = has;
			if (first >= 0 && m->protocols[first] == p)
				votes++;
		}
		if (all && votes > best_votes) {
			best = p;
			best_votes = votes;
		}
		if (all && best == 0)
			best = p;
	}
	return best;
}

static struct group_member *elect_group_leader(struct group_state *s)
{
	if (s->has_leader) {
		struct group_member *m = find_member(s, &s->leader);
		if (m != NULL)
			return m;
	}
	struct group_member *first = NULL;
	for (uint32_t i = 0; i < s->n_members; i++)
		if (s->members[i].live && (first == NULL || s->members[i].join_seq < first->join_seq))
			first = &s->members[i];
	return first;
}

static void send_join_resp(struct broker *b, struct node_ctx *ctx, struct group_state *s,
			   struct group_member *m, bool is_leader)
{
	uint32_t bytes = 0;
	if (is_leader)
		for (uint32_t i = 0; i < s->n_members; i++)
			if (s->members[i].live)
				bytes += (uint32_t)sizeof(struct join_member) +
					 4 * (s->members[i].n_topics + s->members[i].n_owned);
	uint8_t *blob = bytes ? broker_scratch(b, bytes) : NULL;
	if (bytes && blob == NULL) {
		b->oom = true;
		return;
	}
	uint32_t off = 0, n = 0;
	for (uint32_t i = 0; is_leader && i < s->n_members; i++) {
		const struct group_member *x = &s->members[i];
		if (!x->live)
			continue;
		struct join_member jm = {x->id, x->last_generation, x->n_topics, x->n_owned};
		memcpy(blob + off, &jm, sizeof(jm));
		off += (uint32_t)sizeof(jm);
		memcpy(blob + off, x->topics, 4 * x->n_topics);
		off += 4 * x->n_topics;
		memcpy(blob + off, x->owned, 4 * x->n_owned);
		off += 4 * x->n_owned;
		n++;
	}
	struct join_group_resp r = {
		.error = KERR_NONE, .protocol = s->protocol, .generation = s->generation,
		.member = m->id, .leader = s->leader, .n_members = n,
	};
	struct net_msg out;
	PROTO_PUT(&out, MSG_JOIN_GROUP_RESP, r);
	broker_reply(ctx, m->join_conn, m->join_corr, &out, blob, off);
}

/* completeClassicGroupJoin: members that did not rejoin are dropped; a new generation. */
static void complete_join(struct broker *b, struct node_ctx *ctx, uint32_t g)
{
	struct group_state *s = &b->groups[g];
	if (s->rebalance_armed)
		node_timer_cancel(ctx, s->rebalance_timer);
	s->rebalance_armed = false;
	s->initial_delay = false;
	for (uint32_t i = 0; i < s->n_members; i++)
		if (s->members[i].live && !s->members[i].join_pending)
			remove_member(b, ctx, s, &s->members[i]);
	s->generation++;
	if (live_members(s) == 0) {
		s->phase = GROUP_EMPTY;
		trace_group(b, ctx, g, "group_empty");
		return;
	}
	struct group_member *lead = elect_group_leader(s);
	s->leader = lead->id;
	s->has_leader = true;
	s->protocol = select_protocol(s, lead);
	s->phase = GROUP_COMPLETING_REBALANCE;
	for (uint32_t i = 0; i < s->n_members; i++) {
		struct group_member *m = &s->members[i];
		if (!m->live)
			continue;
		send_join_resp(b, ctx, s, m, m == lead);
		m->join_pending = false;
		m->n_assigned = 0;
		arm_session(ctx, g, i, m);
	}
	trace_group(b, ctx, g, "group_join_done");
}

static bool all_rejoined(const struct group_state *s)
{
	for (uint32_t i = 0; i < s->n_members; i++)
		if (s->members[i].live && !s->members[i].join_pending)
			return false;
	return true;
}

static int32_t max_rebalance_timeout(const struct group_state *s)
{
	int32_t t = 0;
	for (uint32_t i = 0; i < s->n_members; i++)
		if (s->members[i].live && s->members[i].rebalance_timeout_ms > t)
			t = s->members[i].rebalance_timeout_ms;
	return t;
}

/* prepareRebalance: pending syncs learn of it; the join barrier waits for every member up
 * to the largest rebalance timeout, or group.initial.rebalance.delay.ms for a new group. */
static void prepare_rebalance(struct broker *b, struct node_ctx *ctx, uint32_t g)
{
	struct group_state *s = &b->groups[g];
	bool was_empty = s->phase == GROUP_EMPTY;
	for (uint32_t i = 0; i < s->n_members; i++) {
		struct group_member *m = &s->members[i];
		if (m->live && m->sync_pending) {
			send_group_resp(ctx, m->sync_conn, m->sync_corr, MSG_SYNC_GROUP_RESP,
					KERR_REBALANCE_IN_PROGRESS);
			m->sync_pending = false;
		}
	}
	s->phase = GROUP_PREPARING_REBALANCE;
	s->new_member = false;
	if (s->rebalance_armed)
		node_timer_cancel(ctx, s->rebalance_timer);
	int64_t delay_ms = max_rebalance_timeout(s);
	if (was_empty && b->cfg->group_initial_rebalance_delay_ms > 0) {
		/* InitialDelayedJoin: wait for more members of a new group. */
		s->initial_delay = true;
		s->initial_deadline_us = ctx->now_us + ms_to_us(delay_ms);
		delay_ms = b->cfg->group_initial_rebalance_delay_ms < delay_ms
			? b->cfg->group_initial_rebalance_delay_ms : delay_ms;
	}
	s->rebalance_timer = node_timer(ctx, ms_to_us(delay_ms), BT_GROUP_REBALANCE,
					(uint64_t)g << 32);
	s->rebalance_armed = true;
	trace_group(b, ctx, g, "group_rebalance");
}

static void maybe_complete_join(struct broker *b, struct node_ctx *ctx, uint32_t g)
{
	struct group_state *s = &b->groups[g];
	if (s->phase == GROUP_PREPARING_REBALANCE && !s->initial_delay && all_rejoined(s))
		complete_join(b, ctx, g);
}

static void member_gone(struct broker *b, struct node_ctx *ctx, uint32_t g,
			struct group_member *m)
{
	struct group_state *s = &b->groups[g];
	remove_member(b, ctx, s, m);
	if (s->phase == GROUP_STABLE || s->phase == GROUP_COMPLETING_REBALANCE)
		prepare_rebalance(b, ctx, g);
	else if (s->phase == GROUP_PREPARING_REBALANCE)
		maybe_complete_join(b, ctx, g);
	if (live_members(s) == 0 && s->phase != GROUP_PREPARING_REBALANCE)
		s->phase = GROUP_EMPTY;
}

/* ---- requests ------------------------------------------------------------------------------ */

static bool copy_u32(uint32_t **dst, uint32_t *n, uint32_t *cap, const uint8_t *src, uint32_t k)
{
	if (!grow_u32(dst, cap, k + 1))
		return false;
	memcpy(*dst, src, 4 * (size_t)k);
	*n = k;
	return true;
}

static struct group_member *add_member(struct broker *b, struct group_state *s,
				       const struct member_ref *id, uint32_t *idx)
{
	uint32_t i = 0;
	while (i < s->n_members && s->members[i].live)
		i++;
	if (i == s->n_members) {
		if (!broker_grow((void **)&s->members, &s->members_cap, i + 1, sizeof(*s->members))) {
			b->oom = true;
			return NULL;
		}
		s->n_members++;
	}
	struct group_member *m = &s->members[i];
	m->id = *id;
	m->live = true;
	m->join_pending = m->sync_pending = false;
	m->session_timer = 0;
	m->n_topics = m->n_owned = m->n_assigned = 0;
	m->join_seq = s->join_seq++;
	*idx = i;
	return m;
}

/* KIP-394: a JoinGroup without a member id gets one back with MEMBER_ID_REQUIRED; the id
 * is "<client.id>-<UUID>", the UUID drawn from this broker's stream. */
static void join_new_member(struct broker *b, struct node_ctx *ctx, conn_id conn,
			    uint64_t corr, const struct join_group *j)
{
	struct join_group_resp r = {.error = KERR_MEMBER_ID_REQUIRED, .generation = -1};
	r.member.client = j->member.client;
	uint64_t hi = prng_u64(ctx->prng) | 1, lo = prng_u64(ctx->prng);
	memcpy(r.member.uuid, &hi, 8);
	memcpy(r.member.uuid + 8, &lo, 8);
	struct net_msg out;
	PROTO_PUT(&out, MSG_JOIN_GROUP_RESP, r);
	broker_reply(ctx, conn, corr, &out, NULL, 0);
	(void)b;
}

static void on_join(struct broker *b, struct node_ctx *ctx, conn_id conn,
		    const struct net_msg *msg, const uint8_t *blob, uint32_t len)
{
	struct join_group j;
	PROTO_GET(msg, j);
	struct group_state *s = gs(b, j.group);
	int16_t err = KERR_NONE;
	if (s == NULL || !s->loaded)
		err = KERR_NOT_COORDINATOR;
	else if (len != 4 * (j.n_topics + j.n_owned))
		err = KERR_CORRUPT_MESSAGE;
	if (err == KERR_NONE && member_ref_empty(&j.member)) {
		join_new_member(b, ctx, conn, msg->corr, &j);
		return;
	}
	if (err != KERR_NONE) {
		struct join_group_resp r = {.error = err, .generation = -1};
		struct net_msg out;
		PROTO_PUT(&out, MSG_JOIN_GROUP_RESP, r);
		broker_reply(ctx, conn, msg->corr, &out, NULL, 0);
		return;
	}
	uint32_t idx = 0;
	struct group_member *m = find_member(s, &j.member);
	if (m == NULL) {
		/* The id came from MEMBER_ID_REQUIRED, or the member was removed since:
		 * Kafka answers UNKNOWN_MEMBER_ID only for ids it never issued; kafkasim does
		 * not remember issued ids and admits the member (documented). */
		m = add_member(b, s, &j.member, &idx);
		if (m == NULL)
			return;
		s->new_member = true;          /* extends an initial delay (InitialDelayedJoin) */
	} else {
		idx = (uint32_t)(m - s->members);
	}
	m->session_timeout_ms = j.session_timeout_ms;
	m->rebalance_timeout_ms = j.rebalance_timeout_ms;
	m->last_generation = j.generation;
	memcpy(m->protocols, j.protocols, sizeof(m->protocols));
	if (!copy_u32(&m->topics, &m->n_topics, &m->topics_cap, blob, j.n_topics) ||
	    !copy_u32(&m->owned, &m->n_owned, &m->owned_cap, blob + 4 * j.n_topics, j.n_owned)) {
		b->oom = true;
		return;
	}
	m->join_pending = true;
	m->join_conn = conn;
	m->join_corr = msg->corr;
	if (m->session_timer != 0)
		node_timer_cancel(ctx, m->session_timer);
	m->session_timer = 0;
	if (s->phase != GROUP_PREPARING_REBALANCE)
		prepare_rebalance(b, ctx, j.group);
	else
		maybe_complete_join(b, ctx, j.group);
}

static void send_sync_resp(struct broker *b, struct node_ctx *ctx, conn_id conn, uint64_t corr,
			   int16_t error, const struct group_member *m)
{
	(void)b;
	struct sync_group_resp r = {.error = error, .n_tps = m ? m->n_assigned : 0};
	struct net_msg out;
	PROTO_PUT(&out, MSG_SYNC_GROUP_RESP, r);
	broker_reply(ctx, conn, corr, &out, m ? m->assigned : NULL, 4 * r.n_tps);
}

/* The leader's assignment: every member's partitions. */
static bool take_assignment(struct broker *b, struct group_state *s, const struct sync_group *q,
			    const uint8_t *blob, uint32_t len)
{
	uint32_t off = 0;
	for (uint32_t a = 0; a < q->n_assignments; a++) {
		struct sync_assignment sa;
		if (len - off < sizeof(sa))
			return false;
		memcpy(&sa, blob + off, sizeof(sa));
		off += (uint32_t)sizeof(sa);
		if ((len - off) / 4 < sa.n_tps)
			return false;
		struct group_member *m = find_member(s, &sa.member);
		if (m != NULL && !copy_u32(&m->assigned, &m->n_assigned, &m->assigned_cap,
					   blob + off, sa.n_tps)) {
			b->oom = true;
			return false;
		}
		off += 4 * sa.n_tps;
	}
	return off == len;
}

static uint32_t offsets_tp(const struct broker *b, uint32_t g);

/* GroupMetadataManager.storeGroup: a snapshot of the group as one record. */
static void store_group(struct broker *b, struct node_ctx *ctx, uint32_t g)
{
	struct group_state *s = &b->groups[g];
	if (b->commits == NULL)
		return;
	uint32_t words = 9;
	for (uint32_t i = 0; i < s->n_members; i++)
		if (s->members[i].live)
			words += 10 + s->members[i].n_topics + s->members[i].n_assigned;
	uint32_t *w = (uint32_t *)broker_scratch(b, 4 * words);
	if (w == NULL) {
		b->oom = true;
		return;
	}
	uint32_t k = 0;
	w[k++] = g;
	w[k++] = (uint32_t)s->generation;
	w[k++] = s->protocol;
	w[k++] = s->leader.client;
	memcpy(&w[k], s->leader.uuid, 16);
	k += 4;
	w[k++] = live_members(s);
	for (uint32_t i = 0; i < s->n_members; i++) {
		const struct group_member *m = &s->members[i];
		if (!m->live)
			continue;
		w[k++] = m->id.client;
		memcpy(&w[k], m->id.uuid, 16);
		k += 4;
		w[k++] = (uint32_t)m->session_timeout_ms;
		w[k++] = (uint32_t)m->rebalance_timeout_ms;
		memcpy(&w[k++], m->protocols, 4);
		w[k++] = m->n_topics;
		memcpy(&w[k], m->topics, 4 * m->n_topics);
		k += m->n_topics;
		w[k++] = m->n_assigned;
		memcpy(&w[k], m->assigned, 4 * m->n_assigned);
		k += m->n_assigned;
	}
	assert(k == words);
	uint64_t ref = groupmd_store_add(b->commits, w, words);
	if (ref == REC_REF_NONE) {
		b->oom = true;
		return;
	}
	struct plog_batch batch = {
		.record_count = 1, .size_bytes = (int32_t)(61 + 4 * words),
		.max_timestamp_ms = broker_now_ms(ctx), .producer_id = PLOG_NO_PRODUCER_ID,
		.base_sequence = PLOG_NO_SEQUENCE, .producer_epoch = -1, .rec_ref = ref,
	};
	int64_t end;
	(void)repl_append_internal(b, ctx, offsets_tp(b, g), &batch, &end);
}

/* The checks every group request makes, in Kafka's order: this broker coordinates the group,
 * the member is known, its generation is current; then REBALANCE_IN_PROGRESS while the group
 * is in the phase `busy`. */
static int16_t check_member(struct broker *b, uint32_t g, const struct member_ref *id,
			    int32_t generation, enum group_phase busy, struct group_member **out)
{
	struct group_state *s = gs(b, g);
	*out = s != NULL && s->loaded ? find_member(s, id) : NULL;
	if (s == NULL || !s->loaded)
		return KERR_NOT_COORDINATOR;
	if (*out == NULL)
		return KERR_UNKNOWN_MEMBER_ID;
	if (generation != s->generation)
		return KERR_ILLEGAL_GENERATION;
	return s->phase == busy ? KERR_REBALANCE_IN_PROGRESS : KERR_NONE;
}

static void on_sync(struct broker *b, struct node_ctx *ctx, conn_id conn,
		    const struct net_msg *msg, const uint8_t *blob, uint32_t len)
{
	struct sync_group q;
	PROTO_GET(msg, q);
	struct group_state *s = gs(b, q.group);
	struct group_member *m;
	int16_t err = check_member(b, q.group, &q.member, q.generation,
				   GROUP_PREPARING_REBALANCE, &m);
	if (err != KERR_NONE || s->phase == GROUP_STABLE) {
		send_sync_resp(b, ctx, conn, msg->corr, err, err == KERR_NONE ? m : NULL);
		return;
	}
	m->sync_pending = true;
	m->sync_conn = conn;
	m->sync_corr = msg->corr;
	if (!same_member(&m->id, &s->leader))
		return;
	if (!take_assignment(b, s, &q, blob, len))
		return;
	/* classicGroupSync: the leader's assignment completes the generation, and the group's
	 * metadata is written to its __consumer_offsets partition (storeGroup). */
	s->phase = GROUP_STABLE;
	s->rebalances++;
	store_group(b, ctx, q.group);
	for (uint32_t i = 0; i < s->n_members; i++) {
		struct group_member *x = &s->members[i];
		if (x->live && x->sync_pending) {
			send_sync_resp(b, ctx, x->sync_conn, x->sync_corr, KERR_NONE, x);
			x->sync_pending = false;
		}
	}
	trace_group(b, ctx, q.group, "group_stable");
}

static void on_heartbeat(struct broker *b, struct node_ctx *ctx, conn_id conn,
			 const struct net_msg *msg)
{
	struct heartbeat_req q;
	PROTO_GET(msg, q);
	struct group_state *s = gs(b, q.group);
	struct group_member *m;
	int16_t err = check_member(b, q.group, &q.member, q.generation,
				   GROUP_PREPARING_REBALANCE, &m);
	if (m != NULL && (err == KERR_NONE || err == KERR_REBALANCE_IN_PROGRESS) &&
	    !m->join_pending)
		arm_session(ctx, q.group, (uint32_t)(m - s->members), m);
	send_group_resp(ctx, conn, msg->corr, MSG_HEARTBEAT_RESP, err);
}

static void on_leave(struct broker *b, struct node_ctx *ctx, conn_id conn,
		     const struct net_msg *msg)
{
	struct leave_group q;
	PROTO_GET(msg, q);
	struct group_state *s = gs(b, q.group);
	struct group_member *m = s && s->loaded ? find_member(s, &q.member) : NULL;
	int16_t err = s == NULL || !s->loaded ? KERR_NOT_COORDINATOR
		    : m == NULL ? KERR_UNKNOWN_MEMBER_ID : KERR_NONE;
	if (m != NULL) {
		if (m->join_pending) {
			struct join_group_resp r = {.error = KERR_UNKNOWN_MEMBER_ID};
			struct net_msg out;
			PROTO_PUT(&out, MSG_JOIN_GROUP_RESP, r);
			broker_reply(ctx, m->join_conn, m->join_corr, &out, NULL, 0);
		}
		member_gone(b, ctx, q.group, m);
		trace_group(b, ctx, q.group, "member_left");
	}
	send_group_resp(ctx, conn, msg->corr, MSG_LEAVE_GROUP_RESP, err);
}

/* ---- offsets ---------------------------------------------------------------------------- */

static uint32_t offsets_tp(const struct broker *b, uint32_t g)
{
	const struct topic_cfg *t = &b->cluster->topics[b->cluster->offsets_topic];
	return t->first_tp + b->cluster->groups[g].offsets_partition;
}

static void send_commit_resp(struct broker *b, struct node_ctx *ctx, conn_id conn,
			     uint64_t corr, const struct commit_part *parts, uint32_t n,
			     int16_t error)
{
	struct commit_part_resp *out = (struct commit_part_resp *)broker_scratch(
		b, n * (uint32_t)sizeof(*out) + 1);
	if (out == NULL) {
		b->oom = true;
		return;
	}
	for (uint32_t i = 0; i < n; i++)
		out[i] = (struct commit_part_resp){.tp = parts ? parts[i].tp : 0, .error = error};
	struct offset_commit_resp r = {.error = error, .n = n};
	struct net_msg m;
	PROTO_PUT(&m, MSG_OFFSET_COMMIT_RESP, r);
	broker_reply(ctx, conn, corr, &m, out, n * (uint32_t)sizeof(*out));
}

static struct pending_commit *commit_slot(struct broker *b, uint32_t *slot)
{
	uint32_t i = 0;
	while (i < b->pcommits_cap && b->pcommits[i].live)
		i++;
	if (i == b->pcommits_cap &&
	    !broker_grow((void **)&b->pcommits, &b->pcommits_cap, i + 1, sizeof(*b->pcommits)))
		return NULL;
	*slot = i;
	return &b->pcommits[i];
}

/* OffsetMetadataManager.commitOffset for a classic group: generation and member checks,
 * then the commits are appended to the group's __consumer_offsets partition and answered
 * once replicated (offsets.commit.required.acks = -1), or REQUEST_TIMED_OUT after
 * offsets.commit.timeout.ms. */
static void on_commit(struct broker *b, struct node_ctx *ctx, conn_id conn,
		      const struct net_msg *msg, const uint8_t *blob, uint32_t len)
{
	struct offset_commit q;
	PROTO_GET(msg, q);
	const struct commit_part *parts = (const struct commit_part *)blob;
	if (len != q.n * sizeof(struct commit_part) || q.n == 0) {
		send_commit_resp(b, ctx, conn, msg->corr, NULL, 0, KERR_CORRUPT_MESSAGE);
		return;
	}
	struct group_member *m;
	int16_t err = check_member(b, q.group, &q.member, q.generation,
				   GROUP_COMPLETING_REBALANCE, &m);
	if (err != KERR_NONE) {
		send_commit_resp(b, ctx, conn, msg->corr, parts, q.n, err);
		return;
	}
	uint32_t n = q.n;
	struct commit_rec *recs = calloc(n, sizeof(*recs));
	if (recs == NULL) {
		b->oom = true;
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct commit_part cp;
		memcpy(&cp, &parts[i], sizeof(cp));
		recs[i] = (struct commit_rec){q.group, cp.tp, cp.offset, cp.leader_epoch, 0};
	}
	uint64_t ref = b->commits ? commit_store_add(b->commits, recs, n) : REC_REF_NONE;
	free(recs);
	uint32_t slot = 0;
	struct pending_commit *pc = commit_slot(b, &slot);
	if (ref == REC_REF_NONE || pc == NULL) {
		b->oom = true;
		return;
	}
	struct plog_batch batch = {
		.record_count = (int32_t)n, .size_bytes = (int32_t)(61 + 80 * n),
		.max_timestamp_ms = broker_now_ms(ctx), .producer_id = PLOG_NO_PRODUCER_ID,
		.base_sequence = PLOG_NO_SEQUENCE, .producer_epoch = -1, .rec_ref = ref,
	};
	int64_t end = 0;
	err = repl_append_internal(b, ctx, offsets_tp(b, q.group), &batch, &end);
	if (err != KERR_NONE) {
		/* Kafka maps NOT_ENOUGH_REPLICAS and the like to COORDINATOR_NOT_AVAILABLE. */
		send_commit_resp(b, ctx, conn, msg->corr, parts, n,
				 err == KERR_NOT_LEADER_OR_FOLLOWER ? KERR_NOT_COORDINATOR
								    : KERR_COORDINATOR_NOT_AVAILABLE);
		return;
	}
	*pc = (struct pending_commit){
		.live = true, .conn = conn, .corr = msg->corr, .required_offset = end, .n = n,
		.first = (uint32_t)(ref & ~COMMIT_REF_BIT), .group = q.group,
	};
	pc->timer = node_timer(ctx, ms_to_us(b->cfg->offsets_commit_timeout_ms), BT_GROUP_COMMIT,
			       slot);
	group_hw_moved(b, ctx, offsets_tp(b, q.group));
}

static void finish_commit(struct broker *b, struct node_ctx *ctx, struct pending_commit *pc,
			  int16_t error)
{
	pc->live = false;
	struct group_state *s = &b->groups[pc->group];
	struct commit_part *parts = calloc(pc->n, sizeof(*parts));
	if (parts == NULL) {
		b->oom = true;
		return;
	}
	for (uint32_t i = 0; i < pc->n; i++) {
		const struct commit_rec *c = &b->commits->recs[pc->first + i];
		parts[i] = (struct commit_part){c->tp, c->leader_epoch, c->offset};
		if (error == KERR_NONE && s->loaded)
			s->offsets[c->tp] = (struct group_offset){c->offset, c->leader_epoch};
	}
	send_commit_resp(b, ctx, pc->conn, pc->corr, parts, pc->n, error);
	free(parts);
}

void group_hw_moved(struct broker *b, struct node_ctx *ctx, uint32_t tp)
{
	const struct replica *r = &b->replicas[tp];
	for (uint32_t i = 0; i < b->pcommits_cap; i++) {
		struct pending_commit *pc = &b->pcommits[i];
		if (!pc->live || offsets_tp(b, pc->group) != tp)
			continue;
		if (!r->is_leader) {
			node_timer_cancel(ctx, pc->timer);
			finish_commit(b, ctx, pc, KERR_NOT_COORDINATOR);
		} else if (plog_hw(&r->log) >= pc->required_offset) {
			node_timer_cancel(ctx, pc->timer);
			finish_commit(b, ctx, pc, KERR_NONE);
		}
	}
}

static void on_offset_fetch(struct broker *b, struct node_ctx *ctx, conn_id conn,
			    const struct net_msg *msg, const uint8_t *blob, uint32_t len)
{
	struct offset_fetch q;
	PROTO_GET(msg, q);
	struct group_state *s = gs(b, q.group);
	struct offset_fetch_resp r = {.error = KERR_NONE, .n = q.n};
	if (len != 4 * q.n)
		r.error = KERR_CORRUPT_MESSAGE;
	else if (s == NULL || !s->loaded)
		r.error = KERR_NOT_COORDINATOR;
	uint32_t n = r.error == KERR_NONE ? q.n : 0;
	r.n = n;
	struct offset_fetch_part *out = (struct offset_fetch_part *)broker_scratch(
		b, n * (uint32_t)sizeof(*out) + 1);
	if (out == NULL) {
		b->oom = true;
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t tp;
		memcpy(&tp, blob + 4 * i, 4);
		struct group_offset o = tp < b->cluster->nparts ? s->offsets[tp]
							       : (struct group_offset){-1, -1};
		out[i] = (struct offset_fetch_part){tp, o.leader_epoch, o.offset};
	}
	struct net_msg m;
	PROTO_PUT(&m, MSG_OFFSET_FETCH_RESP, r);
	broker_reply(ctx, conn, msg->corr, &m, out, n * (uint32_t)sizeof(*out));
}

/* FindCoordinator: the leader of the group's __consumer_offsets partition, per this
 * broker's metadata (GroupCoordinatorService.partitionFor). */
static void on_find(struct broker *b, struct node_ctx *ctx, conn_id conn,
		    const struct net_msg *msg)
{
	struct find_coordinator q;
	PROTO_GET(msg, q);
	struct find_coordinator_resp r = {.error = KERR_COORDINATOR_NOT_AVAILABLE, .node_id = -1};
	if (q.group < b->cluster->ngroups && b->cluster->offsets_topic != UINT32_MAX) {
		int32_t leader = b->img.parts[offsets_tp(b, q.group)].leader;
		if (leader != NO_LEADER) {
			r.error = KERR_NONE;
			r.node_id = leader;
		}
	}
	struct net_msg m;
	PROTO_PUT(&m, MSG_FIND_COORDINATOR_RESP, r);
	broker_reply(ctx, conn, msg->corr, &m, NULL, 0);
}

void group_handle(struct broker *b, struct node_ctx *ctx, conn_id conn,
		  const struct net_msg *m, const void *blob, uint32_t len)
{
	switch (m->type) {
	case MSG_FIND_COORDINATOR: on_find(b, ctx, conn, m); break;
	case MSG_JOIN_GROUP: on_join(b, ctx, conn, m, blob, len); break;
	case MSG_SYNC_GROUP: on_sync(b, ctx, conn, m, blob, len); break;
	case MSG_HEARTBEAT: on_heartbeat(b, ctx, conn, m); break;
	case MSG_LEAVE_GROUP: on_leave(b, ctx, conn, m); break;
	case MSG_OFFSET_COMMIT: on_commit(b, ctx, conn, m, blob, len); break;
	case MSG_OFFSET_FETCH: on_offset_fetch(b, ctx, conn, m, blob, len); break;
	default: break;
	}
}

void group_timer(struct broker *b, struct node_ctx *ctx, uint32_t kind, uint64_t arg)
{
	if (kind == BT_GROUP_COMMIT) {
		if (arg < b->pcommits_cap && b->pcommits[arg].live)
			finish_commit(b, ctx, &b->pcommits[arg], KERR_REQUEST_TIMED_OUT);
		return;
	}
	uint32_t g = (uint32_t)(arg >> 32);
	struct group_state *s = gs(b, g);
	if (s == NULL || !s->loaded)
		return;
	if (kind == BT_GROUP_REBALANCE) {
		s->rebalance_armed = false;
		int64_t remaining = s->initial_deadline_us - ctx->now_us;
		if (s->initial_delay && s->new_member && remaining > 0) {
			/* InitialDelayedJoin: new members arrived: wait again, within the
			 * rebalance timeout. */
			s->new_member = false;
			int64_t d = ms_to_us(b->cfg->group_initial_rebalance_delay_ms);
			s->rebalance_timer = node_timer(ctx, d < remaining ? d : remaining,
							BT_GROUP_REBALANCE, (uint64_t)g << 32);
			s->rebalance_armed = true;
			return;
		}
		s->initial_delay = false;
		if (s->phase == GROUP_PREPARING_REBALANCE)
			complete_join(b, ctx, g);
		return;
	}
	assert(kind == BT_GROUP_SESSION);
	uint32_t idx = (uint32_t)arg;
	if (idx >= s->n_members || !s->members[idx].live || s->members[idx].join_pending)
		return;
	struct group_member *m = &s->members[idx];
	m->session_timer = 0;
	if (ctx->now_us - m->last_heard_us < ms_to_us(m->session_timeout_ms))
		return;
	trace_group(b, ctx, g, "member_session_expired");
	member_gone(b, ctx, g, m);
}

void group_drop_conn(struct broker *b, conn_id conn)
{
	for (uint32_t i = 0; i < b->pcommits_cap; i++)
		if (b->pcommits[i].live && b->pcommits[i].conn == conn)
			b->pcommits[i].conn = 0;
}
