/*
 * wx_forkenv.c: proc_fork_env, the asyncify-free vfork, through the raw
 * imports: the caller goes on as the child (new pid, own fd table) and
 * *pid is that child's pid (what vfork later returns to the parent);
 * nested: ENOTSUP; a failed exec leaves it the child; a successful exec
 * returns 0 as the parent and the exec'd child runs (its exit status
 * reaches waitpid); proc_exit2 in the child returns as the parent and
 * leaves a zombie with that status.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wasix/wasix.h>

#include "wx_check.h"

int main(void)
{
	const char *argv[] = {"wx_child", "exit", "33"};
	pid_t parent = getpid(), child;
	uint32_t pid = 99, p2;
	int st, fd;

	CHECK(wasix_proc_fork_env(&pid) == 0);
	child = getpid();
	CHECK(child != parent && getppid() == parent && pid == (uint32_t)child);
	CHECK(wasix_proc_fork_env(&p2) == ENOTSUP);
	fd = open("/text.txt", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(wasix_proc_exec4("/missing.wasm", 13, argv, 3, NULL, 0, 0, NULL,
	                       0) == ENOENT);
	CHECK(getpid() == child);
	CHECK(wasix_proc_exec4("/wx_child.wasm", 14, argv, 3, NULL, 0, 0, NULL,
	                       0) == 0);
	CHECK(getpid() == parent);
	CHECK(fcntl(fd, F_GETFD) == -1 && errno == EBADF);
	CHECK(waitpid(child, &st, 0) == child);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 33);
	printf("ok fork_env + exec\n");
	CHECK(wasix_proc_fork_env(&pid) == 0);
	child = getpid();
	CHECK(pid == (uint32_t)child);
	wasix_proc_exit2(7);
	CHECK(getpid() == parent);
	CHECK(waitpid(-1, &st, 0) == child);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	CHECK(waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD);
	printf("ok fork_env + exit\n");
	return 0;
}
