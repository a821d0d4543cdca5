/*
 * dy_thr: threads in a dynamic program (no libc: dy_thr_start.s is the
 * thread entry). Four threads and the main one run recursion in
 * libdyt.so with data on their own shadow stacks at once; each result
 * must be what it is alone.
 */
#include "dy.h"

DY_WASIX(thread_spawn_v2) int dy_thread_spawn(void *arg, int *tid);

int dyt_deep(int depth, int seed);

#define NTHR 4
#define STACK 16384

struct start {
	unsigned long stack_top; /* read by dy_thr_start.s */
	int seed;
	int result;
};

static char stacks[NTHR][STACK] __attribute__((aligned(16)));
static struct start starts[NTHR];
static int done;

void dy_thread_body(int tid, struct start *s)
{
	int r = 0;

	(void)tid;
	for (int i = 0; i < 300; i++)
		r += dyt_deep(100, s->seed + i);
	s->result = r;
	__atomic_fetch_add(&done, 1, __ATOMIC_SEQ_CST);
}

void _start(void)
{
	int tid = 0, want[NTHR], mine = 0;

	for (int t = 0; t < NTHR; t++) {
		starts[t].stack_top = (unsigned long)stacks[t] + STACK;
		starts[t].seed = 1000 * t;
		CHECK(dy_thread_spawn(&starts[t], &tid) == 0 && tid > 1);
	}
	for (int i = 0; i < 300; i++)
		mine += dyt_deep(100, 7 + i);
	while (__atomic_load_n(&done, __ATOMIC_SEQ_CST) < NTHR)
		;
	for (int t = 0; t < NTHR; t++) {
		want[t] = 0;
		for (int i = 0; i < 300; i++)
			want[t] += dyt_deep(100, starts[t].seed + i);
		CHECK(starts[t].result == want[t]);
	}
	CHECK(mine == 300 * (7 + 100 + 100) + 300 * 299 / 2);
	dy_puts("ok threads");
	dy_exit(0);
}
