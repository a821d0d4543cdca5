/*
 * spec_json.h: a small JSON reader for the spec runner (wast2json output).
 *
 * A parsed document is a read-only tree whose nodes and strings live in one
 * arena owned by the document; spec_json_free releases all of it at once.
 *
 * Keeps true: strings are kept as bytes with their length (a "\u0000"
 * escape gives a real NUL byte), and are also NUL-terminated for
 * convenience; \uXXXX escapes (surrogate pairs included) become UTF-8.
 * Nesting depth and input size are capped, so hostile input cannot
 * exhaust the C stack or memory.
 */
#ifndef WASMIX_SPEC_JSON_H
#define WASMIX_SPEC_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest JSON text spec_json_parse accepts. */
#define SPEC_JSON_MAX_BYTES ((size_t)256 << 20)
/* Deepest nesting of arrays and objects accepted. */
#define SPEC_JSON_MAX_DEPTH 64

enum spec_jtype {
	SPEC_JNULL,
	SPEC_JBOOL,
	SPEC_JNUM,
	SPEC_JSTR,
	SPEC_JARR,
	SPEC_JOBJ,
};

struct spec_json {
	uint8_t type;    /* enum spec_jtype */
	bool b;          /* SPEC_JBOOL */
	const char *s;   /* JSTR: decoded bytes; JNUM: its text */
	size_t len;      /* length of 's' in bytes */
	const char *key; /* member of an object: its key, else NULL */
	size_t key_len;
	size_t n;                      /* JARR, JOBJ: number of items */
	const struct spec_json *items; /* JARR, JOBJ: 'n' items in order */
};

struct spec_json_doc;

/*
 * Parses 'len' bytes of JSON. On success returns 0 and sets '*out'; on
 * failure returns -1 and writes a message with the line number into 'err'
 * ('errlen' bytes, always NUL-terminated when errlen > 0).
 */
int spec_json_parse(const char *text, size_t len, struct spec_json_doc **out,
                    char *err, size_t errlen);

/* The root value of a parsed document. */
const struct spec_json *spec_json_root(const struct spec_json_doc *doc);

/* Frees a document and every node and string in it. NULL is allowed. */
void spec_json_free(struct spec_json_doc *doc);

/*
 * Member 'key' of object 'obj' (the first one if repeated), or NULL if
 * 'obj' is NULL, not an object, or has no such member.
 */
const struct spec_json *spec_json_get(const struct spec_json *obj,
                                      const char *key);

/*
 * String member 'key' of 'obj', or NULL if absent or not a string. Sets
 * '*len' (if not NULL) to its length in bytes.
 */
const char *spec_json_str(const struct spec_json *obj, const char *key,
                          size_t *len);

/*
 * Integer member 'key' of 'obj': sets '*out' and returns true if it is a
 * number holding a non-negative integer that fits a long.
 */
bool spec_json_long(const struct spec_json *obj, const char *key, long *out);

/*
 * Reads a whole file of at most 'cap' bytes into a new malloc'd buffer
 * (with a NUL appended, not counted in '*len'). Returns 0, or -1 with a
 * message in 'err' (errno-based, or "larger than ...").
 */
int spec_read_file(const char *path, size_t cap, uint8_t **out, size_t *len,
                   char *err, size_t errlen);

#endif
