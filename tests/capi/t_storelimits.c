/*
 * t_storelimits.c: the limits of whole runs on the wasm.h path
 * (wasmix_store_new): each one takes effect in a store made with it and
 * not in a default store. Memory pages (instantiation fails with
 * WASMIX_LIMIT, memory.grow returns -1, wasm_memory_grow false), call
 * depth (trap "call stack exhausted"), fuel (trap "fuel exhausted", for
 * later calls too: the budget is the store's), timeout (trap "timeout",
 * from wasm_func_call and wasmix_wasi_run_start; the next call gets its
 * own deadline). Modules are inline text (wasmix_wat2wasm).
 * Usage: t_storelimits. Exits 1 if a check fails.
 */
#define _POSIX_C_SOURCE 200809L

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
			        "t_storelimits: %s:%d: check failed: %s\n",    \
			        __FILE__, __LINE__, #cond);                    \
			failures++;                                            \
		}                                                              \
	} while (0)

/* A command module: 'grow', 'down' (recursion n deep), 'count' (a loop
 * of n iterations), 'spin' (forever) and a '_start' that spins. */
static const char prog[] =
    "(module\n"
    "  (memory (export \"memory\") 1)\n"
    "  (func (export \"grow\") (param i32) (result i32)\n"
    "    (memory.grow (local.get 0)))\n"
    "  (func $down (export \"down\") (param i32) (result i32)\n"
    "    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))\n"
    "      (else (i32.add (i32.const 1)\n"
    "        (call $down (i32.sub (local.get 0) (i32.const 1)))))))\n"
    "  (func (export \"count\") (param i32) (result i32) (local i32)\n"
    "    (block (loop\n"
    "      (br_if 1 (i32.ge_u (local.get 1) (local.get 0)))\n"
    "      (local.set 1 (i32.add (local.get 1) (i32.const 1)))\n"
    "      (br 0)))\n"
    "    (local.get 1))\n"
    "  (func $spin (export \"spin\") (param i32) (result i32)\n"
    "    (loop (br 0)) (i32.const 0))\n"
    "  (func (export \"_start\") (loop (br 0))))\n";

/* A module whose memory needs 5 pages. */
static const char big[] = "(module (memory (export \"memory\") 5))";

static wasm_module_t *compile(wasm_store_t *store, const char *text)
{
	uint8_t *bin = NULL;
	size_t len = 0;
	char err[256];
	wasm_byte_vec_t bytes;
	wasm_module_t *m;

	if (wasmix_wat2wasm("t_storelimits", text, strlen(text), &bin, &len,
	                    err, sizeof err) != WASMIX_OK) {
		fprintf(stderr, "t_storelimits: %s\n", err);
		return NULL;
	}
	wasm_byte_vec_new(&bytes, len, (const wasm_byte_t *)bin);
	wasmix_free(bin);
	m = wasm_module_new(store, &bytes);
	wasm_byte_vec_delete(&bytes);
	return m;
}

/* Export 'i' of 'inst' (the order of 'prog'). */
enum { X_MEMORY, X_GROW, X_DOWN, X_COUNT, X_SPIN, X_START };

/*
 * Calls export 'which' (i32) -> i32 of 'inst' with 'arg'. Returns 0 and
 * '*out', or 1 with the trap's message in 'msg'.
 */
static int call(wasm_instance_t *inst, int which, int arg, int *out, char *msg,
                size_t msglen)
{
	wasm_extern_vec_t ex;
	wasm_val_t a[1] = {WASM_I32_VAL(arg)}, r[1] = {WASM_INIT_VAL};
	wasm_val_vec_t args = WASM_ARRAY_VEC(a), results = WASM_ARRAY_VEC(r);
	wasm_trap_t *trap;

	wasm_instance_exports(inst, &ex);
	trap = wasm_func_call(wasm_extern_as_func(ex.data[which]), &args,
	                      &results);
	wasm_extern_vec_delete(&ex);
	msg[0] = 0;
	if (trap == NULL) {
		*out = r[0].of.i32;
		return 0;
	}
	wasm_message_t m;
	wasm_trap_message(trap, &m);
	snprintf(msg, msglen, "%.*s", (int)m.size, m.data);
	wasm_byte_vec_delete(&m);
	wasm_trap_delete(trap);
	return 1;
}

/* A store with config 'c', and an instance of 'prog' in it. */
static wasm_store_t *setup(wasm_engine_t *engine, const wasmix_config *c,
                           wasm_instance_t **inst)
{
	wasm_store_t *store = wasmix_store_new(engine, c);
	wasm_module_t *m = store ? compile(store, prog) : NULL;

	*inst = NULL;
	if (m != NULL)
		CHECK(wasmix_wasi_instance_new(store, m, NULL, NULL, inst,
		                               NULL) == WASMIX_OK);
	wasm_module_delete(m);
	return store;
}

static void test_pages(wasm_engine_t *engine)
{
	wasmix_config *c = wasmix_config_new();
	wasm_instance_t *inst, *binst = NULL;
	wasm_trap_t *trap = NULL;
	char msg[256];
	int v = 0;

	wasmix_config_set_max_memory_pages(c, 4);
	wasm_store_t *s = setup(engine, c, &inst);
	CHECK(inst != NULL);
	if (inst != NULL) {
		CHECK(call(inst, X_GROW, 3, &v, msg, sizeof msg) == 0 &&
		      v == 1);
		CHECK(call(inst, X_GROW, 1, &v, msg, sizeof msg) == 0 &&
		      v == -1);
		wasm_extern_vec_t ex;
		wasm_instance_exports(inst, &ex);
		wasm_memory_t *mem = wasm_extern_as_memory(ex.data[X_MEMORY]);
		CHECK(wasm_memory_size(mem) == 4 && !wasm_memory_grow(mem, 1));
		wasm_extern_vec_delete(&ex);
	}
	wasm_module_t *bm = compile(s, big);
	CHECK(bm != NULL);
	CHECK(wasmix_wasi_instance_new(s, bm, NULL, NULL, &binst, &trap) ==
	          WASMIX_LIMIT &&
	      binst == NULL && trap != NULL);
	wasm_trap_delete(trap);
	CHECK(wasm_instance_new(s, bm, NULL, NULL) == NULL);
	wasm_module_delete(bm);
	wasm_store_delete(s);

	/* The same in a default store. */
	s = setup(engine, NULL, &inst);
	CHECK(inst != NULL && call(inst, X_GROW, 4, &v, msg, sizeof msg) == 0 &&
	      v == 1);
	bm = compile(s, big);
	CHECK(bm != NULL && wasmix_wasi_instance_new(s, bm, NULL, NULL, &binst,
	                                             NULL) == WASMIX_OK);
	wasm_module_delete(bm);
	wasm_store_delete(s);
	wasmix_config_free(c);
	printf("t_storelimits: memory pages ok\n");
}

static void test_depth(wasm_engine_t *engine)
{
	wasmix_config *c = wasmix_config_new();
	wasm_instance_t *inst;
	char msg[256];
	int v = 0;

	wasmix_config_set_max_call_depth(c, 100);
	wasm_store_t *s = setup(engine, c, &inst);
	CHECK(inst != NULL);
	if (inst != NULL) {
		CHECK(call(inst, X_DOWN, 50, &v, msg, sizeof msg) == 0 &&
		      v == 50);
		CHECK(call(inst, X_DOWN, 200, &v, msg, sizeof msg) == 1 &&
		      strstr(msg, "call stack exhausted") != NULL);
	}
	wasm_store_delete(s);
	s = setup(engine, NULL, &inst);
	CHECK(inst != NULL &&
	      call(inst, X_DOWN, 200, &v, msg, sizeof msg) == 0 && v == 200);
	wasm_store_delete(s);
	wasmix_config_free(c);
	printf("t_storelimits: call depth ok\n");
}

static void test_fuel(wasm_engine_t *engine)
{
	wasmix_config *c = wasmix_config_new();
	wasm_instance_t *inst;
	char msg[256];
	int v = 0;

	wasmix_config_set_fuel(c, 100000);
	wasm_store_t *s = setup(engine, c, &inst);
	CHECK(inst != NULL);
	if (inst != NULL) {
		CHECK(call(inst, X_COUNT, 100, &v, msg, sizeof msg) == 0 &&
		      v == 100);
		CHECK(call(inst, X_COUNT, 10000000, &v, msg, sizeof msg) == 1 &&
		      strstr(msg, "fuel exhausted") != NULL);
		/* The store's budget is spent. */
		CHECK(call(inst, X_COUNT, 100000, &v, msg, sizeof msg) == 1 &&
		      strstr(msg, "fuel exhausted") != NULL);
	}
	wasm_store_delete(s);
	s = setup(engine, NULL, &inst);
	CHECK(inst != NULL &&
	      call(inst, X_COUNT, 10000000, &v, msg, sizeof msg) == 0 &&
	      v == 10000000);
	wasm_store_delete(s);
	wasmix_config_free(c);
	printf("t_storelimits: fuel ok\n");
}

static void test_timeout(wasm_engine_t *engine)
{
	wasmix_config *c = wasmix_config_new();
	wasm_instance_t *inst;
	wasm_trap_t *trap = NULL;
	char msg[256];
	int v = 0, code = -1;

	wasmix_config_set_timeout_ms(c, 100);
	wasm_store_t *s = setup(engine, c, &inst);
	CHECK(inst != NULL);
	if (inst != NULL) {
		CHECK(call(inst, X_SPIN, 0, &v, msg, sizeof msg) == 1 &&
		      strstr(msg, "timeout") != NULL);
		/* A new call, a new deadline. */
		CHECK(call(inst, X_COUNT, 1000, &v, msg, sizeof msg) == 0 &&
		      v == 1000);
		CHECK(wasmix_wasi_run_start(inst, &code, &trap) ==
		          WASMIX_TRAP &&
		      trap != NULL);
		if (trap != NULL) {
			wasm_message_t m;
			wasm_trap_message(trap, &m);
			CHECK(m.size > 7 && memcmp(m.data, "timeout", 7) == 0);
			wasm_byte_vec_delete(&m);
			wasm_trap_delete(trap);
		}
		CHECK(call(inst, X_COUNT, 1000, &v, msg, sizeof msg) == 0 &&
		      v == 1000);
	}
	wasm_store_delete(s);
	wasmix_config_free(c);
	printf("t_storelimits: timeout ok\n");
}

int main(void)
{
	wasm_engine_t *engine = wasm_engine_new();

	test_pages(engine);
	test_depth(engine);
	test_fuel(engine);
	test_timeout(engine);
	wasm_engine_delete(engine);
	if (failures == 0)
		printf("t_storelimits: all checks passed\n");
	return failures != 0;
}
