/*
 * wasi_proc.c: what a preview1 program knows about its process: its
 * arguments, its environment, and how it ends (proc_exit, proc_raise).
 *
 * args_get / environ_get write 'n' guest pointers (u32, or u64 with
 * memory64) at 'vec' and the packed
 * NUL-terminated strings at 'buf', exactly the sizes *_sizes_get reported.
 * Both ranges are checked as a whole before anything is written, so a
 * failing call leaves guest memory unchanged.
 */
#include "wasi/wasi_impl.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

/* Writes 'n' packed strings ('bytes' long) and their pointer vector. */
static uint32_t wasi_strings_get(struct vm_call *c, const char *strs,
                                 uint32_t n, uint32_t bytes)
{
	uint64_t vec = wasi_ptr(c, 0), buf = wasi_ptr(c, 1);
	unsigned ps = wasi_psize(c);
	uint8_t *pv = wasi_mem(c, vec, (uint64_t)n * ps);
	uint8_t *pb = wasi_mem(c, buf, bytes);
	uint32_t i, off = 0;

	if (pv == NULL || pb == NULL)
		return WASI_EFAULT;
	if (bytes != 0)
		memcpy(pb, strs, bytes);
	for (i = 0; i < n; i++) {
		wasi_put_ptr(c, pv + (size_t)ps * i, buf + off);
		off += (uint32_t)strlen(strs + off) + 1;
	}
	return WASI_ESUCCESS;
}

/* Writes the count at param 0's address and the byte size at param 1's. */
static uint32_t wasi_sizes_get(struct vm_call *c, uint32_t n, uint32_t bytes)
{
	uint8_t *pn = wasi_mem(c, wasi_ptr(c, 0), wasi_psize(c));
	uint8_t *pb = wasi_mem(c, wasi_ptr(c, 1), wasi_psize(c));

	if (pn == NULL || pb == NULL)
		return WASI_EFAULT;
	wasi_put_ptr(c, pn, n);
	wasi_put_ptr(c, pb, bytes);
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

/*
 * proc_raise(sig: signal) -> errno. Preview1 numbers signals 1..30 in its
 * own order (CHLD is 16 there, 17 on Linux). Signals whose default action
 * is to ignore (CHLD, CONT, URG, WINCH) do nothing; stop signals stop the
 * host process; every other one ends it the way the same program would
 * end natively: the host signal is raised with its default action, so the
 * parent sees a signal death. 0 does nothing; anything else is EINVAL.
 */
int wasi_proc_raise(struct vm_call *c, void *ud)
{
	static const int host[] = {
	    0,       SIGHUP,  SIGINT,  SIGQUIT, SIGILL,    SIGTRAP, SIGABRT,
	    SIGBUS,  SIGFPE,  SIGKILL, SIGUSR1, SIGSEGV,   SIGUSR2, SIGPIPE,
	    SIGALRM, SIGTERM, SIGCHLD, SIGCONT, SIGSTOP,   SIGTSTP, SIGTTIN,
	    SIGTTOU, SIGURG,  SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH,
	    SIGPOLL, SIGPWR,  SIGSYS,
	};
	uint32_t sig = wasi_u32(c, 0);
	int h;

	(void)ud;
	if (sig >= WX_ARRAY_LEN(host))
		return wasi_ret(c, WASI_EINVAL);
	h = host[sig];
	if (h == 0 || h == SIGCHLD || h == SIGCONT || h == SIGURG ||
	    h == SIGWINCH)
		return wasi_ret(c, WASI_ESUCCESS);
	fflush(NULL);
	signal(h, SIG_DFL);
	raise(h);
	return wasi_ret(c, WASI_ESUCCESS); /* stopped, then continued */
}
