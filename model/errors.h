/*
 * errors.h — the Kafka error codes the model uses, with Kafka's numbers and names
 * (clients/.../common/protocol/Errors.java).
 */
#ifndef KAFKASIM_ERRORS_H
#define KAFKASIM_ERRORS_H

#include <stdint.h>

enum kafka_error {
	KERR_NONE                              = 0,
	KERR_OFFSET_OUT_OF_RANGE               = 1,
	KERR_CORRUPT_MESSAGE                   = 2,
	KERR_UNKNOWN_TOPIC_OR_PARTITION        = 3,
	KERR_LEADER_NOT_AVAILABLE              = 5,
	KERR_NOT_LEADER_OR_FOLLOWER            = 6,
	KERR_REQUEST_TIMED_OUT                 = 7,
	KERR_MESSAGE_TOO_LARGE                 = 10,
	KERR_RECORD_LIST_TOO_LARGE             = 18,
	KERR_NETWORK_EXCEPTION                 = 13,
	KERR_COORDINATOR_LOAD_IN_PROGRESS      = 14,
	KERR_COORDINATOR_NOT_AVAILABLE         = 15,
	KERR_NOT_COORDINATOR                   = 16,
	KERR_NOT_ENOUGH_REPLICAS               = 19,
	KERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND  = 20,
	KERR_ILLEGAL_GENERATION                = 22,
	KERR_UNKNOWN_MEMBER_ID                 = 25,
	KERR_REBALANCE_IN_PROGRESS             = 27,
	KERR_INVALID_TIMESTAMP                 = 32,
	KERR_NOT_CONTROLLER                    = 41,
	KERR_OUT_OF_ORDER_SEQUENCE_NUMBER      = 45,
	KERR_DUPLICATE_SEQUENCE_NUMBER         = 46,
	KERR_INVALID_PRODUCER_EPOCH            = 47,
	KERR_KAFKA_STORAGE_ERROR               = 56,
	KERR_UNKNOWN_PRODUCER_ID               = 59,
	KERR_STALE_BROKER_EPOCH                = 77,
	KERR_FENCED_LEADER_EPOCH               = 74,
	KERR_UNKNOWN_LEADER_EPOCH              = 75,
	KERR_OFFSET_NOT_AVAILABLE              = 78,
	KERR_MEMBER_ID_REQUIRED                = 79,
	KERR_INVALID_UPDATE_VERSION            = 95,
	KERR_INELIGIBLE_REPLICA                = 107,
};

/* Kafka's upper-case error name, e.g. "NOT_ENOUGH_REPLICAS"; "UNKNOWN_SERVER_ERROR" for
 * codes the model does not use. */
const char *kafka_error_name(int16_t code);
/* The code of a Kafka error name, or -1. */
int16_t kafka_error_code(const char *name);

#endif
