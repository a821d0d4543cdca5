/*
 * sdk_fd.c: pipe, pipe2, dup, dup2, dup3 and the fcntl commands wasi-libc
 * lacks (F_GETFD, F_SETFD, F_DUPFD, F_DUPFD_CLOEXEC), over WASIX.
 *
 * fcntl: wasix/posix.h renames the program's fcntl() to __wasix_fcntl,
 * which handles those commands and passes every other one to wasi-libc's
 * own fcntl.
 *
 * dup2 relies on fd_renumber having POSIX dup2 meaning in a module that
 * imports WASIX (shared/spec/wasix-process.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <wasi/api.h>

#include <wasix/posix.h>
#include <wasix/wasix.h>

static int sdk_fail(int32_t err)
{
	errno = err;
	return -1;
}

int pipe2(int fds[2], int flags)
{
	uint32_t rd, wr;
	int32_t err = wasix_fd_pipe(&rd, &wr);

	if (err != 0)
		return sdk_fail(err);
	if (flags & O_CLOEXEC) {
		wasix_fd_fdflags_set(rd, 1);
		wasix_fd_fdflags_set(wr, 1);
	}
	fds[0] = (int)rd;
	fds[1] = (int)wr;
	return 0;
}

int pipe(int fds[2])
{
	return pipe2(fds, 0);
}

int dup(int fd)
{
	uint32_t nfd;
	int32_t err = wasix_fd_dup((uint32_t)fd, &nfd);

	return err != 0 ? sdk_fail(err) : (int)nfd;
}

int dup2(int from, int to)
{
	int32_t err;

	if (from < 0 || to < 0)
		return sdk_fail(EBADF);
	err = __wasi_fd_renumber((__wasi_fd_t)from, (__wasi_fd_t)to);
	return err != 0 ? sdk_fail(err) : to;
}

int dup3(int from, int to, int flags)
{
	if (from == to)
		return sdk_fail(EINVAL);
	if (dup2(from, to) < 0)
		return -1;
	if (flags & O_CLOEXEC)
		wasix_fd_fdflags_set((uint32_t)to, 1);
	return to;
}

#ifndef F_DUPFD_CLOEXEC
#define F_DUPFD_CLOEXEC 1030
#endif
#ifndef FD_CLOEXEC
#define FD_CLOEXEC 1
#endif

int __wasix_fcntl(int fd, int cmd, ...)
{
	uint16_t fl = 0;
	uint32_t nfd;
	int32_t err;
	va_list ap;
	int arg;

	va_start(ap, cmd);
	arg = va_arg(ap, int);
	va_end(ap);
	switch (cmd) {
	case F_GETFD:
		err = wasix_fd_fdflags_get((uint32_t)fd, &fl);
		return err != 0 ? sdk_fail(err) : (fl & 1 ? FD_CLOEXEC : 0);
	case F_SETFD:
		err = wasix_fd_fdflags_set((uint32_t)fd,
		                           arg & FD_CLOEXEC ? 1 : 0);
		return err != 0 ? sdk_fail(err) : 0;
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg < 0)
			return sdk_fail(EINVAL);
		err = wasix_fd_dup2((uint32_t)fd, (uint32_t)arg,
		                    cmd == F_DUPFD_CLOEXEC, &nfd);
		return err != 0 ? sdk_fail(err) : (int)nfd;
	default:
		return fcntl(fd, cmd, arg);
	}
}
