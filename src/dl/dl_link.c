/*
 * dl_link.c: the dynamic linker of dl.h: module placement, symbol
 * resolution, GOT entries, stubs for symbols defined later, relocations
 * and constructors, dlopen/dlsym.
 *
 * Keeps true:
 *  - mods[h - 1] is the module of handle h; mods[0] is the main module.
 *    A module is never removed once its load succeeded (dlclose only
 *    drops a reference); a failed load removes the modules it added.
 *  - One GOT global per (GOT.mem | GOT.func, name), shared by every
 *    module that imports it; its value is set once every module of the
 *    load that asked for it is instantiated.
 *  - One table slot per function handed out as a pointer (the slot map),
 *    so dlsym and GOT.func agree and pointer comparison works.
 *  - Side modules' data live only in memory grown for them (the heap of
 *    the main module's malloc owns everything else past its stack).
 */
#include "dl/dl_impl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "wasm/wasm_dylink.h"

#define DL_PAGE 65536u

struct dl_mod {
	char *name; /* as asked: the needed entry or dlopen's path */
	char *path; /* where it was found ("" for the main module) */
	struct wasm_module *own; /* decoded side module; NULL for main */
	const struct wasm_module *m;
	struct wasm_dylink info;
	uint64_t memory_base; /* 64-bit with memory64 */
	uint32_t table_base;
	struct vm_instance *inst;
	uint32_t refs;
	bool global;    /* its symbols resolve other modules' imports */
	uint32_t *deps; /* indices into mods of its needed libraries */
	uint32_t ndeps;
};

struct dl_got {
	char *name;
	bool func; /* GOT.func (a table slot) or GOT.mem (an address) */
	bool done;
	uint32_t owner; /* when done: the defining module's index */
	struct vm_global *g;
};

/* A function import that no instantiated module defined at link time. */
struct dl_stub {
	struct dl_linker *l;
	uint32_t mod;     /* index of the importing module */
	uint32_t index;   /* its function index */
	const char *name; /* in the importing module's bytes */
	uint32_t len;
	const struct wasm_functype *type; /* the import's */
	bool pending;                     /* still bound to the stub */
};

struct dl_slot {
	struct vm_func *f;
	uint32_t idx;
};

struct dl_tagent {
	char *name;
	struct vm_tag *tag;
};

/* The resolver's context while one module is instantiated. */
struct dl_inst_ctx {
	struct dl_linker *l;
	uint32_t mod;
};

static char *dl_strndup(const char *s, size_t n)
{
	char *p = wx_malloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

static bool dl_name_is(const char *a, size_t alen, const char *b)
{
	return strlen(b) == alen && memcmp(a, b, alen) == 0;
}

/* Grows '*arr' (of 'size'-byte entries) to hold n + 1; WX_ENOMEM. */
static int dl_reserve(void **arr, uint32_t n, uint32_t *cap, size_t size)
{
	void *p;
	uint32_t ncap;

	if (n < *cap)
		return WX_OK;
	ncap = *cap ? *cap * 2 : 16;
	p = wx_realloc(*arr, (size_t)ncap * size);
	if (p == NULL)
		return WX_ENOMEM;
	*arr = p;
	*cap = ncap;
	return WX_OK;
}

bool dl_module_is_pic(const struct wasm_module *m)
{
	return m != NULL && m->dylink != NULL;
}

/*
 * The linker's lock: a plain mutex made recursive by hand (owner and
 * depth), so that a fork child, whose only thread is the one that forked
 * (same thread-local addresses, new kernel id), can release what that
 * thread held in the parent: a recursive pthread mutex would refuse it.
 */
static _Thread_local char dl_self; /* its address names the thread */

void dl_lock(struct dl_linker *l)
{
	if (__atomic_load_n(&l->owner, __ATOMIC_RELAXED) == &dl_self) {
		l->held++;
		return;
	}
	pthread_mutex_lock(&l->mu);
	__atomic_store_n(&l->owner, &dl_self, __ATOMIC_RELAXED);
	l->held = 1;
}

void dl_unlock(struct dl_linker *l)
{
	if (--l->held != 0)
		return;
	__atomic_store_n(&l->owner, NULL, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&l->mu);
}

void dl_fork_begin(struct dl_linker *l)
{
	if (l != NULL)
		dl_lock(l);
}

void dl_fork_end(struct dl_linker *l, bool child)
{
	(void)child; /* the same in both: the forking thread holds it */
	if (l != NULL)
		dl_unlock(l);
}

int dl_linker_new(struct vm_store *s, const struct dl_host *host,
                  struct dl_linker **out)
{
	struct dl_linker *l = wx_calloc(1, sizeof *l);

	*out = NULL;
	if (l == NULL)
		return WX_ENOMEM;
	pthread_mutex_init(&l->mu, NULL);
	l->s = s;
	l->host = *host;
	if (host->limits != NULL)
		l->lim = *host->limits;
	else
		wasm_limits_default(&l->lim);
	l->host.limits = &l->lim;
	*out = l;
	return WX_OK;
}

void dl_set_host_ud(struct dl_linker *l, void *ud)
{
	l->host.ud = ud;
}

static void dl_mod_free(struct dl_mod *d)
{
	if (d == NULL)
		return;
	wasm_dylink_free(&d->info);
	wasm_module_free(d->own);
	wx_free(d->name);
	wx_free(d->path);
	wx_free(d->deps);
	wx_free(d);
}

void dl_linker_free(struct dl_linker *l)
{
	if (l == NULL)
		return;
	for (uint32_t i = 0; i < l->nmods; i++)
		dl_mod_free(l->mods[i]);
	wx_free(l->mods);
	for (uint32_t i = 0; i < l->ngot; i++)
		wx_free(l->got[i].name);
	wx_free(l->got);
	wx_free(l->stubs); /* the stubs themselves belong to the store */
	for (uint32_t i = 0; i < l->ntags; i++)
		wx_free(l->tags[i].name);
	wx_free(l->tags);
	wx_free(l->slots);
	dl_closures_free(l);
	/* A run can end inside a load (a constructor exits): then it is
	 * still held, and destroying it would be undefined. */
	if (l->held == 0)
		pthread_mutex_destroy(&l->mu);
	wx_free(l);
}

struct vm_table *dl_table(const struct dl_linker *l)
{
	return l->table;
}

struct vm_memory *dl_memory(const struct dl_linker *l)
{
	return l->mem;
}

/* ---- function pointers ------------------------------------------------- */

static uint32_t dl_slot_hash(const struct vm_func *f, uint32_t mask)
{
	uint64_t h = (uint64_t)(uintptr_t)f * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(h >> 32) & mask;
}

static int dl_slots_grow(struct dl_linker *l)
{
	uint32_t ncap = l->capslots ? l->capslots * 2 : 256;
	struct dl_slot *ns = wx_alloc_array(ncap, sizeof *ns);

	if (ns == NULL)
		return WX_ENOMEM;
	for (uint32_t i = 0; i < l->capslots; i++) {
		struct vm_func *f = l->slots[i].f;
		uint32_t h;

		if (f == NULL)
			continue;
		for (h = dl_slot_hash(f, ncap - 1); ns[h].f != NULL;
		     h = (h + 1) & (ncap - 1))
			;
		ns[h] = l->slots[i];
	}
	wx_free(l->slots);
	l->slots = ns;
	l->capslots = ncap;
	return WX_OK;
}

/*
 * The table slot of function 'f': the one it was given before, else a
 * new slot appended to the table. WX_ENOMEM / WX_ELIMIT.
 */
static int dl_func_slot(struct dl_linker *l, struct vm_func *f, uint32_t *idx)
{
	uint32_t h;
	int64_t old;

	if ((l->nslots + 1) * 2 > l->capslots && dl_slots_grow(l) != WX_OK)
		return WX_ENOMEM;
	for (h = dl_slot_hash(f, l->capslots - 1); l->slots[h].f != NULL;
	     h = (h + 1) & (l->capslots - 1))
		if (l->slots[h].f == f) {
			*idx = l->slots[h].idx;
			return WX_OK;
		}
	old = vm_table_grow(l->table, 1, (uint64_t)(uintptr_t)f);
	if (old < 0 || old > UINT32_MAX)
		return WX_ELIMIT;
	l->slots[h].f = f;
	l->slots[h].idx = (uint32_t)old;
	l->nslots++;
	*idx = (uint32_t)old;
	return WX_OK;
}

/* ---- symbols ------------------------------------------------------------ */

/* Whether module 'i' is searched for the load in progress. */
static bool dl_in_scope(const struct dl_linker *l, uint32_t i)
{
	return l->mods[i]->global || i >= l->load_first;
}

/* Export 'name' of kind 'kind' of module 'd', or NULL. */
static const struct wasm_export *
dl_export(const struct dl_mod *d, const char *name, size_t len, uint8_t kind)
{
	const struct wasm_module *m = d->m;

	for (uint32_t i = 0; i < m->nexports; i++) {
		const struct wasm_export *e = &m->exports[i];

		if (e->kind == kind && e->name_len == len &&
		    memcmp(e->name, name, len) == 0)
			return e;
	}
	return NULL;
}

/* The type of an address: i64 with memory64, else i32. */
static uint8_t dl_addr_type(const struct dl_linker *l)
{
	return l->is64 ? WASM_I64 : WASM_I32;
}

/* Whether global export 'e' of 'd' is a data symbol (an immutable global
 * of the address type). */
static bool dl_is_data(const struct dl_linker *l, const struct dl_mod *d,
                       const struct wasm_export *e)
{
	const struct wasm_global *g = &d->m->globals[e->index];

	return !g->type.mut && g->type.valtype == dl_addr_type(l);
}

/*
 * The first module in scope (in order) that defines 'name' as a function
 * ('func') or a data symbol: its index, or -1.
 */
static int64_t dl_find(const struct dl_linker *l, const char *name, size_t len,
                       bool func)
{
	for (uint32_t i = 0; i < l->nmods; i++) {
		const struct dl_mod *d = l->mods[i];
		const struct wasm_export *e;

		if (!dl_in_scope(l, i))
			continue;
		e = dl_export(d, name, len,
		              func ? WASM_EXT_FUNC : WASM_EXT_GLOBAL);
		if (e != NULL && (func || dl_is_data(l, d, e)))
			return i;
	}
	return -1;
}

/* Function export 'name' of instantiated module 'd', or NULL. */
static struct vm_func *dl_func_of(const struct dl_mod *d, const char *name,
                                  size_t len)
{
	struct vm_extern ext;

	if (d->inst == NULL ||
	    vm_instance_export(d->inst, name, len, &ext) != WX_OK ||
	    ext.kind != WASM_EXT_FUNC)
		return NULL;
	return ext.u.func;
}

/* The address of data symbol 'name' of instantiated module 'd'. */
static bool dl_data_of(const struct dl_linker *l, const struct dl_mod *d,
                       const char *name, size_t len, uint64_t *addr)
{
	struct vm_extern ext;
	uint32_t flags;

	if (d->inst == NULL ||
	    vm_instance_export(d->inst, name, len, &ext) != WX_OK ||
	    ext.kind != WASM_EXT_GLOBAL)
		return false;
	flags = wasm_dylink_export_flags(&d->info, name, len);
	*addr = vm_global_get(ext.u.global);
	if (!l->is64)
		*addr = (uint32_t)*addr;
	if (!(flags & WASM_SYM_ABSOLUTE))
		*addr += d->memory_base;
	return true;
}

/* ---- the stub of a symbol defined later -------------------------------- */

/* Binds stub 's' to 'f' in its module (when instantiated). */
static void dl_stub_bind(struct dl_stub *st, struct vm_func *f)
{
	struct dl_mod *d = st->l->mods[st->mod];

	if (d->inst != NULL &&
	    vm_instance_relink_func(d->inst, st->index, f) == WX_OK)
		st->pending = false;
}

static int dl_stub_call(struct vm_call *c, void *ud)
{
	struct dl_stub *st = ud;
	struct dl_linker *l = st->l;
	struct vm_func *f = NULL;
	struct diag d = {0};
	char msg[200];
	int64_t i;
	int rc, code = 0;

	dl_lock(l);
	if (st->mod >= l->nmods) {
		dl_unlock(l);
		return vm_call_trap(c, "call into a library whose load failed");
	}
	/* Every module loaded by now is in scope for a late binding. */
	uint32_t saved = l->load_first;
	l->load_first = 0;
	i = dl_find(l, st->name, st->len, true);
	l->load_first = saved;
	if (i >= 0)
		f = dl_func_of(l->mods[i], st->name, st->len);
	if (f != NULL && vm_functype_equal(vm_func_type(f), st->type))
		dl_stub_bind(st, f);
	dl_unlock(l);
	if (f == NULL || !vm_functype_equal(vm_func_type(f), st->type)) {
		snprintf(msg, sizeof msg,
		         "unresolved symbol '%.*s' (called from %s)",
		         (int)(st->len > 120 ? 120 : st->len), st->name,
		         l->mods[st->mod]->name);
		return vm_call_trap(c, msg);
	}
	rc = vm_invoke(c->store, f, c->args, c->results, &code, &d);
	if (rc == WX_EEXIT)
		c->exit_code = code;
	if (rc == WX_ETRAP)
		return vm_call_trap(c, d.msg);
	return rc;
}

/* A stub for function import 'imp' (function 'index') of module 'mod'. */
static int dl_stub_new(struct dl_linker *l, uint32_t mod, uint32_t index,
                       const struct wasm_import *imp, struct vm_extern *out)
{
	const struct wasm_module *m = l->mods[mod]->m;
	struct dl_stub *st;
	struct vm_func *f;

	if (dl_reserve((void **)&l->stubs, l->nstubs, &l->capstubs,
	               sizeof *l->stubs) != WX_OK)
		return WX_ENOMEM;
	f = vm_func_new_host_data(l->s, &m->types[imp->d.func_type],
	                          dl_stub_call, sizeof *st, (void **)&st);
	if (f == NULL)
		return WX_ENOMEM;
	st->l = l;
	st->mod = mod;
	st->index = index;
	st->name = imp->name;
	st->len = imp->name_len;
	st->type = &m->types[imp->d.func_type];
	st->pending = true;
	l->stubs[l->nstubs++] = st;
	out->kind = WASM_EXT_FUNC;
	out->u.func = f;
	return WX_OK;
}

/* ---- the resolver ------------------------------------------------------ */

static int dl_got_entry(struct dl_linker *l, const struct wasm_import *imp,
                        bool func, struct vm_extern *out)
{
	struct dl_got *g;

	for (uint32_t i = 0; i < l->ngot; i++)
		if (l->got[i].func == func &&
		    dl_name_is(imp->name, imp->name_len, l->got[i].name)) {
			out->kind = WASM_EXT_GLOBAL;
			out->u.global = l->got[i].g;
			return WX_OK;
		}
	if (dl_reserve((void **)&l->got, l->ngot, &l->capgot, sizeof *l->got))
		return WX_ENOMEM;
	g = &l->got[l->ngot];
	memset(g, 0, sizeof *g);
	g->func = func;
	g->name = dl_strndup(imp->name, imp->name_len);
	g->g = vm_global_new(l->s, &imp->d.global, 0);
	if (g->name == NULL || g->g == NULL) {
		wx_free(g->name);
		return WX_ENOMEM;
	}
	l->ngot++;
	out->kind = WASM_EXT_GLOBAL;
	out->u.global = g->g;
	return WX_OK;
}

static int dl_tag(struct dl_linker *l, const struct wasm_module *m,
                  const struct wasm_import *imp, struct vm_extern *out)
{
	struct dl_tagent *t;

	out->kind = WASM_EXT_TAG;
	for (uint32_t i = 0; i < l->ntags; i++)
		if (dl_name_is(imp->name, imp->name_len, l->tags[i].name)) {
			out->u.tag = l->tags[i].tag;
			return WX_OK;
		}
	t = wx_realloc(l->tags, (l->ntags + 1) * sizeof *t);
	if (t == NULL)
		return WX_ENOMEM;
	l->tags = t;
	t = &l->tags[l->ntags];
	t->name = dl_strndup(imp->name, imp->name_len);
	t->tag = vm_tag_new_type(l->s, &m->types[imp->d.tag_type]);
	if (t->name == NULL || t->tag == NULL) {
		wx_free(t->name);
		return WX_ENOMEM;
	}
	l->ntags++;
	out->u.tag = t->tag;
	return WX_OK;
}

/* The function index that import 'imp' of 'm' gets. */
static uint32_t dl_import_func_index(const struct wasm_module *m,
                                     const struct wasm_import *imp)
{
	uint32_t n = 0;

	for (const struct wasm_import *p = m->imports; p < imp; p++)
		n += p->kind == WASM_EXT_FUNC;
	return n;
}

static int dl_env_func(struct dl_linker *l, uint32_t mod,
                       const struct wasm_import *imp, struct vm_extern *out)
{
	const struct wasm_module *m = l->mods[mod]->m;
	int64_t i = dl_find(l, imp->name, imp->name_len, true);
	struct vm_func *f = NULL;

	if (i >= 0)
		f = dl_func_of(l->mods[i], imp->name, imp->name_len);
	if (f != NULL &&
	    vm_functype_equal(vm_func_type(f), &m->types[imp->d.func_type])) {
		out->kind = WASM_EXT_FUNC;
		out->u.func = f;
		return WX_OK;
	}
	/* No module defines it: maybe the host does. */
	if (i < 0 && l->host.resolve(l->host.ud, imp, out) == WX_OK)
		return WX_OK;
	/* Not defined yet (or by a module of this load not yet made). */
	return dl_stub_new(l, mod, dl_import_func_index(m, imp), imp, out);
}

/* A new immutable global holding 'v' of the import's type. */
static int dl_const_global(struct dl_linker *l, const struct wasm_import *imp,
                           uint64_t v, struct vm_extern *out)
{
	out->kind = WASM_EXT_GLOBAL;
	out->u.global = vm_global_new(l->s, &imp->d.global, v);
	return out->u.global == NULL ? WX_ENOMEM : WX_OK;
}

/* vm_resolve_fn for a module being instantiated by the linker. */
static int dl_resolve(void *ud, const struct wasm_import *imp,
                      struct vm_extern *out)
{
	struct dl_inst_ctx *cx = ud;
	struct dl_linker *l = cx->l;
	struct dl_mod *d = l->mods[cx->mod];
	const char *mod = imp->module, *n = imp->name;
	size_t ml = imp->module_len, nl = imp->name_len;

	if (dl_name_is(mod, ml, "GOT.mem") && imp->kind == WASM_EXT_GLOBAL)
		return dl_got_entry(l, imp, false, out);
	if (dl_name_is(mod, ml, "GOT.func") && imp->kind == WASM_EXT_GLOBAL)
		return dl_got_entry(l, imp, true, out);
	if (!dl_name_is(mod, ml, "env"))
		return l->host.resolve(l->host.ud, imp, out);
	switch (imp->kind) {
	case WASM_EXT_MEMORY:
		if (!dl_name_is(n, nl, "memory"))
			break;
		out->kind = WASM_EXT_MEMORY;
		out->u.memory = l->mem;
		return WX_OK;
	case WASM_EXT_TABLE:
		if (!dl_name_is(n, nl, "__indirect_function_table"))
			break;
		out->kind = WASM_EXT_TABLE;
		out->u.table = l->table;
		return WX_OK;
	case WASM_EXT_GLOBAL:
		if (dl_name_is(n, nl, "__stack_pointer")) {
			out->kind = WASM_EXT_GLOBAL;
			out->u.global = l->sp;
			return WX_OK;
		}
		if (dl_name_is(n, nl, "__memory_base"))
			return dl_const_global(l, imp, d->memory_base, out);
		/* wasm64: __table_base is i64, __table_base32 i32 (of the
		 * import's type either way). */
		if (dl_name_is(n, nl, "__table_base") ||
		    dl_name_is(n, nl, "__table_base32"))
			return dl_const_global(l, imp, d->table_base, out);
		break;
	case WASM_EXT_TAG:
		return dl_tag(l, d->m, imp, out);
	case WASM_EXT_FUNC:
		return dl_env_func(l, cx->mod, imp, out);
	default:
		break;
	}
	return l->host.resolve(l->host.ud, imp, out);
}

/* ---- loading ------------------------------------------------------------ */

/* Index of the loaded module asked for as 'name' or found at 'name'. */
static int64_t dl_loaded(const struct dl_linker *l, const char *name)
{
	for (uint32_t i = 1; i < l->nmods; i++)
		if (strcmp(l->mods[i]->name, name) == 0 ||
		    strcmp(l->mods[i]->path, name) == 0)
			return i;
	return -1;
}

/* Tries guest directory 'dir' (length 'dl') for library 'name'. */
static int dl_try(struct dl_linker *l, const char *dir, size_t dl,
                  const char *name, char *path, size_t cap, uint8_t **bytes,
                  size_t *len)
{
	if (dl + strlen(name) + 2 > cap)
		return ENAMETOOLONG;
	snprintf(path, cap, "%.*s%s%s", (int)dl, dir,
	         dl && dir[dl - 1] != '/' ? "/" : "", name);
	return l->host.read(l->host.ud, path, bytes, len);
}

/* Tries each directory of ':'-list 'list'; ENOENT if none has it. */
static int dl_try_list(struct dl_linker *l, const char *list, const char *name,
                       char *path, size_t cap, uint8_t **bytes, size_t *len)
{
	int err = ENOENT;

	for (const char *p = list; p != NULL && *p != 0;) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n > 0) {
			err = dl_try(l, p, n, name, path, cap, bytes, len);
			if (err != ENOENT && err != ENOTDIR)
				return err;
		}
		p = e ? e + 1 : NULL;
	}
	return ENOENT;
}

/*
 * Finds library 'name' (a path when it has a '/'): its bytes and where
 * they were found. Returns 0 or an errno.
 */
static int dl_locate(struct dl_linker *l, const char *name, const char *ld_path,
                     const struct dl_mod *from, char *path, size_t cap,
                     uint8_t **bytes, size_t *len)
{
	int err;

	if (strchr(name, '/') != NULL) {
		if (strlen(name) >= cap)
			return ENAMETOOLONG;
		snprintf(path, cap, "%s", name);
		return l->host.read(l->host.ud, path, bytes, len);
	}
	err = dl_try_list(l, ld_path, name, path, cap, bytes, len);
	for (uint32_t i = 0;
	     err == ENOENT && from != NULL && i < from->info.nrpaths; i++) {
		const struct wasm_dylink_name *r = &from->info.rpaths[i];
		err = dl_try(l, r->name, r->len, name, path, cap, bytes, len);
		if (err == ENOTDIR)
			err = ENOENT;
	}
	if (err == ENOENT)
		err = dl_try_list(l, "/lib:/usr/lib:/usr/local/lib", name, path,
		                  cap, bytes, len);
	return err;
}

/* Decodes and validates side module bytes into 'd'. */
static int dl_decode(struct dl_linker *l, struct dl_mod *d,
                     const uint8_t *bytes, size_t len, struct diag *diag)
{
	struct diag sub = {0};
	int rc;

	rc = wasm_decode(bytes, len, &l->lim, &d->own, &sub);
	if (rc == WX_OK)
		rc = wasm_validate(d->own, &sub);
	if (rc == WX_OK && !dl_module_is_pic(d->own))
		rc = diag_set(&sub, WX_ELINK,
		              "not a dynamic library (no dylink.0 section)");
	d->m = d->own;
	if (rc == WX_OK && dl_export(d, "_start", 6, WASM_EXT_FUNC) != NULL)
		rc = diag_set(&sub, WX_ELINK,
		              "a program (it exports _start), not a library");
	if (rc == WX_OK)
		rc = wasm_dylink_read(d->own, &d->info, &sub);
	d->m = d->own;
	if (rc != WX_OK)
		return diag_set(diag, rc, "%s: %s", d->path, sub.msg);
	return WX_OK;
}

/* Appends module 'd' (taken); WX_ELIMIT past DL_MAX_MODULES. */
static int dl_add(struct dl_linker *l, struct dl_mod *d, struct diag *diag)
{
	struct dl_mod **v;

	if (l->nmods >= DL_MAX_MODULES) {
		dl_mod_free(d);
		return diag_set(diag, WX_ELIMIT, "more than %u libraries",
		                DL_MAX_MODULES);
	}
	v = wx_realloc(l->mods, (l->nmods + 1) * sizeof *v);
	if (v == NULL) {
		dl_mod_free(d);
		return diag_set(diag, WX_ENOMEM, "out of memory");
	}
	l->mods = v;
	l->mods[l->nmods++] = d;
	return WX_OK;
}

/* Loads library 'name' needed by 'from' (or dlopen'd): appended to mods. */
static int dl_load_one(struct dl_linker *l, const char *name,
                       const char *ld_path, const struct dl_mod *from,
                       bool global, struct diag *diag)
{
	char path[4096];
	uint8_t *bytes = NULL;
	size_t len = 0;
	struct dl_mod *d;
	int err, rc;

	err =
	    dl_locate(l, name, ld_path, from, path, sizeof path, &bytes, &len);
	if (err != 0)
		return diag_set(diag, WX_ELINK,
		                "%s: cannot open shared object file: %s", name,
		                strerror(err));
	d = wx_calloc(1, sizeof *d);
	if (d == NULL) {
		wx_free(bytes);
		return diag_set(diag, WX_ENOMEM, "out of memory");
	}
	d->name = dl_strndup(name, strlen(name));
	d->path = dl_strndup(path, strlen(path));
	d->global = global;
	rc = d->name && d->path ? WX_OK : WX_ENOMEM;
	if (rc == WX_OK)
		rc = dl_decode(l, d, bytes, len, diag);
	else
		diag_set(diag, rc, "out of memory");
	wx_free(bytes);
	if (rc != WX_OK) {
		dl_mod_free(d);
		return rc;
	}
	return dl_add(l, d, diag);
}

/*
 * Loads the needed libraries of every module from index 'first' on
 * (breadth first, each once), recording each module's dependencies.
 */
static int dl_load_tree(struct dl_linker *l, uint32_t first,
                        const char *ld_path, bool global, struct diag *diag)
{
	for (uint32_t i = first; i < l->nmods; i++) {
		struct dl_mod *d = l->mods[i];

		d->deps = wx_alloc_array(d->info.nneeded + 1, sizeof *d->deps);
		if (d->deps == NULL)
			return diag_set(diag, WX_ENOMEM, "out of memory");
		for (uint32_t k = 0; k < d->info.nneeded; k++) {
			const struct wasm_dylink_name *nd = &d->info.needed[k];
			char name[512];
			int64_t at;
			int rc;

			if (nd->len >= sizeof name ||
			    memchr(nd->name, 0, nd->len))
				return diag_set(diag, WX_ELINK,
				                "%s: bad needed library name",
				                d->name);
			memcpy(name, nd->name, nd->len);
			name[nd->len] = 0;
			at = dl_loaded(l, name);
			if (at < 0) {
				rc = dl_load_one(l, name, ld_path, d, global,
				                 diag);
				if (rc != WX_OK)
					return rc;
				d = l->mods[i]; /* mods may have moved */
				at = l->nmods - 1;
			}
			d->deps[d->ndeps++] = (uint32_t)at;
		}
	}
	return WX_OK;
}

/* Gives side module 'd' its memory and table regions. */
static int dl_place(struct dl_linker *l, struct dl_mod *d, struct diag *diag)
{
	uint64_t align = (uint64_t)1 << d->info.mem_align;
	uint64_t size = d->info.mem_size, pages, end;
	uint64_t talign = (uint64_t)1 << d->info.table_align;
	uint64_t tsize = vm_table_size(l->table), tpad;
	int64_t old;

	/* Fresh pages, 64 KiB aligned (so any alignment up to that holds). */
	pages = (size + DL_PAGE - 1) / DL_PAGE;
	if (align > DL_PAGE)
		pages += align / DL_PAGE;
	old = pages ? vm_memory_grow(l->mem, pages) : 0;
	if (old < 0)
		return diag_set(diag, WX_ELIMIT,
		                "%s: cannot grow memory by %llu pages for its "
		                "data",
		                d->name, (unsigned long long)pages);
	end = pages ? (uint64_t)old * DL_PAGE : 0;
	end = (end + align - 1) & ~(align - 1);
	if (!l->is64 && end > UINT32_MAX - size)
		return diag_set(diag, WX_ELIMIT, "%s: data past 4 GiB",
		                d->name);
	d->memory_base = end;
	tpad = (talign - tsize % talign) % talign;
	if (tpad + d->info.table_size > 0 &&
	    vm_table_grow(l->table, tpad + d->info.table_size, 0) < 0)
		return diag_set(
		    diag, WX_ELIMIT,
		    "%s: cannot grow the table by %llu entries", d->name,
		    (unsigned long long)(tpad + d->info.table_size));
	d->table_base = (uint32_t)(tsize + tpad);
	return WX_OK;
}

/*
 * The module's thread pointer: its export __tls_base (a main module's
 * link line exports it), else the global that wasm-ld's __wasm_init_tls
 * sets (a library's is not exported): a defined function (i32) -> ()
 * whose body starts "local.get 0, global.set N", N a defined mutable i32
 * global. NULL if it has none.
 */
static struct vm_global *dl_tls_base(const struct dl_linker *l,
                                     const struct wasm_module *m,
                                     struct vm_instance *inst)
{
	struct vm_extern ext;

	if (vm_instance_export(inst, "__tls_base", 10, &ext) == WX_OK)
		return ext.kind == WASM_EXT_GLOBAL ? ext.u.global : NULL;
	for (uint32_t f = m->num_imported_funcs; f < m->nfuncs; f++) {
		const struct wasm_functype *ft = &m->types[m->funcs[f].type];
		const uint8_t *c = m->funcs[f].code;
		uint32_t n = 0;
		size_t k = 3;

		if (ft->nparams != 1 || ft->types[0] != dl_addr_type(l) ||
		    ft->nresults != 0 || m->funcs[f].code_len < 5 ||
		    c[0] != 0x20 || c[1] != 0x00 || c[2] != 0x24)
			continue;
		for (unsigned sh = 0; k < m->funcs[f].code_len && sh < 35;
		     sh += 7) {
			n |= (uint32_t)(c[k] & 0x7f) << sh;
			if ((c[k++] & 0x80) == 0)
				break;
		}
		if (n >= m->num_imported_globals && n < m->nglobals &&
		    m->globals[n].type.mut &&
		    m->globals[n].type.valtype == dl_addr_type(l))
			return vm_instance_global(inst, n);
	}
	return NULL;
}

static int dl_instantiate(struct dl_linker *l, uint32_t i, struct diag *diag)
{
	struct dl_inst_ctx cx = {l, i};
	struct dl_mod *d = l->mods[i];
	struct diag sub = {0};
	int rc = vm_instantiate(l->s, d->m, dl_resolve, &cx, &d->inst, &sub);
	struct vm_global *tls;

	if (rc != WX_OK)
		return diag_set(diag, rc, "%s: %s", i == 0 ? "main" : d->name,
		                sub.msg);
	/* Its thread pointer is per thread, like the stack pointer. */
	tls = dl_tls_base(l, d->m, d->inst);
	if (tls != NULL && vm_global_type(tls)->mut &&
	    vm_global_make_thread_local(tls) != WX_OK)
		return diag_set(diag, WX_ENOMEM, "out of memory");
	return WX_OK;
}

/* The linker's own GOT.mem symbols: the stack's bounds and the heap's. */
static bool dl_got_special(const struct dl_linker *l, const struct dl_got *g,
                           uint64_t *v)
{
	if (g->func)
		return false;
	if (strcmp(g->name, "__stack_high") == 0 ||
	    strcmp(g->name, "__heap_base") == 0)
		*v = l->stack_high;
	else if (strcmp(g->name, "__stack_low") == 0)
		*v = l->stack_low;
	else if (strcmp(g->name, "__heap_end") == 0)
		*v = l->heap_end;
	else
		return false;
	return true;
}

/* Sets every GOT entry not yet set that a module in scope defines (a
 * strong one that stays unset fails the load: dl_check_undefined). */
static int dl_got_finish(struct dl_linker *l, struct diag *diag)
{
	for (uint32_t k = 0; k < l->ngot; k++) {
		struct dl_got *g = &l->got[k];
		size_t len = strlen(g->name);
		int64_t i;
		uint64_t v = 0;
		uint32_t slot;
		int rc;

		if (g->done)
			continue;
		if (dl_got_special(l, g, &v)) {
			g->owner = 0;
		} else if ((i = dl_find(l, g->name, len, g->func)) < 0) {
			continue; /* checked against the weak flags later */
		} else if (g->func) {
			struct vm_func *f =
			    dl_func_of(l->mods[i], g->name, len);
			if (f == NULL)
				continue;
			rc = dl_func_slot(l, f, &slot);
			if (rc != WX_OK)
				return diag_set(diag, rc,
				                "function table full");
			v = slot;
			g->owner = (uint32_t)i;
		} else if (dl_data_of(l, l->mods[i], g->name, len, &v)) {
			g->owner = (uint32_t)i;
		} else {
			continue;
		}
		vm_global_set(g->g, v);
		g->done = true;
	}
	return WX_OK;
}

/* A GOT import of the new modules that stayed unset and is not weak. */
static int dl_check_undefined(struct dl_linker *l, struct diag *diag)
{
	for (uint32_t i = l->load_first; i < l->nmods; i++) {
		const struct dl_mod *d = l->mods[i];
		const struct wasm_module *m = d->m;

		for (uint32_t k = 0; k < m->nimports; k++) {
			const struct wasm_import *imp = &m->imports[k];
			bool func = dl_name_is(imp->module, imp->module_len,
			                       "GOT.func");
			uint32_t flags;

			if (imp->kind != WASM_EXT_GLOBAL ||
			    (!func && !dl_name_is(imp->module, imp->module_len,
			                          "GOT.mem")))
				continue;
			for (uint32_t g = 0; g < l->ngot; g++)
				if (l->got[g].func == func && !l->got[g].done &&
				    dl_name_is(imp->name, imp->name_len,
				               l->got[g].name))
					goto missing;
			continue;
		missing:
			flags = wasm_dylink_import_flags(
			    &d->info, NULL, 0, imp->name, imp->name_len);
			/* No import info (LLVM before 15): weak or not is
			 * unknown; only a missing data symbol fails then. */
			if ((flags & WASM_SYM_WEAK) ||
			    (d->info.nimports == 0 && func))
				continue;
			return diag_set(diag, WX_ELINK,
			                "%s: undefined symbol: %.*s",
			                i == 0 ? "main" : d->name,
			                (int)imp->name_len, imp->name);
		}
	}
	return WX_OK;
}

/* Binds every stub whose symbol a module now defines. */
static void dl_stubs_finish(struct dl_linker *l)
{
	uint32_t keep = 0;

	for (uint32_t k = 0; k < l->nstubs; k++) {
		struct dl_stub *st = l->stubs[k];
		struct dl_mod *d = l->mods[st->mod];
		int64_t i = dl_find(l, st->name, st->len, true);
		struct vm_func *f =
		    i >= 0 ? dl_func_of(l->mods[i], st->name, st->len) : NULL;

		if (f != NULL && d->inst != NULL &&
		    vm_functype_equal(vm_func_type(f), st->type))
			dl_stub_bind(st, f);
		if (st->pending)
			l->stubs[keep++] = st;
	}
	l->nstubs = keep;
}

/* Calls export 'name' ([] -> []) of module 'i' if it has one. */
static int dl_call0(struct dl_linker *l, uint32_t i, const char *name,
                    int *exit_code, struct diag *diag)
{
	struct dl_mod *d = l->mods[i];
	struct vm_func *f = dl_func_of(d, name, strlen(name));
	struct diag sub = {0};
	const struct wasm_functype *ft;
	int rc;

	if (f == NULL)
		return WX_OK;
	ft = vm_func_type(f);
	if (ft->nparams != 0 || ft->nresults != 0)
		return diag_set(diag, WX_ELINK, "%s: %s has a wrong type",
		                d->name, name);
	rc = vm_invoke(l->s, f, NULL, NULL, exit_code, &sub);
	if (rc == WX_ETRAP)
		return diag_set(diag, rc, "%s", sub.msg);
	return rc;
}

/* Runs the constructors of 'i' and its new dependencies, those first. */
static int dl_ctors(struct dl_linker *l, uint32_t i, uint8_t *seen,
                    int *exit_code, struct diag *diag)
{
	struct dl_mod *d = l->mods[i];
	int rc;

	if (i < l->load_first || seen[i - l->load_first])
		return WX_OK;
	seen[i - l->load_first] = 1;
	for (uint32_t k = 0; k < d->ndeps; k++) {
		rc = dl_ctors(l, d->deps[k], seen, exit_code, diag);
		if (rc != WX_OK)
			return rc;
	}
	return i == 0 ? WX_OK
	              : dl_call0(l, i, "__wasm_call_ctors", exit_code, diag);
}

/*
 * Places, instantiates and initialises the modules from l->load_first on,
 * whose root is module 'root'.
 */
static int dl_finish_load(struct dl_linker *l, uint32_t root, int *exit_code,
                          struct diag *diag)
{
	uint8_t *seen;
	int rc = WX_OK;

	for (uint32_t i = l->load_first; rc == WX_OK && i < l->nmods; i++)
		if (i != 0)
			rc = dl_place(l, l->mods[i], diag);
	/* Dependencies (loaded later) first: fewer stubs. */
	for (uint32_t i = l->nmods; rc == WX_OK && i-- > l->load_first;)
		rc = dl_instantiate(l, i, diag);
	if (rc != WX_OK)
		return rc;
	dl_stubs_finish(l);
	rc = dl_got_finish(l, diag);
	if (rc == WX_OK)
		rc = dl_check_undefined(l, diag);
	for (uint32_t i = l->load_first; rc == WX_OK && i < l->nmods; i++)
		rc =
		    dl_call0(l, i, "__wasm_apply_data_relocs", exit_code, diag);
	if (rc != WX_OK)
		return rc;
	seen = wx_calloc(l->nmods - l->load_first, 1);
	if (seen == NULL)
		return diag_set(diag, WX_ENOMEM, "out of memory");
	rc = dl_ctors(l, root, seen, exit_code, diag);
	wx_free(seen);
	return rc;
}

/* The main module's memory: the host's "env" "memory" (the threads
 * layer makes one shared by the process), else one of the import's
 * type. */
static int dl_main_memory(struct dl_linker *l, const struct wasm_module *m,
                          struct diag *diag)
{
	for (uint32_t k = 0; k < m->nimports; k++) {
		const struct wasm_import *imp = &m->imports[k];
		struct vm_extern ext = {0};

		if (imp->kind != WASM_EXT_MEMORY ||
		    !dl_name_is(imp->module, imp->module_len, "env") ||
		    !dl_name_is(imp->name, imp->name_len, "memory"))
			continue;
		if (l->host.resolve(l->host.ud, imp, &ext) == WX_OK &&
		    ext.kind == WASM_EXT_MEMORY)
			l->mem = ext.u.memory;
		else
			l->mem = vm_memory_new(l->s, &imp->d.memory);
		if (l->mem == NULL)
			return diag_set(diag, WX_ELIMIT,
			                "cannot make the memory");
		l->is64 = vm_memory_limits(l->mem)->is64;
		return WX_OK;
	}
	return diag_set(diag, WX_ELINK,
	                "a dynamic main module must import \"env\" "
	                "\"memory\"");
}

/* The main module's function table, of its import's type. */
static int dl_main_table(struct dl_linker *l, const struct wasm_module *m,
                         uint32_t need, struct diag *diag)
{
	for (uint32_t k = 0; k < m->nimports; k++) {
		const struct wasm_import *imp = &m->imports[k];
		struct wasm_tabletype tt;

		if (imp->kind != WASM_EXT_TABLE ||
		    !dl_name_is(imp->module, imp->module_len, "env") ||
		    !dl_name_is(imp->name, imp->name_len,
		                "__indirect_function_table"))
			continue;
		tt = imp->d.table;
		if (tt.limits.min < need)
			tt.limits.min = need;
		l->table = vm_table_new(l->s, &tt, 0);
		return l->table ? WX_OK
		                : diag_set(diag, WX_ELIMIT,
		                           "cannot make a table of %u entries",
		                           need);
	}
	/* No table import: make one for dlsym's function pointers. */
	struct wasm_tabletype tt = {.elemtype = WASM_FUNCREF};
	tt.limits.min = need;
	l->table = vm_table_new(l->s, &tt, 0);
	return l->table ? WX_OK : diag_set(diag, WX_ENOMEM, "out of memory");
}

/* Memory layout of the main module: data, stack, then the heap. */
static int dl_main_layout(struct dl_linker *l, const struct dl_mod *d,
                          struct diag *diag)
{
	uint64_t low = ((uint64_t)d->info.mem_size + 1023) & ~(uint64_t)1023;
	uint64_t high = low + DL_STACK_SIZE;
	uint64_t have = vm_memory_size(l->mem);
	struct wasm_globaltype gt = {.valtype = dl_addr_type(l), .mut = true};

	if (!l->is64 && high > UINT32_MAX)
		return diag_set(diag, WX_ELIMIT, "data past 4 GiB");
	if (have < high &&
	    vm_memory_grow(l->mem, (high - have + DL_PAGE - 1) / DL_PAGE) < 0)
		return diag_set(diag, WX_ELIMIT,
		                "cannot grow memory to %llu bytes for the data "
		                "and the stack",
		                (unsigned long long)high);
	l->stack_low = low;
	l->stack_high = high;
	l->heap_end = vm_memory_size(l->mem);
	l->sp = vm_global_new(l->s, &gt, high);
	/* Every thread runs the same instances on a stack of its own. */
	if (l->sp == NULL || vm_global_make_thread_local(l->sp) != WX_OK)
		return diag_set(diag, WX_ENOMEM, "out of memory");
	return WX_OK;
}

/* Drops the modules of a failed load (their instances stay in the store,
 * unreachable). */
static void dl_unload_failed(struct dl_linker *l)
{
	uint32_t keep = 0;

	for (uint32_t k = 0; k < l->nstubs; k++) {
		if (l->stubs[k]->mod < l->load_first)
			l->stubs[keep++] = l->stubs[k];
		else
			l->stubs[k]->mod = UINT32_MAX; /* its module is gone */
	}
	l->nstubs = keep;
	/* Entries that pointed into the dropped modules: unset again. */
	for (uint32_t k = 0; k < l->ngot; k++)
		if (l->got[k].done && l->got[k].owner >= l->load_first) {
			l->got[k].done = false;
			vm_global_set(l->got[k].g, 0);
		}
	while (l->nmods > l->load_first)
		dl_mod_free(l->mods[--l->nmods]);
	l->load_first = l->nmods;
}

/*
 * The libraries whose thread-local block the calling host thread has:
 * modules [1, dl_tls_upto) of linker dl_tls_of (its own load's blocks,
 * or those __wasix_init_tls gave it). l->tls_mods is how many modules a
 * thread should have by now.
 */
static _Thread_local const struct dl_linker *dl_tls_of;
static _Thread_local uint32_t dl_tls_upto;

/* The calling thread has the blocks of every module loaded so far. */
static void dl_tls_all(struct dl_linker *l)
{
	dl_tls_of = l;
	dl_tls_upto = l->nmods;
	__atomic_store_n(&l->tls_mods, l->nmods, __ATOMIC_RELEASE);
}

int dl_link_main(struct dl_linker *l, const struct wasm_module *m,
                 const char *ld_library_path, struct vm_instance **out,
                 struct diag *diag)
{
	struct dl_mod *d;
	int rc, code = 0;

	*out = NULL;
	if (l->nmods != 0)
		return diag_set(diag, WX_EARG, "main module linked twice");
	d = wx_calloc(1, sizeof *d);
	if (d == NULL)
		return diag_set(diag, WX_ENOMEM, "out of memory");
	d->m = m;
	d->global = true;
	d->refs = 1;
	d->table_base = 1; /* slot 0 stays null */
	d->name = dl_strndup("main", 4);
	d->path = dl_strndup("", 0);
	rc = d->name && d->path ? wasm_dylink_read(m, &d->info, diag)
	                        : WX_ENOMEM;
	if (rc != WX_OK) {
		dl_mod_free(d);
		return rc == WX_ENOMEM ? diag_set(diag, rc, "out of memory")
		                       : rc;
	}
	rc = dl_add(l, d, diag);
	if (rc == WX_OK)
		rc = dl_main_memory(l, m, diag);
	if (rc == WX_OK)
		rc = dl_main_table(l, m, d->info.table_size + 1, diag);
	if (rc == WX_OK)
		rc = dl_main_layout(l, d, diag);
	l->load_first = 0;
	if (rc == WX_OK)
		rc = dl_load_tree(l, 0, ld_library_path, true, diag);
	if (rc == WX_OK)
		rc = dl_finish_load(l, 0, &code, diag);
	if (rc == WX_EEXIT)
		rc = diag_set(diag, WX_ELINK,
		              "a library constructor exited with %d", code);
	l->load_first = l->nmods;
	if (rc == WX_OK) {
		*out = l->mods[0]->inst;
		dl_tls_all(l); /* this thread has the start's blocks */
	}
	return rc;
}

static int dl_open_locked(struct dl_linker *l, const char *path, uint32_t flags,
                          const char *ld_library_path, uint32_t *handle,
                          int *exit_code, struct diag *diag)
{
	bool global = (flags & DL_RTLD_GLOBAL) != 0;
	int64_t at;
	uint32_t root;
	int rc;

	if (l->nmods == 0)
		return diag_set(
		    diag, WX_EARG,
		    "dlopen: the program is not dynamically linked");
	if (path == NULL || *path == 0) {
		l->mods[0]->refs++;
		*handle = DL_MAIN_HANDLE;
		return WX_OK;
	}
	at = dl_loaded(l, path);
	if (at >= 0) {
		struct dl_mod *d = l->mods[at];
		d->refs++;
		if (global && !d->global) {
			d->global = true;
			for (uint32_t k = 0; k < d->ndeps; k++)
				l->mods[d->deps[k]]->global = true;
		}
		*handle = (uint32_t)at + 1;
		return WX_OK;
	}
	if (flags & DL_RTLD_NOLOAD)
		return diag_set(diag, WX_ELINK, "%s: not loaded", path);
	l->load_first = l->nmods;
	root = l->nmods;
	rc = dl_load_one(l, path, ld_library_path, l->mods[0], global, diag);
	/* Found under another name (a path to a loaded library)? */
	if (rc == WX_OK) {
		for (uint32_t i = 1; i < root; i++)
			if (strcmp(l->mods[i]->path, l->mods[root]->path) ==
			    0) {
				dl_unload_failed(l);
				l->mods[i]->refs++;
				*handle = i + 1;
				return WX_OK;
			}
		rc = dl_load_tree(l, root, ld_library_path, global, diag);
	}
	if (rc == WX_OK)
		rc = dl_finish_load(l, root, exit_code, diag);
	if (rc != WX_OK && rc != WX_EEXIT) {
		dl_unload_failed(l);
		return rc;
	}
	l->mods[root]->refs = 1;
	l->load_first = l->nmods;
	*handle = root + 1;
	return rc;
}

int dl_open(struct dl_linker *l, const char *path, uint32_t flags,
            const char *ld_library_path, uint32_t *handle, int *exit_code,
            struct diag *diag)
{
	int rc;

	dl_lock(l);
	/* This thread's blocks of earlier loads first: the new modules'
	 * blocks for it are their own (made by the load). */
	rc = dl_thread_catch_up(l, exit_code, diag);
	if (rc == WX_OK)
		rc = dl_open_locked(l, path, flags, ld_library_path, handle,
		                    exit_code, diag);
	if (rc == WX_OK && (dl_tls_of == l || dl_tls_of == NULL))
		dl_tls_all(l);
	else
		__atomic_store_n(&l->tls_mods, l->nmods, __ATOMIC_RELEASE);
	dl_unlock(l);
	return rc;
}

/* Calls __wasix_init_tls of modules [from, l->nmods) on this thread. */
static int dl_tls_init(struct dl_linker *l, uint32_t from, int *exit_code,
                       struct diag *diag)
{
	static const char init[] = "__wasix_init_tls";
	struct vm_extern ext;
	uint64_t res[1];
	int rc = WX_OK;

	for (uint32_t i = from > 1 ? from : 1; i < l->nmods && rc == WX_OK;
	     i++) {
		const struct wasm_functype *ft;
		struct diag d = {0};

		if (l->mods[i]->inst == NULL ||
		    vm_instance_export(l->mods[i]->inst, init, sizeof init - 1,
		                       &ext) != WX_OK ||
		    ext.kind != WASM_EXT_FUNC)
			continue;
		ft = vm_func_type(ext.u.func);
		if (ft->nparams != 0 || ft->nresults > 1)
			continue;
		rc = vm_invoke(l->s, ext.u.func, NULL, res, exit_code, &d);
		if (rc != WX_OK && rc != WX_EEXIT)
			diag_set(diag, rc, "%s: %s: %s", l->mods[i]->name, init,
			         d.msg);
	}
	return rc;
}

int dl_thread_begin(struct dl_linker *l, uint64_t stack_pointer,
                    uint64_t tls_base, int *exit_code, struct diag *diag)
{
	struct vm_extern ext;
	int rc;

	dl_lock(l);
	if (l->sp != NULL && stack_pointer != 0)
		vm_global_set(l->sp, stack_pointer);
	if (l->nmods > 0 && tls_base != 0 &&
	    vm_instance_export(l->mods[0]->inst, "__tls_base", 10, &ext) ==
	        WX_OK &&
	    ext.kind == WASM_EXT_GLOBAL && vm_global_type(ext.u.global)->mut)
		vm_global_set(ext.u.global, tls_base);
	rc = dl_tls_init(l, 1, exit_code, diag);
	dl_tls_of = l;
	dl_tls_upto = l->nmods;
	dl_unlock(l);
	return rc;
}

bool dl_thread_behind(const struct dl_linker *l)
{
	return dl_tls_of == l &&
	       dl_tls_upto < __atomic_load_n(&l->tls_mods, __ATOMIC_ACQUIRE);
}

int dl_thread_catch_up(struct dl_linker *l, int *exit_code, struct diag *diag)
{
	int rc = WX_OK;

	if (dl_tls_of != l)
		return WX_OK;
	dl_lock(l);
	if (dl_tls_upto < l->nmods) {
		uint32_t from = dl_tls_upto;

		dl_tls_upto = l->nmods; /* once, even if it fails */
		rc = dl_tls_init(l, from, exit_code, diag);
	}
	dl_unlock(l);
	return rc;
}

bool dl_handle_valid(const struct dl_linker *l, uint32_t handle)
{
	return handle >= 1 && handle <= l->nmods;
}

int dl_close(struct dl_linker *l, uint32_t handle)
{
	if (!dl_handle_valid(l, handle))
		return WX_EARG;
	if (l->mods[handle - 1]->refs > 0)
		l->mods[handle - 1]->refs--;
	return WX_OK;
}

/* Symbol 'name' of module 'i' alone: 0 and '*addr', or WX_ELINK. */
static int dl_sym_in(struct dl_linker *l, uint32_t i, const char *name,
                     uint64_t *addr, struct diag *diag)
{
	size_t len = strlen(name);
	struct vm_func *f = dl_func_of(l->mods[i], name, len);
	const struct wasm_export *e;
	uint32_t slot;

	if (f != NULL) {
		if (dl_func_slot(l, f, &slot) != WX_OK)
			return diag_set(diag, WX_ELIMIT,
			                "dlsym: function table full");
		*addr = slot;
		return WX_OK;
	}
	e = dl_export(l->mods[i], name, len, WASM_EXT_GLOBAL);
	if (e != NULL && dl_is_data(l, l->mods[i], e) &&
	    dl_data_of(l, l->mods[i], name, len, addr))
		return WX_OK;
	return WX_ELINK;
}

static int dl_sym_locked(struct dl_linker *l, uint32_t handle, const char *name,
                         uint64_t *addr, struct diag *diag)
{
	uint32_t *queue;
	uint32_t nq = 0;
	int rc = WX_ELINK;

	if (handle != 0 && !dl_handle_valid(l, handle))
		return diag_set(diag, WX_EARG, "dlsym: invalid handle %u",
		                handle);
	queue = wx_alloc_array(l->nmods + 1, sizeof *queue);
	if (queue == NULL)
		return diag_set(diag, WX_ENOMEM, "out of memory");
	if (handle == 0) {
		for (uint32_t i = 0; i < l->nmods; i++)
			if (l->mods[i]->global)
				queue[nq++] = i;
	} else {
		/* The module, then its dependencies breadth first. */
		uint8_t *seen = wx_calloc(l->nmods, 1);
		if (seen == NULL) {
			wx_free(queue);
			return diag_set(diag, WX_ENOMEM, "out of memory");
		}
		queue[nq++] = handle - 1;
		seen[handle - 1] = 1;
		for (uint32_t q = 0; q < nq; q++) {
			const struct dl_mod *d = l->mods[queue[q]];
			for (uint32_t k = 0; k < d->ndeps; k++)
				if (!seen[d->deps[k]]) {
					seen[d->deps[k]] = 1;
					queue[nq++] = d->deps[k];
				}
		}
		wx_free(seen);
	}
	for (uint32_t q = 0; q < nq && rc == WX_ELINK; q++)
		rc = dl_sym_in(l, queue[q], name, addr, diag);
	wx_free(queue);
	if (rc == WX_ELINK)
		return diag_set(diag, rc, "Symbol not found: %s", name);
	return rc;
}

int dl_sym(struct dl_linker *l, uint32_t handle, const char *name,
           uint64_t *addr, struct diag *diag)
{
	int rc;

	dl_lock(l);
	rc = dl_sym_locked(l, handle, name, addr, diag);
	dl_unlock(l);
	return rc;
}
