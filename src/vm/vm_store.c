/*
 * vm_store.c: stores, the objects they own, interned function types,
 * globals, host functions and vm_invoke (the entry into the interpreter).
 *
 * Keeps true: the value stack and the frame array are made on the first
 * call and never move; 's->stack_top' is the first slot no live frame
 * uses, so a host function that re-enters vm_invoke runs above its
 * caller's frames.
 */
#include <string.h>
#include <sys/mman.h>

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
}

int vm_store_own(void ***list, size_t *n, size_t *cap, void *p)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		void **nl = wx_realloc(*list, ncap * sizeof *nl);
		if (nl == NULL)
			return WX_ENOMEM;
		*list = nl;
		*cap = ncap;
	}
	(*list)[(*n)++] = p;
	return WX_OK;
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
	return s;
}

void vm_store_free(struct vm_store *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nfuncs; i++) {
		vm_code_free(s->funcs[i]->code);
		wx_free(s->funcs[i]);
	}
	for (size_t i = 0; i < s->ntables; i++)
		vm_table_free(s->tables[i]);
	for (size_t i = 0; i < s->nmemories; i++)
		vm_memory_free(s->memories[i]);
	for (size_t i = 0; i < s->nglobals; i++)
		wx_free(s->globals[i]);
	for (size_t i = 0; i < s->ninstances; i++)
		vm_instance_free(s->instances[i]);
	for (uint32_t i = 0; i < s->ntypes; i++) {
		wx_free(s->types[i]->types);
		wx_free(s->types[i]);
	}
	wx_free(s->funcs);
	wx_free(s->tables);
	wx_free(s->memories);
	wx_free(s->globals);
	wx_free(s->instances);
	wx_free(s->types);
	if (s->stack != NULL)
		munmap(s->stack, s->stack_bytes);
	wx_free(s->frames);
	wx_free(s);
}

bool vm_functype_equal(const struct wasm_functype *a,
                       const struct wasm_functype *b)
{
	if (a == b)
		return true;
	if (a->nparams != b->nparams || a->nresults != b->nresults)
		return false;
	return memcmp(a->types, b->types, a->nparams + a->nresults) == 0;
}

int64_t vm_store_intern_type(struct vm_store *s, const struct wasm_functype *ft)
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
	uint8_t *types = wx_malloc(n);
	if (copy == NULL || types == NULL) {
		wx_free(copy);
		wx_free(types);
		return -1;
	}
	if (n != 0)
		memcpy(types, ft->types, n);
	copy->nparams = ft->nparams;
	copy->nresults = ft->nresults;
	copy->types = types;
	s->types[s->ntypes] = copy;
	return s->ntypes++;
}

const struct wasm_functype *vm_func_type(const struct vm_func *f)
{
	return f->type;
}

static struct vm_func *func_alloc(struct vm_store *s, uint32_t type_id)
{
	struct vm_func *f = wx_calloc(1, sizeof *f);

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
	int64_t id = vm_store_intern_type(s, type);

	if (id < 0)
		return NULL;
	struct vm_func *f = func_alloc(s, (uint32_t)id);
	if (f == NULL)
		return NULL;
	f->host = fn;
	f->host_ud = ud;
	f->type = s->types[id];
	return f;
}

struct vm_func *vm_func_new_wasm(struct vm_store *s, struct vm_instance *inst,
                                 uint32_t index, uint32_t type_id)
{
	struct vm_func *f = func_alloc(s, type_id);

	if (f == NULL)
		return NULL;
	f->inst = inst;
	f->index = index;
	f->type = s->types[type_id];
	return f;
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
	return g->value;
}

void vm_global_set(struct vm_global *g, uint64_t v)
{
	g->value = v;
}

int vm_trap(struct vm_store *s, const char *msg)
{
	return diag_set(s->diag, WX_ETRAP, "%s", msg);
}

int vm_call_trap(struct vm_call *call, const char *msg)
{
	return vm_trap(call->store, msg);
}

/* Makes the value stack and the frame array on first use. */
static int exec_state_init(struct vm_store *s)
{
	if (s->stack != NULL)
		return WX_OK;
	size_t bytes = s->cfg.max_stack_slots * sizeof(uint64_t);
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return WX_ENOMEM;
	s->frames =
	    wx_alloc_array(s->cfg.max_call_depth + 1u, sizeof *s->frames);
	if (s->frames == NULL) {
		munmap(p, bytes);
		return WX_ENOMEM;
	}
	s->stack = p;
	s->stack_bytes = bytes;
	s->stack_end = s->stack + s->cfg.max_stack_slots;
	s->stack_top = s->stack;
	return WX_OK;
}

int vm_poll(struct vm_store *s, struct vm_instance *inst)
{
	if (s->cfg.interrupt != NULL && *s->cfg.interrupt) {
		if (s->cfg.on_interrupt == NULL)
			return vm_trap(s, "interrupted");
		int rc = s->cfg.on_interrupt(s, inst, s->cfg.interrupt_ud);
		if (rc == WX_ETRAP)
			return vm_trap(s, "interrupted");
		if (rc != 0)
			return rc;
	}
	return WX_OK;
}

int vm_call_host(struct vm_store *s, struct vm_func *f,
                 struct vm_instance *caller, uint64_t *args)
{
	const struct wasm_functype *ft = f->type;
	uint64_t *results = args + ft->nparams;
	uint64_t *saved_top = s->stack_top;
	int rc;

	if (results < s->stack_top)
		results = s->stack_top;
	if (results + ft->nresults + 16 > s->stack_end)
		return vm_trap(s, "call stack exhausted");
	memset(results, 0, ft->nresults * sizeof *results);
	s->stack_top = results + ft->nresults;

	struct vm_call call = {
	    .store = s,
	    .caller = caller,
	    .memory = caller != NULL ? vm_instance_memory(caller) : NULL,
	    .args = args,
	    .results = results,
	};
	rc = f->host(&call, f->host_ud);
	s->stack_top = saved_top;
	if (rc == WX_OK) {
		memmove(args, results, ft->nresults * sizeof *results);
	} else if (rc == WX_EEXIT) {
		s->exit_code = call.exit_code;
	} else {
		rc = WX_ETRAP;
		vm_trap(s, "host function trapped");
	}
	return rc;
}

int vm_invoke(struct vm_store *s, struct vm_func *f, const uint64_t *args,
              uint64_t *results, int *exit_code, struct diag *diag)
{
	const struct wasm_functype *ft = f->type;
	struct diag local_diag = {0};
	struct diag *saved_diag = s->diag;
	uint32_t saved_depth = s->depth;
	uint64_t *base;
	int rc;

	if (diag == NULL)
		diag = &local_diag;
	rc = exec_state_init(s);
	if (rc != WX_OK)
		return diag_set(diag, rc, "out of memory for the value stack");
	base = s->stack_top;
	s->diag = diag;
	if (s->nest >= VM_MAX_NESTING ||
	    (size_t)(s->stack_end - base) <
	        (size_t)ft->nparams + ft->nresults + 16) {
		rc = vm_trap(s, "call stack exhausted");
		goto out;
	}
	if (ft->nparams != 0)
		memcpy(base, args, ft->nparams * sizeof *args);
	s->nest++;
	if (f->host != NULL)
		rc = vm_call_host(s, f, NULL, base);
	else
		rc = vm_interp_run(s, f, base);
	s->nest--;
	if (rc == WX_OK && ft->nresults != 0)
		memcpy(results, base, ft->nresults * sizeof *results);
	if (rc == WX_EEXIT && exit_code != NULL)
		*exit_code = s->exit_code;
out:
	s->stack_top = base;
	s->depth = saved_depth;
	s->diag = saved_diag;
	return rc;
}
