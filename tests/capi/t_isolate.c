/*
 * t_isolate.c: an embedder of wasmix.h that is never forked
 * (wasmix_config_set_isolate, src/wasmix_isolate.c). Runs WASIX guests
 * from tests/capi/iso_*.wat (built by the Makefile into argv[1]) that
 * trap, exit, fork 1,000 children, and kill themselves, and checks after
 * each run that the status came back through the API, that this process
 * kept its pid and its own SIGSEGV and SIGUSR1 handlers, and that it has
 * no child left. Usage: t_isolate DIR. Exits 1 if a check fails.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wasmix.h"

static int failures;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr,                                        \
			        "t_isolate: %s:%d: check failed: %s\n",        \
			        __FILE__, __LINE__, #cond);                    \
			failures++;                                            \
		}                                                              \
	} while (0)

static void on_signal(int sig)
{
	(void)sig;
}

/* Is 'sig' still handled by on_signal? */
static int handler_kept(int sig)
{
	struct sigaction sa;

	return sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == on_signal;
}

/* Runs DIR/NAME.wasm isolated; checks status, exit code, our process. */
static void run(const char *dir, const char *name, int want_status,
                int want_code, const char *want_msg)
{
	char path[512], err[512];
	pid_t me = getpid();
	int code = -1, status;
	wasmix_config *c = wasmix_config_new();

	snprintf(path, sizeof path, "%s/%s.wasm", dir, name);
	CHECK(c != NULL);
	if (c == NULL)
		return;
	/* No wasmix_config_set_isolate: isolation is the library's default. */
	status = wasmix_run_file(c, path, &code, err, sizeof err);
	wasmix_config_free(c);
	if (status != want_status || code != want_code ||
	    (want_msg != NULL && strstr(err, want_msg) == NULL)) {
		fprintf(stderr,
		        "t_isolate: %s: status %d code %d '%s', want %d %d "
		        "'%s'\n",
		        name, status, code, err, want_status, want_code,
		        want_msg ? want_msg : "");
		failures++;
	}
	CHECK(getpid() == me);
	CHECK(handler_kept(SIGSEGV));
	CHECK(handler_kept(SIGUSR1));
	errno = 0;
	CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);
	printf("t_isolate: %s: %s (%d)%s%s\n", name,
	       wasmix_status_string(status), code, err[0] ? ": " : "", err);
}

int main(int argc, char **argv)
{
	struct sigaction sa;

	if (argc != 2) {
		fprintf(stderr, "usage: t_isolate DIR\n");
		return 2;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	run(argv[1], "iso_exit", WASMIX_OK, 7, NULL);
	run(argv[1], "iso_trap", WASMIX_TRAP, 0, "unreachable");
	run(argv[1], "iso_fork1000", WASMIX_OK, 42, NULL);
	run(argv[1], "iso_killself", WASMIX_SIGNALED, 128 + SIGKILL,
	    "signal 9");
	run(argv[1], "nonexistent", WASMIX_IOERR, -1, "nonexistent");
	CHECK(strcmp(wasmix_status_string(WASMIX_SIGNALED),
	             "killed by a signal") == 0);
	if (failures != 0) {
		fprintf(stderr, "t_isolate: %d checks failed\n", failures);
		return 1;
	}
	printf("t_isolate: all passed\n");
	return 0;
}
