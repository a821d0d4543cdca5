/*
 * t_guard.c: bounds checking of linear memory, in both modes: guard pages
 * (vm_guard.c; the default) and explicit checks (vm_config.bounds_checks).
 * Loads and stores at and past the edge, with the largest offset, the
 * address-mode and load-and-operate forms, after memory.grow, deep in the
 * call stack, in a nested vm_invoke, and in one thread while another runs;
 * then that host faults still crash, and that without the address space
 * for guard pages (RLIMIT_AS) a memory falls back to explicit checks
 * (forked children).
 *
 * The module (WAT):
 *
 * (module
 *   (import "env" "host" (func $host (param i32) (result i32)))
 *   (memory 1 4)
 *   (func (export "ld8") (param i32) (result i32) (i32.load8_u (local.get 0)))
 *   (func (export "ld32") (param i32) (result i32) (i32.load (local.get 0)))
 *   (func (export "ld32max") (param i32) (result i32)
 *     (i32.load offset=0xffffffff (local.get 0)))
 *   (func (export "st64max") (param i32 i64)
 *     (i64.store offset=0xffffffff (local.get 0) (local.get 1)))
 *   (func (export "st32") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
 *   (func (export "ldx") (param i32 i32) (result i32)
 *     (i32.load (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2)))))
 *   (func (export "stx") (param i32 i32 i32)
 *     (i32.store offset=8
 *       (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 3)))
 *       (local.get 2)))
 *   (func (export "addld") (param i32 i32) (result i32)
 *     (i32.add (local.get 1) (i32.load (local.get 0))))
 *   (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
 *   (func $deep (export "deep") (param i32 i32) (result i32)
 *     (if (result i32) (local.get 0)
 *       (then (i32.add (i32.const 1)
 *         (call $deep (i32.sub (local.get 0) (i32.const 1)) (local.get 1))))
 *       (else (i32.load (local.get 1)))))
 *   (func (export "nested") (param i32) (result i32)
 *     (drop (call $host (local.get 0)))
 *     (i32.load (local.get 0)))
 *   (func (export "sum") (param i32) (result i32) (local i32)
 *     (block (loop
 *       (br_if 1 (i32.eqz (local.get 0)))
 *       (local.set 0 (i32.sub (local.get 0) (i32.const 4)))
 *       (local.set 1 (i32.add (local.get 1) (i32.load (local.get 0))))
 *       (br 0)))
 *     (local.get 1)))
 *
 * Prints one line per failed check and "N passed, M failed" at the end;
 * exits non-zero if any check failed.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vm/vm.h"
#include "vm/vm_impl.h"
#include "t_check.h"

#define OOB_MSG "out of bounds memory access"

static const uint8_t module_bytes[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x1c, 0x05, 0x60,
    0x01, 0x7f, 0x01, 0x7f, 0x60, 0x02, 0x7f, 0x7e, 0x00, 0x60, 0x02, 0x7f,
    0x7f, 0x00, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x03, 0x7f, 0x7f,
    0x7f, 0x00, 0x02, 0x0c, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x04, 0x68, 0x6f,
    0x73, 0x74, 0x00, 0x00, 0x03, 0x0d, 0x0c, 0x00, 0x00, 0x00, 0x01, 0x02,
    0x03, 0x04, 0x03, 0x00, 0x03, 0x00, 0x00, 0x05, 0x04, 0x01, 0x01, 0x01,
    0x04, 0x07, 0x5a, 0x0c, 0x03, 0x6c, 0x64, 0x38, 0x00, 0x01, 0x04, 0x6c,
    0x64, 0x33, 0x32, 0x00, 0x02, 0x07, 0x6c, 0x64, 0x33, 0x32, 0x6d, 0x61,
    0x78, 0x00, 0x03, 0x07, 0x73, 0x74, 0x36, 0x34, 0x6d, 0x61, 0x78, 0x00,
    0x04, 0x04, 0x73, 0x74, 0x33, 0x32, 0x00, 0x05, 0x03, 0x6c, 0x64, 0x78,
    0x00, 0x06, 0x03, 0x73, 0x74, 0x78, 0x00, 0x07, 0x05, 0x61, 0x64, 0x64,
    0x6c, 0x64, 0x00, 0x08, 0x04, 0x67, 0x72, 0x6f, 0x77, 0x00, 0x09, 0x04,
    0x64, 0x65, 0x65, 0x70, 0x00, 0x0a, 0x06, 0x6e, 0x65, 0x73, 0x74, 0x65,
    0x64, 0x00, 0x0b, 0x03, 0x73, 0x75, 0x6d, 0x00, 0x0c, 0x0a, 0xb1, 0x01,
    0x0c, 0x07, 0x00, 0x20, 0x00, 0x2d, 0x00, 0x00, 0x0b, 0x07, 0x00, 0x20,
    0x00, 0x28, 0x02, 0x00, 0x0b, 0x0b, 0x00, 0x20, 0x00, 0x28, 0x02, 0xff,
    0xff, 0xff, 0xff, 0x0f, 0x0b, 0x0d, 0x00, 0x20, 0x00, 0x20, 0x01, 0x37,
    0x03, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x20,
    0x01, 0x36, 0x02, 0x00, 0x0b, 0x0d, 0x00, 0x20, 0x00, 0x20, 0x01, 0x41,
    0x02, 0x74, 0x6a, 0x28, 0x02, 0x00, 0x0b, 0x0f, 0x00, 0x20, 0x00, 0x20,
    0x01, 0x41, 0x03, 0x74, 0x6a, 0x20, 0x02, 0x36, 0x02, 0x08, 0x0b, 0x0a,
    0x00, 0x20, 0x01, 0x20, 0x00, 0x28, 0x02, 0x00, 0x6a, 0x0b, 0x06, 0x00,
    0x20, 0x00, 0x40, 0x00, 0x0b, 0x19, 0x00, 0x20, 0x00, 0x04, 0x7f, 0x41,
    0x01, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x20, 0x01, 0x10, 0x0a, 0x6a, 0x05,
    0x20, 0x01, 0x28, 0x02, 0x00, 0x0b, 0x0b, 0x0c, 0x00, 0x20, 0x00, 0x10,
    0x00, 0x1a, 0x20, 0x00, 0x28, 0x02, 0x00, 0x0b, 0x24, 0x01, 0x01, 0x7f,
    0x02, 0x40, 0x03, 0x40, 0x20, 0x00, 0x45, 0x0d, 0x01, 0x20, 0x00, 0x41,
    0x04, 0x6b, 0x21, 0x00, 0x20, 0x01, 0x20, 0x00, 0x28, 0x02, 0x00, 0x6a,
    0x21, 0x01, 0x0c, 0x00, 0x0b, 0x0b, 0x20, 0x01, 0x0b,
};

struct fixture {
	struct wasm_module *module;
	struct vm_store *store;
	struct vm_instance *inst;
	struct vm_func *host;
	int host_ok; /* the nested call trapped as it should */
};

/* Invokes export 'name' of fx; returns the error code, message in 'd'. */
static int call(struct fixture *fx, const char *name, const uint64_t *args,
                uint64_t *results, struct diag *d)
{
	struct vm_extern e;

	diag_clear(d);
	if (vm_instance_export(fx->inst, name, strlen(name), &e) != WX_OK)
		return WX_EARG;
	return vm_invoke(fx->store, e.u.func, args, results, NULL, d);
}

/* Whether export 'name'(args) traps with the out-of-bounds message. */
static int traps(struct fixture *fx, const char *name, uint64_t a0,
                 uint64_t a1)
{
	uint64_t args[3] = {a0, a1, 0}, res[2];
	struct diag d;

	return call(fx, name, args, res, &d) == WX_ETRAP &&
	       strcmp(d.msg, OOB_MSG) == 0;
}

/* Export 'name'(a0, a1) -> its first result, or ~0 on any error. */
static uint64_t ok1(struct fixture *fx, const char *name, uint64_t a0,
                    uint64_t a1)
{
	uint64_t args[3] = {a0, a1, 0}, res[2] = {0};
	struct diag d;

	return call(fx, name, args, res, &d) == WX_OK ? res[0] : ~0ull;
}

/* "env" "host": an out-of-bounds load in a nested vm_invoke, then 0. */
static int host_nested(struct vm_call *c, void *ud)
{
	struct fixture *fx = ud;

	fx->host_ok = traps(fx, "ld32", 200000, 0);
	c->results[0] = 0;
	return 0;
}

static int resolve(void *ud, const struct wasm_import *imp,
                   struct vm_extern *out)
{
	struct fixture *fx = ud;

	if (imp->kind != WASM_EXT_FUNC)
		return WX_ELINK;
	out->kind = WASM_EXT_FUNC;
	out->u.func = fx->host;
	return 0;
}

static int setup(struct fixture *fx, bool checks)
{
	struct diag d = {0};
	static const uint32_t sig[] = {WASM_I32, WASM_I32};
	struct wasm_functype ft = {1, 1, (uint32_t *)sig};
	struct vm_config cfg;

	memset(fx, 0, sizeof *fx);
	vm_config_default(&cfg);
	cfg.bounds_checks = checks;
	if (wasm_decode(module_bytes, sizeof module_bytes, NULL, &fx->module,
	                &d) != WX_OK ||
	    wasm_validate(fx->module, &d) != WX_OK) {
		printf("FAIL: module: %s\n", d.msg);
		return -1;
	}
	fx->store = vm_store_new(&cfg);
	fx->host = vm_func_new_host(fx->store, &ft, host_nested, fx);
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

/* The edges of one 64 KiB page, then of two after memory.grow. */
static void test_edges(struct fixture *fx)
{
	CHECK(ok1(fx, "ld8", 65535, 0) == 0);
	CHECK(traps(fx, "ld8", 65536, 0));
	CHECK(ok1(fx, "ld32", 65532, 0) == 0);
	CHECK(traps(fx, "ld32", 65533, 0));
	CHECK(traps(fx, "ld32", 65536, 0));
	CHECK(traps(fx, "ld32", 0xffffffffu, 0));
	CHECK(traps(fx, "ld32max", 0, 0));
	CHECK(traps(fx, "ld32max", 0xffffffffu, 0));
	CHECK(traps(fx, "st64max", 0xffffffffu, 1));
	CHECK(traps(fx, "st64max", 0, 1));
	CHECK(traps(fx, "st32", 65534, 7));
	CHECK(ok1(fx, "st32", 65532, 7) == 0 && ok1(fx, "ld32", 65532, 0) == 7);
	/* Address modes: (u32)(base + (idx << 2)) wraps like separate ops. */
	CHECK(ok1(fx, "ldx", 65528, 1) == 7);
	CHECK(traps(fx, "ldx", 0, 16384));
	CHECK(ok1(fx, "ldx", 0xfffffffcu, 1) == 0);
	CHECK(traps(fx, "ldx", 0xfffffff0u, 0));
	CHECK(traps(fx, "stx", 65528, 0)); /* 65528 + 8: past the end */
	CHECK(traps(fx, "addld", 65533, 1));
	CHECK(ok1(fx, "addld", 65532, 1) == 8);
	/* A failed store wrote nothing. */
	CHECK(ok1(fx, "ld32", 65532, 0) == 7);
	/* memory.grow: the next page becomes usable, the one after not. */
	CHECK(ok1(fx, "grow", 1, 0) == 1);
	CHECK(ok1(fx, "ld32", 65536, 0) == 0);
	CHECK(ok1(fx, "st32", 131068, 9) == 0 &&
	      ok1(fx, "ld32", 131068, 0) == 9);
	CHECK(traps(fx, "ld32", 131069, 0));
	CHECK(traps(fx, "ld8", 131072, 0));
	CHECK(ok1(fx, "ld32", 65533, 0) == 0);
}

/* Traps deep in the stack and in a nested vm_invoke unwind cleanly. */
static void test_unwind(struct fixture *fx)
{
	int all = 1;

	/* 1000 x 50 frames: a leaked depth would exhaust the 10,000. */
	for (int i = 0; i < 1000; i++)
		all &= traps(fx, "deep", 50, 200000);
	CHECK(all);
	CHECK(ok1(fx, "deep", 50, 0) == 50);
	/* The host's nested call traps; the outer call's own OOB too. */
	CHECK(traps(fx, "nested", 200000, 0));
	CHECK(fx->host_ok);
	fx->host_ok = 0;
	CHECK(ok1(fx, "nested", 4, 0) == 0);
	CHECK(fx->host_ok);
}

struct trapper {
	struct fixture *fx;
	volatile int stop;
	int traps, bad;
};

/* Traps over and over on its own thread context until told to stop. */
static void *trap_loop(void *arg)
{
	struct trapper *t = arg;
	struct vm_thread *th = vm_thread_new(t->fx->store);

	vm_thread_bind(th);
	while ((!t->stop || t->traps < 100) && t->bad < 10) {
		if (traps(t->fx, "ld32", 131072 + (uint64_t)t->traps % 8, 0))
			t->traps++;
		else
			t->bad++;
	}
	vm_thread_bind(NULL);
	vm_thread_free(th);
	return NULL;
}

/* A trap on one thread never lands in another one's call. */
static void test_threads(struct fixture *fx)
{
	struct trapper t = {fx, 0, 0, 0};
	pthread_t tid;
	int good = 0;

	/* Page 0 holds 7 at 65532 (test_edges) and now 5 at 12. */
	CHECK(ok1(fx, "st32", 12, 5) == 0);
	CHECK(ok1(fx, "sum", 65536, 0) == 12);
	CHECK(pthread_create(&tid, NULL, trap_loop, &t) == 0);
	for (int i = 0; i < 300; i++)
		good += ok1(fx, "sum", 65536, 0) == 12;
	t.stop = 1;
	pthread_join(tid, NULL);
	CHECK(good == 300);
	CHECK(t.traps >= 100 && t.bad == 0);
}

static void test_mode(bool checks)
{
	struct fixture fx;

	if (setup(&fx, checks) != 0) {
		failed++;
		return;
	}
	/* Explicit checks exactly when asked for (or no address space). */
	CHECK(fx.inst->memories[0]->guarded == !checks);
	test_edges(&fx);
	test_unwind(&fx);
	test_threads(&fx);
	teardown(&fx);
}

/*
 * Runs 'fn' in a child (stderr silenced): whether the child died of a
 * crash rather than exiting 42 (survived) or 0. Under ASan the child may
 * report and exit non-zero instead of dying by SIGSEGV.
 */
static int crashes(void (*fn)(struct fixture *), struct fixture *fx)
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		freopen("/dev/null", "w", stderr);
		fn(fx);
		_exit(42);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 0;
	if (WIFSIGNALED(st))
		return WTERMSIG(st) == SIGSEGV || WTERMSIG(st) == SIGBUS;
	return WIFEXITED(st) && WEXITSTATUS(st) != 42 && WEXITSTATUS(st) != 0;
}

/* A host bug outside any memory: a write to a page just unmapped. */
static void host_wild_write(struct fixture *fx)
{
	volatile int *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)fx;
	if (p == MAP_FAILED)
		return;
	munmap((void *)p, 4096);
	*p = 1;
}

/* Host code touching a guarded reservation: a host bug, not a trap. */
static void host_guard_write(struct fixture *fx)
{
	struct vm_memory *m = fx->inst->memories[0];
	*(volatile uint8_t *)(m->base + m->size + 4096) = 1;
}

static void test_host_faults(void)
{
	struct fixture fx;

	if (setup(&fx, false) != 0) {
		failed++;
		return;
	}
	CHECK(crashes(host_wild_write, &fx));
	CHECK(crashes(host_guard_write, &fx));
	/* The parent still traps normally afterwards. */
	CHECK(traps(&fx, "ld32", 65536, 0));
	teardown(&fx);
}

/*
 * In a child limited to 4 GiB of address space (RLIMIT_AS, as 'ulimit -v'
 * does), the 8 GiB reservation fails: the memory falls back to explicit
 * checks, and bounds still hold. Not under ASan, whose shadow memory
 * cannot live with such a limit.
 */
static void test_fallback(void)
{
#if !defined(__SANITIZE_ADDRESS__)
	int st = -1;
	pid_t pid = fork();

	if (pid == 0) {
		struct rlimit rl = {(rlim_t)4 << 30, (rlim_t)4 << 30};
		struct fixture fx;
		int ok = setrlimit(RLIMIT_AS, &rl) == 0 &&
		         setup(&fx, false) == 0;

		ok = ok && !fx.inst->memories[0]->guarded &&
		     traps(&fx, "ld32", 65533, 0) &&
		     traps(&fx, "ld32max", 0, 0) &&
		     ok1(&fx, "st32", 65532, 3) == 0 &&
		     ok1(&fx, "ld32", 65532, 0) == 3;
		_exit(ok ? 0 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	      WEXITSTATUS(st) == 0);
#endif
}

/*
 * More instances, one after another, than there are guard slots (16384):
 * if a freed memory kept its reservation or its slot, the last ones
 * would fall back to explicit checks.
 */
static void test_no_leak(void)
{
	int guarded = 0;

	for (int i = 0; i < 17000; i++) {
		struct fixture fx;

		if (setup(&fx, false) != 0)
			break;
		guarded += fx.inst->memories[0]->guarded;
		teardown(&fx);
	}
	CHECK(guarded == 17000);
}

int main(void)
{
	test_mode(false);
	test_mode(true);
	test_host_faults();
	test_fallback();
	test_no_leak();
	return t_report("t_guard");
}
