/*
 * base.c: diagnostics and checked allocation (see base.h).
 *
 * Every allocation of the library goes through wx_alloc_call: the
 * installed allocator (wx_set_allocator; the C library's by default),
 * unless the failure injector (wx_alloc_fail_after) says this one fails.
 * The counters are atomics, so threads may allocate meanwhile.
 */
#include "base/base.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int diag_set(struct diag *d, int err, const char *fmt, ...)
{
	va_list ap;

	if (d == NULL || d->set)
		return err;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	va_end(ap);
	d->set = 1;
	return err;
}

/* The C library's allocator in the wx_alloc_fn shape. */
static void *wx_libc_alloc(void *ud, void *ptr, size_t size)
{
	(void)ud;
	if (size == 0) {
		free(ptr);
		return NULL;
	}
	return realloc(ptr, size);
}

static wx_alloc_fn wx_alloc_cur = wx_libc_alloc;
static void *wx_alloc_ud;
static uint64_t wx_alloc_n;        /* allocations so far (atomic) */
static int64_t wx_alloc_left = -1; /* failure injection; -1: off (atomic) */
static bool wx_alloc_once;         /* only the one allocation fails */

void wx_set_allocator(wx_alloc_fn fn, void *ud)
{
	wx_alloc_cur = fn != NULL ? fn : wx_libc_alloc;
	wx_alloc_ud = fn != NULL ? ud : NULL;
}

void wx_alloc_fail_after(int64_t n, bool once)
{
	__atomic_store_n(&wx_alloc_once, once, __ATOMIC_SEQ_CST);
	__atomic_store_n(&wx_alloc_left, n < 0 ? -1 : n, __ATOMIC_SEQ_CST);
}

uint64_t wx_alloc_count(void)
{
	return __atomic_load_n(&wx_alloc_n, __ATOMIC_SEQ_CST);
}

/*
 * Whether the allocation being made is to fail: the injector counts
 * down 'left' and fails every allocation once it has reached 0 (only
 * that one in 'once' mode: then it turns itself off).
 */
static bool wx_alloc_injected(void)
{
	int64_t left = __atomic_load_n(&wx_alloc_left, __ATOMIC_RELAXED);

	while (left >= 0) {
		int64_t next =
		    left > 0 ? left - 1
		    : __atomic_load_n(&wx_alloc_once, __ATOMIC_RELAXED) ? -1
		                                                        : 0;
		if (__atomic_compare_exchange_n(&wx_alloc_left, &left, next,
		                                false, __ATOMIC_SEQ_CST,
		                                __ATOMIC_RELAXED))
			return left == 0;
	}
	return false;
}

/* One allocation or reallocation of 'n' (> 0) bytes. */
static void *wx_alloc_call(void *p, size_t n)
{
	__atomic_fetch_add(&wx_alloc_n, 1, __ATOMIC_RELAXED);
	if (WX_UNLIKELY(wx_alloc_injected()))
		return NULL;
	return wx_alloc_cur(wx_alloc_ud, p, n);
}

void *wx_malloc(size_t n)
{
	return wx_alloc_call(NULL, n ? n : 1);
}

void *wx_calloc(size_t n, size_t size)
{
	void *p;

	if (n == 0 || size == 0)
		n = size = 1;
	else if (n > SIZE_MAX / size)
		return NULL;
	p = wx_alloc_call(NULL, n * size);
	if (p != NULL)
		memset(p, 0, n * size);
	return p;
}

void *wx_realloc(void *p, size_t n)
{
	return wx_alloc_call(p, n ? n : 1);
}

void *wx_alloc_array(size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	return wx_calloc(n, size);
}

void wx_free(void *p)
{
	if (p != NULL)
		wx_alloc_cur(wx_alloc_ud, p, 0);
}
