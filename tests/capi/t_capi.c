/*
 * t_capi.c: tests of the standard WebAssembly C API (include/wasm.h) as
 * an embedder sees it: this program includes only wasm.h and links
 * libwasmix. Each test loads a module built from tests/capi/NAME.wat
 * (the Makefile converts them with 'wasmix wat2wasm') from the directory
 * given as argv[1], and checks what the API returns.
 *
 * Usage: t_capi DIR. Prints one line per test; exits 1 if a check fails.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm.h"

static int failures;
static const char *dir;
/* WASMIX_AOT=1 (wasmix's engines compile): a trap in compiled code has no
 * origin frame (docs/embedding.md); where one is given it must be right. */
static int compiled;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "t_capi: %s:%d: check failed: %s\n",   \
			        __FILE__, __LINE__, #cond);                    \
			failures++;                                            \
		}                                                              \
	} while (0)

/* Reads DIR/NAME.wasm into 'out'; exits on failure (a build problem). */
static void load(const char *name, wasm_byte_vec_t *out)
{
	char path[512];
	FILE *f;
	long n;

	snprintf(path, sizeof path, "%s/%s.wasm", dir, name);
	f = fopen(path, "rb");
	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0) {
		fprintf(stderr, "t_capi: cannot read %s\n", path);
		exit(2);
	}
	rewind(f);
	wasm_byte_vec_new_uninitialized(out, (size_t)n);
	if (fread(out->data, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "t_capi: cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
}

static wasm_module_t *compile(wasm_store_t *store, const char *name)
{
	wasm_byte_vec_t bin;
	wasm_module_t *m;

	load(name, &bin);
	CHECK(wasm_module_validate(store, &bin));
	m = wasm_module_new(store, &bin);
	wasm_byte_vec_delete(&bin);
	if (m == NULL) {
		fprintf(stderr, "t_capi: %s does not compile\n", name);
		exit(2);
	}
	return m;
}

static wasm_instance_t *instantiate(wasm_store_t *store, wasm_module_t *m,
                                    wasm_extern_t **imports, size_t n)
{
	wasm_extern_vec_t iv = {n, imports};
	wasm_trap_t *trap = NULL;
	wasm_instance_t *inst = wasm_instance_new(store, m, &iv, &trap);

	CHECK(inst != NULL);
	CHECK(trap == NULL);
	if (inst == NULL)
		exit(1);
	return inst;
}

/* Export 'i' of 'inst' as a function (the exports vector is kept). */
static wasm_func_t *export_func(wasm_extern_vec_t *ex, size_t i)
{
	CHECK(i < ex->size);
	wasm_func_t *f = i < ex->size ? wasm_extern_as_func(ex->data[i]) : NULL;
	CHECK(f != NULL);
	if (f == NULL)
		exit(1);
	return f;
}

/* ---- hello ----------------------------------------------------------------
 */

static int hello_seen;

static wasm_trap_t *hello_cb(const wasm_val_vec_t *args,
                             wasm_val_vec_t *results)
{
	CHECK(args->size == 1 && args->data[0].kind == WASM_I32);
	CHECK(results->size == 0);
	hello_seen = args->data[0].of.i32;
	return NULL;
}

static void test_hello(wasm_store_t *store)
{
	wasm_module_t *m = compile(store, "hello");
	wasm_functype_t *ft = wasm_functype_new_1_0(wasm_valtype_new_i32());
	wasm_func_t *hello = wasm_func_new(store, ft, hello_cb);
	wasm_extern_t *imports[] = {wasm_func_as_extern(hello)};
	wasm_instance_t *inst = instantiate(store, m, imports, 1);
	wasm_extern_vec_t ex;
	wasm_val_t argv[1] = {WASM_I32_VAL(41)};
	wasm_val_vec_t args = WASM_ARRAY_VEC(argv), res = WASM_EMPTY_VEC;

	wasm_instance_exports(inst, &ex);
	CHECK(ex.size == 1);
	CHECK(wasm_extern_kind(ex.data[0]) == WASM_EXTERN_FUNC);
	CHECK(wasm_func_call(export_func(&ex, 0), &args, &res) == NULL);
	CHECK(hello_seen == 42);
	wasm_extern_vec_delete(&ex);
	wasm_instance_delete(inst);
	wasm_func_delete(hello);
	wasm_functype_delete(ft);
	wasm_module_delete(m);
	printf("t_capi: hello ok\n");
}

/* ---- callback --------------------------------------------------------------
 */

static wasm_trap_t *mix_cb(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
	CHECK(args->size == 3 && results->size == 1);
	CHECK(args->data[1].kind == WASM_I64 && args->data[2].kind == WASM_F64);
	results->data[0].kind = WASM_F64;
	results->data[0].of.f64 = args->data[0].of.i32 +
	                          (double)args->data[1].of.i64 +
	                          args->data[2].of.f64;
	return NULL;
}

static wasm_trap_t *tick_cb(void *env, const wasm_val_vec_t *args,
                            wasm_val_vec_t *results)
{
	int *counter = env;

	results->data[0].kind = WASM_I32;
	results->data[0].of.i32 = ++*counter;
	return NULL;
}

static int env_finalized;

static void env_fin(void *env)
{
	CHECK(*(int *)env == 2);
	env_finalized++;
}

static void test_callback(wasm_engine_t *engine)
{
	static int counter;
	wasm_store_t *store = wasm_store_new(engine);
	wasm_module_t *m = compile(store, "callback");
	wasm_functype_t *mt = wasm_functype_new_3_1(
	    wasm_valtype_new_i32(), wasm_valtype_new_i64(),
	    wasm_valtype_new_f64(), wasm_valtype_new_f64());
	wasm_functype_t *tt = wasm_functype_new_0_1(wasm_valtype_new_i32());
	wasm_func_t *mix = wasm_func_new(store, mt, mix_cb);
	wasm_func_t *tick =
	    wasm_func_new_with_env(store, tt, tick_cb, &counter, env_fin);
	wasm_extern_t *imports[] = {wasm_func_as_extern(mix),
	                            wasm_func_as_extern(tick)};
	wasm_instance_t *inst = instantiate(store, m, imports, 2);
	wasm_extern_vec_t ex;
	wasm_val_t argv[3] = {WASM_I32_VAL(1), WASM_I64_VAL(2),
	                      WASM_F64_VAL(0.5)};
	wasm_val_t resv[1] = {WASM_INIT_VAL};
	wasm_val_vec_t args = WASM_ARRAY_VEC(argv), res = WASM_ARRAY_VEC(resv);
	wasm_val_vec_t none = WASM_EMPTY_VEC;

	CHECK(wasm_func_param_arity(mix) == 3);
	CHECK(wasm_func_result_arity(mix) == 1);
	wasm_instance_exports(inst, &ex);
	CHECK(wasm_func_call(export_func(&ex, 0), &args, &res) == NULL);
	CHECK(resv[0].kind == WASM_F64 && resv[0].of.f64 == 7.0);
	CHECK(wasm_func_call(export_func(&ex, 1), &none, &res) == NULL);
	CHECK(resv[0].kind == WASM_I32 && resv[0].of.i32 == 2);
	/* A host function called directly. */
	CHECK(wasm_func_call(mix, &args, &res) == NULL);
	CHECK(resv[0].of.f64 == 3.5);
	/* Wrong argument types trap instead of misreading. */
	argv[0].kind = WASM_F32;
	wasm_trap_t *trap = wasm_func_call(mix, &args, &res);
	CHECK(trap != NULL);
	wasm_trap_delete(trap);
	wasm_extern_vec_delete(&ex);
	wasm_functype_delete(mt);
	wasm_functype_delete(tt);
	wasm_module_delete(m);
	CHECK(env_finalized == 0);
	wasm_store_delete(store);
	CHECK(env_finalized == 1);
	printf("t_capi: callback ok\n");
}

/* ---- global -----------------------------------------------------------------
 */

static void test_global(wasm_store_t *store)
{
	wasm_module_t *m = compile(store, "global");
	wasm_globaltype_t *ct =
	    wasm_globaltype_new(wasm_valtype_new_f32(), WASM_CONST);
	wasm_globaltype_t *vt =
	    wasm_globaltype_new(wasm_valtype_new_i64(), WASM_VAR);
	wasm_val_t cv = WASM_F32_VAL(1.5f), vv = WASM_I64_VAL(-3), out;
	wasm_global_t *c = wasm_global_new(store, ct, &cv);
	wasm_global_t *v = wasm_global_new(store, vt, &vv);
	wasm_extern_t *imports[] = {wasm_global_as_extern(c),
	                            wasm_global_as_extern(v)};
	wasm_instance_t *inst = instantiate(store, m, imports, 2);
	wasm_extern_vec_t ex;
	wasm_val_t resv[1] = {WASM_INIT_VAL}, argv[1] = {WASM_I64_VAL(99)};
	wasm_val_vec_t res = WASM_ARRAY_VEC(resv), none = WASM_EMPTY_VEC;
	wasm_val_vec_t args = WASM_ARRAY_VEC(argv);

	CHECK(c != NULL && v != NULL);
	wasm_instance_exports(inst, &ex);
	CHECK(ex.size == 6);
	wasm_global_t *own = wasm_extern_as_global(ex.data[0]);
	wasm_global_t *k = wasm_extern_as_global(ex.data[1]);
	CHECK(own != NULL && k != NULL);
	CHECK(wasm_extern_as_func(ex.data[0]) == NULL);
	wasm_globaltype_t *gt = wasm_global_type(own);
	CHECK(wasm_globaltype_mutability(gt) == WASM_VAR);
	CHECK(wasm_valtype_kind(wasm_globaltype_content(gt)) == WASM_I32);
	wasm_globaltype_delete(gt);
	wasm_global_get(k, &out);
	CHECK(out.kind == WASM_F64 && out.of.f64 == 2.5);
	wasm_global_get(own, &out);
	CHECK(out.kind == WASM_I32 && out.of.i32 == 7);
	out.of.i32 = 8;
	wasm_global_set(own, &out);
	CHECK(wasm_func_call(export_func(&ex, 5), &none, &res) == NULL);
	CHECK(resv[0].of.i32 == 8);
	CHECK(wasm_func_call(export_func(&ex, 2), &none, &res) == NULL);
	CHECK(resv[0].kind == WASM_F32 && resv[0].of.f32 == 1.5f);
	/* The host and the guest share the imported mutable global. */
	CHECK(wasm_func_call(export_func(&ex, 4), &args, &res) == NULL);
	wasm_global_get(v, &out);
	CHECK(out.kind == WASM_I64 && out.of.i64 == 99);
	out.of.i64 = -5;
	wasm_global_set(v, &out);
	CHECK(wasm_func_call(export_func(&ex, 3), &none, &res) == NULL);
	CHECK(resv[0].kind == WASM_I64 && resv[0].of.i64 == -5);
	wasm_extern_vec_delete(&ex);
	wasm_globaltype_delete(ct);
	wasm_globaltype_delete(vt);
	printf("t_capi: global ok\n");
}

/* ---- memory
 * ------------------------------------------------------------------ */

static int32_t call_i32(const wasm_func_t *f, int nargs, int32_t a, int32_t b)
{
	wasm_val_t argv[2] = {WASM_I32_VAL(a), WASM_I32_VAL(b)};
	wasm_val_t resv[1] = {WASM_I32_VAL(-1)};
	wasm_val_vec_t args = {(size_t)nargs, argv}, res = WASM_ARRAY_VEC(resv);
	wasm_trap_t *trap = wasm_func_call(f, &args, &res);

	if (trap != NULL) {
		wasm_trap_delete(trap);
		return INT32_MIN;
	}
	return resv[0].of.i32;
}

static void test_memory(wasm_store_t *store)
{
	wasm_module_t *m = compile(store, "memory");
	wasm_instance_t *inst = instantiate(store, m, NULL, 0);
	wasm_extern_vec_t ex;

	wasm_instance_exports(inst, &ex);
	wasm_memory_t *mem = wasm_extern_as_memory(ex.data[0]);
	CHECK(mem != NULL);
	const wasm_func_t *load = export_func(&ex, 1);
	const wasm_func_t *store8 = export_func(&ex, 2);
	const wasm_func_t *size = export_func(&ex, 3);
	const wasm_func_t *grow = export_func(&ex, 4);
	CHECK(wasm_memory_size(mem) == 2);
	CHECK(wasm_memory_data_size(mem) == 0x20000);
	CHECK(wasm_memory_data(mem)[0x1002] == 3);
	CHECK(call_i32(load, 1, 0x1003, 0) == 4);
	CHECK(call_i32(load, 1, 0x20000, 0) == INT32_MIN); /* out of bounds */
	wasm_memory_data(mem)[0x1003] = 9;
	CHECK(call_i32(load, 1, 0x1003, 0) == 9);
	call_i32(store8, 2, 0x1004, 0x55);
	CHECK(wasm_memory_data(mem)[0x1004] == 0x55);
	CHECK(wasm_memory_grow(mem, 1));
	CHECK(wasm_memory_size(mem) == 3 && call_i32(size, 0, 0, 0) == 3);
	CHECK(!wasm_memory_grow(mem, 1)); /* past the maximum */
	CHECK(call_i32(grow, 1, 1, 0) == -1);
	CHECK(call_i32(grow, 1, 0, 0) == 3);
	wasm_memorytype_t *mt = wasm_memory_type(mem);
	CHECK(wasm_memorytype_limits(mt)->max == 3);
	wasm_memorytype_delete(mt);
	/* A memory made by the host. */
	wasm_limits_t lim = {1, wasm_limits_max_default};
	wasm_memorytype_t *hmt = wasm_memorytype_new(&lim);
	wasm_memory_t *hm = wasm_memory_new(store, hmt);
	CHECK(hm != NULL && wasm_memory_size(hm) == 1);
	CHECK(wasm_memory_grow(hm, 2) && wasm_memory_size(hm) == 3);
	wasm_memory_data(hm)[3 * 65536 - 1] = 1;
	wasm_memorytype_delete(hmt);
	wasm_extern_vec_delete(&ex);
	printf("t_capi: memory ok\n");
}

/* ---- table
 * -------------------------------------------------------------------- */

static void test_table(wasm_store_t *store)
{
	wasm_module_t *m = compile(store, "table");
	wasm_instance_t *inst = instantiate(store, m, NULL, 0);
	wasm_extern_vec_t ex;

	wasm_instance_exports(inst, &ex);
	wasm_table_t *tab = wasm_extern_as_table(ex.data[0]);
	wasm_func_t *inc = export_func(&ex, 1);
	const wasm_func_t *call = export_func(&ex, 2);
	CHECK(tab != NULL && wasm_table_size(tab) == 2);
	CHECK(wasm_table_get(tab, 0) == NULL);
	wasm_ref_t *r1 = wasm_table_get(tab, 1);
	CHECK(r1 != NULL && wasm_ref_same(r1, wasm_func_as_ref(inc)));
	CHECK(wasm_func_same(wasm_ref_as_func(r1), inc));
	wasm_ref_delete(r1);
	CHECK(wasm_table_get(tab, 2) == NULL); /* out of range */
	CHECK(call_i32(call, 2, 1, 5) == 6);
	CHECK(call_i32(call, 2, 0, 5) == INT32_MIN); /* null entry traps */
	CHECK(wasm_table_set(tab, 0, wasm_func_as_ref(inc)));
	CHECK(call_i32(call, 2, 0, 5) == 6);
	CHECK(!wasm_table_set(tab, 5, NULL));
	CHECK(wasm_table_grow(tab, 3, wasm_func_as_ref(inc)));
	CHECK(wasm_table_size(tab) == 5 && call_i32(call, 2, 4, 1) == 2);
	CHECK(!wasm_table_grow(tab, 6, NULL)); /* past the maximum */
	wasm_tabletype_t *tt = wasm_table_type(tab);
	CHECK(wasm_valtype_kind(wasm_tabletype_element(tt)) == WASM_FUNCREF);
	CHECK(wasm_tabletype_limits(tt)->min == 5);
	CHECK(wasm_tabletype_limits(tt)->max == 10);
	wasm_tabletype_delete(tt);
	/* A table made by the host. */
	wasm_limits_t lim = {2, 4};
	tt = wasm_tabletype_new(wasm_valtype_new_funcref(), &lim);
	wasm_table_t *ht = wasm_table_new(store, tt, wasm_func_as_ref(inc));
	CHECK(ht != NULL && wasm_table_size(ht) == 2);
	r1 = wasm_table_get(ht, 1);
	CHECK(wasm_ref_same(r1, wasm_func_as_ref(inc)));
	wasm_tabletype_delete(tt);
	wasm_extern_vec_delete(&ex);
	printf("t_capi: table ok\n");
}

/* ---- trap
 * ---------------------------------------------------------------------- */

static wasm_trap_t *fail_cb(void *env, const wasm_val_vec_t *args,
                            wasm_val_vec_t *results)
{
	wasm_message_t msg;

	wasm_name_new_from_string_nt(&msg, "host says no");
	wasm_trap_t *trap = wasm_trap_new(env, &msg);
	wasm_name_delete(&msg);
	return trap;
}

/*
 * Calls 'f' expecting a trap whose message is 'want' and whose origin is
 * function 'func' of 'inst' (func < 0: no origin).
 */
static void expect_trap(const wasm_func_t *f, wasm_val_vec_t *args,
                        const char *want, const wasm_instance_t *inst, int func)
{
	wasm_val_t resv[1] = {WASM_INIT_VAL};
	wasm_val_vec_t res = WASM_ARRAY_VEC(resv);
	wasm_trap_t *trap = wasm_func_call(f, args, &res);
	wasm_message_t msg;
	wasm_frame_vec_t trace;

	CHECK(trap != NULL);
	if (trap == NULL)
		return;
	wasm_trap_message(trap, &msg);
	CHECK(msg.size > 0 && msg.data[msg.size - 1] == 0);
	if (strcmp(msg.data, want) != 0) {
		fprintf(stderr, "t_capi: trap message '%s', want '%s'\n",
		        msg.data, want);
		failures++;
	}
	wasm_name_delete(&msg);
	wasm_trap_t *copy = wasm_trap_copy(trap);
	CHECK(copy != NULL);
	wasm_trap_delete(trap);
	wasm_frame_t *origin = wasm_trap_origin(copy);
	wasm_trap_trace(copy, &trace);
	if (func < 0) {
		CHECK(origin == NULL && trace.size == 0);
	} else {
		CHECK((origin != NULL || compiled) &&
		      trace.size == (origin != NULL ? 1u : 0u));
		if (origin != NULL) {
			CHECK(wasm_frame_func_index(origin) == (uint32_t)func);
			CHECK(wasm_instance_same(wasm_frame_instance(origin),
			                         inst));
			CHECK(wasm_frame_module_offset(origin) > 0);
			wasm_frame_t *fc = wasm_frame_copy(origin);
			CHECK(wasm_frame_func_index(fc) == (uint32_t)func);
			wasm_frame_delete(fc);
		}
	}
	wasm_frame_delete(origin);
	wasm_frame_vec_delete(&trace);
	wasm_trap_delete(copy);
}

static void test_trap(wasm_store_t *store)
{
	wasm_module_t *m = compile(store, "trap");
	wasm_functype_t *ft = wasm_functype_new_0_1(wasm_valtype_new_i32());
	wasm_func_t *fail =
	    wasm_func_new_with_env(store, ft, fail_cb, store, NULL);
	wasm_extern_t *imports[] = {wasm_func_as_extern(fail)};
	wasm_instance_t *inst = instantiate(store, m, imports, 1);
	wasm_extern_vec_t ex;
	wasm_val_t argv[2] = {WASM_I32_VAL(1), WASM_I32_VAL(0)};
	wasm_val_vec_t args = WASM_ARRAY_VEC(argv), none = WASM_EMPTY_VEC;

	wasm_instance_exports(inst, &ex);
	/* Functions: 0 the import, 1 div, 2 unreachable, 3 fail. */
	expect_trap(export_func(&ex, 0), &args, "integer divide by zero", inst,
	            1);
	expect_trap(export_func(&ex, 1), &none, "unreachable", inst, 2);
	expect_trap(export_func(&ex, 2), &none, "host says no", inst, 3);
	expect_trap(export_func(&ex, 0), &none, "wrong number of arguments",
	            inst, -1);
	expect_trap(fail, &none, "host says no", inst, -1); /* no wasm frame */
	/* The store stays usable after traps. */
	argv[1].of.i32 = 1;
	CHECK(call_i32(export_func(&ex, 0), 2, 6, 3) == 2);
	wasm_extern_vec_delete(&ex);
	wasm_functype_delete(ft);
	printf("t_capi: trap ok\n");
}

/* ---- reflect
 * --------------------------------------------------------------------- */

static bool name_is(const wasm_name_t *n, const char *s)
{
	return n->size == strlen(s) && memcmp(n->data, s, n->size) == 0;
}

static void test_reflect(wasm_store_t *store)
{
	wasm_module_t *m = compile(store, "global");
	wasm_importtype_vec_t im;
	wasm_exporttype_vec_t ex;

	wasm_module_imports(m, &im);
	CHECK(im.size == 2);
	CHECK(name_is(wasm_importtype_module(im.data[0]), "env"));
	CHECK(name_is(wasm_importtype_name(im.data[1]), "v"));
	const wasm_globaltype_t *gt = wasm_externtype_as_globaltype_const(
	    wasm_importtype_type(im.data[1]));
	CHECK(gt != NULL && wasm_globaltype_mutability(gt) == WASM_VAR);
	wasm_importtype_vec_t im2;
	wasm_importtype_vec_copy(&im2, &im);
	CHECK(im2.size == 2 && im2.data[0] != im.data[0]);
	wasm_importtype_vec_delete(&im2);
	wasm_importtype_vec_delete(&im);

	wasm_module_exports(m, &ex);
	CHECK(ex.size == 6);
	CHECK(name_is(wasm_exporttype_name(ex.data[2]), "get_c"));
	const wasm_externtype_t *et = wasm_exporttype_type(ex.data[2]);
	CHECK(wasm_externtype_kind(et) == WASM_EXTERN_FUNC);
	const wasm_functype_t *ft = wasm_externtype_as_functype_const(et);
	CHECK(ft != NULL && wasm_functype_params(ft)->size == 0);
	CHECK(wasm_functype_results(ft)->size == 1);
	CHECK(wasm_valtype_kind(wasm_functype_results(ft)->data[0]) ==
	      WASM_F32);
	CHECK(wasm_externtype_as_tabletype_const(et) == NULL);
	wasm_exporttype_vec_delete(&ex);

	/* Exports of an instance, and their types. */
	wasm_module_t *tm = compile(store, "table");
	wasm_instance_t *inst = instantiate(store, tm, NULL, 0);
	wasm_extern_vec_t xs;
	wasm_instance_exports(inst, &xs);
	CHECK(xs.size == 3);
	wasm_externtype_t *xt = wasm_extern_type(xs.data[0]);
	CHECK(wasm_externtype_kind(xt) == WASM_EXTERN_TABLE);
	wasm_externtype_delete(xt);
	xt = wasm_extern_type(xs.data[2]);
	ft = wasm_externtype_as_functype(xt);
	CHECK(ft != NULL && wasm_functype_params(ft)->size == 2);
	wasm_externtype_delete(xt);
	/* Serialization round trip (wasmix: the binary itself). */
	wasm_byte_vec_t ser;
	wasm_module_serialize(tm, &ser);
	wasm_module_t *dm = wasm_module_deserialize(store, &ser);
	CHECK(dm != NULL);
	wasm_byte_vec_delete(&ser);
	/* Invalid bytes: no module. */
	wasm_byte_vec_t junk;
	wasm_name_new_from_string(&junk, "\0asm junk");
	CHECK(!wasm_module_validate(store, &junk));
	CHECK(wasm_module_new(store, &junk) == NULL);
	wasm_byte_vec_delete(&junk);
	wasm_extern_vec_delete(&xs);
	printf("t_capi: reflect ok\n");
}

/* ---- multi
 * ------------------------------------------------------------------------- */

static wasm_trap_t *swap_cb(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
	for (size_t i = 0; i < 4; i++)
		results->data[i] = args->data[(i + 1) % 4];
	return NULL;
}

static void test_multi(wasm_store_t *store)
{
	wasm_module_t *m = compile(store, "multi");
	wasm_valtype_t *ps[4] = {wasm_valtype_new_i32(), wasm_valtype_new_i64(),
	                         wasm_valtype_new_i64(),
	                         wasm_valtype_new_i32()};
	wasm_valtype_t *rs[4] = {wasm_valtype_new_i32(), wasm_valtype_new_i64(),
	                         wasm_valtype_new_i64(),
	                         wasm_valtype_new_i32()};
	wasm_valtype_vec_t pv, rv;
	wasm_valtype_vec_new(&pv, 4, ps);
	wasm_valtype_vec_new(&rv, 4, rs);
	wasm_functype_t *ft = wasm_functype_new(&pv, &rv);
	wasm_func_t *swap = wasm_func_new(store, ft, swap_cb);
	wasm_extern_t *imports[] = {wasm_func_as_extern(swap)};
	wasm_instance_t *inst = instantiate(store, m, imports, 1);
	wasm_extern_vec_t ex;
	wasm_val_t argv[4] = {WASM_I32_VAL(1), WASM_I64_VAL(2), WASM_I64_VAL(3),
	                      WASM_I32_VAL(4)};
	wasm_val_t resv[4] = {WASM_INIT_VAL, WASM_INIT_VAL, WASM_INIT_VAL,
	                      WASM_INIT_VAL};
	wasm_val_vec_t args = WASM_ARRAY_VEC(argv), res = WASM_ARRAY_VEC(resv);

	wasm_instance_exports(inst, &ex);
	/* Mismatched result kinds from the callback trap (i32 <-> i64). */
	wasm_trap_t *trap = wasm_func_call(export_func(&ex, 0), &args, &res);
	CHECK(trap != NULL);
	wasm_trap_delete(trap);
	argv[1].of.i64 = 2;
	argv[0] = (wasm_val_t)WASM_I64_VAL(1);
	trap = wasm_func_call(export_func(&ex, 0), &args, &res);
	CHECK(trap != NULL); /* argument of the wrong type */
	wasm_trap_delete(trap);
	wasm_val_vec_t vals;
	wasm_val_vec_new(&vals, 4, argv);
	CHECK(vals.size == 4 && vals.data[0].kind == WASM_I64);
	wasm_val_vec_delete(&vals);
	wasm_extern_vec_delete(&ex);
	wasm_functype_delete(ft);
	printf("t_capi: multi ok\n");
}

static wasm_trap_t *swap_typed_cb(const wasm_val_vec_t *args,
                                  wasm_val_vec_t *results)
{
	results->data[0] = (wasm_val_t)WASM_I32_VAL(args->data[3].of.i32);
	results->data[1] = (wasm_val_t)WASM_I64_VAL(args->data[2].of.i64);
	results->data[2] = (wasm_val_t)WASM_I64_VAL(args->data[1].of.i64);
	results->data[3] = (wasm_val_t)WASM_I32_VAL(args->data[0].of.i32);
	return NULL;
}

static void test_multi_ok(wasm_store_t *store)
{
	wasm_module_t *m = compile(store, "multi");
	wasm_valtype_t *ps[4] = {wasm_valtype_new_i32(), wasm_valtype_new_i64(),
	                         wasm_valtype_new_i64(),
	                         wasm_valtype_new_i32()};
	wasm_valtype_vec_t pv, rv;
	wasm_valtype_vec_new(&pv, 4, ps);
	wasm_valtype_vec_copy(&rv, &pv);
	wasm_functype_t *ft = wasm_functype_new(&pv, &rv);
	wasm_func_t *swap = wasm_func_new(store, ft, swap_typed_cb);
	wasm_extern_t *imports[] = {wasm_func_as_extern(swap)};
	wasm_instance_t *inst = instantiate(store, m, imports, 1);
	wasm_extern_vec_t ex;
	wasm_val_t argv[4] = {WASM_I32_VAL(1), WASM_I64_VAL(2), WASM_I64_VAL(3),
	                      WASM_I32_VAL(4)};
	wasm_val_t resv[4];
	wasm_val_vec_t args = WASM_ARRAY_VEC(argv), res = WASM_ARRAY_VEC(resv);

	wasm_instance_exports(inst, &ex);
	CHECK(wasm_func_call(export_func(&ex, 0), &args, &res) == NULL);
	CHECK(resv[0].kind == WASM_I32 && resv[0].of.i32 == 4);
	CHECK(resv[1].kind == WASM_I64 && resv[1].of.i64 == 3);
	CHECK(resv[2].kind == WASM_I64 && resv[2].of.i64 == 2);
	CHECK(resv[3].kind == WASM_I32 && resv[3].of.i32 == 1);
	wasm_extern_vec_delete(&ex);
	wasm_functype_delete(ft);
	printf("t_capi: multi (typed) ok\n");
}

/* ---- finalize
 * ------------------------------------------------------------------------ */

static int live;

static void fin(void *info)
{
	CHECK(info == (void *)&live);
	live--;
}

static void test_finalize(wasm_engine_t *engine)
{
	wasm_store_t *store = wasm_store_new(engine);
	wasm_module_t *m = compile(store, "memory");

	for (int i = 0; i < 100; i++) {
		wasm_instance_t *inst = instantiate(store, m, NULL, 0);
		wasm_instance_set_host_info_with_finalizer(inst, &live, fin);
		CHECK(wasm_instance_get_host_info(inst) == &live);
		wasm_instance_delete(inst);
		live++;
	}
	wasm_foreign_t *f = wasm_foreign_new(store);
	wasm_foreign_set_host_info_with_finalizer(f, &live, fin);
	live++;
	wasm_foreign_delete(f);
	wasm_module_set_host_info_with_finalizer(m, &live, fin);
	live++;
	wasm_module_delete(m);
	/* A module shared beyond its store. */
	wasm_module_t *m2 = compile(store, "hello");
	wasm_shared_module_t *sh = wasm_module_share(m2);
	CHECK(live == 102);
	wasm_store_delete(store);
	CHECK(live == 0);
	wasm_store_t *s2 = wasm_store_new(engine);
	wasm_module_t *m3 = wasm_module_obtain(s2, sh);
	wasm_importtype_vec_t im;
	wasm_module_imports(m3, &im);
	CHECK(im.size == 1);
	wasm_importtype_vec_delete(&im);
	wasm_shared_module_delete(sh);
	wasm_store_delete(s2);
	printf("t_capi: finalize ok\n");
}

/* ---- hostref
 * ----------------------------------------------------------------------------
 */

static wasm_trap_t *id_cb(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
	wasm_val_copy(&results->data[0], &args->data[0]);
	return NULL;
}

static wasm_ref_t *call_ref(const wasm_func_t *f, int nargs, wasm_val_t a,
                            wasm_val_t b)
{
	wasm_val_t argv[2] = {a, b}, resv[1] = {WASM_INIT_VAL};
	wasm_val_vec_t args = {(size_t)nargs, argv}, res = WASM_ARRAY_VEC(resv);
	wasm_trap_t *trap = wasm_func_call(f, &args, &res);

	CHECK(trap == NULL);
	wasm_trap_delete(trap);
	return resv[0].of.ref;
}

static void test_hostref(wasm_store_t *store)
{
	wasm_module_t *m = compile(store, "hostref");
	wasm_functype_t *ft = wasm_functype_new_1_1(
	    wasm_valtype_new_externref(), wasm_valtype_new_externref());
	wasm_func_t *id = wasm_func_new(store, ft, id_cb);
	wasm_extern_t *imports[] = {wasm_func_as_extern(id)};
	wasm_instance_t *inst = instantiate(store, m, imports, 1);
	wasm_extern_vec_t ex;
	wasm_foreign_t *h1 = wasm_foreign_new(store);
	wasm_foreign_t *h2 = wasm_foreign_new(store);
	wasm_ref_t *r1 = wasm_foreign_as_ref(h1), *r2 = wasm_foreign_as_ref(h2);
	wasm_val_t v1 = WASM_REF_VAL(r1), v2 = WASM_REF_VAL(r2);
	wasm_val_t nul = WASM_REF_VAL(NULL), i0 = WASM_I32_VAL(0);
	wasm_val_t i1 = WASM_I32_VAL(1);

	wasm_ref_set_host_info(r1, (void *)1);
	wasm_ref_set_host_info(r2, (void *)2);
	CHECK(!wasm_ref_same(r1, r2));
	wasm_ref_t *c1 = wasm_ref_copy(r1);
	CHECK(wasm_ref_same(c1, r1) && wasm_ref_get_host_info(c1) == (void *)1);
	wasm_ref_delete(c1);
	CHECK(wasm_ref_as_foreign(r1) == h1 && wasm_ref_as_func(r1) == NULL);

	wasm_instance_exports(inst, &ex);
	wasm_global_t *g = wasm_extern_as_global(ex.data[0]);
	wasm_table_t *t = wasm_extern_as_table(ex.data[1]);
	const wasm_func_t *gset = export_func(&ex, 2);
	const wasm_func_t *gget = export_func(&ex, 3);
	const wasm_func_t *tset = export_func(&ex, 4);
	const wasm_func_t *tget = export_func(&ex, 5);
	const wasm_func_t *through = export_func(&ex, 6);

	CHECK(call_ref(gget, 0, nul, nul) == NULL);
	call_ref(gset, 1, v1, nul);
	CHECK(wasm_ref_same(call_ref(gget, 0, nul, nul), r1));
	wasm_val_t out;
	wasm_global_get(g, &out);
	CHECK(out.kind == WASM_EXTERNREF && wasm_ref_same(out.of.ref, r1));
	wasm_global_set(g, &v2);
	wasm_ref_t *back = call_ref(gget, 0, nul, nul);
	CHECK(wasm_ref_same(back, r2) &&
	      wasm_ref_get_host_info(back) == (void *)2);

	call_ref(tset, 2, i1, v1);
	CHECK(wasm_ref_same(wasm_table_get(t, 1), r1));
	CHECK(wasm_table_set(t, 0, r2));
	CHECK(wasm_ref_same(call_ref(tget, 1, i0, nul), r2));
	CHECK(call_ref(tget, 1, (wasm_val_t)WASM_I32_VAL(2), nul) == NULL);

	CHECK(call_ref(through, 1, nul, nul) == NULL);
	CHECK(wasm_ref_same(call_ref(through, 1, v1, nul), r1));
	/* A function as an externref keeps its identity. */
	wasm_val_t vf = WASM_REF_VAL(wasm_func_as_ref(id));
	CHECK(wasm_func_same(wasm_ref_as_func(call_ref(through, 1, vf, nul)),
	                     id));
	wasm_extern_vec_delete(&ex);
	wasm_functype_delete(ft);
	printf("t_capi: hostref ok\n");
}

/* ---- start
 * -----------------------------------------------------------------------------
 */

static void test_start(wasm_store_t *store)
{
	wasm_module_t *m = compile(store, "start");
	wasm_extern_vec_t none = WASM_EMPTY_VEC;
	wasm_trap_t *trap = NULL;
	wasm_message_t msg;

	CHECK(wasm_instance_new(store, m, &none, &trap) == NULL);
	CHECK(trap != NULL);
	if (trap != NULL) {
		wasm_trap_message(trap, &msg);
		CHECK(strcmp(msg.data, "unreachable") == 0);
		wasm_name_delete(&msg);
		/* The start function (function 0) is the origin. */
		wasm_frame_t *origin = wasm_trap_origin(trap);
		CHECK(origin != NULL ? wasm_frame_func_index(origin) == 0
		                     : compiled);
		wasm_frame_delete(origin);
		wasm_trap_delete(trap);
	}
	/* A missing import is a link failure, reported as a trap too. */
	wasm_module_t *hm = compile(store, "hello");
	trap = NULL;
	CHECK(wasm_instance_new(store, hm, &none, &trap) == NULL);
	CHECK(trap != NULL);
	wasm_trap_delete(trap);
	/* An import of the wrong kind. */
	wasm_limits_t lim = {1, 1};
	wasm_memorytype_t *mt = wasm_memorytype_new(&lim);
	wasm_memory_t *mem = wasm_memory_new(store, mt);
	wasm_extern_t *bad[] = {wasm_memory_as_extern(mem)};
	wasm_extern_vec_t bv = WASM_ARRAY_VEC(bad);
	CHECK(wasm_instance_new(store, hm, &bv, NULL) == NULL);
	wasm_memorytype_delete(mt);
	printf("t_capi: start ok\n");
}

/* ---- exception tags (docs/embedding.md: not part of wasm.h's views) --- */

static wasm_trap_t *nothing_cb(const wasm_val_vec_t *args,
                               wasm_val_vec_t *results)
{
	(void)args;
	(void)results;
	return NULL;
}

static void test_tags(wasm_store_t *store)
{
	wasm_module_t *m = compile(store, "tags");
	wasm_exporttype_vec_t types;
	wasm_extern_vec_t ex;
	wasm_val_t r[1] = {WASM_INIT_VAL};
	wasm_val_vec_t none = WASM_EMPTY_VEC, results = WASM_ARRAY_VEC(r);
	wasm_trap_t *trap;
	wasm_message_t msg;

	/* The tags "e" and "e2" are left out; the functions keep their
	 * order, and both views agree index by index. */
	wasm_module_exports(m, &types);
	CHECK(types.size == 2);
	CHECK(types.size == 2 &&
	      name_is(wasm_exporttype_name(types.data[0]), "catch") &&
	      name_is(wasm_exporttype_name(types.data[1]), "throw"));
	wasm_exporttype_vec_delete(&types);
	wasm_instance_t *inst = instantiate(store, m, NULL, 0);
	wasm_instance_exports(inst, &ex);
	CHECK(ex.size == 2);
	/* Thrown and caught inside wasm: tags work there. */
	trap = wasm_func_call(export_func(&ex, 0), &none, &results);
	CHECK(trap == NULL && r[0].of.i32 == 42);
	wasm_trap_delete(trap);
	/* An exception that leaves wasm is a trap for the embedder. */
	trap = wasm_func_call(export_func(&ex, 1), &none, &results);
	CHECK(trap != NULL);
	if (trap != NULL) {
		wasm_trap_message(trap, &msg);
		CHECK(strcmp(msg.data, "uncaught exception") == 0);
		wasm_name_delete(&msg);
		wasm_trap_delete(trap);
	}
	wasm_extern_vec_delete(&ex);

	/* A tag import cannot be given: the import views leave it out and
	 * instantiation fails, saying so. */
	wasm_module_t *ti = compile(store, "tag_import");
	wasm_importtype_vec_t imps;
	wasm_module_imports(ti, &imps);
	CHECK(imps.size == 1);
	wasm_importtype_vec_delete(&imps);
	wasm_functype_t *ft = wasm_functype_new_0_0();
	wasm_func_t *f = wasm_func_new(store, ft, nothing_cb);
	wasm_functype_delete(ft);
	wasm_extern_t *imports[] = {wasm_func_as_extern(f)};
	wasm_extern_vec_t iv = WASM_ARRAY_VEC(imports);
	trap = NULL;
	CHECK(wasm_instance_new(store, ti, &iv, &trap) == NULL && trap != NULL);
	if (trap != NULL) {
		wasm_trap_message(trap, &msg);
		CHECK(strstr(msg.data, "host.e is a tag") != NULL);
		wasm_name_delete(&msg);
		wasm_trap_delete(trap);
	}
	printf("t_capi: tags ok\n");
}

/* ---- v128
 * ------------------------------------------------------------------------ */

static wasm_trap_t *echo_cb(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
	results->data[0] = args->data[0];
	return NULL;
}

/*
 * wasm.h has no v128 value: a v128 in a type shows as externref, a
 * v128 import cannot be satisfied (no host function has its type), a call
 * of a function with v128 in its type traps without running it (each
 * v128 is two slots; a wasm_val_t vector cannot hold one), and a v128
 * global reads as a null externref and ignores writes.
 */
static void test_v128(wasm_store_t *store)
{
	wasm_module_t *mi = compile(store, "v128_import");
	wasm_importtype_vec_t it;
	wasm_module_imports(mi, &it);
	CHECK(it.size == 1);
	const wasm_functype_t *ft =
	    wasm_externtype_as_functype_const(wasm_importtype_type(it.data[0]));
	CHECK(wasm_valtype_kind(wasm_functype_params(ft)->data[0]) ==
	      WASM_EXTERNREF);
	wasm_func_t *h = wasm_func_new(store, ft, echo_cb);
	wasm_extern_t *imports[] = {wasm_func_as_extern(h)};
	wasm_extern_vec_t iv = {1, imports};
	wasm_trap_t *trap = NULL;
	CHECK(wasm_instance_new(store, mi, &iv, &trap) == NULL);
	CHECK(trap != NULL);
	if (trap != NULL) {
		wasm_message_t msg;
		wasm_trap_message(trap, &msg);
		CHECK(strstr(msg.data, "incompatible import type") != NULL);
		wasm_name_delete(&msg);
		wasm_trap_delete(trap);
	}
	wasm_importtype_vec_delete(&it);

	wasm_module_t *m = compile(store, "v128");
	wasm_instance_t *inst = instantiate(store, m, NULL, 0);
	wasm_extern_vec_t ex;
	wasm_val_t argv[1] = {WASM_REF_VAL(NULL)};
	wasm_val_vec_t args = WASM_ARRAY_VEC(argv);
	wasm_instance_exports(inst, &ex);
	expect_trap(
	    export_func(&ex, 0), &args,
	    "v128 parameters and results are not supported by the C API", inst,
	    -1);
	wasm_global_t *g =
	    ex.size > 1 ? wasm_extern_as_global(ex.data[1]) : NULL;
	CHECK(g != NULL);
	if (g != NULL) {
		wasm_val_t v = WASM_I32_VAL(5);
		wasm_global_get(g, &v);
		CHECK(v.kind == WASM_EXTERNREF && v.of.ref == NULL);
		wasm_global_set(g, &v);
		wasm_global_get(g, &v);
		CHECK(v.kind == WASM_EXTERNREF && v.of.ref == NULL);
	}
	wasm_extern_vec_delete(&ex);
	printf("t_capi: v128 ok\n");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: t_capi DIR\n");
		return 2;
	}
	dir = argv[1];
	compiled = getenv("WASMIX_AOT") != NULL &&
	           strcmp(getenv("WASMIX_AOT"), "1") == 0;
	wasm_engine_t *engine = wasm_engine_new();
	wasm_store_t *store = wasm_store_new(engine);

	test_hello(store);
	test_callback(engine);
	test_global(store);
	test_memory(store);
	test_table(store);
	test_trap(store);
	test_reflect(store);
	test_multi(store);
	test_multi_ok(store);
	test_finalize(engine);
	test_hostref(store);
	test_start(store);
	test_tags(store);
	test_v128(store);
	wasm_store_delete(store);
	wasm_engine_delete(engine);
	if (failures != 0) {
		fprintf(stderr, "t_capi: %d checks failed\n", failures);
		return 1;
	}
	printf("t_capi: all passed\n");
	return 0;
}
