/*
 * sad.c: sums of absolute differences of 16 x 16 byte blocks (the motion
 * search of a video encoder): every block of a 256 x 64 frame against
 * 16 candidate positions in a second frame, 60 times (times the optional
 * scale argument). Prints the best position's total; exact in every
 * build (scalar, and wasm_simd128.h with -msimd128).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#define W 256
#define H 64

static uint32_t sad16(const uint8_t *p, const uint8_t *q)
{
#ifdef __wasm_simd128__
	v128_t acc = wasm_i32x4_splat(0);
	for (int y = 0; y < 16; y++) {
		v128_t x = wasm_v128_load(p + y * W),
		       z = wasm_v128_load(q + y * W);
		v128_t d = wasm_v128_or(wasm_u8x16_sub_sat(x, z),
		                        wasm_u8x16_sub_sat(z, x));
		acc = wasm_i32x4_add(acc,
		                     wasm_u32x4_extadd_pairwise_u16x8(
		                         wasm_u16x8_extadd_pairwise_u8x16(d)));
	}
	return wasm_u32x4_extract_lane(acc, 0) +
	       wasm_u32x4_extract_lane(acc, 1) +
	       wasm_u32x4_extract_lane(acc, 2) +
	       wasm_u32x4_extract_lane(acc, 3);
#else
	uint32_t s = 0;
	for (int y = 0; y < 16; y++)
		for (int x = 0; x < 16; x++) {
			int d = p[y * W + x] - q[y * W + x];
			s += (uint32_t)(d < 0 ? -d : d);
		}
	return s;
#endif
}

int main(int argc, char **argv)
{
	int scale = argc > 1 ? atoi(argv[1]) : 1;
	uint8_t *f0 = malloc(W * (H + 16)), *f1 = malloc(W * (H + 16));
	uint64_t total = 0;

	if (f0 == NULL || f1 == NULL)
		return 1;
	for (int i = 0; i < W * (H + 16); i++) {
		f0[i] = (uint8_t)(i * 7 + (i >> 8) * 13);
		f1[i] = (uint8_t)(i * 7 + (i >> 8) * 11 + 3);
	}
	for (int rep = 0; rep < 60 * scale; rep++) {
		for (int by = 0; by < H; by += 16)
			for (int bx = 0; bx + 16 + 4 <= W; bx += 16) {
				uint32_t best = UINT32_MAX;
				for (int c = 0; c < 16; c++) {
					uint32_t s =
					    sad16(f0 + by * W + bx,
					          f1 + (by + (c >> 2)) * W +
					              bx + (c & 3));
					if (s < best)
						best = s;
				}
				total += best;
			}
		f0[rep % (W * H)] ^= 0x55;
	}
	printf("sad: %llu\n", (unsigned long long)total);
	free(f0);
	free(f1);
	return 0;
}
