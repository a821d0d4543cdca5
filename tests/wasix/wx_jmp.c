/*
 * wx_jmp.c: setjmp/longjmp (WASIX stack_checkpoint / stack_restore).
 * With no argument: longjmp across frames (values, 0 -> 1, locals, the
 * shadow stack pointer), nested buffers, 100000 setjmps in loops, longjmp
 * in a fork child, siglongjmp out of SIGUSR1 and SIGALRM handlers, and
 * a signal taken together with one whose handler siglongjmps stays
 * pending; one "ok" line per group.
 * 'wx_jmp stale' / 'forged' / 'badhash' / 'evicted' / 'deadcall' each end
 * in a trap: a longjmp to a returned frame; to a live buffer overwritten
 * with random bytes, or with one bit of its check value flipped; to a
 * snapshot pushed out of the runtime's capped table by 4999 later ones;
 * to a returned frame whose depth a new activation holds.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wx_check.h"

static jmp_buf top;
static volatile int sink;

/* Calls itself 'n' more times, then jumps to 'env' with 'val'. */
__attribute__((noinline)) static void dive(jmp_buf env, int n, int val)
{
	volatile char pad[256]; /* a shadow-stack frame of its own */

	pad[n & 255] = (char)n;
	sink += pad[n & 255];
	if (n == 0)
		longjmp(env, val);
	dive(env, n - 1, val);
	sink++; /* not a tail call */
}

/* The address of a fresh local: the shadow stack pointer, roughly. */
__attribute__((noinline)) static uintptr_t stack_probe(void)
{
	volatile char c = 0;
	volatile uintptr_t a = (uintptr_t)&c;

	return a;
}

static void test_frames(void)
{
	volatile int v = 1;
	int kept = 1234, r;
	uintptr_t sp0 = stack_probe();

	r = setjmp(top);
	if (r == 0) {
		v = 2;
		dive(top, 10, 42);
		CHECK(!"dive returned");
	}
	CHECK(r == 42);
	CHECK(v == 2);       /* volatile: its latest value */
	CHECK(kept == 1234); /* not changed since setjmp */
	CHECK(stack_probe() == sp0);
	r = setjmp(top);
	if (r == 0)
		dive(top, 3, 0);
	CHECK(r == 1); /* longjmp(env, 0) returns 1 */
	r = setjmp(top);
	if (r == 0)
		longjmp(top, -7); /* from the setjmp frame itself */
	CHECK(r == -7);
	CHECK(stack_probe() == sp0);
	printf("ok longjmp across frames: values, 0 -> 1, locals, stack\n");
}

static jmp_buf outer, inner;

__attribute__((noinline)) static int nested_inner(volatile int *trace)
{
	volatile int step = 0;
	int r = setjmp(inner);

	*trace = *trace * 10 + r;
	if (r == 0) {
		step = 1;
		dive(inner, 2, 3); /* to inner */
	}
	if (step == 1 && r == 3) {
		step = 2;
		dive(outer, 4, 5); /* past inner, to outer */
	}
	return -1;
}

static void test_nested(void)
{
	volatile int trace = 0;
	int r = setjmp(outer);

	if (r == 0) {
		nested_inner(&trace);
		CHECK(!"nested_inner returned");
	}
	CHECK(r == 5);
	CHECK(trace == 3); /* inner saw 0, then 3 */
	printf("ok nested setjmp buffers\n");
}

/* setjmp in a frame that returns at once: each call is a new frame. */
__attribute__((noinline)) static int set_and_return(jmp_buf env, int i)
{
	if (setjmp(env) != 0)
		return -1;
	return i;
}

static void test_loops(void)
{
	jmp_buf b;
	volatile long sum = 0;
	volatile int i;

	for (i = 0; i < 100000; i++) {
		int r = setjmp(b);
		if (r == 0) {
			if (i & 1)
				dive(b, 2, i); /* half the time, jump */
			sum += 1;
		} else {
			CHECK(r == i);
			sum += 2;
		}
	}
	CHECK(sum == 150000);
	sum = 0;
	for (i = 0; i < 100000; i++)
		sum += set_and_return(b, 1);
	CHECK(sum == 100000);
	printf("ok 2 x 100000 setjmps (entries reused and freed)\n");
}

static void test_fork(void)
{
	volatile int stage = 0;
	int status = 0, r = setjmp(top);
	pid_t pid;

	if (r != 0) {
		/* Only the child longjmps. */
		if (stage == 1)
			_exit(r == 9 ? 7 : 1);
		_exit(2);
	}
	stage = 1;
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		dive(top, 5, 9);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
	printf("ok longjmp in a fork child\n");
}

static sigjmp_buf sigenv;
static volatile int handled;

static void on_sig(int sig)
{
	jmp_buf local;
	volatile int step = 0;

	/* A jump that stays inside the handler's own (nested) run first. */
	if (setjmp(local) == 0) {
		step = 1;
		dive(local, 3, 1);
	}
	if (step == 1)
		handled++;
	siglongjmp(sigenv, sig);
}

static void test_signals(void)
{
	volatile int round, spins = 0;

	signal(SIGUSR1, on_sig);
	signal(SIGALRM, on_sig);
	for (round = 0; round < 3; round++) {
		int r = sigsetjmp(sigenv, 1);
		if (r == 0) {
			kill(getpid(), SIGUSR1);
			CHECK(!"kill returned into the handler's caller");
		}
		CHECK(r == SIGUSR1);
	}
	CHECK(handled == 3);
	int r = sigsetjmp(sigenv, 1);
	if (r == 0) {
		alarm(1);
		for (;;) /* a loop with no calls: delivered at a back-edge */
			spins = spins + 1;
	}
	CHECK(r == SIGALRM);
	CHECK(handled == 4);
	/* The handler is reusable after leaving it by siglongjmp. */
	r = sigsetjmp(sigenv, 1);
	if (r == 0) {
		raise(SIGUSR1);
		CHECK(!"raise returned");
	}
	CHECK(r == SIGUSR1 && handled == 5);
	printf("ok siglongjmp out of SIGUSR1 and SIGALRM handlers\n");
}

static volatile int terms;

/* SIGUSR1 (raised, so run at once): a child sends USR2 and TERM, which
 * stay pending together while this handler runs. */
static void on_usr1_fork(int sig)
{
	int status;
	pid_t pid = fork();

	(void)sig;
	if (pid == 0) {
		kill(getppid(), SIGUSR2);
		kill(getppid(), SIGTERM);
		_exit(0);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

static void on_usr2_jump(int sig)
{
	siglongjmp(sigenv, sig);
}

static void on_term_count(int sig)
{
	(void)sig;
	terms++;
}

static void test_pending(void)
{
	struct timespec ts;
	int r;

	signal(SIGUSR1, on_usr1_fork);
	signal(SIGUSR2, on_usr2_jump);
	signal(SIGTERM, on_term_count);
	r = sigsetjmp(sigenv, 1);
	if (r == 0) {
		raise(SIGUSR1);
		clock_gettime(CLOCK_MONOTONIC, &ts); /* USR2 and TERM here */
		CHECK(!"USR2's handler returned");
	}
	CHECK(r == SIGUSR2);
	CHECK(terms == 0); /* TERM (15) comes after USR2 (12) */
	clock_gettime(CLOCK_MONOTONIC, &ts); /* the next host call */
	CHECK(terms == 1);
	signal(SIGTERM, SIG_DFL);
	printf("ok a signal pending with one that siglongjmps stays pending\n");
}

/* ---- the trapping modes ---------------------------------------------- */

static jmp_buf gone;

__attribute__((noinline)) static void set_gone(void)
{
	if (setjmp(gone) != 0)
		printf("FAIL: came back through a returned frame\n");
}

static void deep_setjmp(jmp_buf *bufs, int n)
{
	if (setjmp(bufs[n]) != 0) {
		printf("FAIL: came back to an evicted snapshot\n");
		exit(1);
	}
	if (n > 0)
		deep_setjmp(bufs, n - 1);
	else
		longjmp(bufs[4999], 1); /* the first (outermost) one */
	sink++;
}

static int trap_mode(const char *mode)
{
	if (strcmp(mode, "stale") == 0) {
		set_gone();
		longjmp(gone, 1);
	} else if (strcmp(mode, "forged") == 0 ||
	           strcmp(mode, "badhash") == 0) {
		/* A live buffer, then overwritten: all of it, or one bit. */
		unsigned char *p = (unsigned char *)top;
		uint32_t x = 12345;
		if (setjmp(top) != 0) {
			printf("FAIL: a forged snapshot was accepted\n");
			return 1;
		}
		for (size_t i = 0; i < 24 && mode[0] == 'f'; i++) {
			x = x * 1103515245u + 12345u;
			p[i] = (unsigned char)(x >> 16);
		}
		p[20] ^= 1;
		longjmp(top, 1);
	} else if (strcmp(mode, "evicted") == 0) {
		static jmp_buf bufs[5000];
		deep_setjmp(bufs, 4999);
	} else if (strcmp(mode, "deadcall") == 0) {
		/* Same depth, same caller, a new activation: still stale. */
		set_gone();
		set_and_return(top, 0);
		longjmp(gone, 1);
	}
	printf("FAIL: %s did not trap\n", mode);
	return 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1)
		return trap_mode(argv[1]);
	test_frames();
	test_nested();
	test_loops();
	test_fork();
	test_signals();
	test_pending();
	return 0;
}
