/*
 * spec_json.c: the spec runner's JSON reader (see spec_json.h).
 *
 * A recursive-descent parser over a byte buffer. Nodes and decoded strings
 * are carved from an arena of malloc'd blocks owned by the document; the
 * items of an array or object are gathered in a temporary vector and then
 * copied into the arena as one contiguous run.
 *
 * Keeps true: every read is bounded by the end of the input; recursion is
 * bounded by SPEC_JSON_MAX_DEPTH; on any error the partially built
 * document is freed by the caller-facing function, never leaked.
 */
#include "spec_json.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK ((size_t)64 << 10)

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	max_align_t data[];
};

struct spec_json_doc {
	struct arena_block *blocks;
	struct spec_json root;
};

struct parser {
	const char *p, *end, *start;
	struct spec_json_doc *doc;
	char *err;
	size_t errlen;
	int failed;
};

static void *arena_alloc(struct spec_json_doc *doc, size_t n)
{
	struct arena_block *b = doc->blocks;
	size_t align = sizeof(max_align_t);

	n = (n + align - 1) / align * align;
	if (n == 0)
		n = align;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;

		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->cap = cap;
		b->used = 0;
		b->next = doc->blocks;
		doc->blocks = b;
	}
	b->used += n;
	return (char *)b->data + b->used - n;
}

static int fail(struct parser *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	long line = 1;
	int k;

	if (ps->failed++ || ps->errlen == 0)
		return -1;
	for (const char *q = ps->start; q < ps->p && q < ps->end; q++)
		line += *q == '\n';
	k = snprintf(ps->err, ps->errlen, "JSON line %ld: ", line);
	if (k < 0 || (size_t)k >= ps->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ps->err + k, ps->errlen - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
	                           *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int hex4(struct parser *ps, uint32_t *out)
{
	uint32_t v = 0;

	if (ps->end - ps->p < 4)
		return fail(ps, "truncated \\u escape");
	for (int i = 0; i < 4; i++) {
		char c = *ps->p++;

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return fail(ps, "bad hex digit in \\u escape");
	}
	*out = v;
	return 0;
}

/* Encodes code point 'cp' as UTF-8 at 'o'; returns the byte count. */
static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Reads a \uXXXX escape (the "\u" already consumed), joining a surrogate
 * pair when one follows; a lone surrogate is kept as its 3-byte encoding.
 */
static int read_uescape(struct parser *ps, char *o, size_t *n)
{
	uint32_t cp, lo;

	if (hex4(ps, &cp))
		return -1;
	if (cp >= 0xd800 && cp < 0xdc00 && ps->end - ps->p >= 6 &&
	    ps->p[0] == '\\' && ps->p[1] == 'u') {
		const char *save = ps->p;

		ps->p += 2;
		if (hex4(ps, &lo))
			return -1;
		if (lo >= 0xdc00 && lo < 0xe000)
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		else
			ps->p = save;
	}
	*n = put_utf8(o, cp);
	return 0;
}

static int read_escape(struct parser *ps, char *o, size_t *n)
{
	char c;

	if (ps->p >= ps->end)
		return fail(ps, "unterminated string");
	c = *ps->p++;
	*n = 1;
	switch (c) {
	case '"':
		*o = '"';
		return 0;
	case '\\':
		*o = '\\';
		return 0;
	case '/':
		*o = '/';
		return 0;
	case 'b':
		*o = '\b';
		return 0;
	case 'f':
		*o = '\f';
		return 0;
	case 'n':
		*o = '\n';
		return 0;
	case 'r':
		*o = '\r';
		return 0;
	case 't':
		*o = '\t';
		return 0;
	case 'u':
		return read_uescape(ps, o, n);
	default:
		return fail(ps, "bad escape '\\%c'", c);
	}
}

/*
 * Reads a string (at the opening quote) into the arena. The decoded form
 * is never longer than the source text, which bounds the allocation.
 */
static int read_string(struct parser *ps, const char **out, size_t *len)
{
	const char *q = ++ps->p;
	char *buf, *o;

	while (q < ps->end && *q != '"')
		q += (*q == '\\' && q + 1 < ps->end) ? 2 : 1;
	if (q >= ps->end)
		return fail(ps, "unterminated string");
	buf = arena_alloc(ps->doc, (size_t)(q - ps->p) + 1);
	if (!buf)
		return fail(ps, "out of memory");
	o = buf;
	while (ps->p < ps->end && *ps->p != '"') {
		size_t n;

		if ((unsigned char)*ps->p < 0x20)
			return fail(ps, "control character in string");
		if (*ps->p != '\\') {
			*o++ = *ps->p++;
			continue;
		}
		ps->p++;
		if (read_escape(ps, o, &n))
			return -1;
		o += n;
	}
	if (ps->p >= ps->end)
		return fail(ps, "unterminated string");
	ps->p++;
	*o = 0;
	*out = buf;
	*len = (size_t)(o - buf);
	return 0;
}

static int read_number(struct parser *ps, struct spec_json *v)
{
	const char *s = ps->p;

	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
		return fail(ps, "bad number");
	while (ps->p < ps->end &&
	       ((*ps->p >= '0' && *ps->p <= '9') || *ps->p == '.' ||
	        *ps->p == 'e' || *ps->p == 'E' || *ps->p == '+' ||
	        *ps->p == '-'))
		ps->p++;
	v->type = SPEC_JNUM;
	v->s = s;
	v->len = (size_t)(ps->p - s);
	return 0;
}

static int read_literal(struct parser *ps, struct spec_json *v)
{
	static const struct {
		const char *word;
		uint8_t type;
		bool b;
	} lits[] = {{"null", SPEC_JNULL, false},
	            {"true", SPEC_JBOOL, true},
	            {"false", SPEC_JBOOL, false}};

	for (size_t i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
		size_t n = strlen(lits[i].word);

		if ((size_t)(ps->end - ps->p) >= n &&
		    memcmp(ps->p, lits[i].word, n) == 0) {
			ps->p += n;
			v->type = lits[i].type;
			v->b = lits[i].b;
			return 0;
		}
	}
	return fail(ps, "unexpected character '%c'", *ps->p);
}

static int read_value(struct parser *ps, struct spec_json *v, int depth);

/* A growable vector of nodes, used while one array or object is read. */
struct vec {
	struct spec_json *v;
	size_t n, cap;
};

static struct spec_json *vec_push(struct vec *vec)
{
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 8;
		struct spec_json *nv = realloc(vec->v, cap * sizeof(*nv));

		if (!nv)
			return NULL;
		vec->v = nv;
		vec->cap = cap;
	}
	memset(&vec->v[vec->n], 0, sizeof(vec->v[0]));
	return &vec->v[vec->n++];
}

/* Reads one item of an array or object (key first for objects). */
static int read_item(struct parser *ps, struct vec *vec, bool obj, int depth)
{
	struct spec_json *it = vec_push(vec);

	if (!it)
		return fail(ps, "out of memory");
	skip_ws(ps);
	if (obj) {
		if (ps->p >= ps->end || *ps->p != '"')
			return fail(ps, "expected a string key");
		if (read_string(ps, &it->key, &it->key_len))
			return -1;
		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != ':')
			return fail(ps, "expected ':'");
		ps->p++;
	}
	return read_value(ps, it, depth);
}

/* Reads an array or object (at its opening bracket). */
static int read_container(struct parser *ps, struct spec_json *v, int depth)
{
	bool obj = *ps->p == '{';
	char close = obj ? '}' : ']';
	struct vec vec = {0};
	int rc = -1;

	if (depth >= SPEC_JSON_MAX_DEPTH)
		return fail(ps, "nested too deeply");
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
	} else {
		for (;;) {
			if (read_item(ps, &vec, obj, depth + 1))
				goto out;
			skip_ws(ps);
			if (ps->p < ps->end && *ps->p == ',') {
				ps->p++;
				continue;
			}
			if (ps->p < ps->end && *ps->p == close) {
				ps->p++;
				break;
			}
			fail(ps, "expected ',' or '%c'", close);
			goto out;
		}
	}
	v->type = obj ? SPEC_JOBJ : SPEC_JARR;
	v->n = vec.n;
	if (vec.n) {
		struct spec_json *items =
		    arena_alloc(ps->doc, vec.n * sizeof(*items));

		if (!items) {
			fail(ps, "out of memory");
			goto out;
		}
		memcpy(items, vec.v, vec.n * sizeof(*items));
		v->items = items;
	}
	rc = 0;
out:
	free(vec.v);
	return rc;
}

static int read_value(struct parser *ps, struct spec_json *v, int depth)
{
	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "unexpected end of input");
	switch (*ps->p) {
	case '{':
	case '[':
		return read_container(ps, v, depth);
	case '"':
		v->type = SPEC_JSTR;
		return read_string(ps, &v->s, &v->len);
	case '-':
	case '0':
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
	case '6':
	case '7':
	case '8':
	case '9':
		return read_number(ps, v);
	default:
		return read_literal(ps, v);
	}
}

int spec_json_parse(const char *text, size_t len, struct spec_json_doc **out,
                    char *err, size_t errlen)
{
	struct parser ps = {text, text + len, text, NULL, err, errlen, 0};

	*out = NULL;
	if (errlen)
		err[0] = 0;
	if (len > SPEC_JSON_MAX_BYTES)
		return fail(&ps, "input larger than %zu bytes",
		            SPEC_JSON_MAX_BYTES);
	ps.doc = calloc(1, sizeof(*ps.doc));
	if (!ps.doc)
		return fail(&ps, "out of memory");
	if (read_value(&ps, &ps.doc->root, 0))
		goto fail;
	skip_ws(&ps);
	if (ps.p != ps.end) {
		fail(&ps, "trailing characters after the value");
		goto fail;
	}
	*out = ps.doc;
	return 0;
fail:
	spec_json_free(ps.doc);
	return -1;
}

const struct spec_json *spec_json_root(const struct spec_json_doc *doc)
{
	return &doc->root;
}

void spec_json_free(struct spec_json_doc *doc)
{
	struct arena_block *b, *next;

	if (!doc)
		return;
	for (b = doc->blocks; b; b = next) {
		next = b->next;
		free(b);
	}
	free(doc);
}

const struct spec_json *spec_json_get(const struct spec_json *obj,
                                      const char *key)
{
	size_t klen = strlen(key);

	if (!obj || obj->type != SPEC_JOBJ)
		return NULL;
	for (size_t i = 0; i < obj->n; i++) {
		const struct spec_json *it = &obj->items[i];

		if (it->key_len == klen && memcmp(it->key, key, klen) == 0)
			return it;
	}
	return NULL;
}

const char *spec_json_str(const struct spec_json *obj, const char *key,
                          size_t *len)
{
	const struct spec_json *v = spec_json_get(obj, key);

	if (!v || v->type != SPEC_JSTR)
		return NULL;
	if (len)
		*len = v->len;
	return v->s;
}

bool spec_json_long(const struct spec_json *obj, const char *key, long *out)
{
	const struct spec_json *v = spec_json_get(obj, key);
	long r = 0;

	if (!v || v->type != SPEC_JNUM || v->len == 0)
		return false;
	for (size_t i = 0; i < v->len; i++) {
		int d = v->s[i] - '0';

		if (d < 0 || d > 9 || r > (LONG_MAX - d) / 10)
			return false;
		r = r * 10 + d;
	}
	*out = r;
	return true;
}

int spec_read_file(const char *path, size_t cap, uint8_t **out, size_t *len,
                   char *err, size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, bufcap = 0;
	int rc = -1;

	*out = NULL;
	*len = 0;
	if (!fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (bufcap - n < 2) {
			size_t ncap = bufcap ? bufcap * 2 : 65536;
			uint8_t *nb;

			if (bufcap > cap) {
				snprintf(err, errlen,
				         "%s: larger than %zu bytes", path,
				         cap);
				goto out;
			}
			nb = realloc(buf, ncap);
			if (!nb) {
				snprintf(err, errlen, "%s: out of memory",
				         path);
				goto out;
			}
			buf = nb;
			bufcap = ncap;
		}
		size_t got = fread(buf + n, 1, bufcap - n - 1, fp);

		n += got;
		if (got == 0)
			break;
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: read error", path);
		goto out;
	}
	if (n > cap) {
		snprintf(err, errlen, "%s: larger than %zu bytes", path, cap);
		goto out;
	}
	buf[n] = 0;
	*out = buf;
	*len = n;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	fclose(fp);
	return rc;
}
