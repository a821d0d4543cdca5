/*
 * sdk_spawn.c: posix_spawn, posix_spawnp and their file actions and
 * attributes over proc_spawn3 (argv and envp as pointer arrays).
 *
 * File actions are kept as the 56-byte records proc_spawn3 reads, each
 * OPEN/CHDIR path in its own malloc'd copy owned by the actions object.
 * The runtime runs them in order in the child, then the signal defaults
 * (POSIX_SPAWN_SETSIGDEF), then the exec; any failure comes back as the
 * return value with no child left behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#include <wasix/posix.h>
#include <wasix/wasix.h>

extern char **environ;
size_t __wasix_vec_len(char *const v[]);

int posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa)
{
	memset(fa, 0, sizeof *fa);
	return 0;
}

int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)
{
	wasix_spawn_fd_op_t *ops = fa->ops;

	for (int i = 0; i < fa->n; i++)
		free((void *)ops[i].path);
	free(ops);
	memset(fa, 0, sizeof *fa);
	return 0;
}

/* Appends a zeroed record; NULL if out of memory. */
static wasix_spawn_fd_op_t *sdk_fa_add(posix_spawn_file_actions_t *fa)
{
	wasix_spawn_fd_op_t *ops = fa->ops;

	if (fa->n == fa->cap) {
		int cap = fa->cap ? 2 * fa->cap : 4;

		ops = realloc(ops, (size_t)cap * sizeof *ops);
		if (ops == NULL)
			return NULL;
		fa->ops = ops;
		fa->cap = cap;
	}
	memset(&ops[fa->n], 0, sizeof ops[0]);
	return &ops[fa->n++];
}

int posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *fa, int fd)
{
	wasix_spawn_fd_op_t *op;

	if (fd < 0)
		return EBADF;
	op = sdk_fa_add(fa);
	if (op == NULL)
		return ENOMEM;
	op->cmd = 0;
	op->fd = (uint32_t)fd;
	return 0;
}

int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *fa, int from,
                                     int to)
{
	wasix_spawn_fd_op_t *op;

	if (from < 0 || to < 0)
		return EBADF;
	op = sdk_fa_add(fa);
	if (op == NULL)
		return ENOMEM;
	op->cmd = 1;
	op->src_fd = (uint32_t)from;
	op->fd = (uint32_t)to;
	return 0;
}

/* Adds an OPEN (cmd 2) or CHDIR (cmd 3) record with a copy of 'path'. */
static wasix_spawn_fd_op_t *sdk_fa_path(posix_spawn_file_actions_t *fa,
                                        uint8_t cmd, const char *path)
{
	char *copy = strdup(path);
	wasix_spawn_fd_op_t *op = copy ? sdk_fa_add(fa) : NULL;

	if (op == NULL) {
		free(copy);
		return NULL;
	}
	op->cmd = cmd;
	op->path = copy;
	op->path_len = (uint32_t)strlen(copy);
	return op;
}

int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *fa, int fd,
                                     const char *path, int oflag, mode_t mode)
{
	wasix_spawn_fd_op_t *op;
	int acc = oflag & O_ACCMODE;

	(void)mode;
	if (fd < 0)
		return EBADF;
	op = sdk_fa_path(fa, 2, path);
	if (op == NULL)
		return ENOMEM;
	op->fd = (uint32_t)fd;
	op->dirflags = __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW;
	op->oflags = (uint16_t)((oflag >> 12) & 0xfff);
	if (acc == O_RDONLY || acc == O_RDWR)
		op->rights_base |= __WASI_RIGHTS_FD_READ;
	if (acc == O_WRONLY || acc == O_RDWR)
		op->rights_base |= __WASI_RIGHTS_FD_WRITE;
	op->rights_base |= __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL |
	                   __WASI_RIGHTS_FD_FILESTAT_GET |
	                   __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS |
	                   __WASI_RIGHTS_POLL_FD_READWRITE;
	op->rights_inheriting = op->rights_base;
	op->fdflags = (uint16_t)(oflag & 0x1f);
	return 0;
}

int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *fa,
                                         const char *path)
{
	return sdk_fa_path(fa, 3, path) ? 0 : ENOMEM;
}

int posix_spawnattr_init(posix_spawnattr_t *attr)
{
	memset(attr, 0, sizeof *attr);
	return 0;
}

int posix_spawnattr_destroy(posix_spawnattr_t *attr)
{
	(void)attr;
	return 0;
}

int posix_spawnattr_setflags(posix_spawnattr_t *attr, short flags)
{
	attr->flags = flags;
	return 0;
}

int posix_spawnattr_setsigdefault(posix_spawnattr_t *attr, const sigset_t *set)
{
	attr->sigdefault = *set;
	return 0;
}

/* The common part of posix_spawn and posix_spawnp. */
static int sdk_spawn(pid_t *pid, const char *file,
                     const posix_spawn_file_actions_t *fa,
                     const posix_spawnattr_t *attr, char *const argv[],
                     char *const envp[], int search)
{
	wasix_signal_disposition_t sd[64];
	const char *path = search ? getenv("PATH") : NULL;
	char *const *env = envp ? envp : environ;
	size_t nsd = 0;
	uint32_t child = 0;
	int32_t err;

	for (int s = 1; attr && (attr->flags & POSIX_SPAWN_SETSIGDEF) && s < 64;
	     s++)
		if (sigismember(&attr->sigdefault, s) == 1) {
			sd[nsd].sig = (uint8_t)s;
			sd[nsd++].disp = 0;
		}
	err = wasix_proc_spawn3(file, strlen(file), (const char *const *)argv,
	                        __wasix_vec_len(argv), (const char *const *)env,
	                        __wasix_vec_len(env), fa ? fa->ops : NULL,
	                        fa ? (size_t)fa->n : 0, sd, nsd, search, path,
	                        path ? strlen(path) : 0, &child);
	if (err == 0 && pid != NULL)
		*pid = (pid_t)child;
	return err;
}

int posix_spawn(pid_t *pid, const char *path,
                const posix_spawn_file_actions_t *fa,
                const posix_spawnattr_t *attr, char *const argv[],
                char *const envp[])
{
	return sdk_spawn(pid, path, fa, attr, argv, envp, 0);
}

int posix_spawnp(pid_t *pid, const char *file,
                 const posix_spawn_file_actions_t *fa,
                 const posix_spawnattr_t *attr, char *const argv[],
                 char *const envp[])
{
	return sdk_spawn(pid, file, fa, attr, argv, envp, 1);
}
