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

/* A ThreadSanitizer build of wasmix instruments the generated code too:
 * guest threads synchronise through its atomics, which TSan must see (or
 * every guest lock looks like no lock to it). */
#if defined(__SANITIZE_THREAD__)
#define AOT_SAN_CFLAGS , "-fsanitize=thread"
#define AOT_SAN_KEY    " -fsanitize=thread"
#else
#define AOT_SAN_CFLAGS
#define AOT_SAN_KEY ""
#endif

/* Fixed flags: IEEE semantics (no contraction, no errno calls), no
 * aliasing assumptions between the guest memory and anything else. */
#define AOT_CFLAGS                                                             \
	"-shared", "-fPIC", "-std=gnu11", "-w", "-ffp-contract=off",           \
	    "-fno-math-errno", "-fsignaling-nans", "-fno-strict-aliasing",     \
	    "-fvisibility=hidden" AOT_SAN_CFLAGS

/* The cache key: everything the shared object depends on. */
static void cache_key(const struct wasm_module *m, const struct aot_options *o,
                      char hex[65])
{
	char extra[512];
	int n =
	    snprintf(extra, sizeof extra,
	             "wasmix %s abi %d emitter %d cc %s opt %s checked %d "
	             "fuel %d flags %s",
	             WASMIX_VERSION, AOT_ABI_VERSION, AOT_EMITTER_REVISION,
	             cc_of(o), opt_of(o), o->checked ? 1 : 0, o->fuel ? 1 : 0,
	             "-ffp-contract=off -fno-math-errno -fsignaling-nans "
	             "-fno-strict-aliasing" AOT_SAN_KEY);
	const char *gen = aot_codegen_id();
	const void *parts[3] = {m->bytes, extra, gen};
	size_t lens[3] = {m->nbytes, (size_t)(n > 0 ? n : 0), strlen(gen)};
	aot_sha256_hex(parts, lens, 3, hex);
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
                     struct diag *diag)
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
	if (mkdir(buf, 0700) != 0 && errno == ENOENT) {
		char *slash = strrchr(buf, '/');
		if (slash != NULL && slash != buf) {
			*slash = 0;
			mkdir(buf, 0700);
			*slash = '/';
		}
		mkdir(buf, 0700);
	}
	if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
		return diag_set(diag, WX_EIO, "%s: cannot make the cache", buf);
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

/*
 * Compiles 'm' into the cache entry 'dir'/'key'.so in a detached process
 * (forked twice, so nothing waits for it and no zombie stays; reparented
 * to init), with its output to /dev/null and a lower priority. Returns
 * WX_ELIMIT with the reason, or WX_EIO if it could not start.
 */
static int compile_in_background(const struct wasm_module *m,
                                 const struct aot_options *o, const char *dir,
                                 const char *key, struct diag *diag)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return diag_set(diag, WX_EIO, "fork: %s", strerror(errno));
	if (pid == 0) {
		if (fork() == 0) {
			char tmp[4300], csrc[4300], so[4200];
			struct diag d = {0};
			int fd = open("/dev/null", O_RDWR);
			if (fd >= 0) {
				dup2(fd, 0);
				dup2(fd, 1);
				dup2(fd, 2);
			}
			/* Nothing of the run (listening sockets, the trace
			 * file) stays open while it compiles. */
			for (int k = 3; k < 4096; k++)
				close(k);
			if (nice(10) < 0)
				(void)0;
			snprintf(so, sizeof so, "%s/%s.so", dir, key);
			snprintf(tmp, sizeof tmp, "%s/%s.%ld.bg.tmp", dir, key,
			         (long)getpid());
			snprintf(csrc, sizeof csrc, "%s/%s.%ld.bg.c", dir, key,
			         (long)getpid());
			if (build(m, o, csrc, tmp, &d) == WX_OK &&
			    rename(tmp, so) == 0)
				cache_trim(dir);
			unlink(tmp);
			_exit(0);
		}
		_exit(0);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return diag_set(diag, WX_ELIMIT,
	                "compiling %zu bytes in the background; this run "
	                "interprets",
	                m->nbytes);
}

int aot_load(const struct wasm_module *m, const struct aot_options *o,
             struct aot_code **out, struct diag *diag)
{
	static unsigned seq;
	char dir[4096], key[65], so[4200], tmp[4300], csrc[4300];
	const char *why = aot_module_unsupported(m);
	bool cached = !o->no_cache;
	int rc;

	*out = NULL;
	if (why != NULL)
		return diag_set(diag, WX_EARG, "not compiled: %s", why);
	cache_key(m, o, key);
	if (cached && cache_dir(o, dir, sizeof dir, diag) != WX_OK)
		cached = false;
	if (!cached) {
		const char *t = getenv("TMPDIR");
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
		unlink(so); /* damaged: made again below */
	}
	if (cached && o->background_bytes != 0 &&
	    m->nbytes >= o->background_bytes)
		return compile_in_background(m, o, dir, key, diag);
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
	rc = aot_bind_desc(c->desc, ai, inst, diag);
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
};

struct aot_session {
	struct aot_options o;
	bool on_demand;
	struct aot_entry_mod *mods;
	size_t nmods, cap;
	struct aot_inst **insts;
	size_t ninsts, capinsts;
	uint64_t native_funcs, interp_instances;
};

struct aot_session *aot_session_new(const struct aot_options *o,
                                    bool compile_on_demand)
{
	struct aot_session *s = wx_calloc(1, sizeof *s);
	if (s == NULL)
		return NULL;
	s->o = *o;
	s->on_demand = compile_on_demand;
	return s;
}

/* Modules are found by content (their cache key), never by address: a
 * module freed and another decoded at the same address must not get the
 * old code. Under vm_lock; the key is hashed before taking it. */
static struct aot_entry_mod *find_mod(struct aot_session *s, const char key[65])
{
	for (size_t i = 0; i < s->nmods; i++)
		if (strcmp(s->mods[i].key, key) == 0)
			return &s->mods[i];
	return NULL;
}

/* Whether the session has an entry of key 'key'. */
static bool has_mod(struct aot_session *s, const char key[65])
{
	vm_lock();
	bool have = find_mod(s, key) != NULL;
	vm_unlock();
	return have;
}

/*
 * THREADS: the session's lists change under vm_lock (guest threads
 * instantiate concurrently), which a fork never leaves held. A compile
 * runs without it: it may take minutes, and a background compile forks
 * (vm_lock's fork hook would wait for this thread).
 */
int aot_session_prepare(struct aot_session *s, const struct wasm_module *m)
{
	struct diag d = {0};
	struct aot_code *code = NULL;
	char key[65];
	int rc = WX_OK;

	cache_key(m, &s->o, key);
	if (has_mod(s, key))
		return WX_OK;
	/* Before the process confines itself: finding the main thread's
	 * stack reads /proc/self/maps. */
	aot_thread_stack_init();
	if (aot_load(m, &s->o, &code, &d) != WX_OK) {
		if (s->o.verbose)
			fprintf(stderr, "wasmix: interpreting: %s\n", d.msg);
		code = NULL;
	}
	vm_lock();
	if (find_mod(s, key) != NULL) { /* another thread was first */
		vm_unlock();
		aot_code_free(code);
		return WX_OK;
	}
	if (s->nmods == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct aot_entry_mod *v = wx_realloc(s->mods, cap * sizeof *v);
		if (v == NULL) {
			rc = WX_ENOMEM;
		} else {
			s->mods = v;
			s->cap = cap;
		}
	}
	if (rc == WX_OK) {
		memcpy(s->mods[s->nmods].key, key, sizeof key);
		s->mods[s->nmods].code = code;
		s->nmods++;
	}
	vm_unlock();
	if (rc != WX_OK)
		aot_code_free(code);
	return rc;
}

static int on_instance_locked(struct aot_session *s, struct vm_instance *inst,
                              const char key[65], struct diag *diag);

int aot_on_instance(void *ud, struct vm_instance *inst, struct diag *diag)
{
	struct aot_session *s = ud;
	char key[65];

	if (s->on_demand && aot_session_prepare(s, inst->module) != WX_OK)
		return diag_set(diag, WX_ENOMEM, "out of memory");
	cache_key(inst->module, &s->o, key);
	vm_lock();
	int rc = on_instance_locked(s, inst, key, diag);
	vm_unlock();
	return rc;
}

static int on_instance_locked(struct aot_session *s, struct vm_instance *inst,
                              const char key[65], struct diag *diag)
{
	struct aot_entry_mod *e = find_mod(s, key);
	struct diag d = {0};
	int rc;

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
		aot_bind_free(s->insts[i]);
	for (size_t i = 0; i < s->nmods; i++)
		aot_code_free(s->mods[i].code);
	wx_free(s->insts);
	wx_free(s->mods);
	wx_free(s);
}
