/*
 * scen_faults.c — node and partition references (scenario-format 1), the scripted `faults`
 * (7) and the `nemesis` (8). References are resolved here to tagged values; aliases such as
 * leader(TOPIC-P) stay aliases, resolved by the runner when the fault fires.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/limits.h"
#include "sim/scen_internal.h"
#include "sim/units.h"

static const char *const fault_keys[] = {
	"at", "for", "power-loss", "crash", "restart", "stop", "pause", "partition", "isolate",
	"link", "clock", "heal", "leave", "stall", NULL,
};
static const char *const link_keys[] = {"from", "to", "drop", "latency", "jitter", NULL};
static const char *const clock_keys[] = {"node", "skew", NULL};
static const char *const nemesis_keys[] = {
	"faults", "targets", "interval", "for", "max-concurrent", NULL,
};

/* Action keys in enum scen_fault_kind order, and whether `for:` may undo them (7). */
static const struct {
	const char *key;
	bool        allows_for;
} actions[SCEN_FAULT_KIND_COUNT] = {
	[SCEN_FAULT_CRASH] = {"crash", true},       [SCEN_FAULT_RESTART] = {"restart", false},
	[SCEN_FAULT_STOP] = {"stop", true},         [SCEN_FAULT_PAUSE] = {"pause", true},
	[SCEN_FAULT_PARTITION] = {"partition", true}, [SCEN_FAULT_ISOLATE] = {"isolate", true},
	[SCEN_FAULT_LINK] = {"link", true},         [SCEN_FAULT_CLOCK] = {"clock", true},
	[SCEN_FAULT_HEAL] = {"heal", false},        [SCEN_FAULT_LEAVE] = {"leave", false},
	[SCEN_FAULT_STALL] = {"stall", true},
};

static const char *const nemesis_names[SCEN_NEMESIS_KIND_COUNT + 1] = {
	"crash", "power-loss", "pause", "partition", "isolate", "link", "clock", NULL,
};
static const char *const target_names[] = {"brokers", "controllers", "clients", "all", NULL};

const char *scen_fault_kind_name(enum scen_fault_kind k)
{
	assert(k < SCEN_FAULT_KIND_COUNT);
	return actions[k].key;
}

const char *scen_nemesis_kind_name(enum scen_nemesis_kind k)
{
	assert(k < SCEN_NEMESIS_KIND_COUNT);
	return nemesis_names[k];
}

/* --- references ------------------------------------------------------------------------- */

static bool digits_u64(const char *s, size_t len, uint64_t *v)
{
	if (len == 0 || s[0] < '0' || s[0] > '9')
		return false;
	return units_uint64(s, len, v) == UNITS_OK;
}

static void unknown_topic(struct scen_ld *ld, const struct ynode *n, const char *name,
			  size_t len)
{
	char q[80];
	cfg_quote_text(q, sizeof(q), name, len);
	struct suggest sg;
	scen_suggest_init(&sg, name, len);
	for (uint32_t t = 0; scen_err_wanted(ld, scen_pos_of(n)) && t < ld->s->topic_count; t++)
		if (ld->s->topics[t].name != NULL)
			scen_suggest_add(&sg, ld->s->topics[t].name);
	if (sg.best != NULL)
		scen_errn(ld, n, "unknown topic `%s`; did you mean `%s`?", q, sg.best);
	else
		scen_errn(ld, n, "unknown topic `%s`", q);
}

bool scen_parse_tp(struct scen_ld *ld, const struct ynode *n, const char *text, size_t len,
		   bool allow_offsets, struct scen_tp *out)
{
	char q[80];
	cfg_quote_text(q, sizeof(q), text, len);
	const char *dash = NULL;
	for (size_t i = 0; i < len; i++)
		if (text[i] == '-')
			dash = text + i;
	uint64_t p;
	if (dash == NULL || dash == text ||
	    !digits_u64(dash + 1, len - (size_t)(dash + 1 - text), &p)) {
		scen_errn(ld, n, "`%s` is not a partition TOPIC-P, such as orders-0", q);
		return false;
	}
	size_t tlen = (size_t)(dash - text);
	if (tlen == 18 && memcmp(text, "__consumer_offsets", 18) == 0) {
		if (!allow_offsets) {
			scen_errn(ld, n, "`%s`: __consumer_offsets is not allowed here", q);
			return false;
		}
		if (p >= ld->s->offsets_partitions) {
			scen_errn(ld, n, "__consumer_offsets has no partition %llu "
				  "(offsets.topic.num.partitions is %u)", (unsigned long long)p,
				  ld->s->offsets_partitions);
			return false;
		}
		*out = (struct scen_tp){SCEN_TOPIC_OFFSETS, (uint32_t)p};
		return true;
	}
	int64_t t = scen_names_get(&ld->topics, text, tlen);
	if (t < 0) {
		unknown_topic(ld, n, text, tlen);
		return false;
	}
	const struct scen_topic *topic = &ld->s->topics[t];
	if (topic->partitions > 0 && p >= topic->partitions) {
		scen_errn(ld, n, "topic `%s` has no partition %llu (it has %u)", topic->name,
			  (unsigned long long)p, topic->partitions);
		return false;
	}
	*out = (struct scen_tp){(uint32_t)t, (uint32_t)p};
	return true;
}

static bool ref_inner(const struct ynode *n, const char *prefix, const char **s, size_t *len)
{
	size_t pl = strlen(prefix);
	if (n->len <= pl + 1 || memcmp(n->text, prefix, pl) != 0 || n->text[n->len - 1] != ')')
		return false;
	*s = n->text + pl;
	*len = n->len - pl - 1;
	return true;
}

static bool ref_client(struct scen_ld *ld, const struct ynode *n, struct scen_ref *out)
{
	int64_t c = scen_names_get(&ld->clients, n->text, n->len);
	if (c >= 0) {
		out->kind = SCEN_REF_CLIENT;
		out->client = (uint32_t)c;
		return true;
	}
	if (ld->bad_clients)
		return false;
	char q[80];
	scen_quote(q, sizeof(q), n);
	struct suggest sg;
	scen_suggest_init(&sg, n->text, n->len);
	for (uint32_t i = 0; scen_err_wanted(ld, scen_pos_of(n)) && i < ld->s->client_count; i++)
		scen_suggest_add(&sg, ld->s->clients[i].id);
	scen_errn(ld, n, "unknown node `%s`: not a broker id, controller, controller-N, "
		  "leader(TOPIC-P), coordinator(GROUP) or client id%s%s%s", q,
		  sg.best ? "; did you mean `" : "", sg.best ? sg.best : "", sg.best ? "`?" : "");
	return false;
}

static bool ref_controller(struct scen_ld *ld, const struct ynode *n, struct scen_ref *out)
{
	uint64_t k;
	if (!digits_u64(n->text + 11, n->len - 11, &k) || k == 0 ||
	    k > ld->s->cluster.controllers) {
		char q[80];
		scen_quote(q, sizeof(q), n);
		if (ld->s->cluster.controllers == 1)
			scen_errn(ld, n, "there is no `%s`: the only controller is controller-1", q);
		else
			scen_errn(ld, n, "there is no `%s`: controllers are controller-1 .. "
				  "controller-%u", q, ld->s->cluster.controllers);
		return false;
	}
	out->kind = SCEN_REF_CONTROLLER_N;
	out->controller = (uint32_t)k;
	return true;
}

bool scen_parse_ref(struct scen_ld *ld, const struct ynode *n, const char *what,
		    struct scen_ref *out)
{
	memset(out, 0, sizeof(*out));
	out->pos = scen_pos_of(n);
	if (!scen_want_kind(ld, n, YN_SCALAR, what))
		return false;
	int64_t id;
	const char *in;
	size_t il;
	if (units_int64(n->text, n->len, &id) == UNITS_OK) {
		uint32_t bi;
		out->kind = SCEN_REF_BROKER;
		out->broker_id = (int32_t)id;
		return scen_lookup_broker(ld, n, id, &bi);
	}
	if (ynode_text_is(n, "controller")) {
		out->kind = SCEN_REF_CONTROLLER;
		return true;
	}
	if (n->len > 11 && memcmp(n->text, "controller-", 11) == 0 &&
	    scen_names_get(&ld->clients, n->text, n->len) < 0)
		return ref_controller(ld, n, out);
	if (ref_inner(n, "leader(", &in, &il)) {
		struct scen_tp tp;
		if (!scen_parse_tp(ld, n, in, il, true, &tp))
			return false;
		*out = (struct scen_ref){.kind = SCEN_REF_LEADER, .topic = tp.topic,
					 .partition = tp.partition, .pos = out->pos};
		return true;
	}
	if (ref_inner(n, "coordinator(", &in, &il)) {
		int64_t g = scen_names_get(&ld->groups, in, il);
		if (g < 0) {
			char q[80];
			cfg_quote_text(q, sizeof(q), in, il);
			scen_errn(ld, n, "coordinator(%s): no consumer group `%s`", q, q);
			return false;
		}
		out->kind = SCEN_REF_COORDINATOR;
		out->group = (uint32_t)g;
		return true;
	}
	return ref_client(ld, n, out);
}

char *scen_tp_format(const struct scenario *s, struct scen_tp tp, char *buf, size_t cap)
{
	const char *name = tp.topic == SCEN_TOPIC_OFFSETS ? "__consumer_offsets"
			 : s->topics[tp.topic].name;
	snprintf(buf, cap, "%s-%u", name, tp.partition);
	return buf;
}

char *scen_ref_format(const struct scenario *s, const struct scen_ref *r, char *buf, size_t cap)
{
	char tp[LIMIT_NAME_BYTES + 16];
	switch (r->kind) {
	case SCEN_REF_BROKER:
		snprintf(buf, cap, "%d", (int)r->broker_id);
		break;
	case SCEN_REF_CONTROLLER:
		snprintf(buf, cap, "controller");
		break;
	case SCEN_REF_CONTROLLER_N:
		snprintf(buf, cap, "controller-%u", r->controller);
		break;
	case SCEN_REF_LEADER:
		snprintf(buf, cap, "leader(%s)",
			 scen_tp_format(s, (struct scen_tp){r->topic, r->partition}, tp, sizeof(tp)));
		break;
	case SCEN_REF_COORDINATOR:
		snprintf(buf, cap, "coordinator(%s)", s->groups[r->group].name);
		break;
	case SCEN_REF_CLIENT:
		snprintf(buf, cap, "%s", s->clients[r->client].id);
		break;
	}
	return buf;
}

/* --- faults ----------------------------------------------------------------------------- */

/* What a reference names regardless of when it fires: with one controller, `controller`
 * and controller-1 are the same node. */
struct ident {
	uint32_t kind, a, b, at;
};

static struct ident ref_ident(const struct scenario *s, const struct scen_ref *r, uint32_t at)
{
	switch (r->kind) {
	case SCEN_REF_BROKER:       return (struct ident){0, (uint32_t)r->broker_id, 0, at};
	case SCEN_REF_CONTROLLER:
		return s->cluster.controllers == 1 ? (struct ident){1, 1, 0, at}
						   : (struct ident){1, 0, 0, at};
	case SCEN_REF_CONTROLLER_N: return (struct ident){1, r->controller, 0, at};
	case SCEN_REF_LEADER:       return (struct ident){2, r->topic, r->partition, at};
	case SCEN_REF_COORDINATOR:  return (struct ident){3, r->group, 0, at};
	case SCEN_REF_CLIENT:       return (struct ident){4, r->client, 0, at};
	}
	return (struct ident){5, 0, 0, at};
}

static int ident_cmp(const void *pa, const void *pb)
{
	const struct ident *a = pa, *b = pb;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	if (a->b != b->b)
		return a->b < b->b ? -1 : 1;
	return (a->at > b->at) - (a->at < b->at);
}

static bool same_ident(const struct ident *a, const struct ident *b)
{
	return a->kind == b->kind && a->a == b->a && a->b == b->b;
}

static bool partition_nodes_distinct(struct scen_ld *ld, struct scen_fault *f)
{
	struct ident *ids = scen_arena_array(ld->tmp, f->node_count, sizeof(*ids));
	if (ids == NULL)
		return scen_oom(ld);
	for (uint32_t i = 0; i < f->node_count; i++)
		ids[i] = ref_ident(ld->s, &f->nodes[i], i);
	qsort(ids, f->node_count, sizeof(*ids), ident_cmp);
	bool ok = true;
	for (uint32_t i = 1; i < f->node_count; i++) {
		if (same_ident(&ids[i], &ids[i - 1])) {
			const struct scen_ref *r = &f->nodes[ids[i].at];
			char name[LIMIT_NAME_BYTES + 32];
			scen_err(ld, r->pos, "node `%s` is listed twice in `partition`",
				 scen_ref_format(ld->s, r, name, sizeof(name)));
			ok = false;
		}
	}
	return ok;
}

static void load_partition(struct scen_ld *ld, const struct ynode *v, struct scen_fault *f)
{
	if (!scen_want_kind(ld, v, YN_SEQ, "`partition`"))
		return;
	if (v->n < 2) {
		scen_errn(ld, v, "`partition` needs at least two groups (a single group cuts "
			  "nothing): [[1, 2], [3]]");
		return;
	}
	uint32_t total = 0;
	for (uint32_t g = 0; g < v->n; g++) {
		const struct ynode *grp = v->kids[g];
		if (!scen_want_kind(ld, grp, YN_SEQ, "a `partition` group"))
			return;
		if (grp->n == 0) {
			scen_errn(ld, grp, "a `partition` group must list at least one node");
			return;
		}
		if (grp->n > LIMIT_NODES || total + grp->n > LIMIT_NODES) {
			scen_errn(ld, grp, "`partition` lists more nodes than there are");
			return;
		}
		total += grp->n;
	}
	f->group_count = v->n;
	f->node_count = total;
	f->group_start = scen_arena_array(ld->a, v->n + 1, sizeof(uint32_t));
	f->nodes = scen_arena_array(ld->a, total, sizeof(*f->nodes));
	if (f->group_start == NULL || f->nodes == NULL)
		return (void)scen_oom(ld);
	bool ok = true;
	for (uint32_t g = 0, k = 0; g < v->n; g++) {
		f->group_start[g] = k;
		for (uint32_t i = 0; i < v->kids[g]->n; i++, k++)
			ok &= scen_parse_ref(ld, v->kids[g]->kids[i], "a `partition` node",
					     &f->nodes[k]);
	}
	f->group_start[v->n] = total;
	if (ok)
		partition_nodes_distinct(ld, f);
}

static void load_link(struct scen_ld *ld, const struct ynode *v, struct scen_fault *f)
{
	const struct map_spec spec = {link_keys, MAP_CFG_NONE, "in `link`"};
	if (!scen_map_check(ld, v, &spec))
		return;
	struct scen_link *l = &f->link;
	const struct ynode *from = ymap_get(v, "from"), *to = ymap_get(v, "to"), *x;
	bool ok = true;
	if (from == NULL || to == NULL) {
		scen_errn(ld, v, "`link` needs `from` and `to`");
		ok = false;
	}
	ok &= from != NULL && scen_parse_ref(ld, from, "`link.from`", &l->from);
	ok &= to != NULL && scen_parse_ref(ld, to, "`link.to`", &l->to);
	if ((x = ymap_get(v, "drop")) != NULL)
		l->has_drop = scen_get_prob(ld, x, "`link.drop`", &l->drop_ratio);
	if ((x = ymap_get(v, "latency")) != NULL)
		l->has_latency = scen_get_time(ld, x, "`link.latency`", false, false,
					       &l->latency_us);
	if ((x = ymap_get(v, "jitter")) != NULL)
		l->has_jitter = scen_get_time(ld, x, "`link.jitter`", false, false, &l->jitter_us);
	if (ymap_get(v, "drop") == NULL && ymap_get(v, "latency") == NULL &&
	    ymap_get(v, "jitter") == NULL)
		scen_errn(ld, v, "`link` changes nothing: give `drop`, `latency` or `jitter`");
	struct ident a = ref_ident(ld->s, &l->from, 0), b = ref_ident(ld->s, &l->to, 0);
	if (ok && same_ident(&a, &b))
		scen_errn(ld, to, "a `link` goes from one node to another, not to itself");
}

static void load_clock(struct scen_ld *ld, const struct ynode *v, struct scen_fault *f)
{
	const struct map_spec spec = {clock_keys, MAP_CFG_NONE, "in `clock`"};
	if (!scen_map_check(ld, v, &spec))
		return;
	const struct ynode *node = ymap_get(v, "node"), *skew = ymap_get(v, "skew");
	if (node == NULL || skew == NULL) {
		scen_errn(ld, v, "`clock` needs `node` and `skew`");
		return;
	}
	scen_parse_ref(ld, node, "`clock.node`", &f->node);
	scen_get_time(ld, skew, "`clock.skew`", true, false, &f->skew_us);
}

static bool is_consumer_ref(const struct scen_ld *ld, const struct scen_ref *r)
{
	return r->kind == SCEN_REF_CLIENT &&
	       ld->s->clients[r->client].kind == SCEN_CLIENT_CONSUMER;
}

static void load_node_action(struct scen_ld *ld, const struct ynode *v, struct scen_fault *f)
{
	char what[32];
	snprintf(what, sizeof(what), "`%s`", actions[f->kind].key);
	if (!scen_parse_ref(ld, v, what, &f->node))
		return;
	bool client = f->node.kind == SCEN_REF_CLIENT;
	if (f->kind == SCEN_FAULT_STOP && client)
		scen_errn(ld, v, "`stop` is a broker's or controller's controlled shutdown; a "
			  "consumer leaves with `leave`, any client crashes with `crash`");
	if ((f->kind == SCEN_FAULT_LEAVE || f->kind == SCEN_FAULT_STALL) &&
	    !is_consumer_ref(ld, &f->node))
		scen_errn(ld, v, "`%s` applies to consumer members only", actions[f->kind].key);
	if (f->kind == SCEN_FAULT_CRASH && f->power_loss && client)
		scen_errn(ld, v, "`power-loss` applies to brokers and controllers, which keep "
			  "logs; a client just crashes");
}

static void load_action(struct scen_ld *ld, const struct ynode *v, struct scen_fault *f)
{
	switch (f->kind) {
	case SCEN_FAULT_PARTITION:
		load_partition(ld, v, f);
		break;
	case SCEN_FAULT_LINK:
		load_link(ld, v, f);
		break;
	case SCEN_FAULT_CLOCK:
		load_clock(ld, v, f);
		break;
	case SCEN_FAULT_HEAL:
		if (!ynode_text_is(v, "all"))
			scen_errn(ld, v, "`heal` takes `all` (it removes every cut and link "
				  "override)");
		break;
	default:
		load_node_action(ld, v, f);
		break;
	}
}

/* The action key of a fault; exactly one. */
static bool fault_kind(struct scen_ld *ld, const struct ynode *n, struct scen_fault *f,
		       const struct ynode **value)
{
	const struct ynode *first = NULL;
	for (uint32_t i = 0; i < n->n; i++) {
		const struct ynode *k = ymap_key(n, i);
		for (int a = 0; a < SCEN_FAULT_KIND_COUNT; a++) {
			if (!ynode_text_is(k, actions[a].key))
				continue;
			if (first != NULL) {
				scen_errn(ld, k, "a fault holds exactly one action; `%s` and `%s` are "
					  "both given", first->text, k->text);
				return false;
			}
			first = k;
			f->kind = (enum scen_fault_kind)a;
			*value = ymap_val(n, i);
		}
	}
	if (first == NULL)
		scen_errn(ld, n, "a fault needs one action: crash, restart, stop, pause, partition, "
			  "isolate, link, clock, heal, leave or stall");
	return first != NULL;
}

static void fault_times(struct scen_ld *ld, const struct ynode *n, struct scen_fault *f)
{
	const struct ynode *v = ymap_get(n, "at");
	if (v == NULL) {
		scen_errn(ld, n, "missing required key `at` in a fault");
	} else if (scen_get_time(ld, v, "`at`", false, false, &f->at_us) &&
		   f->at_us >= ld->s->duration_us) {
		char a[48], d[48];
		scen_errn(ld, v, "at: %s is not before duration: %s (faults happen in [0, "
			  "duration))", units_format_time(f->at_us, a, sizeof(a)),
			  units_format_time(ld->s->duration_us, d, sizeof(d)));
	}
	if ((v = ymap_get(n, "for")) == NULL)
		return;
	if (!actions[f->kind].allows_for) {
		for (uint32_t i = 0; i < n->n; i++)
			if (ynode_text_is(ymap_key(n, i), "for"))
				scen_errn(ld, ymap_key(n, i), "`for:` is not allowed on `%s` (only "
					  "crash, stop, pause, partition, isolate, link, clock and "
					  "stall can be undone)", actions[f->kind].key);
		return;
	}
	f->has_for = scen_get_time(ld, v, "`for`", false, true, &f->for_us);
}

static void load_fault(struct scen_ld *ld, const struct ynode *n, uint32_t index)
{
	struct scen_fault *f = &ld->s->faults[index];
	f->index = index;
	f->pos = scen_pos_of(n);
	const struct map_spec spec = {fault_keys, MAP_CFG_NONE, "in a fault"};
	const struct ynode *value = NULL;
	if (!scen_map_check(ld, n, &spec) || !fault_kind(ld, n, f, &value))
		return;
	fault_times(ld, n, f);
	const struct ynode *pl = ymap_get(n, "power-loss");
	if (pl != NULL) {
		if (f->kind != SCEN_FAULT_CRASH)
			scen_errn(ld, pl, "`power-loss` goes with `crash` only");
		else
			scen_get_bool(ld, pl, "`power-loss`", &f->power_loss);
	}
	load_action(ld, value, f);
}

void scen_load_faults(struct scen_ld *ld, const struct ynode *n)
{
	if (n == NULL || ynode_is_null(n) || !scen_want_kind(ld, n, YN_SEQ, "`faults`"))
		return;
	if (n->n > LIMIT_FAULTS) {
		scen_errn(ld, n, "%u faults is above the limit of %d (11.9)", n->n, LIMIT_FAULTS);
		return;
	}
	struct scenario *s = ld->s;
	s->faults = scen_arena_array(ld->a, n->n, sizeof(*s->faults));
	if (s->faults == NULL)
		return (void)scen_oom(ld);
	s->fault_count = n->n;
	for (uint32_t i = 0; i < n->n && !ld->oom; i++)
		load_fault(ld, n->kids[i], i);
}

/* --- nemesis ---------------------------------------------------------------------------- */

static bool nemesis_kinds(struct scen_ld *ld, const struct ynode *v, struct scen_nemesis *nm)
{
	if (!scen_want_kind(ld, v, YN_SEQ, "`nemesis.faults`"))
		return false;
	if (v->n == 0) {
		scen_errn(ld, v, "`nemesis.faults` needs at least one kind");
		return false;
	}
	uint32_t seen = 0;
	for (uint32_t i = 0; i < v->n; i++) {
		const struct ynode *k = v->kids[i];
		int kind = -1;
		for (int j = 0; j < SCEN_NEMESIS_KIND_COUNT; j++)
			if (ynode_text_is(k, nemesis_names[j]))
				kind = j;
		char q[80];
		scen_quote(q, sizeof(q), k);
		if (kind < 0) {
			scen_errn(ld, k, "unknown nemesis fault `%s` (crash, power-loss, pause, "
				  "partition, isolate, link, clock)", q);
			return false;
		}
		if (seen & (1u << kind)) {
			scen_errn(ld, k, "nemesis fault `%s` is listed twice", q);
			return false;
		}
		seen |= 1u << kind;
		nm->kinds[nm->kind_count++] = (enum scen_nemesis_kind)kind;
	}
	return true;
}

static uint64_t target_count(const struct scenario *s, enum scen_targets t)
{
	switch (t) {
	case SCEN_TARGETS_BROKERS:     return s->cluster.broker_count;
	case SCEN_TARGETS_CONTROLLERS: return s->cluster.controllers;
	case SCEN_TARGETS_CLIENTS:     return s->client_count;
	case SCEN_TARGETS_ALL:
		return (uint64_t)s->cluster.broker_count + s->cluster.controllers +
		       s->client_count;
	}
	return 0;
}

static void nemesis_checks(struct scen_ld *ld, const struct ynode *n, struct scen_nemesis *nm)
{
	const struct scenario *s = ld->s;
	uint64_t targets = target_count(s, nm->targets);
	for (uint32_t i = 0; i < nm->kind_count; i++) {
		enum scen_nemesis_kind k = nm->kinds[i];
		bool pair = k == SCEN_NEMESIS_PARTITION || k == SCEN_NEMESIS_LINK;
		if (!ld->bad_cluster && !ld->bad_clients && targets < (pair ? 2u : 1u))
			scen_errn(ld, n, "nemesis `%s` needs at least %d target%s; targets: %s has "
				  "%llu", nemesis_names[k], pair ? 2 : 1, pair ? "s" : "",
				  target_names[nm->targets], (unsigned long long)targets);
		if (k == SCEN_NEMESIS_POWER_LOSS && nm->targets == SCEN_TARGETS_CLIENTS)
			scen_errn(ld, n, "nemesis `power-loss` needs brokers or controllers among "
				  "its targets");
	}
	uint64_t draws = (uint64_t)(s->duration_us / nm->interval_us);
	if (draws + s->fault_count > LIMIT_FAULTS)
		scen_errn(ld, n, "the nemesis would draw about %llu faults (duration / interval), "
			  "above the limit of %d faults (11.9)", (unsigned long long)draws,
			  LIMIT_FAULTS);
}

void scen_load_nemesis(struct scen_ld *ld, const struct ynode *n)
{
	struct scen_nemesis *nm = &ld->s->nemesis;
	if (n == NULL || ynode_is_null(n))
		return;
	const struct map_spec spec = {nemesis_keys, MAP_CFG_NONE, "in `nemesis`"};
	if (!scen_map_check(ld, n, &spec))
		return;
	nm->pos = scen_pos_of(n);
	nm->max_concurrent = 1;
	bool ok = true;
	const struct ynode *v = ymap_get(n, "faults");
	if (v == NULL) {
		scen_errn(ld, n, "missing required key `faults` in `nemesis`");
		ok = false;
	} else {
		ok &= nemesis_kinds(ld, v, nm);
	}
	int t = 0;
	if ((v = ymap_get(n, "targets")) != NULL) {
		ok &= scen_want_kind(ld, v, YN_SCALAR, "`nemesis.targets`");
		for (t = 0; ok && target_names[t] != NULL && !ynode_text_is(v, target_names[t]); t++)
			;
		if (ok && target_names[t] == NULL) {
			scen_errn(ld, v, "`nemesis.targets` is brokers, controllers, clients or all");
			ok = false;
		}
	}
	nm->targets = ok ? (enum scen_targets)t : SCEN_TARGETS_BROKERS;
	const char *req[2] = {"interval", "for"};
	int64_t *dst[2] = {&nm->interval_us, &nm->for_us};
	for (int i = 0; i < 2; i++) {
		char what[32];
		snprintf(what, sizeof(what), "`nemesis.%s`", req[i]);
		if ((v = ymap_get(n, req[i])) == NULL) {
			scen_errn(ld, n, "missing required key `%s` in `nemesis`", req[i]);
			ok = false;
		} else {
			ok &= scen_get_time(ld, v, what, false, true, dst[i]);
		}
	}
	uint64_t mc;
	if ((v = ymap_get(n, "max-concurrent")) != NULL) {
		ok &= scen_get_u64(ld, v, "`nemesis.max-concurrent`", 1, LIMIT_FAULTS, &mc);
		nm->max_concurrent = (uint32_t)(ok ? mc : 1);
	}
	if (ok)
		nemesis_checks(ld, n, nm);
	nm->enabled = ok;
}
