/*
 * dy_open: dlopen, dlsym and dl_invalid_handle through the raw WASIX
 * imports (as wasix-libc calls them): handles, reference to the same
 * library by name and by path, local and global scope, error texts, a
 * fork child using the library, a fork inside dlopen, then an exec of
 * dy_main with a new environment (whose libraries are loaded again for
 * the new program, on that environment's LD_LIBRARY_PATH).
 */
#include "dy.h"

static char logbuf[64];
static unsigned loglen;
static char err[128];

void dy_log(const char *s)
{
	while (*s != 0 && loglen < sizeof logbuf - 1)
		logbuf[loglen++] = *s++;
}

static int dlopen_(const char *p, int flags, unsigned *h)
{
	err[0] = 0;
	return dy_dlopen_raw(p, dy_strlen(p), flags, err, sizeof err, "", 0,
	                     h);
}

static int dlsym_(unsigned h, const char *s, unsigned long *addr)
{
	err[0] = 0;
	return dy_dlsym_raw(h, s, dy_strlen(s), err, sizeof err, addr);
}

struct join_status {
	unsigned char tag;
	unsigned short code;
	unsigned char sig;
};

void _start(void)
{
	unsigned h = 0, h2 = 0, h3 = 0, self = 0;
	unsigned long a = 0, a2 = 0, d = 0;
	int (*mul)(int, int);
	int pid = -1;

	CHECK(dlopen_("libdyc.so", DY_RTLD_NOW, &h) == 0 && h > 1);
	CHECK(dy_contains(logbuf, "ctor c;"));
	CHECK(dlsym_(h, "dyc_mul", &a) == 0 && a != 0);
	mul = (int (*)(int, int))a;
	CHECK(mul(6, 7) == 42 + 9);
	CHECK(dlsym_(h, "dyc_data", &d) == 0 && *(int *)d == 9);
	CHECK(dlsym_(h, "dyc_mul", &a2) == 0 && a2 == a);
	/* Loaded once: by name again, by path, and no second constructor. */
	CHECK(dlopen_("libdyc.so", DY_RTLD_NOW, &h2) == 0 && h2 == h);
	CHECK(dlopen_("/lib/libdyc.so", DY_RTLD_NOW, &h3) == 0 && h3 == h);
	CHECK(!dy_contains(logbuf, "ctor c;ctor c;"));
	/* Local: not in the default scope until loaded RTLD_GLOBAL. */
	CHECK(dlsym_(0, "dyc_mul", &a2) != 0);
	CHECK(dy_contains(err, "Symbol not found: dyc_mul"));
	CHECK(dlopen_("libdyc.so", DY_RTLD_NOW | DY_RTLD_GLOBAL, &h2) == 0);
	CHECK(dlsym_(0, "dyc_mul", &a2) == 0 && a2 == a);
	/* The main module: "" and its own symbols. */
	CHECK(dlopen_("", DY_RTLD_NOW, &self) == 0 && self == 1);
	CHECK(dlsym_(self, "dy_log", &a2) == 0 && a2 != 0);
	/* Errors reach dlerror's text. */
	CHECK(dlopen_("libnope.so", DY_RTLD_NOW, &h2) != 0);
	CHECK(dy_contains(err, "libnope.so: cannot open shared object file"));
	CHECK(dlopen_("libdyb.so", DY_RTLD_NOLOAD, &h2) != 0);
	CHECK(dlsym_(h, "no_such_symbol", &a2) != 0);
	CHECK(dy_contains(err, "Symbol not found: no_such_symbol"));
	CHECK(dy_dl_invalid_handle(h) == 0);
	CHECK(dy_dl_invalid_handle(4242) != 0);
	CHECK(dlsym_(4242, "dyc_mul", &a2) != 0);
	/* A fork child has the library (same handle, same pointers). */
	CHECK(dy_fork(1, &pid) == 0);
	if (pid == 0) {
		CHECK(dlopen_("libdyc.so", DY_RTLD_NOW, &h2) == 0 && h2 == h);
		dy_exit(mul(2, 3) == 15 ? 21 : 1);
	}
	{
		struct { unsigned char tag; unsigned pid; } opt = {1, (unsigned)pid};
		struct join_status st = {0, 0, 0};
		CHECK(dy_join(&opt, 0, &st) == 0);
		CHECK(st.tag == 1 && st.code == 21);
	}
	/* A fork inside dlopen (a constructor): the child loads too. */
	CHECK(dlopen_("libdyk.so", DY_RTLD_NOW, &h2) == 0);
	CHECK(dlsym_(h2, "dyk_status", &d) == 0 && *(int *)d == 22);
	dy_puts("ok dlopen");
	/* exec: the next program (PIC too) loads its own libraries, on the
	 * LD_LIBRARY_PATH of the environment it gets (run_dylink.sh runs
	 * this with one on the command line where libdya.so is unusable). */
	dy_exec2("/dy_main.wasm", 13, "dy_main", 7,
	         "LD_LIBRARY_PATH=/nowhere\n", 25);
	CHECK(!"exec returned");
}
