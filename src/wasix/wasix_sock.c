/*
 * wasix_sock.c: the WASIX socket calls over host sockets: sock_open,
 * sock_pair, sock_bind, sock_listen, sock_accept_v2, sock_connect,
 * sock_recv_from, sock_send_to, sock_status, sock_addr_local/peer, the
 * sock_set/get_opt_* options, multicast membership and sock_send_file.
 * (sock_recv, sock_send, sock_shutdown and sock_accept are preview1's, in
 * src/wasi.)
 *
 * Keeps true: every socket is a host socket behind a vfs entry (the
 * guest sees only its slot number), host fds are close-on-exec (the
 * guest's close-on-exec lives in the slot), and the network policy
 * (wasix_net.c) is asked before a socket is made and before every bind,
 * listen on an unbound socket, connect and send_to. sock_pair, the
 * options and everything on an existing socket need no permission.
 *
 * Blocking: a socket is blocking unless the host fd is O_NONBLOCK (the
 * guest's NONBLOCK fdflag sets it). A blocking receive or accept first
 * waits in wasi_wait_fd, which a pending signal ends with EINTR (and
 * honours SO_RCVTIMEO with EAGAIN); sends and connects block in the host
 * call, which a signal interrupts (host handlers have no SA_RESTART).
 * The import thunk restarts an EINTR call when every signal delivered
 * asked for SA_RESTART.
 */
#include "wasix/wasix_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

enum { WX_SOCK_STREAM = 1, WX_SOCK_DGRAM = 2 };
enum { WX_PROTO_IP = 0, WX_PROTO_TCP = 6, WX_PROTO_UDP = 17 };
#define WX_SOCK_NONBLOCK 0x4000 /* wasix-libc's SOCK_NONBLOCK */
#define WX_SOCK_CLOEXEC  0x2000 /* wasix-libc's SOCK_CLOEXEC */

/* sock_option values (api_wasix.h __WASI_SOCK_OPTION_*). */
enum {
	WX_OPT_NOOP = 0,
	WX_OPT_REUSE_PORT = 1,
	WX_OPT_REUSE_ADDR = 2,
	WX_OPT_NO_DELAY = 3,
	WX_OPT_DONT_ROUTE = 4,
	WX_OPT_ONLY_V6 = 5,
	WX_OPT_BROADCAST = 6,
	WX_OPT_MULTICAST_LOOP_V4 = 7,
	WX_OPT_MULTICAST_LOOP_V6 = 8,
	WX_OPT_PROMISCUOUS = 9,
	WX_OPT_LISTENING = 10,
	WX_OPT_LAST_ERROR = 11,
	WX_OPT_KEEP_ALIVE = 12,
	WX_OPT_LINGER = 13,
	WX_OPT_OOB_INLINE = 14,
	WX_OPT_RECV_BUF_SIZE = 15,
	WX_OPT_SEND_BUF_SIZE = 16,
	WX_OPT_RECV_LOWAT = 17,
	WX_OPT_SEND_LOWAT = 18,
	WX_OPT_RECV_TIMEOUT = 19,
	WX_OPT_SEND_TIMEOUT = 20,
	WX_OPT_CONNECT_TIMEOUT = 21,
	WX_OPT_ACCEPT_TIMEOUT = 22,
	WX_OPT_TTL = 23,
	WX_OPT_MULTICAST_TTL_V4 = 24,
	WX_OPT_TYPE = 25,
	WX_OPT_PROTO = 26,
};

#define WX_SENDFILE_CHUNK 65536

/* ---- shared helpers ----------------------------------------------------- */

/* Installs host socket 'hfd' (taken over, closed on failure) at the
 * lowest free guest fd, '*fd'; close-on-exec in the slot if asked. */
static uint32_t wx_sock_install(struct wasix_ctx *x, int hfd, uint8_t kind,
                                bool cloexec, uint32_t *fd)
{
	struct vfs_entry *e = vfs_entry_new(hfd, kind, false);
	uint32_t err;

	if (e == NULL)
		return WASI_ENOMEM;
	e->rights_base = WASI_RIGHTS_STREAM;
	err = wasix_install(x, e, fd);
	if (err != WASI_ESUCCESS)
		return err;
	if (cloexec)
		vfs_set_cloexec(&x->w->fds, *fd, true);
	return WASI_ESUCCESS;
}

/* The host socket type for wasix 'type' (flags removed), or -1. */
static int wx_sock_type(uint32_t type, uint32_t proto)
{
	if (type == WX_SOCK_STREAM &&
	    (proto == WX_PROTO_IP || proto == WX_PROTO_TCP))
		return SOCK_STREAM;
	if (type == WX_SOCK_DGRAM &&
	    (proto == WX_PROTO_IP || proto == WX_PROTO_UDP))
		return SOCK_DGRAM;
	return -1;
}

/* Whether operations on 'e' block (the host fd is not O_NONBLOCK). */
static bool wx_blocking(const struct vfs_entry *e)
{
	int fl = fcntl(e->host_fd, F_GETFL);

	return fl >= 0 && !(fl & O_NONBLOCK);
}

/* ---- making sockets ----------------------------------------------------- */

/* sock_open(af, type (| SOCK_NONBLOCK | SOCK_CLOEXEC), proto) -> (errno, fd) */
int wasix_sock_open(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	uint32_t af = wasi_u32(c, 0), type = wasi_u32(c, 1), fd, err;
	uint32_t flags = type & (WX_SOCK_NONBLOCK | WX_SOCK_CLOEXEC);
	int hfam, htype, hfd;
	uint8_t *p = wasi_mem(c, wasi_ptr(c, 3), 4);

	if (p == NULL)
		return wasi_ret(c, WASI_EFAULT);
	if (af == 1)
		hfam = AF_INET;
	else if (af == 2)
		hfam = AF_INET6;
	else
		return wasi_ret(c, WASI_EAFNOSUPPORT);
	htype = wx_sock_type(type & ~flags, wasi_u32(c, 2));
	if (htype < 0)
		return wasi_ret(c, (type & ~flags) == WX_SOCK_STREAM ||
		                           (type & ~flags) == WX_SOCK_DGRAM
		                       ? WASI_EPROTONOSUPPORT
		                       : WASI_ENOTSUP);
	if (!wasix_net_any(x))
		return wasi_ret(c, WASI_EACCES);
	hfd = socket(hfam,
	             htype | SOCK_CLOEXEC |
	                 (flags & WX_SOCK_NONBLOCK ? SOCK_NONBLOCK : 0),
	             0);
	if (hfd < 0)
		return wasi_ret(c, wasi_errno_from_host(errno));
	err = wx_sock_install(
	    x, hfd, htype == SOCK_STREAM ? VFS_SOCKET_STREAM : VFS_SOCKET_DGRAM,
	    flags & WX_SOCK_CLOEXEC, &fd);
	if (err == WASI_ESUCCESS)
		wasi_put_u32(p, fd);
	return wasi_ret(c, err);
}

/* sock_pair(af, type, proto) -> (errno, fd1, fd2): a connected pair of
 * host AF_UNIX sockets, whatever 'af' says; needs no permission. */
int wasix_sock_pair(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	uint32_t type = wasi_u32(c, 1), fd1, fd2, err;
	uint32_t flags = type & (WX_SOCK_NONBLOCK | WX_SOCK_CLOEXEC);
	uint32_t proto = wasi_u32(c, 2);
	uint8_t *p1 = wasi_mem(c, wasi_ptr(c, 3), 4);
	uint8_t *p2 = wasi_mem(c, wasi_ptr(c, 4), 4);
	int htype, sv[2];

	if (p1 == NULL || p2 == NULL)
		return wasi_ret(c, WASI_EFAULT);
	htype = wx_sock_type(type & ~flags, proto);
	if (htype < 0)
		return wasi_ret(c, WASI_EPROTONOSUPPORT);
	if (socketpair(AF_UNIX,
	               htype | SOCK_CLOEXEC |
	                   (flags & WX_SOCK_NONBLOCK ? SOCK_NONBLOCK : 0),
	               0, sv) != 0)
		return wasi_ret(c, wasi_errno_from_host(errno));
	uint8_t kind =
	    htype == SOCK_STREAM ? VFS_SOCKET_STREAM : VFS_SOCKET_DGRAM;
	err = wx_sock_install(x, sv[0], kind, flags & WX_SOCK_CLOEXEC, &fd1);
	if (err != WASI_ESUCCESS) {
		close(sv[1]);
		return wasi_ret(c, err);
	}
	err = wx_sock_install(x, sv[1], kind, flags & WX_SOCK_CLOEXEC, &fd2);
	if (err != WASI_ESUCCESS) {
		vfs_close(&x->w->fds, fd1);
		return wasi_ret(c, err);
	}
	wasi_put_u32(p1, fd1);
	wasi_put_u32(p2, fd2);
	return wasi_ret(c, WASI_ESUCCESS);
}

/* ---- addresses: bind, listen, connect, accept --------------------------- */

/* sock_bind(fd, addr: addr_port) -> errno */
int wasix_sock_bind(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	struct sockaddr_storage ss;
	struct vfs_entry *e;
	uint32_t len, err;

	err = wasi_sock_get(x->w, wasi_u32(c, 0), 0, &e);
	if (err == WASI_ESUCCESS)
		err = wasix_addr_get(c, wasi_ptr(c, 1), &ss, &len);
	if (err == WASI_ESUCCESS)
		err = wasix_net_check(x, WASIX_NET_BIND, (void *)&ss);
	if (err == WASI_ESUCCESS &&
	    bind(e->host_fd, (void *)&ss, (socklen_t)len) != 0)
		err = wasi_errno_from_host(errno);
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/* Whether IP address 'ss' has port 0 (a socket nobody bound: sock_bind
 * already checked any other). */
static bool wx_unbound(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)(const void *)ss)
		           ->sin_port == 0;
	if (ss->ss_family == AF_INET6)
		return ((const struct sockaddr_in6 *)(const void *)ss)
		           ->sin6_port == 0;
	return false;
}

/*
 * sock_listen(fd, backlog) -> errno. An unbound socket gets a port from
 * the host, so the policy must allow binding the wildcard address, port 0.
 */
int wasix_sock_listen(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	uint32_t backlog = wasi_size32(c, 1), err;
	struct vfs_entry *e;

	err = wasi_sock_get(x->w, wasi_u32(c, 0), 0, &e);
	if (err == WASI_ESUCCESS && e->kind != VFS_SOCKET_STREAM)
		err = WASI_ENOTSUP;
	if (err == WASI_ESUCCESS &&
	    getsockname(e->host_fd, (void *)&ss, &len) != 0)
		err = wasi_errno_from_host(errno);
	if (err == WASI_ESUCCESS && wx_unbound(&ss))
		err = wasix_net_check(x, WASIX_NET_BIND, (void *)&ss);
	if (err == WASI_ESUCCESS &&
	    listen(e->host_fd, backlog > 4096 ? 4096 : (int)backlog) != 0)
		err = wasi_errno_from_host(errno);
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/* sock_connect(fd, addr: addr_port) -> errno */
int wasix_sock_connect(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	struct sockaddr_storage ss;
	struct vfs_entry *e;
	uint32_t len, err;
	socklen_t elen;
	int r, soerr;

	err = wasi_sock_get(x->w, wasi_u32(c, 0), 0, &e);
	if (err == WASI_ESUCCESS)
		err = wasix_addr_get(c, wasi_ptr(c, 1), &ss, &len);
	if (err == WASI_ESUCCESS)
		err = wasix_net_check(x, WASIX_NET_CONNECT, (void *)&ss);
	if (err != WASI_ESUCCESS)
		goto out;
	r = connect(e->host_fd, (void *)&ss, (socklen_t)len);
	if (r == 0)
		goto out;
	err = wasi_errno_from_host(errno);
	if (errno != EINTR || wasi_interrupted(x->w))
		goto out;
	/* interrupted by a signal for nobody: the connection goes on */
	err = wasi_wait_fd(x->w, e->host_fd, POLLOUT);
	if (err != WASI_ESUCCESS)
		goto out;
	soerr = 0;
	elen = sizeof soerr;
	getsockopt(e->host_fd, SOL_SOCKET, SO_ERROR, &soerr, &elen);
	err = wasi_errno_from_host(soerr);
out:
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/* sock_accept_v2(fd, flags: fdflags NONBLOCK) -> (errno, fd, addr_port) */
int wasix_sock_accept_v2(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	uint32_t flags = wasi_u32(c, 1), fd, err;
	struct sockaddr_storage ss;
	socklen_t len;
	struct vfs_entry *e;
	uint8_t *pfd;
	int hfd;

	err = wasi_sock_get(x->w, wasi_u32(c, 0), WASI_RIGHT_SOCK_ACCEPT, &e);
	if (err != WASI_ESUCCESS)
		goto out;
	err = WASI_EINVAL;
	if (flags & ~(uint32_t)WASI_FDFLAG_NONBLOCK)
		goto out;
	err = WASI_EFAULT;
	pfd = wasi_mem(c, wasi_ptr(c, 2), 4);
	if (pfd == NULL || wasi_mem(c, wasi_ptr(c, 3), 28) == NULL)
		goto out;
	err = wx_blocking(e) ? wasi_wait_in(x->w, e) : WASI_ESUCCESS;
	if (err != WASI_ESUCCESS)
		goto out;
	do {
		len = sizeof ss;
		hfd = accept4(
		    e->host_fd, (void *)&ss, &len,
		    SOCK_CLOEXEC |
		        (flags & WASI_FDFLAG_NONBLOCK ? SOCK_NONBLOCK : 0));
	} while (hfd < 0 && errno == EINTR && !wasi_interrupted(x->w));
	if (hfd < 0) {
		err = wasi_errno_from_host(errno);
		goto out;
	}
	err = wx_sock_install(x, hfd, VFS_SOCKET_STREAM, false, &fd);
	if (err != WASI_ESUCCESS)
		goto out;
	wasi_put_u32(pfd, fd);
	err = wasix_addr_put(c, wasi_ptr(c, 3), (void *)&ss, len);
out:
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/* sock_addr_local / sock_addr_peer (fd) -> (errno, addr_port) */
static int wx_sock_name(struct vm_call *c, void *ud, bool peer)
{
	struct wasix_ctx *x = ud;
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	struct vfs_entry *e;
	uint32_t err;
	int r;

	err = wasi_sock_get(x->w, wasi_u32(c, 0), 0, &e);
	if (err == WASI_ESUCCESS) {
		memset(&ss, 0, sizeof ss);
		r = peer ? getpeername(e->host_fd, (void *)&ss, &len)
		         : getsockname(e->host_fd, (void *)&ss, &len);
		err = r == 0
		          ? wasix_addr_put(c, wasi_ptr(c, 1), (void *)&ss, len)
		          : wasi_errno_from_host(errno);
	}
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

int wasix_sock_addr_local(struct vm_call *c, void *ud)
{
	return wx_sock_name(c, ud, false);
}

int wasix_sock_addr_peer(struct vm_call *c, void *ud)
{
	return wx_sock_name(c, ud, true);
}

/* sock_status(fd) -> (errno, status: OPENED 1 | FAILED 3) */
int wasix_sock_status(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	struct vfs_entry *e;
	uint8_t *p = wasi_mem(c, wasi_ptr(c, 1), 1);
	uint32_t err = wasi_sock_get(x->w, wasi_u32(c, 0), 0, &e);

	if (err == WASI_ESUCCESS && p == NULL)
		err = WASI_EFAULT;
	if (err == WASI_ESUCCESS)
		*p = 1;
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/* ---- moving data with addresses ----------------------------------------- */

/*
 * sock_recv_from(fd, iovs, iovs_len, ri_flags: PEEK 1 | WAITALL 2 |
 * DATA_TRUNCATED 4 | DONT_WAIT 8) -> (errno, len, ro_flags, addr_port)
 */
int wasix_sock_recv_from(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	uint32_t n = wasi_size32(c, 2), fl = wasi_u32(c, 3), err, i = 0;
	struct iovec v[WASI_IOV_CHUNK];
	struct sockaddr_storage ss;
	const uint8_t *arr;
	uint8_t *plen, *pfl;
	struct vfs_entry *e;
	struct msghdr m;
	size_t want;
	ssize_t r;

	err = wasi_sock_get(x->w, wasi_u32(c, 0), WASI_RIGHT_FD_READ, &e);
	if (err != WASI_ESUCCESS)
		goto out;
	err = WASI_EINVAL;
	if (fl & ~15u)
		goto out;
	err = WASI_EFAULT;
	arr = wasi_iovs_check(c, wasi_ptr(c, 1), n);
	plen = wasi_mem(c, wasi_ptr(c, 4), wasi_psize(c));
	pfl = wasi_mem(c, wasi_ptr(c, 5), 2);
	if (arr == NULL || plen == NULL || pfl == NULL ||
	    wasi_mem(c, wasi_ptr(c, 6), 28) == NULL)
		goto out;
	memset(&m, 0, sizeof m);
	memset(&ss, 0, sizeof ss);
	m.msg_name = &ss;
	m.msg_namelen = sizeof ss;
	m.msg_iov = v;
	m.msg_iovlen =
	    (size_t)wasi_iov_fill(c, arr, n, &i, WASI_IO_MAX, v, &want);
	err = wasi_recvmsg(
	    x->w, e, &m,
	    (fl & 1 ? MSG_PEEK : 0) | (fl & 2 ? MSG_WAITALL : 0) |
	        (fl & 4 ? MSG_TRUNC : 0) | (fl & 8 ? MSG_DONTWAIT : 0),
	    &r);
	if (err != WASI_ESUCCESS)
		goto out;
	wasi_put_ptr(c, plen, (uint64_t)r);
	wasi_put_u16(pfl, (m.msg_flags & MSG_TRUNC) ? 1 : 0);
	if (m.msg_namelen == 0) /* a connected stream: the peer */
		getpeername(e->host_fd, (void *)&ss, &(socklen_t){sizeof ss});
	err = wasix_addr_put(c, wasi_ptr(c, 6), (void *)&ss,
	                     m.msg_namelen ? m.msg_namelen : sizeof ss);
out:
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/* sock_send_to(fd, iovs, iovs_len, si_flags: DONT_WAIT 1, addr_port)
 *   -> (errno, len) */
int wasix_sock_send_to(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	uint32_t n = wasi_size32(c, 2), fl = wasi_u32(c, 3), err, len, i = 0;
	struct iovec v[WASI_IOV_CHUNK];
	struct sockaddr_storage ss;
	const uint8_t *arr;
	struct vfs_entry *e;
	struct msghdr m;
	uint8_t *pn;
	size_t want;
	ssize_t r;

	err = wasi_sock_get(x->w, wasi_u32(c, 0), WASI_RIGHT_FD_WRITE, &e);
	if (err != WASI_ESUCCESS)
		goto out;
	err = WASI_EINVAL;
	if (fl & ~1u)
		goto out;
	err = WASI_EFAULT;
	arr = wasi_iovs_check(c, wasi_ptr(c, 1), n);
	pn = wasi_mem(c, wasi_ptr(c, 5), wasi_psize(c));
	if (arr == NULL || pn == NULL)
		goto out;
	err = wasix_addr_get(c, wasi_ptr(c, 4), &ss, &len);
	if (err == WASI_ESUCCESS)
		err = wasix_net_check(x, WASIX_NET_CONNECT, (void *)&ss);
	if (err != WASI_ESUCCESS)
		goto out;
	memset(&m, 0, sizeof m);
	m.msg_name = &ss;
	m.msg_namelen = len;
	m.msg_iov = v;
	m.msg_iovlen =
	    (size_t)wasi_iov_fill(c, arr, n, &i, WASI_IO_MAX, v, &want);
	do
		r = sendmsg(e->host_fd, &m,
		            MSG_NOSIGNAL | (fl & 1 ? MSG_DONTWAIT : 0));
	while (r < 0 && errno == EINTR && !wasi_interrupted(x->w));
	if (r < 0)
		err = wasi_errno_from_host(errno);
	else
		wasi_put_ptr(c, pn, (uint64_t)r);
out:
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/*
 * sock_send_file(out_fd, in_fd, offset, count) -> (errno, sent): sends up
 * to 'count' bytes of 'in_fd' from 'offset' and leaves in_fd's offset
 * after them (as Wasmer does; wasix-libc passes the current offset when
 * the caller gave none). A file goes through the host's sendfile, anything
 * else through a bounded buffer.
 */
int wasix_sock_send_file(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	uint64_t off = c->args[2], count = c->args[3], sent = 0;
	struct vfs_entry *out = NULL, *in = NULL;
	char buf[WX_SENDFILE_CHUNK];
	uint8_t *pn = wasi_mem(c, wasi_ptr(c, 4), 8);
	uint32_t err;
	ssize_t r, w;
	off_t pos;

	err = wasi_sock_get(x->w, wasi_u32(c, 0), WASI_RIGHT_FD_WRITE, &out);
	if (err == WASI_ESUCCESS)
		err =
		    wasi_fd_get(x->w, wasi_u32(c, 1), WASI_RIGHT_FD_READ, &in);
	if (err == WASI_ESUCCESS && pn == NULL)
		err = WASI_EFAULT;
	if (err == WASI_ESUCCESS && off > (uint64_t)INT64_MAX)
		err = WASI_EINVAL;
	if (err != WASI_ESUCCESS)
		goto done;
	while (sent < count) {
		size_t want = count - sent > WASI_IO_MAX
		                  ? WASI_IO_MAX
		                  : (size_t)(count - sent);

		if (in->kind == VFS_FILE) {
			pos = (off_t)(off + sent);
			r = sendfile(out->host_fd, in->host_fd, &pos, want);
		} else {
			r = read(in->host_fd, buf,
			         want < sizeof buf ? want : sizeof buf);
			w = r > 0 ? send(out->host_fd, buf, (size_t)r,
			                 MSG_NOSIGNAL)
			          : r;
			if (w >= 0 && w < r) /* the rest is lost: a stream */
				r = w;
			else if (w < 0)
				r = -1;
		}
		if (r < 0 && errno == EINTR && !wasi_interrupted(x->w))
			continue;
		if (r < 0 && sent == 0)
			err = wasi_errno_from_host(errno);
		if (r <= 0)
			break;
		sent += (uint64_t)r;
	}
	if (in->kind == VFS_FILE && err == WASI_ESUCCESS)
		lseek(in->host_fd, (off_t)(off + sent), SEEK_SET);
	if (err == WASI_ESUCCESS)
		wasi_put_u64(pn, sent);
done:
	vfs_entry_unref(out);
	vfs_entry_unref(in);
	return wasi_ret(c, err);
}

/* ---- options ------------------------------------------------------------ */

/* The host (level, name) of boolean or size option 'opt' for 'hfd'. */
static bool wx_opt_host(uint32_t opt, int hfd, int *level, int *name)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	bool v6 = getsockname(hfd, (void *)&ss, &len) == 0 &&
	          ss.ss_family == AF_INET6;

	*level = SOL_SOCKET;
	switch (opt) {
	case WX_OPT_REUSE_PORT:
		*name = SO_REUSEPORT;
		return true;
	case WX_OPT_REUSE_ADDR:
		*name = SO_REUSEADDR;
		return true;
	case WX_OPT_DONT_ROUTE:
		*name = SO_DONTROUTE;
		return true;
	case WX_OPT_BROADCAST:
		*name = SO_BROADCAST;
		return true;
	case WX_OPT_LISTENING:
		*name = SO_ACCEPTCONN;
		return true;
	case WX_OPT_KEEP_ALIVE:
		*name = SO_KEEPALIVE;
		return true;
	case WX_OPT_OOB_INLINE:
		*name = SO_OOBINLINE;
		return true;
	case WX_OPT_RECV_BUF_SIZE:
		*name = SO_RCVBUF;
		return true;
	case WX_OPT_SEND_BUF_SIZE:
		*name = SO_SNDBUF;
		return true;
	case WX_OPT_RECV_LOWAT:
		*name = SO_RCVLOWAT;
		return true;
	case WX_OPT_SEND_LOWAT:
		*name = SO_SNDLOWAT;
		return true;
	case WX_OPT_TYPE:
		*name = SO_TYPE;
		return true;
	case WX_OPT_PROTO:
		*name = SO_PROTOCOL;
		return true;
	case WX_OPT_LAST_ERROR:
		*name = SO_ERROR;
		return true;
	case WX_OPT_NO_DELAY:
		*level = IPPROTO_TCP;
		*name = TCP_NODELAY;
		return true;
	case WX_OPT_ONLY_V6:
		*level = IPPROTO_IPV6;
		*name = IPV6_V6ONLY;
		return true;
	case WX_OPT_MULTICAST_LOOP_V4:
		*level = IPPROTO_IP;
		*name = IP_MULTICAST_LOOP;
		return true;
	case WX_OPT_MULTICAST_LOOP_V6:
		*level = IPPROTO_IPV6;
		*name = IPV6_MULTICAST_LOOP;
		return true;
	case WX_OPT_TTL:
		*level = v6 ? IPPROTO_IPV6 : IPPROTO_IP;
		*name = v6 ? IPV6_UNICAST_HOPS : IP_TTL;
		return true;
	case WX_OPT_MULTICAST_TTL_V4:
		*level = IPPROTO_IP;
		*name = IP_MULTICAST_TTL;
		return true;
	default:
		return false;
	}
}

/* Reads option 'opt' of 'e' as an int. ESUCCESS, ENOPROTOOPT or errno. */
static uint32_t wx_opt_get(const struct vfs_entry *e, uint32_t opt, int *v)
{
	socklen_t len = sizeof *v;
	int level, name;
	uint8_t mc = 0;

	*v = 0;
	if (opt == WX_OPT_NOOP || opt == WX_OPT_PROMISCUOUS)
		return WASI_ESUCCESS;
	if (!wx_opt_host(opt, e->host_fd, &level, &name))
		return WASI_ENOPROTOOPT;
	if (opt == WX_OPT_MULTICAST_LOOP_V4 || opt == WX_OPT_MULTICAST_TTL_V4) {
		len = sizeof mc; /* Linux takes a byte or an int here */
		if (getsockopt(e->host_fd, level, name, &mc, &len) != 0)
			return wasi_errno_from_host(errno);
		*v = mc;
		return WASI_ESUCCESS;
	}
	if (getsockopt(e->host_fd, level, name, v, &len) != 0)
		return wasi_errno_from_host(errno);
	if (opt == WX_OPT_TYPE)
		*v = *v == SOCK_DGRAM ? WX_SOCK_DGRAM : WX_SOCK_STREAM;
	else if (opt == WX_OPT_LAST_ERROR)
		*v = (int)wasi_errno_from_host(*v);
	return WASI_ESUCCESS;
}

/* Sets option 'opt' of 'e' to int 'v'. */
static uint32_t wx_opt_set(const struct vfs_entry *e, uint32_t opt, int v)
{
	int level, name;

	if (opt == WX_OPT_NOOP)
		return WASI_ESUCCESS;
	if (opt == WX_OPT_LISTENING || opt == WX_OPT_TYPE ||
	    opt == WX_OPT_PROTO || opt == WX_OPT_LAST_ERROR)
		return WASI_EINVAL; /* read-only */
	if (opt == WX_OPT_PROMISCUOUS)
		return v ? WASI_ENOTSUP : WASI_ESUCCESS;
	if (!wx_opt_host(opt, e->host_fd, &level, &name))
		return WASI_ENOPROTOOPT;
	if (setsockopt(e->host_fd, level, name, &v, sizeof v) != 0)
		return wasi_errno_from_host(errno);
	return WASI_ESUCCESS;
}

/* sock_set_opt_flag(fd, opt, flag: bool) -> errno */
int wasix_sock_set_opt_flag(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	struct vfs_entry *e;
	uint32_t err = wasi_sock_get(x->w, wasi_u32(c, 0), 0, &e);

	if (err == WASI_ESUCCESS)
		err = wasi_u32(c, 2) > 1
		          ? WASI_EINVAL
		          : wx_opt_set(e, wasi_u32(c, 1), (int)wasi_u32(c, 2));
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/*
 * sock_get_opt_flag and _size: option arg 1 of socket arg 0 into the
 * guest at arg 2, as a bool byte (size 1) or a u64 (size 8).
 */
static int wx_opt_get_out(struct vm_call *c, struct wasix_ctx *x, unsigned size)
{
	struct vfs_entry *e;
	uint8_t *p = wasi_mem(c, wasi_ptr(c, 2), size);
	uint32_t err = wasi_sock_get(x->w, wasi_u32(c, 0), 0, &e);
	int v;

	if (err == WASI_ESUCCESS && p == NULL)
		err = WASI_EFAULT;
	if (err == WASI_ESUCCESS)
		err = wx_opt_get(e, wasi_u32(c, 1), &v);
	if (err == WASI_ESUCCESS && size == 1)
		*p = v != 0;
	else if (err == WASI_ESUCCESS)
		wasi_put_u64(p, (uint64_t)(uint32_t)v);
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/* sock_get_opt_flag(fd, opt) -> (errno, bool) */
int wasix_sock_get_opt_flag(struct vm_call *c, void *ud)
{
	return wx_opt_get_out(c, ud, 1);
}

/* sock_set_opt_size(fd, opt, size: u64) -> errno */
int wasix_sock_set_opt_size(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	struct vfs_entry *e;
	uint32_t err = wasi_sock_get(x->w, wasi_u32(c, 0), 0, &e);

	if (err == WASI_ESUCCESS)
		err = c->args[2] > INT32_MAX
		          ? WASI_EINVAL
		          : wx_opt_set(e, wasi_u32(c, 1), (int)c->args[2]);
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/* sock_get_opt_size(fd, opt) -> (errno, u64); LAST_ERROR: the pending
 * error as a WASI errno (and clears it, as SO_ERROR does) */
int wasix_sock_get_opt_size(struct vm_call *c, void *ud)
{
	return wx_opt_get_out(c, ud, 8);
}

/* The host option of time option 'opt' (SO_RCVTIMEO, SO_SNDTIMEO,
 * SO_LINGER); false: none (connect and accept timeouts are not kept). */
static bool wx_opt_time_host(uint32_t opt, int *name)
{
	*name = opt == WX_OPT_RECV_TIMEOUT   ? SO_RCVTIMEO
	        : opt == WX_OPT_SEND_TIMEOUT ? SO_SNDTIMEO
	        : opt == WX_OPT_LINGER       ? SO_LINGER
	                                     : -1;
	return *name >= 0;
}

/* sock_set_opt_time(fd, opt, option_timestamp: tag u8 @0, ns u64 @8) */
int wasix_sock_set_opt_time(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	const uint8_t *g = wasi_mem(c, wasi_ptr(c, 2), 16);
	struct vfs_entry *e;
	uint32_t err = wasi_sock_get(x->w, wasi_u32(c, 0), 0, &e);
	uint8_t b[16];
	uint64_t ns;
	int name, r;

	if (err == WASI_ESUCCESS && g == NULL)
		err = WASI_EFAULT;
	if (err == WASI_ESUCCESS && !wx_opt_time_host(wasi_u32(c, 1), &name))
		err = WASI_ENOPROTOOPT;
	if (err != WASI_ESUCCESS)
		goto out;
	memcpy(b, g, sizeof b);
	ns = b[0] == 1 ? wasi_get_u64(b + 8) : 0;
	if (name == SO_LINGER) {
		struct linger l = {b[0] == 1, (int)(ns / 1000000000u > INT32_MAX
		                                        ? INT32_MAX
		                                        : ns / 1000000000u)};
		r = setsockopt(e->host_fd, SOL_SOCKET, name, &l, sizeof l);
	} else {
		struct timeval tv = {(time_t)(ns / 1000000000u),
		                     (suseconds_t)(ns % 1000000000u / 1000)};
		if (b[0] == 1 && ns > 0 && tv.tv_sec == 0 && tv.tv_usec == 0)
			tv.tv_usec = 1; /* below 1 us: not "forever" */
		r = setsockopt(e->host_fd, SOL_SOCKET, name, &tv, sizeof tv);
	}
	if (r != 0)
		err = wasi_errno_from_host(errno);
out:
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/* sock_get_opt_time(fd, opt) -> (errno, option_timestamp) */
int wasix_sock_get_opt_time(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	uint8_t *p = wasi_mem(c, wasi_ptr(c, 2), 16);
	struct vfs_entry *e;
	uint32_t err = wasi_sock_get(x->w, wasi_u32(c, 0), 0, &e);
	uint8_t b[16];
	uint64_t ns = 0;
	bool some = false;
	int name;

	if (err == WASI_ESUCCESS && p == NULL)
		err = WASI_EFAULT;
	if (err == WASI_ESUCCESS && !wx_opt_time_host(wasi_u32(c, 1), &name))
		err = WASI_ENOPROTOOPT;
	if (err != WASI_ESUCCESS)
		goto out;
	if (name == SO_LINGER) {
		struct linger l;
		socklen_t len = sizeof l;

		if (getsockopt(e->host_fd, SOL_SOCKET, name, &l, &len) != 0)
			err = wasi_errno_from_host(errno);
		some = l.l_onoff != 0;
		ns = (uint64_t)l.l_linger * 1000000000u;
	} else {
		struct timeval tv;
		socklen_t len = sizeof tv;

		if (getsockopt(e->host_fd, SOL_SOCKET, name, &tv, &len) != 0)
			err = wasi_errno_from_host(errno);
		ns = (uint64_t)tv.tv_sec * 1000000000u +
		     (uint64_t)tv.tv_usec * 1000u;
		some = ns != 0;
	}
	if (err == WASI_ESUCCESS) {
		memset(b, 0, sizeof b);
		b[0] = some;
		wasi_put_u64(b + 8, ns);
		memcpy(p, b, sizeof b);
	}
out:
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/* ---- multicast ---------------------------------------------------------- */

/* sock_join/leave_multicast_v4(fd, multiaddr: ip4*, iface: ip4*) */
static int wx_mcast4(struct vm_call *c, void *ud, bool join)
{
	struct wasix_ctx *x = ud;
	const uint8_t *ga = wasi_mem(c, wasi_ptr(c, 1), 4);
	const uint8_t *gi = wasi_mem(c, wasi_ptr(c, 2), 4);
	struct vfs_entry *e;
	uint32_t err = wasi_sock_get(x->w, wasi_u32(c, 0), 0, &e);
	struct ip_mreq mr;

	if (err == WASI_ESUCCESS && (ga == NULL || gi == NULL))
		err = WASI_EFAULT;
	if (err == WASI_ESUCCESS) {
		memcpy(&mr.imr_multiaddr, ga, 4);
		memcpy(&mr.imr_interface, gi, 4);
		if (setsockopt(e->host_fd, IPPROTO_IP,
		               join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP,
		               &mr, sizeof mr) != 0)
			err = wasi_errno_from_host(errno);
	}
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/* sock_join/leave_multicast_v6(fd, multiaddr: ip6*, iface: u32) */
static int wx_mcast6(struct vm_call *c, void *ud, bool join)
{
	struct wasix_ctx *x = ud;
	const uint8_t *ga = wasi_mem(c, wasi_ptr(c, 1), 16);
	struct vfs_entry *e;
	uint32_t err = wasi_sock_get(x->w, wasi_u32(c, 0), 0, &e);
	struct ipv6_mreq mr;

	if (err == WASI_ESUCCESS && ga == NULL)
		err = WASI_EFAULT;
	if (err == WASI_ESUCCESS) {
		memcpy(&mr.ipv6mr_multiaddr, ga, 16);
		mr.ipv6mr_interface = wasi_u32(c, 2);
		if (setsockopt(e->host_fd, IPPROTO_IPV6,
		               join ? IPV6_ADD_MEMBERSHIP
		                    : IPV6_DROP_MEMBERSHIP,
		               &mr, sizeof mr) != 0)
			err = wasi_errno_from_host(errno);
	}
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

int wasix_sock_join_multicast_v4(struct vm_call *c, void *ud)
{
	return wx_mcast4(c, ud, true);
}

int wasix_sock_leave_multicast_v4(struct vm_call *c, void *ud)
{
	return wx_mcast4(c, ud, false);
}

int wasix_sock_join_multicast_v6(struct vm_call *c, void *ud)
{
	return wx_mcast6(c, ud, true);
}

int wasix_sock_leave_multicast_v6(struct vm_call *c, void *ud)
{
	return wx_mcast6(c, ud, false);
}
