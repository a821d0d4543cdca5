/*
 * proc_deadline.c: the run's deadline (wasmix run --timeout) for every
 * guest process of the run, not only the first (see proc.h).
 *
 * The first process keeps its own timeout (the embedder's timer thread,
 * which ends it with the "timeout" trap) and records the deadline here,
 * an absolute CLOCK_MONOTONIC time. The record is plain memory, so every
 * host fork inherits it; each fork child (proc_fork, proc_env_fork) arms
 * a POSIX timer of its own that sends it SIGKILL at that time. Such a
 * timer survives exec in place (the host process stays), cannot be caught
 * or ignored by the guest, and ends a process blocked in any host call or
 * spinning in a loop.
 *
 * Keeps true: once a deadline is set, no fork child of the run outlives
 * it: a child that cannot arm its timer kills itself at once, and one
 * forked after the deadline dies as soon as it arms it (an absolute time
 * in the past fires at once).
 */
#include "proc/proc.h"

#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct timespec proc_deadline_at; /* CLOCK_MONOTONIC */
/* __atomic builtins: a guest thread may fork while the run ends. */
static int proc_deadline_on;

void proc_deadline_set(const struct timespec *at)
{
	__atomic_store_n(&proc_deadline_on, 0, __ATOMIC_SEQ_CST);
	if (at == NULL)
		return;
	proc_deadline_at = *at;
	__atomic_store_n(&proc_deadline_on, 1, __ATOMIC_SEQ_CST);
}

void proc_deadline_arm_child(void)
{
	struct itimerspec its;
	struct sigevent ev;
	timer_t t;

	if (!__atomic_load_n(&proc_deadline_on, __ATOMIC_SEQ_CST))
		return;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGKILL;
	memset(&its, 0, sizeof its);
	its.it_value = proc_deadline_at;
	/* A zero it_value would disarm: the deadline is never the epoch. */
	if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
		its.it_value.tv_nsec = 1;
	if (timer_create(CLOCK_MONOTONIC, &ev, &t) == 0 &&
	    timer_settime(t, TIMER_ABSTIME, &its, NULL) == 0)
		return;
	/* Unbounded is worse than dead; say why, once, before dying. */
	static const char msg[] = "wasmix: cannot arm the run's deadline in a "
	                          "forked process; killing it\n";
	ssize_t unused = write(2, msg, sizeof msg - 1);
	(void)unused;
	kill(getpid(), SIGKILL);
}
