/*
 * proto.h — the Kafka requests and responses the model exchanges, as fixed-size bodies that
 * fit in a struct net_msg (sim/node.h). Names follow Kafka's RPCs (clients/.../common/
 * message/ JSON files); fields carry only what the simulated behaviour needs.
 */
#ifndef KAFKASIM_PROTO_H
#define KAFKASIM_PROTO_H

#include <stdint.h>
#include <string.h>

#include "model/errors.h"
#include "sim/node.h"

enum msg_type {
	MSG_BROKER_REGISTRATION = 1,    /* KIP-631 BrokerRegistrationRequest */
	MSG_BROKER_REGISTRATION_RESP,
	MSG_BROKER_HEARTBEAT,           /* KIP-631 BrokerHeartbeatRequest */
	MSG_BROKER_HEARTBEAT_RESP,
};

struct broker_registration {
	int32_t  broker_id;
	int32_t  pad;
	int64_t  previous_broker_epoch;   /* KIP-966: -1 when the last shutdown was unclean */
	uint64_t incarnation;             /* a fresh incarnation id per process start */
};

struct broker_registration_resp {
	int16_t  error;
	int16_t  pad[3];
	int64_t  broker_epoch;
};

struct broker_heartbeat {
	int32_t  broker_id;
	uint8_t  want_fence;
	uint8_t  want_shutdown;
	uint8_t  pad[2];
	int64_t  broker_epoch;
	int64_t  current_metadata_offset;
};

struct broker_heartbeat_resp {
	int16_t  error;
	uint8_t  is_fenced;
	uint8_t  should_shutdown;
	uint8_t  pad[4];
};

/* Body accessors: the struct must fit, and is copied (no aliasing of the byte array). */
#define PROTO_PUT(m, type_id, val)                                                   \
	do {                                                                         \
		_Static_assert(sizeof(val) <= NET_MSG_BODY_BYTES, "body too large");  \
		memset((m), 0, sizeof(*(m)));                                        \
		(m)->type = (uint16_t)(type_id);                                     \
		memcpy((m)->body, &(val), sizeof(val));                              \
	} while (0)

#define PROTO_GET(m, val) memcpy(&(val), (m)->body, sizeof(val))

#endif
