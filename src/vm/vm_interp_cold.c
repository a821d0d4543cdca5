/*
 * vm_interp_cold.c: the instructions too rare or too large for the
 * interpreter loop: memory.grow, bulk memory, table instructions, segment
 * drops and the atomics (threads proposal).
 *
 * Each helper reads its operands from the frame through the cell layout
 * vm_compile.c emits ([op][dst?][operands][immediates]), reads every
 * operand before writing its result, and returns NULL or a trap message in
 * the specification's wording. Bulk operations check the whole range
 * before touching anything (WebAssembly 2.0), then use memmove.
 */
#include <string.h>

#include "vm/vm_code.h"

#define OOB_MEMORY "out of bounds memory access"
#define OOB_TABLE  "out of bounds table access"

static bool range_ok(uint64_t start, uint64_t len, uint64_t size)
{
	return start <= size && len <= size - start;
}

/* An address operand of a memory (i64 for memory64, else i32). */
static uint64_t mem_addr(const struct vm_memory *m, uint64_t v)
{
	return m->limits.is64 ? v : (uint32_t)v;
}

/* An index operand of a table (i64 for table64, else i32). */
static uint64_t table_idx(const struct vm_table *t, uint64_t v)
{
	return t->type.limits.is64 ? v : (uint32_t)v;
}

/* [op][dst][delta][mem] */
const char *vm_op_memory_grow(struct vm_instance *inst, uint64_t *fp,
                              const uint32_t *pc)
{
	struct vm_memory *mem = inst->memories[pc[3]];
	int64_t r = vm_memory_grow(mem, mem_addr(mem, fp[pc[2]]));
	fp[pc[1]] = mem_addr(mem, (uint64_t)r);
	return NULL;
}

/* [op][dst][src][n][data][mem] */
const char *vm_op_memory_init(struct vm_instance *inst, uint64_t *fp,
                              const uint32_t *pc)
{
	struct vm_memory *mem = inst->memories[pc[5]];
	const struct wasm_data *d = &inst->module->datas[pc[4]];
	uint64_t dst = mem_addr(mem, fp[pc[1]]), src = (uint32_t)fp[pc[2]];
	uint64_t n = (uint32_t)fp[pc[3]];
	uint64_t len = inst->data_dropped[pc[4]] ? 0 : d->len;

	if (!range_ok(src, n, len) || !range_ok(dst, n, vm_memory_size_now(mem)))
		return OOB_MEMORY;
	if (n != 0)
		memcpy(mem->base + dst, d->bytes + src, n);
	return NULL;
}

/* [op][dst][src][n][dst mem][src mem] */
const char *vm_op_memory_copy(struct vm_instance *inst, uint64_t *fp,
                              const uint32_t *pc)
{
	struct vm_memory *dmem = inst->memories[pc[4]];
	struct vm_memory *smem = inst->memories[pc[5]];
	uint64_t dst = mem_addr(dmem, fp[pc[1]]);
	uint64_t src = mem_addr(smem, fp[pc[2]]);
	/* The size has the smaller of the two address types. */
	uint64_t n = dmem->limits.is64 && smem->limits.is64
	                 ? fp[pc[3]]
	                 : (uint32_t)fp[pc[3]];

	if (!range_ok(src, n, vm_memory_size_now(smem)) ||
	    !range_ok(dst, n, vm_memory_size_now(dmem)))
		return OOB_MEMORY;
	if (n != 0)
		memmove(dmem->base + dst, smem->base + src, n);
	return NULL;
}

/* [op][dst][byte][n][mem] */
const char *vm_op_memory_fill(struct vm_instance *inst, uint64_t *fp,
                              const uint32_t *pc)
{
	struct vm_memory *mem = inst->memories[pc[4]];
	uint64_t dst = mem_addr(mem, fp[pc[1]]), n = mem_addr(mem, fp[pc[3]]);

	if (!range_ok(dst, n, vm_memory_size_now(mem)))
		return OOB_MEMORY;
	if (n != 0)
		memset(mem->base + dst, (uint8_t)fp[pc[2]], n);
	return NULL;
}

const char *vm_op_data_drop(struct vm_instance *inst, uint64_t *fp,
                            const uint32_t *pc)
{
	(void)fp;
	inst->data_dropped[pc[1]] = 1;
	return NULL;
}

/* [op][dst][index][table] */
const char *vm_op_table_get(struct vm_instance *inst, uint64_t *fp,
                            const uint32_t *pc)
{
	struct vm_table *t = inst->tables[pc[3]];
	uint64_t i = table_idx(t, fp[pc[2]]);

	if (i >= t->size)
		return OOB_TABLE;
	fp[pc[1]] = t->elems[i];
	return NULL;
}

/* [op][index][value][table] */
const char *vm_op_table_set(struct vm_instance *inst, uint64_t *fp,
                            const uint32_t *pc)
{
	struct vm_table *t = inst->tables[pc[3]];
	uint64_t i = table_idx(t, fp[pc[1]]);

	if (i >= t->size)
		return OOB_TABLE;
	t->elems[i] = fp[pc[2]];
	return NULL;
}

/* [op][dst][table] */
const char *vm_op_table_size(struct vm_instance *inst, uint64_t *fp,
                             const uint32_t *pc)
{
	const struct vm_table *t = inst->tables[pc[2]];
	fp[pc[1]] = table_idx(t, t->size);
	return NULL;
}

/* [op][dst][init][delta][table] */
const char *vm_op_table_grow(struct vm_instance *inst, uint64_t *fp,
                             const uint32_t *pc)
{
	struct vm_table *t = inst->tables[pc[4]];
	uint64_t init = fp[pc[2]], delta = table_idx(t, fp[pc[3]]);
	int64_t r = vm_table_grow(t, delta, init);

	fp[pc[1]] = table_idx(t, (uint64_t)r);
	return NULL;
}

/* [op][index][value][n][table] */
const char *vm_op_table_fill(struct vm_instance *inst, uint64_t *fp,
                             const uint32_t *pc)
{
	struct vm_table *t = inst->tables[pc[4]];
	uint64_t i = table_idx(t, fp[pc[1]]), v = fp[pc[2]];
	uint64_t n = table_idx(t, fp[pc[3]]);

	if (!range_ok(i, n, t->size))
		return OOB_TABLE;
	for (uint64_t k = 0; k < n; k++)
		t->elems[i + k] = v;
	return NULL;
}

/* [op][dst][src][n][elem][table] */
const char *vm_op_table_init(struct vm_instance *inst, uint64_t *fp,
                             const uint32_t *pc)
{
	struct vm_table *t = inst->tables[pc[5]];
	uint64_t dst = table_idx(t, fp[pc[1]]), src = (uint32_t)fp[pc[2]];
	uint64_t n = (uint32_t)fp[pc[3]];

	if (!range_ok(src, n, inst->elem_len[pc[4]]) ||
	    !range_ok(dst, n, t->size))
		return OOB_TABLE;
	if (n != 0)
		memcpy(t->elems + dst, inst->elem_items[pc[4]] + src,
		       n * sizeof(uint64_t));
	return NULL;
}

/* [op][dst][src][n][dst table][src table] */
const char *vm_op_table_copy(struct vm_instance *inst, uint64_t *fp,
                             const uint32_t *pc)
{
	struct vm_table *td = inst->tables[pc[4]], *ts = inst->tables[pc[5]];
	uint64_t dst = table_idx(td, fp[pc[1]]), src = table_idx(ts, fp[pc[2]]);
	uint64_t n = td->type.limits.is64 && ts->type.limits.is64
	                 ? fp[pc[3]]
	                 : (uint32_t)fp[pc[3]];

	if (!range_ok(src, n, ts->size) || !range_ok(dst, n, td->size))
		return OOB_TABLE;
	if (n != 0)
		memmove(td->elems + dst, ts->elems + src, n * sizeof(uint64_t));
	return NULL;
}

const char *vm_op_elem_drop(struct vm_instance *inst, uint64_t *fp,
                            const uint32_t *pc)
{
	(void)fp;
	inst->elem_len[pc[1]] = 0;
	return NULL;
}

/*
 * The address of an n-byte access at operand 'addr' plus the offset in
 * off[0] (and off[1], its high half, for memory64); false if any byte
 * lies outside the memory.
 */
static bool effective_address(const struct vm_memory *mem, uint64_t addr,
                              const uint32_t *off, unsigned n, uint64_t *ea)
{
	uint64_t size = vm_memory_size_now(mem);
	uint64_t o = off[0];

	if (mem->limits.is64)
		o |= (uint64_t)off[1] << 32;
	addr = mem_addr(mem, addr);
	if (addr > size || o > size - addr || n > size - addr - o)
		return false;
	*ea = addr + o;
	return true;
}

/* ---- atomics ----------------------------------------------------------- */

enum { RMW_ADD, RMW_SUB, RMW_AND, RMW_OR, RMW_XOR, RMW_XCHG, RMW_CMPXCHG };

#define SEQ __ATOMIC_SEQ_CST

#define RMW_CASES(T)                                                           \
	do {                                                                   \
		T *q = (T *)(void *)p;                                         \
		switch (kind) {                                                \
		case RMW_ADD:                                                  \
			r = __atomic_fetch_add(q, (T)v, SEQ);                  \
			break;                                                 \
		case RMW_SUB:                                                  \
			r = __atomic_fetch_sub(q, (T)v, SEQ);                  \
			break;                                                 \
		case RMW_AND:                                                  \
			r = __atomic_fetch_and(q, (T)v, SEQ);                  \
			break;                                                 \
		case RMW_OR:                                                   \
			r = __atomic_fetch_or(q, (T)v, SEQ);                   \
			break;                                                 \
		case RMW_XOR:                                                  \
			r = __atomic_fetch_xor(q, (T)v, SEQ);                  \
			break;                                                 \
		case RMW_XCHG:                                                 \
			r = __atomic_exchange_n(q, (T)v, SEQ);                 \
			break;                                                 \
		default: {                                                     \
			T expect = (T)v;                                       \
			__atomic_compare_exchange_n(q, &expect, (T)v2, false,  \
			                            SEQ, SEQ);                 \
			r = expect;                                            \
		}                                                              \
		}                                                              \
	} while (0)

static uint64_t atomic_load(const uint8_t *p, unsigned n)
{
	switch (n) {
	case 1:
		return __atomic_load_n(p, SEQ);
	case 2:
		return __atomic_load_n((const uint16_t *)(const void *)p, SEQ);
	case 4:
		return __atomic_load_n((const uint32_t *)(const void *)p, SEQ);
	default:
		return __atomic_load_n((const uint64_t *)(const void *)p, SEQ);
	}
}

static void atomic_store(uint8_t *p, unsigned n, uint64_t v)
{
	switch (n) {
	case 1:
		__atomic_store_n(p, (uint8_t)v, SEQ);
		break;
	case 2:
		__atomic_store_n((uint16_t *)(void *)p, (uint16_t)v, SEQ);
		break;
	case 4:
		__atomic_store_n((uint32_t *)(void *)p, (uint32_t)v, SEQ);
		break;
	default:
		__atomic_store_n((uint64_t *)(void *)p, v, SEQ);
		break;
	}
}

/*
 * memory.atomic.wait32/64: blocks on the shared wait queue (vm_futex.c)
 * until a notify, the timeout (at most cfg.max_wait_ns when that is not
 * negative) or the store's interrupt flag. An
 * interrupted wait returns 0 ("ok", a spurious wake-up the guest's loop
 * absorbs) so that the interrupt is handled at the next poll.
 */
static const char *atomic_wait(struct vm_instance *inst,
                               const struct vm_memory *mem, const uint8_t *p,
                               unsigned n, uint64_t expected,
                               int64_t timeout_ns, uint64_t *r)
{
	int64_t cap = inst->store->cfg.max_wait_ns;

	if (!mem->limits.shared)
		return "expected shared memory";
	if (cap >= 0 && (timeout_ns < 0 || timeout_ns > cap))
		timeout_ns = cap;
	int w = vm_futex_wait(p, n, expected, timeout_ns,
	                      inst->store->cfg.interrupt);
	*r = w == VM_WAIT_INTERRUPTED ? VM_WAIT_OK : (uint64_t)w;
	return NULL;
}

const char *vm_op_atomic(struct vm_instance *inst, uint64_t *fp,
                         const uint32_t *pc, unsigned *ncells)
{
	enum wasm_opcode op = (enum wasm_opcode)(pc[1] & 0xffff);
	const char *sig = wasm_op_sig(op);
	const char *colon = strchr(sig, ':');
	uint32_t np = (uint32_t)(colon - sig), nr = colon[1] != 0;
	const uint32_t *args = pc + 2 + nr;
	unsigned n = 1u << wasm_op_align(op);
	uint64_t r = 0;

	*ncells = 3 + nr + np;
	if (op == WASM_OP_ATOMIC_FENCE) {
		__atomic_thread_fence(SEQ);
		return NULL;
	}
	struct vm_memory *mem = inst->memories[pc[1] >> 16];
	uint64_t ea;
	*ncells += mem->limits.is64;
	if (!effective_address(mem, fp[args[0]], args + np, n, &ea))
		return OOB_MEMORY;
	if (ea & (n - 1))
		return "unaligned atomic";
	uint8_t *p = mem->base + ea;
	uint64_t v = np > 1 ? fp[args[1]] : 0;
	uint64_t v2 = np > 2 ? fp[args[2]] : 0;
	const char *msg = NULL;

	if (op == WASM_OP_MEMORY_ATOMIC_NOTIFY) {
		/* Unshared memories have no waiters: 0 (the spec's rule). */
		r = mem->limits.shared ? vm_futex_wake(p, (uint32_t)v) : 0;
	} else if (op == WASM_OP_MEMORY_ATOMIC_WAIT32) {
		msg = atomic_wait(inst, mem, p, 4, (uint32_t)v, (int64_t)v2,
		                  &r);
	} else if (op == WASM_OP_MEMORY_ATOMIC_WAIT64) {
		msg = atomic_wait(inst, mem, p, 8, v, (int64_t)v2, &r);
	} else if (op <= WASM_OP_I64_ATOMIC_LOAD32_U) {
		r = atomic_load(p, n);
	} else if (op <= WASM_OP_I64_ATOMIC_STORE32) {
		atomic_store(p, n, v);
	} else {
		unsigned kind = (unsigned)(op - WASM_OP_I32_ATOMIC_RMW_ADD) / 7;
		switch (n) {
		case 1:
			RMW_CASES(uint8_t);
			break;
		case 2:
			RMW_CASES(uint16_t);
			break;
		case 4:
			RMW_CASES(uint32_t);
			break;
		default:
			RMW_CASES(uint64_t);
			break;
		}
	}
	if (msg == NULL && nr)
		fp[pc[2]] = r;
	return msg;
}

/* Whether a load sign-extends its narrow value. */
static bool load_signed(enum wasm_opcode op)
{
	return op == WASM_OP_I32_LOAD8_S || op == WASM_OP_I32_LOAD16_S ||
	       op == WASM_OP_I64_LOAD8_S || op == WASM_OP_I64_LOAD16_S ||
	       op == WASM_OP_I64_LOAD32_S;
}

const char *vm_op_memn(struct vm_instance *inst, uint64_t *fp,
                       const uint32_t *pc, unsigned *ncells)
{
	enum wasm_opcode op = (enum wasm_opcode)pc[1];
	struct vm_memory *mem = inst->memories[pc[2]];
	const char *sig = wasm_op_sig(op);
	const char *colon = strchr(sig, ':');
	uint32_t np = (uint32_t)(colon - sig), nr = colon[1] != 0;
	const uint32_t *args = pc + 3 + nr;

	if (op == WASM_OP_MEMORY_SIZE) { /* [dst][offset 0][0 if 64-bit] */
		*ncells = 5 + mem->limits.is64;
		fp[pc[3]] = vm_memory_size_now(mem) / VM_PAGE_SIZE;
		return NULL;
	}
	*ncells = 4 + nr + np + mem->limits.is64;
	/* Access size: a load's or store's natural alignment. */
	unsigned n = 1u << wasm_op_align(op);
	uint64_t ea;
	if (!effective_address(mem, fp[args[0]], args + np, n, &ea))
		return OOB_MEMORY;
	uint64_t v = 0;
	if (nr == 0) {
		v = fp[args[1]];
		memcpy(mem->base + ea, &v, n); /* little-endian host */
		return NULL;
	}
	memcpy(&v, mem->base + ea, n);
	if (load_signed(op) && n < 8) {
		unsigned sh = 64 - 8 * n;
		v = (uint64_t)((int64_t)(v << sh) >> sh);
	}
	if (colon[1] == 'i' || colon[1] == 'f')
		v = (uint32_t)v;
	fp[pc[3]] = v;
	return NULL;
}
