/*
 * units.h — the scenario format's value syntax (scenario-format 1 "Values"): integers, times,
 * sizes, rates and probabilities, parsed from the source text with exact integer arithmetic.
 *
 * No floating point anywhere: a decimal such as "1.5s" or "0.25" is read digit by digit into
 * an integer numerator over a power of ten, then scaled and checked. Every function takes the
 * text and its length (the text need not be NUL-terminated), writes its result only on
 * success, and returns UNITS_OK or the reason it refused; units_strerror() names the reason.
 */
#ifndef KAFKASIM_UNITS_H
#define KAFKASIM_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum units_err {
	UNITS_OK = 0,
	UNITS_EMPTY,          /* no text */
	UNITS_SYNTAX,         /* not a number of the expected shape */
	UNITS_NOT_INTEGER,    /* a decimal or other text where an integer is needed */
	UNITS_FLOAT_NO_UNIT,  /* "1.5": a time or rate with a fraction needs a unit */
	UNITS_BAD_UNIT,       /* "5 sec", "5KB": a unit we do not accept */
	UNITS_COMPOSITE,      /* "1m30s" */
	UNITS_NOT_WHOLE,      /* does not come to a whole number of the base unit */
	UNITS_RANGE,          /* does not fit (int64, uint64, or the caller's bounds) */
	UNITS_NEGATIVE,       /* a sign where none is allowed */
	UNITS_ZERO,           /* a rate of zero */
	UNITS_ABOVE_ONE,      /* a probability above 1 */
	UNITS_TOO_PRECISE,    /* more fractional digits than we can carry exactly */
};

const char *units_strerror(enum units_err e);

/* Decimal integer, optional leading '-' or '+'. */
enum units_err units_int64(const char *s, size_t len, int64_t *out);
/* Decimal integer without sign, 0 .. 2^64-1. */
enum units_err units_uint64(const char *s, size_t len, uint64_t *out);

/* A time in microseconds. A bare integer counts `bare_unit_us` each (1000 for scenario times,
 * which are milliseconds; a Kafka config's own unit otherwise); a string carries one unit:
 * us (or µs), ms, s, m, h, d, with an optional fraction ("1.5s"). A fraction without a unit,
 * composite forms and other units are refused; the result must be a whole number of µs.
 * `allow_negative` admits a leading '-' (clock skews). */
enum units_err units_time_us(const char *s, size_t len, int64_t bare_unit_us,
			     bool allow_negative, int64_t *out_us);

/* A size in bytes: an integer, or a number with B, KiB, MiB, GiB or TiB (binary units). */
enum units_err units_size(const char *s, size_t len, int64_t *out);

/* A rate: "100" or "100/s" records per second, or N per one of us, ms, s, m, h, d; N may have
 * a fraction when a unit is given ("2.5/s"). Stored exactly as `count` records per `per_us`
 * microseconds, reduced to lowest terms; both > 0. */
struct units_rate {
	uint64_t count;
	uint64_t per_us;
};
enum units_err units_rate(const char *s, size_t len, struct units_rate *out);

/* A probability in [0, 1] as a ratio out of 2^32: round(p * 2^32), computed from the decimal
 * digits ("0.25" -> 2^30, "1" -> 2^32). At most 19 fractional digits. */
enum units_err units_probability(const char *s, size_t len, uint64_t *out_ratio);

/* Formats a µs time the way a scenario would write it ("1.5s", "250us", "-2ms", "0s"),
 * always into buf (truncated to cap). Returns buf. */
char *units_format_time(int64_t us, char *buf, size_t cap);
/* Formats a rate as records per second when that is exact ("100/s"), else per its period. */
char *units_format_rate(const struct units_rate *r, char *buf, size_t cap);

#endif
