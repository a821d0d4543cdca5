/*
 * vm_simd.h: the v128 lane types shared by vm_simd.c (every SIMD
 * instruction) and vm_interp.c (the few with handlers of their own in the
 * loop, VM_SIMD_FAST_OPS in vm_code.h). GCC vector extensions: GCC lowers
 * them to SSE2 (SSE4.1 when enabled) on x86-64 and to the host's vector
 * unit, or scalar code, elsewhere.
 *
 * Keeps true: a v128 is 16 bytes in two consecutive frame slots, low half
 * first, read and written with v128_get/v128_put.
 */
#ifndef WASMIX_VM_SIMD_H
#define WASMIX_VM_SIMD_H

#include <stdint.h>

typedef int8_t i8x16 __attribute__((vector_size(16)));
typedef uint8_t u8x16 __attribute__((vector_size(16)));
typedef int16_t i16x8 __attribute__((vector_size(16)));
typedef uint16_t u16x8 __attribute__((vector_size(16)));
typedef int32_t i32x4 __attribute__((vector_size(16)));
typedef uint32_t u32x4 __attribute__((vector_size(16)));
typedef int64_t i64x2 __attribute__((vector_size(16)));
typedef uint64_t u64x2 __attribute__((vector_size(16)));
typedef float f32x4 __attribute__((vector_size(16)));
typedef double f64x2 __attribute__((vector_size(16)));

typedef union {
	i8x16 i8;
	u8x16 u8;
	i16x8 i16;
	u16x8 u16;
	i32x4 i32;
	u32x4 u32;
	i64x2 i64;
	u64x2 u64;
	f32x4 f32;
	f64x2 f64;
	uint8_t b[16];
	uint64_t s[2];
} v128;

/*
 * A v128 from / to two slots, as two 8-byte accesses: a 16-byte access
 * at an 8-byte-aligned slot may straddle a cache line, and the CPU then
 * cannot forward a store to the next load (measured: the f32 dot product
 * kernel ran 2x slower with 16-byte copies).
 */
static inline v128 v128_get(const uint64_t *p)
{
	v128 v;
	v.u64 = (u64x2){p[0], p[1]};
	return v;
}

static inline void v128_put(uint64_t *p, v128 v)
{
	p[0] = v.u64[0];
	p[1] = v.u64[1];
}

#endif
