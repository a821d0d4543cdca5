/* libside.so: linked at start with real_main; uses the main module's
 * libc (stdio, malloc) and has a constructor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int side_counter = 10;

const char *side_greeting(void)
{
	return "hello from side";
}

int side_add(int a, int b)
{
	side_counter++;
	return a + b;
}

char *side_dup(const char *s)
{
	char *p = malloc(strlen(s) + 3);

	if (p != NULL)
		sprintf(p, "[%s]", s);
	return p;
}

__attribute__((constructor)) static void side_init(void)
{
	printf("side ctor\n");
}
