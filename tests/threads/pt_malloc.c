/*
 * pt_malloc.c (wasmix-cc -pthread): 8 threads each run 20,000 rounds of
 * malloc/calloc/realloc/posix_memalign/free on blocks they fill with
 * their own pattern and check before freeing (the SDK runs wasi-libc's
 * allocator under a lock). Prints "rounds=160000"; exits 0 only if no
 * block was ever corrupted or misaligned.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NTHREADS 8
#define NROUNDS  20000
#define NKEEP    16

static long rounds;
static int bad;

static int check(const unsigned char *p, size_t n, unsigned char c)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

static void *work(void *arg)
{
	unsigned char c = (unsigned char)(long)arg + 1;
	unsigned char *keep[NKEEP] = {0};
	size_t size[NKEEP] = {0};
	unsigned seed = c;

	for (int i = 0; i < NROUNDS; i++) {
		int k = rand_r(&seed) % NKEEP;
		size_t n = 1 + (size_t)(rand_r(&seed) % 512);

		if (keep[k] != NULL && !check(keep[k], size[k], c))
			bad = 1;
		switch (i % 4) {
		case 0:
			free(keep[k]);
			keep[k] = malloc(n);
			break;
		case 1:
			free(keep[k]);
			keep[k] = calloc(1, n);
			if (keep[k] != NULL && !check(keep[k], n, 0))
				bad = 1;
			break;
		case 2:
			keep[k] = realloc(keep[k], n);
			break;
		default: {
			void *p = NULL;
			free(keep[k]);
			if (posix_memalign(&p, 64, n) != 0 ||
			    ((uintptr_t)p & 63) != 0)
				bad = 1;
			keep[k] = p;
		}
		}
		if (keep[k] == NULL) {
			bad = 1;
			continue;
		}
		memset(keep[k], c, n);
		size[k] = n;
	}
	for (int k = 0; k < NKEEP; k++)
		free(keep[k]);
	__atomic_fetch_add(&rounds, NROUNDS, __ATOMIC_SEQ_CST);
	return NULL;
}

int main(void)
{
	pthread_t t[NTHREADS];

	for (long i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, work, (void *)i) != 0)
			return 2;
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	printf("rounds=%ld\n", rounds);
	return rounds == (long)NTHREADS * NROUNDS && !bad ? 0 : 1;
}
