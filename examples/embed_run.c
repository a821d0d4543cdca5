/*
 * embed_run.c: running a whole WASI program from C with wasmix.h: a
 * config with arguments and an environment variable, then
 * wasmix_run_file. Built from an installed wasmix with only
 *
 *     cc embed_run.c $(pkg-config --cflags --libs wasmix)
 *
 * Usage: embed_run PROG.wasm [ARGS...]. Exits with the guest's status, or
 * 2 with one line on stderr if the program could not run to its end.
 */
#include <stdio.h>

#include <wasmix.h>

int main(int argc, char **argv)
{
	char err[512];
	int code = 0, rc;

	if (argc < 2) {
		fprintf(stderr, "usage: embed_run PROG.wasm [ARGS...]\n");
		return 2;
	}
	wasmix_config *cfg = wasmix_config_new();
	if (cfg == NULL ||
	    wasmix_config_set_args(
	        cfg, argc - 1, (const char *const *)argv + 1) != WASMIX_OK ||
	    wasmix_config_add_env(cfg, "EMBEDDED_BY=embed_run") != WASMIX_OK) {
		fprintf(stderr, "embed_run: out of memory\n");
		wasmix_config_free(cfg);
		return 2;
	}
	rc = wasmix_run_file(cfg, argv[1], &code, err, sizeof err);
	wasmix_config_free(cfg);
	if (rc != WASMIX_OK) {
		fprintf(stderr, "embed_run: %s (%s)\n", err,
		        wasmix_status_string(rc));
		return 2;
	}
	return code;
}
