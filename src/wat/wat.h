/*
 * wat.h: the WebAssembly text format front end (.wat modules, .wast scripts).
 *
 * Pure functions of bytes, like the decoder: text in, binary module (or a
 * wast2json-style command list) out. Nothing here touches files, the VM or
 * global state, so every function is thread-safe.
 *
 * Keeps true: any input gives either a result or one error line
 * "NAME:LINE:COL: message" in the specification's wording; memory use is
 * bounded by a multiple of the input size and nesting depth is capped
 * (WAT_MAX_DEPTH), so hostile text can neither crash nor exhaust the host.
 */
#ifndef WASMIX_WAT_H
#define WASMIX_WAT_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

/*
 * Deepest nesting accepted: of parentheses, and of blocks and folded
 * instructions together (each level is a few C stack frames).
 */
#define WAT_MAX_DEPTH 1000

/*
 * Encodes the text module in 'text' ('len' bytes; "(module ...)" or its
 * fields alone) to the binary format. 'name' is used in messages. On
 * success returns 0 and sets '*out' (malloc'd, free with wx_free) and
 * '*outlen'. On failure returns WX_EMALFORMED (or WX_ENOMEM, WX_ELIMIT)
 * with "name:line:col: message" in 'diag'.
 */
int wat_to_wasm(const char *name, const char *text, size_t len, uint8_t **out,
                size_t *outlen, struct diag *diag);

/*
 * Flags of wast_to_json. WAT_WASM2: the 2.0 text grammar, where memory
 * and table limits and memarg offsets of 32-bit memories are u32 literals
 * (a larger one is malformed: "i32 constant"); in 3.0 they are u64 and a
 * too large value is left to the validator. The 2.0 and 3.0 suites test
 * the same text both ways.
 */
#define WAT_WASM2 1u

/* Does 'bytes' look like text rather than a binary module? */
int wat_is_text(const uint8_t *bytes, size_t len);

/* One module of a script: its binary bytes, or the text it failed with. */
struct wast_module {
	uint8_t *bytes; /* binary module, NULL if 'error' is set */
	size_t len;
	char *error; /* text parse error of a quote/text module, else NULL */
};

/* A script converted to wast2json-style JSON plus its modules. */
struct wast_script {
	char *json; /* NUL-terminated JSON text; "filename" names "N.wasm" */
	size_t json_len;
	struct wast_module *mods; /* mods[N] is "N.wasm" */
	size_t nmods;
};

/*
 * Converts the .wast script 'text' into 'out': the same command objects
 * wast2json writes (commands, line, module names, actions, expected
 * values), with each module encoded in memory. A module whose text does
 * not parse is kept with its error (assert_malformed expects that); a
 * script-level syntax error fails the whole call with WX_EMALFORMED and
 * "name:line:col: message" in 'diag'. Free 'out' with wast_script_free.
 */
int wast_to_json(const char *name, const char *text, size_t len, unsigned flags,
                 struct wast_script *out, struct diag *diag);

/* Frees what wast_to_json filled in. */
void wast_script_free(struct wast_script *s);

#endif
