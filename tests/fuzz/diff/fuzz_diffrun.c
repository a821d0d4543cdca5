/*
 * fuzz_diffrun.c: the wasmix half of the differential test
 * (fuzz_diff.mjs runs the same calls under node's V8 and compares).
 *
 *   fuzz_diffrun FILE.wasm
 *
 * Decodes, validates and instantiates FILE (stub imports, fuzz_host.c),
 * calls every exported function in two rounds (fuzz_args) under a fuel
 * budget and prints, one line each:
 *
 *   import MODHEX NAMEHEX func P1,P2 R1,R2   (valtypes as i32/i64/...)
 *   import MODHEX NAMEHEX memory MIN MAX|- SHARED
 *   import MODHEX NAMEHEX table ELEM MIN MAX|-
 *   import MODHEX NAMEHEX global TYPE MUT
 *   inst ok | inst invalid MSG | inst trap MSG | inst fuel | inst error MSG
 *   call NAMEHEX ARGS => ok RESULTS | trap MSG | fuel | exit
 *   state NAMEHEX=mem:PAGES:HASH NAMEHEX=global:VALUE
 *         NAMEHEX=table:SIZE:HASH ...
 *
 * Names are hex so any UTF-8 survives; values are TYPE:HEXBITS, NaNs as
 * TYPE:nan (their payload is not deterministic), references ref:null or
 * ref:nonnull. A 'state' line follows every call and the instantiation:
 * the hash of each exported memory, the value of each exported global,
 * and the size and a hash of the elements of each exported table (see
 * table_hash).
 * Exit status 0 unless the file cannot be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_host.h"

#define DIFF_FUEL 20000000u

static void put_hex(const char *s, size_t n)
{
	if (n == 0)
		fputs("-", stdout);
	for (size_t i = 0; i < n; i++)
		printf("%02x", (unsigned char)s[i]);
}

static const char *type_name(uint32_t t)
{
	/* (ref $t), (ref func), ... print as their top type. */
	switch (wasm_is_reftype(t) ? wasm_vt_top(t) : t) {
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
	case WASM_EXTERNREF:
		return "externref";
	default:
		return "?";
	}
}

/* Prints one value of type 't' as TYPE:HEX (NaN and references folded). */
static void put_value(uint32_t t, uint64_t v)
{
	if (t == WASM_F32 && (v & 0x7f800000u) == 0x7f800000u &&
	    (v & 0x7fffffu) != 0)
		fputs("f32:nan", stdout);
	else if (t == WASM_F64 &&
	         (v & 0x7ff0000000000000u) == 0x7ff0000000000000u &&
	         (v & 0xfffffffffffffu) != 0)
		fputs("f64:nan", stdout);
	else if (wasm_is_reftype(t))
		fputs(v ? "ref:nonnull" : "ref:null", stdout);
	else
		printf("%s:%llx", type_name(t), (unsigned long long)v);
}

static void put_types(const uint32_t *t, uint32_t n)
{
	if (n == 0)
		fputs("-", stdout);
	for (uint32_t i = 0; i < n; i++)
		printf("%s%s", i ? "," : "", type_name(t[i]));
}

static void put_imports(const struct wasm_module *m)
{
	for (uint32_t i = 0; i < m->nimports; i++) {
		const struct wasm_import *im = &m->imports[i];
		const struct wasm_functype *ft;
		const struct wasm_limits_decl *l;

		fputs("import ", stdout);
		put_hex(im->module, im->module_len);
		fputs(" ", stdout);
		put_hex(im->name, im->name_len);
		switch (im->kind) {
		case WASM_EXT_FUNC:
			ft = &m->types[im->d.func_type];
			fputs(" func ", stdout);
			put_types(ft->types, ft->nparams);
			fputs(" ", stdout);
			put_types(ft->types + ft->nparams, ft->nresults);
			break;
		case WASM_EXT_MEMORY:
		case WASM_EXT_TABLE:
			l = im->kind == WASM_EXT_MEMORY ? &im->d.memory
			                                : &im->d.table.limits;
			if (im->kind == WASM_EXT_MEMORY)
				printf(" memory %llu",
				       (unsigned long long)l->min);
			else
				printf(" table %s %llu",
				       type_name(im->d.table.elemtype),
				       (unsigned long long)l->min);
			if (l->has_max)
				printf(" %llu", (unsigned long long)l->max);
			else
				fputs(" -", stdout);
			if (im->kind == WASM_EXT_MEMORY)
				printf(" %d", l->shared ? 1 : 0);
			break;
		default:
			printf(" global %s %d", type_name(im->d.global.valtype),
			       im->d.global.mut ? 1 : 0);
		}
		fputs("\n", stdout);
	}
}

/* FNV-1a of 'n' bytes of 's' continued from 'h'. */
static uint32_t hash_str(uint32_t h, const char *s, size_t n)
{
	return fuzz_hash(h, (const uint8_t *)s, n);
}

/*
 * Hashes the element list of 'tab': per element, "-" for null, the hex
 * name (maybe empty) of the first export of that function, or "?" (not
 * exported, or an externref), joined by ",". fuzz_diff.mjs builds the
 * same string from V8's table.get (exported functions are the same JS
 * object wherever they come from).
 */
static uint32_t table_hash(struct fuzz_env *e, struct vm_table *tab)
{
	const struct wasm_module *m = e->mod;
	uint32_t h = 2166136261u;
	struct vm_extern x;
	char hex[3];
	uint64_t n = vm_table_size(tab), v;

	for (uint64_t i = 0; i < n; i++) {
		const struct wasm_export *hit = NULL;

		if (i > 0)
			h = hash_str(h, ",", 1);
		if (vm_table_get(tab, i, &v) != WX_OK || v == 0) {
			h = hash_str(h, "-", 1);
			continue;
		}
		for (uint32_t k = 0; k < m->nexports && hit == NULL; k++)
			if (m->exports[k].kind == WASM_EXT_FUNC &&
			    vm_instance_export(e->inst, m->exports[k].name,
			                       m->exports[k].name_len,
			                       &x) == WX_OK &&
			    (uint64_t)(uintptr_t)x.u.func == v)
				hit = &m->exports[k];
		if (hit == NULL) {
			h = hash_str(h, "?", 1);
			continue;
		}
		for (uint32_t c = 0; c < hit->name_len; c++) {
			snprintf(hex, sizeof hex, "%02x",
			         (unsigned char)hit->name[c]);
			h = hash_str(h, hex, 2);
		}
	}
	return h;
}

/* The 'state' line: exported memories, globals and tables. */
static void put_state(struct fuzz_env *e)
{
	const struct wasm_module *m = e->mod;
	struct vm_extern x;

	fputs("state", stdout);
	for (uint32_t i = 0; i < m->nexports; i++) {
		const struct wasm_export *ex = &m->exports[i];

		if ((ex->kind != WASM_EXT_MEMORY &&
		     ex->kind != WASM_EXT_GLOBAL &&
		     ex->kind != WASM_EXT_TABLE) ||
		    vm_instance_export(e->inst, ex->name, ex->name_len, &x))
			continue;
		fputs(" ", stdout);
		put_hex(ex->name, ex->name_len);
		if (ex->kind == WASM_EXT_MEMORY) {
			uint64_t n = vm_memory_size(x.u.memory);
			printf("=mem:%llu:%08x",
			       (unsigned long long)(n / 65536),
			       fuzz_hash(2166136261u,
			                 vm_memory_data(x.u.memory), n));
		} else if (ex->kind == WASM_EXT_TABLE) {
			printf("=table:%llu:%08x",
			       (unsigned long long)vm_table_size(x.u.table),
			       table_hash(e, x.u.table));
		} else {
			fputs("=global:", stdout);
			put_value(vm_global_type(x.u.global)->valtype,
			          vm_global_get(x.u.global));
		}
	}
	fputs("\n", stdout);
}

/* fuzz_call_fn: prints the 'call' and 'state' lines of one call. */
static void put_call(void *ud, const struct wasm_export *ex,
                     const struct wasm_functype *ft, const uint64_t *args,
                     int rc, const uint64_t *results, const char *msg)
{
	fputs("call ", stdout);
	put_hex(ex->name, ex->name_len);
	for (uint32_t i = 0; i < ft->nparams; i++) {
		fputs(" ", stdout);
		put_value(ft->types[i], args[i]);
	}
	fputs(" =>", stdout);
	if (rc == WX_OK) {
		fputs(" ok", stdout);
		for (uint32_t i = 0; i < ft->nresults; i++) {
			fputs(" ", stdout);
			put_value(ft->types[ft->nparams + i], results[i]);
		}
	} else if (rc == WX_ETRAP && strstr(msg, "fuel") != NULL) {
		fputs(" fuel", stdout);
	} else if (rc == WX_ETRAP) {
		printf(" trap %s", msg);
	} else {
		printf(" error %d %s", rc, msg);
	}
	fputs("\n", stdout);
	put_state(ud);
}

/* Loads, instantiates and calls; prints everything it learns. */
static void diff_run(struct fuzz_env *e, const uint8_t *data, size_t len)
{
	struct vm_config cfg;
	int rc;

	if (fuzz_load(e, data, len) != WX_OK) {
		printf("inst invalid %s\n", e->diag.msg);
		return;
	}
	put_imports(e->mod);
	/* V8's own caps: memory up to 65536 pages, deep recursion. */
	vm_config_default(&cfg);
	cfg.fuel = DIFF_FUEL;
	cfg.max_table_elems = FUZZ_MAX_TABLE * 1000;
	rc = fuzz_instantiate(e, &cfg);
	if (rc == WX_ETRAP && strstr(e->diag.msg, "fuel") != NULL) {
		printf("inst fuel\n");
		return;
	}
	if (rc != WX_OK) {
		printf("inst %s %s\n", rc == WX_ETRAP ? "trap" : "error",
		       e->diag.msg);
		return;
	}
	printf("inst ok\n");
	put_state(e);
	(void)fuzz_call_exports(e, 2, fuzz_hash(2166136261u, data, len),
	                        put_call, e);
}

int main(int argc, char **argv)
{
	struct fuzz_env e = {0};
	uint8_t *buf;
	size_t len;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: fuzz_diffrun FILE.wasm\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	buf = malloc((size_t)FUZZ_MAX_INPUT + 1);
	if (f == NULL || buf == NULL) {
		fprintf(stderr, "fuzz_diffrun: cannot read %s\n", argv[1]);
		free(buf);
		if (f != NULL)
			fclose(f);
		return 1;
	}
	len = fread(buf, 1, (size_t)FUZZ_MAX_INPUT + 1, f);
	fclose(f);
	diff_run(&e, buf, len);
	fuzz_env_free(&e);
	free(buf);
	return 0;
}
