/*
 * dl_impl.h: the linker's state, shared by the files of src/dl/ only
 * (dl_link.c: loading and symbols; dl_closure.c: closures).
 */
#ifndef WASMIX_DL_IMPL_H
#define WASMIX_DL_IMPL_H

#include <pthread.h>

#include "dl/dl.h"

struct dl_mod;
struct dl_got;
struct dl_stub;
struct dl_tagent;
struct dl_slot;
struct dl_closures;

struct dl_linker {
	struct vm_store *s;
	struct dl_host host; /* host.limits points at 'lim' */
	struct wasm_limits lim;
	struct vm_memory *mem;
	struct vm_table *table;
	struct vm_global *sp;
	struct dl_mod **mods;
	uint32_t nmods;
	struct dl_got *got;
	uint32_t ngot, capgot;
	struct dl_stub **stubs;
	uint32_t nstubs, capstubs;
	struct dl_tagent *tags;
	uint32_t ntags;
	struct dl_slot *slots; /* open addressing, capslots a power of 2 */
	uint32_t nslots, capslots;
	uint64_t stack_low, stack_high, heap_end;
	bool is64; /* memory64: addresses (data symbols, GOT.mem, the stack
	            * pointer) are i64 */
	uint32_t load_first;          /* first module of the load in progress */
	struct dl_closures *closures; /* dl_closure.c; NULL until used */
	/* Held (recursively: a constructor may dlopen) by dlopen, dlsym,
	 * the closure calls, a stub's lookup and a fork: guest threads share
	 * the linker. Through dl_lock/dl_unlock only (dl_link.c): 'owner'
	 * names the holding thread, 'held' its levels (the owner's only). */
	pthread_mutex_t mu;
	const char *owner; /* __atomic */
	uint32_t held;
	/* __atomic: modules whose thread-local blocks every thread should
	 * have (dl_thread_catch_up). */
	uint32_t tls_mods;
};

/* Takes and releases the linker's lock (recursive). */
void dl_lock(struct dl_linker *l);
void dl_unlock(struct dl_linker *l);

/* Frees the closure state of 'l' (dl_closure.c). */
void dl_closures_free(struct dl_linker *l);

#endif
