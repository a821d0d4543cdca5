/*
 * sdk_system.c: system, popen and pclose: "sh -c CMD" started with
 * posix_spawnp ("sh" is found through PATH, or mapped by the runtime's
 * --map-command sh=FILE). A shell that cannot be started reads as exit
 * status 127, as POSIX says.
 *
 * popen keeps the child's pid beside the FILE in a small table
 * (SDK_MAX_POPEN streams at once; EMFILE past it).
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <wasix/posix.h>

#define SDK_MAX_POPEN 16

static struct {
	FILE *f;
	pid_t pid;
} sdk_popen[SDK_MAX_POPEN];

int system(const char *cmd)
{
	char *argv[] = {"sh", "-c", (char *)cmd, NULL};
	pid_t pid;
	int st;

	if (cmd == NULL)
		return 1;
	if (posix_spawnp(&pid, "sh", NULL, NULL, argv, NULL) != 0)
		return 127 << 8;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return st;
}

FILE *popen(const char *cmd, const char *mode)
{
	char *argv[] = {"sh", "-c", (char *)cmd, NULL};
	posix_spawn_file_actions_t fa;
	int p[2], rd = mode[0] == 'r', slot, err;
	pid_t pid;
	FILE *f;

	if ((mode[0] != 'r' && mode[0] != 'w') || mode[1] != 0) {
		errno = EINVAL;
		return NULL;
	}
	for (slot = 0; slot < SDK_MAX_POPEN && sdk_popen[slot].f; slot++)
		;
	if (slot == SDK_MAX_POPEN) {
		errno = EMFILE;
		return NULL;
	}
	if (pipe(p) != 0)
		return NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[rd ? 1 : 0], rd ? 1 : 0);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	posix_spawn_file_actions_addclose(&fa, p[1]);
	err = posix_spawnp(&pid, "sh", &fa, NULL, argv, NULL);
	posix_spawn_file_actions_destroy(&fa);
	close(p[rd ? 1 : 0]);
	if (err != 0) {
		close(p[rd ? 0 : 1]);
		errno = err;
		return NULL;
	}
	f = fdopen(p[rd ? 0 : 1], mode);
	if (f == NULL) {
		close(p[rd ? 0 : 1]);
		waitpid(pid, NULL, 0);
		return NULL;
	}
	sdk_popen[slot].f = f;
	sdk_popen[slot].pid = pid;
	return f;
}

int pclose(FILE *f)
{
	pid_t pid = -1;
	int st;

	for (int i = 0; i < SDK_MAX_POPEN; i++)
		if (sdk_popen[i].f == f && f != NULL) {
			pid = sdk_popen[i].pid;
			sdk_popen[i].f = NULL;
		}
	if (pid < 0) {
		errno = EINVAL;
		return -1;
	}
	fclose(f);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return st;
}
