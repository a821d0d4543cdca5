/*
 * t_limits.c: unit tests of the resource limits that are not reachable
 * from a small module file (docs/fuzzing.md): the decoder's module-wide
 * cap on declared locals (a 7-byte body may declare 50,000 locals, so a
 * few kilobytes of module could make the decoder allocate gigabytes),
 * and the argument checks of wasmix_config_set_limit.
 *
 * Prints one line per failed check and "N passed, M failed" at the end;
 * exits non-zero if any check failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm/wasm_module.h"
#include "wasmix.h"
#include "t_check.h"



/* Appends 'v' as unsigned LEB128; returns the new end. */
static uint8_t *put_leb(uint8_t *p, uint32_t v)
{
	do {
		uint8_t b = v & 0x7f;
		v >>= 7;
		*p++ = (uint8_t)(b | (v ? 0x80 : 0));
	} while (v);
	return p;
}

/*
 * A module of 'n' functions of type [] -> [], each declaring 'locals'
 * i32 locals in one run. Returns its length; 'buf' must be big enough
 * (16 + 10 * n bytes).
 */
static size_t many_locals_module(uint8_t *buf, uint32_t n, uint32_t locals)
{
	static const uint8_t head[] = {0x00, 0x61, 0x73, 0x6d, 0x01,
	                               0x00, 0x00, 0x00, 0x01, 0x04,
	                               0x01, 0x60, 0x00, 0x00};
	uint8_t body[16], *b = body, *p = buf, szb[5];
	size_t blen, nsz;

	memcpy(p, head, sizeof head);
	p += sizeof head;
	*b++ = 1;
	b = put_leb(b, locals);
	*b++ = 0x7f;
	*b++ = 0x0b;
	blen = (size_t)(b - body);
	/* function section: n entries of type 0 */
	*p++ = 0x03;
	nsz = (size_t)(put_leb(szb, n) - szb);
	p = put_leb(p, (uint32_t)(nsz + n));
	p = put_leb(p, n);
	memset(p, 0, n);
	p += n;
	/* code section: n bodies of (size, body) */
	*p++ = 0x0a;
	p = put_leb(p, (uint32_t)(nsz + n * (1 + blen)));
	p = put_leb(p, n);
	for (uint32_t i = 0; i < n; i++) {
		*p++ = (uint8_t)blen;
		memcpy(p, body, blen);
		p += blen;
	}
	return (size_t)(p - buf);
}

static void test_total_locals(void)
{
	const uint32_t n = 1000;
	uint8_t *buf = malloc(16 + 10 * (size_t)n);
	struct wasm_module *m = NULL;
	struct wasm_limits lim;
	struct diag d;
	size_t len;

	if (buf == NULL) {
		CHECK(!"out of memory");
		return;
	}
	/* 1000 x 50,000 locals: 7 KB of module, 50 MB of local types. */
	len = many_locals_module(buf, n, 50000);
	diag_clear(&d);
	CHECK(wasm_decode(buf, len, NULL, &m, &d) == WX_ELIMIT);
	CHECK(strstr(d.msg, "too many locals in the module") != NULL);
	CHECK(m == NULL);
	wasm_module_free(m);

	/* Within a lowered cap, and just over it. */
	wasm_limits_default(&lim);
	lim.max_total_locals = 100 * 10;
	len = many_locals_module(buf, 100, 10);
	m = NULL;
	diag_clear(&d);
	CHECK(wasm_decode(buf, len, &lim, &m, &d) == WX_OK);
	wasm_module_free(m);
	lim.max_total_locals = 100 * 10 - 1;
	m = NULL;
	diag_clear(&d);
	CHECK(wasm_decode(buf, len, &lim, &m, &d) == WX_ELIMIT);
	wasm_module_free(m);
	free(buf);
}

static void test_config_limits(void)
{
	wasmix_config *c = wasmix_config_new();

	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK(wasmix_config_set_limit(c, WASMIX_LIMIT_FUNCS, 10) == WASMIX_OK);
	CHECK(wasmix_config_set_limit(c, WASMIX_LIMIT_LOCALS, 0) == WASMIX_OK);
	CHECK(wasmix_config_set_limit(c, WASMIX_LIMIT_TYPES,
	                              (uint64_t)1 << 32) == WASMIX_ERROR);
	CHECK(wasmix_config_set_limit(c, WASMIX_LIMIT_MODULE_BYTES,
	                              WASMIX_MAX_MODULE_BYTES) == WASMIX_OK);
	CHECK(wasmix_config_set_limit(c, WASMIX_LIMIT_MODULE_BYTES,
	                              WASMIX_MAX_MODULE_BYTES + 1) ==
	      WASMIX_ERROR);
	CHECK(wasmix_config_set_limit(c, WASMIX_LIMIT_PROCS, 1024) ==
	      WASMIX_OK);
	CHECK(wasmix_config_set_limit(c, WASMIX_LIMIT_PROCS, 1025) ==
	      WASMIX_ERROR);
	CHECK(wasmix_config_set_limit(c, WASMIX_LIMIT_TREE_MEMORY,
	                              UINT64_MAX) == WASMIX_OK);
	CHECK(wasmix_config_set_limit(c, WASMIX_LIMIT_FDS, 64) == WASMIX_OK);
	CHECK(wasmix_config_set_limit(c, WASMIX_LIMIT_THREADS, 8) == WASMIX_OK);
	CHECK(wasmix_config_set_limit(c, WASMIX_LIMIT_FDS, (uint64_t)1 << 32) ==
	      WASMIX_ERROR);
	CHECK(wasmix_config_set_limit(c, 99, 1) == WASMIX_ERROR);
	CHECK(wasmix_config_set_limit(NULL, WASMIX_LIMIT_FUNCS, 1) ==
	      WASMIX_ERROR);
	wasmix_config_free(c);
}

int main(void)
{
	test_total_locals();
	test_config_limits();
	return t_report("t_limits");
}
