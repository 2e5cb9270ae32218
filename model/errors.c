/*
 * errors.c — Kafka error names (Errors.java).
 */
#include "model/errors.h"

#include <string.h>

#include "model/proto.h"

const char *kafka_error_name(int16_t code)
{
	switch ((enum kafka_error)code) {
	case KERR_NONE: return "NONE";
	case KERR_OFFSET_OUT_OF_RANGE: return "OFFSET_OUT_OF_RANGE";
	case KERR_CORRUPT_MESSAGE: return "CORRUPT_MESSAGE";
	case KERR_UNKNOWN_TOPIC_OR_PARTITION: return "UNKNOWN_TOPIC_OR_PARTITION";
	case KERR_LEADER_NOT_AVAILABLE: return "LEADER_NOT_AVAILABLE";
	case KERR_NOT_LEADER_OR_FOLLOWER: return "NOT_LEADER_OR_FOLLOWER";
	case KERR_REQUEST_TIMED_OUT: return "REQUEST_TIMED_OUT";
	case KERR_MESSAGE_TOO_LARGE: return "MESSAGE_TOO_LARGE";
	case KERR_NETWORK_EXCEPTION: return "NETWORK_EXCEPTION";
	case KERR_RECORD_LIST_TOO_LARGE: return "RECORD_LIST_TOO_LARGE";
	case KERR_COORDINATOR_LOAD_IN_PROGRESS: return "COORDINATOR_LOAD_IN_PROGRESS";
	case KERR_COORDINATOR_NOT_AVAILABLE: return "COORDINATOR_NOT_AVAILABLE";
	case KERR_NOT_COORDINATOR: return "NOT_COORDINATOR";
	case KERR_NOT_ENOUGH_REPLICAS: return "NOT_ENOUGH_REPLICAS";
	case KERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND: return "NOT_ENOUGH_REPLICAS_AFTER_APPEND";
	case KERR_ILLEGAL_GENERATION: return "ILLEGAL_GENERATION";
	case KERR_UNKNOWN_MEMBER_ID: return "UNKNOWN_MEMBER_ID";
	case KERR_REBALANCE_IN_PROGRESS: return "REBALANCE_IN_PROGRESS";
	case KERR_INVALID_TIMESTAMP: return "INVALID_TIMESTAMP";
	case KERR_OUT_OF_ORDER_SEQUENCE_NUMBER: return "OUT_OF_ORDER_SEQUENCE_NUMBER";
	case KERR_DUPLICATE_SEQUENCE_NUMBER: return "DUPLICATE_SEQUENCE_NUMBER";
	case KERR_INVALID_PRODUCER_EPOCH: return "INVALID_PRODUCER_EPOCH";
	case KERR_NOT_CONTROLLER: return "NOT_CONTROLLER";
	case KERR_KAFKA_STORAGE_ERROR: return "KAFKA_STORAGE_ERROR";
	case KERR_UNKNOWN_PRODUCER_ID: return "UNKNOWN_PRODUCER_ID";
	case KERR_STALE_BROKER_EPOCH: return "STALE_BROKER_EPOCH";
	case KERR_FENCED_LEADER_EPOCH: return "FENCED_LEADER_EPOCH";
	case KERR_UNKNOWN_LEADER_EPOCH: return "UNKNOWN_LEADER_EPOCH";
	case KERR_OFFSET_NOT_AVAILABLE: return "OFFSET_NOT_AVAILABLE";
	case KERR_MEMBER_ID_REQUIRED: return "MEMBER_ID_REQUIRED";
	case KERR_INVALID_UPDATE_VERSION: return "INVALID_UPDATE_VERSION";
	case KERR_INELIGIBLE_REPLICA: return "INELIGIBLE_REPLICA";
	}
	return "UNKNOWN_SERVER_ERROR";
}

int16_t kafka_error_code(const char *name)
{
	for (int16_t c = 0; c < 128; c++) {
		const char *n = kafka_error_name(c);
		if (strcmp(n, name) == 0 && (c == 0 || strcmp(n, "UNKNOWN_SERVER_ERROR") != 0))
			return c;
	}
	return -1;
}

const char *msg_type_name(uint16_t type)
{
	static const char *const names[MSG_TYPE_COUNT] = {
		[MSG_BROKER_REGISTRATION] = "BrokerRegistration",
		[MSG_BROKER_REGISTRATION_RESP] = "BrokerRegistrationResponse",
		[MSG_BROKER_HEARTBEAT] = "BrokerHeartbeat",
		[MSG_BROKER_HEARTBEAT_RESP] = "BrokerHeartbeatResponse",
		[MSG_METADATA_FETCH] = "MetadataFetch",
		[MSG_METADATA_FETCH_RESP] = "MetadataFetchResponse",
		[MSG_ALTER_PARTITION] = "AlterPartition",
		[MSG_ALTER_PARTITION_RESP] = "AlterPartitionResponse",
		[MSG_METADATA] = "Metadata",
		[MSG_METADATA_RESP] = "MetadataResponse",
		[MSG_PRODUCE] = "Produce",
		[MSG_PRODUCE_RESP] = "ProduceResponse",
		[MSG_FETCH] = "Fetch",
		[MSG_FETCH_RESP] = "FetchResponse",
		[MSG_INIT_PRODUCER_ID] = "InitProducerId",
		[MSG_INIT_PRODUCER_ID_RESP] = "InitProducerIdResponse",
		[MSG_FIND_COORDINATOR] = "FindCoordinator",
		[MSG_FIND_COORDINATOR_RESP] = "FindCoordinatorResponse",
		[MSG_JOIN_GROUP] = "JoinGroup",
		[MSG_JOIN_GROUP_RESP] = "JoinGroupResponse",
		[MSG_SYNC_GROUP] = "SyncGroup",
		[MSG_SYNC_GROUP_RESP] = "SyncGroupResponse",
		[MSG_HEARTBEAT] = "Heartbeat",
		[MSG_HEARTBEAT_RESP] = "HeartbeatResponse",
		[MSG_LEAVE_GROUP] = "LeaveGroup",
		[MSG_LEAVE_GROUP_RESP] = "LeaveGroupResponse",
		[MSG_OFFSET_COMMIT] = "OffsetCommit",
		[MSG_OFFSET_COMMIT_RESP] = "OffsetCommitResponse",
		[MSG_OFFSET_FETCH] = "OffsetFetch",
		[MSG_OFFSET_FETCH_RESP] = "OffsetFetchResponse",
		[MSG_LIST_OFFSETS] = "ListOffsets",
		[MSG_LIST_OFFSETS_RESP] = "ListOffsetsResponse",
		[MSG_OFFSETS_FOR_LEADER_EPOCH] = "OffsetsForLeaderEpoch",
		[MSG_OFFSETS_FOR_LEADER_EPOCH_RESP] = "OffsetsForLeaderEpochResponse",
	};
	return type < MSG_TYPE_COUNT && names[type] != NULL ? names[type] : "Unknown";
}
