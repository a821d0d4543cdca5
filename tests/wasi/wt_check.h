/*
 * wt_check.h: the few helpers the guest test programs of tests/wasi/
 * share. Each program checks one family of WASI preview1 calls through
 * wasi-libc's raw bindings (<wasi/api.h>, so errnos are compared exactly)
 * and prints "FAIL file:line: expr" for every failed check, then
 * "NAME: N checks, M failed"; it exits 1 if any failed.
 *
 * The runner (tests/run_wasi.sh) preopens a fresh scratch directory as
 * fd 3, named "/", unless the program says otherwise in its header.
 */
#ifndef WT_CHECK_H
#define WT_CHECK_H

#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

static int wt_checks, wt_failed;

#define CHECK(cond)                                                            \
	do {                                                                   \
		wt_checks++;                                                   \
		if (!(cond)) {                                                 \
			wt_failed++;                                           \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		}                                                              \
	} while (0)

/* Checks that 'call' returns errno 'want' (a __WASI_ERRNO_* value). */
#define CHECK_ERR(call, want)                                                  \
	do {                                                                   \
		int wt_e = (int)(call);                                        \
		wt_checks++;                                                   \
		if (wt_e != (int)(want)) {                                     \
			wt_failed++;                                           \
			printf("FAIL %s:%d: %s = %d, want %d\n", __FILE__,     \
			       __LINE__, #call, wt_e, (int)(want));            \
		}                                                              \
	} while (0)

#define CHECK_OK(call) CHECK_ERR(call, __WASI_ERRNO_SUCCESS)

/* The preopened scratch directory. */
#define DIRFD 3

/* Prints the summary; the program's exit status. */
static inline int wt_done(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, wt_checks, wt_failed);
	return wt_failed != 0;
}

/* Opens 'path' beneath DIRFD with raw path_open; the fd or -errno. */
static inline int wt_open(const char *path, __wasi_oflags_t of,
                          __wasi_rights_t rights, __wasi_fdflags_t ff)
{
	__wasi_fd_t fd;
	int e = __wasi_path_open(DIRFD, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path,
	                         of, rights, rights, ff, &fd);

	return e != 0 ? -e : (int)fd;
}

/* Writes 'len' bytes of 's' to 'fd'; the count or -errno. */
static inline int wt_write(__wasi_fd_t fd, const void *s, size_t len)
{
	__wasi_ciovec_t iov = {s, len};
	__wasi_size_t n;
	int e = __wasi_fd_write(fd, &iov, 1, &n);

	return e != 0 ? -e : (int)n;
}

/* Reads up to 'len' bytes; the count or -errno. */
static inline int wt_read(__wasi_fd_t fd, void *buf, size_t len)
{
	__wasi_iovec_t iov = {buf, len};
	__wasi_size_t n;
	int e = __wasi_fd_read(fd, &iov, 1, &n);

	return e != 0 ? -e : (int)n;
}

#define RIGHTS_ALL ((__wasi_rights_t)0x3fffffff)

#endif
