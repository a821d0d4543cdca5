/*
 * t_runout.c: run output in caller buffers (wasmix_config_run_output)
 * for wasmix_run_file, an embedder of wasmix.h only. An isolated WASIX
 * run (tests/capi/runout.wat, built into argv[1]) whose forked child
 * and parent both write: stdout (100,013 bytes, more than a pipe holds)
 * kept whole in a large buffer, then cut at 10 bytes with the rest
 * counted as dropped, stderr cut at 3 bytes; then a run that is not
 * isolated (runout_plain.wat) with the same config, whose lengths start
 * again from zero. Also the setter's refusals.
 * Usage: t_runout DIR. Exits 1 if a check fails.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasmix.h"

static int failures;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "t_runout: %s:%d: check failed: %s\n", \
			        __FILE__, __LINE__, #cond);                    \
			failures++;                                            \
		}                                                              \
	} while (0)

#define NX 100000 /* the 'x' bytes runout.wat writes */

int main(int argc, char **argv)
{
	static char out[NX + 1024];
	char err[16], msg[256], path[4096];
	size_t out_len = 1, err_len = 1;
	uint64_t out_lost = 1, err_lost = 1;
	int code = -1;

	if (argc != 2)
		return 2;
	wasmix_config *c = wasmix_config_new();
	CHECK(wasmix_config_run_output(c, 3, out, 4, &out_len, NULL) ==
	      WASMIX_ERROR);
	CHECK(wasmix_config_run_output(c, 1, out, 0, &out_len, NULL) ==
	      WASMIX_ERROR);
	CHECK(wasmix_config_run_output(c, 1, out, 4, NULL, NULL) ==
	      WASMIX_ERROR);
	CHECK(wasmix_config_run_output(c, 1, out, sizeof out, &out_len,
	                               &out_lost) == WASMIX_OK);
	CHECK(wasmix_config_run_output(c, 2, err, 3, &err_len, &err_lost) ==
	      WASMIX_OK);

	/* Isolated (the default): the helper and its fork child write. */
	snprintf(path, sizeof path, "%s/runout.wasm", argv[1]);
	CHECK(wasmix_run_file(c, path, &code, msg, sizeof msg) == WASMIX_OK &&
	      code == 4);
	CHECK(out_len == 13 + NX && out_lost == 0);
	CHECK(memcmp(out, "child\nparent\n", 13) == 0);
	size_t nx = 0;
	for (size_t i = 13; i < out_len; i++)
		nx += out[i] == 'x';
	CHECK(nx == NX);
	CHECK(err_len == 3 && memcmp(err, "err", 3) == 0 && err_lost == 2);

	/* The same with stdout cut at 10 bytes. */
	memset(out, 0, sizeof out);
	CHECK(wasmix_config_run_output(c, 1, out, 10, &out_len, &out_lost) ==
	      WASMIX_OK);
	CHECK(wasmix_run_file(c, path, &code, msg, sizeof msg) == WASMIX_OK &&
	      code == 4);
	CHECK(out_len == 10 && memcmp(out, "child\npare", 10) == 0 &&
	      out[10] == 0 && out_lost == 3 + NX);

	/* In-process, with the lengths counted again from zero. */
	wasmix_config_set_isolate(c, 0);
	snprintf(path, sizeof path, "%s/runout_plain.wasm", argv[1]);
	pid_t self = getpid();
	CHECK(wasmix_run_file(c, path, &code, msg, sizeof msg) == WASMIX_OK &&
	      code == 0);
	CHECK(getpid() == self);
	CHECK(out_len == 6 && memcmp(out, "plain\n", 6) == 0 && out_lost == 0);
	CHECK(err_len == 2 && memcmp(err, "e\n", 2) == 0 && err_lost == 0);

	/* Off again: the run writes to the host fds. */
	CHECK(wasmix_config_run_output(c, 1, NULL, 0, NULL, NULL) == WASMIX_OK);
	CHECK(wasmix_config_run_output(c, 2, NULL, 0, NULL, NULL) == WASMIX_OK);
	wasmix_config_set_stdio(c, 0, -1, -1);
	out_len = 99;
	CHECK(wasmix_run_file(c, path, &code, msg, sizeof msg) == WASMIX_OK &&
	      code == 0 && out_len == 99);
	wasmix_config_free(c);
	if (failures == 0)
		printf("t_runout: all checks passed\n");
	return failures != 0;
}
