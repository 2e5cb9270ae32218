/*
 * sha256.h — FIPS 180-4 SHA-256, streaming, for `trace_sha256`.
 */
#ifndef KAFKASIM_SHA256_H
#define KAFKASIM_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t bytes;
	uint8_t  block[64];
	uint32_t fill;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Finishes a copy, so the running hash can go on. */
void sha256_final(const struct sha256 *s, uint8_t out[32]);
void sha256_hex(const uint8_t digest[32], char out[65]);
/* Chooses the x86 SHA extensions when allowed and the CPU has them (the default), else the
 * portable code; returns whether they are used. Both give the same digests (tested). */
bool sha256_accelerated(bool allow);

#endif
