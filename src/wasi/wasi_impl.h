/*
 * wasi_impl.h: what the wasi_*.c files share and nobody else includes: the
 * context layout, the preview1 errno values, guest-memory helpers and the
 * host functions that the table in wasi_table.c names.
 *
 * Host function convention (vm_host_fn): read parameters from call->args,
 * write the preview1 errno into call->results[0] and return 0. Only
 * proc_exit returns anything else (WX_EEXIT). A bad guest pointer is an
 * errno (EFAULT) for the guest, never a trap and never a host fault.
 */
#ifndef WASMIX_WASI_IMPL_H
#define WASMIX_WASI_IMPL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "vfs/vfs.h"
#include "vm/vm.h"
#include "wasi/wasi.h"

/*
 * preview1 errno values (witx 'errno'), all of them, in their order: the
 * enum below and the names the trace prints (wasix_trace.c) come from this
 * one list.
 */
/* clang-format off */
#define WASI_ERRNO_LIST(X)                                                     \
	X(ESUCCESS) X(E2BIG) X(EACCES) X(EADDRINUSE) X(EADDRNOTAVAIL)         \
	X(EAFNOSUPPORT) X(EAGAIN) X(EALREADY) X(EBADF) X(EBADMSG)             \
	X(EBUSY) X(ECANCELED) X(ECHILD) X(ECONNABORTED)                       \
	X(ECONNREFUSED) X(ECONNRESET) X(EDEADLK) X(EDESTADDRREQ)              \
	X(EDOM) X(EDQUOT) X(EEXIST) X(EFAULT) X(EFBIG)                        \
	X(EHOSTUNREACH) X(EIDRM) X(EILSEQ) X(EINPROGRESS) X(EINTR)            \
	X(EINVAL) X(EIO) X(EISCONN) X(EISDIR) X(ELOOP) X(EMFILE)              \
	X(EMLINK) X(EMSGSIZE) X(EMULTIHOP) X(ENAMETOOLONG)                    \
	X(ENETDOWN) X(ENETRESET) X(ENETUNREACH) X(ENFILE) X(ENOBUFS)          \
	X(ENODEV) X(ENOENT) X(ENOEXEC) X(ENOLCK) X(ENOLINK) X(ENOMEM)         \
	X(ENOMSG) X(ENOPROTOOPT) X(ENOSPC) X(ENOSYS) X(ENOTCONN)              \
	X(ENOTDIR) X(ENOTEMPTY) X(ENOTRECOVERABLE) X(ENOTSOCK)                \
	X(ENOTSUP) X(ENOTTY) X(ENXIO) X(EOVERFLOW) X(EOWNERDEAD)              \
	X(EPERM) X(EPIPE) X(EPROTO) X(EPROTONOSUPPORT) X(EPROTOTYPE)          \
	X(ERANGE) X(EROFS) X(ESPIPE) X(ESRCH) X(ESTALE) X(ETIMEDOUT)          \
	X(ETXTBSY) X(EXDEV) X(ENOTCAPABLE)
/* clang-format on */

enum wasi_errno {
#define WASI_ERRNO_ENUM(name) WASI_##name,
	WASI_ERRNO_LIST(WASI_ERRNO_ENUM)
#undef WASI_ERRNO_ENUM
};

/* witx 'filetype'. */
enum {
	WASI_FILETYPE_UNKNOWN = 0,
	WASI_FILETYPE_BLOCK_DEVICE = 1,
	WASI_FILETYPE_CHARACTER_DEVICE = 2,
	WASI_FILETYPE_DIRECTORY = 3,
	WASI_FILETYPE_REGULAR_FILE = 4,
	WASI_FILETYPE_SOCKET_DGRAM = 5,
	WASI_FILETYPE_SOCKET_STREAM = 6,
	WASI_FILETYPE_SYMBOLIC_LINK = 7,
};

/* witx 'fdflags', 'oflags', 'lookupflags', 'fstflags'. */
enum {
	WASI_FDFLAG_APPEND = 1,
	WASI_FDFLAG_DSYNC = 2,
	WASI_FDFLAG_NONBLOCK = 4,
	WASI_FDFLAG_RSYNC = 8,
	WASI_FDFLAG_SYNC = 16,
	WASI_O_CREAT = 1,
	WASI_O_DIRECTORY = 2,
	WASI_O_EXCL = 4,
	WASI_O_TRUNC = 8,
	WASI_LOOKUP_SYMLINK_FOLLOW = 1,
	WASI_FST_ATIM = 1,
	WASI_FST_ATIM_NOW = 2,
	WASI_FST_MTIM = 4,
	WASI_FST_MTIM_NOW = 8,
};

/* witx 'rights' bits. */
#define WASI_R(n)                          (UINT64_C(1) << (n))
#define WASI_RIGHT_FD_DATASYNC             WASI_R(0)
#define WASI_RIGHT_FD_READ                 WASI_R(1)
#define WASI_RIGHT_FD_SEEK                 WASI_R(2)
#define WASI_RIGHT_FD_FDSTAT_SET_FLAGS     WASI_R(3)
#define WASI_RIGHT_FD_SYNC                 WASI_R(4)
#define WASI_RIGHT_FD_TELL                 WASI_R(5)
#define WASI_RIGHT_FD_WRITE                WASI_R(6)
#define WASI_RIGHT_FD_ADVISE               WASI_R(7)
#define WASI_RIGHT_FD_ALLOCATE             WASI_R(8)
#define WASI_RIGHT_PATH_CREATE_DIRECTORY   WASI_R(9)
#define WASI_RIGHT_PATH_CREATE_FILE        WASI_R(10)
#define WASI_RIGHT_PATH_LINK_SOURCE        WASI_R(11)
#define WASI_RIGHT_PATH_LINK_TARGET        WASI_R(12)
#define WASI_RIGHT_PATH_OPEN               WASI_R(13)
#define WASI_RIGHT_FD_READDIR              WASI_R(14)
#define WASI_RIGHT_PATH_READLINK           WASI_R(15)
#define WASI_RIGHT_PATH_RENAME_SOURCE      WASI_R(16)
#define WASI_RIGHT_PATH_RENAME_TARGET      WASI_R(17)
#define WASI_RIGHT_PATH_FILESTAT_GET       WASI_R(18)
#define WASI_RIGHT_PATH_FILESTAT_SET_SIZE  WASI_R(19)
#define WASI_RIGHT_PATH_FILESTAT_SET_TIMES WASI_R(20)
#define WASI_RIGHT_FD_FILESTAT_GET         WASI_R(21)
#define WASI_RIGHT_FD_FILESTAT_SET_SIZE    WASI_R(22)
#define WASI_RIGHT_FD_FILESTAT_SET_TIMES   WASI_R(23)
#define WASI_RIGHT_PATH_SYMLINK            WASI_R(24)
#define WASI_RIGHT_PATH_REMOVE_DIRECTORY   WASI_R(25)
#define WASI_RIGHT_PATH_UNLINK_FILE        WASI_R(26)
#define WASI_RIGHT_POLL_FD_READWRITE       WASI_R(27)
#define WASI_RIGHT_SOCK_SHUTDOWN           WASI_R(28)
#define WASI_RIGHT_SOCK_ACCEPT             WASI_R(29)
#define WASI_RIGHTS_ALL                    (WASI_R(30) - 1)

/* Rights that make sense on a regular file, a directory, a stream. */
#define WASI_RIGHTS_FILE                                                       \
	(WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK |    \
	 WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC |                 \
	 WASI_RIGHT_FD_TELL | WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ADVISE |     \
	 WASI_RIGHT_FD_ALLOCATE | WASI_RIGHT_FD_FILESTAT_GET |                 \
	 WASI_RIGHT_FD_FILESTAT_SET_SIZE | WASI_RIGHT_FD_FILESTAT_SET_TIMES |  \
	 WASI_RIGHT_POLL_FD_READWRITE)
#define WASI_RIGHTS_DIR                                                        \
	(WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC |                 \
	 WASI_RIGHT_FD_ADVISE | WASI_RIGHT_PATH_CREATE_DIRECTORY |             \
	 WASI_RIGHT_PATH_CREATE_FILE | WASI_RIGHT_PATH_LINK_SOURCE |           \
	 WASI_RIGHT_PATH_LINK_TARGET | WASI_RIGHT_PATH_OPEN |                  \
	 WASI_RIGHT_FD_READDIR | WASI_RIGHT_PATH_READLINK |                    \
	 WASI_RIGHT_PATH_RENAME_SOURCE | WASI_RIGHT_PATH_RENAME_TARGET |       \
	 WASI_RIGHT_PATH_FILESTAT_GET | WASI_RIGHT_PATH_FILESTAT_SET_SIZE |    \
	 WASI_RIGHT_PATH_FILESTAT_SET_TIMES | WASI_RIGHT_FD_FILESTAT_GET |     \
	 WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_PATH_SYMLINK |          \
	 WASI_RIGHT_PATH_REMOVE_DIRECTORY | WASI_RIGHT_PATH_UNLINK_FILE |      \
	 WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_POLL_FD_READWRITE)
#define WASI_RIGHTS_STREAM                                                     \
	(WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE |                            \
	 WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_FILESTAT_GET |         \
	 WASI_RIGHT_POLL_FD_READWRITE | WASI_RIGHT_SOCK_SHUTDOWN |             \
	 WASI_RIGHT_SOCK_ACCEPT | WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_SYNC)

/* The rows of wasi_imports.def, and its preview1 rows (they come first). */
enum {
#define WASI_OTHER +1
	WASI_NIMPORTS = 0
#include "wasi/wasi_imports.def"
	,
#define WASI_P1(name, sig, trace, body, wasix_body) +1
	WASI_NP1 = 0
#include "wasi/wasi_imports.def"
};

struct wasi_ctx {
	/* argv and environ, each packed as NUL-terminated strings. */
	char *args;
	uint32_t argc, args_bytes;
	char *envs;
	uint32_t envc, envs_bytes;

	struct vfs_table fds;
	struct vfs_ns *ns; /* the guest's mounts; immutable, owned */
	bool abs_paths;    /* absolute guest paths resolve (posix_root) */
	/* posix_root: the "/" preopen's entry (one reference), which absolute
	 * paths use whatever their directory fd is, even a closed one. */
	struct vfs_entry *root;
	uint32_t root_fd;                 /* the fd it was shown at */
	volatile sig_atomic_t *interrupt; /* may be NULL */

	bool exited;
	int exit_code;

	/* wasi_set_enter_hook: run before every function, or NULL. */
	vm_host_fn enter_hook;
	void *enter_ud;
	struct wasi_thunk {
		struct wasi_ctx *w;
		vm_host_fn fn;
	} thunks[WASI_NP1];
};

/* The context a host function was bound to. */
static inline struct wasi_ctx *wasi_ctx_of(void *ud)
{
	return (struct wasi_ctx *)ud;
}

/* Parameter 'i' as the guest's u32 (pointers, sizes, fds). */
static inline uint32_t wasi_u32(const struct vm_call *c, unsigned i)
{
	return (uint32_t)c->args[i];
}

/*
 * Pointer width. A module whose memory 0 has 64-bit addresses (memory64)
 * passes every pointer and every size (witx 'size', C size_t) as i64, and
 * the pointers and sizes inside the structs it hands over (iovec, prestat,
 * the pointer vectors of args_get) are 8 bytes; every other field keeps its
 * width. Each host function serves both widths: it reads pointer and size
 * parameters with wasi_ptr / wasi_size, never wasi_u32, and stores size
 * results with wasi_store_size. The width is the calling memory's, the one
 * the import's signature was made for (wasi_module_is64).
 */
static inline bool wasi_is64(const struct vm_call *c)
{
	return c->memory != NULL && vm_memory_limits(c->memory)->is64;
}

/* Bytes of a guest pointer or size: 4, or 8 with memory64. */
static inline unsigned wasi_psize(const struct vm_call *c)
{
	return wasi_is64(c) ? 8u : 4u;
}

/* Pointer parameter 'i' at the caller's width. */
static inline uint64_t wasi_ptr(const struct vm_call *c, unsigned i)
{
	return wasi_is64(c) ? c->args[i] : (uint32_t)c->args[i];
}

/* Size parameter 'i' at the caller's width. */
static inline uint64_t wasi_size(const struct vm_call *c, unsigned i)
{
	return wasi_ptr(c, i);
}

/*
 * Size parameter 'i' capped to u32 for calls whose host side counts in
 * u32 (buffers are bounds-checked against memory anyway: a larger size
 * reaches at most the cap).
 */
static inline uint32_t wasi_size32(const struct vm_call *c, unsigned i)
{
	uint64_t v = wasi_size(c, i);

	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* Ends a host function with preview1 errno 'e'. */
static inline int wasi_ret(struct vm_call *c, uint32_t e)
{
	c->results[0] = e;
	return 0;
}

/*
 * The host address of guest bytes [off, off+len) in the caller's memory,
 * or NULL if any of them is out of bounds or there is no memory.
 */
static inline void *wasi_mem(struct vm_call *c, uint64_t off, uint64_t len)
{
	if (c->memory == NULL)
		return NULL;
	return vm_memory_check(c->memory, off, len);
}

/*
 * Copy-in (wasi_copyin.c). Guest memory may change under a host function
 * (shared memory, another guest thread): whatever a host function checks
 * and then relies on, it reads from guest memory exactly once, into host
 * memory, and checks and uses only that copy.
 *
 * wasi_copy_in copies the 'len' bytes at guest 'off' into 'dst':
 * ESUCCESS or EFAULT. wasi_str_in copies the string at guest 'ptr' of
 * 'len' bytes into 'buf' and NUL-terminates it: ENAMETOOLONG if len >=
 * cap, EFAULT, or EINVAL if the copy holds a NUL byte.
 */
uint32_t wasi_copy_in(struct vm_call *c, uint64_t off, void *dst, size_t len);
uint32_t wasi_str_in(struct vm_call *c, uint64_t ptr, uint64_t len, char *buf,
                     size_t cap);

/* Little-endian stores into guest memory (already bounds-checked). */
static inline void wasi_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void wasi_put_u32(uint8_t *p, uint32_t v)
{
	wasi_put_u16(p, (uint16_t)v);
	wasi_put_u16(p + 2, (uint16_t)(v >> 16));
}

static inline void wasi_put_u64(uint8_t *p, uint64_t v)
{
	wasi_put_u32(p, (uint32_t)v);
	wasi_put_u32(p + 4, (uint32_t)(v >> 32));
}

static inline uint32_t wasi_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Stores a guest pointer or size at the caller's width (checked). */
static inline void wasi_put_ptr(const struct vm_call *c, uint8_t *p, uint64_t v)
{
	if (wasi_is64(c))
		wasi_put_u64(p, v);
	else
		wasi_put_u32(p, (uint32_t)v);
}

/* Stores a u32 result at guest 'off': ESUCCESS, or EFAULT. */
uint32_t wasi_store_u32(struct vm_call *c, uint64_t off, uint32_t v);

/* Stores a u64 result at guest 'off': ESUCCESS, or EFAULT. */
uint32_t wasi_store_u64(struct vm_call *c, uint64_t off, uint64_t v);

/* Stores a size result (4 or 8 bytes: wasi_psize): ESUCCESS, or EFAULT. */
uint32_t wasi_store_size(struct vm_call *c, uint64_t off, uint64_t v);

/* Maps a host errno value to the preview1 one (EIO if unknown). */
uint32_t wasi_errno_from_host(int e);

/*
 * The other way (the same table): the host errno value of preview1
 * errno 'e', 0 for ESUCCESS, EIO if unknown. For calls into layers
 * that speak host errno values (src/proc/).
 */
int wasi_errno_to_host(uint32_t e);

/*
 * Turns a signature string such as "(ipzI)i" (i = i32, I = i64; p, a
 * pointer, and z, a size: i32, or i64 if 'is64') into 'ft',
 * whose types array is 'buf' (at most 'cap' entries; the caller keeps
 * it alive as long as 'ft'). The notation of wasi_imports.def.
 */
void wasi_sig_parse(const char *sig, bool is64, struct wasm_functype *ft,
                    uint32_t *buf, uint32_t cap);

/* ---- the import table (wasi_imports.def, wasi_import.c) ---------------- */

/* The module a row is imported from. */
enum wasi_import_module {
	WASI_IMPORT_P1,    /* WASI_MODULE */
	WASI_IMPORT_WASI,  /* WASI_THREADS_MODULE */
	WASI_IMPORT_WASIX, /* WASIX_MODULE32 or WASIX_MODULE64 */
};

/* The layer that serves a row (the kind of its .def row). */
enum wasi_import_layer {
	WASI_LAYER_WASI,    /* WASI_P1 */
	WASI_LAYER_THREADS, /* WASI_THREAD */
	WASI_LAYER_WASIX,   /* WASI_WASIX */
	WASI_LAYER_NONE,    /* WASI_NOSYS: answers ENOSYS */
};

/* One row of wasi_imports.def (bodies stay with their layers). */
struct wasi_import_row {
	const char *name;
	const char *sig;    /* wasi_sig_parse's notation */
	const char *trace;  /* argument kinds for --trace, or NULL */
	const char *reason; /* WASI_LAYER_NONE: why it is not implemented */
	uint8_t module;     /* enum wasi_import_module */
	uint8_t layer;      /* enum wasi_import_layer */
};

/* Row 'i' of the table (index order of wasi_imports.def), or NULL. */
const struct wasi_import_row *wasi_import_at(size_t i);

/* The index of row 'r' (a pointer wasi_import_at or _find returned). */
size_t wasi_import_index(const struct wasi_import_row *r);

/* The import module name of row 'r' (WASIX: the 32-bit one). */
const char *wasi_import_module_name(const struct wasi_import_row *r);

/*
 * The row that function import 'imp' of module 'm' names, or NULL (not
 * a function, a module or name not in the table, or a WASIX module of
 * the other width than m's memory). '*is64': the width its 'p' and 'z'
 * take (preview1 and "wasi": wasi_module_is64(m); WASIX: the module
 * name's). 'm' NULL: 32-bit for preview1 and "wasi", no width check.
 */
const struct wasi_import_row *wasi_import_find(const struct wasm_module *m,
                                               const struct wasm_import *imp,
                                               bool *is64);

/*
 * Makes the host function of row 'r' for import 'imp' of 'm' (as
 * wasi_import_find found it, with its 'is64') calling 'fn' with 'ud',
 * and sets '*out'. 'fn' NULL: the function answers ENOSYS (none for a
 * function without results); a 64-bit caller then links with the type
 * the module declares (its result none or i32, else WX_ELINK), since the
 * row of an unimplemented function need not know its widths. Returns 0,
 * WX_ELINK or WX_ENOMEM.
 */
int wasi_import_make(struct vm_store *s, const struct wasm_module *m,
                     const struct wasm_import *imp,
                     const struct wasi_import_row *r, bool is64, vm_host_fn fn,
                     void *ud, struct vm_extern *out);

/*
 * Resolves preview1 row 'r' (WASI_LAYER_WASI) for 'imp' of 'm' bound to
 * context 'w': wasi_resolve after its lookup. 0, WX_ELINK or WX_ENOMEM.
 */
int wasi_resolve_row(struct wasi_ctx *w, struct vm_store *s,
                     const struct wasm_module *m, const struct wasm_import *imp,
                     const struct wasi_import_row *r, bool is64,
                     struct vm_extern *out);

/* Reads a little-endian u64 (already bounds-checked). */
static inline uint64_t wasi_get_u64(const uint8_t *p)
{
	return (uint64_t)wasi_get_u32(p) | (uint64_t)wasi_get_u32(p + 4) << 32;
}

/* Reads a guest pointer or size at the caller's width (checked). */
static inline uint64_t wasi_get_ptr(const struct vm_call *c, const uint8_t *p)
{
	return wasi_is64(c) ? wasi_get_u64(p) : wasi_get_u32(p);
}

/*
 * With an interrupt flag, blocking waits sleep at most one slice at a
 * time and look at the flag between slices, so that a flag raised without
 * a signal (or just before the wait began) still ends the wait soon.
 */
#define WASI_SLICE_MS 50
#define WASI_SLICE_NS (WASI_SLICE_MS * INT64_C(1000000))

/* Whether a pending interrupt (a signal to deliver) should end a wait. */
static inline bool wasi_interrupted(const struct wasi_ctx *w)
{
	return w->interrupt != NULL &&
	       __atomic_load_n(w->interrupt, __ATOMIC_RELAXED) != 0;
}

/* Whether entry 'e' has every right in 'rights' (rights may shrink
 * concurrently: fd_fdstat_set_rights). */
static inline bool wasi_fd_rights_ok(const struct vfs_entry *e, uint64_t rights)
{
	return (__atomic_load_n(&e->rights_base, __ATOMIC_RELAXED) & rights) ==
	       rights;
}

/*
 * posix_root: the root entry with one more reference (the caller drops
 * it), whatever the guest did with its fds; NULL otherwise.
 */
struct vfs_entry *wasi_root_ref(struct wasi_ctx *w);

/*
 * wasi_fd_get with no rights, except that the root's own slot, while
 * empty (root_unseen, or the guest closed it), answers as the root
 * (posix_root; docs/filesystem.md). Same errors and reference rule.
 */
uint32_t wasi_fd_get_or_root(struct wasi_ctx *w, uint32_t fd,
                             struct vfs_entry **e);

/*
 * The entry behind guest fd 'fd' if it has every right in 'rights'.
 * Returns ESUCCESS, EBADF or ENOTCAPABLE. '*e' is NULL (EBADF) or holds
 * one reference of the caller's (also on ENOTCAPABLE, so that the caller
 * can look at its kind): another thread may close the fd at any time, and
 * the reference keeps the entry and its host fd alive until the caller
 * drops it with vfs_entry_unref (NULL allowed) on its one exit path.
 * This is the only way the wasi and wasix calls reach an entry; vfs_get
 * (borrowed) is for checking that an fd is open, never to use the entry.
 */
uint32_t wasi_fd_get(struct wasi_ctx *w, uint32_t fd, uint64_t rights,
                     struct vfs_entry **e);

/*
 * The socket entry behind 'fd' with 'right': EBADF, ENOTSOCK or
 * ENOTCAPABLE. '*e' holds a reference whenever it is not NULL, as with
 * wasi_fd_get.
 */
uint32_t wasi_sock_get(struct wasi_ctx *w, uint32_t fd, uint64_t right,
                       struct vfs_entry **e);

/* The preview1 filetype of a vfs kind. */
uint8_t wasi_filetype_of(uint8_t kind);

/* Writes a 64-byte preview1 filestat for 'st' at 'p' (checked). */
struct stat;
void wasi_put_filestat(uint8_t *p, const struct stat *st);

/*
 * Waits until host fd 'hfd' is ready for 'events' (POLLIN/POLLOUT),
 * retrying on EINTR unless the context has an interrupt pending.
 * Returns ESUCCESS, EINTR or an errno.
 */
uint32_t wasi_wait_fd(struct wasi_ctx *w, int hfd, short events);

/*
 * wasi_wait_fd(POLLIN) before a blocking read of entry 'e', except that a
 * socket's SO_RCVTIMEO ends the wait with EAGAIN, as the read would.
 */
uint32_t wasi_wait_in(struct wasi_ctx *w, const struct vfs_entry *e);

/*
 * recvmsg(2) on socket entry 'e' with host 'flags', as a guest receive:
 * without MSG_DONTWAIT on a socket that blocks, waits (wasi_wait_in:
 * EINTR, SO_RCVTIMEO's EAGAIN) when nothing is there. It tries
 * MSG_DONTWAIT first (except with MSG_WAITALL), so data already there
 * costs one system call and whether the fd blocks is asked only when
 * nothing is. Returns an errno; '*got' gets the byte count.
 */
uint32_t wasi_recvmsg(struct wasi_ctx *w, const struct vfs_entry *e,
                      struct msghdr *m, int flags, ssize_t *got);

#define WASI_IOV_CHUNK 16
#define WASI_IO_MAX    0x7ffff000u /* Linux's own cap on one read or write */

/*
 * Checks the array of 'n' guest iovecs at 'iovs' and every buffer it
 * names; the array's host address, or NULL (EFAULT).
 */
const uint8_t *wasi_iovs_check(struct vm_call *c, uint64_t iovs, uint32_t n);

/*
 * Fills 'v' with up to WASI_IOV_CHUNK host iovecs for the checked guest
 * iovecs [*i, n) of 'arr', at most 'budget' bytes in all; advances *i.
 * Returns the count; '*bytes' gets their total length.
 */
struct iovec;
int wasi_iov_fill(struct vm_call *c, const uint8_t *arr, uint32_t n,
                  uint32_t *i, uint64_t budget, struct iovec *v,
                  size_t *bytes);

/* wasi_proc.c: arguments, environment, exit, signals. */
int wasi_args_get(struct vm_call *c, void *ud);
int wasi_args_sizes_get(struct vm_call *c, void *ud);
int wasi_environ_get(struct vm_call *c, void *ud);
int wasi_environ_sizes_get(struct vm_call *c, void *ud);
int wasi_proc_exit(struct vm_call *c, void *ud);
int wasi_proc_raise(struct vm_call *c, void *ud);

/* wasi_fd.c: reading, writing, seeking. */
int wasi_fd_write(struct vm_call *c, void *ud);
int wasi_fd_read(struct vm_call *c, void *ud);
int wasi_fd_pwrite(struct vm_call *c, void *ud);
int wasi_fd_pread(struct vm_call *c, void *ud);
int wasi_fd_seek(struct vm_call *c, void *ud);
int wasi_fd_tell(struct vm_call *c, void *ud);

/* wasi_fdattr.c: fd attributes, table operations, directories. */
int wasi_fd_close(struct vm_call *c, void *ud);
int wasi_fd_renumber(struct vm_call *c, void *ud);
int wasi_fd_fdstat_get(struct vm_call *c, void *ud);
int wasi_fd_fdstat_set_flags(struct vm_call *c, void *ud);
int wasi_fd_fdstat_set_rights(struct vm_call *c, void *ud);
int wasi_fd_filestat_get(struct vm_call *c, void *ud);
int wasi_fd_filestat_set_size(struct vm_call *c, void *ud);
int wasi_fd_filestat_set_times(struct vm_call *c, void *ud);
int wasi_fd_advise(struct vm_call *c, void *ud);
int wasi_fd_allocate(struct vm_call *c, void *ud);
int wasi_fd_datasync(struct vm_call *c, void *ud);
int wasi_fd_sync(struct vm_call *c, void *ud);
int wasi_fd_prestat_get(struct vm_call *c, void *ud);
int wasi_fd_prestat_dir_name(struct vm_call *c, void *ud);
int wasi_fd_readdir(struct vm_call *c, void *ud);

/* Sets times of (dirfd, name) or of fd (name NULL) from fstflags. */
uint32_t wasi_set_times(int fd, const char *name, uint64_t atim, uint64_t mtim,
                        uint32_t fst);

/* wasi_path.c: operations on paths beneath a directory fd. */
int wasi_path_create_directory(struct vm_call *c, void *ud);
int wasi_path_filestat_get(struct vm_call *c, void *ud);
int wasi_path_filestat_set_times(struct vm_call *c, void *ud);
int wasi_path_link(struct vm_call *c, void *ud);
int wasi_path_open(struct vm_call *c, void *ud);

/*
 * path_open's work with the new fd kept on the host side in '*fd' (not
 * stored at args[8], whose bounds are checked first): a WASI errno.
 * For WASIX's path_open2, which must not read the fd back from guest
 * memory.
 */
uint32_t wasi_path_open_fd(struct vm_call *c, struct wasi_ctx *w, uint32_t *fd);
int wasi_path_readlink(struct vm_call *c, void *ud);
int wasi_path_remove_directory(struct vm_call *c, void *ud);
int wasi_path_rename(struct vm_call *c, void *ud);
int wasi_path_symlink(struct vm_call *c, void *ud);
int wasi_path_unlink_file(struct vm_call *c, void *ud);

/* wasi_poll.c: poll_oneoff and sockets. */
int wasi_poll_oneoff(struct vm_call *c, void *ud);
/* poll_oneoff that returns EINTR instead of waiting (nothing ready yet):
 * for a call whose entry ran a signal handler (WASI_HANDLED, wasi.h). */
int wasi_poll_oneoff_nowait(struct vm_call *c, void *ud);
int wasi_sock_accept(struct vm_call *c, void *ud);
int wasi_sock_recv(struct vm_call *c, void *ud);
int wasi_sock_send(struct vm_call *c, void *ud);
int wasi_sock_shutdown(struct vm_call *c, void *ud);

/* wasi_clock.c: clocks, randomness, scheduling. */
int wasi_clock_time_get(struct vm_call *c, void *ud);
int wasi_clock_res_get(struct vm_call *c, void *ud);
int wasi_random_get(struct vm_call *c, void *ud);
int wasi_sched_yield(struct vm_call *c, void *ud);

/* Host clock behind preview1 clock 'id'; false if none (EINVAL). */
bool wasi_clockid(uint32_t id, clockid_t *out);

#endif
