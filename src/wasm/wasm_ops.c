/*
 * wasm_ops.c: lookups over the instruction table (wasm_ops.def): names,
 * immediate kinds, operand signatures, natural alignments, and the
 * opcode reader that every pass over function bodies shares.
 *
 * Keeps true: the tables are built from wasm_ops.def alone, so adding an
 * instruction there is enough for these functions to know it.
 */
#include "base/leb128.h"
#include "wasm/wasm_module.h"

struct op_info {
	const char *name;
	const char *sig;
	uint8_t imm;
	uint8_t align;
	uint8_t prefix;
	uint16_t code;
};

static const struct op_info op_table[] = {
#define WASM_OP(prefix, code, ident, name, imm, sig, align)                    \
	{name, sig, WASM_IMM_##imm, align, prefix, code},
#include "wasm/wasm_ops.def"
#undef WASM_OP
};

/* Opcode byte (or prefixed sub-opcode) to enum; 0xffff = unknown. */
static uint16_t map_plain[256];
static uint16_t map_fc[32];
static uint16_t map_fe[128];
static uint16_t map_fd[0x114];
static int maps_ready;

static void build_maps(void)
{
	for (size_t i = 0; i < 256; i++)
		map_plain[i] = 0xffff;
	for (size_t i = 0; i < WX_ARRAY_LEN(map_fc); i++)
		map_fc[i] = 0xffff;
	for (size_t i = 0; i < WX_ARRAY_LEN(map_fe); i++)
		map_fe[i] = 0xffff;
	for (size_t i = 0; i < WX_ARRAY_LEN(map_fd); i++)
		map_fd[i] = 0xffff;
	for (size_t i = 0; i < WX_ARRAY_LEN(op_table); i++) {
		const struct op_info *o = &op_table[i];
		if (o->prefix == 0)
			map_plain[o->code] = (uint16_t)i;
		else if (o->prefix == 0xfc)
			map_fc[o->code] = (uint16_t)i;
		else if (o->prefix == 0xfd)
			map_fd[o->code] = (uint16_t)i;
		else
			map_fe[o->code] = (uint16_t)i;
	}
	__atomic_store_n(&maps_ready, 1, __ATOMIC_RELEASE);
}

static void ensure_maps(void)
{
	/* Building twice from two threads writes identical values: benign. */
	if (!__atomic_load_n(&maps_ready, __ATOMIC_ACQUIRE))
		build_maps();
}

int wasm_read_opcode(const uint8_t **p, const uint8_t *end,
                     enum wasm_opcode *op)
{
	const uint8_t *q = *p;
	uint16_t idx;
	uint32_t sub;

	ensure_maps();
	if (q >= end)
		return WX_EMALFORMED;
	uint8_t b = *q++;
	if (b == 0xfc || b == 0xfd || b == 0xfe) {
		if (leb_read_u32(&q, end, &sub) != LEB_OK)
			return WX_EMALFORMED;
		if (b == 0xfc)
			idx = sub < WX_ARRAY_LEN(map_fc) ? map_fc[sub] : 0xffff;
		else if (b == 0xfd)
			idx = sub < WX_ARRAY_LEN(map_fd) ? map_fd[sub] : 0xffff;
		else
			idx = sub < WX_ARRAY_LEN(map_fe) ? map_fe[sub] : 0xffff;
	} else {
		idx = map_plain[b];
	}
	if (idx == 0xffff)
		return WX_EMALFORMED;
	*op = (enum wasm_opcode)idx;
	*p = q;
	return WX_OK;
}

const char *wasm_op_name(enum wasm_opcode op)
{
	return (unsigned)op < WX_ARRAY_LEN(op_table) ? op_table[op].name : "?";
}

enum wasm_imm wasm_op_imm(enum wasm_opcode op)
{
	return (enum wasm_imm)op_table[op].imm;
}

const char *wasm_op_sig(enum wasm_opcode op)
{
	return op_table[op].sig;
}

unsigned wasm_op_align(enum wasm_opcode op)
{
	return op_table[op].align;
}
