/*
 * assign_cli.c — `kafkasim assign`: reads the question from the command line or from JSON
 * (sim/json_in.c), checks it against Kafka's rules and kafkasim's limits, runs
 * model/assignor.c and prints the answer. See assign_cli.h for the contract.
 */
#include "sim/assign_cli.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "model/assignor.h"
#include "sim/json_in.h"
#include "sim/limits.h"

#define EXIT_OK        0
#define EXIT_BAD_INPUT 2          /* scenario-format 10 */

static const char usage_line[] =
	"usage: kafkasim assign --strategy S --topics T:P[,T:P...] --members M1[:T1+T2],M2,..."
	" [--json]\n"
	"       kafkasim assign --input FILE|- [--strategy S] [--json]\n"
	"       strategies: range, roundrobin, sticky, cooperative-sticky\n";

/* One member under construction; arrays grow as the input is read. */
struct qmember {
	char             *id;
	char             *instance;
	uint32_t         *topics;
	uint32_t          n_topics, cap_topics;
	bool              all_topics;      /* no topic list given: every topic */
	struct assign_tp *owned;
	uint32_t          n_owned, cap_owned;
	int32_t           generation;
	uint32_t          seq;             /* index + 1: marks in tmark / pmark */
};

/* An open-addressing index from a name to its item (topic or member): lookups only, so its
 * hash order never shows. */
struct name_index {
	uint32_t *slot;           /* item + 1, 0 = empty */
	uint32_t  n_slots;
};

struct question {
	enum assign_strategy strategy;
	bool                 has_strategy;
	char               **tname;
	uint32_t            *tparts;
	uint32_t            *tmark;        /* topic -> seq of the last member subscribing */
	uint32_t            *tbase;        /* topic -> first slot in pmark (JSON topics) */
	uint32_t            *pmark;        /* partition -> seq of the last member owning it */
	uint32_t             nt, cap_t;
	uint64_t             total_partitions;
	struct name_index    topic_ix;
	struct name_index    member_ix;
	struct qmember      *m;
	uint32_t             nm, cap_m;
};

/* Where messages go, and the input's name for FILE:LINE:COL. */
struct cli {
	FILE       *out, *err;
	const char *file;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int bad(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("kafkasim: assign: ", cli->err);
	vfprintf(cli->err, fmt, ap);
	fputc('\n', cli->err);
	va_end(ap);
	return EXIT_BAD_INPUT;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int bad_at(const struct cli *cli, const struct jin_value *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(cli->err, "%s:%" PRIu32 ":%" PRIu32 ": ", cli->file, v->line, v->col);
	vfprintf(cli->err, fmt, ap);
	fputc('\n', cli->err);
	va_end(ap);
	return EXIT_BAD_INPUT;
}

static int usage(const struct cli *cli, const char *why, const char *arg)
{
	fprintf(cli->err, "kafkasim: assign: %s%s%s\n", why, arg ? " " : "", arg ? arg : "");
	fputs(usage_line, cli->err);
	return EXIT_BAD_INPUT;
}

/* ---- names ---- */

typedef const char *(*name_fn)(const struct question *q, uint32_t item);

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;                     /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static uint32_t *index_slot(const struct name_index *ix, const struct question *q, name_fn f,
			    const char *name)
{
	uint32_t i = name_hash(name) & (ix->n_slots - 1);
	while (ix->slot[i] != 0 && strcmp(f(q, ix->slot[i] - 1), name) != 0)
		i = (i + 1) & (ix->n_slots - 1);
	return &ix->slot[i];
}

static uint32_t index_find(const struct name_index *ix, const struct question *q, name_fn f,
			   const char *name)
{
	if (ix->n_slots == 0)
		return ASSIGN_NONE;
	uint32_t s = *index_slot(ix, q, f, name);
	return s ? s - 1 : ASSIGN_NONE;
}

/* Makes room for n items at most half full. */
static bool index_reserve(struct name_index *ix, const struct question *q, name_fn f, uint32_t n)
{
	if (2 * (uint64_t)n <= ix->n_slots)
		return true;
	uint32_t size = ix->n_slots ? ix->n_slots * 2 : 64;
	struct name_index grown = {calloc(size, sizeof(uint32_t)), size};
	if (grown.slot == NULL)
		return false;
	for (uint32_t i = 0; i < ix->n_slots; i++)
		if (ix->slot[i] != 0)
			*index_slot(&grown, q, f, f(q, ix->slot[i] - 1)) = ix->slot[i];
	free(ix->slot);
	*ix = grown;
	return index_reserve(ix, q, f, n);
}

static const char *topic_name_of(const struct question *q, uint32_t t)
{
	return q->tname[t];
}

static const char *member_id_of(const struct question *q, uint32_t m)
{
	return q->m[m].id;
}

static uint32_t topic_find(const struct question *q, const char *name)
{
	return index_find(&q->topic_ix, q, topic_name_of, name);
}

static uint32_t member_find(const struct question *q, const char *id)
{
	return index_find(&q->member_ix, q, member_id_of, id);
}

/* Kafka's Topic.validate: 1..249 characters of [a-zA-Z0-9._-], not "." or "..". */
static bool topic_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > LIMIT_NAME_BYTES || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* Adds a topic; returns its index, or ASSIGN_NONE when out of memory or over the limit. */
static uint32_t topic_add(struct question *q, const char *name, uint32_t partitions)
{
	if (q->nt >= ASSIGN_MAX_TOPICS)
		return ASSIGN_NONE;
	if (!index_reserve(&q->topic_ix, q, topic_name_of, q->nt + 1))
		return ASSIGN_NONE;
	if (q->nt == q->cap_t) {
		uint32_t cap = q->cap_t ? q->cap_t * 2 : 8;
		char **tn = realloc(q->tname, sizeof(*tn) * cap);
		if (tn != NULL)
			q->tname = tn;
		uint32_t *tp = realloc(q->tparts, sizeof(*tp) * cap);
		if (tp != NULL)
			q->tparts = tp;
		uint32_t *tm = realloc(q->tmark, sizeof(*tm) * cap);
		if (tm != NULL)
			q->tmark = tm;
		if (tn == NULL || tp == NULL || tm == NULL)
			return ASSIGN_NONE;
		q->cap_t = cap;
	}
	q->tname[q->nt] = strdup(name);
	if (q->tname[q->nt] == NULL)
		return ASSIGN_NONE;
	q->tparts[q->nt] = partitions;
	q->tmark[q->nt] = 0;
	q->total_partitions += partitions;
	*index_slot(&q->topic_ix, q, topic_name_of, name) = q->nt + 1;
	return q->nt++;
}

/* The topic's index, adding the name as a topic without metadata when new. */
static uint32_t topic_ref(struct question *q, const char *name)
{
	uint32_t t = topic_find(q, name);
	return t != ASSIGN_NONE ? t : topic_add(q, name, 0);
}

/* ---- members ---- */

static struct qmember *member_add(struct question *q, const char *id)
{
	if (q->nm == q->cap_m) {
		uint32_t cap = q->cap_m ? q->cap_m * 2 : 8;
		struct qmember *m = realloc(q->m, sizeof(*m) * cap);
		if (m == NULL)
			return NULL;
		q->m = m;
		q->cap_m = cap;
	}
	if (!index_reserve(&q->member_ix, q, member_id_of, q->nm + 1))
		return NULL;
	struct qmember *m = &q->m[q->nm];
	*m = (struct qmember){.generation = ASSIGN_NO_GENERATION, .all_topics = true};
	m->id = strdup(id);
	if (m->id == NULL)
		return NULL;
	*index_slot(&q->member_ix, q, member_id_of, id) = ++q->nm;
	m->seq = q->nm;
	return m;
}

static bool member_subscribe(struct question *q, struct qmember *m, uint32_t t)
{
	m->all_topics = false;
	q->tmark[t] = m->seq;
	if (m->n_topics == m->cap_topics) {
		uint32_t cap = m->cap_topics ? m->cap_topics * 2 : 4;
		uint32_t *v = realloc(m->topics, sizeof(*v) * cap);
		if (v == NULL)
			return false;
		m->topics = v;
		m->cap_topics = cap;
	}
	m->topics[m->n_topics++] = t;
	return true;
}

static bool member_owns(struct qmember *m, uint32_t t, uint32_t p)
{
	if (m->n_owned == m->cap_owned) {
		uint32_t cap = m->cap_owned ? m->cap_owned * 2 : 4;
		struct assign_tp *v = realloc(m->owned, sizeof(*v) * cap);
		if (v == NULL)
			return false;
		m->owned = v;
		m->cap_owned = cap;
	}
	m->owned[m->n_owned++] = (struct assign_tp){t, p};
	return true;
}

static bool member_subscribes(const struct question *q, const struct qmember *m, uint32_t t)
{
	return q->tmark[t] == m->seq;
}

static void question_free(struct question *q)
{
	for (uint32_t t = 0; t < q->nt; t++)
		free(q->tname[t]);
	for (uint32_t i = 0; i < q->nm; i++) {
		free(q->m[i].id);
		free(q->m[i].instance);
		free(q->m[i].topics);
		free(q->m[i].owned);
	}
	free(q->tname);
	free(q->tparts);
	free(q->tmark);
	free(q->tbase);
	free(q->pmark);
	free(q->topic_ix.slot);
	free(q->member_ix.slot);
	free(q->m);
}

/* Members without a topic list subscribe to every topic given. */
static bool expand_all_topics(struct question *q, uint32_t n_given)
{
	for (uint32_t i = 0; i < q->nm; i++) {
		struct qmember *m = &q->m[i];
		if (!m->all_topics)
			continue;
		for (uint32_t t = 0; t < n_given; t++)
			if (!member_subscribe(q, m, t))
				return false;
	}
	return true;
}

/* ---- the command-line question ---- */

static bool parse_count(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	if (*s == 0)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > max)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* "T:P,T:P": splits at the last ':' of each item. */
static int cli_topic(const struct cli *cli, struct question *q, char *item)
{
	char *colon = strrchr(item, ':');
	uint32_t parts;
	if (colon == NULL)
		return bad(cli, "--topics: '%s' is not TOPIC:PARTITIONS", item);
	*colon = 0;
	if (!topic_name_ok(item))
		return bad(cli, "--topics: '%s' is not a legal topic name"
			   " (1-249 of [a-zA-Z0-9._-])", item);
	if (topic_find(q, item) != ASSIGN_NONE)
		return bad(cli, "--topics: topic '%s' is given twice", item);
	if (!parse_count(colon + 1, LIMIT_PARTITIONS_TOTAL, &parts) || parts == 0)
		return bad(cli, "--topics: '%s' partitions must be an integer in [1, %d]", item,
			   LIMIT_PARTITIONS_TOTAL);
	if (q->total_partitions + parts > LIMIT_PARTITIONS_TOTAL)
		return bad(cli, "--topics: more than %d partitions in all", LIMIT_PARTITIONS_TOTAL);
	if (topic_add(q, item, parts) == ASSIGN_NONE)
		return bad(cli, "--topics: too many topics or out of memory");
	return EXIT_OK;
}

static int cli_member_topics(const struct cli *cli, struct question *q, struct qmember *m,
			     char *list)
{
	for (char *save = NULL, *t = strtok_r(list, "+", &save); t;
	     t = strtok_r(NULL, "+", &save)) {
		if (!topic_name_ok(t))
			return bad(cli, "--members: '%s' is not a legal topic name", t);
		uint32_t ti = topic_ref(q, t);
		if (ti == ASSIGN_NONE)
			return bad(cli, "--members: too many topics or out of memory");
		if (member_subscribes(q, m, ti))
			return bad(cli, "--members: member '%s' names topic '%s' twice", m->id, t);
		if (!member_subscribe(q, m, ti))
			return bad(cli, "out of memory");
	}
	if (m->all_topics)
		return bad(cli, "--members: member '%s' has ':' but no topics", m->id);
	return EXIT_OK;
}

/* "M1:T1+T2" or "M1". */
static int cli_member(const struct cli *cli, struct question *q, char *item)
{
	char *colon = strchr(item, ':');
	if (colon != NULL)
		*colon = 0;
	if (*item == 0)
		return bad(cli, "--members: a member id is empty");
	if (member_find(q, item) != ASSIGN_NONE)
		return bad(cli, "--members: member '%s' is given twice", item);
	if (q->nm >= ASSIGN_MAX_MEMBERS)
		return bad(cli, "--members: more than %d members", ASSIGN_MAX_MEMBERS);
	struct qmember *m = member_add(q, item);
	if (m == NULL)
		return bad(cli, "out of memory");
	return colon ? cli_member_topics(cli, q, m, colon + 1) : EXIT_OK;
}

/* Splits a copy of list at ',' and feeds each item to fn. */
static int each_item(const struct cli *cli, struct question *q, const char *opt,
		     const char *list, int (*fn)(const struct cli *, struct question *, char *))
{
	char *copy = strdup(list);
	if (copy == NULL)
		return bad(cli, "out of memory");
	int rc = *copy ? EXIT_OK : bad(cli, "%s needs at least one item", opt);
	for (char *save = NULL, *it = strtok_r(copy, ",", &save); it && rc == EXIT_OK;
	     it = strtok_r(NULL, ",", &save))
		rc = fn(cli, q, it);
	free(copy);
	return rc;
}

/* ---- the JSON question ---- */

static int json_generation(const struct cli *cli, const struct jin_value *v, int32_t *out)
{
	if (v->type == JIN_NULL)
		return EXIT_OK;
	if (v->type != JIN_NUMBER || !v->integral || !v->in_range || v->integer < -1 ||
	    v->integer > INT32_MAX)
		return bad_at(cli, v, "\"generation\" must be an integer in [-1, %d] or null",
			      INT32_MAX);
	*out = (int32_t)v->integer;
	return EXIT_OK;
}

static int json_member_topics(const struct cli *cli, struct question *q, struct qmember *m,
			      const struct jin_value *v)
{
	if (v->type != JIN_ARRAY)
		return bad_at(cli, v, "\"topics\" must be an array of topic names");
	m->all_topics = false;
	for (uint32_t i = 0; i < v->n; i++) {
		const struct jin_value *t = &v->items[i];
		if (t->type != JIN_STRING || !topic_name_ok(t->str))
			return bad_at(cli, t, "a topic name must be a string of 1-249 characters"
				      " [a-zA-Z0-9._-]");
		uint32_t ti = topic_ref(q, t->str);
		if (ti == ASSIGN_NONE)
			return bad_at(cli, t, "too many topics, or out of memory");
		if (member_subscribes(q, m, ti))
			return bad_at(cli, t, "topic \"%s\" is listed twice", t->str);
		if (!member_subscribe(q, m, ti))
			return bad(cli, "out of memory");
	}
	return EXIT_OK;
}

static int json_owned_one(const struct cli *cli, struct question *q, struct qmember *m,
			  const struct jin_value *v)
{
	if (v->type != JIN_ARRAY || v->n != 2 || v->items[0].type != JIN_STRING)
		return bad_at(cli, v, "an owned partition is [\"topic\", partition]");
	const struct jin_value *name = &v->items[0], *p = &v->items[1];
	if (!topic_name_ok(name->str))
		return bad_at(cli, name, "\"%s\" is not a legal topic name", name->str);
	if (p->type != JIN_NUMBER || !p->integral || !p->in_range || p->integer < 0 ||
	    p->integer >= LIMIT_PARTITIONS_TOTAL)
		return bad_at(cli, p, "a partition must be an integer in [0, %d)",
			      LIMIT_PARTITIONS_TOTAL);
	uint32_t t = topic_ref(q, name->str), part = (uint32_t)p->integer;
	if (t == ASSIGN_NONE)
		return bad_at(cli, name, "too many topics, or out of memory");
	if (q->tparts[t] > 0 && part >= q->tparts[t])
		return bad_at(cli, p, "topic \"%s\" has %" PRIu32 " partitions", name->str,
			      q->tparts[t]);
	if (q->tparts[t] > 0) {
		uint32_t *mark = &q->pmark[q->tbase[t] + part];
		if (*mark == m->seq)
			return bad_at(cli, v, "partition %s-%" PRIu32 " is listed twice",
				      name->str, part);
		*mark = m->seq;
	}
	return member_owns(m, t, part) ? EXIT_OK : bad(cli, "out of memory");
}

static int json_owned(const struct cli *cli, struct question *q, struct qmember *m,
		      const struct jin_value *v)
{
	if (v->type != JIN_ARRAY)
		return bad_at(cli, v, "\"owned_partitions\" must be an array");
	int rc = EXIT_OK;
	for (uint32_t i = 0; i < v->n && rc == EXIT_OK; i++)
		rc = json_owned_one(cli, q, m, &v->items[i]);
	return rc;
}

static int json_member_field(const struct cli *cli, struct question *q, struct qmember *m,
			     const struct jin_member *f)
{
	const struct jin_value *v = &f->value;
	if (strcmp(f->key, "member_id") == 0)
		return EXIT_OK;
	if (strcmp(f->key, "topics") == 0)
		return json_member_topics(cli, q, m, v);
	if (strcmp(f->key, "owned_partitions") == 0)
		return json_owned(cli, q, m, v);
	if (strcmp(f->key, "generation") == 0)
		return json_generation(cli, v, &m->generation);
	if (strcmp(f->key, "group_instance_id") == 0) {
		if (v->type == JIN_NULL)
			return EXIT_OK;
		if (v->type != JIN_STRING || v->len == 0)
			return bad_at(cli, v, "\"group_instance_id\" must be a non-empty string"
				      " or null");
		m->instance = strdup(v->str);
		return m->instance ? EXIT_OK : bad(cli, "out of memory");
	}
	struct jin_value at = {.line = f->line, .col = f->col};
	return bad_at(cli, &at, "unknown member key \"%s\" (member_id, topics,"
		      " owned_partitions, generation, group_instance_id)", f->key);
}

static int json_member(const struct cli *cli, struct question *q, const struct jin_value *v)
{
	if (v->type != JIN_OBJECT)
		return bad_at(cli, v, "a member must be an object");
	const struct jin_value *id = jin_get(v, "member_id");
	if (id == NULL || id->type != JIN_STRING || id->len == 0)
		return bad_at(cli, id ? id : v, "a member needs \"member_id\", a non-empty string");
	if (member_find(q, id->str) != ASSIGN_NONE)
		return bad_at(cli, id, "member \"%s\" is given twice", id->str);
	const struct jin_value *inst = jin_get(v, "group_instance_id");
	for (uint32_t i = 0; inst && inst->type == JIN_STRING && i < q->nm; i++)
		if (q->m[i].instance && strcmp(q->m[i].instance, inst->str) == 0)
			return bad_at(cli, inst, "group_instance_id \"%s\" is used twice",
				      inst->str);
	if (q->nm >= ASSIGN_MAX_MEMBERS)
		return bad_at(cli, v, "more than %d members", ASSIGN_MAX_MEMBERS);
	struct qmember *m = member_add(q, id->str);
	if (m == NULL)
		return bad(cli, "out of memory");
	int rc = EXIT_OK;
	for (uint32_t i = 0; i < v->n && rc == EXIT_OK; i++)
		rc = json_member_field(cli, q, m, &v->members[i]);
	return rc;
}

static int json_topics(const struct cli *cli, struct question *q, const struct jin_value *v)
{
	if (v->type != JIN_OBJECT)
		return bad_at(cli, v, "\"topics\" must be an object {\"name\": partitions}");
	for (uint32_t i = 0; i < v->n; i++) {
		const struct jin_member *f = &v->members[i];
		const struct jin_value *p = &f->value;
		struct jin_value at = {.line = f->line, .col = f->col};
		if (!topic_name_ok(f->key))
			return bad_at(cli, &at, "\"%s\" is not a legal topic name"
				      " (1-249 of [a-zA-Z0-9._-])", f->key);
		if (p->type != JIN_NUMBER || !p->integral || !p->in_range || p->integer < 1 ||
		    p->integer > LIMIT_PARTITIONS_TOTAL)
			return bad_at(cli, p, "partitions must be an integer in [1, %d]",
				      LIMIT_PARTITIONS_TOTAL);
		if (q->total_partitions + (uint64_t)p->integer > LIMIT_PARTITIONS_TOTAL)
			return bad_at(cli, p, "more than %d partitions in all",
				      LIMIT_PARTITIONS_TOTAL);
		if (topic_add(q, f->key, (uint32_t)p->integer) == ASSIGN_NONE)
			return bad_at(cli, &at, "too many topics, or out of memory");
	}
	q->tbase = calloc(q->nt ? q->nt : 1, sizeof(uint32_t));
	q->pmark = calloc(q->total_partitions ? q->total_partitions : 1, sizeof(uint32_t));
	if (q->tbase == NULL || q->pmark == NULL)
		return bad(cli, "out of memory");
	for (uint32_t t = 1; t < q->nt; t++)
		q->tbase[t] = q->tbase[t - 1] + q->tparts[t - 1];
	return EXIT_OK;
}

static int json_strategy(const struct cli *cli, struct question *q, const struct jin_value *v)
{
	if (v->type != JIN_STRING)
		return bad_at(cli, v, "\"assignor\" must be a string");
	enum assign_strategy s;
	if (!assign_strategy_parse(v->str, &s))
		return bad_at(cli, v, "unknown assignor \"%s\" (range, roundrobin, sticky,"
			      " cooperative-sticky)", v->str);
	if (!q->has_strategy) {
		q->strategy = s;
		q->has_strategy = true;
	}
	return EXIT_OK;
}

static int json_question(const struct cli *cli, struct question *q, const struct jin_value *root)
{
	if (root->type != JIN_OBJECT)
		return bad_at(cli, root, "the question must be an object with \"assignor\","
			      " \"topics\" and \"members\"");
	for (uint32_t i = 0; i < root->n; i++) {
		const char *k = root->members[i].key;
		if (strcmp(k, "assignor") && strcmp(k, "topics") && strcmp(k, "members")) {
			struct jin_value at = {.line = root->members[i].line,
						.col = root->members[i].col};
			return bad_at(cli, &at, "unknown key \"%s\" (assignor, topics,"
				      " members)", k);
		}
	}
	const struct jin_value *a = jin_get(root, "assignor");
	const struct jin_value *t = jin_get(root, "topics");
	const struct jin_value *m = jin_get(root, "members");
	if (t == NULL || m == NULL)
		return bad_at(cli, root, "the question needs \"topics\" and \"members\"");
	int rc = a ? json_strategy(cli, q, a) : EXIT_OK;
	if (rc == EXIT_OK && !q->has_strategy)
		return bad_at(cli, root, "the question needs \"assignor\" (or --strategy)");
	if (rc == EXIT_OK)
		rc = json_topics(cli, q, t);
	if (rc == EXIT_OK && m->type != JIN_ARRAY)
		return bad_at(cli, m, "\"members\" must be an array");
	uint32_t n_given = q->nt;
	for (uint32_t i = 0; rc == EXIT_OK && i < m->n; i++)
		rc = json_member(cli, q, &m->items[i]);
	if (rc == EXIT_OK && !expand_all_topics(q, n_given))
		rc = bad(cli, "out of memory");
	return rc;
}

static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	while (buf != NULL) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap || n > LIMIT_FILE_BYTES)
			break;
		char *nb = realloc(buf, cap * 2);
		if (nb == NULL)
			free(buf);
		buf = nb;
		cap *= 2;
	}
	*len = n;
	return buf;
}

static int load_json(struct cli *cli, struct question *q, const char *path)
{
	bool is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	cli->file = is_stdin ? "<stdin>" : path;
	if (f == NULL)
		return bad(cli, "cannot open '%s'", path);
	size_t len;
	char *text = read_all(f, &len);
	bool io_error = ferror(f) != 0;
	if (!is_stdin)
		fclose(f);
	if (text == NULL || io_error) {
		free(text);
		return bad(cli, "cannot read '%s'", path);
	}
	if (len > LIMIT_FILE_BYTES) {
		free(text);
		return bad(cli, "'%s' is larger than %u bytes", path, LIMIT_FILE_BYTES);
	}
	struct jin_value root;
	struct jin_error jerr;
	int rc = EXIT_OK;
	if (!jin_parse(text, len, &root, &jerr)) {
		fprintf(cli->err, "%s:%" PRIu32 ":%" PRIu32 ": %s\n", cli->file, jerr.line,
			jerr.col, jerr.msg);
		rc = EXIT_BAD_INPUT;
	} else {
		rc = json_question(cli, q, &root);
		jin_free(&root);
	}
	free(text);
	return rc;
}

/* ---- the answer ---- */

static int id_cmp(const void *pa, const void *pb)
{
	const struct qmember *a = *(const struct qmember *const *)pa;
	const struct qmember *b = *(const struct qmember *const *)pb;
	return assign_java_compare(a->id, b->id);
}

static void print_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void print_member(const struct cli *cli, const struct question *q,
			 const struct assign_result *r, uint32_t m, bool json)
{
	uint32_t n;
	const struct assign_tp *tp = assign_member_tps(r, m, &n);
	if (json) {
		print_json_string(cli->out, q->m[m].id);
		fputs(": [", cli->out);
	} else {
		fprintf(cli->out, "%s:", q->m[m].id);
	}
	for (uint32_t i = 0; i < n; i++) {
		if (json) {
			fputs(i ? ", [" : "[", cli->out);
			print_json_string(cli->out, q->tname[tp[i].topic]);
			fprintf(cli->out, ", %" PRIu32 "]", tp[i].partition);
		} else {
			fprintf(cli->out, " %s-%" PRIu32, q->tname[tp[i].topic], tp[i].partition);
		}
	}
	fputs(json ? "]" : "\n", cli->out);
}

static int print_answer(const struct cli *cli, const struct question *q,
			const struct assign_result *r, bool json)
{
	const struct qmember **order = malloc(sizeof(*order) * (q->nm ? q->nm : 1));
	if (order == NULL)
		return bad(cli, "out of memory");
	for (uint32_t i = 0; i < q->nm; i++)
		order[i] = &q->m[i];
	qsort(order, q->nm, sizeof(*order), id_cmp);
	if (json)
		fputc('{', cli->out);
	for (uint32_t i = 0; i < q->nm; i++) {
		if (json && i > 0)
			fputs(", ", cli->out);
		print_member(cli, q, r, (uint32_t)(order[i] - q->m), json);
	}
	if (json)
		fputs("}\n", cli->out);
	free(order);
	return EXIT_OK;
}

static int run_question(const struct cli *cli, const struct question *q, bool json)
{
	struct assign_topic *topics = calloc(q->nt ? q->nt : 1, sizeof(*topics));
	struct assign_member *members = calloc(q->nm ? q->nm : 1, sizeof(*members));
	if (topics == NULL || members == NULL) {
		free(topics);
		free(members);
		return bad(cli, "out of memory");
	}
	for (uint32_t t = 0; t < q->nt; t++)
		topics[t] = (struct assign_topic){q->tname[t], q->tparts[t]};
	for (uint32_t i = 0; i < q->nm; i++) {
		const struct qmember *m = &q->m[i];
		members[i] = (struct assign_member){m->id, m->instance, m->topics, m->n_topics,
						    m->owned, m->n_owned, m->generation};
	}
	struct assign_input in = {q->strategy, topics, q->nt, members, q->nm};
	struct assign_result r;
	enum assign_err e = assign_run(&in, &r);
	int rc;
	if (e == ASSIGN_OK)
		rc = print_answer(cli, q, &r, json);
	else if (r.err_member != ASSIGN_NONE)
		rc = bad(cli, "member '%s': %s", q->m[r.err_member].id, assign_err_text(e));
	else
		rc = bad(cli, "%s", assign_err_text(e));
	assign_result_free(&r);
	free(members);
	free(topics);
	return rc;
}

/* ---- arguments ---- */

struct args {
	const char *strategy, *topics, *members, *input;
	bool        json;
};

/* "--opt VALUE" or "--opt=VALUE" for the four options that take one. */
static int take_value(const struct cli *cli, int argc, char **argv, int *i, struct args *a)
{
	static const char *const names[] = {"--strategy", "--topics", "--members", "--input"};
	const char **slots[] = {&a->strategy, &a->topics, &a->members, &a->input};
	const char *arg = argv[*i];
	for (size_t k = 0; k < 4; k++) {
		size_t n = strlen(names[k]);
		if (strncmp(arg, names[k], n) != 0 || (arg[n] != 0 && arg[n] != '='))
			continue;
		if (*slots[k] != NULL)
			return usage(cli, "option given twice:", names[k]);
		if (arg[n] == '=')
			*slots[k] = arg + n + 1;
		else if (*i + 1 < argc)
			*slots[k] = argv[++*i];
		else
			return usage(cli, "option needs a value:", names[k]);
		return EXIT_OK;
	}
	return usage(cli, arg[0] == '-' ? "unknown option" : "unexpected argument", arg);
}

static int parse_args(const struct cli *cli, int argc, char **argv, struct args *a)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			a->json = true;
			continue;
		}
		int rc = take_value(cli, argc, argv, &i, a);
		if (rc != EXIT_OK)
			return rc;
	}
	if (a->input != NULL && (a->topics != NULL || a->members != NULL))
		return usage(cli, "--input replaces --topics and --members", NULL);
	if (a->input == NULL && (a->strategy == NULL || a->topics == NULL || a->members == NULL))
		return usage(cli, "needs --strategy, --topics and --members, or --input", NULL);
	return EXIT_OK;
}

static int build_question(struct cli *cli, const struct args *a, struct question *q)
{
	if (a->strategy != NULL) {
		if (!assign_strategy_parse(a->strategy, &q->strategy))
			return usage(cli, "unknown strategy", a->strategy);
		q->has_strategy = true;
	}
	if (a->input != NULL)
		return load_json(cli, q, a->input);
	int rc = each_item(cli, q, "--topics", a->topics, cli_topic);
	uint32_t n_given = q->nt;
	if (rc == EXIT_OK)
		rc = each_item(cli, q, "--members", a->members, cli_member);
	if (rc == EXIT_OK && !expand_all_topics(q, n_given))
		rc = bad(cli, "out of memory");
	return rc;
}

int assign_cli_run(int argc, char **argv, FILE *out, FILE *err)
{
	struct cli cli = {out, err, "-"};
	struct args a = {0};
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage_line, out);
			return EXIT_OK;
		}
	int rc = parse_args(&cli, argc, argv, &a);
	if (rc != EXIT_OK)
		return rc;
	struct question q = {0};
	rc = build_question(&cli, &a, &q);
	if (rc == EXIT_OK)
		rc = run_question(&cli, &q, a.json);
	question_free(&q);
	return rc;
}

int assign_cli_main(int argc, char **argv)
{
	return assign_cli_run(argc, argv, stdout, stderr);
}
