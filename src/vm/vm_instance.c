/*
 * vm_instance.c: instantiation (import resolution and matching, allocation
 * of the module's own functions, tables, memories and globals, element and
 * data segment initialisation, the start function) and export lookup.
 *
 * Keeps true: an instance is registered in its store as soon as it exists,
 * so a failed instantiation that already wrote funcrefs of its functions
 * into an imported table leaves no dangling handles (the store frees it).
 * Segment initialisation follows WebAssembly 2.0: active element segments
 * in order, then active data segments in order, each bounds-checked as a
 * whole before it writes; a trap stops there and earlier writes remain.
 */
#include <string.h>

#include "vm/vm_code.h"

static int alloc_arrays(struct vm_instance *inst, const struct wasm_module *m)
{
	inst->funcs = wx_alloc_array(m->nfuncs, sizeof *inst->funcs);
	inst->tables = wx_alloc_array(m->ntables, sizeof *inst->tables);
	inst->memories = wx_alloc_array(m->nmemories, sizeof *inst->memories);
	inst->globals = wx_alloc_array(m->nglobals, sizeof *inst->globals);
	inst->tags = wx_alloc_array(m->ntags, sizeof *inst->tags);
	inst->global_values =
	    wx_alloc_array(m->nglobals, sizeof *inst->global_values);
	inst->type_ids = wx_alloc_array(m->ntypes, sizeof *inst->type_ids);
	inst->elem_items = wx_alloc_array(m->nelems, sizeof *inst->elem_items);
	inst->elem_len = wx_alloc_array(m->nelems, sizeof *inst->elem_len);
	inst->data_dropped = wx_alloc_array(m->ndatas, 1);
	if (inst->funcs == NULL || inst->tables == NULL ||
	    inst->memories == NULL || inst->globals == NULL ||
	    inst->global_values == NULL || inst->type_ids == NULL ||
	    inst->elem_items == NULL || inst->elem_len == NULL ||
	    inst->data_dropped == NULL || inst->tags == NULL)
		return WX_ENOMEM;
	return WX_OK;
}

void vm_instance_free(struct vm_instance *inst)
{
	if (inst == NULL)
		return;
	if (inst->elem_items != NULL)
		for (uint32_t i = 0; i < inst->module->nelems; i++)
			wx_free(inst->elem_items[i]);
	wx_free(inst->funcs);
	wx_free(inst->tables);
	wx_free(inst->memories);
	wx_free(inst->globals);
	wx_free(inst->tags);
	wx_free(inst->global_values);
	wx_free(inst->type_ids);
	wx_free(inst->elem_items);
	wx_free(inst->elem_len);
	wx_free(inst->data_dropped);
	wx_free(inst);
}

/*
 * Evaluates a validated constant expression of several instructions (the
 * extended constant expressions: i32/i64 add, sub, mul over constants and
 * globals) from the module's bytes. The validator bounded its depth.
 */
static uint64_t eval_const_expr(const struct vm_instance *inst,
                                const struct wasm_constexpr *e)
{
	const uint8_t *p = inst->module->bytes + e->expr_offset;
	const uint8_t *end = p + e->expr_len;
	uint64_t stk[256];
	uint32_t n = 0;

	for (;;) {
		enum wasm_opcode op;
		struct wasm_instr_imm imm;
		const char *why;
		uint64_t a, b;

		if (wasm_read_opcode(&p, end, &op) != WX_OK ||
		    wasm_read_imm(op, &p, end, &imm, &why) != WX_OK ||
		    op == WASM_OP_END || n == 256)
			return n > 0 ? stk[n - 1] : 0;
		switch (op) {
		case WASM_OP_I32_CONST:
			stk[n++] = (uint32_t)imm.value;
			break;
		case WASM_OP_I64_CONST:
		case WASM_OP_F64_CONST:
			stk[n++] = imm.value;
			break;
		case WASM_OP_F32_CONST:
			stk[n++] = (uint32_t)imm.value;
			break;
		case WASM_OP_REF_FUNC:
			stk[n++] = (uintptr_t)inst->funcs[imm.x];
			break;
		case WASM_OP_GLOBAL_GET:
			stk[n++] = inst->globals[imm.x]->value;
			break;
		case WASM_OP_REF_NULL:
			stk[n++] = 0;
			break;
		default: /* add, sub, mul: validated, two operands */
			b = stk[--n];
			a = stk[--n];
			if (op == WASM_OP_I32_ADD || op == WASM_OP_I64_ADD)
				a += b;
			else if (op == WASM_OP_I32_SUB || op == WASM_OP_I64_SUB)
				a -= b;
			else
				a *= b;
			if (op == WASM_OP_I32_ADD || op == WASM_OP_I32_SUB ||
			    op == WASM_OP_I32_MUL)
				a = (uint32_t)a;
			stk[n++] = a;
			break;
		}
	}
}

/* Evaluates a constant expression against what 'inst' has so far. */
static uint64_t eval_const(const struct vm_instance *inst,
                           const struct wasm_constexpr *e)
{
	if (e->op == WASM_OP_NOP && e->expr_len > 0)
		return eval_const_expr(inst, e);
	switch (e->op) {
	case WASM_OP_I32_CONST:
		return e->u.i32;
	case WASM_OP_I64_CONST:
		return e->u.i64;
	case WASM_OP_F32_CONST:
		return e->u.f32;
	case WASM_OP_F64_CONST:
		return e->u.f64;
	case WASM_OP_REF_FUNC:
		return (uintptr_t)inst->funcs[e->u.index];
	case WASM_OP_GLOBAL_GET:
		return inst->globals[e->u.index]->value;
	default: /* ref.null */
		return 0;
	}
}

/*
 * A v128 global's 16 bytes: v128.const or global.get of another v128
 * global (the only constant expressions of type v128).
 */
static void init_v128_global(const struct vm_instance *inst,
                             struct vm_global *g,
                             const struct wasm_constexpr *e)
{
	if (e->op == WASM_OP_V128_CONST) {
		memcpy(&g->value, e->u.v128, 8);
		memcpy(&g->hi, e->u.v128 + 8, 8);
	} else if (e->op == WASM_OP_GLOBAL_GET &&
	           g->type.valtype == WASM_V128) {
		g->hi = inst->globals[e->u.index]->hi;
	}
}

/*
 * Value type 't' of the module in store terms: a type index becomes the
 * store's id of that function type, so types of different modules
 * compare as numbers (wasm_vt_sub).
 */
static uint32_t store_vt(const struct vm_instance *inst, uint32_t t)
{
	if (!wasm_vt_has_index(t))
		return t;
	return wasm_ref_idx(inst->type_ids[wasm_vt_index(t)],
	                    wasm_vt_nullable(t));
}

/*
 * Interns the module's function types in the store, in order: a type
 * equal to an earlier one of the module shares its id; else its form
 * (indices as store ids, a reference to itself as WASM_HT_SELF) is
 * interned, so equivalent types of any two modules get one id.
 */
static int intern_types(struct vm_store *s, struct vm_instance *inst)
{
	const struct wasm_module *m = inst->module;
	int rc = WX_OK;

	for (uint32_t i = 0; rc == WX_OK && i < m->ntypes; i++) {
		const struct wasm_functype *ft = &m->types[i];
		uint32_t n = ft->nparams + ft->nresults;
		if (m->type_canon[i] != i) {
			inst->type_ids[i] = inst->type_ids[m->type_canon[i]];
			continue;
		}
		struct wasm_functype form = *ft;
		form.types = wx_alloc_array((size_t)n + 1, sizeof *form.types);
		if (form.types == NULL)
			return WX_ENOMEM;
		for (uint32_t k = 0; k < n; k++) {
			uint32_t t = ft->types[k];
			if (wasm_vt_has_index(t) && wasm_vt_index(t) == i)
				t = (t & WASM_REF_NONNULL) | WASM_HT_SELF;
			form.types[k] = store_vt(inst, t);
		}
		int64_t id = vm_store_intern_type(s, &form);
		wx_free(form.types);
		if (id < 0)
			rc = WX_ENOMEM;
		else
			inst->type_ids[i] = (uint32_t)id;
	}
	return rc;
}

/* Import matching of limits: the provided object must fit the import. */
static bool limits_match(uint64_t cur, bool has_max, uint64_t max,
                         const struct wasm_limits_decl *want)
{
	if (cur < want->min)
		return false;
	if (want->has_max && (!has_max || max > want->max))
		return false;
	return true;
}

static bool import_matches(struct vm_instance *inst,
                           const struct wasm_import *imp,
                           const struct vm_extern *ext)
{
	if (ext->kind != imp->kind || ext->u.func == NULL)
		return false;
	switch (imp->kind) {
	case WASM_EXT_FUNC:
		return ext->u.func->type_id == inst->type_ids[imp->d.func_type];
	case WASM_EXT_TABLE: {
		const struct vm_table *t = ext->u.table;
		return t->type.elemtype ==
		           store_vt(inst, imp->d.table.elemtype) &&
		       t->type.limits.is64 == imp->d.table.limits.is64 &&
		       limits_match(t->size, t->type.limits.has_max,
		                    t->type.limits.max, &imp->d.table.limits);
	}
	case WASM_EXT_MEMORY: {
		const struct vm_memory *mem = ext->u.memory;
		return mem->limits.shared == imp->d.memory.shared &&
		       mem->limits.is64 == imp->d.memory.is64 &&
		       limits_match(mem->size / VM_PAGE_SIZE,
		                    mem->limits.has_max, mem->limits.max,
		                    &imp->d.memory);
	}
	case WASM_EXT_GLOBAL: {
		/* Immutable: a subtype will do; mutable: the same type. */
		uint32_t have = ext->u.global->type.valtype;
		uint32_t want = store_vt(inst, imp->d.global.valtype);
		if (ext->u.global->type.mut != imp->d.global.mut)
			return false;
		return imp->d.global.mut ? have == want
		                         : wasm_vt_sub(have, want);
	}
	case WASM_EXT_TAG:
		return ext->u.tag->type_id == inst->type_ids[imp->d.tag_type];
	default:
		return false;
	}
}

static int resolve_imports(struct vm_instance *inst, vm_resolve_fn resolve,
                           void *ud, struct diag *diag)
{
	const struct wasm_module *m = inst->module;
	uint32_t nf = 0, nt = 0, nm = 0, ng = 0, ntg = 0;

	for (uint32_t i = 0; i < m->nimports; i++) {
		const struct wasm_import *imp = &m->imports[i];
		struct vm_extern ext = {0};

		int rc = resolve != NULL ? resolve(ud, imp, &ext) : WX_ELINK;

		if (rc == WX_ENOMEM)
			return diag_set(diag, WX_ENOMEM, "out of memory");
		if (rc == WX_ELIMIT)
			return diag_set(diag, WX_ELIMIT,
			                "import \"%.*s\" \"%.*s\": above a "
			                "limit",
			                (int)imp->module_len, imp->module,
			                (int)imp->name_len, imp->name);
		if (rc != 0)
			return diag_set(diag, WX_ELINK,
			                "unknown import: \"%.*s\" \"%.*s\"",
			                (int)imp->module_len, imp->module,
			                (int)imp->name_len, imp->name);
		if (!import_matches(inst, imp, &ext))
			return diag_set(diag, WX_ELINK,
			                "incompatible import type: \"%.*s\" "
			                "\"%.*s\"",
			                (int)imp->module_len, imp->module,
			                (int)imp->name_len, imp->name);
		switch (imp->kind) {
		case WASM_EXT_FUNC:
			inst->funcs[nf++] = ext.u.func;
			break;
		case WASM_EXT_TABLE:
			inst->tables[nt++] = ext.u.table;
			break;
		case WASM_EXT_MEMORY:
			inst->memories[nm++] = ext.u.memory;
			break;
		case WASM_EXT_TAG:
			inst->tags[ntg++] = ext.u.tag;
			break;
		default:
			inst->globals[ng++] = ext.u.global;
			break;
		}
	}
	return WX_OK;
}

static int make_own_objects(struct vm_store *s, struct vm_instance *inst,
                            struct diag *diag)
{
	const struct wasm_module *m = inst->module;

	if (vm_funcs_new_wasm(s, inst) != WX_OK)
		return diag_set(diag, WX_ENOMEM, "out of memory");
	for (uint32_t i = m->num_imported_tables; i < m->ntables; i++) {
		struct wasm_tabletype tt = m->tables[i];
		int rc;

		tt.elemtype = store_vt(inst, tt.elemtype);
		rc = vm_table_make(s, &tt, 0, &inst->tables[i]);
		if (rc == WX_ENOMEM)
			return diag_set(diag, WX_ENOMEM, "out of memory");
		if (rc != WX_OK)
			return diag_set(
			    diag, WX_ELIMIT,
			    "table %u: cannot allocate %llu elements", i,
			    (unsigned long long)m->tables[i].limits.min);
	}
	for (uint32_t i = m->num_imported_memories; i < m->nmemories; i++) {
		int rc = vm_memory_make(s, &m->memories[i], &inst->memories[i]);

		if (rc == WX_ENOMEM)
			return diag_set(diag, WX_ENOMEM, "out of memory");
		if (rc != WX_OK)
			return diag_set(diag, WX_ELIMIT,
			                "memory %u: cannot allocate %llu pages",
			                i,
			                (unsigned long long)m->memories[i].min);
	}
	for (uint32_t i = m->num_imported_tags; i < m->ntags; i++) {
		inst->tags[i] = vm_tag_new(s, inst->type_ids[m->tags[i]]);
		if (inst->tags[i] == NULL)
			return diag_set(diag, WX_ENOMEM, "out of memory");
	}
	for (uint32_t i = 0; i < m->nglobals; i++) {
		if (i >= m->num_imported_globals) {
			uint64_t v = eval_const(inst, &m->globals[i].init);
			struct wasm_globaltype gt = m->globals[i].type;
			gt.valtype = store_vt(inst, gt.valtype);
			inst->globals[i] = vm_global_new(s, &gt, v);
			if (inst->globals[i] == NULL)
				return diag_set(diag, WX_ENOMEM,
				                "out of memory");
			init_v128_global(inst, inst->globals[i],
			                 &m->globals[i].init);
		}
		inst->global_values[i] = &inst->globals[i]->value;
	}
	/* Table initialisers may read globals: after them. */
	for (uint32_t i = m->num_imported_tables; i < m->ntables; i++) {
		struct vm_table *t = inst->tables[i];
		if (!m->tables[i].has_init)
			continue;
		uint64_t v = eval_const(inst, &m->tables[i].init);
		for (uint64_t k = 0; k < t->size; k++)
			t->elems[k] = v;
	}
	for (uint32_t i = 0; i < m->nelems; i++) {
		const struct wasm_elem *e = &m->elems[i];
		inst->elem_items[i] =
		    wx_alloc_array(e->nitems, sizeof(uint64_t));
		if (inst->elem_items[i] == NULL)
			return diag_set(diag, WX_ENOMEM, "out of memory");
		for (uint32_t k = 0; k < e->nitems; k++)
			inst->elem_items[i][k] = eval_const(inst, &e->items[k]);
		inst->elem_len[i] = e->nitems;
	}
	return WX_OK;
}

/* Applies active segments and drops what 2.0 drops at instantiation. */
static int init_segments(struct vm_instance *inst, struct diag *diag)
{
	const struct wasm_module *m = inst->module;

	for (uint32_t i = 0; i < m->nelems; i++) {
		const struct wasm_elem *e = &m->elems[i];
		if (e->mode == WASM_SEG_ACTIVE) {
			struct vm_table *t = inst->tables[e->table];
			uint64_t off = eval_const(inst, &e->offset);
			if (!t->type.limits.is64)
				off = (uint32_t)off;
			if (off > t->size || e->nitems > t->size - off)
				return diag_set(diag, WX_ETRAP,
				                "out of bounds table access");
			memcpy(t->elems + off, inst->elem_items[i],
			       e->nitems * sizeof(uint64_t));
		}
		if (e->mode != WASM_SEG_PASSIVE)
			inst->elem_len[i] = 0;
	}
	for (uint32_t i = 0; i < m->ndatas; i++) {
		const struct wasm_data *d = &m->datas[i];
		if (d->mode != WASM_SEG_ACTIVE)
			continue;
		struct vm_memory *mem = inst->memories[d->memory];
		uint64_t off = eval_const(inst, &d->offset);
		if (!mem->limits.is64)
			off = (uint32_t)off;
		if (off > mem->size || d->len > mem->size - off)
			return diag_set(diag, WX_ETRAP,
			                "out of bounds memory access");
		if (d->len != 0)
			memcpy(mem->base + off, d->bytes, d->len);
		inst->data_dropped[i] = 1;
	}
	return WX_OK;
}

int vm_instantiate(struct vm_store *s, const struct wasm_module *m,
                   vm_resolve_fn resolve, void *resolve_ud,
                   struct vm_instance **out, struct diag *diag)
{
	struct vm_instance *inst = wx_calloc(1, sizeof *inst);
	int rc;

	*out = NULL;
	if (inst == NULL)
		return diag_set(diag, WX_ENOMEM, "out of memory");
	inst->store = s;
	inst->module = m;
	if (vm_store_own((void ***)&s->instances, &s->ninstances,
	                 &s->cap_instances, inst) != WX_OK) {
		vm_instance_free(inst);
		return diag_set(diag, WX_ENOMEM, "out of memory");
	}
	rc = alloc_arrays(inst, m);
	if (rc != WX_OK)
		return diag_set(diag, rc, "out of memory");
	if (intern_types(s, inst) != WX_OK)
		return diag_set(diag, WX_ENOMEM, "out of memory");
	rc = resolve_imports(inst, resolve, resolve_ud, diag);
	if (rc != WX_OK)
		return rc;
	rc = make_own_objects(s, inst, diag);
	if (rc != WX_OK)
		return rc;
	if (s->cfg.on_instance != NULL) {
		rc = s->cfg.on_instance(s->cfg.on_instance_ud, inst, diag);
		if (rc != WX_OK)
			return rc;
	}
	rc = init_segments(inst, diag);
	if (rc != WX_OK)
		return rc;
	if (m->has_start) {
		rc =
		    vm_invoke(s, inst->funcs[m->start], NULL, NULL, NULL, diag);
		if (rc != WX_OK)
			return rc;
	}
	*out = inst;
	return WX_OK;
}

int vm_instance_export(struct vm_instance *inst, const char *name,
                       size_t name_len, struct vm_extern *out)
{
	const struct wasm_module *m = inst->module;

	for (uint32_t i = 0; i < m->nexports; i++) {
		const struct wasm_export *e = &m->exports[i];
		if (e->name_len != name_len ||
		    memcmp(e->name, name, name_len) != 0)
			continue;
		out->kind = e->kind;
		switch (e->kind) {
		case WASM_EXT_FUNC:
			out->u.func = inst->funcs[e->index];
			break;
		case WASM_EXT_TABLE:
			out->u.table = inst->tables[e->index];
			break;
		case WASM_EXT_MEMORY:
			out->u.memory = inst->memories[e->index];
			break;
		case WASM_EXT_GLOBAL:
			out->u.global = inst->globals[e->index];
			break;
		case WASM_EXT_TAG:
			out->u.tag = inst->tags[e->index];
			break;
		default:
			return WX_EARG;
		}
		return WX_OK;
	}
	return WX_EARG;
}

int vm_instance_relink_func(struct vm_instance *inst, uint32_t index,
                            struct vm_func *f)
{
	if (index >= inst->module->num_imported_funcs || f == NULL)
		return WX_EARG;
	if (f->type_id != inst->funcs[index]->type_id)
		return WX_ELINK;
	__atomic_store_n(&inst->funcs[index], f, __ATOMIC_RELEASE);
	return WX_OK;
}

struct vm_table *vm_instance_table(struct vm_instance *inst, uint32_t index)
{
	return index < inst->module->ntables ? inst->tables[index] : NULL;
}

struct vm_func *vm_instance_func(struct vm_instance *inst, uint32_t index)
{
	return index < inst->module->nfuncs ? inst->funcs[index] : NULL;
}

const struct wasm_module *vm_instance_module(struct vm_instance *inst)
{
	return inst->module;
}

struct vm_memory *vm_instance_memory(struct vm_instance *inst)
{
	return inst->module->nmemories != 0 ? inst->memories[0] : NULL;
}

struct vm_global *vm_instance_global(struct vm_instance *inst, uint32_t index)
{
	return index < inst->module->nglobals ? inst->globals[index] : NULL;
}

void vm_instance_set_user(struct vm_instance *inst, void *user)
{
	inst->user = user;
}

void *vm_instance_user(struct vm_instance *inst)
{
	return inst->user;
}

/* Whether code translated for 'src' means the same in 'dst' (vm.h). */
static bool same_translation(const struct vm_instance *dst,
                             const struct vm_instance *src)
{
	const struct wasm_module *m = src->module;

	if (dst->module != m || vm_interp_handlers_for(dst->store, dst) !=
	                            vm_interp_handlers_for(src->store, src))
		return false;
	if (m->ntypes != 0 && memcmp(dst->type_ids, src->type_ids,
	                             m->ntypes * sizeof *src->type_ids) != 0)
		return false;
	for (uint32_t i = 0; i < m->nglobals; i++)
		if (dst->globals[i]->tl1 != src->globals[i]->tl1)
			return false;
	return true;
}

size_t vm_instance_adopt_code(struct vm_instance *dst, struct vm_instance *src)
{
	const struct wasm_module *m = src->module;
	size_t moved = 0;

	if (dst == src || !same_translation(dst, src))
		return 0;
	vm_lock();
	for (uint32_t i = m->num_imported_funcs; i < m->nfuncs; i++) {
		struct vm_func *to = dst->funcs[i], *from = src->funcs[i];
		struct vm_code *code = from->code;

		if (code == NULL || to->inst != dst || from->inst != src ||
		    to->index != from->index || to->code != NULL)
			continue;
		from->code = NULL;
		if (code->neh != 0) { /* the unwinder finds it in dst's list */
			code->eh_next = dst->store->eh_codes;
			__atomic_store_n(&dst->store->eh_codes, code,
			                 __ATOMIC_RELEASE);
		}
		__atomic_store_n(&to->code, code, __ATOMIC_RELEASE);
		moved++;
	}
	vm_unlock();
	return moved;
}
