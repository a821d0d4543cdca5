/*
 * wasix_exec.c: proc_exec, proc_exec2, proc_exec3, proc_exec4,
 * proc_spawn2 and proc_spawn3: reading their lists, paths and file
 * actions out of guest memory, finding the program (--map-command
 * names, the cwd, and through src/proc/proc_exec.c the PATH search and
 * '#!' lines), building it, and committing the exec in place. The file
 * actions themselves run in src/proc/ (proc_fdop_run).
 *
 * An exec first builds the new program completely (wasix_exec_ops.build);
 * until then nothing in the caller has changed, so a failure is just an
 * errno. The commit replaces argv/env, closes close-on-exec fds, resets
 * caught signals, releases a waiting vfork parent or spawner, stashes the
 * program for the run loop and unwinds with WX_EEXIT.
 *
 * Spawn is proc_fork + fd actions + signal dispositions + exec in the
 * child, with an error pipe (close-on-exec in spirit: closed by the
 * commit) through which a failing child sends its errno before it exits;
 * the parent reaps that child, so no half-made child stays behind.
 */
#include "wasix/wasix_impl.h"

#include "dl/dl.h"
#include "wasix/wasix_thread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WASIX_MAX_LIST   (1u << 20) /* bytes of an args/envs list */
#define WASIX_MAX_MODULE (256u << 20)
#define WASIX_MAX_SCRIPT 4 /* '#!' nesting */
#define WASIX_MAX_FDOPS  1024

/*
 * A parsed string list: 'v' points into 'buf' and, after '#!' scripts,
 * into the 'extra' lines.
 */
struct wasix_list {
	char *buf;
	char **v;
	uint32_t n;
	char *extra[WASIX_MAX_SCRIPT + 1];
	uint32_t nextra;
};

static void wasix_list_free(struct wasix_list *l)
{
	wx_free(l->buf);
	wx_free(l->v);
	for (uint32_t i = 0; i < l->nextra; i++)
		wx_free(l->extra[i]);
	memset(l, 0, sizeof *l);
}

/*
 * Splits guest bytes (ptr, len) at '\n' (the final empty piece dropped)
 * into '*l', with 'extra' free slots in front of the vector. ESUCCESS,
 * EFAULT, E2BIG or ENOMEM.
 */
static uint32_t wasix_list_get(struct vm_call *c, uint64_t ptr, uint64_t len64,
                               uint32_t extra, struct wasix_list *l)
{
	const char *p;
	uint32_t n = 0, i, k = extra, len;

	memset(l, 0, sizeof *l);
	if (len64 > WASIX_MAX_LIST)
		return WASI_E2BIG;
	len = (uint32_t)len64;
	p = wasi_mem(c, ptr, len);
	if (p == NULL)
		return WASI_EFAULT;
	l->buf = wx_malloc((size_t)len + 1);
	if (l->buf == NULL)
		return WASI_ENOMEM;
	memcpy(l->buf, p, len);
	l->buf[len] = 0;
	for (i = 0; i < len; i++)
		n += l->buf[i] == '\n';
	n += len > 0 && l->buf[len - 1] != '\n';
	l->v = wx_alloc_array((size_t)n + extra + 1, sizeof *l->v);
	if (l->v == NULL) {
		wasix_list_free(l);
		return WASI_ENOMEM;
	}
	for (i = 0; i < len; i++) {
		char *start = l->buf + i;

		while (i < len && l->buf[i] != '\n')
			i++;
		l->buf[i] = 0;
		l->v[k++] = start;
	}
	l->n = k;
	return WASI_ESUCCESS;
}

/*
 * Reads a guest array of 'n' pointers (4 or 8 bytes: wasi_psize) to
 * NUL-terminated strings at 'ptr' into '*l' (exec4 / spawn3). ESUCCESS,
 * EFAULT, E2BIG or ENOMEM.
 */
static uint32_t wasix_list_arr(struct vm_call *c, uint64_t ptr, uint64_t n64,
                               struct wasix_list *l)
{
	unsigned ps = wasi_psize(c);
	uint32_t n = n64 > WASI_MAX_ARGS ? WASI_MAX_ARGS + 1 : (uint32_t)n64;
	const uint8_t *arr = wasi_mem(c, ptr, (uint64_t)n * ps);
	const uint8_t *base = c->memory ? vm_memory_data(c->memory) : NULL;
	uint64_t size = c->memory ? vm_memory_size(c->memory) : 0;
	size_t off = 0, *offs = NULL;
	uint32_t err = WASI_ESUCCESS;

	memset(l, 0, sizeof *l);
	if (n > WASI_MAX_ARGS)
		return WASI_E2BIG;
	if (arr == NULL || (n > 0 && base == NULL))
		return WASI_EFAULT;
	/* Each pointer and each byte is read once, straight into the copy:
	 * another thread may change shared memory meanwhile, and a string
	 * measured first and copied after could outgrow its buffer. */
	l->buf = wx_malloc(WASIX_MAX_LIST + 1);
	offs = wx_alloc_array((size_t)n + 1, sizeof *offs);
	if (l->buf == NULL || offs == NULL) {
		err = WASI_ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < n && err == WASI_ESUCCESS; i++) {
		uint64_t s = wasi_get_ptr(c, arr + (size_t)ps * i);
		size_t room = WASIX_MAX_LIST - off, k;
		const char *end;

		if (s >= size) {
			err = WASI_EFAULT;
			break;
		}
		k = size - s < room ? (size_t)(size - s) : room;
		end = memccpy(l->buf + off, base + s, 0, k);
		if (end == NULL) /* no NUL before the end of memory or room */
			err = k == room ? WASI_E2BIG : WASI_EFAULT;
		else {
			/* memccpy may read twice (memchr, then memcpy): the
			 * length is fixed by then, the terminator is ours. */
			l->buf[end - l->buf - 1] = 0;
			offs[i] = off;
			off = (size_t)(end - l->buf);
		}
	}
	if (err == WASI_ESUCCESS) {
		l->v = wx_alloc_array((size_t)n + 1, sizeof *l->v);
		if (l->v == NULL)
			err = WASI_ENOMEM;
	}
	if (err == WASI_ESUCCESS) {
		for (uint32_t i = 0; i < n; i++)
			l->v[i] = l->buf + offs[i];
		l->n = n;
	}
out:
	wx_free(offs);
	if (err != WASI_ESUCCESS)
		wasix_list_free(l);
	return err;
}

/* A list at args i, i+1: '\n'-joined bytes, or a pointer array. */
static uint32_t wasix_list_any(struct vm_call *c, unsigned i, bool arrays,
                               struct wasix_list *l)
{
	if (arrays)
		return wasix_list_arr(c, wasi_ptr(c, i), wasi_size(c, i + 1),
		                      l);
	return wasix_list_get(c, wasi_ptr(c, i), wasi_size(c, i + 1), 0, l);
}

/* Reads host fd 'fd' whole into '*out'. ESUCCESS, EACCES, ENOMEM, ... */
static uint32_t wasix_slurp(int fd, uint8_t **out, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	size_t n = 0;
	ssize_t r;

	if (fstat(fd, &st) != 0)
		return wasi_errno_from_host(errno);
	if (!S_ISREG(st.st_mode))
		return WASI_EACCES;
	if ((uint64_t)st.st_size > WASIX_MAX_MODULE)
		return WASI_ENOEXEC;
	buf = wx_malloc((size_t)st.st_size + 1);
	if (buf == NULL)
		return WASI_ENOMEM;
	while (n < (size_t)st.st_size) {
		r = read(fd, buf + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	*out = buf;
	*len = n;
	return WASI_ESUCCESS;
}

int wasix_read_file(struct wasix_ctx *x, const char *path, uint8_t **bytes,
                    size_t *len)
{
	int hfd, err;
	uint32_t e = wasix_open_path(x, path, O_RDONLY, &hfd);

	*bytes = NULL;
	*len = 0;
	if (e == WASI_ESUCCESS) {
		e = wasix_slurp(hfd, bytes, len);
		close(hfd);
	}
	switch (e) {
	case WASI_ESUCCESS:
		return 0;
	case WASI_ENOENT:
		err = ENOENT;
		break;
	case WASI_ENOTDIR:
		err = ENOTDIR;
		break;
	case WASI_EACCES:
		err = EACCES;
		break;
	case WASI_ENOMEM:
		err = ENOMEM;
		break;
	case WASI_ENAMETOOLONG:
		err = ENAMETOOLONG;
		break;
	case WASI_ENOEXEC:
		err = EFBIG;
		break;
	default:
		err = EIO;
		break;
	}
	return err;
}

/* proc_open_fn: a guest path through the context's namespace. */
static int wasix_proc_open(void *ud, const char *path, int oflags, int *hfd)
{
	return wasi_errno_to_host(wasix_open_path(ud, path, oflags, hfd));
}

/* Opens the program 'name' as exec/spawn find it. */
static uint32_t wasix_find(struct wasix_ctx *x, const char *name, bool search,
                           const char *path, int *hfd)
{
	if (strchr(name, '/') == NULL) {
		for (uint32_t i = 0; i < x->ncmds; i++)
			if (strcmp(x->cmds[i].name, name) == 0) {
				*hfd = open(x->cmds[i].host_file,
				            O_RDONLY | O_CLOEXEC);
				return *hfd >= 0 ? WASI_ESUCCESS
				                 : wasi_errno_from_host(errno);
			}
	}
	if (!search || strchr(name, '/') != NULL || *name == 0)
		return wasix_open_path(x, name, O_RDONLY, hfd);
	return wasi_errno_from_host(
	    proc_path_search(name, path, wasix_proc_open, x, hfd));
}

/*
 * A '#!' script 'name' whose first bytes are 'bytes' (proc_script_parse):
 * rewrites 'l' to [interp, arg?, name, argv[1..]] and sets '*interp'.
 * ESUCCESS, ENOEXEC (no interpreter) or ENOMEM.
 */
static uint32_t wasix_script(struct wasix_list *l, const char *name,
                             const uint8_t *bytes, size_t len,
                             const char **interp)
{
	struct proc_script sc;
	char **v;
	uint32_t k = 0;
	int rc = proc_script_parse(bytes, len, name, &sc);

	if (rc != 0)
		return wasi_errno_from_host(rc);
	v = wx_alloc_array((size_t)l->n + 3, sizeof *v);
	if (v == NULL) {
		proc_script_free(&sc);
		return WASI_ENOMEM;
	}
	*interp = sc.interp;
	v[k++] = (char *)sc.interp;
	if (sc.arg != NULL)
		v[k++] = (char *)sc.arg;
	v[k++] = (char *)sc.name;
	for (uint32_t i = 1; i < l->n; i++)
		v[k++] = l->v[i];
	wx_free(l->v);
	l->v = v;
	l->n = k;
	l->extra[l->nextra++] = sc.buf;
	return WASI_ESUCCESS;
}

/*
 * The value of LD_LIBRARY_PATH in the environment an exec gives the new
 * program: 'envs' when the call passes one, else the process's current
 * environment (what an earlier exec set, not the command line's). NULL
 * when unset. Points into 'envs' or the WASI context.
 */
static const char *wasix_exec_ld_path(const struct wasix_ctx *x,
                                      const struct wasix_list *envs)
{
	static const char key[] = "LD_LIBRARY_PATH=";
	const size_t klen = sizeof key - 1;
	const char *p = x->w->envs;

	if (envs != NULL) {
		for (uint32_t i = 0; i < envs->n; i++)
			if (strncmp(envs->v[i], key, klen) == 0)
				return envs->v[i] + klen;
		return NULL;
	}
	for (uint32_t i = 0; p != NULL && i < x->w->envc; i++) {
		if (strncmp(p, key, klen) == 0)
			return p + klen;
		p += strlen(p) + 1;
	}
	return NULL;
}

/*
 * Whether the regular file 'fd' holds exactly the 'len' bytes at 'want'.
 * Reads it in pieces into a small buffer and compares each: no copy of
 * the whole file is made, which for an exec of the running program is
 * most of what reading it cost (docs/process.md).
 */
static bool wasix_file_is(int fd, const uint8_t *want, size_t len)
{
	uint8_t buf[16384];
	struct stat st;
	size_t off = 0;
	ssize_t n;

	if (want == NULL || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size != len)
		return false;
	while (off < len) {
		size_t want_n = len - off < sizeof buf ? len - off : sizeof buf;

		n = pread(fd, buf, want_n, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || memcmp(buf, want + off, (size_t)n) != 0)
			return false;
		off += (size_t)n;
	}
	/* Not longer either (it may have grown since fstat). */
	do
		n = pread(fd, buf, 1, (off_t)len);
	while (n < 0 && errno == EINTR);
	return n == 0;
}

/*
 * Loads program 'name' into '*prog' ('ld' its LD_LIBRARY_PATH, may be
 * NULL). For '#!' scripts (at most WASIX_MAX_SCRIPT deep) 'l' is
 * rewritten to the interpreter's argv.
 */
static uint32_t wasix_load(struct wasix_ctx *x, const char *name, bool search,
                           const char *path, const char *ld,
                           struct wasix_list *l, int depth, void **prog)
{
	uint8_t *bytes = NULL;
	size_t len = 0;
	int hfd;
	uint32_t err = wasix_find(x, name, search, path, &hfd);

	if (err != WASI_ESUCCESS)
		return err;
	if (x->ops.running != NULL && x->ops.build != NULL) {
		const uint8_t *cur = x->ops.running(x->ops.ud, &len);

		if (wasix_file_is(hfd, cur, len)) {
			close(hfd);
			int rc =
			    x->ops.build(x->ops.ud, NULL, 0, name, ld, prog);
			return rc == 0 ? WASI_ESUCCESS : WASI_ENOEXEC;
		}
	}
	err = wasix_slurp(hfd, &bytes, &len);
	close(hfd);
	if (err != WASI_ESUCCESS)
		return err;
	if (len >= 4 && memcmp(bytes, "\0asm", 4) == 0) {
		if (x->ops.build == NULL ||
		    x->ops.build(x->ops.ud, bytes, len, name, ld, prog) != 0)
			return WASI_ENOEXEC;
		return WASI_ESUCCESS;
	}
	if (depth >= WASIX_MAX_SCRIPT) {
		wx_free(bytes);
		return WASI_ENOEXEC;
	}
	{
		const char *interp = NULL;

		err = wasix_script(l, name, bytes, len, &interp);
		wx_free(bytes);
		if (err != WASI_ESUCCESS)
			return err;
		return wasix_load(x, interp, false, NULL, ld, l, depth + 1,
		                  prog);
	}
}

/* Commits a built program: see the file's header. Returns WX_EEXIT. */
static int wasix_commit(struct vm_call *c, struct wasix_ctx *x, void *prog,
                        const struct wasix_list *argv,
                        const struct wasix_list *envs)
{
	int rc;

	/* Threads: the other threads end first (wasix_thread.h). */
	if (wasix_threads_exec_stop() != WX_OK) {
		x->ops.discard(x->ops.ud, prog);
		return wasi_ret(c, WASI_EBUSY);
	}
	rc = wasi_ctx_set_args(x->w, argv->n, (const char *const *)argv->v,
	                       envs ? envs->n : 0,
	                       envs ? (const char *const *)envs->v : NULL);
	if (rc != 0) {
		x->ops.discard(x->ops.ud, prog);
		return wasi_ret(c, rc == WX_ELIMIT ? WASI_E2BIG : WASI_ENOMEM);
	}
	vfs_close_on_exec(&x->w->fds);
	if (proc_sig_catching())
		proc_sig_catch_all(false);
	x->callback = NULL;
	wasix_exiting(x);
	x->exec_prog = prog;
	c->exit_code = 0;
	return WX_EEXIT;
}

/*
 * An exec inside proc_fork_env: the host forks; the host child keeps
 * '*prog' and becomes the child for good; the host parent drops it, sets
 * '*prog' to NULL and is the parent again. ESUCCESS or EAGAIN.
 */
static uint32_t wasix_env_split(struct wasix_ctx *x, void **prog)
{
	bool is_child = false;

	fflush(NULL);
	dl_fork_begin(x->dl);
	if (proc_env_fork(&is_child) != 0) {
		dl_fork_end(x->dl, false);
		return WASI_EAGAIN;
	}
	dl_fork_end(x->dl, is_child);
	if (is_child) {
		wasix_env_forget(x);
		return WASI_ESUCCESS;
	}
	x->ops.discard(x->ops.ud, *prog);
	*prog = NULL;
	wasix_env_restore(x);
	return WASI_ESUCCESS;
}

/* Checks that every entry of an env list has '='. */
static bool wasix_env_ok(const struct wasix_list *e)
{
	for (uint32_t i = 0; i < e->n; i++)
		if (strchr(e->v[i], '=') == NULL)
			return false;
	return true;
}

/*
 * The common part of every exec: name at args 0/1, argv list at 2/3,
 * 'envi' the index of the envs (ptr, len) or -1, 'search' and 'path';
 * 'arrays': the lists are pointer arrays (exec4, spawn3), not '\n'-joined.
 * Returns WX_EEXIT after a commit, else 0 with the errno in results[0].
 */
static int wasix_exec_common(struct vm_call *c, struct wasix_ctx *x, int envi,
                             bool search, const char *path, bool arrays)
{
	char name[VFS_PATH_MAX + 1];
	struct wasix_list argv, envs;
	bool have_env = envi >= 0 && wasi_ptr(c, (unsigned)envi) != 0;
	void *prog = NULL;
	uint32_t err;

	memset(&envs, 0, sizeof envs);
	err = wasix_str(c, 0, name, sizeof name);
	if (err != WASI_ESUCCESS)
		return wasi_ret(c, err);
	err = wasix_list_any(c, 2, arrays, &argv);
	if (err != WASI_ESUCCESS)
		return wasi_ret(c, err);
	if (argv.n == 0)
		argv.v[argv.n++] = name;
	if (have_env)
		err = wasix_list_any(c, (unsigned)envi, arrays, &envs);
	if (err == WASI_ESUCCESS && have_env && !wasix_env_ok(&envs))
		err = WASI_EINVAL;
	if (err == WASI_ESUCCESS)
		err = wasix_load(x, name, search, path,
		                 wasix_exec_ld_path(x, have_env ? &envs : NULL),
		                 &argv, 0, &prog);
	if (err == WASI_ESUCCESS && x->env_active)
		err = wasix_env_split(x, &prog);
	if (err == WASI_ESUCCESS && prog == NULL) {
		/* proc_fork_env: the child runs on; the parent gets 0. */
		wasix_list_free(&argv);
		wasix_list_free(&envs);
		return wasi_ret(c, WASI_ESUCCESS);
	}
	if (err == WASI_ESUCCESS) {
		int rc =
		    wasix_commit(c, x, prog, &argv, have_env ? &envs : NULL);

		wasix_list_free(&argv);
		wasix_list_free(&envs);
		return rc;
	}
	wasix_list_free(&argv);
	wasix_list_free(&envs);
	return wasi_ret(c, err);
}

/* The exec forms that cannot return: a failure ends the caller (45). */
static int wasix_exec_or_die(struct vm_call *c, struct wasix_ctx *x, int envi)
{
	int rc = wasix_exec_common(c, x, envi, false, NULL, false);

	if (rc != 0)
		return rc;
	x->w->exited = true;
	x->w->exit_code = WASI_ENOEXEC;
	c->exit_code = WASI_ENOEXEC;
	return WX_EEXIT;
}

/* proc_exec(name, args) -> never returns */
int wasix_proc_exec(struct vm_call *c, void *ud)
{
	return wasix_exec_or_die(c, ud, -1);
}

/* proc_exec2(name, args, envs) -> never returns */
int wasix_proc_exec2(struct vm_call *c, void *ud)
{
	return wasix_exec_or_die(c, ud, 4);
}

/* The optional path list at args i, i+1 into 'buf' (NULL if pointer 0). */
static const char *wasix_path_arg(struct vm_call *c, unsigned i, char *buf,
                                  size_t cap, uint32_t *err)
{
	*err = WASI_ESUCCESS;
	if (wasi_ptr(c, i) == 0)
		return NULL;
	*err = wasix_str(c, i, buf, cap);
	return buf;
}

/* proc_exec3(name, args, envs, search_path, path) -> errno */
int wasix_proc_exec3(struct vm_call *c, void *ud)
{
	char path[VFS_PATH_MAX + 1];
	uint32_t err;
	const char *p = wasix_path_arg(c, 7, path, sizeof path, &err);

	if (err != WASI_ESUCCESS)
		return wasi_ret(c, err);
	return wasix_exec_common(c, ud, 4, wasi_u32(c, 6) != 0, p, false);
}

/* proc_exec4(name, argv[], argc, envp[], envc, search_path, path) */
int wasix_proc_exec4(struct vm_call *c, void *ud)
{
	char path[VFS_PATH_MAX + 1];
	uint32_t err;
	const char *p = wasix_path_arg(c, 7, path, sizeof path, &err);

	if (err != WASI_ESUCCESS)
		return wasi_ret(c, err);
	return wasix_exec_common(c, ud, 4, wasi_u32(c, 6) != 0, p, true);
}

/* Host open flags for a spawn OPEN action of layout 'L'. */
static int wasix_oflags(const uint8_t *op, const struct wasix_fdop_layout *L)
{
	uint16_t of = (uint16_t)(op[L->oflags] | op[L->oflags + 1] << 8);
	uint64_t rb = wasi_get_u64(op + L->rights);
	uint16_t ff = (uint16_t)(op[L->fdflags] | op[L->fdflags + 1] << 8);
	bool r = (rb & WASI_RIGHT_FD_READ) != 0,
	     w = (rb & WASI_RIGHT_FD_WRITE) != 0;
	int fl = r && w ? O_RDWR : w ? O_WRONLY : O_RDONLY;

	fl |= of & WASI_O_CREAT ? O_CREAT : 0;
	fl |= of & WASI_O_DIRECTORY ? O_DIRECTORY : 0;
	fl |= of & WASI_O_EXCL ? O_EXCL : 0;
	fl |= of & WASI_O_TRUNC ? O_TRUNC : 0;
	fl |= ff & WASI_FDFLAG_APPEND ? O_APPEND : 0;
	return fl;
}

/*
 * Runs one spawn fd action (wasix_fdop_layout: its size in bytes at 'op',
 * a host copy) in the child: decoded here, run by proc_fdop_run.
 */
static uint32_t wasix_fd_action(struct vm_call *c, struct wasix_ctx *x,
                                const uint8_t *op)
{
	const struct wasix_fdop_layout *L = wasix_fdop_layout(wasi_is64(c));
	struct proc_fdop_ctx cx = {&x->w->fds, x->cwd, wasix_proc_open, x};
	struct proc_fdop fo = {0};
	char path[VFS_PATH_MAX + 1];
	uint64_t plen = wasi_get_ptr(c, op + L->path_len);

	fo.kind =
	    op[L->kind] <= PROC_FDOP_FCHDIR ? op[L->kind] : PROC_FDOP_FCHDIR;
	fo.fd = wasi_get_u32(op + L->fd);
	fo.src = wasi_get_u32(op + L->src);
	if (fo.kind == PROC_FDOP_OPEN || fo.kind == PROC_FDOP_CHDIR) {
		const char *pp =
		    wasi_mem(c, wasi_get_ptr(c, op + L->path), plen);

		if (pp == NULL)
			return WASI_EFAULT;
		if (plen > VFS_PATH_MAX)
			return WASI_ENAMETOOLONG;
		memcpy(path, pp, plen);
		path[plen] = 0;
		fo.path = path;
		fo.oflags = wasix_oflags(op, L);
		fo.rights_base = wasi_get_u64(op + L->rights);
		fo.rights_inheriting = wasi_get_u64(op + L->inherit);
		fo.fdflags =
		    (uint16_t)(op[L->fdflags] | op[L->fdflags + 1] << 8);
	}
	return wasi_errno_from_host(proc_fdop_run(&cx, &fo));
}

/* In the spawned child: actions, dispositions, exec; never returns 0. */
static int wasix_spawn_child(struct vm_call *c, struct wasix_ctx *x,
                             const uint8_t *ops, uint32_t nops,
                             const uint8_t *sd, uint32_t nsd, bool search,
                             const char *path, bool arrays)
{
	uint32_t err = WASI_ESUCCESS;
	int rc;

	for (uint32_t i = 0; i < nops && err == WASI_ESUCCESS; i++)
		err = wasix_fd_action(
		    c, x,
		    ops + (size_t)wasix_fdop_layout(wasi_is64(c))->size * i);
	x->nsigdisp = 0;
	for (uint32_t i = 0; i < nsd && err == WASI_ESUCCESS; i++) {
		const uint8_t *d = sd + (size_t)WASIX_SIGDISP_SIZE * i;
		uint8_t sig = d[WASIX_SIGDISP_SIG],
		        act = d[WASIX_SIGDISP_ACTION];

		if (sig != 0 && sig < 32)
			proc_sig_ignore(sig, act == 1);
		if (x->nsigdisp < WASIX_MAX_SIGDISP) {
			x->sigdisp[x->nsigdisp][0] = sig;
			x->sigdisp[x->nsigdisp++][1] = act;
		}
	}
	if (err == WASI_ESUCCESS) {
		rc = wasix_exec_common(c, x, 4, search, path, arrays);
		if (rc != 0)
			return rc; /* committed */
		err = (uint32_t)c->results[0];
	}
	if (write(x->notify_fd, &err, sizeof err) < 0)
		_exit(127);
	_exit(127);
}

/* Copies the guest array (ptr at i, count at i+1) of 'size'-byte items. */
static uint8_t *wasix_copy_array(struct vm_call *c, unsigned i, size_t size,
                                 uint32_t max, uint32_t *n, uint32_t *err)
{
	const uint8_t *p;
	uint8_t *out;

	uint64_t n64 = wasi_size(c, i + 1);

	*n = n64 > max ? max + 1 : (uint32_t)n64;
	*err = WASI_ESUCCESS;
	if (*n == 0)
		return NULL;
	if (*n > max) {
		*err = WASI_E2BIG;
		return NULL;
	}
	p = wasi_mem(c, wasi_ptr(c, i), (uint64_t)*n * size);
	out = p ? wx_malloc(*n * size) : NULL;
	if (out == NULL)
		*err = p ? WASI_ENOMEM : WASI_EFAULT;
	else
		memcpy(out, p, *n * size);
	return out;
}

/*
 * proc_spawn2 / proc_spawn3 (name, args, envs, fd_ops, n, sig_disps, n,
 * search, path, *pid) -> errno; 'arrays' for spawn3's pointer arrays.
 */
static int wasix_spawn(struct vm_call *c, struct wasix_ctx *x, bool arrays)
{
	char path[VFS_PATH_MAX + 1];
	uint32_t nops = 0, nsd = 0, err, perr = 0, pid = 0;
	uint64_t outp = wasi_ptr(c, 13);
	uint8_t *ops = NULL, *sd = NULL;
	const char *pp = wasix_path_arg(c, 11, path, sizeof path, &err);
	struct proc_status st;
	int ep[2], rc = 0;
	ssize_t n;

	if (err == WASI_ESUCCESS && wasi_mem(c, outp, 4) == NULL)
		err = WASI_EFAULT;
	if (err == WASI_ESUCCESS)
		ops = wasix_copy_array(c, 6,
		                       wasix_fdop_layout(wasi_is64(c))->size,
		                       WASIX_MAX_FDOPS, &nops, &err);
	if (err == WASI_ESUCCESS)
		sd = wasix_copy_array(c, 8, WASIX_SIGDISP_SIZE,
		                      WASIX_MAX_SIGDISP, &nsd, &err);
	if (err == WASI_ESUCCESS && pipe2(ep, O_CLOEXEC) != 0)
		err = wasi_errno_from_host(errno);
	if (err == WASI_ESUCCESS) {
		dl_fork_begin(x->dl);
		rc = proc_fork(&pid);
		dl_fork_end(x->dl, rc == 0 && pid == 0);
		if (rc != 0) {
			close(ep[0]);
			close(ep[1]);
			err = wasi_errno_from_host(rc);
		}
	}
	if (err == WASI_ESUCCESS && pid == 0) {
		close(ep[0]);
		if (x->notify_fd >= 0)
			close(x->notify_fd);
		x->notify_fd = ep[1];
		rc = wasix_spawn_child(c, x, ops, nops, sd, nsd,
		                       wasi_u32(c, 10) != 0, pp, arrays);
		wx_free(ops);
		wx_free(sd);
		return rc;
	}
	if (err == WASI_ESUCCESS) {
		close(ep[1]);
		do
			n = read(ep[0], &perr, sizeof perr);
		while (n < 0 && errno == EINTR);
		close(ep[0]);
		if (n == (ssize_t)sizeof perr) {
			while (proc_join(pid, false, &st) == EINTR)
				;
			err = perr;
		} else {
			wasi_store_u32(c, outp, pid);
		}
	}
	wx_free(ops);
	wx_free(sd);
	return wasi_ret(c, err);
}

int wasix_proc_spawn2(struct vm_call *c, void *ud)
{
	return wasix_spawn(c, ud, false);
}

/* proc_spawn3: proc_spawn2 with argv/envp as pointer arrays. */
int wasix_proc_spawn3(struct vm_call *c, void *ud)
{
	return wasix_spawn(c, ud, true);
}
