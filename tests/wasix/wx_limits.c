/*
 * wx_limits.c: the process-tree limits (docs/process.md#limits), as a
 * guest sees them. Each mode expects the limit tests/run_wasix.sh sets:
 *
 *   wx_limits procs N   (--max-procs N): N - 1 children fork, then fork
 *                       and posix_spawn fail with EAGAIN; once they are
 *                       reaped, fork works again.
 *   wx_limits bomb      (--max-procs small): every process forks until
 *                       fork fails, then reaps its children; the whole
 *                       tree ends and the first process saw EAGAIN.
 *   wx_limits memory    (--max-tree-memory 16M): malloc fails before
 *                       16 MiB, and fork fails with ENOMEM (the child
 *                       would bring a second copy of the memory).
 *   wx_limits fds N     (--max-fds N): open succeeds up to fd N - 1,
 *                       then fails with EMFILE; dup too.
 *
 * Prints one "ok ..." line per check; exits 1 on failure (wx_check.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wx_check.h"

/* Reaps every child; returns the OR of their exit statuses. */
static int reap_all(void)
{
	int st, any = 0;

	while (wait(&st) > 0)
		any |= WIFEXITED(st) ? WEXITSTATUS(st) : 0x80;
	CHECK(errno == ECHILD);
	return any;
}

static void test_procs(int max)
{
	char *argv[] = {"wx_child", "exit", "0", NULL};
	int p[2], n = 0, e;
	pid_t pid;
	char c;

	CHECK(max >= 2 && pipe(p) == 0);
	for (;;) {
		pid = fork();
		if (pid == 0) {
			close(p[1]);
			_exit(read(p[0], &c, 1) == 0 ? 0 : 1);
		}
		if (pid < 0)
			break;
		n++;
		CHECK(n < max);
	}
	CHECK(errno == EAGAIN && n == max - 1);
	printf("ok fork: %d children, then EAGAIN\n", n);
	e = posix_spawn(&pid, "/bin/wx_child", NULL, NULL, argv, NULL);
	CHECK(e == EAGAIN);
	printf("ok posix_spawn: EAGAIN at the limit\n");
	close(p[1]);
	close(p[0]);
	CHECK(reap_all() == 0);
	pid = fork();
	if (pid == 0)
		_exit(7);
	CHECK(pid > 0 && waitpid(pid, &e, 0) == pid && WEXITSTATUS(e) == 7);
	printf("ok fork works again once the children are reaped\n");
}

/*
 * Every process forks until fork fails (at most 64 times), then reaps
 * its children. Exit status: 1 if it or a descendant saw EAGAIN, 2 for
 * any other failure.
 */
static int bomb(void)
{
	int seen = 0, i;

	for (i = 0; i < 64; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			seen = 0;
			i = -1; /* the child bombs on */
			continue;
		}
		if (pid < 0) {
			seen = errno == EAGAIN ? 1 : 2;
			break;
		}
	}
	return seen | reap_all();
}

static void test_bomb(void)
{
	pid_t root = getpid();
	int r = bomb();

	if (getpid() != root)
		_exit(r & 0x7f);
	CHECK(r == 1);
	printf("ok fork bomb: fork failed with EAGAIN, the tree ended\n");
}

static void test_memory(void)
{
	static char *volatile blocks[16];
	size_t got = 0;
	pid_t pid;

	for (;;) {
		char *b = malloc(1 << 20);

		if (b == NULL)
			break;
		memset(b, 1, 1 << 20);
		CHECK(got < 16);
		blocks[got++] = b; /* kept: the compiler may not drop them */
	}
	CHECK(got >= 8);
	printf("ok malloc fails below the tree's 16 MiB\n");
	pid = fork();
	if (pid == 0)
		_exit(0);
	CHECK(pid < 0 && errno == ENOMEM);
	printf("ok fork: ENOMEM (the child's copy would pass the cap)\n");
}

static void test_fds(int max)
{
	int fd, last = -1;

	while ((fd = open("/text.txt", O_RDONLY)) >= 0)
		last = fd;
	CHECK(errno == EMFILE && last == max - 1);
	printf("ok open: fds up to %d, then EMFILE\n", last);
	CHECK(dup(0) < 0 && errno == EMFILE);
	CHECK(close(last) == 0 && dup(0) == last);
	printf("ok dup: EMFILE at the limit, the freed fd is reused\n");
}

int main(int argc, char **argv)
{
	CHECK(argc >= 2);
	if (strcmp(argv[1], "procs") == 0 && argc == 3)
		test_procs(atoi(argv[2]));
	else if (strcmp(argv[1], "bomb") == 0)
		test_bomb();
	else if (strcmp(argv[1], "memory") == 0)
		test_memory();
	else if (strcmp(argv[1], "fds") == 0 && argc == 3)
		test_fds(atoi(argv[2]));
	else
		CHECK(!"unknown mode");
	return 0;
}
