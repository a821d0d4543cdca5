/*
 * wx_sigmask.c: the SDK's signal masks. A blocked signal stays pending
 * (sigpending) and its handler runs once when unblocked; sa_mask and the
 * handled signal itself are blocked during a handler (not with
 * SA_NODEFER); sigsuspend waits for a signal a forked child sends; a
 * blocked SIG_DFL signal kills only when unblocked; siglongjmp restores
 * the mask of sigsetjmp(env, 1) only; sleep and nanosleep end early with
 * the time left when a handler ran, not for a blocked signal; a read
 * blocked on a pipe goes on (no EINTR) when a blocked signal comes, and
 * the handler runs once when unblocked.
 * Prints "ok" lines; exits non-zero at the first failure.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wx_check.h"

static volatile int n_usr1, n_usr2, n_alrm, depth, max_depth, usr2_in_usr1;
static sigjmp_buf jb;

static void on_usr2(int sig)
{
	(void)sig;
	n_usr2++;
}

/* Raises USR2, then itself once, and notes what ran meanwhile. */
static void on_usr1(int sig)
{
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	n_usr1++;
	if (n_usr1 == 1) {
		raise(SIGUSR2);
		usr2_in_usr1 = n_usr2;
		raise(sig);
	}
	depth--;
}

static void on_count(int sig)
{
	(void)sig;
	n_usr1++;
}

static void on_alrm(int sig)
{
	(void)sig;
	n_alrm++;
}

static void on_jump(int sig)
{
	siglongjmp(jb, sig);
}

static int blocked(int sig)
{
	sigset_t cur;

	CHECK(sigprocmask(SIG_BLOCK, NULL, &cur) == 0);
	return sigismember(&cur, sig);
}

static void set(int sig, void (*h)(int), int mask_sig, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = h;
	sigemptyset(&sa.sa_mask);
	if (mask_sig != 0)
		sigaddset(&sa.sa_mask, mask_sig);
	sa.sa_flags = flags;
	CHECK(sigaction(sig, &sa, NULL) == 0);
}

static void test_pending(void)
{
	sigset_t s, old, p;

	set(SIGUSR1, on_count, 0, 0);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &s, &old) == 0);
	CHECK(!sigismember(&old, SIGUSR1) && blocked(SIGUSR1));
	CHECK(raise(SIGUSR1) == 0 && kill(getpid(), SIGUSR1) == 0);
	CHECK(n_usr1 == 0);
	CHECK(sigpending(&p) == 0 && sigismember(&p, SIGUSR1) == 1);
	CHECK(!sigismember(&p, SIGUSR2));
	CHECK(pthread_sigmask(SIG_UNBLOCK, &s, NULL) == 0);
	CHECK(n_usr1 == 1 && !blocked(SIGUSR1));
	CHECK(sigpending(&p) == 0 && !sigismember(&p, SIGUSR1));
	CHECK(sigprocmask(99, &s, NULL) == -1 && errno == EINVAL);
	/* Ignoring a pending signal discards it. */
	CHECK(sigprocmask(SIG_BLOCK, &s, NULL) == 0 && raise(SIGUSR1) == 0);
	set(SIGUSR1, SIG_IGN, 0, 0);
	CHECK(sigpending(&p) == 0 && !sigismember(&p, SIGUSR1));
	CHECK(sigprocmask(SIG_UNBLOCK, &s, NULL) == 0 && n_usr1 == 1);
	printf("ok blocked signal pending, runs once when unblocked\n");
}

static void test_handler_masks(void)
{
	n_usr1 = n_usr2 = depth = max_depth = 0;
	set(SIGUSR2, on_usr2, 0, 0);
	set(SIGUSR1, on_usr1, SIGUSR2, 0);
	CHECK(raise(SIGUSR1) == 0);
	CHECK(usr2_in_usr1 == 0 && n_usr2 == 1);
	CHECK(n_usr1 == 2 && max_depth == 1);
	CHECK(!blocked(SIGUSR1) && !blocked(SIGUSR2));
	printf("ok sa_mask and the handled signal blocked in the handler\n");
	n_usr1 = n_usr2 = depth = max_depth = 0;
	set(SIGUSR1, on_usr1, 0, SA_NODEFER);
	CHECK(raise(SIGUSR1) == 0);
	CHECK(usr2_in_usr1 == 1 && n_usr2 == 1);
	CHECK(n_usr1 == 2 && max_depth == 2);
	printf("ok SA_NODEFER\n");
}

static void test_suspend(void)
{
	sigset_t s, none;
	int st = 0;
	pid_t pid;

	n_usr1 = 0;
	set(SIGUSR1, on_count, 0, 0);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigemptyset(&none);
	CHECK(sigprocmask(SIG_BLOCK, &s, NULL) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(kill(getppid(), SIGUSR1) == 0 ? 0 : 1);
	CHECK(sigsuspend(&none) == -1 && errno == EINTR);
	CHECK(n_usr1 == 1 && blocked(SIGUSR1));
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	CHECK(WEXITSTATUS(st) == 0);
	CHECK(sigprocmask(SIG_UNBLOCK, &s, NULL) == 0 && n_usr1 == 1);
	/* A blocked SIG_DFL signal acts when unblocked: a death by TERM. */
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		sigaddset(&s, SIGTERM);
		sigprocmask(SIG_BLOCK, &s, NULL);
		raise(SIGTERM);
		if (blocked(SIGTERM))
			sigprocmask(SIG_UNBLOCK, &s, NULL);
		_exit(3);
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	printf("ok sigsuspend, deferred default action\n");
}

static void test_jump(void)
{
	sigset_t s;
	volatile int pass = 0;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	if (sigsetjmp(jb, 1) == 0) {
		CHECK(sigprocmask(SIG_BLOCK, &s, NULL) == 0);
		siglongjmp(jb, 1);
	}
	CHECK(!blocked(SIGUSR2));
	if (sigsetjmp(jb, 0) == 0) {
		CHECK(sigprocmask(SIG_BLOCK, &s, NULL) == 0);
		siglongjmp(jb, 1);
	}
	CHECK(blocked(SIGUSR2));
	CHECK(sigprocmask(SIG_UNBLOCK, &s, NULL) == 0);
	/* Out of a handler, which runs with its signal blocked. */
	set(SIGUSR1, on_jump, 0, 0);
	if (sigsetjmp(jb, 1) == 0) {
		pass = 1;
		raise(SIGUSR1);
		CHECK(0);
	}
	CHECK(pass == 1 && !blocked(SIGUSR1));
	printf("ok siglongjmp restores the mask of sigsetjmp(env, 1) only\n");
}

static void test_sleep(void)
{
	struct timespec ts = {5, 0}, rem = {0, 0};
	sigset_t s;
	unsigned left;

	set(SIGALRM, on_alrm, 0, 0);
	alarm(1);
	left = sleep(5);
	CHECK(n_alrm == 1 && left >= 1 && left <= 5);
	alarm(1);
	errno = 0;
	CHECK(nanosleep(&ts, &rem) == -1 && errno == EINTR && n_alrm == 2);
	CHECK(rem.tv_sec < 5 && (rem.tv_sec > 0 || rem.tv_nsec > 0));
	/* A blocked signal does not end the sleep; it runs after. */
	sigemptyset(&s);
	sigaddset(&s, SIGALRM);
	CHECK(sigprocmask(SIG_BLOCK, &s, NULL) == 0);
	alarm(1);
	ts.tv_sec = 1;
	ts.tv_nsec = 500000000;
	CHECK(nanosleep(&ts, NULL) == 0 && n_alrm == 2);
	CHECK(sigprocmask(SIG_UNBLOCK, &s, NULL) == 0 && n_alrm == 3);
	printf("ok sleep and nanosleep: EINTR and the time left\n");
}

/*
 * The child: USR1 blocked, it reads the pipe while its parent sends USR1
 * and then writes. Exits 0, or the step that failed.
 */
static int blocked_read_child(int ready_fd, int data_fd)
{
	sigset_t s, p;
	char b = 0;
	ssize_t r;

	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	if (write(ready_fd, "r", 1) != 1)
		return 10;
	r = read(data_fd, &b, 1);
	if (r < 0 && errno == EINTR)
		return 11; /* the blocked signal interrupted the read */
	if (r != 1 || b != 'd' || n_usr1 != 0)
		return 12;
	if (sigpending(&p) != 0 || sigismember(&p, SIGUSR1) != 1)
		return 13;
	if (sigprocmask(SIG_UNBLOCK, &s, NULL) != 0 || n_usr1 != 1)
		return 14;
	return 0;
}

static void test_blocked_read(void)
{
	int ready[2], data[2], st = 0;
	sigset_t s;
	char b = 0;
	pid_t pid;

	n_usr1 = 0;
	set(SIGUSR1, on_count, 0, 0);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &s, NULL) == 0);
	CHECK(pipe(ready) == 0 && pipe(data) == 0);
	/* The child's signal callback flushes stdio (a command module's
	 * export runs __wasm_call_dtors): nothing of ours may be buffered. */
	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(blocked_read_child(ready[1], data[0]));
	CHECK(read(ready[0], &b, 1) == 1 && b == 'r');
	CHECK(kill(pid, SIGUSR1) == 0);
	/* Gives the signal time to reach the child inside its read (the
	 * result does not depend on it). */
	usleep(200000);
	CHECK(write(data[1], "d", 1) == 1);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	if (WEXITSTATUS(st) != 0)
		fprintf(stderr, "blocked read: child step %d\n",
		        WEXITSTATUS(st));
	CHECK(WEXITSTATUS(st) == 0);
	CHECK(sigprocmask(SIG_UNBLOCK, &s, NULL) == 0 && n_usr1 == 0);
	close(ready[0]);
	close(ready[1]);
	close(data[0]);
	close(data[1]);
	printf("ok read goes on past a blocked signal, handler runs later\n");
}

int main(void)
{
	test_pending();
	test_handler_masks();
	test_suspend();
	test_jump();
	test_sleep();
	test_blocked_read();
	return 0;
}
