/*
 * limits.h — every limit kafkasim enforces, in one place, each with its reason.
 *
 * Input that exceeds a limit is refused by the scenario loader with a clear error
 * (scenario-format.md 11.9); the run never discovers a limit by crashing.
 */
#ifndef KAFKASIM_LIMITS_H
#define KAFKASIM_LIMITS_H

#include <stdint.h>

/* Scenario-format 11.9: the contract's own limits. */
#define LIMIT_BROKERS            1024
#define LIMIT_CONTROLLERS        5              /* KRaft quorum sizes 1, 3, 5 */
#define LIMIT_PARTITIONS_TOTAL   100000         /* partitions in all topics together */
#define LIMIT_CLIENTS            10000          /* producers + consumer members */
#define LIMIT_RECORDS_TOTAL      1000000000LL   /* Σ producers' messages */
#define LIMIT_FAULTS             100000         /* scripted faults (nemesis draws too) */
#define LIMIT_RUN_US             (366LL * 24 * 3600 * 1000000)  /* duration + settle */
#define LIMIT_FILE_BYTES         (16u * 1024 * 1024)
#define LIMIT_YAML_NODES         10000          /* nodes after alias expansion */
#define LIMIT_YAML_DEPTH         64             /* nesting depth */

/* Replica slots (partitions x replication factor) over all topics: the loader stores every
 * partition's replica list, and 100 000 partitions at replication factor 1024 would not fit
 * in memory. 10 per partition at the partition limit. */
#define LIMIT_REPLICAS_TOTAL     1000000

/* Nodes: controllers, then brokers, then clients; one machine each. */
#define LIMIT_NODES              (LIMIT_CONTROLLERS + LIMIT_BROKERS + LIMIT_CLIENTS)

/* Names: topic names follow Kafka's 249-character limit (Topic.MAX_NAME_LENGTH). */
#define LIMIT_NAME_BYTES         249

/* The event kernel's sequence numbers take 40 bits of the ordering key. A run that
 * schedules more events than this stops with an error rather than misordering. */
#define LIMIT_EVENT_SEQ          ((UINT64_C(1) << 40) - 1)

#endif
