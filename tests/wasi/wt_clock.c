/*
 * wt_clock.c: clocks, random_get, sched_yield and proc_raise. Every clock
 * id answers time and resolution; monotonic never goes back; CPU time
 * grows with work; an unknown clock is EINVAL; random bytes differ
 * between calls and a buffer past the end of memory is EFAULT;
 * proc_raise ignores signals whose default is to ignore and rejects
 * unknown ones (EINVAL).
 */
#include "wt_check.h"

#include <stdint.h>
#include <time.h>

__attribute__((import_module("wasi_snapshot_preview1"),
               import_name("random_get"))) int32_t
raw_random_get(int32_t buf, int32_t len);
__attribute__((import_module("wasi_snapshot_preview1"),
               import_name("clock_time_get"))) int32_t
raw_clock_time_get(int32_t id, int64_t precision, int32_t out);
__attribute__((import_module("wasi_snapshot_preview1"),
               import_name("proc_raise"))) int32_t
raw_proc_raise(int32_t sig);

int main(void)
{
	__wasi_timestamp_t t, t2, res;
	uint8_t a[32], b[32];
	volatile uint64_t x = 0;

	for (uint32_t id = 0; id < 4; id++) {
		CHECK_OK(__wasi_clock_time_get(id, 1, &t));
		CHECK_OK(__wasi_clock_res_get(id, &res));
		CHECK(res > 0 && res <= 1000000000ull);
	}
	CHECK_ERR(__wasi_clock_time_get(4, 1, &t), __WASI_ERRNO_INVAL);
	CHECK_ERR(__wasi_clock_res_get(99, &res), __WASI_ERRNO_INVAL);
	CHECK_ERR(raw_clock_time_get(0, 0, -4), __WASI_ERRNO_FAULT);
	CHECK_OK(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &t));
	CHECK(t > 1600000000ull * 1000000000ull); /* after 2020 */
	CHECK_OK(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t));
	CHECK_OK(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t2));
	CHECK(t2 >= t);
	CHECK_OK(
	    __wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &t));
	for (int i = 0; i < 3000000; i++)
		x += (uint64_t)i * 7;
	CHECK_OK(
	    __wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &t2));
	CHECK(t2 > t && x != 1);
	CHECK_OK(
	    __wasi_clock_time_get(__WASI_CLOCKID_THREAD_CPUTIME_ID, 1, &t));
	CHECK(t > 0);
	/* libc's view */
	struct timespec ts;
	CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
	CHECK(clock_getres(CLOCK_REALTIME, &ts) == 0);

	CHECK_OK(__wasi_random_get(a, sizeof a));
	CHECK_OK(__wasi_random_get(b, sizeof b));
	CHECK(memcmp(a, b, sizeof a) != 0);
	CHECK_OK(__wasi_random_get(a, 0));
	CHECK_ERR(raw_random_get(-16, 32), __WASI_ERRNO_FAULT);
	static uint8_t big[1 << 20];
	CHECK_OK(__wasi_random_get(big, sizeof big));
	CHECK_OK(__wasi_sched_yield());
	CHECK_OK(raw_proc_raise(0));
	CHECK_OK(raw_proc_raise(16 /* CHLD */));
	CHECK_OK(raw_proc_raise(27 /* WINCH */));
	CHECK_ERR(raw_proc_raise(31), __WASI_ERRNO_INVAL);
	return wt_done("wt_clock");
}
