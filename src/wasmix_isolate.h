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
#include <sys/types.h>

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

/* What a helper reports through its pipe or socket, in one write. */
struct wasmix_isolate_report {
	int32_t status;
	int32_t exit_code;
	char msg[512];
};

/*
 * The helper's side, in a process that is to be the guest's first one (a
 * fork of the caller, or a spawned wasmix-helper): marks the process as
 * inside, forgets any process table it inherited, runs the guest in place
 * and writes a report to 'report_fd' if it is still the first process,
 * then ends the process. Never returns.
 */
_Noreturn void wasmix_isolate_helper(int report_fd, const wasmix_config *c,
                                     const uint8_t *bytes, size_t len,
                                     const char *name);

/*
 * The caller's side: reaps helper 'pid', then reads its report from 'fd'
 * (which it closes) without waiting, and turns it, or the helper's exit
 * status or signal death, into the results of wasmix_isolated_run.
 */
int wasmix_isolate_collect(pid_t pid, int fd, int *exit_code, char *errbuf,
                           size_t errlen);

#endif
