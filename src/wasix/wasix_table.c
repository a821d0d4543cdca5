/*
 * wasix_table.c: the WASIX layer's bodies by row of the import table
 * (wasi_imports.def: every WASIX import, shared/spec/wasix_32v1.tsv plus
 * proc_raise, proc_raise_interval2, proc_exec4 and proc_spawn3), the one
 * resolver of every import a WASIX process links (preview1, "wasi",
 * WASIX, "env" "memory"), the context's life and the helpers the
 * wasix_*.c files share.
 *
 * One body serves both widths (wasix_32v1, and wasix_64v1 for memory64
 * programs, where 'p' and 'z' are i64). A WASI_NOSYS row links and
 * returns ENOSYS.
 */
#include "wasix/wasix_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "wasix/wasix_thread.h"

/*
 * The WASIX layer's bodies by row of wasi_imports.def: WASI_WASIX rows,
 * and the preview1 rows whose WASIX meaning differs (their wasix_body).
 */
static const vm_host_fn wasix_bodies[] = {
#define WASI_OTHER                                  NULL,
#define WASI_P1(name, sig, trace, body, wasix_body) wasix_body,
#define WASI_WASIX(name, sig, trace, body)          body,
#include "wasi/wasi_imports.def"
};

_Static_assert(WX_ARRAY_LEN(wasix_bodies) == WASI_NIMPORTS, "wasix_bodies");

/*
 * Every implemented function: signals first, then the body; a signal that
 * ended a blocking wait runs before EINTR is seen, and if only restarting
 * signals came (WASI_RESTART) the call goes on.
 */
static int wasix_thunk(struct vm_call *c, void *ud)
{
	struct wasix_thunk *t = ud;
	const char *sig = wasi_import_at((size_t)(t - t->x->thunks))->sig;
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

bool wasix_is_module(const char *mod, size_t len)
{
	return (len == sizeof WASIX_MODULE32 - 1 &&
	        memcmp(mod, WASIX_MODULE32, len) == 0) ||
	       (len == sizeof WASIX_MODULE64 - 1 &&
	        memcmp(mod, WASIX_MODULE64, len) == 0);
}

bool wasix_module_uses(const struct wasm_module *m)
{
	for (uint32_t i = 0; i < m->nimports; i++)
		if (wasix_is_module(m->imports[i].module,
		                    m->imports[i].module_len))
			return true;
	return false;
}

int wasix_resolve(struct wasix_ctx *x, struct wasix_threads *th,
                  struct vm_store *s, const struct wasm_module *m,
                  const struct wasm_import *imp, struct vm_extern *out)
{
	const struct wasi_import_row *r;
	size_t i;
	bool is64;

	if (imp->kind == WASM_EXT_MEMORY)
		return th != NULL ? wasix_thread_env_memory(th, s, imp, out)
		                  : WX_ELINK;
	r = wasi_import_find(m, imp, &is64);
	if (r == NULL)
		return WX_ELINK;
	i = wasi_import_index(r);
	switch (r->layer) {
	case WASI_LAYER_WASI:
		/* fd_renumber is POSIX dup2 and proc_raise takes Linux
		 * signal numbers in a program that imports WASIX. */
		if (wasix_bodies[i] != NULL && m != NULL &&
		    wasix_module_uses(m))
			return wasi_import_make(s, m, imp, r, is64,
			                        wasix_bodies[i], x, out);
		return wasi_resolve_row(x->w, s, m, imp, r, is64, out);
	case WASI_LAYER_THREADS:
		if (th == NULL)
			return WX_ELINK;
		return wasi_import_make(s, m, imp, r, is64,
		                        wasix_thread_body(i), th, out);
	case WASI_LAYER_WASIX:
		return wasi_import_make(s, m, imp, r, is64, wasix_thunk,
		                        &x->thunks[i], out);
	default:
		return wasi_import_make(s, m, imp, r, is64, NULL, NULL, out);
	}
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
	for (size_t i = 0; i < WASI_NIMPORTS; i++) {
		x->thunks[i].x = x;
		x->thunks[i].fn = wasix_bodies[i];
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
