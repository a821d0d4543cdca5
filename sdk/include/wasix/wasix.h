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

/* ---- networking (docs/networking.md) ----------------------------------- */

/* addr_port: tag (1 INET4, 2 INET6, 3 UNIX), port in host order, then the
 * address bytes in network order; INET6 flow info and scope id follow as
 * high/low u16 pairs. 110 bytes, align 2. */
typedef struct {
	uint8_t tag;
	uint8_t pad;
	uint16_t port;
	uint8_t addr[16];
	uint16_t flow_hi, flow_lo, scope_hi, scope_lo;
	uint8_t rest[82];
} wasix_addr_port_t;

/* addr_ip (resolve's output): tag, then 16 address bytes. */
typedef struct {
	uint8_t tag;
	uint8_t pad;
	uint8_t addr[16];
} wasix_addr_ip_t;

typedef struct {
	uint8_t tag; /* 0 NONE, 1 SOME */
	uint64_t ns;
} wasix_option_timestamp_t;

/* epoll_event: events @0, data {ptr @8, fd @12, data1 @16, data2 @24}. */
typedef struct {
	uint32_t events; /* bits: IN 1, OUT 2, RDHUP 4, PRI 8, ERR 16, HUP 32,
	                    ET 64, ONESHOT 128 */
	uint32_t pad0;
	uint32_t ptr, fd, data1;
	uint32_t pad1;
	uint64_t data2;
} wasix_epoll_event_t;

_Static_assert(sizeof(wasix_addr_port_t) == 110, "addr_port layout");
_Static_assert(sizeof(wasix_addr_ip_t) == 18, "addr_ip layout");
_Static_assert(sizeof(wasix_option_timestamp_t) == 16, "option_ts layout");
_Static_assert(sizeof(wasix_epoll_event_t) == 32, "epoll_event layout");

#define WASIX_AF_INET4 1
#define WASIX_AF_INET6 2
#define WASIX_AF_UNIX  3
#define WASIX_SOCK_STREAM 1
#define WASIX_SOCK_DGRAM  2
#define WASIX_EPOLL_CTL_ADD 0
#define WASIX_EPOLL_CTL_MOD 1
#define WASIX_EPOLL_CTL_DEL 2

WASIX_IMPORT("sock_open")
int32_t wasix_sock_open(uint32_t af, uint32_t type, uint32_t proto,
                        uint32_t *fd);
WASIX_IMPORT("sock_pair")
int32_t wasix_sock_pair(uint32_t af, uint32_t type, uint32_t proto,
                        uint32_t *fd1, uint32_t *fd2);
WASIX_IMPORT("sock_bind")
int32_t wasix_sock_bind(uint32_t fd, const wasix_addr_port_t *addr);
WASIX_IMPORT("sock_listen") int32_t wasix_sock_listen(uint32_t fd, uint32_t n);
WASIX_IMPORT("sock_accept_v2")
int32_t wasix_sock_accept_v2(uint32_t fd, uint32_t fdflags, uint32_t *nfd,
                             wasix_addr_port_t *addr);
WASIX_IMPORT("sock_connect")
int32_t wasix_sock_connect(uint32_t fd, const wasix_addr_port_t *addr);
WASIX_IMPORT("sock_recv_from")
int32_t wasix_sock_recv_from(uint32_t fd, const void *iovs, size_t niovs,
                             uint32_t riflags, uint32_t *len,
                             uint16_t *roflags, wasix_addr_port_t *addr);
WASIX_IMPORT("sock_send_to")
int32_t wasix_sock_send_to(uint32_t fd, const void *iovs, size_t niovs,
                           uint32_t siflags, const wasix_addr_port_t *addr,
                           uint32_t *len);
WASIX_IMPORT("sock_addr_local")
int32_t wasix_sock_addr_local(uint32_t fd, wasix_addr_port_t *addr);
WASIX_IMPORT("sock_addr_peer")
int32_t wasix_sock_addr_peer(uint32_t fd, wasix_addr_port_t *addr);
WASIX_IMPORT("sock_set_opt_flag")
int32_t wasix_sock_set_opt_flag(uint32_t fd, uint32_t opt, uint32_t on);
WASIX_IMPORT("sock_get_opt_flag")
int32_t wasix_sock_get_opt_flag(uint32_t fd, uint32_t opt, uint8_t *on);
WASIX_IMPORT("sock_set_opt_time")
int32_t wasix_sock_set_opt_time(uint32_t fd, uint32_t opt,
                                const wasix_option_timestamp_t *t);
WASIX_IMPORT("sock_get_opt_time")
int32_t wasix_sock_get_opt_time(uint32_t fd, uint32_t opt,
                                wasix_option_timestamp_t *t);
WASIX_IMPORT("sock_set_opt_size")
int32_t wasix_sock_set_opt_size(uint32_t fd, uint32_t opt, uint64_t v);
WASIX_IMPORT("sock_get_opt_size")
int32_t wasix_sock_get_opt_size(uint32_t fd, uint32_t opt, uint64_t *v);
WASIX_IMPORT("sock_join_multicast_v4")
int32_t wasix_sock_join_multicast_v4(uint32_t fd, const void *group4,
                                     const void *iface4);
WASIX_IMPORT("sock_leave_multicast_v4")
int32_t wasix_sock_leave_multicast_v4(uint32_t fd, const void *group4,
                                      const void *iface4);
WASIX_IMPORT("sock_join_multicast_v6")
int32_t wasix_sock_join_multicast_v6(uint32_t fd, const void *group6,
                                     uint32_t iface);
WASIX_IMPORT("sock_leave_multicast_v6")
int32_t wasix_sock_leave_multicast_v6(uint32_t fd, const void *group6,
                                      uint32_t iface);
WASIX_IMPORT("sock_send_file")
int32_t wasix_sock_send_file(uint32_t out, uint32_t in, uint64_t off,
                             uint64_t count, uint64_t *sent);
WASIX_IMPORT("resolve")
int32_t wasix_resolve(const char *host, size_t len, uint32_t port,
                      wasix_addr_ip_t *addrs, uint32_t n, uint32_t *count);
WASIX_IMPORT("epoll_create") int32_t wasix_epoll_create(uint32_t *fd);
WASIX_IMPORT("epoll_ctl")
int32_t wasix_epoll_ctl(uint32_t epfd, uint32_t op, uint32_t fd,
                        const wasix_epoll_event_t *ev);
WASIX_IMPORT("epoll_wait")
int32_t wasix_epoll_wait(uint32_t epfd, wasix_epoll_event_t *ev, uint32_t max,
                         uint64_t timeout_ns, uint32_t *n);
WASIX_IMPORT("fd_event")
int32_t wasix_fd_event(uint64_t initial, uint32_t flags, uint32_t *fd);

#endif
