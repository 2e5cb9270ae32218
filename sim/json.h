/*
 * json.h — a small streaming JSON writer for the run summary: keys in the order written,
 * commas handled, strings escaped (RFC 8259). One object on one line.
 */
#ifndef KAFKASIM_JSON_H
#define KAFKASIM_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_DEPTH_MAX 16

struct json {
	FILE    *f;
	int      depth;
	bool     first[JSON_DEPTH_MAX];
};

void json_init(struct json *j, FILE *f);
/* `key` is NULL for array elements and the top-level value. */
void json_obj(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_int(struct json *j, const char *key, int64_t v);
void json_uint(struct json *j, const char *key, uint64_t v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
void json_str(struct json *j, const char *key, const char *s);
/* Ends the top-level value with a newline. */
void json_end(struct json *j);
void json_write_string(FILE *f, const char *s);

#endif
