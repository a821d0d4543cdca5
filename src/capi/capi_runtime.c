/*
 * capi_runtime.c: modules, instances, functions, globals, tables and
 * memories of the standard C API (wasm.h), over the engine (vm.h).
 *
 * Keeps true: a module's decoded form (struct capi_module) lives while a
 * handle, a shared handle or a store that instantiated it holds a
 * reference (the engine borrows it for the store's life); host callbacks
 * see values of the function's declared types and their results are
 * converted back before the engine sees them; a trap inside a call comes
 * back as a wasm_trap_t, never as a crash of the embedder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/capi_impl.h"

#include "aot/aot.h"

/* Values on the C stack up to this many; more go to the heap. */
#define SMALL_ARGS 16

/* ---- modules ----------------------------------------------------------------
 */

/* Decodes and validates 'binary'; NULL if it does not. */
static struct wasm_module *decode(const wasm_byte_vec_t *binary)
{
	struct wasm_limits lim;
	struct wasm_module *m = NULL;
	struct diag diag;

	diag_clear(&diag);
	wasm_limits_default(&lim);
	if (wasm_decode((const uint8_t *)binary->data, binary->size, &lim, &m,
	                &diag) != WX_OK ||
	    wasm_validate(m, &diag) != WX_OK) {
		wasm_module_free(m);
		return NULL;
	}
	return m;
}

static wasm_module_t *module_handle(wasm_store_t *s, struct capi_module *mod)
{
	wasm_ref_t *r = capi_obj(s, CAPI_MODULE, NULL);

	if (r == NULL)
		return NULL;
	__atomic_add_fetch(&mod->refs, 1, __ATOMIC_ACQ_REL);
	r->u.module = mod;
	return (wasm_module_t *)r;
}

/*
 * With the engine of 's' compiling, finds the compiled code of 'mod' in
 * the cache or compiles it (docs/aot.md); a module the compiled tier
 * cannot take, or no working C compiler, leaves it interpreted.
 */
static void module_compile(wasm_store_t *s, struct capi_module *mod)
{
	struct aot_options o;
	struct vm_config vc;
	struct diag d;

	if (s->engine == NULL)
		return;
	vm_config_default(&vc);
	memset(&o, 0, sizeof o);
	o.checked = vc.bounds_checks;
	o.verbose = s->engine->compile.verbose;
	o.no_cache = !s->engine->compile.cache;
	diag_clear(&d);
	if (aot_load(mod->m, &o, &mod->code, &d) != WX_OK) {
		mod->code = NULL;
		if (o.verbose)
			fprintf(stderr, "wasmix: interpreting: %s\n", d.msg);
	}
}

/* A module handle for the wasm binary 'bytes' (decoded, validated and,
 * with the engine compiling, compiled), or NULL. */
static wasm_module_t *module_new(wasm_store_t *store, const uint8_t *bytes,
                                 size_t len)
{
	struct capi_module *mod = wx_calloc(1, sizeof *mod);
	wasm_byte_vec_t binary = {len, (wasm_byte_t *)bytes};
	wasm_module_t *h = NULL;

	if (mod == NULL)
		return NULL;
	mod->m = decode(&binary);
	if (mod->m != NULL) {
		module_compile(store, mod);
		h = module_handle(store, mod);
	}
	if (h == NULL) {
		aot_code_free(mod->code);
		wasm_module_free(mod->m);
		wx_free(mod);
	}
	return h;
}

wasm_module_t *wasm_module_new(wasm_store_t *store,
                               const wasm_byte_vec_t *binary)
{
	return module_new(store, (const uint8_t *)binary->data, binary->size);
}

bool wasm_module_validate(wasm_store_t *store, const wasm_byte_vec_t *binary)
{
	struct wasm_module *m = decode(binary);

	(void)store;
	wasm_module_free(m);
	return m != NULL;
}

static const struct wasm_module *module_of(const wasm_module_t *h)
{
	return ((const wasm_ref_t *)h)->u.module->m;
}

/* The API's type of import or export 'kind' 'index' of 'm' (NULL: tags). */
static wasm_externtype_t *extern_type_of(const struct wasm_module *m,
                                         uint8_t kind, uint32_t index)
{
	switch (kind) {
	case WASM_EXT_FUNC:
		return &capi_functype_of(wx_module_func_type(m, index))->ext;
	case WASM_EXT_TABLE:
		return &capi_tabletype_of(&m->tables[index])->ext;
	case WASM_EXT_MEMORY:
		return &capi_memorytype_of(&m->memories[index])->ext;
	case WASM_EXT_GLOBAL:
		return &capi_globaltype_of(&m->globals[index].type)->ext;
	default:
		return NULL;
	}
}

void wasm_module_imports(const wasm_module_t *module,
                         wasm_importtype_vec_t *out)
{
	const struct wasm_module *m = module_of(module);
	uint32_t counts[5] = {0};
	size_t n = 0;

	wasm_importtype_vec_new_uninitialized(out, m->nimports);
	for (uint32_t i = 0; i < m->nimports && n < out->size; i++) {
		const struct wasm_import *imp = &m->imports[i];
		uint32_t index = counts[imp->kind < 5 ? imp->kind : 4]++;
		wasm_externtype_t *t = extern_type_of(m, imp->kind, index);
		wasm_name_t mn, nn;
		if (t == NULL)
			continue;
		wasm_name_new(&mn, imp->module_len, imp->module);
		wasm_name_new(&nn, imp->name_len, imp->name);
		out->data[n++] = wasm_importtype_new(&mn, &nn, t);
	}
	out->size = n;
}

void wasm_module_exports(const wasm_module_t *module,
                         wasm_exporttype_vec_t *out)
{
	const struct wasm_module *m = module_of(module);
	size_t n = 0;

	wasm_exporttype_vec_new_uninitialized(out, m->nexports);
	for (uint32_t i = 0; i < m->nexports && n < out->size; i++) {
		const struct wasm_export *ex = &m->exports[i];
		wasm_externtype_t *t = extern_type_of(m, ex->kind, ex->index);
		wasm_name_t nn;
		if (t == NULL)
			continue;
		wasm_name_new(&nn, ex->name_len, ex->name);
		out->data[n++] = wasm_exporttype_new(&nn, t);
	}
	out->size = n;
}

/*
 * The serialized form (docs/embedding.md): SER_MAGIC, the SHA-256 of the
 * module's binary in 64 hex digits, then that binary. The compiled code is
 * not in it: it lives in the cache under a key computed from the binary
 * (never taken from these bytes), so deserializing with the engine
 * compiling finds it there without compiling again, and a cache miss
 * compiles. Deserializing checks the digest, then decodes and validates
 * the binary as wasm_module_new does.
 */
#define SER_MAGIC     "WASMIXM\001"
#define SER_MAGIC_LEN 8
#define SER_HEADER    (SER_MAGIC_LEN + 64)

void wasm_module_serialize(const wasm_module_t *module, wasm_byte_vec_t *out)
{
	const struct wasm_module *m = module_of(module);
	const void *part = m->bytes;
	size_t len = m->nbytes;
	char hex[65];

	aot_sha256_hex(&part, &len, 1, hex);
	wasm_byte_vec_new_uninitialized(out, SER_HEADER + m->nbytes);
	if (out->data == NULL) {
		out->size = 0;
		return;
	}
	memcpy(out->data, SER_MAGIC, SER_MAGIC_LEN);
	memcpy(out->data + SER_MAGIC_LEN, hex, 64);
	memcpy(out->data + SER_HEADER, m->bytes, m->nbytes);
}

wasm_module_t *wasm_module_deserialize(wasm_store_t *store,
                                       const wasm_byte_vec_t *bytes)
{
	const uint8_t *p = (const uint8_t *)bytes->data;
	const void *part;
	size_t len;
	char hex[65];

	if (p == NULL || bytes->size < SER_HEADER ||
	    memcmp(p, SER_MAGIC, SER_MAGIC_LEN) != 0)
		return NULL;
	part = p + SER_HEADER;
	len = bytes->size - SER_HEADER;
	aot_sha256_hex(&part, &len, 1, hex);
	if (memcmp(hex, p + SER_MAGIC_LEN, 64) != 0)
		return NULL;
	return module_new(store, p + SER_HEADER, len);
}

wasm_shared_module_t *wasm_module_share(const wasm_module_t *module)
{
	wasm_shared_module_t *sh = wx_calloc(1, sizeof *sh);

	if (sh == NULL)
		return NULL;
	sh->mod = ((const wasm_ref_t *)module)->u.module;
	__atomic_add_fetch(&sh->mod->refs, 1, __ATOMIC_ACQ_REL);
	return sh;
}

wasm_module_t *wasm_module_obtain(wasm_store_t *store,
                                  const wasm_shared_module_t *sh)
{
	return module_handle(store, sh->mod);
}

void wasm_shared_module_delete(wasm_shared_module_t *sh)
{
	if (sh == NULL)
		return;
	capi_module_release(sh->mod);
	wx_free(sh);
}

/* ---- instances
 * ------------------------------------------------------------------ */

struct link {
	const struct wasm_module *m;
	const wasm_extern_vec_t *imports;
};

bool capi_extern_to_vm(const wasm_ref_t *r, struct vm_extern *out)
{
	if (r == NULL || r->kind > CAPI_MEMORY)
		return false;
	switch (r->kind) {
	case CAPI_FUNC:
		out->kind = WASM_EXT_FUNC;
		out->u.func = r->u.func;
		break;
	case CAPI_GLOBAL:
		out->kind = WASM_EXT_GLOBAL;
		out->u.global = r->u.global;
		break;
	case CAPI_TABLE:
		out->kind = WASM_EXT_TABLE;
		out->u.table = r->u.table;
		break;
	default:
		out->kind = WASM_EXT_MEMORY;
		out->u.memory = r->u.memory;
		break;
	}
	return true;
}

/* Import i of the module is imports->data[i] (wasm.h's contract). */
static int resolve(void *ud, const struct wasm_import *imp,
                   struct vm_extern *out)
{
	const struct link *l = ud;
	size_t i = (size_t)(imp - l->m->imports);
	const wasm_ref_t *r;

	if (l->imports == NULL || i >= l->imports->size)
		return -1;
	r = (const wasm_ref_t *)l->imports->data[i];
	return capi_extern_to_vm(r, out) ? 0 : -1;
}

/* Makes sure store 's' holds a reference on 'mod' (the engine borrows it). */
static bool store_keep_module(wasm_store_t *s, struct capi_module *mod)
{
	for (size_t i = s->nmods; i-- > 0;)
		if (s->mods[i] == mod)
			return true;
	if (!capi_reserve((void **)&s->mods, &s->cap_mods, s->nmods + 1,
	                  sizeof *s->mods))
		return false;
	__atomic_add_fetch(&mod->refs, 1, __ATOMIC_ACQ_REL);
	s->mods[s->nmods++] = mod;
	return true;
}

int capi_check_no_tag_import(const struct wasm_module *m, struct diag *diag)
{
	for (uint32_t i = 0; i < m->nimports; i++) {
		const struct wasm_import *imp = &m->imports[i];
		if (imp->kind == WASM_EXT_TAG)
			return diag_set(
			    diag, WX_ELINK,
			    "import %.*s.%.*s is a tag, which wasm.h "
			    "has no extern kind for",
			    (int)imp->module_len, imp->module,
			    (int)imp->name_len, imp->name);
	}
	return WX_OK;
}

wasm_instance_t *wasm_instance_new(wasm_store_t *store,
                                   const wasm_module_t *module,
                                   const wasm_extern_vec_t *imports,
                                   wasm_trap_t **trap)
{
	struct capi_module *mod = ((const wasm_ref_t *)module)->u.module;
	struct link l = {mod->m, imports};
	struct vm_instance *inst = NULL;
	struct diag diag;
	wasm_ref_t *r = NULL;
	int rc;

	diag_clear(&diag);
	if (trap != NULL)
		*trap = NULL;
	if (!store_keep_module(store, mod)) {
		rc = WX_ENOMEM;
		diag_set(&diag, rc, "out of memory");
		goto out;
	}
	rc = capi_check_no_tag_import(mod->m, &diag);
	if (rc != WX_OK)
		goto out;
	capi_call_begin(store); /* the start function */
	rc = vm_instantiate(store->vm, mod->m, resolve, &l, &inst, &diag);
	capi_call_end(store, &rc, &diag);
	if (rc == WX_OK) {
		r = capi_obj(store, CAPI_INSTANCE, inst);
		if (r == NULL)
			diag_set(&diag, WX_ENOMEM, "out of memory");
	}
out:
	if (r == NULL && trap != NULL)
		*trap = (wasm_trap_t *)(rc == WX_ETRAP ? capi_trap_of_call
		                                       : capi_trap_new_str)(
		    store, diag.set ? diag.msg : "instantiation failed");
	return (wasm_instance_t *)r;
}

void wasm_instance_exports(const wasm_instance_t *instance,
                           wasm_extern_vec_t *out)
{
	const wasm_ref_t *ir = (const wasm_ref_t *)instance;
	struct vm_instance *inst = ir->u.instance;
	const struct wasm_module *m = vm_instance_module(inst);
	size_t n = 0;

	wasm_extern_vec_new_uninitialized(out, m->nexports);
	for (uint32_t i = 0; i < m->nexports && n < out->size; i++) {
		struct vm_extern ex;
		wasm_ref_t *r = NULL;
		if (vm_instance_export(inst, m->exports[i].name,
		                       m->exports[i].name_len, &ex) != WX_OK)
			continue;
		switch (ex.kind) {
		case WASM_EXT_FUNC:
			r = capi_obj(ir->store, CAPI_FUNC, ex.u.func);
			break;
		case WASM_EXT_GLOBAL:
			r = capi_obj(ir->store, CAPI_GLOBAL, ex.u.global);
			break;
		case WASM_EXT_TABLE:
			r = capi_obj(ir->store, CAPI_TABLE, ex.u.table);
			break;
		case WASM_EXT_MEMORY:
			r = capi_obj(ir->store, CAPI_MEMORY, ex.u.memory);
			break;
		default:
			break; /* tags: the API has no kind for them */
		}
		if (r != NULL)
			out->data[n++] = (wasm_extern_t *)r;
	}
	out->size = n;
}

/* ---- functions
 * ------------------------------------------------------------------ */

/* What a host function made here carries (the engine's user data). */
struct host_fn {
	wasm_store_t *store;
	wasm_func_callback_t cb;
	wasm_func_callback_with_env_t cb_env;
	void *env;
	uint32_t nparams, nresults;
	wasm_valkind_t kinds[]; /* params, then results */
};

static int host_call(struct vm_call *call, void *ud)
{
	const struct host_fn *h = ud;
	wasm_val_t small[SMALL_ARGS], *vals = small;
	size_t n = (size_t)h->nparams + h->nresults;
	wasm_trap_t *trap;
	int rc = WX_OK;

	if (n > SMALL_ARGS) {
		vals = wx_alloc_array(n, sizeof *vals);
		if (vals == NULL)
			return vm_call_trap(call, "out of memory");
	}
	for (uint32_t i = 0; i < h->nparams; i++)
		capi_val_of_slot(h->store, h->kinds[i], call->args[i],
		                 &vals[i]);
	for (uint32_t i = 0; i < h->nresults; i++) {
		memset(&vals[h->nparams + i], 0, sizeof *vals);
		vals[h->nparams + i].kind = h->kinds[h->nparams + i];
	}
	wasm_val_vec_t args = {h->nparams, vals};
	wasm_val_vec_t results = {h->nresults, vals + h->nparams};
	trap = h->cb_env != NULL ? h->cb_env(h->env, &args, &results)
	                         : h->cb(&args, &results);
	if (trap != NULL) {
		const wasm_ref_t *t = (const wasm_ref_t *)trap;
		rc = vm_call_trap(call,
		                  t->u.trap.msg.size ? t->u.trap.msg.data : "");
		wasm_trap_delete(trap);
		goto out;
	}
	for (uint32_t i = 0; i < h->nresults; i++) {
		wasm_val_t *v = &vals[h->nparams + i];
		if (v->kind != h->kinds[h->nparams + i]) {
			rc = vm_call_trap(call, "host function result of the "
			                        "wrong type");
			goto out;
		}
		call->results[i] = capi_slot_of_val(v);
	}
out:
	if (vals != small)
		wx_free(vals);
	return rc;
}

static wasm_func_t *func_new(wasm_store_t *store, const wasm_functype_t *type,
                             wasm_func_callback_t cb,
                             wasm_func_callback_with_env_t cb_env, void *env,
                             void (*finalizer)(void *))
{
	struct wasm_functype vt;
	struct host_fn *h = NULL;
	struct vm_func *f = NULL;
	size_t n = type->params.size + type->results.size;
	wasm_ref_t *r = NULL;

	if (finalizer != NULL &&
	    !capi_reserve((void **)&store->envs, &store->cap_envs,
	                  store->nenvs + 1, sizeof *store->envs))
		return NULL;
	if (!capi_functype_to_vm(type, &vt))
		return NULL;
	f = vm_func_new_host_data(store->vm, &vt, host_call,
	                          sizeof *h + n * sizeof h->kinds[0],
	                          (void **)&h);
	wx_free(vt.types);
	if (f == NULL)
		return NULL;
	h->store = store;
	h->cb = cb;
	h->cb_env = cb_env;
	h->env = env;
	h->nparams = (uint32_t)type->params.size;
	h->nresults = (uint32_t)type->results.size;
	for (size_t i = 0; i < type->params.size; i++)
		h->kinds[i] = type->params.data[i]->kind;
	for (size_t i = 0; i < type->results.size; i++)
		h->kinds[h->nparams + i] = type->results.data[i]->kind;
	r = capi_obj(store, CAPI_FUNC, f);
	if (r != NULL && finalizer != NULL)
		store->envs[store->nenvs++] = (struct capi_env){finalizer, env};
	return (wasm_func_t *)r;
}

wasm_func_t *wasm_func_new(wasm_store_t *store, const wasm_functype_t *type,
                           wasm_func_callback_t cb)
{
	return func_new(store, type, cb, NULL, NULL, NULL);
}

wasm_func_t *wasm_func_new_with_env(wasm_store_t *store,
                                    const wasm_functype_t *type,
                                    wasm_func_callback_with_env_t cb, void *env,
                                    void (*finalizer)(void *))
{
	return func_new(store, type, NULL, cb, env, finalizer);
}

static struct vm_func *vm_func_of(const wasm_func_t *f)
{
	return ((const wasm_ref_t *)f)->u.func;
}

wasm_functype_t *wasm_func_type(const wasm_func_t *f)
{
	return capi_functype_of(vm_func_type(vm_func_of(f)));
}

size_t wasm_func_param_arity(const wasm_func_t *f)
{
	return vm_func_type(vm_func_of(f))->nparams;
}

size_t wasm_func_result_arity(const wasm_func_t *f)
{
	return vm_func_type(vm_func_of(f))->nresults;
}

wasm_trap_t *wasm_func_call(const wasm_func_t *func, const wasm_val_vec_t *args,
                            wasm_val_vec_t *results)
{
	const wasm_ref_t *fr = (const wasm_ref_t *)func;
	const struct wasm_functype *ft = vm_func_type(fr->u.func);
	uint64_t small[SMALL_ARGS], *slots = small;
	size_t n = (size_t)ft->nparams + ft->nresults;
	struct diag diag;
	const char *why = NULL;
	int rc = WX_OK;

	diag_clear(&diag);
	if ((args != NULL ? args->size : 0) != ft->nparams)
		return (wasm_trap_t *)capi_trap_new_str(
		    fr->store, "wrong number of arguments");
	/* wasm.h has no v128 value (capi_valkind_of shows it as externref),
	 * and a v128 takes two slots: refuse rather than misread. */
	for (size_t i = 0; i < n; i++)
		if (ft->types[i] == WASM_V128)
			return (wasm_trap_t *)capi_trap_new_str(
			    fr->store, "v128 parameters and results are not "
			               "supported by the C API");
	if (n > SMALL_ARGS) {
		slots = wx_alloc_array(n, sizeof *slots);
		if (slots == NULL)
			return (wasm_trap_t *)capi_trap_new_str(
			    fr->store, "out of memory");
	}
	for (uint32_t i = 0; i < ft->nparams; i++) {
		if (args->data[i].kind != capi_valkind_of(ft->types[i])) {
			why = "argument of the wrong type";
			goto out;
		}
		slots[i] = capi_slot_of_val(&args->data[i]);
	}
	capi_call_begin(fr->store);
	rc = vm_invoke(fr->store->vm, fr->u.func, slots, slots + ft->nparams,
	               NULL, &diag);
	capi_call_end(fr->store, &rc, &diag);
	if (rc == WX_EEXIT) {
		why = "the guest called exit";
	} else if (rc != WX_OK) {
		why = diag.set ? diag.msg : "call failed";
	} else {
		/* A results vector shorter than the type gets what fits. */
		size_t nres = results != NULL ? results->size : 0;
		for (uint32_t i = 0; i < ft->nresults && i < nres; i++)
			capi_val_of_slot(
			    fr->store,
			    capi_valkind_of(ft->types[ft->nparams + i]),
			    slots[ft->nparams + i], &results->data[i]);
	}
out:
	if (slots != small)
		wx_free(slots);
	if (why == NULL)
		return NULL;
	return (wasm_trap_t *)(rc == WX_ETRAP
	                           ? capi_trap_of_call(fr->store, why)
	                           : capi_trap_new_str(fr->store, why));
}

/* ---- globals
 * ---------------------------------------------------------------------- */

wasm_global_t *wasm_global_new(wasm_store_t *store,
                               const wasm_globaltype_t *type,
                               const wasm_val_t *v)
{
	struct wasm_globaltype gt;
	struct vm_global *g;

	if (v->kind != type->content->kind)
		return NULL;
	gt.valtype = capi_vt_of(type->content->kind);
	gt.mut = type->mutability == WASM_VAR;
	g = vm_global_new(store->vm, &gt, capi_slot_of_val(v));
	return g != NULL ? (wasm_global_t *)capi_obj(store, CAPI_GLOBAL, g)
	                 : NULL;
}

static struct vm_global *vm_global_of(const wasm_global_t *g)
{
	return ((const wasm_ref_t *)g)->u.global;
}

wasm_globaltype_t *wasm_global_type(const wasm_global_t *g)
{
	return capi_globaltype_of(vm_global_type(vm_global_of(g)));
}

/* A v128 global (no wasm.h value) reads as a null externref. */
void wasm_global_get(const wasm_global_t *g, wasm_val_t *out)
{
	struct vm_global *vg = vm_global_of(g);

	if (vm_global_type(vg)->valtype == WASM_V128) {
		out->kind = WASM_EXTERNREF;
		out->of.ref = NULL;
		return;
	}
	capi_val_of_slot(((const wasm_ref_t *)g)->store,
	                 capi_valkind_of(vm_global_type(vg)->valtype),
	                 vm_global_get(vg), out);
}

/* Ignores a value of the wrong type (the API has no error channel), and
 * any value for a v128 global. */
void wasm_global_set(wasm_global_t *g, const wasm_val_t *v)
{
	struct vm_global *vg = vm_global_of(g);

	if (vm_global_type(vg)->valtype != WASM_V128 &&
	    v->kind == capi_valkind_of(vm_global_type(vg)->valtype))
		vm_global_set(vg, capi_slot_of_val(v));
}

/* ---- tables
 * ------------------------------------------------------------------------ */

wasm_table_t *wasm_table_new(wasm_store_t *store, const wasm_tabletype_t *type,
                             wasm_ref_t *init)
{
	struct wasm_tabletype tt;
	struct vm_table *t;

	memset(&tt, 0, sizeof tt);
	tt.elemtype = capi_vt_of(type->element->kind);
	capi_limits_decl(&type->limits, &tt.limits);
	t = vm_table_new(store->vm, &tt,
	                 capi_slot_of_ref(type->element->kind, init));
	return t != NULL ? (wasm_table_t *)capi_obj(store, CAPI_TABLE, t)
	                 : NULL;
}

static struct vm_table *vm_table_of(const wasm_table_t *t)
{
	return ((const wasm_ref_t *)t)->u.table;
}

static wasm_valkind_t table_kind(const wasm_table_t *t)
{
	return capi_valkind_of(vm_table_type(vm_table_of(t))->elemtype);
}

wasm_tabletype_t *wasm_table_type(const wasm_table_t *t)
{
	return capi_tabletype_of(vm_table_type(vm_table_of(t)));
}

wasm_ref_t *wasm_table_get(const wasm_table_t *t, wasm_table_size_t index)
{
	uint64_t slot;

	if (vm_table_get(vm_table_of(t), index, &slot) != WX_OK)
		return NULL;
	return capi_ref_of_slot(((const wasm_ref_t *)t)->store, table_kind(t),
	                        slot);
}

bool wasm_table_set(wasm_table_t *t, wasm_table_size_t index, wasm_ref_t *ref)
{
	return vm_table_set(vm_table_of(t), index,
	                    capi_slot_of_ref(table_kind(t), ref)) == WX_OK;
}

wasm_table_size_t wasm_table_size(const wasm_table_t *t)
{
	return (wasm_table_size_t)vm_table_size(vm_table_of(t));
}

bool wasm_table_grow(wasm_table_t *t, wasm_table_size_t delta, wasm_ref_t *init)
{
	return vm_table_grow(vm_table_of(t), delta,
	                     capi_slot_of_ref(table_kind(t), init)) >= 0;
}

/* ---- memories
 * ---------------------------------------------------------------------- */

wasm_memory_t *wasm_memory_new(wasm_store_t *store,
                               const wasm_memorytype_t *type)
{
	struct wasm_limits_decl lim;
	struct vm_memory *m;

	capi_limits_decl(&type->limits, &lim);
	m = vm_memory_new(store->vm, &lim);
	return m != NULL ? (wasm_memory_t *)capi_obj(store, CAPI_MEMORY, m)
	                 : NULL;
}

static struct vm_memory *vm_memory_of(const wasm_memory_t *m)
{
	return ((const wasm_ref_t *)m)->u.memory;
}

wasm_memorytype_t *wasm_memory_type(const wasm_memory_t *m)
{
	return capi_memorytype_of(vm_memory_limits(vm_memory_of(m)));
}

byte_t *wasm_memory_data(wasm_memory_t *m)
{
	return (byte_t *)vm_memory_data(vm_memory_of(m));
}

size_t wasm_memory_data_size(const wasm_memory_t *m)
{
	return (size_t)vm_memory_size(vm_memory_of(m));
}

wasm_memory_pages_t wasm_memory_size(const wasm_memory_t *m)
{
	return (wasm_memory_pages_t)(vm_memory_size(vm_memory_of(m)) /
	                             MEMORY_PAGE_SIZE);
}

bool wasm_memory_grow(wasm_memory_t *m, wasm_memory_pages_t delta)
{
	return vm_memory_grow(vm_memory_of(m), delta) >= 0;
}
