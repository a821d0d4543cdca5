/*
 * vm_compile.c: translates one validated function body into the slot
 * code of vm_code.h, in one pass after a short pre-scan for constants.
 *
 * The translator keeps a compile-time operand stack. Each entry says where
 * its value lives now:
 *   SLOT   in its own operand-stack slot (S + height)
 *   LOCAL  still in local L ('local.get' copies nothing)
 *   CONST  in the frame's constant area (filled on function entry)
 * Instructions name these locations directly. The invariants that keep
 * this sound:
 *  - Before 'local.set/tee L' every entry still reading L is copied to
 *    its own slot ("materialised").
 *  - On entering a block, loop or if, every LOCAL entry is materialised,
 *    so a set inside the block never has to fix entries of outer paths.
 *  - Block parameters and results live in their own slots at every label
 *    (canonical positions); branches copy values there first.
 *  - A result written straight into the local of the following
 *    'local.set' (peephole) is only done when nothing else reads L and no
 *    label lies between the two.
 * While translating, slots above the locals are virtual: VCONST + k for
 * constant k and VSTACK + h for operand height h. Every cell holding one
 * is recorded ('fixups'); at the end only the constants still read from
 * a slot (those not folded into immediate operands) get frame slots, and
 * the fixups are rewritten to the final layout. Fewer constants means less
 * to copy into each new frame.
 *
 * The code is never run unless the module validated, so malformed bodies
 * only need to not crash the translator (they cannot reach it).
 *
 * What a translation depends on besides the module's bytes: the store's
 * type ids (call_indirect), the thread-local slots of globals ('tl1'),
 * and the dispatch table chosen for the instance (guarded or checked
 * memory, fuel: vm_interp_handlers_for). vm_instance_adopt_code moves
 * code between instances only when all of these are equal; anything new
 * the translator reads from the instance or the store must be added to
 * its check (same_translation in vm_instance.c).
 */
#include <string.h>

#include "base/leb128.h"
#include "vm/vm_code.h"

enum loc_kind { LOC_SLOT, LOC_LOCAL, LOC_CONST };

/*
 * A v128 value is two entries (and two slots), low half first: 'half' is
 * 1 on its low entry and 2 on its high one, 0 for every other value. The
 * two halves always lie in consecutive slots (a v128 local's pair, an
 * operand pair; v128 constants are never pooled), so a SIMD instruction
 * names a v128 by its low slot.
 */
struct operand {
	uint8_t kind;
	uint8_t half;
	uint32_t slot; /* absolute frame slot of the value */
};

/* BLK_TRY: a legacy try (body, then catch blocks); BLK_TRY_TABLE. */
enum block_kind { BLK_FUNC, BLK_BLOCK, BLK_LOOP, BLK_IF, BLK_TRY, BLK_TRY_TABLE };

struct block {
	uint8_t kind;
	bool has_else;
	bool branched;   /* some branch targets the end label */
	bool in_catch;   /* BLK_TRY: past its body, in a catch block */
	uint32_t height; /* operand height below the block's params */
	uint32_t nparams, nresults; /* in slots (a v128 counts 2) */
	int64_t bt;                 /* block type, for the v128 halves */
	size_t loop_start; /* cell index of a loop's label */
	size_t chain;      /* forward patch chain (cell index + 1), 0 = none */
	size_t else_site;  /* an if's false-branch offset cell + 1 */
	/* Exception handling: the try body's cells (start, end]. */
	size_t try_start, try_end;
	uint32_t exn_slot;        /* BLK_TRY: the caught exnref's slot */
	const uint8_t *catches;   /* BLK_TRY_TABLE: its catch clauses */
	uint32_t ncatches;
	uint32_t eh_chain; /* handler entries targeting the end (index + 1) */
};

/*
 * Decoded immediates of one instruction: wasm_read_imm's (read_imm) under
 * the translator's names. 'a', 'b': its x, y (indices; a memarg's
 * alignment and 32-bit offset); 'bits': its value (constants, a memarg's
 * whole offset); 'bt': its block type, with BT_V128 for a v128 result.
 */
struct imm {
	uint32_t a, b;
	uint64_t bits;
	int64_t bt;
	const uint8_t *table; /* br_table: first label; try_table: clauses */
	uint32_t ntable;      /* br_table: labels before the default;
	                         try_table: number of clauses */
	uint32_t mem;         /* memory index (memarg, memory.*) */
	uint8_t lane;         /* SIMD lane index */
};

#define NO_DST     ((size_t)-1)
#define VCONST     0x20000000u /* virtual slot of constant k: VCONST + k */
#define VHIDDEN    0x30000000u /* legacy try level k's exnref: VHIDDEN + k */
#define VSTACK     0x40000000u /* virtual slot of operand height h */
#define MAX_CONSTS 512
#define MAX_CELLS  ((size_t)1 << 26) /* 256 MiB of code per function */

struct compiler {
	const struct wasm_module *m;
	struct vm_instance *inst;
	const uint64_t *handlers;
	int err;

	uint32_t *code;
	size_t ncode, cap_code;

	struct operand *stk;
	uint32_t h, max_h, cap_stk;
	uint32_t nlocal_refs; /* LOCAL entries on 'stk' */

	struct block *blocks;
	uint32_t nblocks, cap_blocks;

	uint32_t nparams, nresults, nlocals_all; /* slots: params + locals */
	/* Slot of each local when some param or local is v128, else NULL
	 * (local i is slot i). */
	uint32_t *local_slot;
	uint8_t *local_v128;
	bool any_mem64; /* some memory has 64-bit addresses (memory64) */

	size_t *fixups; /* cells holding virtual slots */
	size_t nfix, cap_fix;

	uint64_t *consts;
	uint32_t nconsts;
	uint64_t *hash_keys; /* open addressing over 'consts' */
	int32_t *hash_vals;
	uint32_t hash_mask;

	/* The last instruction, for the local.set and branch peepholes. */
	size_t last_dst;     /* its result cell, or NO_DST */
	uint32_t last_dst_h; /* stack index of that result */
	size_t last_pos;     /* its first cell */
	size_t last_fix;     /* 'nfix' before it */
	unsigned last_op;

	bool unreachable;
	uint32_t skip_depth;
	int64_t cur_bt; /* block type of the block being pushed */

	/* br_table: stub cell + 1 per label depth, 0 = none yet. */
	size_t *stub_at;
	uint32_t cap_stub;

	/* Exception handlers, innermost first (vm_code.eh). */
	struct vm_eh_entry *eh;
	uint32_t neh, cap_eh;
	uint32_t ntry_open, max_try; /* legacy try nesting: hidden slots */
};

/* ---- emission -------------------------------------------------------- */

static void emit(struct compiler *c, uint32_t v)
{
	if (c->ncode == c->cap_code) {
		size_t ncap = c->cap_code ? c->cap_code * 2 : 256;
		uint32_t *nc;
		if (ncap > MAX_CELLS) {
			c->err = WX_ELIMIT;
			return;
		}
		nc = wx_realloc(c->code, ncap * sizeof *nc);
		if (nc == NULL) {
			c->err = WX_ENOMEM;
			return;
		}
		c->code = nc;
		c->cap_code = ncap;
	}
	if (c->err == WX_OK)
		c->code[c->ncode++] = v;
}

/* Emits a cell naming a slot, recording it if the slot is virtual. */
static void emit_slot(struct compiler *c, uint32_t slot)
{
	if (slot >= VCONST) {
		if (c->nfix == c->cap_fix) {
			size_t ncap = c->cap_fix ? c->cap_fix * 2 : 256;
			size_t *nf = wx_realloc(c->fixups, ncap * sizeof *nf);
			if (nf == NULL) {
				c->err = WX_ENOMEM;
				return;
			}
			c->fixups = nf;
			c->cap_fix = ncap;
		}
		c->fixups[c->nfix++] = c->ncode;
	}
	emit(c, slot);
}

static void emit_op(struct compiler *c, unsigned op)
{
	c->last_dst = NO_DST;
	c->last_pos = c->ncode;
	c->last_fix = c->nfix;
	c->last_op = op;
	emit(c, (uint32_t)c->handlers[op]);
	if (VM_HANDLER_CELLS == 2)
		emit(c, (uint32_t)(c->handlers[op] >> 32));
}

static void emit_mov(struct compiler *c, uint32_t dst, uint32_t src)
{
	if (dst != src) {
		emit_op(c, VMOP_MOV);
		emit_slot(c, dst);
		emit_slot(c, src);
	}
}

/* Links a forward offset cell into a chain; see patch_chain. */
static void emit_link(struct compiler *c, size_t *chain)
{
	size_t site = c->ncode;
	emit(c, (uint32_t)*chain);
	*chain = site + 1;
}

/* Points every offset cell of 'chain' at cell 'target'. */
static void patch_chain(struct compiler *c, size_t chain, size_t target)
{
	while (chain != 0 && c->err == WX_OK) {
		size_t site = chain - 1;
		chain = c->code[site];
		c->code[site] =
		    (uint32_t)(int32_t)((intptr_t)target - (intptr_t)site);
	}
}

static void emit_back_offset(struct compiler *c, size_t target)
{
	emit(c, (uint32_t)(int32_t)((intptr_t)target - (intptr_t)c->ncode));
}

/* ---- the compile-time operand stack ------------------------------------ */

static bool stack_reserve(struct compiler *c, uint32_t n)
{
	if (c->h + n <= c->cap_stk)
		return true;
	uint32_t ncap = c->cap_stk ? c->cap_stk * 2 : 64;
	while (ncap < c->h + n)
		ncap *= 2;
	struct operand *ns = wx_realloc(c->stk, (size_t)ncap * sizeof *ns);
	if (ns == NULL) {
		c->err = WX_ENOMEM;
		return false;
	}
	c->stk = ns;
	c->cap_stk = ncap;
	return true;
}

static uint32_t natural(const struct compiler *c, uint32_t i)
{
	(void)c;
	return VSTACK + i;
}

static void push(struct compiler *c, uint8_t kind, uint32_t slot)
{
	if (!stack_reserve(c, 1))
		return;
	c->stk[c->h].kind = kind;
	c->stk[c->h].half = 0;
	c->stk[c->h].slot = kind == LOC_SLOT ? natural(c, c->h) : slot;
	if (kind == LOC_LOCAL)
		c->nlocal_refs++;
	c->h++;
	if (c->h > c->max_h)
		c->max_h = c->h;
}

static void push_slot(struct compiler *c)
{
	push(c, LOC_SLOT, 0);
}

static uint32_t vt_slots(uint32_t t)
{
	return t == WASM_V128 ? 2 : 1;
}

static uint32_t types_slots(const uint32_t *t, uint32_t n)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < n; i++)
		k += vt_slots(t[i]);
	return k;
}

/* Marks the v128 halves of the entries from height 'h' on: types 't'. */
static void mark_halves(struct compiler *c, uint32_t h, const uint32_t *t,
                        uint32_t n)
{
	for (uint32_t i = 0; i < n && h < c->h; i++) {
		if (t[i] == WASM_V128 && h + 1 < c->h) {
			c->stk[h++].half = 1;
			c->stk[h++].half = 2;
		} else {
			c->stk[h++].half = 0;
		}
	}
}

/* Pushes a v128 in its own slot pair. */
static void push_v128(struct compiler *c)
{
	push_slot(c);
	push_slot(c);
	c->stk[c->h - 2].half = 1;
	c->stk[c->h - 1].half = 2;
}

static inline __attribute__((always_inline)) struct operand
pop(struct compiler *c)
{
	struct operand o = {LOC_SLOT, 0, 0};
	if (c->h == 0) /* cannot happen in validated code */
		return o;
	o = c->stk[--c->h];
	if (o.kind == LOC_LOCAL)
		c->nlocal_refs--;
	return o;
}

/* Copies entry 'i' into its own slot if it lives elsewhere. */
static void materialize(struct compiler *c, uint32_t i)
{
	struct operand *o = &c->stk[i];
	if (o->kind == LOC_SLOT)
		return;
	emit_mov(c, natural(c, i), o->slot);
	if (o->kind == LOC_LOCAL)
		c->nlocal_refs--;
	o->kind = LOC_SLOT;
	o->slot = natural(c, i);
}

static void materialize_locals(struct compiler *c, uint32_t below)
{
	for (uint32_t i = 0; i < below && c->nlocal_refs != 0; i++)
		if (c->stk[i].kind == LOC_LOCAL)
			materialize(c, i);
}

static void materialize_local(struct compiler *c, uint32_t local,
                              uint32_t below)
{
	for (uint32_t i = 0; i < below && c->nlocal_refs != 0; i++)
		if (c->stk[i].kind == LOC_LOCAL && c->stk[i].slot == local)
			materialize(c, i);
}

static bool has_local_ref(const struct compiler *c, uint32_t local,
                          uint32_t below)
{
	for (uint32_t i = 0; i < below && c->nlocal_refs != 0; i++)
		if (c->stk[i].kind == LOC_LOCAL && c->stk[i].slot == local)
			return true;
	return false;
}

/* ---- constants ----------------------------------------------------------- */

static uint32_t hash64(uint64_t v)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	return (uint32_t)v;
}

/* Index of constant 'v' in the pool, adding it if 'add'; -1 if absent. */
static int32_t const_find(struct compiler *c, uint64_t v, bool add)
{
	if (c->hash_keys == NULL)
		return -1;
	for (uint32_t i = hash64(v) & c->hash_mask;;
	     i = (i + 1) & c->hash_mask) {
		if (c->hash_vals[i] < 0) {
			if (!add || c->nconsts >= MAX_CONSTS)
				return -1;
			c->hash_keys[i] = v;
			c->hash_vals[i] = (int32_t)c->nconsts;
			c->consts[c->nconsts] = v;
			return (int32_t)c->nconsts++;
		}
		if (c->hash_keys[i] == v)
			return c->hash_vals[i];
	}
}

static void push_const(struct compiler *c, uint64_t v)
{
	int32_t k = const_find(c, v, false);
	if (k >= 0) {
		push(c, LOC_CONST, VCONST + (uint32_t)k);
		return;
	}
	push_slot(c);
	uint32_t dst = natural(c, c->h - 1);
	if (v <= UINT32_MAX) {
		emit_op(c, VMOP_CONST32);
		emit_slot(c, dst);
		emit(c, (uint32_t)v);
	} else {
		emit_op(c, VMOP_CONST64);
		emit_slot(c, dst);
		emit(c, (uint32_t)v);
		emit(c, (uint32_t)(v >> 32));
	}
}

/* ---- immediates -----------------------------------------------------------
 */

/* struct imm's block type of a v128 result (0x7b as an s33). */
#define BT_V128 (-5)

/*
 * Reads the immediates of 'op' at *p with the decoder's reader
 * (wasm_read_imm, the one reader of the binary format) and gives them the
 * translator's names. Returns WX_OK, or WX_EMALFORMED (only for a body
 * that did not validate, which never reaches the translator).
 */
static int read_imm(enum wasm_opcode op, const uint8_t **p, const uint8_t *end,
                    struct imm *im)
{
	struct wasm_instr_imm w;
	const char *why;

	if (wasm_read_imm(op, p, end, &w, &why) != WX_OK)
		return WX_EMALFORMED;
	im->a = w.x;
	im->b = w.y;
	im->mem = w.mem;
	im->lane = w.lane;
	im->bits = w.value;
	im->table = w.vec;
	im->ntable = w.nvec;
	im->bt = w.blocktype;
	if (w.blocktype == WASM_BT_VALUE && w.type == WASM_V128)
		im->bt = BT_V128;
	return WX_OK;
}

/* Collects the function's distinct constants into the pool. */
static int prescan_consts(struct compiler *c, const uint8_t *p,
                          const uint8_t *end)
{
	size_t nconst = 0;
	const uint8_t *q = p;
	enum wasm_opcode op;
	struct imm im;

	while (q < end) {
		if (wasm_read_opcode(&q, end, &op) != WX_OK ||
		    read_imm(op, &q, end, &im) != WX_OK)
			return WX_EMALFORMED;
		if (op == WASM_OP_I32_CONST || op == WASM_OP_I64_CONST ||
		    op == WASM_OP_F32_CONST || op == WASM_OP_F64_CONST ||
		    op == WASM_OP_REF_NULL)
			nconst++;
	}
	if (nconst == 0)
		return WX_OK;
	if (nconst > MAX_CONSTS)
		nconst = MAX_CONSTS;
	uint32_t size = 16;
	while (size < nconst * 2)
		size *= 2;
	c->consts = wx_alloc_array(nconst, sizeof *c->consts);
	c->hash_keys = wx_alloc_array(size, sizeof *c->hash_keys);
	c->hash_vals = wx_alloc_array(size, sizeof *c->hash_vals);
	if (c->consts == NULL || c->hash_keys == NULL || c->hash_vals == NULL)
		return WX_ENOMEM;
	memset(c->hash_vals, 0xff, size * sizeof *c->hash_vals);
	c->hash_mask = size - 1;
	while (p < end) {
		wasm_read_opcode(&p, end, &op);
		memset(&im, 0, sizeof im);
		read_imm(op, &p, end, &im);
		if (op == WASM_OP_I32_CONST || op == WASM_OP_I64_CONST ||
		    op == WASM_OP_F32_CONST || op == WASM_OP_F64_CONST)
			const_find(c, im.bits, true);
		else if (op == WASM_OP_REF_NULL)
			const_find(c, 0, true);
	}
	return WX_OK;
}

/* ---- control flow ------------------------------------------------------ */

static void block_arity(const struct wasm_module *m, int64_t bt, uint32_t *np,
                        uint32_t *nr)
{
	if (bt == WASM_BT_EMPTY) {
		*np = *nr = 0;
	} else if (bt < 0) {
		*np = 0;
		*nr = bt == BT_V128 ? 2 : 1;
	} else {
		const struct wasm_functype *ft = &m->types[bt];
		*np = types_slots(ft->types, ft->nparams);
		*nr = types_slots(ft->types + ft->nparams, ft->nresults);
	}
}

/* Marks the halves of a block's params (or results) pushed from 'h'. */
static void mark_block(struct compiler *c, int64_t bt, uint32_t h,
                       bool results)
{
	static const uint32_t v128 = WASM_V128;
	if (bt == BT_V128 && results) {
		mark_halves(c, h, &v128, 1);
	} else if (bt >= 0) {
		const struct wasm_functype *ft = &c->m->types[bt];
		if (results)
			mark_halves(c, h, ft->types + ft->nparams,
			            ft->nresults);
		else
			mark_halves(c, h, ft->types, ft->nparams);
	}
}

static struct block *push_block(struct compiler *c, uint8_t kind, uint32_t np,
                                uint32_t nr)
{
	if (c->nblocks == c->cap_blocks) {
		uint32_t ncap = c->cap_blocks ? c->cap_blocks * 2 : 16;
		struct block *nb =
		    wx_realloc(c->blocks, (size_t)ncap * sizeof *nb);
		if (nb == NULL) {
			c->err = WX_ENOMEM;
			return NULL;
		}
		c->blocks = nb;
		c->cap_blocks = ncap;
	}
	struct block *b = &c->blocks[c->nblocks++];
	memset(b, 0, sizeof *b);
	b->kind = kind;
	b->nparams = np;
	b->nresults = nr;
	b->bt = c->cur_bt;
	b->height = c->h - np;
	b->loop_start = c->ncode;
	c->last_dst = NO_DST;
	return b;
}

/* Arity of a branch to 'b': a loop takes its params, others results. */
static uint32_t label_arity(const struct block *b)
{
	return b->kind == BLK_LOOP ? b->nparams : b->nresults;
}

static bool needs_moves(const struct compiler *c, uint32_t height, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (c->stk[c->h - n + i].slot != natural(c, height + i))
			return true;
	return false;
}

/*
 * Copies the top 'n' values to the slots of heights height.. in ascending
 * order: a source is never below its destination, so none is clobbered.
 */
static void move_to_canonical(struct compiler *c, uint32_t height, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		emit_mov(c, natural(c, height + i), c->stk[c->h - n + i].slot);
}

/* Whether writing results fp[0..n) could clobber source 'o' early. */
static bool return_hazard(const struct compiler *c, const struct operand *o,
                          uint32_t n)
{
	if (o->kind == LOC_LOCAL)
		return o->slot < n;
	if (o->kind == LOC_CONST)
		return c->nlocals_all < n;
	return false;
}

/* Moves the results to fp[0..] and returns. */
static void emit_return(struct compiler *c)
{
	uint32_t n = c->nresults;

	if (n == 1) {
		emit_op(c, VMOP_RETURN1);
		emit_slot(c, c->stk[c->h - 1].slot);
		return;
	}
	/*
	 * A local or constant below n would be overwritten before use: copy
	 * it to its own slot first. (A constant's final slot is not known
	 * yet; it is at least nlocals_all.) The entry itself stays as it is,
	 * since this code may sit on one arm of a conditional branch.
	 */
	for (uint32_t i = 0; i < n; i++) {
		const struct operand *o = &c->stk[c->h - n + i];
		if (return_hazard(c, o, n))
			emit_mov(c, natural(c, c->h - n + i), o->slot);
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct operand *o = &c->stk[c->h - n + i];
		uint32_t src =
		    return_hazard(c, o, n) ? natural(c, c->h - n + i) : o->slot;
		emit_mov(c, i, src);
	}
	emit_op(c, VMOP_RETURN);
}

/* Emits the offset cell of a jump to the label of 'b'. */
static void emit_target(struct compiler *c, struct block *b)
{
	if (b->kind == BLK_LOOP) {
		emit_back_offset(c, b->loop_start);
	} else {
		emit_link(c, &b->chain);
		b->branched = true;
	}
}

/* Unconditional branch to label 'depth', values and all. */
static void emit_branch(struct compiler *c, uint32_t depth)
{
	struct block *b = &c->blocks[c->nblocks - 1 - depth];

	if (b->kind == BLK_FUNC) {
		emit_return(c);
		return;
	}
	move_to_canonical(c, b->height, label_arity(b));
	emit_op(c, VMOP_BR);
	emit_target(c, b);
}

struct fusion {
	uint16_t cmp, br_true, br_false;
	uint8_t imm; /* b is an immediate, not a slot */
};

static const struct fusion fusions[] = {
    {WASM_OP_I32_EQZ, VMOP_BR_I32_EQZ, VMOP_BR_I32_NEZ, 0},
    {WASM_OP_I32_EQ, VMOP_BR_I32_EQ, VMOP_BR_I32_NE, 0},
    {WASM_OP_I32_NE, VMOP_BR_I32_NE, VMOP_BR_I32_EQ, 0},
    {WASM_OP_I32_LT_S, VMOP_BR_I32_LT_S, VMOP_BR_I32_GE_S, 0},
    {WASM_OP_I32_LT_U, VMOP_BR_I32_LT_U, VMOP_BR_I32_GE_U, 0},
    {WASM_OP_I32_GT_S, VMOP_BR_I32_GT_S, VMOP_BR_I32_LE_S, 0},
    {WASM_OP_I32_GT_U, VMOP_BR_I32_GT_U, VMOP_BR_I32_LE_U, 0},
    {WASM_OP_I32_LE_S, VMOP_BR_I32_LE_S, VMOP_BR_I32_GT_S, 0},
    {WASM_OP_I32_LE_U, VMOP_BR_I32_LE_U, VMOP_BR_I32_GT_U, 0},
    {WASM_OP_I32_GE_S, VMOP_BR_I32_GE_S, VMOP_BR_I32_LT_S, 0},
    {WASM_OP_I32_GE_U, VMOP_BR_I32_GE_U, VMOP_BR_I32_LT_U, 0},
    {WASM_OP_I64_EQZ, VMOP_BR_I64_EQZ, VMOP_BR_I64_NEZ, 0},
    {WASM_OP_I64_EQ, VMOP_BR_I64_EQ, VMOP_BR_I64_NE, 0},
    {WASM_OP_I64_NE, VMOP_BR_I64_NE, VMOP_BR_I64_EQ, 0},
    {WASM_OP_I64_LT_S, VMOP_BR_I64_LT_S, VMOP_BR_I64_GE_S, 0},
    {WASM_OP_I64_LT_U, VMOP_BR_I64_LT_U, VMOP_BR_I64_GE_U, 0},
    {WASM_OP_I64_GT_S, VMOP_BR_I64_GT_S, VMOP_BR_I64_LE_S, 0},
    {WASM_OP_I64_GT_U, VMOP_BR_I64_GT_U, VMOP_BR_I64_LE_U, 0},
    {WASM_OP_I64_LE_S, VMOP_BR_I64_LE_S, VMOP_BR_I64_GT_S, 0},
    {WASM_OP_I64_LE_U, VMOP_BR_I64_LE_U, VMOP_BR_I64_GT_U, 0},
    {WASM_OP_I64_GE_S, VMOP_BR_I64_GE_S, VMOP_BR_I64_LT_S, 0},
    {WASM_OP_I64_GE_U, VMOP_BR_I64_GE_U, VMOP_BR_I64_LT_U, 0},
    {VMOP_I32_EQ_IMM, VMOP_BR_I32_EQ_IMM, VMOP_BR_I32_NE_IMM, 1},
    {VMOP_I32_NE_IMM, VMOP_BR_I32_NE_IMM, VMOP_BR_I32_EQ_IMM, 1},
    {VMOP_I32_LT_S_IMM, VMOP_BR_I32_LT_S_IMM, VMOP_BR_I32_GE_S_IMM, 1},
    {VMOP_I32_LT_U_IMM, VMOP_BR_I32_LT_U_IMM, VMOP_BR_I32_GE_U_IMM, 1},
    {VMOP_I32_GT_S_IMM, VMOP_BR_I32_GT_S_IMM, VMOP_BR_I32_LE_S_IMM, 1},
    {VMOP_I32_GT_U_IMM, VMOP_BR_I32_GT_U_IMM, VMOP_BR_I32_LE_U_IMM, 1},
    {VMOP_I32_LE_S_IMM, VMOP_BR_I32_LE_S_IMM, VMOP_BR_I32_GT_S_IMM, 1},
    {VMOP_I32_LE_U_IMM, VMOP_BR_I32_LE_U_IMM, VMOP_BR_I32_GT_U_IMM, 1},
    {VMOP_I32_GE_S_IMM, VMOP_BR_I32_GE_S_IMM, VMOP_BR_I32_LT_S_IMM, 1},
    {VMOP_I32_GE_U_IMM, VMOP_BR_I32_GE_U_IMM, VMOP_BR_I32_LT_U_IMM, 1},
};

/*
 * Emits a conditional jump on popped 'cond' (taken when cond is non-zero
 * if 'when_true', else when zero), without its offset cell. When the
 * condition is the result of the instruction just emitted and that is an
 * integer comparison, the comparison is replaced by a fused
 * compare-and-branch.
 */
static void emit_cond_jump(struct compiler *c, struct operand cond,
                           bool when_true)
{
	if (cond.kind == LOC_SLOT && c->last_dst != NO_DST &&
	    c->last_dst_h == c->h) {
		for (size_t i = 0; i < WX_ARRAY_LEN(fusions); i++) {
			const struct fusion *fu = &fusions[i];
			if (fu->cmp != c->last_op)
				continue;
			bool unary = fu->cmp == WASM_OP_I32_EQZ ||
			             fu->cmp == WASM_OP_I64_EQZ;
			/* The comparison was [op][dst][a][b]. */
			const uint32_t *opnd =
			    &c->code[c->last_pos + VM_HANDLER_CELLS - 1];
			uint32_t a = opnd[2];
			uint32_t b = unary ? 0 : opnd[3];
			c->ncode = c->last_pos;
			c->nfix = c->last_fix;
			emit_op(c, when_true ? fu->br_true : fu->br_false);
			emit_slot(c, a);
			if (fu->imm)
				emit(c, b);
			else if (!unary)
				emit_slot(c, b);
			return;
		}
	}
	emit_op(c, when_true ? VMOP_BR_NZ : VMOP_BR_Z);
	emit_slot(c, cond.slot);
}

/* Prepares a block's entry: outer locals and the params in own slots. */
static void enter_block(struct compiler *c, uint32_t np)
{
	materialize_locals(c, c->h);
	for (uint32_t i = c->h - np; i < c->h; i++)
		materialize(c, i);
}

static void reset_stack(struct compiler *c, uint32_t height, uint32_t n)
{
	while (c->h > height)
		pop(c);
	for (uint32_t i = 0; i < n; i++)
		push_slot(c);
}

static void do_br_if(struct compiler *c, uint32_t depth)
{
	struct operand cond = pop(c);
	struct block *b = &c->blocks[c->nblocks - 1 - depth];

	if (b->kind != BLK_FUNC && !needs_moves(c, b->height, label_arity(b))) {
		emit_cond_jump(c, cond, true);
		emit_target(c, b);
		return;
	}
	size_t skip = 0;
	emit_cond_jump(c, cond, false);
	emit_link(c, &skip);
	emit_branch(c, depth);
	patch_chain(c, skip, c->ncode);
	c->last_dst = NO_DST;
}

/*
 * br_on_null: the reference is popped for the branch (which carries the
 * values below it) and stays for the fall-through; br_on_non_null: the
 * branch carries it, the fall-through drops it. Either way a branch tests
 * the 64-bit slot with the fused BR_I64_EQZ/NEZ [a][off].
 */
static void do_br_on(struct compiler *c, bool on_null, uint32_t depth)
{
	struct operand ref = c->stk[c->h - 1];
	struct block *b = &c->blocks[c->nblocks - 1 - depth];

	if (on_null)
		pop(c);
	c->last_dst = NO_DST;
	if (b->kind != BLK_FUNC && !needs_moves(c, b->height, label_arity(b))) {
		emit_op(c, on_null ? VMOP_BR_I64_EQZ : VMOP_BR_I64_NEZ);
		emit_slot(c, ref.slot);
		emit_target(c, b);
	} else {
		size_t skip = 0;
		emit_op(c, on_null ? VMOP_BR_I64_NEZ : VMOP_BR_I64_EQZ);
		emit_slot(c, ref.slot);
		emit_link(c, &skip);
		emit_branch(c, depth);
		patch_chain(c, skip, c->ncode);
	}
	if (on_null)
		push(c, ref.kind, ref.slot);
	else
		pop(c);
	c->last_dst = NO_DST;
}

static void do_br_table(struct compiler *c, const struct imm *im)
{
	struct operand idx = pop(c);
	const uint8_t *p = im->table;
	uint32_t n = im->ntable + 1;
	uint32_t depth = 0;

	emit_op(c, VMOP_BR_TABLE);
	emit_slot(c, idx.slot);
	emit(c, im->ntable);
	size_t base = c->ncode;
	for (uint32_t i = 0; i < n; i++)
		emit(c, 0);
	if (c->err != WX_OK)
		return;
	/* Direct targets first; entries that need moves get stubs. */
	for (uint32_t i = 0; i < n; i++) {
		leb_read_u32(&p, p + 5, &depth);
		struct block *b = &c->blocks[c->nblocks - 1 - depth];
		if (b->kind == BLK_FUNC ||
		    needs_moves(c, b->height, label_arity(b)))
			continue;
		if (b->kind == BLK_LOOP) {
			c->code[base + i] =
			    (uint32_t)(int32_t)((intptr_t)b->loop_start -
			                        (intptr_t)(base + i));
		} else {
			c->code[base + i] = (uint32_t)b->chain;
			b->chain = base + i + 1;
			b->branched = true;
		}
	}
	/* One stub per distinct label, shared by its entries. */
	if (c->cap_stub < c->nblocks) {
		size_t *ns = wx_realloc(c->stub_at, c->nblocks * sizeof *ns);
		if (ns == NULL) {
			c->err = WX_ENOMEM;
			return;
		}
		memset(ns + c->cap_stub, 0,
		       (c->nblocks - c->cap_stub) * sizeof *ns);
		c->stub_at = ns;
		c->cap_stub = c->nblocks;
	}
	p = im->table;
	for (uint32_t i = 0; i < n && c->err == WX_OK; i++) {
		leb_read_u32(&p, p + 5, &depth);
		struct block *b = &c->blocks[c->nblocks - 1 - depth];
		if (b->kind != BLK_FUNC &&
		    !needs_moves(c, b->height, label_arity(b)))
			continue;
		if (c->stub_at[depth] == 0) {
			c->stub_at[depth] = c->ncode + 1;
			emit_branch(c, depth);
		}
		c->code[base + i] =
		    (uint32_t)((c->stub_at[depth] - 1) - (base + i));
	}
	p = im->table;
	for (uint32_t i = 0; i < n; i++) {
		leb_read_u32(&p, p + 5, &depth);
		c->stub_at[depth] = 0;
	}
}

/* ---- exception handling ------------------------------------------------ */

/* Appends a handler entry; returns its index, or UINT32_MAX (c->err). */
static uint32_t add_eh(struct compiler *c, const struct block *b,
                       uint32_t kind)
{
	if (c->neh == c->cap_eh) {
		uint32_t ncap = c->cap_eh ? c->cap_eh * 2 : 8;
		struct vm_eh_entry *ne =
		    wx_realloc(c->eh, (size_t)ncap * sizeof *ne);
		if (ne == NULL) {
			c->err = WX_ENOMEM;
			return UINT32_MAX;
		}
		c->eh = ne;
		c->cap_eh = ncap;
	}
	struct vm_eh_entry *e = &c->eh[c->neh];
	memset(e, 0, sizeof *e);
	e->start = (uint32_t)b->try_start;
	e->end = (uint32_t)(b->kind == BLK_TRY ? b->try_end : c->ncode);
	e->block = (uint32_t)(b - c->blocks);
	e->kind = kind;
	e->exn_slot = VM_EH_NO_SLOT;
	return c->neh++;
}

/*
 * Points handler 'ei' at the label of block 'tb', whose values it puts
 * in their canonical slots: a loop's start is known; other labels are
 * chained and patched where the label is placed (do_end).
 */
static void eh_target(struct compiler *c, struct block *tb, uint32_t ei)
{
	if (tb->kind == BLK_LOOP) {
		c->eh[ei].target = (uint32_t)tb->loop_start;
		return;
	}
	c->eh[ei].target = tb->eh_chain;
	tb->eh_chain = ei + 1;
	tb->branched = true;
}

static void patch_eh_chain(struct compiler *c, uint32_t chain, size_t target)
{
	while (chain != 0) {
		uint32_t i = chain - 1;
		chain = c->eh[i].target;
		c->eh[i].target = (uint32_t)target;
	}
}

static uint32_t tag_nparams(const struct compiler *c, uint32_t tag)
{
	const struct wasm_functype *ft = &c->m->types[c->m->tags[tag]];
	return types_slots(ft->types, ft->nparams);
}

/* The end of a try_table: one entry per catch clause, in order. */
static void end_try_table(struct compiler *c)
{
	uint32_t bi = c->nblocks - 1;
	const uint8_t *p = c->blocks[bi].catches;
	const uint8_t *end = c->m->bytes + c->m->nbytes;

	for (uint32_t i = 0; i < c->blocks[bi].ncatches && c->err == WX_OK;
	     i++) {
		struct wasm_catch cc;
		wasm_read_catch(&p, end, &cc);
		bool all = cc.kind == WASM_CATCH_ALL ||
		           cc.kind == WASM_CATCH_ALL_REF;
		bool ref = cc.kind == WASM_CATCH_REF ||
		           cc.kind == WASM_CATCH_ALL_REF;
		uint32_t ei = add_eh(c, &c->blocks[bi],
		                     all ? VM_EH_CATCH_ALL : VM_EH_CATCH);
		if (ei == UINT32_MAX)
			return;
		struct block *tb = &c->blocks[bi - 1 - cc.label];
		uint32_t np = all ? 0 : tag_nparams(c, cc.tag);
		c->eh[ei].tag = cc.tag;
		c->eh[ei].slot = VSTACK + tb->height;
		if (ref)
			c->eh[ei].exn_slot = VSTACK + tb->height + np;
		eh_target(c, tb, ei);
	}
}

/* Legacy try: body, then catch blocks whose code is the handler. */
static void do_try(struct compiler *c, int64_t bt)
{
	uint32_t np, nr;

	c->cur_bt = bt;
	block_arity(c->m, bt, &np, &nr);
	enter_block(c, np);
	struct block *b = push_block(c, BLK_TRY, np, nr);
	if (b == NULL)
		return;
	b->try_start = c->ncode;
	b->exn_slot = VHIDDEN + c->ntry_open++;
	if (c->ntry_open > c->max_try)
		c->max_try = c->ntry_open;
}

/* Legacy catch (tag) or catch_all (all): ends the body or a catch. */
static void do_catch(struct compiler *c, bool all, uint32_t tag)
{
	struct block *b = &c->blocks[c->nblocks - 1];

	if (!b->in_catch)
		b->try_end = c->ncode;
	if (!c->unreachable) {
		move_to_canonical(c, b->height, b->nresults);
		emit_op(c, VMOP_BR);
		emit_link(c, &b->chain);
		b->branched = true;
	}
	uint32_t ei = add_eh(c, b, all ? VM_EH_CATCH_ALL : VM_EH_CATCH);
	if (ei == UINT32_MAX)
		return;
	c->eh[ei].tag = tag;
	c->eh[ei].target = (uint32_t)c->ncode;
	c->eh[ei].slot = VSTACK + b->height;
	c->eh[ei].exn_slot = b->exn_slot;
	b->in_catch = true;
	reset_stack(c, b->height, all ? 0 : tag_nparams(c, tag));
	if (!all) {
		const struct wasm_functype *tt = &c->m->types[c->m->tags[tag]];
		mark_halves(c, b->height, tt->types, tt->nparams);
	}
	c->unreachable = false;
	c->last_dst = NO_DST;
}

static bool do_end(struct compiler *c);

/* Legacy delegate: the body's exceptions go to label 'depth' outside. */
static void do_delegate(struct compiler *c, uint32_t depth)
{
	struct block *b = &c->blocks[c->nblocks - 1];

	b->try_end = c->ncode;
	uint32_t ei = add_eh(c, b, VM_EH_DELEGATE);
	if (ei == UINT32_MAX)
		return;
	c->eh[ei].outer = c->nblocks - 2 - depth;
	do_end(c);
}

/* throw (tag 'x') and throw_ref/rethrow (exnref in 'src'). */
static void do_throw(struct compiler *c, enum wasm_opcode op, uint32_t x)
{
	if (op == WASM_OP_THROW) {
		uint32_t np = tag_nparams(c, x);
		for (uint32_t i = c->h - np; i < c->h; i++)
			materialize(c, i);
		emit_op(c, VMOP_THROW);
		emit(c, x);
		emit_slot(c, natural(c, c->h - np));
		for (uint32_t i = 0; i < np; i++)
			pop(c);
		return;
	}
	uint32_t src;
	if (op == WASM_OP_THROW_REF)
		src = pop(c).slot;
	else
		src = c->blocks[c->nblocks - 1 - x].exn_slot;
	emit_op(c, VMOP_THROW_REF);
	emit_slot(c, src);
}

static void do_else(struct compiler *c)
{
	struct block *b = &c->blocks[c->nblocks - 1];

	if (!c->unreachable) {
		move_to_canonical(c, b->height, b->nresults);
		emit_op(c, VMOP_BR);
		emit_link(c, &b->chain);
		b->branched = true;
	}
	patch_chain(c, b->else_site, c->ncode);
	b->else_site = 0;
	b->has_else = true;
	reset_stack(c, b->height, b->nparams);
	mark_block(c, b->bt, b->height, false);
	c->unreachable = false;
	c->last_dst = NO_DST;
}

/* Returns true at the function's final 'end'. */
static bool do_end(struct compiler *c)
{
	struct block *b = &c->blocks[c->nblocks - 1];

	if (b->kind == BLK_FUNC) {
		if (!c->unreachable)
			emit_return(c);
		if (b->eh_chain != 0) {
			/* Handlers that return: results are in place. */
			size_t pad = c->ncode;
			for (uint32_t i = 0; i < b->nresults; i++)
				emit_mov(c, i, VSTACK + i);
			emit_op(c, VMOP_RETURN);
			patch_eh_chain(c, b->eh_chain, pad);
		}
		c->nblocks--;
		return true;
	}
	if (b->kind == BLK_TRY_TABLE) {
		end_try_table(c);
		b = &c->blocks[c->nblocks - 1];
	}
	if (b->kind == BLK_TRY)
		c->ntry_open--;
	if (!c->unreachable)
		move_to_canonical(c, b->height, b->nresults);
	bool reachable = !c->unreachable || b->branched ||
	                 (b->kind == BLK_IF && !b->has_else);
	if (b->kind == BLK_IF && !b->has_else)
		patch_chain(c, b->else_site, c->ncode);
	if (b->kind != BLK_LOOP) {
		patch_chain(c, b->chain, c->ncode);
		patch_eh_chain(c, b->eh_chain, c->ncode);
	}
	reset_stack(c, b->height, b->nresults);
	mark_block(c, b->bt, b->height, true);
	c->nblocks--;
	c->unreachable = !reachable;
	c->last_dst = NO_DST;
	return false;
}

/* ---- instructions ------------------------------------------------------ */

struct imm_form {
	uint16_t op, imm_op;
};

static const struct imm_form imm_forms[] = {
    {WASM_OP_I32_ADD, VMOP_I32_ADD_IMM},
    {WASM_OP_I32_SUB, VMOP_I32_SUB_IMM},
    {WASM_OP_I32_MUL, VMOP_I32_MUL_IMM},
    {WASM_OP_I32_AND, VMOP_I32_AND_IMM},
    {WASM_OP_I32_OR, VMOP_I32_OR_IMM},
    {WASM_OP_I32_XOR, VMOP_I32_XOR_IMM},
    {WASM_OP_I32_SHL, VMOP_I32_SHL_IMM},
    {WASM_OP_I32_SHR_S, VMOP_I32_SHR_S_IMM},
    {WASM_OP_I32_SHR_U, VMOP_I32_SHR_U_IMM},
    {WASM_OP_I64_ADD, VMOP_I64_ADD_IMM},
    {WASM_OP_I64_SUB, VMOP_I64_SUB_IMM},
    {WASM_OP_I64_MUL, VMOP_I64_MUL_IMM},
    {WASM_OP_I64_AND, VMOP_I64_AND_IMM},
    {WASM_OP_I64_OR, VMOP_I64_OR_IMM},
    {WASM_OP_I64_XOR, VMOP_I64_XOR_IMM},
    {WASM_OP_I64_SHL, VMOP_I64_SHL_IMM},
    {WASM_OP_I64_SHR_S, VMOP_I64_SHR_S_IMM},
    {WASM_OP_I64_SHR_U, VMOP_I64_SHR_U_IMM},
    {WASM_OP_I32_EQ, VMOP_I32_EQ_IMM},
    {WASM_OP_I32_NE, VMOP_I32_NE_IMM},
    {WASM_OP_I32_LT_S, VMOP_I32_LT_S_IMM},
    {WASM_OP_I32_LT_U, VMOP_I32_LT_U_IMM},
    {WASM_OP_I32_GT_S, VMOP_I32_GT_S_IMM},
    {WASM_OP_I32_GT_U, VMOP_I32_GT_U_IMM},
    {WASM_OP_I32_LE_S, VMOP_I32_LE_S_IMM},
    {WASM_OP_I32_LE_U, VMOP_I32_LE_U_IMM},
    {WASM_OP_I32_GE_S, VMOP_I32_GE_S_IMM},
    {WASM_OP_I32_GE_U, VMOP_I32_GE_U_IMM},
};

/*
 * The immediate-operand form of 'op' when its second operand is constant
 * k, or 0. i64 forms need k to fit a sign-extended 32-bit immediate.
 */
static unsigned imm_variant(const struct compiler *c, unsigned op, uint32_t k)
{
	uint64_t v = c->consts[k];

	for (size_t i = 0; i < WX_ARRAY_LEN(imm_forms); i++) {
		if (imm_forms[i].op != op)
			continue;
		bool is64 = op >= WASM_OP_I64_CLZ && op <= WASM_OP_I64_ROTR;
		if (is64 && (uint64_t)(int64_t)(int32_t)v != v)
			return 0;
		return imm_forms[i].imm_op;
	}
	return 0;
}

struct load_op_form {
	uint16_t op, load, fused;
	uint8_t commutes;
};

static const struct load_op_form load_op_forms[] = {
    {WASM_OP_I32_ADD, WASM_OP_I32_LOAD, VMOP_I32_ADD_LOAD, 1},
    {WASM_OP_I32_SUB, WASM_OP_I32_LOAD, VMOP_I32_SUB_LOAD, 0},
    {WASM_OP_I32_MUL, WASM_OP_I32_LOAD, VMOP_I32_MUL_LOAD, 1},
    {WASM_OP_I32_AND, WASM_OP_I32_LOAD, VMOP_I32_AND_LOAD, 1},
    {WASM_OP_I32_OR, WASM_OP_I32_LOAD, VMOP_I32_OR_LOAD, 1},
    {WASM_OP_I32_XOR, WASM_OP_I32_LOAD, VMOP_I32_XOR_LOAD, 1},
    {WASM_OP_I64_ADD, WASM_OP_I64_LOAD, VMOP_I64_ADD_LOAD, 1},
    {WASM_OP_I64_SUB, WASM_OP_I64_LOAD, VMOP_I64_SUB_LOAD, 0},
    {WASM_OP_I64_MUL, WASM_OP_I64_LOAD, VMOP_I64_MUL_LOAD, 1},
    {WASM_OP_F32_ADD, WASM_OP_F32_LOAD, VMOP_F32_ADD_LOAD, 1},
    {WASM_OP_F32_SUB, WASM_OP_F32_LOAD, VMOP_F32_SUB_LOAD, 0},
    {WASM_OP_F32_MUL, WASM_OP_F32_LOAD, VMOP_F32_MUL_LOAD, 1},
    {WASM_OP_F64_ADD, WASM_OP_F64_LOAD, VMOP_F64_ADD_LOAD, 1},
    {WASM_OP_F64_SUB, WASM_OP_F64_LOAD, VMOP_F64_SUB_LOAD, 0},
    {WASM_OP_F64_MUL, WASM_OP_F64_LOAD, VMOP_F64_MUL_LOAD, 1},
};

/*
 * A binary operation whose second operand (or, if it commutes, its first)
 * is the value the plain load just emitted produced becomes one
 * [OP_LOAD][dst][a][addr][off]: the load's bounds check and trap stay,
 * only the dispatch and the temporary go. Returns false if the pattern
 * does not apply.
 */
static bool fuse_load_op(struct compiler *c, unsigned op)
{
	const struct load_op_form *form = NULL;
	for (size_t i = 0; i < WX_ARRAY_LEN(load_op_forms); i++)
		if (load_op_forms[i].op == op)
			form = &load_op_forms[i];
	if (form == NULL || c->last_op != form->load || c->last_dst == NO_DST ||
	    c->h < 2)
		return false;
	uint32_t top = c->h - 1;
	uint32_t other;
	if (c->last_dst_h == top && c->stk[top].kind == LOC_SLOT)
		other = top - 1;
	else if (form->commutes && c->last_dst_h == top - 1 &&
	         c->stk[top - 1].kind == LOC_SLOT)
		other = top;
	else
		return false;
	/* The load was [LOAD][dst][addr][off]. */
	const uint32_t *opnd = &c->code[c->last_pos + VM_HANDLER_CELLS - 1];
	uint32_t addr = opnd[2], off = opnd[3];
	uint32_t a = c->stk[other].slot;
	c->ncode = c->last_pos;
	c->nfix = c->last_fix;
	pop(c);
	pop(c);
	emit_op(c, form->fused);
	push_slot(c);
	size_t dst_cell = c->ncode;
	emit_slot(c, natural(c, c->h - 1));
	emit_slot(c, a);
	emit_slot(c, addr);
	emit(c, off);
	c->last_dst = dst_cell;
	c->last_dst_h = c->h - 1;
	return true;
}

/*
 * i32.add whose operand is the result of the i32.shl-by-constant just
 * emitted (array indexing: base + (i << k)) becomes one I32_ADD_SHL; the
 * shift is removed. Returns false if the pattern does not apply.
 */
static bool fuse_add_shl(struct compiler *c)
{
	if (c->last_op != VMOP_I32_SHL_IMM || c->last_dst == NO_DST || c->h < 2)
		return false;
	uint32_t top = c->h - 1;
	uint32_t other;
	if (c->last_dst_h == top && c->stk[top].kind == LOC_SLOT)
		other = top - 1;
	else if (c->last_dst_h == top - 1 && c->stk[top - 1].kind == LOC_SLOT)
		other = top;
	else
		return false;
	/* The shift was [SHL_IMM][dst][src][k]. */
	const uint32_t *opnd = &c->code[c->last_pos + VM_HANDLER_CELLS - 1];
	uint32_t src = opnd[2], k = opnd[3] & 31;
	uint32_t base = c->stk[other].slot;
	c->ncode = c->last_pos;
	c->nfix = c->last_fix;
	pop(c);
	pop(c);
	emit_op(c, VMOP_I32_ADD_SHL);
	push_slot(c);
	size_t dst_cell = c->ncode;
	emit_slot(c, natural(c, c->h - 1));
	emit_slot(c, base);
	emit_slot(c, src);
	emit(c, k);
	c->last_dst = dst_cell;
	c->last_dst_h = c->h - 1;
	return true;
}

struct addr_form {
	uint16_t op, x_op;
};

static const struct addr_form addr_forms[] = {
    {WASM_OP_I32_LOAD, VMOP_I32_LOAD_X},
    {WASM_OP_I64_LOAD, VMOP_I64_LOAD_X},
    {WASM_OP_F32_LOAD, VMOP_F32_LOAD_X},
    {WASM_OP_F64_LOAD, VMOP_F64_LOAD_X},
    {WASM_OP_I32_LOAD8_S, VMOP_I32_LOAD8_S_X},
    {WASM_OP_I32_LOAD8_U, VMOP_I32_LOAD8_U_X},
    {WASM_OP_I32_LOAD16_S, VMOP_I32_LOAD16_S_X},
    {WASM_OP_I32_LOAD16_U, VMOP_I32_LOAD16_U_X},
    {WASM_OP_I32_STORE, VMOP_I32_STORE_X},
    {WASM_OP_I64_STORE, VMOP_I64_STORE_X},
    {WASM_OP_F32_STORE, VMOP_F32_STORE_X},
    {WASM_OP_F64_STORE, VMOP_F64_STORE_X},
    {WASM_OP_I32_STORE8, VMOP_I32_STORE8_X},
    {WASM_OP_I32_STORE16, VMOP_I32_STORE16_X},
};

/*
 * A load or store whose address is the result of the i32.add (or
 * I32_ADD_SHL) just emitted takes the addition over: [..._X] computes
 * (u32)(base + (idx << k)) + offset itself, exactly as the two
 * instructions did. Returns false if the pattern does not apply.
 */
static bool fuse_address(struct compiler *c, unsigned op, uint32_t np,
                         uint32_t nr, uint32_t offset)
{
	unsigned x_op = 0;
	for (size_t i = 0; i < WX_ARRAY_LEN(addr_forms); i++)
		if (addr_forms[i].op == op)
			x_op = addr_forms[i].x_op;
	uint32_t addr = c->h - np;
	if (x_op == 0 || c->last_dst == NO_DST || c->last_dst_h != addr ||
	    c->stk[addr].kind != LOC_SLOT ||
	    (c->last_op != WASM_OP_I32_ADD && c->last_op != VMOP_I32_ADD_SHL))
		return false;
	/* The addition was [op][dst][base][idx] or [op][dst][base][idx][k]. */
	const uint32_t *opnd = &c->code[c->last_pos + VM_HANDLER_CELLS - 1];
	uint32_t base = opnd[2], idx = opnd[3];
	uint32_t k = c->last_op == VMOP_I32_ADD_SHL ? opnd[4] : 0;
	struct operand value = {LOC_SLOT, 0, 0};
	if (np == 2)
		value = pop(c);
	pop(c);
	c->ncode = c->last_pos;
	c->nfix = c->last_fix;
	emit_op(c, x_op);
	size_t dst_cell = NO_DST;
	if (nr == 1) {
		push_slot(c);
		dst_cell = c->ncode;
		emit_slot(c, natural(c, c->h - 1));
	}
	emit_slot(c, base);
	emit_slot(c, idx);
	emit(c, k);
	if (np == 2)
		emit_slot(c, value.slot);
	emit(c, offset);
	if (nr == 1) {
		c->last_dst = dst_cell;
		c->last_dst_h = c->h - 1;
	}
	return true;
}

/*
 * Emits [op][dst if nr == 1][operands in wasm order][imms], popping 'np'
 * operands and pushing 'nr' (0 or 1) results.
 */
static void emit_generic(struct compiler *c, unsigned op, uint32_t np,
                         uint32_t nr, const uint32_t *imms, unsigned nimm)
{
	struct operand args[4];
	size_t dst_cell = NO_DST;

	if (op == WASM_OP_I32_ADD && fuse_add_shl(c))
		return;
	if (np == 2 && nr == 1 && fuse_load_op(c, op))
		return;
	for (uint32_t i = np; i-- > 0;)
		args[i] = pop(c);
	unsigned imm_op = 0;
	if (np == 2 && nr == 1 && args[1].kind == LOC_CONST)
		imm_op = imm_variant(c, op, args[1].slot - VCONST);
	emit_op(c, imm_op ? imm_op : op);
	if (nr == 1) {
		push_slot(c);
		dst_cell = c->ncode;
		emit_slot(c, natural(c, c->h - 1));
	}
	if (imm_op) {
		emit_slot(c, args[0].slot);
		emit(c, (uint32_t)c->consts[args[1].slot - VCONST]);
	} else {
		for (uint32_t i = 0; i < np; i++)
			emit_slot(c, args[i].slot);
	}
	for (unsigned i = 0; i < nimm; i++)
		emit(c, imms[i]);
	if (nr == 1) {
		c->last_dst = dst_cell;
		c->last_dst_h = c->h - 1;
	}
}

static void sig_arity(const char *sig, uint32_t *np, uint32_t *nr)
{
	const char *colon = strchr(sig, ':');
	*np = (uint32_t)(colon - sig);
	*nr = (uint32_t)strlen(colon + 1);
}

static void do_local_set(struct compiler *c, uint32_t local, bool tee)
{
	struct operand v = c->stk[c->h - 1];
	uint32_t below = c->h - 1;

	if (v.kind == LOC_SLOT && c->last_dst != NO_DST &&
	    c->last_dst_h == below && !has_local_ref(c, local, below)) {
		/* Retarget the producer: it writes the local directly. */
		c->code[c->last_dst] = local;
		c->last_dst = NO_DST;
		pop(c);
		if (tee)
			push(c, LOC_LOCAL, local);
		return;
	}
	materialize_local(c, local, below);
	emit_mov(c, local, v.slot);
	if (!tee)
		pop(c);
}

/* local.set/tee of a v128 local (slots 'local', local + 1). */
static void do_local_set_v128(struct compiler *c, uint32_t local, bool tee)
{
	struct operand lo = c->stk[c->h - 2], hi = c->stk[c->h - 1];
	uint32_t below = c->h - 2;

	if (lo.kind == LOC_SLOT && c->last_dst != NO_DST &&
	    c->last_dst_h == below && !has_local_ref(c, local, below) &&
	    !has_local_ref(c, local + 1, below)) {
		/* Retarget the producer: it writes the local pair directly. */
		c->code[c->last_dst] = local;
		c->last_dst = NO_DST;
		pop(c);
		pop(c);
		if (tee) {
			push(c, LOC_LOCAL, local);
			push(c, LOC_LOCAL, local + 1);
			c->stk[c->h - 2].half = 1;
			c->stk[c->h - 1].half = 2;
		}
		return;
	}
	materialize_local(c, local, below);
	materialize_local(c, local + 1, below);
	emit_mov(c, local, lo.slot);
	emit_mov(c, local + 1, hi.slot);
	c->last_dst = NO_DST;
	if (!tee) {
		pop(c);
		pop(c);
	}
}

static void do_call(struct compiler *c, unsigned op,
                    const struct wasm_functype *ft, const uint32_t *imms,
                    unsigned nimm)
{
	struct operand idx = {LOC_SLOT, 0, 0};
	uint32_t np = types_slots(ft->types, ft->nparams);
	uint32_t nr = types_slots(ft->types + ft->nparams, ft->nresults);
	bool dynamic = op == VMOP_CALL_INDIRECT || op == VMOP_CALL_REF;

	if (dynamic)
		idx = pop(c);
	for (uint32_t i = c->h - np; i < c->h; i++)
		materialize(c, i);
	uint32_t argbase = natural(c, c->h - np);
	emit_op(c, op);
	for (unsigned i = 0; i < nimm; i++)
		emit(c, imms[i]);
	emit_slot(c, argbase);
	if (dynamic)
		emit_slot(c, idx.slot);
	for (uint32_t i = 0; i < np; i++)
		pop(c);
	for (uint32_t i = 0; i < nr; i++)
		push_slot(c);
	mark_halves(c, c->h - nr, ft->types + ft->nparams, ft->nresults);
}

/*
 * return_call(_indirect, _ref): [op][imms][argbase][index or ref?]
 * [nargs]; the handler moves the arguments to fp[0..] and replaces the
 * frame.
 */
static void do_return_call(struct compiler *c, unsigned op,
                           const struct wasm_functype *ft,
                           const uint32_t *imms, unsigned nimm)
{
	struct operand idx = {LOC_SLOT, 0, 0};
	uint32_t np = types_slots(ft->types, ft->nparams);
	bool dynamic =
	    op == VMOP_RETURN_CALL_INDIRECT || op == VMOP_RETURN_CALL_REF;

	if (dynamic)
		idx = pop(c);
	for (uint32_t i = c->h - np; i < c->h; i++)
		materialize(c, i);
	emit_op(c, op);
	for (unsigned i = 0; i < nimm; i++)
		emit(c, imms[i]);
	emit_slot(c, natural(c, c->h - np));
	if (dynamic)
		emit_slot(c, idx.slot);
	emit(c, np);
	for (uint32_t i = 0; i < np; i++)
		pop(c);
	c->unreachable = true;
}

/*
 * Replaces operand 'i' (an i64 index or address) by min(value, 2^32 - 1)
 * in its own slot (VMOP_CLAMP32), for handlers that read 32 bits.
 */
static void clamp_operand(struct compiler *c, uint32_t i)
{
	struct operand *o = &c->stk[i];
	uint32_t src = o->slot;

	if (o->kind == LOC_LOCAL)
		c->nlocal_refs--;
	o->kind = LOC_SLOT;
	o->slot = natural(c, i);
	emit_op(c, VMOP_CLAMP32);
	emit_slot(c, o->slot);
	emit_slot(c, src);
	c->last_dst = NO_DST;
}

/*
 * call_indirect through a 64-bit table (table64): the handlers read a
 * 32-bit index, so an i64 index is first clamped to 2^32 - 1, which no
 * table reaches (out of bounds either way). 32-bit tables pay nothing.
 */
static void clamp_table_index(struct compiler *c, uint32_t table)
{
	if (c->m->tables[table].limits.is64)
		clamp_operand(c, c->h - 1);
}

/* Instructions with a "*" signature that are not control flow. */
static void emit_simd(struct compiler *c, unsigned op, const char *sig,
                      const uint32_t *imms, unsigned nimm);

static void do_special(struct compiler *c, enum wasm_opcode op,
                       const struct imm *im)
{
	uint32_t imms[2], tl1;

	switch (op) {
	case WASM_OP_TABLE_GET:
		imms[0] = im->a;
		emit_generic(c, op, 1, 1, imms, 1);
		break;
	case WASM_OP_TABLE_SET:
		imms[0] = im->a;
		emit_generic(c, op, 2, 0, imms, 1);
		break;
	case WASM_OP_TABLE_GROW:
		imms[0] = im->a;
		emit_generic(c, op, 2, 1, imms, 1);
		break;
	case WASM_OP_TABLE_FILL:
		imms[0] = im->a;
		emit_generic(c, op, 3, 0, imms, 1);
		break;
	case WASM_OP_REF_IS_NULL:
		emit_generic(c, op, 1, 1, NULL, 0);
		break;
	case WASM_OP_REF_FUNC:
		imms[0] = im->a;
		emit_generic(c, VMOP_REF_FUNC, 0, 1, imms, 1);
		break;
	case WASM_OP_REF_NULL:
		push_const(c, 0);
		break;
	case WASM_OP_GLOBAL_GET:
		tl1 = c->inst->globals[im->a]->tl1;
		imms[0] = tl1 ? tl1 - 1 : im->a;
		if (c->m->globals[im->a].type.valtype == WASM_V128)
			emit_simd(c, VMOP_V128_GLOBAL_GET, ":v", imms, 1);
		else
			emit_generic(c, tl1 ? VMOP_GLOBAL_GET_TL : VMOP_GLOBAL_GET,
			             0, 1, imms, 1);
		break;
	case WASM_OP_GLOBAL_SET:
		tl1 = c->inst->globals[im->a]->tl1;
		imms[0] = tl1 ? tl1 - 1 : im->a;
		if (c->m->globals[im->a].type.valtype == WASM_V128)
			emit_simd(c, VMOP_V128_GLOBAL_SET, "v:", imms, 1);
		else
			emit_generic(c, tl1 ? VMOP_GLOBAL_SET_TL : VMOP_GLOBAL_SET,
			             1, 0, imms, 1);
		break;
	case WASM_OP_SELECT:
	case WASM_OP_SELECT_T:
		if (c->h >= 2 && c->stk[c->h - 2].half == 2)
			emit_simd(c, VMOP_V128_SELECT, "vvi:v", NULL, 0);
		else
			emit_generic(c, VMOP_SELECT, 3, 1, NULL, 0);
		break;
	case WASM_OP_DROP:
		if (c->h != 0 && c->stk[c->h - 1].half == 2)
			pop(c);
		pop(c);
		break;
	case WASM_OP_LOCAL_GET:
		if (c->local_slot == NULL) {
			push(c, LOC_LOCAL, im->a);
		} else if (c->local_v128[im->a]) {
			push(c, LOC_LOCAL, c->local_slot[im->a]);
			push(c, LOC_LOCAL, c->local_slot[im->a] + 1);
			c->stk[c->h - 2].half = 1;
			c->stk[c->h - 1].half = 2;
		} else {
			push(c, LOC_LOCAL, c->local_slot[im->a]);
		}
		break;
	case WASM_OP_LOCAL_SET:
	case WASM_OP_LOCAL_TEE:
		if (c->local_slot == NULL)
			do_local_set(c, im->a, op == WASM_OP_LOCAL_TEE);
		else if (c->local_v128[im->a])
			do_local_set_v128(c, c->local_slot[im->a],
			                  op == WASM_OP_LOCAL_TEE);
		else
			do_local_set(c, c->local_slot[im->a],
			             op == WASM_OP_LOCAL_TEE);
		break;
	case WASM_OP_CALL:
		imms[0] = im->a;
		do_call(c, VMOP_CALL, wasm_func_type(c->m, im->a), imms, 1);
		break;
	case WASM_OP_CALL_INDIRECT:
		imms[0] = c->inst->type_ids[im->a];
		imms[1] = im->b;
		clamp_table_index(c, im->b);
		do_call(c, VMOP_CALL_INDIRECT, &c->m->types[im->a], imms, 2);
		break;
	case WASM_OP_RETURN_CALL:
		imms[0] = im->a;
		do_return_call(c, VMOP_RETURN_CALL, wasm_func_type(c->m, im->a),
		               imms, 1);
		break;
	case WASM_OP_RETURN_CALL_INDIRECT:
		imms[0] = c->inst->type_ids[im->a];
		imms[1] = im->b;
		clamp_table_index(c, im->b);
		do_return_call(c, VMOP_RETURN_CALL_INDIRECT,
		               &c->m->types[im->a], imms, 2);
		break;
	case WASM_OP_CALL_REF:
		do_call(c, VMOP_CALL_REF, &c->m->types[im->a], NULL, 0);
		break;
	case WASM_OP_RETURN_CALL_REF:
		do_return_call(c, VMOP_RETURN_CALL_REF, &c->m->types[im->a],
		               NULL, 0);
		break;
	case WASM_OP_REF_AS_NON_NULL:
		/* [op][src]: traps on null; the value stays where it is. */
		emit_op(c, op);
		emit_slot(c, c->stk[c->h - 1].slot);
		c->last_dst = NO_DST;
		break;
	default:
		c->err = WX_EINVALID;
		break;
	}
}

/*
 * Atomics share one handler: [ATOMIC][wasm op | mem << 16][dst?]
 * [operands][offset].
 */
static bool mem_is64(const struct compiler *c, uint32_t mem)
{
	return c->m->memories[mem].is64;
}

static void emit_atomic(struct compiler *c, enum wasm_opcode op, uint32_t np,
                        uint32_t nr, uint64_t offset, uint32_t mem)
{
	struct operand args[4];

	for (uint32_t i = np; i-- > 0;)
		args[i] = pop(c);
	emit_op(c, VMOP_ATOMIC);
	emit(c, (uint32_t)op | mem << 16);
	if (nr == 1) {
		push_slot(c);
		emit_slot(c, natural(c, c->h - 1));
	}
	for (uint32_t i = 0; i < np; i++)
		emit_slot(c, args[i].slot);
	emit(c, (uint32_t)offset);
	/* atomic.fence names no memory: no offset either way. */
	if (op != WASM_OP_ATOMIC_FENCE && mem_is64(c, mem))
		emit(c, (uint32_t)(offset >> 32));
}

/*
 * A load, store or memory.size of memory 'mem' != 0 (multi-memory):
 * [MEMN][wasm op][mem][dst?][operands][offset], one cold handler with
 * explicit bounds checks; memory 0 keeps the fast forms.
 */
static void emit_memn(struct compiler *c, enum wasm_opcode op, uint32_t np,
                      uint32_t nr, uint64_t offset, uint32_t mem)
{
	struct operand args[2];

	for (uint32_t i = np; i-- > 0;)
		args[i] = pop(c);
	emit_op(c, VMOP_MEMN);
	emit(c, op);
	emit(c, mem);
	if (nr == 1) {
		push_slot(c);
		emit_slot(c, natural(c, c->h - 1));
	}
	for (uint32_t i = 0; i < np; i++)
		emit_slot(c, args[i].slot);
	emit(c, (uint32_t)offset);
	if (mem_is64(c, mem))
		emit(c, (uint32_t)(offset >> 32));
}

/*
 * A SIMD instruction (or an internal v128 one, VMOP_V128_*), out of the
 * hot loop: [SIMD][op][dst?][operands][imms] (vm_simd.c). Operands in
 * wasm order, a v128 by its low slot; 'sig' as in wasm_ops.def.
 */
/* The fast form of SIMD instruction 'op' (VM_SIMD_FAST_OPS), or 0. */
static unsigned simd_fast_op(unsigned op)
{
	switch (op) {
#define VM_X(name)                                                             \
	case WASM_OP_##name:                                                   \
		return VMOP_##name;
		VM_SIMD_FAST_OPS(VM_X)
#undef VM_X
	default:
		return 0;
	}
}

static void emit_simd(struct compiler *c, unsigned op, const char *sig,
                      const uint32_t *imms, unsigned nimm)
{
	const char *colon = strchr(sig, ':');
	uint32_t args[3];
	unsigned np = (unsigned)(colon - sig);
	unsigned fast = simd_fast_op(op);
	size_t opcell = 0;

	for (unsigned i = np; i-- > 0;) {
		if (sig[i] == 'v')
			pop(c);
		args[i] = pop(c).slot;
	}
	if (fast != 0) {
		emit_op(c, fast);
	} else {
		emit_op(c, VMOP_SIMD);
		opcell = c->ncode;
		emit(c, op);
	}
	size_t dst_cell = NO_DST;
	uint32_t dst_h = 0;
	if (colon[1] == 'v') {
		push_v128(c);
		dst_cell = c->ncode;
		dst_h = c->h - 2;
		emit_slot(c, natural(c, c->h - 2));
	} else if (colon[1] != '\0') {
		push_slot(c);
		dst_cell = c->ncode;
		dst_h = c->h - 1;
		emit_slot(c, natural(c, c->h - 1));
	}
	for (unsigned i = 0; i < np; i++)
		emit_slot(c, args[i]);
	for (unsigned i = 0; i < nimm; i++)
		emit(c, imms[i]);
	/* The length (counting one handler cell) in the op cell's top bits. */
	if (c->err == WX_OK && fast == 0)
		c->code[opcell] |= (uint32_t)(c->ncode - opcell + 1) << 20;
	/* A following local.set may retarget the result (do_local_set and
	 * do_local_set_v128); internal v128 forms keep it where it is. */
	c->last_dst = op < WASM_OP_COUNT_ ? dst_cell : NO_DST;
	c->last_dst_h = dst_h;
}

static void emit_simd_slow(struct compiler *c, enum wasm_opcode op,
                           const struct imm *im);

static void do_simd(struct compiler *c, enum wasm_opcode op,
                    const struct imm *im)
{
	uint32_t imms[5];
	unsigned nimm = 0;
	bool plain_mem = im->mem == 0 && im->bits <= UINT32_MAX;

	if (op == WASM_OP_V128_CONST) {
		/* The 16 bytes into the operand pair with one instruction and
		 * one 16-byte store, which the next instruction's 16-byte load
		 * of the pair is forwarded from (two 8-byte stores are not);
		 * a following local.set may retarget it. */
		push_v128(c);
		emit_op(c, VMOP_V128_CONST);
		size_t dst_cell = c->ncode;
		emit_slot(c, natural(c, c->h - 2));
		for (unsigned i = 0; i < 4; i++) {
			uint32_t w;
			memcpy(&w, im->table + 4 * i, 4);
			emit(c, w);
		}
		c->last_dst = dst_cell;
		c->last_dst_h = c->h - 2;
		return;
	}
	if (wasm_op_imm(op) == WASM_IMM_MEMARG && simd_fast_op(op) != 0) {
		/* The fast forms: [dst][addr][off], [addr][value][off]. */
		imms[0] = (uint32_t)im->bits;
		if (!plain_mem) {
			emit_simd_slow(c, op, im);
			return;
		}
		/* A 64-bit memory 0: its address clamped to 2^32 - 1, as
		 * for the scalar loads (do_plain), then the same forms. */
		if (c->any_mem64 && mem_is64(c, 0)) {
			uint32_t addr = op == WASM_OP_V128_STORE ? 3 : 1;
			clamp_operand(c, c->h - addr);
		}
		emit_simd(c, op, wasm_op_sig(op), imms, 1);
		return;
	}
	switch (wasm_op_imm(op)) {
	case WASM_IMM_MEMARG:
	case WASM_IMM_MEMARG_LANE:
		imms[nimm++] = im->mem;
		imms[nimm++] = (uint32_t)im->bits;
		imms[nimm++] = (uint32_t)(im->bits >> 32);
		if (wasm_op_imm(op) == WASM_IMM_MEMARG_LANE)
			imms[nimm++] = im->lane;
		break;
	case WASM_IMM_LANE:
		imms[nimm++] = im->lane;
		break;
	case WASM_IMM_V128:
	case WASM_IMM_SHUFFLE:
		for (unsigned i = 0; i < 4; i++)
			memcpy(&imms[nimm++], im->table + 4 * i, 4);
		break;
	default:
		break;
	}
	emit_simd(c, op, wasm_op_sig(op), imms, nimm);
}

/*
 * A load or store with a fast form (v128.load, v128.store, load splats)
 * of another memory or a 64-bit one: the VMOP_SIMD form with its memory
 * index and 64-bit offset. (emit_simd would pick the fast form by the
 * opcode alone.)
 */
static void emit_simd_slow(struct compiler *c, enum wasm_opcode op,
                           const struct imm *im)
{
	uint32_t addr, val = 0;
	bool store = op == WASM_OP_V128_STORE;

	if (store) {
		pop(c);
		val = pop(c).slot;
	}
	addr = pop(c).slot;
	emit_op(c, VMOP_SIMD);
	size_t opcell = c->ncode;
	emit(c, op);
	if (!store) {
		push_v128(c);
		emit_slot(c, natural(c, c->h - 2));
	}
	emit_slot(c, addr);
	if (store)
		emit_slot(c, val);
	emit(c, im->mem);
	emit(c, (uint32_t)im->bits);
	emit(c, (uint32_t)(im->bits >> 32));
	if (c->err == WX_OK)
		c->code[opcell] |= (uint32_t)(c->ncode - opcell + 1) << 20;
	c->last_dst = NO_DST;
}

/* Instructions with a plain "params:results" signature. */
static void do_plain(struct compiler *c, enum wasm_opcode op,
                     const struct imm *im)
{
	uint32_t np, nr, imms[2];
	unsigned nimm = 0;

	if (op >= WASM_OP_V128_LOAD) {
		do_simd(c, op, im);
		return;
	}
	sig_arity(wasm_op_sig(op), &np, &nr);
	if (op >= WASM_OP_MEMORY_ATOMIC_NOTIFY) {
		emit_atomic(c, op, np, nr, im->bits, im->mem);
		return;
	}
	/* (im->mem is 0 for instructions without a memory.) */
	bool mem64 = c->any_mem64 && mem_is64(c, im->mem);
	if (im->mem != 0 || mem64) {
		bool access = wasm_op_imm(op) == WASM_IMM_MEMARG;
		/*
		 * Loads and stores of a 64-bit memory 0 with a 32-bit offset:
		 * the address is clamped to 2^32 - 1 (beyond any 64-bit
		 * memory, see vm_memory_new), then the ordinary forms run,
		 * guard pages or explicit checks as for 32-bit memories.
		 */
		if (access && im->mem == 0 && im->bits <= UINT32_MAX) {
			clamp_operand(c, c->h - np);
		} else if (access || op == WASM_OP_MEMORY_SIZE) {
			/* The rest of memories other than 0 or with 64-bit
			 * addresses: explicitly checked, out of the hot loop. */
			emit_memn(c, op, np, nr, im->bits, im->mem);
			return;
		}
	}
	switch (wasm_op_imm(op)) {
	case WASM_IMM_I32:
	case WASM_IMM_I64:
	case WASM_IMM_F32:
	case WASM_IMM_F64:
		push_const(c, im->bits);
		return;
	case WASM_IMM_MEMARG:
		if (fuse_address(c, op, np, nr, im->b))
			return;
		imms[nimm++] = im->b;
		break;
	case WASM_IMM_MEMORY_INIT:
		imms[nimm++] = im->a;
		imms[nimm++] = im->mem;
		break;
	case WASM_IMM_MEMORY_COPY:
		imms[nimm++] = im->a;
		imms[nimm++] = im->b;
		break;
	case WASM_IMM_MEMIDX:
		if (op != WASM_OP_MEMORY_SIZE)
			imms[nimm++] = im->mem;
		break;
	case WASM_IMM_DATA:
	case WASM_IMM_ELEM:
	case WASM_IMM_TABLE:
		imms[nimm++] = im->a;
		break;
	case WASM_IMM_TABLE_INIT:
	case WASM_IMM_TABLE_COPY:
		imms[nimm++] = im->a;
		imms[nimm++] = im->b;
		break;
	default:
		break;
	}
	emit_generic(c, op, np, nr, imms, nimm);
}

static void translate_one(struct compiler *c, enum wasm_opcode op,
                          const struct imm *im, bool *done)
{
	uint32_t np, nr;
	struct operand cond;
	struct block *b;

	switch (op) {
	case WASM_OP_NOP:
		break;
	case WASM_OP_UNREACHABLE:
		emit_op(c, op);
		c->unreachable = true;
		break;
	case WASM_OP_BLOCK:
	case WASM_OP_LOOP:
		c->cur_bt = im->bt;
		block_arity(c->m, im->bt, &np, &nr);
		enter_block(c, np);
		push_block(c, op == WASM_OP_BLOCK ? BLK_BLOCK : BLK_LOOP, np,
		           nr);
		break;
	case WASM_OP_IF:
		c->cur_bt = im->bt;
		block_arity(c->m, im->bt, &np, &nr);
		cond = pop(c);
		enter_block(c, np);
		emit_cond_jump(c, cond, false);
		b = push_block(c, BLK_IF, np, nr);
		if (b != NULL)
			emit_link(c, &b->else_site);
		break;
	case WASM_OP_ELSE:
		do_else(c);
		break;
	case WASM_OP_END:
		*done = do_end(c);
		break;
	case WASM_OP_TRY:
		do_try(c, im->bt);
		break;
	case WASM_OP_TRY_TABLE:
		c->cur_bt = im->bt;
		block_arity(c->m, im->bt, &np, &nr);
		enter_block(c, np);
		b = push_block(c, BLK_TRY_TABLE, np, nr);
		if (b != NULL) {
			b->try_start = c->ncode;
			b->catches = im->table;
			b->ncatches = im->ntable;
		}
		break;
	case WASM_OP_CATCH:
	case WASM_OP_CATCH_ALL:
		do_catch(c, op == WASM_OP_CATCH_ALL, im->a);
		break;
	case WASM_OP_DELEGATE:
		do_delegate(c, im->a);
		break;
	case WASM_OP_THROW:
	case WASM_OP_THROW_REF:
	case WASM_OP_RETHROW:
		do_throw(c, op, im->a);
		c->unreachable = true;
		break;
	case WASM_OP_BR:
		emit_branch(c, im->a);
		c->unreachable = true;
		break;
	case WASM_OP_BR_IF:
		do_br_if(c, im->a);
		break;
	case WASM_OP_BR_TABLE:
		do_br_table(c, im);
		c->unreachable = true;
		break;
	case WASM_OP_BR_ON_NULL:
	case WASM_OP_BR_ON_NON_NULL:
		do_br_on(c, op == WASM_OP_BR_ON_NULL, im->a);
		break;
	case WASM_OP_RETURN:
		emit_return(c);
		c->unreachable = true;
		break;
	default:
		if (wasm_op_sig(op)[0] == '*')
			do_special(c, op, im);
		else
			do_plain(c, op, im);
		break;
	}
}

/* Skips code after an unconditional branch up to its block's else/end. */
static bool skip_unreachable(struct compiler *c, enum wasm_opcode op)
{
	switch (op) {
	case WASM_OP_BLOCK:
	case WASM_OP_LOOP:
	case WASM_OP_IF:
	case WASM_OP_TRY:
	case WASM_OP_TRY_TABLE:
		c->skip_depth++;
		return true;
	case WASM_OP_ELSE:
	case WASM_OP_CATCH:
	case WASM_OP_CATCH_ALL:
		return c->skip_depth != 0;
	case WASM_OP_DELEGATE:
		if (c->skip_depth == 0)
			return false;
		c->skip_depth--;
		return true;
	case WASM_OP_END:
		if (c->skip_depth == 0)
			return false;
		c->skip_depth--;
		return true;
	default:
		return true;
	}
}

static void compiler_free(struct compiler *c)
{
	wx_free(c->code);
	wx_free(c->stk);
	wx_free(c->blocks);
	wx_free(c->consts);
	wx_free(c->hash_keys);
	wx_free(c->hash_vals);
	wx_free(c->fixups);
	wx_free(c->stub_at);
	wx_free(c->eh);
	wx_free(c->local_slot);
	wx_free(c->local_v128);
}

/*
 * Gives frame slots to the constants still read from slots and rewrites
 * every virtual slot: constants after the locals, the operand stack after
 * them. Returns the number of pooled constants.
 */
static uint32_t finish_layout(struct compiler *c)
{
	uint32_t *pool_slot = NULL, npool = 0;

	if (c->nconsts != 0) {
		pool_slot = wx_alloc_array(c->nconsts, sizeof *pool_slot);
		if (pool_slot == NULL) {
			c->err = WX_ENOMEM;
			return 0;
		}
	}
	for (size_t i = 0; i < c->nfix; i++) {
		uint32_t v = c->code[c->fixups[i]];
		if (v >= VCONST && v < VHIDDEN && pool_slot[v - VCONST] == 0)
			pool_slot[v - VCONST] =
			    ++npool; /* 1-based: 0 = unused */
	}
	/* Compact the pool in place, in first-use order. */
	uint64_t *pooled = c->consts;
	for (uint32_t k = 0; k < c->nconsts; k++)
		if (pool_slot[k] != 0)
			c->hash_keys[pool_slot[k] - 1] = c->consts[k];
	for (uint32_t k = 0; k < npool; k++)
		pooled[k] = c->hash_keys[k];
	uint32_t hidden = c->nlocals_all + npool;
	uint32_t S = hidden + c->max_try;
	for (size_t i = 0; i < c->nfix; i++) {
		uint32_t *cell = &c->code[c->fixups[i]];
		if (*cell >= VSTACK)
			*cell = S + (*cell - VSTACK);
		else if (*cell >= VHIDDEN)
			*cell = hidden + (*cell - VHIDDEN);
		else if (*cell >= VCONST)
			*cell = c->nlocals_all + pool_slot[*cell - VCONST] - 1;
	}
	/* Handler slots are operand-stack or hidden slots, never constants. */
	for (uint32_t i = 0; i < c->neh; i++) {
		uint32_t *sl[2] = {&c->eh[i].slot, &c->eh[i].exn_slot};
		for (int k = 0; k < 2; k++) {
			if (*sl[k] == VM_EH_NO_SLOT)
				continue;
			if (*sl[k] >= VSTACK)
				*sl[k] = S + (*sl[k] - VSTACK);
			else if (*sl[k] >= VHIDDEN)
				*sl[k] = hidden + (*sl[k] - VHIDDEN);
		}
	}
	wx_free(pool_slot);
	return npool;
}

void vm_code_free(struct vm_code *code)
{
	if (code == NULL)
		return;
	wx_free(code->cells);
	wx_free(code->init);
	wx_free(code->eh);
	wx_free(code);
}

int vm_compile(struct vm_store *s, struct vm_func *f, struct diag *diag)
{
	struct compiler c;
	const struct wasm_module *m = f->inst->module;
	const struct wasm_func *wf = &m->funcs[f->index];
	const struct wasm_functype *ft = wasm_func_type(m, f->index);
	const uint8_t *p = wf->code, *end = wf->code + wf->code_len;
	struct vm_code *code = NULL;
	bool done = false;
	int rc;

	memset(&c, 0, sizeof c);
	c.m = m;
	c.inst = f->inst;
	c.handlers = vm_interp_handlers_for(s, f->inst);
	c.nparams = types_slots(ft->types, ft->nparams);
	c.nresults = types_slots(ft->types + ft->nparams, ft->nresults);
	uint32_t nloc = types_slots(wf->local_types, wf->nlocals);
	c.nlocals_all = c.nparams + nloc;
	c.last_dst = NO_DST;
	c.cur_bt = WASM_BT_EMPTY;
	if (c.nlocals_all != ft->nparams + wf->nlocals) {
		/* Some v128: local i's slot (docs/interp.md, "SIMD"). */
		uint32_t n = ft->nparams + wf->nlocals, k = 0;
		c.local_slot = wx_alloc_array(n + 1, sizeof *c.local_slot);
		c.local_v128 = wx_calloc(n + 1, 1);
		if (c.local_slot == NULL || c.local_v128 == NULL) {
			rc = WX_ENOMEM;
			goto fail;
		}
		for (uint32_t i = 0; i < n; i++) {
			uint32_t t = i < ft->nparams
			                 ? ft->types[i]
			                 : wf->local_types[i - ft->nparams];
			c.local_slot[i] = k;
			c.local_v128[i] = t == WASM_V128;
			k += vt_slots(t);
		}
	}
	for (uint32_t i = 0; i < m->nmemories; i++)
		c.any_mem64 |= m->memories[i].is64;
	rc = prescan_consts(&c, p, end);
	if (rc != WX_OK)
		goto fail;
	push_block(&c, BLK_FUNC, 0, c.nresults);
	while (!done && p < end && c.err == WX_OK) {
		enum wasm_opcode op;
		struct imm im;
		memset(&im, 0, sizeof im);
		if (wasm_read_opcode(&p, end, &op) != WX_OK ||
		    read_imm(op, &p, end, &im) != WX_OK) {
			c.err = WX_EMALFORMED;
			break;
		}
		if (c.unreachable && skip_unreachable(&c, op))
			continue;
		translate_one(&c, op, &im, &done);
	}
	rc = c.err;
	if (rc == WX_OK && !done)
		rc = WX_EMALFORMED;
	uint32_t npool = rc == WX_OK ? finish_layout(&c) : 0;
	if (rc == WX_OK)
		rc = c.err;
	if (rc != WX_OK)
		goto fail;
	code = wx_calloc(1, sizeof *code);
	if (code == NULL) {
		rc = WX_ENOMEM;
		goto fail;
	}
	code->cells = c.code;
	code->ncells = c.ncode;
	code->nparams = c.nparams;
	code->nresults = c.nresults;
	code->nlocals = nloc;
	code->nconsts = npool;
	code->ninit = (nloc + npool + VM_INIT_CHUNK - 1) /
	              VM_INIT_CHUNK * VM_INIT_CHUNK;
	code->init = wx_alloc_array(code->ninit, sizeof *code->init);
	if (code->init == NULL) {
		wx_free(code);
		rc = WX_ENOMEM;
		goto fail;
	}
	if (npool != 0)
		memcpy(code->init + nloc, c.consts,
		       npool * sizeof *code->init);
	code->frame_size = c.nlocals_all + npool + c.max_try + c.max_h;
	if (code->frame_size < c.nparams + code->ninit)
		code->frame_size = c.nparams + code->ninit;
	if (code->frame_size < c.nresults)
		code->frame_size = c.nresults;
	code->eh = c.eh;
	code->neh = c.neh;
	c.code = NULL;
	c.eh = NULL;
	compiler_free(&c);
	if (code->neh != 0) {
		/* Under vm_lock (vm_compile_once); readers never take it. */
		code->eh_next = s->eh_codes;
		__atomic_store_n(&s->eh_codes, code, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&f->code, code, __ATOMIC_RELEASE); /* THREADS */
	return WX_OK;
fail:
	compiler_free(&c);
	return diag_set(diag, rc, "function %u: cannot translate (%s)",
	                f->index,
	                rc == WX_ENOMEM   ? "out of memory"
	                : rc == WX_ELIMIT ? "translated code too large"
	                                  : "bad code");
}
