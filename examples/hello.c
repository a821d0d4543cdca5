/*
 * hello.c: the smallest WASI program: prints one line and exits with 0.
 * Built by the Makefile into build/examples/hello.wasm; run it with
 * 'wasmix run build/examples/hello.wasm'.
 */
#include <stdio.h>

int main(void)
{
	puts("Hello, world!");
	return 0;
}
