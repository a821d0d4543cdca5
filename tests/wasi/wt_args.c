/*
 * wt_args.c: args_* and environ_* as the runner passes them:
 * wasmix run --env K1=v1 --env 'EMPTY=' --env 'SP=a b' wt_args.wasm
 *   one 'two words' '' 'ü'
 * Checks the sizes functions against the strings and the raw pointer
 * layout (each pointer inside the buffer, NUL-terminated), then EFAULT.
 */
#include "wt_check.h"

#include <stdint.h>
#include <stdlib.h>

__attribute__((import_module("wasi_snapshot_preview1"),
               import_name("args_get"))) int32_t
raw_args_get(int32_t argv, int32_t buf);
__attribute__((import_module("wasi_snapshot_preview1"),
               import_name("environ_sizes_get"))) int32_t
raw_environ_sizes_get(int32_t n, int32_t size);

int main(int argc, char **argv)
{
	__wasi_size_t n, size;
	static char buf[4096];
	static char *vec[64];

	CHECK(argc == 5);
	if (argc == 5) {
		CHECK(strcmp(argv[1], "one") == 0);
		CHECK(strcmp(argv[2], "two words") == 0);
		CHECK(strcmp(argv[3], "") == 0);
		CHECK(strcmp(argv[4], "\xc3\xbc") == 0);
	}
	CHECK(getenv("K1") && strcmp(getenv("K1"), "v1") == 0);
	CHECK(getenv("EMPTY") && strcmp(getenv("EMPTY"), "") == 0);
	CHECK(getenv("SP") && strcmp(getenv("SP"), "a b") == 0);
	CHECK(getenv("HOME") == NULL); /* nothing inherited */

	CHECK_OK(__wasi_args_sizes_get(&n, &size));
	CHECK(n == 5 && size < sizeof buf);
	CHECK_OK(__wasi_args_get((uint8_t **)vec, (uint8_t *)buf));
	for (__wasi_size_t i = 0; i < n && i < 64; i++) {
		CHECK(vec[i] >= buf && vec[i] < buf + size);
		CHECK(strcmp(vec[i], argv[i]) == 0);
	}
	CHECK_OK(__wasi_environ_sizes_get(&n, &size));
	CHECK(n == 3 &&
	      size == sizeof "K1=v1" + sizeof "EMPTY=" + sizeof "SP=a b");
	CHECK_OK(__wasi_environ_get((uint8_t **)vec, (uint8_t *)buf));
	CHECK(strcmp(vec[0], "K1=v1") == 0 && strcmp(vec[2], "SP=a b") == 0);
	CHECK_ERR(raw_args_get(-8, (int32_t)(uintptr_t)buf),
	          __WASI_ERRNO_FAULT);
	CHECK_ERR(raw_args_get((int32_t)(uintptr_t)vec, -2),
	          __WASI_ERRNO_FAULT);
	CHECK_ERR(raw_environ_sizes_get(-1, (int32_t)(uintptr_t)&size),
	          __WASI_ERRNO_FAULT);
	return wt_done("wt_args");
}
