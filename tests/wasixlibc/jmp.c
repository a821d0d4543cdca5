/* jmp.c: setjmp/longjmp through wasix-libc's setjmp: one level, the
 * value 0 made 1, across many frames, nested buffers (inner then outer),
 * a loop of jumps, volatile locals, a jump out of a qsort callback
 * (through libc's frames), in a fork child, and sigsetjmp (wasix-libc
 * has no _setjmp/_longjmp). */
#define _GNU_SOURCE
#include "corpus.h"
#include <setjmp.h>
#include <sys/wait.h>
#include <unistd.h>

/* gcc 12 calls down() infinitely recursive: it is not (longjmp). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Winfinite-recursion"
#endif

static jmp_buf outer, inner, deep;

static volatile int depth_seen;

static void down(int n)
{
	depth_seen = n;
	if (n > 0)
		down(n - 1);
	else
		longjmp(deep, 50);
	printf("not reached %d\n", n);
}

static int nested(void)
{
	volatile int step = 0;
	int v = setjmp(outer);
	if (v) {
		printf("outer returned %d after step %d\n", v, step);
		return step;
	}
	step = 1;
	int w = setjmp(inner);
	if (w == 0) {
		step = 2;
		longjmp(inner, 7);
	}
	printf("inner returned %d step %d\n", w, step);
	step = 3;
	longjmp(outer, 9);
}

/* A second pair of nested buffers set in two frames. */
static jmp_buf a, b;

static void set_b_then_jump_a(void)
{
	if (setjmp(b) == 0)
		longjmp(b, 1);
	longjmp(a, 2);
}

/* Two setjmp calls on one buffer in one function. */
static int two_sites(void)
{
	static jmp_buf j;
	volatile int rounds = 0;
	int v = setjmp(j);
	if (v == 0)
		longjmp(j, 10);
	if (setjmp(j) < 3 && ++rounds < 3)
		longjmp(j, rounds);
	return v * 100 + rounds;
}

static jmp_buf cmpjb;

static int cmp_jump(const void *x, const void *y)
{
	(void)x;
	(void)y;
	longjmp(cmpjb, 33);
}

int main(void)
{
	corpus_init();
	jmp_buf one;
	int v = setjmp(one);
	if (v == 0)
		longjmp(one, 5);
	printf("one level %d\n", v);
	volatile int zero = 0;
	v = setjmp(one);
	if (!zero++)
		longjmp(one, 0);
	printf("longjmp 0 gives %d\n", v);
	v = setjmp(deep);
	if (v == 0)
		down(100);
	printf("across 100 frames %d\n", v);
	printf("nested done %d\n", nested());
	v = setjmp(a);
	if (v == 0)
		set_b_then_jump_a();
	printf("nested in two frames %d\n", v);
	printf("two setjmp sites in one function %d\n", two_sites());
	volatile int count = 0;
	jmp_buf loop;
	v = setjmp(loop);
	if (++count < 1000)
		longjmp(loop, count);
	printf("loop of jumps count %d last %d\n", count, v);
	int arr[4] = {4, 3, 2, 1};
	v = setjmp(cmpjb);
	if (v == 0)
		qsort(arr, 4, sizeof *arr, cmp_jump);
	printf("out of qsort callback %d\n", v);
	sigjmp_buf sj;
	v = sigsetjmp(sj, 0);
	if (v == 0)
		siglongjmp(sj, 8);
	printf("sigsetjmp %d\n", v);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		jmp_buf c;
		int w = setjmp(c);
		if (w == 0)
			longjmp(c, 11);
		if (setjmp(deep) == 0)
			down(10);
		_exit(w);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("fork child jumped, exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	/* The parent's buffers still work after the child used its copy. */
	v = setjmp(deep);
	if (v == 0)
		down(3);
	printf("parent after child %d\n", v);
	printf("done\n");
	return 0;
}
