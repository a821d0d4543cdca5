/*
 * dot.c: single-precision dot products of two 4096-element vectors,
 * 20,000 times (times the optional scale argument). Four partial sums,
 * lane i summing elements i, i + 4, ...: the scalar build and the
 * wasm_simd128.h build (-msimd128) do the same additions in the same
 * order, so every build prints the same sums.
 */
#include <stdio.h>
#include <stdlib.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#define N 4096

static float dot(const float *a, const float *b)
{
	float s[4];
#ifdef __wasm_simd128__
	v128_t acc = wasm_f32x4_splat(0);
	for (int i = 0; i < N; i += 4)
		acc =
		    wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(a + i),
		                                       wasm_v128_load(b + i)));
	wasm_v128_store(s, acc);
#else
	s[0] = s[1] = s[2] = s[3] = 0;
	for (int i = 0; i < N; i += 4)
		for (int l = 0; l < 4; l++)
			s[l] += a[i + l] * b[i + l];
#endif
	return (s[0] + s[1]) + (s[2] + s[3]);
}

int main(int argc, char **argv)
{
	int scale = argc > 1 ? atoi(argv[1]) : 1;
	float *a = malloc(sizeof(float) * N), *b = malloc(sizeof(float) * N);
	double total = 0;

	if (a == NULL || b == NULL)
		return 1;
	for (int i = 0; i < N; i++) {
		a[i] = (float)(i % 31) / 32.0f - 0.5f;
		b[i] = (float)(i % 7) / 4.0f - 0.75f;
	}
	for (int rep = 0; rep < 20000 * scale; rep++) {
		total += dot(a, b);
		a[rep % N] += 1.0f / 1024;
	}
	printf("dot: %.6f\n", total);
	free(a);
	free(b);
	return 0;
}
