/*
 * dy_ffi: the imports libffi uses, called raw: call_dynamic (values
 * packed in memory, strict and not), reflect_signature, and closures
 * (closure_allocate, closure_prepare, a call through the new function
 * pointer, closure_free and the slot handed out again).
 */
#include "dy.h"

DY_WASIX(call_dynamic) int dy_call_dynamic(unsigned long fn, const void *vals,
                                           unsigned long vlen, void *res,
                                           unsigned long rlen, int strict);
DY_WASIX(reflect_signature) int dy_reflect(unsigned long fn, unsigned char *at,
                                           unsigned short na,
                                           unsigned char *rt,
                                           unsigned short nr, void *ret);
DY_WASIX(closure_allocate) int dy_closure_allocate(unsigned long *slot);
DY_WASIX(closure_prepare) int dy_closure_prepare(
    unsigned long backing, unsigned long slot, const unsigned char *at,
    unsigned long na, const unsigned char *rt, unsigned long nr, void *ud);
DY_WASIX(closure_free) int dy_closure_free(unsigned long slot);

#define FNPTR(f) ((unsigned long)(f))

static void put(unsigned char *p, unsigned long long v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static unsigned long long get(const unsigned char *p, int n)
{
	unsigned long long v = 0;

	for (int i = 0; i < n; i++)
		v |= (unsigned long long)p[i] << (8 * i);
	return v;
}

long long dy_mix(int a, long long b, double c)
{
	return a + b + (long long)c;
}

static int backing_calls;

void dy_backing(unsigned char *values, unsigned char *results, void *ud)
{
	int a = (int)get(values, 4);
	long long b = (long long)get(values + 4, 8);

	backing_calls++;
	put(results, (unsigned long long)(a * b + *(int *)ud), 8);
}

void _start(void)
{
	unsigned char vals[20], res[8], at[4], rt[2], info[6];
	union {
		double d;
		unsigned long long u;
	} c = {.d = 30.5};
	static const unsigned char cat[2] = {0, 1}, crt[1] = {1};
	static int user = 1000;
	unsigned long slot = 0, slot2 = 0;
	long long (*clo)(int, long long);

	put(vals, 5, 4);
	put(vals + 4, 700, 8);
	put(vals + 12, c.u, 8);
	CHECK(dy_call_dynamic(FNPTR(dy_mix), vals, 20, res, 8, 1) == 0);
	CHECK(get(res, 8) == 735);
	CHECK(dy_call_dynamic(FNPTR(dy_mix), vals, 16, res, 8, 1) == 28);
	/* Not strict: a short buffer's missing values are 0. */
	CHECK(dy_call_dynamic(FNPTR(dy_mix), vals, 12, res, 8, 0) == 0);
	CHECK(get(res, 8) == 705);
	CHECK(dy_reflect(FNPTR(dy_mix), at, 4, rt, 2, info) == 0);
	CHECK(at[0] == 0 && at[1] == 1 && at[2] == 3 && rt[0] == 1);
	CHECK(info[0] == 1 && get(info + 2, 2) == 3 && get(info + 4, 2) == 1);
	CHECK(dy_reflect(FNPTR(dy_mix), at, 2, rt, 2, info) == 61);
	CHECK(dy_reflect(999999, at, 4, rt, 2, info) == 28);

	CHECK(dy_closure_allocate(&slot) == 0 && slot != 0);
	CHECK(dy_closure_prepare(FNPTR(dy_backing), slot, cat, 2, crt, 1,
	                         &user) == 0);
	clo = (long long (*)(int, long long))slot;
	CHECK(clo(6, 7) == 1042 && backing_calls == 1);
	CHECK(clo(-2, 1LL << 40) == -(2LL << 40) + 1000);
	CHECK(dy_reflect(slot, at, 4, rt, 2, info) == 0);
	CHECK(info[0] == 0 && get(info + 2, 2) == 2 && at[1] == 1);
	/* A closure through call_dynamic too. */
	put(vals, 3, 4);
	put(vals + 4, 4, 8);
	CHECK(dy_call_dynamic(slot, vals, 12, res, 8, 1) == 0);
	CHECK(get(res, 8) == 1012);
	CHECK(dy_closure_prepare(FNPTR(dy_backing), 12345, cat, 2, crt, 1,
	                         &user) == 28);
	CHECK(dy_closure_free(slot) == 0);
	CHECK(dy_closure_free(slot) == 28);
	CHECK(dy_closure_allocate(&slot2) == 0 && slot2 == slot);
	dy_puts("ok ffi");
	dy_exit(0);
}
