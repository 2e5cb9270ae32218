/*
 * broker.h — a Kafka broker process: its lifecycle with the controller, its metadata image,
 * and its replica manager (partition logs, produce, follower and consumer fetches, the high
 * watermark, ISR changes, follower fetchers and truncation).
 *
 * Kafka: core/.../server/BrokerLifecycleManager.scala, ReplicaManager.scala,
 * DelayedProduce.scala, DelayedFetch.scala, AbstractFetcherThread.scala,
 * core/.../cluster/Partition.scala, Replica.scala; KIP-101, KIP-279, KIP-497, KIP-841,
 * KIP-903, KIP-966.
 */
#ifndef KAFKASIM_BROKER_H
#define KAFKASIM_BROKER_H

#include <stdbool.h>
#include <stdint.h>

#include "model/cluster.h"
#include "model/mdimage.h"
#include "model/plog.h"
#include "model/pstate.h"
#include "model/records.h"
#include "sim/node.h"

/* What the leader knows of one follower (Replica.scala ReplicaState). */
struct follower_state {
	int32_t broker_id;
	int64_t leo;                       /* -1: unknown since this broker became leader */
	int64_t last_caught_up_us;
	int64_t last_fetch_us;
	int64_t last_fetch_leader_leo;
	int64_t broker_epoch;              /* from its last fetch (KIP-903) */
};

/* One partition replica hosted by this broker. */
struct replica {
	uint32_t tp;
	bool     hosted;
	bool     is_leader;
	int32_t  leader;                   /* as this broker's image says */
	int32_t  leader_epoch;
	int32_t  partition_epoch;
	struct plog   log;
	struct pstate ps;
	/* leader */
	int64_t  epoch_start_offset;       /* LEO when it became leader of this epoch */
	struct follower_state *fs;         /* [rf - 1] */
	uint32_t nfs;
	int32_t *isr;                      /* committed ISR, [rf] */
	uint32_t n_isr;
	int32_t  pending_add;              /* maximal ISR = committed + this, or -1 */
	bool     alter_in_flight;
	uint64_t alter_timer;
	uint64_t trunc_gen;                /* bumped whenever the log loses a suffix */
	/* follower */
	bool     fetch_ready;              /* follows a leader and may fetch */
	int64_t  fetch_backoff_until_us;
};

/* One follower fetcher: this broker fetching from one leader broker. */
struct fetcher {
	conn_id  conn;
	bool     up;
	bool     connecting;
	bool     in_flight;
	uint64_t corr;
	uint64_t timeout_timer;
	bool     backoff;
};

/* A produce request waiting for the HW (DelayedProduce). */
struct dp_part {
	uint32_t tp;
	int16_t  error;
	bool     done;
	int64_t  required_offset;          /* the LEO after its append */
	int64_t  base_offset;
	int64_t  log_append_time_ms;
};

struct delayed_produce {
	bool     live;
	conn_id  conn;
	uint64_t corr;
	uint64_t timer;
	uint32_t count;
	uint32_t parts_cap;
	struct dp_part *parts;             /* kept across uses of the slot */
};

/* A fetch waiting for data (DelayedFetch): a copy of the request. */
struct delayed_fetch {
	bool     live;
	conn_id  conn;
	uint64_t corr;
	uint64_t timer;
	struct fetch_req req;
	uint32_t parts_cap;
	struct fetch_part *parts;
};

struct broker {
	const struct broker_cfg  *cfg;
	const struct cluster_cfg *cluster;
	uint32_t index;                    /* in cluster->broker_ids */
	/* Durable: the clean-shutdown marker, the last broker epoch, the logs. */
	bool     clean_shutdown;
	int64_t  last_broker_epoch;
	struct replica *replicas;          /* [cluster->nparts], hosted or not */
	bool     started;
	bool     running;
	/* Process state, lost at a halt. */
	struct md_image img;
	bool     registered;
	bool     fenced;
	bool     shutting_down;
	int64_t  broker_epoch;
	uint64_t incarnation;
	conn_id  ctl_conn;
	bool     ctl_up;
	bool     in_flight;
	uint64_t in_flight_corr;
	uint64_t next_corr;
	uint64_t hb_timer;
	uint64_t timeout_timer;
	/* metadata fetch */
	conn_id  md_conn;
	bool     md_up;
	bool     md_in_flight;
	uint64_t md_corr;
	uint64_t md_timer;
	/* AlterPartition channel */
	conn_id  ap_conn;
	bool     ap_up;
	bool     ap_connecting;
	/* fetchers, by leader broker index */
	struct fetcher *fetchers;
	/* purgatories */
	struct delayed_produce *dp;
	uint32_t dp_cap;
	struct delayed_fetch *df;
	uint32_t df_cap;
	/* scratch for building blobs */
	uint8_t *scratch;
	uint32_t scratch_cap;
	uint64_t next_producer_id;
	bool     oom;
	/* For the checker, which reads and drains these after every event: partitions whose
	 * replica here changed, and the batches retention deleted while this broker led. */
	uint32_t *dirty;
	uint32_t  n_dirty, dirty_cap;
	bool     *is_dirty;                /* [nparts] */
	struct retained_batch *removed;
	uint32_t  n_removed, removed_cap;
	/* The group coordinator (model/group.c). */
	struct group_state   *groups;      /* [cluster->ngroups] */
	struct commit_store  *commits;     /* shared: set by whoever builds the brokers */
	struct pending_commit *pcommits;
	uint32_t              pcommits_cap;
};

struct retained_batch {
	uint32_t tp;
	int32_t  record_count;
	uint64_t rec_ref;
	int64_t  base_offset;
};

/* Records that partition tp changed here (for the checker). */
void broker_mark(struct broker *b, uint32_t tp);

/* initial_epoch: the broker epoch the controller gave it at t = 0. Returns 0 or -1. */
int  broker_init(struct broker *b, const struct broker_cfg *cfg,
		 const struct cluster_cfg *cluster, uint32_t index);
void broker_free(struct broker *b);
extern const struct node_ops broker_ops;

static inline const struct replica *broker_replica(const struct broker *b, uint32_t tp)
{
	return b->replicas[tp].hosted ? &b->replicas[tp] : 0;
}

#endif
