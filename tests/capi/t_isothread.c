/*
 * t_isothread.c: a multithreaded embedder of wasmix.h whose isolated runs
 * use the spawned helper (src/wasmix_spawn.c): while a second thread of
 * this process runs (holding a lock of its own and allocating), WASIX
 * guests from tests/capi/iso_*.wat exit after forking, fork and join
 * 1,000 children, trap and kill themselves. Checks that each status came
 * back, that this process never forked (a pthread_atfork handler counts
 * forks: posix_spawn runs none), kept its pid and has no child, and that
 * the second thread ran throughout and ends normally. A run of
 * iso_echo.wat checks what the helper was given: arguments, environment,
 * a preopened directory, stdout into a buffer. Then, as a control
 * that the counter sees forks, one run with WASMIX_HELPER=fork (the fork
 * helper) must count one.
 * Usage: t_isothread DIR HELPER. Exits 1 if a check fails.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wasmix.h"

static int failures;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr,                                        \
			        "t_isothread: %s:%d: check failed: %s\n",      \
			        __FILE__, __LINE__, #cond);                    \
			failures++;                                            \
		}                                                              \
	} while (0)

static int forks; /* __atomic: pthread_atfork prepare calls */

static void count_fork(void)
{
	__atomic_add_fetch(&forks, 1, __ATOMIC_SEQ_CST);
}

/* The second thread: works under its own lock until told to stop. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int started, stop;
static unsigned long rounds;

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	started = 1;
	pthread_cond_signal(&cv);
	while (!stop) {
		/* The lock stays held across the allocation, as an
		 * embedder's lock may be at any moment. */
		free(malloc(64 + rounds % 4096));
		rounds++;
		pthread_mutex_unlock(&mu);
		sched_yield();
		pthread_mutex_lock(&mu);
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

static void run(const char *dir, const char *name, int want_status,
                int want_code)
{
	char path[512], err[512];
	pid_t me = getpid();
	int code = -1, status;
	wasmix_config *c = wasmix_config_new();

	snprintf(path, sizeof path, "%s/%s.wasm", dir, name);
	status = wasmix_run_file(c, path, &code, err, sizeof err);
	wasmix_config_free(c);
	printf("t_isothread: %s: %s (%d)%s%s\n", name,
	       wasmix_status_string(status), code, err[0] ? ": " : "", err);
	CHECK(status == want_status && code == want_code);
	CHECK(getpid() == me);
	errno = 0;
	CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);
}

/* The config crosses to the helper: argv, env, a directory, stdout. */
static void run_echo(const char *dir)
{
	static const char *const args[] = {"echo", "a b", ""};
	static const char expect[] = "echo\0a b\0\0K=V\0E=\0file text\n";
	char path[512], err[512], tmp[] = "/tmp/t_isothread.XXXXXX", out[256];
	size_t len = 0;
	int code = -1;
	wasmix_config *c = wasmix_config_new();
	FILE *f;

	CHECK(mkdtemp(tmp) != NULL);
	snprintf(path, sizeof path, "%s/hello.txt", tmp);
	f = fopen(path, "w");
	CHECK(f != NULL && fputs("file text\n", f) >= 0 && fclose(f) == 0);
	CHECK(wasmix_config_set_args(c, 3, args) == WASMIX_OK);
	CHECK(wasmix_config_add_env(c, "K=V") == WASMIX_OK);
	CHECK(wasmix_config_add_env(c, "E=") == WASMIX_OK);
	CHECK(wasmix_config_add_dir(c, tmp, ".") == WASMIX_OK);
	CHECK(wasmix_config_run_output(c, 1, out, sizeof out, &len, NULL) ==
	      WASMIX_OK);
	snprintf(path, sizeof path, "%s/iso_echo.wasm", dir);
	CHECK(wasmix_run_file(c, path, &code, err, sizeof err) == WASMIX_OK &&
	      code == 0);
	CHECK(len == sizeof expect - 1 && memcmp(out, expect, len) == 0);
	wasmix_config_free(c);
	snprintf(path, sizeof path, "%s/hello.txt", tmp);
	unlink(path);
	rmdir(tmp);
	printf("t_isothread: iso_echo: ok\n");
}

int main(int argc, char **argv)
{
	pthread_t t;

	if (argc != 3)
		return 2;
	if (setenv("WASMIX_HELPER", argv[2], 1) != 0 ||
	    pthread_atfork(count_fork, NULL, NULL) != 0 ||
	    pthread_create(&t, NULL, worker, NULL) != 0) {
		fprintf(stderr, "t_isothread: cannot set up\n");
		return 1;
	}
	pthread_mutex_lock(&mu);
	while (!started)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);

	run(argv[1], "iso_exit", WASMIX_OK, 7);
	run(argv[1], "iso_fork1000", WASMIX_OK, 42);
	run(argv[1], "iso_trap", WASMIX_TRAP, 0);
	run(argv[1], "iso_killself", WASMIX_SIGNALED, 128 + 9);
	run_echo(argv[1]);
	CHECK(__atomic_load_n(&forks, __ATOMIC_SEQ_CST) == 0);

	pthread_mutex_lock(&mu);
	stop = 1;
	pthread_mutex_unlock(&mu);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(rounds > 0);

	/* Control: the fork helper forks this process, and is counted. */
	setenv("WASMIX_HELPER", "fork", 1);
	run(argv[1], "iso_exit", WASMIX_OK, 7);
	CHECK(__atomic_load_n(&forks, __ATOMIC_SEQ_CST) == 1);
	if (failures == 0)
		printf("t_isothread: all checks passed\n");
	return failures != 0;
}
