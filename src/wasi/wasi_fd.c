/*
 * wasi_fd.c: moving bytes through guest fds: fd_read, fd_write, fd_pread,
 * fd_pwrite, fd_seek, fd_tell, and the wait before a blocking read.
 *
 * Scatter/gather: the whole iovec array and every buffer it names are
 * bounds-checked before any byte moves, so EFAULT means nothing was
 * transferred. The host sees at most WASI_IOV_CHUNK iovecs per system
 * call (a fixed array on the stack) and at most WASI_IO_MAX bytes per
 * call, so the u32 byte count cannot overflow.
 *
 * Blocking: a read from a pipe, socket or terminal that is not
 * non-blocking first waits in poll(2) (wasi_wait_fd), which returns EINTR
 * when the context has an interrupt pending, so that a signal can be
 * delivered to a guest blocked in fd_read. Regular files never block.
 */
#include "wasi/wasi_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>


uint32_t wasi_wait_fd(struct wasi_ctx *w, int hfd, short events)
{
	struct pollfd p = {.fd = hfd, .events = events};
	int r;

	for (;;) {
		if (wasi_interrupted(w))
			return WASI_EINTR;
		r = poll(&p, 1, w->interrupt != NULL ? WASI_SLICE_MS : -1);
		/* ready, or an error that the I/O call will report */
		if (r > 0)
			return WASI_ESUCCESS;
		if (r < 0 && errno != EINTR)
			return wasi_errno_from_host(errno);
	}
}

uint32_t wasi_wait_in(struct wasi_ctx *w, const struct vfs_entry *e)
{
	struct timeval tv = {0, 0};
	socklen_t len = sizeof tv;
	struct timespec now, end;
	struct pollfd p = {.fd = e->host_fd, .events = POLLIN};
	int64_t left;
	int r, ms;

	if (e->kind == VFS_SOCKET_STREAM || e->kind == VFS_SOCKET_DGRAM)
		getsockopt(e->host_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, &len);
	if (tv.tv_sec == 0 && tv.tv_usec == 0)
		return wasi_wait_fd(w, e->host_fd, POLLIN);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += tv.tv_sec;
	end.tv_nsec += tv.tv_usec * 1000;
	for (;;) {
		if (wasi_interrupted(w))
			return WASI_EINTR;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (int64_t)(end.tv_sec - now.tv_sec) * 1000 +
		       (end.tv_nsec - now.tv_nsec) / 1000000;
		if (left <= 0)
			return WASI_EAGAIN;
		ms = left > WASI_SLICE_MS ? WASI_SLICE_MS : (int)left;
		r = poll(&p, 1, ms);
		if (r > 0)
			return WASI_ESUCCESS;
		if (r < 0 && errno != EINTR)
			return wasi_errno_from_host(errno);
	}
}

/* Reads guest iovec 'i' of the array at 'arr' (already checked): { buf
 * pointer, buf_len size }, 8 bytes, or 16 with memory64. */
static void wasi_iov_at(const struct vm_call *c, const uint8_t *arr, uint32_t i,
                        uint64_t *base, uint64_t *len)
{
	size_t ps = wasi_psize(c);

	*base = wasi_get_ptr(c, arr + 2 * ps * i);
	*len = wasi_get_ptr(c, arr + 2 * ps * i + ps);
}

const uint8_t *wasi_iovs_check(struct vm_call *c, uint64_t iovs, uint32_t n)
{
	const uint8_t *arr = wasi_mem(c, iovs, (uint64_t)n * 2 * wasi_psize(c));
	uint64_t base, len;
	uint32_t i;

	if (arr == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		wasi_iov_at(c, arr, i, &base, &len);
		if (wasi_mem(c, base, len) == NULL)
			return NULL;
	}
	return arr;
}

int wasi_iov_fill(struct vm_call *c, const uint8_t *arr, uint32_t n,
                  uint32_t *i, uint64_t budget, struct iovec *v, size_t *bytes)
{
	uint64_t base, len;
	int k = 0;

	*bytes = 0;
	for (; *i < n && k < WASI_IOV_CHUNK && budget > 0; (*i)++, k++) {
		/* Read again, checked again: wasi_iovs_check's reading only
		 * gives EFAULT early. A guest that changed the iovec since
		 * (another thread) gets it skipped, never a pointer outside
		 * its memory. */
		wasi_iov_at(c, arr, *i, &base, &len);
		if (len > budget)
			len = budget;
		v[k].iov_base = wasi_mem(c, base, len);
		if (v[k].iov_base == NULL)
			len = 0;
		v[k].iov_len = len;
		budget -= len;
		*bytes += len;
	}
	return k;
}

/* One system call moving 'k' iovecs; 'off' < 0 means the fd offset. */
static ssize_t wasi_io(int hfd, struct iovec *v, int k, bool out, int64_t off)
{
	ssize_t r;

	do {
		if (off < 0)
			r = out ? writev(hfd, v, k) : readv(hfd, v, k);
		else
			r = out ? pwritev(hfd, v, k, off)
			        : preadv(hfd, v, k, off);
	} while (r < 0 && errno == EINTR);
	return r;
}

/*
 * Moves bytes between the host fd and the guest buffers; 'out' says which
 * way, 'off' >= 0 an explicit offset. Writes continue chunk by chunk until
 * done or a short write; a read makes one system call (a short read is
 * normal). Returns an errno; '*done' gets the bytes moved (a host error
 * after some bytes moved is reported as success with the count, as POSIX
 * does).
 */
static uint32_t wasi_transfer(struct vm_call *c, int hfd, const uint8_t *arr,
                              uint32_t n, bool out, int64_t off, uint32_t *done)
{
	struct iovec v[WASI_IOV_CHUNK];
	uint32_t i = 0;
	uint64_t total = 0;
	size_t want;
	ssize_t r;
	int k;

	while (i < n && total < WASI_IO_MAX) {
		k = wasi_iov_fill(c, arr, n, &i, WASI_IO_MAX - total, v, &want);
		r = wasi_io(hfd, v, k, out,
		            off < 0 ? -1 : off + (int64_t)total);
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

static bool wasi_is_socket(const struct vfs_entry *e)
{
	return e->kind == VFS_SOCKET_STREAM || e->kind == VFS_SOCKET_DGRAM;
}

static uint32_t wasi_sock_io(struct vm_call *c, struct wasi_ctx *w,
                             const struct vfs_entry *e, const uint8_t *arr,
                             uint32_t n, bool out, int flags, uint32_t *done,
                             int *mflags);

/* Whether a read from 'e' may block (and so waits in wasi_wait_fd). */
static bool wasi_may_block(const struct vfs_entry *e)
{
	int fl;

	if (e->kind == VFS_FILE || e->kind == VFS_DIR ||
	    e->kind == VFS_BLOCKDEV)
		return false;
	fl = fcntl(e->host_fd, F_GETFL);
	return fl >= 0 && !(fl & O_NONBLOCK);
}

/*
 * Shared body of fd_read, fd_write (fd, iovs, iovs_len, *n) and fd_pread,
 * fd_pwrite (fd, iovs, iovs_len, offset, *n).
 */
static int wasi_rw(struct vm_call *c, void *ud, bool out, bool positioned)
{
	struct wasi_ctx *w = wasi_ctx_of(ud);
	uint64_t right = out ? WASI_RIGHT_FD_WRITE : WASI_RIGHT_FD_READ;
	uint32_t n = wasi_size32(c, 2), done = 0, err;
	int64_t off = positioned ? (int64_t)c->args[3] : -1;
	const uint8_t *arr;
	struct vfs_entry *e;
	uint8_t *pres;

	if (positioned)
		right |= WASI_RIGHT_FD_SEEK;
	/* A reference: another thread may close the fd while this blocks. */
	err = wasi_fd_get(w, wasi_u32(c, 0), right, &e);
	if (err == WASI_ENOTCAPABLE && e->kind == VFS_DIR)
		err = WASI_EISDIR;
	if (err != WASI_ESUCCESS)
		goto out;
	err = WASI_EINVAL;
	if (positioned && off < 0)
		goto out;
	arr = wasi_iovs_check(c, wasi_ptr(c, 1), n);
	pres = wasi_mem(c, wasi_ptr(c, positioned ? 4 : 3), wasi_psize(c));
	err = WASI_EFAULT;
	if (arr == NULL || pres == NULL)
		goto out;
	err = WASI_ESUCCESS;
	if (!out && !positioned && wasi_is_socket(e)) {
		/* recvmsg first, the wait only if nothing is there */
		err = wasi_sock_io(c, w, e, arr, n, false, 0, &done, NULL);
	} else {
		if (!out && !positioned && wasi_may_block(e))
			err = wasi_wait_in(w, e);
		if (err == WASI_ESUCCESS)
			err = wasi_transfer(c, e->host_fd, arr, n, out, off,
			                    &done);
	}
	if (err == WASI_ESUCCESS)
		wasi_put_ptr(c, pres, done);
out:
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/* fd_write(fd, iovs: ciovec_array) -> (errno, nwritten: size) */
int wasi_fd_write(struct vm_call *c, void *ud)
{
	return wasi_rw(c, ud, true, false);
}

/* fd_read(fd, iovs: iovec_array) -> (errno, nread: size) */
int wasi_fd_read(struct vm_call *c, void *ud)
{
	return wasi_rw(c, ud, false, false);
}

/* fd_pwrite(fd, iovs, offset: filesize) -> (errno, nwritten: size) */
int wasi_fd_pwrite(struct vm_call *c, void *ud)
{
	return wasi_rw(c, ud, true, true);
}

/* fd_pread(fd, iovs, offset: filesize) -> (errno, nread: size) */
int wasi_fd_pread(struct vm_call *c, void *ud)
{
	return wasi_rw(c, ud, false, true);
}

/* fd_seek(fd, offset: filedelta, whence) -> (errno, newoffset) */
int wasi_fd_seek(struct vm_call *c, void *ud)
{
	static const int whences[] = {SEEK_SET, SEEK_CUR, SEEK_END};
	int64_t delta = (int64_t)c->args[1];
	uint32_t whence = wasi_u32(c, 2), err;
	struct vfs_entry *e;
	uint8_t *p;
	off_t r;

	/* fd_seek(fd, 0, CUR) is how wasi-libc's ftell asks: TELL suffices. */
	err = wasi_fd_get(wasi_ctx_of(ud), wasi_u32(c, 0),
	                  delta == 0 && whence == 1 ? WASI_RIGHT_FD_TELL
	                                            : WASI_RIGHT_FD_SEEK,
	                  &e);
	if (err == WASI_ENOTCAPABLE && e->kind != VFS_FILE)
		err = e->kind == VFS_DIR ? WASI_EBADF : WASI_ESPIPE;
	if (err != WASI_ESUCCESS)
		goto out;
	err = WASI_EINVAL;
	if (whence >= WX_ARRAY_LEN(whences))
		goto out;
	err = WASI_EFAULT;
	p = wasi_mem(c, wasi_ptr(c, 3), 8);
	if (p == NULL)
		goto out;
	r = lseek(e->host_fd, (off_t)delta, whences[whence]);
	err = r < 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS;
	if (r >= 0)
		wasi_put_u64(p, (uint64_t)r);
out:
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/* fd_tell(fd) -> (errno, offset) */
int wasi_fd_tell(struct vm_call *c, void *ud)
{
	struct vfs_entry *e;
	uint32_t err;
	uint8_t *p;
	off_t r;

	err = wasi_fd_get(wasi_ctx_of(ud), wasi_u32(c, 0), WASI_RIGHT_FD_TELL,
	                  &e);
	if (err == WASI_ENOTCAPABLE && e->kind != VFS_FILE)
		err = e->kind == VFS_DIR ? WASI_EBADF : WASI_ESPIPE;
	if (err != WASI_ESUCCESS)
		goto out;
	err = WASI_EFAULT;
	p = wasi_mem(c, wasi_ptr(c, 1), 8);
	if (p == NULL)
		goto out;
	r = lseek(e->host_fd, 0, SEEK_CUR);
	err = r < 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS;
	if (r >= 0)
		wasi_put_u64(p, (uint64_t)r);
out:
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/*
 * The socket entry behind 'fd' with 'right': EBADF, ENOTSOCK or
 * ENOTCAPABLE (shared by sock_recv/sock_send here and the sock_* calls in
 * wasi_poll.c).
 */
uint32_t wasi_sock_get(struct wasi_ctx *w, uint32_t fd, uint64_t right,
                       struct vfs_entry **e)
{
	uint32_t err = wasi_fd_get(w, fd, 0, e);

	if (err != WASI_ESUCCESS)
		return err;
	if ((*e)->kind != VFS_SOCKET_STREAM && (*e)->kind != VFS_SOCKET_DGRAM)
		return WASI_ENOTSOCK;
	return wasi_fd_rights_ok(*e, right) ? WASI_ESUCCESS
	                                    : WASI_ENOTCAPABLE;
}

/*
 * One recvmsg/sendmsg over the first WASI_IOV_CHUNK guest buffers (a
 * short transfer is normal for sockets). A receive without MSG_DONTWAIT
 * from a socket that blocks waits as wasi_recvmsg says. Returns an
 * errno; '*done' and '*mflags' (if not NULL) get the count and the
 * host's msg_flags.
 */
static uint32_t wasi_sock_io(struct vm_call *c, struct wasi_ctx *w,
                             const struct vfs_entry *e, const uint8_t *arr,
                             uint32_t n, bool out, int flags, uint32_t *done,
                             int *mflags)
{
	struct iovec v[WASI_IOV_CHUNK];
	struct msghdr m;
	uint32_t i = 0, err = WASI_ESUCCESS;
	size_t want;
	ssize_t r;

	memset(&m, 0, sizeof m);
	m.msg_iov = v;
	m.msg_iovlen =
	    (size_t)wasi_iov_fill(c, arr, n, &i, WASI_IO_MAX, v, &want);
	if (out) {
		do
			r = sendmsg(e->host_fd, &m, flags | MSG_NOSIGNAL);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			err = wasi_errno_from_host(errno);
	} else {
		err = wasi_recvmsg(w, e, &m, flags, &r);
	}
	if (err != WASI_ESUCCESS)
		return err;
	*done = (uint32_t)r;
	if (mflags != NULL)
		*mflags = m.msg_flags;
	return WASI_ESUCCESS;
}

uint32_t wasi_recvmsg(struct wasi_ctx *w, const struct vfs_entry *e,
                      struct msghdr *m, int flags, ssize_t *got)
{
	socklen_t namelen = m->msg_namelen;
	bool blocks;
	uint32_t err;
	ssize_t r;

	if (!(flags & (MSG_DONTWAIT | MSG_WAITALL))) {
		/* Data waiting (the common case): one system call, no
		 * fcntl(F_GETFL) and no poll. */
		do
			r = recvmsg(e->host_fd, m, flags | MSG_DONTWAIT);
		while (r < 0 && errno == EINTR);
		if (r >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			goto done;
		if (!wasi_may_block(e))
			goto done; /* EAGAIN, as a non-blocking socket says */
		m->msg_namelen = namelen;
		m->msg_flags = 0;
		blocks = true;
	} else {
		blocks = !(flags & MSG_DONTWAIT) && wasi_may_block(e);
	}
	if (blocks) {
		err = wasi_wait_in(w, e);
		if (err != WASI_ESUCCESS)
			return err;
	}
	do
		r = recvmsg(e->host_fd, m, flags);
	while (r < 0 && errno == EINTR && !wasi_interrupted(w));
done:
	if (r < 0)
		return wasi_errno_from_host(errno);
	*got = r;
	return WASI_ESUCCESS;
}

/*
 * sock_recv(fd, ri_data, ri_flags: PEEK 1 | WAITALL 2, and WASIX's
 * DATA_TRUNCATED 4 (MSG_TRUNC) | DONT_WAIT 8)
 *   -> (errno, ro_datalen, ro_flags: DATA_TRUNCATED 1)
 */
int wasi_sock_recv(struct vm_call *c, void *ud)
{
	struct wasi_ctx *w = wasi_ctx_of(ud);
	uint32_t n = wasi_size32(c, 2), fl = wasi_u32(c, 3), done = 0, err;
	const uint8_t *arr;
	struct vfs_entry *e;
	uint8_t *plen, *pfl;
	int mflags = 0;

	err = wasi_sock_get(w, wasi_u32(c, 0), WASI_RIGHT_FD_READ, &e);
	if (err != WASI_ESUCCESS)
		goto out;
	err = WASI_EINVAL;
	if (fl & ~15u)
		goto out;
	arr = wasi_iovs_check(c, wasi_ptr(c, 1), n);
	plen = wasi_mem(c, wasi_ptr(c, 4), wasi_psize(c));
	pfl = wasi_mem(c, wasi_ptr(c, 5), 2);
	err = WASI_EFAULT;
	if (arr == NULL || plen == NULL || pfl == NULL)
		goto out;
	err = wasi_sock_io(
	    c, w, e, arr, n, false,
	    (fl & 1 ? MSG_PEEK : 0) | (fl & 2 ? MSG_WAITALL : 0) |
	        (fl & 4 ? MSG_TRUNC : 0) | (fl & 8 ? MSG_DONTWAIT : 0),
	    &done, &mflags);
	if (err == WASI_ESUCCESS) {
		wasi_put_ptr(c, plen, done);
		wasi_put_u16(pfl, (mflags & MSG_TRUNC) ? 1 : 0);
	}
out:
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/* sock_send(fd, si_data, si_flags: WASIX's DONT_WAIT 1)
 *   -> (errno, so_datalen) */
int wasi_sock_send(struct vm_call *c, void *ud)
{
	struct wasi_ctx *w = wasi_ctx_of(ud);
	uint32_t n = wasi_size32(c, 2), done = 0, err;
	const uint8_t *arr;
	struct vfs_entry *e;
	uint8_t *plen;
	int mflags;

	err = wasi_sock_get(w, wasi_u32(c, 0), WASI_RIGHT_FD_WRITE, &e);
	if (err != WASI_ESUCCESS)
		goto out;
	err = WASI_EINVAL;
	if (wasi_u32(c, 3) & ~1u)
		goto out;
	arr = wasi_iovs_check(c, wasi_ptr(c, 1), n);
	plen = wasi_mem(c, wasi_ptr(c, 4), wasi_psize(c));
	err = WASI_EFAULT;
	if (arr == NULL || plen == NULL)
		goto out;
	err =
	    wasi_sock_io(c, w, e, arr, n, true,
	                 wasi_u32(c, 3) & 1 ? MSG_DONTWAIT : 0, &done, &mflags);
	if (err == WASI_ESUCCESS)
		wasi_put_ptr(c, plen, done);
out:
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}
