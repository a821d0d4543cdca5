/*
 * fuzz_replay.c: a main() for a fuzz target built without libFuzzer, so
 * that regression inputs run in 'make test' with the ordinary compiler
 * (and under ASan/UBSan in 'make asan').
 *
 *   fuzz_replay FILE...   runs LLVMFuzzerTestOneInput on each file
 *
 * Prints one line per file and exits 0 when every file ran to the end
 * (a crash or sanitizer report ends the process instead); 1 if a file
 * could not be read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads 'path' (at most FUZZ_MAX_INPUT + 1 bytes); NULL on error. */
static uint8_t *replay_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;

	if (f == NULL)
		return NULL;
	buf = malloc((size_t)FUZZ_MAX_INPUT + 1);
	if (buf != NULL)
		*len = fread(buf, 1, (size_t)FUZZ_MAX_INPUT + 1, f);
	if (buf != NULL && ferror(f)) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		size_t len = 0;
		uint8_t *buf = replay_read(argv[i], &len);

		if (buf == NULL) {
			fprintf(stderr, "fuzz_replay: cannot read %s\n",
			        argv[i]);
			rc = 1;
			continue;
		}
		LLVMFuzzerTestOneInput(buf, len);
		free(buf);
		printf("ok   %s\n", argv[i]);
	}
	return rc;
}
