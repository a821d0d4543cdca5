/*
 * wx_exec.c: exec keeps the pid, fds and cwd and closes close-on-exec
 * fds; a failed exec changes nothing; the exec error table (ENOENT,
 * ENOEXEC for text / empty files, EACCES for a directory, ENOTDIR,
 * ENAMETOOLONG); execvp's PATH search. Runs in a directory mapped as the
 * guest's "/" that holds wx_child.wasm, sub/, text.txt and empty.txt.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wx_check.h"

static void expect_fail(const char *path, int err)
{
	char *argv[] = {"x", NULL};

	errno = 0;
	CHECK(execv(path, argv) == -1);
	if (errno != err) {
		printf("FAIL exec %s: errno %d, want %d\n", path, errno, err);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	char long_name[300];
	int keep, shut, st;
	pid_t pid;

	(void)argc;
	expect_fail("/missing.wasm", ENOENT);
	expect_fail("/text.txt", ENOEXEC);
	expect_fail("/empty.txt", ENOEXEC);
	expect_fail("/sub", EACCES);
	expect_fail("/text.txt/x.wasm", ENOTDIR);
	memset(long_name, 'a', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = 0;
	expect_fail(long_name, ENAMETOOLONG);
	CHECK(strcmp(argv[0], "wx_exec.wasm") == 0 ||
	      strstr(argv[0], "wx_exec"));
	printf("ok exec errors, argv intact\n");
	pid = fork();
	if (pid == 0) {
		char *cargv[] = {"wx_child", "exit", "79", NULL};
		setenv("PATH", "/nope:/bin2:/", 1);
		execvp("wx_child.wasm", cargv);
		_exit(100 + errno);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 79);
	printf("ok execvp PATH search\n");
	keep = open("/text.txt", O_RDONLY);
	shut = open("/text.txt", O_RDONLY);
	CHECK(keep == 4 && shut == 5);
	CHECK(fcntl(shut, F_SETFD, FD_CLOEXEC) == 0);
	CHECK(fcntl(shut, F_GETFD) == FD_CLOEXEC && fcntl(keep, F_GETFD) == 0);
	CHECK(chdir("/sub") == 0);
	fflush(stdout);
	{
		char *cargv[] = {"wx_child", "check", NULL};
		char *cenv[] = {"FOO=bar", NULL};
		execve("../wx_child.wasm", cargv, cenv);
	}
	CHECK(0);
	return 1;
}
