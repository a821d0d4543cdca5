/*
 * wasi_table.c: the preview1 bodies by row of the import table
 * (wasi_imports.def, which names all 46 functions of
 * wasi_snapshot_preview1 with their signatures), the preview1 resolver,
 * the host-errno-to-WASI-errno table, and the context's life cycle (the
 * fd table with the standard streams and the preopens).
 *
 * The same rows and the same bodies serve both widths: a 64-bit
 * wasix-libc imports preview1 from "wasi_snapshot_preview1" too, with
 * the signatures' 'p' and 'z' widened to i64 (wasi_module_is64). Adding
 * a function is a row in the .def plus its body in the file of its
 * family.
 */
#include "wasi/wasi_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "vfs/vfs.h"

/* The preview1 bodies, by row of wasi_imports.def. */
static const vm_host_fn wasi_bodies[WASI_NP1] = {
#define WASI_P1(name, sig, trace, body, wasix_body) body,
#include "wasi/wasi_imports.def"
};

_Static_assert(WASI_EBADF == 8 && WASI_ENOTDIR == 54 && WASI_ESPIPE == 70 &&
                   WASI_ENOTCAPABLE == 76,
               "preview1 errno numbering");

uint32_t wasi_store_u32(struct vm_call *c, uint64_t off, uint32_t v)
{
	uint8_t *p = wasi_mem(c, off, 4);

	if (p == NULL)
		return WASI_EFAULT;
	wasi_put_u32(p, v);
	return WASI_ESUCCESS;
}

uint32_t wasi_store_u64(struct vm_call *c, uint64_t off, uint64_t v)
{
	uint8_t *p = wasi_mem(c, off, 8);

	if (p == NULL)
		return WASI_EFAULT;
	wasi_put_u64(p, v);
	return WASI_ESUCCESS;
}

uint32_t wasi_store_size(struct vm_call *c, uint64_t off, uint64_t v)
{
	uint8_t *p = wasi_mem(c, off, wasi_psize(c));

	if (p == NULL)
		return WASI_EFAULT;
	wasi_put_ptr(c, p, v);
	return WASI_ESUCCESS;
}

bool wasi_module_is64(const struct wasm_module *m)
{
	return m != NULL && m->nmemories > 0 && m->memories[0].is64;
}

/* Host errno -> preview1 errno, for every value both sides name. */
static const struct {
	int host;
	uint8_t wasi;
} wasi_errno_map[] = {
    {E2BIG, WASI_E2BIG},
    {EACCES, WASI_EACCES},
    {EADDRINUSE, WASI_EADDRINUSE},
    {EADDRNOTAVAIL, WASI_EADDRNOTAVAIL},
    {EAFNOSUPPORT, WASI_EAFNOSUPPORT},
    {EAGAIN, WASI_EAGAIN},
    {EALREADY, WASI_EALREADY},
    {EBADF, WASI_EBADF},
    {EBADMSG, WASI_EBADMSG},
    {EBUSY, WASI_EBUSY},
    {ECANCELED, WASI_ECANCELED},
    {ECHILD, WASI_ECHILD},
    {ECONNABORTED, WASI_ECONNABORTED},
    {ECONNREFUSED, WASI_ECONNREFUSED},
    {ECONNRESET, WASI_ECONNRESET},
    {EDEADLK, WASI_EDEADLK},
    {EDESTADDRREQ, WASI_EDESTADDRREQ},
    {EDOM, WASI_EDOM},
    {EDQUOT, WASI_EDQUOT},
    {EEXIST, WASI_EEXIST},
    {EFAULT, WASI_EFAULT},
    {EFBIG, WASI_EFBIG},
    {EHOSTUNREACH, WASI_EHOSTUNREACH},
    {EIDRM, WASI_EIDRM},
    {EILSEQ, WASI_EILSEQ},
    {EINPROGRESS, WASI_EINPROGRESS},
    {EINTR, WASI_EINTR},
    {EINVAL, WASI_EINVAL},
    {EIO, WASI_EIO},
    {EISCONN, WASI_EISCONN},
    {EISDIR, WASI_EISDIR},
    {ELOOP, WASI_ELOOP},
    {EMFILE, WASI_EMFILE},
    {EMLINK, WASI_EMLINK},
    {EMSGSIZE, WASI_EMSGSIZE},
    {EMULTIHOP, WASI_EMULTIHOP},
    {ENAMETOOLONG, WASI_ENAMETOOLONG},
    {ENETDOWN, WASI_ENETDOWN},
    {ENETRESET, WASI_ENETRESET},
    {ENETUNREACH, WASI_ENETUNREACH},
    {ENFILE, WASI_ENFILE},
    {ENOBUFS, WASI_ENOBUFS},
    {ENODEV, WASI_ENODEV},
    {ENOENT, WASI_ENOENT},
    {ENOEXEC, WASI_ENOEXEC},
    {ENOLCK, WASI_ENOLCK},
    {ENOLINK, WASI_ENOLINK},
    {ENOMEM, WASI_ENOMEM},
    {ENOMSG, WASI_ENOMSG},
    {ENOPROTOOPT, WASI_ENOPROTOOPT},
    {ENOSPC, WASI_ENOSPC},
    {ENOSYS, WASI_ENOSYS},
    {ENOTCONN, WASI_ENOTCONN},
    {ENOTDIR, WASI_ENOTDIR},
    {ENOTEMPTY, WASI_ENOTEMPTY},
    {ENOTRECOVERABLE, WASI_ENOTRECOVERABLE},
    {ENOTSOCK, WASI_ENOTSOCK},
    {ENOTSUP, WASI_ENOTSUP},
    {ENOTTY, WASI_ENOTTY},
    {ENXIO, WASI_ENXIO},
    {EOVERFLOW, WASI_EOVERFLOW},
    {EOWNERDEAD, WASI_EOWNERDEAD},
    {EPERM, WASI_EPERM},
    {EPIPE, WASI_EPIPE},
    {EPROTO, WASI_EPROTO},
    {EPROTONOSUPPORT, WASI_EPROTONOSUPPORT},
    {EPROTOTYPE, WASI_EPROTOTYPE},
    {ERANGE, WASI_ERANGE},
    {EROFS, WASI_EROFS},
    {ESPIPE, WASI_ESPIPE},
    {ESRCH, WASI_ESRCH},
    {ESTALE, WASI_ESTALE},
    {ETIMEDOUT, WASI_ETIMEDOUT},
    {ETXTBSY, WASI_ETXTBSY},
    {EXDEV, WASI_EXDEV},
    {VFS_ENOTCAPABLE, WASI_ENOTCAPABLE},
};

uint32_t wasi_errno_from_host(int e)
{
	size_t i;

	if (e == 0)
		return WASI_ESUCCESS;
	for (i = 0; i < WX_ARRAY_LEN(wasi_errno_map); i++)
		if (wasi_errno_map[i].host == e)
			return wasi_errno_map[i].wasi;
	return WASI_EIO;
}

int wasi_errno_to_host(uint32_t e)
{
	if (e == WASI_ESUCCESS)
		return 0;
	for (size_t i = 0; i < WX_ARRAY_LEN(wasi_errno_map); i++)
		if (wasi_errno_map[i].wasi == e)
			return wasi_errno_map[i].host;
	return EIO;
}

struct vfs_entry *wasi_root_ref(struct wasi_ctx *w)
{
	if (!wasi_posix_paths(w))
		return NULL;
	vfs_entry_ref(w->root);
	return w->root;
}

uint32_t wasi_fd_get_or_root(struct wasi_ctx *w, uint32_t fd,
                             struct vfs_entry **e)
{
	uint32_t err = wasi_fd_get(w, fd, 0, e);

	if (err == WASI_EBADF && fd == w->root_fd &&
	    (*e = wasi_root_ref(w)) != NULL)
		err = WASI_ESUCCESS;
	return err;
}

uint32_t wasi_fd_get(struct wasi_ctx *w, uint32_t fd, uint64_t rights,
                     struct vfs_entry **e)
{
	*e = vfs_get_ref(&w->fds, fd);
	if (*e == NULL)
		return WASI_EBADF;
	return wasi_fd_rights_ok(*e, rights) ? WASI_ESUCCESS : WASI_ENOTCAPABLE;
}

void wasi_sig_parse(const char *sig, bool is64, struct wasm_functype *ft,
                    uint32_t *buf, uint32_t cap)
{
	uint32_t wide = is64 ? WASM_I64 : WASM_I32;
	uint32_t n = 0;
	const char *p;

	ft->nparams = 0;
	for (p = sig; *p != 0 && n < cap; p++) {
		if (*p == ')')
			ft->nparams = n;
		else if (*p == 'i')
			buf[n++] = WASM_I32;
		else if (*p == 'I')
			buf[n++] = WASM_I64;
		else if (*p == 'p' || *p == 'z')
			buf[n++] = wide;
	}
	ft->nresults = n - ft->nparams;
	ft->types = buf;
}

/* A function called through the enter hook (wasi_set_enter_hook). */
static int wasi_thunk_call(struct vm_call *c, void *ud)
{
	struct wasi_thunk *t = ud;
	const struct wasi_import_row *r =
	    wasi_import_at((size_t)(t - t->w->thunks));
	bool poll = wasi_bodies[t - t->w->thunks] == wasi_poll_oneoff;
	int rc = t->w->enter_hook(c, t->w->enter_ud);
	vm_host_fn fn = t->fn;

	if (rc != 0 && rc != WASI_RESTART && rc != WASI_RESTART_IO &&
	    rc != WASI_HANDLED)
		return rc;
	/* A handler ran just now: a poll that would wait returns EINTR. */
	if ((rc == WASI_HANDLED || rc == WASI_RESTART_IO) && poll)
		fn = wasi_poll_oneoff_nowait;
	for (;;) {
		rc = fn(c, t->w);
		fn = t->fn;
		if (rc != 0 || !wasi_interrupted(t->w))
			return rc;
		/* A signal that ended a blocking wait runs before EINTR is
		 * seen; if only restarting signals came, the call goes on. */
		rc = t->w->enter_hook(c, t->w->enter_ud);
		if (rc == WASI_HANDLED)
			return 0;
		if (rc != WASI_RESTART && rc != WASI_RESTART_IO)
			return rc;
		if (r->sig[strlen(r->sig) - 1] == ')' ||
		    c->results[0] != WASI_EINTR ||
		    (rc == WASI_RESTART_IO && poll))
			return 0;
	}
}

void wasi_set_enter_hook(struct wasi_ctx *w, vm_host_fn hook, void *ud)
{
	w->enter_hook = hook;
	w->enter_ud = ud;
}

int wasi_resolve_row(struct wasi_ctx *w, struct vm_store *s,
                     const struct wasm_module *m, const struct wasm_import *imp,
                     const struct wasi_import_row *r, bool is64,
                     struct vm_extern *out)
{
	size_t i = wasi_import_index(r);
	struct wasi_thunk *t;

	if (r->layer != WASI_LAYER_WASI || i >= WASI_NP1)
		return WX_ELINK;
	if (w->enter_hook == NULL)
		return wasi_import_make(s, m, imp, r, is64, wasi_bodies[i], w,
		                        out);
	/* Written once: a guest thread's instance resolves these again
	 * while other threads call through them. */
	t = &w->thunks[i];
	if (t->w != w || t->fn != wasi_bodies[i]) {
		t->w = w;
		t->fn = wasi_bodies[i];
	}
	return wasi_import_make(s, m, imp, r, is64, wasi_thunk_call, t, out);
}

int wasi_resolve(struct wasi_ctx *w, struct vm_store *s,
                 const struct wasm_module *m, const struct wasm_import *imp,
                 struct vm_extern *out)
{
	bool is64;
	const struct wasi_import_row *r = wasi_import_find(m, imp, &is64);

	if (r == NULL || r->layer != WASI_LAYER_WASI)
		return WX_ELINK;
	return wasi_resolve_row(w, s, m, imp, r, is64, out);
}

/*
 * Packs 'n' strings into one buffer of NUL-terminated strings. Sets
 * '*buf' and '*bytes', or returns WX_ELIMIT / WX_ENOMEM.
 */
static int wasi_pack(const char *const *v, uint32_t n, char **buf,
                     uint32_t *bytes, const char *what, struct diag *diag)
{
	size_t total = 0, len, i;
	char *p;

	if (n > WASI_MAX_ARGS)
		return diag_set(diag, WX_ELIMIT, "too many %s (%u, limit %u)",
		                what, n, WASI_MAX_ARGS);
	for (i = 0; i < n; i++) {
		total += strlen(v[i]) + 1;
		if (total > WASI_MAX_STRINGS_BYTES)
			return diag_set(diag, WX_ELIMIT,
			                "%s too long (limit %u bytes)", what,
			                WASI_MAX_STRINGS_BYTES);
	}
	p = wx_malloc(total);
	if (p == NULL)
		return diag_set(diag, WX_ENOMEM, "out of memory");
	*buf = p;
	*bytes = (uint32_t)total;
	for (i = 0; i < n; i++) {
		len = strlen(v[i]) + 1;
		memcpy(p, v[i], len);
		p += len;
	}
	return 0;
}

/* The rights a fresh fd of 'kind' starts with: base, inheriting. */
static void wasi_kind_rights(uint8_t kind, uint64_t *base, uint64_t *inh)
{
	*inh = 0;
	switch (kind) {
	case VFS_DIR:
		*base = WASI_RIGHTS_DIR;
		*inh = WASI_RIGHTS_ALL;
		break;
	case VFS_FILE:
	case VFS_CHARDEV:
	case VFS_BLOCKDEV:
		*base = WASI_RIGHTS_FILE;
		break;
	default: /* no seek/tell: wasi-libc's isatty() needs that on a tty */
		*base = WASI_RIGHTS_STREAM;
		break;
	}
}

/* Installs the embedder's host fd 'hfd' (borrowed) at guest fd 'fd'. */
static int wasi_add_stdio(struct wasi_ctx *w, int hfd, uint32_t fd)
{
	struct vfs_entry *e;
	uint8_t kind;

	if (hfd < 0)
		return 0;
	kind = vfs_kind_of(hfd);
	e = vfs_entry_new(hfd, kind, true);
	if (e == NULL)
		return WX_ENOMEM;
	wasi_kind_rights(kind, &e->rights_base, &e->rights_inheriting);
	if (vfs_install_at(&w->fds, e, fd) != 0) {
		vfs_entry_unref(e);
		return WX_ENOMEM;
	}
	return 0;
}

/* Names 'e' a preopen 'name' at guest path 'nspath', with dir rights. */
static int wasi_name_preopen(struct vfs_entry *e, const char *name,
                             const char *nspath)
{
	e->preopen = wx_malloc(strlen(name) + 1);
	if (e->nspath == NULL) {
		e->nspath = wx_malloc(strlen(nspath) + 1);
		if (e->nspath != NULL)
			strcpy(e->nspath, nspath);
	}
	if (e->preopen == NULL || e->nspath == NULL)
		return ENOMEM;
	strcpy(e->preopen, name);
	wasi_kind_rights(VFS_DIR, &e->rights_base, &e->rights_inheriting);
	return 0;
}

/*
 * Installs 'e' (taken over) as a preopen named 'name' with dir rights at
 * the lowest free fd from 3 ('*fd').
 */
static int wasi_install_preopen(struct wasi_ctx *w, struct vfs_entry *e,
                                const char *name, const char *nspath,
                                uint32_t *fd)
{
	/* From 3 even when a standard stream is closed. */
	int rc = wasi_name_preopen(e, name, nspath);

	if (rc == 0)
		rc = vfs_install(&w->fds, e, 3, fd);
	if (rc != 0)
		vfs_entry_unref(e);
	return rc;
}

/*
 * The entry a preopen of guest path 'gpath' shows: the host directory of
 * 'host' (opened now), or a virtual directory of the namespace.
 */
static int wasi_preopen_entry(struct wasi_ctx *w, const char *host,
                              const char *gpath, struct vfs_entry **e)
{
	int hfd;

	if (host == NULL)
		return vfs_vdir_entry(w->ns, gpath, e);
	hfd = open(host, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (hfd < 0)
		return errno;
	*e = vfs_entry_new(hfd, VFS_DIR, false);
	return *e == NULL ? ENOMEM : 0;
}

/*
 * Builds the namespace from the preopens and shows it to the guest
 * (wasi_config.posix_root): from fd 3, either each preopen as given (as
 * wasmtime: --tcplisten sockets follow at 3 + npreopens, and /dev is
 * reached through a preopen of "/"), or one "/" for everything.
 */
static int wasi_add_preopens(struct wasi_ctx *w, const struct wasi_config *cfg,
                             struct diag *diag)
{
	char gpath[VFS_PATH_MAX + 1];
	const char *root_host = NULL;
	struct vfs_entry *e;
	uint32_t i, fd;
	int err;

	err = vfs_ns_new(&w->ns);
	for (i = 0; i < cfg->npreopens && err == 0; i++) {
		const struct wasi_preopen *p = &cfg->preopens[i];

		err = vfs_ns_mount(w->ns, p->host, p->guest);
		if (err != 0 && err != ENOMEM)
			return diag_set(diag, WX_EIO,
			                "cannot open directory '%s': %s",
			                p->host, strerror(err));
		if (vfs_ns_norm(NULL, p->guest, strlen(p->guest), gpath) == 0 &&
		    strcmp(gpath, "/") == 0)
			root_host = p->host;
	}
	if (err == 0)
		err = vfs_ns_seal(w->ns);
	w->abs_paths = cfg->posix_root;
	if (cfg->posix_root) {
		if (err == 0)
			err = wasi_preopen_entry(w, root_host, "/", &e);
		if (err == 0 && cfg->root_unseen) {
			w->root = e;
			w->root_fd = 3;
			err = wasi_name_preopen(e, "/", "/");
		} else if (err == 0) {
			vfs_entry_ref(e);
			w->root = e;
			err = wasi_install_preopen(w, e, "/", "/", &w->root_fd);
		}
		goto done;
	}
	for (i = 0; i < cfg->npreopens && err == 0; i++) {
		const struct wasi_preopen *p = &cfg->preopens[i];

		err = vfs_ns_norm(NULL, p->guest, strlen(p->guest), gpath);
		if (err == 0)
			err = wasi_preopen_entry(w, p->host, gpath, &e);
		if (err == 0)
			err = wasi_install_preopen(w, e, p->guest, gpath, &fd);
	}
done:
	if (err == ENOMEM)
		return diag_set(diag, WX_ENOMEM, "out of memory");
	if (err != 0)
		return diag_set(diag, WX_EIO, "cannot open the preopens: %s",
		                strerror(err));
	return 0;
}

void wasi_ctx_set_posix_paths(struct wasi_ctx *w, bool on, bool root_unseen)
{
	w->abs_paths = on;
	/* A libc that needs its root in the slot gets it back there. */
	if (on && !root_unseen && w->root != NULL &&
	    vfs_get(&w->fds, w->root_fd) == NULL) {
		vfs_entry_ref(w->root);
		if (vfs_install_at(&w->fds, w->root, w->root_fd) != 0)
			vfs_entry_unref(w->root);
	}
}

bool wasi_posix_paths(const struct wasi_ctx *w)
{
	return w->abs_paths && w->root != NULL;
}

/* Installs the embedder's sockets (borrowed) after the preopens. */
static int wasi_add_sockets(struct wasi_ctx *w, const struct wasi_config *cfg,
                            struct diag *diag)
{
	struct vfs_entry *e;
	uint32_t i, fd;
	uint8_t kind;

	for (i = 0; i < cfg->nsockets; i++) {
		kind = vfs_kind_of(cfg->sockets[i]);
		if (kind != VFS_SOCKET_STREAM && kind != VFS_SOCKET_DGRAM)
			return diag_set(diag, WX_EIO,
			                "host fd %d is not a socket",
			                cfg->sockets[i]);
		e = vfs_entry_new(cfg->sockets[i], kind, true);
		if (e == NULL || vfs_install(&w->fds, e, 3, &fd) != 0) {
			vfs_entry_unref(e);
			return diag_set(diag, WX_ENOMEM, "out of memory");
		}
		wasi_kind_rights(kind, &e->rights_base, &e->rights_inheriting);
	}
	return 0;
}

int wasi_ctx_new(const struct wasi_config *cfg, struct wasi_ctx **out,
                 struct diag *diag)
{
	struct wasi_ctx *w;
	int rc, i;

	*out = NULL;
	w = wx_calloc(1, sizeof *w);
	if (w == NULL)
		return diag_set(diag, WX_ENOMEM, "out of memory");
	vfs_table_init(&w->fds, cfg->max_fds);
	rc = wasi_pack(cfg->argv, cfg->argc, &w->args, &w->args_bytes,
	               "arguments", diag);
	if (rc != 0)
		goto fail;
	rc = wasi_pack(cfg->envp, cfg->envc, &w->envs, &w->envs_bytes,
	               "environment variables", diag);
	if (rc != 0)
		goto fail;
	w->argc = cfg->argc;
	w->envc = cfg->envc;
	w->interrupt = cfg->interrupt;
	for (i = 0; i < 3 && rc == 0; i++)
		rc = wasi_add_stdio(w, cfg->stdio[i], (uint32_t)i);
	if (rc != 0) {
		diag_set(diag, rc, "out of memory");
		goto fail;
	}
	rc = wasi_add_preopens(w, cfg, diag);
	if (rc == 0)
		rc = wasi_add_sockets(w, cfg, diag);
	if (rc != 0)
		goto fail;
	*out = w;
	return 0;
fail:
	wasi_ctx_free(w);
	return rc;
}

void wasi_ctx_free(struct wasi_ctx *w)
{
	if (w == NULL)
		return;
	vfs_table_free(&w->fds);
	vfs_entry_unref(w->root);
	vfs_ns_free(w->ns);
	wx_free(w->args);
	wx_free(w->envs);
	wx_free(w);
}

bool wasi_exited(const struct wasi_ctx *w, int *code)
{
	if (w->exited && code != NULL)
		*code = w->exit_code;
	return w->exited;
}

int wasi_ctx_set_args(struct wasi_ctx *w, uint32_t argc,
                      const char *const *argv, uint32_t envc,
                      const char *const *envp)
{
	struct diag d = {0};
	char *args = NULL, *envs = NULL;
	uint32_t ab = 0, eb = 0;
	int rc;

	rc = wasi_pack(argv, argc, &args, &ab, "arguments", &d);
	if (rc == 0 && envp != NULL)
		rc = wasi_pack(envp, envc, &envs, &eb, "environment", &d);
	if (rc != 0) {
		wx_free(args);
		return rc;
	}
	wx_free(w->args);
	w->args = args;
	w->args_bytes = ab;
	w->argc = argc;
	if (envp != NULL) {
		wx_free(w->envs);
		w->envs = envs;
		w->envs_bytes = eb;
		w->envc = envc;
	}
	return 0;
}
