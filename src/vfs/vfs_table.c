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
 *  - THREADS: guest threads share one table. Every table operation runs
 *    under 'vfs_mu' (one lock for all tables: tables are copied by value
 *    for proc_fork_env, so a lock inside them could not be), which is a
 *    leaf: nothing else is locked, and no entry is freed (no close(),
 *    no closedir()) while it is held. Reference counts are atomic, so an
 *    entry taken with vfs_get_ref outlives a concurrent close. The fork
 *    hooks (pthread_atfork) take vfs_mu around fork() so that a child
 *    never inherits it locked. Until vfs_threads_begin, only one thread
 *    uses tables and vfs_mu is not taken.
 *  - A directory stream (e->dir, e->dir_pos) is only touched under its
 *    entry's stripe of 'vfs_dir_mu' (vfs_dir_lock), which may be held
 *    across readdir(3) and is taken before vfs_mu, never after; the fork
 *    hooks take every stripe first.
 */
#include "vfs/vfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"

static pthread_mutex_t vfs_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t vfs_atfork_once = PTHREAD_ONCE_INIT;
/* Set (never cleared) once a second thread may use a table; until then
 * tables are not locked at all (the single-threaded cost). __atomic. */
static int vfs_mt;

void vfs_threads_begin(void)
{
	__atomic_store_n(&vfs_mt, 1, __ATOMIC_RELEASE);
}

/* Locks vfs_mu if threads may share tables; pass the result to unlock. */
static bool vfs_lock(void)
{
	if (!__atomic_load_n(&vfs_mt, __ATOMIC_ACQUIRE))
		return false;
	pthread_mutex_lock(&vfs_mu);
	return true;
}

static void vfs_unlock(bool locked)
{
	if (locked)
		pthread_mutex_unlock(&vfs_mu);
}

/* Directory-stream locks, striped by entry address (vfs_dir_lock). */
#define VFS_DIR_STRIPES 16
static pthread_mutex_t vfs_dir_mu[VFS_DIR_STRIPES];

static void vfs_fork_prepare(void)
{
	for (int i = 0; i < VFS_DIR_STRIPES; i++)
		pthread_mutex_lock(&vfs_dir_mu[i]);
	pthread_mutex_lock(&vfs_mu);
}

static void vfs_fork_release(void)
{
	pthread_mutex_unlock(&vfs_mu);
	for (int i = VFS_DIR_STRIPES; i-- > 0;)
		pthread_mutex_unlock(&vfs_dir_mu[i]);
}

static void vfs_atfork_register(void)
{
	for (int i = 0; i < VFS_DIR_STRIPES; i++)
		pthread_mutex_init(&vfs_dir_mu[i], NULL);
	pthread_atfork(vfs_fork_prepare, vfs_fork_release, vfs_fork_release);
}

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
	__atomic_fetch_add(&e->refs, 1, __ATOMIC_RELAXED);
}

void vfs_entry_unref(struct vfs_entry *e)
{
	if (e == NULL || __atomic_sub_fetch(&e->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	if (e->dir != NULL)
		closedir(e->dir);
	if (!e->borrowed)
		close(e->host_fd);
	wx_free(e->preopen);
	wx_free(e->nspath);
	wx_free(e->vlist);
	if (e->aux != NULL && e->aux_free != NULL)
		e->aux_free(e->aux);
	wx_free(e);
}

void vfs_table_init(struct vfs_table *t, uint32_t max)
{
	pthread_once(&vfs_atfork_once, vfs_atfork_register);
	memset(t, 0, sizeof *t);
	t->max = max ? max : VFS_MAX_FDS;
}

void vfs_table_free(struct vfs_table *t)
{
	struct vfs_slot *slot;
	uint32_t i, cap;

	bool l = vfs_lock();
	slot = t->slot;
	cap = t->cap;
	t->slot = NULL;
	t->cap = 0;
	vfs_unlock(l);
	for (i = 0; i < cap; i++)
		vfs_entry_unref(slot[i].e);
	wx_free(slot);
}

struct vfs_entry *vfs_get(const struct vfs_table *t, uint32_t fd)
{
	struct vfs_entry *e;

	bool l = vfs_lock();
	e = fd < t->cap ? t->slot[fd].e : NULL;
	vfs_unlock(l);
	return e;
}

struct vfs_entry *vfs_get_ref(const struct vfs_table *t, uint32_t fd)
{
	struct vfs_entry *e;

	bool l = vfs_lock();
	e = fd < t->cap ? t->slot[fd].e : NULL;
	if (e != NULL)
		vfs_entry_ref(e);
	vfs_unlock(l);
	return e;
}

struct vfs_entry *vfs_next_ref(const struct vfs_table *t, uint32_t *fd)
{
	struct vfs_entry *e = NULL;
	uint32_t i;

	bool l = vfs_lock();
	for (i = *fd; i < t->cap && t->slot[i].e == NULL; i++)
		;
	if (i < t->cap) {
		e = t->slot[i].e;
		vfs_entry_ref(e);
		*fd = i;
	}
	vfs_unlock(l);
	return e;
}

bool vfs_get_cloexec(const struct vfs_table *t, uint32_t fd)
{
	bool on;

	bool l = vfs_lock();
	on = fd < t->cap && t->slot[fd].e != NULL && t->slot[fd].cloexec;
	vfs_unlock(l);
	return on;
}

/* Makes room for slot 'fd' (vfs_mu held). Returns 0 or ENOMEM. */
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

/*
 * Puts 'e' at 'fd' (vfs_mu held); the entry it replaces goes to '*old'
 * for the caller to drop once unlocked. Returns 0, EBADF or ENOMEM.
 */
static int vfs_put(struct vfs_table *t, struct vfs_entry *e, uint32_t fd,
                   struct vfs_entry **old)
{
	*old = NULL;
	if (fd >= t->max)
		return EBADF;
	if (vfs_grow(t, fd) != 0)
		return ENOMEM;
	*old = t->slot[fd].e;
	t->slot[fd].e = e;
	t->slot[fd].cloexec = false;
	return 0;
}

int vfs_install_at(struct vfs_table *t, struct vfs_entry *e, uint32_t fd)
{
	struct vfs_entry *old;
	int rc;

	bool l = vfs_lock();
	rc = vfs_put(t, e, fd, &old);
	vfs_unlock(l);
	vfs_entry_unref(old);
	return rc;
}

int vfs_install(struct vfs_table *t, struct vfs_entry *e, uint32_t min_fd,
                uint32_t *fd)
{
	struct vfs_entry *old = NULL;
	uint32_t i;
	int rc;

	bool l = vfs_lock();
	for (i = min_fd; i < t->cap && t->slot[i].e != NULL; i++)
		;
	if (i >= t->max) {
		rc = EMFILE;
	} else {
		rc = vfs_put(t, e, i, &old);
		if (rc == 0)
			*fd = i;
	}
	vfs_unlock(l);
	vfs_entry_unref(old);
	return rc;
}

/* Empties slot 'fd' (vfs_mu held): its entry, or NULL (EBADF). */
static struct vfs_entry *vfs_take(struct vfs_table *t, uint32_t fd)
{
	struct vfs_entry *e = fd < t->cap ? t->slot[fd].e : NULL;

	if (e != NULL) {
		t->slot[fd].e = NULL;
		t->slot[fd].cloexec = false;
	}
	return e;
}

int vfs_close(struct vfs_table *t, uint32_t fd)
{
	struct vfs_entry *e;

	bool l = vfs_lock();
	e = vfs_take(t, fd);
	vfs_unlock(l);
	if (e == NULL)
		return EBADF;
	vfs_entry_unref(e);
	return 0;
}

int vfs_dup2(struct vfs_table *t, uint32_t from, uint32_t to)
{
	struct vfs_entry *e, *old = NULL;
	int rc = 0;

	bool l = vfs_lock();
	e = from < t->cap ? t->slot[from].e : NULL;
	if (e == NULL || to >= t->max) {
		rc = EBADF;
	} else if (from != to) {
		vfs_entry_ref(e);
		rc = vfs_put(t, e, to, &old);
		if (rc != 0)
			__atomic_fetch_sub(&e->refs, 1, __ATOMIC_RELAXED);
	}
	vfs_unlock(l);
	vfs_entry_unref(old);
	return rc;
}

int vfs_set_cloexec(struct vfs_table *t, uint32_t fd, bool on)
{
	int rc = EBADF;

	bool l = vfs_lock();
	if (fd < t->cap && t->slot[fd].e != NULL) {
		t->slot[fd].cloexec = on;
		rc = 0;
	}
	vfs_unlock(l);
	return rc;
}

int vfs_table_clone(struct vfs_table *dst, const struct vfs_table *src)
{
	uint32_t i;
	int rc = 0;

	vfs_table_init(dst, src->max);
	bool l = vfs_lock();
	if (src->cap == 0)
		goto out;
	dst->slot = wx_alloc_array(src->cap, sizeof *dst->slot);
	if (dst->slot == NULL) {
		rc = ENOMEM;
		goto out;
	}
	dst->cap = src->cap;
	for (i = 0; i < src->cap; i++) {
		dst->slot[i] = src->slot[i];
		if (dst->slot[i].e != NULL)
			vfs_entry_ref(dst->slot[i].e);
	}
out:
	vfs_unlock(l);
	return rc;
}

void vfs_close_on_exec(struct vfs_table *t)
{
	uint32_t i;

	for (i = 0;; i++) {
		struct vfs_entry *e = NULL;
		bool end;

		bool l = vfs_lock();
		end = i >= t->cap;
		if (!end && t->slot[i].e != NULL && t->slot[i].cloexec)
			e = vfs_take(t, i);
		vfs_unlock(l);
		if (end)
			break;
		vfs_entry_unref(e);
	}
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

/* The stripe of vfs_dir_mu that guards 'e''s stream. */
static pthread_mutex_t *vfs_dir_mutex(const struct vfs_entry *e)
{
	uintptr_t h = (uintptr_t)e >> 6;

	return &vfs_dir_mu[(h ^ h >> 4) % VFS_DIR_STRIPES];
}

void vfs_dir_lock(struct vfs_entry *e)
{
	pthread_once(&vfs_atfork_once, vfs_atfork_register); /* inits them */
	pthread_mutex_lock(vfs_dir_mutex(e));
}

void vfs_dir_unlock(struct vfs_entry *e)
{
	pthread_mutex_unlock(vfs_dir_mutex(e));
}

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
	if (e->vdir) {
		e->dir_pos = cookie;
		return 0;
	}
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

/* vfs_dir_next on a virtual directory: record number dir_pos of vlist. */
static int vfs_vdir_next(struct vfs_entry *e, struct vfs_dirent *d)
{
	uint32_t off = 0;

	for (uint64_t i = 0; i < e->dir_pos && off < e->vlist_len; i++)
		off += (uint32_t)strlen(e->vlist + off + 1) + 2;
	if (off >= e->vlist_len)
		return -1;
	e->dir_pos++;
	d->next = e->dir_pos;
	d->ino = e->dir_pos; /* stable within the listing */
	d->kind = (uint8_t)e->vlist[off];
	d->name = e->vlist + off + 1;
	d->namelen = strlen(d->name);
	return 0;
}

int vfs_dir_next(struct vfs_entry *e, struct vfs_dirent *d)
{
	struct dirent *de;

	if (e->vdir)
		return vfs_vdir_next(e, d);
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
