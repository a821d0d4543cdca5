/*
 * wasmix_timer.c: timeouts (wasmix_timer.h): one thread per armed
 * timeout, waiting on a CLOCK_MONOTONIC condition variable.
 *
 * Keeps true: once armed by a process, a timer is stopped and joined by
 * that process only, and after wasmix_timer_stop returns its thread no
 * longer touches the flags.
 */
#include "wasmix_timer.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

void wasmix_ts_add_ms(struct timespec *ts, uint64_t ms)
{
	ts->tv_sec += (time_t)(ms / 1000);
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static void *wasmix_timer_main(void *arg)
{
	struct wasmix_timer *t = arg;
	int rc = 0;

	pthread_mutex_lock(&t->mu);
	while (!t->done && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&t->cv, &t->mu, &t->deadline);
	while (!t->done) {
		__atomic_store_n(t->timed_out, 1, __ATOMIC_SEQ_CST);
		*t->flag = 1;
		wasmix_ts_add_ms(&t->deadline, 10);
		pthread_cond_timedwait(&t->cv, &t->mu, &t->deadline);
	}
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

int wasmix_timer_start(struct wasmix_timer *t, uint64_t ms, int *timed_out,
                       volatile sig_atomic_t *flag)
{
	pthread_condattr_t ca;
	int rc;

	memset(t, 0, sizeof *t);
	if (ms == 0)
		return 0;
	t->timed_out = timed_out;
	t->flag = flag;
	clock_gettime(CLOCK_MONOTONIC, &t->deadline);
	wasmix_ts_add_ms(&t->deadline, ms);
	pthread_mutex_init(&t->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cv, &ca);
	pthread_condattr_destroy(&ca);
	rc = pthread_create(&t->thread, NULL, wasmix_timer_main, t);
	if (rc != 0) {
		pthread_cond_destroy(&t->cv);
		pthread_mutex_destroy(&t->mu);
		return rc;
	}
	t->started = 1;
	t->owner = getpid();
	return 0;
}

void wasmix_timer_stop(struct wasmix_timer *t)
{
	if (!t->started || t->owner != getpid())
		return;
	pthread_mutex_lock(&t->mu);
	t->done = 1;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->thread, NULL);
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->mu);
	t->started = 0;
}
