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
