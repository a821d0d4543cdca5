/*
 * futex_lock.c: the futex lock benchmark. NTHREADS threads (1:
 * uncontended, several: contended) each take and release one futex mutex
 * ITERS times around a shared counter, then the program prints the
 * counter. The same source builds natively (pthreads, the Linux futex
 * system call) and for wasm (wasi thread-spawn, memory.atomic.wait32 and
 * notify, no libc: tests/threads/guest.h), with the same mutex algorithm
 * (0 free, 1 locked, 2 locked with waiters), so the ratio compares the
 * runtime's atomics, waits and wake-ups with the host's.
 * Build with -DNTHREADS=n -DITERS=n (bench/run_threads.sh does).
 */
#include <stdint.h>

#ifndef NTHREADS
#define NTHREADS 1
#endif
#ifndef ITERS
#define ITERS 1000000
#endif

#ifdef __wasm__
#include "../../tests/threads/guest.h"
#define fwait(p, v) guest_wait((int32_t *)(p), (v), -1)
#define fwake(p)    guest_notify((int32_t *)(p), 1)
#else
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
#define fwait(p, v)                                                            \
	syscall(SYS_futex, (p), FUTEX_WAIT_PRIVATE, (v), NULL, NULL, 0)
#define fwake(p) syscall(SYS_futex, (p), FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0)
#endif

static int32_t lock_word;
static int32_t done;
static long counter;

static void lock(void)
{
	int32_t c = 0;

	if (__atomic_compare_exchange_n(&lock_word, &c, 1, 0, __ATOMIC_ACQUIRE,
	                                __ATOMIC_RELAXED))
		return;
	if (c != 2)
		c = __atomic_exchange_n(&lock_word, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		fwait(&lock_word, 2);
		c = __atomic_exchange_n(&lock_word, 2, __ATOMIC_ACQUIRE);
	}
}

static void unlock(void)
{
	if (__atomic_fetch_sub(&lock_word, 1, __ATOMIC_RELEASE) != 1) {
		__atomic_store_n(&lock_word, 0, __ATOMIC_RELEASE);
		fwake(&lock_word);
	}
}

static void work(void)
{
	for (int i = 0; i < ITERS; i++) {
		lock();
		counter++;
		unlock();
	}
	__atomic_fetch_add(&done, 1, __ATOMIC_SEQ_CST);
	fwake(&done);
}

/* Waits until every worker counted itself done. */
static void wait_done(void)
{
	for (;;) {
		int32_t d = __atomic_load_n(&done, __ATOMIC_SEQ_CST);
		if (d == NTHREADS)
			return;
		fwait(&done, d);
	}
}

#ifdef __wasm__
static void worker(void *arg)
{
	(void)arg;
	work();
}

void _start(void)
{
	for (int i = 0; i < NTHREADS; i++)
		if (guest_spawn(worker, 0) < 1)
			guest_exit(3);
	wait_done();
	guest_print("counter", (uint64_t)counter);
	guest_exit(0);
}
#else
static void *worker(void *arg)
{
	(void)arg;
	work();
	return NULL;
}

int main(void)
{
	pthread_t t[NTHREADS];

	for (int i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, worker, NULL) != 0)
			return 3;
	wait_done();
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	printf("counter=%ld\n", counter);
	return 0;
}
#endif
