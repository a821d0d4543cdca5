/*
 * quant.c: 4096 float samples quantised to bytes, 4,000 times (times the
 * optional scale argument): each sample times 255, rounded to the
 * nearest integer (ties to even), clamped to [0, 255], converted and
 * narrowed to a byte; the bytes are summed with their positions. The
 * wasm_simd128.h build (-msimd128) uses f32x4.nearest, f32x4.min/max,
 * i32x4.trunc_sat_f32x4_s and the two saturating narrowings, the SIMD
 * instructions an interpreter is most tempted to run lane by lane; the
 * scalar build does the same per sample, so every build prints the same
 * sum.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#define N 4096

static void quantise(const float *in, uint8_t *out)
{
#ifdef __wasm_simd128__
	const v128_t k = wasm_f32x4_splat(255.0f), lo = wasm_f32x4_splat(0),
	             hi = wasm_f32x4_splat(255.0f);
	for (int i = 0; i < N; i += 16) {
		v128_t q[4];
		for (int j = 0; j < 4; j++) {
			v128_t x = wasm_f32x4_nearest(wasm_f32x4_mul(
			    wasm_v128_load(in + i + 4 * j), k));
			x = wasm_f32x4_max(wasm_f32x4_min(x, hi), lo);
			q[j] = wasm_i32x4_trunc_sat_f32x4(x);
		}
		v128_t h0 = wasm_u16x8_narrow_i32x4(q[0], q[1]);
		v128_t h1 = wasm_u16x8_narrow_i32x4(q[2], q[3]);
		wasm_v128_store(out + i, wasm_u8x16_narrow_i16x8(h0, h1));
	}
#else
	for (int i = 0; i < N; i++) {
		float x = nearbyintf(in[i] * 255.0f);
		x = x < 0 ? 0 : x > 255.0f ? 255.0f : x;
		out[i] = (uint8_t)(int32_t)x;
	}
#endif
}

int main(int argc, char **argv)
{
	int scale = argc > 1 ? atoi(argv[1]) : 1;
	float *in = malloc(sizeof(float) * N);
	uint8_t *out = malloc(N);
	uint64_t sum = 0;

	if (in == NULL || out == NULL)
		return 1;
	for (int i = 0; i < N; i++)
		in[i] = (float)((i * 37) % 1200) / 1000.0f - 0.1f;
	for (int rep = 0; rep < 4000 * scale; rep++) {
		quantise(in, out);
		for (int i = 0; i < N; i += 64)
			sum += (uint64_t)out[i] * (uint64_t)(i + rep % 7);
		in[rep % N] += 1.0f / 4096;
	}
	printf("quant: %llu\n", (unsigned long long)sum);
	free(in);
	free(out);
	return 0;
}
