/*
 * aot_emit_eh.c: exception handling in the emitted C (docs/aot.md,
 * "Exceptions"), a part of the emitter (aot_emit.c is the core).
 *
 * A function with a try_table or a try arms a landing in its prologue;
 * the region in force (EHR) says which clauses the landing tries. Each
 * try_table's clauses, and each legacy try's chain of catches, are
 * written to the function's dispatch code (F->eh), emitted after its body.
 *
 * Keeps true: reads only the validated module; the output depends only on
 * the module and the options (it is the cache's content).
 */
#include <inttypes.h>
#include <stdio.h>

#include "aot/aot_emit_impl.h"

/*
 * One catch clause of try_table region F->region, into the dispatch code
 * (F->eh): if the exception EHX matches, its payload (and exnref) go to
 * the target label's heights and the code branches there.
 */
static void emit_catch(struct fn *F, const struct wasm_catch *cc,
                       const struct ctl *c)
{
	FILE *o = F->eh;
	bool all = cc->kind == WASM_CATCH_ALL || cc->kind == WASM_CATCH_ALL_REF;
	bool ref = cc->kind == WASM_CATCH_REF || cc->kind == WASM_CATCH_ALL_REF;
	const char *t = c->kind == K_LOOP ? c->pt : c->rt;
	uint32_t n = 0;

	if (all) {
		fputs("\t{ ", o);
	} else {
		const struct wasm_functype *tt =
		    &F->m->types[F->m->tags[cc->tag]];
		n = tt->nparams;
		fprintf(
		    o,
		    "\t{ const aot_u64 *v_ = 0; if (I->exn_tag(I, EHX, &v_) "
		    "== I->tags[%u]) { ",
		    cc->tag);
		for (uint32_t i = 0; i < n; i++) {
			char v[16];
			snprintf(v, sizeof v, "v_[%u]", i);
			fprintf(o, "%s = ", aot_sv(F, c->base + i, t[i]));
			aot_from_slot(o, t[i], v);
			fputs("; ", o);
		}
	}
	if (ref)
		fprintf(o, "%s = EHX; ", aot_sv(F, c->base + n, t[n]));
	if (c->kind == K_FUNC) {
		const struct ctl *fc = &F->ctl[0];
		fputs("AOT_OUT; I->eh = EHL.up; ", o);
		if (fc->nr == 0) {
			fputs("return; ", o);
		} else if (fc->nr == 1) {
			fprintf(o, "return %s; ", aot_sv(F, c->base, t[0]));
		} else {
			fprintf(o, "{ struct R_%s r_ = {", fc->rt);
			for (uint32_t i = 0; i < fc->nr; i++)
				fprintf(o, "%s%s", i ? ", " : "",
				        aot_sv(F, c->base + i, t[i]));
			fputs("}; return r_; } ", o);
		}
	} else {
		fprintf(o, "EHR = %u; goto L%u; ", c->region, c->label);
	}
	fputs(all ? "}\n" : "} }\n", o);
}

/*
 * try_table: a block whose region (EHR) is a new one while its body
 * runs; the clauses are tried in order at the landing (R<region>), then
 * the enclosing region's.
 */
void aot_emit_try_table(struct fn *F, const struct wasm_instr_imm *imm,
                        const uint8_t *end)
{
	uint32_t outer = F->region, r = ++F->nregions;
	const uint8_t *q = imm->vec;

	fprintf(F->eh, "R%u:;\n", r);
	for (uint32_t i = 0; i < imm->nvec; i++) {
		struct wasm_catch cc;
		wasm_read_catch(&q, end, &cc);
		/* Labels count from the block around the try_table. */
		emit_catch(F, &cc, &F->ctl[F->nctl - 1 - cc.label]);
	}
	fprintf(F->eh, "\tgoto R%u;\n", outer);
	struct ctl *c = aot_push_ctl(F, K_BLOCK);
	if (c == NULL)
		return;
	if (!aot_blocktype(F, imm, c)) {
		F->why = "a block type with v128 values";
		return;
	}
	c->is_try = true;
	c->base = F->h - c->np;
	c->inner = r;
	F->region = r;
	fprintf(F->o, "EHR = %u;\n", r);
}

/*
 * The legacy instructions (try, catch, catch_all, delegate, rethrow): a
 * try is a region like a try_table's, its dispatch a chain of chunks
 * R<r>_<i> (one per catch, emitted as each catch is read), its handlers
 * code in the block (C<label>_<i>), run in the enclosing region; the
 * caught exnref is kept in EXC<label> for rethrow.
 */
bool aot_emit_legacy(struct fn *F, enum wasm_opcode op,
                     const struct wasm_instr_imm *imm, bool *dead)
{
	struct ctl *c;
	uint32_t r;
	switch (op) {
	case WASM_OP_TRY:
		r = ++F->nregions;
		c = aot_push_ctl(F, K_BLOCK);
		if (c == NULL)
			return true;
		if (!aot_blocktype(F, imm, c)) {
			F->why = "a block type with v128 values";
			return true;
		}
		c->is_try = c->legacy = true;
		c->base = F->h - c->np;
		c->inner = r;
		F->region = r;
		fprintf(F->eh, "R%u:; goto R%u_0;\n", r, c->label);
		fprintf(F->o, "aot_u64 EXC%u; EHR = %u;\n", c->label, r);
		return true;
	case WASM_OP_CATCH:
	case WASM_OP_CATCH_ALL: {
		c = &F->ctl[F->nctl - 1];
		if (!c->legacy)
			return false;
		if (!*dead)
			aot_emit_branch(F, 0);
		*dead = false;
		uint32_t i = c->ncatch++;
		F->region = c->inner = c->region;
		fprintf(F->eh, "R%u_%u:;\n\t", c->label, i);
		fprintf(F->o, "C%u_%u:;\n", c->label, i);
		aot_set_stack(F, c->base, "", 0);
		if (op == WASM_OP_CATCH_ALL) {
			fprintf(F->eh,
			        "{ EXC%u = EHX; EHR = %u; goto C%u_%u; }\n",
			        c->label, c->region, c->label, i);
			return true;
		}
		const struct wasm_functype *tt =
		    &F->m->types[F->m->tags[imm->x]];
		fprintf(F->eh,
		        "{ const aot_u64 *v_ = 0; if (I->exn_tag(I, EHX, &v_) "
		        "== I->tags[%u]) { ",
		        imm->x);
		for (uint32_t k = 0; k < tt->nparams; k++) {
			char t = aot_tchar(tt->types[k]), v[16];
			snprintf(v, sizeof v, "v_[%u]", k);
			fprintf(F->eh, "%s = ", aot_push(F, t));
			aot_from_slot(F->eh, t, v);
			fputs("; ", F->eh);
		}
		fprintf(F->eh,
		        "EXC%u = EHX; EHR = %u; goto C%u_%u; } }\n"
		        "\tgoto R%u_%u;\n",
		        c->label, c->region, c->label, i, c->label, i + 1);
		return true;
	}
	case WASM_OP_DELEGATE: {
		c = &F->ctl[F->nctl - 1];
		const struct ctl *t = &F->ctl[F->nctl - 2 - imm->x];
		fprintf(F->eh, "R%u_%u:; goto R%u;\n", c->label, c->ncatch,
		        t->kind == K_FUNC ? 0 : t->inner);
		c->ncatch = UINT32_MAX; /* the chain is closed */
		/* The try's end. */
		bool d = *dead;
		if (!d)
			aot_emit_branch(F, 0);
		fprintf(F->o, "L%u:;\n", c->label);
		F->region = c->region;
		fprintf(F->o, "EHR = %u;\n", c->region);
		aot_set_stack(F, c->base, c->rt, c->nr);
		F->nctl--;
		*dead = false;
		return true;
	}
	case WASM_OP_RETHROW:
		c = &F->ctl[F->nctl - 1 - imm->x];
		fprintf(F->o,
		        "AOT_OUT; I->throw_ref(I, EXC%u); "
		        "__builtin_unreachable();\n",
		        c->label);
		*dead = true;
		return true;
	default:
		return false;
	}
}

/* Whether function 'wf' has a try_table (its prologue sets a landing). */
bool aot_has_try_table(const struct wasm_func *wf)
{
	const uint8_t *p = wf->code, *end = wf->code + wf->code_len;

	while (p < end) {
		enum wasm_opcode op;
		struct wasm_instr_imm imm;
		const char *why;
		if (wasm_read_opcode(&p, end, &op) != 0 ||
		    wasm_read_imm(op, &p, end, &imm, &why) != 0)
			return false;
		if (op == WASM_OP_TRY_TABLE || op == WASM_OP_TRY)
			return true;
	}
	return false;
}
