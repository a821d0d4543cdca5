/*
 * pt_join_keys.c (wasmix-cc -pthread): pthread_join returns each
 * thread's value (from return and from pthread_exit); thread-specific
 * keys keep one value per thread and run their destructor once per
 * thread that set one; pthread_once runs its function once among 8
 * racing threads; _Thread_local variables are per thread; detached
 * threads end without a join; pthread_self/equal tell threads apart.
 * Prints "joined=8 dtors=8 once=1"; exits 0 only if all hold.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define NTHREADS 8

static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs, dtors, detached_done, bad;
static _Thread_local int tls_value = 100;

static void dtor(void *v)
{
	__atomic_fetch_add(&dtors, 1, __ATOMIC_SEQ_CST);
	free(v);
}

static void init_once(void)
{
	__atomic_fetch_add(&once_runs, 1, __ATOMIC_SEQ_CST);
}

static void *work(void *arg)
{
	long id = (long)arg;
	long *mine = malloc(sizeof *mine);

	pthread_once(&once, init_once);
	*mine = id;
	pthread_setspecific(key, mine);
	tls_value += (int)id;
	for (int i = 0; i < 1000; i++)
		if (*(long *)pthread_getspecific(key) != id ||
		    tls_value != 100 + id)
			bad = 1;
	if (id % 2)
		pthread_exit((void *)(id * 10));
	return (void *)(id * 10);
}

static void *detached(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&detached_done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

int main(void)
{
	pthread_t t[NTHREADS], d;
	pthread_attr_t a;
	int joined = 0;

	if (pthread_key_create(&key, dtor) != 0)
		return 2;
	for (long i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, work, (void *)i) != 0)
			return 3;
	for (long i = 0; i < NTHREADS; i++) {
		void *r = NULL;
		if (pthread_equal(t[i], pthread_self()))
			bad = 1;
		if (pthread_join(t[i], &r) == 0 && (long)r == i * 10)
			joined++;
	}
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < 4; i++)
		if (pthread_create(&d, &a, detached, NULL) != 0)
			return 4;
	pthread_attr_destroy(&a);
	while (__atomic_load_n(&detached_done, __ATOMIC_SEQ_CST) < 4)
		sched_yield();
	if (pthread_getspecific(key) != NULL || tls_value != 100)
		bad = 1;
	printf("joined=%d dtors=%d once=%d\n", joined, dtors, once_runs);
	return joined == NTHREADS && dtors == NTHREADS && once_runs == 1 &&
	               !bad
	           ? 0
	           : 1;
}
