/*
 * wasmix_wasi.c: WASI preview1 and WASIX for instances of the standard C
 * API (include/wasm.h): wasmix_wasi_instance_new and wasmix_wasi_run_start
 * of include/wasmix.h. The bridge between src/capi/ (the wasm.h objects)
 * and src/wasi/ + src/wasix/ (the host functions), configured from a
 * wasmix_config.
 *
 * What it keeps true:
 * - Each instance made here owns one WASI context (and, for a module
 *   that imports "wasix_32v1" or "wasix_64v1", one WASIX context on top
 *   of it), registered with its store as an environment (struct
 *   capi_env) so that wasm_store_delete frees them exactly once, after
 *   the last call that could use them.
 * - Everything runs in the embedder's process and thread, so nothing
 *   served here acts on the host process: the calls that would fork,
 *   exec or spawn it, raise, send or catch host signals in it, or switch
 *   its stack (wasix_refused below) answer ENOSYS, and guest threads are
 *   not offered. proc_exit ends the call with an exit code, never the
 *   embedder. Every other WASIX import is served by wasix_resolve, the
 *   one table of src/wasix/, with the config's network policy.
 */
#include "capi/capi_impl.h"

#include <string.h>

#include "base/base.h"
#include "proc/proc.h"
#include "wasix/wasix.h"
#include "wasmix_capture.h"
#include "wasmix_config.h"
#include "wasmix_timer.h"

/* WASI's ENOSYS ("function not supported"), the answer of refused calls. */
#define WASI_ERRNO_NOSYS 52

/*
 * Imports of "wasi_snapshot_preview1" (proc_raise) and of the WASIX
 * modules that would act on the embedder's process: fork, exec and spawn
 * it, raise or send host signals in it (a default action would end it),
 * install its signal handlers or interval timers, run green threads on
 * its stack. They link with the type wasix_resolve gives them and return
 * ENOSYS (the void ones do nothing). docs/embedding.md.
 */
static const char *const wasix_refused[] = {
    "proc_fork",
    "proc_fork_env",
    "proc_exec",
    "proc_exec2",
    "proc_exec3",
    "proc_exec4",
    "proc_spawn",
    "proc_spawn2",
    "proc_spawn3",
    "proc_signal",
    "proc_raise",
    "proc_raise_interval",
    "proc_raise_interval2",
    "thread_signal",
    "callback_signal",
    "context_create",
};

/* The WASI context of one instance (a capi_env of its store). */
struct wasi_env {
	struct vm_instance *inst; /* NULL until instantiated */
	struct wasi_ctx *wasi;
	struct wasix_ctx *wasix; /* a WASIX module's, or NULL */
	/* Guest fds 1 and 2 kept in memory, or NULL. */
	struct wasmix_capture *capture[2];
};

static void wasi_env_free(void *p)
{
	struct wasi_env *e = p;

	wasix_ctx_free(e->wasix);
	wasi_ctx_free(e->wasi);
	wasmix_capture_free(e->capture[0]);
	wasmix_capture_free(e->capture[1]);
	wx_free(e);
}

/* ---- stores with a config's limits (wasmix_store_new) ------------------ */

/* The timeout of a store (a capi_env of it, and its call hook's data). */
struct store_limits {
	uint64_t timeout_ms;
	volatile sig_atomic_t interrupt; /* the store's vm_config.interrupt */
	int timed_out;                   /* __atomic builtins */
	struct wasmix_timer timer;       /* armed during an outermost call */
};

static void store_limits_free(void *p)
{
	wx_free(p);
}

/* capi_call_hook.enter: arms the deadline of this call. */
static void store_limits_enter(void *ud)
{
	struct store_limits *sl = ud;

	__atomic_store_n(&sl->timed_out, 0, __ATOMIC_SEQ_CST);
	sl->interrupt = 0;
	/* If no timer thread can start, this call runs without a deadline. */
	if (wasmix_timer_start(&sl->timer, sl->timeout_ms, &sl->timed_out,
	                       &sl->interrupt) != 0)
		memset(&sl->timer, 0, sizeof sl->timer);
}

/* capi_call_hook.leave: disarms it; its trap says "timeout". */
static void store_limits_leave(void *ud, int *rc, struct diag *diag)
{
	struct store_limits *sl = ud;

	wasmix_timer_stop(&sl->timer);
	if (*rc == WX_ETRAP &&
	    __atomic_load_n(&sl->timed_out, __ATOMIC_SEQ_CST) &&
	    strcmp(diag->msg, "interrupted") == 0) {
		diag_clear(diag);
		diag_set(diag, WX_ETRAP,
		         "timeout (the guest ran longer than %g s)",
		         (double)sl->timeout_ms / 1000.0);
	}
	__atomic_store_n(&sl->timed_out, 0, __ATOMIC_SEQ_CST);
	sl->interrupt = 0;
}

/* vm_config.on_interrupt: stops the call once the deadline passed. */
static int store_limits_on_interrupt(struct vm_store *s,
                                     struct vm_instance *inst, void *ud)
{
	struct store_limits *sl = ud;

	(void)s;
	(void)inst;
	return __atomic_load_n(&sl->timed_out, __ATOMIC_SEQ_CST) ? WX_ETRAP : 0;
}

/* The timeout flag of store 's' (made by wasmix_store_new), or NULL. */
static volatile sig_atomic_t *store_interrupt(wasm_store_t *s)
{
	if (s->hook.enter != store_limits_enter)
		return NULL;
	return &((struct store_limits *)s->hook.ud)->interrupt;
}

wasm_store_t *wasmix_store_new(wasm_engine_t *engine, const wasmix_config *c)
{
	struct store_limits *sl = NULL;
	struct vm_config vc;
	wasm_store_t *s;

	wasmix_vm_config(c, &vc);
	if (c != NULL && c->timeout_ms != 0) {
		sl = wx_calloc(1, sizeof *sl);
		if (sl == NULL)
			return NULL;
		sl->timeout_ms = c->timeout_ms;
		vc.interrupt = &sl->interrupt;
		vc.on_interrupt = store_limits_on_interrupt;
		vc.interrupt_ud = sl;
	}
	s = capi_store_new(engine, &vc);
	if (s == NULL || sl == NULL) {
		wx_free(sl);
		return s;
	}
	if (!capi_reserve((void **)&s->envs, &s->cap_envs, s->nenvs + 1,
	                  sizeof *s->envs)) {
		wasm_store_delete(s);
		wx_free(sl);
		return NULL;
	}
	s->envs[s->nenvs++] = (struct capi_env){store_limits_free, sl};
	s->hook =
	    (struct capi_call_hook){store_limits_enter, store_limits_leave, sl};
	return s;
}

/* ---- instances --------------------------------------------------------- */

/* What the resolver needs. */
struct wasi_link {
	wasm_store_t *store;
	const struct wasm_module *m;
	struct wasi_ctx *wasi;
	struct wasix_ctx *wasix;          /* NULL: a preview1 module */
	const wasm_extern_vec_t *imports; /* the non-WASI ones, in order */
};

static bool wasi_is_module(const struct wasm_import *imp)
{
	return imp->module_len == strlen(WASI_MODULE) &&
	       memcmp(imp->module, WASI_MODULE, imp->module_len) == 0;
}

/* Whether 'imp' is "env" "memory", a memory import. */
static bool wasi_is_env_memory(const struct wasm_import *imp)
{
	return imp->kind == WASM_EXT_MEMORY && imp->module_len == 3 &&
	       memcmp(imp->module, "env", 3) == 0 && imp->name_len == 6 &&
	       memcmp(imp->name, "memory", 6) == 0;
}

/* Whether 'imp' is wasi-threads' "wasi" "thread-spawn" function. */
static bool wasi_is_thread_spawn(const struct wasm_import *imp)
{
	return imp->kind == WASM_EXT_FUNC && imp->module_len == 4 &&
	       memcmp(imp->module, "wasi", 4) == 0 && imp->name_len == 12 &&
	       memcmp(imp->name, "thread-spawn", 12) == 0;
}

/* "wasi" "thread-spawn" refused: a negative result is wasi-threads'
 * failure (wasi-libc's and wasix-libc's pthread_create: EAGAIN). */
static int wasi_refuse_spawn(struct vm_call *c, void *ud)
{
	(void)ud;
	c->results[0] = (uint32_t)-WASI_ERRNO_NOSYS;
	return 0;
}

/*
 * Links "wasi" "thread-spawn" of module 'm', declared (i32) -> i32, to
 * wasi_refuse_spawn; another type does not link.
 */
static int wasi_link_thread_spawn(struct wasi_link *l,
                                  const struct wasm_import *imp,
                                  struct vm_extern *out)
{
	const struct wasm_functype *ft;
	struct vm_func *f;

	if (imp->d.func_type >= l->m->ntypes)
		return WX_ELINK;
	ft = &l->m->types[imp->d.func_type];
	if (ft->nparams != 1 || ft->nresults != 1 ||
	    ft->types[0] != WX_VT_I32 || ft->types[1] != WX_VT_I32)
		return WX_ELINK;
	f = vm_func_new_host(l->store->vm, ft, wasi_refuse_spawn, NULL);
	if (f == NULL)
		return WX_ENOMEM;
	out->kind = WASM_EXT_FUNC;
	out->u.func = f;
	return 0;
}

/*
 * Whether 'imp' is served by this file: preview1, WASIX, and for a WASIX
 * module its "env" "memory" (wasix-libc's programs import their memory,
 * shared, which wasm.h cannot make).
 */
static bool wasi_is_host(const struct wasi_link *l,
                         const struct wasm_import *imp)
{
	return wasi_is_module(imp) || wasi_is_thread_spawn(imp) ||
	       wasix_is_module(imp->module, imp->module_len) ||
	       (l->wasix != NULL && wasi_is_env_memory(imp));
}

/* Whether 'imp' is one of wasix_refused. */
static bool wasi_is_refused(const struct wasm_import *imp)
{
	for (size_t i = 0; i < WX_ARRAY_LEN(wasix_refused); i++)
		if (imp->name_len == strlen(wasix_refused[i]) &&
		    memcmp(imp->name, wasix_refused[i], imp->name_len) == 0)
			return true;
	return false;
}

/* vm_resolve_fn: WASI and WASIX from the contexts, the rest from
 * l->imports. */
static int wasi_link_resolve(void *ud, const struct wasm_import *imp,
                             struct vm_extern *out)
{
	struct wasi_link *l = ud;
	size_t k = 0;
	const wasm_ref_t *r;
	int rc = WX_ELINK;

	if (l->wasix != NULL && wasi_is_env_memory(imp)) {
		/* A memory of the import's own limits, shared if it says so. */
		out->kind = WASM_EXT_MEMORY;
		return vm_memory_make(l->store->vm, &imp->d.memory,
		                      &out->u.memory);
	}
	if (wasi_is_thread_spawn(imp))
		return wasi_link_thread_spawn(l, imp, out);
	if (wasi_is_host(l, imp)) {
		if (wasi_is_refused(imp))
			return wasi_resolve_nosys(l->store->vm, l->m, imp, out);
		if (l->wasix == NULL)
			return wasi_resolve(l->wasi, l->store->vm, l->m, imp,
			                    out);
		/* Without guest threads the thread and futex rows do not
		 * link in wasix_resolve: they answer ENOSYS here. */
		rc = wasix_resolve(l->wasix, NULL, l->store->vm, l->m, imp,
		                   out);
		if (rc == WX_ELINK)
			rc = wasi_resolve_nosys(l->store->vm, l->m, imp, out);
		return rc;
	}
	for (const struct wasm_import *p = l->m->imports; p < imp; p++)
		if (!wasi_is_host(l, p))
			k++;
	if (l->imports == NULL || k >= l->imports->size)
		return WX_ELINK;
	r = (const wasm_ref_t *)l->imports->data[k];
	return capi_extern_to_vm(r, out) ? 0 : WX_ELINK;
}

/*
 * The WASI context of 'c' (NULL: the defaults) for module 'm' into 'e',
 * and its WASIX context when 'm' imports WASIX.
 */
static int wasi_env_ctx(struct wasi_env *e, const struct wasmix_config *c,
                        const struct wasm_module *m,
                        volatile sig_atomic_t *timeout_flag, struct diag *diag)
{
	static const char *const argv0[1] = {"module.wasm"};
	static const struct wasix_net_policy deny; /* zero: deny */
	struct wasi_config wc;
	int rc;

	memset(&wc, 0, sizeof wc);
	wc.stdio[0] = 0;
	wc.stdio[1] = 1;
	wc.stdio[2] = 2;
	wc.argc = 1;
	wc.argv = argv0;
	wc.max_fds = WASMIX_DEFAULT_MAX_FDS;
	/* A WASIX program sees the POSIX root, as in a run. */
	wc.posix_root = wasix_module_uses(m);
	wc.root_unseen = wc.posix_root && wasmix_root_unseen(m);
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
			rc = wasmix_capture_new(c->capture[i], &e->capture[i],
			                        &wc.stdio[i + 1]);
			if (rc != 0)
				return diag_set(
				    diag, rc, "cannot capture fd %d: %s", i + 1,
				    rc == WX_ENOMEM ? "out of memory"
				                    : "no pipe or thread");
		}
	}
	/* The embedder's flag, else the store's timeout's, so that a guest
	 * blocked in poll_oneoff or fd_read still stops (as in a run). */
	if (wc.interrupt == NULL)
		wc.interrupt = timeout_flag;
	rc = wasi_ctx_new(&wc, &e->wasi, diag);
	if (rc != 0 || !wc.posix_root)
		return rc;
	/* No exec ops: exec is refused here (wasix_refused). */
	if (wasix_ctx_new(e->wasi, NULL, wc.interrupt, &e->wasix) != 0)
		return diag_set(diag, WX_ENOMEM, "out of memory");
	/* No host signal handler exists on this path (callback_signal is
	 * refused): the process-wide flag must not point into this store. */
	proc_sig_set_flag(NULL);
	wasix_set_net(e->wasix, c != NULL ? &c->net : &deny);
	return 0;
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
	rc = capi_check_no_tag_import(mod->m, &diag);
	if (rc != WX_OK)
		goto out;
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
	rc = wasi_env_ctx(e, c, mod->m, store_interrupt(store), &diag);
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
	l = (struct wasi_link){store, mod->m, e->wasi, e->wasix, imports};
	capi_call_begin(store); /* the start function */
	rc = vm_instantiate(store->vm, mod->m, wasi_link_resolve, &l, &inst,
	                    &diag);
	if (rc == WX_OK && e->wasix != NULL) {
		/* Its signal callback is looked up there; the main thread's
		 * TLS as a run gives it (before any export runs). */
		wasix_set_instance(e->wasix, store->vm, inst);
		rc = wasix_init_main_tls(store->vm, inst, &diag);
	}
	capi_call_end(store, &rc, &diag);
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
	capi_call_begin(ir->store);
	rc = vm_invoke(ir->store->vm, ext.u.func, none, none, &code, &diag);
	capi_call_end(ir->store, &rc, &diag);
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
