/*
 * wt_sock.c: the socket calls on a listening socket handed in by the
 * host (wasmix run --tcplisten 127.0.0.1:PORT, so guest fd 3). Accepts
 * one connection, checks that the listener is no file (ESPIPE-free
 * fdstat says socket) and that socket calls on a non-socket are
 * ENOTSOCK, receives a line, sends it back upper-cased, shuts down the
 * write side and closes.
 */
#include "wt_check.h"

#include <ctype.h>

int main(void)
{
	__wasi_fdstat_t fs;
	__wasi_fd_t c;
	char buf[64];
	__wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
	__wasi_size_t n, sent;
	__wasi_roflags_t ro;

	CHECK_OK(__wasi_fd_fdstat_get(3, &fs));
	CHECK(fs.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM);
	CHECK_ERR(__wasi_sock_accept(1, 0, &c), __WASI_ERRNO_NOTSOCK);
	CHECK_ERR(__wasi_sock_accept(9, 0, &c), __WASI_ERRNO_BADF);
	CHECK_OK(__wasi_sock_accept(3, 0, &c));
	CHECK(c == 4);
	CHECK_OK(__wasi_sock_recv(c, &iov, 1, 0, &n, &ro));
	CHECK(n > 0 && ro == 0);
	for (__wasi_size_t i = 0; i < n; i++)
		buf[i] = (char)toupper((unsigned char)buf[i]);
	__wasi_ciovec_t ciov = {(const uint8_t *)buf, n};
	CHECK_OK(__wasi_sock_send(c, &ciov, 1, 0, &sent));
	CHECK(sent == n);
	CHECK_OK(__wasi_sock_shutdown(c, __WASI_SDFLAGS_WR));
	CHECK_OK(__wasi_fd_close(c));
	/* the summary goes to stderr: stdout is the runner's */
	fprintf(stderr, "wt_sock: %d checks, %d failed\n", wt_checks,
	        wt_failed);
	return wt_failed != 0;
}
