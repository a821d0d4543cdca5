/*
 * aot_run.c: the run-time side of the compiled tier: binds a loaded shared
 * object to an instance, enters compiled code (aot_run, the vm_func
 * native_run entry), and the helpers compiled code calls through struct
 * aot_inst: traps, polls, calls it cannot make directly, cold instructions.
 *
 * Keeps true:
 *  - Compiled code runs between a sigsetjmp in aot_run and its return
 *    (the innermost one of the instance is aot_inst.entry):
 *    traps (its own, guard-page faults, a callee's) unwind there with
 *    siglongjmp and leave the thread as the interpreter's 'trap' exit
 *    does (depth, stack top, fuel slice given back, message in the diag).
 *  - Compiled frames live on the C stack; the wasm call depth is counted
 *    as the interpreter counts it (cfg.max_call_depth) and the C stack is
 *    bounded by 'stack_limit', so neither overflows: "call stack
 *    exhausted".
 *  - Host functions, interpreted functions and other instances' functions
 *    are called with their arguments on the thread's value stack, exactly
 *    as the interpreter calls them.
 */
#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "aot/aot.h"
#include "aot/aot_abi.h"
#include "aot/aot_impl.h"
#include "vm/vm_code.h"
#include "vm/vm_impl.h"

_Static_assert(offsetof(struct aot_func, type_id) ==
                   offsetof(struct vm_func, type_id),
               "aot_func mirrors vm_func");
_Static_assert(offsetof(struct aot_func, inst) ==
                   offsetof(struct vm_func, inst),
               "aot_func mirrors vm_func");
_Static_assert(offsetof(struct aot_func, host) ==
                   offsetof(struct vm_func, host),
               "aot_func mirrors vm_func");
_Static_assert(offsetof(struct aot_func, native_fn) ==
                   offsetof(struct vm_func, native_fn),
               "aot_func mirrors vm_func");
_Static_assert(offsetof(struct aot_func, native_ctx) ==
                   offsetof(struct vm_func, native_ctx),
               "aot_func mirrors vm_func");
_Static_assert(offsetof(struct aot_table, elems) ==
                   offsetof(struct vm_table, elems),
               "aot_table mirrors vm_table");
_Static_assert(offsetof(struct aot_table, size) ==
                   offsetof(struct vm_table, size),
               "aot_table mirrors vm_table");

/* C stack kept free below the limit for host functions and libc. */
#define AOT_STACK_RESERVE ((size_t)256 << 10)

/* One entry into compiled code (aot_run's frame); aot_inst.entry. */
struct aot_entry {
	struct vm_thread *th;
	struct vm_guard_jmp g;
	int rc; /* why siglongjmp(g.env, 2) unwound */
};

static _Thread_local char *stack_limit_tl;

/* The flag compiled code polls when the store has none. */
static volatile int no_interrupt;

_Static_assert(sizeof(sig_atomic_t) == sizeof(int),
               "the interrupt flag is read as an int");

/* The lowest address this thread's compiled code may use. */
static char *thread_stack_limit(void)
{
	if (stack_limit_tl != NULL)
		return stack_limit_tl;
	pthread_attr_t a;
	void *lo = NULL;
	size_t size = 0;
	char here;
	if (pthread_getattr_np(pthread_self(), &a) == 0) {
		pthread_attr_getstack(&a, &lo, &size);
		pthread_attr_destroy(&a);
	}
	if (lo == NULL || size < 2 * AOT_STACK_RESERVE) {
		/* Unknown: allow 1 MiB below here. */
		stack_limit_tl =
		    (char *)((uintptr_t)&here - ((uintptr_t)1 << 20));
	} else {
		stack_limit_tl = (char *)lo + AOT_STACK_RESERVE;
	}
	return stack_limit_tl;
}

static const char *trap_message(int code)
{
	switch (code) {
	case AOT_TRAP_UNREACHABLE:
		return "unreachable";
	case AOT_TRAP_DIV_ZERO:
		return "integer divide by zero";
	case AOT_TRAP_OVERFLOW:
		return "integer overflow";
	case AOT_TRAP_CONVERSION:
		return "invalid conversion to integer";
	case AOT_TRAP_OOB:
		return "out of bounds memory access";
	case AOT_TRAP_UNDEF_ELEM:
		return "undefined element";
	case AOT_TRAP_SIG_MISMATCH:
		return "indirect call type mismatch";
	case AOT_TRAP_STACK:
		return "call stack exhausted";
	case AOT_TRAP_NULL_REF:
		return "null function reference";
	default:
		return "internal error: bad trap";
	}
}

__attribute__((noreturn)) static void unwind(struct aot_entry *e, int rc)
{
	e->rc = rc;
	siglongjmp(e->g.env, 2);
}

__attribute__((noreturn)) static void rt_trap(struct aot_inst *I, int code,
                                              aot_u32 arg)
{
	struct aot_entry *e = I->entry;
	int rc;
	if (code == AOT_TRAP_UNINIT_ELEM)
		rc = diag_set(e->th->diag, WX_ETRAP, "uninitialized element %u",
		              arg);
	else
		rc = vm_trap(e->th, trap_message(code));
	unwind(e, rc);
}

static void rt_poll(struct aot_inst *I)
{
	struct aot_entry *e = I->entry;
	struct vm_store *s = e->th->store;
	int rc = vm_poll(e->th, I->vm_inst, NULL, NULL);
	if (rc != WX_OK)
		unwind(e, rc);
	I->budget = vm_fuel_take(s);
	if (I->budget <= 0)
		unwind(e, vm_trap(e->th, "fuel exhausted"));
}

static void rt_call(struct aot_inst *I, aot_u32 depth, struct aot_func *af,
                    aot_u64 *slots)
{
	struct aot_entry *e = I->entry;
	struct vm_thread *th = e->th;
	struct vm_func *f = (struct vm_func *)af;
	const struct wasm_functype *ft = f->type;
	uint32_t np = ft->nparams, nr = ft->nresults;
	uint64_t *args = th->stack_top;
	uint64_t *saved_top = th->stack_top;
	int rc;

	if ((size_t)(th->stack_end - args) < (size_t)(np > nr ? np : nr) + 16)
		unwind(e, vm_trap(th, "call stack exhausted"));
	memcpy(args, slots, np * sizeof *args);
	th->depth = I->max_depth - depth; /* depth: frames left (AOT_DEPTH) */
	if (f->host != NULL) {
		th->host_pc = NULL;
		th->host_fp = NULL;
		rc = vm_call_host(th, f, I->vm_inst, args);
	} else {
		rc = vm_interp_run(th, f, args);
	}
	th->stack_top = saved_top;
	if (rc == VM_ETHROW || rc == VM_EJUMP)
		rc = vm_trap(th, "uncaught exception");
	if (rc != WX_OK)
		unwind(e, rc);
	memcpy(slots, args, nr * sizeof *args);
}

static aot_u64 rt_cold(struct aot_inst *I, int op, aot_u64 a, aot_u64 b,
                       aot_u64 c, aot_u32 imm0, aot_u32 imm1)
{
	struct aot_entry *e = I->entry;
	struct vm_instance *inst = I->vm_inst;
	/* A frame and cells as vm_compile.c lays them out: fp[0] the result,
	 * fp[1..3] the operands; pc[1] is the first operand cell. */
	uint64_t fp[4] = {0, a, b, c};
	uint32_t pc[8] = {0};
	const char *msg;

	switch (op) {
	case AOT_COLD_MEMORY_GROW: /* [dst][delta][mem] */
		pc[1] = 0, pc[2] = 1, pc[3] = imm0;
		msg = vm_op_memory_grow(inst, fp, pc);
		break;
	case AOT_COLD_MEMORY_INIT: /* [dst][src][n][data][mem] */
		pc[1] = 1, pc[2] = 2, pc[3] = 3, pc[4] = imm0, pc[5] = imm1;
		msg = vm_op_memory_init(inst, fp, pc);
		break;
	case AOT_COLD_MEMORY_COPY: /* [dst][src][n][dmem][smem] */
		pc[1] = 1, pc[2] = 2, pc[3] = 3, pc[4] = imm0, pc[5] = imm1;
		msg = vm_op_memory_copy(inst, fp, pc);
		break;
	case AOT_COLD_MEMORY_FILL: /* [dst][byte][n][mem] */
		pc[1] = 1, pc[2] = 2, pc[3] = 3, pc[4] = imm0;
		msg = vm_op_memory_fill(inst, fp, pc);
		break;
	case AOT_COLD_DATA_DROP: /* [data] */
		pc[1] = imm0;
		msg = vm_op_data_drop(inst, fp, pc);
		break;
	case AOT_COLD_TABLE_GET: /* [dst][index][table] */
		pc[1] = 0, pc[2] = 1, pc[3] = imm0;
		msg = vm_op_table_get(inst, fp, pc);
		break;
	case AOT_COLD_TABLE_SET: /* [index][value][table] */
		pc[1] = 1, pc[2] = 2, pc[3] = imm0;
		msg = vm_op_table_set(inst, fp, pc);
		break;
	case AOT_COLD_TABLE_SIZE: /* [dst][table] */
		pc[1] = 0, pc[2] = imm0;
		msg = vm_op_table_size(inst, fp, pc);
		break;
	case AOT_COLD_TABLE_GROW: /* [dst][init][delta][table] */
		pc[1] = 0, pc[2] = 1, pc[3] = 2, pc[4] = imm0;
		msg = vm_op_table_grow(inst, fp, pc);
		break;
	case AOT_COLD_TABLE_FILL: /* [index][value][n][table] */
		pc[1] = 1, pc[2] = 2, pc[3] = 3, pc[4] = imm0;
		msg = vm_op_table_fill(inst, fp, pc);
		break;
	case AOT_COLD_TABLE_INIT: /* [dst][src][n][elem][table] */
		pc[1] = 1, pc[2] = 2, pc[3] = 3, pc[4] = imm0, pc[5] = imm1;
		msg = vm_op_table_init(inst, fp, pc);
		break;
	case AOT_COLD_TABLE_COPY: /* [dst][src][n][dtab][stab] */
		pc[1] = 1, pc[2] = 2, pc[3] = 3, pc[4] = imm0, pc[5] = imm1;
		msg = vm_op_table_copy(inst, fp, pc);
		break;
	case AOT_COLD_ELEM_DROP: /* [elem] */
		pc[1] = imm0;
		msg = vm_op_elem_drop(inst, fp, pc);
		break;
	default:
		msg = "internal error: bad instruction";
		break;
	}
	if (msg != NULL)
		unwind(e, vm_trap(e->th, msg));
	return fp[0];
}

/*
 * vm_func.native_run: vm_interp_run's contract for a compiled function.
 * Entries nest (compiled code -> host or interpreter -> compiled code of
 * the same instance): the instance's entry state is saved and restored.
 */
static int aot_run(struct vm_thread *th, struct vm_func *f, uint64_t *fp)
{
	struct aot_inst *ai = f->native_ctx;
	struct vm_store *s = th->store;
	const struct wasm_functype *ft = f->type;
	uint32_t room = ft->nparams > ft->nresults ? ft->nparams : ft->nresults;
	uint64_t *const saved_top = th->stack_top;
	const uint32_t saved_depth = th->depth;
	void *const saved_entry = ai->entry;
	const long long saved_budget = ai->budget;
	struct aot_entry e;
	int rc;

	if ((size_t)(th->stack_end - fp) < (size_t)room + 16)
		return vm_trap(th, "call stack exhausted");
	e.th = th;
	e.rc = WX_OK;
	ai->entry = &e;
	ai->stack_limit = thread_stack_limit();
	ai->max_depth = s->cfg.max_call_depth;
	ai->budget = vm_fuel_take(s);
	ai->interrupt = s->cfg.interrupt != NULL
	                    ? (volatile int *)s->cfg.interrupt
	                    : &no_interrupt;
	e.g.prev = vm_guard_cur;
	e.g.depth = th->depth;
	e.g.top = th->stack_top;
	if (fp + room > th->stack_top)
		th->stack_top = fp + room;
	if (sigsetjmp(e.g.env, 0) != 0) {
		vm_guard_cur = e.g.prev;
		rc = e.rc;
		if (rc == WX_OK) /* a guard-page fault (vm_guard.c) */
			rc = vm_trap(th, "out of bounds memory access");
		goto out;
	}
	vm_guard_cur = &e.g;
	ai->entries[f->index](
	    ai, th->depth < ai->max_depth ? ai->max_depth - th->depth : 0, fp);
	vm_guard_cur = e.g.prev;
	rc = WX_OK;
out:
	vm_fuel_return(s, ai->budget);
	ai->budget = saved_budget;
	ai->entry = saved_entry;
	th->stack_top = saved_top;
	th->depth = saved_depth;
	return rc;
}

int aot_bind_desc(const struct aot_module_desc *d, struct aot_inst *ai,
                  struct vm_instance *inst, bool running, struct diag *diag)
{
	const struct wasm_module *m = inst->module;
	bool checked = (d->flags & AOT_DESC_CHECKED) != 0;

	if (d->nfuncs != m->nfuncs)
		return diag_set(diag, WX_EARG,
		                "compiled code of another module");
	if (inst->store->cfg.fuel != 0 && !(d->flags & AOT_DESC_FUEL))
		return diag_set(diag, WX_EARG,
		                "the code does not count fuel and the run has "
		                "a fuel limit");
	if (m->nmemories != 0) {
		struct vm_memory *mem = inst->memories[0];
		if (!checked && !mem->guarded)
			return diag_set(diag, WX_EARG,
			                "memory 0 has no guard pages and the "
			                "code does not check bounds");
		ai->mem = mem->base;
		ai->mem_size = &mem->size;
	}
	ai->globals = inst->global_values;
	for (uint32_t k = 0; k < m->nglobals; k++)
		ai->g[k] = inst->global_values[k];
	ai->funcs = (struct aot_func **)inst->funcs;
	ai->tables = (struct aot_table **)inst->tables;
	ai->type_ids = inst->type_ids;
	ai->entries =
	    (void (**)(struct aot_inst *, aot_u32, aot_u64 *))d->entries;
	ai->trap = rt_trap;
	ai->poll = rt_poll;
	ai->call = rt_call;
	ai->cold = rt_cold;
	ai->vm_inst = inst;
	for (uint32_t k = m->num_imported_funcs; k < m->nfuncs; k++) {
		struct vm_func *f = inst->funcs[k];
		if (d->fns[k] == NULL || d->entries[k] == NULL)
			continue;
		if (running) { /* 'ai' is complete: publish one by one */
			vm_func_bind_native(f, d->fns[k], ai, aot_run);
			continue;
		}
		f->native_fn = d->fns[k];
		f->native_ctx = ai;
		f->native_run = aot_run;
	}
	return WX_OK;
}
