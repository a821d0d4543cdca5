/*
 * wasix_table.c: every WASIX import (shared/spec/wasix_32v1.tsv, plus
 * proc_raise, proc_raise_interval2, proc_exec4 and proc_spawn3), the
 * resolver, the context's life
 * and the helpers the wasix_*.c files share.
 *
 * Signatures use wasi_table.c's notation: 'i' i32, 'I' i64, 'p' pointer,
 * 'z' size (i64 for "wasix_64v1", the import module of a memory64 program,
 * i32 for "wasix_32v1"), results after ')'. A row with no function links
 * and returns ENOSYS. One body serves both widths; a row not yet marked
 * 'w64' links for "wasix_64v1" with the type the module declares and
 * returns ENOSYS there.
 */
#include "wasix/wasix_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"

struct wasix_def {
	const char *name;
	const char *sig;
	vm_host_fn fn;
	/* The body serves 64-bit callers too (reads pointers and sizes at
	 * the caller's width); until then wasix_64v1 links it as ENOSYS. */
	bool w64;
};

static const struct wasix_def wasix_defs[] = {
    {"clock_time_set", "(iI)i", NULL, true},
    {"fd_dup", "(ip)i", wasix_fd_dup, true},
    {"fd_dup2", "(iiip)i", wasix_fd_dup2, true},
    {"fd_event", "(Iip)i", wasix_fd_event, true},
    {"fd_pipe", "(pp)i", wasix_fd_pipe, true},
    {"tty_get", "(p)i", wasix_tty_get, true},
    {"tty_set", "(p)i", wasix_tty_set, true},
    {"getcwd", "(pp)i", wasix_getcwd, true},
    {"chdir", "(pz)i", wasix_chdir, true},
    {"callback_signal", "(pz)", wasix_callback_signal, true},
    {"thread_spawn_v2", "(ii)i", NULL, false},
    {"thread_sleep", "(I)i", NULL, false},
    {"thread_id", "(i)i", NULL, false},
    {"thread_join", "(i)i", NULL, false},
    {"thread_parallelism", "(i)i", NULL, false},
    {"thread_signal", "(ii)i", wasix_thread_signal, true},
    {"futex_wait", "(iiii)i", NULL, false},
    {"futex_wake", "(ii)i", NULL, false},
    {"futex_wake_all", "(ii)i", NULL, false},
    {"thread_exit", "(i)", NULL, false},
    {"stack_checkpoint", "(pp)i", wasix_stack_checkpoint, true},
    {"stack_restore", "(pI)", wasix_stack_restore, true},
    {"path_open2", "(iipziIIiip)i", wasix_path_open2, true},
    {"fd_fdflags_get", "(ip)i", wasix_fd_fdflags_get, true},
    {"fd_fdflags_set", "(ii)i", wasix_fd_fdflags_set, true},
    {"proc_raise_interval", "(iIi)i", wasix_proc_raise_interval, true},
    {"proc_fork", "(ip)i", wasix_proc_fork, true},
    {"proc_fork_env", "(p)i", wasix_proc_fork_env, true},
    {"proc_exit2", "(i)", wasix_proc_exit2, true},
    {"proc_exec", "(pzpz)", wasix_proc_exec, true},
    {"proc_exec2", "(pzpzpz)", wasix_proc_exec2, true},
    {"proc_exec3", "(pzpzpzipz)i", wasix_proc_exec3, true},
    {"proc_spawn", "(iiiiiiiiiiiii)i", NULL, false},
    {"proc_spawn2", "(pzpzpzpzpzipzp)i", wasix_proc_spawn2, true},
    {"proc_id", "(p)i", wasix_proc_id, true},
    {"proc_parent", "(ip)i", wasix_proc_parent, true},
    {"proc_join", "(pip)i", wasix_proc_join, true},
    {"proc_signal", "(ii)i", wasix_proc_signal, true},
    {"proc_signals_get", "(p)i", wasix_proc_signals_get, true},
    {"proc_signals_sizes_get", "(p)i", wasix_proc_signals_sizes_get, true},
    {"proc_snapshot", "()i", NULL, false},
    {"port_bridge", "(iiiii)i", NULL, false},
    {"port_unbridge", "()i", NULL, false},
    {"port_dhcp_acquire", "()i", NULL, false},
    {"port_addr_add", "(i)i", NULL, false},
    {"port_addr_remove", "(i)i", NULL, false},
    {"port_addr_clear", "()i", NULL, false},
    {"port_mac", "(i)i", NULL, false},
    {"port_addr_list", "(ii)i", NULL, false},
    {"port_gateway_set", "(i)i", NULL, false},
    {"port_route_add", "(iiii)i", NULL, false},
    {"port_route_remove", "(i)i", NULL, false},
    {"port_route_clear", "()i", NULL, false},
    {"port_route_list", "(ii)i", NULL, false},
    {"sock_status", "(ip)i", wasix_sock_status, true},
    {"sock_addr_local", "(ip)i", wasix_sock_addr_local, true},
    {"sock_addr_peer", "(ip)i", wasix_sock_addr_peer, true},
    {"sock_open", "(iiip)i", wasix_sock_open, true},
    {"sock_pair", "(iiipp)i", wasix_sock_pair, true},
    {"sock_set_opt_flag", "(iii)i", wasix_sock_set_opt_flag, true},
    {"sock_get_opt_flag", "(iip)i", wasix_sock_get_opt_flag, true},
    {"sock_set_opt_time", "(iip)i", wasix_sock_set_opt_time, true},
    {"sock_get_opt_time", "(iip)i", wasix_sock_get_opt_time, true},
    {"sock_set_opt_size", "(iiI)i", wasix_sock_set_opt_size, true},
    {"sock_get_opt_size", "(iip)i", wasix_sock_get_opt_size, true},
    {"sock_join_multicast_v4", "(ipp)i", wasix_sock_join_multicast_v4, true},
    {"sock_leave_multicast_v4", "(ipp)i", wasix_sock_leave_multicast_v4, true},
    {"sock_join_multicast_v6", "(ipi)i", wasix_sock_join_multicast_v6, true},
    {"sock_leave_multicast_v6", "(ipi)i", wasix_sock_leave_multicast_v6, true},
    {"sock_bind", "(ip)i", wasix_sock_bind, true},
    {"sock_listen", "(iz)i", wasix_sock_listen, true},
    {"sock_accept_v2", "(iipp)i", wasix_sock_accept_v2, true},
    {"sock_connect", "(ip)i", wasix_sock_connect, true},
    {"sock_recv_from", "(ipzippp)i", wasix_sock_recv_from, true},
    {"sock_send_to", "(ipzipp)i", wasix_sock_send_to, true},
    {"sock_send_file", "(iiIIp)i", wasix_sock_send_file, true},
    {"resolve", "(pzipzp)i", wasix_net_resolve, true},
    {"epoll_create", "(p)i", wasix_epoll_create, true},
    {"epoll_ctl", "(iiip)i", wasix_epoll_ctl, true},
    {"epoll_wait", "(ipzIp)i", wasix_epoll_wait, true},
    {"dl_invalid_handle", "(i)i", wasix_dl_invalid_handle, true},
    {"dlopen", "(pzipzpzp)i", wasix_dlopen, true},
    {"dlsym", "(ipzpzp)i", wasix_dlsym, true},
    {"call_dynamic", "(ppzpzi)i", wasix_call_dynamic, true},
    {"closure_prepare", "(pppzpzp)i", wasix_closure_prepare, true},
    {"closure_allocate", "(p)i", wasix_closure_allocate, true},
    {"closure_free", "(p)i", wasix_closure_free, true},
    {"reflect_signature", "(ppipip)i", wasix_reflect_signature, true},
    {"context_create", "(pp)i", wasix_context_create, true},
    {"context_switch", "(I)i", wasix_context_switch, true},
    {"context_destroy", "(I)i", wasix_context_destroy, true},
    {"proc_raise", "(i)i", wasix_proc_raise, true},
    {"proc_raise_interval2", "(ipp)i", wasix_proc_raise_interval2, true},
    /* Pointer-array forms (not in wasix_32v1.tsv), as wasix-libc has them. */
    {"proc_exec4", "(pzpzpzipz)i", wasix_proc_exec4, true},
    {"proc_spawn3", "(pzpzpzpzpzipzp)i", wasix_proc_spawn3, true},
};

#define WASIX_MAX_SIG 16

/* The result of a function that is not implemented yet. */
static int wasix_nosys(struct vm_call *c, void *ud)
{
	(void)ud;
	c->results[0] = WASI_ENOSYS;
	return 0;
}

/* Same, for functions with no result ("->void"). */
static int wasix_nosys_void(struct vm_call *c, void *ud)
{
	(void)c;
	(void)ud;
	return 0;
}

_Static_assert(WX_ARRAY_LEN(wasix_defs) == WASIX_NDEFS, "WASIX_NDEFS");

/*
 * Every implemented function: signals first, then the body; a signal that
 * ended a blocking wait runs before EINTR is seen, and if only restarting
 * signals came (WASI_RESTART) the call goes on.
 */
static int wasix_thunk(struct vm_call *c, void *ud)
{
	struct wasix_thunk *t = ud;
	const char *sig = wasix_defs[t - t->x->thunks].sig;
	int rc = wasix_enter(c, t->x);

	if (rc != 0 && rc != WASI_RESTART && rc != WASI_RESTART_IO)
		return rc;
	for (;;) {
		rc = t->fn(c, t->x);
		/* A wait may have ended because another thread dlopen'd a
		 * library this one is about to use: its TLS block now. */
		if (rc == 0)
			rc = wasix_dl_catch_up(c, t->x);
		if (rc != 0 || t->x->interrupt == NULL ||
		    !__atomic_load_n(t->x->interrupt, __ATOMIC_RELAXED))
			return rc;
		rc = wasix_enter(c, t->x);
		if (rc != WASI_RESTART && rc != WASI_RESTART_IO)
			return rc;
		if (sig[strlen(sig) - 1] == ')' || c->results[0] != WASI_EINTR)
			return 0;
	}
}

static const struct wasix_def *wasix_lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < WX_ARRAY_LEN(wasix_defs); i++) {
		const char *d = wasix_defs[i].name;

		if (strlen(d) == len && memcmp(d, name, len) == 0)
			return &wasix_defs[i];
	}
	return NULL;
}

bool wasix_is_module(const char *mod, size_t len)
{
	return (len == sizeof WASIX_MODULE32 - 1 &&
	        memcmp(mod, WASIX_MODULE32, len) == 0) ||
	       (len == sizeof WASIX_MODULE64 - 1 &&
	        memcmp(mod, WASIX_MODULE64, len) == 0);
}

int wasix_resolve(struct wasix_ctx *x, struct vm_store *s,
                  const struct wasm_module *m, const struct wasm_import *imp,
                  struct vm_extern *out)
{
	const struct wasix_def *d;
	struct wasm_functype ft;
	uint32_t types[WASIX_MAX_SIG];
	vm_host_fn fn;
	struct vm_func *f;
	bool is64;

	if (imp->kind != WASM_EXT_FUNC ||
	    !wasix_is_module(imp->module, imp->module_len))
		return WX_ELINK;
	is64 = imp->module_len == sizeof WASIX_MODULE64 - 1 &&
	       memcmp(imp->module, WASIX_MODULE64, imp->module_len) == 0;
	/* The host bodies read pointers at the memory's width: a module
	 * whose memory is not of its WASIX module's width does not link. */
	if (m != NULL && m->nmemories > 0 && is64 != wasi_module_is64(m))
		return WX_ELINK;
	d = wasix_lookup(imp->name, imp->name_len);
	if (d == NULL)
		return WX_ELINK;
	wasi_sig_parse(d->sig, is64, &ft, types, WASIX_MAX_SIG);
	fn = d->fn != NULL && (!is64 || d->w64) ? wasix_thunk : NULL;
	if (fn == NULL)
		fn = ft.nresults != 0 ? wasix_nosys : wasix_nosys_void;
	if (is64 && !d->w64) {
		/* Not marshalled yet: ENOSYS with the module's own type. */
		if (m != NULL && imp->d.func_type < m->ntypes)
			ft = m->types[imp->d.func_type];
		if (ft.nresults > 1 ||
		    (ft.nresults == 1 && ft.types[ft.nparams] != WASM_I32))
			return WX_ELINK;
	}
	f = vm_func_new_host(s, &ft, fn, &x->thunks[d - wasix_defs]);
	if (f == NULL)
		return WX_ENOMEM;
	out->kind = WASM_EXT_FUNC;
	out->u.func = f;
	return 0;
}

bool wasix_module_uses(const struct wasm_module *m)
{
	for (uint32_t i = 0; i < m->nimports; i++)
		if (wasix_is_module(m->imports[i].module,
		                    m->imports[i].module_len))
			return true;
	return false;
}

/*
 * Preview1 functions that mean their WASIX counterpart in a module that
 * imports WASIX: fd_renumber is POSIX dup2, and proc_raise (which
 * wasix-libc's raise() calls) takes Linux signal numbers and runs the
 * guest's handler.
 */
static const struct wasix_def wasix_wasi_overrides[] = {
    {"fd_renumber", "(ii)i", wasix_fd_renumber, true},
    {"proc_raise", "(i)i", wasix_proc_raise, true},
};

int wasix_resolve_wasi(struct wasix_ctx *x, struct vm_store *s,
                       const struct wasm_module *m,
                       const struct wasm_import *imp, struct vm_extern *out)
{
	static const char mod[] = WASI_MODULE;
	const struct wasix_def *d = NULL;
	struct wasm_functype ft;
	uint32_t types[WASIX_MAX_SIG];
	struct vm_func *f;

	if (imp->kind != WASM_EXT_FUNC || imp->module_len != sizeof mod - 1 ||
	    memcmp(imp->module, mod, sizeof mod - 1) != 0)
		return WX_ELINK;
	for (size_t i = 0; i < WX_ARRAY_LEN(wasix_wasi_overrides); i++) {
		const char *n = wasix_wasi_overrides[i].name;
		if (imp->name_len == strlen(n) &&
		    memcmp(imp->name, n, imp->name_len) == 0)
			d = &wasix_wasi_overrides[i];
	}
	if (d == NULL || !wasix_module_uses(m))
		return WX_ELINK;
	wasi_sig_parse(d->sig, wasi_module_is64(m), &ft, types, WASIX_MAX_SIG);
	f = vm_func_new_host(s, &ft, d->fn, x);
	if (f == NULL)
		return WX_ENOMEM;
	out->kind = WASM_EXT_FUNC;
	out->u.func = f;
	return 0;
}

/* ---- the context ------------------------------------------------------- */

int wasix_ctx_new(struct wasi_ctx *w, const struct wasix_exec_ops *ops,
                  volatile sig_atomic_t *interrupt, struct wasix_ctx **out)
{
	struct wasix_ctx *x;

	if (proc_init() != 0)
		return WX_ENOMEM;
	x = wx_calloc(1, sizeof *x);
	if (x == NULL)
		return WX_ENOMEM;
	x->w = w;
	if (ops != NULL)
		x->ops = *ops;
	x->interrupt = interrupt;
	x->notify_fd = -1;
	x->trace_fd = -1;
	strcpy(x->cwd, "/");
	for (size_t i = 0; i < WASIX_NDEFS; i++) {
		x->thunks[i].x = x;
		x->thunks[i].fn = wasix_defs[i].fn;
	}
	proc_sig_set_flag(interrupt);
	wasi_set_enter_hook(w, wasix_enter_hook, x);
	*out = x;
	return 0;
}

void wasix_ctx_free(struct wasix_ctx *x)
{
	if (x == NULL)
		return;
	if (x->exec_prog != NULL && x->ops.discard != NULL)
		x->ops.discard(x->ops.ud, x->exec_prog);
	for (uint32_t i = 0; i < x->ncmds; i++) {
		wx_free(x->cmds[i].name);
		wx_free(x->cmds[i].host_file);
	}
	wx_free(x->cmds);
	wasix_env_forget(x);
	if (x->notify_fd >= 0)
		close(x->notify_fd);
	wasi_set_enter_hook(x->w, NULL, NULL);
	wx_free(x);
}

static char *wasix_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = wx_malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

int wasix_ctx_map_command(struct wasix_ctx *x, const char *name,
                          const char *host_file)
{
	struct wasix_cmd *v;

	if (x->ncmds >= WASIX_MAX_CMDS)
		return WX_ELIMIT;
	v = wx_realloc(x->cmds, (x->ncmds + 1) * sizeof *v);
	if (v == NULL)
		return WX_ENOMEM;
	x->cmds = v;
	v[x->ncmds].name = wasix_strdup(name);
	v[x->ncmds].host_file = wasix_strdup(host_file);
	if (v[x->ncmds].name == NULL || v[x->ncmds].host_file == NULL) {
		wx_free(v[x->ncmds].name);
		wx_free(v[x->ncmds].host_file);
		return WX_ENOMEM;
	}
	x->ncmds++;
	return 0;
}

void wasix_set_sticky(struct wasix_ctx *x, const int *sticky)
{
	x->sticky = sticky;
}

void wasix_set_trace(struct wasix_ctx *x, int fd)
{
	x->trace_fd = fd;
}

void wasix_set_instance(struct wasix_ctx *x, struct vm_store *s,
                        struct vm_instance *inst)
{
	x->store = s;
	x->inst = inst;
	x->callback = NULL;
}

void *wasix_exec_take(struct wasix_ctx *x)
{
	void *p = x->exec_prog;

	x->exec_prog = NULL;
	return p;
}

void wasix_exiting(struct wasix_ctx *x)
{
	if (x != NULL && x->notify_fd >= 0) {
		close(x->notify_fd);
		x->notify_fd = -1;
	}
}

/* ---- shared helpers ---------------------------------------------------- */

uint32_t wasix_str(struct vm_call *c, unsigned i, char *buf, size_t cap)
{
	/* Copied first, then checked: the guest may change it meanwhile. */
	return wasi_str_in(c, wasi_ptr(c, i), wasi_size(c, i + 1), buf, cap);
}

uint32_t wasix_abspath(const struct wasix_ctx *x, const char *path,
                       char out[VFS_PATH_MAX + 1])
{
	if (*path == 0)
		return WASI_ENOENT;
	return wasi_errno_from_host(
	    vfs_ns_norm(x->cwd, path, strlen(path), out));
}

uint32_t wasix_open_path(struct wasix_ctx *x, const char *path, int oflags,
                         int *hfd)
{
	char abs[VFS_PATH_MAX + 1];
	uint32_t err = wasix_abspath(x, path, abs);

	*hfd = -1;
	/* The namespace, never the guest's fds: a program that closed or
	 * replaced its preopens still finds its files. */
	if (err == WASI_ESUCCESS)
		err = wasi_open_guest_path(x->w, abs, oflags, hfd);
	return err == WASI_ENOTCAPABLE ? WASI_ENOENT : err;
}
