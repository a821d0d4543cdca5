/*
 * vfs_ns.c: the guest's filesystem namespace. Guest paths are absolute
 * paths in one tree made of mounts: host directories (--dir HOST::GUEST),
 * the virtual /dev, and virtual directories that only hold mount points
 * (the root "/" when no host directory is mapped there, "/a" above a
 * mount at "/a/b").
 *
 * Keeps true:
 * - A namespace is built once (vfs_ns_new, vfs_ns_mount, vfs_ns_seal)
 *   and never changes afterwards, so any thread and any forked process
 *   may read it without a lock. It holds one O_PATH directory fd per host
 *   mount; nothing here is a guest fd, so no guest close, dup2 or
 *   renumber can cut a program off from its mounts.
 * - Guest paths are normalised lexically ('.', '..' and repeated '/'
 *   removed; '..' at the root stays at the root) before a mount is
 *   chosen; beneath a host mount, vfs_resolve does the rest and never
 *   leaves the mount.
 * - /dev holds a fixed list of devices. Four are the host's /dev/null,
 *   /dev/zero and /dev/urandom opened by name by wasmix itself (the guest
 *   chooses among names, never a host path); stdin, stdout, stderr and
 *   tty reopen the guest's own fds 0-2. No other host device is
 *   reachable. A host mount at /dev replaces all of it; a host mount
 *   below /dev wins for its own paths.
 */
#include "vfs/vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"

#define VFS_NS_MAX_MOUNTS 256

struct vfs_mount {
	char *path;   /* normalised absolute guest path */
	size_t len;   /* strlen(path); 1 for "/" */
	uint8_t kind; /* VFS_MOUNT_* */
	int host_fd;  /* VFS_MOUNT_HOST: O_PATH directory; else -1 */
};

struct vfs_ns {
	struct vfs_mount *m;
	uint32_t n;
	bool sealed;
};

/* Guest-visible devices: the one list (names, readdir order). */
static const struct vfs_dev {
	const char *name;
	const char *host; /* opened by wasmix, or NULL */
	int stdfd;        /* guest fd reopened, -1, or -2 for "a tty of 0-2" */
} vfs_devs[] = {
    {"null", "/dev/null", -1},
    {"zero", "/dev/zero", -1},
    {"random", "/dev/urandom", -1},
    {"urandom", "/dev/urandom", -1},
    {"stdin", NULL, 0},
    {"stdout", NULL, 1},
    {"stderr", NULL, 2},
    {"tty", NULL, -2},
};

int vfs_ns_new(struct vfs_ns **out)
{
	*out = wx_calloc(1, sizeof **out);
	return *out == NULL ? ENOMEM : 0;
}

void vfs_ns_free(struct vfs_ns *ns)
{
	if (ns == NULL)
		return;
	for (uint32_t i = 0; i < ns->n; i++) {
		if (ns->m[i].host_fd >= 0)
			close(ns->m[i].host_fd);
		wx_free(ns->m[i].path);
	}
	wx_free(ns->m);
	wx_free(ns);
}

int vfs_ns_norm(const char *base, const char *path, size_t len,
                char out[VFS_PATH_MAX + 1])
{
	size_t n = 0, i = 0, blen = base != NULL ? strlen(base) : 0;
	int pass;

	if (memchr(path, 0, len) != NULL)
		return EINVAL;
	out[0] = 0;
	/* Pass 0 walks 'base' (unless 'path' is absolute), pass 1 'path'. */
	for (pass = 0; pass < 2; pass++) {
		const char *s = pass == 0 ? base : path;
		size_t sl = pass == 0 ? blen : len;

		if (pass == 0 && (base == NULL || (len > 0 && path[0] == '/')))
			continue;
		for (i = 0; i < sl;) {
			size_t j = i;

			while (j < sl && s[j] != '/')
				j++;
			if (j - i > VFS_NAME_MAX)
				return ENAMETOOLONG;
			if (j == i || (j - i == 1 && s[i] == '.')) {
				/* empty or '.': nothing */
			} else if (j - i == 2 && s[i] == '.' &&
			           s[i + 1] == '.') {
				while (n > 0 && out[n - 1] != '/')
					n--;
				if (n > 0)
					n--;
			} else {
				if (n + 1 + (j - i) > VFS_PATH_MAX)
					return ENAMETOOLONG;
				out[n++] = '/';
				memcpy(out + n, s + i, j - i);
				n += j - i;
			}
			out[n] = 0;
			i = j + 1;
		}
	}
	if (n == 0)
		strcpy(out, "/");
	return 0;
}

/* Whether mount path 'mp' ('ml' bytes) is 'p' or a directory above it. */
static bool vfs_ns_covers(const char *mp, size_t ml, const char *p)
{
	if (ml == 1) /* "/" */
		return true;
	return strncmp(p, mp, ml) == 0 && (p[ml] == '/' || p[ml] == 0);
}

int vfs_ns_mount(struct vfs_ns *ns, const char *host, const char *guest)
{
	char norm[VFS_PATH_MAX + 1];
	struct vfs_mount *m;
	int rc, fd = -1;

	if (ns->sealed)
		return EBUSY;
	if (ns->n >= VFS_NS_MAX_MOUNTS)
		return ENFILE;
	rc = vfs_ns_norm("/", guest, strlen(guest), norm);
	if (rc != 0)
		return rc;
	if (host != NULL) {
		fd = open(host, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return errno;
	}
	/* A later mount at the same guest path replaces an earlier one. */
	for (uint32_t i = 0; i < ns->n; i++) {
		if (strcmp(ns->m[i].path, norm) == 0) {
			if (ns->m[i].host_fd >= 0)
				close(ns->m[i].host_fd);
			ns->m[i].host_fd = fd;
			ns->m[i].kind =
			    host != NULL ? VFS_MOUNT_HOST : VFS_MOUNT_DEV;
			return 0;
		}
	}
	m = wx_realloc(ns->m, (ns->n + 1) * sizeof *m);
	if (m == NULL)
		goto nomem;
	ns->m = m;
	m = &ns->m[ns->n];
	m->path = wx_malloc(strlen(norm) + 1);
	if (m->path == NULL)
		goto nomem;
	strcpy(m->path, norm);
	m->len = strlen(norm);
	m->kind = host != NULL ? VFS_MOUNT_HOST : VFS_MOUNT_DEV;
	m->host_fd = fd;
	ns->n++;
	return 0;
nomem:
	if (fd >= 0)
		close(fd);
	return ENOMEM;
}

int vfs_ns_seal(struct vfs_ns *ns)
{
	int rc = 0;

	if (!ns->sealed && vfs_ns_find(ns, "/dev") == NULL)
		rc = vfs_ns_mount(ns, NULL, "/dev");
	ns->sealed = true;
	return rc;
}

const struct vfs_mount *vfs_ns_find(const struct vfs_ns *ns, const char *gpath)
{
	for (uint32_t i = 0; i < ns->n; i++)
		if (strcmp(ns->m[i].path, gpath) == 0)
			return &ns->m[i];
	return NULL;
}

bool vfs_ns_virtual_dev(const struct vfs_ns *ns)
{
	const struct vfs_mount *m = vfs_ns_find(ns, "/dev");

	return m != NULL && m->kind == VFS_MOUNT_DEV;
}

/* The mount holding normalised 'p' (the longest that covers it), or NULL. */
static const struct vfs_mount *vfs_ns_owner(const struct vfs_ns *ns,
                                            const char *p)
{
	const struct vfs_mount *best = NULL;

	for (uint32_t i = 0; i < ns->n; i++) {
		const struct vfs_mount *m = &ns->m[i];

		if (vfs_ns_covers(m->path, m->len, p) &&
		    (best == NULL || m->len > best->len))
			best = m;
	}
	return best;
}

/* Whether some mount lies strictly below normalised directory 'p'. */
static bool vfs_ns_above_mount(const struct vfs_ns *ns, const char *p)
{
	size_t pl = strlen(p);

	for (uint32_t i = 0; i < ns->n; i++) {
		const struct vfs_mount *m = &ns->m[i];

		if (m->len > pl && vfs_ns_covers(p, pl, m->path))
			return true;
	}
	return false;
}

static int vfs_dev_index(const char *name)
{
	for (size_t i = 0; i < WX_ARRAY_LEN(vfs_devs); i++)
		if (strcmp(vfs_devs[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int vfs_ns_vdir(struct vfs_loc *loc)
{
	loc->kind = VFS_LOC_VDIR;
	return 0;
}

int vfs_ns_locate(const struct vfs_ns *ns, const char *gpath, bool trailing,
                  struct vfs_loc *loc)
{
	const struct vfs_mount *m = vfs_ns_owner(ns, gpath);
	const char *rest;

	memset(loc, 0, sizeof *loc);
	loc->root = -1;
	loc->mount = m;
	if (m == NULL) {
		/* No host directory here: only mount points' parents exist. */
		if (strcmp(gpath, "/") == 0 || vfs_ns_above_mount(ns, gpath))
			return vfs_ns_vdir(loc);
		return ENOENT;
	}
	rest = gpath + (m->len == 1 ? 0 : m->len);
	while (*rest == '/')
		rest++;
	if (m->kind == VFS_MOUNT_HOST) {
		size_t rl = strlen(rest);

		loc->kind = VFS_LOC_HOST;
		loc->root = m->host_fd;
		if (rl == 0) {
			strcpy(loc->rest, trailing ? "./" : ".");
		} else {
			memcpy(loc->rest, rest, rl);
			if (trailing)
				loc->rest[rl++] = '/';
			loc->rest[rl] = 0;
		}
		return 0;
	}
	/* The virtual /dev: one level of device names. */
	if (*rest == 0) {
		loc->kind = VFS_LOC_VDIR;
		return 0;
	}
	{
		char first[VFS_NAME_MAX + 1];
		size_t fl = strcspn(rest, "/");

		memcpy(first, rest, fl);
		first[fl] = 0;
		loc->dev = vfs_dev_index(first);
		if (loc->dev < 0)
			return vfs_ns_above_mount(ns, gpath) ? vfs_ns_vdir(loc)
			                                     : ENOENT;
		if (rest[fl] != 0 || trailing)
			return ENOTDIR;
	}
	loc->kind = VFS_LOC_DEV;
	return 0;
}

/* ---- virtual directories and devices ------------------------------------ */

/* Appends one listing record: kind byte, name, NUL. */
static int vfs_vlist_add(char **buf, uint32_t *len, uint8_t kind,
                         const char *name, size_t nl)
{
	char *b;

	/* Already listed (two mounts below one name)? */
	for (uint32_t i = 0; i < *len;) {
		size_t l = strlen(*buf + i + 1);

		if (l == nl && memcmp(*buf + i + 1, name, nl) == 0)
			return 0;
		i += (uint32_t)l + 2;
	}
	b = wx_realloc(*buf, *len + nl + 2);
	if (b == NULL)
		return ENOMEM;
	b[*len] = (char)kind;
	memcpy(b + *len + 1, name, nl);
	b[*len + 1 + nl] = 0;
	*buf = b;
	*len += (uint32_t)nl + 2;
	return 0;
}

/* The names in virtual directory 'gpath': ".", "..", devices, mounts. */
static int vfs_vdir_list(const struct vfs_ns *ns, const char *gpath, char **out,
                         uint32_t *outlen)
{
	const struct vfs_mount *own = vfs_ns_owner(ns, gpath);
	size_t pl = strlen(gpath);
	char *buf = NULL;
	uint32_t len = 0;
	int rc;

	rc = vfs_vlist_add(&buf, &len, VFS_DIR, ".", 1);
	if (rc == 0)
		rc = vfs_vlist_add(&buf, &len, VFS_DIR, "..", 2);
	if (rc == 0 && own != NULL && own->kind == VFS_MOUNT_DEV &&
	    strcmp(own->path, gpath) == 0) {
		for (size_t i = 0; i < WX_ARRAY_LEN(vfs_devs) && rc == 0; i++)
			rc = vfs_vlist_add(
			    &buf, &len,
			    vfs_devs[i].host ? VFS_CHARDEV : VFS_UNKNOWN,
			    vfs_devs[i].name, strlen(vfs_devs[i].name));
	}
	for (uint32_t i = 0; i < ns->n && rc == 0; i++) {
		const struct vfs_mount *m = &ns->m[i];
		const char *name;

		if (m->len <= pl || !vfs_ns_covers(gpath, pl, m->path))
			continue;
		name = m->path + (pl == 1 ? 1 : pl + 1);
		rc = vfs_vlist_add(&buf, &len, VFS_DIR, name,
		                   strcspn(name, "/"));
	}
	if (rc != 0) {
		wx_free(buf);
		return rc;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

/* A small stable inode number for a virtual directory (FNV-1a). */
static uint64_t vfs_vdir_ino(const char *gpath)
{
	uint64_t h = 14695981039346656037ull;

	for (; *gpath; gpath++)
		h = (h ^ (unsigned char)*gpath) * 1099511628211ull;
	return h | (1ull << 63);
}

void vfs_vdir_stat(const char *gpath, struct stat *st)
{
	memset(st, 0, sizeof *st);
	st->st_mode = S_IFDIR | 0555;
	st->st_nlink = 2;
	st->st_ino = (ino_t)vfs_vdir_ino(gpath);
}

int vfs_vdir_entry(const struct vfs_ns *ns, const char *gpath,
                   struct vfs_entry **out)
{
	struct vfs_entry *e;
	int fd, rc;

	*out = NULL;
	/* An empty memfd stands for the directory: fd-level calls on it are
	 * harmless, and path calls never reach it (vfs_ns routes them). */
	fd = memfd_create("wasmix-vdir", MFD_CLOEXEC);
	if (fd < 0)
		return errno;
	e = vfs_entry_new(fd, VFS_DIR, false);
	if (e == NULL)
		return ENOMEM;
	e->vdir = true;
	e->nspath = wx_malloc(strlen(gpath) + 1);
	rc = e->nspath == NULL ? ENOMEM : 0;
	if (rc == 0) {
		strcpy(e->nspath, gpath);
		rc = vfs_vdir_list(ns, gpath, &e->vlist, &e->vlist_len);
	}
	if (rc != 0) {
		vfs_entry_unref(e);
		return rc;
	}
	*out = e;
	return 0;
}

/* The guest fd a std device reopens (-1: none open, no tty). */
static struct vfs_entry *vfs_dev_std(const struct vfs_table *t, int stdfd)
{
	struct vfs_entry *e;

	if (stdfd >= 0)
		return vfs_get_ref(t, (uint32_t)stdfd);
	for (uint32_t fd = 0; fd < 3; fd++) {
		e = vfs_get_ref(t, fd);
		if (e != NULL && e->kind == VFS_TTY)
			return e;
		vfs_entry_unref(e);
	}
	return NULL;
}

int vfs_dev_open(const struct vfs_table *t, int dev, int oflags, int *hfd)
{
	const struct vfs_dev *d = &vfs_devs[dev];
	struct vfs_entry *e;
	int fd;

	*hfd = -1;
	if (oflags & O_DIRECTORY)
		return ENOTDIR;
	if ((oflags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return EEXIST;
	if (d->host != NULL) {
		fd = open(d->host,
		          (oflags & (O_ACCMODE | O_NONBLOCK | O_APPEND)) |
		              O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return errno;
		*hfd = fd;
		return 0;
	}
	e = vfs_dev_std(t, d->stdfd);
	if (e == NULL)
		return d->stdfd == -2 ? ENXIO : ENOENT;
	fd = fcntl(e->host_fd, F_DUPFD_CLOEXEC, 0);
	vfs_entry_unref(e);
	if (fd < 0)
		return errno;
	*hfd = fd;
	return 0;
}

int vfs_dev_stat(const struct vfs_table *t, int dev, struct stat *st)
{
	const struct vfs_dev *d = &vfs_devs[dev];
	struct vfs_entry *e;
	int rc = 0;

	if (d->host != NULL)
		return stat(d->host, st) == 0 ? 0 : errno;
	e = vfs_dev_std(t, d->stdfd);
	if (e == NULL && d->stdfd == -2) {
		/*
		 * No terminal: the node is still there (as on Linux, where
		 * only opening it fails), so ls and find of /dev can stat
		 * every name readdir gives them.
		 */
		memset(st, 0, sizeof *st);
		st->st_mode = S_IFCHR | 0666;
		st->st_nlink = 1;
		return 0;
	}
	if (e == NULL)
		return ENOENT;
	if (fstat(e->host_fd, st) != 0)
		rc = errno;
	vfs_entry_unref(e);
	return rc;
}
