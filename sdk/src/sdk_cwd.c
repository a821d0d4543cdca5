/*
 * sdk_cwd.c: keeps wasi-libc's own cwd emulation and the runtime's
 * per-process cwd (WASIX chdir/getcwd) in step.
 *
 * wasi-libc resolves relative paths itself against its cwd; the runtime
 * needs the same cwd to resolve exec and spawn names and to hand it to an
 * exec'd program. wasix/posix.h renames the program's chdir() to
 * __wasix_chdir, which changes both. wasmix-cc exports __wasix_cwd_init,
 * which keeps this constructor linked, so that every program takes the
 * runtime's cwd at start (after an exec, or in a spawned child with a
 * CHDIR action). wasi-libc keeps a relative chdir's path as written
 * ("/sub/.." after chdir("sub"), chdir("..")); the runtime's cwd is
 * normalised, so after a chdir wasi-libc takes the runtime's, and getcwd
 * says "/" as on Linux. wasm-ld 14's --wrap is not used: it miscompiles
 * calls to __real_* symbols that live in an archive.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <wasix/wasix.h>

void __wasix_cwd_init(void);

int __wasix_chdir(const char *path)
{
	char buf[4096];
	uint32_t len = sizeof buf;
	int32_t err;

	if (chdir(path) != 0)
		return -1;
	err = wasix_chdir(path, strlen(path));
	if (err == ENOSYS)
		return 0;
	if (err != 0) {
		errno = err;
		return -1;
	}
	/* (getcwd's *len is the length without the NUL it wrote) */
	if (wasix_getcwd(buf, &len) == 0 && len < sizeof buf && buf[len] == 0)
		chdir(buf);
	return 0;
}

__attribute__((constructor)) void __wasix_cwd_init(void)
{
	char buf[4096];
	uint32_t len = sizeof buf;

	if (wasix_getcwd(buf, &len) == 0 && len < sizeof buf &&
	    strcmp(buf, "/") != 0)
		chdir(buf);
}
