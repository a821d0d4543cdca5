/*
 * fib.c: naive recursive Fibonacci, fib(41) (plus one more level per
 * scale step above 1). Exercises calls and returns: about 540 million
 * of them. Prints the result.
 */
#include <stdio.h>
#include <stdlib.h>

static unsigned fib(unsigned n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int main(int argc, char **argv)
{
	int scale = argc > 1 ? atoi(argv[1]) : 1;
	unsigned n = 41 + (unsigned)(scale > 1 ? scale - 1 : 0);

	printf("fib(%u) = %u\n", n, fib(n));
	return 0;
}
