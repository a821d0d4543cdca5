/* corpus.h: what the wasix-libc corpus programs share (tests/wasixlibc/,
 * run by tests/run_wasixlibc.sh). Each program prints what it observes,
 * one fact a line, so that its output natively (gcc, Linux) and under
 * wasmix (wasix-libc) can be diffed. Keeps true: nothing printed depends
 * on where the test root is on the host, on pids, or on time.
 *
 * The test root: natively it is a host directory (CORPUS_ROOT = its
 * absolute path, the cwd at start); under wasmix it is mapped at "/"
 * (CORPUS_ROOT empty) or at "/data" (CORPUS_ROOT=/data). P("x") is the
 * path of x in the root; show() prints a path as seen from the root. */
#ifndef CORPUS_H
#define CORPUS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char corpus_root[512];

/* corpus_init: reads CORPUS_ROOT; with CORPUS_CHDIR=1 starts in the
 * root (a guest's cwd starts at "/" when the root is elsewhere). */
int chdir(const char *);
static inline void corpus_init(void)
{
	const char *r = getenv("CORPUS_ROOT");
	snprintf(corpus_root, sizeof corpus_root, "%s", r ? r : "");
	if (getenv("CORPUS_CHDIR") && chdir(corpus_root[0] ? corpus_root : "/"))
		printf("chdir root failed errno=%d\n", errno);
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* P: the path of REL ("" for the root itself) in the test root, in one
 * of 4 rotating static buffers. */
static inline const char *P(const char *rel)
{
	static char buf[4][600];
	static int n;
	char *b = buf[n++ & 3];
	if (!rel[0])
		snprintf(b, 600, "%s", corpus_root[0] ? corpus_root : "/");
	else
		snprintf(b, 600, "%s/%s", corpus_root, rel);
	return b;
}

/* show: PATH with the root's prefix taken off ("/" for the root). */
static inline const char *show(const char *path)
{
	size_t n = strlen(corpus_root);
	if (n && strncmp(path, corpus_root, n) == 0 &&
	    (path[n] == '/' || path[n] == 0))
		path += n;
	return path[0] ? path : "/";
}

/* The errno name of E, for the common ones (numbers differ between
 * Linux and WASI). */
static inline const char *ename(int e)
{
	switch (e) {
	case 0: return "0";
	case ENOENT: return "ENOENT";
	case EEXIST: return "EEXIST";
	case EBADF: return "EBADF";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case ENOTEMPTY: return "ENOTEMPTY";
	case EINVAL: return "EINVAL";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ECHILD: return "ECHILD";
	case EINTR: return "EINTR";
	case ESRCH: return "ESRCH";
	case ESPIPE: return "ESPIPE";
	case ELOOP: return "ELOOP";
	case EXDEV: return "EXDEV";
	case ENOEXEC: return "ENOEXEC";
	case ENOSYS: return "ENOSYS";
	case EAGAIN: return "EAGAIN";
	case EPIPE: return "EPIPE";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ERANGE: return "ERANGE";
	case ENOTTY: return "ENOTTY";
	case EFAULT: return "EFAULT";
	case EMFILE: return "EMFILE";
	case EIO: return "EIO";
	case ENXIO: return "ENXIO";
	case EROFS: return "EROFS";
	case EBUSY: return "EBUSY";
	case ENOMEM: return "ENOMEM";
	case ENOTSUP: return "ENOTSUP";
#if EOPNOTSUPP != ENOTSUP
	case EOPNOTSUPP: return "EOPNOTSUPP";
#endif
#ifdef ENOTCAPABLE
	case ENOTCAPABLE: return "ENOTCAPABLE";
#endif
	case ECONNREFUSED: return "ECONNREFUSED";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	default: return "E?";
	}
}

/* R(name, rc): prints "name rc errno" for a call that returns -1 on
 * error (the errno only then). */
#define R(name, rc)                                                        \
	do {                                                               \
		long r_ = (long)(rc);                                      \
		printf("%s %s\n", name, r_ == -1 ? ename(errno) : "ok");   \
	} while (0)

#endif
