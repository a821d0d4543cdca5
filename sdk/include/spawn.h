/* spawn.h: posix_spawn from the wasmix SDK (wasix/posix.h). */
#include <wasix/posix.h>
