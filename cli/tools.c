/*
 * tools.c: 'wasmix validate', 'wasmix inspect' and 'wasmix run --invoke'
 * (cli/tools.h). A client of the public headers only: wasmix.h for
 * reading text modules, for validation messages and for 'inspect''s
 * reflection (wasmix_module_import/export: every kind and type as the
 * module declares it), and the standard wasm.h for loading,
 * instantiation and calls, as any embedder would do it.
 *
 * --invoke gives a module's function imports stubs that trap when called
 * ("import M.N is not available with --invoke"); imports of other kinds
 * fail the load. Arguments are parsed by the export's parameter types:
 * i32/i64 in decimal or 0x hex (an i32 may be given unsigned), f32/f64 as
 * strtod reads them (nan, inf too), references only as "null"; an export
 * that takes or returns v128 (no wasm.h value) is refused. Results
 * print one per line: integers signed, floats with enough digits to read
 * back the same value, references as "null" or "ref".
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools.h"
#include "wasm.h"
#include "wasmix.h"

#define MAX_FILE ((size_t)1 << 30)

int cli_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("wasmix: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return WASMIX_EXIT_USAGE;
}

char *cli_read_file(const char *path, bool dash_is_stdin, size_t *len)
{
	bool std = dash_is_stdin && strcmp(path, "-") == 0;
	FILE *f = std ? stdin : fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (f == NULL) {
		cli_fail("%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (cap - n < 65536) {
			char *nb = cap >= MAX_FILE
			               ? NULL
			               : realloc(buf, cap * 2 + 65536);
			if (nb == NULL) {
				cli_fail("%s: too large or out of memory",
				         path);
				free(buf);
				buf = NULL;
				goto out;
			}
			buf = nb;
			cap = cap * 2 + 65536;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		cli_fail("%s: read error", path);
		free(buf);
		buf = NULL;
	}
out:
	if (!std)
		fclose(f);
	*len = n;
	return buf;
}

/*
 * Reads the module at 'path' into 'out' (binary, or text converted).
 * Returns 0, or prints why and returns 1 (text that does not parse) or
 * WASMIX_EXIT_USAGE (the file cannot be read).
 */
static int load_module(const char *path, wasm_byte_vec_t *out)
{
	char err[512];
	size_t n = 0;

	wasm_byte_vec_new_empty(out);
	char *buf = cli_read_file(path, false, &n);
	if (buf == NULL)
		return WASMIX_EXIT_USAGE;
	if (n >= 4 && memcmp(buf, "\0asm", 4) == 0) {
		wasm_byte_vec_new(out, n, buf);
		free(buf);
		return 0;
	}
	uint8_t *bin = NULL;
	size_t binlen = 0;
	int rc = wasmix_wat2wasm(path, buf, n, &bin, &binlen, err, sizeof err);
	free(buf);
	if (rc != WASMIX_OK) {
		cli_fail("%s", err);
		return 1;
	}
	wasm_byte_vec_new(out, binlen, (const wasm_byte_t *)bin);
	wasmix_free(bin);
	return 0;
}

/* Loads and validates; 0, or prints "FILE: reason" and returns 1 or 2. */
static int load_valid(const char *path, wasm_byte_vec_t *bin)
{
	char err[512];
	int rc = load_module(path, bin);

	if (rc != 0)
		return rc;
	if (wasmix_validate((const uint8_t *)bin->data, bin->size, err,
	                    sizeof err) != WASMIX_OK) {
		cli_fail("%s: %s", path, err);
		wasm_byte_vec_delete(bin);
		return 1;
	}
	return 0;
}

int cli_validate(int argc, char **argv)
{
	int rc = 0;

	if (argc < 3)
		return cli_fail("usage: wasmix validate FILE...");
	for (int i = 2; i < argc; i++) {
		wasm_byte_vec_t bin;
		int r = load_valid(argv[i], &bin);
		if (r == 0) {
			printf("%s: valid\n", argv[i]);
			wasm_byte_vec_delete(&bin);
		} else if (rc == 0) {
			rc = r;
		}
	}
	return rc;
}

/* ---- inspect ------------------------------------------------------------- */

static const char *const section_names[] = {
    "custom", "type",  "import",  "function", "table", "memory",    "global",
    "export", "start", "element", "code",     "data",  "datacount", "tag",
};

/* Reads a LEB128 u32 at *p (< end); false if it runs off or is too long. */
static bool read_u32(const unsigned char **p, const unsigned char *end,
                     uint32_t *out)
{
	uint32_t v = 0;

	for (int shift = 0; shift < 35 && *p < end; shift += 7) {
		unsigned char b = *(*p)++;
		v |= (uint32_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0) {
			*out = v;
			return true;
		}
	}
	return false;
}

/* Prints the sections of a module that has validated. */
static void print_sections(const wasm_byte_vec_t *bin)
{
	const unsigned char *p = (const unsigned char *)bin->data + 8;
	const unsigned char *end = (const unsigned char *)bin->data + bin->size;

	printf("sections:\n");
	while (p < end) {
		unsigned id = *p++;
		uint32_t size, nlen;
		size_t off = (size_t)(p - 1 - (const unsigned char *)bin->data);
		if (!read_u32(&p, end, &size) || size > (size_t)(end - p))
			break;
		const unsigned char *body = p;
		p += size;
		const char *name =
		    id < sizeof section_names / sizeof *section_names
		        ? section_names[id]
		        : "unknown";
		printf("  %-9s offset 0x%zx size %" PRIu32, name, off, size);
		if (id == 0 && read_u32(&body, p, &nlen) &&
		    nlen <= (size_t)(p - body))
			printf(" \"%.*s\"", (int)nlen, (const char *)body);
		printf("\n");
	}
}

/* The name of a wasm.h value kind (for --invoke's arguments). */
static const char *kind_name(wasm_valkind_t k)
{
	switch (k) {
	case WASM_I32:
		return "i32";
	case WASM_I64:
		return "i64";
	case WASM_F32:
		return "f32";
	case WASM_F64:
		return "f64";
	case WASM_FUNCREF:
		return "funcref";
	default:
		return "externref";
	}
}

/* Prints "(t1 t2 ...)" for 'n' value types. */
static void print_valtypes(size_t n, const wasmix_valtype *v)
{
	char name[64];

	printf("(");
	for (size_t i = 0; i < n; i++) {
		wasmix_valtype_name(v[i], name, sizeof name);
		printf("%s%s", i ? " " : "", name);
	}
	printf(")");
}

static void print_limits(const wasmix_limits *l)
{
	printf(" min %" PRIu64, l->min);
	if (l->has_max)
		printf(" max %" PRIu64, l->max);
	if (l->shared)
		printf(" shared");
}

/* "KIND NAME TYPE" for one import or export, as the module declares it
 * (wasmix.h's reflection: wasm.h's views have no v128, exnref, typed
 * references, tags or 64-bit limits). */
static void print_extern(const char *name, size_t len,
                         const wasmix_extern_desc *d)
{
	char vt[64];

	wasmix_valtype_name(d->type, vt, sizeof vt);
	switch (d->kind) {
	case WASMIX_EXTERN_FUNC:
		printf("  func   %.*s ", (int)len, name);
		print_valtypes(d->nparams, d->params);
		printf(" -> ");
		print_valtypes(d->nresults, d->results);
		break;
	case WASMIX_EXTERN_TAG:
		printf("  tag    %.*s ", (int)len, name);
		print_valtypes(d->nparams, d->params);
		break;
	case WASMIX_EXTERN_GLOBAL:
		printf("  global %.*s %s %s", (int)len, name,
		       d->is_mutable ? "mut" : "const", vt);
		break;
	case WASMIX_EXTERN_TABLE:
		printf("  table  %.*s %s%s", (int)len, name,
		       d->limits.is64 ? "i64 " : "", vt);
		print_limits(&d->limits);
		break;
	default:
		printf("  memory %.*s %spages", (int)len, name,
		       d->limits.is64 ? "i64 " : "");
		print_limits(&d->limits);
		break;
	}
	printf("\n");
}

int cli_inspect(int argc, char **argv)
{
	wasm_byte_vec_t bin;
	int rc;

	if (argc != 3)
		return cli_fail("usage: wasmix inspect FILE");
	rc = load_valid(argv[2], &bin);
	if (rc != 0)
		return rc;
	wasm_engine_t *engine = wasm_engine_new();
	wasm_store_t *store = engine ? wasm_store_new(engine) : NULL;
	wasm_module_t *m = store ? wasm_module_new(store, &bin) : NULL;
	if (m == NULL) {
		rc = cli_fail("%s: out of memory", argv[2]);
		goto out;
	}
	printf("module %s: %zu bytes\n", argv[2], bin.size);
	print_sections(&bin);
	size_t nim = wasmix_module_import_count(m);
	printf("imports: %zu\n", nim);
	for (size_t i = 0; i < nim; i++) {
		wasmix_extern_desc d;
		char full[512];
		if (wasmix_module_import(m, i, &d) != WASMIX_OK)
			break;
		int n =
		    snprintf(full, sizeof full, "%.*s.%.*s", (int)d.module_len,
		             d.module, (int)d.name_len, d.name);
		print_extern(full,
		             n < 0                     ? 0
		             : (size_t)n < sizeof full ? (size_t)n
		                                       : sizeof full - 1,
		             &d);
	}
	size_t nex = wasmix_module_export_count(m);
	printf("exports: %zu\n", nex);
	for (size_t i = 0; i < nex; i++) {
		wasmix_extern_desc d;
		if (wasmix_module_export(m, i, &d) != WASMIX_OK)
			break;
		print_extern(d.name, d.name_len, &d);
	}
out:
	wasm_byte_vec_delete(&bin);
	wasm_store_delete(store);
	wasm_engine_delete(engine);
	return rc;
}

/* ---- run --invoke ----------------------------------------------------------
 */

/* What a stub import knows: its store and "MODULE.NAME". */
struct stub {
	wasm_store_t *store;
	char name[512];
};

/* The function behind every function import: traps, naming the import. */
static wasm_trap_t *missing_import(void *env, const wasm_val_vec_t *args,
                                   wasm_val_vec_t *results)
{
	const struct stub *s = env;
	char msg[600];
	wasm_message_t m;

	(void)args;
	(void)results;
	snprintf(msg, sizeof msg, "import %s is not available with --invoke",
	         s->name);
	wasm_name_new_from_string_nt(&m, msg);
	wasm_trap_t *t = wasm_trap_new(s->store, &m);
	wasm_name_delete(&m);
	return t;
}

/* Parses 's' as a value of kind 'k' into 'v'; false if it is not one. */
static bool parse_arg(const char *s, wasm_valkind_t k, wasm_val_t *v)
{
	char *end = NULL;

	errno = 0;
	v->kind = k;
	switch (k) {
	case WASM_I32: {
		long long x = strtoll(s, &end, 0);
		if (x < INT32_MIN || x > (long long)UINT32_MAX)
			return false;
		v->of.i32 = (int32_t)(uint32_t)x;
		break;
	}
	case WASM_I64:
		if (s[0] == '-') {
			v->of.i64 = strtoll(s, &end, 0);
		} else {
			v->of.i64 = (int64_t)strtoull(s, &end, 0);
		}
		break;
	case WASM_F32:
		v->of.f32 = strtof(s, &end);
		errno = 0; /* underflow and overflow round, as wasm does */
		break;
	case WASM_F64:
		v->of.f64 = strtod(s, &end);
		errno = 0;
		break;
	default:
		v->of.ref = NULL;
		return strcmp(s, "null") == 0;
	}
	return errno == 0 && end != s && *end == 0;
}

static void print_val(const wasm_val_t *v)
{
	switch (v->kind) {
	case WASM_I32:
		printf("%" PRId32 "\n", v->of.i32);
		break;
	case WASM_I64:
		printf("%" PRId64 "\n", v->of.i64);
		break;
	case WASM_F32:
		printf("%.9g\n", (double)v->of.f32);
		break;
	case WASM_F64:
		printf("%.17g\n", v->of.f64);
		break;
	default:
		printf("%s\n", v->of.ref ? "ref" : "null");
		break;
	}
}

/* Stubs for the function imports of 'm' into 'out'; false if another
 * kind of import is needed (printed). */
static bool make_imports(wasm_store_t *store, const char *path,
                         const wasm_module_t *m, wasm_extern_vec_t *out,
                         struct stub **stubs)
{
	wasm_importtype_vec_t im;
	bool ok = true;

	wasm_module_imports(m, &im);
	wasm_extern_vec_new_uninitialized(out, im.size);
	*stubs = calloc(im.size ? im.size : 1, sizeof **stubs);
	if (*stubs == NULL || out->size != im.size) {
		cli_fail("out of memory");
		ok = false;
	}
	for (size_t i = 0; ok && i < im.size; i++) {
		const wasm_name_t *mn = wasm_importtype_module(im.data[i]);
		const wasm_name_t *nn = wasm_importtype_name(im.data[i]);
		const wasm_functype_t *ft = wasm_externtype_as_functype_const(
		    wasm_importtype_type(im.data[i]));
		struct stub *s = &(*stubs)[i];
		s->store = store;
		snprintf(s->name, sizeof s->name, "%.*s.%.*s", (int)mn->size,
		         mn->data, (int)nn->size, nn->data);
		if (ft == NULL) {
			cli_fail("%s: --invoke cannot provide import %s (not a "
			         "function)",
			         path, s->name);
			ok = false;
			break;
		}
		wasm_func_t *f =
		    wasm_func_new_with_env(store, ft, missing_import, s, NULL);
		out->data[i] = wasm_func_as_extern(f);
	}
	wasm_importtype_vec_delete(&im);
	return ok;
}

/* The export 'name' of 'inst' (exports of 'm' in the same order). */
static const wasm_func_t *find_export(const wasm_module_t *m,
                                      const wasm_extern_vec_t *xs,
                                      const char *name)
{
	wasm_exporttype_vec_t ex;
	const wasm_func_t *f = NULL;

	wasm_module_exports(m, &ex);
	for (size_t i = 0; i < ex.size && i < xs->size; i++) {
		const wasm_name_t *n = wasm_exporttype_name(ex.data[i]);
		if (n->size == strlen(name) &&
		    memcmp(n->data, name, n->size) == 0)
			f = wasm_extern_as_func_const(xs->data[i]);
	}
	wasm_exporttype_vec_delete(&ex);
	return f;
}

/* Calls 'f' with the parsed 'args' and prints its results. */
static int call_and_print(const wasm_func_t *f, const char *name, int nargs,
                          char **args)
{
	wasm_functype_t *ft = wasm_func_type(f);
	const wasm_valtype_vec_t *ps = wasm_functype_params(ft);
	wasm_val_vec_t av, rv;
	int rc = 0;

	wasm_val_vec_new_uninitialized(&av, ps->size);
	wasm_val_vec_new_uninitialized(&rv, wasm_func_result_arity(f));
	if ((size_t)nargs != ps->size) {
		rc = cli_fail("%s takes %zu argument%s, %d given", name,
		              ps->size, ps->size == 1 ? "" : "s", nargs);
		goto out;
	}
	for (size_t i = 0; i < ps->size; i++) {
		wasm_valkind_t k = wasm_valtype_kind(ps->data[i]);
		if (!parse_arg(args[i], k, &av.data[i])) {
			rc = cli_fail("argument %zu of %s: '%s' is not an %s",
			              i + 1, name, args[i], kind_name(k));
			goto out;
		}
	}
	wasm_trap_t *trap = wasm_func_call(f, &av, &rv);
	if (trap != NULL) {
		wasm_message_t msg;
		wasm_trap_message(trap, &msg);
		fflush(stdout);
		cli_fail("trap: %s", msg.size ? msg.data : "");
		wasm_name_delete(&msg);
		wasm_trap_delete(trap);
		rc = WASMIX_EXIT_TRAP;
		goto out;
	}
	for (size_t i = 0; i < rv.size; i++)
		print_val(&rv.data[i]);
out:
	wasm_val_vec_delete(&rv);
	wasm_val_vec_delete(&av);
	wasm_functype_delete(ft);
	return rc;
}

/* Does function export 'name' of 'm' take or return a v128 (which
 * wasm.h has no value for; wasmix.h's reflection tells)? */
static bool export_has_v128(const wasm_module_t *m, const char *name)
{
	size_t n = wasmix_module_export_count(m);

	for (size_t i = 0; i < n; i++) {
		wasmix_extern_desc d;
		if (wasmix_module_export(m, i, &d) != WASMIX_OK ||
		    d.kind != WASMIX_EXTERN_FUNC ||
		    d.name_len != strlen(name) ||
		    memcmp(d.name, name, d.name_len) != 0)
			continue;
		for (size_t j = 0; j < d.nparams + d.nresults; j++)
			if ((j < d.nparams
			         ? d.params[j]
			         : d.results[j - d.nparams]) == WASMIX_V128)
				return true;
	}
	return false;
}

int cli_invoke(const char *path, const char *name, int nargs, char **args)
{
	wasm_byte_vec_t bin;
	wasm_extern_vec_t imports, xs;
	struct stub *stubs = NULL;
	wasm_trap_t *trap = NULL;
	int rc = load_valid(path, &bin);

	if (rc != 0)
		return WASMIX_EXIT_USAGE;
	wasm_extern_vec_new_empty(&imports);
	wasm_extern_vec_new_empty(&xs);
	wasm_engine_t *engine = wasm_engine_new();
	wasm_store_t *store = engine ? wasm_store_new(engine) : NULL;
	wasm_module_t *m = store ? wasm_module_new(store, &bin) : NULL;
	if (m == NULL) {
		rc = cli_fail("%s: out of memory", path);
		goto out;
	}
	if (!make_imports(store, path, m, &imports, &stubs)) {
		rc = WASMIX_EXIT_USAGE;
		goto out;
	}
	wasm_instance_t *inst = wasm_instance_new(store, m, &imports, &trap);
	if (inst == NULL) {
		wasm_message_t msg;
		wasm_trap_message(trap, &msg);
		/* A start function's trap is a trap; the rest is linking. */
		rc = strncmp(msg.data, "unknown import", 14) == 0 ||
		             strncmp(msg.data, "incompatible import", 19) == 0
		         ? WASMIX_EXIT_USAGE
		         : WASMIX_EXIT_TRAP;
		cli_fail("%s%s: %s", rc == WASMIX_EXIT_TRAP ? "trap: " : "",
		         path, msg.data);
		wasm_name_delete(&msg);
		wasm_trap_delete(trap);
		goto out;
	}
	wasm_instance_exports(inst, &xs);
	const wasm_func_t *f = find_export(m, &xs, name);
	if (f == NULL)
		rc = cli_fail("%s: no exported function '%s'", path, name);
	else if (export_has_v128(m, name))
		rc = cli_fail("%s: %s takes or returns v128, which --invoke "
		              "cannot pass or print",
		              path, name);
	else
		rc = call_and_print(f, name, nargs, args);
out:
	fflush(stdout);
	wasm_extern_vec_delete(&xs);
	wasm_extern_vec_delete(&imports);
	wasm_byte_vec_delete(&bin);
	wasm_store_delete(store);
	wasm_engine_delete(engine);
	free(stubs);
	return rc;
}
