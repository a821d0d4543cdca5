/*
 * sdk_setjmp.c: longjmp, _longjmp and siglongjmp over the WASIX import
 * stack_restore (setjmp and sigsetjmp are macros in <setjmp.h>, which
 * explains why); siglongjmp also restores a saved signal mask.
 *
 * Keeps true: a value of 0 arrives as 1; stack_restore never returns (the
 * runtime resumes the setjmp frame, or traps on a stale or forged
 * buffer), so nothing runs after it.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

/* stack_restore(*snapshot, value): resumes the checkpoint's frame. */
void __wasmix_stack_restore(const void *snapshot, unsigned long long value)
    __attribute__((import_module("wasix_32v1"), import_name("stack_restore"),
                   noreturn));

_Noreturn void longjmp(jmp_buf env, int val)
{
	__wasmix_stack_restore(env,
	                       (unsigned long long)(long long)(val ? val : 1));
}

_Noreturn void _longjmp(jmp_buf env, int val)
{
	longjmp(env, val);
}

/* Puts back the mask that sigsetjmp(env, 1) saved (which may run
 * handlers of signals it unblocks), then jumps. */
_Noreturn void siglongjmp(sigjmp_buf env, int val)
{
	if (env->__savemask)
		__wasmix_sigmask_set(env->__mask);
	longjmp(env, val);
}

_Noreturn void __wasmix_setjmp_failed(int err)
{
	fprintf(stderr, "setjmp: the runtime refused a checkpoint (errno %d)\n",
	        err);
	abort();
}
