/*
 * dy_thr: threads in a dynamic program (no libc: dy_thr_start.s is the
 * thread entry). Four threads and the main one run recursion in
 * libdyt.so with data on their own shadow stacks at once; each result
 * must be what it is alone. They also count on a thread-local variable
 * of libdytls.so (dlopen'd before the threads start; a hand-written
 * module, libdytls.wat): each thread from the initial 5, at its own
 * address (the runtime calls the library's __wasix_init_tls for each
 * new thread, which takes its block from dytls_alloc here). Then, while
 * the threads wait, a copy of it (libdytls2.so) is dlopen'd: each thread
 * gets its block of that one at its next system call, and counts alone
 * again.
 */
#include "dy.h"

DY_WASIX(thread_spawn_v2) int dy_thread_spawn(void *arg, int *tid);
DY_WASIX(futex_wait)
int dy_futex_wait(unsigned *addr, unsigned expected, const void *timeout,
                  unsigned char *woken);
DY_WASIX(futex_wake_all)
int dy_futex_wake_all(unsigned *addr, unsigned char *woken);
DY_WASI(sched_yield) int dy_sched_yield(void);

int dyt_deep(int depth, int seed);

#define NTHR  4
#define STACK 16384

struct start {
	unsigned long stack_top; /* read by dy_thr_start.s and the runtime */
	unsigned long tls_base;  /* the main module's: it has no TLS */
	int seed;
	int result;
	int tls_count;
	int tls_addr;
	int tls2_count;
	int tls2_addr;
};

static char stacks[NTHR][STACK] __attribute__((aligned(16)));
static struct start starts[NTHR];
static int done;

/* The TLS blocks of libdytls.so's threads: a bump allocator. */
static char arena[4096] __attribute__((aligned(16)));
static unsigned long arena_used;

unsigned long dytls_alloc(unsigned long align, unsigned long size)
{
	unsigned long at =
	    __atomic_fetch_add(&arena_used, 64, __ATOMIC_SEQ_CST);

	if (align > 16 || size > 64 || at + 64 > sizeof arena)
		return 0;
	return (unsigned long)arena + at;
}

static int (*tls_bump)(void);
static int (*tls_addr)(void);
static int (*tls2_bump)(void);
static int (*tls2_addr)(void);
static unsigned phase2;
static int done2;

static void count_tls(struct start *s)
{
	int v = 0;

	for (int i = 0; i < 1000; i++)
		v = tls_bump();
	s->tls_count = v;
	s->tls_addr = tls_addr();
}

static void count_tls2(struct start *s)
{
	int v = 0;

	for (int i = 0; i < 1000; i++)
		v = tls2_bump();
	s->tls2_count = v;
	s->tls2_addr = tls2_addr();
}

/* Waits until libdytls2.so is loaded; then one system call (where the
 * runtime gives this thread its block of it), then counts on it. */
static void phase_two(struct start *s)
{
	static const unsigned long long no_timeout[2] = {0, 0};
	unsigned char woken;

	while (__atomic_load_n(&phase2, __ATOMIC_ACQUIRE) == 0)
		dy_futex_wait(&phase2, 0, no_timeout, &woken);
	dy_sched_yield();
	count_tls2(s);
	__atomic_fetch_add(&done2, 1, __ATOMIC_SEQ_CST);
}

void dy_thread_body(int tid, struct start *s)
{
	int r = 0;

	(void)tid;
	for (int i = 0; i < 300; i++)
		r += dyt_deep(100, s->seed + i);
	s->result = r;
	count_tls(s);
	__atomic_fetch_add(&done, 1, __ATOMIC_SEQ_CST);
	phase_two(s);
}

void _start(void)
{
	int tid = 0, want[NTHR], mine = 0;
	struct start main_tls = {0, 0, 0, 0, 0, 0, 0, 0};
	unsigned char woken;
	char err[128];
	unsigned h = 0;
	unsigned long a = 0;

	CHECK(dy_dlopen_raw("libdytls.so", 11, DY_RTLD_NOW, err, sizeof err, "",
	                    0, &h) == 0);
	CHECK(dy_dlsym_raw(h, "dytls_bump", 10, err, sizeof err, &a) == 0);
	tls_bump = (int (*)(void))a;
	CHECK(dy_dlsym_raw(h, "dytls_addr", 10, err, sizeof err, &a) == 0);
	tls_addr = (int (*)(void))a;
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
	count_tls(&main_tls);
	CHECK(main_tls.tls_count == 1005);
	for (int t = 0; t < NTHR; t++) {
		CHECK(starts[t].tls_count == 1005);
		CHECK(starts[t].tls_addr != main_tls.tls_addr);
		for (int u = 0; u < t; u++)
			CHECK(starts[t].tls_addr != starts[u].tls_addr);
	}
	/* Phase two: a library dlopen'd while the threads run. */
	CHECK(dy_dlopen_raw("libdytls2.so", 12, DY_RTLD_NOW, err, sizeof err,
	                    "", 0, &h) == 0);
	CHECK(dy_dlsym_raw(h, "dytls_bump", 10, err, sizeof err, &a) == 0);
	tls2_bump = (int (*)(void))a;
	CHECK(dy_dlsym_raw(h, "dytls_addr", 10, err, sizeof err, &a) == 0);
	tls2_addr = (int (*)(void))a;
	__atomic_store_n(&phase2, 1, __ATOMIC_RELEASE);
	dy_futex_wake_all(&phase2, &woken);
	while (__atomic_load_n(&done2, __ATOMIC_SEQ_CST) < NTHR)
		;
	count_tls2(&main_tls);
	CHECK(main_tls.tls2_count == 1005);
	for (int t = 0; t < NTHR; t++) {
		CHECK(starts[t].tls2_count == 1005);
		CHECK(starts[t].tls2_addr != main_tls.tls2_addr);
		for (int u = 0; u < t; u++)
			CHECK(starts[t].tls2_addr != starts[u].tls2_addr);
	}
	dy_puts("ok threads");
	dy_exit(0);
}
