/*
 * scen_internal.h — what the scenario loader's files share (sim/scen_*.c): the arena that
 * owns a scenario's memory, the YAML tree the loader reads, name indexes, error collection,
 * typed getters that report FILE:LINE:COL errors, and the per-section entry points.
 *
 * The YAML tree is our own: libfyaml's events are turned into nodes with 1-based marks, with
 * aliases expanded by sharing (counted against LIMIT_YAML_NODES) and depth limited to
 * LIMIT_YAML_DEPTH, so nothing after scen_yaml.c touches libfyaml or can be made to recurse
 * or allocate without bound.
 */
#ifndef KAFKASIM_SCEN_INTERNAL_H
#define KAFKASIM_SCEN_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/config_table.h"
#include "sim/scenario.h"

/* --- arena ------------------------------------------------------------------------------ */

struct scen_arena *scen_arena_new(void);
void  scen_arena_free(struct scen_arena *a);
/* Zeroed, 16-byte aligned; NULL when memory runs out or n * size overflows. */
void *scen_arena_array(struct scen_arena *a, size_t n, size_t size);
char *scen_arena_strndup(struct scen_arena *a, const char *s, size_t len);

/* --- YAML tree -------------------------------------------------------------------------- */

enum ynode_kind { YN_SCALAR, YN_MAP, YN_SEQ };
enum ynode_style { YS_PLAIN, YS_QUOTED, YS_BLOCK };

struct ynode {
	uint8_t        kind;
	uint8_t        style;       /* scalars */
	uint16_t       height;      /* 1 for a scalar, 1 + tallest child otherwise */
	uint32_t       line;        /* 1-based */
	uint32_t       col;
	uint32_t       n;           /* sequence items, or mapping pairs */
	uint32_t       len;         /* scalar bytes */
	const char    *text;        /* scalar, NUL-terminated copy */
	struct ynode **kids;        /* seq: n items; map: key0, value0, key1, value1, ... */
	uint64_t       weight;      /* nodes in the subtree with aliases expanded (saturating) */
};

struct scen_ld;

/* Parses buf (already checked for size, NUL bytes and UTF-8) into a tree in `tmp`. Returns
 * the root or NULL after recording errors. */
const struct ynode *scen_yaml_parse(struct scen_ld *ld, const char *buf, size_t len);

/* Length of the longest well-formed UTF-8 prefix of s (len when all of it is). */
size_t scen_utf8_prefix(const unsigned char *s, size_t len);

static inline const struct ynode *ymap_key(const struct ynode *m, uint32_t i)
{
	return m->kids[2 * i];
}

static inline const struct ynode *ymap_val(const struct ynode *m, uint32_t i)
{
	return m->kids[2 * i + 1];
}

bool ynode_is_null(const struct ynode *n);
bool ynode_text_is(const struct ynode *n, const char *s);
/* The value of `key` in mapping m (first occurrence), or NULL. */
const struct ynode *ymap_get(const struct ynode *m, const char *key);

/* --- name index (string -> uint32) ------------------------------------------------------ */

struct name_slot;
struct scen_names {
	uint32_t          cap;      /* power of two, or 0 */
	uint32_t          count;
	struct name_slot *slots;
};

/* Adds name -> val. False if the name was there already (*old gets its value) or memory ran
 * out (ld->oom). */
bool scen_names_put(struct scen_ld *ld, struct scen_names *t, const char *s, size_t len,
		    uint32_t val, uint32_t *old);
/* The value of a name, or -1. */
int64_t scen_names_get(const struct scen_names *t, const char *s, size_t len);

/* --- loader context --------------------------------------------------------------------- */

struct scen_ld {
	struct scenario    *s;
	struct scen_arena  *a;          /* == s->arena: what the scenario keeps */
	struct scen_arena  *tmp;        /* YAML tree and indexes: freed after loading */
	struct scen_errors *errs;
	const char         *buf;
	size_t              len;
	bool                oom;
	bool                bad_cluster; /* brokers unknown: skip checks that need them */
	bool                bad_clients; /* clients not loaded (limit): skip client checks */
	struct scen_names   topics;     /* name -> topic index */
	struct scen_names   groups;     /* name -> group index */
	struct scen_names   clients;    /* id -> client index */
	struct scen_names   brokers;    /* decimal id -> broker index */
	/* the top-level sections, NULL when absent */
	const struct ynode *root;
	const struct ynode *producers_node;
	const struct ynode *consumers_node;
};

/* --- errors ----------------------------------------------------------------------------- */

struct scen_pos scen_pos_of(const struct ynode *n);
bool scen_pos_before(struct scen_pos a, struct scen_pos b);
void scen_err(struct scen_ld *ld, struct scen_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void scen_errn(struct scen_ld *ld, const struct ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Whether an error at pos would be kept (else expensive suggestions can be skipped). */
bool scen_err_wanted(const struct scen_ld *ld, struct scen_pos pos);
/* Records "out of memory" once; returns false for the caller to return. */
bool scen_oom(struct scen_ld *ld);
uint32_t scen_err_count(const struct scen_ld *ld);

/* Copies a node's text for a message (escaped, shortened). */
void scen_quote(char *dst, size_t cap, const struct ynode *n);

/* Closest candidate within edit distance 2 (Damerau-Levenshtein, optimal string alignment);
 * feed candidates one by one. */
struct suggest {
	const char *text;
	size_t      len;
	const char *best;
	unsigned    dist;
};
void scen_suggest_init(struct suggest *sg, const char *text, size_t len);
void scen_suggest_add(struct suggest *sg, const char *cand);

/* --- typed getters: each reports its own error and returns false ---------------------- */

/* `what` names the key in messages, e.g. "duration" or "rate of producer `p1`". */
bool scen_want_kind(struct scen_ld *ld, const struct ynode *n, enum ynode_kind k,
		    const char *what);
bool scen_get_string(struct scen_ld *ld, const struct ynode *n, const char *what, char **out);
bool scen_get_bool(struct scen_ld *ld, const struct ynode *n, const char *what, bool *out);
bool scen_get_u64(struct scen_ld *ld, const struct ynode *n, const char *what, uint64_t min,
		  uint64_t max, uint64_t *out);
bool scen_get_i64(struct scen_ld *ld, const struct ynode *n, const char *what, int64_t min,
		  int64_t max, int64_t *out);
/* A scenario time: >= 0 unless allow_negative; > 0 when positive. */
bool scen_get_time(struct scen_ld *ld, const struct ynode *n, const char *what,
		   bool allow_negative, bool positive, int64_t *out_us);
bool scen_get_size(struct scen_ld *ld, const struct ynode *n, const char *what, int64_t *out);
bool scen_get_rate(struct scen_ld *ld, const struct ynode *n, const char *what,
		   struct scen_rate *out);
bool scen_get_prob(struct scen_ld *ld, const struct ynode *n, const char *what,
		   uint64_t *out);

/* --- mapping schemas -------------------------------------------------------------------- */

enum map_cfg {
	MAP_CFG_NONE,
	MAP_CFG_CLUSTER,      /* broker configs and topic synonyms (cluster.config) */
	MAP_CFG_BROKER,       /* one broker's own config */
	MAP_CFG_TOPIC,
	MAP_CFG_PRODUCER,
	MAP_CFG_CONSUMER,
};

struct map_spec {
	const char *const *keys;      /* schema keys, NULL-terminated */
	enum map_cfg       cfg;       /* configs also accepted here */
	const char        *where;     /* "in producer `p1`" */
};

/* Checks that n is a mapping whose keys are scalars, unique, and known; reports the others
 * (unknown with a suggestion, unsupported Kafka config, config in the wrong scope). Returns
 * false only when n is not a mapping. */
bool scen_map_check(struct scen_ld *ld, const struct ynode *n, const struct map_spec *spec);
/* Parses the configs of scope found in mapping n into vals (already holding defaults). */
void scen_map_configs(struct scen_ld *ld, const struct ynode *n, enum map_cfg cfg,
		      struct cfg_value *vals);

/* --- sections --------------------------------------------------------------------------- */

void scen_load_cluster(struct scen_ld *ld, const struct ynode *n);
void scen_load_topics(struct scen_ld *ld, const struct ynode *n);
void scen_load_clients(struct scen_ld *ld);
void scen_load_faults(struct scen_ld *ld, const struct ynode *n);
void scen_load_nemesis(struct scen_ld *ld, const struct ynode *n);
void scen_load_expect(struct scen_ld *ld, const struct ynode *n);

/* Node and partition references (scenario-format 1). */
bool scen_parse_ref(struct scen_ld *ld, const struct ynode *n, const char *what,
		    struct scen_ref *out);
/* "TOPIC-P"; allow_offsets admits __consumer_offsets-N. */
bool scen_parse_tp(struct scen_ld *ld, const struct ynode *n, const char *text, size_t len,
		   bool allow_offsets, struct scen_tp *out);
bool scen_lookup_broker(struct scen_ld *ld, const struct ynode *n, int64_t id, uint32_t *idx);
/* Whether an id would be read as another kind of node reference. */
bool scen_looks_like_ref(const char *s, size_t len);

#endif
