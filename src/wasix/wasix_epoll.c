/*
 * wasix_epoll.c: epoll_create, epoll_ctl, epoll_wait and fd_event
 * (eventfd), over a host epoll instance and a host eventfd.
 *
 * An epoll fd is a vfs entry (kind VFS_EVENT) whose host fd is a host
 * epoll instance and whose 'aux' is a 'wx_epoll': the guest's data for
 * each registered guest fd (the host event's data is the guest fd
 * number). So readiness, edge triggering, one-shot and the removal of a
 * closed file come from the kernel, and a forked child shares the
 * instance as on Linux. The interest list is guarded by a mutex held
 * only while it is read or written, never across a wait, and remade in
 * a forked child (wx_epoll_lock).
 *
 * Ops: wasix_32v1 numbers ADD 0, MOD 1, DEL 2, but wasix-libc passes its
 * Linux-style EPOLL_CTL_ADD 1, DEL 2, MOD 3 unchanged, so 0 adds
 * (EEXIST if present), 2 deletes, and 1 and 3 add or modify (Wasmer's
 * reading of 1). Layout: epoll_event 32 bytes (wasix_epev_layout: the
 * data's pointer is 4 or 8 bytes, by the caller's width); each read once
 * into host memory.
 *
 * fd_event(initial, flags): a host eventfd (SEMAPHORE 1; NONBLOCK 4, the
 * value of wasix-libc's O_NONBLOCK that its EFD_NONBLOCK is); fd_read and
 * fd_write move its 8-byte counter as on Linux.
 */
#include "wasix/wasix_impl.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"

#define WX_EV_SIZE     32   /* wasix_epev_layout's size at both widths */
#define WX_EPOLL_MAXEV 1024 /* events returned by one epoll_wait */

enum {
	WX_EPOLLIN = 1 << 0,
	WX_EPOLLOUT = 1 << 1,
	WX_EPOLLRDHUP = 1 << 2,
	WX_EPOLLPRI = 1 << 3,
	WX_EPOLLERR = 1 << 4,
	WX_EPOLLHUP = 1 << 5,
	WX_EPOLLET = 1 << 6,
	WX_EPOLLONESHOT = 1 << 7,
};

enum { WX_CTL_ADD = 0, WX_CTL_MOD = 1, WX_CTL_DEL = 2, WX_CTL_LINUX_MOD = 3 };

/* The guest's data for one registered fd. */
struct wx_epoll_item {
	bool used;
	uint32_t fd, data1;
	uint64_t ptr, data2;
};

struct wx_epoll {
	pthread_mutex_t lock;
	unsigned forks; /* wx_forks when 'lock' was made */
	uint32_t cap;   /* items[] has an entry for each guest fd < cap */
	struct wx_epoll_item *items;
};

/* The wasix <-> host event bits, in one table. */
static const struct {
	uint32_t wx;
	uint32_t host;
} wx_ev_bits[] = {
    {WX_EPOLLIN, EPOLLIN},       {WX_EPOLLOUT, EPOLLOUT},
    {WX_EPOLLRDHUP, EPOLLRDHUP}, {WX_EPOLLPRI, EPOLLPRI},
    {WX_EPOLLERR, EPOLLERR},     {WX_EPOLLHUP, EPOLLHUP},
    {WX_EPOLLET, EPOLLET},       {WX_EPOLLONESHOT, EPOLLONESHOT},
};

static uint32_t wx_ev_map(uint32_t v, bool to_host)
{
	uint32_t r = 0;

	for (size_t i = 0; i < WX_ARRAY_LEN(wx_ev_bits); i++)
		if (v & (to_host ? wx_ev_bits[i].wx : wx_ev_bits[i].host))
			r |= to_host ? wx_ev_bits[i].host : wx_ev_bits[i].wx;
	return r;
}

/*
 * Fork safety: a child may inherit an instance whose lock another thread
 * of the parent held. Every fork bumps 'wx_forks' in the child, and the
 * first locker in a process remakes a lock made before its fork (the
 * child has one thread then, so nobody else holds it).
 */
static unsigned wx_forks;
static pthread_once_t wx_atfork_once = PTHREAD_ONCE_INIT;

static void wx_on_fork_child(void)
{
	wx_forks++;
}

static void wx_atfork_register(void)
{
	pthread_atfork(NULL, NULL, wx_on_fork_child);
}

static void wx_epoll_lock(struct wx_epoll *ep)
{
	unsigned now = __atomic_load_n(&wx_forks, __ATOMIC_RELAXED);

	if (ep->forks != now) {
		pthread_mutex_init(&ep->lock, NULL);
		ep->forks = now;
	}
	pthread_mutex_lock(&ep->lock);
}

static void wx_epoll_free(void *p)
{
	struct wx_epoll *ep = p;

	pthread_mutex_destroy(&ep->lock);
	wx_free(ep->items);
	wx_free(ep);
}

/* The epoll state of entry 'e', or NULL if it is not an epoll fd. */
static struct wx_epoll *wx_epoll_of(const struct vfs_entry *e)
{
	return e->aux_free == wx_epoll_free ? e->aux : NULL;
}

/* epoll_create() -> (errno, fd) */
int wasix_epoll_create(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	uint8_t *p = wasi_mem(c, wasi_ptr(c, 0), 4);
	struct wx_epoll *ep;
	struct vfs_entry *e;
	uint32_t fd, err;
	int hfd, rc;

	if (p == NULL)
		return wasi_ret(c, WASI_EFAULT);
	ep = wx_calloc(1, sizeof *ep);
	if (ep == NULL)
		return wasi_ret(c, WASI_ENOMEM);
	pthread_once(&wx_atfork_once, wx_atfork_register);
	pthread_mutex_init(&ep->lock, NULL);
	ep->forks = __atomic_load_n(&wx_forks, __ATOMIC_RELAXED);
	hfd = epoll_create1(EPOLL_CLOEXEC);
	if (hfd < 0) {
		rc = errno;
		wx_epoll_free(ep);
		return wasi_ret(c, wasi_errno_from_host(rc));
	}
	e = vfs_entry_new(hfd, VFS_EVENT, false);
	if (e == NULL) {
		wx_epoll_free(ep);
		return wasi_ret(c, WASI_ENOMEM);
	}
	e->aux = ep;
	e->aux_free = wx_epoll_free;
	e->rights_base = WASI_RIGHT_POLL_FD_READWRITE |
	                 WASI_RIGHT_FD_FDSTAT_SET_FLAGS |
	                 WASI_RIGHT_FD_FILESTAT_GET;
	err = wasix_install(x, e, &fd);
	if (err == WASI_ESUCCESS)
		wasi_put_u32(p, fd);
	return wasi_ret(c, err);
}

/* Makes room for guest fd 'fd' in 'ep' (locked). ESUCCESS or ENOMEM. */
static uint32_t wx_epoll_room(struct wx_epoll *ep, uint32_t fd)
{
	struct wx_epoll_item *v;
	uint32_t cap = ep->cap ? ep->cap : 64;

	if (fd < ep->cap)
		return WASI_ESUCCESS;
	while (cap <= fd)
		cap *= 2;
	v = wx_realloc(ep->items, (size_t)cap * sizeof *v);
	if (v == NULL)
		return WASI_ENOMEM;
	memset(v + ep->cap, 0, (size_t)(cap - ep->cap) * sizeof *v);
	ep->items = v;
	ep->cap = cap;
	return WASI_ESUCCESS;
}

/* Applies 'op' for guest fd 'fd' (host fd 'hfd') to 'ep' and the host. */
static uint32_t wx_epoll_apply(const struct vm_call *c, struct vfs_entry *e,
                               struct wx_epoll *ep, uint32_t op, uint32_t fd,
                               int hfd, const uint8_t *ev)
{
	const struct wasix_epev_layout *L = wasix_epev_layout(wasi_is64(c));
	struct epoll_event hev;
	uint32_t err = WASI_ESUCCESS;
	int r;

	memset(&hev, 0, sizeof hev);
	hev.data.u64 = fd;
	if (ev != NULL)
		hev.events = wx_ev_map(wasi_get_u32(ev + L->events), true);
	wx_epoll_lock(ep);
	if (op == WX_CTL_DEL) {
		r = epoll_ctl(e->host_fd, EPOLL_CTL_DEL, hfd, NULL);
		if (r != 0)
			err = wasi_errno_from_host(errno);
		else if (fd < ep->cap)
			ep->items[fd].used = false;
		goto out;
	}
	err = wx_epoll_room(ep, fd);
	if (err != WASI_ESUCCESS)
		goto out;
	r = epoll_ctl(e->host_fd,
	              op == WX_CTL_ADD ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, hfd,
	              &hev);
	if (r != 0 && errno == ENOENT && op != WX_CTL_ADD)
		r = epoll_ctl(e->host_fd, EPOLL_CTL_ADD, hfd, &hev);
	if (r != 0) {
		err = wasi_errno_from_host(errno);
		goto out;
	}
	ep->items[fd].used = true;
	ep->items[fd].ptr = wasi_get_ptr(c, ev + L->ptr);
	ep->items[fd].fd = wasi_get_u32(ev + L->fd);
	ep->items[fd].data1 = wasi_get_u32(ev + L->data1);
	ep->items[fd].data2 = wasi_get_u64(ev + L->data2);
out:
	pthread_mutex_unlock(&ep->lock);
	return err;
}

/* epoll_ctl(epfd, op, fd, event: epoll_event* or 0 for DEL) -> errno */
int wasix_epoll_ctl(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	uint32_t epfd = wasi_u32(c, 0), op = wasi_u32(c, 1),
	         fd = wasi_u32(c, 2);
	uint64_t evp = wasi_ptr(c, 3);
	uint32_t err;
	struct vfs_entry *e = NULL, *t = NULL;
	const uint8_t *g = NULL;
	uint8_t ev[WX_EV_SIZE];
	struct wx_epoll *ep;

	err = wasi_fd_get(x->w, epfd, 0, &e);
	if (err != WASI_ESUCCESS)
		goto out;
	err = WASI_EINVAL;
	ep = wx_epoll_of(e);
	if (ep == NULL || fd == epfd || op > WX_CTL_LINUX_MOD)
		goto out;
	err = wasi_fd_get(x->w, fd, 0, &t);
	if (err != WASI_ESUCCESS)
		goto out;
	if (op != WX_CTL_DEL) {
		g = wasi_mem(c, evp, WX_EV_SIZE);
		err = WASI_EFAULT;
		if (g == NULL)
			goto out;
		memcpy(ev, g, sizeof ev); /* once: shared memory may change */
	}
	err = wx_epoll_apply(c, e, ep, op, fd, t->host_fd,
	                     op == WX_CTL_DEL ? NULL : ev);
out:
	vfs_entry_unref(t);
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

static int64_t wx_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Waits on host epoll 'hfd' until an event, the deadline ('end' ns on
 * CLOCK_MONOTONIC; -1 forever) or a pending signal (EINTR). Returns an
 * errno; '*n' the host events in 'hev'.
 */
static uint32_t wx_epoll_block(struct wasix_ctx *x, int hfd,
                               struct epoll_event *hev, int max, int64_t end,
                               int *n)
{
	int64_t left;
	int ms, r;

	for (;;) {
		if (wasi_interrupted(x->w))
			return WASI_EINTR;
		if (end < 0) {
			ms = -1;
		} else {
			left = end - wx_now_ns();
			ms = left <= 0
			         ? 0
			         : (int)((left + 999999) / 1000000 > INT32_MAX
			                     ? INT32_MAX
			                     : (left + 999999) / 1000000);
		}
		if (x->w->interrupt != NULL && (ms < 0 || ms > WASI_SLICE_MS))
			ms = WASI_SLICE_MS;
		r = epoll_wait(hfd, hev, max, ms);
		if (r > 0 || (r == 0 && end >= 0 && wx_now_ns() >= end)) {
			*n = r;
			return WASI_ESUCCESS;
		}
		if (r < 0 && errno != EINTR)
			return wasi_errno_from_host(errno);
	}
}

/* Writes host event 'h' as the guest's event at 'p' ('ep' locked). */
static void wx_epoll_put(const struct vm_call *c, uint8_t *p,
                         const struct epoll_event *h, const struct wx_epoll *ep)
{
	const struct wasix_epev_layout *L = wasix_epev_layout(wasi_is64(c));
	uint32_t fd = (uint32_t)h->data.u64;
	uint8_t b[WX_EV_SIZE];

	memset(b, 0, sizeof b);
	wasi_put_u32(b + L->events, wx_ev_map(h->events, false));
	if (fd < ep->cap && ep->items[fd].used) {
		wasi_put_ptr(c, b + L->ptr, ep->items[fd].ptr);
		wasi_put_u32(b + L->fd, ep->items[fd].fd);
		wasi_put_u32(b + L->data1, ep->items[fd].data1);
		wasi_put_u64(b + L->data2, ep->items[fd].data2);
	} else {
		wasi_put_u32(b + L->fd, fd);
	}
	memcpy(p, b, sizeof b);
}

/* epoll_wait(epfd, events, maxevents, timeout ns (u64 max: forever))
 *   -> (errno, nevents) */
int wasix_epoll_wait(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	uint32_t max = wasi_size32(c, 2), err;
	uint64_t timeout = c->args[3];
	struct epoll_event hev[64], *hv = hev;
	struct vfs_entry *e = NULL;
	struct wx_epoll *ep;
	uint8_t *out, *pn;
	int64_t end;
	int n = 0;

	err = wasi_fd_get(x->w, wasi_u32(c, 0), 0, &e);
	if (err != WASI_ESUCCESS)
		goto out;
	err = WASI_EINVAL;
	ep = wx_epoll_of(e);
	if (ep == NULL || max == 0)
		goto out;
	if (max > WX_EPOLL_MAXEV)
		max = WX_EPOLL_MAXEV;
	err = WASI_EFAULT;
	out = wasi_mem(c, wasi_ptr(c, 1), (uint64_t)max * WX_EV_SIZE);
	pn = wasi_mem(c, wasi_ptr(c, 4), wasi_psize(c));
	if (out == NULL || pn == NULL)
		goto out;
	err = WASI_ENOMEM;
	if (max > WX_ARRAY_LEN(hev))
		hv = wx_alloc_array(max, sizeof *hv);
	if (hv == NULL)
		goto out;
	end = timeout == UINT64_MAX || timeout > (uint64_t)INT64_MAX / 2
	          ? -1
	          : wx_now_ns() + (int64_t)timeout;
	err = wx_epoll_block(x, e->host_fd, hv, (int)max, end, &n);
	if (err == WASI_ESUCCESS) {
		wx_epoll_lock(ep);
		for (int i = 0; i < n; i++)
			wx_epoll_put(c, out + (size_t)i * WX_EV_SIZE, &hv[i],
			             ep);
		pthread_mutex_unlock(&ep->lock);
		wasi_put_ptr(c, pn, (uint64_t)n);
	}
	if (hv != hev)
		wx_free(hv);
out:
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/* fd_event(initial: u64, flags: SEMAPHORE 1 | NONBLOCK 4) -> (errno, fd) */
int wasix_fd_event(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	uint64_t init = c->args[0];
	uint32_t flags = wasi_u32(c, 1), fd, err;
	uint8_t *p = wasi_mem(c, wasi_ptr(c, 2), 4);
	struct vfs_entry *e;
	int hfd;

	if (p == NULL)
		return wasi_ret(c, WASI_EFAULT);
	if ((flags & ~5u) != 0 || init > UINT32_MAX)
		return wasi_ret(c, WASI_EINVAL);
	hfd = eventfd((unsigned)init, EFD_CLOEXEC |
	                                  (flags & 1 ? EFD_SEMAPHORE : 0) |
	                                  (flags & 4 ? EFD_NONBLOCK : 0));
	if (hfd < 0)
		return wasi_ret(c, wasi_errno_from_host(errno));
	e = vfs_entry_new(hfd, VFS_EVENT, false);
	if (e == NULL)
		return wasi_ret(c, WASI_ENOMEM);
	e->rights_base = WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE |
	                 WASI_RIGHT_POLL_FD_READWRITE |
	                 WASI_RIGHT_FD_FDSTAT_SET_FLAGS |
	                 WASI_RIGHT_FD_FILESTAT_GET;
	err = wasix_install(x, e, &fd);
	if (err == WASI_ESUCCESS)
		wasi_put_u32(p, fd);
	return wasi_ret(c, err);
}
