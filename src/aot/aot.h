/*
 * aot.h: the compiled tier (docs/aot.md). A validated module becomes C
 * (aot_emit.c), the system C compiler makes a shared object of it, cached
 * by content (aot_cache.c), and its functions are bound to an instance's
 * vm_func objects (aot_run.c), where the interpreter and vm_invoke call
 * them. Anything it does not compile stays interpreted.
 *
 * Layering: aot depends on vm and wasm only; vm reaches it through
 * vm_config.on_instance and the function pointers of struct vm_func.
 *
 * Keeps true: a failure to compile or load is never an error of the run:
 * the module is interpreted, with one line on stderr under 'verbose'.
 */
#ifndef WASMIX_AOT_H
#define WASMIX_AOT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vm/vm.h"
#include "wasm/wasm_module.h"

/* Most results (or block values) a compiled function may have. */
#define AOT_MAX_RESULTS 64

/* Most C files one module is split into (aot_emit_nparts). */
#define AOT_MAX_PARTS 64

struct aot_options {
	/* Explicit bounds checks rather than guard pages (the default when
	 * vm_config.bounds_checks is set). Part of the cache key. */
	bool checked;
	/* Count calls and back-edges exactly as the interpreter does (the
	 * store has a fuel limit); else poll the interrupt flag only. Part
	 * of the cache key. */
	bool fuel;
	bool verbose;  /* say on stderr why something is interpreted */
	bool no_cache; /* compile into a temporary directory only */
	const char
	    *cache_dir; /* NULL: $XDG_CACHE_HOME/wasmix, ~/.cache/wasmix */
	const char *cc; /* NULL: $WASMIX_CC, else "cc" */
	const char *opt_level; /* NULL: "-O2" */
	/*
	 * A module of at least this many bytes that is not in the cache is
	 * compiled by a background process while this run interprets it
	 * (aot_load returns WX_ELIMIT); the next run finds it cached.
	 * 0: always wait for the compiler. Not with 'no_cache'.
	 */
	uint64_t background_bytes;
	/*
	 * A module whose code section is larger than this many bytes is
	 * written as several C files of about this much wasm code each,
	 * compiled in parallel and linked into one shared object (smaller
	 * modules stay one file, where GCC inlines across all functions).
	 * 0: $WASMIX_AOT_SPLIT_BYTES, else 128 KiB; UINT64_MAX: never split.
	 * Part of the cache key through the number of files it gives.
	 */
	uint64_t split_bytes;
	/* Compilers run at once: 0: $WASMIX_AOT_JOBS, else the online CPUs,
	 * at most 8. Does not change the code. */
	unsigned jobs;
	/* Never run the compiler (a confined process cannot): a module not
	 * in the cache is interpreted. */
	bool lookup_only;
};

/*
 * Why no function of 'm' can be compiled (v128 values, shared memory,
 * exception tags, thread spawning), or NULL.
 */
const char *aot_module_unsupported(const struct wasm_module *m);

/*
 * Writes the C translation of validated module 'm' to 'out' and sets
 * '*ncompiled' to the number of functions compiled (the others become
 * stubs into the interpreter). Returns 0, WX_EARG (whole module not
 * compilable, see aot_module_unsupported), WX_ENOMEM or WX_EIO.
 */
int aot_emit_c(const struct wasm_module *m, const struct aot_options *opt,
               FILE *out, uint32_t *ncompiled, struct diag *diag);

/*
 * The number of C files aot_emit_c_parts writes for 'm' with code split
 * into pieces of about 'split_bytes' (0: one file): 1 when the module's
 * code is no larger, at most AOT_MAX_PARTS.
 */
uint32_t aot_emit_nparts(const struct wasm_module *m, uint64_t split_bytes);

/*
 * aot_emit_c into 'nparts' files out[0..nparts-1] (1..AOT_MAX_PARTS):
 * each defined function goes to one of them (contiguous runs of indices
 * of about equal code size), out[0] also gets the module's tables. With
 * more than one part the functions are hidden symbols rather than static
 * ones, so calls across files are direct calls; compile each with -c and
 * link the objects into one shared object. Same errors as aot_emit_c.
 */
int aot_emit_c_parts(const struct wasm_module *m, const struct aot_options *opt,
                     uint32_t nparts, FILE *const *out, uint32_t *ncompiled,
                     struct diag *diag);

/* Native code for one module: a loaded shared object. */
struct aot_code;

/*
 * Finds the shared object for 'm' in the cache, or compiles it there
 * (atomically: concurrent compiles of one module are safe), and loads it.
 * Returns 0 and '*out', or an error with the reason in 'diag' (no C
 * compiler, compiler failed, module not compilable...), or WX_ELIMIT when
 * the compile went to the background (o->background_bytes).
 * THREADS: any thread; runs the compiler as a child process.
 */
int aot_load(const struct wasm_module *m, const struct aot_options *o,
             struct aot_code **out, struct diag *diag);

/*
 * Compiles 'm' into the shared object 'path' (wasmix compile -o), without
 * the cache. Returns 0 or an error with the reason in 'diag'.
 */
int aot_compile_to(const struct wasm_module *m, const struct aot_options *o,
                   const char *path, struct diag *diag);

/* Functions compiled natively in 'c' (the others are interpreted). */
uint32_t aot_code_ncompiled(const struct aot_code *c);

/* Unloads 'c'. Only after every store that used it is freed. */
void aot_code_free(struct aot_code *c);

/*
 * Binds the compiled functions of 'c' (made from inst's module) to
 * 'inst'. Returns 0, or WX_EARG when the code cannot serve this instance
 * (its memory 0 has no guard pages but the code relies on them): the
 * instance stays interpreted. Must run before the instance's code runs
 * (vm_config.on_instance). WX_ENOMEM if out of memory.
 */
int aot_bind(struct aot_code *c, struct vm_instance *inst, struct diag *diag);

/*
 * The state aot_bind made for 'inst' (NULL if none): the binder frees it
 * with aot_bind_free once the instance's store is freed (an embedder's
 * store binding through its own on_instance hook, src/capi/).
 */
void *aot_bind_state(const struct vm_instance *inst);

/* Frees what aot_bind made (aot_bind_state; NULL is ignored), the
 * per-thread copies of its context included. */
void aot_bind_free(void *state);

/*
 * Which SHA-256 code aot_sha256_hex uses: 1 the portable one, 2 the x86
 * SHA extensions, 0 the best this CPU has (the default, chosen at first
 * use). A choice the CPU cannot run is lowered. Returns the choice made.
 * For tests; any thread.
 */
int aot_sha256_set_isa(int isa);
/* SHA-256 of the concatenation of 'n' byte ranges, as 64 hex digits. */
void aot_sha256_hex(const void *const *parts, const size_t *lens, size_t n,
                    char hex[65]);

/*
 * A set of loaded modules for the instances of one run: the hook for
 * vm_config.on_instance. Modules prepared with aot_session_prepare (before
 * the process confines itself) are bound; with 'compile_on_demand' others
 * are compiled when first instantiated (the spec runner).
 */
struct aot_session;

struct aot_session *aot_session_new(const struct aot_options *o,
                                    bool compile_on_demand);
/* Compiles or loads 'm' now; a failure leaves it interpreted (returns 0,
 * with one line under 'verbose'). WX_ENOMEM only. */
int aot_session_prepare(struct aot_session *s, const struct wasm_module *m);
/*
 * From now on the session only looks in the cache (the process is about
 * to confine itself: it cannot run the compiler any more).
 */
void aot_session_lookup_only(struct aot_session *s);
/*
 * The read end of the pipe of a background compile this session started
 * (it becomes readable when the compile ends), or -1. Owned by the session.
 */
int aot_session_pending_fd(const struct aot_session *s);
/*
 * The switch-over (docs/aot.md): if the background compile of the module
 * of 'inst' has ended, loads its code and binds it to 'inst' and to
 * every other instance of that module made while the compile ran (guest
 * threads' own), while they run (vm_func_bind_native): calls made from
 * now on run compiled, in every thread.
 * Call at a safe point of a guest thread (an interrupt poll), never from
 * a signal handler; one thread at a time. Returns 0 (a failure leaves
 * the instance interpreted, one line under 'verbose') or WX_ENOMEM.
 */
int aot_session_switch(struct aot_session *s, struct vm_instance *inst);
/*
 * The cache directory for 'o' into 'buf' (never made here): 0, or an
 * error when there is none ('no_cache', no HOME, missing, not private).
 */
int aot_cache_path(const struct aot_options *o, char *buf, size_t cap);
/* vm_config.on_instance with 'ud' an aot_session. THREADS: it and
 * aot_session_prepare may run in several threads at once (guest threads
 * instantiate their module); the session's lists change under vm_lock,
 * never held while compiling. */
int aot_on_instance(void *ud, struct vm_instance *inst, struct diag *diag);
/* Counts for reports: functions bound natively, instances left
 * interpreted because of a reason. */
void aot_session_counts(const struct aot_session *s, uint64_t *native_funcs,
                        uint64_t *interp_instances);
/* Frees the session and unloads its code: after the store is freed. */
void aot_session_free(struct aot_session *s);

#endif
