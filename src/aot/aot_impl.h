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
 * long as the instance. Returns 0 or WX_EARG (the code cannot serve this
 * instance; nothing was changed).
 */
int aot_bind_desc(const struct aot_module_desc *d, struct aot_inst *ai,
                  struct vm_instance *inst, struct diag *diag);

/*
 * The revision of what aot_emit.c writes: part of the cache key with the
 * ABI header's text (aot_codegen_id). Bump it with every change to the
 * emitter's output.
 */
#define AOT_EMITTER_REVISION 12

/* The ABI header's text, as written into every generated file. */
const char *aot_codegen_id(void);

#endif
