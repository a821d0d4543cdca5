/*
 * c_counter.c: 32 threads each add 1 to a shared 32-bit counter and 5 to
 * a 64-bit one 20,000 times with atomic builtins, then count themselves
 * done; the main thread sleeps on the done count (wait32) and prints the
 * totals. Exits 0 only if both are exact.
 */
#include "guest.h"

#define NTHREADS 32
#define NITER    20000

static int32_t counter;
static int64_t counter64;
static int32_t done;

static void worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < NITER; i++) {
		__atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
		__atomic_fetch_add(&counter64, 5, __ATOMIC_SEQ_CST);
	}
	__atomic_fetch_add(&done, 1, __ATOMIC_SEQ_CST);
	guest_notify(&done, 1);
}

void _start(void)
{
	for (int i = 0; i < NTHREADS; i++)
		if (guest_spawn(worker, 0) < 1)
			guest_exit(3);
	for (;;) {
		int32_t d = __atomic_load_n(&done, __ATOMIC_SEQ_CST);
		if (d == NTHREADS)
			break;
		guest_wait(&done, d, -1);
	}
	guest_print("counter", (uint64_t)counter);
	guest_print("counter64", (uint64_t)counter64);
	guest_exit(counter == NTHREADS * NITER &&
	                   counter64 == 5ll * NTHREADS * NITER
	               ? 0
	               : 1);
}
