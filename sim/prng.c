/*
 * prng.c — xoshiro256** streams seeded through splitmix64, and integer-only draws.
 *
 * Child streams hash (root, kind, index) with splitmix64 steps, so each component's stream
 * depends only on the root seed and its own label. Exponential draws compute -ln(u) in
 * Q32 fixed point from a 53-bit uniform u in (0, 1] with an integer log2 (bit-by-bit
 * squaring), so results are identical on every platform and compiler.
 */
#include "sim/prng.h"

#include <assert.h>

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void prng_init(struct prng *p, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		p->s[i] = splitmix64(&x);
	/* xoshiro's all-zero state is a fixed point; splitmix64 cannot give four zeros, but
	 * keep the guarantee explicit. */
	assert((p->s[0] | p->s[1] | p->s[2] | p->s[3]) != 0);
}

void prng_child(struct prng *p, uint64_t root, enum prng_stream kind, uint64_t index)
{
	uint64_t x = root;
	uint64_t a = splitmix64(&x);
	x = a ^ ((uint64_t)kind * UINT64_C(0xd6e8feb86659fd93));
	uint64_t b = splitmix64(&x);
	x = b ^ index;
	uint64_t c = splitmix64(&x);
	prng_init(p, c);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t prng_u64(struct prng *p)
{
	uint64_t *s = p->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t prng_below(struct prng *p, uint64_t n)
{
	assert(n > 0);
	/* Lemire, "Fast Random Integer Generation in an Interval" (2019). */
	unsigned __int128 m = (unsigned __int128)prng_u64(p) * n;
	uint64_t low = (uint64_t)m;
	if (low < n) {
		uint64_t threshold = (0 - n) % n;
		while (low < threshold) {
			m = (unsigned __int128)prng_u64(p) * n;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

int64_t prng_range(struct prng *p, int64_t lo, int64_t hi)
{
	assert(lo <= hi);
	uint64_t span = (uint64_t)hi - (uint64_t)lo;
	if (span == UINT64_MAX)
		return (int64_t)prng_u64(p);
	return (int64_t)((uint64_t)lo + prng_below(p, span + 1));
}

bool prng_chance(struct prng *p, uint64_t ratio)
{
	assert(ratio <= PRNG_RATIO_ONE);
	if (ratio == 0)
		return false;
	if (ratio == PRNG_RATIO_ONE)
		return true;
	return (prng_u64(p) >> 32) < ratio;
}

/* log2(x) for x >= 1 in Q32 fixed point. */
static uint64_t log2_q32(uint64_t x)
{
	assert(x >= 1);
	int ip = 63 - __builtin_clzll(x);
	/* Mantissa m = x / 2^ip in [1, 2), as Q62. */
	unsigned __int128 m = ((unsigned __int128)x << 62) >> ip;
	uint64_t frac = 0;
	for (int bit = 31; bit >= 0; bit--) {
		m = (m * m) >> 62;
		if (m >= ((unsigned __int128)2 << 62)) {
			m >>= 1;
			frac |= UINT64_C(1) << bit;
		}
	}
	return ((uint64_t)ip << 32) | frac;
}

int64_t prng_exponential(struct prng *p, int64_t mean)
{
	assert(mean >= 0);
	/* u = (x + 1) / 2^53 in (0, 1]; -ln u = (53 - log2(x + 1)) * ln 2. */
	uint64_t x = prng_u64(p) >> 11;
	uint64_t neg_log2 = (UINT64_C(53) << 32) - log2_q32(x + 1);
	const uint64_t ln2_q32 = UINT64_C(2977044472);   /* round(ln 2 * 2^32) */
	unsigned __int128 neg_ln = ((unsigned __int128)neg_log2 * ln2_q32) >> 32;
	unsigned __int128 r = ((unsigned __int128)neg_ln * (uint64_t)mean) >> 32;
	if (r > (unsigned __int128)INT64_MAX)
		return INT64_MAX;
	return (int64_t)r;
}

void prng_uuid(struct prng *p, char out[37])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t b[16];
	uint64_t hi = prng_u64(p), lo = prng_u64(p);
	for (int i = 0; i < 8; i++) {
		b[i] = (uint8_t)(hi >> (56 - 8 * i));
		b[8 + i] = (uint8_t)(lo >> (56 - 8 * i));
	}
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);   /* version 4 (RFC 4122 4.4) */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);   /* variant 10 */
	int o = 0;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 15];
	}
	out[o] = '\0';
	assert(o == 36);
}
