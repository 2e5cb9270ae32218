/*
 * broker.h — a Kafka broker process.
 *
 * So far: its lifecycle with the active controller (BrokerLifecycleManager): registration
 * after a restart, with the previous broker epoch when the last shutdown was clean
 * (KIP-966), and a BrokerHeartbeat every broker.heartbeat.interval.ms over one connection,
 * reconnecting after reconnect.backoff.ms when the connection fails.
 */
#ifndef KAFKASIM_BROKER_H
#define KAFKASIM_BROKER_H

#include <stdbool.h>
#include <stdint.h>

#include "model/cluster.h"
#include "sim/node.h"

struct broker {
	const struct broker_cfg  *cfg;
	const struct cluster_cfg *cluster;
	/* Durable: the clean-shutdown marker and the last broker epoch (meta.properties and
	 * the marker file of Kafka's log directory). */
	bool     clean_shutdown;
	int64_t  last_broker_epoch;
	bool     started;             /* the process ran before: a start is a restart */
	/* Process state, lost at a halt. */
	bool     registered;
	bool     fenced;
	int64_t  broker_epoch;
	uint64_t incarnation;
	conn_id  ctl_conn;
	bool     ctl_up;
	bool     in_flight;           /* one lifecycle request at a time */
	uint64_t in_flight_corr;
	uint64_t next_corr;
	uint64_t hb_timer;
	uint64_t timeout_timer;
	uint64_t heartbeats_sent;
};

/* initial_epoch: the broker epoch the controller gave it at t = 0. */
void broker_init(struct broker *b, const struct broker_cfg *cfg,
		 const struct cluster_cfg *cluster, int64_t initial_epoch);
extern const struct node_ops broker_ops;

#endif
