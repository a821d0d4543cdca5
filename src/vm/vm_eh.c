/*
 * vm_eh.c: exception handling at run time: tags, exception objects and
 * the unwinder (docs/interp.md, "Exceptions").
 *
 * Nothing here runs unless something is thrown. Translated code keeps
 * its handlers in a side table per function (vm_code.eh, keyed by cell
 * offset), and the functions that have one are on the store's list
 * 'eh_codes'; the unwinder finds a frame's table from its pc. Ordinary
 * instructions, calls and returns do no work for exceptions.
 *
 * Exception objects live in a per-thread pool. An exnref is a handle
 * (EXN_HANDLE_TAG | index + 1), never a pointer, so a stale or foreign
 * handle can only name another valid object of the same pool, or none.
 * The pool is bounded (EXN_MAX objects, EXN_MAX_SLOTS payload values);
 * when it is full, a conservative mark and sweep keeps every object whose
 * handle appears in the thread's live value stack, any global or exnref
 * table of the store, or the payload of a kept object; the rest are
 * reused. exnrefs cannot move between threads (wasm threads share memory
 * only, never globals or tables), so one thread's roots are all there is.
 *
 * Keeps true:
 *  - An exception never leaves the interpreter level (vm_invoke) it was
 *    thrown in: past the level's first frame it is the trap "uncaught
 *    exception", so a host function that re-entered wasm sees a trap.
 *    Compiled code (src/aot/) is part of the level that called it: it
 *    passes exceptions on to and from the interpreter (aot_run.c).
 *  - While compiled code runs on a thread, its C stack is a root of the
 *    collection too (exnrefs in C variables; exn_cstack_base).
 *  - No handler state exists outside the translated code's side tables:
 *    a longjmp (vm_jmp.c) that restores frames cannot leave a stale one.
 */
#include <setjmp.h>
#include <string.h>

#include "vm/vm_code.h"

#define EXN_HANDLE_TAG  0x45584e0000000000ull /* "EXN" in the top bytes */
#define EXN_HANDLE_MASK 0xffffff0000000000ull
#define EXN_MAX         65536u     /* live exception objects per thread */
#define EXN_MAX_SLOTS   (1u << 20) /* payload values per thread (8 MiB) */
#define EXN_MIN_COLLECT 1024u      /* smaller pools just grow */

struct vm_exn {
	struct vm_tag *tag;
	uint64_t *vals; /* tag->type->nparams values; owned */
	uint32_t next_free; /* free list link (index + 1), 0 = end */
	bool live, marked, scanned;
};

struct vm_exn_pool {
	struct vm_exn *objs;
	uint32_t n, cap;   /* objects made (live or free), allocated */
	uint32_t free_head; /* index + 1, 0 = none */
	uint64_t slots;     /* payload values held by live objects */
};

struct vm_tag *vm_tag_new(struct vm_store *s, uint32_t type_id)
{
	struct vm_tag *t = wx_calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	t->type_id = type_id;
	t->type = s->types[type_id];
	if (vm_store_own((void ***)&s->tags, &s->ntags, &s->cap_tags, t) !=
	    WX_OK) {
		wx_free(t);
		return NULL;
	}
	return t;
}

struct vm_tag *vm_tag_new_type(struct vm_store *s,
                               const struct wasm_functype *type)
{
	int64_t id = vm_store_intern_type(s, type);

	return id < 0 ? NULL : vm_tag_new(s, (uint32_t)id);
}

void vm_eh_free(struct vm_thread *t)
{
	struct vm_exn_pool *p = t->exn;

	if (p == NULL)
		return;
	for (uint32_t i = 0; i < p->n; i++)
		wx_free(p->objs[i].vals);
	wx_free(p->objs);
	wx_free(p);
	t->exn = NULL;
}

/* The object a handle names, or NULL. */
static struct vm_exn *exn_of(struct vm_exn_pool *p, uint64_t h)
{
	if (p == NULL || (h & EXN_HANDLE_MASK) != EXN_HANDLE_TAG)
		return NULL;
	uint64_t i = (h & ~EXN_HANDLE_MASK) - 1;
	return i < p->n && p->objs[i].live ? &p->objs[i] : NULL;
}

static void mark_range(struct vm_exn_pool *p, const uint64_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct vm_exn *e = exn_of(p, v[i]);
		if (e != NULL)
			e->marked = true;
	}
}

/*
 * Marks what compiled code's C frames may hold: every aligned word from
 * here to t->exn_cstack_base, with the callee-saved registers spilled
 * into this frame first. Conservative (a word that looks like a handle
 * keeps its object), and only while compiled code runs on the thread.
 */
typedef uint64_t __attribute__((may_alias)) stack_word;

__attribute__((noinline, no_sanitize_address)) static void
mark_cstack(struct vm_exn_pool *p, const char *base)
{
	jmp_buf regs;
	const char *here = (const char *)&regs;

	setjmp(regs);
	if (base <= here || (size_t)(base - here) > ((size_t)64 << 20))
		return; /* another stack (a context switch): nothing to scan */
	for (const char *w =
	         (const char *)(((uintptr_t)here + 7) & ~(uintptr_t)7);
	     w + 8 <= base; w += 8) {
		/* A plain load (not memcpy, which a sanitizer checks):
		 * the words include other frames' redzones. */
		struct vm_exn *e = exn_of(p, *(const stack_word *)w);
		if (e != NULL)
			e->marked = true;
	}
}

/*
 * Mark and sweep, roots: the value stack below 'top', the store's
 * globals and exnref tables, then the payloads of what is marked.
 */
static void collect(struct vm_thread *t, const uint64_t *top)
{
	struct vm_exn_pool *p = t->exn;
	struct vm_store *s = t->store;
	bool more = true;

	for (uint32_t i = 0; i < p->n; i++)
		p->objs[i].marked = p->objs[i].scanned = false;
	mark_range(p, t->stack, (size_t)(top - t->stack));
	if (t->exn_cstack_base != NULL)
		mark_cstack(p, t->exn_cstack_base);
	vm_lock(); /* the store's lists */
	for (size_t i = 0; i < s->nglobals; i++)
		mark_range(p, &s->globals[i]->value, 1);
	for (size_t i = 0; i < s->ntables; i++)
		if (wasm_vt_top(s->tables[i]->type.elemtype) == WASM_EXNREF)
			mark_range(p, s->tables[i]->elems, s->tables[i]->size);
	vm_unlock();
	while (more) {
		more = false;
		for (uint32_t i = 0; i < p->n; i++) {
			struct vm_exn *e = &p->objs[i];
			if (!e->live || !e->marked || e->scanned)
				continue;
			e->scanned = true;
			mark_range(p, e->vals, wasm_nslots(e->tag->type->types, e->tag->type->nparams));
			more = true;
		}
	}
	for (uint32_t i = 0; i < p->n; i++) {
		struct vm_exn *e = &p->objs[i];
		if (!e->live || e->marked)
			continue;
		p->slots -= wasm_nslots(e->tag->type->types, e->tag->type->nparams);
		wx_free(e->vals);
		e->vals = NULL;
		e->live = false;
		e->next_free = p->free_head;
		p->free_head = i + 1;
	}
}

/* Doubles the object array up to EXN_MAX; false if it cannot. */
static bool pool_grow(struct vm_exn_pool *p)
{
	uint32_t ncap = p->cap ? p->cap * 2 : 16;

	if (p->cap >= EXN_MAX)
		return false;
	if (ncap > EXN_MAX)
		ncap = EXN_MAX;
	struct vm_exn *no = wx_realloc(p->objs, (size_t)ncap * sizeof *no);
	if (no == NULL)
		return false;
	p->objs = no;
	p->cap = ncap;
	return true;
}

/* A free object index, collecting or growing as needed; -1 if none. */
static int64_t pool_take(struct vm_thread *t, uint32_t nvals,
                         const uint64_t *top)
{
	struct vm_exn_pool *p = t->exn;
	bool full = p->free_head == 0 && p->n == p->cap;

	if ((full && p->cap >= EXN_MIN_COLLECT) ||
	    p->slots + nvals > EXN_MAX_SLOTS) {
		uint32_t live_before = p->n;
		collect(t, top);
		/* Grow too when little came free, or this would repeat. */
		uint32_t nfree = 0;
		for (uint32_t f = p->free_head; f != 0;
		     f = p->objs[f - 1].next_free)
			nfree++;
		if (nfree < live_before / 4)
			pool_grow(p);
	}
	if (p->slots + nvals > EXN_MAX_SLOTS)
		return -1;
	if (p->free_head != 0) {
		uint32_t i = p->free_head - 1;
		p->free_head = p->objs[i].next_free;
		return i;
	}
	if (p->n == p->cap && !pool_grow(p))
		return -1;
	return p->n++;
}

/*
 * A new exception of 'tag' with payload 'args'; 0 if out of room. 'top':
 * the end of the thread's live values (a collection's roots).
 */
static uint64_t exn_new(struct vm_thread *t, struct vm_tag *tag,
                        const uint64_t *args, const uint64_t *top)
{
	uint32_t n = wasm_nslots(tag->type->types, tag->type->nparams);

	if (t->exn == NULL) {
		t->exn = wx_calloc(1, sizeof *t->exn);
		if (t->exn == NULL)
			return 0;
	}
	int64_t i = pool_take(t, n, top);
	if (i < 0)
		return 0;
	struct vm_exn *e = &t->exn->objs[i];
	memset(e, 0, sizeof *e);
	if (n != 0) {
		e->vals = wx_alloc_array(n, sizeof *e->vals);
		if (e->vals == NULL) {
			e->next_free = t->exn->free_head;
			t->exn->free_head = (uint32_t)i + 1;
			return 0;
		}
		memcpy(e->vals, args, n * sizeof *e->vals);
	}
	e->tag = tag;
	e->live = true;
	t->exn->slots += n;
	return EXN_HANDLE_TAG | (uint64_t)(i + 1);
}

/* The translated function whose cells contain 'key' (start excluded). */
static const struct vm_code *code_of(struct vm_store *s, const uint32_t *key)
{
	for (const struct vm_code *c =
	         __atomic_load_n(&s->eh_codes, __ATOMIC_ACQUIRE);
	     c != NULL; c = c->eh_next)
		if (key > c->cells && key <= c->cells + c->ncells)
			return c;
	return NULL;
}

/* The innermost handler of 'code' at offset 'k' for 'e', or NULL. */
static const struct vm_eh_entry *find_handler(const struct vm_code *code,
                                              uint32_t k,
                                              const struct vm_exn *e,
                                              struct vm_instance *inst)
{
	uint32_t limit = UINT32_MAX; /* a delegate's target block */

	for (uint32_t i = 0; i < code->neh; i++) {
		const struct vm_eh_entry *h = &code->eh[i];
		if (k <= h->start || k > h->end || h->block > limit)
			continue;
		switch (h->kind) {
		case VM_EH_DELEGATE:
			limit = h->outer;
			break;
		case VM_EH_CATCH:
			if (inst->tags[h->tag] == e->tag)
				return h;
			break;
		default: /* VM_EH_CATCH_ALL */
			return h;
		}
	}
	return NULL;
}

/*
 * Walks the frames from st's down to the level's entry, looking for a
 * handler in st's frame at 'key' first. An exception that leaves the
 * level is kept as the thread's escaped one (vm_thread_uncaught).
 */
static const char *unwind(struct vm_thread *t, struct vm_eh_state *st,
                          uint64_t h, const uint32_t *key)
{
	const struct vm_exn *e = exn_of(t->exn, h);

	for (;;) {
		const struct vm_code *code = code_of(t->store, key);
		const struct vm_eh_entry *hd =
		    code != NULL ? find_handler(code,
		                                (uint32_t)(key - code->cells),
		                                e, st->inst)
		                 : NULL;
		if (hd != NULL) {
			if (hd->kind == VM_EH_CATCH && e->vals != NULL)
				memcpy(st->fp + hd->slot, e->vals,
				       wasm_nslots(e->tag->type->types, e->tag->type->nparams) * sizeof(uint64_t));
			if (hd->exn_slot != VM_EH_NO_SLOT)
				st->fp[hd->exn_slot] = h;
			st->pc = code->cells + hd->target;
			return NULL;
		}
		if (st->depth == 0)
			break;
		const struct vm_frame *fr = &t->frames[--st->depth];
		st->pc = fr->pc;
		st->fp = fr->fp;
		st->inst = fr->inst;
		if (st->pc == vm_interp_exit_pc())
			break;
		if (st->pc == vm_jmp_hook_cells)
			st->pc = vm_jmp_returned(t, st->depth);
		key = st->pc;
	}
	t->exn_escaped = h;
	return "uncaught exception";
}

const char *vm_eh_throw(struct vm_thread *t, struct vm_eh_state *st, bool ref)
{
	const uint32_t *op = st->pc + VM_HANDLER_CELLS; /* first operand */
	uint64_t h;

	if (ref) {
		h = st->fp[op[0]];
		if (h == 0)
			return "null exception reference";
		if (exn_of(t->exn, h) == NULL)
			return "stale exception reference";
	} else {
		uint32_t n = st->inst->tags[op[0]]->type->nparams;

		h = exn_new(t, st->inst->tags[op[0]], st->fp + op[1],
		            st->fp + op[1] + n);
		if (h == 0)
			return "exception storage exhausted";
	}
	return unwind(t, st, h, st->pc + 1);
}

const char *vm_eh_host_throw(struct vm_thread *t, struct vm_eh_state *st)
{
	uint64_t h = t->exn_pending;

	t->exn_pending = 0;
	if (exn_of(t->exn, h) == NULL)
		return "stale exception reference";
	if (st->pc == vm_interp_exit_pc()) {
		t->exn_escaped = h;
		return "uncaught exception";
	}
	if (st->pc == vm_jmp_hook_cells)
		st->pc = vm_jmp_returned(t, st->depth);
	return unwind(t, st, h, st->pc);
}

int vm_call_throw(struct vm_call *call, struct vm_tag *tag,
                  const uint64_t *vals)
{
	struct vm_thread *t = call->thread;
	uint64_t h;

	if (t == NULL || call->caller == NULL ||
	    (call->frame_pc == NULL && !t->host_from_aot))
		return vm_call_trap(call, "uncaught exception");
	h = exn_new(t, tag, vals, t->stack_top);
	if (h == 0)
		return vm_call_trap(call, "exception storage exhausted");
	t->exn_pending = h;
	return VM_ETHROW;
}

uint64_t vm_exn_new(struct vm_thread *t, struct vm_tag *tag,
                    const uint64_t *vals)
{
	return exn_new(t, tag, vals, t->stack_top);
}

struct vm_tag *vm_exn_get(struct vm_thread *t, uint64_t h,
                          const uint64_t **vals)
{
	const struct vm_exn *e = exn_of(t->exn, h);

	if (e == NULL)
		return NULL;
	*vals = e->vals;
	return e->tag;
}

struct vm_tag *vm_thread_uncaught(struct vm_thread *t, uint64_t *vals,
                                  uint32_t cap)
{
	const struct vm_exn *e = exn_of(t != NULL ? t->exn : NULL,
	                                t != NULL ? t->exn_escaped : 0);

	if (e == NULL || e->tag->type->nparams > cap)
		return NULL;
	if (e->vals != NULL)
		memcpy(vals, e->vals, e->tag->type->nparams * sizeof *vals);
	return e->tag;
}
