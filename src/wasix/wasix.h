/*
 * wasix.h: the WASIX host functions (import modules "wasix_32v1" and
 * "wasix_64v1") as src/wasmix.c sees them.
 *
 * A 'wasix_ctx' is the process state WASIX adds to one guest process on
 * top of its 'wasi_ctx' (which keeps the fd table, argv and environment):
 * the guest cwd, the signal callback, the spawner's signal dispositions,
 * the commands mapped with --map-command, and an exec in flight. It
 * lives as long as the host process runs guest code: an exec keeps it
 * (and the wasi_ctx) and replaces only the store and instance.
 *
 * Exec protocol: the host functions proc_exec* build the new program
 * completely through 'ops->build' (decode, validate, a new store and
 * instance importing the same contexts). On failure they return an errno
 * and nothing has changed. On success they commit (argv/env replaced,
 * close-on-exec fds closed, caught signals reset) and return WX_EEXIT
 * with exit code 0; the run loop then sees wasix_exec_take() != NULL,
 * frees the old store and module and starts the new program.
 *
 * Signals: pending signals are delivered at host-call entry of every
 * WASIX function and through wasix_on_interrupt (see there).
 *
 * Threads: one guest thread per context.
 */
#ifndef WASMIX_WASIX_H
#define WASMIX_WASIX_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/vm.h"
#include "wasi/wasi.h"

/* What src/wasmix.c lends the exec calls. */
struct wasix_exec_ops {
	/*
	 * Makes a new program from 'bytes' (taken over: freed by 'discard'
	 * or with the program): decode, validate, store, instance.
	 * 'ld_library_path': the LD_LIBRARY_PATH of the environment the new
	 * program gets (NULL: unset), where a dynamic program's libraries
	 * are searched. Returns 0 and sets '*prog', or a WX_* code (the
	 * caller reports ENOEXEC).
	 */
	int (*build)(void *ud, uint8_t *bytes, size_t len, const char *name,
	             const char *ld_library_path, void **prog);
	/* Frees a program made by 'build' that will not run. */
	void (*discard)(void *ud, void *prog);
	void *ud;
	/*
	 * May be NULL. The bytes of the module running now (borrowed, valid
	 * until the next exec commits), or NULL. An exec whose file holds
	 * exactly these bytes (compared byte for byte as it is read) calls
	 * 'build' with 'bytes' NULL and 'len' 0: the running program again
	 * (docs/process.md, "Exec of the same program").
	 */
	const uint8_t *(*running)(void *ud, size_t *len);
};

struct wasix_ctx;

/*
 * Makes the WASIX state of a process whose WASI state is 'w' (borrowed;
 * must outlive the context). Creates the shared process table if this
 * host process has none yet (so before any fork) and points the signal
 * flag at 'interrupt'. Returns 0 and sets '*out', or WX_ENOMEM.
 */
int wasix_ctx_new(struct wasi_ctx *w, const struct wasix_exec_ops *ops,
                  volatile sig_atomic_t *interrupt, struct wasix_ctx **out);

/* Frees a context (and an exec left un-taken). NULL is allowed. */
void wasix_ctx_free(struct wasix_ctx *x);

/*
 * Adds a command found by name before any path search (--map-command
 * NAME=FILE: FILE is a host path). Copies both. Returns 0 or WX_ENOMEM.
 */
int wasix_ctx_map_command(struct wasix_ctx *x, const char *name,
                          const char *host_file);

/*
 * The flag raised for signals is shared with other reasons to interrupt
 * (the run's timeout): while '*sticky' is non-zero (read atomically),
 * WASIX never lowers the flag. NULL: none.
 */
void wasix_set_sticky(struct wasix_ctx *x, const int *sticky);

/* ---- the network policy (wasix_net.c; docs/networking.md) -------------- */

#define WASIX_NET_MAX_RULES 64

enum { WASIX_NET_CONNECT = 1, WASIX_NET_BIND = 2 };

/* One allow rule: 'op' to addresses in family/addr/prefix, ports lo..hi. */
struct wasix_net_rule {
	uint8_t op;     /* WASIX_NET_CONNECT or WASIX_NET_BIND */
	uint8_t family; /* 4 or 6; 0: any address of either */
	uint8_t prefix; /* leading bits of 'addr' that must match */
	uint8_t addr[16];
	uint16_t port_lo, port_hi;
};

/*
 * What a guest may do on the network. Zeroed: nothing (deny by default);
 * sock_pair, eventfd and epoll never need it. Plain data kept in the
 * process's context, so fork, exec and spawn inherit it.
 */
struct wasix_net_policy {
	bool all;      /* --net: any connect, any bind */
	int8_t lookup; /* 0: as 'all' says; 1 on; -1 off */
	uint32_t nrules;
	struct wasix_net_rule rules[WASIX_NET_MAX_RULES];
};

/*
 * Parses "ADDR[/PREFIX][:PORT[-PORT]]" into '*r' for 'op': ADDR is an
 * IPv4 address, an IPv6 address in brackets ("[fd00::]/8" or
 * "[fd00::/8]"), or "*" (any address of either family); no PREFIX: the
 * one address; no PORT (or "*"): any port.
 * Returns 0 or EINVAL. Pure.
 */
int wasix_net_rule_parse(const char *spec, uint8_t op,
                         struct wasix_net_rule *r);

/* Gives context 'x' the network policy '*p' (copied). */
void wasix_set_net(struct wasix_ctx *x, const struct wasix_net_policy *p);

/*
 * Makes signal deliveries and signal deaths trace lines on host fd 'fd'
 * (borrowed; -1: none, the default). See wasix_trace.h.
 */
void wasix_set_trace(struct wasix_ctx *x, int fd);

/*
 * Gives the main thread of instance 'inst' its thread-local storage when
 * the module expects the runtime to (wasix_tls.c): a block carved from
 * the top of its shadow stack, initialised by its __wasm_init_tls. Call
 * it after instantiation, before _start. Returns WX_OK (also when the
 * module has no such exports), or what vm_invoke returned.
 */
int wasix_init_main_tls(struct vm_store *s, struct vm_instance *inst,
                        struct diag *diag);

struct dl_linker;

/*
 * Gives dlopen, dlsym and dl_invalid_handle the process's dynamic linker
 * (dl.h; borrowed, NULL for a program that is not position independent:
 * then they fail with ENOSYS and a dlerror text). exec sets the new
 * program's.
 */
void wasix_set_linker(struct wasix_ctx *x, struct dl_linker *dl);

/*
 * Reads guest file 'path' (relative to the guest's working directory)
 * whole into '*bytes' (wx_malloc'd, the caller's), at most 256 MiB, as
 * exec reads programs. Returns 0 or a host errno value (ENOENT, EACCES
 * for a directory, ...). dl_host.read for the linker.
 */
int wasix_read_file(struct wasix_ctx *x, const char *path, uint8_t **bytes,
                    size_t *len);

/*
 * Frees the calling host thread's contexts (wasix_context.c; none is
 * running: call it on the main context, e.g. when exec replaces the
 * program or the run ends).
 */
void wasix_contexts_reset(void);

/* Whether an import module name is one of WASIX's. */
bool wasix_is_module(const char *mod, size_t len);

/*
 * Whether module 'm' imports anything from a WASIX module: such programs
 * see the POSIX filesystem view (wasi_config.posix_root).
 */
bool wasix_module_uses(const struct wasm_module *m);

struct wasix_threads;

/*
 * The one resolver of a WASIX process: resolves import 'imp' of module
 * 'm' (NULL allowed: 32-bit, no width check) from the import table
 * (src/wasi/wasi_imports.def): preview1 bound to the context's WASI
 * context (fd_renumber and proc_raise with their WASIX meaning when 'm'
 * imports WASIX: dup2, Linux signal numbers), "wasi" "thread-spawn" and
 * the thread and futex functions bound to 'th', every other WASIX
 * function through this context, and "env" "memory" (the process's
 * shared memory, wasix_thread_env_memory). Every WASIX row links; those
 * not implemented return ENOSYS (52). wasix_64v1 takes pointers and
 * sizes as i64 and goes with a memory64 memory, wasix_32v1 with a 32-bit
 * one. 'th' NULL: the thread rows and "env" "memory" do not link.
 * Returns 0, WX_ELINK (not in the table, a memory of the other width),
 * WX_ENOMEM or WX_ELIMIT.
 */
int wasix_resolve(struct wasix_ctx *x, struct wasix_threads *th,
                  struct vm_store *s, const struct wasm_module *m,
                  const struct wasm_import *imp, struct vm_extern *out);

/*
 * Tells the context which store and instance run now (after
 * instantiation and after every exec): the signal callback is looked up
 * in that instance.
 */
void wasix_set_instance(struct wasix_ctx *x, struct vm_store *s,
                        struct vm_instance *inst);

/*
 * vm_config.on_interrupt helper: delivers pending signals at the VM's
 * safe point (a call or a loop back-edge): the guest's callback through
 * vm_invoke (the VM keeps the running frames), else the default action.
 * Returns 0, or WX_EEXIT when a handler ended the process.
 */
int wasix_on_interrupt(struct wasix_ctx *x);

/*
 * The program an exec committed to (owned by the caller from now on), or
 * NULL. Called by the run loop when an invoke returned WX_EEXIT.
 */
void *wasix_exec_take(struct wasix_ctx *x);

/* Tells the context that the process is about to end (vfork parent). */
void wasix_exiting(struct wasix_ctx *x);

#endif
