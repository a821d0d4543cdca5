/*
 * wasix_thread.h: guest threads. The host functions of wasi-threads
 * ("wasi" "thread-spawn") and of WASIX ("wasix_32v1" thread_spawn_v2,
 * thread_id, thread_join, thread_exit, thread_sleep, thread_parallelism,
 * futex_wait, futex_wake, futex_wake_all), and the shared "env" "memory"
 * that -pthread programs import.
 *
 * Model (the wasi-threads one): every guest thread is a host thread
 * (pthread) running its own instance of the module, made in the same
 * store with the same imports, so it shares the imported memory (and the
 * host functions' contexts) while its globals (__stack_pointer, TLS base)
 * are its own. It calls the module's export wasi_thread_start(tid, arg).
 *
 * Process semantics: proc_exit (or a trap) in any thread ends the whole
 * process at once (the host _exit, after flushing host stdio) with that
 * exit code (134 for a trap, with one line on stderr); thread_exit ends
 * only the caller (on the main thread: once the other threads have ended,
 * with code 0); when _start returns (or the main thread exits or traps),
 * the process ends: wasmix.c stops the other threads with
 * wasix_threads_stop_others before it frees anything they use.
 *
 * THREADS: every function here may be called from any thread.
 */
#ifndef WASMIX_WASIX_THREAD_H
#define WASMIX_WASIX_THREAD_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/vm.h"

/* Exit status of a process ended by a trap in a thread (as the CLI's). */
#define WASIX_THREAD_TRAP_STATUS 134

struct wasix_threads;

/*
 * Makes the thread state of one guest process (and the process's current
 * one, which wasix_threads_exec_stop and wasix_threads_signal_here use).
 * 'resolve'/'resolve_ud' is the resolver that instantiated the main instance
 * (used again for each thread's instance; it must route "env" "memory" and
 * the thread imports back to wasix_resolve). 'interrupt' (may be NULL) ends
 * blocking waits. Returns 0 and '*out', or WX_ENOMEM.
 */
int wasix_threads_new(vm_resolve_fn resolve, void *resolve_ud,
                      volatile sig_atomic_t *interrupt,
                      struct wasix_threads **out);

/*
 * Frees the state. Only valid when wasix_threads_live() is 0 (else it
 * does nothing: running threads still use it). NULL is allowed.
 */
void wasix_threads_free(struct wasix_threads *x);

/*
 * Makes 'x' (may be NULL) the context that the fork hooks guard: the one
 * whose threads run. wasix_threads_new makes the new one current; exec
 * (wasmix.c), which makes the next program's context before it commits,
 * gives that role back to the running one until the commit.
 */
void wasix_threads_set_current(struct wasix_threads *x);

/* Threads started and not yet ended (0 for NULL). */
int wasix_threads_live(struct wasix_threads *x);

/*
 * The thread layer's body of row 'row' of the import table
 * (wasi_imports.def: "wasi" "thread-spawn", the WASIX thread and futex
 * functions; user data: the struct wasix_threads), or NULL for a row it
 * does not serve. wasix_resolve binds them.
 */
vm_host_fn wasix_thread_body(size_t row);

/*
 * "env" "memory" for 'x' (one shared memory per process, made on first
 * use with the import's limits). Returns 0 and '*out', WX_ELINK if
 * 'imp' is not that import, or WX_ENOMEM / WX_ELIMIT.
 */
int wasix_thread_env_memory(struct wasix_threads *x, struct vm_store *s,
                            const struct wasm_import *imp,
                            struct vm_extern *out);

/* Host functions (ud: the struct wasix_threads). */
int wasix_thread_spawn_wasi(struct vm_call *c, void *ud);
int wasix_thread_spawn_v2(struct vm_call *c, void *ud);
int wasix_thread_id(struct vm_call *c, void *ud);
int wasix_thread_join(struct vm_call *c, void *ud);
int wasix_thread_exit(struct vm_call *c, void *ud);
int wasix_thread_sleep(struct vm_call *c, void *ud);
int wasix_thread_parallelism(struct vm_call *c, void *ud);
int wasix_futex_wait(struct vm_call *c, void *ud);
int wasix_futex_wake(struct vm_call *c, void *ud);
int wasix_futex_wake_all(struct vm_call *c, void *ud);

/*
 * Ends every thread but the caller (exec must do this before replacing
 * the program): raises the interrupt flag so that each thread reaches a
 * poll, where wasix_threads_poll makes it end as if by thread_exit, and
 * waits up to 'timeout_ns'. A thread blocked in a host call that does not
 * look at the flag may not end in time: WX_EARG then (the caller fails
 * the exec, EBUSY). Returns WX_OK when the caller is the only thread.
 */
int wasix_threads_stop_others(struct wasix_threads *x, int64_t timeout_ns);

/*
 * For vm_config.on_interrupt (wasmix.c): WX_EEXIT if the calling thread
 * is a spawned one that wasix_threads_stop_others is ending, or the main
 * thread while a spawned thread hands it an exec (wasix_threads_exec_stop),
 * else 0.
 */
int wasix_threads_poll(struct wasix_threads *x);

/*
 * The exec commit point (wasix_exec.c, after the new program is built,
 * before anything of the old one changes): ends every other thread of the
 * process's thread state (the latest made by wasix_threads_new). From the
 * main thread: as wasix_threads_stop_others. From a spawned thread: the
 * other spawned threads end, the main thread unwinds to the run loop
 * (which runs the new program once the caller has unwound too), and the
 * caller ends as if by thread_exit when its exec returns WX_EEXIT.
 * Threads blocked in futex waits, sleeps, joins and blocking WASI calls
 * end within a poll slice (they see the interrupt flag). Returns WX_OK,
 * or WX_EARG if they did not end within a second (the exec then fails
 * with EBUSY; threads that did end stay ended).
 */
int wasix_threads_exec_stop(void);

/*
 * Whether the calling thread is the one that runs handlers of signals
 * sent to the process: the main thread (the one that ran _start) unless
 * it is in thread_exit, else the live spawned thread with the lowest id.
 * Other threads leave pending signals (and the interrupt flag) alone.
 * Thread-directed signals (proc_raise, thread_signal) run on the caller.
 */
bool wasix_threads_signal_here(void);

/*
 * wasix_threads_poll on the process's thread state: WX_EEXIT if the
 * caller must leave its wasm now (it is being ended, or handed an exec),
 * else 0. For blocking host calls that saw the interrupt flag.
 */
int wasix_threads_check(void);

/*
 * The calling thread's own copy of 'f', an exported function of the main
 * instance 'main_inst' (the signal callback): the same export of
 * 'caller', the calling thread's instance of the same module, so that a
 * handler run on a spawned thread uses that thread's globals
 * (__stack_pointer, TLS). 'f' itself when 'caller' is the main instance,
 * NULL, of another module, or has no such export.
 */
struct vm_func *wasix_threads_local_func(struct vm_instance *main_inst,
                                         struct vm_func *f,
                                         struct vm_instance *caller);

/*
 * Sets the function that runs a committed exec when there is no main
 * thread to run it: in a fork child made by a spawned thread, the thread
 * that commits an exec unwinds its wasm, leaves the old thread state and
 * calls 'run(ud)' ('ud': the resolver's user data given to
 * wasix_threads_new), as the new program's main thread (thread id 1).
 * 'run' must end the process (if it returns, or none is set, the process
 * ends with 0). Call it before threads exist.
 */
void wasix_threads_set_exec_runner(void (*run)(void *ud));

/* Whether the caller is the process's main thread (thread id 1). */
bool wasix_threads_is_main(void);

struct dl_linker;

/*
 * The dynamic program's linker (NULL: a static program): each new thread
 * gets its libraries' thread-local blocks before its entry runs
 * (dl_thread_begin). Call it before threads exist.
 */
void wasix_threads_set_linker(struct wasix_threads *x, struct dl_linker *dl);

/*
 * For a host call 'c' of a dynamic program ('dl' its linker; NULL: does
 * nothing): gives the calling thread the thread-local blocks of
 * libraries another thread dlopen'd since (dl_thread_catch_up). 0,
 * WX_EEXIT (c->exit_code set) or a trap.
 */
int wasix_threads_dl_catch_up(struct vm_call *c, struct dl_linker *dl);

/* The interrupt flag given to wasix_threads_new (may be NULL). */
volatile sig_atomic_t *wasix_threads_interrupt(struct wasix_threads *x);

/*
 * The guest thread id of the calling host thread when it runs a spawned
 * guest thread, else 0 (the main thread). For trace lines.
 */
int wasix_thread_trace_tid(void);

#endif
