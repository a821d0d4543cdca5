/*
 * sdk_signal.c: signal, sigaction, raise, kill, alarm, pause and signal
 * sets over WASIX.
 *
 * The first signal()/sigaction() registers the export __wasix_signal with
 * callback_signal; from then on the runtime delivers every caught signal
 * there, and this file dispatches it: the installed handler, nothing for
 * SIG_IGN, and for SIG_DFL a trap (the runtime then applies the default
 * action: the process ends as killed by that signal, or, for signals
 * ignored by default, nothing happens). Those (CHLD, CONT, URG, WINCH)
 * trap for SIG_IGN too, so that the runtime knows no handler ran and
 * resumes an interrupted sleep or poll instead of returning EINTR.
 *
 * alarm() uses proc_raise_interval2 with it_value, so it fires (the
 * interval-only form in wasix-libc cannot).
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <wasix/posix.h>
#include <wasix/wasix.h>

#define SDK_NSIG 65

static struct sigaction sdk_act[SDK_NSIG];
static int sdk_registered;

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

__attribute__((export_name("__wasix_signal"))) void __wasix_signal(int sig);

void __wasix_signal(int sig)
{
	sighandler_t h;

	if (sig <= 0 || sig >= SDK_NSIG)
		return;
	h = sdk_act[sig].sa_handler;
	/* For CHLD, CONT, URG and WINCH the trap tells the runtime that no
	 * handler ran: a sleep or poll it interrupted goes on. */
	if (sdk_default_ignores(sig) && (h == SIG_IGN || h == SIG_DFL))
		__builtin_trap();
	if (h == SIG_IGN)
		return;
	if (h == SIG_DFL)
		__builtin_trap(); /* the runtime applies the default action */
	if (sdk_act[sig].sa_flags & (int)SA_RESETHAND)
		sdk_act[sig].sa_handler = SIG_DFL;
	h(sig);
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

int pause(void)
{
	/* Sleeps until a signal interrupts the sleep (EINTR). */
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
