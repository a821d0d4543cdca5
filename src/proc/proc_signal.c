/*
 * proc_signal.c: host signal handling for the guest process and interval
 * timers (see proc.h).
 *
 * The host handler does two async-signal-safe stores: it ORs bit 'sig'
 * into 'proc_pending' and sets the interrupt flag. The layer above polls
 * the flag at safe points, takes the pending set with proc_sig_take and
 * runs the guest's handler, or the default action with proc_sig_default.
 *
 * Timers are POSIX timers (timer_create, CLOCK_MONOTONIC, SIGEV_SIGNAL)
 * made on first use, one per signal number.
 */
#include "proc/proc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t *proc_flag;
static uint64_t proc_pending; /* __atomic builtins only */
static bool proc_catching;
static timer_t proc_timers[PROC_NSIG];
static bool proc_have_timer[PROC_NSIG];

void proc_sig_set_flag(volatile sig_atomic_t *flag)
{
	proc_flag = flag;
}

static void proc_on_signal(int sig)
{
	if (sig > 0 && sig < 64)
		__atomic_fetch_or(&proc_pending, UINT64_C(1) << sig,
		                  __ATOMIC_SEQ_CST);
	/* Atomic: with guest threads, any host thread may run this. */
	if (proc_flag != NULL)
		__atomic_store_n(proc_flag, 1, __ATOMIC_RELAXED);
}

bool proc_sig_default_ignores(int sig)
{
	return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG ||
	       sig == SIGWINCH;
}

/*
 * SEGV and BUS belong to the VM's guard pages (src/vm/vm_guard.c, which
 * chains to the disposition it found): never caught or ignored here, or
 * an out-of-bounds access would spin instead of trapping.
 */
static bool proc_host_fault(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS;
}

/*
 * Whether proc_sig_catch_all handles 'sig': every signal but KILL and
 * STOP, those ignored by default included (CHLD, CONT, URG, WINCH), so
 * that the guest's handlers for them run; the layer above restarts a call
 * that only they interrupted (proc_sig_restarts).
 */
static bool proc_catchable(int sig)
{
	return sig != SIGKILL && sig != SIGSTOP && !proc_host_fault(sig);
}

bool proc_sig_restarts(uint64_t bits)
{
	bool any = false;

	for (int sig = 1; sig < 64; sig++) {
		if (!(bits & (UINT64_C(1) << sig)))
			continue;
		if (!proc_sig_default_ignores(sig))
			return false;
		any = true;
	}
	return any;
}

void proc_sig_catch_all(bool on)
{
	struct sigaction sa;

	/* Already so: every catchable signal is caught or ignored (as
	 * proc_sig_ignore keeps it). A guest's libc registers its callback
	 * at each signal() call; a shell makes many. */
	if (on && proc_catching)
		return;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on ? proc_on_signal : SIG_DFL;
	for (int sig = 1; sig < 32; sig++) {
		struct sigaction old;

		if (!proc_catchable(sig))
			continue;
		/* Leave ignored signals ignored (POSIX exec rule). */
		if (sigaction(sig, NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(sig, &sa, NULL);
	}
	proc_catching = on;
	if (!on)
		__atomic_store_n(&proc_pending, 0, __ATOMIC_SEQ_CST);
}

bool proc_sig_catching(void)
{
	return proc_catching;
}

int proc_sig_ignore(int sig, bool ignore)
{
	struct sigaction sa;

	if (sig <= 0 || sig >= 32 || sig == SIGKILL || sig == SIGSTOP)
		return EINVAL;
	if (proc_host_fault(sig))
		return 0;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler =
	    ignore ? SIG_IGN
	           : (proc_catching && proc_catchable(sig) ? proc_on_signal
	                                                   : SIG_DFL);
	return sigaction(sig, &sa, NULL) == 0 ? 0 : errno;
}

void proc_sig_pend(int sig)
{
	proc_on_signal(sig);
}

uint64_t proc_sig_take(void)
{
	return __atomic_exchange_n(&proc_pending, 0, __ATOMIC_SEQ_CST);
}

void proc_sig_default(int sig)
{
	struct sigaction sa;
	sigset_t set;

	if (sig <= 0 || sig >= PROC_NSIG || proc_sig_default_ignores(sig))
		return;
	fflush(NULL);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigaction(sig, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	/* Still here: a stop signal, then SIGCONT. Catch it again. */
	if (proc_catching && proc_catchable(sig)) {
		sa.sa_handler = proc_on_signal;
		sigaction(sig, &sa, NULL);
	}
}

static void proc_ns_to_ts(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / 1000000000u);
	ts->tv_nsec = (long)(ns % 1000000000u);
}

static uint64_t proc_ts_to_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

int proc_itimer_set(int sig, const struct proc_itimer *nw,
                    struct proc_itimer *old)
{
	struct itimerspec its, ots;
	struct sigevent ev;

	if (sig <= 0 || sig >= PROC_NSIG || nw == NULL)
		return EINVAL;
	if (old != NULL)
		memset(old, 0, sizeof *old);
	if (!proc_have_timer[sig]) {
		if (nw->value_ns == 0)
			return 0;
		memset(&ev, 0, sizeof ev);
		ev.sigev_notify = SIGEV_SIGNAL;
		ev.sigev_signo = sig;
		if (timer_create(CLOCK_MONOTONIC, &ev, &proc_timers[sig]) != 0)
			return errno == EINVAL ? EINVAL : EAGAIN;
		proc_have_timer[sig] = true;
	}
	memset(&its, 0, sizeof its);
	proc_ns_to_ts(nw->value_ns, &its.it_value);
	proc_ns_to_ts(nw->interval_ns, &its.it_interval);
	if (timer_settime(proc_timers[sig], 0, &its, &ots) != 0)
		return errno;
	if (old != NULL) {
		old->value_ns = proc_ts_to_ns(&ots.it_value);
		old->interval_ns = proc_ts_to_ns(&ots.it_interval);
	}
	return 0;
}

void proc_itimer_forget(void)
{
	memset(proc_have_timer, 0, sizeof proc_have_timer);
}
