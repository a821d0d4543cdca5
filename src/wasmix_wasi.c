/*
 * wasmix_wasi.c: WASI preview1 for instances of the standard C API
 * (include/wasm.h): wasmix_wasi_instance_new and wasmix_wasi_run_start of
 * include/wasmix.h. The bridge between src/capi/ (the wasm.h objects) and
 * src/wasi/ (the WASI layer), configured from a wasmix_config.
 *
 * What it keeps true:
 * - Each instance made here owns one WASI context, registered with its
 *   store as an environment (struct capi_env) so that wasm_store_delete
 *   frees it exactly once, after the last call that could use it.
 * - Everything runs in the embedder's process and thread: no WASIX
 *   process calls are served (no fork, exec, signals), and proc_raise,
 *   which would raise a host signal in the embedder, answers ENOSYS.
 *   proc_exit ends the call with an exit code, never the embedder.
 */
#include "capi/capi_impl.h"

#include <string.h>

#include "base/base.h"
#include "wasmix_capture.h"
#include "wasmix_config.h"

/* The import module served here. */
#define WASI_MODULE "wasi_snapshot_preview1"

/* WASI preview1's ENOSYS ("function not supported"). */
#define WASI_ERRNO_NOSYS 52

/* The WASI context of one instance (a capi_env of its store). */
struct wasi_env {
	struct vm_instance *inst; /* NULL until instantiated */
	struct wasi_ctx *wasi;
	/* Guest fds 1 and 2 kept in memory, or NULL. */
	struct wasmix_capture *capture[2];
};

static void wasi_env_free(void *p)
{
	struct wasi_env *e = p;

	wasi_ctx_free(e->wasi);
	wasmix_capture_free(e->capture[0]);
	wasmix_capture_free(e->capture[1]);
	wx_free(e);
}

/* What the resolver needs. */
struct wasi_link {
	wasm_store_t *store;
	const struct wasm_module *m;
	struct wasi_ctx *wasi;
	const wasm_extern_vec_t *imports; /* the non-WASI ones, in order */
	wasm_func_t *nosys;               /* made on first use */
};

static bool wasi_is_module(const struct wasm_import *imp)
{
	return imp->module_len == strlen(WASI_MODULE) &&
	       memcmp(imp->module, WASI_MODULE, imp->module_len) == 0;
}

/* proc_raise of an embedded instance: (i32) -> i32 ENOSYS. */
static wasm_trap_t *wasi_nosys(const wasm_val_vec_t *args,
                               wasm_val_vec_t *results)
{
	(void)args;
	results->data[0].kind = WASM_I32;
	results->data[0].of.i32 = WASI_ERRNO_NOSYS;
	return NULL;
}

static int wasi_resolve_proc_raise(struct wasi_link *l, struct vm_extern *out)
{
	if (l->nosys == NULL) {
		wasm_functype_t *ft = wasm_functype_new_1_1(
		    wasm_valtype_new(WASM_I32), wasm_valtype_new(WASM_I32));
		if (ft == NULL)
			return WX_ENOMEM;
		l->nosys = wasm_func_new(l->store, ft, wasi_nosys);
		wasm_functype_delete(ft);
		if (l->nosys == NULL)
			return WX_ENOMEM;
	}
	out->kind = WASM_EXT_FUNC;
	out->u.func = ((wasm_ref_t *)l->nosys)->u.func;
	return 0;
}

/* vm_resolve_fn: WASI from the context, the rest from l->imports. */
static int wasi_link_resolve(void *ud, const struct wasm_import *imp,
                             struct vm_extern *out)
{
	struct wasi_link *l = ud;
	size_t k = 0;
	const wasm_ref_t *r;

	if (wasi_is_module(imp)) {
		if (imp->name_len == 10 &&
		    memcmp(imp->name, "proc_raise", 10) == 0)
			return wasi_resolve_proc_raise(l, out);
		return wasi_resolve(l->wasi, l->store->vm, l->m, imp, out);
	}
	for (const struct wasm_import *p = l->m->imports; p < imp; p++)
		if (!wasi_is_module(p))
			k++;
	if (l->imports == NULL || k >= l->imports->size)
		return WX_ELINK;
	r = (const wasm_ref_t *)l->imports->data[k];
	return capi_extern_to_vm(r, out) ? 0 : WX_ELINK;
}

/* The WASI context of 'c' (NULL: the defaults) into 'e'. */
static int wasi_env_ctx(struct wasi_env *e, const struct wasmix_config *c,
                        struct diag *diag)
{
	static const char *const argv0[1] = {"module.wasm"};
	struct wasi_config wc;

	memset(&wc, 0, sizeof wc);
	wc.stdio[0] = 0;
	wc.stdio[1] = 1;
	wc.stdio[2] = 2;
	wc.argc = 1;
	wc.argv = argv0;
	wc.max_fds = WASMIX_DEFAULT_MAX_FDS;
	if (c != NULL) {
		if (c->argc > 0) {
			wc.argc = (uint32_t)c->argc;
			wc.argv = (const char *const *)c->argv;
		}
		wc.envc = (uint32_t)c->envc;
		wc.envp = (const char *const *)c->envp;
		memcpy(wc.stdio, c->stdio, sizeof wc.stdio);
		wc.npreopens = (uint32_t)c->ndirs;
		wc.preopens = c->dirs;
		wc.nsockets = (uint32_t)c->nsocks;
		wc.sockets = c->socks;
		if (c->max_fds != 0)
			wc.max_fds = c->max_fds;
		wc.interrupt = c->interrupt;
		for (int i = 0; i < 2; i++) {
			if (c->capture[i] == 0)
				continue;
			int rc = wasmix_capture_new(
			    c->capture[i], &e->capture[i], &wc.stdio[i + 1]);
			if (rc != 0)
				return diag_set(
				    diag, rc, "cannot capture fd %d: %s", i + 1,
				    rc == WX_ENOMEM ? "out of memory"
				                    : "no pipe or thread");
		}
	}
	return wasi_ctx_new(&wc, &e->wasi, diag);
}

int wasmix_wasi_instance_new(wasm_store_t *store, const wasm_module_t *module,
                             const wasmix_config *c,
                             const wasm_extern_vec_t *imports,
                             wasm_instance_t **out, wasm_trap_t **trap)
{
	struct capi_module *mod;
	struct wasi_link l;
	struct wasi_env *e = NULL;
	struct vm_instance *inst = NULL;
	wasm_ref_t *r = NULL;
	struct diag diag;
	bool kept = false;
	int rc;

	diag_clear(&diag);
	if (trap != NULL)
		*trap = NULL;
	if (out != NULL)
		*out = NULL;
	if (store == NULL || module == NULL || out == NULL)
		return WASMIX_ERROR;
	mod = ((const wasm_ref_t *)module)->u.module;
	/* The store holds a reference on the module (the engine borrows
	 * it), as wasm_instance_new's does. */
	rc = WX_ENOMEM;
	if (!capi_reserve((void **)&store->envs, &store->cap_envs,
	                  store->nenvs + 1, sizeof *store->envs) ||
	    !capi_reserve((void **)&store->mods, &store->cap_mods,
	                  store->nmods + 1, sizeof *store->mods)) {
		diag_set(&diag, rc, "out of memory");
		goto out;
	}
	e = wx_calloc(1, sizeof *e);
	if (e == NULL) {
		diag_set(&diag, rc, "out of memory");
		goto out;
	}
	rc = wasi_env_ctx(e, c, &diag);
	if (rc != 0)
		goto out;
	/* From here the store owns 'e' (freed at wasm_store_delete). */
	store->envs[store->nenvs++] = (struct capi_env){wasi_env_free, e};
	for (size_t i = 0; i < store->nmods; i++)
		kept = kept || store->mods[i] == mod;
	if (!kept) {
		__atomic_add_fetch(&mod->refs, 1, __ATOMIC_ACQ_REL);
		store->mods[store->nmods++] = mod;
	}
	l = (struct wasi_link){store, mod->m, e->wasi, imports, NULL};
	rc = vm_instantiate(store->vm, mod->m, wasi_link_resolve, &l, &inst,
	                    &diag);
	if (rc == WX_OK) {
		e->inst = inst;
		r = capi_obj(store, CAPI_INSTANCE, inst);
		if (r == NULL)
			rc = diag_set(&diag, WX_ENOMEM, "out of memory");
	}
	e = NULL;
out:
	if (e != NULL)
		wasi_env_free(e);
	if (r == NULL && trap != NULL)
		*trap = (wasm_trap_t *)(rc == WX_ETRAP ? capi_trap_of_call
		                                       : capi_trap_new_str)(
		    store, diag.set ? diag.msg : "instantiation failed");
	*out = (wasm_instance_t *)r;
	if (r != NULL)
		return WASMIX_OK;
	switch (rc) {
	case WX_ENOMEM:
		return WASMIX_NOMEM;
	case WX_ETRAP:
		return WASMIX_TRAP;
	case WX_ELIMIT:
		return WASMIX_LIMIT;
	case WX_EIO:
		return WASMIX_IOERR;
	default:
		return WASMIX_LINK;
	}
}

/* The WASI environment of instance 'inst' of store 's', or NULL. */
static struct wasi_env *wasi_env_of(wasm_store_t *s, struct vm_instance *inst)
{
	for (size_t i = 0; i < s->nenvs; i++)
		if (s->envs[i].finalizer == wasi_env_free &&
		    ((struct wasi_env *)s->envs[i].env)->inst == inst)
			return s->envs[i].env;
	return NULL;
}

int wasmix_wasi_run_start(wasm_instance_t *instance, int *exit_code,
                          wasm_trap_t **trap)
{
	wasm_ref_t *ir = (wasm_ref_t *)instance;
	struct wasi_env *e;
	struct vm_extern ext;
	const struct wasm_functype *ft;
	uint64_t none[1] = {0};
	struct diag diag;
	int rc, code = 0;

	diag_clear(&diag);
	if (trap != NULL)
		*trap = NULL;
	if (exit_code != NULL)
		*exit_code = 0;
	if (ir == NULL || exit_code == NULL || ir->kind != CAPI_INSTANCE)
		return WASMIX_ERROR;
	e = wasi_env_of(ir->store, ir->u.instance);
	if (e == NULL)
		return WASMIX_ERROR; /* not made by wasmix_wasi_instance_new */
	if (vm_instance_export(ir->u.instance, "_start", 6, &ext) != 0 ||
	    ext.kind != WASM_EXT_FUNC) {
		rc = diag_set(&diag, WX_ELINK,
		              "no '_start' function exported (not a WASI "
		              "command module)");
		goto out;
	}
	ft = vm_func_type(ext.u.func);
	if (ft->nparams != 0 || ft->nresults != 0) {
		rc = diag_set(&diag, WX_ELINK,
		              "export '_start' must have type [] -> []");
		goto out;
	}
	rc = vm_invoke(ir->store->vm, ext.u.func, none, none, &code, &diag);
	if (rc == WX_EEXIT) /* proc_exit: vm_invoke gave its code */
		rc = 0;
out:
	if (rc == 0) {
		*exit_code = code;
		return WASMIX_OK;
	}
	if (trap != NULL)
		*trap = (wasm_trap_t *)(rc == WX_ETRAP ? capi_trap_of_call
		                                       : capi_trap_new_str)(
		    ir->store, diag.set ? diag.msg : "call failed");
	return rc == WX_ETRAP ? WASMIX_TRAP : WASMIX_LINK;
}

int wasmix_wasi_output(wasm_instance_t *instance, int fd, const uint8_t **data,
                       size_t *len, uint64_t *dropped)
{
	wasm_ref_t *ir = (wasm_ref_t *)instance;
	struct wasi_env *e;
	uint64_t lost = 0;

	if (ir == NULL || ir->kind != CAPI_INSTANCE || data == NULL ||
	    len == NULL || (fd != 1 && fd != 2))
		return WASMIX_ERROR;
	e = wasi_env_of(ir->store, ir->u.instance);
	if (e == NULL || e->capture[fd - 1] == NULL)
		return WASMIX_ERROR;
	wasmix_capture_get(e->capture[fd - 1], data, len, &lost);
	if (dropped != NULL)
		*dropped = lost;
	return WASMIX_OK;
}
