/*
 * sha256.c — SHA-256 per FIPS 180-4, written from the standard.
 */
#include "sim/sha256.h"

#include <assert.h>
#include <stdbool.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_SHA_NI 1
#endif

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static uint32_t ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static void compress_portable(uint32_t h[8], const uint8_t block[64])
{
	uint32_t w[64];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)block[4 * i] << 24 | (uint32_t)block[4 * i + 1] << 16 |
		       (uint32_t)block[4 * i + 2] << 8 | (uint32_t)block[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
	uint32_t e = h[4], f = h[5], g = h[6], hh = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t S1 = ror(e, 6) ^ ror(e, 11) ^ ror(e, 25);
		uint32_t ch = (e & f) ^ (~e & g);
		uint32_t t1 = hh + S1 + ch + K[i] + w[i];
		uint32_t S0 = ror(a, 2) ^ ror(a, 13) ^ ror(a, 22);
		uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
		uint32_t t2 = S0 + maj;
		hh = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

#ifdef HAVE_SHA_NI
/* The x86 SHA extensions (Intel SHA-NI): the same function, several times faster. State is
 * kept as ABEF/CDGH as the sha256rnds2 instruction wants it; four rounds per step. */
__attribute__((target("sha,sse4.1")))
static void compress_ni(uint32_t h[8], const uint8_t block[64])
{
	const __m128i shuf = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i tmp = _mm_loadu_si128((const __m128i *)&h[0]);        /* DCBA */
	__m128i st1 = _mm_loadu_si128((const __m128i *)&h[4]);        /* HGFE */
	tmp = _mm_shuffle_epi32(tmp, 0xB1);                           /* CDAB */
	st1 = _mm_shuffle_epi32(st1, 0x1B);                           /* EFGH */
	__m128i st0 = _mm_alignr_epi8(tmp, st1, 8);                   /* ABEF */
	st1 = _mm_blend_epi16(st1, tmp, 0xF0);                        /* CDGH */
	const __m128i abef = st0, cdgh = st1;
	__m128i m[4];
	for (int i = 0; i < 4; i++)
		m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(block + 16 * i)), shuf);
	for (int r = 0; r < 16; r++) {
		__m128i w = r < 4 ? m[r] : m[r & 3];
		if (r >= 4) {
			/* W[16..] from the previous 16 words: msg1, add, msg2. */
			__m128i a = _mm_sha256msg1_epu32(m[r & 3], m[(r + 1) & 3]);
			__m128i t = _mm_alignr_epi8(m[(r + 3) & 3], m[(r + 2) & 3], 4);
			a = _mm_add_epi32(a, t);
			w = _mm_sha256msg2_epu32(a, m[(r + 3) & 3]);
			m[r & 3] = w;
		}
		__m128i k = _mm_loadu_si128((const __m128i *)&K[4 * r]);
		__m128i msg = _mm_add_epi32(w, k);
		st1 = _mm_sha256rnds2_epu32(st1, st0, msg);
		msg = _mm_shuffle_epi32(msg, 0x0E);
		st0 = _mm_sha256rnds2_epu32(st0, st1, msg);
	}
	st0 = _mm_add_epi32(st0, abef);
	st1 = _mm_add_epi32(st1, cdgh);
	tmp = _mm_shuffle_epi32(st0, 0x1B);                           /* FEBA */
	st1 = _mm_shuffle_epi32(st1, 0xB1);                           /* DCHG */
	st0 = _mm_blend_epi16(tmp, st1, 0xF0);                        /* DCBA */
	st1 = _mm_alignr_epi8(st1, tmp, 8);                           /* ABEF -> HGFE */
	_mm_storeu_si128((__m128i *)&h[0], st0);
	_mm_storeu_si128((__m128i *)&h[4], st1);
}
#endif

/* Whether to use SHA-NI: a CPU feature, the same for the whole process; -1 not probed yet.
 * The only process-wide state in the simulator, and it cannot change a result. */
static int use_ni = -1;

#ifdef HAVE_SHA_NI
/* CPUID: leaf 7 EBX bit 29 is SHA, leaf 1 ECX bit 19 SSE4.1 (Intel SDM vol. 2A). */
static bool cpu_has_sha(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 19)))
		return false;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return false;
	return (b & (1u << 29)) != 0;
}
#endif

bool sha256_accelerated(bool allow)
{
#ifdef HAVE_SHA_NI
	use_ni = allow && cpu_has_sha();
	return use_ni;
#else
	(void)allow;
	return false;
#endif
}

static void compress(uint32_t h[8], const uint8_t block[64])
{
#ifdef HAVE_SHA_NI
	if (use_ni < 0)
		sha256_accelerated(true);
	if (use_ni) {
		compress_ni(h, block);
		return;
	}
#endif
	compress_portable(h, block);
}

void sha256_init(struct sha256 *s)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	memcpy(s->h, iv, sizeof(iv));
	s->bytes = 0;
	s->fill = 0;
}

void sha256_update(struct sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;
	s->bytes += len;
	while (len > 0) {
		if (s->fill == 0 && len >= 64) {
			compress(s->h, p);
			p += 64;
			len -= 64;
			continue;
		}
		size_t take = 64 - s->fill;
		if (take > len)
			take = len;
		memcpy(s->block + s->fill, p, take);
		s->fill += (uint32_t)take;
		p += take;
		len -= take;
		if (s->fill == 64) {
			compress(s->h, s->block);
			s->fill = 0;
		}
	}
}

void sha256_final(const struct sha256 *s, uint8_t out[32])
{
	struct sha256 c = *s;
	uint64_t bits = c.bytes * 8;
	uint8_t pad = 0x80;
	sha256_update(&c, &pad, 1);
	uint8_t zero = 0;
	while (c.fill != 56)
		sha256_update(&c, &zero, 1);
	uint8_t len[8];
	for (int i = 0; i < 8; i++)
		len[i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_update(&c, len, 8);
	assert(c.fill == 0);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(c.h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(c.h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(c.h[i] >> 8);
		out[4 * i + 3] = (uint8_t)c.h[i];
	}
}

void sha256_hex(const uint8_t digest[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[64] = '\0';
}
