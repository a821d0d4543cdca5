/*
 * wt_path.c: the path_* family in a scratch directory: open with every
 * oflag and lookup flag, create/remove directories, link, symlink,
 * readlink, rename, unlink, filestat get/set_times (with the *_NOW flags,
 * following symlinks or not), and the errnos POSIX and WASI give:
 * ENOENT, EEXIST, ENOTDIR, EISDIR, ENOTEMPTY, ELOOP, EINVAL, ENOTCAPABLE.
 */
#include "wt_check.h"

#define R_RW (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE)

static int mkfile(const char *p, const char *s)
{
	int fd = wt_open(p, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
	                 RIGHTS_ALL, 0);

	if (fd < 0)
		return fd;
	wt_write(fd, s, strlen(s));
	return __wasi_fd_close(fd);
}

static void test_open(void)
{
	__wasi_fd_t fd;
	__wasi_fdstat_t fs;

	CHECK(mkfile("a.txt", "abc") == 0);
	CHECK(wt_open("a.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL,
	              RIGHTS_ALL, 0) == -__WASI_ERRNO_EXIST);
	CHECK(wt_open("missing", 0, RIGHTS_ALL, 0) == -__WASI_ERRNO_NOENT);
	CHECK(wt_open("a.txt", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READ,
	              0) == -__WASI_ERRNO_NOTDIR);
	CHECK(wt_open("a.txt/x", 0, RIGHTS_ALL, 0) == -__WASI_ERRNO_NOTDIR);
	CHECK(wt_open("", 0, RIGHTS_ALL, 0) == -__WASI_ERRNO_NOENT);
	CHECK_OK(__wasi_path_create_directory(DIRFD, "d"));
	CHECK(wt_open("d", 0, R_RW, 0) == -__WASI_ERRNO_ISDIR);
	CHECK(wt_open("d", __WASI_OFLAGS_DIRECTORY, R_RW, 0) ==
	      -__WASI_ERRNO_ISDIR);
	__wasi_fd_t dfd;
	CHECK_OK(__wasi_path_open(DIRFD, 0, "d", __WASI_OFLAGS_DIRECTORY,
	                          RIGHTS_ALL &
	                              ~(__wasi_rights_t)__WASI_RIGHTS_FD_WRITE,
	                          RIGHTS_ALL, 0, &dfd));
	CHECK(dfd > 3);
	/* a file opened beneath an opened directory */
	CHECK_OK(__wasi_path_open(dfd, 0, "in.txt", __WASI_OFLAGS_CREAT,
	                          RIGHTS_ALL, 0, __WASI_FDFLAGS_APPEND, &fd));
	CHECK_OK(__wasi_fd_fdstat_get(fd, &fs));
	CHECK(fs.fs_flags == __WASI_FDFLAGS_APPEND);
	CHECK(wt_write(fd, "12", 2) == 2);
	CHECK_OK(__wasi_fd_close(fd));
	/* TRUNC empties; a read-only fd cannot write (ENOTCAPABLE) */
	fd = (__wasi_fd_t)wt_open("a.txt", __WASI_OFLAGS_TRUNC, R_RW, 0);
	CHECK((int)fd > 3);
	__wasi_filestat_t st;
	CHECK_OK(__wasi_fd_close(fd));
	CHECK_OK(__wasi_path_filestat_get(DIRFD, 0, "a.txt", &st));
	CHECK(st.size == 0);
	fd = (__wasi_fd_t)wt_open("a.txt", 0, __WASI_RIGHTS_FD_READ, 0);
	CHECK(wt_write(fd, "x", 1) == -__WASI_ERRNO_NOTCAPABLE);
	CHECK_OK(__wasi_fd_close(fd));
	/* a dir fd without PATH_OPEN cannot open */
	CHECK_OK(__wasi_fd_fdstat_set_rights(dfd, __WASI_RIGHTS_FD_READDIR, 0));
	CHECK_ERR(__wasi_path_open(dfd, 0, "in.txt", 0, 0, 0, 0, &fd),
	          __WASI_ERRNO_NOTCAPABLE);
	/* a file is not a directory fd */
	fd = (__wasi_fd_t)wt_open("d/in.txt", 0, RIGHTS_ALL, 0);
	CHECK_ERR(__wasi_path_open(fd, 0, "x", 0, 0, 0, 0, &dfd),
	          __WASI_ERRNO_NOTDIR);
	/* a file inherits no more than its directory allows */
	__wasi_fd_t dfd2, f2;
	CHECK_OK(__wasi_path_open(DIRFD, 0, "d", __WASI_OFLAGS_DIRECTORY,
	                          RIGHTS_ALL &
	                              ~(__wasi_rights_t)__WASI_RIGHTS_FD_WRITE,
	                          __WASI_RIGHTS_FD_READ, 0, &dfd2));
	CHECK_OK(__wasi_path_open(dfd2, 0, "in.txt", 0, RIGHTS_ALL, 0, 0, &f2));
	CHECK(wt_write(f2, "x", 1) == -__WASI_ERRNO_NOTCAPABLE);
	CHECK_OK(__wasi_fd_close(f2));
	CHECK_OK(__wasi_fd_close(dfd2));
	CHECK_OK(__wasi_fd_close(fd));
}

static void test_dirs(void)
{
	CHECK_OK(__wasi_path_create_directory(DIRFD, "e"));
	CHECK_ERR(__wasi_path_create_directory(DIRFD, "e"), __WASI_ERRNO_EXIST);
	CHECK_ERR(__wasi_path_create_directory(DIRFD, "nope/e"),
	          __WASI_ERRNO_NOENT);
	CHECK(mkfile("e/f", "x") == 0);
	CHECK_ERR(__wasi_path_remove_directory(DIRFD, "e"),
	          __WASI_ERRNO_NOTEMPTY);
	CHECK_ERR(__wasi_path_remove_directory(DIRFD, "e/f"),
	          __WASI_ERRNO_NOTDIR);
	CHECK_ERR(__wasi_path_unlink_file(DIRFD, "e"), __WASI_ERRNO_ISDIR);
	CHECK_ERR(__wasi_path_unlink_file(DIRFD, "e/f/"), __WASI_ERRNO_NOTDIR);
	CHECK_OK(__wasi_path_unlink_file(DIRFD, "e/f"));
	CHECK_ERR(__wasi_path_unlink_file(DIRFD, "e/f"), __WASI_ERRNO_NOENT);
	CHECK_OK(__wasi_path_remove_directory(DIRFD, "e/"));
	CHECK_ERR(__wasi_path_remove_directory(DIRFD, "e"), __WASI_ERRNO_NOENT);
	CHECK_ERR(__wasi_path_remove_directory(DIRFD, "."), __WASI_ERRNO_INVAL);
}

static void test_links(void)
{
	__wasi_filestat_t st, st2;
	__wasi_size_t n;
	char buf[32];

	CHECK(mkfile("t.txt", "target") == 0);
	CHECK_OK(__wasi_path_symlink("t.txt", DIRFD, "sl"));
	CHECK_ERR(__wasi_path_symlink("t.txt", DIRFD, "sl"),
	          __WASI_ERRNO_EXIST);
	CHECK_OK(
	    __wasi_path_readlink(DIRFD, "sl", (uint8_t *)buf, sizeof buf, &n));
	CHECK(n == 5 && memcmp(buf, "t.txt", 5) == 0);
	CHECK_OK(__wasi_path_readlink(DIRFD, "sl", (uint8_t *)buf, 2, &n));
	CHECK(n == 2); /* truncated, as wasmtime does */
	CHECK_ERR(__wasi_path_readlink(DIRFD, "t.txt", (uint8_t *)buf, 9, &n),
	          __WASI_ERRNO_INVAL);
	CHECK_OK(__wasi_path_filestat_get(DIRFD, 0, "sl", &st));
	CHECK(st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
	CHECK_OK(__wasi_path_filestat_get(
	    DIRFD, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "sl", &st));
	CHECK(st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.size == 6);
	/* open without SYMLINK_FOLLOW on a symlink: ELOOP */
	__wasi_fd_t fd;
	CHECK_ERR(__wasi_path_open(DIRFD, 0, "sl", 0, RIGHTS_ALL, 0, 0, &fd),
	          __WASI_ERRNO_LOOP);
	/* hard links */
	CHECK_OK(__wasi_path_link(DIRFD, 0, "t.txt", DIRFD, "hl"));
	CHECK_OK(__wasi_path_filestat_get(DIRFD, 0, "hl", &st2));
	CHECK(st2.nlink == 2 && st2.ino == st.ino);
	CHECK_ERR(__wasi_path_link(DIRFD, 0, "t.txt", DIRFD, "hl"),
	          __WASI_ERRNO_EXIST);
	CHECK_ERR(__wasi_path_link(DIRFD, 0, "nope", DIRFD, "hl2"),
	          __WASI_ERRNO_NOENT);
	CHECK_OK(__wasi_path_create_directory(DIRFD, "ld"));
	CHECK_ERR(__wasi_path_link(DIRFD, 0, "ld", DIRFD, "hl3"),
	          __WASI_ERRNO_PERM);
	/* times through the path, with and without following */
	CHECK_OK(__wasi_path_filestat_set_times(
	    DIRFD, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "sl", 5000000000ull,
	    6000000000ull, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
	CHECK_OK(__wasi_path_filestat_get(DIRFD, 0, "t.txt", &st));
	CHECK(st.atim == 5000000000ull && st.mtim == 6000000000ull);
	CHECK_OK(__wasi_path_filestat_set_times(DIRFD, 0, "t.txt", 0, 0,
	                                        __WASI_FSTFLAGS_ATIM_NOW |
	                                            __WASI_FSTFLAGS_MTIM_NOW));
	CHECK_OK(__wasi_path_filestat_get(DIRFD, 0, "t.txt", &st));
	CHECK(st.atim > 6000000000ull && st.mtim > 6000000000ull);
	CHECK_ERR(__wasi_path_filestat_set_times(DIRFD, 0, "t.txt", 0, 0,
	                                         __WASI_FSTFLAGS_MTIM |
	                                             __WASI_FSTFLAGS_MTIM_NOW),
	          __WASI_ERRNO_INVAL);
	/* rename */
	CHECK_OK(__wasi_path_rename(DIRFD, "hl", DIRFD, "hl.renamed"));
	CHECK_ERR(__wasi_path_filestat_get(DIRFD, 0, "hl", &st),
	          __WASI_ERRNO_NOENT);
	CHECK_ERR(__wasi_path_rename(DIRFD, "hl", DIRFD, "x"),
	          __WASI_ERRNO_NOENT);
	CHECK_ERR(__wasi_path_rename(DIRFD, "hl.renamed", DIRFD, "ld"),
	          __WASI_ERRNO_ISDIR);
	CHECK_ERR(__wasi_path_rename(DIRFD, "ld", DIRFD, "hl.renamed"),
	          __WASI_ERRNO_NOTDIR);
	CHECK(mkfile("ld/inner", "x") == 0);
	CHECK_OK(__wasi_path_create_directory(DIRFD, "ld2"));
	CHECK_ERR(__wasi_path_rename(DIRFD, "ld2", DIRFD, "ld"),
	          __WASI_ERRNO_NOTEMPTY);
	CHECK_OK(__wasi_path_rename(DIRFD, "ld", DIRFD, "ld2"));
	CHECK_OK(__wasi_path_filestat_get(DIRFD, 0, "ld2/inner", &st));
	CHECK_OK(__wasi_path_unlink_file(DIRFD, "sl"));
	CHECK_OK(__wasi_path_filestat_get(DIRFD, 0, "t.txt", &st));
	/* a symlink with an absolute target is refused */
	CHECK_ERR(__wasi_path_symlink("/etc/passwd", DIRFD, "abs"),
	          __WASI_ERRNO_NOTCAPABLE);
}

int main(void)
{
	test_open();
	test_dirs();
	test_links();
	return wt_done("wt_path");
}
