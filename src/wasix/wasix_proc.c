/*
 * wasix_proc.c: fork, exit, join, pids, signals and interval timers as
 * WASIX host functions, over src/proc.
 *
 * Signal delivery: once the guest registered a callback (callback_signal)
 * the host catches every catchable signal (proc_sig_catch_all), CHLD,
 * CONT, URG and WINCH included. A pending signal runs the callback at the
 * next host-call entry (wasix_enter, also hooked in front of every WASI
 * function). If the callback traps for a signal whose default action
 * terminates (wasix-libc's handler does so for SIG_DFL), the process dies
 * by that signal, as it would natively; for one ignored by default the
 * trap means "ignored". A blocking call that only such signals
 * interrupted runs again (wasix_enter returns WASI_RESTART or
 * WASI_RESTART_IO, see wasi.h), so a child's exit never makes a read or
 * a wait fail with EINTR. A callback of type (i32) -> i32 that returns
 * non-zero says that nothing ran (the guest deferred a blocked signal,
 * or ignores it): such signals restart an interrupted call too. When a
 * handler really ran at the entry of poll_oneoff, the poll does not wait
 * (WASI_HANDLED, wasi.h): pause and sigsuspend then return at once.
 * Without a callback the host default actions are in force, so nothing
 * is ever pending for the guest.
 */
#include "wasix/wasix_impl.h"

#include "dl/dl.h"
#include "wasix/wasix_thread.h"
#include "wasix/wasix_trace.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * Set while this host thread runs the guest's signal callback (per
 * thread: with guest threads, another thread may run a handler of its
 * own at the same time; x->delivering is no longer used).
 */
static _Thread_local bool wasix_delivering;
/* The signal whose callback this thread runs (0: none), and the host
 * calls the guest made since that callback started (wasix_callback_signal
 * uses them to recognise wasix-libc's default action). */
static _Thread_local int wasix_deliver_sig;
static _Thread_local unsigned wasix_deliver_calls;

/*
 * Lowers the interrupt flag once the pending signals are taken, unless
 * the embedder's sticky reason to interrupt (the timeout) holds.
 */
static void wasix_lower_flag(struct wasix_ctx *x)
{
	if (x->sticky == NULL || !__atomic_load_n(x->sticky, __ATOMIC_SEQ_CST))
		__atomic_store_n(x->interrupt, 0, __ATOMIC_RELAXED);
}

/* What wasix_deliver did with a signal. */
enum wasix_outcome {
	WASIX_RAN,      /* a guest handler ran */
	WASIX_DEFAULT,  /* no handler: the callback trapped, or none is set */
	WASIX_DEFERRED, /* the callback returned non-zero: nothing ran */
};

/* Whether callback 'cb' returned non-zero in 'res' (an (i32) -> i32
 * callback saying that it only deferred or ignored the signal). */
static bool wasix_cb_deferred(struct vm_func *cb, const uint64_t *res)
{
	const struct wasm_functype *ft = vm_func_type(cb);

	return ft->nresults == 1 && (uint32_t)res[0] != 0;
}

/*
 * Traces the default action of 'sig' about to be taken: "killed by" for
 * one that ends the process (a stop signal only stops it).
 */
static void wasix_trace_default(struct wasix_ctx *x, int sig)
{
	char name[16];

	if (x->trace_fd < 0 || proc_sig_default_ignores(sig))
		return;
	wasix_trace_signame(sig, name);
	if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
	    sig == SIGTTOU)
		wasix_trace_event(x->trace_fd, "--- %s stopped ---", name);
	else
		wasix_trace_event(x->trace_fd, "+++ killed by %s +++", name);
}

/*
 * Runs the guest's handler (or the default action) for 'sig'. A trap in
 * the callback means "default action" (wasix-libc and the SDK trap for
 * SIG_DFL): death for a terminating signal, nothing for one ignored by
 * default. '*how' (may be NULL) says what happened (enum wasix_outcome).
 */
static int wasix_deliver(struct vm_call *c, struct wasix_ctx *x, int sig,
                         enum wasix_outcome *how)
{
	uint64_t arg[1] = {(uint64_t)sig}, res[1] = {0};
	struct vm_func *cb;
	struct diag d = {0};
	char name[16];
	int code = 0, rc, outer_sig;
	unsigned outer_calls;

	if (how != NULL)
		*how = WASIX_DEFAULT;
	if (x->callback == NULL || x->store == NULL) {
		wasix_trace_default(x, sig);
		proc_sig_default(sig);
		return 0;
	}
	if (x->trace_fd >= 0)
		wasix_trace_event(x->trace_fd, "--- %s delivered ---",
		                  wasix_trace_signame(sig, name));
	/* On a spawned thread: its own instance's handler (wasix_thread.h). */
	cb = wasix_threads_local_func(x->inst, x->callback, c->caller);
	outer_sig = wasix_deliver_sig;
	outer_calls = wasix_deliver_calls;
	wasix_delivering = true;
	wasix_deliver_sig = sig;
	wasix_deliver_calls = 0;
	rc = vm_invoke(x->store, cb, arg, res, &code, &d);
	wasix_delivering = false;
	wasix_deliver_sig = outer_sig;
	wasix_deliver_calls = outer_calls;
	if (rc == VM_EJUMP)
		return rc; /* siglongjmp out of the handler (wasix_stack.c) */
	if (rc == WX_EEXIT) {
		c->exit_code = code;
		return WX_EEXIT;
	}
	if (rc == WX_ETRAP && !proc_sig_default_ignores(sig)) {
		wasix_trace_default(x, sig);
		proc_sig_default(sig);
	}
	if (rc != WX_ETRAP && how != NULL)
		*how = wasix_cb_deferred(cb, res) ? WASIX_DEFERRED : WASIX_RAN;
	if (rc != WX_ETRAP && x->trace_fd >= 0 && wasix_cb_deferred(cb, res))
		wasix_trace_event(x->trace_fd, "--- %s deferred by the guest ---",
		                  name);
	return 0;
}

/*
 * After the handler of signal 'from - 1' left by siglongjmp (VM_EJUMP):
 * the signals taken with it ('bits') that it did not reach stay pending,
 * for the next poll point or host call (proc_sig_pend raises the flag).
 */
static void wasix_requeue(int rc, uint64_t bits, int from)
{
	if (rc != VM_EJUMP)
		return;
	for (int sig = from; sig < 64; sig++)
		if (bits & (UINT64_C(1) << sig))
			proc_sig_pend(sig);
}

/*
 * Whether a blocking call interrupted by 'bits' runs again: every signal
 * either was deferred by the guest ('deferred') or restarts calls
 * (proc_sig_restarts); with no deferred ones, exactly proc_sig_restarts.
 */
static bool wasix_restarts(uint64_t bits, uint64_t deferred)
{
	uint64_t rest = bits & ~deferred;

	return bits != 0 && (rest == 0 || proc_sig_restarts(rest));
}

int wasix_dl_catch_up(struct vm_call *c, struct wasix_ctx *x)
{
	return wasix_threads_dl_catch_up(c, x->dl);
}

/* wasix_enter, and '*ran' set when a guest handler really ran. */
static int wasix_enter_ran(struct vm_call *c, struct wasix_ctx *x,
                           bool *ran)
{
	bool all_ignored = true;
	uint64_t bits, deferred = 0;
	int rc = 0, sig = 1;

	*ran = false;
	wasix_deliver_calls++;
	rc = wasix_dl_catch_up(c, x);
	if (rc != 0)
		return rc;
	if (x->interrupt == NULL ||
	    !__atomic_load_n(x->interrupt, __ATOMIC_RELAXED) ||
	    wasix_delivering)
		return 0;
	/* Threads: a thread being ended (exec) runs no more guest code; one
	 * that does not take the process's signals runs an interrupted
	 * call again. */
	if (wasix_threads_check() != 0)
		return WX_EEXIT;
	if (!wasix_threads_signal_here())
		return WASI_RESTART;
	wasix_lower_flag(x);
	bits = proc_sig_take();
	for (; sig < 64 && rc == 0; sig++) {
		enum wasix_outcome how = WASIX_DEFAULT;

		if (bits & (UINT64_C(1) << sig))
			rc = wasix_deliver(c, x, sig, &how);
		if (how == WASIX_DEFERRED)
			deferred |= UINT64_C(1) << sig;
		all_ignored = all_ignored && how != WASIX_RAN;
	}
	wasix_requeue(rc, bits, sig);
	*ran = !all_ignored;
	if (rc == 0 && wasix_restarts(bits, deferred))
		return all_ignored ? WASI_RESTART : WASI_RESTART_IO;
	return rc;
}

int wasix_enter(struct vm_call *c, struct wasix_ctx *x)
{
	bool ran;

	return wasix_enter_ran(c, x, &ran);
}

int wasix_enter_hook(struct vm_call *c, void *ud)
{
	bool ran;
	int rc = wasix_enter_ran(c, ud, &ran);

	return rc == 0 && ran ? WASI_HANDLED : rc;
}

int wasix_on_interrupt(struct wasix_ctx *x)
{
	uint64_t res[1] = {0}, bits;
	struct vm_call c;
	int rc = 0, sig = 1;

	if (x == NULL || wasix_delivering)
		return 0; /* pending until the handler returns */
	if (!wasix_threads_signal_here())
		return 0; /* another thread runs the handlers */
	memset(&c, 0, sizeof c);
	c.store = x->store;
	c.results = res;
	wasix_lower_flag(x);
	bits = proc_sig_take();
	for (; sig < 64 && rc == 0; sig++)
		if (bits & (UINT64_C(1) << sig))
			rc = wasix_deliver(&c, x, sig, NULL);
	wasix_requeue(rc, bits, sig);
	return rc;
}

/* proc_fork(copy_memory: bool, *pid) -> errno */
int wasix_proc_fork(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	uint64_t out = wasi_ptr(c, 1);
	uint32_t pid = 0;
	int vpipe[2] = {-1, -1};
	bool vfork = wasi_u32(c, 0) == 0;
	char b;
	int rc;

	if (wasi_mem(c, out, 4) == NULL)
		return wasi_ret(c, WASI_EFAULT);
	if (vfork && pipe2(vpipe, O_CLOEXEC) != 0)
		return wasi_ret(c, wasi_errno_from_host(errno));
	fflush(NULL);
	dl_fork_begin(x->dl);
	rc = proc_fork(&pid);
	dl_fork_end(x->dl, rc == 0 && pid == 0);
	if (rc != 0) {
		if (vfork) {
			close(vpipe[0]);
			close(vpipe[1]);
		}
		return wasi_ret(c, wasi_errno_from_host(rc));
	}
	if (pid == 0 && x->notify_fd >= 0) {
		/*
		 * A waiting vfork parent or spawner waits for this process's
		 * exec or exit, not for its children's: a child that kept
		 * the write end would hold the parent (busybox timeout).
		 */
		close(x->notify_fd);
		x->notify_fd = -1;
	}
	if (vfork && pid == 0) {
		close(vpipe[0]);
		x->notify_fd = vpipe[1];
	} else if (vfork) {
		/* The parent sleeps until the child execs or exits. */
		close(vpipe[1]);
		while (read(vpipe[0], &b, 1) < 0 && errno == EINTR)
			;
		close(vpipe[0]);
	}
	return wasi_ret(c, wasi_store_u32(c, out, pid));
}

/*
 * proc_fork_env(*pid) -> errno: the caller goes on as the child (a new
 * pid, a copy of the fd table, the same cwd) in this same process; see
 * wasix_exec.c (exec splits the host process) and proc_exit2. *pid gets
 * the child's pid, as in Wasmer: wasix-libc's vfork returns it to the
 * parent when it longjmps back after the child's exec or _exit.
 */
int wasix_proc_fork_env(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	uint64_t out = wasi_ptr(c, 0);
	uint32_t child;
	struct vfs_table copy;
	int rc;

	if (wasi_mem(c, out, 4) == NULL)
		return wasi_ret(c, WASI_EFAULT);
	if (x->env_active)
		return wasi_ret(c, WASI_ENOTSUP);
	if (vfs_table_clone(&copy, &x->w->fds) != 0)
		return wasi_ret(c, WASI_ENOMEM);
	rc = proc_env_begin(&child);
	if (rc != 0) {
		vfs_table_free(&copy);
		return wasi_ret(c, wasi_errno_from_host(rc));
	}
	x->env_fds = x->w->fds;
	x->w->fds = copy;
	memcpy(x->env_cwd, x->cwd, sizeof x->cwd);
	x->env_active = true;
	return wasi_ret(c, wasi_store_u32(c, out, child));
}

void wasix_env_restore(struct wasix_ctx *x)
{
	if (!x->env_active)
		return;
	vfs_table_free(&x->w->fds);
	x->w->fds = x->env_fds;
	memcpy(x->cwd, x->env_cwd, sizeof x->cwd);
	x->env_active = false;
}

void wasix_env_forget(struct wasix_ctx *x)
{
	if (!x->env_active)
		return;
	vfs_table_free(&x->env_fds);
	x->env_active = false;
}

/*
 * proc_exit2(code): proc_exit, except in a proc_fork_env child: that
 * child becomes a zombie with 'code' and the call returns to the parent.
 */
int wasix_proc_exit2(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;

	if (x->env_active) {
		proc_env_exit((int)wasi_u32(c, 0));
		wasix_env_restore(x);
		return 0;
	}

	x->w->exited = true;
	x->w->exit_code = (int)wasi_u32(c, 0);
	c->exit_code = x->w->exit_code;
	return WX_EEXIT;
}

/* Writes a join_status at 'p'. */
static void wasix_put_status(uint8_t *p, const struct proc_status *st)
{
	memset(p, 0, WASIX_JOIN_SIZE);
	p[WASIX_JOIN_TAG] = st->how; /* NOTHING 0, EXIT 1, SIGNAL 2 */
	if (st->how == PROC_EXITED)
		wasi_put_u16(p + WASIX_JOIN_EXIT, (uint16_t)st->code);
	else if (st->how == PROC_SIGNALED)
		p[WASIX_JOIN_SIGNAL] = (uint8_t)st->code;
}

/* proc_join(*option_pid, flags, *join_status) -> errno */
int wasix_proc_join(struct vm_call *c, void *ud)
{
	uint8_t *opt = wasi_mem(c, wasi_ptr(c, 0), WASIX_OPTPID_SIZE);
	uint8_t *js = wasi_mem(c, wasi_ptr(c, 2), WASIX_JOIN_SIZE);
	uint32_t flags = wasi_u32(c, 1), pid;
	uint8_t tag;
	struct proc_status st;
	int rc;

	(void)ud;
	if (opt == NULL || js == NULL)
		return wasi_ret(c, WASI_EFAULT);
	tag = opt[WASIX_OPTPID_TAG]; /* read once: it may change meanwhile */
	pid = tag == 1 ? wasi_get_u32(opt + WASIX_OPTPID_PID) : 0;
	if (tag == 1 && pid == 0)
		return wasi_ret(c, WASI_ECHILD);
	rc = proc_join(pid, (flags & 1) != 0, &st);
	if (rc != 0)
		return wasi_ret(c, wasi_errno_from_host(rc));
	opt[WASIX_OPTPID_TAG] = 1;
	wasi_put_u32(opt + WASIX_OPTPID_PID, st.pid);
	wasix_put_status(js, &st);
	return wasi_ret(c, WASI_ESUCCESS);
}

/* proc_id(*pid) -> errno */
int wasix_proc_id(struct vm_call *c, void *ud)
{
	(void)ud;
	return wasi_ret(c, wasi_store_u32(c, wasi_ptr(c, 0), proc_self()));
}

/* proc_parent(pid, *ppid) -> errno */
int wasix_proc_parent(struct vm_call *c, void *ud)
{
	uint32_t ppid = 0;
	int rc = proc_parent(wasi_u32(c, 0), &ppid);

	(void)ud;
	if (rc != 0)
		return wasi_ret(c, wasi_errno_from_host(rc));
	return wasi_ret(c, wasi_store_u32(c, wasi_ptr(c, 1), ppid));
}

/*
 * Sends 'sig' to the caller itself: with a callback, the signal runs it
 * before the call returns; without, the default action.
 */
static int wasix_raise_self(struct vm_call *c, struct wasix_ctx *x,
                            uint32_t sig)
{
	if (sig >= PROC_NSIG)
		return wasi_ret(c, WASI_EINVAL);
	if (sig == 0)
		return wasi_ret(c, WASI_ESUCCESS);
	if (x->callback == NULL || sig == SIGKILL || sig == SIGSTOP) {
		proc_sig_default((int)sig);
		return wasi_ret(c, WASI_ESUCCESS);
	}
	c->results[0] = WASI_ESUCCESS;
	return wasix_deliver(c, x, (int)sig, NULL);
}

/* proc_signal(pid, sig) -> errno */
int wasix_proc_signal(struct vm_call *c, void *ud)
{
	uint32_t pid = wasi_u32(c, 0), sig = wasi_u32(c, 1);
	int rc;

	if (sig >= PROC_NSIG)
		return wasi_ret(c, WASI_EINVAL);
	/* To the process: run here if this thread takes its signals, else
	 * made pending for the one that does (wasix_threads_signal_here). */
	if (pid == proc_self() && sig != 0 && wasix_threads_signal_here())
		return wasix_raise_self(c, ud, sig);
	rc = proc_kill(pid, (int)sig);
	return wasi_ret(c, rc == 0 ? WASI_ESUCCESS : wasi_errno_from_host(rc));
}

/* proc_raise(sig) -> errno */
int wasix_proc_raise(struct vm_call *c, void *ud)
{
	return wasix_raise_self(c, ud, wasi_u32(c, 0));
}

/* thread_signal(tid, sig) -> errno: one thread, so the caller. */
int wasix_thread_signal(struct vm_call *c, void *ud)
{
	return wasix_raise_self(c, ud, wasi_u32(c, 1));
}

/*
 * wasix-libc runs a signal's default action in the guest: its callback,
 * finding no handler, first "blocks all signals" by naming a callback
 * that it does not export (__wasm_signal_blocked), then prints "Program
 * recieved ..." and calls abort(), which raises SIGABRT and exits 127.
 * Linux kills such a process with the signal itself, silently. So when
 * that missing callback is the first host call of a delivery, the
 * default action of a terminating signal is taken here, as the kernel
 * would. A handler of the program's runs before any such call. (When a
 * callback is not an export otherwise, nothing changes.)
 */
static void wasix_dfl_check(struct wasix_ctx *x)
{
	int sig = wasix_deliver_sig;

	if (!wasix_delivering || sig == 0 || wasix_deliver_calls != 1 ||
	    proc_sig_default_ignores(sig) || sig == SIGCONT || sig == SIGSTOP ||
	    sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
		return;
	wasix_trace_default(x, sig);
	proc_sig_default(sig);
}

/*
 * callback_signal(name ptr, len): registers export 'name', of type
 * (i32) -> () or (i32) -> i32 (non-zero: the signal was deferred or
 * ignored, no handler ran; see the header). Any other type: ignored.
 */
int wasix_callback_signal(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	char name[256];
	struct vm_extern ext;
	const struct wasm_functype *ft;

	if (wasix_str(c, 0, name, sizeof name) != WASI_ESUCCESS ||
	    c->caller == NULL)
		return 0;
	if (vm_instance_export(c->caller, name, strlen(name), &ext) != 0 ||
	    ext.kind != WASM_EXT_FUNC) {
		wasix_dfl_check(x);
		return 0;
	}
	ft = vm_func_type(ext.u.func);
	if (ft->nparams != 1 || ft->types[0] != WASM_I32 || ft->nresults > 1 ||
	    (ft->nresults == 1 && ft->types[1] != WASM_I32))
		return 0;
	x->callback = ext.u.func;
	proc_sig_catch_all(true);
	return 0;
}

/* proc_raise_interval(sig, interval ns, repeat) -> errno */
int wasix_proc_raise_interval(struct vm_call *c, void *ud)
{
	struct proc_itimer it;
	uint64_t ns = c->args[1];
	int rc;

	(void)ud;
	it.value_ns = ns;
	it.interval_ns = wasi_u32(c, 2) ? ns : 0;
	rc = proc_itimer_set((int)wasi_u32(c, 0), &it, NULL);
	return wasi_ret(c, rc == 0 ? WASI_ESUCCESS : wasi_errno_from_host(rc));
}

/* {tv_sec u64, tv_usec u64} at 'p' in ns. */
static uint64_t wasix_tv_ns(const uint8_t *p)
{
	return wasi_get_u64(p + WASIX_TIMEVAL_SEC) * 1000000000u +
	       wasi_get_u64(p + WASIX_TIMEVAL_USEC) * 1000u;
}

static void wasix_put_tv(uint8_t *p, uint64_t ns)
{
	wasi_put_u64(p + WASIX_TIMEVAL_SEC, ns / 1000000000u);
	wasi_put_u64(p + WASIX_TIMEVAL_USEC, (ns % 1000000000u + 999) / 1000);
}

/* proc_raise_interval2(sig, *itimerval new, *itimerval old) -> errno */
int wasix_proc_raise_interval2(struct vm_call *c, void *ud)
{
	uint8_t *nw = wasi_mem(c, wasi_ptr(c, 1), WASIX_ITIMER_SIZE);
	uint64_t oldp = wasi_ptr(c, 2);
	uint8_t *old = oldp ? wasi_mem(c, oldp, WASIX_ITIMER_SIZE) : NULL;
	struct proc_itimer it, ot;
	int rc;

	(void)ud;
	if (nw == NULL || (oldp != 0 && old == NULL))
		return wasi_ret(c, WASI_EFAULT);
	it.interval_ns = wasix_tv_ns(nw + WASIX_ITIMER_INTERVAL);
	it.value_ns = wasix_tv_ns(nw + WASIX_ITIMER_VALUE);
	rc = proc_itimer_set((int)wasi_u32(c, 0), &it, &ot);
	if (rc != 0)
		return wasi_ret(c, wasi_errno_from_host(rc));
	if (old != NULL) {
		wasix_put_tv(old + WASIX_ITIMER_INTERVAL, ot.interval_ns);
		wasix_put_tv(old + WASIX_ITIMER_VALUE, ot.value_ns);
	}
	return wasi_ret(c, WASI_ESUCCESS);
}

/* proc_signals_sizes_get(*count) -> errno */
int wasix_proc_signals_sizes_get(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;

	return wasi_ret(c, wasi_store_size(c, wasi_ptr(c, 0), x->nsigdisp));
}

/* proc_signals_get(*buf) -> errno: {sig u8, disp u8} entries. */
int wasix_proc_signals_get(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	uint8_t *p = wasi_mem(c, wasi_ptr(c, 0), 2u * x->nsigdisp);

	if (p == NULL)
		return wasi_ret(c, WASI_EFAULT);
	memcpy(p, x->sigdisp, 2u * x->nsigdisp);
	return wasi_ret(c, WASI_ESUCCESS);
}
