/*
 * mdimage.h — the cluster metadata image (KRaft's MetadataImage) and the metadata log that
 * builds it.
 *
 * The controller owns the authoritative image and appends a record for every change; each
 * broker keeps its own image, built by applying the records it fetched, so a broker that has
 * not fetched yet acts on stale metadata (the zombie-leader window of Kafka's KRaft mode).
 * Records carry a partition's or a broker's whole state after the change, so applying is a
 * copy. Everything is fixed-size per partition (arrays of the partition's replication
 * factor): nothing is allocated per change but the log's own amortised growth.
 */
#ifndef KAFKASIM_MDIMAGE_H
#define KAFKASIM_MDIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/cluster.h"
#include "model/proto.h"

struct md_part_state {
	int32_t  leader;             /* broker id or NO_LEADER */
	int32_t  leader_epoch;
	int32_t  partition_epoch;
	bool     recovering;         /* LeaderRecoveryState.RECOVERING */
	uint16_t n_isr;
	uint16_t n_elr;
	uint16_t n_lke;              /* LastKnownElr (KIP-966), controller only */
	int32_t *isr;                /* [rf] each, in the image's arena */
	int32_t *elr;
	int32_t *lke;
};

struct md_broker_state {
	int64_t broker_epoch;
	bool    fenced;
	bool    shutting_down;
};

struct md_image {
	const struct cluster_cfg *cfg;
	struct md_part_state     *parts;      /* [cfg->nparts] */
	struct md_broker_state   *brokers;    /* [cfg->brokers], by broker index */
	int32_t                  *arena;
	int64_t                   offset;     /* metadata log records applied */
};

/* The image of the cluster formed at t = 0 (scenario-format 11.1): every partition led by
 * the first replica of its assignment, ISR = all replicas, epoch 0; every broker registered
 * and unfenced with epoch i + 1. Returns 0 or -1 (out of memory). */
int  md_image_init(struct md_image *img, const struct cluster_cfg *cfg);
void md_image_free(struct md_image *img);
/* Copies the whole image (a restarted broker starts from the t = 0 image and refetches). */
void md_image_reset(struct md_image *img);

bool md_isr_contains(const struct md_part_state *p, int32_t broker_id);
bool md_elr_contains(const struct md_part_state *p, int32_t broker_id);
/* The broker's index in cfg->broker_ids, or -1. */
int  md_broker_index(const struct cluster_cfg *cfg, int32_t broker_id);

/* ---- the metadata log ----------------------------------------------------------------- */

struct md_log {
	uint8_t  *bytes;
	uint64_t  len, cap;
	uint64_t *offs;              /* record i starts at bytes[offs[i]] */
	uint64_t  n, n_cap;
};

void md_log_init(struct md_log *l);
void md_log_free(struct md_log *l);
/* Appends the current state of partition tp / broker b of `img`; returns 0 or -1. */
int  md_log_append_partition(struct md_log *l, const struct md_image *img, uint32_t tp);
int  md_log_append_broker(struct md_log *l, const struct md_image *img, uint32_t b);
/* Bytes of records [from, to) and their count, for a fetch response. */
const uint8_t *md_log_slice(const struct md_log *l, uint64_t from, uint64_t to, uint64_t *len);

/* Applies `count` encoded records to the image; returns the number applied, or -1 if the
 * bytes are malformed (the image is then left as far as it got). */
int64_t md_image_apply(struct md_image *img, const uint8_t *bytes, uint64_t len,
		       uint32_t count);

#endif
