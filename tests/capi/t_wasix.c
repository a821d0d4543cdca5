/*
 * t_wasix.c: an embedder of wasm.h + wasmix.h that instantiates a WASIX
 * module (tests/capi/wasix_cmd.wat, built into argv[1]) with
 * wasmix_wasi_instance_new, in its own process. Checks that the
 * "wasix_32v1" imports are served (socket pair, pipe, epoll, proc_id),
 * that sock_open follows the config's network policy (denied by
 * default, allowed with wasmix_config_set_net), that the calls that
 * would act on this process (fork, exec, spawn, raise, signal) answer
 * ENOSYS and thread spawns fail too (WASIX's ENOSYS, wasi-threads'
 * negative result), and that this process kept its pid, has
 * no child and survived a guest SIGTERM to "pid 1". A second module
 * (wasix_envmem.wat) imports its memory, shared, as wasix-libc's
 * programs do: the bridge serves it. A third (wasix64_cmd.wat) is a
 * memory64 module of "wasix_64v1": served and refused the same way.
 * Usage: t_wasix DIR. Exits 1 if a check fails.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wasm.h"
#include "wasmix.h"

/* WASI errno values the guest reports. */
enum { E_OK = 0, E_ACCES = 2, E_NOSYS = 52 };

static int failures;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "t_wasix: %s:%d: check failed: %s\n",  \
			        __FILE__, __LINE__, #cond);                    \
			failures++;                                            \
		}                                                              \
	} while (0)

/* Reads file 'path' into 'bytes'; 0 or -1. */
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

/* Calls export 'name' () -> i32 of 'inst'; -1 on a trap or no export. */
static int call_i32(wasm_instance_t *inst, wasm_module_t *module,
                    const char *name)
{
	wasm_exporttype_vec_t types;
	wasm_extern_vec_t exports;
	int result = -1;

	wasm_module_exports(module, &types);
	wasm_instance_exports(inst, &exports);
	for (size_t i = 0; i < types.size && i < exports.size; i++) {
		const wasm_name_t *n = wasm_exporttype_name(types.data[i]);
		wasm_func_t *f = wasm_extern_as_func(exports.data[i]);
		if (f == NULL || n->size != strlen(name) ||
		    memcmp(n->data, name, n->size) != 0)
			continue;
		wasm_val_t out[1] = {WASM_INIT_VAL};
		wasm_val_vec_t args = WASM_EMPTY_VEC;
		wasm_val_vec_t results = WASM_ARRAY_VEC(out);
		wasm_trap_t *trap = wasm_func_call(f, &args, &results);
		if (trap == NULL)
			result = out[0].of.i32;
		wasm_trap_delete(trap);
	}
	wasm_extern_vec_delete(&exports);
	wasm_exporttype_vec_delete(&types);
	return result;
}

int main(int argc, char **argv)
{
	char path[4096];
	wasm_byte_vec_t bytes;
	wasm_trap_t *trap = NULL;
	wasm_instance_t *deny = NULL, *net = NULL;
	const uint8_t *data = NULL;
	size_t len = 0;
	pid_t pid = getpid();
	int code = -1;

	if (argc != 2)
		return 2;
	snprintf(path, sizeof path, "%s/wasix_cmd.wasm", argv[1]);
	if (read_file(path, &bytes) != 0) {
		fprintf(stderr, "t_wasix: cannot read %s\n", path);
		return 1;
	}
	wasm_engine_t *engine = wasm_engine_new();
	wasm_store_t *store = wasm_store_new(engine);
	wasm_module_t *module = wasm_module_new(store, &bytes);
	wasm_byte_vec_delete(&bytes);
	CHECK(module != NULL);
	if (module == NULL)
		return 1;

	/* The default policy (deny), stdout in memory. */
	wasmix_config *c = wasmix_config_new();
	CHECK(wasmix_config_capture_output(c, 1, 64) == WASMIX_OK);
	CHECK(wasmix_wasi_instance_new(store, module, c, NULL, &deny, &trap) ==
	      WASMIX_OK);
	CHECK(deny != NULL && trap == NULL);
	wasm_trap_delete(trap);
	/* The host network. */
	wasmix_config_set_net(c, 1);
	CHECK(wasmix_wasi_instance_new(store, module, c, NULL, &net, NULL) ==
	      WASMIX_OK);
	wasmix_config_free(c);
	if (deny == NULL || net == NULL)
		return 1;

	CHECK(call_i32(deny, module, "pair") == 4);
	CHECK(call_i32(deny, module, "pipe") == E_OK);
	CHECK(call_i32(deny, module, "epoll") == E_OK);
	CHECK(call_i32(deny, module, "pid") == 1);
	CHECK(call_i32(deny, module, "sock_open") == E_ACCES);
	CHECK(call_i32(net, module, "sock_open") == E_OK);
	/* Calls that would act on this process. */
	CHECK(call_i32(deny, module, "fork") == E_NOSYS);
	CHECK(call_i32(deny, module, "exec") == 1);
	CHECK(call_i32(deny, module, "spawn") == E_NOSYS);
	CHECK(call_i32(deny, module, "raise") == E_NOSYS);
	CHECK(call_i32(deny, module, "signal") == E_NOSYS);
	CHECK(call_i32(deny, module, "thread") == E_NOSYS);
	CHECK(call_i32(deny, module, "wspawn") == -E_NOSYS);
	/* _start: output and proc_exit(5); the instance stays usable. */
	CHECK(wasmix_wasi_run_start(deny, &code, NULL) == WASMIX_OK &&
	      code == 5);
	CHECK(wasmix_wasi_output(deny, 1, &data, &len, NULL) == WASMIX_OK &&
	      len == 6 && memcmp(data, "wasix\n", 6) == 0);
	CHECK(call_i32(deny, module, "pair") == 4);

	/* "env" "memory" served for a WASIX module. */
	snprintf(path, sizeof path, "%s/wasix_envmem.wasm", argv[1]);
	CHECK(read_file(path, &bytes) == 0);
	wasm_module_t *envmem = wasm_module_new(store, &bytes);
	wasm_byte_vec_delete(&bytes);
	wasm_instance_t *em = NULL;
	CHECK(envmem != NULL &&
	      wasmix_wasi_instance_new(store, envmem, NULL, NULL, &em, NULL) ==
	          WASMIX_OK);
	CHECK(em != NULL && call_i32(em, envmem, "pages") == 1);
	wasm_module_delete(envmem);

	/* wasix_64v1. */
	snprintf(path, sizeof path, "%s/wasix64_cmd.wasm", argv[1]);
	CHECK(read_file(path, &bytes) == 0);
	wasm_module_t *m64 = wasm_module_new(store, &bytes);
	wasm_byte_vec_delete(&bytes);
	wasm_instance_t *i64 = NULL;
	CHECK(m64 != NULL && wasmix_wasi_instance_new(store, m64, NULL, NULL,
	                                              &i64, NULL) == WASMIX_OK);
	CHECK(i64 != NULL && call_i32(i64, m64, "pair") == E_OK);
	CHECK(i64 != NULL && call_i32(i64, m64, "fork") == E_NOSYS);
	wasm_module_delete(m64);

	CHECK(getpid() == pid);
	errno = 0;
	CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);
	wasm_module_delete(module);
	wasm_store_delete(store);
	wasm_engine_delete(engine);
	if (failures == 0)
		printf("t_wasix: all checks passed\n");
	return failures != 0;
}
