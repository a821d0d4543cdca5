/*
 * wasix/pthread_errno.h: errno for `wasmix-cc -pthread` programs (forced
 * in by wasmix-cc, which also defines __wasilibc___errno_h so that
 * wasi-libc's <__errno.h> is skipped).
 *
 * Debian's wasi-libc is built single-threaded: its libc.a defines errno
 * as one plain global, and every libc function stores to that address.
 * Its header declares errno _Thread_local, which under -matomics names a
 * TLS symbol that libc.a does not define (the link fails). Here errno is
 * that global, reached through a function of libwasix-pthread.a. It is
 * shared by all threads, not per thread (sdk/README.md says why): read
 * it right after the call that failed.
 */
#ifndef WASIX_PTHREAD_ERRNO_H
#define WASIX_PTHREAD_ERRNO_H

#ifdef __cplusplus
extern "C" {
#endif

/* The address of libc's errno (the same for every thread). */
int *__wasix_errno_location(void) __attribute__((__const__));

#ifdef __cplusplus
}
#endif

#define errno (*__wasix_errno_location())

#endif
