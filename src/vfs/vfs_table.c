/*
 * vfs_table.c: the fd table, reference-counted entries, preopens and
 * directory streams.
 *
 * Keeps true:
 *  - Every non-NULL slot holds one reference to its entry; an entry's
 *    host fd is closed exactly once, when its last reference goes (never
 *    if borrowed).
 *  - The slot array grows geometrically up to 'max' slots and never
 *    shrinks; fds are always < max.
 */
#include "vfs/vfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"

uint8_t vfs_kind_of(int host_fd)
{
	struct stat st;

	if (fstat(host_fd, &st) != 0)
		return VFS_UNKNOWN;
	switch (st.st_mode & S_IFMT) {
	case S_IFREG:
		return VFS_FILE;
	case S_IFDIR:
		return VFS_DIR;
	case S_IFIFO:
		return VFS_PIPE;
	case S_IFSOCK: {
		int type = 0;
		socklen_t len = sizeof type;

		if (getsockopt(host_fd, SOL_SOCKET, SO_TYPE, &type, &len) ==
		        0 &&
		    type == SOCK_DGRAM)
			return VFS_SOCKET_DGRAM;
		return VFS_SOCKET_STREAM;
	}
	case S_IFCHR:
		return isatty(host_fd) ? VFS_TTY : VFS_CHARDEV;
	case S_IFBLK:
		return VFS_BLOCKDEV;
	default:
		return VFS_UNKNOWN;
	}
}

struct vfs_entry *vfs_entry_new(int host_fd, uint8_t kind, bool borrowed)
{
	struct vfs_entry *e = wx_calloc(1, sizeof *e);

	if (e == NULL) {
		if (!borrowed)
			close(host_fd);
		return NULL;
	}
	e->refs = 1;
	e->kind = kind;
	e->borrowed = borrowed;
	e->host_fd = host_fd;
	return e;
}

void vfs_entry_ref(struct vfs_entry *e)
{
	e->refs++;
}

void vfs_entry_unref(struct vfs_entry *e)
{
	if (e == NULL || --e->refs > 0)
		return;
	if (e->dir != NULL)
		closedir(e->dir);
	if (!e->borrowed)
		close(e->host_fd);
	wx_free(e->preopen);
	wx_free(e);
}

void vfs_table_init(struct vfs_table *t, uint32_t max)
{
	memset(t, 0, sizeof *t);
	t->max = max ? max : VFS_MAX_FDS;
}

void vfs_table_free(struct vfs_table *t)
{
	uint32_t i;

	for (i = 0; i < t->cap; i++)
		vfs_entry_unref(t->slot[i].e);
	wx_free(t->slot);
	t->slot = NULL;
	t->cap = 0;
}

struct vfs_entry *vfs_get(const struct vfs_table *t, uint32_t fd)
{
	return fd < t->cap ? t->slot[fd].e : NULL;
}

/* Makes room for slot 'fd'. Returns 0 or ENOMEM. */
static int vfs_grow(struct vfs_table *t, uint32_t fd)
{
	uint32_t cap = t->cap ? t->cap : 16;
	struct vfs_slot *s;

	if (fd < t->cap)
		return 0;
	while (cap <= fd)
		cap = cap > t->max / 2 ? t->max : cap * 2;
	s = wx_realloc(t->slot, (size_t)cap * sizeof *s);
	if (s == NULL)
		return ENOMEM;
	memset(s + t->cap, 0, (size_t)(cap - t->cap) * sizeof *s);
	t->slot = s;
	t->cap = cap;
	return 0;
}

int vfs_install_at(struct vfs_table *t, struct vfs_entry *e, uint32_t fd)
{
	struct vfs_entry *old;

	if (fd >= t->max)
		return EBADF;
	if (vfs_grow(t, fd) != 0)
		return ENOMEM;
	old = t->slot[fd].e;
	t->slot[fd].e = e;
	t->slot[fd].cloexec = false;
	vfs_entry_unref(old);
	return 0;
}

int vfs_install(struct vfs_table *t, struct vfs_entry *e, uint32_t min_fd,
                uint32_t *fd)
{
	uint32_t i;

	for (i = min_fd; i < t->cap && t->slot[i].e != NULL; i++)
		;
	if (i >= t->max)
		return EMFILE;
	*fd = i;
	return vfs_install_at(t, e, i);
}

int vfs_close(struct vfs_table *t, uint32_t fd)
{
	struct vfs_entry *e = vfs_get(t, fd);

	if (e == NULL)
		return EBADF;
	t->slot[fd].e = NULL;
	t->slot[fd].cloexec = false;
	vfs_entry_unref(e);
	return 0;
}

int vfs_dup2(struct vfs_table *t, uint32_t from, uint32_t to)
{
	struct vfs_entry *e = vfs_get(t, from);
	int rc;

	if (e == NULL || to >= t->max)
		return EBADF;
	if (from == to)
		return 0;
	vfs_entry_ref(e);
	rc = vfs_install_at(t, e, to);
	if (rc != 0)
		vfs_entry_unref(e);
	return rc;
}

int vfs_set_cloexec(struct vfs_table *t, uint32_t fd, bool on)
{
	if (vfs_get(t, fd) == NULL)
		return EBADF;
	t->slot[fd].cloexec = on;
	return 0;
}

int vfs_table_clone(struct vfs_table *dst, const struct vfs_table *src)
{
	uint32_t i;

	vfs_table_init(dst, src->max);
	if (src->cap == 0)
		return 0;
	dst->slot = wx_alloc_array(src->cap, sizeof *dst->slot);
	if (dst->slot == NULL)
		return ENOMEM;
	dst->cap = src->cap;
	for (i = 0; i < src->cap; i++) {
		dst->slot[i] = src->slot[i];
		if (dst->slot[i].e != NULL)
			vfs_entry_ref(dst->slot[i].e);
	}
	return 0;
}

void vfs_close_on_exec(struct vfs_table *t)
{
	uint32_t i;

	for (i = 0; i < t->cap; i++)
		if (t->slot[i].e != NULL && t->slot[i].cloexec)
			vfs_close(t, i);
}

int vfs_preopen(struct vfs_table *t, const char *host_path, const char *guest,
                uint32_t min_fd, uint32_t *fd)
{
	struct vfs_entry *e;
	size_t n = strlen(guest) + 1;
	int hfd, rc;

	hfd = open(host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (hfd < 0)
		return errno;
	e = vfs_entry_new(hfd, VFS_DIR, false);
	if (e == NULL)
		return ENOMEM;
	e->preopen = wx_malloc(n);
	if (e->preopen == NULL) {
		rc = ENOMEM;
		goto fail;
	}
	memcpy(e->preopen, guest, n);
	rc = vfs_install(t, e, min_fd, fd);
	if (rc == 0)
		return 0;
fail:
	vfs_entry_unref(e);
	return rc;
}

/* ---- directory streams ----------------------------------------------------
 */

/* (Re)opens the entry's stream at its start. Returns 0 or an errno. */
static int vfs_dir_rewind(struct vfs_entry *e)
{
	int fd;

	if (e->dir != NULL) {
		closedir(e->dir);
		e->dir = NULL;
	}
	e->dir_pos = 0;
	fd = openat(e->host_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	e->dir = fdopendir(fd);
	if (e->dir == NULL) {
		int err = errno;

		close(fd);
		return err;
	}
	return 0;
}

int vfs_dir_seek(struct vfs_entry *e, uint64_t cookie)
{
	struct vfs_dirent d;
	int rc;

	if (e->kind != VFS_DIR)
		return ENOTDIR;
	if (e->dir != NULL && e->dir_pos == cookie)
		return 0;
	if (e->dir == NULL || cookie < e->dir_pos) {
		rc = vfs_dir_rewind(e);
		if (rc != 0)
			return rc;
	}
	while (e->dir_pos < cookie) {
		rc = vfs_dir_next(e, &d);
		if (rc < 0)
			return 0; /* past the end: reads return nothing */
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* The kind of a dirent's d_type. */
static uint8_t vfs_kind_of_dtype(unsigned char t)
{
	switch (t) {
	case DT_REG:
		return VFS_FILE;
	case DT_DIR:
		return VFS_DIR;
	case DT_FIFO:
		return VFS_PIPE;
	case DT_SOCK:
		return VFS_SOCKET_STREAM;
	case DT_CHR:
		return VFS_CHARDEV;
	case DT_BLK:
		return VFS_BLOCKDEV;
	case DT_LNK:
		return VFS_SYMLINK;
	default:
		return VFS_UNKNOWN;
	}
}

int vfs_dir_next(struct vfs_entry *e, struct vfs_dirent *d)
{
	struct dirent *de;

	if (e->dir == NULL)
		return ENOTDIR;
	errno = 0;
	de = readdir(e->dir);
	if (de == NULL)
		return errno != 0 ? errno : -1;
	e->dir_pos++;
	d->next = e->dir_pos;
	d->ino = de->d_ino;
	d->kind = vfs_kind_of_dtype(de->d_type);
	d->name = de->d_name;
	d->namelen = strlen(de->d_name);
	return 0;
}
