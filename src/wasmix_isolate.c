/*
 * wasmix_isolate.c: runs a guest in a helper child process, so that an
 * embedder is never forked by its guest, never exited by it, and never
 * gets wasmix's signal handlers (issue 18, docs/embedding.md).
 *
 * The helper is started for one run: a spawned wasmix-helper executable
 * (wasmix_spawn.c) when one is installed or named by WASMIX_HELPER, else
 * a fork of the caller. Either way it runs the ordinary in-process path
 * (wasmix_run_bytes with wasmix_isolate_inside() true), so the guest's
 * first process is the helper and every process it forks is the
 * helper's descendant. The helper writes one fixed-size report (status,
 * exit code, message) into a pipe or socket and _exits; the caller
 * reaps it with waitpid first and then reads the report (it fits the
 * buffer), so guest processes that outlive the first one and still hold
 * the pipe never block the caller. No report means the guest ended the
 * helper itself: an exit status (a host _exit) or a signal death.
 *
 * Keeps true: the caller's process gains no child that outlives the call
 * (the helper is reaped before returning; orphaned guest processes are
 * reparented by the kernel, not to the caller) and no signal disposition
 * changes. Threads: the spawned helper is a new program, so the caller's
 * other threads and their locks do not matter. The fork fallback is safe
 * for wasmix's own state (vm_fork_* handlers) but a lock another caller
 * thread holds stays held in the helper; wasmix code in the helper takes
 * none of the caller's locks.
 */
#include "wasmix_isolate.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "proc/proc.h"
#include "wasmix_spawn.h"

/* The exit status of a guest process other than the first that traps
 * (as the command line gives it: 128 + SIGABRT). */
#define ISOLATE_TRAP_STATUS 134

static bool isolate_inside;

bool wasmix_isolate_inside(void)
{
	return isolate_inside;
}

static void write_all(int fd, const void *p, size_t n)
{
	const char *b = p;

	while (n > 0) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		b += w;
		n -= (size_t)w;
	}
}

void wasmix_isolate_helper(int report_fd, const wasmix_config *c,
                           const uint8_t *bytes, size_t len, const char *name)
{
	struct wasmix_isolate_report rep;
	pid_t self = getpid();
	int code = 0;

	isolate_inside = true;
	/* A process table the caller made (a WASIX wasm.h instance) is not
	 * the run's: the helper starts its own, as pid 1. */
	proc_fini();
#ifdef __linux__
	/* The helper does not outlive the caller. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
	memset(&rep, 0, sizeof rep);
	rep.status = wasmix_run_bytes(c, bytes, len, name, &code, rep.msg,
	                              sizeof rep.msg);
	rep.exit_code = code;
	if (getpid() != self) {
		/* A guest fork child ending: it ends as a process of its own.
		 */
		if (rep.status != WASMIX_OK && rep.msg[0] != 0)
			dprintf(2, "wasmix: %s\n", rep.msg);
		_exit(rep.status == WASMIX_OK ? code & 0xff
		                              : ISOLATE_TRAP_STATUS);
	}
	write_all(report_fd, &rep, sizeof rep);
	_exit(0);
}

static int set_err(char *errbuf, size_t errlen, int status, const char *fmt,
                   int arg)
{
	if (errbuf != NULL && errlen > 0)
		snprintf(errbuf, errlen, fmt, arg, strsignal(arg));
	return status;
}

int wasmix_isolate_collect(pid_t pid, int fd, int *exit_code, char *errbuf,
                           size_t errlen)
{
	struct wasmix_isolate_report rep;
	int st = 0;
	ssize_t n;

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	/* The report, if any, is already there: never wait for EOF. */
	fcntl(fd, F_SETFL, O_NONBLOCK);
	do {
		n = read(fd, &rep, sizeof rep);
	} while (n < 0 && errno == EINTR);
	close(fd);
	if (n == (ssize_t)sizeof rep) {
		rep.msg[sizeof rep.msg - 1] = 0;
		*exit_code = rep.exit_code;
		if (errbuf != NULL && errlen > 0)
			snprintf(errbuf, errlen, "%s", rep.msg);
		return rep.status;
	}
	if (WIFEXITED(st)) {
		/* The guest ended the helper with a host exit. */
		*exit_code = WEXITSTATUS(st);
		return WASMIX_OK;
	}
	int sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	*exit_code = 128 + sig;
	return set_err(errbuf, errlen, WASMIX_SIGNALED,
	               "the guest was killed by signal %d (%s)", sig);
}

int wasmix_isolated_run(const wasmix_config *c, const uint8_t *bytes,
                        size_t len, const char *name, int *exit_code,
                        char *errbuf, size_t errlen)
{
	int p[2], rc;
	pid_t pid;

	/* The spawned helper when there is one (wasmix_spawn.c). */
	rc = wasmix_spawned_run(c, bytes, len, name, exit_code, errbuf, errlen);
	if (rc != WASMIX_SPAWN_UNAVAILABLE)
		return rc;
	if (pipe2(p, O_CLOEXEC) != 0)
		return set_err(errbuf, errlen, WASMIX_NOMEM,
		               "cannot make the helper's pipe (errno %d: %s)",
		               errno);
	fflush(NULL); /* nothing buffered is written twice */
	pid = fork();
	if (pid < 0) {
		int err = errno;
		close(p[0]);
		close(p[1]);
		return set_err(errbuf, errlen, WASMIX_NOMEM,
		               "cannot start the helper process (errno %d: %s)",
		               err);
	}
	if (pid == 0) {
		close(p[0]);
		wasmix_isolate_helper(p[1], c, bytes, len, name);
	}
	close(p[1]);
	return wasmix_isolate_collect(pid, p[0], exit_code, errbuf, errlen);
}
