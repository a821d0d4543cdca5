/*
 * capi_store.c: stores and reference objects of the standard C API
 * (wasm.h): the object map, host info and finalizers, values <-> engine
 * slots, traps, foreign objects, references and extern views.
 *
 * Keeps true (capi_impl.h): one wasm_ref_t per engine object per store,
 * living until wasm_store_delete, which runs every finalizer exactly once
 * (host info first, then function environments) before freeing the
 * engine store. Traps alone are freed by their delete.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/capi_impl.h"

#include "aot/aot.h"
#include "wasmix.h"

/* ---- stores -------------------------------------------------------------- */

/*
 * vm_config.on_instance of a store whose engine compiles: binds the
 * compiled code of the instance's module, if it has any (the store holds
 * the module in 'mods' from before vm_instantiate). Code that cannot serve
 * this instance (a fuel limit, memory without guard pages) leaves it
 * interpreted; only running out of memory fails the instantiation.
 */
static int capi_on_instance(void *ud, struct vm_instance *inst,
                            struct diag *diag)
{
	wasm_store_t *s = ud;
	const struct wasm_module *m = vm_instance_module(inst);
	struct capi_module *mod = NULL;
	struct diag d;
	int rc;

	for (size_t i = s->nmods; i-- > 0 && mod == NULL;)
		if (s->mods[i]->m == m)
			mod = s->mods[i];
	if (mod == NULL || mod->code == NULL)
		return WX_OK;
	if (!capi_reserve((void **)&s->bound, &s->cap_bound, s->nbound + 1,
	                  sizeof *s->bound))
		return diag_set(diag, WX_ENOMEM, "out of memory");
	diag_clear(&d);
	rc = aot_bind(mod->code, inst, &d);
	if (rc == WX_ENOMEM)
		return diag_set(diag, rc, "out of memory");
	if (rc != WX_OK) {
		if (s->engine->compile.verbose)
			fprintf(stderr, "wasmix: interpreting: %s\n", d.msg);
		return WX_OK;
	}
	s->bound[s->nbound++] = (struct capi_bound){
	    inst, aot_bind_state(inst), aot_code_ncompiled(mod->code)};
	return WX_OK;
}

wasm_store_t *capi_store_new(const wasm_engine_t *engine,
                             const struct vm_config *cfg)
{
	struct vm_config vc;
	wasm_store_t *s = wx_calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	if (cfg != NULL)
		vc = *cfg;
	else
		vm_config_default(&vc);
	if (engine != NULL && engine->compile.on && vc.on_instance == NULL) {
		s->engine = engine;
		vc.on_instance = capi_on_instance;
		vc.on_instance_ud = s;
	}
	s->vm = vm_store_new(&vc);
	if (s->vm == NULL) {
		wx_free(s);
		return NULL;
	}
	return s;
}

wasm_store_t *wasm_store_new(wasm_engine_t *engine)
{
	return capi_store_new(engine, NULL);
}

unsigned wasmix_instance_compiled_funcs(const struct wasm_instance_t *instance)
{
	const wasm_ref_t *r = (const wasm_ref_t *)instance;

	if (r == NULL || r->kind != CAPI_INSTANCE)
		return 0;
	for (size_t i = 0; i < r->store->nbound; i++)
		if (r->store->bound[i].inst == r->u.instance)
			return r->store->bound[i].ncompiled;
	return 0;
}

void capi_call_begin(wasm_store_t *s)
{
	if (s->depth++ == 0 && s->hook.enter != NULL)
		s->hook.enter(s->hook.ud);
}

void capi_call_end(wasm_store_t *s, int *rc, struct diag *diag)
{
	if (--s->depth == 0 && s->hook.leave != NULL)
		s->hook.leave(s->hook.ud, rc, diag);
}

void capi_module_release(struct capi_module *mod)
{
	if (__atomic_sub_fetch(&mod->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		aot_code_free(mod->code);
		wasm_module_free(mod->m);
		wx_free(mod);
	}
}

void wasm_store_delete(wasm_store_t *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nobjs; i++)
		if (s->objs[i]->finalizer != NULL)
			s->objs[i]->finalizer(s->objs[i]->host_info);
	for (size_t i = 0; i < s->nenvs; i++)
		s->envs[i].finalizer(s->envs[i].env);
	vm_store_free(s->vm);
	for (size_t i = 0; i < s->nbound; i++)
		aot_bind_free(s->bound[i].state);
	wx_free(s->bound);
	for (size_t i = 0; i < s->nobjs; i++) {
		if (s->objs[i]->kind == CAPI_MODULE)
			capi_module_release(s->objs[i]->u.module);
		wx_free(s->objs[i]);
	}
	for (size_t i = 0; i < s->nmods; i++)
		capi_module_release(s->mods[i]);
	wx_free(s->objs);
	wx_free(s->map);
	wx_free(s->mods);
	wx_free(s->envs);
	wx_free(s);
}

/* ---- the object map --------------------------------------------------------
 */

static size_t map_slot(const wasm_store_t *s, const void *key)
{
	uintptr_t h = (uintptr_t)key;

	h ^= h >> 17;
	h *= (uintptr_t)0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 7) & (s->map_cap - 1);
}

static bool map_grow(wasm_store_t *s)
{
	size_t ncap = s->map_cap ? s->map_cap * 2 : 64;
	struct wasm_ref_t **old = s->map, **nm;
	size_t ocap = s->map_cap;

	nm = wx_alloc_array(ncap, sizeof *nm);
	if (nm == NULL)
		return false;
	s->map = nm;
	s->map_cap = ncap;
	for (size_t i = 0; i < ocap; i++) {
		if (old[i] == NULL)
			continue;
		size_t j = map_slot(s, old[i]->u.any);
		while (nm[j] != NULL)
			j = (j + 1) & (ncap - 1);
		nm[j] = old[i];
	}
	wx_free(old);
	return true;
}

/* Adds 'r' to the store's list (and to the map if 'mapped'). */
static bool store_adopt(wasm_store_t *s, wasm_ref_t *r, bool mapped)
{
	if (!capi_reserve((void **)&s->objs, &s->cap_objs, s->nobjs + 1,
	                  sizeof *s->objs))
		return false;
	if (mapped) {
		if ((s->map_used + 1) * 2 > s->map_cap && !map_grow(s))
			return false;
		size_t j = map_slot(s, r->u.any);
		while (s->map[j] != NULL)
			j = (j + 1) & (s->map_cap - 1);
		s->map[j] = r;
		s->map_used++;
	}
	s->objs[s->nobjs++] = r;
	return true;
}

wasm_ref_t *capi_obj(wasm_store_t *s, uint8_t kind, void *engine_obj)
{
	bool mapped = kind <= CAPI_INSTANCE && engine_obj != NULL;

	if (mapped && s->map_cap != 0) {
		size_t j = map_slot(s, engine_obj);
		for (; s->map[j] != NULL; j = (j + 1) & (s->map_cap - 1))
			if (s->map[j]->u.any == engine_obj)
				return s->map[j];
	}
	wasm_ref_t *r = wx_calloc(1, sizeof *r);
	if (r == NULL)
		return NULL;
	r->kind = kind;
	r->store = s;
	r->u.any = engine_obj;
	if (!store_adopt(s, r, mapped)) {
		wx_free(r);
		return NULL;
	}
	return r;
}

/* ---- values and slots -----------------------------------------------------
 */

uint64_t capi_slot_of_ref(wasm_valkind_t k, const wasm_ref_t *r)
{
	if (r == NULL)
		return 0;
	if (k == WASM_FUNCREF)
		return r->kind == CAPI_FUNC ? (uint64_t)(uintptr_t)r->u.func
		                            : 0;
	return (uint64_t)(uintptr_t)r;
}

wasm_ref_t *capi_ref_of_slot(wasm_store_t *s, wasm_valkind_t k, uint64_t slot)
{
	if (slot == 0)
		return NULL;
	if (k == WASM_FUNCREF)
		return capi_obj(s, CAPI_FUNC, (void *)(uintptr_t)slot);
	return (wasm_ref_t *)(uintptr_t)slot;
}

uint64_t capi_slot_of_val(const wasm_val_t *v)
{
	uint32_t u32;
	uint64_t u64;

	switch (v->kind) {
	case WASM_I32:
		return (uint32_t)v->of.i32;
	case WASM_I64:
		return (uint64_t)v->of.i64;
	case WASM_F32:
		memcpy(&u32, &v->of.f32, 4);
		return u32;
	case WASM_F64:
		memcpy(&u64, &v->of.f64, 8);
		return u64;
	default:
		return capi_slot_of_ref(v->kind, v->of.ref);
	}
}

void capi_val_of_slot(wasm_store_t *s, wasm_valkind_t k, uint64_t slot,
                      wasm_val_t *out)
{
	uint32_t u32 = (uint32_t)slot;

	out->kind = k;
	switch (k) {
	case WASM_I32:
		out->of.i32 = (int32_t)u32;
		break;
	case WASM_I64:
		out->of.i64 = (int64_t)slot;
		break;
	case WASM_F32:
		memcpy(&out->of.f32, &u32, 4);
		break;
	case WASM_F64:
		memcpy(&out->of.f64, &slot, 8);
		break;
	default:
		out->of.ref = capi_ref_of_slot(s, k, slot);
		break;
	}
}

/* ---- references: the functions every kind shares ----------------------------
 */

static void ref_delete(wasm_ref_t *r)
{
	if (r == NULL || r->kind != CAPI_TRAP)
		return; /* the store keeps it (capi_impl.h) */
	if (r->finalizer != NULL)
		r->finalizer(r->host_info);
	wasm_byte_vec_delete(&r->u.trap.msg);
	wasm_frame_delete(r->u.trap.origin);
	wx_free(r);
}

static wasm_ref_t *ref_copy(const wasm_ref_t *r)
{
	if (r == NULL)
		return NULL;
	if (r->kind != CAPI_TRAP)
		return (wasm_ref_t *)r;
	wasm_ref_t *t = wx_calloc(1, sizeof *t);
	if (t == NULL)
		return NULL;
	t->kind = CAPI_TRAP;
	t->store = r->store;
	wasm_byte_vec_copy(&t->u.trap.msg, &r->u.trap.msg);
	t->u.trap.origin = wasm_frame_copy(r->u.trap.origin);
	return t;
}

static void ref_set_info(wasm_ref_t *r, void *info, void (*fin)(void *))
{
	r->host_info = info;
	r->finalizer = fin;
}

#define REF_COMMON(NAME)                                                       \
	void wasm_##NAME##_delete(wasm_##NAME##_t *x)                          \
	{                                                                      \
		ref_delete((wasm_ref_t *)x);                                   \
	}                                                                      \
	wasm_##NAME##_t *wasm_##NAME##_copy(const wasm_##NAME##_t *x)          \
	{                                                                      \
		return (wasm_##NAME##_t *)ref_copy((const wasm_ref_t *)x);     \
	}                                                                      \
	bool wasm_##NAME##_same(const wasm_##NAME##_t *a,                      \
	                        const wasm_##NAME##_t *b)                      \
	{                                                                      \
		return (const void *)a == (const void *)b;                     \
	}                                                                      \
	void *wasm_##NAME##_get_host_info(const wasm_##NAME##_t *x)            \
	{                                                                      \
		return ((const wasm_ref_t *)x)->host_info;                     \
	}                                                                      \
	void wasm_##NAME##_set_host_info(wasm_##NAME##_t *x, void *info)       \
	{                                                                      \
		ref_set_info((wasm_ref_t *)x, info, NULL);                     \
	}                                                                      \
	void wasm_##NAME##_set_host_info_with_finalizer(                       \
	    wasm_##NAME##_t *x, void *info, void (*fin)(void *))               \
	{                                                                      \
		ref_set_info((wasm_ref_t *)x, info, fin);                      \
	}

/* A kind with conversions to and from wasm_ref_t (checked on the way in). */
#define REF_KIND(NAME, KIND)                                                   \
	REF_COMMON(NAME)                                                       \
	wasm_ref_t *wasm_##NAME##_as_ref(wasm_##NAME##_t *x)                   \
	{                                                                      \
		return (wasm_ref_t *)x;                                        \
	}                                                                      \
	const wasm_ref_t *wasm_##NAME##_as_ref_const(const wasm_##NAME##_t *x) \
	{                                                                      \
		return (const wasm_ref_t *)x;                                  \
	}                                                                      \
	wasm_##NAME##_t *wasm_ref_as_##NAME(wasm_ref_t *r)                     \
	{                                                                      \
		return r != NULL && r->kind == KIND ? (wasm_##NAME##_t *)r     \
		                                    : NULL;                    \
	}                                                                      \
	const wasm_##NAME##_t *wasm_ref_as_##NAME##_const(const wasm_ref_t *r) \
	{                                                                      \
		return r != NULL && r->kind == KIND                            \
		           ? (const wasm_##NAME##_t *)r                        \
		           : NULL;                                             \
	}

REF_COMMON(ref)
REF_KIND(trap, CAPI_TRAP)
REF_KIND(foreign, CAPI_FOREIGN)
REF_KIND(module, CAPI_MODULE)
REF_KIND(func, CAPI_FUNC)
REF_KIND(global, CAPI_GLOBAL)
REF_KIND(table, CAPI_TABLE)
REF_KIND(memory, CAPI_MEMORY)
REF_KIND(instance, CAPI_INSTANCE)

/* Externs: any of the four extern kinds. */
REF_COMMON(extern)

wasm_ref_t *wasm_extern_as_ref(wasm_extern_t *e)
{
	return (wasm_ref_t *)e;
}

const wasm_ref_t *wasm_extern_as_ref_const(const wasm_extern_t *e)
{
	return (const wasm_ref_t *)e;
}

wasm_extern_t *wasm_ref_as_extern(wasm_ref_t *r)
{
	return r != NULL && r->kind <= CAPI_MEMORY ? (wasm_extern_t *)r : NULL;
}

const wasm_extern_t *wasm_ref_as_extern_const(const wasm_ref_t *r)
{
	return r != NULL && r->kind <= CAPI_MEMORY ? (const wasm_extern_t *)r
	                                           : NULL;
}

wasm_externkind_t wasm_extern_kind(const wasm_extern_t *e)
{
	return ((const wasm_ref_t *)e)->kind;
}

wasm_externtype_t *wasm_extern_type(const wasm_extern_t *e)
{
	const wasm_ref_t *r = (const wasm_ref_t *)e;

	switch (r->kind) {
	case CAPI_FUNC:
		return &wasm_func_type((const wasm_func_t *)e)->ext;
	case CAPI_GLOBAL:
		return &wasm_global_type((const wasm_global_t *)e)->ext;
	case CAPI_TABLE:
		return &wasm_table_type((const wasm_table_t *)e)->ext;
	default:
		return &wasm_memory_type((const wasm_memory_t *)e)->ext;
	}
}

#define EXTERN_VIEWS(NAME, KIND)                                               \
	wasm_extern_t *wasm_##NAME##_as_extern(wasm_##NAME##_t *x)             \
	{                                                                      \
		return (wasm_extern_t *)x;                                     \
	}                                                                      \
	const wasm_extern_t *wasm_##NAME##_as_extern_const(                    \
	    const wasm_##NAME##_t *x)                                          \
	{                                                                      \
		return (const wasm_extern_t *)x;                               \
	}                                                                      \
	wasm_##NAME##_t *wasm_extern_as_##NAME(wasm_extern_t *e)               \
	{                                                                      \
		return e != NULL && ((wasm_ref_t *)e)->kind == KIND            \
		           ? (wasm_##NAME##_t *)e                              \
		           : NULL;                                             \
	}                                                                      \
	const wasm_##NAME##_t *wasm_extern_as_##NAME##_const(                  \
	    const wasm_extern_t *e)                                            \
	{                                                                      \
		return e != NULL && ((const wasm_ref_t *)e)->kind == KIND      \
		           ? (const wasm_##NAME##_t *)e                        \
		           : NULL;                                             \
	}

EXTERN_VIEWS(func, CAPI_FUNC)
EXTERN_VIEWS(global, CAPI_GLOBAL)
EXTERN_VIEWS(table, CAPI_TABLE)
EXTERN_VIEWS(memory, CAPI_MEMORY)

/* ---- traps and foreign objects
 * ------------------------------------------------ */

wasm_ref_t *capi_trap_new_str(wasm_store_t *s, const char *msg)
{
	wasm_ref_t *t = wx_calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	t->kind = CAPI_TRAP;
	t->store = s;
	wasm_byte_vec_new(&t->u.trap.msg, strlen(msg) + 1, msg);
	return t;
}

wasm_trap_t *wasm_trap_new(wasm_store_t *store, const wasm_message_t *msg)
{
	size_t n = msg != NULL ? msg->size : 0;
	wasm_ref_t *t = wx_calloc(1, sizeof *t);

	/* The message should end in a NUL; one is added if it does not. */
	if (n != 0 && msg->data[n - 1] == 0)
		n--;
	if (t == NULL)
		return NULL;
	t->kind = CAPI_TRAP;
	t->store = store;
	wasm_byte_vec_new_uninitialized(&t->u.trap.msg, n + 1);
	if (t->u.trap.msg.size != n + 1) {
		wx_free(t);
		return NULL;
	}
	if (n != 0)
		memcpy(t->u.trap.msg.data, msg->data, n);
	t->u.trap.msg.data[n] = 0;
	return (wasm_trap_t *)t;
}

void wasm_trap_message(const wasm_trap_t *trap, wasm_message_t *out)
{
	wasm_byte_vec_copy(out, &((const wasm_ref_t *)trap)->u.trap.msg);
}

wasm_ref_t *capi_trap_of_call(wasm_store_t *s, const char *msg)
{
	wasm_ref_t *t = capi_trap_new_str(s, msg);
	struct vm_instance *inst;
	uint32_t index;

	if (t == NULL || !vm_trap_origin(s->vm, &inst, &index))
		return t;
	wasm_frame_t *f = wx_calloc(1, sizeof *f);
	if (f == NULL)
		return t;
	const struct wasm_module *m = vm_instance_module(inst);
	f->instance = (wasm_instance_t *)capi_obj(s, CAPI_INSTANCE, inst);
	f->func_index = index;
	f->module_offset = m->funcs[index].code_offset;
	t->u.trap.origin = f;
	return t;
}

/* Only the origin is known: the trace is that one frame. */
wasm_frame_t *wasm_trap_origin(const wasm_trap_t *trap)
{
	return wasm_frame_copy(((const wasm_ref_t *)trap)->u.trap.origin);
}

void wasm_trap_trace(const wasm_trap_t *trap, wasm_frame_vec_t *out)
{
	wasm_frame_t *f = wasm_trap_origin(trap);

	if (f == NULL) {
		wasm_frame_vec_new_empty(out);
		return;
	}
	wasm_frame_vec_new(out, 1, &f);
	if (out->size == 0)
		wasm_frame_delete(f);
}

/* ---- frames ---------------------------------------------------------------
 */

void wasm_frame_delete(wasm_frame_t *f)
{
	wx_free(f);
}

wasm_frame_t *wasm_frame_copy(const wasm_frame_t *f)
{
	wasm_frame_t *c;

	if (f == NULL)
		return NULL;
	c = wx_malloc(sizeof *c);
	if (c != NULL)
		*c = *f;
	return c;
}

wasm_instance_t *wasm_frame_instance(const wasm_frame_t *f)
{
	return f->instance;
}

uint32_t wasm_frame_func_index(const wasm_frame_t *f)
{
	return f->func_index;
}

size_t wasm_frame_func_offset(const wasm_frame_t *f)
{
	return f->func_offset;
}

size_t wasm_frame_module_offset(const wasm_frame_t *f)
{
	return f->module_offset;
}

wasm_foreign_t *wasm_foreign_new(wasm_store_t *store)
{
	return (wasm_foreign_t *)capi_obj(store, CAPI_FOREIGN, NULL);
}
