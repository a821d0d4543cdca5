/* dy_ctxend: a context whose entrypoint returns: the main context's
 * switch traps (as Wasmer does). */
#include "dy.h"

DY_WASIX(context_create) int dy_ctx_create(unsigned long long *id,
                                           void (*entry)(void));
DY_WASIX(context_switch) int dy_ctx_switch(unsigned long long id);

static void quits(void)
{
	dy_puts("in the context");
}

void _start(void)
{
	unsigned long long a = 0;

	CHECK(dy_ctx_create(&a, quits) == 0);
	dy_ctx_switch(a);
	dy_puts("not reached");
	dy_exit(0);
}
