/*
 * t_vm.c: unit tests of the VM (src/vm/) through vm.h on one small module
 * (its WAT source is in the comment above 'module_bytes'): calls and
 * multiple results, traps in the spec's wording, the call-depth limit,
 * fuel, interrupts, memory caps and a host function that re-enters
 * vm_invoke.
 *
 * Prints one line per failed check and "N passed, M failed" at the end;
 * exits non-zero if any check failed.
 */
#include <stdio.h>
#include <string.h>

#include "vm/vm.h"
#include "t_check.h"



/*
 * (module
 *   (import "env" "host" (func $host (param i32) (result i32)))
 *   (memory 1 3)
 *   (func (export "loop") (loop (br 0)))
 *   (func $rec (export "rec") (param i32) (result i32)
 *     (call $rec (i32.add (local.get 0) (i32.const 1))))
 *   (func (export "grow") (param i32) (result i32)
 *     (memory.grow (local.get 0)))
 *   (func (export "callhost") (param i32) (result i32)
 *     (call $host (local.get 0)))
 *   (func (export "double") (param i32) (result i32)
 *     (i32.mul (local.get 0) (i32.const 2)))
 *   (func (export "multi") (param i32 i64) (result i64 i32)
 *     (local.get 1) (local.get 0))
 *   (func (export "div") (param i32 i32) (result i32)
 *     (i32.div_s (local.get 0) (local.get 1)))
 *   (func (export "sum") (param i32) (result i32) (local i32)
 *     (block (loop
 *       (br_if 1 (i32.eqz (local.get 0)))
 *       (local.set 1 (i32.add (local.get 1) (local.get 0)))
 *       (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
 *       (br 0)))
 *     (local.get 1)))
 */
static const uint8_t module_bytes[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x16, 0x04, 0x60,
    0x01, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x00, 0x60, 0x02, 0x7f, 0x7e, 0x02,
    0x7e, 0x7f, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x02, 0x0c, 0x01, 0x03,
    0x65, 0x6e, 0x76, 0x04, 0x68, 0x6f, 0x73, 0x74, 0x00, 0x00, 0x03, 0x09,
    0x08, 0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x00, 0x05, 0x04, 0x01,
    0x01, 0x01, 0x03, 0x07, 0x3d, 0x08, 0x04, 0x6c, 0x6f, 0x6f, 0x70, 0x00,
    0x01, 0x03, 0x72, 0x65, 0x63, 0x00, 0x02, 0x04, 0x67, 0x72, 0x6f, 0x77,
    0x00, 0x03, 0x08, 0x63, 0x61, 0x6c, 0x6c, 0x68, 0x6f, 0x73, 0x74, 0x00,
    0x04, 0x06, 0x64, 0x6f, 0x75, 0x62, 0x6c, 0x65, 0x00, 0x05, 0x05, 0x6d,
    0x75, 0x6c, 0x74, 0x69, 0x00, 0x06, 0x03, 0x64, 0x69, 0x76, 0x00, 0x07,
    0x03, 0x73, 0x75, 0x6d, 0x00, 0x08, 0x0a, 0x5a, 0x08, 0x07, 0x00, 0x03,
    0x40, 0x0c, 0x00, 0x0b, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x41, 0x01, 0x6a,
    0x10, 0x02, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x40, 0x00, 0x0b, 0x06, 0x00,
    0x20, 0x00, 0x10, 0x00, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x41, 0x02, 0x6c,
    0x0b, 0x06, 0x00, 0x20, 0x01, 0x20, 0x00, 0x0b, 0x07, 0x00, 0x20, 0x00,
    0x20, 0x01, 0x6d, 0x0b, 0x21, 0x01, 0x01, 0x7f, 0x02, 0x40, 0x03, 0x40,
    0x20, 0x00, 0x45, 0x0d, 0x01, 0x20, 0x01, 0x20, 0x00, 0x6a, 0x21, 0x01,
    0x20, 0x00, 0x41, 0x01, 0x6b, 0x21, 0x00, 0x0c, 0x00, 0x0b, 0x0b, 0x20,
    0x01, 0x0b};

struct fixture {
	struct wasm_module *module;
	struct vm_store *store;
	struct vm_instance *inst;
	struct vm_func *host;
};

/* "env" "host": calls the instance's "double" and adds one. */
static int host_double_plus_one(struct vm_call *call, void *ud)
{
	struct fixture *fx = ud;
	struct vm_extern e;
	struct diag d = {0};
	uint64_t r = 0;

	if (vm_instance_export(call->caller, "double", 6, &e) != WX_OK)
		return vm_call_trap(call, "no double");
	int rc = vm_invoke(fx->store, e.u.func, call->args, &r, NULL, &d);
	if (rc != WX_OK)
		return rc;
	call->results[0] = (uint32_t)(r + 1);
	return 0;
}

static int resolve(void *ud, const struct wasm_import *imp,
                   struct vm_extern *out)
{
	struct fixture *fx = ud;

	if (imp->kind != WASM_EXT_FUNC || imp->name_len != 4 ||
	    memcmp(imp->name, "host", 4) != 0)
		return 1;
	out->kind = WASM_EXT_FUNC;
	out->u.func = fx->host;
	return 0;
}

static int setup(struct fixture *fx, const struct vm_config *cfg)
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
	fx->store = vm_store_new(cfg);
	fx->host = vm_func_new_host(fx->store, &ft, host_double_plus_one, fx);
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

/* Invokes export 'name'; returns the error code, message in 'd'. */
static int call(struct fixture *fx, const char *name, const uint64_t *args,
                uint64_t *results, struct diag *d)
{
	struct vm_extern e;

	diag_clear(d);
	if (vm_instance_export(fx->inst, name, strlen(name), &e) != WX_OK)
		return WX_EARG;
	return vm_invoke(fx->store, e.u.func, args, results, NULL, d);
}

static void test_basics(void)
{
	struct fixture fx;
	struct diag d;
	uint64_t args[2], res[2];

	if (setup(&fx, NULL) != 0) {
		failed++;
		return;
	}
	args[0] = 21;
	CHECK(call(&fx, "double", args, res, &d) == WX_OK && res[0] == 42);
	args[0] = 7;
	args[1] = 0x123456789ull;
	CHECK(call(&fx, "multi", args, res, &d) == WX_OK &&
	      res[0] == 0x123456789ull && res[1] == 7);
	args[0] = 100;
	CHECK(call(&fx, "sum", args, res, &d) == WX_OK && res[0] == 5050);
	args[0] = 20;
	CHECK(call(&fx, "callhost", args, res, &d) == WX_OK && res[0] == 41);
	args[0] = 0x80000000u;
	args[1] = 0xffffffffu;
	CHECK(call(&fx, "div", args, res, &d) == WX_ETRAP &&
	      strcmp(d.msg, "integer overflow") == 0);
	args[1] = 0;
	CHECK(call(&fx, "div", args, res, &d) == WX_ETRAP &&
	      strcmp(d.msg, "integer divide by zero") == 0);
	/* The store is usable after a trap. */
	args[0] = 5;
	CHECK(call(&fx, "double", args, res, &d) == WX_OK && res[0] == 10);
	teardown(&fx);
}

static void test_limits(void)
{
	struct fixture fx;
	struct vm_config cfg;
	struct diag d;
	uint64_t args[1] = {0}, res[1];

	vm_config_default(&cfg);
	cfg.max_call_depth = 100;
	cfg.max_memory_pages = 2;
	if (setup(&fx, &cfg) != 0) {
		failed++;
		return;
	}
	CHECK(call(&fx, "rec", args, res, &d) == WX_ETRAP &&
	      strcmp(d.msg, "call stack exhausted") == 0);
	args[0] = 1;
	CHECK(call(&fx, "grow", args, res, &d) == WX_OK && res[0] == 1);
	/* The module allows 3 pages, the config only 2. */
	CHECK(call(&fx, "grow", args, res, &d) == WX_OK &&
	      res[0] == 0xffffffffu);
	CHECK(vm_memory_size(vm_instance_memory(fx.inst)) == 2 * 65536);
	CHECK(vm_memory_check(vm_instance_memory(fx.inst), 2 * 65536 - 4, 4) !=
	      NULL);
	CHECK(vm_memory_check(vm_instance_memory(fx.inst), 2 * 65536 - 3, 4) ==
	      NULL);
	teardown(&fx);
}

static int stop_now(struct vm_store *s, struct vm_instance *inst, void *ud)
{
	(void)s;
	(void)inst;
	(void)ud;
	return WX_ETRAP;
}

static void test_fuel_and_interrupt(void)
{
	struct fixture fx;
	struct vm_config cfg;
	struct diag d;
	uint64_t args[1] = {0}, res[1];
	static volatile sig_atomic_t flag;

	vm_config_default(&cfg);
	cfg.fuel = 100000;
	if (setup(&fx, &cfg) != 0) {
		failed++;
		return;
	}
	CHECK(call(&fx, "loop", args, res, &d) == WX_ETRAP &&
	      strcmp(d.msg, "fuel exhausted") == 0);
	teardown(&fx);

	vm_config_default(&cfg);
	flag = 1;
	cfg.interrupt = &flag;
	cfg.on_interrupt = stop_now;
	if (setup(&fx, &cfg) != 0) {
		failed++;
		return;
	}
	CHECK(call(&fx, "loop", args, res, &d) == WX_ETRAP &&
	      strstr(d.msg, "interrupt") != NULL);
	teardown(&fx);
}

int main(void)
{
	test_basics();
	test_limits();
	test_fuel_and_interrupt();
	return t_report("t_vm");
}
