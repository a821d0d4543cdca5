/*
 * wasix_ffi.c: the WASIX imports libffi uses: call_dynamic,
 * reflect_signature (any program: the table is the linker's, else the
 * instance's table 0) and closure_allocate / closure_prepare /
 * closure_free (dynamically linked programs: dl.h's closures; ENOTSUP
 * otherwise, as Wasmer). Marshalling only.
 *
 * Value buffers hold values packed little-endian in order: i32 and f32
 * 4 bytes, i64 and f64 8 (v128 is refused: the engine has no SIMD).
 * Type codes: 0 i32, 1 i64, 2 f32, 3 f64, 4 v128.
 */
#include "wasix/wasix_impl.h"

#include <string.h>

#include "dl/dl.h"

struct vm_table *wasix_func_table(struct wasix_ctx *x)
{
	if (x->dl != NULL && dl_table(x->dl) != NULL)
		return dl_table(x->dl);
	return x->inst != NULL ? vm_instance_table(x->inst, 0) : NULL;
}

/* The function at table slot 'id', or NULL. */
static struct vm_func *wasix_ffi_func(struct wasix_ctx *x, uint32_t id)
{
	struct vm_table *t = wasix_func_table(x);
	uint64_t h = 0;

	if (t == NULL || vm_table_get(t, id, &h) != WX_OK)
		return NULL;
	return (struct vm_func *)(uintptr_t)h;
}

/* Byte size of value type 't' (a wasm valtype), 0 if not a number. */
static unsigned wasix_ffi_size(uint32_t t)
{
	switch (t) {
	case WASM_I32:
	case WASM_F32:
		return 4;
	case WASM_I64:
	case WASM_F64:
		return 8;
	default:
		return 0;
	}
}

/* The type code of wasm valtype 't', or 255. */
static uint8_t wasix_ffi_code(uint32_t t)
{
	switch (t) {
	case WASM_I32:
		return 0;
	case WASM_I64:
		return 1;
	case WASM_F32:
		return 2;
	case WASM_F64:
		return 3;
	case WASM_V128:
		return 4;
	default:
		return 255;
	}
}

/* Packed byte size of 'n' types at 'ts'; 0 and '*bad' for a non-number. */
static uint64_t wasix_ffi_bytes(const uint32_t *ts, uint32_t n, bool *bad)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < n; i++) {
		unsigned s = wasix_ffi_size(ts[i]);
		if (s == 0)
			*bad = true;
		sum += s;
	}
	return sum;
}

/* A function pointer argument (pointer-wide) as a table slot; one past
 * u32 never names a function. */
static uint32_t wasix_ffi_slot(const struct vm_call *c, unsigned i)
{
	uint64_t v = wasi_ptr(c, i);

	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* call_dynamic(fn, values, values_len, results, results_len, strict) */
int wasix_call_dynamic(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	struct vm_func *f = wasix_ffi_func(x, wasix_ffi_slot(c, 0));
	uint64_t vlen = wasi_size(c, 2), rlen = wasi_size(c, 4);
	bool strict = wasi_u32(c, 5) != 0, bad = false;
	const struct wasm_functype *ft;
	uint64_t vneed, rneed, *vals = NULL, off = 0;
	const uint8_t *vp;
	uint8_t *rp;
	struct diag d = {0};
	int rc, code = 0;

	if (f == NULL)
		return wasi_ret(c, WASI_EINVAL);
	ft = vm_func_type(f);
	vneed = wasix_ffi_bytes(ft->types, ft->nparams, &bad);
	rneed = wasix_ffi_bytes(ft->types + ft->nparams, ft->nresults, &bad);
	if (bad || (strict && (vneed != vlen || rneed != rlen)))
		return wasi_ret(c, WASI_EINVAL);
	vp = wasi_mem(c, wasi_ptr(c, 1), vlen);
	if (vp == NULL || wasi_mem(c, wasi_ptr(c, 3), rlen) == NULL)
		return wasi_ret(c, WASI_EFAULT);
	vals = wx_alloc_array((size_t)ft->nparams + ft->nresults + 1,
	                      sizeof *vals);
	if (vals == NULL)
		return wasi_ret(c, WASI_ENOMEM);
	/* Missing values (not strict) are zero. Each byte is read once. */
	for (uint32_t i = 0; i < ft->nparams; i++) {
		unsigned n = wasix_ffi_size(ft->types[i]);
		for (unsigned k = 0; k < n && off + k < vlen; k++)
			vals[i] |= (uint64_t)vp[off + k] << (8 * k);
		off += n;
	}
	rc = vm_invoke(c->store, f, vals, vals + ft->nparams, &code, &d);
	if (rc != WX_OK) {
		wx_free(vals);
		if (rc == WX_EEXIT)
			c->exit_code = code;
		return rc == WX_ETRAP ? vm_call_trap(c, d.msg) : rc;
	}
	/* Memory may have grown (it never moves): look again. */
	rp = wasi_mem(c, wasi_ptr(c, 3), rlen);
	off = 0;
	for (uint32_t i = 0; rp != NULL && i < ft->nresults; i++) {
		unsigned n = wasix_ffi_size(ft->types[ft->nparams + i]);
		for (unsigned k = 0; k < n && off + k < rlen; k++)
			rp[off + k] =
			    (uint8_t)(vals[ft->nparams + i] >> (8 * k));
		off += n;
	}
	wx_free(vals);
	return wasi_ret(c, rp == NULL ? WASI_EFAULT : WASI_ESUCCESS);
}

/* reflect_signature(fn, arg_types, arg_len, res_types, res_len, ret) */
int wasix_reflect_signature(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	uint32_t id = wasix_ffi_slot(c, 0);
	struct vm_func *f = wasix_ffi_func(x, id);
	uint32_t alen = wasi_u32(c, 2) & 0xffff, rlen = wasi_u32(c, 4) & 0xffff;
	uint8_t *out = wasi_mem(c, wasi_ptr(c, 5), 6), *ap, *rp;
	const struct wasm_functype *ft;
	bool closure = x->dl != NULL && dl_is_closure(x->dl, id);

	if (out == NULL)
		return wasi_ret(c, WASI_EFAULT);
	memset(out, 0, 6);
	out[0] = closure ? 0 : 1; /* cacheable */
	if (f == NULL)
		return wasi_ret(c, WASI_EINVAL);
	ft = vm_func_type(f);
	wasi_put_u16(out + 2, (uint16_t)ft->nparams);
	wasi_put_u16(out + 4, (uint16_t)ft->nresults);
	if (ft->nparams > alen || ft->nresults > rlen)
		return wasi_ret(c, WASI_EOVERFLOW);
	for (uint32_t i = 0; i < ft->nparams + ft->nresults; i++)
		if (wasix_ffi_code(ft->types[i]) == 255)
			return wasi_ret(c, WASI_EINVAL);
	ap = wasi_mem(c, wasi_ptr(c, 1), ft->nparams);
	rp = wasi_mem(c, wasi_ptr(c, 3), ft->nresults);
	if (ap == NULL || rp == NULL)
		return wasi_ret(c, WASI_EFAULT);
	for (uint32_t i = 0; i < ft->nparams; i++)
		ap[i] = wasix_ffi_code(ft->types[i]);
	for (uint32_t i = 0; i < ft->nresults; i++)
		rp[i] = wasix_ffi_code(ft->types[ft->nparams + i]);
	return wasi_ret(c, WASI_ESUCCESS);
}

static uint32_t wasix_closure_errno(int rc)
{
	if (rc == WX_OK)
		return WASI_ESUCCESS;
	return rc == WX_ENOMEM || rc == WX_ELIMIT ? WASI_ENOMEM : WASI_EINVAL;
}

/* closure_allocate(ret) */
int wasix_closure_allocate(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	uint32_t slot = 0;
	int rc;

	if (x->dl == NULL)
		return wasi_ret(c, WASI_ENOTSUP);
	rc = dl_closure_allocate(x->dl, &slot);
	if (rc != WX_OK)
		return wasi_ret(c, wasix_closure_errno(rc));
	/* A function pointer: pointer-wide. */
	return wasi_ret(c, wasi_store_size(c, wasi_ptr(c, 0), slot));
}

/* closure_prepare(backing, closure, args, nargs, results, nresults, ud) */
int wasix_closure_prepare(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	uint32_t na = wasi_size32(c, 3), nr = wasi_size32(c, 5);
	uint64_t backing = wasi_ptr(c, 0), slot = wasi_ptr(c, 1);
	uint8_t types[2 * DL_CLOSURE_MAX_VALUES];
	const uint8_t *a, *r;

	if (x->dl == NULL)
		return wasi_ret(c, WASI_ENOTSUP);
	if (na > DL_CLOSURE_MAX_VALUES || nr > DL_CLOSURE_MAX_VALUES ||
	    backing > UINT32_MAX || slot > UINT32_MAX)
		return wasi_ret(c, WASI_EINVAL);
	a = wasi_mem(c, wasi_ptr(c, 2), na);
	r = wasi_mem(c, wasi_ptr(c, 4), nr);
	if (a == NULL || r == NULL)
		return wasi_ret(c, WASI_EFAULT);
	memcpy(types, a, na); /* read once */
	memcpy(types + na, r, nr);
	return wasi_ret(c, wasix_closure_errno(dl_closure_prepare(
	                       x->dl, (uint32_t)backing, (uint32_t)slot, types,
	                       na, types + na, nr, wasi_ptr(c, 6))));
}

/* closure_free(closure) */
int wasix_closure_free(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	uint64_t slot = wasi_ptr(c, 0);

	if (x->dl == NULL)
		return wasi_ret(c, WASI_ENOTSUP);
	return wasi_ret(c,
	                slot <= UINT32_MAX &&
	                        dl_closure_free(x->dl, (uint32_t)slot) == WX_OK
	                    ? WASI_ESUCCESS
	                    : WASI_EINVAL);
}
