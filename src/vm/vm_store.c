/*
 * vm_store.c: stores, the objects they own, interned function types,
 * globals, host functions and vm_invoke (the entry into the interpreter).
 *
 * Keeps true: a thread's value stack and frame array are made on its
 * first call and never move; 't->stack_top' is the first slot no live
 * frame uses, so a host function that re-enters vm_invoke runs above its
 * caller's frames. An instance's own functions are one block owned
 * through its first function (vm_funcs_new_wasm); vm_store_free frees a
 * block after every function in it has been read. A store released in a
 * process forked after it was made (vm_store_release) keeps its heap
 * objects, reachable, until the exit.
 * THREADS: vm_invoke runs on the calling host thread's context
 * (vm_thread_of); the owning lists and the type registry change under
 * vm_lock; fuel is taken from 's->fuel_left' with atomic operations.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm/vm_code.h"
#include "vm/vm_impl.h"

/* Nested vm_invoke calls (host -> wasm -> host ...) use the C stack. */
#define VM_MAX_NESTING 200

void vm_config_default(struct vm_config *c)
{
	memset(c, 0, sizeof *c);
	c->max_call_depth = 10000;
	c->max_stack_slots = 8u << 20;
	c->max_memory_pages = 65536;
	c->max_table_elems = 10000000;
	c->max_wait_ns = -1;
	const char *bc = getenv("WASMIX_BOUNDS_CHECKS");
	c->bounds_checks = bc != NULL && strcmp(bc, "1") == 0;
}

int vm_store_own(void ***list, size_t *n, size_t *cap, void *p)
{
	int rc = WX_OK;

	vm_lock();
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		void **nl = wx_realloc(*list, ncap * sizeof *nl);
		if (nl == NULL) {
			rc = WX_ENOMEM;
			goto out;
		}
		*list = nl;
		*cap = ncap;
	}
	(*list)[(*n)++] = p;
out:
	vm_unlock();
	return rc;
}

#define STORE_OWN(s, kind, p)                                                  \
	vm_store_own((void ***)&(s)->kind, &(s)->n##kind, &(s)->cap_##kind, (p))

struct vm_store *vm_store_new(const struct vm_config *cfg)
{
	struct vm_store *s = wx_calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	if (cfg != NULL)
		s->cfg = *cfg;
	else
		vm_config_default(&s->cfg);
	if (s->cfg.max_call_depth == 0)
		s->cfg.max_call_depth = 1;
	if (s->cfg.max_stack_slots < 1024)
		s->cfg.max_stack_slots = 1024;
	s->fuel_left = s->cfg.fuel;
	s->fuel_chunk = 4096;
	s->main.store = s;
	s->made_in = getpid();
	vm_thread_global_init();
	return s;
}

/* Stores kept by vm_store_release (reachable: not leaks; volatile, as
 * nothing reads it and the stores into it must stay). */
static struct vm_store *volatile vm_kept_stores;

void vm_store_release(struct vm_store *s)
{
	if (s == NULL || s->made_in == getpid()) {
		vm_store_free(s);
		return;
	}
	for (size_t i = 0; i < s->nmemories; i++) {
		vm_memory_free(s->memories[i]);
		s->memories[i] = NULL;
	}
	s->nmemories = 0;
	if (s->main.stack != NULL) /* the frames too */
		munmap(s->main.stack, s->main.stack_bytes);
	s->main.stack = NULL;
	s->main.frames = NULL;
	vm_lock();
	s->kept_next = vm_kept_stores;
	vm_kept_stores = s;
	vm_unlock();
}

void vm_store_free(struct vm_store *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nfuncs; i++) {
		vm_code_free(s->funcs[i]->code);
		vm_code_free(s->funcs[i]->retired);
	}
	/* Then lone functions, then blocks (a block's head frees the
	 * functions after it, which must not be read after that). */
	for (size_t i = 0; i < s->nfuncs; i++) {
		if (s->funcs[i]->block == VM_FUNC_BLOCK_HEAD)
			continue;
		if (s->funcs[i]->block == VM_FUNC_ALONE)
			wx_free(s->funcs[i]);
		s->funcs[i] = NULL;
	}
	for (size_t i = 0; i < s->nfuncs; i++)
		wx_free(s->funcs[i]);
	for (size_t i = 0; i < s->ntables; i++)
		vm_table_free(s->tables[i]);
	for (size_t i = 0; i < s->nmemories; i++)
		vm_memory_free(s->memories[i]);
	for (size_t i = 0; i < s->nglobals; i++)
		wx_free(s->globals[i]);
	for (size_t i = 0; i < s->ninstances; i++)
		vm_instance_free(s->instances[i]);
	for (size_t i = 0; i < s->ntags; i++)
		wx_free(s->tags[i]);
	wx_free(s->tags);
	for (uint32_t i = 0; i < s->ntypes; i++) {
		wx_free(s->types[i]->types);
		wx_free(s->types[i]);
	}
	wx_free(s->funcs);
	wx_free(s->tables);
	wx_free(s->memories);
	wx_free(s->globals);
	wx_free(s->tl_globals); /* owned through 'globals' */
	wx_free(s->instances);
	wx_free(s->types);
	vm_thread_fini_stacks(&s->main);
	wx_free(s);
}

bool vm_functype_equal(const struct wasm_functype *a,
                       const struct wasm_functype *b)
{
	if (a == b)
		return true;
	if (a->nparams != b->nparams || a->nresults != b->nresults)
		return false;
	return memcmp(a->types, b->types,
	              ((size_t)a->nparams + a->nresults) * sizeof *a->types) ==
	       0;
}

static int64_t intern_locked(struct vm_store *s,
                             const struct wasm_functype *ft)
{
	for (uint32_t i = 0; i < s->ntypes; i++)
		if (vm_functype_equal(s->types[i], ft))
			return i;
	if (s->ntypes == s->cap_types) {
		uint32_t ncap = s->cap_types ? s->cap_types * 2 : 32;
		struct wasm_functype **nt =
		    wx_realloc(s->types, (size_t)ncap * sizeof *nt);
		if (nt == NULL)
			return -1;
		s->types = nt;
		s->cap_types = ncap;
	}
	size_t n = (size_t)ft->nparams + ft->nresults;
	struct wasm_functype *copy = wx_calloc(1, sizeof *copy);
	uint32_t *types = wx_alloc_array(n + 1, sizeof *types);
	if (copy == NULL || types == NULL) {
		wx_free(copy);
		wx_free(types);
		return -1;
	}
	if (n != 0)
		memcpy(types, ft->types, n * sizeof *types);
	copy->nparams = ft->nparams;
	copy->nresults = ft->nresults;
	copy->types = types;
	s->types[s->ntypes] = copy;
	return s->ntypes++;
}

/* Does 'ft' name a type index (not allowed in host function types)? */
static bool has_type_index(const struct wasm_functype *ft)
{
	for (uint32_t i = 0; i < ft->nparams + ft->nresults; i++)
		if (wasm_vt_has_index(ft->types[i]))
			return true;
	return false;
}

int64_t vm_store_intern_type(struct vm_store *s, const struct wasm_functype *ft)
{
	vm_lock();
	int64_t id = intern_locked(s, ft);
	vm_unlock();
	return id;
}

const struct wasm_functype *vm_func_type(const struct vm_func *f)
{
	return f->type;
}

/* A function with 'extra' zeroed bytes after it (for host data). */
static struct vm_func *func_alloc(struct vm_store *s, uint32_t type_id,
                                  size_t extra)
{
	struct vm_func *f = wx_calloc(1, sizeof *f + extra);

	if (f == NULL)
		return NULL;
	f->type_id = type_id;
	if (STORE_OWN(s, funcs, f) != WX_OK) {
		wx_free(f);
		return NULL;
	}
	return f;
}

struct vm_func *vm_func_new_host(struct vm_store *s,
                                 const struct wasm_functype *type,
                                 vm_host_fn fn, void *ud)
{
	int64_t id = has_type_index(type) ? -1 : vm_store_intern_type(s, type);

	if (id < 0)
		return NULL;
	struct vm_func *f = func_alloc(s, (uint32_t)id, 0);
	if (f == NULL)
		return NULL;
	f->host = fn;
	f->host_ud = ud;
	vm_lock();
	f->type = s->types[id];
	vm_unlock();
	return f;
}

struct vm_func *vm_func_new_host_data(struct vm_store *s,
                                      const struct wasm_functype *type,
                                      vm_host_fn fn, size_t size, void **data)
{
	/* Room for the data after the function, suitably aligned. */
	size_t head = (sizeof(struct vm_func) + sizeof(max_align_t) - 1) /
	              sizeof(max_align_t) * sizeof(max_align_t);
	int64_t id = has_type_index(type) ? -1 : vm_store_intern_type(s, type);

	if (id < 0 || size > SIZE_MAX - head)
		return NULL;
	struct vm_func *f =
	    func_alloc(s, (uint32_t)id, head - sizeof *f + size);
	if (f == NULL)
		return NULL;
	f->host = fn;
	f->host_ud = (char *)f + head;
	*data = f->host_ud;
	vm_lock();
	f->type = s->types[id];
	vm_unlock();
	return f;
}

bool vm_func_host(const struct vm_func *f, vm_host_fn *fn, void **ud)
{
	if (f->host == NULL)
		return false;
	*fn = f->host;
	*ud = f->host_ud;
	return true;
}

int vm_funcs_new_wasm(struct vm_store *s, struct vm_instance *inst)
{
	const struct wasm_module *m = inst->module;
	uint32_t first = m->num_imported_funcs, n = m->nfuncs - first;
	struct vm_func *block;
	int rc = WX_OK;

	if (n == 0)
		return WX_OK;
	block = wx_alloc_array(n, sizeof *block);
	if (block == NULL)
		return WX_ENOMEM;
	vm_lock();
	if (s->cap_funcs - s->nfuncs < n) {
		size_t ncap = s->cap_funcs ? s->cap_funcs : 16;
		while (ncap - s->nfuncs < n)
			ncap *= 2;
		struct vm_func **nl = wx_realloc(s->funcs, ncap * sizeof *nl);
		if (nl == NULL) {
			rc = WX_ENOMEM;
			goto out;
		}
		s->funcs = nl;
		s->cap_funcs = ncap;
	}
	for (uint32_t k = 0; k < n; k++) {
		struct vm_func *f = &block[k];
		uint32_t tid = inst->type_ids[m->funcs[first + k].type];

		f->type_id = tid;
		f->type = s->types[tid];
		f->inst = inst;
		f->index = first + k;
		f->block = k == 0 ? VM_FUNC_BLOCK_HEAD : VM_FUNC_IN_BLOCK;
		inst->funcs[first + k] = f;
		s->funcs[s->nfuncs++] = f;
	}
out:
	vm_unlock();
	if (rc != WX_OK)
		wx_free(block);
	return rc;
}

struct vm_global *vm_global_new(struct vm_store *s,
                                const struct wasm_globaltype *type,
                                uint64_t init)
{
	struct vm_global *g = wx_calloc(1, sizeof *g);

	if (g == NULL)
		return NULL;
	g->type = *type;
	g->value = init;
	g->store = s;
	if (STORE_OWN(s, globals, g) != WX_OK) {
		wx_free(g);
		return NULL;
	}
	return g;
}

const struct wasm_globaltype *vm_global_type(const struct vm_global *g)
{
	return &g->type;
}

uint64_t vm_global_get(const struct vm_global *g)
{
	if (g->tl1 != 0) {
		uint64_t *p = vm_thread_tl(vm_thread_of(g->store), g->tl1 - 1);
		return p != NULL ? *p : g->value;
	}
	return g->value;
}

void vm_global_set(struct vm_global *g, uint64_t v)
{
	if (g->tl1 != 0) {
		uint64_t *p = vm_thread_tl(vm_thread_of(g->store), g->tl1 - 1);
		if (p != NULL)
			*p = v;
		return;
	}
	g->value = v;
}

void vm_global_get128(const struct vm_global *g, uint64_t out[2])
{
	out[0] = g->value;
	out[1] = g->hi;
}

void vm_global_set128(struct vm_global *g, const uint64_t v[2])
{
	g->value = v[0];
	g->hi = v[1];
}

int vm_trap(struct vm_thread *t, const char *msg)
{
	return diag_set(t->diag, WX_ETRAP, "%s", msg);
}

int vm_call_trap(struct vm_call *call, const char *msg)
{
	struct vm_thread *t = call->thread != NULL ? call->thread
	                                           : vm_thread_of(call->store);

	if (t->trap_inst == NULL && call->caller != NULL &&
	    call->frame_pc != NULL) {
		t->trap_inst = call->caller;
		t->trap_pc = call->frame_pc;
	}
	return vm_trap(t, msg);
}

bool vm_trap_origin(struct vm_store *s, struct vm_instance **inst,
                    uint32_t *func_index)
{
	struct vm_thread *t = vm_thread_of(s);
	struct vm_instance *in = t->trap_inst;

	if (in == NULL)
		return false;
	for (uint32_t i = 0; i < in->module->nfuncs; i++) {
		const struct vm_func *f = in->funcs[i];
		if (f->inst == in && vm_func_code_at(f, t->trap_pc) != NULL) {
			*inst = in;
			*func_index = i;
			return true;
		}
	}
	return false;
}

/*
 * The first value-stack slot above the frame at 'fp' of the function of
 * 'inst' whose code holds 'pc', or NULL. Only called with an interrupt
 * pending, so the search over the instance's functions costs nothing on
 * the hot path.
 */
static uint64_t *vm_live_top(struct vm_instance *inst, const uint32_t *pc,
                             uint64_t *fp)
{
	if (inst == NULL || pc == NULL || fp == NULL)
		return NULL;
	for (uint32_t i = 0; i < inst->module->nfuncs; i++) {
		const struct vm_code *code = vm_func_code_at(inst->funcs[i], pc);

		if (code != NULL)
			return fp + code->frame_size;
	}
	return NULL;
}

int vm_poll(struct vm_thread *t, struct vm_instance *inst, const uint32_t *pc,
            uint64_t *fp)
{
	struct vm_store *s = t->store;

	/* Atomic: other threads (a timer, a stopper) may raise the flag. */
	if (s->cfg.interrupt != NULL &&
	    __atomic_load_n(s->cfg.interrupt, __ATOMIC_RELAXED)) {
		if (s->cfg.on_interrupt == NULL)
			return vm_trap(t, "interrupted");
		/* Protect the running frame from a nested vm_invoke. */
		uint64_t *saved_top = t->stack_top;
		uint64_t *top = vm_live_top(inst, pc, fp);

		if (top != NULL && top > t->stack_top && top <= t->stack_end)
			t->stack_top = top;
		struct vm_guard_jmp *guard = vm_guard_suspend();
		int rc = s->cfg.on_interrupt(s, inst, s->cfg.interrupt_ud);
		vm_guard_resume(guard);
		t->stack_top = saved_top;
		if (rc == WX_ETRAP)
			return vm_trap(t, "interrupted");
		if (rc != 0)
			return rc;
	}
	return WX_OK;
}

int vm_call_host(struct vm_thread *t, struct vm_func *f,
                 struct vm_instance *caller, uint64_t *args)
{
	const struct wasm_functype *ft = f->type;
	uint32_t nres = wasm_nslots(ft->types + ft->nparams, ft->nresults);
	uint64_t *results = args + wasm_nslots(ft->types, ft->nparams);
	uint64_t *saved_top = t->stack_top;
	int rc;

	if (results < t->stack_top)
		results = t->stack_top;
	if (results + nres + 16 > t->stack_end)
		return vm_trap(t, "call stack exhausted");
	memset(results, 0, nres * sizeof *results);
	t->stack_top = results + nres;

	struct vm_call call = {
	    .store = t->store,
	    .thread = t,
	    .caller = caller,
	    .memory = caller != NULL ? vm_instance_memory(caller) : NULL,
	    .args = args,
	    .results = results,
	    .frame_pc = caller != NULL ? t->host_pc : NULL,
	    .frame_fp = caller != NULL ? t->host_fp : NULL,
	    .frame_depth = caller != NULL ? t->depth : 0,
	};
	/* A fault in host code is a host bug, never a guest trap. */
	struct vm_guard_jmp *guard = vm_guard_suspend();
	rc = f->host(&call, f->host_ud);
	vm_guard_resume(guard);
	t->stack_top = saved_top;
	if (rc == WX_OK && WX_UNLIKELY(t->jmp != NULL) && vm_jmp_pending(t)) {
		/* A layer between here and vm_jmp_restore dropped VM_EJUMP. */
		vm_jmp_cancel(t);
		rc = vm_trap(t, "longjmp was lost by a host function");
	} else if (rc == WX_OK) {
		memmove(args, results, nres * sizeof *results);
	} else if (rc == WX_EEXIT) {
		t->exit_code = call.exit_code;
	} else if (rc == VM_EJUMP) {
		/* A longjmp unwinds: vm_jmp_land in the interpreter. */
	} else if (rc == VM_ETHROW && caller != NULL) {
		/* The interpreter unwinds (vm_eh_host_throw). */
	} else {
		rc = WX_ETRAP;
		vm_trap(t, "host function trapped");
	}
	return rc;
}

int vm_invoke(struct vm_store *s, struct vm_func *f, const uint64_t *args,
              uint64_t *results, int *exit_code, struct diag *diag)
{
	const struct wasm_functype *ft = f->type;
	uint32_t nargs = wasm_nslots(ft->types, ft->nparams);
	uint32_t nres = wasm_nslots(ft->types + ft->nparams, ft->nresults);
	struct vm_thread *t = vm_thread_of(s);
	struct diag local_diag = {0};
	struct diag *saved_diag = t->diag;
	uint32_t saved_depth = t->depth;
	uint64_t *base;
	int rc;

	if (diag == NULL)
		diag = &local_diag;
	rc = vm_thread_init_stacks(t);
	if (rc != WX_OK)
		return diag_set(diag, rc, "out of memory for the value stack");
	base = t->stack_top;
	t->diag = diag;
	t->trap_inst = NULL; /* an earlier trap was handled by now */
	if (t->nest >= VM_MAX_NESTING ||
	    (size_t)(t->stack_end - base) <
	        (size_t)nargs + nres + 16) {
		rc = vm_trap(t, "call stack exhausted");
		goto out;
	}
	if (nargs != 0)
		memcpy(base, args, nargs * sizeof *args);
	if (t->nest == 0)
		t->exn_escaped = 0;
	t->nest++;
	if (f->host != NULL)
		rc = vm_call_host(t, f, NULL, base);
	else
		rc = vm_interp_run(t, f, base);
	t->nest--;
	/* Only the outermost level's escaped exception is kept. */
	if (t->nest != 0 || rc != WX_ETRAP)
		t->exn_escaped = 0;
	if (WX_UNLIKELY(rc == VM_EJUMP ? t->nest == 0
	                               : t->jmp != NULL && vm_jmp_pending(t))) {
		/* A longjmp made a trap or exit on the way, or dropped (a
		 * trap then); none escapes the outermost level. */
		vm_jmp_cancel(t);
		if (rc == WX_OK || rc == VM_EJUMP)
			rc = vm_trap(t, rc == WX_OK
			                    ? "longjmp was lost by a host function"
			                    : "longjmp target frame not found");
	}
	if (rc == WX_OK && nres != 0)
		memcpy(results, base, nres * sizeof *results);
	if (rc == WX_EEXIT && exit_code != NULL)
		*exit_code = t->exit_code;
out:
	t->stack_top = base;
	t->depth = saved_depth;
	t->diag = saved_diag;
	return rc;
}
