/*
 * wt_sandbox.c: nothing outside the preopens is reachable. The runner
 * (tests/run_wasi.sh) builds this tree and runs
 *   wasmix run --dir SBX/root::/ --mapdir /other::SBX/other
 *              --dir /proc/self::/proc wt_sandbox.wasm
 *
 *   SBX/outside/secret.txt   "SECRET"   (must stay unreachable)
 *   SBX/other/o.txt          "other"
 *   SBX/root/file.txt        "inside"
 *   SBX/root/sub/            a directory; sub/up -> ../..
 *   SBX/root/link_out -> ../outside    link_abs -> /etc
 *   SBX/root/loop1 -> loop2, loop2 -> loop1, self -> self
 *   SBX/root/rel_ok -> sub   procself -> /proc/self
 *
 * Every escape must fail with ENOTCAPABLE (or ELOOP for loops and magic
 * links) and never read or create anything outside; the runner then
 * checks that SBX/outside is unchanged.
 */
#include "wt_check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#define NOTCAP __WASI_ERRNO_NOTCAPABLE

/* path_open of 'p' beneath 'dir' following symlinks; the errno. */
static int try_open(__wasi_fd_t dir, const char *p, __wasi_oflags_t of)
{
	__wasi_fd_t fd;
	int e = __wasi_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, p, of,
	                         RIGHTS_ALL, RIGHTS_ALL, 0, &fd);

	if (e == 0) {
		char buf[16] = "";
		__wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
		__wasi_size_t n;

		if (__wasi_fd_read(fd, &iov, 1, &n) == 0 &&
		    memcmp(buf, "SECRET", 6) == 0)
			printf("ESCAPED through %s\n", p);
		(void)__wasi_fd_close(fd);
	}
	return e;
}

static void test_preopens(void)
{
	__wasi_prestat_t ps;
	char name[16];

	CHECK_OK(__wasi_fd_prestat_get(3, &ps));
	CHECK(ps.u.dir.pr_name_len == 1);
	CHECK_OK(__wasi_fd_prestat_get(4, &ps));
	CHECK(ps.u.dir.pr_name_len == 6);
	CHECK_OK(__wasi_fd_prestat_dir_name(4, (uint8_t *)name, 6));
	CHECK(memcmp(name, "/other", 6) == 0);
	CHECK_OK(__wasi_fd_prestat_get(5, &ps));
	CHECK_ERR(__wasi_fd_prestat_get(6, &ps), __WASI_ERRNO_BADF);
	CHECK_OK(try_open(3, "file.txt", 0));
	CHECK_OK(try_open(4, "o.txt", 0));
	CHECK_OK(try_open(3, "rel_ok/../file.txt", 0));
	CHECK_OK(try_open(3, "sub/../sub/./../file.txt", 0));
	FILE *f = fopen("/other/o.txt", "r");
	CHECK(f != NULL);
	if (f)
		fclose(f);
}

static void test_escapes(void)
{
	__wasi_filestat_t st;
	__wasi_fd_t fd;

	CHECK_ERR(try_open(3, "../outside/secret.txt", 0), NOTCAP);
	CHECK_ERR(try_open(3, "..", 0), NOTCAP);
	CHECK_ERR(try_open(3, "sub/../../outside/secret.txt", 0), NOTCAP);
	CHECK_ERR(try_open(3, "/etc/passwd", 0), NOTCAP);
	CHECK_ERR(try_open(3, "link_out/secret.txt", 0), NOTCAP);
	CHECK_ERR(try_open(3, "link_abs/passwd", 0), NOTCAP);
	CHECK_ERR(try_open(3, "link_abs", 0), NOTCAP);
	CHECK_ERR(try_open(3, "sub/up/outside/secret.txt", 0), NOTCAP);
	CHECK_ERR(try_open(3, "procself/root/etc/passwd", 0), NOTCAP);
	CHECK_ERR(try_open(3, "loop1", 0), __WASI_ERRNO_LOOP);
	CHECK_ERR(try_open(3, "loop1/x", 0), __WASI_ERRNO_LOOP);
	CHECK_ERR(try_open(3, "self", 0), __WASI_ERRNO_LOOP);
	CHECK_ERR(try_open(4, "../root/file.txt", 0), NOTCAP);
	/* creating things outside */
	CHECK_ERR(try_open(3, "link_out/new.txt", __WASI_OFLAGS_CREAT), NOTCAP);
	CHECK_ERR(try_open(3, "../new.txt", __WASI_OFLAGS_CREAT), NOTCAP);
	CHECK_ERR(__wasi_path_create_directory(3, "../newdir"), NOTCAP);
	CHECK_ERR(__wasi_path_create_directory(3, "link_out/newdir"), NOTCAP);
	CHECK_ERR(__wasi_path_unlink_file(3, "link_out/secret.txt"), NOTCAP);
	CHECK_ERR(__wasi_path_rename(3, "file.txt", 3, "../moved"), NOTCAP);
	CHECK_ERR(__wasi_path_rename(3, "link_out/secret.txt", 3, "stolen"),
	          NOTCAP);
	CHECK_ERR(__wasi_path_link(3, 0, "link_out/secret.txt", 3, "hl"),
	          NOTCAP);
	CHECK_ERR(__wasi_path_symlink("x", 3, "../sl"), NOTCAP);
	CHECK_ERR(__wasi_path_filestat_get(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW,
	                                   "link_out", &st),
	          NOTCAP);
	CHECK_ERR(__wasi_path_filestat_set_times(
	              3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW,
	              "link_out/secret.txt", 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
	          NOTCAP);
	/* the symlinks themselves are visible, not followed */
	CHECK_OK(__wasi_path_filestat_get(3, 0, "link_abs", &st));
	CHECK(st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
	/* a relative symlink that points out is created but never followed */
	CHECK_OK(__wasi_path_symlink("../outside", 3, "made_out"));
	CHECK_ERR(try_open(3, "made_out/secret.txt", 0), NOTCAP);
	CHECK_OK(__wasi_path_unlink_file(3, "made_out"));
	/* /proc/self through a preopen of it: magic links stay shut */
	int e = try_open(5, "root/etc/passwd", 0);
	CHECK(e == NOTCAP || e == __WASI_ERRNO_LOOP);
	e = try_open(5, "cwd/secret.txt", 0);
	CHECK(e == NOTCAP || e == __WASI_ERRNO_LOOP);
	e = try_open(5, "fd/3/../outside/secret.txt", 0);
	CHECK(e == NOTCAP || e == __WASI_ERRNO_LOOP);
	/* an opened subdirectory is a new root for '..' too */
	CHECK_OK(__wasi_path_open(3, 0, "sub", __WASI_OFLAGS_DIRECTORY,
	                          __WASI_RIGHTS_PATH_OPEN, RIGHTS_ALL, 0, &fd));
	CHECK_ERR(try_open(fd, "../file.txt", 0), NOTCAP);
	CHECK_OK(__wasi_fd_close(fd));
	/* libc's view: a plain EPERM-ish failure, nothing opened */
	errno = 0;
	CHECK(open("/../outside/secret.txt", O_RDONLY) < 0);
	CHECK(open("/link_out/secret.txt", O_RDONLY) < 0 &&
	      errno == ENOTCAPABLE);
}

int main(void)
{
	test_preopens();
	test_escapes();
	return wt_done("wt_sandbox");
}
