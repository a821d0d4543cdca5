/*
 * wasm_validate.c: the WebAssembly validator (WebAssembly 2.0 with
 * SIMD, 3.0's relaxed SIMD, plus the threads proposal's shared memories and atomics, and
 * 3.0's exception handling, legacy encoding included, tail calls,
 * multiple memories, memory64/table64 and typed function references; GC
 * modules never get here: the decoder rejects their types and opcodes).
 *
 * Checks a decoded module as the specification's validation rules say:
 * the module-level rules (imports, limits, exports, start, segments,
 * constant expressions) and every function body, with the algorithm of
 * the specification's appendix: an operand stack of types where 0 stands
 * for "unknown" (below an unconditional branch), (ref bot) for a
 * reference popped there, a stack of control frames, and the set of
 * non-defaultable locals initialised so far (forgotten at each block's
 * end). Types match by subtyping (wasm_types.c).
 *
 * Keeps true:
 *  - The module is only read; all state lives in a 'struct vctx' on the
 *    caller's stack and two growable arrays freed on every path.
 *  - Every rule is checked in one place; messages start with the
 *    specification's wording and name the function and byte offset.
 *  - Immediates are read with the decoder's wasm_read_imm, so both see
 *    the same encoding; a malformed body cannot reach here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/leb128.h"
#include "wasm/wasm_module.h"

#define TYPE_UNKNOWN 0
#define NO_FUNC      UINT32_MAX
/*
 * Caps on the operand stack height and block nesting: far beyond any real
 * function, they bound the scratch memory a hostile body can demand.
 */
#define MAX_OPERANDS ((size_t)1 << 22)
#define MAX_FRAMES   ((size_t)1 << 20)
#define MAX_PAGES_32 65536u
#define MAX_PAGES_64 ((uint64_t)1 << 48)

struct frame {
	/*
	 * BLOCK, LOOP, IF, ELSE, TRY_TABLE; TRY (a legacy try's body),
	 * CATCH (one of its catch or catch_all blocks); END for the function.
	 */
	enum wasm_opcode op;
	uint32_t nparams, nresults;
	/* 'results' NULL: the one result is 'one' (a value block type). */
	const uint32_t *params, *results;
	uint32_t one;
	size_t height;      /* operand stack height at entry */
	size_t init_height; /* 'inits' height at entry */
	bool unreachable;   /* the rest of the block is dead code */
};

/* A block's types: params from a type, results from a type or 'one'. */
struct blocksig {
	uint32_t np, nr;
	const uint32_t *params, *results;
	uint32_t one;
};

struct vctx {
	const struct wasm_module *m;
	struct diag *diag;
	uint32_t func;    /* function index being checked, or NO_FUNC */
	size_t offset;    /* offset of the instruction being checked */
	bool has_offset;  /* 'offset' is meaningful outside a function */
	const char *item; /* module-level item being checked ("export") */
	uint32_t item_index;
	uint32_t ndatas; /* C.datas: datacount if present */
	/* Function being checked. */
	const struct wasm_functype *ft;
	const struct wasm_func *f;
	uint32_t *vals;
	size_t nvals, vals_cap;
	struct frame *frames;
	size_t nframes, frames_cap;
	/*
	 * Local initialisation (typed function references): 'local_set'
	 * marks the non-defaultable locals set so far on this path; 'inits'
	 * lists them in order, so a block's end forgets those set inside.
	 */
	uint8_t *local_set;
	uint32_t *inits;
	size_t ninits;
	size_t locals_cap; /* entries allocated in both */
	bool any64;        /* some memory or table has 64-bit addresses */
};

/* ------------------------------------------------------------------------ */
/* Messages                                                                 */

static int fail(struct vctx *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The message, then where: the function or item, and the offset. */
static int fail(struct vctx *v, const char *fmt, ...)
{
	char text[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (v->func != NO_FUNC)
		return diag_set(v->diag, WX_EINVALID,
		                "%s (function %u, offset 0x%zx)", text, v->func,
		                v->offset);
	if (v->has_offset)
		return diag_set(v->diag, WX_EINVALID,
		                "%s (%s %u, offset 0x%zx)", text, v->item,
		                v->item_index, v->offset);
	return diag_set(v->diag, WX_EINVALID, "%s (%s %u)", text, v->item,
	                v->item_index);
}

/* Names the module-level item that the next messages are about. */
static void at_item(struct vctx *v, const char *item, uint32_t index)
{
	v->item = item;
	v->item_index = index;
	v->has_offset = false;
}

static int fail_nomem(struct vctx *v)
{
	return diag_set(v->diag, WX_ENOMEM, "out of memory validating module");
}

/* ------------------------------------------------------------------------ */
/* Operand and control stacks                                               */

static bool is_num(uint32_t t)
{
	return t == WASM_I32 || t == WASM_I64 || t == WASM_F32 || t == WASM_F64 ||
	       t == WASM_V128;
}

/* What pop_ref yields below a dead block's height: (ref bot). */
#define REF_BOT (WASM_HT_BOT | WASM_REF_NONNULL)

static int push(struct vctx *v, uint32_t t)
{
	if (v->nvals == v->vals_cap) {
		size_t cap = v->vals_cap ? v->vals_cap * 2 : 256;
		uint32_t *p;
		if (v->nvals >= MAX_OPERANDS)
			return diag_set(v->diag, WX_ELIMIT,
			                "operand stack too deep (limit %zu) "
			                "(function %u, offset 0x%zx)",
			                MAX_OPERANDS, v->func, v->offset);
		p = wx_realloc(v->vals, cap * sizeof *p);
		if (p == NULL)
			return fail_nomem(v);
		v->vals = p;
		v->vals_cap = cap;
	}
	v->vals[v->nvals++] = t;
	return WX_OK;
}

static int push_n(struct vctx *v, const uint32_t *types, uint32_t n)
{
	int err = WX_OK;

	for (uint32_t i = 0; err == WX_OK && i < n; i++)
		err = push(v, types[i]);
	return err;
}

static struct frame *top_frame(struct vctx *v)
{
	return &v->frames[v->nframes - 1];
}

/* Pops any value; below a dead block's height yields 'unknown'. */
static int pop(struct vctx *v, uint32_t *t)
{
	struct frame *fr = top_frame(v);

	if (v->nvals == fr->height) {
		if (fr->unreachable) {
			*t = TYPE_UNKNOWN;
			return WX_OK;
		}
		return fail(v, "type mismatch");
	}
	*t = v->vals[--v->nvals];
	return WX_OK;
}

static int pop_expect(struct vctx *v, uint32_t want, uint32_t *got)
{
	uint32_t t = TYPE_UNKNOWN;
	int err = pop(v, &t);

	if (err != WX_OK)
		return err;
	if (t != want && t != TYPE_UNKNOWN && want != TYPE_UNKNOWN &&
	    !wasm_vt_sub(t, want))
		return fail(v, "type mismatch");
	if (got != NULL)
		*got = t == TYPE_UNKNOWN ? want : t;
	return WX_OK;
}

static int pop_type(struct vctx *v, uint32_t want)
{
	return pop_expect(v, want, NULL);
}

/* Pops a reference; 'unknown' reads as (ref bot). */
static int pop_ref(struct vctx *v, uint32_t *t)
{
	int err = pop(v, t);

	if (err == WX_OK && *t == TYPE_UNKNOWN)
		*t = REF_BOT;
	if (err == WX_OK && !wasm_is_reftype(*t))
		err = fail(v, "type mismatch");
	return err;
}

static int pop_n(struct vctx *v, const uint32_t *types, uint32_t n)
{
	int err = WX_OK;

	for (uint32_t i = n; err == WX_OK && i > 0; i--)
		err = pop_type(v, types[i - 1]);
	return err;
}

static const uint32_t *frame_results(const struct frame *fr)
{
	return fr->results != NULL ? fr->results : &fr->one;
}

static int push_frame(struct vctx *v, enum wasm_opcode op,
                      const struct blocksig *bs)
{
	struct frame *fr = NULL;

	if (v->nframes == v->frames_cap) {
		size_t cap = v->frames_cap ? v->frames_cap * 2 : 16;
		struct frame *p;
		if (v->nframes >= MAX_FRAMES)
			return diag_set(v->diag, WX_ELIMIT,
			                "blocks nested too deep (limit %zu) "
			                "(function %u, offset 0x%zx)",
			                MAX_FRAMES, v->func, v->offset);
		p = wx_realloc(v->frames, cap * sizeof *p);
		if (p == NULL)
			return fail_nomem(v);
		v->frames = p;
		v->frames_cap = cap;
	}
	fr = &v->frames[v->nframes++];
	fr->op = op;
	fr->nparams = bs->np;
	fr->params = bs->params;
	fr->nresults = bs->nr;
	fr->results = bs->results == &bs->one ? NULL : bs->results;
	fr->one = bs->one;
	fr->height = v->nvals;
	fr->init_height = v->ninits;
	fr->unreachable = false;
	return push_n(v, bs->params, bs->np);
}

/* The block signature of frame 'fr' (its results pointing into 'bs'). */
static void frame_sig(const struct frame *fr, struct blocksig *bs)
{
	bs->np = fr->nparams;
	bs->params = fr->params;
	bs->nr = fr->nresults;
	bs->one = fr->one;
	bs->results = fr->results != NULL ? fr->results : &bs->one;
}

/*
 * Checks the frame's results are exactly what is left; drops the frame
 * and forgets the locals set inside it. '*out' gets its signature.
 */
static int pop_frame(struct vctx *v, struct blocksig *out, enum wasm_opcode *op)
{
	struct frame *fr = top_frame(v);
	int err = pop_n(v, frame_results(fr), fr->nresults);

	if (err == WX_OK && v->nvals != fr->height)
		err = fail(v, "type mismatch");
	if (err == WX_OK) {
		frame_sig(fr, out);
		if (op != NULL)
			*op = fr->op;
		while (v->ninits > fr->init_height)
			v->local_set[v->inits[--v->ninits]] = 0;
		v->nframes--;
	}
	return err;
}

static void set_unreachable(struct vctx *v)
{
	struct frame *fr = top_frame(v);

	v->nvals = fr->height;
	fr->unreachable = true;
}

/* The types a branch to 'fr' carries: a loop's params, else results. */
static uint32_t label_arity(const struct frame *fr, const uint32_t **types)
{
	if (fr->op == WASM_OP_LOOP) {
		*types = fr->params;
		return fr->nparams;
	}
	*types = frame_results(fr);
	return fr->nresults;
}

static int get_label(struct vctx *v, uint32_t depth, struct frame **fr)
{
	if (depth >= v->nframes)
		return fail(v, "unknown label %u", depth);
	*fr = &v->frames[v->nframes - 1 - depth];
	return WX_OK;
}

/* ------------------------------------------------------------------------ */
/* Index checks shared by instructions and module-level rules               */

static int need_func(struct vctx *v, uint32_t x)
{
	return x < v->m->nfuncs ? WX_OK : fail(v, "unknown function %u", x);
}

static int need_table(struct vctx *v, uint32_t x)
{
	return x < v->m->ntables ? WX_OK : fail(v, "unknown table %u", x);
}

static int need_memory(struct vctx *v, uint32_t x)
{
	return x < v->m->nmemories ? WX_OK : fail(v, "unknown memory %u", x);
}

static int need_global(struct vctx *v, uint32_t x)
{
	return x < v->m->nglobals ? WX_OK : fail(v, "unknown global %u", x);
}

static int need_type(struct vctx *v, uint32_t x)
{
	return x < v->m->ntypes ? WX_OK : fail(v, "unknown type %u", x);
}

/*
 * A value type's type index (if any) exists; with 'below' != NO_FUNC it
 * must also be at most 'below' (a function type names only earlier types
 * and itself).
 */
static int need_vt(struct vctx *v, uint32_t t, uint32_t below)
{
	uint32_t x = wasm_vt_index(t);

	if (!wasm_vt_has_index(t))
		return WX_OK;
	if (x >= v->m->ntypes || (below != NO_FUNC && x > below))
		return fail(v, "unknown type %u", x);
	return WX_OK;
}

/* An immediate's value type: checked, then made canonical. */
static int imm_vt(struct vctx *v, uint32_t raw, uint32_t *t)
{
	int err = need_vt(v, raw, NO_FUNC);

	*t = wasm_canon_vt(v->m, raw);
	return err;
}

/* Tag x exists; sets its function type. */
static int need_tag(struct vctx *v, uint32_t x, const struct wasm_functype **ft)
{
	if (x >= v->m->ntags)
		return fail(v, "unknown tag %u", x);
	*ft = &v->m->types[v->m->tags[x]];
	return WX_OK;
}

static int need_elem(struct vctx *v, uint32_t x)
{
	return x < v->m->nelems ? WX_OK : fail(v, "unknown elem segment %u", x);
}

static int need_data(struct vctx *v, uint32_t x)
{
	return x < v->ndatas ? WX_OK : fail(v, "unknown data segment %u", x);
}

/* ------------------------------------------------------------------------ */
/* Instructions by family                                                   */

/* The value type a signature letter of wasm_ops.def stands for. */
static uint32_t sig_letter_type(char c)
{
	switch (c) {
	case 'i':
		return WASM_I32;
	case 'l':
		return WASM_I64;
	case 'f':
		return WASM_F32;
	case 'd':
		return WASM_F64;
	default:
		return WASM_V128; /* 'v' */
	}
}

/*
 * A plain instruction: its "params:results" signature from the table.
 * Hot (once per instruction of every body): no library calls.
 */
static int check_sig(struct vctx *v, const char *sig)
{
	const char *colon = sig;
	int err = WX_OK;

	while (*colon != ':')
		colon++;
	for (const char *c = colon; err == WX_OK && c > sig; c--)
		err = pop_type(v, sig_letter_type(c[-1]));
	for (const char *c = colon + 1; err == WX_OK && *c; c++)
		err = push(v, sig_letter_type(*c));
	return err;
}

static bool is_atomic(enum wasm_opcode op)
{
	/* The 0xFE instructions close wasm_ops.def, in one run. */
	return op >= WASM_OP_MEMORY_ATOMIC_NOTIFY &&
	       op <= WASM_OP_I64_ATOMIC_RMW32_CMPXCHG_U;
}

static int check_memarg(struct vctx *v, enum wasm_opcode op,
                        const struct wasm_instr_imm *imm)
{
	unsigned natural = wasm_op_align(op);
	int err = need_memory(v, imm->mem);

	if (err != WX_OK)
		return err;
	if (imm->x > natural)
		return fail(v, "alignment must not be larger than natural");
	if (!v->m->memories[imm->mem].is64 && imm->value > UINT32_MAX)
		return fail(v, "offset out of range");
	if (is_atomic(op) && imm->x != natural)
		return fail(v, "atomic alignment must be natural");
	return WX_OK;
}

/* Index immediates of instructions whose operands the table describes. */
/*
 * Lanes of a SIMD instruction's lane immediate: the shape in its name
 * ("i16x8.extract_lane_s": 8), or for v128.loadN_lane/storeN_lane the
 * number of N-bit lanes (16 >> log2 of the natural alignment).
 */
static unsigned simd_lanes(enum wasm_opcode op)
{
	const char *name = wasm_op_name(op);

	if (wasm_op_imm(op) == WASM_IMM_MEMARG_LANE)
		return 16u >> wasm_op_align(op);
	if (name[1] == '8')
		return 16;
	if (name[1] == '1')
		return 8;
	return name[1] == '3' ? 4 : 2;
}

/* SIMD lane immediates (out of line: check_plain_imm is hot). */
__attribute__((noinline)) static int
check_lane_imm(struct vctx *v, enum wasm_opcode op,
               const struct wasm_instr_imm *imm)
{
	int err = WX_OK;

	if (wasm_op_imm(op) == WASM_IMM_MEMARG_LANE)
		err = check_memarg(v, op, imm);
	if (err != WX_OK)
		return err;
	if (wasm_op_imm(op) == WASM_IMM_SHUFFLE) {
		for (unsigned i = 0; i < 16; i++)
			if (imm->vec[i] >= 32)
				return fail(v, "invalid lane index");
		return WX_OK;
	}
	if (imm->lane >= simd_lanes(op))
		return fail(v, "invalid lane index");
	return WX_OK;
}

static int check_plain_imm(struct vctx *v, enum wasm_opcode op,
                           const struct wasm_instr_imm *imm)
{
	const struct wasm_module *m = v->m;
	int err;

	switch (wasm_op_imm(op)) {
	case WASM_IMM_MEMARG:
		return check_memarg(v, op, imm);
	case WASM_IMM_MEMARG_LANE:
	case WASM_IMM_LANE:
	case WASM_IMM_SHUFFLE:
		return check_lane_imm(v, op, imm);
	case WASM_IMM_MEMIDX:
		return need_memory(v, imm->mem);
	case WASM_IMM_MEMORY_COPY:
		err = need_memory(v, imm->x);
		return err == WX_OK ? need_memory(v, imm->y) : err;
	case WASM_IMM_MEMORY_INIT:
		err = need_memory(v, imm->mem);
		return err == WX_OK ? need_data(v, imm->x) : err;
	case WASM_IMM_DATA:
		return need_data(v, imm->x);
	case WASM_IMM_ELEM:
		return need_elem(v, imm->x);
	case WASM_IMM_TABLE:
		return need_table(v, imm->x);
	case WASM_IMM_TABLE_INIT:
		err = need_table(v, imm->y);
		if (err == WX_OK)
			err = need_elem(v, imm->x);
		if (err == WX_OK && !wasm_vt_sub(m->elems[imm->x].elemtype,
		                                 m->tables[imm->y].elemtype))
			err = fail(v, "type mismatch");
		return err;
	case WASM_IMM_TABLE_COPY:
		err = need_table(v, imm->x);
		if (err == WX_OK)
			err = need_table(v, imm->y);
		if (err == WX_OK && !wasm_vt_sub(m->tables[imm->y].elemtype,
		                                 m->tables[imm->x].elemtype))
			err = fail(v, "type mismatch");
		return err;
	default:
		return WX_OK;
	}
}

static int check_block(struct vctx *v, enum wasm_opcode op, int64_t bt,
                       uint32_t vt)
{
	struct blocksig bs;
	int err = WX_OK;

	if (bt >= 0)
		err = bt < v->m->ntypes
		          ? WX_OK
		          : fail(v, "unknown type %lld", (long long)bt);
	else if (bt == WASM_BT_VALUE)
		err = need_vt(v, vt, NO_FUNC);
	if (err == WX_OK && op == WASM_OP_IF)
		err = pop_type(v, WASM_I32);
	if (err != WX_OK)
		return err;
	wasm_blocktype(v->m, bt, vt, &bs.one, &bs.np, &bs.params, &bs.nr,
	               &bs.results);
	err = pop_n(v, bs.params, bs.np);
	return err == WX_OK ? push_frame(v, op, &bs) : err;
}

static int check_else(struct vctx *v)
{
	struct blocksig bs;
	int err = WX_OK;

	if (top_frame(v)->op != WASM_OP_IF)
		return fail(v, "else without if");
	err = pop_frame(v, &bs, NULL);
	return err == WX_OK ? push_frame(v, WASM_OP_ELSE, &bs) : err;
}

static int check_end(struct vctx *v)
{
	struct blocksig bs;
	enum wasm_opcode op;
	int err = pop_frame(v, &bs, &op);

	if (err != WX_OK)
		return err;
	/* An 'if' without 'else' passes its params through as results. */
	if (op == WASM_OP_IF) {
		if (bs.np != bs.nr)
			return fail(v, "type mismatch");
		for (uint32_t i = 0; i < bs.np; i++)
			if (!wasm_vt_sub(bs.params[i], bs.results[i]))
				return fail(v, "type mismatch");
	}
	return v->nframes > 0 ? push_n(v, bs.results, bs.nr) : WX_OK;
}

/* br_table: every target carries as many values as the default. */
static int check_br_table(struct vctx *v, const struct wasm_instr_imm *imm)
{
	const uint8_t *q = imm->vec;
	const uint32_t *types = NULL, *dtypes = NULL;
	struct frame *fr = NULL, *dfl = NULL;
	uint32_t arity, label = 0;
	int err = pop_type(v, WASM_I32);

	if (err == WX_OK)
		err = get_label(v, imm->x, &dfl);
	if (err != WX_OK)
		return err;
	arity = label_arity(dfl, &dtypes);
	for (uint32_t i = 0; err == WX_OK && i < imm->nvec; i++) {
		leb_read_u32(&q, v->m->bytes + v->m->nbytes, &label);
		err = get_label(v, label, &fr);
		if (err != WX_OK)
			break;
		if (label_arity(fr, &types) != arity)
			return fail(v, "type mismatch");
		/* Same as popping then pushing back what was popped. */
		for (uint32_t k = 0; k < arity; k++) {
			size_t pos = v->nvals - 1 - k;
			uint32_t t = TYPE_UNKNOWN;
			if (v->nvals < k + 1 || pos < top_frame(v)->height) {
				if (!top_frame(v)->unreachable)
					return fail(v, "type mismatch");
				continue;
			}
			t = v->vals[pos];
			if (t != TYPE_UNKNOWN &&
			    !wasm_vt_sub(t, types[arity - 1 - k]))
				return fail(v, "type mismatch");
		}
	}
	if (err == WX_OK)
		err = pop_n(v, dtypes, arity);
	if (err == WX_OK)
		set_unreachable(v);
	return err;
}

static int check_branch(struct vctx *v, enum wasm_opcode op,
                        const struct wasm_instr_imm *imm)
{
	struct frame *fr = NULL;
	const uint32_t *types = NULL;
	uint32_t n;
	int err = WX_OK;

	switch (op) {
	case WASM_OP_BR:
		err = get_label(v, imm->x, &fr);
		if (err == WX_OK) {
			n = label_arity(fr, &types);
			err = pop_n(v, types, n);
		}
		if (err == WX_OK)
			set_unreachable(v);
		return err;
	case WASM_OP_BR_IF:
		err = pop_type(v, WASM_I32);
		if (err == WX_OK)
			err = get_label(v, imm->x, &fr);
		if (err == WX_OK) {
			n = label_arity(fr, &types);
			err = pop_n(v, types, n);
			if (err == WX_OK)
				err = push_n(v, types, n);
		}
		return err;
	case WASM_OP_BR_TABLE:
		return check_br_table(v, imm);
	default: /* RETURN */
		err = pop_n(v, v->ft->types + v->ft->nparams, v->ft->nresults);
		if (err == WX_OK)
			set_unreachable(v);
		return err;
	}
}

/* Are the callee's results usable as the caller's (tail calls)? */
static bool results_fit(const struct wasm_functype *callee,
                        const struct wasm_functype *caller)
{
	if (callee->nresults != caller->nresults)
		return false;
	for (uint32_t i = 0; i < callee->nresults; i++)
		if (!wasm_vt_sub(callee->types[callee->nparams + i],
		                 caller->types[caller->nparams + i]))
			return false;
	return true;
}

/* call, call_indirect, call_ref and their return_ forms. */
static int check_call(struct vctx *v, enum wasm_opcode op,
                      const struct wasm_instr_imm *imm)
{
	const struct wasm_module *m = v->m;
	const struct wasm_functype *ft;
	bool tail = op == WASM_OP_RETURN_CALL ||
	            op == WASM_OP_RETURN_CALL_INDIRECT ||
	            op == WASM_OP_RETURN_CALL_REF;
	int err;

	if (op == WASM_OP_CALL || op == WASM_OP_RETURN_CALL) {
		err = need_func(v, imm->x);
		if (err != WX_OK)
			return err;
		ft = wasm_func_type(m, imm->x);
	} else if (op == WASM_OP_CALL_REF || op == WASM_OP_RETURN_CALL_REF) {
		err = need_type(v, imm->x);
		if (err == WX_OK)
			err = pop_type(
			    v, wasm_ref_idx(m->type_canon[imm->x], true));
		if (err != WX_OK)
			return err;
		ft = &m->types[imm->x];
	} else {
		err = need_table(v, imm->y);
		if (err == WX_OK &&
		    !wasm_vt_sub(m->tables[imm->y].elemtype, WASM_FUNCREF))
			err = fail(v, "type mismatch");
		if (err == WX_OK)
			err = need_type(v, imm->x);
		if (err == WX_OK)
			err = pop_type(v, m->tables[imm->y].limits.is64
			                      ? WASM_I64
			                      : WASM_I32);
		if (err != WX_OK)
			return err;
		ft = &m->types[imm->x];
	}
	if (tail) {
		/* The callee's results become the caller's. */
		if (!results_fit(ft, v->ft))
			return fail(v, "type mismatch");
		err = pop_n(v, ft->types, ft->nparams);
		if (err == WX_OK)
			set_unreachable(v);
		return err;
	}
	err = pop_n(v, ft->types, ft->nparams);
	return err == WX_OK ? push_n(v, ft->types + ft->nparams, ft->nresults)
	                    : err;
}

/* The label types a try_table catch clause delivers must match 'fr'. */
static int check_catch_clause(struct vctx *v, const struct wasm_catch *cc)
{
	const struct wasm_functype *ft = NULL;
	const uint32_t *types = NULL;
	struct frame *fr = NULL;
	uint32_t want = 0, n;
	int err = WX_OK;

	if (cc->kind == WASM_CATCH || cc->kind == WASM_CATCH_REF) {
		err = need_tag(v, cc->tag, &ft);
		want = err == WX_OK ? ft->nparams : 0;
	}
	if (err == WX_OK)
		err = get_label(v, cc->label, &fr);
	if (err != WX_OK)
		return err;
	if (cc->kind == WASM_CATCH_REF || cc->kind == WASM_CATCH_ALL_REF)
		want++;
	n = label_arity(fr, &types);
	if (n != want)
		return fail(v, "type mismatch");
	for (uint32_t i = 0; ft != NULL && i < ft->nparams; i++)
		if (!wasm_vt_sub(ft->types[i], types[i]))
			return fail(v, "type mismatch");
	if (want > 0 &&
	    (cc->kind == WASM_CATCH_REF || cc->kind == WASM_CATCH_ALL_REF) &&
	    !wasm_vt_sub(wasm_ref_type(WASM_EXNREF, false), types[want - 1]))
		return fail(v, "type mismatch");
	return WX_OK;
}

/* try_table: clauses name labels outside the new block. */
static int check_try_table(struct vctx *v, const struct wasm_instr_imm *imm)
{
	const uint8_t *q = imm->vec, *end = v->m->bytes + v->m->nbytes;
	int err = WX_OK;

	if (imm->blocktype >= 0 && imm->blocktype >= v->m->ntypes)
		return fail(v, "unknown type %lld", (long long)imm->blocktype);
	for (uint32_t i = 0; err == WX_OK && i < imm->nvec; i++) {
		struct wasm_catch cc;
		wasm_read_catch(&q, end, &cc);
		err = check_catch_clause(v, &cc);
	}
	return err == WX_OK ? check_block(v, WASM_OP_TRY_TABLE, imm->blocktype,
	                                  imm->type)
	                    : err;
}

/* Legacy catch / catch_all: ends the try body or the previous catch. */
static int check_catch(struct vctx *v, enum wasm_opcode op, uint32_t tag)
{
	const struct wasm_functype *ft = NULL;
	struct blocksig bs;
	int err = WX_OK;

	if (top_frame(v)->op != WASM_OP_TRY &&
	    top_frame(v)->op != WASM_OP_CATCH)
		return fail(v, "catch without try");
	if (op == WASM_OP_CATCH)
		err = need_tag(v, tag, &ft);
	if (err == WX_OK)
		err = pop_frame(v, &bs, NULL);
	bs.np = 0;
	bs.params = NULL;
	if (err == WX_OK)
		err = push_frame(v, WASM_OP_CATCH, &bs);
	if (err == WX_OK && ft != NULL)
		err = push_n(v, ft->types, ft->nparams);
	return err;
}

/* Legacy delegate: ends the try body; the label is outside it. */
static int check_delegate(struct vctx *v, uint32_t label)
{
	struct blocksig bs;
	struct frame *target = NULL;
	int err;

	if (top_frame(v)->op != WASM_OP_TRY)
		return fail(v, "delegate without try");
	err = pop_frame(v, &bs, NULL);
	if (err == WX_OK)
		err = get_label(v, label, &target);
	return err == WX_OK ? push_n(v, bs.results, bs.nr) : err;
}

/* throw, throw_ref, rethrow. */
static int check_throw(struct vctx *v, enum wasm_opcode op,
                       const struct wasm_instr_imm *imm)
{
	const struct wasm_functype *ft = NULL;
	struct frame *fr = NULL;
	int err;

	switch (op) {
	case WASM_OP_THROW:
		err = need_tag(v, imm->x, &ft);
		if (err == WX_OK)
			err = pop_n(v, ft->types, ft->nparams);
		break;
	case WASM_OP_THROW_REF:
		err = pop_type(v, WASM_EXNREF);
		break;
	default: /* RETHROW */
		err = get_label(v, imm->x, &fr);
		if (err == WX_OK && fr->op != WASM_OP_CATCH)
			err = fail(v, "invalid rethrow label");
		break;
	}
	if (err == WX_OK)
		set_unreachable(v);
	return err;
}

static int check_select(struct vctx *v, enum wasm_opcode op,
                        const struct wasm_instr_imm *imm)
{
	uint32_t t1 = TYPE_UNKNOWN, t2 = TYPE_UNKNOWN, t;
	int err;

	if (op == WASM_OP_SELECT_T) {
		if (imm->nvec != 1)
			return fail(v, "invalid result arity");
		err = imm_vt(v, imm->type, &t);
		if (err == WX_OK)
			err = pop_type(v, WASM_I32);
		if (err == WX_OK)
			err = pop_type(v, t);
		if (err == WX_OK)
			err = pop_type(v, t);
		return err == WX_OK ? push(v, t) : err;
	}
	/* Without a type: both operands numeric (reference types need the
	 * annotation). */
	err = pop_type(v, WASM_I32);
	if (err == WX_OK)
		err = pop(v, &t1);
	if (err == WX_OK)
		err = pop(v, &t2);
	if (err != WX_OK)
		return err;
	if ((t1 != TYPE_UNKNOWN && !is_num(t1)) ||
	    (t2 != TYPE_UNKNOWN && !is_num(t2)))
		return fail(v, "type mismatch");
	if (t1 != t2 && t1 != TYPE_UNKNOWN && t2 != TYPE_UNKNOWN)
		return fail(v, "type mismatch");
	return push(v, t1 == TYPE_UNKNOWN ? t2 : t1);
}

static int local_type(struct vctx *v, uint32_t x, uint32_t *t)
{
	if (x < v->ft->nparams) {
		*t = v->ft->types[x];
		return WX_OK;
	}
	if (x - v->ft->nparams < v->f->nlocals) {
		*t = v->f->local_types[x - v->ft->nparams];
		return WX_OK;
	}
	return fail(v, "unknown local %u", x);
}

/* Local x is set on this path from now until the enclosing block ends. */
static int mark_local_set(struct vctx *v, uint32_t x)
{
	if (v->local_set[x])
		return WX_OK;
	/* Each local enters 'inits' at most once: nlocals entries. */
	v->local_set[x] = 1;
	v->inits[v->ninits++] = x;
	return WX_OK;
}

static int check_variable(struct vctx *v, enum wasm_opcode op, uint32_t x)
{
	const struct wasm_globaltype *g;
	uint32_t t = TYPE_UNKNOWN;
	int err;

	switch (op) {
	case WASM_OP_LOCAL_GET:
	case WASM_OP_LOCAL_SET:
	case WASM_OP_LOCAL_TEE:
		err = local_type(v, x, &t);
		if (err == WX_OK && op != WASM_OP_LOCAL_GET)
			err = pop_type(v, t);
		if (err == WX_OK && op != WASM_OP_LOCAL_GET &&
		    x >= v->ft->nparams)
			err = mark_local_set(v, x - v->ft->nparams);
		if (err == WX_OK && op == WASM_OP_LOCAL_GET &&
		    x >= v->ft->nparams && !v->local_set[x - v->ft->nparams])
			err = fail(v, "uninitialized local %u", x);
		if (err == WX_OK && op != WASM_OP_LOCAL_SET)
			err = push(v, t);
		return err;
	default:
		err = need_global(v, x);
		if (err != WX_OK)
			return err;
		g = &v->m->globals[x].type;
		if (op == WASM_OP_GLOBAL_GET)
			return push(v, g->valtype);
		if (!g->mut)
			return fail(v, "global is immutable");
		return pop_type(v, g->valtype);
	}
}

/* table.get/set/grow/fill: the rest of the table family is plain. */
static int check_table(struct vctx *v, enum wasm_opcode op, uint32_t x)
{
	uint32_t et = TYPE_UNKNOWN;
	int err = need_table(v, x);

	if (err != WX_OK)
		return err;
	et = v->m->tables[x].elemtype;
	uint32_t at = v->m->tables[x].limits.is64 ? WASM_I64 : WASM_I32;
	switch (op) {
	case WASM_OP_TABLE_GET:
		err = pop_type(v, at);
		return err == WX_OK ? push(v, et) : err;
	case WASM_OP_TABLE_SET:
		err = pop_type(v, et);
		return err == WX_OK ? pop_type(v, at) : err;
	case WASM_OP_TABLE_GROW:
		err = pop_type(v, at);
		if (err == WX_OK)
			err = pop_type(v, et);
		return err == WX_OK ? push(v, at) : err;
	default: /* TABLE_FILL */
		err = pop_type(v, at);
		if (err == WX_OK)
			err = pop_type(v, et);
		return err == WX_OK ? pop_type(v, at) : err;
	}
}

static int check_ref(struct vctx *v, enum wasm_opcode op,
                     const struct wasm_instr_imm *imm)
{
	uint32_t t = TYPE_UNKNOWN;
	int err;

	switch (op) {
	case WASM_OP_REF_NULL:
		err = imm_vt(v, imm->type, &t);
		return err == WX_OK ? push(v, t) : err;
	case WASM_OP_REF_IS_NULL:
		err = pop_ref(v, &t);
		return err == WX_OK ? push(v, WASM_I32) : err;
	case WASM_OP_REF_AS_NON_NULL:
		err = pop_ref(v, &t);
		return err == WX_OK ? push(v, t | WASM_REF_NONNULL) : err;
	default: /* REF_FUNC: (ref $t), $t the function's type */
		err = need_func(v, imm->x);
		if (err == WX_OK && !v->m->func_declared[imm->x])
			err = fail(v, "undeclared function reference");
		if (err != WX_OK)
			return err;
		t = v->m->type_canon[v->m->funcs[imm->x].type];
		return push(v, wasm_ref_idx(t, false));
	}
}

/*
 * br_on_null l: [t* (ref null ht)] -> [t* (ref ht)], branching with t*
 * on null; br_on_non_null l: [t* (ref null ht)] -> [t*], branching with
 * t* (ref ht) otherwise (the label's last type must take it).
 */
static int check_br_on(struct vctx *v, enum wasm_opcode op, uint32_t label)
{
	struct frame *fr = NULL;
	const uint32_t *types = NULL;
	uint32_t n, t = TYPE_UNKNOWN;
	int err = get_label(v, label, &fr);

	if (err == WX_OK)
		err = pop_ref(v, &t);
	if (err != WX_OK)
		return err;
	n = label_arity(fr, &types);
	if (op == WASM_OP_BR_ON_NULL) {
		err = pop_n(v, types, n);
		if (err == WX_OK)
			err = push_n(v, types, n);
		return err == WX_OK ? push(v, t | WASM_REF_NONNULL) : err;
	}
	if (n == 0 || !wasm_vt_sub(t | WASM_REF_NONNULL, types[n - 1]))
		return fail(v, "type mismatch");
	err = pop_n(v, types, n - 1);
	return err == WX_OK ? push_n(v, types, n - 1) : err;
}

/* The instructions marked "*" in wasm_ops.def. */
static int check_special(struct vctx *v, enum wasm_opcode op,
                         const struct wasm_instr_imm *imm)
{
	uint32_t t = TYPE_UNKNOWN;

	switch (op) {
	case WASM_OP_UNREACHABLE:
		set_unreachable(v);
		return WX_OK;
	case WASM_OP_BLOCK:
	case WASM_OP_LOOP:
	case WASM_OP_IF:
		return check_block(v, op, imm->blocktype, imm->type);
	case WASM_OP_ELSE:
		return check_else(v);
	case WASM_OP_END:
		return check_end(v);
	case WASM_OP_BR:
	case WASM_OP_BR_IF:
	case WASM_OP_BR_TABLE:
	case WASM_OP_RETURN:
		return check_branch(v, op, imm);
	case WASM_OP_CALL:
	case WASM_OP_CALL_INDIRECT:
	case WASM_OP_RETURN_CALL:
	case WASM_OP_RETURN_CALL_INDIRECT:
	case WASM_OP_CALL_REF:
	case WASM_OP_RETURN_CALL_REF:
		return check_call(v, op, imm);
	case WASM_OP_BR_ON_NULL:
	case WASM_OP_BR_ON_NON_NULL:
		return check_br_on(v, op, imm->x);
	case WASM_OP_TRY:
		return check_block(v, op, imm->blocktype, imm->type);
	case WASM_OP_TRY_TABLE:
		return check_try_table(v, imm);
	case WASM_OP_CATCH:
	case WASM_OP_CATCH_ALL:
		return check_catch(v, op, imm->x);
	case WASM_OP_DELEGATE:
		return check_delegate(v, imm->x);
	case WASM_OP_THROW:
	case WASM_OP_THROW_REF:
	case WASM_OP_RETHROW:
		return check_throw(v, op, imm);
	case WASM_OP_DROP:
		return pop(v, &t);
	case WASM_OP_SELECT:
	case WASM_OP_SELECT_T:
		return check_select(v, op, imm);
	case WASM_OP_LOCAL_GET:
	case WASM_OP_LOCAL_SET:
	case WASM_OP_LOCAL_TEE:
	case WASM_OP_GLOBAL_GET:
	case WASM_OP_GLOBAL_SET:
		return check_variable(v, op, imm->x);
	case WASM_OP_TABLE_GET:
	case WASM_OP_TABLE_SET:
	case WASM_OP_TABLE_GROW:
	case WASM_OP_TABLE_FILL:
		return check_table(v, op, imm->x);
	case WASM_OP_REF_NULL:
	case WASM_OP_REF_IS_NULL:
	case WASM_OP_REF_FUNC:
	case WASM_OP_REF_AS_NON_NULL:
		return check_ref(v, op, imm);
	default:
		return fail(v, "unsupported instruction %s", wasm_op_name(op));
	}
}

/* 'l' for a 64-bit memory or table (memory64, table64), else 'i'. */
static char mem_at(const struct vctx *v, uint32_t x)
{
	return v->m->memories[x].is64 ? 'l' : 'i';
}

static char table_at(const struct vctx *v, uint32_t x)
{
	return v->m->tables[x].limits.is64 ? 'l' : 'i';
}

/* The smaller of two address types (memory.copy's, table.copy's size). */
static char min_at(char a, char b)
{
	return a == 'l' && b == 'l' ? 'l' : 'i';
}

/*
 * The signature of a plain instruction with its address operands typed
 * by the memories and tables it names (indices already checked): 'sig'
 * from the table writes every address as 'i'. Fills 'buf' (8 bytes).
 */
static const char *addr_sig(const struct vctx *v, enum wasm_opcode op,
                            const struct wasm_instr_imm *imm, const char *sig,
                            char *buf)
{
	size_t n;

	if (!v->any64 || (n = strlen(sig)) >= 8)
		return sig;
	memcpy(buf, sig, n + 1);
	switch (op) {
	case WASM_OP_MEMORY_SIZE:
		buf[1] = mem_at(v, imm->mem);
		break;
	case WASM_OP_MEMORY_GROW:
		buf[0] = buf[2] = mem_at(v, imm->mem);
		break;
	case WASM_OP_MEMORY_FILL:
		buf[0] = buf[2] = mem_at(v, imm->mem);
		break;
	case WASM_OP_MEMORY_COPY:
		buf[0] = mem_at(v, imm->x);
		buf[1] = mem_at(v, imm->y);
		buf[2] = min_at(buf[0], buf[1]);
		break;
	case WASM_OP_MEMORY_INIT:
		buf[0] = mem_at(v, imm->mem);
		break;
	case WASM_OP_TABLE_SIZE:
		buf[1] = table_at(v, imm->x);
		break;
	case WASM_OP_TABLE_COPY:
		buf[0] = table_at(v, imm->x);
		buf[1] = table_at(v, imm->y);
		buf[2] = min_at(buf[0], buf[1]);
		break;
	case WASM_OP_TABLE_INIT:
		buf[0] = table_at(v, imm->y);
		break;
	default:
		if (wasm_op_imm(op) == WASM_IMM_MEMARG ||
		    wasm_op_imm(op) == WASM_IMM_MEMARG_LANE)
			buf[0] = mem_at(v, imm->mem);
		break;
	}
	return buf;
}

static int check_instr(struct vctx *v, enum wasm_opcode op,
                       const struct wasm_instr_imm *imm)
{
	const char *sig = wasm_op_sig(op);
	char buf[8];
	int err;

	if (sig[0] == '*')
		return check_special(v, op, imm);
	err = check_plain_imm(v, op, imm);
	return err == WX_OK ? check_sig(v, addr_sig(v, op, imm, sig, buf))
	                    : err;
}

/* One function body, from its locals' types to the final 'end'. */
/*
 * The current body's locals: their types exist, and the defaultable
 * ones start set (only non-null references need a local.set first).
 */
static int prepare_locals(struct vctx *v)
{
	uint32_t n = v->f->nlocals;
	int err = WX_OK;

	for (uint32_t i = 0; err == WX_OK && i < v->ft->nparams; i++)
		err = need_vt(v, v->ft->types[i], NO_FUNC);
	v->ninits = 0;
	if (n + (size_t)1 > v->locals_cap) {
		/* Grown only: most bodies reuse the previous arrays. */
		wx_free(v->local_set);
		wx_free(v->inits);
		v->locals_cap = 0;
		v->local_set = wx_alloc_array((size_t)n + 1, 1);
		v->inits = wx_alloc_array((size_t)n + 1, sizeof *v->inits);
		if (v->local_set == NULL || v->inits == NULL)
			return fail_nomem(v);
		v->locals_cap = (size_t)n + 1;
	}
	for (uint32_t i = 0; err == WX_OK && i < n; i++) {
		uint32_t t = v->f->local_types[i];
		err = need_vt(v, t, NO_FUNC);
		v->local_set[i] = wasm_vt_defaultable(t);
	}
	return err;
}

static int check_body(struct vctx *v, uint32_t idx)
{
	const struct wasm_module *m = v->m;
	const uint8_t *p, *end;
	struct blocksig bs;
	int err;

	v->func = idx;
	v->f = &m->funcs[idx];
	v->ft = wasm_func_type(m, idx);
	v->nvals = 0;
	v->nframes = 0;
	p = v->f->code;
	end = p + v->f->code_len;
	v->offset = v->f->code_offset;
	err = prepare_locals(v);
	if (err != WX_OK)
		return err;
	bs.np = 0;
	bs.params = NULL;
	bs.nr = v->ft->nresults;
	bs.results = v->ft->types + v->ft->nparams;
	err = push_frame(v, WASM_OP_END, &bs);
	while (err == WX_OK && v->nframes > 0) {
		enum wasm_opcode op;
		struct wasm_instr_imm imm;
		const char *why;

		v->offset = (size_t)(p - m->bytes);
		if (wasm_read_opcode(&p, end, &op) != WX_OK ||
		    wasm_read_imm(op, &p, end, &imm, &why) != WX_OK)
			return fail(v, "malformed instruction");
		err = check_instr(v, op, &imm);
	}
	return err;
}

/* ------------------------------------------------------------------------ */
/* Module-level rules                                                       */

/*
 * A constant expression of type 'want'. WebAssembly 3.0 allows t.const,
 * ref.null, ref.func, global.get of an immutable global among the first
 * 'nglobals' (a global's initializer sees only the globals before it;
 * 2.0 allowed imported ones only), and the extended constant
 * expressions i32/i64 add, sub and mul. The operand types are checked on
 * a small stack; an expression deeper than CONST_MAX_DEPTH is refused
 * (no compiler comes near it).
 */
#define CONST_MAX_DEPTH 256

static int check_constexpr(struct vctx *v, const struct wasm_constexpr *ce,
                           uint32_t want, uint32_t nglobals)
{
	const struct wasm_module *m = v->m;
	const uint8_t *p = m->bytes + ce->expr_offset;
	const uint8_t *end = p + ce->expr_len;
	uint32_t stk[CONST_MAX_DEPTH];
	uint32_t depth = 0;

	v->offset = ce->expr_offset;
	v->has_offset = true;
	if (m->wasm2 && nglobals > m->num_imported_globals)
		nglobals = m->num_imported_globals; /* 2.0: imports only */
	if (ce->expr_len == 0)
		return need_func(v, ce->u.index);
	for (;;) {
		enum wasm_opcode op;
		struct wasm_instr_imm imm;
		const char *why;
		uint32_t t, push = TYPE_UNKNOWN;

		v->offset = (size_t)(p - m->bytes);
		if (wasm_read_opcode(&p, end, &op) != WX_OK ||
		    wasm_read_imm(op, &p, end, &imm, &why) != WX_OK)
			return fail(v, "malformed constant expression");
		switch (op) {
		case WASM_OP_END:
			if (depth != 1 || !wasm_vt_sub(stk[0], want))
				return fail(v, "type mismatch");
			return WX_OK;
		case WASM_OP_I32_CONST:
			push = WASM_I32;
			break;
		case WASM_OP_I64_CONST:
			push = WASM_I64;
			break;
		case WASM_OP_F32_CONST:
			push = WASM_F32;
			break;
		case WASM_OP_F64_CONST:
			push = WASM_F64;
			break;
		case WASM_OP_V128_CONST:
			push = WASM_V128;
			break;
		case WASM_OP_REF_NULL:
			if (imm_vt(v, imm.type, &push) != WX_OK)
				return WX_EINVALID;
			break;
		case WASM_OP_REF_FUNC:
			if (need_func(v, imm.x) != WX_OK)
				return WX_EINVALID;
			push = wasm_ref_idx(m->type_canon[m->funcs[imm.x].type],
			                    false);
			break;
		case WASM_OP_GLOBAL_GET:
			if (imm.x >= nglobals)
				return fail(v, "unknown global %u", imm.x);
			if (m->globals[imm.x].type.mut)
				return fail(v, "constant expression required");
			push = m->globals[imm.x].type.valtype;
			break;
		case WASM_OP_I32_ADD:
		case WASM_OP_I32_SUB:
		case WASM_OP_I32_MUL:
		case WASM_OP_I64_ADD:
		case WASM_OP_I64_SUB:
		case WASM_OP_I64_MUL:
			if (m->wasm2) /* 2.0: no extended constants */
				return fail(v, "constant expression required");
			t = op == WASM_OP_I32_ADD || op == WASM_OP_I32_SUB ||
			            op == WASM_OP_I32_MUL
			        ? WASM_I32
			        : WASM_I64;
			if (depth < 2 || !wasm_vt_sub(stk[depth - 1], t) ||
			    !wasm_vt_sub(stk[depth - 2], t))
				return fail(v, "type mismatch");
			depth -= 2;
			push = t;
			break;
		default:
			return fail(v, "constant expression required");
		}
		if (depth == CONST_MAX_DEPTH)
			return fail(v, "constant expression too deep");
		stk[depth++] = push;
	}
}

static int check_limits(struct vctx *v, const struct wasm_limits_decl *l,
                        bool memory)
{
	uint64_t cap = l->is64 ? MAX_PAGES_64 : MAX_PAGES_32;

	if (memory && (l->min > cap || (l->has_max && l->max > cap)))
		return fail(v, l->is64
		                   ? "memory size must be at most 2^48 pages"
		                   : "memory size must be at most 65536 "
		                     "pages (4GiB)");
	/* 3.0 decodes the sizes as u64: a 32-bit table holds 2^32 - 1. */
	if (!memory && !l->is64 &&
	    (l->min > UINT32_MAX || (l->has_max && l->max > UINT32_MAX)))
		return fail(v, "table size must be at most 2^32-1");
	if (l->has_max && l->min > l->max)
		return fail(v, "size minimum must not be greater than maximum");
	if (memory && l->shared && !l->has_max)
		return fail(v, "shared memory must have maximum");
	return WX_OK;
}

/* Every type index inside a function type names it or an earlier type. */
static int check_types(struct vctx *v)
{
	const struct wasm_module *m = v->m;
	int err = WX_OK;

	for (uint32_t i = 0; err == WX_OK && i < m->ntypes; i++) {
		const struct wasm_functype *ft = &m->types[i];
		at_item(v, "type", i);
		for (uint32_t k = 0;
		     err == WX_OK && k < ft->nparams + ft->nresults; k++)
			err = need_vt(v, ft->types[k], i);
	}
	return err;
}

/* A table: limits, element type, and its initialiser if it has one. */
static int check_table_def(struct vctx *v, uint32_t i)
{
	const struct wasm_tabletype *t = &v->m->tables[i];
	int err;

	at_item(v, "table", i);
	err = check_limits(v, &t->limits, false);
	if (err == WX_OK)
		err = need_vt(v, t->elemtype, NO_FUNC);
	/* Like 2.0's offsets, an initialiser sees the imported globals. */
	if (err == WX_OK && t->has_init)
		return check_constexpr(v, &t->init, t->elemtype,
		                       v->m->num_imported_globals);
	/* Without an initialiser every element starts null. */
	if (err == WX_OK && i >= v->m->num_imported_tables &&
	    !wasm_vt_nullable(t->elemtype))
		err = fail(v, "type mismatch");
	return err;
}

static int check_imports_and_spaces(struct vctx *v)
{
	const struct wasm_module *m = v->m;
	int err = check_types(v);

	for (uint32_t i = 0; err == WX_OK && i < m->nfuncs; i++) {
		at_item(v, "function", i);
		err = need_type(v, m->funcs[i].type);
	}
	for (uint32_t i = 0; err == WX_OK && i < m->nglobals; i++) {
		at_item(v, "global", i);
		err = need_vt(v, m->globals[i].type.valtype, NO_FUNC);
	}
	for (uint32_t i = 0; err == WX_OK && i < m->nmemories; i++) {
		at_item(v, "memory", i);
		err = check_limits(v, &m->memories[i], true);
		if (err == WX_OK && m->wasm2 && i > 0) /* no multi-memory */
			err = fail(v, "multiple memories");
	}
	for (uint32_t i = 0; err == WX_OK && i < m->ntags; i++) {
		at_item(v, "tag", i);
		err = need_type(v, m->tags[i]);
		if (err == WX_OK && m->types[m->tags[i]].nresults != 0)
			err = fail(v, "non-empty tag result type");
	}
	for (uint32_t i = m->num_imported_globals;
	     err == WX_OK && i < m->nglobals; i++) {
		at_item(v, "global", i);
		err = check_constexpr(v, &m->globals[i].init,
		                      m->globals[i].type.valtype, i);
	}
	/* After the globals: an initialiser reads any of them. */
	for (uint32_t i = 0; err == WX_OK && i < m->ntables; i++)
		err = check_table_def(v, i);
	return err;
}

struct name_ref {
	const char *name;
	uint32_t len;
	uint32_t index; /* export index */
};

static int compare_names(const void *a, const void *b)
{
	const struct name_ref *x = a, *y = b;
	int c = memcmp(x->name, y->name, x->len < y->len ? x->len : y->len);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static int check_export_index(struct vctx *v, const struct wasm_export *ex)
{
	switch (ex->kind) {
	case WASM_EXT_FUNC:
		return need_func(v, ex->index);
	case WASM_EXT_TABLE:
		return need_table(v, ex->index);
	case WASM_EXT_MEMORY:
		return need_memory(v, ex->index);
	case WASM_EXT_TAG:
		return ex->index < v->m->ntags
		           ? WX_OK
		           : fail(v, "unknown tag %u", ex->index);
	default:
		return need_global(v, ex->index);
	}
}

static int check_exports(struct vctx *v)
{
	const struct wasm_module *m = v->m;
	struct name_ref *names;
	int err = WX_OK;

	for (uint32_t i = 0; err == WX_OK && i < m->nexports; i++) {
		at_item(v, "export", i);
		err = check_export_index(v, &m->exports[i]);
	}
	if (err != WX_OK || m->nexports < 2)
		return err;
	names = wx_alloc_array(m->nexports, sizeof *names);
	if (names == NULL)
		return fail_nomem(v);
	for (uint32_t i = 0; i < m->nexports; i++) {
		names[i].name = m->exports[i].name;
		names[i].len = m->exports[i].name_len;
		names[i].index = i;
	}
	qsort(names, m->nexports, sizeof *names, compare_names);
	for (uint32_t i = 1; err == WX_OK && i < m->nexports; i++)
		if (compare_names(&names[i - 1], &names[i]) == 0) {
			at_item(v, "export", names[i].index);
			err = fail(v, "duplicate export name");
		}
	wx_free(names);
	return err;
}

static int check_start(struct vctx *v)
{
	const struct wasm_module *m = v->m;
	const struct wasm_functype *ft;
	int err;

	if (!m->has_start)
		return WX_OK;
	at_item(v, "start function", m->start);
	err = need_func(v, m->start);
	if (err != WX_OK)
		return err;
	ft = wasm_func_type(m, m->start);
	if (ft->nparams != 0 || ft->nresults != 0)
		return fail(v, "start function must have type [] -> []");
	return WX_OK;
}

static int check_elems(struct vctx *v)
{
	const struct wasm_module *m = v->m;
	int err = WX_OK;

	for (uint32_t i = 0; err == WX_OK && i < m->nelems; i++) {
		const struct wasm_elem *el = &m->elems[i];
		at_item(v, "elem segment", i);
		err = need_vt(v, el->elemtype, NO_FUNC);
		if (err == WX_OK && el->mode == WASM_SEG_ACTIVE) {
			err = need_table(v, el->table);
			if (err == WX_OK &&
			    !wasm_vt_sub(el->elemtype,
			                 m->tables[el->table].elemtype))
				err = fail(v, "type mismatch");
			if (err == WX_OK)
				err = check_constexpr(
				    v, &el->offset,
				    m->tables[el->table].limits.is64 ? WASM_I64
				                                     : WASM_I32,
				    m->nglobals);
		}
		for (uint32_t k = 0; err == WX_OK && k < el->nitems; k++)
			err = check_constexpr(v, &el->items[k], el->elemtype,
			                      m->nglobals);
	}
	return err;
}

static int check_datas(struct vctx *v)
{
	const struct wasm_module *m = v->m;
	int err = WX_OK;

	for (uint32_t i = 0; err == WX_OK && i < m->ndatas; i++) {
		const struct wasm_data *d = &m->datas[i];
		if (d->mode != WASM_SEG_ACTIVE)
			continue;
		at_item(v, "data segment", i);
		err = need_memory(v, d->memory);
		if (err == WX_OK)
			err = check_constexpr(
			    v, &d->offset,
			    m->memories[d->memory].is64 ? WASM_I64 : WASM_I32,
			    m->nglobals);
	}
	return err;
}

int wasm_validate(const struct wasm_module *m, struct diag *diag)
{
	struct vctx v;
	int err;

	memset(&v, 0, sizeof v);
	v.m = m;
	v.diag = diag;
	v.func = NO_FUNC;
	at_item(&v, "module", 0);
	v.ndatas = m->has_datacount ? m->datacount : m->ndatas;
	for (uint32_t i = 0; i < m->nmemories; i++)
		v.any64 |= m->memories[i].is64;
	for (uint32_t i = 0; i < m->ntables; i++)
		v.any64 |= m->tables[i].limits.is64;
	err = check_imports_and_spaces(&v);
	if (err == WX_OK)
		err = check_exports(&v);
	if (err == WX_OK)
		err = check_start(&v);
	if (err == WX_OK)
		err = check_elems(&v);
	if (err == WX_OK)
		err = check_datas(&v);
	for (uint32_t i = m->num_imported_funcs; err == WX_OK && i < m->nfuncs;
	     i++)
		err = check_body(&v, i);
	wx_free(v.vals);
	wx_free(v.frames);
	wx_free(v.local_set);
	wx_free(v.inits);
	return err;
}
