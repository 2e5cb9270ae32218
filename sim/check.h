/*
 * check.h — the checker: runtime invariants after every event, and the record history
 * metrics at the end (scenario-format 9 and 11.3). It sits outside the model and only reads
 * the models' state.
 *
 * Invariants (a broken one stops the run with exit 3 and a message naming the rule, the
 * node, the partition and the time):
 *  - HW <= LEO on every replica;
 *  - a leader's HW never goes backwards during its leadership (same broker, same epoch);
 *  - at most one broker leads a partition in one leader epoch;
 *  - replicas agree below both their HWs (log matching) — unless Kafka itself can lose
 *    data there: after an unclean election, a power loss of a replica of the partition, or
 *    under sim.truncation: high-watermark. There a disagreement is the anomaly
 *    `inconsistent-offsets`, counted, not a simulator bug.
 */
#ifndef KAFKASIM_CHECK_H
#define KAFKASIM_CHECK_H

#include <stdbool.h>
#include <stdint.h>

struct run;

struct check_range {
	int64_t from;
	int64_t to;          /* exclusive */
};

struct check_pair {
	int64_t  verified;   /* offsets below this agree */
	uint64_t gen_a;      /* the replicas' truncation generations when verified */
	uint64_t gen_b;
};

struct check_part {
	bool               data_loss_possible;
	int32_t            hw_broker;        /* the leadership whose HW is being watched */
	int32_t            hw_epoch;
	int64_t            hw_last;
	struct check_pair *pairs;            /* [rf * rf] */
	struct check_range *bad;             /* inconsistent offsets, merged, ascending */
	uint32_t           n_bad, bad_cap;
};

/* Per-partition and total results at the end of the run. */
struct part_metrics {
	uint64_t lost_write, duplicate, unavailable, acked, present, removed;
	uint64_t inconsistent;
};

struct group_metrics {
	uint64_t consumed, redelivered, skipped, unseen, rebalances;
	int64_t  lag;
};

struct check {
	struct run        *run;
	struct check_part *parts;
	bool               broken;
	char               message[600];
	/* end-of-run results */
	struct part_metrics *pm;             /* [nparts] */
	struct part_metrics  total;
	uint64_t             failed_but_present;
	uint64_t            *nonmonotonic;   /* [producers] */
	struct group_metrics *gm;            /* [groups] */
};

int  check_init(struct check *c, struct run *r);
void check_free(struct check *c);
/* After every event: drains the brokers' dirty lists and checks those partitions. Returns
 * false when an invariant broke (c->message says which). */
bool check_after_event(struct check *c);
/* After a fault fired (only faults cut power): notes brokers that lost power since. */
void check_after_fault(struct check *c);
/* A replica lost power: Kafka may lose data on its partitions. */
void check_note_power_loss(struct check *c, uint32_t broker_index);
/* Computes the end-of-run metrics. Returns 0 or -1 (out of memory). */
int  check_final(struct check *c);

/* check_groups.c: the consumer side. */
bool check_groups_event(struct check *c);
int  check_groups_final(struct check *c);
/* The committed offset of group g for tp at its coordinator now, -1 if none. */
int64_t check_committed(const struct run *r, uint32_t g, uint32_t tp);
const struct broker *check_coordinator(const struct run *r, uint32_t g);

#endif
