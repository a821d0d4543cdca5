/*
 * vm_memory.c: linear memories and tables.
 *
 * A memory is one PROT_NONE reservation (MAP_NORESERVE); memory.grow
 * makes more of it readable and writable with mprotect, so 'base' never
 * moves and host pointers into it stay valid. The reservation is either
 * guarded (vm_guard.c: 8 GiB, so the interpreter's loads and stores need
 * no bounds compare) or, with cfg.bounds_checks or when that much address
 * space is not available, sized for the effective maximum plus a guard
 * page, and the interpreter checks bounds explicitly.
 *
 * A 64-bit memory (memory64) is the same, at most 4 GiB minus a page.
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

/* vm_set_memory_charge's hook, or NULL. */
static int (*vm_mem_charge)(int64_t bytes);

void vm_set_memory_charge(int (*charge)(int64_t bytes))
{
	__atomic_store_n(&vm_mem_charge, charge, __ATOMIC_RELEASE);
}

/* Charges 'bytes' more to 'mem' through the hook; false if refused. */
static bool vm_memory_charge(struct vm_memory *mem, uint64_t bytes)
{
	if (vm_mem_charge == NULL || bytes == 0)
		return true;
	if (vm_mem_charge((int64_t)bytes) != 0)
		return false;
	__atomic_add_fetch(&mem->charged, bytes, __ATOMIC_RELAXED);
	return true;
}

/* Gives back 'bytes' that vm_memory_charge took for 'mem'. */
static void vm_memory_refund(struct vm_memory *mem, uint64_t bytes)
{
	if (vm_mem_charge == NULL || bytes == 0)
		return;
	vm_mem_charge(-(int64_t)bytes);
	__atomic_sub_fetch(&mem->charged, bytes, __ATOMIC_RELAXED);
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

int vm_memory_make(struct vm_store *s, const struct wasm_limits_decl *lim,
                   struct vm_memory **out)
{
	/*
	 * A 64-bit memory stops one page short of 4 GiB: its loads and
	 * stores clamp an address beyond 32 bits to 2^32 - 1 (vm_compile.c),
	 * which must then lie outside it.
	 */
	uint64_t cap =
	    min_u64(s->cfg.max_memory_pages, lim->is64 ? 65535 : 65536);
	uint64_t max_pages = lim->has_max ? min_u64(lim->max, cap) : cap;
	struct vm_memory *mem;
	int rc = WX_ELIMIT;

	*out = NULL;
	if (lim->min > max_pages)
		return WX_ELIMIT;
	mem = wx_calloc(1, sizeof *mem);
	if (mem == NULL)
		return WX_ENOMEM;
	mem->limits = *lim;
	mem->max_pages = max_pages;
	if (!vm_memory_charge(mem, lim->min * VM_PAGE_SIZE))
		goto fail;
	uint8_t *p = s->cfg.bounds_checks ? NULL : vm_guard_reserve();
	if (p != NULL) {
		mem->guarded = true;
		mem->reserved = VM_GUARD_RESERVE;
	} else {
		mem->reserved =
		    (size_t)max_pages * VM_PAGE_SIZE + VM_MEMORY_GUARD;
		p = mmap(NULL, mem->reserved, PROT_NONE,
		         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			goto fail;
	}
	mem->base = p;
	if (lim->min != 0 && mprotect(p, (size_t)lim->min * VM_PAGE_SIZE,
	                              PROT_READ | PROT_WRITE) != 0)
		goto fail;
	mem->size = lim->min * VM_PAGE_SIZE;
	rc = vm_store_own((void ***)&s->memories, &s->nmemories,
	                  &s->cap_memories, mem);
	if (rc != WX_OK)
		goto fail;
	*out = mem;
	return WX_OK;
fail:
	vm_memory_free(mem);
	return rc;
}

struct vm_memory *vm_memory_new(struct vm_store *s,
                                const struct wasm_limits_decl *lim)
{
	struct vm_memory *mem;

	vm_memory_make(s, lim, &mem);
	return mem;
}

void vm_memory_free(struct vm_memory *mem)
{
	if (mem == NULL)
		return;
	if (mem->charged != 0 && vm_mem_charge != NULL)
		vm_mem_charge(-(int64_t)mem->charged);
	if (mem->base != NULL && mem->guarded)
		vm_guard_release(mem->base);
	else if (mem->base != NULL)
		munmap(mem->base, mem->reserved);
	wx_free(mem);
}

uint8_t *vm_memory_data(struct vm_memory *mem)
{
	return mem->base;
}

uint64_t vm_memory_size(const struct vm_memory *mem)
{
	return vm_memory_size_now(mem);
}

void *vm_memory_check(struct vm_memory *mem, uint64_t off, uint64_t len)
{
	uint64_t size = vm_memory_size_now(mem);

	if (off > size || len > size - off)
		return NULL;
	return mem->base + off;
}

int64_t vm_memory_grow(struct vm_memory *mem, uint64_t delta)
{
	int64_t rc = -1;

	if (delta > mem->max_pages)
		return -1;
	/*
	 * Charged before vm_lock, refunded if the grow fails: the charge
	 * takes the process table's lock, which a guest fork holds while
	 * vm_fork_prepare takes vm_lock (the other order would deadlock).
	 */
	if (!vm_memory_charge(mem, delta * VM_PAGE_SIZE))
		return -1;
	vm_lock();
	uint64_t size = mem->size, old_pages = size / VM_PAGE_SIZE;
	if (delta > mem->max_pages - old_pages)
		goto out;
	if (delta != 0 &&
	    mprotect(mem->base + size, (size_t)delta * VM_PAGE_SIZE,
	             PROT_READ | PROT_WRITE) != 0)
		goto out;
	/* Pages first, then the size that lets other threads use them. */
	__atomic_store_n(&mem->size, size + delta * VM_PAGE_SIZE,
	                 __ATOMIC_RELEASE);
	mem->limits.min = old_pages + delta;
	rc = (int64_t)old_pages;
out:
	vm_unlock();
	if (rc < 0)
		vm_memory_refund(mem, delta * VM_PAGE_SIZE);
	return rc;
}

const struct wasm_limits_decl *vm_memory_limits(const struct vm_memory *m)
{
	return &m->limits;
}

int vm_table_make(struct vm_store *s, const struct wasm_tabletype *type,
                  uint64_t init, struct vm_table **out)
{
	uint64_t cap = min_u64(s->cfg.max_table_elems, UINT32_MAX);
	uint64_t max =
	    type->limits.has_max ? min_u64(type->limits.max, cap) : cap;
	struct vm_table *t;
	int rc = WX_ELIMIT;

	*out = NULL;
	if (type->limits.min > max)
		return WX_ELIMIT;
	t = wx_calloc(1, sizeof *t);
	if (t == NULL)
		return WX_ENOMEM;
	t->type = *type;
	t->max = max;
	t->store = s;
	vm_lock();
	/* The store-wide budget, checked before allocating. */
	if (type->limits.min > s->cfg.max_table_elems - s->table_elems) {
		vm_unlock();
		goto fail;
	}
	s->table_elems += type->limits.min;
	t->size = type->limits.min;
	vm_unlock();
	t->cap = t->size ? t->size : 1;
	t->elems = wx_alloc_array(t->cap, sizeof *t->elems);
	rc = WX_ENOMEM;
	if (t->elems == NULL)
		goto fail;
	for (uint64_t i = 0; i < t->size; i++)
		t->elems[i] = init;
	rc = vm_store_own((void ***)&s->tables, &s->ntables, &s->cap_tables, t);
	if (rc != WX_OK)
		goto fail;
	*out = t;
	return WX_OK;
fail:
	vm_table_free(t);
	return rc;
}

struct vm_table *vm_table_new(struct vm_store *s,
                              const struct wasm_tabletype *type, uint64_t init)
{
	struct vm_table *t;

	vm_table_make(s, type, init, &t);
	return t;
}

void vm_table_free(struct vm_table *t)
{
	if (t == NULL)
		return;
	if (t->store != NULL) {
		vm_lock();
		t->store->table_elems -= t->size;
		vm_unlock();
	}
	wx_free(t->elems);
	for (size_t i = 0; i < t->nretired; i++)
		wx_free(t->retired[i]);
	wx_free(t->retired);
	wx_free(t);
}

/*
 * Replaces t's array by one of at least 'need' elements (twice the old
 * capacity if that is more, within t->max), copying the live ones and
 * retiring the old array. Called under vm_lock. Returns 0 or WX_ENOMEM.
 *
 * THREADS: the old array is not freed (another thread may be reading it
 * in call_indirect) but kept on t->retired; the new one is published
 * before the new size, both with release stores. Capacity at least
 * doubles, so the retired arrays together hold fewer elements than the
 * table: growing one element at a time stays linear.
 */
static int table_realloc(struct vm_table *t, uint64_t need)
{
	uint64_t ncap = t->cap * 2 > need ? t->cap * 2 : need;
	uint64_t *ne;
	uint64_t **nr;

	if (ncap > t->max)
		ncap = t->max;
	ne = wx_alloc_array((size_t)ncap, sizeof *ne);
	nr = wx_realloc(t->retired, (t->nretired + 1) * sizeof *nr);
	if (nr != NULL)
		t->retired = nr;
	if (ne == NULL || nr == NULL) {
		wx_free(ne);
		return WX_ENOMEM;
	}
	memcpy(ne, t->elems, (size_t)t->size * sizeof *ne);
	t->retired[t->nretired++] = t->elems;
	t->cap = ncap;
	__atomic_store_n(&t->elems, ne, __ATOMIC_RELEASE);
	return WX_OK;
}

int64_t vm_table_grow(struct vm_table *t, uint64_t delta, uint64_t init)
{
	int64_t rc = -1;

	vm_lock();
	uint64_t old = t->size;
	uint64_t budget = t->store->cfg.max_table_elems - t->store->table_elems;
	if (delta > t->max - old || delta > budget)
		goto out;
	rc = (int64_t)old;
	if (delta == 0)
		goto out;
	if (old + delta > t->cap && table_realloc(t, old + delta) != WX_OK) {
		rc = -1;
		goto out;
	}
	for (uint64_t i = old; i < old + delta; i++)
		t->elems[i] = init;
	t->store->table_elems += delta;
	__atomic_store_n(&t->size, old + delta, __ATOMIC_RELEASE);
	t->type.limits.min = old + delta;
out:
	vm_unlock();
	return rc;
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

int vm_table_set(struct vm_table *t, uint64_t i, uint64_t v)
{
	if (i >= __atomic_load_n(&t->size, __ATOMIC_ACQUIRE))
		return WX_EARG;
	__atomic_store_n(&__atomic_load_n(&t->elems, __ATOMIC_ACQUIRE)[i], v,
	                 __ATOMIC_RELEASE);
	return WX_OK;
}
