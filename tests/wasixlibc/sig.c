/* sig.c: signals through libc: sigaction and signal, raise and kill,
 * SIG_IGN, kill(pid, 0), a signal from a child, SIGCHLD, alarm,
 * setitimer (one-shot and periodic), siglongjmp out of a handler. "sig
 * die" ends by its own SIGTERM, "sig abort" by abort(). "sig libc" holds
 * what wasix-libc does not implement (masks, sigpending, sigsuspend,
 * SA_RESETHAND, kill's errors; "sig libctimers": alarm, one-shot
 * setitimer, getitimer; see run_wasixlibc.sh). A wait for a
 * signal polls the handler's count between 1 ms sleeps (no pause() in
 * wasix-libc, and its sigsuspend returns EINVAL at once), with a 20 s
 * limit that prints "never came". */
#define _GNU_SOURCE
#include "corpus.h"
#include <setjmp.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t hits[65];
static sigjmp_buf jb;

static void on(int s)
{
	hits[s]++;
}

static void jump(int s)
{
	hits[s]++;
	siglongjmp(jb, s);
}

static void jump_count(int s)
{
	hits[s]++;
	siglongjmp(jb, hits[s]);
}

/* Waits until signal S was handled N times. */
static void wait_hits(int s, int n)
{
	struct timespec ms = {0, 1000000};
	for (int i = 0; i < 20000 && hits[s] < n; i++)
		nanosleep(&ms, NULL);
	if (hits[s] < n)
		printf("signal %d never came (%d of %d)\n", s, (int)hits[s], n);
}

static void handle(int s, void (*fn)(int), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	if (sigaction(s, &sa, NULL))
		printf("sigaction %d %s\n", s, ename(errno));
}

static int blocked(int s)
{
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, s);
}

static void status(const char *label, pid_t pid)
{
	int st;
	if (waitpid(pid, &st, 0) != pid)
		printf("%s waitpid %s\n", label, ename(errno));
	else if (WIFEXITED(st))
		printf("%s exit %d\n", label, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s signal %d\n", label, WTERMSIG(st));
}

static void basics(void)
{
	handle(SIGUSR1, on, 0);
	R("raise USR1", raise(SIGUSR1));
	printf("USR1 hits %d\n", (int)hits[SIGUSR1]);
	handle(SIGUSR2, on, 0);
	R("kill self USR2", kill(getpid(), SIGUSR2));
	printf("USR2 hits %d\n", (int)hits[SIGUSR2]);
	signal(SIGUSR1, SIG_IGN);
	raise(SIGUSR1);
	printf("ignored USR1 hits %d\n", (int)hits[SIGUSR1]);
	void (*old)(int) = signal(SIGUSR1, on);
	printf("signal() returned SIG_IGN %d\n", old == SIG_IGN);
	struct sigaction q;
	sigaction(SIGUSR1, NULL, &q);
	printf("sigaction query is on %d\n", q.sa_handler == on);
	/* Default-ignored signals do nothing. */
	signal(SIGCHLD, SIG_DFL);
	raise(SIGCHLD);
	raise(SIGURG);
	raise(SIGWINCH);
	printf("default-ignored signals survived\n");
	/* kill(pid, 0) */
	printf("kill(self, 0) %d\n", kill(getpid(), 0));
	/* A signal from a child. */
	hits[SIGUSR1] = 0;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	wait_hits(SIGUSR1, 1);
	printf("USR1 from child hits %d\n", (int)hits[SIGUSR1]);
	status("kill-parent child", pid);
	/* SIGCHLD with a handler. */
	handle(SIGCHLD, on, 0);
	pid = fork();
	if (pid == 0)
		_exit(3);
	wait_hits(SIGCHLD, 1);
	printf("SIGCHLD hits %d\n", (int)hits[SIGCHLD]);
	status("sigchld child", pid);
	signal(SIGCHLD, SIG_DFL);
}

/* What wasix-libc leaves out: SA_RESETHAND, kill's errors, masks,
 * sigpending, sigsuspend. */
static void libc_gaps(void)
{
	handle(SIGUSR1, on, 0);
	/* SA_RESETHAND: the second raise is a death (in a child). */
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		hits[SIGUSR2] = 0;
		handle(SIGUSR2, on, SA_RESETHAND);
		raise(SIGUSR2);
		printf("child resethand hits %d\n", (int)hits[SIGUSR2]);
		fflush(stdout);
		raise(SIGUSR2);
		_exit(0);
	}
	status("resethand child", pid);
	/* a reaped child */
	int rc = kill(pid, 0);
	printf("kill(reaped, 0) %d %s\n", rc, ename(errno));
	R("kill bad signal", kill(getpid(), 1000));

	sigset_t s, old, pend;
	hits[SIGUSR1] = 0;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	R("block USR1", sigprocmask(SIG_BLOCK, &s, &old));
	printf("blocked %d\n", blocked(SIGUSR1));
	raise(SIGUSR1);
	sigpending(&pend);
	printf("while blocked hits %d pending %d\n", (int)hits[SIGUSR1],
	       sigismember(&pend, SIGUSR1));
	R("unblock", sigprocmask(SIG_SETMASK, &old, NULL));
	printf("after unblock hits %d\n", (int)hits[SIGUSR1]);
	sigpending(&pend);
	printf("pending after %d\n", sigismember(&pend, SIGUSR1));
	/* sigsuspend: the signal is blocked, so it is pending (or comes)
	 * before sigsuspend unblocks it; sigsuspend returns EINTR. */
	sigprocmask(SIG_BLOCK, &s, &old);
	hits[SIGUSR1] = 0;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	sigset_t wait_mask = old;
	sigdelset(&wait_mask, SIGUSR1);
	rc = sigsuspend(&wait_mask);
	printf("sigsuspend %d %s\n", rc, ename(errno));
	wait_hits(SIGUSR1, 1);
	printf("sigsuspend hits %d still blocked %d\n", (int)hits[SIGUSR1], blocked(SIGUSR1));
	sigprocmask(SIG_SETMASK, &old, NULL);
	status("kill-parent child", pid);
}

static void timers(void)
{
	/* wasix-libc's setitimer sends only it_interval (repeating), so a
	 * periodic timer with it_value == it_interval is what it can do. */
	handle(SIGALRM, on, 0);
	struct itimerval it = {{0, 20000}, {0, 20000}};
	hits[SIGALRM] = 0;
	R("setitimer periodic", setitimer(ITIMER_REAL, &it, NULL));
	wait_hits(SIGALRM, 3);
	memset(&it, 0, sizeof it);
	R("setitimer cancel", setitimer(ITIMER_REAL, &it, NULL));
	printf("periodic reached 3\n");
	signal(SIGALRM, SIG_DFL);
}

/* Timers wasix-libc cannot do: alarm() and a one-shot setitimer (it
 * sends no it_value), getitimer. */
static void libc_timers(void)
{
	handle(SIGALRM, on, 0);
	hits[SIGALRM] = 0;
	printf("alarm(1) %u\n", alarm(1));
	wait_hits(SIGALRM, 1);
	printf("alarm hits %d\n", (int)hits[SIGALRM]);
	alarm(5);
	printf("alarm(5) then alarm(0) left>0 %d\n", alarm(0) > 0);
	struct itimerval it = {{0, 0}, {0, 50000}}, cur;
	hits[SIGALRM] = 0;
	R("setitimer one-shot", setitimer(ITIMER_REAL, &it, NULL));
	wait_hits(SIGALRM, 1);
	printf("one-shot hits %d\n", (int)hits[SIGALRM]);
	it.it_interval.tv_usec = 20000;
	it.it_value.tv_usec = 20000;
	setitimer(ITIMER_REAL, &it, NULL);
	R("getitimer", getitimer(ITIMER_REAL, &cur));
	printf("periodic interval %ld\n", (long)cur.it_interval.tv_usec);
	memset(&it, 0, sizeof it);
	setitimer(ITIMER_REAL, &it, NULL);
	signal(SIGALRM, SIG_DFL);
}

static void jumps(void)
{
	handle(SIGUSR1, jump, 0);
	int v = sigsetjmp(jb, 1);
	if (v == 0) {
		raise(SIGUSR1);
		printf("not reached\n");
	}
	printf("siglongjmp from handler %d, USR1 blocked after %d\n", v,
	       blocked(SIGUSR1));
}

/* Three jumps out of the handler to the same buffer. */
static void jumps_loop(void)
{
	volatile int rounds = 0;
	hits[SIGUSR1] = 0;
	handle(SIGUSR1, jump_count, 0);
	if (sigsetjmp(jb, 1) < 3) {
		rounds++;
		raise(SIGUSR1);
	}
	printf("handler jumps in a loop %d\n", rounds);
	hits[SIGUSR2] = 0;
	handle(SIGUSR2, on, 0);
	raise(SIGUSR2);
	printf("still handling after jumps %d\n", (int)hits[SIGUSR2]);
	signal(SIGUSR1, SIG_DFL);
}

int main(int argc, char **argv)
{
	corpus_init();
	const char *only = argc > 1 ? argv[1] : "";
	if (!strcmp(only, "die")) {
		printf("dying by SIGTERM\n");
		fflush(stdout);
		raise(SIGTERM);
		printf("survived\n");
		return 1;
	}
	if (!strcmp(only, "abort")) {
		printf("abort\n");
		fflush(stdout);
		abort();
	}
	if (!*only || !strcmp(only, "basics"))
		basics();
	if (!strcmp(only, "libc"))
		libc_gaps();
	if (!strcmp(only, "libctimers"))
		libc_timers();
	if (!*only || !strcmp(only, "timers"))
		timers();
	if (!*only || !strcmp(only, "jumps")) {
		jumps();
		jumps_loop();
	}
	printf("done\n");
	return 0;
}
