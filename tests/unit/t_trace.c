/*
 * t_trace.c: the tracer (src/wasix/wasix_trace.c). Every row of the
 * import table (wasi_imports.def) with argument kinds names a function
 * that resolves, with one kind per parameter of its signature, strings
 * as (pointer, length) pairs of i32; every preview1 function has kinds.
 * Then traced calls through a pipe: the line of a failing call, a string
 * argument read from guest memory, a long string cut at its bound, a
 * pointer out of bounds, a result pointer, and an untraced store.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "proc/proc.h"
#include "t_check.h"
#include "wasi/wasi_impl.h"
#include "wasix/wasix.h"
#include "wasix/wasix_thread.h"
#include "wasix/wasix_trace.h"

static int no_resolve(void *ud, const struct wasm_import *imp,
                      struct vm_extern *out)
{
	(void)ud;
	(void)imp;
	(void)out;
	return WX_ELINK;
}

static void test_rows(struct vm_store *s, struct wasi_ctx *w,
                      struct wasix_ctx *x, struct wasix_threads *th)
{
	const struct wasi_import_row *row;
	unsigned n_p1 = 0, bad = 0;

	for (size_t i = 0; (row = wasi_import_at(i)) != NULL; i++) {
		const char *mod = wasi_import_module_name(row);
		const char *name = row->name, *kinds = row->trace;
		struct wasm_import imp = {0};
		struct vm_extern ext;
		const struct wasm_functype *ft;
		int rc;

		if (kinds == NULL)
			continue;
		imp.module = mod;
		imp.module_len = (uint32_t)strlen(mod);
		imp.name = name;
		imp.name_len = (uint32_t)strlen(name);
		imp.kind = WASM_EXT_FUNC;
		if (row->module == WASI_IMPORT_P1) {
			n_p1++;
			rc = wasi_resolve(w, s, NULL, &imp, &ext);
		} else {
			rc = wasix_resolve(x, th, s, NULL, &imp, &ext);
		}
		if (rc != 0) {
			printf("row %s.%s does not resolve\n", mod, name);
			bad++;
			continue;
		}
		ft = vm_func_type(ext.u.func);
		if (ft->nparams != strlen(kinds)) {
			printf("row %s: %zu kinds, %u parameters\n", name,
			       strlen(kinds), ft->nparams);
			bad++;
			continue;
		}
		for (uint32_t k = 0; k < ft->nparams; k++) {
			char c = kinds[k];
			bool ptr = strchr("sARQxPW", c) != NULL;
			bool pair = c == 's' || c == 'A';

			if (strchr("fudxsAnolrFwcaTSERQPjW", c) == NULL ||
			    (pair && kinds[k + 1] != 'n') ||
			    (c == 'n' && (k == 0 || (kinds[k - 1] != 's' &&
			                             kinds[k - 1] != 'A'))) ||
			    ((ptr || c == 'n') && ft->types[k] != WASM_I32)) {
				printf("row %s: kind '%c' at %u\n", name, c, k);
				bad++;
			}
		}
	}
	CHECK(bad == 0);
	CHECK(n_p1 == 46);
}

/* A host function that fails with ENOENT, and one that stores 7. */
static int fake_enoent(struct vm_call *c, void *ud)
{
	(void)ud;
	return wasi_ret(c, WASI_ENOENT);
}

static int fake_store7(struct vm_call *c, void *ud)
{
	(void)ud;
	return wasi_ret(c, wasi_store_u32(c, wasi_u32(c, 1), 7));
}

/* Makes a host function typed as import 'name' of 'mod', wrapped. */
static struct vm_func *traced(struct vm_store *s, int fd, const char *mod,
                              const char *name, const char *sig, vm_host_fn fn)
{
	struct wasm_import imp = {0};
	struct wasm_functype ft;
	uint32_t types[16];
	struct vm_extern ext;

	wasi_sig_parse(sig, false, &ft, types, 16);
	ext.kind = WASM_EXT_FUNC;
	ext.u.func = vm_func_new_host(s, &ft, fn, NULL);
	imp.module = mod;
	imp.module_len = (uint32_t)strlen(mod);
	imp.name = name;
	imp.name_len = (uint32_t)strlen(name);
	imp.kind = WASM_EXT_FUNC;
	if (ext.u.func == NULL || wasix_trace_wrap(fd, s, &imp, &ext) != 0)
		return NULL;
	return ext.u.func;
}

/* Calls 'f' with 'args' on memory 'm'; returns its code. */
static int call(struct vm_func *f, struct vm_memory *m, const uint64_t *args)
{
	uint64_t res[1] = {0};
	struct vm_call c;
	vm_host_fn fn;
	void *ud;

	memset(&c, 0, sizeof c);
	c.memory = m;
	c.args = args;
	c.results = res;
	if (!vm_func_host(f, &fn, &ud))
		return -1;
	return fn(&c, ud);
}

/* Reads what the pipe holds (non-blocking) into 'buf'. */
static const char *drain(int fd, char *buf, size_t cap)
{
	ssize_t n = read(fd, buf, cap - 1);

	buf[n > 0 ? n : 0] = 0;
	return buf;
}

static void test_lines(struct vm_store *s, struct vm_memory *m)
{
	static char buf[8192];
	uint8_t *base = vm_memory_data(m);
	char want[256];
	int p[2];
	struct vm_func *f, *g;

	if (pipe(p) != 0)
		return;
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	f = traced(s, p[1], WASI_MODULE, "path_open", "(iiiiiIIii)i",
	           fake_enoent);
	g = traced(s, p[1], "wasix_32v1", "fd_dup", "(ii)i", fake_store7);
	CHECK(f != NULL && g != NULL);
	if (f == NULL || g == NULL)
		goto out;
	memcpy(base + 100, "a\"b\n", 4);
	{
		uint64_t a[9] = {3, 1, 100, 4, 9, 0, 0, 0, 200};
		CHECK(call(f, m, a) == 0);
	}
	snprintf(want, sizeof want,
	         "[pid %u] path_open(3, SYMLINK_FOLLOW, \"a\\\"b\\n\", "
	         "O_CREAT|O_TRUNC, 0, 0, 0, 0xc8) = -1 ENOENT\n",
	         proc_self());
	CHECK(strcmp(drain(p[0], buf, sizeof buf), want) == 0);

	/* 60,000 bytes: the line shows WASIX_TRACE_STR_MAX of them. */
	memset(base + 1000, 'z', 60000);
	{
		uint64_t a[9] = {3, 0, 1000, 60000, 0, 0, 0, 0, 200};
		CHECK(call(f, m, a) == 0);
	}
	drain(p[0], buf, sizeof buf);
	CHECK(strlen(buf) < WASIX_TRACE_LINE_MAX);
	CHECK(strspn(strchr(buf, '"') + 1, "z") == WASIX_TRACE_STR_MAX);
	CHECK(strstr(buf, "zzz\"..., 0, 0, 0, 0, 0xc8) = -1 ENOENT\n") != NULL);

	/* Out of bounds: the pointer, never the bytes. */
	{
		uint64_t a[9] = {3, 0, 65530, 100, 0, 0, 0, 0, 200};
		CHECK(call(f, m, a) == 0);
	}
	CHECK(strstr(drain(p[0], buf, sizeof buf), "(3, 0, 0xfffa, 0, ") !=
	      NULL);

	/* A result pointer shows the value stored. */
	{
		uint64_t a[2] = {5, 300};
		CHECK(call(g, m, a) == 0);
	}
	snprintf(want, sizeof want, "[pid %u] fd_dup(5, [7]) = 0\n",
	         proc_self());
	CHECK(strcmp(drain(p[0], buf, sizeof buf), want) == 0);

	/* argv arrays: each string to its NUL or its bound, the last one
	 * running into the end of memory, a pointer out of bounds. */
	{
		struct vm_func *e = traced(s, p[1], "wasix_32v1", "proc_exec4",
		                           "(iiiiiiiii)i", fake_enoent);
		uint64_t a[9] = {400, 2, 500, 5, 0, 0, 0, 0, 0};
		uint32_t ptrs[5] = {600, 700, 65534, 70000, 800};

		CHECK(e != NULL);
		memcpy(base + 400, "/p", 2);
		for (int i = 0; i < 5; i++)
			wasi_put_u32(base + 500 + 4 * i, ptrs[i]);
		memcpy(base + 600, "ab", 3);
		memset(base + 700, 'y', 100);
		memcpy(base + 65534, "qq", 2);
		memcpy(base + 800, "", 1);
		CHECK(e != NULL && call(e, m, a) == 0);
		snprintf(want, sizeof want,
		         "[pid %u] proc_exec4(\"/p\", [\"ab\", \"%.64s\"..., "
		         "\"qq\"..., ?, \"\"], 0, 0, 0, \"\") = -1 ENOENT\n",
		         proc_self(), base + 700);
		CHECK(strcmp(drain(p[0], buf, sizeof buf), want) == 0);
	}

	/* fd -1: not wrapped at all. */
	{
		struct wasm_import imp = {.module = "x",
		                          .module_len = 1,
		                          .name = "y",
		                          .name_len = 1,
		                          .kind = WASM_EXT_FUNC};
		struct vm_extern ext = {.kind = WASM_EXT_FUNC, .u.func = g};
		CHECK(wasix_trace_wrap(-1, s, &imp, &ext) == 0 &&
		      ext.u.func == g);
	}
out:
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	struct wasm_limits_decl lim = {.min = 1, .max = 1, .has_max = true};
	struct wasi_config wc;
	struct vm_config vc;
	struct diag d = {0};
	struct vm_store *s;
	struct vm_memory *m;
	struct wasi_ctx *w = NULL;
	struct wasix_ctx *x = NULL;
	struct wasix_threads *th = NULL;

	vm_config_default(&vc);
	s = vm_store_new(&vc);
	m = s != NULL ? vm_memory_new(s, &lim) : NULL;
	memset(&wc, 0, sizeof wc);
	wc.stdio[0] = wc.stdio[1] = wc.stdio[2] = -1;
	CHECK(m != NULL && wasi_ctx_new(&wc, &w, &d) == 0);
	CHECK(w != NULL && wasix_ctx_new(w, NULL, NULL, &x) == 0);
	CHECK(wasix_threads_new(no_resolve, NULL, NULL, &th) == 0);
	if (m != NULL && x != NULL && th != NULL) {
		test_rows(s, w, x, th);
		test_lines(s, m);
	}
	wasix_threads_free(th);
	vm_store_free(s);
	wasix_ctx_free(x);
	wasi_ctx_free(w);
	return t_report("t_trace");
}
