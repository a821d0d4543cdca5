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

#include "wasm/wasm_module.h"

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

/*
 * A SIMD instruction's x86 form: reads its operand cells 'a' ([dst]
 * [operands][imms], as vm_compile.c's emit_simd writes them) and the
 * frame slots they name, writes the result (dst may be an operand's
 * slot pair). The VMOP_SIMD handler (and vm_op_simd) calls the table's
 * form of an instruction if it has one; the table, indexed by
 * op - VM_SIMD_FIRST, is filled once per choice of instruction set.
 */
typedef void vm_simd_fn(uint64_t *fp, const uint32_t *a);

#define VM_SIMD_FIRST WASM_OP_V128_LOAD
#define VM_SIMD_NOPS                                                           \
	(WASM_OP_I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S - WASM_OP_V128_LOAD + 1)

/* The form of each instruction for vm_simd_isa, or NULL (vm_simd.c). */
extern vm_simd_fn *vm_simd_forms[VM_SIMD_NOPS];

#if VM_SIMD_X86
/*
 * vm_simd_x86.c: fills table[VM_SIMD_NOPS] with the forms for 'isa'
 * (SSE4.1's where there is one, else SSE2's), NULL for the instructions
 * vm_simd.c's portable code runs (and all of them for GENERIC).
 */
void vm_simd_x86_forms(enum vm_simd_isa isa, vm_simd_fn **table);
#endif

#endif
