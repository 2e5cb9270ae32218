/*
 * cluster.h — the resolved cluster configuration the model runs with.
 *
 * The runner fills these from the scenario (every value already defaulted and validated
 * there); the model keeps Kafka's config names as field names, with the unit suffix Kafka
 * uses, and converts to microseconds in one place (the *_us helpers below).
 */
#ifndef KAFKASIM_CLUSTER_H
#define KAFKASIM_CLUSTER_H

#include <stdint.h>

#define US_PER_MS INT64_C(1000)

struct broker_cfg {
	int32_t  broker_id;
	/* KRaft (REPL/KRaftConfigs.java). */
	int64_t  broker_heartbeat_interval_ms;    /* broker.heartbeat.interval.ms, 2000 */
	int64_t  broker_session_timeout_ms;       /* broker.session.timeout.ms, 9000 */
	int64_t  controller_request_timeout_ms;   /* controller.quorum.request.timeout.ms, 2000 */
	int64_t  socket_connection_setup_timeout_ms;  /* socket.connection.setup.timeout.ms, 10000 */
	int64_t  reconnect_backoff_ms;            /* reconnect.backoff.ms, 50 */
};

struct cluster_cfg {
	uint32_t brokers;              /* count; broker b (0-based) has node index broker_node0 + b */
	uint32_t broker_node0;
	uint32_t controller_node;      /* the active controller's node index */
	const int32_t *broker_ids;     /* [brokers], ascending */
	int64_t  broker_session_timeout_ms;
};

static inline int64_t ms_to_us(int64_t ms)
{
	return ms * US_PER_MS;
}

#endif
