/*
 * exitcode.c: 'exitcode exit N' ends through exit(N) (proc_exit);
 * 'exitcode return N' returns N from main (wasi-libc's _start then calls
 * proc_exit only if N is not 0).
 */
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 0;

	if (argc > 1 && strcmp(argv[1], "exit") == 0)
		exit(n);
	return n;
}
