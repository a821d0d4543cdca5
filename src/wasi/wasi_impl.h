/*
 * wasi_impl.h: what the wasi_*.c files share and nobody else includes: the
 * context layout, the preview1 errno values, guest-memory helpers and the
 * host functions that the table in wasi_table.c names.
 *
 * Host function convention (vm_host_fn): read parameters from call->args,
 * write the preview1 errno into call->results[0] and return 0. Only
 * proc_exit returns anything else (WX_EEXIT). A bad guest pointer is an
 * errno (EFAULT) for the guest, never a trap and never a host fault.
 */
#ifndef WASMIX_WASI_IMPL_H
#define WASMIX_WASI_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/vm.h"
#include "wasi/wasi.h"

/* preview1 errno values (witx 'errno'), the ones this layer returns. */
enum wasi_errno {
	WASI_ESUCCESS = 0,
	WASI_E2BIG = 1,
	WASI_EACCES = 2,
	WASI_EAGAIN = 6,
	WASI_EBADF = 8,
	WASI_EFAULT = 21,
	WASI_EFBIG = 22,
	WASI_EINTR = 27,
	WASI_EINVAL = 28,
	WASI_EIO = 29,
	WASI_EISDIR = 31,
	WASI_ENOMEM = 48,
	WASI_ENOSPC = 51,
	WASI_ENOSYS = 52,
	WASI_EPERM = 63,
	WASI_EPIPE = 64,
	WASI_ESPIPE = 70,
};

#define WASI_NSTDIO 3

struct wasi_ctx {
	/* argv and environ, each packed as NUL-terminated strings. */
	char *args;
	uint32_t argc, args_bytes;
	char *envs;
	uint32_t envc, envs_bytes;

	int host_fd[WASI_NSTDIO]; /* borrowed; -1 once the guest closes it */

	bool exited;
	int exit_code;
};

/* The context a host function was bound to. */
static inline struct wasi_ctx *wasi_ctx_of(void *ud)
{
	return (struct wasi_ctx *)ud;
}

/* Parameter 'i' as the guest's u32 (pointers, sizes, fds). */
static inline uint32_t wasi_u32(const struct vm_call *c, unsigned i)
{
	return (uint32_t)c->args[i];
}

/* Ends a host function with preview1 errno 'e'. */
static inline int wasi_ret(struct vm_call *c, uint32_t e)
{
	c->results[0] = e;
	return 0;
}

/*
 * The host address of guest bytes [off, off+len) in the caller's memory,
 * or NULL if any of them is out of bounds or there is no memory.
 */
static inline void *wasi_mem(struct vm_call *c, uint64_t off, uint64_t len)
{
	if (c->memory == NULL)
		return NULL;
	return vm_memory_check(c->memory, off, len);
}

/* Little-endian stores into guest memory (already bounds-checked). */
static inline void wasi_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void wasi_put_u32(uint8_t *p, uint32_t v)
{
	wasi_put_u16(p, (uint16_t)v);
	wasi_put_u16(p + 2, (uint16_t)(v >> 16));
}

static inline void wasi_put_u64(uint8_t *p, uint64_t v)
{
	wasi_put_u32(p, (uint32_t)v);
	wasi_put_u32(p + 4, (uint32_t)(v >> 32));
}

static inline uint32_t wasi_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Stores a u32 result at guest 'off': ESUCCESS, or EFAULT. */
uint32_t wasi_store_u32(struct vm_call *c, uint32_t off, uint32_t v);

/* Stores a u64 result at guest 'off': ESUCCESS, or EFAULT. */
uint32_t wasi_store_u64(struct vm_call *c, uint32_t off, uint64_t v);

/* Maps a host errno value to the preview1 one (EIO if unknown). */
uint32_t wasi_errno_from_host(int e);

/* wasi_proc.c: arguments, environment, exit. */
int wasi_args_get(struct vm_call *c, void *ud);
int wasi_args_sizes_get(struct vm_call *c, void *ud);
int wasi_environ_get(struct vm_call *c, void *ud);
int wasi_environ_sizes_get(struct vm_call *c, void *ud);
int wasi_proc_exit(struct vm_call *c, void *ud);

/* wasi_fd.c: the standard streams. */
int wasi_fd_write(struct vm_call *c, void *ud);
int wasi_fd_read(struct vm_call *c, void *ud);
int wasi_fd_close(struct vm_call *c, void *ud);
int wasi_fd_fdstat_get(struct vm_call *c, void *ud);
int wasi_fd_seek(struct vm_call *c, void *ud);
int wasi_fd_tell(struct vm_call *c, void *ud);
int wasi_fd_prestat_get(struct vm_call *c, void *ud);
int wasi_fd_prestat_dir_name(struct vm_call *c, void *ud);

/* wasi_clock.c: clocks, randomness, scheduling. */
int wasi_clock_time_get(struct vm_call *c, void *ud);
int wasi_clock_res_get(struct vm_call *c, void *ud);
int wasi_random_get(struct vm_call *c, void *ud);
int wasi_sched_yield(struct vm_call *c, void *ud);

#endif
