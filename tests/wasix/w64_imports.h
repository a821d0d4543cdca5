/*
 * w64_imports.h: the preview1 and WASIX imports w64_c.c uses, declared
 * by hand for a freestanding build (-nostdlib) at either width: pointers
 * and size_t are 8 bytes with --target=wasm64, so the same declarations
 * give the 32-bit signatures (module W64_WASIX "wasix_32v1") and the
 * 64-bit ones ("wasix_64v1"), as wasix-libc's generated headers do.
 */
#ifndef W64_IMPORTS_H
#define W64_IMPORTS_H

#include <stddef.h>
#include <stdint.h>

#if __SIZEOF_POINTER__ == 8
#define W64_WASIX "wasix_64v1"
#else
#define W64_WASIX "wasix_32v1"
#endif

#define P1(name)                                                               \
	__attribute__((import_module("wasi_snapshot_preview1"),                \
	               import_name(#name)))
#define WX(name) __attribute__((import_module(W64_WASIX), import_name(#name)))

struct w64_iovec {
	const void *buf;
	size_t len;
};

/* The spawn fd action; C's layout is the ABI's (wasix_abi.h). */
struct w64_fdop {
	uint8_t cmd; /* 0 close, 1 dup2, 2 open, 3 chdir, 4 fchdir */
	uint32_t fd;
	uint32_t src_fd;
	const char *path;
	size_t path_len;
	uint32_t dirflags;
	uint16_t oflags;
	uint64_t rights_base;
	uint64_t rights_inheriting;
	uint16_t fdflags;
	uint16_t fdflagsext;
};

P1(args_sizes_get) int w64_args_sizes_get(size_t *argc, size_t *size);
P1(args_get) int w64_args_get(char **argv, char *buf);
P1(environ_sizes_get) int w64_environ_sizes_get(size_t *n, size_t *size);
P1(environ_get) int w64_environ_get(char **env, char *buf);
P1(fd_write)
int w64_fd_write(int fd, const struct w64_iovec *iov, size_t n, size_t *done);
P1(fd_pread)
int w64_fd_pread(int fd, const struct w64_iovec *iov, size_t n, uint64_t off,
                 size_t *done);
P1(fd_close) int w64_fd_close(int fd);
P1(fd_filestat_get) int w64_fd_filestat_get(int fd, uint64_t st[8]);
P1(fd_readdir)
int w64_fd_readdir(int fd, void *buf, size_t len, uint64_t cookie,
                   size_t *used);
P1(path_open)
int w64_path_open(int dirfd, int lookup, const char *path, size_t len,
                  int oflags, uint64_t base, uint64_t inh, int fdflags,
                  int *fd);
P1(path_unlink_file)
int w64_path_unlink_file(int dirfd, const char *path, size_t len);
P1(proc_exit) _Noreturn void w64_proc_exit(int code);
WX(proc_fork) int w64_proc_fork(int copy_memory, uint32_t *pid);
WX(proc_join)
int w64_proc_join(uint32_t opt_pid[2], int flags, uint8_t status[8]);
WX(proc_exec3)
int w64_proc_exec3(const char *name, size_t name_len, const char *args,
                   size_t args_len, const char *envs, size_t envs_len,
                   int search, const char *path, size_t path_len);
WX(proc_spawn2)
int w64_proc_spawn2(const char *name, size_t name_len, const char *args,
                    size_t args_len, const char *envs, size_t envs_len,
                    const struct w64_fdop *ops, size_t nops, const void *sigs,
                    size_t nsigs, int search, const char *path, size_t path_len,
                    uint32_t *pid);
WX(callback_signal) void w64_callback_signal(const char *name, size_t len);
WX(proc_raise) int w64_proc_raise(int sig);
WX(getcwd) int w64_getcwd(char *buf, size_t *len);
WX(call_dynamic)
int w64_call_dynamic(size_t fn, const void *values, size_t values_len,
                     void *results, size_t results_len, int strict);
WX(reflect_signature)
int w64_reflect_signature(size_t fn, uint8_t *args, int nargs, uint8_t *res,
                          int nres, uint8_t out[6]);

#endif
