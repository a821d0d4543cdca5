/*
 * aot_run.c: the run-time side of the compiled tier: binds a loaded shared
 * object to an instance, enters compiled code (aot_run, the vm_func
 * native_run entry), and the helpers compiled code calls through struct
 * aot_inst: traps, polls, calls it cannot make directly, cold instructions.
 *
 * Keeps true:
 *  - Compiled code runs between a sigsetjmp in aot_run and its return
 *    (the innermost one of the instance is aot_inst.entry):
 *    traps (its own, guard-page faults, a callee's) unwind there with
 *    siglongjmp and leave the thread as the interpreter's 'trap' exit
 *    does (depth, stack top, fuel slice given back, message in the diag).
 *  - Compiled frames live on the C stack; the wasm call depth is counted
 *    as the interpreter counts it (cfg.max_call_depth) and the C stack is
 *    bounded by 'stack_limit', so neither overflows: "call stack
 *    exhausted".
 *  - Host functions, interpreted functions and other instances' functions
 *    are called with their arguments on the thread's value stack, exactly
 *    as the interpreter calls them.
 *  - THREADS: a context (struct aot_inst) is used by one host thread at a
 *    time. The outermost entry of a thread into an instance takes the
 *    instance's own context if no other thread has it, else a per-thread
 *    copy from the instance's list (made on demand, reused once released);
 *    nested entries of that thread find it again through the thread's
 *    chain of entries (aot_entry_cur). No lock: a fork child, where the
 *    other threads are gone, takes copies instead of what they held.
 *    Anything that leaves an aot_run frame other than through its end
 *    (a longjmp past it) must restore aot_entry_cur and give back the
 *    context that entry took, as the end of aot_enter does.
 *  - setjmp (docs/aot.md): a frame that calls a setjmp function is on
 *    the thread's anchor stack (vm_jmp.c) from its first such call to its
 *    return; aot_run cuts the stack back to its entry height whenever it
 *    unwinds, so a landing (struct aot_sj) is jumped to only while its
 *    frame is live, and only from compiled code of the same entry.
 *  - A loop that calls nothing has no poll; an interrupt still reaches it:
 *    a timer on the thread's CPU time signals the thread, and the handler
 *    polls when the signal lands in compiled code (asynchronous
 *    interrupts, below). Code that relies on this is bound only where
 *    the signal is ours.
 *  - EXCEPTIONS: a context's landing chain (aot_inst.eh) holds only the
 *    landings of the compiled frames of its innermost entry: each entry
 *    starts it empty and restores it at its end, each function with a
 *    landing pushes it in its prologue and pops it on return, and a
 *    throw pops the landing it jumps to. A non-local jump into a compiled
 *    frame of the entry must set the chain back to what it was in that
 *    frame. An exception no landing of the entry catches leaves it as
 *    VM_ETHROW (thread's exn_pending); one that leaves a callee's level
 *    (rt_call) is thrown on in the caller.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "aot/aot.h"
#include "aot/aot_abi.h"
#include "aot/aot_impl.h"
#include "vm/vm_code.h"
#include "vm/vm_impl.h"

_Static_assert(offsetof(struct aot_func, type_id) ==
                   offsetof(struct vm_func, type_id),
               "aot_func mirrors vm_func");
_Static_assert(offsetof(struct aot_func, inst) ==
                   offsetof(struct vm_func, inst),
               "aot_func mirrors vm_func");
_Static_assert(offsetof(struct aot_func, host) ==
                   offsetof(struct vm_func, host),
               "aot_func mirrors vm_func");
_Static_assert(offsetof(struct aot_func, native_fn) ==
                   offsetof(struct vm_func, native_fn),
               "aot_func mirrors vm_func");
_Static_assert(offsetof(struct aot_func, native_ctx) ==
                   offsetof(struct vm_func, native_ctx),
               "aot_func mirrors vm_func");
_Static_assert(offsetof(struct aot_table, elems) ==
                   offsetof(struct vm_table, elems),
               "aot_table mirrors vm_table");
_Static_assert(offsetof(struct aot_sj, serial) ==
                       offsetof(struct vm_jmp_anchor_id, serial) &&
                   offsetof(struct aot_sj, index) ==
                       offsetof(struct vm_jmp_anchor_id, index),
               "aot_sj mirrors vm_jmp_anchor_id");
_Static_assert(offsetof(struct aot_table, size) ==
                   offsetof(struct vm_table, size),
               "aot_table mirrors vm_table");

/* C stack kept free below the limit for host functions and libc. */
#define AOT_STACK_RESERVE ((size_t)256 << 10)

/* One entry into compiled code (aot_run's frame); aot_inst.entry. */
struct aot_entry {
	struct vm_thread *th;
	struct vm_guard_jmp g;
	int rc;                /* why siglongjmp(g.env, 2) unwound */
	struct aot_entry *up;  /* the thread's enclosing entry, or NULL */
	struct aot_inst *home; /* the instance's own context */
	struct aot_inst *ctx;  /* the context this thread uses for it */
};

/* A per-thread copy of an instance's context (struct aot_rt.copies). */
struct aot_copy {
	struct aot_copy *next; /* immutable once published */
	int busy;              /* __atomic: a thread uses 'ctx' */
	struct aot_inst *ctx;
};

/* The runtime's state of one bound instance (aot_inst.rt of its home). */
struct aot_rt {
	const struct aot_module_desc *desc;
	struct vm_instance *inst;
	size_t ctx_bytes;        /* an aot_inst with this instance's globals */
	int home_busy;           /* __atomic: a thread uses the home context */
	struct aot_copy *copies; /* __atomic head; pushed, never removed */
};

/* The innermost entry into compiled code on this thread. */
static _Thread_local struct aot_entry *aot_entry_cur;

static _Thread_local char *stack_limit_tl;

/* The flag compiled code polls when the store has none. */
static volatile int no_interrupt;

_Static_assert(sizeof(sig_atomic_t) == sizeof(int),
               "the interrupt flag is read as an int");

/* The lowest address this thread's compiled code may use. */
static char *thread_stack_limit(void)
{
	if (stack_limit_tl != NULL)
		return stack_limit_tl;
	pthread_attr_t a;
	void *lo = NULL;
	size_t size = 0;
	char here;
	if (pthread_getattr_np(pthread_self(), &a) == 0) {
		pthread_attr_getstack(&a, &lo, &size);
		pthread_attr_destroy(&a);
	}
	if (lo == NULL || &here < (char *)lo || &here >= (char *)lo + size) {
		/* Unknown: allow 1 MiB below here. */
		stack_limit_tl =
		    (char *)((uintptr_t)&here - ((uintptr_t)1 << 20));
	} else {
		/* What is left below this frame (a thread's static TLS
		 * comes out of its stack: a sanitizer's takes most of a
		 * small one), keeping the reserve or a quarter of it. */
		size_t left = (size_t)(&here - (char *)lo);
		stack_limit_tl = (char *)lo + (left >= 2 * AOT_STACK_RESERVE
		                                   ? AOT_STACK_RESERVE
		                                   : left / 4);
	}
	return stack_limit_tl;
}

void aot_thread_stack_init(void)
{
	(void)thread_stack_limit();
}

static const char *trap_message(int code)
{
	switch (code) {
	case AOT_TRAP_UNREACHABLE:
		return "unreachable";
	case AOT_TRAP_DIV_ZERO:
		return "integer divide by zero";
	case AOT_TRAP_OVERFLOW:
		return "integer overflow";
	case AOT_TRAP_CONVERSION:
		return "invalid conversion to integer";
	case AOT_TRAP_OOB:
		return "out of bounds memory access";
	case AOT_TRAP_UNDEF_ELEM:
		return "undefined element";
	case AOT_TRAP_SIG_MISMATCH:
		return "indirect call type mismatch";
	case AOT_TRAP_STACK:
		return "call stack exhausted";
	case AOT_TRAP_NULL_REF:
		return "null function reference";
	case AOT_TRAP_UNALIGNED:
		return "unaligned atomic";
	default:
		return "internal error: bad trap";
	}
}

__attribute__((noreturn)) static void unwind(struct aot_entry *e, int rc)
{
	e->rc = rc;
	siglongjmp(e->g.env, 2);
}

__attribute__((noreturn)) static void rt_trap(struct aot_inst *I, int code,
                                              aot_u32 arg)
{
	struct aot_entry *e = I->entry;
	int rc;
	if (code == AOT_TRAP_UNINIT_ELEM)
		rc = diag_set(e->th->diag, WX_ETRAP, "uninitialized element %u",
		              arg);
	else
		rc = vm_trap(e->th, trap_message(code));
	unwind(e, rc);
}

/*
 * Leaves compiled code with status 'rc' of a callee: a longjmp whose
 * target is a setjmp call of a frame of this entry lands there
 * (siglongjmp to its landing: only compiled frames of this entry lie
 * between, and they hold no state of their own); anything else unwinds
 * to the entry (a longjmp then goes on outward).
 */
__attribute__((noreturn)) static void fail(struct aot_entry *e, int rc)
{
	if (rc == VM_EJUMP) {
		uint32_t site;
		struct aot_sj *J = vm_jmp_native_target(e->th, e, &site);

		if (J != NULL && site < J->nsites) {
			/* The frame's exception landings are as they were at
			 * its setjmp call (rt_sj_call). */
			e->ctx->eh = J->eh;
			siglongjmp(J->bufs[site], 1);
		}
	} else if (rc == VM_ETHROW) {
		rc = vm_trap(e->th, "uncaught exception");
	}
	unwind(e, rc);
}

static void rt_poll(struct aot_inst *I)
{
	struct aot_entry *e = I->entry;
	struct vm_store *s = e->th->store;
	int rc = vm_poll(e->th, I->vm_inst, NULL, NULL);
	if (rc != WX_OK)
		fail(e, rc);
	I->budget = vm_fuel_take(s);
	if (I->budget <= 0)
		unwind(e, vm_trap(e->th, "fuel exhausted"));
}

/* ---- asynchronous interrupts ----------------------------------------------
 *
 * Loops that call nothing do not poll (AOT_BACKEDGE_FREE). Instead every
 * thread that runs compiled code for a store with an interrupt flag has a
 * timer on its own CPU time (so it never fires while the thread sleeps in
 * a system call) that sends AOT_ASYNC_SIGNAL every AOT_ASYNC_PERIOD_NS of
 * CPU. The handler polls (rt_poll) when the flag is set and the signal
 * landed in compiled code: any instruction there is a safe point, as it
 * is for a guard-page fault (no lock held, no runtime state half
 * written). A trap unwinds from the handler with siglongjmp; a WASIX
 * signal runs its guest handler and returns into the loop.
 */
#if AOT_ASYNC_INTERRUPTS
#define AOT_ASYNC_SIGNAL    (SIGRTMAX - 2)
#define AOT_ASYNC_PERIOD_NS 4000000L /* 4 ms of the thread's CPU time */
#define AOT_TEXT_SLOTS      4096

/* Executable ranges of loaded compiled code; the handler reads them
 * with atomic loads only. */
static uintptr_t text_lo[AOT_TEXT_SLOTS], text_hi[AOT_TEXT_SLOTS];
static unsigned text_hwm;
static pthread_mutex_t text_mu = PTHREAD_MUTEX_INITIALIZER;

/* The instance whose compiled code this thread runs (innermost aot_run),
 * and whether the handler is polling on it now. */
static _Thread_local struct aot_inst *async_cur;
static _Thread_local bool async_in_poll;
static _Thread_local bool async_timer_made;
static _Thread_local timer_t async_timer;
static pthread_once_t async_once = PTHREAD_ONCE_INIT;
static pthread_key_t async_key;
static int async_ok;

static bool text_owns(uintptr_t pc)
{
	unsigned n = __atomic_load_n(&text_hwm, __ATOMIC_ACQUIRE);
	for (unsigned i = 0; i < n; i++) {
		uintptr_t lo = __atomic_load_n(&text_lo[i], __ATOMIC_ACQUIRE);
		if (lo != 0 && pc >= lo &&
		    pc < __atomic_load_n(&text_hi[i], __ATOMIC_ACQUIRE))
			return true;
	}
	return false;
}

int aot_text_register(uintptr_t lo, uintptr_t hi)
{
	int rc = WX_ELIMIT;
	pthread_mutex_lock(&text_mu);
	for (unsigned i = 0; i < AOT_TEXT_SLOTS; i++) {
		if (text_lo[i] != 0)
			continue;
		__atomic_store_n(&text_hi[i], hi, __ATOMIC_RELEASE);
		__atomic_store_n(&text_lo[i], lo, __ATOMIC_RELEASE);
		if (i >= text_hwm)
			__atomic_store_n(&text_hwm, i + 1, __ATOMIC_RELEASE);
		rc = WX_OK;
		break;
	}
	pthread_mutex_unlock(&text_mu);
	return rc;
}

void aot_text_unregister(uintptr_t lo)
{
	pthread_mutex_lock(&text_mu);
	/* One slot: the same object loaded twice (dlopen counts) has two. */
	for (unsigned i = 0; i < text_hwm; i++)
		if (text_lo[i] == lo) {
			__atomic_store_n(&text_lo[i], 0, __ATOMIC_RELEASE);
			break;
		}
	pthread_mutex_unlock(&text_mu);
}

static void async_on_signal(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	struct aot_inst *I = async_cur;
	uintptr_t pc;
	int saved_errno;

	(void)sig;
	(void)si;
#if defined(__x86_64__)
	pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#else
	pc = (uintptr_t)uc->uc_mcontext.pc;
#endif
	if (I == NULL || async_in_poll || !text_owns(pc) ||
	    !__atomic_load_n(I->interrupt, __ATOMIC_RELAXED))
		return;
	saved_errno = errno;
	async_in_poll = true;
	rt_poll(I); /* a trap unwinds to aot_run, which resets the flag */
	async_in_poll = false;
	errno = saved_errno;
}

static void async_timer_free(void *unused)
{
	(void)unused;
	if (async_timer_made)
		timer_delete(async_timer);
	async_timer_made = false;
}

/* After fork the child has no timers: its first compiled entry or host
 * call makes this thread's again. */
static void async_after_fork(void)
{
	async_timer_made = false;
}

static void async_install(void)
{
	struct sigaction sa, old;
	if (sigaction(AOT_ASYNC_SIGNAL, NULL, &old) != 0 ||
	    (!(old.sa_flags & SA_SIGINFO) && old.sa_handler != SIG_DFL))
		return; /* someone else's signal: no asynchronous interrupts */
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_sigaction = async_on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_NODEFER;
	if (pthread_key_create(&async_key, async_timer_free) != 0)
		return;
	if (sigaction(AOT_ASYNC_SIGNAL, &sa, NULL) != 0)
		return;
	pthread_atfork(NULL, NULL, async_after_fork);
	async_ok = 1;
}

/* Starts this thread's timer if it has none. */
static void async_start(void)
{
	struct sigevent sev;
	struct itimerspec its = {{0, AOT_ASYNC_PERIOD_NS},
	                         {0, AOT_ASYNC_PERIOD_NS}};
	if (async_timer_made || !async_ok)
		return;
	memset(&sev, 0, sizeof sev);
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = AOT_ASYNC_SIGNAL;
	sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	if (timer_create(CLOCK_THREAD_CPUTIME_ID, &sev, &async_timer) != 0)
		return;
	if (timer_settime(async_timer, 0, &its, NULL) != 0) {
		timer_delete(async_timer);
		return;
	}
	async_timer_made = true;
	pthread_setspecific(async_key, (void *)1);
}

bool aot_async_available(void)
{
	pthread_once(&async_once, async_install);
	return async_ok != 0;
}
#else
int aot_text_register(uintptr_t lo, uintptr_t hi)
{
	(void)lo;
	(void)hi;
	return WX_OK;
}
void aot_text_unregister(uintptr_t lo)
{
	(void)lo;
}
bool aot_async_available(void)
{
	return false;
}
#endif

/*
 * Throws exnref 'h' from compiled code: to the innermost landing of the
 * entry (popped: the landing's function pushes it again if it goes on),
 * else out of the entry, whose caller goes on unwinding (VM_ETHROW with
 * the thread's exn_pending, as a host function's throw).
 */
__attribute__((noreturn)) static void eh_raise(struct aot_inst *I, uint64_t h)
{
	struct aot_landing *l = I->eh;

	if (l != NULL) {
		I->eh = l->up;
		I->exn = h;
		l->jump(l->jb);
	}
	struct aot_entry *e = I->entry;
	e->th->exn_pending = h;
	unwind(e, VM_ETHROW);
}

__attribute__((noreturn)) static void rt_throw(struct aot_inst *I, aot_u32 tag,
                                               aot_u64 *slots)
{
	struct aot_entry *e = I->entry;
	struct vm_instance *inst = I->vm_inst;
	uint64_t h = vm_exn_new(e->th, inst->tags[tag], slots);

	if (h == 0)
		unwind(e, vm_trap(e->th, "exception storage exhausted"));
	eh_raise(I, h);
}

__attribute__((noreturn)) static void rt_throw_ref(struct aot_inst *I,
                                                   aot_u64 h)
{
	struct aot_entry *e = I->entry;
	const uint64_t *vals;

	if (h == 0)
		unwind(e, vm_trap(e->th, "null exception reference"));
	if (vm_exn_get(e->th, h, &vals) == NULL)
		unwind(e, vm_trap(e->th, "stale exception reference"));
	eh_raise(I, h);
}

static const void *rt_exn_tag(struct aot_inst *I, aot_u64 h,
                              const aot_u64 **vals)
{
	struct aot_entry *e = I->entry;

	return vm_exn_get(e->th, h, vals);
}

/* Calls 'af' (host, interpreted, another instance's) with the arguments
 * in 'slots' on the thread's value stack; results over 'slots'. */
static int call_out(struct aot_inst *I, aot_u32 depth, struct aot_func *af,
                    aot_u64 *slots)
{
	struct aot_entry *e = I->entry;
	struct vm_thread *th = e->th;
	struct vm_func *f = (struct vm_func *)af;
	const struct wasm_functype *ft = f->type;
	uint32_t np = ft->nparams, nr = ft->nresults;
	uint64_t *args = th->stack_top;
	uint64_t *saved_top = th->stack_top;
	int rc;

	if ((size_t)(th->stack_end - args) < (size_t)(np > nr ? np : nr) + 16)
		return vm_trap(th, "call stack exhausted");
	memcpy(args, slots, np * sizeof *args);
	/* The callee (interpreted, or another entry) counts from the
	 * store's fuel: give the slice back meanwhile (AOT_OUT wrote it). */
	vm_fuel_return(th->store, I->budget);
	I->budget = 0;
	th->depth = I->max_depth - depth; /* depth: frames left (AOT_DEPTH) */
	if (f->host != NULL) {
		bool saved_from_aot = th->host_from_aot;
		th->host_pc = NULL;
		th->host_fp = NULL;
		th->host_from_aot = true;
		rc = vm_call_host(th, f, I->vm_inst, args);
		th->host_from_aot = saved_from_aot;
		/* VM_ETHROW (vm_call_throw): goes on in the caller, with
		 * the thread's exn_pending (call_fail). */
	} else {
		/* An exception that leaves the callee's level (interpreted
		 * or compiled) goes on in this one, as it would if both
		 * were interpreted; a nested vm_invoke's is its own. */
		th->exn_escaped = 0;
		rc = vm_interp_run(th, f, args);
		if (rc == WX_ETRAP && th->exn_escaped != 0) {
			th->exn_pending = th->exn_escaped;
			th->exn_escaped = 0;
			diag_clear(th->diag);
			rc = VM_ETHROW;
		}
	}
	th->stack_top = saved_top;
#if AOT_ASYNC_INTERRUPTS
	if (!async_timer_made && I->interrupt != &no_interrupt)
		async_start(); /* the host call forked */
#endif
	I->budget = vm_fuel_take(th->store);
	if (rc == WX_OK)
		memcpy(slots, args, nr * sizeof *args);
	return rc;
}

/* A call_out that did not return normally: an exception goes on in this
 * frame's level (eh_raise), anything else unwinds (fail). */
__attribute__((noreturn)) static void call_fail(struct aot_inst *I, int rc)
{
	struct vm_thread *th = ((struct aot_entry *)I->entry)->th;

	if (rc == VM_ETHROW) {
		uint64_t h = th->exn_pending;
		th->exn_pending = 0;
		eh_raise(I, h);
	}
	fail(I->entry, rc);
}

static void rt_call(struct aot_inst *I, aot_u32 depth, struct aot_func *af,
                    aot_u64 *slots)
{
	int rc = call_out(I, depth, af, slots);

	if (rc != WX_OK)
		call_fail(I, rc);
}

/* I->sj_call: see aot_abi.h. The frame's activation is pushed on the
 * thread's anchor stack at its first setjmp call. */
static void rt_sj_call(struct aot_inst *I, aot_u32 depth, struct aot_sj *J,
                       aot_u32 site, struct aot_func *af, aot_u64 *slots)
{
	struct aot_entry *e = I->entry;
	struct vm_thread *th = e->th;
	struct vm_jmp_anchor_id *id = (struct vm_jmp_anchor_id *)(void *)J;
	struct vm_jmp_sjcall sj = {id, site, I->max_depth - depth};
	int rc;

	if (J->serial == 0 &&
	    vm_jmp_anchor_push(th, J, e, sj.depth, id) != WX_OK)
		unwind(e, vm_trap(th, "out of memory for a setjmp"));
	J->eh = I->eh; /* what a landing in this frame sets back (fail) */
	vm_jmp_sjcall_swap(th, &sj);
	rc = call_out(I, depth, af, slots);
	vm_jmp_sjcall_swap(th, &sj);
	if (rc != WX_OK)
		call_fail(I, rc);
}

/*
 * I->sj_land: a longjmp landed at call site 'site' of J's frame: puts back
 * the interpreter frames of the setjmp function (the runtime saved them
 * at the checkpoint) and runs them to their return, whose results are the
 * call's; without such frames (the frame called the import) the result
 * is the import's, 0.
 */
static void rt_sj_land(struct aot_inst *I, aot_u32 depth, struct aot_sj *J,
                       aot_u32 site, struct aot_func *af, aot_u64 *slots)
{
	struct aot_entry *e = I->entry;
	struct vm_thread *th = e->th;
	struct vm_func *f = (struct vm_func *)af;
	uint64_t *const saved_top = th->stack_top;
	struct vm_jmp_resume r;
	int rc;

#if AOT_ASYNC_INTERRUPTS
	/* A longjmp out of a signal's guest handler may land here: no poll
	 * is in progress any more. */
	async_in_poll = false;
#endif
	rc = vm_jmp_native_land(th, (struct vm_jmp_anchor_id *)(void *)J, site,
	                        &r);
	if (rc == WX_OK && r.pc == NULL) {
		slots[0] = 0;
		return;
	}
	if (rc != WX_OK || r.base != th->stack_top ||
	    r.base_depth != I->max_depth - depth)
		unwind(e, vm_trap(th, "internal error: a setjmp landing "
		                      "does not match its checkpoint"));
	th->depth = r.base_depth;
	vm_fuel_return(th->store, I->budget); /* as call_out */
	I->budget = 0;
	th->exn_escaped = 0;
	rc = vm_interp_resume(th, &r);
	if (rc == WX_ETRAP && th->exn_escaped != 0) { /* as call_out */
		th->exn_pending = th->exn_escaped;
		th->exn_escaped = 0;
		diag_clear(th->diag);
		rc = VM_ETHROW;
	}
	I->budget = vm_fuel_take(th->store);
	th->stack_top = saved_top;
	if (rc != WX_OK)
		call_fail(I, rc);
	memcpy(slots, r.base, f->type->nresults * sizeof *slots);
}

static void rt_sj_pop(struct aot_inst *I, struct aot_sj *J)
{
	struct aot_entry *e = I->entry;

	vm_jmp_anchor_pop(e->th, (struct vm_jmp_anchor_id *)(void *)J);
}

static aot_u64 rt_cold(struct aot_inst *I, int op, aot_u64 a, aot_u64 b,
                       aot_u64 c, aot_u32 imm0, aot_u32 imm1)
{
	struct aot_entry *e = I->entry;
	struct vm_instance *inst = I->vm_inst;
	/* A frame and cells as vm_compile.c lays them out: fp[0] the result,
	 * fp[1..3] the operands; pc[1] is the first operand cell. */
	uint64_t fp[4] = {0, a, b, c};
	uint32_t pc[8] = {0};
	const char *msg;

	switch (op) {
	case AOT_COLD_MEMORY_GROW: /* [dst][delta][mem] */
		pc[1] = 0, pc[2] = 1, pc[3] = imm0;
		msg = vm_op_memory_grow(inst, fp, pc);
		break;
	case AOT_COLD_MEMORY_INIT: /* [dst][src][n][data][mem] */
		pc[1] = 1, pc[2] = 2, pc[3] = 3, pc[4] = imm0, pc[5] = imm1;
		msg = vm_op_memory_init(inst, fp, pc);
		break;
	case AOT_COLD_MEMORY_COPY: /* [dst][src][n][dmem][smem] */
		pc[1] = 1, pc[2] = 2, pc[3] = 3, pc[4] = imm0, pc[5] = imm1;
		msg = vm_op_memory_copy(inst, fp, pc);
		break;
	case AOT_COLD_MEMORY_FILL: /* [dst][byte][n][mem] */
		pc[1] = 1, pc[2] = 2, pc[3] = 3, pc[4] = imm0;
		msg = vm_op_memory_fill(inst, fp, pc);
		break;
	case AOT_COLD_DATA_DROP: /* [data] */
		pc[1] = imm0;
		msg = vm_op_data_drop(inst, fp, pc);
		break;
	case AOT_COLD_TABLE_GET: /* [dst][index][table] */
		pc[1] = 0, pc[2] = 1, pc[3] = imm0;
		msg = vm_op_table_get(inst, fp, pc);
		break;
	case AOT_COLD_TABLE_SET: /* [index][value][table] */
		pc[1] = 1, pc[2] = 2, pc[3] = imm0;
		msg = vm_op_table_set(inst, fp, pc);
		break;
	case AOT_COLD_TABLE_SIZE: /* [dst][table] */
		pc[1] = 0, pc[2] = imm0;
		msg = vm_op_table_size(inst, fp, pc);
		break;
	case AOT_COLD_TABLE_GROW: /* [dst][init][delta][table] */
		pc[1] = 0, pc[2] = 1, pc[3] = 2, pc[4] = imm0;
		msg = vm_op_table_grow(inst, fp, pc);
		break;
	case AOT_COLD_TABLE_FILL: /* [index][value][n][table] */
		pc[1] = 1, pc[2] = 2, pc[3] = 3, pc[4] = imm0;
		msg = vm_op_table_fill(inst, fp, pc);
		break;
	case AOT_COLD_TABLE_INIT: /* [dst][src][n][elem][table] */
		pc[1] = 1, pc[2] = 2, pc[3] = 3, pc[4] = imm0, pc[5] = imm1;
		msg = vm_op_table_init(inst, fp, pc);
		break;
	case AOT_COLD_TABLE_COPY: /* [dst][src][n][dtab][stab] */
		pc[1] = 1, pc[2] = 2, pc[3] = 3, pc[4] = imm0, pc[5] = imm1;
		msg = vm_op_table_copy(inst, fp, pc);
		break;
	case AOT_COLD_ELEM_DROP: /* [elem] */
		pc[1] = imm0;
		msg = vm_op_elem_drop(inst, fp, pc);
		break;
	case AOT_COLD_ATOMIC_NOTIFY:
	case AOT_COLD_ATOMIC_WAIT32:
	case AOT_COLD_ATOMIC_WAIT64: {
		/* [op | mem << 16][dst][operands][offset] (vm_compile.c) */
		unsigned ncells;
		pc[1] = (uint32_t)(op == AOT_COLD_ATOMIC_NOTIFY
		                       ? WASM_OP_MEMORY_ATOMIC_NOTIFY
		                   : op == AOT_COLD_ATOMIC_WAIT32
		                       ? WASM_OP_MEMORY_ATOMIC_WAIT32
		                       : WASM_OP_MEMORY_ATOMIC_WAIT64) |
		        imm0 << 16;
		pc[2] = 0, pc[3] = 1, pc[4] = 2;
		if (op == AOT_COLD_ATOMIC_NOTIFY)
			pc[5] = imm1;
		else
			pc[5] = 3, pc[6] = imm1;
		msg = vm_op_atomic(inst, fp, pc, &ncells);
		break;
	}
	default:
		msg = "internal error: bad instruction";
		break;
	}
	if (msg != NULL)
		unwind(e, vm_trap(e->th, msg));
	return fp[0];
}

/* Fills the parts of context 'ai' that every thread's copy shares. */
static void ctx_fill(struct aot_inst *ai, struct aot_inst *home,
                     const struct aot_module_desc *d, struct vm_instance *inst)
{
	const struct wasm_module *m = inst->module;

	if (m->nmemories != 0) {
		struct vm_memory *mem = inst->memories[0];
		ai->mem = mem->base;
		ai->mem_size = &mem->size;
	}
	ai->globals = inst->global_values;
	for (uint32_t k = 0; k < m->nglobals; k++)
		ai->g[k] = inst->global_values[k];
	ai->funcs = (struct aot_func **)inst->funcs;
	ai->tables = (struct aot_table **)inst->tables;
	ai->type_ids = inst->type_ids;
	ai->entries =
	    (void (**)(struct aot_inst *, aot_u32, aot_u64 *))d->entries;
	ai->trap = rt_trap;
	ai->poll = rt_poll;
	ai->call = rt_call;
	ai->cold = rt_cold;
	ai->sj_call = rt_sj_call;
	ai->sj_land = rt_sj_land;
	ai->sj_pop = rt_sj_pop;
	ai->tags = (void *const *)inst->tags;
	ai->throw_ = rt_throw;
	ai->throw_ref = rt_throw_ref;
	ai->exn_tag = rt_exn_tag;
	ai->vm_inst = inst;
	ai->home = home;
	ai->rt = home->rt;
}

/*
 * A context of instance 'home' for the calling thread, which has none in
 * use: the home context if free, else a free copy, else a new copy.
 * NULL if out of memory.
 */
static struct aot_inst *ctx_take(struct aot_inst *home)
{
	struct aot_rt *rt = home->rt;
	struct aot_copy *c;
	int zero = 0;

	if (__atomic_compare_exchange_n(&rt->home_busy, &zero, 1, false,
	                                __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return home;
	for (c = __atomic_load_n(&rt->copies, __ATOMIC_ACQUIRE); c != NULL;
	     c = c->next) {
		zero = 0;
		if (__atomic_compare_exchange_n(&c->busy, &zero, 1, false,
		                                __ATOMIC_ACQUIRE,
		                                __ATOMIC_RELAXED))
			return c->ctx;
	}
	c = wx_calloc(1, sizeof *c);
	if (c == NULL)
		return NULL;
	c->ctx = wx_calloc(1, rt->ctx_bytes);
	if (c->ctx == NULL) {
		wx_free(c);
		return NULL;
	}
	ctx_fill(c->ctx, home, rt->desc, rt->inst);
	c->busy = 1;
	c->next = __atomic_load_n(&rt->copies, __ATOMIC_RELAXED);
	while (!__atomic_compare_exchange_n(&rt->copies, &c->next, c, false,
	                                    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
	return c->ctx;
}

/* Gives back a context ctx_take returned. */
static void ctx_give(struct aot_inst *ctx)
{
	struct aot_rt *rt = ctx->rt;

	if (ctx == ctx->home) {
		__atomic_store_n(&rt->home_busy, 0, __ATOMIC_RELEASE);
		return;
	}
	for (struct aot_copy *c =
	         __atomic_load_n(&rt->copies, __ATOMIC_ACQUIRE);
	     c != NULL; c = c->next) {
		if (c->ctx == ctx) {
			__atomic_store_n(&c->busy, 0, __ATOMIC_RELEASE);
			return;
		}
	}
}

/* The context the calling thread's enclosing entries use for instance
 * 'home', or NULL. */
static struct aot_inst *ctx_of_thread(const struct aot_inst *home)
{
	for (struct aot_entry *p = aot_entry_cur; p != NULL; p = p->up)
		if (p->home == home)
			return p->ctx;
	return NULL;
}

static int aot_enter(struct vm_thread *th, struct vm_func *f, uint64_t *fp,
                     struct aot_inst *home, struct aot_inst *ai, bool taken);

/*
 * vm_func.native_run: vm_interp_run's contract for a compiled function.
 * Entries nest (compiled code -> host or interpreter -> compiled code of
 * the same instance): the context's entry state is saved and restored.
 */
static int aot_run(struct vm_thread *th, struct vm_func *f, uint64_t *fp)
{
	struct aot_inst *const home = f->native_ctx;
	const struct wasm_functype *ft = f->type;
	uint32_t room = ft->nparams > ft->nresults ? ft->nparams : ft->nresults;

	if ((size_t)(th->stack_end - fp) < (size_t)room + 16)
		return vm_trap(th, "call stack exhausted");
	/* This thread's context for the instance: the one its enclosing
	 * entries use, else one of its own until this entry returns. */
	struct aot_inst *const ai = ctx_of_thread(home);
	struct aot_inst *const ctx = ai != NULL ? ai : ctx_take(home);
	if (ctx == NULL)
		return vm_trap(th, "out of memory");
	return aot_enter(th, f, fp, home, ctx, ai == NULL);
}

/* aot_run with the thread's context 'ai' for 'home' ('taken': by this
 * entry, given back when it returns). */
static int aot_enter(struct vm_thread *th, struct vm_func *f, uint64_t *fp,
                     struct aot_inst *home, struct aot_inst *ai, bool taken)
{
	struct vm_store *s = th->store;
	const struct wasm_functype *ft = f->type;
	uint32_t room = ft->nparams > ft->nresults ? ft->nparams : ft->nresults;
	uint64_t *const saved_top = th->stack_top;
	const uint32_t saved_depth = th->depth;
	void *const saved_entry = ai->entry;
	const long long saved_budget = ai->budget;
	/* volatile: read after the siglongjmp (GCC's -Wclobbered) */
	volatile uint32_t anchors = 0;
	void *const saved_eh = ai->eh;
	const char *const saved_cstack = th->exn_cstack_base;
	struct aot_entry e;
	int rc;
#if AOT_ASYNC_INTERRUPTS
	struct aot_inst *const saved_cur = async_cur;
	const bool saved_in_poll = async_in_poll;
#endif

	if (WX_UNLIKELY(th->jmp != NULL)) {
		/* Interpreter records from here up are not live frames (a
		 * trap left them): compiled frames will not overwrite them. */
		anchors = vm_jmp_anchor_count(th);
		vm_jmp_unwound(th, anchors, th->depth);
	}
	e.th = th;
	e.rc = WX_OK;
	e.up = aot_entry_cur;
	e.home = home;
	e.ctx = ai;
	aot_entry_cur = &e;
	ai->entry = &e;
	ai->eh = NULL; /* landings never reach past an entry */
	if (saved_cstack == NULL)
		th->exn_cstack_base = (const char *)(&e + 1);
	ai->stack_limit = thread_stack_limit();
	ai->max_depth = s->cfg.max_call_depth;
	ai->budget = vm_fuel_take(s);
	ai->interrupt = s->cfg.interrupt != NULL
	                    ? (volatile int *)s->cfg.interrupt
	                    : &no_interrupt;
	e.g.prev = vm_guard_cur;
	e.g.depth = th->depth;
	e.g.top = th->stack_top;
	if (fp + room > th->stack_top)
		th->stack_top = fp + room;
	if (sigsetjmp(e.g.env, 0) != 0) {
		vm_guard_cur = e.g.prev;
		rc = e.rc;
		if (rc == WX_OK) /* a guard-page fault (vm_guard.c) */
			rc = vm_trap(th, "out of bounds memory access");
		goto out;
	}
	vm_guard_cur = &e.g;
#if AOT_ASYNC_INTERRUPTS
	if (ai->interrupt != &no_interrupt && !async_timer_made)
		async_start();
	async_in_poll = false;
	async_cur = ai;
#endif
	ai->entries[f->index](
	    ai, th->depth < ai->max_depth ? ai->max_depth - th->depth : 0, fp);
	vm_guard_cur = e.g.prev;
	rc = WX_OK;
out:
	/* Frames of setjmp callers that an unwind skipped are gone. */
	if (WX_UNLIKELY(th->jmp != NULL) && rc != WX_OK)
		vm_jmp_unwound(th, anchors, saved_depth);
#if AOT_ASYNC_INTERRUPTS
	async_cur = saved_cur;
	async_in_poll = saved_in_poll;
#endif
	vm_fuel_return(s, ai->budget);
	ai->budget = saved_budget;
	ai->entry = saved_entry;
	ai->eh = saved_eh;
	th->exn_cstack_base = saved_cstack;
	aot_entry_cur = e.up;
	if (taken)
		ctx_give(ai);
	th->stack_top = saved_top;
	th->depth = saved_depth;
	return rc;
}

int aot_bind_desc(const struct aot_module_desc *d, struct aot_inst *ai,
                  struct vm_instance *inst, bool running, struct diag *diag)
{
	const struct wasm_module *m = inst->module;
	bool checked = (d->flags & AOT_DESC_CHECKED) != 0;
	struct aot_rt *rt;

	if (d->nfuncs != m->nfuncs)
		return diag_set(diag, WX_EARG,
		                "compiled code of another module");
	if (!(d->flags & AOT_DESC_FUEL) && AOT_ASYNC_INTERRUPTS &&
	    inst->store->cfg.interrupt != NULL && !aot_async_available())
		return diag_set(diag, WX_EARG,
		                "its loops rely on asynchronous interrupts, "
		                "and their signal is taken");
	if (inst->store->cfg.fuel != 0 && !(d->flags & AOT_DESC_FUEL))
		return diag_set(diag, WX_EARG,
		                "the code does not count fuel and the run has "
		                "a fuel limit");
	if (m->nmemories != 0 && !checked && !inst->memories[0]->guarded)
		return diag_set(diag, WX_EARG,
		                "memory 0 has no guard pages and the "
		                "code does not check bounds");
	rt = wx_calloc(1, sizeof *rt);
	if (rt == NULL)
		return diag_set(diag, WX_ENOMEM, "out of memory");
	rt->desc = d;
	rt->inst = inst;
	rt->ctx_bytes = sizeof *ai + (size_t)m->nglobals * sizeof ai->g[0];
	ai->rt = rt;
	ctx_fill(ai, ai, d, inst);
	for (uint32_t k = m->num_imported_funcs; k < m->nfuncs; k++) {
		struct vm_func *f = inst->funcs[k];
		if (d->fns[k] == NULL || d->entries[k] == NULL)
			continue;
		if (running) { /* 'ai' is complete: publish one by one */
			vm_func_bind_native(f, d->fns[k], ai, aot_run);
			continue;
		}
		f->native_fn = d->fns[k];
		f->native_ctx = ai;
		f->native_run = aot_run;
	}
	return WX_OK;
}

void aot_bind_free(void *state)
{
	struct aot_inst *ai = state;

	if (ai == NULL)
		return;
	struct aot_rt *rt = ai->rt;
	if (rt != NULL) {
		struct aot_copy *c = rt->copies;
		while (c != NULL) {
			struct aot_copy *next = c->next;
			wx_free(c->ctx);
			wx_free(c);
			c = next;
		}
		wx_free(rt);
	}
	wx_free(ai);
}
