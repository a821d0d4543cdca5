/*
 * wat_instr.c: instructions in the text format, flat and folded, with
 * their immediates, labels and locals; function bodies.
 *
 * Mnemonics come from wasm_ops.def (the engine's opcode table) and, for
 * proposals the engine does not run yet, from wat_ops_ext.def.
 *
 * Keeps true: block nesting (flat or folded) never exceeds WAT_MAX_DEPTH,
 * so recursion here is bounded whatever the input.
 */
#include "wat/wat_mod.h"

#include <string.h>

#include "wasm/wasm_module.h"

enum wat_imm {
	WI_NONE = WASM_IMM_NONE,
	WI_LABEL = WASM_IMM_LABEL,
	WI_FUNC = WASM_IMM_FUNC,
	WI_CALL_INDIRECT = WASM_IMM_CALL_INDIRECT,
	WI_MEMARG = WASM_IMM_MEMARG,
	WI_FIRST_EXT_ = 100,
	WI_TAG,
	WI_TYPE,
	WI_FIELD,
	WI_TYPE_N,
	WI_TYPE_DATA,
	WI_TYPE_ELEM,
	WI_TYPE_TYPE,
	WI_REF_CAST,
	WI_BR_ON_CAST,
	WI_V128,
	WI_SHUFFLE,
	WI_LANE,
	WI_MEMARG_LANE,
};

struct wat_op {
	const char *name;
	uint8_t prefix;
	uint16_t code;
	uint8_t imm;
	uint8_t align;
};

/* wasm_ops.def's immediate kinds that ext_imm writes, as enum wat_imm. */
#define WAT_IMM_OF(k)                                                          \
	((k) == WASM_IMM_V128           ? WI_V128                              \
	 : (k) == WASM_IMM_SHUFFLE      ? WI_SHUFFLE                           \
	 : (k) == WASM_IMM_LANE         ? WI_LANE                              \
	 : (k) == WASM_IMM_MEMARG_LANE  ? WI_MEMARG_LANE                       \
	                                : (k))

static const struct wat_op ops[] = {
#define WASM_OP(prefix, code, ident, name, imm, sig, align)                    \
	{name, prefix, code, WAT_IMM_OF(WASM_IMM_##imm), align},
#include "wasm/wasm_ops.def"
#undef WASM_OP
#define WAT_OP(prefix, code, name, imm, align) {name, prefix, code, imm, align},
#include "wat/wat_ops_ext.def"
#undef WAT_OP
};

#define OP_HASH 2048
static uint16_t op_hash[OP_HASH]; /* index + 1, 0 empty */
static int op_hash_ready;

static uint32_t hash_name(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

/*
 * Does this file know how to write the immediates of immediate kind
 * 'imm'? Kinds the engine adds to enum wasm_imm after WASM_IMM_TABLE_COPY
 * are unknown here until plain_imm learns them.
 */
static bool imm_known(uint8_t imm)
{
	return imm <= WASM_IMM_TABLE_COPY || imm > WI_FIRST_EXT_;
}

static void build_hash(void)
{
	for (size_t i = 0; i < WX_ARRAY_LEN(ops); i++) {
		uint32_t h =
		    hash_name(ops[i].name, strlen(ops[i].name)) % OP_HASH;
		while (op_hash[h] != 0) {
			if (strcmp(ops[op_hash[h] - 1].name, ops[i].name) == 0)
				break;
			h = (h + 1) % OP_HASH;
		}
		/* The first row of a name wins (wasm_ops.def before
		 * wat_ops_ext.def), unless its immediates are of a kind this
		 * file cannot write yet and a later row's are. */
		if (op_hash[h] == 0 || (!imm_known(ops[op_hash[h] - 1].imm) &&
		                        imm_known(ops[i].imm)))
			op_hash[h] = (uint16_t)(i + 1);
	}
	__atomic_store_n(&op_hash_ready, 1, __ATOMIC_RELEASE);
}

static const struct wat_op *find_op(const struct wat_token *tk)
{
	/* Building twice from two threads writes identical values: benign. */
	if (!__atomic_load_n(&op_hash_ready, __ATOMIC_ACQUIRE))
		build_hash();
	uint32_t h = hash_name(tk->s, tk->len) % OP_HASH;
	while (op_hash[h] != 0) {
		const struct wat_op *o = &ops[op_hash[h] - 1];
		if (strlen(o->name) == tk->len &&
		    memcmp(o->name, tk->s, tk->len) == 0)
			return o;
		h = (h + 1) % OP_HASH;
	}
	return NULL;
}

static void emit_op(struct wat_ctx *c, struct wat_buf *b, uint8_t prefix,
                    uint32_t code)
{
	if (prefix) {
		wat_byte(c, b, prefix);
		wat_u32(c, b, code);
	} else {
		wat_byte(c, b, (uint8_t)code);
	}
}

/* --- labels ------------------------------------------------------------------
 */

static void push_label(struct wat_mod *m, const struct wat_token *id)
{
	if (m->nlabels >= WAT_MAX_DEPTH)
		wat_fail(m->c, wat_cur(m->c), "nesting too deep");
	m->labels[m->nlabels].s = id ? id->s : NULL;
	m->labels[m->nlabels].len = id ? id->len : 0;
	m->nlabels++;
}

static uint32_t label_index(struct wat_mod *m)
{
	struct wat_token *tk = wat_cur(m->c);
	if (tk->kind == WT_ID) {
		for (uint32_t i = m->nlabels; i-- > 0;)
			if (m->labels[i].len == tk->len && m->labels[i].s &&
			    memcmp(m->labels[i].s, tk->s, tk->len) == 0) {
				m->c->pos++;
				return m->nlabels - 1 - i;
			}
		wat_fail(m->c, tk, "unknown label $%.*s", (int)tk->len, tk->s);
	}
	if (!wat_is_uint(tk))
		wat_unexpected(m->c);
	m->c->pos++;
	return (uint32_t)wat_parse_uint(m->c, tk, 32);
}

/* An optional "$id" after end/else/catch must repeat the block's label. */
static void end_label(struct wat_mod *m)
{
	struct wat_token *id = wat_opt_id(m->c);
	struct wat_name *l = &m->labels[m->nlabels - 1];
	if (id && (l->len != id->len || memcmp(l->s, id->s, id->len) != 0))
		wat_fail(m->c, id, "mismatching label");
}

/* --- immediates --------------------------------------------------------------
 */

static uint32_t local_index(struct wat_mod *m)
{
	struct wat_token *tk = wat_cur(m->c);
	if (tk->kind == WT_ID) {
		int64_t i = wat_names_find(&m->locals, tk->s, tk->len);
		if (i < 0)
			wat_fail(m->c, tk, "unknown local $%.*s", (int)tk->len,
			         tk->s);
		m->c->pos++;
		return (uint32_t)i;
	}
	if (!wat_is_uint(tk))
		wat_unexpected(m->c);
	m->c->pos++;
	return (uint32_t)wat_parse_uint(m->c, tk, 32);
}

/* "offset=N" or "align=N" keyword: the value after '='. */
static bool memarg_kw(struct wat_ctx *c, const char *kw, unsigned bits,
                      uint64_t *out)
{
	struct wat_token *tk = wat_cur(c);
	size_t n = strlen(kw);
	if (tk->kind != WT_KEYWORD || tk->len <= n || memcmp(tk->s, kw, n) != 0)
		return false;
	struct wat_token v = *tk;
	v.s += n;
	v.len -= (uint32_t)n;
	v.kind = WT_NUM;
	if (v.s[0] < '0' || v.s[0] > '9')
		wat_fail(c, tk, "unknown operator");
	*out = wat_parse_uint(c, &v, bits);
	c->pos++;
	return true;
}

static void memarg(struct wat_mod *m, struct wat_buf *b, unsigned natural,
                   bool may_index)
{
	struct wat_ctx *c = m->c;
	uint32_t mem = 0;
	bool has_mem = may_index && wat_opt_index(m, WS_MEM, &mem);
	bool is64 = mem < m->names[WS_MEM].n && m->mem64[mem];
	uint64_t offset = 0, align = (uint64_t)1 << natural;
	memarg_kw(c, "offset=", is64 || !(c->flags & WAT_WASM2) ? 64 : 32,
	          &offset);
	struct wat_token *at = wat_cur(c);
	if (memarg_kw(c, "align=", c->flags & WAT_WASM2 ? 32 : 64, &align) &&
	    (align == 0 || (align & (align - 1))))
		wat_fail(c, at, "alignment must be a power of two");
	unsigned lg = 0;
	while (((uint64_t)1 << lg) < align)
		lg++;
	if (has_mem && mem != 0) {
		wat_u32(c, b, lg | 0x40);
		wat_u32(c, b, mem);
	} else {
		wat_u32(c, b, lg);
	}
	wat_u32(c, b, offset);
}

static void put_le(struct wat_ctx *c, struct wat_buf *b, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		wat_byte(c, b, (uint8_t)(v >> (8 * i)));
}

/* A type use without names (call_indirect, block types checked apart). */
static uint32_t anon_typeuse(struct wat_mod *m)
{
	struct wat_names names = {0};
	struct wat_token *at = wat_cur(m->c);
	uint32_t x = wat_typeuse(m, &names);
	for (uint32_t i = 0; i < names.n; i++)
		if (names.v[i].len)
			wat_fail(m->c, at, "unexpected token");
	return x;
}

static void two_indices(struct wat_mod *m, struct wat_buf *b, enum wat_space sp)
{
	uint32_t x = 0, y = 0;
	if (wat_opt_index(m, sp, &x))
		y = wat_index(m, sp);
	wat_u32(m->c, b, x);
	wat_u32(m->c, b, y);
}

/* "x? y": the optional first index defaults to 0; written y then x. */
static void init_indices(struct wat_mod *m, struct wat_buf *b,
                         enum wat_space first, enum wat_space second)
{
	uint32_t x = 0, y;
	struct wat_token *tk = wat_cur(m->c);
	struct wat_token *nx = wat_peek(m->c, 1);
	bool two = (tk->kind == WT_ID || wat_is_uint(tk)) &&
	           (nx->kind == WT_ID || wat_is_uint(nx));
	if (two)
		x = wat_index(m, first);
	y = wat_index(m, second);
	wat_u32(m->c, b, y);
	wat_u32(m->c, b, x);
}

static void field_index(struct wat_mod *m, struct wat_buf *b, uint32_t type)
{
	struct wat_token *tk = wat_cur(m->c);
	if (tk->kind == WT_ID && type < m->ntypes) {
		int64_t i =
		    wat_names_find(&m->types[type].fields, tk->s, tk->len);
		if (i < 0)
			wat_fail(m->c, tk, "unknown field $%.*s", (int)tk->len,
			         tk->s);
		m->c->pos++;
		wat_u32(m->c, b, (uint32_t)i);
		return;
	}
	if (!wat_is_uint(tk))
		wat_unexpected(m->c);
	m->c->pos++;
	wat_u32(m->c, b, wat_parse_uint(m->c, tk, 32));
}

/* ref.test / ref.cast: opcode +1 for a nullable target. */
static void ref_cast(struct wat_mod *m, struct wat_buf *b,
                     const struct wat_op *o)
{
	struct wat_buf rt = {0};
	wat_reftype(m, &rt);
	bool null = rt.p[0] == 0x63 || (rt.p[0] != 0x64);
	emit_op(m->c, b, o->prefix, o->code + (null ? 1u : 0u));
	wat_put(m->c, b, rt.p[0] == 0x63 || rt.p[0] == 0x64 ? rt.p + 1 : rt.p,
	        rt.p[0] == 0x63 || rt.p[0] == 0x64 ? rt.n - 1 : rt.n);
}

static void br_on_cast(struct wat_mod *m, struct wat_buf *b,
                       const struct wat_op *o)
{
	emit_op(m->c, b, o->prefix, o->code);
	uint32_t l = label_index(m);
	struct wat_buf r1 = {0}, r2 = {0};
	wat_reftype(m, &r1);
	wat_reftype(m, &r2);
	bool n1 = r1.p[0] != 0x64, n2 = r2.p[0] != 0x64;
	wat_byte(m->c, b, (uint8_t)(n1 | n2 << 1));
	wat_u32(m->c, b, l);
	size_t s1 = (r1.p[0] == 0x63 || r1.p[0] == 0x64),
	       s2 = (r2.p[0] == 0x63 || r2.p[0] == 0x64);
	wat_put(m->c, b, r1.p + s1, r1.n - s1);
	wat_put(m->c, b, r2.p + s2, r2.n - s2);
}

/* A literal the reference parser reads as a lane: a number, inf, nan. */
static bool is_lane_literal(const struct wat_token *tk)
{
	return tk->kind == WT_NUM ||
	       (tk->kind == WT_KEYWORD && tk->len >= 3 &&
	        (memcmp(tk->s, "nan", 3) == 0 ||
	         (tk->len == 3 && memcmp(tk->s, "inf", 3) == 0)));
}

/* "v128.const SHAPE lanes...": 16 bytes, little-endian lanes. */
static void v128_const(struct wat_mod *m, struct wat_buf *b)
{
	struct wat_ctx *c = m->c;
	static const struct {
		const char *shape;
		unsigned lanes, bits;
		bool fp;
	} shapes[] = {{"i8x16", 16, 8, false}, {"i16x8", 8, 16, false},
	              {"i32x4", 4, 32, false}, {"i64x2", 2, 64, false},
	              {"f32x4", 4, 32, true},  {"f64x2", 2, 64, true}};
	struct wat_token *sh = wat_cur(c);
	for (size_t i = 0; i < WX_ARRAY_LEN(shapes); i++) {
		if (!wat_is_kw(sh, shapes[i].shape))
			continue;
		c->pos++;
		/* The reference parser counts the literals before it reads
		 * them. */
		uint32_t n = 0;
		while (is_lane_literal(wat_peek(c, n)))
			n++;
		if (wat_peek(c, n)->kind == WT_RESERVED) { /* lexical error */
			c->pos += n;
			wat_unexpected(c);
		}
		if (n != shapes[i].lanes)
			wat_fail(c, wat_peek(c, n < shapes[i].lanes ? n : 0),
			         "wrong number of lane literals");
		for (unsigned l = 0; l < shapes[i].lanes; l++) {
			struct wat_token *tk = wat_cur(c);
			uint64_t v;
			if (tk->kind == WT_RPAR || tk->kind == WT_EOF)
				wat_fail(c, tk,
				         "wrong number of lane literals");
			if (shapes[i].fp)
				v = shapes[i].bits == 32 ? wat_parse_f32(c, tk)
				                         : wat_parse_f64(c, tk);
			else
				v = wat_parse_int(c, tk, shapes[i].bits);
			c->pos++;
			put_le(c, b, v, (int)shapes[i].bits / 8);
		}
		if (wat_cur(c)->kind == WT_NUM ||
		    wat_cur(c)->kind == WT_KEYWORD)
			wat_fail(c, wat_cur(c),
			         "wrong number of lane literals");
		return;
	}
	wat_fail(c, sh, "unexpected token");
}

/* Is 'tk' a nat (decimal or 0x hex digits, '_' between them)? */
static bool is_nat(const struct wat_token *tk)
{
	size_t i = 0;
	bool hex = tk->len > 2 && tk->s[0] == '0' && tk->s[1] == 'x';

	if (!wat_is_uint(tk))
		return false;
	for (i = hex ? 2 : 0; i < tk->len; i++) {
		char ch = tk->s[i];
		if (!(ch == '_' || (ch >= '0' && ch <= '9') ||
		      (hex && ((ch >= 'a' && ch <= 'f') ||
		               (ch >= 'A' && ch <= 'F')))))
			return false;
	}
	return true;
}

/*
 * One lane index byte. Not a nat: "unexpected token". Above 255:
 * "i8 constant out of range" (3.0), "malformed lane index" (2.0).
 */
static void lane_index(struct wat_ctx *c, struct wat_buf *b)
{
	struct wat_token *tk = wat_cur(c);
	if (!is_nat(tk))
		wat_unexpected(c);
	if (c->flags & WAT_WASM2 && wat_parse_uint(c, tk, 64) > 255)
		wat_fail(c, tk, "malformed lane index");
	wat_byte(c, b, (uint8_t)wat_parse_uint(c, tk, 8));
	c->pos++;
}

/*
 * i8x16.shuffle's 16 lane literals. The reference parser takes every
 * literal first: another count is "invalid lane length"; then a literal
 * that is not a nat below 256 is "i8 constant out of range" (3.0),
 * "malformed lane index" (2.0).
 */
static void shuffle_lanes(struct wat_ctx *c, struct wat_buf *b)
{
	uint32_t n = 0;

	while (is_lane_literal(wat_peek(c, n)))
		n++;
	if (wat_peek(c, n)->kind == WT_RESERVED) { /* a lexical error */
		c->pos += n;
		wat_unexpected(c);
	}
	if (n != 16)
		wat_fail(c, wat_peek(c, n), "invalid lane length");
	for (int i = 0; i < 16; i++) {
		struct wat_token *tk = wat_cur(c);
		if (!is_nat(tk))
			wat_fail(c, tk, c->flags & WAT_WASM2
			                    ? "malformed lane index"
			                    : "i8 constant out of range");
		lane_index(c, b);
	}
}

/* v128.loadN_lane / storeN_lane: "memidx? memarg lane"; a lone number
 * before the lane is the lane, not a memory index. */
static void memarg_lane(struct wat_mod *m, struct wat_buf *b, unsigned align)
{
	struct wat_ctx *c = m->c;
	struct wat_token *tk = wat_cur(c), *nx = wat_peek(c, 1);
	bool idx_first = tk->kind == WT_ID ||
	                 (wat_is_uint(tk) &&
	                  (wat_is_uint(nx) ||
	                   (nx->kind == WT_KEYWORD &&
	                    (nx->len > 6 && (!memcmp(nx->s, "offset=", 7) ||
	                                     !memcmp(nx->s, "align=", 6))))));
	memarg(m, b, align, idx_first);
	lane_index(c, b);
}

static void ext_imm(struct wat_mod *m, struct wat_buf *b,
                    const struct wat_op *o)
{
	struct wat_ctx *c = m->c;
	uint32_t t;
	switch (o->imm) {
	case WI_V128:
		v128_const(m, b);
		break;
	case WI_SHUFFLE:
		shuffle_lanes(c, b);
		break;
	case WI_LANE:
		lane_index(c, b);
		break;
	case WI_MEMARG_LANE:
		memarg_lane(m, b, o->align);
		break;
	case WI_TAG:
		wat_u32(c, b, wat_index(m, WS_TAG));
		break;
	case WI_TYPE:
		wat_u32(c, b, wat_index(m, WS_TYPE));
		break;
	case WI_FIELD:
		t = wat_index(m, WS_TYPE);
		wat_u32(c, b, t);
		field_index(m, b, t);
		break;
	case WI_TYPE_N:
		wat_u32(c, b, wat_index(m, WS_TYPE));
		wat_u32(c, b, wat_parse_uint(c, wat_cur(c), 32));
		c->pos++;
		break;
	case WI_TYPE_DATA:
		wat_u32(c, b, wat_index(m, WS_TYPE));
		wat_u32(c, b, wat_index(m, WS_DATA));
		break;
	case WI_TYPE_ELEM:
		wat_u32(c, b, wat_index(m, WS_TYPE));
		wat_u32(c, b, wat_index(m, WS_ELEM));
		break;
	case WI_TYPE_TYPE:
		wat_u32(c, b, wat_index(m, WS_TYPE));
		wat_u32(c, b, wat_index(m, WS_TYPE));
		break;
	default: /* an immediate kind new in wasm_ops.def: teach plain_imm */
		wat_fail(c, wat_cur(c),
		         "no text encoding for the immediates of "
		         "this instruction");
	}
}

static void select_instr(struct wat_mod *m, struct wat_buf *b)
{
	struct wat_ctx *c = m->c;
	struct wat_buf ts = {0};
	uint32_t n = 0;
	bool typed = false;
	while (wat_at_field(c, "result")) {
		typed = true;
		c->pos += 2;
		while (wat_cur(c)->kind != WT_RPAR) {
			wat_valtype(m, &ts);
			n++;
		}
		wat_expect_rpar(c);
	}
	wat_byte(c, b, typed ? 0x1c : 0x1b);
	if (typed) {
		wat_u32(c, b, n);
		wat_put(c, b, ts.p, ts.n);
	}
}

/* Writes opcode and immediates of a plain instruction (keyword taken). */
static void plain_imm(struct wat_mod *m, struct wat_buf *b,
                      const struct wat_op *o, const struct wat_token *kw)
{
	struct wat_ctx *c = m->c;
	uint32_t x;
	if (o->imm == WI_REF_CAST)
		return ref_cast(m, b, o);
	if (o->imm == WI_BR_ON_CAST)
		return br_on_cast(m, b, o);
	if (o->code == 0x1b && o->prefix == 0)
		return select_instr(m, b);
	emit_op(c, b, o->prefix, o->code);
	switch (o->imm) {
	case WASM_IMM_NONE:
		break;
	case WASM_IMM_LABEL:
		wat_u32(c, b, label_index(m));
		break;
	case WASM_IMM_BR_TABLE: {
		struct wat_buf ls = {0};
		uint32_t n = 0;
		while (wat_cur(c)->kind == WT_ID || wat_is_uint(wat_cur(c))) {
			wat_u32(c, &ls, label_index(m));
			n++;
		}
		if (n == 0)
			wat_unexpected(c);
		wat_u32(c, b, n - 1);
		wat_put(c, b, ls.p, ls.n);
		break;
	}
	case WASM_IMM_FUNC:
		wat_u32(c, b, wat_index(m, WS_FUNC));
		break;
	case WASM_IMM_CALL_INDIRECT:
		x = 0;
		wat_opt_index(m, WS_TABLE, &x);
		wat_u32(c, b, anon_typeuse(m));
		wat_u32(c, b, x);
		break;
	case WASM_IMM_LOCAL:
		wat_u32(c, b, local_index(m));
		break;
	case WASM_IMM_GLOBAL:
		wat_u32(c, b, wat_index(m, WS_GLOBAL));
		break;
	case WASM_IMM_TABLE:
		x = 0;
		wat_opt_index(m, WS_TABLE, &x);
		wat_u32(c, b, x);
		break;
	case WASM_IMM_MEMARG:
		memarg(m, b, o->align, true);
		break;
	case WASM_IMM_MEMIDX:
		x = 0;
		wat_opt_index(m, WS_MEM, &x);
		wat_u32(c, b, x);
		break;
	case WASM_IMM_ZEROBYTE:
		wat_byte(c, b, 0);
		break;
	case WASM_IMM_I32:
		wat_s64(c, b,
		        (int32_t)(uint32_t)wat_parse_int(c, wat_cur(c), 32));
		c->pos++;
		break;
	case WASM_IMM_I64:
		wat_s64(c, b, (int64_t)wat_parse_int(c, wat_cur(c), 64));
		c->pos++;
		break;
	case WASM_IMM_F32:
		put_le(c, b, wat_parse_f32(c, wat_cur(c)), 4);
		c->pos++;
		break;
	case WASM_IMM_F64:
		put_le(c, b, wat_parse_f64(c, wat_cur(c)), 8);
		c->pos++;
		break;
	case WASM_IMM_REFTYPE:
		wat_heaptype(m, b);
		break;
	case WASM_IMM_MEMORY_INIT:
		m->uses_datacount = true;
		init_indices(m, b, WS_MEM, WS_DATA);
		break;
	case WASM_IMM_DATA:
		m->uses_datacount = true;
		wat_u32(c, b, wat_index(m, WS_DATA));
		break;
	case WASM_IMM_MEMORY_COPY:
		two_indices(m, b, WS_MEM);
		break;
	case WASM_IMM_TABLE_INIT:
		init_indices(m, b, WS_TABLE, WS_ELEM);
		break;
	case WASM_IMM_ELEM:
		wat_u32(c, b, wat_index(m, WS_ELEM));
		break;
	case WASM_IMM_TABLE_COPY:
		two_indices(m, b, WS_TABLE);
		break;
	default:
		ext_imm(m, b, o);
		break;
	}
	(void)kw;
}

/* --- blocks ------------------------------------------------------------------
 */

static bool at_kw(struct wat_ctx *c, const char *kw)
{
	return wat_is_kw(wat_cur(c), kw);
}

static bool is_block_kw(const struct wat_token *tk)
{
	return wat_is_kw(tk, "block") || wat_is_kw(tk, "loop") ||
	       wat_is_kw(tk, "if") || wat_is_kw(tk, "try") ||
	       wat_is_kw(tk, "try_table");
}

static uint8_t block_code(const struct wat_token *tk)
{
	if (wat_is_kw(tk, "block"))
		return 0x02;
	if (wat_is_kw(tk, "loop"))
		return 0x03;
	if (wat_is_kw(tk, "if"))
		return 0x04;
	if (wat_is_kw(tk, "try"))
		return 0x06;
	return 0x1f;
}

/* try_table's catch clauses: labels resolve outside the new block. */
static void catch_clauses(struct wat_mod *m, struct wat_buf *b)
{
	struct wat_ctx *c = m->c;
	struct wat_buf cs = {0};
	uint32_t n = 0;
	static const char *const kinds[] = {"catch", "catch_ref", "catch_all",
	                                    "catch_all_ref"};
	for (;;) {
		int k = -1;
		for (int i = 0; i < 4; i++)
			if (wat_at_field(c, kinds[i]))
				k = i;
		if (k < 0)
			break;
		c->pos += 2;
		wat_byte(c, &cs, (uint8_t)k);
		if (k < 2)
			wat_u32(c, &cs, wat_index(m, WS_TAG));
		wat_u32(c, &cs, label_index(m));
		wat_expect_rpar(c);
		n++;
	}
	wat_u32(c, b, n);
	wat_put(c, b, cs.p, cs.n);
}

/* Legacy try, flat form, after "try label bt instrs". */
static void flat_try_tail(struct wat_mod *m, struct wat_buf *b)
{
	struct wat_ctx *c = m->c;
	bool seen_all = false, caught = false;
	while (at_kw(c, "catch") || at_kw(c, "catch_all")) {
		bool all = at_kw(c, "catch_all");
		if (seen_all)
			wat_fail(c, wat_cur(c), "unexpected token");
		seen_all = all;
		caught = true;
		c->pos++;
		end_label(m);
		wat_byte(c, b, all ? 0x19 : 0x07);
		if (!all)
			wat_u32(c, b, wat_index(m, WS_TAG));
		wat_instrs(m, b);
	}
	if (at_kw(c, "delegate")) {
		if (caught)
			wat_fail(c, wat_cur(c), "unexpected token");
		c->pos++;
		m->nlabels--;
		wat_byte(c, b, 0x18);
		wat_u32(c, b, label_index(m));
		m->nlabels++;
		return;
	}
	wat_expect_kw(c, "end");
	end_label(m);
	wat_byte(c, b, 0x0b);
}

static void flat_block(struct wat_mod *m, struct wat_buf *b)
{
	struct wat_ctx *c = m->c;
	struct wat_token *kw = wat_cur(c);
	if (++m->depth > WAT_MAX_DEPTH)
		wat_fail(c, kw, "nesting too deep");
	uint8_t code = block_code(kw);
	c->pos++;
	struct wat_token *id = wat_opt_id(c);
	wat_byte(c, b, code);
	wat_blocktype(m, b);
	if (code == 0x1f)
		catch_clauses(m, b);
	push_label(m, id);
	wat_instrs(m, b);
	if (code == 0x06) {
		flat_try_tail(m, b);
		m->nlabels--;
		m->depth--;
		return;
	}
	if (code == 0x04 && at_kw(c, "else")) {
		c->pos++;
		end_label(m);
		wat_byte(c, b, 0x05);
		size_t at = b->n;
		wat_instrs(m, b);
		if (b->n == at) /* an empty else is left out, as wabt does */
			b->n--;
	}
	wat_expect_kw(c, "end");
	end_label(m);
	wat_byte(c, b, 0x0b);
	m->nlabels--;
	m->depth--;
}

/* Instructions inside "(then ...)", "(do ...)" and the like. */
static void clause(struct wat_mod *m, struct wat_buf *b, const char *kw)
{
	wat_expect_lpar(m->c);
	wat_expect_kw(m->c, kw);
	wat_instrs(m, b);
	wat_expect_rpar(m->c);
}

static void folded_try(struct wat_mod *m, struct wat_buf *b)
{
	struct wat_ctx *c = m->c;
	clause(m, b, "do");
	bool seen_all = false, caught = false;
	while (wat_at_field(c, "catch") || wat_at_field(c, "catch_all")) {
		bool all = wat_at_field(c, "catch_all");
		if (seen_all)
			wat_fail(c, wat_peek(c, 1), "unexpected token");
		seen_all = all;
		caught = true;
		c->pos += 2;
		wat_byte(c, b, all ? 0x19 : 0x07);
		if (!all)
			wat_u32(c, b, wat_index(m, WS_TAG));
		wat_instrs(m, b);
		wat_expect_rpar(c);
	}
	if (wat_at_field(c, "delegate")) {
		if (caught)
			wat_fail(c, wat_peek(c, 1), "unexpected token");
		c->pos += 2;
		m->nlabels--;
		wat_byte(c, b, 0x18);
		wat_u32(c, b, label_index(m));
		m->nlabels++;
		wat_expect_rpar(c);
		return;
	}
	wat_byte(c, b, 0x0b);
}

/* "(block ...)" and friends, from the keyword after '('. */
static void folded_block(struct wat_mod *m, struct wat_buf *b)
{
	struct wat_ctx *c = m->c;
	uint8_t code = block_code(wat_cur(c));
	c->pos++;
	struct wat_token *id = wat_opt_id(c);
	struct wat_buf head = {0};
	wat_byte(c, &head, code);
	wat_blocktype(m, &head);
	if (code == 0x1f)
		catch_clauses(m, &head);
	if (code == 0x04)
		while (wat_cur(c)->kind == WT_LPAR && !wat_at_field(c, "then"))
			wat_folded(m, b);
	wat_put(c, b, head.p, head.n);
	push_label(m, id);
	if (code == 0x06) {
		folded_try(m, b);
	} else if (code == 0x04) {
		clause(m, b, "then");
		if (wat_at_field(c, "else")) {
			wat_byte(c, b, 0x05);
			size_t at = b->n;
			clause(m, b, "else");
			if (b->n == at) /* an empty else is left out */
				b->n--;
		}
		wat_byte(c, b, 0x0b);
	} else {
		wat_instrs(m, b);
		wat_byte(c, b, 0x0b);
	}
	m->nlabels--;
	wat_expect_rpar(c);
}

static bool is_terminator(const struct wat_token *tk);

void wat_folded(struct wat_mod *m, struct wat_buf *b)
{
	struct wat_ctx *c = m->c;
	if (++m->depth > WAT_MAX_DEPTH)
		wat_fail(c, wat_cur(c), "nesting too deep");
	wat_expect_lpar(c);
	struct wat_token *kw = wat_cur(c);
	if (is_block_kw(kw)) {
		folded_block(m, b);
	} else {
		const struct wat_op *o;
		/* Field keywords, and the parts of a try (catch, catch_all,
		 * delegate are clauses of 'try', never instructions). */
		if (wat_is_kw(kw, "local") || wat_is_kw(kw, "param") ||
		    wat_is_kw(kw, "result") || wat_is_kw(kw, "type") ||
		    wat_is_kw(kw, "export") || wat_is_kw(kw, "import") ||
		    is_terminator(kw))
			wat_fail(c, kw, "unexpected token");
		if (kw->kind != WT_KEYWORD || (o = find_op(kw)) == NULL)
			wat_fail(c, kw, "unknown operator");
		c->pos++;
		struct wat_buf op = {0};
		plain_imm(m, &op, o, kw);
		while (wat_cur(c)->kind == WT_LPAR)
			wat_folded(m, b);
		wat_expect_rpar(c);
		wat_put(c, b, op.p, op.n);
	}
	m->depth--;
}

static bool is_terminator(const struct wat_token *tk)
{
	return wat_is_kw(tk, "end") || wat_is_kw(tk, "else") ||
	       wat_is_kw(tk, "catch") || wat_is_kw(tk, "catch_all") ||
	       wat_is_kw(tk, "delegate");
}

void wat_instrs(struct wat_mod *m, struct wat_buf *b)
{
	struct wat_ctx *c = m->c;
	for (;;) {
		struct wat_token *tk = wat_cur(c);
		if (tk->kind == WT_RPAR || tk->kind == WT_EOF ||
		    is_terminator(tk))
			return;
		if (tk->kind == WT_LPAR) {
			wat_folded(m, b);
			continue;
		}
		if (is_block_kw(tk)) {
			flat_block(m, b);
			continue;
		}
		const struct wat_op *o;
		if (tk->kind != WT_KEYWORD || (o = find_op(tk)) == NULL)
			wat_fail(c, tk, "unknown operator");
		c->pos++;
		plain_imm(m, b, o, tk);
	}
}

void wat_expr(struct wat_mod *m, struct wat_buf *b)
{
	m->nlabels = 0;
	wat_names_reset(&m->locals);
	wat_instrs(m, b);
	if (wat_cur(m->c)->kind != WT_RPAR)
		wat_unexpected(m->c);
	wat_byte(m->c, b, 0x0b);
}

/* --- function bodies
 * ----------------------------------------------------------- */

void wat_func_body(struct wat_mod *m, struct wat_buf *b)
{
	struct wat_ctx *c = m->c;
	struct wat_buf locals = {0}, cur = {0};
	uint32_t groups = 0, run = 0;
	while (wat_at_field(c, "local")) {
		c->pos += 2;
		struct wat_token *id = wat_opt_id(c);
		bool first = true;
		while (id ? first : wat_cur(c)->kind != WT_RPAR) {
			first = false;
			struct wat_buf t = {0};
			wat_valtype(m, &t);
			wat_names_add(c, &m->locals, id, "local");
			if (run &&
			    (t.n != cur.n || memcmp(t.p, cur.p, t.n) != 0)) {
				wat_u32(c, &locals, run);
				wat_put(c, &locals, cur.p, cur.n);
				groups++;
				run = 0;
			}
			cur = t;
			run++;
		}
		wat_expect_rpar(c);
	}
	if (wat_at_field(c, "param") || wat_at_field(c, "result") ||
	    wat_at_field(c, "type"))
		wat_fail(c, wat_peek(c, 1), "unexpected token");
	if (run) {
		wat_u32(c, &locals, run);
		wat_put(c, &locals, cur.p, cur.n);
		groups++;
	}
	struct wat_buf body = {0};
	wat_u32(c, &body, groups);
	wat_put(c, &body, locals.p, locals.n);
	m->nlabels = 0;
	wat_instrs(m, &body);
	if (wat_cur(c)->kind != WT_RPAR)
		wat_unexpected(c);
	wat_byte(c, &body, 0x0b);
	wat_u32(c, b, body.n);
	wat_put(c, b, body.p, body.n);
}
