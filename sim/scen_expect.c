/*
 * scen_expect.c — `expect` (scenario-format 9): one metric per item, its scope keys (which
 * depend on the metric), `at:` for state metrics within [0, duration + settle], and the
 * condition: a number (equality), a comparison string ("> 0"), or for list metrics (isr, elr,
 * assignment) a set compared with == or != only.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/limits.h"
#include "sim/scen_internal.h"
#include "sim/units.h"

enum scope_bit {
	S_PRODUCER = 1 << 0, S_PARTITION = 1 << 1, S_GROUP = 1 << 2, S_CODE = 1 << 3,
	S_MEMBER = 1 << 4, S_REPLICA = 1 << 5, S_AT = 1 << 6,
};

enum value_kind { V_INT, V_LEADER, V_BROKERS, V_TPS };

struct metric_def {
	const char     *name;
	unsigned        allowed;    /* scope keys it takes */
	unsigned        required;   /* scope keys it needs */
	enum value_kind value;
	const char     *scopes;     /* for messages */
};

static const struct metric_def metrics[SCEN_M_COUNT] = {
	[SCEN_M_ACKED] = {"acked", S_PRODUCER, 0, V_INT, "producer:"},
	[SCEN_M_FAILED] = {"failed", S_PRODUCER, 0, V_INT, "producer:"},
	[SCEN_M_LOST_WRITE] = {"lost-write", S_PARTITION, 0, V_INT, "partition:"},
	[SCEN_M_DUPLICATE] = {"duplicate", S_PARTITION, 0, V_INT, "partition:"},
	[SCEN_M_NONMONOTONIC_SEND] = {"nonmonotonic-send", S_PRODUCER, 0, V_INT, "producer:"},
	[SCEN_M_FAILED_BUT_PRESENT] = {"failed-but-present", 0, 0, V_INT, "no scope"},
	[SCEN_M_UNAVAILABLE] = {"unavailable", S_PARTITION, 0, V_INT, "partition:"},
	[SCEN_M_INCONSISTENT_OFFSETS] = {"inconsistent-offsets", 0, 0, V_INT, "no scope"},
	[SCEN_M_UNSEEN] = {"unseen", S_GROUP, S_GROUP, V_INT, "group:"},
	[SCEN_M_SKIPPED] = {"skipped", S_GROUP, S_GROUP, V_INT, "group:"},
	[SCEN_M_REDELIVERED] = {"redelivered", S_GROUP, S_GROUP, V_INT, "group:"},
	[SCEN_M_CONSUMED] = {"consumed", S_GROUP, S_GROUP, V_INT, "group:"},
	[SCEN_M_LAG] = {"lag", S_GROUP, S_GROUP, V_INT, "group:"},
	[SCEN_M_REBALANCES] = {"rebalances", S_GROUP, S_GROUP, V_INT, "group:"},
	[SCEN_M_ELECTIONS] = {"elections", S_PARTITION, 0, V_INT, "partition:"},
	[SCEN_M_UNCLEAN_ELECTIONS] = {"unclean-elections", S_PARTITION, 0, V_INT, "partition:"},
	[SCEN_M_PRODUCE_ERRORS] = {"produce-errors", S_CODE | S_PRODUCER, S_CODE, V_INT,
				   "code: and producer:"},
	[SCEN_M_CONSUMER_ERRORS] = {"consumer-errors", S_GROUP | S_CODE, S_GROUP | S_CODE, V_INT,
				    "group: and code:"},
	[SCEN_M_OFFLINE_MS] = {"offline-ms", S_PARTITION, 0, V_INT, "partition:"},
	[SCEN_M_LEADER] = {"leader", S_PARTITION | S_AT, S_PARTITION, V_LEADER,
			   "partition: and at:"},
	[SCEN_M_LEADER_EPOCH] = {"leader-epoch", S_PARTITION | S_AT, S_PARTITION, V_INT,
				 "partition: and at:"},
	[SCEN_M_ISR] = {"isr", S_PARTITION | S_AT, S_PARTITION, V_BROKERS, "partition: and at:"},
	[SCEN_M_ELR] = {"elr", S_PARTITION | S_AT, S_PARTITION, V_BROKERS, "partition: and at:"},
	[SCEN_M_HW] = {"hw", S_PARTITION | S_AT, S_PARTITION, V_INT, "partition: and at:"},
	[SCEN_M_LOG_START_OFFSET] = {"log-start-offset", S_PARTITION | S_AT, S_PARTITION, V_INT,
				     "partition: and at:"},
	[SCEN_M_LEO] = {"leo", S_PARTITION | S_REPLICA | S_AT, S_PARTITION | S_REPLICA, V_INT,
			"partition:, replica: and at:"},
	[SCEN_M_COMMITTED_OFFSET] = {"committed-offset", S_GROUP | S_PARTITION | S_AT,
				     S_GROUP | S_PARTITION, V_INT, "group:, partition: and at:"},
	[SCEN_M_ASSIGNMENT] = {"assignment", S_GROUP | S_MEMBER | S_AT, S_GROUP | S_MEMBER,
			       V_TPS, "group:, member: and at:"},
};

static const char *const scope_keys[] = {
	"producer", "partition", "group", "code", "member", "replica", "at", NULL,
};
static const char *const item_keys[] = {
	"producer", "partition", "group", "code", "member", "replica", "at", "is", NULL,
};

/* Error names the produce path can end with (Errors.java; a delivery timeout is `failed`). */
static const char *const produce_codes[] = {
	"CORRUPT_MESSAGE", "UNKNOWN_TOPIC_OR_PARTITION", "LEADER_NOT_AVAILABLE",
	"NOT_LEADER_OR_FOLLOWER", "REQUEST_TIMED_OUT", "MESSAGE_TOO_LARGE", "NETWORK_EXCEPTION",
	"RECORD_LIST_TOO_LARGE", "NOT_ENOUGH_REPLICAS", "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
	"INVALID_REQUIRED_ACKS", "INVALID_TIMESTAMP", "OUT_OF_ORDER_SEQUENCE_NUMBER",
	"DUPLICATE_SEQUENCE_NUMBER", "INVALID_PRODUCER_EPOCH", "KAFKA_STORAGE_ERROR",
	"UNKNOWN_PRODUCER_ID", "FENCED_LEADER_EPOCH", "UNKNOWN_LEADER_EPOCH", "PRODUCER_FENCED",
	NULL,
};

/* Exceptions the consumer application sees (9). */
static const char *const consumer_codes[] = {
	"CommitFailedException", "RebalanceInProgressException", "OffsetOutOfRangeException",
	"NoOffsetForPartitionException", "LogTruncationException", "TimeoutException", NULL,
};

const char *scen_metric_name(enum scen_metric m)
{
	assert(m < SCEN_M_COUNT);
	return metrics[m].name;
}

const char *scen_op_name(enum scen_op op)
{
	static const char *const names[] = {"==", "!=", "<", "<=", ">", ">="};
	assert((unsigned)op < 6);
	return names[op];
}

/* --- scope values ----------------------------------------------------------------------- */

static bool scope_code(struct scen_ld *ld, const struct ynode *v, enum scen_metric m,
		       struct scen_expect *e)
{
	const char *const *codes = m == SCEN_M_CONSUMER_ERRORS ? consumer_codes : produce_codes;
	if (!scen_want_kind(ld, v, YN_SCALAR, "`code`"))
		return false;
	struct suggest sg;
	scen_suggest_init(&sg, v->text, v->len);
	for (int i = 0; codes[i] != NULL; i++) {
		if (ynode_text_is(v, codes[i])) {
			e->code = codes[i];
			return true;
		}
		scen_suggest_add(&sg, codes[i]);
	}
	char q[80];
	scen_quote(q, sizeof(q), v);
	scen_errn(ld, v, "`%s` is not a %s%s%s%s", q,
		  m == SCEN_M_CONSUMER_ERRORS ? "consumer exception this metric counts"
					      : "Kafka produce error name",
		  sg.best ? "; did you mean `" : "", sg.best ? sg.best : "", sg.best ? "`?" : "");
	return false;
}

static bool scope_client(struct scen_ld *ld, const struct ynode *v, enum scen_client_kind kind,
			 const char *what, uint32_t *client)
{
	struct scen_ref r;
	if (!scen_want_kind(ld, v, YN_SCALAR, what))
		return false;
	int64_t c = scen_names_get(&ld->clients, v->text, v->len);
	/* Not a client: scen_parse_ref reports an unknown name (with a suggestion); a name that
	 * is another kind of node is reported here. */
	if (c < 0 && !ld->bad_clients && scen_parse_ref(ld, v, what, &r))
		scen_errn(ld, v, "%s names `%s`, which is not a %s", what, v->text,
			  kind == SCEN_CLIENT_PRODUCER ? "producer" : "consumer member");
	if (c < 0)
		return false;
	if (ld->s->clients[c].kind != kind) {
		scen_errn(ld, v, "%s names `%s`, which is not a %s", what, v->text,
			  kind == SCEN_CLIENT_PRODUCER ? "producer" : "consumer member");
		return false;
	}
	*client = (uint32_t)c;
	return true;
}

static bool scope_group(struct scen_ld *ld, const struct ynode *v, uint32_t *g)
{
	if (!scen_want_kind(ld, v, YN_SCALAR, "`group`"))
		return false;
	int64_t i = scen_names_get(&ld->groups, v->text, v->len);
	if (i < 0) {
		char q[80];
		scen_quote(q, sizeof(q), v);
		scen_errn(ld, v, "no consumer group `%s`", q);
		return false;
	}
	*g = (uint32_t)i;
	return true;
}

static bool scope_at(struct scen_ld *ld, const struct ynode *v, int64_t *at)
{
	if (!scen_get_time(ld, v, "`at`", false, false, at))
		return false;
	int64_t end = ld->s->duration_us + ld->s->settle_us;
	if (*at > end) {
		char a[48], b[48];
		scen_errn(ld, v, "at: %s is after the end of the run, %s (duration + settle)",
			  units_format_time(*at, a, sizeof(a)), units_format_time(end, b, sizeof(b)));
		return false;
	}
	return true;
}

static const int32_t *partition_replicas(const struct scenario *s, struct scen_tp tp,
					 uint32_t *rf)
{
	if (tp.topic == SCEN_TOPIC_OFFSETS) {
		*rf = s->offsets_rf;
		return s->offsets_replicas ? s->offsets_replicas + (size_t)tp.partition * *rf : NULL;
	}
	const struct scen_topic *t = &s->topics[tp.topic];
	*rf = t->rf;
	return t->replicas ? t->replicas + (size_t)tp.partition * t->rf : NULL;
}

static bool scope_replica(struct scen_ld *ld, const struct ynode *v, struct scen_expect *e)
{
	int64_t id;
	uint32_t bi, rf;
	if (!scen_get_i64(ld, v, "`replica`", INT32_MIN, INT32_MAX, &id) ||
	    !scen_lookup_broker(ld, v, id, &bi))
		return false;
	e->replica = (int32_t)id;
	if (!e->has_partition)
		return true;
	const int32_t *reps = partition_replicas(ld->s, e->partition, &rf);
	for (uint32_t i = 0; reps != NULL && i < rf; i++)
		if (reps[i] == e->replica)
			return true;
	if (reps != NULL) {
		char tp[LIMIT_NAME_BYTES + 16];
		scen_errn(ld, v, "broker %d is not a replica of %s", (int)id,
			  scen_tp_format(ld->s, e->partition, tp, sizeof(tp)));
	}
	return reps == NULL;
}

static bool group_reads(const struct scenario *s, const struct scen_group *g, uint32_t topic)
{
	for (uint32_t m = 0; m < g->member_count; m++)
		for (uint32_t i = 0; i < g->members[m].topic_count; i++)
			if (g->members[m].topics[i] == topic)
				return true;
	(void)s;
	return false;
}

/* The scope keys of one item, in the order that lets each check the others. */
static bool load_scopes(struct scen_ld *ld, const struct ynode *map, enum scen_metric m,
			struct scen_expect *e)
{
	const struct ynode *v;
	bool ok = true;
	if ((v = ymap_get(map, "partition")) != NULL)
		ok &= e->has_partition = scen_want_kind(ld, v, YN_SCALAR, "`partition`") &&
			scen_parse_tp(ld, v, v->text, v->len, true, &e->partition);
	if ((v = ymap_get(map, "group")) != NULL)
		ok &= e->has_group = scope_group(ld, v, &e->group);
	if ((v = ymap_get(map, "producer")) != NULL) {
		uint32_t c;
		ok &= e->has_producer = scope_client(ld, v, SCEN_CLIENT_PRODUCER, "`producer`", &c);
		if (e->has_producer)
			e->producer = ld->s->clients[c].index;
	}
	if ((v = ymap_get(map, "member")) != NULL) {
		ok &= e->has_member = scope_client(ld, v, SCEN_CLIENT_CONSUMER, "`member`",
						   &e->member);
		if (e->has_member && e->has_group && ld->s->clients[e->member].index != e->group) {
			scen_errn(ld, v, "`%s` is not a member of group `%s`", v->text,
				  ld->s->groups[e->group].name);
			ok = false;
		}
	}
	if ((v = ymap_get(map, "code")) != NULL)
		ok &= e->has_code = scope_code(ld, v, m, e);
	if ((v = ymap_get(map, "replica")) != NULL)
		ok &= e->has_replica = scope_replica(ld, v, e);
	if ((v = ymap_get(map, "at")) != NULL)
		ok &= e->has_at = scope_at(ld, v, &e->at_us);
	if (ok && m == SCEN_M_COMMITTED_OFFSET && e->has_group && e->has_partition &&
	    e->partition.topic != SCEN_TOPIC_OFFSETS &&
	    !group_reads(ld->s, &ld->s->groups[e->group], e->partition.topic)) {
		v = ymap_get(map, "partition");
		scen_errn(ld, v, "group `%s` does not subscribe to topic `%s`",
			  ld->s->groups[e->group].name, ld->s->topics[e->partition.topic].name);
		ok = false;
	}
	return ok;
}

static unsigned scope_bit_of(const struct ynode *k)
{
	for (unsigned i = 0; scope_keys[i] != NULL; i++)
		if (ynode_text_is(k, scope_keys[i]))
			return 1u << i;
	return 0;
}

/* Scope keys the metric does not take, and those it needs but lacks. */
static bool check_scope_keys(struct scen_ld *ld, const struct ynode *map,
			     const struct ynode *at, enum scen_metric m)
{
	const struct metric_def *d = &metrics[m];
	unsigned given = 0;
	bool ok = true;
	for (uint32_t i = 0; map != NULL && i < map->n; i++) {
		const struct ynode *k = ymap_key(map, i);
		unsigned bit = scope_bit_of(k);
		given |= bit;
		if (bit != 0 && !(d->allowed & bit)) {
			if (bit == S_AT)
				scen_errn(ld, k, "`at:` applies to state metrics only (leader, "
					  "leader-epoch, isr, elr, hw, log-start-offset, leo, "
					  "committed-offset, assignment), not to `%s`", d->name);
			else
				scen_errn(ld, k, "`%s:` does not apply to `%s` (it takes %s)", k->text,
					  d->name, d->scopes);
			ok = false;
		}
	}
	unsigned missing = d->required & ~given;
	for (unsigned i = 0; missing != 0 && scope_keys[i] != NULL; i++) {
		if (missing & (1u << i)) {
			scen_errn(ld, at, "`%s` needs `%s:` (it takes %s)", d->name, scope_keys[i],
				  d->scopes);
			ok = false;
		}
	}
	return ok;
}

/* --- conditions ------------------------------------------------------------------------- */

static const char *skip_spaces(const char *p, const char *end)
{
	while (p < end && *p == ' ')
		p++;
	return p;
}

/* A comparison operator at the start of s; no operator means ==. */
static size_t parse_op(const char *s, size_t len, enum scen_op *op)
{
	static const struct {
		const char  *text;
		enum scen_op op;
	} ops[] = {
		{"==", SCEN_OP_EQ}, {"!=", SCEN_OP_NE}, {"<=", SCEN_OP_LE}, {">=", SCEN_OP_GE},
		{"<", SCEN_OP_LT}, {">", SCEN_OP_GT},
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t l = strlen(ops[i].text);
		if (len >= l && memcmp(s, ops[i].text, l) == 0) {
			*op = ops[i].op;
			return l;
		}
	}
	*op = SCEN_OP_EQ;
	return 0;
}

static bool int_value(struct scen_ld *ld, const struct ynode *n, const char *s, size_t len,
		      enum value_kind vk, int64_t *out)
{
	if (vk == V_LEADER && len == 4 && memcmp(s, "none", 4) == 0) {
		*out = -1;
		return true;
	}
	if (units_int64(s, len, out) == UNITS_OK)
		return true;
	char q[80];
	cfg_quote_text(q, sizeof(q), s, len);
	scen_errn(ld, n, "expected a number%s or a comparison such as \"> 0\", got `%s`",
		  vk == V_LEADER ? " (or none)" : "", q);
	return false;
}

static int tp_cmp(const void *pa, const void *pb)
{
	const struct scen_tp *a = pa, *b = pb;
	if (a->topic != b->topic)
		return a->topic < b->topic ? -1 : 1;
	return (a->partition > b->partition) - (a->partition < b->partition);
}

static int i32_cmp(const void *pa, const void *pb)
{
	int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
	return (a > b) - (a < b);
}

/* One list item from text: a broker id (isr, elr) or a partition (assignment). */
static bool list_item(struct scen_ld *ld, const struct ynode *n, const char *s, size_t len,
		      enum value_kind vk, struct scen_expect *e, uint32_t i)
{
	if (vk == V_TPS)
		return scen_parse_tp(ld, n, s, len, false, &e->tps[i]);
	int64_t id;
	uint32_t bi;
	if (units_int64(s, len, &id) != UNITS_OK) {
		char q[80];
		cfg_quote_text(q, sizeof(q), s, len);
		scen_errn(ld, n, "expected a broker id in the list, got `%s`", q);
		return false;
	}
	if (!scen_lookup_broker(ld, n, id, &bi))
		return false;
	e->brokers[i] = (int32_t)id;
	return true;
}

/* Sorted, and refused when an item repeats: lists compare as sets (9). */
static bool list_sort_unique(struct scen_ld *ld, const struct ynode *n, enum value_kind vk,
			     struct scen_expect *e)
{
	if (vk == V_TPS)
		qsort(e->tps, e->list_len, sizeof(*e->tps), tp_cmp);
	else
		qsort(e->brokers, e->list_len, sizeof(*e->brokers), i32_cmp);
	for (uint32_t i = 1; i < e->list_len; i++) {
		bool dup = vk == V_TPS ? tp_cmp(&e->tps[i], &e->tps[i - 1]) == 0
				       : e->brokers[i] == e->brokers[i - 1];
		if (dup) {
			scen_errn(ld, n, "the list repeats an item; lists compare as sets");
			return false;
		}
	}
	return true;
}

static bool list_alloc(struct scen_ld *ld, enum value_kind vk, struct scen_expect *e,
		       uint32_t n)
{
	e->is_list = true;
	e->list_len = n;
	if (vk == V_TPS)
		e->tps = scen_arena_array(ld->a, n, sizeof(*e->tps));
	else
		e->brokers = scen_arena_array(ld->a, n, sizeof(*e->brokers));
	return (vk == V_TPS ? (void *)e->tps : (void *)e->brokers) != NULL || scen_oom(ld);
}

static bool list_from_seq(struct scen_ld *ld, const struct ynode *n, enum value_kind vk,
			  struct scen_expect *e)
{
	if (!list_alloc(ld, vk, e, n->n))
		return false;
	for (uint32_t i = 0; i < n->n; i++) {
		const struct ynode *it = n->kids[i];
		if (!scen_want_kind(ld, it, YN_SCALAR, "a list item") ||
		    !list_item(ld, it, it->text, it->len, vk, e, i))
			return false;
	}
	return list_sort_unique(ld, n, vk, e);
}

/* "== [2, 3]", "!= []", "[1]" */
static bool list_from_text(struct scen_ld *ld, const struct ynode *n, const char *s,
			   const char *end, enum value_kind vk, struct scen_expect *e)
{
	s = skip_spaces(s, end);
	if (s == end || *s != '[' || end[-1] != ']') {
		scen_errn(ld, n, "expected a list such as [2, 3], or \"!= [2, 3]\"");
		return false;
	}
	s++;
	end--;
	uint32_t count = 0;
	bool empty = skip_spaces(s, end) == end;
	for (const char *p = s; !empty && p <= end; p++)
		count += p == end || *p == ',';
	if (!list_alloc(ld, vk, e, count))
		return false;
	for (uint32_t i = 0; i < count; i++) {
		const char *b = skip_spaces(s, end), *q = b;
		while (q < end && *q != ',')
			q++;
		const char *t = q;
		while (t > b && t[-1] == ' ')
			t--;
		if (!list_item(ld, n, b, (size_t)(t - b), vk, e, i))
			return false;
		s = q + 1;
	}
	return list_sort_unique(ld, n, vk, e);
}

static bool load_condition(struct scen_ld *ld, const struct ynode *n, enum scen_metric m,
			   struct scen_expect *e)
{
	enum value_kind vk = metrics[m].value;
	bool list = vk == V_BROKERS || vk == V_TPS;
	if (n->kind == YN_SEQ) {
		if (!list) {
			scen_errn(ld, n, "`%s` is a number, not a list", metrics[m].name);
			return false;
		}
		e->op = SCEN_OP_EQ;
		return list_from_seq(ld, n, vk, e);
	}
	if (!scen_want_kind(ld, n, YN_SCALAR, "the expected value"))
		return false;
	const char *s = n->text, *end = n->text + n->len;
	s += parse_op(s, n->len, &e->op);
	if (list && e->op != SCEN_OP_EQ && e->op != SCEN_OP_NE) {
		scen_errn(ld, n, "lists compare only with == and !=");
		return false;
	}
	if (list)
		return list_from_text(ld, n, s, end, vk, e);
	s = skip_spaces(s, end);
	return int_value(ld, n, s, (size_t)(end - s), vk, &e->value);
}

/* --- canonical text --------------------------------------------------------------------- */

static void text_scope(const struct scenario *s, const struct scen_expect *e, char *buf,
		       size_t cap)
{
	char tp[LIMIT_NAME_BYTES + 16], at[48];
	size_t o = 0;
	buf[0] = '\0';
#define ADD(...) (o += o < cap ? (size_t)snprintf(buf + o, cap - o, __VA_ARGS__) : 0)
	if (e->has_producer)
		ADD(" producer=%s", s->producers[e->producer].id);
	if (e->has_group)
		ADD(" group=%s", s->groups[e->group].name);
	if (e->has_member)
		ADD(" member=%s", s->clients[e->member].id);
	if (e->has_partition)
		ADD(" partition=%s", scen_tp_format(s, e->partition, tp, sizeof(tp)));
	if (e->has_replica)
		ADD(" replica=%d", (int)e->replica);
	if (e->has_code)
		ADD(" code=%s", e->code);
	if (e->has_at)
		ADD(" at=%s", units_format_time(e->at_us, at, sizeof(at)));
#undef ADD
}

static void text_value(const struct scenario *s, const struct scen_expect *e, char *buf,
		       size_t cap)
{
	if (!e->is_list) {
		snprintf(buf, cap, "%lld", (long long)e->value);
		return;
	}
	size_t o = (size_t)snprintf(buf, cap, "[");
	for (uint32_t i = 0; i < e->list_len && o < cap; i++) {
		char tp[LIMIT_NAME_BYTES + 16];
		if (e->tps != NULL)
			scen_tp_format(s, e->tps[i], tp, sizeof(tp));
		else
			snprintf(tp, sizeof(tp), "%d", (int)e->brokers[i]);
		o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? ", " : "", tp);
	}
	if (o < cap)
		snprintf(buf + o, cap - o, "]");
}

static void make_text(struct scen_ld *ld, struct scen_expect *e)
{
	char scope[2 * LIMIT_NAME_BYTES + 200], value[512], all[1024];
	text_scope(ld->s, e, scope, sizeof(scope));
	text_value(ld->s, e, value, sizeof(value));
	int l = snprintf(all, sizeof(all), "%s%s %s %s", metrics[e->metric].name, scope,
			 scen_op_name(e->op), value);
	size_t len = l < 0 ? 0 : (size_t)l < sizeof(all) ? (size_t)l : sizeof(all) - 1;
	e->text = scen_arena_strndup(ld->a, all, len);
	if (e->text == NULL)
		scen_oom(ld);
}

/* --- items ------------------------------------------------------------------------------ */

static bool find_metric(struct scen_ld *ld, const struct ynode *k, enum scen_metric *m)
{
	struct suggest sg;
	scen_suggest_init(&sg, k->text, k->len);
	for (int i = 0; i < SCEN_M_COUNT; i++) {
		if (ynode_text_is(k, metrics[i].name)) {
			*m = (enum scen_metric)i;
			return true;
		}
		scen_suggest_add(&sg, metrics[i].name);
	}
	char q[80];
	scen_quote(q, sizeof(q), k);
	scen_errn(ld, k, "unknown metric `%s`%s%s%s", q, sg.best ? "; did you mean `" : "",
		  sg.best ? sg.best : "", sg.best ? "`?" : "");
	return false;
}

static void load_item(struct scen_ld *ld, const struct ynode *n, struct scen_expect *e)
{
	e->pos = scen_pos_of(n);
	if (!scen_want_kind(ld, n, YN_MAP, "an expect item"))
		return;
	if (n->n != 1) {
		scen_errn(ld, n, "an expect item holds one metric, such as `- lost-write: 0`");
		return;
	}
	const struct ynode *k = ymap_key(n, 0), *v = ymap_val(n, 0);
	enum scen_metric m;
	if (k->kind != YN_SCALAR || !find_metric(ld, k, &m))
		return;
	e->metric = m;
	e->pos = scen_pos_of(k);
	const struct ynode *cond = v;
	if (v->kind == YN_MAP) {
		char where[64];
		snprintf(where, sizeof(where), "in expectation `%s`", metrics[m].name);
		const struct map_spec spec = {item_keys, MAP_CFG_NONE, where};
		if (!scen_map_check(ld, v, &spec) || !check_scope_keys(ld, v, v, m))
			return;
		cond = ymap_get(v, "is");
		if (cond == NULL) {
			scen_errn(ld, v, "missing required key `is` in expectation `%s`",
				  metrics[m].name);
			return;
		}
		if (!load_scopes(ld, v, m, e))
			return;
	} else if (!check_scope_keys(ld, NULL, k, m)) {
		return;
	}
	if (load_condition(ld, cond, m, e))
		make_text(ld, e);
}

void scen_load_expect(struct scen_ld *ld, const struct ynode *n)
{
	if (n == NULL || ynode_is_null(n) || !scen_want_kind(ld, n, YN_SEQ, "`expect`"))
		return;
	struct scenario *s = ld->s;
	s->expects = scen_arena_array(ld->a, n->n, sizeof(*s->expects));
	if (s->expects == NULL)
		return (void)scen_oom(ld);
	s->expect_count = n->n;
	for (uint32_t i = 0; i < n->n && !ld->oom; i++)
		load_item(ld, n->kids[i], &s->expects[i]);
}
