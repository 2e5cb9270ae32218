/*
 * producer_internal.h — the producer's private types and the functions its files share
 * (model/producer.c: node calls and the application; producer_acc.c: sizes, backoff,
 * batches, the accumulator and the sticky partitioner; producer_idem.c: the idempotent
 * producer's sequences; producer_send.c: connections, metadata and the sender).
 * Tests include it to check the pure parts against Kafka's numbers.
 */
#ifndef KAFKASIM_PRODUCER_INTERNAL_H
#define KAFKASIM_PRODUCER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "model/producer.h"
#include "sim/node.h"
#include "sim/prng.h"

#define PROD_NONE UINT32_MAX

/* DefaultRecordBatch.RECORD_BATCH_OVERHEAD and DefaultRecord.MAX_RECORD_OVERHEAD. */
#define PROD_BATCH_OVERHEAD     61
#define PROD_MAX_RECORD_OVERHEAD 21
/* CommonClientConfigs.RETRY_BACKOFF_JITTER (0.2) as parts per million around 1. */
#define PROD_JITTER_PPM 200000
/* socket.connection.setup.timeout.max.ms default (CommonClientConfigs). */
#define PROD_SETUP_TIMEOUT_MAX_MS 30000
/* Errors.UNKNOWN_PRODUCER_ID, not in model/errors.h. */
#define PROD_KERR_UNKNOWN_PRODUCER_ID KERR_UNKNOWN_PRODUCER_ID
/* Errors.KAFKA_STORAGE_ERROR (retriable, invalid metadata), not in model/errors.h. */
#define PROD_KERR_KAFKA_STORAGE_ERROR KERR_KAFKA_STORAGE_ERROR
#define PROD_KERR_NOT_CONTROLLER KERR_NOT_CONTROLLER

enum prod_timer {
	PROD_TIMER_APP = 1,      /* the next record is due, or a blocked send() times out */
	PROD_TIMER_WAKE,         /* the sender's poll timeout */
	PROD_TIMER_REQUEST,      /* arg: corr; request.timeout.ms */
};

/* One ProducerBatch. */
struct prod_batch {
	uint32_t part;            /* partition number in the topic */
	uint32_t count;           /* records */
	uint64_t rec_ref;         /* REC_REF_NONE while open: indices are in part->open */
	int32_t  size;            /* estimatedSizeInBytes: 61 + the records' sizes */
	int32_t  write_limit;     /* the buffer: max(batch.size, first record's upper bound) */
	int64_t  alloc;           /* bytes of buffer.memory it holds (0 for split batches) */
	int64_t  base_ts_ms;      /* first record's timestamp (the batch base timestamp) */
	int64_t  max_ts_ms;
	int64_t  created_us;      /* createdMs: delivery.timeout.ms counts from here */
	int64_t  last_attempt_us; /* lastAttemptMs */
	int64_t  last_append_us;
	int64_t  backoff_us;      /* drawn at re-enqueue: retryBackoff.backoff(attempts - 1) */
	int64_t  pid;
	int32_t  attempts;        /* retries so far */
	int32_t  base_seq;        /* -1: no sequence yet */
	int32_t  leader_epoch;    /* currentLeaderEpoch, -1 unknown (KIP-951) */
	int32_t  attempts_at_leader_change;
	int16_t  epoch;
	bool     used;
	bool     closed;          /* closed for appends */
	bool     done;            /* final state set (acked or failed) */
	bool     retry;           /* inRetry */
	bool     reopened;        /* sequenceHasBeenReset */
	bool     queued;          /* in its partition's deque */
	bool     sender_inflight; /* in Sender.inFlightBatches */
	bool     seq_inflight;    /* in TxnPartitionEntry.inflightBatchesBySequence */
	uint32_t req;             /* request slot carrying it, PROD_NONE */
	uint32_t next_free;
};

/* A growable array of uint32 (batch ids or record indices). */
struct prod_vec {
	uint32_t *v;
	uint32_t  n;
	uint32_t  cap;
};

struct prod_part {
	struct prod_vec q;        /* the deque: batch ids, front first */
	struct prod_vec open;     /* record indices of the last batch, still open */
	struct prod_vec infl;     /* Sender.inFlightBatches: drained, not done, drain order */
	struct prod_vec seqs;     /* in-flight by sequence (TxnPartitionEntry) */
	int32_t  leader;          /* broker id, -1 none */
	int32_t  leader_epoch;    /* -1 unknown */
	uint32_t leader_b;        /* broker index, PROD_NONE */
	bool     has_deque;
	bool     muted;           /* max.in.flight 1: a batch is in flight */
	bool     unresolved;      /* partitionsWithUnresolvedSequences */
	bool     rewrite;         /* partitionsToRewriteSequences */
	int32_t  unresolved_next;
	/* TxnPartitionEntry; a fresh entry is (-1, -1, 0, -1, -1). */
	int64_t  pid;
	int16_t  epoch;
	int32_t  next_seq;
	int32_t  last_acked_seq;
	int64_t  last_acked_offset;
};

enum prod_conn_state { PCONN_DOWN, PCONN_CONNECTING, PCONN_READY };

struct prod_conn {
	conn_id  id;
	uint8_t  state;
	bool     ready_now;       /* scratch: has sendable data (ready()) */
	bool     has_stats;       /* NodeLatencyStats exist */
	uint32_t failed;          /* failedAttempts (reconnect backoff) */
	uint32_t setup_failed;    /* failedConnectAttempts (setup timeout) */
	int64_t  last_attempt_us;
	int64_t  backoff_us;
	uint32_t inflight;        /* requests awaiting an answer */
	uint32_t req_head;        /* requests in send order */
	uint32_t req_tail;
	uint32_t drain_index;
	uint32_t led_first;       /* its partitions in p->led */
	uint32_t led_n;
	int64_t  ready_time_us;
	int64_t  drain_time_us;
};

enum prod_req_kind { PREQ_PRODUCE = 1, PREQ_METADATA, PREQ_INIT_PID };

struct prod_req {
	uint64_t corr;
	uint64_t timer;
	int64_t  sent_us;
	uint32_t broker;
	uint32_t next;            /* next on its connection, or next free */
	uint8_t  kind;
	bool     active;
	struct prod_vec batches;
};

/* ---- producer_acc.c ------------------------------------------------------------------ */

int32_t prod_varint_size(int32_t v);
int32_t prod_varlong_size(int64_t v);
/* DefaultRecord.sizeInBytes with no headers; key_len / value_len -1 for null. */
int32_t prod_record_size(int32_t offset_delta, int64_t ts_delta, int32_t key_len,
			 int32_t value_len);
/* AbstractRecords.estimateSizeInBytesUpperBound for v2, no compression, no headers. */
int32_t prod_record_upper_bound(int32_t key_len, int32_t value_len);
/* ExponentialBackoff(initial, 2, max, 0.2).backoff(attempts), in ms (KIP-580). */
int64_t prod_backoff_ms(struct prng *r, int64_t initial_ms, int64_t max_ms, uint32_t attempts);

bool prod_vec_push(struct producer *p, struct prod_vec *v, uint32_t x);
bool prod_vec_insert(struct producer *p, struct prod_vec *v, uint32_t at, uint32_t x);
void prod_vec_remove_at(struct prod_vec *v, uint32_t at);
bool prod_vec_remove(struct prod_vec *v, uint32_t x);
void prod_vec_free(struct prod_vec *v);

struct prod_batch *prod_batch(struct producer *p, uint32_t id);
/* Record indices of a batch (open or sealed). */
const uint32_t *prod_batch_indices(struct producer *p, const struct prod_batch *b);
bool prod_batch_full(const struct prod_batch *b);
/* closeForRecordAppends: seals the records into the store. */
void prod_batch_close(struct producer *p, uint32_t id);
void prod_batch_maybe_release(struct producer *p, uint32_t id);

/* KafkaProducer.partition for keyed / explicit records; -1: the sticky partitioner. */
int32_t prod_partition_of(const struct producer *p, uint64_t rec, int32_t *key_len,
			  const uint8_t **key);
/* RecordAccumulator.append. Returns the partition, or -1 when buffer.memory is full. */
int32_t prod_append(struct producer *p, struct node_ctx *ctx, uint64_t rec, int32_t part_arg,
		    int32_t key_len, int64_t ts_ms);
/* BuiltInPartitioner.nextPartition (one draw). */
uint32_t prod_next_partition(struct producer *p, struct node_ctx *ctx);
/* Rebuilds the load stats from queue sizes (updatePartitionLoadStats). */
void prod_update_load_stats(struct producer *p, const uint32_t *qs, const uint32_t *ids,
			    uint32_t len);
/* True when the application could allocate a batch for record rec now. */
bool prod_memory_for(const struct producer *p, uint64_t rec);
int32_t prod_key_len(const struct producer *p, uint64_t rec);
int32_t prod_value_len(const struct producer *p);

/* Final states. */
void prod_complete_ok(struct producer *p, struct node_ctx *ctx, uint32_t id, int64_t base);
void prod_fail_batch(struct producer *p, struct node_ctx *ctx, uint32_t id, int16_t err,
		     bool adjust);
void prod_reenqueue(struct producer *p, struct node_ctx *ctx, uint32_t id);
/* splitAndReenqueue after MESSAGE_TOO_LARGE. */
void prod_split(struct producer *p, struct node_ctx *ctx, uint32_t id);
/* Fails batches that reached delivery.timeout.ms; returns the next expiry time. */
int64_t prod_expire(struct producer *p, struct node_ctx *ctx);
void prod_leader_epoch_seen(struct prod_batch *b, int32_t leader_epoch);
bool prod_backing_off(const struct prod_batch *b, int64_t now_us);

/* ---- producer_idem.c ----------------------------------------------------------------- */

void prod_idem_reset_part(struct prod_part *pp);
bool prod_idem_stop_drain(struct producer *p, struct prod_part *pp,
			  const struct prod_batch *first);
/* Assigns pid / epoch / sequence to a batch drained for the first time. */
void prod_idem_assign(struct producer *p, struct prod_part *pp, uint32_t id);
bool prod_idem_can_retry(struct producer *p, struct node_ctx *ctx, uint32_t id, int16_t err);
void prod_idem_completed(struct producer *p, uint32_t id, int64_t base);
void prod_idem_failed(struct producer *p, uint32_t id, int16_t err, bool adjust);
void prod_idem_mark_unresolved(struct producer *p, uint32_t id);
void prod_idem_resolve(struct producer *p);
/* bumpIdempotentEpochAndResetIdIfNeeded: returns true when a producer id is needed. */
bool prod_idem_bump_if_needed(struct producer *p, struct node_ctx *ctx);
bool prod_idem_insert_in_order(struct producer *p, struct prod_part *pp, uint32_t id);

/* ---- producer_send.c ----------------------------------------------------------------- */

/* One pass of Sender.runOnce; returns true when it sent something. */
bool prod_sender_once(struct producer *p, struct node_ctx *ctx, int64_t *wake_us);
void prod_sender_run(struct producer *p, struct node_ctx *ctx);
void prod_on_message(struct producer *p, struct node_ctx *ctx, conn_id conn,
		     const struct net_msg *m, const void *blob, uint32_t blob_len);
void prod_on_conn_event(struct producer *p, struct node_ctx *ctx, conn_id conn,
			enum conn_event ev);
void prod_on_request_timeout(struct producer *p, struct node_ctx *ctx, uint64_t corr);
void prod_count_error(struct producer *p, int16_t err);
bool prod_retriable(int16_t err);

/* ---- producer.c ---------------------------------------------------------------------- */

void prod_set_nomem(struct producer *p);
/* The application: memory was freed, metadata arrived. */
void prod_app_kick(struct producer *p, struct node_ctx *ctx);

#endif
