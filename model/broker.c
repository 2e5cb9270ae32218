/*
 * broker.c — a broker's lifecycle and metadata: registration and heartbeats with the
 * controller (BrokerLifecycleManager), controlled shutdown, the metadata log fetch and the
 * role changes it brings (leader, follower), client Metadata and InitProducerId requests,
 * and the periodic tasks (ISR expiration, HW checkpoint, retention).
 */
#include "model/broker.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "model/broker_internal.h"
#include "model/group.h"
#include "model/proto.h"
#include "model/text.h"
#include "sim/trace.h"

#define MD_FETCH_WAIT_MS 500       /* a metadata fetch long-polls like a replica fetch */

/* ---- helpers ----------------------------------------------------------------------------- */

bool broker_grow(void **p, uint32_t *cap, uint32_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	uint32_t n = *cap ? *cap : 16;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, (size_t)n * elem);
	if (q == NULL)
		return false;
	memset((char *)q + (size_t)*cap * elem, 0, (size_t)(n - *cap) * elem);
	*p = q;
	*cap = n;
	return true;
}

uint8_t *broker_scratch(struct broker *b, uint32_t bytes)
{
	if (!broker_grow((void **)&b->scratch, &b->scratch_cap, bytes, 1))
		return NULL;
	return b->scratch;
}

void broker_reply(struct node_ctx *ctx, conn_id conn, uint64_t corr, struct net_msg *m,
		  const void *blob, uint32_t len)
{
	m->corr = corr;
	m->bytes = 64 + len;
	node_send(ctx, conn, m, blob, len);
}

void broker_mark(struct broker *b, uint32_t tp)
{
	if (b->is_dirty[tp])
		return;
	if (!broker_grow((void **)&b->dirty, &b->dirty_cap, b->n_dirty + 1, sizeof(*b->dirty))) {
		b->oom = true;
		return;
	}
	b->is_dirty[tp] = true;
	b->dirty[b->n_dirty++] = tp;
}

/* ---- setup ------------------------------------------------------------------------------ */

static bool hosts(const struct part_cfg *pc, int32_t id)
{
	for (uint32_t i = 0; i < pc->rf; i++)
		if (pc->replicas[i] == id)
			return true;
	return false;
}

static int replica_init(struct broker *b, struct replica *r, uint32_t tp)
{
	const struct part_cfg *pc = &b->cluster->parts[tp];
	struct plog_config lc = b->cluster->topics[pc->topic].log;
	lc.dirty_writeback_us = b->cfg->dirty_writeback_us;
	r->tp = tp;
	r->hosted = true;
	r->leader = NO_LEADER;
	r->leader_epoch = -1;
	r->partition_epoch = -1;
	r->pending_add = -1;
	r->fs = calloc(pc->rf, sizeof(*r->fs));
	r->isr = calloc(pc->rf, sizeof(*r->isr));
	if (r->fs == NULL || r->isr == NULL || plog_init(&r->log, &lc, 0) != KERR_NONE)
		return -1;
	pstate_init(&r->ps);
	for (uint32_t i = 0; i < pc->rf; i++)
		if (pc->replicas[i] != broker_my_id(b))
			r->fs[r->nfs++].broker_id = pc->replicas[i];
	return 0;
}

int broker_init(struct broker *b, const struct broker_cfg *cfg,
		const struct cluster_cfg *cluster, uint32_t index)
{
	memset(b, 0, sizeof(*b));
	b->cfg = cfg;
	b->cluster = cluster;
	b->index = index;
	b->clean_shutdown = true;
	b->last_broker_epoch = (int64_t)index + 1;
	b->replicas = calloc(cluster->nparts + 1, sizeof(*b->replicas));
	b->fetchers = calloc(cluster->brokers + 1, sizeof(*b->fetchers));
	b->is_dirty = calloc(cluster->nparts + 1, sizeof(*b->is_dirty));
	if (b->replicas == NULL || b->fetchers == NULL || b->is_dirty == NULL ||
	    md_image_init(&b->img, cluster) != 0)
		return -1;
	for (uint32_t tp = 0; tp < cluster->nparts; tp++)
		if (hosts(&cluster->parts[tp], cfg->broker_id) &&
		    replica_init(b, &b->replicas[tp], tp) != 0)
			return -1;
	return group_init(b);
}

void broker_free(struct broker *b)
{
	if (b->replicas != NULL)
		for (uint32_t tp = 0; tp < b->cluster->nparts; tp++) {
			struct replica *r = &b->replicas[tp];
			if (!r->hosted)
				continue;
			plog_free(&r->log);
			pstate_free(&r->ps);
			free(r->fs);
			free(r->isr);
		}
	md_image_free(&b->img);
	group_free(b);
	free(b->replicas);
	free(b->fetchers);
	for (uint32_t i = 0; i < b->dp_cap; i++)
		free(b->dp[i].parts);
	for (uint32_t i = 0; i < b->df_cap; i++)
		free(b->df[i].parts);
	free(b->dp);
	free(b->df);
	free(b->dirty);
	free(b->is_dirty);
	free(b->removed);
	free(b->scratch);
	memset(b, 0, sizeof(*b));
}

/* ---- roles from the metadata image ------------------------------------------------------- */

/* Applies the image to every hosted replica (Kafka: ReplicaManager.applyDelta). */
static void reconcile(struct broker *b, struct node_ctx *ctx)
{
	int32_t me = broker_my_id(b);
	for (uint32_t tp = 0; tp < b->cluster->nparts; tp++) {
		struct replica *r = &b->replicas[tp];
		if (!r->hosted)
			continue;
		const struct md_part_state *p = &b->img.parts[tp];
		if (p->leader == me) {
			if (!r->is_leader || r->leader_epoch != p->leader_epoch)
				repl_make_leader(b, ctx, r, p);
			else if (p->partition_epoch > r->partition_epoch)
				repl_update_isr(b, ctx, r, p->isr, p->n_isr, p->partition_epoch);
		} else if (r->is_leader || r->leader != p->leader ||
			   r->leader_epoch != p->leader_epoch) {
			repl_make_follower(b, ctx, r, p);
		} else {
			r->partition_epoch = p->partition_epoch;
		}
	}
	fetcher_kick_all(b, ctx);
}

/* ---- the lifecycle channel -------------------------------------------------------------- */

static void connect_controller(struct broker *b, struct node_ctx *ctx)
{
	b->ctl_up = false;
	b->in_flight = false;
	b->ctl_conn = node_connect(ctx, b->cluster->controller_node,
				   ms_to_us(b->cfg->socket_connection_setup_timeout_ms));
}

static void arm_heartbeat(struct broker *b, struct node_ctx *ctx, int64_t delay_us)
{
	if (b->hb_timer != 0)
		node_timer_cancel(ctx, b->hb_timer);
	b->hb_timer = node_timer(ctx, delay_us, BT_HEARTBEAT, 0);
}

static void send_lifecycle_request(struct broker *b, struct node_ctx *ctx)
{
	assert(b->ctl_up && !b->in_flight);
	struct net_msg m;
	if (b->registered) {
		struct broker_heartbeat hb = {
			.broker_id = broker_my_id(b), .broker_epoch = b->broker_epoch,
			.want_fence = 0, .want_shutdown = b->shutting_down,
			.current_metadata_offset = b->img.offset,
		};
		PROTO_PUT(&m, MSG_BROKER_HEARTBEAT, hb);
	} else {
		struct broker_registration reg = {
			.broker_id = broker_my_id(b), .incarnation = b->incarnation,
			.previous_broker_epoch = b->clean_shutdown ? b->last_broker_epoch : -1,
		};
		PROTO_PUT(&m, MSG_BROKER_REGISTRATION, reg);
	}
	m.corr = ++b->next_corr;
	m.bytes = 64;
	if (!node_send(ctx, b->ctl_conn, &m, NULL, 0)) {
		connect_controller(b, ctx);
		return;
	}
	if (b->hb_timer != 0)
		node_timer_cancel(ctx, b->hb_timer);
	b->hb_timer = 0;
	b->in_flight = true;
	b->in_flight_corr = m.corr;
	b->timeout_timer = node_timer(ctx, ms_to_us(b->cfg->controller_request_timeout_ms),
				      BT_REQUEST_TIMEOUT, m.corr);
}

static void on_heartbeat_resp(struct broker *b, struct node_ctx *ctx, const struct net_msg *m)
{
	struct broker_heartbeat_resp r;
	PROTO_GET(m, r);
	if (r.error == KERR_STALE_BROKER_EPOCH) {
		b->registered = false;       /* the controller no longer knows us: register */
		send_lifecycle_request(b, ctx);
		return;
	}
	if (b->fenced != (r.is_fenced != 0)) {
		struct trace_line *l = node_trace(ctx, r.is_fenced ? "learned_fenced"
								   : "learned_unfenced");
		trace_int(l, "broker_epoch", b->broker_epoch);
		trace_end(l);
	}
	b->fenced = r.is_fenced != 0;
	if (b->shutting_down && r.should_shutdown) {
		node_stop_self(ctx);         /* leadership moved: stop cleanly */
		return;
	}
	/* During a controlled shutdown Kafka heartbeats more often; the usual interval keeps
	 * the model simple and is within the controller's session timeout. */
	arm_heartbeat(b, ctx, ms_to_us(b->cfg->broker_heartbeat_interval_ms));
}

static void on_registration_resp(struct broker *b, struct node_ctx *ctx,
				 const struct net_msg *m)
{
	struct broker_registration_resp r;
	PROTO_GET(m, r);
	if (r.error != KERR_NONE) {
		arm_heartbeat(b, ctx, ms_to_us(b->cfg->broker_heartbeat_interval_ms));
		return;
	}
	b->registered = true;
	b->broker_epoch = r.broker_epoch;
	b->last_broker_epoch = r.broker_epoch;
	b->clean_shutdown = false;   /* the marker is removed once the broker runs */
	send_lifecycle_request(b, ctx);
}

/* ---- the metadata fetch ----------------------------------------------------------------- */

static void md_connect(struct broker *b, struct node_ctx *ctx)
{
	b->md_up = false;
	b->md_in_flight = false;
	b->md_conn = node_connect(ctx, b->cluster->controller_node,
				  ms_to_us(b->cfg->socket_connection_setup_timeout_ms));
}

static void md_send(struct broker *b, struct node_ctx *ctx)
{
	if (!b->md_up || b->md_in_flight)
		return;
	struct metadata_fetch f = {.from_offset = b->img.offset, .max_wait_ms = MD_FETCH_WAIT_MS};
	struct net_msg m;
	PROTO_PUT(&m, MSG_METADATA_FETCH, f);
	m.corr = ++b->next_corr;
	m.bytes = 64;
	if (!node_send(ctx, b->md_conn, &m, NULL, 0)) {
		md_connect(b, ctx);
		return;
	}
	b->md_in_flight = true;
	b->md_corr = m.corr;
	b->md_timer = node_timer(ctx, ms_to_us(b->cfg->controller_request_timeout_ms +
					       MD_FETCH_WAIT_MS), BT_MD_TIMEOUT, m.corr);
}

static void on_md_resp(struct broker *b, struct node_ctx *ctx, const struct net_msg *m,
		       const void *blob, uint32_t len)
{
	struct metadata_fetch_resp r;
	PROTO_GET(m, r);
	b->md_in_flight = false;
	node_timer_cancel(ctx, b->md_timer);
	if (r.error != KERR_NONE) {
		md_image_reset(&b->img);     /* start over from the beginning of the log */
	} else if (r.from_offset == b->img.offset && r.count > 0) {
		if (md_image_apply(&b->img, blob, len, r.count) < 0)
			md_image_reset(&b->img);
	}
	/* Roles follow the image once it has caught up with the controller's log. */
	if (b->img.offset >= r.end_offset)
		reconcile(b, ctx);
	md_send(b, ctx);
}

/* ---- client requests --------------------------------------------------------------------- */

/* MetadataRequest: leaders from this broker's image, stale or not (KafkaApis
 * handleTopicMetadataRequest reads the MetadataCache). */
static void on_client_metadata(struct broker *b, struct node_ctx *ctx, conn_id conn,
			       const struct net_msg *m)
{
	struct metadata_req q;
	PROTO_GET(m, q);
	struct metadata_resp r = {.error = KERR_NONE, .topic = q.topic};
	struct md_leader *out = NULL;
	if (q.topic < 0 || (uint32_t)q.topic >= b->cluster->ntopics) {
		r.error = KERR_UNKNOWN_TOPIC_OR_PARTITION;
	} else {
		const struct topic_cfg *t = &b->cluster->topics[q.topic];
		out = (struct md_leader *)broker_scratch(b, t->partitions * sizeof(*out));
		if (out == NULL) {
			b->oom = true;
			return;
		}
		for (uint32_t i = 0; i < t->partitions; i++) {
			const struct md_part_state *p = &b->img.parts[t->first_tp + i];
			out[i] = (struct md_leader){
				.tp = t->first_tp + i, .leader = p->leader,
				.leader_epoch = p->leader_epoch,
				.error = p->leader == NO_LEADER ? KERR_LEADER_NOT_AVAILABLE : KERR_NONE,
			};
		}
		r.count = t->partitions;
	}
	struct net_msg out_m;
	PROTO_PUT(&out_m, MSG_METADATA_RESP, r);
	broker_reply(ctx, conn, m->corr, &out_m, out, (uint32_t)(r.count * sizeof(*out)));
}

/* InitProducerId for an idempotent producer. Kafka allocates ids in blocks from the
 * controller (KIP-730); kafkasim gives each broker its own range: broker id * 2^32 + n. */
static void on_init_producer_id(struct broker *b, struct node_ctx *ctx, conn_id conn,
				const struct net_msg *m)
{
	struct init_producer_id_resp r = {
		.error = KERR_NONE, .producer_epoch = 0,
		.producer_id = ((int64_t)broker_my_id(b) << 32) + (int64_t)b->next_producer_id++,
	};
	struct net_msg out;
	PROTO_PUT(&out, MSG_INIT_PRODUCER_ID_RESP, r);
	broker_reply(ctx, conn, m->corr, &out, NULL, 0);
}

/* ---- node ops ------------------------------------------------------------------------- */

static void arm_periodic(struct broker *b, struct node_ctx *ctx)
{
	/* Partition.maybeShrinkIsr runs every replica.lag.time.max.ms / 2 (ReplicaManager
	 * startup, "isr-expiration"). */
	node_timer(ctx, ms_to_us(b->cfg->replica_lag_time_max_ms) / 2, BT_ISR_SHRINK, 0);
	node_timer(ctx, ms_to_us(b->cfg->replica_hw_checkpoint_interval_ms), BT_HW_CHECKPOINT, 0);
	node_timer(ctx, ms_to_us(b->cfg->log_initial_task_delay_ms), BT_RETENTION, 0);
}

static void recover_logs(struct broker *b)
{
	for (uint32_t tp = 0; tp < b->cluster->nparts; tp++) {
		struct replica *r = &b->replicas[tp];
		if (!r->hosted)
			continue;
		uint32_t n;
		const struct plog_batch *bs = plog_batches(&r->log, &n);
		if (pstate_rebuild(&r->ps, bs, n) != KERR_NONE)
			b->oom = true;
		r->trunc_gen++;
		broker_mark(b, tp);
		r->is_leader = false;
		r->leader = NO_LEADER;
		r->leader_epoch = -1;
		r->partition_epoch = -1;
		r->fetch_ready = false;
		r->alter_in_flight = false;
		r->pending_add = -1;
	}
}

static void broker_start(void *model, struct node_ctx *ctx)
{
	struct broker *b = model;
	b->incarnation = prng_u64(ctx->prng);
	b->in_flight = b->md_in_flight = false;
	b->ctl_up = b->md_up = b->ap_up = b->ap_connecting = false;
	b->ap_conn = 0;
	b->hb_timer = 0;
	b->shutting_down = false;
	repl_reset(b);
	fetcher_reset(b);
	recover_logs(b);
	md_image_reset(&b->img);
	if (b->started) {
		/* A restart registers again and starts fenced (scenario-format 11.1 forms the
		 * t = 0 cluster with every broker registered). Its roles wait for the
		 * metadata log. */
		b->registered = false;
		b->fenced = true;
	} else {
		b->registered = true;
		b->fenced = false;
		b->broker_epoch = b->last_broker_epoch;
		reconcile(b, ctx);
	}
	b->started = true;
	b->running = true;
	connect_controller(b, ctx);
	md_connect(b, ctx);
	ap_connect(b, ctx);
	arm_periodic(b, ctx);
}

static void broker_halt(void *model, enum node_halt how, int64_t now_us)
{
	struct broker *b = model;
	int64_t now_ms = now_us / 1000;   /* the halted process reads no clock; no skew */
	for (uint32_t tp = 0; tp < b->cluster->nparts; tp++) {
		struct replica *r = &b->replicas[tp];
		if (!r->hosted)
			continue;
		if (how == HALT_CLEAN) {
			plog_clean_shutdown(&r->log, now_ms);
			plog_restart(&r->log);
		} else if (how == HALT_POWER_LOSS && plog_power_loss(&r->log, now_us, now_ms) != 0)
			b->oom = true;
		else if (how == HALT_CRASH)
			plog_restart(&r->log);
		/* A dead process leads and follows nothing. */
		r->is_leader = false;
		r->fetch_ready = false;
		r->trunc_gen++;
		broker_mark(b, tp);
	}
	/* Kafka writes the clean-shutdown marker only on a controlled shutdown; a power loss
	 * after the process was gone leaves the marker as it was. */
	if (b->running)
		b->clean_shutdown = how == HALT_CLEAN;
	b->running = false;
	if (b->registered)
		b->last_broker_epoch = b->broker_epoch;
	b->registered = false;
	repl_reset(b);
	fetcher_reset(b);
	group_reset(b);
}

/* The `stop` fault: a controlled shutdown (BrokerLifecycleManager.beginControlledShutdown):
 * heartbeats ask the controller to move leadership away; the broker stops when told to, or
 * after broker.session.timeout.ms at the latest (scenario-format 7). */
static void broker_shutdown(void *model, struct node_ctx *ctx)
{
	struct broker *b = model;
	if (b->shutting_down)
		return;
	b->shutting_down = true;
	node_timer(ctx, ms_to_us(b->cfg->broker_session_timeout_ms), BT_SHUTDOWN_DEADLINE, 0);
	if (!b->registered) {
		node_stop_self(ctx);
		return;
	}
	if (b->ctl_up && !b->in_flight)
		send_lifecycle_request(b, ctx);
}

static void on_ctl_resp(struct broker *b, struct node_ctx *ctx, const struct net_msg *m)
{
	if (!b->in_flight || m->corr != b->in_flight_corr)
		return;   /* a late answer to a request already given up */
	b->in_flight = false;
	node_timer_cancel(ctx, b->timeout_timer);
	if (m->type == MSG_BROKER_HEARTBEAT_RESP)
		on_heartbeat_resp(b, ctx, m);
	else
		on_registration_resp(b, ctx, m);
}

static void broker_message(void *model, struct node_ctx *ctx, conn_id conn,
			   const struct net_msg *m, const void *blob, uint32_t blob_len)
{
	struct broker *b = model;
	uint32_t li;
	switch (m->type) {
	case MSG_BROKER_HEARTBEAT_RESP:
	case MSG_BROKER_REGISTRATION_RESP:
		if (conn == b->ctl_conn)
			on_ctl_resp(b, ctx, m);
		break;
	case MSG_METADATA_FETCH_RESP:
		if (conn == b->md_conn && b->md_in_flight && m->corr == b->md_corr)
			on_md_resp(b, ctx, m, blob, blob_len);
		break;
	case MSG_ALTER_PARTITION_RESP:
		if (conn == b->ap_conn)
			repl_on_alter_resp(b, ctx, m, blob, blob_len);
		break;
	case MSG_FETCH_RESP:
		if (fetcher_owns_conn(b, conn, &li))
			fetcher_on_resp(b, ctx, li, m, blob, blob_len);
		break;
	case MSG_FETCH:
		repl_fetch(b, ctx, conn, m, blob, blob_len);
		break;
	case MSG_PRODUCE:
		repl_produce(b, ctx, conn, m, blob, blob_len);
		break;
	case MSG_METADATA:
		on_client_metadata(b, ctx, conn, m);
		break;
	case MSG_INIT_PRODUCER_ID:
		on_init_producer_id(b, ctx, conn, m);
		break;
	case MSG_LIST_OFFSETS:
		repl_list_offsets(b, ctx, conn, m);
		break;
	case MSG_OFFSETS_FOR_LEADER_EPOCH:
		repl_offsets_for_epoch(b, ctx, conn, m);
		break;
	case MSG_FIND_COORDINATOR:
	case MSG_JOIN_GROUP:
	case MSG_SYNC_GROUP:
	case MSG_HEARTBEAT:
	case MSG_LEAVE_GROUP:
	case MSG_OFFSET_COMMIT:
	case MSG_OFFSET_FETCH:
		group_handle(b, ctx, conn, m, blob, blob_len);
		break;
	default:
		break;
	}
}

static void ctl_conn_failed(struct broker *b, struct node_ctx *ctx, conn_id conn)
{
	if (b->in_flight)
		node_timer_cancel(ctx, b->timeout_timer);
	b->ctl_up = false;
	b->in_flight = false;
	node_close(ctx, conn);
	b->ctl_conn = 0;
	node_timer(ctx, ms_to_us(b->cfg->reconnect_backoff_ms), BT_RECONNECT, 0);
}

static void md_conn_failed(struct broker *b, struct node_ctx *ctx, conn_id conn)
{
	if (b->md_in_flight)
		node_timer_cancel(ctx, b->md_timer);
	b->md_up = false;
	b->md_in_flight = false;
	node_close(ctx, conn);
	b->md_conn = 0;
	node_timer(ctx, ms_to_us(b->cfg->reconnect_backoff_ms), BT_MD_RECONNECT, 0);
}

static void broker_conn_event(void *model, struct node_ctx *ctx, conn_id conn,
			      enum conn_event ev)
{
	struct broker *b = model;
	uint32_t li;
	if (conn == b->ctl_conn) {
		if (ev != CONN_UP) {
			ctl_conn_failed(b, ctx, conn);
			return;
		}
		b->ctl_up = true;
		send_lifecycle_request(b, ctx);
	} else if (conn == b->md_conn) {
		if (ev != CONN_UP) {
			md_conn_failed(b, ctx, conn);
			return;
		}
		b->md_up = true;
		md_send(b, ctx);
	} else if (conn == b->ap_conn) {
		b->ap_connecting = false;
		b->ap_up = ev == CONN_UP;
		if (!b->ap_up) {
			node_close(ctx, conn);
			b->ap_conn = 0;
			for (uint32_t tp = 0; tp < b->cluster->nparts; tp++)
				repl_alter_failed(b, tp);
			node_timer(ctx, ms_to_us(b->cfg->reconnect_backoff_ms), BT_AP_RECONNECT, 0);
		}
	} else if (fetcher_owns_conn(b, conn, &li)) {
		fetcher_on_conn_event(b, ctx, li, ev);
	} else if (ev == CONN_RESET) {
		repl_drop_conn(b, ctx, conn);    /* a client or follower went away */
		group_drop_conn(b, conn);
	}
}

/* UnifiedLog.deleteOldSegments, every log.retention.check.interval.ms. What a leader
 * deletes is remembered for the checker (scenario-format 11.3: removed by retention). */
static void retention(struct broker *b, struct node_ctx *ctx, struct replica *r)
{
	int64_t now_ms = broker_now_ms(ctx);
	struct plog_retention plan = plog_retention_plan(&r->log, now_ms);
	if (plan.segments == 0)
		return;
	if (r->is_leader) {
		uint32_t n;
		const struct plog_batch *bs = plog_batches(&r->log, &n);
		for (uint32_t i = 0; i < n && bs[i].base_offset < plan.to_offset; i++) {
			if (!broker_grow((void **)&b->removed, &b->removed_cap, b->n_removed + 1,
					 sizeof(*b->removed))) {
				b->oom = true;
				break;
			}
			b->removed[b->n_removed++] = (struct retained_batch){
				.tp = r->tp, .record_count = bs[i].record_count,
				.rec_ref = bs[i].rec_ref, .base_offset = bs[i].base_offset,
			};
		}
	}
	plog_retention_apply(&r->log, &plan, now_ms);
	broker_mark(b, r->tp);
	char name[300];
	struct trace_line *l = node_trace(ctx, "retention");
	trace_str(l, "partition", text_tp(b->cluster, r->tp, name, sizeof(name)));
	trace_uint(l, "segments", plan.segments);
	trace_int(l, "log_start_offset", plog_log_start(&r->log));
	trace_end(l);
}

static void periodic(struct broker *b, struct node_ctx *ctx, uint32_t kind)
{
	switch (kind) {
	case BT_ISR_SHRINK:
		repl_isr_shrink_check(b, ctx);
		node_timer(ctx, ms_to_us(b->cfg->replica_lag_time_max_ms) / 2, BT_ISR_SHRINK, 0);
		break;
	case BT_HW_CHECKPOINT:
		for (uint32_t tp = 0; tp < b->cluster->nparts; tp++)
			if (b->replicas[tp].hosted) {
				plog_checkpoint_hw(&b->replicas[tp].log);
				plog_checkpoint_log_start(&b->replicas[tp].log);
			}
		node_timer(ctx, ms_to_us(b->cfg->replica_hw_checkpoint_interval_ms),
			   BT_HW_CHECKPOINT, 0);
		break;
	case BT_RETENTION:
		for (uint32_t tp = 0; tp < b->cluster->nparts; tp++)
			if (b->replicas[tp].hosted)
				retention(b, ctx, &b->replicas[tp]);
		node_timer(ctx, ms_to_us(b->cfg->log_retention_check_interval_ms), BT_RETENTION, 0);
		break;
	default:
		assert(0 && "not a periodic timer");
	}
}

static void broker_timer(void *model, struct node_ctx *ctx, uint32_t kind, uint64_t arg)
{
	struct broker *b = model;
	switch (kind) {
	case BT_HEARTBEAT:
		b->hb_timer = 0;
		if (b->ctl_up && !b->in_flight)
			send_lifecycle_request(b, ctx);
		break;
	case BT_REQUEST_TIMEOUT:
		if (b->in_flight && arg == b->in_flight_corr)
			ctl_conn_failed(b, ctx, b->ctl_conn);   /* REQUEST_TIMED_OUT (11.5) */
		break;
	case BT_RECONNECT:
		if (b->ctl_conn == 0)
			connect_controller(b, ctx);
		break;
	case BT_MD_TIMEOUT:
		if (b->md_in_flight && arg == b->md_corr)
			md_conn_failed(b, ctx, b->md_conn);
		break;
	case BT_MD_RECONNECT:
		if (b->md_conn == 0)
			md_connect(b, ctx);
		break;
	case BT_SHUTDOWN_DEADLINE:
		node_stop_self(ctx);
		break;
	case BT_DP_TIMEOUT:
		repl_dp_timeout(b, ctx, (uint32_t)arg);
		break;
	case BT_DF_TIMEOUT:
		repl_df_timeout(b, ctx, (uint32_t)arg);
		break;
	case BT_FETCH_TIMEOUT:
		fetcher_timeout(b, ctx, (uint32_t)arg, 0);
		break;
	case BT_FETCH_BACKOFF:
		fetcher_backoff_done(b, ctx, (uint32_t)arg);
		break;
	case BT_AP_TIMEOUT:
		repl_alter_failed(b, (uint32_t)arg);
		break;
	case BT_AP_RECONNECT:
		ap_connect(b, ctx);
		break;
	case BT_GROUP_SESSION:
	case BT_GROUP_REBALANCE:
	case BT_GROUP_COMMIT:
		group_timer(b, ctx, kind, arg);
		break;
	default:
		periodic(b, ctx, kind);
	}
}

const struct node_ops broker_ops = {
	.start = broker_start,
	.halt = broker_halt,
	.message = broker_message,
	.conn_event = broker_conn_event,
	.timer = broker_timer,
	.shutdown = broker_shutdown,
};
