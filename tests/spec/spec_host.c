/*
 * spec_host.c: the "spectest" host module (see spec_host.h).
 *
 * The functions share one host callback; its user data is the entry that
 * names the function and its parameter types, so it can print the
 * arguments when the runner is verbose.
 *
 * Keeps true: the export table is filled completely or not at all
 * (spec_host_new returns NULL and frees what it allocated).
 */
#include "spec_host.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One print function: its name and parameter types (at most two). */
struct print_fn {
	const char *name;
	uint8_t nparams;
	uint32_t params[2];
};

static const struct print_fn print_fns[] = {
    {"print", 0, {0, 0}},
    {"print_i32", 1, {WASM_I32, 0}},
    {"print_i64", 1, {WASM_I64, 0}},
    {"print_f32", 1, {WASM_F32, 0}},
    {"print_f64", 1, {WASM_F64, 0}},
    {"print_i32_f32", 2, {WASM_I32, WASM_F32}},
    {"print_f64_f64", 2, {WASM_F64, WASM_F64}},
};

#define NPRINT      (sizeof(print_fns) / sizeof(print_fns[0]))
#define MAX_EXPORTS 16

struct host_export {
	const char *name;
	struct vm_extern ext;
};

/* User data of one print function. */
struct print_ud {
	const struct print_fn *fn;
	bool verbose;
};

struct spec_host {
	struct host_export exports[MAX_EXPORTS];
	size_t n;
	struct print_ud uds[NPRINT];
};

static void print_slot(uint32_t type, uint64_t v)
{
	float f;
	double d;
	uint32_t u32 = (uint32_t)v;

	switch (type) {
	case WASM_I32:
		printf("%" PRId32 " : i32", (int32_t)u32);
		break;
	case WASM_I64:
		printf("%" PRId64 " : i64", (int64_t)v);
		break;
	case WASM_F32:
		memcpy(&f, &u32, sizeof(f));
		printf("%g : f32", (double)f);
		break;
	default:
		memcpy(&d, &v, sizeof(d));
		printf("%g : f64", d);
		break;
	}
}

static int host_print(struct vm_call *call, void *ud)
{
	const struct print_ud *pu = ud;

	if (!pu->verbose)
		return 0;
	printf("spectest.%s(", pu->fn->name);
	for (unsigned i = 0; i < pu->fn->nparams; i++) {
		if (i)
			printf(", ");
		print_slot(pu->fn->params[i], call->args[i]);
	}
	printf(")\n");
	return 0;
}

static int add(struct spec_host *h, const char *name, uint8_t kind, void *obj)
{
	struct host_export *e;

	if (!obj || h->n == MAX_EXPORTS)
		return -1;
	e = &h->exports[h->n++];
	e->name = name;
	e->ext.kind = kind;
	switch (kind) {
	case WASM_EXT_FUNC:
		e->ext.u.func = obj;
		break;
	case WASM_EXT_TABLE:
		e->ext.u.table = obj;
		break;
	case WASM_EXT_MEMORY:
		e->ext.u.memory = obj;
		break;
	default:
		e->ext.u.global = obj;
		break;
	}
	return 0;
}

static int add_funcs(struct spec_host *h, struct vm_store *s, bool verbose)
{
	for (size_t i = 0; i < NPRINT; i++) {
		uint32_t types[2];
		struct wasm_functype ft = {print_fns[i].nparams, 0, types};
		struct vm_func *f;

		memcpy(types, print_fns[i].params, sizeof(types));
		h->uds[i].fn = &print_fns[i];
		h->uds[i].verbose = verbose;
		f = vm_func_new_host(s, &ft, host_print, &h->uds[i]);
		if (add(h, print_fns[i].name, WASM_EXT_FUNC, f))
			return -1;
	}
	return 0;
}

static int add_global(struct spec_host *h, struct vm_store *s, const char *name,
                      uint32_t type, uint64_t v)
{
	struct wasm_globaltype gt = {type, false};

	return add(h, name, WASM_EXT_GLOBAL, vm_global_new(s, &gt, v));
}

static int add_globals(struct spec_host *h, struct vm_store *s)
{
	float f = 666.6f;
	double d = 666.6;
	uint32_t fbits;
	uint64_t dbits;

	memcpy(&fbits, &f, sizeof(fbits));
	memcpy(&dbits, &d, sizeof(dbits));
	if (add_global(h, s, "global_i32", WASM_I32, 666) ||
	    add_global(h, s, "global_i64", WASM_I64, 666) ||
	    add_global(h, s, "global_f32", WASM_F32, fbits) ||
	    add_global(h, s, "global_f64", WASM_F64, dbits))
		return -1;
	return 0;
}

static int add_storage(struct spec_host *h, struct vm_store *s)
{
	struct wasm_tabletype tt = {.elemtype = WASM_FUNCREF,
	                            .limits = {10, 20, true, false, false}};
	struct wasm_tabletype tt64 = {.elemtype = WASM_FUNCREF,
	                              .limits = {10, 20, true, false, true}};
	struct wasm_limits_decl mem = {1, 2, true, false, false};
	struct wasm_limits_decl shared = {1, 2, true, true, false};

	if (add(h, "table", WASM_EXT_TABLE, vm_table_new(s, &tt, 0)) ||
	    add(h, "table64", WASM_EXT_TABLE, vm_table_new(s, &tt64, 0)) ||
	    add(h, "memory", WASM_EXT_MEMORY, vm_memory_new(s, &mem)) ||
	    add(h, "shared_memory", WASM_EXT_MEMORY, vm_memory_new(s, &shared)))
		return -1;
	return 0;
}

struct spec_host *spec_host_new(struct vm_store *s, bool verbose)
{
	struct spec_host *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	if (add_funcs(h, s, verbose) || add_globals(h, s) ||
	    add_storage(h, s)) {
		free(h);
		return NULL;
	}
	return h;
}

void spec_host_free(struct spec_host *h)
{
	free(h);
}

int spec_host_lookup(const struct spec_host *h, const char *name, size_t len,
                     struct vm_extern *out)
{
	for (size_t i = 0; i < h->n; i++) {
		const struct host_export *e = &h->exports[i];

		if (strlen(e->name) == len && memcmp(e->name, name, len) == 0) {
			*out = e->ext;
			return 0;
		}
	}
	return -1;
}
