/*
 * wx_root.c: the filesystem view of a WASIX program, through the import
 * calls wasix-libc makes (docs/filesystem.md). wasix-libc keeps the
 * leading '/' of every path it resolves against a root preopen and asks
 * the preopen's fdstat for rights before each open:
 * fd_fdstat_get(3) then path_open2(3, "/abs/path"). Regression tests for
 * the bugs found with real wasix-libc programs:
 *  - a root mapped at "/" could open nothing (absolute paths were
 *    ENOTCAPABLE);
 *  - no /dev; then /dev/tty listed by readdir but not stat-able with no
 *    terminal (busybox ls /dev complained);
 *  - a script's own fd 3 (dup2 onto it, write, close) cut libc off from
 *    its root.
 * Run with no terminal on fds 0-2 and --dir ROOT::/ where ROOT holds
 * r.txt ("root file\n") and an empty directory tmp/ and this program as
 * wx_root.wasm. 'wx_root data'
 * expects ROOT at /data instead (no root mapping: "/" is virtual). One
 * "ok" line per group ('ok child' lines come from exec'd copies).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wasi/api.h>

#include "wasix/wasix.h"
#include "wx_check.h"

#define RIGHTS_ALL 0x1fffffffull

/* Rights a read-only open leaves out (wasix-libc's openat). */
#define RIGHTS_WRITE                                                           \
	(__WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_WRITE |                  \
	 __WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE)

/*
 * open() as wasix-libc does it: the root fd's rights, then path_open2
 * (O_RDWR, or O_RDONLY for a directory).
 */
static int32_t libc_open(const char *path, uint16_t oflags, uint32_t *fd)
{
	uint64_t max = RIGHTS_ALL;
	__wasi_fdstat_t st;
	int32_t rc = __wasi_fd_fdstat_get(3, &st);

	if (rc != 0)
		return rc;
	if (oflags & __WASI_OFLAGS_DIRECTORY)
		max &= ~(uint64_t)RIGHTS_WRITE;
	return wasix_path_open2(3, 1, path, strlen(path), oflags,
	                        max & st.fs_rights_inheriting,
	                        st.fs_rights_inheriting, 0, 0, fd);
}

static void read_all(uint32_t fd, char *buf, size_t cap)
{
	__wasi_iovec_t iov = {(uint8_t *)buf, cap - 1};
	__wasi_size_t n = 0;

	CHECK(__wasi_fd_read(fd, &iov, 1, &n) == 0);
	buf[n] = 0;
}

static void write_str(uint32_t fd, const char *s)
{
	__wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
	__wasi_size_t n = 0;

	CHECK(__wasi_fd_write(fd, &iov, 1, &n) == 0 && n == strlen(s));
}

/* The names of directory 'path', sorted into one space-separated line. */
static void list(const char *path, char *out, size_t cap)
{
	char names[32][32], buf[2048];
	uint32_t fd, off = 0;
	__wasi_size_t used = 0;
	int n = 0;

	CHECK(libc_open(path, __WASI_OFLAGS_DIRECTORY, &fd) == 0);
	CHECK(__wasi_fd_readdir(fd, (uint8_t *)buf, sizeof buf, 0, &used) == 0);
	while (off + sizeof(__wasi_dirent_t) <= used && n < 32) {
		__wasi_dirent_t d;

		memcpy(&d, buf + off, sizeof d);
		off += sizeof d;
		if (d.d_namlen < 32 && buf[off] != '.') {
			memcpy(names[n], buf + off, d.d_namlen);
			names[n++][d.d_namlen] = 0;
		}
		off += d.d_namlen;
	}
	CHECK(__wasi_fd_close(fd) == 0);
	for (int i = 1; i < n; i++) /* insertion sort */
		for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0;
		     j--) {
			char t[32];

			strcpy(t, names[j]);
			strcpy(names[j], names[j - 1]);
			strcpy(names[j - 1], t);
		}
	out[0] = 0;
	for (int i = 0; i < n; i++)
		snprintf(out + strlen(out), cap - strlen(out), "%s%s",
		         i ? " " : "", names[i]);
}

static void test_root(const char *r_txt)
{
	__wasi_filestat_t fs;
	char buf[64];
	uint32_t fd, len = sizeof buf;

	CHECK(libc_open(r_txt, 0, &fd) == 0);
	read_all(fd, buf, sizeof buf);
	CHECK(strcmp(buf, "root file\n") == 0);
	CHECK(__wasi_fd_close(fd) == 0);
	CHECK(__wasi_path_filestat_get(3, 0, "/", &fs) == 0);
	CHECK(fs.filetype == __WASI_FILETYPE_DIRECTORY);
	CHECK(wasix_chdir("/", 1) == 0);
	CHECK(wasix_getcwd(buf, &len) == 0 && strcmp(buf, "/") == 0);
	/* Absolute paths ignore the directory fd, as openat(2). */
	CHECK(wasix_path_open2(0, 1, r_txt, strlen(r_txt), 0, RIGHTS_ALL,
	                       RIGHTS_ALL, 0, 0, &fd) == 0);
	CHECK(__wasi_fd_close(fd) == 0);
	printf("ok absolute paths from the root preopen\n");
}

static void test_dev(void)
{
	__wasi_filestat_t fs;
	char buf[64];
	uint32_t fd;

	CHECK(libc_open("/dev/null", 0, &fd) == 0);
	write_str(fd, "gone");
	read_all(fd, buf, sizeof buf);
	CHECK(buf[0] == 0);
	CHECK(__wasi_fd_close(fd) == 0);
	CHECK(libc_open("/dev/zero", 0, &fd) == 0);
	memset(buf, 1, sizeof buf);
	read_all(fd, buf, 9);
	CHECK(memcmp(buf, "\0\0\0\0\0\0\0\0", 8) == 0);
	CHECK(__wasi_fd_close(fd) == 0);
	CHECK(__wasi_path_filestat_get(3, 0, "/dev/null", &fs) == 0);
	CHECK(fs.filetype == __WASI_FILETYPE_CHARACTER_DEVICE);
	CHECK(__wasi_path_filestat_get(3, 0, "/dev", &fs) == 0);
	CHECK(fs.filetype == __WASI_FILETYPE_DIRECTORY);
	CHECK(libc_open("/dev/nope", 0, &fd) == __WASI_ERRNO_NOENT);
	CHECK(libc_open("/dev/null/x", 0, &fd) == __WASI_ERRNO_NOTDIR);
	/* Run with no terminal: /dev/tty exists but cannot be opened. */
	CHECK(__wasi_path_filestat_get(3, 0, "/dev/tty", &fs) == 0);
	CHECK(fs.filetype == __WASI_FILETYPE_CHARACTER_DEVICE);
	CHECK(libc_open("/dev/tty", 0, &fd) == __WASI_ERRNO_NXIO);
	CHECK(libc_open("/dev/stdout", 0, &fd) == 0);
	write_str(fd, "written to /dev/stdout\n");
	CHECK(__wasi_fd_close(fd) == 0);
	list("/dev", buf, sizeof buf);
	CHECK(strcmp(buf, "null random stderr stdin stdout tty urandom zero") ==
	      0);
	printf("ok /dev: null, zero, stdout, tty, stat, readdir, errors\n");
}

/* A shell's `exec 3>f; echo x >&3; exec 3>&-; cat f`, then a daemon's
 * close-everything: libc keeps reaching its files. */
static void test_fd3(const char *tmp_o)
{
	__wasi_fdstat_t st;
	char buf[64];
	uint32_t fd;

	CHECK(libc_open(tmp_o, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
	                &fd) == 0);
	/* No path_open import: the root does not hold fd 3, so the first
	 * open gets it, as on Linux (docs/filesystem.md). */
	CHECK(fd == 3);
	CHECK(__wasi_fd_renumber(3, 7) == 0); /* WASIX: dup2 */
	CHECK(__wasi_fd_close(3) == 0);
	CHECK(__wasi_fd_renumber(7, 3) == 0);
	CHECK(__wasi_fd_close(7) == 0);
	write_str(3, "x\n");
	CHECK(__wasi_fd_close(3) == 0);
	CHECK(__wasi_fd_close(3) == __WASI_ERRNO_BADF);
	CHECK(__wasi_fd_fdstat_get(3, &st) == 0); /* answers as the root */
	CHECK(libc_open(tmp_o, 0, &fd) == 0);
	read_all(fd, buf, sizeof buf);
	CHECK(strcmp(buf, "x\n") == 0);
	CHECK(__wasi_fd_close(fd) == 0);
	for (uint32_t i = 3; i < 64; i++)
		(void)!__wasi_fd_close(i); /* most are not open */
	CHECK(libc_open(tmp_o, 0, &fd) == 0 && fd == 3);
	CHECK(__wasi_fd_close(fd) == 0);
	CHECK(__wasi_path_unlink_file(3, tmp_o) == 0);
	printf("ok the program's own fd 3: dup2, write, close, close all\n");
}

/* Absolute symlinks resolve from the guest root (a busybox install). */
static void test_abslinks(const char *dir, const char *r_txt)
{
	char l[64], n[64], a[64], b[64], self[64], buf[64];
	char *argv[] = {self, "child", (char *)r_txt, NULL};
	__wasi_filestat_t fs;
	__wasi_size_t used;
	uint32_t fd;
	int st = 0;
	pid_t pid;

	snprintf(l, sizeof l, "%s/l", dir);
	snprintf(n, sizeof n, "%s/n", dir);
	snprintf(a, sizeof a, "%s/a", dir);
	snprintf(b, sizeof b, "%s/b", dir);
	snprintf(self, sizeof self, "%s/self", dir);
	CHECK(__wasi_path_symlink(r_txt, 3, l) == 0);
	CHECK(libc_open(l, 0, &fd) == 0);
	read_all(fd, buf, sizeof buf);
	CHECK(strcmp(buf, "root file\n") == 0);
	CHECK(__wasi_fd_close(fd) == 0);
	CHECK(__wasi_path_readlink(3, l, (uint8_t *)buf, sizeof buf, &used) ==
	          0 &&
	      used == strlen(r_txt) && memcmp(buf, r_txt, used) == 0);
	CHECK(__wasi_path_filestat_get(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, l,
	                               &fs) == 0 &&
	      fs.size == 10);
	CHECK(__wasi_path_symlink("/dev/null", 3, n) == 0);
	CHECK(__wasi_path_filestat_get(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, n,
	                               &fs) == 0 &&
	      fs.filetype == __WASI_FILETYPE_CHARACTER_DEVICE);
	CHECK(__wasi_path_symlink(b, 3, a) == 0);
	CHECK(__wasi_path_symlink(a, 3, b) == 0);
	CHECK(libc_open(a, 0, &fd) == __WASI_ERRNO_LOOP);
	/* exec through a link, as /bin/sh -> /bin/busybox */
	snprintf(buf, sizeof buf, "%s/wx_root.wasm",
	         strcmp(dir, "/tmp") == 0 ? "" : "/data");
	CHECK(__wasi_path_symlink(buf, 3, self) == 0);
	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		execv(self, argv);
		_exit(99);
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(__wasi_path_unlink_file(3, l) == 0 &&
	      __wasi_path_unlink_file(3, n) == 0 &&
	      __wasi_path_unlink_file(3, a) == 0 &&
	      __wasi_path_unlink_file(3, b) == 0 &&
	      __wasi_path_unlink_file(3, self) == 0);
	printf("ok absolute symlinks: file, /dev/null, loop, exec\n");
}

/*
 * An exec'd program finds its root at fd 3 whatever the parent left
 * there (wasix-libc scans fd_prestat_get from 3 at start-up), and gets
 * usable rights from fd 3's fdstat even when it is the parent's pipe.
 */
static void test_child(const char *r_txt)
{
	__wasi_prestat_t ps;
	__wasi_fdstat_t st;
	char name[8], buf[64];
	uint32_t fd;

	CHECK(__wasi_fd_prestat_get(3, &ps) == 0 && ps.u.dir.pr_name_len == 1);
	CHECK(__wasi_fd_prestat_dir_name(3, (uint8_t *)name, 1) == 0 &&
	      name[0] == '/');
	CHECK(__wasi_fd_fdstat_get(3, &st) == 0);
	CHECK(st.fs_rights_inheriting & __WASI_RIGHTS_FD_SEEK);
	CHECK(libc_open(r_txt, 0, &fd) == 0);
	read_all(fd, buf, sizeof buf);
	CHECK(strcmp(buf, "root file\n") == 0);
	printf("ok child\n");
}

/* Runs 'wx_root child R_TXT' with fd 3 closed (close3) or a pipe. */
static void test_exec(const char *self, const char *r_txt, bool close3)
{
	char *argv[] = {(char *)self, "child", (char *)r_txt, NULL};
	int p[2], st = 0;
	pid_t pid;

	CHECK(pipe(p) == 0);
	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (close3)
			close(3);
		else
			dup2(p[0], 3);
		execv(self, argv);
		_exit(99);
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(p[0]);
	close(p[1]);
	printf("ok exec with fd 3 %s finds the root\n",
	       close3 ? "closed" : "a pipe");
}

int main(int argc, char **argv)
{
	char buf[128];

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 2 && strcmp(argv[1], "child") == 0) {
		test_child(argv[2]);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "data") == 0) {
		test_root("/data/r.txt");
		list("/", buf, sizeof buf);
		CHECK(strcmp(buf, "data dev") == 0);
		printf("ok a virtual root lists its mounts\n");
		test_dev();
		test_fd3("/data/tmp/o.txt");
		test_exec("/data/wx_root.wasm", "/data/r.txt", true);
		test_exec("/data/wx_root.wasm", "/data/r.txt", false);
		test_abslinks("/data/tmp", "/data/r.txt");
		return 0;
	}
	test_root("/r.txt");
	test_dev();
	test_fd3("/tmp/o.txt");
	test_exec("/wx_root.wasm", "/r.txt", true);
	test_exec("/wx_root.wasm", "/r.txt", false);
	test_abslinks("/tmp", "/r.txt");
	return 0;
}
