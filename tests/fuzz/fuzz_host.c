/*
 * fuzz_host.c: the shared half of the fuzz targets (see fuzz_host.h):
 * body wrapping, stub imports and calling every export under fuel.
 *
 * Keeps true: nothing here allocates a size taken from the input without
 * a cap (FUZZ_MAX_INPUT for the wrapped body, wasm_limits for the rest),
 * and every object made lives in the env's store or module.
 */
#include "fuzz_host.h"

#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_ARGS 1024u /* wasm_limits.max_params is 1000 */

/* Everything of the wrapping module before the code section. */
/* clang-format off */
static const uint8_t wrap_head[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    /* type: (i32 i32)->i32, ()->(), (i64 f32 f64)->f64 */
    0x01, 0x11, 0x03, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x00,
    0x60, 0x03, 0x7e, 0x7d, 0x7c, 0x01, 0x7c,
    /* import "env" "h" (func (type 0)) */
    0x02, 0x09, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x68, 0x00, 0x00,
    /* function: 1 -> type 0, 2 -> type 1 */
    0x03, 0x03, 0x02, 0x00, 0x01,
    /* table funcref 4..16 */
    0x04, 0x05, 0x01, 0x70, 0x01, 0x04, 0x10,
    /* memory 1..4 */
    0x05, 0x04, 0x01, 0x01, 0x01, 0x04,
    /* global (mut i32) 0, (mut i64) 0 */
    0x06, 0x0b, 0x02, 0x7f, 0x01, 0x41, 0x00, 0x0b, 0x7e, 0x01, 0x42, 0x00,
    0x0b,
    /* export "f" func 1, "m" memory 0 */
    0x07, 0x09, 0x02, 0x01, 0x66, 0x00, 0x01, 0x01, 0x6d, 0x02, 0x00,
    /* elem: active table 0 at 0: funcs 0, 1 */
    0x09, 0x08, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x00, 0x01,
    /* datacount 1 */
    0x0c, 0x01, 0x01,
};

/* After the code section: one passive data segment "wasmix". */
static const uint8_t wrap_tail[] = {
    0x0b, 0x09, 0x01, 0x01, 0x06, 0x77, 0x61, 0x73, 0x6d, 0x69, 0x78,
};

/* Function 2's code entry: no locals, 'end'. */
static const uint8_t wrap_empty_body[] = {0x02, 0x00, 0x0b};
/* clang-format on */

void fuzz_vm_config(struct vm_config *c, uint64_t fuel)
{
	vm_config_default(c);
	c->max_memory_pages = FUZZ_MAX_PAGES;
	c->max_table_elems = FUZZ_MAX_TABLE;
	c->max_call_depth = FUZZ_MAX_DEPTH;
	c->max_stack_slots = (size_t)1 << 20;
	c->fuel = fuel;
	/* Nothing else runs to notify a wait: without this cap, a wait on a
	 * shared memory with no timeout hangs the target (found by fuzz-ci). */
	c->max_wait_ns = 0;
}

/* Writes 'v' as unsigned LEB128 at 'p'; returns the bytes written. */
static size_t put_leb(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	do {
		uint8_t b = v & 0x7f;
		v >>= 7;
		p[n++] = (uint8_t)(b | (v ? 0x80 : 0));
	} while (v);
	return n;
}

int fuzz_wrap_body(const uint8_t *body, size_t len, uint8_t **out,
                   size_t *out_len)
{
	uint8_t lb[10], sb[10];
	size_t nl = put_leb(lb, len);
	size_t content = 1 + nl + len + sizeof wrap_empty_body;
	size_t ns = put_leb(sb, content);
	size_t total = sizeof wrap_head + 1 + ns + content + sizeof wrap_tail;
	uint8_t *p;

	if (len > FUZZ_MAX_INPUT)
		return WX_ELIMIT;
	p = malloc(total);
	if (p == NULL)
		return WX_ENOMEM;
	*out = p;
	*out_len = total;
	memcpy(p, wrap_head, sizeof wrap_head);
	p += sizeof wrap_head;
	*p++ = 0x0a;
	memcpy(p, sb, ns);
	p += ns;
	*p++ = 2;
	memcpy(p, lb, nl);
	p += nl;
	memcpy(p, body, len);
	p += len;
	memcpy(p, wrap_empty_body, sizeof wrap_empty_body);
	p += sizeof wrap_empty_body;
	memcpy(p, wrap_tail, sizeof wrap_tail);
	return WX_OK;
}

int fuzz_load(struct fuzz_env *e, const uint8_t *data, size_t size)
{
	size_t len;
	int rc;

	if (size > FUZZ_MAX_INPUT)
		return WX_ELIMIT;
	if (size < 4 || memcmp(data, "\0asm", 4) != 0) {
		rc = fuzz_wrap_body(data, size, &e->wrapped, &len);
		if (rc != WX_OK)
			return rc;
		data = e->wrapped;
		size = len;
	}
	rc = wasm_decode(data, size, NULL, &e->mod, &e->diag);
	if (rc == WX_OK)
		rc = wasm_validate(e->mod, &e->diag);
	return rc;
}

/* The stub behind every imported function: results stay zero. */
static int fuzz_stub_fn(struct vm_call *call, void *ud)
{
	(void)call;
	(void)ud;
	return WX_OK;
}

/* vm_resolve_fn: a fresh object of the import's own type. */
static int fuzz_resolve(void *ud, const struct wasm_import *imp,
                        struct vm_extern *out)
{
	struct fuzz_env *e = ud;
	const struct wasm_module *m = e->mod;

	out->kind = imp->kind;
	switch (imp->kind) {
	case WASM_EXT_FUNC:
		out->u.func = vm_func_new_host(
		    e->store, &m->types[imp->d.func_type], fuzz_stub_fn, NULL);
		return out->u.func == NULL ? WX_ENOMEM : WX_OK;
	case WASM_EXT_TABLE: /* the reason: out of memory or a cap */
		return vm_table_make(e->store, &imp->d.table, 0, &out->u.table);
	case WASM_EXT_MEMORY:
		return vm_memory_make(e->store, &imp->d.memory, &out->u.memory);
	case WASM_EXT_GLOBAL:
		out->u.global = vm_global_new(e->store, &imp->d.global, 0);
		return out->u.global == NULL ? WX_ENOMEM : WX_OK;
	default:
		return WX_ELINK; /* vm_resolve_fn: not one of ours */
	}
}

int fuzz_instantiate(struct fuzz_env *e, const struct vm_config *cfg)
{
	e->store = vm_store_new(cfg);
	if (e->store == NULL)
		return WX_ENOMEM;
	diag_clear(&e->diag);
	return vm_instantiate(e->store, e->mod, fuzz_resolve, e, &e->inst,
	                      &e->diag);
}

/* Picks an edge value of type 't' by 'k'. */
static uint64_t fuzz_edge(uint32_t t, unsigned k)
{
	static const uint32_t i32s[] = {
	    0,  1,       0xffffffffu, 0x7fffffffu, 0x80000000u,
	    42, 0x10000, 7,           0xfffffff0u, 3};
	static const uint64_t i64s[] = {0,
	                                1,
	                                UINT64_MAX,
	                                INT64_MAX,
	                                (uint64_t)1 << 63,
	                                42,
	                                (uint64_t)1 << 32,
	                                7,
	                                0xfffffffffffffff0u,
	                                0x123456789abcdefu};
	static const uint32_t f32s[] = {
	    0,          0x3f800000, 0xbfc00000, 0x7f800000, 0xff800000,
	    0x7fc00000, 0x80000000, 0x4f000000, 0x00000001, 0x42280000};
	static const uint64_t f64s[] = {0,
	                                0x3ff0000000000000u,
	                                0xbff8000000000000u,
	                                0x7ff0000000000000u,
	                                0xfff0000000000000u,
	                                0x7ff8000000000000u,
	                                0x8000000000000000u,
	                                0x41e0000000000000u,
	                                0x0000000000000001u,
	                                0x4045000000000000u};

	k %= 10;
	switch (t) {
	case WASM_I32:
		return i32s[k];
	case WASM_I64:
		return i64s[k];
	case WASM_F32:
		return f32s[k];
	case WASM_F64:
		return f64s[k];
	default:
		return 0; /* null reference */
	}
}

void fuzz_args(const struct wasm_functype *ft, unsigned round, uint32_t seed,
               uint64_t *args)
{
	for (uint32_t i = 0; i < ft->nparams; i++)
		args[i] = round == 0 ? 0
		                     : fuzz_edge(ft->types[i],
		                                 seed + round * 31u + i * 7u);
}

/* Makes one call of export 'ex'; returns its vm_invoke code. */
static int fuzz_call_one(struct fuzz_env *e, const struct wasm_export *ex,
                         unsigned round, uint32_t seed, fuzz_call_fn cb,
                         void *ud)
{
	static uint64_t args[FUZZ_MAX_ARGS], results[FUZZ_MAX_ARGS];
	const struct wasm_functype *ft;
	struct vm_extern ext;
	int rc;

	if (vm_instance_export(e->inst, ex->name, ex->name_len, &ext) != 0 ||
	    ext.kind != WASM_EXT_FUNC)
		return WX_EARG;
	ft = vm_func_type(ext.u.func);
	if (ft->nparams > FUZZ_MAX_ARGS || ft->nresults > FUZZ_MAX_ARGS)
		return WX_EARG;
	fuzz_args(ft, round, seed, args);
	memset(results, 0, ft->nresults * sizeof results[0]);
	diag_clear(&e->diag);
	rc = vm_invoke(e->store, ext.u.func, args, results, NULL, &e->diag);
	if (cb != NULL)
		cb(ud, ex, ft, args, rc, results, e->diag.msg);
	return rc;
}

unsigned fuzz_call_exports(struct fuzz_env *e, unsigned rounds, uint32_t seed,
                           fuzz_call_fn cb, void *ud)
{
	const struct wasm_module *m = e->mod;
	unsigned calls = 0;
	int rc;

	for (unsigned r = 0; r < rounds; r++) {
		for (uint32_t i = 0; i < m->nexports; i++) {
			if (m->exports[i].kind != WASM_EXT_FUNC)
				continue;
			rc = fuzz_call_one(e, &m->exports[i], r, seed, cb, ud);
			calls++;
			if (rc == WX_EEXIT ||
			    (rc == WX_ETRAP &&
			     strstr(e->diag.msg, "fuel") != NULL))
				return calls;
		}
	}
	return calls;
}

void fuzz_env_free(struct fuzz_env *e)
{
	vm_store_free(e->store);
	wasm_module_free(e->mod);
	free(e->wrapped);
	memset(e, 0, sizeof *e);
}

uint32_t fuzz_hash(uint32_t h, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}
