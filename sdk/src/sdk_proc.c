/*
 * sdk_proc.c: fork, vfork, the exec family, waitpid/wait and pids over
 * WASIX (wasix/wasix.h).
 *
 * exec: argv and envp go as pointer arrays (proc_exec4), so arguments may
 * hold '\n'. A NULL envp passes the caller's environment ('environ'). On
 * success exec does not return; on failure nothing changed and errno says
 * why. The list forms (execl, execlp, execle) gather their arguments into
 * an argv array on the heap, freed again when the exec fails.
 *
 * getpgrp follows proc_parent up to the process whose parent is 0; the
 * user and group ids are 0.
 *
 * wait status encoding is musl's (wasi-libc's <stdlib.h> W* macros): an
 * exit is code << 8, a signal death the signal number.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wasix/posix.h>
#include <wasix/wasix.h>

extern char **environ;

pid_t fork(void)
{
	uint32_t pid = 0;
	int32_t err = wasix_proc_fork(1, &pid);

	if (err != 0) {
		errno = err;
		return -1;
	}
	return (pid_t)pid;
}

pid_t vfork(void)
{
	uint32_t pid = 0;
	int32_t err = wasix_proc_fork(0, &pid);

	if (err != 0) {
		errno = err;
		return -1;
	}
	return (pid_t)pid;
}

/* The number of entries of a NULL-terminated vector. */
size_t __wasix_vec_len(char *const v[]);
size_t __wasix_vec_len(char *const v[])
{
	size_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

/* exec with an optional PATH search; returns -1 with errno. */
static int sdk_exec(const char *file, char *const argv[], char *const envp[],
                    int search)
{
	const char *path = search ? getenv("PATH") : NULL;
	char *const *env = envp ? envp : environ;

	errno = wasix_proc_exec4(file, strlen(file), (const char *const *)argv,
	                         __wasix_vec_len(argv),
	                         (const char *const *)env, __wasix_vec_len(env),
	                         search, path, path ? strlen(path) : 0);
	return -1;
}

int execve(const char *path, char *const argv[], char *const envp[])
{
	return sdk_exec(path, argv, envp, 0);
}

int execv(const char *path, char *const argv[])
{
	return sdk_exec(path, argv, NULL, 0);
}

int execvp(const char *file, char *const argv[])
{
	return sdk_exec(file, argv, NULL, 1);
}

int execvpe(const char *file, char *const argv[], char *const envp[])
{
	return sdk_exec(file, argv, envp, 1);
}

/* exec_list: execs FILE with the arguments ARG0, then those of AP up to
 * a null pointer; with WITH_ENV the pointer after that is envp. */
static int exec_list(const char *file, const char *arg0, va_list ap,
                     int with_env, int search)
{
	va_list count;
	size_t n = 1;
	char **argv;
	char *const *envp = NULL;
	int err;

	va_copy(count, ap);
	if (arg0 != NULL)
		while (va_arg(count, const char *) != NULL)
			n++;
	va_end(count);
	argv = malloc((n + 1) * sizeof *argv);
	if (argv == NULL) {
		errno = ENOMEM;
		return -1;
	}
	argv[0] = (char *)arg0;
	for (size_t i = 1; i <= n; i++)
		argv[i] = arg0 == NULL ? NULL : va_arg(ap, char *);
	argv[n] = NULL;
	if (with_env)
		envp = va_arg(ap, char *const *);
	sdk_exec(file, argv, envp, search);
	err = errno;
	free(argv);
	errno = err;
	return -1;
}

int execl(const char *path, const char *arg0, ...)
{
	va_list ap;
	int rc;

	va_start(ap, arg0);
	rc = exec_list(path, arg0, ap, 0, 0);
	va_end(ap);
	return rc;
}

int execlp(const char *file, const char *arg0, ...)
{
	va_list ap;
	int rc;

	va_start(ap, arg0);
	rc = exec_list(file, arg0, ap, 0, 1);
	va_end(ap);
	return rc;
}

int execle(const char *path, const char *arg0, ...)
{
	va_list ap;
	int rc;

	va_start(ap, arg0);
	rc = exec_list(path, arg0, ap, 1, 0);
	va_end(ap);
	return rc;
}

pid_t waitpid(pid_t pid, int *status, int options)
{
	wasix_option_pid_t opt = {0, 0};
	wasix_join_status_t st;
	int32_t err;

	if (pid < -1 || pid == 0) {
		errno = EINVAL; /* process groups: not yet */
		return -1;
	}
	if (pid > 0) {
		opt.tag = 1;
		opt.pid = (uint32_t)pid;
	}
	do
		err = wasix_proc_join(&opt, (options & WNOHANG) ? 1u : 0u, &st);
	while (err == EINTR);
	if (err != 0) {
		errno = err;
		return -1;
	}
	if (st.tag == 0)
		return 0;
	if (status != NULL)
		*status = st.tag == 2 ? st.signal : (st.code & 0xff) << 8;
	return (pid_t)opt.pid;
}

pid_t wait(int *status)
{
	return waitpid(-1, status, 0);
}

pid_t getpid(void)
{
	uint32_t pid = 0;

	wasix_proc_id(&pid);
	return (pid_t)pid;
}

pid_t getppid(void)
{
	uint32_t pid = 0, ppid = 0;

	wasix_proc_id(&pid);
	wasix_proc_parent(pid, &ppid);
	return (pid_t)ppid;
}

pid_t getpgrp(void)
{
	uint32_t pid = 0, ppid = 0;

	wasix_proc_id(&pid);
	while (wasix_proc_parent(pid, &ppid) == 0 && ppid != 0 && ppid != pid)
		pid = ppid;
	return (pid_t)pid;
}

uid_t getuid(void)
{
	return 0;
}

uid_t geteuid(void)
{
	return 0;
}

gid_t getgid(void)
{
	return 0;
}

gid_t getegid(void)
{
	return 0;
}
