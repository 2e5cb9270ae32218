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

int32_t part_java_hash(const char *utf8)
{
	const uint8_t *p = (const uint8_t *)utf8;
	uint32_t h = 0;
	while (*p) {
		uint32_t cp;
		int n;
		if (*p < 0x80) { cp = *p; n = 1; }
		else if ((*p & 0xe0) == 0xc0) { cp = *p & 0x1fu; n = 2; }
		else if ((*p & 0xf0) == 0xe0) { cp = *p & 0x0fu; n = 3; }
		else { cp = *p & 0x07u; n = 4; }
		for (int i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80) {   /* malformed: count the byte as it is */
				cp = *p;
				n = 1;
				break;
			}
			cp = cp << 6 | (p[i] & 0x3fu);
		}
		p += n;
		if (cp >= 0x10000) {                /* a surrogate pair in UTF-16 */
			cp -= 0x10000;
			h = 31 * h + (0xd800 + (cp >> 10));
			h = 31 * h + (0xdc00 + (cp & 0x3ff));
		} else {
			h = 31 * h + cp;
		}
	}
	return (int32_t)h;
}

uint32_t part_for_group(const char *group_id, uint32_t partitions)
{
	assert(partitions > 0);
	int32_t h = part_java_hash(group_id);
	uint32_t a = h == INT32_MIN ? 0 : (uint32_t)(h < 0 ? -h : h);
	return a % partitions;
}

uint32_t part_for_key(const uint8_t *key, size_t len, uint32_t partitions)
{
	assert(partitions > 0);
	uint32_t positive = (uint32_t)part_murmur2(key, len) & 0x7fffffffu;
	return positive % partitions;
}
