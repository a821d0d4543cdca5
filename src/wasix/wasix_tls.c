/*
 * wasix_tls.c: the main thread's thread-local storage. A program linked
 * with shared memory (wasix-libc's toolchain: --shared-memory and the
 * exports __wasm_init_tls, __tls_size, __tls_align, __tls_base,
 * __stack_pointer) has no TLS block for its first thread: wasm-ld leaves
 * __tls_base at 0, and wasix-libc's crt1 does not make one, expecting the
 * runtime to (spawned threads get theirs from pthread_create, through
 * wasi_thread_start). Without it, `static __thread int x = 100;` reads 0
 * in main and every write lands at the bottom of memory.
 *
 * Keeps true: the block is carved from the top of the main thread's
 * stack (the shadow stack pointer moves down by the aligned size), so no
 * memory the program's allocator owns is taken; nothing is done unless
 * all five exports exist with the expected types, __tls_base is still 0
 * and the block fits below the stack pointer.
 */
#include "wasix/wasix.h"

#include <string.h>

#include "base/base.h"
#include "wasm/wasm_module.h"

/* Export 'name' of 'inst' as a global of type i32 ('mut' or not). */
static struct vm_global *tls_global(struct vm_instance *inst, const char *name,
                                    bool mut)
{
	const struct wasm_globaltype *gt;
	struct vm_extern ext;

	if (vm_instance_export(inst, name, strlen(name), &ext) != 0 ||
	    ext.kind != WASM_EXT_GLOBAL)
		return NULL;
	gt = vm_global_type(ext.u.global);
	return gt->valtype == WASM_I32 && gt->mut == mut ? ext.u.global : NULL;
}

int wasix_init_main_tls(struct vm_store *s, struct vm_instance *inst,
                        struct diag *diag)
{
	struct vm_global *size, *align, *base, *sp;
	const struct wasm_functype *ft;
	struct vm_extern init;
	uint64_t arg[1], res[1] = {0}, a, n, top;
	int code = 0;

	size = tls_global(inst, "__tls_size", false);
	align = tls_global(inst, "__tls_align", false);
	base = tls_global(inst, "__tls_base", true);
	sp = tls_global(inst, "__stack_pointer", true);
	if (size == NULL || align == NULL || base == NULL || sp == NULL ||
	    vm_instance_export(inst, "__wasm_init_tls", 15, &init) != 0 ||
	    init.kind != WASM_EXT_FUNC)
		return WX_OK;
	ft = vm_func_type(init.u.func);
	if (ft->nparams != 1 || ft->types[0] != WASM_I32 || ft->nresults != 0 ||
	    (uint32_t)vm_global_get(base) != 0)
		return WX_OK;
	n = (uint32_t)vm_global_get(size);
	a = (uint32_t)vm_global_get(align);
	top = (uint32_t)vm_global_get(sp);
	if (n == 0)
		return WX_OK;
	if (a < 16)
		a = 16; /* the stack pointer's own alignment */
	if ((a & (a - 1)) != 0 || a > 4096 || n > top)
		return WX_OK;
	arg[0] = (top - n) & ~(a - 1);
	if (arg[0] < 1024) /* would overwrite the data below the stack */
		return WX_OK;
	vm_global_set(sp, arg[0]);
	return vm_invoke(s, init.u.func, arg, res, &code, diag);
}
