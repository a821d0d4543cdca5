/*
 * t_capiwasi.c: an embedder of wasm.h + wasmix.h's WASI bridge
 * (wasmix_wasi_instance_new, wasmix_wasi_run_start; src/wasmix_wasi.c).
 * Instantiates tests/capi/wasi_cmd.wat (built into argv[1]) with args, an
 * environment, stdout on a temporary file, a preopened temporary
 * directory holding hello.txt and one host import; runs _start and
 * checks the exit code 3 of proc_exit, the output, that this process
 * survived, and that exports and memory still work afterwards. Then the
 * same with stdout in memory (wasmix_config_capture_output), with room
 * for all of it and with a cap of 16 bytes.
 * Usage: t_capiwasi DIR. Exits 1 if a check fails.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasm.h"
#include "wasmix.h"

static int failures;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "t_capiwasi: %s:%d: check failed: %s\n",   \
			        __FILE__, __LINE__, #cond);                    \
			failures++;                                            \
		}                                                              \
	} while (0)

static wasm_trap_t *inc(const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
	results->data[0].kind = WASM_I32;
	results->data[0].of.i32 = args->data[0].of.i32 + 1;
	return NULL;
}

/* Reads file 'path' into 'bytes' (malloc'd); 0 or -1. */
static int read_file(const char *path, wasm_byte_vec_t *bytes)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (f == NULL)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	wasm_byte_vec_new_uninitialized(bytes, (size_t)n);
	if (fread(bytes->data, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const args[] = {"prog", "hello"};
	static const char expect[] = "prog\0hello\0GREETING=hi\0file text\n2";
	char path[4096], dir[] = "/tmp/t_capiwasi.XXXXXX", out[256];
	wasm_byte_vec_t bytes;
	wasm_trap_t *trap = NULL;
	wasm_instance_t *inst = NULL;
	pid_t pid = getpid();
	wasm_instance_t *full = NULL, *capped = NULL;
	const uint8_t *data = NULL;
	size_t len = 0;
	uint64_t dropped = 0;
	int code = -1;

	if (argc != 2)
		return 2;
	snprintf(path, sizeof path, "%s/wasi_cmd.wasm", argv[1]);
	if (read_file(path, &bytes) != 0 || mkdtemp(dir) == NULL) {
		fprintf(stderr, "t_capiwasi: cannot read %s or make %s\n", path,
		        dir);
		return 1;
	}
	snprintf(path, sizeof path, "%s/hello.txt", dir);
	FILE *hf = fopen(path, "w");
	CHECK(hf != NULL && fputs("file text\n", hf) >= 0 && fclose(hf) == 0);
	FILE *cap = tmpfile();
	CHECK(cap != NULL);

	wasm_engine_t *engine = wasm_engine_new();
	wasm_store_t *store = wasm_store_new(engine);
	wasm_module_t *module = wasm_module_new(store, &bytes);
	wasm_byte_vec_delete(&bytes);
	CHECK(module != NULL);

	wasmix_config *c = wasmix_config_new();
	CHECK(wasmix_config_set_args(c, 2, args) == WASMIX_OK);
	CHECK(wasmix_config_add_env(c, "GREETING=hi") == WASMIX_OK);
	CHECK(wasmix_config_add_dir(c, dir, ".") == WASMIX_OK);
	wasmix_config_set_stdio(c, -1, fileno(cap), 2);

	/* Without the host import: a link error, as a trap. */
	CHECK(wasmix_wasi_instance_new(store, module, c, NULL, &inst, &trap) ==
	      WASMIX_LINK);
	CHECK(inst == NULL && trap != NULL);
	wasm_trap_delete(trap);
	trap = NULL;

	wasm_functype_t *ft = wasm_functype_new_1_1(wasm_valtype_new_i32(),
	                                            wasm_valtype_new_i32());
	wasm_func_t *f = wasm_func_new(store, ft, inc);
	wasm_functype_delete(ft);
	wasm_extern_t *ext[1] = {wasm_func_as_extern(f)};
	wasm_extern_vec_t imports = WASM_ARRAY_VEC(ext);
	CHECK(wasmix_wasi_instance_new(store, module, c, &imports, &inst,
	                               &trap) == WASMIX_OK);
	CHECK(inst != NULL && trap == NULL);
	if (inst == NULL)
		return 1;
	CHECK(wasmix_wasi_output(inst, 1, &data, &len, NULL) == WASMIX_ERROR);
	/* Two more instances with stdout in memory: room for all of it, and
	 * a cap of 16 bytes (the rest dropped and counted). */
	CHECK(wasmix_config_capture_output(c, 3, 16) == WASMIX_ERROR);
	CHECK(wasmix_config_capture_output(c, 1, 4096) == WASMIX_OK);
	CHECK(wasmix_wasi_instance_new(store, module, c, &imports, &full,
	                               NULL) == WASMIX_OK);
	CHECK(wasmix_config_capture_output(c, 1, 16) == WASMIX_OK);
	CHECK(wasmix_wasi_instance_new(store, module, c, &imports, &capped,
	                               NULL) == WASMIX_OK);
	wasmix_config_free(c); /* the instances keep copies */
	CHECK(full != NULL && capped != NULL);
	if (full == NULL || capped == NULL)
		return 1;
	CHECK(wasmix_wasi_output(full, 2, &data, &len, NULL) == WASMIX_ERROR);
	CHECK(wasmix_wasi_output(full, 1, &data, &len, &dropped) == WASMIX_OK &&
	      len == 0 && dropped == 0);
	code = -1;
	CHECK(wasmix_wasi_run_start(full, &code, NULL) == WASMIX_OK &&
	      code == 3);
	CHECK(wasmix_wasi_output(full, 1, &data, &len, &dropped) == WASMIX_OK);
	CHECK(len == sizeof expect - 1 && memcmp(data, expect, len) == 0 &&
	      dropped == 0);
	code = -1;
	CHECK(wasmix_wasi_run_start(capped, &code, NULL) == WASMIX_OK &&
	      code == 3);
	CHECK(wasmix_wasi_output(capped, 1, &data, &len, &dropped) ==
	      WASMIX_OK);
	CHECK(len == 16 && memcmp(data, expect, 16) == 0 &&
	      dropped == sizeof expect - 1 - 16);
	code = -1;

	CHECK(wasmix_wasi_run_start(inst, &code, &trap) == WASMIX_OK);
	CHECK(trap == NULL);
	CHECK(code == 3);
	CHECK(getpid() == pid);

	/* What the guest wrote to its stdout. */
	size_t n = (size_t)pread(fileno(cap), out, sizeof out, 0);
	CHECK(n == sizeof expect - 1 && memcmp(out, expect, n) == 0);

	/* The instance stays usable: exports and memory. */
	wasm_extern_vec_t exports;
	wasm_instance_exports(inst, &exports);
	CHECK(exports.size == 4);
	/* In the module's order: memory, _start, add, last. */
	wasm_memory_t *mem = wasm_extern_as_memory(exports.data[0]);
	wasm_func_t *start = wasm_extern_as_func(exports.data[1]);
	wasm_func_t *add = wasm_extern_as_func(exports.data[2]);
	wasm_func_t *last = wasm_extern_as_func(exports.data[3]);
	CHECK(mem != NULL && start != NULL && add != NULL && last != NULL);
	if (mem == NULL || start == NULL || add == NULL || last == NULL)
		return 1;
	wasm_val_t av[2] = {WASM_I32_VAL(40), WASM_I32_VAL(2)};
	wasm_val_t rv[1] = {WASM_INIT_VAL};
	wasm_val_vec_t a = WASM_ARRAY_VEC(av), r = WASM_ARRAY_VEC(rv);
	trap = wasm_func_call(add, &a, &r);
	CHECK(trap == NULL && rv[0].of.i32 == 42);
	wasm_val_vec_t none = WASM_EMPTY_VEC;
	trap = wasm_func_call(last, &none, &r);
	CHECK(trap == NULL && rv[0].of.i32 == 10);
	CHECK(memcmp(wasm_memory_data(mem) + 4096, "file text\n", 10) == 0);
	/* _start again: proc_exit again, the code comes back again. */
	code = -1;
	CHECK(wasmix_wasi_run_start(inst, &code, NULL) == WASMIX_OK &&
	      code == 3);
	/* A plain wasm.h call of _start: proc_exit becomes a trap. */
	trap = wasm_func_call(start, &none, &none);
	CHECK(trap != NULL);
	wasm_trap_delete(trap);
	wasm_extern_vec_delete(&exports);

	wasm_store_delete(store);
	wasm_engine_delete(engine);
	fclose(cap);
	unlink(path);
	rmdir(dir);
	if (failures == 0)
		printf("t_capiwasi: all checks passed\n");
	return failures != 0;
}
