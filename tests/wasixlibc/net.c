/* net.c PART: sockets on loopback, for the corpus (run natively, under
 * wasmix --net with wasix-libc and with the SDK; tests/run_net.sh and
 * tests/run_wasixlibc.sh). Prints one fact a line; nothing printed
 * depends on ports, pids or timing. Servers bind port 0 and tell their
 * clients the port through the fork; every loop is bounded.
 *
 * Parts: tcp tcp6 udp epoll prefork halfclose bulk sendfile refused
 * nonblock eventfd pair sockopt names timeout lookup eintr policy rules.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "corpus.h"

#define CK(c)                                                                  \
	do {                                                                   \
		if (!(c)) {                                                    \
			printf("FAIL line %d: %s (%s)\n", __LINE__, #c,        \
			       ename(errno));                                  \
			exit(1);                                               \
		}                                                              \
	} while (0)

/* A listening TCP socket on loopback (v6: ::1), any port; '*port' set. */
static int listener(int v6, int *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0), one = 1;

	CK(fd >= 0);
	CK(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
	memset(&ss, 0, sizeof ss);
	if (v6) {
		struct sockaddr_in6 *a = (void *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		len = sizeof *a;
	} else {
		struct sockaddr_in *a = (void *)&ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof *a;
	}
	CK(bind(fd, (void *)&ss, len) == 0);
	CK(listen(fd, 64) == 0);
	len = sizeof ss;
	CK(getsockname(fd, (void *)&ss, &len) == 0);
	*port = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
	                 : ((struct sockaddr_in *)&ss)->sin_port);
	CK(*port > 0);
	return fd;
}

/* A connected TCP socket to loopback 'port' (or errno; -1). */
static int dial(int v6, int port)
{
	struct sockaddr_in6 a6;
	struct sockaddr_in a4;
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);

	CK(fd >= 0);
	memset(&a6, 0, sizeof a6);
	memset(&a4, 0, sizeof a4);
	a6.sin6_family = AF_INET6;
	a6.sin6_addr = in6addr_loopback;
	a6.sin6_port = htons(port);
	a4.sin_family = AF_INET;
	a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a4.sin_port = htons(port);
	if ((v6 ? connect(fd, (void *)&a6, sizeof a6)
	        : connect(fd, (void *)&a4, sizeof a4)) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Writes all of buf or fails. */
static void put(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);
		CK(w > 0);
		p += w;
		n -= (size_t)w;
	}
}

/* Reads exactly n bytes (0 at EOF first); returns bytes read. */
static size_t get(int fd, void *buf, size_t n)
{
	char *p = buf;
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);
		CK(r >= 0);
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return got;
}

/* Waits for every child; prints how many exited 0. */
static void reap(int n, const char *what)
{
	int ok = 0, st;

	for (int i = 0; i < n; i++)
		if (wait(&st) > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok++;
	printf("%s: %d of %d children ok\n", what, ok, n);
}

/* Echo: the server answers each 8-byte message with it upper-cased. */
static void echo_conn(int c)
{
	char b[8];

	while (get(c, b, sizeof b) == sizeof b) {
		for (int i = 0; i < 8; i++)
			if (b[i] >= 'a' && b[i] <= 'z')
				b[i] = (char)(b[i] - 32);
		put(c, b, sizeof b);
	}
}

static void client_echo(int v6, int port, int rounds)
{
	char b[9], want[8];
	int fd = dial(v6, port);

	CK(fd >= 0);
	for (int i = 0; i < rounds; i++) {
		snprintf(b, sizeof b, "msg%04d", i % 10000);
		memcpy(want, b, 8);
		for (int k = 0; k < 8; k++)
			if (want[k] >= 'a' && want[k] <= 'z')
				want[k] = (char)(want[k] - 32);
		put(fd, b, 8);
		CK(get(fd, b, 8) == 8);
		CK(memcmp(b, want, 8) == 0);
	}
	close(fd);
}

static void part_tcp(int v6)
{
	int port, l = listener(v6, &port), c;
	char hello[6];
	pid_t pid = fork();

	CK(pid >= 0);
	if (pid == 0) {
		close(l);
		client_echo(v6, port, 50);
		/* the other direction: the server speaks first */
		c = dial(v6, port);
		CK(c >= 0);
		CK(get(c, hello, 5) == 5);
		put(c, "thanks", 6);
		close(c);
		_exit(0);
	}
	c = accept(l, NULL, NULL);
	CK(c >= 0);
	echo_conn(c);
	close(c);
	c = accept(l, NULL, NULL);
	CK(c >= 0);
	put(c, "hello", 5);
	CK(get(c, hello, 6) == 6);
	printf("server got: %.6s\n", hello);
	close(c);
	reap(1, v6 ? "tcp6 echo" : "tcp echo");
	close(l);
}

static void part_udp(void)
{
	struct sockaddr_in a = {0}, b = {0}, from;
	socklen_t len = sizeof a, flen;
	int s1 = socket(AF_INET, SOCK_DGRAM, 0),
	    s2 = socket(AF_INET, SOCK_DGRAM, 0);
	char buf[64];
	ssize_t n;

	CK(s1 >= 0 && s2 >= 0);
	a.sin_family = b.sin_family = AF_INET;
	a.sin_addr.s_addr = b.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CK(bind(s1, (void *)&a, sizeof a) == 0);
	CK(bind(s2, (void *)&b, sizeof b) == 0);
	CK(getsockname(s1, (void *)&a, &len) == 0);
	len = sizeof b;
	CK(getsockname(s2, (void *)&b, &len) == 0);
	for (int i = 0; i < 20; i++) {
		snprintf(buf, sizeof buf, "datagram %d", i);
		CK(sendto(s1, buf, strlen(buf), 0, (void *)&b, sizeof b) ==
		   (ssize_t)strlen(buf));
		flen = sizeof from;
		n = recvfrom(s2, buf, sizeof buf - 1, 0, (void *)&from, &flen);
		CK(n > 0);
		CK(from.sin_port == a.sin_port &&
		   from.sin_addr.s_addr == a.sin_addr.s_addr);
		buf[n] = 0;
		/* and back */
		CK(sendto(s2, buf, (size_t)n, 0, (void *)&from, flen) == n);
		flen = sizeof from;
		CK(recvfrom(s1, buf, sizeof buf - 1, 0, (void *)&from, &flen) ==
		   n);
		CK(from.sin_port == b.sin_port);
	}
	buf[n] = 0;
	printf("udp: last echo '%s'\n", buf);
	/* connected UDP: send/recv without addresses */
	CK(connect(s1, (void *)&b, sizeof b) == 0);
	CK(send(s1, "one", 3, 0) == 3);
	CK(recv(s2, buf, sizeof buf, 0) == 3);
	printf("udp connected: ok\n");
	close(s1);
	close(s2);
}

/* Many clients at once against one epoll server. */
static void part_epoll(void)
{
	enum { NCLI = 20, ROUNDS = 10 };
	int port, l = listener(0, &port), ep, done = 0, conns = 0;
	struct epoll_event ev, evs[16];

	for (int i = 0; i < NCLI; i++) {
		pid_t pid = fork();
		CK(pid >= 0);
		if (pid == 0) {
			close(l);
			client_echo(0, port, ROUNDS);
			_exit(0);
		}
	}
	ep = epoll_create1(0);
	CK(ep >= 0);
	CK(fcntl(l, F_SETFL, fcntl(l, F_GETFL) | O_NONBLOCK) == 0);
	ev.events = EPOLLIN;
	ev.data.fd = l;
	CK(epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev) == 0);
	for (int iter = 0; iter < 100000 && done < NCLI; iter++) {
		int n = epoll_wait(ep, evs, 16, 10000);
		CK(n > 0);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			char b[8];
			ssize_t r;

			if (fd == l) {
				int c = accept(l, NULL, NULL);
				if (c < 0) {
					CK(errno == EAGAIN);
					continue;
				}
				conns++;
				ev.events = EPOLLIN;
				ev.data.fd = c;
				CK(epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) == 0);
				continue;
			}
			r = get(fd, b, 8); /* clients send whole messages */
			if (r == 0) {
				CK(epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL) == 0);
				close(fd);
				done++;
				continue;
			}
			CK(r == 8);
			for (int k = 0; k < 8; k++)
				if (b[k] >= 'a' && b[k] <= 'z')
					b[k] = (char)(b[k] - 32);
			put(fd, b, 8);
		}
	}
	printf("epoll: %d connections, %d closed\n", conns, done);
	reap(NCLI, "epoll clients");
	close(ep);
	close(l);
}

/* A pre-fork style server: the parent accepts, a child serves each. */
static void part_prefork(void)
{
	enum { NCLI = 6 };
	int port, l = listener(0, &port);

	for (int i = 0; i < NCLI; i++) {
		pid_t pid = fork();
		CK(pid >= 0);
		if (pid == 0) {
			close(l);
			client_echo(0, port, 5);
			_exit(0);
		}
	}
	for (int i = 0; i < NCLI; i++) {
		int c = accept(l, NULL, NULL);
		pid_t pid;

		CK(c >= 0);
		pid = fork();
		CK(pid >= 0);
		if (pid == 0) {
			close(l);
			echo_conn(c);
			_exit(0);
		}
		close(c);
	}
	close(l);
	reap(2 * NCLI, "prefork");
}

static void part_halfclose(void)
{
	int port, l = listener(0, &port), c;
	char buf[4096];
	pid_t pid = fork();

	CK(pid >= 0);
	if (pid == 0) {
		char reply[32];
		size_t n;

		close(l);
		c = dial(0, port);
		CK(c >= 0);
		memset(buf, 'x', sizeof buf);
		for (int i = 0; i < 25; i++)
			put(c, buf, sizeof buf);
		CK(shutdown(c, SHUT_WR) == 0);
		n = get(c, reply, sizeof reply - 1);
		reply[n] = 0;
		printf("client: server counted %s\n", reply);
		CK(read(c, buf, 1) == 0); /* then EOF */
		close(c);
		_exit(0);
	}
	c = accept(l, NULL, NULL);
	CK(c >= 0);
	size_t total = 0;
	for (int i = 0; i < 100000; i++) {
		ssize_t r = read(c, buf, sizeof buf);
		CK(r >= 0);
		if (r == 0)
			break;
		total += (size_t)r;
	}
	snprintf(buf, sizeof buf, "%zu", total);
	put(c, buf, strlen(buf));
	close(c);
	reap(1, "halfclose");
	close(l);
}

static uint32_t fnv(uint32_t h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* A pseudo-random byte stream: byte i of the stream. */
static void fill(unsigned char *p, size_t n, size_t off)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t x = (uint32_t)(off + i) * 2654435761u;
		p[i] = (unsigned char)(x >> 24);
	}
}

/* 16 MiB one way, checksums compared by the other side. */
static void part_bulk(void)
{
	enum { TOTAL = 16 << 20 };
	int port, l = listener(0, &port), c;
	static unsigned char buf[65536];
	uint32_t h = 2166136261u, theirs;
	pid_t pid = fork();

	CK(pid >= 0);
	if (pid == 0) {
		uint32_t hs = 2166136261u;

		close(l);
		c = dial(0, port);
		CK(c >= 0);
		for (size_t off = 0; off < TOTAL; off += sizeof buf) {
			fill(buf, sizeof buf, off);
			hs = fnv(hs, buf, sizeof buf);
			put(c, buf, sizeof buf);
		}
		CK(shutdown(c, SHUT_WR) == 0);
		CK(get(c, &theirs, 4) == 4);
		CK(theirs == hs);
		close(c);
		_exit(0);
	}
	c = accept(l, NULL, NULL);
	CK(c >= 0);
	size_t total = 0;
	for (int i = 0; i < 10000000; i++) {
		ssize_t r = read(c, buf, sizeof buf);
		CK(r >= 0);
		if (r == 0)
			break;
		h = fnv(h, buf, (size_t)r);
		total += (size_t)r;
	}
	put(c, &h, 4);
	close(c);
	printf("bulk: %zu bytes\n", total);
	reap(1, "bulk checksum");
	close(l);
}

/* sendfile of a 1 MiB file, with and without an offset. */
static void part_sendfile(void)
{
	enum { SIZE = 1 << 20 };
	static unsigned char buf[SIZE];
	int port, l = listener(0, &port), c, f;
	uint32_t h = 2166136261u, want;
	pid_t pid;

	fill(buf, SIZE, 0);
	want = fnv(fnv(2166136261u, buf, SIZE), buf + 4096, SIZE - 4096);
	f = open(P("sf.dat"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	CK(f >= 0);
	put(f, buf, SIZE);
	CK(lseek(f, 0, SEEK_SET) == 0);
	pid = fork();
	CK(pid >= 0);
	if (pid == 0) {
		ssize_t n;
		size_t sent = 0;

		close(l);
		c = dial(0, port);
		CK(c >= 0);
		for (int i = 0; i < 10000 && sent < SIZE; i++) {
			n = sendfile(c, f, NULL, SIZE - sent);
			CK(n > 0);
			sent += (size_t)n;
		}
		CK(lseek(f, 0, SEEK_CUR) == SIZE);
		/* from an offset: counted here, as *off is checked later */
		sent = 4096;
		for (int i = 0; i < 10000 && sent < SIZE; i++) {
			off_t o = (off_t)sent;
			n = sendfile(c, f, &o, SIZE - sent);
			CK(n > 0);
			sent += (size_t)n;
		}
		close(c);
		_exit(0);
	}
	c = accept(l, NULL, NULL);
	CK(c >= 0);
	size_t total = 0;
	for (int i = 0; i < 1000000; i++) {
		ssize_t r = read(c, buf, sizeof buf);
		CK(r >= 0);
		if (r == 0)
			break;
		h = fnv(h, buf, (size_t)r);
		total += (size_t)r;
	}
	printf("sendfile: %zu bytes, checksum %s\n", total,
	       h == want ? "matches" : "differs");
	{
		int sv[2];
		off_t o = 100;
		unsigned char b[8], exp[8];

		CK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
		CK(lseek(f, 10, SEEK_SET) == 10);
		CK(sendfile(sv[0], f, &o, 8) == 8);
		CK(get(sv[1], b, 8) == 8);
		printf("from an offset: data right %d, *offset %lld, file "
		       "offset %lld\n",
		       (fill(exp, 8, 100), memcmp(b, exp, 8) == 0),
		       (long long)o, (long long)lseek(f, 0, SEEK_CUR));
		close(sv[0]);
		close(sv[1]);
	}
	close(c);
	close(f);
	unlink(P("sf.dat"));
	reap(1, "sendfile");
	close(l);
}

static void part_refused(void)
{
	int port, l = listener(0, &port), c;

	close(l);
	c = dial(0, port);
	printf("connect to a closed port: %d %s\n", c,
	       errno == ECONNREFUSED ? "ECONNREFUSED" : ename(errno));
}

static void part_nonblock(void)
{
	int port, l = listener(0, &port), c, s, err = -1;
	struct sockaddr_in a = {0};
	struct pollfd p;
	socklen_t len = sizeof err;
	char b[4];

	c = socket(AF_INET, SOCK_STREAM, 0);
	CK(c >= 0);
	CK(fcntl(c, F_SETFL, O_NONBLOCK) == 0);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(port);
	if (connect(c, (void *)&a, sizeof a) != 0)
		CK(errno == EINPROGRESS);
	p.fd = c;
	p.events = POLLOUT;
	CK(poll(&p, 1, 10000) == 1 && (p.revents & POLLOUT));
	CK(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) == 0);
	printf("nonblocking connect: SO_ERROR %d\n", err);
	s = accept(l, NULL, NULL);
	CK(s >= 0);
	CK(recv(c, b, sizeof b, 0) < 0);
	printf("recv with nothing there: %s\n",
	       errno == EAGAIN || errno == EWOULDBLOCK ? "EAGAIN"
	                                               : ename(errno));
	CK(fcntl(l, F_SETFL, O_NONBLOCK) == 0);
	CK(accept(l, NULL, NULL) < 0);
	printf("accept with nothing there: %s\n",
	       errno == EAGAIN || errno == EWOULDBLOCK ? "EAGAIN"
	                                               : ename(errno));
	CK(write(s, "abc", 3) == 3);
	p.fd = c;
	p.events = POLLIN;
	CK(poll(&p, 1, 10000) == 1);
	CK(recv(c, b, sizeof b, 0) == 3);
	printf("then: %.3s\n", b);
	close(s);
	close(c);
	close(l);
}

static void part_eventfd(void)
{
	uint64_t v;
	int e = eventfd(3, 0), s, n;
	struct pollfd p;

	CK(e >= 0);
	CK(write(e, &(uint64_t){4}, 8) == 8);
	CK(read(e, &v, 8) == 8);
	printf("eventfd counter: %llu\n", (unsigned long long)v);
	close(e);
	s = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
	CK(s >= 0);
	for (n = 0; n < 10 && read(s, &v, 8) == 8; n++)
		CK(v == 1);
	printf("semaphore: %d reads, then %s\n", n,
	       errno == EAGAIN ? "EAGAIN" : ename(errno));
	p.fd = s;
	p.events = POLLIN;
	printf("poll empty: %d\n", poll(&p, 1, 0));
	CK(write(s, &(uint64_t){1}, 8) == 8);
	printf("poll after write: %d\n", poll(&p, 1, 0));
	close(s);
}

static void part_pair(void)
{
	int sv[2];
	char b[16];
	pid_t pid;

	CK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	pid = fork();
	CK(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		CK(get(sv[1], b, 4) == 4);
		put(sv[1], "pong", 4);
		_exit(0);
	}
	close(sv[1]);
	put(sv[0], "ping", 4);
	CK(get(sv[0], b, 4) == 4);
	printf("pair: %.4s\n", b);
	reap(1, "pair");
	close(sv[0]);
}

static void part_sockopt(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), v = 0, one = 1;
	socklen_t len = sizeof v;

	CK(s >= 0);
	CK(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len) == 0);
	printf("SO_TYPE stream: %d\n", v == SOCK_STREAM);
	CK(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
	len = sizeof v;
	CK(getsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, &len) == 0);
	printf("SO_REUSEADDR: %d\n", v != 0);
	CK(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0);
	len = sizeof v;
	CK(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, &len) == 0);
	printf("TCP_NODELAY: %d\n", v != 0);
	len = sizeof v;
	CK(getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &len) == 0);
	printf("SO_RCVBUF > 0: %d\n", v > 0);
	close(s);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	len = sizeof v;
	CK(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len) == 0);
	printf("SO_TYPE dgram: %d\n", v == SOCK_DGRAM);
	close(s);
}

static void part_names(void)
{
	int port, l = listener(0, &port), c, s;
	struct sockaddr_in a, b, p;
	socklen_t len;

	c = dial(0, port);
	CK(c >= 0);
	len = sizeof p;
	s = accept(l, (void *)&p, &len);
	CK(s >= 0);
	CK(len == sizeof(struct sockaddr_in) && p.sin_family == AF_INET);
	len = sizeof a;
	CK(getsockname(c, (void *)&a, &len) == 0);
	len = sizeof b;
	CK(getpeername(s, (void *)&b, &len) == 0);
	printf("accept's peer is the client: %d\n",
	       p.sin_port == a.sin_port &&
	           p.sin_addr.s_addr == a.sin_addr.s_addr);
	printf("getpeername agrees: %d\n",
	       b.sin_port == a.sin_port &&
	           b.sin_addr.s_addr == a.sin_addr.s_addr);
	len = sizeof b;
	CK(getpeername(c, (void *)&b, &len) == 0);
	printf("client's peer port is the server's: %d\n",
	       ntohs(b.sin_port) == port);
	close(s);
	close(c);
	close(l);
}

static void part_timeout(void)
{
	int port, l = listener(0, &port), c = dial(0, port), s;
	struct timeval tv = {0, 100000};
	char b;

	CK(c >= 0);
	s = accept(l, NULL, NULL);
	CK(s >= 0);
	CK(setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
	CK(recv(c, &b, 1, 0) < 0);
	printf("recv past SO_RCVTIMEO: %s\n",
	       errno == EAGAIN || errno == EWOULDBLOCK ? "EAGAIN"
	                                               : ename(errno));
	close(s);
	close(c);
	close(l);
}

static void part_lookup(void)
{
	struct addrinfo h = {0}, *res, *ai;
	int v4 = 0, rc;

	h.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo("127.0.0.1", "8080", &h, &res);
	CK(rc == 0);
	printf("numeric: family v4 %d, port %d\n", res->ai_family == AF_INET,
	       ntohs(((struct sockaddr_in *)res->ai_addr)->sin_port));
	freeaddrinfo(res);
	h.ai_family = AF_INET;
	rc = getaddrinfo("localhost", NULL, &h, &res);
	CK(rc == 0);
	for (ai = res; ai != NULL; ai = ai->ai_next)
		if (((struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr ==
		    htonl(INADDR_LOOPBACK))
			v4 = 1;
	printf("localhost has 127.0.0.1: %d\n", v4);
	freeaddrinfo(res);
}

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1++;
}

/*
 * A blocking recv and a signal with a handler (no SA_RESTART): the recv
 * fails with EINTR once the handler ran. The child signals until the
 * parent answers (no timing assumption). (SA_RESTART for caught signals
 * is not carried to the runtime: docs/networking.md.)
 */
static void part_eintr(void)
{
	struct sigaction sa;
	pid_t parent = getpid(), pid;
	int sv[2];
	ssize_t r;
	char b;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	CK(sigaction(SIGUSR1, &sa, NULL) == 0);
	CK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	pid = fork();
	CK(pid >= 0);
	if (pid == 0) {
		struct pollfd p = {sv[1], POLLIN, 0};
		int i;

		close(sv[0]);
		for (i = 0; i < 500; i++) {
			kill(parent, SIGUSR1);
			if (poll(&p, 1, 20) == 1)
				break;
		}
		_exit(i < 500 ? 0 : 1);
	}
	close(sv[1]);
	r = recv(sv[0], &b, 1, 0);
	printf("recv: %d %s, handler ran %d\n", (int)r, ename(errno),
	       got_usr1 > 0);
	put(sv[0], "a", 1);
	reap(1, "signaller");
	close(sv[0]);
	signal(SIGUSR1, SIG_IGN);
}

/*
 * read() (fd_read) and recv() on a TCP socket through every way a receive
 * can go: data already there, nothing there on a non-blocking socket
 * (EAGAIN), the socket made blocking again and the data written later by
 * a child (the read waits; no timing assumption: the result is the same
 * whichever comes first), MSG_WAITALL across two writes, MSG_PEEK then
 * read, SO_RCVTIMEO on read() (EAGAIN), EINTR from a caught signal in
 * read(), and EOF after the peer's shutdown.
 */
static void part_readwait(void)
{
	int port, l = listener(0, &port), c = dial(0, port), s, i;
	struct timeval tv = {0, 100000};
	pid_t parent = getpid(), pid;
	struct sigaction sa;
	char b[16];
	ssize_t r;

	CK(c >= 0);
	s = accept(l, NULL, NULL);
	CK(s >= 0);
	put(s, "ready", 5);
	CK(get(c, b, 5) == 5);
	printf("read, data there: %.5s\n", b);
	CK(fcntl(c, F_SETFL, O_NONBLOCK) == 0);
	r = read(c, b, sizeof b);
	printf("read, non-blocking, nothing there: %d %s\n", (int)r,
	       r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? "EAGAIN"
	                                                          : ename(errno));
	CK(fcntl(c, F_SETFL, 0) == 0);
	pid = fork();
	CK(pid >= 0);
	if (pid == 0) {
		put(s, "later", 5);
		put(s, "abc", 3);
		put(s, "def", 3);
		_exit(0);
	}
	CK(get(c, b, 5) == 5);
	printf("read, blocking again, written by a child: %.5s\n", b);
	CK(recv(c, b, 6, MSG_WAITALL) == 6);
	printf("recv MSG_WAITALL over two writes: %.6s\n", b);
	reap(1, "writer");
	put(s, "peek", 4);
	CK(recv(c, b, 4, MSG_PEEK | MSG_WAITALL) == 4);
	CK(read(c, b + 4, 4) == 4);
	printf("peek then read: %.4s %.4s\n", b, b + 4);
	CK(setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
	r = read(c, b, sizeof b);
	printf("read past SO_RCVTIMEO: %d %s\n", (int)r,
	       r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? "EAGAIN"
	                                                          : ename(errno));
	tv.tv_usec = 0;
	CK(setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	CK(sigaction(SIGUSR1, &sa, NULL) == 0);
	got_usr1 = 0;
	pid = fork();
	CK(pid >= 0);
	if (pid == 0) {
		/* Signals until the parent answers on the connection. */
		struct pollfd p = {s, POLLIN, 0};

		for (i = 0; i < 500; i++) {
			kill(parent, SIGUSR1);
			if (poll(&p, 1, 20) == 1)
				break;
		}
		_exit(i < 500 ? 0 : 1);
	}
	r = read(c, b, sizeof b);
	printf("read and a caught signal: %d %s, handler ran %d\n", (int)r,
	       ename(errno), got_usr1 > 0);
	put(c, "a", 1);
	reap(1, "signaller");
	signal(SIGUSR1, SIG_IGN);
	CK(get(s, b, 1) == 1);
	CK(shutdown(s, SHUT_WR) == 0);
	printf("read at EOF: %d\n", (int)read(c, b, sizeof b));
	close(s);
	close(c);
	close(l);
}

/* Under wasmix with no network: only pairs and eventfd. */
static void part_policy(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), sv[2];

	printf("socket: %d %s\n", s, ename(errno));
	s = socket(AF_INET6, SOCK_DGRAM, 0);
	printf("udp6 socket: %d %s\n", s, ename(errno));
	printf("socketpair: %d\n", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	s = eventfd(0, 0);
	printf("eventfd: %d\n", s >= 0);
}

/* Under --net-allow-connect 127.0.0.1 --net-allow-bind 127.0.0.1:0: */
static void part_rules(void)
{
	struct sockaddr_in a = {0};
	int s = socket(AF_INET, SOCK_STREAM, 0), port, l;

	CK(s >= 0);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_ANY);
	printf("bind 0.0.0.0: %d %s\n", bind(s, (void *)&a, sizeof a),
	       ename(errno));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(1);
	printf("bind 127.0.0.1:1: %d %s\n", bind(s, (void *)&a, sizeof a),
	       ename(errno));
	close(s);
	l = listener(0, &port);
	s = dial(0, port);
	printf("connect 127.0.0.1: %d\n", s >= 0);
	close(s);
	s = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_addr.s_addr = htonl(0x7f000002);
	a.sin_port = htons(port);
	printf("connect 127.0.0.2: %d %s\n", connect(s, (void *)&a, sizeof a),
	       ename(errno));
	close(s);
	if (fork() == 0) { /* a child has the same rules */
		s = socket(AF_INET, SOCK_STREAM, 0);
		printf("child: connect 127.0.0.2: %d %s\n",
		       connect(s, (void *)&a, sizeof a), ename(errno));
		_exit(0);
	}
	reap(1, "rules child");
	s = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_addr.s_addr = htonl(0x08080808);
	printf("sendto 8.8.8.8: %d %s\n",
	       (int)sendto(s, "x", 1, 0, (void *)&a, sizeof a), ename(errno));
	close(s);
	s = socket(AF_INET6, SOCK_STREAM, 0);
	printf("connect ::1: %d %s\n",
	       connect(s,
	               (void *)&(struct sockaddr_in6){.sin6_family = AF_INET6,
	                                              .sin6_port = htons(port),
	                                              .sin6_addr =
	                                                  in6addr_loopback},
	               sizeof(struct sockaddr_in6)),
	       ename(errno));
	close(s);
	close(l);
}

int main(int argc, char **argv)
{
	const char *p = argc > 1 ? argv[1] : "";

	corpus_init();
	signal(SIGPIPE, SIG_IGN);
	if (strcmp(p, "tcp") == 0)
		part_tcp(0);
	else if (strcmp(p, "tcp6") == 0)
		part_tcp(1);
	else if (strcmp(p, "udp") == 0)
		part_udp();
	else if (strcmp(p, "epoll") == 0)
		part_epoll();
	else if (strcmp(p, "prefork") == 0)
		part_prefork();
	else if (strcmp(p, "halfclose") == 0)
		part_halfclose();
	else if (strcmp(p, "bulk") == 0)
		part_bulk();
	else if (strcmp(p, "sendfile") == 0)
		part_sendfile();
	else if (strcmp(p, "refused") == 0)
		part_refused();
	else if (strcmp(p, "nonblock") == 0)
		part_nonblock();
	else if (strcmp(p, "eventfd") == 0)
		part_eventfd();
	else if (strcmp(p, "pair") == 0)
		part_pair();
	else if (strcmp(p, "sockopt") == 0)
		part_sockopt();
	else if (strcmp(p, "names") == 0)
		part_names();
	else if (strcmp(p, "timeout") == 0)
		part_timeout();
	else if (strcmp(p, "lookup") == 0)
		part_lookup();
	else if (strcmp(p, "eintr") == 0)
		part_eintr();
	else if (strcmp(p, "readwait") == 0)
		part_readwait();
	else if (strcmp(p, "policy") == 0)
		part_policy();
	else if (strcmp(p, "rules") == 0)
		part_rules();
	else {
		printf("unknown part '%s'\n", p);
		return 2;
	}
	return 0;
}
