/*
 * leb128.h: bounded readers for the integer and float encodings of the
 * WebAssembly binary format.
 *
 * Every reader takes a cursor '*p' and an end pointer, never reads at or
 * past 'end', and on success advances '*p'. They return 0 on success, or
 * one of:
 *   LEB_EEND      the encoding runs past 'end'      ("unexpected end")
 *   LEB_ETOOLONG  more bytes than the type allows   ("integer representation too long")
 *   LEB_ETOOLARGE unused bits of the last byte are not a sign/zero
 *                 extension                         ("integer too large")
 * On failure '*p' is left unchanged.
 */
#ifndef WASMIX_LEB128_H
#define WASMIX_LEB128_H

#include <stdint.h>
#include <string.h>

enum { LEB_OK = 0, LEB_EEND = 1, LEB_ETOOLONG = 2, LEB_ETOOLARGE = 3 };

/* Message in the specification's wording for a LEB_* error. */
static inline const char *leb_strerror(int e)
{
	switch (e) {
	case LEB_EEND: return "unexpected end";
	case LEB_ETOOLONG: return "integer representation too long";
	case LEB_ETOOLARGE: return "integer too large";
	default: return "ok";
	}
}

/* Unsigned, at most 'bits' (32 or 64) significant bits. */
static inline int leb_read_unsigned(const uint8_t **p, const uint8_t *end,
                                    unsigned bits, uint64_t *out)
{
	const uint8_t *q = *p;
	uint64_t v = 0;
	unsigned shift = 0;
	unsigned maxbytes = (bits + 6) / 7;

	for (unsigned i = 0;; i++) {
		if (q >= end)
			return LEB_EEND;
		if (i >= maxbytes)
			return LEB_ETOOLONG;
		uint8_t b = *q++;
		if (i == maxbytes - 1) {
			/* Last allowed byte: no continuation, unused bits 0. */
			if (b & 0x80)
				return LEB_ETOOLONG;
			unsigned used = bits - shift;
			if (used < 7 && (b >> used) != 0)
				return LEB_ETOOLARGE;
		}
		v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			break;
	}
	*out = v;
	*p = q;
	return LEB_OK;
}

/* Signed, 'bits' is 32, 33 or 64; the result is sign-extended. */
static inline int leb_read_signed(const uint8_t **p, const uint8_t *end,
                                  unsigned bits, int64_t *out)
{
	const uint8_t *q = *p;
	uint64_t v = 0;
	unsigned shift = 0;
	unsigned maxbytes = (bits + 6) / 7;
	uint8_t b;

	for (unsigned i = 0;; i++) {
		if (q >= end)
			return LEB_EEND;
		if (i >= maxbytes)
			return LEB_ETOOLONG;
		b = *q++;
		if (i == maxbytes - 1) {
			if (b & 0x80)
				return LEB_ETOOLONG;
			/*
			 * The bits of the last byte above the value's width,
			 * plus its top value bit, must all be equal (a sign
			 * extension).
			 */
			unsigned used = bits - shift; /* 1..7 */
			if (used < 7) {
				int8_t sb = (int8_t)(b << 1) >> 1; /* 7-bit signed */
				int8_t ext = (int8_t)((int8_t)(b << (8 - used)) >>
				                      (8 - used));
				if (sb != ext)
					return LEB_ETOOLARGE;
			}
		}
		v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			break;
	}
	if (shift < 64 && (b & 0x40))
		v |= ~(uint64_t)0 << shift;
	*out = (int64_t)v;
	*p = q;
	return LEB_OK;
}

static inline int leb_read_u32(const uint8_t **p, const uint8_t *end,
                               uint32_t *out)
{
	uint64_t v;
	int e = leb_read_unsigned(p, end, 32, &v);
	if (e == LEB_OK)
		*out = (uint32_t)v;
	return e;
}

static inline int leb_read_u64(const uint8_t **p, const uint8_t *end,
                               uint64_t *out)
{
	return leb_read_unsigned(p, end, 64, out);
}

static inline int leb_read_s32(const uint8_t **p, const uint8_t *end,
                               int32_t *out)
{
	int64_t v;
	int e = leb_read_signed(p, end, 32, &v);
	if (e == LEB_OK)
		*out = (int32_t)v;
	return e;
}

static inline int leb_read_s33(const uint8_t **p, const uint8_t *end,
                               int64_t *out)
{
	return leb_read_signed(p, end, 33, out);
}

static inline int leb_read_s64(const uint8_t **p, const uint8_t *end,
                               int64_t *out)
{
	return leb_read_signed(p, end, 64, out);
}

/* Fixed-width little-endian reads (float immediates). */
static inline int leb_read_fixed(const uint8_t **p, const uint8_t *end,
                                 void *out, size_t n)
{
	if ((size_t)(end - *p) < n)
		return LEB_EEND;
	memcpy(out, *p, n);
	*p += n;
	return LEB_OK;
}

#endif
