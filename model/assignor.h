/*
 * assignor.h — the classic consumer group's client-side partition assignors, bit-exact with
 * Kafka 4.1's Java client: range, roundrobin, sticky and cooperative-sticky
 * (clients/.../consumer/{RangeAssignor,RoundRobinAssignor,StickyAssignor,
 * CooperativeStickyAssignor}.java, consumer/internals/{AbstractPartitionAssignor,
 * AbstractStickyAssignor}.java). No racks: Kafka's rack-aware variants only start when both
 * consumer and replica racks are known, and kafkasim configures neither.
 *
 * The group leader runs the assignor over all members' subscriptions (ConsumerCoordinator
 * .onLeaderElected). What each member reports, as the assignors' memberData() reads it:
 *   sticky              owned = the member's previous assignment and generation from its
 *                       userData (eager: it revoked everything before joining);
 *   cooperative-sticky  owned = ownedPartitions, generation = generationId of the
 *                       JoinGroup subscription (v2+), -1 when absent;
 *   range, roundrobin   owned and generation are ignored.
 * The one generation stands for both places Kafka reads it (memberData and, for the member a
 * claim conflicts with, Subscription.generationId()); Kafka's clients send the same value.
 *
 * Order of members[]: the order of the JoinGroup response. Kafka's leader puts members into a
 * java.util.HashMap in that order, and the sticky assignors iterate that map; which member keeps
 * its owned partitions up to the larger quota depends on it. kafkasim reproduces the iteration
 * order of a java.util.HashMap<String, _> exactly (String.hashCode, bucket spreading, resizes),
 * so members whose ids fall in the same bucket are ordered by their position in members[].
 * Everything else is sorted as Kafka sorts it: member ids as Java Strings (UTF-16 code units,
 * so "g-10" < "g-2"), static members by group.instance.id first (range, roundrobin).
 *
 * Pure: no clock, no randomness, no I/O. One call allocates its scratch and result and keeps
 * no state between calls (Kafka's assignor keeps its largest generation seen across calls on
 * the same leader; a fresh leader starts at -1, as every call here does).
 */
#ifndef KAFKASIM_ASSIGNOR_H
#define KAFKASIM_ASSIGNOR_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/limits.h"

/* Limits (limits.h explains the contract's ones). Topics: a partition-less topic still costs
 * a name, so the topic count shares the partition limit. */
#define ASSIGN_MAX_MEMBERS     LIMIT_CLIENTS
#define ASSIGN_MAX_TOPICS      LIMIT_PARTITIONS_TOTAL
#define ASSIGN_MAX_PARTITIONS  LIMIT_PARTITIONS_TOTAL     /* over all topics */
/* Σ subscribed topics and Σ owned partitions over all members: each entry costs the assignor
 * a few words of scratch, so 10 million keeps one call under a few hundred MB. */
#define ASSIGN_MAX_SUBSCRIPTIONS 10000000u
#define ASSIGN_MAX_OWNED         10000000u
#define ASSIGN_NONE            UINT32_MAX                 /* no member / no topic */
#define ASSIGN_NO_GENERATION   (-1)                       /* DEFAULT_GENERATION */

enum assign_strategy {
	ASSIGN_RANGE,
	ASSIGN_ROUNDROBIN,
	ASSIGN_STICKY,
	ASSIGN_COOPERATIVE_STICKY,
};

enum assign_err {
	ASSIGN_OK = 0,
	ASSIGN_ERR_NOMEM,
	ASSIGN_ERR_LIMIT,            /* too many members, topics or partitions */
	ASSIGN_ERR_BAD_TOPIC,        /* NULL or repeated topic name */
	ASSIGN_ERR_BAD_MEMBER,       /* NULL or repeated member id */
	ASSIGN_ERR_BAD_INSTANCE,     /* two members with one group.instance.id */
	ASSIGN_ERR_BAD_SUBSCRIPTION, /* topic index out of range or repeated */
	ASSIGN_ERR_BAD_OWNED,        /* owned partition out of range or repeated */
	ASSIGN_ERR_BAD_GENERATION,   /* below -1 */
	ASSIGN_ERR_KAFKA_THROWS,     /* Kafka's Java code throws on this input (see .c) */
};

/* A topic of the question. partitions == 0: the name is known but the topic has no metadata
 * (not created); subscriptions to it count, its partitions do not exist. */
struct assign_topic {
	const char *name;
	uint32_t    partitions;
};

struct assign_tp {
	uint32_t topic;        /* index into assign_input.topics */
	uint32_t partition;
};

struct assign_member {
	const char             *member_id;
	const char             *group_instance_id;   /* NULL: a dynamic member */
	const uint32_t         *topics;              /* subscription: topic indexes */
	uint32_t                n_topics;
	const struct assign_tp *owned;               /* see the header comment */
	uint32_t                n_owned;
	int32_t                 generation;          /* ASSIGN_NO_GENERATION when absent */
};

struct assign_input {
	enum assign_strategy        strategy;
	const struct assign_topic  *topics;
	uint32_t                    n_topics;
	const struct assign_member *members;         /* in JoinGroup response order */
	uint32_t                    n_members;
};

/* cooperative-sticky: a partition left out of its new owner's answer until the previous owner
 * has revoked it (KIP-429), and the member it is moving to. */
struct assign_moving {
	struct assign_tp tp;
	uint32_t         to_member;
};

struct assign_result {
	uint32_t              n_members;
	uint32_t             *first;        /* n_members + 1 offsets into tps */
	struct assign_tp     *tps;          /* member m: tps[first[m] .. first[m + 1]), sorted by
					     * (topic name, partition) */
	uint32_t              n_moving;
	struct assign_moving *moving;       /* cooperative-sticky only; sorted like tps */
	bool                  general_path; /* sticky: subscriptions differed (generalAssign) */
	bool                  approx_order; /* a Java hash bin grew into a tree (>8 colliding
					     * keys); its order is approximated, see .c */
	uint32_t              err_member;   /* on an input error: the member at fault */
	uint32_t              err_topic;    /* on an input error: the topic at fault */
};

/* Runs the strategy. On success *out holds the answer (free with assign_result_free). On error
 * *out holds no allocation, only err_member/err_topic. */
enum assign_err assign_run(const struct assign_input *in, struct assign_result *out);
void assign_result_free(struct assign_result *r);

/* The member's partitions in the answer; *n receives their count. */
const struct assign_tp *assign_member_tps(const struct assign_result *r, uint32_t member,
					  uint32_t *n);

const char *assign_strategy_name(enum assign_strategy s);
bool assign_strategy_parse(const char *name, enum assign_strategy *out);
const char *assign_err_text(enum assign_err e);

/* Java's String.compareTo sign and String.hashCode over the UTF-16 code units of a UTF-8
 * string (a byte that is not valid UTF-8 counts as one code unit of its own value). */
int      assign_java_compare(const char *a, const char *b);
uint32_t assign_java_hash(const char *s);

/* The iteration order of a java.util.HashMap<String, _> holding keys[0..n), put in that order
 * (a key removed and put again goes last). *capacity: the table length the map had reached
 * before, 0 for a new map (a HashMap never shrinks); receives the length after the puts.
 * Writes key indexes in iteration order to order[0..n). For the group model: Kafka's
 * coordinator keeps a classic group's members in such a map (ClassicGroup.members), which
 * orders the JoinGroup response and picks a new leader (its first key) when the leader
 * leaves. *approx is set when a bucket became a tree, whose order is not reproduced. */
enum assign_err assign_java_map_order(const char *const *keys, uint32_t n, uint32_t *capacity,
				      uint32_t *order, bool *approx);

#endif
