/*
 * wasm_types.c: relations between value types (WebAssembly 3.0 without
 * GC): subtyping of reference types, and the equivalence of function
 * types that makes each type index canonical.
 *
 * Without GC every defined type is a function type, alone in its
 * recursion group, and declares no supertype. So:
 *  - (ref null? $t) <: (ref null? func), nofunc <: $t, noextern <:
 *    extern, noexn <: exn, and non-null <: nullable;
 *  - two function types are equivalent when their parameter and result
 *    types are equal once every type index in them is canonical and a
 *    reference to the type itself is read as "self" (a recursion group of
 *    one type may name itself).
 *
 * Keeps true: these functions read only their arguments (no global state);
 * type indices are compared as numbers, so callers canonicalise first.
 */
#include <string.h>

#include "wasm/wasm_module.h"

/* The top of 't''s hierarchy as a nullable byte, or 0. */
uint32_t wasm_vt_top(uint32_t t)
{
	switch (wasm_vt_heap(t)) {
	case WASM_FUNCREF:
	case WASM_NULLFUNCREF:
	case WASM_HT_TYPEIDX:
	case WASM_HT_SELF:
		return WASM_FUNCREF;
	case WASM_EXTERNREF:
	case WASM_NULLEXTERNREF:
		return WASM_EXTERNREF;
	case WASM_EXNREF:
	case WASM_NULLEXNREF:
		return WASM_EXNREF;
	default:
		return 0;
	}
}

/* Heap type subtyping: 'a' and 'b' are reference types. */
static bool heap_sub(uint32_t a, uint32_t b)
{
	uint32_t ha = wasm_vt_heap(a), hb = wasm_vt_heap(b);

	if (ha == WASM_HT_BOT)
		return true;
	if (ha == WASM_HT_TYPEIDX && hb == WASM_HT_TYPEIDX)
		return wasm_vt_index(a) == wasm_vt_index(b);
	if (ha == hb)
		return true;
	if (wasm_vt_top(a) != wasm_vt_top(b))
		return false;
	/* Same hierarchy, different heap types: a bottom, or concrete/self
	 * below the top. */
	switch (ha) {
	case WASM_NULLFUNCREF:
	case WASM_NULLEXTERNREF:
	case WASM_NULLEXNREF:
		return true;
	default:
		return hb == wasm_vt_top(b) && hb != WASM_NULLFUNCREF;
	}
}

bool wasm_vt_sub(uint32_t a, uint32_t b)
{
	if (a == b)
		return true;
	if (!wasm_is_reftype(a) || !wasm_is_reftype(b))
		return false;
	if (wasm_vt_nullable(a) && !wasm_vt_nullable(b))
		return false;
	return heap_sub(a, b);
}

/*
 * Type i's "form" reads a reference to
 * itself as WASM_HT_SELF. 'canon_form' gives entry k of type j's form:
 * j is canonical, its stored indices are canonical and an index equal to
 * j can only be itself (earlier types have smaller canonical indices).
 */
static uint32_t form_of(const struct wasm_functype *ft, uint32_t self,
                        uint32_t k)
{
	uint32_t t = ft->types[k];

	if (wasm_vt_has_index(t) && wasm_vt_index(t) == self)
		return (t & WASM_REF_NONNULL) | WASM_HT_SELF;
	return t;
}

static uint32_t form_hash(const struct wasm_functype *ft, uint32_t self)
{
	uint32_t h = 2166136261u ^ ft->nparams;
	uint32_t n = ft->nparams + ft->nresults;

	for (uint32_t k = 0; k < n; k++)
		h = (h ^ form_of(ft, self, k)) * 16777619u;
	return h;
}

static bool form_equal(const struct wasm_functype *a, uint32_t sa,
                       const struct wasm_functype *b, uint32_t sb)
{
	if (a->nparams != b->nparams || a->nresults != b->nresults)
		return false;
	for (uint32_t k = 0; k < a->nparams + a->nresults; k++)
		if (form_of(a, sa, k) != form_of(b, sb, k))
			return false;
	return true;
}

int wasm_canonicalize_types(struct wasm_module *m)
{
	uint32_t cap = 16, *slots;

	while (cap < 2 * (uint64_t)m->ntypes)
		cap *= 2;
	m->type_canon = wx_alloc_array(m->ntypes + 1, sizeof *m->type_canon);
	slots = wx_alloc_array(cap, sizeof *slots);
	if (m->type_canon == NULL || slots == NULL) {
		wx_free(slots);
		return WX_ENOMEM;
	}
	for (uint32_t i = 0; i < m->ntypes; i++) {
		struct wasm_functype *ft = &m->types[i];
		uint32_t n = ft->nparams + ft->nresults, h;
		/* Earlier indices to canonical ones; 'i' stays itself. */
		for (uint32_t k = 0; k < n; k++)
			if (wasm_vt_has_index(ft->types[k]) &&
			    wasm_vt_index(ft->types[k]) < i)
				ft->types[k] = wasm_canon_vt(m, ft->types[k]);
		m->type_canon[i] = i;
		h = form_hash(ft, i) & (cap - 1);
		while (slots[h] != 0) {
			uint32_t j = slots[h] - 1;
			if (form_equal(ft, i, &m->types[j], j)) {
				m->type_canon[i] = j;
				break;
			}
			h = (h + 1) & (cap - 1);
		}
		if (m->type_canon[i] == i) {
			slots[h] = i + 1;
			continue;
		}
		/* Merged into j: its self references name j. */
		for (uint32_t k = 0; k < n; k++)
			if (wasm_vt_has_index(ft->types[k]) &&
			    wasm_vt_index(ft->types[k]) == i)
				ft->types[k] = wasm_ref_idx(
				    m->type_canon[i],
				    wasm_vt_nullable(ft->types[k]));
	}
	wx_free(slots);
	return WX_OK;
}
