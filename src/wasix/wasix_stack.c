/*
 * wasix_stack.c: stack_checkpoint / stack_restore, the WASIX imports
 * behind setjmp/longjmp, over the VM's snapshot table (vm.h,
 * "setjmp/longjmp"; docs/process.md).
 *
 * The guest's 24-byte snapshot holds a 'user' word (u64 at 0, set to 0
 * and then left to the guest: wasix-libc's sigsetjmp keeps its saved mask
 * there) and the 16-byte token of the VM's table entry (at 8);
 * everything else stays on the host. The
 * guest's shadow-stack pointer (__stack_pointer: the export of that name,
 * else global 0 when it is a mutable i32, or i64 with memory64, which is
 * where wasm-ld puts it)
 * is saved with the checkpoint and put back by the restore, because the
 * frames a longjmp skips never run their epilogues.
 *
 * Keeps true: a restore either traps with "invalid or stale setjmp
 * snapshot (...)" or returns VM_EJUMP with *ret and the stack pointer
 * written, and no guest code runs before the target frame resumes.
 */
#include "wasix/wasix_impl.h"

#include <string.h>

/* The calling instance's __stack_pointer global, or NULL. */
static struct vm_global *wasix_stack_pointer(struct vm_call *c)
{
	static const char name[] = "__stack_pointer";
	const struct wasm_globaltype *gt;
	struct vm_extern ext;
	struct vm_global *g;

	if (c->caller == NULL)
		return NULL;
	if (vm_instance_export(c->caller, name, sizeof name - 1, &ext) == 0 &&
	    ext.kind == WASM_EXT_GLOBAL)
		g = ext.u.global;
	else
		g = vm_instance_global(c->caller, 0);
	if (g == NULL)
		return NULL;
	gt = vm_global_type(g);
	return gt->mut && gt->valtype == (wasi_is64(c) ? WASM_I64 : WASM_I32)
	           ? g
	           : NULL;
}

/* stack_checkpoint(*snapshot, *ret) -> errno */
int wasix_stack_checkpoint(struct vm_call *c, void *ud)
{
	uint64_t snap = wasi_ptr(c, 0), ret = wasi_ptr(c, 1);
	uint8_t *p = wasi_mem(c, snap, WASIX_SNAPSHOT_SIZE);
	uint8_t *r = wasi_mem(c, ret, 8);
	struct vm_global *sp = wasix_stack_pointer(c);
	uint8_t token[16];
	int rc;

	(void)ud;
	if (p == NULL || r == NULL)
		return wasi_ret(c, WASI_EFAULT);
	rc = vm_jmp_checkpoint(c, (uint32_t)snap, ret,
	                       sp != NULL ? vm_global_get(sp) : 0, token);
	if (rc == WX_EARG)
		return wasi_ret(c, WASI_EINVAL);
	if (rc != WX_OK)
		return wasi_ret(c, WASI_ENOMEM);
	wasi_put_u64(p + WASIX_SNAPSHOT_USER, 0);
	memcpy(p + WASIX_SNAPSHOT_TOKEN, token, sizeof token);
	wasi_put_u64(r, 0);
	return wasi_ret(c, WASI_ESUCCESS);
}

/* stack_restore(*snapshot, value): does not return to its caller. */
int wasix_stack_restore(struct vm_call *c, void *ud)
{
	uint64_t snap = wasi_ptr(c, 0), ret = 0;
	const uint8_t *p = wasi_mem(c, snap, WASIX_SNAPSHOT_SIZE);
	struct vm_global *sp = wasix_stack_pointer(c);
	uint8_t token[16];
	uint64_t aux = 0;
	uint8_t *r;
	int rc;

	(void)ud;
	if (p == NULL)
		return vm_call_trap(c, "invalid or stale setjmp snapshot "
		                       "(out of bounds)");
	memcpy(token, p + WASIX_SNAPSHOT_TOKEN, sizeof token);
	rc = vm_jmp_restore(c, token, &ret, &aux);
	if (rc != WX_OK)
		return rc;
	r = wasi_mem(c, ret, 8); /* checked at the checkpoint; memory grows */
	if (r != NULL)
		wasi_put_u64(r, c->args[1]);
	if (sp != NULL)
		vm_global_set(sp, aux);
	return VM_EJUMP;
}
