/*
 * text.c — decimal numbers, partition names and id lists for trace lines.
 */
#include "model/text.h"

#include <assert.h>
#include <string.h>

size_t text_i64(char *buf, int64_t v)
{
	char tmp[24];
	size_t n = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	size_t len = 0;
	if (v < 0)
		buf[len++] = '-';
	while (n > 0)
		buf[len++] = tmp[--n];
	return len;
}

/* Appends s (or a number) to buf while it fits, keeping room for the NUL. */
static void append(char *buf, size_t cap, size_t *len, const char *s, size_t n)
{
	if (*len + n + 1 > cap)
		n = *len + 1 < cap ? cap - *len - 1 : 0;
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
}

char *text_tp(const struct cluster_cfg *c, uint32_t tp, char *buf, size_t cap)
{
	assert(cap > 0 && tp < c->nparts);
	const struct part_cfg *p = &c->parts[tp];
	const char *name = c->topics[p->topic].name;
	size_t len = 0;
	buf[0] = '\0';
	append(buf, cap, &len, name, strlen(name));
	append(buf, cap, &len, "-", 1);
	char num[24];
	append(buf, cap, &len, num, text_i64(num, p->partition));
	return buf;
}

char *text_ids(const int32_t *ids, uint32_t n, char *buf, size_t cap)
{
	assert(cap > 0);
	size_t len = 0;
	buf[0] = '\0';
	append(buf, cap, &len, "[", 1);
	for (uint32_t i = 0; i < n; i++) {
		char num[24];
		if (i > 0)
			append(buf, cap, &len, ",", 1);
		append(buf, cap, &len, num, text_i64(num, ids[i]));
	}
	append(buf, cap, &len, "]", 1);
	return buf;
}
