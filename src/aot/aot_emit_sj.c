/*
 * aot_emit_sj.c: setjmp in the emitted C (docs/aot.md, "setjmp"), a part
 * of the emitter (aot_emit.c is the core): which functions are setjmp
 * functions (they stay interpreted) and the landing emitted at each
 * direct call of one.
 *
 * Keeps true: reads only the validated module; over-approximates the
 * setjmp functions (an unsure case counts as one); the output depends
 * only on the module and the options (it is the cache's content).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot/aot_emit_impl.h"

/*
 * A call of setjmp function k (aot_sj_funcs): a landing in this frame. The
 * locals and the operand stack below the arguments are saved before the
 * call and put back when a longjmp lands (the interpreter puts back its
 * frame's slots too), then I->sj_land finishes the setjmp function.
 */
void aot_emit_sj_call(struct fn *F, uint32_t k)
{
	const struct wasm_functype *ft = wasm_func_type(F->m, k);
	const struct wasm_functype *own = wasm_func_type(F->m, F->self);
	uint32_t np = ft->nparams, nr = ft->nresults;
	uint32_t site = F->nsites, below = F->h - np, nv = F->nlocals + below;
	uint32_t *sn;

	/* Does this call forward the caller's snapshot (aot_sj_funcs)? */
	if (np != 0 && ((F->tag[below] == TAG_LOCAL0 && F->nlocals != 0) ||
	                (F->tag[below] == TAG_CONST && own->nparams == 0 &&
	                 own->nresults == 1)))
		F->sj_forwards = true;
	if (F->nsites == F->capsites) {
		uint32_t cap = F->capsites ? 2 * F->capsites : 8;
		sn = wx_realloc(F->site_nv, cap * sizeof *sn);
		if (sn == NULL) {
			F->why = "out of memory";
			return;
		}
		F->site_nv = sn;
		F->capsites = cap;
	}
	F->site_nv[F->nsites++] = nv;
	fprintf(F->o, "AOT_OUT; { aot_u64 a_[%u];\n",
	        np > nr ? (np ? np : 1) : (nr ? nr : 1));
	for (uint32_t i = 0; i < nv; i++) {
		char t =
		    i < F->nlocals ? F->ltypes[i] : F->types[i - F->nlocals];
		char v[24];
		if (i < F->nlocals)
			snprintf(v, sizeof v, "l%u", i);
		else
			snprintf(v, sizeof v, "%s",
			         aot_sv(F, i - F->nlocals, t));
		fprintf(F->o, "JV%u[%u] = ", site, i);
		aot_to_slot(F->o, t, v);
		fputs(";\n", F->o);
	}
	for (uint32_t i = 0; i < np; i++) {
		fprintf(F->o, "a_[%u] = ", i);
		aot_to_slot(F->o, F->types[below + i],
		            aot_sv(F, below + i, F->types[below + i]));
		fputs(";\n", F->o);
	}
	fprintf(F->o,
	        "if (sigsetjmp(JB[%u], 0) == 0) "
	        "I->sj_call(I, D - 1, &J, %u, I->funcs[%u], a_);\nelse {\n",
	        site, site, k);
	for (uint32_t i = 0; i < nv; i++) {
		char t =
		    i < F->nlocals ? F->ltypes[i] : F->types[i - F->nlocals];
		char src[24];
		snprintf(src, sizeof src, "JV%u[%u]", site, i);
		if (i < F->nlocals)
			fprintf(F->o, "l%u = ", i);
		else
			fprintf(F->o, "%s = ", aot_sv(F, i - F->nlocals, t));
		aot_from_slot(F->o, t, src);
		fputs(";\n", F->o);
	}
	if (F->has_try) /* the region in force at this call */
		fprintf(F->o, "EHR = %u;\n", F->region);
	fprintf(F->o, "I->sj_land(I, D - 1, &J, %u, I->funcs[%u], a_);\n}\n",
	        site, k);
	F->h = below;
	for (uint32_t i = 0; i < nr; i++) {
		char t = aot_tchar(ft->types[np + i]);
		char src[16];
		snprintf(src, sizeof src, "a_[%u]", i);
		fprintf(F->o, "%s = ", aot_push(F, t));
		aot_from_slot(F->o, t, src);
		fputs(";\n", F->o);
	}
	fputs("} AOT_IN;\n", F->o);
}

/* Whether defined function k makes a direct call of a setjmp function. */
bool aot_calls_sj(const struct wasm_module *m, uint32_t k, const uint8_t *sj)
{
	const struct wasm_func *wf = &m->funcs[k];
	const uint8_t *p = wf->code, *end = wf->code + wf->code_len;

	while (sj != NULL && p < end) {
		enum wasm_opcode op;
		struct wasm_instr_imm imm;
		const char *why;
		if (wasm_read_opcode(&p, end, &op) != 0 ||
		    wasm_read_imm(op, &p, end, &imm, &why) != 0)
			return true; /* cannot tell: as if it did */
		if ((op == WASM_OP_CALL || op == WASM_OP_RETURN_CALL) &&
		    imm.x < m->nfuncs && sj[imm.x])
			return true;
	}
	return false;
}

/*
 * The setjmp functions of 'm' (docs/aot.md "setjmp"): the stack_checkpoint
 * import, and every function that calls one of them directly passing its
 * own first local (a function that forwards the snapshot: wasix-libc's
 * setjmp -> __wasilibc_setjmp -> import), or, taking no parameter and
 * returning one value, a constant (a copy specialised for one buffer).
 * They stay interpreted, and each direct call of one in compiled code is
 * a landing. Sets '*out' to a per function array, or NULL when the
 * module does not import stack_checkpoint. Over-approximates (an
 * unsure case counts as one): a setjmp function compiled would return
 * and end its snapshots, while an anchor kept interpreted is only slower
 * (the runtime decides which frame is the anchor, vm_jmp.c).
 */
int aot_sj_funcs(const struct wasm_module *m, const struct aot_options *opt,
                 const struct prof *prof, uint8_t **out)
{
	uint8_t *sj = NULL;
	bool changed = true;

	*out = NULL;
	for (uint32_t i = 0, f = 0; i < m->nimports; i++) {
		const struct wasm_import *imp = &m->imports[i];
		static const char name[] = "stack_checkpoint";
		if (imp->kind != WASM_EXT_FUNC)
			continue;
		if (imp->name_len == sizeof name - 1 &&
		    memcmp(imp->name, name, sizeof name - 1) == 0 &&
		    imp->module_len > 5 &&
		    memcmp(imp->module, "wasix", 5) == 0) {
			if (sj == NULL &&
			    (sj = wx_calloc(m->nfuncs + 1, 1)) == NULL)
				return WX_ENOMEM;
			sj[f] = 1;
		}
		f++;
	}
	while (sj != NULL && changed) {
		changed = false;
		for (uint32_t k = m->num_imported_funcs; k < m->nfuncs; k++) {
			struct fn F = {.m = m,
			               .opt = opt,
			               .prof = prof,
			               .self = k,
			               .sj = sj};
			char *body = NULL;
			size_t blen = 0;
			if (sj[k] || !aot_calls_sj(m, k, sj))
				continue;
			char *ehcode = NULL;
			size_t ehlen = 0;
			F.o = open_memstream(&body, &blen);
			F.eh = open_memstream(&ehcode, &ehlen);
			if (F.o == NULL || F.eh == NULL) {
				if (F.o != NULL)
					fclose(F.o);
				wx_free(body);
				wx_free(sj);
				return WX_ENOMEM;
			}
			F.anchor = true;
			F.has_try = aot_has_try_table(&m->funcs[k]);
			aot_emit_body(&F, k);
			fclose(F.o);
			fclose(F.eh);
			wx_free(body);
			wx_free(ehcode);
			if (F.sj_forwards || F.why != NULL) {
				sj[k] = 1;
				changed = true;
			}
			aot_free_fn(&F);
		}
	}
	*out = sj;
	return WX_OK;
}
