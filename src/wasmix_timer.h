/*
 * wasmix_timer.h: the timeout of a run or of a call into a wasm.h store
 * (wasmix_config_set_timeout_ms): a thread that sleeps until a deadline
 * and then marks it passed and raises an interrupt flag the VM polls.
 * Used by src/wasmix.c (whole runs) and src/wasmix_wasi.c (stores made
 * by wasmix_store_new).
 */
#ifndef WASMIX_TIMER_H
#define WASMIX_TIMER_H

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/*
 * One armed timeout: sleeps until the deadline or until stopped ('done',
 * under 'mu'), whichever comes first.
 */
struct wasmix_timer {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct timespec deadline; /* CLOCK_MONOTONIC */
	int done;
	int started;
	pid_t owner; /* the host process that started it (not a fork child) */
	int *timed_out;              /* set to 1 at the deadline (atomic) */
	volatile sig_atomic_t *flag; /* raised at the deadline */
};

/* Moves 'ts' (CLOCK_MONOTONIC) 'ms' milliseconds later. */
void wasmix_ts_add_ms(struct timespec *ts, uint64_t ms);

/*
 * Arms 't' for 'ms' milliseconds from now (0: does nothing): at the
 * deadline its thread stores 1 in '*timed_out' (atomically) and raises
 * '*flag', then raises it again every 10 ms until stopped (whoever polls
 * the flag first may lower it; the VM must still see it). Returns 0, or
 * the pthread_create error (nothing armed then).
 */
int wasmix_timer_start(struct wasmix_timer *t, uint64_t ms, int *timed_out,
                       volatile sig_atomic_t *flag);

/*
 * Stops and joins the thread of 't', if it was armed by this host
 * process (a fork child has no thread to join). Does not touch the
 * flags.
 */
void wasmix_timer_stop(struct wasmix_timer *t);

#endif
