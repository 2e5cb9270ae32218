/*
 * scen_cluster.c — `cluster` and `topics` (scenario-format 3, 4): brokers (a count or a
 * list), the controller quorum, network values, broker configs with their derived values
 * (log.retention.hours and friends), topics with their partition layout, and the layout of
 * __consumer_offsets.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/limits.h"
#include "sim/scen_internal.h"
#include "sim/units.h"

#define MS_PER_HOUR   INT64_C(3600000)
#define MS_PER_MINUTE INT64_C(60000)
#define US_PER_MS     INT64_C(1000)
/* KafkaConfig: replica.fetch.wait.max.ms <= replica.socket.timeout.ms (30000, not modelled). */
#define REPLICA_SOCKET_TIMEOUT_MS 30000

static const char *const cluster_keys[] = {
	"brokers", "controllers", "network", "config", NULL,
};
static const char *const network_keys[] = {
	"latency", "jitter", "drop", "client-latency", NULL,
};
static const char *const broker_keys[] = {"id", "rack", "config", NULL};
static const char *const topic_keys[] = {
	"name", "partitions", "replication.factor", "assignment", "config", NULL,
};

/* --- broker configs --------------------------------------------------------------------- */

static int64_t sat_mul(int64_t v, int64_t k)
{
	if (v > INT64_MAX / k)
		return INT64_MAX;
	if (v < INT64_MIN / k)
		return INT64_MIN;
	return v * k;
}

/* KafkaConfig: log.roll.ms / log.retention.ms / log.flush.interval.ms fall back to their
 * hour, minute or scheduler forms when unset; a negative retention means unlimited (-1). */
static void resolve_derived(struct cfg_value *c)
{
	if (!c[CFG_B_LOG_ROLL_MS].set)
		c[CFG_B_LOG_ROLL_MS].v = sat_mul(c[CFG_B_LOG_ROLL_HOURS].v, MS_PER_HOUR);
	if (!c[CFG_B_LOG_ROLL_JITTER_MS].set)
		c[CFG_B_LOG_ROLL_JITTER_MS].v = sat_mul(c[CFG_B_LOG_ROLL_JITTER_HOURS].v,
							MS_PER_HOUR);
	if (!c[CFG_B_LOG_RETENTION_MS].set) {
		struct cfg_value *m = &c[CFG_B_LOG_RETENTION_MINUTES];
		c[CFG_B_LOG_RETENTION_MS].v =
			m->set ? sat_mul(m->v, MS_PER_MINUTE)
			       : sat_mul(c[CFG_B_LOG_RETENTION_HOURS].v, MS_PER_HOUR);
	}
	if (c[CFG_B_LOG_RETENTION_MS].v < 0)
		c[CFG_B_LOG_RETENTION_MS].v = -1;
	if (!c[CFG_B_LOG_FLUSH_INTERVAL_MS].set)
		c[CFG_B_LOG_FLUSH_INTERVAL_MS].v = c[CFG_B_LOG_FLUSH_SCHEDULER_INTERVAL_MS].v;
}

static struct scen_pos cfg_pos(const struct cfg_value *v)
{
	return (struct scen_pos){v->line, v->col};
}

/* KafkaConfig.validateValues, for the values kafkasim accepts. */
static void check_broker_cfg(struct scen_ld *ld, const struct cfg_value *c, const char *whose)
{
	const struct cfg_value *ret = &c[CFG_B_LOG_RETENTION_MS];
	if (ret->v == 0) {
		const struct cfg_value *src = ret->set ? ret
			: c[CFG_B_LOG_RETENTION_MINUTES].set ? &c[CFG_B_LOG_RETENTION_MINUTES]
							     : &c[CFG_B_LOG_RETENTION_HOURS];
		scen_err(ld, cfg_pos(src), "log.retention.ms must be -1 (unlimited) or at least 1 "
			 "(KafkaConfig)%s", whose);
	}
	const struct cfg_value *wait = &c[CFG_B_REPLICA_FETCH_WAIT_MAX_MS];
	const struct cfg_value *lag = &c[CFG_B_REPLICA_LAG_TIME_MAX_MS];
	if (wait->v > lag->v)
		scen_err(ld, cfg_pos(wait->set ? wait : lag), "replica.fetch.wait.max.ms (%lld) "
			 "must be <= replica.lag.time.max.ms (%lld) (KafkaConfig)%s",
			 (long long)wait->v, (long long)lag->v, whose);
	if (wait->v > REPLICA_SOCKET_TIMEOUT_MS)
		scen_err(ld, cfg_pos(wait), "replica.fetch.wait.max.ms (%lld) must be <= "
			 "replica.socket.timeout.ms (30000) (KafkaConfig)%s", (long long)wait->v,
			 whose);
	const struct cfg_value *minlag = &c[CFG_B_LOG_CLEANER_MIN_COMPACTION_LAG_MS];
	const struct cfg_value *maxlag = &c[CFG_B_LOG_CLEANER_MAX_COMPACTION_LAG_MS];
	if (minlag->v > maxlag->v)
		scen_err(ld, cfg_pos(minlag->set ? minlag : maxlag), "log.cleaner.min.compaction."
			 "lag.ms (%lld) > log.cleaner.max.compaction.lag.ms (%lld) (LogConfig)%s",
			 (long long)minlag->v, (long long)maxlag->v, whose);
}

static void load_cluster_config(struct scen_ld *ld, const struct ynode *n)
{
	struct scen_cluster *c = &ld->s->cluster;
	cfg_defaults(CFG_SCOPE_BROKER, c->cfg);
	if (n != NULL && !ynode_is_null(n)) {
		const struct map_spec spec = {NULL, MAP_CFG_CLUSTER, "in cluster.config"};
		if (scen_map_check(ld, n, &spec))
			scen_map_configs(ld, n, MAP_CFG_CLUSTER, c->cfg);
	}
	resolve_derived(c->cfg);
	check_broker_cfg(ld, c->cfg, "");
}

/* --- brokers ---------------------------------------------------------------------------- */

static int broker_cmp(const void *pa, const void *pb)
{
	const struct scen_broker *a = pa, *b = pb;
	return (a->id > b->id) - (a->id < b->id);
}

static bool brokers_alloc(struct scen_ld *ld, uint32_t n)
{
	struct scen_cluster *c = &ld->s->cluster;
	c->brokers = scen_arena_array(ld->a, n, sizeof(*c->brokers));
	if (c->brokers == NULL)
		return scen_oom(ld);
	c->broker_count = n;
	return true;
}

static void brokers_count(struct scen_ld *ld, const struct ynode *n)
{
	uint64_t count;
	if (!scen_get_u64(ld, n, "`cluster.brokers`", 1, UINT32_MAX, &count)) {
		ld->bad_cluster = true;
		return;
	}
	if (count > LIMIT_BROKERS) {
		scen_errn(ld, n, "`cluster.brokers`: %llu brokers is above the limit of %d (11.9)",
			  (unsigned long long)count, LIMIT_BROKERS);
		ld->bad_cluster = true;
		return;
	}
	if (!brokers_alloc(ld, (uint32_t)count))
		return;
	for (uint32_t i = 0; i < count; i++) {
		struct scen_broker *b = &ld->s->cluster.brokers[i];
		b->id = (int32_t)(i + 1);
		b->pos = scen_pos_of(n);
		memcpy(b->cfg, ld->s->cluster.cfg, sizeof(b->cfg));
	}
}

static void broker_item(struct scen_ld *ld, const struct ynode *n, struct scen_broker *b)
{
	const struct map_spec spec = {broker_keys, MAP_CFG_NONE, "in a cluster.brokers entry"};
	b->pos = scen_pos_of(n);
	b->id = -1;
	if (!scen_map_check(ld, n, &spec)) {
		ld->bad_cluster = true;
		return;
	}
	const struct ynode *v = ymap_get(n, "id");
	int64_t id;
	if (v == NULL) {
		scen_errn(ld, n, "missing required key `id` in a cluster.brokers entry");
		ld->bad_cluster = true;
	} else if (scen_get_i64(ld, v, "broker `id`", 0, INT32_MAX, &id)) {
		b->id = (int32_t)id;
		b->pos = scen_pos_of(v);
	} else {
		ld->bad_cluster = true;
	}
	v = ymap_get(n, "rack");
	if (v != NULL && !ynode_is_null(v))
		scen_get_string(ld, v, "broker `rack`", &b->rack);
	memcpy(b->cfg, ld->s->cluster.cfg, sizeof(b->cfg));
	v = ymap_get(n, "config");
	if (v == NULL || ynode_is_null(v))
		return;
	char where[64], whose[64];
	snprintf(where, sizeof(where), "in broker %d's config", (int)b->id);
	snprintf(whose, sizeof(whose), " for broker %d", (int)b->id);
	const struct map_spec cspec = {NULL, MAP_CFG_BROKER, where};
	if (!scen_map_check(ld, v, &cspec))
		return;
	scen_map_configs(ld, v, MAP_CFG_BROKER, b->cfg);
	check_broker_cfg(ld, b->cfg, whose);
}

static void brokers_list(struct scen_ld *ld, const struct ynode *n)
{
	if (n->n == 0) {
		scen_errn(ld, n, "`cluster.brokers` needs at least one broker");
		ld->bad_cluster = true;
		return;
	}
	if (n->n > LIMIT_BROKERS) {
		scen_errn(ld, n, "`cluster.brokers`: %u brokers is above the limit of %d (11.9)",
			  n->n, LIMIT_BROKERS);
		ld->bad_cluster = true;
		return;
	}
	if (!brokers_alloc(ld, n->n))
		return;
	for (uint32_t i = 0; i < n->n; i++)
		broker_item(ld, n->kids[i], &ld->s->cluster.brokers[i]);
	if (ld->bad_cluster)
		return;
	struct scen_cluster *c = &ld->s->cluster;
	qsort(c->brokers, c->broker_count, sizeof(c->brokers[0]), broker_cmp);
	for (uint32_t i = 1; i < c->broker_count; i++) {
		if (c->brokers[i].id == c->brokers[i - 1].id) {
			const struct scen_broker *later = &c->brokers[i];
			if (scen_pos_before(later->pos, c->brokers[i - 1].pos))
				later = &c->brokers[i - 1];
			scen_err(ld, later->pos, "broker id %d is given twice", later->id);
			ld->bad_cluster = true;
		}
	}
}

static void load_brokers(struct scen_ld *ld, const struct ynode *n)
{
	if (n == NULL) {
		scen_errn(ld, ld->root, "missing required key `brokers` in `cluster`");
		ld->bad_cluster = true;
	} else if (n->kind == YN_SEQ) {
		brokers_list(ld, n);
	} else {
		brokers_count(ld, n);
	}
}

static void load_network(struct scen_ld *ld, const struct ynode *n)
{
	struct scen_network *net = &ld->s->cluster.net;
	net->latency_us = 1000;
	bool client_set = false;
	if (n != NULL && !ynode_is_null(n)) {
		const struct map_spec spec = {network_keys, MAP_CFG_NONE, "in cluster.network"};
		if (scen_map_check(ld, n, &spec)) {
			const struct ynode *v = ymap_get(n, "latency");
			if (v != NULL)
				scen_get_time(ld, v, "`network.latency`", false, false,
					      &net->latency_us);
			if ((v = ymap_get(n, "jitter")) != NULL)
				scen_get_time(ld, v, "`network.jitter`", false, false,
					      &net->jitter_us);
			if ((v = ymap_get(n, "drop")) != NULL)
				scen_get_prob(ld, v, "`network.drop`", &net->drop_ratio);
			if ((v = ymap_get(n, "client-latency")) != NULL)
				client_set = scen_get_time(ld, v, "`network.client-latency`",
							   false, false, &net->client_latency_us);
		}
	}
	if (!client_set)
		net->client_latency_us = net->latency_us;
}

static void load_controllers(struct scen_ld *ld, const struct ynode *n)
{
	ld->s->cluster.controllers = 1;
	if (n == NULL)
		return;
	uint64_t q;
	if (!scen_get_u64(ld, n, "`cluster.controllers`", 0, UINT64_MAX, &q))
		return;
	if (q == 3 || q == 5)
		scen_errn(ld, n, "controllers: %llu is not supported yet (single active controller "
			  "only)", (unsigned long long)q);
	else if (q != 1)
		scen_errn(ld, n, "controllers must be 1, 3 or 5 (a KRaft quorum), got %llu",
			  (unsigned long long)q);
}

/* __consumer_offsets: Kafka's partition count, its RF capped at the broker count (11.9, a
 * documented deviation), and the default layout. */
static void layout_offsets(struct scen_ld *ld)
{
	struct scenario *s = ld->s;
	s->offsets_partitions = (uint32_t)s->cluster.cfg[CFG_B_OFFSETS_TOPIC_NUM_PARTITIONS].v;
	uint32_t rf = (uint32_t)s->cluster.cfg[CFG_B_OFFSETS_TOPIC_REPLICATION_FACTOR].v;
	uint32_t nb = s->cluster.broker_count;
	s->offsets_rf = rf < nb ? rf : nb;
	if (ld->bad_cluster || nb == 0)
		return;
	size_t slots = (size_t)s->offsets_partitions * s->offsets_rf;
	if (s->offsets_partitions > LIMIT_PARTITIONS_TOTAL || slots > LIMIT_REPLICAS_TOTAL) {
		const struct cfg_value *v = &s->cluster.cfg[CFG_B_OFFSETS_TOPIC_NUM_PARTITIONS];
		scen_err(ld, cfg_pos(v), "__consumer_offsets would hold %u partitions of %u "
			 "replicas, above the limits of %d partitions and %d replicas",
			 s->offsets_partitions, s->offsets_rf, LIMIT_PARTITIONS_TOTAL,
			 LIMIT_REPLICAS_TOTAL);
		s->offsets_partitions = 0;
		return;
	}
	s->offsets_replicas = scen_arena_array(ld->a, slots, sizeof(int32_t));
	if (s->offsets_replicas == NULL) {
		scen_oom(ld);
		return;
	}
	for (uint32_t p = 0; p < s->offsets_partitions; p++)
		for (uint32_t i = 0; i < s->offsets_rf; i++)
			s->offsets_replicas[(size_t)p * s->offsets_rf + i] =
				s->cluster.brokers[(p + i) % nb].id;
}

void scen_load_cluster(struct scen_ld *ld, const struct ynode *n)
{
	const struct map_spec spec = {cluster_keys, MAP_CFG_NONE, "in `cluster`"};
	ld->s->cluster.controllers = 1;
	if (n == NULL || !scen_map_check(ld, n, &spec)) {
		if (n == NULL)
			scen_errn(ld, ld->root, "missing required key `cluster` at the top level");
		ld->bad_cluster = true;
		cfg_defaults(CFG_SCOPE_BROKER, ld->s->cluster.cfg);
		resolve_derived(ld->s->cluster.cfg);
		load_network(ld, NULL);
		return;
	}
	load_cluster_config(ld, ymap_get(n, "config"));
	const struct ynode *brokers = ymap_get(n, "brokers");
	if (brokers == NULL) {
		scen_errn(ld, n, "missing required key `brokers` in `cluster`");
		ld->bad_cluster = true;
	} else {
		load_brokers(ld, brokers);
	}
	load_controllers(ld, ymap_get(n, "controllers"));
	load_network(ld, ymap_get(n, "network"));
	layout_offsets(ld);
}

bool scen_lookup_broker(struct scen_ld *ld, const struct ynode *n, int64_t id, uint32_t *idx)
{
	if (ld->bad_cluster)
		return false;
	int i = id < INT32_MIN || id > INT32_MAX ? -1 : scen_broker_index(ld->s, (int32_t)id);
	if (i < 0) {
		const struct scen_cluster *c = &ld->s->cluster;
		scen_errn(ld, n, "no broker has id %lld (brokers are %d..%d)", (long long)id,
			  c->brokers[0].id, c->brokers[c->broker_count - 1].id);
		return false;
	}
	*idx = (uint32_t)i;
	return true;
}

/* --- topics ----------------------------------------------------------------------------- */

/* Kafka's Topic.validate: [a-zA-Z0-9._-], at most 249 characters, not "." or "..". */
static bool topic_name_ok(struct scen_ld *ld, const struct ynode *n)
{
	char q[80];
	scen_quote(q, sizeof(q), n);
	if (n->len == 0 || n->len > LIMIT_NAME_BYTES) {
		scen_errn(ld, n, "topic name `%s` must have 1 to %d characters", q,
			  LIMIT_NAME_BYTES);
		return false;
	}
	if (ynode_text_is(n, ".") || ynode_text_is(n, "..")) {
		scen_errn(ld, n, "topic name cannot be `.` or `..` (Kafka)");
		return false;
	}
	for (uint32_t i = 0; i < n->len; i++) {
		char c = n->text[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
		if (!ok) {
			scen_errn(ld, n, "topic name `%s` may hold only letters, digits, `.`, `_` "
				  "and `-` (Kafka)", q);
			return false;
		}
	}
	if (ynode_text_is(n, "__consumer_offsets") || ynode_text_is(n, "__transaction_state")) {
		scen_errn(ld, n, "`%s` is Kafka's internal topic; it is created automatically", q);
		return false;
	}
	return true;
}

struct topics_state {
	uint64_t          partitions;    /* Σ so far */
	uint64_t          replicas;      /* Σ partitions × rf so far */
	struct scen_names collide;       /* names with '.' read as '_' */
};

static bool topic_name(struct scen_ld *ld, struct topics_state *ts, const struct ynode *n,
		       uint32_t index)
{
	struct scen_topic *t = &ld->s->topics[index];
	if (!scen_get_string(ld, n, "topic `name`", &t->name) || !topic_name_ok(ld, n))
		return false;
	uint32_t old;
	if (!scen_names_put(ld, &ld->topics, t->name, n->len, index, &old)) {
		if (!ld->oom)
			scen_errn(ld, n, "topic `%s` is defined twice (first at line %u)", t->name,
				  ld->s->topics[old].pos.line);
		return false;
	}
	char *folded = scen_arena_strndup(ld->tmp, t->name, n->len);
	if (folded == NULL)
		return scen_oom(ld);
	for (char *c = folded; *c; c++)
		*c = *c == '.' ? '_' : *c;
	if (!scen_names_put(ld, &ts->collide, folded, n->len, index, &old) && !ld->oom) {
		scen_errn(ld, n, "topic `%s` collides with topic `%s`: Kafka refuses names that "
			  "differ only in `.` and `_`", t->name, ld->s->topics[old].name);
		return false;
	}
	return true;
}

static bool topic_sizes(struct scen_ld *ld, struct topics_state *ts, const struct ynode *n,
			struct scen_topic *t)
{
	uint64_t parts = 1, rf = 1;
	const struct ynode *v = ymap_get(n, "partitions");
	if (v != NULL && !scen_get_u64(ld, v, "`partitions`", 1, LIMIT_PARTITIONS_TOTAL, &parts))
		return false;
	ts->partitions += parts;
	if (ts->partitions > LIMIT_PARTITIONS_TOTAL) {
		scen_errn(ld, v != NULL ? v : n, "topics hold %llu partitions in all, above the "
			  "limit of %d (11.9)", (unsigned long long)ts->partitions,
			  LIMIT_PARTITIONS_TOTAL);
		return false;
	}
	const struct ynode *r = ymap_get(n, "replication.factor");
	if (r != NULL && !scen_get_u64(ld, r, "`replication.factor`", 1, INT16_MAX, &rf))
		return false;
	uint32_t nb = ld->s->cluster.broker_count;
	if (!ld->bad_cluster && rf > nb) {
		scen_errn(ld, r, "replication.factor %llu is larger than the %u available brokers "
			  "(Kafka: InvalidReplicationFactorException)", (unsigned long long)rf, nb);
		return false;
	}
	ts->replicas += parts * rf;
	if (ts->replicas > LIMIT_REPLICAS_TOTAL) {
		scen_errn(ld, r != NULL ? r : n, "topics hold %llu replicas in all, above the limit "
			  "of %d", (unsigned long long)ts->replicas, LIMIT_REPLICAS_TOTAL);
		return false;
	}
	t->partitions = (uint32_t)parts;
	t->rf = (uint32_t)rf;
	return true;
}

/* One `assignment` entry: P: [brokers...], distinct existing brokers, rf of them. */
static void assign_one(struct scen_ld *ld, struct scen_topic *t, const struct ynode *k,
		       const struct ynode *v)
{
	uint64_t p;
	if (!scen_get_u64(ld, k, "`assignment` key (a partition)", 0, UINT32_MAX, &p))
		return;
	if (p >= t->partitions) {
		scen_errn(ld, k, "topic `%s` has no partition %llu (it has %u)", t->name,
			  (unsigned long long)p, t->partitions);
		return;
	}
	if (t->assigned[p]) {
		scen_errn(ld, k, "partition %llu of topic `%s` is assigned twice",
			  (unsigned long long)p, t->name);
		return;
	}
	t->assigned[p] = true;
	if (!scen_want_kind(ld, v, YN_SEQ, "an `assignment` entry"))
		return;
	if (v->n != t->rf) {
		scen_errn(ld, v, "partition %llu of `%s` lists %u brokers; replication.factor is %u",
			  (unsigned long long)p, t->name, v->n, t->rf);
		return;
	}
	int32_t *row = &t->replicas[(size_t)p * t->rf];
	for (uint32_t i = 0; i < v->n; i++) {
		int64_t id;
		uint32_t bi;
		if (!scen_get_i64(ld, v->kids[i], "a broker id", INT32_MIN, INT32_MAX, &id) ||
		    !scen_lookup_broker(ld, v->kids[i], id, &bi))
			return;
		for (uint32_t j = 0; j < i; j++) {
			if (row[j] == (int32_t)id) {
				scen_errn(ld, v->kids[i], "broker %lld is listed twice for partition "
					  "%llu of `%s`", (long long)id, (unsigned long long)p,
					  t->name);
				return;
			}
		}
		row[i] = (int32_t)id;
	}
}

static void topic_layout(struct scen_ld *ld, const struct ynode *n, struct scen_topic *t)
{
	t->replicas = scen_arena_array(ld->a, (size_t)t->partitions * t->rf, sizeof(int32_t));
	t->assigned = scen_arena_array(ld->a, t->partitions, sizeof(bool));
	if (t->replicas == NULL || t->assigned == NULL) {
		scen_oom(ld);
		return;
	}
	const struct ynode *a = ymap_get(n, "assignment");
	if (a != NULL && !ynode_is_null(a) && scen_want_kind(ld, a, YN_MAP, "`assignment`")) {
		for (uint32_t i = 0; i < a->n; i++) {
			if (ymap_key(a, i)->kind != YN_SCALAR)
				scen_errn(ld, ymap_key(a, i), "`assignment` keys are partitions");
			else
				assign_one(ld, t, ymap_key(a, i), ymap_val(a, i));
		}
	}
	/* Default: partition p -> the ((p + i) mod N)-th broker in id order (4). */
	uint32_t nb = ld->s->cluster.broker_count;
	for (uint32_t p = 0; p < t->partitions; p++)
		if (!t->assigned[p])
			for (uint32_t i = 0; i < t->rf; i++)
				t->replicas[(size_t)p * t->rf + i] = ld->s->cluster.brokers[(p + i) % nb].id;
}

static void topic_config(struct scen_ld *ld, const struct ynode *n, struct scen_topic *t)
{
	const struct cfg_value *cl = ld->s->cluster.cfg;
	cfg_defaults(CFG_SCOPE_TOPIC, t->cfg);
	for (int i = 0; i < CFG_T_COUNT; i++)
		t->cfg[i].v = cl[cfg_def(CFG_SCOPE_TOPIC, i)->synonym].v;
	const struct ynode *c = ymap_get(n, "config");
	if (c == NULL || ynode_is_null(c))
		return;
	char where[LIMIT_NAME_BYTES + 40];
	snprintf(where, sizeof(where), "in topic `%s`'s config", t->name ? t->name : "?");
	const struct map_spec spec = {NULL, MAP_CFG_TOPIC, where};
	if (!scen_map_check(ld, c, &spec))
		return;
	scen_map_configs(ld, c, MAP_CFG_TOPIC, t->cfg);
	const struct cfg_value *lo = &t->cfg[CFG_T_MIN_COMPACTION_LAG_MS];
	const struct cfg_value *hi = &t->cfg[CFG_T_MAX_COMPACTION_LAG_MS];
	if (lo->v > hi->v)
		scen_err(ld, cfg_pos(lo->set ? lo : hi), "min.compaction.lag.ms (%lld) > "
			 "max.compaction.lag.ms (%lld) (LogConfig)", (long long)lo->v,
			 (long long)hi->v);
}

static void load_topic(struct scen_ld *ld, struct topics_state *ts, const struct ynode *n,
		       uint32_t index)
{
	struct scen_topic *t = &ld->s->topics[index];
	t->pos = scen_pos_of(n);
	const struct map_spec spec = {topic_keys, MAP_CFG_NONE, "in a topics entry"};
	if (!scen_map_check(ld, n, &spec))
		return;
	const struct ynode *name = ymap_get(n, "name");
	if (name == NULL)
		scen_errn(ld, n, "missing required key `name` in a topics entry");
	else if (topic_name(ld, ts, name, index))
		t->pos = scen_pos_of(name);
	topic_config(ld, n, t);
	if (!topic_sizes(ld, ts, n, t) || ld->bad_cluster)
		return;
	topic_layout(ld, n, t);
}

void scen_load_topics(struct scen_ld *ld, const struct ynode *n)
{
	if (n == NULL || ynode_is_null(n))
		return;
	if (!scen_want_kind(ld, n, YN_SEQ, "`topics`"))
		return;
	struct scenario *s = ld->s;
	s->topics = scen_arena_array(ld->a, n->n, sizeof(*s->topics));
	if (s->topics == NULL && n->n > 0) {
		scen_oom(ld);
		return;
	}
	s->topic_count = n->n;
	struct topics_state ts = {0};
	for (uint32_t i = 0; i < n->n && !ld->oom; i++)
		load_topic(ld, &ts, n->kids[i], i);
}
