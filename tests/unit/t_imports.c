/*
 * t_imports.c: the import table (src/wasi/wasi_imports.def) against the
 * WASIX specification's list, read in place (shared/spec/wasix_32v1.tsv;
 * WASIX_TSV names another): every line resolves through the one resolver
 * (wasix_resolve) for "wasix_32v1" with exactly the tsv's signature, and
 * for "wasix_64v1" with it widened (pointers and sizes i64, as
 * run_wasix.sh widens it); the functions the table leaves unimplemented
 * are listed with their reasons and answer ENOSYS when called. Then the
 * table itself: names unique per module, every row resolves at both
 * widths, the rows the tsv does not list are printed.
 *
 * Prints failures and "t_imports: N passed, M failed"; exits 1 on failure
 * (a missing tsv is a failure, never a skip).
 */
#include <stdlib.h>
#include <string.h>

#include "t_check.h"
#include "wasi/wasi_impl.h"
#include "wasix/wasix.h"
#include "wasix/wasix_thread.h"

#define T_MAX_TYPES 16

/* The names the tsv lists (for the reverse check), at most this many. */
#define T_MAX_NAMES 256

struct t_env {
	struct vm_store *s;
	struct wasix_ctx *x;
	struct wasix_threads *th;
	char *names[T_MAX_NAMES];
	size_t nnames;
};

/* vm_resolve_fn of a thread's instance: the one resolver, as wasmix.c. */
static int t_thread_resolve(void *ud, const struct wasm_import *imp,
                            struct vm_extern *out)
{
	struct t_env *e = ud;

	return wasix_resolve(e->x, e->th, e->s, NULL, imp, out);
}

/* "i32" / "i64" to a value type; 0 for anything else. */
static uint32_t t_valtype(const char *s, size_t n)
{
	if (n == 3 && memcmp(s, "i32", 3) == 0)
		return WASM_I32;
	if (n == 3 && memcmp(s, "i64", 3) == 0)
		return WASM_I64;
	return 0;
}

/*
 * A tsv signature "(i32,i64)->i32" (or "->void") into 'ft' over 'buf'.
 * False when it does not parse.
 */
static bool t_parse_sig(const char *sig, struct wasm_functype *ft,
                        uint32_t *buf)
{
	const char *p = sig + 1, *arrow = strstr(sig, ")->");
	uint32_t n = 0;

	if (sig[0] != '(' || arrow == NULL)
		return false;
	while (p < arrow) {
		size_t len = strcspn(p, ",)");
		uint32_t t = t_valtype(p, len);

		if (t == 0 || n >= T_MAX_TYPES - 1)
			return false;
		buf[n++] = t;
		p += len + (p[len] == ',');
	}
	ft->nparams = n;
	ft->nresults = 0;
	if (strcmp(arrow + 3, "void") != 0) {
		uint32_t t = t_valtype(arrow + 3, strlen(arrow + 3));
		if (t == 0)
			return false;
		buf[n] = t;
		ft->nresults = 1;
	}
	ft->types = buf;
	return true;
}

/*
 * The wasix_64v1 form of 'ft' in place, from the C parameters 'cpar'
 * (", "-separated): a "const char *" is a (pointer, size) pair, any
 * other pointer, size or function pointer one i64, the rest unchanged.
 */
static void t_widen(struct wasm_functype *ft, const char *cpar)
{
	uint32_t i = 0;
	const char *p = cpar;

	while (*p != 0 && i < ft->nparams) {
		size_t len = strcspn(p, ",");
		char one[128];

		snprintf(one, sizeof one, "%.*s", (int)len, p);
		if (strncmp(one, "const char *", 12) == 0) {
			ft->types[i++] = WASM_I64;
			if (i < ft->nparams)
				ft->types[i++] = WASM_I64;
		} else if (strchr(one, '*') != NULL ||
		           strncmp(one, "size_t ", 7) == 0 ||
		           strncmp(one, "__wasi_size_t ", 14) == 0 ||
		           strncmp(one, "__wasi_pointersize_t ", 21) == 0 ||
		           strncmp(one, "__wasi_function_pointer_t ", 26) ==
		               0) {
			ft->types[i++] = WASM_I64;
		} else {
			i++;
		}
		p += len;
		while (*p == ',' || *p == ' ')
			p++;
	}
}

static bool t_same_type(const struct wasm_functype *a,
                        const struct wasm_functype *b)
{
	return a->nparams == b->nparams && a->nresults == b->nresults &&
	       memcmp(a->types, b->types,
	              (a->nparams + a->nresults) * sizeof *a->types) == 0;
}

/*
 * Resolves 'name' of 'module' for a module with one memory of the
 * module's width that declares the import with type 'want'; checks the
 * type it gets. Returns the function or NULL.
 */
static struct vm_func *t_resolve(struct t_env *e, const char *module,
                                 const char *name, struct wasm_functype *want)
{
	struct wasm_limits_decl mem = {.min = 1};
	struct wasm_module m;
	struct wasm_import imp;
	struct vm_extern ext;

	memset(&m, 0, sizeof m);
	memset(&imp, 0, sizeof imp);
	mem.is64 = strcmp(module, WASIX_MODULE64) == 0;
	m.nmemories = 1;
	m.memories = &mem;
	m.ntypes = 1;
	m.types = want;
	imp.module = module;
	imp.module_len = (uint32_t)strlen(module);
	imp.name = name;
	imp.name_len = (uint32_t)strlen(name);
	imp.kind = WASM_EXT_FUNC;
	if (wasix_resolve(e->x, e->th, e->s, &m, &imp, &ext) != 0) {
		printf("%s.%s does not resolve\n", module, name);
		return NULL;
	}
	if (!t_same_type(vm_func_type(ext.u.func), want)) {
		printf("%s.%s resolves with another signature\n", module, name);
		return NULL;
	}
	return ext.u.func;
}

/* Calls 'f' (an unimplemented function) with zeros: ENOSYS? */
static bool t_answers_enosys(struct vm_func *f)
{
	uint64_t args[T_MAX_TYPES] = {0}, res[1] = {0};
	struct vm_call c;
	vm_host_fn fn;
	void *ud;

	memset(&c, 0, sizeof c);
	c.args = args;
	c.results = res;
	if (!vm_func_host(f, &fn, &ud) || fn(&c, ud) != 0)
		return false;
	return vm_func_type(f)->nresults == 0 || res[0] == WASI_ENOSYS;
}

/* One line of the tsv: "name\tsignature\tC parameters". */
static void t_line(struct t_env *e, char *line, unsigned *nosys)
{
	char *name = line, *sig = strchr(line, '\t'), *cpar;
	uint32_t buf[T_MAX_TYPES];
	struct wasm_functype ft;
	const struct wasi_import_row *r = NULL;
	struct vm_func *f32, *f64;

	CHECK(sig != NULL);
	if (sig == NULL)
		return;
	*sig++ = 0;
	cpar = strchr(sig, '\t');
	if (cpar != NULL)
		*cpar++ = 0;
	if (e->nnames < T_MAX_NAMES)
		e->names[e->nnames++] = name;
	CHECK(t_parse_sig(sig, &ft, buf));
	f32 = t_resolve(e, WASIX_MODULE32, name, &ft);
	CHECK(f32 != NULL);
	t_widen(&ft, cpar != NULL ? cpar : "");
	f64 = t_resolve(e, WASIX_MODULE64, name, &ft);
	CHECK(f64 != NULL);
	for (size_t i = 0; (r = wasi_import_at(i)) != NULL; i++)
		if (r->module == WASI_IMPORT_WASIX &&
		    strcmp(r->name, name) == 0)
			break;
	CHECK(r != NULL);
	if (r == NULL || r->layer != WASI_LAYER_NONE)
		return;
	(*nosys)++;
	printf("  not implemented: %s: %s\n", name,
	       r->reason != NULL ? r->reason : "(no reason)");
	CHECK(r->reason != NULL && r->reason[0] != 0);
	CHECK(f32 != NULL && t_answers_enosys(f32));
	CHECK(f64 != NULL && t_answers_enosys(f64));
}

/* Every line of the tsv at 'path'. */
static void test_tsv(struct t_env *e, const char *path)
{
	static char text[1 << 16];
	FILE *fp = fopen(path, "r");
	unsigned lines = 0, nosys = 0;
	size_t n;
	char *p, *nl;

	if (fp == NULL)
		printf("cannot open %s (WASIX_TSV names the tsv)\n", path);
	CHECK(fp != NULL);
	if (fp == NULL)
		return;
	n = fread(text, 1, sizeof text - 1, fp);
	CHECK(feof(fp)); /* all of it read */
	fclose(fp);
	text[n] = 0;
	p = strchr(text, '\n'); /* the header line */
	CHECK(p != NULL && strncmp(text, "name\t", 5) == 0);
	for (p = p != NULL ? p + 1 : text + n; *p != 0; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p) - 1;
		else
			*nl = 0;
		if (*p != 0) {
			t_line(e, p, &nosys);
			lines++;
		}
	}
	printf("  %u functions of %s: each resolves at both widths, %u of "
	       "them deliberately ENOSYS\n",
	       lines, path, nosys);
	CHECK(lines >= 90);
}

/* The table: unique names per module; every row resolves. */
static void test_table(struct t_env *e)
{
	const struct wasi_import_row *r, *q;
	unsigned extras = 0;

	for (size_t i = 0; (r = wasi_import_at(i)) != NULL; i++) {
		uint32_t buf[T_MAX_TYPES];
		struct wasm_functype ft;
		const char *mod = wasi_import_module_name(r);
		bool listed = false;

		for (size_t j = 0; j < i; j++) {
			q = wasi_import_at(j);
			CHECK(q->module != r->module ||
			      strcmp(q->name, r->name) != 0);
		}
		CHECK((r->layer == WASI_LAYER_NONE) == (r->reason != NULL));
		CHECK(r->layer != WASI_LAYER_WASI || i < WASI_NP1);
		wasi_sig_parse(r->sig, false, &ft, buf, T_MAX_TYPES);
		CHECK(t_resolve(e, mod, r->name, &ft) != NULL);
		if (r->module != WASI_IMPORT_WASIX)
			continue;
		wasi_sig_parse(r->sig, true, &ft, buf, T_MAX_TYPES);
		CHECK(t_resolve(e, WASIX_MODULE64, r->name, &ft) != NULL);
		for (size_t k = 0; k < e->nnames; k++)
			listed |= strcmp(e->names[k], r->name) == 0;
		if (!listed) {
			printf("  in the table, not in the tsv: %s\n", r->name);
			extras++;
		}
	}
	CHECK(wasi_import_at(WASI_NIMPORTS) == NULL);
	printf("  %u rows in the table, %u WASIX ones beyond the tsv\n",
	       (unsigned)WASI_NIMPORTS, extras);
}

int main(void)
{
	struct wasi_config wc;
	struct vm_config vc;
	struct diag d = {0};
	struct wasi_ctx *w = NULL;
	struct t_env e;
	const char *tsv = getenv("WASIX_TSV");

	memset(&e, 0, sizeof e);
	vm_config_default(&vc);
	e.s = vm_store_new(&vc);
	memset(&wc, 0, sizeof wc);
	wc.stdio[0] = wc.stdio[1] = wc.stdio[2] = -1;
	CHECK(e.s != NULL && wasi_ctx_new(&wc, &w, &d) == 0);
	CHECK(w != NULL && wasix_ctx_new(w, NULL, NULL, &e.x) == 0);
	CHECK(wasix_threads_new(t_thread_resolve, &e, NULL, &e.th) == 0);
	if (e.x != NULL && e.th != NULL) {
		test_tsv(&e,
		         tsv != NULL ? tsv : "../shared/spec/wasix_32v1.tsv");
		test_table(&e);
	}
	wasix_threads_free(e.th);
	vm_store_free(e.s);
	wasix_ctx_free(e.x);
	wasi_ctx_free(w);
	return t_report("t_imports");
}
