/*
 * dl.h: the dynamic linker. Loads a position-independent main module
 * (one with a "dylink.0" section, linked with wasm-ld -pie) and the side
 * modules it needs (-shared, ".so" files), at start and at run time
 * (dlopen), into one memory and one function table, as
 * WebAssembly tool-conventions DynamicLinking.md describes; resolves
 * their symbols, runs their relocations and constructors; answers dlsym.
 * Also the run-time function makers that libffi uses (closures).
 *
 * Layers: dl sits on vm and wasm (dl -> vm -> wasm -> base). It never
 * sees files or WASI: the embedder gives it a reader of guest files and a
 * resolver for every import that is not the linker's ("env" memory,
 * table, bases, stack pointer, GOT.mem, GOT.func and the modules'
 * symbols are the linker's; WASI, WASIX and threads' imports are not).
 *
 * Memory layout (as Wasmer lays it out, so programs behave alike): the
 * main module's data at __memory_base 0, then its shadow stack (stack
 * size below, 1 KiB aligned), whose top is __stack_pointer and
 * __heap_base; each side module's data in memory grown for it at load;
 * table slot 0 stays null, the main module's elements start at 1, each
 * side module's after the table's end at its load, and function pointers
 * that dlsym or GOT.func hand out are appended (one slot per function).
 *
 * Symbol resolution: the main module first, then the libraries loaded
 * RTLD_GLOBAL (and those needed at start) in load order, then the
 * library being loaded and its own dependencies. An import that no module
 * defines yet becomes a stub that resolves on its first call (a library
 * dlopen'd later may define it) and otherwise traps with the symbol's
 * name; a missing data symbol (GOT.mem) fails the load unless it is weak
 * (then its address is 0). Cycles (the main module calls a library that
 * calls back into the main module's libc) resolve directly, with no stub
 * left, once every module of one load is instantiated.
 *
 * THREADS: one linker per guest process, shared by its guest threads,
 * which all run the same instances: the stack pointer and each module's
 * exported __tls_base are thread-local globals (vm.h), so one function
 * table serves every thread. dlopen, dlsym, the closure calls and a
 * stub's lookup take the linker's lock; the rest runs at load only.
 * fork: the host fork copies everything; a fork waits for a dlopen in
 * another thread to end (dl_fork_begin: the linker's lock is held across
 * it). exec: the next program gets a new linker. Each library's thread-local
 * block: dl_thread_begin.
 */
#ifndef WASMIX_DL_H
#define WASMIX_DL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "vm/vm.h"
#include "wasm/wasm_module.h"

/* dlopen flags: WASIX's __wasi_dl_flags_t, which wasix-libc's RTLD_*
 * are. LAZY and NOW make no difference (a symbol no module defines
 * becomes a stub either way); NODELETE is what every module is. */
#define DL_RTLD_LAZY     0x1
#define DL_RTLD_NOW      0x2
#define DL_RTLD_GLOBAL   0x4
#define DL_RTLD_NOLOAD   0x8
#define DL_RTLD_NODELETE 0x10

/* The main module's handle; 0 means "every global module" in dlsym. */
#define DL_MAIN_HANDLE 1u

/* Shadow stack of the main module, bytes. */
#define DL_STACK_SIZE (1u << 20)

/* At most this many modules per process (handles 1..DL_MAX_MODULES). */
#define DL_MAX_MODULES 1024u

struct dl_linker;

struct dl_host {
	/*
	 * Reads guest file 'path' (absolute, or relative to the guest's
	 * working directory) whole into '*bytes' (wx_malloc'd, the
	 * caller's). Returns 0 or a host errno value (ENOENT when absent).
	 */
	int (*read)(void *ud, const char *path, uint8_t **bytes, size_t *len);
	/* Resolves every import that is not the linker's (see above). */
	vm_resolve_fn resolve;
	void *ud;
	/* Decoding limits for side modules (copied; wasm_limits_default if
	 * NULL). */
	const struct wasm_limits *limits;
};

/* Whether 'm' is position independent (has a dylink section). */
bool dl_module_is_pic(const struct wasm_module *m);

/*
 * Makes a linker that will instantiate into store 's'; 'host' is copied.
 * Returns 0 and '*out' (free with dl_linker_free), or WX_ENOMEM.
 */
int dl_linker_new(struct vm_store *s, const struct dl_host *host,
                  struct dl_linker **out);

/* Changes the 'ud' given to the host's callbacks (exec moves a program
 * from the run that built it to the one that runs it). */
void dl_set_host_ud(struct dl_linker *l, void *ud);

/* Frees the linker and the side modules it decoded; NULL is allowed. The
 * store (which holds the instances) must be freed after it. */
void dl_linker_free(struct dl_linker *l);

/*
 * Links and instantiates PIC main module 'm' (borrowed; it must outlive
 * the linker) with the libraries its dylink.0 needs, found by name on
 * 'ld_library_path' (':'-separated guest directories, may be NULL), the
 * main module's runtime paths, then /lib, /usr/lib, /usr/local/lib;
 * applies every module's data relocations and runs the libraries'
 * constructors (dependencies first; the main module's own run from its
 * _start). Returns 0 and the main instance, or WX_ELINK / WX_EMALFORMED
 * / WX_EINVALID / WX_ELIMIT / WX_ENOMEM / WX_ETRAP / WX_EEXIT with one
 * line in 'diag'.
 */
int dl_link_main(struct dl_linker *l, const struct wasm_module *m,
                 const char *ld_library_path, struct vm_instance **out,
                 struct diag *diag);

/*
 * dlopen: loads library 'path' (a name is searched as above) and what it
 * needs, or finds it loaded (same handle, one more reference); "" is the
 * main module. 'flags' are DL_RTLD_*. Returns 0 and '*handle', or an
 * error with its text (dlerror's) in 'diag'. A constructor that exits
 * gives WX_EEXIT with the code in '*exit_code'. Runs guest code
 * (relocations, constructors).
 */
int dl_open(struct dl_linker *l, const char *path, uint32_t flags,
            const char *ld_library_path, uint32_t *handle, int *exit_code,
            struct diag *diag);

/*
 * dlsym: the address of 'name' in module 'handle' and its dependencies
 * (0: every global module): a function's table slot (made on first
 * request, the same one each time) or a data symbol's address (64-bit
 * with memory64). Returns 0 and '*addr', or WX_EARG (bad handle) /
 * WX_ELINK (no such symbol) / WX_ELIMIT (table full) with text in 'diag'.
 */
int dl_sym(struct dl_linker *l, uint32_t handle, const char *name,
           uint64_t *addr, struct diag *diag);

/*
 * Run on a new guest thread (its vm_thread bound) before its entry:
 * gives it the stack pointer and main-module thread pointer its start
 * arguments hold (0: leave as is), then calls every loaded library's
 * __wasix_init_tls (wasix-libc's scrt1.o: a TLS block from the main
 * module's allocator, set up by the library's __wasm_init_tls), as
 * Wasmer does for each new thread. Returns 0, WX_EEXIT with
 * '*exit_code', or a trap with its text in 'diag'. THREADS: takes the
 * linker's lock.
 */
int dl_thread_begin(struct dl_linker *l, uint64_t stack_pointer,
                    uint64_t tls_base, int *exit_code, struct diag *diag);

/*
 * Libraries dlopen'd by another thread after this one started: whether
 * the calling thread lacks their thread-local blocks (cheap: call it at
 * every system call), and dl_thread_catch_up, which calls their
 * __wasix_init_tls on this thread (as Wasmer does at a system call's
 * start), with dl_thread_begin's results. Only threads the linker knows
 * (started by dl_thread_begin, or the one that linked the program).
 */
bool dl_thread_behind(const struct dl_linker *l);
int dl_thread_catch_up(struct dl_linker *l, int *exit_code, struct diag *diag);

/*
 * Around a host fork() of the process whose linker is 'l' (NULL: none,
 * nothing done): dl_fork_begin before it and before any other lock the
 * fork takes (a dlopen holds the linker's lock, then takes others, such
 * as the process table's to charge memory); it waits for a dlopen in
 * another thread to end, so no child inherits a load half done. After:
 * dl_fork_end(l, false) in the parent (also when the fork failed),
 * dl_fork_end(l, true) in the child, where the forking thread (its only
 * one) still holds the lock as deeply as before (a fork in a
 * constructor: the child goes on with the load).
 */
void dl_fork_begin(struct dl_linker *l);
void dl_fork_end(struct dl_linker *l, bool child);

/* Whether 'handle' names a loaded module (dl_invalid_handle's answer). */
bool dl_handle_valid(const struct dl_linker *l, uint32_t handle);

/*
 * dlclose: drops one reference. Modules stay loaded (their code may
 * still be on the stack or in function pointers), as wasix-libc expects.
 * WX_EARG for a bad handle.
 */
int dl_close(struct dl_linker *l, uint32_t handle);

/* The process's function table and memory (NULL before dl_link_main). */
struct vm_table *dl_table(const struct dl_linker *l);
struct vm_memory *dl_memory(const struct dl_linker *l);

/* ---- closures (dl_closure.c): functions made at run time (libffi) ----
 *
 * A closure is a table slot (closure_allocate) that closure_prepare
 * fills with a function of any signature of i32, i64, f32, f64: called,
 * it reserves two 16-byte aligned buffers below the shadow stack pointer
 * (results, then arguments below them), stores the arguments there
 * packed little-endian (4 or 8 bytes each, in order), calls the backing
 * function (table slot, type (i32 values, i32 results, i32 user_data) ->
 * ()), then returns the results read back packed from the results
 * buffer, and restores the stack pointer. As Wasmer's closures do.
 */

/* Value types of the closure and call_dynamic interfaces. */
enum {
	DL_VAL_I32 = 0,
	DL_VAL_I64 = 1,
	DL_VAL_F32 = 2,
	DL_VAL_F64 = 3,
	DL_VAL_V128 = 4, /* no SIMD in the engine: refused */
};

/* At most this many arguments or results of a closure. */
#define DL_CLOSURE_MAX_VALUES 64u

/* A new closure slot (a freed one first): 0 and '*slot', or WX_ELIMIT. */
int dl_closure_allocate(struct dl_linker *l, uint32_t *slot);

/*
 * Makes closure 'slot' a function of the given DL_VAL_* argument and
 * result types (copied) that calls table slot 'backing' with user data
 * 'user_data'. WX_EARG: 'slot' is not an allocated closure, a type is
 * not one of the four, too many values; WX_ENOMEM.
 */
int dl_closure_prepare(struct dl_linker *l, uint32_t backing, uint32_t slot,
                       const uint8_t *args, uint32_t nargs,
                       const uint8_t *results, uint32_t nresults,
                       uint64_t user_data);

/* Frees closure 'slot' (its table entry becomes null); WX_EARG if it
 * is not an allocated closure. */
int dl_closure_free(struct dl_linker *l, uint32_t slot);

/* Whether table slot 'slot' is a closure (its signature may change). */
bool dl_is_closure(const struct dl_linker *l, uint32_t slot);

#endif
