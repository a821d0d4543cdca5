/*
 * vm_simd_x86.c: the SIMD instructions that GCC vector extensions cannot
 * put on the x86-64 vector unit by themselves, written with SSE2
 * intrinsics (every x86-64 CPU) and, when the CPU has them, SSE4.1/SSSE3
 * ones. Each instruction with an x86 form has one function per set
 * (sse2_<op>, sse41_<op>), listed once in the tables below;
 * vm_simd_x86_forms fills vm_simd.c's table with the set chosen once at
 * start-up (vm_simd_isa), and vm_op_simd calls it. The rest, and
 * everything on other hosts or with WASMIX_SIMD_ISA=generic, run
 * vm_simd.c's portable code.
 *
 * Keeps true: each form gives the specification's result on every input,
 * bit for bit the same as the portable code except for NaN payloads,
 * which the spec leaves open: min and max give the canonical NaN, the
 * others quiet their NaN operand as the portable code does. The floating
 * point forms rely on round-to-nearest (the MXCSR default, which nothing
 * in wasmix changes). Only functions marked SSE41 use SSE4.1/SSSE3
 * instructions, and only a VM_SIMD_SSE41 table holds them.
 * Without VM_SIMD_X86 this file is empty.
 */
#include "vm/vm_code.h"
#include "vm/vm_simd.h"

#if VM_SIMD_X86
#include <emmintrin.h>
#include <smmintrin.h>
#include <tmmintrin.h>

#define SSE41 __attribute__((target("sse4.1,ssse3")))

/* The float views of an operand. */
static inline __m128 F(__m128i x)
{
	return _mm_castsi128_ps(x);
}

static inline __m128d D(__m128i x)
{
	return _mm_castsi128_pd(x);
}

/* Integer views of a float result. */
static inline __m128i IF(__m128 x)
{
	return _mm_castps_si128(x);
}

static inline __m128i ID(__m128d x)
{
	return _mm_castpd_si128(x);
}

/*
 * An operand from its two slots as two 8-byte loads (movq, movhpd), not
 * one 16-byte load: the interpreter may just have written the slots as
 * two 8-byte stores, which the CPU cannot forward to a 16-byte load
 * (GCC merges v128_get's two loads into one here). The result is stored
 * whole: 8-byte loads of a 16-byte store are forwarded.
 */
static inline __m128i load(const uint64_t *p)
{
	__m128i lo = _mm_loadl_epi64((const __m128i *)(const void *)p);
	return _mm_castpd_si128(
	    _mm_loadh_pd(_mm_castsi128_pd(lo), (const double *)(p + 1)));
}

static inline void store(uint64_t *p, __m128i x)
{
	v128 v;
	v.i64 = (i64x2)x;
	v128_put(p, v);
}

/* Lanes of a where mask m is all ones, else b. */
static inline __m128i blend(__m128i m, __m128i a, __m128i b)
{
	return _mm_or_si128(_mm_and_si128(m, a), _mm_andnot_si128(m, b));
}

static inline __m128 blend_ps(__m128 m, __m128 a, __m128 b)
{
	return _mm_or_ps(_mm_and_ps(m, a), _mm_andnot_ps(m, b));
}

static inline __m128d blend_pd(__m128d m, __m128d a, __m128d b)
{
	return _mm_or_pd(_mm_and_pd(m, a), _mm_andnot_pd(m, b));
}

/* ---- rounding ------------------------------------------------------------ */

enum rounding { R_CEIL, R_FLOOR, R_TRUNC, R_NEAREST };

/*
 * ceil/floor/trunc/nearest with SSE2. Lanes with |x| < 2^23 go through
 * int32 (cvttps2dq truncates, cvtps2dq rounds to nearest even), floor and
 * ceil then step by one where the truncation went the wrong way, and the
 * sign of x is put back (ceil(-0.5) = -0, trunc(-0.7) = -0; a negative
 * result already has it). The other lanes are integers already, infinite
 * or NaN: x + 0 keeps them and quiets a signalling NaN.
 */
static __m128 round_ps_sse2(__m128 x, enum rounding mode)
{
	const __m128 sign = _mm_set1_ps(-0.0f), one = _mm_set1_ps(1.0f);
	__m128 small =
	    _mm_cmplt_ps(_mm_andnot_ps(sign, x), _mm_set1_ps(8388608.0f));
	__m128 r;

	if (mode == R_NEAREST)
		r = _mm_cvtepi32_ps(_mm_cvtps_epi32(x));
	else
		r = _mm_cvtepi32_ps(_mm_cvttps_epi32(x));
	if (mode == R_FLOOR)
		r = _mm_sub_ps(r, _mm_and_ps(_mm_cmpgt_ps(r, x), one));
	else if (mode == R_CEIL)
		r = _mm_add_ps(r, _mm_and_ps(_mm_cmplt_ps(r, x), one));
	r = _mm_or_ps(r, _mm_and_ps(x, sign));
	return blend_ps(small, r, _mm_add_ps(x, _mm_setzero_ps()));
}

/*
 * The same for f64 lanes (SSE2 has no 64-bit integer conversion): for
 * |x| < 2^52, (|x| + 2^52) - 2^52 is |x| rounded to the nearest even
 * integer; trunc steps it down where it went up, floor and ceil step the
 * signed value.
 */
static __m128d round_pd_sse2(__m128d x, enum rounding mode)
{
	const __m128d sign = _mm_set1_pd(-0.0), one = _mm_set1_pd(1.0);
	const __m128d two52 = _mm_set1_pd(4503599627370496.0);
	__m128d ax = _mm_andnot_pd(sign, x), sx = _mm_and_pd(x, sign);
	__m128d small = _mm_cmplt_pd(ax, two52);
	__m128d n = _mm_sub_pd(_mm_add_pd(ax, two52), two52), r;

	switch (mode) {
	case R_NEAREST:
		r = n;
		break;
	case R_TRUNC:
		r = _mm_sub_pd(n, _mm_and_pd(_mm_cmpgt_pd(n, ax), one));
		break;
	case R_FLOOR:
		r = _mm_or_pd(n, sx);
		r = _mm_sub_pd(r, _mm_and_pd(_mm_cmpgt_pd(r, x), one));
		break;
	default: /* R_CEIL */
		r = _mm_or_pd(n, sx);
		r = _mm_add_pd(r, _mm_and_pd(_mm_cmplt_pd(r, x), one));
		break;
	}
	r = _mm_or_pd(r, sx);
	return blend_pd(small, r, _mm_add_pd(x, _mm_setzero_pd()));
}

/* roundps/roundpd take the mode as an immediate: one call per mode. */
SSE41 static __m128 round_ps_sse41(__m128 x, enum rounding mode)
{
	switch (mode) {
	case R_CEIL:
		return _mm_round_ps(x,
		                    _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC);
	case R_FLOOR:
		return _mm_round_ps(x,
		                    _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
	case R_TRUNC:
		return _mm_round_ps(x, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
	default:
		return _mm_round_ps(x, _MM_FROUND_TO_NEAREST_INT |
		                           _MM_FROUND_NO_EXC);
	}
}

SSE41 static __m128d round_pd_sse41(__m128d x, enum rounding mode)
{
	switch (mode) {
	case R_CEIL:
		return _mm_round_pd(x,
		                    _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC);
	case R_FLOOR:
		return _mm_round_pd(x,
		                    _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
	case R_TRUNC:
		return _mm_round_pd(x, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
	default:
		return _mm_round_pd(x, _MM_FROUND_TO_NEAREST_INT |
		                           _MM_FROUND_NO_EXC);
	}
}

/* ---- float min/max and conversions --------------------------------------- */

/*
 * The spec's min and max: NaN if either operand is NaN (the canonical
 * one here), -0 < +0. minps returns its second operand when the lanes
 * compare equal or either is NaN, so min(a, b) | min(b, a) is min for
 * numbers and -0 for a pair of zeros; max(a, b) & max(b, a) gives +0.
 */
static __m128 minmax_ps(__m128 a, __m128 b, bool max)
{
	__m128 t = max ? _mm_and_ps(_mm_max_ps(a, b), _mm_max_ps(b, a))
	               : _mm_or_ps(_mm_min_ps(a, b), _mm_min_ps(b, a));
	return blend_ps(_mm_cmpunord_ps(a, b),
	                _mm_castsi128_ps(_mm_set1_epi32(0x7fc00000)), t);
}

static __m128d minmax_pd(__m128d a, __m128d b, bool max)
{
	__m128d t = max ? _mm_and_pd(_mm_max_pd(a, b), _mm_max_pd(b, a))
	                : _mm_or_pd(_mm_min_pd(a, b), _mm_min_pd(b, a));
	return blend_pd(_mm_cmpunord_pd(a, b),
	                _mm_castsi128_pd(_mm_set1_epi64x(0x7ff8000000000000)),
	                t);
}

/* i32x4.trunc_sat_f32x4_s: NaN -> 0; cvttps2dq gives INT32_MIN for any
 * other out-of-range lane, flipped to INT32_MAX where x >= 2^31. */
static __m128i trunc_sat_s32(__m128 x)
{
	x = _mm_and_ps(x, _mm_cmpeq_ps(x, x));
	__m128i r = _mm_cvttps_epi32(x);
	__m128 big = _mm_cmpge_ps(x, _mm_set1_ps(2147483648.0f));
	return _mm_xor_si128(r, _mm_castps_si128(big));
}

/* i32x4.trunc_sat_f32x4_u: NaN and negatives -> 0 (maxps returns its
 * second operand for NaN), [2^31, 2^32) converted less 2^31, >= 2^32 ->
 * UINT32_MAX. */
static __m128i trunc_sat_u32(__m128 x)
{
	const __m128 two31 = _mm_set1_ps(2147483648.0f);
	x = _mm_max_ps(x, _mm_setzero_ps());
	__m128i lo = _mm_cvttps_epi32(x);
	__m128i hi = _mm_xor_si128(_mm_cvttps_epi32(_mm_sub_ps(x, two31)),
	                           _mm_set1_epi32(INT32_MIN));
	__m128i big = _mm_castps_si128(_mm_cmpge_ps(x, two31));
	__m128i ovf =
	    _mm_castps_si128(_mm_cmpge_ps(x, _mm_set1_ps(4294967296.0f)));
	return _mm_or_si128(blend(big, hi, lo), ovf);
}

/* i32x4.trunc_sat_f64x2_s_zero: NaN -> 0, clamped to the i32 range
 * (both ends exact in f64); cvttpd2dq zeroes the upper lanes. */
static __m128i trunc_sat_s32_pd(__m128d x)
{
	x = _mm_and_pd(x, _mm_cmpeq_pd(x, x));
	x = _mm_max_pd(x, _mm_set1_pd(-2147483648.0));
	x = _mm_min_pd(x, _mm_set1_pd(2147483647.0));
	return _mm_cvttpd_epi32(x);
}

/* i32x4.trunc_sat_f64x2_u_zero: clamped to [0, 2^32 - 1] (NaN -> 0),
 * truncated, then 2^52 added: the low 32 bits of each f64 are the
 * integer. */
static __m128i trunc_sat_u32_pd(__m128d x, bool sse41)
{
	const __m128d two52 = _mm_set1_pd(4503599627370496.0);
	x = _mm_max_pd(x, _mm_setzero_pd());
	x = _mm_min_pd(x, _mm_set1_pd(4294967295.0));
	x = sse41 ? round_pd_sse41(x, R_TRUNC) : round_pd_sse2(x, R_TRUNC);
	x = _mm_add_pd(x, two52);
	return _mm_castps_si128(
	    _mm_shuffle_ps(_mm_castpd_ps(x), _mm_setzero_ps(), 0x08));
}

/* f32x4.convert_i32x4_u: high and low 16 bits converted exactly, one
 * rounding in the sum. */
static __m128 convert_u32_ps(__m128i a)
{
	__m128 hi = _mm_cvtepi32_ps(_mm_srli_epi32(a, 16));
	__m128 lo = _mm_cvtepi32_ps(_mm_and_si128(a, _mm_set1_epi32(0xffff)));
	return _mm_add_ps(_mm_mul_ps(hi, _mm_set1_ps(65536.0f)), lo);
}

/* f64x2.convert_low_i32x4_u: 2^52 + x built bitwise, less 2^52. */
static __m128d convert_u32_pd(__m128i a)
{
	__m128i t = _mm_unpacklo_epi32(a, _mm_set1_epi32(0x43300000));
	return _mm_sub_pd(_mm_castsi128_pd(t), _mm_set1_pd(4503599627370496.0));
}

/* ---- integer helpers ----------------------------------------------------- */

/* Lanes widened to twice their width, low or high half, signed or not. */
static __m128i widen8(__m128i a, bool high, bool sign)
{
	__m128i s =
	    sign ? _mm_cmpgt_epi8(_mm_setzero_si128(), a) : _mm_setzero_si128();
	return high ? _mm_unpackhi_epi8(a, s) : _mm_unpacklo_epi8(a, s);
}

static __m128i widen16(__m128i a, bool high, bool sign)
{
	__m128i s = sign ? _mm_srai_epi16(a, 15) : _mm_setzero_si128();
	return high ? _mm_unpackhi_epi16(a, s) : _mm_unpacklo_epi16(a, s);
}

static __m128i widen32(__m128i a, bool high, bool sign)
{
	__m128i s = sign ? _mm_srai_epi32(a, 31) : _mm_setzero_si128();
	return high ? _mm_unpackhi_epi32(a, s) : _mm_unpacklo_epi32(a, s);
}

/* The even and odd i8 lanes of a, sign-extended to i16 lanes. */
static __m128i even8_s(__m128i a)
{
	return _mm_srai_epi16(_mm_slli_epi16(a, 8), 8);
}

static __m128i odd8_s(__m128i a)
{
	return _mm_srai_epi16(a, 8);
}

/* i64 lanes a > b, signed: the high halves compare signed, the low ones
 * unsigned (biased by 2^31), the high result decides unless equal. */
static __m128i gt64_sse2(__m128i a, __m128i b)
{
	const __m128i bias = _mm_set_epi32(0, INT32_MIN, 0, INT32_MIN);
	a = _mm_xor_si128(a, bias);
	b = _mm_xor_si128(b, bias);
	__m128i gt = _mm_cmpgt_epi32(a, b), eq = _mm_cmpeq_epi32(a, b);
	__m128i gt_lo = _mm_shuffle_epi32(gt, 0xa0);
	__m128i gt_hi = _mm_shuffle_epi32(gt, 0xf5);
	__m128i eq_hi = _mm_shuffle_epi32(eq, 0xf5);
	return _mm_or_si128(gt_hi, _mm_and_si128(eq_hi, gt_lo));
}

static __m128i eq64_sse2(__m128i a, __m128i b)
{
	__m128i t = _mm_cmpeq_epi32(a, b);
	return _mm_and_si128(t, _mm_shuffle_epi32(t, 0xb1));
}

/* i64x2.extmul_{low,high}_i32x4: the two i32 lanes moved to lanes 0 and
 * 2, where pmuludq reads them; signed products corrected by
 * (a < 0 ? b : 0) + (b < 0 ? a : 0) times 2^32. */
static __m128i extmul32(__m128i a, __m128i b, bool high, bool sign)
{
	__m128i x =
	    high ? _mm_shuffle_epi32(a, 0xfa) : _mm_shuffle_epi32(a, 0x50);
	__m128i y =
	    high ? _mm_shuffle_epi32(b, 0xfa) : _mm_shuffle_epi32(b, 0x50);
	__m128i p = _mm_mul_epu32(x, y);
	if (sign) {
		__m128i c =
		    _mm_add_epi32(_mm_and_si128(_mm_srai_epi32(x, 31), y),
		                  _mm_and_si128(_mm_srai_epi32(y, 31), x));
		p = _mm_sub_epi64(p, _mm_slli_epi64(c, 32));
	}
	return p;
}

/* i32 lanes clamped to [0, 65535], less 32768 (exact through packssdw). */
static __m128i clamp_u16_biased(__m128i x)
{
	const __m128i max = _mm_set1_epi32(0xffff);
	x = _mm_and_si128(x, _mm_cmpgt_epi32(x, _mm_setzero_si128()));
	x = blend(_mm_cmpgt_epi32(x, max), max, x);
	return _mm_sub_epi32(x, _mm_set1_epi32(0x8000));
}

/* i16x8.q15mulr_sat_s: full 32-bit products, rounded and shifted,
 * packed with signed saturation. */
static __m128i q15mulr_sse2(__m128i a, __m128i b)
{
	const __m128i half = _mm_set1_epi32(0x4000);
	__m128i lo = _mm_mullo_epi16(a, b), hi = _mm_mulhi_epi16(a, b);
	__m128i p0 = _mm_unpacklo_epi16(lo, hi),
	        p1 = _mm_unpackhi_epi16(lo, hi);
	p0 = _mm_srai_epi32(_mm_add_epi32(p0, half), 15);
	p1 = _mm_srai_epi32(_mm_add_epi32(p1, half), 15);
	return _mm_packs_epi32(p0, p1);
}

static __m128i popcnt8_sse2(__m128i x)
{
	const __m128i m1 = _mm_set1_epi8(0x55), m2 = _mm_set1_epi8(0x33);
	x = _mm_sub_epi8(x, _mm_and_si128(_mm_srli_epi16(x, 1), m1));
	x = _mm_add_epi8(_mm_and_si128(x, m2),
	                 _mm_and_si128(_mm_srli_epi16(x, 2), m2));
	x = _mm_add_epi8(x, _mm_srli_epi16(x, 4));
	return _mm_and_si128(x, _mm_set1_epi8(0x0f));
}

/* More helpers, for the tables below. */
static __m128i abs64_sse2(__m128i x)
{
	__m128i s = _mm_srai_epi32(_mm_shuffle_epi32(x, 0xf5), 31);
	return _mm_sub_epi64(_mm_xor_si128(x, s), s);
}

static __m128i not128(__m128i x)
{
	return _mm_xor_si128(x, _mm_set1_epi8(-1));
}

/* i32x4.extmul_{low,high}_i16x8: the 32-bit products from the low and
 * high 16 bits of each, interleaved. */
static __m128i extmul16(__m128i x, __m128i y, bool high, bool sign)
{
	__m128i lo = _mm_mullo_epi16(x, y);
	__m128i hi = sign ? _mm_mulhi_epi16(x, y) : _mm_mulhi_epu16(x, y);
	return high ? _mm_unpackhi_epi16(lo, hi) : _mm_unpacklo_epi16(lo, hi);
}

static __m128i narrow_u16_sse2(__m128i x, __m128i y)
{
	return _mm_add_epi16(
	    _mm_packs_epi32(clamp_u16_biased(x), clamp_u16_biased(y)),
	    _mm_set1_epi16(INT16_MIN));
}

/* i32x4.relaxed_dot_i8x16_i7x16_add_s: four i8 products summed in 32
 * bits (pmaddwd of the even lanes and of the odd ones), plus c. */
static __m128i dot_add_sse2(__m128i x, __m128i y, __m128i z)
{
	__m128i e = _mm_madd_epi16(even8_s(x), even8_s(y));
	__m128i o = _mm_madd_epi16(odd8_s(x), odd8_s(y));
	return _mm_add_epi32(_mm_add_epi32(e, o), z);
}

/* ---- the forms, one function per instruction ------------------------------
 */

/*
 * Each list row is (instruction, expression of the operands x, y, z);
 * the result is a v128, or an i32 for the _TEST lists. DEF_* makes a
 * function sse2_<op> or sse41_<op> of operand cells [dst][x][y][z] (as
 * vm_compile.c's emit_simd writes them), and the tables at the end map
 * each instruction to its function.
 */
#define SSE2_UNARY(X)                                                          \
	X(F32X4_CEIL, IF(round_ps_sse2(F(x), R_CEIL)))                         \
	X(F32X4_FLOOR, IF(round_ps_sse2(F(x), R_FLOOR)))                       \
	X(F32X4_TRUNC, IF(round_ps_sse2(F(x), R_TRUNC)))                       \
	X(F32X4_NEAREST, IF(round_ps_sse2(F(x), R_NEAREST)))                   \
	X(F64X2_CEIL, ID(round_pd_sse2(D(x), R_CEIL)))                         \
	X(F64X2_FLOOR, ID(round_pd_sse2(D(x), R_FLOOR)))                       \
	X(F64X2_TRUNC, ID(round_pd_sse2(D(x), R_TRUNC)))                       \
	X(F64X2_NEAREST, ID(round_pd_sse2(D(x), R_NEAREST)))                   \
	X(F32X4_SQRT, IF(_mm_sqrt_ps(F(x))))                                   \
	X(F64X2_SQRT, ID(_mm_sqrt_pd(D(x))))                                   \
	X(I32X4_TRUNC_SAT_F32X4_S, trunc_sat_s32(F(x)))                        \
	X(I32X4_RELAXED_TRUNC_F32X4_S, trunc_sat_s32(F(x)))                    \
	X(I32X4_TRUNC_SAT_F32X4_U, trunc_sat_u32(F(x)))                        \
	X(I32X4_RELAXED_TRUNC_F32X4_U, trunc_sat_u32(F(x)))                    \
	X(I32X4_TRUNC_SAT_F64X2_S_ZERO, trunc_sat_s32_pd(D(x)))                \
	X(I32X4_RELAXED_TRUNC_F64X2_S_ZERO, trunc_sat_s32_pd(D(x)))            \
	X(I32X4_TRUNC_SAT_F64X2_U_ZERO, trunc_sat_u32_pd(D(x), false))         \
	X(I32X4_RELAXED_TRUNC_F64X2_U_ZERO, trunc_sat_u32_pd(D(x), false))     \
	X(F32X4_CONVERT_I32X4_U, IF(convert_u32_ps(x)))                        \
	X(F64X2_CONVERT_LOW_I32X4_S, ID(_mm_cvtepi32_pd(x)))                   \
	X(F64X2_CONVERT_LOW_I32X4_U, ID(convert_u32_pd(x)))                    \
	X(F32X4_DEMOTE_F64X2_ZERO, IF(_mm_cvtpd_ps(D(x))))                     \
	X(F64X2_PROMOTE_LOW_F32X4, ID(_mm_cvtps_pd(F(x))))                     \
	X(I8X16_POPCNT, popcnt8_sse2(x))                                       \
	X(I64X2_ABS, abs64_sse2(x))                                            \
	X(I16X8_EXTEND_LOW_I8X16_S, widen8(x, false, true))                    \
	X(I16X8_EXTEND_HIGH_I8X16_S, widen8(x, true, true))                    \
	X(I16X8_EXTEND_LOW_I8X16_U, widen8(x, false, false))                   \
	X(I16X8_EXTEND_HIGH_I8X16_U, widen8(x, true, false))                   \
	X(I32X4_EXTEND_LOW_I16X8_S, widen16(x, false, true))                   \
	X(I32X4_EXTEND_HIGH_I16X8_S, widen16(x, true, true))                   \
	X(I32X4_EXTEND_LOW_I16X8_U, widen16(x, false, false))                  \
	X(I32X4_EXTEND_HIGH_I16X8_U, widen16(x, true, false))                  \
	X(I64X2_EXTEND_LOW_I32X4_S, widen32(x, false, true))                   \
	X(I64X2_EXTEND_HIGH_I32X4_S, widen32(x, true, true))                   \
	X(I64X2_EXTEND_LOW_I32X4_U, widen32(x, false, false))                  \
	X(I64X2_EXTEND_HIGH_I32X4_U, widen32(x, true, false))                  \
	X(I16X8_EXTADD_PAIRWISE_I8X16_S, _mm_add_epi16(even8_s(x), odd8_s(x))) \
	X(I16X8_EXTADD_PAIRWISE_I8X16_U,                                       \
	  _mm_add_epi16(_mm_and_si128(x, _mm_set1_epi16(0xff)),                \
	                _mm_srli_epi16(x, 8)))                                 \
	X(I32X4_EXTADD_PAIRWISE_I16X8_S, _mm_madd_epi16(x, _mm_set1_epi16(1))) \
	X(I32X4_EXTADD_PAIRWISE_I16X8_U,                                       \
	  _mm_add_epi32(_mm_and_si128(x, _mm_set1_epi32(0xffff)),              \
	                _mm_srli_epi32(x, 16)))

/* (pmin(a, b) = b < a ? b : a, which is minps(b, a); pmax likewise.) */
#define SSE2_BINARY(X)                                                         \
	X(F32X4_MIN, IF(minmax_ps(F(x), F(y), false)))                         \
	X(F32X4_RELAXED_MIN, IF(minmax_ps(F(x), F(y), false)))                 \
	X(F32X4_MAX, IF(minmax_ps(F(x), F(y), true)))                          \
	X(F32X4_RELAXED_MAX, IF(minmax_ps(F(x), F(y), true)))                  \
	X(F64X2_MIN, ID(minmax_pd(D(x), D(y), false)))                         \
	X(F64X2_RELAXED_MIN, ID(minmax_pd(D(x), D(y), false)))                 \
	X(F64X2_MAX, ID(minmax_pd(D(x), D(y), true)))                          \
	X(F64X2_RELAXED_MAX, ID(minmax_pd(D(x), D(y), true)))                  \
	X(F32X4_PMIN, IF(_mm_min_ps(F(y), F(x))))                              \
	X(F32X4_PMAX, IF(_mm_max_ps(F(y), F(x))))                              \
	X(F64X2_PMIN, ID(_mm_min_pd(D(y), D(x))))                              \
	X(F64X2_PMAX, ID(_mm_max_pd(D(y), D(x))))                              \
	X(I8X16_ADD_SAT_S, _mm_adds_epi8(x, y))                                \
	X(I8X16_ADD_SAT_U, _mm_adds_epu8(x, y))                                \
	X(I8X16_SUB_SAT_S, _mm_subs_epi8(x, y))                                \
	X(I8X16_SUB_SAT_U, _mm_subs_epu8(x, y))                                \
	X(I16X8_ADD_SAT_S, _mm_adds_epi16(x, y))                               \
	X(I16X8_ADD_SAT_U, _mm_adds_epu16(x, y))                               \
	X(I16X8_SUB_SAT_S, _mm_subs_epi16(x, y))                               \
	X(I16X8_SUB_SAT_U, _mm_subs_epu16(x, y))                               \
	X(I8X16_AVGR_U, _mm_avg_epu8(x, y))                                    \
	X(I16X8_AVGR_U, _mm_avg_epu16(x, y))                                   \
	X(I8X16_NARROW_I16X8_S, _mm_packs_epi16(x, y))                         \
	X(I8X16_NARROW_I16X8_U, _mm_packus_epi16(x, y))                        \
	X(I16X8_NARROW_I32X4_S, _mm_packs_epi32(x, y))                         \
	X(I16X8_NARROW_I32X4_U, narrow_u16_sse2(x, y))                         \
	X(I32X4_DOT_I16X8_S, _mm_madd_epi16(x, y))                             \
	X(I8X16_MIN_U, _mm_min_epu8(x, y))                                     \
	X(I8X16_MAX_U, _mm_max_epu8(x, y))                                     \
	X(I16X8_MIN_S, _mm_min_epi16(x, y))                                    \
	X(I16X8_MAX_S, _mm_max_epi16(x, y))                                    \
	X(I16X8_Q15MULR_SAT_S, q15mulr_sse2(x, y))                             \
	X(I16X8_RELAXED_Q15MULR_S, q15mulr_sse2(x, y))                         \
	X(I16X8_RELAXED_DOT_I8X16_I7X16_S,                                     \
	  _mm_add_epi16(_mm_mullo_epi16(even8_s(x), even8_s(y)),               \
	                _mm_mullo_epi16(odd8_s(x), odd8_s(y))))                \
	X(I16X8_EXTMUL_LOW_I8X16_S,                                            \
	  _mm_mullo_epi16(widen8(x, false, true), widen8(y, false, true)))     \
	X(I16X8_EXTMUL_HIGH_I8X16_S,                                           \
	  _mm_mullo_epi16(widen8(x, true, true), widen8(y, true, true)))       \
	X(I16X8_EXTMUL_LOW_I8X16_U,                                            \
	  _mm_mullo_epi16(widen8(x, false, false), widen8(y, false, false)))   \
	X(I16X8_EXTMUL_HIGH_I8X16_U,                                           \
	  _mm_mullo_epi16(widen8(x, true, false), widen8(y, true, false)))     \
	X(I32X4_EXTMUL_LOW_I16X8_S, extmul16(x, y, false, true))               \
	X(I32X4_EXTMUL_HIGH_I16X8_S, extmul16(x, y, true, true))               \
	X(I32X4_EXTMUL_LOW_I16X8_U, extmul16(x, y, false, false))              \
	X(I32X4_EXTMUL_HIGH_I16X8_U, extmul16(x, y, true, false))              \
	X(I64X2_EXTMUL_LOW_I32X4_S, extmul32(x, y, false, true))               \
	X(I64X2_EXTMUL_HIGH_I32X4_S, extmul32(x, y, true, true))               \
	X(I64X2_EXTMUL_LOW_I32X4_U, extmul32(x, y, false, false))              \
	X(I64X2_EXTMUL_HIGH_I32X4_U, extmul32(x, y, true, false))              \
	X(I64X2_EQ, eq64_sse2(x, y))                                           \
	X(I64X2_NE, not128(eq64_sse2(x, y)))                                   \
	X(I64X2_GT_S, gt64_sse2(x, y))                                         \
	X(I64X2_LT_S, gt64_sse2(y, x))                                         \
	X(I64X2_LE_S, not128(gt64_sse2(x, y)))                                 \
	X(I64X2_GE_S, not128(gt64_sse2(y, x)))

#define SSE2_TERNARY(X)                                                        \
	X(I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S, dot_add_sse2(x, y, z))

#define SSE2_TEST(X)                                                           \
	X(I8X16_BITMASK, _mm_movemask_epi8(x))                                 \
	X(I16X8_BITMASK, _mm_movemask_epi8(_mm_packs_epi16(x, x)) & 0xff)      \
	X(I32X4_BITMASK, _mm_movemask_ps(F(x)))                                \
	X(I64X2_BITMASK, _mm_movemask_pd(D(x)))                                \
	X(I8X16_ALL_TRUE,                                                      \
	  _mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_setzero_si128())) == 0)      \
	X(I16X8_ALL_TRUE,                                                      \
	  _mm_movemask_epi8(_mm_cmpeq_epi16(x, _mm_setzero_si128())) == 0)     \
	X(I32X4_ALL_TRUE,                                                      \
	  _mm_movemask_epi8(_mm_cmpeq_epi32(x, _mm_setzero_si128())) == 0)     \
	X(I64X2_ALL_TRUE,                                                      \
	  _mm_movemask_epi8(eq64_sse2(x, _mm_setzero_si128())) == 0)

/*
 * SSE4.1/SSSE3: roundps/roundpd; pshufb (swizzle, popcnt by a 16-entry
 * table per nibble); pmulhrsw, whose -32768 * -32768 = -32768 is then
 * saturated; pmuldq, pcmpeqq, packusdw, the min/max and abs SSE2 lacks.
 * Swizzle indices >= 16 are pushed to bit 7 set, where pshufb gives 0.
 */
#define SSE41_UNARY(X)                                                         \
	X(F32X4_CEIL, IF(round_ps_sse41(F(x), R_CEIL)))                        \
	X(F32X4_FLOOR, IF(round_ps_sse41(F(x), R_FLOOR)))                      \
	X(F32X4_TRUNC, IF(round_ps_sse41(F(x), R_TRUNC)))                      \
	X(F32X4_NEAREST, IF(round_ps_sse41(F(x), R_NEAREST)))                  \
	X(F64X2_CEIL, ID(round_pd_sse41(D(x), R_CEIL)))                        \
	X(F64X2_FLOOR, ID(round_pd_sse41(D(x), R_FLOOR)))                      \
	X(F64X2_TRUNC, ID(round_pd_sse41(D(x), R_TRUNC)))                      \
	X(F64X2_NEAREST, ID(round_pd_sse41(D(x), R_NEAREST)))                  \
	X(I32X4_TRUNC_SAT_F64X2_U_ZERO, trunc_sat_u32_pd(D(x), true))          \
	X(I32X4_RELAXED_TRUNC_F64X2_U_ZERO, trunc_sat_u32_pd(D(x), true))      \
	X(I8X16_POPCNT, popcnt8_sse41(x))                                      \
	X(I8X16_ABS, _mm_abs_epi8(x))                                          \
	X(I16X8_ABS, _mm_abs_epi16(x))                                         \
	X(I32X4_ABS, _mm_abs_epi32(x))

#define SSE41_BINARY(X)                                                        \
	X(I8X16_SWIZZLE,                                                       \
	  _mm_shuffle_epi8(x, _mm_adds_epu8(y, _mm_set1_epi8(0x70))))          \
	X(I8X16_RELAXED_SWIZZLE,                                               \
	  _mm_shuffle_epi8(x, _mm_adds_epu8(y, _mm_set1_epi8(0x70))))          \
	X(I16X8_NARROW_I32X4_U, _mm_packus_epi32(x, y))                        \
	X(I16X8_Q15MULR_SAT_S, q15mulr_sse41(x, y))                            \
	X(I16X8_RELAXED_Q15MULR_S, q15mulr_sse41(x, y))                        \
	X(I64X2_EXTMUL_LOW_I32X4_S, _mm_mul_epi32(_mm_shuffle_epi32(x, 0x50),  \
	                                          _mm_shuffle_epi32(y, 0x50))) \
	X(I64X2_EXTMUL_HIGH_I32X4_S,                                           \
	  _mm_mul_epi32(_mm_shuffle_epi32(x, 0xfa),                            \
	                _mm_shuffle_epi32(y, 0xfa)))                           \
	X(I64X2_EQ, _mm_cmpeq_epi64(x, y))                                     \
	X(I64X2_NE, not128(_mm_cmpeq_epi64(x, y)))                             \
	X(I8X16_MIN_S, _mm_min_epi8(x, y))                                     \
	X(I8X16_MAX_S, _mm_max_epi8(x, y))                                     \
	X(I16X8_MIN_U, _mm_min_epu16(x, y))                                    \
	X(I16X8_MAX_U, _mm_max_epu16(x, y))                                    \
	X(I32X4_MIN_S, _mm_min_epi32(x, y))                                    \
	X(I32X4_MIN_U, _mm_min_epu32(x, y))                                    \
	X(I32X4_MAX_S, _mm_max_epi32(x, y))                                    \
	X(I32X4_MAX_U, _mm_max_epu32(x, y))

SSE41 static __m128i popcnt8_sse41(__m128i x)
{
	const __m128i lo4 = _mm_set1_epi8(0x0f);
	const __m128i bits =
	    _mm_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
	return _mm_add_epi8(
	    _mm_shuffle_epi8(bits, _mm_and_si128(x, lo4)),
	    _mm_shuffle_epi8(bits, _mm_and_si128(_mm_srli_epi16(x, 4), lo4)));
}

SSE41 static __m128i q15mulr_sse41(__m128i x, __m128i y)
{
	__m128i r = _mm_mulhrs_epi16(x, y);
	return _mm_xor_si128(r, _mm_cmpeq_epi16(r, _mm_set1_epi16(INT16_MIN)));
}

/* i8x16.shuffle [dst][x][y][16 lane bytes]: two pshufb, lanes of x where
 * the index is < 16 (index + 0x70 keeps bit 7 clear), of y where it is
 * 16-31 (index - 16; below 16 it wraps to bit 7 set), 0 from the other. */
SSE41 static void sse41_I8X16_SHUFFLE(uint64_t *fp, const uint32_t *a)
{
	__m128i l = _mm_loadu_si128((const __m128i *)(const void *)(a + 3));
	__m128i x = load(fp + a[1]), y = load(fp + a[2]);
	__m128i rx = _mm_shuffle_epi8(x, _mm_add_epi8(l, _mm_set1_epi8(0x70)));
	__m128i ry = _mm_shuffle_epi8(y, _mm_sub_epi8(l, _mm_set1_epi8(16)));
	store(fp + a[0], _mm_or_si128(rx, ry));
}

#define DEF_UNARY(ATTR, PRE, op, expr)                                         \
	ATTR static void PRE##op(uint64_t *fp, const uint32_t *a)              \
	{                                                                      \
		__m128i x = load(fp + a[1]);                                   \
		store(fp + a[0], expr);                                        \
	}
#define DEF_BINARY(ATTR, PRE, op, expr)                                        \
	ATTR static void PRE##op(uint64_t *fp, const uint32_t *a)              \
	{                                                                      \
		__m128i x = load(fp + a[1]), y = load(fp + a[2]);              \
		store(fp + a[0], expr);                                        \
	}
#define DEF_TERNARY(ATTR, PRE, op, expr)                                       \
	ATTR static void PRE##op(uint64_t *fp, const uint32_t *a)              \
	{                                                                      \
		__m128i x = load(fp + a[1]), y = load(fp + a[2]);              \
		__m128i z = load(fp + a[3]);                                   \
		store(fp + a[0], expr);                                        \
	}
#define DEF_TEST(ATTR, PRE, op, expr)                                          \
	ATTR static void PRE##op(uint64_t *fp, const uint32_t *a)              \
	{                                                                      \
		__m128i x = load(fp + a[1]);                                   \
		fp[a[0]] = (uint32_t)(expr);                                   \
	}

#define SSE2_UNARY_DEF(op, expr)   DEF_UNARY(, sse2_, op, expr)
#define SSE2_BINARY_DEF(op, expr)  DEF_BINARY(, sse2_, op, expr)
#define SSE2_TERNARY_DEF(op, expr) DEF_TERNARY(, sse2_, op, expr)
#define SSE2_TEST_DEF(op, expr)    DEF_TEST(, sse2_, op, expr)
#define SSE41_UNARY_DEF(op, expr)  DEF_UNARY(SSE41, sse41_, op, expr)
#define SSE41_BINARY_DEF(op, expr) DEF_BINARY(SSE41, sse41_, op, expr)
SSE2_UNARY(SSE2_UNARY_DEF)
SSE2_BINARY(SSE2_BINARY_DEF)
SSE2_TERNARY(SSE2_TERNARY_DEF)
SSE2_TEST(SSE2_TEST_DEF)
SSE41_UNARY(SSE41_UNARY_DEF)
SSE41_BINARY(SSE41_BINARY_DEF)

#define SSE2_ROW(op, expr)  [WASM_OP_##op - VM_SIMD_FIRST] = sse2_##op,
#define SSE41_ROW(op, expr) [WASM_OP_##op - VM_SIMD_FIRST] = sse41_##op,

static vm_simd_fn *const sse2_forms[VM_SIMD_NOPS] = {SSE2_UNARY(
    SSE2_ROW) SSE2_BINARY(SSE2_ROW) SSE2_TERNARY(SSE2_ROW) SSE2_TEST(SSE2_ROW)};

static vm_simd_fn *const sse41_forms[VM_SIMD_NOPS] = {
    SSE41_UNARY(SSE41_ROW) SSE41_BINARY(
        SSE41_ROW)[WASM_OP_I8X16_SHUFFLE - VM_SIMD_FIRST] = sse41_I8X16_SHUFFLE,
};

void vm_simd_x86_forms(enum vm_simd_isa isa, vm_simd_fn **table)
{
	for (unsigned i = 0; i < VM_SIMD_NOPS; i++) {
		table[i] = NULL;
		if (isa == VM_SIMD_SSE41 && sse41_forms[i] != NULL)
			table[i] = sse41_forms[i];
		else if (isa != VM_SIMD_GENERIC)
			table[i] = sse2_forms[i];
	}
}

#else
typedef int vm_simd_x86_unused; /* ISO C wants a declaration */
#endif
