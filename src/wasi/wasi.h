/*
 * wasi.h: the WASI preview1 layer ("wasi_snapshot_preview1") as the layers
 * above it (src/wasmix.c, later wasix) see it.
 *
 * A 'wasi_ctx' is the state one guest program sees through WASI: its
 * arguments, its environment and its standard streams. The host functions
 * only marshal: they check every guest pointer with vm_memory_check
 * (EFAULT when out of range), convert structs and errno values, and call
 * the host. Guest fds index a vfs table (src/vfs/vfs.h): 0, 1 and 2 are
 * the host fds the embedder chose (borrowed), then the preopened
 * directories in the order given, from fd 3. All 46 preview1 functions
 * are implemented; paths are resolved only beneath a directory fd.
 *
 * Keeps true:
 *  - wasi never reaches into the VM except through vm.h.
 *  - Nothing the guest controls sizes a host allocation or a stack array
 *    without a cap; guest lengths are bounded by the memory check first.
 *  - A 'wasi_ctx' is used by one thread at a time, like its store.
 */
#ifndef WASMIX_WASI_H
#define WASMIX_WASI_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "vm/vm.h"

/* The import module name of every preview1 function. */
#define WASI_MODULE "wasi_snapshot_preview1"
/* wasi-threads' module ("thread-spawn"). */
#define WASI_THREADS_MODULE "wasi"
/* WASIX's modules: 32-bit programs, memory64 ones. */
#define WASIX_MODULE32 "wasix_32v1"
#define WASIX_MODULE64 "wasix_64v1"

/* Caps on what an embedder may pass (WX_ELIMIT past them). */
/* argc and envc; the bytes of argv or environ, NULs included. */
#define WASI_MAX_ARGS          65536
#define WASI_MAX_STRINGS_BYTES (16u << 20)

struct wasi_config {
	uint32_t argc;
	const char *const *argv; /* argv[0] is the program name */
	uint32_t envc;
	const char *const *envp; /* "KEY=VALUE" strings */
	int stdio[3]; /* host fds behind guest fds 0, 1, 2; -1: closed */
	uint32_t npreopens;
	const struct wasi_preopen {
		const char *host;  /* host directory */
		const char *guest; /* the name the guest sees ("/", "data") */
	} * preopens;
	/*
	 * How the preopens are shown (docs/filesystem.md). false: one
	 * preopen per entry above, in order from fd 3; absolute
	 * paths are ENOTCAPABLE (preview1 programs, as wasmtime). true: one
	 * preopen "/" at fd 3 for the whole namespace, and absolute paths
	 * resolve from the guest root whatever the directory fd (WASIX
	 * programs, as Wasmer; wasix-libc passes "/path" on the root fd).
	 */
	bool posix_root;
	/*
	 * With posix_root: the "/" preopen is answered at fd 3 (prestat,
	 * fdstat, path calls) without occupying it, so the program's first
	 * open() gets fd 3 as on Linux. For libcs whose every path call is
	 * absolute (wasix-libc; not wasi-libc, which resolves relative to
	 * the preopen's fd with path_open); docs/filesystem.md.
	 */
	bool root_unseen;
	/* Host sockets (borrowed) installed after the preopens, in order. */
	uint32_t nsockets;
	const int *sockets;
	/* Guest fds are below this (EMFILE past it); 0: VFS_MAX_FDS. */
	uint32_t max_fds;
	/*
	 * Non-zero while a signal waits for delivery: blocking reads and
	 * poll_oneoff then return EINTR instead of waiting. May be NULL.
	 */
	volatile sig_atomic_t *interrupt;
};

struct wasi_ctx;

/*
 * Makes a context from 'cfg'. The strings are copied; the stdio host fds
 * and the sockets are borrowed (never closed by wasi) and must stay open
 * while the context is in use; preopened directories are opened here and owned
 * by the context. Returns 0 and sets '*out', or WX_ENOMEM, WX_ELIMIT if the
 * arguments or environment exceed the caps above, or WX_EIO if a
 * preopen cannot be opened as a directory (message in 'diag').
 */
int wasi_ctx_new(const struct wasi_config *cfg, struct wasi_ctx **out,
                 struct diag *diag);

/*
 * Switches absolute-path resolution on or off (wasi_config.posix_root),
 * for exec of a program of the other kind; a program that wants its root
 * in its slot ('root_unseen' false) finds it there again if the slot is
 * empty. Not thread-safe: call it while no other thread of the process
 * runs guest code.
 */
void wasi_ctx_set_posix_paths(struct wasi_ctx *w, bool on, bool root_unseen);

/* Whether absolute paths resolve from the root (wasi_config.posix_root). */
bool wasi_posix_paths(const struct wasi_ctx *w);

/*
 * Opens normalised absolute guest path 'abs' with host open flags
 * 'oflags' through the namespace (symlinks followed, absolute ones from
 * the guest root when absolute paths are on): a new host fd in '*hfd',
 * owned by the caller (a virtual directory gives an empty stand-in, with
 * O_DIRECTORY only). For exec and spawn. Returns a WASI errno.
 */
uint32_t wasi_open_guest_path(struct wasi_ctx *w, const char *abs, int oflags,
                              int *hfd);

/* Frees a context. NULL is allowed. */
void wasi_ctx_free(struct wasi_ctx *w);

/*
 * Resolves one import of module "wasi_snapshot_preview1": makes a host
 * function in store 's' bound to context 'w' and sets '*out'. Returns 0,
 * WX_ELINK if the import is not a preview1 function (wrong module, unknown
 * name, or not a function import), or WX_ENOMEM. The signature given to
 * the VM is the one the preview1 specification fixes, at the pointer
 * width of module 'm' (wasi_module_is64; NULL means 32-bit); the VM itself
 * reports a module that imports it with another type. 'w' must outlive
 * the store's use of the function.
 */
int wasi_resolve(struct wasi_ctx *w, struct vm_store *s,
                 const struct wasm_module *m, const struct wasm_import *imp,
                 struct vm_extern *out);

/*
 * Links function import 'imp' of 'm', if it is a row of the one import
 * table (preview1, "wasi" thread-spawn, wasix_32v1/64v1 at m's width), as
 * a function that answers ENOSYS (52) and does nothing (nothing at all
 * for a function without results), with the row's type (a 64-bit WASIX
 * row: the module's own type). For embedders that refuse a call on
 * purpose. Returns 0, WX_ELINK (not a table row, or a type no ENOSYS
 * answer fits) or WX_ENOMEM.
 */
int wasi_resolve_nosys(struct vm_store *s, const struct wasm_module *m,
                       const struct wasm_import *imp, struct vm_extern *out);

/*
 * Whether module 'm' (NULL: no) has a 64-bit memory 0 (memory64): then
 * its WASI and WASIX imports take pointers and sizes as i64 and the
 * structs it shares hold 8-byte pointers and sizes (wasix_64v1).
 */
bool wasi_module_is64(const struct wasm_module *m);

/*
 * Tells whether the guest called proc_exit and with what status. Useful
 * when proc_exit ran where the VM could not hand the code back itself
 * (for example inside a start function).
 */
bool wasi_exited(const struct wasi_ctx *w, int *code);

/*
 * Makes every function resolved from now on call 'hook(call, ud)' first
 * (WASIX delivers pending signals there), and again after it when an
 * interrupt is pending (a wait ended by a signal); a non-zero result ends
 * the call with that code, except WASI_RESTART and WASI_RESTART_IO:
 * after the function they mean "run it again if it failed with EINTR"
 * (only signals that restart calls came), before it the same as 0.
 * WASI_RESTART_IO (a guest handler ran for one of them) does not restart
 * poll_oneoff: as natively for poll, sleep and pause, the guest sees
 * EINTR once its handler ran. WASI_HANDLED: a guest handler ran and
 * nothing restarts; after the function the same as 0, before it (as
 * WASI_RESTART_IO then) it makes a poll_oneoff that would wait return
 * EINTR at once, so that pause and sigsuspend see that handler. NULL
 * removes the hook for later resolutions.
 */
#define WASI_RESTART    100
#define WASI_RESTART_IO 101
#define WASI_HANDLED    102
void wasi_set_enter_hook(struct wasi_ctx *w, vm_host_fn hook, void *ud);

/*
 * Replaces argv (and the environment unless 'envp' is NULL) for exec.
 * Copies the strings. Returns 0, WX_ELIMIT or WX_ENOMEM; on failure
 * nothing changed.
 */
int wasi_ctx_set_args(struct wasi_ctx *w, uint32_t argc,
                      const char *const *argv, uint32_t envc,
                      const char *const *envp);

#endif
