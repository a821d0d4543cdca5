/*
 * wasi_clock.c: clocks, random bytes and sched_yield.
 *
 * Clock ids (witx 'clockid'): 0 realtime, 1 monotonic, 2 process CPU time,
 * 3 thread CPU time; anything else is EINVAL. Times are u64 nanoseconds.
 * random_get fills guest memory from getrandom(2), looping over partial
 * results, so a large request costs time but never a host allocation.
 */
#include "wasi/wasi_impl.h"

#include <errno.h>
#include <sched.h>
#include <sys/random.h>
#include <time.h>

/* See wasi_impl.h. */
bool wasi_clockid(uint32_t id, clockid_t *out)
{
	static const clockid_t ids[] = {
	    CLOCK_REALTIME,
	    CLOCK_MONOTONIC,
	    CLOCK_PROCESS_CPUTIME_ID,
	    CLOCK_THREAD_CPUTIME_ID,
	};

	if (id >= WX_ARRAY_LEN(ids))
		return false;
	*out = ids[id];
	return true;
}

static uint64_t wasi_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

/* clock_time_get(id: clockid, precision: timestamp) -> (errno, time) */
int wasi_clock_time_get(struct vm_call *c, void *ud)
{
	struct timespec ts;
	clockid_t id;

	(void)ud;
	if (!wasi_clockid(wasi_u32(c, 0), &id))
		return wasi_ret(c, WASI_EINVAL);
	if (clock_gettime(id, &ts) != 0)
		return wasi_ret(c, wasi_errno_from_host(errno));
	return wasi_ret(c, wasi_store_u64(c, wasi_ptr(c, 2), wasi_ns(&ts)));
}

/* clock_res_get(id: clockid) -> (errno, resolution: timestamp) */
int wasi_clock_res_get(struct vm_call *c, void *ud)
{
	struct timespec ts;
	clockid_t id;

	(void)ud;
	if (!wasi_clockid(wasi_u32(c, 0), &id))
		return wasi_ret(c, WASI_EINVAL);
	if (clock_getres(id, &ts) != 0)
		return wasi_ret(c, wasi_errno_from_host(errno));
	return wasi_ret(c, wasi_store_u64(c, wasi_ptr(c, 1), wasi_ns(&ts)));
}

/* random_get(buf: ptr<u8>, buf_len: size) -> errno */
int wasi_random_get(struct vm_call *c, void *ud)
{
	uint64_t len = wasi_size(c, 1);
	uint8_t *p = wasi_mem(c, wasi_ptr(c, 0), len);
	ssize_t n;

	(void)ud;
	if (p == NULL)
		return wasi_ret(c, WASI_EFAULT);
	while (len > 0) {
		n = getrandom(p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return wasi_ret(c, wasi_errno_from_host(errno));
		p += n;
		len -= (uint64_t)n;
	}
	return wasi_ret(c, WASI_ESUCCESS);
}

/* sched_yield() -> errno */
int wasi_sched_yield(struct vm_call *c, void *ud)
{
	(void)ud;
	sched_yield();
	return wasi_ret(c, WASI_ESUCCESS);
}
