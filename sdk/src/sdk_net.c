/*
 * sdk_net.c: POSIX sockets, name lookup, epoll, eventfd and sendfile for
 * Debian's wasi-libc, over the WASIX imports (wasix/wasix.h). wasi-libc's
 * <sys/socket.h> declares the socket calls; its libc.a defines only
 * accept, accept4, recv, send, getsockopt and shutdown over preview1, and
 * the ones here (linked first) take their place, except shutdown.
 *
 * Conversions: wasi-libc's SOCK_STREAM/SOCK_DGRAM (6/5) become WASIX's
 * 1/2; AF_INET/AF_INET6 are already WASIX's 1/2; socket options use
 * Linux's names and values (wasix/net.h) and map to WASIX sock_option
 * numbers; epoll uses Linux's bits (sys/epoll.h) and WASIX's ops ADD 0,
 * MOD 1, DEL 2. Errors are -1 with errno (WASI errno values are
 * wasi-libc's); getaddrinfo returns EAI_* codes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <wasi/api.h>

#include <wasix/net.h>
#include <wasix/posix.h>
#include <wasix/wasix.h>

/* WASIX sock_option numbers (api_wasix.h). */
enum {
	OPT_REUSE_PORT = 1,
	OPT_REUSE_ADDR = 2,
	OPT_NO_DELAY = 3,
	OPT_DONT_ROUTE = 4,
	OPT_ONLY_V6 = 5,
	OPT_BROADCAST = 6,
	OPT_MCAST_LOOP_V4 = 7,
	OPT_MCAST_LOOP_V6 = 8,
	OPT_LISTENING = 10,
	OPT_LAST_ERROR = 11,
	OPT_KEEP_ALIVE = 12,
	OPT_LINGER = 13,
	OPT_OOB_INLINE = 14,
	OPT_RECV_BUF = 15,
	OPT_SEND_BUF = 16,
	OPT_RECV_LOWAT = 17,
	OPT_SEND_LOWAT = 18,
	OPT_RECV_TIMEOUT = 19,
	OPT_SEND_TIMEOUT = 20,
	OPT_TTL = 23,
	OPT_MCAST_TTL_V4 = 24,
	OPT_TYPE = 25,
	OPT_PROTO = 26,
};

#define SDK_NONBLOCK 0x4000 /* SOCK_NONBLOCK, understood by sock_open */
#define SDK_CLOEXEC  0x2000 /* SOCK_CLOEXEC */

static int sdk_fail(int32_t err)
{
	errno = err;
	return -1;
}

/* ---- addresses ---------------------------------------------------------- */

static int sdk_to_wasix(const struct sockaddr *sa, socklen_t len,
                        wasix_addr_port_t *a)
{
	memset(a, 0, sizeof *a);
	if (sa == NULL)
		return EFAULT;
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)sa;

		a->tag = WASIX_AF_INET4;
		a->port = ntohs(in->sin_port);
		memcpy(a->addr, &in->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		a->tag = WASIX_AF_INET6;
		a->port = ntohs(in6->sin6_port);
		memcpy(a->addr, &in6->sin6_addr, 16);
		a->flow_hi = (uint16_t)(in6->sin6_flowinfo >> 16);
		a->flow_lo = (uint16_t)in6->sin6_flowinfo;
		a->scope_hi = (uint16_t)(in6->sin6_scope_id >> 16);
		a->scope_lo = (uint16_t)in6->sin6_scope_id;
		return 0;
	}
	return sa->sa_family == AF_INET || sa->sa_family == AF_INET6
	           ? EINVAL
	           : EAFNOSUPPORT;
}

/* Stores 'a' at 'sa' (truncated to *len, which gets the full length). */
static void sdk_from_wasix(const wasix_addr_port_t *a, struct sockaddr *sa,
                           socklen_t *len)
{
	struct sockaddr_storage ss;
	socklen_t n;

	if (sa == NULL || len == NULL)
		return;
	memset(&ss, 0, sizeof ss);
	if (a->tag == WASIX_AF_INET4) {
		struct sockaddr_in *in = (void *)&ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(a->port);
		memcpy(&in->sin_addr, a->addr, 4);
		n = sizeof *in;
	} else if (a->tag == WASIX_AF_INET6) {
		struct sockaddr_in6 *in6 = (void *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(a->port);
		memcpy(&in6->sin6_addr, a->addr, 16);
		in6->sin6_flowinfo = (uint32_t)a->flow_hi << 16 | a->flow_lo;
		in6->sin6_scope_id = (uint32_t)a->scope_hi << 16 | a->scope_lo;
		n = sizeof *in6;
	} else {
		ss.ss_family = a->tag == WASIX_AF_UNIX ? AF_UNIX : AF_UNSPEC;
		n = sizeof(sa_family_t);
	}
	memcpy(sa, &ss, *len < n ? *len : n);
	*len = n;
}

/* ---- sockets ------------------------------------------------------------ */

/* WASIX type for 'type' (flags kept), or -1. */
static int sdk_type(int type)
{
	int flags = type & (SDK_NONBLOCK | SDK_CLOEXEC), base = type & ~flags;

	if (base == SOCK_STREAM)
		return WASIX_SOCK_STREAM | flags;
	if (base == SOCK_DGRAM)
		return WASIX_SOCK_DGRAM | flags;
	return -1;
}

int socket(int domain, int type, int protocol)
{
	uint32_t fd;
	int t = sdk_type(type);
	int32_t err;

	if (domain != AF_INET && domain != AF_INET6)
		return sdk_fail(EAFNOSUPPORT);
	if (t < 0)
		return sdk_fail(EPROTOTYPE);
	err = wasix_sock_open((uint32_t)domain, (uint32_t)t, (uint32_t)protocol,
	                      &fd);
	return err ? sdk_fail(err) : (int)fd;
}

int socketpair(int domain, int type, int protocol, int sv[2])
{
	uint32_t a, b;
	int t = sdk_type(type);
	int32_t err;

	if (domain != AF_UNIX)
		return sdk_fail(EOPNOTSUPP);
	if (t < 0)
		return sdk_fail(EPROTOTYPE);
	err = wasix_sock_pair(WASIX_AF_UNIX, (uint32_t)t, (uint32_t)protocol,
	                      &a, &b);
	if (err)
		return sdk_fail(err);
	sv[0] = (int)a;
	sv[1] = (int)b;
	return 0;
}

int bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	wasix_addr_port_t a;
	int32_t err = sdk_to_wasix(sa, len, &a);

	if (err == 0)
		err = wasix_sock_bind((uint32_t)fd, &a);
	return err ? sdk_fail(err) : 0;
}

int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	wasix_addr_port_t a;
	int32_t err = sdk_to_wasix(sa, len, &a);

	if (err == 0)
		err = wasix_sock_connect((uint32_t)fd, &a);
	return err ? sdk_fail(err) : 0;
}

int listen(int fd, int backlog)
{
	int32_t err = wasix_sock_listen((uint32_t)fd,
	                                backlog < 0 ? 0 : (uint32_t)backlog);

	return err ? sdk_fail(err) : 0;
}

int accept4(int fd, struct sockaddr *__restrict sa, socklen_t *__restrict len,
            int flags)
{
	wasix_addr_port_t a;
	uint32_t nfd;
	int32_t err;

	if (flags & ~(SDK_NONBLOCK | SDK_CLOEXEC))
		return sdk_fail(EINVAL);
	err = wasix_sock_accept_v2(
	    (uint32_t)fd, flags & SDK_NONBLOCK ? __WASI_FDFLAGS_NONBLOCK : 0,
	    &nfd, &a);
	if (err)
		return sdk_fail(err);
	if (flags & SDK_CLOEXEC)
		wasix_fd_fdflags_set(nfd, 1);
	sdk_from_wasix(&a, sa, len);
	return (int)nfd;
}

int accept(int fd, struct sockaddr *__restrict sa, socklen_t *__restrict len)
{
	return accept4(fd, sa, len, 0);
}

int getsockname(int fd, struct sockaddr *__restrict sa,
                socklen_t *__restrict len)
{
	wasix_addr_port_t a;
	int32_t err = wasix_sock_addr_local((uint32_t)fd, &a);

	if (err)
		return sdk_fail(err);
	sdk_from_wasix(&a, sa, len);
	return 0;
}

int getpeername(int fd, struct sockaddr *__restrict sa,
                socklen_t *__restrict len)
{
	wasix_addr_port_t a;
	int32_t err = wasix_sock_addr_peer((uint32_t)fd, &a);

	if (err)
		return sdk_fail(err);
	sdk_from_wasix(&a, sa, len);
	return 0;
}

/* ---- moving data -------------------------------------------------------- */

/* The riflags of recv 'flags'. */
static uint32_t sdk_riflags(int flags)
{
	return (flags & MSG_PEEK ? 1u : 0) | (flags & MSG_WAITALL ? 2u : 0) |
	       (flags & MSG_TRUNC ? 4u : 0) | (flags & MSG_DONTWAIT ? 8u : 0);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	wasix_addr_port_t a;
	uint32_t n32 = 0;
	__wasi_size_t n = 0;
	uint16_t ro = 0;
	int32_t err;

	if (msg->msg_name != NULL) {
		err = wasix_sock_recv_from((uint32_t)fd, msg->msg_iov,
		                           (size_t)msg->msg_iovlen,
		                           sdk_riflags(flags), &n32, &ro, &a);
		n = n32;
	} else
		err = __wasi_sock_recv(fd, (const __wasi_iovec_t *)msg->msg_iov,
		                       (size_t)msg->msg_iovlen,
		                       (__wasi_riflags_t)sdk_riflags(flags), &n,
		                       &ro);
	if (err)
		return sdk_fail(err);
	if (msg->msg_name != NULL)
		sdk_from_wasix(&a, msg->msg_name, &msg->msg_namelen);
	msg->msg_controllen = 0;
	msg->msg_flags = ro & 1 ? MSG_TRUNC : 0;
	return (ssize_t)n;
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	wasix_addr_port_t a;
	uint32_t n32 = 0, fl = flags & MSG_DONTWAIT ? 1u : 0;
	__wasi_size_t n = 0;
	int32_t err;

	if (msg->msg_name != NULL) {
		err = sdk_to_wasix(msg->msg_name, msg->msg_namelen, &a);
		if (err == 0)
			err = wasix_sock_send_to((uint32_t)fd, msg->msg_iov,
			                         (size_t)msg->msg_iovlen, fl,
			                         &a, &n32);
		n = n32;
	} else {
		err = __wasi_sock_send(
		    fd, (const __wasi_ciovec_t *)msg->msg_iov,
		    (size_t)msg->msg_iovlen, (__wasi_siflags_t)fl, &n);
	}
	return err ? sdk_fail(err) : (ssize_t)n;
}

ssize_t recvfrom(int fd, void *__restrict buf, size_t len, int flags,
                 struct sockaddr *__restrict sa, socklen_t *__restrict salen)
{
	struct iovec v = {buf, len};
	struct sockaddr_storage ss;
	struct msghdr m;
	ssize_t r;

	memset(&m, 0, sizeof m);
	m.msg_iov = &v;
	m.msg_iovlen = 1;
	if (sa != NULL) {
		m.msg_name = &ss;
		m.msg_namelen = sizeof ss;
	}
	r = recvmsg(fd, &m, flags);
	if (r >= 0 && sa != NULL && salen != NULL) {
		memcpy(sa, &ss,
		       *salen < m.msg_namelen ? *salen : m.msg_namelen);
		*salen = m.msg_namelen;
	}
	return r;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags,
               const struct sockaddr *sa, socklen_t salen)
{
	struct iovec v = {(void *)buf, len};
	struct msghdr m;

	memset(&m, 0, sizeof m);
	m.msg_iov = &v;
	m.msg_iovlen = 1;
	m.msg_name = (void *)sa;
	m.msg_namelen = salen;
	return sendmsg(fd, &m, flags);
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	return recvfrom(fd, buf, len, flags, NULL, NULL);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	return sendto(fd, buf, len, flags, NULL, 0);
}

/*
 * sendfile: WASIX leaves in_fd's offset after the bytes sent from
 * 'offset'; with an explicit offset the file's own one is put back.
 */
ssize_t sendfile(int out, int in, off_t *offset, size_t count)
{
	off_t cur = lseek(in, 0, SEEK_CUR);
	uint64_t sent = 0;
	int32_t err;

	err = wasix_sock_send_file((uint32_t)out, (uint32_t)in,
	                           offset ? (uint64_t)*offset
	                                  : (uint64_t)(cur < 0 ? 0 : cur),
	                           count, &sent);
	if (err)
		return sdk_fail(err);
	if (offset != NULL) {
		if (cur >= 0)
			lseek(in, cur, SEEK_SET);
		*offset += (off_t)sent;
	}
	return (ssize_t)sent;
}

/* ---- options ------------------------------------------------------------ */

enum { KIND_FLAG = 1, KIND_SIZE, KIND_TIME, KIND_LINGER };

/* The WASIX option and its kind for (level, name); 0 if none. */
static int sdk_opt(int level, int name, int *kind)
{
	static const struct {
		int level, name, opt, kind;
	} map[] = {
	    {SOL_SOCKET, SO_REUSEADDR, OPT_REUSE_ADDR, KIND_FLAG},
	    {SOL_SOCKET, SO_REUSEPORT, OPT_REUSE_PORT, KIND_FLAG},
	    {SOL_SOCKET, SO_KEEPALIVE, OPT_KEEP_ALIVE, KIND_FLAG},
	    {SOL_SOCKET, SO_BROADCAST, OPT_BROADCAST, KIND_FLAG},
	    {SOL_SOCKET, SO_DONTROUTE, OPT_DONT_ROUTE, KIND_FLAG},
	    {SOL_SOCKET, SO_OOBINLINE, OPT_OOB_INLINE, KIND_FLAG},
	    {SOL_SOCKET, SO_ACCEPTCONN, OPT_LISTENING, KIND_FLAG},
	    {SOL_SOCKET, SO_RCVBUF, OPT_RECV_BUF, KIND_SIZE},
	    {SOL_SOCKET, SO_SNDBUF, OPT_SEND_BUF, KIND_SIZE},
	    {SOL_SOCKET, SO_RCVLOWAT, OPT_RECV_LOWAT, KIND_SIZE},
	    {SOL_SOCKET, SO_SNDLOWAT, OPT_SEND_LOWAT, KIND_SIZE},
	    {SOL_SOCKET, SO_ERROR, OPT_LAST_ERROR, KIND_SIZE},
	    {SOL_SOCKET, SO_TYPE, OPT_TYPE, KIND_SIZE},
	    {SOL_SOCKET, SO_PROTOCOL, OPT_PROTO, KIND_SIZE},
	    {SOL_SOCKET, SO_RCVTIMEO, OPT_RECV_TIMEOUT, KIND_TIME},
	    {SOL_SOCKET, SO_SNDTIMEO, OPT_SEND_TIMEOUT, KIND_TIME},
	    {SOL_SOCKET, SO_LINGER, OPT_LINGER, KIND_LINGER},
	    {IPPROTO_TCP, TCP_NODELAY, OPT_NO_DELAY, KIND_FLAG},
	    {IPPROTO_IPV6, IPV6_V6ONLY, OPT_ONLY_V6, KIND_FLAG},
	    {IPPROTO_IPV6, IPV6_MULTICAST_LOOP, OPT_MCAST_LOOP_V6, KIND_FLAG},
	    {IPPROTO_IP, IP_MULTICAST_LOOP, OPT_MCAST_LOOP_V4, KIND_FLAG},
	    {IPPROTO_IP, IP_TTL, OPT_TTL, KIND_SIZE},
	    {IPPROTO_IP, IP_MULTICAST_TTL, OPT_MCAST_TTL_V4, KIND_SIZE},
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].level == level && map[i].name == name) {
			*kind = map[i].kind;
			return map[i].opt;
		}
	return 0;
}

/* IP_ADD/DROP_MEMBERSHIP, IPV6_JOIN/LEAVE_GROUP. 1 if 'name' was one. */
static int sdk_mcast(int fd, int level, int name, const void *v, socklen_t len,
                     int32_t *err)
{
	if (level == IPPROTO_IP &&
	    (name == IP_ADD_MEMBERSHIP || name == IP_DROP_MEMBERSHIP)) {
		const struct ip_mreq *m = v;

		if (len < sizeof *m)
			*err = EINVAL;
		else if (name == IP_ADD_MEMBERSHIP)
			*err = wasix_sock_join_multicast_v4(
			    (uint32_t)fd, &m->imr_multiaddr, &m->imr_interface);
		else
			*err = wasix_sock_leave_multicast_v4(
			    (uint32_t)fd, &m->imr_multiaddr, &m->imr_interface);
		return 1;
	}
	if (level == IPPROTO_IPV6 &&
	    (name == IPV6_JOIN_GROUP || name == IPV6_LEAVE_GROUP)) {
		const struct ipv6_mreq *m = v;

		if (len < sizeof *m)
			*err = EINVAL;
		else if (name == IPV6_JOIN_GROUP)
			*err = wasix_sock_join_multicast_v6(
			    (uint32_t)fd, &m->ipv6mr_multiaddr,
			    m->ipv6mr_interface);
		else
			*err = wasix_sock_leave_multicast_v6(
			    (uint32_t)fd, &m->ipv6mr_multiaddr,
			    m->ipv6mr_interface);
		return 1;
	}
	return 0;
}

int setsockopt(int fd, int level, int name, const void *v, socklen_t len)
{
	wasix_option_timestamp_t t;
	int kind, opt = sdk_opt(level, name, &kind), iv;
	int32_t err;

	if (v == NULL)
		return sdk_fail(EFAULT);
	if (sdk_mcast(fd, level, name, v, len, &err))
		return err ? sdk_fail(err) : 0;
	if (opt == 0)
		return sdk_fail(ENOPROTOOPT);
	memset(&t, 0, sizeof t);
	if (kind == KIND_TIME) {
		const struct timeval *tv = v;

		if (len < sizeof *tv)
			return sdk_fail(EINVAL);
		t.ns = (uint64_t)tv->tv_sec * 1000000000u +
		       (uint64_t)tv->tv_usec * 1000u;
		t.tag = t.ns != 0;
		err = wasix_sock_set_opt_time((uint32_t)fd, (uint32_t)opt, &t);
	} else if (kind == KIND_LINGER) {
		const struct linger *l = v;

		if (len < sizeof *l)
			return sdk_fail(EINVAL);
		t.tag = l->l_onoff != 0;
		t.ns =
		    (uint64_t)(l->l_linger < 0 ? 0 : l->l_linger) * 1000000000u;
		err = wasix_sock_set_opt_time((uint32_t)fd, (uint32_t)opt, &t);
	} else {
		if (len < sizeof iv)
			return sdk_fail(EINVAL);
		memcpy(&iv, v, sizeof iv);
		err =
		    kind == KIND_FLAG
		        ? wasix_sock_set_opt_flag((uint32_t)fd, (uint32_t)opt,
		                                  iv != 0)
		        : wasix_sock_set_opt_size((uint32_t)fd, (uint32_t)opt,
		                                  (uint64_t)(iv < 0 ? 0 : iv));
	}
	return err ? sdk_fail(err) : 0;
}

/* Copies 'n' bytes of 'src' out as getsockopt does. */
static int sdk_opt_out(void *v, socklen_t *len, const void *src, socklen_t n)
{
	memcpy(v, src, *len < n ? *len : n);
	*len = n;
	return 0;
}

int getsockopt(int fd, int level, int name, void *__restrict v,
               socklen_t *__restrict len)
{
	wasix_option_timestamp_t t;
	int kind, opt = sdk_opt(level, name, &kind), iv;
	uint64_t size;
	uint8_t on;
	int32_t err;

	if (v == NULL || len == NULL)
		return sdk_fail(EFAULT);
	if (opt == 0)
		return sdk_fail(ENOPROTOOPT);
	if (kind == KIND_TIME || kind == KIND_LINGER) {
		err = wasix_sock_get_opt_time((uint32_t)fd, (uint32_t)opt, &t);
		if (err)
			return sdk_fail(err);
		if (kind == KIND_LINGER) {
			struct linger l = {t.tag != 0,
			                   (int)(t.ns / 1000000000u)};
			return sdk_opt_out(v, len, &l, sizeof l);
		}
		struct timeval tv = {
		    (time_t)(t.tag ? t.ns / 1000000000u : 0),
		    (suseconds_t)(t.tag ? t.ns % 1000000000u / 1000 : 0)};
		return sdk_opt_out(v, len, &tv, sizeof tv);
	}
	if (kind == KIND_FLAG) {
		err = wasix_sock_get_opt_flag((uint32_t)fd, (uint32_t)opt, &on);
		iv = on;
	} else {
		err =
		    wasix_sock_get_opt_size((uint32_t)fd, (uint32_t)opt, &size);
		iv = (int)size;
		if (opt == OPT_TYPE)
			iv =
			    size == WASIX_SOCK_DGRAM ? SOCK_DGRAM : SOCK_STREAM;
	}
	if (err)
		return sdk_fail(err);
	return sdk_opt_out(v, len, &iv, sizeof iv);
}

/* ---- name lookup -------------------------------------------------------- */

#define SDK_MAX_ADDRS 32

/* Appends one result for address 'a' (family AF_INET/AF_INET6). */
static int sdk_ai_add(struct addrinfo ***tail, int family, const void *a,
                      uint16_t port, int socktype, int proto, const char *canon)
{
	size_t salen = family == AF_INET ? sizeof(struct sockaddr_in)
	                                 : sizeof(struct sockaddr_in6);
	struct addrinfo *ai = calloc(1, sizeof *ai + salen);

	if (ai == NULL)
		return EAI_MEMORY;
	ai->ai_family = family;
	ai->ai_socktype = socktype;
	ai->ai_protocol = proto;
	ai->ai_addrlen = (socklen_t)salen;
	ai->ai_addr = (struct sockaddr *)(ai + 1);
	if (family == AF_INET) {
		struct sockaddr_in *in = (void *)ai->ai_addr;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		memcpy(&in->sin_addr, a, 4);
	} else {
		struct sockaddr_in6 *in6 = (void *)ai->ai_addr;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		memcpy(&in6->sin6_addr, a, 16);
	}
	if (canon != NULL)
		ai->ai_canonname = strdup(canon);
	**tail = ai;
	*tail = &ai->ai_next;
	return 0;
}

/* The addresses of 'node' (never NULL) into fam[]/addr[]; count or EAI_*. */
static int sdk_lookup(const char *node, int flags, int *fam,
                      uint8_t (*addr)[16])
{
	static const uint8_t lo6[16] = {[15] = 1};
	static const uint8_t lo4[4] = {127, 0, 0, 1};
	wasix_addr_ip_t ips[SDK_MAX_ADDRS];
	uint32_t n = 0, i;
	int32_t err;

	if (inet_pton(AF_INET, node, addr[0]) == 1) {
		fam[0] = AF_INET;
		return 1;
	}
	if (inet_pton(AF_INET6, node, addr[0]) == 1) {
		fam[0] = AF_INET6;
		return 1;
	}
	if (flags & AI_NUMERICHOST)
		return EAI_NONAME;
	if (strcasecmp(node, "localhost") == 0) { /* RFC 6761: loopback */
		fam[0] = AF_INET6;
		memcpy(addr[0], lo6, 16);
		fam[1] = AF_INET;
		memcpy(addr[1], lo4, 4);
		return 2;
	}
	err = wasix_resolve(node, strlen(node), 0, ips, SDK_MAX_ADDRS, &n);
	if (err == ENOENT)
		return EAI_NONAME;
	if (err == EAGAIN)
		return EAI_AGAIN;
	if (err) {
		errno = err;
		return EAI_SYSTEM;
	}
	for (i = 0; i < n && i < SDK_MAX_ADDRS; i++) {
		fam[i] = ips[i].tag == WASIX_AF_INET6 ? AF_INET6 : AF_INET;
		memcpy(addr[i], ips[i].addr, 16);
	}
	return n == 0 ? EAI_NONAME : (int)n;
}

int getaddrinfo(const char *__restrict node, const char *__restrict service,
                const struct addrinfo *__restrict hints,
                struct addrinfo **__restrict res)
{
	struct addrinfo h = {0}, *head = NULL, **tail = &head;
	int fam[SDK_MAX_ADDRS], n, i, k, rc = 0;
	uint8_t addr[SDK_MAX_ADDRS][16];
	unsigned long port = 0;
	char *end;

	if (hints != NULL)
		h = *hints;
	if (node == NULL && service == NULL)
		return EAI_NONAME;
	if (h.ai_family != AF_UNSPEC && h.ai_family != AF_INET &&
	    h.ai_family != AF_INET6)
		return EAI_FAMILY;
	if (h.ai_socktype != 0 && h.ai_socktype != SOCK_STREAM &&
	    h.ai_socktype != SOCK_DGRAM)
		return EAI_SOCKTYPE;
	if (service != NULL) {
		port = strtoul(service, &end, 10);
		if (*service == 0 || *end != 0 || port > 65535)
			return EAI_SERVICE;
	}
	memset(addr, 0, sizeof addr);
	if (node == NULL) {
		/* passive: the wildcard; otherwise loopback */
		fam[0] = AF_INET6;
		fam[1] = AF_INET;
		if (!(h.ai_flags & AI_PASSIVE)) {
			addr[0][15] = 1;
			addr[1][0] = 127;
			addr[1][3] = 1;
		}
		n = 2;
	} else {
		n = sdk_lookup(node, h.ai_flags, fam, addr);
		if (n < 0)
			return n;
	}
	for (i = 0; i < n && rc == 0; i++) {
		if (h.ai_family != AF_UNSPEC && fam[i] != h.ai_family)
			continue;
		for (k = 0; k < 2 && rc == 0; k++) {
			int st = k == 0 ? SOCK_STREAM : SOCK_DGRAM;

			if (h.ai_socktype != 0 && h.ai_socktype != st)
				continue;
			rc = sdk_ai_add(
			    &tail, fam[i], addr[i], (uint16_t)port, st,
			    st == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP,
			    head == NULL && (h.ai_flags & AI_CANONNAME) ? node
			                                                : NULL);
		}
	}
	if (rc == 0 && head == NULL)
		rc = EAI_NONAME;
	if (rc != 0) {
		freeaddrinfo(head);
		return rc;
	}
	*res = head;
	return 0;
}

void freeaddrinfo(struct addrinfo *ai)
{
	while (ai != NULL) {
		struct addrinfo *next = ai->ai_next;

		free(ai->ai_canonname);
		free(ai);
		ai = next;
	}
}

const char *gai_strerror(int err)
{
	switch (err) {
	case EAI_BADFLAGS:
		return "Invalid flags";
	case EAI_NONAME:
		return "Name does not resolve";
	case EAI_AGAIN:
		return "Try again";
	case EAI_FAIL:
		return "Non-recoverable error";
	case EAI_FAMILY:
		return "Unrecognized address family or invalid length";
	case EAI_SOCKTYPE:
		return "Unrecognized socket type";
	case EAI_SERVICE:
		return "Unrecognized service";
	case EAI_MEMORY:
		return "Out of memory";
	case EAI_SYSTEM:
		return "System error";
	case EAI_OVERFLOW:
		return "Overflow";
	default:
		return "Unknown error";
	}
}

int getnameinfo(const struct sockaddr *__restrict sa, socklen_t salen,
                char *__restrict host, socklen_t hostlen, char *__restrict serv,
                socklen_t servlen, int flags)
{
	const void *a;
	unsigned port;
	char buf[8];
	size_t n;

	(void)flags;
	if (sa->sa_family == AF_INET && salen >= sizeof(struct sockaddr_in)) {
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
		port = ntohs(
		    ((const struct sockaddr_in *)(const void *)sa)->sin_port);
	} else if (sa->sa_family == AF_INET6 &&
	           salen >= sizeof(struct sockaddr_in6)) {
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		port = ntohs(
		    ((const struct sockaddr_in6 *)(const void *)sa)->sin6_port);
	} else {
		return EAI_FAMILY;
	}
	if (host != NULL && hostlen > 0 &&
	    inet_ntop(sa->sa_family, a, host, hostlen) == NULL)
		return EAI_OVERFLOW;
	if (serv != NULL && servlen > 0) {
		n = (size_t)snprintf(buf, sizeof buf, "%u", port);
		if (n >= servlen)
			return EAI_OVERFLOW;
		memcpy(serv, buf, n + 1);
	}
	return 0;
}

/* ---- epoll and eventfd -------------------------------------------------- */

/* Linux epoll bits <-> WASIX ones, in one table. */
static const struct {
	uint32_t linux_bit, wasix_bit;
} sdk_ev[] = {
    {EPOLLIN, 1},   {EPOLLOUT, 2},  {EPOLLRDHUP, 4}, {EPOLLPRI, 8},
    {EPOLLERR, 16}, {EPOLLHUP, 32}, {EPOLLET, 64},   {EPOLLONESHOT, 128},
};

static uint32_t sdk_ev_map(uint32_t v, int to_wasix)
{
	uint32_t r = 0;

	for (size_t i = 0; i < sizeof sdk_ev / sizeof sdk_ev[0]; i++)
		if (v & (to_wasix ? sdk_ev[i].linux_bit : sdk_ev[i].wasix_bit))
			r |= to_wasix ? sdk_ev[i].wasix_bit
			              : sdk_ev[i].linux_bit;
	return r;
}

int epoll_create1(int flags)
{
	uint32_t fd;
	int32_t err;

	if (flags & ~EPOLL_CLOEXEC)
		return sdk_fail(EINVAL);
	err = wasix_epoll_create(&fd);
	if (err)
		return sdk_fail(err);
	if (flags & EPOLL_CLOEXEC)
		wasix_fd_fdflags_set(fd, 1);
	return (int)fd;
}

int epoll_create(int size)
{
	return size <= 0 ? sdk_fail(EINVAL) : epoll_create1(0);
}

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	wasix_epoll_event_t w;
	uint32_t wop;
	int32_t err;

	memset(&w, 0, sizeof w);
	if (op == EPOLL_CTL_ADD)
		wop = WASIX_EPOLL_CTL_ADD;
	else if (op == EPOLL_CTL_MOD)
		wop = WASIX_EPOLL_CTL_MOD;
	else if (op == EPOLL_CTL_DEL)
		wop = WASIX_EPOLL_CTL_DEL;
	else
		return sdk_fail(EINVAL);
	if (op != EPOLL_CTL_DEL) {
		if (ev == NULL)
			return sdk_fail(EFAULT);
		w.events = sdk_ev_map(ev->events, 1);
		w.fd = (uint32_t)fd;
		w.data2 = ev->data.u64;
	}
	err = wasix_epoll_ctl((uint32_t)epfd, wop, (uint32_t)fd,
	                      op == EPOLL_CTL_DEL ? NULL : &w);
	return err ? sdk_fail(err) : 0;
}

int epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout_ms)
{
	wasix_epoll_event_t w[64];
	uint32_t n = 0, i;
	int32_t err;

	if (max <= 0)
		return sdk_fail(EINVAL);
	err = wasix_epoll_wait(
	    (uint32_t)epfd, w, (uint32_t)(max > 64 ? 64 : max),
	    timeout_ms < 0 ? UINT64_MAX : (uint64_t)timeout_ms * 1000000u, &n);
	if (err)
		return sdk_fail(err);
	for (i = 0; i < n; i++) {
		ev[i].events = sdk_ev_map(w[i].events, 0);
		ev[i].data.u64 = w[i].data2;
	}
	return (int)n;
}

int epoll_pwait(int epfd, struct epoll_event *ev, int max, int timeout_ms,
                const void *sigmask)
{
	(void)sigmask;
	return epoll_wait(epfd, ev, max, timeout_ms);
}

/* eventfd: EFD_SEMAPHORE 1 and EFD_NONBLOCK (O_NONBLOCK, 4) are WASIX's
 * own bits; wasi-libc's EFD_CLOEXEC is 0. */
int eventfd(unsigned int count, int flags)
{
	uint32_t fd;
	int32_t err;

	if (flags & ~(EFD_SEMAPHORE | EFD_NONBLOCK))
		return sdk_fail(EINVAL);
	err = wasix_fd_event(count, (uint32_t)flags, &fd);
	return err ? sdk_fail(err) : (int)fd;
}

int eventfd_read(int fd, eventfd_t *value)
{
	return read(fd, value, sizeof *value) == sizeof *value ? 0 : -1;
}

int eventfd_write(int fd, eventfd_t value)
{
	return write(fd, &value, sizeof value) == sizeof value ? 0 : -1;
}
