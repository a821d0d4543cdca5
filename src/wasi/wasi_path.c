/*
 * wasi_path.c: the path_* functions. Each one reads its guest path(s),
 * resolves them beneath a directory fd with vfs (src/vfs/vfs.h: never
 * outside it) and makes one *at() system call on the directory vfs
 * returned and the last component, never following a symlink there
 * (AT_SYMLINK_NOFOLLOW; vfs already followed it when asked to).
 *
 * Rights: the directory fd needs the right the specification names for
 * the call (ENOTCAPABLE otherwise). A file opened with path_open gets the
 * rights it asked for, limited to the directory's inheriting rights and
 * to what makes sense for its type.
 *
 * Keeps true: every host fd from vfs_resolve / vfs_open is closed on the
 * function's one exit path.
 */
#include "wasi/wasi_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A guest path argument: (pointer, length) checked against memory. */
struct wasi_path {
	const char *p;
	uint32_t len;
};

/* Reads path argument (args[i], args[i+1]). ESUCCESS or EFAULT.
 * (path_symlink's target: read once, copied before use.) */
static uint32_t wasi_path_arg(struct vm_call *c, unsigned i,
                              struct wasi_path *out)
{
	out->len = wasi_size32(c, i + 1);
	out->p = wasi_mem(c, wasi_ptr(c, i), out->len);
	return out->p == NULL ? WASI_EFAULT : WASI_ESUCCESS;
}

/*
 * The directory entry 'fd' with 'right': EBADF, ENOTDIR, ENOTCAPABLE.
 * '*e' holds a reference whenever it is not NULL (wasi_fd_get). With
 * absolute paths on (posix_root), the path in args[path_arg] decides
 * first: an absolute one takes the root entry and ignores 'fd', as
 * openat(2) does. (A guest that flips the first byte meanwhile gets the
 * root with a relative path, or 'fd' with an absolute one: both resolve
 * inside the namespace.)
 */
static uint32_t wasi_dir_get(struct wasi_ctx *w, struct vm_call *c, uint32_t fd,
                             unsigned path_arg, uint64_t right,
                             struct vfs_entry **e)
{
	uint32_t err;

	if (wasi_posix_paths(w)) { /* preview1 programs skip this */
		const char *p = wasi_mem(c, wasi_ptr(c, path_arg), 1);

		if (p != NULL && wasi_size(c, path_arg + 1) > 0 &&
		    __atomic_load_n(p, __ATOMIC_RELAXED) == '/' &&
		    (*e = wasi_root_ref(w)) != NULL)
			return WASI_ESUCCESS;
	}
	/* An empty root slot is the root: a libc that resolves relative to
	 * fd 3 still works. */
	err = wasi_fd_get_or_root(w, fd, e);
	if (err != WASI_ESUCCESS)
		return err;
	if ((*e)->kind != VFS_DIR)
		return WASI_ENOTDIR;
	return wasi_fd_rights_ok(*e, right) ? WASI_ESUCCESS : WASI_ENOTCAPABLE;
}

/*
 * Where a guest path leads, from directory entry 'dir' (docs/filesystem.md):
 * - an absolute path (only with w->abs_paths; ENOTCAPABLE otherwise, as
 *   wasmtime) goes through the namespace and ignores 'dir', as openat(2);
 * - a relative path from a directory the namespace knows (dir->nspath)
 *   goes through the namespace when it leads into another mount or a
 *   virtual directory ('..' above 'dir' only with abs_paths);
 * - anything else resolves beneath 'dir' itself, as before.
 * The guest bytes are copied once into where->buf (guest memory may
 * change under us); where->path points into it or at where->loc.rest.
 */
struct wasi_where {
	struct vfs_loc loc; /* kind VFS_LOC_*; HOST: root, path below */
	const char *path;
	size_t len;
	char gpath[VFS_PATH_MAX + 1]; /* normalised guest path, or "" */
	char buf[VFS_PATH_MAX + 1];
	char jump[VFS_PATH_MAX + 1]; /* an absolute link's path (restart) */
};

/* Whether normalised 'p' is 'dir' or below it. */
static bool wasi_below(const char *dir, const char *p)
{
	size_t n = strlen(dir);

	return n == 1 || (strncmp(p, dir, n) == 0 && (!p[n] || p[n] == '/'));
}

/* wasi_where for the 'len' bytes in wh->buf, from 'dir' (NULL: from
 * the root, for an absolute link's target). */
static uint32_t wasi_where_locate(struct wasi_ctx *w,
                                  const struct vfs_entry *dir, size_t len,
                                  struct wasi_where *wh)
{
	struct vfs_loc own;
	bool abs, trailing;
	int rc;

	wh->gpath[0] = 0;
	wh->path = wh->buf;
	wh->len = len;
	wh->loc.kind = VFS_LOC_HOST;
	wh->loc.root = dir != NULL ? dir->host_fd : -1;
	abs = len > 0 && wh->buf[0] == '/';
	if (abs && !w->abs_paths)
		return WASI_ENOTCAPABLE;
	if (len == 0 || (!abs && dir->nspath == NULL) ||
	    memchr(wh->buf, 0, len) != NULL)
		return WASI_ESUCCESS; /* vfs_resolve gives ENOENT / EINVAL */
	trailing = wh->buf[len - 1] == '/';
	rc = vfs_ns_norm(abs ? NULL : dir->nspath, wh->buf, len, wh->gpath);
	if (rc != 0)
		return wasi_errno_from_host(rc);
	if (!abs && !dir->vdir) {
		/* Relative, from a host directory: stay beneath it unless the
		 * path enters another mount or a virtual directory. */
		if (!w->abs_paths && !wasi_below(dir->nspath, wh->gpath))
			return WASI_ESUCCESS; /* '..' above: vfs refuses */
		if (vfs_ns_locate(w->ns, dir->nspath, false, &own) != 0)
			own.mount = NULL;
		rc = vfs_ns_locate(w->ns, wh->gpath, trailing, &wh->loc);
		if (rc != 0 || (wh->loc.kind == VFS_LOC_HOST &&
		                wh->loc.mount == own.mount)) {
			wh->loc.kind = VFS_LOC_HOST;
			wh->loc.root = dir->host_fd;
			return WASI_ESUCCESS;
		}
	} else {
		rc = vfs_ns_locate(w->ns, wh->gpath, trailing, &wh->loc);
		if (rc != 0)
			return wasi_errno_from_host(rc);
	}
	if (wh->loc.kind == VFS_LOC_HOST) {
		wh->path = wh->loc.rest;
		wh->len = strlen(wh->loc.rest);
	}
	return WASI_ESUCCESS;
}

static uint32_t wasi_where(struct wasi_ctx *w, const struct vfs_entry *dir,
                           struct vm_call *c, unsigned path_arg,
                           struct wasi_where *wh)
{
	uint32_t len = wasi_size32(c, path_arg + 1);
	const char *p = wasi_mem(c, wasi_ptr(c, path_arg), len);

	if (p == NULL)
		return WASI_EFAULT;
	if (len > VFS_PATH_MAX)
		return WASI_ENAMETOOLONG;
	memcpy(wh->buf, p, len);
	wh->buf[len] = 0;
	return wasi_where_locate(w, dir, len, wh);
}

/* A host operation on a HOST wasi_where: resolve (into 't') or open. */
struct wasi_hostop {
	bool open;
	unsigned vflags;      /* VFS_FOLLOW */
	struct vfs_target *t; /* resolve */
	int oflags;           /* open */
	int *hfd;             /* open: the new host fd */
};

/*
 * Runs 'op' on 'wh' (HOST), following absolute symlinks from the guest
 * root when absolute paths are on (otherwise they are ENOTCAPABLE): each
 * restarts resolution from the root with the link's path, VFS_MAX_LINKS
 * times at most (ELOOP). 'wh' may end up virtual (a link to /dev/null):
 * then nothing was done and the caller acts on wh->loc. Returns a WASI
 * errno.
 */
static uint32_t wasi_host_run(struct wasi_ctx *w, struct wasi_where *wh,
                              const struct wasi_hostop *op)
{
	unsigned vf = op->vflags | (w->abs_paths ? VFS_ABSLINK : 0);
	uint32_t err = WASI_ESUCCESS;
	int rc;

	for (int jumps = 0; wh->loc.kind == VFS_LOC_HOST; jumps++) {
		if (op->open) {
			rc = vfs_open(wh->loc.root, wh->path, wh->len,
			              op->oflags, 0666, vf, op->hfd, wh->jump);
			if (rc == ENXIO || rc == EWOULDBLOCK)
				rc = ENOTSUP; /* sockets, FIFOs non-blocking */
		} else {
			op->t->abs = wh->jump;
			rc = vfs_resolve(wh->loc.root, wh->path, wh->len, vf,
			                 op->t);
		}
		if (rc != VFS_EABSLINK)
			return wasi_errno_from_host(rc);
		if (jumps == VFS_MAX_LINKS)
			return WASI_ELOOP;
		strcpy(wh->buf, wh->jump);
		err = wasi_where_locate(w, NULL, strlen(wh->buf), wh);
		if (err != WASI_ESUCCESS)
			return err;
	}
	return err;
}

/*
 * The common start of most path_* calls: dir fd in args[dir_arg] with
 * 'right', path in args[path_arg..+1], resolved into '*t' (t->dirfd is
 * -1 unless ESUCCESS). A path that names a virtual directory or a device
 * is EROFS (nothing there can be changed) unless 'wh' is given: then
 * t->dirfd stays -1 and wh->loc says what it is.
 */
static uint32_t wasi_target(struct vm_call *c, struct wasi_ctx *w,
                            unsigned dir_arg, unsigned path_arg, uint64_t right,
                            unsigned vflags, struct vfs_target *t,
                            struct wasi_where *wh)
{
	struct wasi_hostop op = {false, vflags, t, 0, NULL};
	struct wasi_where local;
	struct vfs_entry *e;
	uint32_t err;

	if (wh == NULL)
		wh = &local;
	t->dirfd = -1;
	err = wasi_dir_get(w, c, wasi_u32(c, dir_arg), path_arg, right, &e);
	if (err == WASI_ESUCCESS)
		err = wasi_where(w, e, c, path_arg, wh);
	if (err == WASI_ESUCCESS)
		err = wasi_host_run(w, wh, &op);
	if (err == WASI_ESUCCESS && wh->loc.kind != VFS_LOC_HOST &&
	    wh == &local)
		err = WASI_EROFS;
	vfs_entry_unref(e);
	return err;
}

/* Closes a target's directory fd (if any); returns 'err'. */
static uint32_t wasi_target_done(struct vfs_target *t, uint32_t err)
{
	if (t->dirfd >= 0)
		close(t->dirfd);
	t->dirfd = -1;
	return err;
}

/* An errno of the last system call, or ESUCCESS if it returned 0. */
static uint32_t wasi_sys(int r)
{
	return r != 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS;
}

/* path_create_directory(fd, path) -> errno */
int wasi_path_create_directory(struct vm_call *c, void *ud)
{
	struct vfs_target t;
	uint32_t err;

	err = wasi_target(c, wasi_ctx_of(ud), 0, 1,
	                  WASI_RIGHT_PATH_CREATE_DIRECTORY, 0, &t, NULL);
	if (err == WASI_ESUCCESS)
		err = wasi_sys(mkdirat(t.dirfd, t.name, 0777));
	return wasi_ret(c, wasi_target_done(&t, err));
}

/* Stats (dirfd, name) without following; "." is the directory itself. */
static int wasi_stat_at(const struct vfs_target *t, struct stat *st)
{
	if (strcmp(t->name, ".") == 0)
		return fstatat(t->dirfd, "", st, AT_EMPTY_PATH);
	return fstatat(t->dirfd, t->name, st, AT_SYMLINK_NOFOLLOW);
}

/* path_filestat_get(fd, flags, path) -> (errno, filestat) */
int wasi_path_filestat_get(struct vm_call *c, void *ud)
{
	struct wasi_ctx *w = wasi_ctx_of(ud);
	unsigned vf =
	    (wasi_u32(c, 1) & WASI_LOOKUP_SYMLINK_FOLLOW) ? VFS_FOLLOW : 0;
	struct wasi_where wh;
	struct vfs_target t;
	struct stat st;
	uint32_t err;
	uint8_t *p;

	p = wasi_mem(c, wasi_ptr(c, 4), 64);
	err =
	    wasi_target(c, w, 0, 2, WASI_RIGHT_PATH_FILESTAT_GET, vf, &t, &wh);
	if (err == WASI_ESUCCESS && p == NULL)
		err = WASI_EFAULT;
	if (err == WASI_ESUCCESS && wh.loc.kind == VFS_LOC_HOST)
		err = wasi_sys(wasi_stat_at(&t, &st));
	else if (err == WASI_ESUCCESS && wh.loc.kind == VFS_LOC_VDIR)
		vfs_vdir_stat(wh.gpath, &st);
	else if (err == WASI_ESUCCESS)
		err = wasi_errno_from_host(
		    vfs_dev_stat(&w->fds, wh.loc.dev, &st));
	if (err == WASI_ESUCCESS)
		wasi_put_filestat(p, &st);
	return wasi_ret(c, wasi_target_done(&t, err));
}

/* path_filestat_set_times(fd, flags, path, atim, mtim, fst_flags) */
int wasi_path_filestat_set_times(struct vm_call *c, void *ud)
{
	unsigned vf =
	    (wasi_u32(c, 1) & WASI_LOOKUP_SYMLINK_FOLLOW) ? VFS_FOLLOW : 0;
	struct vfs_target t;
	uint32_t err;

	err = wasi_target(c, wasi_ctx_of(ud), 0, 2,
	                  WASI_RIGHT_PATH_FILESTAT_SET_TIMES, vf, &t, NULL);
	if (err == WASI_ESUCCESS)
		err = wasi_set_times(t.dirfd, t.name, c->args[4], c->args[5],
		                     wasi_u32(c, 6));
	return wasi_ret(c, wasi_target_done(&t, err));
}

/*
 * path_link(old_fd, old_flags, old_path, new_fd, new_path) -> errno.
 * Hard links to directories are EPERM (the kernel says so).
 */
int wasi_path_link(struct vm_call *c, void *ud)
{
	struct wasi_ctx *w = wasi_ctx_of(ud);
	unsigned vf =
	    (wasi_u32(c, 1) & WASI_LOOKUP_SYMLINK_FOLLOW) ? VFS_FOLLOW : 0;
	struct vfs_target from, to;
	uint32_t err;

	to.dirfd = -1;
	err = wasi_target(c, w, 0, 2, WASI_RIGHT_PATH_LINK_SOURCE, vf, &from,
	                  NULL);
	if (err == WASI_ESUCCESS)
		err = wasi_target(c, w, 4, 5, WASI_RIGHT_PATH_LINK_TARGET, 0,
		                  &to, NULL);
	if (err == WASI_ESUCCESS && to.trailing)
		err = WASI_ENOENT; /* as Linux: "link/" names no directory */
	if (err == WASI_ESUCCESS)
		err = wasi_sys(
		    linkat(from.dirfd, from.name, to.dirfd, to.name, 0));
	wasi_target_done(&to, err);
	return wasi_ret(c, wasi_target_done(&from, err));
}

/* Host open flags for path_open's oflags, rights and fdflags. */
static int wasi_open_flags(uint32_t oflags, uint64_t rights, uint32_t fdflags)
{
	bool rd = rights & (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_READDIR);
	bool wr = rights & (WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ALLOCATE |
	                    WASI_RIGHT_FD_FILESTAT_SET_SIZE);
	int fl;

	if (oflags & WASI_O_DIRECTORY)
		fl = O_RDONLY | O_DIRECTORY;
	else if (wr && rd)
		fl = O_RDWR;
	else if (wr)
		fl = O_WRONLY;
	else
		fl = O_RDONLY;
	if (oflags & WASI_O_CREAT)
		fl |= O_CREAT;
	if (oflags & WASI_O_EXCL)
		fl |= O_EXCL;
	if (oflags & WASI_O_TRUNC)
		fl |= O_TRUNC;
	if (fdflags & WASI_FDFLAG_APPEND)
		fl |= O_APPEND;
	if (fdflags & WASI_FDFLAG_NONBLOCK)
		fl |= O_NONBLOCK;
	if (fdflags & WASI_FDFLAG_SYNC)
		fl |= O_SYNC;
	if (fdflags & WASI_FDFLAG_DSYNC)
		fl |= O_DSYNC;
	if (fdflags & WASI_FDFLAG_RSYNC)
		fl |= O_RSYNC;
	return fl;
}

/* Checks path_open's arguments against the directory's rights. */
static uint32_t wasi_open_check(const struct vfs_entry *dir, uint32_t oflags,
                                uint32_t fdflags)
{
	uint64_t need = 0;

	if (oflags & ~0xfu || fdflags & ~0x1fu)
		return WASI_EINVAL;
	if ((oflags & WASI_O_DIRECTORY) && (oflags & WASI_O_TRUNC))
		return WASI_EINVAL;
	if (oflags & WASI_O_CREAT)
		need |= WASI_RIGHT_PATH_CREATE_FILE;
	if (oflags & WASI_O_TRUNC)
		need |= WASI_RIGHT_PATH_FILESTAT_SET_SIZE;
	if (!wasi_fd_rights_ok(dir, need))
		return WASI_ENOTCAPABLE;
	return WASI_ESUCCESS;
}

/*
 * Wraps 'e' (taken over; a fresh host fd's entry, or NULL for 'hfd') in
 * the table with the rights asked for, as far as 'dir' and the kind
 * allow; a directory reached through the namespace remembers 'gpath'.
 */
static uint32_t wasi_open_install(struct wasi_ctx *w, int hfd,
                                  struct vfs_entry *e,
                                  const struct vfs_entry *dir, uint64_t base,
                                  uint64_t inh, const char *gpath, uint32_t *fd)
{
	uint64_t mask, dinh;
	int rc;

	if (e == NULL)
		e = vfs_entry_new(hfd, vfs_kind_of(hfd), false);
	if (e == NULL)
		return WASI_ENOMEM;
	if (e->kind == VFS_DIR && e->nspath == NULL && gpath[0] != 0) {
		e->nspath = wx_malloc(strlen(gpath) + 1);
		if (e->nspath == NULL) {
			vfs_entry_unref(e);
			return WASI_ENOMEM;
		}
		strcpy(e->nspath, gpath);
	}
	mask = e->kind == VFS_DIR ? WASI_RIGHTS_DIR : WASI_RIGHTS_FILE;
	dinh = __atomic_load_n(&dir->rights_inheriting, __ATOMIC_RELAXED);
	e->rights_base = base & dinh & mask;
	e->rights_inheriting = inh & dinh;
	rc = vfs_install(&w->fds, e, 0, fd);
	if (rc != 0) {
		vfs_entry_unref(e);
		return wasi_errno_from_host(rc);
	}
	return WASI_ESUCCESS;
}

/*
 * Opens what 'wh' names with host flags 'fl': a host path, a device, or
 * a virtual directory (its entry in '*ve'). Returns a WASI errno.
 */
static uint32_t wasi_open_where(struct wasi_ctx *w, struct wasi_where *wh,
                                int fl, unsigned vf, int *hfd,
                                struct vfs_entry **ve)
{
	struct wasi_hostop op = {true, vf, NULL, fl, hfd};
	uint32_t err = WASI_ESUCCESS;

	*hfd = -1;
	*ve = NULL;
	if (wh->loc.kind == VFS_LOC_HOST)
		err = wasi_host_run(w, wh, &op);
	if (err != WASI_ESUCCESS || wh->loc.kind == VFS_LOC_HOST)
		return err;
	if (wh->loc.kind == VFS_LOC_DEV)
		return wasi_errno_from_host(
		    vfs_dev_open(&w->fds, wh->loc.dev, fl, hfd));
	if ((fl & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return WASI_EEXIST;
	if ((fl & O_ACCMODE) != O_RDONLY || (fl & O_TRUNC))
		return WASI_EISDIR;
	return wasi_errno_from_host(vfs_vdir_entry(w->ns, wh->gpath, ve));
}

uint32_t wasi_path_open_fd(struct vm_call *c, struct wasi_ctx *w, uint32_t *fd)
{
	unsigned vf =
	    (wasi_u32(c, 1) & WASI_LOOKUP_SYMLINK_FOLLOW) ? VFS_FOLLOW : 0;
	uint32_t oflags = wasi_u32(c, 4), fdflags = wasi_u32(c, 7), err;
	uint64_t base = c->args[5], inh = c->args[6];
	struct vfs_entry *dir, *ve;
	struct wasi_where wh;
	int hfd;

	err = wasi_dir_get(w, c, wasi_u32(c, 0), 2, WASI_RIGHT_PATH_OPEN, &dir);
	if (err == WASI_ESUCCESS)
		err = wasi_open_check(dir, oflags, fdflags);
	if (err == WASI_ESUCCESS && (oflags & WASI_O_DIRECTORY) &&
	    (base & WASI_RIGHT_FD_WRITE))
		err = WASI_EISDIR; /* a directory is never open for writing */
	if (err == WASI_ESUCCESS)
		err = wasi_where(w, dir, c, 2, &wh);
	if (err != WASI_ESUCCESS)
		goto out;
	err = WASI_EFAULT; /* before anything is opened */
	if (wasi_mem(c, wasi_ptr(c, 8), 4) == NULL)
		goto out;
	err = wasi_open_where(w, &wh, wasi_open_flags(oflags, base, fdflags),
	                      vf, &hfd, &ve);
	if (err == WASI_ESUCCESS)
		err =
		    wasi_open_install(w, hfd, ve, dir, base, inh, wh.gpath, fd);
out:
	vfs_entry_unref(dir);
	return err;
}

/*
 * path_open(dirfd, dirflags, path, oflags, rights_base, rights_inheriting,
 * fdflags) -> (errno, fd)
 */
int wasi_path_open(struct vm_call *c, void *ud)
{
	uint32_t fd = 0, err = wasi_path_open_fd(c, wasi_ctx_of(ud), &fd);

	if (err == WASI_ESUCCESS)
		err = wasi_store_u32(c, wasi_ptr(c, 8), fd);
	return wasi_ret(c, err);
}

/*
 * path_readlink(fd, path, buf, buf_len) -> (errno, bufused). The target
 * is truncated to buf_len bytes (no NUL), as wasmtime does.
 */
int wasi_path_readlink(struct vm_call *c, void *ud)
{
	char target[VFS_PATH_MAX];
	uint64_t len = wasi_size(c, 4);
	struct vfs_target t;
	uint8_t *buf, *pres;
	uint32_t err;
	ssize_t n = 0;

	buf = wasi_mem(c, wasi_ptr(c, 3), len);
	pres = wasi_mem(c, wasi_ptr(c, 5), wasi_psize(c));
	err = wasi_target(c, wasi_ctx_of(ud), 0, 1, WASI_RIGHT_PATH_READLINK, 0,
	                  &t, NULL);
	if (err == WASI_ESUCCESS && (buf == NULL || pres == NULL))
		err = WASI_EFAULT;
	if (err == WASI_ESUCCESS) {
		n = readlinkat(t.dirfd, t.name, target, sizeof target);
		err = wasi_sys(n < 0 ? -1 : 0);
	}
	if (err == WASI_ESUCCESS) {
		if ((size_t)n > len)
			n = len;
		memcpy(buf, target, (size_t)n);
		wasi_put_ptr(c, pres, (uint64_t)n);
	}
	return wasi_ret(c, wasi_target_done(&t, err));
}

/* path_remove_directory(fd, path) -> errno */
int wasi_path_remove_directory(struct vm_call *c, void *ud)
{
	struct vfs_target t;
	uint32_t err;

	err = wasi_target(c, wasi_ctx_of(ud), 0, 1,
	                  WASI_RIGHT_PATH_REMOVE_DIRECTORY, 0, &t, NULL);
	if (err == WASI_ESUCCESS && strcmp(t.name, ".") == 0)
		err = WASI_EINVAL;
	if (err == WASI_ESUCCESS)
		err = wasi_sys(unlinkat(t.dirfd, t.name, AT_REMOVEDIR));
	if (err == WASI_EEXIST)
		err = WASI_ENOTEMPTY;
	return wasi_ret(c, wasi_target_done(&t, err));
}

/* Whether (dirfd, name) exists and is not a directory. */
static bool wasi_is_nondir(const struct vfs_target *t)
{
	struct stat st;

	return fstatat(t->dirfd, t->name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       !S_ISDIR(st.st_mode);
}

/* path_rename(fd, old_path, new_fd, new_path) -> errno */
int wasi_path_rename(struct vm_call *c, void *ud)
{
	struct wasi_ctx *w = wasi_ctx_of(ud);
	struct vfs_target from, to;
	uint32_t err;

	to.dirfd = -1;
	err = wasi_target(c, w, 0, 1, WASI_RIGHT_PATH_RENAME_SOURCE, 0, &from,
	                  NULL);
	if (err == WASI_ESUCCESS)
		err = wasi_target(c, w, 3, 4, WASI_RIGHT_PATH_RENAME_TARGET, 0,
		                  &to, NULL);
	if (err == WASI_ESUCCESS && to.trailing && wasi_is_nondir(&from))
		err = WASI_ENOTDIR;
	if (err == WASI_ESUCCESS)
		err = wasi_sys(
		    renameat(from.dirfd, from.name, to.dirfd, to.name));
	wasi_target_done(&to, err);
	return wasi_ret(c, wasi_target_done(&from, err));
}

/*
 * path_symlink(old_path, fd, new_path) -> errno. 'old_path' is stored as
 * given. An absolute target is ENOTCAPABLE unless absolute paths are on
 * (posix_root), where it is followed from the guest root.
 */
int wasi_path_symlink(struct vm_call *c, void *ud)
{
	char target[VFS_PATH_MAX + 1];
	struct vfs_target t;
	struct wasi_path old;
	uint32_t err;

	t.dirfd = -1;
	err = wasi_path_arg(c, 0, &old);
	if (err == WASI_ESUCCESS && old.len > VFS_PATH_MAX)
		err = WASI_ENAMETOOLONG;
	if (err == WASI_ESUCCESS) { /* one read of guest memory */
		memcpy(target, old.p, old.len);
		target[old.len] = 0;
	}
	if (err == WASI_ESUCCESS && strlen(target) != old.len)
		err = WASI_EINVAL;
	else if (err == WASI_ESUCCESS && old.len > 0 && target[0] == '/' &&
	         !wasi_ctx_of(ud)->abs_paths)
		err = WASI_ENOTCAPABLE;
	if (err == WASI_ESUCCESS)
		err = wasi_target(c, wasi_ctx_of(ud), 2, 3,
		                  WASI_RIGHT_PATH_SYMLINK, 0, &t, NULL);
	if (err == WASI_ESUCCESS && t.trailing)
		err = WASI_ENOENT;
	if (err == WASI_ESUCCESS)
		err = wasi_sys(symlinkat(target, t.dirfd, t.name));
	return wasi_ret(c, wasi_target_done(&t, err));
}

/* path_unlink_file(fd, path) -> errno */
int wasi_path_unlink_file(struct vm_call *c, void *ud)
{
	struct vfs_target t;
	uint32_t err;

	err = wasi_target(c, wasi_ctx_of(ud), 0, 1, WASI_RIGHT_PATH_UNLINK_FILE,
	                  0, &t, NULL);
	if (err == WASI_ESUCCESS && strcmp(t.name, ".") == 0)
		err = WASI_EISDIR;
	if (err == WASI_ESUCCESS && t.trailing)
		err = wasi_is_nondir(&t) ? WASI_ENOTDIR : WASI_EISDIR;
	if (err == WASI_ESUCCESS)
		err = wasi_sys(unlinkat(t.dirfd, t.name, 0));
	return wasi_ret(c, wasi_target_done(&t, err));
}

uint32_t wasi_open_guest_path(struct wasi_ctx *w, const char *abs, int oflags,
                              int *hfd)
{
	struct wasi_where wh;
	struct vfs_entry *ve = NULL;
	size_t len = strlen(abs);
	uint32_t err;

	*hfd = -1;
	if (len > VFS_PATH_MAX || abs[0] != '/' || w->ns == NULL)
		return len > VFS_PATH_MAX ? WASI_ENAMETOOLONG : WASI_EINVAL;
	memcpy(wh.buf, abs, len + 1);
	err = wasi_where_locate(w, NULL, len, &wh);
	if (err == WASI_ESUCCESS && wh.loc.kind == VFS_LOC_VDIR &&
	    !(oflags & O_DIRECTORY))
		err = WASI_EISDIR;
	if (err == WASI_ESUCCESS)
		err = wasi_open_where(w, &wh, oflags, VFS_FOLLOW, hfd, &ve);
	if (err == WASI_ESUCCESS && ve != NULL) {
		/* A virtual directory: its stand-in fd, owned by the caller. */
		*hfd = fcntl(ve->host_fd, F_DUPFD_CLOEXEC, 0);
		err = *hfd < 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS;
		vfs_entry_unref(ve);
	}
	return err;
}
