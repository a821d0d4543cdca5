/*
 * aot_emit_impl.h: what the parts of the C emitter share (aot_emit.c, the
 * core; aot_emit_eh.c, exceptions; aot_emit_sj.c, setjmp) and nothing
 * else sees: the state of one function being emitted and the helpers the
 * parts call in each other.
 *
 * Keeps true: these are internal to src/aot/aot_emit*.c; the emitted C
 * depends only on the module and the options (it is the cache's content),
 * whichever part writes it.
 */
#ifndef WASMIX_AOT_EMIT_IMPL_H
#define WASMIX_AOT_EMIT_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "aot/aot.h"
#include "aot/aot_abi.h"
#include "wasm/wasm_module.h"

enum { K_FUNC, K_BLOCK, K_LOOP, K_IF };

struct ctl {
	uint8_t kind;
	bool has_else;
	/* K_LOOP: a call that polls ran at the loop's own level before the
	 * code being emitted, so a back-edge from here needs no poll. */
	bool polled;
	/* K_LOOP: no call of any kind inside (loop_is_call_free): its
	 * back-edges need no poll where interrupts reach compiled code
	 * asynchronously (AOT_BACKEDGE_FREE, aot_abi.h). */
	bool call_free;
	bool is_try; /* a try_table or try: its end restores 'region' */
	bool legacy; /* a try (legacy exceptions): catches follow */
	/* The region in force inside the block (where a delegate to its
	 * label goes); a legacy try's catches seen so far. */
	uint32_t inner, ncatch;
	uint32_t label;
	/* The try_table region in force at the block's label (EHR). */
	uint32_t region;
	uint32_t base; /* stack height below the block's parameters */
	uint32_t np, nr;
	char pt[AOT_MAX_RESULTS + 1], rt[AOT_MAX_RESULTS + 1];
};

struct prof;

struct fn {
	const struct wasm_module *m;
	uint32_t self;           /* the function's index */
	const struct prof *prof; /* every function's (profile_funcs) */
	const struct aot_options *opt;
	FILE *o;
	const char *why; /* set: this function cannot be compiled */
	char *types;     /* operand stack types, 'cap' */
	uint8_t *used;   /* per height: types used (tbit) */
	uint32_t h, cap;
	struct ctl *ctl;
	uint32_t nctl, capctl;
	uint32_t nlabels;
	char *ltypes; /* local types */
	uint32_t nlocals;
	/* setjmp (aot_sj_funcs): per function index, whether it is a setjmp
	 * function; NULL: none in the module. */
	const uint8_t *sj;
	uint8_t *tag;      /* per height: TAG_* of the value's origin */
	bool sj_forwards;  /* out: a setjmp call forwards the snapshot */
	bool anchor;       /* has setjmp call sites: struct aot_sj J */
	uint32_t nsites;   /* setjmp call sites so far */
	uint32_t *site_nv; /* per site: values it saves ('capsites') */
	uint32_t capsites;
	const uint8_t *pc; /* just after the instruction being emitted */
	/* try_table (docs/aot.md, "Exceptions"): the function has one (a
	 * landing in its prologue), the region in force (0: none), regions
	 * made, and the landing's dispatch code, emitted after the body. */
	bool has_try;
	uint32_t region, nregions;
	FILE *eh;
};

/* Where a value on the operand stack came from (setjmp functions). */
enum { TAG_OTHER, TAG_LOCAL0, TAG_CONST };

/* ---- the core (aot_emit.c) ----------------------------------------------- */

/* One value type as the emitter sees it: i, l, f, d, r; 0 unsupported. */
char aot_tchar(uint32_t vt);
/* A C expression converting 'expr' of type t to a 64-bit slot, back. */
void aot_to_slot(FILE *o, char t, const char *expr);
void aot_from_slot(FILE *o, char t, const char *expr);
/* Name of the variable at height h with type t (static buffers, 4). */
const char *aot_sv(struct fn *F, uint32_t h, char t);
/* Pushes a value of type t; returns its variable name. */
const char *aot_push(struct fn *F, char t);
/* The parameter and result types of a block into 'c'; false: a type the
 * emitter does not handle. */
bool aot_blocktype(struct fn *F, const struct wasm_instr_imm *imm,
                   struct ctl *c);
/* Opens a block of 'kind' with a new label; NULL (F->why set) when out
 * of memory. */
struct ctl *aot_push_ctl(struct fn *F, uint8_t kind);
/* A branch to the label 'depth' levels out: values, then the jump. */
void aot_emit_branch(struct fn *F, uint32_t depth);
/* Sets the stack to 'base' plus the values of types 't'. */
void aot_set_stack(struct fn *F, uint32_t base, const char *t, uint32_t n);
/* Emits the body of defined function k into F->o; F->why on failure. */
void aot_emit_body(struct fn *F, uint32_t k);
/* Frees what emitting a body allocated in 'F' (not F itself). */
void aot_free_fn(struct fn *F);

/* ---- exceptions (aot_emit_eh.c) ------------------------------------------ */

/* try_table: opens its block and region, writes its clauses to F->eh. */
void aot_emit_try_table(struct fn *F, const struct wasm_instr_imm *imm,
                        const uint8_t *end);
/* try, catch, catch_all, delegate, rethrow; false if 'op' is none of
 * them (or a catch of a block that is no try). */
bool aot_emit_legacy(struct fn *F, enum wasm_opcode op,
                     const struct wasm_instr_imm *imm, bool *dead);
/* Whether function 'wf' has a try_table or a try. */
bool aot_has_try_table(const struct wasm_func *wf);

/* ---- setjmp (aot_emit_sj.c) ---------------------------------------------- */

/* A direct call of setjmp function k: a landing in this frame. */
void aot_emit_sj_call(struct fn *F, uint32_t k);
/* Whether defined function k makes a direct call of a setjmp function. */
bool aot_calls_sj(const struct wasm_module *m, uint32_t k, const uint8_t *sj);
/* The setjmp functions of 'm' into '*out' (NULL: none; the caller frees
 * it with wx_free). Returns WX_OK or WX_ENOMEM. */
int aot_sj_funcs(const struct wasm_module *m, const struct aot_options *opt,
                 const struct prof *prof, uint8_t **out);

#endif
