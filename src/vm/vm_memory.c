/*
 * vm_memory.c: linear memories and tables.
 *
 * A memory is one PROT_NONE reservation (MAP_NORESERVE) sized for its
 * effective maximum plus a guard page; memory.grow makes more of it
 * readable and writable with mprotect, so 'base' never moves and host
 * pointers into it stay valid. Bounds are checked explicitly by the
 * interpreter (one macro), so guard pages may replace the checks later.
 *
 * A table is a heap array of 64-bit handles grown with realloc; nothing
 * keeps pointers into it across a call.
 *
 * Keeps true: sizes never exceed the effective maxima, which are capped by
 * vm_config before anything is allocated.
 */
#include <string.h>
#include <sys/mman.h>

#include "vm/vm_impl.h"

/* Guard bytes after the largest size a memory may reach. */
#define VM_MEMORY_GUARD ((size_t)VM_PAGE_SIZE)

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

struct vm_memory *vm_memory_new(struct vm_store *s,
                                const struct wasm_limits_decl *lim)
{
	uint64_t cap = min_u64(s->cfg.max_memory_pages, 65536);
	uint64_t max_pages = lim->has_max ? min_u64(lim->max, cap) : cap;
	struct vm_memory *mem;

	if (lim->is64 || lim->min > max_pages)
		return NULL;
	mem = wx_calloc(1, sizeof *mem);
	if (mem == NULL)
		return NULL;
	mem->limits = *lim;
	mem->max_pages = max_pages;
	mem->reserved = (size_t)max_pages * VM_PAGE_SIZE + VM_MEMORY_GUARD;
	void *p = mmap(NULL, mem->reserved, PROT_NONE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		goto fail;
	mem->base = p;
	if (lim->min != 0 && mprotect(p, (size_t)lim->min * VM_PAGE_SIZE,
	                              PROT_READ | PROT_WRITE) != 0)
		goto fail;
	mem->size = lim->min * VM_PAGE_SIZE;
	if (vm_store_own((void ***)&s->memories, &s->nmemories,
	                 &s->cap_memories, mem) != WX_OK)
		goto fail;
	return mem;
fail:
	vm_memory_free(mem);
	return NULL;
}

void vm_memory_free(struct vm_memory *mem)
{
	if (mem == NULL)
		return;
	if (mem->base != NULL)
		munmap(mem->base, mem->reserved);
	wx_free(mem);
}

uint8_t *vm_memory_data(struct vm_memory *mem)
{
	return mem->base;
}

uint64_t vm_memory_size(const struct vm_memory *mem)
{
	return mem->size;
}

void *vm_memory_check(struct vm_memory *mem, uint64_t off, uint64_t len)
{
	if (off > mem->size || len > mem->size - off)
		return NULL;
	return mem->base + off;
}

int64_t vm_memory_grow(struct vm_memory *mem, uint64_t delta)
{
	uint64_t old_pages = mem->size / VM_PAGE_SIZE;

	if (delta > mem->max_pages - old_pages)
		return -1;
	if (delta != 0 &&
	    mprotect(mem->base + mem->size, (size_t)delta * VM_PAGE_SIZE,
	             PROT_READ | PROT_WRITE) != 0)
		return -1;
	mem->size += delta * VM_PAGE_SIZE;
	mem->limits.min = old_pages + delta;
	return (int64_t)old_pages;
}

const struct wasm_limits_decl *vm_memory_limits(const struct vm_memory *m)
{
	return &m->limits;
}

struct vm_table *vm_table_new(struct vm_store *s,
                              const struct wasm_tabletype *type, uint64_t init)
{
	uint64_t cap = min_u64(s->cfg.max_table_elems, UINT32_MAX);
	uint64_t max =
	    type->limits.has_max ? min_u64(type->limits.max, cap) : cap;
	struct vm_table *t;

	if (type->limits.min > max)
		return NULL;
	t = wx_calloc(1, sizeof *t);
	if (t == NULL)
		return NULL;
	t->type = *type;
	t->max = max;
	t->elems = wx_alloc_array(type->limits.min ? type->limits.min : 1,
	                          sizeof *t->elems);
	if (t->elems == NULL)
		goto fail;
	t->size = type->limits.min;
	for (uint64_t i = 0; i < t->size; i++)
		t->elems[i] = init;
	if (vm_store_own((void ***)&s->tables, &s->ntables, &s->cap_tables,
	                 t) != WX_OK)
		goto fail;
	return t;
fail:
	vm_table_free(t);
	return NULL;
}

void vm_table_free(struct vm_table *t)
{
	if (t == NULL)
		return;
	wx_free(t->elems);
	wx_free(t);
}

int64_t vm_table_grow(struct vm_table *t, uint64_t delta, uint64_t init)
{
	uint64_t old = t->size;

	if (delta > t->max - old)
		return -1;
	if (delta == 0)
		return (int64_t)old;
	uint64_t *ne = wx_realloc(t->elems, (size_t)(old + delta) * sizeof *ne);
	if (ne == NULL)
		return -1;
	for (uint64_t i = old; i < old + delta; i++)
		ne[i] = init;
	t->elems = ne;
	t->size = old + delta;
	t->type.limits.min = t->size;
	return (int64_t)old;
}

const struct wasm_tabletype *vm_table_type(const struct vm_table *t)
{
	return &t->type;
}

uint64_t vm_table_size(const struct vm_table *t)
{
	return t->size;
}

int vm_table_get(const struct vm_table *t, uint64_t i, uint64_t *out)
{
	if (i >= t->size)
		return WX_EARG;
	*out = t->elems[i];
	return WX_OK;
}
