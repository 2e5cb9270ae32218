/*
 * consumer_assign.c — the group leader's part of a rebalance: the JoinGroup answer's
 * members (subscriptions, owned partitions, generations) go to the chosen client-side
 * assignor (model/assignor.h: range, roundrobin, sticky, cooperative-sticky, bit-exact with
 * Kafka's), and every member's assignment goes into the SyncGroup blob.
 *
 * Kafka 4.1: ConsumerCoordinator.onLeaderElected (GroupSubscription over every member,
 * assignor.assign; the CooperativeStickyAssignor's answer already leaves out partitions
 * still owned by another member, KIP-429), AbstractCoordinator.onLeaderElected.
 */
#include "model/consumer_internal.h"

#include <stdlib.h>
#include <string.h>

#include "model/assignor.h"
#include "sim/config_table.h"
#include "sim/trace.h"

struct assign_work {
	struct assign_topic  *topics;
	struct assign_member *members;
	struct member_ref    *refs;
	char                 *ids;       /* n * 320 bytes of member id strings */
	uint32_t             *subs;
	struct assign_tp     *owned;
};

static void work_free(struct assign_work *w)
{
	free(w->topics);
	free(w->members);
	free(w->refs);
	free(w->ids);
	free(w->subs);
	free(w->owned);
}

/* Parses the JoinGroup answer's members into the assignor's input. */
static bool parse_members(struct consumer *c, const uint8_t *blob, uint32_t len, uint32_t n,
			  struct assign_work *w)
{
	const struct cluster_cfg *cl = c->cluster;
	uint32_t words = len / 4 + 1;
	w->topics = calloc(cl->ntopics + 1, sizeof(*w->topics));
	w->members = calloc(n + 1, sizeof(*w->members));
	w->refs = calloc(n + 1, sizeof(*w->refs));
	w->ids = calloc((size_t)n + 1, 320);
	w->subs = calloc(words, sizeof(*w->subs));
	w->owned = calloc(words, sizeof(*w->owned));
	if (!w->topics || !w->members || !w->refs || !w->ids || !w->subs || !w->owned) {
		cons_set_nomem(c);
		return false;
	}
	for (uint32_t t = 0; t < cl->ntopics; t++)
		w->topics[t] = (struct assign_topic){cl->topics[t].name, cl->topics[t].partitions};
	uint32_t off = 0, ns = 0, no = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct join_member jm;
		if (len - off < sizeof(jm))
			return false;
		memcpy(&jm, blob + off, sizeof(jm));
		off += (uint32_t)sizeof(jm);
		if ((len - off) / 4 < (uint64_t)jm.n_topics + jm.n_owned)
			return false;
		struct assign_member *am = &w->members[i];
		w->refs[i] = jm.member;
		am->member_id = cons_member_text(c, &jm.member, w->ids + (size_t)i * 320, 320);
		am->topics = &w->subs[ns];
		am->n_topics = jm.n_topics;
		memcpy(&w->subs[ns], blob + off, 4 * (size_t)jm.n_topics);
		ns += jm.n_topics;
		off += 4 * jm.n_topics;
		am->owned = &w->owned[no];
		for (uint32_t k = 0; k < jm.n_owned; k++, off += 4) {
			uint32_t tp;
			memcpy(&tp, blob + off, 4);
			if (tp >= cl->nparts)
				continue;
			const struct part_cfg *pc = &cl->parts[tp];
			w->owned[no++] = (struct assign_tp){pc->topic, pc->partition};
			am->n_owned++;
		}
		am->generation = jm.generation;
	}
	return off == len;
}

/* Writes the SyncGroup blob: every member's assignment. Returns its length. */
static uint32_t sync_blob(struct consumer *c, const struct assign_work *w, uint32_t n,
			  const struct assign_result *res)
{
	uint32_t bytes = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t k = 0;
		if (res != NULL)
			assign_member_tps(res, i, &k);
		bytes += (uint32_t)sizeof(struct sync_assignment) + 4 * k;
	}
	uint8_t *out = cons_blob(c, bytes + 1);
	if (out == NULL)
		return 0;
	uint32_t off = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t k = 0;
		const struct assign_tp *tps = res != NULL ? assign_member_tps(res, i, &k) : NULL;
		struct sync_assignment sa = {.member = w->refs[i], .n_tps = k};
		memcpy(out + off, &sa, sizeof(sa));
		off += (uint32_t)sizeof(sa);
		for (uint32_t j = 0; j < k; j++, off += 4) {
			uint32_t tp = c->cluster->topics[tps[j].topic].first_tp + tps[j].partition;
			memcpy(out + off, &tp, 4);
		}
	}
	return off;
}

/* ConsumerCoordinator.onLeaderElected: the chosen assignor over every member's
 * subscription; the answer (cooperative-sticky: already without partitions still owned by
 * someone else) goes into the SyncGroup blob. Returns the blob length; *n_out members. */
uint32_t cons_leader_assign(struct consumer *c, struct node_ctx *ctx,
			    const struct join_group_resp *resp, const uint8_t *blob, uint32_t len,
			    uint32_t *n_out)
{
	struct assign_work w = {0};
	uint32_t n = resp->n_members, out = 0;
	*n_out = 0;
	if (!parse_members(c, blob, len, n, &w)) {
		work_free(&w);
		return 0;
	}
	enum assign_strategy s = ASSIGN_RANGE;
	switch (resp->protocol) {
	case CFG_ASSIGNOR_ROUNDROBIN: s = ASSIGN_ROUNDROBIN; break;
	case CFG_ASSIGNOR_STICKY: s = ASSIGN_STICKY; break;
	case CFG_ASSIGNOR_COOPERATIVE_STICKY: s = ASSIGN_COOPERATIVE_STICKY; break;
	default: break;
	}
	struct assign_input in = {
		.strategy = s, .topics = w.topics, .n_topics = c->cluster->ntopics,
		.members = w.members, .n_members = n,
	};
	struct assign_result res;
	enum assign_err e = assign_run(&in, &res);
	if (e == ASSIGN_ERR_NOMEM) {
		cons_set_nomem(c);
	} else if (e != ASSIGN_OK) {
		/* Kafka's assignor would throw; every member gets nothing this generation. */
		struct trace_line *l = node_trace(ctx, "assignment_failed");
		trace_str(l, "error", assign_err_text(e));
		trace_end(l);
		out = sync_blob(c, &w, n, NULL);
	} else {
		out = sync_blob(c, &w, n, &res);
		assign_result_free(&res);
	}
	*n_out = n;
	work_free(&w);
	return out;
}
