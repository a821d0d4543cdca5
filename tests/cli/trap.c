/*
 * trap.c: traps in the way argv[1] names: div (integer divide by zero),
 * unreachable, oob (out of bounds memory access), stack (call stack
 * exhausted). Prints a line on stderr first, which must come out.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static volatile int zero;
static int (*volatile recurse_ptr)(int);

static int recurse(int n)
{
	return recurse_ptr(n + 1) + 1;
}

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "div";

	fprintf(stderr, "about to trap: %s\n", how);
	if (strcmp(how, "div") == 0)
		return 10 / zero;
	if (strcmp(how, "unreachable") == 0)
		__builtin_trap();
	if (strcmp(how, "oob") == 0)
		return *(volatile int *)(uintptr_t)0xfffffff0u;
	if (strcmp(how, "stack") == 0) {
		recurse_ptr = recurse;
		return recurse(0);
	}
	return 0;
}
