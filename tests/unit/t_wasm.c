/*
 * t_wasm.c: unit tests of the decoder and validator (src/wasm/) on tiny
 * hand-assembled modules: what decodes into which fields, and which
 * malformed or invalid modules fail with which message and error code.
 *
 * Prints one line per failed check and "N passed, M failed" at the end;
 * exits non-zero if any check failed.
 */
#include <stdio.h>
#include <string.h>

#include "t_check.h"
#include "wasm/wasm_module.h"

#define HEADER 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00

/* Decodes and validates; returns the first error, message in 'd'. */
static int load(const uint8_t *bytes, size_t len, struct diag *d)
{
	struct wasm_module *m = NULL;
	int err;

	diag_clear(d);
	err = wasm_decode(bytes, len, NULL, &m, d);
	if (err == WX_OK)
		err = wasm_validate(m, d);
	wasm_module_free(m);
	return err;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Expects 'err' and a message that starts with 'text'. */
static void expect_fail(const uint8_t *bytes, size_t len, int err,
                        const char *text)
{
	struct diag d;
	int got = load(bytes, len, &d);

	CHECK(got == err);
	CHECK(starts_with(d.msg, text));
	if (got != err || !starts_with(d.msg, text))
		printf("     got %d \"%s\", want %d \"%s\"\n", got, d.msg, err,
		       text);
}

static void test_empty_and_header(void)
{
	static const uint8_t empty[] = {HEADER};
	static const uint8_t bad_magic[] = {0x00, 0x61, 0x73, 0x6e,
	                                    0x01, 0x00, 0x00, 0x00};
	static const uint8_t bad_version[] = {0x00, 0x61, 0x73, 0x6d,
	                                      0x02, 0x00, 0x00, 0x00};
	struct diag d;

	CHECK(load(empty, sizeof empty, &d) == WX_OK);
	expect_fail(empty, 3, WX_EMALFORMED, "unexpected end");
	expect_fail(empty, 6, WX_EMALFORMED, "unexpected end");
	expect_fail(NULL, 0, WX_EMALFORMED, "unexpected end");
	expect_fail(bad_magic, sizeof bad_magic, WX_EMALFORMED,
	            "magic header not detected");
	expect_fail(bad_version, sizeof bad_version, WX_EMALFORMED,
	            "unknown binary version");
}

/* (func (param i32 i32) (result i32) (local i32 i32 f64) ... i32.add) */
static const uint8_t add_module[] = {
    HEADER, 0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, /* type */
    0x03,   0x02, 0x01, 0x00,                                     /* func */
    0x07,   0x07, 0x01, 0x03, 'a',  'd',  'd',  0x00, 0x00,       /* export */
    0x0a,   0x0d, 0x01, 0x0b, 0x02, 0x02, 0x7f, 0x01, 0x7c,       /* code */
    0x20,   0x00, 0x20, 0x01, 0x6a, 0x0b,
};

static void test_function_fields(void)
{
	struct wasm_module *m = NULL;
	struct diag d;

	diag_clear(&d);
	CHECK(wasm_decode(add_module, sizeof add_module, NULL, &m, &d) ==
	      WX_OK);
	if (m == NULL)
		return;
	CHECK(m->bytes != add_module);
	CHECK(m->ntypes == 1 && m->types[0].nparams == 2 &&
	      m->types[0].nresults == 1);
	CHECK(m->nfuncs == 1 && m->num_imported_funcs == 0);
	CHECK(m->funcs[0].nlocals == 3);
	CHECK(m->funcs[0].local_types[0] == WASM_I32 &&
	      m->funcs[0].local_types[1] == WASM_I32 &&
	      m->funcs[0].local_types[2] == WASM_F64);
	CHECK(m->funcs[0].code_len == 6);
	CHECK(m->funcs[0].code == m->bytes + m->funcs[0].code_offset);
	CHECK(m->funcs[0].code[m->funcs[0].code_len - 1] == 0x0b);
	CHECK(m->nexports == 1 && m->exports[0].name_len == 3 &&
	      memcmp(m->exports[0].name, "add", 3) == 0);
	CHECK(m->func_declared[0] == 1);
	CHECK(wasm_validate(m, &d) == WX_OK);
	wasm_module_free(m);
}

static void test_type_mismatch(void)
{
	/* (func (result i32) i64.const 0 i32.const 1 i32.add) */
	static const uint8_t bad[] = {
	    HEADER, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,
	    0x03,   0x02, 0x01, 0x00, 0x0a, 0x09, 0x01, 0x07,
	    0x00,   0x42, 0x00, 0x41, 0x01, 0x6a, 0x0b,
	};
	struct diag d;

	expect_fail(bad, sizeof bad, WX_EINVALID, "type mismatch");
	load(bad, sizeof bad, &d);
	CHECK(strstr(d.msg, "function 0") != NULL);
}

static void test_malformed_bodies(void)
{
	/* Body that ends without 'end' at the end of the input. */
	static const uint8_t no_end[] = {
	    HEADER, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02,
	    0x01,   0x00, 0x0a, 0x05, 0x01, 0x03, 0x00, 0x41, 0x01,
	};
	/* Opcode 0x17 does not exist (0x06 is now 'try'). */
	static const uint8_t illegal[] = {
	    HEADER, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02,
	    0x01,   0x00, 0x0a, 0x05, 0x01, 0x03, 0x00, 0x17, 0x0b,
	};
	/* memory.size of memory 1 in a module with one memory (the byte
	 * was reserved in 2.0; multi-memory reads a memory index). */
	static const uint8_t reserved[] = {
	    HEADER, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02,
	    0x01,   0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x0a, 0x07,
	    0x01,   0x05, 0x00, 0x3f, 0x01, 0x1a, 0x0b,
	};

	expect_fail(no_end, sizeof no_end, WX_EMALFORMED,
	            "unexpected end of section or function");
	expect_fail(illegal, sizeof illegal, WX_EMALFORMED, "illegal opcode");
	expect_fail(reserved, sizeof reserved, WX_EINVALID, "unknown memory 1");
}

static void test_caps(void)
{
	/* A type section claiming 2^32-1 types in a 14-byte file. */
	static const uint8_t huge[] = {
	    HEADER, 0x01, 0x06, 0xff, 0xff, 0xff, 0xff, 0x0f,
	};
	/* 3 types, 3 bytes each. */
	static const uint8_t three[] = {
	    HEADER, 0x01, 0x0a, 0x03, 0x60, 0x00, 0x00,
	    0x60,   0x00, 0x00, 0x60, 0x00, 0x00,
	};
	/* A body with 100000 i32 locals. */
	static const uint8_t many_locals[] = {
	    HEADER, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
	    0x0a,   0x09, 0x01, 0x07, 0x01, 0xa0, 0x8d, 0x06, 0x7f, 0x01, 0x0b,
	};
	struct wasm_limits lim;
	struct wasm_module *m = NULL;
	struct diag d;

	expect_fail(huge, sizeof huge, WX_EMALFORMED, "length out of bounds");
	wasm_limits_default(&lim);
	lim.max_types = 2;
	diag_clear(&d);
	CHECK(wasm_decode(three, sizeof three, &lim, &m, &d) == WX_ELIMIT);
	CHECK(m == NULL);
	CHECK(starts_with(d.msg, "too many types (limit 2)"));
	lim.max_types = 3;
	diag_clear(&d);
	CHECK(wasm_decode(three, sizeof three, &lim, &m, &d) == WX_OK);
	wasm_module_free(m);
	expect_fail(many_locals, sizeof many_locals, WX_ELIMIT,
	            "too many locals");
	lim.max_module_bytes = 8;
	diag_clear(&d);
	CHECK(wasm_decode(three, sizeof three, &lim, &m, &d) == WX_ELIMIT);
}

static void test_globals_and_refs(void)
{
	/* (global i32 (i32.const 42)) (global funcref (ref.func 0)) */
	static const uint8_t globals[] = {
	    HEADER, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01,
	    0x00,   0x06, 0x0b, 0x02, 0x7f, 0x00, 0x41, 0x2a, 0x0b, 0x70,
	    0x00,   0xd2, 0x00, 0x0b, 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,
	};
	/* (func ref.func 0 drop) with function 0 not declared anywhere. */
	static const uint8_t undeclared[] = {
	    HEADER, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01,
	    0x00,   0x0a, 0x07, 0x01, 0x05, 0x00, 0xd2, 0x00, 0x1a, 0x0b,
	};
	/* (global i32 (i32.const 1) (i32.const 2)) */
	static const uint8_t two_consts[] = {
	    HEADER, 0x06, 0x08, 0x01, 0x7f, 0x00, 0x41, 0x01, 0x41, 0x02, 0x0b,
	};
	/* (global i32 (i32.const 1) (i32.add)) */
	/* i32.div_s is not constant; i32.add is (extended constant
	 * expressions, 3.0). */
	static const uint8_t not_const[] = {
	    HEADER, 0x06, 0x09, 0x01, 0x7f, 0x00,
	    0x41,   0x01, 0x41, 0x02, 0x6d, 0x0b,
	};
	static const uint8_t ext_const[] = {
	    HEADER, 0x06, 0x09, 0x01, 0x7f, 0x00,
	    0x41,   0x01, 0x41, 0x02, 0x6a, 0x0b,
	};
	struct wasm_module *m = NULL;
	struct diag d;

	diag_clear(&d);
	CHECK(wasm_decode(globals, sizeof globals, NULL, &m, &d) == WX_OK);
	if (m != NULL) {
		CHECK(m->nglobals == 2);
		CHECK(m->globals[0].init.op == WASM_OP_I32_CONST &&
		      m->globals[0].init.u.i32 == 42);
		CHECK(m->globals[1].init.op == WASM_OP_REF_FUNC &&
		      m->globals[1].init.u.index == 0);
		CHECK(m->func_declared[0] == 1);
		CHECK(wasm_validate(m, &d) == WX_OK);
		wasm_module_free(m);
	}
	expect_fail(undeclared, sizeof undeclared, WX_EINVALID,
	            "undeclared function reference");
	expect_fail(two_consts, sizeof two_consts, WX_EINVALID,
	            "type mismatch");
	expect_fail(not_const, sizeof not_const, WX_EINVALID,
	            "constant expression required");
	CHECK(load(ext_const, sizeof ext_const, &d) == WX_OK);
}

static void test_segments(void)
{
	/* Table, elem kind 4 (ref.func 0), memory, datacount, data. */
	static const uint8_t segs[] = {
	    HEADER, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
	    0x04,   0x04, 0x01, 0x70, 0x00, 0x01, 0x05, 0x03, 0x01, 0x00, 0x01,
	    0x09,   0x09, 0x01, 0x04, 0x41, 0x00, 0x0b, 0x01, 0xd2, 0x00, 0x0b,
	    0x0c,   0x01, 0x01, 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b, 0x0b, 0x07,
	    0x01,   0x00, 0x41, 0x00, 0x0b, 0x01, 0x61,
	};
	/* memory.init in a body, a data section but no datacount. */
	static const uint8_t no_datacount[] = {
	    HEADER, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01,
	    0x00,   0x05, 0x03, 0x01, 0x00, 0x00, 0x0a, 0x0e, 0x01, 0x0c,
	    0x00,   0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x08, 0x00,
	    0x00,   0x0b, 0x0b, 0x03, 0x01, 0x01, 0x00,
	};
	struct wasm_module *m = NULL;
	struct diag d;

	diag_clear(&d);
	CHECK(wasm_decode(segs, sizeof segs, NULL, &m, &d) == WX_OK);
	if (m != NULL) {
		CHECK(m->nelems == 1 && m->elems[0].mode == WASM_SEG_ACTIVE);
		CHECK(m->elems[0].elemtype == WASM_FUNCREF);
		CHECK(m->elems[0].nitems == 1 &&
		      m->elems[0].items[0].op == WASM_OP_REF_FUNC);
		CHECK(m->elems[0].offset.op == WASM_OP_I32_CONST);
		CHECK(m->has_datacount && m->datacount == 1);
		CHECK(m->ndatas == 1 && m->datas[0].len == 1 &&
		      m->datas[0].bytes[0] == 'a');
		CHECK(m->func_declared[0] == 1);
		CHECK(wasm_validate(m, &d) == WX_OK);
		wasm_module_free(m);
	}
	expect_fail(no_datacount, sizeof no_datacount, WX_EMALFORMED,
	            "data count section required");
}

static void test_memories_and_atomics(void)
{
	/* (memory 1 2 shared) and i32.atomic.load with alignment 0. */
	static const uint8_t atomic_align[] = {
	    HEADER, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, 0x03, 0x02,
	    0x01,   0x00, 0x05, 0x04, 0x01, 0x03, 0x01, 0x02, 0x0a, 0x0a,
	    0x01,   0x08, 0x00, 0x41, 0x00, 0xfe, 0x10, 0x00, 0x00, 0x0b,
	};
	static const uint8_t too_big[] = {
	    HEADER, 0x05, 0x05, 0x01, 0x00, 0x81, 0x80, 0x04,
	};
	static const uint8_t shared_no_max[] = {
	    HEADER, 0x05, 0x03, 0x01, 0x02, 0x01,
	};
	struct diag d;

	expect_fail(atomic_align, sizeof atomic_align, WX_EINVALID,
	            "atomic alignment must be natural");
	expect_fail(too_big, sizeof too_big, WX_EINVALID,
	            "memory size must be at most 65536 pages (4GiB)");
	expect_fail(shared_no_max, sizeof shared_no_max, WX_EINVALID,
	            "shared memory must have maximum");
	/* The same load with its natural alignment 2 validates. */
	{
		uint8_t ok[sizeof atomic_align];
		memcpy(ok, atomic_align, sizeof ok);
		ok[sizeof ok - 3] = 0x02;
		CHECK(load(ok, sizeof ok, &d) == WX_OK);
	}
}

static void test_helpers(void)
{
	/* br_table 0 1 default 2 */
	static const uint8_t code[] = {0x02, 0x00, 0x01, 0x02, 0xff};
	/* block types: i32, externref, (ref null 5) */
	static const uint8_t bts[] = {0x7f, 0x6f, 0x63, 0x05};
	const uint8_t *p = code;
	const uint32_t *params, *results;
	struct wasm_instr_imm imm;
	const char *why;
	uint32_t np, nr, one;

	CHECK(wasm_read_imm(WASM_OP_BR_TABLE, &p, code + sizeof code, &imm,
	                    &why) == WX_OK);
	CHECK(imm.nvec == 2 && imm.x == 2 && imm.vec == code + 1);
	CHECK(p == code + 4);
	p = code;
	CHECK(wasm_read_imm(WASM_OP_BR_TABLE, &p, code + 2, &imm, &why) ==
	      WX_EMALFORMED);
	wasm_blocktype(NULL, WASM_BT_EMPTY, 0, &one, &np, &params, &nr,
	               &results);
	CHECK(np == 0 && nr == 0);
	p = bts;
	CHECK(wasm_read_imm(WASM_OP_BLOCK, &p, bts + 4, &imm, &why) == WX_OK);
	CHECK(imm.blocktype == WASM_BT_VALUE && imm.type == WASM_I32);
	wasm_blocktype(NULL, imm.blocktype, imm.type, &one, &np, &params, &nr,
	               &results);
	CHECK(np == 0 && nr == 1 && results[0] == WASM_I32);
	CHECK(wasm_read_imm(WASM_OP_BLOCK, &p, bts + 4, &imm, &why) == WX_OK);
	CHECK(imm.type == WASM_EXTERNREF);
	CHECK(wasm_read_imm(WASM_OP_BLOCK, &p, bts + 4, &imm, &why) == WX_OK);
	CHECK(imm.type == wasm_ref_idx(5, true) && p == bts + 4);
}

int main(void)
{
	test_empty_and_header();
	test_function_fields();
	test_type_mismatch();
	test_malformed_bodies();
	test_caps();
	test_globals_and_refs();
	test_segments();
	test_memories_and_atomics();
	test_helpers();
	return t_report("t_wasm");
}
