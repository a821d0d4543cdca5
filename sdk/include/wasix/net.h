/*
 * wasix/net.h: what the wasmix SDK adds to Debian's wasi-libc for
 * sockets (wasix/posix.h includes it): the socket option, message flag
 * and family constants that wasi-libc leaves out, with Linux's values.
 * wasi-libc's <sys/socket.h> declares socket, bind, connect, listen,
 * accept4, getsockname, sendto, recvfrom, setsockopt ...; libwasix.a
 * implements them (sdk/src/sdk_net.c) over the WASIX sock_* imports, and
 * <netdb.h>, <sys/epoll.h>, <sys/eventfd.h>, <sys/sendfile.h> likewise.
 */
#ifndef WASIX_NET_H
#define WASIX_NET_H

#include <netinet/in.h>
#include <sys/socket.h>

/* wasi-libc names MSG_TRUNC after a constant its headers lack. */
#undef MSG_TRUNC
#define MSG_TRUNC 0x0020
#ifndef MSG_DONTWAIT
#define MSG_DONTWAIT 0x0040
#endif
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0x4000 /* always so: SIGPIPE is never raised */
#endif
#ifndef SOCK_RAW
#define SOCK_RAW 3
#endif

#ifndef SO_REUSEADDR
#define SO_DEBUG      1
#define SO_REUSEADDR  2
#define SO_ERROR      4
#define SO_DONTROUTE  5
#define SO_BROADCAST  6
#define SO_SNDBUF     7
#define SO_RCVBUF     8
#define SO_KEEPALIVE  9
#define SO_OOBINLINE  10
#define SO_LINGER     13
#define SO_REUSEPORT  15
#define SO_RCVLOWAT   18
#define SO_SNDLOWAT   19
#define SO_RCVTIMEO   20
#define SO_SNDTIMEO   21
#define SO_ACCEPTCONN 30
#define SO_PROTOCOL   38
#endif

#ifndef IP_TTL
#define IP_TTL 2
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Hidden by wasi-libc's <sys/socket.h> ("WASI has no ..."). */
int socket(int domain, int type, int protocol);
int socketpair(int domain, int type, int protocol, int sv[2]);
int bind(int fd, const struct sockaddr *addr, socklen_t len);
int connect(int fd, const struct sockaddr *addr, socklen_t len);
int listen(int fd, int backlog);
int getsockname(int fd, struct sockaddr *__restrict addr,
                socklen_t *__restrict len);
int getpeername(int fd, struct sockaddr *__restrict addr,
                socklen_t *__restrict len);
ssize_t sendto(int fd, const void *buf, size_t len, int flags,
               const struct sockaddr *addr, socklen_t alen);
ssize_t recvfrom(int fd, void *__restrict buf, size_t len, int flags,
                 struct sockaddr *__restrict addr,
                 socklen_t *__restrict alen);
ssize_t sendmsg(int fd, const struct msghdr *msg, int flags);
ssize_t recvmsg(int fd, struct msghdr *msg, int flags);
int setsockopt(int fd, int level, int name, const void *val, socklen_t len);

#ifdef __cplusplus
}
#endif

#endif
