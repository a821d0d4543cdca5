/* libplugin.so: loaded by real_main with dlopen; uses libside's data. */
#include <setjmp.h>
#include <stdio.h>

extern int side_counter;
int plugin_data = 77;

int plugin_run(int x)
{
	printf("plugin_run(%d) side_counter=%d\n", x, side_counter);
	return x * 3;
}

void plugin_jump(jmp_buf *b, int v)
{
	longjmp(*b, v);
}
