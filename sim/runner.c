/*
 * runner.c — one run of one scenario, from the loaded file to the verdict.
 *
 * Node order (scenario-format 11.1): controller-1..N, brokers by id, then every client in
 * file order. The runner owns the models' storage, answers the fault plan's "which node is
 * this reference now", samples `at:` expectations after every event at times <= T, and
 * collects the timeline of notable events from the trace as it is written.
 */
#include "sim/runner.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "model/broker.h"
#include "model/cluster.h"
#include "model/consumer.h"
#include "model/controller.h"
#include "model/partitioner.h"
#include "model/proto.h"
#include "sim/fault.h"
#include "sim/json.h"
#include "sim/kernel.h"
#include "sim/run.h"
#include "sim/scenario.h"
#include "sim/summary.h"
#include "sim/trace.h"
#include "sim/units.h"
#include "sim/world.h"

/* Trace kinds that make the timeline, sorted for a binary search (this runs per line). */
static const char *const notable[] = {
	"alter_partition_failed", "assigned", "broker_fenced", "broker_registered",
	"broker_unfenced", "client_action_skipped", "clock", "commit_failed",
	"consumer_exception", "controlled_shutdown", "crash", "end", "fault", "fault_skipped",
	"fault_undo", "group_loaded", "group_rebalance", "group_stable", "heal", "isolate",
	"joined", "leader_election", "leave", "left_group", "link", "member_left",
	"member_session_expired", "offset_reset", "partition", "partition_change", "pause",
	"power_loss", "restart", "resume", "retention", "revoked", "shutdown_requested", "stall",
	"stall_end", "stop", "truncate", "truncate_to_hw", "undo",
};

static bool is_notable(const char *ev)
{
	size_t lo = 0, hi = sizeof(notable) / sizeof(notable[0]);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(ev, notable[mid]);
		if (c == 0)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

static void observe(void *ctx, int64_t t_us, const char *node, const char *ev,
		    const char *line, uint32_t len)
{
	struct run *r = ctx;
	(void)node;
	if (!is_notable(ev) || r->timeline_oom)
		return;
	if (r->timeline_len == r->timeline_cap) {
		uint32_t cap = r->timeline_cap ? r->timeline_cap * 2 : 64;
		struct run_note *n = realloc(r->timeline, cap * sizeof(*n));
		if (n == NULL) {
			r->timeline_oom = true;
			return;
		}
		r->timeline = n;
		r->timeline_cap = cap;
	}
	char *copy = malloc(len + 1);
	if (copy == NULL) {
		r->timeline_oom = true;
		return;
	}
	memcpy(copy, line, len);
	copy[len] = '\0';
	if (len > 0 && copy[len - 1] == '\n')
		copy[len - 1] = '\0';
	r->timeline[r->timeline_len++] = (struct run_note){t_us, copy};
}

/* ---- which node is a reference now ---------------------------------------------------------- */

static uint32_t broker_node(const struct run *r, int32_t broker_id)
{
	int i = scen_broker_index(r->s, broker_id);
	return i < 0 ? NET_NONE : r->broker_node0 + (uint32_t)i;
}

static uint32_t resolve_ref(void *ctx, const struct scen_ref *ref)
{
	struct run *r = ctx;
	switch (ref->kind) {
	case SCEN_REF_BROKER:
		return broker_node(r, ref->broker_id);
	case SCEN_REF_CONTROLLER:
		return r->controller_node;          /* the single active controller */
	case SCEN_REF_CONTROLLER_N:
		return ref->controller >= 1 && ref->controller <= r->s->cluster.controllers
			? ref->controller - 1 : NET_NONE;
	case SCEN_REF_CLIENT:
		return r->client_node0 + ref->client;
	case SCEN_REF_LEADER: {
		/* Whichever broker the controller's metadata names as leader now (7). */
		uint32_t topic = ref->topic == SCEN_TOPIC_OFFSETS ? r->ccfg.offsets_topic
								   : ref->topic;
		if (topic == UINT32_MAX)
			return NET_NONE;
		uint32_t tp = r->topics[topic].first_tp + ref->partition;
		int32_t leader = ctl_partition(&r->controller, tp)->leader;
		return leader == NO_LEADER ? NET_NONE : broker_node(r, leader);
	}
	case SCEN_REF_COORDINATOR: {
		/* The leader of the group's __consumer_offsets partition. */
		if (r->ccfg.offsets_topic == UINT32_MAX)
			return NET_NONE;
		uint32_t tp = r->topics[r->ccfg.offsets_topic].first_tp +
			      r->groups[ref->group].offsets_partition;
		int32_t leader = ctl_partition(&r->controller, tp)->leader;
		return leader == NO_LEADER ? NET_NONE : broker_node(r, leader);
	}
	}
	return NET_NONE;
}

/* `leave` and `stall` of a consumer member (scenario-format 7, 11.4). */
static void client_action(void *ctx, enum scen_fault_kind kind, uint32_t node, int64_t for_us)
{
	struct run *r = ctx;
	enum node_action what = kind == SCEN_FAULT_LEAVE ? NODE_ACTION_LEAVE : NODE_ACTION_STALL;
	if (!world_action(&r->world, node, what, kind == SCEN_FAULT_STALL ? for_us : 0)) {
		struct trace_line *l = trace_begin(&r->trace, world_now_us(&r->world),
						   world_node_name(&r->world, node),
						   "client_action_skipped");
		trace_str(l, "action", scen_fault_kind_name(kind));
		trace_str(l, "why", "the member is not running");
		trace_end(l);
	}
}

/* ---- setup ------------------------------------------------------------------------------ */

static int64_t bcfg(const struct scen_broker *b, enum cfg_broker_id id)
{
	return b->cfg[id].v;
}

static void fill_topic(struct topic_cfg *t, const struct scen_topic *st, uint32_t first_tp,
		       int64_t dirty_writeback_us)
{
	const struct cfg_value *c = st->cfg;
	*t = (struct topic_cfg){
		.name = st->name, .partitions = st->partitions, .first_tp = first_tp, .rf = st->rf,
		.min_insync_replicas = c[CFG_T_MIN_INSYNC_REPLICAS].v,
		.unclean_leader_election = c[CFG_T_UNCLEAN_LEADER_ELECTION_ENABLE].v != 0,
		.log_append_time = c[CFG_T_MESSAGE_TIMESTAMP_TYPE].v == CFG_TS_LOG_APPEND_TIME,
		.timestamp_before_max_ms = c[CFG_T_MESSAGE_TIMESTAMP_BEFORE_MAX_MS].v,
		.timestamp_after_max_ms = c[CFG_T_MESSAGE_TIMESTAMP_AFTER_MAX_MS].v,
		.max_message_bytes = c[CFG_T_MAX_MESSAGE_BYTES].v,
	};
	plog_config_defaults(&t->log);
	t->log.segment_bytes = c[CFG_T_SEGMENT_BYTES].v;
	t->log.segment_ms = c[CFG_T_SEGMENT_MS].v;
	t->log.retention_ms = c[CFG_T_RETENTION_MS].v;
	t->log.retention_bytes = c[CFG_T_RETENTION_BYTES].v;
	t->log.flush_messages = c[CFG_T_FLUSH_MESSAGES].v;
	t->log.flush_ms = c[CFG_T_FLUSH_MS].v;
	t->log.dirty_writeback_us = dirty_writeback_us;
	t->log.log_append_time = t->log_append_time;
	t->log.cleanup_delete = (c[CFG_T_CLEANUP_POLICY].v & CFG_CLEANUP_DELETE) != 0;
}

/* __consumer_offsets (scenario-format 4): created with the cluster when the scenario has
 * groups (Kafka creates it when a group first needs a coordinator; kafkasim's cluster forms
 * at t = 0 with it), offsets.topic.num.partitions partitions in the default layout, its RF
 * capped at the broker count, compacted (never deleted by retention). */
static void fill_offsets_topic(struct run *r, struct topic_cfg *t, uint32_t first_tp)
{
	const struct scenario *s = r->s;
	const struct cfg_value *c = s->cluster.cfg;
	*t = (struct topic_cfg){
		.name = "__consumer_offsets", .partitions = s->offsets_partitions,
		.first_tp = first_tp, .rf = s->offsets_rf, .internal = true,
		.min_insync_replicas = c[CFG_B_MIN_INSYNC_REPLICAS].v,
		.unclean_leader_election = c[CFG_B_UNCLEAN_LEADER_ELECTION_ENABLE].v != 0,
		.timestamp_before_max_ms = INT64_MAX, .timestamp_after_max_ms = INT64_MAX,
		.max_message_bytes = c[CFG_B_MESSAGE_MAX_BYTES].v,
	};
	plog_config_defaults(&t->log);
	t->log.segment_bytes = c[CFG_B_OFFSETS_TOPIC_SEGMENT_BYTES].v;
	t->log.dirty_writeback_us = c[CFG_B_SIM_DIRTY_WRITEBACK].v;
	t->log.cleanup_delete = false;
}

static int setup_groups(struct run *r, uint32_t offsets_topic)
{
	const struct scenario *s = r->s;
	r->groups = calloc(s->group_count + 1, sizeof(*r->groups));
	r->client_ids = calloc(s->client_count + 1, sizeof(*r->client_ids));
	if (r->groups == NULL || r->client_ids == NULL)
		return -1;
	for (uint32_t g = 0; g < s->group_count; g++)
		r->groups[g] = (struct group_cfg){
			.name = s->groups[g].name,
			.offsets_partition = part_for_group(s->groups[g].name, s->offsets_partitions),
		};
	for (uint32_t c = 0; c < s->client_count; c++)
		r->client_ids[c] = s->clients[c].id;
	r->ccfg.ngroups = s->group_count;
	r->ccfg.groups = r->groups;
	r->ccfg.offsets_topic = offsets_topic;
	r->ccfg.nclients = s->client_count;
	r->ccfg.client_ids = r->client_ids;
	return 0;
}

static int setup_topics(struct run *r)
{
	const struct scenario *s = r->s;
	bool offsets = s->group_count > 0;
	uint32_t nparts = 0, ntopics = s->topic_count + (offsets ? 1 : 0);
	for (uint32_t t = 0; t < s->topic_count; t++)
		nparts += s->topics[t].partitions;
	r->user_parts = nparts;
	if (offsets)
		nparts += s->offsets_partitions;
	r->topics = calloc(ntopics + 1, sizeof(*r->topics));
	r->parts = calloc(nparts + 1, sizeof(*r->parts));
	if (r->topics == NULL || r->parts == NULL)
		return -1;
	int64_t wb = s->cluster.cfg[CFG_B_SIM_DIRTY_WRITEBACK].v;
	uint32_t tp = 0;
	for (uint32_t t = 0; t < s->topic_count; t++) {
		const struct scen_topic *st = &s->topics[t];
		fill_topic(&r->topics[t], st, tp, wb);
		for (uint32_t p = 0; p < st->partitions; p++, tp++)
			r->parts[tp] = (struct part_cfg){
				.topic = t, .partition = p, .rf = st->rf,
				.replicas = &st->replicas[p * st->rf],
			};
	}
	if (offsets) {
		uint32_t t = s->topic_count;
		fill_offsets_topic(r, &r->topics[t], tp);
		for (uint32_t p = 0; p < s->offsets_partitions; p++, tp++)
			r->parts[tp] = (struct part_cfg){
				.topic = t, .partition = p, .rf = s->offsets_rf,
				.replicas = &s->offsets_replicas[p * s->offsets_rf],
			};
	}
	r->ccfg.ntopics = ntopics;
	r->ccfg.topics = r->topics;
	r->ccfg.nparts = nparts;
	r->ccfg.parts = r->parts;
	r->ccfg.offsets_topic = UINT32_MAX;
	return setup_groups(r, offsets ? s->topic_count : UINT32_MAX);
}

static void fill_broker_cfg(struct broker_cfg *bc, const struct scen_broker *sb)
{
	*bc = (struct broker_cfg){
		.broker_id = sb->id,
		.broker_heartbeat_interval_ms = bcfg(sb, CFG_B_BROKER_HEARTBEAT_INTERVAL_MS),
		.broker_session_timeout_ms = bcfg(sb, CFG_B_BROKER_SESSION_TIMEOUT_MS),
		.controller_request_timeout_ms =
			bcfg(sb, CFG_B_CONTROLLER_QUORUM_REQUEST_TIMEOUT_MS),
		.socket_connection_setup_timeout_ms =
			bcfg(sb, CFG_B_SOCKET_CONNECTION_SETUP_TIMEOUT_MS),
		.reconnect_backoff_ms = 50,   /* reconnect.backoff.ms (CommonClientConfigs) */
		.replica_lag_time_max_ms = bcfg(sb, CFG_B_REPLICA_LAG_TIME_MAX_MS),
		.replica_fetch_wait_max_ms = bcfg(sb, CFG_B_REPLICA_FETCH_WAIT_MAX_MS),
		.replica_fetch_min_bytes = bcfg(sb, CFG_B_REPLICA_FETCH_MIN_BYTES),
		.replica_fetch_max_bytes = bcfg(sb, CFG_B_REPLICA_FETCH_MAX_BYTES),
		.replica_fetch_backoff_ms = bcfg(sb, CFG_B_REPLICA_FETCH_BACKOFF_MS),
		.replica_hw_checkpoint_interval_ms =
			bcfg(sb, CFG_B_REPLICA_HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS),
		.log_retention_check_interval_ms = bcfg(sb, CFG_B_LOG_RETENTION_CHECK_INTERVAL_MS),
		.log_initial_task_delay_ms = bcfg(sb, CFG_B_LOG_INITIAL_TASK_DELAY_MS),
		.dirty_writeback_us = bcfg(sb, CFG_B_SIM_DIRTY_WRITEBACK),
		.truncation = bcfg(sb, CFG_B_SIM_TRUNCATION) == CFG_TRUNC_HIGH_WATERMARK
			? TRUNCATE_HIGH_WATERMARK : TRUNCATE_LEADER_EPOCH,
		.group_initial_rebalance_delay_ms = bcfg(sb, CFG_B_GROUP_INITIAL_REBALANCE_DELAY_MS),
		.group_min_session_timeout_ms = bcfg(sb, CFG_B_GROUP_MIN_SESSION_TIMEOUT_MS),
		.group_max_session_timeout_ms = bcfg(sb, CFG_B_GROUP_MAX_SESSION_TIMEOUT_MS),
		.offsets_commit_timeout_ms = bcfg(sb, CFG_B_OFFSETS_COMMIT_TIMEOUT_MS),
	};
}

static int setup_models(struct run *r)
{
	const struct scenario *s = r->s;
	uint32_t nb = s->cluster.broker_count;
	r->broker_ids = calloc(nb, sizeof(*r->broker_ids));
	r->bcfgs = calloc(nb, sizeof(*r->bcfgs));
	r->brokers = calloc(nb, sizeof(*r->brokers));
	if (!r->broker_ids || !r->bcfgs || !r->brokers)
		return -1;
	r->controller_node = 0;
	r->broker_node0 = s->cluster.controllers;
	r->client_node0 = r->broker_node0 + nb;
	for (uint32_t i = 0; i < nb; i++) {
		r->broker_ids[i] = s->cluster.brokers[i].id;
		fill_broker_cfg(&r->bcfgs[i], &s->cluster.brokers[i]);
	}
	const struct cfg_value *cc = s->cluster.cfg;
	r->ccfg = (struct cluster_cfg){
		.brokers = nb, .broker_node0 = r->broker_node0,
		.controller_node = r->controller_node, .broker_ids = r->broker_ids,
		.elr_enabled = cc[CFG_B_ELIGIBLE_LEADER_REPLICAS_VERSION].v >= 1,
	};
	if (setup_topics(r) != 0)
		return -1;
	struct controller_cfg ctl = {
		.broker_session_timeout_ms = cc[CFG_B_BROKER_SESSION_TIMEOUT_MS].v,
		.auto_leader_rebalance_enable = cc[CFG_B_AUTO_LEADER_REBALANCE_ENABLE].v != 0,
		.leader_imbalance_check_interval_s =
			cc[CFG_B_LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS].v,
	};
	if (ctl_init(&r->controller, &ctl, &r->ccfg) != 0)
		return -1;
	r->controller_ready = true;
	for (uint32_t i = 0; i < nb; i++) {
		r->brokers_ready = i + 1;
		if (broker_init(&r->brokers[i], &r->bcfgs[i], &r->ccfg, i) != 0)
			return -1;
		r->brokers[i].commits = &r->commits;
	}
	return 0;
}

static int64_t pc_v(const struct scen_producer *sp, enum cfg_producer_id id)
{
	return sp->cfg[id].v;
}

static void fill_producer_cfg(struct run *r, uint32_t i, uint32_t key_base)
{
	const struct scen_producer *sp = &r->s->producers[i];
	struct producer_cfg *pc = &r->pcfgs[i];
	*pc = (struct producer_cfg){
		.index = i, .topic = sp->topic, .messages = sp->messages,
		.rate_count = sp->rate.count, .rate_per_us = sp->rate.per_us,
		.poisson = sp->arrival == SCEN_ARRIVAL_POISSON, .start_us = sp->start_us,
		.stop_us = r->s->duration_us, .partition = sp->partition,
		.value_bytes = sp->value_bytes, .acks = (int16_t)pc_v(sp, CFG_P_ACKS),
		.idempotent = sp->idempotent, .retries = pc_v(sp, CFG_P_RETRIES),
		.delivery_timeout_ms = pc_v(sp, CFG_P_DELIVERY_TIMEOUT_MS),
		.request_timeout_ms = pc_v(sp, CFG_P_REQUEST_TIMEOUT_MS),
		.retry_backoff_ms = pc_v(sp, CFG_P_RETRY_BACKOFF_MS),
		.retry_backoff_max_ms = pc_v(sp, CFG_P_RETRY_BACKOFF_MAX_MS),
		.max_in_flight = pc_v(sp, CFG_P_MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION),
		.linger_ms = pc_v(sp, CFG_P_LINGER_MS), .batch_size = pc_v(sp, CFG_P_BATCH_SIZE),
		.buffer_memory = pc_v(sp, CFG_P_BUFFER_MEMORY),
		.max_block_ms = pc_v(sp, CFG_P_MAX_BLOCK_MS),
		.max_request_size = pc_v(sp, CFG_P_MAX_REQUEST_SIZE),
		.partitioner_ignore_keys = pc_v(sp, CFG_P_PARTITIONER_IGNORE_KEYS) != 0,
		.partitioner_adaptive_off =
			pc_v(sp, CFG_P_PARTITIONER_ADAPTIVE_PARTITIONING_ENABLE) == 0,
		.partitioner_availability_timeout_ms =
			pc_v(sp, CFG_P_PARTITIONER_AVAILABILITY_TIMEOUT_MS),
		.metadata_max_age_ms = pc_v(sp, CFG_P_METADATA_MAX_AGE_MS),
		.reconnect_backoff_ms = pc_v(sp, CFG_P_RECONNECT_BACKOFF_MS),
		.reconnect_backoff_max_ms = pc_v(sp, CFG_P_RECONNECT_BACKOFF_MAX_MS),
		.socket_connection_setup_timeout_ms =
			pc_v(sp, CFG_P_SOCKET_CONNECTION_SETUP_TIMEOUT_MS),
	};
	if (sp->keys_kind == SCEN_KEYS_COUNT) {
		pc->key_mod = sp->key_count;
	} else if (sp->keys_kind == SCEN_KEYS_LIST) {
		for (uint32_t k = 0; k < sp->key_count; k++) {
			r->key_bytes[key_base + k] = (const uint8_t *)sp->keys[k].bytes;
			r->key_lens[key_base + k] = sp->keys[k].len;
			r->key_null[key_base + k] = sp->keys[k].is_null;
		}
		pc->key_count = sp->key_count;
		pc->keys = &r->key_bytes[key_base];
		pc->key_lens = &r->key_lens[key_base];
		pc->key_null = &r->key_null[key_base];
	}
}

static int setup_producers(struct run *r)
{
	const struct scenario *s = r->s;
	uint32_t np = s->producer_count, nkeys = 0;
	for (uint32_t i = 0; i < np; i++)
		if (s->producers[i].keys_kind == SCEN_KEYS_LIST)
			nkeys += s->producers[i].key_count;
	rec_store_init(&r->store);
	r->pcfgs = calloc(np + 1, sizeof(*r->pcfgs));
	r->producers = calloc(np + 1, sizeof(*r->producers));
	r->outcomes = calloc(np + 1, sizeof(*r->outcomes));
	r->key_bytes = calloc(nkeys + 1, sizeof(*r->key_bytes));
	r->key_lens = calloc(nkeys + 1, sizeof(*r->key_lens));
	r->key_null = calloc(nkeys + 1, sizeof(*r->key_null));
	if (!r->pcfgs || !r->producers || !r->outcomes || !r->key_bytes || !r->key_lens ||
	    !r->key_null)
		return -1;
	uint32_t key_base = 0;
	for (uint32_t i = 0; i < np; i++) {
		fill_producer_cfg(r, i, key_base);
		if (s->producers[i].keys_kind == SCEN_KEYS_LIST)
			key_base += s->producers[i].key_count;
		r->outcomes[i] = calloc(s->producers[i].messages, sizeof(struct rec_outcome));
		if (r->outcomes[i] == NULL)
			return -1;
		for (uint64_t k = 0; k < s->producers[i].messages; k++) {
			r->outcomes[i][k].partition = -1;
			r->outcomes[i][k].offset = -1;
		}
		if (producer_init(&r->producers[i], &r->pcfgs[i], &r->ccfg, &r->store,
				  r->outcomes[i]) != 0)
			return -1;
		r->producers_ready = i + 1;
	}
	return 0;
}

static int64_t cc_v(const struct scen_member *m, enum cfg_consumer_id id)
{
	return m->cfg[id].v;
}

static enum consumer_commit commit_of(enum scen_commit c)
{
	switch (c) {
	case SCEN_COMMIT_AUTO: return CONSUMER_COMMIT_AUTO;
	case SCEN_COMMIT_AFTER_PROCESSING: return CONSUMER_COMMIT_AFTER_PROCESSING;
	case SCEN_COMMIT_BEFORE_PROCESSING: return CONSUMER_COMMIT_BEFORE_PROCESSING;
	case SCEN_COMMIT_NONE: return CONSUMER_COMMIT_NONE;
	}
	return CONSUMER_COMMIT_NONE;
}

static enum consumer_reset reset_of(int64_t v)
{
	switch ((enum cfg_offset_reset)v) {
	case CFG_RESET_LATEST: return CONSUMER_RESET_LATEST;
	case CFG_RESET_EARLIEST: return CONSUMER_RESET_EARLIEST;
	case CFG_RESET_NONE: return CONSUMER_RESET_NONE;
	case CFG_RESET_BY_DURATION: return CONSUMER_RESET_BY_DURATION;
	}
	return CONSUMER_RESET_LATEST;
}

static void fill_consumer_cfg(struct run *r, struct consumer_cfg *cc, uint32_t g,
			      const struct scen_member *m)
{
	const struct scen_group *sg = &r->s->groups[g];
	*cc = (struct consumer_cfg){
		.client = m->client, .group = g, .topics = m->topics, .n_topics = m->topic_count,
		.start_us = m->start_us, .process_us = sg->process_us,
		.commit = commit_of(m->commit),
		.reset = reset_of(cc_v(m, CFG_C_AUTO_OFFSET_RESET)),
		.reset_by_duration_ms = m->cfg[CFG_C_AUTO_OFFSET_RESET].aux / 1000,
		.auto_commit_interval_ms = cc_v(m, CFG_C_AUTO_COMMIT_INTERVAL_MS),
		.session_timeout_ms = cc_v(m, CFG_C_SESSION_TIMEOUT_MS),
		.heartbeat_interval_ms = cc_v(m, CFG_C_HEARTBEAT_INTERVAL_MS),
		.max_poll_interval_ms = cc_v(m, CFG_C_MAX_POLL_INTERVAL_MS),
		.max_poll_records = cc_v(m, CFG_C_MAX_POLL_RECORDS),
		.fetch_min_bytes = cc_v(m, CFG_C_FETCH_MIN_BYTES),
		.fetch_max_bytes = cc_v(m, CFG_C_FETCH_MAX_BYTES),
		.fetch_max_wait_ms = cc_v(m, CFG_C_FETCH_MAX_WAIT_MS),
		.max_partition_fetch_bytes = cc_v(m, CFG_C_MAX_PARTITION_FETCH_BYTES),
		.request_timeout_ms = cc_v(m, CFG_C_REQUEST_TIMEOUT_MS),
		.default_api_timeout_ms = cc_v(m, CFG_C_DEFAULT_API_TIMEOUT_MS),
		.retry_backoff_ms = cc_v(m, CFG_C_RETRY_BACKOFF_MS),
		.retry_backoff_max_ms = cc_v(m, CFG_C_RETRY_BACKOFF_MAX_MS),
		.metadata_max_age_ms = cc_v(m, CFG_C_METADATA_MAX_AGE_MS),
		.reconnect_backoff_ms = cc_v(m, CFG_C_RECONNECT_BACKOFF_MS),
		.reconnect_backoff_max_ms = cc_v(m, CFG_C_RECONNECT_BACKOFF_MAX_MS),
		.socket_connection_setup_timeout_ms =
			cc_v(m, CFG_C_SOCKET_CONNECTION_SETUP_TIMEOUT_MS),
	};
	for (unsigned k = 0; k < CFG_ASSIGNORS_MAX && k < 4; k++)
		cc->assignors[k] = (uint8_t)cfg_assignor_at(cc_v(m, CFG_C_PARTITION_ASSIGNMENT_STRATEGY),
							     k);
}

static int setup_consumers(struct run *r)
{
	const struct scenario *s = r->s;
	uint32_t n = 0;
	for (uint32_t g = 0; g < s->group_count; g++)
		n += s->groups[g].member_count;
	r->ccfgs = calloc(n + 1, sizeof(*r->ccfgs));
	r->consumers = calloc(n + 1, sizeof(*r->consumers));
	r->consumer_of_client = calloc(s->client_count + 1, sizeof(*r->consumer_of_client));
	if (r->ccfgs == NULL || r->consumers == NULL || r->consumer_of_client == NULL)
		return -1;
	uint32_t k = 0;   /* group after group: a group's members are contiguous */
	for (uint32_t g = 0; g < s->group_count; g++)
		for (uint32_t i = 0; i < s->groups[g].member_count; i++, k++) {
			const struct scen_member *m = &s->groups[g].members[i];
			fill_consumer_cfg(r, &r->ccfgs[k], g, m);
			r->consumer_of_client[m->client] = k;
			r->consumers_ready = k + 1;
			if (consumer_init(&r->consumers[k], &r->ccfgs[k], &r->ccfg, &r->store,
					  &r->procs) != 0)
				return -1;
		}
	r->nconsumers = n;
	return 0;
}

static int add_nodes(struct run *r)
{
	const struct scenario *s = r->s;
	char name[64];
	uint32_t idx;
	for (uint32_t c = 0; c < s->cluster.controllers; c++) {
		snprintf(name, sizeof(name), "controller-%u", c + 1);
		/* Only the active controller is modelled (scenario-format 3: quorum later). */
		if (world_add_node(&r->world, NODE_CONTROLLER, name, &controller_ops,
				   &r->controller, &idx) != 0)
			return -1;
	}
	for (uint32_t b = 0; b < s->cluster.broker_count; b++) {
		snprintf(name, sizeof(name), "broker-%" PRId32, s->cluster.brokers[b].id);
		if (world_add_node(&r->world, NODE_BROKER, name, &broker_ops, &r->brokers[b],
				   &idx) != 0)
			return -1;
	}
	for (uint32_t c = 0; c < s->client_count; c++) {
		const struct scen_client *cl = &s->clients[c];
		int rc;
		if (cl->kind == SCEN_CLIENT_PRODUCER)
			rc = world_add_node(&r->world, NODE_PRODUCER, cl->id, &producer_ops,
					    &r->producers[cl->index], &idx);
		else
			rc = world_add_node(&r->world, NODE_CONSUMER, cl->id, &consumer_ops,
					    &r->consumers[r->consumer_of_client[c]], &idx);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* Every event goes to the world; after it, the checker looks at what changed. */
static void run_dispatch(void *ctx, struct sim_kernel *k, const struct sim_event *ev,
			 struct sim_handle self)
{
	struct run *r = ctx;
	world_dispatch(&r->world, k, ev, self);
	if (r->check_ready && !check_after_event(&r->check))
		sim_halt(k);
}

static int setup(struct run *r)
{
	const struct scenario *s = r->s;
	for (size_t i = 1; i < sizeof(notable) / sizeof(notable[0]); i++)
		assert(strcmp(notable[i - 1], notable[i]) < 0);   /* is_notable's binary search */
	trace_init(&r->trace, r->o->trace);
	trace_observe(&r->trace, observe, r);
	if (sim_init(&r->kernel, run_dispatch, r) != 0)
		return -1;
	struct net_params np = {
		.latency_us = s->cluster.net.latency_us,
		.client_latency_us = s->cluster.net.client_latency_us,
		.jitter_us = s->cluster.net.jitter_us,
		.drop_ratio = s->cluster.net.drop_ratio,
	};
	if (world_init(&r->world, &r->kernel, &r->trace, r->seed, &np) != 0)
		return -1;
	world_set_runner_handler(&r->world, NULL, NULL);
	world_set_msg_names(&r->world, msg_type_name);
	if (setup_models(r) != 0 || setup_producers(r) != 0 || setup_consumers(r) != 0 ||
	    add_nodes(r) != 0)
		return -1;
	r->power_noted = calloc(s->cluster.broker_count + 1, sizeof(*r->power_noted));
	if (r->power_noted == NULL || check_init(&r->check, r) != 0)
		return -1;
	r->check_ready = true;
	if (fault_plan_init(&r->plan, s, r->seed, resolve_ref, client_action, r) != 0)
		return -1;
	return 0;
}

static void on_runner_event(void *ctx, struct world *w, const struct sim_event *ev,
			    struct sim_handle self)
{
	struct run *r = ctx;
	(void)self;
	bool handled = fault_plan_handle(&r->plan, w, ev);
	assert(handled);
	(void)handled;
	check_after_fault(&r->check);
}

/* ---- the run ---------------------------------------------------------------------------- */

/* A model that could not grow an array stops acting; the run's results would be wrong. */
static bool models_out_of_memory(const struct run *r)
{
	bool oom = r->controller.oom;
	for (uint32_t b = 0; b < r->ccfg.brokers; b++)
		oom |= r->brokers[b].oom;
	for (uint32_t p = 0; p < r->producers_ready; p++)
		oom |= producer_nomem(&r->producers[p]);
	for (uint32_t c = 0; c < r->consumers_ready; c++)
		oom |= consumer_nomem(&r->consumers[c]);
	return oom || r->procs.oom;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Runs to each distinct `at:` time, samples, and on to the end (scenario-format 11.1). */
static int drive(struct run *r)
{
	const struct scenario *s = r->s;
	int64_t end_us = s->duration_us + s->settle_us;
	int64_t *ats = calloc(s->expect_count + 1, sizeof(*ats));
	if (ats == NULL)
		return -1;
	uint32_t n = 0;
	for (uint32_t i = 0; i < s->expect_count; i++)
		if (s->expects[i].has_at)
			ats[n++] = s->expects[i].at_us;
	qsort(ats, n, sizeof(*ats), cmp_i64);
	for (uint32_t i = 0; i < n && !r->check.broken; i++) {
		if (i > 0 && ats[i] == ats[i - 1])
			continue;
		sim_run(&r->kernel, ats[i], 0);
		if (!r->check.broken)
			summary_sample(r, ats[i]);
	}
	free(ats);
	if (!r->check.broken)
		sim_run(&r->kernel, end_us, 0);
	r->end_us = r->check.broken ? r->kernel.now_us : end_us;
	return world_status(&r->world) == 0 && !models_out_of_memory(r) ? 0 : -1;
}

static void cleanup(struct run *r)
{
	fault_plan_free(&r->plan);
	world_free(&r->world);
	sim_free(&r->kernel);
	for (uint32_t i = 0; i < r->timeline_len; i++)
		free(r->timeline[i].line);
	free(r->timeline);
	summary_free(r);
	for (uint32_t i = 0; i < r->brokers_ready; i++)
		broker_free(&r->brokers[i]);
	if (r->controller_ready)
		ctl_free(&r->controller);
	free(r->broker_ids);
	free(r->bcfgs);
	free(r->brokers);
	free(r->topics);
	free(r->parts);
	free(r->groups);
	free(r->client_ids);
	free(r->commits.recs);
	free(r->commits.md);
	if (r->check_ready)
		check_free(&r->check);
	free(r->power_noted);
	for (uint32_t i = 0; i < r->producers_ready; i++)
		producer_free(&r->producers[i]);
	if (r->outcomes != NULL)
		for (uint32_t i = 0; i < r->s->producer_count; i++)
			free(r->outcomes[i]);
	free(r->outcomes);
	free(r->producers);
	free(r->pcfgs);
	for (uint32_t i = 0; i < r->consumers_ready; i++)
		consumer_free(&r->consumers[i]);
	free(r->consumers);
	free(r->ccfgs);
	free(r->consumer_of_client);
	free(r->procs.ev);
	free(r->key_bytes);
	free(r->key_lens);
	free(r->key_null);
	rec_store_free(&r->store);
}

int runner_run(const struct scenario *s, const struct run_options *o)
{
	struct run *r = calloc(1, sizeof(*r));
	if (r == NULL) {
		fprintf(stderr, "kafkasim: out of memory\n");
		return EXIT_BAD_INPUT;
	}
	r->s = s;
	r->o = o;
	r->seed = o->seed_set ? o->seed : s->seed;
	int rc = EXIT_BAD_INPUT;
	if (setup(r) != 0 || summary_init(r) != 0) {
		fprintf(stderr, "kafkasim: out of memory while setting up the run\n");
		goto out;
	}
	world_set_runner_handler(&r->world, on_runner_event, r);
	world_start_all(&r->world);
	if (fault_plan_schedule(&r->plan, &r->world) != 0 || drive(r) != 0) {
		fprintf(stderr, "kafkasim: out of memory during the run\n");
		goto out;
	}
	trace_digest_hex(&r->trace, r->trace_sha256);
	rc = summary_finish(r);
	if (r->trace.io_error) {
		fprintf(stderr, "kafkasim: writing the trace failed\n");
		rc = EXIT_BAD_INPUT;
	}
out:
	cleanup(r);
	free(r);
	return rc;
}
