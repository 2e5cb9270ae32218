/*
 * run.h — the state of one run, shared by the runner (sim/runner.c) and the summary
 * (sim/summary.c). Not a public interface.
 */
#ifndef KAFKASIM_RUN_H
#define KAFKASIM_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "model/broker.h"
#include "model/cluster.h"
#include "model/consumer.h"
#include "model/controller.h"
#include "model/producer.h"
#include "model/records.h"
#include "sim/check.h"
#include "sim/fault.h"
#include "sim/kernel.h"
#include "sim/runner.h"
#include "sim/scenario.h"
#include "sim/trace.h"
#include "sim/world.h"

/* One notable event for the timeline: its trace line. */
struct run_note {
	int64_t t_us;
	char   *line;
};

/* An expectation's outcome. */
#define RUN_LIST_MAX 64
struct run_check {
	bool        evaluated;   /* the metric exists in this version */
	bool        ok;
	bool        is_list;
	int64_t     actual;
	int32_t     list[RUN_LIST_MAX];   /* a list metric's actual value, sorted */
	uint32_t    list_len;
	bool        is_tps;      /* list holds partitions (tps), not broker ids */
	const char *why;         /* when not evaluated */
};

struct run {
	const struct scenario    *s;
	const struct run_options *o;
	uint64_t                  seed;
	int64_t                   end_us;
	struct sim_kernel         kernel;
	struct trace              trace;
	struct world              world;
	struct fault_plan         plan;
	char                      trace_sha256[65];
	/* node layout */
	uint32_t                  controller_node;
	uint32_t                  broker_node0;
	uint32_t                  client_node0;
	/* models */
	struct cluster_cfg        ccfg;
	int32_t                  *broker_ids;
	struct broker_cfg        *bcfgs;
	struct broker            *brokers;
	struct controller         controller;
	bool                      controller_ready;
	uint32_t                  brokers_ready;
	struct topic_cfg         *topics;
	struct part_cfg          *parts;
	uint32_t                  user_parts;      /* tps below this are user topics */
	struct group_cfg         *groups;
	const char              **client_ids;
	struct commit_store       commits;
	/* producers */
	struct producer_cfg      *pcfgs;
	struct producer          *producers;
	uint32_t                  producers_ready;
	const uint8_t           **key_bytes;       /* flattened keys of every producer */
	uint32_t                 *key_lens;
	bool                     *key_null;
	struct check              check;
	bool                      check_ready;
	/* consumers */
	struct consumer_cfg      *ccfgs;
	struct consumer          *consumers;       /* groups' members, group after group */
	uint32_t                  nconsumers;
	uint32_t                  consumers_ready;
	uint32_t                 *consumer_of_client;
	struct proc_log           procs;
	uint64_t                  procs_checked;   /* proc events the checker has seen */
	/* records */
	struct rec_store          store;
	struct rec_outcome      **outcomes;        /* [producers][messages] */
	uint64_t                  ctl_unclean_seen;
	bool                     *power_noted;     /* [brokers] */
	/* timeline */
	struct run_note          *timeline;
	uint32_t                  timeline_len;
	uint32_t                  timeline_cap;
	bool                      timeline_oom;
	/* expectations */
	struct run_check         *checks;
};

#endif
