/*
 * wat_mod.h: the state of one module being encoded from text, shared by
 * the field encoder (wat_module.c), the type encoder (wat_types.c) and the
 * instruction encoder (wat_instr.c).
 *
 * Keeps true: every index space's names are complete (pass 1) before any
 * instruction is encoded, and explicit types come before implicit ones.
 */
#ifndef WASMIX_WAT_MOD_H
#define WASMIX_WAT_MOD_H

#include "wat/wat_impl.h"

enum wat_space {
	WS_TYPE,
	WS_FUNC,
	WS_TABLE,
	WS_MEM,
	WS_GLOBAL,
	WS_ELEM,
	WS_DATA,
	WS_TAG,
	WS_COUNT_
};

/* Sections in binary order. */
enum wat_sec {
	SEC_TYPE = 1,
	SEC_IMPORT = 2,
	SEC_FUNC = 3,
	SEC_TABLE = 4,
	SEC_MEM = 5,
	SEC_GLOBAL = 6,
	SEC_EXPORT = 7,
	SEC_START = 8,
	SEC_ELEM = 9,
	SEC_CODE = 10,
	SEC_DATA = 11,
	SEC_DATACOUNT = 12,
	SEC_TAG = 13,
	SEC_MAX_ = 14
};

/* A custom section from "(@custom ...)": where it goes and its bytes. */
struct wat_custom {
	struct wat_custom *next; /* source order */
	uint8_t anchor;          /* enum wat_sec, or 0: the module's ends */
	bool before;             /* before 'anchor' (0: first), else after */
	struct wat_buf body;     /* name and contents, encoded */
};

struct wat_mod {
	struct wat_ctx *c;
	struct wat_custom *customs, **customs_end;
	struct wat_names names[WS_COUNT_];
	uint32_t nimports[WS_COUNT_]; /* imported entries of each space */

	struct wat_type *types;
	uint32_t ntypes, captypes;
	uint32_t ntype_entries; /* rec groups and single types */

	uint8_t *mem64, *table64; /* per index: addresses are i64 */

	struct wat_buf sec[SEC_MAX_];
	uint32_t count[SEC_MAX_];
	bool has_start, uses_datacount;

	/* The function being encoded. */
	struct wat_names locals;
	struct wat_name labels[WAT_MAX_DEPTH];
	uint32_t nlabels;
	uint32_t depth; /* folded-instruction recursion */
};

/* A reference to index space 'sp' at the current token (number or $id). */
uint32_t wat_index(struct wat_mod *m, enum wat_space sp);
/* Same, but returns false (and consumes nothing) if no index is next. */
bool wat_opt_index(struct wat_mod *m, enum wat_space sp, uint32_t *out);

/* Value types and heap types, appended to 'b'. */
void wat_valtype(struct wat_mod *m, struct wat_buf *b);
bool wat_at_valtype(struct wat_mod *m);
void wat_heaptype(struct wat_mod *m, struct wat_buf *b);
/* A reference type (funcref, (ref null? ht), ...), appended to 'b'. */
void wat_reftype(struct wat_mod *m, struct wat_buf *b);

/* Encodes every type and rec field (pass 2). */
void wat_types_encode(struct wat_mod *m, uint32_t first, uint32_t last);

/*
 * A type use "(type x)? (param ...)* (result ...)*": returns the type
 * index, creating an implicit type if needed. If 'locals' is not NULL,
 * parameter names (or anonymous entries) are added to it.
 */
uint32_t wat_typeuse(struct wat_mod *m, struct wat_names *locals);

/*
 * A block type: appends 0x40, a value type, or a type index to 'b'.
 */
void wat_blocktype(struct wat_mod *m, struct wat_buf *b);

/* Instructions up to the closing ')' (or 'end'-less) into 'b'. */
void wat_instrs(struct wat_mod *m, struct wat_buf *b);
/* A constant expression up to ')' plus the 'end' byte. */
void wat_expr(struct wat_mod *m, struct wat_buf *b);
/* One folded instruction "(...)" into 'b'. */
void wat_folded(struct wat_mod *m, struct wat_buf *b);

/* A function body: locals and instructions (after the type use). */
void wat_func_body(struct wat_mod *m, struct wat_buf *b);

#endif
