/*
 * grow.c: 'grow N' asks malloc for N MiB and prints "got N MiB" or
 * "malloc failed" (exit 1), to check --max-memory from the guest's side.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keeps the compiler from eliding the allocation. */
static char *volatile keep;

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? (size_t)atoi(argv[1]) : 1;
	char *p = malloc(mib << 20);

	if (p == NULL) {
		puts("malloc failed");
		return 1;
	}
	memset(p, 1, mib << 20);
	keep = p;
	printf("got %zu MiB (%d)\n", mib, keep[(mib << 20) - 1]);
	free(p);
	return 0;
}
