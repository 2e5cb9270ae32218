/*
 * producer.h — a Kafka producer client: the application that hands records to send(), the
 * record accumulator with Kafka's uniform sticky partitioner, the sender with its
 * connections, metadata, request timeouts and retries, and the idempotent producer's
 * sequence bookkeeping.
 *
 * Kafka 4.1 Java client: clients/.../producer/KafkaProducer.java (doSend, waitOnMetadata,
 * ensureValidRecordSize), internals/RecordAccumulator.java (append, ready, drain,
 * expiredBatches, reenqueue, splitAndReenqueue), internals/BuiltInPartitioner.java (KIP-794),
 * internals/Sender.java (sendProducerData, completeBatch, canRetry, failBatch),
 * internals/ProducerBatch.java, internals/TransactionManager.java (idempotent producer,
 * KIP-98 / KIP-360), clients/.../ClusterConnectionStates.java and NetworkClient.java
 * (connections, leastLoadedNode, request timeouts), common/utils/ExponentialBackoff.java
 * (KIP-580 backoff), common/record/DefaultRecord.java and DefaultRecordBatch.java (sizes).
 *
 * Choices this model makes where the scenario format is silent (each is the contract):
 *  - Record i is handed to send() when it is due and the application is not blocked in an
 *    earlier send(); a blocked send() delays later records, which are then handed one after
 *    another at the instant it returns. Nothing is handed at or after stop_us. Poisson
 *    arrivals: record 0 is due at start_us, each next one an exponential gap later (mean
 *    rate_per_us / rate_count, drawn from ctx->prng when the previous one is handed).
 *  - A record becomes REC_PENDING when it is handed to send() (partition -1 until the
 *    partitioner placed it). A send() that times out in max.block.ms (no metadata for the
 *    topic, or buffer.memory full) fails the record with REQUEST_TIMED_OUT, the code of
 *    Kafka's TimeoutException; a record larger than max.request.size or buffer.memory
 *    fails with MESSAGE_TOO_LARGE (RecordTooLargeException). A batch that reaches
 *    delivery.timeout.ms fails its records with REQUEST_TIMED_OUT too. None of these counts
 *    in produce-errors; every produce attempt that ends with an error code does (broker
 *    answers, and REQUEST_TIMED_OUT / NETWORK_EXCEPTION made by the client).
 *  - The sender runs after every event, to quiescence: records handed at one instant are
 *    all appended before the sender looks at the accumulator.
 *  - Bootstrap and least-loaded node: brokers in id order (NetworkClient picks a random
 *    start; here it is always the lowest id), Kafka's preference order otherwise (ready
 *    with fewest requests in flight, then connecting, then the one whose last connection
 *    attempt is oldest). The producer knows every broker from the cluster config.
 *  - Connection setup timeout: socket.connection.setup.timeout.ms, exponential to Kafka's
 *    default socket.connection.setup.timeout.max.ms (30 s) with ±20% jitter.
 *  - Random draws (ctx->prng): one per sticky partition choice, one per backoff (retry,
 *    reconnect, metadata refresh, setup timeout), one per Poisson gap. Kafka redraws a
 *    retry backoff's jitter at every readiness check; here it is drawn once, when the
 *    batch is re-enqueued.
 *  - Metadata is refreshed every metadata.max.age.ms only while the producer has work
 *    (records to hand or batches not done); the producer's metadata.max.idle.ms is not
 *    modelled otherwise.
 *  - A produce request holds batches of one producer id and epoch (produce_req carries them;
 *    each produce_part repeats its batch's own): after a KIP-360 epoch bump, a batch of the
 *    other epoch waits for the next request instead of sharing one, as Kafka's could.
 *  - UNKNOWN_PRODUCER_ID: the produce response carries no log start offset, so the batch is
 *    retried as Kafka does when the log start offset is unknown.
 *  - A batch split after MESSAGE_TOO_LARGE re-sizes its records with the original batch's
 *    timestamp span as every record's timestamp delta (record timestamps are not kept per
 *    record), so split batch sizes may differ from Kafka's by a few bytes.
 *  - Crash (halt): every record handed to send() and not yet acked or failed becomes
 *    REC_ABANDONED; batches, metadata, connections, producer id and sequences are lost.
 *    Restart: a new session (new producer id, no metadata); the application continues with
 *    the next record it had not handed to send() — records that fell due while the process
 *    was down are handed at once, in order, if before stop_us — and never resends what was
 *    abandoned. The produce-errors counters survive a crash (they are the run's metrics).
 *  - Memory exhaustion inside the model (a growable array that cannot grow) makes the
 *    producer inert and sets producer_nomem(); the runner should stop the run.
 */
#ifndef KAFKASIM_PRODUCER_H
#define KAFKASIM_PRODUCER_H

#include <stdbool.h>
#include <stdint.h>

#include "model/cluster.h"
#include "model/records.h"
#include "sim/node.h"

/* Resolved from the scenario; times in ms as Kafka names them. */
struct producer_cfg {
	uint32_t index;                 /* producer index: record identity is (index, i) */
	uint32_t topic;                 /* topic index in cluster_cfg */
	uint64_t messages;
	uint64_t rate_count, rate_per_us;   /* record i due at start + floor(i*per/count) */
	bool     poisson;               /* arrival: poisson, gaps exponential, mean per/count */
	int64_t  start_us;
	int64_t  stop_us;               /* duration: nothing is handed to send() at or after it */
	/* keys: NULL keys when key_count == 0 && !key_mod; key_mod N: "key-(i mod N)";
	 * else keys[i mod key_count] (key_null[k] allowed, "" allowed) */
	uint32_t key_count;
	const uint8_t *const *keys;
	const uint32_t *key_lens;
	const bool *key_null;
	uint64_t key_mod;
	int32_t  partition;             /* explicit, or -1 */
	int64_t  value_bytes;
	int16_t  acks;                  /* -1, 0, 1 */
	bool     idempotent;
	int64_t  retries, delivery_timeout_ms, request_timeout_ms, retry_backoff_ms;
	int64_t  retry_backoff_max_ms;
	int64_t  max_in_flight, linger_ms, batch_size, buffer_memory, max_block_ms;
	int64_t  max_request_size;
	bool     partitioner_ignore_keys;
	int64_t  metadata_max_age_ms, reconnect_backoff_ms, reconnect_backoff_max_ms;
	int64_t  socket_connection_setup_timeout_ms;
	/* Partitioner tuning (zero = Kafka's default): */
	bool     partitioner_adaptive_off;   /* partitioner.adaptive.partitioning.enable=false */
	int64_t  partitioner_availability_timeout_ms;   /* 0: off (the default) */
};

/* Error codes counted per Kafka code (Errors.java codes are below this). */
#define PRODUCER_ERROR_CODES 128

/* Internal types, defined in model/producer_internal.h. */
struct prod_batch;
struct prod_part;
struct prod_conn;
struct prod_req;

enum prod_app_state {
	PROD_APP_IDLE,        /* before start_us, or between sessions */
	PROD_APP_WAIT_DUE,    /* the next record is not due yet */
	PROD_APP_BLOCK_MD,    /* inside send(): waiting for the topic's metadata */
	PROD_APP_BLOCK_MEM,   /* inside send(): waiting for buffer.memory */
	PROD_APP_DONE,        /* every record handed, or stop_us reached */
};

struct producer {
	const struct producer_cfg *cfg;
	const struct cluster_cfg  *cluster;
	struct rec_store          *store;
	struct rec_outcome        *out;       /* [cfg->messages] */
	uint32_t nparts;
	uint32_t first_tp;
	uint32_t nbrokers;
	int64_t  batch_size;                  /* max(1, batch.size), as KafkaProducer uses it */

	/* The application: survives a crash. */
	uint64_t next_rec;                    /* next record to hand to send() */
	int64_t  next_due_us;
	enum prod_app_state app;
	bool     in_send;                     /* next_rec is inside send() */
	bool     md_passed;                   /* ... and past waitOnMetadata */
	bool     advance_pending;             /* a crash abandoned it inside send() */
	int64_t  send_start_us;
	int64_t  send_ts_ms;                  /* its CreateTime */
	int64_t  block_deadline_us;
	uint64_t app_timer;

	/* Metrics: survive a crash. */
	uint64_t errors[PRODUCER_ERROR_CODES];
	uint64_t sessions;
	uint64_t requests_sent;               /* requests written (all kinds) */
	bool     nomem;

	/* ---- session state: lost at a halt ---- */
	bool     session;                     /* the process runs and start_us has come */
	uint64_t next_corr;
	uint64_t wake_timer;
	int64_t  wake_at_us;
	uint64_t wake_gen;                    /* stale timers (a pause defers them) are ignored */
	uint64_t app_gen;
	void    *blob;                        /* request blob scratch */
	uint32_t blob_cap;
	/* Metadata (ProducerMetadata). */
	bool     have_md;
	bool     md_requested;
	bool     md_inflight;
	uint32_t md_attempts;                 /* failed refreshes in a row */
	int64_t  md_last_success_us;
	int64_t  md_next_allowed_us;          /* backoff after failed attempts */
	uint32_t md_eq;                       /* equivalent responses in a row */
	int64_t  md_eq_allowed_us;            /* backoff after equivalent responses */
	uint32_t *avail;                      /* partitions with a leader, ascending */
	uint32_t navail;
	uint32_t *led;                        /* partitions grouped by leader (partitionsForNode) */
	/* Sticky partitioner (BuiltInPartitioner) and its load stats. */
	int32_t  sticky;                      /* -1: none chosen */
	int64_t  produced_bytes;
	uint32_t *cft;                        /* cumulative frequency table, [nparts] */
	uint32_t *cft_ids;
	uint32_t *scratch;                    /* [nparts] */
	uint32_t cft_len;                     /* 0: no load stats (uniform) */
	uint32_t ndeques;                     /* partitions that ever had a batch */
	/* Accumulator. */
	struct prod_part *parts;              /* [nparts] */
	struct prod_batch *batches;           /* pool */
	uint32_t nbatch_cap;
	uint32_t batch_free;                  /* free list head */
	uint32_t live_batches;
	int64_t  mem_used;                    /* BufferPool: bytes held by batches not done */
	uint32_t *split_idx;                  /* scratch for splits */
	uint32_t split_cap;
	/* Sender and network. */
	struct prod_conn *conns;              /* [nbrokers], broker id order */
	struct prod_req *reqs;                /* pool */
	uint32_t nreq_cap;
	uint32_t req_free;
	/* Idempotence (TransactionManager). */
	int64_t  pid;                         /* -1: none */
	int16_t  epoch;
	bool     init_inflight;
	bool     epoch_bump_required;
	int64_t  init_retry_at_us;
	uint32_t n_unresolved;                /* partitions with unresolved sequences */
};

/* Binds the producer to its config (which must outlive it), the cluster, the shared record
 * store and its outcomes array [cfg->messages] (set to REC_UNSENT here). Returns 0, or -1
 * when memory ran out (the producer must then not be started). */
int  producer_init(struct producer *p, const struct producer_cfg *cfg,
		   const struct cluster_cfg *cluster, struct rec_store *store,
		   struct rec_outcome *outcomes);
void producer_free(struct producer *p);
extern const struct node_ops producer_ops;

/* produce-errors: attempts that ended with this Kafka error code. */
uint64_t producer_errors(const struct producer *p, int16_t code);
/* True once the model could not allocate memory (it then stopped acting). */
bool     producer_nomem(const struct producer *p);

#endif
