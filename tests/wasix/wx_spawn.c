/*
 * wx_spawn.c: posix_spawn with every fd action (close, dup2, open,
 * chdir) and signal defaults, its error cases (no child left behind),
 * pipes between processes, waitpid NOHANG, alarm firing during a sleep,
 * and 200 fork+exec+wait cycles with no leaked fds or zombies.
 * 'wx_spawn hold' runs only the cycles, then waits for stdin to end so
 * that tests/run_wasix.sh can count the host process's fds and children.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wasix/wasix.h>

#include "wx_check.h"

static char *child_argv(const char *a, const char *b, const char *c)
{
	static char *v[5];

	v[0] = "wx_child";
	v[1] = (char *)a;
	v[2] = (char *)b;
	v[3] = (char *)c;
	v[4] = NULL;
	return (char *)v;
}

#define ARGV(a, b, c) ((char **)child_argv(a, b, c))

/* Reads fd until EOF into buf (NUL-terminated). */
static size_t slurp(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;

	while (n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = 0;
	return n;
}

static void test_actions(void)
{
	posix_spawn_file_actions_t fa;
	char buf[256];
	int p[2], st, fd;
	pid_t pid;

	CHECK(pipe(p) == 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	posix_spawn_file_actions_addclose(&fa, p[1]);
	posix_spawn_file_actions_addchdir_np(&fa, "/sub");
	posix_spawn_file_actions_addopen(&fa, 4, "/text.txt", O_RDONLY, 0);
	CHECK(posix_spawn(&pid, "/wx_child.wasm", &fa, NULL,
	                  ARGV("check", NULL, NULL), NULL) == 0);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	slurp(p[0], buf, sizeof buf);
	close(p[0]);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	      WEXITSTATUS(st) == 0);
	if (strstr(buf, "cwd=/sub") == NULL || strstr(buf, "fd4=1") == NULL) {
		printf("FAIL spawn check output: %s", buf);
		exit(1);
	}
	printf("ok spawn fd actions\n");
	errno = 0;
	CHECK(posix_spawn(&pid, "/missing.wasm", NULL, NULL,
	                  ARGV("exit", "0", NULL), NULL) == ENOENT);
	CHECK(posix_spawn(&pid, "/text.txt", NULL, NULL,
	                  ARGV("exit", "0", NULL), NULL) == ENOEXEC);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 6, "/nope/x", O_RDONLY, 0);
	CHECK(posix_spawn(&pid, "/wx_child.wasm", &fa, NULL,
	                  ARGV("exit", "0", NULL), NULL) == ENOENT);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, 77, 1);
	CHECK(posix_spawn(&pid, "/wx_child.wasm", &fa, NULL,
	                  ARGV("exit", "0", NULL), NULL) == EBADF);
	posix_spawn_file_actions_destroy(&fa);
	CHECK(waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD);
	printf("ok spawn errors, no child left\n");
	setenv("PATH", "/", 1);
	CHECK(posix_spawnp(&pid, "wx_child.wasm", NULL, NULL,
	                   ARGV("exit", "127", NULL), NULL) == 0);
	CHECK(waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 127);
	printf("ok spawnp\n");
	CHECK(pipe(p) == 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	CHECK(posix_spawn(&pid, "/wx_child.wasm", &fa, NULL,
	                  ARGV("echo", "l1\nl2", ""), NULL) == 0);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	slurp(p[0], buf, sizeof buf);
	close(p[0]);
	CHECK(waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 0);
	CHECK(strcmp(buf, "l1\nl2 \n") == 0);
	printf("ok arguments with newlines and empty ones\n");
	{
		static const char args[] = "wx_child\nexit\n9\n";
		uint32_t raw = 0;

		CHECK(wasix_proc_spawn2("/wx_child.wasm", 14, args,
		                        sizeof args - 1, NULL, 0, NULL, 0, NULL,
		                        0, 0, NULL, 0, &raw) == 0);
		CHECK(waitpid((pid_t)raw, &st, 0) == (pid_t)raw);
		CHECK(WEXITSTATUS(st) == 9);
		CHECK(wasix_proc_exec3("/wx_child.wasm", 14, args,
		                       sizeof args - 1, "NOEQUALS\n", 9, 0,
		                       NULL, 0) == EINVAL);
	}
	printf("ok proc_spawn2 and proc_exec3 with '\\n' lists\n");
	{
		uint32_t nfd = 0;

		CHECK(wasix_path_open2(3, 1, "text.txt", 8, 0, 2, 2, 0, 1,
		                       &nfd) == 0);
		CHECK(fcntl((int)nfd, F_GETFD) == FD_CLOEXEC);
		close((int)nfd);
	}
	fd = open("/text.txt", O_RDONLY);
	CHECK(fd >= 0 && fcntl(fd, F_GETFD) == 0);
	close(fd);
	printf("ok path_open2 with close-on-exec\n");
}

static void test_sigdef(void)
{
	posix_spawnattr_t at;
	posix_spawn_file_actions_t fa;
	sigset_t set;
	pid_t pid;
	int st, p[2];
	char buf[128];

	posix_spawnattr_init(&at);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR2);
	posix_spawnattr_setsigdefault(&at, &set);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF);
	CHECK(pipe(p) == 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	CHECK(posix_spawn(&pid, "/wx_child.wasm", &fa, &at,
	                  ARGV("sigs", NULL, NULL), NULL) == 0);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(p[1]);
	slurp(p[0], buf, sizeof buf);
	close(p[0]);
	CHECK(waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 0);
	CHECK(strcmp(buf, "sig 12 disp 0\nsig 15 disp 0\n") == 0);
	printf("ok proc_signals_get in the spawned child\n");

	posix_spawnattr_init(&at);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	posix_spawnattr_setsigdefault(&at, &set);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF);
	CHECK(posix_spawn(&pid, "/wx_child.wasm", NULL, &at,
	                  ARGV("spin", NULL, NULL), NULL) == 0);
	posix_spawnattr_destroy(&at);
	CHECK(waitpid(pid, &st, WNOHANG) == 0);
	CHECK(kill(pid, SIGINT) == 0);
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT);
	printf("ok SIGINT to a busy loop\n");
	CHECK(posix_spawn(&pid, "/wx_child.wasm", NULL, NULL,
	                  ARGV("alarm", NULL, NULL), NULL) == 0);
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	printf("ok alarm during sleep\n");
}

/* Counts the open fds below 64 (F_GETFD succeeds). */
static int count_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 64; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

static void test_cycles(void)
{
	int before = count_fds(), st;

	for (int i = 0; i < 200; i++) {
		int p[2];
		pid_t pid;

		CHECK(pipe(p) == 0);
		pid = fork();
		CHECK(pid >= 0);
		if (pid == 0) {
			close(p[0]);
			dup2(p[1], 1);
			close(p[1]);
			execv("/wx_child.wasm", ARGV("echo", "x", NULL));
			_exit(99);
		}
		close(p[1]);
		char buf[16];
		CHECK(slurp(p[0], buf, sizeof buf) == 2 && buf[0] == 'x');
		close(p[0]);
		CHECK(waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 0);
	}
	CHECK(waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD);
	CHECK(count_fds() == before);
	printf("ok 200 fork+exec+wait cycles\n");
}

int main(int argc, char **argv)
{
	char c;

	if (argc > 1 && strcmp(argv[1], "hold") == 0) {
		/* For the host-side fd and zombie count of run_wasix.sh. */
		test_cycles();
		printf("held\n");
		fflush(stdout);
		while (read(0, &c, 1) > 0)
			;
		return 0;
	}
	test_actions();
	test_sigdef();
	test_cycles();
	return 0;
}
