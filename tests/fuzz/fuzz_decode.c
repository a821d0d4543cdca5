/*
 * fuzz_decode.c: libFuzzer target for the decoder and validator.
 *
 * Any byte string goes through wasm_decode and, if that succeeds,
 * wasm_validate. Keeps true: no input may crash, leak, read out of bounds
 * or allocate beyond the caps in struct wasm_limits (ASan's allocator
 * limit catches that: run with -rss_limit_mb / -malloc_limit_mb).
 */
#include <stddef.h>
#include <stdint.h>

#include "wasm/wasm_module.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wasm_module *m = NULL;
	struct diag d;

	diag_clear(&d);
	if (wasm_decode(data, size, NULL, &m, &d) == WX_OK) {
		diag_clear(&d);
		(void)wasm_validate(m, &d);
		wasm_module_free(m);
	}
	return 0;
}
