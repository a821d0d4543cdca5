/*
 * wx_child.c: the program the other WASIX tests exec and spawn. The
 * first argument picks what it does:
 *   exit N       exit with status N
 *   check ...    report pid, cwd, FOO, whether fds 4 and 5 are open
 *   cat          copy stdin to stdout
 *   upper        copy stdin to stdout in upper case
 *   count        print the number of bytes on stdin
 *   echo W...    print the words
 *   sigs         print the signal dispositions its spawner set
 *   spin         loop forever (for signals)
 *   yield        call sched_yield forever (for --timeout)
 *   alarm        alarm(1), then sleep: exits 0 if the handler ran
 *   hold         print "held", then read stdin to its end (run_wasix.sh
 *                counts the host process's fds meanwhile)
 *   wait N       print "ready N" on stderr, then read stdin to its end
 *                (for host_pty: default SIGINT)
 *   waitint N    the same with a SIGINT handler, which prints
 *                "handled INT N" and exits 0
 *   sleep N      sleep N seconds, then exit 0
 *   open PATH    open PATH for reading: "open: ok" and 0, or "open:
 *                ERROR" and 4 (for --trace)
 *   longopen N   open a path of N bytes ("aaa..."): 4 if it fails
 *   closeall     close fds 0 to 63, then exit 5 (for --trace)
 *   forkexec     with a SIGCHLD handler, fork a child that opens
 *                /no-such-child-file and execs "/bin/wx_child exit 3";
 *                wait for it and print "child status 3" (for --trace)
 *   tree TAG     fork a child that forks a grandchild, both spinning
 *                forever, and a child that execs "wx_child sleep 1000";
 *                wait for both children, then sleep 1000 s: a run of
 *                it ends only by --timeout (TAG names the run for pgrep)
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wasix/wasix.h>

static volatile int alarmed;

static void on_alarm(int sig)
{
	alarmed = sig;
}

static const char *wait_name = "?";

static void on_int(int sig)
{
	fprintf(stderr, "handled INT %s\n", wait_name);
	exit(sig == SIGINT ? 0 : 1);
}

/* 'wait' and 'waitint': a ready line, then a read that blocks. */
static int wait_stdin(int handle, const char *name)
{
	char buf[256];

	wait_name = name;
	if (handle)
		signal(SIGINT, on_int);
	fprintf(stderr, "ready %s\n", name);
	while (read(0, buf, sizeof buf) > 0)
		;
	fprintf(stderr, "no signal %s\n", name);
	return 3;
}

/* 'tree': a process tree that never ends by itself; 3 on a failure. */
static int tree(void)
{
	pid_t a, b;
	int st;

	a = fork();
	if (a == 0) {
		if (fork() < 0)
			_exit(3);
		for (;;)
			;
	}
	b = fork();
	if (b == 0) {
		char *av[] = {"wx_child", "sleep", "1000", NULL};

		execv("/bin/wx_child", av);
		_exit(3);
	}
	if (a < 0 || b < 0)
		return 3;
	printf("tree %d %d\n", (int)a, (int)b);
	fflush(stdout);
	while (waitpid(-1, &st, 0) > 0)
		;
	sleep(1000);
	return 3;
}

static int copy(int up, int count)
{
	static char buf[65536];
	long long total = 0;
	ssize_t n;

	while ((n = read(0, buf, sizeof buf)) > 0) {
		total += n;
		if (count)
			continue;
		for (ssize_t i = 0; up && i < n; i++)
			buf[i] = (char)toupper((unsigned char)buf[i]);
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(1, buf + off, (size_t)(n - off));
			if (w <= 0)
				return 1;
			off += w;
		}
	}
	if (count)
		printf("%lld\n", total);
	return n < 0;
}

static volatile int chld;

static void on_chld(int sig)
{
	chld = sig;
}

/* 'open' and 'longopen': 0 if 'path' opens, else 4. */
static int try_open(const char *path, int say)
{
	int fd = open(path, O_RDONLY);

	if (say)
		printf("open: %s\n", fd >= 0 ? "ok" : strerror(errno));
	if (fd < 0)
		return 4;
	close(fd);
	return 0;
}

/* 'forkexec': see the header. */
static int fork_exec(void)
{
	char *args[] = {"wx_child", "exit", "3", NULL};
	int st = 0;
	pid_t p;

	signal(SIGCHLD, on_chld);
	p = fork();
	if (p == 0) {
		try_open("/no-such-child-file", 0);
		execv("/bin/wx_child", args);
		_exit(5);
	}
	if (p < 0 || waitpid(p, &st, 0) != p || !WIFEXITED(st))
		return 1;
	printf("child status %d\n", WEXITSTATUS(st));
	return 0;
}

int main(int argc, char **argv)
{
	char cwd[256];
	const char *foo = getenv("FOO");

	if (argc < 2)
		return 2;
	if (strcmp(argv[1], "exit") == 0)
		return argc > 2 ? atoi(argv[2]) : 0;
	if (strcmp(argv[1], "check") == 0) {
		printf("pid=%d argc=%d cwd=%s FOO=%s fd4=%d fd5=%d\n",
		       (int)getpid(), argc, getcwd(cwd, sizeof cwd),
		       foo ? foo : "(unset)", fcntl(4, F_GETFD) >= 0,
		       fcntl(5, F_GETFD) >= 0);
		return 0;
	}
	if (strcmp(argv[1], "cat") == 0 || strcmp(argv[1], "upper") == 0 ||
	    strcmp(argv[1], "count") == 0)
		return copy(argv[1][0] == 'u', argv[1][1] == 'o');
	if (strcmp(argv[1], "sigs") == 0) {
		uint8_t d[128];
		uint32_t n = 0;

		if (wasix_proc_signals_sizes_get(&n) != 0 || n > 64 ||
		    wasix_proc_signals_get(d) != 0)
			return 1;
		for (uint32_t i = 0; i < n; i++)
			printf("sig %u disp %u\n", d[2 * i], d[2 * i + 1]);
		return 0;
	}
	if (strcmp(argv[1], "echo") == 0) {
		for (int i = 2; i < argc; i++)
			printf("%s%s", argv[i], i + 1 < argc ? " " : "\n");
		return 0;
	}
	if (strcmp(argv[1], "hold") == 0) {
		printf("held\n");
		fflush(stdout);
		return copy(0, 1) == 0 ? 0 : 1;
	}
	if (strcmp(argv[1], "wait") == 0 || strcmp(argv[1], "waitint") == 0)
		return wait_stdin(argv[1][4] == 'i', argc > 2 ? argv[2] : "?");
	if (strcmp(argv[1], "sleep") == 0) {
		sleep(argc > 2 ? (unsigned)atoi(argv[2]) : 1);
		return 0;
	}
	if (strcmp(argv[1], "tree") == 0)
		return tree();
	if (strcmp(argv[1], "open") == 0 && argc > 2)
		return try_open(argv[2], 1);
	if (strcmp(argv[1], "longopen") == 0 && argc > 2) {
		size_t n = (size_t)atol(argv[2]);
		char *p = malloc(n + 1);

		if (p == NULL)
			return 1;
		memset(p, 'a', n);
		p[n] = 0;
		return try_open(p, 0);
	}
	if (strcmp(argv[1], "forkexec") == 0)
		return fork_exec();
	if (strcmp(argv[1], "closeall") == 0) {
		for (int fd = 0; fd < 64; fd++)
			close(fd);
		return 5;
	}
	if (strcmp(argv[1], "yield") == 0) {
		for (;;)
			sched_yield();
	}
	if (strcmp(argv[1], "spin") == 0) {
		for (;;)
			;
	}
	if (strcmp(argv[1], "alarm") == 0) {
		struct timespec ts = {5, 0};
		signal(SIGALRM, on_alarm);
		alarm(1);
		int r = nanosleep(&ts, NULL);
		printf("alarm: sleep=%d errno=%s handler=%d\n", r,
		       r ? strerror(errno) : "-", alarmed == SIGALRM);
		return alarmed == SIGALRM ? 0 : 1;
	}
	return 2;
}
