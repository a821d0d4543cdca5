/*
 * wasix_context.c: WASIX context_create, context_switch and
 * context_destroy (wasix-libc's wasix/context.h): green threads.
 *
 * Model: each host thread running guest code is one context-switching
 * environment whose main context (id 0) is what runs now. Every other
 * context has its own interpreter context (a vm_thread of the store:
 * value stack and frames) and its own host C stack (ucontext), on which
 * the entrypoint runs inside its own outermost vm_invoke. A switch saves
 * the host stack of the running context and resumes the target's,
 * rebinding its vm_thread; the host call context_switch of the context
 * that is left returns 0 when something switches back to it.
 *
 * A context whose entrypoint returns, traps, throws or exits is
 * terminated and the main context resumes from its context_switch with
 * the same end (Wasmer's behaviour): a trap "context N: entrypoint
 * returned" for a return, the trap's message, the exit, or the uncaught
 * exception thrown again from the main context's context_switch (its
 * tag and payload; exceptions live per interpreter context, so the
 * payload is copied). Exceptions and setjmp snapshots (stack_checkpoint)
 * belong to the interpreter context they were made in: each context
 * throws, catches and longjmps within itself; a snapshot of another
 * context is refused as stale. The guest's shadow stack
 * (__stack_pointer) is the guest's business, as in Wasmer.
 *
 * Keeps true: only the environment's own host thread touches it (it is
 * thread-local); a terminated context's host stack is never resumed and
 * is freed by context_destroy (never while it runs). fork keeps the
 * environment (the host fork copies the stacks); exec starts with none.
 */
#include "wasix/wasix_impl.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

/* Host stack of one context: the interpreter and host calls run on it. */
#define WASIX_CTX_STACK (256u << 10)
/* Contexts alive at once per environment. */
#define WASIX_CTX_MAX 65536u
/* Payload values of an exception that can leave a context. */
#define WASIX_CTX_EXN_VALS 16u

enum { WASIX_CTX_SUSPENDED, WASIX_CTX_RUNNING, WASIX_CTX_DEAD };

struct wasix_context {
	uint64_t id;
	int state;
	bool started;
	ucontext_t uc;
	void *stack;          /* mmap'd, WASIX_CTX_STACK bytes; NULL for main */
	struct vm_thread *vt; /* NULL for main: the binding it had */
	struct vm_thread *bound; /* main: what was bound when it left */
	struct vm_func *entry;
	struct vm_store *store;
};

/* The environment of the calling host thread. */
struct wasix_ctx_env {
	struct wasix_context main;
	struct wasix_context **v; /* ids 1..: by slot, NULL = deleted */
	uint32_t n, cap;
	struct wasix_context *cur;
	uint64_t next_id;
	/* What the main context's pending switch returns (a context ended). */
	int end_rc;
	int end_code;
	char end_msg[320];
	/* Or the exception to throw again (end_tag non-NULL). */
	struct vm_tag *end_tag;
	uint64_t end_vals[WASIX_CTX_EXN_VALS];
};

static _Thread_local struct wasix_ctx_env *wasix_env_of_thread;

static struct wasix_ctx_env *wasix_ctx_env(void)
{
	struct wasix_ctx_env *e = wasix_env_of_thread;

	if (e == NULL) {
		e = wx_calloc(1, sizeof *e);
		if (e == NULL)
			return NULL;
		e->main.state = WASIX_CTX_RUNNING;
		e->main.started = true;
		e->cur = &e->main;
		e->next_id = 1;
		wasix_env_of_thread = e;
	}
	return e;
}

static struct wasix_context *wasix_ctx_find(struct wasix_ctx_env *e,
                                            uint64_t id)
{
	if (id == 0)
		return &e->main;
	for (uint32_t i = 0; i < e->n; i++)
		if (e->v[i] != NULL && e->v[i]->id == id)
			return e->v[i];
	return NULL;
}

/* The function at table slot 'id' if its type is [] -> [], else NULL. */
static struct vm_func *wasix_ctx_entry(struct wasix_ctx *x, uint32_t id)
{
	struct vm_table *t = wasix_func_table(x);
	const struct wasm_functype *ft;
	uint64_t h = 0;

	if (t == NULL || vm_table_get(t, id, &h) != WX_OK || h == 0)
		return NULL;
	ft = vm_func_type((struct vm_func *)(uintptr_t)h);
	if (ft->nparams != 0 || ft->nresults != 0)
		return NULL;
	return (struct vm_func *)(uintptr_t)h;
}

/* Runs on a context's own host stack: its entrypoint, then the end. */
static void wasix_ctx_main(void)
{
	struct wasix_ctx_env *e = wasix_env_of_thread;
	struct wasix_context *me = e->cur;
	struct diag d = {0};
	int code = 0;
	int rc = vm_invoke(me->store, me->entry, NULL, NULL, &code, &d);

	/* The main context resumes with a trap (or the exit). */
	me->state = WASIX_CTX_DEAD;
	e->end_code = code;
	e->end_tag = NULL;
	if (rc == WX_EEXIT) {
		e->end_rc = WX_EEXIT;
	} else if (rc == WX_ETRAP &&
	           (e->end_tag = vm_thread_uncaught(
	                me->vt, e->end_vals, WASIX_CTX_EXN_VALS)) != NULL) {
		e->end_rc = VM_ETHROW;
	} else {
		e->end_rc = WX_ETRAP;
		snprintf(e->end_msg, sizeof e->end_msg, "context %llu: %s",
		         (unsigned long long)me->id,
		         rc == WX_OK ? "entrypoint returned" : d.msg);
	}
	e->cur = &e->main;
	e->main.state = WASIX_CTX_RUNNING;
	vm_thread_bind(e->main.bound);
	setcontext(&e->main.uc);
}

/* context_create(*id, entrypoint): the entrypoint is a function pointer
 * (a table slot), pointer-wide like the id's address. */
int wasix_context_create(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	struct wasix_ctx_env *e = wasix_ctx_env();
	uint64_t slot64 = wasi_ptr(c, 1);
	struct vm_func *f = wasix_ctx_entry(
	    x, slot64 > UINT32_MAX ? UINT32_MAX : (uint32_t)slot64);
	struct wasix_context *k;
	uint32_t slot, err;

	if (e == NULL)
		return wasi_ret(c, WASI_ENOMEM);
	if (f == NULL)
		return wasi_ret(c, WASI_EINVAL);
	for (slot = 0; slot < e->n && e->v[slot] != NULL; slot++)
		;
	if (slot == e->n) {
		if (e->n >= WASIX_CTX_MAX)
			return wasi_ret(c, WASI_EAGAIN);
		if (e->n == e->cap) {
			uint32_t ncap = e->cap ? e->cap * 2 : 16;
			void *nv = wx_realloc(e->v, ncap * sizeof *e->v);
			if (nv == NULL)
				return wasi_ret(c, WASI_ENOMEM);
			e->v = nv;
			e->cap = ncap;
		}
		e->v[e->n++] = NULL;
	}
	k = wx_calloc(1, sizeof *k);
	if (k == NULL)
		return wasi_ret(c, WASI_ENOMEM);
	k->id = e->next_id;
	k->entry = f;
	k->store = c->store;
	k->state = WASIX_CTX_SUSPENDED;
	err = wasi_store_u64(c, wasi_ptr(c, 0), k->id);
	if (err != WASI_ESUCCESS) {
		wx_free(k);
		return wasi_ret(c, err);
	}
	e->next_id++;
	e->v[slot] = k;
	return wasi_ret(c, WASI_ESUCCESS);
}

/* Makes context 'k' ready to start on its own host stack. */
static uint32_t wasix_ctx_prepare(struct wasix_context *k)
{
	k->stack = mmap(NULL, WASIX_CTX_STACK, PROT_READ | PROT_WRITE,
	                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (k->stack == MAP_FAILED) {
		k->stack = NULL;
		return WASI_ENOMEM;
	}
	k->vt = vm_thread_new(k->store);
	/* It starts where the switching context stands: its stack and
	 * thread pointers (a dynamic program's are thread-local globals). */
	if (k->vt == NULL || vm_thread_inherit_tl(k->store, k->vt) != WX_OK ||
	    getcontext(&k->uc) != 0)
		return WASI_ENOMEM;
	k->uc.uc_stack.ss_sp = k->stack;
	k->uc.uc_stack.ss_size = WASIX_CTX_STACK;
	k->uc.uc_link = NULL;
	makecontext(&k->uc, wasix_ctx_main, 0);
	k->started = true;
	return WASI_ESUCCESS;
}

/* context_switch(id) */
int wasix_context_switch(struct vm_call *c, void *ud)
{
	struct wasix_ctx_env *e = wasix_ctx_env();
	struct wasix_context *k, *me;
	uint32_t err;

	(void)ud;
	if (e == NULL)
		return wasi_ret(c, WASI_ENOMEM);
	k = wasix_ctx_find(e, c->args[0]);
	if (k == NULL || k->state == WASIX_CTX_DEAD)
		return wasi_ret(c, WASI_EINVAL);
	me = e->cur;
	if (k == me)
		return wasi_ret(c, WASI_ESUCCESS);
	if (!k->started) {
		err = wasix_ctx_prepare(k);
		if (err != WASI_ESUCCESS)
			return wasi_ret(c, err);
	}
	me->state = WASIX_CTX_SUSPENDED;
	if (me == &e->main)
		me->bound = vm_thread_bind(k->vt);
	else
		vm_thread_bind(k == &e->main ? e->main.bound : k->vt);
	k->state = WASIX_CTX_RUNNING;
	e->cur = k;
	swapcontext(&me->uc, &k->uc);
	/* Back in 'me' (its vm_thread was bound by whoever switched here). */
	if (me == &e->main && e->end_rc != 0) {
		int rc = e->end_rc;

		e->end_rc = 0;
		if (rc == WX_EEXIT) {
			c->exit_code = e->end_code;
			return WX_EEXIT;
		}
		if (rc == VM_ETHROW) {
			struct vm_tag *tag = e->end_tag;

			e->end_tag = NULL;
			return vm_call_throw(c, tag, e->end_vals);
		}
		return vm_call_trap(c, e->end_msg);
	}
	return wasi_ret(c, WASI_ESUCCESS);
}

void wasix_contexts_reset(void)
{
	struct wasix_ctx_env *e = wasix_env_of_thread;

	if (e == NULL)
		return;
	for (uint32_t i = 0; i < e->n; i++) {
		struct wasix_context *k = e->v[i];

		if (k == NULL)
			continue;
		vm_thread_free(k->vt);
		if (k->stack != NULL)
			munmap(k->stack, WASIX_CTX_STACK);
		wx_free(k);
	}
	wx_free(e->v);
	wx_free(e);
	wasix_env_of_thread = NULL;
}

/* context_destroy(id) */
int wasix_context_destroy(struct vm_call *c, void *ud)
{
	struct wasix_ctx_env *e = wasix_ctx_env();
	uint64_t id = c->args[0];

	(void)ud;
	if (e == NULL)
		return wasi_ret(c, WASI_ENOMEM);
	for (uint32_t i = 0; id != 0 && i < e->n; i++) {
		struct wasix_context *k = e->v[i];

		if (k == NULL || k->id != id)
			continue;
		if (k == e->cur)
			return wasi_ret(c, WASI_EBUSY);
		if (k->vt != NULL)
			vm_thread_free(k->vt);
		if (k->stack != NULL)
			munmap(k->stack, WASIX_CTX_STACK);
		wx_free(k);
		e->v[i] = NULL;
		return wasi_ret(c, WASI_ESUCCESS);
	}
	return wasi_ret(c, WASI_EINVAL);
}
