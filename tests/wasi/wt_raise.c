/*
 * wt_raise.c: proc_raise(argv[1]) then prints "survived" and exits 0.
 * The runner checks that a terminating signal ends wasmix the way it
 * would end a native program (killed by that host signal, status
 * 128 + N in the shell) and that an ignored one returns.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((import_module("wasi_snapshot_preview1"),
               import_name("proc_raise"))) int32_t
raw_proc_raise(int32_t sig);

int main(int argc, char **argv)
{
	int e;

	if (argc < 2)
		return 2;
	fflush(stdout);
	e = raw_proc_raise(atoi(argv[1]));
	printf("survived %d\n", e);
	return 0;
}
