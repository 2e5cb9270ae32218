/*
 * consumer_fetch.c — fetching: Fetch requests to each partition's leader (one in flight
 * per broker, replica_id -1, fetch.min.bytes, fetch.max.wait.ms, fetch.max.bytes,
 * max.partition.fetch.bytes, the current leader epoch), their answers (errors, the high
 * watermark, OFFSET_OUT_OF_RANGE and auto.offset.reset), the fetch buffer of completed
 * fetches, and FetchCollector's hand-out of up to max.poll.records records.
 *
 * Kafka 4.1: consumer/internals/AbstractFetch.java (prepareFetchRequests: fetchable
 * partitions with a leader, none with buffered data, no node with a fetch pending;
 * handleFetchSuccess), FetchCollector.java (collectFetch, fetchRecords: the position must
 * match, the partition must be assigned and fetchable; handleInitializeErrors),
 * CompletedFetch.java (records below the fetch offset in the first batch are skipped),
 * SubscriptionState.isFetchable (not pending revocation).
 */
#include "model/consumer_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "model/text.h"
#include "sim/trace.h"

void cons_fetch_reset(struct consumer *c)
{
	c->cf_head = c->cf_n = 0;
	c->fb_n = 0;
}

void cons_drop_buffered(struct consumer *c, uint32_t part)
{
	struct cons_part *p = &c->parts[part];
	for (uint32_t i = c->cf_head; i < c->cf_n && p->buffered > 0; i++)
		if (c->cfs[i].part == part) {
			c->cfs[i].part = CONS_NONE;
			p->buffered--;
		}
	p->buffered = 0;
}

static bool fetchable(const struct cons_part *p, int64_t now)
{
	return p->fstate == FS_FETCHING && !p->pending_revocation && p->buffered == 0 &&
	       p->fetch_corr == 0 && now >= p->retry_us;
}

/* One fetch request to broker b for its fetchable partitions. */
static void send_fetch(struct consumer *c, struct node_ctx *ctx, uint32_t b)
{
	int64_t now = ctx->now_us;
	uint32_t n = 0;
	for (uint32_t i = 0; i < c->nparts; i++)
		n += c->parts[i].leader_b == b && fetchable(&c->parts[i], now);
	if (n == 0)
		return;
	struct fetch_part *fp = cons_blob(c, n * (uint32_t)sizeof(*fp) + 1);
	uint32_t id = fp == NULL ? CONS_NONE : cons_req_new(c, CREQ_FETCH, b);
	if (id == CONS_NONE)
		return;
	uint64_t corr = cons_req_next_corr(c, id);
	int32_t pmax = (int32_t)(c->cfg->max_partition_fetch_bytes > INT32_MAX
				 ? INT32_MAX : c->cfg->max_partition_fetch_bytes);
	uint32_t k = 0;
	for (uint32_t i = 0; i < c->nparts; i++) {
		struct cons_part *p = &c->parts[i];
		if (p->leader_b != b || !fetchable(p, now))
			continue;
		fp[k++] = (struct fetch_part){
			.tp = p->tp, .current_leader_epoch = p->leader_epoch,
			.fetch_offset = p->position, .last_fetched_epoch = -1,
			.partition_max_bytes = pmax, .log_start_offset = -1,
		};
		p->fetch_corr = corr;
		p->fetch_offset = p->position;
	}
	struct fetch_req q = {
		.replica_id = -1, .max_wait_ms = (int32_t)c->cfg->fetch_max_wait_ms,
		.min_bytes = (int32_t)c->cfg->fetch_min_bytes,
		.max_bytes = (int32_t)(c->cfg->fetch_max_bytes > INT32_MAX
				       ? INT32_MAX : c->cfg->fetch_max_bytes),
		.count = k,
	};
	struct net_msg m;
	PROTO_PUT(&m, MSG_FETCH, q);
	c->conns[b].fetch_inflight = true;
	c->conns[b].fetch_wanted = false;
	cons_req_send(c, ctx, id, &m, fp, k * (uint32_t)sizeof(*fp),
		      cons_us(c->cfg->request_timeout_ms));
}

/* AbstractFetch.sendFetches. A broker whose connection is not ready yet gets the fetch
 * once it is (the request waits in ConsumerNetworkClient's unsent queue). */
void cons_send_fetches(struct consumer *c, struct node_ctx *ctx, int64_t *wake)
{
	int64_t now = ctx->now_us;
	for (uint32_t b = 0; b < c->nbrokers; b++)
		c->conns[b].fetch_wanted = false;
	for (uint32_t i = 0; i < c->nparts; i++) {
		const struct cons_part *p = &c->parts[i];
		if (p->fstate != FS_FETCHING || p->pending_revocation || p->buffered > 0 ||
		    p->fetch_corr != 0)
			continue;
		if (now < p->retry_us) {
			cons_wake_at(wake, p->retry_us, now);
			continue;
		}
		if (p->leader_b == CONS_NONE)
			c->md_requested = true;
		else
			c->conns[p->leader_b].fetch_wanted = true;
	}
	for (uint32_t b = 0; b < c->nbrokers && !c->nomem; b++) {
		struct cons_conn *k = &c->conns[b];
		if (!k->fetch_wanted || k->fetch_inflight)
			continue;
		if (cons_conn_use(c, ctx, b, wake))
			send_fetch(c, ctx, b);
	}
}

/* A fetch that waited for its connection goes out once the connection is ready, whatever
 * the application does (it sat in ConsumerNetworkClient's unsent queue). */
void cons_fetch_unsent(struct consumer *c, struct node_ctx *ctx)
{
	for (uint32_t b = 0; b < c->nbrokers && !c->nomem; b++) {
		const struct cons_conn *k = &c->conns[b];
		if (k->fetch_wanted && !k->fetch_inflight && k->state == CCONN_READY)
			send_fetch(c, ctx, b);
	}
}

/* ---- answers and the buffer ---------------------------------------------------------------- */

/* Keeps the buffer arrays short: consumed entries and their batches move out. */
static void buffer_compact(struct consumer *c)
{
	if (c->cf_head == c->cf_n) {
		c->cf_head = c->cf_n = 0;
		c->fb_n = 0;
		return;
	}
	if (c->cf_head == 0 || c->cf_head * 2 < c->cf_n)
		return;
	uint32_t base = c->cfs[c->cf_head].first;
	uint32_t live = c->cf_n - c->cf_head;
	memmove(c->cfs, c->cfs + c->cf_head, (size_t)live * sizeof(*c->cfs));
	memmove(c->fb, c->fb + base, (size_t)(c->fb_n - base) * sizeof(*c->fb));
	for (uint32_t i = 0; i < live; i++)
		c->cfs[i].first -= base;
	c->fb_n -= base;
	c->cf_head = 0;
	c->cf_n = live;
}

static bool buffer_reserve(struct consumer *c, uint32_t batches)
{
	if (c->cf_n + 1 > c->cf_cap) {
		uint32_t n = c->cf_cap ? c->cf_cap * 2 : 16;
		struct cons_cf *q = realloc(c->cfs, (size_t)n * sizeof(*q));
		if (q == NULL)
			return false;
		c->cfs = q;
		c->cf_cap = n;
	}
	if (c->fb_n + batches > c->fb_cap) {
		uint32_t n = c->fb_cap ? c->fb_cap : 64;
		while (n < c->fb_n + batches)
			n *= 2;
		struct plog_batch *q = realloc(c->fb, (size_t)n * sizeof(*q));
		if (q == NULL)
			return false;
		c->fb = q;
		c->fb_cap = n;
	}
	return true;
}

/* Appends a completed fetch; its batches are copied from the answer's bytes (which need
 * not be aligned for struct plog_batch). */
static void buffer_add(struct consumer *c, uint32_t part, const uint8_t *bs, uint32_t n,
		       int64_t limit)
{
	buffer_compact(c);
	if (!buffer_reserve(c, n)) {
		cons_set_nomem(c);
		return;
	}
	memcpy(c->fb + c->fb_n, bs, (size_t)n * sizeof(struct plog_batch));
	c->cfs[c->cf_n++] = (struct cons_cf){
		.part = part, .first = c->fb_n, .n = n, .next_offset = c->parts[part].position,
		.limit = limit,
	};
	c->fb_n += n;
	c->parts[part].buffered++;
}

/* FetchCollector.handleInitializeErrors for one partition. */
static void part_error(struct consumer *c, struct node_ctx *ctx, uint32_t part, int16_t err)
{
	struct cons_part *p = &c->parts[part];
	int64_t now = ctx->now_us;
	if (err == KERR_OFFSET_OUT_OF_RANGE) {
		if (p->fstate != FS_FETCHING || p->position != p->fetch_offset)
			return;   /* a stale answer */
		if (c->cfg->reset != CONSUMER_RESET_NONE) {
			cons_request_reset(c, part, "offset_out_of_range");
			return;
		}
		cons_drop_buffered(c, part);
		p->fstate = FS_STUCK;
		cons_count_exception(c, ctx, CEX_OFFSET_OUT_OF_RANGE, part);
		return;
	}
	if (err != KERR_UNKNOWN_LEADER_EPOCH)
		c->md_requested = true;   /* NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, ... */
	p->retry_us = now + cons_us(c->cfg->retry_backoff_ms);
}

static void part_answer(struct consumer *c, struct node_ctx *ctx, const struct fetch_part_resp *a,
			const uint8_t *batches, uint32_t nbatches, uint64_t corr)
{
	uint32_t part = cons_part_of(c, a->tp);
	if (part == CONS_NONE || c->parts[part].fetch_corr != corr)
		return;
	struct cons_part *p = &c->parts[part];
	p->fetch_corr = 0;
	if (a->error != KERR_NONE) {
		part_error(c, ctx, part, a->error);
		return;
	}
	if (p->fstate != FS_FETCHING || p->position != p->fetch_offset || p->pending_revocation)
		return;   /* repositioned or revoked meanwhile: discarded */
	if (a->batch_count == 0 || (uint64_t)a->batch_first + a->batch_count > nbatches)
		return;
	buffer_add(c, part, batches + (size_t)a->batch_first * sizeof(struct plog_batch),
		   a->batch_count, a->high_watermark);
}

void cons_fetch_done(struct consumer *c, struct node_ctx *ctx, const struct cons_req *r,
		     const struct net_msg *m, const void *blob, uint32_t len, int16_t err)
{
	(void)err;
	if (c->conns[r->slot].id == r->conn || m == NULL)
		c->conns[r->slot].fetch_inflight = false;
	if (m != NULL) {
		struct fetch_resp resp;
		PROTO_GET(m, resp);
		uint64_t head = (uint64_t)resp.count * sizeof(struct fetch_part_resp);
		if (resp.error == KERR_NONE && head <= len) {
			const uint8_t *b = blob;
			uint32_t nb = (uint32_t)((len - head) / sizeof(struct plog_batch));
			for (uint32_t i = 0; i < resp.count && !c->nomem; i++) {
				struct fetch_part_resp a;
				memcpy(&a, b + (size_t)i * sizeof(a), sizeof(a));
				part_answer(c, ctx, &a, b + head, nb, r->corr);
			}
		}
	}
	/* Partitions the answer did not cover (or a failed request) may be fetched again. */
	for (uint32_t i = 0; i < c->nparts; i++)
		if (c->parts[i].fetch_corr == r->corr)
			c->parts[i].fetch_corr = 0;
}

/* ---- FetchCollector ------------------------------------------------------------------ */

static bool batch_reserve(struct consumer *c, uint32_t need)
{
	if (need <= c->batch_cap)
		return true;
	uint32_t n = c->batch_cap ? c->batch_cap : 64;
	while (n < need)
		n *= 2;
	struct cons_rec *q = realloc(c->batch, (size_t)n * sizeof(*q));
	if (q == NULL) {
		cons_set_nomem(c);
		return false;
	}
	c->batch = q;
	c->batch_cap = n;
	return true;
}

/* Takes records of completed fetch cf until `left` is used up; returns how many. */
static uint32_t take(struct consumer *c, struct cons_cf *cf, uint32_t left)
{
	struct cons_part *p = &c->parts[cf->part];
	uint32_t got = 0;
	while (cf->at < cf->n && got < left) {
		const struct plog_batch *b = &c->fb[cf->first + cf->at];
		int64_t last = plog_batch_last(b);
		const struct rec_batch *rb = rec_store_batch(c->store, b->rec_ref);
		const uint32_t *idx = rb != NULL ? rec_store_indices(c->store, rb) : NULL;
		int64_t o = cf->next_offset > b->base_offset ? cf->next_offset : b->base_offset;
		for (; o <= last && o < cf->limit && got < left; o++) {
			uint64_t k = (uint64_t)(o - b->base_offset);
			bool known = rb != NULL && k < rb->count;
			c->batch[c->batch_n++] = (struct cons_rec){
				.part = cf->part, .epoch = b->leader_epoch, .offset = o,
				.producer = known ? rb->producer : UINT32_MAX,
				.index = known ? idx[k] : UINT32_MAX,
			};
			got++;
			cf->next_offset = o + 1;
			p->position = o + 1;
			p->pos_epoch = b->leader_epoch;
		}
		if (o > last || o >= cf->limit)
			cf->at = o > last ? cf->at + 1 : cf->n;
	}
	return got;
}

uint32_t cons_collect(struct consumer *c, struct node_ctx *ctx)
{
	(void)ctx;
	c->batch_n = 0;
	c->batch_at = 0;
	uint32_t max = c->cfg->max_poll_records > (int64_t)UINT32_MAX / 2
		? UINT32_MAX / 2 : (uint32_t)c->cfg->max_poll_records;
	uint32_t left = max;
	while (left > 0 && c->cf_head < c->cf_n) {
		struct cons_cf *cf = &c->cfs[c->cf_head];
		if (cf->part == CONS_NONE) {
			c->cf_head++;
			continue;
		}
		struct cons_part *p = &c->parts[cf->part];
		if (p->fstate != FS_FETCHING || p->pending_revocation ||
		    cf->next_offset != p->position || cf->at >= cf->n) {
			/* Not fetchable or repositioned: the data is ignored. */
			p->buffered--;
			c->cf_head++;
			continue;
		}
		uint32_t want = c->batch_n + (left < 4096 ? left : 4096);
		if (!batch_reserve(c, want))
			return 0;
		left -= take(c, cf, want - c->batch_n);
		if (cf->at >= cf->n) {
			p->buffered--;
			c->cf_head++;
		}
	}
	buffer_compact(c);
	return c->batch_n;
}
