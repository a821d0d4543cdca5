/*
 * wasi_fdattr.c: everything about a guest fd except moving bytes: close,
 * renumber, fdstat (type, flags, rights), filestat (stat, size, times),
 * advise, allocate, sync, preopen names and fd_readdir.
 *
 * Rights: every call checks the right the preview1 specification names
 * for it (ENOTCAPABLE when missing; EBADF for an fd that is not open).
 * Rights only ever shrink (fd_fdstat_set_rights).
 *
 * fd_readdir cookies are entry indexes: cookie 0 is the start and an
 * entry's d_next is the index after it. The vfs entry keeps the open
 * directory stream and its position, so reading a directory in order is
 * linear; any other cookie rewinds and skips.
 */
#include "wasi/wasi_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Preview1 dirent header: d_next u64, d_ino u64, d_namlen u32, d_type u8. */
#define WASI_DIRENT_SIZE 24

uint8_t wasi_filetype_of(uint8_t kind)
{
	switch (kind) {
	case VFS_FILE:
		return WASI_FILETYPE_REGULAR_FILE;
	case VFS_DIR:
		return WASI_FILETYPE_DIRECTORY;
	case VFS_SOCKET_STREAM:
		return WASI_FILETYPE_SOCKET_STREAM;
	case VFS_SOCKET_DGRAM:
		return WASI_FILETYPE_SOCKET_DGRAM;
	case VFS_TTY:
	case VFS_CHARDEV:
		return WASI_FILETYPE_CHARACTER_DEVICE;
	case VFS_BLOCKDEV:
		return WASI_FILETYPE_BLOCK_DEVICE;
	case VFS_SYMLINK:
		return WASI_FILETYPE_SYMBOLIC_LINK;
	default: /* pipes have no preview1 type */
		return WASI_FILETYPE_UNKNOWN;
	}
}

/* The preview1 filetype of a stat mode. */
static uint8_t wasi_filetype_of_mode(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG:
		return WASI_FILETYPE_REGULAR_FILE;
	case S_IFDIR:
		return WASI_FILETYPE_DIRECTORY;
	case S_IFLNK:
		return WASI_FILETYPE_SYMBOLIC_LINK;
	case S_IFCHR:
		return WASI_FILETYPE_CHARACTER_DEVICE;
	case S_IFBLK:
		return WASI_FILETYPE_BLOCK_DEVICE;
	case S_IFSOCK:
		return WASI_FILETYPE_SOCKET_STREAM;
	default:
		return WASI_FILETYPE_UNKNOWN;
	}
}

static uint64_t wasi_ts(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

void wasi_put_filestat(uint8_t *p, const struct stat *st)
{
	memset(p, 0, 64);
	wasi_put_u64(p, (uint64_t)st->st_dev);
	wasi_put_u64(p + 8, (uint64_t)st->st_ino);
	p[16] = wasi_filetype_of_mode(st->st_mode);
	wasi_put_u64(p + 24, (uint64_t)st->st_nlink);
	wasi_put_u64(p + 32, (uint64_t)st->st_size);
	wasi_put_u64(p + 40, wasi_ts(&st->st_atim));
	wasi_put_u64(p + 48, wasi_ts(&st->st_mtim));
	wasi_put_u64(p + 56, wasi_ts(&st->st_ctim));
}

/* fd_close(fd) -> errno. Preopens may be closed too. */
int wasi_fd_close(struct vm_call *c, void *ud)
{
	struct wasi_ctx *w = wasi_ctx_of(ud);

	if (vfs_close(&w->fds, wasi_u32(c, 0)) != 0)
		return wasi_ret(c, WASI_EBADF);
	return wasi_ret(c, WASI_ESUCCESS);
}

/*
 * fd_renumber(from, to) -> errno. Preview1 moves 'from' onto 'to': 'to'
 * is closed first, 'from' is closed afterwards. Both must be open.
 */
int wasi_fd_renumber(struct vm_call *c, void *ud)
{
	struct wasi_ctx *w = wasi_ctx_of(ud);
	uint32_t from = wasi_u32(c, 0), to = wasi_u32(c, 1);
	int rc;

	/* Only whether both are open: the entries are not used. */
	if (vfs_get(&w->fds, from) == NULL || vfs_get(&w->fds, to) == NULL)
		return wasi_ret(c, WASI_EBADF);
	if (from == to)
		return wasi_ret(c, WASI_ESUCCESS);
	rc = vfs_dup2(&w->fds, from, to);
	if (rc == 0)
		vfs_close(&w->fds, from);
	return wasi_ret(c, wasi_errno_from_host(rc));
}

/* The preview1 fdflags of a host fd's status flags. */
static uint16_t wasi_fdflags_of(int hfd)
{
	int fl = fcntl(hfd, F_GETFL);
	uint16_t f = 0;

	if (fl < 0)
		return 0;
	if (fl & O_APPEND)
		f |= WASI_FDFLAG_APPEND;
	if (fl & O_NONBLOCK)
		f |= WASI_FDFLAG_NONBLOCK;
	if ((fl & O_SYNC) == O_SYNC)
		f |= WASI_FDFLAG_SYNC | WASI_FDFLAG_RSYNC;
	else if (fl & O_DSYNC)
		f |= WASI_FDFLAG_DSYNC;
	return f;
}

/*
 * fd_fdstat_get(fd) -> (errno, fdstat). fdstat is 24 bytes: filetype u8
 * at 0, flags u16 at 2, rights_base u64 at 8, rights_inheriting u64 at 16.
 * Terminals and pipes have no seek or tell rights, so wasi-libc's
 * isatty() is true exactly for a terminal.
 */
int wasi_fd_fdstat_get(struct vm_call *c, void *ud)
{
	struct wasi_ctx *w = wasi_ctx_of(ud);
	struct vfs_entry *e;
	uint32_t err;
	uint8_t *p;

	/* The root's own slot, once empty, still answers as the root:
	 * wasix-libc asks it for rights before every open of an absolute
	 * path, and those ignore the fd; everything else about the fd says
	 * EBADF. */
	err = wasi_fd_get_or_root(w, wasi_u32(c, 0), &e);
	if (err != WASI_ESUCCESS)
		goto out;
	err = WASI_EFAULT;
	p = wasi_mem(c, wasi_ptr(c, 1), 24);
	if (p == NULL)
		goto out;
	memset(p, 0, 24);
	p[0] = wasi_filetype_of(e->kind);
	wasi_put_u16(p + 2, wasi_fdflags_of(e->host_fd));
	wasi_put_u64(p + 8, __atomic_load_n(&e->rights_base, __ATOMIC_RELAXED));
	/* posix_root: nothing is opened through a non-directory, so its
	 * inheriting rights mean nothing; wasix-libc takes them from fd 3
	 * for every open, and fd 3 may be the program's own pipe. */
	wasi_put_u64(
	    p + 16,
	    e->kind != VFS_DIR && wasi_posix_paths(w)
	        ? __atomic_load_n(&w->root->rights_inheriting, __ATOMIC_RELAXED)
	        : __atomic_load_n(&e->rights_inheriting, __ATOMIC_RELAXED));
	err = WASI_ESUCCESS;
out:
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/*
 * fd_fdstat_set_flags(fd, flags) -> errno. APPEND and NONBLOCK change;
 * Linux cannot change the sync flags of an open file: ENOTSUP.
 */
int wasi_fd_fdstat_set_flags(struct vm_call *c, void *ud)
{
	uint32_t flags = wasi_u32(c, 1), err;
	struct vfs_entry *e;
	int fl;

	err = wasi_fd_get(wasi_ctx_of(ud), wasi_u32(c, 0),
	                  WASI_RIGHT_FD_FDSTAT_SET_FLAGS, &e);
	if (err != WASI_ESUCCESS)
		goto out;
	err = WASI_EINVAL;
	if (flags & ~0x1fu)
		goto out;
	err = WASI_ENOTSUP;
	if ((flags & ~(uint32_t)(WASI_FDFLAG_APPEND | WASI_FDFLAG_NONBLOCK)) !=
	    (wasi_fdflags_of(e->host_fd) &
	     ~(WASI_FDFLAG_APPEND | WASI_FDFLAG_NONBLOCK)))
		goto out;
	fl = fcntl(e->host_fd, F_GETFL);
	if (fl >= 0) {
		fl &= ~(O_APPEND | O_NONBLOCK);
		if (flags & WASI_FDFLAG_APPEND)
			fl |= O_APPEND;
		if (flags & WASI_FDFLAG_NONBLOCK)
			fl |= O_NONBLOCK;
		fl = fcntl(e->host_fd, F_SETFL, fl);
	}
	err = fl < 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS;
out:
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/*
 * fd_fdstat_set_rights(fd, base, inheriting) -> errno: only shrinks. Two
 * threads shrinking the rights of one entry at once each take away what
 * they drop (an atomic AND), so the result is never wider than either.
 */
int wasi_fd_fdstat_set_rights(struct vm_call *c, void *ud)
{
	uint64_t base = c->args[1], inh = c->args[2];
	struct vfs_entry *e;
	uint32_t err;

	err = wasi_fd_get(wasi_ctx_of(ud), wasi_u32(c, 0), 0, &e);
	if (err != WASI_ESUCCESS)
		goto out;
	err = WASI_ENOTCAPABLE;
	if (!wasi_fd_rights_ok(e, base) ||
	    (inh & ~__atomic_load_n(&e->rights_inheriting, __ATOMIC_RELAXED)) !=
	        0)
		goto out;
	__atomic_and_fetch(&e->rights_base, base, __ATOMIC_RELAXED);
	__atomic_and_fetch(&e->rights_inheriting, inh, __ATOMIC_RELAXED);
	err = WASI_ESUCCESS;
out:
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/* fd_filestat_get(fd) -> (errno, filestat) */
int wasi_fd_filestat_get(struct vm_call *c, void *ud)
{
	struct vfs_entry *e;
	struct stat st;
	uint32_t err;
	uint8_t *p;

	err = wasi_fd_get(wasi_ctx_of(ud), wasi_u32(c, 0),
	                  WASI_RIGHT_FD_FILESTAT_GET, &e);
	if (err != WASI_ESUCCESS)
		goto out;
	err = WASI_EFAULT;
	p = wasi_mem(c, wasi_ptr(c, 1), 64);
	if (p == NULL)
		goto out;
	if (e->vdir)
		vfs_vdir_stat(e->nspath, &st);
	err = !e->vdir && fstat(e->host_fd, &st) != 0
	          ? wasi_errno_from_host(errno)
	          : WASI_ESUCCESS;
	if (err == WASI_ESUCCESS) {
		wasi_put_filestat(p, &st);
		if (e->kind == VFS_PIPE)
			p[16] = WASI_FILETYPE_UNKNOWN;
	}
out:
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/* fd_filestat_set_size(fd, size) -> errno */
int wasi_fd_filestat_set_size(struct vm_call *c, void *ud)
{
	struct vfs_entry *e;
	uint32_t err;

	err = wasi_fd_get(wasi_ctx_of(ud), wasi_u32(c, 0),
	                  WASI_RIGHT_FD_FILESTAT_SET_SIZE, &e);
	if (err != WASI_ESUCCESS)
		goto out;
	err = WASI_EFBIG;
	if (c->args[1] > INT64_MAX)
		goto out;
	err = ftruncate(e->host_fd, (off_t)c->args[1]) != 0
	          ? wasi_errno_from_host(errno)
	          : WASI_ESUCCESS;
out:
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/* One timespec for utimensat from a time and its two fstflags bits. */
static struct timespec wasi_tspec(uint64_t t, uint32_t fst, uint32_t set,
                                  uint32_t now)
{
	struct timespec ts = {0, UTIME_OMIT};

	if (fst & now) {
		ts.tv_nsec = UTIME_NOW;
	} else if (fst & set) {
		ts.tv_sec = (time_t)(t / 1000000000u);
		ts.tv_nsec = (long)(t % 1000000000u);
	}
	return ts;
}

uint32_t wasi_set_times(int fd, const char *name, uint64_t atim, uint64_t mtim,
                        uint32_t fst)
{
	struct timespec ts[2];
	int r;

	if (fst & ~0xfu)
		return WASI_EINVAL;
	if (((fst & WASI_FST_ATIM) && (fst & WASI_FST_ATIM_NOW)) ||
	    ((fst & WASI_FST_MTIM) && (fst & WASI_FST_MTIM_NOW)))
		return WASI_EINVAL;
	ts[0] = wasi_tspec(atim, fst, WASI_FST_ATIM, WASI_FST_ATIM_NOW);
	ts[1] = wasi_tspec(mtim, fst, WASI_FST_MTIM, WASI_FST_MTIM_NOW);
	if (name == NULL)
		r = futimens(fd, ts);
	else
		r = utimensat(fd, name, ts, AT_SYMLINK_NOFOLLOW);
	return r != 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS;
}

/* fd_filestat_set_times(fd, atim, mtim, fst_flags) -> errno */
int wasi_fd_filestat_set_times(struct vm_call *c, void *ud)
{
	struct vfs_entry *e;
	uint32_t err;

	err = wasi_fd_get(wasi_ctx_of(ud), wasi_u32(c, 0),
	                  WASI_RIGHT_FD_FILESTAT_SET_TIMES, &e);
	if (err == WASI_ESUCCESS)
		err = wasi_set_times(e->host_fd, NULL, c->args[1], c->args[2],
		                     wasi_u32(c, 3));
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/* fd_advise(fd, offset, len, advice) -> errno */
int wasi_fd_advise(struct vm_call *c, void *ud)
{
	static const int advice[] = {
	    POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
	    POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE,
	};
	uint32_t a = wasi_u32(c, 3), err;
	struct vfs_entry *e;

	err = wasi_fd_get(wasi_ctx_of(ud), wasi_u32(c, 0), WASI_RIGHT_FD_ADVISE,
	                  &e);
	if (err != WASI_ESUCCESS)
		goto out;
	err = WASI_EINVAL;
	if (a >= WX_ARRAY_LEN(advice) || c->args[1] > INT64_MAX ||
	    c->args[2] > INT64_MAX)
		goto out;
	err = WASI_EBADF;
	if (e->kind == VFS_DIR)
		goto out;
	err = wasi_errno_from_host(posix_fadvise(e->host_fd, (off_t)c->args[1],
	                                         (off_t)c->args[2], advice[a]));
out:
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/* fd_allocate(fd, offset, len) -> errno */
int wasi_fd_allocate(struct vm_call *c, void *ud)
{
	struct vfs_entry *e;
	uint32_t err;

	err = wasi_fd_get(wasi_ctx_of(ud), wasi_u32(c, 0),
	                  WASI_RIGHT_FD_ALLOCATE, &e);
	if (err != WASI_ESUCCESS)
		goto out;
	err = WASI_EFBIG;
	if (c->args[1] > INT64_MAX || c->args[2] > INT64_MAX ||
	    c->args[1] + c->args[2] > INT64_MAX)
		goto out;
	err = WASI_EINVAL;
	if (c->args[2] == 0)
		goto out;
	err = wasi_errno_from_host(
	    posix_fallocate(e->host_fd, (off_t)c->args[1], (off_t)c->args[2]));
out:
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/* fd_datasync(fd) and fd_sync(fd) -> errno */
static int wasi_fd_sync_common(struct vm_call *c, void *ud, bool data)
{
	struct vfs_entry *e;
	uint32_t err;

	err =
	    wasi_fd_get(wasi_ctx_of(ud), wasi_u32(c, 0),
	                data ? WASI_RIGHT_FD_DATASYNC : WASI_RIGHT_FD_SYNC, &e);
	if (err == WASI_ESUCCESS &&
	    (data ? fdatasync(e->host_fd) : fsync(e->host_fd)) != 0)
		err = wasi_errno_from_host(errno);
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/* fd_datasync(fd) -> errno */
int wasi_fd_datasync(struct vm_call *c, void *ud)
{
	return wasi_fd_sync_common(c, ud, true);
}

/* fd_sync(fd) -> errno */
int wasi_fd_sync(struct vm_call *c, void *ud)
{
	return wasi_fd_sync_common(c, ud, false);
}

/*
 * The preopen at 'fd' (a reference in '*e'): EBADF if it is none. With
 * posix_root the root's own slot always shows the root, whatever the
 * program put there or closed: a program exec'd after `exec 3>file` or a
 * close of fd 3 finds its root where wasix-libc looks for it (and its
 * paths are absolute, so the fd's content does not matter).
 */
static uint32_t wasi_preopen_get(struct wasi_ctx *w, uint32_t fd,
                                 struct vfs_entry **e)
{
	uint32_t err;

	if (fd == w->root_fd && (*e = wasi_root_ref(w)) != NULL)
		return WASI_ESUCCESS;
	err = wasi_fd_get(w, fd, 0, e);
	if (err == WASI_ESUCCESS && (*e)->preopen == NULL)
		err = WASI_EBADF;
	return err;
}

/* fd_prestat_get(fd) -> (errno, prestat {tag u8 = 0 dir, name_len size}:
 * 8 bytes, name_len at 4; 16 with memory64, name_len at 8) */
int wasi_fd_prestat_get(struct vm_call *c, void *ud)
{
	struct vfs_entry *e;
	uint32_t err;
	uint8_t *p;

	err = wasi_preopen_get(wasi_ctx_of(ud), wasi_u32(c, 0), &e);
	if (err != WASI_ESUCCESS)
		goto out;
	err = WASI_EFAULT;
	p = wasi_mem(c, wasi_ptr(c, 1), 2 * wasi_psize(c));
	if (p == NULL)
		goto out;
	memset(p, 0, 2 * wasi_psize(c));
	wasi_put_ptr(c, p + wasi_psize(c), strlen(e->preopen));
	err = WASI_ESUCCESS;
out:
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/* fd_prestat_dir_name(fd, path, path_len) -> errno (no NUL written) */
int wasi_fd_prestat_dir_name(struct vm_call *c, void *ud)
{
	uint64_t len = wasi_size(c, 2);
	struct vfs_entry *e;
	uint32_t err;
	uint8_t *p;
	size_t n;

	err = wasi_preopen_get(wasi_ctx_of(ud), wasi_u32(c, 0), &e);
	if (err != WASI_ESUCCESS)
		goto out;
	n = strlen(e->preopen);
	p = wasi_mem(c, wasi_ptr(c, 1), len);
	err = WASI_EFAULT;
	if (p == NULL)
		goto out;
	err = WASI_ENAMETOOLONG;
	if (len < n)
		goto out;
	memcpy(p, e->preopen, n);
	err = WASI_ESUCCESS;
out:
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}

/*
 * Writes one dirent (header then name) into buf[*used, len), truncating
 * the last one as preview1 allows; false once the buffer is full.
 */
static bool wasi_put_dirent(uint8_t *buf, uint32_t len, uint32_t *used,
                            const struct vfs_dirent *d)
{
	uint8_t hdr[WASI_DIRENT_SIZE];
	uint32_t room = len - *used, n;

	memset(hdr, 0, sizeof hdr);
	wasi_put_u64(hdr, d->next);
	wasi_put_u64(hdr + 8, d->ino);
	wasi_put_u32(hdr + 16, (uint32_t)d->namelen);
	hdr[20] = wasi_filetype_of(d->kind);
	n = room < sizeof hdr ? room : (uint32_t)sizeof hdr;
	memcpy(buf + *used, hdr, n);
	*used += n;
	room -= n;
	n = room < d->namelen ? room : (uint32_t)d->namelen;
	memcpy(buf + *used, d->name, n);
	*used += n;
	return *used < len;
}

/* fd_readdir(fd, buf, buf_len, cookie) -> (errno, bufused) */
int wasi_fd_readdir(struct vm_call *c, void *ud)
{
	uint32_t len = wasi_size32(c, 2), used = 0, err;
	struct vfs_dirent d;
	struct vfs_entry *e;
	uint8_t *buf, *pres;
	int rc;

	err = wasi_fd_get(wasi_ctx_of(ud), wasi_u32(c, 0),
	                  WASI_RIGHT_FD_READDIR, &e);
	if (err == WASI_ENOTCAPABLE && e->kind != VFS_DIR)
		err = WASI_ENOTDIR;
	if (err != WASI_ESUCCESS)
		goto out;
	buf = wasi_mem(c, wasi_ptr(c, 1), len);
	pres = wasi_mem(c, wasi_ptr(c, 4), wasi_psize(c));
	err = WASI_EFAULT;
	if (buf == NULL || pres == NULL)
		goto out;
	/* One reader of the entry's stream at a time: seek and reads go
	 * together. */
	vfs_dir_lock(e);
	rc = vfs_dir_seek(e, c->args[3]);
	while (rc == 0 && used < len) {
		rc = vfs_dir_next(e, &d);
		if (rc == 0 && !wasi_put_dirent(buf, len, &used, &d))
			break;
	}
	vfs_dir_unlock(e);
	err = rc > 0 ? wasi_errno_from_host(rc) : WASI_ESUCCESS;
	if (rc <= 0)
		wasi_put_ptr(c, pres, used);
out:
	vfs_entry_unref(e);
	return wasi_ret(c, err);
}
