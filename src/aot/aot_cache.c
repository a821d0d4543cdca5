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
 * compiler command and the identity of the file it runs, flags,
 * bounds-check and fuel modes, the number of C files). Compiles write
 * their C and objects under <key>.<pid>.<n>.* and the result to
 * <key>.<pid>.<n>.tmp, and rename that into place, so concurrent compiles
 * of one module are safe (the last rename wins; both files are equal).
 * A large module is several C files compiled by parallel compilers
 * (worker threads, each waiting for its own child) and linked into one
 * shared object.
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
#include <link.h>
#include <pthread.h>
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

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>

/*
 * The same compression with the x86 SHA extensions (SHA-NI: every x86-64
 * CPU made since about 2017-2019 has them), chosen at run time: a cached
 * start and every exec hash the whole module, and this is several times
 * faster (a 548 KB busybox: about 2.5 ms in sha_block). State words are
 * kept as ABEF and CDGH, as sha256rnds2 wants them; four message words
 * per group, the schedule by sha256msg1/msg2 (FIPS 180-4, 6.2.2).
 */
__attribute__((target("sha,sse4.1"))) static void sha_block_ni(struct sha *s,
                                                               const uint8_t *p)
{
	const __m128i bswap =
	    _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i t = _mm_loadu_si128((const __m128i *)(const void *)&s->h[0]);
	__m128i st1 = _mm_loadu_si128((const __m128i *)(const void *)&s->h[4]);
	t = _mm_shuffle_epi32(t, 0xB1);           /* CDAB */
	st1 = _mm_shuffle_epi32(st1, 0x1B);       /* EFGH */
	__m128i st0 = _mm_alignr_epi8(t, st1, 8); /* ABEF */
	st1 = _mm_blend_epi16(st1, t, 0xF0);      /* CDGH */
	const __m128i abef = st0, cdgh = st1;
	__m128i w[4];

	for (int g = 0; g < 16; g++) {
		__m128i m;
		if (g < 4) {
			m = _mm_loadu_si128(
			    (const __m128i *)(const void *)(p + 16 * g));
			w[g] = _mm_shuffle_epi8(m, bswap);
		} else {
			/* W[t] = W[t-16] + s0(W[t-15]) + W[t-7] + s1(W[t-2]) */
			m = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);
			m = _mm_add_epi32(
			    m,
			    _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));
			w[g & 3] = _mm_sha256msg2_epu32(m, w[(g + 3) & 3]);
		}
		m = _mm_add_epi32(
		    w[g & 3], _mm_loadu_si128((
		                  const __m128i *)(const void *)&sha_k[4 * g]));
		st1 = _mm_sha256rnds2_epu32(st1, st0, m);
		m = _mm_shuffle_epi32(m, 0x0E);
		st0 = _mm_sha256rnds2_epu32(st0, st1, m);
	}
	st0 = _mm_add_epi32(st0, abef);
	st1 = _mm_add_epi32(st1, cdgh);
	t = _mm_shuffle_epi32(st0, 0x1B);    /* FEBA */
	st1 = _mm_shuffle_epi32(st1, 0xB1);  /* DCHG */
	st0 = _mm_blend_epi16(t, st1, 0xF0); /* DCBA */
	st1 = _mm_alignr_epi8(st1, t, 8);    /* HGFE */
	_mm_storeu_si128((__m128i *)(void *)&s->h[0], st0);
	_mm_storeu_si128((__m128i *)(void *)&s->h[4], st1);
}

static bool sha_ni_usable(void)
{
	unsigned a, b, c, d;
	if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0 || !(b & (1u << 29)))
		return false;
	if (__get_cpuid(1, &a, &b, &c, &d) == 0)
		return false;
	return (c & bit_SSE4_1) && (c & bit_SSSE3);
}
#endif

/* 0: not chosen yet, 1: portable, 2: SHA-NI (aot_sha256_set_isa). */
static int sha_isa;

static void sha_compress(struct sha *s, const uint8_t *p)
{
	int isa = __atomic_load_n(&sha_isa, __ATOMIC_RELAXED);
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	if (isa == 0) {
		isa = sha_ni_usable() ? 2 : 1;
		__atomic_store_n(&sha_isa, isa, __ATOMIC_RELAXED);
	}
	if (isa == 2) {
		sha_block_ni(s, p);
		return;
	}
#endif
	(void)isa;
	sha_block(s, p);
}

int aot_sha256_set_isa(int isa)
{
	int usable = 1;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	if (sha_ni_usable())
		usable = 2;
#endif
	if (isa == 0 || isa > usable)
		isa = usable;
	__atomic_store_n(&sha_isa, isa, __ATOMIC_RELAXED);
	return isa;
}

static void sha_add(struct sha *s, const uint8_t *p, size_t n)
{
	s->len += n;
	/* Whole blocks straight from the input (a module is hashed on
	 * every cached start: this is most of the time it takes). */
	while (s->nbuf == 0 && n >= 64) {
		sha_compress(s, p);
		p += 64, n -= 64;
	}
	while (n > 0) {
		size_t k = 64 - s->nbuf < n ? 64 - s->nbuf : n;
		memcpy(s->buf + s->nbuf, p, k);
		s->nbuf += k, p += k, n -= k;
		if (s->nbuf == 64) {
			sha_compress(s, s->buf);
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
	uintptr_t text_lo, text_hi; /* registered (aot_text_register) */
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

/* Wasm code bytes per C file (aot_options.split_bytes); 0: one file. */
static uint64_t split_of(const struct aot_options *o)
{
	const char *e = getenv("WASMIX_AOT_SPLIT_BYTES");
	if (o->split_bytes != 0)
		return o->split_bytes == UINT64_MAX ? 0 : o->split_bytes;
	if (e != NULL && e[0] != 0)
		return strtoull(e, NULL, 10);
	return (uint64_t)128 << 10;
}

/* Most compilers one compile runs at once by default. */
#define AOT_MAX_JOBS 8

static unsigned jobs_of(const struct aot_options *o)
{
	const char *e = getenv("WASMIX_AOT_JOBS");
	long n = o->jobs;
	if (n == 0 && e != NULL && e[0] != 0)
		n = strtol(e, NULL, 10);
	if (n <= 0) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		if (n > AOT_MAX_JOBS)
			n = AOT_MAX_JOBS;
	}
	return n < 1 ? 1 : n > 256 ? 256 : (unsigned)n;
}

/*
 * The compiler's identity for the cache key: the file 'cc' names (found
 * in PATH as posix_spawnp finds it, symbolic links resolved), its size
 * and modification time. An upgrade of the compiler replaces that file,
 * so code compiled by the old one is not reused. Some stat calls, no
 * process: every cache lookup computes it.
 */
static void cc_identity(const char *cc, char *buf, size_t cap)
{
	char cand[4096], real[4096];
	const char *path = getenv("PATH");
	struct stat st;

	snprintf(buf, cap, "missing");
	if (strchr(cc, '/') != NULL) {
		snprintf(cand, sizeof cand, "%s", cc);
	} else {
		const char *p = path != NULL ? path : "/usr/bin:/bin";
		cand[0] = 0;
		while (*p != 0) {
			size_t len = strcspn(p, ":");
			int n = snprintf(cand, sizeof cand, "%.*s/%s", (int)len,
			                 len ? p : ".", cc);
			if (n > 0 && (size_t)n < sizeof cand &&
			    access(cand, X_OK) == 0)
				break;
			cand[0] = 0;
			p += len;
			if (*p == ':')
				p++;
		}
	}
	if (cand[0] == 0 || realpath(cand, real) == NULL ||
	    stat(real, &st) != 0)
		return;
	snprintf(buf, cap, "%s size %lld mtime %lld.%09ld", real,
	         (long long)st.st_size, (long long)st.st_mtim.tv_sec,
	         (long)st.st_mtim.tv_nsec);
}

/* Fixed flags: IEEE semantics (no contraction, no errno calls), no
 * aliasing assumptions between the guest memory and anything else. */
#define AOT_CFLAGS                                                             \
	"-fPIC", "-std=gnu11", "-w", "-ffp-contract=off", "-fno-math-errno",   \
	    "-fsignaling-nans", "-fno-strict-aliasing",                        \
	    "-fvisibility=hidden" AOT_SAN_CFLAGS

/* The cache key: everything the shared object depends on. */
static void cache_key(const struct wasm_module *m, const struct aot_options *o,
                      char hex[65])
{
	char extra[6000], ccid[4200];
	cc_identity(cc_of(o), ccid, sizeof ccid);
	int n = snprintf(extra, sizeof extra,
	                 "wasmix %s abi %d emitter %d cc %s [%s] opt %s "
	                 "checked %d fuel %d parts %u flags %s",
	                 WASMIX_VERSION, AOT_ABI_VERSION, AOT_EMITTER_REVISION,
	                 cc_of(o), ccid, opt_of(o), o->checked ? 1 : 0,
	                 o->fuel ? 1 : 0, aot_emit_nparts(m, split_of(o)),
	                 "-ffp-contract=off -fno-math-errno -fsignaling-nans "
	                 "-fno-strict-aliasing" AOT_SAN_KEY);
	const char *gen = aot_codegen_id();
	const void *parts[3] = {m->bytes, extra, gen};
	size_t lens[3] = {m->nbytes,
	                  n < 0                       ? 0
	                  : (size_t)n >= sizeof extra ? sizeof extra - 1
	                                              : (size_t)n,
	                  strlen(gen)};
	aot_sha256_hex(parts, lens, 3, hex);
}

/* Whether 'cc' names an executable (as posix_spawnp would find it). */
static bool cc_found(const char *cc)
{
	char id[4200];
	cc_identity(cc, id, sizeof id);
	return strcmp(id, "missing") != 0;
}

/* Runs the compiler with 'argv' (argv[0] the compiler) to the end. */
static int run_cc(const char *cc, char *const argv[], struct diag *diag)
{
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

/* The parts of one split compile, shared by its worker threads. */
struct parts_job {
	const struct aot_options *o;
	const char *dir; /* p<i>.c -> p<i>.o there */
	uint32_t nparts;
	const uint32_t *order; /* parts, largest C file first */
	uint32_t next;         /* next index into 'order' (atomic) */
	int failed;            /* atomic: stop taking parts */
	pthread_mutex_t mu;
	struct diag diag; /* the first failure */
	int rc;
};

static void *parts_worker(void *arg)
{
	struct parts_job *j = arg;
	const char *cc = cc_of(j->o);
	for (;;) {
		uint32_t i = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED);
		char src[4400], obj[4400];
		struct diag d = {0};
		if (i >= j->nparts ||
		    __atomic_load_n(&j->failed, __ATOMIC_RELAXED))
			return NULL;
		snprintf(src, sizeof src, "%s/p%u.c", j->dir, j->order[i]);
		snprintf(obj, sizeof obj, "%s/p%u.o", j->dir, j->order[i]);
		char *argv[] = {(char *)cc, (char *)opt_of(j->o),
		                AOT_CFLAGS, "-c",
		                "-o",       obj,
		                src,        NULL};
		int rc = run_cc(cc, argv, &d);
		if (rc != WX_OK) {
			pthread_mutex_lock(&j->mu);
			if (j->rc == WX_OK) {
				j->rc = rc;
				j->diag = d;
			}
			pthread_mutex_unlock(&j->mu);
			__atomic_store_n(&j->failed, 1, __ATOMIC_RELAXED);
		}
	}
}

/* Compiles dir/p<i>.c to dir/p<i>.o with up to jobs_of(o) compilers at
 * once, the largest files first (they take longest). */
static int compile_parts(const struct aot_options *o, const char *dir,
                         uint32_t nparts, struct diag *diag)
{
	struct parts_job j = {.o = o, .dir = dir, .nparts = nparts};
	uint64_t size[AOT_MAX_PARTS];
	uint32_t order[AOT_MAX_PARTS];
	pthread_t tid[AOT_MAX_PARTS];
	unsigned nt = jobs_of(o), started = 0;

	for (uint32_t i = 0; i < nparts; i++) {
		char src[4400];
		struct stat st;
		snprintf(src, sizeof src, "%s/p%u.c", dir, i);
		size[i] = stat(src, &st) == 0 ? (uint64_t)st.st_size : 0;
		uint32_t k = i;
		while (k > 0 && size[order[k - 1]] < size[i]) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = i;
	}
	j.order = order;
	pthread_mutex_init(&j.mu, NULL);
	if (nt > nparts)
		nt = nparts;
	for (unsigned t = 1; t < nt; t++)
		if (pthread_create(&tid[started], NULL, parts_worker, &j) == 0)
			started++;
	parts_worker(&j); /* this thread is one of the workers */
	for (unsigned t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	pthread_mutex_destroy(&j.mu);
	if (j.rc != WX_OK)
		return diag_set(diag, j.rc, "%s", j.diag.msg);
	return WX_OK;
}

/* Removes what a split compile left in 'dir', and 'dir'. */
static void remove_parts(const char *dir, uint32_t nparts, bool keep_c)
{
	char path[4400];
	for (uint32_t i = 0; i < nparts; i++) {
		snprintf(path, sizeof path, "%s/p%u.o", dir, i);
		unlink(path);
		snprintf(path, sizeof path, "%s/p%u.c", dir, i);
		if (!keep_c)
			unlink(path);
	}
	if (!keep_c)
		rmdir(dir);
}

/* A module of several C files: emitted into the new directory 'dir',
 * compiled in parallel, linked into 'so_path'. */
static int build_split(const struct wasm_module *m, const struct aot_options *o,
                       uint32_t nparts, const char *dir, const char *so_path,
                       struct diag *diag)
{
	FILE *out[AOT_MAX_PARTS];
	char path[4400];
	char *argv[AOT_MAX_PARTS + 8];
	char *objs[AOT_MAX_PARTS];
	const char *cc = cc_of(o);
	uint32_t nout = 0, ncompiled, na = 0;
	int rc = WX_OK;

	if (mkdir(dir, 0700) != 0)
		return diag_set(diag, WX_EIO, "%s: %s", dir, strerror(errno));
	for (; nout < nparts; nout++) {
		snprintf(path, sizeof path, "%s/p%u.c", dir, nout);
		out[nout] = fopen(path, "w");
		if (out[nout] == NULL) {
			rc = diag_set(diag, WX_EIO, "%s: %s", path,
			              strerror(errno));
			break;
		}
	}
	if (rc == WX_OK)
		rc = aot_emit_c_parts(m, o, nparts, out, &ncompiled, diag);
	for (uint32_t i = 0; i < nout; i++)
		if (fclose(out[i]) != 0 && rc == WX_OK)
			rc = diag_set(diag, WX_EIO, "%s: cannot write", dir);
	if (rc == WX_OK)
		rc = compile_parts(o, dir, nparts, diag);
	for (uint32_t i = 0; rc == WX_OK && i < nparts; i++) {
		snprintf(path, sizeof path, "%s/p%u.o", dir, i);
		objs[i] = strdup(path);
		if (objs[i] == NULL)
			rc = diag_set(diag, WX_ENOMEM, "out of memory");
		else
			na = i + 1;
	}
	if (rc == WX_OK) {
		uint32_t k = 0;
		argv[k++] = (char *)cc;
		argv[k++] = "-shared";
		argv[k++] = "-o";
		argv[k++] = (char *)so_path;
		for (uint32_t i = 0; i < nparts; i++)
			argv[k++] = objs[i];
		argv[k++] = "-lm";
		argv[k] = NULL;
		rc = run_cc(cc, argv, diag);
	}
	for (uint32_t i = 0; i < na; i++)
		free(objs[i]);
	remove_parts(dir, nparts, getenv("WASMIX_AOT_KEEP_C") != NULL);
	return rc;
}

/* Emits C for 'm' and compiles it into 'so_path'; the C goes to
 * '<work>.c' (one file) or the directory '<work>.d' (several). */
static int build(const struct wasm_module *m, const struct aot_options *o,
                 const char *work, const char *so_path, struct diag *diag)
{
	uint32_t ncompiled, nparts = aot_emit_nparts(m, split_of(o));
	char c_path[4300];
	const char *cc = cc_of(o);
	FILE *f;
	int rc;

	if (nparts > 1) {
		snprintf(c_path, sizeof c_path, "%s.d", work);
		return build_split(m, o, nparts, c_path, so_path, diag);
	}
	snprintf(c_path, sizeof c_path, "%s.c", work);
	f = fopen(c_path, "w");
	if (f == NULL)
		return diag_set(diag, WX_EIO, "%s: %s", c_path,
		                strerror(errno));
	rc = aot_emit_c(m, o, f, &ncompiled, diag);
	if (fclose(f) != 0 && rc == WX_OK)
		rc = diag_set(diag, WX_EIO, "%s: %s", c_path, strerror(errno));
	if (rc == WX_OK) {
		char *argv[] = {
		    (char *)cc, (char *)opt_of(o), "-shared", AOT_CFLAGS,
		    "-o",       (char *)so_path,   c_path,    "-lm",
		    NULL};
		rc = run_cc(cc, argv, diag);
	}
	if (getenv("WASMIX_AOT_KEEP_C") == NULL)
		unlink(c_path);
	return rc;
}

int aot_compile_to(const struct wasm_module *m, const struct aot_options *o,
                   const char *path, struct diag *diag)
{
	char work[4096];
	if (snprintf(work, sizeof work, "%s.%ld", path, (long)getpid()) >=
	    (int)sizeof work)
		return diag_set(diag, WX_EARG, "path too long");
	return build(m, o, work, path, diag);
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

/* A marker older than this is left by a compile that died: ignored. */
#define AOT_MARK_STALE_S 3600

/* Whether 'name' is a cache key (64 lower-case hex digits) followed by
 * '.' and something other than "so": a compile's work file, directory,
 * temporary object or marker. */
static bool is_leftover(const char *name)
{
	for (int i = 0; i < 64; i++) {
		char c = name[i]; /* a shorter name stops at its NUL */
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return name[64] == '.' && strcmp(name + 65, "so") != 0;
}

/* Removes what a compile that died left behind (a crash, a kill, a full
 * disk): work files, split-C directories (one level of files),
 * temporary objects and markers untouched for AOT_MARK_STALE_S. A live
 * compile touches its files far more often than that. */
static void sweep_leftovers(int dfd)
{
	DIR *d = fdopendir(dup(dfd));
	struct dirent *de;
	time_t now = time(NULL);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		if (!is_leftover(de->d_name) ||
		    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    now - st.st_mtime < AOT_MARK_STALE_S)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dfd, de->d_name,
			                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
			DIR *sd = sub >= 0 ? fdopendir(sub) : NULL;
			struct dirent *se;
			if (sd == NULL) {
				if (sub >= 0)
					close(sub);
				continue;
			}
			while ((se = readdir(sd)) != NULL)
				if (se->d_name[0] != '.')
					unlinkat(sub, se->d_name, 0);
			closedir(sd);
			unlinkat(dfd, de->d_name, AT_REMOVEDIR);
		} else {
			unlinkat(dfd, de->d_name, 0);
		}
	}
	closedir(d);
}

/* Removes what dead compiles left, then least recently used entries
 * until the cache fits its cap. */
static void cache_trim(const char *dir)
{
	const char *cap_s = getenv("WASMIX_CACHE_MAX_MB");
	uint64_t cap = (uint64_t)(cap_s ? strtoull(cap_s, NULL, 10) : 1024)
	               << 20;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	sweep_leftovers(dfd);
	close(dfd);
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

struct text_find {
	uintptr_t base, lo, hi;
};

static int text_find_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct text_find *t = arg;
	(void)size;
	if (info->dlpi_addr != t->base)
		return 0;
	for (unsigned i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
			t->lo = info->dlpi_addr + ph->p_vaddr;
			t->hi = t->lo + ph->p_memsz;
			return 1;
		}
	}
	return 0;
}

/* Registers the executable segment of 'c' (aot_run.c's interrupts). */
static int register_text(struct aot_code *c, struct diag *diag)
{
	struct link_map *lm = NULL;
	struct text_find t = {0, 0, 0};
	if (dlinfo(c->dl, RTLD_DI_LINKMAP, &lm) != 0 || lm == NULL)
		return diag_set(diag, WX_EIO, "dlinfo failed");
	t.base = (uintptr_t)lm->l_addr;
	dl_iterate_phdr(text_find_cb, &t);
	if (t.lo == 0)
		return diag_set(diag, WX_EIO, "no code segment in the object");
	if (aot_text_register(t.lo, t.hi) != WX_OK)
		return diag_set(diag, WX_ELIMIT, "too many compiled modules");
	c->text_lo = t.lo;
	c->text_hi = t.hi;
	return WX_OK;
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
	if (register_text(c, diag) != WX_OK) {
		dlclose(c->dl);
		wx_free(c);
		return WX_EIO;
	}
	c->checked = checked;
	for (uint32_t k = 0; k < m->nfuncs; k++)
		c->ncompiled += c->desc->fns[k] != NULL;
	*out = c;
	return WX_OK;
}

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
	char tmp[4300], work[4300], so[4200], mark[4200];
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
	snprintf(work, sizeof work, "%s/%s.%ld.bg", dir, key, (long)getpid());
	if (build(m, o, work, tmp, &d) == WX_OK && rename(tmp, so) == 0) {
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
                      struct aot_code **out, char key_out[65], int *done_fd,
                      struct diag *diag)
{
	static unsigned seq;
	char dir[4096], key[65], so[4200], tmp[4300], work[4300];
	const char *why = aot_module_unsupported(m);
	bool cached = !o->no_cache;
	int rc;

	*out = NULL;
	if (done_fd != NULL)
		*done_fd = -1;
	if (why != NULL)
		return diag_set(diag, WX_EARG, "not compiled: %s", why);
	cache_key(m, o, key);
	if (key_out != NULL)
		memcpy(key_out, key, sizeof key);
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
	snprintf(work, sizeof work, "%s/%s.%ld.%u", dir, key, (long)getpid(),
	         n);
	rc = build(m, o, work, tmp, diag);
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
	return load_entry(m, o, out, NULL, NULL, diag);
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
	if (c->text_lo != 0)
		aot_text_unregister(c->text_lo);
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
	uint8_t *bytes; /* a copy of the module's bytes (owned) */
	size_t nbytes;
	char key[65];          /* its cache key */
	struct aot_code *code; /* NULL: interpreted */
	/* A background compile of it whose end this run waits for (the
	 * switch-over), or -1: the pipe's read end (compile_in_background). */
	int done_fd;
	/* Set with done_fd, cleared under vm_lock when the compile's end is
	 * seen: instances made meanwhile go to the session's 'waiting'. */
	bool pending;
};

struct aot_session {
	struct aot_options o;
	bool on_demand;
	struct aot_entry_mod *mods;
	size_t nmods, cap;
	struct aot_inst **insts;
	size_t ninsts, capinsts;
	/* Instances made interpreted while their module's compile runs in
	 * the background (guest threads' own instances): the switch-over
	 * binds them too. The store owns them and outlives the session's
	 * use of them (aot_session_free comes after vm_store_free). */
	struct vm_instance **waiting;
	size_t nwaiting, capwaiting;
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

/* Modules are found by content, never by address: a module freed and
 * another decoded at the same address must not get the old code. The
 * options are the session's, so equal bytes mean an equal cache key
 * (comparing bytes is much faster than hashing them again). Under
 * vm_lock. */
static struct aot_entry_mod *find_mod(struct aot_session *s,
                                      const struct wasm_module *m)
{
	for (size_t i = 0; i < s->nmods; i++)
		if (s->mods[i].nbytes == m->nbytes &&
		    memcmp(s->mods[i].bytes, m->bytes, m->nbytes) == 0)
			return &s->mods[i];
	return NULL;
}

/* Whether the session has an entry for module 'm'. */
static bool has_mod(struct aot_session *s, const struct wasm_module *m)
{
	vm_lock();
	bool have = find_mod(s, m) != NULL;
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
	const char *why = aot_module_unsupported(m);
	uint8_t *copy;
	char key[65] = "";
	int done_fd = -1, rc = WX_OK;

	if (why != NULL) {
		if (s->o.verbose)
			fprintf(stderr,
			        "wasmix: interpreting: not compiled: %s\n",
			        why);
		return WX_OK;
	}
	if (has_mod(s, m))
		return WX_OK;
	/* Before the process confines itself: finding the main thread's
	 * stack reads /proc/self/maps. */
	aot_thread_stack_init();
	copy = wx_malloc(m->nbytes ? m->nbytes : 1);
	if (copy == NULL)
		return WX_ENOMEM;
	memcpy(copy, m->bytes, m->nbytes);
	if (load_entry(m, &s->o, &code, key, &done_fd, &d) != WX_OK) {
		if (s->o.verbose)
			fprintf(stderr, "wasmix: interpreting: %s\n", d.msg);
		code = NULL;
	} else if (s->o.verbose) {
		fprintf(stderr,
		        "wasmix: compiled: %u of %u functions run natively\n",
		        code->ncompiled, m->nfuncs - m->num_imported_funcs);
	}
	vm_lock();
	if (find_mod(s, m) != NULL) { /* another thread was first */
		vm_unlock();
		aot_code_free(code);
		wx_free(copy);
		if (done_fd >= 0)
			close(done_fd);
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
		s->mods[s->nmods].bytes = copy;
		s->mods[s->nmods].nbytes = m->nbytes;
		memcpy(s->mods[s->nmods].key, key, sizeof key);
		s->mods[s->nmods].code = code;
		s->mods[s->nmods].done_fd = done_fd;
		s->mods[s->nmods].pending = done_fd >= 0;
		s->nmods++;
	}
	vm_unlock();
	if (rc != WX_OK) {
		aot_code_free(code);
		wx_free(copy);
		if (done_fd >= 0)
			close(done_fd);
	}
	return rc;
}

static int on_instance_locked(struct aot_session *s, struct vm_instance *inst,
                              struct diag *diag);

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

/* Binds 'code' to the running instance 'inst' (any thread's: each
 * function is published whole, vm_func_bind_native). */
static int switch_bind(struct aot_session *s, struct aot_code *code,
                       struct vm_instance *inst)
{
	struct diag d = {0};
	struct aot_inst *ai;
	int rc = WX_OK;

	vm_lock();
	if (s->ninsts == s->capinsts) {
		size_t cap = s->capinsts ? s->capinsts * 2 : 8;
		struct aot_inst **v = wx_realloc(s->insts, cap * sizeof *v);
		if (v == NULL)
			rc = WX_ENOMEM;
		else {
			s->insts = v;
			s->capinsts = cap;
		}
	}
	vm_unlock();
	if (rc != WX_OK || inst->aot != NULL ||
	    inst->module->nfuncs != code->desc->nfuncs)
		return rc;
	ai = wx_calloc(1, sizeof *ai +
	                      (size_t)inst->module->nglobals * sizeof ai->g[0]);
	if (ai == NULL)
		return WX_ENOMEM;
	/* Binds function by function (vm_func_bind_native takes vm_lock). */
	rc = aot_bind_desc(code->desc, ai, inst, true, &d);
	if (rc != WX_OK) {
		aot_bind_free(ai);
		if (s->o.verbose)
			fprintf(stderr, "wasmix: interpreting: %s\n", d.msg);
		return rc;
	}
	vm_lock();
	inst->aot = ai;
	s->insts[s->ninsts++] = ai;
	s->native_funcs += code->ncompiled;
	vm_unlock();
	if (s->o.verbose)
		fprintf(stderr,
		        "wasmix: compiled: switched over: %u functions run "
		        "natively from now on\n",
		        code->ncompiled);
	return WX_OK;
}

/* The switch-over for entry 'e' and the running instance 'inst'. */
static int switch_entry(struct aot_session *s, struct aot_entry_mod *e,
                        struct vm_instance *inst)
{
	char dir[4096], so[4200], done = '0';
	struct diag d = {0};
	struct aot_code *code = NULL;
	struct vm_instance **w;
	size_t nw;
	int rc = WX_OK;

	if (read(e->done_fd, &done, 1) < 0 && errno == EAGAIN)
		return WX_OK; /* not yet */
	close(e->done_fd);
	e->done_fd = -1;
	if (done != '1')
		rc = diag_set(&d, WX_EIO, "the background compile failed");
	else if (cache_dir(&s->o, dir, sizeof dir, false, &d) != WX_OK)
		rc = WX_EIO;
	if (rc == WX_OK) {
		snprintf(so, sizeof so, "%s/%s.so", dir, e->key);
		rc = open_so(so, inst->module, s->o.checked, &code, &d);
		if (rc != WX_OK && s->o.verbose)
			fprintf(stderr, "wasmix: interpreting: %s\n", d.msg);
	}
	/* The instances made while the compile ran (other guest threads'),
	 * taken under vm_lock where 'code' is published: an instance made
	 * from now on is bound by aot_on_instance instead. */
	vm_lock();
	e->code = code;
	e->pending = false;
	w = s->waiting;
	nw = s->nwaiting;
	s->waiting = NULL;
	s->nwaiting = s->capwaiting = 0;
	vm_unlock();
	if (rc == WX_OK)
		rc = switch_bind(s, code, inst);
	for (size_t i = 0; i < nw && code != NULL && rc != WX_ENOMEM; i++)
		if (w[i]->module->nbytes == e->nbytes &&
		    memcmp(w[i]->module->bytes, e->bytes, e->nbytes) == 0)
			rc = switch_bind(s, code, w[i]);
	wx_free(w);
	return rc;
}

int aot_session_switch(struct aot_session *s, struct vm_instance *inst)
{
	const struct wasm_module *m;
	int rc = WX_OK;

	if (s == NULL || inst == NULL)
		return WX_OK;
	m = inst->module;
	for (size_t i = 0; i < s->nmods; i++) {
		struct aot_entry_mod *e = &s->mods[i];
		if (e->done_fd < 0)
			continue;
		int fl = fcntl(e->done_fd, F_GETFL);
		if (fl >= 0 && !(fl & O_NONBLOCK))
			fcntl(e->done_fd, F_SETFL, fl | O_NONBLOCK);
		if (e->nbytes != m->nbytes ||
		    memcmp(e->bytes, m->bytes, m->nbytes) != 0) {
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

	if (s->on_demand && aot_session_prepare(s, inst->module) != WX_OK)
		return diag_set(diag, WX_ENOMEM, "out of memory");
	vm_lock();
	int rc = on_instance_locked(s, inst, diag);
	vm_unlock();
	return rc;
}

static int on_instance_locked(struct aot_session *s, struct vm_instance *inst,
                              struct diag *diag)
{
	struct aot_entry_mod *e = find_mod(s, inst->module);
	struct diag d = {0};
	int rc;

	if (e != NULL && e->code == NULL && e->pending) {
		/* Bound at the switch-over (switch_entry). */
		if (s->nwaiting == s->capwaiting) {
			size_t cap = s->capwaiting ? s->capwaiting * 2 : 8;
			struct vm_instance **v =
			    wx_realloc(s->waiting, cap * sizeof *v);
			if (v == NULL)
				return diag_set(diag, WX_ENOMEM,
				                "out of memory");
			s->waiting = v;
			s->capwaiting = cap;
		}
		s->waiting[s->nwaiting++] = inst;
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
		aot_bind_free(s->insts[i]);
	for (size_t i = 0; i < s->nmods; i++) {
		aot_code_free(s->mods[i].code);
		wx_free(s->mods[i].bytes);
		if (s->mods[i].done_fd >= 0)
			close(s->mods[i].done_fd);
	}
	wx_free(s->insts);
	wx_free(s->waiting);
	wx_free(s->mods);
	wx_free(s);
}
