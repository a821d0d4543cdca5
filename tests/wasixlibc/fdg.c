/* fdg.c: a program's fds are its own: what daemons and shells do to
 * fds 3-9 must not cut it off from its files. dup2 onto 3..9, close
 * them, close every fd above 2, then open, stat, list and chdir by path;
 * fds inherited by an exec'd child with and without FD_CLOEXEC; the
 * lowest free fd after closing everything. */
#define _GNU_SOURCE
#include "corpus.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void try_paths(const char *label)
{
	int fd = open(P("r.txt"), O_RDONLY);
	char b[16] = {0};
	long n = fd >= 0 ? (long)read(fd, b, 5) : -1;
	printf("%s: open %s read %ld [%s]\n", label, fd >= 0 ? "ok" : ename(errno), n, b);
	if (fd >= 0)
		close(fd);
	struct stat st;
	printf("%s: stat sub %s\n", label, stat(P("sub"), &st) ? ename(errno) : "ok");
	DIR *d = opendir(P("sub"));
	printf("%s: opendir %s\n", label, d ? "ok" : ename(errno));
	if (d)
		closedir(d);
	printf("%s: rel open %s\n", label, access("sub/a.txt", F_OK) ? ename(errno) : "ok");
	fd = open(P("new.txt"), O_CREAT | O_WRONLY | O_TRUNC, 0644);
	printf("%s: create %s\n", label, fd >= 0 ? "ok" : ename(errno));
	if (fd >= 0)
		close(fd);
	unlink(P("new.txt"));
}

static void run_child(const char *label)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		execl(P("bin/child"), "child", "fds", (char *)0);
		printf("%s exec %s\n", label, ename(errno));
		fflush(stdout);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("%s: child exit %d\n", label, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

int main(void)
{
	corpus_init();
	try_paths("start");
	int fd = open(P("o.txt"), O_CREAT | O_WRONLY | O_TRUNC, 0644);
	for (int t = 3; t <= 9; t++)
		if (t != fd && dup2(fd, t) != t)
			printf("dup2 %d->%d %s\n", fd, t, ename(errno));
	for (int t = 3; t <= 9; t++) {
		char c = '0' + t;
		if (write(t, &c, 1) != 1)
			printf("write fd %d %s\n", t, ename(errno));
	}
	try_paths("3-9 taken");
	run_child("3-9 inherited");
	for (int t = 3; t <= 9; t++)
		fcntl(t, F_SETFD, FD_CLOEXEC);
	run_child("3-9 cloexec");
	for (int t = 3; t <= 9; t++)
		close(t);
	try_paths("3-9 closed");
	for (int t = 3; t < 1024; t++)
		close(t);
	try_paths("all above 2 closed");
	fd = open(P("o.txt"), O_RDONLY);
	printf("lowest fd %d\n", fd);
	char b[16] = {0};
	long n = (long)read(fd, b, sizeof b - 1);
	printf("o.txt %ld [%s]\n", n, b);
	close(fd);
	R("chdir sub", chdir(P("sub")));
	try_paths("in sub");
	chdir(P(""));
	fd = open("/dev/null", O_WRONLY);
	printf("open /dev/null %s\n", fd >= 0 ? "ok" : ename(errno));
	R("dup2 null->3", dup2(fd, 3));
	if (fd != 3)
		close(fd);
	R("dup2 null->0", dup2(3, 0));
	close(3);
	printf("read closed stdin %ld\n", (long)read(0, b, 1));
	try_paths("stdin /dev/null");
	run_child("final");
	unlink(P("o.txt"));
	printf("done\n");
	return 0;
}
