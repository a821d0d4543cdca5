/*
 * t_vmthread.c: unit tests of the VM's thread support through vm.h:
 * several host threads, each with its own vm_thread, running the same
 * (lazily translated) functions of one instance at once; deep recursion
 * in parallel (separate frame arrays); memory.atomic.wait woken by
 * vm_memory_notify from another thread; vm_memory_wait's timeout,
 * not-equal, interrupt and bad-address results; the nesting fork hooks
 * and a fork() while another thread is blocked in a wait.
 *
 * Prints one line per failed check and "N passed, M failed" at the end;
 * exits non-zero if any check failed.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vm/vm.h"
#include "t_check.h"



/*
 * (module
 *   (memory (export "mem") 1 4 shared)
 *   (func (export "add") (param i32 i32)
 *     (loop
 *       (drop (i32.atomic.rmw.add (local.get 0) (i32.const 1)))
 *       (local.set 1 (i32.sub (local.get 1) (i32.const 1)))
 *       (br_if 0 (local.get 1))))
 *   (func $rec (export "rec") (param i32) (result i32)
 *     (if (result i32) (i32.eqz (local.get 0))
 *       (then (i32.const 0))
 *       (else (i32.add (i32.const 1)
 *                      (call $rec (i32.sub (local.get 0) (i32.const 1)))))))
 *   (func (export "wait") (param i32 i64) (result i32)
 *     (memory.atomic.wait32 (local.get 0) (i32.const 0) (local.get 1))))
 */
static const uint8_t module_bytes[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x11, 0x03, 0x60,
    0x02, 0x7f, 0x7f, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x02, 0x7f,
    0x7e, 0x01, 0x7f, 0x03, 0x04, 0x03, 0x00, 0x01, 0x02, 0x05, 0x04, 0x01,
    0x03, 0x01, 0x04, 0x07, 0x1a, 0x04, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00,
    0x03, 0x61, 0x64, 0x64, 0x00, 0x00, 0x03, 0x72, 0x65, 0x63, 0x00, 0x01,
    0x04, 0x77, 0x61, 0x69, 0x74, 0x00, 0x02, 0x0a, 0x3e, 0x03, 0x19, 0x00,
    0x03, 0x40, 0x20, 0x00, 0x41, 0x01, 0xfe, 0x1e, 0x02, 0x00, 0x1a, 0x20,
    0x01, 0x41, 0x01, 0x6b, 0x21, 0x01, 0x20, 0x01, 0x0d, 0x00, 0x0b, 0x0b,
    0x15, 0x00, 0x20, 0x00, 0x45, 0x04, 0x7f, 0x41, 0x00, 0x05, 0x41, 0x01,
    0x20, 0x00, 0x41, 0x01, 0x6b, 0x10, 0x01, 0x6a, 0x0b, 0x0b, 0x0c, 0x00,
    0x20, 0x00, 0x41, 0x00, 0x20, 0x01, 0xfe, 0x01, 0x02, 0x00, 0x0b};

#define NTHREADS 4
#define NADDS    50000
#define DEPTH    5000

static struct wasm_module *module;
static struct vm_store *store;
static struct vm_instance *inst;
static struct vm_memory *mem;

static struct vm_func *export_func(const char *name)
{
	struct vm_extern ext;

	if (vm_instance_export(inst, name, strlen(name), &ext) != 0 ||
	    ext.kind != WASM_EXT_FUNC)
		return NULL;
	return ext.u.func;
}

/* Runs 'add' and a deep 'rec' on the thread's own context. */
static void *adder(void *arg)
{
	struct vm_thread *t = vm_thread_new(store);
	uint64_t args[2] = {0, NADDS}, res[1] = {0};
	int *ok = arg;

	*ok = 0;
	if (t == NULL)
		return NULL;
	vm_thread_bind(t);
	if (vm_invoke(store, export_func("add"), args, res, NULL, NULL) == 0) {
		args[0] = DEPTH;
		if (vm_invoke(store, export_func("rec"), args, res, NULL,
		              NULL) == 0 &&
		    res[0] == DEPTH)
			*ok = 1;
	}
	vm_thread_bind(NULL);
	vm_thread_free(t);
	return NULL;
}

static void test_parallel_invoke(void)
{
	pthread_t th[NTHREADS];
	int ok[NTHREADS];
	uint32_t total;

	for (int i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&th[i], NULL, adder, &ok[i]) == 0);
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		CHECK(ok[i]);
	}
	memcpy(&total, vm_memory_data(mem), 4);
	CHECK(total == NTHREADS * NADDS);
}

/* Blocks in memory.atomic.wait32 on address 8 with no timeout. */
static void *waiter(void *arg)
{
	struct vm_thread *t = vm_thread_new(store);
	uint64_t args[2] = {8, (uint64_t)-1}, res[1] = {99};

	vm_thread_bind(t);
	if (vm_invoke(store, export_func("wait"), args, res, NULL, NULL) != 0)
		res[0] = 98;
	vm_thread_bind(NULL);
	vm_thread_free(t);
	*(uint64_t *)arg = res[0];
	return NULL;
}

/*
 * Waits until a thread waits on address 8 (the handshake: the wait queue
 * says so, no sleep), then wakes it; returns how many were woken.
 */
static int64_t notify_one(void)
{
	while (vm_memory_waiters(mem, 8) == 0)
		sched_yield();
	return vm_memory_notify(mem, 8, 1);
}

static void test_wait_notify(void)
{
	pthread_t th;
	uint64_t r = 0;

	CHECK(pthread_create(&th, NULL, waiter, &r) == 0);
	CHECK(notify_one() == 1);
	pthread_join(th, NULL);
	CHECK(r == 0); /* "ok": woken */
}

static void test_wait_results(void)
{
	volatile sig_atomic_t flag = 1;

	CHECK(vm_memory_wait(mem, 16, 4, 0, 20000000, NULL) ==
	      VM_WAIT_TIMED_OUT);
	CHECK(vm_memory_wait(mem, 16, 8, 0, 1000000, NULL) ==
	      VM_WAIT_TIMED_OUT);
	CHECK(vm_memory_wait(mem, 16, 4, 7, -1, NULL) == VM_WAIT_NOT_EQUAL);
	CHECK(vm_memory_wait(mem, 16, 4, 0, -1, &flag) == VM_WAIT_INTERRUPTED);
	CHECK(vm_memory_wait(mem, 18, 4, 0, 0, NULL) == -1);
	CHECK(vm_memory_wait(mem, 65536, 4, 0, 0, NULL) == -1);
	CHECK(vm_memory_notify(mem, 65536, 1) == -1);
	CHECK(vm_memory_notify(mem, 16, 1) == 0);
	CHECK(vm_memory_waiters(mem, 16) == 0);
	CHECK(vm_memory_waiters(mem, 18) == -1);
}

/* The hooks nest; fork() with a waiter blocked in another thread. */
static void test_fork(void)
{
	pthread_t th;
	uint64_t r = 0;
	int status = -1;

	vm_fork_prepare();
	vm_fork_prepare();
	vm_fork_parent();
	vm_fork_parent();
	CHECK(pthread_create(&th, NULL, waiter, &r) == 0);
	while (vm_memory_waiters(mem, 8) == 0) /* it waits at the fork */
		sched_yield();
	pid_t pid = fork();
	if (pid == 0) {
		/* The waiter does not exist here: nothing to wake, no lock
		 * held, and a wait still works. */
		int ok = vm_memory_notify(mem, 8, 1) == 0 &&
		         vm_memory_wait(mem, 16, 4, 0, 1000000, NULL) ==
		             VM_WAIT_TIMED_OUT &&
		         vm_memory_grow(mem, 1) == 1;
		_exit(ok ? 0 : 1);
	}
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(notify_one() == 1);
	pthread_join(th, NULL);
	CHECK(r == 0);
}

int main(void)
{
	struct diag d = {0};

	if (wasm_decode(module_bytes, sizeof module_bytes, NULL, &module, &d) !=
	        WX_OK ||
	    wasm_validate(module, &d) != WX_OK) {
		printf("FAIL cannot load the test module: %s\n", d.msg);
		return 1;
	}
	store = vm_store_new(NULL);
	if (store == NULL ||
	    vm_instantiate(store, module, NULL, NULL, &inst, &d) != WX_OK) {
		printf("FAIL cannot instantiate: %s\n", d.msg);
		return 1;
	}
	mem = vm_instance_memory(inst);
	test_parallel_invoke();
	test_wait_notify();
	test_wait_results();
	test_fork();
	vm_store_free(store);
	wasm_module_free(module);
	return t_report("t_vmthread");
}
