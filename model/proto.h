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
	MSG_METADATA_FETCH,             /* a broker fetching the metadata log (KIP-595 observer) */
	MSG_METADATA_FETCH_RESP,
	MSG_ALTER_PARTITION,            /* KIP-497 AlterPartitionRequest */
	MSG_ALTER_PARTITION_RESP,
	MSG_METADATA,                   /* MetadataRequest from a client */
	MSG_METADATA_RESP,
	MSG_PRODUCE,                    /* ProduceRequest */
	MSG_PRODUCE_RESP,
	MSG_FETCH,                      /* FetchRequest, from a follower or a consumer */
	MSG_FETCH_RESP,
	MSG_INIT_PRODUCER_ID,           /* InitProducerIdRequest (KIP-98) */
	MSG_INIT_PRODUCER_ID_RESP,
	MSG_FIND_COORDINATOR,           /* the classic group protocol (KIP-62, KIP-429) */
	MSG_FIND_COORDINATOR_RESP,
	MSG_JOIN_GROUP,
	MSG_JOIN_GROUP_RESP,
	MSG_SYNC_GROUP,
	MSG_SYNC_GROUP_RESP,
	MSG_HEARTBEAT,
	MSG_HEARTBEAT_RESP,
	MSG_LEAVE_GROUP,
	MSG_LEAVE_GROUP_RESP,
	MSG_OFFSET_COMMIT,
	MSG_OFFSET_COMMIT_RESP,
	MSG_OFFSET_FETCH,
	MSG_OFFSET_FETCH_RESP,
	MSG_LIST_OFFSETS,               /* ListOffsets: earliest, latest, by timestamp */
	MSG_LIST_OFFSETS_RESP,
	MSG_OFFSETS_FOR_LEADER_EPOCH,   /* KIP-320 position validation */
	MSG_OFFSETS_FOR_LEADER_EPOCH_RESP,
	MSG_TYPE_COUNT,
};

/* Kafka's API name of a message type, for traces. */
const char *msg_type_name(uint16_t type);

/* Partitions are named by a global index `tp` (cluster_cfg.parts). */
#define TP_NONE UINT32_MAX
#define NO_LEADER (-1)

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
	int64_t  metadata_end;     /* the controller's metadata log end offset */
};

/* ---- the metadata log ----------------------------------------------------------------- */

struct metadata_fetch {
	int64_t from_offset;       /* the broker's metadata log end offset */
	int32_t max_wait_ms;
};

/* Response blob: `count` records, each a struct md_header then its body: a struct
 * md_partition followed by its int32 arrays (replicas, isr, elr), or a struct md_broker. */
struct metadata_fetch_resp {
	int16_t  error;
	int16_t  pad;
	uint32_t count;
	int64_t  from_offset;
	int64_t  end_offset;
};

enum md_kind {
	MD_PARTITION = 1,          /* PartitionRecord / PartitionChangeRecord (full state) */
	MD_BROKER,                 /* RegisterBrokerRecord / BrokerRegistrationChangeRecord */
};

struct md_header {
	uint32_t kind;             /* enum md_kind */
	uint32_t size;             /* bytes of the body that follows */
};

/* A partition's whole state after the change. */
struct md_partition {
	uint32_t tp;
	int32_t  leader;
	int32_t  leader_epoch;
	int32_t  partition_epoch;
	uint16_t n_replicas;
	uint16_t n_isr;
	uint16_t n_elr;
	uint8_t  recovering;       /* LeaderRecoveryState.RECOVERING after an unclean election */
	uint8_t  pad;
};

/* A broker's registration state (what KIP-841/903 ISR eligibility needs). */
struct md_broker {
	int32_t  broker_id;
	uint8_t  fenced;
	uint8_t  shutting_down;
	uint8_t  pad[2];
	int64_t  broker_epoch;
};

/* ---- AlterPartition (KIP-497, KIP-903: with broker epochs) ------------------------------ */

struct alter_partition {
	uint32_t tp;
	int32_t  leader;
	int32_t  leader_epoch;
	int32_t  partition_epoch;
	int64_t  broker_epoch;     /* the leader's */
	uint32_t n_isr;            /* blob: n_isr struct alter_isr_member */
	uint32_t pad;
};

struct alter_isr_member {
	int32_t broker_id;
	int32_t pad;
	int64_t broker_epoch;
};

struct alter_partition_resp {
	uint32_t tp;
	int16_t  error;
	int16_t  pad;
	int32_t  leader;
	int32_t  leader_epoch;
	int32_t  partition_epoch;
	uint32_t n_isr;            /* blob: n_isr int32 broker ids */
};

/* ---- client requests ------------------------------------------------------------------- */

struct metadata_req {
	int32_t topic;             /* topic index */
	int32_t pad;
};

/* Response blob: one struct md_leader per partition of the topic, in partition order. */
struct metadata_resp {
	int16_t  error;
	int16_t  pad;
	int32_t  topic;
	uint32_t count;
	uint32_t pad2;
};

struct md_leader {
	uint32_t tp;
	int32_t  leader;           /* broker id, or NO_LEADER */
	int32_t  leader_epoch;
	int16_t  error;            /* LEADER_NOT_AVAILABLE when there is none */
	int16_t  pad;
};

struct init_producer_id_resp {
	int16_t error;
	int16_t producer_epoch;
	int32_t pad;
	int64_t producer_id;
};

struct produce_req {
	int16_t  acks;             /* -1, 0, 1 */
	int16_t  producer_epoch;
	int32_t  timeout_ms;       /* the producer's request.timeout.ms */
	int64_t  producer_id;      /* -1 when not idempotent */
	uint32_t count;            /* blob: count struct produce_part */
	uint32_t pad;
};

struct produce_part {
	uint32_t tp;
	int32_t  record_count;
	int32_t  base_sequence;
	int32_t  size_bytes;
	int64_t  max_timestamp_ms; /* CreateTime: the producer's clock at send() */
	uint64_t rec_ref;
	/* The batch's own producer id and epoch, as its v2 header carries them (-1 when not
	 * idempotent). After a KIP-360 epoch bump one request may hold batches of two epochs;
	 * produce_req's fields are the producer's current id and epoch. */
	int64_t  producer_id;
	int16_t  producer_epoch;
	int16_t  pad[3];
};

struct produce_resp {
	uint32_t count;            /* blob: count struct produce_part_resp */
	uint32_t pad;
};

struct produce_part_resp {
	uint32_t tp;
	int16_t  error;
	int16_t  pad;
	int64_t  base_offset;
	int64_t  log_append_time_ms;
};

/* FetchRequest: replica_id >= 0 is a follower (broker id), -1 a consumer. */
struct fetch_req {
	int32_t  replica_id;
	int32_t  max_wait_ms;
	int64_t  broker_epoch;     /* a follower's (KIP-903) */
	int32_t  min_bytes;
	int32_t  max_bytes;
	uint32_t count;            /* blob: count struct fetch_part */
	uint32_t pad;
};

struct fetch_part {
	uint32_t tp;
	int32_t  current_leader_epoch;
	int64_t  fetch_offset;
	int32_t  last_fetched_epoch;   /* -1 when none */
	int32_t  partition_max_bytes;
	int64_t  log_start_offset;     /* a follower's */
};

/* Response blob: count struct fetch_part_resp, then the batches (struct plog_batch) they
 * name by [batch_first, batch_first + batch_count). */
struct fetch_resp {
	int16_t  error;
	int16_t  pad;
	uint32_t count;
};

struct fetch_part_resp {
	uint32_t tp;
	int16_t  error;
	int16_t  diverged;             /* 1: diverging_epoch / diverging_end_offset are set */
	int64_t  high_watermark;
	int64_t  log_start_offset;
	int64_t  log_end_offset;       /* the leader's LEO (for OFFSET_OUT_OF_RANGE handling) */
	int32_t  diverging_epoch;      /* -1: none (KIP-595 divergingEpoch in FetchResponse) */
	int32_t  leader_epoch;         /* the leader's current epoch */
	int64_t  diverging_end_offset;
	uint32_t batch_first;
	uint32_t batch_count;
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

/* ---- consumer groups (classic protocol) ---------------------------------------------- */

/* A member id is "<client.id>-<UUID>" (AbstractCoordinator; scenario-format 11.4). On the
 * wire it travels as the client's index and the UUID's 16 bytes; both ends format the string
 * when they need it (the assignors sort member ids as strings). A zero uuid is "no member id
 * yet" (UNKNOWN_MEMBER_ID = ""). */
struct member_ref {
	uint32_t client;           /* index in cluster_cfg.clients */
	uint8_t  uuid[16];
};

static inline int member_ref_empty(const struct member_ref *m)
{
	for (int i = 0; i < 16; i++)
		if (m->uuid[i] != 0)
			return 0;
	return 1;
}

struct find_coordinator {
	uint32_t group;            /* index in cluster_cfg.groups */
	uint32_t pad;
};

struct find_coordinator_resp {
	int16_t error;             /* COORDINATOR_NOT_AVAILABLE when the partition has no leader */
	int16_t pad;
	int32_t node_id;           /* broker id */
};

/* JoinGroup: blob = n_topics uint32 topic indices, then n_owned uint32 tps (owned
 * partitions, for the cooperative protocol and sticky user data). */
struct join_group {
	uint32_t group;
	int32_t  session_timeout_ms;
	int32_t  rebalance_timeout_ms;     /* max.poll.interval.ms */
	int32_t  generation;               /* the member's last generation, -1 */
	struct member_ref member;          /* empty on the first join */
	uint8_t  protocols[4];             /* enum cfg_assignor, in preference order, 0 ends */
	uint32_t n_topics;
	uint32_t n_owned;
};

/* The leader's answer carries every member: blob = n_members struct join_member, each
 * followed by its n_topics uint32 topics and n_owned uint32 owned tps. */
struct join_group_resp {
	int16_t  error;                    /* MEMBER_ID_REQUIRED carries the new member id */
	uint8_t  protocol;                 /* the chosen assignor (enum cfg_assignor) */
	uint8_t  pad;
	int32_t  generation;
	struct member_ref member;
	struct member_ref leader;
	uint32_t n_members;                /* 0 for followers */
};

struct join_member {
	struct member_ref member;
	int32_t  generation;
	uint32_t n_topics;
	uint32_t n_owned;
};

/* SyncGroup: the leader's blob = n_assignments struct sync_assignment, each followed by its
 * n_tps uint32 tps. */
struct sync_group {
	uint32_t group;
	int32_t  generation;
	struct member_ref member;
	uint32_t n_assignments;
	uint32_t pad;
};

struct sync_assignment {
	struct member_ref member;
	uint32_t n_tps;
};

/* blob: n_tps uint32 tps assigned to this member. */
struct sync_group_resp {
	int16_t  error;
	int16_t  pad;
	uint32_t n_tps;
};

struct heartbeat_req {
	uint32_t group;
	int32_t  generation;
	struct member_ref member;
};

struct group_resp {                /* Heartbeat and LeaveGroup answers */
	int16_t error;
	int16_t pad[3];
};

struct leave_group {
	uint32_t group;
	uint32_t pad;
	struct member_ref member;
};

/* OffsetCommit: blob = n struct commit_part. */
struct offset_commit {
	uint32_t group;
	int32_t  generation;               /* -1 for a commit outside the group protocol */
	struct member_ref member;
	uint32_t n;
	uint32_t pad;
};

struct commit_part {
	uint32_t tp;
	int32_t  leader_epoch;             /* of the last consumed record (KIP-320) */
	int64_t  offset;
};

/* blob = n struct commit_part_resp */
struct offset_commit_resp {
	int16_t  error;
	int16_t  pad;
	uint32_t n;
};

struct commit_part_resp {
	uint32_t tp;
	int16_t  error;
	int16_t  pad;
};

/* OffsetFetch: blob = n uint32 tps; answer blob = n struct offset_fetch_part. */
struct offset_fetch {
	uint32_t group;
	uint32_t n;
};

struct offset_fetch_resp {
	int16_t  error;                    /* COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR */
	int16_t  pad;
	uint32_t n;
};

struct offset_fetch_part {
	uint32_t tp;
	int32_t  leader_epoch;             /* -1 when unknown */
	int64_t  offset;                   /* -1: no committed offset */
};

#define LIST_OFFSETS_EARLIEST (-2)    /* ListOffsetsRequest.EARLIEST_TIMESTAMP */
#define LIST_OFFSETS_LATEST   (-1)    /* ListOffsetsRequest.LATEST_TIMESTAMP */

struct list_offsets {
	uint32_t tp;
	int32_t  current_leader_epoch;
	int64_t  timestamp;                /* EARLIEST, LATEST, or a wall-clock ms */
};

struct list_offsets_resp {
	uint32_t tp;
	int16_t  error;
	int16_t  pad;
	int32_t  leader_epoch;
	int32_t  pad2;
	int64_t  offset;                   /* -1 when no record has that timestamp or later */
	int64_t  timestamp;
};

struct offsets_for_epoch {
	uint32_t tp;
	int32_t  current_leader_epoch;
	int32_t  leader_epoch;             /* the epoch of the consumer's position */
	int32_t  pad;
};

struct offsets_for_epoch_resp {
	uint32_t tp;
	int16_t  error;
	int16_t  pad;
	int32_t  leader_epoch;
	int32_t  pad2;
	int64_t  end_offset;
};

#endif
