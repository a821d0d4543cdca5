/*
 * vm_interp.c: the interpreter loop. One C function runs every wasm frame
 * of a vm_invoke: calls push a 'struct vm_frame' on the thread's frame
 * array and jump to the callee's code in the same loop, so wasm recursion
 * never recurses in C and is bounded by 'max_call_depth'.
 *
 * Dispatch is Lua-style: 'vmdispatch/vmcase/vmbreak' expand to computed
 * goto with direct threading (each instruction starts with its handler's
 * address) or, with WX_DISPATCH_SWITCH, to a switch on the opcode
 * number. See docs/interp.md for the code format and the reasons.
 *
 * Keeps true:
 *  - 'mem_base'/'mem_size' mirror memory 0 of 'inst'; they are reloaded
 *    after every call, return and memory.grow (a callee may grow memory).
 *  - Slots holding i32 (and f32) values are zero-extended: every i32
 *    result is written as uint32_t.
 *  - Traps leave through 'trap' with a message in the spec's wording; the
 *    thread's depth and stack top are restored on every exit.
 *  - THREADS: 'th' is the calling host thread's context; everything else
 *    may be shared with other threads: f->code is tested with an acquire
 *    load (translation publishes it), memory sizes with MEM_SIZE_NOW.
 *  - Fuel and the interrupt flag are polled via one counter ('budget') at
 *    calls and backward branches.
 */
#include <math.h>
#include <string.h>

#include "vm/vm_code.h"
#include "vm/vm_simd.h"

#define TRAP_OOB "out of bounds memory access"

/* ---- value helpers ------------------------------------------------------ */

static inline float f32_of(uint64_t slot)
{
	uint32_t b = (uint32_t)slot;
	float f;
	memcpy(&f, &b, 4);
	return f;
}

static inline double f64_of(uint64_t slot)
{
	double d;
	memcpy(&d, &slot, 8);
	return d;
}

static inline uint64_t bits_f32(float f)
{
	uint32_t b;
	memcpy(&b, &f, 4);
	return b;
}

static inline uint64_t bits_f64(double d)
{
	uint64_t b;
	memcpy(&b, &d, 8);
	return b;
}

/* min/max: NaN in gives NaN out; -0 is below +0. */
static inline float f32_min(float a, float b)
{
	if (a != a || b != b)
		return a + b;
	if (a == b)
		return f32_of(bits_f32(a) | bits_f32(b));
	return a < b ? a : b;
}

static inline float f32_max(float a, float b)
{
	if (a != a || b != b)
		return a + b;
	if (a == b)
		return f32_of(bits_f32(a) & bits_f32(b));
	return a > b ? a : b;
}

static inline double f64_min(double a, double b)
{
	if (a != a || b != b)
		return a + b;
	if (a == b)
		return f64_of(bits_f64(a) | bits_f64(b));
	return a < b ? a : b;
}

static inline double f64_max(double a, double b)
{
	if (a != a || b != b)
		return a + b;
	if (a == b)
		return f64_of(bits_f64(a) & bits_f64(b));
	return a > b ? a : b;
}

/*
 * Rounding: libm may hand a signalling NaN back unchanged; wasm wants it
 * quieted (an arithmetic NaN), which adding it to itself does.
 */
#define ROUND(name, T, fn)                                                     \
	static inline T name(T x)                                              \
	{                                                                      \
		return x != x ? x + x : fn(x);                                 \
	}
ROUND(f32_ceil, float, ceilf)
ROUND(f32_floor, float, floorf)
ROUND(f32_trunc, float, truncf)
ROUND(f32_nearest, float, rintf)
ROUND(f64_ceil, double, ceil)
ROUND(f64_floor, double, floor)
ROUND(f64_trunc, double, trunc)
ROUND(f64_nearest, double, rint)
#undef ROUND

/* Saturating truncations (0xFC 0..7). */
#define SAT(name, FT, RT, lo, hi, minv, maxv)                                  \
	static inline RT name(FT x)                                            \
	{                                                                      \
		if (x != x)                                                    \
			return 0;                                              \
		if (x <= (lo))                                                 \
			return (minv);                                         \
		if (x >= (hi))                                                 \
			return (maxv);                                         \
		return (RT)x;                                                  \
	}
SAT(sat_f32_i32, float, int32_t, -2147483904.0f, 2147483648.0f, INT32_MIN,
    INT32_MAX)
SAT(sat_f32_u32, float, uint32_t, -1.0f, 4294967296.0f, 0, UINT32_MAX)
SAT(sat_f64_i32, double, int32_t, -2147483649.0, 2147483648.0, INT32_MIN,
    INT32_MAX)
SAT(sat_f64_u32, double, uint32_t, -1.0, 4294967296.0, 0, UINT32_MAX)
SAT(sat_f32_i64, float, int64_t, -9223373136366403584.0f,
    9223372036854775808.0f, INT64_MIN, INT64_MAX)
SAT(sat_f32_u64, float, uint64_t, -1.0f, 18446744073709551616.0f, 0, UINT64_MAX)
SAT(sat_f64_i64, double, int64_t, -9223372036854777856.0, 9223372036854775808.0,
    INT64_MIN, INT64_MAX)
SAT(sat_f64_u64, double, uint64_t, -1.0, 18446744073709551616.0, 0, UINT64_MAX)
#undef SAT

/* ---- dispatch ------------------------------------------------------------ */

#ifdef WX_DISPATCH_SWITCH
#define vmdispatch(o) switch (o)
#define vmcase(l)     case l:
#define vmbreak       break
#define vmresume      continue
#else
/* Direct threading: the first two cells hold the handler's address. */
static inline const void *load_handler(const uint32_t *pc)
{
	const void *h;
	memcpy(&h, pc, sizeof h);
	return h;
}

#define vmdispatch(o) goto *load_handler(pc);
#define vmcase(l)     L_##l:
#define vmbreak       goto *load_handler(pc)
#define vmresume      vmbreak
#endif

/* Operand cell i of the current instruction (1 = the first operand). */
#define P(i) pc[(i) + VM_HANDLER_CELLS - 1]
/* Moves past an instruction of 'n' cells counting one handler cell. */
#define STEP(n) (pc += (n) + VM_HANDLER_CELLS - 1)

/* Operand access: cell i of the current instruction names a slot. */
#define U32(i)       ((uint32_t)fp[P(i)])
#define S32(i)       ((int32_t)fp[P(i)])
#define U64(i)       (fp[P(i)])
#define S64(i)       ((int64_t)fp[P(i)])
#define F32(i)       f32_of(fp[P(i)])
#define F64(i)       f64_of(fp[P(i)])
#define SET32(i, v)  (fp[P(i)] = (uint32_t)(v))
#define SET64(i, v)  (fp[P(i)] = (uint64_t)(v))
#define SETF32(i, v) (fp[P(i)] = bits_f32(v))
#define SETF64(i, v) (fp[P(i)] = bits_f64(v))

#define TRAP(msg)                                                              \
	do {                                                                   \
		trap_msg = (msg);                                              \
		goto trap;                                                     \
	} while (0)

/* Jump by the offset in cell i; backward jumps count against 'budget'. */
#define JUMP(i)                                                                \
	{                                                                      \
		int32_t off_ = (int32_t)P(i);                                  \
		/* Signed pointer arithmetic: 'i' may be unsigned (br_table). */ \
		pc += (ptrdiff_t)(i) + VM_HANDLER_CELLS - 1 + off_;            \
		if (off_ < 0 && WX_UNLIKELY(--budget <= 0))                    \
			goto poll;                                             \
		vmbreak;                                                       \
	}

/*
 * Memory 0's size as of now: another thread may grow a shared memory at
 * any time, so the cached 'mem_size' may be stale (never too large: sizes
 * only grow). OOB re-reads it before declaring an access out of bounds.
 */
#define MEM_SIZE_NOW(m) __atomic_load_n(&(m)->size, __ATOMIC_ACQUIRE)
#define OOB(end)                                                               \
	(WX_UNLIKELY((end) > mem_size) &&                                      \
	 (end) > (mem_size = MEM_SIZE_NOW(mem0)))

/*
 * Memory accesses come in two handlers each (docs/interp.md, "Bounds"):
 * vmcase(OP) for a guarded memory (vm_guard.c), which computes the
 * address with no compare (an out-of-bounds access faults and the fault
 * handler makes it the trap), and vmcase_chk(OP), which checks explicitly.
 * The translator picks the table (vm_interp_handlers_for); VM_MEM_OPS
 * lists every opcode that has both.
 */
#ifdef WX_DISPATCH_SWITCH
#define vmcase_chk(l) case VM_CHK(l):
#else
#define vmcase_chk(l) L_CHK_##l:
#endif
#define VM_CHK(op) (VMOP_COUNT_ + (op))

/* Effective address of [addr cell ai] + [offset cell oi]: no check. */
#define EA_G(ai, oi) uint64_t ea = (uint64_t)U32(ai) + P(oi)

/* The same, checked for n bytes. */
#define EA(ai, oi, n)                                                          \
	EA_G(ai, oi);                                                          \
	if (OOB(ea + (n)))                                                     \
	TRAP(TRAP_OOB)

/* Address (u32)(base + (idx << k)) + offset of cells bi, ii, ki, oi. */
#define EAX_G(bi, ii, ki, oi)                                                  \
	uint64_t ea =                                                          \
	    (uint64_t)(uint32_t)(U32(bi) + (U32(ii) << P(ki))) + P(oi)
#define EAX(bi, ii, ki, oi, n)                                                 \
	EAX_G(bi, ii, ki, oi);                                                 \
	if (OOB(ea + (n)))                                                     \
	TRAP(TRAP_OOB)

/* [op][dst][addr][offset] */
#define LOAD_(CASE, EAS, T, conv)                                              \
	CASE                                                                   \
	{                                                                      \
		EAS;                                                           \
		T v_;                                                          \
		memcpy(&v_, mem_base + ea, sizeof v_);                         \
		fp[P(1)] = conv(v_);                                           \
		STEP(4);                                                       \
		vmbreak;                                                       \
	}
#define LOAD(OP, T, conv)                                                      \
	LOAD_(vmcase(OP), EA_G(2, 3), T, conv)                                 \
	LOAD_(vmcase_chk(OP), EA(2, 3, sizeof(T)), T, conv)

/*
 * [op][dst][a][addr][offset]: a OP (T loaded from addr + offset). The
 * loaded bits go through memcpy into T, as a separate load would.
 */
#define LOAD_OP_(CASE, EAS, T, RD, WR, sym)                                    \
	CASE                                                                   \
	{                                                                      \
		T a = RD(2), b;                                                \
		EAS;                                                           \
		memcpy(&b, mem_base + ea, sizeof b);                           \
		WR(1, a sym b);                                                \
		STEP(5);                                                       \
		vmbreak;                                                       \
	}
#define LOAD_OP(OP, T, RD, WR, sym)                                            \
	LOAD_OP_(vmcase(OP), EA_G(3, 4), T, RD, WR, sym)                       \
	LOAD_OP_(vmcase_chk(OP), EA(3, 4, sizeof(T)), T, RD, WR, sym)

/* [op][dst][base][idx][k][offset]: address (u32)(base + (idx << k)). */
#define LOADX_(CASE, EAS, T, conv)                                             \
	CASE                                                                   \
	{                                                                      \
		EAS;                                                           \
		T v_;                                                          \
		memcpy(&v_, mem_base + ea, sizeof v_);                         \
		fp[P(1)] = conv(v_);                                           \
		STEP(6);                                                       \
		vmbreak;                                                       \
	}
#define LOADX(OP, T, conv)                                                     \
	LOADX_(vmcase(OP), EAX_G(2, 3, 4, 5), T, conv)                         \
	LOADX_(vmcase_chk(OP), EAX(2, 3, 4, 5, sizeof(T)), T, conv)

/* [op][base][idx][k][value][offset] */
#define STOREX_(CASE, EAS, T)                                                  \
	CASE                                                                   \
	{                                                                      \
		EAS;                                                           \
		T v_ = (T)fp[P(4)];                                            \
		memcpy(mem_base + ea, &v_, sizeof v_);                         \
		STEP(6);                                                       \
		vmbreak;                                                       \
	}
#define STOREX(OP, T)                                                          \
	STOREX_(vmcase(OP), EAX_G(1, 2, 3, 5), T)                              \
	STOREX_(vmcase_chk(OP), EAX(1, 2, 3, 5, sizeof(T)), T)

/* [op][addr][value][offset] */
#define STORE_(CASE, EAS, T)                                                   \
	CASE                                                                   \
	{                                                                      \
		EAS;                                                           \
		T v_ = (T)fp[P(2)];                                            \
		memcpy(mem_base + ea, &v_, sizeof v_);                         \
		STEP(4);                                                       \
		vmbreak;                                                       \
	}
#define STORE(OP, T)                                                           \
	STORE_(vmcase(OP), EA_G(1, 3), T)                                      \
	STORE_(vmcase_chk(OP), EA(1, 3, sizeof(T)), T)

/* Every opcode defined by LOAD, LOAD_OP, LOADX, STOREX or STORE. */
#define VM_MEM_OPS(X)                                                          \
	X(WASM_OP_I32_LOAD) X(WASM_OP_I64_LOAD) X(WASM_OP_F32_LOAD)            \
	X(WASM_OP_F64_LOAD) X(WASM_OP_I32_LOAD8_S) X(WASM_OP_I32_LOAD8_U)      \
	X(WASM_OP_I32_LOAD16_S) X(WASM_OP_I32_LOAD16_U)                        \
	X(WASM_OP_I64_LOAD8_S) X(WASM_OP_I64_LOAD8_U)                          \
	X(WASM_OP_I64_LOAD16_S) X(WASM_OP_I64_LOAD16_U)                        \
	X(WASM_OP_I64_LOAD32_S) X(WASM_OP_I64_LOAD32_U)                        \
	X(WASM_OP_I32_STORE) X(WASM_OP_I64_STORE) X(WASM_OP_F32_STORE)         \
	X(WASM_OP_F64_STORE) X(WASM_OP_I32_STORE8) X(WASM_OP_I32_STORE16)      \
	X(WASM_OP_I64_STORE8) X(WASM_OP_I64_STORE16) X(WASM_OP_I64_STORE32)    \
	X(VMOP_I32_LOAD_X) X(VMOP_I64_LOAD_X) X(VMOP_F32_LOAD_X)               \
	X(VMOP_F64_LOAD_X) X(VMOP_I32_LOAD8_S_X) X(VMOP_I32_LOAD8_U_X)         \
	X(VMOP_I32_LOAD16_S_X) X(VMOP_I32_LOAD16_U_X)                          \
	X(VMOP_I32_STORE_X) X(VMOP_I64_STORE_X) X(VMOP_F32_STORE_X)            \
	X(VMOP_F64_STORE_X) X(VMOP_I32_STORE8_X) X(VMOP_I32_STORE16_X)         \
	X(VMOP_I32_ADD_LOAD) X(VMOP_I32_SUB_LOAD) X(VMOP_I32_MUL_LOAD)         \
	X(VMOP_I32_AND_LOAD) X(VMOP_I32_OR_LOAD) X(VMOP_I32_XOR_LOAD)          \
	X(VMOP_I64_ADD_LOAD) X(VMOP_I64_SUB_LOAD) X(VMOP_I64_MUL_LOAD)         \
	X(VMOP_F32_ADD_LOAD) X(VMOP_F32_SUB_LOAD) X(VMOP_F32_MUL_LOAD)         \
	X(VMOP_F64_ADD_LOAD) X(VMOP_F64_SUB_LOAD) X(VMOP_F64_MUL_LOAD)         \
	X(VMOP_V128_LOAD) X(VMOP_V128_STORE) X(VMOP_V128_LOAD32_SPLAT)         \
	X(VMOP_V128_LOAD64_SPLAT)

/*
 * The SIMD fast forms (VM_SIMD_FAST_OPS). v128 operands are two slots
 * (v128_get, v128_put).
 */
#define V128_BIN(OP, F, expr)                                                  \
	vmcase(OP)                                                             \
	{                                                                      \
		v128 a = v128_get(fp + P(2)), b = v128_get(fp + P(3)), r;      \
		r.F = (expr);                                                  \
		v128_put(fp + P(1), r);                                        \
		STEP(4);                                                       \
		vmbreak;                                                       \
	}
#define V128_UN(OP, F, expr)                                                   \
	vmcase(OP)                                                             \
	{                                                                      \
		v128 a = v128_get(fp + P(2)), r;                               \
		r.F = (expr);                                                  \
		v128_put(fp + P(1), r);                                        \
		STEP(3);                                                       \
		vmbreak;                                                       \
	}
#define V128_SPLAT(OP, F, VT, T)                                               \
	vmcase(OP)                                                             \
	{                                                                      \
		v128 r;                                                        \
		T x_;                                                          \
		memcpy(&x_, fp + P(2), sizeof x_);                             \
		r.F = (VT){0} + x_;                                            \
		v128_put(fp + P(1), r);                                        \
		STEP(3);                                                       \
		vmbreak;                                                       \
	}
/* extract_lane of 32- and 64-bit lanes: [dst][src][lane] */
#define V128_EXTRACT(OP, T)                                                    \
	vmcase(OP)                                                             \
	{                                                                      \
		T x_;                                                          \
		memcpy(&x_, (const char *)(fp + P(2)) + P(3) * sizeof x_,      \
		       sizeof x_);                                             \
		fp[P(1)] = x_;                                                 \
		STEP(4);                                                       \
		vmbreak;                                                       \
	}
#define V128_LOAD_(CASE, EAS)                                                  \
	CASE                                                                   \
	{                                                                      \
		EAS;                                                           \
		v128 r;                                                        \
		memcpy(&r, mem_base + ea, 16);                                 \
		v128_put(fp + P(1), r);                                        \
		STEP(4);                                                       \
		vmbreak;                                                       \
	}
#define V128_LOAD_SPLAT_(CASE, EAS, F, VT, T)                                  \
	CASE                                                                   \
	{                                                                      \
		EAS;                                                           \
		T x_;                                                          \
		v128 r;                                                        \
		memcpy(&x_, mem_base + ea, sizeof x_);                         \
		r.F = (VT){0} + x_;                                            \
		v128_put(fp + P(1), r);                                        \
		STEP(4);                                                       \
		vmbreak;                                                       \
	}
#define V128_STORE_(CASE, EAS)                                                 \
	CASE                                                                   \
	{                                                                      \
		EAS;                                                           \
		v128 r = v128_get(fp + P(2));                                  \
		memcpy(mem_base + ea, &r, 16);                                 \
		STEP(4);                                                       \
		vmbreak;                                                       \
	}

/* [op][dst][a][b] with a, b of type AT read by RD; result written by WR. */
#define BINOP(OP, AT, RD, WR, expr)                                            \
	vmcase(OP)                                                             \
	{                                                                      \
		AT a = RD(2), b = RD(3);                                       \
		WR(1, expr);                                                   \
		STEP(4);                                                       \
		vmbreak;                                                       \
	}

/* [op][dst][a][imm]: imm sign-extended to AT. */
#define BINOP_IMM(OP, AT, RD, WR, expr)                                        \
	vmcase(OP)                                                             \
	{                                                                      \
		AT a = RD(2), b = (AT)(int32_t)P(3);                           \
		WR(1, expr);                                                   \
		STEP(4);                                                       \
		vmbreak;                                                       \
	}

/* [op][a][imm][off]: fused compare with an immediate and branch. */
#define BR_CMP_IMM(OP, AT, RD, cmp)                                            \
	vmcase(OP)                                                             \
	{                                                                      \
		AT a = RD(1), b = (AT)(int32_t)P(2);                           \
		if (a cmp b)                                                   \
			JUMP(3);                                               \
		STEP(4);                                                       \
		vmbreak;                                                       \
	}

/* [op][dst][a] */
#define UNOP(OP, AT, RD, WR, expr)                                             \
	vmcase(OP)                                                             \
	{                                                                      \
		AT a = RD(2);                                                  \
		WR(1, expr);                                                   \
		STEP(3);                                                       \
		vmbreak;                                                       \
	}

/* Trapping float-to-integer truncation; 'lo' and 'hi' are exclusive. */
#define TRUNC(OP, FT, RD, WR, RT, lo, hi)                                      \
	vmcase(OP)                                                             \
	{                                                                      \
		FT a = RD(2);                                                  \
		if (a != a)                                                    \
			TRAP("invalid conversion to integer");                 \
		if (!(a > (lo) && a < (hi)))                                   \
			TRAP("integer overflow");                              \
		WR(1, (RT)a);                                                  \
		STEP(3);                                                       \
		vmbreak;                                                       \
	}

/* [op][a][b][off]: fused compare and branch. */
#define BR_CMP(OP, AT, RD, cmp)                                                \
	vmcase(OP)                                                             \
	{                                                                      \
		AT a = RD(1), b = RD(2);                                       \
		if (a cmp b)                                                   \
			JUMP(3);                                               \
		STEP(4);                                                       \
		vmbreak;                                                       \
	}

/* [op][a][off] */
#define BR_TEST(OP, RD, cond)                                                  \
	vmcase(OP)                                                             \
	{                                                                      \
		if (RD(1) cond)                                                \
			JUMP(2);                                               \
		STEP(3);                                                       \
		vmbreak;                                                       \
	}

/* [op][...]: a cold helper from vm_interp_cold.c, 'n' cells long. */
#define COLD(OP, fn, n)                                                        \
	vmcase(OP)                                                             \
	{                                                                      \
		const char *msg_ = fn(inst, fp, pc + VM_HANDLER_CELLS - 1);    \
		if (WX_UNLIKELY(msg_ != NULL))                                 \
			TRAP(msg_);                                            \
		STEP((n));                                                     \
		vmbreak;                                                       \
	}

/*
 * throw / throw_ref: vm_eh.c unwinds to the handler (or traps). The
 * state goes through a struct so that no local's address is taken.
 */
#define EH_THROW(ref)                                                          \
	{                                                                      \
		struct vm_eh_state st_ = {pc, fp, inst, depth};                \
		const char *msg_ = vm_eh_throw(th, &st_, (ref));               \
		if (msg_ != NULL)                                              \
			TRAP(msg_);                                            \
		pc = st_.pc;                                                   \
		fp = st_.fp;                                                   \
		depth = st_.depth;                                             \
		inst = st_.inst;                                               \
		LOAD_INSTANCE();                                               \
		vmbreak;                                                       \
	}

/*
 * Pops the frame record: back to the caller (its instance, memory size).
 * A plain block, not do/while: under the switch build 'vmresume' is
 * 'continue', which must reach the dispatch loop.
 */
#define RETURN_TO_CALLER()                                                     \
	{                                                                      \
		ret = &frames[--depth];                                        \
		pc = ret->pc;                                                  \
		fp = ret->fp;                                                  \
		if (ret->inst != inst) {                                       \
			inst = ret->inst;                                      \
			LOAD_INSTANCE();                                       \
		} else {                                                       \
			mem_size = MEM_SIZE_NOW(mem0);                         \
		}                                                              \
		vmresume;                                                      \
	}

/* A memory every instance without one points at: size 0, so all traps. */
static struct vm_memory no_memory;

#define LOAD_INSTANCE()                                                        \
	do {                                                                   \
		funcs = inst->funcs;                                           \
		gvals = inst->global_values;                                   \
		mem0 =                                                         \
		    inst->module->nmemories ? inst->memories[0] : &no_memory;  \
		mem_base = mem0->base;                                         \
		mem_size = MEM_SIZE_NOW(mem0);                                 \
	} while (0)

/* The guarded table, then the checked one (vm_interp_handlers_for). */
static uint64_t handler_cells[2 * VMOP_COUNT_];
static int handlers_ready;
/* The code the entry frame returns to: one EXIT instruction. */
static uint32_t exit_cells[VM_HANDLER_CELLS];
/* What a checkpointed frame returns to: one JMP_RET (vm_jmp.c). */
uint32_t vm_jmp_hook_cells[VM_HANDLER_CELLS];

/* Writes the handler of 'op' into the cells at 'cells'. */
static void put_handler(uint32_t *cells, unsigned op)
{
	cells[0] = (uint32_t)handler_cells[op];
	if (VM_HANDLER_CELLS == 2)
		cells[VM_HANDLER_CELLS - 1] =
		    (uint32_t)(handler_cells[op] >> 32);
}

const uint32_t *vm_interp_exit_pc(void)
{
	return exit_cells;
}

/* Where a longjmp resumes a level of the interpreter (vm_jmp_land). */
struct interp_resume {
	const uint32_t *pc;
	uint64_t *fp;
	struct vm_instance *inst;
	uint32_t depth;
};

static int interp(struct vm_thread *th, struct vm_func *entry, uint64_t *args,
                  uint64_t *export_handlers,
                  const struct interp_resume *resume);

/* Whether op has a checked twin (VM_MEM_OPS). */
static const uint8_t is_mem_op[VMOP_COUNT_] = {
#define VM_X(op) [op] = 1,
    VM_MEM_OPS(VM_X)
#undef VM_X
};

const uint64_t *vm_interp_handlers(void)
{
	if (!__atomic_load_n(&handlers_ready, __ATOMIC_ACQUIRE)) {
		interp(NULL, NULL, NULL, handler_cells, NULL);
		put_handler(exit_cells, VMOP_EXIT);
		put_handler(vm_jmp_hook_cells, VMOP_JMP_RET);
		__atomic_store_n(&handlers_ready, 1, __ATOMIC_RELEASE);
	}
	return handler_cells;
}

const uint64_t *vm_interp_handlers_for(const struct vm_store *s,
                                       const struct vm_instance *inst)
{
	const uint64_t *h = vm_interp_handlers();
	const struct vm_memory *m =
	    inst->module->nmemories ? inst->memories[0] : NULL;

	/* Fuel: a fault would lose the slice interp() has not given back. */
	if (m != NULL && (!m->guarded || s->cfg.fuel != 0))
		return h + VMOP_COUNT_;
	return h;
}

/* Runs 'f' (or resumes at 'first'), and the longjmps that land in this
 * level. */
static int interp_level(struct vm_thread *th, struct vm_func *f,
                        uint64_t *fp, const struct interp_resume *first)
{
	const uint32_t base_depth = th->depth;
	struct interp_resume r;
	int rc;

	rc = interp(th, f, fp, NULL, first);
	/*
	 * A longjmp whose target frame is in this level: resume it there.
	 * Done out here, not in the loop, where it would cost GCC registers.
	 */
	while (WX_UNLIKELY(rc == VM_EJUMP)) {
		r.pc = vm_jmp_land(th, base_depth, &r.depth, &r.fp, &r.inst);
		if (r.pc == NULL)
			break;
		rc = interp(th, f, fp, NULL, &r);
	}
	return rc;
}

/*
 * A fault in a guarded memory (vm_guard.c) lands at the sigsetjmp here,
 * once per vm_invoke level rather than per access, and leaves the thread
 * as interp()'s 'trap' exit does: depth and stack top as at entry, the
 * message in th->diag. Snapshots (vm_jmp.c) are left as a TRAP leaves
 * them.
 */
static int interp_guarded(struct vm_thread *th, struct vm_func *f,
                          uint64_t *fp, const struct interp_resume *first)
{
	struct vm_guard_jmp g;
	int rc;

	vm_interp_handlers();
	g.prev = vm_guard_cur;
	g.depth = th->depth;
	g.top = th->stack_top;
	if (sigsetjmp(g.env, 0) != 0) {
		vm_guard_cur = g.prev;
		th->depth = g.depth;
		th->stack_top = g.top;
		return vm_trap(th, TRAP_OOB);
	}
	vm_guard_cur = &g;
	rc = interp_level(th, f, fp, first);
	vm_guard_cur = g.prev;
	return rc;
}

int vm_interp_run(struct vm_thread *th, struct vm_func *f, uint64_t *fp)
{
	if (f->native_run != NULL) {
		int rc = f->native_run(th, f, fp);
		if (WX_UNLIKELY(rc == VM_ETHROW)) {
			/* A compiled level's uncaught exception (src/aot/). */
			th->exn_escaped = th->exn_pending;
			th->exn_pending = 0;
			rc = vm_trap(th, "uncaught exception");
		}
		return rc;
	}
	return interp_guarded(th, f, fp, NULL);
}

int vm_interp_resume(struct vm_thread *th, const struct vm_jmp_resume *r)
{
	struct interp_resume first = {r->pc, r->fp, r->inst, r->depth};

	return interp_guarded(th, NULL, r->base, &first);
}

/*
 * Takes the next slice of fuel (or a polling interval) for 'budget'.
 * THREADS: the fuel is the store's, shared by its threads.
 */
int64_t vm_fuel_take(struct vm_store *s)
{
	if (s->cfg.fuel == 0)
		return s->fuel_chunk;
	uint64_t left = __atomic_load_n(&s->fuel_left, __ATOMIC_RELAXED);
	int64_t take;
	do {
		take = left < (uint64_t)s->fuel_chunk ? (int64_t)left
		                                       : s->fuel_chunk;
	} while (!__atomic_compare_exchange_n(&s->fuel_left, &left,
	                                      left - (uint64_t)take, true,
	                                      __ATOMIC_RELAXED,
	                                      __ATOMIC_RELAXED));
	return take;
}

/* Gives back an unused slice when the loop exits. */
void vm_fuel_return(struct vm_store *s, int64_t budget)
{
	if (s->cfg.fuel != 0 && budget > 0)
		__atomic_fetch_add(&s->fuel_left, (uint64_t)budget,
		                   __ATOMIC_RELAXED);
}

static int interp(struct vm_thread *th, struct vm_func *entry, uint64_t *args,
                  uint64_t *export_handlers,
                  const struct interp_resume *resume)
{
#ifndef WX_DISPATCH_SWITCH
	static const void *const labels[VMOP_COUNT_] = {
#define WASM_OP(prefix, code, ident, name, imm, sig, align)                    \
	[WASM_OP_##ident] = &&L_WASM_OP_##ident,
#define WASM_SIMD_OP(prefix, code, ident, name, imm, sig, align)               \
	[WASM_OP_##ident] = &&L_SIMD_NEVER,
#include "wasm/wasm_ops.def"
#undef WASM_SIMD_OP
#undef WASM_OP
#define VM_X(name) [VMOP_##name] = &&L_VMOP_##name,
	    VM_INTERNAL_OPS(VM_X)
#undef VM_X
	};
	static const void *const labels_chk[VMOP_COUNT_] = {
#define VM_X(op) [op] = &&L_CHK_##op,
	    VM_MEM_OPS(VM_X)
#undef VM_X
	};
#endif
	if (export_handlers != NULL) {
		for (int i = 0; i < VMOP_COUNT_; i++) {
#ifdef WX_DISPATCH_SWITCH
			export_handlers[i] = i;
			export_handlers[VMOP_COUNT_ + i] =
			    is_mem_op[i] ? (uint64_t)VM_CHK(i) : (uint64_t)i;
#else
			export_handlers[i] = (uintptr_t)labels[i];
			export_handlers[VMOP_COUNT_ + i] =
			    (uintptr_t)(is_mem_op[i] ? labels_chk[i] : labels[i]);
#endif
		}
		return 0;
	}

	struct vm_store *const s = th->store;
	struct vm_frame *const frames = th->frames;
	const uint32_t base_depth = th->depth;
	const uint32_t max_depth = s->cfg.max_call_depth;
	uint64_t *const stack_end = th->stack_end;
	uint64_t *const saved_top = th->stack_top;
	uint32_t depth = base_depth;
	int64_t budget = vm_fuel_take(s);
	const char *trap_msg = NULL;
	int rc;

	const uint32_t *pc = exit_cells; /* the entry frame returns to EXIT */
	uint64_t *fp = NULL;
	struct vm_instance *inst = NULL;
	struct vm_func **funcs = NULL;
	uint64_t **gvals = NULL;
	struct vm_memory *mem0 = &no_memory;
	uint8_t *mem_base = NULL;
	uint64_t mem_size = 0;
	struct vm_func *callee = entry;
	const struct vm_frame *ret;
	uint64_t *nfp = args;

	if (WX_UNLIKELY(resume != NULL)) {
		/* Frames base_depth .. resume->depth - 1 are still in place. */
		depth = resume->depth;
		fp = resume->fp;
		inst = resume->inst;
		pc = resume->pc;
		goto jmp_land;
	}
	inst = entry->inst;
	LOAD_INSTANCE();
	goto do_call;

	for (;;) {
		vmdispatch(*pc)
		{
			/* ---- internal moves, constants, branches ---- */
			vmcase(VMOP_MOV)
			{
				fp[P(1)] = fp[P(2)];
				STEP(3);
				vmbreak;
			}
			vmcase(VMOP_MOV2)
			{
				fp[P(1)] = fp[P(2)];
				fp[P(3)] = fp[P(4)];
				STEP(5);
				vmbreak;
			}
			vmcase(VMOP_CONST32)
			{
				fp[P(1)] = P(2);
				STEP(3);
				vmbreak;
			}
			vmcase(VMOP_CONST64)
			{
				fp[P(1)] = P(2) | (uint64_t)P(3) << 32;
				STEP(4);
				vmbreak;
			}
			vmcase(VMOP_BR)
			{
				JUMP(1);
			}
			BR_TEST(VMOP_BR_NZ, U32, != 0)
			BR_TEST(VMOP_BR_Z, U32, == 0)
			BR_TEST(VMOP_BR_I32_EQZ, U32, == 0)
			BR_TEST(VMOP_BR_I32_NEZ, U32, != 0)
			BR_TEST(VMOP_BR_I64_EQZ, U64, == 0)
			BR_TEST(VMOP_BR_I64_NEZ, U64, != 0)
			BR_CMP(VMOP_BR_I32_EQ, uint32_t, U32, ==)
			BR_CMP(VMOP_BR_I32_NE, uint32_t, U32, !=)
			BR_CMP(VMOP_BR_I32_LT_S, int32_t, S32, <)
			BR_CMP(VMOP_BR_I32_LT_U, uint32_t, U32, <)
			BR_CMP(VMOP_BR_I32_GT_S, int32_t, S32, >)
			BR_CMP(VMOP_BR_I32_GT_U, uint32_t, U32, >)
			BR_CMP(VMOP_BR_I32_LE_S, int32_t, S32, <=)
			BR_CMP(VMOP_BR_I32_LE_U, uint32_t, U32, <=)
			BR_CMP(VMOP_BR_I32_GE_S, int32_t, S32, >=)
			BR_CMP(VMOP_BR_I32_GE_U, uint32_t, U32, >=)
			BR_CMP(VMOP_BR_I64_EQ, uint64_t, U64, ==)
			BR_CMP(VMOP_BR_I64_NE, uint64_t, U64, !=)
			BR_CMP(VMOP_BR_I64_LT_S, int64_t, S64, <)
			BR_CMP(VMOP_BR_I64_LT_U, uint64_t, U64, <)
			BR_CMP(VMOP_BR_I64_GT_S, int64_t, S64, >)
			BR_CMP(VMOP_BR_I64_GT_U, uint64_t, U64, >)
			BR_CMP(VMOP_BR_I64_LE_S, int64_t, S64, <=)
			BR_CMP(VMOP_BR_I64_LE_U, uint64_t, U64, <=)
			BR_CMP(VMOP_BR_I64_GE_S, int64_t, S64, >=)
			BR_CMP(VMOP_BR_I64_GE_U, uint64_t, U64, >=)
			vmcase(VMOP_BR_TABLE)
			{
				uint32_t i = U32(1), n = P(2);
				JUMP(3 + (i < n ? i : n));
			}
			vmcase(VMOP_SELECT)
			{
				fp[P(1)] = U32(4) ? fp[P(2)] : fp[P(3)];
				STEP(5);
				vmbreak;
			}
			vmcase(VMOP_GLOBAL_GET)
			{
				fp[P(1)] = *gvals[P(2)];
				STEP(3);
				vmbreak;
			}
			vmcase(VMOP_GLOBAL_SET)
			{
				*gvals[P(2)] = fp[P(1)];
				STEP(3);
				vmbreak;
			}
			vmcase(VMOP_GLOBAL_GET_TL)
			{
				if (WX_UNLIKELY(P(2) >= th->ntl) &&
				    vm_thread_tl(th, P(2)) == NULL)
					TRAP("out of memory");
				fp[P(1)] = th->tl[P(2)];
				STEP(3);
				vmbreak;
			}
			vmcase(VMOP_GLOBAL_SET_TL)
			{
				if (WX_UNLIKELY(P(2) >= th->ntl) &&
				    vm_thread_tl(th, P(2)) == NULL)
					TRAP("out of memory");
				th->tl[P(2)] = fp[P(1)];
				STEP(3);
				vmbreak;
			}
			vmcase(VMOP_REF_FUNC)
			{
				fp[P(1)] = (uintptr_t)funcs[P(2)];
				STEP(3);
				vmbreak;
			}
			vmcase(WASM_OP_REF_IS_NULL)
			{
				SET32(1, fp[P(2)] == 0);
				STEP(3);
				vmbreak;
			}
			/* ---- immediate second operand: [op][dst][a][imm] ----
			 */
			LOADX(VMOP_I32_LOAD_X, uint32_t, (uint32_t))
			LOADX(VMOP_I64_LOAD_X, uint64_t, (uint64_t))
			LOADX(VMOP_F32_LOAD_X, uint32_t, (uint32_t))
			LOADX(VMOP_F64_LOAD_X, uint64_t, (uint64_t))
			LOADX(VMOP_I32_LOAD8_S_X, int8_t, (uint32_t)(int32_t))
			LOADX(VMOP_I32_LOAD8_U_X, uint8_t, (uint32_t))
			LOADX(VMOP_I32_LOAD16_S_X, int16_t, (uint32_t)(int32_t))
			LOADX(VMOP_I32_LOAD16_U_X, uint16_t, (uint32_t))
			STOREX(VMOP_I32_STORE_X, uint32_t)
			STOREX(VMOP_I64_STORE_X, uint64_t)
			STOREX(VMOP_F32_STORE_X, uint32_t)
			STOREX(VMOP_F64_STORE_X, uint64_t)
			STOREX(VMOP_I32_STORE8_X, uint8_t)
			STOREX(VMOP_I32_STORE16_X, uint16_t)
			LOAD_OP(VMOP_I32_ADD_LOAD, uint32_t, U32, SET32, +)
			LOAD_OP(VMOP_I32_SUB_LOAD, uint32_t, U32, SET32, -)
			LOAD_OP(VMOP_I32_MUL_LOAD, uint32_t, U32, SET32, *)
			LOAD_OP(VMOP_I32_AND_LOAD, uint32_t, U32, SET32, &)
			LOAD_OP(VMOP_I32_OR_LOAD, uint32_t, U32, SET32, |)
			LOAD_OP(VMOP_I32_XOR_LOAD, uint32_t, U32, SET32, ^)
			LOAD_OP(VMOP_I64_ADD_LOAD, uint64_t, U64, SET64, +)
			LOAD_OP(VMOP_I64_SUB_LOAD, uint64_t, U64, SET64, -)
			LOAD_OP(VMOP_I64_MUL_LOAD, uint64_t, U64, SET64, *)
			LOAD_OP(VMOP_F32_ADD_LOAD, float, F32, SETF32, +)
			LOAD_OP(VMOP_F32_SUB_LOAD, float, F32, SETF32, -)
			LOAD_OP(VMOP_F32_MUL_LOAD, float, F32, SETF32, *)
			LOAD_OP(VMOP_F64_ADD_LOAD, double, F64, SETF64, +)
			LOAD_OP(VMOP_F64_SUB_LOAD, double, F64, SETF64, -)
			LOAD_OP(VMOP_F64_MUL_LOAD, double, F64, SETF64, *)
			vmcase(VMOP_I32_ADD_SHL)
			{
				uint32_t a = U32(2), b = U32(3);
				SET32(1, a + (b << P(4)));
				STEP(5);
				vmbreak;
			}
			BINOP_IMM(VMOP_I32_ADD_IMM, uint32_t, U32, SET32, a + b)
			BINOP_IMM(VMOP_I32_SUB_IMM, uint32_t, U32, SET32, a - b)
			BINOP_IMM(VMOP_I32_MUL_IMM, uint32_t, U32, SET32, a * b)
			BINOP_IMM(VMOP_I32_AND_IMM, uint32_t, U32, SET32, a & b)
			BINOP_IMM(VMOP_I32_OR_IMM, uint32_t, U32, SET32, a | b)
			BINOP_IMM(VMOP_I32_XOR_IMM, uint32_t, U32, SET32, a ^ b)
			BINOP_IMM(VMOP_I32_SHL_IMM, uint32_t, U32, SET32,
			          a << (b & 31))
			BINOP_IMM(VMOP_I32_SHR_S_IMM, uint32_t, U32, SET32,
			          (uint32_t)((int32_t)a >> (b & 31)))
			BINOP_IMM(VMOP_I32_SHR_U_IMM, uint32_t, U32, SET32,
			          a >> (b & 31))
			BINOP_IMM(VMOP_I64_ADD_IMM, uint64_t, U64, SET64, a + b)
			BINOP_IMM(VMOP_I64_SUB_IMM, uint64_t, U64, SET64, a - b)
			BINOP_IMM(VMOP_I64_MUL_IMM, uint64_t, U64, SET64, a * b)
			BINOP_IMM(VMOP_I64_AND_IMM, uint64_t, U64, SET64, a & b)
			BINOP_IMM(VMOP_I64_OR_IMM, uint64_t, U64, SET64, a | b)
			BINOP_IMM(VMOP_I64_XOR_IMM, uint64_t, U64, SET64, a ^ b)
			BINOP_IMM(VMOP_I64_SHL_IMM, uint64_t, U64, SET64,
			          a << (b & 63))
			BINOP_IMM(VMOP_I64_SHR_S_IMM, uint64_t, U64, SET64,
			          (uint64_t)((int64_t)a >> (b & 63)))
			BINOP_IMM(VMOP_I64_SHR_U_IMM, uint64_t, U64, SET64,
			          a >> (b & 63))
			BINOP_IMM(VMOP_I32_EQ_IMM, uint32_t, U32, SET32, a == b)
			BINOP_IMM(VMOP_I32_NE_IMM, uint32_t, U32, SET32, a != b)
			BINOP_IMM(VMOP_I32_LT_S_IMM, int32_t, S32, SET32, a < b)
			BINOP_IMM(VMOP_I32_LT_U_IMM, uint32_t, U32, SET32,
			          a < b)
			BINOP_IMM(VMOP_I32_GT_S_IMM, int32_t, S32, SET32, a > b)
			BINOP_IMM(VMOP_I32_GT_U_IMM, uint32_t, U32, SET32,
			          a > b)
			BINOP_IMM(VMOP_I32_LE_S_IMM, int32_t, S32, SET32,
			          a <= b)
			BINOP_IMM(VMOP_I32_LE_U_IMM, uint32_t, U32, SET32,
			          a <= b)
			BINOP_IMM(VMOP_I32_GE_S_IMM, int32_t, S32, SET32,
			          a >= b)
			BINOP_IMM(VMOP_I32_GE_U_IMM, uint32_t, U32, SET32,
			          a >= b)
			BR_CMP_IMM(VMOP_BR_I32_EQ_IMM, uint32_t, U32, ==)
			BR_CMP_IMM(VMOP_BR_I32_NE_IMM, uint32_t, U32, !=)
			BR_CMP_IMM(VMOP_BR_I32_LT_S_IMM, int32_t, S32, <)
			BR_CMP_IMM(VMOP_BR_I32_LT_U_IMM, uint32_t, U32, <)
			BR_CMP_IMM(VMOP_BR_I32_GT_S_IMM, int32_t, S32, >)
			BR_CMP_IMM(VMOP_BR_I32_GT_U_IMM, uint32_t, U32, >)
			BR_CMP_IMM(VMOP_BR_I32_LE_S_IMM, int32_t, S32, <=)
			BR_CMP_IMM(VMOP_BR_I32_LE_U_IMM, uint32_t, U32, <=)
			BR_CMP_IMM(VMOP_BR_I32_GE_S_IMM, int32_t, S32, >=)
			BR_CMP_IMM(VMOP_BR_I32_GE_U_IMM, uint32_t, U32, >=)

			/* ---- calls and returns ---- */
			vmcase(VMOP_CALL)
			{
				callee = funcs[P(1)];
				nfp = fp + P(2);
				STEP(3);
				goto do_call;
			}
			vmcase(VMOP_CALL_INDIRECT)
			{
				const struct vm_table *t = inst->tables[P(2)];
				uint32_t i = U32(4);
				if (WX_UNLIKELY(i >= t->size))
					TRAP("undefined element");
				callee =
				    (struct vm_func *)(uintptr_t)t->elems[i];
				if (WX_UNLIKELY(callee == NULL)) {
					rc = diag_set(
					    th->diag, WX_ETRAP,
					    "uninitialized element %u", i);
					goto out;
				}
				if (WX_UNLIKELY(callee->type_id != P(1)))
					TRAP("indirect call type mismatch");
				nfp = fp + P(3);
				STEP(5);
				goto do_call;
			}
			vmcase(VMOP_RETURN1)
			{
				/*
				 * The return itself is repeated here, not a
				 * 'goto do_return': where GCC places that
				 * block moves with unrelated handlers, and a
				 * jump costs every return one instruction.
				 */
				fp[0] = fp[P(1)];
				RETURN_TO_CALLER()
			}
			vmcase(VMOP_RETURN_CALL)
			{
				callee = funcs[P(1)];
				memmove(fp, fp + P(2), P(3) * sizeof *fp);
				goto do_tail_call;
			}
			vmcase(VMOP_RETURN_CALL_INDIRECT)
			{
				const struct vm_table *t = inst->tables[P(2)];
				uint32_t i = U32(4);
				if (WX_UNLIKELY(i >= t->size))
					TRAP("undefined element");
				callee =
				    (struct vm_func *)(uintptr_t)t->elems[i];
				if (WX_UNLIKELY(callee == NULL)) {
					rc = diag_set(
					    th->diag, WX_ETRAP,
					    "uninitialized element %u", i);
					goto out;
				}
				if (WX_UNLIKELY(callee->type_id != P(1)))
					TRAP("indirect call type mismatch");
				memmove(fp, fp + P(3), P(5) * sizeof *fp);
				goto do_tail_call;
			}
			vmcase(VMOP_THROW)
			{
				EH_THROW(false);
			}
			vmcase(VMOP_THROW_REF)
			{
				EH_THROW(true);
			}
			vmcase(VMOP_RETURN)
			{
				goto do_return;
			}
			vmcase(VMOP_EXIT)
			{
				goto done;
			}
			vmcase(VMOP_JMP_RET)
			{
				/* A frame that took a checkpoint returned. */
				pc = vm_jmp_returned(th, depth);
				vmbreak;
			}

			/* ---- memory ---- */
			LOAD(WASM_OP_I32_LOAD, uint32_t, (uint32_t))
			LOAD(WASM_OP_I64_LOAD, uint64_t, (uint64_t))
			LOAD(WASM_OP_F32_LOAD, uint32_t, (uint32_t))
			LOAD(WASM_OP_F64_LOAD, uint64_t, (uint64_t))
			LOAD(WASM_OP_I32_LOAD8_S, int8_t, (uint32_t)(int32_t))
			LOAD(WASM_OP_I32_LOAD8_U, uint8_t, (uint32_t))
			LOAD(WASM_OP_I32_LOAD16_S, int16_t, (uint32_t)(int32_t))
			LOAD(WASM_OP_I32_LOAD16_U, uint16_t, (uint32_t))
			LOAD(WASM_OP_I64_LOAD8_S, int8_t, (uint64_t)(int64_t))
			LOAD(WASM_OP_I64_LOAD8_U, uint8_t, (uint64_t))
			LOAD(WASM_OP_I64_LOAD16_S, int16_t, (uint64_t)(int64_t))
			LOAD(WASM_OP_I64_LOAD16_U, uint16_t, (uint64_t))
			LOAD(WASM_OP_I64_LOAD32_S, int32_t, (uint64_t)(int64_t))
			LOAD(WASM_OP_I64_LOAD32_U, uint32_t, (uint64_t))
			STORE(WASM_OP_I32_STORE, uint32_t)
			STORE(WASM_OP_I64_STORE, uint64_t)
			STORE(WASM_OP_F32_STORE, uint32_t)
			STORE(WASM_OP_F64_STORE, uint64_t)
			STORE(WASM_OP_I32_STORE8, uint8_t)
			STORE(WASM_OP_I32_STORE16, uint16_t)
			STORE(WASM_OP_I64_STORE8, uint8_t)
			STORE(WASM_OP_I64_STORE16, uint16_t)
			STORE(WASM_OP_I64_STORE32, uint32_t)
			vmcase(WASM_OP_MEMORY_SIZE)
			{
				mem_size = MEM_SIZE_NOW(mem0);
				SET32(1, mem_size / VM_PAGE_SIZE);
				STEP(2);
				vmbreak;
			}
			vmcase(WASM_OP_MEMORY_GROW)
			{
				vm_op_memory_grow(inst, fp,
				                  pc + VM_HANDLER_CELLS - 1);
				mem_size = MEM_SIZE_NOW(mem0);
				STEP(4);
				vmbreak;
			}
			COLD(WASM_OP_MEMORY_INIT, vm_op_memory_init, 6)
			COLD(WASM_OP_MEMORY_COPY, vm_op_memory_copy, 6)
			COLD(WASM_OP_MEMORY_FILL, vm_op_memory_fill, 5)
			COLD(WASM_OP_DATA_DROP, vm_op_data_drop, 2)
			COLD(WASM_OP_TABLE_GET, vm_op_table_get, 4)
			COLD(WASM_OP_TABLE_SET, vm_op_table_set, 4)
			COLD(WASM_OP_TABLE_SIZE, vm_op_table_size, 3)
			COLD(WASM_OP_TABLE_GROW, vm_op_table_grow, 5)
			COLD(WASM_OP_TABLE_FILL, vm_op_table_fill, 5)
			COLD(WASM_OP_TABLE_INIT, vm_op_table_init, 6)
			COLD(WASM_OP_TABLE_COPY, vm_op_table_copy, 6)
			COLD(WASM_OP_ELEM_DROP, vm_op_elem_drop, 2)
			vmcase(VMOP_MEMN)
			{
				unsigned n_;
				const char *msg_ = vm_op_memn(
				    inst, fp, pc + VM_HANDLER_CELLS - 1, &n_);
				if (WX_UNLIKELY(msg_ != NULL))
					TRAP(msg_);
				STEP(n_);
				vmbreak;
			}
			V128_LOAD_(vmcase(VMOP_V128_LOAD), EA_G(2, 3))
			V128_LOAD_(vmcase_chk(VMOP_V128_LOAD), EA(2, 3, 16))
			V128_LOAD_SPLAT_(vmcase(VMOP_V128_LOAD32_SPLAT), EA_G(2, 3), u32,
			                 u32x4, uint32_t)
			V128_LOAD_SPLAT_(vmcase_chk(VMOP_V128_LOAD32_SPLAT),
			                 EA(2, 3, 4), u32, u32x4, uint32_t)
			V128_LOAD_SPLAT_(vmcase(VMOP_V128_LOAD64_SPLAT), EA_G(2, 3), u64,
			                 u64x2, uint64_t)
			V128_LOAD_SPLAT_(vmcase_chk(VMOP_V128_LOAD64_SPLAT),
			                 EA(2, 3, 8), u64, u64x2, uint64_t)
			V128_STORE_(vmcase(VMOP_V128_STORE), EA_G(1, 3))
			V128_STORE_(vmcase_chk(VMOP_V128_STORE), EA(1, 3, 16))
			vmcase(VMOP_V128_CONST)
			{
				v128 r;
				memcpy(&r, pc + VM_HANDLER_CELLS + 1, 16);
				v128_put(fp + P(1), r);
				STEP(6);
				vmbreak;
			}
			V128_BIN(VMOP_I8X16_ADD, u8, a.u8 + b.u8)
			V128_BIN(VMOP_I8X16_SUB, u8, a.u8 - b.u8)
			V128_BIN(VMOP_I16X8_ADD, u16, a.u16 + b.u16)
			V128_BIN(VMOP_I16X8_SUB, u16, a.u16 - b.u16)
			V128_BIN(VMOP_I16X8_MUL, u16, a.u16 * b.u16)
			V128_BIN(VMOP_I32X4_ADD, u32, a.u32 + b.u32)
			V128_BIN(VMOP_I32X4_SUB, u32, a.u32 - b.u32)
			V128_BIN(VMOP_I32X4_MUL, u32, a.u32 * b.u32)
			V128_BIN(VMOP_I64X2_ADD, u64, a.u64 + b.u64)
			V128_BIN(VMOP_I64X2_SUB, u64, a.u64 - b.u64)
			V128_BIN(VMOP_F32X4_ADD, f32, a.f32 + b.f32)
			V128_BIN(VMOP_F32X4_SUB, f32, a.f32 - b.f32)
			V128_BIN(VMOP_F32X4_MUL, f32, a.f32 * b.f32)
			V128_BIN(VMOP_F32X4_DIV, f32, a.f32 / b.f32)
			V128_BIN(VMOP_F64X2_ADD, f64, a.f64 + b.f64)
			V128_BIN(VMOP_F64X2_SUB, f64, a.f64 - b.f64)
			V128_BIN(VMOP_F64X2_MUL, f64, a.f64 * b.f64)
			V128_BIN(VMOP_F64X2_DIV, f64, a.f64 / b.f64)
			V128_BIN(VMOP_V128_AND, u64, a.u64 & b.u64)
			V128_BIN(VMOP_V128_OR, u64, a.u64 | b.u64)
			V128_BIN(VMOP_V128_XOR, u64, a.u64 ^ b.u64)
			V128_BIN(VMOP_V128_ANDNOT, u64, a.u64 & ~b.u64)
			V128_BIN(VMOP_I8X16_EQ, i8, a.i8 == b.i8)
			V128_BIN(VMOP_I16X8_EQ, i16, a.i16 == b.i16)
			V128_BIN(VMOP_I32X4_EQ, i32, a.i32 == b.i32)
			V128_BIN(VMOP_I32X4_LT_S, i32, a.i32 < b.i32)
			V128_BIN(VMOP_I32X4_GT_S, i32, a.i32 > b.i32)
			V128_BIN(VMOP_F32X4_LT, i32, a.f32 < b.f32)
			V128_BIN(VMOP_F32X4_GT, i32, a.f32 > b.f32)
			V128_SPLAT(VMOP_I8X16_SPLAT, u8, u8x16, uint8_t)
			V128_SPLAT(VMOP_I16X8_SPLAT, u16, u16x8, uint16_t)
			V128_SPLAT(VMOP_I32X4_SPLAT, u32, u32x4, uint32_t)
			V128_SPLAT(VMOP_I64X2_SPLAT, u64, u64x2, uint64_t)
			V128_SPLAT(VMOP_F32X4_SPLAT, u32, u32x4, uint32_t)
			V128_SPLAT(VMOP_F64X2_SPLAT, u64, u64x2, uint64_t)
			V128_EXTRACT(VMOP_I32X4_EXTRACT_LANE, uint32_t)
			V128_EXTRACT(VMOP_F32X4_EXTRACT_LANE, uint32_t)
			V128_EXTRACT(VMOP_I64X2_EXTRACT_LANE, uint64_t)
			V128_EXTRACT(VMOP_F64X2_EXTRACT_LANE, uint64_t)
			/* u8 saturating: a wrapped sum is below a; a - b only
			 * where a > b. Pairwise sums: each wide lane's halves,
			 * sign- or zero-extended, added. */
			V128_BIN(VMOP_I8X16_ADD_SAT_U, u8,
			         (a.u8 + b.u8) | (u8x16)(a.u8 + b.u8 < a.u8))
			V128_BIN(VMOP_I8X16_SUB_SAT_U, u8,
			         (a.u8 - b.u8) & (u8x16)(a.u8 > b.u8))
			V128_UN(VMOP_I16X8_EXTADD_PAIRWISE_I8X16_S, i16,
			        ((a.i16 << 8) >> 8) + (a.i16 >> 8))
			V128_UN(VMOP_I16X8_EXTADD_PAIRWISE_I8X16_U, u16,
			        (a.u16 & 0xff) + (a.u16 >> 8))
			V128_UN(VMOP_I32X4_EXTADD_PAIRWISE_I16X8_S, i32,
			        ((a.i32 << 16) >> 16) + (a.i32 >> 16))
			V128_UN(VMOP_I32X4_EXTADD_PAIRWISE_I16X8_U, u32,
			        (a.u32 & 0xffff) + (a.u32 >> 16))
			vmcase(VMOP_SIMD)
			{
				/* An x86 form (vm_simd_x86.c) cannot trap: called
				 * here, without vm_op_simd in between. */
				const uint32_t *c_ = pc + VM_HANDLER_CELLS - 1;
				unsigned i_ = (c_[1] & 0xfffff) - VM_SIMD_FIRST;
				if (i_ < VM_SIMD_NOPS && vm_simd_forms[i_] != NULL) {
					vm_simd_forms[i_](fp, c_ + 2);
					STEP(c_[1] >> 20);
					vmbreak;
				}
				unsigned n_;
				const char *msg_ = vm_op_simd(
				    inst, fp, pc + VM_HANDLER_CELLS - 1, &n_);
				if (WX_UNLIKELY(msg_ != NULL))
					TRAP(msg_);
				STEP(n_);
				vmbreak;
			}
			vmcase(VMOP_ATOMIC)
			{
				unsigned n_;
				const char *msg_ = vm_op_atomic(
				    inst, fp, pc + VM_HANDLER_CELLS - 1, &n_);
				if (WX_UNLIKELY(msg_ != NULL))
					TRAP(msg_);
				STEP(n_);
				vmbreak;
			}

			/* ---- i32 ---- */
			UNOP(WASM_OP_I32_EQZ, uint32_t, U32, SET32, a == 0)
			BINOP(WASM_OP_I32_EQ, uint32_t, U32, SET32, a == b)
			BINOP(WASM_OP_I32_NE, uint32_t, U32, SET32, a != b)
			BINOP(WASM_OP_I32_LT_S, int32_t, S32, SET32, a < b)
			BINOP(WASM_OP_I32_LT_U, uint32_t, U32, SET32, a < b)
			BINOP(WASM_OP_I32_GT_S, int32_t, S32, SET32, a > b)
			BINOP(WASM_OP_I32_GT_U, uint32_t, U32, SET32, a > b)
			BINOP(WASM_OP_I32_LE_S, int32_t, S32, SET32, a <= b)
			BINOP(WASM_OP_I32_LE_U, uint32_t, U32, SET32, a <= b)
			BINOP(WASM_OP_I32_GE_S, int32_t, S32, SET32, a >= b)
			BINOP(WASM_OP_I32_GE_U, uint32_t, U32, SET32, a >= b)
			UNOP(WASM_OP_I32_CLZ, uint32_t, U32, SET32,
			     a ? __builtin_clz(a) : 32)
			UNOP(WASM_OP_I32_CTZ, uint32_t, U32, SET32,
			     a ? __builtin_ctz(a) : 32)
			UNOP(WASM_OP_I32_POPCNT, uint32_t, U32, SET32,
			     __builtin_popcount(a))
			BINOP(WASM_OP_I32_ADD, uint32_t, U32, SET32, a + b)
			BINOP(WASM_OP_I32_SUB, uint32_t, U32, SET32, a - b)
			BINOP(WASM_OP_I32_MUL, uint32_t, U32, SET32, a * b)
			vmcase(WASM_OP_I32_DIV_S)
			{
				int32_t a = S32(2), b = S32(3);
				if (WX_UNLIKELY(b == 0))
					TRAP("integer divide by zero");
				if (WX_UNLIKELY(a == INT32_MIN && b == -1))
					TRAP("integer overflow");
				SET32(1, a / b);
				STEP(4);
				vmbreak;
			}
			vmcase(WASM_OP_I32_DIV_U)
			{
				uint32_t a = U32(2), b = U32(3);
				if (WX_UNLIKELY(b == 0))
					TRAP("integer divide by zero");
				SET32(1, a / b);
				STEP(4);
				vmbreak;
			}
			vmcase(WASM_OP_I32_REM_S)
			{
				int32_t a = S32(2), b = S32(3);
				if (WX_UNLIKELY(b == 0))
					TRAP("integer divide by zero");
				SET32(1, b == -1 ? 0 : a % b);
				STEP(4);
				vmbreak;
			}
			vmcase(WASM_OP_I32_REM_U)
			{
				uint32_t a = U32(2), b = U32(3);
				if (WX_UNLIKELY(b == 0))
					TRAP("integer divide by zero");
				SET32(1, a % b);
				STEP(4);
				vmbreak;
			}
			BINOP(WASM_OP_I32_AND, uint32_t, U32, SET32, a & b)
			BINOP(WASM_OP_I32_OR, uint32_t, U32, SET32, a | b)
			BINOP(WASM_OP_I32_XOR, uint32_t, U32, SET32, a ^ b)
			BINOP(WASM_OP_I32_SHL, uint32_t, U32, SET32,
			      a << (b & 31))
			BINOP(WASM_OP_I32_SHR_S, uint32_t, U32, SET32,
			      (uint32_t)((int32_t)a >> (b & 31)))
			BINOP(WASM_OP_I32_SHR_U, uint32_t, U32, SET32,
			      a >> (b & 31))
			BINOP(WASM_OP_I32_ROTL, uint32_t, U32, SET32,
			      (a << (b & 31)) | (a >> ((32 - b) & 31)))
			BINOP(WASM_OP_I32_ROTR, uint32_t, U32, SET32,
			      (a >> (b & 31)) | (a << ((32 - b) & 31)))

			/* ---- i64 ---- */
			UNOP(WASM_OP_I64_EQZ, uint64_t, U64, SET32, a == 0)
			BINOP(WASM_OP_I64_EQ, uint64_t, U64, SET32, a == b)
			BINOP(WASM_OP_I64_NE, uint64_t, U64, SET32, a != b)
			BINOP(WASM_OP_I64_LT_S, int64_t, S64, SET32, a < b)
			BINOP(WASM_OP_I64_LT_U, uint64_t, U64, SET32, a < b)
			BINOP(WASM_OP_I64_GT_S, int64_t, S64, SET32, a > b)
			BINOP(WASM_OP_I64_GT_U, uint64_t, U64, SET32, a > b)
			BINOP(WASM_OP_I64_LE_S, int64_t, S64, SET32, a <= b)
			BINOP(WASM_OP_I64_LE_U, uint64_t, U64, SET32, a <= b)
			BINOP(WASM_OP_I64_GE_S, int64_t, S64, SET32, a >= b)
			BINOP(WASM_OP_I64_GE_U, uint64_t, U64, SET32, a >= b)
			UNOP(WASM_OP_I64_CLZ, uint64_t, U64, SET64,
			     a ? __builtin_clzll(a) : 64)
			UNOP(WASM_OP_I64_CTZ, uint64_t, U64, SET64,
			     a ? __builtin_ctzll(a) : 64)
			UNOP(WASM_OP_I64_POPCNT, uint64_t, U64, SET64,
			     __builtin_popcountll(a))
			BINOP(WASM_OP_I64_ADD, uint64_t, U64, SET64, a + b)
			BINOP(WASM_OP_I64_SUB, uint64_t, U64, SET64, a - b)
			BINOP(WASM_OP_I64_MUL, uint64_t, U64, SET64, a * b)
			vmcase(WASM_OP_I64_DIV_S)
			{
				int64_t a = S64(2), b = S64(3);
				if (WX_UNLIKELY(b == 0))
					TRAP("integer divide by zero");
				if (WX_UNLIKELY(a == INT64_MIN && b == -1))
					TRAP("integer overflow");
				SET64(1, a / b);
				STEP(4);
				vmbreak;
			}
			vmcase(WASM_OP_I64_DIV_U)
			{
				uint64_t a = U64(2), b = U64(3);
				if (WX_UNLIKELY(b == 0))
					TRAP("integer divide by zero");
				SET64(1, a / b);
				STEP(4);
				vmbreak;
			}
			vmcase(WASM_OP_I64_REM_S)
			{
				int64_t a = S64(2), b = S64(3);
				if (WX_UNLIKELY(b == 0))
					TRAP("integer divide by zero");
				SET64(1, b == -1 ? 0 : a % b);
				STEP(4);
				vmbreak;
			}
			vmcase(WASM_OP_I64_REM_U)
			{
				uint64_t a = U64(2), b = U64(3);
				if (WX_UNLIKELY(b == 0))
					TRAP("integer divide by zero");
				SET64(1, a % b);
				STEP(4);
				vmbreak;
			}
			BINOP(WASM_OP_I64_AND, uint64_t, U64, SET64, a & b)
			BINOP(WASM_OP_I64_OR, uint64_t, U64, SET64, a | b)
			BINOP(WASM_OP_I64_XOR, uint64_t, U64, SET64, a ^ b)
			BINOP(WASM_OP_I64_SHL, uint64_t, U64, SET64,
			      a << (b & 63))
			BINOP(WASM_OP_I64_SHR_S, uint64_t, U64, SET64,
			      (uint64_t)((int64_t)a >> (b & 63)))
			BINOP(WASM_OP_I64_SHR_U, uint64_t, U64, SET64,
			      a >> (b & 63))
			BINOP(WASM_OP_I64_ROTL, uint64_t, U64, SET64,
			      (a << (b & 63)) | (a >> ((64 - b) & 63)))
			BINOP(WASM_OP_I64_ROTR, uint64_t, U64, SET64,
			      (a >> (b & 63)) | (a << ((64 - b) & 63)))

			/* ---- f32 ---- */
			BINOP(WASM_OP_F32_EQ, float, F32, SET32, a == b)
			BINOP(WASM_OP_F32_NE, float, F32, SET32, a != b)
			BINOP(WASM_OP_F32_LT, float, F32, SET32, a < b)
			BINOP(WASM_OP_F32_GT, float, F32, SET32, a > b)
			BINOP(WASM_OP_F32_LE, float, F32, SET32, a <= b)
			BINOP(WASM_OP_F32_GE, float, F32, SET32, a >= b)
			UNOP(WASM_OP_F32_ABS, uint32_t, U32, SET32,
			     a & 0x7fffffffu)
			UNOP(WASM_OP_F32_NEG, uint32_t, U32, SET32,
			     a ^ 0x80000000u)
			UNOP(WASM_OP_F32_CEIL, float, F32, SETF32, f32_ceil(a))
			UNOP(WASM_OP_F32_FLOOR, float, F32, SETF32,
			     f32_floor(a))
			UNOP(WASM_OP_F32_TRUNC, float, F32, SETF32,
			     f32_trunc(a))
			UNOP(WASM_OP_F32_NEAREST, float, F32, SETF32,
			     f32_nearest(a))
			UNOP(WASM_OP_F32_SQRT, float, F32, SETF32, sqrtf(a))
			BINOP(WASM_OP_F32_ADD, float, F32, SETF32, a + b)
			BINOP(WASM_OP_F32_SUB, float, F32, SETF32, a - b)
			BINOP(WASM_OP_F32_MUL, float, F32, SETF32, a *b)
			BINOP(WASM_OP_F32_DIV, float, F32, SETF32, a / b)
			BINOP(WASM_OP_F32_MIN, float, F32, SETF32,
			      f32_min(a, b))
			BINOP(WASM_OP_F32_MAX, float, F32, SETF32,
			      f32_max(a, b))
			BINOP(WASM_OP_F32_COPYSIGN, uint32_t, U32, SET32,
			      (a & 0x7fffffffu) | (b & 0x80000000u))

			/* ---- f64 ---- */
			BINOP(WASM_OP_F64_EQ, double, F64, SET32, a == b)
			BINOP(WASM_OP_F64_NE, double, F64, SET32, a != b)
			BINOP(WASM_OP_F64_LT, double, F64, SET32, a < b)
			BINOP(WASM_OP_F64_GT, double, F64, SET32, a > b)
			BINOP(WASM_OP_F64_LE, double, F64, SET32, a <= b)
			BINOP(WASM_OP_F64_GE, double, F64, SET32, a >= b)
			UNOP(WASM_OP_F64_ABS, uint64_t, U64, SET64,
			     a & 0x7fffffffffffffffull)
			UNOP(WASM_OP_F64_NEG, uint64_t, U64, SET64,
			     a ^ 0x8000000000000000ull)
			UNOP(WASM_OP_F64_CEIL, double, F64, SETF64, f64_ceil(a))
			UNOP(WASM_OP_F64_FLOOR, double, F64, SETF64,
			     f64_floor(a))
			UNOP(WASM_OP_F64_TRUNC, double, F64, SETF64,
			     f64_trunc(a))
			UNOP(WASM_OP_F64_NEAREST, double, F64, SETF64,
			     f64_nearest(a))
			UNOP(WASM_OP_F64_SQRT, double, F64, SETF64, sqrt(a))
			BINOP(WASM_OP_F64_ADD, double, F64, SETF64, a + b)
			BINOP(WASM_OP_F64_SUB, double, F64, SETF64, a - b)
			BINOP(WASM_OP_F64_MUL, double, F64, SETF64, a *b)
			BINOP(WASM_OP_F64_DIV, double, F64, SETF64, a / b)
			BINOP(WASM_OP_F64_MIN, double, F64, SETF64,
			      f64_min(a, b))
			BINOP(WASM_OP_F64_MAX, double, F64, SETF64,
			      f64_max(a, b))
			BINOP(WASM_OP_F64_COPYSIGN, uint64_t, U64, SET64,
			      (a & 0x7fffffffffffffffull) |
			          (b & 0x8000000000000000ull))

			/* ---- conversions ---- */
			UNOP(WASM_OP_I32_WRAP_I64, uint64_t, U64, SET32, a)
			TRUNC(WASM_OP_I32_TRUNC_F32_S, float, F32, SET32,
			      int32_t, -2147483904.0f, 2147483648.0f)
			TRUNC(WASM_OP_I32_TRUNC_F32_U, float, F32, SET32,
			      uint32_t, -1.0f, 4294967296.0f)
			TRUNC(WASM_OP_I32_TRUNC_F64_S, double, F64, SET32,
			      int32_t, -2147483649.0, 2147483648.0)
			TRUNC(WASM_OP_I32_TRUNC_F64_U, double, F64, SET32,
			      uint32_t, -1.0, 4294967296.0)
			UNOP(WASM_OP_I64_EXTEND_I32_S, int32_t, S32, SET64,
			     (int64_t)a)
			UNOP(WASM_OP_I64_EXTEND_I32_U, uint32_t, U32, SET64, a)
			TRUNC(WASM_OP_I64_TRUNC_F32_S, float, F32, SET64,
			      int64_t, -9223373136366403584.0f,
			      9223372036854775808.0f)
			TRUNC(WASM_OP_I64_TRUNC_F32_U, float, F32, SET64,
			      uint64_t, -1.0f, 18446744073709551616.0f)
			TRUNC(WASM_OP_I64_TRUNC_F64_S, double, F64, SET64,
			      int64_t, -9223372036854777856.0,
			      9223372036854775808.0)
			TRUNC(WASM_OP_I64_TRUNC_F64_U, double, F64, SET64,
			      uint64_t, -1.0, 18446744073709551616.0)
			UNOP(WASM_OP_F32_CONVERT_I32_S, int32_t, S32, SETF32,
			     (float)a)
			UNOP(WASM_OP_F32_CONVERT_I32_U, uint32_t, U32, SETF32,
			     (float)a)
			UNOP(WASM_OP_F32_CONVERT_I64_S, int64_t, S64, SETF32,
			     (float)a)
			UNOP(WASM_OP_F32_CONVERT_I64_U, uint64_t, U64, SETF32,
			     (float)a)
			UNOP(WASM_OP_F32_DEMOTE_F64, double, F64, SETF32,
			     (float)a)
			UNOP(WASM_OP_F64_CONVERT_I32_S, int32_t, S32, SETF64,
			     (double)a)
			UNOP(WASM_OP_F64_CONVERT_I32_U, uint32_t, U32, SETF64,
			     (double)a)
			UNOP(WASM_OP_F64_CONVERT_I64_S, int64_t, S64, SETF64,
			     (double)a)
			UNOP(WASM_OP_F64_CONVERT_I64_U, uint64_t, U64, SETF64,
			     (double)a)
			UNOP(WASM_OP_F64_PROMOTE_F32, float, F32, SETF64,
			     (double)a)
			UNOP(WASM_OP_I32_REINTERPRET_F32, uint32_t, U32, SET32,
			     a)
			UNOP(WASM_OP_I64_REINTERPRET_F64, uint64_t, U64, SET64,
			     a)
			UNOP(WASM_OP_F32_REINTERPRET_I32, uint32_t, U32, SET32,
			     a)
			UNOP(WASM_OP_F64_REINTERPRET_I64, uint64_t, U64, SET64,
			     a)
			UNOP(WASM_OP_I32_EXTEND8_S, uint32_t, U32, SET32,
			     (int32_t)(int8_t)a)
			UNOP(WASM_OP_I32_EXTEND16_S, uint32_t, U32, SET32,
			     (int32_t)(int16_t)a)
			UNOP(WASM_OP_I64_EXTEND8_S, uint64_t, U64, SET64,
			     (int64_t)(int8_t)a)
			UNOP(WASM_OP_I64_EXTEND16_S, uint64_t, U64, SET64,
			     (int64_t)(int16_t)a)
			UNOP(WASM_OP_I64_EXTEND32_S, uint64_t, U64, SET64,
			     (int64_t)(int32_t)a)
			UNOP(WASM_OP_I32_TRUNC_SAT_F32_S, float, F32, SET32,
			     sat_f32_i32(a))
			UNOP(WASM_OP_I32_TRUNC_SAT_F32_U, float, F32, SET32,
			     sat_f32_u32(a))
			UNOP(WASM_OP_I32_TRUNC_SAT_F64_S, double, F64, SET32,
			     sat_f64_i32(a))
			UNOP(WASM_OP_I32_TRUNC_SAT_F64_U, double, F64, SET32,
			     sat_f64_u32(a))
			UNOP(WASM_OP_I64_TRUNC_SAT_F32_S, float, F32, SET64,
			     sat_f32_i64(a))
			UNOP(WASM_OP_I64_TRUNC_SAT_F32_U, float, F32, SET64,
			     sat_f32_u64(a))
			UNOP(WASM_OP_I64_TRUNC_SAT_F64_S, double, F64, SET64,
			     sat_f64_i64(a))
			UNOP(WASM_OP_I64_TRUNC_SAT_F64_U, double, F64, SET64,
			     sat_f64_u64(a))

			vmcase(WASM_OP_UNREACHABLE)
			{
				TRAP("unreachable");
			}
			/* ---- typed function references ---- */
			vmcase(WASM_OP_REF_AS_NON_NULL)
			{
				if (WX_UNLIKELY(fp[P(1)] == 0))
					TRAP("null reference");
				STEP(2);
				vmbreak;
			}
			vmcase(VMOP_CLAMP32)
			{
				uint64_t v = fp[P(2)];
				fp[P(1)] = v > UINT32_MAX ? UINT32_MAX : v;
				STEP(3);
				vmbreak;
			}
			vmcase(VMOP_CALL_REF)
			{
				callee = (struct vm_func *)(uintptr_t)fp[P(2)];
				if (WX_UNLIKELY(callee == NULL))
					TRAP("null function reference");
				nfp = fp + P(1);
				STEP(3);
				goto do_call;
			}
			vmcase(VMOP_RETURN_CALL_REF)
			{
				callee = (struct vm_func *)(uintptr_t)fp[P(2)];
				if (WX_UNLIKELY(callee == NULL))
					TRAP("null function reference");
				memmove(fp, fp + P(1), P(3) * sizeof *fp);
				goto do_tail_call;
			}
			/* Never emitted: translated away or routed to
			 * VMOP_ATOMIC. */
			vmcase(WASM_OP_TRY) vmcase(WASM_OP_CATCH) vmcase(WASM_OP_THROW)
			vmcase(WASM_OP_RETHROW) vmcase(WASM_OP_THROW_REF)
			vmcase(WASM_OP_RETURN_CALL)
			vmcase(WASM_OP_RETURN_CALL_INDIRECT)
			vmcase(WASM_OP_CALL_REF) vmcase(WASM_OP_RETURN_CALL_REF)
			vmcase(WASM_OP_BR_ON_NULL) vmcase(WASM_OP_BR_ON_NON_NULL)
			vmcase(WASM_OP_DELEGATE) vmcase(WASM_OP_CATCH_ALL)
			vmcase(WASM_OP_TRY_TABLE)
			vmcase(WASM_OP_BLOCK) vmcase(WASM_OP_LOOP) vmcase(
			    WASM_OP_IF) vmcase(WASM_OP_ELSE) vmcase(WASM_OP_END)
			    vmcase(WASM_OP_BR) vmcase(WASM_OP_BR_IF) vmcase(
			        WASM_OP_BR_TABLE) vmcase(WASM_OP_RETURN) vmcase(WASM_OP_CALL)
			        vmcase(WASM_OP_CALL_INDIRECT) vmcase(WASM_OP_DROP) vmcase(
			            WASM_OP_SELECT) vmcase(WASM_OP_SELECT_T)
			            vmcase(WASM_OP_LOCAL_GET) vmcase(
			                WASM_OP_LOCAL_SET) vmcase(WASM_OP_LOCAL_TEE)
			                vmcase(WASM_OP_GLOBAL_GET) vmcase(
			                    WASM_OP_GLOBAL_SET) vmcase(WASM_OP_I32_CONST)
			                    vmcase(WASM_OP_I64_CONST) vmcase(
			                        WASM_OP_F32_CONST) vmcase(WASM_OP_F64_CONST)
			                        vmcase(WASM_OP_REF_NULL) vmcase(
			                            WASM_OP_REF_FUNC)
			                            vmcase(WASM_OP_NOP) vmcase(
			                                WASM_OP_MEMORY_ATOMIC_NOTIFY)
			                                vmcase(WASM_OP_MEMORY_ATOMIC_WAIT32) vmcase(
			                                    WASM_OP_MEMORY_ATOMIC_WAIT64)
			                                    vmcase(
			                                        WASM_OP_ATOMIC_FENCE)
			                                        vmcase(
			                                            WASM_OP_I32_ATOMIC_LOAD)
			                                            vmcase(
			                                                WASM_OP_I64_ATOMIC_LOAD)
			                                                vmcase(
			                                                    WASM_OP_I32_ATOMIC_LOAD8_U)
			                                                    vmcase(
			                                                        WASM_OP_I32_ATOMIC_LOAD16_U)
			                                                        vmcase(
			                                                            WASM_OP_I64_ATOMIC_LOAD8_U)
			                                                            vmcase(
			                                                                WASM_OP_I64_ATOMIC_LOAD16_U)
			                                                                vmcase(
			                                                                    WASM_OP_I64_ATOMIC_LOAD32_U)
			                                                                    vmcase(
			                                                                        WASM_OP_I32_ATOMIC_STORE)
			                                                                        vmcase(
			                                                                            WASM_OP_I64_ATOMIC_STORE)
			                                                                            vmcase(
			                                                                                WASM_OP_I32_ATOMIC_STORE8) vmcase(WASM_OP_I32_ATOMIC_STORE16) vmcase(WASM_OP_I64_ATOMIC_STORE8) vmcase(WASM_OP_I64_ATOMIC_STORE16) vmcase(WASM_OP_I64_ATOMIC_STORE32) vmcase(WASM_OP_I32_ATOMIC_RMW_ADD) vmcase(WASM_OP_I64_ATOMIC_RMW_ADD) vmcase(WASM_OP_I32_ATOMIC_RMW8_ADD_U) vmcase(WASM_OP_I32_ATOMIC_RMW16_ADD_U) vmcase(WASM_OP_I64_ATOMIC_RMW8_ADD_U) vmcase(WASM_OP_I64_ATOMIC_RMW16_ADD_U) vmcase(WASM_OP_I64_ATOMIC_RMW32_ADD_U) vmcase(WASM_OP_I32_ATOMIC_RMW_SUB) vmcase(WASM_OP_I64_ATOMIC_RMW_SUB) vmcase(WASM_OP_I32_ATOMIC_RMW8_SUB_U) vmcase(WASM_OP_I32_ATOMIC_RMW16_SUB_U) vmcase(WASM_OP_I64_ATOMIC_RMW8_SUB_U) vmcase(WASM_OP_I64_ATOMIC_RMW16_SUB_U) vmcase(WASM_OP_I64_ATOMIC_RMW32_SUB_U) vmcase(WASM_OP_I32_ATOMIC_RMW_AND) vmcase(WASM_OP_I64_ATOMIC_RMW_AND) vmcase(WASM_OP_I32_ATOMIC_RMW8_AND_U) vmcase(WASM_OP_I32_ATOMIC_RMW16_AND_U) vmcase(WASM_OP_I64_ATOMIC_RMW8_AND_U) vmcase(WASM_OP_I64_ATOMIC_RMW16_AND_U) vmcase(WASM_OP_I64_ATOMIC_RMW32_AND_U) vmcase(WASM_OP_I32_ATOMIC_RMW_OR)
			                                                                                vmcase(WASM_OP_I64_ATOMIC_RMW_OR) vmcase(
			                                                                                    WASM_OP_I32_ATOMIC_RMW8_OR_U)
			                                                                                    vmcase(
			                                                                                        WASM_OP_I32_ATOMIC_RMW16_OR_U)
			                                                                                        vmcase(
			                                                                                            WASM_OP_I64_ATOMIC_RMW8_OR_U)
			                                                                                            vmcase(
			                                                                                                WASM_OP_I64_ATOMIC_RMW16_OR_U) vmcase(WASM_OP_I64_ATOMIC_RMW32_OR_U) vmcase(WASM_OP_I32_ATOMIC_RMW_XOR) vmcase(WASM_OP_I64_ATOMIC_RMW_XOR) vmcase(WASM_OP_I32_ATOMIC_RMW8_XOR_U) vmcase(WASM_OP_I32_ATOMIC_RMW16_XOR_U) vmcase(WASM_OP_I64_ATOMIC_RMW8_XOR_U) vmcase(WASM_OP_I64_ATOMIC_RMW16_XOR_U) vmcase(WASM_OP_I64_ATOMIC_RMW32_XOR_U) vmcase(WASM_OP_I32_ATOMIC_RMW_XCHG) vmcase(WASM_OP_I64_ATOMIC_RMW_XCHG) vmcase(WASM_OP_I32_ATOMIC_RMW8_XCHG_U)
			                                                                                                vmcase(WASM_OP_I32_ATOMIC_RMW16_XCHG_U) vmcase(
			                                                                                                    WASM_OP_I64_ATOMIC_RMW8_XCHG_U)
			                                                                                                    vmcase(
			                                                                                                        WASM_OP_I64_ATOMIC_RMW16_XCHG_U) vmcase(WASM_OP_I64_ATOMIC_RMW32_XCHG_U) vmcase(WASM_OP_I32_ATOMIC_RMW_CMPXCHG) vmcase(WASM_OP_I64_ATOMIC_RMW_CMPXCHG) vmcase(WASM_OP_I32_ATOMIC_RMW8_CMPXCHG_U) vmcase(WASM_OP_I32_ATOMIC_RMW16_CMPXCHG_U) vmcase(WASM_OP_I64_ATOMIC_RMW8_CMPXCHG_U)
			                                                                                                        vmcase(
			                                                                                                            WASM_OP_I64_ATOMIC_RMW16_CMPXCHG_U)
			                                                                                                            vmcase(
			                                                                                                                WASM_OP_I64_ATOMIC_RMW32_CMPXCHG_U)
#ifdef WX_DISPATCH_SWITCH
			                                                                                                                default
			    :
#else
			L_SIMD_NEVER: /* SIMD instructions run as VMOP_SIMD */
#endif
			{
				TRAP("internal error: bad instruction");
			}
		}
		continue;

	host_throw:
		/* vm_call_throw: unwind from the host call. */
		{
			struct vm_eh_state st_ = {pc, fp, inst, depth};
			const char *msg_ = vm_eh_host_throw(th, &st_);
			if (msg_ != NULL)
				TRAP(msg_);
			pc = st_.pc;
			fp = st_.fp;
			depth = st_.depth;
			inst = st_.inst;
			LOAD_INSTANCE();
			vmresume;
		}

	do_call:
		/* 'callee', arguments at 'nfp'; 'pc' is the return address. */
		if (WX_UNLIKELY(__atomic_load_n(&callee->code,
		                                __ATOMIC_ACQUIRE) == NULL)) {
			if (callee->host != NULL) {
				/* Live values all lie below the arguments. */
				th->depth = depth;
				th->stack_top = nfp;
				th->host_pc = pc;
				th->host_fp = fp;
				rc = vm_call_host(th, callee, inst, nfp);
				th->stack_top = saved_top;
				if (WX_UNLIKELY(rc == VM_ETHROW))
					goto host_throw;
				if (rc != WX_OK)
					goto out;
				mem_size = MEM_SIZE_NOW(mem0);
				vmresume;
			}
			if (callee->native_run != NULL) {
				/* Compiled (src/aot/): runs on the C stack. */
				th->depth = depth;
				th->stack_top = nfp;
				rc = callee->native_run(th, callee, nfp);
				th->stack_top = saved_top;
				if (WX_UNLIKELY(rc == VM_ETHROW))
					goto host_throw;
				if (rc != WX_OK)
					goto out;
				mem_size = MEM_SIZE_NOW(mem0);
				vmresume;
			}
			rc = vm_compile_once(s, callee, th->diag);
			if (rc != WX_OK)
				goto out;
		}
		{
			const struct vm_code *nc = callee->code;
			if (WX_UNLIKELY(depth >= max_depth ||
			                (size_t)(stack_end - nfp) <
			                    nc->frame_size))
				TRAP("call stack exhausted");
			if (WX_UNLIKELY(--budget <= 0)) {
				th->depth = depth;
				rc = vm_poll(th, inst, pc, fp);
				if (rc != WX_OK)
					goto out;
				budget = vm_fuel_take(s);
				if (budget <= 0)
					TRAP("fuel exhausted");
			}
			struct vm_frame *fr = &frames[depth++];
			fr->pc = pc;
			fr->fp = fp;
			fr->inst = inst;
			fp = nfp;
			if (callee->inst != inst) {
				inst = callee->inst;
				LOAD_INSTANCE();
			}
			/*
			 * Locals and constants: small counts, where a plain
			 * loop beats a memcpy call (the empty asm keeps the
			 * compiler from making it one).
			 */
			uint64_t *slot = fp + nc->nparams;
			const uint64_t *init = nc->init;
			for (uint32_t i = nc->ninit; i != 0;
			     i -= VM_INIT_CHUNK) {
				memcpy(slot, init,
				       VM_INIT_CHUNK * sizeof *slot);
				slot += VM_INIT_CHUNK;
				init += VM_INIT_CHUNK;
				__asm__("" : "+r"(slot));
			}
			pc = nc->cells;
			vmresume;
		}

	do_tail_call:
		/*
		 * return_call: the callee takes this frame's place. Its
		 * arguments are at fp[0..]; the frame record (the caller's
		 * pc, fp, instance) stays, so depth and stack use stay as
		 * they are. Kept apart from do_call: joining the two paths
		 * made GCC allocate do_call's registers worse (+1 % on fib).
		 */
		if (WX_UNLIKELY(__atomic_load_n(&callee->code,
		                                __ATOMIC_ACQUIRE) == NULL)) {
			if (callee->host != NULL) {
				th->depth = depth;
				th->stack_top = fp;
				th->host_pc = pc;
				th->host_fp = fp;
				rc = vm_call_host(th, callee, inst, fp);
				th->stack_top = saved_top;
				if (rc != WX_OK && rc != VM_ETHROW)
					goto out;
				/* Return (not 'goto do_return': that moved
				 * do_return and cost every return a jump). */
				ret = &frames[--depth];
				pc = ret->pc;
				fp = ret->fp;
				inst = ret->inst;
				LOAD_INSTANCE();
				if (WX_UNLIKELY(rc == VM_ETHROW))
					goto host_throw;
				vmresume;
			}
			if (callee->native_run != NULL) {
				/* Compiled: called, then this frame returns. */
				th->depth = depth;
				th->stack_top = fp;
				rc = callee->native_run(th, callee, fp);
				th->stack_top = saved_top;
				if (rc != WX_OK && rc != VM_ETHROW)
					goto out;
				ret = &frames[--depth];
				pc = ret->pc;
				fp = ret->fp;
				inst = ret->inst;
				LOAD_INSTANCE();
				if (WX_UNLIKELY(rc == VM_ETHROW))
					goto host_throw;
				vmresume;
			}
			rc = vm_compile_once(s, callee, th->diag);
			if (rc != WX_OK)
				goto out;
		}
		{
			const struct vm_code *nc = callee->code;
			if (WX_UNLIKELY((size_t)(stack_end - fp) <
			                nc->frame_size))
				TRAP("call stack exhausted");
			if (WX_UNLIKELY(--budget <= 0)) {
				th->depth = depth;
				rc = vm_poll(th, inst, pc, fp);
				if (rc != WX_OK)
					goto out;
				budget = vm_fuel_take(s);
				if (budget <= 0)
					TRAP("fuel exhausted");
			}
			if (WX_UNLIKELY(frames[depth - 1].pc ==
			                vm_jmp_hook_cells))
				frames[depth - 1].pc =
				    vm_jmp_returned(th, depth - 1);
			if (callee->inst != inst) {
				inst = callee->inst;
				LOAD_INSTANCE();
			}
			memset(fp + nc->nparams, 0,
			       nc->nlocals * sizeof *fp);
			memcpy(fp + nc->nparams + nc->nlocals,
			       nc->init + nc->nlocals,
			       nc->nconsts * sizeof *fp);
			pc = nc->cells;
			vmresume;
		}

	do_return:
		RETURN_TO_CALLER()

	poll:
		/* A backward branch used up 'budget': interrupts and fuel. */
		th->depth = depth;
		rc = vm_poll(th, inst, pc, fp);
		if (rc != WX_OK)
			goto out;
		budget = vm_fuel_take(s);
		if (budget <= 0)
			TRAP("fuel exhausted");
		vmresume;

	jmp_land:
		/* A longjmp landed in this level (vm_interp_run). */
		LOAD_INSTANCE();
		vmresume;
	}

done:
	rc = WX_OK;
	goto out;
trap:
	rc = vm_trap(th, trap_msg);
	if (th->trap_inst == NULL) {
		th->trap_inst = inst;
		th->trap_pc = pc;
	}
out:
	vm_fuel_return(s, budget);
	th->depth = base_depth;
	th->stack_top = saved_top;
	return rc;
}
