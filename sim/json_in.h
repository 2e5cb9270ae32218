/*
 * json_in.h — a small strict JSON reader (RFC 8259) for command-line questions such as
 * `kafkasim assign --input`. It builds a tree; every value remembers the line and column
 * where it starts, so errors can point at the input. Strict: one value per document,
 * no comments, no trailing commas, no repeated keys, UTF-8 only (no BOM), no "\u0000".
 */
#ifndef KAFKASIM_JSON_IN_H
#define KAFKASIM_JSON_IN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 64          /* nesting: deeper input is refused, not recursed into */

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json_member;

struct json_value {
	enum json_type type;
	uint32_t       line, col;       /* 1-based, columns count bytes */
	bool           boolean;
	bool           integral;        /* a number without fraction or exponent */
	int64_t        integer;         /* its value, when integral and in range */
	bool           in_range;        /* integral and within int64 */
	char          *str;             /* JSON_STRING: NUL-terminated UTF-8 */
	size_t         len;
	struct json_value  *items;      /* JSON_ARRAY */
	struct json_member *members;    /* JSON_OBJECT, in document order */
	uint32_t       n;               /* items or members */
};

struct json_member {
	char             *key;
	uint32_t          line, col;
	struct json_value value;
};

struct json_error {
	uint32_t line, col;
	char     msg[160];
};

/* Parses text[0..len). On failure returns false with err filled and *root left empty. */
bool json_parse(const char *text, size_t len, struct json_value *root, struct json_error *err);
void json_free(struct json_value *v);

/* The member with this key, or NULL. */
const struct json_value *json_get(const struct json_value *object, const char *key);

const char *json_type_name(enum json_type t);

#endif
