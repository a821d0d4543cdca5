/*
 * vm_simd.h: the v128 lane types shared by vm_simd.c (every SIMD
 * instruction), vm_simd_x86.c (their x86-64 forms) and vm_interp.c (the
 * few with handlers of their own in the loop, VM_SIMD_FAST_OPS in
 * vm_code.h), and the choice of instruction set. GCC vector extensions:
 * GCC lowers them to SSE2 (SSE4.1 when enabled) on x86-64 and to the
 * host's vector unit, or scalar code, elsewhere.
 *
 * Keeps true: a v128 is 16 bytes in two consecutive frame slots, low half
 * first, read and written with v128_get/v128_put. vm_simd_isa is chosen
 * once, before main (vm_simd.c), and every choice gives the same results.
 */
#ifndef WASMIX_VM_SIMD_H
#define WASMIX_VM_SIMD_H

#include <stdbool.h>
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

/*
 * The instruction set SIMD instructions run with: the portable code of
 * vm_simd.c alone (GENERIC, the only one on hosts other than x86-64), or
 * with vm_simd_x86.c's SSE2 forms, or with its SSE4.1/SSSE3 forms too.
 * Chosen once at start-up: the best the CPU has (cpuid), lowered by the
 * environment variable WASMIX_SIMD_ISA=generic|sse2 or by vm_simd_select
 * (vm.h; wasmix-spec --simd-isa runs the SIMD spec files with each).
 * VM_SIMD_X86 is 1 where the x86 forms are built.
 */
#if defined(__x86_64__) && defined(__SSE2__) && defined(__GNUC__)
#define VM_SIMD_X86 1
#else
#define VM_SIMD_X86 0
#endif

enum vm_simd_isa {
	VM_SIMD_GENERIC,
	VM_SIMD_SSE2,
	VM_SIMD_SSE41, /* SSE4.1 and SSSE3 */
};

extern enum vm_simd_isa vm_simd_isa;

#if VM_SIMD_X86
/*
 * vm_simd_x86.c: instruction 'op' on the operands with SSE2 (and SSE4.1
 * when vm_simd_isa says so), into *out; false if it has no x86 form here
 * (vm_simd.c's portable code then runs it). Pure functions.
 */
bool vm_simd_x86_test(unsigned op, v128 a, uint32_t *out);
bool vm_simd_x86_unary(unsigned op, v128 a, v128 *out);
bool vm_simd_x86_binary(unsigned op, v128 a, v128 b, v128 *out);
bool vm_simd_x86_ternary(unsigned op, v128 a, v128 b, v128 c, v128 *out);
/* i8x16.shuffle of a and b by the 16 lane indices (each < 32). */
bool vm_simd_x86_shuffle(v128 a, v128 b, const uint8_t lanes[16], v128 *out);
#endif

#endif
