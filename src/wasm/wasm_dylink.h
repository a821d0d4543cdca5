/*
 * wasm_dylink.h: the "dylink.0" custom section of a position-independent
 * module (WebAssembly tool-conventions, DynamicLinking.md), read from a
 * decoded module. A pure function of the bytes, like the decoder.
 *
 * Keeps true: every name points into the module's own bytes (valid as
 * long as the module), every count was checked against the payload's
 * length before anything was allocated for it.
 */
#ifndef WASMIX_WASM_DYLINK_H
#define WASMIX_WASM_DYLINK_H

#include <stdint.h>

#include "base/base.h"
#include "wasm/wasm_module.h"

/* Symbol flags of the export and import info subsections. */
enum {
	WASM_SYM_WEAK = 0x1,
	WASM_SYM_LOCAL = 0x2,
	WASM_SYM_HIDDEN = 0x4,
	WASM_SYM_UNDEFINED = 0x10,
	WASM_SYM_EXPORTED = 0x20,
	WASM_SYM_EXPLICIT_NAME = 0x40,
	WASM_SYM_NO_STRIP = 0x80,
	WASM_SYM_TLS = 0x100,
	WASM_SYM_ABSOLUTE = 0x200,
};

struct wasm_dylink_name {
	const char *name; /* not NUL-terminated */
	uint32_t len;
};

/* One entry of the export or import info subsection. */
struct wasm_dylink_sym {
	struct wasm_dylink_name module; /* imports only */
	struct wasm_dylink_name name;
	uint32_t flags; /* WASM_SYM_* */
};

struct wasm_dylink {
	uint32_t mem_size;    /* bytes of static data the module needs */
	uint32_t mem_align;   /* log2 of their alignment */
	uint32_t table_size;  /* table slots the module's elements need */
	uint32_t table_align; /* log2 */
	uint32_t nneeded;     /* libraries it needs, in order */
	struct wasm_dylink_name *needed;
	uint32_t nexports;
	struct wasm_dylink_sym *exports;
	uint32_t nimports;
	struct wasm_dylink_sym *imports;
	uint32_t nrpaths; /* runtime search paths */
	struct wasm_dylink_name *rpaths;
};

/*
 * Reads the dylink section of 'm' (m->dylink must be set) into '*out'
 * (free with wasm_dylink_free; zeroed first). Unknown subsections are
 * skipped. Returns 0, WX_EMALFORMED with a one-line message in 'diag'
 * ("dylink.0: ..."), or WX_ENOMEM.
 */
int wasm_dylink_read(const struct wasm_module *m, struct wasm_dylink *out,
                     struct diag *diag);

/* Frees what wasm_dylink_read allocated (not 'd' itself). */
void wasm_dylink_free(struct wasm_dylink *d);

/*
 * The import-info flags of import module.name (any module when 'module'
 * is NULL: wasm-ld lists a symbol imported through GOT.mem or GOT.func
 * under "env"), or 0 when none is given.
 */
uint32_t wasm_dylink_import_flags(const struct wasm_dylink *d,
                                  const char *module, size_t module_len,
                                  const char *name, size_t name_len);

/* The export-info flags of export 'name', or 0 when none is given. */
uint32_t wasm_dylink_export_flags(const struct wasm_dylink *d, const char *name,
                                  size_t name_len);

#endif
