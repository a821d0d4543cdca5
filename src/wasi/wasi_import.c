/*
 * wasi_import.c: the import table (wasi_imports.def) as rows, and the
 * one lookup and the one signature check every import resolver uses:
 * wasi_import_find names the row of an import, wasi_import_make gives
 * the VM a host function of that row's signature at the caller's width.
 * The layers keep their bodies (wasi_table.c, wasix_table.c,
 * wasix_thread.c), each an array built from the same .def, so that a
 * row's index finds its body.
 *
 * Keeps true: a name and a signature are written once, in the .def; a
 * WASIX module links only with a memory of its width (the bodies read
 * pointers at the memory's width).
 */
#include "wasi/wasi_impl.h"

#include <string.h>

static const struct wasi_import_row wasi_import_rows[] = {
#define WASI_P1(name, sig, trace, body, wasix_body)                            \
	{name, sig, trace, NULL, WASI_IMPORT_P1, WASI_LAYER_WASI},
#define WASI_THREAD(module, name, sig, trace, body)                            \
	{name, sig, trace, NULL, module, WASI_LAYER_THREADS},
#define WASI_WASIX(name, sig, trace, body)                                     \
	{name, sig, trace, NULL, WASI_IMPORT_WASIX, WASI_LAYER_WASIX},
#define WASI_NOSYS(name, sig, trace, reason)                                   \
	{name, sig, trace, reason, WASI_IMPORT_WASIX, WASI_LAYER_NONE},
#include "wasi/wasi_imports.def"
};

_Static_assert(WX_ARRAY_LEN(wasi_import_rows) == WASI_NIMPORTS,
               "WASI_NIMPORTS");
_Static_assert(WASI_NP1 == 46, "preview1 has 46 functions");

/* The longest signature of the table, params and results together. */
#define WASI_MAX_SIG 16

const struct wasi_import_row *wasi_import_at(size_t i)
{
	return i < WASI_NIMPORTS ? &wasi_import_rows[i] : NULL;
}

size_t wasi_import_index(const struct wasi_import_row *r)
{
	return (size_t)(r - wasi_import_rows);
}

const char *wasi_import_module_name(const struct wasi_import_row *r)
{
	switch (r->module) {
	case WASI_IMPORT_P1:
		return WASI_MODULE;
	case WASI_IMPORT_WASI:
		return WASI_THREADS_MODULE;
	default:
		return WASIX_MODULE32;
	}
}

static bool wasi_name_is(const char *s, uint32_t len, const char *want)
{
	return strlen(want) == len && memcmp(s, want, len) == 0;
}

const struct wasi_import_row *wasi_import_find(const struct wasm_module *m,
                                               const struct wasm_import *imp,
                                               bool *is64)
{
	uint8_t module;

	if (imp->kind != WASM_EXT_FUNC)
		return NULL;
	*is64 = wasi_module_is64(m);
	if (wasi_name_is(imp->module, imp->module_len, WASI_MODULE)) {
		module = WASI_IMPORT_P1;
	} else if (wasi_name_is(imp->module, imp->module_len,
	                        WASI_THREADS_MODULE)) {
		module = WASI_IMPORT_WASI;
	} else if (wasi_name_is(imp->module, imp->module_len, WASIX_MODULE32) ||
	           wasi_name_is(imp->module, imp->module_len, WASIX_MODULE64)) {
		bool w64 =
		    imp->module_len == sizeof WASIX_MODULE64 - 1 &&
		    memcmp(imp->module, WASIX_MODULE64, imp->module_len) == 0;
		if (m != NULL && m->nmemories > 0 && w64 != *is64)
			return NULL;
		*is64 = w64;
		module = WASI_IMPORT_WASIX;
	} else {
		return NULL;
	}
	for (size_t i = 0; i < WASI_NIMPORTS; i++) {
		const struct wasi_import_row *r = &wasi_import_rows[i];

		if (r->module == module &&
		    wasi_name_is(imp->name, imp->name_len, r->name))
			return r;
	}
	return NULL;
}

/* A function that is not implemented: ENOSYS. */
static int wasi_import_nosys(struct vm_call *c, void *ud)
{
	(void)ud;
	c->results[0] = WASI_ENOSYS;
	return 0;
}

/* Same, for a function with no result. */
static int wasi_import_nosys_void(struct vm_call *c, void *ud)
{
	(void)c;
	(void)ud;
	return 0;
}

int wasi_import_make(struct vm_store *s, const struct wasm_module *m,
                     const struct wasm_import *imp,
                     const struct wasi_import_row *r, bool is64, vm_host_fn fn,
                     void *ud, struct vm_extern *out)
{
	struct wasm_functype ft;
	uint32_t types[WASI_MAX_SIG];
	struct vm_func *f;

	wasi_sig_parse(r->sig, is64, &ft, types, WASI_MAX_SIG);
	if (fn == NULL && is64) {
		/* Not marshalled: ENOSYS with the module's own type. */
		if (m != NULL && imp->d.func_type < m->ntypes)
			ft = m->types[imp->d.func_type];
		if (ft.nresults > 1 ||
		    (ft.nresults == 1 && ft.types[ft.nparams] != WASM_I32))
			return WX_ELINK;
	}
	if (fn == NULL)
		fn = ft.nresults != 0 ? wasi_import_nosys
		                      : wasi_import_nosys_void;
	f = vm_func_new_host(s, &ft, fn, ud);
	if (f == NULL)
		return WX_ENOMEM;
	out->kind = WASM_EXT_FUNC;
	out->u.func = f;
	return 0;
}

int wasi_resolve_nosys(struct vm_store *s, const struct wasm_module *m,
                       const struct wasm_import *imp, struct vm_extern *out)
{
	bool is64 = false;
	const struct wasi_import_row *r = wasi_import_find(m, imp, &is64);

	if (r == NULL)
		return WX_ELINK;
	return wasi_import_make(s, m, imp, r, is64, NULL, NULL, out);
}
