/*
 * dy_main: a position-independent main module linked against libdya.so
 * (which needs libdyb.so); the linker loads both from /lib at start.
 * Checks constructor order, calls both ways, data and function
 * relocations across modules, pointer identity, weak symbols, then
 * dlopens libdyc.so.
 */
#include "dy.h"

void __wasm_call_ctors(void);
int dya_sum(int x);
int (*dya_get_local(void))(int);
int dya_weak_ok(void);
int dya_callback(int (*cb)(int), int v);
int dyb_twice(int x);
extern int *dya_ptr_b, *dya_ptr_main, *dya_ptr_own, dya_own, dyb_value;
extern int (*dya_fp)(int);

int main_counter = 2;
static char logbuf[64];
static unsigned loglen;

void dy_log(const char *s)
{
	while (*s != 0 && loglen < sizeof logbuf - 1)
		logbuf[loglen++] = *s++;
}

static int main_cb(int v)
{
	return v * 3;
}

int (*main_fp)(int) = dyb_twice;

void _start(void)
{
	__wasm_call_ctors();
	CHECK(dy_contains(logbuf, "ctor b;ctor a;"));
	CHECK(dya_sum(5) == 10 + 40 + 2);
	CHECK(*dya_ptr_b == 40 && dya_ptr_b == &dyb_value);
	CHECK(dya_ptr_main == &main_counter);
	CHECK(dya_ptr_own == &dya_own && *dya_ptr_own == 11);
	CHECK(dya_fp(21) == 42);
	CHECK(dya_fp == dyb_twice && main_fp == dyb_twice);
	CHECK(dya_get_local()(1) == 2);
	CHECK(dya_weak_ok());
	CHECK(dya_callback(main_cb, 5) == 15);
	main_counter = 5;
	CHECK(dya_sum(1) == 2 + 40 + 5);
	/* A library loaded at run time (also after an exec: dy_open). */
	{
		static char err[128];
		unsigned h = 0;
		CHECK(dy_dlopen_raw("libdyc.so", 9, DY_RTLD_NOW, err, sizeof err,
		                    "", 0, &h) == 0);
		CHECK(dy_contains(logbuf, "ctor b;ctor a;ctor c;"));
	}
	dy_puts("ok dylink start");
	dy_exit(0);
}
