/*
 * wasmix_isolate.h: isolated runs (wasmix_config_set_isolate): the guest's
 * process tree in a helper child process, never in the embedder's
 * (src/wasmix_isolate.c, docs/embedding.md).
 */
#ifndef WASMIX_ISOLATE_H
#define WASMIX_ISOLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmix.h"

/* True in a helper child (and its guest processes): run in place. */
bool wasmix_isolate_inside(void);

/*
 * wasmix_run_bytes in a helper child: same arguments and results, plus
 * WASMIX_SIGNALED (with '*exit_code' 128 + the signal) when the guest's
 * first process dies of a signal. The caller's process never forks a
 * guest, never runs guest code and keeps its signal handlers.
 */
int wasmix_isolated_run(const wasmix_config *c, const uint8_t *bytes,
                        size_t len, const char *name, int *exit_code,
                        char *errbuf, size_t errlen);

#endif
