/*
 * t_jmp.c: unit tests of the VM's setjmp/longjmp support (vm.h,
 * "setjmp/longjmp") with host functions that call vm_jmp_checkpoint and
 * vm_jmp_restore directly: a restore 5 frames below the checkpoint; one
 * made inside a nested vm_invoke (as a signal handler runs), which must
 * leave that invoke with VM_EJUMP and land in the outer one; the frame's
 * slots and the embedder's value put back; a host function that drops
 * VM_EJUMP (a trap, not a lost jump); a stale snapshot and a forged
 * check value (traps); 1000 rounds; the byte cap (oldest evicted, the
 * rest restorable); a checkpoint made through two wrapper functions that
 * forward the key (wasix-libc's setjmp), which the restore rebuilds, and
 * that goes stale when the frame that called them returns; a longjmp
 * out of try bodies leaves no handler behind.
 *
 * Prints one line per failed check and "N passed, M failed" at the end;
 * exits non-zero if any check failed.
 */
#include <stdio.h>
#include <string.h>

#include "t_check.h"
#include "vm/vm.h"

/*
 * (module
 *   (import "t" "ckpt" (func $ckpt (param i32) (result i32)))
 *   (import "t" "restore" (func $restore (param i32)))
 *   (import "t" "nest" (func $nest (param i32)))
 *   (memory (export "mem") 1)
 *   (global $sp (export "sp") (mut i32) (i32.const 4096))
 *   (func $down (param $d i32) (param $v i32) (param $mode i32)
 *     (global.set $sp (i32.sub (global.get $sp) (i32.const 16)))
 *     (if (local.get $d)
 *       (then
 *         (call $down (i32.sub (local.get $d) (i32.const 1))
 *                     (local.get $v) (local.get $mode))
 *         (return)))
 *     (if (local.get $mode)
 *       (then (call $nest (local.get $v)))
 *       (else (call $restore (local.get $v)))))
 *   (func (export "inner") (param $v i32)
 *     (call $down (i32.const 3) (local.get $v) (i32.const 0)))
 *   (func (export "run") (param $mode i32) (result i32)
 *     (local $x i32)
 *     (local.set $x (i32.const 5))
 *     (i32.add (i32.const 100) (call $ckpt (i32.const 0)))
 *     (if (i32.ne (i32.const 100)) (then (return (i32.const -1))))
 *     (if (i32.load (i32.const 0))
 *       (then
 *         (return (i32.add (i32.add (i32.mul (local.get $x) (i32.const 1000))
 *                                   (i32.load (i32.const 0)))
 *                          (i32.mul (global.get $sp) (i32.const 100000))))))
 *     (local.set $x (i32.const 9))
 *     (call $down (i32.const 4) (i32.const 42) (local.get $mode))
 *     (i32.const -2))
 *   (func (export "ckpt_and_return") (result i32) (call $ckpt (i32.const 0)))
 *   (func (export "restore") (call $restore (i32.const 1)))
 *   (func $big (export "big") (param $n i32) (result i32)
 *     (local $x i64) (local i64 i64 ... 49998 more)
 *     (local.set $x (i64.const 1))
 *     (if (call $ckpt (i32.const 0)) (then (return (i32.const -1))))
 *     (if (i32.load (i32.const 0))
 *       (then (return (i32.add (i32.load (i32.const 0))
 *                              (i32.wrap_i64 (local.get $x))))))
 *     (local.set $x (i64.const 100))
 *     (if (local.get $n)
 *       (then (return (call $big (i32.sub (local.get $n) (i32.const 1))))))
 *     (call $restore (i32.const 7))
 *     (i32.const -2)))
 */
static const uint8_t module_bytes[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x17, 0x05, 0x60,
    0x01, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x03, 0x7f, 0x7f,
    0x7f, 0x00, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x00, 0x00, 0x02, 0x1f, 0x03,
    0x01, 0x74, 0x04, 0x63, 0x6b, 0x70, 0x74, 0x00, 0x00, 0x01, 0x74, 0x07,
    0x72, 0x65, 0x73, 0x74, 0x6f, 0x72, 0x65, 0x00, 0x01, 0x01, 0x74, 0x04,
    0x6e, 0x65, 0x73, 0x74, 0x00, 0x01, 0x03, 0x07, 0x06, 0x02, 0x01, 0x00,
    0x03, 0x04, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x06, 0x07, 0x01, 0x7f,
    0x01, 0x41, 0x80, 0x20, 0x0b, 0x07, 0x3c, 0x07, 0x03, 0x6d, 0x65, 0x6d,
    0x02, 0x00, 0x02, 0x73, 0x70, 0x03, 0x00, 0x05, 0x69, 0x6e, 0x6e, 0x65,
    0x72, 0x00, 0x04, 0x03, 0x72, 0x75, 0x6e, 0x00, 0x05, 0x0f, 0x63, 0x6b,
    0x70, 0x74, 0x5f, 0x61, 0x6e, 0x64, 0x5f, 0x72, 0x65, 0x74, 0x75, 0x72,
    0x6e, 0x00, 0x06, 0x07, 0x72, 0x65, 0x73, 0x74, 0x6f, 0x72, 0x65, 0x00,
    0x07, 0x03, 0x62, 0x69, 0x67, 0x00, 0x08, 0x0a, 0xc8, 0x01, 0x06, 0x28,
    0x00, 0x23, 0x00, 0x41, 0x10, 0x6b, 0x24, 0x00, 0x20, 0x00, 0x04, 0x40,
    0x20, 0x00, 0x41, 0x01, 0x6b, 0x20, 0x01, 0x20, 0x02, 0x10, 0x03, 0x0f,
    0x0b, 0x20, 0x02, 0x04, 0x40, 0x20, 0x01, 0x10, 0x02, 0x05, 0x20, 0x01,
    0x10, 0x01, 0x0b, 0x0b, 0x0a, 0x00, 0x41, 0x03, 0x20, 0x00, 0x41, 0x00,
    0x10, 0x03, 0x0b, 0x45, 0x01, 0x01, 0x7f, 0x41, 0x05, 0x21, 0x01, 0x41,
    0xe4, 0x00, 0x41, 0x00, 0x10, 0x00, 0x6a, 0x41, 0xe4, 0x00, 0x47, 0x04,
    0x40, 0x41, 0x7f, 0x0f, 0x0b, 0x41, 0x00, 0x28, 0x02, 0x00, 0x04, 0x40,
    0x20, 0x01, 0x41, 0xe8, 0x07, 0x6c, 0x41, 0x00, 0x28, 0x02, 0x00, 0x6a,
    0x23, 0x00, 0x41, 0xa0, 0x8d, 0x06, 0x6c, 0x6a, 0x0f, 0x0b, 0x41, 0x09,
    0x21, 0x01, 0x41, 0x04, 0x41, 0x2a, 0x20, 0x00, 0x10, 0x03, 0x41, 0x7e,
    0x0b, 0x06, 0x00, 0x41, 0x00, 0x10, 0x00, 0x0b, 0x06, 0x00, 0x41, 0x01,
    0x10, 0x01, 0x0b, 0x3e, 0x01, 0xcf, 0x86, 0x03, 0x7e, 0x42, 0x01, 0x21,
    0x01, 0x41, 0x00, 0x10, 0x00, 0x04, 0x40, 0x41, 0x7f, 0x0f, 0x0b, 0x41,
    0x00, 0x28, 0x02, 0x00, 0x04, 0x40, 0x41, 0x00, 0x28, 0x02, 0x00, 0x20,
    0x01, 0xa7, 0x6a, 0x0f, 0x0b, 0x42, 0xe4, 0x00, 0x21, 0x01, 0x20, 0x00,
    0x04, 0x40, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x10, 0x08, 0x0f, 0x0b, 0x41,
    0x07, 0x10, 0x01, 0x41, 0x7e, 0x0b};

/*
 * The wrapper module: "ckpt2" takes its argument (the ret address) as the
 * key, so $w1 and $w2, whose first parameter it is, are wrappers.
 * (module
 *   (import "t" "ckpt2" (func $ckpt (param i32) (result i32)))
 *   (import "t" "restore" (func $restore (param i32)))
 *   (memory 1)
 *   (func $w1 (param $b i32) (result i32)
 *     (drop (call $ckpt (local.get $b)))
 *     (i32.load (local.get $b)))
 *   (func $w2 (param $b i32) (result i32)
 *     (call $w1 (local.get $b)))
 *   (func $deep (param $d i32) (param $v i32)
 *     (if (local.get $d)
 *       (then
 *         (call $deep (i32.sub (local.get $d) (i32.const 1)) (local.get $v))
 *         (return)))
 *     (call $restore (local.get $v)))
 *   (func (export "run2") (param $n i32) (result i32)
 *     (local $x i32) (local $r i32)
 *     (local.set $x (i32.const 5))
 *     (local.set $r (call $w2 (i32.const 16)))
 *     (if (local.get $r)
 *       (then
 *         (return (i32.add (i32.mul (local.get $x) (i32.const 1000))
 *                          (local.get $r)))))
 *     (local.set $x (i32.const 9))
 *     (call $deep (i32.const 3) (i32.const 42))
 *     (i32.const -2))
 *   (func (export "ckpt_and_return2") (result i32)
 *     (call $w2 (i32.const 16)))
 *   (func (export "restore2") (call $restore (i32.const 1))))
 */
static const uint8_t wrap_bytes[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x16, 0x05, 0x60,
    0x01, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x02, 0x7f, 0x7f,
    0x00, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x00, 0x00, 0x02, 0x17, 0x02, 0x01,
    0x74, 0x05, 0x63, 0x6b, 0x70, 0x74, 0x32, 0x00, 0x00, 0x01, 0x74, 0x07,
    0x72, 0x65, 0x73, 0x74, 0x6f, 0x72, 0x65, 0x00, 0x01, 0x03, 0x07, 0x06,
    0x00, 0x00, 0x02, 0x00, 0x03, 0x04, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07,
    0x26, 0x03, 0x04, 0x72, 0x75, 0x6e, 0x32, 0x00, 0x05, 0x10, 0x63, 0x6b,
    0x70, 0x74, 0x5f, 0x61, 0x6e, 0x64, 0x5f, 0x72, 0x65, 0x74, 0x75, 0x72,
    0x6e, 0x32, 0x00, 0x06, 0x08, 0x72, 0x65, 0x73, 0x74, 0x6f, 0x72, 0x65,
    0x32, 0x00, 0x07, 0x0a, 0x63, 0x06, 0x0c, 0x00, 0x20, 0x00, 0x10, 0x00,
    0x1a, 0x20, 0x00, 0x28, 0x02, 0x00, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x10,
    0x02, 0x0b, 0x15, 0x00, 0x20, 0x00, 0x04, 0x40, 0x20, 0x00, 0x41, 0x01,
    0x6b, 0x20, 0x01, 0x10, 0x04, 0x0f, 0x0b, 0x20, 0x01, 0x10, 0x01, 0x0b,
    0x29, 0x01, 0x02, 0x7f, 0x41, 0x05, 0x21, 0x01, 0x41, 0x10, 0x10, 0x03,
    0x21, 0x02, 0x20, 0x02, 0x04, 0x40, 0x20, 0x01, 0x41, 0xe8, 0x07, 0x6c,
    0x20, 0x02, 0x6a, 0x0f, 0x0b, 0x41, 0x09, 0x21, 0x01, 0x41, 0x03, 0x41,
    0x2a, 0x10, 0x04, 0x41, 0x7e, 0x0b, 0x06, 0x00, 0x41, 0x10, 0x10, 0x03,
    0x0b, 0x06, 0x00, 0x41, 0x01, 0x10, 0x01, 0x0b};

/*
 * Exceptions and longjmp (wat2wasm --enable-exceptions):
 * (module
 *   (import "t" "ckpt" (func $ckpt (param i32) (result i32)))
 *   (import "t" "restore" (func $restore (param i32)))
 *   (memory 1)
 *   (tag $e (param i32))
 *   (func $jump_in_try (param i32)
 *     (try (do (call $restore (local.get 0))) (catch $e (drop))))
 *   (func (export "run_eh") (result i32)
 *     (drop (call $ckpt (i32.const 0)))
 *     (if (i32.load (i32.const 0))
 *       (then
 *         (return
 *           (try (result i32)
 *             (do (throw $e (i32.load (i32.const 0))))
 *             (catch $e (i32.add (i32.const 1000)))))))
 *     (try (do (call $jump_in_try (i32.const 7))) (catch_all))
 *     (i32.const -1))
 *   (func (export "run_stale") (result i32)
 *     (drop (call $ckpt (i32.const 0)))
 *     (if (i32.load (i32.const 0))
 *       (then (throw $e (i32.const 1))))
 *     (try (do (call $jump_in_try (i32.const 7))) (catch_all))
 *     (i32.const -1)))
 */
static const uint8_t eh_bytes[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0e, 0x03, 0x60,
    0x01, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x00, 0x01, 0x7f,
    0x02, 0x16, 0x02, 0x01, 0x74, 0x04, 0x63, 0x6b, 0x70, 0x74, 0x00, 0x00,
    0x01, 0x74, 0x07, 0x72, 0x65, 0x73, 0x74, 0x6f, 0x72, 0x65, 0x00, 0x01,
    0x03, 0x04, 0x03, 0x01, 0x02, 0x02, 0x05, 0x03, 0x01, 0x00, 0x01, 0x0d,
    0x03, 0x01, 0x00, 0x01, 0x07, 0x16, 0x02, 0x06, 0x72, 0x75, 0x6e, 0x5f,
    0x65, 0x68, 0x00, 0x03, 0x09, 0x72, 0x75, 0x6e, 0x5f, 0x73, 0x74, 0x61,
    0x6c, 0x65, 0x00, 0x04, 0x0a, 0x57, 0x03, 0x0c, 0x00, 0x06, 0x40, 0x20,
    0x00, 0x10, 0x01, 0x07, 0x00, 0x1a, 0x0b, 0x0b, 0x2a, 0x00, 0x41, 0x00,
    0x10, 0x00, 0x1a, 0x41, 0x00, 0x28, 0x02, 0x00, 0x04, 0x40, 0x06, 0x7f,
    0x41, 0x00, 0x28, 0x02, 0x00, 0x08, 0x00, 0x07, 0x00, 0x41, 0xe8, 0x07,
    0x6a, 0x0b, 0x0f, 0x0b, 0x06, 0x40, 0x41, 0x07, 0x10, 0x02, 0x19, 0x0b,
    0x41, 0x7f, 0x0b, 0x1d, 0x00, 0x41, 0x00, 0x10, 0x00, 0x1a, 0x41, 0x00,
    0x28, 0x02, 0x00, 0x04, 0x40, 0x41, 0x01, 0x08, 0x00, 0x0b, 0x06, 0x40,
    0x41, 0x07, 0x10, 0x02, 0x19, 0x0b, 0x41, 0x7f, 0x0b};

enum { NEST_PASS, NEST_DROP };

static struct vm_store *store;
static struct vm_instance *inst;
static struct vm_global *sp;
#define MAX_SNAPS 256
#define NO_KEY    0xfffffff0u /* no frame here forwards a snapshot */

/* Every checkpoint's snapshot, in order; restores use snaps[pick]. */
static uint8_t snap_checks[MAX_SNAPS][16];
static int nsnaps, pick = -1; /* -1: the latest */
static int nest_mode;
static int nest_rc;

/* ckpt(ret_ptr) -> errno: *ret = 0, the snapshot kept in the statics. */
static int h_ckpt(struct vm_call *c, void *ud)
{
	uint32_t ret = (uint32_t)c->args[0];
	uint8_t *p = vm_memory_check(c->memory, ret, 4);

	(void)ud;
	if (p == NULL)
		return vm_call_trap(c, "bad ret pointer");
	memset(p, 0, 4);
	int i = nsnaps < MAX_SNAPS ? nsnaps++ : MAX_SNAPS - 1;
	c->results[0] = (uint32_t)vm_jmp_checkpoint(
	    c, NO_KEY, ret, vm_global_get(sp), snap_checks[i]);
	return 0;
}

/* ckpt2(ret_ptr) -> errno: ckpt with 'ret_ptr' as the wrappers' key. */
static int h_ckpt2(struct vm_call *c, void *ud)
{
	uint32_t ret = (uint32_t)c->args[0];
	uint8_t *p = vm_memory_check(c->memory, ret, 4);

	(void)ud;
	if (p == NULL)
		return vm_call_trap(c, "bad ret pointer");
	memset(p, 0, 4);
	int i = nsnaps < MAX_SNAPS ? nsnaps++ : MAX_SNAPS - 1;
	c->results[0] = (uint32_t)vm_jmp_checkpoint(
	    c, ret, ret, vm_global_get(sp), snap_checks[i]);
	return 0;
}

/* restore(value): *ret = value, the stack pointer back, VM_EJUMP. */
static int h_restore(struct vm_call *c, void *ud)
{
	uint64_t ret = 0;
	uint32_t v = (uint32_t)c->args[0];
	uint64_t aux = 0;
	uint8_t *p;
	int i = pick >= 0 ? pick : nsnaps - 1;
	int rc = vm_jmp_restore(c, snap_checks[i], &ret, &aux);

	(void)ud;
	if (rc != WX_OK)
		return rc;
	p = vm_memory_check(c->memory, ret, 4);
	if (p != NULL)
		memcpy(p, &v, 4);
	vm_global_set(sp, aux);
	return VM_EJUMP;
}

/* nest(value): calls export "inner" through a nested vm_invoke. */
static int h_nest(struct vm_call *c, void *ud)
{
	struct vm_extern ext;
	uint64_t arg = c->args[0];

	(void)ud;
	if (vm_instance_export(inst, "inner", 5, &ext) != 0)
		return vm_call_trap(c, "no inner");
	nest_rc = vm_invoke(c->store, ext.u.func, &arg, NULL, NULL, NULL);
	return nest_mode == NEST_DROP ? 0 : nest_rc;
}

static struct vm_func *h_funcs[4];

static int resolve(void *ud, const struct wasm_import *imp,
                   struct vm_extern *out)
{
	static const char *const names[4] = {"ckpt", "restore", "nest",
	                                     "ckpt2"};

	(void)ud;
	for (int i = 0; i < 4; i++) {
		if (imp->name_len == strlen(names[i]) &&
		    memcmp(imp->name, names[i], imp->name_len) == 0) {
			out->kind = WASM_EXT_FUNC;
			out->u.func = h_funcs[i];
			return 0;
		}
	}
	return WX_ELINK;
}

/* Calls export 'name' of 'in' (one i32 argument or none). */
static int call_in(struct vm_instance *in, const char *name,
                   const uint64_t *arg, uint64_t *res, struct diag *d)
{
	struct vm_extern ext;

	memset(d, 0, sizeof *d);
	if (vm_instance_export(in, name, strlen(name), &ext) != 0)
		return -1;
	return vm_invoke(store, ext.u.func, arg, res, NULL, d);
}

/* Calls export 'name' of the main module; returns vm_invoke's. */
static int call(const char *name, const uint64_t *arg, uint64_t *res,
                struct diag *d)
{
	return call_in(inst, name, arg, res, d);
}

/* Restores 5 frames down, directly or through a nested vm_invoke. */
static void test_unwind(void)
{
	struct diag d;
	uint64_t arg, res = 0;

	for (int round = 0; round < 1000; round++) {
		arg = round & 1;
		nest_mode = NEST_PASS;
		nest_rc = 0;
		vm_global_set(sp, 4096);
		int rc = call("run", &arg, &res, &d);
		if (round < 2 || rc != WX_OK || res != 409605042u) {
			/* x = 5 restored over 9, value 42, sp 4096 back. */
			CHECK(rc == WX_OK);
			CHECK(res == 409605042u);
			if (rc != WX_OK)
				printf("     %s\n", d.msg);
		}
		if (arg == 1 && round < 2)
			CHECK(nest_rc == VM_EJUMP);
	}
}

/* A host function that drops VM_EJUMP makes a trap, not a lost jump. */
static void test_dropped(void)
{
	struct diag d;
	uint64_t arg = 1, res = 0;

	nest_mode = NEST_DROP;
	CHECK(call("run", &arg, &res, &d) == WX_ETRAP);
	CHECK(strstr(d.msg, "longjmp was lost") != NULL);
	nest_mode = NEST_PASS;
	arg = 0;
	CHECK(call("run", &arg, &res, &d) == WX_OK && res == 409605042u);
}

/* Stale (the frame returned) and forged snapshots trap. */
static void test_stale(void)
{
	struct diag d;
	uint64_t res = 0;

	CHECK(call("ckpt_and_return", NULL, &res, &d) == WX_OK && res == 0);
	CHECK(call("restore", NULL, NULL, &d) == WX_ETRAP);
	CHECK(strstr(d.msg, "invalid or stale setjmp snapshot") != NULL);
	CHECK(call("ckpt_and_return", NULL, &res, &d) == WX_OK);
	snap_checks[nsnaps - 1][3] ^= 0x10;
	CHECK(call("restore", NULL, NULL, &d) == WX_ETRAP);
	CHECK(strstr(d.msg, "forged") != NULL);
	/* Nothing pending is left behind: a normal run still works. */
	uint64_t arg = 0;
	CHECK(call("run", &arg, &res, &d) == WX_OK && res == 409605042u);
}

/*
 * The byte cap: 200 nested frames of 50000 slots (400 KB each, 80 MB in
 * all) each take a checkpoint. The oldest are evicted (VM_JMP_MAX_BYTES
 * is 64 MiB); a restore to the 100th from the bottom (40 MB) still works
 * and puts back a 50000-slot frame.
 */
static void test_byte_cap(void)
{
	struct diag d;
	uint64_t arg = 199, res = 0;

	nsnaps = 0;
	pick = 99;
	CHECK(call("big", &arg, &res, &d) == WX_OK);
	CHECK(res == 8); /* value 7 + $x as it was at the checkpoint (1) */
	CHECK(nsnaps == 200);
	nsnaps = 0;
	pick = 0;
	CHECK(call("big", &arg, &res, &d) == WX_ETRAP);
	CHECK(strstr(d.msg, "evicted") != NULL);
	pick = -1;
}

/*
 * Two wrapper frames between "run2" and the checkpoint: a restore from 4
 * frames down rebuilds them ($x back to 5, value 42 through both), and
 * once "ckpt_and_return2" (their caller) returned, its snapshot traps.
 */
static struct wasm_module *wrap_module; /* freed after the store */

static void test_wrappers(void)
{
	struct wasm_module *m;
	struct vm_instance *in;
	struct diag d = {0};
	uint64_t arg = 0, res = 0;

	if (wasm_decode(wrap_bytes, sizeof wrap_bytes, NULL, &m, &d) == WX_OK)
		wrap_module = m;
	if (wrap_module == NULL || wasm_validate(m, &d) != WX_OK ||
	    vm_instantiate(store, m, resolve, NULL, &in, &d) != WX_OK) {
		CHECK(!"the wrapper module loads");
		printf("     %s\n", d.msg);
		return;
	}
	for (int round = 0; round < 100; round++) {
		res = 0;
		int rc = call_in(in, "run2", &arg, &res, &d);
		if (round < 2 || rc != WX_OK || res != 5042) {
			CHECK(rc == WX_OK);
			CHECK(res == 5042);
			if (rc != WX_OK)
				printf("     %s\n", d.msg);
		}
	}
	CHECK(call_in(in, "ckpt_and_return2", NULL, &res, &d) == WX_OK &&
	      res == 0);
	CHECK(call_in(in, "restore2", NULL, NULL, &d) == WX_ETRAP);
	CHECK(strstr(d.msg, "its frame returned") != NULL);
}

static struct wasm_module *eh_module; /* freed after the store */

/*
 * A longjmp out of two try bodies, then a throw: caught by a try entered
 * after the landing, and not by the tries the jump left (run_stale's
 * catch_all was active in the landing frame when the jump happened).
 */
static void test_exceptions(void)
{
	struct vm_instance *in;
	struct diag d = {0};
	uint64_t res = 0;

	if (wasm_decode(eh_bytes, sizeof eh_bytes, NULL, &eh_module, &d) !=
	        WX_OK ||
	    wasm_validate(eh_module, &d) != WX_OK ||
	    vm_instantiate(store, eh_module, resolve, NULL, &in, &d) != WX_OK) {
		CHECK(!"the exceptions module loads");
		printf("     %s\n", d.msg);
		return;
	}
	pick = -1;
	for (int round = 0; round < 100; round++) {
		int rc = call_in(in, "run_eh", NULL, &res, &d);
		if (round < 2 || rc != WX_OK || res != 1007) {
			CHECK(rc == WX_OK && res == 1007);
			if (rc != WX_OK)
				printf("     %s\n", d.msg);
		}
	}
	CHECK(call_in(in, "run_stale", NULL, &res, &d) == WX_ETRAP &&
	      strstr(d.msg, "uncaught exception") != NULL);
	CHECK(call_in(in, "run_eh", NULL, &res, &d) == WX_OK && res == 1007);
}

int main(void)
{
	static const uint32_t t_ckpt[] = {WASM_I32, WASM_I32};
	static const uint32_t t_one[] = {WASM_I32};
	struct wasm_functype ft_ckpt = {1, 1, (uint32_t *)t_ckpt};
	struct wasm_functype ft_one = {1, 0, (uint32_t *)t_one};
	struct wasm_module *module;
	struct vm_extern ext;
	struct diag d = {0};

	if (wasm_decode(module_bytes, sizeof module_bytes, NULL, &module, &d) !=
	        WX_OK ||
	    wasm_validate(module, &d) != WX_OK) {
		printf("FAIL cannot load the test module: %s\n", d.msg);
		return 1;
	}
	struct vm_config cfg;

	vm_config_default(&cfg);
	cfg.max_stack_slots = (size_t)16 << 20; /* for test_byte_cap */
	store = vm_store_new(&cfg);
	if (store == NULL) {
		printf("FAIL out of memory\n");
		return 1;
	}
	h_funcs[0] = vm_func_new_host(store, &ft_ckpt, h_ckpt, NULL);
	h_funcs[1] = vm_func_new_host(store, &ft_one, h_restore, NULL);
	h_funcs[2] = vm_func_new_host(store, &ft_one, h_nest, NULL);
	h_funcs[3] = vm_func_new_host(store, &ft_ckpt, h_ckpt2, NULL);
	if (vm_instantiate(store, module, resolve, NULL, &inst, &d) != WX_OK ||
	    vm_instance_export(inst, "sp", 2, &ext) != 0) {
		printf("FAIL cannot instantiate: %s\n", d.msg);
		return 1;
	}
	sp = ext.u.global;
	test_unwind();
	test_dropped();
	test_stale();
	test_byte_cap();
	test_wrappers();
	test_exceptions();
	vm_store_free(store);
	wasm_module_free(module);
	if (wrap_module != NULL)
		wasm_module_free(wrap_module);
	wasm_module_free(eh_module);
	return t_report("t_jmp");
}
