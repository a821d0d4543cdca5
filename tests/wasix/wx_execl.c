/*
 * wx_execl.c: the SDK calls that wasix-libc programs use and Debian's
 * wasi-libc lacks: execl, execlp, execle (arguments, PATH search, the
 * environment, errors), setitimer/getitimer (one-shot, periodic, cancel,
 * EINVAL), fcntl F_DUPFD, getpgrp and the user ids; abort() as a death
 * by SIGABRT; getcwd after chdir("..") is normalised. Runs in the guest
 * root of run_wasix.sh (wx_child.wasm at /, bin/wx_child, PATH=/bin).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wx_check.h"

/* Runs FN in a child with stdout into a pipe; returns the exit status
 * and the first line of output in OUT. */
static int capture(void (*fn)(void), char *out, size_t len)
{
	int fds[2], st;
	ssize_t n, got = 0;
	pid_t pid;

	CHECK(pipe(fds) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		fn();
		_exit(100 + errno);
	}
	close(fds[1]);
	while ((n = read(fds[0], out + got, len - 1 - got)) > 0)
		got += n;
	out[got] = 0;
	close(fds[0]);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void run_execl(void)
{
	execl("/wx_child.wasm", "wx_child", "echo", "via", "execl", (char *)0);
}

static void run_execlp(void)
{
	execlp("wx_child", "wx_child", "echo", "found", "on", "PATH", (char *)0);
}

static void run_execle(void)
{
	char *env[] = {"FOO=from-execle", NULL};

	execle("/wx_child.wasm", "wx_child", "check", (char *)0, env);
}

static void run_execl_missing(void)
{
	execl("/missing.wasm", "x", (char *)0);
	printf("errno=%d\n", errno);
	fflush(stdout);
	_exit(0);
}

static void run_execlp_missing(void)
{
	execlp("no-such-prog", "x", "y", (char *)0);
	printf("errno=%d\n", errno);
	fflush(stdout);
	_exit(0);
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

int main(void)
{
	char out[256], want[64];
	struct itimerval it, cur;
	int fd;

	CHECK(capture(run_execl, out, sizeof out) == 0);
	CHECK(strcmp(out, "via execl\n") == 0);
	CHECK(capture(run_execlp, out, sizeof out) == 0);
	CHECK(strcmp(out, "found on PATH\n") == 0);
	CHECK(capture(run_execle, out, sizeof out) == 0);
	CHECK(strstr(out, "argc=2 ") && strstr(out, "FOO=from-execle "));
	CHECK(capture(run_execl_missing, out, sizeof out) == 0);
	snprintf(want, sizeof want, "errno=%d\n", ENOENT);
	CHECK(strcmp(out, want) == 0);
	CHECK(capture(run_execlp_missing, out, sizeof out) == 0);
	CHECK(strcmp(out, want) == 0);
	printf("ok execl execlp execle\n");

	signal(SIGALRM, on_alarm);
	memset(&it, 0, sizeof it);
	it.it_value.tv_usec = 20000;
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	while (alarms == 0)
		pause();
	CHECK(alarms == 1);
	it.it_interval.tv_usec = 10000;
	it.it_value.tv_usec = 10000;
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	CHECK(getitimer(ITIMER_REAL, &cur) == 0);
	CHECK(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_usec == 10000);
	while (alarms < 4)
		pause();
	memset(&it, 0, sizeof it);
	CHECK(setitimer(ITIMER_REAL, &it, &cur) == 0);
	CHECK(cur.it_interval.tv_usec == 10000);
	CHECK(getitimer(ITIMER_REAL, &cur) == 0);
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);
	errno = 0;
	CHECK(setitimer(ITIMER_VIRTUAL, &it, NULL) == -1 && errno == EINVAL);
	it.it_value.tv_usec = 1000000;
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == -1 && errno == EINVAL);
	printf("ok setitimer getitimer\n");

	fd = fcntl(1, F_DUPFD, 10);
	CHECK(fd >= 10);
	CHECK(close(fd) == 0);
	CHECK(getpgrp() == getpid());
	CHECK(getuid() == 0 && geteuid() == 0 && getgid() == 0 && getegid() == 0);
	pid_t pid = fork();
	if (pid == 0)
		_exit(getpgrp() == getppid() ? 0 : 1);
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	printf("ok F_DUPFD getpgrp ids\n");

	pid = fork();
	if (pid == 0)
		abort();
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) &&
	      WTERMSIG(st) == SIGABRT);
	CHECK(chdir("sub") == 0 && chdir("..") == 0);
	CHECK(getcwd(out, sizeof out) && strcmp(out, "/") == 0);
	CHECK(chdir("sub/.") == 0 && getcwd(out, sizeof out) &&
	      strcmp(out, "/sub") == 0);
	CHECK(chdir("/") == 0);
	printf("ok abort is SIGABRT, getcwd normalised\n");
	return 0;
}
