/*
 * vfs.h: the virtual file-descriptor table and sandboxed path resolution.
 *
 * A guest fd is an index into a 'vfs_table'. Each slot holds a pointer to a
 * reference-counted 'vfs_entry' (so that dup, fork and spawn can share one
 * open file description later) plus per-slot flags (close-on-exec). The
 * entry owns one host fd; the guest never sees host fd numbers. Rights and
 * fd flags are stored here but interpreted by the layer above (wasi): vfs
 * never sees WebAssembly and can be unit-tested with no module.
 *
 * Paths: every guest path is resolved beneath a directory fd (a preopen or
 * a directory opened through one). vfs_open uses openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS) when the kernel has it (probed once, falling back
 * on ENOSYS); otherwise, and for the directory part of vfs_resolve when
 * openat2 is missing, a component walk opens each component with
 * O_PATH|O_NOFOLLOW, resolves symlinks itself (at most VFS_MAX_LINKS) and
 * keeps a stack of the directories it went through, so '..' pops the stack
 * and can never climb above the starting directory.
 *
 * Policy (the same as wasmtime): an absolute guest path, '..' above the
 * starting directory and a symlink with an absolute target all fail with
 * VFS_ENOTCAPABLE; magic links (/proc/self/fd/...) fail with ELOOP (or are
 * absolute and fail as above); symlink loops are ELOOP; a component
 * swapped for a symlink between check and use is either followed by the
 * same rules or fails with ELOOP (O_NOFOLLOW), never followed by the
 * kernel.
 *
 * Errors: functions return 0 or a positive host errno value, or
 * VFS_ENOTCAPABLE ("this path would leave the sandbox"), which has no host
 * errno of its own.
 *
 * Threads: guest threads share their process's table; once
 * vfs_threads_begin was called, every function on a table may be called
 * from any thread at once (one process-wide lock, taken briefly, never
 * across a system call that blocks; fork-safe). Before that no lock is
 * taken at all, so single-threaded processes pay nothing for it.
 * Reference counts are atomic. vfs_get returns a borrowed pointer, valid
 * only while no other thread can close the fd (tell whether an fd is open
 * with it, or use it while single-threaded); code that uses an entry
 * takes a reference with vfs_get_ref (or vfs_next_ref) and drops it when
 * done, so a concurrent close never frees an entry in use. A directory
 * stream (vfs_dir_*) is used under vfs_dir_lock (one reader per entry at
 * a time). Resolution functions keep no state but the openat2 probe
 * (atomic).
 */
#ifndef WASMIX_VFS_H
#define WASMIX_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* "Would escape the sandbox": not a host errno value. */
#define VFS_ENOTCAPABLE 0x10000
/* "Met an absolute symlink: restart from the guest root" (VFS_ABSLINK). */
#define VFS_EABSLINK 0x10001

#define VFS_PATH_MAX  4096  /* bytes of a guest path (ENAMETOOLONG past it) */
#define VFS_NAME_MAX  255   /* bytes of one component */
#define VFS_MAX_LINKS 40    /* symlinks followed in one resolution (ELOOP) */
#define VFS_MAX_DEPTH 256   /* directories deep in one walk (ENAMETOOLONG) */
#define VFS_MAX_FDS   65536 /* default cap of a table (EMFILE past it) */

enum vfs_kind {
	VFS_UNKNOWN = 0,
	VFS_FILE,
	VFS_DIR,
	VFS_PIPE,
	VFS_SOCKET_STREAM,
	VFS_SOCKET_DGRAM,
	VFS_TTY,
	VFS_CHARDEV,
	VFS_BLOCKDEV,
	VFS_EVENT,
};

/*
 * One open file description. Shared by every slot (and later every
 * process) that refers to it; freed when 'refs' drops to zero. All fields
 * are plain data so that the table can be serialised across an exec.
 */
struct vfs_entry {
	uint32_t refs;
	uint8_t kind;         /* enum vfs_kind */
	bool borrowed;        /* host_fd belongs to the embedder */
	int host_fd;          /* never -1 while the entry lives */
	uint64_t rights_base; /* opaque to vfs (wasi rights) */
	uint64_t rights_inheriting;
	uint16_t fdflags; /* opaque to vfs (wasi fdflags) */
	char *preopen;    /* guest name of a preopened dir, or NULL */
	void *dir;        /* DIR stream for vfs_dir_*, or NULL */
	uint64_t dir_pos; /* entries read from 'dir' so far */
	/* Directories reached through the namespace (vfs_ns): their
	 * normalised guest path, used to cross into mounts below them;
	 * NULL for others. */
	char *nspath;
	/* A virtual directory (vfs_vdir_entry): host_fd is an empty memfd,
	 * 'vlist' its fixed listing (records: kind byte, name, NUL). */
	bool vdir;
	char *vlist;
	uint32_t vlist_len;
	/* State a layer above keeps with the entry (an epoll instance's
	 * interest list), freed by 'aux_free' with the entry; NULL: none. */
	void *aux;
	void (*aux_free)(void *aux);
};

struct vfs_slot {
	struct vfs_entry *e; /* NULL: free */
	bool cloexec;
};

struct vfs_table {
	struct vfs_slot *slot;
	uint32_t cap;
	uint32_t max; /* fds are < max */
};

/*
 * Turns table locking on for good. Call it before a second thread can
 * use any table (wasix_thread.c does, before the first guest thread
 * starts): it must happen-before that thread's first call.
 */
void vfs_threads_begin(void);

/* The kind of an open host fd, from fstat (VFS_UNKNOWN on error). */
uint8_t vfs_kind_of(int host_fd);

/*
 * Makes an entry with one reference for 'host_fd' (taken over unless
 * 'borrowed'). Returns NULL if out of memory; the host fd is then closed
 * unless borrowed.
 */
struct vfs_entry *vfs_entry_new(int host_fd, uint8_t kind, bool borrowed);

/* Adds a reference (atomic). */
void vfs_entry_ref(struct vfs_entry *e);

/*
 * Drops a reference (atomic); the last one closes the host fd (unless
 * borrowed) and frees the entry. NULL is allowed.
 */
void vfs_entry_unref(struct vfs_entry *e);

/* Initialises an empty table whose fds will be < 'max' (0: default). */
void vfs_table_init(struct vfs_table *t, uint32_t max);

/* Drops every slot and frees the table's memory. */
void vfs_table_free(struct vfs_table *t);

/* The entry at 'fd', or NULL (EBADF). Borrowed: no reference added. */
struct vfs_entry *vfs_get(const struct vfs_table *t, uint32_t fd);

/*
 * The entry at 'fd' with one more reference (the caller drops it with
 * vfs_entry_unref), or NULL (EBADF). Safe against a concurrent close.
 */
struct vfs_entry *vfs_get_ref(const struct vfs_table *t, uint32_t fd);

/*
 * The first open slot at or after '*fd': sets '*fd' and returns its entry
 * with one more reference (the caller drops it), or NULL if there is
 * none. For walking a table that other threads may change (each call
 * sees the table as it is then).
 */
struct vfs_entry *vfs_next_ref(const struct vfs_table *t, uint32_t *fd);

/* Whether slot 'fd' is open and marked close-on-exec. */
bool vfs_get_cloexec(const struct vfs_table *t, uint32_t fd);

/*
 * Puts 'e' in the lowest free slot >= 'min_fd' and sets '*fd'. Takes over
 * the caller's reference on success. Returns 0, EMFILE or ENOMEM.
 */
int vfs_install(struct vfs_table *t, struct vfs_entry *e, uint32_t min_fd,
                uint32_t *fd);

/*
 * Puts 'e' at exactly 'fd' (replacing whatever was there), taking over the
 * caller's reference. Returns 0, EBADF (fd >= max) or ENOMEM.
 */
int vfs_install_at(struct vfs_table *t, struct vfs_entry *e, uint32_t fd);

/* Frees slot 'fd'. Returns 0 or EBADF. */
int vfs_close(struct vfs_table *t, uint32_t fd);

/*
 * POSIX dup2: slot 'to' refers to the entry of 'from' (to's old entry is
 * dropped; to's close-on-exec is cleared). Returns 0, EBADF or ENOMEM.
 */
int vfs_dup2(struct vfs_table *t, uint32_t from, uint32_t to);

/* Sets or clears close-on-exec on slot 'fd'. Returns 0 or EBADF. */
int vfs_set_cloexec(struct vfs_table *t, uint32_t fd, bool on);

/*
 * Makes '*dst' a copy of 'src' (for fork and spawn): the same slots and
 * close-on-exec flags, each entry shared (one more reference). Returns 0
 * or ENOMEM ('*dst' is then empty and needs no freeing).
 */
int vfs_table_clone(struct vfs_table *dst, const struct vfs_table *src);

/* Closes every slot marked close-on-exec (for exec). */
void vfs_close_on_exec(struct vfs_table *t);

/*
 * Opens host directory 'host_path' as a preopen named 'guest' (copied)
 * and installs it at the lowest free fd >= 'min_fd'. Returns 0 and sets '*fd',
 * or a host errno (ENOTDIR, ENOENT, ...) or ENOMEM.
 */
int vfs_preopen(struct vfs_table *t, const char *host_path, const char *guest,
                uint32_t min_fd, uint32_t *fd);

/* A resolved path: the directory that holds it and the last component. */
struct vfs_target {
	int dirfd;                   /* O_PATH directory; the caller closes */
	char name[VFS_NAME_MAX + 1]; /* one component; "." for the dir itself */
	bool trailing;               /* the path ended with '/' */
	/* VFS_ABSLINK: the caller's VFS_PATH_MAX + 1 bytes for the path to
	 * restart from the guest root. */
	char *abs;
};

/* vfs_resolve / vfs_open flags. */
#define VFS_FOLLOW 1u /* follow a symlink in the last component */
/*
 * An absolute symlink target (meaningful only to a caller with a guest
 * root) ends resolution with VFS_EABSLINK and the absolute path to
 * resolve instead (the target, then the rest of the path) in the
 * caller's buffer; without the flag it is VFS_ENOTCAPABLE.
 */
#define VFS_ABSLINK 2u

/*
 * Resolves 'path' ('len' bytes, not NUL-terminated) beneath directory fd
 * 'root' into '*t'. Symlinks in the directory part are always followed
 * (within the sandbox); the last component is followed only with
 * VFS_FOLLOW. The last component need not exist. A trailing '/' on a
 * last component that exists and is not a directory is ENOTDIR unless
 * VFS_FOLLOW made it one. Returns 0 or an error (ENOENT for an empty
 * path, EINVAL for a NUL byte, ENAMETOOLONG, ENOTDIR, ELOOP,
 * VFS_ENOTCAPABLE, ...); on error t->dirfd is -1.
 */
int vfs_resolve(int root, const char *path, size_t len, unsigned flags,
                struct vfs_target *t);

/*
 * Opens 'path' beneath 'root' with host open flags 'oflags' (O_CLOEXEC is
 * added; O_NOFOLLOW unless VFS_FOLLOW) and 'mode' for O_CREAT. Returns 0
 * and sets '*fd' (owned by the caller), or an error as vfs_resolve
 * ('abs': VFS_ABSLINK's buffer, else NULL).
 */
int vfs_open(int root, const char *path, size_t len, int oflags, mode_t mode,
             unsigned flags, int *fd, char *abs);

/*
 * Chooses the resolver: 'walk' true forces the component walk even where
 * openat2 exists (tests use it to cover both). Returns whether openat2 is
 * in use afterwards.
 */
bool vfs_use_walk(bool walk);

/* Directory reading. */
struct vfs_dirent {
	uint64_t next; /* cookie of the entry after this one */
	uint64_t ino;
	uint8_t kind; /* enum vfs_kind, or VFS_UNKNOWN; symlinks: VFS_EVENT+1 */
	const char *name; /* valid until the next vfs_dir_* call */
	size_t namelen;
};
#define VFS_SYMLINK (VFS_EVENT + 1)

/*
 * Serialises the users of 'e''s directory stream: hold it around
 * vfs_dir_seek and vfs_dir_next (and while using the names they return).
 * It may be held across readdir; take no other vfs lock after it but the
 * table's (functions on a table are fine).
 */
void vfs_dir_lock(struct vfs_entry *e);
void vfs_dir_unlock(struct vfs_entry *e);

/*
 * Positions directory entry 'e' at 'cookie' (0 = the start; otherwise a
 * 'next' value returned earlier). Returns 0 or a host errno.
 */
int vfs_dir_seek(struct vfs_entry *e, uint64_t cookie);

/* Reads the next entry into '*d'. Returns 0, -1 at the end, or an errno. */
int vfs_dir_next(struct vfs_entry *e, struct vfs_dirent *d);

/* ---- the guest namespace (vfs_ns.c) -------------------------------------
 *
 * Mounts by normalised absolute guest path, built once before the guest
 * runs and read-only afterwards (any thread, any process, no lock).
 */
struct vfs_ns;
struct vfs_mount;
struct stat;

enum { VFS_MOUNT_HOST = 1, VFS_MOUNT_DEV = 2 };

/* Makes an empty namespace. Returns 0 or ENOMEM. */
int vfs_ns_new(struct vfs_ns **out);

/* Frees 'ns' and closes its directories. NULL is allowed. */
void vfs_ns_free(struct vfs_ns *ns);

/*
 * Mounts host directory 'host' (opened now, O_PATH) at guest path 'guest'
 * (normalised; relative names count from "/"); 'host' NULL mounts the
 * virtual /dev. A second mount at the same path replaces the first.
 * Returns 0, a host errno from open, ENAMETOOLONG, ENOMEM, ENFILE (too
 * many mounts) or EBUSY (sealed).
 */
int vfs_ns_mount(struct vfs_ns *ns, const char *host, const char *guest);

/*
 * Ends construction: adds the virtual /dev unless a mount sits exactly at
 * /dev. Returns 0 or ENOMEM.
 */
int vfs_ns_seal(struct vfs_ns *ns);

/* The mount exactly at normalised 'gpath', or NULL. */
const struct vfs_mount *vfs_ns_find(const struct vfs_ns *ns, const char *gpath);

/* Whether /dev is the virtual one (no host mount exactly there). */
bool vfs_ns_virtual_dev(const struct vfs_ns *ns);

/*
 * Lexically normalises 'path' ('len' bytes) into an absolute guest path:
 * relative paths count from 'base' (an absolute path, or NULL for "/");
 * '.', empty components and '..' are removed ('..' at "/" stays there).
 * A trailing '/' is dropped (callers keep it themselves). Returns 0,
 * EINVAL (a NUL byte) or ENAMETOOLONG.
 */
int vfs_ns_norm(const char *base, const char *path, size_t len,
                char out[VFS_PATH_MAX + 1]);

enum { VFS_LOC_HOST = 1, VFS_LOC_VDIR, VFS_LOC_DEV };

/* Where a normalised guest path leads. */
struct vfs_loc {
	uint8_t kind;                  /* VFS_LOC_* */
	const struct vfs_mount *mount; /* the mount holding it, or NULL */
	int root; /* HOST: the mount's directory (borrowed from ns) */
	char rest[VFS_PATH_MAX + 2]; /* HOST: path beneath 'root' ("." ...) */
	int dev;                     /* DEV: which device */
};

/*
 * Finds where normalised 'gpath' leads ('trailing': the guest wrote a
 * trailing '/'). Returns 0, ENOENT (nothing there: a name in a virtual
 * directory that is not a mount or device) or ENOTDIR (below a device).
 */
int vfs_ns_locate(const struct vfs_ns *ns, const char *gpath, bool trailing,
                  struct vfs_loc *loc);

/*
 * Makes an entry (one reference) for virtual directory 'gpath' of 'ns':
 * kind VFS_DIR, its listing fixed now. Returns 0, ENOMEM or a memfd errno.
 */
int vfs_vdir_entry(const struct vfs_ns *ns, const char *gpath,
                   struct vfs_entry **out);

/* A virtual directory's status: mode dr-xr-xr-x, a stable inode number. */
void vfs_vdir_stat(const char *gpath, struct stat *st);

/*
 * Opens device 'dev' (vfs_loc.dev) for the guest with host open flags
 * 'oflags' (access mode, O_NONBLOCK, O_APPEND are used; O_CREAT is
 * accepted, O_CREAT|O_EXCL is EEXIST, O_DIRECTORY ENOTDIR): a new host fd
 * in '*hfd', owned by the caller. stdin/stdout/stderr duplicate the
 * guest's fd 0/1/2 in 't' (ENOENT when closed); tty the first of them
 * that is a terminal (ENXIO when none). Returns 0 or a host errno.
 */
int vfs_dev_open(const struct vfs_table *t, int dev, int oflags, int *hfd);

/*
 * stat(2) of device 'dev' as vfs_dev_open would open it; tty with no
 * terminal among fds 0-2 is a bare character device (opening it is
 * ENXIO, but the name exists). 0 or errno.
 */
int vfs_dev_stat(const struct vfs_table *t, int dev, struct stat *st);

#endif
