/*
 * base.c: diagnostics and checked allocation (see base.h).
 */
#include "base/base.h"

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

void *wx_malloc(size_t n)
{
	return malloc(n ? n : 1);
}

void *wx_calloc(size_t n, size_t size)
{
	if (n == 0 || size == 0)
		return calloc(1, 1);
	return calloc(n, size);
}

void *wx_realloc(void *p, size_t n)
{
	return realloc(p, n ? n : 1);
}

void *wx_alloc_array(size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	return wx_calloc(n, size);
}

void wx_free(void *p)
{
	free(p);
}
