/*
 * setjmp.h: setjmp/longjmp for wasmix guests (wasi-libc has none), over
 * the WASIX imports stack_checkpoint and stack_restore.
 *
 * setjmp and sigsetjmp are macros, not functions: the frame that wrote
 * setjmp calls stack_checkpoint itself, so the runtime saves just that
 * frame (it can also rebuild setjmp functions that forward the buffer as
 * their first argument, as wasix-libc's do, but need not here).
 *
 * Keeps true: the first 24 bytes of a jmp_buf are the WASIX
 * stack_snapshot; a longjmp with value 0 makes setjmp return 1; a
 * longjmp to a buffer whose setjmp frame has returned, or that another
 * thread filled, traps ("invalid or stale setjmp snapshot").
 * sigsetjmp(env, 1) also saves the SDK's signal mask (sdk_signal.c),
 * which siglongjmp puts back before it jumps; setjmp, _setjmp and
 * sigsetjmp(env, 0) save none, and longjmp leaves the mask as it is.
 */
#ifndef WASMIX_SETJMP_H
#define WASMIX_SETJMP_H

struct __wasmix_jmp_buf {
	unsigned long long __user; /* stack_snapshot: user word (0) */
	unsigned char __hash[16];  /* stack_snapshot: the runtime's token */
	unsigned long long __ret;  /* what setjmp returns, set by the runtime */
	int __savemask;            /* sigsetjmp's flag */
	unsigned long long __mask; /* the signal mask, if __savemask */
};

typedef struct __wasmix_jmp_buf jmp_buf[1];
typedef struct __wasmix_jmp_buf sigjmp_buf[1];

#ifdef __cplusplus
extern "C" {
#endif

/* stack_checkpoint(*snapshot, *ret) -> errno; returns twice. */
int __wasmix_stack_checkpoint(void *__snapshot, unsigned long long *__ret)
    __attribute__((__import_module__("wasix_32v1"),
                   __import_name__("stack_checkpoint"), __returns_twice__));

/* The SDK's signal mask (bit n - 1 for signal n), and setting it. */
unsigned long long __wasmix_sigmask_get(void);
void __wasmix_sigmask_set(unsigned long long __mask);

/* Reports a checkpoint the runtime refused and aborts. */
_Noreturn void __wasmix_setjmp_failed(int __err);

_Noreturn void longjmp(jmp_buf __env, int __val);
_Noreturn void _longjmp(jmp_buf __env, int __val);
_Noreturn void siglongjmp(sigjmp_buf __env, int __val);

#ifdef __cplusplus
}
#endif

/* The checkpoint, in the caller's own frame (see above). */
#define __wasmix_setjmp(env, save)                                             \
	(__extension__({                                                       \
		struct __wasmix_jmp_buf *__wj = (env);                         \
		int __werr;                                                    \
		__wj->__savemask = (save);                                     \
		if (__wj->__savemask)                                          \
			__wj->__mask = __wasmix_sigmask_get();                 \
		__werr = __wasmix_stack_checkpoint(__wj, &__wj->__ret);        \
		if (__werr != 0)                                               \
			__wasmix_setjmp_failed(__werr);                        \
		(int)__wj->__ret;                                              \
	}))

#define setjmp(env)              __wasmix_setjmp((env), 0)
#define _setjmp(env)             __wasmix_setjmp((env), 0)
#define sigsetjmp(env, savemask) __wasmix_setjmp((env), (savemask) != 0)

#endif
