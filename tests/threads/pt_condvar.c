/*
 * pt_condvar.c (wasmix-cc -pthread): producer/consumer over a bounded
 * queue of 16 slots with a mutex and two condition variables. 4
 * producers put 1..5000 each; 4 consumers take until they see 0 (one per
 * consumer, put by main after joining the producers) and return their
 * sums through pthread_join. Prints "items=20000 sum=50010000"; exits 0
 * only if every item was taken exactly once (count and sum), and a
 * timed wait on a condition nobody signals times out (ETIMEDOUT).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#define NPROD 4
#define NCONS 4
#define NITEM 5000
#define QCAP  16

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static int queue[QCAP], head, len;
static long taken;

static void put(int v)
{
	pthread_mutex_lock(&mu);
	while (len == QCAP)
		pthread_cond_wait(&not_full, &mu);
	queue[(head + len++) % QCAP] = v;
	pthread_cond_signal(&not_empty);
	pthread_mutex_unlock(&mu);
}

static int take(void)
{
	int v;

	pthread_mutex_lock(&mu);
	while (len == 0)
		pthread_cond_wait(&not_empty, &mu);
	v = queue[head];
	head = (head + 1) % QCAP;
	len--;
	if (v != 0)
		taken++;
	pthread_cond_signal(&not_full);
	pthread_mutex_unlock(&mu);
	return v;
}

static void *producer(void *arg)
{
	(void)arg;
	for (int i = 1; i <= NITEM; i++)
		put(i);
	return NULL;
}

static void *consumer(void *arg)
{
	long sum = 0;
	int v;

	(void)arg;
	while ((v = take()) != 0)
		sum += v;
	return (void *)sum;
}

int main(void)
{
	pthread_t p[NPROD], c[NCONS];
	long sum = 0;
	struct timespec ts;
	int rc;

	for (int i = 0; i < NCONS; i++)
		if (pthread_create(&c[i], NULL, consumer, NULL) != 0)
			return 2;
	for (int i = 0; i < NPROD; i++)
		if (pthread_create(&p[i], NULL, producer, NULL) != 0)
			return 2;
	for (int i = 0; i < NPROD; i++)
		pthread_join(p[i], NULL);
	for (int i = 0; i < NCONS; i++)
		put(0);
	for (int i = 0; i < NCONS; i++) {
		void *r;
		pthread_join(c[i], &r);
		sum += (long)r;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 20000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&mu);
	do
		rc = pthread_cond_timedwait(&not_empty, &mu, &ts);
	while (rc == 0);
	pthread_mutex_unlock(&mu);
	printf("items=%ld sum=%ld\n", taken, sum);
	return taken == (long)NPROD * NITEM &&
	               sum == (long)NPROD * NITEM * (NITEM + 1) / 2 &&
	               rc == ETIMEDOUT
	           ? 0
	           : 1;
}
