/*
 * wasm_module.h: a decoded WebAssembly module, immutable once decoded.
 *
 * 'wasm_decode' turns bytes into a 'struct wasm_module'; 'wasm_validate'
 * checks it as the WebAssembly 2.0 specification (plus threads' shared
 * memories and atomics, and from 3.0 exception handling in both encodings,
 * tail calls, multiple memories, memory64 and table64, and typed function
 * references; not GC, which the decoder rejects as "GC not supported")
 * says. Both are pure functions of the bytes: no
 * runtime state, no host calls. The VM reads a validated module and never
 * writes it, so one module may back many instances, and survives fork.
 *
 * Keeps true:
 *  - The module owns a private copy of the input bytes ('bytes'); every
 *    pointer into code, data and names points into that copy.
 *  - Index spaces put imports first: funcs[0 .. num_imported_funcs) are
 *    the imported functions, and likewise for tables, memories, globals,
 *    tags.
 *  - Every count was checked against the caps in 'wasm_limits' before
 *    anything was allocated for it.
 */
#ifndef WASMIX_WASM_MODULE_H
#define WASMIX_WASM_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

/*
 * Value types. A value type is held in a uint32_t: numeric types and the
 * nullable abstract reference types are their one-byte binary encoding
 * (so 'funcref' is 0x70, which is also (ref null func)); a reference type
 * in general is
 *   bits 0-7   its heap type: an abstract heap type's byte (func 0x70,
 *              extern 0x6f, exn 0x69, and their bottoms nofunc 0x73,
 *              noextern 0x72, noexn 0x74) or WASM_HT_TYPEIDX
 *   bit 8      WASM_REF_NONNULL: (ref ht) rather than (ref null ht)
 *   bits 9-31  with WASM_HT_TYPEIDX: the type index
 * In a decoded module every type index inside a value type is canonical
 * ('type_canon'), so two value types are equal exactly when their
 * numbers are. Value 0 is never a type (the validator's "unknown").
 */
enum wasm_valtype {
	WASM_I32 = 0x7f,
	WASM_I64 = 0x7e,
	WASM_F32 = 0x7d,
	WASM_F64 = 0x7c,
	WASM_V128 = 0x7b,
	WASM_FUNCREF = 0x70,
	WASM_EXTERNREF = 0x6f,
	WASM_EXNREF = 0x69, /* exception handling: (ref null exn) */
	WASM_NULLFUNCREF = 0x73,   /* (ref null nofunc) */
	WASM_NULLEXTERNREF = 0x72, /* (ref null noextern) */
	WASM_NULLEXNREF = 0x74,    /* (ref null noexn) */
};

#define WASM_HT_TYPEIDX   0x01u  /* heap type: a type index (bits 9-31) */
#define WASM_HT_BOT       0x02u  /* validator only: below every heap type */
#define WASM_HT_SELF      0x03u  /* store only: the function type itself */
#define WASM_REF_NONNULL  0x100u
#define WASM_VT_IDX_SHIFT 9
#define WASM_MAX_TYPEIDX  ((1u << 23) - 1)

/* The reference type with heap type 'ht' (a byte above or a typeidx). */
static inline uint32_t wasm_ref_type(uint32_t ht, bool nullable)
{
	return ht | (nullable ? 0 : WASM_REF_NONNULL);
}

/* (ref null? $idx) */
static inline uint32_t wasm_ref_idx(uint32_t idx, bool nullable)
{
	return wasm_ref_type(WASM_HT_TYPEIDX | (idx << WASM_VT_IDX_SHIFT),
	                     nullable);
}

/* The heap type byte of a reference type (WASM_HT_TYPEIDX for $idx). */
static inline uint32_t wasm_vt_heap(uint32_t t)
{
	return t & 0xff;
}

/* The type index of a (ref null? $idx). */
static inline uint32_t wasm_vt_index(uint32_t t)
{
	return t >> WASM_VT_IDX_SHIFT;
}

static inline bool wasm_vt_nullable(uint32_t t)
{
	return (t & WASM_REF_NONNULL) == 0;
}

/* Does 't' hold a type index? */
static inline bool wasm_vt_has_index(uint32_t t)
{
	return wasm_vt_heap(t) == WASM_HT_TYPEIDX;
}

/* External kinds, by their binary encoding (import/export descriptors). */
enum wasm_extkind {
	WASM_EXT_FUNC = 0,
	WASM_EXT_TABLE = 1,
	WASM_EXT_MEMORY = 2,
	WASM_EXT_GLOBAL = 3,
	WASM_EXT_TAG = 4,
};

/* Immediate kinds used by wasm_ops.def. */
enum wasm_imm {
	WASM_IMM_NONE,
	WASM_IMM_BLOCKTYPE,     /* s33: -64 empty, negative valtype, or type index */
	WASM_IMM_LABEL,         /* u32 label depth */
	WASM_IMM_BR_TABLE,      /* vec(u32) then u32 default */
	WASM_IMM_FUNC,          /* u32 function index */
	WASM_IMM_CALL_INDIRECT, /* u32 type index, u32 table index */
	WASM_IMM_LOCAL,         /* u32 local index */
	WASM_IMM_GLOBAL,        /* u32 global index */
	WASM_IMM_TABLE,         /* u32 table index */
	WASM_IMM_MEMARG,        /* u32 align (bit 6: a u32 memory index
	                           follows), u32 offset */
	WASM_IMM_MEMIDX,        /* u32 memory index (multi-memory) */
	WASM_IMM_ZEROBYTE,      /* one byte, must be 0x00 (atomic.fence) */
	WASM_IMM_I32,           /* s32 */
	WASM_IMM_I64,           /* s64 */
	WASM_IMM_F32,           /* 4 raw bytes */
	WASM_IMM_F64,           /* 8 raw bytes */
	WASM_IMM_SELECT_T,      /* vec(valtype), length must be 1 */
	WASM_IMM_REFTYPE,       /* one reftype byte */
	WASM_IMM_MEMORY_INIT,   /* u32 data index, u32 memory index */
	WASM_IMM_DATA,          /* u32 data index */
	WASM_IMM_MEMORY_COPY,   /* u32 dst memory, u32 src memory */
	WASM_IMM_TABLE_INIT,    /* u32 elem index, u32 table index */
	WASM_IMM_ELEM,          /* u32 elem index */
	WASM_IMM_TABLE_COPY,    /* u32 dst table, u32 src table */
	WASM_IMM_TAG,           /* u32 tag index */
	WASM_IMM_TRY_TABLE,     /* blocktype, vec(catch clause) */
	WASM_IMM_TYPE,          /* u32 type index (call_ref) */
	WASM_IMM_V128,          /* 16 raw bytes (v128.const) */
	WASM_IMM_SHUFFLE,       /* 16 lane bytes, each < 32 (i8x16.shuffle) */
	WASM_IMM_LANE,          /* one lane index byte */
	WASM_IMM_MEMARG_LANE,   /* memarg, then one lane index byte */
};

/* try_table catch clause kinds (the clause's first byte). */
enum wasm_catch_kind {
	WASM_CATCH = 0,         /* tag, label: the payload */
	WASM_CATCH_REF = 1,     /* tag, label: the payload and the exnref */
	WASM_CATCH_ALL = 2,     /* label: nothing */
	WASM_CATCH_ALL_REF = 3, /* label: the exnref */
};

/* One enumerator per instruction: WASM_OP_I32_ADD and so on. */
enum wasm_opcode {
#define WASM_OP(prefix, code, ident, name, imm, sig, align) WASM_OP_##ident,
#include "wasm/wasm_ops.def"
#undef WASM_OP
	WASM_OP_COUNT_
};

/*
 * Caps on what a module may declare. The decoder rejects a module that
 * exceeds one ("too many locals" and so on) before allocating for it.
 */
struct wasm_limits {
	size_t max_module_bytes;  /* default 1 GiB */
	uint32_t max_types;       /* default 1,000,000 */
	uint32_t max_funcs;       /* default 1,000,000 */
	uint32_t max_imports;     /* default 100,000 */
	uint32_t max_exports;     /* default 100,000 */
	uint32_t max_globals;     /* default 1,000,000 */
	uint32_t max_tables;      /* default 100,000 */
	uint32_t max_memories;    /* default 100 */
	uint32_t max_segments;    /* default 100,000 (data and element each) */
	uint32_t max_params;      /* default 1,000 (params or results of one type) */
	uint32_t max_locals;      /* default 50,000 per function, params included */
	uint64_t max_total_locals; /* default 2^25: declared locals of all
	                              bodies (each costs four bytes to hold) */
	uint32_t max_br_table;    /* default 1,000,000 targets */
	uint32_t max_elem_items;  /* default 10,000,000 per segment */
	/*
	 * Default false. True: decode by the 2.0 binary format where 3.0
	 * reads the same bytes differently (limits flags as a LEB128,
	 * u32 limits and memarg offsets for 32-bit address types, a zero
	 * byte where 3.0 has a memory index, no tag imports), and mark
	 * the module so (wasm_module.wasm2) for the validator.
	 */
	bool wasm2;
	/*
	 * Default false. True: the caller knows that these very bytes
	 * decoded and validated before under these limits (it compared
	 * them byte for byte), so function bodies are not scanned again:
	 * their sizes are taken as given. Anything else decodes as always.
	 */
	bool bodies_known;
};

/* Fills 'l' with the defaults above. */
void wasm_limits_default(struct wasm_limits *l);

struct wasm_functype {
	uint32_t nparams;
	uint32_t nresults;
	uint32_t *types; /* nparams + nresults valtypes, params first; owned */
};

/*
 * Interpreter slots (8 bytes each) that 'n' values of types 't' take: a
 * v128 takes two (low half first), every other type one.
 */
static inline uint32_t wasm_nslots(const uint32_t *t, uint32_t n)
{
	uint32_t k = n;
	for (uint32_t i = 0; i < n; i++)
		k += t[i] == WASM_V128;
	return k;
}

struct wasm_limits_decl {
	uint64_t min;
	uint64_t max; /* meaningful only if has_max */
	bool has_max;
	bool shared;
	bool is64; /* memory64 / table64: 64-bit addresses or indices */
};

struct wasm_globaltype {
	uint32_t valtype;
	bool mut;
};

/*
 * A constant expression. WebAssembly 2.0 allows exactly one instruction
 * before 'end': t.const, ref.null t, ref.func x, global.get x. The decoder
 * stores that instruction; 'op' is its enum wasm_opcode.
 */
struct wasm_constexpr {
	uint16_t op;
	uint32_t type; /* for REF_NULL: the reference type */
	union {
		uint32_t i32;
		uint64_t i64;
		uint32_t f32; /* bit pattern */
		uint64_t f64; /* bit pattern */
		uint8_t v128[16]; /* V128_CONST: the bytes, little-endian */
		uint32_t index; /* REF_FUNC: function index; GLOBAL_GET: global index */
	} u;
	/*
	 * Where the expression's instructions (through its 'end') lie in
	 * the module's 'bytes', for the validator and for messages. The
	 * decoder accepts any instruction sequence here; only the validator
	 * decides whether it is constant ("constant expression required")
	 * and well typed; in a module that validated, 'op' and 'u' above
	 * describe the whole expression ('op' is NOP when the expression is
	 * not one constant instruction, which never validates). expr_len is
	 * 0 for an element item given as a bare function index (segment
	 * kinds 0 to 3): then op is REF_FUNC.
	 */
	uint32_t expr_offset;
	uint32_t expr_len;
};

struct wasm_tabletype {
	uint32_t elemtype; /* a reference type */
	struct wasm_limits_decl limits;
	/*
	 * Typed function references: a defined table may give an
	 * initialiser expression (encoding 0x40 0x00); else every element
	 * starts null ('init.expr_len' 0).
	 */
	bool has_init;
	struct wasm_constexpr init;
};

struct wasm_import {
	const char *module; /* points into 'bytes'; not NUL-terminated */
	uint32_t module_len;
	const char *name;
	uint32_t name_len;
	uint8_t kind; /* enum wasm_extkind */
	union {
		uint32_t func_type; /* type index */
		struct wasm_tabletype table;
		struct wasm_limits_decl memory;
		struct wasm_globaltype global;
		uint32_t tag_type; /* WASM_EXT_TAG: the tag's type index */
	} d;
};

struct wasm_export {
	const char *name; /* points into 'bytes'; not NUL-terminated */
	uint32_t name_len;
	uint8_t kind; /* enum wasm_extkind */
	uint32_t index;
};

struct wasm_func {
	uint32_t type;        /* type index */
	uint32_t nlocals;     /* declared locals, params not included */
	uint32_t *local_types; /* nlocals valtypes, expanded; owned */
	const uint8_t *code;  /* body after the locals, through the final 'end' */
	size_t code_len;
	size_t code_offset;   /* offset of 'code' in 'bytes', for messages */
};

struct wasm_global {
	struct wasm_globaltype type;
	struct wasm_constexpr init; /* defined globals only */
};

enum wasm_segmode {
	WASM_SEG_ACTIVE,
	WASM_SEG_PASSIVE,
	WASM_SEG_DECLARATIVE, /* element segments only */
};

struct wasm_data {
	uint8_t mode;    /* enum wasm_segmode */
	uint32_t memory; /* active only */
	struct wasm_constexpr offset; /* active only */
	const uint8_t *bytes; /* points into the module's 'bytes' */
	uint32_t len;
};

struct wasm_elem {
	uint8_t mode;   /* enum wasm_segmode */
	uint32_t elemtype; /* a reference type */
	uint32_t table; /* active only */
	struct wasm_constexpr offset; /* active only */
	uint32_t nitems;
	struct wasm_constexpr *items; /* owned; ref.func, ref.null or global.get */
};

struct wasm_module {
	uint8_t *bytes; /* owned copy of the input */
	size_t nbytes;

	uint32_t ntypes;
	struct wasm_functype *types;
	/*
	 * type_canon[i]: the first type index equivalent to i (WebAssembly
	 * 3.0's equivalence of function types, each its own recursion
	 * group). Every type index inside a value type of this module was
	 * replaced by its canonical index; immediates in the code (call_ref,
	 * ref.null $t, block types) are read raw: map them through this.
	 */
	uint32_t *type_canon;

	uint32_t nimports;
	struct wasm_import *imports;

	/*
	 * Whole index spaces, imports first. For an imported function,
	 * funcs[i].code is NULL and only .type is set; for an imported global
	 * only .type.
	 */
	uint32_t nfuncs, num_imported_funcs;
	struct wasm_func *funcs;
	uint32_t ntables, num_imported_tables;
	struct wasm_tabletype *tables;
	uint32_t nmemories, num_imported_memories;
	struct wasm_limits_decl *memories;
	uint32_t nglobals, num_imported_globals;
	struct wasm_global *globals;
	/* Tags (exception handling): each one's function type index. */
	uint32_t ntags, num_imported_tags;
	uint32_t *tags;

	uint32_t nexports;
	struct wasm_export *exports;

	bool has_start;
	uint32_t start;

	uint32_t nelems;
	struct wasm_elem *elems;

	bool has_datacount;
	uint32_t datacount;
	uint32_t ndatas;
	struct wasm_data *datas;

	/*
	 * Functions that may appear in 'ref.func' inside function bodies
	 * (C.refs: referenced in exports, element segments or global
	 * initialisers). Filled by the decoder; nfuncs entries.
	 */
	uint8_t *func_declared;

	/*
	 * The payload of the first "dylink.0" (or legacy "dylink") custom
	 * section, inside 'bytes', or NULL: the module is position
	 * independent (wasm_dylink.c reads it).
	 */
	const uint8_t *dylink;
	uint32_t dylink_len;
	bool dylink_legacy; /* the section was "dylink" (no subsections) */

	/*
	 * Decoded with lim.wasm2: the validator applies 2.0's rules where
	 * 3.0 relaxed them (one memory; constant expressions read only
	 * imported globals, no arithmetic).
	 */
	bool wasm2;
};

/*
 * Decodes 'len' bytes into a new module. The bytes are copied; the caller
 * keeps ownership of 'data'. On success returns 0 and sets '*out' (free it
 * with wasm_module_free). On failure returns WX_EMALFORMED (or WX_ENOMEM,
 * WX_ELIMIT) and writes a one-line message with the byte offset into
 * 'diag', in the specification's wording where it has one ("unexpected
 * end", "magic header not detected", "integer too large", ...).
 * Thread-safe: touches no global state.
 */
int wasm_decode(const uint8_t *data, size_t len, const struct wasm_limits *lim,
                struct wasm_module **out, struct diag *diag);

/*
 * Validates a decoded module, function bodies included. Returns 0, or
 * WX_EINVALID with a message in the specification's wording ("type
 * mismatch", "unknown local", ...) naming the function index and byte
 * offset. Does not modify the module. Thread-safe.
 * Also WX_ELIMIT for a body beyond the validator's own caps (operand
 * stack height 2^22, block nesting 2^20), WX_ENOMEM if allocation fails.
 */
int wasm_validate(const struct wasm_module *m, struct diag *diag);

/* Frees a module and everything it owns. NULL is allowed. */
void wasm_module_free(struct wasm_module *m);

/* The function type of function 'funcidx' (imports included). */
static inline const struct wasm_functype *
wasm_func_type(const struct wasm_module *m, uint32_t funcidx)
{
	return &m->types[m->funcs[funcidx].type];
}

/* Is 't' a reference type (any heap type, nullable or not)? */
static inline bool wasm_is_reftype(uint32_t t)
{
	switch (wasm_vt_heap(t)) {
	case WASM_FUNCREF:
	case WASM_EXTERNREF:
	case WASM_EXNREF:
	case WASM_NULLFUNCREF:
	case WASM_NULLEXTERNREF:
	case WASM_NULLEXNREF:
	case WASM_HT_TYPEIDX:
	case WASM_HT_BOT:
	case WASM_HT_SELF:
		return t != 0;
	default:
		return false;
	}
}

/*
 * Is value type 'a' a subtype of 'b' (WebAssembly 3.0 without GC)? Type
 * indices must be canonical (module or store), so equal function types
 * have equal indices; every type index names a function type. Pure.
 */
bool wasm_vt_sub(uint32_t a, uint32_t b);

/*
 * For the decoder, once the type section is read: fills m->type_canon
 * and makes the type indices inside every function type canonical, in
 * order (a type may name earlier types and itself; a later index is left
 * for the validator to call unknown). Returns 0 or WX_ENOMEM.
 */
int wasm_canonicalize_types(struct wasm_module *m);

/* Does 't' have a default value (numeric, or a nullable reference)? */
static inline bool wasm_vt_defaultable(uint32_t t)
{
	return !wasm_is_reftype(t) || wasm_vt_nullable(t);
}

/*
 * The top of the hierarchy of reference type 't' as a nullable byte:
 * WASM_FUNCREF, WASM_EXTERNREF or WASM_EXNREF; 0 if not a reference.
 */
uint32_t wasm_vt_top(uint32_t t);

/*
 * Block types as wasm_read_imm decodes them: a type index (>= 0),
 * WASM_BT_EMPTY, or WASM_BT_VALUE with the one result type in
 * wasm_instr_imm.type.
 */
#define WASM_BT_EMPTY (-64)
#define WASM_BT_VALUE (-1)

/*
 * Reads a block type's parameter and result types: 'bt' as above, 'vt'
 * the single result type of WASM_BT_VALUE (a raw type index inside it is
 * mapped to its canonical one). Sets *np, *nr and pointers into the
 * module's arrays or into '*one' (which must outlive their use).
 */
void wasm_blocktype(const struct wasm_module *m, int64_t bt, uint32_t vt,
                    uint32_t *one, uint32_t *np, const uint32_t **params,
                    uint32_t *nr, const uint32_t **results);

/*
 * 't' with a raw type index inside (from an immediate) replaced by its
 * canonical one; an index beyond the module's types is left as it is.
 */
uint32_t wasm_canon_vt(const struct wasm_module *m, uint32_t t);

/* Text name of an opcode ("i32.add"); "?" if out of range. */
const char *wasm_op_name(enum wasm_opcode op);

/*
 * Reads one instruction's opcode at *p (bounded by 'end'): handles the
 * 0xFC/0xFD/0xFE prefixes. Returns 0 and sets *op and advances *p, or returns
 * WX_EMALFORMED for an unknown or truncated opcode. Immediates are not
 * read; see wasm_read_* in wasm_leb.h.
 */
int wasm_read_opcode(const uint8_t **p, const uint8_t *end,
                     enum wasm_opcode *op);

/*
 * The decoded immediates of one instruction, by wasm_op_imm(op):
 *   BLOCKTYPE      blocktype (see WASM_BT_*); type = its value type
 *   LABEL, FUNC, LOCAL, GLOBAL, TABLE, ELEM, DATA   x
 *   CALL_INDIRECT  x = type index, y = table index
 *   MEMARG         x = log2 alignment, y = offset (low 32 bits),
 *                  value = the whole u64 offset, mem = memory index
 *   MEMIDX         mem = memory index
 *   MEMORY_INIT    x = data index, mem = memory index
 *   MEMORY_COPY    x = destination memory, y = source memory
 *   TABLE_INIT     x = elem index, y = table index
 *   TABLE_COPY     x = destination table, y = source table
 *   I32, I64       value (the bits; I32 zero-extended from 32)
 *   F32, F64       value (the bit pattern)
 *   REFTYPE        type = the nullable reference type (ref.null ht),
 *                  its type index raw (not canonical)
 *   TYPE           x = type index
 *   BR_TABLE       vec = the LEB128 label targets, nvec of them, then
 *                  x = the default label (read targets with leb_read_u32)
 *   SELECT_T       nvec = the number of types; type = the first one
 *                  (raw), vec = where they start
 *   TAG            x = tag index
 *   TRY_TABLE      blocktype; vec = the first catch clause, nvec of them
 *                  (read them with wasm_read_catch)
 *   V128, SHUFFLE  vec = the 16 immediate bytes (nvec = 16)
 *   LANE           lane = the lane index byte (checked by the validator)
 *   MEMARG_LANE    as MEMARG, and lane
 */
struct wasm_instr_imm {
	int64_t blocktype;
	uint32_t type;
	uint32_t x, y;
	uint64_t value;
	const uint8_t *vec;
	uint32_t nvec;
	uint32_t mem;
	uint8_t lane;
};

/*
 * Reads the immediates of 'op' at *p (bounded by 'end') into *imm and
 * advances *p. Returns 0, or WX_EMALFORMED with *why set to the
 * specification's message and *p moved to the offending byte. Checks
 * encodings only (zero bytes, value types, LEB128 ranges), not indices.
 */
int wasm_read_imm(enum wasm_opcode op, const uint8_t **p, const uint8_t *end,
                  struct wasm_instr_imm *imm, const char **why);

/* One try_table catch clause, as wasm_read_catch decodes it. */
struct wasm_catch {
	uint8_t kind; /* enum wasm_catch_kind */
	uint32_t tag; /* WASM_CATCH and WASM_CATCH_REF only */
	uint32_t label;
};

/*
 * Reads the catch clause at *p (a try_table's immediates were already
 * checked by wasm_read_imm) and advances *p.
 */
void wasm_read_catch(const uint8_t **p, const uint8_t *end,
                     struct wasm_catch *c);

/* Immediate kind and natural alignment of an opcode, from the table. */
enum wasm_imm wasm_op_imm(enum wasm_opcode op);
const char *wasm_op_sig(enum wasm_opcode op);
unsigned wasm_op_align(enum wasm_opcode op);

#endif
