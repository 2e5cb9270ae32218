/*
 * partitioner.h — Kafka's default partitioner for keyed records.
 *
 * Kafka's BuiltInPartitioner.partitionForKey: toPositive(murmur2(keyBytes)) % numPartitions,
 * where numPartitions counts every partition of the topic, available or not, and
 * toPositive(x) = x & 0x7fffffff (clients/.../common/utils/Utils.java). Unkeyed records use
 * the uniform sticky partitioner (KIP-794), which lives with the producer.
 */
#ifndef KAFKASIM_PARTITIONER_H
#define KAFKASIM_PARTITIONER_H

#include <stddef.h>
#include <stdint.h>

/* Kafka's Utils.murmur2: 32-bit MurmurHash2, seed 0x9747b28c, as a signed Java int. */
int32_t  part_murmur2(const uint8_t *data, size_t len);
uint32_t part_for_key(const uint8_t *key, size_t len, uint32_t partitions);

/* Java's String.hashCode of a UTF-8 string (over its UTF-16 code units, wrapping int32). */
int32_t  part_java_hash(const char *utf8);
/* The __consumer_offsets partition of a group: Utils.abs(groupId.hashCode()) % partitions
 * (GroupCoordinatorService.partitionFor; Utils.abs maps Integer.MIN_VALUE to 0). */
uint32_t part_for_group(const char *group_id, uint32_t partitions);

#endif
