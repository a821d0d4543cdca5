/*
 * t_proc.c: unit tests of src/proc with no WebAssembly: pids start at 1,
 * fork registers the child on both sides, proc_join reports exact exit
 * codes and signal deaths, reaps once (ECHILD after), NOHANG, kill to a
 * child / unknown pid / bad signal, proc_parent, caught signals become
 * pending bits and raise the flag, interval timers fire with ns values,
 * proc_fork_env children (exit as a zombie, exec as a late fork), the
 * process, memory and thread limits of the tree, orphans that stop
 * counting.
 *
 * Prints failures and "t_proc: N passed, M failed"; exits 1 on failure.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc/proc.h"
#include "t_check.h"



/* Forks a child that exits with 'code'; returns its guest pid. */
static uint32_t spawn_exit(int code)
{
	uint32_t pid = 99;

	if (proc_fork(&pid) != 0)
		return 0;
	if (pid == 0)
		_exit(code);
	return pid;
}

static void test_exit_codes(void)
{
	static const int codes[] = {0, 1, 79, 127, 255};
	struct proc_status st;

	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		uint32_t pid = spawn_exit(codes[i]);

		CHECK(pid >= 2);
		CHECK(proc_join(pid, false, &st) == 0);
		CHECK(st.pid == pid && st.how == PROC_EXITED &&
		      st.code == codes[i]);
		CHECK(proc_join(pid, false, &st) == ECHILD);
	}
	CHECK(proc_join(0, false, &st) == ECHILD);
	CHECK(proc_join(12345, true, &st) == ECHILD);
}

static void test_child_view(void)
{
	struct proc_status st;
	uint32_t pid = 0, ppid = 0;

	CHECK(proc_fork(&pid) == 0);
	if (pid == 0) {
		uint32_t me = proc_self(), pp = 0;
		int ok = me > 1 && proc_parent(me, &pp) == 0 && pp == 1 &&
		         proc_kill(1, 0) == 0 && proc_kill(9999, 0) == ESRCH;
		_exit(ok ? 42 : 1);
	}
	CHECK(proc_parent(pid, &ppid) == 0 && ppid == 1);
	CHECK(proc_join(0, false, &st) == 0);
	CHECK(st.pid == pid && st.how == PROC_EXITED && st.code == 42);
	CHECK(proc_parent(pid, &ppid) == ESRCH);
}

static void test_kill(void)
{
	struct proc_status st;
	uint32_t pid = 0;

	CHECK(proc_fork(&pid) == 0);
	if (pid == 0) {
		for (;;)
			pause();
	}
	CHECK(proc_join(pid, true, &st) == 0 && st.how == PROC_NOTHING);
	CHECK(proc_kill(pid, 0) == 0);
	CHECK(proc_kill(pid, 65) == EINVAL);
	CHECK(proc_kill(777, SIGTERM) == ESRCH);
	CHECK(proc_kill(pid, SIGTERM) == 0);
	CHECK(proc_join(pid, false, &st) == 0);
	CHECK(st.how == PROC_SIGNALED && st.code == SIGTERM);
	CHECK(proc_kill(pid, 0) == ESRCH);
}

/* proc_fork_env's host-less child: exit as a zombie, exec as a fork. */
static void test_env(void)
{
	struct proc_status st;
	uint32_t child = 0, other = 0;
	bool is_child = true;

	CHECK(!proc_env_active());
	CHECK(proc_env_begin(&child) == 0 && child > 1);
	CHECK(proc_self() == child && proc_env_active());
	CHECK(proc_env_begin(&other) == ENOTSUP);
	proc_env_exit(300);
	CHECK(proc_self() == 1 && !proc_env_active());
	CHECK(proc_join(child, false, &st) == 0);
	CHECK(st.pid == child && st.how == PROC_EXITED && st.code == 44);
	CHECK(proc_join(child, false, &st) == ECHILD);
	CHECK(proc_env_begin(&child) == 0);
	CHECK(proc_env_fork(&is_child) == 0);
	if (is_child)
		_exit(proc_self() == child ? 12 : 1);
	CHECK(proc_self() == 1);
	CHECK(proc_join(0, false, &st) == 0);
	CHECK(st.pid == child && st.how == PROC_EXITED && st.code == 12);
}

static volatile sig_atomic_t flag;

static void test_signals(void)
{
	struct proc_itimer it = {0, 20 * 1000 * 1000}, old;
	struct timespec ts = {0, 5 * 1000 * 1000};
	uint64_t bits = 0;

	proc_sig_set_flag(&flag);
	proc_sig_catch_all(true);
	CHECK(proc_sig_catching());
	CHECK(proc_kill(1, SIGUSR1) == 0);
	CHECK(flag == 1);
	CHECK(proc_sig_take() == (UINT64_C(1) << SIGUSR1));
	flag = 0;
	/* Ignored by default, caught all the same; they restart calls. */
	CHECK(proc_kill(1, SIGWINCH) == 0 && proc_kill(1, SIGCHLD) == 0);
	CHECK(flag == 1);
	bits = proc_sig_take();
	CHECK(bits == ((UINT64_C(1) << SIGWINCH) | (UINT64_C(1) << SIGCHLD)));
	CHECK(proc_sig_restarts(bits));
	CHECK(!proc_sig_restarts(bits | (UINT64_C(1) << SIGINT)));
	CHECK(!proc_sig_restarts(0));
	flag = 0;
	CHECK(proc_itimer_set(SIGALRM, &it, NULL) == 0);
	for (int i = 0; i < 200 && !flag; i++)
		nanosleep(&ts, NULL);
	CHECK(flag == 1);
	bits = proc_sig_take();
	CHECK(bits == (UINT64_C(1) << SIGALRM));
	it.value_ns = 0;
	CHECK(proc_itimer_set(SIGALRM, &it, &old) == 0);
	CHECK(old.value_ns == 0);
	CHECK(proc_itimer_set(0, &it, NULL) == EINVAL);
	proc_sig_catch_all(false);
	CHECK(!proc_sig_catching());
}

/*
 * proc_set_limits: the process cap counts the first process and every
 * child until it is joined; the memory cap counts what each process
 * charged, and a fork child starts with its parent's charge.
 */
static void test_limits(void)
{
	struct proc_status st;
	uint32_t a = 0, b = 0, c = 0;

	CHECK(proc_set_limits(PROC_MAX_PROCS + 1, 0, 0) == EINVAL);
	CHECK(proc_set_limits(3, 1000, 2) == 0);
	CHECK(proc_thread_charge(2) == 0 && proc_thread_charge(1) == EAGAIN);
	CHECK(proc_thread_charge(-1) == 0 && proc_thread_charge(1) == 0);
	CHECK(proc_thread_charge(-2) == 0);
	a = spawn_exit(0);
	b = spawn_exit(0);
	CHECK(a >= 2 && b > a);
	CHECK(proc_fork(&c) == EAGAIN);
	CHECK(proc_env_begin(&c) == EAGAIN);
	CHECK(proc_join(a, false, &st) == 0 && st.code == 0);
	c = spawn_exit(3);
	CHECK(c > b);
	CHECK(proc_join(0, false, &st) == 0);
	CHECK(proc_join(0, false, &st) == 0);
	CHECK(proc_join(0, false, &st) == ECHILD);
	CHECK(proc_mem_charged() == 0);
	CHECK(proc_mem_charge(600) == 0 && proc_mem_charged() == 600);
	CHECK(proc_mem_charge(401) == ENOMEM && proc_mem_charged() == 600);
	CHECK(proc_fork(&c) == ENOMEM); /* the child would bring 600 more */
	CHECK(proc_mem_charge(-500) == 0 && proc_mem_charged() == 100);
	c = spawn_exit(0);
	CHECK(c != 0 && proc_mem_charged() == 200);
	CHECK(proc_join(c, false, &st) == 0 && proc_mem_charged() == 100);
	CHECK(proc_mem_charge(-100) == 0 && proc_mem_charged() == 0);
	CHECK(proc_set_limits(0, 0, 0) == 0);
}

/*
 * An orphan stops counting: child A forks grandchild B and exits without
 * joining it. This process is the subreaper, so B comes to it; once it
 * has reaped B (B's host pid came through a pipe), B's slot is of no use
 * to anyone, and at the process limit a fork collects it.
 */
static void test_orphans(void)
{
	struct proc_status st;
	uint32_t a = 0, c = 0;
	pid_t hb = 0;
	int p[2], wst;

	CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
	CHECK(pipe(p) == 0);
	CHECK(proc_set_limits(3, 0, 0) == 0); /* us, A and B */
	CHECK(proc_fork(&a) == 0);
	if (a == 0) {
		uint32_t b = 0;

		if (proc_fork(&b) != 0)
			_exit(1);
		if (b == 0) {
			pid_t me = getpid();

			_exit(write(p[1], &me, sizeof me) == sizeof me ? 0 : 1);
		}
		_exit(0); /* B stays unjoined */
	}
	CHECK(read(p[0], &hb, sizeof hb) == sizeof hb && hb > 0);
	CHECK(proc_join(a, false, &st) == 0 && st.code == 0);
	CHECK(waitpid(hb, &wst, 0) == hb); /* B's host process is gone */
	/* The table holds us and B's slot: 2 of 3; one more fork fits, and
	 * the one after that only because B's slot is collected. */
	c = spawn_exit(0);
	CHECK(c != 0);
	a = spawn_exit(0);
	CHECK(a != 0);
	CHECK(proc_join(c, false, &st) == 0);
	CHECK(proc_join(a, false, &st) == 0);
	CHECK(proc_join(0, false, &st) == ECHILD);
	CHECK(proc_set_limits(0, 0, 0) == 0);
	close(p[0]);
	close(p[1]);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
}

int main(void)
{
	CHECK(proc_self() == 0);
	CHECK(proc_init() == 0);
	CHECK(proc_self() == 1);
	test_exit_codes();
	test_child_view();
	test_kill();
	test_env();
	test_signals();
	test_limits();
	test_orphans();
	proc_fini();
	return t_report("t_proc");
}
