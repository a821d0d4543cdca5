/*
 * dy.h: what the dynamic-linking test programs (tests/run_dylink.sh)
 * share. They are built with no libc (clang -nostdlib, position
 * independent), so this header declares the WASI and WASIX imports they
 * call, the few string helpers they need, and CHECK, which prints
 * "FAIL line N: cond" and exits 1.
 */
#ifndef DY_H
#define DY_H

#define DY_WASI(n) \
	__attribute__((import_module("wasi_snapshot_preview1"), import_name(#n)))
/* A wasm64 build (run_dylink.sh's 64-bit twins) imports wasix_64v1. */
#ifdef __wasm64__
#define DY_WASIX(n) __attribute__((import_module("wasix_64v1"), import_name(#n)))
#else
#define DY_WASIX(n) __attribute__((import_module("wasix_32v1"), import_name(#n)))
#endif

struct dy_iov {
	const void *buf;
	unsigned long len;
};

DY_WASI(fd_write) int dy_fd_write(int fd, const struct dy_iov *iov,
                                  unsigned long n, unsigned long *nw);
DY_WASI(proc_exit) _Noreturn void dy_exit(int code);
DY_WASIX(dlopen) int dy_dlopen_raw(const char *p, unsigned long plen,
                                   int flags, char *err, unsigned long errlen,
                                   const char *ld, unsigned long ldlen,
                                   unsigned *handle);
DY_WASIX(dlsym) int dy_dlsym_raw(unsigned handle, const char *s,
                                 unsigned long slen, char *err,
                                 unsigned long errlen, unsigned long *addr);
DY_WASIX(dl_invalid_handle) int dy_dl_invalid_handle(unsigned handle);
DY_WASIX(proc_fork) int dy_fork(int copy_memory, int *pid);
DY_WASIX(proc_join) int dy_join(void *pid_opt, int flags, void *status);
DY_WASIX(proc_exec) void dy_exec(const char *name, unsigned long nlen,
                                 const char *args, unsigned long alen);
DY_WASIX(proc_exec2) void dy_exec2(const char *name, unsigned long nlen,
                                   const char *args, unsigned long alen,
                                   const char *envs, unsigned long elen);

/* WASIX dl flags (wasix-libc's RTLD_*). */
#define DY_RTLD_NOW    2
#define DY_RTLD_GLOBAL 4
#define DY_RTLD_NOLOAD 8

static inline unsigned long dy_strlen(const char *s)
{
	unsigned long n = 0;

	while (s[n] != 0)
		n++;
	return n;
}

/* Whether 'needle' occurs in 'hay'. */
static inline int dy_contains(const char *hay, const char *needle)
{
	unsigned long n = dy_strlen(needle);

	for (; *hay != 0; hay++) {
		unsigned long i = 0;
		while (i < n && hay[i] == needle[i])
			i++;
		if (i == n)
			return 1;
	}
	return 0;
}

static inline void dy_puts(const char *s)
{
	struct dy_iov iov[2] = {{s, dy_strlen(s)}, {"\n", 1}};
	unsigned long nw;

	dy_fd_write(1, iov, 2, &nw);
}

static inline void dy_check(int ok, int line, const char *what)
{
	char num[12];
	int i = 11;

	if (ok)
		return;
	num[i] = 0;
	do {
		num[--i] = (char)('0' + line % 10);
		line /= 10;
	} while (line > 0);
	struct dy_iov iov[4] = {
	    {"FAIL line ", 10}, {num + i, (unsigned long)(11 - i)},
	    {": ", 2}, {what, dy_strlen(what)}};
	unsigned long nw;
	dy_fd_write(1, iov, 4, &nw);
	dy_puts("");
	dy_exit(1);
}

#define CHECK(c) dy_check((c) != 0, __LINE__, #c)

#endif
