/*
 * vfs_path.c: sandboxed path resolution beneath a directory fd.
 *
 * Two resolvers give the same answers (vfs.h states the policy):
 *  - openat2(2) with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS, where the
 *    kernel lets '..' and symlinks move only inside the starting
 *    directory (EXDEV otherwise, reported as VFS_ENOTCAPABLE). Probed on
 *    first use; ENOSYS switches to the walk for good, EAGAIN (a rename
 *    raced the lookup) retries with the walk once.
 *  - vfs_walk: one component at a time with O_PATH | O_NOFOLLOW, so the
 *    kernel never follows a symlink for us. A symlink is read through
 *    the fd that was opened on it (readlinkat(fd, "")), so what is read is
 *    what was checked; its target replaces the component in the
 *    remaining path. The directories walked through stay open on a
 *    stack: '..' pops it, and popping the starting directory is an
 *    escape. No path string is ever handed to the kernel with more than
 *    one component.
 *
 * Keeps true: every host fd opened here is either returned to the caller
 * or closed on the one exit path of its function; no buffer is sized by
 * the guest (paths are capped at VFS_PATH_MAX).
 */
#include "vfs/vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__linux__) && defined(SYS_openat2)
#include <linux/openat2.h>
#define VFS_HAVE_OPENAT2 1
#endif

/* Set once openat2 was found missing (ENOSYS); set by tests to force the
 * walk (vfs_use_walk). */
static atomic_int vfs_no_openat2;
static atomic_bool vfs_force_walk;

bool vfs_use_walk(bool walk)
{
	atomic_store(&vfs_force_walk, walk);
	return !walk && atomic_load(&vfs_no_openat2) == 0;
}

/*
 * openat2 beneath 'root'. Returns 0 and sets '*fd', an errno, or -1 when
 * the caller should use the walk instead.
 */
#ifdef VFS_HAVE_OPENAT2
static int vfs_openat2(int root, const char *path, int oflags, mode_t mode,
                       int *fd)
{
	struct open_how how;
	long r;

	if (atomic_load(&vfs_force_walk) || atomic_load(&vfs_no_openat2))
		return -1;
	memset(&how, 0, sizeof how);
	how.flags = (uint64_t)(unsigned)(oflags | O_CLOEXEC);
	how.mode = (oflags & O_CREAT) ? mode : 0;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	do
		r = syscall(SYS_openat2, root, path, &how, sizeof how);
	while (r < 0 && errno == EINTR);
	if (r >= 0) {
		*fd = (int)r;
		return 0;
	}
	if (errno == ENOSYS) {
		atomic_store(&vfs_no_openat2, 1);
		return -1;
	}
	if (errno == EAGAIN)
		return -1;
	return errno == EXDEV ? VFS_ENOTCAPABLE : errno;
}
#else
static int vfs_openat2(int root, const char *path, int oflags, mode_t mode,
                       int *fd)
{
	(void)root, (void)path, (void)oflags, (void)mode, (void)fd;
	atomic_store(&vfs_no_openat2, 1);
	return -1;
}
#endif

/*
 * One resolution's state across symlinks: how many were followed, and
 * where to put the path to restart from the guest root when an absolute
 * target is met (VFS_ABSLINK; NULL: such a target is VFS_ENOTCAPABLE).
 */
struct vfs_walkctx {
	int links;
	char *abs; /* VFS_PATH_MAX + 1 bytes, or NULL */
};

/* Copies a guest path into 'buf' (NUL-terminated) after the checks. */
static int vfs_path_copy(const char *path, size_t len,
                         char buf[VFS_PATH_MAX + 1])
{
	if (len == 0)
		return ENOENT;
	if (len > VFS_PATH_MAX)
		return ENAMETOOLONG;
	if (memchr(path, 0, len) != NULL)
		return EINVAL;
	if (path[0] == '/')
		return VFS_ENOTCAPABLE;
	memcpy(buf, path, len);
	buf[len] = 0;
	return 0;
}

/*
 * Replaces the symlink component just read (the remaining path is
 * rem + pos) by its target, read through 'linkfd'. 'rem' has room for
 * 'cap' bytes plus a NUL. Returns 0 (rem now holds target + rest) or an
 * error; an absolute target is VFS_EABSLINK with target + rest in
 * wc->abs when the caller takes it, else VFS_ENOTCAPABLE.
 */
static int vfs_expand(int linkfd, const char *name, char *rem, size_t cap,
                      size_t pos, struct vfs_walkctx *wc)
{
	char target[VFS_PATH_MAX + 1];
	size_t rest = strlen(rem + pos);
	ssize_t n;

	if (++wc->links > VFS_MAX_LINKS)
		return ELOOP;
	n = readlinkat(linkfd, name, target, VFS_PATH_MAX);
	if (n < 0)
		return errno;
	if (n == 0)
		return ENOENT;
	if ((size_t)n + rest > cap)
		return ENAMETOOLONG;
	if (target[0] == '/' && wc->abs == NULL)
		return VFS_ENOTCAPABLE;
	if (target[0] == '/') {
		const char *r = rem + pos;

		while (*r == '/')
			r++;
		rest = strlen(r);
		if ((size_t)n + 1 + rest > VFS_PATH_MAX)
			return ENAMETOOLONG;
		memcpy(wc->abs, target, (size_t)n);
		wc->abs[n] = rest != 0 ? '/' : 0;
		memcpy(wc->abs + n + (rest != 0), r, rest + 1);
		return VFS_EABSLINK;
	}
	memmove(rem + n, rem + pos, rest + 1);
	memcpy(rem, target, (size_t)n);
	return 0;
}

/* Takes the next component of rem from *pos into 'name'; false at end. */
static int vfs_next_comp(const char *rem, size_t *pos,
                         char name[VFS_NAME_MAX + 1], bool *end)
{
	size_t n;

	while (rem[*pos] == '/')
		(*pos)++;
	*end = rem[*pos] == 0;
	if (*end)
		return 0;
	n = strcspn(rem + *pos, "/");
	if (n > VFS_NAME_MAX)
		return ENAMETOOLONG;
	memcpy(name, rem + *pos, n);
	name[n] = 0;
	*pos += n;
	return 0;
}

/* One step of the walk: opens 'name' in stack[*depth] and acts on it. */
static int vfs_step(int *stack, int *depth, const char *name, char *rem,
                    size_t *pos, struct vfs_walkctx *wc)
{
	struct stat st;
	int fd, rc = 0;

	if (strcmp(name, "..") == 0) {
		if (*depth == 0)
			return VFS_ENOTCAPABLE;
		close(stack[(*depth)--]);
		return 0;
	}
	fd = openat(stack[*depth], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (fstat(fd, &st) != 0) {
		rc = errno;
	} else if (S_ISLNK(st.st_mode)) {
		rc = vfs_expand(fd, "", rem, VFS_PATH_MAX, *pos, wc);
		*pos = 0;
	} else if (!S_ISDIR(st.st_mode)) {
		rc = ENOTDIR;
	} else if (*depth + 1 >= VFS_MAX_DEPTH) {
		rc = ENAMETOOLONG;
	} else {
		stack[++*depth] = fd;
		return 0;
	}
	close(fd);
	return rc;
}

/*
 * The component walk: opens directory 'path' (relative, may be empty)
 * beneath 'root' as an O_PATH fd. Returns 0 and sets '*out', or an error.
 */
static int vfs_walk(int root, const char *path, struct vfs_walkctx *wc,
                    int *out)
{
	char rem[VFS_PATH_MAX + 1], name[VFS_NAME_MAX + 1];
	int stack[VFS_MAX_DEPTH];
	int depth = 0, rc = 0;
	size_t pos = 0;
	bool end = false;

	strcpy(rem, path);
	stack[0] = openat(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (stack[0] < 0)
		return errno;
	for (;;) {
		rc = vfs_next_comp(rem, &pos, name, &end);
		if (rc != 0 || end)
			break;
		if (strcmp(name, ".") == 0)
			continue;
		rc = vfs_step(stack, &depth, name, rem, &pos, wc);
		if (rc != 0)
			break;
	}
	if (rc == 0)
		*out = stack[depth--];
	while (depth >= 0)
		close(stack[depth--]);
	return rc;
}

/*
 * Opens directory 'path' (relative, may be empty) beneath 'root'. When
 * absolute links are taken, openat2's refusal (EXDEV: '..' above, or an
 * absolute link) is asked again of the walk, which tells them apart.
 */
static int vfs_open_dir(int root, const char *path, struct vfs_walkctx *wc,
                        int *out)
{
	int rc;

	if (path[0] == 0)
		path = ".";
	rc = vfs_openat2(root, path, O_PATH | O_DIRECTORY, 0, out);
	if (rc >= 0 && !(rc == VFS_ENOTCAPABLE && wc->abs != NULL))
		return rc;
	return vfs_walk(root, path, wc, out);
}

/*
 * After the directory part is open: decides whether the last component
 * (t->name in t->dirfd) is final, or a symlink to follow. Returns 0
 * (done), -1 (buf now holds the next path to resolve), or an error.
 */
static int vfs_last(struct vfs_target *t, unsigned flags, char *buf,
                    size_t dirlen, struct vfs_walkctx *wc)
{
	struct stat st;
	int rc;

	if (!(flags & VFS_FOLLOW) && !t->trailing)
		return 0;
	if (fstatat(t->dirfd, t->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return 0; /* missing: the operation reports it */
	if (!S_ISLNK(st.st_mode))
		return t->trailing && !S_ISDIR(st.st_mode) ? ENOTDIR : 0;
	if (!(flags & VFS_FOLLOW))
		return ENOTDIR;
	buf[dirlen] = 0;
	rc = vfs_expand(t->dirfd, t->name, buf + dirlen, VFS_PATH_MAX - dirlen,
	                0, wc);
	if (rc == VFS_EABSLINK && t->trailing) {
		size_t n = strlen(wc->abs);

		if (n + 1 > VFS_PATH_MAX)
			return ENAMETOOLONG;
		strcpy(wc->abs + n, "/");
	}
	if (rc != 0)
		return rc;
	if (t->trailing && strlen(buf) + 1 > VFS_PATH_MAX)
		return ENAMETOOLONG;
	if (t->trailing)
		strcat(buf, "/");
	return -1;
}

/* Appends "/name" (and '/' when 'trailing') to a restart path. Returns
 * VFS_EABSLINK, or ENAMETOOLONG. */
static int vfs_abs_append(char *abs, const char *name, bool trailing)
{
	size_t n = strlen(abs), l = strlen(name);
	size_t sep = n == 0 || abs[n - 1] != '/';

	if (n + sep + l + trailing > VFS_PATH_MAX)
		return ENAMETOOLONG;
	if (sep)
		abs[n] = '/';
	memcpy(abs + n + sep, name, l);
	strcpy(abs + n + sep + l, trailing ? "/" : "");
	return VFS_EABSLINK;
}

int vfs_resolve(int root, const char *path, size_t len, unsigned flags,
                struct vfs_target *t)
{
	struct vfs_walkctx wc = {0, (flags & VFS_ABSLINK) ? t->abs : NULL};
	char buf[VFS_PATH_MAX + 1];
	int rc;
	size_t n, dirlen;
	const char *base;

	t->dirfd = -1;
	t->trailing = false;
	rc = vfs_path_copy(path, len, buf);
	while (rc == 0) {
		n = strlen(buf);
		while (n > 1 && buf[n - 1] == '/') {
			t->trailing = true;
			buf[--n] = 0;
		}
		base = strrchr(buf, '/');
		base = base ? base + 1 : buf;
		dirlen = (size_t)(base - buf);
		if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
			strcpy(t->name, ".");
			return vfs_open_dir(root, buf, &wc, &t->dirfd);
		}
		if (strlen(base) > VFS_NAME_MAX)
			return ENAMETOOLONG;
		strcpy(t->name, base);
		buf[dirlen] = 0;
		rc = vfs_open_dir(root, buf, &wc, &t->dirfd);
		if (rc == VFS_EABSLINK) /* the last component follows it */
			rc = vfs_abs_append(wc.abs, t->name, t->trailing);
		if (rc != 0)
			break;
		rc = vfs_last(t, flags, buf, dirlen, &wc);
		if (rc == 0)
			return 0;
		close(t->dirfd);
		t->dirfd = -1;
		if (rc < 0)
			rc = 0;
	}
	return rc;
}

int vfs_open(int root, const char *path, size_t len, int oflags, mode_t mode,
             unsigned flags, int *fd, char *abs)
{
	char buf[VFS_PATH_MAX + 1];
	struct vfs_target t;
	int rc;

	if (!(flags & VFS_FOLLOW))
		oflags |= O_NOFOLLOW;
	rc = vfs_path_copy(path, len, buf);
	if (rc != 0)
		return rc;
	rc = vfs_openat2(root, buf, oflags, mode, fd);
	if (rc >= 0 && !(rc == VFS_ENOTCAPABLE && (flags & VFS_ABSLINK)))
		return rc;
	t.abs = abs;
	rc = vfs_resolve(root, path, len, flags, &t);
	if (rc != 0)
		return rc;
	if (t.trailing && (oflags & O_CREAT))
		rc = EISDIR;
	else if (t.trailing)
		oflags |= O_DIRECTORY;
	if (rc == 0) {
		*fd = openat(t.dirfd, t.name, oflags | O_NOFOLLOW | O_CLOEXEC,
		             mode);
		if (*fd < 0)
			rc = errno;
	}
	close(t.dirfd);
	return rc;
}
