/*
 * t_reflect.c: wasmix.h's module reflection beside wasm.h
 * (wasmix_module_import/export and their counts, wasmix_valtype_name;
 * docs/embedding.md, "Reflection"): tags are listed, v128, exnref and
 * typed references keep their types, limits keep 64 bits and the
 * memory64, table64 and shared flags, out-of-range indices are refused;
 * and wasm.h's own views stay as the standard allows them (tags left
 * out, v128 shown as externref). Modules are inline text
 * (wasmix_wat2wasm). Usage: t_reflect. Exits 1 if a check fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm.h"
#include "wasmix.h"

static int failures;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr,                                        \
			        "t_reflect: %s:%d: check failed: %s\n",        \
			        __FILE__, __LINE__, #cond);                    \
			failures++;                                            \
		}                                                              \
	} while (0)

static const char kinds[] =
    "(module\n"
    "  (tag $t (export \"tg\") (param i32))\n"
    "  (func (export \"f\") (param v128 i32) (result v128) local.get 0)\n"
    "  (memory i64 1)\n"
    "  (export \"m\" (memory 0))\n"
    "  (global (export \"g\") (mut v128) (v128.const i64x2 0 0)))\n";

static const char refs[] =
    "(module\n"
    "  (type $ft (func (param i32) (result i32)))\n"
    "  (import \"env\" \"t\" (tag $it (param i64 f32)))\n"
    "  (import \"env\" \"mem\" (memory 1 10 shared))\n"
    "  (import \"env\" \"tab\" (table i64 2 funcref))\n"
    "  (import \"env\" \"g\" (global exnref))\n"
    "  (memory $big i64 0x200000000 0x300000000)\n"
    "  (table $tt i64 1 100 (ref null $ft))\n"
    "  (func (export \"call\")\n"
    "    (param (ref null $ft) (ref extern) nullfuncref) (result exnref)\n"
    "    (ref.null exn))\n"
    "  (export \"big\" (memory $big))\n"
    "  (export \"tt\" (table $tt))\n"
    "  (export \"it\" (tag $it)))\n";

static wasm_module_t *compile(wasm_store_t *store, const char *text)
{
	uint8_t *bin = NULL;
	size_t len = 0;
	char err[256];
	wasm_byte_vec_t bytes;
	wasm_module_t *m;

	if (wasmix_wat2wasm("t_reflect", text, strlen(text), &bin, &len, err,
	                    sizeof err) != WASMIX_OK) {
		fprintf(stderr, "t_reflect: %s\n", err);
		return NULL;
	}
	wasm_byte_vec_new(&bytes, len, (const wasm_byte_t *)bin);
	wasmix_free(bin);
	m = wasm_module_new(store, &bytes);
	wasm_byte_vec_delete(&bytes);
	return m;
}

/* Does 'd' have the name 'name'? */
static int named(const char *p, size_t len, const char *name)
{
	return p != NULL && len == strlen(name) && memcmp(p, name, len) == 0;
}

/* Is the text name of 't' 'want'? */
static int type_is(wasmix_valtype t, const char *want)
{
	char buf[64];

	wasmix_valtype_name(t, buf, sizeof buf);
	return strcmp(buf, want) == 0;
}

static void check_kinds(wasm_module_t *m)
{
	wasmix_extern_desc d;
	wasm_exporttype_vec_t ex;

	CHECK(wasmix_module_import_count(m) == 0);
	CHECK(wasmix_module_export_count(m) == 4);
	CHECK(wasmix_module_export(m, 0, &d) == WASMIX_OK);
	CHECK(d.kind == WASMIX_EXTERN_TAG && named(d.name, d.name_len, "tg"));
	CHECK(d.module == NULL && d.nparams == 1 && d.nresults == 0);
	CHECK(d.params[0] == WASMIX_I32);
	CHECK(wasmix_module_export(m, 1, &d) == WASMIX_OK);
	CHECK(d.kind == WASMIX_EXTERN_FUNC && named(d.name, d.name_len, "f"));
	CHECK(d.nparams == 2 && d.params[0] == WASMIX_V128 &&
	      d.params[1] == WASMIX_I32);
	CHECK(d.nresults == 1 && d.results[0] == WASMIX_V128);
	CHECK(wasmix_module_export(m, 2, &d) == WASMIX_OK);
	CHECK(d.kind == WASMIX_EXTERN_MEMORY && d.limits.is64 &&
	      d.limits.min == 1 && !d.limits.has_max && !d.limits.shared);
	CHECK(wasmix_module_export(m, 3, &d) == WASMIX_OK);
	CHECK(d.kind == WASMIX_EXTERN_GLOBAL && d.is_mutable &&
	      d.type == WASMIX_V128);
	/* Out of range: refused, '*out' untouched. */
	d.kind = 99;
	CHECK(wasmix_module_export(m, 4, &d) == WASMIX_ERROR && d.kind == 99);
	CHECK(wasmix_module_import(m, 0, &d) == WASMIX_ERROR && d.kind == 99);

	/* wasm.h's views: the tag left out, v128 shown as externref. */
	wasm_module_exports(m, &ex);
	CHECK(ex.size == 3);
	if (ex.size == 3) {
		const wasm_functype_t *ft = wasm_externtype_as_functype_const(
		    wasm_exporttype_type(ex.data[0]));
		CHECK(ft != NULL &&
		      wasm_valtype_kind(wasm_functype_params(ft)->data[0]) ==
		          WASM_EXTERNREF);
	}
	wasm_exporttype_vec_delete(&ex);
}

static void check_refs(wasm_module_t *m)
{
	wasmix_extern_desc d;

	CHECK(wasmix_module_import_count(m) == 4);
	CHECK(wasmix_module_export_count(m) == 4);
	CHECK(wasmix_module_import(m, 0, &d) == WASMIX_OK);
	CHECK(d.kind == WASMIX_EXTERN_TAG &&
	      named(d.module, d.module_len, "env") &&
	      named(d.name, d.name_len, "t"));
	CHECK(d.nparams == 2 && d.params[0] == WASMIX_I64 &&
	      d.params[1] == WASMIX_F32);
	CHECK(wasmix_module_import(m, 1, &d) == WASMIX_OK);
	CHECK(d.kind == WASMIX_EXTERN_MEMORY && d.limits.shared &&
	      !d.limits.is64 && d.limits.min == 1 && d.limits.has_max &&
	      d.limits.max == 10);
	CHECK(wasmix_module_import(m, 2, &d) == WASMIX_OK);
	CHECK(d.kind == WASMIX_EXTERN_TABLE && d.limits.is64 &&
	      d.type == WASMIX_HT_FUNC && d.limits.min == 2);
	CHECK(wasmix_module_import(m, 3, &d) == WASMIX_OK);
	CHECK(d.kind == WASMIX_EXTERN_GLOBAL && !d.is_mutable &&
	      d.type == WASMIX_HT_EXN && type_is(d.type, "exnref"));
	CHECK(wasmix_module_export(m, 0, &d) == WASMIX_OK);
	CHECK(d.kind == WASMIX_EXTERN_FUNC && d.nparams == 3);
	if (d.nparams == 3) {
		CHECK((d.params[0] & 0xff) == WASMIX_HT_TYPE &&
		      !(d.params[0] & WASMIX_REF_NONNULL) &&
		      WASMIX_VALTYPE_INDEX(d.params[0]) == 0);
		CHECK(type_is(d.params[0], "(ref null 0)"));
		CHECK(d.params[1] == (WASMIX_HT_EXTERN | WASMIX_REF_NONNULL));
		CHECK(type_is(d.params[1], "(ref extern)"));
		CHECK(type_is(d.params[2], "nullfuncref"));
	}
	CHECK(wasmix_module_export(m, 1, &d) == WASMIX_OK);
	CHECK(d.kind == WASMIX_EXTERN_MEMORY && d.limits.is64 &&
	      d.limits.min == 0x200000000ull && d.limits.has_max &&
	      d.limits.max == 0x300000000ull);
	CHECK(wasmix_module_export(m, 2, &d) == WASMIX_OK);
	CHECK(d.kind == WASMIX_EXTERN_TABLE && d.limits.is64 &&
	      d.limits.max == 100 && type_is(d.type, "(ref null 0)"));
	CHECK(wasmix_module_export(m, 3, &d) == WASMIX_OK);
	CHECK(d.kind == WASMIX_EXTERN_TAG && d.index == 0 && d.nparams == 2);
}

static void check_names(void)
{
	char buf[8];

	CHECK(type_is(WASMIX_I32, "i32") && type_is(WASMIX_F64, "f64"));
	CHECK(type_is(WASMIX_V128, "v128"));
	CHECK(type_is(WASMIX_HT_FUNC, "funcref"));
	CHECK(type_is(WASMIX_HT_EXTERN, "externref"));
	CHECK(type_is(WASMIX_HT_NOEXN, "nullexnref"));
	CHECK(type_is(WASMIX_HT_NOEXTERN, "nullexternref"));
	CHECK(type_is(WASMIX_HT_EXN | WASMIX_REF_NONNULL, "(ref exn)"));
	CHECK(type_is(WASMIX_HT_TYPE | (7u << 9) | WASMIX_REF_NONNULL,
	              "(ref 7)"));
	CHECK(type_is(0x40, "unknown") && type_is(0, "unknown"));
	/* Cut short but NUL-terminated; the whole length comes back. */
	CHECK(wasmix_valtype_name(WASMIX_HT_EXTERN, buf, sizeof buf) == 9 &&
	      strcmp(buf, "externr") == 0);
}

int main(void)
{
	wasm_engine_t *engine = wasm_engine_new();
	wasm_store_t *store = wasm_store_new(engine);
	wasm_module_t *m;

	check_names();
	m = compile(store, kinds);
	CHECK(m != NULL);
	if (m != NULL)
		check_kinds(m);
	m = compile(store, refs);
	CHECK(m != NULL);
	if (m != NULL)
		check_refs(m);
	wasm_store_delete(store);
	wasm_engine_delete(engine);
	if (failures == 0)
		printf("t_reflect: all checks passed\n");
	return failures != 0;
}
