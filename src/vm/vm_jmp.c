/*
 * vm_jmp.c: setjmp/longjmp for wasm code without asyncify: the snapshot
 * table behind vm_jmp_checkpoint / vm_jmp_restore (vm.h) and the two
 * interpreter hooks (vm_impl.h). docs/process.md has the design.
 *
 * A checkpoint is taken by a host function called from wasm frame F0.
 * The frame that wrote setjmp (the anchor) is F0 itself when setjmp is a
 * macro (the SDK), or a caller of F0 when setjmp is a function that
 * forwards its buffer to the import, maybe through more such functions
 * (wasix-libc: setjmp -> __wasilibc_setjmp -> stack_checkpoint). A frame
 * is such a wrapper when its first slot holds the snapshot's address, it
 * has slots of its own and a wasm caller in the same interpreter level;
 * at most JMP_MAX_WRAP of them. The entry keeps the anchor's activation,
 * the value-stack slots from the anchor's fp up to the call's arguments
 * (the anchor and every wrapper: callee frames start at their caller's
 * arguments), the wrappers' frame records and F0's resume pc, fp and
 * instance. The anchor's callers stay suspended while it lives.
 *
 * Keeps true:
 *  - Activations: the first checkpoint of an activation of the anchor
 *    swaps its return address frames[k].pc for vm_jmp_hook_cells, keeping
 *    the real one in live[k] with a fresh serial. Every call writes its
 *    own record's pc, so "frames[k].pc is the hook and live[k].serial is
 *    the entry's" holds exactly while the activation that made the entry
 *    is live (k below the current depth). A return through the hook, or
 *    a longjmp over the frame, ends the activation: its entries are freed
 *    and its serial cleared. Wrappers are not hooked: they return at once
 *    by design, and a restore rebuilds them from the entry. Plain calls
 *    and returns pay nothing.
 *  - Entries: ids count up per table; entry 'id' sits in slot
 *    id % VM_JMP_MAX_ENTRIES, so reusing a slot evicts the oldest; the
 *    saved bytes (slots and wrapper records) stay within VM_JMP_MAX_BYTES
 *    by evicting oldest first. Every id below 'oldest' is evicted; an
 *    activation's entries are chained newest first through 'prev'.
 *  - The 16-byte token is the id masked by a per-table pad, then a keyed
 *    hash of (id, the table's nonce) under a random per-process key, so
 *    random bytes and another thread's snapshots (other table, other
 *    nonce) are rejected, and the guest's 'user' word is free. The token
 *    is not what keeps the host safe: liveness is always checked on the
 *    host side, so at worst a guest reaches one of its own live
 *    checkpoints.
 *  - fork copies the tables (longjmp works in the child); a new store
 *    (exec) starts new tables with new nonces.
 *  - Native anchors (compiled frames that call setjmp, vm_impl.h) live
 *    on the table's anchor stack, innermost last: an entry with 'nat'
 *    set is valid exactly while anchors[nat - 1] holds its serial. The
 *    compiled tier pops an anchor when its frame returns and cuts the
 *    stack at every unwind, so an anchor on the stack is a live frame;
 *    its 'rec' is handed back only then. Such an entry saves every
 *    interpreter frame between the anchor and the import (records from
 *    'rec' on, 'nwrap' of them) and never lands in an interpreter level.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "vm/vm_code.h"

#define JMP_N          VM_JMP_MAX_ENTRIES
#define JMP_REUSE_WALK 8 /* entries of an activation looked at for reuse */
#define JMP_MAX_WRAP   8 /* wrapper frames above an anchor, at most */

struct vm_jmp_entry {
	uint64_t id; /* 0: free */
	uint64_t serial;
	uint64_t prev;      /* the activation's previous entry, 0: none */
	const uint32_t *pc; /* F0 (the checkpoint frame): its resume point */
	uint64_t *fp;       /* F0's fp */
	struct vm_instance *inst;
	uint64_t *base; /* the anchor's fp: the saved slots start there */
	/* 'nslots' slots, then 'nwrap' records frames[rec + 1 ...]; owned */
	uint64_t *slots;
	size_t bytes; /* of 'slots' */
	uint64_t aux;
	uint32_t nslots;
	uint32_t nwrap; /* wrapper frames: F0 is the anchor when 0 */
	uint32_t rec;   /* the anchor's frame record index */
	uint32_t nat;   /* a native anchor's index + 1; 0: interpreted */
	uint32_t site;  /* a native anchor's call site */
	uint64_t ret_ptr;
};

/* A native anchor (vm_impl.h): a compiled frame that calls setjmp. */
struct jmp_anchor {
	uint64_t serial;
	uint64_t last; /* id of its newest entry, 0: none */
	void *rec;     /* the compiled tier's record, in the live frame */
	const void *owner;
	uint32_t depth; /* th->depth of its setjmp calls */
};

/* The checkpointed activation of the frame of record k, if any. */
struct vm_jmp_live {
	const uint32_t *pc; /* its real return address */
	uint64_t serial;    /* 0: none */
	uint64_t last;      /* id of its newest entry, 0: none */
};

struct vm_jmp {
	uint64_t nonce;
	uint64_t next_id; /* the last id given */
	uint64_t oldest;  /* every id below is evicted */
	uint64_t next_serial;
	uint64_t pending; /* armed longjmp target id, 0: none */
	size_t bytes;     /* saved bytes held */
	uint32_t hi;      /* live[k].serial is 0 for every k >= hi */
	uint32_t nanchors, capanchors;
	struct jmp_anchor *anchors; /* native anchors, innermost last */
	struct vm_jmp_sjcall sj;    /* the setjmp call in progress */
	struct vm_jmp_live *live;   /* cfg.max_call_depth + 1 */
	struct vm_jmp_entry ents[JMP_N];
};

static uint64_t jmp_key[2];
static uint64_t jmp_tables; /* tables made, for nonces; atomic */
static pthread_once_t jmp_key_once = PTHREAD_ONCE_INIT;

static void jmp_key_init(void)
{
	struct timespec ts;

	if (getrandom(jmp_key, sizeof jmp_key, 0) == (ssize_t)sizeof jmp_key)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	jmp_key[0] = (uint64_t)ts.tv_nsec << 32 ^ (uint64_t)ts.tv_sec;
	jmp_key[1] = (uint64_t)getpid() ^ (uint64_t)(uintptr_t)&ts;
}

/* A keyed 64-bit mixer (xor-shift-multiply rounds). */
static uint64_t jmp_mix(uint64_t x, uint64_t k)
{
	x ^= k;
	x *= 0x9e3779b97f4a7c15u;
	x ^= x >> 32;
	x *= 0xc2b2ae3d27d4eb4fu;
	x ^= x >> 29;
	x *= 0x9e3779b97f4a7c15u;
	x ^= x >> 32;
	return x;
}

/* The keyed hash of snapshot 'id' of table 'j'. */
static uint64_t jmp_mac(const struct vm_jmp *j, uint64_t id)
{
	return jmp_mix(jmp_mix(id, jmp_key[1]) ^ j->nonce, jmp_key[0]);
}

/* The 16-byte token of snapshot 'id' of table 'j'. */
static void jmp_token(const struct vm_jmp *j, uint64_t id, uint8_t out[16])
{
	uint64_t h0 = id ^ jmp_mix(j->nonce, jmp_key[0] ^ jmp_key[1]);
	uint64_t h1 = jmp_mac(j, id);

	memcpy(out, &h0, 8);
	memcpy(out + 8, &h1, 8);
}

/* The id that 'tok' carries if table 'j' made it, else 0. */
static uint64_t jmp_untoken(const struct vm_jmp *j, const uint8_t tok[16])
{
	uint64_t h0, h1, id;

	memcpy(&h0, tok, 8);
	memcpy(&h1, tok + 8, 8);
	id = h0 ^ jmp_mix(j->nonce, jmp_key[0] ^ jmp_key[1]);
	return id != 0 && jmp_mac(j, id) == h1 ? id : 0;
}

/* Makes t's table on first use. WX_OK or WX_ENOMEM. */
static int jmp_table(struct vm_thread *t)
{
	struct vm_jmp *j;

	if (t->jmp != NULL)
		return WX_OK;
	pthread_once(&jmp_key_once, jmp_key_init);
	j = wx_calloc(1, sizeof *j);
	if (j == NULL)
		return WX_ENOMEM;
	j->live = wx_calloc((size_t)t->store->cfg.max_call_depth + 1u,
	                    sizeof *j->live);
	if (j->live == NULL) {
		wx_free(j);
		return WX_ENOMEM;
	}
	j->oldest = 1;
	j->nonce = jmp_mix(__atomic_fetch_add(&jmp_tables, 1, __ATOMIC_RELAXED),
	                   jmp_key[1] ^ (uint64_t)(uintptr_t)t);
	t->jmp = j;
	return WX_OK;
}

/* The live entry with id 'id', or NULL. */
static struct vm_jmp_entry *jmp_entry(struct vm_jmp *j, uint64_t id)
{
	struct vm_jmp_entry *e = &j->ents[id % JMP_N];

	return id != 0 && e->id == id ? e : NULL;
}

static void jmp_evict(struct vm_jmp *j, struct vm_jmp_entry *e)
{
	if (e->id == 0)
		return;
	j->bytes -= e->bytes;
	wx_free(e->slots);
	memset(e, 0, sizeof *e);
}

/* Ends the checkpointed activation of record k: its entries go. */
static void jmp_end(struct vm_jmp *j, uint32_t k)
{
	struct vm_jmp_live *l = &j->live[k];
	struct vm_jmp_entry *e;

	for (uint64_t x = l->last;
	     (e = jmp_entry(j, x)) != NULL && e->serial == l->serial;) {
		x = e->prev;
		jmp_evict(j, e);
	}
	l->serial = 0;
	l->last = 0;
}

/* Ends the checkpointed activations of every record from 'k' up. */
static void jmp_end_from(struct vm_jmp *j, uint32_t k)
{
	for (uint32_t d = k; d < j->hi; d++)
		if (j->live[d].serial != 0)
			jmp_end(j, d);
	if (j->hi > k)
		j->hi = k;
}

/*
 * The activation record of the frame making 'call' (record k): starts a
 * new one, with the return-address hook, unless this activation has one.
 */
static struct vm_jmp_live *jmp_activation(struct vm_thread *t, uint32_t k)
{
	struct vm_jmp *j = t->jmp;
	struct vm_jmp_live *l = &j->live[k];

	if (t->frames[k].pc != vm_jmp_hook_cells) {
		/* An earlier activation here died unwinding: free its own. */
		if (l->serial != 0)
			jmp_end(j, k);
		l->pc = t->frames[k].pc;
		l->serial = ++j->next_serial;
		l->last = 0;
		t->frames[k].pc = vm_jmp_hook_cells;
		if (k >= j->hi)
			j->hi = k + 1;
	}
	return l;
}

/* The shape of a checkpoint: its anchor and what is saved above it. */
struct jmp_shape {
	uint64_t *base;   /* the anchor's fp */
	uint32_t nwrap;   /* wrapper frames between the anchor and the call */
	uint32_t nslots;  /* slots from 'base' to the call's arguments */
	uint32_t rec;     /* the anchor's frame record */
	size_t bytes;     /* slots and wrapper records */
	bool host_called; /* the walk stopped at a wrapper the host called */
};

/*
 * The anchor of checkpoint 'call': walks down from the calling frame
 * while the frame is a wrapper (first slot == 'key', slots of its own, a
 * wasm caller in this interpreter level), at most JMP_MAX_WRAP frames.
 */
static void jmp_shape(const struct vm_thread *t, const struct vm_call *call,
                      uint32_t key, struct jmp_shape *sh)
{
	const uint32_t *exit_pc = vm_interp_exit_pc(), *ret;
	uint64_t *fp = call->frame_fp;
	const uint64_t *top = call->args;
	uint32_t r = call->frame_depth - 1, w = 0;

	sh->host_called = false;
	while (w < JMP_MAX_WRAP && top > fp && (uint32_t)fp[0] == key) {
		ret = t->frames[r].pc;
		if (ret == vm_jmp_hook_cells)
			ret = t->jmp->live[r].pc;
		if (ret == exit_pc || r == 0) {
			/* A host caller cannot be rebuilt (unless it is a
			 * native anchor: jmp_native_checkpoint). */
			sh->host_called = ret == exit_pc;
			break;
		}
		top = fp;
		fp = t->frames[r].fp;
		r--;
		w++;
	}
	sh->base = fp;
	sh->nwrap = w;
	sh->rec = r;
	sh->nslots = (uint32_t)(call->args - fp);
	sh->bytes = (size_t)sh->nslots * sizeof(uint64_t) +
	            (size_t)w * sizeof(struct vm_frame);
}

/* Frame record r's return address, seen through an anchor's hook. */
static const uint32_t *jmp_ret_pc(const struct vm_thread *t, uint32_t r)
{
	const uint32_t *pc = t->frames[r].pc;

	return pc == vm_jmp_hook_cells ? t->jmp->live[r].pc : pc;
}

/*
 * An entry of activation 'l' made at the same call site, or NULL. With
 * wrappers (setjmp as a libc function), F0's pc and fp are the same for
 * every setjmp of the anchor: the call sites in the anchor and in each
 * wrapper (the wrappers' return addresses) must match too, or two live
 * setjmps of one frame would share an entry.
 */
static struct vm_jmp_entry *jmp_reuse(const struct vm_thread *t,
                                      const struct vm_jmp_live *l,
                                      const struct vm_call *call,
                                      const struct jmp_shape *sh)
{
	struct vm_jmp *j = t->jmp;
	struct vm_jmp_entry *e;
	uint64_t x = l->last;

	for (int n = 0; n < JMP_REUSE_WALK && (e = jmp_entry(j, x)) != NULL &&
	                e->serial == l->serial;
	     n++) {
		const struct vm_frame *recs =
		    (const struct vm_frame *)(e->slots + e->nslots);
		bool same = e->pc == call->frame_pc &&
		            e->fp == call->frame_fp &&
		            e->nslots == sh->nslots && e->nwrap == sh->nwrap;

		for (uint32_t i = 0; same && i < e->nwrap; i++)
			same = recs[i].pc == jmp_ret_pc(t, e->rec + 1 + i);
		if (same)
			return e;
		x = e->prev;
	}
	return NULL;
}

/*
 * A new entry for 'bytes' saved bytes, evicting the oldest ones for
 * room. NULL if out of memory.
 */
static struct vm_jmp_entry *jmp_alloc(struct vm_jmp *j, size_t bytes)
{
	uint64_t *slots = wx_malloc(bytes != 0 ? bytes : 1);
	struct vm_jmp_entry *e, *old;
	uint64_t id;

	if (slots == NULL)
		return NULL;
	id = ++j->next_id;
	if (id >= JMP_N && j->oldest < id - JMP_N + 1)
		j->oldest = id - JMP_N + 1;
	e = &j->ents[id % JMP_N];
	jmp_evict(j, e);
	while (j->bytes + bytes > VM_JMP_MAX_BYTES && j->oldest < id) {
		old = jmp_entry(j, j->oldest++);
		if (old != NULL)
			jmp_evict(j, old);
	}
	e->id = id;
	e->slots = slots;
	e->bytes = bytes;
	j->bytes += bytes;
	return e;
}

/* Copies the checkpoint's slots and wrapper records into 'e'. */
static void jmp_save(const struct vm_thread *t, struct vm_jmp_entry *e)
{
	struct vm_frame *recs = (struct vm_frame *)(e->slots + e->nslots);

	if (e->nslots != 0)
		memcpy(e->slots, e->base, (size_t)e->nslots * sizeof(uint64_t));
	for (uint32_t i = 0; i < e->nwrap; i++) {
		uint32_t r = e->rec + 1 + i;

		recs[i] = t->frames[r];
		recs[i].pc = jmp_ret_pc(t, r); /* maybe an anchor's hook */
	}
}

/* The depth of the native anchor's setjmp call in progress, or
 * UINT32_MAX (no frame has that depth). */
static uint32_t jmp_sj_depth(const struct vm_thread *t)
{
	return t->jmp != NULL && t->jmp->sj.id != NULL ? t->jmp->sj.depth
	                                               : UINT32_MAX;
}

/*
 * A checkpoint that belongs to the native anchor of the setjmp call in
 * progress (t->jmp->sj): 'sh' the interpreter frames between the anchor
 * and the import (the first one called by the anchor; every one of them
 * forwards the snapshot), or NULL when the anchor called the import. The
 * entry keeps their slots and all their records (the first one's too:
 * the anchor's call made it), so a longjmp can run them again.
 */
static int jmp_native_checkpoint(struct vm_thread *t, struct vm_call *call,
                                 const struct jmp_shape *sh, uint64_t ret_ptr,
                                 uint64_t aux, uint8_t token[16])
{
	struct vm_jmp *j = t->jmp;
	uint32_t idx = j->sj.id->index, site = j->sj.site;
	struct jmp_anchor *a = &j->anchors[idx];
	uint32_t nrec = sh != NULL ? sh->nwrap + 1 : 0;
	uint32_t nslots = sh != NULL ? sh->nslots : 0;
	size_t bytes = (size_t)nslots * sizeof(uint64_t) +
	               (size_t)nrec * sizeof(struct vm_frame);
	const uint32_t *pc = sh != NULL ? call->frame_pc : NULL;
	struct vm_jmp_entry *e = NULL, *o;
	struct vm_frame *recs;
	uint64_t x = a->last;

	if (idx >= j->nanchors || a->serial != j->sj.id->serial)
		return WX_EARG;
	if (bytes > VM_JMP_MAX_BYTES)
		return WX_ENOMEM;
	/* The same call site of this activation reuses its entry. */
	for (int n = 0; n < JMP_REUSE_WALK && (o = jmp_entry(j, x)) != NULL &&
	                o->serial == a->serial;
	     n++) {
		if (o->site == site && o->pc == pc && o->fp == call->frame_fp &&
		    o->nslots == nslots && o->nwrap == nrec) {
			e = o;
			break;
		}
		x = o->prev;
	}
	if (e == NULL) {
		e = jmp_alloc(j, bytes);
		if (e == NULL)
			return WX_ENOMEM;
		e->serial = a->serial;
		e->prev = a->last;
		e->nat = idx + 1;
		e->site = site;
		e->rec = sh != NULL ? sh->rec : 0;
		e->pc = pc;
		e->fp = call->frame_fp;
		e->inst = call->caller;
		e->base = sh != NULL ? sh->base : NULL;
		e->nslots = nslots;
		e->nwrap = nrec;
		a->last = e->id;
	}
	e->ret_ptr = ret_ptr;
	e->aux = aux;
	if (nslots != 0)
		memcpy(e->slots, e->base, (size_t)nslots * sizeof(uint64_t));
	recs = (struct vm_frame *)(e->slots + nslots);
	for (uint32_t i = 0; i < nrec; i++) {
		recs[i] = t->frames[e->rec + i];
		recs[i].pc = jmp_ret_pc(t, e->rec + i);
	}
	jmp_token(j, e->id, token);
	return WX_OK;
}

int vm_jmp_checkpoint(struct vm_call *call, uint32_t key, uint64_t ret_ptr,
                      uint64_t aux, uint8_t token[16])
{
	struct vm_thread *t = call->thread;
	struct vm_jmp_entry *e;
	struct vm_jmp_live *l;
	struct jmp_shape sh;
	int rc;

	if (t == NULL || call->frame_depth == 0)
		return WX_EARG;
	if (call->frame_pc == NULL) /* compiled code called the import */
		return jmp_sj_depth(t) == call->frame_depth
		           ? jmp_native_checkpoint(t, call, NULL, ret_ptr, aux,
		                                   token)
		           : WX_EARG;
	rc = jmp_table(t);
	if (rc != WX_OK)
		return rc;
	jmp_shape(t, call, key, &sh);
	if (sh.host_called && jmp_sj_depth(t) == sh.rec)
		return jmp_native_checkpoint(t, call, &sh, ret_ptr, aux, token);
	if (sh.bytes > VM_JMP_MAX_BYTES)
		return WX_ENOMEM;
	l = jmp_activation(t, sh.rec);
	e = jmp_reuse(t, l, call, &sh);
	if (e == NULL) {
		e = jmp_alloc(t->jmp, sh.bytes);
		if (e == NULL)
			return WX_ENOMEM;
		e->serial = l->serial;
		e->prev = l->last;
		e->rec = sh.rec;
		e->pc = call->frame_pc;
		e->fp = call->frame_fp;
		e->inst = call->caller;
		e->base = sh.base;
		e->nslots = sh.nslots;
		e->nwrap = sh.nwrap;
		l->last = e->id;
	}
	e->ret_ptr = ret_ptr;
	e->aux = aux;
	jmp_save(t, e);
	/* A call made by F0 after this writes a real pc here (jmp_promote). */
	if (sh.nwrap == 0 && call->frame_depth < t->store->cfg.max_call_depth)
		t->frames[call->frame_depth].pc = NULL;
	jmp_token(t->jmp, e->id, token);
	return WX_OK;
}

/* The trap of a snapshot that cannot be restored. */
static int jmp_stale(struct vm_call *call, const char *why)
{
	char msg[128];

	snprintf(msg, sizeof msg, "invalid or stale setjmp snapshot (%s)", why);
	return vm_call_trap(call, msg);
}

int vm_jmp_restore(struct vm_call *call, const uint8_t token[16],
                   uint64_t *ret_ptr, uint64_t *aux)
{
	struct vm_thread *t = call->thread;
	struct vm_jmp *j = t != NULL ? t->jmp : NULL;
	struct vm_jmp_entry *e;
	uint64_t id;
	uint32_t k;

	if (j == NULL)
		return jmp_stale(call, "no snapshot was taken on this thread");
	id = jmp_untoken(j, token);
	if (id == 0)
		return jmp_stale(call, "forged, or taken on another thread");
	e = jmp_entry(j, id);
	if (e == NULL && id < j->oldest)
		return jmp_stale(call, "evicted: too many live snapshots");
	if (e == NULL)
		return jmp_stale(call, "its frame returned");
	if (e->nat != 0) {
		const struct jmp_anchor *a = &j->anchors[e->nat - 1];

		if (e->nat > j->nanchors || a->serial != e->serial ||
		    a->depth > call->frame_depth)
			return jmp_stale(call, "its frame returned");
		/* The interpreter frames above the anchor are gone. */
		jmp_end_from(j, a->depth);
		j->pending = id;
		*ret_ptr = e->ret_ptr;
		*aux = e->aux;
		return WX_OK;
	}
	k = e->rec;
	if (k >= call->frame_depth || t->frames[k].pc != vm_jmp_hook_cells ||
	    j->live[k].serial != e->serial)
		return jmp_stale(call, "its frame returned");
	/* The frames above the anchor are gone with their snapshots. */
	for (uint32_t d = k + 1; d < call->frame_depth; d++)
		if (j->live[d].serial != 0)
			jmp_end(j, d);
	j->pending = id;
	*ret_ptr = e->ret_ptr;
	*aux = e->aux;
	return WX_OK;
}

/* The number of results of the function whose code holds 'pc', or -1. */
static int jmp_nresults(const struct vm_instance *inst, const uint32_t *pc)
{
	for (uint32_t i = 0; inst != NULL && i < inst->module->nfuncs; i++) {
		const struct vm_code *c = vm_func_code_at(inst->funcs[i], pc);

		if (c != NULL)
			return (int)c->nresults;
	}
	return -1;
}

/*
 * Whether the anchor of record k, returning now, was only a wrapper after
 * all: it made no wasm call since its checkpoints (frames[k + 1] still
 * holds what the newest one left there) and returns one value, as a
 * setjmp function does. Compilers make such wrappers that the checkpoint
 * cannot recognise (a copy of the libc function with the buffer's
 * address folded in, taking no argument).
 */
static bool jmp_wrapper_returned(const struct vm_thread *t, uint32_t k,
                                 const struct vm_jmp_entry *e, bool native)
{
	const struct vm_frame *recs;

	if (k == 0 || k + 1 >= t->store->cfg.max_call_depth ||
	    e->nwrap + 1 > JMP_MAX_WRAP ||
	    (!native && t->jmp->live[k].pc == vm_interp_exit_pc()))
		return false;
	recs = (const struct vm_frame *)(e->slots + e->nslots);
	if (t->frames[k + 1].pc != (e->nwrap == 0 ? NULL : recs[0].pc))
		return false;
	return jmp_nresults(e->inst, e->pc) == 1 &&
	       (e->nwrap == 0 || jmp_nresults(e->inst, recs[0].pc) == 1);
}

/*
 * Frees the entry of activation 'nl' that the promotion of 'e' (its new
 * records 'nrec', 'add' more slots) replaces: one made at the same call
 * sites, as jmp_reuse does for checkpoints, so that a setjmp in a loop
 * keeps one entry and evicts nobody else's.
 */
static void jmp_supersede(struct vm_jmp *j, struct vm_jmp_live *nl,
                          const struct vm_jmp_entry *e,
                          const struct vm_frame *nrec, uint32_t add)
{
	struct vm_jmp_entry *o, *newer = NULL;
	uint64_t x = nl->last;

	for (int n = 0; n < JMP_REUSE_WALK && (o = jmp_entry(j, x)) != NULL &&
	                o->serial == nl->serial;
	     n++) {
		const struct vm_frame *orec =
		    (const struct vm_frame *)(o->slots + o->nslots);
		bool same = o != e && o->pc == e->pc && o->fp == e->fp &&
		            o->nslots == e->nslots + add &&
		            o->nwrap == e->nwrap + 1;

		for (uint32_t i = 0; same && i < o->nwrap; i++)
			same = orec[i].pc == nrec[i].pc;
		x = o->prev;
		if (same) { /* unlink, keeping the chain whole */
			if (newer != NULL)
				newer->prev = o->prev;
			else
				nl->last = o->prev;
			jmp_evict(j, o);
			return;
		}
		newer = o;
	}
}

/*
 * Moves entry 'e' from the returning anchor (record k) to its caller
 * (record k - 1, activation 'nl'): the caller's slots below the anchor
 * (unchanged since the checkpoint: the anchor's frame starts above them)
 * go in front of the saved ones, the anchor's record becomes the first
 * wrapper. Returns false (the entry is then freed) if out of memory.
 */
static bool jmp_promote(struct vm_thread *t, uint32_t k, struct vm_jmp_entry *e,
                        struct vm_jmp_live *nl)
{
	struct vm_jmp *j = t->jmp;
	uint64_t *cfp = t->frames[k].fp; /* the caller's fp */
	uint32_t add = (uint32_t)(e->base - cfp);
	size_t bytes =
	    e->bytes + (size_t)add * sizeof(uint64_t) + sizeof(struct vm_frame);
	uint64_t *slots;
	struct vm_frame *orec, *nrec;

	if (e->base < cfp || bytes > VM_JMP_MAX_BYTES)
		return false;
	slots = wx_malloc(bytes);
	if (slots == NULL)
		return false;
	orec = (struct vm_frame *)(e->slots + e->nslots);
	nrec = (struct vm_frame *)(slots + add + e->nslots);
	memcpy(slots, cfp, (size_t)add * sizeof(uint64_t));
	memcpy(slots + add, e->slots, (size_t)e->nslots * sizeof(uint64_t));
	nrec[0] = t->frames[k];
	nrec[0].pc = j->live[k].pc;
	memcpy(nrec + 1, orec, (size_t)e->nwrap * sizeof(struct vm_frame));
	jmp_supersede(j, nl, e, nrec, add);
	wx_free(e->slots);
	j->bytes += bytes - e->bytes;
	e->slots = slots;
	e->bytes = bytes;
	e->base = cfp;
	e->nslots += add;
	e->nwrap++;
	e->rec = k - 1;
	e->serial = nl->serial;
	e->prev = nl->last;
	nl->last = e->id;
	return true;
}

/*
 * Moves entry 'e' of the returning frame of record k, which a native
 * anchor's setjmp call made (the frame is that call's callee), to that
 * anchor: the frame's record becomes the first saved one. A snapshot of
 * the same call site there is replaced, as jmp_supersede does. Returns
 * false (the entry is then freed) if out of memory.
 */
static bool jmp_promote_native(struct vm_thread *t, uint32_t k,
                               struct vm_jmp_entry *e)
{
	struct vm_jmp *j = t->jmp;
	struct jmp_anchor *a = &j->anchors[j->sj.id->index];
	size_t bytes = e->bytes + sizeof(struct vm_frame);
	struct vm_jmp_entry *o, *newer = NULL;
	uint64_t *slots, x = a->last;
	struct vm_frame *nrec;

	if (a->serial != j->sj.id->serial || bytes > VM_JMP_MAX_BYTES)
		return false;
	slots = wx_malloc(bytes);
	if (slots == NULL)
		return false;
	memcpy(slots, e->slots, (size_t)e->nslots * sizeof(uint64_t));
	nrec = (struct vm_frame *)(slots + e->nslots);
	nrec[0] = t->frames[k];
	nrec[0].pc = j->live[k].pc;
	memcpy(nrec + 1, e->slots + e->nslots,
	       (size_t)e->nwrap * sizeof(struct vm_frame));
	for (int n = 0; n < JMP_REUSE_WALK && (o = jmp_entry(j, x)) != NULL &&
	                o->serial == a->serial;
	     n++) {
		x = o->prev;
		if (o->site == j->sj.site && o->pc == e->pc && o->fp == e->fp &&
		    o->nslots == e->nslots && o->nwrap == e->nwrap + 1) {
			if (newer != NULL)
				newer->prev = o->prev;
			else
				a->last = o->prev;
			jmp_evict(j, o);
			break;
		}
		newer = o;
	}
	wx_free(e->slots);
	j->bytes += bytes - e->bytes;
	e->slots = slots;
	e->bytes = bytes;
	e->nwrap++;
	e->rec = k;
	e->nat = j->sj.id->index + 1;
	e->site = j->sj.site;
	e->serial = a->serial;
	e->prev = a->last;
	a->last = e->id;
	return true;
}

const uint32_t *vm_jmp_returned(struct vm_thread *t, uint32_t k)
{
	struct vm_jmp *j = t->jmp;
	struct vm_jmp_live *l = &j->live[k];
	const uint32_t *pc = l->pc;
	struct vm_jmp_entry *e = jmp_entry(j, l->last), *next;
	struct vm_jmp_live *nl;
	/* The frame was the callee of a native anchor's setjmp call. */
	bool native = pc == vm_interp_exit_pc() && jmp_sj_depth(t) == k;

	if (e == NULL || e->serial != l->serial ||
	    !jmp_wrapper_returned(t, k, e, native)) {
		jmp_end(j, k);
		return pc;
	}
	if (native) {
		for (; e != NULL && e->serial == l->serial; e = next) {
			next = jmp_entry(j, e->prev);
			if (!jmp_promote_native(t, k, e))
				jmp_evict(j, e);
		}
		l->serial = 0;
		l->last = 0;
		return pc;
	}
	/* A wrapper: its snapshots now belong to the caller's activation. */
	nl = jmp_activation(t, k - 1);
	for (; e != NULL && e->serial == l->serial; e = next) {
		next = jmp_entry(j, e->prev);
		if (!jmp_promote(t, k, e, nl))
			jmp_evict(j, e);
	}
	l->serial = 0;
	l->last = 0;
	return pc;
}

const uint32_t *vm_jmp_land(struct vm_thread *t, uint32_t base_depth,
                            uint32_t *depth, uint64_t **fp,
                            struct vm_instance **inst)
{
	struct vm_jmp *j = t->jmp;
	struct vm_jmp_entry *e = j != NULL ? jmp_entry(j, j->pending) : NULL;

	if (e == NULL || e->nat != 0 || e->rec < base_depth)
		return NULL;
	j->pending = 0;
	if (e->nslots != 0)
		memcpy(e->base, e->slots, (size_t)e->nslots * sizeof(uint64_t));
	/* The wrappers, which returned or were unwound, are called again. */
	if (e->nwrap != 0)
		memcpy(&t->frames[e->rec + 1], e->slots + e->nslots,
		       (size_t)e->nwrap * sizeof(struct vm_frame));
	e->base[e->nslots] = 0; /* the checkpoint call's result: success */
	*depth = e->rec + e->nwrap + 1;
	*fp = e->fp;
	*inst = e->inst;
	return e->pc;
}

bool vm_jmp_pending(const struct vm_thread *t)
{
	return t->jmp != NULL && t->jmp->pending != 0;
}

void vm_jmp_cancel(struct vm_thread *t)
{
	if (t->jmp != NULL)
		t->jmp->pending = 0;
}

void vm_jmp_free(struct vm_thread *t)
{
	struct vm_jmp *j = t->jmp;

	if (j == NULL)
		return;
	for (uint32_t i = 0; i < JMP_N; i++)
		wx_free(j->ents[i].slots);
	wx_free(j->anchors);
	wx_free(j->live);
	wx_free(j);
	t->jmp = NULL;
}

/* Pops native anchors from index 'n' up, freeing their entries. */
static void jmp_anchors_cut(struct vm_jmp *j, uint32_t n)
{
	while (j->nanchors > n) {
		struct jmp_anchor *a = &j->anchors[--j->nanchors];
		struct vm_jmp_entry *e;

		for (uint64_t x = a->last; (e = jmp_entry(j, x)) != NULL &&
		                           e->serial == a->serial &&
		                           e->nat == j->nanchors + 1;) {
			x = e->prev;
			jmp_evict(j, e);
		}
		memset(a, 0, sizeof *a);
	}
}

int vm_jmp_anchor_push(struct vm_thread *t, void *rec, void *owner,
                       uint32_t depth, struct vm_jmp_anchor_id *id)
{
	struct vm_jmp *j;
	struct jmp_anchor *a;
	int rc = jmp_table(t);

	if (rc != WX_OK)
		return rc;
	j = t->jmp;
	if (j->nanchors == j->capanchors) {
		uint32_t cap = j->capanchors != 0 ? 2 * j->capanchors : 16;

		a = wx_realloc(j->anchors, (size_t)cap * sizeof *a);
		if (a == NULL)
			return WX_ENOMEM;
		j->anchors = a;
		j->capanchors = cap;
	}
	a = &j->anchors[j->nanchors];
	a->serial = ++j->next_serial;
	a->last = 0;
	a->rec = rec;
	a->owner = owner;
	a->depth = depth;
	id->serial = a->serial;
	id->index = j->nanchors++;
	return WX_OK;
}

void vm_jmp_anchor_pop(struct vm_thread *t, const struct vm_jmp_anchor_id *id)
{
	struct vm_jmp *j = t->jmp;

	if (j != NULL && id->serial != 0 && id->index < j->nanchors &&
	    j->anchors[id->index].serial == id->serial)
		jmp_anchors_cut(j, id->index);
}

uint32_t vm_jmp_anchor_count(const struct vm_thread *t)
{
	return t->jmp != NULL ? t->jmp->nanchors : 0;
}

void vm_jmp_unwound(struct vm_thread *t, uint32_t n, uint32_t depth)
{
	struct vm_jmp *j = t->jmp;

	if (j == NULL)
		return;
	jmp_anchors_cut(j, n);
	jmp_end_from(j, depth);
}

void vm_jmp_sjcall_swap(struct vm_thread *t, struct vm_jmp_sjcall *io)
{
	struct vm_jmp_sjcall old = t->jmp->sj;

	t->jmp->sj = *io;
	*io = old;
}

/* The live native anchor of entry 'e', or NULL. */
static struct jmp_anchor *jmp_anchor_of(struct vm_jmp *j,
                                        const struct vm_jmp_entry *e)
{
	struct jmp_anchor *a;

	if (e == NULL || e->nat == 0 || e->nat > j->nanchors)
		return NULL;
	a = &j->anchors[e->nat - 1];
	return a->serial == e->serial ? a : NULL;
}

void *vm_jmp_native_target(struct vm_thread *t, const void *owner,
                           uint32_t *site)
{
	struct vm_jmp *j = t->jmp;
	struct vm_jmp_entry *e = j != NULL ? jmp_entry(j, j->pending) : NULL;
	struct jmp_anchor *a = j != NULL ? jmp_anchor_of(j, e) : NULL;

	if (a == NULL || a->owner != owner)
		return NULL;
	*site = e->site;
	return a->rec;
}

int vm_jmp_native_land(struct vm_thread *t, const struct vm_jmp_anchor_id *id,
                       uint32_t site, struct vm_jmp_resume *r)
{
	struct vm_jmp *j = t->jmp;
	struct vm_jmp_entry *e = j != NULL ? jmp_entry(j, j->pending) : NULL;
	struct jmp_anchor *a = j != NULL ? jmp_anchor_of(j, e) : NULL;

	if (a == NULL || e->nat != id->index + 1 || a->serial != id->serial ||
	    e->site != site)
		return WX_EARG;
	j->pending = 0;
	jmp_anchors_cut(j, id->index + 1);
	jmp_end_from(j, a->depth);
	memset(r, 0, sizeof *r);
	if (e->pc == NULL)
		return WX_OK;
	if (e->nslots != 0)
		memcpy(e->base, e->slots, (size_t)e->nslots * sizeof(uint64_t));
	memcpy(&t->frames[e->rec], e->slots + e->nslots,
	       (size_t)e->nwrap * sizeof(struct vm_frame));
	e->base[e->nslots] = 0; /* the checkpoint call's result: success */
	r->pc = e->pc;
	r->fp = e->fp;
	r->inst = e->inst;
	r->depth = e->rec + e->nwrap;
	r->base_depth = e->rec;
	r->base = e->base;
	return WX_OK;
}
