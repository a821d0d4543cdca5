/*
 * proc_exec.c: what exec and spawn decide with no WebAssembly in sight:
 * the PATH search for a program name (execvp's rules), the '#!' line of
 * a script, and posix_spawn's file actions on a process's fd table and
 * working directory. The WASIX layer (wasix_exec.c) only marshals guest
 * memory into these calls and their host errno values back to WASI ones.
 *
 * Keeps true: guest paths are opened only through the caller's
 * proc_open_fn (which resolves them beneath the guest's namespace),
 * never as host paths; every error is a host errno value; nothing here
 * sizes an allocation from its input without a bound (a '#!' line is
 * read up to PROC_SCRIPT_LINE_MAX bytes).
 */
#include "proc/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "vfs/vfs.h"

static bool proc_is_regular(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

int proc_path_search(const char *name, const char *path, proc_open_fn open_fn,
                     void *ud, int *hfd)
{
	char cand[VFS_PATH_MAX + 1];
	int err, seen = ENOENT;

	*hfd = -1;
	if (path == NULL)
		path = PROC_DEFAULT_PATH;
	for (const char *p = path;; p++) {
		const char *e = strchr(p, ':');
		size_t dl = e ? (size_t)(e - p) : strlen(p);

		if (dl + strlen(name) + 2 > sizeof cand) {
			err = ENAMETOOLONG;
		} else {
			snprintf(cand, sizeof cand, "%.*s%s%s", (int)dl, p,
			         dl ? "/" : "", name);
			err = open_fn(ud, cand, O_RDONLY, hfd);
		}
		if (err == 0 && proc_is_regular(*hfd))
			return 0;
		if (err == 0) {
			/* Only a regular file is taken; a directory: EACCES. */
			close(*hfd);
			*hfd = -1;
			err = EACCES;
		}
		if (err == EACCES)
			seen = err;
		if (e == NULL)
			return seen;
		p = e;
	}
}

static bool proc_is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

int proc_script_parse(const uint8_t *bytes, size_t len, const char *name,
                      struct proc_script *s)
{
	size_t n = 2, nl = strlen(name);
	char *line, *p, *arg = NULL;

	memset(s, 0, sizeof *s);
	if (len < 2 || bytes[0] != '#' || bytes[1] != '!')
		return ENOEXEC;
	while (n < len && n < PROC_SCRIPT_LINE_MAX && bytes[n] != '\n')
		n++;
	/* The line after "#!", its NUL, then the script's name. */
	line = wx_malloc(n + nl + 2);
	if (line == NULL)
		return ENOMEM;
	memcpy(line, bytes + 2, n - 2);
	line[n - 2] = 0;
	memcpy(line + n - 1, name, nl + 1);
	for (p = line; proc_is_blank(*p); p++)
		;
	s->interp = p;
	while (*p != 0 && !proc_is_blank(*p) && *p != '\r')
		p++;
	if (*p != 0) {
		*p++ = 0;
		while (proc_is_blank(*p))
			p++;
		arg = p;
		p += strlen(p);
		while (p > arg && (proc_is_blank(p[-1]) || p[-1] == '\r'))
			*--p = 0;
	}
	if (*s->interp == 0) {
		wx_free(line);
		memset(s, 0, sizeof *s);
		return ENOEXEC;
	}
	s->arg = arg != NULL && *arg != 0 ? arg : NULL;
	s->name = line + n - 1;
	s->buf = line;
	return 0;
}

void proc_script_free(struct proc_script *s)
{
	wx_free(s->buf);
	memset(s, 0, sizeof *s);
}

/* CHDIR: 'path' (relative to the working directory) becomes it. */
static int proc_fdop_chdir(const struct proc_fdop_ctx *cx, const char *path)
{
	char abs[VFS_PATH_MAX + 1];
	int hfd, err;

	if (*path == 0)
		return ENOENT;
	err = vfs_ns_norm(cx->cwd, path, strlen(path), abs);
	if (err == 0)
		err = cx->open_fn(cx->ud, abs, O_DIRECTORY, &hfd);
	if (err != 0)
		return err;
	close(hfd);
	memcpy(cx->cwd, abs, strlen(abs) + 1);
	return 0;
}

/* OPEN: 'op->path' opened and installed at op->fd. */
static int proc_fdop_open(const struct proc_fdop_ctx *cx,
                          const struct proc_fdop *op)
{
	struct vfs_entry *e;
	int hfd, err = cx->open_fn(cx->ud, op->path, op->oflags, &hfd);

	if (err != 0)
		return err;
	e = vfs_entry_new(hfd, vfs_kind_of(hfd), false);
	if (e == NULL)
		return ENOMEM;
	e->rights_base = op->rights_base;
	e->rights_inheriting = op->rights_inheriting;
	e->fdflags = op->fdflags;
	err = vfs_install_at(cx->fds, e, op->fd);
	if (err != 0)
		vfs_entry_unref(e);
	return err;
}

int proc_fdop_run(const struct proc_fdop_ctx *cx, const struct proc_fdop *op)
{
	struct vfs_entry *e = vfs_get(cx->fds, op->fd);

	switch (op->kind) {
	case PROC_FDOP_CLOSE: /* a preopen stays */
		if (e != NULL && e->preopen == NULL)
			vfs_close(cx->fds, op->fd);
		return 0;
	case PROC_FDOP_DUP2:
		if (vfs_get(cx->fds, op->src) == NULL)
			return EBADF;
		if (op->src == op->fd)
			return vfs_set_cloexec(cx->fds, op->fd, false) == 0
			           ? 0
			           : EBADF;
		return vfs_dup2(cx->fds, op->src, op->fd);
	case PROC_FDOP_OPEN:
		return proc_fdop_open(cx, op);
	case PROC_FDOP_CHDIR:
		return proc_fdop_chdir(cx, op->path);
	default: /* FCHDIR: directories reached by path know their path */
		if (e == NULL)
			return EBADF;
		if (e->kind != VFS_DIR)
			return ENOTDIR;
		if (e->nspath == NULL)
			return ENOTSUP;
		memcpy(cx->cwd, e->nspath, strlen(e->nspath) + 1);
		return 0;
	}
}
