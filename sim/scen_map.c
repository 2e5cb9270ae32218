/*
 * scen_map.c — mapping schemas: which keys a mapping of the scenario may hold, and the Kafka
 * configs among them (scenario-format 11.9). Unknown keys get a suggestion; real Kafka
 * configs kafkasim does not model are "not supported"; a config in the wrong place gets an
 * error naming the right one. Config values are parsed through sim/config_table.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scen_internal.h"

#define SMALL_MAP 16

static bool key_listed(const char *const *keys, const struct ynode *k)
{
	for (size_t i = 0; keys != NULL && keys[i] != NULL; i++)
		if (ynode_text_is(k, keys[i]))
			return true;
	return false;
}

static bool broker_per_broker(const struct cfg_def *d)
{
	return !(d->flags & (CFG_F_CLUSTER_ONLY | CFG_F_TOPIC_LEVEL)) && d->synonym < 0;
}

static bool broker_topic_level(const struct cfg_def *d)
{
	return (d->flags & CFG_F_TOPIC_LEVEL) || d->synonym >= 0;
}

static bool cfg_accepted(enum map_cfg cfg, const struct ynode *k)
{
	int id;
	switch (cfg) {
	case MAP_CFG_NONE:
		return false;
	case MAP_CFG_CLUSTER:
		return cfg_find(CFG_SCOPE_BROKER, k->text, k->len) >= 0 ||
		       cfg_find(CFG_SCOPE_TOPIC, k->text, k->len) >= 0;
	case MAP_CFG_BROKER:
		id = cfg_find(CFG_SCOPE_BROKER, k->text, k->len);
		return id >= 0 && broker_per_broker(cfg_def(CFG_SCOPE_BROKER, id));
	case MAP_CFG_TOPIC:
		return cfg_find(CFG_SCOPE_TOPIC, k->text, k->len) >= 0;
	case MAP_CFG_PRODUCER:
		return cfg_find(CFG_SCOPE_PRODUCER, k->text, k->len) >= 0;
	case MAP_CFG_CONSUMER:
		return cfg_find(CFG_SCOPE_CONSUMER, k->text, k->len) >= 0;
	}
	return false;
}

/* --- duplicates ------------------------------------------------------------------------- */

static int key_cmp(const void *pa, const void *pb)
{
	const struct ynode *a = *(const struct ynode *const *)pa;
	const struct ynode *b = *(const struct ynode *const *)pb;
	size_t l = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->text, b->text, l);
	if (c != 0)
		return c;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return a->col < b->col ? -1 : (a->col > b->col);
}

static void report_dup(struct scen_ld *ld, const struct ynode *first, const struct ynode *k)
{
	char q[80];
	scen_quote(q, sizeof(q), k);
	scen_errn(ld, k, "duplicate key `%s` (first given at line %u)", q, first->line);
}

static bool same_text(const struct ynode *a, const struct ynode *b)
{
	return a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
}

/* Small maps pairwise; large ones sorted, so a hostile file cannot make this quadratic. */
static void check_duplicates(struct scen_ld *ld, const struct ynode *m)
{
	if (m->n <= SMALL_MAP) {
		for (uint32_t i = 0; i < m->n; i++)
			for (uint32_t j = 0; j < i; j++)
				if (ymap_key(m, i)->kind == YN_SCALAR &&
				    ymap_key(m, j)->kind == YN_SCALAR &&
				    same_text(ymap_key(m, i), ymap_key(m, j))) {
					report_dup(ld, ymap_key(m, j), ymap_key(m, i));
					break;
				}
		return;
	}
	const struct ynode **keys = scen_arena_array(ld->tmp, m->n, sizeof(*keys));
	if (keys == NULL) {
		scen_oom(ld);
		return;
	}
	uint32_t n = 0;
	for (uint32_t i = 0; i < m->n; i++)
		if (ymap_key(m, i)->kind == YN_SCALAR)
			keys[n++] = ymap_key(m, i);
	qsort(keys, n, sizeof(*keys), key_cmp);
	for (uint32_t i = 1, first = 0; i < n; i++) {
		if (same_text(keys[i], keys[first]))
			report_dup(ld, keys[first], keys[i]);
		else
			first = i;
	}
}

/* --- keys in the wrong place ------------------------------------------------------------ */

struct home {
	const char *kind;
	const char *place;
};

/* Where a config that is not accepted here belongs; false if it is no Kafka config. */
static bool config_home(const struct ynode *k, enum map_cfg cfg, struct home *h)
{
	int b = cfg_find(CFG_SCOPE_BROKER, k->text, k->len);
	int t = cfg_find(CFG_SCOPE_TOPIC, k->text, k->len);
	bool p = cfg_find(CFG_SCOPE_PRODUCER, k->text, k->len) >= 0;
	bool c = cfg_find(CFG_SCOPE_CONSUMER, k->text, k->len) >= 0;
	const struct cfg_def *bd = b >= 0 ? cfg_def(CFG_SCOPE_BROKER, b) : NULL;
	if (cfg == MAP_CFG_BROKER && (t >= 0 || (bd != NULL && broker_topic_level(bd)))) {
		*h = (struct home){"topic-level", "cluster.config or a topic's `config`"};
	} else if (cfg == MAP_CFG_BROKER && bd != NULL) {
		*h = (struct home){"cluster-wide", "cluster.config"};
	} else if (p && c) {
		*h = (struct home){"client", "a producers or consumers entry"};
	} else if (p) {
		*h = (struct home){"producer", "a producers entry"};
	} else if (c) {
		*h = (struct home){"consumer", "a consumers entry or one of its members"};
	} else if (t >= 0) {
		*h = (struct home){"topic", "a topic's `config` or cluster.config"};
	} else if (bd != NULL) {
		*h = (struct home){"broker", "cluster.config"};
	} else {
		return false;
	}
	return true;
}

static void report_misplaced(struct scen_ld *ld, const struct ynode *k,
			     const struct map_spec *spec)
{
	char q[80];
	scen_quote(q, sizeof(q), k);
	int b = cfg_find(CFG_SCOPE_BROKER, k->text, k->len);
	if (spec->cfg == MAP_CFG_TOPIC && b >= 0 && cfg_def(CFG_SCOPE_BROKER, b)->synonym >= 0) {
		int t = cfg_def(CFG_SCOPE_BROKER, b)->synonym;
		scen_errn(ld, k, "`%s` is a broker config: in a topic's config it is called `%s`",
			  q, cfg_def(CFG_SCOPE_TOPIC, t)->name);
		return;
	}
	struct home h;
	bool ok = config_home(k, spec->cfg, &h);
	assert(ok);
	(void)ok;
	scen_errn(ld, k, "`%s` is a %s config: set it in %s, not %s", q, h.kind, h.place,
		  spec->where);
}

static void suggest_configs(struct suggest *sg, enum map_cfg cfg)
{
	static const enum cfg_scope scope_of[] = {
		[MAP_CFG_NONE] = CFG_SCOPE_COUNT, [MAP_CFG_CLUSTER] = CFG_SCOPE_BROKER,
		[MAP_CFG_BROKER] = CFG_SCOPE_BROKER, [MAP_CFG_TOPIC] = CFG_SCOPE_TOPIC,
		[MAP_CFG_PRODUCER] = CFG_SCOPE_PRODUCER, [MAP_CFG_CONSUMER] = CFG_SCOPE_CONSUMER,
	};
	enum cfg_scope scope = scope_of[cfg];
	if (scope == CFG_SCOPE_COUNT)
		return;
	for (int i = 0; i < cfg_count(scope); i++)
		scen_suggest_add(sg, cfg_def(scope, i)->name);
	if (cfg == MAP_CFG_CLUSTER)
		for (int i = 0; i < cfg_count(CFG_SCOPE_TOPIC); i++)
			scen_suggest_add(sg, cfg_def(CFG_SCOPE_TOPIC, i)->name);
}

static void report_unknown(struct scen_ld *ld, const struct ynode *k,
			   const struct map_spec *spec)
{
	if (!scen_err_wanted(ld, scen_pos_of(k))) {
		scen_errn(ld, k, "unknown key");
		return;
	}
	char q[80];
	scen_quote(q, sizeof(q), k);
	const char *note;
	struct home h;
	if (cfg_unsupported(k->text, k->len, &note)) {
		scen_errn(ld, k, "`%s` is a Kafka config kafkasim does not support%s%s", q,
			  note[0] ? ": " : "", note);
		return;
	}
	if (config_home(k, spec->cfg, &h)) {
		report_misplaced(ld, k, spec);
		return;
	}
	struct suggest sg;
	scen_suggest_init(&sg, k->text, k->len);
	for (size_t i = 0; spec->keys != NULL && spec->keys[i] != NULL; i++)
		scen_suggest_add(&sg, spec->keys[i]);
	suggest_configs(&sg, spec->cfg);
	if (sg.best != NULL)
		scen_errn(ld, k, "unknown key `%s` %s; did you mean `%s`?", q, spec->where, sg.best);
	else
		scen_errn(ld, k, "unknown key `%s` %s", q, spec->where);
}

bool scen_map_check(struct scen_ld *ld, const struct ynode *n, const struct map_spec *spec)
{
	if (n->kind != YN_MAP) {
		char what[160];
		snprintf(what, sizeof(what), "the value %s", spec->where);
		scen_want_kind(ld, n, YN_MAP, what);
		return false;
	}
	check_duplicates(ld, n);
	for (uint32_t i = 0; i < n->n; i++) {
		const struct ynode *k = ymap_key(n, i);
		if (k->kind != YN_SCALAR) {
			scen_errn(ld, k, "mapping keys must be plain names, not %s",
				  k->kind == YN_MAP ? "mappings" : "lists");
			continue;
		}
		if (!key_listed(spec->keys, k) && !cfg_accepted(spec->cfg, k))
			report_unknown(ld, k, spec);
	}
	return true;
}

/* --- config values ---------------------------------------------------------------------- */

/* The value's text; a list (for list-typed configs) joined with commas as Kafka's LIST. */
static bool value_text(struct scen_ld *ld, const struct cfg_def *d, const struct ynode *v,
		       const char **text, size_t *len)
{
	bool list_ok = d->type == CFG_LIST || d->type == CFG_ASSIGNORS;
	if (v->kind == YN_SCALAR && !ynode_is_null(v)) {
		*text = v->text;
		*len = v->len;
		return true;
	}
	if (v->kind != YN_SEQ || !list_ok) {
		char what[96];
		snprintf(what, sizeof(what), "`%s`", d->name);
		scen_want_kind(ld, v, YN_SCALAR, what);
		return false;
	}
	size_t total = 0;
	for (uint32_t i = 0; i < v->n; i++) {
		const struct ynode *it = v->kids[i];
		if (it->kind != YN_SCALAR || ynode_is_null(it)) {
			scen_errn(ld, it, "`%s`: list items must be names", d->name);
			return false;
		}
		total += it->len + 1;
	}
	char *buf = scen_arena_array(ld->tmp, total + 1, 1);
	if (buf == NULL)
		return scen_oom(ld);
	size_t o = 0;
	for (uint32_t i = 0; i < v->n; i++) {
		if (i > 0)
			buf[o++] = ',';
		memcpy(buf + o, v->kids[i]->text, v->kids[i]->len);
		o += v->kids[i]->len;
	}
	*text = buf;
	*len = o;
	return true;
}

static void parse_one(struct scen_ld *ld, const struct cfg_def *d, const struct ynode *k,
		      const struct ynode *v, struct cfg_value *out)
{
	const char *text = NULL;
	size_t len = 0;
	if (!value_text(ld, d, v, &text, &len))
		return;
	struct cfg_value nv = *out;
	char err[SCEN_ERROR_MSG_BYTES - 100];
	if (!cfg_parse(d, text, len, &nv, err, sizeof(err))) {
		scen_errn(ld, v, "invalid value for `%s`: %s", d->name, err);
		return;
	}
	nv.set = true;
	nv.line = k->line;
	nv.col = k->col;
	*out = nv;
}

/* The scope and id that key k sets in a mapping of kind cfg, and the definition to parse it
 * with (a topic name in cluster.config sets the broker default through its synonym). */
static int config_target(enum map_cfg cfg, const struct ynode *k, const struct cfg_def **d)
{
	int id;
	switch (cfg) {
	case MAP_CFG_CLUSTER:
		id = cfg_find(CFG_SCOPE_BROKER, k->text, k->len);
		if (id >= 0) {
			*d = cfg_def(CFG_SCOPE_BROKER, id);
			return id;
		}
		id = cfg_find(CFG_SCOPE_TOPIC, k->text, k->len);
		if (id < 0)
			return -1;
		*d = cfg_def(CFG_SCOPE_TOPIC, id);
		return (*d)->synonym;
	case MAP_CFG_BROKER:
		id = cfg_find(CFG_SCOPE_BROKER, k->text, k->len);
		if (id < 0 || !broker_per_broker(cfg_def(CFG_SCOPE_BROKER, id)))
			return -1;
		*d = cfg_def(CFG_SCOPE_BROKER, id);
		return id;
	case MAP_CFG_TOPIC:
	case MAP_CFG_PRODUCER:
	case MAP_CFG_CONSUMER: {
		enum cfg_scope scope = cfg == MAP_CFG_TOPIC ? CFG_SCOPE_TOPIC
				     : cfg == MAP_CFG_PRODUCER ? CFG_SCOPE_PRODUCER
							       : CFG_SCOPE_CONSUMER;
		id = cfg_find(scope, k->text, k->len);
		if (id >= 0)
			*d = cfg_def(scope, id);
		return id;
	}
	case MAP_CFG_NONE:
		break;
	}
	return -1;
}

void scen_map_configs(struct scen_ld *ld, const struct ynode *n, enum map_cfg cfg,
		      struct cfg_value *vals)
{
	const struct ynode *setter[CFG_MAX_PER_SCOPE] = {0};
	if (n->kind != YN_MAP)
		return;
	for (uint32_t i = 0; i < n->n; i++) {
		const struct ynode *k = ymap_key(n, i);
		const struct cfg_def *d = NULL;
		if (k->kind != YN_SCALAR)
			continue;
		int id = config_target(cfg, k, &d);
		if (id < 0)
			continue;
		assert(id < CFG_MAX_PER_SCOPE);
		if (setter[id] != NULL && !same_text(setter[id], k)) {
			char q[80];
			scen_quote(q, sizeof(q), k);
			scen_errn(ld, k, "`%s` sets the same config as `%s` (line %u); give one of "
				  "them", q, setter[id]->text, setter[id]->line);
			continue;
		}
		setter[id] = k;
		parse_one(ld, d, k, ymap_val(n, i), &vals[id]);
	}
}
