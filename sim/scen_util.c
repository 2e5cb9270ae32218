/*
 * scen_util.c — the loader's plumbing: the arena that owns a scenario, name indexes, error
 * collection in file order, misspelling suggestions, and typed getters that turn a YAML node
 * into a value or a FILE:LINE:COL error.
 */
#include <assert.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scen_internal.h"
#include "sim/units.h"

/* --- arena ------------------------------------------------------------------------------ */

#define ARENA_CHUNK   (64 * 1024)
#define ARENA_ALIGN   16

struct chunk {
	struct chunk *next;
	size_t        cap;
	size_t        used;
	alignas(ARENA_ALIGN) unsigned char data[];
};

struct scen_arena {
	struct chunk *head;
};

struct scen_arena *scen_arena_new(void)
{
	return calloc(1, sizeof(struct scen_arena));
}

void scen_arena_free(struct scen_arena *a)
{
	if (a == NULL)
		return;
	struct chunk *c = a->head;
	while (c != NULL) {
		struct chunk *next = c->next;
		free(c);
		c = next;
	}
	free(a);
}

static struct chunk *chunk_new(size_t cap)
{
	if (cap > SIZE_MAX - sizeof(struct chunk))
		return NULL;
	struct chunk *c = malloc(sizeof(struct chunk) + cap);
	if (c == NULL)
		return NULL;
	c->next = NULL;
	c->cap = cap;
	c->used = 0;
	return c;
}

static void *arena_alloc(struct scen_arena *a, size_t size)
{
	assert(a != NULL);
	size = size == 0 ? ARENA_ALIGN : size;
	if (size > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	struct chunk *c = a->head;
	if (c == NULL || c->cap - c->used < size) {
		if (size > ARENA_CHUNK / 4) {
			/* Big blocks get a chunk of their own behind the current one. */
			struct chunk *big = chunk_new(size);
			if (big == NULL)
				return NULL;
			big->used = size;
			if (c == NULL) {
				a->head = big;
			} else {
				big->next = c->next;
				c->next = big;
			}
			memset(big->data, 0, size);
			return big->data;
		}
		c = chunk_new(ARENA_CHUNK);
		if (c == NULL)
			return NULL;
		c->next = a->head;
		a->head = c;
	}
	void *p = c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

void *scen_arena_array(struct scen_arena *a, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	return arena_alloc(a, n * size);
}

char *scen_arena_strndup(struct scen_arena *a, const char *s, size_t len)
{
	if (len == SIZE_MAX)
		return NULL;
	char *p = arena_alloc(a, len + 1);
	if (p == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* --- name index ------------------------------------------------------------------------- */

struct name_slot {
	const char *s;
	uint32_t    len;
	uint32_t    hash;
	uint32_t    val;
	bool        used;
};

static uint32_t fnv1a(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static struct name_slot *names_slot(const struct scen_names *t, const char *s, size_t len,
				    uint32_t h)
{
	assert(t->cap > 0);
	uint32_t mask = t->cap - 1;
	for (uint32_t i = h & mask;; i = (i + 1) & mask) {
		struct name_slot *e = &t->slots[i];
		if (!e->used)
			return e;
		if (e->hash == h && e->len == len && memcmp(e->s, s, len) == 0)
			return e;
	}
}

static bool names_grow(struct scen_ld *ld, struct scen_names *t)
{
	uint32_t cap = t->cap == 0 ? 64 : t->cap * 2;
	if (cap == 0 || cap > (UINT32_C(1) << 30))
		return scen_oom(ld);
	struct scen_names bigger = {cap, 0, scen_arena_array(ld->tmp, cap, sizeof(struct name_slot))};
	if (bigger.slots == NULL)
		return scen_oom(ld);
	for (uint32_t i = 0; i < t->cap; i++) {
		const struct name_slot *e = &t->slots[i];
		if (e->used) {
			*names_slot(&bigger, e->s, e->len, e->hash) = *e;
			bigger.count++;
		}
	}
	*t = bigger;
	return true;
}

bool scen_names_put(struct scen_ld *ld, struct scen_names *t, const char *s, size_t len,
		    uint32_t val, uint32_t *old)
{
	if (len > UINT32_MAX)
		return false;
	if ((t->count + 1) * 2 > t->cap && !names_grow(ld, t))
		return false;
	uint32_t h = fnv1a(s, len);
	struct name_slot *e = names_slot(t, s, len, h);
	if (e->used) {
		*old = e->val;
		return false;
	}
	*e = (struct name_slot){s, (uint32_t)len, h, val, true};
	t->count++;
	return true;
}

int64_t scen_names_get(const struct scen_names *t, const char *s, size_t len)
{
	if (t->cap == 0 || len > UINT32_MAX)
		return -1;
	const struct name_slot *e = names_slot(t, s, len, fnv1a(s, len));
	return e->used ? (int64_t)e->val : -1;
}

/* --- errors ----------------------------------------------------------------------------- */

struct scen_pos scen_pos_of(const struct ynode *n)
{
	struct scen_pos p = {0, 0};
	if (n != NULL) {
		p.line = n->line;
		p.col = n->col;
	}
	return p;
}

bool scen_pos_before(struct scen_pos a, struct scen_pos b)
{
	return a.line < b.line || (a.line == b.line && a.col < b.col);
}

/* Index where an error at pos goes: after every kept error at or before pos. */
static uint32_t err_slot(const struct scen_errors *e, struct scen_pos pos)
{
	uint32_t i = e->count;
	while (i > 0 && scen_pos_before(pos, e->items[i - 1].pos))
		i--;
	return i;
}

bool scen_err_wanted(const struct scen_ld *ld, struct scen_pos pos)
{
	return err_slot(ld->errs, pos) < SCEN_ERRORS_MAX;
}

uint32_t scen_err_count(const struct scen_ld *ld)
{
	return ld->errs->count + ld->errs->dropped;
}

static void err_add(struct scen_ld *ld, struct scen_pos pos, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void err_add(struct scen_ld *ld, struct scen_pos pos, const char *fmt, va_list ap)
{
	struct scen_errors *e = ld->errs;
	uint32_t i = err_slot(e, pos);
	if (i >= SCEN_ERRORS_MAX) {
		e->dropped++;
		return;
	}
	if (e->count == SCEN_ERRORS_MAX) {
		e->count--;
		e->dropped++;
	}
	memmove(&e->items[i + 1], &e->items[i], (e->count - i) * sizeof(e->items[0]));
	e->items[i].pos = pos;
	vsnprintf(e->items[i].msg, sizeof(e->items[i].msg), fmt, ap);
	e->count++;
}

void scen_err(struct scen_ld *ld, struct scen_pos pos, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_add(ld, pos, fmt, ap);
	va_end(ap);
}

void scen_errn(struct scen_ld *ld, const struct ynode *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_add(ld, scen_pos_of(n), fmt, ap);
	va_end(ap);
}

bool scen_oom(struct scen_ld *ld)
{
	if (!ld->oom)
		scen_err(ld, (struct scen_pos){0, 0}, "out of memory while loading the scenario");
	ld->oom = true;
	return false;
}

void scen_quote(char *dst, size_t cap, const struct ynode *n)
{
	assert(cap >= 8);
	if (n == NULL)
		snprintf(dst, cap, "(nothing)");
	else if (n->kind == YN_MAP)
		snprintf(dst, cap, "{...}");
	else if (n->kind == YN_SEQ)
		snprintf(dst, cap, "[...]");
	else
		cfg_quote_text(dst, cap, n->text, n->len);
}

/* --- suggestions ------------------------------------------------------------------------ */

#define SUGGEST_MAX_LEN 64

void scen_suggest_init(struct suggest *sg, const char *text, size_t len)
{
	sg->text = text;
	sg->len = len;
	sg->best = NULL;
	sg->dist = 3;
}

static unsigned min3(unsigned a, unsigned b, unsigned c)
{
	unsigned m = a < b ? a : b;
	return m < c ? m : c;
}

/* Optimal string alignment distance (Damerau-Levenshtein without repeated edits). */
static unsigned osa_distance(const char *a, size_t la, const char *b, size_t lb)
{
	unsigned d[SUGGEST_MAX_LEN + 1][SUGGEST_MAX_LEN + 1];
	assert(la <= SUGGEST_MAX_LEN && lb <= SUGGEST_MAX_LEN);
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] == b[j - 1] ? 0 : 1;
			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	}
	return d[la][lb];
}

void scen_suggest_add(struct suggest *sg, const char *cand)
{
	size_t lc = strlen(cand);
	if (sg->len > SUGGEST_MAX_LEN || lc > SUGGEST_MAX_LEN)
		return;
	size_t diff = lc > sg->len ? lc - sg->len : sg->len - lc;
	if (diff >= sg->dist)
		return;
	unsigned d = osa_distance(sg->text, sg->len, cand, lc);
	if (d < sg->dist && d < sg->len && d < lc) {
		sg->best = cand;
		sg->dist = d;
	}
}

/* --- YAML node helpers ------------------------------------------------------------------ */

bool ynode_is_null(const struct ynode *n)
{
	if (n == NULL)
		return true;
	if (n->kind != YN_SCALAR || n->style != YS_PLAIN)
		return false;
	return n->len == 0 || ynode_text_is(n, "~") || ynode_text_is(n, "null") ||
	       ynode_text_is(n, "Null") || ynode_text_is(n, "NULL");
}

bool ynode_text_is(const struct ynode *n, const char *s)
{
	size_t l = strlen(s);
	return n->kind == YN_SCALAR && n->len == l && memcmp(n->text, s, l) == 0;
}

const struct ynode *ymap_get(const struct ynode *m, const char *key)
{
	assert(m->kind == YN_MAP);
	for (uint32_t i = 0; i < m->n; i++)
		if (ynode_text_is(ymap_key(m, i), key))
			return ymap_val(m, i);
	return NULL;
}

/* --- typed getters ---------------------------------------------------------------------- */

static const char *kind_word(enum ynode_kind k)
{
	switch (k) {
	case YN_MAP:    return "a mapping";
	case YN_SEQ:    return "a list";
	case YN_SCALAR: return "a single value";
	}
	return "a value";
}

bool scen_want_kind(struct scen_ld *ld, const struct ynode *n, enum ynode_kind k,
		    const char *what)
{
	if (n->kind == k && !(k == YN_SCALAR && ynode_is_null(n)))
		return true;
	if (ynode_is_null(n))
		scen_errn(ld, n, "%s needs a value (%s)", what, kind_word(k));
	else
		scen_errn(ld, n, "%s must be %s, not %s", what, kind_word(k),
			  kind_word((enum ynode_kind)n->kind));
	return false;
}

bool scen_get_string(struct scen_ld *ld, const struct ynode *n, const char *what, char **out)
{
	if (!scen_want_kind(ld, n, YN_SCALAR, what))
		return false;
	*out = scen_arena_strndup(ld->a, n->text, n->len);
	return *out != NULL || scen_oom(ld);
}

bool scen_get_bool(struct scen_ld *ld, const struct ynode *n, const char *what, bool *out)
{
	if (!scen_want_kind(ld, n, YN_SCALAR, what))
		return false;
	static const char *const yes[] = {"true", "True", "TRUE"};
	static const char *const no[] = {"false", "False", "FALSE"};
	for (int i = 0; i < 3; i++) {
		if (ynode_text_is(n, yes[i]) || ynode_text_is(n, no[i])) {
			*out = ynode_text_is(n, yes[i]);
			return true;
		}
	}
	char q[64];
	scen_quote(q, sizeof(q), n);
	scen_errn(ld, n, "%s: expected true or false, got `%s`", what, q);
	return false;
}

static bool number_error(struct scen_ld *ld, const struct ynode *n, const char *what,
			 const char *expected, enum units_err e)
{
	char q[64];
	scen_quote(q, sizeof(q), n);
	if (e == UNITS_RANGE)
		scen_errn(ld, n, "%s: `%s` is out of range", what, q);
	else if (e == UNITS_NEGATIVE)
		scen_errn(ld, n, "%s: `%s` is negative; it must be >= 0", what, q);
	else
		scen_errn(ld, n, "%s: expected %s, got `%s` (it %s)", what, expected, q,
			  units_strerror(e));
	return false;
}

bool scen_get_u64(struct scen_ld *ld, const struct ynode *n, const char *what, uint64_t min,
		  uint64_t max, uint64_t *out)
{
	if (!scen_want_kind(ld, n, YN_SCALAR, what))
		return false;
	uint64_t v;
	enum units_err e = units_uint64(n->text, n->len, &v);
	if (e != UNITS_OK)
		return number_error(ld, n, what, "a non-negative integer", e);
	if (v < min || v > max) {
		scen_errn(ld, n, "%s must be between %llu and %llu, got %llu", what,
			  (unsigned long long)min, (unsigned long long)max, (unsigned long long)v);
		return false;
	}
	*out = v;
	return true;
}

bool scen_get_i64(struct scen_ld *ld, const struct ynode *n, const char *what, int64_t min,
		  int64_t max, int64_t *out)
{
	if (!scen_want_kind(ld, n, YN_SCALAR, what))
		return false;
	int64_t v;
	enum units_err e = units_int64(n->text, n->len, &v);
	if (e != UNITS_OK)
		return number_error(ld, n, what, "an integer", e);
	if (v < min || v > max) {
		scen_errn(ld, n, "%s must be between %lld and %lld, got %lld", what,
			  (long long)min, (long long)max, (long long)v);
		return false;
	}
	*out = v;
	return true;
}

bool scen_get_time(struct scen_ld *ld, const struct ynode *n, const char *what,
		   bool allow_negative, bool positive, int64_t *out_us)
{
	if (!scen_want_kind(ld, n, YN_SCALAR, what))
		return false;
	int64_t us;
	enum units_err e = units_time_us(n->text, n->len, 1000, allow_negative, &us);
	if (e != UNITS_OK)
		return number_error(ld, n, what,
				    "a time like 250us, 5ms, 1.5s, 2m, 1h or 1d (a bare integer "
				    "is milliseconds)", e);
	if (positive && us <= 0) {
		scen_errn(ld, n, "%s must be greater than 0", what);
		return false;
	}
	*out_us = us;
	return true;
}

bool scen_get_size(struct scen_ld *ld, const struct ynode *n, const char *what, int64_t *out)
{
	if (!scen_want_kind(ld, n, YN_SCALAR, what))
		return false;
	int64_t v;
	enum units_err e = units_size(n->text, n->len, &v);
	if (e == UNITS_OK && v < 0)
		e = UNITS_NEGATIVE;
	if (e != UNITS_OK)
		return number_error(ld, n, what, "a size like 100, 16KiB or 1MiB", e);
	*out = v;
	return true;
}

bool scen_get_rate(struct scen_ld *ld, const struct ynode *n, const char *what,
		   struct scen_rate *out)
{
	if (!scen_want_kind(ld, n, YN_SCALAR, what))
		return false;
	struct units_rate r;
	enum units_err e = units_rate(n->text, n->len, &r);
	if (e == UNITS_ZERO) {
		scen_errn(ld, n, "%s must be greater than 0", what);
		return false;
	}
	if (e != UNITS_OK)
		return number_error(ld, n, what, "a rate like 100, 100/s, 5/ms or 600/m", e);
	out->count = r.count;
	out->per_us = r.per_us;
	return true;
}

bool scen_get_prob(struct scen_ld *ld, const struct ynode *n, const char *what,
		   uint64_t *out)
{
	if (!scen_want_kind(ld, n, YN_SCALAR, what))
		return false;
	enum units_err e = units_probability(n->text, n->len, out);
	if (e != UNITS_OK)
		return number_error(ld, n, what, "a probability from 0 to 1 such as 0.25", e);
	return true;
}
