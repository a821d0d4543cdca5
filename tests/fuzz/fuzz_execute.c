/*
 * fuzz_execute.c: libFuzzer target for execution.
 *
 * A module (or a function body, see fuzz_validate.c) that validates and
 * instantiates with stub imports has every exported function called twice
 * (zero arguments, then edge values chosen by a hash of the input), all
 * under one fuel budget, capped memory pages, table sizes and call depth,
 * so every run ends. Traps are expected results; crashes, sanitizer
 * reports and hangs are bugs.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_env e = {0};
	struct vm_config cfg;

	fuzz_vm_config(&cfg, FUZZ_FUEL);
	if (fuzz_load(&e, data, size) == WX_OK &&
	    fuzz_instantiate(&e, &cfg) == WX_OK)
		(void)fuzz_call_exports(
		    &e, 2, fuzz_hash(2166136261u, data, size), NULL, NULL);
	fuzz_env_free(&e);
	return 0;
}
