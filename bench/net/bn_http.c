/*
 * bn_http.c: the networking benchmark's programs, built natively and as a
 * WASIX guest (bench/run_net.sh):
 *   bn_http http        an HTTP/1.1 keep-alive server on 127.0.0.1 (a
 *                       free port, printed first on stdout): one epoll
 *                       loop, non-blocking sockets, a fixed 13-byte
 *                       body for every request; runs until killed
 *   bn_http sink        accepts one TCP connection (port printed first),
 *                       reads to EOF, prints "BYTES bytes"
 *   bn_http send PORT MB  connects to 127.0.0.1:PORT, writes MB MiB
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXC 1024
#define BUF  8192

static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n"
                           "Content-Type: text/plain\r\n\r\nhello, world\n";

static struct conn {
	int used;
	size_t n;
	char buf[BUF];
} conns[MAXC];

static int die(const char *what)
{
	perror(what);
	exit(1);
}

static int listener(int *port)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (void *)&a, sizeof a) || listen(fd, 512) ||
	    getsockname(fd, (void *)&a, &len))
		die("bind/listen");
	*port = ntohs(a.sin_port);
	return fd;
}

/* Answers every complete request in c's buffer; 0, or -1 to close. */
static int serve(int fd, struct conn *c)
{
	char out[64 * (sizeof resp - 1)];
	size_t nout = 0, off = 0;
	char *end;

	while ((end = memmem(c->buf + off, c->n - off, "\r\n\r\n", 4))) {
		off = (size_t)(end - c->buf) + 4;
		if (nout + sizeof resp - 1 > sizeof out) {
			if (write(fd, out, nout) != (ssize_t)nout)
				return -1;
			nout = 0;
		}
		memcpy(out + nout, resp, sizeof resp - 1);
		nout += sizeof resp - 1;
	}
	memmove(c->buf, c->buf + off, c->n - off);
	c->n -= off;
	if (c->n == BUF)
		return -1; /* a request too large */
	return nout && write(fd, out, nout) != (ssize_t)nout ? -1 : 0;
}

static void http(void)
{
	struct epoll_event ev, evs[64];
	int port, l = listener(&port), ep = epoll_create1(0), one = 1;

	printf("%d\n", port);
	fflush(stdout);
	fcntl(l, F_SETFL, O_NONBLOCK);
	ev.events = EPOLLIN;
	ev.data.fd = l;
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev))
		die("epoll");
	for (;;) {
		int n = epoll_wait(ep, evs, 64, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("epoll_wait");
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			ssize_t r;

			if (fd == l) {
				int c;

				while ((c = accept4(l, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					if (c >= MAXC) {
						close(c);
						continue;
					}
					setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one,
					           sizeof one);
					conns[c].used = 1;
					conns[c].n = 0;
					ev.events = EPOLLIN;
					ev.data.fd = c;
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
				}
				continue;
			}
			r = read(fd, conns[fd].buf + conns[fd].n, BUF - conns[fd].n);
			if (r < 0 && errno == EAGAIN)
				continue;
			if (r <= 0 || (conns[fd].n += (size_t)r,
			               serve(fd, &conns[fd]) != 0)) {
				epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
				close(fd);
				conns[fd].used = 0;
			}
		}
	}
}

static void sink(void)
{
	static char buf[1 << 16];
	int port, l = listener(&port), c;
	unsigned long long total = 0;
	ssize_t r;

	printf("%d\n", port);
	fflush(stdout);
	c = accept(l, NULL, NULL);
	if (c < 0)
		die("accept");
	while ((r = read(c, buf, sizeof buf)) > 0)
		total += (unsigned long long)r;
	printf("%llu bytes\n", total);
}

static void send_mb(int port, int mb)
{
	static char buf[1 << 16];
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((unsigned short)port);
	if (fd < 0 || connect(fd, (void *)&a, sizeof a))
		die("connect");
	memset(buf, 'x', sizeof buf);
	for (long i = 0; i < (long)mb * 16; i++) {
		size_t off = 0;
		while (off < sizeof buf) {
			ssize_t w = write(fd, buf + off, sizeof buf - off);
			if (w <= 0)
				die("write");
			off += (size_t)w;
		}
	}
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "http") == 0)
		http();
	else if (argc > 1 && strcmp(argv[1], "sink") == 0)
		sink();
	else if (argc > 3 && strcmp(argv[1], "send") == 0)
		send_mb(atoi(argv[2]), atoi(argv[3]));
	else
		return 2;
	return 0;
}
