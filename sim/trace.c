/*
 * trace.c — JSON Lines trace writer with a running SHA-256.
 *
 * A line is built in the trace's own fixed buffer; a line that would not fit is cut at a
 * field boundary and marked "truncated":true, so the output stays valid JSON. Every byte
 * written is also hashed; with no output file only the hash is kept.
 */
#include "sim/trace.h"

#include <assert.h>
#include <string.h>

void trace_init(struct trace *t, FILE *out)
{
	memset(t, 0, sizeof(*t));
	t->out = out;
	sha256_init(&t->hash);
	t->line.trace = t;
}

void trace_observe(struct trace *t, trace_observer_fn *fn, void *ctx)
{
	t->observer = fn;
	t->observer_ctx = ctx;
}

/* Room kept at the end of the buffer for `,"truncated":true}\n`. */
#define RESERVE 24

static void put(struct trace_line *l, const char *s, size_t n)
{
	if (l->truncated)
		return;
	if (l->len + n > TRACE_LINE_MAX - RESERVE) {
		l->truncated = true;
		return;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += (uint32_t)n;
}

static void put_str(struct trace_line *l, const char *s)
{
	put(l, s, strlen(s));
}

/* Decimal digits of v, written backwards from the end of buf; returns the start. */
static char *u64_digits(uint64_t v, char *end)
{
	char *p = end;
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return p;
}

/* Formats v into buf (at least 24 bytes); returns the length. */
static size_t fmt_i64(int64_t v, bool is_signed, uint64_t uv, char *buf)
{
	char tmp[24];
	char *end = tmp + sizeof(tmp);
	char *p;
	if (is_signed && v < 0) {
		p = u64_digits((uint64_t)0 - (uint64_t)v, end);
		*--p = '-';
	} else {
		p = u64_digits(is_signed ? (uint64_t)v : uv, end);
	}
	size_t n = (size_t)(end - p);
	memcpy(buf, p, n);
	return n;
}

/* Writes a JSON string with the escapes RFC 8259 requires. */
static void put_json_string(struct trace_line *l, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	put(l, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[7];
		/* The common case: a run of characters that need no escape. */
		const unsigned char *q = p;
		while (*q >= 0x20 && *q != '"' && *q != '\\')
			q++;
		if (q > p) {
			put(l, (const char *)p, (size_t)(q - p));
			p = q - 1;
			continue;
		}
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			put(l, esc, 2);
		} else if (*p == '\n' || *p == '\t' || *p == '\r') {
			esc[0] = '\\';
			esc[1] = *p == '\n' ? 'n' : *p == '\t' ? 't' : 'r';
			put(l, esc, 2);
		} else if (*p < 0x20) {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 15];
			put(l, esc, 6);
		} else {
			put(l, (const char *)p, 1);
		}
	}
	put(l, "\"", 1);
}

/* A field is written whole or not at all: on overflow the line is cut before it. */
static void field(struct trace_line *l, const char *key, const char *val, bool quote)
{
	uint32_t mark = l->len;
	/* Keys are the program's own identifiers: no escaping needed. */
	size_t klen = strlen(key);
	char kbuf[64];
	assert(klen + 4 <= sizeof(kbuf));
	kbuf[0] = ',';
	kbuf[1] = '"';
	memcpy(kbuf + 2, key, klen);
	kbuf[klen + 2] = '"';
	kbuf[klen + 3] = ':';
	put(l, kbuf, klen + 4);
	if (quote)
		put_json_string(l, val);
	else
		put_str(l, val);
	if (l->truncated)
		l->len = mark;
}

struct trace_line *trace_begin(struct trace *t, int64_t t_us, const char *node, const char *ev)
{
	assert(!t->open);
	t->open = true;
	struct trace_line *l = &t->line;
	t->line_t_us = t_us;
	t->line_node = node;
	t->line_ev = ev;
	l->len = 0;
	l->truncated = false;
	char num[32];
	memcpy(num, "{\"t\":", 5);
	size_t n = 5 + fmt_i64(t_us, true, 0, num + 5);
	put(l, num, n);
	field(l, "node", node, true);
	field(l, "ev", ev, true);
	return l;
}

void trace_int(struct trace_line *l, const char *key, int64_t v)
{
	char num[24];
	num[fmt_i64(v, true, 0, num)] = '\0';
	field(l, key, num, false);
}

void trace_uint(struct trace_line *l, const char *key, uint64_t v)
{
	char num[24];
	num[fmt_i64(0, false, v, num)] = '\0';
	field(l, key, num, false);
}

void trace_bool(struct trace_line *l, const char *key, bool v)
{
	field(l, key, v ? "true" : "false", false);
}

void trace_str(struct trace_line *l, const char *key, const char *v)
{
	field(l, key, v, true);
}

void trace_raw(struct trace_line *l, const char *key, const char *json)
{
	field(l, key, json, false);
}

void trace_end(struct trace_line *l)
{
	struct trace *t = l->trace;
	assert(t->open);
	if (l->truncated) {
		const char *mark = ",\"truncated\":true";
		memcpy(l->buf + l->len, mark, strlen(mark));
		l->len += (uint32_t)strlen(mark);
	}
	l->buf[l->len++] = '}';
	l->buf[l->len++] = '\n';
	assert(l->len <= TRACE_LINE_MAX);
	sha256_update(&t->hash, l->buf, l->len);
	if (t->out != NULL && fwrite(l->buf, 1, l->len, t->out) != l->len)
		t->io_error = true;
	t->lines++;
	t->open = false;
	if (t->observer != NULL)
		t->observer(t->observer_ctx, t->line_t_us, t->line_node, t->line_ev, l->buf, l->len);
}

void trace_digest_hex(const struct trace *t, char out[65])
{
	uint8_t d[32];
	sha256_final(&t->hash, d);
	sha256_hex(d, out);
}
