/*
 * wasmix_switch.h: the watcher of a background compile (docs/aot.md, the
 * switch-over). A thread of the run waits for the compile's pipe to
 * become readable, then marks the compiled code ready and raises the
 * run's interrupt flag, so that the next poll of a guest thread (a safe
 * point, never a signal handler) loads and binds the code
 * (aot_session_switch, from wasmix_on_interrupt).
 *
 * Keeps true: the watcher only reads two fds and stores two ints: it
 * never allocates, loads code or touches the VM. It is started after the
 * process confined itself (so it is confined too) and stopped and joined
 * before the run is freed, by the process that started it only (a fork
 * child has no such thread).
 */
#ifndef WASMIX_SWITCH_H
#define WASMIX_SWITCH_H

#include <pthread.h>
#include <signal.h>
#include <sys/types.h>

struct wasmix_switch {
	pthread_t thread;
	int fd;      /* the compile's pipe (borrowed: the session owns it) */
	int stop[2]; /* a byte on stop[1] ends the watcher */
	int started;
	pid_t owner;                 /* the process that started it */
	int *ready;                  /* set to 1 when 'fd' is readable */
	volatile sig_atomic_t *flag; /* then raised */
};

/*
 * Starts watching 'fd' (>= 0). Returns 0, or -1 (nothing started: the run
 * just stays interpreted). 'ready' and 'flag' must outlive the watcher.
 */
int wasmix_switch_start(struct wasmix_switch *w, int fd, int *ready,
                        volatile sig_atomic_t *flag);

/* Stops and joins the watcher if this process started one; else nothing. */
void wasmix_switch_stop(struct wasmix_switch *w);

#endif
