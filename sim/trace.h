/*
 * trace.h — the event trace: JSON Lines, one object per simulated event, and its SHA-256.
 *
 * Every line starts {"t":<µs>,"node":"<name>","ev":"<kind>" and carries the event's own
 * fields in the order they were added. Nothing in a line depends on pointers, hash order
 * or the wall clock, so the same file, seed and version give byte-identical traces; the
 * hash is computed over exactly the bytes written (or that would be written: the hash is
 * kept even when no trace file was asked for). Lines are built in a fixed buffer with no
 * allocation.
 */
#ifndef KAFKASIM_TRACE_H
#define KAFKASIM_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/sha256.h"

#define TRACE_LINE_MAX 4096

struct trace_line {
	struct trace *trace;
	uint32_t      len;
	bool          truncated;
	char          buf[TRACE_LINE_MAX];
};

/* Called for every finished line, e.g. to collect the run's timeline of notable events. */
typedef void trace_observer_fn(void *ctx, int64_t t_us, const char *node, const char *ev,
			       const char *line, uint32_t len);

struct trace {
	FILE             *out;        /* NULL: hash only */
	trace_observer_fn *observer;
	void             *observer_ctx;
	int64_t           line_t_us;  /* the open line's time, node and kind, for the observer */
	const char       *line_node;
	const char       *line_ev;
	struct sha256     hash;
	uint64_t          lines;
	bool              io_error;
	struct trace_line line;       /* the line being built */
	bool              open;
};

void trace_init(struct trace *t, FILE *out);
void trace_observe(struct trace *t, trace_observer_fn *fn, void *ctx);
/* Starts a line. Only one line is open at a time. */
struct trace_line *trace_begin(struct trace *t, int64_t t_us, const char *node, const char *ev);
void trace_int(struct trace_line *l, const char *key, int64_t v);
void trace_uint(struct trace_line *l, const char *key, uint64_t v);
void trace_bool(struct trace_line *l, const char *key, bool v);
/* A JSON string value; escapes as JSON requires. */
void trace_str(struct trace_line *l, const char *key, const char *v);
/* A raw JSON value (array or object the caller built), copied as is. */
void trace_raw(struct trace_line *l, const char *key, const char *json);
void trace_end(struct trace_line *l);
/* The lowercase hex SHA-256 of every byte of every line so far. Does not end the hash. */
void trace_digest_hex(const struct trace *t, char out[65]);

#endif
