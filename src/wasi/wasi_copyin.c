/*
 * wasi_copyin.c: the copy-in layer of the WASI and WASIX host functions
 * (wasi_impl.h): guest bytes come into host memory once, then only the
 * copy is checked and used.
 *
 * Keeps true: each guest byte is loaded once per call of these functions
 * (memcpy may load a byte twice with overlapping words, but every byte of
 * the copy then holds one value that the checks below see).
 */
#include "wasi/wasi_impl.h"

#include <string.h>

uint32_t wasi_copy_in(struct vm_call *c, uint64_t off, void *dst, size_t len)
{
	const void *p = wasi_mem(c, off, len);

	if (p == NULL)
		return WASI_EFAULT;
	if (len != 0)
		memcpy(dst, p, len);
	return WASI_ESUCCESS;
}

uint32_t wasi_str_in(struct vm_call *c, uint64_t ptr, uint64_t len, char *buf,
                     size_t cap)
{
	uint32_t err;

	if (len >= cap)
		return WASI_ENAMETOOLONG;
	err = wasi_copy_in(c, ptr, buf, len);
	if (err != WASI_ESUCCESS)
		return err;
	buf[len] = 0;
	return memchr(buf, 0, len) != NULL ? WASI_EINVAL : WASI_ESUCCESS;
}
