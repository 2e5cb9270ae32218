/*
 * pstate.h — a partition replica's idempotent-producer state: per producer id its epoch and
 * the metadata of its last five batches, the leader's duplicate / sequence / epoch checks,
 * and the rebuild from a log's batches.
 *
 * Kafka (KIP-98, KIP-360): storage/.../log/ProducerStateManager.java, ProducerStateEntry.java,
 * ProducerAppendInfo.java, UnifiedLog.analyzeAndValidateProducerState;
 * clients/.../record/DefaultRecordBatch.java (sequence wrap-around).
 *
 * Storage: one array of entries sorted by producer id (binary search, deterministic order),
 * each with a fixed five-slot ring; growth is amortised doubling. Transactions, coordinator
 * epochs and transaction verification are not modelled.
 */
#ifndef KAFKASIM_PSTATE_H
#define KAFKASIM_PSTATE_H

#include <stdbool.h>
#include <stdint.h>

#include "model/errors.h"
#include "model/plog.h"

/* ProducerStateEntry.NUM_BATCHES_TO_RETAIN: why max.in.flight.requests.per.connection <= 5. */
#define PSTATE_BATCHES_RETAINED 5

/* RecordBatch.NO_PRODUCER_EPOCH. */
#define PSTATE_NO_EPOCH (-1)

/* BatchMetadata. */
struct pstate_batch {
	int32_t first_seq;
	int32_t last_seq;
	int64_t first_offset;
	int64_t last_offset;
	int64_t timestamp_ms;
};

struct pstate_entry {
	int64_t producer_id;
	int64_t last_timestamp_ms;
	int16_t epoch;
	uint8_t count;                    /* cached batches, oldest at ring[head] */
	uint8_t head;
	uint8_t pad[4];
	struct pstate_batch ring[PSTATE_BATCHES_RETAINED];
};

struct pstate {
	struct pstate_entry *e;           /* ascending producer ids */
	uint32_t n;
	uint32_t cap;
};

/* The leader's verdict on an incoming batch. */
struct pstate_verdict {
	int16_t error;         /* KERR_NONE, KERR_INVALID_PRODUCER_EPOCH (47) or
				* KERR_OUT_OF_ORDER_SEQUENCE_NUMBER (45) */
	bool    duplicate;     /* nothing to append: answer success with the original's offsets */
	int64_t first_offset;  /* of the original batch, on a duplicate */
	int64_t last_offset;
	int64_t timestamp_ms;
};

void pstate_init(struct pstate *ps);
void pstate_free(struct pstate *ps);
void pstate_clear(struct pstate *ps);   /* truncateFullyAndStartAt */

/* DefaultRecordBatch.incrementSequence: base + delta, wrapping past Integer.MAX_VALUE to 0. */
int32_t pstate_seq_add(int32_t seq, int32_t delta);

/* A batch's last sequence (DefaultRecordBatch.lastSequence), PLOG_NO_SEQUENCE if it has
 * none. */
int32_t pstate_batch_last_seq(const struct plog_batch *b);

/* The entry for producer_id, or NULL. */
const struct pstate_entry *pstate_find(const struct pstate *ps, int64_t producer_id);

/* A cached batch of an entry, i = 0 the oldest. */
const struct pstate_batch *pstate_entry_batch(const struct pstate_entry *e, uint32_t i);

/* The leader's checks for a client append, in Kafka's order: a duplicate of a cached batch
 * (same epoch, same first and last sequence); an epoch below the known one; a new epoch not
 * starting at sequence 0; a same-epoch batch not starting right after the last sequence.
 * A producer with no state (never seen, expired, or lost with its batches) is accepted at
 * any sequence. producer_id -1 is never checked. */
struct pstate_verdict pstate_check(const struct pstate *ps, int64_t producer_id, int16_t epoch,
				   int32_t first_seq, int32_t last_seq);

/* Records an appended batch (leader or follower; followers never check: ProducerAppendInfo
 * with origin REPLICATION). A new epoch clears the cached batches; the sixth evicts the
 * oldest. Returns KERR_NONE or PLOG_NOMEM. */
int pstate_update(struct pstate *ps, int64_t producer_id, int16_t epoch,
		  const struct pstate_batch *meta);

/* pstate_update from a log batch; batches without a producer id are ignored. */
int pstate_apply_batch(struct pstate *ps, const struct plog_batch *b);

/* Forgets everything and replays count batches in log order (after truncation or a power
 * loss: UnifiedLog.rebuildProducerState with no snapshot). Returns KERR_NONE or
 * PLOG_NOMEM. */
int pstate_rebuild(struct pstate *ps, const struct plog_batch *batches, uint32_t count);

/* ProducerStateManager.removeExpiredProducers: drops producers idle for
 * producer.id.expiration.ms (now_ms - last timestamp >= expiration_ms). Returns how many. */
uint32_t pstate_expire(struct pstate *ps, int64_t now_ms, int64_t expiration_ms);

#endif
