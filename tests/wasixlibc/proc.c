/* proc.c: the process model through libc: args and environ, the getpid
 * family, fork and waitpid statuses, vfork, the exec family, posix_spawn,
 * popen and system (through bin/sh), pipes and dup2, clocks and time.
 * Children are bin/child (child.c); output of parent and children goes
 * to the same stdout, in an order fixed by waiting. */
#define _GNU_SOURCE
#include "corpus.h"
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* Prints how a wait status ended. */
static void status(const char *label, int st)
{
	if (WIFEXITED(st))
		printf("%s exit %d\n", label, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s signal %d\n", label, WTERMSIG(st));
	else
		printf("%s status 0x%x\n", label, st);
}

/* Waits for PID and prints its status. */
static void reap(const char *label, pid_t pid)
{
	int st;
	if (pid < 0) {
		printf("%s start %s\n", label, ename(errno));
		return;
	}
	pid_t w = waitpid(pid, &st, 0);
	if (w != pid)
		printf("%s waitpid %s\n", label, ename(errno));
	else
		status(label, st);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void args_env(int argc, char **argv)
{
	printf("argc %d\n", argc);
	for (int i = 1; i < argc; i++)
		printf("argv[%d] [%s]\n", i, argv[i]);
	int n = 0;
	while (environ[n])
		n++;
	char **e = malloc((n + 1) * sizeof *e);
	memcpy(e, environ, (n + 1) * sizeof *e);
	qsort(e, n, sizeof *e, cmp);
	for (int i = 0; i < n; i++)
		if (strncmp(e[i], "CORPUS_ROOT=", 12) && strncmp(e[i], "PATH=", 5))
			printf("env %s\n", e[i]);
	free(e);
	printf("getenv FOO %s\n", getenv("FOO") ? getenv("FOO") : "(null)");
	R("setenv", setenv("NEWV", "1", 1));
	printf("getenv NEWV %s\n", getenv("NEWV"));
	R("unsetenv", unsetenv("NEWV"));
	printf("getenv NEWV after %s\n", getenv("NEWV") ? "set" : "(null)");
}

static void ids(void)
{
	pid_t me = getpid(), pp = getppid();
	printf("pid>0 %d differ from ppid %d\n", me > 0, me != pp);
	printf("uid=euid %d gid=egid %d\n", getuid() == geteuid(), getgid() == getegid());
	int fds[2];
	pipe(fds);
	pid_t pid = fork();
	if (pid == 0) {
		int ok = getppid() == me && getpid() != me;
		write(fds[1], &ok, sizeof ok);
		_exit(0);
	}
	int ok = 0;
	read(fds[0], &ok, sizeof ok);
	close(fds[0]);
	close(fds[1]);
	printf("child sees parent %d, fork returned child pid %d\n", ok, pid > 0);
	reap("ids child", pid);
}

static void forks(void)
{
	static const int codes[] = {0, 1, 42, 255, 256 + 3};
	for (unsigned i = 0; i < sizeof codes / sizeof *codes; i++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0)
			exit(codes[i]);
		char l[32];
		snprintf(l, sizeof l, "exit(%d)", codes[i]);
		reap(l, pid);
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		printf("child printf before _exit\n");
		fflush(stdout);
		_exit(5);
	}
	reap("_exit(5)", pid);
	int fds[2];
	pipe(fds);
	pid = fork();
	if (pid == 0) {
		char c;
		close(fds[1]);
		read(fds[0], &c, 1); /* blocks until the parent kills */
		_exit(0);
	}
	close(fds[0]);
	int st;
	printf("WNOHANG running %d\n", (int)waitpid(pid, &st, WNOHANG));
	R("kill SIGKILL", kill(pid, SIGKILL));
	reap("killed child", pid);
	close(fds[1]);
	static const int sigs[] = {SIGTERM, SIGINT, SIGUSR1, SIGABRT, SIGSEGV};
	for (unsigned i = 0; i < sizeof sigs / sizeof *sigs; i++) {
		pid = fork();
		if (pid == 0) {
			raise(sigs[i]);
			_exit(99);
		}
		char l[32];
		snprintf(l, sizeof l, "raise(%d)", sigs[i]);
		reap(l, pid);
	}
	pid = fork();
	if (pid == 0)
		abort();
	reap("abort()", pid);
	int w = (int)waitpid(-1, &st, 0);
	printf("waitpid no child %d %s\n", w, ename(errno));
	/* Two children, reaped by wait() in any order. */
	pid_t a = fork();
	if (a == 0)
		_exit(7);
	pid_t b = fork();
	if (b == 0)
		_exit(8);
	int sum = 0;
	for (int i = 0; i < 2; i++) {
		pid_t w = wait(&st);
		sum += (w == a || w == b) ? WEXITSTATUS(st) : 100;
	}
	printf("wait twice sum %d\n", sum);
	fflush(stdout);
	pid = vfork();
	if (pid == 0)
		_exit(9);
	reap("vfork _exit(9)", pid);
	pid = vfork();
	if (pid == 0) {
		char *av[] = {"child", "echo", "from", "vfork", NULL};
		execve(P("bin/child"), av, environ);
		_exit(127);
	}
	reap("vfork execve", pid);
}

static void execs(void)
{
	char *av[] = {"child", "echo", "execve", "a b", NULL};
	char *ev[] = {"ONLY=this", NULL};
	char *av2[] = {"child", "env", "ONLY", "FOO", NULL};
	pid_t pid;
#define CHILD(label, call)                                                 \
	do {                                                               \
		fflush(stdout);                                            \
		pid = fork();                                              \
		if (pid == 0) {                                            \
			call;                                              \
			printf("%s failed %s\n", label, ename(errno));     \
			fflush(stdout);                                    \
			_exit(127);                                        \
		}                                                          \
		reap(label, pid);                                          \
	} while (0)
	CHILD("execve", execve(P("bin/child"), av, environ));
	CHILD("execve env", execve(P("bin/child"), av2, ev));
	CHILD("execv", execv(P("bin/child"), av));
	CHILD("execvp", execvp("child", av));
	CHILD("execl", execl(P("bin/child"), "child", "echo", "execl", (char *)0));
	CHILD("execlp", execlp("child", "child", "echo", "execlp", (char *)0));
	CHILD("execle", execle(P("bin/child"), "child", "env", "ONLY", "FOO",
			       (char *)0, ev));
	CHILD("execl exit 3", execl(P("bin/child"), "child", "exit", "3", (char *)0));
	CHILD("execl sig 15", execl(P("bin/child"), "child", "sig", "15", (char *)0));
	CHILD("execve missing", execve(P("bin/nope"), av, environ));
	CHILD("execvp missing", execvp("nope", av));
	CHILD("execve dir", execve(P("sub"), av, environ));
	CHILD("execve junk", execve(P("junk"), av, environ));
	CHILD("exec cwd", (chdir("sub"), execl(P("bin/child"), "child", "cwd", (char *)0)));
	/* A direct exec (no fork) as the last act is in main(). */
}

static void spawns(void)
{
	pid_t pid;
	char *av[] = {"child", "echo", "spawned", NULL};
	/* (rc printed after the reap: the child's output comes first) */
	int rc = posix_spawn(&pid, P("bin/child"), NULL, NULL, av, environ);
	if (rc == 0)
		reap("posix_spawn", pid);
	printf("posix_spawn rc %d\n", rc);
	rc = posix_spawnp(&pid, "child", NULL, NULL, av, environ);
	if (rc == 0)
		reap("posix_spawnp", pid);
	printf("posix_spawnp rc %d\n", rc);
	rc = posix_spawnp(&pid, "nope", NULL, NULL, av, environ);
	printf("posix_spawnp missing %s\n", rc ? ename(rc) : "0");
	if (rc == 0)
		reap("posix_spawnp missing", pid);
	/* stdout into a pipe, stdin from a file, through file actions. */
	int fds[2];
	pipe(fds);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addopen(&fa, 0, P("r.txt"), O_RDONLY, 0);
	char *av2[] = {"child", "upper", NULL};
	rc = posix_spawn(&pid, P("bin/child"), &fa, NULL, av2, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	char b[64] = {0};
	ssize_t n = 0, k;
	while ((k = read(fds[0], b + n, sizeof b - 1 - n)) > 0)
		n += k;
	close(fds[0]);
	printf("spawn file actions rc %d read [%.*s]\n", rc, (int)(n ? n - 1 : 0), b);
	if (rc == 0)
		reap("spawn upper", pid);
	char *av3[] = {"child", "exit", "4", NULL};
	rc = posix_spawn(&pid, P("bin/child"), NULL, NULL, av3, environ);
	if (rc == 0)
		reap("spawn exit 4", pid);
}

static void shell(void)
{
	fflush(stdout);
	int st = system("child echo via system");
	status("system echo", st);
	st = system("child exit 3");
	status("system exit 3", st);
	st = system("exit 7");
	status("system sh exit 7", st);
	printf("system(NULL) %d\n", system(NULL) != 0);
	FILE *f = popen("child echo popen read", "r");
	char b[64];
	if (f) {
		while (fgets(b, sizeof b, f))
			printf("popen got %s", b);
		status("pclose r", pclose(f));
	} else {
		printf("popen r %s\n", ename(errno));
	}
	fflush(stdout);
	f = popen("child upper", "w");
	if (f) {
		fputs("popen write\n", f);
		status("pclose w", pclose(f));
	} else {
		printf("popen w %s\n", ename(errno));
	}
	f = popen("child exit 5", "r");
	if (f)
		status("pclose exit 5", pclose(f));
}

static void pipes(void)
{
	int fds[2];
	R("pipe", pipe(fds));
	R("write pipe", write(fds[1], "xyz", 3));
	char b[8] = {0};
	long n = read(fds[0], b, sizeof b);
	printf("read pipe %ld %s\n", n, b);
	close(fds[1]);
	printf("read eof %ld\n", (long)read(fds[0], b, sizeof b));
	close(fds[0]);
	pipe(fds);
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	long w = write(fds[1], "x", 1);
	printf("write no reader %ld %s\n", w, w < 0 ? ename(errno) : "");
	signal(SIGPIPE, SIG_DFL);
	close(fds[1]);
	/* stdout into a pipe and back, with dup and dup2. */
	fflush(stdout);
	pipe(fds);
	int saved = dup(1);
	R("dup2 pipe->1", dup2(fds[1], 1));
	close(fds[1]);
	printf("into the pipe\n");
	fflush(stdout);
	R("dup2 back", dup2(saved, 1));
	close(saved);
	n = read(fds[0], b, 7);
	b[n < 0 ? 0 : n] = 0;
	printf("pipe got [%s]\n", b);
	close(fds[0]);
	/* child | child: echo into upper, both forked and exec'd. */
	fflush(stdout);
	pipe(fds);
	pid_t a = fork();
	if (a == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execl(P("bin/child"), "child", "echo", "piped", "text", (char *)0);
		_exit(127);
	}
	pid_t c = fork();
	if (c == 0) {
		dup2(fds[0], 0);
		close(fds[0]);
		close(fds[1]);
		execl(P("bin/child"), "child", "upper", (char *)0);
		_exit(127);
	}
	close(fds[0]);
	close(fds[1]);
	reap("pipeline right", c); /* its output is out once it ended */
	reap("pipeline left", a);
	int fl = fcntl(0, F_GETFD);
	printf("F_GETFD 0 %d\n", fl);
	int d = fcntl(1, F_DUPFD, 10);
	printf("F_DUPFD>=10 %d\n", d >= 10);
	R("F_SETFD cloexec", fcntl(d, F_SETFD, FD_CLOEXEC));
	printf("F_GETFD cloexec %d\n", fcntl(d, F_GETFD) & FD_CLOEXEC);
	close(d);
	R("close closed", close(d));
	R("dup2 bad", dup2(77, 5));
	int tty = isatty(1);
	printf("isatty file %d errno %s\n", tty, ename(errno));
	tty = isatty(40);
	printf("isatty closed %d errno %s\n", tty, ename(errno));
}

static void clocks(void)
{
	struct timespec a, b, r;
	R("clock_gettime REALTIME", clock_gettime(CLOCK_REALTIME, &r));
	printf("realtime after 2020 %d\n", r.tv_sec > 1577836800);
	time_t t = time(NULL);
	printf("time close %d\n", t - r.tv_sec < 5 && r.tv_sec - t < 5);
	struct timeval tv;
	gettimeofday(&tv, NULL);
	printf("gettimeofday close %d usec ok %d\n", tv.tv_sec - t < 5,
	       tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	R("clock_gettime MONOTONIC", clock_gettime(CLOCK_MONOTONIC, &a));
	struct timespec d = {0, 20 * 1000 * 1000};
	R("nanosleep", nanosleep(&d, NULL));
	clock_gettime(CLOCK_MONOTONIC, &b);
	long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	printf("slept >= 20ms %d\n", ms >= 20);
	R("usleep", usleep(1000));
	printf("sleep(0) %u\n", sleep(0));
	R("clock_getres MONOTONIC", clock_getres(CLOCK_MONOTONIC, &r));
	printf("res positive %d\n", r.tv_sec > 0 || r.tv_nsec > 0);
	R("clock_gettime CPUTIME", clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &r));
	printf("clock() >= 0 %d\n", clock() >= 0);
	time_t fixed = 1000000000;
	struct tm tm;
	gmtime_r(&fixed, &tm);
	char s[64];
	strftime(s, sizeof s, "%Y-%m-%d %H:%M:%S %a %j", &tm);
	printf("gmtime %s\n", s);
	printf("mktime round trip %d\n", timegm(&tm) == fixed);
}

int main(int argc, char **argv)
{
	corpus_init();
	const char *only = argc > 1 ? argv[1] : "";
	if (!strcmp(only, "args"))
		args_env(argc, argv);
	if (!strcmp(only, "ppid1")) /* wasmix: pid 1's parent is 0 */
		printf("ppid>0 %d\n", getppid() > 0);
	if (!*only || !strcmp(only, "ids"))
		ids();
	if (!*only || !strcmp(only, "fork"))
		forks();
	if (!*only || !strcmp(only, "exec"))
		execs();
	if (!*only || !strcmp(only, "spawn"))
		spawns();
	if (!*only || !strcmp(only, "shell"))
		shell();
	if (!*only || !strcmp(only, "pipe"))
		pipes();
	if (!*only || !strcmp(only, "time"))
		clocks();
	if (!strcmp(only, "libc")) /* wasix-libc's getpgrp is a variable */
		printf("pgrp>0 %d\n", getpgrp() > 0);
	if (!strcmp(only, "execself")) {
		/* The process becomes bin/child: its pid and fds stay. */
		int fd = open(P("r.txt"), O_RDONLY);
		printf("exec self fd %d\n", fd);
		fflush(stdout);
		execl(P("bin/child"), "child", "fds", (char *)0);
		printf("execl %s\n", ename(errno));
		return 1;
	}
	printf("done\n");
	return 0;
}
