/*
 * prng.h — the tree of deterministic random streams.
 *
 * One root seed (the scenario's `seed` or --seed). Every component draws from its own child
 * stream, derived from the root seed and a fixed (kind, index) label — never from another
 * stream's state — so adding a draw in one component cannot shift another's draws.
 * The generator is xoshiro256** seeded through splitmix64. Draws are integer-only: a
 * probability is a ratio out of PRNG_RATIO_ONE, an exponential is computed in fixed point.
 * No libc rand(), no floating point, no global state.
 */
#ifndef KAFKASIM_PRNG_H
#define KAFKASIM_PRNG_H

#include <stdbool.h>
#include <stdint.h>

/* Stream kinds: the documented, fixed order of the tree (docs/determinism.md). */
enum prng_stream {
	PRNG_STREAM_NETWORK = 1,  /* index: (from << 32) | to — one stream per directed link */
	PRNG_STREAM_FAULTS  = 2,  /* index 0: the scripted fault plan */
	PRNG_STREAM_NEMESIS = 3,  /* index 0: the nemesis schedule */
	PRNG_STREAM_NODE    = 4,  /* index: node index (controllers, brokers, clients) */
};

/* Probabilities are integers out of 2^32 (drop: 0.25 -> 2^30). */
#define PRNG_RATIO_ONE (UINT64_C(1) << 32)

struct prng {
	uint64_t s[4];
};

void     prng_init(struct prng *p, uint64_t seed);
/* The child stream (kind, index) of root seed `root`. */
void     prng_child(struct prng *p, uint64_t root, enum prng_stream kind, uint64_t index);
uint64_t prng_u64(struct prng *p);
/* Uniform in [0, n), n > 0, without modulo bias (Lemire's multiply-and-reject). */
uint64_t prng_below(struct prng *p, uint64_t n);
/* Uniform in [lo, hi], lo <= hi. */
int64_t  prng_range(struct prng *p, int64_t lo, int64_t hi);
/* True with probability ratio / PRNG_RATIO_ONE; ratio <= PRNG_RATIO_ONE. */
bool     prng_chance(struct prng *p, uint64_t ratio);
/* An exponential draw with mean `mean`, rounded down, in fixed point (no floating point). */
int64_t  prng_exponential(struct prng *p, int64_t mean);
/* 16 random bytes formatted as a UUID version 4 string (36 chars + NUL). */
void     prng_uuid(struct prng *p, char out[37]);

#endif
