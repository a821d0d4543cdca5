/*
 * sieve.c: sieve of Eratosthenes below 8,000,000, run 12 times (times the
 * optional scale argument). Exercises byte loads and stores in a large
 * array and tight loops. Prints the prime count and a checksum.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIMIT 8000000

int main(int argc, char **argv)
{
	int scale = argc > 1 ? atoi(argv[1]) : 1;
	unsigned char *composite = malloc(LIMIT);
	uint64_t sum = 0;
	long count = 0;
	int rep, i, j;

	if (composite == NULL)
		return 1;
	for (rep = 0; rep < 12 * scale; rep++) {
		memset(composite, 0, LIMIT);
		count = 0;
		for (i = 2; i < LIMIT; i++) {
			if (composite[i])
				continue;
			count++;
			sum += (uint64_t)i * (uint64_t)(rep + 1);
			for (j = i + i; j < LIMIT; j += i)
				composite[j] = 1;
		}
	}
	printf("sieve: %ld primes, checksum %llu\n", count,
	       (unsigned long long)sum);
	free(composite);
	return 0;
}
