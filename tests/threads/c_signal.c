/*
 * c_signal.c: a signal sent to the process runs its handler on exactly
 * one thread: the main thread while it lives, else the live thread with
 * the lowest id (docs/threads.md). Three threads spin; a fourth (the
 * sender) sends SIGUSR1 to the process NSIG times with proc_signal,
 * each time waiting until the handler ran (it notifies 'handled'), so
 * that no two are pending at once (standard signals coalesce while
 * pending, as POSIX allows). After the last one the sender sends SIGUSR2
 * to the process and waits for it: a duplicate run of a SIGUSR1, which
 * would be pending at least as early, has shown by then. No sleeps.
 *   phase 1: the main thread waits in memory.atomic.wait: all NSIG
 *            handler runs must be on thread 1.
 *   raise:   proc_raise(SIGUSR2) from the sender runs on the sender.
 *   phase 2: the main thread calls thread_exit; the sender sends probes
 *            until one runs on thread 2 (the main thread has left),
 *            then all NSIG runs must be on thread 2 (the lowest live
 *            id).
 * Prints "phase1=N on=MASK", "raise on=TID", "phase2=N on=MASK" and exits
 * 0 if all hold, else 2..6.
 */
#include "guest.h"

#define NSIG_SENT 20
#define SIGUSR1_  10
#define SIGUSR2_  12

IMPORT("wasix_32v1", "callback_signal")
void guest_callback_signal(const char *name, int32_t len);
IMPORT("wasix_32v1", "proc_id") int32_t guest_pid(int32_t *pid);
IMPORT("wasix_32v1", "proc_signal") int32_t guest_kill(int32_t pid, int32_t s);
IMPORT("wasix_32v1", "proc_raise") int32_t guest_raise(int32_t sig);
IMPORT("wasix_32v1", "thread_id") int32_t guest_tid(int32_t *tid);
IMPORT("wasix_32v1", "thread_exit") void guest_thread_exit(int32_t code);

static int32_t handled, tid_mask, usr2_tid, usr2_seen, main_go, stop;

__attribute__((export_name("on_sig"))) void on_sig(int32_t sig);
void on_sig(int32_t sig)
{
	int32_t tid = 0;

	guest_tid(&tid);
	if (sig == SIGUSR2_) {
		__atomic_store_n(&usr2_tid, tid, __ATOMIC_SEQ_CST);
		__atomic_fetch_add(&usr2_seen, 1, __ATOMIC_SEQ_CST);
		guest_notify(&usr2_seen, UINT32_MAX);
		return;
	}
	if (sig != SIGUSR1_)
		return;
	__atomic_fetch_or(&tid_mask, tid < 31 ? 1 << tid : 1 << 31,
	                  __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&handled, 1, __ATOMIC_SEQ_CST);
	guest_notify(&handled, UINT32_MAX);
}

/* Waits (memory.atomic.wait) until '*v' is above 'n'. */
static void wait_above(int32_t *v, int32_t n)
{
	int32_t now;

	while ((now = __atomic_load_n(v, __ATOMIC_SEQ_CST)) <= n)
		guest_wait(v, now, -1);
}

/* Sends SIGUSR1 to the process and waits until a handler ran it. */
static void send_one(int32_t pid)
{
	int32_t before = __atomic_load_n(&handled, __ATOMIC_SEQ_CST);

	if (guest_kill(pid, SIGUSR1_) != 0)
		guest_exit(2);
	wait_above(&handled, before);
}

static void spinner(void *arg)
{
	volatile uint32_t n = 0;

	(void)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_SEQ_CST))
		n++;
}

/* Sends NSIG_SENT signals one at a time; the number handled. */
static int32_t send_all(int32_t pid)
{
	__atomic_store_n(&handled, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&tid_mask, 0, __ATOMIC_SEQ_CST);
	int32_t seen = __atomic_load_n(&usr2_seen, __ATOMIC_SEQ_CST);

	for (int i = 0; i < NSIG_SENT; i++)
		send_one(pid);
	/* The handshake that stands for "a duplicate would show by now". */
	if (guest_kill(pid, SIGUSR2_) != 0)
		guest_exit(2);
	wait_above(&usr2_seen, seen);
	return __atomic_load_n(&handled, __ATOMIC_SEQ_CST);
}

static void sender(void *arg)
{
	int32_t pid = 0, self = 0, n1, m1, n2, m2, r2, seen;

	(void)arg;
	guest_pid(&pid);
	guest_tid(&self);
	n1 = send_all(pid);
	m1 = __atomic_load_n(&tid_mask, __ATOMIC_SEQ_CST);
	seen = __atomic_load_n(&usr2_seen, __ATOMIC_SEQ_CST);
	guest_raise(SIGUSR2_);
	wait_above(&usr2_seen, seen);
	r2 = __atomic_load_n(&usr2_tid, __ATOMIC_SEQ_CST);
	/* Phase 2: the main thread leaves (thread_exit). A pending signal
	 * waits for the thread that is to run it, so a probe never gets
	 * lost: once one runs on thread 2, the main thread has left. */
	__atomic_store_n(&main_go, 1, __ATOMIC_SEQ_CST);
	guest_notify(&main_go, 1);
	do {
		__atomic_store_n(&tid_mask, 0, __ATOMIC_SEQ_CST);
		send_one(pid);
	} while (__atomic_load_n(&tid_mask, __ATOMIC_SEQ_CST) != 1 << 2);
	n2 = send_all(pid);
	m2 = __atomic_load_n(&tid_mask, __ATOMIC_SEQ_CST);
	guest_print("phase1", (uint64_t)n1);
	guest_print("phase1 on", (uint64_t)m1);
	guest_print("raise on", (uint64_t)r2);
	guest_print("phase2", (uint64_t)n2);
	guest_print("phase2 on", (uint64_t)m2);
	__atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
	if (n1 != NSIG_SENT || m1 != 1 << 1)
		guest_exit(3);
	if (r2 != self)
		guest_exit(4);
	if (n2 != NSIG_SENT || m2 != 1 << 2)
		guest_exit(5);
	guest_exit(0);
}

void _start(void)
{
	static const char name[] = "on_sig";

	guest_callback_signal(name, sizeof name - 1);
	for (int i = 0; i < 3; i++)
		if (guest_spawn(spinner, 0) != i + 2)
			guest_exit(6);
	if (guest_spawn(sender, 0) < 1)
		guest_exit(6);
	while (!__atomic_load_n(&main_go, __ATOMIC_SEQ_CST))
		guest_wait(&main_go, 0, -1);
	guest_thread_exit(0);
}
