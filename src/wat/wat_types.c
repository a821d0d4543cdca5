/*
 * wat_types.c: types in the text format: value, heap and reference types,
 * type definitions (func, struct, array, sub, rec), type uses with their
 * implicit types, block types, and index references.
 *
 * Keeps true: an inline type use matches the first plain function type
 * with the same signature or appends one (as wabt and the spec do), and a
 * "(type x)" given with inline params/results must agree with it.
 */
#include "wat/wat_mod.h"

#include <string.h>

static const char *const space_names[WS_COUNT_] = {
    "type",   "function",     "table",        "memory",
    "global", "elem segment", "data segment", "tag"};

bool wat_opt_index(struct wat_mod *m, enum wat_space sp, uint32_t *out)
{
	struct wat_token *tk = wat_cur(m->c);
	if (tk->kind == WT_ID) {
		int64_t i = wat_names_find(&m->names[sp], tk->s, tk->len);
		if (i < 0)
			wat_fail(m->c, tk, "unknown %s $%.*s", space_names[sp],
			         (int)tk->len, tk->s);
		*out = (uint32_t)i;
	} else if (wat_is_uint(tk)) {
		*out = (uint32_t)wat_parse_uint(m->c, tk, 32);
	} else {
		return false;
	}
	m->c->pos++;
	return true;
}

uint32_t wat_index(struct wat_mod *m, enum wat_space sp)
{
	uint32_t i;
	if (!wat_opt_index(m, sp, &i))
		wat_unexpected(m->c);
	return i;
}

static const struct {
	const char *name;
	uint8_t code;
} heap_kws[] = {
    {"func", 0x70},     {"extern", 0x6f}, {"any", 0x6e},   {"eq", 0x6d},
    {"i31", 0x6c},      {"struct", 0x6b}, {"array", 0x6a}, {"none", 0x71},
    {"noextern", 0x72}, {"nofunc", 0x73}, {"exn", 0x69},   {"noexn", 0x74},
};

static const struct {
	const char *name;
	uint8_t code;
} val_kws[] = {
    {"i32", 0x7f},       {"i64", 0x7e},           {"f32", 0x7d},
    {"f64", 0x7c},       {"v128", 0x7b},          {"funcref", 0x70},
    {"externref", 0x6f}, {"anyref", 0x6e},        {"eqref", 0x6d},
    {"i31ref", 0x6c},    {"structref", 0x6b},     {"arrayref", 0x6a},
    {"nullref", 0x71},   {"nullexternref", 0x72}, {"nullfuncref", 0x73},
    {"exnref", 0x69},    {"nullexnref", 0x74},
};

void wat_heaptype(struct wat_mod *m, struct wat_buf *b)
{
	struct wat_token *tk = wat_cur(m->c);
	for (size_t i = 0; i < WX_ARRAY_LEN(heap_kws); i++)
		if (wat_is_kw(tk, heap_kws[i].name)) {
			m->c->pos++;
			wat_byte(m->c, b, heap_kws[i].code);
			return;
		}
	uint32_t x;
	if (!wat_opt_index(m, WS_TYPE, &x))
		wat_unexpected(m->c);
	wat_s64(m->c, b, x);
}

static int val_kw(const struct wat_token *tk)
{
	for (size_t i = 0; i < WX_ARRAY_LEN(val_kws); i++)
		if (wat_is_kw(tk, val_kws[i].name))
			return val_kws[i].code;
	return -1;
}

bool wat_at_valtype(struct wat_mod *m)
{
	return val_kw(wat_cur(m->c)) >= 0 || wat_at_field(m->c, "ref");
}

void wat_valtype(struct wat_mod *m, struct wat_buf *b)
{
	struct wat_ctx *c = m->c;
	int code = val_kw(wat_cur(c));
	if (code >= 0) {
		c->pos++;
		wat_byte(c, b, (uint8_t)code);
		return;
	}
	if (!wat_at_field(c, "ref"))
		wat_unexpected(c);
	c->pos += 2;
	bool null = wat_is_kw(wat_cur(c), "null");
	if (null)
		c->pos++;
	wat_byte(c, b, null ? 0x63 : 0x64);
	wat_heaptype(m, b);
	wat_expect_rpar(c);
}

void wat_reftype(struct wat_mod *m, struct wat_buf *b)
{
	int code = val_kw(wat_cur(m->c));
	if (code >= 0x7b)
		wat_unexpected(m->c);
	wat_valtype(m, b);
}

/* --- definitions ------------------------------------------------------------
 */

static struct wat_type *new_type(struct wat_mod *m)
{
	if (m->ntypes == m->captypes) {
		uint32_t cap = m->captypes ? m->captypes * 2 : 16;
		struct wat_type *v = wat_alloc(m->c, cap * sizeof *v);
		if (m->ntypes)
			memcpy(v, m->types, m->ntypes * sizeof *v);
		m->types = v;
		m->captypes = cap;
	}
	struct wat_type *t = &m->types[m->ntypes++];
	memset(t, 0, sizeof *t);
	return t;
}

/*
 * "(param ...)* (result ...)*" into 'params'/'results' (vectors without
 * their counts); names of params into 'locals' if not NULL.
 */
static void signature(struct wat_mod *m, struct wat_buf *params,
                      struct wat_buf *results, uint32_t *np, uint32_t *nr,
                      struct wat_names *locals)
{
	struct wat_ctx *c = m->c;
	while (wat_at_field(c, "param")) {
		c->pos += 2;
		struct wat_token *id = wat_opt_id(c);
		if (id) {
			wat_valtype(m, params);
			(*np)++;
			if (locals)
				wat_names_add(c, locals, id, "local");
		} else {
			while (wat_cur(c)->kind != WT_RPAR) {
				wat_valtype(m, params);
				(*np)++;
				if (locals)
					wat_names_add(c, locals, NULL, "local");
			}
		}
		wat_expect_rpar(c);
	}
	while (wat_at_field(c, "result")) {
		c->pos += 2;
		while (wat_cur(c)->kind != WT_RPAR) {
			wat_valtype(m, results);
			(*nr)++;
		}
		wat_expect_rpar(c);
	}
}

static void func_enc(struct wat_mod *m, struct wat_buf *out, uint32_t np,
                     const struct wat_buf *p, uint32_t nr,
                     const struct wat_buf *r)
{
	wat_byte(m->c, out, 0x60);
	wat_u32(m->c, out, np);
	wat_put(m->c, out, p->p, p->n);
	wat_u32(m->c, out, nr);
	wat_put(m->c, out, r->p, r->n);
}

static void field_type(struct wat_mod *m, struct wat_buf *b)
{
	struct wat_ctx *c = m->c;
	bool mut = wat_at_field(c, "mut");
	if (mut)
		c->pos += 2;
	if (wat_is_kw(wat_cur(c), "i8") || wat_is_kw(wat_cur(c), "i16")) {
		wat_byte(c, b, wat_is_kw(wat_cur(c), "i8") ? 0x78 : 0x77);
		c->pos++;
	} else {
		wat_valtype(m, b);
	}
	wat_byte(c, b, mut ? 1 : 0);
	if (mut)
		wat_expect_rpar(c);
}

static void struct_type(struct wat_mod *m, struct wat_type *t)
{
	struct wat_ctx *c = m->c;
	struct wat_buf fields = {0};
	while (wat_at_field(c, "field")) {
		c->pos += 2;
		struct wat_token *id = wat_opt_id(c);
		if (id) {
			field_type(m, &fields);
			wat_names_add(c, &t->fields, id, "field");
			t->nfields++;
		}
		while (!id && wat_cur(c)->kind != WT_RPAR) {
			field_type(m, &fields);
			wat_names_add(c, &t->fields, NULL, "field");
			t->nfields++;
		}
		wat_expect_rpar(c);
	}
	wat_byte(c, &t->enc, 0x5f);
	wat_u32(c, &t->enc, t->nfields);
	wat_put(c, &t->enc, fields.p, fields.n);
}

/* func, struct or array after its '(' keyword. */
static void comptype(struct wat_mod *m, struct wat_type *t)
{
	struct wat_ctx *c = m->c;
	if (wat_at_field(c, "func")) {
		c->pos += 2;
		struct wat_buf p = {0}, r = {0};
		signature(m, &p, &r, &t->nparams, &t->nresults, NULL);
		func_enc(m, &t->enc, t->nparams, &p, t->nresults, &r);
	} else if (wat_at_field(c, "struct")) {
		c->pos += 2;
		struct_type(m, t);
	} else if (wat_at_field(c, "array")) {
		c->pos += 2;
		wat_byte(c, &t->enc, 0x5e);
		if (wat_at_field(c, "field")) {
			c->pos += 2;
			wat_opt_id(c);
			field_type(m, &t->enc);
			wat_expect_rpar(c);
		} else {
			field_type(m, &t->enc);
		}
	} else {
		wat_unexpected(c);
	}
	wat_expect_rpar(c);
}

/* "(type $id? subtype)" from its '('; encodes into 'out'. */
static void type_def(struct wat_mod *m, struct wat_buf *out, bool in_rec)
{
	struct wat_ctx *c = m->c;
	c->pos += 2;
	wat_opt_id(c);
	struct wat_type *t = new_type(m);
	if (wat_at_field(c, "sub")) {
		c->pos += 2;
		bool final = wat_is_kw(wat_cur(c), "final");
		if (final)
			c->pos++;
		struct wat_buf supers = {0};
		uint32_t n = 0, x;
		while (wat_opt_index(m, WS_TYPE, &x)) {
			wat_u32(c, &supers, x);
			n++;
		}
		comptype(m, t);
		wat_expect_rpar(c);
		wat_byte(c, out, final ? 0x4f : 0x50);
		wat_u32(c, out, n);
		wat_put(c, out, supers.p, supers.n);
		t->plain_func = false;
	} else {
		comptype(m, t);
		t->plain_func = !in_rec && t->enc.p[0] == 0x60;
	}
	wat_put(c, out, t->enc.p, t->enc.n);
	wat_expect_rpar(c);
}

void wat_types_encode(struct wat_mod *m, uint32_t first, uint32_t last)
{
	struct wat_ctx *c = m->c;
	struct wat_buf *sec = &m->sec[SEC_TYPE];
	for (c->pos = first; c->pos < last;) {
		uint32_t end = wat_cur(c)->match + 1;
		if (wat_at_field(c, "type")) {
			type_def(m, sec, false);
			m->ntype_entries++;
		} else if (wat_at_field(c, "rec")) {
			c->pos += 2;
			uint32_t n = 0;
			struct wat_buf group = {0};
			while (wat_at_field(c, "type")) {
				type_def(m, &group, true);
				n++;
			}
			wat_expect_rpar(c);
			wat_byte(c, sec, 0x4e);
			wat_u32(c, sec, n);
			wat_put(c, sec, group.p, group.n);
			m->ntype_entries++;
		}
		c->pos = end;
	}
}

/* --- uses -------------------------------------------------------------------
 */

static uint32_t find_or_add(struct wat_mod *m, const struct wat_buf *enc,
                            uint32_t np, uint32_t nr)
{
	for (uint32_t i = 0; i < m->ntypes; i++) {
		struct wat_type *t = &m->types[i];
		if (t->plain_func && t->enc.n == enc->n &&
		    memcmp(t->enc.p, enc->p, enc->n) == 0)
			return i;
	}
	struct wat_type *t = new_type(m);
	t->enc = *enc;
	t->plain_func = true;
	t->nparams = np;
	t->nresults = nr;
	wat_put(m->c, &m->sec[SEC_TYPE], enc->p, enc->n);
	m->ntype_entries++;
	return m->ntypes - 1;
}

/* Parses a type use; '*inline_sig' tells whether no "(type x)" was given. */
static uint32_t typeuse_sig(struct wat_mod *m, struct wat_names *locals,
                            struct wat_buf *enc, uint32_t *np, uint32_t *nr,
                            bool *explicit_type)
{
	struct wat_ctx *c = m->c;
	uint32_t x = 0;
	*explicit_type = wat_at_field(c, "type");
	struct wat_token *at = wat_cur(c);
	if (*explicit_type) {
		c->pos += 2;
		x = wat_index(m, WS_TYPE);
		wat_expect_rpar(c);
	}
	struct wat_buf p = {0}, r = {0};
	*np = *nr = 0;
	uint32_t nl = locals ? locals->n : 0;
	bool has_sig = wat_at_field(c, "param") || wat_at_field(c, "result");
	signature(m, &p, &r, np, nr, locals);
	if (wat_at_field(c, "param") || wat_at_field(c, "result") ||
	    wat_at_field(c, "type"))
		wat_fail(c, wat_peek(c, 1), "unexpected token");
	func_enc(m, enc, *np, &p, *nr, &r);
	if (!*explicit_type)
		return 0;
	if (x >= m->ntypes && has_sig)
		wat_fail(c, at, "unknown type");
	if (x >= m->ntypes)
		return x; /* left to the validator: "unknown type" */
	struct wat_type *t = &m->types[x];
	if (has_sig && (t->enc.n != enc->n || memcmp(t->enc.p, enc->p, enc->n)))
		wat_fail(c, at, "inline function type");
	if (!has_sig) {
		enc->n = 0;
		wat_put(c, enc, t->enc.p, t->enc.n);
		*np = t->nparams;
		*nr = t->nresults;
		for (uint32_t i = 0; locals && i < t->nparams; i++)
			wat_names_add(c, locals, NULL, "local");
		(void)nl;
	}
	return x;
}

uint32_t wat_typeuse(struct wat_mod *m, struct wat_names *locals)
{
	struct wat_buf enc = {0};
	uint32_t np, nr;
	bool explicit_type;
	uint32_t x = typeuse_sig(m, locals, &enc, &np, &nr, &explicit_type);
	return explicit_type ? x : find_or_add(m, &enc, np, nr);
}

void wat_blocktype(struct wat_mod *m, struct wat_buf *b)
{
	struct wat_buf enc = {0};
	uint32_t np, nr;
	bool explicit_type;
	struct wat_names dummy = {0};
	uint32_t x = typeuse_sig(m, &dummy, &enc, &np, &nr, &explicit_type);
	for (uint32_t i = 0; i < dummy.n; i++)
		if (dummy.v[i].len)
			wat_fail(m->c, wat_cur(m->c), "unexpected token");
	if (explicit_type && x >= m->ntypes) {
		wat_s64(m->c, b, x);
		return;
	}
	if (np == 0 && nr <= 1) {
		if (nr == 0)
			wat_byte(m->c, b, 0x40);
		else /* the one result type: after 0x60 0x00 0x01 */
			wat_put(m->c, b, enc.p + 3, enc.n - 3);
		return;
	}
	if (!explicit_type)
		x = find_or_add(m, &enc, np, nr);
	wat_s64(m->c, b, x);
}
