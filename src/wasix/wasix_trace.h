/*
 * wasix_trace.h: `wasmix run --trace`, an strace for guests (format in
 * docs/cli.md). src/wasmix.c wraps every host function it resolves with
 * wasix_trace_wrap when a run traces, and nothing otherwise: a run
 * without --trace calls the host functions exactly as before.
 *
 * Keeps true:
 *  - One line per call or event, written with a single write(2) of at
 *    most WASIX_TRACE_LINE_MAX bytes (PIPE_BUF on Linux), so that the
 *    processes of a run sharing one O_APPEND file or pipe interleave
 *    whole lines.
 *  - Guest memory is read once per argument, into a bounded buffer
 *    (strings: at most WASIX_TRACE_STR_MAX bytes, then "..."); nothing
 *    the guest controls sizes anything here.
 *  - The trace fd is a host fd the caller chose; the guest never sees it
 *    (its fds are virtual) and nothing here closes it.
 */
#ifndef WASMIX_WASIX_TRACE_H
#define WASMIX_WASIX_TRACE_H

#include <stdbool.h>
#include <stddef.h>

#include "vm/vm.h"

#define WASIX_TRACE_LINE_MAX 4096
#define WASIX_TRACE_STR_MAX  200

/*
 * Replaces host function '*ext' (resolved for import 'imp' in store 's')
 * by one that calls it and writes a trace line to host fd 'fd'. Anything
 * but a host function is left alone. Returns 0, or WX_ENOMEM ('*ext'
 * unchanged).
 */
int wasix_trace_wrap(int fd, struct vm_store *s, const struct wasm_import *imp,
                     struct vm_extern *ext);

/*
 * Writes "[pid P] TEXT\n" (or "[pid P tid T] ...") to 'fd', TEXT from
 * 'fmt' (truncated to the line bound). Does nothing for fd < 0. Keeps
 * errno. Any thread.
 */
void wasix_trace_event(int fd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "SIGTERM" for 15 (WASIX numbers signals as Linux does). */
const char *wasix_trace_signame(int sig, char buf[16]);

#endif
