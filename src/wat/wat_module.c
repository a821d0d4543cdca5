/*
 * wat_module.c: module fields in the text format (imports, functions,
 * tables, memories, globals, tags, exports, start, element and data
 * segments, with every inline abbreviation) and the binary layout.
 *
 * Three passes over the fields: names and index spaces, then explicit
 * types, then everything else in field order (so implicit types are
 * appended in the order wabt appends them).
 *
 * Keeps true: sections are written in the binary format's order, each
 * only if it has entries, exactly as wabt's wat2wasm writes them.
 */
#include "wat/wat_mod.h"

#include <stdlib.h>
#include <string.h>

static const char *const kinds[WS_COUNT_] = {
    "type", "func", "table", "memory", "global", "elem", "data", "tag"};

static int space_of(const struct wat_token *tk)
{
	for (int i = WS_FUNC; i < WS_COUNT_; i++)
		if (i != WS_ELEM && i != WS_DATA && wat_is_kw(tk, kinds[i]))
			return i;
	return -1;
}

/* Skips "(export ...)"* and says whether "(import ...)" follows. */
static bool inline_import_follows(struct wat_ctx *c)
{
	uint32_t save = c->pos;
	while (wat_at_field(c, "export"))
		wat_skip_sexpr(c);
	bool r = wat_at_field(c, "import");
	c->pos = save;
	return r;
}

/* --- pass 1: names -----------------------------------------------------------
 */

struct collect {
	const char *first_def; /* kind of the first definition, if any */
	struct wat_buf mem64, table64;
};

static void note_64(struct wat_mod *m, struct collect *k, int sp)
{
	struct wat_ctx *c = m->c;
	uint32_t save = c->pos;
	while (wat_at_field(c, "export") || wat_at_field(c, "import"))
		wat_skip_sexpr(c);
	uint8_t is64 = wat_is_kw(wat_cur(c), "i64");
	c->pos = save;
	if (sp == WS_MEM)
		wat_byte(c, &k->mem64, is64);
	if (sp == WS_TABLE)
		wat_byte(c, &k->table64, is64);
}

static void collect_entity(struct wat_mod *m, struct collect *k, int sp,
                           bool imported, const struct wat_token *kw)
{
	struct wat_ctx *c = m->c;
	struct wat_token *id = wat_opt_id(c);
	if (!imported)
		imported = inline_import_follows(c);
	static const char *const long_names[WS_COUNT_] = {
	    "type",   "function", "table", "memory",
	    "global", "elem",     "data",  "tag"};
	if (imported && k->first_def)
		wat_fail(c, kw, "import after %s", k->first_def);
	if (!imported && !k->first_def)
		k->first_def = long_names[sp];
	wat_names_add(c, &m->names[sp], id, kinds[sp]);
	if (imported)
		m->nimports[sp]++;
	note_64(m, k, sp);
	if (imported || (sp != WS_TABLE && sp != WS_MEM))
		return;
	/* inline (elem ...) in a table, (data ...) in a memory */
	for (uint32_t i = c->pos;
	     c->t[i].kind != WT_EOF && c->t[i].kind != WT_RPAR;) {
		if (c->t[i].kind == WT_LPAR) {
			if (sp == WS_TABLE && wat_is_kw(&c->t[i + 1], "elem"))
				wat_names_add(c, &m->names[WS_ELEM], NULL,
				              "elem");
			if (sp == WS_MEM && wat_is_kw(&c->t[i + 1], "data"))
				wat_names_add(c, &m->names[WS_DATA], NULL,
				              "data");
			i = c->t[i].match + 1;
		} else {
			i++;
		}
	}
}

static void collect_field(struct wat_mod *m, struct collect *k)
{
	struct wat_ctx *c = m->c;
	wat_expect_lpar(c);
	struct wat_token *kw = wat_cur(c);
	c->pos++;
	int sp = space_of(kw);
	if (wat_is_kw(kw, "type")) {
		wat_names_add(c, &m->names[WS_TYPE], wat_opt_id(c), "type");
	} else if (wat_is_kw(kw, "rec")) {
		while (wat_at_field(c, "type")) {
			uint32_t end = wat_cur(c)->match + 1;
			c->pos += 2;
			wat_names_add(c, &m->names[WS_TYPE], wat_opt_id(c),
			              "type");
			c->pos = end;
		}
	} else if (sp >= 0) {
		collect_entity(m, k, sp, false, kw);
	} else if (wat_is_kw(kw, "import")) {
		wat_name_string(c);
		wat_name_string(c);
		wat_expect_lpar(c);
		struct wat_token *ik = wat_cur(c);
		sp = space_of(ik);
		if (sp < 0)
			wat_unexpected(c);
		c->pos++;
		collect_entity(m, k, sp, true, kw);
	} else if (wat_is_kw(kw, "elem") || wat_is_kw(kw, "data")) {
		bool elem = wat_is_kw(kw, "elem");
		wat_names_add(c, &m->names[elem ? WS_ELEM : WS_DATA],
		              wat_opt_id(c), kinds[elem ? WS_ELEM : WS_DATA]);
	} else if (!wat_is_kw(kw, "export") && !wat_is_kw(kw, "start") &&
	           !wat_is_kw(kw, "@custom")) {
		wat_fail(c, kw, "unexpected token \"%.*s\"",
		         (int)(kw->len > 40 ? 40 : kw->len), kw->s);
	}
}

static void collect(struct wat_mod *m, uint32_t first, uint32_t last)
{
	struct wat_ctx *c = m->c;
	struct collect k = {0};
	for (c->pos = first; c->pos < last;) {
		uint32_t end = wat_cur(c)->kind == WT_LPAR
		                   ? wat_cur(c)->match + 1
		                   : c->pos + 1;
		collect_field(m, &k);
		c->pos = end;
	}
	m->mem64 = wat_alloc(c, m->names[WS_MEM].n + 1);
	m->table64 = wat_alloc(c, m->names[WS_TABLE].n + 1);
	memcpy(m->mem64, k.mem64.p ? k.mem64.p : (uint8_t *)"", k.mem64.n);
	memcpy(m->table64, k.table64.p ? k.table64.p : (uint8_t *)"",
	       k.table64.n);
}

/* --- pass 3: fields ----------------------------------------------------------
 */

static void put_name(struct wat_ctx *c, struct wat_buf *b,
                     const struct wat_token *s)
{
	wat_u32(c, b, s->len);
	wat_put(c, b, s->s, s->len);
}

static void inline_exports(struct wat_mod *m, int sp, uint32_t idx)
{
	struct wat_ctx *c = m->c;
	static const uint8_t ext[WS_COUNT_] = {0, 0, 1, 2, 3, 0, 0, 4};
	while (wat_at_field(c, "export")) {
		c->pos += 2;
		struct wat_token *n = wat_name_string(c);
		wat_expect_rpar(c);
		put_name(c, &m->sec[SEC_EXPORT], n);
		wat_byte(c, &m->sec[SEC_EXPORT], ext[sp]);
		wat_u32(c, &m->sec[SEC_EXPORT], idx);
		m->count[SEC_EXPORT]++;
	}
}

static void limits(struct wat_mod *m, struct wat_buf *b, bool is64,
                   bool allow_shared)
{
	struct wat_ctx *c = m->c;
	unsigned bits = is64 || !(c->flags & WAT_WASM2) ? 64 : 32;
	uint64_t min = wat_parse_uint(c, wat_cur(c), bits), max = 0;
	c->pos++;
	bool has_max = wat_is_uint(wat_cur(c));
	if (has_max) {
		max = wat_parse_uint(c, wat_cur(c), bits);
		c->pos++;
	}
	bool shared = allow_shared && wat_is_kw(wat_cur(c), "shared");
	if (shared)
		c->pos++;
	wat_byte(c, b, (uint8_t)(has_max | shared << 1 | is64 << 2));
	wat_u32(c, b, min);
	if (has_max)
		wat_u32(c, b, max);
}

static bool opt_i64(struct wat_ctx *c)
{
	if (wat_is_kw(wat_cur(c), "i64")) {
		c->pos++;
		return true;
	}
	if (wat_is_kw(wat_cur(c), "i32"))
		c->pos++;
	return false;
}

static void table_type(struct wat_mod *m, struct wat_buf *b)
{
	bool is64 = opt_i64(m->c);
	struct wat_buf lim = {0};
	limits(m, &lim, is64, false);
	wat_reftype(m, b);
	wat_put(m->c, b, lim.p, lim.n);
}

static void global_type(struct wat_mod *m, struct wat_buf *b)
{
	struct wat_ctx *c = m->c;
	if (wat_at_field(c, "mut")) {
		c->pos += 2;
		wat_valtype(m, b);
		wat_byte(c, b, 1);
		wat_expect_rpar(c);
	} else {
		wat_valtype(m, b);
		wat_byte(c, b, 0);
	}
}

/* The description after the kind keyword of an import; 'sp' its space. */
static void import_desc(struct wat_mod *m, int sp, struct wat_buf *b)
{
	struct wat_ctx *c = m->c;
	switch (sp) {
	case WS_FUNC:
		wat_byte(c, b, 0x00);
		wat_u32(c, b, wat_typeuse(m, NULL));
		break;
	case WS_TABLE:
		wat_byte(c, b, 0x01);
		table_type(m, b);
		break;
	case WS_MEM:
		wat_byte(c, b, 0x02);
		limits(m, b, opt_i64(c), true);
		break;
	case WS_GLOBAL:
		wat_byte(c, b, 0x03);
		global_type(m, b);
		break;
	default:
		wat_byte(c, b, 0x04);
		wat_byte(c, b, 0x00);
		wat_u32(c, b, wat_typeuse(m, NULL));
		break;
	}
}

static void import_field(struct wat_mod *m, uint32_t *idx)
{
	struct wat_ctx *c = m->c;
	struct wat_buf *b = &m->sec[SEC_IMPORT];
	put_name(c, b, wat_name_string(c));
	put_name(c, b, wat_name_string(c));
	wat_expect_lpar(c);
	int sp = space_of(wat_cur(c));
	c->pos++;
	wat_opt_id(c);
	import_desc(m, sp, b);
	wat_expect_rpar(c);
	idx[sp]++;
	m->count[SEC_IMPORT]++;
}

/* Inline "(import "m" "n")" after the exports of a definition. */
static void inline_import(struct wat_mod *m, int sp)
{
	struct wat_ctx *c = m->c;
	struct wat_buf *b = &m->sec[SEC_IMPORT];
	c->pos += 2;
	put_name(c, b, wat_name_string(c));
	put_name(c, b, wat_name_string(c));
	wat_expect_rpar(c);
	import_desc(m, sp, b);
	m->count[SEC_IMPORT]++;
}

static void func_field(struct wat_mod *m)
{
	struct wat_ctx *c = m->c;
	if (wat_at_field(c, "import")) {
		inline_import(m, WS_FUNC);
		return;
	}
	wat_names_reset(&m->locals);
	uint32_t type = wat_typeuse(m, &m->locals);
	wat_u32(c, &m->sec[SEC_FUNC], type);
	m->count[SEC_FUNC]++;
	wat_func_body(m, &m->sec[SEC_CODE]);
	m->count[SEC_CODE]++;
}

/* An offset "(offset instr*)" or one folded instruction, with its end. */
static void offset_expr(struct wat_mod *m, struct wat_buf *b)
{
	struct wat_ctx *c = m->c;
	if (wat_at_field(c, "offset")) {
		c->pos += 2;
		wat_expr(m, b);
		wat_expect_rpar(c);
	} else {
		m->nlabels = 0;
		wat_names_reset(&m->locals);
		wat_folded(m, b);
		wat_byte(c, b, 0x0b);
	}
}

/* Element items; returns the count. '*all_func' stays true while every
 * item is one ref.func (or a bare function index). */
static uint32_t elem_items(struct wat_mod *m, struct wat_buf *funcs,
                           struct wat_buf *exprs, bool bare_funcs,
                           bool *all_func)
{
	struct wat_ctx *c = m->c;
	uint32_t n = 0;
	while (wat_cur(c)->kind != WT_RPAR) {
		if (bare_funcs) {
			uint32_t f = wat_index(m, WS_FUNC);
			wat_u32(c, funcs, f);
			wat_byte(c, exprs, 0xd2);
			wat_u32(c, exprs, f);
			wat_byte(c, exprs, 0x0b);
		} else {
			size_t start = exprs->n;
			if (wat_at_field(c, "item")) {
				c->pos += 2;
				wat_expr(m, exprs);
				wat_expect_rpar(c);
			} else {
				m->nlabels = 0;
				wat_folded(m, exprs);
				wat_byte(c, exprs, 0x0b);
			}
			const uint8_t *p = exprs->p + start;
			size_t len = exprs->n - start;
			if (len >= 3 && p[0] == 0xd2 && p[len - 1] == 0x0b) {
				size_t k = 1;
				while (k < len - 1 && (p[k] & 0x80))
					k++;
				if (k + 2 == len)
					wat_put(c, funcs, p + 1, len - 2);
				else
					*all_func = false;
			} else {
				*all_func = false;
			}
		}
		n++;
	}
	return n;
}

struct elem_list {
	struct wat_buf type, funcs, exprs;
	uint32_t n;
	bool all_func;
};

/* "func x*", "reftype item*" or bare "x*". */
static void elem_list(struct wat_mod *m, struct elem_list *l)
{
	struct wat_ctx *c = m->c;
	bool bare = true;
	l->all_func = true;
	if (wat_is_kw(wat_cur(c), "func")) {
		c->pos++;
		wat_byte(c, &l->type, 0x70);
	} else if (wat_at_valtype(m)) {
		wat_reftype(m, &l->type);
		bare = false;
		/* Items of an explicit type stay expressions: the index form
		 * would make them (ref func) (WebAssembly 3.0). */
		l->all_func = false;
	} else {
		wat_byte(c, &l->type, 0x70);
	}
	l->n = elem_items(m, &l->funcs, &l->exprs, bare, &l->all_func);
}

/* mode: 0 active, 1 passive, 3 declarative. */
static void elem_write(struct wat_mod *m, uint8_t mode, uint32_t table,
                       const struct wat_buf *offset, const struct elem_list *l)
{
	struct wat_ctx *c = m->c;
	struct wat_buf *b = &m->sec[SEC_ELEM];
	uint8_t flags = mode;
	bool funcref = l->type.n == 1 && l->type.p[0] == 0x70;
	if (mode == 0 && (table != 0 || !funcref))
		flags |= 2;
	if (!l->all_func)
		flags |= 4;
	wat_byte(c, b, flags);
	if (flags & 2 && mode == 0)
		wat_u32(c, b, table);
	if (mode == 0)
		wat_put(c, b, offset->p, offset->n);
	if (flags & 3) {
		if (l->all_func)
			wat_byte(c, b, 0x00);
		else
			wat_put(c, b, l->type.p, l->type.n);
	}
	wat_u32(c, b, l->n);
	if (l->all_func)
		wat_put(c, b, l->funcs.p, l->funcs.n);
	else
		wat_put(c, b, l->exprs.p, l->exprs.n);
	m->count[SEC_ELEM]++;
}

static void elem_field(struct wat_mod *m)
{
	struct wat_ctx *c = m->c;
	struct wat_buf offset = {0};
	struct elem_list l = {0};
	uint32_t table = 0;
	uint8_t mode = 1;
	wat_opt_id(c);
	if (wat_is_kw(wat_cur(c), "declare")) {
		c->pos++;
		mode = 3;
	} else if (wat_at_field(c, "table")) {
		c->pos += 2;
		table = wat_index(m, WS_TABLE);
		wat_expect_rpar(c);
		mode = 0;
	} else if (wat_cur(c)->kind == WT_NUM ||
	           (wat_cur(c)->kind == WT_ID &&
	            wat_peek(c, 1)->kind == WT_LPAR)) {
		table = wat_index(m, WS_TABLE);
		mode = 0;
	}
	if (mode == 0 || (mode == 1 && wat_cur(c)->kind == WT_LPAR &&
	                  !wat_at_field(c, "ref"))) {
		mode = 0;
		offset_expr(m, &offset);
	}
	elem_list(m, &l);
	elem_write(m, mode, table, &offset, &l);
}

/* A table field after its id and exports (not imported). */
static void table_field(struct wat_mod *m, uint32_t idx)
{
	struct wat_ctx *c = m->c;
	struct wat_buf *b = &m->sec[SEC_TABLE];
	m->count[SEC_TABLE]++;
	bool is64 = opt_i64(c);
	if (!wat_is_uint(wat_cur(c))) { /* reftype (elem ...) */
		struct wat_buf type = {0};
		wat_reftype(m, &type);
		struct elem_list l = {0};
		if (!wat_at_field(c, "elem"))
			wat_unexpected(c);
		c->pos += 2;
		if (wat_cur(c)->kind == WT_LPAR) {
			l.all_func = true;
			l.type = type;
			l.n = elem_items(m, &l.funcs, &l.exprs, false,
			                 &l.all_func);
			l.all_func =
			    l.all_func && type.n == 1 && type.p[0] == 0x70;
		} else {
			elem_list(m, &l);
			/* Bare indices: expressions of the table's type,
			 * unless that is funcref (which the index form fits).
			 */
			if (!(type.n == 1 && type.p[0] == 0x70)) {
				l.type = type;
				l.all_func = false;
			}
		}
		wat_expect_rpar(c);
		wat_put(c, b, type.p, type.n);
		wat_byte(c, b, (uint8_t)(1 | is64 << 2));
		wat_u32(c, b, l.n);
		wat_u32(c, b, l.n);
		struct wat_buf off = {0};
		wat_byte(c, &off, is64 ? 0x42 : 0x41);
		wat_byte(c, &off, 0);
		wat_byte(c, &off, 0x0b);
		elem_write(m, 0, idx, &off, &l);
		return;
	}
	struct wat_buf lim = {0}, type = {0};
	limits(m, &lim, is64, false);
	wat_reftype(m, &type);
	if (wat_cur(c)->kind == WT_LPAR) { /* initialiser expression */
		wat_byte(c, b, 0x40);
		wat_byte(c, b, 0x00);
		wat_put(c, b, type.p, type.n);
		wat_put(c, b, lim.p, lim.n);
		wat_expr(m, b);
		return;
	}
	wat_put(c, b, type.p, type.n);
	wat_put(c, b, lim.p, lim.n);
}

static void data_strings(struct wat_mod *m, struct wat_buf *b)
{
	struct wat_ctx *c = m->c;
	struct wat_buf bytes = {0};
	while (wat_cur(c)->kind == WT_STRING) {
		struct wat_token *s = wat_string(c);
		wat_put(c, &bytes, s->s, s->len);
	}
	wat_u32(c, b, bytes.n);
	wat_put(c, b, bytes.p, bytes.n);
}

static void memory_field(struct wat_mod *m, uint32_t idx)
{
	struct wat_ctx *c = m->c;
	struct wat_buf *b = &m->sec[SEC_MEM];
	m->count[SEC_MEM]++;
	bool is64 = opt_i64(c);
	if (!wat_at_field(c, "data")) {
		limits(m, b, is64, true);
		return;
	}
	c->pos += 2;
	uint32_t save = c->pos;
	uint64_t total = 0;
	while (wat_cur(c)->kind == WT_STRING)
		total += wat_string(c)->len;
	c->pos = save;
	uint64_t pages = (total + 65535) / 65536;
	wat_byte(c, b, (uint8_t)(1 | is64 << 2));
	wat_u32(c, b, pages);
	wat_u32(c, b, pages);
	struct wat_buf *d = &m->sec[SEC_DATA];
	if (idx == 0) {
		wat_byte(c, d, 0x00);
	} else {
		wat_byte(c, d, 0x02);
		wat_u32(c, d, idx);
	}
	wat_byte(c, d, is64 ? 0x42 : 0x41);
	wat_byte(c, d, 0);
	wat_byte(c, d, 0x0b);
	data_strings(m, d);
	wat_expect_rpar(c);
	m->count[SEC_DATA]++;
}

static void data_field(struct wat_mod *m)
{
	struct wat_ctx *c = m->c;
	struct wat_buf *d = &m->sec[SEC_DATA];
	uint32_t mem = 0;
	bool active = false;
	wat_opt_id(c);
	if (wat_at_field(c, "memory")) {
		c->pos += 2;
		mem = wat_index(m, WS_MEM);
		wat_expect_rpar(c);
		active = true;
	} else if (wat_cur(c)->kind == WT_NUM ||
	           (wat_cur(c)->kind == WT_ID &&
	            wat_peek(c, 1)->kind == WT_LPAR)) {
		mem = wat_index(m, WS_MEM);
		active = true;
	}
	if (active || wat_cur(c)->kind == WT_LPAR) {
		if (mem == 0) {
			wat_byte(c, d, 0x00);
		} else {
			wat_byte(c, d, 0x02);
			wat_u32(c, d, mem);
		}
		offset_expr(m, d);
	} else {
		wat_byte(c, d, 0x01);
	}
	data_strings(m, d);
	m->count[SEC_DATA]++;
}

static void global_field(struct wat_mod *m)
{
	struct wat_buf *b = &m->sec[SEC_GLOBAL];
	global_type(m, b);
	wat_expr(m, b);
	m->count[SEC_GLOBAL]++;
}

static void tag_field(struct wat_mod *m)
{
	struct wat_buf *b = &m->sec[SEC_TAG];
	wat_byte(m->c, b, 0x00);
	wat_u32(m->c, b, wat_typeuse(m, NULL));
	m->count[SEC_TAG]++;
}

/* func, table, memory, global or tag, from after its keyword. */
static void entity_field(struct wat_mod *m, int sp, uint32_t *idx)
{
	struct wat_ctx *c = m->c;
	wat_opt_id(c);
	inline_exports(m, sp, idx[sp]);
	if (wat_at_field(c, "import")) {
		inline_import(m, sp);
	} else if (sp == WS_FUNC) {
		func_field(m);
	} else if (sp == WS_TABLE) {
		table_field(m, idx[sp]);
	} else if (sp == WS_MEM) {
		memory_field(m, idx[sp]);
	} else if (sp == WS_GLOBAL) {
		global_field(m);
	} else {
		tag_field(m);
	}
	idx[sp]++;
}

static void export_field(struct wat_mod *m)
{
	struct wat_ctx *c = m->c;
	static const uint8_t ext[WS_COUNT_] = {0, 0, 1, 2, 3, 0, 0, 4};
	struct wat_token *n = wat_name_string(c);
	wat_expect_lpar(c);
	int sp = space_of(wat_cur(c));
	if (sp < 0)
		wat_unexpected(c);
	c->pos++;
	uint32_t x = wat_index(m, (enum wat_space)sp);
	wat_expect_rpar(c);
	put_name(c, &m->sec[SEC_EXPORT], n);
	wat_byte(c, &m->sec[SEC_EXPORT], ext[sp]);
	wat_u32(c, &m->sec[SEC_EXPORT], x);
	m->count[SEC_EXPORT]++;
}

/*
 * (@custom "name" place? "bytes"*), from after "@custom" (the custom
 * annotation of WebAssembly 3.0's annotations proposal): place is
 * (before first), (after last) (the default), or (before|after S) for a
 * section keyword S; the section goes there, custom sections at one
 * place in source order.
 */
static void custom_field(struct wat_mod *m)
{
	static const struct {
		const char *kw;
		uint8_t sec;
	} secs[] = {{"type", SEC_TYPE},
	            {"import", SEC_IMPORT},
	            {"func", SEC_FUNC},
	            {"table", SEC_TABLE},
	            {"memory", SEC_MEM},
	            {"tag", SEC_TAG},
	            {"global", SEC_GLOBAL},
	            {"export", SEC_EXPORT},
	            {"start", SEC_START},
	            {"elem", SEC_ELEM},
	            {"datacount", SEC_DATACOUNT},
	            {"code", SEC_CODE},
	            {"data", SEC_DATA}};
	struct wat_ctx *c = m->c;
	struct wat_custom *k = wat_alloc(c, sizeof *k);

	memset(k, 0, sizeof *k);
	put_name(c, &k->body, wat_name_string(c));
	if (wat_at_field(c, "before") || wat_at_field(c, "after")) {
		c->pos++;
		k->before = wat_is_kw(wat_cur(c), "before");
		c->pos++;
		struct wat_token *w = wat_cur(c);
		if (wat_is_kw(w, k->before ? "first" : "last")) {
			k->anchor = 0;
		} else {
			size_t i = 0;
			while (i < WX_ARRAY_LEN(secs) &&
			       !wat_is_kw(w, secs[i].kw))
				i++;
			if (i == WX_ARRAY_LEN(secs))
				wat_fail(c, w,
				         "malformed annotation: unknown "
				         "section in custom placement");
			k->anchor = secs[i].sec;
		}
		c->pos++;
		wat_expect_rpar(c);
	} else if (wat_cur(c)->kind == WT_LPAR) {
		wat_fail(c, wat_cur(c),
		         "malformed annotation: custom placement is "
		         "(before ...) or (after ...)");
	}
	while (wat_cur(c)->kind == WT_STRING) {
		struct wat_token *b = wat_string(c);
		wat_put(c, &k->body, b->s, b->len);
	}
	*m->customs_end = k;
	m->customs_end = &k->next;
}

static void encode_field(struct wat_mod *m, uint32_t *idx)
{
	struct wat_ctx *c = m->c;
	wat_expect_lpar(c);
	struct wat_token *kw = wat_cur(c);
	c->pos++;
	int sp = space_of(kw);
	if (sp >= 0) {
		entity_field(m, sp, idx);
	} else if (wat_is_kw(kw, "import")) {
		import_field(m, idx);
	} else if (wat_is_kw(kw, "export")) {
		export_field(m);
	} else if (wat_is_kw(kw, "start")) {
		if (m->has_start)
			wat_fail(c, kw, "multiple start sections");
		m->has_start = true;
		wat_u32(c, &m->sec[SEC_START], wat_index(m, WS_FUNC));
	} else if (wat_is_kw(kw, "elem")) {
		elem_field(m);
	} else if (wat_is_kw(kw, "data")) {
		data_field(m);
	} else if (wat_is_kw(kw, "@custom")) {
		custom_field(m);
	} else { /* type and rec: done in pass 2 */
		c->pos = c->t[c->pos - 2].match + 1;
		return;
	}
	wat_expect_rpar(c);
}

static void section(struct wat_ctx *c, struct wat_buf *out, uint8_t id,
                    const struct wat_buf *body, uint32_t count, bool vec)
{
	struct wat_buf head = {0};
	if (vec)
		wat_u32(c, &head, count);
	wat_byte(c, out, id);
	wat_u32(c, out, head.n + body->n);
	wat_put(c, out, head.p, head.n);
	wat_put(c, out, body->p, body->n);
}

/* The custom sections placed before (or after) section 'anchor'. */
static void customs_at(struct wat_mod *m, struct wat_buf *out, uint8_t anchor,
                       bool before)
{
	for (struct wat_custom *k = m->customs; k != NULL; k = k->next)
		if (k->anchor == anchor && k->before == before)
			section(m->c, out, 0, &k->body, 0, false);
}

static void layout(struct wat_mod *m, struct wat_buf *out)
{
	static const uint8_t order[] = {
	    SEC_TYPE,      SEC_IMPORT, SEC_FUNC,   SEC_TABLE, SEC_MEM,
	    SEC_TAG,       SEC_GLOBAL, SEC_EXPORT, SEC_START, SEC_ELEM,
	    SEC_DATACOUNT, SEC_CODE,   SEC_DATA};
	struct wat_ctx *c = m->c;
	m->count[SEC_TYPE] = m->ntype_entries;
	wat_put(c, out, "\0asm\1\0\0\0", 8);
	customs_at(m, out, 0, true);
	for (size_t i = 0; i < sizeof order; i++) {
		uint8_t id = order[i];
		customs_at(m, out, id, true);
		if (id == SEC_START) {
			if (m->has_start)
				section(c, out, id, &m->sec[id], 0, false);
		} else if (id == SEC_DATACOUNT) {
			if (m->uses_datacount) {
				struct wat_buf n = {0};
				wat_u32(c, &n, m->count[SEC_DATA]);
				section(c, out, id, &n, 0, false);
			}
		} else if (m->count[id]) {
			section(c, out, id, &m->sec[id], m->count[id], true);
		}
		customs_at(m, out, id, false);
	}
	customs_at(m, out, 0, false);
}

/* "binary" "..."*: the module's bytes as written. */
static void binary_module(struct wat_ctx *c, struct wat_buf *out)
{
	c->pos++;
	while (wat_cur(c)->kind == WT_STRING) {
		struct wat_token *s = wat_string(c);
		wat_put(c, out, s->s, s->len);
	}
}

void wat_module_encode(struct wat_ctx *c, bool bare, struct wat_buf *out)
{
	struct wat_mod *m = wat_alloc(c, sizeof *m);
	memset(m, 0, sizeof *m);
	m->c = c;
	m->customs_end = &m->customs;
	uint32_t first = c->pos, last;
	if (!bare) {
		last = wat_cur(c)->match;
		c->pos += 2;
		if (wat_is_kw(wat_cur(c), "definition"))
			c->pos++;
		wat_opt_id(c);
		if (wat_is_kw(wat_cur(c), "binary")) {
			binary_module(c, out);
			wat_expect_rpar(c);
			return;
		}
		first = c->pos;
	} else {
		/* The fields run to the first token that is not one; the
		 * caller fails on it after parsing them (a stray ')' is an
		 * error only once what comes before it is well formed). */
		for (last = first; c->t[last].kind == WT_LPAR;)
			last = c->t[last].match + 1;
	}
	for (uint32_t i = first; i < last; i = c->t[i].match + 1)
		if (c->t[i].kind != WT_LPAR) {
			c->pos = i;
			wat_unexpected(c);
		}
	collect(m, first, last);
	wat_types_encode(m, first, last);
	uint32_t idx[WS_COUNT_] = {0}; /* next index of each space, in order */
	for (c->pos = first; c->pos < last;)
		encode_field(m, idx);
	layout(m, out);
	c->pos = last + (bare ? 0 : 1);
}

/* --- public entry points
 * ------------------------------------------------------ */

struct to_wasm {
	const char *text;
	size_t len;
	uint8_t *out;
	size_t outlen;
};

static void to_wasm_body(struct wat_ctx *c, void *arg)
{
	struct to_wasm *a = arg;
	struct wat_buf out = {0};
	wat_lex(c, a->text, a->len);
	bool bare = !wat_at_field(c, "module");
	wat_module_encode(c, bare, &out);
	if (wat_cur(c)->kind != WT_EOF)
		wat_unexpected(c);
	a->out = wx_malloc(out.n ? out.n : 1);
	if (a->out == NULL)
		wat_oom(c);
	memcpy(a->out, out.p, out.n);
	a->outlen = out.n;
}

int wat_to_wasm(const char *name, const char *text, size_t len, uint8_t **out,
                size_t *outlen, struct diag *diag)
{
	struct wat_ctx c = {0};
	struct to_wasm a = {text, len, NULL, 0};
	c.name = name ? name : "module.wat";
	c.diag = diag;
	int rc = wat_guard(&c, to_wasm_body, &a);
	if (rc != 0) {
		free(a.out);
		return rc;
	}
	*out = a.out;
	*outlen = a.outlen;
	return 0;
}

int wat_is_text(const uint8_t *bytes, size_t len)
{
	if (len >= 4 && memcmp(bytes, "\0asm", 4) == 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t b = bytes[i];
		if (b == ' ' || b == '\t' || b == '\n' || b == '\r')
			continue;
		return b == '(' || b == ';';
	}
	return 0;
}
