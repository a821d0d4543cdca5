/*
 * wat_impl.h: what the files of the text front end share: tokens, the
 * arena, growable byte buffers, the parsing context and its error exit.
 *
 * Errors leave through wat_fail (a longjmp to the one entry point of each
 * public call), and every allocation comes from the context's arena, which
 * that entry point frees whole: so no function below needs a cleanup path
 * of its own, and none can leak.
 */
#ifndef WASMIX_WAT_IMPL_H
#define WASMIX_WAT_IMPL_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wat/wat.h"

enum wat_tok {
	WT_EOF,
	WT_LPAR,
	WT_RPAR,
	WT_KEYWORD,  /* starts with a lowercase letter */
	WT_ID,       /* $name or $"name"; 's' is the name without '$' */
	WT_STRING,   /* 's' holds the decoded bytes */
	WT_NUM,      /* starts with a digit or a sign */
	WT_RESERVED, /* anything else made of idchars */
};

struct wat_token {
	uint8_t kind;
	uint32_t line, col;
	const char *s; /* text (or decoded bytes for strings and ids) */
	uint32_t len;
	uint32_t match; /* WT_LPAR: index of the matching WT_RPAR */
};

struct wat_chunk;

/* A growable byte buffer whose storage lives in the arena. */
struct wat_buf {
	uint8_t *p;
	size_t n, cap;
};

/* Names of one index space: v[i] is index i's name (len 0: none). */
struct wat_name {
	const char *s;
	uint32_t len;
};
struct wat_names {
	struct wat_name *v;
	uint32_t n, cap;
	uint32_t
	    *hash;     /* open addressing: index + 1 of named entries, 0 free */
	uint32_t hcap; /* a power of two, more than twice the named entries */
	uint32_t named;
};

/* One type of the type section. */
struct wat_type {
	struct wat_buf
	    enc; /* comptype encoding (0x60 ... / 0x5f ... / 0x5e ...) */
	bool plain_func; /* a final func type alone in its rec group */
	uint32_t nparams, nresults;
	uint32_t nfields; /* struct types */
	struct wat_names fields;
};

struct wat_ctx {
	const char *name; /* for messages */
	unsigned flags;   /* WAT_WASM2 */
	jmp_buf fail;
	struct diag *diag;
	int err;
	struct wat_chunk *arena;
	size_t arena_bytes, arena_cap;

	struct wat_token *t; /* tokens, t[nt-1] is WT_EOF */
	uint32_t nt, pos;
};

/* Leaves through the context's jmp_buf with "name:line:col: msg". */
_Noreturn void wat_fail(struct wat_ctx *c, const struct wat_token *at,
                        const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
_Noreturn void wat_oom(struct wat_ctx *c);

void *wat_alloc(struct wat_ctx *c, size_t n);
void wat_arena_free(struct wat_ctx *c);
void wat_put(struct wat_ctx *c, struct wat_buf *b, const void *p, size_t n);
void wat_byte(struct wat_ctx *c, struct wat_buf *b, uint8_t v);
void wat_u32(struct wat_ctx *c, struct wat_buf *b,
             uint64_t v); /* unsigned LEB */
void wat_s64(struct wat_ctx *c, struct wat_buf *b, int64_t v); /* signed LEB */
void wat_names_add(struct wat_ctx *c, struct wat_names *ns,
                   const struct wat_token *id, const char *space);
int64_t wat_names_find(const struct wat_names *ns, const char *s, uint32_t len);
/* Empties 'ns' (the arena keeps the old storage until the end). */
void wat_names_reset(struct wat_names *ns);

/* Lexes 'text' into c->t (tokens) with parentheses matched. */
void wat_lex(struct wat_ctx *c, const char *text, size_t len);

/* Numbers. Each fails with the spec's message at token 'tk'. */
uint64_t wat_parse_uint(struct wat_ctx *c, const struct wat_token *tk,
                        unsigned bits);
uint64_t wat_parse_int(struct wat_ctx *c, const struct wat_token *tk,
                       unsigned bits); /* signed or unsigned, as bits */
uint32_t wat_parse_f32(struct wat_ctx *c, const struct wat_token *tk);
uint64_t wat_parse_f64(struct wat_ctx *c, const struct wat_token *tk);
bool wat_is_uint(const struct wat_token *tk);

/* Token helpers. */
static inline struct wat_token *wat_cur(struct wat_ctx *c)
{
	return &c->t[c->pos];
}
static inline struct wat_token *wat_peek(struct wat_ctx *c, uint32_t k)
{
	uint32_t i = c->pos + k;
	return &c->t[i < c->nt ? i : c->nt - 1];
}
bool wat_is_kw(const struct wat_token *tk, const char *kw);
/* Is the current token '(' followed by keyword kw? */
bool wat_at_field(struct wat_ctx *c, const char *kw);
void wat_expect_lpar(struct wat_ctx *c);
void wat_expect_rpar(struct wat_ctx *c);
void wat_expect_kw(struct wat_ctx *c, const char *kw);
_Noreturn void wat_unexpected(struct wat_ctx *c);
/* Takes an identifier if one is next, else returns NULL. */
struct wat_token *wat_opt_id(struct wat_ctx *c);
/* Takes a string token, or fails. */
struct wat_token *wat_string(struct wat_ctx *c);
/* Takes a string and checks that it is valid UTF-8 (names). */
struct wat_token *wat_name_string(struct wat_ctx *c);
/* Skips from '(' to just past its ')'. */
void wat_skip_sexpr(struct wat_ctx *c);

/* Runs 'body' under the error exit; frees the arena. Returns c->err. */
int wat_guard(struct wat_ctx *c, void (*body)(struct wat_ctx *, void *),
              void *arg);

/* Encodes one "(module ...)" (or bare fields) from c->pos; see wat_module.c. */
void wat_module_encode(struct wat_ctx *c, bool bare, struct wat_buf *out);

#endif
