/*
 * wasix/wasix.h: raw WASIX imports (module "wasix_32v1") used by the
 * wasmix SDK, with the ABI layouts of shared/spec/wasix-process.md.
 *
 * Every function returns a WASI errno (0 on success), which has the same
 * value as wasi-libc's errno constants. Strings are (pointer, length)
 * pairs; lists of strings for exec/spawn are joined with '\n' after every
 * entry. Programs normally use the POSIX layer (wasix/posix.h) instead.
 */
#ifndef WASIX_WASIX_H
#define WASIX_WASIX_H

#include <stddef.h>
#include <stdint.h>

#define WASIX_IMPORT(name)                                                     \
	__attribute__((import_module("wasix_32v1"), import_name(name)))

typedef struct {
	uint8_t tag; /* 0 NONE, 1 SOME */
	uint32_t pid;
} wasix_option_pid_t;

typedef struct {
	uint8_t tag; /* 0 NOTHING, 1 EXIT_NORMAL, 2 EXIT_SIGNAL, 3 STOPPED */
	uint16_t code;
	uint8_t signal;
} wasix_join_status_t;

_Static_assert(sizeof(wasix_option_pid_t) == 8, "option_pid layout");
_Static_assert(sizeof(wasix_join_status_t) == 6, "join_status layout");

#define WASIX_JOIN_NON_BLOCKING 1u

typedef struct {
	uint8_t cmd; /* CLOSE 0, DUP2 1, OPEN 2, CHDIR 3, FCHDIR 4 */
	uint32_t fd;
	uint32_t src_fd;
	const char *path;
	uint32_t path_len;
	uint32_t dirflags;
	uint16_t oflags;
	uint64_t rights_base;
	uint64_t rights_inheriting;
	uint16_t fdflags;
	uint16_t fdflagsext;
} wasix_spawn_fd_op_t;

_Static_assert(sizeof(wasix_spawn_fd_op_t) == 56, "fd_op layout");

typedef struct {
	uint8_t sig;
	uint8_t disp; /* DEFAULT 0, IGNORE 1 */
} wasix_signal_disposition_t;

typedef struct {
	uint64_t tv_sec;
	uint64_t tv_usec;
} wasix_timeval_t;

typedef struct {
	wasix_timeval_t it_interval;
	wasix_timeval_t it_value;
} wasix_itimerval_t;

WASIX_IMPORT("proc_fork")
int32_t wasix_proc_fork(int32_t copy_memory, uint32_t *pid);
WASIX_IMPORT("proc_fork_env") int32_t wasix_proc_fork_env(uint32_t *pid);
WASIX_IMPORT("proc_exit2") void wasix_proc_exit2(int32_t code);
WASIX_IMPORT("proc_exec3")
int32_t wasix_proc_exec3(const char *name, size_t name_len, const char *args,
                         size_t args_len, const char *envs, size_t envs_len,
                         int32_t search_path, const char *path,
                         size_t path_len);
WASIX_IMPORT("proc_spawn2")
int32_t wasix_proc_spawn2(const char *name, size_t name_len, const char *args,
                          size_t args_len, const char *envs, size_t envs_len,
                          const wasix_spawn_fd_op_t *fd_ops, size_t n_fd_ops,
                          const wasix_signal_disposition_t *sig_disps,
                          size_t n_sig_disps, int32_t search_path,
                          const char *path, size_t path_len, uint32_t *pid);
WASIX_IMPORT("proc_exec4")
int32_t wasix_proc_exec4(const char *name, size_t name_len,
                         const char *const *argv, size_t argc,
                         const char *const *envp, size_t envc,
                         int32_t search_path, const char *path,
                         size_t path_len);
WASIX_IMPORT("proc_spawn3")
int32_t wasix_proc_spawn3(const char *name, size_t name_len,
                          const char *const *argv, size_t argc,
                          const char *const *envp, size_t envc,
                          const wasix_spawn_fd_op_t *fd_ops, size_t n_fd_ops,
                          const wasix_signal_disposition_t *sig_disps,
                          size_t n_sig_disps, int32_t search_path,
                          const char *path, size_t path_len, uint32_t *pid);
WASIX_IMPORT("proc_join")
int32_t wasix_proc_join(wasix_option_pid_t *pid, uint32_t flags,
                        wasix_join_status_t *status);
WASIX_IMPORT("proc_id") int32_t wasix_proc_id(uint32_t *pid);
WASIX_IMPORT("proc_parent")
int32_t wasix_proc_parent(uint32_t pid, uint32_t *ppid);
WASIX_IMPORT("proc_signal")
int32_t wasix_proc_signal(uint32_t pid, int32_t sig);
WASIX_IMPORT("proc_raise") int32_t wasix_proc_raise(int32_t sig);
WASIX_IMPORT("callback_signal")
void wasix_callback_signal(const char *name, size_t len);
WASIX_IMPORT("proc_raise_interval2")
int32_t wasix_proc_raise_interval2(int32_t sig, const wasix_itimerval_t *nw,
                                   wasix_itimerval_t *old);
WASIX_IMPORT("fd_pipe") int32_t wasix_fd_pipe(uint32_t *rd, uint32_t *wr);
WASIX_IMPORT("fd_dup") int32_t wasix_fd_dup(uint32_t fd, uint32_t *nfd);
WASIX_IMPORT("fd_dup2")
int32_t wasix_fd_dup2(uint32_t fd, uint32_t min_fd, int32_t cloexec,
                      uint32_t *nfd);
WASIX_IMPORT("fd_fdflags_get")
int32_t wasix_fd_fdflags_get(uint32_t fd, uint16_t *flags);
WASIX_IMPORT("fd_fdflags_set")
int32_t wasix_fd_fdflags_set(uint32_t fd, uint16_t flags);
WASIX_IMPORT("path_open2")
int32_t wasix_path_open2(uint32_t dirfd, uint32_t dirflags, const char *path,
                         size_t path_len, uint16_t oflags, uint64_t rights_base,
                         uint64_t rights_inheriting, uint16_t fdflags,
                         uint16_t fdflagsext, uint32_t *fd);
WASIX_IMPORT("proc_signals_sizes_get")
int32_t wasix_proc_signals_sizes_get(uint32_t *count);
WASIX_IMPORT("proc_signals_get") int32_t wasix_proc_signals_get(uint8_t *buf);
WASIX_IMPORT("tty_get") int32_t wasix_tty_get(uint8_t tty[24]);
WASIX_IMPORT("chdir") int32_t wasix_chdir(const char *path, size_t len);
WASIX_IMPORT("getcwd") int32_t wasix_getcwd(char *buf, uint32_t *len);

#endif
