/*
 * vm_thread.c: execution contexts for host threads, the process-wide VM
 * lock, and the fork hooks.
 *
 * A 'vm_thread' is the part of running wasm that cannot be shared: the
 * value stack, the frame array and the nesting/trap state of the vm_invoke
 * calls in progress. A host thread binds its own context with
 * vm_thread_bind (a thread-local pointer); vm_invoke then uses it for the
 * context's store, and every other thread of that store keeps its own.
 * A thread with no binding uses the store's 'main' context, which is how
 * single-threaded embedders work unchanged.
 *
 * Keeps true:
 *  - A context is touched only by the host thread it is bound to (or, for
 *    'main', by the one thread that runs the store when no other is bound).
 *  - vm_lock is never held while wasm or host code runs, so it cannot be
 *    held across a guest's fork(); vm_fork_prepare takes it anyway so that
 *    a fork made while another thread translates a function or grows a
 *    memory never leaves the child with a lock nobody will release.
 *  - THREADS: the fork hooks nest per thread (a thread-local depth), so
 *    pthread_atfork and an explicit call around fork() can both run them.
 */
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm/vm_code.h"
#include "vm/vm_impl.h"

static _Thread_local struct vm_thread *vm_bound;
static _Thread_local int vm_fork_depth;
static pthread_mutex_t vm_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t vm_atfork_once = PTHREAD_ONCE_INIT;

void vm_lock(void)
{
	pthread_mutex_lock(&vm_mu);
}

void vm_unlock(void)
{
	pthread_mutex_unlock(&vm_mu);
}

static void vm_atfork_register(void)
{
	pthread_atfork(vm_fork_prepare, vm_fork_parent, vm_fork_child);
}

void vm_thread_global_init(void)
{
	pthread_once(&vm_atfork_once, vm_atfork_register);
}

void vm_fork_prepare(void)
{
	if (vm_fork_depth++ > 0)
		return;
	pthread_mutex_lock(&vm_mu);
	vm_futex_fork_prepare();
}

void vm_fork_parent(void)
{
	if (vm_fork_depth == 0 || --vm_fork_depth > 0)
		return;
	vm_futex_fork_parent();
	pthread_mutex_unlock(&vm_mu);
}

void vm_fork_child(void)
{
	if (vm_fork_depth == 0 || --vm_fork_depth > 0)
		return;
	/* The forking thread holds every lock: release them as the owner. */
	vm_futex_fork_child();
	pthread_mutex_unlock(&vm_mu);
}

struct vm_thread *vm_thread_new(struct vm_store *s)
{
	struct vm_thread *t = wx_calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	t->store = s;
	/* Now, so that a thread that starts cannot then lack them. */
	if (vm_thread_init_stacks(t) != WX_OK) {
		wx_free(t);
		return NULL;
	}
	return t;
}

void vm_thread_free(struct vm_thread *t)
{
	if (t == NULL)
		return;
	if (vm_bound == t)
		vm_bound = NULL;
	vm_thread_fini_stacks(t);
	wx_free(t);
}

struct vm_thread *vm_thread_bind(struct vm_thread *t)
{
	struct vm_thread *old = vm_bound;

	vm_bound = t;
	return old;
}

struct vm_thread *vm_thread_of(struct vm_store *s)
{
	struct vm_thread *t = vm_bound;

	return t != NULL && t->store == s ? t : &s->main;
}

int vm_thread_init_stacks(struct vm_thread *t)
{
	const struct vm_config *cfg = &t->store->cfg;

	if (t->stack != NULL)
		return WX_OK;
	/* The value stack, then the frames, in one reservation: pages are
	 * made (zeroed) as they are first touched, so a new store costs no
	 * memset of the whole frame array (an exec makes one each time). */
	size_t slots = cfg->max_stack_slots * sizeof(uint64_t);
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t nframes = cfg->max_call_depth + (size_t)1;
	if (nframes > (SIZE_MAX - slots - page) / sizeof *t->frames)
		return WX_ENOMEM;
	slots = (slots + page - 1) / page * page;
	size_t bytes = slots + nframes * sizeof *t->frames;
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return WX_ENOMEM;
	t->frames = (struct vm_frame *)((char *)p + slots);
	t->stack = p;
	t->stack_bytes = bytes;
	t->stack_end = t->stack + cfg->max_stack_slots;
	t->stack_top = t->stack;
	return WX_OK;
}

uint64_t *vm_thread_tl(struct vm_thread *t, uint32_t k)
{
	struct vm_store *s = t->store;
	uint64_t *p = NULL;

	if (k < t->ntl)
		return &t->tl[k];
	vm_lock();
	if (k < s->ntl) {
		uint32_t n = (uint32_t)s->ntl;
		p = wx_realloc(t->tl, n * sizeof *p);
		if (p != NULL) {
			for (uint32_t i = t->ntl; i < n; i++)
				p[i] = s->tl_globals[i]->value;
			t->tl = p;
			t->ntl = n;
			p = &p[k];
		}
	}
	vm_unlock();
	return p;
}

int vm_thread_inherit_tl(struct vm_store *s, struct vm_thread *t)
{
	struct vm_thread *from = vm_thread_of(s);
	uint32_t n;

	vm_lock();
	n = (uint32_t)s->ntl;
	vm_unlock();
	if (n == 0 || from == t)
		return WX_OK;
	/* Both arrays cover every thread-local global known now. */
	if (vm_thread_tl(from, n - 1) == NULL || vm_thread_tl(t, n - 1) == NULL)
		return WX_ENOMEM;
	memcpy(t->tl, from->tl, (size_t)n * sizeof *t->tl);
	return WX_OK;
}

int vm_global_make_thread_local(struct vm_global *g)
{
	struct vm_store *s = g->store;
	int rc;

	if (__atomic_load_n(&g->tl1, __ATOMIC_ACQUIRE) != 0)
		return WX_OK;
	/* Appends under vm_lock (which it takes itself). */
	rc = vm_store_own((void ***)&s->tl_globals, &s->ntl, &s->cap_tl, g);
	if (rc != WX_OK)
		return rc;
	vm_lock();
	for (size_t i = 0; i < s->ntl; i++)
		if (s->tl_globals[i] == g)
			__atomic_store_n(&g->tl1, (uint32_t)i + 1,
			                 __ATOMIC_RELEASE);
	vm_unlock();
	return WX_OK;
}

void vm_thread_fini_stacks(struct vm_thread *t)
{
	wx_free(t->tl);
	t->tl = NULL;
	t->ntl = 0;
	if (t->stack != NULL) /* the frames too */
		munmap(t->stack, t->stack_bytes);
	vm_jmp_free(t);
	vm_eh_free(t);
	t->stack = NULL;
	t->frames = NULL;
}

void vm_func_bind_native(struct vm_func *f, void *fn, void *ctx,
                         int (*run)(struct vm_thread *, struct vm_func *,
                                    uint64_t *))
{
	vm_lock();
	f->native_fn = fn;
	f->native_ctx = ctx;
	__atomic_store_n(&f->native_run, run, __ATOMIC_RELEASE);
	/* After native_run: a caller that finds no translation finds the
	 * compiled code. Set aside once (a translation made later by a
	 * thread that read native_run before it was set stays in use). */
	if (f->retired == NULL) {
		f->retired = f->code;
		__atomic_store_n(&f->code, NULL, __ATOMIC_RELEASE);
	}
	vm_unlock();
}

const struct vm_code *vm_func_code_at(const struct vm_func *f,
                                      const uint32_t *pc)
{
	const struct vm_code *c[2];

	if (f == NULL)
		return NULL;
	c[0] = __atomic_load_n(&f->code, __ATOMIC_ACQUIRE);
	c[1] = f->retired;
	for (int i = 0; i < 2; i++)
		if (c[i] != NULL && pc >= c[i]->cells &&
		    pc < c[i]->cells + c[i]->ncells)
			return c[i];
	return NULL;
}

int vm_compile_once(struct vm_store *s, struct vm_func *f, struct diag *diag)
{
	int rc = WX_OK;

	vm_lock();
	if (__atomic_load_n(&f->code, __ATOMIC_ACQUIRE) == NULL)
		rc = vm_compile(s, f, diag);
	vm_unlock();
	return rc;
}

/* Host address of the 'size'-byte aligned value at 'off', or NULL. */
static const void *wait_addr(struct vm_memory *mem, uint64_t off, unsigned size)
{
	uint64_t cur = vm_memory_size_now(mem);

	if (off > cur || size > cur - off || (off & (size - 1)) != 0)
		return NULL;
	return mem->base + off;
}

int vm_memory_wait(struct vm_memory *mem, uint64_t off, unsigned size,
                   uint64_t expected, int64_t timeout_ns,
                   volatile sig_atomic_t *interrupt)
{
	const void *p;

	if (size != 4 && size != 8)
		return -1;
	p = wait_addr(mem, off, size);
	if (p == NULL)
		return -1;
	return vm_futex_wait(p, size, expected, timeout_ns, interrupt);
}

int64_t vm_memory_waiters(struct vm_memory *mem, uint64_t off)
{
	const void *p = wait_addr(mem, off, 4);

	return p == NULL ? -1 : (int64_t)vm_futex_waiters(p);
}

int64_t vm_memory_notify(struct vm_memory *mem, uint64_t off, uint32_t count)
{
	const void *p = wait_addr(mem, off, 4);

	if (p == NULL)
		return -1;
	return vm_futex_wake(p, count);
}
