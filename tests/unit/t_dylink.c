/*
 * t_dylink.c: the dylink.0 reader (src/wasm/wasm_dylink.c) on modules
 * made byte by byte: every subsection, unknown ones skipped, the legacy
 * "dylink" section, and malformed payloads (sizes and counts past the
 * end, repeated subsections, huge alignments) that must fail with a
 * message and allocate nothing sized by the bad count.
 */
#include <stdint.h>
#include <string.h>

#include "dl/dl.h"
#include "t_check.h"
#include "wasm/wasm_dylink.h"

struct buf {
	uint8_t b[512];
	size_t n;
};

static void put(struct buf *b, const void *p, size_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void byte(struct buf *b, uint8_t v)
{
	b->b[b->n++] = v;
}

static void str(struct buf *b, const char *s)
{
	byte(b, (uint8_t)strlen(s));
	put(b, s, strlen(s));
}

/* A module whose only section is custom section 'name' with 'payload'. */
static void module(struct buf *m, const char *name, const struct buf *payload)
{
	static const uint8_t head[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};

	m->n = 0;
	put(m, head, 8);
	byte(m, 0);
	byte(m, (uint8_t)(1 + strlen(name) + payload->n));
	str(m, name);
	put(m, payload->b, payload->n);
}

/* Appends subsection 'type' with 'body'. */
static void sub(struct buf *p, uint8_t type, const struct buf *body)
{
	byte(p, type);
	byte(p, (uint8_t)body->n);
	put(p, body->b, body->n);
}

/* Decodes 'm' and reads its dylink section: the reader's result. */
static int read_dylink(const struct buf *m, struct wasm_dylink *d,
                       struct diag *dg)
{
	struct wasm_limits lim;
	struct wasm_module *mod = NULL;
	int rc;

	wasm_limits_default(&lim);
	diag_clear(dg);
	rc = wasm_decode(m->b, m->n, &lim, &mod, dg);
	if (rc != 0)
		return -1;
	CHECK(dl_module_is_pic(mod));
	rc = wasm_dylink_read(mod, d, dg);
	if (rc == 0) {
		/* Names point into the module: check them before freeing. */
		CHECK(d->nneeded == 0 || d->needed[0].len > 0);
	}
	wasm_module_free(mod);
	return rc;
}

static void test_full(void)
{
	struct buf p = {.n = 0}, s = {.n = 0}, m;
	struct wasm_dylink d;
	struct diag dg;
	struct wasm_module *mod = NULL;
	struct wasm_limits lim;

	byte(&s, 16), byte(&s, 2), byte(&s, 3), byte(&s, 0);
	sub(&p, 1, &s);
	s.n = 0;
	byte(&s, 2), str(&s, "liba.so"), str(&s, "libb.so");
	sub(&p, 2, &s);
	s.n = 0;
	byte(&s, 1), str(&s, "f"), byte(&s, 0x20);
	sub(&p, 3, &s);
	s.n = 0;
	byte(&s, 1), str(&s, "env"), str(&s, "g"), byte(&s, 1);
	sub(&p, 4, &s);
	s.n = 0;
	byte(&s, 0xaa), byte(&s, 0xbb);
	sub(&p, 9, &s); /* unknown: skipped */
	s.n = 0;
	byte(&s, 1), str(&s, "/x");
	sub(&p, 5, &s);
	module(&m, "dylink.0", &p);

	wasm_limits_default(&lim);
	CHECK(wasm_decode(m.b, m.n, &lim, &mod, &dg) == 0);
	CHECK(mod != NULL && wasm_dylink_read(mod, &d, &dg) == 0);
	CHECK(d.mem_size == 16 && d.mem_align == 2 && d.table_size == 3);
	CHECK(d.nneeded == 2 && d.needed[1].len == 7 &&
	      memcmp(d.needed[1].name, "libb.so", 7) == 0);
	CHECK(d.nexports == 1 &&
	      wasm_dylink_export_flags(&d, "f", 1) == WASM_SYM_EXPORTED);
	CHECK(wasm_dylink_import_flags(&d, "env", 3, "g", 1) == WASM_SYM_WEAK);
	CHECK(wasm_dylink_import_flags(&d, NULL, 0, "g", 1) == WASM_SYM_WEAK);
	CHECK(wasm_dylink_import_flags(&d, "GOT.mem", 7, "g", 1) == 0);
	CHECK(d.nrpaths == 1 && d.rpaths[0].len == 2);
	wasm_dylink_free(&d);
	wasm_module_free(mod);
}

static void test_legacy(void)
{
	struct buf p = {.n = 0}, m;
	struct wasm_dylink d;
	struct diag dg;

	byte(&p, 8), byte(&p, 3), byte(&p, 1), byte(&p, 0);
	byte(&p, 1), str(&p, "libc.so");
	module(&m, "dylink", &p);
	CHECK(read_dylink(&m, &d, &dg) == 0);
	CHECK(d.mem_size == 8 && d.mem_align == 3 && d.nneeded == 1);
	wasm_dylink_free(&d);
}

/* A dylink.0 payload that must fail with 'msg' in the diagnostic. */
static void bad(const struct buf *p, const char *msg)
{
	struct buf m;
	struct wasm_dylink d;
	struct diag dg;

	module(&m, "dylink.0", p);
	CHECK(read_dylink(&m, &d, &dg) == WX_EMALFORMED);
	CHECK(strstr(dg.msg, msg) != NULL);
	if (strstr(dg.msg, msg) == NULL)
		printf("  got: %s\n", dg.msg);
}

static void test_malformed(void)
{
	struct buf p = {.n = 0}, s = {.n = 0};

	/* A subsection longer than the section. */
	byte(&p, 1), byte(&p, 40), byte(&p, 0);
	bad(&p, "subsection past the end");
	/* A count of 2^32 - 1 names in three bytes. */
	p.n = 0;
	byte(&p, 2), byte(&p, 6);
	byte(&p, 0xff), byte(&p, 0xff), byte(&p, 0xff), byte(&p, 0xff);
	byte(&p, 0x0f), byte(&p, 0);
	bad(&p, "count larger than the section");
	/* Memory info with a byte left over. */
	p.n = 0;
	byte(&s, 1), byte(&s, 0), byte(&s, 1), byte(&s, 0), byte(&s, 9);
	sub(&p, 1, &s);
	bad(&p, "subsection size mismatch");
	/* The needed list twice. */
	p.n = 0;
	s.n = 0;
	byte(&s, 1), str(&s, "a");
	sub(&p, 2, &s);
	sub(&p, 2, &s);
	bad(&p, "repeated subsection");
	/* Alignment 2^40. */
	p.n = 0;
	s.n = 0;
	byte(&s, 0), byte(&s, 40), byte(&s, 0), byte(&s, 0);
	sub(&p, 1, &s);
	bad(&p, "alignment");
	/* A name running off the end. */
	p.n = 0;
	s.n = 0;
	byte(&s, 1), byte(&s, 9), byte(&s, 'x');
	sub(&p, 2, &s);
	bad(&p, "name past the end");
}

static void test_not_pic(void)
{
	static const uint8_t plain[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
	struct wasm_limits lim;
	struct wasm_module *mod = NULL;
	struct wasm_dylink d;
	struct diag dg;

	wasm_limits_default(&lim);
	CHECK(wasm_decode(plain, 8, &lim, &mod, &dg) == 0);
	CHECK(!dl_module_is_pic(mod));
	CHECK(wasm_dylink_read(mod, &d, &dg) == WX_EMALFORMED);
	wasm_module_free(mod);
}

int main(void)
{
	test_full();
	test_legacy();
	test_malformed();
	test_not_pic();
	return t_report("t_dylink");
}
