/*
 * fuzz_host.h: what the fuzz targets, the regression replayer and the
 * differential driver share: loading a module from bytes (a whole module,
 * or a function body wrapped into a fixed module), satisfying any import
 * with a stub, and calling every exported function with derived arguments
 * under a fuel budget.
 *
 * Keeps true:
 *  - Everything a 'struct fuzz_env' made is released by fuzz_env_free,
 *    whatever state the env reached (the single cleanup path).
 *  - Every run ends: the store gets a fuel budget, capped memory pages,
 *    table elements and call depth (fuzz_vm_config), and stubs never
 *    block or call back into wasm.
 *  - Arguments are a pure function of the function type, the round and
 *    the seed, so two engines given the same module see the same calls.
 */
#ifndef WASMIX_FUZZ_HOST_H
#define WASMIX_FUZZ_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "vm/vm.h"
#include "wasm/wasm_module.h"

/* Caps used by the fuzz targets (the defaults are far larger). */
#define FUZZ_MAX_PAGES 256u    /* 16 MiB per memory */
#define FUZZ_MAX_TABLE 10000u  /* elements per table */
#define FUZZ_MAX_DEPTH 1000u   /* wasm frames */
#define FUZZ_FUEL      200000u /* calls + loop iterations per store */
#define FUZZ_MAX_INPUT (1u << 20)

/* Everything made from one input. */
struct fuzz_env {
	struct wasm_module *mod;
	struct vm_store *store;
	struct vm_instance *inst;
	uint8_t *wrapped; /* the wrapping module's bytes, when one was built */
	struct diag diag;
};

/*
 * Fills 'c' with the fuzzing caps above and 'fuel' (0: unlimited; the
 * targets never pass 0).
 */
void fuzz_vm_config(struct vm_config *c, uint64_t fuel);

/*
 * Builds, in '*out' (malloc'd, caller frees), a valid module skeleton
 * whose function 1 (exported "f", type (i32 i32) -> i32) has 'body' as its
 * code entry (locals declaration, instructions, final 'end'). The module
 * imports "env" "h" (func (i32 i32) -> i32), has a funcref table of 4 (max
 * 16) holding functions 0 and 1, a memory of 1 page (max 4) exported as
 * "m", mutable i32 and i64 globals and one passive data segment. Returns
 * 0 or WX_ENOMEM.
 */
int fuzz_wrap_body(const uint8_t *body, size_t len, uint8_t **out,
                   size_t *out_len);

/*
 * Decodes and validates 'data'. A module starts with "\0asm"; any other
 * input is a function body for fuzz_wrap_body. Returns 0 with e->mod set,
 * or an error code (message in e->diag).
 */
int fuzz_load(struct fuzz_env *e, const uint8_t *data, size_t size);

/*
 * Makes a store with 'cfg' and instantiates e->mod, every import given a
 * stub: host functions that return zeros, fresh memories, tables and
 * globals (value 0) of exactly the imported type. Returns 0 or an error
 * code (WX_ELINK when a stub cannot be made within the caps).
 */
int fuzz_instantiate(struct fuzz_env *e, const struct vm_config *cfg);

/*
 * Arguments for round 'round' of a call to a function of type 'ft': round
 * 0 is all zeros; later rounds pick from a fixed table of edge values by
 * (seed, round, parameter index). References are always null. 'args' has
 * room for ft->nparams slots.
 */
void fuzz_args(const struct wasm_functype *ft, unsigned round, uint32_t seed,
               uint64_t *args);

/* Called after each call made by fuzz_call_exports. */
typedef void (*fuzz_call_fn)(void *ud, const struct wasm_export *ex,
                             const struct wasm_functype *ft,
                             const uint64_t *args, int rc,
                             const uint64_t *results, const char *msg);

/*
 * For each round in [0, rounds), calls every exported function of e->inst
 * in export order with fuzz_args, then 'cb' (may be NULL). Stops early
 * when a call exits (WX_EEXIT) or runs out of fuel. Returns the number of
 * calls made.
 */
unsigned fuzz_call_exports(struct fuzz_env *e, unsigned rounds, uint32_t seed,
                           fuzz_call_fn cb, void *ud);

/* Frees whatever 'e' holds and clears it. */
void fuzz_env_free(struct fuzz_env *e);

/* FNV-1a over 'len' bytes, continuing from 'h' (start with 2166136261). */
uint32_t fuzz_hash(uint32_t h, const uint8_t *p, size_t len);

#endif
