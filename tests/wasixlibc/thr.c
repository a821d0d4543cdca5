/* thr.c: pthreads through wasix-libc: a mutex under contention, a
 * condvar queue, __thread variables, keys with destructors, join
 * values, detached threads, pthread_once, a barrier, an rwlock, errno
 * per thread, and pthread_kill to a thread with a handler (the handler
 * runs in that thread). Results are sums and flags, never timings. */
#include "corpus.h"
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#define NT 4

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static long counter;
static __thread int tls = 100;
static pthread_key_t key;
static int destructed;

static void *add(void *arg)
{
	for (int i = 0; i < 10000; i++) {
		pthread_mutex_lock(&mu);
		counter++;
		pthread_mutex_unlock(&mu);
	}
	tls += (int)(long)arg;
	pthread_setspecific(key, (void *)1);
	return (void *)(long)tls;
}

static void destroy(void *v)
{
	pthread_mutex_lock(&mu);
	destructed += v != NULL;
	pthread_mutex_unlock(&mu);
}

static int queue[16], qn, qdone;
static long consumed;

static void *consumer(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&mu);
		while (qn == 0 && !qdone)
			pthread_cond_wait(&cv, &mu);
		if (qn == 0 && qdone) {
			pthread_mutex_unlock(&mu);
			return NULL;
		}
		consumed += queue[--qn];
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&mu);
	}
}

static int detached_done;

static void *detached(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	detached_done = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	return NULL;
}

static int once_count;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static void once_fn(void)
{
	once_count++;
}

static pthread_barrier_t bar;
static int serial;

static void *at_barrier(void *arg)
{
	(void)arg;
	pthread_once(&once, once_fn);
	if (pthread_barrier_wait(&bar) == PTHREAD_BARRIER_SERIAL_THREAD) {
		pthread_mutex_lock(&mu);
		serial++;
		pthread_mutex_unlock(&mu);
	}
	errno = 1000 + (int)(long)arg;
	sched_yield();
	return (void *)(long)(errno == 1000 + (int)(long)arg);
}

static pthread_t sig_target;
static volatile sig_atomic_t sig_in_target, sig_hits;
static volatile int target_ready, target_stop;

static void on_usr1(int s)
{
	(void)s;
	sig_in_target = pthread_equal(pthread_self(), sig_target);
	sig_hits++;
}

static void *sig_wait(void *arg)
{
	(void)arg;
	struct timespec ms = {0, 1000000};
	__atomic_store_n(&target_ready, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < 10000 && !sig_hits; i++)
		nanosleep(&ms, NULL);
	return NULL;
}

int main(int argc, char **argv)
{
	corpus_init();
	pthread_t t[NT];
	pthread_key_create(&key, destroy);
	for (long i = 0; i < NT; i++)
		if (pthread_create(&t[i], NULL, add, (void *)i))
			printf("pthread_create %ld failed\n", i);
	long sum = 0;
	for (int i = 0; i < NT; i++) {
		void *rv;
		pthread_join(t[i], &rv);
		sum += (long)rv;
	}
	printf("counter %ld\n", counter);
	printf("tls values sum %ld main tls %d\n", sum, tls);
	printf("key destructors %d\n", destructed);
	pthread_t c[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&c[i], NULL, consumer, NULL);
	long produced = 0;
	for (int i = 1; i <= 200; i++) {
		pthread_mutex_lock(&mu);
		while (qn == 16)
			pthread_cond_wait(&cv, &mu);
		queue[qn++] = i;
		produced += i;
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&mu);
	}
	pthread_mutex_lock(&mu);
	qdone = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	for (int i = 0; i < 2; i++)
		pthread_join(c[i], NULL);
	printf("condvar queue produced %ld consumed %ld\n", produced, consumed);
	pthread_t d;
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	printf("create detached %d\n", pthread_create(&d, &at, detached, NULL));
	pthread_mutex_lock(&mu);
	while (!detached_done)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	printf("detached ran %d\n", detached_done);
	pthread_barrier_init(&bar, NULL, NT);
	for (long i = 0; i < NT; i++)
		pthread_create(&t[i], NULL, at_barrier, (void *)i);
	int errno_ok = 0;
	for (int i = 0; i < NT; i++) {
		void *rv;
		pthread_join(t[i], &rv);
		errno_ok += (int)(long)rv;
	}
	printf("once %d barrier serial %d errno per thread %d\n", once_count, serial,
	       errno_ok);
	pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
	pthread_rwlock_rdlock(&rw);
	printf("second rdlock %d trywrlock busy %d\n", pthread_rwlock_tryrdlock(&rw),
	       pthread_rwlock_trywrlock(&rw) != 0);
	pthread_rwlock_unlock(&rw);
	pthread_rwlock_unlock(&rw);
	printf("trywrlock free %d\n", pthread_rwlock_trywrlock(&rw));
	printf("trylock free %d\n", pthread_mutex_trylock(&mu));
	pthread_mutex_unlock(&mu);
	printf("self equal %d\n", pthread_equal(pthread_self(), pthread_self()));
	/* pthread_kill: the handler runs in the target thread ('thr kill'
	 * only: WASIX runs it on the sender, a documented difference). */
	if (argc < 2 || strcmp(argv[1], "kill") != 0) {
		printf("done\n");
		return 0;
	}
	signal(SIGUSR1, on_usr1);
	pthread_create(&sig_target, NULL, sig_wait, NULL);
	while (!__atomic_load_n(&target_ready, __ATOMIC_SEQ_CST))
		sched_yield();
	printf("pthread_kill %d\n", pthread_kill(sig_target, SIGUSR1));
	pthread_join(sig_target, NULL);
	printf("signal hits %d in target %d\n", sig_hits, sig_in_target);
	printf("done\n");
	return 0;
}
