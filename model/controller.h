/*
 * controller.h — the active KRaft controller (KIP-500, KIP-631, KIP-966).
 *
 * It owns the authoritative metadata image and the metadata log: broker registrations and
 * epochs, heartbeats and session fencing, controlled shutdown, partition leadership, ISR and
 * ELR changes (AlterPartition, fencing, unfencing), clean, unclean and ELR elections, and
 * preferred-leader elections. Brokers learn every change by fetching the log.
 *
 * The image and the log are the controller's metadata log: durable when written
 * (scenario-format 11.7), so they survive a controller crash. The heartbeat bookkeeping is in
 * memory, and a controller that (re)starts counts every broker as heard from at that
 * instant, as Kafka's BrokerHeartbeatManager does on activation.
 */
#ifndef KAFKASIM_CONTROLLER_H
#define KAFKASIM_CONTROLLER_H

#include <stdbool.h>
#include <stdint.h>

#include "model/cluster.h"
#include "model/mdimage.h"
#include "sim/node.h"

struct controller_cfg {
	int64_t broker_session_timeout_ms;           /* broker.session.timeout.ms, 9000 */
	bool    auto_leader_rebalance_enable;         /* auto.leader.rebalance.enable, true */
	int64_t leader_imbalance_check_interval_s;    /* leader.imbalance.check.interval.seconds */
};

/* Per broker: what the controller remembers beyond the image. */
struct ctl_broker {
	int64_t  last_contact_us;      /* in memory */
	int64_t  caught_up_offset;     /* unfence once the broker's metadata offset reaches it */
	bool     last_shutdown_clean;  /* KIP-966, from the last registration */
};

/* Per partition: counters for the checker (scenario-format 9). */
struct ctl_part_stats {
	uint64_t elections;            /* leader changes to a broker, after creation */
	uint64_t unclean_elections;
	int64_t  offline_since_us;     /* -1 while it has a leader */
	int64_t  offline_us;           /* closed offline intervals */
};

struct ctl_parked_fetch {
	conn_id  conn;
	uint64_t corr;
	int64_t  from_offset;
	uint64_t timer;
	bool     live;
};

struct controller {
	struct controller_cfg     cfg;
	const struct cluster_cfg *cluster;
	struct md_image           img;
	struct md_log             log;
	struct ctl_broker        *brokers;      /* [cluster->brokers] */
	struct ctl_part_stats    *stats;        /* [cluster->nparts] */
	struct ctl_parked_fetch  *parked;       /* one per broker at most */
	uint32_t                  parked_cap;
	int64_t                   next_broker_epoch;
	uint64_t                  fence_timer;
	int64_t                   fence_timer_at_us;
	bool                      oom;          /* a log append failed: stop changing state */
	uint64_t                  unclean_total;
};

int  ctl_init(struct controller *c, const struct controller_cfg *cfg,
	      const struct cluster_cfg *cluster);
void ctl_free(struct controller *c);
extern const struct node_ops controller_ops;

/* The committed metadata, as kafka-topics.sh --describe shows it. */
static inline const struct md_part_state *ctl_partition(const struct controller *c, uint32_t tp)
{
	return &c->img.parts[tp];
}
/* Total offline time of tp up to now_us, in µs. */
int64_t ctl_offline_us(const struct controller *c, uint32_t tp, int64_t now_us);

/* The election a PartitionChangeBuilder would make; exposed for the unit tests. */
enum ctl_election { CTL_ELECT_ONLINE, CTL_ELECT_UNCLEAN, CTL_ELECT_PREFERRED };

#endif
