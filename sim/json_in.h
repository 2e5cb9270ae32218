/*
 * json_in.h — a small strict JSON reader (RFC 8259) for command-line questions such as
 * `kafkasim assign --input`. It builds a tree; every value remembers the line and column
 * where it starts, so errors can point at the input. Strict: one value per document,
 * no comments, no trailing commas, no repeated keys, UTF-8 only (no BOM), no "\u0000".
 * Names carry the jin_ prefix ("JSON in"); sim/json.h is the writer.
 */
#ifndef KAFKASIM_JSON_IN_H
#define KAFKASIM_JSON_IN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JIN_MAX_DEPTH 64          /* nesting: deeper input is refused, not recursed into */

enum jin_type {
	JIN_NULL,
	JIN_BOOL,
	JIN_NUMBER,
	JIN_STRING,
	JIN_ARRAY,
	JIN_OBJECT,
};

struct jin_member;

struct jin_value {
	enum jin_type type;
	uint32_t       line, col;       /* 1-based, columns count bytes */
	bool           boolean;
	bool           integral;        /* a number without fraction or exponent */
	int64_t        integer;         /* its value, when integral and in range */
	bool           in_range;        /* integral and within int64 */
	char          *str;             /* JIN_STRING: NUL-terminated UTF-8 */
	size_t         len;
	struct jin_value  *items;      /* JIN_ARRAY */
	struct jin_member *members;    /* JIN_OBJECT, in document order */
	uint32_t       n;               /* items or members */
};

struct jin_member {
	char             *key;
	uint32_t          line, col;
	struct jin_value value;
};

struct jin_error {
	uint32_t line, col;
	char     msg[160];
};

/* Parses text[0..len). On failure returns false with err filled and *root left empty. */
bool jin_parse(const char *text, size_t len, struct jin_value *root, struct jin_error *err);
void jin_free(struct jin_value *v);

/* The member with this key, or NULL. */
const struct jin_value *jin_get(const struct jin_value *object, const char *key);

const char *jin_type_name(enum jin_type t);

#endif
