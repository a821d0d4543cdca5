/*
 * wasi_table.c: the table of every preview1 function, import resolution,
 * and the context's life cycle.
 *
 * The table lists all 46 functions of wasi_snapshot_preview1 with the core
 * WebAssembly signature the preview1 ABI gives them (checked against the
 * imports wasi-libc emits). Functions this layer does not implement yet
 * point at 'wasi_nosys', which returns ENOSYS, so that a program links and
 * fails only where it uses them. Adding a function is one line here plus
 * its body in the file of its family.
 *
 * Signature strings: "(params)results", 'i' for i32 and 'I' for i64.
 */
#include "wasi/wasi_impl.h"

#include <errno.h>
#include <string.h>

struct wasi_def {
	const char *name;
	const char *sig;
	vm_host_fn fn; /* NULL: not implemented, returns ENOSYS */
};

static const struct wasi_def wasi_defs[] = {
    {"args_get", "(ii)i", wasi_args_get},
    {"args_sizes_get", "(ii)i", wasi_args_sizes_get},
    {"environ_get", "(ii)i", wasi_environ_get},
    {"environ_sizes_get", "(ii)i", wasi_environ_sizes_get},
    {"clock_res_get", "(ii)i", wasi_clock_res_get},
    {"clock_time_get", "(iIi)i", wasi_clock_time_get},
    {"fd_advise", "(iIIi)i", NULL},
    {"fd_allocate", "(iII)i", NULL},
    {"fd_close", "(i)i", wasi_fd_close},
    {"fd_datasync", "(i)i", NULL},
    {"fd_fdstat_get", "(ii)i", wasi_fd_fdstat_get},
    {"fd_fdstat_set_flags", "(ii)i", NULL},
    {"fd_fdstat_set_rights", "(iII)i", NULL},
    {"fd_filestat_get", "(ii)i", NULL},
    {"fd_filestat_set_size", "(iI)i", NULL},
    {"fd_filestat_set_times", "(iIIi)i", NULL},
    {"fd_pread", "(iiiIi)i", NULL},
    {"fd_prestat_get", "(ii)i", wasi_fd_prestat_get},
    {"fd_prestat_dir_name", "(iii)i", wasi_fd_prestat_dir_name},
    {"fd_pwrite", "(iiiIi)i", NULL},
    {"fd_read", "(iiii)i", wasi_fd_read},
    {"fd_readdir", "(iiiIi)i", NULL},
    {"fd_renumber", "(ii)i", NULL},
    {"fd_seek", "(iIii)i", wasi_fd_seek},
    {"fd_sync", "(i)i", NULL},
    {"fd_tell", "(ii)i", wasi_fd_tell},
    {"fd_write", "(iiii)i", wasi_fd_write},
    {"path_create_directory", "(iii)i", NULL},
    {"path_filestat_get", "(iiiii)i", NULL},
    {"path_filestat_set_times", "(iiiiIIi)i", NULL},
    {"path_link", "(iiiiiii)i", NULL},
    {"path_open", "(iiiiiIIii)i", NULL},
    {"path_readlink", "(iiiiii)i", NULL},
    {"path_remove_directory", "(iii)i", NULL},
    {"path_rename", "(iiiiii)i", NULL},
    {"path_symlink", "(iiiii)i", NULL},
    {"path_unlink_file", "(iii)i", NULL},
    {"poll_oneoff", "(iiii)i", NULL},
    {"proc_exit", "(i)", wasi_proc_exit},
    {"proc_raise", "(i)i", NULL},
    {"sched_yield", "()i", wasi_sched_yield},
    {"random_get", "(ii)i", wasi_random_get},
    {"sock_accept", "(iii)i", NULL},
    {"sock_recv", "(iiiiii)i", NULL},
    {"sock_send", "(iiiii)i", NULL},
    {"sock_shutdown", "(ii)i", NULL},
};

_Static_assert(WX_ARRAY_LEN(wasi_defs) == 46, "preview1 has 46 functions");

/* The longest signature above, params and results together. */
#define WASI_MAX_SIG 12

/* Every function this layer does not implement yet. */
static int wasi_nosys(struct vm_call *c, void *ud)
{
	(void)ud;
	return wasi_ret(c, WASI_ENOSYS);
}

uint32_t wasi_store_u32(struct vm_call *c, uint32_t off, uint32_t v)
{
	uint8_t *p = wasi_mem(c, off, 4);

	if (p == NULL)
		return WASI_EFAULT;
	wasi_put_u32(p, v);
	return WASI_ESUCCESS;
}

uint32_t wasi_store_u64(struct vm_call *c, uint32_t off, uint64_t v)
{
	uint8_t *p = wasi_mem(c, off, 8);

	if (p == NULL)
		return WASI_EFAULT;
	wasi_put_u64(p, v);
	return WASI_ESUCCESS;
}

uint32_t wasi_errno_from_host(int e)
{
	switch (e) {
	case E2BIG:
		return WASI_E2BIG;
	case EACCES:
		return WASI_EACCES;
	case EAGAIN:
		return WASI_EAGAIN;
	case EBADF:
		return WASI_EBADF;
	case EFAULT:
		return WASI_EFAULT;
	case EFBIG:
		return WASI_EFBIG;
	case EINTR:
		return WASI_EINTR;
	case EINVAL:
		return WASI_EINVAL;
	case EISDIR:
		return WASI_EISDIR;
	case ENOMEM:
		return WASI_ENOMEM;
	case ENOSPC:
		return WASI_ENOSPC;
	case ENOSYS:
		return WASI_ENOSYS;
	case EPERM:
		return WASI_EPERM;
	case EPIPE:
		return WASI_EPIPE;
	case ESPIPE:
		return WASI_ESPIPE;
	default:
		return WASI_EIO;
	}
}

/* Turns "(iI)i" into the types array of 'ft' (storage: 'buf'). */
static void wasi_sig_parse(const char *sig, struct wasm_functype *ft,
                           uint8_t buf[WASI_MAX_SIG])
{
	uint32_t n = 0;
	const char *p;

	ft->nparams = 0;
	for (p = sig; *p != 0 && n < WASI_MAX_SIG; p++) {
		if (*p == ')')
			ft->nparams = n;
		else if (*p == 'i' || *p == 'I')
			buf[n++] = *p == 'i' ? WASM_I32 : WASM_I64;
	}
	ft->nresults = n - ft->nparams;
	ft->types = buf;
}

static const struct wasi_def *wasi_lookup(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < WX_ARRAY_LEN(wasi_defs); i++) {
		const char *d = wasi_defs[i].name;

		if (strlen(d) == len && memcmp(d, name, len) == 0)
			return &wasi_defs[i];
	}
	return NULL;
}

int wasi_resolve(struct wasi_ctx *w, struct vm_store *s,
                 const struct wasm_import *imp, struct vm_extern *out)
{
	static const char mod[] = WASI_MODULE;
	const struct wasi_def *d;
	struct wasm_functype ft;
	uint8_t types[WASI_MAX_SIG];
	struct vm_func *f;

	if (imp->kind != WASM_EXT_FUNC || imp->module_len != sizeof mod - 1 ||
	    memcmp(imp->module, mod, sizeof mod - 1) != 0)
		return WX_ELINK;
	d = wasi_lookup(imp->name, imp->name_len);
	if (d == NULL)
		return WX_ELINK;
	wasi_sig_parse(d->sig, &ft, types);
	f = vm_func_new_host(s, &ft, d->fn ? d->fn : wasi_nosys, w);
	if (f == NULL)
		return WX_ENOMEM;
	out->kind = WASM_EXT_FUNC;
	out->u.func = f;
	return 0;
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

int wasi_ctx_new(const struct wasi_config *cfg, struct wasi_ctx **out,
                 struct diag *diag)
{
	struct wasi_ctx *w;
	int rc, i;

	*out = NULL;
	w = wx_calloc(1, sizeof *w);
	if (w == NULL)
		return diag_set(diag, WX_ENOMEM, "out of memory");
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
	for (i = 0; i < WASI_NSTDIO; i++)
		w->host_fd[i] = cfg->stdio[i];
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
