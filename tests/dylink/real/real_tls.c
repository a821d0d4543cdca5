/*
 * real_tls: a library's own thread-local variable (libtlsv.so, linked
 * with wasix-libc's scrt1.o, whose __wasix_init_tls gives each thread
 * its block) in four pthreads and the main thread: each counts alone
 * from the initial value, at its own address.
 */
#include <pthread.h>
#include <stdio.h>

int tlsv_bump(void);
int *tlsv_addr(void);

#define NTHR 4

static int *addrs[NTHR + 1];
static int finals[NTHR + 1];

static void *run(void *p)
{
	int i = (int)(long)p, v = 0;

	for (int k = 0; k < 1000; k++)
		v = tlsv_bump();
	finals[i] = v;
	addrs[i] = tlsv_addr();
	return NULL;
}

int main(void)
{
	pthread_t t[NTHR];
	int distinct = 1;

	for (long i = 0; i < NTHR; i++)
		if (pthread_create(&t[i], NULL, run, (void *)i) != 0)
			return 1;
	for (int i = 0; i < NTHR; i++)
		pthread_join(t[i], NULL);
	run((void *)(long)NTHR);
	for (int i = 0; i <= NTHR; i++)
		for (int j = 0; j < i; j++)
			distinct &= addrs[i] != addrs[j];
	for (int i = 0; i <= NTHR; i++)
		printf("%d ", finals[i]);
	printf("distinct=%d\n", distinct);
	return 0;
}
