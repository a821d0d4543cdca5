/*
 * t_wasi_sock.c: unit tests of the WASI calls that need host objects a
 * guest program cannot make by itself: sockets handed in by the host
 * (sock_send, sock_recv with PEEK, sock_shutdown, sock_accept on a
 * listening socket) and interruption (fd_read on an empty pipe and
 * poll_oneoff on a long clock return EINTR at once while the context's
 * interrupt flag is set, or soon after it becomes set during the wait).
 * Host functions are called directly on a VM memory of one page, as in
 * t_wasi.c.
 *
 * Prints failures and "t_wasi_sock: N passed, M failed"; exits 1 on
 * failure.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "wasi/wasi_impl.h"
#include "t_check.h"


#define PAGE_FAULT 65535u /* a u16 there ends past the page */


struct fixture {
	struct vm_store *store;
	struct vm_memory *mem;
	uint8_t *base;
	struct wasi_ctx *w;
};

static volatile sig_atomic_t intr;

/* Calls host function 'fn' with up to 6 arguments; returns the errno. */
static uint64_t call(struct fixture *f, vm_host_fn fn, uint64_t a0, uint64_t a1,
                     uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	uint64_t args[8] = {a0, a1, a2, a3, a4, a5}, res[1] = {~0ull};
	struct vm_call c;

	memset(&c, 0, sizeof c);
	c.store = f->store;
	c.memory = f->mem;
	c.args = args;
	c.results = res;
	fn(&c, f->w);
	return res[0];
}

static void put_iov(struct fixture *f, uint32_t at, uint32_t b, uint32_t n)
{
	wasi_put_u32(f->base + at, b);
	wasi_put_u32(f->base + at + 4, n);
}

static int setup(struct fixture *f, int in, int out, int err)
{
	static const char *const argv[] = {"t"};
	struct wasm_limits_decl lim = {.min = 1, .max = 1, .has_max = true};
	struct wasi_config wc;
	struct vm_config vc;
	struct diag d = {0};

	vm_config_default(&vc);
	f->store = vm_store_new(&vc);
	f->mem = f->store ? vm_memory_new(f->store, &lim) : NULL;
	if (f->mem == NULL)
		return -1;
	f->base = vm_memory_data(f->mem);
	memset(&wc, 0, sizeof wc);
	wc.argc = 1;
	wc.argv = argv;
	wc.stdio[0] = in;
	wc.stdio[1] = out;
	wc.stdio[2] = err;
	wc.interrupt = &intr;
	return wasi_ctx_new(&wc, &f->w, &d);
}

static void teardown(struct fixture *f)
{
	wasi_ctx_free(f->w);
	vm_store_free(f->store);
}

static void test_sockets(void)
{
	struct fixture f;
	int sv[2], lfd, cfd;
	char buf[16];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof sa.sun_path, "/tmp/t_wasi_sock.%d",
	         (int)getpid());
	unlink(sa.sun_path);
	CHECK(bind(lfd, (struct sockaddr *)&sa, sizeof sa) == 0);
	CHECK(listen(lfd, 1) == 0);
	CHECK(setup(&f, sv[0], lfd, -1) == 0);
	/* send: guest fd 0 -> sv[1] */
	memcpy(f.base + 1000, "ping", 4);
	put_iov(&f, 100, 1000, 4);
	CHECK(call(&f, wasi_sock_send, 0, 100, 1, 0, 200, 0) == 0);
	CHECK(wasi_get_u32(f.base + 200) == 4);
	CHECK(read(sv[1], buf, sizeof buf) == 4 && memcmp(buf, "ping", 4) == 0);
	CHECK(call(&f, wasi_sock_send, 0, 100, 1, 7, 200, 0) == WASI_EINVAL);
	/* recv with PEEK, then for real */
	CHECK(write(sv[1], "pong", 4) == 4);
	put_iov(&f, 100, 3000, 16);
	CHECK(call(&f, wasi_sock_recv, 0, 100, 1, 1, 200, 204) == 0);
	CHECK(wasi_get_u32(f.base + 200) == 4);
	CHECK(call(&f, wasi_sock_recv, 0, 100, 1, 0, 200, 204) == 0);
	CHECK(wasi_get_u32(f.base + 200) == 4 && f.base[204] == 0);
	CHECK(memcmp(f.base + 3000, "pong", 4) == 0);
	CHECK(call(&f, wasi_sock_recv, 0, 100, 1, 0, 200, PAGE_FAULT) ==
	      WASI_EFAULT);
	/* shutdown: the peer sees EOF */
	CHECK(call(&f, wasi_sock_shutdown, 0, 2, 0, 0, 0, 0) == 0);
	CHECK(read(sv[1], buf, sizeof buf) == 0);
	CHECK(call(&f, wasi_sock_shutdown, 0, 9, 0, 0, 0, 0) == WASI_EINVAL);
	CHECK(call(&f, wasi_sock_shutdown, 2, 1, 0, 0, 0, 0) == WASI_EBADF);
	/* accept on the listening socket (guest fd 1) */
	cfd = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(connect(cfd, (struct sockaddr *)&sa, sizeof sa) == 0);
	CHECK(call(&f, wasi_sock_accept, 1, 0, 200, 0, 0, 0) == 0);
	CHECK(wasi_get_u32(f.base + 200) == 2); /* lowest free fd */
	memcpy(f.base + 1000, "hi", 2);
	put_iov(&f, 100, 1000, 2);
	CHECK(call(&f, wasi_sock_send, 2, 100, 1, 0, 200, 0) == 0);
	CHECK(read(cfd, buf, sizeof buf) == 2);
	CHECK(call(&f, wasi_sock_accept, 0, 0, 200, 0, 0, 0) != 0);
	teardown(&f);
	close(cfd);
	close(lfd);
	close(sv[0]);
	close(sv[1]);
	unlink(sa.sun_path);
}

/* Raises the interrupt flag after 100 ms, with no signal. */
static void *raise_later(void *arg)
{
	struct timespec d = {0, 100000000};

	(void)arg;
	nanosleep(&d, NULL);
	intr = 1;
	return NULL;
}

static void test_interrupt(void)
{
	struct fixture f;
	struct timespec t0, t1;
	int p[2];

	CHECK(pipe(p) == 0);
	CHECK(setup(&f, p[0], -1, -1) == 0);
	intr = 1;
	put_iov(&f, 100, 1000, 16);
	CHECK(call(&f, wasi_fd_read, 0, 100, 1, 200, 0, 0) == WASI_EINTR);
	/* poll_oneoff: one monotonic clock, 10 s relative */
	memset(f.base + 2000, 0, 48);
	f.base[2008] = 0;
	wasi_put_u32(f.base + 2016, 1);
	wasi_put_u64(f.base + 2024, 10000000000ull);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(call(&f, wasi_poll_oneoff, 2000, 3000, 1, 200, 0, 0) ==
	      WASI_EINTR);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(t1.tv_sec - t0.tv_sec < 2);
	/* raised while the wait is under way: ends within a slice or two */
	intr = 0;
	pthread_t th;
	CHECK(pthread_create(&th, NULL, raise_later, NULL) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(call(&f, wasi_poll_oneoff, 2000, 3000, 1, 200, 0, 0) ==
	      WASI_EINTR);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(t1.tv_sec - t0.tv_sec < 2);
	pthread_join(th, NULL);
	intr = 0;
	CHECK(pthread_create(&th, NULL, raise_later, NULL) == 0);
	CHECK(call(&f, wasi_fd_read, 0, 100, 1, 200, 0, 0) == WASI_EINTR);
	pthread_join(th, NULL);
	intr = 0;
	wasi_put_u64(f.base + 2024, 1000000); /* 1 ms */
	CHECK(call(&f, wasi_poll_oneoff, 2000, 3000, 1, 200, 0, 0) == 0);
	CHECK(wasi_get_u32(f.base + 200) == 1);
	/* data waiting: fd_read does not wait */
	CHECK(write(p[1], "abc", 3) == 3);
	CHECK(call(&f, wasi_fd_read, 0, 100, 1, 200, 0, 0) == 0);
	CHECK(wasi_get_u32(f.base + 200) == 3);
	teardown(&f);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	test_sockets();
	test_interrupt();
	return t_report("t_wasi_sock");
}
