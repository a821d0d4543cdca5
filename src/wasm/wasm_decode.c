/*
 * wasm_decode.c: the WebAssembly binary decoder (WebAssembly 2.0 with
 * SIMD, 3.0's relaxed SIMD, plus the threads proposal's shared memories and atomics, and
 * 3.0's exception handling, legacy encoding included, tail calls and
 * multiple memories).
 *
 * Turns bytes into a 'struct wasm_module' and rejects every malformed
 * encoding with the specification's wording. Typing is the validator's
 * business (wasm_validate.c); this file only decides what the bytes say.
 *
 * Reading follows the reference interpreter's model so that messages
 * match the spec tests: one cursor over the whole input, bounded by its
 * end; a length is "out of bounds" when it exceeds the bytes left after
 * its own first byte; running off the end is "unexpected end of section
 * or function"; a section or function body that consumed a different
 * number of bytes than it declared is a "section size mismatch".
 *
 * Keeps true:
 *  - No read at or past the end of the input, whatever the input.
 *  - Every count is checked against the remaining bytes (each item needs
 *    at least one) and against 'struct wasm_limits' before it sizes an
 *    allocation.
 *  - Every function owns one exit path; a failed decode frees everything
 *    it allocated (wasm_module_free copes with a half-built module).
 *  - Every function body and constant expression was scanned to the end:
 *    known opcodes, well-formed immediates, balanced block/else/end.
 */
#include <string.h>

#include "base/leb128.h"
#include "wasm/wasm_module.h"

#define MSG_EOS "unexpected end of section or function"

void wasm_limits_default(struct wasm_limits *l)
{
	l->max_module_bytes = (size_t)1 << 30;
	l->max_types = 1000000;
	l->max_funcs = 1000000;
	l->max_imports = 100000;
	l->max_exports = 100000;
	l->max_globals = 1000000;
	l->max_tables = 100000;
	l->max_memories = 100;
	l->max_segments = 100000;
	l->max_params = 1000;
	l->max_locals = 50000;
	l->max_total_locals = (uint64_t)1 << 25;
	l->max_br_table = 1000000;
	l->max_elem_items = 10000000;
	l->wasm2 = false;
	l->bodies_known = false;
}

/* ------------------------------------------------------------------------ */
/* Block types                                                              */

uint32_t wasm_canon_vt(const struct wasm_module *m, uint32_t t)
{
	if (wasm_vt_has_index(t) && m->type_canon != NULL &&
	    wasm_vt_index(t) < m->ntypes)
		t = wasm_ref_idx(m->type_canon[wasm_vt_index(t)],
		                 wasm_vt_nullable(t));
	return t;
}

void wasm_blocktype(const struct wasm_module *m, int64_t bt, uint32_t vt,
                    uint32_t *one, uint32_t *np, const uint32_t **params,
                    uint32_t *nr, const uint32_t **results)
{
	*np = 0;
	*nr = 0;
	*params = NULL;
	*results = NULL;
	if (bt >= 0) {
		if ((uint64_t)bt < m->ntypes) {
			const struct wasm_functype *ft = &m->types[bt];
			*np = ft->nparams;
			*params = ft->types;
			*nr = ft->nresults;
			*results = ft->types + ft->nparams;
		}
		return;
	}
	if (bt == WASM_BT_VALUE) {
		*one = wasm_canon_vt(m, vt);
		*nr = 1;
		*results = one;
	}
}

/* ------------------------------------------------------------------------ */
/* Immediates (shared with the validator and the VM)                        */

#define MSG_GC "GC not supported"

/*
 * The abstract heap type (or reference shorthand) byte 'b': 0 when it
 * is none; *why is set for the GC ones.
 */
static uint32_t abstract_heap(uint8_t b, const char **why)
{
	switch (b) {
	case WASM_FUNCREF:
	case WASM_EXTERNREF:
	case WASM_EXNREF:
	case WASM_NULLFUNCREF:
	case WASM_NULLEXTERNREF:
	case WASM_NULLEXNREF:
		return b;
	case 0x6e: /* any */
	case 0x6d: /* eq */
	case 0x6c: /* i31 */
	case 0x6b: /* struct */
	case 0x6a: /* array */
	case 0x71: /* none */
		*why = MSG_GC;
		return 0;
	default:
		return 0;
	}
}

/* A heap type (s33): an abstract one, or a type index (raw). */
static bool imm_heaptype(const uint8_t **q, const uint8_t *end, uint32_t *ht,
                         const char **why)
{
	int64_t v;
	int e = leb_read_s33(q, end, &v);

	if (e != LEB_OK) {
		*why = e == LEB_EEND ? MSG_EOS : leb_strerror(e);
		return false;
	}
	if (v >= 0) {
		/* Beyond any module's types: the validator says "unknown". */
		uint32_t idx = v > WASM_MAX_TYPEIDX ? WASM_MAX_TYPEIDX
		                                    : (uint32_t)v;
		*ht = WASM_HT_TYPEIDX | (idx << WASM_VT_IDX_SHIFT);
		return true;
	}
	*why = NULL;
	*ht = v >= -64 ? abstract_heap((uint8_t)(v + 0x80), why) : 0;
	if (*ht != 0)
		return true;
	if (*why == NULL)
		*why = "malformed heap type";
	return false;
}

/*
 * A value type at *q: a numeric type, a reference shorthand or 0x63/0x64
 * with a heap type. With 'ref_only' anything but a reference type is
 * "malformed reference type". Type indices are left raw.
 */
static bool imm_valtype(const uint8_t **q, const uint8_t *end, uint32_t *t,
                        bool ref_only, const char **why)
{
	uint8_t b;
	uint32_t ht;

	if (*q >= end) {
		*why = MSG_EOS;
		return false;
	}
	b = **q;
	*why = NULL;
	switch (b) {
	case WASM_I32:
	case WASM_I64:
	case WASM_F32:
	case WASM_F64:
		if (ref_only)
			break;
		(*q)++;
		*t = b;
		return true;
	case WASM_V128:
		if (ref_only)
			break;
		(*q)++;
		*t = b;
		return true;
	case 0x63:
	case 0x64:
		(*q)++;
		if (!imm_heaptype(q, end, &ht, why))
			return false;
		*t = wasm_ref_type(ht, b == 0x63);
		return true;
	default:
		*t = abstract_heap(b, why);
		if (*t != 0) {
			(*q)++;
			return true;
		}
		break;
	}
	if (*why == NULL)
		*why = ref_only ? "malformed reference type"
		                : "malformed value type";
	return false;
}

static bool imm_u32(const uint8_t **q, const uint8_t *end, uint32_t *v,
                    const char **why)
{
	int e = leb_read_u32(q, end, v);

	if (e == LEB_OK)
		return true;
	*why = e == LEB_EEND ? MSG_EOS : leb_strerror(e);
	return false;
}

/*
 * memarg flags then offset. The flags are the alignment exponent below
 * 2^6; 2^6 to 2^7 - 1 announce a memory index (multi-memory, which the
 * engine does not decode yet); anything larger is malformed (3.0).
 */
static bool imm_memarg(const uint8_t **q, const uint8_t *end,
                       struct wasm_instr_imm *imm, const char **why)
{
	if (!imm_u32(q, end, &imm->x, why))
		return false;
	if (imm->x >= 0x80) {
		*why = "malformed memop flags";
		return false;
	}
	/* Multi-memory: alignment flag 2^6 announces a memory index. */
	if (imm->x >= 0x40) {
		imm->x -= 0x40;
		if (!imm_u32(q, end, &imm->mem, why))
			return false;
	}
	/* The offset is a u64 (memory64); the validator bounds it to u32
	 * for 32-bit memories. */
	int e = leb_read_u64(q, end, &imm->value);
	if (e != LEB_OK) {
		*why = e == LEB_EEND ? MSG_EOS : leb_strerror(e);
		return false;
	}
	imm->y = (uint32_t)imm->value;
	return true;
}

static bool imm_zero(const uint8_t **q, const uint8_t *end, const char **why)
{
	if (*q >= end) {
		*why = MSG_EOS;
		return false;
	}
	if (**q != 0) {
		*why = "zero byte expected";
		return false;
	}
	(*q)++;
	return true;
}

static bool imm_fixed(const uint8_t **q, const uint8_t *end, unsigned n,
                      uint64_t *v, const char **why)
{
	uint8_t b[8];

	if (leb_read_fixed(q, end, b, n) != LEB_OK) {
		*why = MSG_EOS;
		return false;
	}
	*v = 0;
	for (unsigned i = 0; i < n; i++)
		*v |= (uint64_t)b[i] << (8 * i);
	return true;
}

/* 0x40, a value type, or a type index (s33 >= 0). */
static bool imm_blocktype(const uint8_t **q, const uint8_t *end, int64_t *bt,
                          uint32_t *vt, const char **why)
{
	const uint8_t *at = *q;
	int e = leb_read_s33(q, end, bt);

	if (e != LEB_OK) {
		*why = e == LEB_EEND ? MSG_EOS : leb_strerror(e);
		return false;
	}
	if (*bt >= 0 || *bt == WASM_BT_EMPTY)
		return true;
	/* A value type is one byte (0x63/0x64 then a heap type). */
	*q = at;
	*bt = WASM_BT_VALUE;
	return imm_valtype(q, end, vt, false, why);
}

/* A vec of LEB128 u32 labels: checks them, keeps where they start. */
static bool imm_br_table(const uint8_t **q, const uint8_t *end,
                         struct wasm_instr_imm *imm, const char **why)
{
	const uint8_t *at = *q;
	uint32_t n, label;

	if (!imm_u32(q, end, &n, why))
		return false;
	if (n > (size_t)(end - at)) {
		*q = at;
		*why = "length out of bounds";
		return false;
	}
	imm->vec = *q;
	imm->nvec = n;
	for (uint32_t i = 0; i < n; i++)
		if (!imm_u32(q, end, &label, why))
			return false;
	return imm_u32(q, end, &imm->x, why);
}

static bool imm_select_t(const uint8_t **q, const uint8_t *end,
                         struct wasm_instr_imm *imm, const char **why)
{
	const uint8_t *at = *q;
	uint32_t n;

	if (!imm_u32(q, end, &n, why))
		return false;
	if (n > (size_t)(end - at)) {
		*q = at;
		*why = "length out of bounds";
		return false;
	}
	if (n > (size_t)(end - *q)) {
		*why = MSG_EOS;
		return false;
	}
	imm->vec = *q;
	imm->nvec = n;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t t;
		if (!imm_valtype(q, end, &t, false, why))
			return false;
		if (i == 0)
			imm->type = t;
	}
	return true;
}

/* ref.null's heap type, as the nullable reference type. */
static bool imm_reftype(const uint8_t **q, const uint8_t *end, uint32_t *t,
                        const char **why)
{
	uint32_t ht;

	if (!imm_heaptype(q, end, &ht, why))
		return false;
	*t = wasm_ref_type(ht, true);
	return true;
}

/* try_table: a block type, then vec(catch clause). Out of line: rare. */
__attribute__((noinline)) static bool imm_try_table(const uint8_t **q, const uint8_t *end,
                          struct wasm_instr_imm *imm, const char **why)
{
	const uint8_t *at;
	uint32_t n, x;

	if (!imm_blocktype(q, end, &imm->blocktype, &imm->type, why))
		return false;
	at = *q;
	if (!imm_u32(q, end, &n, why))
		return false;
	if (n > (size_t)(end - at)) {
		*q = at;
		*why = "length out of bounds";
		return false;
	}
	imm->vec = *q;
	imm->nvec = n;
	for (uint32_t i = 0; i < n; i++) {
		if (*q >= end) {
			*why = MSG_EOS;
			return false;
		}
		uint8_t kind = *(*q)++;
		if (kind > WASM_CATCH_ALL_REF) {
			*why = "malformed catch clause";
			return false;
		}
		if (kind <= WASM_CATCH_REF && !imm_u32(q, end, &x, why))
			return false;
		if (!imm_u32(q, end, &x, why))
			return false;
	}
	return true;
}

void wasm_read_catch(const uint8_t **p, const uint8_t *end,
                     struct wasm_catch *c)
{
	c->kind = **p;
	(*p)++;
	c->tag = 0;
	if (c->kind <= WASM_CATCH_REF)
		leb_read_u32(p, end, &c->tag);
	leb_read_u32(p, end, &c->label);
}

/* The SIMD immediates (out of line: imm_read is hot). */
__attribute__((noinline)) static bool
imm_simd(enum wasm_opcode op, const uint8_t **q, const uint8_t *end,
         struct wasm_instr_imm *imm, const char **why)
{
	enum wasm_imm k = wasm_op_imm(op);

	if (k == WASM_IMM_V128 || k == WASM_IMM_SHUFFLE) {
		if (end - *q < 16) {
			*why = MSG_EOS;
			return false;
		}
		imm->vec = *q;
		imm->nvec = 16;
		*q += 16;
		return true;
	}
	if (k == WASM_IMM_MEMARG_LANE && !imm_memarg(q, end, imm, why))
		return false;
	if (*q >= end) {
		*why = MSG_EOS;
		return false;
	}
	imm->lane = *(*q)++;
	return true;
}

static bool imm_read(enum wasm_opcode op, const uint8_t **q, const uint8_t *end,
                     struct wasm_instr_imm *imm, const char **why)
{
	enum wasm_imm kind = wasm_op_imm(op);
	int64_t sv;
	int e;

	switch (kind) {
	case WASM_IMM_NONE:
		return true;
	case WASM_IMM_BLOCKTYPE:
		return imm_blocktype(q, end, &imm->blocktype, &imm->type, why);
	case WASM_IMM_TYPE:
	case WASM_IMM_LABEL:
	case WASM_IMM_FUNC:
	case WASM_IMM_LOCAL:
	case WASM_IMM_GLOBAL:
	case WASM_IMM_TABLE:
	case WASM_IMM_DATA:
	case WASM_IMM_ELEM:
	case WASM_IMM_TAG:
		return imm_u32(q, end, &imm->x, why);
	case WASM_IMM_TRY_TABLE:
		return imm_try_table(q, end, imm, why);
	case WASM_IMM_BR_TABLE:
		return imm_br_table(q, end, imm, why);
	case WASM_IMM_MEMARG:
		return imm_memarg(q, end, imm, why);
	case WASM_IMM_CALL_INDIRECT:
	case WASM_IMM_TABLE_INIT:
	case WASM_IMM_TABLE_COPY:
	case WASM_IMM_MEMORY_COPY:
		return imm_u32(q, end, &imm->x, why) &&
		       imm_u32(q, end, &imm->y, why);
	case WASM_IMM_MEMIDX:
		return imm_u32(q, end, &imm->mem, why);
	case WASM_IMM_ZEROBYTE:
		return imm_zero(q, end, why);
	case WASM_IMM_MEMORY_INIT:
		return imm_u32(q, end, &imm->x, why) &&
		       imm_u32(q, end, &imm->mem, why);
	case WASM_IMM_I32:
	case WASM_IMM_I64:
		if (kind == WASM_IMM_I32)
			e = leb_read_signed(q, end, 32, &sv);
		else
			e = leb_read_s64(q, end, &sv);
		if (e != LEB_OK) {
			*why = e == LEB_EEND ? MSG_EOS : leb_strerror(e);
			return false;
		}
		imm->value = kind == WASM_IMM_I32
		                 ? (uint64_t)(uint32_t)sv
		                 : (uint64_t)sv;
		return true;
	case WASM_IMM_F32:
		return imm_fixed(q, end, 4, &imm->value, why);
	case WASM_IMM_F64:
		return imm_fixed(q, end, 8, &imm->value, why);
	case WASM_IMM_SELECT_T:
		return imm_select_t(q, end, imm, why);
	case WASM_IMM_REFTYPE:
		return imm_reftype(q, end, &imm->type, why);
	case WASM_IMM_V128:
	case WASM_IMM_SHUFFLE:
	case WASM_IMM_MEMARG_LANE:
	case WASM_IMM_LANE:
		return imm_simd(op, q, end, imm, why);
	}
	*why = "illegal opcode";
	return false;
}

int wasm_read_imm(enum wasm_opcode op, const uint8_t **p, const uint8_t *end,
                  struct wasm_instr_imm *imm, const char **why)
{
	const uint8_t *q = *p;
	bool ok;

	memset(imm, 0, sizeof *imm);
	*why = NULL;
	ok = imm_read(op, &q, end, imm, why);
	*p = q;
	return ok ? WX_OK : WX_EMALFORMED;
}

/* ------------------------------------------------------------------------ */
/* The reader                                                               */

struct reader {
	const uint8_t *base; /* m->bytes */
	const uint8_t *p;    /* cursor */
	const uint8_t *end;  /* end of the input */
	struct diag *diag;
	struct wasm_limits lim;
	struct wasm_module *m;
	uint32_t ndefined_funcs; /* entries of the function section */
	uint64_t total_locals;   /* declared locals of the bodies so far */
	bool seen_code;
	bool code_count_mismatch; /* code and function section counts */
	bool seen_data;
	bool uses_data_index; /* memory.init or data.drop in some body */
	uint8_t *ctl;         /* block nesting scratch for scan_instrs */
	size_t ctl_cap;
};

static size_t off(const struct reader *r, const uint8_t *at)
{
	return (size_t)(at - r->base);
}

static int fail_at(struct reader *r, const uint8_t *at, const char *msg)
{
	return diag_set(r->diag, WX_EMALFORMED, "%s (at offset 0x%zx)", msg,
	                off(r, at));
}

static int fail_leb_at(struct reader *r, const uint8_t *at, int e)
{
	return fail_at(r, at, e == LEB_EEND ? MSG_EOS : leb_strerror(e));
}

static int fail_leb(struct reader *r, int e)
{
	return fail_leb_at(r, r->p, e);
}

static int fail_limit(struct reader *r, const uint8_t *at, const char *what,
                      uint64_t limit)
{
	return diag_set(r->diag, WX_ELIMIT,
	                "too many %s (limit %llu) (at offset 0x%zx)", what,
	                (unsigned long long)limit, off(r, at));
}

static int fail_nomem(struct reader *r)
{
	return diag_set(r->diag, WX_ENOMEM,
	                "out of memory decoding module (at offset 0x%zx)",
	                off(r, r->p));
}

static int rd_byte(struct reader *r, uint8_t *b)
{
	if (r->p >= r->end)
		return fail_at(r, r->p, MSG_EOS);
	*b = *r->p++;
	return WX_OK;
}

static int rd_u32(struct reader *r, uint32_t *v)
{
	int e = leb_read_u32(&r->p, r->end, v);

	return e == LEB_OK ? WX_OK : fail_leb(r, e);
}

/* A length or count: may not exceed the bytes left from its first byte. */
static int rd_len(struct reader *r, uint32_t *n)
{
	const uint8_t *at = r->p;
	int err = rd_u32(r, n);

	if (err == WX_OK && *n > (size_t)(r->end - at))
		err = fail_at(r, at, "length out of bounds");
	return err;
}

/* A vector count, also capped by 'cap' ("too many 'what'"). */
static int rd_count(struct reader *r, uint32_t *n, uint64_t cap,
                    const char *what)
{
	const uint8_t *at = r->p;
	int err = rd_len(r, n);

	if (err == WX_OK && *n > cap)
		err = fail_limit(r, at, what, cap);
	return err;
}

static int rd_bytes(struct reader *r, uint32_t n, const uint8_t **out)
{
	if (n > (size_t)(r->end - r->p))
		return fail_at(r, r->end, MSG_EOS);
	*out = r->p;
	r->p += n;
	return WX_OK;
}

static bool utf8_valid(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = s[i];
		size_t len;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3, cp = c & 0x0f, min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4, cp = c & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

static int rd_name(struct reader *r, const char **s, uint32_t *len)
{
	const uint8_t *bytes = NULL;
	int err = rd_len(r, len);

	if (err == WX_OK)
		err = rd_bytes(r, *len, &bytes);
	if (err == WX_OK && !utf8_valid(bytes, *len))
		err = fail_at(r, bytes, "malformed UTF-8 encoding");
	if (err == WX_OK)
		*s = (const char *)bytes;
	return err;
}

/* A value (or, with 'ref_only', reference) type, made canonical. */
static int rd_type(struct reader *r, uint32_t *t, bool ref_only)
{
	const uint8_t *q = r->p;
	const char *why = NULL;

	if (!imm_valtype(&q, r->end, t, ref_only, &why))
		return fail_at(r, strcmp(why, MSG_EOS) == 0 ? q : r->p, why);
	r->p = q;
	*t = wasm_canon_vt(r->m, *t);
	return WX_OK;
}

static int rd_valtype(struct reader *r, uint32_t *t)
{
	return rd_type(r, t, false);
}

static int rd_reftype(struct reader *r, uint32_t *t)
{
	return rd_type(r, t, true);
}

/*
 * Limits of a table or memory: flags bit 0 a maximum follows, bit 1
 * shared (memories only, as in the threads proposal, which leaves
 * "shared without maximum" to the validator), bit 2 64-bit addresses
 * (memory64; for tables, table64).
 * 3.0 reads the flags as a byte (any other value is "malformed limits
 * flags") and the sizes as u64 whatever the address type: a size too
 * large for it is the validator's "memory size"/"table size". With
 * lim.wasm2 (the 2.0 format), the flags are a one-byte LEB128 u32 and
 * the sizes u32 unless bit 2 is set.
 */
static int rd_limits(struct reader *r, bool memory, struct wasm_limits_decl *l)
{
	const uint8_t *at = r->p;
	uint8_t flags = 0;
	uint64_t v;
	int e, err = rd_byte(r, &flags);
	bool bad = flags > 7 || (!memory && (flags & 2));

	if (err != WX_OK)
		return err;
	if (!r->lim.wasm2 && bad)
		return fail_at(r, at, "malformed limits flags");
	if (flags & 0x80)
		return fail_at(r, at, "integer representation too long");
	if (bad)
		return fail_at(r, at, "integer too large");
	l->has_max = flags & 1;
	l->shared = (flags & 2) != 0;
	l->is64 = (flags & 4) != 0;
	unsigned bits = l->is64 || !r->lim.wasm2 ? 64 : 32;
	e = leb_read_unsigned(&r->p, r->end, bits, &v);
	if (e != LEB_OK)
		return fail_leb(r, e);
	l->min = v;
	if (l->has_max) {
		e = leb_read_unsigned(&r->p, r->end, bits, &v);
		if (e != LEB_OK)
			return fail_leb(r, e);
		l->max = v;
	}
	return WX_OK;
}

static int rd_tabletype(struct reader *r, struct wasm_tabletype *t)
{
	int err = rd_reftype(r, &t->elemtype);

	return err == WX_OK ? rd_limits(r, false, &t->limits) : err;
}

static int rd_globaltype(struct reader *r, struct wasm_globaltype *g)
{
	const uint8_t *at;
	uint8_t mut = 0;
	int err = rd_valtype(r, &g->valtype);

	at = r->p;
	if (err == WX_OK)
		err = rd_byte(r, &mut);
	if (err == WX_OK && mut > 1)
		err = fail_at(r, at, "malformed mutability");
	if (err == WX_OK)
		g->mut = mut;
	return err;
}

/* Grows a zero-filled array from 'n' to 'n + more' elements. */
static int grow_array(struct reader *r, void **arr, size_t n, size_t more,
                      size_t size)
{
	void *p;

	if (more == 0)
		return WX_OK;
	p = wx_realloc(*arr, (n + more) * size);
	if (p == NULL)
		return fail_nomem(r);
	memset((uint8_t *)p + n * size, 0, more * size);
	*arr = p;
	return WX_OK;
}

/* ------------------------------------------------------------------------ */
/* Instruction sequences: function bodies and constant expressions          */

enum { CTL_BLOCK, CTL_IF, CTL_ELSE, CTL_TRY, CTL_CATCH_ALL };

/* What scan_instrs found, for constant expressions. */
struct scan_result {
	uint32_t ninstrs; /* before the final 'end' */
	enum wasm_opcode first_op;
	struct wasm_instr_imm first_imm;
};

static int push_ctl(struct reader *r, size_t depth, uint8_t kind)
{
	if (depth == r->ctl_cap) {
		size_t cap = r->ctl_cap ? r->ctl_cap * 2 : 64;
		uint8_t *p = wx_realloc(r->ctl, cap);
		if (p == NULL)
			return fail_nomem(r);
		r->ctl = p;
		r->ctl_cap = cap;
	}
	r->ctl[depth] = kind;
	return WX_OK;
}

/*
 * Is 'op' one of the one-byte instructions 3.0 added (exception handling,
 * tail calls, typed function references)? In the 2.0 format (lim.wasm2)
 * their bytes are illegal opcodes.
 */
static bool op_since_3_0(enum wasm_opcode op)
{
	switch (op) {
	case WASM_OP_TRY:
	case WASM_OP_CATCH:
	case WASM_OP_THROW:
	case WASM_OP_RETHROW:
	case WASM_OP_THROW_REF:
	case WASM_OP_RETURN_CALL:
	case WASM_OP_RETURN_CALL_INDIRECT:
	case WASM_OP_CALL_REF:
	case WASM_OP_RETURN_CALL_REF:
	case WASM_OP_DELEGATE:
	case WASM_OP_CATCH_ALL:
	case WASM_OP_TRY_TABLE:
	case WASM_OP_REF_AS_NON_NULL:
	case WASM_OP_BR_ON_NULL:
	case WASM_OP_BR_ON_NON_NULL:
		return true;
	default:
		return false;
	}
}

static int rd_opcode(struct reader *r, enum wasm_opcode *op)
{
	const uint8_t *at = r->p;
	const uint8_t *q;
	uint32_t sub;
	int e;

	if (at >= r->end)
		return fail_at(r, at, MSG_EOS);
	if (wasm_read_opcode(&r->p, r->end, op) == WX_OK) {
		if (!(r->lim.wasm2 && op_since_3_0(*op)))
			return WX_OK;
		r->p = at;
		return fail_at(r, at, "illegal opcode");
	}
	if (*at == 0xfc || *at == 0xfd || *at == 0xfe) {
		q = at + 1;
		e = leb_read_u32(&q, r->end, &sub);
		if (e != LEB_OK) {
			r->p = at + 1;
			return fail_leb(r, e);
		}
	}
	return fail_at(r, at, "illegal opcode");
}

/* Checks the nesting effect of one control instruction. */
static int scan_control(struct reader *r, const uint8_t *at,
                        enum wasm_opcode op, size_t *depth)
{
	switch (op) {
	case WASM_OP_BLOCK:
	case WASM_OP_LOOP:
	case WASM_OP_IF: {
		int err =
		    push_ctl(r, *depth, op == WASM_OP_IF ? CTL_IF : CTL_BLOCK);
		if (err == WX_OK)
			(*depth)++;
		return err;
	}
	case WASM_OP_TRY:
	case WASM_OP_TRY_TABLE: {
		int err = push_ctl(r, *depth,
		                   op == WASM_OP_TRY ? CTL_TRY : CTL_BLOCK);
		if (err == WX_OK)
			(*depth)++;
		return err;
	}
	case WASM_OP_ELSE:
		if (r->ctl[*depth - 1] != CTL_IF)
			return fail_at(r, at, "END opcode expected");
		r->ctl[*depth - 1] = CTL_ELSE;
		return WX_OK;
	case WASM_OP_CATCH:
	case WASM_OP_CATCH_ALL:
		/* Legacy try: catch clauses, catch_all last. */
		if (r->ctl[*depth - 1] != CTL_TRY)
			return fail_at(r, at, "END opcode expected");
		if (op == WASM_OP_CATCH_ALL)
			r->ctl[*depth - 1] = CTL_CATCH_ALL;
		return WX_OK;
	case WASM_OP_DELEGATE:
		if (r->ctl[*depth - 1] != CTL_TRY || *depth == 1)
			return fail_at(r, at, "END opcode expected");
		(*depth)--;
		return WX_OK;
	case WASM_OP_END:
		(*depth)--;
		return WX_OK;
	default:
		return WX_OK;
	}
}

/*
 * lim.wasm2: the 2.0 format reads a memarg offset as a u32, so a longer
 * LEB128 is malformed (3.0 reads a u64 the validator bounds). 'q' is the
 * memarg; 64-bit memories keep u64. Errors in the flags or the memory
 * index are left to wasm_read_imm.
 */
static int check_offset_u32(struct reader *r, const uint8_t *q)
{
	const struct wasm_module *m = r->m;
	uint32_t flags = 0, mem = 0, v;
	int e;

	if (leb_read_u32(&q, r->end, &flags) != LEB_OK ||
	    (flags >= 0x40 && leb_read_u32(&q, r->end, &mem) != LEB_OK))
		return WX_OK;
	if (mem < m->nmemories && m->memories[mem].is64)
		return WX_OK;
	e = leb_read_u32(&q, r->end, &v);
	return e == LEB_OK ? WX_OK : fail_leb_at(r, q, e);
}

/*
 * lim.wasm2: where 3.0 reads a memory index (memory.size, .grow, .fill,
 * .copy, .init), 2.0 reads one zero byte. 'q' is the immediate.
 */
static int check_zero_bytes(struct reader *r, enum wasm_opcode op,
                            const uint8_t *q)
{
	unsigned n = 1;
	uint32_t data;

	if (op == WASM_OP_MEMORY_INIT &&
	    leb_read_u32(&q, r->end, &data) != LEB_OK)
		return WX_OK; /* wasm_read_imm reports it */
	if (op == WASM_OP_MEMORY_COPY)
		n = 2;
	for (unsigned i = 0; i < n; i++, q++) {
		if (q >= r->end)
			return fail_at(r, q, MSG_EOS);
		if (*q != 0)
			return fail_at(r, q, "zero byte expected");
	}
	return WX_OK;
}

/*
 * Scans instructions from r->p through the 'end' that closes the
 * sequence: opcodes, immediates and block structure. Leaves r->p after
 * that 'end'.
 */
static int scan_instrs(struct reader *r, struct scan_result *res)
{
	size_t depth = 1;
	int err = push_ctl(r, 0, CTL_BLOCK);

	res->ninstrs = 0;
	while (err == WX_OK && depth > 0) {
		const uint8_t *at = r->p;
		enum wasm_opcode op;
		struct wasm_instr_imm imm;
		const char *why;

		err = rd_opcode(r, &op);
		if (err != WX_OK)
			break;
		if (r->lim.wasm2 && (wasm_op_imm(op) == WASM_IMM_MEMARG ||
		                     wasm_op_imm(op) == WASM_IMM_MEMARG_LANE)) {
			err = check_offset_u32(r, r->p);
			if (err != WX_OK)
				break;
		}
		if (r->lim.wasm2 && (wasm_op_imm(op) == WASM_IMM_MEMIDX ||
		                     op == WASM_OP_MEMORY_INIT ||
		                     op == WASM_OP_MEMORY_COPY)) {
			err = check_zero_bytes(r, op, r->p);
			if (err != WX_OK)
				break;
		}
		if (wasm_read_imm(op, &r->p, r->end, &imm, &why) != WX_OK) {
			err = fail_at(r, r->p, why);
			break;
		}
		if (op == WASM_OP_BR_TABLE && imm.nvec > r->lim.max_br_table) {
			err = fail_limit(r, at, "br_table targets",
			                 r->lim.max_br_table);
			break;
		}
		if (op == WASM_OP_MEMORY_INIT || op == WASM_OP_DATA_DROP)
			r->uses_data_index = true;
		if (res->ninstrs == 0) {
			res->first_op = op;
			res->first_imm = imm;
		}
		if (!(op == WASM_OP_END && depth == 1))
			res->ninstrs++;
		err = scan_control(r, at, op, &depth);
	}
	return err;
}

/*
 * A constant expression. Any instruction sequence decodes; when it is a
 * single instruction, that instruction is stored for the VM.
 */
static int rd_constexpr(struct reader *r, struct wasm_constexpr *ce)
{
	const uint8_t *start = r->p;
	struct scan_result res;
	int err = scan_instrs(r, &res);

	if (err != WX_OK)
		return err;
	ce->expr_offset = (uint32_t)off(r, start);
	ce->expr_len = (uint32_t)(r->p - start);
	ce->op = WASM_OP_NOP;
	if (res.ninstrs != 1)
		return WX_OK;
	ce->op = (uint16_t)res.first_op;
	switch (res.first_op) {
	case WASM_OP_I32_CONST:
		ce->u.i32 = (uint32_t)res.first_imm.value;
		break;
	case WASM_OP_F32_CONST:
		ce->u.f32 = (uint32_t)res.first_imm.value;
		break;
	case WASM_OP_I64_CONST:
	case WASM_OP_F64_CONST:
		ce->u.i64 = res.first_imm.value;
		break;
	case WASM_OP_V128_CONST:
		memcpy(ce->u.v128, res.first_imm.vec, 16);
		break;
	case WASM_OP_REF_NULL:
		ce->type = wasm_canon_vt(r->m, res.first_imm.type);
		break;
	case WASM_OP_REF_FUNC:
	case WASM_OP_GLOBAL_GET:
		ce->u.index = res.first_imm.x;
		break;
	default:
		ce->op = WASM_OP_NOP; /* not constant: the validator says so */
		break;
	}
	return WX_OK;
}

/* ------------------------------------------------------------------------ */
/* Sections                                                                 */

/* A vec of value types into 'out' (n of them, already counted). */
static int rd_valtypes(struct reader *r, uint32_t n, uint32_t *out)
{
	int err = WX_OK;

	for (uint32_t i = 0; err == WX_OK && i < n; i++)
		err = rd_valtype(r, &out[i]);
	return err;
}

static int decode_functype(struct reader *r, struct wasm_functype *ft)
{
	const uint8_t *at = r->p;
	uint8_t form = 0;
	uint32_t np = 0, nr = 0;
	int err = rd_byte(r, &form);

	if (err == WX_OK && (form & 0x80))
		err = fail_at(r, at, "integer representation too long");
	else if (err == WX_OK && (form == 0x5f || form == 0x5e ||
	                          form == 0x4e || form == 0x4f || form == 0x50))
		err = fail_at(r, at, MSG_GC); /* struct, array, rec, sub */
	else if (err == WX_OK && form != 0x60)
		err = fail_at(r, at, "malformed function type");
	if (err == WX_OK)
		err = rd_count(r, &np, r->lim.max_params, "params");
	if (err != WX_OK)
		return err;
	/* Each type takes at least a byte: np and nr are bounded. */
	ft->types = wx_alloc_array((size_t)np + 1, sizeof *ft->types);
	if (ft->types == NULL)
		return fail_nomem(r);
	err = rd_valtypes(r, np, ft->types);
	if (err == WX_OK)
		err = rd_count(r, &nr, r->lim.max_params, "results");
	if (err == WX_OK && nr > 0) {
		uint32_t *t = wx_realloc(ft->types,
		                         ((size_t)np + nr) * sizeof *t);
		if (t == NULL)
			return fail_nomem(r);
		ft->types = t;
	}
	if (err == WX_OK)
		err = rd_valtypes(r, nr, ft->types + np);
	if (err == WX_OK) {
		ft->nparams = np;
		ft->nresults = nr;
	}
	return err;
}

static int decode_type_section(struct reader *r)
{
	struct wasm_module *m = r->m;
	uint32_t n;
	int err = rd_count(r, &n, r->lim.max_types, "types");

	if (err == WX_OK && n > WASM_MAX_TYPEIDX)
		err = fail_limit(r, r->p, "types", WASM_MAX_TYPEIDX);
	if (err != WX_OK)
		return err;
	m->types = wx_alloc_array(n, sizeof *m->types);
	if (m->types == NULL)
		return fail_nomem(r);
	m->ntypes = n;
	for (uint32_t i = 0; err == WX_OK && i < n; i++)
		err = decode_functype(r, &m->types[i]);
	if (err == WX_OK && wasm_canonicalize_types(m) != WX_OK)
		err = fail_nomem(r);
	return err;
}

/* A tag type: attribute 0 (exception), then a function type index. */
static int rd_tagtype(struct reader *r, uint32_t *type)
{
	const uint8_t *at = r->p;
	uint8_t attr = 0;
	int err = rd_byte(r, &attr);

	if (err == WX_OK && attr != 0)
		err = fail_at(r, at, "malformed tag attribute");
	return err == WX_OK ? rd_u32(r, type) : err;
}

static int decode_import(struct reader *r, struct wasm_import *im)
{
	const uint8_t *at;
	int err = rd_name(r, &im->module, &im->module_len);

	if (err == WX_OK)
		err = rd_name(r, &im->name, &im->name_len);
	at = r->p;
	if (err == WX_OK)
		err = rd_byte(r, &im->kind);
	if (err != WX_OK)
		return err;
	switch (im->kind) {
	case WASM_EXT_FUNC:
		return rd_u32(r, &im->d.func_type);
	case WASM_EXT_TABLE:
		return rd_tabletype(r, &im->d.table);
	case WASM_EXT_MEMORY:
		return rd_limits(r, true, &im->d.memory);
	case WASM_EXT_GLOBAL:
		return rd_globaltype(r, &im->d.global);
	case WASM_EXT_TAG:
		if (!r->lim.wasm2) /* 2.0 has no tags */
			return rd_tagtype(r, &im->d.tag_type);
		return fail_at(r, at, "malformed import kind");
	default:
		return fail_at(r, at, "malformed import kind");
	}
}

/* Builds the imported part of each index space from the imports. */
static int place_imports(struct reader *r, const uint8_t *at)
{
	struct wasm_module *m = r->m;
	uint32_t count[5] = {0, 0, 0, 0, 0};

	for (uint32_t i = 0; i < m->nimports; i++)
		count[m->imports[i].kind]++;
	if (count[WASM_EXT_FUNC] > r->lim.max_funcs)
		return fail_limit(r, at, "functions", r->lim.max_funcs);
	if (count[WASM_EXT_TABLE] > r->lim.max_tables)
		return fail_limit(r, at, "tables", r->lim.max_tables);
	if (count[WASM_EXT_MEMORY] > r->lim.max_memories)
		return fail_limit(r, at, "memories", r->lim.max_memories);
	if (count[WASM_EXT_GLOBAL] > r->lim.max_globals)
		return fail_limit(r, at, "globals", r->lim.max_globals);
	if (count[WASM_EXT_TAG] > r->lim.max_globals)
		return fail_limit(r, at, "tags", r->lim.max_globals);
	m->funcs = wx_alloc_array(count[WASM_EXT_FUNC], sizeof *m->funcs);
	m->tables = wx_alloc_array(count[WASM_EXT_TABLE], sizeof *m->tables);
	m->memories =
	    wx_alloc_array(count[WASM_EXT_MEMORY], sizeof *m->memories);
	m->globals = wx_alloc_array(count[WASM_EXT_GLOBAL], sizeof *m->globals);
	m->tags = wx_alloc_array(count[WASM_EXT_TAG], sizeof *m->tags);
	if (!m->funcs || !m->tables || !m->memories || !m->globals || !m->tags)
		return fail_nomem(r);
	for (uint32_t i = 0; i < m->nimports; i++) {
		const struct wasm_import *im = &m->imports[i];
		switch (im->kind) {
		case WASM_EXT_FUNC:
			m->funcs[m->nfuncs++].type = im->d.func_type;
			break;
		case WASM_EXT_TABLE:
			m->tables[m->ntables++] = im->d.table;
			break;
		case WASM_EXT_MEMORY:
			m->memories[m->nmemories++] = im->d.memory;
			break;
		case WASM_EXT_TAG:
			m->tags[m->ntags++] = im->d.tag_type;
			break;
		default:
			m->globals[m->nglobals++].type = im->d.global;
			break;
		}
	}
	m->num_imported_funcs = m->nfuncs;
	m->num_imported_tables = m->ntables;
	m->num_imported_memories = m->nmemories;
	m->num_imported_globals = m->nglobals;
	m->num_imported_tags = m->ntags;
	return WX_OK;
}

static int decode_import_section(struct reader *r)
{
	struct wasm_module *m = r->m;
	const uint8_t *at = r->p;
	uint32_t n;
	int err = rd_count(r, &n, r->lim.max_imports, "imports");

	if (err != WX_OK)
		return err;
	m->imports = wx_alloc_array(n, sizeof *m->imports);
	if (m->imports == NULL)
		return fail_nomem(r);
	for (uint32_t i = 0; err == WX_OK && i < n; i++) {
		err = decode_import(r, &m->imports[i]);
		if (err == WX_OK)
			m->nimports++;
	}
	return err == WX_OK ? place_imports(r, at) : err;
}

/* Reads a count of definitions that extend an index space of 'have'. */
static int rd_space_count(struct reader *r, uint32_t *n, uint32_t have,
                          uint32_t cap, const char *what)
{
	return rd_count(r, n, have <= cap ? cap - have : 0, what);
}

static int decode_function_section(struct reader *r)
{
	struct wasm_module *m = r->m;
	uint32_t n;
	int err =
	    rd_space_count(r, &n, m->nfuncs, r->lim.max_funcs, "functions");

	if (err == WX_OK)
		err = grow_array(r, (void **)&m->funcs, m->nfuncs, n,
		                 sizeof *m->funcs);
	for (uint32_t i = 0; err == WX_OK && i < n; i++) {
		err = rd_u32(r, &m->funcs[m->nfuncs].type);
		if (err == WX_OK)
			m->nfuncs++;
	}
	r->ndefined_funcs = n;
	return err;
}

static int decode_table_section(struct reader *r)
{
	struct wasm_module *m = r->m;
	uint32_t n;
	int err =
	    rd_space_count(r, &n, m->ntables, r->lim.max_tables, "tables");

	if (err == WX_OK)
		err = grow_array(r, (void **)&m->tables, m->ntables, n,
		                 sizeof *m->tables);
	for (uint32_t i = 0; err == WX_OK && i < n; i++) {
		struct wasm_tabletype *t = &m->tables[m->ntables];
		const uint8_t *at = r->p;
		/* 0x40 0x00: a table type with an initialiser expression. */
		if (r->p < r->end && *r->p == 0x40) {
			uint8_t zero = 0;
			r->p++;
			err = rd_byte(r, &zero);
			if (err == WX_OK && zero != 0)
				err = fail_at(r, at + 1, "malformed table type");
			t->has_init = true;
		}
		if (err == WX_OK)
			err = rd_tabletype(r, t);
		if (err == WX_OK && t->has_init)
			err = rd_constexpr(r, &t->init);
		if (err == WX_OK)
			m->ntables++;
	}
	return err;
}

static int decode_memory_section(struct reader *r)
{
	struct wasm_module *m = r->m;
	uint32_t n;
	int err = rd_space_count(r, &n, m->nmemories, r->lim.max_memories,
	                         "memories");

	if (err == WX_OK)
		err = grow_array(r, (void **)&m->memories, m->nmemories, n,
		                 sizeof *m->memories);
	for (uint32_t i = 0; err == WX_OK && i < n; i++) {
		err = rd_limits(r, true, &m->memories[m->nmemories]);
		if (err == WX_OK)
			m->nmemories++;
	}
	return err;
}

/* Tag section (id 13, between memory and global): tag types. */
static int decode_tag_section(struct reader *r)
{
	struct wasm_module *m = r->m;
	uint32_t n;
	int err = rd_space_count(r, &n, m->ntags, r->lim.max_globals, "tags");

	if (err == WX_OK)
		err = grow_array(r, (void **)&m->tags, m->ntags, n,
		                 sizeof *m->tags);
	for (uint32_t i = 0; err == WX_OK && i < n; i++) {
		err = rd_tagtype(r, &m->tags[m->ntags]);
		if (err == WX_OK)
			m->ntags++;
	}
	return err;
}

static int decode_global_section(struct reader *r)
{
	struct wasm_module *m = r->m;
	uint32_t n;
	int err =
	    rd_space_count(r, &n, m->nglobals, r->lim.max_globals, "globals");

	if (err == WX_OK)
		err = grow_array(r, (void **)&m->globals, m->nglobals, n,
		                 sizeof *m->globals);
	for (uint32_t i = 0; err == WX_OK && i < n; i++) {
		struct wasm_global *g = &m->globals[m->nglobals];
		err = rd_globaltype(r, &g->type);
		if (err == WX_OK)
			err = rd_constexpr(r, &g->init);
		if (err == WX_OK)
			m->nglobals++;
	}
	return err;
}

static int decode_export_section(struct reader *r)
{
	struct wasm_module *m = r->m;
	uint32_t n;
	int err = rd_count(r, &n, r->lim.max_exports, "exports");

	if (err != WX_OK)
		return err;
	m->exports = wx_alloc_array(n, sizeof *m->exports);
	if (m->exports == NULL)
		return fail_nomem(r);
	for (uint32_t i = 0; err == WX_OK && i < n; i++) {
		struct wasm_export *ex = &m->exports[i];
		const uint8_t *at;
		err = rd_name(r, &ex->name, &ex->name_len);
		at = r->p;
		if (err == WX_OK)
			err = rd_byte(r, &ex->kind);
		if (err == WX_OK && ex->kind > WASM_EXT_TAG)
			err = fail_at(r, at, "malformed export kind");
		if (err == WX_OK)
			err = rd_u32(r, &ex->index);
		if (err == WX_OK)
			m->nexports++;
	}
	return err;
}

static int decode_start_section(struct reader *r)
{
	r->m->has_start = true;
	return rd_u32(r, &r->m->start);
}

/* The items of an element segment: function indices or expressions. */
static int decode_elem_items(struct reader *r, struct wasm_elem *el, bool exprs)
{
	uint32_t n;
	int err = rd_count(r, &n, r->lim.max_elem_items, "element items");

	if (err != WX_OK)
		return err;
	el->items = wx_alloc_array(n, sizeof *el->items);
	if (el->items == NULL)
		return fail_nomem(r);
	for (uint32_t i = 0; err == WX_OK && i < n; i++) {
		struct wasm_constexpr *it = &el->items[i];
		if (exprs) {
			err = rd_constexpr(r, it);
		} else {
			it->op = WASM_OP_REF_FUNC;
			it->expr_offset = (uint32_t)off(r, r->p);
			err = rd_u32(r, &it->u.index);
		}
		if (err == WX_OK)
			el->nitems++;
	}
	return err;
}

/*
 * One element segment. The flags select: bit 0 passive/declarative
 * (bit 1 then declarative) or active (bit 1 then an explicit table);
 * bit 2 items as expressions with a reftype, else function indices
 * with an elemkind byte. Kinds 0 and 4 have neither byte: funcref.
 */
static int decode_elem(struct reader *r, struct wasm_elem *el)
{
	const uint8_t *at = r->p;
	uint32_t flags;
	uint8_t kind = 0;
	int err = rd_u32(r, &flags);

	if (err == WX_OK && flags > 7)
		err = fail_at(r, at, "malformed elements segment kind");
	if (err != WX_OK)
		return err;
	el->mode = (flags & 1)
	               ? ((flags & 2) ? WASM_SEG_DECLARATIVE : WASM_SEG_PASSIVE)
	               : WASM_SEG_ACTIVE;
	/* Function indices make (ref func) items; bare expressions funcref. */
	el->elemtype = (flags & 4) ? WASM_FUNCREF
	                           : wasm_ref_type(WASM_FUNCREF, false);
	if (flags == 2 || flags == 6)
		err = rd_u32(r, &el->table);
	if (err == WX_OK && el->mode == WASM_SEG_ACTIVE)
		err = rd_constexpr(r, &el->offset);
	if (err == WX_OK && (flags & 3) != 0) {
		at = r->p;
		if (flags & 4) {
			err = rd_reftype(r, &el->elemtype);
		} else {
			err = rd_byte(r, &kind);
			if (err == WX_OK && kind != 0)
				err = fail_at(r, at, "malformed element kind");
		}
	}
	return err == WX_OK ? decode_elem_items(r, el, (flags & 4) != 0) : err;
}

static int decode_elem_section(struct reader *r)
{
	struct wasm_module *m = r->m;
	uint32_t n;
	int err = rd_count(r, &n, r->lim.max_segments, "element segments");

	if (err != WX_OK)
		return err;
	m->elems = wx_alloc_array(n, sizeof *m->elems);
	if (m->elems == NULL)
		return fail_nomem(r);
	for (uint32_t i = 0; err == WX_OK && i < n; i++) {
		/* Counted first so that a failed segment's items are freed. */
		m->nelems++;
		err = decode_elem(r, &m->elems[i]);
	}
	return err;
}

static int decode_datacount_section(struct reader *r)
{
	r->m->has_datacount = true;
	return rd_u32(r, &r->m->datacount);
}

/*
 * The locals of one body: a vec of (count, valtype) runs. Their total may
 * not reach 2^32 ("too many locals", malformed) nor, with the params,
 * exceed the configured cap.
 */
static int decode_locals(struct reader *r, struct wasm_func *f)
{
	const uint8_t *at = r->p, *runs;
	uint64_t total = 0, nparams = 0;
	uint32_t nruns, n;
	uint32_t t = 0;
	int err = rd_len(r, &nruns);

	runs = r->p;
	for (uint32_t i = 0; err == WX_OK && i < nruns; i++) {
		err = rd_u32(r, &n);
		if (err == WX_OK)
			err = rd_valtype(r, &t);
		total += n;
	}
	if (err != WX_OK)
		return err;
	if (total >= ((uint64_t)1 << 32))
		return fail_at(r, at, "too many locals");
	if (f->type < r->m->ntypes)
		nparams = r->m->types[f->type].nparams;
	if (total + nparams > r->lim.max_locals)
		return fail_limit(r, at, "locals", r->lim.max_locals);
	/* A few bytes may declare many locals: cap the module's sum too. */
	r->total_locals += total;
	if (r->total_locals > r->lim.max_total_locals)
		return fail_limit(r, at, "locals in the module",
		                  r->lim.max_total_locals);
	f->local_types = wx_alloc_array(total, sizeof *f->local_types);
	if (f->local_types == NULL)
		return fail_nomem(r);
	f->nlocals = (uint32_t)total;
	/* Second pass over runs already known to be well formed. */
	total = 0;
	r->p = runs;
	for (uint32_t i = 0; i < nruns; i++) {
		leb_read_u32(&r->p, r->end, &n);
		rd_valtype(r, &t);
		for (uint32_t k = 0; k < n; k++)
			f->local_types[total + k] = t;
		total += n;
	}
	return WX_OK;
}

static int decode_body(struct reader *r, struct wasm_func *f)
{
	const uint8_t *start;
	struct scan_result res;
	uint32_t size;
	int err = rd_len(r, &size);

	start = r->p;
	if (err == WX_OK)
		err = decode_locals(r, f);
	if (err != WX_OK)
		return err;
	f->code = r->p;
	f->code_offset = off(r, r->p);
	if (r->lim.bodies_known) { /* wasm_limits: scanned before */
		if ((size_t)(r->p - start) > size ||
		    (size_t)(r->end - start) < size)
			return fail_at(r, r->p, "section size mismatch");
		f->code_len = size - (size_t)(r->p - start);
		r->p = start + size;
		return WX_OK;
	}
	err = scan_instrs(r, &res);
	if (err != WX_OK)
		return err;
	f->code_len = (size_t)(r->p - f->code);
	if ((size_t)(r->p - start) != size)
		return fail_at(r, r->p, "section size mismatch");
	return WX_OK;
}

/*
 * The code section. Its count must match the function section's, but
 * the spec checks that only once every section has been read (a later
 * duplicate section is "unexpected content after last section"): on a
 * mismatch the bodies are skipped and check_counts reports it.
 */
static int decode_code_section(struct reader *r, uint32_t size)
{
	struct wasm_module *m = r->m;
	const uint8_t *start = r->p;
	uint32_t n;
	int err = rd_len(r, &n);

	r->seen_code = true;
	if (err == WX_OK && n != r->ndefined_funcs) {
		if (size > (size_t)(r->end - start))
			return fail_at(r, r->end, MSG_EOS);
		r->code_count_mismatch = true;
		r->p = start + size;
		return WX_OK;
	}
	for (uint32_t i = 0; err == WX_OK && i < n; i++)
		err = decode_body(r, &m->funcs[m->num_imported_funcs + i]);
	return err;
}

static int decode_data(struct reader *r, struct wasm_data *d)
{
	const uint8_t *at = r->p;
	uint32_t flags;
	int err = rd_u32(r, &flags);

	if (err == WX_OK && flags > 2)
		err = fail_at(r, at, "malformed data segment kind");
	if (err != WX_OK)
		return err;
	d->mode = flags == 1 ? WASM_SEG_PASSIVE : WASM_SEG_ACTIVE;
	if (flags == 2)
		err = rd_u32(r, &d->memory);
	if (err == WX_OK && flags != 1)
		err = rd_constexpr(r, &d->offset);
	if (err == WX_OK)
		err = rd_len(r, &d->len);
	if (err == WX_OK)
		err = rd_bytes(r, d->len, &d->bytes);
	return err;
}

static int decode_data_section(struct reader *r)
{
	struct wasm_module *m = r->m;
	uint32_t n;
	int err = rd_count(r, &n, r->lim.max_segments, "data segments");

	r->seen_data = true;
	if (err != WX_OK)
		return err;
	m->datas = wx_alloc_array(n, sizeof *m->datas);
	if (m->datas == NULL)
		return fail_nomem(r);
	for (uint32_t i = 0; err == WX_OK && i < n; i++) {
		err = decode_data(r, &m->datas[i]);
		if (err == WX_OK)
			m->ndatas++;
	}
	return err;
}

/*
 * A custom section: a name, then bytes only the dynamic linker's
 * "dylink.0" (wasm_dylink.c) interprets; the first such section is
 * remembered.
 */
static int decode_custom_section(struct reader *r, uint32_t size)
{
	const uint8_t *start = r->p;
	const char *name;
	uint32_t len;
	int err = rd_name(r, &name, &len);

	if (err == WX_OK &&
	    ((size_t)(r->p - start) > size || size > (size_t)(r->end - start)))
		err = fail_at(r, r->p, MSG_EOS);
	if (err != WX_OK)
		return err;
	if (r->m->dylink == NULL &&
	    ((len == 8 && memcmp(name, "dylink.0", 8) == 0) ||
	     (len == 6 && memcmp(name, "dylink", 6) == 0))) {
		r->m->dylink = r->p;
		r->m->dylink_len = (uint32_t)(start + size - r->p);
		r->m->dylink_legacy = len == 6;
	}
	r->p = start + size;
	return err;
}

static int decode_section(struct reader *r, uint8_t id, uint32_t size)
{
	switch (id) {
	case 0:
		return decode_custom_section(r, size);
	case 1:
		return decode_type_section(r);
	case 2:
		return decode_import_section(r);
	case 3:
		return decode_function_section(r);
	case 4:
		return decode_table_section(r);
	case 5:
		return decode_memory_section(r);
	case 13:
		return decode_tag_section(r);
	case 6:
		return decode_global_section(r);
	case 7:
		return decode_export_section(r);
	case 8:
		return decode_start_section(r);
	case 9:
		return decode_elem_section(r);
	case 10:
		return decode_code_section(r, size);
	case 11:
		return decode_data_section(r);
	default:
		return decode_datacount_section(r);
	}
}

static int decode_header(struct reader *r)
{
	static const uint8_t magic[4] = {0x00, 0x61, 0x73, 0x6d};
	static const uint8_t version[4] = {0x01, 0x00, 0x00, 0x00};
	size_t len = (size_t)(r->end - r->base);

	if (len < 4)
		return fail_at(r, r->end, "unexpected end");
	if (memcmp(r->base, magic, 4) != 0)
		return fail_at(r, r->base, "magic header not detected");
	if (len < 8)
		return fail_at(r, r->end, "unexpected end");
	if (memcmp(r->base + 4, version, 4) != 0)
		return fail_at(r, r->base + 4, "unknown binary version");
	r->p = r->base + 8;
	return WX_OK;
}

/* Position of each section id in the required order (custom: 0). */
static const uint8_t section_rank[14] = {0, 1,  2,  3,  4,  5,  7,
                                         8, 9, 10, 12, 13, 11, 6};

static int decode_sections(struct reader *r)
{
	uint8_t last = 0;
	int err = WX_OK;

	while (err == WX_OK && r->p < r->end) {
		const uint8_t *at = r->p, *start;
		uint8_t id = *r->p++;
		uint32_t size;

		if (id >= WX_ARRAY_LEN(section_rank))
			return fail_at(r, at, "malformed section id");
		if (id != 0 && section_rank[id] <= last)
			return fail_at(r, at,
			               "unexpected content after last section");
		if (id != 0)
			last = section_rank[id];
		err = rd_len(r, &size);
		start = r->p;
		if (err == WX_OK)
			err = decode_section(r, id, size);
		if (err == WX_OK && (size_t)(r->p - start) != size)
			err = fail_at(r, r->p, "section size mismatch");
	}
	return err;
}

/* Module-level consistency the sections alone cannot see. */
static int check_counts(struct reader *r)
{
	struct wasm_module *m = r->m;

	if (r->code_count_mismatch || (!r->seen_code && r->ndefined_funcs != 0))
		return fail_at(r, r->end,
		               "function and code section have inconsistent "
		               "lengths");
	if (m->has_datacount && m->datacount != m->ndatas)
		return fail_at(r, r->end,
		               "data count and data section have inconsistent "
		               "lengths");
	/*
	 * With no data section at all, a data index can only be unknown:
	 * leave that to the validator (wabt omits both sections then).
	 */
	if (r->uses_data_index && !m->has_datacount && r->seen_data)
		return fail_at(r, r->end, "data count section required");
	return WX_OK;
}

static void declare_ref(struct wasm_module *m, const struct wasm_constexpr *ce)
{
	if (ce->op == WASM_OP_REF_FUNC && ce->u.index < m->nfuncs)
		m->func_declared[ce->u.index] = 1;
}

/* C.refs: functions named by exports, element items and global inits. */
static int fill_func_declared(struct reader *r)
{
	struct wasm_module *m = r->m;

	m->func_declared = wx_alloc_array(m->nfuncs, 1);
	if (m->func_declared == NULL)
		return fail_nomem(r);
	for (uint32_t i = 0; i < m->nexports; i++) {
		const struct wasm_export *ex = &m->exports[i];
		if (ex->kind == WASM_EXT_FUNC && ex->index < m->nfuncs)
			m->func_declared[ex->index] = 1;
	}
	for (uint32_t i = 0; i < m->nelems; i++)
		for (uint32_t k = 0; k < m->elems[i].nitems; k++)
			declare_ref(m, &m->elems[i].items[k]);
	for (uint32_t i = m->num_imported_globals; i < m->nglobals; i++)
		declare_ref(m, &m->globals[i].init);
	for (uint32_t i = m->num_imported_tables; i < m->ntables; i++)
		if (m->tables[i].has_init)
			declare_ref(m, &m->tables[i].init);
	return WX_OK;
}

int wasm_decode(const uint8_t *data, size_t len, const struct wasm_limits *lim,
                struct wasm_module **out, struct diag *diag)
{
	struct reader r;
	struct wasm_module *m = NULL;
	int err = WX_OK;

	*out = NULL;
	memset(&r, 0, sizeof r);
	r.diag = diag;
	if (lim != NULL)
		r.lim = *lim;
	else
		wasm_limits_default(&r.lim);
	/* Offsets into the module are kept in 32 bits. */
	if (len > r.lim.max_module_bytes || len > UINT32_MAX) {
		err = diag_set(diag, WX_ELIMIT,
		               "module too large (%zu bytes, limit %zu)", len,
		               r.lim.max_module_bytes);
		goto out;
	}
	m = wx_calloc(1, sizeof *m);
	if (m != NULL)
		m->bytes = wx_malloc(len);
	if (m == NULL || m->bytes == NULL) {
		err =
		    diag_set(diag, WX_ENOMEM, "out of memory decoding module");
		goto out;
	}
	if (len > 0)
		memcpy(m->bytes, data, len);
	m->nbytes = len;
	m->wasm2 = r.lim.wasm2;
	r.m = m;
	r.base = r.p = m->bytes;
	r.end = m->bytes + len;
	err = decode_header(&r);
	if (err == WX_OK)
		err = decode_sections(&r);
	if (err == WX_OK)
		err = check_counts(&r);
	if (err == WX_OK)
		err = fill_func_declared(&r);
out:
	wx_free(r.ctl);
	if (err != WX_OK) {
		wasm_module_free(m);
		return err;
	}
	*out = m;
	return WX_OK;
}

void wasm_module_free(struct wasm_module *m)
{
	if (m == NULL)
		return;
	for (uint32_t i = 0; i < m->ntypes; i++)
		wx_free(m->types[i].types);
	wx_free(m->types);
	wx_free(m->type_canon);
	wx_free(m->imports);
	for (uint32_t i = 0; i < m->nfuncs; i++)
		wx_free(m->funcs[i].local_types);
	wx_free(m->funcs);
	wx_free(m->tables);
	wx_free(m->memories);
	wx_free(m->globals);
	wx_free(m->tags);
	wx_free(m->exports);
	for (uint32_t i = 0; i < m->nelems; i++)
		wx_free(m->elems[i].items);
	wx_free(m->elems);
	wx_free(m->datas);
	wx_free(m->func_declared);
	wx_free(m->bytes);
	wx_free(m);
}
