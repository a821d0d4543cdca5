/*
 * pt_mutex.c (wasmix-cc -pthread): 8 threads add 1 to a plain counter
 * 20,000 times each under a pthread mutex, and 1,000 times under a
 * recursive mutex taken twice (with trylock from the owner); an
 * errorcheck mutex refuses a second lock (EDEADLK) and an unlock by a
 * non-owner (EPERM). Prints "counter=160000 recursive=8000"; exits 0
 * only if all is exact.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#define NTHREADS 8
#define NITER    20000
#define NREC     1000

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t rec, chk;
static long counter, recursive;
static int bad;

static void *work(void *arg)
{
	(void)arg;
	for (int i = 0; i < NITER; i++) {
		pthread_mutex_lock(&mu);
		counter++;
		pthread_mutex_unlock(&mu);
	}
	for (int i = 0; i < NREC; i++) {
		pthread_mutex_lock(&rec);
		if (pthread_mutex_trylock(&rec) != 0)
			bad = 1;
		recursive++;
		pthread_mutex_unlock(&rec);
		pthread_mutex_unlock(&rec);
	}
	if (pthread_mutex_unlock(&chk) != EPERM)
		bad = 1;
	return NULL;
}

int main(void)
{
	pthread_mutexattr_t a;
	pthread_t t[NTHREADS];

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&rec, &a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&chk, &a);
	pthread_mutexattr_destroy(&a);
	pthread_mutex_lock(&chk);
	if (pthread_mutex_lock(&chk) != EDEADLK)
		return 2;
	for (int i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, work, NULL) != 0)
			return 3;
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	if (pthread_mutex_unlock(&chk) != 0 || pthread_mutex_destroy(&chk))
		return 4;
	printf("counter=%ld recursive=%ld\n", counter, recursive);
	return counter == (long)NTHREADS * NITER &&
	               recursive == (long)NTHREADS * NREC && !bad
	           ? 0
	           : 1;
}
