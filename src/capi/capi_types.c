/*
 * capi_types.c: the value-like half of the standard C API (wasm.h):
 * vectors, value types, function/global/table/memory/extern types, import
 * and export types, values, and the conversions between these and the
 * engine's types (wasm_module.h). Keeps true: a type object owns what it
 * points at, and every *_copy is deep.
 *
 * Allocation failure: the API has no error channel for most of these, so
 * a constructor returns NULL and a vector comes back empty (size 0).
 */
#include <stdlib.h>
#include <string.h>

#include "capi/capi_impl.h"
#include "wasmix.h"

bool capi_reserve(void **arr, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : 16;
	while (ncap < need)
		ncap *= 2;
	void *p = wx_realloc(*arr, ncap * size);
	if (p == NULL)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

/* ---- vectors ------------------------------------------------------------
 *
 * One definition per element kind. VEC_PLAIN: elements are values copied
 * bytewise (bytes). VEC_VAL: values whose references own handles.
 * VEC_PTR: owned pointers, deleted and deep-copied one by one.
 */

#define VEC_COMMON(NAME, ELEM)                                                 \
	void wasm_##NAME##_vec_new_empty(wasm_##NAME##_vec_t *out)             \
	{                                                                      \
		out->size = 0;                                                 \
		out->data = NULL;                                              \
	}                                                                      \
	void wasm_##NAME##_vec_new_uninitialized(wasm_##NAME##_vec_t *out,     \
	                                         size_t size)                  \
	{                                                                      \
		out->data = size ? wx_alloc_array(size, sizeof(ELEM)) : NULL;  \
		out->size = out->data != NULL ? size : 0;                      \
	}                                                                      \
	void wasm_##NAME##_vec_new(wasm_##NAME##_vec_t *out, size_t size,      \
	                           ELEM const data[])                          \
	{                                                                      \
		wasm_##NAME##_vec_new_uninitialized(out, size);                \
		if (out->size != 0)                                            \
			memcpy(out->data, data, size * sizeof(ELEM));          \
	}

#define VEC_PLAIN(NAME, ELEM)                                                  \
	VEC_COMMON(NAME, ELEM)                                                 \
	void wasm_##NAME##_vec_copy(wasm_##NAME##_vec_t *out,                  \
	                            const wasm_##NAME##_vec_t *src)            \
	{                                                                      \
		wasm_##NAME##_vec_new(out, src->size, src->data);              \
	}                                                                      \
	void wasm_##NAME##_vec_delete(wasm_##NAME##_vec_t *v)                  \
	{                                                                      \
		wx_free(v->data);                                              \
		v->data = NULL;                                                \
		v->size = 0;                                                   \
	}

#define VEC_PTR(NAME)                                                          \
	VEC_COMMON(NAME, wasm_##NAME##_t *)                                    \
	void wasm_##NAME##_vec_copy(wasm_##NAME##_vec_t *out,                  \
	                            const wasm_##NAME##_vec_t *src)            \
	{                                                                      \
		wasm_##NAME##_vec_new_uninitialized(out, src->size);           \
		for (size_t i = 0; i < out->size; i++)                         \
			out->data[i] = src->data[i] != NULL                    \
			                   ? wasm_##NAME##_copy(src->data[i])  \
			                   : NULL;                             \
	}                                                                      \
	void wasm_##NAME##_vec_delete(wasm_##NAME##_vec_t *v)                  \
	{                                                                      \
		for (size_t i = 0; i < v->size; i++)                           \
			if (v->data[i] != NULL)                                \
				wasm_##NAME##_delete(v->data[i]);              \
		wx_free(v->data);                                              \
		v->data = NULL;                                                \
		v->size = 0;                                                   \
	}

VEC_PLAIN(byte, wasm_byte_t)
VEC_PTR(valtype)
VEC_PTR(functype)
VEC_PTR(globaltype)
VEC_PTR(tabletype)
VEC_PTR(memorytype)
VEC_PTR(externtype)
VEC_PTR(importtype)
VEC_PTR(exporttype)
VEC_PTR(frame)
VEC_PTR(extern)

VEC_COMMON(val, wasm_val_t)

void wasm_val_vec_copy(wasm_val_vec_t *out, const wasm_val_vec_t *src)
{
	wasm_val_vec_new_uninitialized(out, src->size);
	for (size_t i = 0; i < out->size; i++)
		wasm_val_copy(&out->data[i], &src->data[i]);
}

void wasm_val_vec_delete(wasm_val_vec_t *v)
{
	for (size_t i = 0; i < v->size; i++)
		wasm_val_delete(&v->data[i]);
	wx_free(v->data);
	v->data = NULL;
	v->size = 0;
}

/* ---- values ------------------------------------------------------------- */

void wasm_val_delete(wasm_val_t *v)
{
	if (wasm_valkind_is_ref(v->kind) && v->of.ref != NULL)
		wasm_ref_delete(v->of.ref);
	v->of.ref = NULL;
}

void wasm_val_copy(wasm_val_t *out, const wasm_val_t *v)
{
	*out = *v;
	if (wasm_valkind_is_ref(v->kind) && v->of.ref != NULL)
		out->of.ref = wasm_ref_copy(v->of.ref);
}

/* ---- value types --------------------------------------------------------- */

wasm_valtype_t *wasm_valtype_new(wasm_valkind_t kind)
{
	wasm_valtype_t *t = wx_malloc(sizeof *t);

	if (t != NULL)
		t->kind = kind;
	return t;
}

wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t *t)
{
	return t->kind;
}

void wasm_valtype_delete(wasm_valtype_t *t)
{
	wx_free(t);
}

wasm_valtype_t *wasm_valtype_copy(const wasm_valtype_t *t)
{
	return wasm_valtype_new(t->kind);
}

wasm_valkind_t capi_valkind_of(uint32_t vt)
{
	switch (vt) {
	case WX_VT_I32:
		return WASM_I32;
	case WX_VT_I64:
		return WASM_I64;
	case WX_VT_F32:
		return WASM_F32;
	case WX_VT_F64:
		return WASM_F64;
	default:
		break;
	}
	/* References: the function ones are funcref, all others externref
	 * (the API has no names for exnref or typed references). */
	switch (wasm_vt_heap(vt)) {
	case WX_VT_FUNCREF:
	case WASM_NULLFUNCREF:
	case WASM_HT_TYPEIDX:
		return WASM_FUNCREF;
	default:
		return WASM_EXTERNREF;
	}
}

uint32_t capi_vt_of(wasm_valkind_t k)
{
	switch (k) {
	case WASM_I32:
		return WX_VT_I32;
	case WASM_I64:
		return WX_VT_I64;
	case WASM_F32:
		return WX_VT_F32;
	case WASM_F64:
		return WX_VT_F64;
	case WASM_FUNCREF:
		return WX_VT_FUNCREF;
	default:
		return WX_VT_EXTERNREF;
	}
}

/* ---- function types ------------------------------------------------------ */

wasm_functype_t *wasm_functype_new(wasm_valtype_vec_t *params,
                                   wasm_valtype_vec_t *results)
{
	wasm_functype_t *t = wx_calloc(1, sizeof *t);

	if (t == NULL) {
		wasm_valtype_vec_delete(params);
		wasm_valtype_vec_delete(results);
		return NULL;
	}
	t->ext.kind = WASM_EXTERN_FUNC;
	t->params = *params;
	t->results = *results;
	params->size = results->size = 0;
	params->data = results->data = NULL;
	return t;
}

const wasm_valtype_vec_t *wasm_functype_params(const wasm_functype_t *t)
{
	return &t->params;
}

const wasm_valtype_vec_t *wasm_functype_results(const wasm_functype_t *t)
{
	return &t->results;
}

void wasm_functype_delete(wasm_functype_t *t)
{
	if (t == NULL)
		return;
	wasm_valtype_vec_delete(&t->params);
	wasm_valtype_vec_delete(&t->results);
	wx_free(t);
}

wasm_functype_t *wasm_functype_copy(const wasm_functype_t *t)
{
	wasm_valtype_vec_t p, r;

	wasm_valtype_vec_copy(&p, &t->params);
	wasm_valtype_vec_copy(&r, &t->results);
	return wasm_functype_new(&p, &r);
}

/* A valtype vector of the 'n' engine types at 'vts'. */
static void valtypes_of(wasm_valtype_vec_t *out, uint32_t n,
                        const uint32_t *vts)
{
	wasm_valtype_vec_new_uninitialized(out, n);
	for (size_t i = 0; i < out->size; i++)
		out->data[i] = wasm_valtype_new(capi_valkind_of(vts[i]));
}

wasm_functype_t *capi_functype_of(const struct wasm_functype *ft)
{
	wasm_valtype_vec_t p, r;

	valtypes_of(&p, ft->nparams, ft->types);
	valtypes_of(&r, ft->nresults, ft->types + ft->nparams);
	return wasm_functype_new(&p, &r);
}

bool capi_functype_to_vm(const wasm_functype_t *ft, struct wasm_functype *out)
{
	size_t n = ft->params.size + ft->results.size;

	out->nparams = (uint32_t)ft->params.size;
	out->nresults = (uint32_t)ft->results.size;
	out->types = wx_alloc_array(n ? n : 1, sizeof *out->types);
	if (out->types == NULL)
		return false;
	for (size_t i = 0; i < ft->params.size; i++)
		out->types[i] = capi_vt_of(ft->params.data[i]->kind);
	for (size_t i = 0; i < ft->results.size; i++)
		out->types[ft->params.size + i] =
		    capi_vt_of(ft->results.data[i]->kind);
	return true;
}

/* ---- global types -------------------------------------------------------- */

wasm_globaltype_t *wasm_globaltype_new(wasm_valtype_t *content,
                                       wasm_mutability_t mutability)
{
	wasm_globaltype_t *t = wx_calloc(1, sizeof *t);

	if (t == NULL || content == NULL) {
		wx_free(t);
		wasm_valtype_delete(content);
		return NULL;
	}
	t->ext.kind = WASM_EXTERN_GLOBAL;
	t->content = content;
	t->mutability = mutability;
	return t;
}

const wasm_valtype_t *wasm_globaltype_content(const wasm_globaltype_t *t)
{
	return t->content;
}

wasm_mutability_t wasm_globaltype_mutability(const wasm_globaltype_t *t)
{
	return t->mutability;
}

void wasm_globaltype_delete(wasm_globaltype_t *t)
{
	if (t == NULL)
		return;
	wasm_valtype_delete(t->content);
	wx_free(t);
}

wasm_globaltype_t *wasm_globaltype_copy(const wasm_globaltype_t *t)
{
	return wasm_globaltype_new(wasm_valtype_copy(t->content),
	                           t->mutability);
}

wasm_globaltype_t *capi_globaltype_of(const struct wasm_globaltype *gt)
{
	return wasm_globaltype_new(
	    wasm_valtype_new(capi_valkind_of(gt->valtype)),
	    gt->mut ? WASM_VAR : WASM_CONST);
}

/* ---- limits, table and memory types ---------------------------------------
 */

static wasm_limits_t limits_of(const struct wasm_limits_decl *l)
{
	wasm_limits_t r;

	r.min = l->min > UINT32_MAX ? UINT32_MAX : (uint32_t)l->min;
	r.max = !l->has_max || l->max > UINT32_MAX ? wasm_limits_max_default
	                                           : (uint32_t)l->max;
	return r;
}

void capi_limits_decl(const wasm_limits_t *l, struct wasm_limits_decl *out)
{
	memset(out, 0, sizeof *out);
	out->min = l->min;
	out->has_max = l->max != wasm_limits_max_default;
	out->max = out->has_max ? l->max : 0;
}

wasm_tabletype_t *wasm_tabletype_new(wasm_valtype_t *element,
                                     const wasm_limits_t *limits)
{
	wasm_tabletype_t *t = wx_calloc(1, sizeof *t);

	if (t == NULL || element == NULL) {
		wx_free(t);
		wasm_valtype_delete(element);
		return NULL;
	}
	t->ext.kind = WASM_EXTERN_TABLE;
	t->element = element;
	t->limits = *limits;
	return t;
}

const wasm_valtype_t *wasm_tabletype_element(const wasm_tabletype_t *t)
{
	return t->element;
}

const wasm_limits_t *wasm_tabletype_limits(const wasm_tabletype_t *t)
{
	return &t->limits;
}

void wasm_tabletype_delete(wasm_tabletype_t *t)
{
	if (t == NULL)
		return;
	wasm_valtype_delete(t->element);
	wx_free(t);
}

wasm_tabletype_t *wasm_tabletype_copy(const wasm_tabletype_t *t)
{
	return wasm_tabletype_new(wasm_valtype_copy(t->element), &t->limits);
}

wasm_tabletype_t *capi_tabletype_of(const struct wasm_tabletype *tt)
{
	wasm_limits_t l = limits_of(&tt->limits);

	return wasm_tabletype_new(
	    wasm_valtype_new(capi_valkind_of(tt->elemtype)), &l);
}

wasm_memorytype_t *wasm_memorytype_new(const wasm_limits_t *limits)
{
	wasm_memorytype_t *t = wx_calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	t->ext.kind = WASM_EXTERN_MEMORY;
	t->limits = *limits;
	return t;
}

const wasm_limits_t *wasm_memorytype_limits(const wasm_memorytype_t *t)
{
	return &t->limits;
}

void wasm_memorytype_delete(wasm_memorytype_t *t)
{
	wx_free(t);
}

wasm_memorytype_t *wasm_memorytype_copy(const wasm_memorytype_t *t)
{
	return wasm_memorytype_new(&t->limits);
}

wasm_memorytype_t *capi_memorytype_of(const struct wasm_limits_decl *lim)
{
	wasm_limits_t l = limits_of(lim);

	return wasm_memorytype_new(&l);
}

/* ---- extern types ----------------------------------------------------------
 */

wasm_externkind_t wasm_externtype_kind(const wasm_externtype_t *t)
{
	return t->kind;
}

void wasm_externtype_delete(wasm_externtype_t *t)
{
	if (t == NULL)
		return;
	switch (t->kind) {
	case WASM_EXTERN_FUNC:
		wasm_functype_delete((wasm_functype_t *)t);
		break;
	case WASM_EXTERN_GLOBAL:
		wasm_globaltype_delete((wasm_globaltype_t *)t);
		break;
	case WASM_EXTERN_TABLE:
		wasm_tabletype_delete((wasm_tabletype_t *)t);
		break;
	default:
		wasm_memorytype_delete((wasm_memorytype_t *)t);
		break;
	}
}

wasm_externtype_t *wasm_externtype_copy(const wasm_externtype_t *t)
{
	switch (t->kind) {
	case WASM_EXTERN_FUNC:
		return (wasm_externtype_t *)wasm_functype_copy(
		    (const wasm_functype_t *)t);
	case WASM_EXTERN_GLOBAL:
		return (wasm_externtype_t *)wasm_globaltype_copy(
		    (const wasm_globaltype_t *)t);
	case WASM_EXTERN_TABLE:
		return (wasm_externtype_t *)wasm_tabletype_copy(
		    (const wasm_tabletype_t *)t);
	default:
		return (wasm_externtype_t *)wasm_memorytype_copy(
		    (const wasm_memorytype_t *)t);
	}
}

/* The views: 'ext' is the first member of every extern type. */
#define EXTERNTYPE_VIEWS(NAME, KIND)                                           \
	wasm_externtype_t *wasm_##NAME##_as_externtype(wasm_##NAME##_t *t)     \
	{                                                                      \
		return t != NULL ? &t->ext : NULL;                             \
	}                                                                      \
	const wasm_externtype_t *wasm_##NAME##_as_externtype_const(            \
	    const wasm_##NAME##_t *t)                                          \
	{                                                                      \
		return t != NULL ? &t->ext : NULL;                             \
	}                                                                      \
	wasm_##NAME##_t *wasm_externtype_as_##NAME(wasm_externtype_t *t)       \
	{                                                                      \
		return t != NULL && t->kind == KIND ? (wasm_##NAME##_t *)t     \
		                                    : NULL;                    \
	}                                                                      \
	const wasm_##NAME##_t *wasm_externtype_as_##NAME##_const(              \
	    const wasm_externtype_t *t)                                        \
	{                                                                      \
		return t != NULL && t->kind == KIND                            \
		           ? (const wasm_##NAME##_t *)t                        \
		           : NULL;                                             \
	}

EXTERNTYPE_VIEWS(functype, WASM_EXTERN_FUNC)
EXTERNTYPE_VIEWS(globaltype, WASM_EXTERN_GLOBAL)
EXTERNTYPE_VIEWS(tabletype, WASM_EXTERN_TABLE)
EXTERNTYPE_VIEWS(memorytype, WASM_EXTERN_MEMORY)

/* ---- import and export types ----------------------------------------------
 */

wasm_importtype_t *wasm_importtype_new(wasm_name_t *module, wasm_name_t *name,
                                       wasm_externtype_t *type)
{
	wasm_importtype_t *t = wx_calloc(1, sizeof *t);

	if (t == NULL || type == NULL) {
		wx_free(t);
		wasm_name_delete(module);
		wasm_name_delete(name);
		wasm_externtype_delete(type);
		return NULL;
	}
	t->module = *module;
	t->name = *name;
	t->type = type;
	module->size = name->size = 0;
	module->data = name->data = NULL;
	return t;
}

const wasm_name_t *wasm_importtype_module(const wasm_importtype_t *t)
{
	return &t->module;
}

const wasm_name_t *wasm_importtype_name(const wasm_importtype_t *t)
{
	return &t->name;
}

const wasm_externtype_t *wasm_importtype_type(const wasm_importtype_t *t)
{
	return t->type;
}

void wasm_importtype_delete(wasm_importtype_t *t)
{
	if (t == NULL)
		return;
	wasm_name_delete(&t->module);
	wasm_name_delete(&t->name);
	wasm_externtype_delete(t->type);
	wx_free(t);
}

wasm_importtype_t *wasm_importtype_copy(const wasm_importtype_t *t)
{
	wasm_name_t m, n;

	wasm_name_copy(&m, &t->module);
	wasm_name_copy(&n, &t->name);
	return wasm_importtype_new(&m, &n, wasm_externtype_copy(t->type));
}

wasm_exporttype_t *wasm_exporttype_new(wasm_name_t *name,
                                       wasm_externtype_t *type)
{
	wasm_exporttype_t *t = wx_calloc(1, sizeof *t);

	if (t == NULL || type == NULL) {
		wx_free(t);
		wasm_name_delete(name);
		wasm_externtype_delete(type);
		return NULL;
	}
	t->name = *name;
	t->type = type;
	name->size = 0;
	name->data = NULL;
	return t;
}

const wasm_name_t *wasm_exporttype_name(const wasm_exporttype_t *t)
{
	return &t->name;
}

const wasm_externtype_t *wasm_exporttype_type(const wasm_exporttype_t *t)
{
	return t->type;
}

void wasm_exporttype_delete(wasm_exporttype_t *t)
{
	if (t == NULL)
		return;
	wasm_name_delete(&t->name);
	wasm_externtype_delete(t->type);
	wx_free(t);
}

wasm_exporttype_t *wasm_exporttype_copy(const wasm_exporttype_t *t)
{
	wasm_name_t n;

	wasm_name_copy(&n, &t->name);
	return wasm_exporttype_new(&n, wasm_externtype_copy(t->type));
}

/* ---- configuration and engine ----------------------------------------------
 */

wasm_config_t *wasm_config_new(void)
{
	return wx_calloc(1, sizeof(wasm_config_t));
}

void wasm_config_delete(wasm_config_t *c)
{
	wx_free(c);
}

void wasmix_engine_config_compile(struct wasm_config_t *c, int on, int cache,
                                  int verbose)
{
	if (c == NULL)
		return;
	c->compile_set = true;
	c->compile = (struct capi_compile){on != 0, cache != 0, verbose != 0};
}

wasm_engine_t *wasm_engine_new(void)
{
	return wasm_engine_new_with_config(NULL);
}

wasm_engine_t *wasm_engine_new_with_config(wasm_config_t *c)
{
	wasm_engine_t *e = wx_calloc(1, sizeof *e);
	const char *env = getenv("WASMIX_AOT");

	if (e != NULL) {
		/* Unset: WASMIX_AOT=1 turns it on, as for wasmix run. */
		e->compile = (struct capi_compile){
		    env != NULL && strcmp(env, "1") == 0, true, false};
		if (c != NULL && c->compile_set)
			e->compile = c->compile;
	}
	wasm_config_delete(c);
	return e;
}

void wasm_engine_delete(wasm_engine_t *e)
{
	wx_free(e);
}
