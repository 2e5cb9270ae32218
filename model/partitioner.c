/*
 * partitioner.c — murmur2 and the keyed partition choice, bit-exact with Kafka's Java client
 * (Utils.murmur2, Utils.toPositive, BuiltInPartitioner.partitionForKey).
 */
#include "model/partitioner.h"

#include <assert.h>

int32_t part_murmur2(const uint8_t *data, size_t len)
{
	/* Java int arithmetic wraps; uint32_t gives the same bits, >>> is a logical shift. */
	static const uint8_t empty[1];
	if (data == NULL) {
		assert(len == 0);
		data = empty;
	}
	const uint32_t seed = 0x9747b28cu;
	const uint32_t m = 0x5bd1e995u;
	const int r = 24;
	uint32_t h = seed ^ (uint32_t)len;
	size_t blocks = len / 4;
	for (size_t i = 0; i < blocks; i++) {
		const uint8_t *b = data + 4 * i;
		uint32_t k = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
			     (uint32_t)b[3] << 24;
		k *= m;
		k ^= k >> r;
		k *= m;
		h *= m;
		h ^= k;
	}
	const uint8_t *tail = data + (len & ~(size_t)3);
	switch (len % 4) {
	case 3:
		h ^= (uint32_t)tail[2] << 16;
		__attribute__((fallthrough));
	case 2:
		h ^= (uint32_t)tail[1] << 8;
		__attribute__((fallthrough));
	case 1:
		h ^= tail[0];
		h *= m;
		break;
	default:
		break;
	}
	h ^= h >> 13;
	h *= m;
	h ^= h >> 15;
	return (int32_t)h;
}

uint32_t part_for_key(const uint8_t *key, size_t len, uint32_t partitions)
{
	assert(partitions > 0);
	uint32_t positive = (uint32_t)part_murmur2(key, len) & 0x7fffffffu;
	return positive % partitions;
}
