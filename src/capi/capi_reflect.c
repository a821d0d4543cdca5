/*
 * capi_reflect.c: wasmix's module reflection beside wasm.h
 * (include/wasmix.h: wasmix_module_import/export and their counts,
 * wasmix_valtype_name): every import and export as the module declares
 * it, tags, v128, exnref, typed references and 64-bit or shared limits
 * included, which wasm.h's own views cannot express.
 *
 * Keeps true: a wasmix_valtype is the engine's value type number
 * (wasm_module.h) unchanged, which the static assertions below pin, so
 * descriptions point straight into the decoded module and nothing is
 * allocated. Read-only on the module.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "capi/capi_impl.h"
#include "wasmix.h"

_Static_assert(WASMIX_I32 == WX_VT_I32 && WASMIX_I64 == WX_VT_I64 &&
                   WASMIX_F32 == WX_VT_F32 && WASMIX_F64 == WX_VT_F64 &&
                   WASMIX_V128 == WASM_V128,
               "numeric wasmix_valtype numbers are the engine's");
_Static_assert(WASMIX_HT_FUNC == WX_VT_FUNCREF &&
                   WASMIX_HT_EXTERN == WX_VT_EXTERNREF &&
                   WASMIX_HT_EXN == WASM_EXNREF &&
                   WASMIX_HT_NOFUNC == WASM_NULLFUNCREF &&
                   WASMIX_HT_NOEXTERN == WASM_NULLEXTERNREF &&
                   WASMIX_HT_NOEXN == WASM_NULLEXNREF,
               "heap type bytes are the engine's");
_Static_assert(WASMIX_HT_TYPE == WASM_HT_TYPEIDX &&
                   WASMIX_REF_NONNULL == WASM_REF_NONNULL &&
                   WASMIX_VALTYPE_INDEX(1u << WASM_VT_IDX_SHIFT) == 1,
               "reference type layout is the engine's");
_Static_assert((int)WASMIX_EXTERN_FUNC == (int)WASM_EXT_FUNC &&
                   (int)WASMIX_EXTERN_TABLE == (int)WASM_EXT_TABLE &&
                   (int)WASMIX_EXTERN_MEMORY == (int)WASM_EXT_MEMORY &&
                   (int)WASMIX_EXTERN_GLOBAL == (int)WASM_EXT_GLOBAL &&
                   (int)WASMIX_EXTERN_TAG == (int)WASM_EXT_TAG,
               "extern kinds are the binary format's");

/* The name of an abstract heap type, or NULL. */
static const char *heap_name(uint32_t ht)
{
	switch (ht) {
	case WASMIX_HT_FUNC:
		return "func";
	case WASMIX_HT_EXTERN:
		return "extern";
	case WASMIX_HT_EXN:
		return "exn";
	case WASMIX_HT_NOFUNC:
		return "nofunc";
	case WASMIX_HT_NOEXTERN:
		return "noextern";
	case WASMIX_HT_NOEXN:
		return "noexn";
	default:
		return NULL;
	}
}

size_t wasmix_valtype_name(wasmix_valtype t, char *buf, size_t len)
{
	static const char *const numeric[] = {"v128", "f64", "f32", "i64",
	                                      "i32"};
	uint32_t ht = t & 0xff;
	bool nullable = (t & WASMIX_REF_NONNULL) == 0;
	const char *hn = heap_name(ht);
	int n;

	if (t >= WASMIX_V128 && t <= WASMIX_I32)
		n = snprintf(buf, len, "%s", numeric[t - WASMIX_V128]);
	else if (hn != NULL && nullable && (t >> 9) == 0)
		/* funcref, externref, exnref, nullfuncref, ... */
		n = snprintf(buf, len, "%s%sref",
		             ht >= WASMIX_HT_NOEXTERN ? "null" : "",
		             ht >= WASMIX_HT_NOEXTERN ? hn + 2 : hn);
	else if (hn != NULL && (t >> 9) == 0)
		n = snprintf(buf, len, "(ref %s)", hn);
	else if (ht == WASMIX_HT_TYPE)
		n = snprintf(buf, len, "(ref %s%" PRIu32 ")",
		             nullable ? "null " : "", WASMIX_VALTYPE_INDEX(t));
	else
		n = snprintf(buf, len, "unknown");
	return n < 0 ? 0 : (size_t)n;
}

static const struct wasm_module *module_of(const struct wasm_module_t *h)
{
	return ((const wasm_ref_t *)h)->u.module->m;
}

static wasmix_limits limits_of(const struct wasm_limits_decl *l)
{
	wasmix_limits r;

	r.min = l->min;
	r.max = l->has_max ? l->max : 0;
	r.has_max = l->has_max;
	r.is64 = l->is64;
	r.shared = l->shared;
	return r;
}

/* Fills the type part of 'out' for a function or tag of type 'type'. */
static void describe_func(const struct wasm_module *m, uint32_t type,
                          wasmix_extern_desc *out)
{
	const struct wasm_functype *ft = &m->types[type];

	out->type_index = type;
	out->nparams = ft->nparams;
	out->nresults = ft->nresults;
	out->params = ft->types;
	out->results = ft->types + ft->nparams;
}

static void describe_table(const struct wasm_tabletype *tt,
                           wasmix_extern_desc *out)
{
	out->type = tt->elemtype;
	out->limits = limits_of(&tt->limits);
}

static void describe_global(const struct wasm_globaltype *gt,
                            wasmix_extern_desc *out)
{
	out->type = gt->valtype;
	out->is_mutable = gt->mut;
}

size_t wasmix_module_import_count(const struct wasm_module_t *module)
{
	return module_of(module)->nimports;
}

size_t wasmix_module_export_count(const struct wasm_module_t *module)
{
	return module_of(module)->nexports;
}

int wasmix_module_import(const struct wasm_module_t *module, size_t i,
                         wasmix_extern_desc *out)
{
	const struct wasm_module *m = module_of(module);

	if (i >= m->nimports)
		return WASMIX_ERROR;
	const struct wasm_import *imp = &m->imports[i];
	memset(out, 0, sizeof *out);
	out->kind = imp->kind;
	out->module = imp->module;
	out->module_len = imp->module_len;
	out->name = imp->name;
	out->name_len = imp->name_len;
	out->index = (uint32_t)i;
	switch (imp->kind) {
	case WASM_EXT_FUNC:
		describe_func(m, imp->d.func_type, out);
		break;
	case WASM_EXT_TAG:
		describe_func(m, imp->d.tag_type, out);
		break;
	case WASM_EXT_TABLE:
		describe_table(&imp->d.table, out);
		break;
	case WASM_EXT_MEMORY:
		out->limits = limits_of(&imp->d.memory);
		break;
	default:
		describe_global(&imp->d.global, out);
		break;
	}
	return WASMIX_OK;
}

int wasmix_module_export(const struct wasm_module_t *module, size_t i,
                         wasmix_extern_desc *out)
{
	const struct wasm_module *m = module_of(module);

	if (i >= m->nexports)
		return WASMIX_ERROR;
	const struct wasm_export *ex = &m->exports[i];
	memset(out, 0, sizeof *out);
	out->kind = ex->kind;
	out->name = ex->name;
	out->name_len = ex->name_len;
	out->index = ex->index;
	switch (ex->kind) {
	case WASM_EXT_FUNC:
		describe_func(m, m->funcs[ex->index].type, out);
		break;
	case WASM_EXT_TAG:
		describe_func(m, m->tags[ex->index], out);
		break;
	case WASM_EXT_TABLE:
		describe_table(&m->tables[ex->index], out);
		break;
	case WASM_EXT_MEMORY:
		out->limits = limits_of(&m->memories[ex->index]);
		break;
	default:
		describe_global(&m->globals[ex->index].type, out);
		break;
	}
	return WASMIX_OK;
}
