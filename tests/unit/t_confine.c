/*
 * t_confine.c: proc_confine holds. A fork child confines itself to one
 * scratch directory, then does what a guest that escaped the engine
 * would try, from host code: open a file outside (/etc/passwd, a file
 * beside the scratch directory), execve, ptrace, unshare, a clone into a
 * new user namespace, an unlisted system call. Each must fail with the
 * expected errno, while work beneath the directory (create, write, read,
 * mkdir, rename, unlink), /dev/null, pipes, threads' futexes and fork
 * keep working. The child reports each check on a pipe.
 *
 * Builds with AddressSanitizer skip it (printed with the reason):
 * LeakSanitizer needs ptrace, which the confinement takes away.
 *
 * Prints failures and "t_confine: N passed, M failed"; exits 1 on
 * failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc/proc.h"
#include "t_check.h"

#if defined(__SANITIZE_ADDRESS__)
#define T_ASAN 1
#endif

#define T_NCHECKS 13 /* report() calls in child() */

static char dir[64], outside[80];

/* One check in the child: a line "ok NAME" or "FAIL NAME (errno E)". */
static void report(int fd, const char *name, int ok)
{
	char line[160];
	int n = snprintf(line, sizeof line, "%s %s (errno %d)\n",
	                 ok ? "ok" : "FAIL", name, ok ? 0 : errno);

	if (write(fd, line, (size_t)n) != n)
		_exit(3);
}

/* Whether 'rc' failed with 'err'. */
static int failed_with(long rc, int err)
{
	return rc < 0 && errno == err;
}

static void child(int out)
{
	const char *const dirs[] = {dir};
	struct proc_confine cf = {.dirs = dirs, .ndirs = 1};
	char path[128], path2[128], why[256], buf[8];
	int fd, p[2];
	pid_t pid;

	if (proc_confine(&cf, why, sizeof why) != 0) {
		dprintf(out, "FAIL confine: %s\n", why);
		_exit(2);
	}
	/* Beneath the directory: everything but exec. */
	snprintf(path, sizeof path, "%s/new.txt", dir);
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
	report(out, "create and write beneath the directory",
	       fd >= 0 && write(fd, "abc", 3) == 3 &&
	           pread(fd, buf, 3, 0) == 3 && memcmp(buf, "abc", 3) == 0);
	if (fd >= 0)
		close(fd);
	snprintf(path2, sizeof path2, "%s/sub", dir);
	report(out, "mkdir, rename, unlink beneath it",
	       mkdir(path2, 0755) == 0 && strcat(path2, "/moved.txt") &&
	           rename(path, path2) == 0 && unlink(path2) == 0);
	fd = open("/dev/null", O_WRONLY);
	report(out, "/dev/null", fd >= 0 && write(fd, "x", 1) == 1);
	if (fd >= 0)
		close(fd);
	report(out, "pipe",
	       pipe(p) == 0 && write(p[1], "y", 1) == 1 &&
	           read(p[0], buf, 1) == 1);
	pid = fork();
	if (pid == 0)
		_exit(7);
	report(out, "fork and wait",
	       pid > 0 && waitpid(pid, &fd, 0) == pid && WIFEXITED(fd) &&
	           WEXITSTATUS(fd) == 7);
	/* Outside it: the injected opens fail. */
	report(out, "open /etc/passwd: EACCES",
	       failed_with(open("/etc/passwd", O_RDONLY), EACCES));
	report(out, "open a file beside the directory: EACCES",
	       failed_with(open(outside, O_RDONLY), EACCES));
	report(out, "create in /tmp: EACCES",
	       failed_with(open("/tmp/t_confine.no", O_CREAT | O_WRONLY, 0644),
	                   EACCES));
	/* Calls a runtime has no use for. */
	report(out, "execve: EPERM",
	       failed_with(execl("/bin/true", "true", (char *)NULL), EPERM));
	report(out, "ptrace: EPERM",
	       failed_with(ptrace(PTRACE_TRACEME, 0, NULL, NULL), EPERM));
	report(out, "unshare: EPERM",
	       failed_with(unshare(CLONE_NEWUSER), EPERM));
	report(out, "clone into a new user namespace: EPERM",
	       failed_with(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL,
	                           NULL, NULL, 0),
	                   EPERM));
	report(out, "an unlisted call (acct): ENOSYS",
	       failed_with(syscall(SYS_acct, NULL), ENOSYS));
	_exit(0);
}

int main(void)
{
	char buf[4096], path[128];
	int p[2], st = 0, fd, oks = 0;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

#ifdef T_ASAN
	printf("t_confine: skipped: built with AddressSanitizer, whose "
	       "LeakSanitizer needs ptrace\n");
	return t_report("t_confine");
#endif
	snprintf(dir, sizeof dir, "/tmp/t_confine.XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(outside, sizeof outside, "%s.outside", dir);
	fd = open(outside, O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	CHECK(pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		child(p[1]);
	}
	close(p[1]);
	while (n + 1 < sizeof buf &&
	       (r = read(p[0], buf + n, sizeof buf - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = 0;
	close(p[0]);
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	for (char *line = strtok(buf, "\n"); line != NULL;
	     line = strtok(NULL, "\n")) {
		if (strncmp(line, "ok ", 3) != 0)
			printf("%s\n", line);
		CHECK(strncmp(line, "ok ", 3) == 0);
		oks += strncmp(line, "ok ", 3) == 0;
	}
	CHECK(oks == T_NCHECKS); /* every check reported */
	unlink(outside);
	snprintf(path, sizeof path, "%s/sub", dir);
	rmdir(path);
	rmdir(dir);
	return t_report("t_confine");
}
