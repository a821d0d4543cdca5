/*
 * wasmix_spawn.c: the spawned helper of isolated runs (wasmix_spawn.h).
 *
 * Protocol, over a SOCK_STREAM socket pair whose helper end is the
 * helper's fd 3, one run per helper:
 *  1. struct spawn_hdr: magic, the library version and
 *     sizeof(struct wasmix_config) (a helper of another build refuses
 *     the run), the fd count, the payload length, the embedder's pid;
 *  2. the fds, in chunks of at most SPAWN_FD_CHUNK, each riding on one
 *     byte with SCM_RIGHTS: stdio 0, 1, 2 (those >= 0), the sockets, the
 *     trace fd (if >= 0), in that order;
 *  3. the payload: the config's bytes as they are (its scalars; every
 *     pointer in it is replaced on the other side), then length-prefixed
 *     strings (argv, environment, directory pairs, command pairs, the
 *     module's name or SPAWN_NO_NAME), then the module's bytes.
 * The helper answers with the report of wasmix_isolate_helper, as a fork
 * helper does, and the caller collects it the same way.
 *
 * Keeps true: the embedder never forks (posix_spawn runs no atfork
 * handlers and the child execs at once); the helper starts with the
 * default disposition of every signal and an empty signal mask, whatever
 * the spawning thread had; the helper trusts nothing in the message
 * beyond its own bounds checks, and opens the directories and command
 * files by path itself (it has the embedder's working directory and
 * credentials).
 */
#include "wasmix_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "base/base.h"
#include "wasmix_config.h"
#include "wasmix_isolate.h"

#ifndef WASMIX_HELPER_PATH
#define WASMIX_HELPER_PATH "/usr/local/libexec/wasmix/wasmix-helper"
#endif

#define SPAWN_MAGIC    "wasmixH1"
#define SPAWN_FD       3   /* the helper's end of the socket pair */
#define SPAWN_FD_CHUNK 200 /* fds per SCM_RIGHTS message */
#define SPAWN_NO_NAME  UINT32_MAX
#define SPAWN_MAX_FDS  (3 + WASI_MAX_ARGS + 1)

extern char **environ;

struct spawn_hdr {
	char magic[8];
	char version[16];
	uint32_t cfg_size;
	uint32_t nfds;
	uint64_t payload_len;
	int32_t embedder_pid;
	int32_t pad;
};

/* ---- the embedder's side ------------------------------------------------ */

/* A growing byte buffer for the payload's head. */
struct spawn_buf {
	uint8_t *p;
	size_t len, cap;
	bool failed;
};

static void buf_put(struct spawn_buf *b, const void *src, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *np = wx_realloc(b->p, cap);
		if (np == NULL) {
			b->failed = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void buf_str(struct spawn_buf *b, const char *s)
{
	uint32_t n = s != NULL ? (uint32_t)strlen(s) : SPAWN_NO_NAME;

	buf_put(b, &n, sizeof n);
	if (s != NULL)
		buf_put(b, s, n);
}

/* The config's scalars and strings (everything but the module). */
static void spawn_encode(struct spawn_buf *b, const struct wasmix_config *c,
                         const char *name)
{
	buf_put(b, c, sizeof *c);
	for (int i = 0; i < c->argc; i++)
		buf_str(b, c->argv[i]);
	for (int i = 0; i < c->envc; i++)
		buf_str(b, c->envp[i]);
	for (int i = 0; i < c->ndirs; i++) {
		buf_str(b, c->dirs[i].host);
		buf_str(b, c->dirs[i].guest);
	}
	for (int i = 0; i < c->ncmds; i++) {
		buf_str(b, c->cmd_names[i]);
		buf_str(b, c->cmd_files[i]);
	}
	buf_str(b, name);
}

/*
 * The fds of 'c' to pass, in protocol order; returns their count. A
 * stdio or trace fd that is not open is not passed (the config's copy
 * 'c' gets -1 there): the guest then finds that fd closed, as it would
 * in-process.
 */
static size_t spawn_fds(struct wasmix_config *c, int *fds)
{
	size_t n = 0;

	for (int i = 0; i < 3; i++) {
		if (c->stdio[i] >= 0 && fcntl(c->stdio[i], F_GETFD) < 0)
			c->stdio[i] = -1;
		if (c->stdio[i] >= 0)
			fds[n++] = c->stdio[i];
	}
	for (int i = 0; i < c->nsocks; i++)
		fds[n++] = c->socks[i];
	if (c->trace_fd >= 0 && fcntl(c->trace_fd, F_GETFD) < 0)
		c->trace_fd = -1;
	if (c->trace_fd >= 0)
		fds[n++] = c->trace_fd;
	return n;
}

/* send(2) of all of it, no SIGPIPE; 0 or -1. */
static int send_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n > 0) {
		ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Passes 'n' fds, SPAWN_FD_CHUNK per message; 0 or -1. */
static int send_fds(int sock, const int *fds, size_t n)
{
	while (n > 0) {
		size_t k = n < SPAWN_FD_CHUNK ? n : SPAWN_FD_CHUNK;
		union {
			char buf[CMSG_SPACE(SPAWN_FD_CHUNK * sizeof(int))];
			struct cmsghdr align;
		} u;
		char byte = 0;
		struct iovec iov = {&byte, 1};
		struct msghdr mh;
		struct cmsghdr *cm;
		ssize_t w;

		memset(&u, 0, sizeof u);
		memset(&mh, 0, sizeof mh);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(k * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(k * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, k * sizeof(int));
		do {
			w = sendmsg(sock, &mh, MSG_NOSIGNAL);
		} while (w < 0 && errno == EINTR);
		if (w != 1)
			return -1;
		fds += k;
		n -= k;
	}
	return 0;
}

static int spawn_err(char *errbuf, size_t errlen, int status, const char *what,
                     const char *path, int err)
{
	if (errbuf != NULL && errlen > 0)
		snprintf(errbuf, errlen, "%s %s: %s", what, path,
		         strerror(err));
	return status;
}

/*
 * posix_spawn of 'path' with 'sock' as its fd 3, default signal
 * dispositions and an empty mask. 0 and '*pid', or an errno value.
 */
static int spawn_helper(const char *path, int sock, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dfl;
	char *argv[] = {(char *)"wasmix-helper", NULL};
	int hi, rc;

	/* A copy above 3, so that dup2 onto 3 always clears close-on-exec. */
	hi = fcntl(sock, F_DUPFD_CLOEXEC, 10);
	if (hi < 0)
		return errno;
	sigemptyset(&none);
	sigemptyset(&dfl);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaddset(&dfl, sig);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	rc = posix_spawn_file_actions_adddup2(&fa, hi, SPAWN_FD);
	if (rc == 0)
		rc = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK |
		                                       POSIX_SPAWN_SETSIGDEF);
	if (rc == 0)
		rc = posix_spawnattr_setsigmask(&at, &none);
	if (rc == 0)
		rc = posix_spawnattr_setsigdefault(&at, &dfl);
	if (rc == 0)
		rc = posix_spawn(pid, path, &fa, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	close(hi);
	return rc;
}

int wasmix_spawned_run(const wasmix_config *cfg, const uint8_t *bytes,
                       size_t len, const char *name, int *exit_code,
                       char *errbuf, size_t errlen)
{
	struct wasmix_config copy = *cfg, *c = &copy;
	const char *path = getenv("WASMIX_HELPER");
	struct spawn_buf b = {NULL, 0, 0, false};
	struct spawn_hdr h;
	int sv[2] = {-1, -1}, *fds = NULL, rc, err;
	const char *failed = NULL;
	size_t nfds;
	pid_t pid;

	if (path != NULL && strcmp(path, "fork") == 0)
		return WASMIX_SPAWN_UNAVAILABLE;
	if (path == NULL || *path == 0) {
		path = WASMIX_HELPER_PATH;
		if (access(path, X_OK) != 0)
			return WASMIX_SPAWN_UNAVAILABLE;
	}
	fds = wx_alloc_array(3 + (size_t)c->nsocks + 1, sizeof *fds);
	if (fds == NULL)
		return spawn_err(errbuf, errlen, WASMIX_NOMEM,
		                 "cannot start the helper", path, ENOMEM);
	nfds = spawn_fds(c, fds);
	spawn_encode(&b, c, name);
	if (b.failed) {
		rc = spawn_err(errbuf, errlen, WASMIX_NOMEM,
		               "cannot start the helper", path, ENOMEM);
		goto out;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		rc = spawn_err(errbuf, errlen, WASMIX_NOMEM,
		               "cannot start the helper", path, errno);
		goto out;
	}
	rc = spawn_helper(path, sv[1], &pid);
	close(sv[1]);
	if (rc != 0) {
		close(sv[0]);
		rc = spawn_err(errbuf, errlen, WASMIX_ERROR,
		               "cannot start the helper", path, rc);
		goto out;
	}
	memset(&h, 0, sizeof h);
	memcpy(h.magic, SPAWN_MAGIC, sizeof h.magic);
	snprintf(h.version, sizeof h.version, "%s", WASMIX_VERSION);
	h.cfg_size = (uint32_t)sizeof *c;
	h.nfds = (uint32_t)nfds;
	h.payload_len = (uint64_t)b.len + len;
	h.embedder_pid = (int32_t)getpid();
	/* A helper that ends early (it refused the message) makes these
	 * fail; its report or status says why. After a failure of ours the
	 * helper must not wait for the rest: it sees the end of the stream. */
	if (send_all(sv[0], &h, sizeof h) != 0)
		failed = "send";
	else if (send_fds(sv[0], fds, nfds) != 0)
		failed = "fds";
	else if (send_all(sv[0], b.p, b.len) != 0 ||
	         send_all(sv[0], bytes, len) != 0)
		failed = "send";
	err = errno;
	if (failed != NULL)
		shutdown(sv[0], SHUT_WR);
	rc = wasmix_isolate_collect(pid, sv[0], exit_code, errbuf, errlen);
	if (failed != NULL && strcmp(failed, "fds") == 0 && err == EBADF) {
		/* The in-process run's answer for the same config. */
		*exit_code = 0;
		for (int i = 0; i < c->nsocks; i++)
			if (fcntl(c->socks[i], F_GETFD) < 0) {
				snprintf(errbuf, errlen,
				         "%s: host fd %d is not a socket",
				         name != NULL ? name : "module.wasm",
				         c->socks[i]);
				break;
			}
		rc = WASMIX_IOERR;
	}
out:
	wx_free(b.p);
	wx_free(fds);
	return rc;
}

/* ---- the helper's side -------------------------------------------------- */

/* Ends the helper with a WASMIX_ERROR report saying 'why'. */
_Noreturn static void helper_fail(int fd, const char *why)
{
	struct wasmix_isolate_report rep;

	memset(&rep, 0, sizeof rep);
	rep.status = WASMIX_ERROR;
	snprintf(rep.msg, sizeof rep.msg, "wasmix-helper: %s", why);
	(void)!write(fd, &rep, sizeof rep);
	_exit(1);
}

/* read(2) of exactly 'n' bytes; 0, or -1 at an error or EOF. */
static int read_all(int fd, void *p, size_t n)
{
	uint8_t *b = p;

	while (n > 0) {
		ssize_t r = read(fd, b, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Receives 'n' fds into 'fds' (close-on-exec); 0 or -1. */
static int recv_fds(int sock, int *fds, size_t n)
{
	size_t got = 0;

	while (got < n) {
		union {
			char buf[CMSG_SPACE(SPAWN_FD_CHUNK * sizeof(int))];
			struct cmsghdr align;
		} u;
		char byte;
		struct iovec iov = {&byte, 1};
		struct msghdr mh;
		ssize_t r;

		memset(&mh, 0, sizeof mh);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof u.buf;
		do {
			r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
		} while (r < 0 && errno == EINTR);
		if (r != 1 || (mh.msg_flags & MSG_CTRUNC))
			return -1;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm != NULL;
		     cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level != SOL_SOCKET ||
			    cm->cmsg_type != SCM_RIGHTS)
				continue;
			size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			if (k > n - got)
				return -1;
			memcpy(fds + got, CMSG_DATA(cm), k * sizeof(int));
			got += k;
		}
	}
	return 0;
}

/* A cursor over the payload. */
struct spawn_rd {
	uint8_t *p;
	size_t len, off;
};

/* The next string, NUL-terminated in place (it moves back over its
 * length prefix, which leaves room for the NUL), or NULL; '*none' for
 * SPAWN_NO_NAME. */
static char *rd_str(struct spawn_rd *r, bool *none)
{
	uint32_t n;
	char *s;

	*none = false;
	if (r->len - r->off < sizeof n)
		return NULL;
	memcpy(&n, r->p + r->off, sizeof n);
	if (n == SPAWN_NO_NAME) {
		r->off += sizeof n;
		*none = true;
		return NULL;
	}
	if (r->len - r->off - sizeof n < n)
		return NULL;
	s = (char *)r->p + r->off;
	memmove(s, s + sizeof n, n);
	s[n] = 0;
	r->off += sizeof n + n;
	return s;
}

/* 'n' strings into a new array, or NULL. */
static char **rd_strv(struct spawn_rd *r, int n)
{
	char **v = wx_alloc_array((size_t)n + 1, sizeof *v);
	bool none;

	for (int i = 0; v != NULL && i < n; i++)
		if ((v[i] = rd_str(r, &none)) == NULL)
			return NULL;
	return v;
}

/* Rebuilds the config's pointers from the payload; NULL or why not. */
static const char *helper_decode(struct spawn_rd *r, struct wasmix_config *c,
                                 const int *fds, size_t nfds, const char **name)
{
	size_t k = 0, want = 0;
	bool none;

	if (r->len < sizeof *c)
		return "short message";
	memcpy(c, r->p, sizeof *c);
	r->off = sizeof *c;
	/* Nothing of the embedder's address space is meaningful here. */
	c->interrupt = NULL;
	memset(c->run_output, 0, sizeof c->run_output);
	memset(c->capture, 0, sizeof c->capture);
	if (c->argc < 0 || c->argc > WASI_MAX_ARGS || c->envc < 0 ||
	    c->envc > WASI_MAX_ARGS || c->ndirs < 0 ||
	    c->ndirs > WASI_MAX_ARGS || c->nsocks < 0 ||
	    c->nsocks > WASI_MAX_ARGS || c->ncmds < 0 || c->ncmds > 256)
		return "bad counts";
	for (int i = 0; i < 3; i++)
		want += c->stdio[i] >= 0;
	want += (size_t)c->nsocks + (c->trace_fd >= 0);
	if (want != nfds)
		return "fd count mismatch";
	c->argv = rd_strv(r, c->argc);
	c->envp = rd_strv(r, c->envc);
	c->envcap = c->envc;
	c->dirs = wx_alloc_array((size_t)c->ndirs + 1, sizeof *c->dirs);
	c->cmd_names = wx_alloc_array((size_t)c->ncmds + 1, sizeof(char *));
	c->cmd_files = wx_alloc_array((size_t)c->ncmds + 1, sizeof(char *));
	c->socks = wx_alloc_array((size_t)c->nsocks + 1, sizeof *c->socks);
	if (c->argv == NULL || c->envp == NULL || c->dirs == NULL ||
	    c->cmd_names == NULL || c->cmd_files == NULL || c->socks == NULL)
		return "bad strings or out of memory";
	for (int i = 0; i < c->ndirs; i++) {
		c->dirs[i].host = rd_str(r, &none);
		c->dirs[i].guest = rd_str(r, &none);
		if (c->dirs[i].host == NULL || c->dirs[i].guest == NULL)
			return "bad directory";
	}
	for (int i = 0; i < c->ncmds; i++) {
		c->cmd_names[i] = rd_str(r, &none);
		c->cmd_files[i] = rd_str(r, &none);
		if (c->cmd_names[i] == NULL || c->cmd_files[i] == NULL)
			return "bad command";
	}
	*name = rd_str(r, &none);
	if (*name == NULL && !none)
		return "bad name";
	for (int i = 0; i < 3; i++)
		if (c->stdio[i] >= 0)
			c->stdio[i] = fds[k++];
	for (int i = 0; i < c->nsocks; i++)
		c->socks[i] = fds[k++];
	if (c->trace_fd >= 0)
		c->trace_fd = fds[k++];
	return NULL;
}

void wasmix_helper_main(int fd)
{
	struct wasmix_config c;
	struct spawn_hdr h;
	struct spawn_rd r = {NULL, 0, 0};
	const char *why, *name = NULL;
	int *fds;

#ifdef __linux__
	prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
	if (read_all(fd, &h, sizeof h) != 0)
		helper_fail(fd, "no message from the embedder");
	if (memcmp(h.magic, SPAWN_MAGIC, sizeof h.magic) != 0 ||
	    h.cfg_size != sizeof c ||
	    strncmp(h.version, WASMIX_VERSION, sizeof h.version) != 0)
		helper_fail(fd, "the embedder's library is another version "
		                "(WASMIX_HELPER names a mismatched helper)");
	if (getppid() != (pid_t)h.embedder_pid)
		_exit(1); /* the embedder is gone already */
	if (h.nfds > SPAWN_MAX_FDS || h.payload_len < sizeof c ||
	    h.payload_len > (uint64_t)WASMIX_MAX_MODULE_BYTES + (64u << 20))
		helper_fail(fd, "bad message header");
	fds = wx_alloc_array((size_t)h.nfds + 1, sizeof *fds);
	r.len = (size_t)h.payload_len;
	r.p = wx_malloc(r.len);
	if (fds == NULL || r.p == NULL)
		helper_fail(fd, "out of memory");
	if (recv_fds(fd, fds, h.nfds) != 0)
		helper_fail(fd, "cannot receive the fds");
	if (read_all(fd, r.p, r.len) != 0)
		helper_fail(fd, "short message");
	why = helper_decode(&r, &c, fds, h.nfds, &name);
	if (why != NULL)
		helper_fail(fd, why);
	wasmix_isolate_helper(fd, &c, r.p + r.off, r.len - r.off, name);
}
