/*
 * wasi_proc.c: what a preview1 program knows about its process: its
 * arguments, its environment, and how it ends (proc_exit).
 *
 * args_get / environ_get write 'n' u32 pointers at 'vec' and the packed
 * NUL-terminated strings at 'buf', exactly the sizes *_sizes_get reported.
 * Both ranges are checked as a whole before anything is written, so a
 * failing call leaves guest memory unchanged.
 */
#include "wasi/wasi_impl.h"

#include <string.h>

/* Writes 'n' packed strings ('bytes' long) and their pointer vector. */
static uint32_t wasi_strings_get(struct vm_call *c, const char *strs,
                                 uint32_t n, uint32_t bytes)
{
	uint32_t vec = wasi_u32(c, 0), buf = wasi_u32(c, 1);
	uint8_t *pv = wasi_mem(c, vec, (uint64_t)n * 4);
	uint8_t *pb = wasi_mem(c, buf, bytes);
	uint32_t i, off = 0;

	if (pv == NULL || pb == NULL)
		return WASI_EFAULT;
	if (bytes != 0)
		memcpy(pb, strs, bytes);
	for (i = 0; i < n; i++) {
		wasi_put_u32(pv + 4 * (size_t)i, buf + off);
		off += (uint32_t)strlen(strs + off) + 1;
	}
	return WASI_ESUCCESS;
}

/* Writes the count at param 0's address and the byte size at param 1's. */
static uint32_t wasi_sizes_get(struct vm_call *c, uint32_t n, uint32_t bytes)
{
	uint8_t *pn = wasi_mem(c, wasi_u32(c, 0), 4);
	uint8_t *pb = wasi_mem(c, wasi_u32(c, 1), 4);

	if (pn == NULL || pb == NULL)
		return WASI_EFAULT;
	wasi_put_u32(pn, n);
	wasi_put_u32(pb, bytes);
	return WASI_ESUCCESS;
}

/* args_get(argv: ptr<ptr<u8>>, argv_buf: ptr<u8>) -> errno */
int wasi_args_get(struct vm_call *c, void *ud)
{
	struct wasi_ctx *w = wasi_ctx_of(ud);

	return wasi_ret(c,
	                wasi_strings_get(c, w->args, w->argc, w->args_bytes));
}

/* args_sizes_get() -> (errno, argc: size, argv_buf_size: size) */
int wasi_args_sizes_get(struct vm_call *c, void *ud)
{
	struct wasi_ctx *w = wasi_ctx_of(ud);

	return wasi_ret(c, wasi_sizes_get(c, w->argc, w->args_bytes));
}

/* environ_get(environ: ptr<ptr<u8>>, environ_buf: ptr<u8>) -> errno */
int wasi_environ_get(struct vm_call *c, void *ud)
{
	struct wasi_ctx *w = wasi_ctx_of(ud);

	return wasi_ret(c,
	                wasi_strings_get(c, w->envs, w->envc, w->envs_bytes));
}

/* environ_sizes_get() -> (errno, count: size, buf_size: size) */
int wasi_environ_sizes_get(struct vm_call *c, void *ud)
{
	struct wasi_ctx *w = wasi_ctx_of(ud);

	return wasi_ret(c, wasi_sizes_get(c, w->envc, w->envs_bytes));
}

/*
 * proc_exit(rval: exitcode) -> never returns. Ends the run with WX_EEXIT;
 * the code is also kept in the context for callers that cannot get it
 * from the VM.
 */
int wasi_proc_exit(struct vm_call *c, void *ud)
{
	struct wasi_ctx *w = wasi_ctx_of(ud);

	w->exited = true;
	w->exit_code = (int)wasi_u32(c, 0);
	c->exit_code = w->exit_code;
	return WX_EEXIT;
}
