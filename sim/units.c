/*
 * units.c — exact parsing of the scenario format's integers, times, sizes, rates and
 * probabilities (scenario-format 1). Decimals are read digit by digit into integers; products
 * that could exceed 64 bits are taken in 128-bit arithmetic and range-checked. No floating
 * point, no locale, no libc number parsing (strtol accepts spaces, hex and locale digits).
 */
#include "sim/units.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

#define US_PER_MS  INT64_C(1000)
#define US_PER_S   INT64_C(1000000)
#define US_PER_M   (60 * US_PER_S)
#define US_PER_H   (60 * US_PER_M)
#define US_PER_D   (24 * US_PER_H)
#define FRAC_DIGITS_MAX 19   /* 10^19 < 2^64 */

/* A decimal as written: [sign] whole [. frac], frac holding frac_digits digits. */
struct dec {
	bool     neg;
	bool     has_sign;
	bool     has_point;
	uint64_t whole;
	uint64_t frac;
	uint32_t frac_digits;
	size_t   end;          /* index of the first byte after the number */
};

struct unit {
	const char *name;
	int64_t     scale;
};

static const struct unit time_units[] = {
	{"us", 1}, {"\xc2\xb5s", 1}, {"ms", US_PER_MS}, {"s", US_PER_S},
	{"m", US_PER_M}, {"h", US_PER_H}, {"d", US_PER_D},
};

static const struct unit size_units[] = {
	{"B", 1}, {"KiB", INT64_C(1) << 10}, {"MiB", INT64_C(1) << 20},
	{"GiB", INT64_C(1) << 30}, {"TiB", INT64_C(1) << 40},
};

const char *units_strerror(enum units_err e)
{
	switch (e) {
	case UNITS_OK:            return "ok";
	case UNITS_EMPTY:         return "is empty";
	case UNITS_SYNTAX:        return "is not a number";
	case UNITS_NOT_INTEGER:   return "is not an integer";
	case UNITS_FLOAT_NO_UNIT: return "has a fraction but no unit";
	case UNITS_BAD_UNIT:      return "has a unit that is not accepted";
	case UNITS_COMPOSITE:     return "is a composite form; write one number with one unit";
	case UNITS_NOT_WHOLE:     return "does not come to a whole number of the base unit";
	case UNITS_RANGE:         return "is out of range";
	case UNITS_NEGATIVE:      return "is negative";
	case UNITS_ZERO:          return "is zero";
	case UNITS_ABOVE_ONE:     return "is above 1";
	case UNITS_TOO_PRECISE:   return "has too many fractional digits";
	}
	return "is invalid";
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static uint64_t pow10_u64(uint32_t n)
{
	assert(n <= FRAC_DIGITS_MAX);
	uint64_t p = 1;
	for (uint32_t i = 0; i < n; i++)
		p *= 10;
	return p;
}

static enum units_err scan_whole(const char *s, size_t len, struct dec *d, size_t *i)
{
	size_t start = *i;
	while (*i < len && is_digit(s[*i])) {
		uint64_t digit = (uint64_t)(s[*i] - '0');
		if (d->whole > (UINT64_MAX - digit) / 10)
			return UNITS_RANGE;
		d->whole = d->whole * 10 + digit;
		(*i)++;
	}
	return *i == start ? UNITS_SYNTAX : UNITS_OK;
}

/* Fraction digits beyond 19 are accepted only when they are zeros. */
static enum units_err scan_frac(const char *s, size_t len, struct dec *d, size_t *i)
{
	size_t start = *i;
	while (*i < len && is_digit(s[*i])) {
		if (d->frac_digits < FRAC_DIGITS_MAX) {
			d->frac = d->frac * 10 + (uint64_t)(s[*i] - '0');
			d->frac_digits++;
		} else if (s[*i] != '0') {
			return UNITS_TOO_PRECISE;
		}
		(*i)++;
	}
	return *i == start ? UNITS_SYNTAX : UNITS_OK;
}

static enum units_err scan_decimal(const char *s, size_t len, struct dec *d)
{
	memset(d, 0, sizeof(*d));
	if (len == 0)
		return UNITS_EMPTY;
	size_t i = 0;
	if (s[0] == '-' || s[0] == '+') {
		d->neg = s[0] == '-';
		d->has_sign = true;
		i = 1;
	}
	enum units_err e = scan_whole(s, len, d, &i);
	if (e != UNITS_OK)
		return e;
	if (i < len && s[i] == '.') {
		d->has_point = true;
		i++;
		e = scan_frac(s, len, d, &i);
		if (e != UNITS_OK)
			return e;
	}
	d->end = i;
	return UNITS_OK;
}

/* Matches the unit text s[0..len) against a table; composite forms ("m30s") are told apart
 * from unknown units so the message can say which. */
static enum units_err match_unit(const char *s, size_t len, const struct unit *units,
				 size_t n, int64_t *scale)
{
	for (size_t k = 0; k < n; k++) {
		size_t ul = strlen(units[k].name);
		if (ul == len && memcmp(s, units[k].name, len) == 0) {
			*scale = units[k].scale;
			return UNITS_OK;
		}
	}
	for (size_t k = 0; k < n; k++) {
		size_t ul = strlen(units[k].name);
		if (ul < len && memcmp(s, units[k].name, ul) == 0 && is_digit(s[ul]))
			return UNITS_COMPOSITE;
	}
	return UNITS_BAD_UNIT;
}

/* whole.frac × scale, exactly, into 0 .. limit; NOT_WHOLE when a fraction of 1 remains. */
static enum units_err scale_exact(const struct dec *d, int64_t scale, u128 limit, u128 *out)
{
	assert(scale > 0);
	u128 whole = (u128)d->whole * (u128)scale;
	u128 den = pow10_u64(d->frac_digits);
	u128 fnum = (u128)d->frac * (u128)scale;
	if (fnum % den != 0)
		return UNITS_NOT_WHOLE;
	u128 v = whole + fnum / den;
	if (v > limit)
		return UNITS_RANGE;
	*out = v;
	return UNITS_OK;
}

static enum units_err to_signed(const struct dec *d, u128 mag, int64_t *out)
{
	if (d->neg) {
		if (mag > (u128)INT64_MAX + 1)
			return UNITS_RANGE;
		*out = mag == (u128)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
	} else {
		if (mag > (u128)INT64_MAX)
			return UNITS_RANGE;
		*out = (int64_t)mag;
	}
	return UNITS_OK;
}

enum units_err units_int64(const char *s, size_t len, int64_t *out)
{
	struct dec d;
	enum units_err e = scan_decimal(s, len, &d);
	if (e != UNITS_OK)
		return e == UNITS_SYNTAX ? UNITS_NOT_INTEGER : e;
	if (d.end != len || d.has_point)
		return UNITS_NOT_INTEGER;
	return to_signed(&d, d.whole, out);
}

enum units_err units_uint64(const char *s, size_t len, uint64_t *out)
{
	struct dec d;
	enum units_err e = scan_decimal(s, len, &d);
	if (e != UNITS_OK)
		return e == UNITS_SYNTAX ? UNITS_NOT_INTEGER : e;
	if (d.end != len || d.has_point)
		return UNITS_NOT_INTEGER;
	if (d.neg)
		return UNITS_NEGATIVE;
	*out = d.whole;
	return UNITS_OK;
}

/* A decimal with an optional unit from `units`: a bare number counts bare_scale each and may
 * not have a fraction (fraction_err); the result must be a whole int64. */
static enum units_err scaled(const char *s, size_t len, const struct unit *units, size_t n,
			     int64_t bare_scale, enum units_err fraction_err, bool allow_negative,
			     int64_t *out)
{
	struct dec d;
	enum units_err e = scan_decimal(s, len, &d);
	if (e != UNITS_OK)
		return e;
	if (d.neg && !allow_negative)
		return UNITS_NEGATIVE;
	int64_t scale = bare_scale;
	if (d.end == len) {
		if (d.has_point)
			return fraction_err;
	} else {
		e = match_unit(s + d.end, len - d.end, units, n, &scale);
		if (e != UNITS_OK)
			return e;
	}
	u128 mag;
	e = scale_exact(&d, scale, (u128)INT64_MAX + 1, &mag);
	if (e != UNITS_OK)
		return e;
	return to_signed(&d, mag, out);
}

enum units_err units_time_us(const char *s, size_t len, int64_t bare_unit_us,
			     bool allow_negative, int64_t *out_us)
{
	assert(bare_unit_us > 0);
	return scaled(s, len, time_units, sizeof(time_units) / sizeof(time_units[0]),
		      bare_unit_us, UNITS_FLOAT_NO_UNIT, allow_negative, out_us);
}

/* A size may be negative (Kafka's -1 "unlimited"); callers check their own ranges. */
enum units_err units_size(const char *s, size_t len, int64_t *out)
{
	return scaled(s, len, size_units, sizeof(size_units) / sizeof(size_units[0]), 1,
		      UNITS_NOT_INTEGER, true, out);
}

enum units_err units_rate(const char *s, size_t len, struct units_rate *out)
{
	struct dec d;
	enum units_err e = scan_decimal(s, len, &d);
	if (e != UNITS_OK)
		return e;
	if (d.neg)
		return UNITS_NEGATIVE;
	int64_t per = US_PER_S;
	if (d.end == len) {
		if (d.has_point)
			return UNITS_FLOAT_NO_UNIT;
	} else {
		if (s[d.end] != '/')
			return UNITS_BAD_UNIT;
		size_t u = d.end + 1;
		e = match_unit(s + u, len - u, time_units,
			       sizeof(time_units) / sizeof(time_units[0]), &per);
		if (e != UNITS_OK)
			return e;
	}
	uint64_t den = pow10_u64(d.frac_digits);
	u128 count = (u128)d.whole * den + d.frac;
	u128 per_us = (u128)(uint64_t)per * den;
	if (count == 0)
		return UNITS_ZERO;
	/* Reduce in 128 bits before narrowing: 2.5/s is 5 per 2 s. */
	u128 a = count, b = per_us;
	while (b != 0) {
		u128 t = a % b;
		a = b;
		b = t;
	}
	count /= a;
	per_us /= a;
	if (count > UINT64_MAX || per_us > (u128)INT64_MAX)
		return UNITS_RANGE;
	out->count = (uint64_t)count;
	out->per_us = (uint64_t)per_us;
	return UNITS_OK;
}

enum units_err units_probability(const char *s, size_t len, uint64_t *out_ratio)
{
	struct dec d;
	enum units_err e = scan_decimal(s, len, &d);
	if (e != UNITS_OK)
		return e;
	if (d.end != len)
		return UNITS_SYNTAX;
	if (d.neg)
		return UNITS_NEGATIVE;
	if (d.whole > 1 || (d.whole == 1 && d.frac != 0))
		return UNITS_ABOVE_ONE;
	uint64_t den = pow10_u64(d.frac_digits);
	u128 num = (u128)d.whole * den + d.frac;
	u128 ratio = (num * ((u128)1 << 32) + den / 2) / den;
	assert(ratio <= ((u128)1 << 32));
	*out_ratio = (uint64_t)ratio;
	return UNITS_OK;
}

/* Writes |us| as whole.frac of `scale`, trailing zeros removed. */
static void format_scaled(uint64_t mag, uint64_t scale, const char *unit, bool neg,
			  char *buf, size_t cap)
{
	uint64_t whole = mag / scale, frac = mag % scale;
	if (frac == 0) {
		snprintf(buf, cap, "%s%llu%s", neg ? "-" : "", (unsigned long long)whole, unit);
		return;
	}
	char digits[24];
	int width = scale == 1000000 ? 6 : 3;
	snprintf(digits, sizeof(digits), "%0*llu", width, (unsigned long long)frac);
	size_t n = strlen(digits);
	while (n > 0 && digits[n - 1] == '0')
		digits[--n] = '\0';
	snprintf(buf, cap, "%s%llu.%s%s", neg ? "-" : "", (unsigned long long)whole, digits,
		 unit);
}

char *units_format_time(int64_t us, char *buf, size_t cap)
{
	assert(cap > 0);
	bool neg = us < 0;
	uint64_t mag = neg ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
	if (mag == 0)
		snprintf(buf, cap, "0s");
	else if (mag % (uint64_t)US_PER_D == 0)
		format_scaled(mag, (uint64_t)US_PER_D, "d", neg, buf, cap);
	else if (mag % (uint64_t)US_PER_H == 0)
		format_scaled(mag, (uint64_t)US_PER_H, "h", neg, buf, cap);
	else if (mag % (uint64_t)US_PER_M == 0)
		format_scaled(mag, (uint64_t)US_PER_M, "m", neg, buf, cap);
	else if (mag >= (uint64_t)US_PER_S)
		format_scaled(mag, (uint64_t)US_PER_S, "s", neg, buf, cap);
	else if (mag >= (uint64_t)US_PER_MS)
		format_scaled(mag, (uint64_t)US_PER_MS, "ms", neg, buf, cap);
	else
		format_scaled(mag, 1, "us", neg, buf, cap);
	return buf;
}

char *units_format_rate(const struct units_rate *r, char *buf, size_t cap)
{
	assert(cap > 0);
	assert(r->per_us > 0);
	if ((uint64_t)US_PER_S % r->per_us == 0) {
		u128 per_s = (u128)r->count * ((uint64_t)US_PER_S / r->per_us);
		if (per_s <= UINT64_MAX) {
			snprintf(buf, cap, "%llu/s", (unsigned long long)per_s);
			return buf;
		}
	}
	char t[48];
	snprintf(buf, cap, "%llu per %s", (unsigned long long)r->count,
		 units_format_time((int64_t)r->per_us, t, sizeof(t)));
	return buf;
}
