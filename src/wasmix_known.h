/*
 * wasmix_known.h: the modules a process tree has already decoded and
 * validated, kept by their bytes in a mapping shared by every process of
 * the tree (docs/process.md, "Exec of another program"), so that an exec
 * of one of them (a shell running the same command again) skips the
 * validator and the decoder's scan of the function bodies.
 *
 * Keeps true: an entry holds bytes that decoded and validated under the
 * limits of its key (a library may run trees with other limits in the
 * same process, which keeps one mapping); it is used only for bytes
 * equal to it byte for byte (the hash only finds candidates); it becomes
 * visible only once written whole. Bounded: at most WASMIX_KNOWN_MAX
 * entries and a byte budget fixed when the tree starts; when full,
 * nothing is added.
 */
#ifndef WASMIX_KNOWN_H
#define WASMIX_KNOWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WASMIX_KNOWN_MAX    64
#define WASMIX_KNOWN_BUDGET ((size_t)64 << 20) /* bytes, at most */

/*
 * Makes the shared mapping of 'budget' bytes of module bytes (0: none,
 * every call below then does nothing) for the tree this process starts;
 * before any fork. A second call in the same process keeps the first
 * mapping. Returns 0, or -1 if it cannot be made (then nothing is kept).
 */
int wasmix_known_init(size_t budget);

/*
 * Whether these exact bytes are a known module under the limits whose
 * key is 'key' (a caller's fingerprint of everything decoding and
 * validation depend on besides the bytes). Thread-safe.
 */
bool wasmix_known_has(const uint8_t *bytes, size_t len, uint64_t key);

/*
 * Records bytes that just decoded and validated under the limits of
 * 'key', if they fit and are not there yet. Thread-safe; never fails
 * visibly.
 */
void wasmix_known_add(const uint8_t *bytes, size_t len, uint64_t key);

#endif
