/*
 * controller.c — the active controller.
 *
 * Kafka: metadata/.../controller/ClusterControlManager.java (registration, broker epochs),
 * BrokerHeartbeatManager.java (sessions, fencing, controlled shutdown), ReplicationControl-
 * Manager.java (handleBrokerFenced / Unfenced / UncleanShutdown, alterPartition,
 * generateLeaderAndIsrUpdates), PartitionChangeBuilder.java (elections, ELR, KIP-966).
 */
#include "model/controller.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "model/proto.h"
#include "model/text.h"
#include "sim/limits.h"
#include "sim/trace.h"

enum {
	TIMER_FENCE_CHECK = 1,
	TIMER_PARKED_FETCH,
	TIMER_PREFERRED,
};

#define NO_LEADER_CHANGE (-2)     /* PartitionChangeRecord: the leader field is not set */
#define MD_FETCH_MAX_RECORDS 512  /* records per metadata fetch response */

/* ---- setup --------------------------------------------------------------------------- */

int ctl_init(struct controller *c, const struct controller_cfg *cfg,
	     const struct cluster_cfg *cluster)
{
	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	c->cluster = cluster;
	md_log_init(&c->log);
	c->brokers = calloc(cluster->brokers + 1, sizeof(*c->brokers));
	c->stats = calloc(cluster->nparts + 1, sizeof(*c->stats));
	c->parked_cap = cluster->brokers;
	c->parked = calloc(c->parked_cap + 1, sizeof(*c->parked));
	if (c->brokers == NULL || c->stats == NULL || c->parked == NULL ||
	    md_image_init(&c->img, cluster) != 0) {
		ctl_free(c);
		return -1;
	}
	for (uint32_t b = 0; b < cluster->brokers; b++)
		c->brokers[b].last_shutdown_clean = true;
	for (uint32_t tp = 0; tp < cluster->nparts; tp++)
		c->stats[tp].offline_since_us = -1;
	c->next_broker_epoch = (int64_t)cluster->brokers + 1;
	c->fence_timer_at_us = -1;
	return 0;
}

void ctl_free(struct controller *c)
{
	md_image_free(&c->img);
	md_log_free(&c->log);
	free(c->brokers);
	free(c->stats);
	free(c->parked);
	c->brokers = NULL;
	c->stats = NULL;
	c->parked = NULL;
}

int64_t ctl_offline_us(const struct controller *c, uint32_t tp, int64_t now_us)
{
	const struct ctl_part_stats *s = &c->stats[tp];
	return s->offline_us + (s->offline_since_us >= 0 ? now_us - s->offline_since_us : 0);
}

static int64_t session_us(const struct controller *c)
{
	return ms_to_us(c->cfg.broker_session_timeout_ms);
}

static int32_t broker_id(const struct controller *c, uint32_t b)
{
	return c->cluster->broker_ids[b];
}

/* ClusterControlManager.isActive: registered, unfenced, not in controlled shutdown. */
static bool is_active(const struct controller *c, int32_t id)
{
	int b = md_broker_index(c->cluster, id);
	return b >= 0 && !c->img.brokers[b].fenced && !c->img.brokers[b].shutting_down;
}

/* ---- the metadata log ----------------------------------------------------------------- */

static void answer_parked(struct controller *c, struct node_ctx *ctx);

static void log_broker(struct controller *c, struct node_ctx *ctx, uint32_t b)
{
	if (md_log_append_broker(&c->log, &c->img, b) != 0)
		c->oom = true;
	answer_parked(c, ctx);
}

static void log_partition(struct controller *c, struct node_ctx *ctx, uint32_t tp)
{
	if (md_log_append_partition(&c->log, &c->img, tp) != 0)
		c->oom = true;
	answer_parked(c, ctx);
}

/* ---- PartitionChangeBuilder ------------------------------------------------------------ */

struct change {
	uint32_t tp;
	enum ctl_election election;
	int32_t  remove;               /* broker leaving (fenced, shutting down), or NO_LEADER */
	int32_t  add;                  /* broker arriving (unfenced), or NO_LEADER */
	int32_t  unclean_shutdown;     /* KIP-966: excluded from the ELR, or NO_LEADER */
	uint32_t min_isr;              /* the topic's effective min ISR */
	int32_t  isr[LIMIT_BROKERS];   /* target ISR */
	uint32_t n_isr;
	int32_t  elr[LIMIT_BROKERS];   /* target ELR */
	uint32_t n_elr;
	/* the record */
	int32_t  rec_leader;           /* NO_LEADER_CHANGE when unchanged */
	bool     rec_isr_set;
	int32_t  rec_isr[LIMIT_BROKERS];
	uint32_t rec_n_isr;
	bool     rec_unclean;
	bool     rec_lke_set;
	int32_t  rec_lke;              /* the last known leader, or NO_LEADER for [] */
};

static bool has(const int32_t *a, uint32_t n, int32_t v)
{
	for (uint32_t i = 0; i < n; i++)
		if (a[i] == v)
			return true;
	return false;
}

static void remove_id(int32_t *a, uint32_t *n, int32_t v)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < *n; i++)
		if (a[i] != v)
			a[k++] = a[i];
	*n = k;
}

/* ReplicationControlManager's isAcceptableLeader for this change. */
static bool acceptable(const struct controller *c, const struct change *ch, int32_t r)
{
	return r != ch->remove && (r == ch->add || is_active(c, r));
}

/* In the target ISR, or in the ELR when the ISR is empty, and acceptable. */
static bool valid_new_leader(const struct controller *c, const struct change *ch, int32_t r)
{
	bool eligible = has(ch->isr, ch->n_isr, r) ||
			(ch->n_isr == 0 && has(ch->elr, ch->n_elr, r));
	return r >= 0 && eligible && acceptable(c, ch, r);
}

/* KIP-966 balanced recovery: with ISR and ELR empty, the last known leader. Kafka's
 * canElectLastKnownLeader does not require it to be alive; kafkasim does, so a partition is
 * never handed to a fenced broker (documented in docs/semantics.md). */
static bool can_elect_last_known(const struct controller *c, const struct change *ch,
				 const struct md_part_state *p)
{
	return c->cluster->elr_enabled && ch->n_elr == 0 && ch->n_isr == 0 && p->n_lke == 1 &&
	       acceptable(c, ch, p->lke[0]);
}

struct election { int32_t node; bool unclean; };

static struct election elect(const struct controller *c, const struct change *ch)
{
	const struct md_part_state *p = &c->img.parts[ch->tp];
	const struct part_cfg *pc = &c->cluster->parts[ch->tp];
	if (ch->election == CTL_ELECT_PREFERRED) {
		if (valid_new_leader(c, ch, pc->replicas[0]))
			return (struct election){pc->replicas[0], false};
		if (valid_new_leader(c, ch, p->leader))
			return (struct election){p->leader, false};
		for (uint32_t i = 1; i < pc->rf; i++)
			if (valid_new_leader(c, ch, pc->replicas[i]))
				return (struct election){pc->replicas[i], false};
	} else {
		/* Keep a leader that is still valid; else the first valid replica in
		 * assignment order (electAnyLeader). */
		if (valid_new_leader(c, ch, p->leader))
			return (struct election){p->leader, false};
		for (uint32_t i = 0; i < pc->rf; i++)
			if (valid_new_leader(c, ch, pc->replicas[i]))
				return (struct election){pc->replicas[i], false};
	}
	if (can_elect_last_known(c, ch, p))
		return (struct election){p->lke[0], true};
	if (ch->election == CTL_ELECT_UNCLEAN)
		for (uint32_t i = 0; i < pc->rf; i++)
			if (acceptable(c, ch, pc->replicas[i]))
				return (struct election){pc->replicas[i], true};
	return (struct election){NO_LEADER, false};
}

/* maybePopulateTargetElr: below min ISR, the ISR members that leave join the ELR (unless
 * they shut down uncleanly); at or above it the ELR is cleared. Sorted ascending (Kafka
 * collects a HashSet of small integers, which iterates in ascending order). */
static void populate_elr(const struct controller *c, struct change *ch)
{
	if (!c->cluster->elr_enabled)
		return;
	if (ch->n_isr >= ch->min_isr) {
		ch->n_elr = 0;
		return;
	}
	const struct md_part_state *p = &c->img.parts[ch->tp];
	const struct part_cfg *pc = &c->cluster->parts[ch->tp];
	int32_t out[LIMIT_BROKERS];
	uint32_t n = 0;
	/* Walk the replica list sorted by id: candidates = target ELR ∪ current ISR. */
	int32_t sorted[LIMIT_BROKERS];
	memcpy(sorted, pc->replicas, pc->rf * sizeof(int32_t));
	for (uint32_t i = 1; i < pc->rf; i++)
		for (uint32_t j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
			int32_t t = sorted[j];
			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	for (uint32_t i = 0; i < pc->rf; i++) {
		int32_t r = sorted[i];
		bool cand = has(ch->elr, ch->n_elr, r) || has(p->isr, p->n_isr, r);
		if (cand && !has(ch->isr, ch->n_isr, r) && r != ch->unclean_shutdown)
			out[n++] = r;
	}
	memcpy(ch->elr, out, n * sizeof(int32_t));
	ch->n_elr = n;
}

static void try_election(const struct controller *c, struct change *ch)
{
	const struct md_part_state *p = &c->img.parts[ch->tp];
	struct election e = elect(c, ch);
	if (e.node == p->leader)
		return;
	if (has(ch->elr, ch->n_elr, e.node)) {
		/* Electing an ELR member is clean: it becomes the whole ISR. */
		ch->isr[0] = e.node;
		ch->n_isr = 1;
		remove_id(ch->elr, &ch->n_elr, e.node);
	}
	ch->rec_leader = e.node;
	if (e.unclean) {
		/* An unclean election resets the ISR to the new leader (data may be lost) and
		 * marks the leader RECOVERING (KIP-704). */
		ch->rec_isr_set = true;
		ch->rec_isr[0] = e.node;
		ch->rec_n_isr = 1;
		ch->rec_unclean = true;
	}
}

/* maybeUpdateRecordElr: an unclean election, or ELR off, clears the ELR. */
static void maybe_clear_elr(const struct controller *c, struct change *ch)
{
	if (ch->rec_isr_set || !c->cluster->elr_enabled)
		ch->n_elr = 0;
}

/* maybeUpdateLastKnownLeader, with Kafka's default useLastKnownLeaderInBalancedRecovery =
 * true: the LastKnownElr holds the last leader once the ISR becomes empty, and is cleared
 * once the partition has a leader again. */
static void update_last_known(const struct controller *c, struct change *ch)
{
	const struct md_part_state *p = &c->img.parts[ch->tp];
	if (!c->cluster->elr_enabled)
		return;
	bool new_isr_empty = ch->rec_isr_set && ch->rec_n_isr == 0;
	if (new_isr_empty && (p->n_lke != 1 || p->lke[0] != p->leader)) {
		ch->rec_lke_set = true;
		ch->rec_lke = p->leader;
	} else if ((ch->rec_leader >= 0 ||
		    (p->leader != NO_LEADER && ch->rec_leader != NO_LEADER)) && p->n_lke > 0) {
		ch->rec_lke_set = true;
		ch->rec_lke = NO_LEADER;
	}
}

static bool same_set(const int32_t *a, uint32_t na, const int32_t *b, uint32_t nb)
{
	if (na != nb)
		return false;
	for (uint32_t i = 0; i < na; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static void trace_change(struct controller *c, struct node_ctx *ctx, uint32_t tp,
			 const char *why, bool leader_changed, bool unclean)
{
	const struct md_part_state *p = &c->img.parts[tp];
	char name[300], isr[4096], elr[4096];
	struct trace_line *l = node_trace(ctx, leader_changed ? "leader_election"
							      : "partition_change");
	trace_str(l, "partition", text_tp(c->cluster, tp, name, sizeof(name)));
	trace_int(l, "leader", p->leader);
	trace_int(l, "leader_epoch", p->leader_epoch);
	trace_int(l, "partition_epoch", p->partition_epoch);
	trace_raw(l, "isr", text_ids(p->isr, p->n_isr, isr, sizeof(isr)));
	trace_raw(l, "elr", text_ids(p->elr, p->n_elr, elr, sizeof(elr)));
	if (unclean)
		trace_bool(l, "unclean", true);
	trace_str(l, "why", why);
	trace_end(l);
}

/* Applies a built change to the image, logs it and counts elections and offline time. */
static void commit_change(struct controller *c, struct node_ctx *ctx, struct change *ch,
			  const char *why)
{
	struct md_part_state *p = &c->img.parts[ch->tp];
	struct ctl_part_stats *st = &c->stats[ch->tp];
	bool leader_changed = ch->rec_leader != NO_LEADER_CHANGE && ch->rec_leader != p->leader;
	bool isr_changed = ch->rec_isr_set &&
			   !same_set(ch->rec_isr, ch->rec_n_isr, p->isr, p->n_isr);
	bool elr_changed = !same_set(ch->elr, ch->n_elr, p->elr, p->n_elr);
	bool lke_changed = ch->rec_lke_set &&
			   (ch->rec_lke == NO_LEADER ? p->n_lke != 0
						     : p->n_lke != 1 || p->lke[0] != ch->rec_lke);
	bool rec_changed = ch->rec_unclean && !p->recovering;
	if (!leader_changed && !isr_changed && !elr_changed && !lke_changed && !rec_changed)
		return;       /* changeRecordIsNoOp */
	if (leader_changed) {
		p->leader = ch->rec_leader;
		p->leader_epoch++;
		if (p->leader != NO_LEADER) {
			st->elections++;
			if (ch->rec_unclean) {
				st->unclean_elections++;
				c->unclean_total++;
			}
			if (st->offline_since_us >= 0) {
				st->offline_us += ctx->now_us - st->offline_since_us;
				st->offline_since_us = -1;
			}
		} else if (st->offline_since_us < 0) {
			st->offline_since_us = ctx->now_us;
		}
	}
	if (isr_changed) {
		memcpy(p->isr, ch->rec_isr, ch->rec_n_isr * sizeof(int32_t));
		p->n_isr = (uint16_t)ch->rec_n_isr;
	}
	memcpy(p->elr, ch->elr, ch->n_elr * sizeof(int32_t));
	p->n_elr = (uint16_t)ch->n_elr;
	if (lke_changed) {
		p->n_lke = ch->rec_lke == NO_LEADER ? 0 : 1;
		p->lke[0] = ch->rec_lke;
	}
	if (ch->rec_unclean)
		p->recovering = true;
	p->partition_epoch++;
	log_partition(c, ctx, ch->tp);
	trace_change(c, ctx, ch->tp, why, leader_changed, ch->rec_unclean);
}

static uint32_t effective_min_isr(const struct controller *c, uint32_t tp)
{
	const struct part_cfg *pc = &c->cluster->parts[tp];
	int64_t m = c->cluster->topics[pc->topic].min_insync_replicas;
	return m < (int64_t)pc->rf ? (uint32_t)m : pc->rf;
}

static void change_init(const struct controller *c, struct change *ch, uint32_t tp)
{
	const struct md_part_state *p = &c->img.parts[tp];
	const struct part_cfg *pc = &c->cluster->parts[tp];
	ch->tp = tp;
	ch->election = c->cluster->topics[pc->topic].unclean_leader_election ? CTL_ELECT_UNCLEAN
									    : CTL_ELECT_ONLINE;
	ch->remove = ch->add = ch->unclean_shutdown = NO_LEADER;
	ch->min_isr = effective_min_isr(c, tp);
	memcpy(ch->isr, p->isr, p->n_isr * sizeof(int32_t));
	ch->n_isr = p->n_isr;
	memcpy(ch->elr, p->elr, p->n_elr * sizeof(int32_t));
	ch->n_elr = p->n_elr;
	ch->rec_leader = NO_LEADER_CHANGE;
	ch->rec_isr_set = false;
	ch->rec_unclean = false;
	ch->rec_lke_set = false;
}

/* PartitionChangeBuilder.build: ELR, election, ISR, last known leader; then commit. */
static void build(struct controller *c, struct node_ctx *ctx, struct change *ch,
		  const char *why)
{
	const struct md_part_state *p = &c->img.parts[ch->tp];
	populate_elr(c, ch);
	try_election(c, ch);
	maybe_clear_elr(c, ch);
	/* The ISR is set unless the election set it; without ELR it never becomes empty
	 * (the last member stays, and the partition goes offline). */
	if (!ch->rec_isr_set && (ch->n_isr > 0 || c->cluster->elr_enabled) &&
	    !same_set(ch->isr, ch->n_isr, p->isr, p->n_isr)) {
		ch->rec_isr_set = true;
		memcpy(ch->rec_isr, ch->isr, ch->n_isr * sizeof(int32_t));
		ch->rec_n_isr = ch->n_isr;
	}
	update_last_known(c, ch);
	commit_change(c, ctx, ch, why);
}

/* generateLeaderAndIsrUpdates for one partition. */
static void update_partition(struct controller *c, struct node_ctx *ctx, uint32_t tp,
			     int32_t remove, int32_t add, int32_t unclean_shutdown,
			     const char *why)
{
	struct change ch;
	change_init(c, &ch, tp);
	ch.remove = remove;
	ch.add = add;
	ch.unclean_shutdown = unclean_shutdown;
	if (remove != NO_LEADER)
		remove_id(ch.isr, &ch.n_isr, remove);
	build(c, ctx, &ch, why);
}

/* ---- brokers: fencing, unfencing, controlled shutdown, unclean shutdown --------------- */

static void trace_broker(struct controller *c, struct node_ctx *ctx, const char *ev,
			 uint32_t b, const char *reason)
{
	struct trace_line *l = node_trace(ctx, ev);
	trace_int(l, "broker", broker_id(c, b));
	trace_int(l, "broker_epoch", c->img.brokers[b].broker_epoch);
	if (reason != NULL)
		trace_str(l, "reason", reason);
	trace_end(l);
}

/* handleBrokerFenced / handleBrokerInControlledShutdown: out of every ISR (the last member
 * stays without ELR), leadership moves. */
static void remove_from_isrs(struct controller *c, struct node_ctx *ctx, int32_t id,
			     const char *why)
{
	for (uint32_t tp = 0; tp < c->cluster->nparts; tp++) {
		const struct md_part_state *p = &c->img.parts[tp];
		if (md_isr_contains(p, id) || p->leader == id)
			update_partition(c, ctx, tp, id, NO_LEADER, NO_LEADER, why);
	}
}

static void fence(struct controller *c, struct node_ctx *ctx, uint32_t b, const char *reason)
{
	c->img.brokers[b].fenced = true;
	log_broker(c, ctx, b);
	trace_broker(c, ctx, "broker_fenced", b, reason);
	remove_from_isrs(c, ctx, broker_id(c, b), "broker fenced");
}

/* handleBrokerUnfenced: leaderless partitions may elect it. */
static void unfence(struct controller *c, struct node_ctx *ctx, uint32_t b)
{
	c->img.brokers[b].fenced = false;
	log_broker(c, ctx, b);
	trace_broker(c, ctx, "broker_unfenced", b, NULL);
	int32_t id = broker_id(c, b);
	for (uint32_t tp = 0; tp < c->cluster->nparts; tp++)
		if (c->img.parts[tp].leader == NO_LEADER)
			update_partition(c, ctx, tp, NO_LEADER, id, NO_LEADER, "broker unfenced");
}

/* handleBrokerUncleanShutdown (KIP-966): out of every ELR and LastKnownElr. */
static void unclean_shutdown(struct controller *c, struct node_ctx *ctx, int32_t id)
{
	for (uint32_t tp = 0; tp < c->cluster->nparts; tp++) {
		const struct md_part_state *p = &c->img.parts[tp];
		if (md_elr_contains(p, id))
			update_partition(c, ctx, tp, NO_LEADER, NO_LEADER, id,
					 "unclean shutdown");
	}
}

static void arm_fence_check(struct controller *c, struct node_ctx *ctx)
{
	int64_t next = INT64_MAX;
	for (uint32_t b = 0; b < c->cluster->brokers; b++)
		if (!c->img.brokers[b].fenced && c->brokers[b].last_contact_us + session_us(c) < next)
			next = c->brokers[b].last_contact_us + session_us(c);
	if (next == c->fence_timer_at_us)
		return;
	if (c->fence_timer_at_us >= 0)
		node_timer_cancel(ctx, c->fence_timer);
	c->fence_timer_at_us = -1;
	if (next == INT64_MAX)
		return;
	int64_t delay = next > ctx->now_us ? next - ctx->now_us : 0;
	c->fence_timer = node_timer(ctx, delay, TIMER_FENCE_CHECK, 0);
	c->fence_timer_at_us = ctx->now_us + delay;
}

/* BrokerHeartbeatManager: a broker not heard from for broker.session.timeout.ms is fenced. */
static void fence_stale(struct controller *c, struct node_ctx *ctx)
{
	for (uint32_t b = 0; b < c->cluster->brokers; b++) {
		if (c->img.brokers[b].fenced)
			continue;
		if (ctx->now_us - c->brokers[b].last_contact_us >= session_us(c))
			fence(c, ctx, b, "session-timeout");
	}
}

static bool leads_any(const struct controller *c, int32_t id)
{
	for (uint32_t tp = 0; tp < c->cluster->nparts; tp++)
		if (c->img.parts[tp].leader == id)
			return true;
	return false;
}

/* ---- requests ----------------------------------------------------------------------------- */

static void reply(struct node_ctx *ctx, conn_id conn, uint64_t corr, struct net_msg *m,
		  const void *blob, uint32_t len)
{
	m->corr = corr;
	m->bytes = 64 + len;
	node_send(ctx, conn, m, blob, len);
}

static void on_heartbeat(struct controller *c, struct node_ctx *ctx, conn_id conn,
			 const struct net_msg *m)
{
	struct broker_heartbeat hb;
	PROTO_GET(m, hb);
	struct broker_heartbeat_resp r = {.error = KERR_NONE};
	int b = md_broker_index(c->cluster, hb.broker_id);
	if (b < 0 || c->img.brokers[b].broker_epoch != hb.broker_epoch) {
		r.error = KERR_STALE_BROKER_EPOCH;
		r.is_fenced = 1;
	} else {
		struct md_broker_state *bs = &c->img.brokers[b];
		c->brokers[b].last_contact_us = ctx->now_us;
		if (hb.want_shutdown && !bs->shutting_down) {
			bs->shutting_down = true;
			log_broker(c, ctx, (uint32_t)b);
			trace_broker(c, ctx, "controlled_shutdown", (uint32_t)b, NULL);
			remove_from_isrs(c, ctx, hb.broker_id, "controlled shutdown");
		}
		if (bs->fenced && !hb.want_fence && !bs->shutting_down &&
		    hb.current_metadata_offset >= c->brokers[b].caught_up_offset)
			unfence(c, ctx, (uint32_t)b);
		r.is_fenced = bs->fenced;
		/* Shut down once it leads nothing and has seen that (BrokerHeartbeatManager). */
		r.should_shutdown = bs->shutting_down && !leads_any(c, hb.broker_id) &&
				    hb.current_metadata_offset >= (int64_t)c->log.n;
		arm_fence_check(c, ctx);
	}
	r.metadata_end = (int64_t)c->log.n;
	struct net_msg out;
	PROTO_PUT(&out, MSG_BROKER_HEARTBEAT_RESP, r);
	reply(ctx, conn, m->corr, &out, NULL, 0);
}

static void on_registration(struct controller *c, struct node_ctx *ctx, conn_id conn,
			    const struct net_msg *m)
{
	struct broker_registration reg;
	PROTO_GET(m, reg);
	struct broker_registration_resp r = {.error = KERR_NONE, .broker_epoch = -1};
	int b = md_broker_index(c->cluster, reg.broker_id);
	if (b < 0) {
		r.error = KERR_INELIGIBLE_REPLICA;
	} else {
		struct md_broker_state *bs = &c->img.brokers[b];
		/* A new incarnation replaces the old registration, fenced: the old process
		 * leaves every ISR first if it was still unfenced. */
		if (!bs->fenced)
			fence(c, ctx, (uint32_t)b, "re-registration");
		/* KIP-966: a previous broker epoch equal to the registered one means the
		 * broker shut down cleanly; anything else is an unclean shutdown. */
		bool clean = reg.previous_broker_epoch == bs->broker_epoch;
		c->brokers[b].last_shutdown_clean = clean;
		bs->broker_epoch = c->next_broker_epoch++;
		bs->fenced = true;
		bs->shutting_down = false;
		log_broker(c, ctx, (uint32_t)b);
		c->brokers[b].last_contact_us = ctx->now_us;
		c->brokers[b].caught_up_offset = (int64_t)c->log.n;
		struct trace_line *l = node_trace(ctx, "broker_registered");
		trace_int(l, "broker", reg.broker_id);
		trace_int(l, "broker_epoch", bs->broker_epoch);
		trace_bool(l, "clean_shutdown", clean);
		trace_end(l);
		if (!clean && c->cluster->elr_enabled)
			unclean_shutdown(c, ctx, reg.broker_id);
		r.broker_epoch = bs->broker_epoch;
		arm_fence_check(c, ctx);
	}
	struct net_msg out;
	PROTO_PUT(&out, MSG_BROKER_REGISTRATION_RESP, r);
	reply(ctx, conn, m->corr, &out, NULL, 0);
}

/* ReplicationControlManager.alterPartition: validate the leader's request (epochs, KIP-841
 * and KIP-903 eligibility), then apply the new ISR through the builder. */
static int16_t alter_validate(const struct controller *c, const struct alter_partition *a,
			      const struct alter_isr_member *isr)
{
	if (a->tp >= c->cluster->nparts)
		return KERR_UNKNOWN_TOPIC_OR_PARTITION;
	const struct md_part_state *p = &c->img.parts[a->tp];
	int b = md_broker_index(c->cluster, a->leader);
	if (b < 0 || c->img.brokers[b].broker_epoch != a->broker_epoch)
		return KERR_STALE_BROKER_EPOCH;
	/* Epochs above the controller's: this controller is stale (validateAlterPartitionData). */
	if (a->leader_epoch > p->leader_epoch || a->partition_epoch > p->partition_epoch)
		return KERR_NOT_CONTROLLER;
	if (p->leader != a->leader)
		return KERR_NOT_LEADER_OR_FOLLOWER;
	if (a->leader_epoch != p->leader_epoch)
		return KERR_FENCED_LEADER_EPOCH;
	if (a->partition_epoch != p->partition_epoch)
		return KERR_INVALID_UPDATE_VERSION;
	bool has_leader = false;
	for (uint32_t i = 0; i < a->n_isr; i++) {
		int r = md_broker_index(c->cluster, isr[i].broker_id);
		if (r < 0 || c->img.brokers[r].fenced || c->img.brokers[r].shutting_down ||
		    (isr[i].broker_epoch != -1 &&
		     isr[i].broker_epoch != c->img.brokers[r].broker_epoch))
			return KERR_INELIGIBLE_REPLICA;
		has_leader |= isr[i].broker_id == a->leader;
	}
	return has_leader ? KERR_NONE : KERR_INELIGIBLE_REPLICA;
}

static void on_alter_partition(struct controller *c, struct node_ctx *ctx, conn_id conn,
			       const struct net_msg *m, const void *blob, uint32_t len)
{
	struct alter_partition a;
	PROTO_GET(m, a);
	struct alter_partition_resp r = {.tp = a.tp};
	const struct alter_isr_member *isr = blob;
	if (len != a.n_isr * sizeof(*isr) || a.n_isr > LIMIT_BROKERS)
		r.error = KERR_CORRUPT_MESSAGE;
	else
		r.error = alter_validate(c, &a, isr);
	if (r.error == KERR_NONE) {
		struct change ch;
		change_init(c, &ch, a.tp);
		ch.n_isr = a.n_isr;
		for (uint32_t i = 0; i < a.n_isr; i++)
			ch.isr[i] = isr[i].broker_id;
		build(c, ctx, &ch, "AlterPartition");
		/* The leader reported its log recovered (KIP-704): clear RECOVERING. */
		struct md_part_state *p = &c->img.parts[a.tp];
		if (p->recovering) {
			p->recovering = false;
			p->partition_epoch++;
			log_partition(c, ctx, a.tp);
		}
	}
	int32_t ids[LIMIT_BROKERS];
	uint32_t n = 0;
	if (a.tp < c->cluster->nparts) {
		const struct md_part_state *p = &c->img.parts[a.tp];
		r.leader = p->leader;
		r.leader_epoch = p->leader_epoch;
		r.partition_epoch = p->partition_epoch;
		n = p->n_isr;
		memcpy(ids, p->isr, n * sizeof(int32_t));
	}
	r.n_isr = n;
	struct net_msg out;
	PROTO_PUT(&out, MSG_ALTER_PARTITION_RESP, r);
	reply(ctx, conn, m->corr, &out, ids, (uint32_t)(n * sizeof(int32_t)));
}

/* ---- metadata fetches ------------------------------------------------------------------- */

static void send_records(struct controller *c, struct node_ctx *ctx, conn_id conn,
			 uint64_t corr, int64_t from)
{
	struct metadata_fetch_resp r = {.error = KERR_NONE, .from_offset = from};
	uint64_t n = c->log.n;
	if (from < 0 || (uint64_t)from > n) {
		r.error = KERR_OFFSET_OUT_OF_RANGE;
		from = 0;
	}
	uint64_t to = (uint64_t)from + MD_FETCH_MAX_RECORDS < n ? (uint64_t)from +
								  MD_FETCH_MAX_RECORDS : n;
	uint64_t len = 0;
	const uint8_t *bytes = r.error ? NULL : md_log_slice(&c->log, (uint64_t)from, to, &len);
	r.count = r.error ? 0 : (uint32_t)(to - (uint64_t)from);
	r.end_offset = (int64_t)n;
	struct net_msg out;
	PROTO_PUT(&out, MSG_METADATA_FETCH_RESP, r);
	reply(ctx, conn, corr, &out, bytes, (uint32_t)len);
}

static void answer_parked(struct controller *c, struct node_ctx *ctx)
{
	for (uint32_t i = 0; i < c->parked_cap; i++) {
		struct ctl_parked_fetch *pf = &c->parked[i];
		if (!pf->live || (uint64_t)pf->from_offset >= c->log.n)
			continue;
		pf->live = false;
		node_timer_cancel(ctx, pf->timer);
		send_records(c, ctx, pf->conn, pf->corr, pf->from_offset);
	}
}

static void on_metadata_fetch(struct controller *c, struct node_ctx *ctx, conn_id conn,
			      const struct net_msg *m)
{
	struct metadata_fetch f;
	PROTO_GET(m, f);
	if (f.from_offset != (int64_t)c->log.n || f.max_wait_ms <= 0) {
		send_records(c, ctx, conn, m->corr, f.from_offset);
		return;
	}
	/* Nothing new: long-poll until a record is appended or max_wait passes. */
	for (uint32_t i = 0; i < c->parked_cap; i++) {
		struct ctl_parked_fetch *pf = &c->parked[i];
		if (pf->live)
			continue;
		*pf = (struct ctl_parked_fetch){
			.conn = conn, .corr = m->corr, .from_offset = f.from_offset, .live = true,
		};
		pf->timer = node_timer(ctx, ms_to_us(f.max_wait_ms), TIMER_PARKED_FETCH, i);
		return;
	}
	send_records(c, ctx, conn, m->corr, f.from_offset);   /* no room: answer now */
}

/* ---- node ops -------------------------------------------------------------------------- */

static void arm_preferred(struct controller *c, struct node_ctx *ctx)
{
	if (c->cfg.auto_leader_rebalance_enable)
		node_timer(ctx, c->cfg.leader_imbalance_check_interval_s * 1000000,
			   TIMER_PREFERRED, 0);
}

/* QuorumController's periodic maybeBalancePartitionLeaders: a preferred election for every
 * partition whose leader is not its first replica. */
static void balance_leaders(struct controller *c, struct node_ctx *ctx)
{
	for (uint32_t tp = 0; tp < c->cluster->nparts; tp++) {
		const struct part_cfg *pc = &c->cluster->parts[tp];
		if (c->img.parts[tp].leader == pc->replicas[0])
			continue;
		struct change ch;
		change_init(c, &ch, tp);
		ch.election = CTL_ELECT_PREFERRED;
		build(c, ctx, &ch, "preferred leader election");
	}
}

static void ctl_start(void *model, struct node_ctx *ctx)
{
	struct controller *c = model;
	for (uint32_t b = 0; b < c->cluster->brokers; b++)
		c->brokers[b].last_contact_us = ctx->now_us;
	for (uint32_t i = 0; i < c->parked_cap; i++)
		c->parked[i].live = false;
	c->fence_timer_at_us = -1;
	arm_fence_check(c, ctx);
	arm_preferred(c, ctx);
}

static void ctl_halt(void *model, enum node_halt how, int64_t now_us)
{
	struct controller *c = model;
	(void)how;
	(void)now_us;   /* the metadata log is durable when written: nothing is lost */
	c->fence_timer_at_us = -1;
	for (uint32_t i = 0; i < c->parked_cap; i++)
		c->parked[i].live = false;
}

static void ctl_message(void *model, struct node_ctx *ctx, conn_id conn,
			const struct net_msg *m, const void *blob, uint32_t blob_len)
{
	struct controller *c = model;
	switch (m->type) {
	case MSG_BROKER_HEARTBEAT:
		on_heartbeat(c, ctx, conn, m);
		break;
	case MSG_BROKER_REGISTRATION:
		on_registration(c, ctx, conn, m);
		break;
	case MSG_ALTER_PARTITION:
		on_alter_partition(c, ctx, conn, m, blob, blob_len);
		break;
	case MSG_METADATA_FETCH:
		on_metadata_fetch(c, ctx, conn, m);
		break;
	default:
		break;   /* not a controller request: ignored, as an unknown API would be */
	}
}

static void ctl_conn_event(void *model, struct node_ctx *ctx, conn_id conn, enum conn_event ev)
{
	struct controller *c = model;
	(void)ev;
	/* A broker's connection went away: drop its parked fetch. */
	for (uint32_t i = 0; i < c->parked_cap; i++)
		if (c->parked[i].live && c->parked[i].conn == conn) {
			c->parked[i].live = false;
			node_timer_cancel(ctx, c->parked[i].timer);
		}
}

static void ctl_timer(void *model, struct node_ctx *ctx, uint32_t kind, uint64_t arg)
{
	struct controller *c = model;
	switch (kind) {
	case TIMER_FENCE_CHECK:
		c->fence_timer_at_us = -1;
		fence_stale(c, ctx);
		arm_fence_check(c, ctx);
		break;
	case TIMER_PARKED_FETCH: {
		struct ctl_parked_fetch *pf = &c->parked[arg];
		if (pf->live) {
			pf->live = false;
			send_records(c, ctx, pf->conn, pf->corr, pf->from_offset);
		}
		break;
	}
	case TIMER_PREFERRED:
		balance_leaders(c, ctx);
		arm_preferred(c, ctx);
		break;
	default:
		assert(0 && "unknown controller timer");
	}
}

const struct node_ops controller_ops = {
	.start = ctl_start,
	.halt = ctl_halt,
	.message = ctl_message,
	.conn_event = ctl_conn_event,
	.timer = ctl_timer,
};
