/*
 * cxx_rt.c: the few C++ runtime functions cxx_unwind.cpp needs, for
 * lack of a wasm libc++abi in Debian. An exception object is malloc'd;
 * __cxa_throw raises the wasm exception of tag 0 (LLVM's
 * __cpp_exception) carrying the object's address. One exception is in
 * flight at a time; a rethrown one survives its catch's __cxa_end_catch.
 */
#include <stdlib.h>

void *__cxa_allocate_exception(unsigned long size);
void __cxa_free_exception(void *p);
void __cxa_throw(void *obj, void *tinfo, void (*dtor)(void *));
void __cxa_rethrow(void);
void *__cxa_begin_catch(void *obj);
void __cxa_end_catch(void);

static void *current;
static int rethrowing;

void *__cxa_allocate_exception(unsigned long size)
{
	void *p = malloc(size);
	if (p == NULL)
		abort();
	return p;
}

void __cxa_free_exception(void *p)
{
	free(p);
}

void __cxa_throw(void *obj, void *tinfo, void (*dtor)(void *))
{
	(void)tinfo;
	(void)dtor;
	__builtin_wasm_throw(0, obj);
}

void __cxa_rethrow(void)
{
	rethrowing = 1;
	__builtin_wasm_throw(0, current);
}

void *__cxa_begin_catch(void *obj)
{
	current = obj;
	return obj;
}

void __cxa_end_catch(void)
{
	if (rethrowing) {
		rethrowing = 0;
		return;
	}
	free(current);
	current = NULL;
}
