/*
 * fuzz_wat.c: libFuzzer target for the text front end (src/wat).
 *
 * Any byte string goes through wat_to_wasm (a .wat module) and
 * wast_to_json (a .wast script). Keeps true: no input may crash, leak,
 * read out of bounds, recurse without bound or allocate beyond a multiple
 * of its size; every failure is one error message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "wat/wat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wast_script s;
	struct diag d;
	uint8_t *out = NULL;
	size_t len = 0;

	diag_clear(&d);
	if (wat_to_wasm("fuzz.wat", (const char *)data, size, &out, &len, &d) ==
	    WX_OK)
		wx_free(out);
	else if (!d.set)
		abort(); /* a failure always says why */
	diag_clear(&d);
	if (wast_to_json("fuzz.wast", (const char *)data, size, 0, &s, &d) ==
	    WX_OK)
		wast_script_free(&s);
	else if (!d.set)
		abort();
	return 0;
}
