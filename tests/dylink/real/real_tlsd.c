/*
 * real_tlsd: a library with a thread-local variable (libtlsv2.so, a
 * copy of libtlsv.so) dlopen'd while four threads already run, blocked
 * at a barrier: each gets its own block when its wait ends (the runtime
 * calls the library's __wasix_init_tls on a thread at its next system
 * call, as Wasmer does), so each counts from 5 alone, at its own
 * address.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#define NTHR 4

static pthread_barrier_t go;
static int (*bump)(void);
static int *(*addr)(void);
static int *addrs[NTHR + 1];
static int finals[NTHR + 1];

static void *run(void *p)
{
	int i = (int)(long)p, v = 0;

	if (i < NTHR)
		pthread_barrier_wait(&go);
	for (int k = 0; k < 1000; k++)
		v = bump();
	finals[i] = v;
	addrs[i] = addr();
	return NULL;
}

int main(void)
{
	pthread_t t[NTHR];
	int distinct = 1;
	void *h;

	pthread_barrier_init(&go, NULL, NTHR + 1);
	for (long i = 0; i < NTHR; i++)
		if (pthread_create(&t[i], NULL, run, (void *)i) != 0)
			return 1;
	h = dlopen("libtlsv2.so", RTLD_NOW);
	if (h == NULL) {
		printf("dlopen: %s\n", dlerror());
		return 1;
	}
	bump = (int (*)(void))dlsym(h, "tlsv_bump");
	addr = (int *(*)(void))dlsym(h, "tlsv_addr");
	pthread_barrier_wait(&go);
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
