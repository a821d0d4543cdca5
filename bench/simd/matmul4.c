/*
 * matmul4.c: 32-bit integer matrix multiply, 128 x 128, in 4-wide column
 * blocks (a row of A times a 4 x 4 block of B per step), repeated 30
 * times (times the optional scale argument). The scalar build and the
 * wasm_simd128.h build (-msimd128) compute the same wrapping sums, so
 * every build prints the same checksum.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#define N 128

static void mul(const int32_t *a, const int32_t *b, int32_t *c)
{
	for (int i = 0; i < N; i++) {
		for (int j = 0; j < N; j += 4) {
#ifdef __wasm_simd128__
			v128_t acc = wasm_i32x4_splat(0);
			for (int k = 0; k < N; k++)
				acc = wasm_i32x4_add(
				    acc, wasm_i32x4_mul(
				             wasm_i32x4_splat(a[i * N + k]),
				             wasm_v128_load(b + k * N + j)));
			wasm_v128_store(c + i * N + j, acc);
#else
			uint32_t s[4] = {0, 0, 0, 0};
			for (int k = 0; k < N; k++)
				for (int l = 0; l < 4; l++)
					s[l] += (uint32_t)a[i * N + k] *
					        (uint32_t)b[k * N + j + l];
			for (int l = 0; l < 4; l++)
				c[i * N + j + l] = (int32_t)s[l];
#endif
		}
	}
}

int main(int argc, char **argv)
{
	int scale = argc > 1 ? atoi(argv[1]) : 1;
	int32_t *a = malloc(sizeof(int32_t) * N * N);
	int32_t *b = malloc(sizeof(int32_t) * N * N);
	int32_t *c = malloc(sizeof(int32_t) * N * N);
	uint32_t check = 0;

	if (a == NULL || b == NULL || c == NULL)
		return 1;
	for (int i = 0; i < N * N; i++) {
		a[i] = i % 19 - 9;
		b[i] = i % 23 - 11;
	}
	for (int rep = 0; rep < 30 * scale; rep++) {
		mul(a, b, c);
		a[rep % (N * N)] += c[(rep * 7) % (N * N)] & 7;
		check = check * 31 + (uint32_t)c[(rep * 13) % (N * N)];
	}
	for (int i = 0; i < N * N; i++)
		check += (uint32_t)c[i];
	printf("matmul4: %u\n", check);
	free(a);
	free(b);
	free(c);
	return 0;
}
