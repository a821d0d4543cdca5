/*
 * hash.c: FNV-1a (64-bit) and a multiply-xorshift mixer over a 1 MiB
 * buffer, 200 passes (times the optional scale argument). Exercises
 * 64-bit multiplies, shifts and byte loads. Prints both digests.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define SIZE (1 << 20)

static uint64_t fnv1a(const uint8_t *p, size_t n, uint64_t h)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t mix(const uint8_t *p, size_t n, uint64_t h)
{
	size_t i;
	uint64_t w;

	for (i = 0; i + 8 <= n; i += 8) {
		w = (uint64_t)p[i] | (uint64_t)p[i + 1] << 8 |
		    (uint64_t)p[i + 2] << 16 | (uint64_t)p[i + 3] << 24 |
		    (uint64_t)p[i + 4] << 32 | (uint64_t)p[i + 5] << 40 |
		    (uint64_t)p[i + 6] << 48 | (uint64_t)p[i + 7] << 56;
		h ^= w * 0x9e3779b97f4a7c15ull;
		h = (h << 27 | h >> 37) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
	}
	return h;
}

int main(int argc, char **argv)
{
	int scale = argc > 1 ? atoi(argv[1]) : 1;
	uint8_t *buf = malloc(SIZE);
	uint64_t x = 88172645463325252ull, h1 = 0xcbf29ce484222325ull, h2 = 0;
	int i, pass;

	if (buf == NULL)
		return 1;
	for (i = 0; i < SIZE; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (uint8_t)x;
	}
	for (pass = 0; pass < 200 * scale; pass++) {
		h1 = fnv1a(buf, SIZE, h1);
		h2 = mix(buf, SIZE, h2 + (uint64_t)pass);
		buf[pass & (SIZE - 1)] ^= (uint8_t)h1;
	}
	printf("hash: fnv1a %016llx mix %016llx\n", (unsigned long long)h1,
	       (unsigned long long)h2);
	free(buf);
	return 0;
}
