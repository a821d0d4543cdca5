/*
 * vm_guard.c: guard-page bounds checking for 32-bit linear memories.
 *
 * A guarded memory is one PROT_NONE reservation of VM_GUARD_RESERVE bytes
 * (MAP_NORESERVE): every u32 address plus u32 offset plus access size
 * lands inside it, and only [0, size) is readable and writable. The
 * interpreter's loads and stores then use no compare: an out-of-bounds
 * access faults, and the SIGSEGV/SIGBUS handler here turns that fault into
 * the trap "out of bounds memory access" by siglongjmp to the sigjmp_buf
 * of the innermost vm_interp_run of the faulting thread.
 *
 * Keeps true:
 *  - A fault is a trap only if this thread runs guest code (its
 *    'vm_guard_cur' is set; host calls clear it) and the address lies in
 *    a registered reservation. Anything else goes to the handler that was
 *    installed before ours (ASan, libFuzzer), or the default action
 *    crashes as it would without us.
 *  - The registry is a fixed array of reservation bases read by the
 *    signal handler with atomic loads only (async-signal-safe). A base is
 *    registered after mmap and unregistered before munmap.
 *  - The handler runs with SA_NODEFER and an empty sa_mask, so the signal
 *    mask at the siglongjmp target equals the one at the fault and
 *    sigsetjmp need not save it (no syscall per vm_invoke).
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include "vm/vm_impl.h"

/*
 * At most this many guarded memories at once: 2^14 * 8 GiB is the whole
 * 47-bit user address space, so the cap never binds first in practice.
 * Past it, memories fall back to explicit checks.
 */
#define VM_GUARD_SLOTS 16384

static uintptr_t guard_slots[VM_GUARD_SLOTS]; /* __atomic builtins only */
static unsigned guard_hwm;                    /* slots ever used */
static struct sigaction guard_prev[2];        /* SIGSEGV, SIGBUS */
static pthread_once_t guard_once = PTHREAD_ONCE_INIT;
static int guard_installed;

_Thread_local struct vm_guard_jmp *vm_guard_cur;

/* Whether 'addr' lies inside a registered guarded reservation. */
static int guard_owns(uintptr_t addr)
{
	unsigned n = __atomic_load_n(&guard_hwm, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; i < n; i++) {
		uintptr_t b = __atomic_load_n(&guard_slots[i], __ATOMIC_ACQUIRE);
		if (b != 0 && addr - b < VM_GUARD_RESERVE)
			return 1;
	}
	return 0;
}

/* Hands a signal that is not ours to the disposition before ours. */
static void guard_chain(int sig, siginfo_t *si, void *uc)
{
	const struct sigaction *prev = &guard_prev[sig == SIGBUS];

	if (prev->sa_flags & SA_SIGINFO) {
		prev->sa_sigaction(sig, si, uc);
		return;
	}
	if (prev->sa_handler != SIG_DFL && prev->sa_handler != SIG_IGN) {
		prev->sa_handler(sig);
		return;
	}
	if (si->si_code <= 0) {
		/* Sent by kill(): act as the old disposition would. */
		if (prev->sa_handler == SIG_DFL) {
			sigaction(sig, prev, NULL);
			raise(sig);
		}
		return;
	}
	/* A real fault: restore, and returning re-runs it, which crashes. */
	sigaction(sig, prev, NULL);
}

static void guard_on_fault(int sig, siginfo_t *si, void *uc)
{
	struct vm_guard_jmp *g = vm_guard_cur;

	if (g != NULL && si->si_code > 0 &&
	    guard_owns((uintptr_t)si->si_addr)) {
		vm_guard_cur = NULL;
		siglongjmp(g->env, 1);
	}
	guard_chain(sig, si, uc);
}

static void guard_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_sigaction = guard_on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
	if (sigaction(SIGSEGV, &sa, &guard_prev[0]) != 0)
		return;
	if (sigaction(SIGBUS, &sa, &guard_prev[1]) != 0) {
		sigaction(SIGSEGV, &guard_prev[0], NULL);
		return;
	}
	guard_installed = 1;
}

/* Registers 'base'; returns 0, or -1 when every slot is taken. */
static int guard_register(uintptr_t base)
{
	int rc = -1;

	vm_lock();
	for (unsigned i = 0; i < VM_GUARD_SLOTS; i++) {
		if (guard_slots[i] != 0)
			continue;
		__atomic_store_n(&guard_slots[i], base, __ATOMIC_RELEASE);
		if (i >= guard_hwm)
			__atomic_store_n(&guard_hwm, i + 1, __ATOMIC_RELEASE);
		rc = 0;
		break;
	}
	vm_unlock();
	return rc;
}

uint8_t *vm_guard_reserve(void)
{
	void *p;

	pthread_once(&guard_once, guard_install);
	if (!guard_installed)
		return NULL;
	p = mmap(NULL, VM_GUARD_RESERVE, PROT_NONE,
	         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (guard_register((uintptr_t)p) != 0) {
		munmap(p, VM_GUARD_RESERVE);
		return NULL;
	}
	return p;
}

void vm_guard_release(uint8_t *base)
{
	vm_lock();
	for (unsigned i = 0; i < guard_hwm; i++) {
		if (guard_slots[i] == (uintptr_t)base) {
			__atomic_store_n(&guard_slots[i], 0, __ATOMIC_RELEASE);
			break;
		}
	}
	vm_unlock();
	munmap(base, VM_GUARD_RESERVE);
}

struct vm_guard_jmp *vm_guard_suspend(void)
{
	struct vm_guard_jmp *g = vm_guard_cur;

	vm_guard_cur = NULL;
	return g;
}

void vm_guard_resume(struct vm_guard_jmp *g)
{
	vm_guard_cur = g;
}
