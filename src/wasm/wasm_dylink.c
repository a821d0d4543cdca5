/*
 * wasm_dylink.c: reads the "dylink.0" custom section (and the legacy
 * "dylink" one LLVM wrote before 13) of a position-independent module.
 *
 * Layout (tool-conventions DynamicLinking.md): subsections of
 * [type u8][size u32][payload]; 1 memory info (mem size, mem align, table
 * size, table align), 2 needed libraries (vec(name)), 3 export info
 * (vec(name, flags)), 4 import info (vec(module, name, flags)), 5 runtime
 * paths (vec(name)). The legacy section is the memory info followed by the
 * needed list, with no subsection header.
 *
 * Keeps true: counts are bounded by the bytes left (every entry takes at
 * least one byte) before an array is allocated, and a subsection never
 * reads past its own size.
 */
#include "wasm/wasm_dylink.h"

#include <string.h>

#include "base/leb128.h"

struct dyl_reader {
	const uint8_t *p, *end;
	struct diag *diag;
};

static int dyl_fail(struct dyl_reader *r, const char *what)
{
	return diag_set(r->diag, WX_EMALFORMED, "dylink.0: %s", what);
}

static int dyl_u32(struct dyl_reader *r, uint32_t *v)
{
	if (leb_read_u32(&r->p, r->end, v) != LEB_OK)
		return dyl_fail(r, "bad LEB128 number");
	return WX_OK;
}

static int dyl_name(struct dyl_reader *r, struct wasm_dylink_name *n)
{
	uint32_t len;
	int err = dyl_u32(r, &len);

	if (err != WX_OK)
		return err;
	if (len > (size_t)(r->end - r->p))
		return dyl_fail(r, "name past the end of the section");
	n->name = (const char *)r->p;
	n->len = len;
	r->p += len;
	return WX_OK;
}

/* A count of entries of at least 'min' bytes each, and their array. */
static int dyl_vec(struct dyl_reader *r, size_t min, size_t size, uint32_t *n,
                   void **arr)
{
	int err = dyl_u32(r, n);

	if (err != WX_OK)
		return err;
	if ((uint64_t)*n * min > (uint64_t)(r->end - r->p))
		return dyl_fail(r, "count larger than the section");
	if (*arr != NULL)
		return dyl_fail(r, "repeated subsection");
	*arr = wx_alloc_array(*n ? *n : 1, size);
	return *arr == NULL ? WX_ENOMEM : WX_OK;
}

static int dyl_names(struct dyl_reader *r, uint32_t *n,
                     struct wasm_dylink_name **out)
{
	int err = dyl_vec(r, 1, sizeof **out, n, (void **)out);

	for (uint32_t i = 0; err == WX_OK && i < *n; i++)
		err = dyl_name(r, &(*out)[i]);
	return err;
}

static int dyl_syms(struct dyl_reader *r, bool imports, uint32_t *n,
                    struct wasm_dylink_sym **out)
{
	int err = dyl_vec(r, imports ? 3 : 2, sizeof **out, n, (void **)out);

	for (uint32_t i = 0; err == WX_OK && i < *n; i++) {
		struct wasm_dylink_sym *s = &(*out)[i];

		if (imports)
			err = dyl_name(r, &s->module);
		if (err == WX_OK)
			err = dyl_name(r, &s->name);
		if (err == WX_OK)
			err = dyl_u32(r, &s->flags);
	}
	return err;
}

static int dyl_mem_info(struct dyl_reader *r, struct wasm_dylink *d)
{
	int err = dyl_u32(r, &d->mem_size);

	if (err == WX_OK)
		err = dyl_u32(r, &d->mem_align);
	if (err == WX_OK)
		err = dyl_u32(r, &d->table_size);
	if (err == WX_OK)
		err = dyl_u32(r, &d->table_align);
	if (err == WX_OK && (d->mem_align > 16 || d->table_align > 16))
		err = dyl_fail(r, "alignment above 2^16");
	return err;
}

/* One subsection whose payload is [r->p, r->end). */
static int dyl_sub(struct dyl_reader *r, uint8_t type, struct wasm_dylink *d)
{
	switch (type) {
	case 1:
		return dyl_mem_info(r, d);
	case 2:
		return dyl_names(r, &d->nneeded, &d->needed);
	case 3:
		return dyl_syms(r, false, &d->nexports, &d->exports);
	case 4:
		return dyl_syms(r, true, &d->nimports, &d->imports);
	case 5:
		return dyl_names(r, &d->nrpaths, &d->rpaths);
	default:
		r->p = r->end; /* a later convention's: not ours to read */
		return WX_OK;
	}
}

int wasm_dylink_read(const struct wasm_module *m, struct wasm_dylink *out,
                     struct diag *diag)
{
	struct dyl_reader r = {m->dylink, m->dylink + m->dylink_len, diag};
	int err = WX_OK;

	memset(out, 0, sizeof *out);
	if (m->dylink == NULL)
		return diag_set(diag, WX_EMALFORMED, "no dylink.0 section");
	if (m->dylink_legacy) {
		err = dyl_mem_info(&r, out);
		if (err == WX_OK)
			err = dyl_names(&r, &out->nneeded, &out->needed);
		goto done;
	}
	while (err == WX_OK && r.p < r.end) {
		uint32_t size;
		uint8_t type = *r.p++;
		struct dyl_reader sub = r;

		err = dyl_u32(&r, &size);
		if (err != WX_OK)
			break;
		if (size > (size_t)(r.end - r.p)) {
			err = dyl_fail(&r, "subsection past the end");
			break;
		}
		sub.p = r.p;
		sub.end = r.p + size;
		err = dyl_sub(&sub, type, out);
		if (err == WX_OK && sub.p != sub.end)
			err = dyl_fail(&r, "subsection size mismatch");
		r.p += size;
	}
done:
	if (err != WX_OK)
		wasm_dylink_free(out);
	return err;
}

void wasm_dylink_free(struct wasm_dylink *d)
{
	wx_free(d->needed);
	wx_free(d->exports);
	wx_free(d->imports);
	wx_free(d->rpaths);
	memset(d, 0, sizeof *d);
}

static bool dyl_is(const struct wasm_dylink_name *n, const char *s, size_t len)
{
	return n->len == len && memcmp(n->name, s, len) == 0;
}

uint32_t wasm_dylink_import_flags(const struct wasm_dylink *d,
                                  const char *module, size_t module_len,
                                  const char *name, size_t name_len)
{
	for (uint32_t i = 0; i < d->nimports; i++)
		if ((module == NULL ||
		     dyl_is(&d->imports[i].module, module, module_len)) &&
		    dyl_is(&d->imports[i].name, name, name_len))
			return d->imports[i].flags;
	return 0;
}

uint32_t wasm_dylink_export_flags(const struct wasm_dylink *d, const char *name,
                                  size_t name_len)
{
	for (uint32_t i = 0; i < d->nexports; i++)
		if (dyl_is(&d->exports[i].name, name, name_len))
			return d->exports[i].flags;
	return 0;
}
