/* sys/wait.h: waitpid and wait from the wasmix SDK (wasix/posix.h). */
#include <wasix/posix.h>
