/*
 * scen_clients.c — `producers` and `consumers` (scenario-format 5, 6, 11.2, 11.4, 11.9):
 * client ids (unique, never mistakable for another node reference), workloads with exact
 * arrival times, keys as their source text, Kafka's producer config rules (idempotence,
 * delivery.timeout.ms, reconnect back-off) and the consumer commit modes.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "sim/limits.h"
#include "sim/scen_internal.h"
#include "sim/units.h"

/* ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION_FOR_IDEMPOTENCE */
#define MAX_IN_FLIGHT_FOR_IDEMPOTENCE 5
#define DEFAULT_PROCESS_US            1000

static const char *const producer_keys[] = {
	"id", "topic", "messages", "rate", "arrival", "start", "keys", "partition",
	"value.bytes", NULL,
};
static const char *const group_keys[] = {
	"group", "topics", "members", "start", "process.ms", "commit", NULL,
};
static const char *const member_keys[] = {"id", "start", "topics", NULL};
static const char *const commit_names[] = {
	"auto", "after-processing", "before-processing", "none", NULL,
};

static struct scen_pos cfg_pos(const struct cfg_value *v)
{
	return (struct scen_pos){v->line, v->col};
}

/* --- client ids ------------------------------------------------------------------------- */

static bool all_digits(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool wrapped(const char *s, size_t len, const char *prefix)
{
	size_t pl = strlen(prefix);
	return len > pl && memcmp(s, prefix, pl) == 0 && s[len - 1] == ')';
}

bool scen_looks_like_ref(const char *s, size_t len)
{
	int64_t v;
	if (units_int64(s, len, &v) != UNITS_NOT_INTEGER && len > 0 &&
	    (s[0] == '-' || s[0] == '+' || (s[0] >= '0' && s[0] <= '9')))
		return true;
	if (len == 10 && memcmp(s, "controller", 10) == 0)
		return true;
	if (len > 11 && memcmp(s, "controller-", 11) == 0 && all_digits(s + 11, len - 11))
		return true;
	return wrapped(s, len, "leader(") || wrapped(s, len, "coordinator(");
}

/* No control characters, at most LIMIT_NAME_BYTES, and not another kind of reference. */
static bool client_id_ok(struct scen_ld *ld, struct scen_pos pos, const char *s, size_t len)
{
	char q[80];
	cfg_quote_text(q, sizeof(q), s, len);
	if (len == 0 || len > LIMIT_NAME_BYTES) {
		scen_err(ld, pos, "client id `%s` must have 1 to %d bytes", q, LIMIT_NAME_BYTES);
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f) {
			scen_err(ld, pos, "client id `%s` may not hold control characters", q);
			return false;
		}
	}
	if (scen_looks_like_ref(s, len)) {
		scen_err(ld, pos, "client id `%s` looks like another kind of node reference (a "
			 "broker id, controller, controller-N, leader(...) or coordinator(...))", q);
		return false;
	}
	return true;
}

static bool add_client(struct scen_ld *ld, struct scen_pos pos, char *id,
		       enum scen_client_kind kind, uint32_t index, uint32_t member,
		       uint32_t *client)
{
	struct scenario *s = ld->s;
	size_t len = strlen(id);
	if (!client_id_ok(ld, pos, id, len))
		return false;
	uint32_t old;
	if (!scen_names_put(ld, &ld->clients, id, len, s->client_count, &old)) {
		if (!ld->oom)
			scen_err(ld, pos, "client id `%s` is used twice (first at line %u); ids are "
				 "unique across producers and consumer members", id,
				 s->clients[old].pos.line);
		return false;
	}
	struct scen_client *c = &s->clients[s->client_count];
	*c = (struct scen_client){id, kind, index, member, pos};
	*client = s->client_count++;
	return true;
}

/* --- shared getters --------------------------------------------------------------------- */

static bool find_topic(struct scen_ld *ld, const struct ynode *n, uint32_t *idx)
{
	if (!scen_want_kind(ld, n, YN_SCALAR, "a topic name"))
		return false;
	int64_t i = scen_names_get(&ld->topics, n->text, n->len);
	if (i >= 0) {
		*idx = (uint32_t)i;
		return true;
	}
	char q[80];
	scen_quote(q, sizeof(q), n);
	struct suggest sg;
	scen_suggest_init(&sg, n->text, n->len);
	for (uint32_t t = 0; scen_err_wanted(ld, scen_pos_of(n)) && t < ld->s->topic_count; t++)
		if (ld->s->topics[t].name != NULL)
			scen_suggest_add(&sg, ld->s->topics[t].name);
	if (sg.best != NULL)
		scen_errn(ld, n, "unknown topic `%s`; did you mean `%s`?", q, sg.best);
	else
		scen_errn(ld, n, "unknown topic `%s`", q);
	return false;
}

/* A non-empty list of distinct, existing topics. */
static bool topic_list(struct scen_ld *ld, const struct ynode *n, const char *what,
		       uint32_t **out, uint32_t *count)
{
	if (!scen_want_kind(ld, n, YN_SEQ, what))
		return false;
	if (n->n == 0) {
		scen_errn(ld, n, "%s must name at least one topic", what);
		return false;
	}
	uint32_t *t = scen_arena_array(ld->a, n->n, sizeof(*t));
	if (t == NULL)
		return scen_oom(ld);
	bool ok = true;
	struct scen_names seen = {0};
	for (uint32_t i = 0; i < n->n; i++) {
		uint32_t old;
		if (!find_topic(ld, n->kids[i], &t[i])) {
			ok = false;
		} else if (!scen_names_put(ld, &seen, n->kids[i]->text, n->kids[i]->len, i, &old)) {
			if (!ld->oom)
				scen_errn(ld, n->kids[i], "topic `%s` is listed twice",
					  n->kids[i]->text);
			ok = false;
		}
	}
	*out = t;
	*count = n->n;
	return ok;
}

static bool get_enum(struct scen_ld *ld, const struct ynode *n, const char *what,
		     const char *const *names, int *out)
{
	if (!scen_want_kind(ld, n, YN_SCALAR, what))
		return false;
	for (int i = 0; names[i] != NULL; i++) {
		if (ynode_text_is(n, names[i])) {
			*out = i;
			return true;
		}
	}
	char q[80], all[160] = "";
	scen_quote(q, sizeof(q), n);
	for (int i = 0, o = 0; names[i] != NULL && o < (int)sizeof(all); i++)
		o += snprintf(all + o, sizeof(all) - (size_t)o, "%s%s", i ? ", " : "", names[i]);
	scen_errn(ld, n, "%s: expected one of %s; got `%s`", what, all, q);
	return false;
}

/* --- producers -------------------------------------------------------------------------- */

static void producer_keys_value(struct scen_ld *ld, const struct ynode *n,
				struct scen_producer *p)
{
	if (n->kind == YN_SCALAR && !ynode_is_null(n)) {
		uint64_t count;
		if (units_uint64(n->text, n->len, &count) != UNITS_OK || count == 0 ||
		    count > UINT32_MAX) {
			char q[80];
			scen_quote(q, sizeof(q), n);
			scen_errn(ld, n, "`keys` must be a non-empty list of keys or a count >= 1 "
				  "(key-0 .. key-(N-1)), got `%s`", q);
			return;
		}
		p->keys_kind = SCEN_KEYS_COUNT;
		p->key_count = (uint32_t)count;
		return;
	}
	if (!scen_want_kind(ld, n, YN_SEQ, "`keys`"))
		return;
	if (n->n == 0) {
		scen_errn(ld, n, "`keys` must not be an empty list (leave it out for null keys)");
		return;
	}
	p->keys = scen_arena_array(ld->a, n->n, sizeof(*p->keys));
	if (p->keys == NULL) {
		scen_oom(ld);
		return;
	}
	for (uint32_t i = 0; i < n->n; i++) {
		const struct ynode *k = n->kids[i];
		if (k->kind != YN_SCALAR) {
			scen_errn(ld, k, "a key must be a single value, not %s",
				  k->kind == YN_MAP ? "a mapping" : "a list");
			return;
		}
		struct scen_key *key = &p->keys[i];
		key->is_null = ynode_is_null(k) && k->len > 0;
		key->bytes = scen_arena_strndup(ld->a, k->text, k->len);
		key->len = key->is_null ? 0 : k->len;
		if (key->bytes == NULL) {
			scen_oom(ld);
			return;
		}
	}
	p->keys_kind = SCEN_KEYS_LIST;
	p->key_count = n->n;
}

/* ProducerConfig.postProcessAndValidateIdempotenceConfigs (Kafka 4.x). */
static void producer_idempotence(struct scen_ld *ld, struct scen_producer *p)
{
	struct cfg_value *c = p->cfg;
	struct cfg_value *idem = &c[CFG_P_ENABLE_IDEMPOTENCE];
	bool user = idem->set;
	bool off = false;
	if (!idem->v) {
		p->idempotent = false;
		return;
	}
	if (c[CFG_P_RETRIES].v == 0) {
		if (user)
			scen_err(ld, cfg_pos(idem), "enable.idempotence: true needs retries > 0; "
				 "retries is 0 (Kafka: ConfigException)");
		off = true;
	}
	if (c[CFG_P_ACKS].v != -1) {
		if (user)
			scen_err(ld, cfg_pos(idem), "enable.idempotence: true needs acks: all; acks "
				 "is %lld (Kafka: ConfigException \"Must set acks to all in order to "
				 "use the idempotent producer\")", (long long)c[CFG_P_ACKS].v);
		off = true;
	}
	const struct cfg_value *mif = &c[CFG_P_MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION];
	if (mif->v > MAX_IN_FLIGHT_FOR_IDEMPOTENCE)
		scen_err(ld, cfg_pos(mif->set ? mif : idem), "max.in.flight.requests.per.connection "
			 "%lld is above 5, the most the idempotent producer allows (Kafka 4: "
			 "ConfigException)%s", (long long)mif->v,
			 user ? "" : "; idempotence is on by default: set enable.idempotence: false");
	p->idempotent = !off;
	idem->v = p->idempotent;
}

/* KafkaProducer.configureDeliveryTimeout: delivery.timeout.ms >= linger.ms +
 * request.timeout.ms; an explicit value below it is an error, a default is raised. */
static void producer_delivery_timeout(struct scen_ld *ld, struct cfg_value *c)
{
	int64_t linger = c[CFG_P_LINGER_MS].v < INT32_MAX ? c[CFG_P_LINGER_MS].v : INT32_MAX;
	int64_t need = linger + c[CFG_P_REQUEST_TIMEOUT_MS].v;
	need = need < INT32_MAX ? need : INT32_MAX;
	struct cfg_value *dt = &c[CFG_P_DELIVERY_TIMEOUT_MS];
	if (dt->v >= need)
		return;
	if (dt->set)
		scen_err(ld, cfg_pos(dt), "delivery.timeout.ms (%lld) must be >= linger.ms + "
			 "request.timeout.ms (%lld) (KafkaProducer: ConfigException)",
			 (long long)dt->v, (long long)need);
	else
		dt->v = need;
}

/* CommonClientConfigs.postProcessReconnectBackoffConfigs: reconnect.backoff.ms alone turns
 * exponential reconnect back-off off (the max becomes the base). */
static void reconnect_backoff(struct cfg_value *base, struct cfg_value *max)
{
	if (base->set && !max->set)
		max->v = base->v;
}

static void producer_workload_end(struct scen_ld *ld, const struct ynode *n,
				  const struct ynode *start, const struct scen_producer *p)
{
	const struct scenario *s = ld->s;
	char st[48], du[48], rt[48], last[48];
	units_format_time(p->start_us, st, sizeof(st));
	units_format_time(s->duration_us, du, sizeof(du));
	if (p->start_us >= s->duration_us) {
		scen_errn(ld, start != NULL ? start : n, "producer `%s` starts at %s, not before "
			  "duration: %s", p->id, st, du);
		return;
	}
	if (p->arrival != SCEN_ARRIVAL_EVEN || p->messages == 0)
		return;
	int64_t due = scen_record_due_us(p, p->messages - 1);
	if (due < s->duration_us)
		return;
	struct units_rate r = {p->rate.count, p->rate.per_us};
	units_format_rate(&r, rt, sizeof(rt));
	units_format_time(due, last, sizeof(last));
	scen_errn(ld, n, "producer `%s`: messages: %llu at rate: %s from %s puts its last record "
		  "at %s, not before duration: %s (11.2); send fewer messages, raise the rate or "
		  "lengthen the duration", p->id, (unsigned long long)p->messages, rt, st, last,
		  du);
}

static void producer_counts(struct scen_ld *ld, const struct ynode *n,
			    struct scen_producer *p)
{
	const struct ynode *v = ymap_get(n, "messages");
	if (v == NULL) {
		scen_errn(ld, n, "missing required key `messages` in producer `%s`", p->id);
	} else if (scen_get_u64(ld, v, "`messages`", 1, LIMIT_RECORDS_TOTAL, &p->messages)) {
		ld->s->records_total += p->messages;
		if (ld->s->records_total > LIMIT_RECORDS_TOTAL)
			scen_errn(ld, v, "producers send %llu records in all, above the limit of "
				  "10^9 (11.9)", (unsigned long long)ld->s->records_total);
	}
	p->rate = (struct scen_rate){1, 10000};   /* 100/s */
	if ((v = ymap_get(n, "rate")) != NULL)
		scen_get_rate(ld, v, "`rate`", &p->rate);
	int arrival = 0;
	static const char *const arrivals[] = {"even", "poisson", NULL};
	if ((v = ymap_get(n, "arrival")) != NULL && get_enum(ld, v, "`arrival`", arrivals, &arrival))
		p->arrival = (enum scen_arrival)arrival;
	if ((v = ymap_get(n, "start")) != NULL)
		scen_get_time(ld, v, "`start`", false, false, &p->start_us);
	p->value_bytes = 100;
	if ((v = ymap_get(n, "value.bytes")) != NULL &&
	    scen_get_size(ld, v, "`value.bytes`", &p->value_bytes) && p->value_bytes > INT32_MAX)
		scen_errn(ld, v, "`value.bytes` must be at most %d", INT32_MAX);
	if ((v = ymap_get(n, "keys")) != NULL && !ynode_is_null(v))
		producer_keys_value(ld, v, p);
	const struct ynode *msgs = ymap_get(n, "messages");
	producer_workload_end(ld, msgs != NULL ? msgs : n, ymap_get(n, "start"), p);
}

static void producer_target(struct scen_ld *ld, const struct ynode *n, struct scen_producer *p)
{
	const struct ynode *v = ymap_get(n, "topic");
	bool have_topic = false;
	if (v == NULL)
		scen_errn(ld, n, "missing required key `topic` in producer `%s`", p->id);
	else
		have_topic = find_topic(ld, v, &p->topic);
	p->partition = -1;
	if ((v = ymap_get(n, "partition")) == NULL || ynode_is_null(v))
		return;
	int64_t part;
	if (!scen_get_i64(ld, v, "`partition`", 0, INT32_MAX, &part))
		return;
	p->partition = (int32_t)part;
	const struct scen_topic *t = have_topic ? &ld->s->topics[p->topic] : NULL;
	if (t != NULL && t->partitions > 0 && part >= t->partitions)
		scen_errn(ld, v, "topic `%s` has no partition %lld (it has %u)", t->name,
			  (long long)part, t->partitions);
}

static void load_producer(struct scen_ld *ld, const struct ynode *n, uint32_t index)
{
	struct scen_producer *p = &ld->s->producers[index];
	p->pos = scen_pos_of(n);
	p->id = "?";
	p->client = UINT32_MAX;
	p->topic = UINT32_MAX;
	cfg_defaults(CFG_SCOPE_PRODUCER, p->cfg);
	char where[LIMIT_NAME_BYTES + 40] = "in a producers entry";
	const struct ynode *idn = n->kind == YN_MAP ? ymap_get(n, "id") : NULL;
	if (idn != NULL && idn->kind == YN_SCALAR && idn->len <= LIMIT_NAME_BYTES)
		snprintf(where, sizeof(where), "in producer `%s`", idn->text);
	const struct map_spec spec = {producer_keys, MAP_CFG_PRODUCER, where};
	if (!scen_map_check(ld, n, &spec))
		return;
	char *id;
	if (idn == NULL) {
		scen_errn(ld, n, "missing required key `id` in a producers entry");
	} else if (scen_get_string(ld, idn, "producer `id`", &id)) {
		p->id = id;
		p->pos = scen_pos_of(idn);
		add_client(ld, p->pos, id, SCEN_CLIENT_PRODUCER, index, 0, &p->client);
	}
	producer_target(ld, n, p);
	producer_counts(ld, n, p);
	scen_map_configs(ld, n, MAP_CFG_PRODUCER, p->cfg);
	producer_idempotence(ld, p);
	producer_delivery_timeout(ld, p->cfg);
	reconnect_backoff(&p->cfg[CFG_P_RECONNECT_BACKOFF_MS],
			  &p->cfg[CFG_P_RECONNECT_BACKOFF_MAX_MS]);
}

static void load_producers(struct scen_ld *ld, const struct ynode *n)
{
	if (n == NULL || ynode_is_null(n) || !scen_want_kind(ld, n, YN_SEQ, "`producers`"))
		return;
	struct scenario *s = ld->s;
	s->producers = scen_arena_array(ld->a, n->n, sizeof(*s->producers));
	if (s->producers == NULL)
		return (void)scen_oom(ld);
	s->producer_count = n->n;
	for (uint32_t i = 0; i < n->n && !ld->oom; i++)
		load_producer(ld, n->kids[i], i);
}

/* --- consumers -------------------------------------------------------------------------- */

static bool group_name_ok(struct scen_ld *ld, const struct ynode *n)
{
	if (n->len == 0 || n->len > LIMIT_NAME_BYTES) {
		scen_errn(ld, n, "`group` must have 1 to %d bytes", LIMIT_NAME_BYTES);
		return false;
	}
	for (uint32_t i = 0; i < n->len; i++) {
		unsigned char c = (unsigned char)n->text[i];
		if (c < 0x20 || c == 0x7f) {
			scen_errn(ld, n, "`group` may not hold control characters");
			return false;
		}
	}
	return true;
}

/* 11.4: any mode but auto turns auto-commit off; enable.auto.commit set the other way is an
 * error. Checked where it was set: once for the group, again for a member that sets it. */
static void check_commit(struct scen_ld *ld, const struct scen_group *g,
			 const struct cfg_value *eac)
{
	if (!g->commit_set || !eac->set)
		return;
	if (g->commit != SCEN_COMMIT_AUTO && eac->v)
		scen_err(ld, cfg_pos(eac), "enable.auto.commit: true conflicts with commit: %s "
			 "(any mode but auto turns auto-commit off, 11.4)",
			 commit_names[g->commit]);
	if (g->commit == SCEN_COMMIT_AUTO && !eac->v)
		scen_err(ld, cfg_pos(eac), "commit: auto is Kafka's auto-commit; it needs "
			 "enable.auto.commit: true, not false (11.4)");
}

static void check_consumer_cfg(struct scen_ld *ld, const struct cfg_value *c)
{
	const struct cfg_value *gp = &c[CFG_C_GROUP_PROTOCOL];
	if (gp->set && gp->v == CFG_GP_CONSUMER)
		scen_err(ld, cfg_pos(gp), "group.protocol: consumer (KIP-848) is not supported "
			 "yet; use classic");
}

static void resolve_member(struct scen_ld *ld, const struct scen_group *g,
			   struct scen_member *m)
{
	struct cfg_value *eac = &m->cfg[CFG_C_ENABLE_AUTO_COMMIT];
	bool own = eac->set && (eac->line != g->cfg[CFG_C_ENABLE_AUTO_COMMIT].line ||
				eac->col != g->cfg[CFG_C_ENABLE_AUTO_COMMIT].col);
	if (own)
		check_commit(ld, g, eac);
	const struct cfg_value *gp = &m->cfg[CFG_C_GROUP_PROTOCOL];
	if (gp->line != g->cfg[CFG_C_GROUP_PROTOCOL].line ||
	    gp->col != g->cfg[CFG_C_GROUP_PROTOCOL].col)
		check_consumer_cfg(ld, m->cfg);
	m->commit = g->commit_set ? g->commit
		  : eac->v ? SCEN_COMMIT_AUTO : SCEN_COMMIT_AFTER_PROCESSING;
	if (m->commit != SCEN_COMMIT_AUTO)
		eac->v = 0;
	reconnect_backoff(&m->cfg[CFG_C_RECONNECT_BACKOFF_MS],
			  &m->cfg[CFG_C_RECONNECT_BACKOFF_MAX_MS]);
}

static void member_start(struct scen_ld *ld, const struct ynode *n, int64_t *start_us)
{
	if (n == NULL || !scen_get_time(ld, n, "`start`", false, false, start_us))
		return;
	int64_t end = ld->s->duration_us + ld->s->settle_us;
	if (*start_us >= end) {
		char a[48], b[48];
		scen_errn(ld, n, "a consumer starting at %s never runs: the run ends at %s "
			  "(duration + settle)", units_format_time(*start_us, a, sizeof(a)),
			  units_format_time(end, b, sizeof(b)));
	}
}

static void member_entry(struct scen_ld *ld, struct scen_group *g, uint32_t gi,
			 const struct ynode *n, uint32_t mi)
{
	struct scen_member *m = &g->members[mi];
	m->pos = scen_pos_of(n);
	char where[2 * LIMIT_NAME_BYTES + 40];
	snprintf(where, sizeof(where), "in a member of group `%s`", g->name);
	const struct map_spec spec = {member_keys, MAP_CFG_CONSUMER, where};
	if (!scen_map_check(ld, n, &spec))
		return;
	const struct ynode *v = ymap_get(n, "id");
	char *id;
	if (v == NULL) {
		scen_errn(ld, n, "missing required key `id` in a member of group `%s`", g->name);
	} else if (scen_get_string(ld, v, "member `id`", &id)) {
		m->id = id;
		m->pos = scen_pos_of(v);
		add_client(ld, m->pos, id, SCEN_CLIENT_CONSUMER, gi, mi, &m->client);
	}
	member_start(ld, ymap_get(n, "start"), &m->start_us);
	if ((v = ymap_get(n, "topics")) != NULL)
		topic_list(ld, v, "member `topics`", &m->topics, &m->topic_count);
	scen_map_configs(ld, n, MAP_CFG_CONSUMER, m->cfg);
}

static void group_members(struct scen_ld *ld, struct scen_group *g, uint32_t gi,
			  const struct ynode *n, bool g_named)
{
	uint64_t count = 1;
	bool list = n != NULL && n->kind == YN_SEQ;
	if (list && n->n == 0) {
		scen_errn(ld, n, "`members` needs at least one member");
		return;
	}
	if (list)
		count = n->n;
	else if (n != NULL && !scen_get_u64(ld, n, "`members`", 1, LIMIT_CLIENTS, &count))
		return;
	g->members = scen_arena_array(ld->a, count, sizeof(*g->members));
	if (g->members == NULL)
		return (void)scen_oom(ld);
	g->member_count = (uint32_t)count;
	for (uint32_t i = 0; i < count && !ld->oom; i++) {
		struct scen_member *m = &g->members[i];
		m->client = UINT32_MAX;
		m->id = "?";
		m->start_us = g->start_us;
		m->topics = g->topics;
		m->topic_count = g->topic_count;
		memcpy(m->cfg, g->cfg, sizeof(m->cfg));
		if (list) {
			member_entry(ld, g, gi, n->kids[i], i);
		} else if (g_named) {
			char buf[LIMIT_NAME_BYTES + 16];
			int l = snprintf(buf, sizeof(buf), "%s-%u", g->name, i + 1);
			char *id = scen_arena_strndup(ld->a, buf, (size_t)l);
			if (id == NULL)
				return (void)scen_oom(ld);
			m->id = id;
			m->pos = n != NULL ? scen_pos_of(n) : g->pos;
			add_client(ld, m->pos, id, SCEN_CLIENT_CONSUMER, gi, i, &m->client);
		}
		resolve_member(ld, g, m);
	}
}

static void group_settings(struct scen_ld *ld, const struct ynode *n, struct scen_group *g)
{
	const struct ynode *v = ymap_get(n, "topics");
	if (v == NULL)
		scen_errn(ld, n, "missing required key `topics` in group `%s`", g->name);
	else
		topic_list(ld, v, "`topics`", &g->topics, &g->topic_count);
	member_start(ld, ymap_get(n, "start"), &g->start_us);
	g->process_us = DEFAULT_PROCESS_US;
	if ((v = ymap_get(n, "process.ms")) != NULL)
		scen_get_time(ld, v, "`process.ms`", false, false, &g->process_us);
	cfg_defaults(CFG_SCOPE_CONSUMER, g->cfg);
	scen_map_configs(ld, n, MAP_CFG_CONSUMER, g->cfg);
	check_consumer_cfg(ld, g->cfg);
	int mode;
	if ((v = ymap_get(n, "commit")) != NULL && get_enum(ld, v, "`commit`", commit_names, &mode)) {
		g->commit = (enum scen_commit)mode;
		g->commit_set = true;
	}
	check_commit(ld, g, &g->cfg[CFG_C_ENABLE_AUTO_COMMIT]);
	if (!g->commit_set)
		g->commit = g->cfg[CFG_C_ENABLE_AUTO_COMMIT].v ? SCEN_COMMIT_AUTO
							       : SCEN_COMMIT_AFTER_PROCESSING;
	if (g->commit != SCEN_COMMIT_AUTO)
		g->cfg[CFG_C_ENABLE_AUTO_COMMIT].v = 0;
}

static void load_group(struct scen_ld *ld, const struct ynode *n, uint32_t index)
{
	struct scen_group *g = &ld->s->groups[index];
	g->pos = scen_pos_of(n);
	g->name = scen_arena_strndup(ld->a, "?", 1);
	if (g->name == NULL)
		return (void)scen_oom(ld);
	char where[LIMIT_NAME_BYTES + 40] = "in a consumers entry";
	const struct ynode *gn = n->kind == YN_MAP ? ymap_get(n, "group") : NULL;
	if (gn != NULL && gn->kind == YN_SCALAR && gn->len <= LIMIT_NAME_BYTES)
		snprintf(where, sizeof(where), "in consumer group `%s`", gn->text);
	const struct map_spec spec = {group_keys, MAP_CFG_CONSUMER, where};
	if (!scen_map_check(ld, n, &spec))
		return;
	uint32_t old;
	bool named = false;
	if (gn == NULL) {
		scen_errn(ld, n, "missing required key `group` in a consumers entry");
	} else if (scen_get_string(ld, gn, "`group`", &g->name) && group_name_ok(ld, gn)) {
		named = true;
		g->pos = scen_pos_of(gn);
		if (!scen_names_put(ld, &ld->groups, g->name, gn->len, index, &old) && !ld->oom) {
			scen_errn(ld, gn, "group `%s` is given twice (first at line %u); one entry "
				  "per group", g->name, ld->s->groups[old].pos.line);
			named = false;
		}
	}
	group_settings(ld, n, g);
	group_members(ld, g, index, ymap_get(n, "members"), named);
}

static void load_consumers(struct scen_ld *ld, const struct ynode *n)
{
	if (n == NULL || ynode_is_null(n) || !scen_want_kind(ld, n, YN_SEQ, "`consumers`"))
		return;
	struct scenario *s = ld->s;
	s->groups = scen_arena_array(ld->a, n->n, sizeof(*s->groups));
	if (s->groups == NULL)
		return (void)scen_oom(ld);
	s->group_count = n->n;
	for (uint32_t i = 0; i < n->n && !ld->oom; i++)
		load_group(ld, n->kids[i], i);
}

/* --- both, in file order ---------------------------------------------------------------- */

/* Clients before any are loaded, to refuse more than LIMIT_CLIENTS without allocating. */
static uint64_t count_clients(const struct ynode *producers, const struct ynode *consumers)
{
	uint64_t n = 0;
	if (producers != NULL && producers->kind == YN_SEQ)
		n += producers->n;
	if (consumers == NULL || consumers->kind != YN_SEQ)
		return n;
	for (uint32_t i = 0; i < consumers->n; i++) {
		const struct ynode *g = consumers->kids[i], *m;
		m = g->kind == YN_MAP ? ymap_get(g, "members") : NULL;
		uint64_t k = 1;
		if (m != NULL && m->kind == YN_SEQ)
			k = m->n;
		else if (m != NULL && m->kind == YN_SCALAR &&
			 units_uint64(m->text, m->len, &k) != UNITS_OK)
			k = 1;
		n += k < LIMIT_CLIENTS ? k : LIMIT_CLIENTS + 1;
	}
	return n;
}

void scen_load_clients(struct scen_ld *ld)
{
	const struct ynode *pn = ld->producers_node, *cn = ld->consumers_node;
	uint64_t total = count_clients(pn, cn);
	if (total > LIMIT_CLIENTS) {
		scen_errn(ld, pn != NULL ? pn : cn, "producers and consumer members make more than "
			  "%d clients, the limit (11.9)", LIMIT_CLIENTS);
		ld->bad_clients = true;
		return;
	}
	ld->s->clients = scen_arena_array(ld->a, total, sizeof(*ld->s->clients));
	if (ld->s->clients == NULL)
		return (void)scen_oom(ld);
	bool producers_first = cn == NULL || (pn != NULL && scen_pos_before(scen_pos_of(pn),
									     scen_pos_of(cn)));
	if (producers_first) {
		load_producers(ld, pn);
		load_consumers(ld, cn);
	} else {
		load_consumers(ld, cn);
		load_producers(ld, pn);
	}
	assert(ld->s->client_count <= total);
}

const char *scen_commit_name(enum scen_commit c)
{
	assert((unsigned)c < sizeof(commit_names) / sizeof(commit_names[0]) - 1);
	return commit_names[c];
}
