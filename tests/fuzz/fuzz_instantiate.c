/*
 * fuzz_instantiate.c: libFuzzer target for instantiation.
 *
 * A module (or a function body, see fuzz_validate.c) that decodes and
 * validates is instantiated with a stub for every import (fuzz_host.c):
 * memories, tables and globals are allocated, element and data segments
 * applied and the start function run, under the fuzzing caps and a fuel
 * budget. Keeps true: instantiation either succeeds or fails with an
 * error; it never crashes, hangs or allocates beyond the caps.
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
	if (fuzz_load(&e, data, size) == WX_OK)
		(void)fuzz_instantiate(&e, &cfg);
	fuzz_env_free(&e);
	return 0;
}
