/*
 * t_proc_exec.c: unit tests of src/proc/proc_exec.c with no WebAssembly
 * and no fork: the PATH search (first regular file wins, a directory
 * counts as EACCES, ENOENT when nothing is there, the default path, an
 * empty entry, an over-long candidate passed over), '#!' lines
 * (interpreter, one trimmed argument, CR, blanks, a line cut at its
 * bound, ENOEXEC), and spawn's file actions on an fd table (close,
 * preopens kept, dup2, cloexec cleared, open with rights, chdir,
 * fchdir and their errors).
 *
 * Guest paths resolve beneath a temporary directory made here.
 * Prints failures and "t_proc_exec: N passed, M failed"; exits 1 on
 * failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "proc/proc.h"
#include "t_check.h"
#include "vfs/vfs.h"

/* The guest root (a host directory) and the last candidate tried. */
struct t_root {
	int dirfd;
	char last[VFS_PATH_MAX + 1];
	unsigned tries;
};

/* proc_open_fn: guest path 'path' beneath the root ('/' is its top). */
static int t_open(void *ud, const char *path, int oflags, int *hfd)
{
	struct t_root *r = ud;

	snprintf(r->last, sizeof r->last, "%s", path);
	r->tries++;
	while (*path == '/')
		path++;
	*hfd = openat(r->dirfd, *path ? path : ".", oflags | O_CLOEXEC, 0644);
	return *hfd >= 0 ? 0 : errno;
}

static bool t_is_file(int fd, const char *content)
{
	char buf[32] = {0};
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);

	return n >= 0 && strcmp(buf, content) == 0;
}

static void test_path_search(struct t_root *r)
{
	char longpath[VFS_PATH_MAX + 64];
	int hfd = -1;

	CHECK(proc_path_search("prog", "/bin1:/bin2", t_open, r, &hfd) == 0);
	CHECK(t_is_file(hfd, "two"));
	close(hfd);
	/* A directory of that name: EACCES unless a file comes later. */
	CHECK(proc_path_search("prog", "/bin3", t_open, r, &hfd) == EACCES);
	CHECK(hfd == -1);
	CHECK(proc_path_search("prog", "/bin3:/bin2", t_open, r, &hfd) == 0);
	CHECK(t_is_file(hfd, "two"));
	close(hfd);
	CHECK(proc_path_search("nope", "/bin1:/bin2", t_open, r, &hfd) ==
	      ENOENT);
	/* An empty entry is the working directory (the root here). */
	CHECK(proc_path_search("top", "/bin1:", t_open, r, &hfd) == 0);
	CHECK(t_is_file(hfd, "top"));
	close(hfd);
	CHECK(strcmp(r->last, "top") == 0);
	/* The default path, in order. */
	r->tries = 0;
	CHECK(proc_path_search("nope", NULL, t_open, r, &hfd) == ENOENT);
	CHECK(r->tries == 3 && strcmp(r->last, "/usr/bin/nope") == 0);
	/* A candidate longer than a guest path is passed over. */
	memset(longpath, 'd', sizeof longpath);
	longpath[0] = '/';
	memcpy(longpath + sizeof longpath - 7, ":/bin2", 7);
	r->tries = 0;
	CHECK(proc_path_search("prog", longpath, t_open, r, &hfd) == 0);
	CHECK(r->tries == 1 && t_is_file(hfd, "two"));
	close(hfd);
}

/* Parses 'text' as script "/s.sh": the return value, and '*s'. */
static int t_parse(const char *text, struct proc_script *s)
{
	return proc_script_parse((const uint8_t *)text, strlen(text), "/s.sh",
	                         s);
}

static void test_script(void)
{
	struct proc_script s;
	char line[400];

	CHECK(t_parse("#!/bin/sh\necho hi\n", &s) == 0);
	CHECK(strcmp(s.interp, "/bin/sh") == 0 && s.arg == NULL);
	CHECK(strcmp(s.name, "/s.sh") == 0);
	proc_script_free(&s);
	CHECK(s.buf == NULL);
	CHECK(t_parse("#! /s1.sh \n", &s) == 0);
	CHECK(strcmp(s.interp, "/s1.sh") == 0 && s.arg == NULL);
	proc_script_free(&s);
	/* One argument: the rest of the line, blanks and CR trimmed. */
	CHECK(t_parse("#!\t/x.wasm  echo  hi \r\nrest", &s) == 0);
	CHECK(strcmp(s.interp, "/x.wasm") == 0);
	CHECK(s.arg != NULL && strcmp(s.arg, "echo  hi") == 0);
	proc_script_free(&s);
	CHECK(t_parse("#!/x.wasm\r\n", &s) == 0);
	CHECK(strcmp(s.interp, "/x.wasm") == 0 && s.arg == NULL);
	proc_script_free(&s);
	CHECK(t_parse("#!/no-newline", &s) == 0);
	CHECK(strcmp(s.interp, "/no-newline") == 0);
	proc_script_free(&s);
	/* No interpreter, or not a script. */
	CHECK(t_parse("#!\n", &s) == ENOEXEC && s.buf == NULL);
	CHECK(t_parse("#!  \t \n", &s) == ENOEXEC);
	CHECK(t_parse("#", &s) == ENOEXEC);
	CHECK(t_parse("\0asm", &s) == ENOEXEC);
	CHECK(t_parse("echo hi\n", &s) == ENOEXEC);
	/* The line is cut at its bound: "#!" and 254 bytes of name. */
	memset(line, 'a', sizeof line - 1);
	line[0] = '#';
	line[1] = '!';
	line[sizeof line - 1] = 0;
	CHECK(t_parse(line, &s) == 0);
	CHECK(strlen(s.interp) == PROC_SCRIPT_LINE_MAX - 2);
	proc_script_free(&s);
}

/* An entry of 'kind' for a fresh host fd of 'path' in the root. */
static struct vfs_entry *t_entry(struct t_root *r, const char *path,
                                 uint8_t kind)
{
	int hfd = openat(r->dirfd, path, O_RDONLY | O_CLOEXEC);

	return hfd >= 0 ? vfs_entry_new(hfd, kind, false) : NULL;
}

static void test_fdops(struct t_root *r)
{
	struct vfs_table t;
	char cwd[VFS_PATH_MAX + 1] = "/";
	struct proc_fdop_ctx cx = {&t, cwd, t_open, r};
	struct proc_fdop op;
	struct vfs_entry *e;

	vfs_table_init(&t, 64);
	e = t_entry(r, "top", VFS_FILE);
	CHECK(e != NULL && vfs_install_at(&t, e, 3) == 0);
	e = t_entry(r, ".", VFS_DIR);
	if (e != NULL)
		e->preopen = wx_malloc(2);
	CHECK(e != NULL && e->preopen != NULL && vfs_install_at(&t, e, 4) == 0);
	if (e != NULL && e->preopen != NULL)
		strcpy(e->preopen, "/");
	/* dup2: bad source, onto itself (clears cloexec), a copy. */
	memset(&op, 0, sizeof op);
	op.kind = PROC_FDOP_DUP2;
	op.src = 9;
	op.fd = 5;
	CHECK(proc_fdop_run(&cx, &op) == EBADF);
	CHECK(vfs_set_cloexec(&t, 3, true) == 0);
	op.src = op.fd = 3;
	CHECK(proc_fdop_run(&cx, &op) == 0 && !vfs_get_cloexec(&t, 3));
	op.fd = 5;
	CHECK(proc_fdop_run(&cx, &op) == 0 && vfs_get(&t, 5) == vfs_get(&t, 3));
	/* close: a preopen stays, another fd goes, a closed one is fine. */
	op.kind = PROC_FDOP_CLOSE;
	op.fd = 4;
	CHECK(proc_fdop_run(&cx, &op) == 0 && vfs_get(&t, 4) != NULL);
	op.fd = 5;
	CHECK(proc_fdop_run(&cx, &op) == 0 && vfs_get(&t, 5) == NULL);
	CHECK(proc_fdop_run(&cx, &op) == 0);
	/* open: the entry carries the rights and flags given. */
	op.kind = PROC_FDOP_OPEN;
	op.fd = 7;
	op.path = "bin2/prog";
	op.oflags = O_RDONLY;
	op.rights_base = 0x42;
	op.rights_inheriting = 0x7;
	op.fdflags = 1;
	CHECK(proc_fdop_run(&cx, &op) == 0);
	e = vfs_get(&t, 7);
	CHECK(e != NULL && e->rights_base == 0x42 &&
	      e->rights_inheriting == 0x7 && e->fdflags == 1);
	CHECK(e != NULL && t_is_file(e->host_fd, "two"));
	op.path = "missing";
	CHECK(proc_fdop_run(&cx, &op) == ENOENT);
	/* chdir: relative to the working directory; errors change none. */
	op.kind = PROC_FDOP_CHDIR;
	op.path = "bin3";
	CHECK(proc_fdop_run(&cx, &op) == 0 && strcmp(cwd, "/bin3") == 0);
	op.path = "../bin1/";
	CHECK(proc_fdop_run(&cx, &op) == 0 && strcmp(cwd, "/bin1") == 0);
	op.path = "";
	CHECK(proc_fdop_run(&cx, &op) == ENOENT);
	op.path = "/top";
	CHECK(proc_fdop_run(&cx, &op) == ENOTDIR);
	CHECK(strcmp(cwd, "/bin1") == 0);
	/* fchdir: bad fd, not a directory, a path unknown, a known one. */
	op.kind = PROC_FDOP_FCHDIR;
	op.fd = 9;
	CHECK(proc_fdop_run(&cx, &op) == EBADF);
	op.fd = 3;
	CHECK(proc_fdop_run(&cx, &op) == ENOTDIR);
	op.fd = 4;
	CHECK(proc_fdop_run(&cx, &op) == ENOTSUP);
	e = vfs_get(&t, 4);
	if (e != NULL)
		e->nspath = wx_malloc(6);
	CHECK(e != NULL && e->nspath != NULL);
	if (e != NULL && e->nspath != NULL) {
		strcpy(e->nspath, "/bin2");
		CHECK(proc_fdop_run(&cx, &op) == 0 &&
		      strcmp(cwd, "/bin2") == 0);
	}
	CHECK(strcmp(cwd, "/bin1") != 0);
	vfs_table_free(&t);
}

/* Writes 'text' to 'path' beneath 'dirfd'; true on success. */
static bool t_write(int dirfd, const char *path, const char *text)
{
	int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	bool ok =
	    fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);

	if (fd >= 0)
		close(fd);
	return ok;
}

int main(void)
{
	char tmpl[] = "/tmp/t_proc_exec.XXXXXX";
	char cmd[64];
	struct t_root r = {-1, {0}, 0};
	const char *dir = mkdtemp(tmpl);

	CHECK(dir != NULL);
	if (dir == NULL)
		return t_report("t_proc_exec");
	r.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(r.dirfd >= 0);
	CHECK(mkdirat(r.dirfd, "bin1", 0755) == 0 &&
	      mkdirat(r.dirfd, "bin2", 0755) == 0 &&
	      mkdirat(r.dirfd, "bin3", 0755) == 0 &&
	      mkdirat(r.dirfd, "bin3/prog", 0755) == 0);
	CHECK(t_write(r.dirfd, "bin2/prog", "two") &&
	      t_write(r.dirfd, "top", "top"));
	test_path_search(&r);
	test_script();
	test_fdops(&r);
	close(r.dirfd);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
	return t_report("t_proc_exec");
}
