/*
 * wt_fd.c: the fd_* family on a regular file, a directory and the
 * standard streams: read/write/pread/pwrite/seek/tell, fdstat and its
 * flags and rights, filestat get/set_size/set_times, advise, allocate,
 * sync, renumber, close, prestat; EBADF, ENOTCAPABLE, EINVAL, ESPIPE,
 * EISDIR and EFAULT (raw imports with pointers past the end of memory).
 */
#include "wt_check.h"

#include <stdint.h>

/* Raw imports, so that bad pointers reach the host unchanged. */
__attribute__((import_module("wasi_snapshot_preview1"),
               import_name("fd_write"))) int32_t
raw_fd_write(int32_t fd, int32_t iovs, int32_t n, int32_t nwritten);
__attribute__((import_module("wasi_snapshot_preview1"), import_name("fd_read")))
int32_t
raw_fd_read(int32_t fd, int32_t iovs, int32_t n, int32_t nread);
__attribute__((import_module("wasi_snapshot_preview1"),
               import_name("fd_filestat_get"))) int32_t
raw_fd_filestat_get(int32_t fd, int32_t buf);

static void test_rw(void)
{
	char buf[64];
	__wasi_filesize_t pos;
	__wasi_size_t n;
	int fd = wt_open("f.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
	                 RIGHTS_ALL, 0);

	CHECK(fd > 3);
	CHECK(wt_write(fd, "hello world", 11) == 11);
	CHECK_OK(__wasi_fd_tell(fd, &pos));
	CHECK(pos == 11);
	CHECK_OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
	CHECK(pos == 0);
	CHECK(wt_read(fd, buf, 5) == 5 && memcmp(buf, "hello", 5) == 0);
	CHECK_OK(__wasi_fd_seek(fd, -3, __WASI_WHENCE_END, &pos));
	CHECK(pos == 8);
	CHECK_OK(__wasi_fd_seek(fd, 1, __WASI_WHENCE_CUR, &pos));
	CHECK(pos == 9);
	CHECK_ERR(__wasi_fd_seek(fd, -100, __WASI_WHENCE_CUR, &pos),
	          __WASI_ERRNO_INVAL);
	CHECK_ERR(__wasi_fd_seek(fd, 0, 7, &pos), __WASI_ERRNO_INVAL);
	/* pread/pwrite leave the offset alone */
	__wasi_iovec_t iov = {(uint8_t *)buf, 5};
	CHECK_OK(__wasi_fd_pread(fd, &iov, 1, 6, &n));
	CHECK(n == 5 && memcmp(buf, "world", 5) == 0);
	__wasi_ciovec_t ciov = {(const uint8_t *)"W", 1};
	CHECK_OK(__wasi_fd_pwrite(fd, &ciov, 1, 6, &n));
	CHECK(n == 1);
	CHECK_OK(__wasi_fd_tell(fd, &pos));
	CHECK(pos == 9);
	CHECK_OK(__wasi_fd_pread(fd, &iov, 1, 100, &n));
	CHECK(n == 0); /* past the end */
	/* two iovecs in one read */
	char a[3], b[4];
	__wasi_iovec_t two[2] = {{(uint8_t *)a, 3}, {(uint8_t *)b, 4}};
	CHECK_OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
	CHECK_OK(__wasi_fd_read(fd, two, 2, &n));
	CHECK(n == 7 && memcmp(a, "hel", 3) == 0 && memcmp(b, "lo W", 4) == 0);
	/* EFAULT: iovec array or buffer past the end of memory */
	CHECK_ERR(raw_fd_write(fd, -8, 1, 0), __WASI_ERRNO_FAULT);
	CHECK_ERR(raw_fd_read(fd, 0x7ffffff0, 1, 0), __WASI_ERRNO_FAULT);
	CHECK_ERR(raw_fd_filestat_get(fd, -4), __WASI_ERRNO_FAULT);
	CHECK_OK(__wasi_fd_close(fd));
	CHECK_ERR(__wasi_fd_close(fd), __WASI_ERRNO_BADF);
	CHECK(wt_read(fd, buf, 1) == -__WASI_ERRNO_BADF);
	CHECK(wt_write(1000, "x", 1) == -__WASI_ERRNO_BADF);
}

static void test_stat(void)
{
	__wasi_filestat_t st;
	__wasi_fdstat_t fs;
	int fd = wt_open("g.txt", __WASI_OFLAGS_CREAT, RIGHTS_ALL, 0);

	CHECK(fd > 3);
	CHECK(wt_write(fd, "12345", 5) == 5);
	CHECK_OK(__wasi_fd_filestat_get(fd, &st));
	CHECK(st.size == 5 && st.filetype == __WASI_FILETYPE_REGULAR_FILE);
	CHECK(st.nlink == 1);
	CHECK_OK(__wasi_fd_filestat_set_size(fd, 100));
	CHECK_OK(__wasi_fd_filestat_get(fd, &st));
	CHECK(st.size == 100);
	CHECK_OK(__wasi_fd_filestat_set_size(fd, 2));
	CHECK_OK(__wasi_fd_filestat_set_times(fd, 1000000000ull, 2000000000ull,
	                                      __WASI_FSTFLAGS_ATIM |
	                                          __WASI_FSTFLAGS_MTIM));
	CHECK_OK(__wasi_fd_filestat_get(fd, &st));
	CHECK(st.size == 2 && st.atim == 1000000000ull &&
	      st.mtim == 2000000000ull);
	CHECK_OK(
	    __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
	CHECK_OK(__wasi_fd_filestat_get(fd, &st));
	CHECK(st.mtim > 2000000000ull && st.atim == 1000000000ull);
	CHECK_ERR(__wasi_fd_filestat_set_times(fd, 0, 0,
	                                       __WASI_FSTFLAGS_ATIM |
	                                           __WASI_FSTFLAGS_ATIM_NOW),
	          __WASI_ERRNO_INVAL);
	CHECK_OK(__wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_SEQUENTIAL));
	CHECK_ERR(__wasi_fd_advise(fd, 0, 0, 99), __WASI_ERRNO_INVAL);
	CHECK_OK(__wasi_fd_allocate(fd, 0, 4096));
	CHECK_OK(__wasi_fd_filestat_get(fd, &st));
	CHECK(st.size == 4096);
	CHECK_OK(__wasi_fd_sync(fd));
	CHECK_OK(__wasi_fd_datasync(fd));
	/* fdstat: type, flags, rights that only shrink */
	CHECK_OK(__wasi_fd_fdstat_get(fd, &fs));
	CHECK(fs.fs_filetype == __WASI_FILETYPE_REGULAR_FILE);
	CHECK(fs.fs_flags == 0);
	CHECK((fs.fs_rights_base & __WASI_RIGHTS_FD_SEEK) != 0);
	CHECK_OK(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
	CHECK_OK(__wasi_fd_fdstat_get(fd, &fs));
	CHECK(fs.fs_flags == __WASI_FDFLAGS_APPEND);
	CHECK_OK(__wasi_fd_fdstat_set_rights(fd, __WASI_RIGHTS_FD_READ, 0));
	CHECK_OK(__wasi_fd_fdstat_get(fd, &fs));
	CHECK(fs.fs_rights_base == __WASI_RIGHTS_FD_READ);
	CHECK_ERR(__wasi_fd_fdstat_set_rights(fd, RIGHTS_ALL, 0),
	          __WASI_ERRNO_NOTCAPABLE);
	CHECK(wt_write(fd, "x", 1) == -__WASI_ERRNO_NOTCAPABLE);
	CHECK_ERR(__wasi_fd_filestat_set_size(fd, 0), __WASI_ERRNO_NOTCAPABLE);
	CHECK_OK(__wasi_fd_close(fd));
}

static void test_dir_and_misc(void)
{
	__wasi_prestat_t ps;
	__wasi_fdstat_t fs;
	__wasi_filesize_t pos;
	char name[8];
	int a, b;

	CHECK_OK(__wasi_fd_prestat_get(DIRFD, &ps));
	CHECK(ps.tag == __WASI_PREOPENTYPE_DIR && ps.u.dir.pr_name_len == 1);
	CHECK_OK(__wasi_fd_prestat_dir_name(DIRFD, (uint8_t *)name, 1));
	CHECK(name[0] == '/');
	CHECK_ERR(__wasi_fd_prestat_dir_name(DIRFD, (uint8_t *)name, 0),
	          __WASI_ERRNO_NAMETOOLONG);
	CHECK_ERR(__wasi_fd_prestat_get(0, &ps), __WASI_ERRNO_BADF);
	CHECK_ERR(__wasi_fd_prestat_get(99, &ps), __WASI_ERRNO_BADF);
	CHECK_OK(__wasi_fd_fdstat_get(DIRFD, &fs));
	CHECK(fs.fs_filetype == __WASI_FILETYPE_DIRECTORY);
	CHECK(wt_read(DIRFD, name, 1) == -__WASI_ERRNO_ISDIR);
	CHECK_ERR(__wasi_fd_seek(DIRFD, 0, __WASI_WHENCE_SET, &pos),
	          __WASI_ERRNO_BADF);
	/* the runner gives a pipe as stdin: no seeking */
	CHECK_ERR(__wasi_fd_seek(0, 0, __WASI_WHENCE_SET, &pos),
	          __WASI_ERRNO_SPIPE);
	/* renumber: 'from' moves onto 'to' and is closed */
	a = wt_open("r1", __WASI_OFLAGS_CREAT, RIGHTS_ALL, 0);
	b = wt_open("r2", __WASI_OFLAGS_CREAT, RIGHTS_ALL, 0);
	CHECK(a > 3 && b > a);
	CHECK(wt_write(a, "A", 1) == 1);
	CHECK_OK(__wasi_fd_renumber(a, b));
	CHECK_ERR(__wasi_fd_fdstat_get(a, &fs), __WASI_ERRNO_BADF);
	CHECK_OK(__wasi_fd_tell(b, &pos));
	CHECK(pos == 1);
	CHECK_ERR(__wasi_fd_renumber(a, b), __WASI_ERRNO_BADF);
	CHECK_ERR(__wasi_fd_renumber(b, 77), __WASI_ERRNO_BADF);
	CHECK_OK(__wasi_fd_close(b));
}

int main(void)
{
	test_rw();
	test_stat();
	test_dir_and_misc();
	return wt_done("wt_fd");
}
