/*
 * proc.h: the WASIX process model on the host, with no WebAssembly in
 * sight: virtual pids, fork, wait, signals, interval timers, and what
 * exec and spawn decide (PATH search, "#!" lines, file actions).
 *
 * One guest process is one host process. Every host process of one run
 * shares a process table: an anonymous MAP_SHARED mapping made by
 * proc_init in the first process, before any fork, and inherited by every
 * child. It maps a guest pid to the host pid, the parent's guest pid and a
 * state. Its lock is a robust, process-shared pthread mutex inside the
 * mapping, so a process that dies holding it does not wedge the others.
 *
 * Keeps true:
 *  - Guest pids start at 1 (the first program) and are never reused
 *    within a run; a pid is reachable (proc_kill, proc_join, proc_parent)
 *    only while its slot is in the table, so a guest can never signal or
 *    wait for a host process that is not part of its own run.
 *  - A child is reaped exactly once: proc_join calls waitpid, and only the
 *    call that got the status from the kernel frees the slot.
 *  - The host signal handler only sets a pending bit and raises the
 *    interrupt flag given to proc_sig_set_flag; everything else happens at
 *    a safe point chosen by the layer above.
 *
 * Errors: functions return 0 or a positive host errno value.
 * Threads: process-global state; one guest thread per process today.
 */
#ifndef WASMIX_PROC_H
#define WASMIX_PROC_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROC_MAX_PROCS 1024 /* table size: live guest processes, at most */
#define PROC_DEFAULT_MAX_PROCS 256 /* the default process limit */
/* The default cap on the threads of a tree beyond each process's first. */
#define PROC_DEFAULT_MAX_THREADS 1024
/* The default cap on the guest memory of a whole tree: 8 GiB. */
#define PROC_DEFAULT_MAX_MEM ((uint64_t)8 << 30)
#define PROC_NSIG      65   /* signals 1..64 */

/* How a joined child ended (proc_join). */
enum proc_how {
	PROC_NOTHING = 0,  /* NOHANG and nothing finished yet */
	PROC_EXITED = 1,   /* 'code' is the exit status 0..255 */
	PROC_SIGNALED = 2, /* 'code' is the signal that killed it */
};

struct proc_status {
	uint32_t pid; /* guest pid of the child (0 with PROC_NOTHING) */
	uint8_t how;  /* enum proc_how */
	int code;
};

/*
 * Makes the shared table and registers the calling host process as guest
 * pid 1 with no parent, unless this process already has a table (then it
 * does nothing). Must run before the first proc_fork. Returns 0 or ENOMEM.
 */
int proc_init(void);

/*
 * Limits of the whole process tree (like RLIMIT_NPROC, but counted over
 * the run's tree, zombies included): at most 'max_procs' processes (0:
 * PROC_DEFAULT_MAX_PROCS; EINVAL above PROC_MAX_PROCS), and at most
 * 'max_mem' bytes of guest memory charged by all of them together (0:
 * no cap; proc_init's default is PROC_DEFAULT_MAX_MEM). Beyond them
 * proc_fork and proc_env_begin fail with EAGAIN (processes) or ENOMEM
 * (a fork child starts charged with its parent's memory, which it
 * inherits), and proc_mem_charge with ENOMEM; and at most 'max_threads'
 * threads in the tree beyond each process's first (0:
 * PROC_DEFAULT_MAX_THREADS), past which proc_thread_charge fails with
 * EAGAIN. Orphans whose host process is gone stop counting when a limit
 * is reached. Calls proc_init if needed; meant for the first process,
 * before the guest starts. Returns 0, EINVAL or ENOMEM.
 */
int proc_set_limits(uint32_t max_procs, uint64_t max_mem, uint32_t max_threads);

/*
 * Counts 'delta' more threads (negative: fewer) of the calling host
 * process against the tree's thread limit. Returns 0 or EAGAIN (nothing
 * counted). A fork child starts with none (fork copies one thread); a
 * process's count leaves the total when its slot is freed. Thread-safe.
 */
int proc_thread_charge(int delta);

/*
 * Charges 'bytes' of guest memory (negative: releases them) to the
 * calling host process, within the tree's memory limit. Returns 0 or
 * ENOMEM (nothing charged). With no table (proc_init not called) every
 * charge succeeds. Thread-safe.
 */
int proc_mem_charge(int64_t bytes);

/* The guest memory charged by the whole tree, in bytes (tests). */
uint64_t proc_mem_charged(void);

/* Forgets the table in this process (tests; the mapping is unmapped). */
void proc_fini(void);

/* The caller's guest pid (0 before proc_init). */
uint32_t proc_self(void);

/*
 * The parent of 'pid', which must be the caller itself or one of its
 * children still in the table. Returns 0 and sets '*ppid' (0 for the
 * first process), or ESRCH.
 */
int proc_parent(uint32_t pid, uint32_t *ppid);

/*
 * Host fork. Allocates the child's guest pid and registers it before the
 * fork (the table lock is held across fork(), so no child inherits a
 * half-written slot). Returns 0 with '*pid' = the child's guest pid in the
 * parent and 0 in the child; EAGAIN when the process limit is reached or
 * the host cannot fork, ENOMEM when the child's memory (its parent's)
 * would pass the memory limit.
 */
int proc_fork(uint32_t *pid);

/*
 * waitpid for a child: 'pid' 0 means any child, else that child. 'nohang'
 * returns PROC_NOTHING at once if none has ended. A pid that is not a
 * child of the caller (or was already reaped), or no children at all:
 * ECHILD. EINTR when a signal arrived while waiting (the caller delivers
 * it and the guest retries). On success fills '*st' and frees the slot.
 */
int proc_join(uint32_t pid, bool nohang, struct proc_status *st);

/*
 * Sends host signal 'sig' (0: existence check only) to guest 'pid'.
 * Returns 0, ESRCH (not in this run's table) or EINVAL (sig > 64).
 */
int proc_kill(uint32_t pid, int sig);

/*
 * proc_fork_env support: a child that runs, for a while, as the calling
 * host process itself (no host process of its own yet).
 *
 * proc_env_begin allocates the child's pid (slot with no host pid) and
 * makes the caller that child (proc_self() is the child's pid). ENOTSUP
 * if already inside one, EAGAIN if the table is full.
 *
 * proc_env_fork: the child execs: host fork. In the host child,
 * '*is_child' is true and the process is the child for good; in the host
 * parent the slot gets the host pid and the caller is the parent again.
 * EAGAIN if the host cannot fork (still the child).
 *
 * proc_env_exit: the child exits with 'code' without a host process: its
 * slot becomes a zombie that proc_join reports; the caller is the parent
 * again.
 */
int proc_env_begin(uint32_t *child);
int proc_env_fork(bool *is_child);
void proc_env_exit(int code);
bool proc_env_active(void);

/* ---- signals (proc_signal.c) ------------------------------------------ */

/* The flag raised (set to 1) when a caught signal becomes pending. */
void proc_sig_set_flag(volatile sig_atomic_t *flag);

/*
 * Catches every catchable signal (all but KILL, STOP, and SEGV and BUS,
 * which the VM keeps for its guard pages; CHLD, CONT, URG
 * and WINCH too) unless it is ignored: the host handler marks it pending
 * and raises the flag. 'on' false restores the default action of each
 * signal caught this way (exec). No SA_RESTART: a blocking host call
 * returns EINTR; the layer above delivers the signals and, when
 * proc_sig_restarts says so, runs the call again.
 */
void proc_sig_catch_all(bool on);

/* Whether proc_sig_catch_all(true) is in force. */
bool proc_sig_catching(void);

/* Sets the host disposition of 'sig' to ignore (true) or default. */
int proc_sig_ignore(int sig, bool ignore);

/* Marks 'sig' pending and raises the flag (raise to self, caught). */
void proc_sig_pend(int sig);

/* Takes (and clears) the set of pending signals: bit 'sig' per signal. */
uint64_t proc_sig_take(void);

/*
 * Whether a blocking call interrupted by the signals in 'bits' (as from
 * proc_sig_take) is to be run again once they are delivered: true when
 * there is at least one and the default action of each is to ignore it
 * (CHLD, CONT, URG, WINCH), the way SA_RESTART works natively, so that a
 * child's exit never makes the parent's read fail with EINTR.
 */
bool proc_sig_restarts(uint64_t bits);

/* Whether the POSIX default action of 'sig' is to ignore it. */
bool proc_sig_default_ignores(int sig);

/*
 * The default action of 'sig' for this process: flushes stdio, restores
 * the host default, unblocks and re-raises it so that the parent sees a
 * signal death. Returns only for signals whose default is to ignore (or
 * stop, once continued).
 */
void proc_sig_default(int sig);

/* setitimer-like interval timer that raises host signal 'sig'. */
struct proc_itimer {
	uint64_t interval_ns; /* 0: one shot */
	uint64_t value_ns;    /* 0: disarm */
};

/*
 * Arms (value_ns != 0) or disarms the timer for 'sig', after storing the
 * time left on the previous setting in '*old' (may be NULL). One timer per
 * signal number; not inherited by fork children. Returns 0, EINVAL or
 * EAGAIN.
 */
int proc_itimer_set(int sig, const struct proc_itimer *nw,
                    struct proc_itimer *old);

/* Forgets timers inherited across fork (the child has none). */
void proc_itimer_forget(void);

/* ---- confinement (proc_confine.c) --------------------------------------- */

/* What a confined process may still reach in the host's file system. */
struct proc_confine {
	const char *const *dirs; /* host directories: every right but exec */
	size_t ndirs;
	const char *const *files; /* host files (or directories): read */
	size_t nfiles;
	/* Landlock missing from the kernel is not an error (seccomp only). */
	bool best_effort;
};

/*
 * Confines the calling process for good (Linux): no new privileges;
 * Landlock rules that allow file access only beneath cf->dirs (plus
 * cf->files and the few system files the runtime opens, read-only),
 * nothing executed; a seccomp-bpf allow-list of the system calls the
 * runtime makes (ENOSYS for any other, EPERM for ptrace and its kind).
 * Inherited by fork children. Call it while this is the only thread
 * (Landlock binds the calling thread and what it makes later). Returns 0,
 * or an errno with one line in 'why' ('len' bytes), e.g. ENOSYS when the
 * kernel has no Landlock and cf->best_effort is false.
 */
int proc_confine(const struct proc_confine *cf, char *why, size_t len);

/* ---- the run's deadline (proc_deadline.c) ------------------------------ */

struct timespec;

/*
 * Records the time, absolute CLOCK_MONOTONIC, at which every fork child
 * of the run dies ('at' NULL: none): each child made afterwards
 * (proc_fork, proc_env_fork, and their children in turn, which inherit
 * the record) gets SIGKILL then, across exec. The caller (the run's first
 * process) is not affected: it enforces its own timeout. Copies '*at'.
 * Threads: proc_deadline_set(NULL) may race with a fork in another
 * thread (that child gets the old setting or none); a non-NULL 'at' must
 * be set while no other thread forks (before the guest starts).
 */
void proc_deadline_set(const struct timespec *at);

/*
 * In a fork child: arms the SIGKILL timer for the inherited deadline, if
 * any. If the timer cannot be made, the child kills itself at once.
 */
void proc_deadline_arm_child(void);

/* ---- finding programs, spawn's file actions (proc_exec.c) -------------- */

struct vfs_table;

/*
 * Opens guest path 'path' with host open flags 'oflags' as the caller
 * resolves guest paths (beneath its namespace, relative to its working
 * directory). Returns 0 and '*hfd' (the caller's to close), or a host
 * errno value.
 */
typedef int (*proc_open_fn)(void *ud, const char *path, int oflags, int *hfd);

/* The search path of an exec with none given (as musl's execvp). */
#define PROC_DEFAULT_PATH "/usr/local/bin:/bin:/usr/bin"

/*
 * Finds program 'name' (non-empty, no '/') in the ':'-separated
 * directories of 'path' (NULL: PROC_DEFAULT_PATH; an empty entry: the
 * working directory) as execvp does: the first candidate that 'open_fn'
 * opens read-only and that is a regular file. Returns 0 and '*hfd' (the
 * caller's to close); else EACCES if some candidate existed but was not
 * permitted or not a regular file (a directory), else ENOENT. A
 * candidate longer than a guest path may be is passed over.
 */
int proc_path_search(const char *name, const char *path, proc_open_fn open_fn,
                     void *ud, int *hfd);

/* At most this many bytes of a script's first line are read. */
#define PROC_SCRIPT_LINE_MAX 256

/* A script's '#!' line: "#! interp arg" (strings owned by 'buf'). */
struct proc_script {
	char *buf;
	const char *interp; /* never empty */
	const char *arg;    /* the one optional argument, or NULL */
	const char *name;   /* the script's name, as exec was given it */
};

/*
 * Parses the '#!' line of the file whose first 'len' bytes are 'bytes'
 * and that exec named 'name': the interpreter after optional blanks,
 * then the rest of the line (blanks and a CR around it trimmed) as one
 * argument, as Linux does; the line is cut at PROC_SCRIPT_LINE_MAX
 * bytes. The new argv is [interp, arg if any, name, old argv[1..]].
 * Returns 0 and '*s' (free it with proc_script_free), ENOEXEC (not a
 * '#!' file, or no interpreter named) or ENOMEM.
 */
int proc_script_parse(const uint8_t *bytes, size_t len, const char *name,
                      struct proc_script *s);

/* Frees what proc_script_parse made; '*s' is zeroed. */
void proc_script_free(struct proc_script *s);

/* posix_spawn's file actions, in the order WASIX numbers them. */
enum proc_fdop_kind {
	PROC_FDOP_CLOSE = 0,  /* close 'fd' (a preopen stays open) */
	PROC_FDOP_DUP2 = 1,   /* dup2(src, fd); src == fd: clear cloexec */
	PROC_FDOP_OPEN = 2,   /* open 'path' at 'fd' */
	PROC_FDOP_CHDIR = 3,  /* chdir(path) */
	PROC_FDOP_FCHDIR = 4, /* fchdir(fd) */
};

/* One file action, copied out of the caller's memory. */
struct proc_fdop {
	uint8_t kind; /* enum proc_fdop_kind */
	uint32_t fd, src;
	const char *path; /* OPEN, CHDIR: NUL-terminated */
	int oflags;       /* OPEN: host open flags */
	/* OPEN: the new entry's rights and fd flags. */
	uint64_t rights_base, rights_inheriting;
	uint16_t fdflags;
};

/* The process state file actions change. */
struct proc_fdop_ctx {
	struct vfs_table *fds;
	char *cwd; /* VFS_PATH_MAX + 1 bytes: the working directory */
	proc_open_fn open_fn; /* resolves paths relative to 'cwd' */
	void *ud;
};

/*
 * Runs file action 'op' on the process state 'cx' (in the spawned child,
 * before its exec; entries are borrowed: the child has one thread).
 * FCHDIR reaches only directories whose guest path is known (ENOTSUP
 * otherwise). Returns 0 or a host errno value (EBADF, ENOTDIR, ENOENT,
 * ENOMEM, what 'open_fn' returns, ...).
 */
int proc_fdop_run(const struct proc_fdop_ctx *cx, const struct proc_fdop *op);

#endif
