/*
 * wx_sigchld.c: signals whose default action is to ignore them (CHLD,
 * URG, WINCH, CONT) reach the guest's handlers, and a blocking call they
 * interrupt goes on (no EINTR); kill outside the run; reaping exactly
 * once. One "ok" line per check:
 *   - a SIGCHLD handler that reaps with waitpid(-1, WNOHANG) reaps every
 *     child, and nothing is left to wait for;
 *   - a read() on a pipe goes on while a child exits (its handler runs
 *     meanwhile: the handler itself releases the writer);
 *   - with SIGCHLD left at SIG_DFL (another handler registered), a sleep
 *     and a read are not interrupted by children exiting;
 *   - SIGWINCH, SIGURG and SIGCONT sent by a child run their handlers;
 *   - SIGCHLD arriving while the guest computes (no host calls) is
 *     harmless with SIG_DFL and runs a handler;
 *   - kill() of a pid outside the run (999999, and the host pid given as
 *     argv[1]) is ESRCH, for signal 0 and SIGTERM;
 *   - two waiters in one process, waitpid(pid) blocked and a SIGCHLD
 *     handler calling waitpid(-1, WNOHANG) inside it: each child is
 *     reaped exactly once, and later waits see ECHILD.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wx_check.h"

#define NKIDS 5

static volatile int reaped, calls, poke_fd = -1, hits[65];

/* Waits a little: a poll for a handler's effect (not a timed check). */
static void nap(void)
{
	struct timespec ts = {0, 5000000};

	nanosleep(&ts, NULL);
}

static void on_chld_reap(int sig)
{
	int st;

	(void)sig;
	calls++;
	while (waitpid(-1, &st, WNOHANG) > 0)
		reaped++;
}

static void test_reaper(void)
{
	int tries = 0;

	reaped = calls = 0;
	signal(SIGCHLD, on_chld_reap);
	for (int i = 0; i < NKIDS; i++) {
		pid_t pid = fork();
		CHECK(pid >= 0);
		if (pid == 0)
			_exit(i);
	}
	while (reaped < NKIDS && tries++ < 12000)
		nap();
	CHECK(reaped == NKIDS && calls >= 1);
	CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);
	signal(SIGCHLD, SIG_DFL);
	printf("ok SIGCHLD handler reaped %d children\n", reaped);
}

/* SIGCHLD: counts, and once releases the writer through 'poke_fd'. */
static void on_chld_poke(int sig)
{
	(void)sig;
	calls++;
	if (poke_fd >= 0) {
		CHECK(write(poke_fd, "p", 1) == 1);
		close(poke_fd);
		poke_fd = -1;
	}
}

static void test_read_goes_on(void)
{
	int data[2], go[2], st;
	char buf[16], c;
	pid_t quick, writer;
	ssize_t n;

	calls = 0;
	CHECK(pipe(data) == 0 && pipe(go) == 0);
	signal(SIGCHLD, on_chld_poke);
	writer = fork();
	CHECK(writer >= 0);
	if (writer == 0) {
		close(data[0]);
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(write(data[1], "data", 4) == 4 ? 0 : 3);
	}
	close(go[0]);
	close(data[1]);
	poke_fd = go[1];
	quick = fork(); /* its exit interrupts the read below */
	CHECK(quick >= 0);
	if (quick == 0)
		_exit(0);
	n = read(data[0], buf, sizeof buf);
	CHECK(n == 4 && memcmp(buf, "data", 4) == 0);
	n = read(data[0], buf, sizeof buf); /* EOF once the writer is gone */
	CHECK(n == 0);
	close(data[0]);
	CHECK(waitpid(quick, &st, 0) == quick && WIFEXITED(st));
	CHECK(waitpid(writer, &st, 0) == writer && WEXITSTATUS(st) == 0);
	CHECK(calls >= 1);
	signal(SIGCHLD, SIG_DFL);
	printf("ok read on a pipe goes on while a child exits\n");
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void test_default_chld(void)
{
	struct timespec ts = {0, 300000000};
	int p[2], st;
	pid_t a, b;
	char c;

	signal(SIGUSR1, on_usr1); /* a callback is registered */
	signal(SIGCHLD, SIG_DFL);
	a = fork();
	CHECK(a >= 0);
	if (a == 0)
		_exit(0);
	CHECK(nanosleep(&ts, NULL) == 0);
	CHECK(pipe(p) == 0);
	b = fork();
	CHECK(b >= 0);
	if (b == 0) {
		pid_t q = fork(); /* a grandchild: SIGCHLD in b, not here */
		if (q == 0)
			_exit(0);
		waitpid(q, NULL, 0);
		_exit(write(p[1], "x", 1) == 1 ? 0 : 1);
	}
	close(p[1]);
	CHECK(read(p[0], &c, 1) == 1 && c == 'x');
	close(p[0]);
	CHECK(waitpid(a, &st, 0) == a && waitpid(b, &st, 0) == b);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	printf("ok SIG_DFL SIGCHLD interrupts nothing\n");
}

static void on_hit(int sig)
{
	if (sig > 0 && sig < 65)
		hits[sig]++;
}

static void test_ignored_by_default(void)
{
	static const int sigs[] = {SIGWINCH, SIGURG, SIGCONT};
	int st, tries = 0;
	pid_t pid;

	for (int i = 0; i < 3; i++)
		signal(sigs[i], on_hit);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		for (int i = 0; i < 3; i++)
			if (kill(getppid(), sigs[i]) != 0)
				_exit(1);
		_exit(0);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 0);
	while ((!hits[SIGWINCH] || !hits[SIGURG] || !hits[SIGCONT]) &&
	       tries++ < 12000)
		nap();
	CHECK(hits[SIGWINCH] == 1 && hits[SIGURG] == 1 && hits[SIGCONT] == 1);
	printf("ok SIGWINCH, SIGURG, SIGCONT handlers run\n");
}

static unsigned spin(unsigned n)
{
	volatile unsigned x = 1;

	for (unsigned i = 0; i < n; i++)
		x = x * 1664525u + 1013904223u;
	return x;
}

/*
 * A child exits while the parent runs wasm with no host calls: SIGCHLD
 * is delivered at a loop back-edge, where the SDK's trap (SIG_DFL) must
 * be harmless and a handler must run; the computation is unchanged.
 */
static void test_while_spinning(void)
{
	unsigned want = spin(20000000);
	int st;

	for (int with = 0; with < 2; with++) {
		pid_t pid;

		hits[SIGCHLD] = 0;
		signal(SIGCHLD, with ? on_hit : SIG_DFL);
		pid = fork();
		CHECK(pid >= 0);
		if (pid == 0)
			_exit(0);
		CHECK(spin(20000000) == want);
		CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
		CHECK(hits[SIGCHLD] == with);
	}
	signal(SIGCHLD, SIG_DFL);
	printf("ok SIGCHLD while spinning: SIG_DFL harmless, handler runs\n");
}

static void test_kill_outside(long host_pid)
{
	errno = 0;
	CHECK(kill(999999, 0) == -1 && errno == ESRCH);
	errno = 0;
	CHECK(kill(999999, SIGTERM) == -1 && errno == ESRCH);
	if (host_pid > 0) {
		errno = 0;
		CHECK(kill((pid_t)host_pid, 0) == -1 && errno == ESRCH);
		errno = 0;
		CHECK(kill((pid_t)host_pid, SIGTERM) == -1 && errno == ESRCH);
	}
	CHECK(kill(getpid(), 0) == 0);
	printf("ok kill outside the run: ESRCH\n");
}

static volatile pid_t got[4];
static volatile int ngot, release_fd = -1;

/* waitpid(-1, WNOHANG) inside a wait of the main program. */
static void on_chld_once(int sig)
{
	int st;
	pid_t r;

	(void)sig;
	while ((r = waitpid(-1, &st, WNOHANG)) > 0 && ngot < 4)
		got[ngot++] = r;
	if (ngot > 0 && release_fd >= 0) {
		close(release_fd); /* the second child may end now */
		release_fd = -1;
	}
}

static int times_got(pid_t pid)
{
	int n = 0;

	for (int i = 0; i < ngot; i++)
		n += got[i] == pid;
	return n;
}

/*
 * Two waiters: the main program blocks in waitpid(b) while the handler
 * reaps with waitpid(-1). Child a exits at once; the handler reaps it
 * and only then lets b end. Each child is reaped exactly once.
 */
static void test_reap_once(void)
{
	int go[2], st = -1;
	pid_t a, b, r;
	char c;

	ngot = 0;
	CHECK(pipe(go) == 0);
	signal(SIGCHLD, on_chld_once);
	b = fork();
	CHECK(b >= 0);
	if (b == 0) {
		close(go[1]);
		_exit(read(go[0], &c, 1) == 0 ? 7 : 8);
	}
	close(go[0]);
	release_fd = go[1];
	a = fork();
	CHECK(a >= 0);
	if (a == 0)
		_exit(5);
	r = waitpid(b, &st, 0);
	CHECK(times_got(a) == 1);
	if (r == b) {
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7 && times_got(b) == 0);
	} else {
		CHECK(r == -1 && errno == ECHILD && times_got(b) == 1);
	}
	CHECK(waitpid(a, &st, WNOHANG) == -1 && errno == ECHILD);
	CHECK(waitpid(b, &st, WNOHANG) == -1 && errno == ECHILD);
	CHECK(waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD);
	signal(SIGCHLD, SIG_DFL);
	printf("ok each child reaped exactly once (b by the %s)\n",
	       r == b ? "waitpid" : "handler");
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_reaper();
	test_read_goes_on();
	test_default_chld();
	test_ignored_by_default();
	test_while_spinning();
	test_kill_outside(argc > 1 ? atol(argv[1]) : 0);
	test_reap_once();
	return 0;
}
