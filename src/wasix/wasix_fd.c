/*
 * wasix_fd.c: the WASIX fd extras (pipes, dup, close-on-exec flags,
 * path_open2), the per-process guest cwd (chdir, getcwd) and the tty
 * state, over the vfs table of the process's wasi context.
 *
 * The cwd is an absolute, normalised guest path kept in the wasix
 * context: inherited by fork (memory copy) and kept across exec; exec and
 * spawn resolve relative program names against it.
 */
#include "wasix/wasix_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

uint32_t wasix_install(struct wasix_ctx *x, struct vfs_entry *e, uint32_t *fd)
{
	int rc = vfs_install(&x->w->fds, e, 0, fd);

	if (rc != 0) {
		vfs_entry_unref(e);
		return wasi_errno_from_host(rc);
	}
	return WASI_ESUCCESS;
}

/* Installs host fd 'hfd' (taken over) as a pipe end; sets '*fd'. */
static uint32_t wasix_install_pipe(struct wasix_ctx *x, int hfd,
                                   uint64_t rights, uint32_t *fd)
{
	struct vfs_entry *e = vfs_entry_new(hfd, VFS_PIPE, false);

	if (e == NULL)
		return WASI_ENOMEM;
	e->rights_base = rights;
	e->rights_inheriting = rights;
	return wasix_install(x, e, fd);
}

/* fd_pipe(*rd, *wr) -> errno: one-way, first reads, second writes. */
int wasix_fd_pipe(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	uint64_t prd = wasi_ptr(c, 0), pwr = wasi_ptr(c, 1);
	uint32_t rd, wr;
	uint64_t r = WASI_RIGHTS_STREAM & ~WASI_RIGHT_FD_WRITE;
	uint64_t w = WASI_RIGHTS_STREAM & ~WASI_RIGHT_FD_READ;
	uint32_t err;
	int p[2];

	if (wasi_mem(c, prd, 4) == NULL || wasi_mem(c, pwr, 4) == NULL)
		return wasi_ret(c, WASI_EFAULT);
	if (pipe2(p, O_CLOEXEC) != 0)
		return wasi_ret(c, wasi_errno_from_host(errno));
	err = wasix_install_pipe(x, p[0], r, &rd);
	if (err != WASI_ESUCCESS) {
		close(p[1]);
		return wasi_ret(c, err);
	}
	err = wasix_install_pipe(x, p[1], w, &wr);
	if (err != WASI_ESUCCESS) {
		vfs_close(&x->w->fds, rd);
		return wasi_ret(c, err);
	}
	wasi_store_u32(c, prd, rd);
	return wasi_ret(c, wasi_store_u32(c, pwr, wr));
}

/* Duplicates 'fd' to the lowest free fd >= 'min'. */
static uint32_t wasix_dup(struct wasix_ctx *x, uint32_t fd, uint32_t min,
                          bool cloexec, uint32_t *out)
{
	/* The reference is the new slot's (a close of 'fd' meanwhile
	 * cannot free the entry). */
	struct vfs_entry *e = vfs_get_ref(&x->w->fds, fd);
	int rc;

	if (e == NULL)
		return WASI_EBADF;
	rc = vfs_install(&x->w->fds, e, min, out);
	if (rc != 0) {
		vfs_entry_unref(e);
		return rc == EMFILE ? WASI_EMFILE : wasi_errno_from_host(rc);
	}
	vfs_set_cloexec(&x->w->fds, *out, cloexec);
	return WASI_ESUCCESS;
}

/* fd_dup(fd, *new) -> errno */
int wasix_fd_dup(struct vm_call *c, void *ud)
{
	uint64_t out = wasi_ptr(c, 1);
	uint32_t nfd, err;

	if (wasi_mem(c, out, 4) == NULL)
		return wasi_ret(c, WASI_EFAULT);
	err = wasix_dup(ud, wasi_u32(c, 0), 0, false, &nfd);
	if (err != WASI_ESUCCESS)
		return wasi_ret(c, err);
	return wasi_ret(c, wasi_store_u32(c, out, nfd));
}

/* fd_dup2(fd, min_fd, cloexec, *new) -> errno: F_DUPFD(_CLOEXEC). */
int wasix_fd_dup2(struct vm_call *c, void *ud)
{
	uint64_t out = wasi_ptr(c, 3);
	uint32_t nfd, err;

	if (wasi_mem(c, out, 4) == NULL)
		return wasi_ret(c, WASI_EFAULT);
	err = wasix_dup(ud, wasi_u32(c, 0), wasi_u32(c, 1), wasi_u32(c, 2) != 0,
	                &nfd);
	if (err != WASI_ESUCCESS)
		return wasi_ret(c, err);
	return wasi_ret(c, wasi_store_u32(c, out, nfd));
}

/* fd_fdflags_get(fd, *flags) -> errno: bit 0 close-on-exec. */
int wasix_fd_fdflags_get(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	uint32_t fd = wasi_u32(c, 0);
	uint8_t *p = wasi_mem(c, wasi_ptr(c, 1), 2);

	/* Only whether it is open: the entry is not used. */
	if (vfs_get(&x->w->fds, fd) == NULL)
		return wasi_ret(c, WASI_EBADF);
	if (p == NULL)
		return wasi_ret(c, WASI_EFAULT);
	wasi_put_u16(p, vfs_get_cloexec(&x->w->fds, fd) ? 1 : 0);
	return wasi_ret(c, WASI_ESUCCESS);
}

/* fd_fdflags_set(fd, flags) -> errno */
int wasix_fd_fdflags_set(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	int rc = vfs_set_cloexec(&x->w->fds, wasi_u32(c, 0),
	                         (wasi_u32(c, 1) & 1) != 0);

	return wasi_ret(c, rc == 0 ? WASI_ESUCCESS : WASI_EBADF);
}

/* path_open2(fd, dirflags, path, len, oflags, rb, ri, fdflags, ext, *fd) */
int wasix_path_open2(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	uint64_t args[10];
	struct vm_call sub = *c;
	uint64_t out = wasi_ptr(c, 9);
	uint32_t fd = 0, err;

	memcpy(args, c->args, 8 * sizeof *args);
	args[8] = out;
	sub.args = args;
	err = wasi_path_open_fd(&sub, x->w, &fd);
	/* The fd from the host side, never read back from guest memory. */
	if (err == WASI_ESUCCESS)
		vfs_set_cloexec(&x->w->fds, fd, (wasi_u32(c, 8) & 1) != 0);
	if (err == WASI_ESUCCESS)
		err = wasi_store_u32(c, out, fd);
	return wasi_ret(c, err);
}

/* chdir(path ptr, len) -> errno */
int wasix_chdir(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	char path[VFS_PATH_MAX + 1], abs[VFS_PATH_MAX + 1];
	uint32_t err = wasix_str(c, 0, path, sizeof path);
	int hfd;

	if (err == WASI_ESUCCESS)
		err = wasix_abspath(x, path, abs);
	if (err == WASI_ESUCCESS)
		err = wasix_open_path(x, abs, O_RDONLY | O_DIRECTORY, &hfd);
	if (err != WASI_ESUCCESS)
		return wasi_ret(c, err);
	close(hfd);
	memcpy(x->cwd, abs, strlen(abs) + 1);
	return wasi_ret(c, WASI_ESUCCESS);
}

/* getcwd(buf, *len) -> errno: ERANGE (with *len = needed) if too small.
 * *len is a size (8 bytes with memory64). */
int wasix_getcwd(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	uint64_t buf = wasi_ptr(c, 0);
	uint8_t *pl = wasi_mem(c, wasi_ptr(c, 1), wasi_psize(c)), *pb;
	uint32_t need = (uint32_t)strlen(x->cwd) + 1;

	if (pl == NULL)
		return wasi_ret(c, WASI_EFAULT);
	if (wasi_get_ptr(c, pl) < need) {
		wasi_put_ptr(c, pl, need);
		return wasi_ret(c, WASI_ERANGE);
	}
	pb = wasi_mem(c, buf, need);
	if (pb == NULL)
		return wasi_ret(c, WASI_EFAULT);
	memcpy(pb, x->cwd, need);
	wasi_put_ptr(c, pl, need - 1);
	return wasi_ret(c, WASI_ESUCCESS);
}

/* tty_get(*tty) -> errno: the tty struct of the host's stdio. */
int wasix_tty_get(struct vm_call *c, void *ud)
{
	uint8_t *p = wasi_mem(c, wasi_ptr(c, 0), WASIX_TTY_SIZE);
	struct winsize ws;
	struct termios t;
	bool tio;

	(void)ud;
	if (p == NULL)
		return wasi_ret(c, WASI_EFAULT);
	memset(p, 0, WASIX_TTY_SIZE);
	memset(&ws, 0, sizeof ws);
	if (ioctl(1, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0) {
		ws.ws_col = 80;
		ws.ws_row = 25;
	}
	wasi_put_u32(p + WASIX_TTY_COLS, ws.ws_col);
	wasi_put_u32(p + WASIX_TTY_ROWS, ws.ws_row);
	wasi_put_u32(p + WASIX_TTY_WIDTH, ws.ws_xpixel);
	wasi_put_u32(p + WASIX_TTY_HEIGHT, ws.ws_ypixel);
	p[WASIX_TTY_STDIN] = (uint8_t)isatty(0);
	p[WASIX_TTY_STDOUT] = (uint8_t)isatty(1);
	p[WASIX_TTY_STDERR] = (uint8_t)isatty(2);
	tio = tcgetattr(0, &t) == 0;
	p[WASIX_TTY_ECHO] = tio ? (t.c_lflag & ECHO) != 0 : 1;
	p[WASIX_TTY_LINEBUF] = tio ? (t.c_lflag & ICANON) != 0 : 1;
	p[WASIX_TTY_LINEFEEDS] = tio ? (t.c_oflag & ONLCR) != 0 : 1;
	return wasi_ret(c, WASI_ESUCCESS);
}

/* tty_set(*tty) -> errno: echo and line buffering of host stdin. */
int wasix_tty_set(struct vm_call *c, void *ud)
{
	uint8_t *p = wasi_mem(c, wasi_ptr(c, 0), WASIX_TTY_SIZE);
	struct termios t;

	(void)ud;
	if (p == NULL)
		return wasi_ret(c, WASI_EFAULT);
	if (tcgetattr(0, &t) != 0)
		return wasi_ret(c, WASI_ESUCCESS); /* not a terminal */
	t.c_lflag =
	    p[WASIX_TTY_ECHO] ? t.c_lflag | ECHO : t.c_lflag & ~(tcflag_t)ECHO;
	t.c_lflag = p[WASIX_TTY_LINEBUF] ? t.c_lflag | ICANON
	                                 : t.c_lflag & ~(tcflag_t)ICANON;
	if (tcsetattr(0, TCSANOW, &t) != 0)
		return wasi_ret(c, wasi_errno_from_host(errno));
	return wasi_ret(c, WASI_ESUCCESS);
}

/* fd_renumber(from, to) -> errno, for WASIX modules: POSIX dup2. */
int wasix_fd_renumber(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	uint32_t from = wasi_u32(c, 0), to = wasi_u32(c, 1), err;
	struct vfs_entry *e = NULL;
	int rc = wasix_enter(c, x);

	if (rc != 0 && rc != WASI_RESTART && rc != WASI_RESTART_IO)
		return rc;
	err = WASI_EBADF;
	if (vfs_get(&x->w->fds, from) == NULL || to >= x->w->fds.max)
		goto out;
	err = WASI_ESUCCESS;
	if (from == to)
		goto out;
	/* A preopen may be replaced once absolute paths no longer need it
	 * (posix_root; docs/filesystem.md); otherwise refuse, as Wasmer. */
	e = vfs_get_ref(&x->w->fds, to);
	err = WASI_ENOTSUP;
	if (e != NULL && e->preopen != NULL && !wasi_posix_paths(x->w))
		goto out;
	rc = vfs_dup2(&x->w->fds, from, to);
	err = rc == 0 ? WASI_ESUCCESS : wasi_errno_from_host(rc);
out:
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}
