/*
 * sdk_signal.c: signal, sigaction, raise, kill, alarm, setitimer,
 * getitimer, pause and signal sets over WASIX.
 *
 * The first signal()/sigaction() registers the export __wasix_signal with
 * callback_signal; from then on the runtime delivers every caught signal
 * there, and this file dispatches it: the installed handler, nothing for
 * SIG_IGN, and for SIG_DFL a trap (the runtime then applies the default
 * action: the process ends as killed by that signal, or, for signals
 * ignored by default, nothing happens). Those (CHLD, CONT, URG, WINCH)
 * trap for SIG_IGN too. The callback returns 1 when no handler ran (the
 * signal is ignored, or blocked and recorded), 0 when one ran: for 1 the
 * runtime resumes an interrupted read, poll, sleep or wait instead of
 * returning EINTR (docs/process.md).
 *
 * abort() raises SIGABRT (a handler runs; then the default action, so
 * the parent sees a death by SIGABRT), where wasi-libc's only traps.
 *
 * alarm() and setitimer() use proc_raise_interval2 with it_value, so
 * they fire (the interval-only form in wasix-libc cannot).
 *
 * Signal masks live here, in the guest (WASIX has no import for them):
 * one process-wide mask (pthread_sigmask changes it too). A signal that
 * arrives blocked is recorded in sdk_pending and the callback returns 1
 * without running anything; unblocking it (sigprocmask, sigsuspend, the
 * end of a handler, siglongjmp) runs its handler then, or raises it again
 * through the runtime for SIG_DFL so that the default action happens.
 * While a handler runs, its sa_mask and (unless SA_NODEFER) the signal
 * itself are blocked. Keeps true: SIGKILL and SIGSTOP are never blocked;
 * sdk_handled counts the handlers run, so that a wait ended by a blocked
 * signal alone can go on (sdk_sleep.c). Not thread-safe beyond what the
 * runtime gives: one thread takes the process's signals.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <wasix/posix.h>
#include <wasix/wasix.h>

#define SDK_NSIG 65

/* sigsuspend's single wait; it waits again if nothing ran by then. */
#define SDK_SUSPEND_WAIT_NS 3600000000000ull

int __wasix_sdk_wait_ns(unsigned long long ns); /* sdk_sleep.c */

static struct sigaction sdk_act[SDK_NSIG];
static int sdk_registered;
static unsigned long long sdk_mask;    /* blocked: bit sig - 1 */
static unsigned long long sdk_pending; /* arrived while blocked */

/* Handlers run so far (read by sdk_sleep.c through __wasix_sig_handled). */
static volatile unsigned sdk_handled;

#define SDK_BIT(sig)     (1ull << ((sig)-1))
#define SDK_UNBLOCKABLE  (SDK_BIT(SIGKILL) | SDK_BIT(SIGSTOP))

static void sdk_set_mask(unsigned long long mask);

/* wasi-libc's SIG_IGN and SIG_ERR are the addresses of these. */
void __SIG_IGN(int sig)
{
	(void)sig;
}

void __SIG_ERR(int sig)
{
	(void)sig;
}

static int sdk_default_ignores(int sig)
{
	return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG ||
	       sig == SIGWINCH;
}

__attribute__((export_name("__wasix_signal"))) int __wasix_signal(int sig);

/* The number of handlers run so far (sdk_sleep.c compares two reads). */
unsigned __wasix_sig_handled(void)
{
	return sdk_handled;
}

/*
 * Runs the handler of 'sig' (a function, not SIG_IGN/SIG_DFL) with its
 * sa_mask and, unless SA_NODEFER, 'sig' blocked; then puts the mask back,
 * which runs the signals that became unblocked.
 */
static void sdk_run_handler(int sig)
{
	unsigned long long old = sdk_mask;
	sighandler_t h = sdk_act[sig].sa_handler;
	int flags = sdk_act[sig].sa_flags;

	sdk_mask |= sdk_act[sig].sa_mask.__bits & ~SDK_UNBLOCKABLE;
	if (!(flags & (int)SA_NODEFER))
		sdk_mask |= SDK_BIT(sig);
	if (flags & (int)SA_RESETHAND)
		sdk_act[sig].sa_handler = SIG_DFL;
	sdk_handled++;
	h(sig);
	sdk_set_mask(old);
}

/*
 * The callback the runtime calls for each signal: 0 when a handler ran,
 * 1 when nothing did (ignored, or blocked and made pending); traps for
 * SIG_DFL (see the header).
 */
int __wasix_signal(int sig)
{
	sighandler_t h;

	if (sig <= 0 || sig >= SDK_NSIG)
		return 1;
	h = sdk_act[sig].sa_handler;
	/* For CHLD, CONT, URG and WINCH the trap tells the runtime that no
	 * handler ran: a sleep or poll it interrupted goes on. */
	if (sdk_default_ignores(sig) && (h == SIG_IGN || h == SIG_DFL))
		__builtin_trap();
	if (h == SIG_IGN)
		return 1;
	if (sdk_mask & SDK_BIT(sig)) {
		sdk_pending |= SDK_BIT(sig); /* runs when unblocked */
		return 1;
	}
	if (h == SIG_DFL)
		__builtin_trap(); /* the runtime applies the default action */
	sdk_run_handler(sig);
	return 0;
}

/*
 * Runs the pending signals that 'sdk_mask' no longer blocks, lowest
 * first: the handler, or for SIG_DFL a raise through the runtime (the
 * callback then traps and the default action happens).
 */
static void sdk_run_pending(void)
{
	for (int sig = 1; sig < SDK_NSIG; sig++) {
		unsigned long long b = SDK_BIT(sig);
		sighandler_t h;

		if (!(sdk_pending & b) || (sdk_mask & b))
			continue;
		sdk_pending &= ~b;
		h = sdk_act[sig].sa_handler;
		if (h == SIG_IGN)
			continue;
		if (h == SIG_DFL)
			wasix_proc_raise(sig);
		else
			sdk_run_handler(sig);
	}
}

/* Installs 'mask' (never blocking KILL or STOP), then runs what it frees. */
static void sdk_set_mask(unsigned long long mask)
{
	sdk_mask = mask & ~SDK_UNBLOCKABLE;
	if (sdk_pending & ~sdk_mask)
		sdk_run_pending();
}

/*
 * Changes the process's mask (SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK; KILL
 * and STOP stay unblocked); '*old' gets the previous one. Runs, before it
 * returns, the pending signals it unblocks. -1 with EINVAL for a bad 'how'.
 */
int sigprocmask(int how, const sigset_t *restrict set, sigset_t *restrict old)
{
	unsigned long long m = sdk_mask;

	if (set != NULL) {
		if (how == SIG_BLOCK)
			m |= set->__bits;
		else if (how == SIG_UNBLOCK)
			m &= ~set->__bits;
		else if (how == SIG_SETMASK)
			m = set->__bits;
		else {
			errno = EINVAL;
			return -1;
		}
	}
	if (old != NULL)
		old->__bits = sdk_mask;
	if (set != NULL)
		sdk_set_mask(m);
	return 0;
}

/* sigprocmask on the process-wide mask (no per-thread masks); returns
 * the error number instead of setting errno. */
int pthread_sigmask(int how, const sigset_t *restrict set,
                    sigset_t *restrict old)
{
	if (sigprocmask(how, set, old) != 0)
		return errno;
	return 0;
}

/* For sigsetjmp/siglongjmp (<setjmp.h>): the mask, and setting it (which
 * runs what it unblocks). */
unsigned long long __wasmix_sigmask_get(void)
{
	return sdk_mask;
}

void __wasmix_sigmask_set(unsigned long long mask)
{
	sdk_set_mask(mask);
}

/* The signals that arrived blocked and have not run yet. */
int sigpending(sigset_t *set)
{
	set->__bits = sdk_pending;
	return 0;
}

/*
 * Installs 'mask' and waits until a handler ran (a pending signal it
 * unblocks counts), then puts the old mask back; always -1 with EINTR.
 */
int sigsuspend(const sigset_t *mask)
{
	unsigned long long old = sdk_mask;
	unsigned n0 = sdk_handled;

	sdk_set_mask(mask->__bits); /* runs what was pending and is freed */
	/*
	 * One blocking wait: a handler ends it with EINTR, also one that the
	 * runtime runs at the wait's entry (it then does not wait); blocked
	 * and ignored signals do not (the callback returned 1).
	 */
	while (sdk_handled == n0)
		__wasix_sdk_wait_ns(SDK_SUSPEND_WAIT_NS);
	sdk_set_mask(old);
	errno = EINTR;
	return -1;
}

static void sdk_register(void)
{
	static const char name[] = "__wasix_signal";

	if (!sdk_registered) {
		sdk_registered = 1;
		wasix_callback_signal(name, sizeof name - 1);
	}
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	if (sig <= 0 || sig >= SDK_NSIG ||
	    (act != NULL && (sig == SIGKILL || sig == SIGSTOP))) {
		errno = EINVAL;
		return -1;
	}
	if (old != NULL)
		*old = sdk_act[sig];
	if (act != NULL) {
		sdk_act[sig] = *act;
		/* POSIX: ignoring a signal discards it if pending. */
		if (act->sa_handler == SIG_IGN ||
		    (act->sa_handler == SIG_DFL && sdk_default_ignores(sig)))
			sdk_pending &= ~SDK_BIT(sig);
		sdk_register();
	}
	return 0;
}

sighandler_t signal(int sig, sighandler_t handler)
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	if (sigaction(sig, &sa, &old) != 0)
		return SIG_ERR;
	return old.sa_handler;
}

int raise(int sig)
{
	int32_t err = wasix_proc_raise(sig);

	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

int kill(pid_t pid, int sig)
{
	int32_t err;

	if (pid <= 0) {
		errno = pid == 0 || pid == -1 ? ENOSYS : ESRCH;
		return -1;
	}
	err = wasix_proc_signal((uint32_t)pid, sig);
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

unsigned alarm(unsigned seconds)
{
	wasix_itimerval_t nw, old;

	memset(&nw, 0, sizeof nw);
	memset(&old, 0, sizeof old);
	nw.it_value.tv_sec = seconds;
	if (wasix_proc_raise_interval2(SIGALRM, &nw, &old) != 0)
		return 0;
	return (unsigned)old.it_value.tv_sec + (old.it_value.tv_usec ? 1 : 0);
}

static void tv_to_wasix(wasix_timeval_t *w, const struct timeval *tv)
{
	w->tv_sec = (uint64_t)tv->tv_sec;
	w->tv_usec = (uint64_t)tv->tv_usec;
}

static void tv_from_wasix(struct timeval *tv, const wasix_timeval_t *w)
{
	tv->tv_sec = (time_t)w->tv_sec;
	tv->tv_usec = (suseconds_t)w->tv_usec;
}

int setitimer(int which, const struct itimerval *__restrict nw,
              struct itimerval *__restrict old)
{
	wasix_itimerval_t n, o;
	int32_t err;

	if (which != ITIMER_REAL || nw == NULL || nw->it_value.tv_usec < 0 ||
	    nw->it_value.tv_usec >= 1000000 || nw->it_interval.tv_usec < 0 ||
	    nw->it_interval.tv_usec >= 1000000 || nw->it_value.tv_sec < 0 ||
	    nw->it_interval.tv_sec < 0) {
		errno = EINVAL;
		return -1;
	}
	tv_to_wasix(&n.it_interval, &nw->it_interval);
	tv_to_wasix(&n.it_value, &nw->it_value);
	memset(&o, 0, sizeof o);
	err = wasix_proc_raise_interval2(SIGALRM, &n, &o);
	if (err != 0) {
		errno = err;
		return -1;
	}
	if (old != NULL) {
		tv_from_wasix(&old->it_interval, &o.it_interval);
		tv_from_wasix(&old->it_value, &o.it_value);
	}
	return 0;
}

int getitimer(int which, struct itimerval *cur)
{
	struct itimerval stop;

	if (which != ITIMER_REAL || cur == NULL) {
		errno = EINVAL;
		return -1;
	}
	/* WASIX has no read-only query: stop the timer, read what it held
	 * and start it again from there. */
	memset(&stop, 0, sizeof stop);
	if (setitimer(ITIMER_REAL, &stop, cur) != 0)
		return -1;
	if ((cur->it_value.tv_sec != 0 || cur->it_value.tv_usec != 0) &&
	    setitimer(ITIMER_REAL, cur, NULL) != 0)
		return -1;
	return 0;
}

_Noreturn void abort(void)
{
	raise(SIGABRT);
	signal(SIGABRT, SIG_DFL);
	raise(SIGABRT);
	__builtin_trap();
}

int pause(void)
{
	/* Sleeps until a signal handler interrupts the sleep (EINTR; the
	 * SDK's nanosleep goes on after blocked or ignored signals). */
	for (;;) {
		struct timespec ts = {3600, 0};

		if (nanosleep(&ts, NULL) != 0)
			break;
	}
	sched_yield(); /* a host call: the handler has run when it returns */
	errno = EINTR;
	return -1;
}

int sigemptyset(sigset_t *set)
{
	set->__bits = 0;
	return 0;
}

int sigfillset(sigset_t *set)
{
	set->__bits = ~0ull;
	return 0;
}

/* The bit of 'sig' in a sigset_t (wasix/posix.h), or 0 with EINVAL. */
static unsigned long long sdk_sigbit(int sig)
{
	if (sig <= 0 || sig > 64) {
		errno = EINVAL;
		return 0;
	}
	return 1ull << (sig - 1);
}

int sigaddset(sigset_t *set, int sig)
{
	unsigned long long b = sdk_sigbit(sig);

	if (b == 0)
		return -1;
	set->__bits |= b;
	return 0;
}

int sigdelset(sigset_t *set, int sig)
{
	unsigned long long b = sdk_sigbit(sig);

	if (b == 0)
		return -1;
	set->__bits &= ~b;
	return 0;
}

int sigismember(const sigset_t *set, int sig)
{
	unsigned long long b = sdk_sigbit(sig);

	if (b == 0)
		return -1;
	return (set->__bits & b) != 0;
}
