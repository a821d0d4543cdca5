/*
 * wx_sigloop.c: signal handlers reach a guest that spins in a loop with
 * no calls (delivery at the interpreter's loop back-edges), for SIGUSR1
 * and for SIGINT; a handler that calls exit() there ends the process
 * with that status.
 * 'wx_sigloop child MODE' is the spinning side; it says "r" on stdout
 * once its handler is installed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wx_check.h"

static volatile int got;

static void on_sig(int sig)
{
	got = sig;
}

static void on_sig_exit(int sig)
{
	exit(sig + 100);
}

static int child(const char *mode)
{
	int sig = strcmp(mode, "int") == 0 ? SIGINT : SIGUSR1;
	unsigned long long n = 0;

	signal(sig, strcmp(mode, "exit") == 0 ? on_sig_exit : on_sig);
	if (write(1, "r", 1) != 1)
		return 3;
	while (!got)
		n++;
	(void)n;
	return got == sig ? 0 : 2;
}

/* Starts 'child MODE' with stdout on a pipe; waits for its "r". */
static pid_t start(const char *mode)
{
	char *argv[] = {"wx_sigloop", "child", (char *)mode, NULL};
	int p[2];
	char c;
	pid_t pid;

	CHECK(pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execv("/wx_sigloop.wasm", argv);
		_exit(127);
	}
	close(p[1]);
	CHECK(read(p[0], &c, 1) == 1 && c == 'r');
	close(p[0]);
	return pid;
}

int main(int argc, char **argv)
{
	int st;
	pid_t pid;

	if (argc == 3 && strcmp(argv[1], "child") == 0)
		return child(argv[2]);
	pid = start("usr1");
	CHECK(kill(pid, SIGUSR1) == 0);
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	printf("ok SIGUSR1 handler in a busy loop\n");
	pid = start("int");
	CHECK(kill(pid, SIGINT) == 0);
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	printf("ok SIGINT handler in a busy loop\n");
	pid = start("exit");
	CHECK(kill(pid, SIGUSR1) == 0);
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == SIGUSR1 + 100);
	printf("ok exit() from a handler in a busy loop\n");
	return 0;
}
