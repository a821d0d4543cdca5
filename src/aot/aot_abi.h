/*
 * aot_abi.h: the interface between wasmix and the C code the compiled tier
 * generates (docs/aot.md). This one file is compiled into wasmix
 * (aot_run.c) AND copied verbatim to the top of every generated C file
 * (the build turns it into a string, aot_emit.c writes it out), so both
 * sides always agree on every layout and helper.
 *
 * Generated code includes one system header, <setjmp.h> (the landings of
 * setjmp calls); otherwise it sees only what is here.
 * It gets everything through one pointer, struct aot_inst: memory 0,
 * globals, functions, tables, type ids (the vm's own arrays, borrowed),
 * the runtime's helpers, and the state of the entry into compiled code in
 * progress (aot_run): the fuel counter, the call-depth cap, the C stack
 * limit. That state belongs to one host thread, so a context is one
 * instance's for one thread at a time: the instance's own ('home', bound
 * to its functions' native_ctx), or, while another thread runs in the
 * instance, a copy of it that aot_run hands to the second thread (guest
 * threads, shared memories). Compiled code never compares a context with
 * native_ctx, only with 'home'.
 *
 * Keeps true:
 *  - Every helper gives exactly the interpreter's result (vm_interp.c):
 *    same NaN rules, same truncation ranges, same trap (AOT_TRAP_*).
 *  - aot_func and aot_table mirror the first fields of struct vm_func and
 *    struct vm_table; aot_run.c checks the offsets with static assertions.
 *  - AOT_ABI_VERSION changes whenever anything here changes meaning, and
 *    is part of the cache key (aot_cache.c).
 */
#ifndef WASMIX_AOT_ABI_H
#define WASMIX_AOT_ABI_H

#define AOT_ABI_VERSION 10

#include <setjmp.h> /* setjmp landings (struct aot_sj) */

/*
 * Where the runtime can interrupt compiled code asynchronously (aot_run.c:
 * a timer on the thread's CPU time sends a signal whose handler polls when
 * it lands in compiled code), loops that call nothing need no poll at
 * their back-edges (AOT_BACKEDGE_FREE). Elsewhere they poll like others.
 */
#if defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__))
#define AOT_ASYNC_INTERRUPTS 1
#else
#define AOT_ASYNC_INTERRUPTS 0
#endif

/* GCC's and clang's own names of the <stdint.h> types (same types). */
typedef __UINT8_TYPE__ aot_u8;
typedef __INT8_TYPE__ aot_s8;
typedef __UINT16_TYPE__ aot_u16;
typedef __INT16_TYPE__ aot_s16;
typedef __UINT32_TYPE__ aot_u32;
typedef __INT32_TYPE__ aot_s32;
typedef __UINT64_TYPE__ aot_u64;
typedef __INT64_TYPE__ aot_s64;

#define AOT_LIKELY(x)   __builtin_expect(!!(x), 1)
#define AOT_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Trap causes; aot_run.c maps them to the interpreter's messages. */
enum aot_trap_code {
	AOT_TRAP_UNREACHABLE = 1,
	AOT_TRAP_DIV_ZERO,
	AOT_TRAP_OVERFLOW,
	AOT_TRAP_CONVERSION,
	AOT_TRAP_OOB,
	AOT_TRAP_UNDEF_ELEM,
	AOT_TRAP_UNINIT_ELEM, /* arg: the index */
	AOT_TRAP_SIG_MISMATCH,
	AOT_TRAP_STACK,
	AOT_TRAP_NULL_REF,
	AOT_TRAP_UNALIGNED, /* an atomic access off its natural alignment */
};

/* The "cold" instructions, run by the interpreter's own helpers. */
enum aot_cold_op {
	AOT_COLD_MEMORY_GROW = 1, /* a = delta; imm0 = memory */
	AOT_COLD_MEMORY_INIT, /* a, b, c = dst, src, n; imm0 data, imm1 mem */
	AOT_COLD_MEMORY_COPY, /* dst, src, n; imm0 dst mem, imm1 src mem */
	AOT_COLD_MEMORY_FILL, /* dst, byte, n; imm0 memory */
	AOT_COLD_DATA_DROP,   /* imm0 data */
	AOT_COLD_TABLE_GET,   /* a = index; imm0 table */
	AOT_COLD_TABLE_SET,   /* index, value; imm0 table */
	AOT_COLD_TABLE_SIZE,  /* imm0 table */
	AOT_COLD_TABLE_GROW,  /* init, delta; imm0 table */
	AOT_COLD_TABLE_FILL,  /* index, value, n; imm0 table */
	AOT_COLD_TABLE_INIT,  /* dst, src, n; imm0 elem, imm1 table */
	AOT_COLD_TABLE_COPY,  /* dst, src, n; imm0 dst, imm1 src table */
	AOT_COLD_ELEM_DROP,   /* imm0 elem */
	/* memory.atomic.*: a = address, b = count or expected value, c =
	 * timeout; imm0 memory, imm1 offset (the interpreter's vm_op_atomic).
	 */
	AOT_COLD_ATOMIC_NOTIFY,
	AOT_COLD_ATOMIC_WAIT32,
	AOT_COLD_ATOMIC_WAIT64,
};

/* Mirrors the start of struct vm_func (vm_impl.h). */
struct aot_func {
	const void *type;
	aot_u32 type_id;
	aot_u32 index;
	void *inst;
	void *host;
	void *host_ud;
	void *code;
	void *native_fn;  /* the compiled function, or NULL */
	void *native_ctx; /* its struct aot_inst */
};

/* Mirrors the start of struct vm_table (vm_impl.h). */
struct aot_table {
	aot_u64 *elems;
	aot_u64 size;
};

/*
 * The record of an activation of a function that calls setjmp (a native
 * anchor, docs/aot.md "setjmp"), in that function's frame: the first two
 * fields mirror struct vm_jmp_anchor_id (aot_run.c checks), 'bufs' the
 * frame's landing per setjmp call site.
 */
struct aot_sj {
	aot_u64 serial; /* 0 until its first setjmp call pushes it */
	aot_u32 index;
	aot_u32 nsites;
	sigjmp_buf *bufs;
	void *eh; /* aot_inst.eh at its setjmp calls (aot_run.c) */
};

struct aot_inst {
	aot_u8 *mem;             /* memory 0's base (never moves), or NULL */
	aot_u64 *mem_size;       /* &memory 0's byte size */
	aot_u64 **globals;       /* the instance's global value pointers */
	struct aot_func **funcs; /* the instance's functions, imports first */
	struct aot_table **tables;
	const aot_u32 *type_ids; /* module type index -> store type id */
	/* Per function index: the slot entry of a compiled function. */
	void (**entries)(struct aot_inst *, aot_u32, aot_u64 *);
	void *vm_inst; /* struct vm_instance */
	/* The instance's own context (its functions' native_ctx): equal to
	 * this one, or the one this per-thread copy was made from. */
	struct aot_inst *home;
	void *rt; /* the runtime's per-instance state (aot_run.c) */

	/* The runtime's helpers (aot_run.c). trap never returns: it unwinds
	 * to the entry (aot_run). poll: an interrupt or the fuel slice ran
	 * out. call: any call the compiled code cannot make directly (host
	 * functions, interpreted ones, other instances'), arguments in
	 * 'slots', results written over them, 'depth' the callee's D
	 * (AOT_DEPTH). cold: memory.grow, bulk memory and table
	 * instructions. */
	void (*trap)(struct aot_inst *I, int code, aot_u32 arg);
	void (*poll)(struct aot_inst *I);
	void (*call)(struct aot_inst *I, aot_u32 depth, struct aot_func *f,
	             aot_u64 *slots);
	aot_u64 (*cold)(struct aot_inst *I, int op, aot_u64 a, aot_u64 b,
	                aot_u64 c, aot_u32 imm0, aot_u32 imm1);
	/* setjmp: sj_call is 'call' for call site 'site' of a setjmp
	 * function (or the stack_checkpoint import) in the frame of 'J';
	 * a longjmp to it siglongjmps to J->bufs[site], where sj_land runs
	 * the rest of the setjmp function and writes its results; sj_pop
	 * ends the activation of 'J' (every return of the frame). */
	void (*sj_call)(struct aot_inst *I, aot_u32 depth, struct aot_sj *J,
	                aot_u32 site, struct aot_func *f, aot_u64 *slots);
	void (*sj_land)(struct aot_inst *I, aot_u32 depth, struct aot_sj *J,
	                aot_u32 site, struct aot_func *f, aot_u64 *slots);
	void (*sj_pop)(struct aot_inst *I, struct aot_sj *J);
	/* The entry in progress on the thread using this context (set and
	 * restored by aot_run). */
	char *stack_limit;       /* the C stack may not grow below this */
	long long budget;        /* AOT_FUEL: calls and back-edges to a poll */
	volatile int *interrupt; /* else: poll when this is non-zero */
	aot_u32 max_depth;       /* wasm frames, as the interpreter counts */
	void *entry;             /* the runtime's struct aot_entry */

	/* Exceptions (docs/aot.md, "Exceptions"). 'eh': the innermost
	 * landing of this entry's compiled frames (struct aot_landing), NULL
	 * at entry and restored when the entry ends. 'exn': the exnref a
	 * landing was jumped to with. 'tags': the instance's tags (struct
	 * vm_tag *: identity is the address). throw_ makes an exception of
	 * tag 'tag' with payload 'slots', throw_ref rethrows an exnref (null
	 * and stale ones trap); both jump to the innermost landing, or leave
	 * the entry with the exception. exn_tag: the tag and payload of an
	 * exnref. */
	void *eh;
	aot_u64 exn;
	void *const *tags;
	void (*throw_)(struct aot_inst *I, aot_u32 tag, aot_u64 *slots);
	void (*throw_ref)(struct aot_inst *I, aot_u64 exn);
	const void *(*exn_tag)(struct aot_inst *I, aot_u64 exn,
	                       const aot_u64 **vals);

	/* The instance's global value pointers again, inline: one load
	 * less per global.get. */
	aot_u64 *g[];
};

/* How the code was generated (aot_module_desc.flags). */
#define AOT_DESC_CHECKED 1u /* explicit bounds checks */
#define AOT_DESC_FUEL    2u /* counts calls and back-edges (--fuel) */

/* What a generated shared object exports as 'wasmix_aot_module'. */
/*
 * A landing of a compiled function with try_table (one per function, set
 * up in its prologue; aot_emit.c): __builtin_setjmp's buffer, the
 * enclosing landing, and the generated file's own __builtin_longjmp (the
 * buffer's layout is the generated code's compiler's).
 */
struct aot_landing {
	void *jb[5];
	struct aot_landing *up;
	void (*jump)(void **jb);
};

struct aot_module_desc {
	aot_u32 abi_version;
	aot_u32 flags; /* AOT_DESC_* */
	aot_u32 nfuncs;
	/* Per function index (imports NULL, uncompiled functions NULL). */
	void *const *fns;
	void (*const *entries)(struct aot_inst *, aot_u32, aot_u64 *);
};

#ifdef AOT_GENERATED
/* ---- helpers of generated code ------------------------------------------ */

typedef float aot_f32;
typedef double aot_f64;

__attribute__((noreturn, cold, noinline)) static void
aot_trap(struct aot_inst *I, int code, aot_u32 arg)
{
	I->trap(I, code, arg);
	__builtin_unreachable();
}

/* Jumps to a landing (struct aot_landing.jump). */
__attribute__((noreturn, noinline)) static void aot_eh_jump(void **jb)
{
	__builtin_longjmp(jb, 1);
}

static inline aot_f32 aot_f32_of(aot_u32 b)
{
	aot_f32 f;
	__builtin_memcpy(&f, &b, 4);
	return f;
}
static inline aot_f64 aot_f64_of(aot_u64 b)
{
	aot_f64 d;
	__builtin_memcpy(&d, &b, 8);
	return d;
}
static inline aot_u32 aot_bits_f32(aot_f32 f)
{
	aot_u32 b;
	__builtin_memcpy(&b, &f, 4);
	return b;
}
static inline aot_u64 aot_bits_f64(aot_f64 d)
{
	aot_u64 b;
	__builtin_memcpy(&b, &d, 8);
	return b;
}

/* libm (the shared object links it). */
extern float ceilf(float);
extern float floorf(float);
extern float truncf(float);
extern float rintf(float);
extern double ceil(double);
extern double floor(double);
extern double trunc(double);
extern double rint(double);

/* Memory 0's byte size now. A shared memory may grow from another
 * thread at any time: every read is a real load (acquire, as the
 * interpreter's), never one hoisted out of a loop. */
#if AOT_SHARED
#define AOT_MEM_SIZE(I) __atomic_load_n((I)->mem_size, __ATOMIC_ACQUIRE)
#else
#define AOT_MEM_SIZE(I) (*(I)->mem_size)
#endif

/* Memory 0: guard pages, or an explicit compare (AOT_CHECKED). */
static inline aot_u8 *aot_ea(struct aot_inst *I, aot_u8 *M, aot_u32 a,
                             aot_u64 off, aot_u32 n)
{
#if AOT_CHECKED
	aot_u64 ea = (aot_u64)a + off;
	if (AOT_UNLIKELY(ea + n > AOT_MEM_SIZE(I)))
		aot_trap(I, AOT_TRAP_OOB, 0);
	return M + ea;
#else
	(void)I;
	(void)n;
	return M + (aot_u64)a + off;
#endif
}

/*
 * With guard pages a load's only check is the fault, so a load whose
 * value is never used must still happen: the empty asm takes the loaded
 * bits as an input, which GCC cannot drop (it still combines, hoists and
 * keeps the value in a register).
 */
#if AOT_CHECKED
#define AOT_KEEP(bits) (void)(bits)
#else
#define AOT_KEEP(bits) __asm__("" : : "r"(bits))
#endif
#define AOT_LOAD(OP, RT, ST, BT, N, CONV)                                      \
	static inline RT op_##OP(struct aot_inst *I, aot_u8 *M, aot_u32 a,     \
	                         aot_u64 off)                                  \
	{                                                                      \
		BT bits;                                                       \
		ST v;                                                          \
		__builtin_memcpy(&bits, aot_ea(I, M, a, off, N), N);           \
		AOT_KEEP(bits);                                                \
		__builtin_memcpy(&v, &bits, N);                                \
		return CONV;                                                   \
	}
AOT_LOAD(I32_LOAD, aot_u32, aot_u32, aot_u32, 4, v)
AOT_LOAD(I64_LOAD, aot_u64, aot_u64, aot_u64, 8, v)
AOT_LOAD(F32_LOAD, aot_f32, aot_f32, aot_u32, 4, v)
AOT_LOAD(F64_LOAD, aot_f64, aot_f64, aot_u64, 8, v)
AOT_LOAD(I32_LOAD8_S, aot_u32, aot_s8, aot_u8, 1, (aot_u32)(aot_s32)v)
AOT_LOAD(I32_LOAD8_U, aot_u32, aot_u8, aot_u8, 1, v)
AOT_LOAD(I32_LOAD16_S, aot_u32, aot_s16, aot_u16, 2, (aot_u32)(aot_s32)v)
AOT_LOAD(I32_LOAD16_U, aot_u32, aot_u16, aot_u16, 2, v)
AOT_LOAD(I64_LOAD8_S, aot_u64, aot_s8, aot_u8, 1, (aot_u64)(aot_s64)v)
AOT_LOAD(I64_LOAD8_U, aot_u64, aot_u8, aot_u8, 1, v)
AOT_LOAD(I64_LOAD16_S, aot_u64, aot_s16, aot_u16, 2, (aot_u64)(aot_s64)v)
AOT_LOAD(I64_LOAD16_U, aot_u64, aot_u16, aot_u16, 2, v)
AOT_LOAD(I64_LOAD32_S, aot_u64, aot_s32, aot_u32, 4, (aot_u64)(aot_s64)v)
AOT_LOAD(I64_LOAD32_U, aot_u64, aot_u32, aot_u32, 4, v)
#undef AOT_LOAD

#define AOT_STORE(OP, VT, ST, N)                                               \
	static inline void op_##OP(struct aot_inst *I, aot_u8 *M, aot_u32 a,   \
	                           VT x, aot_u64 off)                          \
	{                                                                      \
		ST v = (ST)x;                                                  \
		__builtin_memcpy(aot_ea(I, M, a, off, N), &v, N);              \
	}
AOT_STORE(I32_STORE, aot_u32, aot_u32, 4)
AOT_STORE(I64_STORE, aot_u64, aot_u64, 8)
AOT_STORE(F32_STORE, aot_f32, aot_f32, 4)
AOT_STORE(F64_STORE, aot_f64, aot_f64, 8)
AOT_STORE(I32_STORE8, aot_u32, aot_u8, 1)
AOT_STORE(I32_STORE16, aot_u32, aot_u16, 2)
AOT_STORE(I64_STORE8, aot_u64, aot_u8, 1)
AOT_STORE(I64_STORE16, aot_u64, aot_u16, 2)
AOT_STORE(I64_STORE32, aot_u64, aot_u32, 4)
#undef AOT_STORE

/*
 * Atomic accesses (threads proposal), sequentially consistent as the
 * interpreter's (vm_interp_cold.c): always an explicit bounds check
 * (guard pages or not: an access both out of bounds and unaligned is out
 * of bounds), then the alignment check, then GCC's __atomic builtin.
 * memory.atomic.wait and notify go to the runtime (AOT_COLD_ATOMIC_*).
 */
#define AOT_SEQ __ATOMIC_SEQ_CST
static inline void *aot_atomic_ea(struct aot_inst *I, aot_u8 *M, aot_u32 a,
                                  aot_u64 off, aot_u32 n)
{
	aot_u64 ea = (aot_u64)a + off;
	if (AOT_UNLIKELY(ea + n > AOT_MEM_SIZE(I)))
		aot_trap(I, AOT_TRAP_OOB, 0);
	if (AOT_UNLIKELY(ea & (n - 1)))
		aot_trap(I, AOT_TRAP_UNALIGNED, 0);
	return M + ea;
}
static inline void op_ATOMIC_FENCE(struct aot_inst *I)
{
	(void)I;
	__atomic_thread_fence(AOT_SEQ);
}
#define AOT_ALOAD(OP, RT, T)                                                   \
	static inline RT op_##OP(struct aot_inst *I, aot_u8 *M, aot_u32 a,     \
	                         aot_u64 off)                                  \
	{                                                                      \
		T *p = (T *)aot_atomic_ea(I, M, a, off, sizeof(T));            \
		return (RT)__atomic_load_n(p, AOT_SEQ);                        \
	}
#define AOT_ASTORE(OP, VT, T)                                                  \
	static inline void op_##OP(struct aot_inst *I, aot_u8 *M, aot_u32 a,   \
	                           VT x, aot_u64 off)                          \
	{                                                                      \
		T *p = (T *)aot_atomic_ea(I, M, a, off, sizeof(T));            \
		__atomic_store_n(p, (T)x, AOT_SEQ);                            \
	}
#define AOT_ARMW(OP, VT, T, BUILTIN)                                           \
	static inline VT op_##OP(struct aot_inst *I, aot_u8 *M, aot_u32 a,     \
	                         VT x, aot_u64 off)                            \
	{                                                                      \
		T *p = (T *)aot_atomic_ea(I, M, a, off, sizeof(T));            \
		return (VT)BUILTIN(p, (T)x, AOT_SEQ);                          \
	}
#define AOT_ACMPXCHG(OP, VT, T)                                                \
	static inline VT op_##OP(struct aot_inst *I, aot_u8 *M, aot_u32 a,     \
	                         VT e, VT r, aot_u64 off)                      \
	{                                                                      \
		T *p = (T *)aot_atomic_ea(I, M, a, off, sizeof(T));            \
		T expect = (T)e;                                               \
		__atomic_compare_exchange_n(p, &expect, (T)r, 0, AOT_SEQ,      \
		                            AOT_SEQ);                          \
		return (VT)expect;                                             \
	}
AOT_ALOAD(I32_ATOMIC_LOAD, aot_u32, aot_u32)
AOT_ALOAD(I64_ATOMIC_LOAD, aot_u64, aot_u64)
AOT_ALOAD(I32_ATOMIC_LOAD8_U, aot_u32, aot_u8)
AOT_ALOAD(I32_ATOMIC_LOAD16_U, aot_u32, aot_u16)
AOT_ALOAD(I64_ATOMIC_LOAD8_U, aot_u64, aot_u8)
AOT_ALOAD(I64_ATOMIC_LOAD16_U, aot_u64, aot_u16)
AOT_ALOAD(I64_ATOMIC_LOAD32_U, aot_u64, aot_u32)
AOT_ASTORE(I32_ATOMIC_STORE, aot_u32, aot_u32)
AOT_ASTORE(I64_ATOMIC_STORE, aot_u64, aot_u64)
AOT_ASTORE(I32_ATOMIC_STORE8, aot_u32, aot_u8)
AOT_ASTORE(I32_ATOMIC_STORE16, aot_u32, aot_u16)
AOT_ASTORE(I64_ATOMIC_STORE8, aot_u64, aot_u8)
AOT_ASTORE(I64_ATOMIC_STORE16, aot_u64, aot_u16)
AOT_ASTORE(I64_ATOMIC_STORE32, aot_u64, aot_u32)
/* The read-modify-write family of one operation, every width. */
#define AOT_ARMW_ALL(NAME, BUILTIN)                                            \
	AOT_ARMW(I32_ATOMIC_RMW_##NAME, aot_u32, aot_u32, BUILTIN)             \
	AOT_ARMW(I64_ATOMIC_RMW_##NAME, aot_u64, aot_u64, BUILTIN)             \
	AOT_ARMW(I32_ATOMIC_RMW8_##NAME##_U, aot_u32, aot_u8, BUILTIN)         \
	AOT_ARMW(I32_ATOMIC_RMW16_##NAME##_U, aot_u32, aot_u16, BUILTIN)       \
	AOT_ARMW(I64_ATOMIC_RMW8_##NAME##_U, aot_u64, aot_u8, BUILTIN)         \
	AOT_ARMW(I64_ATOMIC_RMW16_##NAME##_U, aot_u64, aot_u16, BUILTIN)       \
	AOT_ARMW(I64_ATOMIC_RMW32_##NAME##_U, aot_u64, aot_u32, BUILTIN)
AOT_ARMW_ALL(ADD, __atomic_fetch_add)
AOT_ARMW_ALL(SUB, __atomic_fetch_sub)
AOT_ARMW_ALL(AND, __atomic_fetch_and)
AOT_ARMW_ALL(OR, __atomic_fetch_or)
AOT_ARMW_ALL(XOR, __atomic_fetch_xor)
AOT_ARMW_ALL(XCHG, __atomic_exchange_n)
AOT_ACMPXCHG(I32_ATOMIC_RMW_CMPXCHG, aot_u32, aot_u32)
AOT_ACMPXCHG(I64_ATOMIC_RMW_CMPXCHG, aot_u64, aot_u64)
AOT_ACMPXCHG(I32_ATOMIC_RMW8_CMPXCHG_U, aot_u32, aot_u8)
AOT_ACMPXCHG(I32_ATOMIC_RMW16_CMPXCHG_U, aot_u32, aot_u16)
AOT_ACMPXCHG(I64_ATOMIC_RMW8_CMPXCHG_U, aot_u64, aot_u8)
AOT_ACMPXCHG(I64_ATOMIC_RMW16_CMPXCHG_U, aot_u64, aot_u16)
AOT_ACMPXCHG(I64_ATOMIC_RMW32_CMPXCHG_U, aot_u64, aot_u32)
#undef AOT_ARMW_ALL
#undef AOT_ALOAD
#undef AOT_ASTORE
#undef AOT_ARMW
#undef AOT_ACMPXCHG

/* Numeric instructions: op_<IDENT of wasm_ops.def>(I, operands...). */
#define AOT_UN(OP, RT, AT, E)                                                  \
	static inline RT op_##OP(struct aot_inst *I, AT a)                     \
	{                                                                      \
		(void)I;                                                       \
		return E;                                                      \
	}
#define AOT_BIN(OP, RT, AT, E)                                                 \
	static inline RT op_##OP(struct aot_inst *I, AT a, AT b)               \
	{                                                                      \
		(void)I;                                                       \
		return E;                                                      \
	}
#define U32 aot_u32
#define S32 aot_s32
#define U64 aot_u64
#define S64 aot_s64
#define F32 aot_f32
#define F64 aot_f64

AOT_UN(I32_EQZ, U32, U32, a == 0)
AOT_BIN(I32_EQ, U32, U32, a == b)
AOT_BIN(I32_NE, U32, U32, a != b)
AOT_BIN(I32_LT_S, U32, U32, (S32)a < (S32)b)
AOT_BIN(I32_LT_U, U32, U32, a < b)
AOT_BIN(I32_GT_S, U32, U32, (S32)a > (S32)b)
AOT_BIN(I32_GT_U, U32, U32, a > b)
AOT_BIN(I32_LE_S, U32, U32, (S32)a <= (S32)b)
AOT_BIN(I32_LE_U, U32, U32, a <= b)
AOT_BIN(I32_GE_S, U32, U32, (S32)a >= (S32)b)
AOT_BIN(I32_GE_U, U32, U32, a >= b)
AOT_UN(I64_EQZ, U32, U64, a == 0)
AOT_BIN(I64_EQ, U32, U64, a == b)
AOT_BIN(I64_NE, U32, U64, a != b)
AOT_BIN(I64_LT_S, U32, U64, (S64)a < (S64)b)
AOT_BIN(I64_LT_U, U32, U64, a < b)
AOT_BIN(I64_GT_S, U32, U64, (S64)a > (S64)b)
AOT_BIN(I64_GT_U, U32, U64, a > b)
AOT_BIN(I64_LE_S, U32, U64, (S64)a <= (S64)b)
AOT_BIN(I64_LE_U, U32, U64, a <= b)
AOT_BIN(I64_GE_S, U32, U64, (S64)a >= (S64)b)
AOT_BIN(I64_GE_U, U32, U64, a >= b)
AOT_BIN(F32_EQ, U32, F32, a == b)
AOT_BIN(F32_NE, U32, F32, a != b)
AOT_BIN(F32_LT, U32, F32, a < b)
AOT_BIN(F32_GT, U32, F32, a > b)
AOT_BIN(F32_LE, U32, F32, a <= b)
AOT_BIN(F32_GE, U32, F32, a >= b)
AOT_BIN(F64_EQ, U32, F64, a == b)
AOT_BIN(F64_NE, U32, F64, a != b)
AOT_BIN(F64_LT, U32, F64, a < b)
AOT_BIN(F64_GT, U32, F64, a > b)
AOT_BIN(F64_LE, U32, F64, a <= b)
AOT_BIN(F64_GE, U32, F64, a >= b)

AOT_UN(I32_CLZ, U32, U32, a ? (U32)__builtin_clz(a) : 32)
AOT_UN(I32_CTZ, U32, U32, a ? (U32)__builtin_ctz(a) : 32)
AOT_UN(I32_POPCNT, U32, U32, (U32)__builtin_popcount(a))
AOT_BIN(I32_ADD, U32, U32, a + b)
AOT_BIN(I32_SUB, U32, U32, a - b)
AOT_BIN(I32_MUL, U32, U32, a *b)
AOT_BIN(I32_AND, U32, U32, a &b)
AOT_BIN(I32_OR, U32, U32, a | b)
AOT_BIN(I32_XOR, U32, U32, a ^ b)
AOT_BIN(I32_SHL, U32, U32, a << (b & 31))
AOT_BIN(I32_SHR_S, U32, U32, (U32)((S32)a >> (b & 31)))
AOT_BIN(I32_SHR_U, U32, U32, a >> (b & 31))
AOT_BIN(I32_ROTL, U32, U32, (a << (b & 31)) | (a >> ((32 - (b & 31)) & 31)))
AOT_BIN(I32_ROTR, U32, U32, (a >> (b & 31)) | (a << ((32 - (b & 31)) & 31)))
AOT_UN(I64_CLZ, U64, U64, a ? (U64)__builtin_clzll(a) : 64)
AOT_UN(I64_CTZ, U64, U64, a ? (U64)__builtin_ctzll(a) : 64)
AOT_UN(I64_POPCNT, U64, U64, (U64)__builtin_popcountll(a))
AOT_BIN(I64_ADD, U64, U64, a + b)
AOT_BIN(I64_SUB, U64, U64, a - b)
AOT_BIN(I64_MUL, U64, U64, a *b)
AOT_BIN(I64_AND, U64, U64, a &b)
AOT_BIN(I64_OR, U64, U64, a | b)
AOT_BIN(I64_XOR, U64, U64, a ^ b)
AOT_BIN(I64_SHL, U64, U64, a << (b & 63))
AOT_BIN(I64_SHR_S, U64, U64, (U64)((S64)a >> (b & 63)))
AOT_BIN(I64_SHR_U, U64, U64, a >> (b & 63))
AOT_BIN(I64_ROTL, U64, U64, (a << (b & 63)) | (a >> ((64 - (b & 63)) & 63)))
AOT_BIN(I64_ROTR, U64, U64, (a >> (b & 63)) | (a << ((64 - (b & 63)) & 63)))

static inline U32 op_I32_DIV_S(struct aot_inst *I, U32 a, U32 b)
{
	if (AOT_UNLIKELY(b == 0))
		aot_trap(I, AOT_TRAP_DIV_ZERO, 0);
	if (AOT_UNLIKELY(a == 0x80000000u && b == 0xffffffffu))
		aot_trap(I, AOT_TRAP_OVERFLOW, 0);
	return (U32)((S32)a / (S32)b);
}
static inline U32 op_I32_DIV_U(struct aot_inst *I, U32 a, U32 b)
{
	if (AOT_UNLIKELY(b == 0))
		aot_trap(I, AOT_TRAP_DIV_ZERO, 0);
	return a / b;
}
static inline U32 op_I32_REM_S(struct aot_inst *I, U32 a, U32 b)
{
	if (AOT_UNLIKELY(b == 0))
		aot_trap(I, AOT_TRAP_DIV_ZERO, 0);
	if (AOT_UNLIKELY(b == 0xffffffffu))
		return 0;
	return (U32)((S32)a % (S32)b);
}
static inline U32 op_I32_REM_U(struct aot_inst *I, U32 a, U32 b)
{
	if (AOT_UNLIKELY(b == 0))
		aot_trap(I, AOT_TRAP_DIV_ZERO, 0);
	return a % b;
}
static inline U64 op_I64_DIV_S(struct aot_inst *I, U64 a, U64 b)
{
	if (AOT_UNLIKELY(b == 0))
		aot_trap(I, AOT_TRAP_DIV_ZERO, 0);
	if (AOT_UNLIKELY(a == 0x8000000000000000ull && b == ~0ull))
		aot_trap(I, AOT_TRAP_OVERFLOW, 0);
	return (U64)((S64)a / (S64)b);
}
static inline U64 op_I64_DIV_U(struct aot_inst *I, U64 a, U64 b)
{
	if (AOT_UNLIKELY(b == 0))
		aot_trap(I, AOT_TRAP_DIV_ZERO, 0);
	return a / b;
}
static inline U64 op_I64_REM_S(struct aot_inst *I, U64 a, U64 b)
{
	if (AOT_UNLIKELY(b == 0))
		aot_trap(I, AOT_TRAP_DIV_ZERO, 0);
	if (AOT_UNLIKELY(b == ~0ull))
		return 0;
	return (U64)((S64)a % (S64)b);
}
static inline U64 op_I64_REM_U(struct aot_inst *I, U64 a, U64 b)
{
	if (AOT_UNLIKELY(b == 0))
		aot_trap(I, AOT_TRAP_DIV_ZERO, 0);
	return a % b;
}

/* Floats: sign operations on the bits; min/max and rounding as the
 * interpreter does them (a NaN in gives a quiet NaN out). */
AOT_UN(F32_ABS, F32, F32, aot_f32_of(aot_bits_f32(a) & 0x7fffffffu))
AOT_UN(F32_NEG, F32, F32, aot_f32_of(aot_bits_f32(a) ^ 0x80000000u))
AOT_UN(F32_CEIL, F32, F32, a != a ? a + a : ceilf(a))
AOT_UN(F32_FLOOR, F32, F32, a != a ? a + a : floorf(a))
AOT_UN(F32_TRUNC, F32, F32, a != a ? a + a : truncf(a))
AOT_UN(F32_NEAREST, F32, F32, a != a ? a + a : rintf(a))
AOT_UN(F32_SQRT, F32, F32, __builtin_sqrtf(a))
AOT_BIN(F32_ADD, F32, F32, a + b)
AOT_BIN(F32_SUB, F32, F32, a - b)
AOT_BIN(F32_MUL, F32, F32, a *b)
AOT_BIN(F32_DIV, F32, F32, a / b)
AOT_BIN(F32_MIN, F32, F32,
        (a != a || b != b) ? a + b
        : a == b           ? aot_f32_of(aot_bits_f32(a) | aot_bits_f32(b))
        : a < b            ? a
                           : b)
AOT_BIN(F32_MAX, F32, F32,
        (a != a || b != b) ? a + b
        : a == b           ? aot_f32_of(aot_bits_f32(a) & aot_bits_f32(b))
        : a > b            ? a
                           : b)
AOT_BIN(F32_COPYSIGN, F32, F32,
        aot_f32_of((aot_bits_f32(a) & 0x7fffffffu) |
                   (aot_bits_f32(b) & 0x80000000u)))
AOT_UN(F64_ABS, F64, F64, aot_f64_of(aot_bits_f64(a) & 0x7fffffffffffffffull))
AOT_UN(F64_NEG, F64, F64, aot_f64_of(aot_bits_f64(a) ^ 0x8000000000000000ull))
AOT_UN(F64_CEIL, F64, F64, a != a ? a + a : ceil(a))
AOT_UN(F64_FLOOR, F64, F64, a != a ? a + a : floor(a))
AOT_UN(F64_TRUNC, F64, F64, a != a ? a + a : trunc(a))
AOT_UN(F64_NEAREST, F64, F64, a != a ? a + a : rint(a))
AOT_UN(F64_SQRT, F64, F64, __builtin_sqrt(a))
AOT_BIN(F64_ADD, F64, F64, a + b)
AOT_BIN(F64_SUB, F64, F64, a - b)
AOT_BIN(F64_MUL, F64, F64, a *b)
AOT_BIN(F64_DIV, F64, F64, a / b)
AOT_BIN(F64_MIN, F64, F64,
        (a != a || b != b) ? a + b
        : a == b           ? aot_f64_of(aot_bits_f64(a) | aot_bits_f64(b))
        : a < b            ? a
                           : b)
AOT_BIN(F64_MAX, F64, F64,
        (a != a || b != b) ? a + b
        : a == b           ? aot_f64_of(aot_bits_f64(a) & aot_bits_f64(b))
        : a > b            ? a
                           : b)
AOT_BIN(F64_COPYSIGN, F64, F64,
        aot_f64_of((aot_bits_f64(a) & 0x7fffffffffffffffull) |
                   (aot_bits_f64(b) & 0x8000000000000000ull)))

/* Trapping truncations; 'lo' and 'hi' are exclusive (as vm_interp.c). */
#define AOT_TRUNC(OP, RT, FT, CT, lo, hi)                                      \
	static inline RT op_##OP(struct aot_inst *I, FT a)                     \
	{                                                                      \
		if (AOT_UNLIKELY(a != a))                                      \
			aot_trap(I, AOT_TRAP_CONVERSION, 0);                   \
		if (AOT_UNLIKELY(!(a > (lo) && a < (hi))))                     \
			aot_trap(I, AOT_TRAP_OVERFLOW, 0);                     \
		return (RT)(CT)a;                                              \
	}
AOT_TRUNC(I32_TRUNC_F32_S, U32, F32, S32, -2147483904.0f, 2147483648.0f)
AOT_TRUNC(I32_TRUNC_F32_U, U32, F32, U32, -1.0f, 4294967296.0f)
AOT_TRUNC(I32_TRUNC_F64_S, U32, F64, S32, -2147483649.0, 2147483648.0)
AOT_TRUNC(I32_TRUNC_F64_U, U32, F64, U32, -1.0, 4294967296.0)
AOT_TRUNC(I64_TRUNC_F32_S, U64, F32, S64, -9223373136366403584.0f,
          9223372036854775808.0f)
AOT_TRUNC(I64_TRUNC_F32_U, U64, F32, U64, -1.0f, 18446744073709551616.0f)
AOT_TRUNC(I64_TRUNC_F64_S, U64, F64, S64, -9223372036854777856.0,
          9223372036854775808.0)
AOT_TRUNC(I64_TRUNC_F64_U, U64, F64, U64, -1.0, 18446744073709551616.0)
#undef AOT_TRUNC

/* Saturating truncations (0xFC 0..7). */
#define AOT_SAT(OP, RT, FT, CT, lo, hi, minv, maxv)                            \
	static inline RT op_##OP(struct aot_inst *I, FT a)                     \
	{                                                                      \
		(void)I;                                                       \
		if (a != a)                                                    \
			return 0;                                              \
		if (a <= (lo))                                                 \
			return (RT)(CT)(minv);                                 \
		if (a >= (hi))                                                 \
			return (RT)(CT)(maxv);                                 \
		return (RT)(CT)a;                                              \
	}
AOT_SAT(I32_TRUNC_SAT_F32_S, U32, F32, S32, -2147483904.0f, 2147483648.0f,
        (-2147483647 - 1), 2147483647)
AOT_SAT(I32_TRUNC_SAT_F32_U, U32, F32, U32, -1.0f, 4294967296.0f, 0,
        0xffffffffu)
AOT_SAT(I32_TRUNC_SAT_F64_S, U32, F64, S32, -2147483649.0, 2147483648.0,
        (-2147483647 - 1), 2147483647)
AOT_SAT(I32_TRUNC_SAT_F64_U, U32, F64, U32, -1.0, 4294967296.0, 0, 0xffffffffu)
AOT_SAT(I64_TRUNC_SAT_F32_S, U64, F32, S64, -9223373136366403584.0f,
        9223372036854775808.0f, (-9223372036854775807ll - 1),
        9223372036854775807ll)
AOT_SAT(I64_TRUNC_SAT_F32_U, U64, F32, U64, -1.0f, 18446744073709551616.0f, 0,
        ~0ull)
AOT_SAT(I64_TRUNC_SAT_F64_S, U64, F64, S64, -9223372036854777856.0,
        9223372036854775808.0, (-9223372036854775807ll - 1),
        9223372036854775807ll)
AOT_SAT(I64_TRUNC_SAT_F64_U, U64, F64, U64, -1.0, 18446744073709551616.0, 0,
        ~0ull)
#undef AOT_SAT

AOT_UN(I32_WRAP_I64, U32, U64, (U32)a)
AOT_UN(I64_EXTEND_I32_S, U64, U32, (U64)(S64)(S32)a)
AOT_UN(I64_EXTEND_I32_U, U64, U32, (U64)a)
AOT_UN(F32_CONVERT_I32_S, F32, U32, (F32)(S32)a)
AOT_UN(F32_CONVERT_I32_U, F32, U32, (F32)a)
AOT_UN(F32_CONVERT_I64_S, F32, U64, (F32)(S64)a)
AOT_UN(F32_CONVERT_I64_U, F32, U64, (F32)a)
AOT_UN(F32_DEMOTE_F64, F32, F64, (F32)a)
AOT_UN(F64_CONVERT_I32_S, F64, U32, (F64)(S32)a)
AOT_UN(F64_CONVERT_I32_U, F64, U32, (F64)a)
AOT_UN(F64_CONVERT_I64_S, F64, U64, (F64)(S64)a)
AOT_UN(F64_CONVERT_I64_U, F64, U64, (F64)a)
/* GCC folds demote(promote(x)) to x even under -fsignaling-nans, which
 * keeps a signalling NaN signalling: an empty asm hides the value. */
#if defined(__x86_64__)
#define AOT_OPAQUE_F64(r) __asm__("" : "+x"(r))
#elif defined(__aarch64__)
#define AOT_OPAQUE_F64(r) __asm__("" : "+w"(r))
#else
#define AOT_OPAQUE_F64(r) __asm__("" : "+m"(r))
#endif
static inline F64 op_F64_PROMOTE_F32(struct aot_inst *I, F32 a)
{
	F64 r = (F64)a;
	(void)I;
	AOT_OPAQUE_F64(r);
	return r;
}
AOT_UN(I32_REINTERPRET_F32, U32, F32, aot_bits_f32(a))
AOT_UN(I64_REINTERPRET_F64, U64, F64, aot_bits_f64(a))
AOT_UN(F32_REINTERPRET_I32, F32, U32, aot_f32_of(a))
AOT_UN(F64_REINTERPRET_I64, F64, U64, aot_f64_of(a))
AOT_UN(I32_EXTEND8_S, U32, U32, (U32)(S32)(aot_s8)a)
AOT_UN(I32_EXTEND16_S, U32, U32, (U32)(S32)(aot_s16)a)
AOT_UN(I64_EXTEND8_S, U64, U64, (U64)(S64)(aot_s8)a)
AOT_UN(I64_EXTEND16_S, U64, U64, (U64)(S64)(aot_s16)a)
AOT_UN(I64_EXTEND32_S, U64, U64, (U64)(S64)(S32)a)

#undef U32
#undef S32
#undef U64
#undef S64
#undef F32
#undef F64
#undef AOT_UN
#undef AOT_BIN

/*
 * Fuel and interrupts. With AOT_FUEL (the store has a fuel limit) every
 * call and back-edge counts, exactly as the interpreter counts them; a
 * compiled function keeps the counter in a local (B) so that GCC holds it
 * in a register through loops that store to memory, written back to
 * I->budget before every call and return and read again after each call
 * (AOT_OUT, AOT_IN). Without fuel, calls and back-edges only test the
 * interrupt flag (a timeout, a signal to deliver): one load, no store
 * (atomic, relaxed: another thread raises it).
 */
#if AOT_FUEL
#define AOT_POLL_IF_DUE()                                                      \
	if (AOT_UNLIKELY(--B <= 0)) {                                          \
		I->budget = B;                                                 \
		I->poll(I);                                                    \
		B = I->budget;                                                 \
	}
#define AOT_POLL_INIT() long long B = I->budget
#define AOT_OUT         I->budget = B
#define AOT_IN          B = I->budget
#else
#define AOT_POLL_IF_DUE()                                                      \
	if (AOT_UNLIKELY(__atomic_load_n(INTR, __ATOMIC_RELAXED)))             \
		I->poll(I);
#define AOT_POLL_INIT() volatile int *const INTR = I->interrupt
#define AOT_OUT         (void)0
#define AOT_IN          (void)0
#endif

/*
 * Prologue of a compiled function (aot_emit.c picks the parts): the wasm
 * call depth always; the C stack in functions that call or have a large
 * frame; a poll on entry in functions that may be part of a recursion
 * (the other paths to an endless run pass a loop's back-edge), and on
 * every entry when counting fuel.
 */
/* D: wasm frames the function may still add (the interpreter's limit
 * minus its depth); a call passes D - 1. */
#define AOT_DEPTH(D)                                                           \
	if (AOT_UNLIKELY((D) == 0))                                            \
	aot_trap(I, AOT_TRAP_STACK, 0)
/* The stack pointer without forcing a frame pointer. */
#if defined(__x86_64__)
#define AOT_SP(sp) __asm__("mov %%rsp, %0" : "=r"(sp))
#elif defined(__aarch64__)
#define AOT_SP(sp) __asm__("mov %0, sp" : "=r"(sp))
#else
#define AOT_SP(sp) ((sp) = (char *)__builtin_frame_address(0))
#endif
#define AOT_STACK()                                                            \
	do {                                                                   \
		char *sp_;                                                     \
		AOT_SP(sp_);                                                   \
		if (AOT_UNLIKELY(sp_ < I->stack_limit))                        \
			aot_trap(I, AOT_TRAP_STACK, 0);                        \
	} while (0)

/* A loop back-edge. */
#define AOT_BACKEDGE() AOT_POLL_IF_DUE()
/* The back-edge of a loop that calls nothing: without fuel and with
 * asynchronous interrupts, only a compiler barrier, so that the next
 * iteration reads memory again (a store by a signal handler the
 * interrupt ran is seen). */
#if AOT_FUEL || !AOT_ASYNC_INTERRUPTS
#define AOT_BACKEDGE_FREE() AOT_POLL_IF_DUE()
#else
#define AOT_BACKEDGE_FREE() __asm__ volatile("" ::: "memory")
#endif

/* call_indirect: bounds, null and type checks; 'f' set on success. */
static inline struct aot_func *aot_indirect(struct aot_inst *I, aot_u32 tab,
                                            aot_u32 type, aot_u32 i)
{
	struct aot_table *t = I->tables[tab];
	if (AOT_UNLIKELY(i >= t->size))
		aot_trap(I, AOT_TRAP_UNDEF_ELEM, 0);
	struct aot_func *f = (struct aot_func *)(__UINTPTR_TYPE__)t->elems[i];
	if (AOT_UNLIKELY(f == 0))
		aot_trap(I, AOT_TRAP_UNINIT_ELEM, i);
	if (AOT_UNLIKELY(f->type_id != I->type_ids[type]))
		aot_trap(I, AOT_TRAP_SIG_MISMATCH, 0);
	return f;
}
#endif /* AOT_GENERATED */

#endif
