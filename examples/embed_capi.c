/*
 * embed_capi.c: embedding wasmix through the standard WebAssembly C API
 * (wasm.h): compile a module, give it a host function, call an export
 * with values, read its memory, and catch a trap as a value. Built from
 * an installed wasmix with only
 *
 *     cc embed_capi.c $(pkg-config --cflags --libs wasmix)
 *
 * (tests/run_install.sh does that). The module is written in the text
 * format and converted with wasmix_wat2wasm (wasmix.h); any .wasm bytes
 * would do. Prints what it checks; exits 1 if something is wrong.
 */
#include <stdio.h>
#include <string.h>

#include <wasm.h>
#include <wasmix.h>

static const char module_text[] =
    "(module\n"
    "  (import \"host\" \"square\" (func $square (param i32) (result i32)))\n"
    "  (memory (export \"mem\") 1)\n"
    "  (data (i32.const 16) \"wasm\")\n"
    "  (func (export \"sum_squares\") (param i32 i32) (result i32)\n"
    "    (i32.add (call $square (local.get 0)) (call $square (local.get 1))))\n"
    "  (func (export \"crash\") unreachable))\n";

static wasm_trap_t *square(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
	int32_t x = args->data[0].of.i32;

	results->data[0].kind = WASM_I32;
	results->data[0].of.i32 = x * x;
	return NULL;
}

int main(void)
{
	uint8_t *bin = NULL;
	size_t len = 0;
	char err[256];
	int status = 1;

	if (wasmix_wat2wasm("embedded", module_text, strlen(module_text), &bin,
	                    &len, err, sizeof err) != WASMIX_OK) {
		fprintf(stderr, "embed_capi: %s\n", err);
		return 1;
	}
	wasm_engine_t *engine = wasm_engine_new();
	wasm_store_t *store = wasm_store_new(engine);
	wasm_byte_vec_t bytes;
	wasm_byte_vec_new(&bytes, len, (const wasm_byte_t *)bin);
	wasmix_free(bin);
	wasm_module_t *module = wasm_module_new(store, &bytes);
	wasm_byte_vec_delete(&bytes);
	if (module == NULL) {
		fprintf(stderr, "embed_capi: the module does not compile\n");
		goto out;
	}

	wasm_functype_t *ft = wasm_functype_new_1_1(wasm_valtype_new_i32(),
	                                            wasm_valtype_new_i32());
	wasm_func_t *sq = wasm_func_new(store, ft, square);
	wasm_functype_delete(ft);
	wasm_extern_t *imports[] = {wasm_func_as_extern(sq)};
	wasm_extern_vec_t import_vec = WASM_ARRAY_VEC(imports);
	wasm_instance_t *inst =
	    wasm_instance_new(store, module, &import_vec, NULL);
	if (inst == NULL) {
		fprintf(stderr, "embed_capi: instantiation failed\n");
		goto out;
	}
	wasm_extern_vec_t exports;
	wasm_instance_exports(inst, &exports);
	wasm_memory_t *mem = wasm_extern_as_memory(exports.data[0]);
	const wasm_func_t *sum = wasm_extern_as_func(exports.data[1]);
	const wasm_func_t *crash = wasm_extern_as_func(exports.data[2]);

	wasm_val_t argv[2] = {WASM_I32_VAL(3), WASM_I32_VAL(4)};
	wasm_val_t resv[1] = {WASM_INIT_VAL};
	wasm_val_vec_t args = WASM_ARRAY_VEC(argv);
	wasm_val_vec_t results = WASM_ARRAY_VEC(resv);
	wasm_trap_t *trap = wasm_func_call(sum, &args, &results);
	printf("sum_squares(3, 4) = %d\n", (int)resv[0].of.i32);
	printf("memory at 16: %.4s\n", wasm_memory_data(mem) + 16);

	wasm_val_vec_t none = WASM_EMPTY_VEC;
	wasm_trap_t *crashed = wasm_func_call(crash, &none, &none);
	if (crashed != NULL) {
		wasm_message_t msg;
		wasm_trap_message(crashed, &msg);
		printf("crash trapped: %s\n", msg.data);
		wasm_name_delete(&msg);
		wasm_trap_delete(crashed);
	}
	if (trap == NULL && resv[0].of.i32 == 25 && crashed != NULL &&
	    memcmp(wasm_memory_data(mem) + 16, "wasm", 4) == 0)
		status = 0;
	wasm_extern_vec_delete(&exports);
	wasm_instance_delete(inst);
	wasm_func_delete(sq);
	wasm_module_delete(module);
out:
	wasm_store_delete(store);
	wasm_engine_delete(engine);
	return status;
}
