/*
 * wasi_fd.c: file-descriptor functions, for now only over the standard
 * streams.
 *
 * Guest fds 0, 1 and 2 map to the host fds the embedder gave (borrowed:
 * closing one only forgets it). Any other fd is EBADF; there are no
 * preopened directories yet, which is how wasi-libc learns that the
 * filesystem is empty (fd_prestat_get(3) = EBADF). The streams do not seek
 * (ESPIPE), whatever the host fd is.
 *
 * Scatter/gather: the whole iovec array and every buffer it names are
 * bounds-checked before any byte moves, so EFAULT means nothing was
 * transferred. The host sees at most WASI_IOV_CHUNK iovecs per system
 * call (a fixed array on the stack) and at most WASI_IO_MAX bytes per
 * call, so the u32 byte count cannot overflow.
 */
#include "wasi/wasi_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define WASI_IOV_CHUNK 16
#define WASI_IO_MAX    0x7ffff000u /* Linux's own cap on one read or write */

/* witx 'filetype' and 'fdflags' values, and the 'rights' bits we report. */
enum {
	WASI_FILETYPE_UNKNOWN = 0,
	WASI_FILETYPE_BLOCK_DEVICE = 1,
	WASI_FILETYPE_CHARACTER_DEVICE = 2,
	WASI_FILETYPE_DIRECTORY = 3,
	WASI_FILETYPE_REGULAR_FILE = 4,
	WASI_FILETYPE_SOCKET_STREAM = 6,
	WASI_FDFLAG_APPEND = 1,
	WASI_FDFLAG_NONBLOCK = 4,
};
#define WASI_RIGHT_FD_READ           (UINT64_C(1) << 1)
#define WASI_RIGHT_FD_WRITE          (UINT64_C(1) << 6)
#define WASI_RIGHT_FD_FILESTAT_GET   (UINT64_C(1) << 21)
#define WASI_RIGHT_POLL_FD_READWRITE (UINT64_C(1) << 27)
#define WASI_STDIO_RIGHTS                                                      \
	(WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE |                            \
	 WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_POLL_FD_READWRITE)

/* The host fd behind guest fd 'fd', or -1 (EBADF). */
static int wasi_host_fd(const struct wasi_ctx *w, uint32_t fd)
{
	return fd < WASI_NSTDIO ? w->host_fd[fd] : -1;
}

/* Reads guest iovec 'i' of the array at 'iovs' (already checked). */
static void wasi_iov_at(const uint8_t *arr, uint32_t i, uint32_t *base,
                        uint32_t *len)
{
	*base = wasi_get_u32(arr + 8 * (size_t)i);
	*len = wasi_get_u32(arr + 8 * (size_t)i + 4);
}

/* Checks the array of 'n' iovecs at guest 'iovs' and every buffer. */
static const uint8_t *wasi_iovs_check(struct vm_call *c, uint32_t iovs,
                                      uint32_t n)
{
	const uint8_t *arr = wasi_mem(c, iovs, (uint64_t)n * 8);
	uint32_t i, base, len;

	if (arr == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		wasi_iov_at(arr, i, &base, &len);
		if (wasi_mem(c, base, len) == NULL)
			return NULL;
	}
	return arr;
}

/*
 * Fills 'v' with up to WASI_IOV_CHUNK host iovecs for guest iovecs
 * [*i, n), at most 'budget' bytes in all; advances *i. Returns the count.
 */
static int wasi_iov_fill(struct vm_call *c, const uint8_t *arr, uint32_t n,
                         uint32_t *i, uint64_t budget, struct iovec *v,
                         size_t *bytes)
{
	uint32_t base, len;
	int k = 0;

	*bytes = 0;
	for (; *i < n && k < WASI_IOV_CHUNK && budget > 0; (*i)++, k++) {
		wasi_iov_at(arr, *i, &base, &len);
		if (len > budget)
			len = (uint32_t)budget;
		v[k].iov_base = wasi_mem(c, base, len);
		v[k].iov_len = len;
		budget -= len;
		*bytes += len;
	}
	return k;
}

/*
 * Moves bytes between the host fd and the guest buffers; 'out' says which
 * way. Writes continue chunk by chunk until done or a short write; a read
 * makes one system call (a short read is normal). Returns an errno;
 * '*done' gets the bytes moved (a host error after some bytes moved is
 * reported as success with the count, as POSIX does).
 */
static uint32_t wasi_transfer(struct vm_call *c, int hfd, const uint8_t *arr,
                              uint32_t n, bool out, uint32_t *done)
{
	struct iovec v[WASI_IOV_CHUNK];
	uint32_t i = 0;
	uint64_t total = 0;
	size_t want;
	ssize_t r;
	int k;

	while (i < n && total < WASI_IO_MAX) {
		k = wasi_iov_fill(c, arr, n, &i, WASI_IO_MAX - total, v, &want);
		do
			r = out ? writev(hfd, v, k) : readv(hfd, v, k);
		while (r < 0 && errno == EINTR);
		if (r < 0 && total == 0)
			return wasi_errno_from_host(errno);
		if (r < 0)
			break;
		total += (uint64_t)r;
		if (!out || (size_t)r < want)
			break;
	}
	*done = (uint32_t)total;
	return WASI_ESUCCESS;
}

/* Shared body of fd_read and fd_write(fd, iovs, iovs_len) -> (errno, n). */
static int wasi_rw(struct vm_call *c, void *ud, bool out)
{
	int hfd = wasi_host_fd(wasi_ctx_of(ud), wasi_u32(c, 0));
	uint32_t n = wasi_u32(c, 2), done = 0, err;
	const uint8_t *arr;
	uint8_t *pres;

	if (hfd < 0)
		return wasi_ret(c, WASI_EBADF);
	arr = wasi_iovs_check(c, wasi_u32(c, 1), n);
	pres = wasi_mem(c, wasi_u32(c, 3), 4);
	if (arr == NULL || pres == NULL)
		return wasi_ret(c, WASI_EFAULT);
	err = wasi_transfer(c, hfd, arr, n, out, &done);
	if (err == WASI_ESUCCESS)
		wasi_put_u32(pres, done);
	return wasi_ret(c, err);
}

/* fd_write(fd, iovs: ciovec_array) -> (errno, nwritten: size) */
int wasi_fd_write(struct vm_call *c, void *ud)
{
	return wasi_rw(c, ud, true);
}

/* fd_read(fd, iovs: iovec_array) -> (errno, nread: size) */
int wasi_fd_read(struct vm_call *c, void *ud)
{
	return wasi_rw(c, ud, false);
}

/* fd_close(fd) -> errno. The host fd stays open: it is borrowed. */
int wasi_fd_close(struct vm_call *c, void *ud)
{
	struct wasi_ctx *w = wasi_ctx_of(ud);
	uint32_t fd = wasi_u32(c, 0);

	if (wasi_host_fd(w, fd) < 0)
		return wasi_ret(c, WASI_EBADF);
	w->host_fd[fd] = -1;
	return wasi_ret(c, WASI_ESUCCESS);
}

/* The preview1 file type of a host fd, from fstat. */
static uint8_t wasi_filetype(int hfd)
{
	struct stat st;

	if (fstat(hfd, &st) != 0)
		return WASI_FILETYPE_UNKNOWN;
	if (S_ISCHR(st.st_mode))
		return WASI_FILETYPE_CHARACTER_DEVICE;
	if (S_ISREG(st.st_mode))
		return WASI_FILETYPE_REGULAR_FILE;
	if (S_ISDIR(st.st_mode))
		return WASI_FILETYPE_DIRECTORY;
	if (S_ISBLK(st.st_mode))
		return WASI_FILETYPE_BLOCK_DEVICE;
	if (S_ISSOCK(st.st_mode))
		return WASI_FILETYPE_SOCKET_STREAM;
	return WASI_FILETYPE_UNKNOWN; /* pipes have no preview1 type */
}

/*
 * fd_fdstat_get(fd) -> (errno, fdstat). fdstat is 24 bytes: filetype u8
 * at 0, flags u16 at 2, rights_base u64 at 8, rights_inheriting u64 at 16.
 * No seek or tell rights, so wasi-libc's isatty() is true exactly when
 * the host stream is a character device (a terminal, /dev/null).
 */
int wasi_fd_fdstat_get(struct vm_call *c, void *ud)
{
	int hfd = wasi_host_fd(wasi_ctx_of(ud), wasi_u32(c, 0));
	uint8_t *p;
	uint16_t flags = 0;
	int fl;

	if (hfd < 0)
		return wasi_ret(c, WASI_EBADF);
	p = wasi_mem(c, wasi_u32(c, 1), 24);
	if (p == NULL)
		return wasi_ret(c, WASI_EFAULT);
	fl = fcntl(hfd, F_GETFL);
	if (fl >= 0 && (fl & O_APPEND))
		flags |= WASI_FDFLAG_APPEND;
	if (fl >= 0 && (fl & O_NONBLOCK))
		flags |= WASI_FDFLAG_NONBLOCK;
	p[0] = wasi_filetype(hfd);
	p[1] = 0;
	wasi_put_u16(p + 2, flags);
	wasi_put_u32(p + 4, 0);
	wasi_put_u64(p + 8, WASI_STDIO_RIGHTS);
	wasi_put_u64(p + 16, 0);
	return wasi_ret(c, WASI_ESUCCESS);
}

/* fd_seek(fd, offset: filedelta, whence) -> (errno, newoffset) */
int wasi_fd_seek(struct vm_call *c, void *ud)
{
	if (wasi_host_fd(wasi_ctx_of(ud), wasi_u32(c, 0)) < 0)
		return wasi_ret(c, WASI_EBADF);
	return wasi_ret(c, WASI_ESPIPE);
}

/* fd_tell(fd) -> (errno, offset) */
int wasi_fd_tell(struct vm_call *c, void *ud)
{
	if (wasi_host_fd(wasi_ctx_of(ud), wasi_u32(c, 0)) < 0)
		return wasi_ret(c, WASI_EBADF);
	return wasi_ret(c, WASI_ESPIPE);
}

/* fd_prestat_get(fd) -> (errno, prestat): no preopens, so always EBADF. */
int wasi_fd_prestat_get(struct vm_call *c, void *ud)
{
	(void)ud;
	return wasi_ret(c, WASI_EBADF);
}

/* fd_prestat_dir_name(fd, path, path_len) -> errno: likewise EBADF. */
int wasi_fd_prestat_dir_name(struct vm_call *c, void *ud)
{
	(void)ud;
	return wasi_ret(c, WASI_EBADF);
}
