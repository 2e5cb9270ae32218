/*
 * fuzz_scenario.c — libFuzzer target for the scenario loader: any bytes go through
 * scen_load_buffer, which must return an error or a scenario without crashing, hanging,
 * leaking or printing. A scenario that loads must also be whole: every index in range,
 * every reference resolved, every expectation scoped as its metric needs (check_* below),
 * so the fuzzer also finds input the loader accepts without checking. Built by tests/fuzz.sh
 * (never by `make unit`: the name is not tests/test_*.c).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/limits.h"
#include "sim/prng.h"
#include "sim/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* assert() may be compiled out by someone's flags; this may not. */
#define CHECK(c)                                                                    \
	do {                                                                        \
		if (!(c)) {                                                         \
			fprintf(stderr, "fuzz_scenario: %s:%d: %s\n", __FILE__,     \
				__LINE__, #c);                                      \
			abort();                                                    \
		}                                                                   \
	} while (0)

static void check_tp(const struct scenario *s, uint32_t topic, uint32_t partition)
{
	if (topic == SCEN_TOPIC_OFFSETS) {
		CHECK(partition < s->offsets_partitions);
		return;
	}
	CHECK(topic < s->topic_count);
	CHECK(partition < s->topics[topic].partitions);
}

static void check_ref(const struct scenario *s, const struct scen_ref *r)
{
	switch (r->kind) {
	case SCEN_REF_BROKER:
		CHECK(scen_broker_index(s, r->broker_id) >= 0);
		break;
	case SCEN_REF_CONTROLLER:
		break;
	case SCEN_REF_CONTROLLER_N:
		CHECK(r->controller >= 1 && r->controller <= s->cluster.controllers);
		break;
	case SCEN_REF_LEADER:
		check_tp(s, r->topic, r->partition);
		break;
	case SCEN_REF_COORDINATOR:
		CHECK(r->group < s->group_count);
		break;
	case SCEN_REF_CLIENT:
		CHECK(r->client < s->client_count);
		break;
	default:
		CHECK(r->kind <= SCEN_REF_CLIENT);
	}
}

static void check_cluster_topics(const struct scenario *s)
{
	CHECK(s->name != NULL && s->duration_us > 0 && s->settle_us >= 0);
	CHECK(s->duration_us <= LIMIT_RUN_US - s->settle_us);
	CHECK(s->cluster.broker_count >= 1 && s->cluster.broker_count <= LIMIT_BROKERS);
	CHECK(s->cluster.controllers == 1);
	for (uint32_t i = 1; i < s->cluster.broker_count; i++)
		CHECK(s->cluster.brokers[i - 1].id < s->cluster.brokers[i].id);
	CHECK(s->cluster.net.drop_ratio <= PRNG_RATIO_ONE);
	CHECK(s->offsets_rf >= 1 && s->offsets_rf <= s->cluster.broker_count);
	for (uint32_t t = 0; t < s->topic_count; t++) {
		const struct scen_topic *tp = &s->topics[t];
		CHECK(tp->name != NULL && tp->partitions >= 1 && tp->rf >= 1);
		CHECK(tp->rf <= s->cluster.broker_count && tp->replicas != NULL);
		for (uint32_t p = 0; p < tp->partitions; p++)
			for (uint32_t i = 0; i < tp->rf; i++) {
				int32_t id = tp->replicas[(size_t)p * tp->rf + i];
				CHECK(scen_broker_index(s, id) >= 0);
				for (uint32_t j = 0; j < i; j++)
					CHECK(tp->replicas[(size_t)p * tp->rf + j] != id);
			}
	}
}

static void check_clients(const struct scenario *s)
{
	CHECK(s->client_count <= LIMIT_CLIENTS && s->records_total <= LIMIT_RECORDS_TOTAL);
	for (uint32_t i = 0; i < s->producer_count; i++) {
		const struct scen_producer *p = &s->producers[i];
		CHECK(p->client < s->client_count && s->clients[p->client].index == i);
		CHECK(s->clients[p->client].kind == SCEN_CLIENT_PRODUCER);
		CHECK(p->topic < s->topic_count && p->messages >= 1);
		CHECK(p->rate.count > 0 && p->rate.per_us > 0 && p->start_us < s->duration_us);
		CHECK(p->partition < 0 || (uint32_t)p->partition < s->topics[p->topic].partitions);
		CHECK(p->keys_kind == SCEN_KEYS_NONE || p->key_count >= 1);
		if (p->arrival == SCEN_ARRIVAL_EVEN)
			CHECK(scen_record_due_us(p, p->messages - 1) < s->duration_us);
		if (p->idempotent)
			CHECK(p->cfg[CFG_P_ACKS].v == -1);
	}
	for (uint32_t g = 0; g < s->group_count; g++) {
		const struct scen_group *gr = &s->groups[g];
		CHECK(gr->member_count >= 1 && gr->topic_count >= 1);
		for (uint32_t m = 0; m < gr->member_count; m++) {
			const struct scen_member *mb = &gr->members[m];
			CHECK(mb->client < s->client_count && s->clients[mb->client].index == g);
			CHECK(s->clients[mb->client].member == m && mb->topic_count >= 1);
			for (uint32_t t = 0; t < mb->topic_count; t++)
				CHECK(mb->topics[t] < s->topic_count);
			CHECK(mb->commit == SCEN_COMMIT_AUTO || !mb->cfg[CFG_C_ENABLE_AUTO_COMMIT].v);
		}
	}
}

static void check_faults(const struct scenario *s)
{
	CHECK(s->fault_count <= LIMIT_FAULTS);
	for (uint32_t i = 0; i < s->fault_count; i++) {
		const struct scen_fault *f = &s->faults[i];
		CHECK(f->index == i && f->at_us >= 0 && f->at_us < s->duration_us);
		CHECK(!f->has_for || f->for_us > 0);
		if (f->kind == SCEN_FAULT_PARTITION) {
			CHECK(f->group_count >= 2 && f->group_start[f->group_count] == f->node_count);
			for (uint32_t k = 0; k < f->node_count; k++)
				check_ref(s, &f->nodes[k]);
		} else if (f->kind == SCEN_FAULT_LINK) {
			check_ref(s, &f->link.from);
			check_ref(s, &f->link.to);
		} else if (f->kind != SCEN_FAULT_HEAL) {
			check_ref(s, &f->node);
		}
		if (f->kind == SCEN_FAULT_LEAVE || f->kind == SCEN_FAULT_STALL)
			CHECK(f->node.kind == SCEN_REF_CLIENT &&
			      s->clients[f->node.client].kind == SCEN_CLIENT_CONSUMER);
	}
	if (s->nemesis.enabled)
		CHECK(s->nemesis.kind_count >= 1 && s->nemesis.interval_us > 0 &&
		      s->nemesis.for_us > 0 && s->nemesis.max_concurrent >= 1);
}

static void check_expects(const struct scenario *s)
{
	for (uint32_t i = 0; i < s->expect_count; i++) {
		const struct scen_expect *e = &s->expects[i];
		enum scen_metric m = e->metric;
		CHECK(m < SCEN_M_COUNT && e->text != NULL);
		bool group = m >= SCEN_M_UNSEEN && m <= SCEN_M_REBALANCES;
		bool state = m >= SCEN_M_LEADER;
		CHECK(!group || e->has_group);
		CHECK(!state || m == SCEN_M_ASSIGNMENT || e->has_partition);
		CHECK(!e->has_at || state);
		CHECK(!e->has_at || e->at_us <= s->duration_us + s->settle_us);
		CHECK(m != SCEN_M_PRODUCE_ERRORS || e->has_code);
		CHECK(m != SCEN_M_LEO || e->has_replica);
		CHECK(m != SCEN_M_ASSIGNMENT || (e->has_group && e->has_member));
		bool list = m == SCEN_M_ISR || m == SCEN_M_ELR || m == SCEN_M_ASSIGNMENT;
		CHECK(e->is_list == list);
		CHECK(!list || e->op == SCEN_OP_EQ || e->op == SCEN_OP_NE);
		if (e->has_partition)
			check_tp(s, e->partition.topic, e->partition.partition);
		if (e->has_group)
			CHECK(e->group < s->group_count);
		if (e->has_producer)
			CHECK(e->producer < s->producer_count);
		if (e->has_member)
			CHECK(e->member < s->client_count);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scenario *s = NULL;
	struct scen_errors errs = {0};
	int rc = scen_load_buffer("fuzz.yaml", (const char *)data, size, &s, &errs);
	/* Exactly one of: a scenario, or at least one error. */
	CHECK((rc == 0) == (s != NULL));
	CHECK(rc == 0 || errs.count > 0);
	CHECK(rc != 0 || (errs.count == 0 && errs.dropped == 0));
	if (s != NULL) {
		check_cluster_topics(s);
		check_clients(s);
		check_faults(s);
		check_expects(s);
	}
	scen_free(s);
	scen_errors_free(&errs);
	return 0;
}
