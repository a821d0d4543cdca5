/*
 * vm_code.h: the internal code the translator (vm_compile.c) produces and
 * the interpreter (vm_interp.c) runs. docs/interp.md explains the design.
 *
 * Code is an array of 32-bit cells. Each instruction starts with its
 * handler: two cells holding the handler's address under computed goto
 * (direct threading), one cell holding the opcode number under the switch
 * build (VM_HANDLER_CELLS). Operand cells follow. Operands name frame SLOTS
 * (fp-relative indices of 64-bit slots), never stack positions: a frame is
 *   [params][declared locals][constants][operand stack ...]
 * and because validated code has static stack heights, operand-stack
 * height h is slot (nparams + nlocals + nconsts + h).
 *
 * Branch offsets are signed cell counts relative to the offset cell
 * itself. Internal opcodes are the wasm opcodes (enum wasm_opcode, for the
 * instructions executed as they are) followed by VMOP_* below.
 *
 * Keeps true: an instruction reads all of its operands before it writes
 * its result, so a result slot may equal an operand slot.
 */
#ifndef WASMIX_VM_CODE_H
#define WASMIX_VM_CODE_H

#include "vm/vm_impl.h"

/*
 * The SIMD instructions that compilers emit in inner loops, with handlers
 * of their own in the loop (vm_interp.c), where the rest go through
 * VMOP_SIMD: VMOP_<wasm name> (VMOP_I32X4_ADD is WASM_OP_I32X4_ADD's fast
 * form; the translator picks it, simd_fast_op). Binary ones are
 * [dst][a][b], splats and unary ones [dst][src], extract_lane
 * [dst][src][lane]; the loads [dst][addr][off] and V128_STORE
 * [addr][value][off] are for a 32-bit memory 0 (a guarded and a checked
 * handler each, like the scalar loads).
 */
#define VM_SIMD_FAST_OPS(X)                                                    \
	X(V128_LOAD) X(V128_STORE) X(V128_LOAD32_SPLAT) X(V128_LOAD64_SPLAT) \
	X(I8X16_ADD) X(I8X16_SUB) X(I16X8_ADD)                  \
	X(I16X8_SUB) X(I16X8_MUL) X(I32X4_ADD)                  \
	X(I32X4_SUB) X(I32X4_MUL) X(I64X2_ADD)                  \
	X(I64X2_SUB) X(F32X4_ADD) X(F32X4_SUB)                  \
	X(F32X4_MUL) X(F32X4_DIV) X(F64X2_ADD)                  \
	X(F64X2_SUB) X(F64X2_MUL) X(F64X2_DIV)                  \
	X(V128_AND) X(V128_OR) X(V128_XOR)                      \
	X(V128_ANDNOT) X(I8X16_EQ) X(I16X8_EQ)                  \
	X(I32X4_EQ) X(I32X4_LT_S) X(I32X4_GT_S)                 \
	X(F32X4_LT) X(F32X4_GT)                                      \
	X(I8X16_SPLAT) X(I16X8_SPLAT) X(I32X4_SPLAT)            \
	X(I64X2_SPLAT) X(F32X4_SPLAT) X(F64X2_SPLAT)            \
	X(I32X4_EXTRACT_LANE) X(I64X2_EXTRACT_LANE)                  \
	X(F32X4_EXTRACT_LANE) X(F64X2_EXTRACT_LANE)                  \
	X(I8X16_ADD_SAT_U) X(I8X16_SUB_SAT_U)                        \
	X(I16X8_EXTADD_PAIRWISE_I8X16_S)                             \
	X(I16X8_EXTADD_PAIRWISE_I8X16_U)                             \
	X(I32X4_EXTADD_PAIRWISE_I16X8_S)                             \
	X(I32X4_EXTADD_PAIRWISE_I16X8_U)

/* Internal-only instructions, after the wasm ones. Operands in brackets. */
#define VM_INTERNAL_OPS(X)                                                     \
	X(MOV)           /* [dst][src] */                                      \
	X(MOV2)          /* [dst][src][dst2][src2] */                          \
	X(CONST32)       /* [dst][value] (zero-extended) */                    \
	X(CONST64)       /* [dst][lo][hi] */                                   \
	X(V128_CONST)    /* [dst][4 cells: the 16 bytes, low first] */         \
	X(BR)            /* [off] */                                           \
	X(BR_NZ)         /* [cond][off]: jump if i32 cond != 0 */              \
	X(BR_Z)          /* [cond][off]: jump if i32 cond == 0 */              \
	X(BR_TABLE)      /* [index][n][off * (n + 1)] last is the default */   \
	X(CALL)          /* [funcidx][argbase] */                              \
	X(CALL_INDIRECT) /* [typeid][table][argbase][index] */                 \
	X(RETURN)        /* results already in fp[0..] */                      \
	X(RETURN1)       /* [src]: fp[0] = fp[src]; return */                  \
	X(RETURN_CALL)   /* [funcidx][argbase][nargs] */                       \
	/* [typeid][table][argbase][index][nargs] */                           \
	X(RETURN_CALL_INDIRECT)                                                \
	X(CALL_REF)      /* [argbase][ref] */                                  \
	X(RETURN_CALL_REF) /* [argbase][ref][nargs] */                         \
	X(THROW)         /* [tagidx][argbase] */                               \
	X(THROW_REF)     /* [src]: throw_ref, rethrow (src: the exnref) */     \
	X(EXIT)          /* return address of the entry frame: leave */        \
	X(JMP_RET)       /* return address of a checkpointed frame (vm_jmp) */ \
	X(GLOBAL_GET)    /* [dst][globalidx] */                                \
	X(GLOBAL_SET)    /* [src][globalidx] */                                \
	X(GLOBAL_GET_TL) /* [dst][tl slot]: a thread-local global */           \
	X(GLOBAL_SET_TL) /* [src][tl slot] */                                  \
	X(SELECT)        /* [dst][a][b][cond] */                               \
	X(REF_FUNC)      /* [dst][funcidx] */                                  \
	X(ATOMIC)        /* [op | mem << 16][dst?][operands][offset] (0xFE) */ \
	/* [op][mem][dst?][operands][offset]: memory != 0 or 64-bit */         \
	X(MEMN)                                                                \
	/* [op][dst?][operands][imms]: SIMD, out of line (vm_simd.c) */        \
	X(SIMD)                                                                \
	VM_SIMD_FAST_OPS(X)                                                    \
	/* [dst][src]: min(src, 2^32 - 1): a table64 index, memory64 address */ \
	X(CLAMP32)                                                             \
	/* [dst][a][imm]: b is the 32-bit immediate (sign-extended for i64) */ \
	X(I32_ADD_SHL) /* [dst][a][b][k]: a + (b << k), k < 32 */              \
	/* [dst][base][idx][k][off]: load at (u32)(base + (idx << k)) + off */ \
	X(I32_LOAD_X)                                                          \
	X(I64_LOAD_X)                                                          \
	X(F32_LOAD_X)                                                          \
	X(F64_LOAD_X)                                                          \
	X(I32_LOAD8_S_X)                                                       \
	X(I32_LOAD8_U_X)                                                       \
	X(I32_LOAD16_S_X)                                                      \
	X(I32_LOAD16_U_X)                                                      \
	/* [base][idx][k][value][off]: the matching store */                   \
	X(I32_STORE_X)                                                         \
	X(I64_STORE_X)                                                         \
	X(F32_STORE_X)                                                         \
	X(F64_STORE_X)                                                         \
	X(I32_STORE8_X)                                                        \
	X(I32_STORE16_X)                                                       \
	/* [dst][a][addr][off]: a OP (value loaded from addr + off) */         \
	X(I32_ADD_LOAD)                                                        \
	X(I32_SUB_LOAD)                                                        \
	X(I32_MUL_LOAD)                                                        \
	X(I32_AND_LOAD)                                                        \
	X(I32_OR_LOAD)                                                         \
	X(I32_XOR_LOAD)                                                        \
	X(I64_ADD_LOAD)                                                        \
	X(I64_SUB_LOAD)                                                        \
	X(I64_MUL_LOAD)                                                        \
	X(F32_ADD_LOAD)                                                        \
	X(F32_SUB_LOAD)                                                        \
	X(F32_MUL_LOAD)                                                        \
	X(F64_ADD_LOAD)                                                        \
	X(F64_SUB_LOAD)                                                        \
	X(F64_MUL_LOAD)                                                        \
	X(I32_ADD_IMM)                                                         \
	X(I32_SUB_IMM)                                                         \
	X(I32_MUL_IMM)                                                         \
	X(I32_AND_IMM)                                                         \
	X(I32_OR_IMM)                                                          \
	X(I32_XOR_IMM)                                                         \
	X(I32_SHL_IMM)                                                         \
	X(I32_SHR_S_IMM)                                                       \
	X(I32_SHR_U_IMM)                                                       \
	X(I64_ADD_IMM)                                                         \
	X(I64_SUB_IMM)                                                         \
	X(I64_MUL_IMM)                                                         \
	X(I64_AND_IMM)                                                         \
	X(I64_OR_IMM)                                                          \
	X(I64_XOR_IMM)                                                         \
	X(I64_SHL_IMM)                                                         \
	X(I64_SHR_S_IMM)                                                       \
	X(I64_SHR_U_IMM)                                                       \
	X(I32_EQ_IMM)                                                          \
	X(I32_NE_IMM)                                                          \
	X(I32_LT_S_IMM)                                                        \
	X(I32_LT_U_IMM)                                                        \
	X(I32_GT_S_IMM)                                                        \
	X(I32_GT_U_IMM)                                                        \
	X(I32_LE_S_IMM)                                                        \
	X(I32_LE_U_IMM)                                                        \
	X(I32_GE_S_IMM)                                                        \
	X(I32_GE_U_IMM)                                                        \
	/* [a][imm][off]: fused compare with an immediate and branch */        \
	X(BR_I32_EQ_IMM)                                                       \
	X(BR_I32_NE_IMM)                                                       \
	X(BR_I32_LT_S_IMM)                                                     \
	X(BR_I32_LT_U_IMM)                                                     \
	X(BR_I32_GT_S_IMM)                                                     \
	X(BR_I32_GT_U_IMM)                                                     \
	X(BR_I32_LE_S_IMM)                                                     \
	X(BR_I32_LE_U_IMM)                                                     \
	X(BR_I32_GE_S_IMM)                                                     \
	X(BR_I32_GE_U_IMM)                                                     \
	X(BR_I32_EQZ)  /* [a][off] */                                          \
	X(BR_I32_NEZ)  /* [a][off] */                                          \
	X(BR_I32_EQ)   /* [a][b][off] */                                       \
	X(BR_I32_NE)   /* [a][b][off] */                                       \
	X(BR_I32_LT_S) /* [a][b][off] */                                       \
	X(BR_I32_LT_U) /* [a][b][off] */                                       \
	X(BR_I32_GT_S) /* [a][b][off] */                                       \
	X(BR_I32_GT_U) /* [a][b][off] */                                       \
	X(BR_I32_LE_S) /* [a][b][off] */                                       \
	X(BR_I32_LE_U) /* [a][b][off] */                                       \
	X(BR_I32_GE_S) /* [a][b][off] */                                       \
	X(BR_I32_GE_U) /* [a][b][off] */                                       \
	X(BR_I64_EQZ)  /* [a][off] */                                          \
	X(BR_I64_NEZ)  /* [a][off] */                                          \
	X(BR_I64_EQ)   /* [a][b][off] */                                       \
	X(BR_I64_NE)   /* [a][b][off] */                                       \
	X(BR_I64_LT_S) /* [a][b][off] */                                       \
	X(BR_I64_LT_U) /* [a][b][off] */                                       \
	X(BR_I64_GT_S) /* [a][b][off] */                                       \
	X(BR_I64_GT_U) /* [a][b][off] */                                       \
	X(BR_I64_LE_S) /* [a][b][off] */                                       \
	X(BR_I64_LE_U) /* [a][b][off] */                                       \
	X(BR_I64_GE_S) /* [a][b][off] */                                       \
	X(BR_I64_GE_U) /* [a][b][off] */

enum vm_opcode {
	VMOP_FIRST_INTERNAL_ = WASM_OP_COUNT_ - 1,
#define VM_X(name) VMOP_##name,
	VM_INTERNAL_OPS(VM_X)
#undef VM_X
	    VMOP_COUNT_
};

/*
 * Sub-opcodes of VMOP_SIMD besides the wasm SIMD opcodes: v128 forms of
 * instructions whose operands the translator otherwise treats as one
 * slot. [dst][a][b][cond], [dst][globalidx], [src][globalidx].
 */
enum vm_simd_internal {
	VMOP_V128_SELECT = 0x10000,
	VMOP_V128_GLOBAL_GET,
	VMOP_V128_GLOBAL_SET,
};

/* Frame initialisation copies this many slots at a time (vm_code.init). */
#define VM_INIT_CHUNK 4

#ifdef WX_DISPATCH_SWITCH
#define VM_HANDLER_CELLS 1
#else
#define VM_HANDLER_CELLS 2
#endif

/*
 * One exception handler of a translated function (docs/interp.md,
 * "Exceptions"). Entries are consulted only when something is thrown,
 * innermost first: an exception raised at cell offset k (the throwing
 * instruction's first cell + 1, or a call's return address) lies in the
 * entry when start < k <= end.
 */
enum vm_eh_kind {
	VM_EH_CATCH,     /* tag matches: payload to 'slot', exnref to 'exn_slot' */
	VM_EH_CATCH_ALL, /* any exception: exnref to 'exn_slot' */
	VM_EH_DELEGATE,  /* legacy delegate: only entries of blocks <= 'outer' */
};

#define VM_EH_NO_SLOT UINT32_MAX

struct vm_eh_entry {
	uint32_t start, end; /* cell offsets: the try body */
	uint32_t block;      /* nesting index of the try block (0 = function) */
	uint32_t kind;       /* enum vm_eh_kind */
	uint32_t tag;        /* VM_EH_CATCH: tag index in the instance */
	uint32_t outer;      /* VM_EH_DELEGATE: the target block's index */
	uint32_t target;     /* cell offset of the handler code */
	uint32_t slot;       /* first payload slot */
	uint32_t exn_slot;   /* where the exnref goes, or VM_EH_NO_SLOT */
};

/* A translated function. */
struct vm_code {
	uint32_t *cells;
	size_t ncells;
	uint32_t nparams;
	uint32_t nresults;
	uint32_t nlocals;    /* declared locals */
	uint32_t nconsts;    /* pooled constants, after the locals */
	uint32_t frame_size; /* slots the frame may use */
	/*
	 * Copied to fp[nparams ..] on entry: nlocals zeros, then constants,
	 * then zeros up to a multiple of VM_INIT_CHUNK (the frame has room).
	 */
	uint64_t *init;
	uint32_t ninit;
	/* Exception handlers (none for most functions); owned. */
	struct vm_eh_entry *eh;
	uint32_t neh;
	/* Next function of the store with handlers (vm_store.eh_codes). */
	struct vm_code *eh_next;
};

/*
 * Translates wasm function 'f' (of a validated module) into f->code.
 * Returns 0, or WX_ENOMEM / WX_ELIMIT with a message in 'diag'.
 */
int vm_compile(struct vm_store *s, struct vm_func *f, struct diag *diag);

/* Frees a translation. NULL is allowed. */
void vm_code_free(struct vm_code *code);

/*
 * The handler value of each opcode (VMOP_COUNT_ entries): the label
 * address under computed goto, the opcode number under the switch build.
 * Written as VM_HANDLER_CELLS cells, low half first.
 */
const uint64_t *vm_interp_handlers(void);

/*
 * The handler table for code of 'inst' in store 's': the guarded one
 * (loads and stores without a bounds compare) when its memory 0 is a
 * guarded reservation (vm_guard.c) and the store has no fuel limit, else
 * the one whose loads and stores check bounds explicitly.
 */
const uint64_t *vm_interp_handlers_for(const struct vm_store *s,
                                       const struct vm_instance *inst);

/*
 * Cold instruction helpers (vm_interp_cold.c). Each takes the running
 * instance, the frame and the instruction's cells ('pc' at its last
 * handler cell, so pc[1] is the first operand), does the work and returns NULL,
 * or the trap message in the specification's wording.
 */
const char *vm_op_memory_grow(struct vm_instance *inst, uint64_t *fp,
                              const uint32_t *pc);
const char *vm_op_memory_init(struct vm_instance *inst, uint64_t *fp,
                              const uint32_t *pc);
const char *vm_op_memory_copy(struct vm_instance *inst, uint64_t *fp,
                              const uint32_t *pc);
const char *vm_op_memory_fill(struct vm_instance *inst, uint64_t *fp,
                              const uint32_t *pc);
const char *vm_op_data_drop(struct vm_instance *inst, uint64_t *fp,
                            const uint32_t *pc);
const char *vm_op_table_get(struct vm_instance *inst, uint64_t *fp,
                            const uint32_t *pc);
const char *vm_op_table_set(struct vm_instance *inst, uint64_t *fp,
                            const uint32_t *pc);
const char *vm_op_table_size(struct vm_instance *inst, uint64_t *fp,
                             const uint32_t *pc);
const char *vm_op_table_grow(struct vm_instance *inst, uint64_t *fp,
                             const uint32_t *pc);
const char *vm_op_table_fill(struct vm_instance *inst, uint64_t *fp,
                             const uint32_t *pc);
const char *vm_op_table_init(struct vm_instance *inst, uint64_t *fp,
                             const uint32_t *pc);
const char *vm_op_table_copy(struct vm_instance *inst, uint64_t *fp,
                             const uint32_t *pc);
const char *vm_op_elem_drop(struct vm_instance *inst, uint64_t *fp,
                            const uint32_t *pc);
/*
 * The 0xFE instructions: [ATOMIC][wasm op | mem << 16][dst?][operands]
 * [offset]. Sets '*ncells' to the instruction's length counting one
 * handler cell.
 */
const char *vm_op_atomic(struct vm_instance *inst, uint64_t *fp,
                         const uint32_t *pc, unsigned *ncells);

/*
 * Loads, stores and memory.size of a memory other than 0 (multi-memory)
 * or of a 64-bit memory (memory64): [MEMN][wasm op][mem][dst?][operands]
 * [offset], with a second offset cell (the high half) for a 64-bit
 * memory, bounds checked explicitly. Sets '*ncells' like vm_op_atomic.
 * (Atomics on a 64-bit memory have that second offset cell too.)
 */
const char *vm_op_memn(struct vm_instance *inst, uint64_t *fp,
                       const uint32_t *pc, unsigned *ncells);

/*
 * One SIMD instruction (vm_simd.c): [SIMD][op][dst?][operands][imms] as
 * vm_compile.c's emit_simd writes it; a v128 is two slots, named by the
 * low one. Memory operands are [mem][offset lo][offset hi][lane?], bounds
 * checked explicitly. Sets '*ncells' like vm_op_atomic.
 */
const char *vm_op_simd(struct vm_instance *inst, uint64_t *fp,
                       const uint32_t *pc, unsigned *ncells);

#endif
