/*
 * aot_emit.c: a validated WebAssembly module as C source (docs/aot.md).
 *
 * Every function becomes a C function f<index>(I, D, params...) with
 * the wasm parameters and results as C values (i32 aot_u32, i64 aot_u64,
 * f32 float, f64 double, references aot_u64; several results a struct).
 * Operand-stack height h of type t is the C variable s<h><t> (validated
 * code has a static stack height everywhere), local k is l<k>; blocks are
 * labels and gotos; the semantics of each instruction are the helpers of
 * aot_abi.h, named after its wasm_ops.def identifier. GCC's SSA turns the
 * variables back into registers.
 *
 * Functions the emitter cannot compile (an instruction it does not handle
 * yet, see aot_func_unsupported) and imports become stubs of the same C
 * signature that call through I->call, so every call site is a direct C
 * call and compiled and interpreted functions mix freely.
 *
 * This file is the core (the module, function bodies, control, calls,
 * numeric and memory instructions); exceptions are aot_emit_eh.c, setjmp
 * aot_emit_sj.c, and what the three share is aot_emit_impl.h.
 *
 * Keeps true: reads only the validated module; the output depends only on
 * the module and the options (it is the cache's content).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot/aot.h"
#include "aot/aot_abi.h"
#include "aot/aot_emit_impl.h"
#include "aot/aot_impl.h"
#include "base/leb128.h"

/* The ABI header as a C string (made by the build from aot_abi.h). */
static const char abi_text[] =
#include "aot_abi.inc"
    ;

const char *aot_codegen_id(void)
{
	return abi_text;
}

/* One value type as the emitter sees it: i, l, f, d, r; 0 unsupported. */
char aot_tchar(uint32_t vt)
{
	switch (vt) {
	case WASM_I32:
		return 'i';
	case WASM_I64:
		return 'l';
	case WASM_F32:
		return 'f';
	case WASM_F64:
		return 'd';
	case WASM_V128:
		return 0;
	default:
		return wasm_is_reftype(vt) ? 'r' : 0;
	}
}

static const char *ctype(char t)
{
	switch (t) {
	case 'i':
		return "aot_u32";
	case 'f':
		return "aot_f32";
	case 'd':
		return "aot_f64";
	default:
		return "aot_u64";
	}
}

static unsigned tbit(char t)
{
	switch (t) {
	case 'i':
		return 1;
	case 'l':
		return 2;
	case 'f':
		return 4;
	case 'd':
		return 8;
	default:
		return 16;
	}
}

/* A C expression converting 'expr' of type t to a 64-bit slot, back. */
void aot_to_slot(FILE *o, char t, const char *expr)
{
	if (t == 'f')
		fprintf(o, "(aot_u64)aot_bits_f32(%s)", expr);
	else if (t == 'd')
		fprintf(o, "aot_bits_f64(%s)", expr);
	else
		fprintf(o, "(aot_u64)%s", expr);
}

void aot_from_slot(FILE *o, char t, const char *expr)
{
	if (t == 'i')
		fprintf(o, "(aot_u32)%s", expr);
	else if (t == 'f')
		fprintf(o, "aot_f32_of((aot_u32)%s)", expr);
	else if (t == 'd')
		fprintf(o, "aot_f64_of(%s)", expr);
	else
		fprintf(o, "%s", expr);
}

/* The result signature string of a function type ("" for none). */
static void result_sig(const struct wasm_functype *ft, char *buf)
{
	uint32_t i;
	for (i = 0; i < ft->nresults; i++)
		buf[i] = aot_tchar(ft->types[ft->nparams + i]);
	buf[i] = 0;
}

/* Return type of a function type: void, a scalar or struct R_<sig>. */
static void ret_type(FILE *o, const struct wasm_functype *ft)
{
	if (ft->nresults == 0) {
		fputs("void", o);
	} else if (ft->nresults == 1) {
		fputs(ctype(aot_tchar(ft->types[ft->nparams])), o);
	} else {
		char sig[AOT_MAX_RESULTS + 1];
		result_sig(ft, sig);
		fprintf(o, "struct R_%s", sig);
	}
}

/* The C function type of 'ft', for casts of native_fn. */
static void fn_ptr_type(FILE *o, const struct wasm_functype *ft)
{
	ret_type(o, ft);
	fputs(" (*)(struct aot_inst *, aot_u32", o);
	for (uint32_t i = 0; i < ft->nparams; i++)
		fprintf(o, ", %s", ctype(aot_tchar(ft->types[i])));
	fputs(")", o);
}

/* "AOT_FN RT f<k>(struct aot_inst *I, aot_u32 D, ...)"; AOT_FN is
 * 'static' in a module of one C file, else a hidden symbol (aot_emit_c). */
static void fn_head(FILE *o, const struct wasm_functype *ft, uint32_t k)
{
	fputs("AOT_FN ", o);
	ret_type(o, ft);
	fprintf(o, " f%u(struct aot_inst *I, aot_u32 D", k);
	for (uint32_t i = 0; i < ft->nparams; i++)
		fprintf(o, ", %s l%u", ctype(aot_tchar(ft->types[i])), i);
	fputs(")", o);
}

const char *aot_module_unsupported(const struct wasm_module *m)
{
	for (uint32_t i = 0; i < m->ntypes; i++) {
		const struct wasm_functype *ft = &m->types[i];
		for (uint32_t k = 0; k < ft->nparams + ft->nresults; k++)
			if (aot_tchar(ft->types[k]) == 0)
				return "a function type with v128 values";
		if (ft->nresults > AOT_MAX_RESULTS)
			return "a function type with too many results";
	}
	for (uint32_t i = 0; i < m->nglobals; i++)
		if (aot_tchar(m->globals[i].type.valtype) == 0)
			return "a v128 global";
	/* The dynamic linker makes a program's stack and thread pointers
	 * per-thread globals (vm_global_make_thread_local), which compiled
	 * global.get and global.set do not follow. */
	if (m->dylink != NULL)
		return "a dynamic-linking module (per-thread globals)";
	/* setjmp (stack_checkpoint) compiles (aot_sj_funcs), threads get a
	 * context each (aot_run.c), exception tags compile (docs/aot.md,
	 * "Exceptions"). */
	return NULL;
}

/* What the prologue of a function needs (profile_funcs). */
struct prof {
	bool calls;       /* makes any call */
	bool may_recurse; /* calls indirectly, or a function that calls */
};

/* ---- one function body --------------------------------------------------- */

static bool grow_stack(struct fn *F, uint32_t need)
{
	if (need <= F->cap)
		return true;
	uint32_t cap = F->cap ? F->cap * 2 : 64;
	while (cap < need)
		cap *= 2;
	char *t = wx_realloc(F->types, cap);
	if (t == NULL)
		return false;
	F->types = t;
	uint8_t *u = wx_realloc(F->used, cap);
	if (u == NULL)
		return false;
	memset(u + F->cap, 0, cap - F->cap);
	F->used = u;
	uint8_t *tg = wx_realloc(F->tag, cap);
	if (tg == NULL)
		return false;
	memset(tg + F->cap, 0, cap - F->cap);
	F->tag = tg;
	F->cap = cap;
	return true;
}

/* Name of the variable at height h with type t (static buffers, 4). */
const char *aot_sv(struct fn *F, uint32_t h, char t)
{
	static _Thread_local char bufs[4][24];
	static _Thread_local unsigned k;
	char *b = bufs[k++ & 3];
	if (h >= F->cap && !grow_stack(F, h + 1))
		F->why = "out of memory";
	if (h < F->cap)
		F->used[h] |= (uint8_t)tbit(t);
	snprintf(b, sizeof bufs[0], "s%u%c", h, t);
	return b;
}

/* The variable of the value 'i' below the top (0 = top). */
static const char *top(struct fn *F, uint32_t i)
{
	return aot_sv(F, F->h - 1 - i, F->types[F->h - 1 - i]);
}

/* Pushes a value of type t; returns its variable name. */
const char *aot_push(struct fn *F, char t)
{
	if (!grow_stack(F, F->h + 1)) {
		F->why = "out of memory";
		return "s0i";
	}
	F->types[F->h] = t;
	F->tag[F->h] = TAG_OTHER;
	return aot_sv(F, F->h++, t);
}

bool aot_blocktype(struct fn *F, const struct wasm_instr_imm *imm,
                   struct ctl *c)
{
	uint32_t one;
	const uint32_t *p, *r;
	wasm_blocktype(F->m, imm->blocktype, imm->type, &one, &c->np, &p,
	               &c->nr, &r);
	if (c->np > AOT_MAX_RESULTS || c->nr > AOT_MAX_RESULTS)
		return false;
	for (uint32_t i = 0; i < c->np; i++)
		if ((c->pt[i] = aot_tchar(p[i])) == 0)
			return false;
	for (uint32_t i = 0; i < c->nr; i++)
		if ((c->rt[i] = aot_tchar(r[i])) == 0)
			return false;
	c->pt[c->np] = c->rt[c->nr] = 0;
	return true;
}

struct ctl *aot_push_ctl(struct fn *F, uint8_t kind)
{
	if (F->nctl == F->capctl) {
		uint32_t cap = F->capctl ? F->capctl * 2 : 16;
		struct ctl *c = wx_realloc(F->ctl, cap * sizeof *c);
		if (c == NULL) {
			F->why = "out of memory";
			return NULL;
		}
		F->ctl = c;
		F->capctl = cap;
	}
	struct ctl *c = &F->ctl[F->nctl++];
	memset(c, 0, sizeof *c);
	c->kind = kind;
	c->label = F->nlabels++;
	c->region = c->inner = F->region;
	return c;
}

/*
 * Whether a call to function k polls the interrupt flag on every entry
 * (without fuel): a defined function that may recurse polls on entry,
 * compiled or not (its stub polls, emit_func). A host function does not.
 */
static bool callee_polls(const struct fn *F, uint32_t k)
{
	return !F->opt->fuel && k >= F->m->num_imported_funcs &&
	       F->prof[k].may_recurse;
}

/* Emits "return <the top nr values>;" for the function's results. */
static void emit_return(struct fn *F)
{
	const struct ctl *fc = &F->ctl[0];
	fputs("AOT_OUT; ", F->o);
	if (F->anchor)
		fputs("if (AOT_UNLIKELY(J.serial != 0)) I->sj_pop(I, &J); ",
		      F->o);
	if (F->has_try)
		fputs("I->eh = EHL.up; ", F->o);
	if (fc->nr == 0) {
		fputs("return;\n", F->o);
	} else if (fc->nr == 1) {
		fprintf(F->o, "return %s;\n", top(F, 0));
	} else {
		fprintf(F->o, "{ struct R_%s r_ = {", fc->rt);
		for (uint32_t i = 0; i < fc->nr; i++)
			fprintf(F->o, "%s%s", i ? ", " : "",
			        top(F, fc->nr - 1 - i));
		fputs("}; return r_; }\n", F->o);
	}
}

/* A branch to the label 'depth' levels out: values, then the jump. */
void aot_emit_branch(struct fn *F, uint32_t depth)
{
	struct ctl *c = &F->ctl[F->nctl - 1 - depth];
	if (c->kind == K_FUNC) {
		emit_return(F);
		return;
	}
	uint32_t n = c->kind == K_LOOP ? c->np : c->nr;
	const char *t = c->kind == K_LOOP ? c->pt : c->rt;
	uint32_t from = F->h - n;
	if (from != c->base)
		for (uint32_t i = 0; i < n; i++)
			fprintf(F->o, "%s = %s; ", aot_sv(F, c->base + i, t[i]),
			        aot_sv(F, from + i, t[i]));
	if (c->region != F->region)
		fprintf(F->o, "EHR = %u; ", c->region);
	if (c->kind == K_LOOP && c->call_free)
		fprintf(F->o, "AOT_BACKEDGE_FREE(); goto L%u;\n", c->label);
	else if (c->kind == K_LOOP && !c->polled)
		fprintf(F->o, "AOT_BACKEDGE(); goto L%u;\n", c->label);
	else if (c->kind == K_LOOP)
		fprintf(F->o, "goto L%u; /* polled by a call */\n", c->label);
	else
		fprintf(F->o, "goto L%u;\n", c->label);
}

/* Sets the stack to 'base' plus the values of types 't'. */
void aot_set_stack(struct fn *F, uint32_t base, const char *t, uint32_t n)
{
	if (!grow_stack(F, base + n)) {
		F->why = "out of memory";
		return;
	}
	F->h = base;
	for (uint32_t i = 0; i < n; i++) {
		F->tag[F->h] = TAG_OTHER;
		F->types[F->h++] = t[i];
	}
}

/* Arguments of a call: the top np values, comma-separated. */
static void call_args(struct fn *F, uint32_t np)
{
	for (uint32_t i = 0; i < np; i++)
		fprintf(F->o, ", %s", top(F, np - 1 - i));
}

/* Pops the arguments and pushes the results of a call to type 'ft';
 * 'callexpr' is printed before by the caller. Emits "<lhs> = " pieces. */
static void call_lhs(struct fn *F, const struct wasm_functype *ft,
                     uint32_t *retbase)
{
	*retbase = F->h - ft->nparams;
	if (ft->nresults == 1)
		fprintf(F->o, "%s = ",
		        aot_sv(F, *retbase, aot_tchar(ft->types[ft->nparams])));
	else if (ft->nresults > 1)
		fputs("{ struct R_", F->o);
	if (ft->nresults > 1) {
		char sig[AOT_MAX_RESULTS + 1];
		result_sig(ft, sig);
		fprintf(F->o, "%s r_ = ", sig);
	}
}

static void call_finish(struct fn *F, const struct wasm_functype *ft,
                        uint32_t retbase)
{
	fputs(";", F->o);
	if (ft->nresults > 1) {
		for (uint32_t i = 0; i < ft->nresults; i++)
			fprintf(F->o, " %s = r_.r%u;",
			        aot_sv(F, retbase + i,
			               aot_tchar(ft->types[ft->nparams + i])),
			        i);
		fputs(" }", F->o);
	}
	fputs(" AOT_IN;\n", F->o);
	F->h = retbase;
	for (uint32_t i = 0; i < ft->nresults; i++) {
		if (!grow_stack(F, F->h + 1)) {
			F->why = "out of memory";
			return;
		}
		F->tag[F->h] = TAG_OTHER;
		F->types[F->h++] = aot_tchar(ft->types[ft->nparams + i]);
	}
}

/* call_indirect through table 'tab' with module type 'type'. */
static void emit_call_indirect(struct fn *F, uint32_t type, uint32_t tab)
{
	const struct wasm_functype *ft = &F->m->types[type];
	const char *idx = top(F, 0);
	uint32_t canon = F->m->type_canon[type];
	uint32_t retbase;

	fprintf(F->o,
	        "AOT_OUT; "
	        "{ struct aot_func *f_ = aot_indirect(I, %u, %u, %s);\n"
	        "if (AOT_LIKELY(f_->native_ctx == (void *)I->home)) { ",
	        tab, canon, idx);
	F->h--; /* the index */
	call_lhs(F, ft, &retbase);
	fputs("((", F->o);
	fn_ptr_type(F->o, ft);
	fputs(")f_->native_fn)(I, D - 1", F->o);
	call_args(F, ft->nparams);
	fputs(")", F->o);
	uint32_t h0 = F->h;
	uint32_t np = ft->nparams;
	/* The else branch pops the same arguments: remember their types. */
	char *argt = wx_malloc(np + 1);
	if (argt == NULL) {
		F->why = "out of memory";
		return;
	}
	memcpy(argt, F->types + F->h - np, np);
	call_finish(F, ft, retbase);
	fprintf(F->o, "} else { aot_u64 a_[%u];",
	        np > ft->nresults ? (np ? np : 1)
	                          : (ft->nresults ? ft->nresults : 1));
	for (uint32_t i = 0; i < np; i++) {
		fprintf(F->o, " a_[%u] = ", i);
		aot_to_slot(F->o, argt[i], aot_sv(F, h0 - np + i, argt[i]));
		fputs(";", F->o);
	}
	fputs(" I->call(I, D - 1, f_, a_);", F->o);
	for (uint32_t i = 0; i < ft->nresults; i++) {
		char t = aot_tchar(ft->types[np + i]);
		char src[16];
		snprintf(src, sizeof src, "a_[%u]", i);
		fprintf(F->o, " %s = ", aot_sv(F, retbase + i, t));
		aot_from_slot(F->o, t, src);
		fputs(";", F->o);
	}
	fputs(" } }\n", F->o);
	wx_free(argt);
}

/* A generic instruction: op_<IDENT>(I, operands) by its wasm_ops.def sig. */
static bool emit_numeric(struct fn *F, const char *ident, const char *sig)
{
	const char *colon = strchr(sig, ':');
	uint32_t na = (uint32_t)(colon - sig), nr = (uint32_t)strlen(colon + 1);
	if (nr > 1 || na > 3 || F->h < na)
		return false;
	char args[3][24];
	for (uint32_t i = 0; i < na; i++)
		snprintf(args[i], sizeof args[i], "%s", top(F, na - 1 - i));
	F->h -= na;
	if (nr == 1)
		fprintf(F->o, "%s = ", aot_push(F, colon[1]));
	fprintf(F->o, "op_%s(I", ident);
	for (uint32_t i = 0; i < na; i++)
		fprintf(F->o, ", %s", args[i]);
	fputs(");\n", F->o);
	return true;
}

static const char *const op_ident[] = {
#define WASM_OP(prefix, code, ident, name, imm, sig, align)                    \
	[WASM_OP_##ident] = #ident,
#include "wasm/wasm_ops.def"
#undef WASM_OP
};
static const uint8_t op_prefix[] = {
#define WASM_OP(prefix, code, ident, name, imm, sig, align)                    \
	[WASM_OP_##ident] = prefix,
#include "wasm/wasm_ops.def"
#undef WASM_OP
};

/* A load or store of memory 0 (32-bit) with its memarg. */
static bool emit_memop(struct fn *F, enum wasm_opcode op,
                       const struct wasm_instr_imm *imm, const char *sig)
{
	const struct wasm_module *m = F->m;
	if (imm->mem != 0 || m->nmemories == 0 || m->memories[0].is64 ||
	    imm->value > UINT32_MAX)
		return false;
	const char *colon = strchr(sig, ':');
	if (colon[1] != 0) { /* load: "i:T" */
		const char *a = top(F, 0);
		char addr[24];
		snprintf(addr, sizeof addr, "%s", a);
		F->h--;
		fprintf(F->o, "%s = op_%s(I, M, %s, %" PRIu64 "u);\n",
		        aot_push(F, colon[1]), op_ident[op], addr, imm->value);
	} else { /* store: "iT:" */
		fprintf(F->o, "op_%s(I, M, %s, %s, %" PRIu64 "u);\n",
		        op_ident[op], top(F, 1), top(F, 0), imm->value);
		F->h -= 2;
	}
	return true;
}

/* I->cold(...) for the bulk, table and memory.grow instructions. */
static void emit_cold(struct fn *F, const char *cop, uint32_t na, char res,
                      uint32_t imm0, uint32_t imm1)
{
	char args[3][24] = {"0", "0", "0"};
	for (uint32_t i = 0; i < na; i++)
		snprintf(args[i], sizeof args[i], "(aot_u64)%s",
		         top(F, na - 1 - i));
	F->h -= na;
	if (res != 0) {
		const char *v = aot_push(F, res);
		fprintf(F->o, "%s = (%s)", v, ctype(res));
	}
	fprintf(F->o, "I->cold(I, %s, %s, %s, %s, %u, %u);\n", cop, args[0],
	        args[1], args[2], imm0, imm1);
}

/*
 * An atomic instruction (0xFE) of memory 0 (32-bit): atomic.fence and the
 * loads, stores, read-modify-writes and compare-exchanges as helpers of
 * aot_abi.h, op_<IDENT>(I, M, address, operands..., offset); wait and
 * notify through the runtime (the interpreter's implementation).
 */
static bool emit_atomic(struct fn *F, enum wasm_opcode op,
                        const struct wasm_instr_imm *imm, const char *sig)
{
	const struct wasm_module *m = F->m;
	const char *cop = NULL;

	if (op == WASM_OP_ATOMIC_FENCE) {
		fputs("op_ATOMIC_FENCE(I);\n", F->o);
		return true;
	}
	if (imm->mem != 0 || m->nmemories == 0 || m->memories[0].is64 ||
	    imm->value > UINT32_MAX)
		return false;
	if (op == WASM_OP_MEMORY_ATOMIC_NOTIFY)
		cop = "AOT_COLD_ATOMIC_NOTIFY";
	else if (op == WASM_OP_MEMORY_ATOMIC_WAIT32)
		cop = "AOT_COLD_ATOMIC_WAIT32";
	else if (op == WASM_OP_MEMORY_ATOMIC_WAIT64)
		cop = "AOT_COLD_ATOMIC_WAIT64";
	const char *colon = strchr(sig, ':');
	uint32_t na = (uint32_t)(colon - sig);
	if (na < 1 || na > 3 || F->h < na)
		return false;
	if (cop != NULL) {
		emit_cold(F, cop, na, colon[1], 0, (uint32_t)imm->value);
		return true;
	}
	char args[3][24];
	for (uint32_t i = 0; i < na; i++)
		snprintf(args[i], sizeof args[i], "%s", top(F, na - 1 - i));
	F->h -= na;
	if (colon[1] != 0)
		fprintf(F->o, "%s = ", aot_push(F, colon[1]));
	fprintf(F->o, "op_%s(I, M", op_ident[op]);
	for (uint32_t i = 0; i < na; i++)
		fprintf(F->o, ", %s", args[i]);
	fprintf(F->o, ", %" PRIu64 "u);\n", imm->value);
	return true;
}

static bool table_ok(const struct wasm_module *m, uint32_t t)
{
	return t < m->ntables && !m->tables[t].limits.is64;
}

/* Dead code after br/return/unreachable: skips to the matching else/end.
 * Returns the opcode it stopped at (ELSE or END) or -1 on bad input. */
static int skip_dead(const uint8_t **p, const uint8_t *end)
{
	uint32_t depth = 0;
	while (*p < end) {
		enum wasm_opcode op;
		struct wasm_instr_imm imm;
		const char *why;
		const uint8_t *q = *p;
		if (wasm_read_opcode(&q, end, &op) != 0 ||
		    wasm_read_imm(op, &q, end, &imm, &why) != 0)
			return -1;
		switch (op) {
		case WASM_OP_BLOCK:
		case WASM_OP_LOOP:
		case WASM_OP_IF:
		case WASM_OP_TRY:
		case WASM_OP_TRY_TABLE:
			depth++;
			break;
		case WASM_OP_ELSE:
		case WASM_OP_CATCH:
		case WASM_OP_CATCH_ALL:
			if (depth == 0)
				return (int)op;
			break;
		case WASM_OP_DELEGATE:
			if (depth == 0)
				return (int)op;
			depth--;
			break;
		case WASM_OP_END:
			if (depth == 0)
				return (int)op;
			depth--;
			break;
		default:
			break;
		}
		*p = q;
	}
	return -1;
}

/*
 * Whether the loop body starting at 'p' (just after its 'loop') calls
 * nothing until its 'end': no call of any kind, no cold instruction
 * (runtime helpers), no float rounding (libm). Its compiled form then
 * runs only code of the shared object itself, where an asynchronous
 * interrupt can stop it (aot_run.c).
 */
static bool loop_is_call_free(const uint8_t *p, const uint8_t *end)
{
	uint32_t depth = 0;
	while (p < end) {
		enum wasm_opcode op;
		struct wasm_instr_imm imm;
		const char *why;
		if (wasm_read_opcode(&p, end, &op) != 0 ||
		    wasm_read_imm(op, &p, end, &imm, &why) != 0)
			return false;
		switch (op) {
		case WASM_OP_BLOCK:
		case WASM_OP_LOOP:
		case WASM_OP_IF:
		case WASM_OP_TRY:
		case WASM_OP_TRY_TABLE:
			depth++;
			break;
		case WASM_OP_END:
			if (depth == 0)
				return true;
			depth--;
			break;
		case WASM_OP_CALL:
		case WASM_OP_CALL_INDIRECT:
		case WASM_OP_RETURN_CALL:
		case WASM_OP_RETURN_CALL_INDIRECT:
		case WASM_OP_CALL_REF:
		case WASM_OP_RETURN_CALL_REF:
		case WASM_OP_MEMORY_GROW:
		case WASM_OP_MEMORY_FILL:
		case WASM_OP_MEMORY_COPY:
		case WASM_OP_MEMORY_INIT:
		case WASM_OP_DATA_DROP:
		case WASM_OP_TABLE_GET:
		case WASM_OP_TABLE_SET:
		case WASM_OP_TABLE_SIZE:
		case WASM_OP_TABLE_GROW:
		case WASM_OP_TABLE_FILL:
		case WASM_OP_TABLE_INIT:
		case WASM_OP_TABLE_COPY:
		case WASM_OP_ELEM_DROP:
		case WASM_OP_F32_CEIL:
		case WASM_OP_F32_FLOOR:
		case WASM_OP_F32_TRUNC:
		case WASM_OP_F32_NEAREST:
		case WASM_OP_F64_CEIL:
		case WASM_OP_F64_FLOOR:
		case WASM_OP_F64_TRUNC:
		case WASM_OP_F64_NEAREST:
		case WASM_OP_THROW:
		case WASM_OP_THROW_REF:
		case WASM_OP_RETHROW:
			return false;
		default:
			/* Atomics and SIMD may call helpers: not call-free. */
			if (op_prefix[op] == 0xFD || op_prefix[op] == 0xFE)
				return false;
			break;
		}
	}
	return false;
}

/* Handles structured control; returns false if 'op' is not one. */
static bool emit_control(struct fn *F, enum wasm_opcode op,
                         const struct wasm_instr_imm *imm, const uint8_t *end,
                         bool *dead)
{
	struct ctl *c;
	switch (op) {
	case WASM_OP_BLOCK:
	case WASM_OP_LOOP:
		c = aot_push_ctl(F, op == WASM_OP_BLOCK ? K_BLOCK : K_LOOP);
		if (c == NULL)
			return true;
		if (!aot_blocktype(F, imm, c)) {
			F->why = "a block type with v128 values";
			return true;
		}
		c->base = F->h - c->np;
		if (op == WASM_OP_LOOP) {
			c->call_free =
			    !F->opt->fuel && loop_is_call_free(F->pc, end);
			fprintf(F->o, "L%u:;\n", c->label);
		}
		return true;
	case WASM_OP_IF: {
		const char *cond = top(F, 0);
		char cv[24];
		snprintf(cv, sizeof cv, "%s", cond);
		F->h--;
		c = aot_push_ctl(F, K_IF);
		if (c == NULL)
			return true;
		if (!aot_blocktype(F, imm, c)) {
			F->why = "a block type with v128 values";
			return true;
		}
		c->base = F->h - c->np;
		fprintf(F->o, "if (!%s) goto E%u;\n", cv, c->label);
		return true;
	}
	case WASM_OP_ELSE:
		c = &F->ctl[F->nctl - 1];
		if (!*dead)
			aot_emit_branch(F, 0);
		fprintf(F->o, "E%u:;\n", c->label);
		c->has_else = true;
		aot_set_stack(F, c->base, c->pt, c->np);
		*dead = false;
		return true;
	case WASM_OP_END:
		c = &F->ctl[F->nctl - 1];
		if (c->kind == K_FUNC) {
			if (!*dead)
				emit_return(F);
			else
				fputs("__builtin_unreachable();\n", F->o);
			F->nctl--;
			return true;
		}
		if (c->kind == K_IF && !c->has_else)
			fprintf(F->o, "E%u:;\n", c->label);
		if (c->kind != K_LOOP)
			fprintf(F->o, "L%u:;\n", c->label);
		if (c->legacy && c->ncatch != UINT32_MAX) {
			/* The last catch did not match (or none): go on out. */
			fprintf(F->eh, "R%u_%u:; goto R%u;\n", c->label,
			        c->ncatch, c->region);
		}
		if (c->is_try) {
			F->region = c->region;
			fprintf(F->o, "EHR = %u;\n", c->region);
		}
		aot_set_stack(F, c->base, c->rt, c->nr);
		F->nctl--;
		*dead = false;
		return true;
	case WASM_OP_BR:
		aot_emit_branch(F, imm->x);
		*dead = true;
		return true;
	case WASM_OP_BR_IF: {
		char cv[24];
		snprintf(cv, sizeof cv, "%s", top(F, 0));
		F->h--;
		fprintf(F->o, "if (%s) { ", cv);
		aot_emit_branch(F, imm->x);
		fputs("}\n", F->o);
		return true;
	}
	case WASM_OP_BR_TABLE: {
		char cv[24];
		snprintf(cv, sizeof cv, "%s", top(F, 0));
		F->h--;
		fprintf(F->o, "switch (%s) {\n", cv);
		const uint8_t *v = imm->vec;
		for (uint32_t i = 0; i < imm->nvec; i++) {
			uint32_t l = 0;
			leb_read_u32(&v, end, &l);
			fprintf(F->o, "case %u: ", i);
			aot_emit_branch(F, l);
		}
		fputs("default: ", F->o);
		aot_emit_branch(F, imm->x);
		fputs("}\n", F->o);
		*dead = true;
		return true;
	}
	case WASM_OP_RETURN:
		emit_return(F);
		*dead = true;
		return true;
	case WASM_OP_UNREACHABLE:
		fputs("aot_trap(I, AOT_TRAP_UNREACHABLE, 0);\n", F->o);
		*dead = true;
		return true;
	case WASM_OP_TRY_TABLE:
		aot_emit_try_table(F, imm, end);
		return true;
	case WASM_OP_THROW: {
		const struct wasm_functype *tt =
		    &F->m->types[F->m->tags[imm->x]];
		uint32_t n = tt->nparams;
		fprintf(F->o, "{ aot_u64 a_[%u]; ", n ? n : 1);
		for (uint32_t i = 0; i < n; i++) {
			fprintf(F->o, "a_[%u] = ", i);
			aot_to_slot(F->o, aot_tchar(tt->types[i]),
			            top(F, n - 1 - i));
			fputs("; ", F->o);
		}
		fprintf(F->o,
		        "AOT_OUT; I->throw_(I, %u, a_); "
		        "__builtin_unreachable(); }\n",
		        imm->x);
		F->h -= n;
		*dead = true;
		return true;
	}
	case WASM_OP_THROW_REF:
		fprintf(F->o,
		        "AOT_OUT; I->throw_ref(I, %s); "
		        "__builtin_unreachable();\n",
		        top(F, 0));
		F->h--;
		*dead = true;
		return true;
	default:
		return false;
	}
}

/* Handles variables, calls, references, tables and bulk memory. */
static bool emit_other(struct fn *F, enum wasm_opcode op,
                       const struct wasm_instr_imm *imm)
{
	const struct wasm_module *m = F->m;
	char t;
	switch (op) {
	case WASM_OP_NOP:
		return true;
	case WASM_OP_DROP:
		F->h--;
		return true;
	case WASM_OP_SELECT:
	case WASM_OP_SELECT_T: {
		char a[24], b[24], cnd[24];
		t = F->types[F->h - 3];
		snprintf(a, sizeof a, "%s", top(F, 2));
		snprintf(b, sizeof b, "%s", top(F, 1));
		snprintf(cnd, sizeof cnd, "%s", top(F, 0));
		F->h -= 3;
		fprintf(F->o, "%s = %s ? %s : %s;\n", aot_push(F, t), cnd, a,
		        b);
		return true;
	}
	case WASM_OP_LOCAL_GET:
		t = F->ltypes[imm->x];
		fprintf(F->o, "%s = l%u;\n", aot_push(F, t), imm->x);
		if (imm->x == 0)
			F->tag[F->h - 1] = TAG_LOCAL0;
		return true;
	case WASM_OP_LOCAL_SET:
		fprintf(F->o, "l%u = %s;\n", imm->x, top(F, 0));
		F->h--;
		return true;
	case WASM_OP_LOCAL_TEE:
		fprintf(F->o, "l%u = %s;\n", imm->x, top(F, 0));
		return true;
	case WASM_OP_GLOBAL_GET: {
		t = aot_tchar(m->globals[imm->x].type.valtype);
		char src[40];
		snprintf(src, sizeof src, "(*I->g[%u])", imm->x);
		fprintf(F->o, "%s = ", aot_push(F, t));
		aot_from_slot(F->o, t, src);
		fputs(";\n", F->o);
		return true;
	}
	case WASM_OP_GLOBAL_SET:
		t = F->types[F->h - 1];
		fprintf(F->o, "*I->g[%u] = ", imm->x);
		aot_to_slot(F->o, t, top(F, 0));
		fputs(";\n", F->o);
		F->h--;
		return true;
	case WASM_OP_I32_CONST:
		fprintf(F->o, "%s = 0x%xu;\n", aot_push(F, 'i'),
		        (uint32_t)imm->value);
		F->tag[F->h - 1] = TAG_CONST;
		return true;
	case WASM_OP_I64_CONST:
		fprintf(F->o, "%s = 0x%" PRIx64 "ull;\n", aot_push(F, 'l'),
		        imm->value);
		return true;
	case WASM_OP_F32_CONST:
		fprintf(F->o, "%s = aot_f32_of(0x%xu);\n", aot_push(F, 'f'),
		        (uint32_t)imm->value);
		return true;
	case WASM_OP_F64_CONST:
		fprintf(F->o, "%s = aot_f64_of(0x%" PRIx64 "ull);\n",
		        aot_push(F, 'd'), imm->value);
		return true;
	case WASM_OP_CALL: {
		const struct wasm_functype *ft = wasm_func_type(m, imm->x);
		uint32_t retbase;
		if (F->sj != NULL && F->sj[imm->x]) {
			aot_emit_sj_call(F, imm->x);
			return true;
		}
		fputs("AOT_OUT; ", F->o);
		if (callee_polls(F, imm->x))
			F->ctl[F->nctl - 1].polled =
			    F->ctl[F->nctl - 1].kind == K_LOOP;
		call_lhs(F, ft, &retbase);
		fprintf(F->o, "f%u(I, D - 1", imm->x);
		call_args(F, ft->nparams);
		fputs(")", F->o);
		call_finish(F, ft, retbase);
		return true;
	}
	case WASM_OP_CALL_INDIRECT:
		if (!table_ok(m, imm->y))
			return false;
		emit_call_indirect(F, imm->x, imm->y);
		return true;
	case WASM_OP_REF_NULL:
		fprintf(F->o, "%s = 0;\n", aot_push(F, 'r'));
		return true;
	case WASM_OP_REF_IS_NULL: {
		char a[24];
		snprintf(a, sizeof a, "%s", top(F, 0));
		F->h--;
		fprintf(F->o, "%s = %s == 0;\n", aot_push(F, 'i'), a);
		return true;
	}
	case WASM_OP_REF_FUNC:
		fprintf(F->o, "%s = (aot_u64)(__UINTPTR_TYPE__)I->funcs[%u];\n",
		        aot_push(F, 'r'), imm->x);
		return true;
	case WASM_OP_MEMORY_SIZE:
		if (imm->mem != 0 || m->memories[0].is64)
			return false;
		fprintf(F->o, "%s = (aot_u32)(AOT_MEM_SIZE(I) >> 16);\n",
		        aot_push(F, 'i'));
		return true;
	case WASM_OP_MEMORY_GROW:
		if (imm->mem != 0 || m->memories[0].is64)
			return false;
		emit_cold(F, "AOT_COLD_MEMORY_GROW", 1, 'i', 0, 0);
		return true;
	case WASM_OP_MEMORY_FILL:
		if (m->memories[imm->mem].is64)
			return false;
		emit_cold(F, "AOT_COLD_MEMORY_FILL", 3, 0, imm->mem, 0);
		return true;
	case WASM_OP_MEMORY_COPY:
		if (m->memories[imm->x].is64 || m->memories[imm->y].is64)
			return false;
		emit_cold(F, "AOT_COLD_MEMORY_COPY", 3, 0, imm->x, imm->y);
		return true;
	case WASM_OP_MEMORY_INIT:
		if (m->memories[imm->mem].is64)
			return false;
		emit_cold(F, "AOT_COLD_MEMORY_INIT", 3, 0, imm->x, imm->mem);
		return true;
	case WASM_OP_DATA_DROP:
		emit_cold(F, "AOT_COLD_DATA_DROP", 0, 0, imm->x, 0);
		return true;
	case WASM_OP_TABLE_GET:
		if (!table_ok(m, imm->x))
			return false;
		emit_cold(F, "AOT_COLD_TABLE_GET", 1, 'r', imm->x, 0);
		return true;
	case WASM_OP_TABLE_SET:
		if (!table_ok(m, imm->x))
			return false;
		emit_cold(F, "AOT_COLD_TABLE_SET", 2, 0, imm->x, 0);
		return true;
	case WASM_OP_TABLE_SIZE:
		if (!table_ok(m, imm->x))
			return false;
		emit_cold(F, "AOT_COLD_TABLE_SIZE", 0, 'i', imm->x, 0);
		return true;
	case WASM_OP_TABLE_GROW:
		if (!table_ok(m, imm->x))
			return false;
		emit_cold(F, "AOT_COLD_TABLE_GROW", 2, 'i', imm->x, 0);
		return true;
	case WASM_OP_TABLE_FILL:
		if (!table_ok(m, imm->x))
			return false;
		emit_cold(F, "AOT_COLD_TABLE_FILL", 3, 0, imm->x, 0);
		return true;
	case WASM_OP_TABLE_INIT:
		if (!table_ok(m, imm->y))
			return false;
		emit_cold(F, "AOT_COLD_TABLE_INIT", 3, 0, imm->x, imm->y);
		return true;
	case WASM_OP_TABLE_COPY:
		if (!table_ok(m, imm->x) || !table_ok(m, imm->y))
			return false;
		emit_cold(F, "AOT_COLD_TABLE_COPY", 3, 0, imm->x, imm->y);
		return true;
	case WASM_OP_ELEM_DROP:
		emit_cold(F, "AOT_COLD_ELEM_DROP", 0, 0, imm->x, 0);
		return true;
	default:
		return false;
	}
}

/* Emits the body of defined function k into F->o; F->why on failure. */
void aot_emit_body(struct fn *F, uint32_t k)
{
	const struct wasm_module *m = F->m;
	const struct wasm_func *wf = &m->funcs[k];
	const struct wasm_functype *ft = &m->types[wf->type];
	const uint8_t *p = wf->code, *end = wf->code + wf->code_len;
	bool dead = false;

	F->nlocals = ft->nparams + wf->nlocals;
	F->ltypes = wx_malloc(F->nlocals + 1);
	if (F->ltypes == NULL) {
		F->why = "out of memory";
		return;
	}
	for (uint32_t i = 0; i < F->nlocals; i++) {
		uint32_t vt = i < ft->nparams
		                  ? ft->types[i]
		                  : wf->local_types[i - ft->nparams];
		if ((F->ltypes[i] = aot_tchar(vt)) == 0) {
			F->why = "a v128 local";
			return;
		}
	}
	struct ctl *fc = aot_push_ctl(F, K_FUNC);
	if (fc == NULL)
		return;
	fc->nr = ft->nresults;
	for (uint32_t i = 0; i < ft->nresults; i++)
		fc->rt[i] = aot_tchar(ft->types[ft->nparams + i]);
	fc->rt[fc->nr] = 0;

	while (p < end && F->nctl > 0 && F->why == NULL) {
		enum wasm_opcode op;
		struct wasm_instr_imm imm;
		const char *why;
		if (dead) {
			int r = skip_dead(&p, end);
			if (r < 0) {
				F->why = "dead code it cannot skip";
				return;
			}
		}
		if (wasm_read_opcode(&p, end, &op) != 0 ||
		    wasm_read_imm(op, &p, end, &imm, &why) != 0) {
			F->why = "malformed code";
			return;
		}
		F->pc = p;
		if (emit_control(F, op, &imm, end, &dead))
			continue;
		if (aot_emit_legacy(F, op, &imm, &dead))
			continue;
		if (emit_other(F, op, &imm))
			continue;
		const char *sig = wasm_op_sig(op);
		if (op_prefix[op] == 0xFE && emit_atomic(F, op, &imm, sig))
			continue;
		if (op_prefix[op] != 0xFD && op_prefix[op] != 0xFE &&
		    strcmp(sig, "*") != 0) {
			if (wasm_op_imm(op) == WASM_IMM_MEMARG &&
			    emit_memop(F, op, &imm, sig))
				continue;
			if (wasm_op_imm(op) == WASM_IMM_NONE &&
			    emit_numeric(F, op_ident[op], sig))
				continue;
		}
		F->why = wasm_op_name(op);
	}
}

/* Slots of locals and operands above which a function checks the C
 * stack even when it calls nothing. */
#define AOT_SMALL_FRAME 512

/* Scans the defined functions' calls (for the prologues). */
static int profile_funcs(const struct wasm_module *m, struct prof *pr)
{
	uint8_t *direct_nonleaf = wx_calloc(m->nfuncs + 1, 1);
	if (direct_nonleaf == NULL)
		return WX_ENOMEM;
	for (uint32_t k = m->num_imported_funcs; k < m->nfuncs; k++) {
		const struct wasm_func *wf = &m->funcs[k];
		const uint8_t *p = wf->code, *end = wf->code + wf->code_len;
		while (p < end) {
			enum wasm_opcode op;
			struct wasm_instr_imm imm;
			const char *why;
			if (wasm_read_opcode(&p, end, &op) != 0 ||
			    wasm_read_imm(op, &p, end, &imm, &why) != 0) {
				pr[k].calls = pr[k].may_recurse = true;
				break;
			}
			if (op == WASM_OP_CALL || op == WASM_OP_RETURN_CALL) {
				pr[k].calls = true;
				if (imm.x >= m->num_imported_funcs)
					direct_nonleaf[k] =
					    1; /* decided below */
			} else if (op == WASM_OP_CALL_INDIRECT ||
			           op == WASM_OP_RETURN_CALL_INDIRECT ||
			           op == WASM_OP_CALL_REF ||
			           op == WASM_OP_RETURN_CALL_REF) {
				pr[k].calls = pr[k].may_recurse = true;
			}
		}
	}
	/* may_recurse: calls a defined function that itself calls. Every
	 * function on a cycle of calls calls another on it, which calls. */
	for (uint32_t k = m->num_imported_funcs; k < m->nfuncs; k++) {
		if (!direct_nonleaf[k] || pr[k].may_recurse)
			continue;
		const struct wasm_func *wf = &m->funcs[k];
		const uint8_t *p = wf->code, *end = wf->code + wf->code_len;
		while (p < end && !pr[k].may_recurse) {
			enum wasm_opcode op;
			struct wasm_instr_imm imm;
			const char *why;
			if (wasm_read_opcode(&p, end, &op) != 0 ||
			    wasm_read_imm(op, &p, end, &imm, &why) != 0)
				break;
			if ((op == WASM_OP_CALL || op == WASM_OP_RETURN_CALL) &&
			    imm.x >= m->num_imported_funcs && pr[imm.x].calls)
				pr[k].may_recurse = true;
		}
	}
	wx_free(direct_nonleaf);
	return WX_OK;
}

void aot_free_fn(struct fn *F)
{
	wx_free(F->types);
	wx_free(F->used);
	wx_free(F->tag);
	wx_free(F->ctl);
	wx_free(F->ltypes);
	wx_free(F->site_nv);
}

/* Compiles function k (defined) or writes a stub for it. */
static int emit_func(FILE *out, const struct wasm_module *m,
                     const struct aot_options *opt, uint32_t k,
                     const struct prof *prof /* all functions' */,
                     const uint8_t *sj, bool *ok)
{
	const struct wasm_functype *ft = wasm_func_type(m, k);
	struct fn F = {.m = m, .opt = opt, .prof = prof, .self = k, .sj = sj};
	char *body = NULL;
	size_t blen = 0;

	char *ehcode = NULL;
	size_t ehlen = 0;

	*ok = false;
	if (k >= m->num_imported_funcs) {
		F.anchor = aot_calls_sj(m, k, sj);
		F.has_try = aot_has_try_table(&m->funcs[k]);
		F.o = open_memstream(&body, &blen);
		if (F.o == NULL)
			return WX_ENOMEM;
		F.eh = open_memstream(&ehcode, &ehlen);
		if (F.eh == NULL) {
			fclose(F.o);
			wx_free(body);
			return WX_ENOMEM;
		}
		aot_emit_body(&F, k);
		fclose(F.o);
		fclose(F.eh);
		if (F.why == NULL && sj != NULL && sj[k])
			F.why = "a setjmp function (forwards its buffer to "
			        "stack_checkpoint)";
	}
	if (k >= m->num_imported_funcs && F.why == NULL) {
		*ok = true;
		fn_head(out, ft, k);
		fputs("\n{\n\taot_u8 *const M = I->mem;\n\t(void)M;\n", out);
		for (uint32_t i = ft->nparams; i < F.nlocals; i++)
			fprintf(out, "\t%s l%u = 0;\n", ctype(F.ltypes[i]), i);
		for (uint32_t h = 0; h < F.cap; h++)
			for (const char *t = "ilfdr"; *t; t++)
				if (F.used[h] & tbit(*t))
					fprintf(out, "\t%s s%u%c;\n", ctype(*t),
					        h, *t);
		if (F.anchor) {
			fprintf(out, "\tsigjmp_buf JB[%u];\n",
			        F.nsites ? F.nsites : 1);
			for (uint32_t i = 0; i < F.nsites; i++)
				fprintf(out, "\tvolatile aot_u64 JV%u[%u];\n",
				        i, F.site_nv[i] ? F.site_nv[i] : 1);
			fprintf(out, "\tstruct aot_sj J = {0, 0, %u, JB};\n",
			        F.nsites);
		}
		fputs("\tAOT_DEPTH(D);\n", out);
		if (prof[k].calls || F.nlocals + F.cap > AOT_SMALL_FRAME)
			fputs("\tAOT_STACK();\n", out);
		fputs("\tAOT_POLL_INIT();\n", out);
		if (opt->fuel || prof[k].may_recurse)
			fputs("\tAOT_POLL_IF_DUE();\n", out);
		if (F.has_try)
			fputs("\tstruct aot_landing EHL;\n"
			      "\tvolatile aot_u32 EHR = 0;\n"
			      "\taot_u64 EHX;\n"
			      "\tEHL.up = (struct aot_landing *)I->eh;\n"
			      "\tEHL.jump = aot_eh_jump;\n"
			      "\tI->eh = &EHL;\n"
			      "\tif (__builtin_setjmp(EHL.jb)) goto EH;\n",
			      out);
		fwrite(body, 1, blen, out);
		if (F.has_try) {
			/* The landing: back in this function (the landing
			 * is armed again), the region's clauses decide. */
			fputs("EH:;\n\tAOT_IN;\n\tEHX = I->exn;\n"
			      "\tI->eh = &EHL;\n\tswitch (EHR) {\n",
			      out);
			for (uint32_t r = 1; r <= F.nregions; r++)
				fprintf(out, "\tcase %u: goto R%u;\n", r, r);
			fputs("\tdefault: goto R0;\n\t}\n", out);
			fwrite(ehcode, 1, ehlen, out);
			fputs("R0:;\n\tI->eh = EHL.up;\n\tAOT_OUT;\n"
			      "\tI->throw_ref(I, EHX);\n"
			      "\t__builtin_unreachable();\n",
			      out);
		}
		fputs("}\n", out);
	} else {
		/* A stub: the runtime calls it (host, interpreter, other
		 * instance). */
		if (k >= m->num_imported_funcs && opt->verbose)
			fprintf(stderr,
			        "wasmix: aot: function %u stays interpreted: "
			        "%s\n",
			        k, F.why);
		uint32_t np = ft->nparams, nr = ft->nresults;
		fn_head(out, ft, k);
		fprintf(out, "\n{\n\taot_u64 a_[%u];\n",
		        np > nr ? (np ? np : 1) : (nr ? nr : 1));
		/* An interpreted function that may recurse polls here, as
		 * its compiled form would (callee_polls). */
		if (k >= m->num_imported_funcs && prof[k].may_recurse)
			fputs("#if !AOT_FUEL\n\tAOT_POLL_INIT();\n"
			      "\tAOT_POLL_IF_DUE();\n#endif\n",
			      out);
		for (uint32_t i = 0; i < np; i++) {
			char v[16];
			snprintf(v, sizeof v, "l%u", i);
			fprintf(out, "\ta_[%u] = ", i);
			aot_to_slot(out, aot_tchar(ft->types[i]), v);
			fputs(";\n", out);
		}
		fprintf(out, "\tI->call(I, D, I->funcs[%u], a_);\n", k);
		if (nr == 1) {
			fputs("\treturn ", out);
			aot_from_slot(out, aot_tchar(ft->types[np]), "a_[0]");
			fputs(";\n", out);
		} else if (nr > 1) {
			char sig[AOT_MAX_RESULTS + 1];
			result_sig(ft, sig);
			fprintf(out, "\tstruct R_%s r_;\n", sig);
			for (uint32_t i = 0; i < nr; i++) {
				char v[16];
				snprintf(v, sizeof v, "a_[%u]", i);
				fprintf(out, "\tr_.r%u = ", i);
				aot_from_slot(out, aot_tchar(ft->types[np + i]),
				              v);
				fputs(";\n", out);
			}
			fputs("\treturn r_;\n", out);
		}
		fputs("}\n", out);
	}
	wx_free(body);
	wx_free(ehcode);
	aot_free_fn(&F);
	return WX_OK;
}

/* The slot entry e<k> of a compiled function. */
static void emit_entry(FILE *out, const struct wasm_module *m, uint32_t k)
{
	const struct wasm_functype *ft = wasm_func_type(m, k);
	uint32_t np = ft->nparams, nr = ft->nresults;

	fprintf(out,
	        "AOT_FN void e%u(struct aot_inst *I, aot_u32 D, aot_u64 *s)\n"
	        "{\n\t",
	        k);
	if (nr != 0) {
		ret_type(out, ft);
		fputs(" r = ", out);
	}
	fprintf(out, "f%u(I, D", k);
	for (uint32_t i = 0; i < np; i++) {
		char v[16];
		snprintf(v, sizeof v, "s[%u]", i);
		fputs(", ", out);
		aot_from_slot(out, aot_tchar(ft->types[i]), v);
	}
	fputs(");\n", out);
	if (nr == 1) {
		fputs("\ts[0] = ", out);
		aot_to_slot(out, aot_tchar(ft->types[np]), "r");
		fputs(";\n", out);
	}
	for (uint32_t i = 0; nr > 1 && i < nr; i++) {
		char v[16];
		snprintf(v, sizeof v, "r.r%u", i);
		fprintf(out, "\ts[%u] = ", i);
		aot_to_slot(out, aot_tchar(ft->types[np + i]), v);
		fputs(";\n", out);
	}
	fputs("}\n", out);
}

uint32_t aot_emit_nparts(const struct wasm_module *m, uint64_t split_bytes)
{
	uint64_t code = 0;
	for (uint32_t k = m->num_imported_funcs; k < m->nfuncs; k++)
		code += m->funcs[k].code_len;
	if (split_bytes == 0 || code <= split_bytes)
		return 1;
	uint64_t n = (code + split_bytes - 1) / split_bytes;
	return n > AOT_MAX_PARTS ? AOT_MAX_PARTS : (uint32_t)n;
}

/*
 * The part of each function: contiguous runs of function indices of about
 * equal code size (the functions of one source file tend to be neighbours,
 * so calls within a part stay inlinable). Imports go with their index.
 */
static void assign_parts(const struct wasm_module *m, uint32_t nparts,
                         uint32_t *part)
{
	uint64_t total = 0, done = 0;
	for (uint32_t k = m->num_imported_funcs; k < m->nfuncs; k++)
		total += m->funcs[k].code_len;
	for (uint32_t k = 0; k < m->nfuncs; k++) {
		uint64_t p = total == 0 ? 0 : done * nparts / total;
		part[k] = p >= nparts ? nparts - 1 : (uint32_t)p;
		if (k >= m->num_imported_funcs)
			done += m->funcs[k].code_len;
	}
}

/* What every part starts with: the settings, the ABI header, the result
 * structs and a declaration of every function. */
static void emit_preamble(FILE *out, const struct wasm_module *m,
                          const struct aot_options *opt, bool split)
{
	fprintf(
	    out,
	    "/* generated by wasmix (compiled tier) */\n"
	    "#define AOT_GENERATED 1\n#define AOT_CHECKED %d\n"
	    "#define AOT_FUEL %d\n#define AOT_SHARED %d\n#define AOT_FN %s\n",
	    opt->checked ? 1 : 0, opt->fuel ? 1 : 0,
	    m->nmemories != 0 && m->memories[0].shared ? 1 : 0,
	    split ? "__attribute__((visibility(\"hidden\")))" : "static");
	fputs(abi_text, out);
	/* Result structs, one per distinct result signature. */
	for (uint32_t i = 0; i < m->ntypes; i++) {
		const struct wasm_functype *ft = &m->types[i];
		char sig[AOT_MAX_RESULTS + 1];
		bool seen = false;
		if (ft->nresults < 2)
			continue;
		result_sig(ft, sig);
		for (uint32_t j = 0; j < i && !seen; j++) {
			char s2[AOT_MAX_RESULTS + 1];
			if (m->types[j].nresults < 2)
				continue;
			result_sig(&m->types[j], s2);
			seen = strcmp(sig, s2) == 0;
		}
		if (seen)
			continue;
		fprintf(out, "struct R_%s {", sig);
		for (uint32_t k = 0; k < ft->nresults; k++)
			fprintf(out, " %s r%u;", ctype(sig[k]), k);
		fputs(" };\n", out);
	}
	for (uint32_t k = 0; k < m->nfuncs; k++) {
		fn_head(out, wasm_func_type(m, k), k);
		fputs(";\n", out);
	}
}

/* The module's tables and wasmix_aot_module (in part 0). */
static void emit_tables(FILE *out, const struct wasm_module *m,
                        const struct aot_options *opt, const uint8_t *ok,
                        const uint32_t *part)
{
	for (uint32_t k = 0; k < m->nfuncs; k++)
		if (ok[k] && part[k] != 0)
			fprintf(out,
			        "AOT_FN void e%u(struct aot_inst *, aot_u32, "
			        "aot_u64 *);\n",
			        k);
	fputs("static void *const fns[] = {", out);
	for (uint32_t k = 0; k < m->nfuncs; k++) {
		if (ok[k])
			fprintf(out, "%s(void *)f%u,", k % 8 ? " " : "\n", k);
		else
			fprintf(out, "%s0,", k % 8 ? " " : "\n");
	}
	fputs("0};\nstatic void (*const entries[])(struct aot_inst *, "
	      "aot_u32, aot_u64 *) = {",
	      out);
	for (uint32_t k = 0; k < m->nfuncs; k++) {
		if (ok[k])
			fprintf(out, "%se%u,", k % 8 ? " " : "\n", k);
		else
			fprintf(out, "%s0,", k % 8 ? " " : "\n");
	}
	fprintf(out,
	        "0};\n__attribute__((visibility(\"default\"))) const struct "
	        "aot_module_desc wasmix_aot_module = {%d, %u, %u, fns, "
	        "entries};\n",
	        AOT_ABI_VERSION,
	        (opt->checked ? AOT_DESC_CHECKED : 0) |
	            (opt->fuel ? AOT_DESC_FUEL : 0),
	        m->nfuncs);
}

int aot_emit_c_parts(const struct wasm_module *m, const struct aot_options *opt,
                     uint32_t nparts, FILE *const *out, uint32_t *ncompiled,
                     struct diag *diag)
{
	const char *why = aot_module_unsupported(m);
	uint8_t *ok = NULL, *sj = NULL;
	uint32_t *part = NULL;
	struct prof *prof = NULL;
	int rc = WX_OK;

	*ncompiled = 0;
	if (why != NULL)
		return diag_set(diag, WX_EARG, "cannot compile: %s", why);
	if (nparts == 0 || nparts > AOT_MAX_PARTS)
		return diag_set(diag, WX_EARG, "bad number of C files %u",
		                nparts);
	ok = wx_calloc(m->nfuncs + 1, 1);
	part = wx_calloc(m->nfuncs + 1, sizeof *part);
	prof = wx_calloc(m->nfuncs + 1, sizeof *prof);
	if (ok == NULL || part == NULL || prof == NULL ||
	    profile_funcs(m, prof) != WX_OK ||
	    aot_sj_funcs(m, opt, prof, &sj) != WX_OK) {
		rc = diag_set(diag, WX_ENOMEM, "out of memory");
		goto out;
	}
	assign_parts(m, nparts, part);
	for (uint32_t p = 0; p < nparts; p++)
		emit_preamble(out[p], m, opt, nparts > 1);
	for (uint32_t k = 0; k < m->nfuncs; k++) {
		bool fok;
		rc = emit_func(out[part[k]], m, opt, k, prof, sj, &fok);
		if (rc != WX_OK) {
			diag_set(diag, rc, "out of memory");
			goto out;
		}
		ok[k] = fok;
		if (fok) {
			emit_entry(out[part[k]], m, k);
			(*ncompiled)++;
		}
	}
	emit_tables(out[0], m, opt, ok, part);
	for (uint32_t p = 0; p < nparts; p++)
		if (ferror(out[p]))
			rc =
			    diag_set(diag, WX_EIO, "cannot write the C source");
out:
	wx_free(ok);
	wx_free(sj);
	wx_free(part);
	wx_free(prof);
	return rc;
}

int aot_emit_c(const struct wasm_module *m, const struct aot_options *opt,
               FILE *out, uint32_t *ncompiled, struct diag *diag)
{
	return aot_emit_c_parts(m, opt, 1, &out, ncompiled, diag);
}
