/*
 * test_scenario.c — the scenario loader (sim/scen_*.c): a table of bad inputs, each refused
 * with exit-2 semantics at an exact line and column with a telling message; the limits of
 * scenario-format 11.9 built in code; and good inputs whose parsed values and Kafka defaults
 * are checked field by field.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim/limits.h"
#include "sim/prng.h"
#include "sim/scenario.h"

/* --- bad inputs ------------------------------------------------------------------------- */

/* One refused file: the first error (in file order) is at line:col, where `anchor` starts in
 * the source (NULL: no anchor check), and its message contains `msg`. */
struct bad_case {
	const char *name;
	const char *yaml;
	uint32_t    line;
	uint32_t    col;
	const char *anchor;
	const char *msg;
	size_t      len;      /* 0: strlen(yaml); set for inputs holding NUL bytes */
};

static const struct bad_case bad_cases[] = {
	{"misspelled_acks",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10, acsk: all}]\n",
		  5, 51, "acsk",
		  "unknown key `acsk` in producer `p1`; did you mean `acks`?", 0},
	{"misspelled_top_level",
		  "name: t\n"
		  "duration: 60s\n"
		  "descripton: x\n"
		  "cluster: {brokers: 3}\n",
		  3, 1, "descripton",
		  "did you mean `description`?", 0},
	{"misspelled_cluster_key",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3, netwrok: {}}\n",
		  3, 23, "netwrok",
		  "did you mean `network`?", 0},
	{"duration_is_a_list",
		  "name: t\n"
		  "duration: [1]\n"
		  "cluster: {brokers: 3}\n",
		  2, 11, "[1]",
		  "`duration` must be a single value, not a list", 0},
	{"brokers_not_a_number",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: abc}\n",
		  3, 20, "abc",
		  "expected a non-negative integer", 0},
	{"name_empty",
		  "name: \"\"\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n",
		  1, 7, "\"\"",
		  "`name` must not be empty", 0},
	{"name_missing",
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n",
		  1, 1, "duration",
		  "missing required key `name`", 0},
	{"seed_negative",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "seed: -1\n",
		  4, 7, "-1",
		  "is negative", 0},
	{"seed_above_u64",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "seed: 18446744073709551616\n",
		  4, 7, "1844",
		  "out of range", 0},
	{"duration_float_no_unit",
		  "name: t\n"
		  "duration: 1.5\n"
		  "cluster: {brokers: 3}\n",
		  2, 11, "1.5",
		  "has a fraction but no unit", 0},
	{"duration_composite",
		  "name: t\n"
		  "duration: 1m30s\n"
		  "cluster: {brokers: 3}\n",
		  2, 11, "1m30s",
		  "composite", 0},
	{"duration_zero",
		  "name: t\n"
		  "duration: 0\n"
		  "cluster: {brokers: 3}\n",
		  2, 11, "0",
		  "`duration` must be greater than 0", 0},
	{"duration_fraction_of_us",
		  "name: t\n"
		  "duration: 0.5us\n"
		  "cluster: {brokers: 3}\n",
		  2, 11, "0.5us",
		  "whole number", 0},
	{"duration_bad_unit",
		  "name: t\n"
		  "duration: 5sec\n"
		  "cluster: {brokers: 3}\n",
		  2, 11, "5sec",
		  "unit that is not accepted", 0},
	{"drop_above_one",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3, network: {drop: 1.5}}\n",
		  3, 39, "1.5",
		  "is above 1", 0},
	{"controllers_three",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3, controllers: 3}\n",
		  3, 36, "3}",
		  "controllers: 3 is not supported yet (single active controller only)", 0},
	{"controllers_two",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3, controllers: 2}\n",
		  3, 36, "2}",
		  "controllers must be 1, 3 or 5", 0},
	{"broker_id_twice",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: [{id: 1}, {id: 1}]}\n",
		  3, 35, "1}",
		  "broker id 1 is given twice", 0},
	{"rf_above_brokers",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 4}]\n",
		  4, 60, "4}",
		  "replication.factor 4 is larger than the 3 available brokers", 0},
	{"partitions_zero",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 0}]\n",
		  4, 37, "0}",
		  "`partitions` must be between 1 and 100000", 0},
	{"assignment_broker_twice",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3, assignment: {0: [1, 1, 2]}}]\n",
		  4, 83, "1, 2]",
		  "broker 1 is listed twice", 0},
	{"assignment_wrong_length",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3, assignment: {0: [1, 2]}}]\n",
		  4, 79, "[1, 2]",
		  "lists 2 brokers; replication.factor is 3", 0},
	{"assignment_unknown_broker",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3, assignment: {0: [1, 2, 9]}}]\n",
		  4, 86, "9]",
		  "no broker has id 9", 0},
	{"assignment_partition_out_of_range",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3, assignment: {3: [1, 2, 3]}}]\n",
		  4, 76, "3: [",
		  "has no partition 3", 0},
	{"topic_name_chars",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: \"a b\"}]\n",
		  4, 17, "\"a b\"",
		  "may hold only letters", 0},
	{"topic_internal_name",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: __consumer_offsets}]\n",
		  4, 17, "__consumer_offsets",
		  "internal topic", 0},
	{"topic_twice",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders}, {name: orders}]\n",
		  4, 33, "orders",
		  "topic `orders` is defined twice", 0},
	{"topic_dot_underscore_collide",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: a.b}, {name: a_b}]\n",
		  4, 30, "a_b",
		  "collides with topic `a.b`", 0},
	{"producer_unknown_topic",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: ordrs, messages: 10}]\n",
		  5, 29, "ordrs",
		  "unknown topic `ordrs`; did you mean `orders`?", 0},
	{"producer_partition_out_of_range",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10, partition: 3}]\n",
		  5, 62, "3}]",
		  "topic `orders` has no partition 3", 0},
	{"producer_messages_zero",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 0}]\n",
		  5, 47, "0}",
		  "`messages` must be between 1", 0},
	{"producer_keys_empty",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10, keys: []}]\n",
		  5, 57, "[]",
		  "must not be an empty list", 0},
	{"producer_keys_zero",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10, keys: 0}]\n",
		  5, 57, "0}",
		  "count >= 1", 0},
	{"producer_keys_item_mapping",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10, keys: [a, {b: c}]}]\n",
		  5, 61, "{b: c}",
		  "a key must be a single value", 0},
	{"producer_even_end_after_duration",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10000, rate: 100/s}]\n",
		  5, 47, "10000",
		  "messages: 10000 at rate: 100/s from 0s puts its last record at 99.99s, not before duration: 1m", 0},
	{"producer_poisson_start_after_duration",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10, arrival: poisson, start: 61s}]\n",
		  5, 76, "61s",
		  "producer `p1` starts at 61s, not before duration: 1m", 0},
	{"producer_rate_zero",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10, rate: 0/s}]\n",
		  5, 57, "0/s",
		  "`rate` must be greater than 0", 0},
	{"producer_value_bytes_negative",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10, value.bytes: -5}]\n",
		  5, 64, "-5",
		  "is negative", 0},
	{"idempotence_with_acks_1",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10, enable.idempotence: true, acks: 1}]\n",
		  5, 51, "enable.idempotence",
		  "enable.idempotence: true needs acks: all", 0},
	{"idempotence_with_retries_0",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10, enable.idempotence: true, retries: 0}]\n",
		  5, 51, "enable.idempotence",
		  "needs retries > 0", 0},
	{"idempotence_max_in_flight_6",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10, max.in.flight.requests.per.connection: 6}]\n",
		  5, 51, "max.in.flight",
		  "is above 5, the most the idempotent producer allows", 0},
	{"delivery_timeout_below_linger_request",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10, delivery.timeout.ms: 1000}]\n",
		  5, 51, "delivery.timeout.ms",
		  "delivery.timeout.ms (1000) must be >= linger.ms + request.timeout.ms (30005)", 0},
	{"acks_two",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10, acks: 2}]\n",
		  5, 57, "2}",
		  "expected all, -1, 0 or 1", 0},
	{"linger_negative",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10, linger.ms: -1}]\n",
		  5, 62, "-1",
		  "must be at least 0", 0},
	{"linger_micros",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10, linger.ms: 250us}]\n",
		  5, 62, "250us",
		  "must be a whole number of milliseconds", 0},
	{"batch_size_bad_unit",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10, batch.size: 16KB}]\n",
		  5, 63, "16KB",
		  "a size like 16KiB", 0},
	{"unsupported_config",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10, transactional.id: tx}]\n",
		  5, 51, "transactional.id",
		  "`transactional.id` is a Kafka config kafkasim does not support", 0},
	{"consumer_config_in_producer",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10, session.timeout.ms: 10000}]\n",
		  5, 51, "session.timeout.ms",
		  "`session.timeout.ms` is a consumer config: set it in a consumers entry", 0},
	{"producer_config_in_cluster",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3, config: {acks: all}}\n",
		  3, 32, "acks",
		  "`acks` is a producer config: set it in a producers entry, not in cluster.config", 0},
	{"topic_config_in_one_broker",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: [{id: 1, config: {retention.ms: 5}}]}\n",
		  3, 38, "retention.ms",
		  "is a topic-level config: set it in cluster.config or a topic's `config`, not in broker 1's config", 0},
	{"cluster_only_in_one_broker",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: [{id: 1, config: {broker.session.timeout.ms: 5}}]}\n",
		  3, 38, "broker.session",
		  "is a cluster-wide config", 0},
	{"broker_name_in_topic_config",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, config: {log.retention.ms: 5}}]\n",
		  4, 34, "log.retention.ms",
		  "in a topic's config it is called `retention.ms`", 0},
	{"segment_bytes_below_1mib",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, config: {segment.bytes: 1000}}]\n",
		  4, 49, "1000",
		  "must be at least 1048576", 0},
	{"retention_two_names",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3, config: {retention.ms: 5, log.retention.ms: 6}}\n",
		  3, 49, "log.retention.ms",
		  "sets the same config as `retention.ms`", 0},
	{"log_retention_zero",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3, config: {log.retention.ms: 0}}\n",
		  3, 32, "log.retention.ms",
		  "must be -1 (unlimited) or at least 1", 0},
	{"fetch_wait_above_lag",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3, config: {replica.fetch.wait.max.ms: 20000, replica.lag.time.max.ms: 10000}}\n",
		  3, 32, "replica.fetch.wait",
		  "must be <= replica.lag.time.max.ms", 0},
	{"compaction_lag_min_above_max",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, config: {min.compaction.lag.ms: 10, max.compaction.lag.ms: 5}}]\n",
		  4, 34, "min.compaction",
		  "min.compaction.lag.ms (10) > max.compaction.lag.ms (5)", 0},
	{"commit_none_with_auto_commit",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "consumers: [{group: billing, topics: [orders], commit: none, enable.auto.commit: true}]\n",
		  5, 62, "enable.auto.commit",
		  "enable.auto.commit: true conflicts with commit: none", 0},
	{"commit_auto_without_auto_commit",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "consumers: [{group: billing, topics: [orders], commit: auto, enable.auto.commit: false}]\n",
		  5, 62, "enable.auto.commit",
		  "needs enable.auto.commit: true", 0},
	{"commit_unknown_mode",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "consumers: [{group: billing, topics: [orders], commit: sometimes}]\n",
		  5, 56, "sometimes",
		  "expected one of auto, after-processing, before-processing, none", 0},
	{"members_zero",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 0}]\n",
		  5, 57, "0}",
		  "`members` must be between 1 and 10000", 0},
	{"member_id_clashes_with_producer",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: billing-1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n",
		  6, 57, "2}]",
		  "client id `billing-1` is used twice", 0},
	{"client_id_looks_like_broker",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: \"7\", topic: orders, messages: 10}]\n",
		  5, 18, "\"7\"",
		  "looks like another kind of node reference", 0},
	{"client_id_looks_like_controller",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: controller-1, topic: orders, messages: 10}]\n",
		  5, 18, "controller-1",
		  "looks like another kind of node reference", 0},
	{"group_twice",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "consumers: [{group: g, topics: [orders]}, {group: g, topics: [orders]}]\n",
		  5, 51, "g,",
		  "group `g` is given twice", 0},
	{"consumer_unknown_topic",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "consumers: [{group: g, topics: [orders, nope]}]\n",
		  5, 41, "nope",
		  "unknown topic `nope`", 0},
	{"group_protocol_consumer",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "consumers: [{group: billing, topics: [orders], group.protocol: consumer}]\n",
		  5, 48, "group.protocol",
		  "group.protocol: consumer (KIP-848) is not supported yet", 0},
	{"auto_offset_reset_bad_duration",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "consumers: [{group: billing, topics: [orders], auto.offset.reset: by_duration:1h}]\n",
		  5, 67, "by_duration",
		  "is not by_duration:<ISO-8601 duration>", 0},
	{"assignor_unknown",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "consumers: [{group: billing, topics: [orders], partition.assignment.strategy: fair}]\n",
		  5, 79, "fair",
		  "unknown assignor `fair`", 0},
	{"consumer_start_after_end",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "consumers: [{group: billing, topics: [orders], start: 121s}]\n",
		  5, 55, "121s",
		  "never runs", 0},
	{"fault_at_duration",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "faults:\n"
		  "  - {at: 60s, crash: 1}\n",
		  8, 10, "60s,",
		  "at: 1m is not before duration: 1m", 0},
	{"fault_for_on_restart",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "faults:\n"
		  "  - {at: 1s, restart: 1, for: 2s}\n",
		  8, 26, "for",
		  "`for:` is not allowed on `restart`", 0},
	{"fault_for_on_heal",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "faults:\n"
		  "  - {at: 1s, heal: all, for: 2s}\n",
		  8, 25, "for",
		  "`for:` is not allowed on `heal`", 0},
	{"fault_for_negative",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "faults:\n"
		  "  - {at: 1s, pause: 1, for: -2s}\n",
		  8, 29, "-2s",
		  "is negative", 0},
	{"partition_single_group",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "faults:\n"
		  "  - {at: 1s, partition: [[1, 2]]}\n",
		  8, 25, "[[",
		  "needs at least two groups", 0},
	{"partition_node_twice",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "faults:\n"
		  "  - {at: 1s, partition: [[1, 2], [2, 3]]}\n",
		  8, 35, "2, 3",
		  "node `2` is listed twice in `partition`", 0},
	{"partition_controller_twice",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "faults:\n"
		  "  - {at: 1s, partition: [[controller, 1], [controller-1]]}\n",
		  8, 44, "controller-1",
		  "listed twice in `partition`", 0},
	{"fault_unknown_broker",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "faults:\n"
		  "  - {at: 1s, crash: 9}\n",
		  8, 21, "9}",
		  "no broker has id 9", 0},
	{"fault_unknown_client",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "faults:\n"
		  "  - {at: 1s, crash: p2}\n",
		  8, 21, "p2",
		  "unknown node `p2`", 0},
	{"fault_leader_partition_out_of_range",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "faults:\n"
		  "  - {at: 1s, crash: leader(orders-5)}\n",
		  8, 21, "leader(",
		  "topic `orders` has no partition 5", 0},
	{"fault_leader_unknown_topic",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "faults:\n"
		  "  - {at: 1s, crash: leader(ordrs-0)}\n",
		  8, 21, "leader(",
		  "unknown topic `ordrs`; did you mean `orders`?", 0},
	{"fault_leader_offsets_out_of_range",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "faults:\n"
		  "  - {at: 1s, crash: leader(__consumer_offsets-50)}\n",
		  8, 21, "leader(",
		  "__consumer_offsets has no partition 50", 0},
	{"fault_coordinator_unknown_group",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "faults:\n"
		  "  - {at: 1s, crash: coordinator(bill)}\n",
		  8, 21, "coordinator(",
		  "no consumer group `bill`", 0},
	{"fault_leave_producer",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "faults:\n"
		  "  - {at: 1s, leave: p1}\n",
		  8, 21, "p1}",
		  "`leave` applies to consumer members only", 0},
	{"fault_stop_client",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "faults:\n"
		  "  - {at: 1s, stop: billing-1}\n",
		  8, 20, "billing-1}",
		  "`stop` is a broker's or controller's controlled shutdown", 0},
	{"fault_power_loss_on_pause",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "faults:\n"
		  "  - {at: 1s, pause: 1, power-loss: true}\n",
		  8, 36, "true",
		  "`power-loss` goes with `crash` only", 0},
	{"fault_two_actions",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "faults:\n"
		  "  - {at: 1s, crash: 1, pause: 2}\n",
		  8, 24, "pause",
		  "a fault holds exactly one action", 0},
	{"fault_no_action",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "faults:\n"
		  "  - {at: 1s}\n",
		  8, 5, "{at",
		  "a fault needs one action", 0},
	{"fault_link_to_itself",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "faults:\n"
		  "  - {at: 1s, link: {from: 1, to: 1, drop: 1}}\n",
		  8, 34, "1, drop",
		  "not to itself", 0},
	{"fault_link_changes_nothing",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "faults:\n"
		  "  - {at: 1s, link: {from: 1, to: 2}}\n",
		  8, 20, "{from",
		  "`link` changes nothing", 0},
	{"fault_heal_not_all",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "faults:\n"
		  "  - {at: 1s, heal: some}\n",
		  8, 20, "some",
		  "`heal` takes `all`", 0},
	{"fault_controller_2",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "faults:\n"
		  "  - {at: 1s, crash: controller-2}\n",
		  8, 21, "controller-2",
		  "there is no `controller-2`", 0},
	{"fault_clock_missing_skew",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "faults:\n"
		  "  - {at: 1s, clock: {node: 1}}\n",
		  8, 21, "{node",
		  "`clock` needs `node` and `skew`", 0},
	{"nemesis_unknown_kind",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "nemesis: {faults: [crash, explode], interval: 10s, for: 5s}\n",
		  7, 27, "explode",
		  "unknown nemesis fault `explode`", 0},
	{"nemesis_partition_one_controller",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "nemesis: {faults: [partition], targets: controllers, interval: 10s, for: 5s}\n",
		  7, 10, "{faults",
		  "nemesis `partition` needs at least 2 targets", 0},
	{"nemesis_missing_interval",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "nemesis: {faults: [crash], for: 5s}\n",
		  7, 10, "{faults",
		  "missing required key `interval` in `nemesis`", 0},
	{"expect_unknown_metric",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "expect:\n"
		  "  - lost-writes: 0\n",
		  8, 5, "lost-writes",
		  "unknown metric `lost-writes`; did you mean `lost-write`?", 0},
	{"expect_group_metric_without_group",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "expect:\n"
		  "  - redelivered: 0\n",
		  8, 5, "redelivered",
		  "`redelivered` needs `group:`", 0},
	{"expect_at_on_counter",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "expect:\n"
		  "  - acked: {at: 1s, is: 0}\n",
		  8, 13, "at:",
		  "`at:` applies to state metrics only", 0},
	{"expect_at_after_end",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "expect:\n"
		  "  - leader: {partition: orders-0, at: 121s, is: 1}\n",
		  8, 39, "121s",
		  "is after the end of the run, 2m", 0},
	{"expect_list_with_less_than",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "expect:\n"
		  "  - isr: {partition: orders-0, is: \"< [1]\"}\n",
		  8, 36, "\"< [1]\"",
		  "lists compare only with == and !=", 0},
	{"expect_list_repeats",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "expect:\n"
		  "  - isr: {partition: orders-0, is: [1, 1]}\n",
		  8, 36, "[1, 1]",
		  "lists compare as sets", 0},
	{"expect_scope_not_applicable",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "expect:\n"
		  "  - lost-write: {producer: p1, is: 0}\n",
		  8, 18, "producer",
		  "`producer:` does not apply to `lost-write`", 0},
	{"expect_unknown_code",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "expect:\n"
		  "  - produce-errors: {code: NOT_ENOUGH_REPLICA, is: 1}\n",
		  8, 28, "NOT_ENOUGH",
		  "did you mean `NOT_ENOUGH_REPLICAS`?", 0},
	{"expect_member_of_other_group",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}, {group: other, topics: [orders]}]\n"
		  "expect:\n"
		  "  - assignment: {group: other, member: billing-1, is: []}\n",
		  7, 40, "billing-1,",
		  "`billing-1` is not a member of group `other`", 0},
	{"expect_replica_not_hosting",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 1, replication.factor: 1, assignment: {0: [2]}}]\n"
		  "expect:\n"
		  "  - leo: {partition: orders-0, replica: 3, is: 0}\n",
		  6, 41, "3,",
		  "broker 3 is not a replica of orders-0", 0},
	{"expect_committed_offset_unread_topic",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders}, {name: audit}]\n"
		  "consumers: [{group: g, topics: [orders]}]\n"
		  "expect:\n"
		  "  - committed-offset: {group: g, partition: audit-0, is: 0}\n",
		  7, 45, "audit-0",
		  "group `g` does not subscribe to topic `audit`", 0},
	{"expect_not_a_number",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "expect:\n"
		  "  - hw: {partition: orders-0, is: abc}\n",
		  8, 35, "abc",
		  "expected a number or a comparison", 0},
	{"duplicate_top_level_key",
		  "name: t\n"
		  "name: u\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n",
		  2, 1, "name",
		  "duplicate key `name` (first given at line 1)", 0},
	{"mapping_as_key",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "? [a]\n"
		  ": 1\n",
		  4, 3, "[a]",
		  "mapping keys must be plain names", 0},
	{"empty_file",
		  "",
		  1, 1, NULL,
		  "the file is empty", 0},
	{"only_comments",
		  "# nothing here\n",
		  1, 1, NULL,
		  "the file is empty", 0},
	{"top_level_list",
		  "- a\n"
		  "- b\n",
		  1, 1, "- a",
		  "the top level of a scenario must be a mapping", 0},
	{"top_level_scalar",
		  "hello\n",
		  1, 1, "hello",
		  "the top level of a scenario must be a mapping", 0},
	{"invalid_utf8",
		  "name: t\n"
		  "duration: 60s\n"
		  "description: caf\xc3(\n",
		  3, 17, NULL,
		  "not valid UTF-8", 0},
	{"binary_garbage_nul",
		  "\x7f""ELF\x02\x01\x01\x00\x00\x00",
		  1, 8, NULL,
		  "NUL byte", 10},
	{"yaml_syntax_error",
		  "name: t\n"
		  "duration: [60s\n"
		  "cluster: {brokers: 3}\n",
		  4, 1, NULL,
		  "YAML syntax error", 0},
	{"two_documents",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "---\n"
		  "name: u\n",
		  4, 1, "---",
		  "one YAML document", 0},
	{"yaml_tag",
		  "name: !!str t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n",
		  1, 13, "t\n",
		  "YAML tags", 0},
	{"unknown_alias",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "description: *nothing\n",
		  4, 14, "*nothing",
		  "alias names no anchor", 0},
	{"billion_laughs",
		  "a: &a [1,2,3,4,5,6,7,8,9,10]\n"
		  "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		  "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
		  "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		  "e: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n",
		  4, 29, "*c",
		  "YAML aliases expand to more than 10000 nodes", 0},
	{"depth_above_64",
		  "a: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
		  1, 67, NULL,
		  "deeper than 64 levels", 0},
	{"brokers_above_1024",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 1025}\n",
		  3, 20, "1025",
		  "1025 brokers is above the limit of 1024", 0},
	{"partitions_above_100000",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 1}\n"
		  "topics: [{name: a, partitions: 60000}, {name: b, partitions: 60000}]\n",
		  4, 62, "60000",
		  "120000 partitions in all, above the limit of 100000", 0},
	{"clients_above_10000",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "consumers: [{group: a, topics: [orders], members: 6000}, {group: b, topics: [orders], members: 6000}]\n",
		  5, 12, "[{group",
		  "more than 10000 clients", 0},
	{"records_above_1e9",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: a, topic: orders, messages: 600000000, rate: 1000/us}, {id: b, topic: orders, messages: 600000000, rate: 1000/us}]\n",
		  5, 106, "600000000",
		  "1200000000 records in all, above the limit of 10^9", 0},
	{"partitions_with_consumer_offsets",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 1}\n"
		  "topics: [{name: a, partitions: 99990}]\n"
		  "consumers: [{group: g, topics: [a]}]\n",
		  5, 12, "[{group",
		  "hold 100040 partitions, above the limit of 100000", 0},
	{"offsets_partitions_above_limit",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 1, config: {offsets.topic.num.partitions: 100001}}\n",
		  3, 32, "offsets.topic",
		  "__consumer_offsets would hold 100001 partitions", 0},
	{"expect_producer_names_a_broker",
		  "name: t\n"
		  "duration: 60s\n"
		  "cluster: {brokers: 3}\n"
		  "topics: [{name: orders, partitions: 3, replication.factor: 3}]\n"
		  "producers: [{id: p1, topic: orders, messages: 10}]\n"
		  "consumers: [{group: billing, topics: [orders], members: 2}]\n"
		  "expect:\n"
		  "  - acked: {producer: 2, is: 1}\n",
		  8, 23, "2,",
		  "`producer` names `2`, which is not a producer", 0},
	{"run_above_366_days",
		  "name: t\n"
		  "duration: 366d\n"
		  "end: {settle: 1s}\n"
		  "cluster: {brokers: 3}\n",
		  2, 11, "366d",
		  "duration + settle is 366d + 1s, above the limit of 366d", 0},
};

#define BAD_CASES (sizeof(bad_cases) / sizeof(bad_cases[0]))

/* Byte offset of a 1-based line and column in text. */
static size_t offset_of(const char *text, uint32_t line, uint32_t col)
{
	size_t off = 0;
	for (uint32_t l = 1; l < line && text[off] != '\0'; off++)
		if (text[off] == '\n')
			l++;
	return off + col - 1;
}

static bool check_bad_case(const struct bad_case *c)
{
	struct scenario *s = NULL;
	struct scen_errors errs = {0};
	size_t len = c->len != 0 ? c->len : strlen(c->yaml);
	int rc = scen_load_buffer("bad.yaml", c->yaml, len, &s, &errs);
	bool ok = rc != 0 && s == NULL && errs.count > 0 && errs.items[0].pos.line == c->line &&
		  errs.items[0].pos.col == c->col && strstr(errs.items[0].msg, c->msg) != NULL;
	if (ok && c->anchor != NULL) {
		size_t off = offset_of(c->yaml, c->line, c->col);
		ok = off < strlen(c->yaml) && strncmp(c->yaml + off, c->anchor,
						      strlen(c->anchor)) == 0;
	}
	if (!ok) {
		fprintf(stderr, "case %s: rc %d, want %u:%u \"%s\"; got:\n", c->name, rc, c->line,
			c->col, c->msg);
		scen_errors_print(&errs, stderr);
	}
	scen_free(s);
	scen_errors_free(&errs);
	return ok;
}

static void test_scen_bad_inputs_table(void **state)
{
	(void)state;
	unsigned failed = 0;
	assert_true(BAD_CASES >= 45);
	for (size_t i = 0; i < BAD_CASES; i++)
		failed += !check_bad_case(&bad_cases[i]);
	assert_int_equal(failed, 0);
}

/* Errors are collected past the first, in file order, and capped. */
static void test_scen_errors_collected_in_file_order(void **state)
{
	(void)state;
	const char *y = "name: t\nduration: 60s\ncluster: {brokers: 3}\n"
			"producers:\n"
			"  - {id: p1, topic: nope, messages: 10, acsk: all}\n"
			"faults:\n"
			"  - {at: 1s, crash: 9}\n"
			"seed: -1\n";
	struct scenario *s = NULL;
	struct scen_errors errs = {0};
	assert_int_not_equal(scen_load_buffer("f.yaml", y, strlen(y), &s, &errs), 0);
	assert_null(s);
	assert_int_equal(errs.count, 4);
	assert_int_equal(errs.items[0].pos.line, 5);
	assert_non_null(strstr(errs.items[0].msg, "unknown topic `nope`"));
	assert_int_equal(errs.items[1].pos.line, 5);
	assert_non_null(strstr(errs.items[1].msg, "acsk"));
	assert_int_equal(errs.items[2].pos.line, 7);
	assert_int_equal(errs.items[3].pos.line, 8);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	scen_errors_print(&errs, f);
	fclose(f);
	assert_non_null(strstr(out, "f.yaml:5:"));
	assert_non_null(strstr(out, "f.yaml:8:7: `seed`"));
	free(out);
	scen_errors_free(&errs);
}

static void test_scen_errors_capped(void **state)
{
	(void)state;
	char y[8192] = "name: t\nduration: 60s\ncluster: {brokers: 3}\nfaults:\n";
	for (int i = 0; i < 40; i++)
		strcat(y, "  - {at: 1s, crash: 9}\n");
	struct scenario *s = NULL;
	struct scen_errors errs = {0};
	assert_int_not_equal(scen_load_buffer("cap.yaml", y, strlen(y), &s, &errs), 0);
	assert_int_equal(errs.count, SCEN_ERRORS_MAX);
	assert_int_equal(errs.dropped, 40 - SCEN_ERRORS_MAX);
	assert_int_equal(errs.items[0].pos.line, 5);
	assert_int_equal(errs.items[SCEN_ERRORS_MAX - 1].pos.line, 4 + SCEN_ERRORS_MAX);
}

/* --- limits built in code --------------------------------------------------------------- */

static char *repeat(const char *head, const char *item, size_t n, const char *tail)
{
	size_t len = strlen(head) + n * strlen(item) + strlen(tail) + 1;
	char *b = malloc(len);
	assert_non_null(b);
	char *p = b + sprintf(b, "%s", head);
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s", item);
	strcpy(p, tail);
	return b;
}

static void expect_error(const char *y, size_t len, uint32_t line, uint32_t col,
			 const char *msg)
{
	struct scenario *s = NULL;
	struct scen_errors errs = {0};
	assert_int_not_equal(scen_load_buffer("lim.yaml", y, len, &s, &errs), 0);
	assert_null(s);
	if (errs.count == 0 || errs.items[0].pos.line != line || errs.items[0].pos.col != col ||
	    strstr(errs.items[0].msg, msg) == NULL)
		scen_errors_print(&errs, stderr);
	assert_true(errs.count > 0);
	assert_int_equal(errs.items[0].pos.line, line);
	assert_int_equal(errs.items[0].pos.col, col);
	assert_non_null(strstr(errs.items[0].msg, msg));
}

static void test_scen_limit_faults(void **state)
{
	(void)state;
	char *y = repeat("name: t\nduration: 60s\ncluster: {brokers: 3}\nfaults: [",
			 "{at: 0, crash: 1},", LIMIT_FAULTS + 1, "]\n");
	expect_error(y, strlen(y), 4, 9, "100001 faults is above the limit of 100000");
	free(y);
}

static void test_scen_limit_faults_at_limit_loads(void **state)
{
	(void)state;
	char *y = repeat("name: t\nduration: 60s\ncluster: {brokers: 3}\nfaults: [",
			 "{at: 0, crash: 1},", LIMIT_FAULTS, "]\n");
	struct scenario *s = NULL;
	struct scen_errors errs = {0};
	assert_int_equal(scen_load_buffer("ok.yaml", y, strlen(y), &s, &errs), 0);
	assert_int_equal(s->fault_count, LIMIT_FAULTS);
	assert_int_equal(s->faults[LIMIT_FAULTS - 1].index, LIMIT_FAULTS - 1);
	scen_free(s);
	free(y);
}

static void test_scen_limit_file_size(void **state)
{
	(void)state;
	size_t len = LIMIT_FILE_BYTES + 1;
	char *y = malloc(len);
	assert_non_null(y);
	memset(y, '#', len);
	expect_error(y, len, 0, 0, "above the limit of 16 MiB");
	free(y);
}

static void test_scen_limit_file_not_regular(void **state)
{
	(void)state;
	struct scenario *s = NULL;
	struct scen_errors errs = {0};
	assert_int_not_equal(scen_load_file("/dev/null", &s, &errs), 0);
	assert_null(s);
	assert_non_null(strstr(errs.items[0].msg, "not a regular file"));
	assert_int_not_equal(scen_load_file("tests", &s, &errs), 0);
	assert_non_null(strstr(errs.items[0].msg, "not a regular file"));
	assert_int_not_equal(scen_load_file("/nonexistent/x.yaml", &s, &errs), 0);
	assert_non_null(strstr(errs.items[0].msg, "cannot open"));
	assert_string_equal(errs.file, "/nonexistent/x.yaml");
}

static void test_scen_limit_clients_members_list(void **state)
{
	(void)state;
	char *y = repeat("name: t\nduration: 60s\ncluster: {brokers: 3}\n"
			 "topics: [{name: o}]\nproducers: [",
			 "{id: x, topic: o, messages: 1},", LIMIT_CLIENTS + 1, "]\n");
	expect_error(y, strlen(y), 5, 12, "more than 10000 clients");
	free(y);
}

static void test_scen_limit_alias_expansion_wide(void **state)
{
	(void)state;
	/* One anchor of 101 nodes used 100 times: 10100 expanded nodes. */
	char *list = repeat("[", "1,", 100, "]");
	char *uses = repeat("", "*a,", 100, "");
	size_t len = strlen(list) + strlen(uses) + 64;
	char *y = malloc(len);
	assert_non_null(y);
	snprintf(y, len, "a: &a %s\nb: [%s]\n", list, uses);
	expect_error(y, strlen(y), 2, 5 + 3 * 99, "more than 10000 nodes");   /* the 100th */
	free(y);
	free(uses);
	free(list);
}

static void test_scen_deep_nesting_does_not_recurse(void **state)
{
	(void)state;
	/* The root mapping is level 1, so the 64th bracket is level 65. */
	char *y = repeat("a: ", "[", 200000, "");
	expect_error(y, strlen(y), 1, 3 + 64, "deeper than 64 levels");
	free(y);
}

/* --- good inputs ------------------------------------------------------------------------ */

static struct scenario *load_ok(const char *y)
{
	struct scenario *s = NULL;
	struct scen_errors errs = {0};
	int rc = scen_load_buffer("good.yaml", y, strlen(y), &s, &errs);
	if (rc != 0)
		scen_errors_print(&errs, stderr);
	assert_int_equal(rc, 0);
	assert_non_null(s);
	assert_int_equal(errs.count, 0);
	return s;
}

static void test_scen_minimal_defaults(void **state)
{
	(void)state;
	struct scenario *s = load_ok("name: minimal\nduration: 60s\ncluster: {brokers: 3}\n");
	assert_string_equal(s->name, "minimal");
	assert_null(s->description);
	assert_true(s->seed == 1);
	assert_true(s->duration_us == INT64_C(60000000));
	assert_true(s->end_heal);
	assert_true(s->settle_us == INT64_C(60000000));
	assert_int_equal(s->cluster.broker_count, 3);
	assert_int_equal(s->cluster.brokers[0].id, 1);
	assert_int_equal(s->cluster.brokers[2].id, 3);
	assert_int_equal(s->cluster.controllers, 1);
	assert_int_equal(s->cluster.net.latency_us, 1000);
	assert_int_equal(s->cluster.net.client_latency_us, 1000);
	assert_int_equal(s->cluster.net.jitter_us, 0);
	assert_true(s->cluster.net.drop_ratio == 0);
	const struct cfg_value *c = s->cluster.cfg;
	assert_int_equal(c[CFG_B_REPLICA_LAG_TIME_MAX_MS].v, 30000);
	assert_false(c[CFG_B_REPLICA_LAG_TIME_MAX_MS].set);
	assert_int_equal(c[CFG_B_MIN_INSYNC_REPLICAS].v, 1);
	assert_int_equal(c[CFG_B_UNCLEAN_LEADER_ELECTION_ENABLE].v, 0);
	assert_int_equal(c[CFG_B_ELIGIBLE_LEADER_REPLICAS_VERSION].v, 1);
	assert_int_equal(c[CFG_B_BROKER_SESSION_TIMEOUT_MS].v, 9000);
	assert_int_equal(c[CFG_B_BROKER_HEARTBEAT_INTERVAL_MS].v, 2000);
	assert_true(c[CFG_B_LOG_FLUSH_INTERVAL_MESSAGES].v == INT64_MAX);
	assert_true(c[CFG_B_LOG_RETENTION_MS].v == INT64_C(604800000));
	assert_true(c[CFG_B_LOG_ROLL_MS].v == INT64_C(604800000));
	assert_true(c[CFG_B_LOG_SEGMENT_BYTES].v == INT64_C(1073741824));
	assert_int_equal(c[CFG_B_LOG_MESSAGE_TIMESTAMP_AFTER_MAX_MS].v, 3600000);
	assert_int_equal(c[CFG_B_SIM_DIRTY_WRITEBACK].v, 30000000);
	assert_int_equal(c[CFG_B_SIM_TRUNCATION].v, CFG_TRUNC_LEADER_EPOCH);
	assert_int_equal(s->offsets_partitions, 50);
	assert_int_equal(s->offsets_rf, 3);
	assert_int_equal(s->offsets_replicas[49 * 3 + 0], 2);   /* (49 + 0) mod 3 -> broker 2 */
	assert_int_equal(s->cluster.brokers[1].cfg[CFG_B_REPLICA_LAG_TIME_MAX_MS].v, 30000);
	assert_false(s->nemesis.enabled);
	assert_int_equal(s->topic_count + s->client_count + s->fault_count + s->expect_count, 0);
	scen_free(s);
}

static void test_scen_default_assignment_and_topic_defaults(void **state)
{
	(void)state;
	struct scenario *s = load_ok(
		"name: t\nduration: 60s\n"
		"cluster:\n"
		"  brokers: [{id: 5, rack: r5}, {id: 1}, {id: 3}]\n"
		"  config: {min.insync.replicas: 2, retention.ms: 1h, log.roll.hours: 2}\n"
		"topics:\n"
		"  - {name: orders, partitions: 4, replication.factor: 3,\n"
		"     assignment: {1: [5, 3, 1]}, config: {segment.bytes: 1MiB}}\n"
		"  - {name: logs}\n");
	assert_int_equal(s->cluster.brokers[0].id, 1);
	assert_int_equal(s->cluster.brokers[1].id, 3);
	assert_int_equal(s->cluster.brokers[2].id, 5);
	assert_string_equal(s->cluster.brokers[2].rack, "r5");
	assert_null(s->cluster.brokers[0].rack);
	const struct scen_topic *t = &s->topics[0];
	assert_int_equal(t->partitions, 4);
	assert_int_equal(t->rf, 3);
	int32_t want[4][3] = {{1, 3, 5}, {5, 3, 1}, {5, 1, 3}, {1, 3, 5}};
	for (int p = 0; p < 4; p++)
		for (int i = 0; i < 3; i++)
			assert_int_equal(t->replicas[p * 3 + i], want[p][i]);
	assert_true(t->assigned[1]);
	assert_false(t->assigned[0]);
	assert_int_equal(t->cfg[CFG_T_MIN_INSYNC_REPLICAS].v, 2);
	assert_false(t->cfg[CFG_T_MIN_INSYNC_REPLICAS].set);
	assert_int_equal(t->cfg[CFG_T_RETENTION_MS].v, 3600000);
	assert_int_equal(t->cfg[CFG_T_SEGMENT_MS].v, 7200000);
	assert_int_equal(t->cfg[CFG_T_SEGMENT_BYTES].v, 1048576);
	assert_true(t->cfg[CFG_T_SEGMENT_BYTES].set);
	assert_int_equal(t->cfg[CFG_T_SEGMENT_BYTES].line, 8);
	assert_int_equal(t->cfg[CFG_T_CLEANUP_POLICY].v, CFG_CLEANUP_DELETE);
	const struct scen_topic *logs = &s->topics[1];
	assert_int_equal(logs->partitions, 1);
	assert_int_equal(logs->rf, 1);
	assert_int_equal(logs->replicas[0], 1);
	assert_int_equal(logs->cfg[CFG_T_MIN_INSYNC_REPLICAS].v, 2);
	assert_int_equal(scen_topic_find(s, "logs"), 1);
	assert_int_equal(scen_broker_index(s, 5), 2);
	assert_int_equal(scen_broker_index(s, 4), -1);
	scen_free(s);
}

static void test_scen_retention_hours_and_unlimited(void **state)
{
	(void)state;
	struct scenario *s = load_ok(
		"name: t\nduration: 60s\n"
		"cluster: {brokers: 1, config: {log.retention.hours: 24, log.retention.bytes: 1GiB}}\n"
		"topics: [{name: a}, {name: b, config: {retention.ms: -1, cleanup.policy: "
		"[compact, delete]}}]\n");
	assert_int_equal(s->topics[0].cfg[CFG_T_RETENTION_MS].v, 86400000);
	assert_int_equal(s->topics[0].cfg[CFG_T_RETENTION_BYTES].v, 1073741824);
	assert_int_equal(s->topics[1].cfg[CFG_T_RETENTION_MS].v, -1);
	assert_int_equal(s->topics[1].cfg[CFG_T_CLEANUP_POLICY].v,
			 CFG_CLEANUP_DELETE | CFG_CLEANUP_COMPACT);
	scen_free(s);
}

static void test_scen_producer_defaults_and_keys(void **state)
{
	(void)state;
	struct scenario *s = load_ok(
		"name: t\nduration: 60s\ncluster: {brokers: 3}\n"
		"topics: [{name: orders, partitions: 3}]\n"
		"producers:\n"
		"  - {id: p1, topic: orders, messages: 100, keys: [01, ~, \"\", a b, '7']}\n"
		"  - {id: p2, topic: orders, messages: 10, keys: 4, rate: 5/ms, start: 1.5s,\n"
		"     arrival: poisson, acks: 1, linger.ms: 100s, partition: 2}\n");
	const struct scen_producer *p = &s->producers[0];
	assert_string_equal(p->id, "p1");
	assert_int_equal(p->topic, 0);
	assert_int_equal(p->messages, 100);
	assert_int_equal(p->arrival, SCEN_ARRIVAL_EVEN);
	assert_int_equal(p->rate.count, 1);
	assert_int_equal(p->rate.per_us, 10000);
	assert_int_equal(p->partition, -1);
	assert_int_equal(p->value_bytes, 100);
	assert_int_equal(p->keys_kind, SCEN_KEYS_LIST);
	assert_int_equal(p->key_count, 5);
	assert_string_equal(p->keys[0].bytes, "01");
	assert_int_equal(p->keys[0].len, 2);
	assert_false(p->keys[0].is_null);
	assert_true(p->keys[1].is_null);
	assert_false(p->keys[2].is_null);
	assert_int_equal(p->keys[2].len, 0);
	assert_string_equal(p->keys[3].bytes, "a b");
	assert_string_equal(p->keys[4].bytes, "7");
	assert_int_equal(p->cfg[CFG_P_ACKS].v, -1);
	assert_false(p->cfg[CFG_P_ACKS].set);
	assert_int_equal(p->cfg[CFG_P_LINGER_MS].v, 5);
	assert_int_equal(p->cfg[CFG_P_BATCH_SIZE].v, 16384);
	assert_int_equal(p->cfg[CFG_P_RETRIES].v, INT32_MAX);
	assert_int_equal(p->cfg[CFG_P_DELIVERY_TIMEOUT_MS].v, 120000);
	assert_int_equal(p->cfg[CFG_P_REQUEST_TIMEOUT_MS].v, 30000);
	assert_int_equal(p->cfg[CFG_P_MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION].v, 5);
	assert_true(p->idempotent);
	assert_int_equal(p->cfg[CFG_P_ENABLE_IDEMPOTENCE].v, 1);
	assert_int_equal(scen_record_due_us(p, 0), 0);
	assert_int_equal(scen_record_due_us(p, 99), 990000);
	const struct scen_producer *q = &s->producers[1];
	assert_int_equal(q->keys_kind, SCEN_KEYS_COUNT);
	assert_int_equal(q->key_count, 4);
	assert_int_equal(q->arrival, SCEN_ARRIVAL_POISSON);
	assert_int_equal(q->start_us, 1500000);
	assert_int_equal(q->rate.count, 1);
	assert_int_equal(q->rate.per_us, 200);
	assert_int_equal(q->partition, 2);
	/* acks=1 with idempotence defaulted: silently off (ProducerConfig). */
	assert_int_equal(q->cfg[CFG_P_ACKS].v, 1);
	assert_false(q->idempotent);
	assert_int_equal(q->cfg[CFG_P_ENABLE_IDEMPOTENCE].v, 0);
	/* delivery.timeout.ms defaulted below linger + request: raised (KafkaProducer). */
	assert_int_equal(q->cfg[CFG_P_LINGER_MS].v, 100000);
	assert_int_equal(q->cfg[CFG_P_DELIVERY_TIMEOUT_MS].v, 130000);
	assert_int_equal(s->records_total, 110);
	assert_int_equal(s->clients[1].kind, SCEN_CLIENT_PRODUCER);
	assert_int_equal(s->clients[1].index, 1);
	scen_free(s);
}

static void test_scen_even_producer_last_record_just_fits(void **state)
{
	(void)state;
	/* 6000 records at 100/s from 0: the last is due at 59.99s < 60s. */
	struct scenario *s = load_ok(
		"name: t\nduration: 60s\ncluster: {brokers: 1}\ntopics: [{name: o}]\n"
		"producers: [{id: p, topic: o, messages: 6000},\n"
		"            {id: q, topic: o, messages: 100, rate: 3/s, start: 1ms}]\n"
		"end: {settle: 0}\n");
	assert_int_equal(scen_record_due_us(&s->producers[0], 5999), 59990000);
	assert_int_equal(scen_record_due_us(&s->producers[1], 1), 1000 + 333333);
	assert_int_equal(scen_record_due_us(&s->producers[1], 2), 1000 + 666666);
	assert_int_equal(scen_record_due_us(&s->producers[1], 3), 1000 + 1000000);
	assert_true(scen_record_due_us(&s->producers[1], UINT64_MAX) == INT64_MAX);
	assert_int_equal(s->settle_us, 0);
	scen_free(s);
	struct scen_errors errs = {0};
	const char *y = "name: t\nduration: 60s\ncluster: {brokers: 1}\ntopics: [{name: o}]\n"
			"producers: [{id: p, topic: o, messages: 6001}]\n";
	assert_int_not_equal(scen_load_buffer("x", y, strlen(y), &s, &errs), 0);
	assert_non_null(strstr(errs.items[0].msg, "last record at 1m"));
}

static void test_scen_consumers_members_and_commit(void **state)
{
	(void)state;
	struct scenario *s = load_ok(
		"name: t\nduration: 60s\ncluster: {brokers: 3}\n"
		"topics: [{name: orders}, {name: audit}]\n"
		"consumers:\n"
		"  - {group: billing, topics: [orders], members: 2}\n"
		"  - group: audit\n"
		"    topics: [orders, audit]\n"
		"    enable.auto.commit: false\n"
		"    process.ms: 250us\n"
		"    members:\n"
		"      - {id: a1, start: 5s, topics: [audit], max.poll.records: 10}\n"
		"      - {id: a2, enable.auto.commit: true}\n"
		"  - {group: none, topics: [audit], commit: none}\n"
		"producers: [{id: p1, topic: orders, messages: 1}]\n");
	assert_int_equal(s->group_count, 3);
	const struct scen_group *g = &s->groups[0];
	assert_string_equal(g->name, "billing");
	assert_int_equal(g->member_count, 2);
	assert_string_equal(g->members[0].id, "billing-1");
	assert_string_equal(g->members[1].id, "billing-2");
	assert_int_equal(g->commit, SCEN_COMMIT_AUTO);
	assert_false(g->commit_set);
	assert_int_equal(g->process_us, 1000);
	assert_int_equal(g->members[0].cfg[CFG_C_AUTO_OFFSET_RESET].v, CFG_RESET_LATEST);
	assert_int_equal(g->members[0].cfg[CFG_C_MAX_POLL_RECORDS].v, 500);
	assert_int_equal(g->members[0].cfg[CFG_C_SESSION_TIMEOUT_MS].v, 45000);
	assert_int_equal(g->members[0].cfg[CFG_C_HEARTBEAT_INTERVAL_MS].v, 3000);
	assert_int_equal(g->members[0].cfg[CFG_C_MAX_POLL_INTERVAL_MS].v, 300000);
	assert_int_equal(g->members[0].cfg[CFG_C_AUTO_COMMIT_INTERVAL_MS].v, 5000);
	int64_t strat = g->members[0].cfg[CFG_C_PARTITION_ASSIGNMENT_STRATEGY].v;
	assert_int_equal(cfg_assignor_at(strat, 0), CFG_ASSIGNOR_RANGE);
	assert_int_equal(cfg_assignor_at(strat, 1), CFG_ASSIGNOR_COOPERATIVE_STICKY);
	assert_int_equal(cfg_assignor_at(strat, 2), CFG_ASSIGNOR_NONE);
	const struct scen_group *a = &s->groups[1];
	assert_int_equal(a->commit, SCEN_COMMIT_AFTER_PROCESSING);
	assert_int_equal(a->process_us, 250);
	assert_string_equal(a->members[0].id, "a1");
	assert_int_equal(a->members[0].start_us, 5000000);
	assert_int_equal(a->members[0].topic_count, 1);
	assert_int_equal(a->members[0].topics[0], 1);
	assert_int_equal(a->members[0].cfg[CFG_C_MAX_POLL_RECORDS].v, 10);
	assert_int_equal(a->members[0].commit, SCEN_COMMIT_AFTER_PROCESSING);
	assert_int_equal(a->members[1].topic_count, 2);
	assert_int_equal(a->members[1].commit, SCEN_COMMIT_AUTO);
	assert_int_equal(a->members[1].cfg[CFG_C_ENABLE_AUTO_COMMIT].v, 1);
	const struct scen_group *n = &s->groups[2];
	assert_int_equal(n->commit, SCEN_COMMIT_NONE);
	assert_int_equal(n->members[0].cfg[CFG_C_ENABLE_AUTO_COMMIT].v, 0);
	/* Clients in file order: consumers came first. */
	assert_int_equal(s->client_count, 6);
	assert_string_equal(s->clients[0].id, "billing-1");
	assert_int_equal(s->clients[2].kind, SCEN_CLIENT_CONSUMER);
	assert_int_equal(s->clients[3].member, 1);
	assert_string_equal(s->clients[5].id, "p1");
	assert_int_equal(s->producers[0].client, 5);
	assert_int_equal(scen_client_find(s, "a2"), 3);
	assert_string_equal(scen_commit_name(SCEN_COMMIT_BEFORE_PROCESSING), "before-processing");
	scen_free(s);
}

static void test_scen_consumer_config_values(void **state)
{
	(void)state;
	struct scenario *s = load_ok(
		"name: t\nduration: 60s\ncluster: {brokers: 1}\ntopics: [{name: o}]\n"
		"consumers:\n"
		"  - {group: g, topics: [o], auto.offset.reset: by_duration:P1DT1H30M0.5S,\n"
		"     partition.assignment.strategy: \"org.apache.kafka.clients.consumer."
		"RoundRobinAssignor, sticky\", isolation.level: read_committed,\n"
		"     reconnect.backoff.ms: 2000, fetch.max.bytes: 1MiB}\n");
	const struct cfg_value *c = s->groups[0].members[0].cfg;
	assert_int_equal(c[CFG_C_AUTO_OFFSET_RESET].v, CFG_RESET_BY_DURATION);
	assert_true(c[CFG_C_AUTO_OFFSET_RESET].aux == INT64_C(91800500000));
	assert_int_equal(cfg_assignor_at(c[CFG_C_PARTITION_ASSIGNMENT_STRATEGY].v, 0),
			 CFG_ASSIGNOR_ROUNDROBIN);
	assert_int_equal(cfg_assignor_at(c[CFG_C_PARTITION_ASSIGNMENT_STRATEGY].v, 1),
			 CFG_ASSIGNOR_STICKY);
	assert_int_equal(c[CFG_C_ISOLATION_LEVEL].v, CFG_ISO_READ_COMMITTED);
	assert_int_equal(c[CFG_C_RECONNECT_BACKOFF_MAX_MS].v, 2000);
	assert_int_equal(c[CFG_C_FETCH_MAX_BYTES].v, 1048576);
	scen_free(s);
}

static void test_scen_faults_resolved(void **state)
{
	(void)state;
	struct scenario *s = load_ok(
		"name: t\nduration: 60s\ncluster: {brokers: 3}\n"
		"topics: [{name: my-topic-x, partitions: 2}]\n"
		"consumers: [{group: g, topics: [my-topic-x], members: 2}]\n"
		"faults:\n"
		"  - {at: 10s, crash: leader(my-topic-x-1), for: 5s}\n"
		"  - {at: 10s, crash: 2, power-loss: true}\n"
		"  - {at: 1.5s, partition: [[1, g-1], [3, controller]], for: 30s}\n"
		"  - {at: 5s, link: {from: 1, to: controller-1, drop: 0.25, latency: 200ms}}\n"
		"  - {at: 5s, clock: {node: g-2, skew: -5s}}\n"
		"  - {at: 40s, heal: all}\n"
		"  - {at: 12s, stall: g-2}\n"
		"  - {at: 13s, pause: coordinator(g)}\n"
		"  - {at: 14s, restart: leader(__consumer_offsets-49)}\n"
		"nemesis: {faults: [crash, clock], targets: all, interval: 10s, for: 5s}\n");
	assert_int_equal(s->fault_count, 9);
	const struct scen_fault *f = s->faults;
	assert_int_equal(f[0].kind, SCEN_FAULT_CRASH);
	assert_int_equal(f[0].index, 0);
	assert_int_equal(f[0].at_us, 10000000);
	assert_true(f[0].has_for);
	assert_int_equal(f[0].for_us, 5000000);
	assert_int_equal(f[0].node.kind, SCEN_REF_LEADER);
	assert_int_equal(f[0].node.topic, 0);
	assert_int_equal(f[0].node.partition, 1);
	assert_false(f[0].power_loss);
	assert_true(f[1].power_loss);
	assert_int_equal(f[1].node.kind, SCEN_REF_BROKER);
	assert_int_equal(f[1].node.broker_id, 2);
	assert_int_equal(f[2].kind, SCEN_FAULT_PARTITION);
	assert_int_equal(f[2].at_us, 1500000);
	assert_int_equal(f[2].group_count, 2);
	assert_int_equal(f[2].node_count, 4);
	assert_int_equal(f[2].group_start[1], 2);
	assert_int_equal(f[2].nodes[1].kind, SCEN_REF_CLIENT);
	assert_string_equal(s->clients[f[2].nodes[1].client].id, "g-1");
	assert_int_equal(f[2].nodes[3].kind, SCEN_REF_CONTROLLER);
	assert_int_equal(f[3].link.to.kind, SCEN_REF_CONTROLLER_N);
	assert_int_equal(f[3].link.to.controller, 1);
	assert_true(f[3].link.has_drop && f[3].link.has_latency && !f[3].link.has_jitter);
	assert_true(f[3].link.drop_ratio == PRNG_RATIO_ONE / 4);
	assert_int_equal(f[3].link.latency_us, 200000);
	assert_int_equal(f[4].skew_us, -5000000);
	assert_int_equal(f[5].kind, SCEN_FAULT_HEAL);
	assert_int_equal(f[6].kind, SCEN_FAULT_STALL);
	assert_false(f[6].has_for);
	assert_int_equal(f[7].node.kind, SCEN_REF_COORDINATOR);
	assert_int_equal(f[7].node.group, 0);
	assert_int_equal(f[8].node.topic, SCEN_TOPIC_OFFSETS);
	assert_int_equal(f[8].node.partition, 49);
	char b[128];
	assert_string_equal(scen_ref_format(s, &f[0].node, b, sizeof(b)), "leader(my-topic-x-1)");
	assert_string_equal(scen_ref_format(s, &f[8].node, b, sizeof(b)),
			    "leader(__consumer_offsets-49)");
	assert_string_equal(scen_ref_format(s, &f[7].node, b, sizeof(b)), "coordinator(g)");
	assert_string_equal(scen_fault_kind_name(f[2].kind), "partition");
	assert_true(s->nemesis.enabled);
	assert_int_equal(s->nemesis.kind_count, 2);
	assert_int_equal(s->nemesis.kinds[1], SCEN_NEMESIS_CLOCK);
	assert_int_equal(s->nemesis.targets, SCEN_TARGETS_ALL);
	assert_int_equal(s->nemesis.interval_us, 10000000);
	assert_int_equal(s->nemesis.max_concurrent, 1);
	scen_free(s);
}

static void test_scen_expectations(void **state)
{
	(void)state;
	struct scenario *s = load_ok(
		"name: t\nduration: 60s\ncluster: {brokers: 3}\n"
		"topics: [{name: orders, partitions: 2}]\n"
		"producers: [{id: p1, topic: orders, messages: 10}]\n"
		"consumers: [{group: billing, topics: [orders]}]\n"
		"expect:\n"
		"  - lost-write: 0\n"
		"  - duplicate: \"> 0\"\n"
		"  - acked: {producer: p1, is: \">= 3\"}\n"
		"  - leader: {partition: orders-1, at: 2m, is: none}\n"
		"  - isr: {partition: orders-0, at: 15s, is: [3, 1]}\n"
		"  - elr: {partition: orders-0, is: \"!= [2, 1]\"}\n"
		"  - assignment: {group: billing, member: billing-1, is: [orders-1, orders-0]}\n"
		"  - produce-errors: {code: NOT_ENOUGH_REPLICAS, producer: p1, is: \"!=0\"}\n"
		"  - leo: {partition: orders-0, replica: 1, is: 10}\n"
		"  - leader: {partition: __consumer_offsets-3, is: 1}\n");
	assert_int_equal(s->expect_count, 10);
	const struct scen_expect *e = s->expects;
	assert_int_equal(e[0].metric, SCEN_M_LOST_WRITE);
	assert_int_equal(e[0].op, SCEN_OP_EQ);
	assert_int_equal(e[0].value, 0);
	assert_string_equal(e[0].text, "lost-write == 0");
	assert_int_equal(e[1].op, SCEN_OP_GT);
	assert_true(e[2].has_producer);
	assert_int_equal(e[2].op, SCEN_OP_GE);
	assert_int_equal(e[2].value, 3);
	assert_string_equal(e[2].text, "acked producer=p1 >= 3");
	assert_true(e[3].has_at);
	assert_int_equal(e[3].at_us, 120000000);
	assert_int_equal(e[3].value, -1);
	assert_true(e[4].is_list);
	assert_int_equal(e[4].list_len, 2);
	assert_int_equal(e[4].brokers[0], 1);
	assert_int_equal(e[4].brokers[1], 3);
	assert_string_equal(e[4].text, "isr partition=orders-0 at=15s == [1, 3]");
	assert_int_equal(e[5].op, SCEN_OP_NE);
	assert_int_equal(e[5].list_len, 2);
	assert_int_equal(e[6].tps[0].partition, 0);
	assert_int_equal(e[6].tps[1].partition, 1);
	assert_string_equal(e[6].text,
			    "assignment group=billing member=billing-1 == [orders-0, orders-1]");
	assert_string_equal(e[7].code, "NOT_ENOUGH_REPLICAS");
	assert_int_equal(e[7].op, SCEN_OP_NE);
	assert_int_equal(e[8].replica, 1);
	assert_int_equal(e[9].partition.topic, SCEN_TOPIC_OFFSETS);
	assert_string_equal(scen_metric_name(SCEN_M_OFFLINE_MS), "offline-ms");
	assert_string_equal(scen_op_name(SCEN_OP_LE), "<=");
	scen_free(s);
}

static void test_scen_aliases_within_budget(void **state)
{
	(void)state;
	struct scenario *s = load_ok(
		"name: t\nduration: 60s\ncluster: {brokers: 3}\n"
		"topics: [{name: o}]\n"
		"producers:\n"
		"  - &p {id: p1, topic: o, messages: 10, acks: 1}\n"
		"  - {id: p2, topic: o, messages: &m 20, acks: 0}\n"
		"  - {id: p3, topic: o, messages: *m}\n");
	assert_int_equal(s->producers[2].messages, 20);
	assert_int_equal(s->producers[1].cfg[CFG_P_ACKS].v, 0);
	scen_free(s);
}

/* Single-quoted scalars are read by the loader itself: libfyaml 0.7.12 mangles long runs of
 * '' (and leaks). Folding follows YAML 1.2 7.3.2. */
static void test_scen_single_quoted_scalars(void **state)
{
	(void)state;
	char quotes[2 + 2 * 40 + 1];
	memset(quotes, '\'', sizeof(quotes) - 1);
	quotes[sizeof(quotes) - 1] = '\0';
	char y[1024];
	snprintf(y, sizeof(y),
		 "name: 'it''s a ''quoted'' name'\n"
		 "description: 'line one\n  line two\n\n  three  '\n"
		 "duration: 60s\ncluster: {brokers: 1}\ntopics: [{name: o}]\n"
		 "producers: [{id: p, topic: o, messages: 1, keys: [%s, 'a''b', '', ' x ']}]\n",
		 quotes);
	struct scenario *s = load_ok(y);
	assert_string_equal(s->name, "it's a 'quoted' name");
	assert_string_equal(s->description, "line one line two\nthree  ");
	const struct scen_key *k = s->producers[0].keys;
	assert_int_equal(k[0].len, 40);
	for (int i = 0; i < 40; i++)
		assert_int_equal(k[0].bytes[i], '\'');
	assert_string_equal(k[1].bytes, "a'b");
	assert_int_equal(k[2].len, 0);
	assert_false(k[2].is_null);
	assert_string_equal(k[3].bytes, " x ");
	scen_free(s);
}

static void test_scen_example_file_every_key(void **state)
{
	(void)state;
	struct scenario *s = NULL;
	struct scen_errors errs = {0};
	int rc = scen_load_file("tests/fuzz_seeds/every-key.yaml", &s, &errs);
	if (rc != 0)
		scen_errors_print(&errs, stderr);
	assert_int_equal(rc, 0);
	assert_true(s->seed == UINT64_MAX);
	assert_int_equal(s->cluster.brokers[1].cfg[CFG_B_REPLICA_LAG_TIME_MAX_MS].v, 20000);
	assert_int_equal(s->cluster.brokers[1].cfg[CFG_B_SIM_TRUNCATION].v,
			 CFG_TRUNC_HIGH_WATERMARK);
	assert_int_equal(s->cluster.brokers[0].cfg[CFG_B_SIM_TRUNCATION].v,
			 CFG_TRUNC_LEADER_EPOCH);
	assert_true(s->cluster.net.drop_ratio == 4294967);   /* round(0.001 * 2^32) */
	assert_int_equal(s->cluster.net.jitter_us, 250);
	assert_int_equal(s->cluster.net.client_latency_us, 2000);
	assert_int_equal(s->offsets_partitions, 10);
	assert_string_equal(s->producers[0].keys[4].bytes, "01");
	assert_true(s->nemesis.enabled);
	scen_free(s);
}

static void test_scen_config_table_consistent(void **state)
{
	(void)state;
	for (int sc = 0; sc < CFG_SCOPE_COUNT; sc++) {
		for (int i = 0; i < cfg_count((enum cfg_scope)sc); i++) {
			const struct cfg_def *d = cfg_def((enum cfg_scope)sc, i);
			const char *note;
			assert_int_equal(cfg_find((enum cfg_scope)sc, d->name, strlen(d->name)), i);
			assert_false(cfg_unsupported(d->name, strlen(d->name), &note));
			assert_non_null(d->doc);
			if (d->type == CFG_INT || d->type == CFG_LONG)
				assert_true(d->def >= d->min && d->def <= d->max);
			if (d->flags & CFG_F_TIME)
				assert_true(d->unit_us > 0);
		}
	}
	/* Every topic config has its broker default and the two point at each other. */
	for (int i = 0; i < CFG_T_COUNT; i++) {
		const struct cfg_def *t = cfg_def(CFG_SCOPE_TOPIC, i);
		assert_true(t->synonym >= 0);
		assert_int_equal(cfg_def(CFG_SCOPE_BROKER, t->synonym)->synonym, i);
		assert_int_equal(cfg_def(CFG_SCOPE_BROKER, t->synonym)->type, t->type);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scen_bad_inputs_table),
		cmocka_unit_test(test_scen_errors_collected_in_file_order),
		cmocka_unit_test(test_scen_errors_capped),
		cmocka_unit_test(test_scen_limit_faults),
		cmocka_unit_test(test_scen_limit_faults_at_limit_loads),
		cmocka_unit_test(test_scen_limit_file_size),
		cmocka_unit_test(test_scen_limit_file_not_regular),
		cmocka_unit_test(test_scen_limit_clients_members_list),
		cmocka_unit_test(test_scen_limit_alias_expansion_wide),
		cmocka_unit_test(test_scen_deep_nesting_does_not_recurse),
		cmocka_unit_test(test_scen_minimal_defaults),
		cmocka_unit_test(test_scen_default_assignment_and_topic_defaults),
		cmocka_unit_test(test_scen_retention_hours_and_unlimited),
		cmocka_unit_test(test_scen_producer_defaults_and_keys),
		cmocka_unit_test(test_scen_even_producer_last_record_just_fits),
		cmocka_unit_test(test_scen_consumers_members_and_commit),
		cmocka_unit_test(test_scen_consumer_config_values),
		cmocka_unit_test(test_scen_faults_resolved),
		cmocka_unit_test(test_scen_expectations),
		cmocka_unit_test(test_scen_aliases_within_budget),
		cmocka_unit_test(test_scen_single_quoted_scalars),
		cmocka_unit_test(test_scen_example_file_every_key),
		cmocka_unit_test(test_scen_config_table_consistent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
