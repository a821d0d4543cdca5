/*
 * c_stress.c: the stress run. 64 threads each lock and unlock a futex
 * mutex 10,000 times around a plain (non-atomic) counter; then a
 * condition-variable handshake: each thread waits on 'go', the main
 * thread broadcasts it and waits on a second condvar until every thread
 * has checked in. Prints the totals; exits 0 only if they are exact.
 */
#include "guest.h"

#define NTHREADS 64
#define NITER    10000

static guest_mutex mu;
static guest_cond go_cv, in_cv;
static int go, checked_in, finished;
static long counter;

static void worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < NITER; i++) {
		guest_lock(&mu);
		counter++;
		guest_unlock(&mu);
	}
	guest_lock(&mu);
	checked_in++;
	guest_cond_broadcast(&in_cv);
	while (!go)
		guest_cond_wait(&go_cv, &mu);
	finished++;
	guest_cond_broadcast(&in_cv);
	guest_unlock(&mu);
}

void _start(void)
{
	for (int i = 0; i < NTHREADS; i++)
		if (guest_spawn(worker, 0) < 1)
			guest_exit(3);
	guest_lock(&mu);
	while (checked_in < NTHREADS)
		guest_cond_wait(&in_cv, &mu);
	go = 1;
	guest_cond_broadcast(&go_cv);
	while (finished < NTHREADS)
		guest_cond_wait(&in_cv, &mu);
	guest_unlock(&mu);
	guest_print("counter", (uint64_t)counter);
	guest_print("finished", (uint64_t)finished);
	guest_exit(
	    counter == (long)NTHREADS * NITER && finished == NTHREADS ? 0 : 1);
}
