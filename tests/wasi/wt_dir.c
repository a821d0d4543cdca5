/*
 * wt_dir.c: fd_readdir and its cookies. Creates 40 files, reads the
 * directory with raw fd_readdir into buffers of several sizes (including
 * ones that cut an entry in half), resumes from every cookie, and checks
 * that each name appears exactly once along with '.' and '..'; then the
 * same through wasi-libc's opendir/readdir/telldir/seekdir/rewinddir.
 * Errnos: ENOTDIR for a file, EBADF for a closed fd.
 */
#include "wt_check.h"

#include <dirent.h>
#include <stdlib.h>

#define NFILES 40

static int seen[NFILES + 2];

/* Records one name; returns 0 if unexpected. */
static int note(const char *name, size_t len)
{
	char buf[64];
	int i;

	if (len >= sizeof buf)
		return 0;
	memcpy(buf, name, len);
	buf[len] = 0;
	if (strcmp(buf, ".") == 0)
		return ++seen[NFILES], 1;
	if (strcmp(buf, "..") == 0)
		return ++seen[NFILES + 1], 1;
	if (sscanf(buf, "file%d", &i) != 1 || i < 0 || i >= NFILES)
		return 0;
	seen[i]++;
	return 1;
}

/* Reads the whole directory with buffers of 'bufsize' bytes. */
static int read_all(__wasi_fd_t fd, size_t bufsize)
{
	static uint8_t buf[4096];
	__wasi_dircookie_t cookie = __WASI_DIRCOOKIE_START;
	__wasi_size_t used;
	int rounds = 0, bad = 0;

	memset(seen, 0, sizeof seen);
	for (;;) {
		size_t off = 0;

		if (__wasi_fd_readdir(fd, buf, bufsize, cookie, &used) != 0 ||
		    ++rounds > 10000)
			return 0;
		while (off + sizeof(__wasi_dirent_t) <= used) {
			__wasi_dirent_t d;

			memcpy(&d, buf + off, sizeof d);
			if (off + sizeof d + d.d_namlen > used)
				break; /* cut: ask again from 'cookie' */
			bad += !note((char *)buf + off + sizeof d, d.d_namlen);
			cookie = d.d_next;
			off += sizeof d + d.d_namlen;
		}
		if (used < bufsize)
			break;
	}
	for (int i = 0; i < NFILES + 2; i++)
		bad += seen[i] != 1;
	return bad == 0;
}

static void test_raw(void)
{
	char name[32];
	__wasi_fd_t d;
	uint8_t buf[64];
	__wasi_size_t used;

	CHECK_OK(__wasi_path_create_directory(DIRFD, "dir"));
	for (int i = 0; i < NFILES; i++) {
		snprintf(name, sizeof name, "dir/file%d", i);
		int fd = wt_open(name, __WASI_OFLAGS_CREAT, RIGHTS_ALL, 0);
		CHECK(fd > 3);
		CHECK_OK(__wasi_fd_close(fd));
	}
	CHECK_OK(__wasi_path_open(DIRFD, 0, "dir", __WASI_OFLAGS_DIRECTORY,
	                          __WASI_RIGHTS_FD_READDIR, 0, 0, &d));
	CHECK(read_all(d, 4096));
	CHECK(read_all(d, 100)); /* cuts entries */
	CHECK(read_all(d, 30));  /* one entry at a time */
	CHECK(read_all(d, 37));
	CHECK(read_all(d, 4096)); /* again from the start */
	/* a cookie past the end reads nothing */
	CHECK_OK(__wasi_fd_readdir(d, buf, sizeof buf, 100000, &used));
	CHECK(used == 0);
	CHECK_OK(__wasi_fd_close(d));
	CHECK_ERR(__wasi_fd_readdir(d, buf, sizeof buf, 0, &used),
	          __WASI_ERRNO_BADF);
	int f = wt_open("dir/file0", 0, RIGHTS_ALL, 0);
	CHECK_ERR(__wasi_fd_readdir(f, buf, sizeof buf, 0, &used),
	          __WASI_ERRNO_NOTDIR);
	CHECK_OK(__wasi_fd_close(f));
}

static void test_libc(void)
{
	DIR *dir = opendir("/dir");
	struct dirent *de;
	long pos = -1;
	int n = 0, again = 0;
	char at[64] = "";

	CHECK(dir != NULL);
	if (dir == NULL)
		return;
	while ((de = readdir(dir)) != NULL) {
		if (++n == 10) {
			pos = telldir(dir);
		} else if (n == 11) {
			snprintf(at, sizeof at, "%s", de->d_name);
		}
	}
	CHECK(n == NFILES + 2);
	seekdir(dir, pos);
	de = readdir(dir);
	CHECK(de != NULL && strcmp(de->d_name, at) == 0);
	rewinddir(dir);
	while (readdir(dir) != NULL)
		again++;
	CHECK(again == n);
	CHECK(closedir(dir) == 0);
}

int main(void)
{
	test_raw();
	test_libc();
	return wt_done("wt_dir");
}
