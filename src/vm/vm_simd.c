/*
 * vm_simd.c: the SIMD instructions (fixed-width and relaxed), run out of
 * the interpreter's hot loop through one handler, VMOP_SIMD (vm_interp.c);
 * the commonest also have fast forms in the loop (VM_SIMD_FAST_OPS).
 *
 * A v128 lives in two consecutive 64-bit frame slots, low half first, and
 * an instruction names it by its low slot (docs/interp.md, "SIMD"). Lanes
 * are computed with GCC vector extensions, which GCC lowers to SSE2 on
 * x86-64 and to the host's vector unit or scalar code elsewhere. What
 * they cannot express well (saturating, narrowing, widening and rounding
 * operations, NaN-aware min/max, float <-> int conversions, byte
 * shuffles, ...) has x86-64 forms in vm_simd_x86.c, SSE2 or SSE4.1/SSSE3
 * as vm_simd_isa says (chosen once, before main, below); this file tries
 * those first and keeps portable per-lane code for every other host and
 * for WASMIX_SIMD_ISA=generic.
 *
 * Keeps true: every result follows the specification's lane semantics on
 * any host and with any vm_simd_isa (NaN results are arithmetic NaNs, as
 * the spec allows); the relaxed instructions always give the one result
 * documented at relaxed_choice below. Operands are all read before the
 * result is written, so a result may overwrite an operand's slots.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vm/vm_code.h"
#include "vm/vm_simd.h"

#define OOB_MEMORY "out of bounds memory access"

static inline v128 rd(const uint64_t *fp, uint32_t slot)
{
	return v128_get(fp + slot);
}

static inline void wr(uint64_t *fp, uint32_t slot, v128 v)
{
	v128_put(fp + slot, v);
}

/* ---- lane helpers (no single SSE2 instruction) ------------------------- */

static inline float canon_f32(float x)
{
	return x + x; /* quiets a signalling NaN */
}

static float fmin32(float a, float b)
{
	if (a != a || b != b)
		return a + b;
	if (a == 0 && b == 0)
		return signbit(a) ? a : b;
	return a < b ? a : b;
}

static float fmax32(float a, float b)
{
	if (a != a || b != b)
		return a + b;
	if (a == 0 && b == 0)
		return signbit(a) ? b : a;
	return a > b ? a : b;
}

static double fmin64(double a, double b)
{
	if (a != a || b != b)
		return a + b;
	if (a == 0 && b == 0)
		return signbit(a) ? a : b;
	return a < b ? a : b;
}

static double fmax64(double a, double b)
{
	if (a != a || b != b)
		return a + b;
	if (a == 0 && b == 0)
		return signbit(a) ? b : a;
	return a > b ? a : b;
}

static int32_t sat_f_i32(double x)
{
	if (x != x)
		return 0;
	if (x <= -2147483648.0)
		return INT32_MIN;
	if (x >= 2147483647.0)
		return INT32_MAX;
	return (int32_t)x;
}

static uint32_t sat_f_u32(double x)
{
	if (x != x || x <= 0)
		return 0;
	if (x >= 4294967295.0)
		return UINT32_MAX;
	return (uint32_t)x;
}

static int16_t sat16(int32_t x)
{
	return x < INT16_MIN   ? INT16_MIN
	       : x > INT16_MAX ? INT16_MAX
	                       : (int16_t)x;
}

static int8_t sat8(int32_t x)
{
	return x < INT8_MIN ? INT8_MIN : x > INT8_MAX ? INT8_MAX : (int8_t)x;
}

static uint8_t satu8(int32_t x)
{
	return x < 0 ? 0 : x > UINT8_MAX ? UINT8_MAX : (uint8_t)x;
}

static uint16_t satu16(int32_t x)
{
	return x < 0 ? 0 : x > UINT16_MAX ? UINT16_MAX : (uint16_t)x;
}

/* Vector select: lanes of a where mask m is all ones, else b. */
#define VSEL(m, a, b) (((a) & (m)) | ((b) & ~(m)))

/* ---- memory -------------------------------------------------------------- */

/*
 * The address of an n-byte access: operand 'addr', imms[0] = memory,
 * imms[1..2] = the offset. NULL if out of bounds.
 */
static uint8_t *simd_ea(struct vm_instance *inst, uint64_t addr,
                        const uint32_t *imms, unsigned n)
{
	const struct vm_memory *mem = inst->memories[imms[0]];
	uint64_t size = vm_memory_size_now(mem);
	uint64_t o = imms[1] | (uint64_t)imms[2] << 32;

	if (!mem->limits.is64)
		addr = (uint32_t)addr;
	if (addr > size || o > size - addr || n > size - addr - o)
		return NULL;
	return mem->base + addr + o;
}

static bool simd_unary_op(unsigned op, uint64_t *dst, const uint64_t *src);
static bool simd_extend(unsigned op, uint64_t *dst, const uint64_t *src);

/* The extend_low instruction that a widening load applies. */
static unsigned load_extend(unsigned op)
{
	switch (op) {
	case WASM_OP_V128_LOAD8X8_S:
		return WASM_OP_I16X8_EXTEND_LOW_I8X16_S;
	case WASM_OP_V128_LOAD8X8_U:
		return WASM_OP_I16X8_EXTEND_LOW_I8X16_U;
	case WASM_OP_V128_LOAD16X4_S:
		return WASM_OP_I32X4_EXTEND_LOW_I16X8_S;
	case WASM_OP_V128_LOAD16X4_U:
		return WASM_OP_I32X4_EXTEND_LOW_I16X8_U;
	case WASM_OP_V128_LOAD32X2_S:
		return WASM_OP_I64X2_EXTEND_LOW_I32X4_S;
	default:
		return WASM_OP_I64X2_EXTEND_LOW_I32X4_U;
	}
}

/* Loads: [dst][addr][mem][off lo][off hi] */
static const char *simd_load(struct vm_instance *inst, uint64_t *fp,
                             unsigned op, const uint32_t *a)
{
	static const uint8_t size[] = {16, 8, 8, 8, 8, 8, 8, 1, 2, 4, 8};
	unsigned n = op == WASM_OP_V128_LOAD32_ZERO ? 4
	             : op == WASM_OP_V128_LOAD64_ZERO
	                 ? 8
	                 : size[op - WASM_OP_V128_LOAD];
	uint8_t *p = simd_ea(inst, fp[a[1]], a + 2, n);
	v128 r, t;

	if (p == NULL)
		return OOB_MEMORY;
	memset(&t, 0, sizeof t);
	memcpy(&t, p, n);
	switch (op) {
	case WASM_OP_V128_LOAD:
	case WASM_OP_V128_LOAD32_ZERO:
	case WASM_OP_V128_LOAD64_ZERO:
		r = t;
		break;
	case WASM_OP_V128_LOAD8X8_S:
	case WASM_OP_V128_LOAD8X8_U:
	case WASM_OP_V128_LOAD16X4_S:
	case WASM_OP_V128_LOAD16X4_U:
	case WASM_OP_V128_LOAD32X2_S:
	case WASM_OP_V128_LOAD32X2_U:
		/* the loaded half, widened */
		return simd_extend(load_extend(op), fp + a[0], t.s)
		           ? NULL
		           : "internal error: bad SIMD instruction";
	case WASM_OP_V128_LOAD8_SPLAT:
		r.u8 = (u8x16){0} + t.b[0];
		break;
	case WASM_OP_V128_LOAD16_SPLAT:
		r.u16 = (u16x8){0} + t.u16[0];
		break;
	case WASM_OP_V128_LOAD32_SPLAT:
		r.u32 = (u32x4){0} + t.u32[0];
		break;
	default: /* LOAD64_SPLAT */
		r.u64 = (u64x2){0} + t.u64[0];
		break;
	}
	wr(fp, a[0], r);
	return NULL;
}

/* Lane loads [dst][addr][v][mem][off lo][off hi][lane], stores no dst. */
static const char *simd_lane_mem(struct vm_instance *inst, uint64_t *fp,
                                 unsigned op, const uint32_t *a)
{
	bool load = op <= WASM_OP_V128_LOAD64_LANE;
	unsigned n = 1u << wasm_op_align((enum wasm_opcode)op);
	const uint32_t *x = load ? a + 1 : a;
	uint8_t *p = simd_ea(inst, fp[x[0]], x + 2, n);
	unsigned lane = x[5];

	if (p == NULL)
		return OOB_MEMORY;
	v128 v = rd(fp, x[1]);
	if (load) {
		memcpy(v.b + lane * n, p, n);
		wr(fp, a[0], v);
	} else {
		memcpy(p, v.b + lane * n, n);
	}
	return NULL;
}

/* ---- instruction groups -------------------------------------------------- */

static v128 simd_splat(unsigned op, uint64_t x)
{
	v128 r;
	switch (op) {
	case WASM_OP_I8X16_SPLAT:
		r.u8 = (u8x16){0} + (uint8_t)x;
		break;
	case WASM_OP_I16X8_SPLAT:
		r.u16 = (u16x8){0} + (uint16_t)x;
		break;
	case WASM_OP_I32X4_SPLAT:
	case WASM_OP_F32X4_SPLAT:
		r.u32 = (u32x4){0} + (uint32_t)x;
		break;
	default:
		r.u64 = (u64x2){0} + x;
		break;
	}
	return r;
}

static uint64_t simd_extract(unsigned op, v128 v, unsigned l)
{
	switch (op) {
	case WASM_OP_I8X16_EXTRACT_LANE_S:
		return (uint32_t)(int32_t)v.i8[l];
	case WASM_OP_I8X16_EXTRACT_LANE_U:
		return v.u8[l];
	case WASM_OP_I16X8_EXTRACT_LANE_S:
		return (uint32_t)(int32_t)v.i16[l];
	case WASM_OP_I16X8_EXTRACT_LANE_U:
		return v.u16[l];
	case WASM_OP_I32X4_EXTRACT_LANE:
	case WASM_OP_F32X4_EXTRACT_LANE:
		return v.u32[l];
	default:
		return v.u64[l];
	}
}

static v128 simd_replace(unsigned op, v128 v, uint64_t x, unsigned l)
{
	switch (op) {
	case WASM_OP_I8X16_REPLACE_LANE:
		v.u8[l] = (uint8_t)x;
		break;
	case WASM_OP_I16X8_REPLACE_LANE:
		v.u16[l] = (uint16_t)x;
		break;
	case WASM_OP_I32X4_REPLACE_LANE:
	case WASM_OP_F32X4_REPLACE_LANE:
		v.u32[l] = (uint32_t)x;
		break;
	default:
		v.u64[l] = x;
		break;
	}
	return v;
}

/* v128 -> i32: any_true, all_true, bitmask. */
static uint32_t simd_test(unsigned op, v128 a)
{
	uint32_t r = 0;
	switch (op) {
	case WASM_OP_V128_ANY_TRUE:
		return (a.u64[0] | a.u64[1]) != 0;
	case WASM_OP_I8X16_ALL_TRUE:
		for (int i = 0; i < 16; i++)
			if (a.u8[i] == 0)
				return 0;
		return 1;
	case WASM_OP_I16X8_ALL_TRUE:
		for (int i = 0; i < 8; i++)
			if (a.u16[i] == 0)
				return 0;
		return 1;
	case WASM_OP_I32X4_ALL_TRUE:
		for (int i = 0; i < 4; i++)
			if (a.u32[i] == 0)
				return 0;
		return 1;
	case WASM_OP_I64X2_ALL_TRUE:
		return a.u64[0] != 0 && a.u64[1] != 0;
	case WASM_OP_I8X16_BITMASK:
		for (int i = 0; i < 16; i++)
			r |= (uint32_t)(a.u8[i] >> 7) << i;
		return r;
	case WASM_OP_I16X8_BITMASK:
		for (int i = 0; i < 8; i++)
			r |= (uint32_t)(a.u16[i] >> 15) << i;
		return r;
	case WASM_OP_I32X4_BITMASK:
		for (int i = 0; i < 4; i++)
			r |= (a.u32[i] >> 31) << i;
		return r;
	default: /* I64X2_BITMASK */
		return (uint32_t)(a.u64[0] >> 63) | (uint32_t)(a.u64[1] >> 63)
		                                        << 1;
	}
}

/* Shifts by an i32 count, taken modulo the lane width. */
static v128 simd_shift(unsigned op, v128 a, uint32_t k)
{
	v128 r;
	switch (op) {
	case WASM_OP_I8X16_SHL:
		r.u8 = a.u8 << (k & 7);
		break;
	case WASM_OP_I8X16_SHR_S:
		r.i8 = a.i8 >> (k & 7);
		break;
	case WASM_OP_I8X16_SHR_U:
		r.u8 = a.u8 >> (k & 7);
		break;
	case WASM_OP_I16X8_SHL:
		r.u16 = a.u16 << (k & 15);
		break;
	case WASM_OP_I16X8_SHR_S:
		r.i16 = a.i16 >> (k & 15);
		break;
	case WASM_OP_I16X8_SHR_U:
		r.u16 = a.u16 >> (k & 15);
		break;
	case WASM_OP_I32X4_SHL:
		r.u32 = a.u32 << (k & 31);
		break;
	case WASM_OP_I32X4_SHR_S:
		r.i32 = a.i32 >> (k & 31);
		break;
	case WASM_OP_I32X4_SHR_U:
		r.u32 = a.u32 >> (k & 31);
		break;
	case WASM_OP_I64X2_SHL:
		r.u64 = a.u64 << (k & 63);
		break;
	case WASM_OP_I64X2_SHR_S:
		r.i64 = a.i64 >> (k & 63);
		break;
	default:
		r.u64 = a.u64 >> (k & 63);
		break;
	}
	return r;
}

/* Comparisons: all-ones lanes where true. */
static v128 simd_compare(unsigned op, v128 a, v128 b)
{
	v128 r;
	switch (op) {
	case WASM_OP_I8X16_EQ:
		r.i8 = a.i8 == b.i8;
		break;
	case WASM_OP_I8X16_NE:
		r.i8 = a.i8 != b.i8;
		break;
	case WASM_OP_I8X16_LT_S:
		r.i8 = a.i8 < b.i8;
		break;
	case WASM_OP_I8X16_LT_U:
		r.i8 = a.u8 < b.u8;
		break;
	case WASM_OP_I8X16_GT_S:
		r.i8 = a.i8 > b.i8;
		break;
	case WASM_OP_I8X16_GT_U:
		r.i8 = a.u8 > b.u8;
		break;
	case WASM_OP_I8X16_LE_S:
		r.i8 = a.i8 <= b.i8;
		break;
	case WASM_OP_I8X16_LE_U:
		r.i8 = a.u8 <= b.u8;
		break;
	case WASM_OP_I8X16_GE_S:
		r.i8 = a.i8 >= b.i8;
		break;
	case WASM_OP_I8X16_GE_U:
		r.i8 = a.u8 >= b.u8;
		break;
	case WASM_OP_I16X8_EQ:
		r.i16 = a.i16 == b.i16;
		break;
	case WASM_OP_I16X8_NE:
		r.i16 = a.i16 != b.i16;
		break;
	case WASM_OP_I16X8_LT_S:
		r.i16 = a.i16 < b.i16;
		break;
	case WASM_OP_I16X8_LT_U:
		r.i16 = a.u16 < b.u16;
		break;
	case WASM_OP_I16X8_GT_S:
		r.i16 = a.i16 > b.i16;
		break;
	case WASM_OP_I16X8_GT_U:
		r.i16 = a.u16 > b.u16;
		break;
	case WASM_OP_I16X8_LE_S:
		r.i16 = a.i16 <= b.i16;
		break;
	case WASM_OP_I16X8_LE_U:
		r.i16 = a.u16 <= b.u16;
		break;
	case WASM_OP_I16X8_GE_S:
		r.i16 = a.i16 >= b.i16;
		break;
	case WASM_OP_I16X8_GE_U:
		r.i16 = a.u16 >= b.u16;
		break;
	case WASM_OP_I32X4_EQ:
		r.i32 = a.i32 == b.i32;
		break;
	case WASM_OP_I32X4_NE:
		r.i32 = a.i32 != b.i32;
		break;
	case WASM_OP_I32X4_LT_S:
		r.i32 = a.i32 < b.i32;
		break;
	case WASM_OP_I32X4_LT_U:
		r.i32 = a.u32 < b.u32;
		break;
	case WASM_OP_I32X4_GT_S:
		r.i32 = a.i32 > b.i32;
		break;
	case WASM_OP_I32X4_GT_U:
		r.i32 = a.u32 > b.u32;
		break;
	case WASM_OP_I32X4_LE_S:
		r.i32 = a.i32 <= b.i32;
		break;
	case WASM_OP_I32X4_LE_U:
		r.i32 = a.u32 <= b.u32;
		break;
	case WASM_OP_I32X4_GE_S:
		r.i32 = a.i32 >= b.i32;
		break;
	case WASM_OP_I32X4_GE_U:
		r.i32 = a.u32 >= b.u32;
		break;
	case WASM_OP_I64X2_EQ:
		r.i64 = a.i64 == b.i64;
		break;
	case WASM_OP_I64X2_NE:
		r.i64 = a.i64 != b.i64;
		break;
	case WASM_OP_I64X2_LT_S:
		r.i64 = a.i64 < b.i64;
		break;
	case WASM_OP_I64X2_GT_S:
		r.i64 = a.i64 > b.i64;
		break;
	case WASM_OP_I64X2_LE_S:
		r.i64 = a.i64 <= b.i64;
		break;
	case WASM_OP_I64X2_GE_S:
		r.i64 = a.i64 >= b.i64;
		break;
	case WASM_OP_F32X4_EQ:
		r.i32 = a.f32 == b.f32;
		break;
	case WASM_OP_F32X4_NE:
		r.i32 = a.f32 != b.f32;
		break;
	case WASM_OP_F32X4_LT:
		r.i32 = a.f32 < b.f32;
		break;
	case WASM_OP_F32X4_GT:
		r.i32 = a.f32 > b.f32;
		break;
	case WASM_OP_F32X4_LE:
		r.i32 = a.f32 <= b.f32;
		break;
	case WASM_OP_F32X4_GE:
		r.i32 = a.f32 >= b.f32;
		break;
	case WASM_OP_F64X2_EQ:
		r.i64 = a.f64 == b.f64;
		break;
	case WASM_OP_F64X2_NE:
		r.i64 = a.f64 != b.f64;
		break;
	case WASM_OP_F64X2_LT:
		r.i64 = a.f64 < b.f64;
		break;
	case WASM_OP_F64X2_GT:
		r.i64 = a.f64 > b.f64;
		break;
	case WASM_OP_F64X2_LE:
		r.i64 = a.f64 <= b.f64;
		break;
	default:
		r.i64 = a.f64 >= b.f64;
		break; /* F64X2_GE */
	}
	return r;
}

/* Integer lane arithmetic of two operands. */
static bool simd_int_binary(unsigned op, v128 a, v128 b, v128 *out)
{
	v128 r;
	switch (op) {
	case WASM_OP_I8X16_ADD:
		r.u8 = a.u8 + b.u8;
		break;
	case WASM_OP_I8X16_SUB:
		r.u8 = a.u8 - b.u8;
		break;
	case WASM_OP_I16X8_ADD:
		r.u16 = a.u16 + b.u16;
		break;
	case WASM_OP_I16X8_SUB:
		r.u16 = a.u16 - b.u16;
		break;
	case WASM_OP_I16X8_MUL:
		r.u16 = a.u16 * b.u16;
		break;
	case WASM_OP_I32X4_ADD:
		r.u32 = a.u32 + b.u32;
		break;
	case WASM_OP_I32X4_SUB:
		r.u32 = a.u32 - b.u32;
		break;
	case WASM_OP_I32X4_MUL:
		r.u32 = a.u32 * b.u32;
		break;
	case WASM_OP_I64X2_ADD:
		r.u64 = a.u64 + b.u64;
		break;
	case WASM_OP_I64X2_SUB:
		r.u64 = a.u64 - b.u64;
		break;
	case WASM_OP_I64X2_MUL:
		r.u64 = a.u64 * b.u64;
		break;
	case WASM_OP_I8X16_MIN_S:
		r.i8 = VSEL(a.i8 < b.i8, a.i8, b.i8);
		break;
	case WASM_OP_I8X16_MIN_U:
		r.i8 = VSEL(a.u8 < b.u8, a.i8, b.i8);
		break;
	case WASM_OP_I8X16_MAX_S:
		r.i8 = VSEL(a.i8 > b.i8, a.i8, b.i8);
		break;
	case WASM_OP_I8X16_MAX_U:
		r.i8 = VSEL(a.u8 > b.u8, a.i8, b.i8);
		break;
	case WASM_OP_I16X8_MIN_S:
		r.i16 = VSEL(a.i16 < b.i16, a.i16, b.i16);
		break;
	case WASM_OP_I16X8_MIN_U:
		r.i16 = VSEL(a.u16 < b.u16, a.i16, b.i16);
		break;
	case WASM_OP_I16X8_MAX_S:
		r.i16 = VSEL(a.i16 > b.i16, a.i16, b.i16);
		break;
	case WASM_OP_I16X8_MAX_U:
		r.i16 = VSEL(a.u16 > b.u16, a.i16, b.i16);
		break;
	case WASM_OP_I32X4_MIN_S:
		r.i32 = VSEL(a.i32 < b.i32, a.i32, b.i32);
		break;
	case WASM_OP_I32X4_MIN_U:
		r.i32 = VSEL(a.u32 < b.u32, a.i32, b.i32);
		break;
	case WASM_OP_I32X4_MAX_S:
		r.i32 = VSEL(a.i32 > b.i32, a.i32, b.i32);
		break;
	case WASM_OP_I32X4_MAX_U:
		r.i32 = VSEL(a.u32 > b.u32, a.i32, b.i32);
		break;
	case WASM_OP_I8X16_AVGR_U:
		for (int i = 0; i < 16; i++)
			r.u8[i] = (uint8_t)((a.u8[i] + b.u8[i] + 1) >> 1);
		break;
	case WASM_OP_I16X8_AVGR_U:
		for (int i = 0; i < 8; i++)
			r.u16[i] = (uint16_t)((a.u16[i] + b.u16[i] + 1) >> 1);
		break;
	case WASM_OP_I8X16_ADD_SAT_S:
		for (int i = 0; i < 16; i++)
			r.i8[i] = sat8(a.i8[i] + b.i8[i]);
		break;
	case WASM_OP_I8X16_ADD_SAT_U:
		for (int i = 0; i < 16; i++)
			r.u8[i] = satu8(a.u8[i] + b.u8[i]);
		break;
	case WASM_OP_I8X16_SUB_SAT_S:
		for (int i = 0; i < 16; i++)
			r.i8[i] = sat8(a.i8[i] - b.i8[i]);
		break;
	case WASM_OP_I8X16_SUB_SAT_U:
		for (int i = 0; i < 16; i++)
			r.u8[i] = satu8(a.u8[i] - b.u8[i]);
		break;
	case WASM_OP_I16X8_ADD_SAT_S:
		for (int i = 0; i < 8; i++)
			r.i16[i] = sat16(a.i16[i] + b.i16[i]);
		break;
	case WASM_OP_I16X8_ADD_SAT_U:
		for (int i = 0; i < 8; i++)
			r.u16[i] = satu16(a.u16[i] + b.u16[i]);
		break;
	case WASM_OP_I16X8_SUB_SAT_S:
		for (int i = 0; i < 8; i++)
			r.i16[i] = sat16(a.i16[i] - b.i16[i]);
		break;
	case WASM_OP_I16X8_SUB_SAT_U:
		for (int i = 0; i < 8; i++)
			r.u16[i] = satu16(a.u16[i] - b.u16[i]);
		break;
	case WASM_OP_I16X8_Q15MULR_SAT_S:
	case WASM_OP_I16X8_RELAXED_Q15MULR_S:
		for (int i = 0; i < 8; i++)
			r.i16[i] = sat16((a.i16[i] * b.i16[i] + 0x4000) >> 15);
		break;
	case WASM_OP_I32X4_DOT_I16X8_S:
		for (int i = 0; i < 4; i++)
			r.u32[i] =
			    (uint32_t)(a.i16[2 * i] * b.i16[2 * i]) +
			    (uint32_t)(a.i16[2 * i + 1] * b.i16[2 * i + 1]);
		break;
	case WASM_OP_I16X8_RELAXED_DOT_I8X16_I7X16_S:
		for (int i = 0; i < 8; i++)
			r.u16[i] =
			    (uint16_t)(a.i8[2 * i] * b.i8[2 * i] +
			               a.i8[2 * i + 1] * b.i8[2 * i + 1]);
		break;
	case WASM_OP_I8X16_NARROW_I16X8_S:
		for (int i = 0; i < 8; i++) {
			r.i8[i] = sat8(a.i16[i]);
			r.i8[i + 8] = sat8(b.i16[i]);
		}
		break;
	case WASM_OP_I8X16_NARROW_I16X8_U:
		for (int i = 0; i < 8; i++) {
			r.u8[i] = satu8(a.i16[i]);
			r.u8[i + 8] = satu8(b.i16[i]);
		}
		break;
	case WASM_OP_I16X8_NARROW_I32X4_S:
		for (int i = 0; i < 4; i++) {
			r.i16[i] = sat16(a.i32[i] < INT16_MIN   ? INT16_MIN
			                 : a.i32[i] > INT16_MAX ? INT16_MAX
			                                        : a.i32[i]);
			r.i16[i + 4] = sat16(b.i32[i] < INT16_MIN   ? INT16_MIN
			                     : b.i32[i] > INT16_MAX ? INT16_MAX
			                                            : b.i32[i]);
		}
		break;
	case WASM_OP_I16X8_NARROW_I32X4_U:
		for (int i = 0; i < 4; i++) {
			r.u16[i] = a.i32[i] < 0            ? 0
			           : a.i32[i] > UINT16_MAX ? UINT16_MAX
			                                   : (uint16_t)a.i32[i];
			r.u16[i + 4] = b.i32[i] < 0 ? 0
			               : b.i32[i] > UINT16_MAX
			                   ? UINT16_MAX
			                   : (uint16_t)b.i32[i];
		}
		break;
	case WASM_OP_I16X8_EXTMUL_LOW_I8X16_S:
	case WASM_OP_I16X8_EXTMUL_HIGH_I8X16_S: {
		int h = op == WASM_OP_I16X8_EXTMUL_HIGH_I8X16_S ? 8 : 0;
		for (int i = 0; i < 8; i++)
			r.i16[i] = (int16_t)(a.i8[i + h] * b.i8[i + h]);
		break;
	}
	case WASM_OP_I16X8_EXTMUL_LOW_I8X16_U:
	case WASM_OP_I16X8_EXTMUL_HIGH_I8X16_U: {
		int h = op == WASM_OP_I16X8_EXTMUL_HIGH_I8X16_U ? 8 : 0;
		for (int i = 0; i < 8; i++)
			r.u16[i] = (uint16_t)(a.u8[i + h] * b.u8[i + h]);
		break;
	}
	case WASM_OP_I32X4_EXTMUL_LOW_I16X8_S:
	case WASM_OP_I32X4_EXTMUL_HIGH_I16X8_S: {
		int h = op == WASM_OP_I32X4_EXTMUL_HIGH_I16X8_S ? 4 : 0;
		for (int i = 0; i < 4; i++)
			r.i32[i] = a.i16[i + h] * b.i16[i + h];
		break;
	}
	case WASM_OP_I32X4_EXTMUL_LOW_I16X8_U:
	case WASM_OP_I32X4_EXTMUL_HIGH_I16X8_U: {
		int h = op == WASM_OP_I32X4_EXTMUL_HIGH_I16X8_U ? 4 : 0;
		for (int i = 0; i < 4; i++)
			r.u32[i] = (uint32_t)a.u16[i + h] * b.u16[i + h];
		break;
	}
	case WASM_OP_I64X2_EXTMUL_LOW_I32X4_S:
	case WASM_OP_I64X2_EXTMUL_HIGH_I32X4_S: {
		int h = op == WASM_OP_I64X2_EXTMUL_HIGH_I32X4_S ? 2 : 0;
		for (int i = 0; i < 2; i++)
			r.i64[i] = (int64_t)a.i32[i + h] * b.i32[i + h];
		break;
	}
	case WASM_OP_I64X2_EXTMUL_LOW_I32X4_U:
	case WASM_OP_I64X2_EXTMUL_HIGH_I32X4_U: {
		int h = op == WASM_OP_I64X2_EXTMUL_HIGH_I32X4_U ? 2 : 0;
		for (int i = 0; i < 2; i++)
			r.u64[i] = (uint64_t)a.u32[i + h] * b.u32[i + h];
		break;
	}
	case WASM_OP_I8X16_SWIZZLE:
	case WASM_OP_I8X16_RELAXED_SWIZZLE:
		for (int i = 0; i < 16; i++)
			r.u8[i] = b.u8[i] < 16 ? a.u8[b.u8[i]] : 0;
		break;
	default:
		return false;
	}
	*out = r;
	return true;
}

/* Float lane arithmetic of two operands. */
static bool simd_float_binary(unsigned op, v128 a, v128 b, v128 *out)
{
	v128 r;
	switch (op) {
	case WASM_OP_F32X4_ADD:
		r.f32 = a.f32 + b.f32;
		break;
	case WASM_OP_F32X4_SUB:
		r.f32 = a.f32 - b.f32;
		break;
	case WASM_OP_F32X4_MUL:
		r.f32 = a.f32 * b.f32;
		break;
	case WASM_OP_F32X4_DIV:
		r.f32 = a.f32 / b.f32;
		break;
	case WASM_OP_F64X2_ADD:
		r.f64 = a.f64 + b.f64;
		break;
	case WASM_OP_F64X2_SUB:
		r.f64 = a.f64 - b.f64;
		break;
	case WASM_OP_F64X2_MUL:
		r.f64 = a.f64 * b.f64;
		break;
	case WASM_OP_F64X2_DIV:
		r.f64 = a.f64 / b.f64;
		break;
	case WASM_OP_F32X4_MIN:
	case WASM_OP_F32X4_RELAXED_MIN:
		for (int i = 0; i < 4; i++)
			r.f32[i] = fmin32(a.f32[i], b.f32[i]);
		break;
	case WASM_OP_F32X4_MAX:
	case WASM_OP_F32X4_RELAXED_MAX:
		for (int i = 0; i < 4; i++)
			r.f32[i] = fmax32(a.f32[i], b.f32[i]);
		break;
	case WASM_OP_F64X2_MIN:
	case WASM_OP_F64X2_RELAXED_MIN:
		for (int i = 0; i < 2; i++)
			r.f64[i] = fmin64(a.f64[i], b.f64[i]);
		break;
	case WASM_OP_F64X2_MAX:
	case WASM_OP_F64X2_RELAXED_MAX:
		for (int i = 0; i < 2; i++)
			r.f64[i] = fmax64(a.f64[i], b.f64[i]);
		break;
	case WASM_OP_F32X4_PMIN:
		r.i32 = VSEL(b.f32 < a.f32, b.i32, a.i32);
		break;
	case WASM_OP_F32X4_PMAX:
		r.i32 = VSEL(a.f32 < b.f32, b.i32, a.i32);
		break;
	case WASM_OP_F64X2_PMIN:
		r.i64 = VSEL(b.f64 < a.f64, b.i64, a.i64);
		break;
	case WASM_OP_F64X2_PMAX:
		r.i64 = VSEL(a.f64 < b.f64, b.i64, a.i64);
		break;
	default:
		return false;
	}
	*out = r;
	return true;
}

static float round_f32(unsigned op, float x)
{
	if (x != x)
		return canon_f32(x);
	switch (op) {
	case WASM_OP_F32X4_CEIL:
		return ceilf(x);
	case WASM_OP_F32X4_FLOOR:
		return floorf(x);
	case WASM_OP_F32X4_TRUNC:
		return truncf(x);
	default:
		return rintf(x);
	}
}

static double round_f64(unsigned op, double x)
{
	if (x != x)
		return x + x;
	switch (op) {
	case WASM_OP_F64X2_CEIL:
		return ceil(x);
	case WASM_OP_F64X2_FLOOR:
		return floor(x);
	case WASM_OP_F64X2_TRUNC:
		return trunc(x);
	default:
		return rint(x);
	}
}

/* One-operand v128 -> v128 instructions. */
static bool simd_unary(unsigned op, v128 a, v128 *out)
{
	v128 r;
	switch (op) {
	case WASM_OP_V128_NOT:
		r.u64 = ~a.u64;
		break;
	case WASM_OP_I8X16_NEG:
		r.u8 = -a.u8;
		break;
	case WASM_OP_I16X8_NEG:
		r.u16 = -a.u16;
		break;
	case WASM_OP_I32X4_NEG:
		r.u32 = -a.u32;
		break;
	case WASM_OP_I64X2_NEG:
		r.u64 = -a.u64;
		break;
	case WASM_OP_I8X16_ABS:
		r.u8 = VSEL(a.i8 < 0, -a.u8, a.u8);
		break;
	case WASM_OP_I16X8_ABS:
		r.u16 = VSEL(a.i16 < 0, -a.u16, a.u16);
		break;
	case WASM_OP_I32X4_ABS:
		r.u32 = VSEL(a.i32 < 0, -a.u32, a.u32);
		break;
	case WASM_OP_I64X2_ABS:
		r.u64 = VSEL(a.i64 < 0, -a.u64, a.u64);
		break;
	case WASM_OP_F32X4_ABS:
		r.u32 = a.u32 & 0x7fffffffu;
		break;
	case WASM_OP_F32X4_NEG:
		r.u32 = a.u32 ^ 0x80000000u;
		break;
	case WASM_OP_F64X2_ABS:
		r.u64 = a.u64 & 0x7fffffffffffffffull;
		break;
	case WASM_OP_F64X2_NEG:
		r.u64 = a.u64 ^ 0x8000000000000000ull;
		break;
	case WASM_OP_I8X16_POPCNT:
		for (int i = 0; i < 16; i++)
			r.u8[i] = (uint8_t)__builtin_popcount(a.u8[i]);
		break;
	case WASM_OP_F32X4_SQRT:
		for (int i = 0; i < 4; i++)
			r.f32[i] = sqrtf(a.f32[i]);
		break;
	case WASM_OP_F64X2_SQRT:
		for (int i = 0; i < 2; i++)
			r.f64[i] = sqrt(a.f64[i]);
		break;
	case WASM_OP_F32X4_CEIL:
	case WASM_OP_F32X4_FLOOR:
	case WASM_OP_F32X4_TRUNC:
	case WASM_OP_F32X4_NEAREST:
		for (int i = 0; i < 4; i++)
			r.f32[i] = round_f32(op, a.f32[i]);
		break;
	case WASM_OP_F64X2_CEIL:
	case WASM_OP_F64X2_FLOOR:
	case WASM_OP_F64X2_TRUNC:
	case WASM_OP_F64X2_NEAREST:
		for (int i = 0; i < 2; i++)
			r.f64[i] = round_f64(op, a.f64[i]);
		break;
	case WASM_OP_I16X8_EXTADD_PAIRWISE_I8X16_S:
		for (int i = 0; i < 8; i++)
			r.i16[i] = (int16_t)(a.i8[2 * i] + a.i8[2 * i + 1]);
		break;
	case WASM_OP_I16X8_EXTADD_PAIRWISE_I8X16_U:
		for (int i = 0; i < 8; i++)
			r.u16[i] = (uint16_t)(a.u8[2 * i] + a.u8[2 * i + 1]);
		break;
	case WASM_OP_I32X4_EXTADD_PAIRWISE_I16X8_S:
		for (int i = 0; i < 4; i++)
			r.i32[i] = a.i16[2 * i] + a.i16[2 * i + 1];
		break;
	case WASM_OP_I32X4_EXTADD_PAIRWISE_I16X8_U:
		for (int i = 0; i < 4; i++)
			r.u32[i] = (uint32_t)a.u16[2 * i] + a.u16[2 * i + 1];
		break;
	case WASM_OP_I16X8_EXTEND_LOW_I8X16_S:
	case WASM_OP_I16X8_EXTEND_HIGH_I8X16_S: {
		int h = op == WASM_OP_I16X8_EXTEND_HIGH_I8X16_S ? 8 : 0;
		for (int i = 0; i < 8; i++)
			r.i16[i] = a.i8[i + h];
		break;
	}
	case WASM_OP_I16X8_EXTEND_LOW_I8X16_U:
	case WASM_OP_I16X8_EXTEND_HIGH_I8X16_U: {
		int h = op == WASM_OP_I16X8_EXTEND_HIGH_I8X16_U ? 8 : 0;
		for (int i = 0; i < 8; i++)
			r.u16[i] = a.u8[i + h];
		break;
	}
	case WASM_OP_I32X4_EXTEND_LOW_I16X8_S:
	case WASM_OP_I32X4_EXTEND_HIGH_I16X8_S: {
		int h = op == WASM_OP_I32X4_EXTEND_HIGH_I16X8_S ? 4 : 0;
		for (int i = 0; i < 4; i++)
			r.i32[i] = a.i16[i + h];
		break;
	}
	case WASM_OP_I32X4_EXTEND_LOW_I16X8_U:
	case WASM_OP_I32X4_EXTEND_HIGH_I16X8_U: {
		int h = op == WASM_OP_I32X4_EXTEND_HIGH_I16X8_U ? 4 : 0;
		for (int i = 0; i < 4; i++)
			r.u32[i] = a.u16[i + h];
		break;
	}
	case WASM_OP_I64X2_EXTEND_LOW_I32X4_S:
	case WASM_OP_I64X2_EXTEND_HIGH_I32X4_S: {
		int h = op == WASM_OP_I64X2_EXTEND_HIGH_I32X4_S ? 2 : 0;
		for (int i = 0; i < 2; i++)
			r.i64[i] = a.i32[i + h];
		break;
	}
	case WASM_OP_I64X2_EXTEND_LOW_I32X4_U:
	case WASM_OP_I64X2_EXTEND_HIGH_I32X4_U: {
		int h = op == WASM_OP_I64X2_EXTEND_HIGH_I32X4_U ? 2 : 0;
		for (int i = 0; i < 2; i++)
			r.u64[i] = a.u32[i + h];
		break;
	}
	case WASM_OP_I32X4_TRUNC_SAT_F32X4_S:
	case WASM_OP_I32X4_RELAXED_TRUNC_F32X4_S:
		for (int i = 0; i < 4; i++)
			r.i32[i] = sat_f_i32(a.f32[i]);
		break;
	case WASM_OP_I32X4_TRUNC_SAT_F32X4_U:
	case WASM_OP_I32X4_RELAXED_TRUNC_F32X4_U:
		for (int i = 0; i < 4; i++)
			r.u32[i] = sat_f_u32(a.f32[i]);
		break;
	case WASM_OP_I32X4_TRUNC_SAT_F64X2_S_ZERO:
	case WASM_OP_I32X4_RELAXED_TRUNC_F64X2_S_ZERO:
		r.u64[1] = 0;
		for (int i = 0; i < 2; i++)
			r.i32[i] = sat_f_i32(a.f64[i]);
		break;
	case WASM_OP_I32X4_TRUNC_SAT_F64X2_U_ZERO:
	case WASM_OP_I32X4_RELAXED_TRUNC_F64X2_U_ZERO:
		r.u64[1] = 0;
		for (int i = 0; i < 2; i++)
			r.u32[i] = sat_f_u32(a.f64[i]);
		break;
	case WASM_OP_F32X4_CONVERT_I32X4_S:
		r.f32 = __builtin_convertvector(a.i32, f32x4);
		break;
	case WASM_OP_F32X4_CONVERT_I32X4_U:
		for (int i = 0; i < 4; i++)
			r.f32[i] = (float)a.u32[i];
		break;
	case WASM_OP_F64X2_CONVERT_LOW_I32X4_S:
		for (int i = 0; i < 2; i++)
			r.f64[i] = a.i32[i];
		break;
	case WASM_OP_F64X2_CONVERT_LOW_I32X4_U:
		for (int i = 0; i < 2; i++)
			r.f64[i] = a.u32[i];
		break;
	case WASM_OP_F32X4_DEMOTE_F64X2_ZERO:
		r.u64[1] = 0;
		for (int i = 0; i < 2; i++)
			r.f32[i] = (float)a.f64[i];
		break;
	case WASM_OP_F64X2_PROMOTE_LOW_F32X4:
		for (int i = 0; i < 2; i++)
			r.f64[i] = a.f32[i];
		break;
	default:
		return false;
	}
	*out = r;
	return true;
}

/*
 * relaxed_choice: the relaxed SIMD instructions give, deterministically,
 *   relaxed_swizzle          = i8x16.swizzle (index >= 16 gives 0)
 *   relaxed_trunc*           = the trunc_sat forms (NaN 0, saturating)
 *   relaxed_madd / nmadd     = unfused: a * b + c, -(a * b) + c, each
 *                              step rounded
 *   relaxed_laneselect       = v128.bitselect (bit by bit)
 *   relaxed_min / max        = min / max (NaN-propagating, -0 < +0)
 *   relaxed_q15mulr_s        = i16x8.q15mulr_sat_s (saturating)
 *   relaxed_dot_i8x16_i7x16  = both operands signed, pair sums wrap to
 *                              16 bits; the _add form sums four products
 *                              in 32 bits and adds c
 */
static bool simd_ternary(unsigned op, v128 a, v128 b, v128 c, v128 *out)
{
	v128 r;
	switch (op) {
	case WASM_OP_V128_BITSELECT:
	case WASM_OP_I8X16_RELAXED_LANESELECT:
	case WASM_OP_I16X8_RELAXED_LANESELECT:
	case WASM_OP_I32X4_RELAXED_LANESELECT:
	case WASM_OP_I64X2_RELAXED_LANESELECT:
		r.u64 = VSEL(c.u64, a.u64, b.u64);
		break;
	case WASM_OP_F32X4_RELAXED_MADD:
		r.f32 = a.f32 * b.f32;
		r.f32 = r.f32 + c.f32;
		break;
	case WASM_OP_F32X4_RELAXED_NMADD:
		r.f32 = -(a.f32 * b.f32);
		r.f32 = r.f32 + c.f32;
		break;
	case WASM_OP_F64X2_RELAXED_MADD:
		r.f64 = a.f64 * b.f64;
		r.f64 = r.f64 + c.f64;
		break;
	case WASM_OP_F64X2_RELAXED_NMADD:
		r.f64 = -(a.f64 * b.f64);
		r.f64 = r.f64 + c.f64;
		break;
	case WASM_OP_I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S:
		for (int i = 0; i < 4; i++) {
			int32_t s = 0;
			for (int k = 0; k < 4; k++)
				s += a.i8[4 * i + k] * b.i8[4 * i + k];
			r.u32[i] = (uint32_t)s + c.u32[i];
		}
		break;
	default:
		return false;
	}
	*out = r;
	return true;
}

/* ---- instruction set ------------------------------------------------ */

enum vm_simd_isa vm_simd_isa = VM_SIMD_GENERIC;

vm_simd_fn *vm_simd_forms[VM_SIMD_NOPS];

static void simd_use(enum vm_simd_isa isa)
{
	vm_simd_isa = isa;
#if VM_SIMD_X86
	vm_simd_x86_forms(isa, vm_simd_forms);
#endif
}

static const char *const isa_names[] = {
    [VM_SIMD_GENERIC] = "generic",
    [VM_SIMD_SSE2] = "sse2",
    [VM_SIMD_SSE41] = "sse4.1",
};

/* The best instruction set this CPU runs. */
static enum vm_simd_isa simd_isa_best(void)
{
#if VM_SIMD_X86
	__builtin_cpu_init(); /* needed before main */
	if (__builtin_cpu_supports("sse4.1") && __builtin_cpu_supports("ssse3"))
		return VM_SIMD_SSE41;
	return VM_SIMD_SSE2;
#else
	return VM_SIMD_GENERIC;
#endif
}

int vm_simd_select(const char *name)
{
	enum vm_simd_isa best = simd_isa_best();

	for (unsigned i = 0; i <= (unsigned)best; i++) {
		if (strcmp(name, isa_names[i]) == 0) {
			simd_use((enum vm_simd_isa)i);
			return WX_OK;
		}
	}
	return WX_EARG;
}

const char *vm_simd_isa_name(void)
{
	return isa_names[vm_simd_isa];
}

/*
 * Start-up: the best set the CPU has, or WASMIX_SIMD_ISA's if the CPU has
 * that one (an unknown or unavailable name leaves the best). Runs before
 * main, while the process has one thread.
 */
__attribute__((constructor)) static void simd_isa_init(void)
{
	const char *want = getenv("WASMIX_SIMD_ISA");

	simd_use(simd_isa_best());
	if (want != NULL)
		(void)vm_simd_select(want);
}

/* ---- dispatch -------------------------------------------------------- */

/* An extend instruction from slot pair 'src' to 'dst'. */
static bool simd_extend(unsigned op, uint64_t *dst, const uint64_t *src)
{
	vm_simd_fn *f = vm_simd_forms[op - VM_SIMD_FIRST];
	uint64_t slots[4];

	if (f == NULL)
		return simd_unary_op(op, dst, src);
	/* the form's frame: [dst][src] = slots 0-1 and 2-3 */
	static const uint32_t cells[2] = {0, 2};
	memcpy(slots + 2, src, 16);
	f(slots, cells);
	memcpy(dst, slots, 16);
	return true;
}

/* A v:v instruction from slot pair 'src' to 'dst', portable code. */
static bool simd_unary_op(unsigned op, uint64_t *dst, const uint64_t *src)
{
	v128 r;

	if (!simd_unary(op, v128_get(src), &r))
		return false;
	v128_put(dst, r);
	return true;
}

/* A vv:v instruction. */
static bool simd_binary_op(unsigned op, uint64_t *dst, const uint64_t *a,
                           const uint64_t *b)
{
	v128 x = v128_get(a), y = v128_get(b), r;
	if ((op >= WASM_OP_I8X16_EQ && op <= WASM_OP_F64X2_GE) ||
	    (op >= WASM_OP_I64X2_EQ && op <= WASM_OP_I64X2_GE_S))
		r = simd_compare(op, x, y);
	else if (op == WASM_OP_V128_AND)
		r.u64 = x.u64 & y.u64;
	else if (op == WASM_OP_V128_ANDNOT)
		r.u64 = x.u64 & ~y.u64;
	else if (op == WASM_OP_V128_OR)
		r.u64 = x.u64 | y.u64;
	else if (op == WASM_OP_V128_XOR)
		r.u64 = x.u64 ^ y.u64;
	else if (!simd_int_binary(op, x, y, &r) &&
	         !simd_float_binary(op, x, y, &r))
		return false;
	v128_put(dst, r);
	return true;
}

/* A vvv:v instruction. */
static bool simd_ternary_op(unsigned op, uint64_t *dst, const uint64_t *a,
                            const uint64_t *b, const uint64_t *c)
{
	v128 r;

	if (!simd_ternary(op, v128_get(a), v128_get(b), v128_get(c), &r))
		return false;
	v128_put(dst, r);
	return true;
}

/* i8x16.shuffle: imm holds the 16 lane indices, each < 32. */
static void simd_shuffle(uint64_t *dst, const uint64_t *a, const uint64_t *b,
                         const uint32_t *imm)
{
	uint8_t ab[32], lanes[16];
	v128 r;

	memcpy(lanes, imm, 16);
	memcpy(ab, a, 16);
	memcpy(ab + 16, b, 16);
	for (int i = 0; i < 16; i++)
		r.b[i] = ab[lanes[i] & 31];
	v128_put(dst, r);
}

const char *vm_op_simd(struct vm_instance *inst, uint64_t *fp,
                       const uint32_t *pc, unsigned *ncells)
{
	unsigned op = pc[1] & 0xfffff;
	const uint32_t *a = pc + 2;
	v128 x;

	*ncells = pc[1] >> 20;
	if (op - VM_SIMD_FIRST < VM_SIMD_NOPS &&
	    vm_simd_forms[op - VM_SIMD_FIRST] != NULL) {
		vm_simd_forms[op - VM_SIMD_FIRST](fp, a);
		return NULL;
	}
	switch (op) {
	case VMOP_V128_SELECT: /* [dst][a][b][cond] */
		wr(fp, a[0], rd(fp, (uint32_t)fp[a[3]] != 0 ? a[1] : a[2]));
		return NULL;
	case VMOP_V128_GLOBAL_GET: /* [dst][global] */
		memcpy(fp + a[0], inst->global_values[a[1]], 16);
		return NULL;
	case VMOP_V128_GLOBAL_SET: /* [src][global] */
		memcpy(inst->global_values[a[1]], fp + a[0], 16);
		return NULL;
	case WASM_OP_V128_CONST: /* [dst][16 bytes] */
		memcpy(fp + a[0], a + 1, 16);
		return NULL;
	case WASM_OP_V128_STORE: { /* [addr][v][mem][off lo][off hi] */
		uint8_t *p = simd_ea(inst, fp[a[0]], a + 2, 16);
		if (p == NULL)
			return OOB_MEMORY;
		memcpy(p, fp + a[1], 16);
		return NULL;
	}
	case WASM_OP_I8X16_SHUFFLE: /* [dst][a][b][16 lane bytes] */
		simd_shuffle(fp + a[0], fp + a[1], fp + a[2], a + 3);
		return NULL;
	default:
		break;
	}
	if ((op >= WASM_OP_V128_LOAD && op <= WASM_OP_V128_LOAD64_SPLAT) ||
	    op == WASM_OP_V128_LOAD32_ZERO || op == WASM_OP_V128_LOAD64_ZERO)
		return simd_load(inst, fp, op, a);
	if (op >= WASM_OP_V128_LOAD8_LANE && op <= WASM_OP_V128_STORE64_LANE)
		return simd_lane_mem(inst, fp, op, a);
	if (op >= WASM_OP_I8X16_SPLAT && op <= WASM_OP_F64X2_SPLAT) {
		wr(fp, a[0], simd_splat(op, fp[a[1]]));
		return NULL;
	}
	if (op >= WASM_OP_I8X16_EXTRACT_LANE_S &&
	    op <= WASM_OP_F64X2_REPLACE_LANE) {
		const char *sig = wasm_op_sig((enum wasm_opcode)op);
		x = rd(fp, a[1]);
		if (sig[1] == ':') /* extract: [dst][v][lane] */
			fp[a[0]] = simd_extract(op, x, a[2]);
		else /* replace: [dst][v][x][lane] */
			wr(fp, a[0], simd_replace(op, x, fp[a[2]], a[3]));
		return NULL;
	}
	const char *sig = wasm_op_sig((enum wasm_opcode)op);
	bool ok;
	if (sig[1] == ':' && sig[2] == 'i') { /* v:i */
		fp[a[0]] = simd_test(op, rd(fp, a[1]));
		return NULL;
	}
	if (sig[1] == 'i') { /* shifts: vi:v */
		wr(fp, a[0], simd_shift(op, rd(fp, a[1]), (uint32_t)fp[a[2]]));
		return NULL;
	}
	if (sig[1] == ':') /* v:v */
		ok = simd_unary_op(op, fp + a[0], fp + a[1]);
	else if (sig[2] == ':') /* vv:v */
		ok = simd_binary_op(op, fp + a[0], fp + a[1], fp + a[2]);
	else /* vvv:v */
		ok = simd_ternary_op(op, fp + a[0], fp + a[1], fp + a[2],
		                     fp + a[3]);
	if (ok)
		return NULL;
	return "internal error: bad SIMD instruction";
}
