/*
 * text.h — the little text formatting the model needs for its trace lines (partition names,
 * broker lists) without stdio, which model/ may not use.
 */
#ifndef KAFKASIM_TEXT_H
#define KAFKASIM_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "model/cluster.h"

/* Writes v in decimal at buf (no NUL); returns the length (at most 20). */
size_t text_i64(char *buf, int64_t v);
/* "TOPIC-P" of tp into buf (NUL-terminated, cut to cap). Returns buf. */
char *text_tp(const struct cluster_cfg *c, uint32_t tp, char *buf, size_t cap);
/* A JSON array of ids, e.g. "[1,2,3]", into buf (cut to cap). Returns buf. */
char *text_ids(const int32_t *ids, uint32_t n, char *buf, size_t cap);

#endif
