/*
 * json_in.c — the strict JSON reader of json_in.h: a recursive-descent parser with a depth
 * limit, byte-exact positions, UTF-8 validation of strings and \u escapes decoded to UTF-8
 * (surrogate pairs joined, lone surrogates refused).
 */
#include "sim/json_in.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reader {
	const char        *p, *end;
	uint32_t           line, col;
	uint32_t           depth;
	struct jin_error *err;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static bool fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	r->err->line = r->line;
	r->err->col = r->col;
	vsnprintf(r->err->msg, sizeof(r->err->msg), fmt, ap);
	va_end(ap);
	return false;
}

static int peek(const struct reader *r)
{
	return r->p < r->end ? (unsigned char)*r->p : -1;
}

static void advance(struct reader *r)
{
	assert(r->p < r->end);
	if (*r->p == '\n') {
		r->line++;
		r->col = 1;
	} else {
		r->col++;
	}
	r->p++;
}

static void skip_ws(struct reader *r)
{
	for (int c = peek(r); c == ' ' || c == '\t' || c == '\n' || c == '\r'; c = peek(r))
		advance(r);
}

static bool expect_word(struct reader *r, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
		return fail(r, "expected '%s'", word);
	for (size_t i = 0; i < n; i++)
		advance(r);
	return true;
}

/* A growable byte buffer for decoded strings. */
struct buf {
	char  *s;
	size_t len, cap;
};

static bool buf_put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *ns = realloc(b->s, cap);
		if (ns == NULL)
			return false;
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
	return true;
}

static bool put_utf8(struct buf *b, uint32_t cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp, n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12), u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18), u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f)), u[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
	}
	return buf_put(b, u, n);
}

static bool hex4(struct reader *r, uint32_t *out)
{
	*out = 0;
	for (int i = 0; i < 4; i++) {
		int c = peek(r);
		uint32_t d;
		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return fail(r, "\\u needs four hex digits");
		*out = *out << 4 | d;
		advance(r);
	}
	return true;
}

/* After "\u": one code point, joining a surrogate pair. */
static bool unicode_escape(struct reader *r, struct buf *b)
{
	uint32_t cp, low;
	if (!hex4(r, &cp))
		return false;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail(r, "lone low surrogate in \\u escape");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (peek(r) != '\\' || r->end - r->p < 2 || r->p[1] != 'u')
			return fail(r, "high surrogate without its low surrogate");
		advance(r);
		advance(r);
		if (!hex4(r, &low))
			return false;
		if (low < 0xdc00 || low > 0xdfff)
			return fail(r, "high surrogate without its low surrogate");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
	}
	if (cp == 0)
		return fail(r, "\\u0000 is not supported");
	return put_utf8(b, cp) || fail(r, "out of memory");
}

static bool escape(struct reader *r, struct buf *b)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	advance(r);                                       /* the backslash */
	int c = peek(r);
	const char *at = c > 0 ? strchr(from, c) : NULL;
	if (c == 'u') {
		advance(r);
		return unicode_escape(r, b);
	}
	if (at == NULL)
		return fail(r, "unknown escape");
	advance(r);
	return buf_put(b, &to[at - from], 1) || fail(r, "out of memory");
}

/* Copies one raw UTF-8 sequence, checking it is well-formed. */
static bool raw_utf8(struct reader *r, struct buf *b)
{
	const unsigned char *p = (const unsigned char *)r->p;
	size_t left = (size_t)(r->end - r->p), n;
	uint32_t cp, min;
	if (p[0] < 0x80)
		n = 1, cp = p[0], min = 0;
	else if ((p[0] & 0xe0) == 0xc0)
		n = 2, cp = p[0] & 0x1fu, min = 0x80;
	else if ((p[0] & 0xf0) == 0xe0)
		n = 3, cp = p[0] & 0x0fu, min = 0x800;
	else if ((p[0] & 0xf8) == 0xf0)
		n = 4, cp = p[0] & 0x07u, min = 0x10000;
	else
		return fail(r, "invalid UTF-8");
	for (size_t i = 1; i < n; i++) {
		if (i >= left || (p[i] & 0xc0) != 0x80)
			return fail(r, "invalid UTF-8");
		cp = cp << 6 | (p[i] & 0x3fu);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return fail(r, "invalid UTF-8");
	if (!buf_put(b, r->p, n))
		return fail(r, "out of memory");
	for (size_t i = 0; i < n; i++)
		advance(r);
	return true;
}

static bool parse_string(struct reader *r, char **out, size_t *len)
{
	struct buf b = {0};
	advance(r);                                       /* the opening quote */
	bool ok = buf_put(&b, "", 0) || fail(r, "out of memory");
	for (int c = peek(r); ok; c = peek(r)) {
		if (c < 0) {
			ok = fail(r, "unterminated string");
		} else if (c == '"') {
			advance(r);
			break;
		} else if (c < 0x20) {
			ok = fail(r, "control character in string (escape it)");
		} else if (c == '\\') {
			ok = escape(r, &b);
		} else {
			ok = raw_utf8(r, &b);
		}
	}
	if (!ok) {
		free(b.s);
		return false;
	}
	*out = b.s;
	*len = b.len;
	return true;
}

static void digits(struct reader *r)
{
	while (peek(r) >= '0' && peek(r) <= '9')
		advance(r);
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool parse_number(struct reader *r, struct jin_value *v)
{
	const char *start = r->p;
	v->type = JIN_NUMBER;
	if (peek(r) == '-')
		advance(r);
	if (peek(r) == '0')
		advance(r);
	else if (peek(r) >= '1' && peek(r) <= '9')
		digits(r);
	else
		return fail(r, "invalid number");
	v->integral = true;
	if (peek(r) == '.') {
		advance(r);
		if (peek(r) < '0' || peek(r) > '9')
			return fail(r, "digits expected after '.'");
		digits(r);
		v->integral = false;
	}
	if (peek(r) == 'e' || peek(r) == 'E') {
		advance(r);
		if (peek(r) == '+' || peek(r) == '-')
			advance(r);
		if (peek(r) < '0' || peek(r) > '9')
			return fail(r, "digits expected in exponent");
		digits(r);
		v->integral = false;
	}
	if (!v->integral)
		return true;
	bool neg = *start == '-';
	uint64_t mag = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	v->in_range = true;
	for (const char *p = start + neg; p < r->p; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (mag > (limit - d) / 10) {
			v->in_range = false;
			return true;
		}
		mag = mag * 10 + d;
	}
	v->integer = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	return true;
}

static bool parse_value(struct reader *r, struct jin_value *v);

static bool parse_array(struct reader *r, struct jin_value *v)
{
	v->type = JIN_ARRAY;
	advance(r);
	skip_ws(r);
	if (peek(r) == ']') {
		advance(r);
		return true;
	}
	for (uint32_t cap = 0;;) {
		if (v->n == cap) {
			cap = cap ? cap * 2 : 4;
			struct jin_value *items = realloc(v->items, sizeof(*items) * cap);
			if (items == NULL)
				return fail(r, "out of memory");
			v->items = items;
		}
		v->items[v->n] = (struct jin_value){0};
		if (!parse_value(r, &v->items[v->n++]))
			return false;
		skip_ws(r);
		if (peek(r) == ']') {
			advance(r);
			return true;
		}
		if (peek(r) != ',')
			return fail(r, "expected ',' or ']' in array");
		advance(r);
	}
}

static bool parse_member(struct reader *r, struct jin_member *m)
{
	skip_ws(r);
	if (peek(r) != '"')
		return fail(r, "expected a string key");
	m->line = r->line;
	m->col = r->col;
	size_t len;
	if (!parse_string(r, &m->key, &len))
		return false;
	skip_ws(r);
	if (peek(r) != ':')
		return fail(r, "expected ':' after the key");
	advance(r);
	return parse_value(r, &m->value);
}

static int key_cmp(const void *pa, const void *pb)
{
	const struct jin_member *a = *(const struct jin_member *const *)pa;
	const struct jin_member *b = *(const struct jin_member *const *)pb;
	int c = strcmp(a->key, b->key);
	if (c != 0)
		return c;
	return a < b ? -1 : a > b;      /* document order */
}

/* Refuses an object that repeats a key, pointing at the later one. Sorting keeps this
 * O(n log n) for objects with many keys (a topics map). */
static bool check_repeated_keys(struct reader *r, const struct jin_value *v)
{
	if (v->n < 2)
		return true;
	const struct jin_member **k = malloc(sizeof(*k) * v->n);
	if (k == NULL)
		return fail(r, "out of memory");
	for (uint32_t i = 0; i < v->n; i++)
		k[i] = &v->members[i];
	qsort(k, v->n, sizeof(*k), key_cmp);
	const struct jin_member *dup = NULL;
	for (uint32_t i = 1; i < v->n && dup == NULL; i++)
		if (strcmp(k[i - 1]->key, k[i]->key) == 0)
			dup = k[i];
	free(k);
	if (dup == NULL)
		return true;
	r->line = dup->line;
	r->col = dup->col;
	return fail(r, "repeated key \"%s\"", dup->key);
}

static bool parse_object(struct reader *r, struct jin_value *v)
{
	v->type = JIN_OBJECT;
	advance(r);
	skip_ws(r);
	if (peek(r) == '}') {
		advance(r);
		return true;
	}
	for (uint32_t cap = 0;;) {
		if (v->n == cap) {
			cap = cap ? cap * 2 : 4;
			struct jin_member *ms = realloc(v->members, sizeof(*ms) * cap);
			if (ms == NULL)
				return fail(r, "out of memory");
			v->members = ms;
		}
		v->members[v->n] = (struct jin_member){0};
		if (!parse_member(r, &v->members[v->n++]))
			return false;
		skip_ws(r);
		if (peek(r) == '}') {
			advance(r);
			return check_repeated_keys(r, v);
		}
		if (peek(r) != ',')
			return fail(r, "expected ',' or '}' in object");
		advance(r);
	}
}

static bool parse_value(struct reader *r, struct jin_value *v)
{
	skip_ws(r);
	v->line = r->line;
	v->col = r->col;
	int c = peek(r);
	if (c == '{' || c == '[') {
		if (++r->depth > JIN_MAX_DEPTH)
			return fail(r, "nested deeper than %d", JIN_MAX_DEPTH);
		bool ok = c == '{' ? parse_object(r, v) : parse_array(r, v);
		r->depth--;
		return ok;
	}
	if (c == '"') {
		v->type = JIN_STRING;
		return parse_string(r, &v->str, &v->len);
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return parse_number(r, v);
	if (c == 't' || c == 'f') {
		v->type = JIN_BOOL;
		v->boolean = c == 't';
		return expect_word(r, c == 't' ? "true" : "false");
	}
	if (c == 'n')
		return expect_word(r, "null");
	return fail(r, c < 0 ? "unexpected end of input" : "unexpected character");
}

bool jin_parse(const char *text, size_t len, struct jin_value *root, struct jin_error *err)
{
	assert(text != NULL || len == 0);
	struct reader r = {text, text + len, 1, 1, 0, err};
	*root = (struct jin_value){0};
	bool ok = parse_value(&r, root);
	if (ok) {
		skip_ws(&r);
		if (peek(&r) >= 0)
			ok = fail(&r, "text after the JSON value");
	}
	if (!ok)
		jin_free(root);
	return ok;
}

void jin_free(struct jin_value *v)
{
	for (uint32_t i = 0; v->type == JIN_ARRAY && i < v->n; i++)
		jin_free(&v->items[i]);
	for (uint32_t i = 0; v->type == JIN_OBJECT && i < v->n; i++) {
		free(v->members[i].key);
		jin_free(&v->members[i].value);
	}
	free(v->items);
	free(v->members);
	free(v->str);
	*v = (struct jin_value){0};
}

const struct jin_value *jin_get(const struct jin_value *object, const char *key)
{
	if (object->type != JIN_OBJECT)
		return NULL;
	for (uint32_t i = 0; i < object->n; i++)
		if (strcmp(object->members[i].key, key) == 0)
			return &object->members[i].value;
	return NULL;
}

const char *jin_type_name(enum jin_type t)
{
	switch (t) {
	case JIN_NULL:   return "null";
	case JIN_BOOL:   return "a boolean";
	case JIN_NUMBER: return "a number";
	case JIN_STRING: return "a string";
	case JIN_ARRAY:  return "an array";
	case JIN_OBJECT: return "an object";
	}
	return "?";
}
