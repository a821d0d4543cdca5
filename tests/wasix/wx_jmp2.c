/*
 * wx_jmp2.c: setjmp/longjmp the way wasix-libc builds it: setjmp is a
 * real function that forwards the buffer to the stack_checkpoint import,
 * here through 1, 2 or 3 noinline wrapper levels (set1: the import call,
 * like __wasilibc_setjmp; set2: setjmp; set3: sigsetjmp, which uses the
 * snapshot's 'user' word after the checkpoint returned), so the frames
 * between the user's frame and the import have returned by the time of a
 * longjmp, and the runtime must rebuild them. longjmp also goes through
 * two wrapper levels (jump2 -> jump -> stack_restore).
 * With no argument: longjmp across frames at each level (values, 0 -> 1,
 * locals, the shadow stack pointer), through 8 levels, a longjmp while
 * the outer wrapper still runs, 100000 setjmps in a loop, longjmp in a
 * fork child, and longjmp out of SIGUSR1 and SIGALRM handlers; one "ok"
 * line per group.
 * 'wx_jmp2 stale1' / 'stale2' / 'stale3' / 'deadcall' / 'toodeep' each
 * end in a trap: a longjmp to a buffer whose user frame returned (at each
 * level), or whose depth a new activation of the same caller holds, or
 * made through 9 wrapper levels (more than the runtime's 8: the 9th frame
 * is taken for the user's, and it returned).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wx_check.h"

/* The WASIX stack_snapshot: the guest's word, then the runtime's token. */
struct snap {
	uint64_t user;
	uint8_t token[16];
};

int raw_checkpoint(struct snap *s, uint64_t *ret)
    __attribute__((import_module("wasix_32v1"),
                   import_name("stack_checkpoint")));
_Noreturn void raw_restore(struct snap *s, uint64_t val)
    __attribute__((import_module("wasix_32v1"), import_name("stack_restore")));

#define SETJMP_FN __attribute__((noinline, returns_twice))

/* Level 1: the frame that calls the import (ret on the shadow stack). */
SETJMP_FN static int set1(struct snap *s)
{
	uint64_t ret = 0;

	if (raw_checkpoint(s, &ret) != 0)
		abort();
	return (int)ret;
}

/* Level 2: a plain forwarder. */
SETJMP_FN static int set2(struct snap *s)
{
	return set1(s);
}

static void (*after_set3)(struct snap *s);

/*
 * Level 3: forwards, then (first return only) keeps a heap block in the
 * snapshot's user word, freeing the one before, and calls 'after_set3'.
 */
SETJMP_FN static int set3(struct snap *s)
{
	int r = set2(s);

	if (r == 0) {
		if (s->user != 0)
			free((void *)(uintptr_t)s->user);
		s->user = (uint64_t)(uintptr_t)malloc(16);
		if (after_set3 != NULL)
			after_set3(s);
	}
	return r;
}

/* n + 1 frames of its own, then set1: n + 2 wrapper levels. */
SETJMP_FN static int setr(struct snap *s, int n)
{
	return n ? setr(s, n - 1) : set1(s);
}

__attribute__((noinline)) _Noreturn static void jump(struct snap *s, int val)
{
	raw_restore(s, (uint64_t)(int64_t)(val ? val : 1));
}

__attribute__((noinline)) _Noreturn static void jump2(struct snap *s, int val)
{
	jump(s, val);
}

static struct snap top;
static volatile int sink;

/* Calls itself 'n' more times, then jumps to 's' with 'val'. */
__attribute__((noinline)) static void dive(struct snap *s, int n, int val)
{
	volatile char pad[256]; /* a shadow-stack frame of its own */

	pad[n & 255] = (char)n;
	sink += pad[n & 255];
	if (n == 0)
		jump2(s, val);
	dive(s, n - 1, val);
	sink++; /* not a tail call */
}

/* The address of a fresh local: the shadow stack pointer, roughly. */
__attribute__((noinline)) static uintptr_t stack_probe(void)
{
	volatile char c = 0;
	volatile uintptr_t a = (uintptr_t)&c;

	return a;
}

/*
 * setjmp through 'level' wrappers, in the caller's frame (a helper
 * function returning setjmp's value would end the snapshot's life).
 */
#define SET_N(level, s)                                                        \
	((level) == 1 ? set1(s) : (level) == 2 ? set2(s) : set3(s))

__attribute__((noinline)) static void test_level(int level)
{
	volatile int v = 1;
	int kept = 1234 + level, r;
	uintptr_t sp0 = stack_probe();

	r = SET_N(level, &top);
	if (r == 0) {
		CHECK(level == 3 ? top.user != 0 : top.user == 0);
		v = 2;
		dive(&top, 10, 42);
		CHECK(!"dive returned");
	}
	CHECK(r == 42);
	CHECK(v == 2);
	CHECK(kept == 1234 + level);
	CHECK(stack_probe() == sp0);
	r = SET_N(level, &top);
	if (r == 0)
		dive(&top, 3, 0);
	CHECK(r == 1); /* 0 arrives as 1 */
	r = SET_N(level, &top);
	if (r == 0)
		jump(&top, -7); /* from the user frame itself */
	CHECK(r == -7);
	CHECK(stack_probe() == sp0);
	printf("ok %d wrapper level(s): values, 0 -> 1, locals, stack\n",
	       level);
}

/* 8 wrapper levels, the most the runtime rebuilds. */
static void test_max_levels(void)
{
	struct snap b = {0};
	volatile int v = 1;
	int r = setr(&b, 6);

	if (r == 0) {
		v = 2;
		dive(&b, 4, 8);
	}
	CHECK(r == 8 && v == 2);
	printf("ok 8 wrapper levels (the most)\n");
}

/*
 * Two live buffers in one frame, both through wrappers (wasix-libc's
 * setjmp -> __wasilibc_setjmp -> import): the wrappers' frames sit at the
 * same depth and pc both times, only the call sites in this frame
 * differ. longjmp to the inner one, then to the outer one, must reach
 * each setjmp's own call site (a wasix-libc lua/sqlite pattern; it used
 * to loop back to the inner setjmp forever).
 */
static void test_nested(int level)
{
	struct snap outer = {0}, inner = {0};
	volatile int stage = 0, inner_hits = 0;
	int r, q;

	r = SET_N(level, &outer);
	if (r != 0) {
		CHECK(r == 7 && stage == 2 && inner_hits == 2);
		printf("ok nested live buffers, %d wrapper level(s)\n", level);
		return;
	}
	q = SET_N(level, &inner);
	inner_hits++;
	if (q == 0) {
		stage = 1;
		dive(&inner, 3, 5);
	}
	CHECK(q == 5 && stage == 1);
	stage = 2;
	dive(&outer, 2, 7);
}

/*
 * The shape clang -O2 gave wasix-libc's setjmp in a real program: a copy
 * of the wrapper with the buffer's address folded in, taking no argument,
 * so that nothing in its frame names the buffer. Only when it returns
 * (one result, no call since the checkpoint) does the runtime learn it
 * was a wrapper, and moves the snapshot to the caller.
 */
static struct snap folded;

SETJMP_FN static int set_folded(void)
{
	uint64_t ret = 0;

	if (raw_checkpoint(&folded, &ret) != 0)
		abort();
	return (int)ret;
}

static void on_usr2(int sig)
{
	jump(&folded, sig);
}

static void test_folded(void)
{
	volatile int v = 0, n = 0;
	int r = set_folded();

	if (r == 0) {
		v = 1;
		dive(&folded, 3, 9);
	}
	CHECK(r == 9 && v == 1);
	signal(SIGUSR2, on_usr2);
	r = set_folded();
	if (r == 0) {
		raise(SIGUSR2);
		CHECK(!"raise returned");
	}
	CHECK(r == SIGUSR2);
	signal(SIGUSR2, SIG_DFL);
	for (int i = 0; i < 20000; i++) { /* no growth: one entry per site */
		r = set_folded();
		if (r == 0)
			jump(&folded, i + 1);
		n += r == i + 1;
	}
	CHECK(n == 20000);
	printf("ok a setjmp wrapper with the buffer folded in\n");
}

static int jumped_early;

static void jump_from_set3(struct snap *s)
{
	jumped_early++;
	dive(s, 2, 5);
}

/* A longjmp while set3, a wrapper, still runs (rebuilt, not resumed). */
static void test_wrapper_live(void)
{
	volatile int v = 0;
	int r;

	after_set3 = jump_from_set3;
	r = set3(&top);
	after_set3 = NULL;
	v++;
	CHECK(r == 5 && v == 1 && jumped_early == 1);
	printf("ok longjmp while the wrapper still runs\n");
}

static void test_loop(void)
{
	struct snap b = {0};
	volatile long sum = 0;
	volatile int i;

	for (i = 0; i < 100000; i++) {
		int r = SET_N(1 + i % 3, &b);
		if (r == 0) {
			if (i & 1)
				dive(&b, 2, i);
			sum += 1;
		} else {
			CHECK(r == i);
			sum += 2;
		}
	}
	CHECK(sum == 150000);
	printf("ok 100000 setjmps through wrappers in a loop\n");
}

static void test_fork(void)
{
	volatile int stage = 0;
	int status = 0, r = set2(&top);
	pid_t pid;

	if (r != 0) {
		if (stage == 1)
			_exit(r == 9 ? 7 : 1);
		_exit(2);
	}
	stage = 1;
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		dive(&top, 5, 9);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
	printf("ok longjmp through wrappers in a fork child\n");
}

static struct snap sigenv;
static volatile int handled;

static void on_sig(int sig)
{
	struct snap local = {0};
	volatile int step = 0;

	/* A jump inside the handler's own (nested) run first. */
	if (set2(&local) == 0) {
		step = 1;
		dive(&local, 3, 1);
	}
	if (step == 1)
		handled++;
	jump2(&sigenv, sig);
}

static void test_signals(void)
{
	volatile int round, spins = 0;
	struct sigaction sa = {0};
	int r;

	/* SA_NODEFER: the jump out restores no signal mask (as natively). */
	sa.sa_handler = on_sig;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	for (round = 0; round < 3; round++) {
		r = set3(&sigenv);
		if (r == 0) {
			kill(getpid(), SIGUSR1);
			CHECK(!"kill returned into the handler's caller");
		}
		CHECK(r == SIGUSR1);
	}
	CHECK(handled == 3);
	r = set2(&sigenv);
	if (r == 0) {
		alarm(1);
		for (;;) /* no calls: delivered at a back-edge */
			spins = spins + 1;
	}
	CHECK(r == SIGALRM && handled == 4);
	printf("ok longjmp out of SIGUSR1 and SIGALRM handlers\n");
}

/* ---- the trapping modes ---------------------------------------------- */

static struct snap gone, other;

__attribute__((noinline)) static void set_gone(int level)
{
	if (SET_N(level, &gone) != 0)
		printf("FAIL: came back through a returned frame\n");
}

__attribute__((noinline)) static void set_other(void)
{
	if (set2(&other) != 0)
		printf("FAIL: came back to the wrong frame\n");
}

static int trap_mode(const char *mode)
{
	if (strncmp(mode, "stale", 5) == 0) {
		set_gone(mode[5] - '0');
		jump2(&gone, 1);
	} else if (strcmp(mode, "deadcall") == 0) {
		/* Same depth, same caller, a new activation: still stale. */
		set_gone(2);
		set_other();
		jump(&gone, 1);
	} else if (strcmp(mode, "toodeep") == 0) {
		/* 9 levels: the 9th is taken for the user's frame. */
		struct snap b = {0};
		if (setr(&b, 7) == 0)
			jump(&b, 1);
	}
	printf("FAIL: %s did not trap\n", mode);
	return 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1)
		return trap_mode(argv[1]);
	test_level(1);
	test_level(2);
	test_level(3);
	test_max_levels();
	for (int lv = 1; lv <= 3; lv++)
		test_nested(lv);
	test_folded();
	test_wrapper_live();
	test_loop();
	test_fork();
	test_signals();
	return 0;
}
