/*
 * t_aotthread.c: the compiled tier (src/aot/) with several host threads
 * in ONE instance at once, each with its own vm_thread (as an embedder
 * calling one instance from several threads does): every call's trap
 * must land in its own thread (each thread gets its own context: the
 * instance's or a copy, aot_run.c), results and trap messages are the
 * interpreter's, atomic adds on a shared memory add up exactly, deep
 * recursion runs in parallel on each thread's C stack, and the contexts
 * are given back (a second round of threads reuses them).
 *
 * Compiles its module with the system C compiler into a temporary
 * directory (aot_options.no_cache), never a cache. Without a C compiler
 * it says so and passes (the compiled tier then interprets; run_aot.sh
 * skips the same way).
 *
 * Prints one line per failed check and "N passed, M failed" at the end;
 * exits non-zero if any check failed.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "aot/aot.h"
#include "t_check.h"
#include "vm/vm.h"
#include "wat/wat.h"

static const char module_text[] =
    "(module\n"
    "  (memory (export \"mem\") 1 4 shared)\n"
    "  (func (export \"add\") (param i32 i32)\n"
    "    (loop\n"
    "      (drop (i32.atomic.rmw.add (local.get 0) (i32.const 1)))\n"
    "      (local.set 1 (i32.sub (local.get 1) (i32.const 1)))\n"
    "      (br_if 0 (local.get 1))))\n"
    "  (func $rec (export \"rec\") (param i32) (result i32)\n"
    "    (if (result i32) (i32.eqz (local.get 0))\n"
    "      (then (i32.const 0))\n"
    "      (else (i32.add (i32.const 1)\n"
    "        (call $rec (i32.sub (local.get 0) (i32.const 1)))))))\n"
    "  (func (export \"odd_traps\") (param i32) (result i32)\n"
    "    (local i32)\n"
    "    (loop (local.set 1 (i32.add (local.get 1) (i32.const 1)))\n"
    "      (br_if 0 (i32.lt_u (local.get 1) (i32.const 20000))))\n"
    "    (if (i32.and (local.get 0) (i32.const 1)) (then unreachable))\n"
    "    (i32.mul (local.get 0) (i32.const 3)))\n"
    "  (func (export \"unaligned\") (param i32) (result i32)\n"
    "    (i32.atomic.load (local.get 0))))\n";

#define NTHREADS 4
#define NCALLS   1000
#define NADDS    20000
#define DEPTH    3000

static struct vm_store *store;
static struct vm_instance *inst;
static pthread_barrier_t start;

static struct vm_func *export_func(const char *name)
{
	struct vm_extern ext;

	if (vm_instance_export(inst, name, strlen(name), &ext) != 0 ||
	    ext.kind != WASM_EXT_FUNC)
		return NULL;
	return ext.u.func;
}

/*
 * Calls that trap every other time (each trap must come back to this
 * thread's vm_invoke with its message), an unaligned atomic, atomic adds
 * and a deep recursion. Sets *ok to 1 if every result was right.
 */
static void *worker(void *arg)
{
	struct vm_thread *t = vm_thread_new(store);
	struct vm_func *odd = export_func("odd_traps");
	struct vm_func *una = export_func("unaligned");
	int *ok = arg;
	int good = 1;

	*ok = 0;
	if (t == NULL || odd == NULL || una == NULL)
		return NULL;
	vm_thread_bind(t);
	pthread_barrier_wait(&start); /* all threads call at once */
	for (uint32_t i = 0; i < NCALLS && good; i++) {
		uint64_t a[1] = {i}, r[1] = {0};
		struct diag d = {0};
		int rc = vm_invoke(store, odd, a, r, NULL, &d);
		if (i & 1)
			good =
			    rc == WX_ETRAP && strcmp(d.msg, "unreachable") == 0;
		else
			good = rc == WX_OK && r[0] == 3 * i;
	}
	if (good) {
		uint64_t a[1] = {2}, r[1] = {0};
		struct diag d = {0};
		good = vm_invoke(store, una, a, r, NULL, &d) == WX_ETRAP &&
		       strcmp(d.msg, "unaligned atomic") == 0;
	}
	if (good) {
		uint64_t a[2] = {0, NADDS};
		good = vm_invoke(store, export_func("add"), a, NULL, NULL,
		                 NULL) == WX_OK;
	}
	if (good) {
		uint64_t a[1] = {DEPTH}, r[1] = {0};
		good = vm_invoke(store, export_func("rec"), a, r, NULL, NULL) ==
		           WX_OK &&
		       r[0] == DEPTH;
	}
	vm_thread_bind(NULL);
	vm_thread_free(t);
	*ok = good;
	return NULL;
}

/* NTHREADS workers at once; returns the memory's counter afterwards. */
static uint32_t round_of_threads(void)
{
	pthread_t th[NTHREADS];
	int ok[NTHREADS];
	uint32_t total;

	pthread_barrier_init(&start, NULL, NTHREADS);
	for (int i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&th[i], NULL, worker, &ok[i]) == 0);
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		CHECK(ok[i]);
	}
	pthread_barrier_destroy(&start);
	memcpy(&total, vm_memory_data(vm_instance_memory(inst)), 4);
	return total;
}

int main(void)
{
	struct aot_options opt = {.no_cache = true};
	struct aot_session *session = aot_session_new(&opt, true);
	struct wasm_module *module = NULL;
	struct vm_config cfg;
	struct diag d = {0};
	uint8_t *bin = NULL;
	size_t len = 0;
	uint64_t native = 0, interp = 0;

	if (session == NULL ||
	    wat_to_wasm("t_aotthread", module_text, sizeof module_text - 1,
	                &bin, &len, &d) != WX_OK ||
	    wasm_decode(bin, len, NULL, &module, &d) != WX_OK ||
	    wasm_validate(module, &d) != WX_OK) {
		printf("FAIL cannot load the test module: %s\n", d.msg);
		return 1;
	}
	vm_config_default(&cfg);
	cfg.on_instance = aot_on_instance;
	cfg.on_instance_ud = session;
	store = vm_store_new(&cfg);
	if (store == NULL ||
	    vm_instantiate(store, module, NULL, NULL, &inst, &d) != WX_OK) {
		printf("FAIL cannot instantiate: %s\n", d.msg);
		return 1;
	}
	aot_session_counts(session, &native, &interp);
	if (native == 0) {
		printf("t_aotthread: skipped: nothing compiled (no C "
		       "compiler?)\n");
	} else {
		CHECK(native == 4); /* every function of the module */
		CHECK(round_of_threads() == NTHREADS * NADDS);
		/* Again: the contexts were given back and are reused. */
		CHECK(round_of_threads() == 2 * NTHREADS * NADDS);
	}
	vm_store_free(store);
	aot_session_free(session);
	wasm_module_free(module);
	wx_free(bin);
	return t_report("t_aotthread");
}
