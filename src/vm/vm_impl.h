/*
 * vm_impl.h: the private layout of the objects vm.h names, shared by the
 * files of src/vm/ only.
 *
 * Keeps true:
 *  - Every object lives until vm_store_free; the store keeps one owning
 *    list per kind ('funcs', 'tables', ...), so cross-instance references
 *    (imports, funcref handles in tables) never dangle.
 *  - Function types are interned per store: two functions have equal types
 *    exactly when their 'type_id's are equal, so call_indirect checks a
 *    type with one compare.
 *  - A memory's 'base' never moves; 'size' (bytes) only grows, and pages
 *    [0, size) are readable and writable.
 *  - Each host thread has its own value stack (a 'vm_thread'), one
 *    reservation whose base never moves, so frame pointers stay valid
 *    while host functions re-enter vm_invoke.
 *  - THREADS: a memory's 'size' is read with vm_memory_size_now (or the
 *    __atomic builtins) and written under vm_lock after mprotect, so a
 *    thread that sees the new size can use every byte of it.
 */
#ifndef WASMIX_VM_IMPL_H
#define WASMIX_VM_IMPL_H

#include <setjmp.h>
#include <sys/types.h>

#include "vm/vm.h"

#define VM_PAGE_SIZE 65536u

struct vm_code;

struct vm_func {
	const struct wasm_functype *type; /* interned, owned by the store */
	uint32_t type_id;                 /* index of 'type' in the store */
	uint32_t index;                   /* function index in 'inst' */
	struct vm_instance *inst;         /* NULL for host functions */
	vm_host_fn host;                  /* NULL for wasm functions */
	void *host_ud;
	struct vm_code *code; /* translated lazily on first call; owned */
	/*
	 * The compiled tier (src/aot/, docs/aot.md); all NULL while the
	 * function runs in the interpreter. Set once, before the instance's
	 * start function runs, or later by vm_func_bind_native (the
	 * switch-over, docs/aot.md), and never changed. 'native_run' is the
	 * entry the interpreter and vm_invoke use (vm_interp_run's contract);
	 * 'native_fn' the compiled C function (its signature is the wasm
	 * type's, so a caller that checked 'type_id' may call it directly
	 * with 'native_ctx'). src/aot/aot_abi.h mirrors this layout up to
	 * 'native_ctx' (checked there with static assertions).
	 */
	void *native_fn;
	void *native_ctx;
	int (*native_run)(struct vm_thread *t, struct vm_func *f, uint64_t *fp);
	/* The interpreter's translation set aside when compiled code was
	 * bound while the program ran (vm_func_bind_native): frames still
	 * running it go on, new calls go native. Freed with the store. */
	struct vm_code *retired;
	/* VM_FUNC_ALONE, or one of a block made by vm_funcs_new_wasm: the
	 * block is one allocation, freed with its first function. */
	uint8_t block;
};

enum { VM_FUNC_ALONE, VM_FUNC_BLOCK_HEAD, VM_FUNC_IN_BLOCK };

struct vm_memory {
	uint8_t *base;      /* start of the reservation, never moves */
	uint64_t size;      /* accessible bytes = pages * 64 KiB */
	uint64_t max_pages; /* effective cap: declared max and config */
	size_t reserved;    /* bytes reserved at 'base' */
	bool guarded;       /* reservation from vm_guard_reserve (vm_guard.c) */
	uint64_t charged;   /* bytes charged through vm_set_memory_charge */
	struct wasm_limits_decl limits; /* limits.min tracks the current size */
};

struct vm_table {
	uint64_t *elems; /* 'size' handles, 0 = null; room for 'cap' */
	uint64_t size;
	uint64_t cap; /* elements allocated at 'elems', >= size */
	/* Arrays replaced by growth, kept until the table is freed because
	 * another thread may still be reading them (THREADS). Capacity at
	 * least doubles at each replacement, so together they hold fewer
	 * elements than 'cap'. */
	uint64_t **retired;
	size_t nretired;
	uint64_t max;               /* effective cap: declared max and config */
	struct wasm_tabletype type; /* type.limits.min tracks the size */
	struct vm_store *store;     /* charged for the elements, see below */
};

struct vm_global {
	uint64_t value; /* thread-local: the value each thread starts with */
	uint64_t hi; /* v128 globals: the upper 8 bytes (value is the lower) */
	struct wasm_globaltype type;
	/* 0, or 1 + its slot in every vm_thread's 'tl' (thread-local). */
	uint32_t tl1;
	struct vm_store *store;
};

/* An exception tag: identity is the object's address (vm_eh.c). */
struct vm_tag {
	const struct wasm_functype *type; /* interned, owned by the store */
	uint32_t type_id;
};

struct vm_instance {
	struct vm_store *store;
	const struct wasm_module *module;
	struct vm_func **funcs; /* module->nfuncs, imports first */
	struct vm_table **tables;
	struct vm_memory **memories;
	struct vm_global **globals;
	struct vm_tag **tags;
	uint64_t **global_values; /* &globals[i]->value, for the interpreter */
	uint32_t *type_ids;       /* module type index -> store type id */
	/* Element segments as evaluated handles; length 0 once dropped. */
	uint64_t **elem_items;
	uint32_t *elem_len;
	uint8_t *data_dropped; /* per data segment */
	void *user;
	void *aot; /* the compiled tier's struct aot_inst, or NULL */
};

/* One wasm activation saved while its callee runs. */
struct vm_frame {
	const uint32_t *pc; /* where the caller resumes */
	uint64_t *fp;
	struct vm_instance *inst;
};

/*
 * The execution context of one host thread in one store: its value stack,
 * frame array and the state of the vm_invoke calls it has in progress.
 * Everything else (instances, memories, tables, code) is shared by the
 * threads of the store. Only its own host thread touches a vm_thread while
 * it runs, so none of these fields needs a lock.
 */
struct vm_thread {
	struct vm_store *store;
	uint64_t *stack;     /* value stack reservation (cfg.max_stack_slots) */
	size_t stack_bytes;  /* bytes reserved (the frames follow the stack) */
	uint64_t *stack_end; /* one past the last usable slot */
	uint64_t *stack_top; /* first free slot (above all live frames) */
	struct vm_frame *frames; /* cfg.max_call_depth + 1, in 'stack''s map */
	uint32_t depth;          /* frames in use */
	uint32_t nest;           /* vm_invoke calls in progress */
	int exit_code;
	struct diag *diag; /* where the running vm_invoke reports */
	struct vm_jmp *jmp; /* setjmp snapshots (vm_jmp.c); NULL until used */
	struct vm_exn_pool *exn; /* exception objects (vm_eh.c); lazily */
	/* Thrown by a host function (vm_call_throw), and the exception that
	 * left the outermost level (vm_thread_uncaught); 0: none. */
	uint64_t exn_pending;
	uint64_t exn_escaped;
	/* Set while compiled code runs on this thread (src/aot/): the top of
	 * the C stack it uses, which a collection of exception objects scans
	 * conservatively (compiled frames keep exnrefs in C variables). */
	const char *exn_cstack_base;
	/* A host call made by compiled code is in progress: it may throw
	 * (vm_call_throw) though no interpreter frame made it. */
	bool host_from_aot;
	/* The wasm frame making the host call in progress (vm_call_host). */
	const uint32_t *host_pc;
	uint64_t *host_fp;
	/* Values of the store's thread-local globals (vm_thread_tl). */
	uint64_t *tl;
	uint32_t ntl;
	/* Where the last trap of the outermost vm_invoke happened (the
	 * innermost wasm frame), for vm_trap_origin; NULL if unknown. */
	struct vm_instance *trap_inst;
	const uint32_t *trap_pc;
};

struct vm_store {
	struct vm_config cfg;

	/* Owning lists (changed under vm_lock, see vm_thread.c). */
	struct vm_func **funcs;
	size_t nfuncs, cap_funcs;
	struct vm_table **tables;
	size_t ntables, cap_tables;
	struct vm_memory **memories;
	size_t nmemories, cap_memories;
	struct vm_global **globals;
	size_t nglobals, cap_globals;
	struct vm_instance **instances;
	size_t ninstances, cap_instances;
	struct vm_tag **tags;
	size_t ntags, cap_tags;
	/*
	 * Translated functions that have exception handlers, linked through
	 * vm_code.eh_next; pushed under vm_lock, read with acquire loads.
	 */
	struct vm_code *eh_codes;

	/* Interned function types; 'vm_func.type_id' indexes this. */
	struct wasm_functype **types; /* each allocated once, never moves */
	uint32_t ntypes, cap_types;

	/*
	 * Elements of all tables of the store (their sizes), capped by
	 * cfg.max_table_elems like each table: a module may declare
	 * thousands of tables in a few bytes each. Changed under vm_lock.
	 */
	uint64_t table_elems;

	int64_t fuel_chunk; /* back-edges/calls between polls */
	uint64_t fuel_left; /* of cfg.fuel when non-zero; __atomic builtins */

	/* Thread-local globals, by slot (vm_global_make_thread_local);
	 * changed under vm_lock. */
	struct vm_global **tl_globals;
	size_t ntl, cap_tl;

	/* The context of every host thread that has no vm_thread bound. */
	struct vm_thread main;

	pid_t made_in;                 /* the host process of vm_store_new */
	struct vm_store *kept_next; /* vm_store_release's list */
};

/*
 * The context the calling host thread uses for 's': the one bound with
 * vm_thread_bind if it belongs to 's', else s->main.
 */
struct vm_thread *vm_thread_of(struct vm_store *s);

/*
 * Thread-local slot 'k' of 't' (growing its array, new slots starting
 * from their globals' values); NULL if out of memory.
 */
uint64_t *vm_thread_tl(struct vm_thread *t, uint32_t k);

/* Registers the fork hooks with pthread_atfork (once per process). */
void vm_thread_global_init(void);

/* Makes t's value stack and frame array on first use; WX_ENOMEM. */
int vm_thread_init_stacks(struct vm_thread *t);

/* Releases t's value stack and frame array (not 't' itself). */
void vm_thread_fini_stacks(struct vm_thread *t);

/*
 * The process-wide VM lock: held around lazy translation, memory and
 * table growth, and changes to a store's lists and type registry. Never
 * held while wasm or host code runs. vm_fork_prepare takes it.
 */
void vm_lock(void);

/*
 * Binds compiled code to 'f' while the program may be running (the
 * switch-over, docs/aot.md): sets 'native_fn' and 'native_ctx', then
 * publishes 'native_run' (release), then sets the interpreter's
 * translation aside ('retired') so that interpreted callers, which use a
 * translation when there is one, call the compiled code from now on. A
 * thread inside the function keeps interpreting it. Never from a signal
 * handler (takes vm_lock). THREADS: any thread.
 */
void vm_func_bind_native(struct vm_func *f, void *fn, void *ctx,
                         int (*run)(struct vm_thread *, struct vm_func *,
                                    uint64_t *));

/* The translation of 'f' (current or retired) that holds 'pc', or NULL. */
const struct vm_code *vm_func_code_at(const struct vm_func *f,
                                      const uint32_t *pc);
void vm_unlock(void);

/* Current byte size of 'mem' (atomic: another thread may grow it). */
static inline uint64_t vm_memory_size_now(const struct vm_memory *mem)
{
	return __atomic_load_n(&mem->size, __ATOMIC_ACQUIRE);
}

/* The futex-like wait queue (vm_futex.c), keyed by host address. */
int vm_futex_wait(const void *addr, unsigned size, uint64_t expected,
                  int64_t timeout_ns, volatile sig_atomic_t *interrupt);
uint32_t vm_futex_wake(const void *addr, uint32_t count);
/* How many wait on 'addr' now. */
uint32_t vm_futex_waiters(const void *addr);
void vm_futex_fork_prepare(void);
void vm_futex_fork_parent(void);
void vm_futex_fork_child(void);

/* Adds 'p' to one of the store's owning lists; WX_ENOMEM on failure. */
int vm_store_own(void ***list, size_t *n, size_t *cap, void *p);

/* Interns 'ft' (copied if new); returns its id or -1 if out of memory. */
int64_t vm_store_intern_type(struct vm_store *s,
                             const struct wasm_functype *ft);

/*
 * Makes the module's own functions of 'inst' (indices num_imported_funcs
 * and up, not yet translated) into inst->funcs, owned by 's': one block
 * and one pass under the lock, not one allocation each (an exec makes
 * them all again). Returns WX_OK or WX_ENOMEM.
 */
int vm_funcs_new_wasm(struct vm_store *s, struct vm_instance *inst);

/* Frees a memory, table (store teardown). */
void vm_memory_free(struct vm_memory *mem);

void vm_table_free(struct vm_table *t);
/* Frees an instance's own arrays (not the objects it points at). */
void vm_instance_free(struct vm_instance *inst);


/*
 * Runs wasm function 'f' whose arguments are at 'fp' (inside t's value
 * stack, with room checked by the caller for the arguments only); leaves
 * the results at fp[0..]. Returns 0, WX_ETRAP (message in t->diag),
 * WX_EEXIT (code in t->exit_code) or WX_ENOMEM.
 */
int vm_interp_run(struct vm_thread *t, struct vm_func *f, uint64_t *fp);

/*
 * Translates 'f' if no thread has yet (under vm_lock) and publishes the
 * code with a release store. Returns 0 or an error with the message in
 * 'diag'.
 */
int vm_compile_once(struct vm_store *s, struct vm_func *f, struct diag *diag);

/*
 * Calls host function 'f' with arguments at 'args' and writes its results
 * over them (scratch space from t->stack_top). 'caller' may be NULL.
 * Returns 0, WX_ETRAP or WX_EEXIT.
 */
int vm_call_host(struct vm_thread *t, struct vm_func *f,
                 struct vm_instance *caller, uint64_t *args);

/*
 * Polls the interrupt flag (calling cfg.on_interrupt when it is set);
 * returns 0 to continue, or WX_ETRAP / WX_EEXIT to stop. Fuel is
 * accounted by the interpreter itself ('fuel_left'). 'pc' and 'fp' are
 * the running function's (in 'inst'): while on_interrupt runs, the value
 * stack above that frame is free, so on_interrupt may call vm_invoke.
 */
int vm_poll(struct vm_thread *t, struct vm_instance *inst, const uint32_t *pc,
            uint64_t *fp);

/*
 * Fuel slices (vm_interp.c): takes the next slice (or the polling
 * interval when the store has no fuel) for a run's budget counter, and
 * gives an unused part back. The compiled tier counts with them too.
 */
int64_t vm_fuel_take(struct vm_store *s);
void vm_fuel_return(struct vm_store *s, int64_t budget);

/* Records trap message 'msg' in t->diag; returns WX_ETRAP. */
int vm_trap(struct vm_thread *t, const char *msg);

/* ---- guard pages (vm_guard.c) ----------------------------------------- */

/*
 * Bytes of a guarded reservation: every u32 address + u32 offset + access
 * size (at most 2^33 + 14) lies inside it.
 */
#define VM_GUARD_RESERVE (((size_t)1 << 33) + VM_PAGE_SIZE)

/*
 * One vm_interp_run level's landing point for an out-of-bounds fault; the
 * innermost level of a thread is 'vm_guard_cur' while guest code runs.
 * 'depth' and 'top' are the thread's values at entry, restored on a trap.
 */
struct vm_guard_jmp {
	sigjmp_buf env;
	struct vm_guard_jmp *prev;
	uint32_t depth;
	uint64_t *top;
};

extern _Thread_local struct vm_guard_jmp *vm_guard_cur;

/*
 * Reserves VM_GUARD_RESERVE bytes PROT_NONE and registers them with the
 * fault handler (installed on first use, process-wide). Returns the base,
 * or NULL (no address space, no handler): use explicit checks then.
 * THREADS: any thread.
 */
uint8_t *vm_guard_reserve(void);

/* Unregisters and unmaps a reservation of vm_guard_reserve. */
void vm_guard_release(uint8_t *base);

/*
 * Around host code called from guest code: a fault there is a host bug,
 * never a trap. suspend returns the thread's current level (may be NULL)
 * and clears it; resume puts it back.
 */
struct vm_guard_jmp *vm_guard_suspend(void);
void vm_guard_resume(struct vm_guard_jmp *g);

/* ---- exceptions (vm_eh.c) ---------------------------------------------- */

/* Makes a tag of interned type 'type_id', owned by 's'; NULL if no memory. */
struct vm_tag *vm_tag_new(struct vm_store *s, uint32_t type_id);

/*
 * The interpreter's state at a throw, updated to the handler's frame
 * (vm_eh_throw). A struct, so that interp() never takes the address of
 * its own pc/fp/depth (that would cost registers on every path).
 */
struct vm_eh_state {
	const uint32_t *pc; /* the THROW or THROW_REF instruction */
	uint64_t *fp;
	struct vm_instance *inst;
	uint32_t depth;
};

/*
 * THROW (make an exception from the tag and payload its operands name)
 * or THROW_REF ('ref': rethrow the exnref its operand names), then
 * unwind: finds the innermost handler in this frame or the frames below
 * it, in this interpreter level only. Returns NULL with 'st' set to the
 * handler (payload and exnref written to its slots), or the trap
 * message: "uncaught exception" when the exception leaves the level (a
 * host function or the embedder sees a trap), "null exception
 * reference", "exception storage exhausted".
 */
const char *vm_eh_throw(struct vm_thread *t, struct vm_eh_state *st,
                        bool ref);

/*
 * After a host function called from st's frame returned VM_ETHROW: unwinds
 * the exception it made (t->exn_pending) from st->pc, the return address
 * of that call (or of the frame a tail call replaced: then st is its
 * caller's), as vm_eh_throw does.
 */
const char *vm_eh_host_throw(struct vm_thread *t, struct vm_eh_state *st);

/*
 * For compiled code (src/aot/): a new exception of 'tag' with payload
 * 'vals' (the tag's nparams slots, copied); its exnref, or 0 if out of
 * room ("exception storage exhausted").
 */
uint64_t vm_exn_new(struct vm_thread *t, struct vm_tag *tag,
                    const uint64_t *vals);

/*
 * The tag of exnref 'h' of thread t and, in *vals, its payload (owned by
 * the pool; valid until the next exception is made); NULL if 'h' names
 * no live exception.
 */
struct vm_tag *vm_exn_get(struct vm_thread *t, uint64_t h,
                          const uint64_t **vals);

/* Frees t->exn and every exception object in it. */
void vm_eh_free(struct vm_thread *t);

/* ---- setjmp/longjmp (vm_jmp.c) ---------------------------------------- */

/*
 * The return address a checkpointed frame's record gets (one JMP_RET
 * instruction, made by vm_interp_handlers): a frame whose record
 * frames[k] holds it has taken a checkpoint in its current activation.
 */
extern uint32_t vm_jmp_hook_cells[];

/*
 * The return address of the first frame of every interpreter level (one
 * EXIT instruction): a frame whose record holds it was called by the host.
 */
const uint32_t *vm_interp_exit_pc(void);

/*
 * JMP_RET: the frame of record 'k' (frames[k]) returned; its activation
 * ends (its snapshots become stale). Returns its real return address.
 */
const uint32_t *vm_jmp_returned(struct vm_thread *t, uint32_t k);

/*
 * After VM_EJUMP reached an interpreter level whose first frame record
 * is 'base_depth': if the target frame belongs to this level, restores
 * its slots and the checkpoint call's result, sets '*depth', '*fp',
 * '*inst' and returns the pc to resume at; else NULL (pass it outward).
 */
const uint32_t *vm_jmp_land(struct vm_thread *t, uint32_t base_depth,
                            uint32_t *depth, uint64_t **fp,
                            struct vm_instance **inst);

/* Whether a longjmp is armed and not yet landed. */
bool vm_jmp_pending(const struct vm_thread *t);

/* Disarms a longjmp that cannot land. */
void vm_jmp_cancel(struct vm_thread *t);

/* Frees t->jmp (the table and its saved slots). */
void vm_jmp_free(struct vm_thread *t);

/*
 * Native anchors: frames of compiled code (src/aot/) that call setjmp.
 * Such a frame has no interpreter record, so its activation is an entry
 * of the thread's anchor stack (host memory, innermost last), pushed at
 * its first setjmp call and popped when it returns; an unwind past it
 * truncates the stack (vm_jmp_anchor_truncate). 'rec' and 'owner' are
 * the compiled tier's (its record in the frame and its entry): vm_jmp
 * stores them and hands them back only while the anchor is on the stack,
 * i.e. while the frame is live.
 */
struct vm_jmp_anchor_id {
	uint64_t serial; /* 0: not pushed */
	uint32_t index;  /* on the thread's anchor stack */
};

/*
 * Pushes a native anchor whose setjmp calls run at call depth 'depth'
 * (th->depth of the callee). Sets 'id'. WX_OK or WX_ENOMEM.
 */
int vm_jmp_anchor_push(struct vm_thread *t, void *rec, void *owner,
                       uint32_t depth, struct vm_jmp_anchor_id *id);

/* Pops anchor 'id' and any above it, freeing their snapshots; nothing
 * if 'id' is no longer on the stack. */
void vm_jmp_anchor_pop(struct vm_thread *t, const struct vm_jmp_anchor_id *id);

/* Native anchors on t's stack (0 without a table). */
uint32_t vm_jmp_anchor_count(const struct vm_thread *t);

/*
 * An unwind left every native anchor from index 'n' up and every
 * interpreter frame from record 'depth' up: their snapshots go.
 */
void vm_jmp_unwound(struct vm_thread *t, uint32_t n, uint32_t depth);

/*
 * The setjmp call in progress from native anchor 'id' at call site
 * 'site' (the caller saves the previous value and puts it back). A
 * checkpoint taken in that call with no interpreter frame, or whose
 * interpreter frames below the import all forward the snapshot, belongs
 * to the anchor. 'id' NULL: none.
 */
struct vm_jmp_sjcall {
	const struct vm_jmp_anchor_id *id;
	uint32_t site;
	uint32_t depth; /* th->depth of the call */
};
void vm_jmp_sjcall_swap(struct vm_thread *t, struct vm_jmp_sjcall *io);

/*
 * After VM_EJUMP reached compiled code whose entry is 'owner': if the
 * longjmp's target is a live native anchor of that entry, returns its
 * 'rec' and sets '*site' (the caller jumps into the frame); else NULL.
 */
void *vm_jmp_native_target(struct vm_thread *t, const void *owner,
                           uint32_t *site);

/* Where a longjmp into a native anchor resumes its interpreter frames. */
struct vm_jmp_resume {
	const uint32_t *pc; /* NULL: none (the anchor called the import) */
	uint64_t *fp;
	struct vm_instance *inst;
	uint32_t depth;      /* of the resumed frame + 1 */
	uint32_t base_depth; /* the first frame's record */
	uint64_t *base;      /* the first frame's fp: its results go there */
};

/*
 * Lands the pending longjmp in native anchor 'id' at 'site': anchors
 * above it go, its saved slots and frame records are put back, '*r' says
 * how to resume. WX_OK, or WX_EARG when the pending target is not that
 * (a bug; the caller traps).
 */
int vm_jmp_native_land(struct vm_thread *t, const struct vm_jmp_anchor_id *id,
                       uint32_t site, struct vm_jmp_resume *r);

/*
 * Runs the interpreter from a resume point (the frames from
 * r->base_depth to r->depth - 1 in place) until the frame of record
 * r->base_depth returns (its results at r->base), as vm_interp_run does
 * for a call. th->depth must be r->base_depth.
 */
int vm_interp_resume(struct vm_thread *th, const struct vm_jmp_resume *r);

#endif
