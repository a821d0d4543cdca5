/*
 * sort.c: sorts 2,000,000 pseudo-random 32-bit keys with a hand-written
 * quicksort (median of three, insertion sort for small ranges), 2 times
 * (times the optional scale argument). Exercises comparisons, swaps and
 * unpredictable branches. Prints a position-weighted checksum.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define COUNT 2000000

static void insertion(uint32_t *a, long n)
{
	long i, j;
	uint32_t v;

	for (i = 1; i < n; i++) {
		v = a[i];
		for (j = i; j > 0 && a[j - 1] > v; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

static void swap(uint32_t *a, long i, long j)
{
	uint32_t t = a[i];

	a[i] = a[j];
	a[j] = t;
}

static void quick(uint32_t *a, long n)
{
	long i, j, m;
	uint32_t p;

	while (n > 16) {
		m = n / 2;
		if (a[m] < a[0])
			swap(a, m, 0);
		if (a[n - 1] < a[0])
			swap(a, n - 1, 0);
		if (a[n - 1] < a[m])
			swap(a, n - 1, m);
		p = a[m];
		for (i = 0, j = n - 1;;) {
			while (a[i] < p)
				i++;
			while (a[j] > p)
				j--;
			if (i >= j)
				break;
			swap(a, i++, j--);
		}
		quick(a, j + 1); /* recurse left, loop right */
		a += j + 1;
		n -= j + 1;
	}
	insertion(a, n);
}

int main(int argc, char **argv)
{
	int scale = argc > 1 ? atoi(argv[1]) : 1;
	uint32_t *a = malloc(sizeof(uint32_t) * COUNT), x = 2463534242u;
	uint64_t sum = 0;
	long i;
	int rep;

	if (a == NULL)
		return 1;
	for (rep = 0; rep < 2 * scale; rep++) {
		for (i = 0; i < COUNT; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			a[i] = x;
		}
		quick(a, COUNT);
		for (i = 0; i < COUNT; i++)
			sum += (uint64_t)a[i] * (uint64_t)(i % 1000 + 1);
		for (i = 1; i < COUNT; i++)
			if (a[i - 1] > a[i])
				return 2;
	}
	printf("sort: checksum %llu\n", (unsigned long long)sum);
	free(a);
	return 0;
}
