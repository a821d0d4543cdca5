/*
 * wat_lex.c: the text format's lexer, the arena and byte buffers, the
 * error exit, and the numeric literal parsers shared by modules and scripts.
 *
 * Keeps true: tokens point into the input or into the arena; string
 * tokens hold their decoded bytes; every '(' knows its ')' (or lexing has
 * failed), and nesting never exceeds WAT_MAX_DEPTH.
 */
#include "wat/wat_impl.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Arena: chunks of at least 64 KiB; the total is capped. */
struct wat_chunk {
	struct wat_chunk *next;
	size_t used, size;
	max_align_t data[];
};

#define WAT_ARENA_MAX ((size_t)2 << 30)

_Noreturn void wat_oom(struct wat_ctx *c)
{
	diag_set(c->diag, WX_ENOMEM, "%s: out of memory", c->name);
	c->err = WX_ENOMEM;
	longjmp(c->fail, 1);
}

void *wat_alloc(struct wat_ctx *c, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct wat_chunk *k = c->arena;
	if (k == NULL || k->size - k->used < n) {
		size_t size = n > 65536 ? n : 65536;
		if (size > WAT_ARENA_MAX ||
		    c->arena_bytes + size > WAT_ARENA_MAX)
			wat_oom(c);
		k = wx_malloc(sizeof *k + size);
		if (k == NULL)
			wat_oom(c);
		k->next = c->arena;
		k->used = 0;
		k->size = size;
		c->arena = k;
		c->arena_bytes += size;
	}
	void *p = (char *)k->data + k->used;
	k->used += n;
	return p;
}

void wat_arena_free(struct wat_ctx *c)
{
	while (c->arena) {
		struct wat_chunk *k = c->arena;
		c->arena = k->next;
		wx_free(k);
	}
	c->arena_bytes = 0;
}

void wat_put(struct wat_ctx *c, struct wat_buf *b, const void *p, size_t n)
{
	if (b->cap - b->n < n) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		while (cap - b->n < n)
			cap *= 2;
		uint8_t *q = wat_alloc(c, cap);
		if (b->n)
			memcpy(q, b->p, b->n);
		b->p = q;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->n, p, n);
	b->n += n;
}

void wat_byte(struct wat_ctx *c, struct wat_buf *b, uint8_t v)
{
	if (b->n < b->cap)
		b->p[b->n++] = v;
	else
		wat_put(c, b, &v, 1);
}

void wat_u32(struct wat_ctx *c, struct wat_buf *b, uint64_t v)
{
	do {
		uint8_t x = v & 0x7f;
		v >>= 7;
		wat_byte(c, b, x | (v ? 0x80 : 0));
	} while (v);
}

void wat_s64(struct wat_ctx *c, struct wat_buf *b, int64_t v)
{
	for (;;) {
		uint8_t x = v & 0x7f;
		v >>= 7; /* arithmetic shift on every target we build for */
		if ((v == 0 && !(x & 0x40)) || (v == -1 && (x & 0x40))) {
			wat_byte(c, b, x);
			return;
		}
		wat_byte(c, b, x | 0x80);
	}
}

_Noreturn void wat_fail(struct wat_ctx *c, const struct wat_token *at,
                        const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (at)
		diag_set(c->diag, WX_EMALFORMED, "%s:%u:%u: %s", c->name,
		         (unsigned)at->line, (unsigned)at->col, msg);
	else
		diag_set(c->diag, WX_EMALFORMED, "%s: %s", c->name, msg);
	c->err = WX_EMALFORMED;
	longjmp(c->fail, 1);
}

int wat_guard(struct wat_ctx *c, void (*body)(struct wat_ctx *, void *),
              void *arg)
{
	c->err = 0;
	if (setjmp(c->fail) == 0)
		body(c, arg);
	wat_arena_free(c);
	return c->err;
}

/* --- names ------------------------------------------------------------------
 */

static uint32_t name_hash(const char *s, uint32_t len)
{
	uint32_t h = 2166136261u;
	for (uint32_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

int64_t wat_names_find(const struct wat_names *ns, const char *s, uint32_t len)
{
	if (ns->hcap == 0)
		return -1;
	for (uint32_t h = name_hash(s, len) & (ns->hcap - 1);;
	     h = (h + 1) & (ns->hcap - 1)) {
		uint32_t k = ns->hash[h];
		if (k == 0)
			return -1;
		const struct wat_name *e = &ns->v[k - 1];
		if (e->len == len && memcmp(e->s, s, len) == 0)
			return k - 1;
	}
}

void wat_names_reset(struct wat_names *ns)
{
	ns->n = 0;
	ns->hash = NULL;
	ns->hcap = 0;
	ns->named = 0;
}

static void hash_insert(struct wat_names *ns, uint32_t idx)
{
	const struct wat_name *e = &ns->v[idx];
	uint32_t h = name_hash(e->s, e->len) & (ns->hcap - 1);
	while (ns->hash[h] != 0)
		h = (h + 1) & (ns->hcap - 1);
	ns->hash[h] = idx + 1;
}

static void hash_grow(struct wat_ctx *c, struct wat_names *ns)
{
	uint32_t cap = ns->hcap ? ns->hcap * 2 : 16;
	ns->hash = wat_alloc(c, (size_t)cap * sizeof *ns->hash);
	memset(ns->hash, 0, (size_t)cap * sizeof *ns->hash);
	ns->hcap = cap;
	for (uint32_t i = 0; i < ns->n; i++)
		if (ns->v[i].len)
			hash_insert(ns, i);
}

void wat_names_add(struct wat_ctx *c, struct wat_names *ns,
                   const struct wat_token *id, const char *space)
{
	if (id && wat_names_find(ns, id->s, id->len) >= 0)
		wat_fail(c, id, "duplicate %s $%.*s", space, (int)id->len,
		         id->s);
	if (ns->n == ns->cap) {
		uint32_t cap = ns->cap ? ns->cap * 2 : 16;
		struct wat_name *v = wat_alloc(c, cap * sizeof *v);
		if (ns->n)
			memcpy(v, ns->v, ns->n * sizeof *v);
		ns->v = v;
		ns->cap = cap;
	}
	ns->v[ns->n].s = id ? id->s : NULL;
	ns->v[ns->n].len = id ? id->len : 0;
	ns->n++;
	if (!id)
		return;
	ns->named++;
	if (ns->named * 2 >= ns->hcap)
		hash_grow(c, ns); /* inserts every named entry, this one too */
	else
		hash_insert(ns, ns->n - 1);
}

/* --- lexer ------------------------------------------------------------------
 */

struct lexer {
	struct wat_ctx *c;
	const char *p, *end, *line_start;
	uint32_t line;
	struct wat_token *t;
	uint32_t n, cap;
	uint32_t ann_depth; /* inside an annotation: its depth + 1, else 0 */
	uint32_t ann_start; /* token index of its '(' */
};

static bool is_idchar(unsigned char ch)
{
	if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= 'A' && ch <= 'Z'))
		return true;
	return ch && strchr("!#$%&'*+-./:<=>?@\\^_`|~", ch) != NULL;
}

static struct wat_token here(struct lexer *L, const char *at)
{
	struct wat_token tk = {0};
	tk.line = L->line;
	tk.col = (uint32_t)(at - L->line_start) + 1;
	return tk;
}

static _Noreturn void lex_fail(struct lexer *L, const char *at, const char *msg)
{
	struct wat_token tk = here(L, at);
	wat_fail(L->c, &tk, "%s", msg);
}

static void push(struct lexer *L, struct wat_token tk)
{
	if (L->n == L->cap) {
		uint32_t cap = L->cap ? L->cap * 2 : 256;
		struct wat_token *v = wat_alloc(L->c, (size_t)cap * sizeof *v);
		if (L->n)
			memcpy(v, L->t, (size_t)L->n * sizeof *v);
		L->t = v;
		L->cap = cap;
	}
	L->t[L->n++] = tk;
}

static void newline(struct lexer *L, const char *nl)
{
	L->line++;
	L->line_start = nl + 1;
}

/* Length of the UTF-8 sequence at p (valid, not overlong), or 0. */
static int utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char b = p[0];
	int n;
	uint32_t cp;
	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf)
		n = 2, cp = b & 0x1f;
	else if (b >= 0xe0 && b <= 0xef)
		n = 3, cp = b & 0x0f;
	else if (b >= 0xf0 && b <= 0xf4)
		n = 4, cp = b & 0x07;
	else
		return 0;
	if (end - p < n)
		return 0;
	for (int i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

static void skip_block_comment(struct lexer *L)
{
	const char *start = L->p;
	unsigned depth = 0;
	while (L->p < L->end) {
		if (L->p[0] == '(' && L->p + 1 < L->end && L->p[1] == ';') {
			depth++;
			L->p += 2;
		} else if (L->p[0] == ';' && L->p + 1 < L->end &&
		           L->p[1] == ')') {
			L->p += 2;
			if (--depth == 0)
				return;
		} else {
			if (*L->p == '\n')
				newline(L, L->p);
			int n = utf8_len((const unsigned char *)L->p,
			                 (const unsigned char *)L->end);
			if (n == 0)
				lex_fail(L, L->p, "malformed UTF-8 encoding");
			L->p += n;
		}
	}
	lex_fail(L, start, "unclosed comment");
}

static void skip_line_comment(struct lexer *L)
{
	while (L->p < L->end && *L->p != '\n' && *L->p != '\r') {
		int n = utf8_len((const unsigned char *)L->p,
		                 (const unsigned char *)L->end);
		if (n == 0)
			lex_fail(L, L->p, "malformed UTF-8 encoding");
		L->p += n;
	}
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static void put_utf8(struct wat_ctx *c, struct wat_buf *b, uint32_t cp)
{
	if (cp < 0x80) {
		wat_byte(c, b, (uint8_t)cp);
	} else if (cp < 0x800) {
		wat_byte(c, b, (uint8_t)(0xc0 | cp >> 6));
		wat_byte(c, b, (uint8_t)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		wat_byte(c, b, (uint8_t)(0xe0 | cp >> 12));
		wat_byte(c, b, (uint8_t)(0x80 | ((cp >> 6) & 0x3f)));
		wat_byte(c, b, (uint8_t)(0x80 | (cp & 0x3f)));
	} else {
		wat_byte(c, b, (uint8_t)(0xf0 | cp >> 18));
		wat_byte(c, b, (uint8_t)(0x80 | ((cp >> 12) & 0x3f)));
		wat_byte(c, b, (uint8_t)(0x80 | ((cp >> 6) & 0x3f)));
		wat_byte(c, b, (uint8_t)(0x80 | (cp & 0x3f)));
	}
}

/* \u{...}: L->p is just past "\u". */
static void lex_unicode_escape(struct lexer *L, struct wat_buf *b)
{
	const char *at = L->p - 2;
	uint32_t cp = 0;
	int digits = 0;
	if (L->p >= L->end || *L->p != '{')
		lex_fail(L, at, "illegal escape");
	L->p++;
	while (L->p < L->end && *L->p != '}') {
		int h = hexval(*L->p);
		if (*L->p == '_' && digits > 0 && L->p + 1 < L->end &&
		    hexval(L->p[1]) >= 0) {
			L->p++;
			continue;
		}
		if (h < 0 || cp > 0x10ffff)
			lex_fail(L, at, "illegal escape");
		cp = cp * 16 + (uint32_t)h;
		digits++;
		L->p++;
	}
	if (L->p >= L->end || digits == 0 || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		lex_fail(L, at, "illegal escape");
	L->p++;
	put_utf8(L->c, b, cp);
}

static void lex_escape(struct lexer *L, struct wat_buf *b)
{
	const char *at = L->p;
	L->p++; /* backslash */
	if (L->p >= L->end)
		lex_fail(L, at, "unclosed string");
	char e = *L->p++;
	switch (e) {
	case 't':
		wat_byte(L->c, b, '\t');
		return;
	case 'n':
		wat_byte(L->c, b, '\n');
		return;
	case 'r':
		wat_byte(L->c, b, '\r');
		return;
	case '"':
		wat_byte(L->c, b, '"');
		return;
	case '\'':
		wat_byte(L->c, b, '\'');
		return;
	case '\\':
		wat_byte(L->c, b, '\\');
		return;
	case 'u':
		lex_unicode_escape(L, b);
		return;
	default:
		break;
	}
	int h1 = hexval(e), h2 = L->p < L->end ? hexval(*L->p) : -1;
	if (h1 < 0 || h2 < 0)
		lex_fail(L, at, "illegal escape");
	L->p++;
	wat_byte(L->c, b, (uint8_t)(h1 * 16 + h2));
}

/* A string literal at L->p ('"'); returns its decoded bytes. */
static struct wat_buf lex_string(struct lexer *L)
{
	struct wat_buf b = {0};
	const char *start = L->p++;
	for (;;) {
		if (L->p >= L->end)
			lex_fail(L, start, "unclosed string");
		unsigned char ch = (unsigned char)*L->p;
		if (ch == '"')
			break;
		if (ch == '\\') {
			lex_escape(L, &b);
			continue;
		}
		if (ch < 0x20 || ch == 0x7f)
			lex_fail(L, L->p,
			         ch == '\n' ? "unclosed string"
			                    : "illegal character");
		int n = utf8_len((const unsigned char *)L->p,
		                 (const unsigned char *)L->end);
		if (n == 0)
			lex_fail(L, L->p, "malformed UTF-8 encoding");
		wat_put(L->c, &b, L->p, (size_t)n);
		L->p += n;
	}
	L->p++;
	wat_byte(L->c, &b, 0); /* NUL after the bytes, not counted */
	b.n--;
	return b;
}

/*
 * Does a string literal that lexes start at 'p' ('"')? It must close on
 * its line with no control character: the reference lexer matches "$"
 * or "(@" alone before such a string, so the error is the empty id.
 * (Escapes and UTF-8 are checked by lex_string.)
 */
static bool string_closes(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch == '"')
			return true;
		if (ch < 0x20 || ch == 0x7f)
			return false;
		if (ch == '\\' && p + 1 < end && p[1] != '\n')
			p++;
	}
	return false;
}

static bool name_is_utf8(const uint8_t *p, size_t n)
{
	const uint8_t *e = p + n;
	while (p < e) {
		int k = utf8_len(p, e);
		if (k == 0)
			return false;
		p += k;
	}
	return true;
}

/*
 * At "(@": checks the annotation's id (not empty, UTF-8). Its tokens are
 * lexed like any others (so bad characters are still errors) and dropped
 * when its ')' is reached, except a "(@custom" where a module field (or
 * a script command) can start: that one stays, as '(' and the keyword
 * "@custom", for the module encoder (custom sections).
 */
static const char *annotation_id(struct lexer *L)
{
	const char *at = L->p, *q = L->p + 2;
	if (q < L->end && *q == '"') {
		const char *save = L->p;
		if (!string_closes(q, L->end))
			lex_fail(L, at, "empty annotation id");
		L->p = q;
		struct wat_buf b = lex_string(L);
		q = L->p;
		L->p = save;
		if (b.n == 0)
			lex_fail(L, at, "empty annotation id");
		if (!name_is_utf8(b.p, b.n))
			lex_fail(L, at, "malformed UTF-8 encoding");
		return q;
	}
	if (q >= L->end || !is_idchar((unsigned char)*q))
		lex_fail(L, at, "empty annotation id");
	while (q < L->end && is_idchar((unsigned char)*q))
		q++;
	return q;
}

/* Kind of a lone idchar word: keyword, number, identifier, reserved. */
static void classify_word(struct lexer *L, struct wat_token *tk)
{
	unsigned char f = (unsigned char)tk->s[0];
	if (f == '$' && tk->len == 1)
		lex_fail(L, tk->s, "empty identifier");
	if (f == '$') {
		tk->kind = WT_ID;
		tk->s++;
		tk->len--;
		if (!name_is_utf8((const uint8_t *)tk->s, tk->len))
			lex_fail(L, tk->s, "malformed UTF-8 encoding");
	} else if (f >= 'a' && f <= 'z') {
		tk->kind = WT_KEYWORD;
	} else if ((f >= '0' && f <= '9') ||
	           ((f == '+' || f == '-') && tk->len > 1)) {
		tk->kind = WT_NUM;
	} else {
		tk->kind = WT_RESERVED;
	}
}

/*
 * A run of idchars, strings and ",;[]{}" with no space between: one
 * word, one string, "$" and a string (an identifier), or else one
 * reserved token (an error wherever it is parsed; fine in annotations).
 */
static void lex_run(struct lexer *L)
{
	const char *s = L->p;
	struct wat_token tk = here(L, s);
	unsigned words = 0, strings = 0;
	bool other = false;
	struct wat_buf str = {0};
	const char *word_end = s;
	while (L->p < L->end) {
		unsigned char ch = (unsigned char)*L->p;
		if (is_idchar(ch)) {
			while (L->p < L->end && is_idchar((unsigned char)*L->p))
				L->p++;
			word_end = L->p;
			words++;
		} else if (ch == '"') {
			if (L->p == s + 1 && *s == '$' &&
			    !string_closes(L->p, L->end))
				lex_fail(L, s, "empty identifier");
			str = lex_string(L);
			strings++;
		} else if (ch == ',' || ch == '[' || ch == ']' || ch == '{' ||
		           ch == '}' ||
		           (ch == ';' &&
		            (L->p + 1 >= L->end || L->p[1] != ';'))) {
			L->p++;
			other = true;
		} else {
			break;
		}
	}
	tk.s = s;
	tk.len = (uint32_t)(L->p - s);
	if (!other && words == 1 && strings == 0) {
		classify_word(L, &tk);
	} else if (!other && words == 0 && strings == 1) {
		tk.kind = WT_STRING;
		tk.s = (const char *)str.p;
		tk.len = (uint32_t)str.n;
	} else if (!other && words == 1 && strings == 1 && *s == '$' &&
	           word_end == s + 1) {
		if (str.n == 0)
			lex_fail(L, s, "empty identifier");
		if (!name_is_utf8(str.p, str.n))
			lex_fail(L, s, "malformed UTF-8 encoding");
		tk.kind = WT_ID;
		tk.s = (const char *)str.p;
		tk.len = (uint32_t)str.n;
	} else {
		tk.kind = WT_RESERVED;
	}
	push(L, tk);
}

static void lex_one(struct lexer *L, uint32_t *stack, uint32_t *depth)
{
	char ch = *L->p;
	if (ch == ' ' || ch == '\t' || ch == '\r') {
		L->p++;
	} else if (ch == '\n') {
		newline(L, L->p);
		L->p++;
	} else if (ch == ';' && L->p + 1 < L->end && L->p[1] == ';') {
		skip_line_comment(L);
	} else if (ch == '(' && L->p + 1 < L->end && L->p[1] == ';') {
		skip_block_comment(L);
	} else if (ch == '(' && L->p + 1 < L->end && L->p[1] == '@' &&
	           L->ann_depth == 0) {
		const char *after = annotation_id(L);
		if (after - L->p == 8 && memcmp(L->p + 2, "custom", 6) == 0 &&
		    (*depth == 0 ||
		     (*depth == 1 && L->n > stack[0] + 1 &&
		      L->t[stack[0] + 1].kind == WT_KEYWORD &&
		      L->t[stack[0] + 1].len == 6 &&
		      memcmp(L->t[stack[0] + 1].s, "module", 6) == 0))) {
			/* (@custom ...) where a module field can be (bare, or
			 * right inside "(module"): kept as '(' and the keyword
			 * "@custom" (no word lexes so). */
			if (*depth >= WAT_MAX_DEPTH)
				lex_fail(L, L->p, "nesting too deep");
			stack[(*depth)++] = L->n;
			push(L, here(L, L->p));
			L->t[L->n - 1].kind = WT_LPAR;
			push(L, here(L, L->p + 1));
			L->t[L->n - 1].kind = WT_KEYWORD;
			L->t[L->n - 1].s = L->p + 1;
			L->t[L->n - 1].len = 7;
			L->p = after;
			return;
		}
		if (L->ann_depth == 0) {
			L->ann_depth = *depth + 1;
			L->ann_start = L->n;
		}
		if (*depth >= WAT_MAX_DEPTH)
			lex_fail(L, L->p, "nesting too deep");
		stack[(*depth)++] = L->n;
		push(L, here(L, L->p));
		L->t[L->n - 1].kind = WT_LPAR;
		L->p = after; /* its contents are lexed, then dropped */
	} else if (ch == '(') {
		if (*depth >= WAT_MAX_DEPTH)
			lex_fail(L, L->p, "nesting too deep");
		stack[(*depth)++] = L->n;
		push(L, here(L, L->p));
		L->t[L->n - 1].kind = WT_LPAR;
		L->p++;
	} else if (ch == ')') {
		if (*depth == 0) {
			/*
			 * A stray ')': the last token. The parser fails on it
			 * ("unexpected token") unless something before it is
			 * wrong, as in the reference, which lexes on demand.
			 */
			push(L, here(L, L->p));
			L->t[L->n - 1].kind = WT_RPAR;
			L->p = L->end;
			return;
		}
		push(L, here(L, L->p));
		L->t[L->n - 1].kind = WT_RPAR;
		L->t[stack[--(*depth)]].match = L->n - 1;
		L->p++;
		if (L->ann_depth && *depth + 1 == L->ann_depth) {
			L->n = L->ann_start; /* drop the annotation */
			L->ann_depth = 0;
		}
	} else if (is_idchar((unsigned char)ch) || ch == '"' || ch == ',' ||
	           ch == '[' || ch == ']' || ch == '{' || ch == '}' ||
	           ch == ';') {
		lex_run(L);
	} else {
		lex_fail(L, L->p,
		         (unsigned char)ch >= 0x80 &&
		                 utf8_len((const unsigned char *)L->p,
		                          (const unsigned char *)L->end) == 0
		             ? "malformed UTF-8 encoding"
		             : "illegal character");
	}
}

void wat_lex(struct wat_ctx *c, const char *text, size_t len)
{
	struct lexer L = {c, text, text + len, text, 1, NULL, 0, 0, 0, 0};
	uint32_t *stack = wat_alloc(c, WAT_MAX_DEPTH * sizeof *stack);
	uint32_t depth = 0;
	if (len > UINT32_MAX / 2)
		wat_fail(c, NULL, "input too large");
	while (L.p < L.end)
		lex_one(&L, stack, &depth);
	if (depth > 0 && L.ann_depth)
		wat_fail(c, &L.t[stack[L.ann_depth - 1]],
		         "unclosed annotation");
	if (depth > 0)
		wat_fail(c, &L.t[stack[depth - 1]], "unclosed parenthesis");
	struct wat_token eof = here(&L, L.p);
	eof.kind = WT_EOF;
	push(&L, eof);
	c->t = L.t;
	c->nt = L.n;
	c->pos = 0;
}

/* --- token helpers ----------------------------------------------------------
 */

bool wat_is_kw(const struct wat_token *tk, const char *kw)
{
	size_t n = strlen(kw);
	return tk->kind == WT_KEYWORD && tk->len == n &&
	       memcmp(tk->s, kw, n) == 0;
}

bool wat_at_field(struct wat_ctx *c, const char *kw)
{
	return wat_cur(c)->kind == WT_LPAR && wat_is_kw(wat_peek(c, 1), kw);
}

_Noreturn void wat_unexpected(struct wat_ctx *c)
{
	struct wat_token *tk = wat_cur(c);
	if (tk->kind == WT_EOF)
		wat_fail(c, tk, "unexpected end of input");
	if (tk->kind == WT_LPAR || tk->kind == WT_RPAR)
		wat_fail(c, tk, "unexpected token \"%c\"",
		         tk->kind == WT_LPAR ? '(' : ')');
	if (tk->kind == WT_STRING)
		wat_fail(c, tk, "unexpected token (string)");
	if (tk->kind == WT_RESERVED)
		wat_fail(c, tk, "unknown operator \"%.*s\"",
		         (int)(tk->len > 40 ? 40 : tk->len), tk->s);
	wat_fail(c, tk, "unexpected token \"%.*s\"",
	         (int)(tk->len > 40 ? 40 : tk->len), tk->s);
}

void wat_expect_lpar(struct wat_ctx *c)
{
	if (wat_cur(c)->kind != WT_LPAR)
		wat_unexpected(c);
	c->pos++;
}

void wat_expect_rpar(struct wat_ctx *c)
{
	if (wat_cur(c)->kind != WT_RPAR)
		wat_unexpected(c);
	c->pos++;
}

void wat_expect_kw(struct wat_ctx *c, const char *kw)
{
	if (!wat_is_kw(wat_cur(c), kw))
		wat_unexpected(c);
	c->pos++;
}

struct wat_token *wat_opt_id(struct wat_ctx *c)
{
	struct wat_token *tk = wat_cur(c);
	if (tk->kind != WT_ID)
		return NULL;
	c->pos++;
	return tk;
}

struct wat_token *wat_string(struct wat_ctx *c)
{
	struct wat_token *tk = wat_cur(c);
	if (tk->kind != WT_STRING)
		wat_unexpected(c);
	c->pos++;
	return tk;
}

struct wat_token *wat_name_string(struct wat_ctx *c)
{
	struct wat_token *tk = wat_string(c);
	const unsigned char *p = (const unsigned char *)tk->s, *e = p + tk->len;
	while (p < e) {
		int n = utf8_len(p, e);
		if (n == 0)
			wat_fail(c, tk, "malformed UTF-8 encoding");
		p += n;
	}
	return tk;
}

void wat_skip_sexpr(struct wat_ctx *c)
{
	if (wat_cur(c)->kind != WT_LPAR)
		wat_unexpected(c);
	c->pos = wat_cur(c)->match + 1;
}

/* --- numbers ----------------------------------------------------------------
 */

/*
 * Copies the digits of s[0..n) into 'out' without underscores, checking
 * that every '_' stands between two digits of the base. Returns the count
 * of digits copied, or -1 on a misplaced underscore or a non-digit.
 */
static int digits(const char *s, size_t n, bool hex, char *out, size_t cap,
                  size_t *olen)
{
	int count = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		bool d = hex ? hexval(ch) >= 0 : (ch >= '0' && ch <= '9');
		if (ch == '_') {
			bool prev =
			    i > 0 &&
			    (hex ? hexval(s[i - 1]) >= 0
			         : (s[i - 1] >= '0' && s[i - 1] <= '9'));
			bool next =
			    i + 1 < n &&
			    (hex ? hexval(s[i + 1]) >= 0
			         : (s[i + 1] >= '0' && s[i + 1] <= '9'));
			if (!prev || !next)
				return -1;
			continue;
		}
		if (!d)
			return -1;
		if (*olen + 1 < cap)
			out[(*olen)++] = ch;
		count++;
	}
	return count;
}

bool wat_is_uint(const struct wat_token *tk)
{
	return tk->kind == WT_NUM && tk->s[0] >= '0' && tk->s[0] <= '9';
}

/* Magnitude of an unsigned literal; *ovf set past 64 bits. */
static bool parse_mag(const char *s, size_t n, uint64_t *v, bool *ovf)
{
	bool hex = n > 2 && s[0] == '0' && s[1] == 'x';
	char buf[128];
	size_t bl = 0;
	const char *d = hex ? s + 2 : s;
	size_t dn = hex ? n - 2 : n;
	if (dn == 0 || d[0] == '_' || digits(d, dn, hex, buf, 2, &bl) <= 0)
		return false;
	*v = 0;
	*ovf = false;
	for (size_t i = 0; i < dn; i++) {
		if (d[i] == '_')
			continue;
		unsigned dig = (unsigned)hexval(d[i]);
		uint64_t base = hex ? 16 : 10;
		if (*v > (UINT64_MAX - dig) / base)
			*ovf = true;
		*v = *v * base + dig;
	}
	return true;
}

uint64_t wat_parse_uint(struct wat_ctx *c, const struct wat_token *tk,
                        unsigned bits)
{
	uint64_t v;
	bool ovf;
	if (!wat_is_uint(tk))
		wat_unexpected(c);
	if (!parse_mag(tk->s, tk->len, &v, &ovf))
		wat_fail(c, tk, "unknown operator");
	if (ovf || (bits < 64 && v >> bits))
		wat_fail(c, tk, "i%u constant out of range", bits);
	return v;
}

uint64_t wat_parse_int(struct wat_ctx *c, const struct wat_token *tk,
                       unsigned bits)
{
	uint64_t v;
	if (tk->kind != WT_NUM)
		wat_unexpected(c);
	bool ovf, neg = tk->s[0] == '-';
	size_t skip = (tk->s[0] == '-' || tk->s[0] == '+');
	if (!parse_mag(tk->s + skip, tk->len - skip, &v, &ovf))
		wat_fail(c, tk, "unknown operator");
	uint64_t lim = bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
	if (neg)
		lim = (uint64_t)1 << (bits - 1);
	if (ovf || v > lim)
		wat_fail(c, tk, "i%u constant out of range", bits);
	if (neg)
		v = (uint64_t)0 - v;
	return bits == 64 ? v : v & (((uint64_t)1 << bits) - 1);
}

/* Checks a float's shape and copies it without underscores into buf. */
static bool float_text(const char *s, size_t n, char *buf, size_t cap)
{
	size_t bl = 0, i = 0;
	bool hex = n > 2 && s[0] == '0' && s[1] == 'x';
	if (hex) {
		memcpy(buf, "0x", 2);
		bl = 2;
		i = 2;
	}
	size_t j = i;
	while (j < n && s[j] != '.' && s[j] != (hex ? 'p' : 'e') &&
	       s[j] != (hex ? 'P' : 'E'))
		j++;
	if (digits(s + i, j - i, hex, buf, cap, &bl) <= 0)
		return false;
	if (j < n && s[j] == '.') {
		size_t k = ++j;
		while (j < n && s[j] != (hex ? 'p' : 'e') &&
		       s[j] != (hex ? 'P' : 'E'))
			j++;
		buf[bl++] = '.';
		if (j > k && digits(s + k, j - k, hex, buf, cap, &bl) <= 0)
			return false;
	}
	if (j < n) {
		buf[bl++] = hex ? 'p' : 'e';
		j++;
		if (j < n && (s[j] == '+' || s[j] == '-'))
			buf[bl++] = s[j++];
		if (digits(s + j, n - j, false, buf, cap, &bl) <= 0)
			return false;
	}
	if (bl + 1 >= cap)
		return false;
	buf[bl] = 0;
	return true;
}

/* Parses a float literal's special forms; returns false if not special. */
static bool float_special(struct wat_ctx *c, const struct wat_token *tk,
                          const char *s, size_t n, unsigned mant,
                          uint64_t *bits)
{
	uint64_t expo = mant == 23 ? 0xffu : 0x7ffu;
	if (n == 3 && memcmp(s, "inf", 3) == 0) {
		*bits = expo << mant;
		return true;
	}
	if (n == 3 && memcmp(s, "nan", 3) == 0) {
		*bits = expo << mant | (uint64_t)1 << (mant - 1);
		return true;
	}
	if (n > 6 && memcmp(s, "nan:0x", 6) == 0) {
		uint64_t pay;
		bool ovf;
		if (!parse_mag(s + 4, n - 4, &pay, &ovf))
			wat_fail(c, tk, "unknown operator");
		if (ovf || pay == 0 || pay >> mant)
			wat_fail(c, tk, "constant out of range");
		*bits = expo << mant | pay;
		return true;
	}
	return false;
}

static uint64_t parse_float(struct wat_ctx *c, const struct wat_token *tk,
                            unsigned mant)
{
	if (tk->kind != WT_NUM && tk->kind != WT_KEYWORD)
		wat_unexpected(c);
	const char *s = tk->s;
	size_t n = tk->len;
	bool neg = s[0] == '-';
	if (s[0] == '-' || s[0] == '+')
		s++, n--;
	uint64_t bits;
	if (!float_special(c, tk, s, n, mant, &bits)) {
		char *buf = wat_alloc(c, n + 8);
		if (tk->kind != WT_NUM)
			wat_fail(c, tk, "unexpected token");
		if (!float_text(s, n, buf, n + 8))
			wat_fail(c, tk, "unknown operator");
		errno = 0;
		if (mant == 23) {
			float f = strtof(buf, NULL);
			if (isinf(f))
				wat_fail(c, tk, "constant out of range");
			uint32_t u;
			memcpy(&u, &f, 4);
			bits = u;
		} else {
			double d = strtod(buf, NULL);
			if (isinf(d))
				wat_fail(c, tk, "constant out of range");
			memcpy(&bits, &d, 8);
		}
	}
	if (neg)
		bits |= (uint64_t)1 << (mant == 23 ? 31 : 63);
	return bits;
}

uint32_t wat_parse_f32(struct wat_ctx *c, const struct wat_token *tk)
{
	return (uint32_t)parse_float(c, tk, 23);
}

uint64_t wat_parse_f64(struct wat_ctx *c, const struct wat_token *tk)
{
	return parse_float(c, tk, 52);
}
