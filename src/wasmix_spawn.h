/*
 * wasmix_spawn.h: the spawned helper of isolated runs (docs/embedding.md):
 * instead of forking the embedder, wasmix_isolated_run starts the
 * wasmix-helper executable with posix_spawn (never running the
 * embedder's fork handlers, safe in a multithreaded embedder) and hands
 * it the run over a socket pair: the config, the module and the fds.
 */
#ifndef WASMIX_SPAWN_H
#define WASMIX_SPAWN_H

#include <stddef.h>
#include <stdint.h>

#include "wasmix.h"

/* wasmix_spawned_run's "no helper executable: fork one" answer. */
#define WASMIX_SPAWN_UNAVAILABLE (-1)

/*
 * Runs the guest in a spawned helper and returns what wasmix_isolated_run
 * returns. The helper is the file named by the environment variable
 * WASMIX_HELPER, else WASMIX_HELPER_PATH (set at build time). Returns
 * WASMIX_SPAWN_UNAVAILABLE, having done nothing, when WASMIX_HELPER is
 * "fork" or unset and the built-in path is not an executable file; a
 * helper named by WASMIX_HELPER that cannot be started fails the run
 * (WASMIX_ERROR). Same threads rules as wasmix_run_bytes.
 */
int wasmix_spawned_run(const wasmix_config *c, const uint8_t *bytes, size_t len,
                       const char *name, int *exit_code, char *errbuf,
                       size_t errlen);

/*
 * The main function of the wasmix-helper executable: reads one run from
 * socket 'fd' (its fd 3), runs it as wasmix_isolate_helper does, and
 * ends the process. A message it cannot read ends it with a report of
 * WASMIX_ERROR. Never returns.
 */
_Noreturn void wasmix_helper_main(int fd);

#endif
