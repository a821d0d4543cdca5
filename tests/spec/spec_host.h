/*
 * spec_host.h: the "spectest" host module the specification's test
 * scripts import from (print functions, globals, a table, memories).
 *
 * Keeps true: every object is made in, and owned by, the given store; the
 * 'struct spec_host' itself is only a name -> object table and must be
 * freed before or with the store.
 */
#ifndef WASMIX_SPEC_HOST_H
#define WASMIX_SPEC_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include "vm/vm.h"

struct spec_host;

/*
 * Makes the spectest objects in 's': print, print_i32, print_i64,
 * print_f32, print_f64, print_i32_f32, print_f64_f64 (they print their
 * arguments to stdout only if 'verbose'), global_i32 and global_i64 (666),
 * global_f32 and global_f64 (666.6), all immutable, table (10..20
 * funcref), memory (1..2 pages) and shared_memory (1..2 pages, shared).
 * Returns NULL if any of them cannot be made.
 */
struct spec_host *spec_host_new(struct vm_store *s, bool verbose);

/* Frees the table of names (not the objects, which the store owns). */
void spec_host_free(struct spec_host *h);

/*
 * Looks up export 'name' ('len' bytes) of the spectest module. Returns 0
 * and sets '*out', or -1 if there is no such export.
 */
int spec_host_lookup(const struct spec_host *h, const char *name, size_t len,
                     struct vm_extern *out);

#endif
