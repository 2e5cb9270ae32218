/*
 * mdimage.c — the metadata image and log (KRaft: metadata/.../image/MetadataImage.java,
 * PartitionRecord / PartitionChangeRecord, RegisterBrokerRecord, BrokerRegistrationChange).
 */
#include "model/mdimage.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

int md_broker_index(const struct cluster_cfg *cfg, int32_t broker_id)
{
	uint32_t node = cluster_broker_node(cfg, broker_id);
	return node == UINT32_MAX ? -1 : (int)(node - cfg->broker_node0);
}

int md_image_init(struct md_image *img, const struct cluster_cfg *cfg)
{
	memset(img, 0, sizeof(*img));
	img->cfg = cfg;
	uint64_t slots = 0;
	for (uint32_t tp = 0; tp < cfg->nparts; tp++)
		slots += 3u * cfg->parts[tp].rf;
	img->parts = calloc(cfg->nparts + 1, sizeof(*img->parts));
	img->brokers = calloc(cfg->brokers + 1, sizeof(*img->brokers));
	img->arena = calloc(slots + 1, sizeof(*img->arena));
	if (img->parts == NULL || img->brokers == NULL || img->arena == NULL) {
		md_image_free(img);
		return -1;
	}
	int32_t *a = img->arena;
	for (uint32_t tp = 0; tp < cfg->nparts; tp++) {
		uint32_t rf = cfg->parts[tp].rf;
		img->parts[tp].isr = a;
		img->parts[tp].elr = a + rf;
		img->parts[tp].lke = a + 2 * rf;
		a += 3 * rf;
	}
	md_image_reset(img);
	return 0;
}

void md_image_reset(struct md_image *img)
{
	const struct cluster_cfg *cfg = img->cfg;
	for (uint32_t tp = 0; tp < cfg->nparts; tp++) {
		const struct part_cfg *pc = &cfg->parts[tp];
		struct md_part_state *p = &img->parts[tp];
		p->leader = pc->replicas[0];
		p->leader_epoch = 0;
		p->partition_epoch = 0;
		p->recovering = false;
		p->n_isr = (uint16_t)pc->rf;
		p->n_elr = 0;
		p->n_lke = 0;
		memcpy(p->isr, pc->replicas, pc->rf * sizeof(int32_t));
	}
	for (uint32_t b = 0; b < cfg->brokers; b++)
		img->brokers[b] = (struct md_broker_state){.broker_epoch = (int64_t)b + 1};
	img->offset = 0;
}

void md_image_free(struct md_image *img)
{
	free(img->parts);
	free(img->brokers);
	free(img->arena);
	img->parts = NULL;
	img->brokers = NULL;
	img->arena = NULL;
}

static bool contains(const int32_t *a, uint32_t n, int32_t v)
{
	for (uint32_t i = 0; i < n; i++)
		if (a[i] == v)
			return true;
	return false;
}

bool md_isr_contains(const struct md_part_state *p, int32_t broker_id)
{
	return contains(p->isr, p->n_isr, broker_id);
}

bool md_elr_contains(const struct md_part_state *p, int32_t broker_id)
{
	return contains(p->elr, p->n_elr, broker_id);
}

/* ---- the log ----------------------------------------------------------------------------- */

void md_log_init(struct md_log *l)
{
	memset(l, 0, sizeof(*l));
}

void md_log_free(struct md_log *l)
{
	free(l->bytes);
	free(l->offs);
	memset(l, 0, sizeof(*l));
}

static int reserve(struct md_log *l, uint64_t bytes)
{
	if (l->len + bytes > l->cap) {
		uint64_t cap = l->cap ? l->cap : 4096;
		while (cap < l->len + bytes)
			cap *= 2;
		uint8_t *b = realloc(l->bytes, cap);
		if (b == NULL)
			return -1;
		l->bytes = b;
		l->cap = cap;
	}
	if (l->n + 1 > l->n_cap) {
		uint64_t cap = l->n_cap ? l->n_cap * 2 : 256;
		uint64_t *o = realloc(l->offs, cap * sizeof(*o));
		if (o == NULL)
			return -1;
		l->offs = o;
		l->n_cap = cap;
	}
	return 0;
}

static void put(struct md_log *l, const void *p, size_t n)
{
	memcpy(l->bytes + l->len, p, n);
	l->len += n;
}

int md_log_append_partition(struct md_log *l, const struct md_image *img, uint32_t tp)
{
	const struct md_part_state *p = &img->parts[tp];
	uint32_t rf = img->cfg->parts[tp].rf;
	uint32_t body = (uint32_t)(sizeof(struct md_partition) +
				   (rf + p->n_isr + p->n_elr) * sizeof(int32_t));
	if (reserve(l, sizeof(struct md_header) + body) != 0)
		return -1;
	l->offs[l->n++] = l->len;
	struct md_header h = {MD_PARTITION, body};
	struct md_partition m = {
		.tp = tp, .leader = p->leader, .leader_epoch = p->leader_epoch,
		.partition_epoch = p->partition_epoch, .n_replicas = (uint16_t)rf,
		.n_isr = p->n_isr, .n_elr = p->n_elr, .recovering = p->recovering,
	};
	put(l, &h, sizeof(h));
	put(l, &m, sizeof(m));
	put(l, img->cfg->parts[tp].replicas, rf * sizeof(int32_t));
	put(l, p->isr, p->n_isr * sizeof(int32_t));
	put(l, p->elr, p->n_elr * sizeof(int32_t));
	return 0;
}

int md_log_append_broker(struct md_log *l, const struct md_image *img, uint32_t b)
{
	if (reserve(l, sizeof(struct md_header) + sizeof(struct md_broker)) != 0)
		return -1;
	l->offs[l->n++] = l->len;
	struct md_header h = {MD_BROKER, sizeof(struct md_broker)};
	const struct md_broker_state *s = &img->brokers[b];
	struct md_broker m = {
		.broker_id = img->cfg->broker_ids[b], .fenced = s->fenced,
		.shutting_down = s->shutting_down, .broker_epoch = s->broker_epoch,
	};
	put(l, &h, sizeof(h));
	put(l, &m, sizeof(m));
	return 0;
}

const uint8_t *md_log_slice(const struct md_log *l, uint64_t from, uint64_t to, uint64_t *len)
{
	assert(from <= to && to <= l->n);
	if (from == to) {
		*len = 0;
		return l->bytes;
	}
	uint64_t start = l->offs[from];
	uint64_t end = to < l->n ? l->offs[to] : l->len;
	*len = end - start;
	return l->bytes + start;
}

/* ---- applying ---------------------------------------------------------------------------- */

static int apply_partition(struct md_image *img, const uint8_t *b, uint32_t size)
{
	struct md_partition m;
	if (size < sizeof(m))
		return -1;
	memcpy(&m, b, sizeof(m));
	if (m.tp >= img->cfg->nparts)
		return -1;
	uint32_t rf = img->cfg->parts[m.tp].rf;
	if (m.n_replicas != rf || m.n_isr > rf || m.n_elr > rf ||
	    size != sizeof(m) + (rf + m.n_isr + m.n_elr) * sizeof(int32_t))
		return -1;
	struct md_part_state *p = &img->parts[m.tp];
	p->leader = m.leader;
	p->leader_epoch = m.leader_epoch;
	p->partition_epoch = m.partition_epoch;
	p->recovering = m.recovering != 0;
	p->n_isr = m.n_isr;
	p->n_elr = m.n_elr;
	const uint8_t *arr = b + sizeof(m) + rf * sizeof(int32_t);
	memcpy(p->isr, arr, m.n_isr * sizeof(int32_t));
	memcpy(p->elr, arr + m.n_isr * sizeof(int32_t), m.n_elr * sizeof(int32_t));
	return 0;
}

static int apply_broker(struct md_image *img, const uint8_t *b, uint32_t size)
{
	struct md_broker m;
	if (size != sizeof(m))
		return -1;
	memcpy(&m, b, sizeof(m));
	int i = md_broker_index(img->cfg, m.broker_id);
	if (i < 0)
		return -1;
	img->brokers[i] = (struct md_broker_state){
		.broker_epoch = m.broker_epoch, .fenced = m.fenced != 0,
		.shutting_down = m.shutting_down != 0,
	};
	return 0;
}

int64_t md_image_apply(struct md_image *img, const uint8_t *bytes, uint64_t len,
		       uint32_t count)
{
	uint64_t off = 0;
	for (uint32_t i = 0; i < count; i++) {
		struct md_header h;
		if (len - off < sizeof(h))
			return -1;
		memcpy(&h, bytes + off, sizeof(h));
		off += sizeof(h);
		if (len - off < h.size)
			return -1;
		int rc = h.kind == MD_PARTITION ? apply_partition(img, bytes + off, h.size)
			: h.kind == MD_BROKER ? apply_broker(img, bytes + off, h.size) : -1;
		if (rc != 0)
			return -1;
		off += h.size;
		img->offset++;
	}
	return count;
}
