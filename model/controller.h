/*
 * controller.h — the active KRaft controller (KIP-500, KIP-631): broker registrations,
 * broker epochs, heartbeats and session fencing.
 *
 * The controller's metadata (registrations, epochs, fencing) lives in its metadata log,
 * durable when written (scenario-format 11.7), so it survives a controller crash; the
 * heartbeat bookkeeping is in memory, and a controller that (re)starts counts every
 * unfenced broker as heard from at that instant, as Kafka's BrokerHeartbeatManager does on
 * activation.
 */
#ifndef KAFKASIM_CONTROLLER_H
#define KAFKASIM_CONTROLLER_H

#include <stdbool.h>
#include <stdint.h>

#include "model/cluster.h"
#include "sim/node.h"

struct ctl_broker {
	int32_t  id;
	bool     registered;
	bool     fenced;
	bool     last_shutdown_clean;  /* KIP-966: from the registration's previous epoch */
	int64_t  broker_epoch;
	int64_t  last_contact_us;      /* in memory only */
};

struct controller {
	const struct cluster_cfg *cfg;
	struct ctl_broker *brokers;       /* [cfg->brokers], the caller's storage */
	int64_t  metadata_offset;         /* records appended to the metadata log */
	uint64_t fence_timer;
	int64_t  fence_timer_at_us;       /* -1 when none is armed */
	uint64_t fences;                  /* counters for reports and tests */
	uint64_t unfences;
	uint64_t registrations;
};

/* At t = 0 every broker is registered and unfenced (scenario-format 11.1). */
void ctl_init(struct controller *c, const struct cluster_cfg *cfg, struct ctl_broker *storage);
extern const struct node_ops controller_ops;

/* The broker with that id, or NULL. */
const struct ctl_broker *ctl_broker(const struct controller *c, int32_t broker_id);

#endif
