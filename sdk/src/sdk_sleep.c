/*
 * sdk_sleep.c: nanosleep, clock_nanosleep, usleep and sleep that end with
 * EINTR (and the time left) when a signal handler ran, over poll_oneoff.
 *
 * wasi-libc's versions turn every poll_oneoff error into ENOTSUP; these
 * replace them at link time (libwasix.a comes before libc.a, and these
 * four are each alone in their libc.a member, so no member is pulled in
 * twice). Keeps true: a wait that only blocked or ignored signals
 * interrupted goes on until its deadline (sdk_signal.c counts the
 * handlers run); only CLOCK_REALTIME and CLOCK_MONOTONIC are known.
 */
#include <errno.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

#include <wasix/posix.h>

unsigned __wasix_sig_handled(void); /* sdk_signal.c */

/*
 * One wait of 'ns' nanoseconds on the monotonic clock. Returns 0 or the
 * WASI error (EINTR if a signal interrupted it). Used by sigsuspend too.
 */
int __wasix_sdk_wait_ns(unsigned long long ns)
{
	__wasi_subscription_t sub = {0};
	__wasi_event_t ev;
	__wasi_size_t n = 0;

	sub.u.tag = __WASI_EVENTTYPE_CLOCK;
	sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
	sub.u.u.clock.timeout = ns;
	return __wasi_poll_oneoff(&sub, &ev, 1, &n);
}

static int sdk_clock_id(clockid_t clk, __wasi_clockid_t *id)
{
	if (clk == CLOCK_REALTIME)
		*id = __WASI_CLOCKID_REALTIME;
	else if (clk == CLOCK_MONOTONIC)
		*id = __WASI_CLOCKID_MONOTONIC;
	else
		return EINVAL;
	return 0;
}

/*
 * Sleeps until 'clk' reaches the deadline 'req' (TIMER_ABSTIME) or for the
 * interval 'req'. Returns 0, EINTR (a handler ran; *rem, if not NULL and
 * relative, gets the time left), EINVAL or another WASI error; errno is
 * not touched (POSIX). Thread-safe as far as the signal count goes.
 */
int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req,
                    struct timespec *rem)
{
	__wasi_timestamp_t now = 0, end;
	__wasi_clockid_t id = 0;
	unsigned n0 = __wasix_sig_handled();
	int err;

	if (req->tv_sec < 0 || req->tv_nsec < 0 || req->tv_nsec >= 1000000000L)
		return EINVAL;
	err = sdk_clock_id(clk, &id);
	if (err == 0)
		err = __wasi_clock_time_get(id, 1, &now);
	end = (__wasi_timestamp_t)req->tv_sec * 1000000000u +
	      (__wasi_timestamp_t)req->tv_nsec;
	if (!(flags & TIMER_ABSTIME))
		end += now;
	while (err == 0 && now < end) {
		__wasi_subscription_t sub = {0};
		__wasi_event_t ev;
		__wasi_size_t n = 0;

		sub.u.tag = __WASI_EVENTTYPE_CLOCK;
		sub.u.u.clock.id = id;
		sub.u.u.clock.timeout = end - now;
		err = __wasi_poll_oneoff(&sub, &ev, 1, &n);
		if (err == __WASI_ERRNO_INTR && __wasix_sig_handled() == n0)
			err = 0; /* only blocked or ignored signals: go on */
		if (err == 0 || err == __WASI_ERRNO_INTR) {
			int e2 = __wasi_clock_time_get(id, 1, &now);

			err = err != 0 ? err : e2;
		}
	}
	if (err == __WASI_ERRNO_INTR && rem != NULL && !(flags & TIMER_ABSTIME)) {
		__wasi_timestamp_t left = now < end ? end - now : 0;

		rem->tv_sec = (time_t)(left / 1000000000u);
		rem->tv_nsec = (long)(left % 1000000000u);
	}
	return err;
}

/* POSIX nanosleep on the monotonic clock: -1 with errno on failure. */
int nanosleep(const struct timespec *req, struct timespec *rem)
{
	int err = clock_nanosleep(CLOCK_MONOTONIC, 0, req, rem);

	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

/* Sleeps 'us' microseconds; -1 with EINTR if a handler ran. */
int usleep(unsigned us)
{
	struct timespec ts = {(time_t)(us / 1000000u),
	                      (long)(us % 1000000u) * 1000};

	return nanosleep(&ts, NULL);
}

/* Sleeps 'secs' seconds; returns the seconds left (rounded up) if a
 * handler ended it early, else 0. */
unsigned sleep(unsigned secs)
{
	struct timespec ts = {(time_t)secs, 0}, rem = {0, 0};

	if (nanosleep(&ts, &rem) != 0)
		return (unsigned)rem.tv_sec + (rem.tv_nsec > 0 ? 1 : 0);
	return 0;
}
