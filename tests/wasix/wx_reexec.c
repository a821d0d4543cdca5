/*
 * wx_reexec.c: exec of the program that is running reuses its decoded
 * module and its translations (docs/process.md, "Exec of the same
 * program"), and that reuse is exact:
 *   wx_reexec.wasm         copies its own bytes to /reexec_tmp.wasm and
 *                          fork+execs it (the same bytes: reused), then
 *                          overwrites that file with wx_reexec2.wasm (this
 *                          source built with WX_VARIANT=2: the same size,
 *                          other bytes) and fork+execs it again: the new
 *                          bytes must run; then its own bytes once more.
 *                          Then the variant again (another program than
 *                          the running one, now known to the tree), and
 *                          a copy with one body's final 'end' changed
 *                          deep inside (same size, same ends): its exec
 *                          must fail (ENOEXEC), not run unvalidated.
 *   wx_reexec.wasm memory  (--max-tree-memory 16M) fills the cap, so an
 *                          exec of itself fails while building (its new
 *                          memory cannot be charged); it keeps running
 *                          and translates a function it never called
 *                          before from the module the exec borrowed.
 *   wx_reexec.wasm show    prints "ok variant N: ..." through calls made
 *                          before the exec too (indirect calls, qsort).
 * Prints one "ok ..." line per check; exits 1 on failure (wx_check.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wx_check.h"

#ifndef WX_VARIANT
#define WX_VARIANT 1
#endif

#define SELF "/wx_reexec.wasm"
#define TMP  "/reexec_tmp.wasm"

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static int twice(int x)
{
	return 2 * x;
}

static int square(int x)
{
	return x * x;
}

/* Indirect calls and qsort's comparator: code the parent translated. */
static int work(void)
{
	int (*volatile fns[2])(int) = {twice, square};
	int v[5] = {5, 3, 4, 1, 2}, sum = 0;

	qsort(v, 5, sizeof v[0], cmp_int);
	for (int i = 0; i < 5; i++)
		sum += fns[i & 1](v[i]) * (i + 1);
	return sum;
}

/* Called only after a failed exec (test_memory). */
static int late(int x)
{
	int (*volatile fns[2])(int) = {square, twice};

	return fns[0](x) + fns[1](x);
}

/* Reads file 'path' into a malloc'd buffer; '*len' its size. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	CHECK(f != NULL);
	CHECK(fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0);
	rewind(f);
	buf = malloc((size_t)n);
	CHECK(buf != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Writes 'len' bytes over file 'path' (truncating it). */
static void put(const char *path, const char *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	CHECK(f != NULL && fwrite(buf, 1, len, f) == len);
	CHECK(fclose(f) == 0);
}

/* Reads a LEB128 u32 at '*p'. */
static uint32_t leb(const unsigned char **p)
{
	uint32_t v = 0;
	unsigned shift = 0;

	while (**p & 0x80) {
		v |= (uint32_t)(**p & 0x7f) << shift;
		shift += 7;
		(*p)++;
	}
	v |= (uint32_t)(**p) << shift;
	(*p)++;
	return v;
}

/*
 * The offset of the final 'end' of the first function body in the second
 * half of module 'b''s code section and 4 KiB or more from either end of
 * the file (so that a hash of its ends would not see a change there).
 */
static size_t middle_body_end(const unsigned char *b, size_t len)
{
	const unsigned char *p = b + 8, *end = b + len;

	while (p < end) {
		unsigned id = *p++;
		uint32_t size = leb(&p);
		const unsigned char *next = p + size;

		if (id == 10) {
			const unsigned char *half = p + size / 2;
			uint32_t n = leb(&p);
			for (uint32_t i = 0; i < n; i++) {
				uint32_t bsize = leb(&p);
				size_t at = (size_t)(p - b) + bsize - 1;
				if (p >= half && at >= 4096 && at + 4096 < len)
					return at;
				p += bsize;
			}
		}
		p = next;
	}
	CHECK(0);
	return 0;
}

/* fork + exec 'path' show + wait: the child's exit status. */
static int run_status(const char *path)
{
	int st;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		char *argv[] = {"wx_reexec", "show", NULL};
		execv(path, argv);
		_exit(100 + errno);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* fork + exec 'path' show + wait: the child must exit 0. */
static void run_show(const char *path)
{
	int st;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		char *argv[] = {"wx_reexec", "show", NULL};
		execv(path, argv);
		_exit(100 + errno);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	      WEXITSTATUS(st) == 0);
}

static void test_memory(void)
{
	static char *volatile blocks[1024];
	size_t n = 0, size = 1 << 20;
	char *argv[] = {"wx_reexec", "show", NULL};

	/* Fill the tree's cap: 1 MiB blocks, then 64 KiB ones. */
	while (n < 1024) {
		char *b = malloc(size);
		if (b == NULL && size > (64u << 10)) {
			size = 64u << 10;
			continue;
		}
		if (b == NULL)
			break;
		memset(b, 1, size);
		blocks[n++] = b;
	}
	CHECK(n > 8 && n < 1024);
	errno = 0;
	CHECK(execv(SELF, argv) == -1);
	CHECK(errno == ENOEXEC || errno == ENOMEM);
	/* Translated only now, from the module the failed exec borrowed. */
	CHECK(late(7) == 49 + 14);
	printf("ok exec of itself past the memory cap fails; it runs on\n");
	while (n > 0)
		free(blocks[--n]);
}

int main(int argc, char **argv)
{
	size_t len, len2;
	char *self, *other;

	if (argc > 1 && strcmp(argv[1], "show") == 0) {
		printf("ok variant %d: %d\n", WX_VARIANT, work());
		return 0;
	}
	CHECK(work() == 142); /* translated here, before the fork */
	if (argc > 1 && strcmp(argv[1], "memory") == 0) {
		test_memory();
		return 0;
	}
	self = slurp(SELF, &len);
	other = slurp("/wx_reexec2.wasm", &len2);
	/* Same size: only the bytes tell them apart. */
	CHECK(len == len2 && memcmp(self, other, len) != 0);
	put(TMP, self, len);
	run_show(TMP);
	put(TMP, other, len2);
	run_show(TMP);
	put(TMP, self, len);
	run_show(TMP);
	printf("ok re-exec: same bytes, changed bytes, same again\n");
	/* Another program than the running one, a second time: known to
	 * the tree now (validated once). */
	put(TMP, other, len2);
	run_show(TMP);
	/* The same size, the same first and last bytes, one body's 'end'
	 * made a 'nop': malformed, whatever the tree has seen. */
	other[middle_body_end((unsigned char *)other, len2)] = 0x01;
	put(TMP, other, len2);
	CHECK(run_status(TMP) == 100 + ENOEXEC);
	CHECK(unlink(TMP) == 0);
	printf("ok another program again; a changed copy is checked anew\n");
	return 0;
}
