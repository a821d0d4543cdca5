/*
 * pt_fork.c (wasmix-cc -pthread): fork from a threaded C program goes on
 * with only the calling thread. 4 threads keep incrementing a counter
 * under a mutex and churning malloc/free; the main thread forks (with
 * pthread_atfork handlers that hold the mutex across the fork, as POSIX
 * programs must: a lock held by a thread the child does not have would
 * stay locked there; the SDK does the same for malloc's lock). The
 * child sees the counter stand still for 30 ms, can still malloc, lock
 * the mutex and start and join a thread of its own, prints "child ok"
 * and exits 5. The parent waits for it (exit status 5), sees its own
 * threads still counting, stops and joins them, prints "parent ok" and
 * exits 0.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static int stop;

static void *spin(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_SEQ_CST)) {
		void *p = malloc(64);
		pthread_mutex_lock(&mu);
		counter++;
		pthread_mutex_unlock(&mu);
		free(p);
	}
	return NULL;
}

static void lock_mu(void)
{
	pthread_mutex_lock(&mu);
}

static void unlock_mu(void)
{
	pthread_mutex_unlock(&mu);
}

static void *child_thread(void *arg)
{
	return arg;
}

static long read_counter(void)
{
	long c;

	pthread_mutex_lock(&mu);
	c = counter;
	pthread_mutex_unlock(&mu);
	return c;
}

static int child(void)
{
	struct timespec ts = {0, 30000000};
	long before = read_counter();
	pthread_t t;
	void *r = NULL;

	nanosleep(&ts, NULL);
	if (read_counter() != before)
		return 6;
	free(malloc(1000));
	if (pthread_create(&t, NULL, child_thread, (void *)7L) != 0 ||
	    pthread_join(t, &r) != 0 || (long)r != 7)
		return 7;
	printf("child ok\n");
	fflush(stdout);
	return 5;
}

int main(void)
{
	pthread_t t[4];
	struct timespec ts = {0, 10000000};
	int status = 0;
	long c;
	pid_t pid;

	if (pthread_atfork(lock_mu, unlock_mu, unlock_mu) != 0)
		return 2;
	for (int i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, spin, NULL) != 0)
			return 2;
	while (read_counter() < 1000)
		nanosleep(&ts, NULL);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 3;
	if (pid == 0)
		_exit(child());
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 5)
		return 4;
	c = read_counter();
	nanosleep(&ts, NULL);
	if (read_counter() == c)
		return 8;
	__atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	printf("parent ok\n");
	return 0;
}
