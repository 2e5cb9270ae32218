/*
 * assign_internal.h — what the assignor's files share: the prepared question (ranks, global
 * partition numbering, subscriptions), the answer being built, and the emulation of
 * java.util.HashMap/HashSet iteration order that Kafka's sticky assignors depend on.
 *
 * Global partitions: every topic the assignor sees (created, and subscribed by at least one
 * member: AbstractPartitionAssignor.assign builds partitionsPerTopic from the union of the
 * subscriptions) gets a block [base[t], base[t] + np[t]) of global partition numbers.
 */
#ifndef KAFKASIM_ASSIGN_INTERNAL_H
#define KAFKASIM_ASSIGN_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "model/assignor.h"

struct actx {
	const struct assign_input *in;
	uint32_t  nm, nt;
	uint32_t *mrank;       /* member -> rank of its id in Java String order */
	uint32_t *morder;      /* rank -> member */
	uint32_t *trank;       /* topic -> rank of its name */
	uint32_t *torder;      /* rank -> topic */
	uint32_t *np;          /* topic -> partitions the assignor sees (0: none) */
	uint32_t *base;        /* topic -> first global partition */
	uint32_t *nsubs;       /* topic -> members subscribed (topics the assignor sees) */
	uint32_t  ptotal;      /* global partitions */
	uint32_t *ptopic;      /* global partition -> topic */
	uint32_t *sub_first;   /* member -> offset into sub_list; nm + 1 entries */
	uint32_t *sub_list;    /* each member's subscription, topic indexes ascending */
	uint32_t *mhash;       /* member -> String.hashCode of its id */
	uint32_t *jorder;      /* members in the iteration order of the leader's HashMap */
	uint32_t *owner;       /* answer: global partition -> member, or ASSIGN_NONE */
	uint32_t *moving_to;   /* answer (cooperative): withheld partition -> new owner */
	bool      approx;      /* a Java hash bin was treeified; see assign_java.c */
	bool      general;     /* the sticky assignor took generalAssign */
};

/* Test hook (tests/test_assignor.c): run the sticky assignors' general path even when all
 * subscriptions are equal, as Kafka did before 2.8 (the StickyAssignor javadoc's examples). */
struct assign_opts {
	bool force_general;
};

enum assign_err assign_run_opts(const struct assign_input *in, struct assign_result *out,
				const struct assign_opts *opts);

static inline uint32_t actx_gp(const struct actx *c, uint32_t topic, uint32_t partition)
{
	return c->base[topic] + partition;
}

bool actx_subscribed(const struct actx *c, uint32_t member, uint32_t topic);

/* The member's owned partitions that the assignor sees, as global partitions, in its list
 * order; returns the count written to out (capacity: the member's n_owned). */
uint32_t actx_owned(const struct actx *c, uint32_t member, uint32_t *out);

/* assign_sticky.c: sticky and cooperative-sticky (AbstractStickyAssignor.assignPartitions). */
enum assign_err assign_sticky(struct actx *c, bool cooperative, bool force_general);

/* assign_general.c: AbstractStickyAssignor.GeneralAssignmentBuilder. kept_by: each global
 * partition's claimant after the generation checks (consumerToOwnedPartitions). Fills
 * c->owner. */
enum assign_err assign_general(struct actx *c, const uint32_t *kept_by, int32_t max_gen);

/* assign_java.c: java.util.HashMap<String, _> / HashSet emulation. */
uint32_t jhash_spread(uint32_t h);
uint32_t jhash_tp(uint32_t topic_hash, uint32_t partition);

/* Iteration order of a `new HashMap<>()` after put() of n keys in the order ins[0..n); hash[k]
 * is key k's hashCode(). Writes the keys in iteration order to out. */
enum assign_err jmap_order(const uint32_t *hash, const uint32_t *ins, uint32_t n, uint32_t *out,
			   bool *approx);
/* The same on a map whose table has already grown to *cap_io (updated). */
enum assign_err jmap_order_cap(const uint32_t *hash, const uint32_t *ins, uint32_t n,
			       uint32_t *cap_io, uint32_t *out, bool *approx);

struct jset_elem {
	uint32_t key;
	uint32_t hash;
	uint64_t seq;          /* insertion stamp: order within a bin */
};

/* A `new HashSet<>()` under add/remove; only its first element in iteration order is read. */
struct jset {
	uint32_t          cap;     /* table length, 0 before the first add */
	uint32_t          size;
	uint32_t          alloc;
	bool              tree;    /* a bin was treeified: order approximated */
	struct jset_elem *e;
};

enum assign_err jset_add(struct jset *s, uint32_t key, uint32_t hash, uint64_t seq);
void jset_remove(struct jset *s, uint32_t key);
uint32_t jset_first(const struct jset *s);
void jset_reset(struct jset *s);   /* empty, as a fresh `new HashSet<>()`; keeps memory */
void jset_free(struct jset *s);

#endif
