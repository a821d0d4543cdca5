/*
 * vm.h: instances, linear memories, tables, globals, host functions and
 * calls into WebAssembly code. The layer above (wasi, wasix, the spec
 * runner, wasmix.c) uses only this header of vm/.
 *
 * Model: a 'vm_store' owns every object created in it (instances and the
 * functions, tables, memories and globals they define or the embedder
 * makes) until vm_store_free. Objects can be shared between instances of
 * one store through imports. A store, and everything in it, is used by one
 * host thread at a time unless a function says otherwise (the "threads"
 * section below says what several threads may do at once).
 *
 * Values cross this API as 64-bit slots ('uint64_t'): i32 zero-extended,
 * f32/f64 as their bit patterns (NaN payloads are kept), references as
 * handles where 0 is null. A funcref handle is a 'struct vm_func *' cast to
 * uintptr_t; an externref handle is any non-zero value the embedder chose.
 *
 * vm never includes wasi, wasix, proc or vfs: it reaches them only through
 * host-function pointers.
 */
#ifndef WASMIX_VM_H
#define WASMIX_VM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "wasm/wasm_module.h"

struct vm_store;
struct vm_instance;
struct vm_func;
struct vm_table;
struct vm_memory;
struct vm_global;
struct vm_tag;
struct vm_thread;

struct vm_config {
	uint32_t max_call_depth;    /* wasm frames; default 10,000 */
	size_t max_stack_slots;     /* value-stack slots per thread; default 8M */
	uint64_t max_memory_pages;  /* 64 KiB pages per memory; default 65536 */
	uint64_t max_table_elems;   /* per table and for the sum of all
	                               tables of the store; default 10^7 */
	uint64_t fuel;              /* instructions-ish budget; 0 = unlimited */
	/*
	 * Polled at calls and loop back-edges (and by host functions that
	 * block). When '*interrupt' is non-zero the VM calls 'on_interrupt'
	 * at that safe point; it returns 0 to continue, or WX_ETRAP/WX_EEXIT
	 * to stop. Either may be NULL. 'on_interrupt' may call vm_invoke on
	 * the same store (a signal handler): the running frames are kept.
	 */
	volatile sig_atomic_t *interrupt;
	int (*on_interrupt)(struct vm_store *s, struct vm_instance *inst,
	                    void *ud);
	void *interrupt_ud;
	/*
	 * Explicit bounds checks on every load/store instead of guard pages
	 * (docs/interp.md). Default false, or true when the environment has
	 * WASMIX_BOUNDS_CHECKS=1. Guard pages need 8 GiB of address space per
	 * memory; a memory that cannot get it uses explicit checks anyway.
	 */
	bool bounds_checks;
	/*
	 * Upper bound in nanoseconds on one memory.atomic.wait32/64 (a wait
	 * with no timeout or a longer one then ends as "timed-out" after
	 * it); negative, the default, is no bound. For hosts that run guests
	 * with no other thread to wake them, e.g. the fuzz targets.
	 */
	int64_t max_wait_ns;
	/*
	 * Called by vm_instantiate once an instance's functions, tables,
	 * memories and globals exist and before its segments are applied
	 * and its start function runs: the compiled tier (src/aot/) binds
	 * native code to the instance's functions here. Returns 0, or an
	 * error (message in 'diag') that fails the instantiation. NULL:
	 * everything is interpreted.
	 */
	int (*on_instance)(void *ud, struct vm_instance *inst,
	                   struct diag *diag);
	void *on_instance_ud;
};

/* Fills 'c' with the defaults above. */
void vm_config_default(struct vm_config *c);

struct vm_extern {
	uint8_t kind; /* enum wasm_extkind */
	union {
		struct vm_func *func;
		struct vm_table *table;
		struct vm_memory *memory;
		struct vm_global *global;
		struct vm_tag *tag; /* exception tag (WASM_EXT_TAG) */
	} u;
};

/*
 * A host function call in progress. 'args' holds the parameters and the
 * function writes 'results' (both as 64-bit slots). 'caller' is the
 * instance whose code made the call (NULL when the embedder called the
 * host function directly) and 'memory' its memory 0 (or NULL).
 */
struct vm_call {
	struct vm_store *store;
	struct vm_instance *caller;
	struct vm_memory *memory;
	const uint64_t *args;
	uint64_t *results;
	int exit_code; /* set with WX_EEXIT */
	struct vm_thread *thread; /* the calling thread's context */
	/* The calling wasm frame (vm_jmp_checkpoint); NULL from the embedder. */
	const uint32_t *frame_pc; /* where that frame resumes */
	uint64_t *frame_fp;
	uint32_t frame_depth; /* its depth: 1 for the outermost wasm frame */
};

/*
 * A host function returns 0 to continue, WX_ETRAP after vm_call_trap() to
 * trap, WX_EEXIT after setting call->exit_code to end the run, VM_EJUMP
 * after a successful vm_jmp_restore, or VM_ETHROW after vm_call_throw.
 */
typedef int (*vm_host_fn)(struct vm_call *call, void *ud);

/* Records a trap message for the running call; returns WX_ETRAP. */
int vm_call_trap(struct vm_call *call, const char *msg);

/*
 * Status of a host function that throws (vm_call_throw): the interpreter
 * unwinds from the calling frame as if the call had thrown. Only the host
 * function's own return carries it; no vm_invoke returns it.
 */
#define VM_ETHROW 65

/*
 * Makes the running host call throw an exception of 'tag' (a tag of the
 * call's store) with payload 'vals' (tag's nparams values, copied): returns
 * VM_ETHROW, which the host function must return. Returns WX_ETRAP with
 * "uncaught exception" when no wasm frame made the call, or "exception
 * storage exhausted". THREADS: the exception is the calling thread's.
 */
int vm_call_throw(struct vm_call *call, struct vm_tag *tag,
                  const uint64_t *vals);

/*
 * After the outermost vm_invoke on context 't' returned WX_ETRAP with
 * "uncaught exception" thrown at that level: the exception's tag, its
 * payload copied to 'vals' (at most 'cap' values). NULL when that was not
 * how the last outermost vm_invoke ended, or the payload is longer than
 * 'cap'. Exnref values in the payload name 't''s exceptions only.
 * THREADS: 't' must not be running.
 */
struct vm_tag *vm_thread_uncaught(struct vm_thread *t, uint64_t *vals,
                                  uint32_t cap);

/* Creates an empty store. Returns NULL if out of memory. */
struct vm_store *vm_store_new(const struct vm_config *cfg);

/* Frees the store and every object in it. NULL is allowed. */
void vm_store_free(struct vm_store *s);

/*
 * vm_store_free, except in a process forked after 's' was made (an exec
 * in a fork child replacing the program it inherited): there it releases
 * only the store's memories (and their charge, vm_set_memory_charge) and
 * its main thread's stack reservation, and keeps everything else,
 * reachable from a process-wide list, until the process exits. Freeing
 * those objects one by one would copy every page they share with the
 * parent. The store must not be used again. NULL is allowed.
 */
void vm_store_release(struct vm_store *s);

/*
 * Makes a host function of type 'type' (copied). Owned by the store.
 * Returns NULL if out of memory, or if a value type of 'type' holds a
 * type index ((ref $t): indices mean nothing outside their module, so a
 * host function takes numbers and abstract references only).
 */
struct vm_func *vm_func_new_host(struct vm_store *s,
                                 const struct wasm_functype *type,
                                 vm_host_fn fn, void *ud);

/*
 * Like vm_func_new_host, with 'ud' a zeroed block of 'size' bytes that
 * the function owns (freed with the store), returned in '*data' for the
 * caller to fill before the function is first called. NULL if out of
 * memory.
 */
struct vm_func *vm_func_new_host_data(struct vm_store *s,
                                      const struct wasm_functype *type,
                                      vm_host_fn fn, size_t size, void **data);

/*
 * The host function and user data behind 'f': returns true and sets
 * '*fn' and '*ud', or false for a function defined in wasm.
 */
bool vm_func_host(const struct vm_func *f, vm_host_fn *fn, void **ud);

/* Makes a memory, table or global owned by the store; NULL on failure. */
struct vm_memory *vm_memory_new(struct vm_store *s,
                                const struct wasm_limits_decl *lim);
struct vm_table *vm_table_new(struct vm_store *s,
                              const struct wasm_tabletype *type,
                              uint64_t init);
struct vm_global *vm_global_new(struct vm_store *s,
                                const struct wasm_globaltype *type,
                                uint64_t init);

/*
 * vm_memory_new and vm_table_new with the reason of a failure: WX_OK
 * ('*out' set), WX_ENOMEM (host heap) or WX_ELIMIT (a cap, the tree's
 * memory budget, or no address space left); '*out' NULL then.
 */
int vm_memory_make(struct vm_store *s, const struct wasm_limits_decl *lim,
                   struct vm_memory **out);
int vm_table_make(struct vm_store *s, const struct wasm_tabletype *type,
                  uint64_t init, struct vm_table **out);

/*
 * Finds an import: sets '*out' and returns 0, or returns WX_ENOMEM or
 * WX_ELIMIT if making it failed so, or another non-zero value (WX_ELINK)
 * if the resolver has nothing of that module and name.
 */
typedef int (*vm_resolve_fn)(void *ud, const struct wasm_import *imp,
                             struct vm_extern *out);

/*
 * Instantiates a validated module: resolves and type-checks imports
 * ("unknown import", "incompatible import type": WX_ELINK), allocates
 * memories, tables and globals (WX_ELIMIT past the config's caps),
 * initialises element and data segments in order, then runs the start
 * function. A trap during segment initialisation or start returns
 * WX_ETRAP; writes already made to shared (imported) memories and tables
 * stay, as the specification says. The module is borrowed and must
 * outlive the store. On success '*out' is owned by the store.
 */
int vm_instantiate(struct vm_store *s, const struct wasm_module *m,
                   vm_resolve_fn resolve, void *resolve_ud,
                   struct vm_instance **out, struct diag *diag);

/*
 * Exec of the same module (docs/process.md, "Exec of the same program"):
 * moves the translated code of 'src''s functions into the functions of
 * 'dst' that have none yet, when both instances were made from the same
 * module object and everything the translation depends on is equal in
 * both (store type ids, thread-local global slots, the dispatch table of
 * guarded or checked memory; vm_compile.c's header lists these).
 * Otherwise it moves nothing. Returns how many functions got code.
 * 'src' must never run again: the caller frees its store next. No thread
 * may be running either instance (the exec commit has stopped them).
 */
size_t vm_instance_adopt_code(struct vm_instance *dst, struct vm_instance *src);

/* Looks up an export by name; 0 and '*out' set, or WX_EARG if absent. */
int vm_instance_export(struct vm_instance *inst, const char *name,
                       size_t name_len, struct vm_extern *out);

/* The module an instance was made from. */
const struct wasm_module *vm_instance_module(struct vm_instance *inst);

/* Memory 0 of an instance (defined or imported), or NULL. */
struct vm_memory *vm_instance_memory(struct vm_instance *inst);

/* Global 'index' of an instance (imports first), or NULL. */
struct vm_global *vm_instance_global(struct vm_instance *inst, uint32_t index);

/* Sets / gets an embedder pointer kept with the instance. */
void vm_instance_set_user(struct vm_instance *inst, void *user);
void *vm_instance_user(struct vm_instance *inst);

/*
 * Calls 'f' with 'args' (one slot per param, two for a v128: low half
 * first, wasm_nslots), writing 'results' (likewise). Returns 0, WX_ETRAP with the specification's wording in 'diag'
 * ("integer divide by zero", "call stack exhausted", ...), or WX_EEXIT
 * with the code in '*exit_code' (may be NULL). Re-entrant: a host function
 * may call back into wasm.
 */
int vm_invoke(struct vm_store *s, struct vm_func *f, const uint64_t *args,
              uint64_t *results, int *exit_code, struct diag *diag);

/*
 * After a vm_invoke of this thread returned WX_ETRAP: the instance and
 * function index (imports included) of the innermost wasm frame when it
 * trapped, or of the wasm frame that called a trapping host function.
 * Returns false when unknown (a trap outside wasm code, e.g. at a guard
 * page or before the first frame). Cheap: nothing is recorded until a
 * trap, and the lookup scans the instance's functions.
 */
bool vm_trap_origin(struct vm_store *s, struct vm_instance **inst,
                    uint32_t *func_index);

const struct wasm_functype *vm_func_type(const struct vm_func *f);

/* Globals: type and value (as a slot). */
const struct wasm_globaltype *vm_global_type(const struct vm_global *g);
uint64_t vm_global_get(const struct vm_global *g);
void vm_global_set(struct vm_global *g, uint64_t v);
/* A v128 global's value as two slots, low half first (docs/interp.md). */
void vm_global_get128(const struct vm_global *g, uint64_t out[2]);
void vm_global_set128(struct vm_global *g, const uint64_t v[2]);

/*
 * Makes 'g' thread-local: from now on every vm_thread of its store has
 * its own value, starting as the global's value now (a dynamic
 * program's __stack_pointer and __tls_base, which all threads share one
 * instance of, vm.h's threads section). vm_global_get/set and wasm code
 * use the calling thread's. Call it before any code that uses 'g' is
 * translated (code translated before keeps using the shared value).
 * WX_ENOMEM. THREADS: any thread.
 */
int vm_global_make_thread_local(struct vm_global *g);

/*
 * Linear memory. The base address never moves for the memory's life
 * (memory.grow commits pages inside a fixed reservation), so a host
 * pointer from vm_memory_data stays valid across growth; its size does
 * not. vm_memory_check returns a pointer to [off, off+len) or NULL if any
 * byte of it is out of bounds (host functions use it for every guest
 * pointer).
 */
uint8_t *vm_memory_data(struct vm_memory *mem);
uint64_t vm_memory_size(const struct vm_memory *mem); /* bytes */
void *vm_memory_check(struct vm_memory *mem, uint64_t off, uint64_t len);
/* Grows by 'delta' pages; returns the old size in pages or -1. */
int64_t vm_memory_grow(struct vm_memory *mem, uint64_t delta);

/*
 * Process-wide accounting of linear memory, for a budget shared beyond
 * one store (a process tree's): 'charge(bytes)' is called before a memory
 * is made with its initial pages and before memory.grow commits more
 * (returning non-zero refuses them: instantiation fails, memory.grow
 * returns -1), and 'charge(-bytes)' when a memory is freed. NULL (the
 * default) turns it off. 'charge' must be thread-safe; set it before any
 * store exists (it is not synchronised with the VM).
 */
void vm_set_memory_charge(int (*charge)(int64_t bytes));

/*
 * The instruction set SIMD instructions run with (vm_simd.h): chosen at
 * start-up as the best the CPU has, or WASMIX_SIMD_ISA's. vm_simd_select
 * picks "generic" (portable code only), "sse2" or "sse4.1" (x86-64) if
 * this host has it, else returns WX_EARG and changes nothing. Not
 * synchronised: call it before any instance runs (tests, start-up).
 */
int vm_simd_select(const char *name);
/* The name of the instruction set in use. */
const char *vm_simd_isa_name(void);
const struct wasm_limits_decl *vm_memory_limits(const struct vm_memory *m);

/* Tables. */
const struct wasm_tabletype *vm_table_type(const struct vm_table *t);
uint64_t vm_table_size(const struct vm_table *t);
/* Element 'i' into '*out'; WX_EARG if out of range. */
int vm_table_get(const struct vm_table *t, uint64_t i, uint64_t *out);
/*
 * Sets element 'i' to handle 'v' (0 = null; a funcref handle must be a
 * function of this store); WX_EARG if out of range. THREADS: any thread.
 */
int vm_table_set(struct vm_table *t, uint64_t i, uint64_t v);
/*
 * Grows 't' by 'delta' elements set to 'init'; returns the old size, or
 * -1 past the table's maximum or the store's element budget (or out of
 * memory). THREADS: any thread (table.grow's rules).
 */
int64_t vm_table_grow(struct vm_table *t, uint64_t delta, uint64_t init);

/* Makes an exception tag of 'type' (copied); NULL if out of memory. */
struct vm_tag *vm_tag_new_type(struct vm_store *s,
                               const struct wasm_functype *type);

/*
 * Rebinds imported function 'index' of 'inst' to 'f' (a dynamic linker
 * resolving a symbol after instantiation, e.g. a cycle between modules):
 * later calls of that import reach 'f'. The types must be equal
 * (WX_ELINK otherwise), 'index' an imported function (WX_EARG). Exports
 * and element segments made from the old function keep it. THREADS:
 * only while no other thread runs code of 'inst'.
 */
int vm_instance_relink_func(struct vm_instance *inst, uint32_t index,
                            struct vm_func *f);

/* Table 'index' of an instance (imports first), or NULL. */
struct vm_table *vm_instance_table(struct vm_instance *inst, uint32_t index);

/* Function 'index' of an instance (imports first), or NULL. */
struct vm_func *vm_instance_func(struct vm_instance *inst, uint32_t index);

/*
 * Structural equality of function types, used by call_indirect and by
 * import matching.
 */
bool vm_functype_equal(const struct wasm_functype *a,
                       const struct wasm_functype *b);

/* ---- setjmp/longjmp ----------------------------------------------------
 *
 * WASIX stack_checkpoint/stack_restore without asyncify (docs/process.md).
 * A checkpoint saves the wasm frame that wrote setjmp (the anchor: the
 * frame that made the host call, or its caller through up to 8 wrapper
 * functions that forward the snapshot address, as wasix-libc's setjmp
 * does): the slots from the anchor up to the call's arguments, the
 * wrappers' frame records, the resume point, and the anchor's activation,
 * in the calling thread's snapshot table. A restore checks a snapshot,
 * and its host function then returns VM_EJUMP: each vm_invoke level that
 * does not hold the anchor returns VM_EJUMP outward, and the one that
 * does puts the slots back, rebuilds the wrapper frames and resumes the
 * calling frame right after its checkpoint call with the call's result
 * 0. The table is capped (VM_JMP_MAX_ENTRIES and VM_JMP_MAX_BYTES of
 * saved data, oldest evicted); an anchor is marked by its return address,
 * so calls cost nothing more.
 */

/*
 * Status of a longjmp in progress. A host function returns it after
 * vm_jmp_restore; every embedder function that calls vm_invoke from a
 * host function must return it unchanged. The outermost vm_invoke never
 * returns it (it would become a trap).
 */
#define VM_EJUMP 64

#define VM_JMP_MAX_ENTRIES 4096u
#define VM_JMP_MAX_BYTES   ((size_t)64 << 20)

/*
 * Takes a checkpoint for host call 'call'. 'key' is the snapshot's guest
 * address: a frame whose first slot holds it (low 32 bits) forwards the
 * setjmp (see above). Keeps 'ret_ptr' and 'aux' (the embedder's, e.g.
 * the guest's stack pointer) for vm_jmp_restore. Sets 'token' (the entry
 * id under a 128-bit keyed check, proving the snapshot came from this
 * thread's table) for guest memory. A second checkpoint by the same
 * activation at the same call site reuses its entry (same token).
 * Returns 0, WX_EARG when no wasm frame made the call, WX_ENOMEM (out of
 * memory, or more than VM_JMP_MAX_BYTES to save). THREADS: uses the
 * calling thread's table only.
 */
int vm_jmp_checkpoint(struct vm_call *call, uint32_t key, uint64_t ret_ptr,
                      uint64_t aux, uint8_t token[16]);

/*
 * Checks snapshot 'token' against the calling thread's table: it must
 * have been made there, not evicted, and its anchor frame still be live
 * (below or equal to the caller of 'call'). On success sets '*ret_ptr',
 * '*aux', arms the unwind and returns 0: the host function must then
 * return VM_EJUMP without running guest code. Otherwise returns WX_ETRAP
 * with "invalid or stale setjmp snapshot (...)" recorded for the call.
 */
int vm_jmp_restore(struct vm_call *call, const uint8_t token[16],
                   uint64_t *ret_ptr, uint64_t *aux);

/* ---- threads -------------------------------------------------------------
 *
 * THREADS: several host threads may run wasm of one store at once, each
 * with its own execution context (value stack, frames, trap state); they
 * share the store's instances, memories, tables and translated code.
 * A host thread with no context bound uses the store's own one, so a
 * single-threaded embedder never sees any of this. Safe to do from any
 * thread at any time: vm_invoke (with the caller's context), lazy
 * translation, memory.grow (the base never moves, the size is read
 * atomically), table.grow (old arrays are retired, not freed, until
 * vm_store_free), vm_instantiate of more instances into the store, the
 * wait/notify calls below. vm_store_free needs every other thread gone.
 */

/*
 * Makes an execution context for a host thread that will run wasm of 's'.
 * Owned by the caller (vm_thread_free); NULL if out of memory. Its stacks
 * are reserved here, so running on it never fails for want of them.
 */
struct vm_thread *vm_thread_new(struct vm_store *s);

/* Frees a context made by vm_thread_new; it must not be bound or running. */
void vm_thread_free(struct vm_thread *t);

/*
 * Gives context 't' (of store 's', not running) the values that the
 * calling host thread's context has now for every thread-local global
 * (vm_global_make_thread_local): a green thread started from here begins
 * with this stack pointer and thread pointer, as it would if the globals
 * were shared. 0 or WX_ENOMEM.
 */
int vm_thread_inherit_tl(struct vm_store *s, struct vm_thread *t);

/*
 * Binds 't' (or NULL) as the calling host thread's context: vm_invoke on
 * t's store from this thread uses it. Returns the previous binding.
 */
struct vm_thread *vm_thread_bind(struct vm_thread *t);

/*
 * Results of vm_memory_wait, the values memory.atomic.wait returns (0-2)
 * plus one for a wait cut short by the store's interrupt flag.
 */
enum {
	VM_WAIT_OK = 0,        /* woken by a notify */
	VM_WAIT_NOT_EQUAL = 1, /* the value differed from 'expected' */
	VM_WAIT_TIMED_OUT = 2,
	VM_WAIT_INTERRUPTED = 3, /* cfg.interrupt was raised */
};

/*
 * Blocks the calling thread on the 'size'-byte (4 or 8) value at byte
 * offset 'off' of 'mem' while it equals 'expected', until a notify on the
 * same address, 'timeout_ns' (negative: none) or the interrupt flag
 * 'interrupt' (may be NULL). The value is compared under the wait queue's
 * lock, so a notify made after changing the value is never lost. Returns
 * a VM_WAIT_* value, or -1 if the address is out of bounds or unaligned.
 */
int vm_memory_wait(struct vm_memory *mem, uint64_t off, unsigned size,
                   uint64_t expected, int64_t timeout_ns,
                   volatile sig_atomic_t *interrupt);

/*
 * Wakes up to 'count' threads waiting on byte offset 'off' of 'mem'
 * (oldest first); returns how many were woken, or -1 if out of bounds.
 */
int64_t vm_memory_notify(struct vm_memory *mem, uint64_t off, uint32_t count);

/*
 * How many threads wait on byte offset 'off' of 'mem' right now (-1 if
 * out of bounds or unaligned): for a handshake with a thread that is to
 * block there ("it waits now") in place of a sleep.
 */
int64_t vm_memory_waiters(struct vm_memory *mem, uint64_t off);

/*
 * fork() support: prepare takes every VM lock (the process-wide VM lock
 * and the wait queue's locks), parent releases them, child makes them
 * fresh and forgets the waiters of threads that do not exist in the
 * child. They are registered with pthread_atfork when the first store is
 * made; calling them explicitly around fork() as well is harmless (they
 * nest: only the outermost pair acts).
 */
void vm_fork_prepare(void);
void vm_fork_parent(void);
void vm_fork_child(void);

#endif
