/*
 * guest.h: the tiny runtime of the C thread tests (built with
 * clang --target=wasm32-wasi -matomics -mbulk-memory -nostdlib, linked
 * with guest_start.s and a shared imported memory). Debian ships no
 * wasm32-wasi-threads sysroot, so these guests use no libc: raw imports,
 * clang's wasm atomic builtins, and a futex mutex and condition variable
 * of their own.
 *
 * Thread stacks: wasi_thread_start (guest_start.s) loads __stack_pointer
 * from the word its argument points at, so each thread gets the top of
 * one of the static 'guest_stacks' before any C code runs.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdint.h>

#define IMPORT(m, n) __attribute__((import_module(m), import_name(n)))

IMPORT("wasi", "thread-spawn") int32_t guest_spawn_raw(int32_t arg);
IMPORT("wasi_snapshot_preview1", "proc_exit")
_Noreturn void guest_exit(int32_t);
IMPORT("wasi_snapshot_preview1", "fd_write")
int32_t guest_fd_write(int32_t fd, const void *iov, int32_t n, int32_t *nw);

#ifndef GUEST_MAX_THREADS
#define GUEST_MAX_THREADS 64
#endif
#define GUEST_STACK 8192

/* What wasi_thread_start receives: the stack top first (guest_start.s). */
struct guest_start {
	uint32_t stack_top;
	void (*fn)(void *);
	void *arg;
};

static char guest_stacks[GUEST_MAX_THREADS][GUEST_STACK]
    __attribute__((aligned(16)));
static struct guest_start guest_starts[GUEST_MAX_THREADS];
static int guest_nspawned;

/* Called by guest_start.s on the new thread's own stack. */
void guest_thread_main(int32_t tid, struct guest_start *st);
void guest_thread_main(int32_t tid, struct guest_start *st)
{
	(void)tid;
	st->fn(st->arg);
}

/* Starts fn(arg) on a new thread (main thread only); tid or < 0. */
static inline int32_t guest_spawn(void (*fn)(void *), void *arg)
{
	if (guest_nspawned >= GUEST_MAX_THREADS)
		return -1;
	struct guest_start *st = &guest_starts[guest_nspawned];
	st->stack_top =
	    (uint32_t)(uintptr_t)(guest_stacks[guest_nspawned] + GUEST_STACK);
	st->fn = fn;
	st->arg = arg;
	guest_nspawned++;
	return guest_spawn_raw((int32_t)(uintptr_t)st);
}

static inline void guest_puts(const char *s)
{
	uint32_t iov[2] = {(uint32_t)(uintptr_t)s, 0};
	int32_t nw;

	while (s[iov[1]] != 0)
		iov[1]++;
	guest_fd_write(1, iov, 1, &nw);
}

/* Writes "name=value\n". */
static inline void guest_print(const char *name, uint64_t v)
{
	char buf[64];
	int n = 0, i;

	for (i = 0; name[i] != 0 && n < 40; i++)
		buf[n++] = name[i];
	buf[n++] = '=';
	char digits[24];
	int k = 0;
	do {
		digits[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (k > 0)
		buf[n++] = digits[--k];
	buf[n++] = '\n';
	buf[n] = 0;
	guest_puts(buf);
}

static inline int32_t guest_wait(int32_t *addr, int32_t expected, int64_t ns)
{
	return __builtin_wasm_memory_atomic_wait32(addr, expected, ns);
}

static inline uint32_t guest_notify(int32_t *addr, uint32_t n)
{
	return __builtin_wasm_memory_atomic_notify(addr, n);
}

/* Futex mutex: 0 free, 1 locked, 2 locked with (possible) waiters. */
typedef struct {
	int32_t state;
} guest_mutex;

static inline void guest_lock(guest_mutex *m)
{
	int32_t c = 0;

	if (__atomic_compare_exchange_n(&m->state, &c, 1, 0, __ATOMIC_ACQUIRE,
	                                __ATOMIC_RELAXED))
		return;
	if (c != 2)
		c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		guest_wait(&m->state, 2, -1);
		c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
	}
}

static inline void guest_unlock(guest_mutex *m)
{
	if (__atomic_fetch_sub(&m->state, 1, __ATOMIC_RELEASE) != 1) {
		__atomic_store_n(&m->state, 0, __ATOMIC_RELEASE);
		guest_notify(&m->state, 1);
	}
}

/* Condition variable: a sequence number waited on as a futex. */
typedef struct {
	int32_t seq;
} guest_cond;

static inline void guest_cond_wait(guest_cond *cv, guest_mutex *m)
{
	int32_t seq = __atomic_load_n(&cv->seq, __ATOMIC_SEQ_CST);

	guest_unlock(m);
	guest_wait(&cv->seq, seq, -1);
	guest_lock(m);
}

static inline void guest_cond_broadcast(guest_cond *cv)
{
	__atomic_fetch_add(&cv->seq, 1, __ATOMIC_SEQ_CST);
	guest_notify(&cv->seq, UINT32_MAX);
}

#endif
