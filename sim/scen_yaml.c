/*
 * scen_yaml.c — the only file that talks to libfyaml: it turns the parser's events into the
 * loader's own YAML tree (scen_internal.h).
 *
 * Guards (scenario-format 11.9): one document; nesting at most LIMIT_YAML_DEPTH; an alias
 * shares the anchored subtree instead of copying it, and every use adds that subtree's
 * expanded size to a budget of LIMIT_YAML_NODES, so a billion-laughs file is refused after a
 * few thousand steps of work; an alias may only name an anchor completed before it (no
 * cycles); tags are refused. libfyaml's own diagnostics are collected, never printed, and its
 * first error becomes a FILE:LINE:COL message.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <libfyaml.h>

#include "sim/limits.h"
#include "sim/scen_internal.h"

struct frame {
	struct ynode *node;
	size_t        first_kid;    /* index of its first child on the kid stack */
	const char   *anchor;       /* registered when the collection ends */
	size_t        anchor_len;
};

struct build {
	struct scen_ld   *ld;
	struct ynode    **kids;     /* children of the open collections, innermost last */
	size_t            kids_len;
	size_t            kids_cap;
	struct frame      frames[LIMIT_YAML_DEPTH + 1];
	uint32_t          depth;
	struct scen_names anchors;  /* name -> index in anchor_nodes */
	struct ynode    **anchor_nodes;
	uint32_t          anchor_count;
	uint32_t          anchor_cap;
	uint64_t          expanded; /* nodes added by aliases */
	struct ynode     *root;
	uint32_t          docs;
	struct scen_pos   last;     /* last known position, for marks libfyaml leaves out */
	bool              failed;
};

static void silent(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	(void)diag;
	(void)user;
	(void)buf;
	(void)len;
}

static struct scen_pos event_pos(struct build *b, struct fy_event *ev)
{
	const struct fy_mark *m = fy_event_start_mark(ev);
	if (m == NULL || m->line < 0 || m->column < 0)
		return b->last;
	struct scen_pos p = {(uint32_t)m->line + 1, (uint32_t)m->column + 1};
	/* libfyaml marks a quoted scalar at its first character; point at the quote. */
	if (ev->type == FYET_SCALAR && m->input_pos > 0 && m->input_pos <= b->ld->len &&
	    p.col > 1) {
		char before = b->ld->buf[m->input_pos - 1];
		enum fy_scalar_style st = fy_token_scalar_style(ev->scalar.value);
		if ((st == FYSS_SINGLE_QUOTED && before == '\'') ||
		    (st == FYSS_DOUBLE_QUOTED && before == '"'))
			p.col--;
	}
	/* ... and an alias at its name; point at the `*`. */
	if (ev->type == FYET_ALIAS && m->input_pos > 0 && m->input_pos <= b->ld->len &&
	    p.col > 1 && b->ld->buf[m->input_pos - 1] == '*')
		p.col--;
	b->last = p;
	return p;
}

static void fail_at(struct build *b, struct scen_pos pos, const char *msg)
{
	scen_err(b->ld, pos, "%s", msg);
	b->failed = true;
}

static bool push_kid(struct build *b, struct ynode *n)
{
	if (b->kids_len == b->kids_cap) {
		size_t cap = b->kids_cap == 0 ? 256 : b->kids_cap * 2;
		struct ynode **k = realloc(b->kids, cap * sizeof(*k));
		if (k == NULL)
			return scen_oom(b->ld);
		b->kids = k;
		b->kids_cap = cap;
	}
	b->kids[b->kids_len++] = n;
	return true;
}

/* Hands a finished node to its parent, or makes it the root. */
static bool attach(struct build *b, struct ynode *n)
{
	if (b->depth > 0)
		return push_kid(b, n);
	assert(b->root == NULL);
	b->root = n;
	return true;
}

static bool add_anchor(struct build *b, const char *name, size_t len, struct ynode *n)
{
	if (b->anchor_count == b->anchor_cap) {
		uint32_t cap = b->anchor_cap == 0 ? 16 : b->anchor_cap * 2;
		struct ynode **a = scen_arena_array(b->ld->tmp, cap, sizeof(*a));
		if (a == NULL || cap < b->anchor_cap)
			return scen_oom(b->ld);
		if (b->anchor_count > 0)
			memcpy(a, b->anchor_nodes, b->anchor_count * sizeof(*a));
		b->anchor_nodes = a;
		b->anchor_cap = cap;
	}
	uint32_t old;
	b->anchor_nodes[b->anchor_count] = n;
	if (!scen_names_put(b->ld, &b->anchors, name, len, b->anchor_count, &old)) {
		if (b->ld->oom)
			return false;
		b->anchor_nodes[old] = n;   /* YAML: a redefined anchor names the newer node */
		return true;
	}
	b->anchor_count++;
	return true;
}

static bool token_text(struct build *b, struct fy_token *t, const char **s, size_t *len)
{
	*s = fy_token_get_text(t, len);
	return *s != NULL || scen_oom(b->ld);
}

static bool yaml_space(char c)
{
	return c == ' ' || c == '\t';
}

/* One line of a single-quoted scalar, `''` read as `'`, appended at out[*o]. */
static void sq_line(const char *s, const char *e, char *out, size_t *o)
{
	for (const char *p = s; p < e; p++) {
		out[(*o)++] = *p;
		if (*p == '\'' && p + 1 < e && p[1] == '\'')
			p++;
	}
}

/* The value of a single-quoted scalar from its source text (between the quotes): `''` is a
 * quote, a line break folds to a space, n empty lines to n line breaks, and the spaces
 * around breaks go (YAML 1.2, 7.3.2). libfyaml 0.7.12 gets long runs of `''` wrong (and
 * leaks doing it), so the loader does this itself. */
static char *single_quoted(struct build *b, const char *raw, size_t rlen, size_t *len)
{
	char *out = scen_arena_array(b->ld->tmp, rlen + 1, 1);
	if (out == NULL)
		return NULL;
	size_t o = 0, breaks = 0;
	const char *end = raw + rlen, *line = raw;
	bool first = true;
	while (line <= end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		bool last = nl == NULL;
		const char *s = line, *e = last ? end : nl;
		if (e > s && e[-1] == '\r' && !last)
			e--;
		if (!first)
			while (s < e && yaml_space(*s))
				s++;
		if (!last)
			while (e > s && yaml_space(e[-1]))
				e--;
		if (!first && s == e && !last) {
			breaks++;
		} else {
			if (!first) {
				if (breaks == 0)
					out[o++] = ' ';
				for (; breaks > 0; breaks--)
					out[o++] = '\n';
			}
			sq_line(s, e, out, &o);
		}
		first = false;
		if (last)
			break;
		line = nl + 1;
	}
	assert(o <= rlen);
	out[o] = '\0';
	*len = o;
	return out;
}

/* A scalar's value: single-quoted ones from the source (above), the rest from libfyaml. */
static bool scalar_text(struct build *b, struct fy_token *t, const char **s, size_t *len)
{
	const struct fy_mark *sm = fy_token_start_mark(t), *em = fy_token_end_mark(t);
	if (fy_token_scalar_style(t) != FYSS_SINGLE_QUOTED || sm == NULL || em == NULL ||
	    sm->input_pos > em->input_pos || em->input_pos > b->ld->len)
		return token_text(b, t, s, len);
	*s = single_quoted(b, b->ld->buf + sm->input_pos, em->input_pos - sm->input_pos, len);
	return *s != NULL || scen_oom(b->ld);
}

/* The anchor of a node event, copied (tokens die with their event). */
static bool event_anchor(struct build *b, struct fy_event *ev, const char **name, size_t *len)
{
	struct fy_token *t = fy_event_get_anchor_token(ev);
	*name = NULL;
	*len = 0;
	if (t == NULL)
		return true;
	const char *s;
	if (!token_text(b, t, &s, len))
		return false;
	*name = scen_arena_strndup(b->ld->tmp, s, *len);
	return *name != NULL || scen_oom(b->ld);
}

static bool check_tag(struct build *b, struct fy_event *ev, struct scen_pos pos)
{
	if (fy_event_get_tag_token(ev) == NULL)
		return true;
	fail_at(b, pos, "YAML tags (such as !!str) are not supported; write the plain value");
	return false;
}

static struct ynode *new_node(struct build *b, enum ynode_kind kind, struct scen_pos pos)
{
	struct ynode *n = scen_arena_array(b->ld->tmp, 1, sizeof(*n));
	if (n == NULL) {
		scen_oom(b->ld);
		return NULL;
	}
	n->kind = (uint8_t)kind;
	n->line = pos.line;
	n->col = pos.col;
	n->height = 1;
	n->weight = 1;
	return n;
}

static bool on_scalar(struct build *b, struct fy_event *ev, struct scen_pos pos)
{
	const char *text, *anchor;
	size_t len, alen;
	if (!check_tag(b, ev, pos) || !scalar_text(b, ev->scalar.value, &text, &len) ||
	    !event_anchor(b, ev, &anchor, &alen))
		return false;
	if (len > UINT32_MAX || memchr(text, '\0', len) != NULL ||
	    scen_utf8_prefix((const unsigned char *)text, len) != len) {
		fail_at(b, pos, "a string holds a NUL character or invalid UTF-8");
		return false;
	}
	struct ynode *n = new_node(b, YN_SCALAR, pos);
	if (n == NULL)
		return false;
	enum fy_scalar_style st = fy_token_scalar_style(ev->scalar.value);
	n->style = st == FYSS_PLAIN ? YS_PLAIN
		 : (st == FYSS_LITERAL || st == FYSS_FOLDED) ? YS_BLOCK : YS_QUOTED;
	n->len = (uint32_t)len;
	n->text = scen_arena_strndup(b->ld->tmp, text, len);
	if (n->text == NULL)
		return scen_oom(b->ld);
	if (anchor != NULL && !add_anchor(b, anchor, alen, n))
		return false;
	return attach(b, n);
}

static bool on_start(struct build *b, struct fy_event *ev, struct scen_pos pos,
		     enum ynode_kind kind)
{
	if (!check_tag(b, ev, pos))
		return false;
	if (b->depth >= LIMIT_YAML_DEPTH) {
		fail_at(b, pos, "YAML nesting is deeper than 64 levels (limit 11.9)");
		return false;
	}
	struct ynode *n = new_node(b, kind, pos);
	if (n == NULL)
		return false;
	struct frame *f = &b->frames[b->depth++];
	f->node = n;
	f->first_kid = b->kids_len;
	return event_anchor(b, ev, &f->anchor, &f->anchor_len);
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static bool on_end(struct build *b)
{
	assert(b->depth > 0);
	struct frame *f = &b->frames[--b->depth];
	struct ynode *n = f->node;
	size_t count = b->kids_len - f->first_kid;
	if (count > UINT32_MAX)
		return scen_oom(b->ld);
	n->kids = scen_arena_array(b->ld->tmp, count, sizeof(*n->kids));
	if (n->kids == NULL)
		return scen_oom(b->ld);
	if (count > 0)
		memcpy(n->kids, b->kids + f->first_kid, count * sizeof(*n->kids));
	b->kids_len = f->first_kid;
	assert(n->kind != YN_MAP || count % 2 == 0);
	n->n = (uint32_t)(n->kind == YN_MAP ? count / 2 : count);
	for (size_t i = 0; i < count; i++) {
		n->weight = sat_add(n->weight, n->kids[i]->weight);
		if (n->kids[i]->height + 1u > n->height)
			n->height = (uint16_t)(n->kids[i]->height + 1u);
	}
	if (f->anchor != NULL && !add_anchor(b, f->anchor, f->anchor_len, n))
		return false;
	return attach(b, n);
}

static bool on_alias(struct build *b, struct fy_event *ev, struct scen_pos pos)
{
	const char *name;
	size_t len;
	if (!token_text(b, ev->alias.anchor, &name, &len))
		return false;
	int64_t idx = scen_names_get(&b->anchors, name, len);
	if (idx < 0) {
		fail_at(b, pos, "alias names no anchor defined before it");
		return false;
	}
	struct ynode *n = b->anchor_nodes[idx];
	b->expanded = sat_add(b->expanded, n->weight);
	if (b->expanded > LIMIT_YAML_NODES) {
		fail_at(b, pos, "YAML aliases expand to more than 10000 nodes (limit 11.9)");
		return false;
	}
	if (b->depth + n->height > LIMIT_YAML_DEPTH) {
		fail_at(b, pos, "YAML nesting through this alias is deeper than 64 levels "
			"(limit 11.9)");
		return false;
	}
	return attach(b, n);
}

static bool on_event(struct build *b, struct fy_event *ev)
{
	struct scen_pos pos = event_pos(b, ev);
	switch (ev->type) {
	case FYET_DOCUMENT_START:
		if (++b->docs > 1) {
			fail_at(b, pos, "a scenario file holds one YAML document; remove the "
				"second `---`");
			return false;
		}
		return true;
	case FYET_SCALAR:
		return on_scalar(b, ev, pos);
	case FYET_MAPPING_START:
		return on_start(b, ev, pos, YN_MAP);
	case FYET_SEQUENCE_START:
		return on_start(b, ev, pos, YN_SEQ);
	case FYET_MAPPING_END:
	case FYET_SEQUENCE_END:
		return on_end(b);
	case FYET_ALIAS:
		return on_alias(b, ev, pos);
	default:
		return true;
	}
}

/* libfyaml's first collected error, as ours. */
static void report_syntax(struct build *b, struct fy_diag *diag)
{
	void *it = NULL;
	struct fy_diag_error *e;
	while ((e = fy_diag_errors_iterate(diag, &it)) != NULL) {
		if (e->type != FYET_ERROR)
			continue;
		struct scen_pos pos = {e->line > 0 ? (uint32_t)e->line : 1,
				       e->column > 0 ? (uint32_t)e->column : 1};
		scen_err(b->ld, pos, "YAML syntax error: %s", e->msg != NULL ? e->msg : "?");
		return;
	}
	scen_err(b->ld, b->last, "YAML syntax error");
}

static struct fy_diag *quiet_diag(void)
{
	struct fy_diag_cfg dc;
	fy_diag_cfg_default(&dc);
	dc.fp = NULL;
	dc.output_fn = silent;
	dc.user = NULL;
	dc.level = FYET_ERROR;
	dc.colorize = false;
	struct fy_diag *diag = fy_diag_create(&dc);
	if (diag != NULL)
		fy_diag_set_collect_errors(diag, true);
	return diag;
}

static void run_parser(struct build *b, struct fy_parser *fyp, struct fy_diag *diag)
{
	bool ended = false;
	struct fy_event *ev;
	while (!b->failed && !b->ld->oom && (ev = fy_parser_parse(fyp)) != NULL) {
		ended = ev->type == FYET_STREAM_END;
		bool ok = on_event(b, ev);
		fy_parser_event_free(fyp, ev);
		if (!ok) {
			b->failed = true;
			return;
		}
	}
	if (b->failed || b->ld->oom)
		return;
	if (fy_parser_get_stream_error(fyp) || !ended) {
		report_syntax(b, diag);
		b->failed = true;
	}
}

const struct ynode *scen_yaml_parse(struct scen_ld *ld, const char *buf, size_t len)
{
	struct build *b = calloc(1, sizeof(*b));
	if (b == NULL) {
		scen_oom(ld);
		return NULL;
	}
	b->ld = ld;
	b->last = (struct scen_pos){1, 1};
	struct fy_diag *diag = quiet_diag();
	struct fy_parse_cfg cfg = {
		.search_path = NULL,
		.flags = FYPCF_QUIET | FYPCF_JSON_NONE | FYPCF_DEFAULT_VERSION_1_2,
		.userdata = NULL,
		.diag = diag,
	};
	struct fy_parser *fyp = diag != NULL ? fy_parser_create(&cfg) : NULL;
	if (fyp == NULL || fy_parser_set_string(fyp, buf, len) != 0) {
		scen_oom(ld);
		b->failed = true;
	} else {
		run_parser(b, fyp, diag);
	}
	if (fyp != NULL)
		fy_parser_destroy(fyp);
	if (diag != NULL)
		fy_diag_destroy(diag);
	const struct ynode *root = b->failed || ld->oom ? NULL : b->root;
	if (root == NULL && !b->failed && !ld->oom)
		scen_err(ld, (struct scen_pos){1, 1}, "the file is empty: a scenario needs at "
			 "least `name` and `duration`");
	free(b->kids);
	free(b);
	return root;
}

/* Well-formed UTF-8: no overlongs, no surrogates, nothing above U+10FFFF. */
size_t scen_utf8_prefix(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned c = s[i];
		size_t n;
		unsigned lo = 0x80, hi = 0xbf;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			lo = c == 0xe0 ? 0xa0 : 0x80;
			hi = c == 0xed ? 0x9f : 0xbf;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			lo = c == 0xf0 ? 0x90 : 0x80;
			hi = c == 0xf4 ? 0x8f : 0xbf;
		} else {
			return i;
		}
		if (len - i <= n || s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (size_t k = 2; k <= n; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return i;
		i += n + 1;
	}
	return len;
}
