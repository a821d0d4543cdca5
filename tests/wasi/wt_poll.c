/*
 * wt_poll.c: poll_oneoff. The runner (tests/run_wasi.sh) gives it a pipe
 * as stdin and writes "hi\n" into it only once the program has printed
 * the line "wt_poll: stdin empty" (a handshake, not a delay), then
 * closes it.
 * Checks: a relative clock alone sleeps that long; an absolute clock in
 * the past fires at once; a clock races stdin and wins while stdin is
 * empty, then stdin wins with its byte count; a regular file is always
 * ready; several subscriptions at once report every ready one with its
 * userdata; a bad fd is an event with EBADF; no subscriptions is EINVAL.
 */
#include "wt_check.h"

#include <stdint.h>

static __wasi_subscription_t clock_sub(uint64_t ud, __wasi_clockid_t id,
                                       uint64_t t, int abs)
{
	__wasi_subscription_t s;

	memset(&s, 0, sizeof s);
	s.userdata = ud;
	s.u.tag = __WASI_EVENTTYPE_CLOCK;
	s.u.u.clock.id = id;
	s.u.u.clock.timeout = t;
	s.u.u.clock.flags =
	    abs ? __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME : 0;
	return s;
}

static __wasi_subscription_t fd_sub(uint64_t ud, __wasi_eventtype_t type,
                                    __wasi_fd_t fd)
{
	__wasi_subscription_t s;

	memset(&s, 0, sizeof s);
	s.userdata = ud;
	s.u.tag = type;
	s.u.u.fd_read.file_descriptor = fd;
	return s;
}

static uint64_t now(void)
{
	__wasi_timestamp_t t = 0;

	(void)__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t);
	return t;
}

int main(void)
{
	__wasi_subscription_t in[4];
	__wasi_event_t ev[4];
	__wasi_size_t n;
	uint64_t t0;

	/* a relative clock alone */
	in[0] = clock_sub(7, __WASI_CLOCKID_MONOTONIC, 50000000, 0);
	t0 = now();
	CHECK_OK(__wasi_poll_oneoff(in, ev, 1, &n));
	CHECK(n == 1 && ev[0].userdata == 7 && ev[0].error == 0 &&
	      ev[0].type == __WASI_EVENTTYPE_CLOCK);
	CHECK(now() - t0 >= 50000000);
	/* an absolute realtime clock in the past */
	in[0] = clock_sub(8, __WASI_CLOCKID_REALTIME, 1000, 1);
	CHECK_OK(__wasi_poll_oneoff(in, ev, 1, &n));
	CHECK(n == 1 && ev[0].userdata == 8);
	/* stdin (empty for now) against a short clock: the clock wins */
	in[0] = fd_sub(1, __WASI_EVENTTYPE_FD_READ, 0);
	in[1] = clock_sub(2, __WASI_CLOCKID_MONOTONIC, 100000000, 0);
	CHECK_OK(__wasi_poll_oneoff(in, ev, 2, &n));
	CHECK(n == 1 && ev[0].userdata == 2);
	/* the runner writes to stdin once it reads this */
	CHECK(wt_write(1, "wt_poll: stdin empty\n", 21) == 21);
	/* then stdin wins against a long one */
	in[1] = clock_sub(2, __WASI_CLOCKID_MONOTONIC, 10000000000ull, 0);
	t0 = now();
	CHECK_OK(__wasi_poll_oneoff(in, ev, 2, &n));
	CHECK(n == 1 && ev[0].userdata == 1 &&
	      ev[0].type == __WASI_EVENTTYPE_FD_READ && ev[0].error == 0);
	CHECK(ev[0].fd_readwrite.nbytes == 3);
	CHECK(now() - t0 < 9000000000ull);
	/* several at once: stdin readable, stdout writable, a file */
	int f = wt_open("p.txt", __WASI_OFLAGS_CREAT, RIGHTS_ALL, 0);
	CHECK(f > 3 && wt_write(f, "12345", 5) == 5);
	__wasi_filesize_t pos;
	CHECK_OK(__wasi_fd_seek(f, 1, __WASI_WHENCE_SET, &pos));
	in[0] = fd_sub(10, __WASI_EVENTTYPE_FD_READ, 0);
	in[1] = fd_sub(11, __WASI_EVENTTYPE_FD_WRITE, 1);
	in[2] = fd_sub(12, __WASI_EVENTTYPE_FD_READ, (__wasi_fd_t)f);
	in[3] = fd_sub(13, __WASI_EVENTTYPE_FD_READ, 99);
	CHECK_OK(__wasi_poll_oneoff(in, ev, 4, &n));
	CHECK(n == 4);
	int got = 0;
	for (__wasi_size_t i = 0; i < n && i < 4; i++) {
		got |= 1 << (ev[i].userdata - 10);
		if (ev[i].userdata == 12)
			CHECK(ev[i].fd_readwrite.nbytes == 4);
		if (ev[i].userdata == 13)
			CHECK(ev[i].error == __WASI_ERRNO_BADF);
		else
			CHECK(ev[i].error == 0);
	}
	CHECK(got == 15);
	/* read the pipe dry, then EOF is readable with HANGUP */
	char buf[8];
	CHECK(wt_read(0, buf, sizeof buf) == 3);
	in[0] = fd_sub(20, __WASI_EVENTTYPE_FD_READ, 0);
	CHECK_OK(__wasi_poll_oneoff(in, ev, 1, &n));
	CHECK(n == 1 && ev[0].userdata == 20);
	CHECK(wt_read(0, buf, sizeof buf) == 0);
	CHECK_ERR(__wasi_poll_oneoff(in, ev, 0, &n), __WASI_ERRNO_INVAL);
	return wt_done("wt_poll");
}
