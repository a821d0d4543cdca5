/*
 * vm_futex.c: the wait queue behind memory.atomic.wait/notify and the
 * WASIX futex_* calls, keyed by host address.
 *
 * Linear memories never move, so a host address names one guest location
 * for the life of the process and needs no memory identity. Addresses
 * hash to a fixed array of buckets; each bucket has a mutex and a FIFO
 * list of waiters, and each waiter a condition variable of its own on the
 * monotonic clock, living on the waiting thread's C stack.
 *
 * Keeps true:
 *  - The value is compared with 'expected' while the bucket's lock is
 *    held, and a notifier takes the same lock after changing the value, so
 *    a wake-up between the compare and the sleep cannot be lost.
 *  - A waiter is on its bucket's list exactly while it sleeps and nobody
 *    has woken it; the waker unlinks it and sets 'woken' under the lock,
 *    so the waiter never returns (and frees its node) before that.
 *  - THREADS: everything here is guarded by the bucket locks; the fork
 *    hooks take all of them in index order.
 */
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "vm/vm_impl.h"

#define FUTEX_BUCKETS 32
/* How often a waiter with an interrupt flag looks at it. */
#define FUTEX_POLL_NS 20000000LL

struct futex_waiter {
	struct futex_waiter *next;
	const void *addr;
	int woken;
	pthread_cond_t cv;
};

struct futex_bucket {
	pthread_mutex_t mu;
	struct futex_waiter *head;
};

static struct futex_bucket futex_buckets[FUTEX_BUCKETS];
static pthread_condattr_t futex_cattr;
static pthread_once_t futex_once = PTHREAD_ONCE_INIT;

static void futex_init(void)
{
	for (int i = 0; i < FUTEX_BUCKETS; i++)
		pthread_mutex_init(&futex_buckets[i].mu, NULL);
	pthread_condattr_init(&futex_cattr);
	pthread_condattr_setclock(&futex_cattr, CLOCK_MONOTONIC);
}

static struct futex_bucket *bucket_of(const void *addr)
{
	uintptr_t a = (uintptr_t)addr >> 2;

	a ^= a >> 7;
	a *= 0x9E3779B97F4A7C15ull;
	return &futex_buckets[(a >> 32) % FUTEX_BUCKETS];
}

static uint64_t load_value(const void *addr, unsigned size)
{
	if (size == 8)
		return __atomic_load_n((const uint64_t *)addr,
		                       __ATOMIC_SEQ_CST);
	return __atomic_load_n((const uint32_t *)addr, __ATOMIC_SEQ_CST);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void unlink_waiter(struct futex_bucket *b, struct futex_waiter *w)
{
	for (struct futex_waiter **pp = &b->head; *pp != NULL;
	     pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			return;
		}
	}
}

/*
 * Sleeps on w->cv until woken, 'deadline' (monotonic ns, or -1) or the
 * interrupt flag; the bucket lock is held on entry and on return.
 */
static int futex_sleep(struct futex_bucket *b, struct futex_waiter *w,
                       int64_t deadline, volatile sig_atomic_t *interrupt)
{
	for (;;) {
		if (w->woken)
			return VM_WAIT_OK;
		if (interrupt != NULL &&
		    __atomic_load_n(interrupt, __ATOMIC_RELAXED))
			return VM_WAIT_INTERRUPTED;
		int64_t now = now_ns(), until = deadline;
		if (deadline >= 0 && now >= deadline)
			return VM_WAIT_TIMED_OUT;
		if (interrupt != NULL &&
		    (until < 0 || until - now > FUTEX_POLL_NS))
			until = now + FUTEX_POLL_NS;
		if (until < 0) {
			pthread_cond_wait(&w->cv, &b->mu);
			continue;
		}
		struct timespec ts = {(time_t)(until / 1000000000LL),
		                      (long)(until % 1000000000LL)};
		pthread_cond_timedwait(&w->cv, &b->mu, &ts);
	}
}

int vm_futex_wait(const void *addr, unsigned size, uint64_t expected,
                  int64_t timeout_ns, volatile sig_atomic_t *interrupt)
{
	struct futex_bucket *b;
	struct futex_waiter w = {.addr = addr};
	int64_t deadline = -1;
	int rc;

	pthread_once(&futex_once, futex_init);
	if (timeout_ns >= 0) {
		int64_t now = now_ns();
		deadline =
		    timeout_ns > INT64_MAX - now ? INT64_MAX : now + timeout_ns;
	}
	b = bucket_of(addr);
	pthread_cond_init(&w.cv, &futex_cattr);
	pthread_mutex_lock(&b->mu);
	if (load_value(addr, size) != expected) {
		rc = VM_WAIT_NOT_EQUAL;
		goto out;
	}
	struct futex_waiter **pp = &b->head;
	while (*pp != NULL)
		pp = &(*pp)->next;
	*pp = &w;
	rc = futex_sleep(b, &w, deadline, interrupt);
	if (!w.woken)
		unlink_waiter(b, &w);
	else
		rc = VM_WAIT_OK;
out:
	pthread_mutex_unlock(&b->mu);
	pthread_cond_destroy(&w.cv);
	return rc;
}

uint32_t vm_futex_wake(const void *addr, uint32_t count)
{
	struct futex_bucket *b;
	uint32_t n = 0;

	pthread_once(&futex_once, futex_init);
	b = bucket_of(addr);
	pthread_mutex_lock(&b->mu);
	struct futex_waiter **pp = &b->head;
	while (*pp != NULL && n < count) {
		struct futex_waiter *w = *pp;
		if (w->addr != addr) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		w->woken = 1;
		pthread_cond_signal(&w->cv);
		n++;
	}
	pthread_mutex_unlock(&b->mu);
	return n;
}

uint32_t vm_futex_waiters(const void *addr)
{
	struct futex_bucket *b;
	uint32_t n = 0;

	pthread_once(&futex_once, futex_init);
	b = bucket_of(addr);
	pthread_mutex_lock(&b->mu);
	for (struct futex_waiter *w = b->head; w != NULL; w = w->next)
		n += w->addr == addr;
	pthread_mutex_unlock(&b->mu);
	return n;
}

void vm_futex_fork_prepare(void)
{
	pthread_once(&futex_once, futex_init);
	for (int i = 0; i < FUTEX_BUCKETS; i++)
		pthread_mutex_lock(&futex_buckets[i].mu);
}

void vm_futex_fork_parent(void)
{
	for (int i = FUTEX_BUCKETS - 1; i >= 0; i--)
		pthread_mutex_unlock(&futex_buckets[i].mu);
}

void vm_futex_fork_child(void)
{
	/* Every waiter was another thread, and those do not exist here. */
	for (int i = FUTEX_BUCKETS - 1; i >= 0; i--) {
		futex_buckets[i].head = NULL;
		pthread_mutex_unlock(&futex_buckets[i].mu);
	}
}
