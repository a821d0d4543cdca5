/*
 * dl_closure.c: closures (dl.h): table slots filled at run time with a
 * host function of the asked signature that marshals its arguments to
 * the guest's shadow stack and calls the guest's backing function.
 *
 * Keeps true: 'state[slot - first]' says whether a closure slot is
 * allocated; only allocated slots are prepared or freed; a freed slot's
 * table entry is null and it is handed out again before the table
 * grows. The stack pointer is put back after every call, also when the
 * backing function traps, exits or longjmps out.
 */
#include "dl/dl_impl.h"

#include <string.h>

struct dl_closures {
	uint32_t *slots; /* every slot ever made a closure */
	uint8_t *used;   /* per entry of 'slots': allocated */
	uint32_t n, cap;
};

/* What one prepared closure calls; owned by its host function. */
struct dl_closure_fn {
	struct dl_linker *l;
	uint32_t backing;
	uint64_t user_data; /* a guest pointer: 64-bit with memory64 */
	uint32_t nargs, nresults;
	uint8_t kinds[2 * DL_CLOSURE_MAX_VALUES];    /* DL_VAL_*, args first */
	uint32_t valtypes[2 * DL_CLOSURE_MAX_VALUES]; /* the functype's */
	struct wasm_functype type;
};

void dl_closures_free(struct dl_linker *l)
{
	if (l->closures == NULL)
		return;
	wx_free(l->closures->slots);
	wx_free(l->closures->used);
	wx_free(l->closures);
	l->closures = NULL;
}

static int64_t dl_closure_find(const struct dl_linker *l, uint32_t slot)
{
	const struct dl_closures *c = l->closures;

	for (uint32_t i = 0; c != NULL && i < c->n; i++)
		if (c->slots[i] == slot)
			return i;
	return -1;
}

bool dl_is_closure(const struct dl_linker *l, uint32_t slot)
{
	return dl_closure_find(l, slot) >= 0;
}

static int dl_closure_allocate_locked(struct dl_linker *l, uint32_t *slot)
{
	struct dl_closures *c = l->closures;
	int64_t old;

	if (l->table == NULL)
		return WX_EARG;
	if (c == NULL) {
		c = l->closures = wx_calloc(1, sizeof *c);
		if (c == NULL)
			return WX_ENOMEM;
	}
	for (uint32_t i = 0; i < c->n; i++)
		if (!c->used[i]) {
			c->used[i] = 1;
			*slot = c->slots[i];
			return WX_OK;
		}
	if (c->n == c->cap) {
		uint32_t ncap = c->cap ? c->cap * 2 : 16;
		uint32_t *ns = wx_realloc(c->slots, ncap * sizeof *ns);
		uint8_t *nu;

		if (ns == NULL)
			return WX_ENOMEM;
		c->slots = ns;
		nu = wx_realloc(c->used, ncap);
		if (nu == NULL)
			return WX_ENOMEM;
		c->used = nu;
		c->cap = ncap;
	}
	old = vm_table_grow(l->table, 1, 0);
	if (old < 0 || old > UINT32_MAX)
		return WX_ELIMIT;
	c->slots[c->n] = (uint32_t)old;
	c->used[c->n] = 1;
	c->n++;
	*slot = (uint32_t)old;
	return WX_OK;
}

static int dl_closure_free_locked(struct dl_linker *l, uint32_t slot)
{
	int64_t i = dl_closure_find(l, slot);

	if (i < 0 || !l->closures->used[i])
		return WX_EARG;
	l->closures->used[i] = 0;
	vm_table_set(l->table, slot, 0);
	return WX_OK;
}

static unsigned dl_val_size(uint8_t kind)
{
	return kind == DL_VAL_I32 || kind == DL_VAL_F32 ? 4 : 8;
}

static uint8_t dl_val_type(uint8_t kind)
{
	static const uint8_t t[] = {WASM_I32, WASM_I64, WASM_F32, WASM_F64};

	return t[kind];
}

static void dl_put(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t dl_get(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* The backing function of 'fn', type-checked: three pointers (i32, or
 * i64 with memory64) -> []. */
static struct vm_func *dl_closure_backing(const struct dl_closure_fn *fn)
{
	uint32_t t = fn->l->is64 ? WASM_I64 : WASM_I32;
	uint32_t three[3] = {t, t, t};
	const struct wasm_functype want = {3, 0, three};
	uint64_t h = 0;
	struct vm_func *f;

	if (vm_table_get(fn->l->table, fn->backing, &h) != WX_OK || h == 0)
		return NULL;
	f = (struct vm_func *)(uintptr_t)h;
	return vm_functype_equal(vm_func_type(f), &want) ? f : NULL;
}

static int dl_closure_call(struct vm_call *c, void *ud)
{
	struct dl_closure_fn *fn = ud;
	struct dl_linker *l = fn->l;
	uint32_t asize = 0, rsize = 0, off = 0;
	uint64_t sp, rbase, abase;
	uint64_t args[3];
	struct vm_func *f = dl_closure_backing(fn);
	struct diag d = {0};
	uint8_t *p;
	int rc, code = 0;

	if (f == NULL)
		return vm_call_trap(c, "closure: backing function is not a "
		                       "function of three pointers -> []");
	for (uint32_t i = 0; i < fn->nargs; i++)
		asize += dl_val_size(fn->kinds[i]);
	for (uint32_t i = 0; i < fn->nresults; i++)
		rsize += dl_val_size(fn->kinds[fn->nargs + i]);
	asize = (asize + 15) & ~15u;
	rsize = (rsize + 15) & ~15u;
	sp = vm_global_get(l->sp);
	if (!l->is64)
		sp = (uint32_t)sp;
	if (sp < asize + rsize)
		return vm_call_trap(c, "closure: shadow stack exhausted");
	rbase = sp - rsize;
	abase = rbase - asize;
	p = vm_memory_check(l->mem, abase, asize + rsize);
	if (p == NULL)
		return vm_call_trap(c, "closure: shadow stack out of bounds");
	for (uint32_t i = 0; i < fn->nargs; i++) {
		unsigned n = dl_val_size(fn->kinds[i]);
		dl_put(p + off, c->args[i], n);
		off += n;
	}
	vm_global_set(l->sp, abase);
	args[0] = abase;
	args[1] = rbase;
	args[2] = fn->user_data;
	rc = vm_invoke(c->store, f, args, NULL, &code, &d);
	vm_global_set(l->sp, sp);
	if (rc == WX_EEXIT) {
		c->exit_code = code;
		return rc;
	}
	if (rc == WX_ETRAP)
		return vm_call_trap(c, d.msg);
	if (rc != WX_OK)
		return rc; /* VM_EJUMP: a longjmp past the closure */
	/* Memory may have grown (never moved): check again. */
	p = vm_memory_check(l->mem, rbase, rsize);
	if (p == NULL)
		return vm_call_trap(c, "closure: results out of bounds");
	off = 0;
	for (uint32_t i = 0; i < fn->nresults; i++) {
		unsigned n = dl_val_size(fn->kinds[fn->nargs + i]);
		c->results[i] = dl_get(p + off, n);
		off += n;
	}
	return WX_OK;
}

static int dl_closure_prepare_locked(struct dl_linker *l, uint32_t backing,
                                     uint32_t slot, const uint8_t *args,
                                     uint32_t nargs, const uint8_t *results,
                                     uint32_t nresults, uint64_t user_data)
{
	int64_t i = dl_closure_find(l, slot);
	struct dl_closure_fn *fn, tmp;
	struct vm_func *f;

	if (i < 0 || !l->closures->used[i] || nargs > DL_CLOSURE_MAX_VALUES ||
	    nresults > DL_CLOSURE_MAX_VALUES || l->sp == NULL)
		return WX_EARG;
	memset(&tmp, 0, sizeof tmp);
	for (uint32_t k = 0; k < nargs + nresults; k++) {
		uint8_t kind = k < nargs ? args[k] : results[k - nargs];
		if (kind > DL_VAL_F64)
			return WX_EARG;
		tmp.kinds[k] = kind;
		tmp.valtypes[k] = dl_val_type(kind);
	}
	tmp.type.nparams = nargs;
	tmp.type.nresults = nresults;
	tmp.type.types = tmp.valtypes; /* copied by the store */
	f = vm_func_new_host_data(l->s, &tmp.type, dl_closure_call, sizeof *fn,
	                          (void **)&fn);
	if (f == NULL)
		return WX_ENOMEM;
	*fn = tmp;
	fn->type.types = fn->valtypes;
	fn->l = l;
	fn->backing = backing;
	fn->user_data = user_data;
	fn->nargs = nargs;
	fn->nresults = nresults;
	return vm_table_set(l->table, slot, (uint64_t)(uintptr_t)f);
}

int dl_closure_allocate(struct dl_linker *l, uint32_t *slot)
{
	int rc;

	dl_lock(l);
	rc = dl_closure_allocate_locked(l, slot);
	dl_unlock(l);
	return rc;
}

int dl_closure_free(struct dl_linker *l, uint32_t slot)
{
	int rc;

	dl_lock(l);
	rc = dl_closure_free_locked(l, slot);
	dl_unlock(l);
	return rc;
}

int dl_closure_prepare(struct dl_linker *l, uint32_t backing, uint32_t slot,
                       const uint8_t *args, uint32_t nargs,
                       const uint8_t *results, uint32_t nresults,
                       uint64_t user_data)
{
	int rc;

	dl_lock(l);
	rc = dl_closure_prepare_locked(l, backing, slot, args, nargs, results,
	                               nresults, user_data);
	dl_unlock(l);
	return rc;
}
