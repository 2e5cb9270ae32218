/*
 * assign_java.c — the Java behaviour Kafka's assignors inherit without saying so: String
 * ordering and hashing over UTF-16 code units (java.lang.String.compareTo, hashCode), and the
 * iteration order of java.util.HashMap / HashSet (JDK 8–21 HashMap.putVal, resize, treeifyBin).
 *
 * A HashMap iterates its table from bucket 0 up; a bucket holds its keys in insertion order
 * (a resize splits each bucket into two, keeping the relative order). The bucket of a key is
 * (h ^ (h >>> 16)) & (length - 1). The table starts at 16 and doubles when the size exceeds
 * 3/4 of its length, and also when a bucket already holding 8 keys receives another while the
 * table is shorter than 64 (treeifyBin). From 64 on such a bucket becomes a red-black tree
 * whose iteration order depends on the tree's shape; that case (9 keys in one bucket) is not
 * emulated: its keys keep insertion order and the answer says approx_order.
 */
#include "model/assign_internal.h"

#include <assert.h>
#include <stdlib.h>

#define JMAP_INITIAL_CAPACITY  16u
#define JMAP_TREEIFY_THRESHOLD 8u      /* keys in a bucket before a tree is considered */
#define JMAP_MIN_TREEIFY_CAP   64u

/* Decodes one UTF-8 sequence at p; false when it is not well-formed (overlong, surrogate,
 * beyond U+10FFFF, or cut short). */
static bool utf8_decode(const unsigned char *p, uint32_t *cp, uint32_t *len)
{
	uint32_t b0 = p[0], n, min;
	if (b0 < 0x80) {
		*cp = b0;
		*len = 1;
		return true;
	}
	if ((b0 & 0xe0) == 0xc0) {
		n = 2, min = 0x80, *cp = b0 & 0x1f;
	} else if ((b0 & 0xf0) == 0xe0) {
		n = 3, min = 0x800, *cp = b0 & 0x0f;
	} else if ((b0 & 0xf8) == 0xf0) {
		n = 4, min = 0x10000, *cp = b0 & 0x07;
	} else {
		return false;
	}
	for (uint32_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return false;
		*cp = *cp << 6 | (p[i] & 0x3fu);
	}
	*len = n;
	return *cp >= min && *cp <= 0x10ffff && (*cp < 0xd800 || *cp > 0xdfff);
}

/* Walks a UTF-8 string as Java's UTF-16 code units. */
struct u16_iter {
	const unsigned char *p;
	uint32_t             low;     /* pending low surrogate, 0 if none */
};

/* The next code unit, or -1 at the end. */
static int32_t u16_next(struct u16_iter *it)
{
	if (it->low != 0) {
		int32_t u = (int32_t)it->low;
		it->low = 0;
		return u;
	}
	if (*it->p == 0)
		return -1;
	uint32_t cp, len;
	if (!utf8_decode(it->p, &cp, &len)) {
		return (int32_t)*it->p++;
	}
	it->p += len;
	if (cp < 0x10000)
		return (int32_t)cp;
	cp -= 0x10000;
	it->low = 0xdc00 | (cp & 0x3ff);
	return (int32_t)(0xd800 | cp >> 10);
}

int assign_java_compare(const char *a, const char *b)
{
	assert(a != NULL);
	assert(b != NULL);
	struct u16_iter ia = {(const unsigned char *)a, 0};
	struct u16_iter ib = {(const unsigned char *)b, 0};
	for (;;) {
		int32_t ua = u16_next(&ia), ub = u16_next(&ib);
		if (ua != ub)
			return ua < ub ? -1 : 1;     /* the end (-1) sorts first */
		if (ua < 0)
			return 0;
	}
}

uint32_t assign_java_hash(const char *s)
{
	assert(s != NULL);
	struct u16_iter it = {(const unsigned char *)s, 0};
	uint32_t h = 0;
	for (int32_t u = u16_next(&it); u >= 0; u = u16_next(&it))
		h = 31u * h + (uint32_t)u;
	return h;
}

uint32_t jhash_spread(uint32_t h)
{
	return h ^ h >> 16;
}

/* TopicPartition.hashCode: 31 * (31 + partition) + topic.hashCode(), int arithmetic. */
uint32_t jhash_tp(uint32_t topic_hash, uint32_t partition)
{
	return 31u * (31u + partition) + topic_hash;
}

struct jmap_slot {
	uint32_t bucket;
	uint32_t pos;        /* insertion position */
	uint32_t key;
};

static int slot_cmp(const void *pa, const void *pb)
{
	const struct jmap_slot *a = pa, *b = pb;
	if (a->bucket != b->bucket)
		return a->bucket < b->bucket ? -1 : 1;
	if (a->pos != b->pos)
		return a->pos < b->pos ? -1 : 1;
	return 0;
}

/* Counts, per bucket of a table of length cap, the first n inserted keys. */
static uint32_t *count_bins(const uint32_t *hash, const uint32_t *ins, uint32_t n, uint32_t cap)
{
	uint32_t *bins = calloc(cap, sizeof(*bins));
	if (bins == NULL)
		return NULL;
	for (uint32_t i = 0; i < n; i++)
		bins[jhash_spread(hash[ins[i]]) & (cap - 1)]++;
	return bins;
}

/* Replays the put()s on a table of length *cap to learn its final length. */
static enum assign_err jmap_capacity(const uint32_t *hash, const uint32_t *ins, uint32_t n,
				     uint32_t *cap_io, bool *approx)
{
	uint32_t cap = *cap_io;
	assert(cap >= JMAP_INITIAL_CAPACITY);
	assert((cap & (cap - 1)) == 0);
	uint32_t *bins = count_bins(hash, ins, 0, cap);
	if (bins == NULL)
		return ASSIGN_ERR_NOMEM;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t before = bins[jhash_spread(hash[ins[i]]) & (cap - 1)]++;
		bool grow = false;
		if (before >= JMAP_TREEIFY_THRESHOLD) {
			if (cap < JMAP_MIN_TREEIFY_CAP)
				grow = true;              /* treeifyBin resizes instead */
			else
				*approx = true;
		}
		if (grow) {
			cap *= 2;
			free(bins);
			bins = count_bins(hash, ins, i + 1, cap);
			if (bins == NULL)
				return ASSIGN_ERR_NOMEM;
		}
		if (i + 1 > cap / 4 * 3) {               /* ++size > threshold */
			cap *= 2;
			free(bins);
			bins = count_bins(hash, ins, i + 1, cap);
			if (bins == NULL)
				return ASSIGN_ERR_NOMEM;
		}
	}
	free(bins);
	*cap_io = cap;
	return ASSIGN_OK;
}

enum assign_err jmap_order(const uint32_t *hash, const uint32_t *ins, uint32_t n, uint32_t *out,
			   bool *approx)
{
	uint32_t cap = JMAP_INITIAL_CAPACITY;
	return jmap_order_cap(hash, ins, n, &cap, out, approx);
}

enum assign_err jmap_order_cap(const uint32_t *hash, const uint32_t *ins, uint32_t n,
			       uint32_t *cap_io, uint32_t *out, bool *approx)
{
	assert(n == 0 || hash != NULL);
	assert(n == 0 || ins != NULL);
	enum assign_err err = jmap_capacity(hash, ins, n, cap_io, approx);
	uint32_t cap = *cap_io;
	if (err != ASSIGN_OK)
		return err;
	if (n == 0)
		return ASSIGN_OK;
	struct jmap_slot *slots = malloc(sizeof(*slots) * n);
	if (slots == NULL)
		return ASSIGN_ERR_NOMEM;
	for (uint32_t i = 0; i < n; i++) {
		slots[i].bucket = jhash_spread(hash[ins[i]]) & (cap - 1);
		slots[i].pos = i;
		slots[i].key = ins[i];
	}
	qsort(slots, n, sizeof(*slots), slot_cmp);
	for (uint32_t i = 0; i < n; i++)
		out[i] = slots[i].key;
	free(slots);
	return ASSIGN_OK;
}

static uint32_t jset_bin(const struct jset *s, uint32_t hash)
{
	assert(s->cap > 0);
	return jhash_spread(hash) & (s->cap - 1);
}

enum assign_err jset_add(struct jset *s, uint32_t key, uint32_t hash, uint64_t seq)
{
	if (s->cap == 0)
		s->cap = JMAP_INITIAL_CAPACITY;
	uint32_t bin = jset_bin(s, hash), before = 0;
	for (uint32_t i = 0; i < s->size; i++) {
		assert(s->e[i].key != key);
		before += jset_bin(s, s->e[i].hash) == bin;
	}
	if (s->size == s->alloc) {
		uint32_t alloc = s->alloc ? s->alloc * 2 : 4;
		struct jset_elem *e = realloc(s->e, sizeof(*e) * alloc);
		if (e == NULL)
			return ASSIGN_ERR_NOMEM;
		s->e = e;
		s->alloc = alloc;
	}
	s->e[s->size++] = (struct jset_elem){key, hash, seq};
	if (before >= JMAP_TREEIFY_THRESHOLD) {
		if (s->cap < JMAP_MIN_TREEIFY_CAP)
			s->cap *= 2;
		else
			s->tree = true;
	}
	if (s->size > s->cap / 4 * 3)
		s->cap *= 2;
	return ASSIGN_OK;
}

void jset_remove(struct jset *s, uint32_t key)
{
	uint32_t i = 0;
	while (i < s->size && s->e[i].key != key)
		i++;
	assert(i < s->size);            /* the key is in the set */
	s->e[i] = s->e[--s->size];
}

uint32_t jset_first(const struct jset *s)
{
	assert(s->size > 0);
	uint32_t best = 0, best_bin = jset_bin(s, s->e[0].hash);
	for (uint32_t i = 1; i < s->size; i++) {
		uint32_t bin = jset_bin(s, s->e[i].hash);
		if (bin < best_bin || (bin == best_bin && s->e[i].seq < s->e[best].seq)) {
			best = i;
			best_bin = bin;
		}
	}
	return s->e[best].key;
}

void jset_reset(struct jset *s)
{
	s->cap = 0;
	s->size = 0;
	s->tree = false;
}

void jset_free(struct jset *s)
{
	free(s->e);
	*s = (struct jset){0};
}

enum assign_err assign_java_map_order(const char *const *keys, uint32_t n, uint32_t *capacity,
				      uint32_t *order, bool *approx)
{
	assert(capacity != NULL);
	if (n > ASSIGN_MAX_PARTITIONS)
		return ASSIGN_ERR_LIMIT;
	uint32_t cap = *capacity;
	if (cap < JMAP_INITIAL_CAPACITY || (cap & (cap - 1)) != 0 || cap > (1u << 30))
		cap = JMAP_INITIAL_CAPACITY;           /* 0 or nonsense: a new map */
	uint32_t *hash = malloc(sizeof(uint32_t) * (n ? n : 1));
	uint32_t *ins = malloc(sizeof(uint32_t) * (n ? n : 1));
	enum assign_err err = hash && ins ? ASSIGN_OK : ASSIGN_ERR_NOMEM;
	for (uint32_t i = 0; i < n && err == ASSIGN_OK; i++) {
		hash[i] = assign_java_hash(keys[i]);
		ins[i] = i;
	}
	if (err == ASSIGN_OK)
		err = jmap_order_cap(hash, ins, n, &cap, order, approx);
	if (err == ASSIGN_OK)
		*capacity = cap;
	free(ins);
	free(hash);
	return err;
}
