/*
 * t_eh.c: unit tests of exception handling (the exnref form: try_table,
 * throw, throw_ref, tags) and tail calls in the VM, through vm.h, on one
 * module (WAT below; encoded by hand, as Debian's wabt 1.0.32 cannot
 * assemble try_table or exnref). The legacy form (try/catch/delegate/
 * rethrow) and return_call(_indirect) also run in the spec suite.
 *
 * Checked: payloads through 50 frames, catch_ref + throw_ref, handlers
 * that branch to a block, a loop and the function label, tag mismatch,
 * "uncaught exception" and "null exception reference" traps, a host
 * function re-entering wasm sees an escaping exception only as a trap
 * (and code in that nested level, as in a signal handler, throws and
 * catches normally while an outer try_table is live), 200,000 throws with exnrefs dropped reuse storage, exnrefs kept in a
 * table hit the cap with a trap, return_call leaves its try, a tail call
 * to a host function, 1,000,000-deep mutual tail recursion at the
 * default call-depth limit. Also atomics on memory 1 (multi-memory),
 * which wabt 1.0.32 cannot assemble either.
 *
 * (module
 *   (type (func)) (type (func (param i32) (result i32)))
 *   (type (func (param i32))) (type (func (result i32)))
 *   (type (func (param i32 i32) (result i32)))
 *   (type $ie (func (result i32 exnref)))
 *   (import "env" "reenter" (func $reenter (param i32) (result i32)))
 *   (import "env" "add1" (func $add1 (param i32) (result i32)))
 *   (table $t 0 exnref)
 *   (memory $m0 1) (memory $m1 1)
 *   (tag $e (param i32)) (tag $f)
 *   (func $thrower (export "thrower") (param i32) (result i32)
 *     (throw $e (local.get 0)))
 *   (func $deep (param i32 i32) (result i32)
 *     (if (result i32) (i32.eqz (local.get 0))
 *       (then (throw $e (local.get 1)))
 *       (else (i32.add (call $deep (i32.sub (local.get 0) (i32.const 1))
 *                                  (local.get 1)) (i32.const 1)))))
 *   (func (export "catch_payload") (param i32) (result i32)
 *     (block $h (result i32)
 *       (try_table (catch $e $h)
 *         (drop (call $deep (i32.const 50) (local.get 0))))
 *       (i32.const -1))
 *     (i32.add (i32.const 100)))
 *   (func (export "rethrow_ref") (param i32) (result i32)
 *     (block $outer (result i32)
 *       (try_table (catch $e $outer)
 *         (block $h (result exnref)
 *           (try_table (catch_all_ref $h)
 *             (drop (call $thrower (local.get 0))))
 *           (unreachable))
 *         (throw_ref))
 *       (i32.const -1)))
 *   (func (export "uncaught") (throw $f))
 *   (func (export "wrong_tag") (result i32)
 *     (block $h (try_table (catch $f $h)
 *       (drop (call $thrower (i32.const 1)))))
 *     (i32.const 7))
 *   (func (export "via_host") (param i32) (result i32)
 *     (block $h (try_table (catch_all $h)
 *       (return (call $reenter (local.get 0)))))
 *     (i32.const -2))
 *   (func (export "null_ref") (throw_ref (ref.null exn)))
 *   (func (export "loop_many") (param i32) (result i32) (local exnref i32)
 *     (loop $l
 *       (block $h (type $ie)
 *         (try_table (catch_ref $e $h) (throw $e (local.get 0)))
 *         (unreachable))
 *       (local.set 1)
 *       (local.set 2 (i32.add (local.get 2)))
 *       (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
 *       (br_if $l (local.get 0)))
 *     (local.get 2))
 *   (func (export "keep_all") (param i32) (result i32)
 *     (loop $l
 *       (block $h (result exnref)
 *         (try_table (catch_all_ref $h) (throw $e (local.get 0)))
 *         (unreachable))
 *       (drop (table.grow $t (i32.const 1)))
 *       (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
 *       (br_if $l (local.get 0)))
 *     (table.size $t))
 *   (func (export "to_func") (param i32) (result i32)
 *     (try_table (catch $e 0) (drop (call $thrower (local.get 0))))
 *     (i32.const -3))
 *   (func (export "to_loop") (param i32) (result i32) (local i32)
 *     (loop $l
 *       (local.set 1 (i32.add (local.get 1) (i32.const 1)))
 *       (try_table (catch_all $l)
 *         (if (i32.lt_u (local.get 1) (local.get 0))
 *           (then (drop (call $thrower (i32.const 0)))))))
 *     (local.get 1))
 *   (func (export "tail_host") (param i32) (result i32)
 *     (return_call $add1 (local.get 0)))
 *   (func (export "tail_in_try") (param i32) (result i32)
 *     (block $h (result i32)
 *       (try_table (catch $e $h) (return_call $thrower (local.get 0)))
 *       (i32.const -4)))
 *   (func $even (export "even") (param i32) (result i32)
 *     (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 1))
 *       (else (return_call $odd (i32.sub (local.get 0) (i32.const 1))))))
 *   (func $odd (param i32) (result i32)
 *     (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
 *       (else (return_call $even (i32.sub (local.get 0) (i32.const 1))))))
 *   (func (export "atomic_mem1") (param i32) (result i32)
 *     (drop (i32.atomic.rmw.add $m1 (i32.const 8) (local.get 0)))
 *     (drop (i32.atomic.rmw.add $m1 (i32.const 8) (i32.const 6)))
 *     (i32.add (i32.atomic.load $m1 (i32.const 8))
 *              (i32.load $m0 (i32.const 8))))
 *   (export "e" (tag $e)))
 */
#include <stdio.h>
#include <string.h>

#include "vm/vm.h"
#include "t_check.h"

static const uint8_t module_bytes[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x1c, 0x06, 0x60,
    0x00, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x00, 0x60,
    0x00, 0x01, 0x7f, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x02,
    0x7f, 0x69, 0x02, 0x1a, 0x02, 0x03, 0x65, 0x6e, 0x76, 0x07, 0x72, 0x65,
    0x65, 0x6e, 0x74, 0x65, 0x72, 0x00, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x04,
    0x61, 0x64, 0x64, 0x31, 0x00, 0x01, 0x03, 0x12, 0x11, 0x01, 0x04, 0x01,
    0x01, 0x00, 0x03, 0x01, 0x00, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
    0x01, 0x01, 0x04, 0x04, 0x01, 0x69, 0x00, 0x00, 0x05, 0x05, 0x02, 0x00,
    0x01, 0x00, 0x01, 0x0d, 0x05, 0x02, 0x00, 0x02, 0x00, 0x00, 0x07, 0xb4,
    0x01, 0x10, 0x07, 0x74, 0x68, 0x72, 0x6f, 0x77, 0x65, 0x72, 0x00, 0x02,
    0x0d, 0x63, 0x61, 0x74, 0x63, 0x68, 0x5f, 0x70, 0x61, 0x79, 0x6c, 0x6f,
    0x61, 0x64, 0x00, 0x04, 0x0b, 0x72, 0x65, 0x74, 0x68, 0x72, 0x6f, 0x77,
    0x5f, 0x72, 0x65, 0x66, 0x00, 0x05, 0x08, 0x75, 0x6e, 0x63, 0x61, 0x75,
    0x67, 0x68, 0x74, 0x00, 0x06, 0x09, 0x77, 0x72, 0x6f, 0x6e, 0x67, 0x5f,
    0x74, 0x61, 0x67, 0x00, 0x07, 0x08, 0x76, 0x69, 0x61, 0x5f, 0x68, 0x6f,
    0x73, 0x74, 0x00, 0x08, 0x08, 0x6e, 0x75, 0x6c, 0x6c, 0x5f, 0x72, 0x65,
    0x66, 0x00, 0x09, 0x09, 0x6c, 0x6f, 0x6f, 0x70, 0x5f, 0x6d, 0x61, 0x6e,
    0x79, 0x00, 0x0a, 0x08, 0x6b, 0x65, 0x65, 0x70, 0x5f, 0x61, 0x6c, 0x6c,
    0x00, 0x0b, 0x07, 0x74, 0x6f, 0x5f, 0x66, 0x75, 0x6e, 0x63, 0x00, 0x0c,
    0x07, 0x74, 0x6f, 0x5f, 0x6c, 0x6f, 0x6f, 0x70, 0x00, 0x0d, 0x09, 0x74,
    0x61, 0x69, 0x6c, 0x5f, 0x68, 0x6f, 0x73, 0x74, 0x00, 0x0e, 0x0b, 0x74,
    0x61, 0x69, 0x6c, 0x5f, 0x69, 0x6e, 0x5f, 0x74, 0x72, 0x79, 0x00, 0x0f,
    0x04, 0x65, 0x76, 0x65, 0x6e, 0x00, 0x10, 0x0b, 0x61, 0x74, 0x6f, 0x6d,
    0x69, 0x63, 0x5f, 0x6d, 0x65, 0x6d, 0x31, 0x00, 0x12, 0x01, 0x65, 0x04,
    0x00, 0x0a, 0xfb, 0x02, 0x11, 0x06, 0x00, 0x20, 0x00, 0x08, 0x00, 0x0b,
    0x19, 0x00, 0x20, 0x00, 0x45, 0x04, 0x7f, 0x20, 0x01, 0x08, 0x00, 0x05,
    0x20, 0x00, 0x41, 0x01, 0x6b, 0x20, 0x01, 0x10, 0x03, 0x41, 0x01, 0x6a,
    0x0b, 0x0b, 0x19, 0x00, 0x02, 0x7f, 0x1f, 0x40, 0x01, 0x00, 0x00, 0x00,
    0x41, 0x32, 0x20, 0x00, 0x10, 0x03, 0x1a, 0x0b, 0x41, 0x7f, 0x0b, 0x41,
    0xe4, 0x00, 0x6a, 0x0b, 0x1e, 0x00, 0x02, 0x7f, 0x1f, 0x40, 0x01, 0x00,
    0x00, 0x00, 0x02, 0x69, 0x1f, 0x40, 0x01, 0x03, 0x00, 0x20, 0x00, 0x10,
    0x02, 0x1a, 0x0b, 0x00, 0x0b, 0x0a, 0x0b, 0x41, 0x7f, 0x0b, 0x0b, 0x04,
    0x00, 0x08, 0x01, 0x0b, 0x13, 0x00, 0x02, 0x40, 0x1f, 0x40, 0x01, 0x00,
    0x01, 0x00, 0x41, 0x01, 0x10, 0x02, 0x1a, 0x0b, 0x0b, 0x41, 0x07, 0x0b,
    0x12, 0x00, 0x02, 0x40, 0x1f, 0x40, 0x01, 0x02, 0x00, 0x20, 0x00, 0x10,
    0x00, 0x0f, 0x0b, 0x0b, 0x41, 0x7e, 0x0b, 0x05, 0x00, 0xd0, 0x69, 0x0a,
    0x0b, 0x2c, 0x02, 0x01, 0x69, 0x01, 0x7f, 0x03, 0x40, 0x02, 0x05, 0x1f,
    0x40, 0x01, 0x01, 0x00, 0x00, 0x20, 0x00, 0x08, 0x00, 0x0b, 0x00, 0x0b,
    0x21, 0x01, 0x20, 0x02, 0x6a, 0x21, 0x02, 0x20, 0x00, 0x41, 0x01, 0x6b,
    0x21, 0x00, 0x20, 0x00, 0x0d, 0x00, 0x0b, 0x20, 0x02, 0x0b, 0x27, 0x00,
    0x03, 0x40, 0x02, 0x69, 0x1f, 0x40, 0x01, 0x03, 0x00, 0x20, 0x00, 0x08,
    0x00, 0x0b, 0x00, 0x0b, 0x41, 0x01, 0xfc, 0x0f, 0x00, 0x1a, 0x20, 0x00,
    0x41, 0x01, 0x6b, 0x21, 0x00, 0x20, 0x00, 0x0d, 0x00, 0x0b, 0xfc, 0x10,
    0x00, 0x0b, 0x10, 0x00, 0x1f, 0x40, 0x01, 0x00, 0x00, 0x00, 0x20, 0x00,
    0x10, 0x02, 0x1a, 0x0b, 0x41, 0x7d, 0x0b, 0x23, 0x01, 0x01, 0x7f, 0x03,
    0x40, 0x20, 0x01, 0x41, 0x01, 0x6a, 0x21, 0x01, 0x1f, 0x40, 0x01, 0x02,
    0x00, 0x20, 0x01, 0x20, 0x00, 0x49, 0x04, 0x40, 0x41, 0x00, 0x10, 0x02,
    0x1a, 0x0b, 0x0b, 0x0b, 0x20, 0x01, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x12,
    0x01, 0x0b, 0x12, 0x00, 0x02, 0x7f, 0x1f, 0x40, 0x01, 0x00, 0x00, 0x00,
    0x20, 0x00, 0x12, 0x02, 0x0b, 0x41, 0x7c, 0x0b, 0x0b, 0x12, 0x00, 0x20,
    0x00, 0x45, 0x04, 0x7f, 0x41, 0x01, 0x05, 0x20, 0x00, 0x41, 0x01, 0x6b,
    0x12, 0x11, 0x0b, 0x0b, 0x12, 0x00, 0x20, 0x00, 0x45, 0x04, 0x7f, 0x41,
    0x00, 0x05, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x12, 0x10, 0x0b, 0x0b, 0x23,
    0x00, 0x41, 0x08, 0x20, 0x00, 0xfe, 0x1e, 0x42, 0x01, 0x00, 0x1a, 0x41,
    0x08, 0x41, 0x06, 0xfe, 0x1e, 0x42, 0x01, 0x00, 0x1a, 0x41, 0x08, 0xfe,
    0x10, 0x42, 0x01, 0x00, 0x41, 0x08, 0x28, 0x02, 0x00, 0x6a, 0x0b,
};

struct fixture {
	struct wasm_module *module;
	struct vm_store *store;
	struct vm_instance *inst;
	struct vm_func *reenter, *add1;
	const char *reenter_name; /* the export "reenter" invokes */
	int inner_rc; /* what "reenter" saw from its vm_invoke */
	uint64_t inner_result;
	char inner_msg[sizeof(((struct diag *)0)->msg)];
};

/*
 * "env" "reenter": invokes export fx->reenter_name ("thrower" unless
 * set) through a nested vm_invoke and returns x + 1000.
 */
static int host_reenter(struct vm_call *call, void *ud)
{
	struct fixture *fx = ud;
	const char *name = fx->reenter_name ? fx->reenter_name : "thrower";
	struct vm_extern e;
	struct diag d = {0};
	uint64_t r = 0;

	if (vm_instance_export(call->caller, name, strlen(name), &e) != WX_OK)
		return vm_call_trap(call, "no such export");
	fx->inner_rc = vm_invoke(fx->store, e.u.func, call->args, &r, NULL, &d);
	fx->inner_result = r;
	snprintf(fx->inner_msg, sizeof fx->inner_msg, "%s", d.msg);
	call->results[0] = (uint32_t)(call->args[0] + 1000);
	return 0;
}

static int host_add1(struct vm_call *call, void *ud)
{
	(void)ud;
	call->results[0] = (uint32_t)(call->args[0] + 1);
	return 0;
}

static int resolve(void *ud, const struct wasm_import *imp,
                   struct vm_extern *out)
{
	struct fixture *fx = ud;

	if (imp->kind != WASM_EXT_FUNC)
		return WX_ELINK;
	out->kind = WASM_EXT_FUNC;
	if (imp->name_len == 7 && memcmp(imp->name, "reenter", 7) == 0)
		out->u.func = fx->reenter;
	else if (imp->name_len == 4 && memcmp(imp->name, "add1", 4) == 0)
		out->u.func = fx->add1;
	else
		return WX_ELINK;
	return 0;
}

static int setup(struct fixture *fx)
{
	struct diag d = {0};
	static const uint32_t sig[] = {WASM_I32, WASM_I32};
	struct wasm_functype ft = {1, 1, (uint32_t *)sig};

	memset(fx, 0, sizeof *fx);
	if (wasm_decode(module_bytes, sizeof module_bytes, NULL, &fx->module,
	                &d) != WX_OK ||
	    wasm_validate(fx->module, &d) != WX_OK) {
		printf("FAIL: module: %s\n", d.msg);
		return -1;
	}
	fx->store = vm_store_new(NULL);
	fx->reenter = vm_func_new_host(fx->store, &ft, host_reenter, fx);
	fx->add1 = vm_func_new_host(fx->store, &ft, host_add1, fx);
	if (vm_instantiate(fx->store, fx->module, resolve, fx, &fx->inst, &d) !=
	    WX_OK) {
		printf("FAIL: instantiate: %s\n", d.msg);
		return -1;
	}
	return 0;
}

static void teardown(struct fixture *fx)
{
	vm_store_free(fx->store);
	wasm_module_free(fx->module);
}

/* Invokes export 'name' with one argument; the error code, 'd' the text. */
static int call1(struct fixture *fx, const char *name, uint64_t arg,
                 uint64_t *result, struct diag *d)
{
	struct vm_extern e;
	uint64_t args[1] = {arg};

	diag_clear(d);
	*result = 0;
	if (vm_instance_export(fx->inst, name, strlen(name), &e) != WX_OK)
		return WX_EARG;
	return vm_invoke(fx->store, e.u.func, args, result, NULL, d);
}

static bool trapped(int rc, const struct diag *d, const char *msg)
{
	return rc == WX_ETRAP && strstr(d->msg, msg) != NULL;
}

static void test_exceptions(struct fixture *fx)
{
	struct diag d;
	uint64_t r;
	struct vm_extern e;

	CHECK(call1(fx, "catch_payload", 23, &r, &d) == WX_OK && r == 123);
	CHECK(call1(fx, "rethrow_ref", 42, &r, &d) == WX_OK && r == 42);
	CHECK(call1(fx, "to_func", 9, &r, &d) == WX_OK && r == 9);
	CHECK(call1(fx, "to_loop", 5, &r, &d) == WX_OK && r == 5);
	CHECK(trapped(call1(fx, "thrower", 1, &r, &d), &d,
	              "uncaught exception"));
	CHECK(trapped(call1(fx, "uncaught", 0, &r, &d), &d,
	              "uncaught exception"));
	CHECK(trapped(call1(fx, "wrong_tag", 0, &r, &d), &d,
	              "uncaught exception"));
	CHECK(trapped(call1(fx, "null_ref", 0, &r, &d), &d,
	              "null exception reference"));
	/* The host's inner vm_invoke trapped; the outer catch_all saw no
	 * exception, only the host's normal return. */
	CHECK(call1(fx, "via_host", 5, &r, &d) == WX_OK && r == 1005);
	CHECK(fx->inner_rc == WX_ETRAP &&
	      strstr(fx->inner_msg, "uncaught exception") != NULL);
	/* Inside the nested level (as a signal handler runs), code throws
	 * and catches through 50 frames while the outer try_table is live. */
	fx->reenter_name = "catch_payload";
	CHECK(call1(fx, "via_host", 6, &r, &d) == WX_OK && r == 1006);
	CHECK(fx->inner_rc == WX_OK && fx->inner_result == 106);
	fx->reenter_name = NULL;
	/* Storage is reused once exnrefs are dropped: 200,000 throws. */
	CHECK(call1(fx, "loop_many", 200000, &r, &d) == WX_OK &&
	      (uint32_t)r == (uint32_t)(200000ull * 200001ull / 2));
	/* A tag is exported as itself. */
	CHECK(vm_instance_export(fx->inst, "e", 1, &e) == WX_OK &&
	      e.kind == WASM_EXT_TAG && e.u.tag != NULL);
	/* The store still works after all that. */
	CHECK(call1(fx, "catch_payload", 1, &r, &d) == WX_OK && r == 101);
}

/* Atomics with a memory index reach memory 1 only. */
static void test_atomic_memidx(struct fixture *fx)
{
	struct diag d;
	uint64_t r;

	CHECK(call1(fx, "atomic_mem1", 5, &r, &d) == WX_OK && r == 11);
	CHECK(call1(fx, "atomic_mem1", 1, &r, &d) == WX_OK && r == 18);
}

static void test_storage_cap(struct fixture *fx)
{
	struct diag d;
	uint64_t r;

	/* Kept in a table, 1000 exnrefs stay valid... */
	CHECK(call1(fx, "keep_all", 1000, &r, &d) == WX_OK && r == 1000);
	/* ...and past the per-thread cap the next throw traps. */
	CHECK(trapped(call1(fx, "keep_all", 100000, &r, &d), &d,
	              "exception storage exhausted"));
}

static void test_tail_calls(struct fixture *fx)
{
	struct diag d;
	uint64_t r;

	CHECK(call1(fx, "even", 1000000, &r, &d) == WX_OK && r == 1);
	CHECK(call1(fx, "even", 999999, &r, &d) == WX_OK && r == 0);
	CHECK(call1(fx, "tail_host", 41, &r, &d) == WX_OK && r == 42);
	/* return_call leaves the try_table: its handler does not apply. */
	CHECK(trapped(call1(fx, "tail_in_try", 3, &r, &d), &d,
	              "uncaught exception"));
}

int main(void)
{
	struct fixture fx;

	if (setup(&fx) != 0)
		return 1;
	test_exceptions(&fx);
	test_tail_calls(&fx);
	test_atomic_memidx(&fx);
	test_storage_cap(&fx);
	teardown(&fx);
	return t_report("t_eh");
}
