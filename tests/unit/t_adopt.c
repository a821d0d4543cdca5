/*
 * t_adopt.c: unit tests of vm_instance_adopt_code, the reuse of
 * translated code by an exec of the same module (docs/process.md, "Exec
 * of the same program"), through vm.h.
 *
 * Checked: code translated in one store runs in a second store of the
 * same module after the first is freed (indirect calls, a global, memory,
 * an exception caught through the second store's handler list); nothing
 * moves to a store whose dispatch differs (fuel: checked memory), to an
 * instance of another module object with the same bytes, or into
 * functions that already have code; the source's functions lose it.
 */
#include <stdio.h>
#include <string.h>

#include "t_check.h"
#include "vm/vm.h"
#include "wat/wat.h"

static const char text[] =
    "(module"
    " (type $u (func (param i32) (result i32)))"
    " (table 2 funcref) (elem (i32.const 0) $dbl $sq)"
    " (memory 1) (global $g (mut i32) (i32.const 0))"
    " (tag $e (param i32))"
    " (func $dbl (type $u) (i32.add (local.get 0) (local.get 0)))"
    " (func $sq (type $u) (i32.mul (local.get 0) (local.get 0)))"
    " (func $throw (param i32) (throw $e (local.get 0)))"
    " (func (export \"run\") (param i32) (result i32)"
    "  (global.set $g (i32.add (global.get $g) (i32.const 1)))"
    "  (i32.store (i32.const 16) (call_indirect (type $u) (local.get 0)"
    "   (i32.const 1)))"
    "  (i32.add (i32.load (i32.const 16))"
    "   (i32.add (global.get $g)"
    "    (block $h (result i32)"
    "     (try_table (catch $e $h) (call $throw (local.get 0)))"
    "     (i32.const -1000))))))";

/* WAT to a decoded, validated module; NULL on failure. */
static struct wasm_module *load(void)
{
	struct wasm_module *m = NULL;
	uint8_t *bin = NULL;
	size_t len = 0;
	struct diag d;
	int err;

	diag_clear(&d);
	err = wat_to_wasm("t.wat", text, strlen(text), &bin, &len, &d);
	if (err == WX_OK)
		err = wasm_decode(bin, len, NULL, &m, &d);
	if (err == WX_OK)
		err = wasm_validate(m, &d);
	if (err != WX_OK) {
		printf("     load: %s\n", d.msg);
		wasm_module_free(m);
		m = NULL;
	}
	wx_free(bin);
	return m;
}

static int no_imports(void *ud, const struct wasm_import *imp,
                      struct vm_extern *out)
{
	(void)ud;
	(void)imp;
	(void)out;
	return WX_ELINK;
}

/* A store of module 'm' ('fuel' non-zero: checked memory dispatch). */
static struct vm_store *make(const struct wasm_module *m, uint64_t fuel,
                             struct vm_instance **inst)
{
	struct vm_config cfg;
	struct vm_store *s;
	struct diag d;

	vm_config_default(&cfg);
	cfg.fuel = fuel;
	s = vm_store_new(&cfg);
	diag_clear(&d);
	if (s == NULL ||
	    vm_instantiate(s, m, no_imports, NULL, inst, &d) != WX_OK) {
		printf("     instantiate: %s\n", d.msg);
		vm_store_free(s);
		return NULL;
	}
	return s;
}

/* Calls run(x) in 'inst'; -1 on a trap. */
static int64_t run(struct vm_store *s, struct vm_instance *inst, int x)
{
	struct vm_extern ext;
	uint64_t arg = (uint32_t)x, res = 0;
	struct diag d;

	diag_clear(&d);
	if (vm_instance_export(inst, "run", 3, &ext) != WX_OK ||
	    vm_invoke(s, ext.u.func, &arg, &res, NULL, &d) != WX_OK) {
		printf("     run: %s\n", d.msg);
		return -1;
	}
	return (int32_t)res;
}

int main(void)
{
	struct wasm_module *m = load(), *m2 = load();
	struct vm_instance *a = NULL, *b = NULL, *c = NULL, *o = NULL,
	                   *d = NULL;
	struct vm_store *sa, *sb, *sc, *so, *sd;

	CHECK(m != NULL && m2 != NULL);
	if (m == NULL || m2 == NULL)
		return t_report("t_adopt");
	sa = make(m, 0, &a);
	sb = make(m, 0, &b);
	sc = make(m, 1u << 30, &c);
	so = make(m2, 0, &o);
	CHECK(sa != NULL && sb != NULL && sc != NULL && so != NULL);
	if (sa == NULL || sb == NULL || sc == NULL || so == NULL)
		return t_report("t_adopt");
	/* run(5) = 5*5 + 1 (global) + 5 (caught payload). */
	CHECK(run(sa, a, 5) == 31);
	CHECK(vm_instance_adopt_code(c, a) == 0); /* fuel: other dispatch */
	CHECK(vm_instance_adopt_code(o, a) == 0); /* another module object */
	CHECK(vm_instance_adopt_code(a, a) == 0);
	/* run, $sq and $throw were translated; $dbl never ran. */
	CHECK(vm_instance_adopt_code(b, a) == 3);
	CHECK(vm_instance_adopt_code(b, a) == 0); /* a has none left */
	vm_store_free(sa);
	/* The moved code, its handler found in b's list, b's own state. */
	CHECK(run(sb, b, 5) == 31);
	CHECK(run(sb, b, 6) == 36 + 2 + 6);
	CHECK(run(sc, c, 4) == 16 + 1 + 4);
	CHECK(run(so, o, 3) == 9 + 1 + 3);
	/* Functions that have code keep theirs. */
	sd = make(m, 0, &d);
	CHECK(sd != NULL && run(sd, d, 2) == 4 + 1 + 2);
	CHECK(sd != NULL && vm_instance_adopt_code(d, b) == 0);
	vm_store_free(sd);
	vm_store_free(sb);
	vm_store_free(sc);
	vm_store_free(so);
	wasm_module_free(m);
	wasm_module_free(m2);
	return t_report("t_adopt");
}
