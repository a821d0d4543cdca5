/*
 * wasix_thread.c: guest threads (see wasix_thread.h for the model): the
 * thread registry, spawning, joining, exiting, and the import resolver of
 * the thread and futex functions and of "env" "memory".
 *
 * Keeps true:
 *  - Thread ids are unique in the process: the main thread is 1, spawned
 *    threads take 2, 3, ... from an atomic counter (never reused).
 *  - A record lives in 'x->threads' from spawn until it is joined (or
 *    forever if nobody joins it: a few dozen bytes); its host thread is
 *    detached, so ending never waits for a joiner.
 *  - Each host thread runs wasm only through its own vm_thread, bound for
 *    its whole life, and its own instance; the memory is the shared one.
 *  - THREADS: 'x->mu' guards the registry, 'live' and 'env_memory'; it
 *    is never held while wasm runs nor while calling into the VM (whose
 *    lock the fork hooks take first: the order is vm_lock, then x->mu).
 *    The fork hooks (wt_fork_*) forget, in the child, the threads that do
 *    not exist there.
 *  - Exec (wasix_threads_exec_stop) and the end of the process leave no
 *    spawned thread running guest code: 'stopping' makes each one leave at
 *    its next poll or interrupted blocking call; an exec from a spawned
 *    thread hands the run over to the main thread ('handoff'), or, in a
 *    fork child that has none ('no_main'), runs it on that thread
 *    (wt_become_main).
 *  - Exactly one thread takes the process's signals at a time
 *    (wasix_threads_signal_here): the main thread until it is in
 *    thread_exit ('main_exited'), then the live thread with the lowest id.
 */
#include "wasix/wasix_thread.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "dl/dl.h"
#include "proc/proc.h"
#include "vfs/vfs.h"
#include "wasi/wasi_impl.h"
#include "wasix/wasix.h"
#include "wasm/wasm_module.h"

/* Most threads alive at once, so that a runaway guest cannot exhaust the
 * host (each has a reserved value stack and a C stack). */
#define WASIX_MAX_THREADS 1024
/* Host C stack per thread, as a main thread's: the interpreter loop is
 * not recursive, but compiled code (src/aot/) runs each wasm frame as a
 * C frame, up to the same call depth. Pages are used as touched. */
#define WASIX_THREAD_STACK (8u << 20)

struct wasix_thread_rec {
	struct wasix_thread_rec *next;
	struct wasix_threads *x;
	int32_t tid;
	int done;
	struct vm_store *store;
	struct vm_func *entry; /* the thread instance's wasi_thread_start */
	uint64_t arg;          /* a guest pointer: u32, or u64 with memory64 */
	bool dynamic; /* runs the linker's instances (dl_thread_begin) */
	struct vm_thread *vt;  /* made by the spawner: wt_main cannot fail */
};

struct wasix_threads {
	vm_resolve_fn resolve;
	void *resolve_ud;
	volatile sig_atomic_t *interrupt;
	struct vm_memory *env_memory; /* "env" "memory", made once */
	pthread_mutex_t mu;
	pthread_cond_t cv; /* broadcast when a thread ends */
	struct wasix_thread_rec *threads;
	int live;
	int32_t next_tid; /* __atomic */
	int stopping;     /* __atomic: wasix_threads_stop_others running */
	/* __atomic: a spawned thread commits an exec; the main thread must
	 * unwind to the run loop (wasix_threads_poll) and run it. */
	int handoff;
	int handoff_seen; /* __atomic: the main thread saw 'handoff' */
	int main_exited;  /* __atomic: the main thread is in thread_exit */
	/* A fork child made by a spawned thread: no main thread, no run
	 * loop; an exec there is run by the thread that commits it. */
	int no_main;
	struct dl_linker *dl; /* wasix_threads_set_linker; NULL: static */
};

/*
 * The context the fork hooks guard (the process's latest; one per guest
 * process in practice). Set and cleared under wt_fork_mu.
 */
static struct wasix_threads *wt_current;
static pthread_mutex_t wt_fork_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t wt_atfork_once = PTHREAD_ONCE_INIT;

/* The record of the calling host thread (NULL: the main thread). */
static _Thread_local struct wasix_thread_rec *wt_self;
/* Set by thread_exit so that the runner tells it from proc_exit. */
static _Thread_local int wt_exiting;
/* Set when this thread committed an exec in a process with no main
 * thread (x->no_main): it runs the new program itself (wt_exec_runner). */
static _Thread_local int wt_run_exec;
/* wasix_threads_set_exec_runner; __atomic. */
static void (*wt_exec_runner)(void *ud);

/* pthread_atfork prepare: no child may inherit a held registry lock. */
static void wt_fork_prepare(void)
{
	pthread_mutex_lock(&wt_fork_mu);
	if (wt_current != NULL)
		pthread_mutex_lock(&wt_current->mu);
}

static void wt_fork_parent(void)
{
	if (wt_current != NULL)
		pthread_mutex_unlock(&wt_current->mu);
	pthread_mutex_unlock(&wt_fork_mu);
}

/*
 * In the child only the forking thread exists: every other thread is
 * marked ended (joining it returns at once), and only the caller counts
 * as live if it is a spawned thread.
 */
static void wt_fork_child(void)
{
	struct wasix_threads *x = wt_current;

	if (x != NULL) {
		for (struct wasix_thread_rec *r = x->threads; r != NULL;
		     r = r->next)
			if (r != wt_self)
				r->done = 1;
		x->live = wt_self != NULL ? 1 : 0;
		/* A child forked by a spawned thread has no main thread. */
		if (wt_self != NULL) {
			x->main_exited = 1;
			x->no_main = 1;
		}
		x->handoff = 0;
		x->stopping = 0;
		pthread_mutex_unlock(&x->mu);
	}
	pthread_mutex_unlock(&wt_fork_mu);
}

static void wt_atfork_register(void)
{
	pthread_atfork(wt_fork_prepare, wt_fork_parent, wt_fork_child);
}

int wasix_threads_new(vm_resolve_fn resolve, void *resolve_ud,
                      volatile sig_atomic_t *interrupt,
                      struct wasix_threads **out)
{
	struct wasix_threads *x = wx_calloc(1, sizeof *x);

	if (x == NULL)
		return WX_ENOMEM;
	x->resolve = resolve;
	x->resolve_ud = resolve_ud;
	x->interrupt = interrupt;
	x->next_tid = 2;
	pthread_mutex_init(&x->mu, NULL);
	pthread_cond_init(&x->cv, NULL);
	pthread_once(&wt_atfork_once, wt_atfork_register);
	pthread_mutex_lock(&wt_fork_mu);
	wt_current = x;
	pthread_mutex_unlock(&wt_fork_mu);
	*out = x;
	return WX_OK;
}

void wasix_threads_set_current(struct wasix_threads *x)
{
	pthread_mutex_lock(&wt_fork_mu);
	wt_current = x;
	pthread_mutex_unlock(&wt_fork_mu);
}

int wasix_threads_live(struct wasix_threads *x)
{
	int n;

	if (x == NULL)
		return 0;
	pthread_mutex_lock(&x->mu);
	n = x->live;
	pthread_mutex_unlock(&x->mu);
	return n;
}

void wasix_threads_free(struct wasix_threads *x)
{
	if (x == NULL || wasix_threads_live(x) != 0)
		return;
	pthread_mutex_lock(&wt_fork_mu);
	if (wt_current == x)
		wt_current = NULL;
	pthread_mutex_unlock(&wt_fork_mu);
	while (x->threads != NULL) {
		struct wasix_thread_rec *r = x->threads;
		x->threads = r->next;
		wx_free(r);
	}
	pthread_cond_destroy(&x->cv);
	pthread_mutex_destroy(&x->mu);
	wx_free(x);
}

volatile sig_atomic_t *wasix_threads_interrupt(struct wasix_threads *x)
{
	return x->interrupt;
}

/* Whether the interrupt flag is raised (atomic: any thread may set it). */
static bool wt_interrupted(struct wasix_threads *x)
{
	return x->interrupt != NULL &&
	       __atomic_load_n(x->interrupt, __ATOMIC_RELAXED) != 0;
}

/* Ends the whole process now (exit_group): other threads stop mid-run. */
static void wt_end_process(int code)
{
	fflush(stdout);
	fflush(stderr);
	_exit(code);
}

/* Marks 'r' ended and wakes joiners. */
static void wt_finish(struct wasix_thread_rec *r)
{
	struct wasix_threads *x = r->x;

	pthread_mutex_lock(&x->mu);
	r->done = 1;
	x->live--;
	pthread_cond_broadcast(&x->cv);
	pthread_mutex_unlock(&x->mu);
	proc_thread_charge(-1);
}

void wasix_threads_set_exec_runner(void (*run)(void *ud))
{
	__atomic_store_n(&wt_exec_runner, run, __ATOMIC_RELEASE);
}

/*
 * The thread of record 'r' committed an exec in a process that has no
 * main thread (a fork child made by a spawned thread): it leaves the old
 * program's thread state (which the exec frees) and, as the new
 * program's main thread, runs it through the embedder's runner, which
 * ends the process. Ends the process with 0 if there is no runner.
 */
static void wt_become_main(struct wasix_thread_rec *r)
{
	void (*run)(void *) =
	    __atomic_load_n(&wt_exec_runner, __ATOMIC_ACQUIRE);
	void *ud = r->x->resolve_ud;

	wt_finish(r); /* 'r' may be freed from here on */
	wt_self = NULL;
	wt_exiting = 0;
	wt_run_exec = 0;
	if (run != NULL)
		run(ud);
	wt_end_process(0);
}

void wasix_threads_set_linker(struct wasix_threads *x, struct dl_linker *dl)
{
	x->dl = dl;
}

int wasix_threads_dl_catch_up(struct vm_call *c, struct dl_linker *dl)
{
	struct diag d = {0};
	int code = 0, rc;

	if (dl == NULL || WX_LIKELY(!dl_thread_behind(dl)))
		return 0;
	rc = dl_thread_catch_up(dl, &code, &d);
	if (rc == WX_EEXIT) {
		c->exit_code = code;
		return WX_EEXIT;
	}
	return rc == WX_OK ? 0 : vm_call_trap(c, d.msg);
}

/* futex_wait, then what another thread dlopen'd meanwhile: a wait that
 * ends is how a thread learns of a new library. */
static int wt_futex_wait(struct vm_call *c, void *ud)
{
	struct wasix_threads *x = ud;
	int rc = wasix_futex_wait(c, ud);

	return rc == 0 ? wasix_threads_dl_catch_up(c, x->dl) : rc;
}

/*
 * A dynamic program's thread, before its entry: the stack and thread
 * pointers its start arguments hold (wasix-libc's and wasi-libc's start
 * struct: stack top at 0, TLS base after it; pointer-size fields, 8
 * bytes with memory64), then its libraries' TLS blocks.
 */
static int wt_dl_begin(struct wasix_thread_rec *r, int *code, struct diag *diag)
{
	struct vm_memory *m = dl_memory(r->x->dl);
	bool is64 = m != NULL && vm_memory_limits(m)->is64;
	const uint8_t *p =
	    m != NULL ? vm_memory_check(m, r->arg, is64 ? 16 : 8) : NULL;
	uint64_t sp = 0, tls = 0;

	if (p != NULL && is64) {
		uint64_t v[2];
		memcpy(v, p, sizeof v); /* read once: shared memory */
		sp = v[0];
		tls = v[1];
	} else if (p != NULL) {
		uint32_t v[2];
		memcpy(v, p, sizeof v);
		sp = v[0];
		tls = v[1];
	}
	return dl_thread_begin(r->x->dl, sp, tls, code, diag);
}

/*
 * Body of a guest thread: wasi_thread_start(tid, arg) on its own
 * context. proc_exit or a trap ends the process; a return or thread_exit
 * ends only this thread.
 */
static void *wt_main(void *p)
{
	struct wasix_thread_rec *r = p;
	struct diag diag = {0};
	uint64_t args[2] = {(uint32_t)r->tid, r->arg};
	int code = 0, rc = WX_OK;
	struct vm_thread *vt = r->vt;

	r->vt = NULL;
	wt_self = r;
	vm_thread_bind(vt);
	if (r->x->dl != NULL && r->dynamic)
		rc = wt_dl_begin(r, &code, &diag);
	if (rc == WX_OK)
		rc = vm_invoke(r->store, r->entry, args, NULL, &code, &diag);
	vm_thread_bind(NULL);
	vm_thread_free(vt);
	if (rc == WX_EEXIT && wt_run_exec)
		wt_become_main(r); /* does not return */
	if (rc == WX_EEXIT && !wt_exiting)
		wt_end_process(code);
	if (rc != WX_OK && rc != WX_EEXIT) {
		fprintf(stderr, "wasmix: thread %d: trap: %s\n", r->tid,
		        diag.set ? diag.msg : "unknown trap");
		wt_end_process(WASIX_THREAD_TRAP_STATUS);
	}
	wt_finish(r);
	return NULL;
}

/*
 * Finds the export wasi_thread_start of type (i32, i32) -> () in 'inst',
 * or (i32, i64) -> () with a 64-bit memory (the start argument is a
 * pointer); NULL if the module has none.
 */
static struct vm_func *wt_entry(struct vm_instance *inst)
{
	uint32_t ptr =
	    wasi_module_is64(vm_instance_module(inst)) ? WASM_I64 : WASM_I32;
	static const char name[] = "wasi_thread_start";
	struct vm_extern ext;

	if (vm_instance_export(inst, name, sizeof name - 1, &ext) != 0 ||
	    ext.kind != WASM_EXT_FUNC)
		return NULL;
	const struct wasm_functype *ft = vm_func_type(ext.u.func);
	if (ft->nparams != 2 || ft->nresults != 0 || ft->types[0] != WASM_I32 ||
	    ft->types[1] != ptr)
		return NULL;
	return ext.u.func;
}

/* Registers 'r' (counted live) unless the cap is reached: WASI_EAGAIN. */
static uint32_t wt_register(struct wasix_threads *x, struct wasix_thread_rec *r)
{
	uint32_t e = WASI_ESUCCESS;

	/* The tree's limit first (proc.h), then this process's. */
	if (proc_thread_charge(1) != 0)
		return WASI_EAGAIN;
	pthread_mutex_lock(&x->mu);
	if (x->live >= WASIX_MAX_THREADS) {
		proc_thread_charge(-1);
		e = WASI_EAGAIN;
	} else {
		r->next = x->threads;
		x->threads = r;
		x->live++;
	}
	pthread_mutex_unlock(&x->mu);
	return e;
}

/* Undoes wt_register for a thread that never started. */
static void wt_unregister(struct wasix_threads *x, struct wasix_thread_rec *r)
{
	pthread_mutex_lock(&x->mu);
	for (struct wasix_thread_rec **pp = &x->threads; *pp != NULL;
	     pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	}
	x->live--;
	pthread_mutex_unlock(&x->mu);
	proc_thread_charge(-1);
}

/* Starts the host thread of registered record 'r'; a WASI errno. */
static uint32_t wt_start(struct wasix_thread_rec *r)
{
	pthread_attr_t attr;
	pthread_t pt;
	int e;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, WASIX_THREAD_STACK);
	e = pthread_create(&pt, &attr, wt_main, r);
	pthread_attr_destroy(&attr);
	return e == 0 ? WASI_ESUCCESS : WASI_EAGAIN;
}

/*
 * Spawns a thread running a new instance of the caller's module with
 * wasi_thread_start(tid, arg). Returns a WASI errno; '*tid' on success.
 */
static uint32_t wt_spawn(struct vm_call *c, struct wasix_threads *x,
                         uint64_t arg, int32_t *tid)
{
	struct vm_instance *inst = NULL;
	struct wasix_thread_rec *r;
	struct diag diag = {0};
	uint32_t e;

	if (c->caller == NULL || wt_entry(c->caller) == NULL)
		return WASI_ENOTCAPABLE;
	r = wx_calloc(1, sizeof *r);
	if (r == NULL)
		return WASI_ENOMEM;
	r->vt = vm_thread_new(c->store);
	if (r->vt == NULL) {
		wx_free(r);
		return WASI_ENOMEM;
	}
	if (dl_module_is_pic(vm_instance_module(c->caller))) {
		/* A dynamic program: every thread runs its one set of
		 * instances (the linker made the stack and thread pointers
		 * thread-local), since its table reaches only those. */
		inst = c->caller;
		r->dynamic = true;
	} else if (vm_instantiate(c->store, vm_instance_module(c->caller),
	                          x->resolve, x->resolve_ud, &inst,
	                          &diag) != WX_OK) {
		vm_thread_free(r->vt);
		wx_free(r);
		return WASI_EAGAIN;
	} else {
		vm_instance_set_user(inst, vm_instance_user(c->caller));
	}
	r->x = x;
	r->store = c->store;
	r->entry = wt_entry(inst);
	r->arg = arg;
	r->tid = __atomic_fetch_add(&x->next_tid, 1, __ATOMIC_RELAXED);
	e = wt_register(x, r);
	if (e == WASI_ESUCCESS) {
		vfs_threads_begin(); /* the fd table is shared from now on */
		e = wt_start(r);
		if (e != WASI_ESUCCESS)
			wt_unregister(x, r);
	}
	if (e != WASI_ESUCCESS) {
		vm_thread_free(r->vt);
		wx_free(r);
		return e;
	}
	*tid = r->tid;
	return WASI_ESUCCESS;
}

/* wasi "thread-spawn"(start_arg) -> tid, or a negated errno (both of
 * pointer width: wasix-libc declares them size_t). */
int wasix_thread_spawn_wasi(struct vm_call *c, void *ud)
{
	int32_t tid = 0;
	uint32_t e = wt_spawn(c, ud, wasi_ptr(c, 0), &tid);
	int64_t v = e == WASI_ESUCCESS ? tid : -(int64_t)e;

	c->results[0] = wasi_is64(c) ? (uint64_t)v : (uint32_t)v;
	return 0;
}

/*
 * thread_spawn_v2(*thread_start, *tid) -> errno. The thread calls
 * wasi_thread_start(tid, thread_start): wasix-libc's entry reads its
 * stack, TLS base and start function from the struct itself (16 fields
 * of pointer size: 64 bytes, 128 with memory64).
 */
int wasix_thread_spawn_v2(struct vm_call *c, void *ud)
{
	uint64_t start = wasi_ptr(c, 0), out = wasi_ptr(c, 1);
	int32_t tid = 0;

	if (wasi_mem(c, start, 16 * wasi_psize(c)) == NULL ||
	    wasi_mem(c, out, 4) == NULL)
		return wasi_ret(c, WASI_EFAULT);
	uint32_t e = wt_spawn(c, ud, start, &tid);
	if (e != WASI_ESUCCESS)
		return wasi_ret(c, e);
	return wasi_ret(c, wasi_store_u32(c, out, (uint32_t)tid));
}

/* thread_id(*tid) -> errno */
int wasix_thread_id(struct vm_call *c, void *ud)
{
	int32_t tid = wt_self != NULL ? wt_self->tid : 1;

	return wasi_ret(c, wasi_store_u32(c, wasi_ptr(c, 0), (uint32_t)tid));
}

int wasix_thread_trace_tid(void)
{
	return wt_self != NULL ? wt_self->tid : 0;
}

/* The process's thread state (wt_current), or NULL. */
static struct wasix_threads *wt_get_current(void)
{
	struct wasix_threads *x;

	pthread_mutex_lock(&wt_fork_mu);
	x = wt_current;
	pthread_mutex_unlock(&wt_fork_mu);
	return x;
}

/*
 * An interrupted blocking call: WX_EEXIT if the caller is being ended (or
 * handed an exec: wasix_threads_poll), so that it runs no more guest
 * code; else EINTR.
 */
static int wt_eintr(struct vm_call *c, struct wasix_threads *x)
{
	if (wasix_threads_poll(x) != 0)
		return WX_EEXIT;
	return wasi_ret(c, WASI_EINTR);
}

/*
 * thread_join(tid) -> errno: waits until thread 'tid' ended, then
 * forgets it. ESRCH for an unknown (or already joined) id, EDEADLK for
 * the caller itself. The wait ends with EINTR if the interrupt flag is
 * raised.
 */
int wasix_thread_join(struct vm_call *c, void *ud)
{
	struct wasix_threads *x = ud;
	int32_t tid = (int32_t)wasi_u32(c, 0);
	struct wasix_thread_rec **pp, *r = NULL;
	uint32_t e = WASI_ESUCCESS;

	if ((wt_self != NULL && wt_self->tid == tid) ||
	    (wt_self == NULL && tid == 1))
		return wasi_ret(c, WASI_EDEADLK);
	pthread_mutex_lock(&x->mu);
	for (pp = &x->threads; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->tid == tid)
			break;
	if (*pp == NULL) {
		e = WASI_ESRCH;
		goto out;
	}
	r = *pp;
	while (!r->done) {
		if (wt_interrupted(x)) {
			e = WASI_EINTR;
			goto out;
		}
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += WASI_SLICE_NS;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&x->cv, &x->mu, &ts);
	}
	/* 'pp' may be stale after the wait: find the record again. */
	for (pp = &x->threads; *pp != r; pp = &(*pp)->next)
		;
	*pp = r->next;
	wx_free(r);
out:
	pthread_mutex_unlock(&x->mu);
	if (e == WASI_EINTR)
		return wt_eintr(c, x);
	return wasi_ret(c, e);
}

/*
 * thread_exit(code): ends the calling thread only. On the main thread it
 * waits for the other threads to end, then ends the process with 0.
 */
int wasix_thread_exit(struct vm_call *c, void *ud)
{
	struct wasix_threads *x = ud;

	if (wt_self == NULL) {
		/* Signals go to the other threads from now on. */
		__atomic_store_n(&x->main_exited, 1, __ATOMIC_RELEASE);
		pthread_mutex_lock(&x->mu);
		while (x->live > 0)
			pthread_cond_wait(&x->cv, &x->mu);
		pthread_mutex_unlock(&x->mu);
		c->exit_code = 0;
		return WX_EEXIT;
	}
	wt_exiting = 1;
	c->exit_code = (int)wasi_u32(c, 0);
	return WX_EEXIT;
}

/* thread_sleep(duration ns) -> errno; EINTR when interrupted. */
int wasix_thread_sleep(struct vm_call *c, void *ud)
{
	struct wasix_threads *x = ud;
	uint64_t left = c->args[0];

	while (left > 0) {
		if (wt_interrupted(x))
			return wt_eintr(c, x);
		uint64_t ns =
		    left < (uint64_t)WASI_SLICE_NS ? left : WASI_SLICE_NS;
		struct timespec ts = {(time_t)(ns / 1000000000u),
		                      (long)(ns % 1000000000u)};
		nanosleep(&ts, NULL);
		left -= ns;
	}
	return wasi_ret(c, WASI_ESUCCESS);
}

/* thread_parallelism(*size) -> errno: the host's online CPUs. */
int wasix_thread_parallelism(struct vm_call *c, void *ud)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	return wasi_ret(c, wasi_store_size(c, wasi_ptr(c, 0), (uint64_t)n));
}

/* ---- resolver ------------------------------------------------------------ */

/* The thread layer's bodies by row of wasi_imports.def (WASI_THREAD). */
static const vm_host_fn wt_bodies[] = {
#define WASI_OTHER                                  NULL,
#define WASI_THREAD(module, name, sig, trace, body) body,
#include "wasi/wasi_imports.def"
};

_Static_assert(WX_ARRAY_LEN(wt_bodies) == WASI_NIMPORTS, "wt_bodies");

vm_host_fn wasix_thread_body(size_t row)
{
	return row < WASI_NIMPORTS ? wt_bodies[row] : NULL;
}

static bool wt_name_is(const char *s, uint32_t len, const char *want)
{
	return strlen(want) == len && memcmp(s, want, len) == 0;
}

/*
 * "env" "memory": the program's one imported memory, made on first use.
 * x->mu is not held while the VM makes it (vm_memory_make takes vm_lock,
 * and the fork hooks take vm_lock before x->mu): two first uses at once
 * could make two, of which the loser is unused (and freed with the store).
 */
int wasix_thread_env_memory(struct wasix_threads *x, struct vm_store *s,
                            const struct wasm_import *imp,
                            struct vm_extern *out)
{
	struct vm_memory *m;

	if (imp->kind != WASM_EXT_MEMORY ||
	    !wt_name_is(imp->module, imp->module_len, "env") ||
	    !wt_name_is(imp->name, imp->name_len, "memory"))
		return WX_ELINK;
	pthread_mutex_lock(&x->mu);
	m = x->env_memory;
	pthread_mutex_unlock(&x->mu);
	if (m == NULL) {
		struct vm_memory *nm;
		int rc = vm_memory_make(s, &imp->d.memory, &nm);

		if (rc != WX_OK)
			return rc;
		pthread_mutex_lock(&x->mu);
		if (x->env_memory == NULL)
			x->env_memory = nm;
		m = x->env_memory;
		pthread_mutex_unlock(&x->mu);
	}
	out->kind = WASM_EXT_MEMORY;
	out->u.memory = m;
	return WX_OK;
}

/* ---- stopping the other threads (exec), signals ---------------------- */

/* How long exec waits for the other threads to end. */
#define WT_EXEC_TIMEOUT_NS 1000000000LL

int wasix_threads_poll(struct wasix_threads *x)
{
	if (x == NULL)
		return 0;
	if (wt_self == NULL) {
		/* A spawned thread commits an exec: unwind to the run loop. */
		if (!__atomic_load_n(&x->handoff, __ATOMIC_ACQUIRE))
			return 0;
		__atomic_store_n(&x->handoff_seen, 1, __ATOMIC_RELEASE);
		return WX_EEXIT;
	}
	if (!__atomic_load_n(&x->stopping, __ATOMIC_ACQUIRE))
		return 0;
	wt_exiting = 1;
	return WX_EEXIT;
}

bool wasix_threads_is_main(void)
{
	return wt_self == NULL;
}

/* Adds 'ns' to the CLOCK_REALTIME time 'ts'. */
static void wt_ts_add(struct timespec *ts, long ns)
{
	ts->tv_nsec += ns;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

int wasix_threads_stop_others(struct wasix_threads *x, int64_t timeout_ns)
{
	struct timespec now;
	int64_t waited = 0;
	int rc = WX_OK;

	if (x == NULL)
		return WX_OK;
	__atomic_store_n(&x->stopping, 1, __ATOMIC_RELEASE);
	pthread_mutex_lock(&x->mu);
	while (x->live > (wt_self != NULL ? 1 : 0)) {
		if (waited >= timeout_ns) {
			rc = WX_EARG;
			break;
		}
		/* Raised again each slice: a poll may have cleared it. */
		if (x->interrupt != NULL)
			__atomic_store_n(x->interrupt, 1, __ATOMIC_RELAXED);
		clock_gettime(CLOCK_REALTIME, &now);
		wt_ts_add(&now, WASI_SLICE_NS / 5);
		pthread_cond_timedwait(&x->cv, &x->mu, &now);
		waited += WASI_SLICE_NS / 5;
	}
	pthread_mutex_unlock(&x->mu);
	__atomic_store_n(&x->stopping, 0, __ATOMIC_RELEASE);
	return rc;
}

/*
 * Exec from a spawned thread: the other spawned threads end as usual,
 * and the main thread must leave its wasm (wasix_threads_poll returns
 * WX_EEXIT to it), since only the main thread's run loop can start the
 * new program. Waits until it did (or is parked in thread_exit).
 */
static int wt_exec_handoff(struct wasix_threads *x)
{
	int64_t waited = 0;

	__atomic_store_n(&x->handoff_seen, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&x->handoff, 1, __ATOMIC_RELEASE);
	if (wasix_threads_stop_others(x, WT_EXEC_TIMEOUT_NS) != WX_OK)
		goto fail;
	while (!__atomic_load_n(&x->handoff_seen, __ATOMIC_ACQUIRE) &&
	       !__atomic_load_n(&x->main_exited, __ATOMIC_ACQUIRE)) {
		if (waited >= WT_EXEC_TIMEOUT_NS)
			goto fail;
		if (x->interrupt != NULL)
			__atomic_store_n(x->interrupt, 1, __ATOMIC_RELAXED);
		struct timespec ts = {0, WASI_SLICE_NS / 5};
		nanosleep(&ts, NULL);
		waited += WASI_SLICE_NS / 5;
	}
	/* Ends as if by thread_exit once the commit unwinds it; with no
	 * main thread to hand the program to, it runs the program itself. */
	wt_exiting = 1;
	if (__atomic_load_n(&x->no_main, __ATOMIC_RELAXED))
		wt_run_exec = 1;
	return WX_OK;
fail:
	__atomic_store_n(&x->handoff, 0, __ATOMIC_RELEASE);
	return WX_EARG;
}

int wasix_threads_exec_stop(void)
{
	struct wasix_threads *x = wt_get_current();

	if (x == NULL)
		return WX_OK;
	if (wt_self == NULL)
		return wasix_threads_stop_others(x, WT_EXEC_TIMEOUT_NS);
	return wt_exec_handoff(x);
}

int wasix_threads_check(void)
{
	return wasix_threads_poll(wt_get_current());
}

bool wasix_threads_signal_here(void)
{
	struct wasix_threads *x = wt_get_current();
	int32_t first = 0;

	if (x == NULL)
		return wt_self == NULL;
	if (!__atomic_load_n(&x->main_exited, __ATOMIC_ACQUIRE))
		return wt_self == NULL;
	if (wt_self == NULL)
		return false;
	/* The main thread is gone: the live thread with the lowest id. */
	pthread_mutex_lock(&x->mu);
	for (struct wasix_thread_rec *r = x->threads; r != NULL; r = r->next)
		if (!r->done && (first == 0 || r->tid < first))
			first = r->tid;
	pthread_mutex_unlock(&x->mu);
	return first == wt_self->tid;
}

struct vm_func *wasix_threads_local_func(struct vm_instance *main_inst,
                                         struct vm_func *f,
                                         struct vm_instance *caller)
{
	const struct wasm_module *m;

	if (caller == NULL || main_inst == NULL || caller == main_inst ||
	    f == NULL || vm_instance_module(caller) != vm_instance_module(main_inst))
		return f;
	m = vm_instance_module(main_inst);
	/* The export of the main instance that is 'f': the caller's
	 * instance exports its own copy under the same name. */
	for (uint32_t i = 0; i < m->nexports; i++) {
		const struct wasm_export *e = &m->exports[i];
		struct vm_extern theirs, mine;

		if (e->kind != WASM_EXT_FUNC ||
		    vm_instance_export(main_inst, e->name, e->name_len,
		                       &theirs) != 0 ||
		    theirs.u.func != f)
			continue;
		if (vm_instance_export(caller, e->name, e->name_len, &mine) ==
		    0)
			return mine.u.func;
		break;
	}
	return f;
}
