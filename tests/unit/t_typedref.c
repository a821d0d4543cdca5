/*
 * t_typedref.c: unit tests of typed function references (WebAssembly
 * 3.0) from the decoder to the interpreter, on modules written in WAT:
 * canonical type indices, the validator's rules (local initialisation,
 * non-null tables, subtyping, GC rejected), call_ref / return_call_ref,
 * br_on_null / br_on_non_null and ref.as_non_null at run time, and
 * import matching of typed references across modules. Also memory64
 * and table64 at run time, with guard pages and with explicit checks:
 * addresses past 32 bits, the clamp boundary, 64-bit offsets.
 *
 * Prints one line per failed check and "N passed, M failed" at the end;
 * exits non-zero if any check failed.
 */
#include <stdio.h>
#include <string.h>

#include "t_check.h"
#include "vm/vm.h"
#include "wat/wat.h"

/* WAT to a decoded module; NULL (message in 'd') if it fails. */
static int load_wat(const char *text, struct wasm_module **m, struct diag *d)
{
	uint8_t *bin = NULL;
	size_t len = 0;
	int err;

	*m = NULL;
	diag_clear(d);
	err = wat_to_wasm("t.wat", text, strlen(text), &bin, &len, d);
	if (err == WX_OK)
		err = wasm_decode(bin, len, NULL, m, d);
	if (err == WX_OK)
		err = wasm_validate(*m, d);
	if (err != WX_OK) {
		wasm_module_free(*m);
		*m = NULL;
	}
	wx_free(bin);
	return err;
}

/* Expects 'text' to be rejected with a message starting with 'msg'. */
static void expect_reject(const char *text, const char *msg)
{
	struct wasm_module *m;
	struct diag d;
	int err = load_wat(text, &m, &d);

	CHECK(err != WX_OK && strncmp(d.msg, msg, strlen(msg)) == 0);
	if (err == WX_OK || strncmp(d.msg, msg, strlen(msg)) != 0)
		printf("     got \"%s\", want \"%s\"\n",
		       err == WX_OK ? "(accepted)" : d.msg, msg);
	wasm_module_free(m);
}

static void test_canonical_types(void)
{
	/* $a and $b are one type; $r and $s (each naming itself) too; $c
	 * differs from $a only in naming $r instead of $s: still equal. */
	const char *text = "(module"
	                   " (type $a (func (param i32)))"
	                   " (type $b (func (param i32)))"
	                   " (type $r (func (param (ref null $r))))"
	                   " (type $s (func (param (ref null $s))))"
	                   " (type $c (func (param (ref $r))))"
	                   " (type $d (func (param (ref $s))))"
	                   " (type $e (func (param (ref null $s)))))";
	struct wasm_module *m;
	struct diag d;

	CHECK(load_wat(text, &m, &d) == WX_OK);
	if (m == NULL)
		return;
	CHECK(m->type_canon[1] == 0);
	CHECK(m->type_canon[3] == 2);
	CHECK(m->type_canon[5] == 4);
	CHECK(m->type_canon[6] != 4); /* nullable differs */
	CHECK(m->types[4].types[0] == wasm_ref_idx(2, false));
	CHECK(wasm_vt_sub(wasm_ref_idx(2, false), WASM_FUNCREF));
	CHECK(!wasm_vt_sub(WASM_FUNCREF, wasm_ref_idx(2, true)));
	CHECK(wasm_vt_sub(WASM_NULLFUNCREF, wasm_ref_idx(2, true)));
	CHECK(!wasm_vt_sub(WASM_NULLFUNCREF, wasm_ref_idx(2, false)));
	CHECK(!wasm_vt_sub(WASM_EXTERNREF, WASM_FUNCREF));
	wasm_module_free(m);
}

static void test_validation(void)
{
	expect_reject("(module (func (local $x (ref extern))"
	              " (drop (local.get $x))))",
	              "uninitialized local");
	/* Set inside a block: unset again after it. */
	expect_reject("(module (func (param $p (ref extern))"
	              " (local $x (ref extern))"
	              " (block (local.set $x (local.get $p)))"
	              " (drop (local.get $x))))",
	              "uninitialized local");
	expect_reject("(module (table 1 (ref func)))", "type mismatch");
	expect_reject("(module (type $t (func))"
	              " (func (param funcref) (call_ref $t (local.get 0))))",
	              "type mismatch");
	expect_reject("(module (func (result (ref func)) (ref.null func)))",
	              "type mismatch");
	expect_reject("(module (type $t (struct)))", "GC not supported");
	expect_reject("(module (func (param anyref)))", "GC not supported");
	/* A forward reference outside a recursion group. */
	expect_reject("(module (type (func (param (ref 1)))) (type (func)))",
	              "unknown type");
}

/*
 * (ref $t) from ref.func flows into call_ref, return_call_ref (a million
 * deep: constant stack), br_on_null / br_on_non_null and a table whose
 * elements start as a non-null initialiser.
 */
static const char *run_module =
    "(module"
    " (type $t (func (param i32) (result i32)))"
    " (table $tab 2 (ref $t) (ref.func $inc))"
    " (elem declare func $inc $count)"
    " (func $inc (type $t) (i32.add (local.get 0) (i32.const 1)))"
    " (func (export \"call\") (param i32) (result i32)"
    "  (local $f (ref $t))"
    "  (local.set $f (ref.func $inc))"
    "  (call_ref $t (local.get 0) (local.get $f)))"
    " (func (export \"call_null\") (result i32)"
    "  (call_ref $t (i32.const 0) (ref.null $t)))"
    " (func (export \"table\") (param i32) (result i32)"
    "  (call_ref $t (local.get 0) (table.get $tab (i32.const 1))))"
    " (func $count (type $t)"
    "  (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 7))"
    "   (else (return_call_ref $t (i32.sub (local.get 0) (i32.const 1))"
    "    (ref.func $count)))))"
    " (func (export \"count\") (param i32) (result i32)"
    "  (call $count (local.get 0)))"
    " (func (export \"on_null\") (param i32) (result i32)"
    "  (block $null"
    "   (return (call_ref $t (i32.const 10)"
    "    (br_on_null $null (select (result (ref null $t))"
    "     (ref.func $inc) (ref.null $t) (local.get 0))))))"
    "  (i32.const -1))"
    " (func (export \"on_non_null\") (param i32) (result i32)"
    "  (local $f (ref $t))"
    "  (local.set $f (block $some (result (ref $t))"
    "   (br_on_non_null $some (select (result (ref null $t))"
    "    (ref.func $inc) (ref.null $t) (local.get 0)))"
    "   (return (i32.const -1))))"
    "  (call_ref $t (i32.const 20) (local.get $f)))"
    " (func (export \"as_non_null\") (result i32)"
    "  (drop (ref.as_non_null (ref.null $t))) (i32.const 0)))";

static int call1(struct vm_store *s, struct vm_instance *inst, const char *name,
                 uint32_t arg, uint32_t *out, struct diag *d)
{
	struct vm_extern e;
	uint64_t a = arg, r = 0;
	int rc;

	diag_clear(d);
	if (vm_instance_export(inst, name, strlen(name), &e) != WX_OK)
		return -1;
	rc = vm_invoke(s, e.u.func, &a, &r, NULL, d);
	*out = (uint32_t)r;
	return rc;
}

static void test_run(void)
{
	struct wasm_module *m;
	struct vm_store *s;
	struct vm_instance *inst = NULL;
	struct diag d;
	uint32_t r = 0;

	CHECK(load_wat(run_module, &m, &d) == WX_OK);
	if (m == NULL) {
		printf("     %s\n", d.msg);
		return;
	}
	s = vm_store_new(NULL);
	CHECK(vm_instantiate(s, m, NULL, NULL, &inst, &d) == WX_OK);
	if (inst != NULL) {
		CHECK(call1(s, inst, "call", 41, &r, &d) == WX_OK && r == 42);
		CHECK(call1(s, inst, "call_null", 0, &r, &d) == WX_ETRAP &&
		      strstr(d.msg, "null function reference") != NULL);
		CHECK(call1(s, inst, "table", 1, &r, &d) == WX_OK && r == 2);
		CHECK(call1(s, inst, "count", 1000000, &r, &d) == WX_OK &&
		      r == 7);
		CHECK(call1(s, inst, "on_null", 1, &r, &d) == WX_OK && r == 11);
		CHECK(call1(s, inst, "on_null", 0, &r, &d) == WX_OK &&
		      r == UINT32_MAX);
		CHECK(call1(s, inst, "on_non_null", 1, &r, &d) == WX_OK &&
		      r == 21);
		CHECK(call1(s, inst, "on_non_null", 0, &r, &d) == WX_OK &&
		      r == UINT32_MAX);
		CHECK(call1(s, inst, "as_non_null", 0, &r, &d) == WX_ETRAP &&
		      strstr(d.msg, "null reference") != NULL);
	}
	vm_store_free(s);
	wasm_module_free(m);
}

/* Module B imports A's global of type (ref $t), declared by B with an
 * equal type of its own numbering; a different type does not link. */
struct link {
	struct vm_instance *a;
};

static int resolve_a(void *ud, const struct wasm_import *imp,
                     struct vm_extern *out)
{
	struct link *l = ud;
	return vm_instance_export(l->a, imp->name, imp->name_len, out) == WX_OK
	           ? 0
	           : 1;
}

static void test_link(void)
{
	const char *a = "(module (type $t (func (param i32) (result i32)))"
	                " (func $f (type $t) (local.get 0))"
	                " (global (export \"g\") (ref $t) (ref.func $f)))";
	const char *b = "(module (type (func)) (type $u (func (param i32)"
	                " (result i32)))"
	                " (import \"a\" \"g\" (global $g (ref null $u)))"
	                " (func (export \"f\") (param i32) (result i32)"
	                "  (call_ref $u (local.get 0) (global.get $g))))";
	const char *bad = "(module (type $u (func (param i64)))"
	                  " (import \"a\" \"g\" (global (ref $u))))";
	struct wasm_module *ma, *mb, *mbad;
	struct vm_store *s;
	struct vm_instance *ib = NULL;
	struct link l = {NULL};
	struct diag d;
	uint32_t r = 0;

	CHECK(load_wat(a, &ma, &d) == WX_OK);
	CHECK(load_wat(b, &mb, &d) == WX_OK);
	CHECK(load_wat(bad, &mbad, &d) == WX_OK);
	if (ma == NULL || mb == NULL || mbad == NULL)
		goto out;
	s = vm_store_new(NULL);
	CHECK(vm_instantiate(s, ma, NULL, NULL, &l.a, &d) == WX_OK);
	if (l.a != NULL) {
		CHECK(vm_instantiate(s, mb, resolve_a, &l, &ib, &d) == WX_OK);
		if (ib != NULL)
			CHECK(call1(s, ib, "f", 5, &r, &d) == WX_OK && r == 5);
		ib = NULL;
		CHECK(vm_instantiate(s, mbad, resolve_a, &l, &ib, &d) ==
		          WX_ELINK &&
		      strstr(d.msg, "incompatible import type") != NULL);
	}
	vm_store_free(s);
out:
	wasm_module_free(ma);
	wasm_module_free(mb);
	wasm_module_free(mbad);
}

static const char *mem64_module =
    "(module"
    " (memory i64 1 2)"
    " (table i64 2 funcref) (elem (i64.const 1) $seven)"
    " (type $v (func (result i32)))"
    " (func $seven (result i32) (i32.const 7))"
    " (func (export \"load\") (param i64) (result i32)"
    "  (i32.load8_u (local.get 0)))"
    " (func (export \"load_off\") (param i64) (result i32)"
    "  (i32.load offset=0x100000000 (local.get 0)))"
    " (func (export \"store\") (param i64) (result i32)"
    "  (i32.store (local.get 0) (i32.const 0x01020304)) (i32.const 1))"
    " (func (export \"grow\") (param i64) (result i32)"
    "  (i32.wrap_i64 (memory.grow (local.get 0))))"
    " (func (export \"size\") (param i64) (result i32)"
    "  (i32.wrap_i64 (memory.size)))"
    " (func (export \"call\") (param i64) (result i32)"
    "  (call_indirect (type $v) (local.get 0)))"
    " (func (export \"atomic\") (param i64) (result i32)"
    "  (atomic.fence)"
    "  (i32.atomic.store offset=4 (local.get 0) (i32.const 7))"
    "  (atomic.fence)"
    "  (i32.atomic.load offset=4 (local.get 0))))";

/* Calls export 'name' with an i64; returns the i32 result or -1 on trap. */
static int64_t call64(struct vm_store *s, struct vm_instance *inst,
                      const char *name, uint64_t arg)
{
	struct vm_extern e;
	struct diag d;
	uint64_t r = 0;

	diag_clear(&d);
	if (vm_instance_export(inst, name, strlen(name), &e) != WX_OK)
		return -2;
	if (vm_invoke(s, e.u.func, &arg, &r, NULL, &d) != WX_OK)
		return strstr(d.msg, "out of bounds") ||
		               strstr(d.msg, "undefined element")
		           ? -1
		           : -3;
	return (uint32_t)r;
}

static void test_memory64(bool bounds_checks)
{
	struct wasm_module *m;
	struct vm_config cfg;
	struct vm_store *s;
	struct vm_instance *inst = NULL;
	struct diag d;

	CHECK(load_wat(mem64_module, &m, &d) == WX_OK);
	if (m == NULL) {
		printf("     %s\n", d.msg);
		return;
	}
	vm_config_default(&cfg);
	cfg.bounds_checks = bounds_checks;
	s = vm_store_new(&cfg);
	CHECK(vm_instantiate(s, m, NULL, NULL, &inst, &d) == WX_OK);
	if (inst != NULL) {
		CHECK(call64(s, inst, "store", 65532) == 1);
		CHECK(call64(s, inst, "load", 65532) == 4);
		CHECK(call64(s, inst, "store", 65533) == -1);
		CHECK(call64(s, inst, "load", 65536) == -1);
		/* Past 32 bits, and exactly the clamp value. */
		CHECK(call64(s, inst, "load", ((uint64_t)1 << 32) + 4) == -1);
		CHECK(call64(s, inst, "load", UINT32_MAX) == -1);
		CHECK(call64(s, inst, "load", UINT64_MAX) == -1);
		CHECK(call64(s, inst, "load_off", 0) == -1);
		CHECK(call64(s, inst, "size", 0) == 1);
		CHECK(call64(s, inst, "grow", 1) == 1);
		/* Failure is -1 as an i64 (wrapped here to 32 bits). */
		CHECK(call64(s, inst, "grow", (uint64_t)1 << 40) == UINT32_MAX);
		CHECK(call64(s, inst, "size", 0) == 2);
		CHECK(call64(s, inst, "load", 65536 + 4) == 0);
		CHECK(call64(s, inst, "call", 1) == 7);
		CHECK(call64(s, inst, "atomic", 8) == 7);
		CHECK(call64(s, inst, "atomic", ((uint64_t)1 << 32) + 8) == -1);
		CHECK(call64(s, inst, "call", ((uint64_t)1 << 32) + 1) == -1);
	}
	vm_store_free(s);
	wasm_module_free(m);
}

int main(void)
{
	test_canonical_types();
	test_validation();
	test_run();
	test_link();
	test_memory64(false);
	test_memory64(true);
	return t_report("t_typedref");
}
