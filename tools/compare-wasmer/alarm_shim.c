/*
 * alarm_shim.c: alarm() for the Wasmer build of tests/wasix/wx_child.c
 * (compiled with -Dalarm=cmp_alarm). The SDK's alarm() imports
 * proc_raise_interval2, which Wasmer does not link; this one arms
 * proc_raise_interval in nanoseconds, the unit wasix-libc sends and the
 * spec page names. It returns 0, not the seconds left of an earlier alarm.
 */
#include <stdint.h>

__attribute__((import_module("wasix_32v1"),
               import_name("proc_raise_interval"))) int32_t
cmp_raise_interval(int32_t sig, uint64_t interval, int32_t repeat);

unsigned cmp_alarm(unsigned seconds);

unsigned cmp_alarm(unsigned seconds)
{
	cmp_raise_interval(14, (uint64_t)seconds * 1000000000u, 0);
	return 0;
}
