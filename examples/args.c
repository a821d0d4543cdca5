/*
 * args.c: prints what a WASI program receives from its runner: its
 * arguments and environment, one per line, then exits with the status
 * given by '--exit N' (0 by default), through exit() like any C program.
 *
 *   wasmix run --env GREETING=hi build/examples/args.wasm a b --exit 3
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int main(int argc, char **argv)
{
	int i, status = 0;

	printf("argc=%d\n", argc);
	for (i = 0; i < argc; i++) {
		printf("argv[%d]=%s\n", i, argv[i]);
		if (strcmp(argv[i], "--exit") == 0 && i + 1 < argc)
			status = atoi(argv[i + 1]);
	}
	for (i = 0; environ != NULL && environ[i] != NULL; i++)
		printf("env: %s\n", environ[i]);
	fflush(stdout);
	exit(status);
}
