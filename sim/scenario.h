/*
 * scenario.h — a scenario file (scenario-format.md, schema v1) loaded into plain C structs.
 *
 * The loader parses and validates the whole file before anything runs: every key of the
 * schema, Kafka configs with their defaults and validators (sim/config_table.h), references
 * between sections, cross-field rules and the limits of 11.9. What it returns is resolved:
 * times in µs (names end _us), sizes in bytes, rates as exact rationals, probabilities as
 * ratios out of PRNG_RATIO_ONE, configs with Kafka's defaults filled in, node references as
 * tagged values. A loaded scenario is read-only and owns all of its memory (scen_free).
 *
 * Errors are values: FILE:LINE:COL: message, 1-based, pointing at the offending key or
 * value; the loader keeps going where that is safe and keeps the first SCEN_ERRORS_MAX
 * errors in file order.
 */
#ifndef KAFKASIM_SCENARIO_H
#define KAFKASIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/config_table.h"

#define SCEN_ERRORS_MAX      20
#define SCEN_ERROR_MSG_BYTES 400
#define SCEN_FILE_NAME_BYTES 1024

/* A place in the file, 1-based; line 0 means "not from the file" (a default). */
struct scen_pos {
	uint32_t line;
	uint32_t col;
};

struct scen_error {
	struct scen_pos pos;
	char            msg[SCEN_ERROR_MSG_BYTES];
};

/* Zero-initialise before first use ({0}); scen_load_* reset it. */
struct scen_errors {
	char              file[SCEN_FILE_NAME_BYTES];
	uint32_t          count;        /* errors kept, <= SCEN_ERRORS_MAX, sorted by position */
	uint32_t          dropped;      /* further errors found but not kept */
	struct scen_error items[SCEN_ERRORS_MAX];
};

/* --- cluster ---------------------------------------------------------------------------- */

struct scen_network {
	int64_t  latency_us;          /* one-way, every broker/controller link (default 1ms) */
	int64_t  jitter_us;           /* uniform extra delay in [0, jitter] */
	int64_t  client_latency_us;   /* client <-> broker links (default: latency) */
	uint64_t drop_ratio;          /* out of PRNG_RATIO_ONE */
};

struct scen_broker {
	int32_t          id;
	char            *rack;                 /* NULL when not given */
	struct cfg_value cfg[CFG_B_COUNT];     /* cluster.config, then this broker's own config */
	struct scen_pos  pos;
};

struct scen_cluster {
	uint32_t            broker_count;
	struct scen_broker *brokers;          /* ascending id ("brokers by id", 11.1) */
	uint32_t            controllers;      /* quorum size; only 1 is accepted for now */
	struct scen_network net;
	struct cfg_value    cfg[CFG_B_COUNT]; /* cluster.config resolved (Kafka defaults) */
};

/* --- topics ----------------------------------------------------------------------------- */

/* `leader(__consumer_offsets-N)` and partition references to the internal topic. */
#define SCEN_TOPIC_OFFSETS UINT32_MAX

struct scen_topic {
	char            *name;
	uint32_t         partitions;
	uint32_t         rf;                  /* replication.factor */
	int32_t         *replicas;            /* [partitions * rf]: replicas of p at p*rf .. */
	bool            *assigned;            /* [partitions]: true when `assignment` listed p */
	struct cfg_value cfg[CFG_T_COUNT];    /* topic config, else cluster.config, else Kafka */
	struct scen_pos  pos;
};

/* --- clients ---------------------------------------------------------------------------- */

enum scen_client_kind { SCEN_CLIENT_PRODUCER, SCEN_CLIENT_CONSUMER };

/* Every client in file order (sections in the order they appear, entries in order). */
struct scen_client {
	char                 *id;         /* client.id; unique among all clients */
	enum scen_client_kind kind;
	uint32_t              index;      /* producer index, or group index */
	uint32_t              member;     /* member index within the group (consumers) */
	struct scen_pos       pos;
};

struct scen_rate {
	uint64_t count;                   /* `count` records per `per_us` microseconds */
	uint64_t per_us;
};

enum scen_arrival { SCEN_ARRIVAL_EVEN, SCEN_ARRIVAL_POISSON };
enum scen_keys_kind {
	SCEN_KEYS_NONE,                   /* no `keys`: every key is null */
	SCEN_KEYS_LIST,                   /* record i gets keys[i mod key_count] */
	SCEN_KEYS_COUNT,                  /* record i gets "key-" (i mod key_count) */
};

struct scen_key {
	char    *bytes;                   /* UTF-8 source text of the scalar (`01` is "01") */
	uint32_t len;
	bool     is_null;                 /* `~` in the list */
};

struct scen_producer {
	uint32_t            client;       /* index into scenario.clients */
	const char         *id;           /* == clients[client].id */
	uint32_t            topic;
	uint64_t            messages;
	struct scen_rate    rate;
	enum scen_arrival   arrival;
	int64_t             start_us;
	enum scen_keys_kind keys_kind;
	uint32_t            key_count;
	struct scen_key    *keys;         /* SCEN_KEYS_LIST only */
	int32_t             partition;    /* explicit partition, or -1 */
	int64_t             value_bytes;
	bool                idempotent;   /* enable.idempotence after Kafka's rules (5, 2.5) */
	struct cfg_value    cfg[CFG_P_COUNT];
	struct scen_pos     pos;
};

enum scen_commit {
	SCEN_COMMIT_AUTO,                 /* Kafka's auto-commit of positions */
	SCEN_COMMIT_AFTER_PROCESSING,     /* commitSync() after a batch's last record */
	SCEN_COMMIT_BEFORE_PROCESSING,    /* commitSync() of positions right after poll() */
	SCEN_COMMIT_NONE,
};

struct scen_member {
	uint32_t         client;          /* index into scenario.clients */
	const char      *id;
	int64_t          start_us;
	uint32_t         topic_count;     /* subscription, topic indices */
	uint32_t        *topics;
	enum scen_commit commit;          /* resolved per member (11.4) */
	struct cfg_value cfg[CFG_C_COUNT]; /* group's configs, then the member's own */
	struct scen_pos  pos;
};

struct scen_group {
	char              *name;          /* group.id */
	uint32_t           topic_count;
	uint32_t          *topics;
	int64_t            start_us;
	int64_t            process_us;    /* per record */
	bool               commit_set;    /* `commit` given explicitly */
	enum scen_commit   commit;        /* the group's mode (members may differ, see member) */
	uint32_t           member_count;
	struct scen_member *members;
	struct cfg_value   cfg[CFG_C_COUNT];
	struct scen_pos    pos;
};

/* --- node references and faults --------------------------------------------------------- */

enum scen_ref_kind {
	SCEN_REF_BROKER,                  /* broker_id */
	SCEN_REF_CONTROLLER,              /* the active controller when the fault fires */
	SCEN_REF_CONTROLLER_N,            /* controller-N: controller (1-based) */
	SCEN_REF_LEADER,                  /* leader(TOPIC-P): topic (or SCEN_TOPIC_OFFSETS), partition */
	SCEN_REF_COORDINATOR,             /* coordinator(GROUP): group */
	SCEN_REF_CLIENT,                  /* a producer or consumer member: client */
};

struct scen_ref {
	enum scen_ref_kind kind;
	int32_t            broker_id;
	uint32_t           controller;
	uint32_t           topic;
	uint32_t           partition;
	uint32_t           group;
	uint32_t           client;
	struct scen_pos    pos;
};

enum scen_fault_kind {
	SCEN_FAULT_CRASH,
	SCEN_FAULT_RESTART,
	SCEN_FAULT_STOP,
	SCEN_FAULT_PAUSE,
	SCEN_FAULT_PARTITION,
	SCEN_FAULT_ISOLATE,
	SCEN_FAULT_LINK,
	SCEN_FAULT_CLOCK,
	SCEN_FAULT_HEAL,
	SCEN_FAULT_LEAVE,
	SCEN_FAULT_STALL,
	SCEN_FAULT_KIND_COUNT,
};

struct scen_link {
	struct scen_ref from;
	struct scen_ref to;
	bool            has_drop, has_latency, has_jitter;
	uint64_t        drop_ratio;
	int64_t         latency_us;
	int64_t         jitter_us;
};

struct scen_fault {
	uint32_t             index;       /* position in the file's faults list */
	enum scen_fault_kind kind;
	int64_t              at_us;
	bool                 has_for;
	int64_t              for_us;      /* > 0 when has_for */
	struct scen_ref      node;        /* crash restart stop pause isolate clock leave stall */
	bool                 power_loss;  /* crash */
	/* partition: nodes of group g are nodes[group_start[g] .. group_start[g+1]) */
	uint32_t             group_count;
	uint32_t            *group_start;
	uint32_t             node_count;
	struct scen_ref     *nodes;
	struct scen_link     link;        /* link */
	int64_t              skew_us;     /* clock; may be negative */
	struct scen_pos      pos;
};

enum scen_nemesis_kind {
	SCEN_NEMESIS_CRASH, SCEN_NEMESIS_POWER_LOSS, SCEN_NEMESIS_PAUSE, SCEN_NEMESIS_PARTITION,
	SCEN_NEMESIS_ISOLATE, SCEN_NEMESIS_LINK, SCEN_NEMESIS_CLOCK, SCEN_NEMESIS_KIND_COUNT,
};

enum scen_targets {
	SCEN_TARGETS_BROKERS, SCEN_TARGETS_CONTROLLERS, SCEN_TARGETS_CLIENTS, SCEN_TARGETS_ALL,
};

struct scen_nemesis {
	bool                   enabled;
	uint32_t               kind_count;                      /* kinds in file order */
	enum scen_nemesis_kind kinds[SCEN_NEMESIS_KIND_COUNT];
	enum scen_targets      targets;
	int64_t                interval_us;                     /* mean gap */
	int64_t                for_us;                          /* mean length */
	uint32_t               max_concurrent;
	struct scen_pos        pos;
};

/* --- expectations ----------------------------------------------------------------------- */

enum scen_metric {
	SCEN_M_ACKED, SCEN_M_FAILED, SCEN_M_LOST_WRITE, SCEN_M_DUPLICATE,
	SCEN_M_NONMONOTONIC_SEND, SCEN_M_FAILED_BUT_PRESENT, SCEN_M_UNAVAILABLE,
	SCEN_M_INCONSISTENT_OFFSETS, SCEN_M_UNSEEN, SCEN_M_SKIPPED, SCEN_M_REDELIVERED,
	SCEN_M_CONSUMED, SCEN_M_LAG, SCEN_M_REBALANCES, SCEN_M_ELECTIONS,
	SCEN_M_UNCLEAN_ELECTIONS, SCEN_M_PRODUCE_ERRORS, SCEN_M_CONSUMER_ERRORS,
	SCEN_M_OFFLINE_MS, SCEN_M_LEADER, SCEN_M_LEADER_EPOCH, SCEN_M_ISR, SCEN_M_ELR, SCEN_M_HW,
	SCEN_M_LOG_START_OFFSET, SCEN_M_LEO, SCEN_M_COMMITTED_OFFSET, SCEN_M_ASSIGNMENT,
	SCEN_M_COUNT,
};

enum scen_op { SCEN_OP_EQ, SCEN_OP_NE, SCEN_OP_LT, SCEN_OP_LE, SCEN_OP_GT, SCEN_OP_GE };

struct scen_tp {
	uint32_t topic;                   /* topic index, or SCEN_TOPIC_OFFSETS */
	uint32_t partition;
};

struct scen_expect {
	enum scen_metric metric;
	/* scope: each has_* says whether the key was given */
	bool             has_producer, has_partition, has_group, has_member, has_replica;
	bool             has_code, has_at;
	uint32_t         producer;        /* producer index */
	struct scen_tp   partition;
	uint32_t         group;           /* group index */
	uint32_t         member;          /* client index of the consumer member */
	int32_t          replica;         /* broker id */
	const char      *code;            /* Kafka error name or Java exception class */
	int64_t          at_us;
	/* condition */
	enum scen_op     op;
	bool             is_list;         /* isr, elr (broker ids), assignment (partitions) */
	int64_t          value;           /* when !is_list; leader `none` is -1 */
	uint32_t         list_len;
	int32_t         *brokers;         /* isr/elr, sorted ascending */
	struct scen_tp  *tps;             /* assignment, sorted */
	char            *text;            /* canonical form for reports: "lost-write == 0" */
	struct scen_pos  pos;
};

/* --- the scenario ----------------------------------------------------------------------- */

struct scen_arena;

struct scenario {
	char                *file;
	char                *name;
	char                *description;     /* NULL when absent */
	uint64_t             seed;
	int64_t              duration_us;
	bool                 end_heal;
	int64_t              settle_us;

	struct scen_cluster  cluster;

	uint32_t             topic_count;
	struct scen_topic   *topics;          /* file order */
	/* __consumer_offsets, created on first use (4): offsets.topic.num.partitions, its RF
	 * capped at the broker count, default layout. */
	uint32_t             offsets_partitions;
	uint32_t             offsets_rf;
	int32_t             *offsets_replicas; /* [offsets_partitions * offsets_rf] */

	uint32_t             producer_count;
	struct scen_producer *producers;
	uint32_t             group_count;
	struct scen_group   *groups;
	uint32_t             client_count;
	struct scen_client  *clients;
	uint64_t             records_total;   /* Σ messages */

	uint32_t             fault_count;
	struct scen_fault   *faults;          /* file order; faults[i].index == i */
	struct scen_nemesis  nemesis;

	uint32_t             expect_count;
	struct scen_expect  *expects;

	struct scen_arena   *arena;           /* owns every pointer above */
};

/* Loads a file: checks it is a regular file of at most LIMIT_FILE_BYTES, then as below. */
int  scen_load_file(const char *path, struct scenario **out, struct scen_errors *errs);
/* Loads `len` bytes named `name` (used in messages). On success *out is a new scenario and
 * 0 is returned; otherwise *out is NULL, errs holds the errors and the result is non-zero. */
int  scen_load_buffer(const char *name, const char *buf, size_t len, struct scenario **out,
		      struct scen_errors *errs);
void scen_free(struct scenario *s);   /* NULL is fine */

/* FILE:LINE:COL: message, one per line, in file order; then a count of dropped errors. */
void scen_errors_print(const struct scen_errors *errs, FILE *f);
void scen_errors_free(struct scen_errors *errs);

/* When record i (from 0) of an evenly spaced producer is due: start + floor(i * per / count)
 * (scenario-format 11.2), exact in 128-bit arithmetic; INT64_MAX if beyond. */
int64_t scen_record_due_us(const struct scen_producer *p, uint64_t i);

/* Names for reports and traces. */
const char *scen_metric_name(enum scen_metric m);
const char *scen_fault_kind_name(enum scen_fault_kind k);
const char *scen_nemesis_kind_name(enum scen_nemesis_kind k);
const char *scen_commit_name(enum scen_commit c);
const char *scen_op_name(enum scen_op op);
/* Writes a node reference as the scenario would ("2", "controller-1", "leader(orders-0)",
 * "billing-1"); returns buf. */
char *scen_ref_format(const struct scenario *s, const struct scen_ref *r, char *buf, size_t cap);
/* Writes "TOPIC-P"; returns buf. */
char *scen_tp_format(const struct scenario *s, struct scen_tp tp, char *buf, size_t cap);
/* The index of a topic by name, or -1. */
int  scen_topic_find(const struct scenario *s, const char *name);
/* The index of a client by id, or -1. */
int  scen_client_find(const struct scenario *s, const char *id);
/* A broker's index in cluster.brokers by id, or -1. */
int  scen_broker_index(const struct scenario *s, int32_t id);

#endif
