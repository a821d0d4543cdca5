/*
 * real_thr: eight pthreads of a wasix-libc dynamic program at once, each
 * recursing through libdeep.so on its own stack and counting in a
 * __thread variable of the main module; the results must be what a
 * single thread computes.
 */
#include <pthread.h>
#include <stdio.h>

int side_deep(int depth, int seed);

__thread int tls_counter = 5;

static void *work(void *a)
{
	int id = (int)(long)a, r = 0;

	for (int i = 0; i < 200; i++) {
		tls_counter++;
		r += side_deep(50, id + i);
	}
	return (void *)(long)(r + tls_counter * 1000000);
}

int main(void)
{
	pthread_t t[8];
	void *res;
	long sum = 0, want = 0;

	for (long i = 0; i < 8; i++)
		if (pthread_create(&t[i], NULL, work, (void *)i) != 0)
			return 1;
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], &res);
		sum += (long)res;
	}
	for (int id = 0; id < 8; id++)
		for (int i = 0; i < 200; i++)
			want += side_deep(50, id + i);
	want += 8L * 205 * 1000000;
	printf("threads %s, main's tls %d\n", sum == want ? "agree" : "DIFFER",
	       tls_counter);
	return 0;
}
