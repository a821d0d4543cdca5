/*
 * wasi_poll.c: poll_oneoff, and the socket calls that do not move bytes
 * (sock_accept, sock_shutdown; sock_recv and sock_send live with the
 * other byte movers in wasi_fd.c).
 *
 * poll_oneoff waits in one ppoll(2) for every fd subscription at once,
 * with the nearest clock deadline as its timeout. A subscription that
 * cannot wait (bad fd: EBADF; missing right: ENOTCAPABLE; bad clock:
 * EINVAL) and a regular file (always ready, as POSIX says) produce an
 * event at once, and the call then only collects what else is ready.
 * EINTR from the host is retried with the remaining time unless the
 * context has an interrupt pending, in which case the call returns EINTR
 * so that the signal can be delivered. With an interrupt flag configured
 * the wait is cut into WASI_SLICE_MS slices (wasi_impl.h). The nowait
 * form (a signal handler ran at the call's entry) returns EINTR instead
 * of waiting when nothing is ready yet.
 *
 * Layouts (wasm32): subscription 48 bytes: userdata u64 @0, tag u8 @8,
 * clock {id u32 @16, timeout u64 @24, precision u64 @32, flags u16 @40},
 * fd_readwrite {fd u32 @16}. event 32 bytes: userdata u64 @0, error u16
 * @8, type u8 @10, fd_readwrite {nbytes u64 @16, flags u16 @24}.
 *
 * Keeps true: at most WASI_POLL_MAX subscriptions (EINVAL past it), so
 * the one host allocation is bounded. Every fd subscription holds a
 * reference to its entry until the call returns, so that another thread
 * closing the fd while this one waits frees nothing in use (as on Linux,
 * such a close does not end the wait).
 */
#include "wasi/wasi_impl.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define WASI_POLL_MAX 4096
#define WASI_SUB_SIZE 48
#define WASI_EV_SIZE  32

enum {
	WASI_EV_CLOCK = 0,
	WASI_EV_FD_READ = 1,
	WASI_EV_FD_WRITE = 2,
	WASI_SUBCLOCK_ABSTIME = 1,
	WASI_EV_HANGUP = 1,
};

/* One subscription while poll_oneoff runs. */
struct wasi_sub {
	uint64_t userdata;
	uint8_t tag;
	bool ready;
	uint16_t err;
	int pfd; /* index into the pollfd array, or -1 */
	clockid_t clock;
	uint64_t deadline; /* in 'clock' ns */
	struct vfs_entry *e; /* a reference (NULL for clocks and EBADF) */
};

static uint64_t wasi_now(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Reads subscription 'p' into 's'; pollfds for fds go to 'pfds'. */
static uint32_t wasi_sub_read(struct wasi_ctx *w, const uint8_t *p,
                              struct wasi_sub *s, struct pollfd *pfds,
                              nfds_t *npfd)
{
	uint32_t fd;

	s->userdata = wasi_get_u64(p);
	s->tag = p[8];
	s->pfd = -1;
	if (s->tag == WASI_EV_CLOCK) {
		uint64_t t = wasi_get_u64(p + 24);

		if (!wasi_clockid(wasi_get_u32(p + 16), &s->clock)) {
			s->err = WASI_EINVAL;
			s->ready = true;
			return WASI_ESUCCESS;
		}
		if (p[40] & WASI_SUBCLOCK_ABSTIME)
			s->deadline = t;
		else
			s->deadline = wasi_now(s->clock) + t;
		return WASI_ESUCCESS;
	}
	if (s->tag != WASI_EV_FD_READ && s->tag != WASI_EV_FD_WRITE)
		return WASI_EINVAL;
	fd = wasi_get_u32(p + 16);
	s->err =
	    (uint16_t)wasi_fd_get(w, fd, WASI_RIGHT_POLL_FD_READWRITE, &s->e);
	if (s->err != WASI_ESUCCESS || s->e->kind == VFS_FILE) {
		s->ready = true;
		return WASI_ESUCCESS;
	}
	s->pfd = (int)*npfd;
	pfds[*npfd].fd = s->e->host_fd;
	pfds[*npfd].events = s->tag == WASI_EV_FD_READ ? POLLIN : POLLOUT;
	pfds[*npfd].revents = 0;
	(*npfd)++;
	return WASI_ESUCCESS;
}

/* The time to wait in ns: 0 if something is ready, -1 for forever. */
static int64_t wasi_poll_timeout(struct wasi_sub *subs, uint32_t n)
{
	int64_t best = -1, left;
	uint64_t now;
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (subs[i].ready)
			return 0;
		if (subs[i].tag != WASI_EV_CLOCK)
			continue;
		now = wasi_now(subs[i].clock);
		left = subs[i].deadline > now
		           ? (int64_t)(subs[i].deadline - now > INT64_MAX / 2
		                           ? INT64_MAX / 2
		                           : subs[i].deadline - now)
		           : 0;
		if (best < 0 || left < best)
			best = left;
	}
	return best;
}

/* Marks what is ready after ppoll; returns how many subscriptions are. */
static uint32_t wasi_poll_collect(struct wasi_sub *subs, uint32_t n,
                                  const struct pollfd *pfds)
{
	uint32_t i, ready = 0;

	for (i = 0; i < n; i++) {
		struct wasi_sub *s = &subs[i];

		if (s->pfd >= 0 && pfds[s->pfd].revents != 0)
			s->ready = true;
		if (s->tag == WASI_EV_CLOCK && !s->ready &&
		    wasi_now(s->clock) >= s->deadline)
			s->ready = true;
		ready += s->ready;
	}
	return ready;
}

/* Writes the event of ready subscription 's' at 'p'. */
static void wasi_event_put(uint8_t *p, const struct wasi_sub *s,
                           const struct pollfd *pfds)
{
	int avail = 0;
	struct stat st;
	off_t pos;

	memset(p, 0, WASI_EV_SIZE);
	wasi_put_u64(p, s->userdata);
	wasi_put_u16(p + 8, s->err);
	p[10] = s->tag;
	if (s->tag == WASI_EV_CLOCK || s->err != WASI_ESUCCESS)
		return;
	if (s->pfd >= 0 && (pfds[s->pfd].revents & POLLHUP))
		wasi_put_u16(p + 24, WASI_EV_HANGUP);
	if (s->pfd >= 0 && (pfds[s->pfd].revents & POLLNVAL))
		wasi_put_u16(p + 8, WASI_EBADF);
	if (s->tag != WASI_EV_FD_READ)
		return;
	if (s->e->kind == VFS_FILE) {
		pos = lseek(s->e->host_fd, 0, SEEK_CUR);
		if (fstat(s->e->host_fd, &st) == 0 && pos >= 0 &&
		    st.st_size > pos)
			wasi_put_u64(p + 16, (uint64_t)(st.st_size - pos));
	} else if (ioctl(s->e->host_fd, FIONREAD, &avail) == 0 && avail > 0) {
		wasi_put_u64(p + 16, (uint64_t)avail);
	}
}

/*
 * Waits until a subscription is ready. ESUCCESS, EINTR or an errno. With
 * 'nowait', EINTR instead of any wait: only what is ready now counts.
 */
static uint32_t wasi_poll_wait(struct wasi_ctx *w, struct wasi_sub *subs,
                               uint32_t n, struct pollfd *pfds, nfds_t npfd,
                               bool nowait)
{
	struct timespec ts;
	int64_t left, wait;
	int r;

	for (;;) {
		left = wasi_poll_timeout(subs, n);
		if (left < 0 && npfd == 0)
			return WASI_EINVAL; /* nothing could ever happen */
		wait = left;
		if (w->interrupt != NULL && (wait < 0 || wait > WASI_SLICE_NS))
			wait = WASI_SLICE_NS;
		if (nowait)
			wait = 0;
		ts.tv_sec = (time_t)(wait / 1000000000);
		ts.tv_nsec = (long)(wait % 1000000000);
		if (wasi_interrupted(w))
			return WASI_EINTR;
		r = ppoll(pfds, npfd, wait < 0 ? NULL : &ts, NULL);
		if (r < 0 && errno != EINTR)
			return wasi_errno_from_host(errno);
		if (r >= 0 && wasi_poll_collect(subs, n, pfds) > 0)
			return WASI_ESUCCESS;
		if (nowait)
			return WASI_EINTR;
	}
}

/* poll_oneoff(in, out, nsubscriptions) -> (errno, nevents); 'nowait':
 * see wasi_poll_wait. */
static int wasi_poll_run(struct vm_call *c, void *ud, bool nowait)
{
	struct wasi_ctx *w = wasi_ctx_of(ud);
	uint32_t n = wasi_size32(c, 2), i, nev = 0, err = WASI_ESUCCESS;
	const uint8_t *in;
	uint8_t *out, *pn;
	struct wasi_sub *subs;
	struct pollfd *pfds;
	nfds_t npfd = 0;

	if (n == 0 || n > WASI_POLL_MAX)
		return wasi_ret(c, WASI_EINVAL);
	in = wasi_mem(c, wasi_ptr(c, 0), (uint64_t)n * WASI_SUB_SIZE);
	out = wasi_mem(c, wasi_ptr(c, 1), (uint64_t)n * WASI_EV_SIZE);
	pn = wasi_mem(c, wasi_ptr(c, 3), wasi_psize(c));
	if (in == NULL || out == NULL || pn == NULL)
		return wasi_ret(c, WASI_EFAULT);
	subs = wx_alloc_array(n, sizeof *subs);
	pfds = wx_alloc_array(n, sizeof *pfds);
	if (subs == NULL || pfds == NULL)
		err = WASI_ENOMEM;
	for (i = 0; i < n && err == WASI_ESUCCESS; i++)
		err = wasi_sub_read(w, in + (size_t)i * WASI_SUB_SIZE, &subs[i],
		                    pfds, &npfd);
	if (err == WASI_ESUCCESS)
		err = wasi_poll_wait(w, subs, n, pfds, npfd, nowait);
	for (i = 0; i < n && err == WASI_ESUCCESS; i++)
		if (subs[i].ready)
			wasi_event_put(out + (size_t)(nev++) * WASI_EV_SIZE,
			               &subs[i], pfds);
	if (err == WASI_ESUCCESS)
		wasi_put_ptr(c, pn, nev);
	for (i = 0; subs != NULL && i < n; i++)
		vfs_entry_unref(subs[i].e);
	wx_free(subs);
	wx_free(pfds);
	return wasi_ret(c, err);
}

int wasi_poll_oneoff(struct vm_call *c, void *ud)
{
	return wasi_poll_run(c, ud, false);
}

int wasi_poll_oneoff_nowait(struct vm_call *c, void *ud)
{
	return wasi_poll_run(c, ud, true);
}

/* sock_accept(fd, flags: fdflags) -> (errno, fd) */
int wasi_sock_accept(struct vm_call *c, void *ud)
{
	struct wasi_ctx *w = wasi_ctx_of(ud);
	uint32_t flags = wasi_u32(c, 1), err, fd;
	struct vfs_entry *e, *ne;
	uint8_t *p;
	int hfd, rc;

	err = wasi_sock_get(w, wasi_u32(c, 0), WASI_RIGHT_SOCK_ACCEPT, &e);
	if (err != WASI_ESUCCESS)
		goto out;
	err = WASI_EINVAL;
	if (flags & ~(uint32_t)WASI_FDFLAG_NONBLOCK)
		goto out;
	err = WASI_EFAULT;
	p = wasi_mem(c, wasi_ptr(c, 2), 4);
	if (p == NULL)
		goto out;
	do
		hfd = accept4(
		    e->host_fd, NULL, NULL,
		    SOCK_CLOEXEC |
		        (flags & WASI_FDFLAG_NONBLOCK ? SOCK_NONBLOCK : 0));
	while (hfd < 0 && errno == EINTR && !wasi_interrupted(w));
	err = wasi_errno_from_host(errno);
	if (hfd < 0)
		goto out;
	err = WASI_ENOMEM;
	ne = vfs_entry_new(hfd, VFS_SOCKET_STREAM, false);
	if (ne == NULL)
		goto out;
	ne->rights_base = WASI_RIGHTS_STREAM & ~WASI_RIGHT_SOCK_ACCEPT;
	rc = vfs_install(&w->fds, ne, 0, &fd);
	if (rc != 0)
		vfs_entry_unref(ne);
	else
		wasi_put_u32(p, fd);
	err = wasi_errno_from_host(rc);
out:
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/* sock_shutdown(fd, how: sdflags RD 1 | WR 2) -> errno */
int wasi_sock_shutdown(struct vm_call *c, void *ud)
{
	uint32_t how = wasi_u32(c, 1), err;
	struct vfs_entry *e;
	int h = how == 1 ? SHUT_RD : how == 2 ? SHUT_WR : SHUT_RDWR;

	err = wasi_sock_get(wasi_ctx_of(ud), wasi_u32(c, 0),
	                    WASI_RIGHT_SOCK_SHUTDOWN, &e);
	if (err == WASI_ESUCCESS && (how < 1 || how > 3))
		err = WASI_EINVAL;
	if (err == WASI_ESUCCESS && shutdown(e->host_fd, h) != 0)
		err = wasi_errno_from_host(errno);
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}
