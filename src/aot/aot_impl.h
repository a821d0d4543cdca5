/*
 * aot_impl.h: what the files of src/aot/ share and nothing else sees.
 */
#ifndef WASMIX_AOT_IMPL_H
#define WASMIX_AOT_IMPL_H

#include "aot/aot.h"
#include "aot/aot_abi.h"

/*
 * Fills 'ai' for 'inst' from the loaded module table 'd' and binds every
 * compiled function of 'inst' to it (vm_func.native_*). 'ai' must live as
 * long as the instance. 'running': the instance's code may be running
 * (the switch-over): each function is published with vm_func_bind_native.
 * Returns 0 or WX_EARG (the code cannot serve this instance; nothing was
 * changed).
 */
int aot_bind_desc(const struct aot_module_desc *d, struct aot_inst *ai,
                  struct vm_instance *inst, bool running,
                  struct diag *diag);

/*
 * Finds the calling thread's C stack bounds for compiled code (kept per
 * thread). Done before the process confines itself, which can hide
 * /proc/self/maps, where glibc finds the main thread's stack: without it
 * compiled code gets only 1 MiB of C stack.
 */
void aot_thread_stack_init(void);

/*
 * The revision of what aot_emit*.c write: part of the cache key with the
 * ABI header's text (aot_codegen_id). Bump it with every change to the
 * emitter's output.
 */
#define AOT_EMITTER_REVISION 14

/*
 * The executable range [lo, hi) of a loaded shared object: a signal that
 * lands there interrupts compiled code (aot_run.c). Register returns
 * WX_ELIMIT when the table is full. Any thread.
 */
int aot_text_register(uintptr_t lo, uintptr_t hi);
void aot_text_unregister(uintptr_t lo);

/* Whether loops without polls can be interrupted (the signal is ours). */
bool aot_async_available(void);

/* The ABI header's text, as written into every generated file. */
const char *aot_codegen_id(void);

#endif
