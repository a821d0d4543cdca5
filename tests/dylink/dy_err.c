/* dy_err: calls into libdye.so, which calls a function nobody defines. */
#include "dy.h"

void dye_call(void);

void _start(void)
{
	dy_puts("calling");
	dye_call();
	dy_exit(0);
}
