/*
 * wx_system.c: system(), popen() and pclose() of the SDK, with the
 * runtime's --map-command sh=wx_sh.wasm as the shell; '#!' scripts
 * (one level, two levels, a missing interpreter, too deep).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wx_check.h"

/* Runs 'argv' with stdout into 'buf'; returns the wait status. */
static int capture(char *const argv[], char *buf, size_t cap)
{
	int p[2], st;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	CHECK(pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execv(argv[0], argv);
		printf("errno=%d\n", errno);
		exit(100);
	}
	close(p[1]);
	while (n + 1 < cap && (r = read(p[0], buf + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = 0;
	close(p[0]);
	CHECK(waitpid(pid, &st, 0) == pid);
	return st;
}

int main(void)
{
	char buf[256];
	FILE *f;
	int st;

	st = system("wx_child exit 5");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5);
	CHECK(system(NULL) != 0);
	f = popen("wx_child echo hi there | wx_child upper", "r");
	CHECK(f != NULL);
	CHECK(fgets(buf, sizeof buf, f) != NULL);
	CHECK(strcmp(buf, "HI THERE\n") == 0);
	CHECK(pclose(f) == 0);
	fflush(stdout);
	f = popen("wx_child count", "w");
	CHECK(f != NULL);
	fputs("abc", f);
	CHECK(pclose(f) == 0);
	printf("ok system popen pclose\n");
	{
		char *argv[] = {"/s1.sh", "a", "b", NULL};
		st = capture(argv, buf, sizeof buf);
		CHECK(st == 0 && strcmp(buf, "/s1.sh a b\n") == 0);
	}
	{
		char *argv[] = {"/s2.sh", "c", NULL};
		st = capture(argv, buf, sizeof buf);
		CHECK(st == 0 && strcmp(buf, "/s1.sh /s2.sh c\n") == 0);
	}
	{
		char *argv[] = {"/s3.sh", NULL};
		st = capture(argv, buf, sizeof buf);
		CHECK(WEXITSTATUS(st) == 100 && strcmp(buf, "errno=44\n") == 0);
	}
	{
		char *argv[] = {"/loop.sh", NULL};
		st = capture(argv, buf, sizeof buf);
		CHECK(WEXITSTATUS(st) == 100 && strcmp(buf, "errno=45\n") == 0);
	}
	printf("ok #! scripts\n");
	return 0;
}
