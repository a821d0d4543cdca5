/*
 * wx_fork.c: fork copies memory and both sides see the right pids; exact
 * exit codes 0, 1, 79, 127, 255 through waitpid; a signal death; waitpid
 * any / specific / WNOHANG / ECHILD; reaping once; kill to self (with
 * a handler), child, unknown pid (ESRCH); vfork + _exit, vfork + exec;
 * a vfork child that forks and exits releases its parent while the
 * grandchild still runs (busybox timeout and daemons do this).
 * Prints "ok" lines; exits non-zero at the first failure.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wx_check.h"

static int value = 10;
static volatile int got;

static void on_usr1(int sig)
{
	got = sig;
}

/*
 * vfork; the child forks a grandchild and _exits. The parent must run on
 * at once: it writes to 'to', and the grandchild, waiting on it, reports
 * 'y' on 'back' ('n' if no byte came within 60 s: the parent was still
 * held, as when the grandchild kept the vfork's release pipe open).
 */
static void vfork_then_fork(void)
{
	int to[2], back[2], st = 0;
	char b = 0;
	pid_t pid;

	CHECK(pipe(to) == 0 && pipe(back) == 0);
	pid = vfork();
	if (pid == 0) {
		pid_t g = fork();

		if (g == 0) {
			struct pollfd p = {.fd = to[0], .events = POLLIN};

			close(to[1]);
			b = poll(&p, 1, 60000) == 1 && read(to[0], &b, 1) == 1
			        ? 'y'
			        : 'n';
			_exit(write(back[1], &b, 1) == 1 ? 0 : 1);
		}
		_exit(g > 0 ? 0 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(write(to[1], "x", 1) == 1);
	CHECK(read(back[0], &b, 1) == 1 && b == 'y');
	close(to[0]);
	close(to[1]);
	close(back[0]);
	close(back[1]);
}

int main(void)
{
	static const int codes[] = {0, 1, 79, 127, 255};
	int st = 0;
	pid_t me = getpid(), pid;

	CHECK(me == 1);
	CHECK(getppid() == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		value++;
		_exit(getpid() != me && getppid() == me && value == 11 ? 7 : 1);
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	CHECK(value == 10);
	CHECK(waitpid(pid, &st, 0) == -1 && errno == ECHILD);
	printf("ok fork\n");
	for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		pid = fork();
		if (pid == 0)
			exit(codes[i]);
		CHECK(wait(&st) == pid);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == codes[i]);
	}
	printf("ok exit codes\n");
	pid = fork();
	if (pid == 0) {
		for (;;)
			;
	}
	CHECK(waitpid(pid, &st, WNOHANG) == 0);
	CHECK(kill(pid, 0) == 0);
	CHECK(kill(pid, SIGINT) == 0);
	CHECK(waitpid(-1, &st, 0) == pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT);
	CHECK(waitpid(-1, &st, 0) == -1 && errno == ECHILD);
	CHECK(kill(pid, 0) == -1 && errno == ESRCH);
	CHECK(kill(4242, SIGTERM) == -1 && errno == ESRCH);
	CHECK(kill(me, 65) == -1 && errno == EINVAL);
	printf("ok signals to children\n");
	CHECK(signal(SIGUSR1, on_usr1) == SIG_DFL);
	CHECK(kill(me, SIGUSR1) == 0);
	CHECK(got == SIGUSR1);
	got = 0;
	CHECK(raise(SIGUSR1) == 0 && got == SIGUSR1);
	printf("ok handler\n");
	pid = vfork();
	if (pid == 0)
		_exit(42);
	CHECK(waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 42);
	pid = vfork();
	if (pid == 0) {
		char *args[] = {"wx_child", "exit", "77", NULL};
		execv("/wx_child.wasm", args);
		_exit(126);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 77);
	printf("ok vfork + _exit, vfork + exec\n");
	vfork_then_fork();
	printf("ok vfork child forks and exits, grandchild runs on\n");
	pid = fork();
	if (pid == 0) {
		signal(SIGTERM, SIG_DFL);
		raise(SIGTERM);
		_exit(3);
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	printf("ok default action\n");
	return 0;
}
