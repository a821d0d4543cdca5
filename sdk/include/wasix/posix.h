/*
 * wasix/posix.h: the POSIX process calls that the wasmix SDK adds to
 * Debian's wasi-libc (which declares none of them): fork, exec, wait,
 * pipes, dup, signals, alarm, posix_spawn. Implemented in libwasix.a over
 * the WASIX imports of wasix/wasix.h. wasmix-cc includes this header in
 * every file; <sys/wait.h> and <spawn.h> in sdk/include include it too.
 *
 * Errors follow POSIX: -1 (or an error number for posix_spawn) with errno
 * set; WASI errno values are wasi-libc's errno values.
 */
#ifndef WASIX_POSIX_H
#define WASIX_POSIX_H

/*
 * wasi-libc's sigset_t is a one-byte placeholder, too small for signals
 * above 8. The SDK replaces it with 64 bits (signal n is bit n - 1) before
 * <signal.h> is first read; wasi-libc's own functions never look inside.
 */
#ifndef __wasilibc___typedef_sigset_t_h
#define sigset_t __wasilibc_placeholder_sigset_t
#include <__typedef_sigset_t.h>
#undef sigset_t
typedef struct {
	unsigned long long __bits;
} sigset_t;
#define __DEFINED_sigset_t
#endif

#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/time.h>
#include <sys/types.h>
#include <wasix/net.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * wasi-libc defines chdir and fcntl itself; programs built with the SDK
 * call the SDK's versions instead (they keep the runtime's cwd in step
 * and add F_GETFD/F_SETFD/F_DUPFD*), which then call wasi-libc's.
 */
#ifndef WASIX_SDK_INTERNAL
#define chdir __wasix_chdir
#define fcntl __wasix_fcntl
#endif
int __wasix_chdir(const char *path);
int __wasix_fcntl(int fd, int cmd, ...);
/* wasi-libc's <fcntl.h> names F_DUPFD_CLOEXEC but not F_DUPFD. */
#ifndef F_DUPFD
#define F_DUPFD 0
#endif

/* <unistd.h> */
pid_t fork(void);
pid_t vfork(void);
int execve(const char *path, char *const argv[], char *const envp[]);
int execv(const char *path, char *const argv[]);
int execvp(const char *file, char *const argv[]);
int execvpe(const char *file, char *const argv[], char *const envp[]);
/* The list forms: arguments up to a (char *)0; execle's envp follows it. */
int execl(const char *path, const char *arg0, ...);
int execlp(const char *file, const char *arg0, ...);
int execle(const char *path, const char *arg0, ...);
pid_t getpid(void);
pid_t getppid(void);
/* The run's processes form one group, led by the first process (the one
 * whose parent is 0); ids are 0 (root), as under wasix-libc. */
pid_t getpgrp(void);
uid_t getuid(void);
uid_t geteuid(void);
gid_t getgid(void);
gid_t getegid(void);
int pipe(int fds[2]);
int pipe2(int fds[2], int flags);
int dup(int fd);
int dup2(int from, int to);
int dup3(int from, int to, int flags);
unsigned alarm(unsigned seconds);
int pause(void);

/* <sys/time.h>: interval timers (wasi-libc hides them). ITIMER_REAL
 * only; the others fail with EINVAL. getitimer reads the timer by
 * setting it again to what it held. */
#ifndef ITIMER_REAL
#define ITIMER_REAL    0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF    2
struct itimerval {
	struct timeval it_interval;
	struct timeval it_value;
};
#endif
int setitimer(int which, const struct itimerval *__restrict nw,
              struct itimerval *__restrict old);
int getitimer(int which, struct itimerval *cur);

/* <sys/wait.h> (W* macros come from wasi-libc's <stdlib.h>) */
#ifndef WNOHANG
#define WNOHANG 1
#endif
#ifndef WEXITSTATUS
#define WEXITSTATUS(s) (((s)&0xff00) >> 8)
#define WTERMSIG(s)    ((s)&0x7f)
#define WSTOPSIG(s)    WEXITSTATUS(s)
#define WIFEXITED(s)   (!WTERMSIG(s))
#define WIFSTOPPED(s)  ((short)((((s)&0xffff) * 0x10001) >> 8) > 0x7f00)
#define WIFSIGNALED(s) (((s)&0xffff) - 1U < 0xffu)
#endif
pid_t waitpid(pid_t pid, int *status, int options);
pid_t wait(int *status);

/* <signal.h>: wasi-libc hides struct sigaction; this is the SDK's. */
typedef void (*sighandler_t)(int);
struct sigaction {
	sighandler_t sa_handler;
	sigset_t sa_mask;
	int sa_flags;
};
#ifndef SA_RESTART
#define SA_NOCLDSTOP 1
#define SA_SIGINFO   4
#define SA_ONSTACK   0x08000000
#define SA_RESTART   0x10000000
#define SA_NODEFER   0x40000000
#define SA_RESETHAND 0x80000000
#endif
sighandler_t signal(int sig, sighandler_t handler);
int raise(int sig);
int kill(pid_t pid, int sig);
int sigaction(int sig, const struct sigaction *act, struct sigaction *old);
int sigemptyset(sigset_t *set);
int sigfillset(sigset_t *set);
int sigaddset(sigset_t *set, int sig);
int sigdelset(sigset_t *set, int sig);
int sigismember(const sigset_t *set, int sig);
#ifndef SIG_BLOCK
#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#endif
/* Masks are the SDK's, process-wide (pthread_sigmask sets the same one);
 * a blocked signal stays pending until unblocked (sdk/README.md). */
int sigprocmask(int how, const sigset_t *__restrict set,
                sigset_t *__restrict old);
int pthread_sigmask(int how, const sigset_t *__restrict set,
                    sigset_t *__restrict old);
int sigpending(sigset_t *set);
int sigsuspend(const sigset_t *mask);

/* <stdio.h>, <stdlib.h>: run "sh -c CMD" (sh found through PATH). */
struct _IO_FILE;
struct _IO_FILE *popen(const char *cmd, const char *mode);
int pclose(struct _IO_FILE *f);
int system(const char *cmd);

/* <spawn.h> */
#define POSIX_SPAWN_SETSIGDEF  4
#define POSIX_SPAWN_SETSIGMASK 8

typedef struct {
	int flags;
	sigset_t sigdefault;
} posix_spawnattr_t;

typedef struct {
	int n, cap;
	void *ops; /* wasix_spawn_fd_op_t[cap] and their paths */
} posix_spawn_file_actions_t;

int posix_spawn(pid_t *pid, const char *path,
                const posix_spawn_file_actions_t *fa,
                const posix_spawnattr_t *attr, char *const argv[],
                char *const envp[]);
int posix_spawnp(pid_t *pid, const char *file,
                 const posix_spawn_file_actions_t *fa,
                 const posix_spawnattr_t *attr, char *const argv[],
                 char *const envp[]);
int posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa);
int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa);
int posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *fa, int fd);
int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *fa, int from,
                                     int to);
int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *fa, int fd,
                                     const char *path, int oflag, mode_t mode);
int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *fa,
                                         const char *path);
int posix_spawnattr_init(posix_spawnattr_t *attr);
int posix_spawnattr_destroy(posix_spawnattr_t *attr);
int posix_spawnattr_setflags(posix_spawnattr_t *attr, short flags);
int posix_spawnattr_setsigdefault(posix_spawnattr_t *attr, const sigset_t *set);

#ifdef __cplusplus
}
#endif

#endif
