/*
 * wasix_impl.h: what the wasix_*.c files share and nobody else includes:
 * the context layout and the host functions that wasix_table.c names.
 *
 * Host function convention: as wasi's (wasi_impl.h): write the errno into
 * results[0] and return 0; proc_exit2 and a committed exec return
 * WX_EEXIT. Every function first calls wasix_enter, which delivers
 * pending signals to the guest callback (a safe point: the VM allows a
 * host function to call back into wasm).
 */
#ifndef WASMIX_WASIX_IMPL_H
#define WASMIX_WASIX_IMPL_H

#include "proc/proc.h"
#include "wasi/wasi_impl.h"
#include "wasix/wasix.h"
#include "wasix/wasix_abi.h"

#define WASIX_MAX_CMDS    256
#define WASIX_MAX_SIGDISP 64

struct wasix_cmd {
	char *name;
	char *host_file;
};

struct wasix_ctx;
struct wasix_thunk {
	struct wasix_ctx *x;
	vm_host_fn fn;
};

struct wasix_ctx {
	struct wasi_ctx *w;
	struct wasix_exec_ops ops;
	volatile sig_atomic_t *interrupt;
	struct vm_store *store;
	struct vm_instance *inst;
	struct vm_func *callback;   /* guest signal handler, or NULL */
	char cwd[VFS_PATH_MAX + 1]; /* absolute guest path, "/" at start */
	struct wasix_cmd *cmds;
	uint32_t ncmds;
	uint8_t sigdisp[WASIX_MAX_SIGDISP][2]; /* set by the spawner */
	uint32_t nsigdisp;
	void *exec_prog;   /* committed exec, for the run loop */
	int notify_fd;     /* vfork / spawn: closed at exec, in forks; -1 */
	bool delivering;   /* inside the signal callback */
	const int *sticky; /* wasix_set_sticky, or NULL */
	int trace_fd;      /* wasix_set_trace: -1, or the trace's host fd */
	/* Inside proc_fork_env: the parent's fd table and cwd, kept aside. */
	bool env_active;
	struct vfs_table env_fds;
	char env_cwd[VFS_PATH_MAX + 1];
	struct wasix_net_policy net; /* wasix_set_net; zero: deny */
	struct dl_linker *dl; /* wasix_set_linker; NULL: not dynamic */
	/* By row of wasi_imports.def. */
	struct wasix_thunk thunks[WASI_NIMPORTS];
};

/*
 * Delivers pending signals (see wasix_impl.h's header). 0, WX_EEXIT, or
 * WASI_RESTART when every signal delivered restarts calls (wasi.h: an
 * interrupted call runs again; before a call it means 0).
 */
int wasix_enter(struct vm_call *c, struct wasix_ctx *x);

/*
 * A dynamic program's thread that lacks the thread-local block of a
 * library another thread dlopen'd since its last call gets it now (dl.h,
 * dl_thread_catch_up): at the entry of every WASI and WASIX call and
 * the end of every WASIX call. 0, WX_EEXIT, or a trap.
 */
int wasix_dl_catch_up(struct vm_call *c, struct wasix_ctx *x);

/*
 * The WASI enter hook (wasi_set_enter_hook, 'ud' the wasix_ctx):
 * wasix_enter, except that it returns WASI_HANDLED instead of 0 when a
 * guest handler ran and the call is not to run again (wasi.h).
 */
int wasix_enter_hook(struct vm_call *c, void *ud);

/* The guest string (ptr, len) at args[i], args[i+1], copied and
 * NUL-terminated into 'buf' of 'cap' bytes. ESUCCESS, EFAULT, EINVAL
 * (a NUL inside) or ENAMETOOLONG. */
uint32_t wasix_str(struct vm_call *c, unsigned i, char *buf, size_t cap);

/*
 * Opens guest path 'path' (absolute, or relative to the cwd) beneath the
 * preopen that holds it, with host 'oflags'. Returns ESUCCESS with
 * '*hfd' owned by the caller, or a WASI errno.
 */
uint32_t wasix_open_path(struct wasix_ctx *x, const char *path, int oflags,
                         int *hfd);

/* Makes 'path' absolute and normalised (no ".", "..", "//") into 'out'. */
uint32_t wasix_abspath(const struct wasix_ctx *x, const char *path,
                       char out[VFS_PATH_MAX + 1]);

/* wasix_proc.c */
int wasix_proc_fork(struct vm_call *c, void *ud);
int wasix_proc_fork_env(struct vm_call *c, void *ud);

/*
 * Leaves the proc_fork_env child state in the process that is the parent
 * again: the child's fd table is dropped, the parent's table and cwd come
 * back.
 */
void wasix_env_restore(struct wasix_ctx *x);

/* In the host child of a proc_fork_env exec: drops the parent's state. */
void wasix_env_forget(struct wasix_ctx *x);
int wasix_proc_exit2(struct vm_call *c, void *ud);
int wasix_proc_join(struct vm_call *c, void *ud);
int wasix_proc_id(struct vm_call *c, void *ud);
int wasix_proc_parent(struct vm_call *c, void *ud);
int wasix_proc_signal(struct vm_call *c, void *ud);
int wasix_proc_raise(struct vm_call *c, void *ud);
int wasix_thread_signal(struct vm_call *c, void *ud);
int wasix_callback_signal(struct vm_call *c, void *ud);
int wasix_proc_raise_interval(struct vm_call *c, void *ud);
int wasix_proc_raise_interval2(struct vm_call *c, void *ud);
int wasix_proc_signals_sizes_get(struct vm_call *c, void *ud);
int wasix_proc_signals_get(struct vm_call *c, void *ud);

/* wasix_stack.c */
int wasix_stack_checkpoint(struct vm_call *c, void *ud);
int wasix_stack_restore(struct vm_call *c, void *ud);

/* wasix_fd.c */
int wasix_fd_pipe(struct vm_call *c, void *ud);
int wasix_fd_dup(struct vm_call *c, void *ud);
int wasix_fd_dup2(struct vm_call *c, void *ud);
int wasix_fd_fdflags_get(struct vm_call *c, void *ud);
int wasix_fd_fdflags_set(struct vm_call *c, void *ud);
int wasix_chdir(struct vm_call *c, void *ud);
int wasix_getcwd(struct vm_call *c, void *ud);
int wasix_tty_get(struct vm_call *c, void *ud);
int wasix_tty_set(struct vm_call *c, void *ud);
int wasix_path_open2(struct vm_call *c, void *ud);
int wasix_fd_renumber(struct vm_call *c, void *ud);

/* wasix_fd.c: installs entry 'e' (taken over: released on failure) at the
 * lowest free guest fd, '*fd'. A WASI errno (EMFILE, ENOMEM, ...). */
uint32_t wasix_install(struct wasix_ctx *x, struct vfs_entry *e, uint32_t *fd);

/* wasix_net.c: the policy, guest socket addresses, resolve. */
struct sockaddr;
struct sockaddr_storage;

/* Whether the policy lets a guest open IP sockets at all. */
bool wasix_net_any(const struct wasix_ctx *x);

/* ESUCCESS if the policy allows 'op' (WASIX_NET_*) to 'sa', else EACCES. */
uint32_t wasix_net_check(const struct wasix_ctx *x, uint8_t op,
                         const struct sockaddr *sa);

/*
 * Reads the guest addr_port at 'ptr' (once) into '*ss' and '*len'.
 * ESUCCESS, EFAULT, or EAFNOSUPPORT (not IPv4 or IPv6).
 */
uint32_t wasix_addr_get(struct vm_call *c, uint64_t ptr,
                        struct sockaddr_storage *ss, uint32_t *len);

/* Writes 'sa' ('len' bytes) as a guest addr_port at 'ptr'. ESUCCESS or
 * EFAULT. */
uint32_t wasix_addr_put(struct vm_call *c, uint64_t ptr,
                        const struct sockaddr *sa, uint32_t len);

int wasix_net_resolve(struct vm_call *c, void *ud);

/* wasix_sock.c */
int wasix_sock_open(struct vm_call *c, void *ud);
int wasix_sock_pair(struct vm_call *c, void *ud);
int wasix_sock_bind(struct vm_call *c, void *ud);
int wasix_sock_listen(struct vm_call *c, void *ud);
int wasix_sock_accept_v2(struct vm_call *c, void *ud);
int wasix_sock_connect(struct vm_call *c, void *ud);
int wasix_sock_recv_from(struct vm_call *c, void *ud);
int wasix_sock_send_to(struct vm_call *c, void *ud);
int wasix_sock_status(struct vm_call *c, void *ud);
int wasix_sock_addr_local(struct vm_call *c, void *ud);
int wasix_sock_addr_peer(struct vm_call *c, void *ud);
int wasix_sock_set_opt_flag(struct vm_call *c, void *ud);
int wasix_sock_get_opt_flag(struct vm_call *c, void *ud);
int wasix_sock_set_opt_time(struct vm_call *c, void *ud);
int wasix_sock_get_opt_time(struct vm_call *c, void *ud);
int wasix_sock_set_opt_size(struct vm_call *c, void *ud);
int wasix_sock_get_opt_size(struct vm_call *c, void *ud);
int wasix_sock_join_multicast_v4(struct vm_call *c, void *ud);
int wasix_sock_leave_multicast_v4(struct vm_call *c, void *ud);
int wasix_sock_join_multicast_v6(struct vm_call *c, void *ud);
int wasix_sock_leave_multicast_v6(struct vm_call *c, void *ud);
int wasix_sock_send_file(struct vm_call *c, void *ud);

/* wasix_epoll.c */
int wasix_epoll_create(struct vm_call *c, void *ud);
int wasix_epoll_ctl(struct vm_call *c, void *ud);
int wasix_epoll_wait(struct vm_call *c, void *ud);
int wasix_fd_event(struct vm_call *c, void *ud);
/* wasix_dl.c */
int wasix_dlopen(struct vm_call *c, void *ud);
int wasix_dlsym(struct vm_call *c, void *ud);
int wasix_dl_invalid_handle(struct vm_call *c, void *ud);

/* wasix_context.c */
int wasix_context_create(struct vm_call *c, void *ud);
int wasix_context_switch(struct vm_call *c, void *ud);
int wasix_context_destroy(struct vm_call *c, void *ud);

/* wasix_ffi.c */
/* The function table the guest's function pointers index: the
 * linker's, else the instance's table 0 (NULL if none). */
struct vm_table *wasix_func_table(struct wasix_ctx *x);
int wasix_call_dynamic(struct vm_call *c, void *ud);
int wasix_reflect_signature(struct vm_call *c, void *ud);
int wasix_closure_allocate(struct vm_call *c, void *ud);
int wasix_closure_prepare(struct vm_call *c, void *ud);
int wasix_closure_free(struct vm_call *c, void *ud);

/* wasix_exec.c */
int wasix_proc_exec(struct vm_call *c, void *ud);
int wasix_proc_exec2(struct vm_call *c, void *ud);
int wasix_proc_exec3(struct vm_call *c, void *ud);
int wasix_proc_exec4(struct vm_call *c, void *ud);
int wasix_proc_spawn2(struct vm_call *c, void *ud);
int wasix_proc_spawn3(struct vm_call *c, void *ud);

#endif
