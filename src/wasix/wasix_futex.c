/*
 * wasix_futex.c: WASIX futex_wait, futex_wake and futex_wake_all on the
 * VM's wait queue (vm_memory_wait / vm_memory_notify), the same queue
 * memory.atomic.wait and memory.atomic.notify use, so a guest may mix
 * both.
 *
 * futex_wait(*futex, expected, *timeout, *woken): 'timeout' points to an
 * option_timestamp (u8 tag @0: 0 none, 1 some; u64 nanoseconds @8, a
 * duration from now). '*woken' (u8) is 1 when the wait ended by a wake
 * or because the value already differed, 0 when it timed out. A raised
 * interrupt flag (a signal to deliver, a timeout of the run) ends the
 * wait with EINTR. Guest pointers are checked (EFAULT); the futex word
 * must be 4-byte aligned (EINVAL). Pointers are the caller's width
 * (wasi_ptr: i64 for wasix_64v1).
 *
 * THREADS: stateless; the wait queue does the locking.
 */
#include "wasix/wasix_thread.h"

#include "wasi/wasi_impl.h"
#include "wasix/wasix_abi.h"

/* Reads the optional timeout: -1 for none; EFAULT if unreadable. */
static uint32_t futex_timeout(struct vm_call *c, uint64_t off, int64_t *ns)
{
	const uint8_t *p = wasi_mem(c, off, WASIX_OPTTIME_SIZE);

	if (p == NULL)
		return WASI_EFAULT;
	*ns = -1;
	if (p[WASIX_OPTTIME_TAG] == 1) {
		uint64_t v = wasi_get_u64(p + WASIX_OPTTIME_NS);
		*ns = v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
	}
	return WASI_ESUCCESS;
}

int wasix_futex_wait(struct vm_call *c, void *ud)
{
	struct wasix_threads *x = ud;
	uint64_t addr = wasi_ptr(c, 0), out = wasi_ptr(c, 3);
	uint32_t expected = wasi_u32(c, 1);
	uint8_t *woken = wasi_mem(c, out, 1);
	int64_t ns;
	uint32_t e;

	if (woken == NULL || wasi_mem(c, addr, 4) == NULL)
		return wasi_ret(c, WASI_EFAULT);
	if (addr & 3)
		return wasi_ret(c, WASI_EINVAL);
	e = futex_timeout(c, wasi_ptr(c, 2), &ns);
	if (e != WASI_ESUCCESS)
		return wasi_ret(c, e);
	int w = vm_memory_wait(c->memory, addr, 4, expected, ns,
	                       wasix_threads_interrupt(x));
	if (w < 0)
		return wasi_ret(c, WASI_EFAULT);
	if (w == VM_WAIT_INTERRUPTED)
		return wasix_threads_check() != 0 ? WX_EEXIT
		                                   : wasi_ret(c, WASI_EINTR);
	*woken = w != VM_WAIT_TIMED_OUT;
	return wasi_ret(c, WASI_ESUCCESS);
}

/* Wakes up to 'n' waiters of the futex at arg 0; '*woken' (arg 1). */
static int futex_wake_n(struct vm_call *c, uint32_t n)
{
	uint64_t addr = wasi_ptr(c, 0);
	uint8_t *woken = wasi_mem(c, wasi_ptr(c, 1), 1);

	if (woken == NULL || wasi_mem(c, addr, 4) == NULL)
		return wasi_ret(c, WASI_EFAULT);
	if (addr & 3)
		return wasi_ret(c, WASI_EINVAL);
	int64_t k = vm_memory_notify(c->memory, addr, n);
	if (k < 0)
		return wasi_ret(c, WASI_EFAULT);
	*woken = k > 0;
	return wasi_ret(c, WASI_ESUCCESS);
}

int wasix_futex_wake(struct vm_call *c, void *ud)
{
	(void)ud;
	return futex_wake_n(c, 1);
}

int wasix_futex_wake_all(struct vm_call *c, void *ud)
{
	(void)ud;
	return futex_wake_n(c, UINT32_MAX);
}
