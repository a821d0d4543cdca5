/*
 * pt_errno.c (wasmix-cc -pthread): errno works in -pthread programs (it
 * used not to link: wasi-libc's header names a TLS errno that its
 * single-threaded libc.a does not define). errno is libc's one global,
 * shared by the threads (sdk/README.md): a failing call sets it for the
 * caller to read at once, in the main thread and in a spawned one, one
 * at a time; a value a thread stores is seen by the others (the same
 * object), and &errno is the same address in every thread.
 * Prints "errno ok"; exits 0 only if all hold, else the failed step.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int *thread_addr;

static void *in_thread(void *arg)
{
	(void)arg;
	thread_addr = &errno;
	errno = 0;
	if (close(9999) != -1 || errno != EBADF)
		return (void *)1;
	errno = 1234; /* the main thread reads it after the join */
	return NULL;
}

int main(void)
{
	pthread_t t;
	void *ret = (void *)2;

	errno = 0;
	if (close(9999) != -1 || errno != EBADF)
		return 3;
	errno = 0;
	if (lseek(9999, 0, SEEK_SET) != -1 || errno != EBADF)
		return 4;
	if (pthread_create(&t, NULL, in_thread, NULL) != 0 ||
	    pthread_join(t, &ret) != 0)
		return 5;
	if (ret != NULL)
		return 6;
	if (errno != 1234 || thread_addr != &errno)
		return 7;
	errno = 0;
	if (open("missing-file", O_RDONLY) != -1 || errno == 0)
		return 8;
	puts("errno ok");
	return 0;
}
