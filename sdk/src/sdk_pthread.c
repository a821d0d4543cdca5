/*
 * sdk_pthread.c: POSIX threads for `wasmix-cc -pthread` programs over
 * WASIX threads, on Debian's single-threaded wasi-libc. Built with
 * -matomics -mbulk-memory into libwasix-pthread.a (not libwasix.a).
 *
 * Each thread gets one malloc'd block: its record (struct __pthread,
 * whose first 64 bytes are the WASIX thread_start: stack_upper @0,
 * tls_base @4, start_funct @8, start_args @12, stack_size @56,
 * guard_size @60), its TLS block and its stack. wasi_thread_start
 * (sdk_pthread_start.s) sets __stack_pointer and initialises the TLS block
 * (__wasm_init_tls, which also sets __tls_base) before any C runs. The
 * main thread's TLS block is made by a constructor (__wasix_pthread_init,
 * which wasmix-cc -pthread forces into the link).
 *
 * Keeps true:
 *  - A joinable thread's block is freed by its joiner, a detached one's
 *    by a later pthread_create/pthread_detach, and only after the host
 *    thread_join said the thread ended (so never while it runs on it).
 *  - Locks are futex words (0 free, 1 locked, 2 locked with waiters)
 *    waited on with memory.atomic.wait32/notify.
 *  - malloc and friends run under one lock (wasm-ld --wrap, set up by
 *    wasmix-cc -pthread), taken around fork() by the fork wrapper so a
 *    child never inherits it held. errno and stdio stay unsynchronised
 *    (sdk/README.md).
 *  - errno is wasi-libc's one global (not per thread: sdk/README.md).
 *    -pthread code reaches it through __wasix_errno_location
 *    (wasix/pthread_errno.h), since wasi-libc's header declares it
 *    _Thread_local, which under -matomics would name a TLS symbol that
 *    libc.a does not have. This file skips that declaration too.
 */
#define __wasilibc___errno_h /* no _Thread_local errno: see above */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PT_IMPORT(name)                                                        \
	__attribute__((import_module("wasix_32v1"), import_name(name)))

PT_IMPORT("thread_spawn_v2") int32_t __wasix_thread_spawn(void *st,
                                                         int32_t *tid);
PT_IMPORT("thread_join") int32_t __wasix_thread_join(int32_t tid);
PT_IMPORT("thread_exit") _Noreturn void __wasix_thread_exit(int32_t code);

#define PT_STACK_DEFAULT (128u * 1024u)
#define PT_EINTR         27 /* WASI errno */

enum { PT_JOINABLE = 0, PT_DETACHED = 1, PT_EXITED = 2 };

struct __pthread {
	uint32_t start[16]; /* the WASIX thread_start, see above */
	void *(*fn)(void *);
	void *arg;
	void *ret;
	int32_t tid;
	int32_t state; /* PT_*, __atomic */
	void *specific[PTHREAD_KEYS_MAX];
	struct __pthread *next_zombie;
};

_Static_assert(__builtin_offsetof(struct __pthread, start) == 0, "start");

/* wasi-libc's errno (a plain global in its single-threaded libc.a). */
extern int __wasix_libc_errno __asm__("errno");
int *__wasix_errno_location(void); /* wasix/pthread_errno.h */

int *__wasix_errno_location(void)
{
	return &__wasix_libc_errno;
}

/* Declared for the asm entry and wasmix-cc's -u. */
void __wasix_pthread_entry(int32_t tid, struct __pthread *t);
void __wasix_pthread_init(void);
extern void __wasm_init_tls(void *block);

static struct __pthread pt_main = {.tid = 1};
static _Thread_local struct __pthread *pt_self_tls;

/* ---- futex words ------------------------------------------------------- */

static void pt_wait(int32_t *w, int32_t expected, int64_t ns)
{
	__builtin_wasm_memory_atomic_wait32(w, expected, ns);
}

static void pt_wake(int32_t *w, uint32_t n)
{
	__builtin_wasm_memory_atomic_notify(w, n);
}

static int pt_word_trylock(int32_t *w)
{
	int32_t c = 0;

	return __atomic_compare_exchange_n(w, &c, 1, 0, __ATOMIC_ACQUIRE,
	                                   __ATOMIC_RELAXED);
}

static void pt_word_lock(int32_t *w)
{
	int32_t c = 0;

	if (__atomic_compare_exchange_n(w, &c, 1, 0, __ATOMIC_ACQUIRE,
	                                __ATOMIC_RELAXED))
		return;
	if (c != 2)
		c = __atomic_exchange_n(w, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		pt_wait(w, 2, -1);
		c = __atomic_exchange_n(w, 2, __ATOMIC_ACQUIRE);
	}
}

static void pt_word_unlock(int32_t *w)
{
	if (__atomic_exchange_n(w, 0, __ATOMIC_RELEASE) == 2)
		pt_wake(w, 1);
}

/* ---- malloc under a lock (wasmix-cc -pthread: -Wl,--wrap=...) ---------- */

static int32_t pt_malloc_mu;

void *__real_malloc(size_t n);
void __real_free(void *p);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
int __real_posix_memalign(void **p, size_t align, size_t n);
void *__real_aligned_alloc(size_t align, size_t n);
size_t __real_malloc_usable_size(void *p);
void *__wrap_malloc(size_t n);
void __wrap_free(void *p);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
int __wrap_posix_memalign(void **p, size_t align, size_t n);
void *__wrap_aligned_alloc(size_t align, size_t n);
size_t __wrap_malloc_usable_size(void *p);

void *__wrap_malloc(size_t n)
{
	pt_word_lock(&pt_malloc_mu);
	void *p = __real_malloc(n);
	pt_word_unlock(&pt_malloc_mu);
	return p;
}

void __wrap_free(void *p)
{
	if (p == NULL)
		return;
	pt_word_lock(&pt_malloc_mu);
	__real_free(p);
	pt_word_unlock(&pt_malloc_mu);
}

void *__wrap_calloc(size_t n, size_t size)
{
	pt_word_lock(&pt_malloc_mu);
	void *p = __real_calloc(n, size);
	pt_word_unlock(&pt_malloc_mu);
	return p;
}

void *__wrap_realloc(void *p, size_t n)
{
	pt_word_lock(&pt_malloc_mu);
	void *q = __real_realloc(p, n);
	pt_word_unlock(&pt_malloc_mu);
	return q;
}

int __wrap_posix_memalign(void **p, size_t align, size_t n)
{
	pt_word_lock(&pt_malloc_mu);
	int rc = __real_posix_memalign(p, align, n);
	pt_word_unlock(&pt_malloc_mu);
	return rc;
}

void *__wrap_aligned_alloc(size_t align, size_t n)
{
	pt_word_lock(&pt_malloc_mu);
	void *p = __real_aligned_alloc(align, n);
	pt_word_unlock(&pt_malloc_mu);
	return p;
}

size_t __wrap_malloc_usable_size(void *p)
{
	pt_word_lock(&pt_malloc_mu);
	size_t n = __real_malloc_usable_size(p);
	pt_word_unlock(&pt_malloc_mu);
	return n;
}

/* ---- fork: pthread_atfork handlers, the malloc lock -------------------- */

#define PT_ATFORK_MAX 32

static struct {
	void (*prepare)(void), (*parent)(void), (*child)(void);
} pt_atfork[PT_ATFORK_MAX];
static int pt_natfork;
static int32_t pt_atfork_mu;

int pthread_atfork(void (*prepare)(void), void (*parent)(void),
                   void (*child)(void))
{
	int rc = 0;

	pt_word_lock(&pt_atfork_mu);
	if (pt_natfork == PT_ATFORK_MAX) {
		rc = ENOMEM;
	} else {
		pt_atfork[pt_natfork].prepare = prepare;
		pt_atfork[pt_natfork].parent = parent;
		pt_atfork[pt_natfork].child = child;
		pt_natfork++;
	}
	pt_word_unlock(&pt_atfork_mu);
	return rc;
}

pid_t __real_fork(void);
pid_t __wrap_fork(void);

/* fork() of a threaded program: only the caller goes on in the child. */
pid_t __wrap_fork(void)
{
	pid_t pid;
	int n;

	pt_word_lock(&pt_atfork_mu);
	n = pt_natfork;
	for (int i = n - 1; i >= 0; i--)
		if (pt_atfork[i].prepare != NULL)
			pt_atfork[i].prepare();
	pt_word_lock(&pt_malloc_mu);
	pid = __real_fork();
	/* The child's other threads are gone, so no waiter to wake. */
	__atomic_store_n(&pt_malloc_mu, 0, __ATOMIC_RELEASE);
	if (pid != 0)
		pt_wake(&pt_malloc_mu, 1);
	for (int i = 0; i < n; i++) {
		void (*fn)(void) = pid == 0 ? pt_atfork[i].child
		                            : pt_atfork[i].parent;
		if (fn != NULL)
			fn();
	}
	pt_word_unlock(&pt_atfork_mu);
	return pid;
}

/* ---- keys -------------------------------------------------------------- */

static struct {
	int used;
	void (*dtor)(void *);
} pt_keys[PTHREAD_KEYS_MAX];
static int32_t pt_keys_mu;

pthread_t pthread_self(void)
{
	return pt_self_tls != NULL ? pt_self_tls : &pt_main;
}

int pthread_equal(pthread_t a, pthread_t b)
{
	return a == b;
}

int pthread_key_create(pthread_key_t *key, void (*dtor)(void *))
{
	int rc = EAGAIN;

	pt_word_lock(&pt_keys_mu);
	for (unsigned k = 0; k < PTHREAD_KEYS_MAX; k++) {
		if (!pt_keys[k].used) {
			pt_keys[k].used = 1;
			pt_keys[k].dtor = dtor;
			*key = k;
			rc = 0;
			break;
		}
	}
	pt_word_unlock(&pt_keys_mu);
	return rc;
}

int pthread_key_delete(pthread_key_t key)
{
	if (key >= PTHREAD_KEYS_MAX)
		return EINVAL;
	pt_word_lock(&pt_keys_mu);
	pt_keys[key].used = 0;
	pt_keys[key].dtor = NULL;
	pt_word_unlock(&pt_keys_mu);
	return 0;
}

void *pthread_getspecific(pthread_key_t key)
{
	return key < PTHREAD_KEYS_MAX ? pthread_self()->specific[key] : NULL;
}

int pthread_setspecific(pthread_key_t key, const void *value)
{
	if (key >= PTHREAD_KEYS_MAX)
		return EINVAL;
	pthread_self()->specific[key] = (void *)value;
	return 0;
}

/* Runs the key destructors of the calling thread (POSIX rounds). */
static void pt_run_dtors(struct __pthread *t)
{
	for (int round = 0; round < PTHREAD_DESTRUCTOR_ITERATIONS; round++) {
		int ran = 0;

		for (unsigned k = 0; k < PTHREAD_KEYS_MAX; k++) {
			void *v = t->specific[k];
			void (*dtor)(void *);

			pt_word_lock(&pt_keys_mu);
			dtor = pt_keys[k].used ? pt_keys[k].dtor : NULL;
			pt_word_unlock(&pt_keys_mu);
			if (v == NULL || dtor == NULL)
				continue;
			t->specific[k] = NULL;
			dtor(v);
			ran = 1;
		}
		if (!ran)
			break;
	}
}

/* ---- threads ----------------------------------------------------------- */

static struct __pthread *pt_zombies; /* ended detached threads */
static int32_t pt_zombies_mu;

/* Waits until the host thread 'tid' ended (thread_join), EINTR retried. */
static void pt_host_join(int32_t tid)
{
	while (__wasix_thread_join(tid) == PT_EINTR)
		;
}

/* Frees the blocks of detached threads that have ended. */
static void pt_reap(void)
{
	struct __pthread *z;

	pt_word_lock(&pt_zombies_mu);
	z = pt_zombies;
	pt_zombies = NULL;
	pt_word_unlock(&pt_zombies_mu);
	while (z != NULL) {
		struct __pthread *next = z->next_zombie;
		pt_host_join(z->tid);
		free(z);
		z = next;
	}
}

_Noreturn void pthread_exit(void *ret)
{
	struct __pthread *t = pthread_self();
	int32_t st = PT_JOINABLE;

	t->ret = ret;
	pt_run_dtors(t);
	if (t == &pt_main)
		__wasix_thread_exit(0); /* the process ends with the last one */
	if (!__atomic_compare_exchange_n(&t->state, &st, PT_EXITED, 0,
	                                 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		/* Detached: a later pthread_create frees the block. */
		pt_word_lock(&pt_zombies_mu);
		t->next_zombie = pt_zombies;
		pt_zombies = t;
		pt_word_unlock(&pt_zombies_mu);
	}
	__wasix_thread_exit(0);
}

void __wasix_pthread_entry(int32_t tid, struct __pthread *t)
{
	__atomic_store_n(&t->tid, tid, __ATOMIC_RELEASE);
	pt_self_tls = t;
	pthread_exit(t->fn(t->arg));
}

/* Before the program's own constructors (65535) and main. */
void __wasix_pthread_init(void) __attribute__((constructor(101)));
void __wasix_pthread_init(void)
{
	size_t align = __builtin_wasm_tls_align(), size;
	void *tls;

	if (pt_self_tls != NULL || align == 0)
		return;
	size = __builtin_wasm_tls_size();
	if (align < 16)
		align = 16;
	tls = aligned_alloc(align, (size + align - 1) / align * align);
	if (tls == NULL)
		abort();
	__wasm_init_tls(tls);
}

/* The sizes of one thread's block: record, TLS, stack (16-aligned). */
static size_t pt_block_size(size_t stack, size_t *tls_off, size_t *stk_off)
{
	size_t align = __builtin_wasm_tls_align();

	if (align < 16)
		align = 16;
	*tls_off = (sizeof(struct __pthread) + align - 1) / align * align;
	*stk_off = *tls_off + (__builtin_wasm_tls_size() + align - 1) /
	                          align * align;
	return *stk_off + (stack + 15) / 16 * 16;
}

int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                   void *(*start)(void *), void *arg)
{
	size_t stack = PT_STACK_DEFAULT, tls_off, stk_off, total;
	struct __pthread *t;
	int32_t err, tid = 0;
	uint8_t *b;

	pt_reap();
	if (attr != NULL && attr->__u.__s[0] != 0)
		stack = attr->__u.__s[0];
	total = pt_block_size(stack, &tls_off, &stk_off);
	b = aligned_alloc(16, total);
	if (b == NULL)
		return EAGAIN;
	memset(b, 0, stk_off);
	t = (struct __pthread *)b;
	t->start[0] = (uint32_t)(uintptr_t)(b + total);  /* stack_upper */
	t->start[1] = (uint32_t)(uintptr_t)(b + tls_off); /* tls_base */
	t->start[2] = (uint32_t)(uintptr_t)start;         /* start_funct */
	t->start[3] = (uint32_t)(uintptr_t)arg;           /* start_args */
	t->start[14] = (uint32_t)stack;                   /* stack_size */
	t->fn = start;
	t->arg = arg;
	t->state = attr != NULL && attr->__u.__s[1] == PTHREAD_CREATE_DETACHED
	               ? PT_DETACHED
	               : PT_JOINABLE;
	err = __wasix_thread_spawn(t, &tid);
	if (err != 0) {
		free(b);
		return EAGAIN;
	}
	/* The thread stores it too (whichever comes first). */
	__atomic_store_n(&t->tid, tid, __ATOMIC_RELEASE);
	*thread = t;
	return 0;
}

int pthread_join(pthread_t t, void **ret)
{
	if (t == pthread_self())
		return EDEADLK;
	if (t == &pt_main || __atomic_load_n(&t->state, __ATOMIC_ACQUIRE) ==
	                         PT_DETACHED)
		return EINVAL;
	/* The tid is stored by pthread_create and by the thread itself. */
	while (__atomic_load_n(&t->tid, __ATOMIC_ACQUIRE) == 0)
		sched_yield();
	pt_host_join(__atomic_load_n(&t->tid, __ATOMIC_ACQUIRE));
	if (ret != NULL)
		*ret = t->ret;
	free(t);
	return 0;
}

int pthread_detach(pthread_t t)
{
	int32_t st = PT_JOINABLE;

	if (t == &pt_main)
		return EINVAL;
	if (__atomic_compare_exchange_n(&t->state, &st, PT_DETACHED, 0,
	                                 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return 0;
	if (st != PT_EXITED)
		return EINVAL;
	/* It already ended joinable: nobody else will free it. */
	pt_host_join(__atomic_load_n(&t->tid, __ATOMIC_ACQUIRE));
	free(t);
	return 0;
}

int pthread_attr_init(pthread_attr_t *a)
{
	memset(a, 0, sizeof *a);
	return 0;
}

int pthread_attr_destroy(pthread_attr_t *a)
{
	(void)a;
	return 0;
}

int pthread_attr_setstacksize(pthread_attr_t *a, size_t size)
{
	if (size < PTHREAD_STACK_MIN)
		return EINVAL;
	a->__u.__s[0] = size;
	return 0;
}

int pthread_attr_getstacksize(const pthread_attr_t *a, size_t *size)
{
	*size = a->__u.__s[0] != 0 ? a->__u.__s[0] : PT_STACK_DEFAULT;
	return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t *a, int state)
{
	if (state != PTHREAD_CREATE_JOINABLE &&
	    state != PTHREAD_CREATE_DETACHED)
		return EINVAL;
	a->__u.__s[1] = (unsigned long)state;
	return 0;
}

int pthread_attr_getdetachstate(const pthread_attr_t *a, int *state)
{
	*state = (int)a->__u.__s[1];
	return 0;
}

/* ---- mutexes: __i[0] lock word, [1] type, [2] owner tid, [3] depth ----- */

int pthread_mutexattr_init(pthread_mutexattr_t *a)
{
	a->__attr = PTHREAD_MUTEX_NORMAL;
	return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t *a)
{
	(void)a;
	return 0;
}

int pthread_mutexattr_settype(pthread_mutexattr_t *a, int type)
{
	if (type < PTHREAD_MUTEX_NORMAL || type > PTHREAD_MUTEX_ERRORCHECK)
		return EINVAL;
	a->__attr = (unsigned)type;
	return 0;
}

int pthread_mutexattr_gettype(const pthread_mutexattr_t *a, int *type)
{
	*type = (int)a->__attr;
	return 0;
}

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
	memset(m, 0, sizeof *m);
	m->__u.__i[1] = a != NULL ? (int)a->__attr : PTHREAD_MUTEX_NORMAL;
	return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *m)
{
	return __atomic_load_n(&m->__u.__i[0], __ATOMIC_RELAXED) != 0 ? EBUSY
	                                                               : 0;
}

/* The owner check of recursive/errorcheck mutexes: -1 to go on locking. */
static int pt_mutex_owned(pthread_mutex_t *m, int32_t me)
{
	if (m->__u.__i[1] == PTHREAD_MUTEX_NORMAL ||
	    __atomic_load_n(&m->__u.__i[2], __ATOMIC_RELAXED) != me)
		return -1;
	if (m->__u.__i[1] == PTHREAD_MUTEX_ERRORCHECK)
		return EDEADLK;
	m->__u.__i[3]++;
	return 0;
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
	int32_t me = pthread_self()->tid;
	int rc = pt_mutex_owned(m, me);

	if (rc >= 0)
		return rc;
	pt_word_lock((int32_t *)&m->__u.__i[0]);
	__atomic_store_n(&m->__u.__i[2], me, __ATOMIC_RELAXED);
	m->__u.__i[3] = 1;
	return 0;
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
	int32_t me = pthread_self()->tid;
	int rc = pt_mutex_owned(m, me);

	if (rc >= 0)
		return rc == EDEADLK ? EBUSY : rc;
	if (!pt_word_trylock((int32_t *)&m->__u.__i[0]))
		return EBUSY;
	__atomic_store_n(&m->__u.__i[2], me, __ATOMIC_RELAXED);
	m->__u.__i[3] = 1;
	return 0;
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
	if (m->__u.__i[1] != PTHREAD_MUTEX_NORMAL) {
		if (__atomic_load_n(&m->__u.__i[2], __ATOMIC_RELAXED) !=
		    pthread_self()->tid)
			return EPERM;
		if (--m->__u.__i[3] > 0)
			return 0;
	}
	__atomic_store_n(&m->__u.__i[2], 0, __ATOMIC_RELAXED);
	pt_word_unlock((int32_t *)&m->__u.__i[0]);
	return 0;
}

/* ---- condition variables: __i[0] a sequence number --------------------- */

int pthread_condattr_init(pthread_condattr_t *a)
{
	a->__attr = 0;
	return 0;
}

int pthread_condattr_destroy(pthread_condattr_t *a)
{
	(void)a;
	return 0;
}

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a)
{
	(void)a;
	memset(c, 0, sizeof *c);
	return 0;
}

int pthread_cond_destroy(pthread_cond_t *c)
{
	(void)c;
	return 0;
}

/* Waits on 'c' with 'm' released; 'ns' < 0: no timeout. */
static int pt_cond_wait_ns(pthread_cond_t *c, pthread_mutex_t *m, int64_t ns)
{
	int32_t *seq = (int32_t *)&c->__u.__i[0];
	int32_t s = __atomic_load_n(seq, __ATOMIC_SEQ_CST);
	int32_t depth = m->__u.__i[3];
	int r;

	m->__u.__i[3] = 1; /* a recursive mutex is released fully */
	pthread_mutex_unlock(m);
	r = __builtin_wasm_memory_atomic_wait32(seq, s, ns);
	pthread_mutex_lock(m);
	m->__u.__i[3] = depth;
	return r == 2 ? ETIMEDOUT : 0;
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	return pt_cond_wait_ns(c, m, -1);
}

int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
                           const struct timespec *abstime)
{
	struct timespec now;
	int64_t ns;

	if (abstime->tv_nsec < 0 || abstime->tv_nsec >= 1000000000L)
		return EINVAL;
	clock_gettime(CLOCK_REALTIME, &now);
	ns = (int64_t)(abstime->tv_sec - now.tv_sec) * 1000000000LL +
	     (abstime->tv_nsec - now.tv_nsec);
	if (ns <= 0)
		return ETIMEDOUT;
	return pt_cond_wait_ns(c, m, ns);
}

int pthread_cond_signal(pthread_cond_t *c)
{
	__atomic_fetch_add(&c->__u.__i[0], 1, __ATOMIC_SEQ_CST);
	pt_wake((int32_t *)&c->__u.__i[0], 1);
	return 0;
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
	__atomic_fetch_add(&c->__u.__i[0], 1, __ATOMIC_SEQ_CST);
	pt_wake((int32_t *)&c->__u.__i[0], UINT32_MAX);
	return 0;
}

/* ---- once: 0 not run, 1 running, 2 done -------------------------------- */

int pthread_once(pthread_once_t *once, void (*fn)(void))
{
	int32_t *w = (int32_t *)once, c = 0;

	if (__atomic_load_n(w, __ATOMIC_ACQUIRE) == 2)
		return 0;
	if (__atomic_compare_exchange_n(w, &c, 1, 0, __ATOMIC_ACQ_REL,
	                                __ATOMIC_ACQUIRE)) {
		fn();
		__atomic_store_n(w, 2, __ATOMIC_RELEASE);
		pt_wake(w, UINT32_MAX);
		return 0;
	}
	while (__atomic_load_n(w, __ATOMIC_ACQUIRE) != 2)
		pt_wait(w, 1, -1);
	return 0;
}
