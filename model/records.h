/*
 * records.h — record identities and the store that lets every copy of a batch name its
 * records.
 *
 * A record is identified by (producer index, record index), scenario-format 5 and 11.3; its
 * identity travels out of band and adds no bytes. When a producer seals a batch it adds the
 * batch's record indices to the store and gets a `rec_ref` that the batch carries
 * (plog_batch.rec_ref) to the leader, to followers, and to consumers. The store is written
 * only by producers, when they seal batches, and is read by the checker; brokers treat
 * rec_ref as opaque bytes. Nothing is allocated per record: the arrays grow by doubling.
 */
#ifndef KAFKASIM_RECORDS_H
#define KAFKASIM_RECORDS_H

#include <stdbool.h>
#include <stdint.h>

#define REC_REF_NONE UINT64_MAX

struct rec_batch {
	uint32_t producer;     /* producer index (scenario order) */
	uint32_t count;
	uint64_t first;        /* index of its first record index in rec_store.idx */
};

struct rec_store {
	struct rec_batch *batches;
	uint64_t          nbatches;
	uint64_t          batches_cap;
	uint32_t         *idx;         /* record indices, batch after batch */
	uint64_t          nidx;
	uint64_t          idx_cap;
};

void rec_store_init(struct rec_store *s);
void rec_store_free(struct rec_store *s);
/* Adds a sealed batch of `count` records of `producer`; returns its rec_ref, or
 * REC_REF_NONE when memory ran out. */
uint64_t rec_store_add(struct rec_store *s, uint32_t producer, const uint32_t *indices,
		       uint32_t count);
static inline const struct rec_batch *rec_store_batch(const struct rec_store *s, uint64_t ref)
{
	return ref < s->nbatches ? &s->batches[ref] : 0;
}
static inline const uint32_t *rec_store_indices(const struct rec_store *s,
						const struct rec_batch *b)
{
	return &s->idx[b->first];
}

/* What became of a record handed to send() (scenario-format 11.2). */
enum rec_state {
	REC_UNSENT = 0,        /* not handed to send() (yet) */
	REC_PENDING,           /* handed to send(), no callback yet */
	REC_ACKED,
	REC_FAILED,            /* its callback got an error */
	REC_ABANDONED,         /* its producer crashed first */
};

struct rec_outcome {
	uint8_t  state;        /* enum rec_state */
	uint8_t  pad;
	int16_t  error;        /* the Kafka error of a failed record */
	int32_t  partition;    /* where send() put it, -1 before partitioning */
	int64_t  offset;       /* the offset the acknowledgement gave, -1 if none */
};

/* Offset commits written to __consumer_offsets (OffsetCommitKey/Value). A batch of commits
 * carries rec_ref = COMMIT_REF_BIT | the index of its first commit; its record_count commits
 * follow in order. Written by coordinators when they append, read by any broker that loads a
 * group after a coordinator failover. */
#define COMMIT_REF_BIT (UINT64_C(1) << 63)

struct commit_rec {
	uint32_t group;
	uint32_t tp;
	int64_t  offset;
	int32_t  leader_epoch;
	int32_t  pad;
};

struct commit_store {
	struct commit_rec *recs;
	uint64_t n, cap;
	/* Group metadata records (GroupMetadataKey/Value): a snapshot of a group's generation,
	 * protocol, leader and members with their assignments, as 32-bit words. A batch of one
	 * carries rec_ref = GROUPMD_REF_BIT | the index of its first word. */
	uint32_t *md;
	uint64_t md_n, md_cap;
};

#define GROUPMD_REF_BIT (UINT64_C(1) << 62)

/* Appends a group metadata snapshot of n words; returns its rec_ref or REC_REF_NONE. */
uint64_t groupmd_store_add(struct commit_store *s, const uint32_t *words, uint32_t n);

/* Appends n commits; returns the rec_ref of their batch, or REC_REF_NONE. */
uint64_t commit_store_add(struct commit_store *s, const struct commit_rec *recs, uint32_t n);

#endif
