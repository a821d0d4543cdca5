/*
 * fuzz_validate.c: libFuzzer target for the validator.
 *
 * An input that starts with "\0asm" is a whole module; any other input is
 * one function body (locals, instructions, 'end') placed into a fixed
 * valid module by fuzz_wrap_body, so that mutations explore instruction
 * sequences instead of section framing. The module is decoded and
 * validated. Keeps true: no input crashes, leaks or reads out of bounds.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_env e = {0};

	(void)fuzz_load(&e, data, size);
	fuzz_env_free(&e);
	return 0;
}
