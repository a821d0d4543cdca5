/*
 * matmul.c: dense double-precision matrix multiply, 256 x 256, repeated 100
 * times (times the optional scale argument), i-k-j loop order. Exercises
 * f64 multiply-add and array indexing. Prints the trace and a sum; both
 * are exact across compilers because no operation is reordered or fused.
 */
#include <stdio.h>
#include <stdlib.h>

#define N 256

int main(int argc, char **argv)
{
	int scale = argc > 1 ? atoi(argv[1]) : 1;
	double *a = malloc(sizeof(double) * N * N);
	double *b = malloc(sizeof(double) * N * N);
	double *c = malloc(sizeof(double) * N * N);
	double trace = 0, sum = 0, aik;
	int i, j, k, rep;

	if (a == NULL || b == NULL || c == NULL)
		return 1;
	for (i = 0; i < N * N; i++) {
		a[i] = (double)(i % 17) / 16.0 - 0.5;
		b[i] = (double)(i % 13) / 8.0 - 0.75;
	}
	for (rep = 0; rep < 100 * scale; rep++) {
		for (i = 0; i < N * N; i++)
			c[i] = 0;
		for (i = 0; i < N; i++) {
			for (k = 0; k < N; k++) {
				aik = a[i * N + k];
				for (j = 0; j < N; j++)
					c[i * N + j] += aik * b[k * N + j];
			}
		}
		a[rep % (N * N)] += c[(rep * 7) % (N * N)] * 1e-3;
	}
	for (i = 0; i < N; i++)
		trace += c[i * N + i];
	for (i = 0; i < N * N; i++)
		sum += c[i];
	printf("matmul: trace %.9e sum %.9e\n", trace, sum);
	free(a);
	free(b);
	free(c);
	return 0;
}
