/*
 * aot_cache.c: from a module to loaded native code. Emits C (aot_emit.c),
 * runs the system C compiler into a shared object in the cache, loads it
 * with dlopen; and the session that binds loaded code to instances
 * (vm_config.on_instance).
 *
 * The cache (docs/aot.md): $XDG_CACHE_HOME/wasmix, else ~/.cache/wasmix,
 * mode 0700 and owned by the user (else it is not used). An entry is
 * <key>.so where key = SHA-256 of the module's bytes and of a string of
 * everything else the code depends on (wasmix version, ABI version,
 * compiler command, flags, bounds-check mode). Compiles write
 * <key>.<pid>.<n>.tmp and rename it into place, so concurrent compiles of
 * one module are safe (the last rename wins; both files are equal).
 * The cache is capped (WASMIX_CACHE_MAX_MB, default 1024): after a
 * compile, the least recently used entries go until it fits.
 *
 * Keeps true: the compiler runs as a child (posix_spawnp, no shell) with
 * the paths as separate arguments; nothing of the module reaches its
 * command line.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aot/aot_impl.h"
#include "vm/vm_impl.h"
#include "wasmix.h"

extern char **environ;

/* ---- SHA-256 (FIPS 180-4) --------------------------------------------- */

static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

struct sha {
	uint32_t h[8];
	uint8_t buf[64];
	size_t nbuf;
	uint64_t len;
};

static uint32_t ror(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static void sha_block(struct sha *s, const uint8_t *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h;
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 =
		    ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 =
		    ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
	e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) +
		              ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) +
		              ((a & b) ^ (a & c) ^ (b & c));
		h = g, g = f, f = e, e = d + t1;
		d = c, c = b, b = a, a = t1 + t2;
	}
	s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d;
	s->h[4] += e, s->h[5] += f, s->h[6] += g, s->h[7] += h;
}

static void sha_add(struct sha *s, const uint8_t *p, size_t n)
{
	s->len += n;
	while (n > 0) {
		size_t k = 64 - s->nbuf < n ? 64 - s->nbuf : n;
		memcpy(s->buf + s->nbuf, p, k);
		s->nbuf += k, p += k, n -= k;
		if (s->nbuf == 64) {
			sha_block(s, s->buf);
			s->nbuf = 0;
		}
	}
}

void aot_sha256_hex(const void *const *parts, const size_t *lens, size_t n,
                    char hex[65])
{
	struct sha s = {{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19},
	                {0},
	                0,
	                0};
	for (size_t i = 0; i < n; i++)
		sha_add(&s, parts[i], lens[i]);
	uint64_t bits = s.len * 8;
	uint8_t pad = 0x80, zero = 0, lenb[8];
	sha_add(&s, &pad, 1);
	while (s.nbuf != 56)
		sha_add(&s, &zero, 1);
	for (int i = 0; i < 8; i++)
		lenb[i] = (uint8_t)(bits >> (56 - 8 * i));
	sha_add(&s, lenb, 8);
	for (int i = 0; i < 8; i++)
		for (int k = 0; k < 4; k++) {
			static const char dig[] = "0123456789abcdef";
			uint8_t byte = (uint8_t)(s.h[i] >> (24 - 8 * k));
			hex[8 * i + 2 * k] = dig[byte >> 4];
			hex[8 * i + 2 * k + 1] = dig[byte & 15];
		}
	hex[64] = 0;
}

/* ---- compiling ----------------------------------------------------------- */

struct aot_code {
	void *dl;
	const struct aot_module_desc *desc;
	bool checked;
	uint32_t ncompiled;
};

static const char *cc_of(const struct aot_options *o)
{
	const char *cc = o->cc;
	if (cc == NULL)
		cc = getenv("WASMIX_CC");
	return cc != NULL && cc[0] != 0 ? cc : "cc";
}

static const char *opt_of(const struct aot_options *o)
{
	return o->opt_level != NULL ? o->opt_level : "-O2";
}

/* Fixed flags: IEEE semantics (no contraction, no errno calls), no
 * aliasing assumptions between the guest memory and anything else. */
#define AOT_CFLAGS                                                             \
	"-shared", "-fPIC", "-std=gnu11", "-w", "-ffp-contract=off",           \
	    "-fno-math-errno", "-fsignaling-nans", "-fno-strict-aliasing",     \
	    "-fvisibility=hidden"

/* The cache key: everything the shared object depends on. */
static void cache_key(const struct wasm_module *m, const struct aot_options *o,
                      char hex[65])
{
	char extra[512];
	int n = snprintf(extra, sizeof extra,
	                 "wasmix %s abi %d emitter %d cc %s opt %s checked %d "
	                 "fuel %d flags %s",
	                 WASMIX_VERSION, AOT_ABI_VERSION, AOT_EMITTER_REVISION,
	                 cc_of(o), opt_of(o), o->checked ? 1 : 0, o->fuel ? 1 : 0,
	                 "-ffp-contract=off -fno-math-errno -fsignaling-nans "
	                 "-fno-strict-aliasing");
	const char *gen = aot_codegen_id();
	const void *parts[3] = {m->bytes, extra, gen};
	size_t lens[3] = {m->nbytes, (size_t)(n > 0 ? n : 0), strlen(gen)};
	aot_sha256_hex(parts, lens, 3, hex);
}

/* Whether 'cc' names an executable (as posix_spawnp would find it). */
static bool cc_found(const char *cc)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (strchr(cc, '/') != NULL)
		return access(cc, X_OK) == 0;
	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path != 0) {
		size_t n = strcspn(path, ":");
		int k = snprintf(buf, sizeof buf, "%.*s%s%s", (int)n, path,
		                 n ? "/" : "", cc);
		if (k > 0 && (size_t)k < sizeof buf && access(buf, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

/* Runs the compiler: 'src' to shared object 'out'. */
static int run_cc(const struct aot_options *o, const char *src, const char *out,
                  struct diag *diag)
{
	const char *cc = cc_of(o);
	char *argv[] = {(char *)cc,  (char *)opt_of(o), AOT_CFLAGS, "-o",
	                (char *)out, (char *)src,       "-lm",      NULL};
	pid_t pid;
	int st, err;

	err = posix_spawnp(&pid, cc, NULL, NULL, argv, environ);
	if (err == ENOENT)
		return diag_set(diag, WX_EIO, "no C compiler '%s' found", cc);
	if (err != 0)
		return diag_set(diag, WX_EIO, "cannot run '%s': %s", cc,
		                strerror(err));
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return diag_set(diag, WX_EIO, "waitpid: %s",
			                strerror(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return diag_set(
		    diag, WX_EIO, "'%s' failed on the generated C (status %d)",
		    cc, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return WX_OK;
}

/* Emits C for 'm' into 'c_path' and compiles it into 'so_path'. */
static int build(const struct wasm_module *m, const struct aot_options *o,
                 const char *c_path, const char *so_path, struct diag *diag)
{
	uint32_t ncompiled;
	FILE *f = fopen(c_path, "w");
	int rc;

	if (f == NULL)
		return diag_set(diag, WX_EIO, "%s: %s", c_path,
		                strerror(errno));
	rc = aot_emit_c(m, o, f, &ncompiled, diag);
	if (fclose(f) != 0 && rc == WX_OK)
		rc = diag_set(diag, WX_EIO, "%s: %s", c_path, strerror(errno));
	if (rc == WX_OK)
		rc = run_cc(o, c_path, so_path, diag);
	if (getenv("WASMIX_AOT_KEEP_C") == NULL)
		unlink(c_path);
	return rc;
}

int aot_compile_to(const struct wasm_module *m, const struct aot_options *o,
                   const char *path, struct diag *diag)
{
	char c_path[4096];
	if (snprintf(c_path, sizeof c_path, "%s.%ld.c", path, (long)getpid()) >=
	    (int)sizeof c_path)
		return diag_set(diag, WX_EARG, "path too long");
	return build(m, o, c_path, path, diag);
}

/* The cache directory (created 0700), or an error: then no cache. */
static int cache_dir(const struct aot_options *o, char *buf, size_t cap,
                     bool make, struct diag *diag)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	struct stat st;
	int n;

	if (o->cache_dir != NULL)
		n = snprintf(buf, cap, "%s", o->cache_dir);
	else if (xdg != NULL && xdg[0] == '/')
		n = snprintf(buf, cap, "%s/wasmix", xdg);
	else if (home != NULL && home[0] == '/')
		n = snprintf(buf, cap, "%s/.cache/wasmix", home);
	else
		return diag_set(diag, WX_EARG, "no cache directory (no HOME)");
	if (n < 0 || (size_t)n >= cap)
		return diag_set(diag, WX_EARG, "cache path too long");
	/* The parent (~/.cache) may be missing: one level is made too. */
	if (make && mkdir(buf, 0700) != 0 && errno == ENOENT) {
		char *slash = strrchr(buf, '/');
		if (slash != NULL && slash != buf) {
			*slash = 0;
			mkdir(buf, 0700);
			*slash = '/';
		}
		mkdir(buf, 0700);
	}
	if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
		return diag_set(diag, WX_EIO, "%s: %s", buf,
		                make ? "cannot make the cache" : "no cache");
	if (st.st_uid != geteuid() || (st.st_mode & 022) != 0)
		return diag_set(diag, WX_EIO,
		                "%s: not private to this user; not used", buf);
	return WX_OK;
}

/* Removes least recently used entries until the cache fits its cap. */
static void cache_trim(const char *dir)
{
	const char *cap_s = getenv("WASMIX_CACHE_MAX_MB");
	uint64_t cap = (uint64_t)(cap_s ? strtoull(cap_s, NULL, 10) : 1024)
	               << 20;
	for (int round = 0; round < 64; round++) {
		DIR *d = opendir(dir);
		struct dirent *de;
		uint64_t total = 0;
		char oldest[300] = "";
		time_t oldest_t = 0;
		if (d == NULL)
			return;
		while ((de = readdir(d)) != NULL) {
			struct stat st;
			size_t len = strlen(de->d_name);
			if (len < 4 ||
			    strcmp(de->d_name + len - 3, ".so") != 0 ||
			    len >= sizeof oldest)
				continue;
			if (fstatat(dirfd(d), de->d_name, &st, 0) != 0)
				continue;
			total += (uint64_t)st.st_size;
			time_t t = st.st_atime > st.st_mtime ? st.st_atime
			                                     : st.st_mtime;
			if (oldest[0] == 0 || t < oldest_t) {
				oldest_t = t;
				memcpy(oldest, de->d_name, len + 1);
			}
		}
		if (total <= cap || oldest[0] == 0) {
			closedir(d);
			return;
		}
		unlinkat(dirfd(d), oldest, 0);
		closedir(d);
	}
}

static int open_so(const char *path, const struct wasm_module *m, bool checked,
                   struct aot_code **out, struct diag *diag)
{
	struct aot_code *c = wx_calloc(1, sizeof *c);
	if (c == NULL)
		return diag_set(diag, WX_ENOMEM, "out of memory");
	c->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (c->dl == NULL) {
		const char *e = dlerror();
		wx_free(c);
		return diag_set(diag, WX_EIO, "dlopen: %s", e ? e : "failed");
	}
	c->desc = dlsym(c->dl, "wasmix_aot_module");
	if (c->desc == NULL || c->desc->abi_version != AOT_ABI_VERSION ||
	    c->desc->nfuncs != m->nfuncs) {
		dlclose(c->dl);
		wx_free(c);
		return diag_set(diag, WX_EIO, "%s: not code of this module",
		                path);
	}
	c->checked = checked;
	(void)checked;
	for (uint32_t k = 0; k < m->nfuncs; k++)
		c->ncompiled += c->desc->fns[k] != NULL;
	*out = c;
	return WX_OK;
}

/* A marker older than this is left by a compile that died: ignored. */
#define AOT_MARK_STALE_S 3600

/*
 * Claims the background compile of 'key': creates 'dir'/'key'.compiling
 * (O_EXCL). False if another process is compiling it now.
 */
static bool claim_compile(const char *dir, const char *key)
{
	char mark[4200];
	struct stat st;

	snprintf(mark, sizeof mark, "%s/%s.compiling", dir, key);
	for (int tries = 0; tries < 2; tries++) {
		int fd =
		    open(mark, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			close(fd);
			return true;
		}
		if (errno != EEXIST || stat(mark, &st) != 0 ||
		    time(NULL) - st.st_mtime < AOT_MARK_STALE_S)
			return false;
		unlink(mark); /* stale: its compiler is gone */
	}
	return false;
}

/* The detached compiler's body (never returns). */
__attribute__((noreturn)) static void
background_child(const struct wasm_module *m, const struct aot_options *o,
                 const char *dir, const char *key, int done_fd)
{
	char tmp[4300], csrc[4300], so[4200], mark[4200];
	struct diag d = {0};
	int fd = open("/dev/null", O_RDWR);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	char ok = '0';

	/* Waiters (tests, scripts) take an exclusive lock on the directory:
	 * `flock -x DIR true` returns when no compile is running. */
	if (dfd >= 0)
		flock(dfd, LOCK_SH);
	setsid(); /* the run's Ctrl-C does not cut the compile short */
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	/* Nothing of the run (listening sockets, the trace file) stays open
	 * while it compiles. */
	for (int k = 3; k < 4096; k++)
		if (k != done_fd && k != dfd)
			close(k);
	if (nice(10) < 0)
		(void)0;
	snprintf(so, sizeof so, "%s/%s.so", dir, key);
	snprintf(mark, sizeof mark, "%s/%s.compiling", dir, key);
	snprintf(tmp, sizeof tmp, "%s/%s.%ld.bg.tmp", dir, key, (long)getpid());
	snprintf(csrc, sizeof csrc, "%s/%s.%ld.bg.c", dir, key, (long)getpid());
	if (build(m, o, csrc, tmp, &d) == WX_OK && rename(tmp, so) == 0) {
		ok = '1';
		cache_trim(dir);
	}
	unlink(tmp);
	unlink(mark);
	if (done_fd >= 0 && write(done_fd, &ok, 1) < 0)
		(void)0;
	_exit(0);
}

/*
 * Compiles 'm' into the cache entry 'dir'/'key'.so in a detached process
 * (forked twice, so nothing waits for it and no zombie stays; reparented
 * to init, its own session), with its output to /dev/null and a lower
 * priority, unless another process compiles it already. With 'done_fd',
 * '*done_fd' becomes the read end of a pipe that gets one byte when the
 * compile ends ('1': the entry is there), else -1. Returns WX_ELIMIT with
 * the reason, or WX_EIO if it could not start.
 */
static int compile_in_background(const struct wasm_module *m,
                                 const struct aot_options *o, const char *dir,
                                 const char *key, int *done_fd,
                                 struct diag *diag)
{
	int p[2] = {-1, -1}, st;
	pid_t pid;

	if (done_fd != NULL)
		*done_fd = -1;
	if (!claim_compile(dir, key))
		return diag_set(diag, WX_ELIMIT,
		                "not in the cache; another process is "
		                "compiling it; this run interprets");
	if (done_fd != NULL && pipe2(p, O_CLOEXEC) != 0)
		p[0] = p[1] = -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		char mark[4200];
		snprintf(mark, sizeof mark, "%s/%s.compiling", dir, key);
		unlink(mark);
		if (p[0] >= 0) {
			close(p[0]);
			close(p[1]);
		}
		return diag_set(diag, WX_EIO, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		if (fork() == 0)
			background_child(m, o, dir, key, p[1]);
		_exit(0);
	}
	if (p[1] >= 0)
		close(p[1]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (done_fd != NULL)
		*done_fd = p[0];
	return diag_set(diag, WX_ELIMIT,
	                "not in the cache; compiling %zu bytes in the "
	                "background; this run interprets",
	                m->nbytes);
}

/* aot_load; a background compile's pipe goes to '*done_fd' (or -1). */
static int load_entry(const struct wasm_module *m, const struct aot_options *o,
                      struct aot_code **out, int *done_fd, struct diag *diag)
{
	static unsigned seq;
	char dir[4096], key[65], so[4200], tmp[4300], csrc[4300];
	const char *why = aot_module_unsupported(m);
	bool cached = !o->no_cache;
	int rc;

	*out = NULL;
	if (done_fd != NULL)
		*done_fd = -1;
	if (why != NULL)
		return diag_set(diag, WX_EARG, "not compiled: %s", why);
	cache_key(m, o, key);
	if (cached &&
	    cache_dir(o, dir, sizeof dir, !o->lookup_only, diag) != WX_OK)
		cached = false;
	if (!cached && o->lookup_only)
		return diag_set(diag, WX_ELIMIT, "no cache to look in");
	if (!cached) {
		const char *t = getenv("TMPDIR");
		if (!cc_found(cc_of(o))) /* before the directory is made */
			return diag_set(diag, WX_EIO,
			                "no C compiler '%s' found", cc_of(o));
		snprintf(dir, sizeof dir, "%s/wasmix-aot-XXXXXX",
		         t && t[0] == '/' ? t : "/tmp");
		if (mkdtemp(dir) == NULL)
			return diag_set(diag, WX_EIO, "mkdtemp: %s",
			                strerror(errno));
	}
	snprintf(so, sizeof so, "%s/%s.so", dir, key);
	if (cached && access(so, R_OK) == 0) {
		rc = open_so(so, m, o->checked, out, diag);
		if (rc == WX_OK) {
			utimensat(AT_FDCWD, so, NULL, 0); /* recently used */
			return rc;
		}
		if (!o->lookup_only)
			unlink(so); /* damaged: made again below */
	}
	if (o->lookup_only)
		return diag_set(diag, WX_ELIMIT,
		                "not in the cache (this process cannot run "
		                "the compiler)");
	if (!cc_found(cc_of(o)))
		return diag_set(diag, WX_EIO, "no C compiler '%s' found",
		                cc_of(o));
	if (cached && o->background_bytes != 0 &&
	    m->nbytes >= o->background_bytes)
		return compile_in_background(m, o, dir, key, done_fd, diag);
	unsigned n = __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED);
	snprintf(tmp, sizeof tmp, "%s/%s.%ld.%u.tmp", dir, key, (long)getpid(),
	         n);
	snprintf(csrc, sizeof csrc, "%s/%s.%ld.%u.c", dir, key, (long)getpid(),
	         n);
	rc = build(m, o, csrc, tmp, diag);
	if (rc == WX_OK && rename(tmp, so) != 0)
		rc = diag_set(diag, WX_EIO, "%s: %s", so, strerror(errno));
	unlink(tmp);
	if (rc == WX_OK)
		rc = open_so(so, m, o->checked, out, diag);
	if (!cached) {
		unlink(so);
		rmdir(dir);
	} else if (rc == WX_OK) {
		cache_trim(dir);
	}
	return rc;
}

int aot_load(const struct wasm_module *m, const struct aot_options *o,
             struct aot_code **out, struct diag *diag)
{
	return load_entry(m, o, out, NULL, diag);
}

int aot_cache_path(const struct aot_options *o, char *buf, size_t cap)
{
	struct diag d = {0};
	if (o->no_cache)
		return WX_EARG;
	return cache_dir(o, buf, cap, false, &d);
}

uint32_t aot_code_ncompiled(const struct aot_code *c)
{
	return c->ncompiled;
}

void aot_code_free(struct aot_code *c)
{
	if (c == NULL)
		return;
	dlclose(c->dl);
	wx_free(c);
}

int aot_bind(struct aot_code *c, struct vm_instance *inst, struct diag *diag)
{
	const struct wasm_module *m = vm_instance_module(inst);
	struct aot_inst *ai =
	    wx_calloc(1, sizeof *ai + (size_t)m->nglobals * sizeof ai->g[0]);
	int rc;
	if (ai == NULL)
		return diag_set(diag, WX_ENOMEM, "out of memory");
	rc = aot_bind_desc(c->desc, ai, inst, false, diag);
	if (rc != WX_OK) {
		wx_free(ai);
		return rc;
	}
	/* Lives with the instance: freed by the session (see below). */
	inst->aot = ai;
	return WX_OK;
}

void *aot_bind_state(const struct vm_instance *inst)
{
	return inst->aot;
}

/* ---- session --------------------------------------------------------------
 */

struct aot_entry_mod {
	char key[65];          /* cache_key of the module */
	struct aot_code *code; /* NULL: interpreted */
	/* A background compile of it whose end this run waits for (the
	 * switch-over), or -1: the pipe's read end (compile_in_background). */
	int done_fd;
};

struct aot_session {
	struct aot_options o;
	bool on_demand;
	struct aot_entry_mod *mods;
	size_t nmods, cap;
	struct aot_inst **insts;
	size_t ninsts, capinsts;
	uint64_t native_funcs, interp_instances;
	/* The module of the last aot_session_prepare and its entry (-1:
	 * none, interpreted), so that its instantiation, which follows at
	 * once, and an exec of the same program do not hash it again. Set
	 * by every prepare: the module is alive until the next one. */
	const struct wasm_module *last;
	long last_entry;
};

struct aot_session *aot_session_new(const struct aot_options *o,
                                    bool compile_on_demand)
{
	struct aot_session *s = wx_calloc(1, sizeof *s);
	if (s == NULL)
		return NULL;
	s->o = *o;
	s->on_demand = compile_on_demand;
	s->last_entry = -1;
	return s;
}

/* Modules are found by content, never by address: a module freed and
 * another decoded at the same address must not get the old code. */
static struct aot_entry_mod *find_mod(struct aot_session *s,
                                      const struct wasm_module *m)
{
	char key[65];
	if (m == s->last && !s->on_demand)
		return s->last_entry >= 0 ? &s->mods[s->last_entry] : NULL;
	if (aot_module_unsupported(m) != NULL)
		return NULL; /* never an entry: no need to hash */
	cache_key(m, &s->o, key);
	for (size_t i = 0; i < s->nmods; i++)
		if (strcmp(s->mods[i].key, key) == 0)
			return &s->mods[i];
	return NULL;
}

int aot_session_prepare(struct aot_session *s, const struct wasm_module *m)
{
	struct diag d = {0};
	struct aot_code *code = NULL;
	struct aot_entry_mod *e;
	const char *why = aot_module_unsupported(m);
	int done_fd = -1;

	if (m == s->last && !s->on_demand)
		return WX_OK;
	s->last = NULL; /* the previous module may be gone */
	if (why != NULL) {
		if (s->o.verbose)
			fprintf(stderr,
			        "wasmix: interpreting: not compiled: %s\n",
			        why);
		s->last = m;
		s->last_entry = -1;
		return WX_OK;
	}
	e = find_mod(s, m);
	if (e != NULL) {
		s->last = m;
		s->last_entry = e - s->mods;
		return WX_OK;
	}
	if (s->nmods == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct aot_entry_mod *v = wx_realloc(s->mods, cap * sizeof *v);
		if (v == NULL)
			return WX_ENOMEM;
		s->mods = v;
		s->cap = cap;
	}
	if (load_entry(m, &s->o, &code, &done_fd, &d) != WX_OK) {
		if (s->o.verbose)
			fprintf(stderr, "wasmix: interpreting: %s\n", d.msg);
		code = NULL;
	} else if (s->o.verbose) {
		fprintf(stderr,
		        "wasmix: compiled: %u of %u functions run natively\n",
		        code->ncompiled, m->nfuncs - m->num_imported_funcs);
	}
	cache_key(m, &s->o, s->mods[s->nmods].key);
	s->mods[s->nmods].code = code;
	s->mods[s->nmods].done_fd = done_fd;
	s->last = m;
	s->last_entry = (long)s->nmods;
	s->nmods++;
	return WX_OK;
}

void aot_session_forget(struct aot_session *s, const struct wasm_module *m)
{
	if (s != NULL && s->last == m)
		s->last = NULL;
}

void aot_session_lookup_only(struct aot_session *s)
{
	s->o.lookup_only = true;
}

int aot_session_pending_fd(const struct aot_session *s)
{
	for (size_t i = 0; s != NULL && i < s->nmods; i++)
		if (s->mods[i].done_fd >= 0)
			return s->mods[i].done_fd;
	return -1;
}

/* The switch-over for entry 'e' and the running instance 'inst'. */
static int switch_entry(struct aot_session *s, struct aot_entry_mod *e,
                        struct vm_instance *inst)
{
	char dir[4096], so[4200], done = '0';
	struct diag d = {0};
	struct aot_code *code = NULL;
	struct aot_inst *ai;
	int rc;

	if (read(e->done_fd, &done, 1) < 0 && errno == EAGAIN)
		return WX_OK; /* not yet */
	close(e->done_fd);
	e->done_fd = -1;
	if (done != '1')
		return diag_set(&d, WX_EIO, "the background compile failed");
	if (cache_dir(&s->o, dir, sizeof dir, false, &d) != WX_OK)
		return WX_EIO;
	snprintf(so, sizeof so, "%s/%s.so", dir, e->key);
	rc = open_so(so, inst->module, s->o.checked, &code, &d);
	if (rc != WX_OK) {
		if (s->o.verbose)
			fprintf(stderr, "wasmix: interpreting: %s\n", d.msg);
		return rc;
	}
	e->code = code;
	if (inst->aot != NULL || inst->module->nfuncs != code->desc->nfuncs)
		return WX_OK;
	if (s->ninsts == s->capinsts) {
		size_t cap = s->capinsts ? s->capinsts * 2 : 8;
		struct aot_inst **v = wx_realloc(s->insts, cap * sizeof *v);
		if (v == NULL)
			return WX_ENOMEM;
		s->insts = v;
		s->capinsts = cap;
	}
	ai = wx_calloc(1, sizeof *ai +
	                      (size_t)inst->module->nglobals * sizeof ai->g[0]);
	if (ai == NULL)
		return WX_ENOMEM;
	rc = aot_bind_desc(code->desc, ai, inst, true, &d);
	if (rc != WX_OK) {
		wx_free(ai);
		if (s->o.verbose)
			fprintf(stderr, "wasmix: interpreting: %s\n", d.msg);
		return rc;
	}
	inst->aot = ai;
	s->insts[s->ninsts++] = ai;
	s->native_funcs += code->ncompiled;
	if (s->o.verbose)
		fprintf(stderr,
		        "wasmix: compiled: switched over: %u functions run "
		        "natively from now on\n",
		        code->ncompiled);
	return WX_OK;
}

int aot_session_switch(struct aot_session *s, struct vm_instance *inst)
{
	char key[65];
	int rc = WX_OK;

	if (s == NULL || inst == NULL)
		return WX_OK;
	cache_key(inst->module, &s->o, key);
	for (size_t i = 0; i < s->nmods; i++) {
		struct aot_entry_mod *e = &s->mods[i];
		if (e->done_fd < 0)
			continue;
		int fl = fcntl(e->done_fd, F_GETFL);
		if (fl >= 0 && !(fl & O_NONBLOCK))
			fcntl(e->done_fd, F_SETFL, fl | O_NONBLOCK);
		if (strcmp(e->key, key) != 0) {
			/* Not the running program's (an exec replaced it):
			 * the next run finds the entry. */
			close(e->done_fd);
			e->done_fd = -1;
			continue;
		}
		rc = switch_entry(s, e, inst);
	}
	return rc == WX_ENOMEM ? rc : WX_OK;
}

int aot_on_instance(void *ud, struct vm_instance *inst, struct diag *diag)
{
	struct aot_session *s = ud;
	struct aot_entry_mod *e = find_mod(s, inst->module);
	struct diag d = {0};
	int rc;

	(void)diag;
	if (e == NULL && s->on_demand) {
		if (aot_session_prepare(s, inst->module) != WX_OK)
			return diag_set(diag, WX_ENOMEM, "out of memory");
		e = find_mod(s, inst->module);
	}
	if (e == NULL || e->code == NULL) {
		s->interp_instances++;
		return WX_OK;
	}
	if (s->ninsts == s->capinsts) {
		size_t cap = s->capinsts ? s->capinsts * 2 : 8;
		struct aot_inst **v = wx_realloc(s->insts, cap * sizeof *v);
		if (v == NULL)
			return diag_set(diag, WX_ENOMEM, "out of memory");
		s->insts = v;
		s->capinsts = cap;
	}
	rc = aot_bind(e->code, inst, &d);
	if (rc == WX_ENOMEM)
		return diag_set(diag, rc, "out of memory");
	if (rc != WX_OK) {
		if (s->o.verbose)
			fprintf(stderr, "wasmix: interpreting: %s\n", d.msg);
		s->interp_instances++;
		return WX_OK;
	}
	s->insts[s->ninsts++] = inst->aot;
	s->native_funcs += e->code->ncompiled;
	return WX_OK;
}

void aot_session_counts(const struct aot_session *s, uint64_t *native_funcs,
                        uint64_t *interp_instances)
{
	*native_funcs = s->native_funcs;
	*interp_instances = s->interp_instances;
}

void aot_session_free(struct aot_session *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->ninsts; i++)
		wx_free(s->insts[i]);
	for (size_t i = 0; i < s->nmods; i++) {
		aot_code_free(s->mods[i].code);
		if (s->mods[i].done_fd >= 0)
			close(s->mods[i].done_fd);
	}
	wx_free(s->insts);
	wx_free(s->mods);
	wx_free(s);
}
