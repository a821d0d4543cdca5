/*
 * wasmix_capture.h: a guest output stream captured in memory
 * (wasmix_config_capture_output): the guest writes into a pipe, a thread
 * of the library drains it into a buffer of at most 'cap' bytes, and
 * bytes past the cap are dropped and counted, so the guest never blocks
 * on a full buffer and the embedder never holds more than 'cap'.
 */
#ifndef WASMIX_CAPTURE_H
#define WASMIX_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

struct wasmix_capture;

/*
 * Starts a capture of at most 'cap' (> 0) bytes; '*write_fd' is the
 * pipe's write end (close-on-exec), owned by the capture, for the guest.
 * Returns 0, WX_ENOMEM, or WX_EIO (no pipe or thread).
 */
int wasmix_capture_new(size_t cap, struct wasmix_capture **out, int *write_fd);

/*
 * Everything written to the write end before the call: '*data' (valid,
 * and its first '*len' bytes unchanged, until wasmix_capture_free),
 * '*len', and '*dropped', the bytes past the cap. Thread-safe.
 */
void wasmix_capture_get(struct wasmix_capture *k, const uint8_t **data,
                        size_t *len, uint64_t *dropped);

/* Stops the thread, closes both ends, frees 'k'. NULL is allowed. */
void wasmix_capture_free(struct wasmix_capture *k);

#endif
