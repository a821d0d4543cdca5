/*
 * dy_ctx: WASIX contexts (green threads): a context ping-ponged with the
 * main context many times, a thousand contexts each run once and
 * destroyed, and the errors. Entrypoints keep their state in globals
 * (they share the main context's shadow stack), except one that checks
 * that a context's shadow stack starts below the switching frame (the
 * stack pointer is a thread-local global of the dynamic program: a new
 * context takes the switching one's, not the stack's top).
 */
#include "dy.h"

DY_WASIX(context_create) int dy_ctx_create(unsigned long long *id,
                                           void (*entry)(void));
DY_WASIX(context_switch) int dy_ctx_switch(unsigned long long id);
DY_WASIX(context_destroy) int dy_ctx_destroy(unsigned long long id);

#define NPING 100000
#define NCTX 1000

static volatile int pings, runs;

static void ping(void)
{
	for (;;) {
		pings++;
		dy_ctx_switch(0);
	}
}

static void once(void)
{
	runs++;
	dy_ctx_switch(0);
}

static unsigned long long ids[NCTX];
static unsigned long where_addr;

static void where(void)
{
	volatile int local = 1;

	where_addr = (unsigned long)&local;
	dy_ctx_switch(0);
}

static void check_where(void)
{
	volatile int mine = 2;
	unsigned long long w = 0;

	CHECK(dy_ctx_create(&w, where) == 0);
	CHECK(dy_ctx_switch(w) == 0);
	CHECK(where_addr != 0 && where_addr < (unsigned long)&mine);
	CHECK(mine == 2);
	CHECK(dy_ctx_destroy(w) == 0);
}

void _start(void)
{
	unsigned long long a = 0;

	CHECK(dy_ctx_create(&a, ping) == 0 && a != 0);
	for (int i = 0; i < NPING; i++)
		CHECK(dy_ctx_switch(a) == 0);
	CHECK(pings == NPING);
	CHECK(dy_ctx_switch(0) == 0); /* to itself: nothing happens */
	for (int i = 0; i < NCTX; i++)
		CHECK(dy_ctx_create(&ids[i], once) == 0);
	for (int i = 0; i < NCTX; i++)
		CHECK(dy_ctx_switch(ids[i]) == 0);
	CHECK(runs == NCTX);
	for (int i = 0; i < NCTX; i++)
		CHECK(dy_ctx_destroy(ids[i]) == 0);
	CHECK(dy_ctx_switch(ids[0]) == 28);
	CHECK(dy_ctx_destroy(ids[0]) == 28);
	CHECK(dy_ctx_destroy(0) == 28);
	CHECK(dy_ctx_create(&a, (void (*)(void))12345) == 28);
	check_where();
	dy_puts("ok contexts");
	dy_exit(0);
}
