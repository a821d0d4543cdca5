/*
 * proc_confine.c: the host process confines itself with the kernel's own
 * tools once it knows what the guest may reach (proc.h, proc_confine):
 * Landlock for the file system, a seccomp-bpf allow-list for the system
 * calls. Defence in depth: a guest that escaped the engine would still
 * reach only its preopened directories and the calls a runtime needs.
 *
 * Keeps true:
 *  - Landlock (when the kernel has it): every file right the kernel's ABI
 *    knows is handled, so it is denied except beneath the given
 *    directories (all rights but execute), on the given files (read) and
 *    on the few system files the runtime itself opens (read: /dev/null,
 *    /dev/zero, /dev/urandom, name resolution files, shared libraries).
 *    Nothing may be executed: exec runs modules inside this process.
 *  - seccomp: a call not on the list fails with ENOSYS (so the C library
 *    takes its fallbacks; clone3, whose flags a filter cannot read, is
 *    one of them), ptrace and the other calls that reach other processes'
 *    memory or the kernel's configuration with EPERM; clone with a
 *    namespace flag fails with EPERM. x32 calls are refused.
 *  - Both are inherited by fork children and cannot be undone.
 * Threads: Landlock confines the calling thread (and the threads and
 * processes it makes afterwards), seccomp every thread (TSYNC).
 */
#include "proc/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---- Landlock ----------------------------------------------------------- */

/*
 * The rights of later Landlock ABIs, by their kernel bit numbers (the
 * C library's headers may predate them).
 */
#define CONFINE_FS_REFER     (1ull << 13) /* ABI 2 */
#define CONFINE_FS_TRUNCATE  (1ull << 14) /* ABI 3 */
#define CONFINE_FS_IOCTL_DEV (1ull << 15) /* ABI 5 */

/* The file rights of Landlock ABI 'abi' (1: the first 13 rights). */
static uint64_t confine_fs_rights(long abi)
{
	uint64_t r = (1ull << 13) - 1; /* EXECUTE .. MAKE_SYM */

	if (abi >= 2)
		r |= CONFINE_FS_REFER;
	if (abi >= 3)
		r |= CONFINE_FS_TRUNCATE;
	if (abi >= 5)
		r |= CONFINE_FS_IOCTL_DEV;
	return r;
}

/* Adds a rule: 'rights' beneath (or on) the file at 'fd'. */
static int confine_rule_fd(int ruleset, int fd, uint64_t rights)
{
	struct landlock_path_beneath_attr pb = {.allowed_access = rights,
	                                        .parent_fd = fd};

	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH,
	            &pb, 0) != 0)
		return errno;
	return 0;
}

/*
 * Adds a rule for host path 'path' (a missing one is skipped): a
 * directory gets 'dir_rights', a file those of 'dir_rights' that make
 * sense on a file. 'rights' must be handled by the ruleset.
 */
static int confine_rule_path(int ruleset, const char *path, uint64_t rights)
{
	static const uint64_t file_rights =
	    LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
	    LANDLOCK_ACCESS_FS_READ_FILE | CONFINE_FS_TRUNCATE |
	    CONFINE_FS_IOCTL_DEV;
	int fd = open(path, O_PATH | O_CLOEXEC), rc;
	struct stat st;

	if (fd < 0)
		return errno == ENOENT || errno == EACCES ? 0 : errno;
	if (fstat(fd, &st) != 0) {
		rc = errno;
		close(fd);
		return rc;
	}
	rc = confine_rule_fd(
	    ruleset, fd, S_ISDIR(st.st_mode) ? rights : rights & file_rights);
	close(fd);
	return rc;
}

/* Read-only system files the runtime (or the C library) opens itself. */
static const char *const confine_sys_read[] = {
    "/dev/urandom",
    "/etc/hosts",
    "/etc/resolv.conf",
    "/etc/nsswitch.conf",
    "/etc/host.conf",
    "/etc/gai.conf",
    "/etc/services",
    "/etc/protocols",
    "/etc/localtime",
    "/usr/lib",
    "/lib",
    "/lib64",
    "/sys/devices/system/cpu",
};
/* Read and write: the devices a guest's /dev shows (vfs_ns.c). */
static const char *const confine_sys_rw[] = {"/dev/null", "/dev/zero"};

static int confine_landlock(const struct proc_confine *cf, char *why,
                            size_t len)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	                   LANDLOCK_CREATE_RULESET_VERSION);
	struct landlock_ruleset_attr attr;
	uint64_t all, rw, ro;
	int rs, rc = 0;

	if (abi < 1) {
		snprintf(why, len, "Landlock: not available (%s)",
		         strerror(errno));
		return ENOSYS;
	}
	all = confine_fs_rights(abi);
	ro = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
	rw = ro | LANDLOCK_ACCESS_FS_WRITE_FILE;
	memset(&attr, 0, sizeof attr);
	attr.handled_access_fs = all;
	rs = (int)syscall(SYS_landlock_create_ruleset, &attr,
	                  sizeof attr.handled_access_fs, 0);
	if (rs < 0) {
		snprintf(why, len, "Landlock: %s", strerror(errno));
		return errno;
	}
	for (size_t i = 0; i < cf->ndirs && rc == 0; i++) {
		/* One that cannot be opened gets no rule: the run that
		 * opens it next reports why. */
		int fd = open(cf->dirs[i], O_PATH | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0)
			continue;
		rc = confine_rule_fd(rs, fd, all & ~LANDLOCK_ACCESS_FS_EXECUTE);
		close(fd);
		if (rc != 0)
			snprintf(why, len, "Landlock: %s: %s", cf->dirs[i],
			         strerror(rc));
	}
	for (size_t i = 0; i < cf->nfiles && rc == 0; i++)
		rc = confine_rule_path(rs, cf->files[i], ro);
	for (size_t i = 0;
	     i < sizeof confine_sys_read / sizeof *confine_sys_read && rc == 0;
	     i++)
		rc = confine_rule_path(rs, confine_sys_read[i], ro);
	for (size_t i = 0;
	     i < sizeof confine_sys_rw / sizeof *confine_sys_rw && rc == 0; i++)
		rc = confine_rule_path(rs, confine_sys_rw[i], rw);
	if (rc == 0 && syscall(SYS_landlock_restrict_self, rs, 0) != 0) {
		rc = errno;
		snprintf(why, len, "Landlock: restrict_self: %s", strerror(rc));
	} else if (rc != 0 && why[0] == 0) {
		snprintf(why, len, "Landlock: a rule: %s", strerror(rc));
	}
	close(rs);
	return rc;
}

/* ---- seccomp ------------------------------------------------------------ */

/* The allow-list is written for x86_64 (its legacy calls included). */
#if defined(__x86_64__)
#define CONFINE_ARCH AUDIT_ARCH_X86_64
#endif

#ifdef CONFINE_ARCH
/*
 * The calls the runtime makes once confined: I/O on fds it holds, paths
 * beneath directory fds, memory, threads, fork, wait, signals, time,
 * sockets, polling.
 */
static const int confine_allowed[] = {
#define A(n) SYS_##n,
    A(read) A(write) A(futex) A(readv) A(writev) A(pread64) A(pwrite64) A(
        ppoll) A(poll) A(clock_gettime) A(sched_yield) A(preadv) A(pwritev)
        A(preadv2) A(pwritev2) A(close) A(close_range) A(lseek) A(openat) A(
            openat2) A(newfstatat) A(fstat) A(statx) A(fstatfs) A(statfs)
            A(getdents64) A(readlinkat) A(mkdirat) A(unlinkat) A(renameat) A(
                renameat2) A(linkat) A(symlinkat) A(utimensat) A(faccessat)
                A(faccessat2) A(fchmod) A(fchmodat) A(fchown) A(fchownat) A(
                    ftruncate) A(fallocate) A(fsync) A(fdatasync) A(fadvise64) A(flock)
                    A(fcntl) A(ioctl) A(dup) A(dup3) A(pipe2) A(memfd_create) A(
                        copy_file_range) A(sendfile) A(splice) A(mmap) A(munmap) A(mprotect) A(mremap)
                        A(madvise) A(brk) A(msync) A(mincore) A(membarrier) A(futex_waitv) A(set_robust_list) A(
                            get_robust_list) A(rseq) A(set_tid_address) A(clone) A(exit)
                            A(exit_group) A(wait4) A(waitid) A(kill) A(tgkill) A(tkill) A(getpid) A(gettid) A(getppid) A(
                                getuid) A(geteuid) A(getgid) A(getegid) A(getpgid) A(getsid) A(setpgid)
                                A(setsid) A(getpgrp) A(rt_sigaction) A(rt_sigprocmask) A(rt_sigreturn) A(
                                    rt_sigpending) A(rt_sigsuspend) A(rt_sigtimedwait) A(rt_sigqueueinfo)
                                    A(sigaltstack) A(restart_syscall) A(clock_getres) A(clock_nanosleep) A(
                                        nanosleep) A(gettimeofday) A(timer_create) A(timer_settime)
                                        A(timer_gettime) A(timer_delete) A(timer_getoverrun) A(
                                            setitimer) A(getitimer) A(sched_getaffinity)
                                            A(getrandom) A(getrlimit) A(prlimit64) A(
                                                getrusage) A(uname) A(umask) A(getcwd)
                                                A(chdir) A(fchdir) A(sysinfo) A(times) A(
                                                    select) A(pselect6) A(epoll_create1) A(epoll_ctl) A(epoll_wait)
                                                    A(epoll_pwait) A(epoll_pwait2) A(eventfd2) A(
                                                        timerfd_create) A(timerfd_settime) A(timerfd_gettime)
                                                        A(signalfd4) A(socket) A(socketpair) A(bind) A(
                                                            listen) A(accept) A(accept4)
                                                            A(connect) A(shutdown) A(getsockname) A(
                                                                getpeername) A(getsockopt) A(setsockopt)
                                                                A(sendto) A(recvfrom) A(sendmsg) A(
                                                                    recvmsg) A(sendmmsg) A(recvmmsg) A(arch_prctl)
                                                                    A(prctl) A(set_mempolicy) A(get_mempolicy) A(
                                                                        access) A(open) A(stat)
                                                                        A(lstat) A(pipe) A(
                                                                            dup2) A(fork)
                                                                            A(vfork) A(getdents) A(
                                                                                readlink) A(unlink)
                                                                                A(rmdir) A(mkdir) A(
                                                                                    rename) A(epoll_create)
                                                                                    A(epoll_wait_old) A(
                                                                                        alarm)
                                                                                        A(pause) A(
                                                                                            time) A(eventfd)
                                                                                            A(signalfd)
                                                                                                A(inotify_init1)
#undef A
};
#endif

/* Calls refused with EPERM (not ENOSYS: no fallback to look for). */
static const int confine_denied[] = {
    SYS_ptrace,
    SYS_process_vm_readv,
    SYS_process_vm_writev,
    SYS_unshare,
    SYS_setns,
    SYS_mount,
    SYS_umount2,
    SYS_pivot_root,
    SYS_chroot,
    SYS_bpf,
    SYS_perf_event_open,
    SYS_execve,
    SYS_execveat,
    SYS_kexec_load,
    SYS_init_module,
    SYS_finit_module,
    SYS_delete_module,
    SYS_keyctl,
    SYS_add_key,
    SYS_request_key,
    SYS_userfaultfd,
    SYS_personality,
    SYS_io_uring_setup,
    SYS_open_by_handle_at,
};

#define CONFINE_NR       offsetof(struct seccomp_data, nr)
#define CONFINE_ARCH_OFF offsetof(struct seccomp_data, arch)
#define CONFINE_ARG0     offsetof(struct seccomp_data, args[0])

#ifdef CONFINE_ARCH
enum {
	CONFINE_NALLOW = sizeof confine_allowed / sizeof *confine_allowed,
	CONFINE_NDENY = sizeof confine_denied / sizeof *confine_denied,
	/* arch (3), x32 (2), clone (3), the lists, then three returns */
	CONFINE_LEN = 3 + 2 + 3 + CONFINE_NDENY + CONFINE_NALLOW + 3,
	CONFINE_RET_ENOSYS = CONFINE_LEN - 3, /* the default */
	CONFINE_RET_ALLOW = CONFINE_LEN - 2,
	CONFINE_RET_EPERM = CONFINE_LEN - 1,
};

/* A conditional jump at 'at' to 'yes' or 'no' (absolute indices). */
static struct sock_filter confine_jump(size_t at, unsigned code, unsigned k,
                                       size_t yes, size_t no)
{
	struct sock_filter j =
	    BPF_JUMP(BPF_JMP | code | BPF_K, k, (unsigned char)(yes - at - 1),
	             (unsigned char)(no - at - 1));
	return j;
}

/* Builds the filter into 'f' (CONFINE_LEN entries). */
static void confine_build(struct sock_filter *f)
{
	const unsigned ns_flags = CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID |
	                          CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS |
	                          CLONE_NEWCGROUP;
	size_t n = 0;

	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	                                      CONFINE_ARCH_OFF);
	f[n] = confine_jump(n, BPF_JEQ, CONFINE_ARCH, n + 2, n + 1);
	n++;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	                                      SECCOMP_RET_KILL_PROCESS);
	f[n++] =
	    (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, CONFINE_NR);
	f[n] = confine_jump(n, BPF_JGE, 0x40000000u, CONFINE_RET_EPERM, n + 1);
	n++;
	/* clone: a namespace flag in args[0] is EPERM (A stays 'nr' on the
	 * way past). */
	f[n] = confine_jump(n, BPF_JEQ, SYS_clone, n + 1, n + 3);
	n++;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	                                      CONFINE_ARG0);
	f[n] = confine_jump(n, BPF_JSET, ns_flags, CONFINE_RET_EPERM,
	                    CONFINE_RET_ALLOW);
	n++;
	/* The allowed calls first, the most frequent at their head: a
	 * read or write passes one comparison. The lists are disjoint. */
	for (size_t i = 0; i < CONFINE_NALLOW; i++, n++)
		f[n] = confine_jump(n, BPF_JEQ, (unsigned)confine_allowed[i],
		                    CONFINE_RET_ALLOW, n + 1);
	for (size_t i = 0; i < CONFINE_NDENY; i++, n++)
		f[n] = confine_jump(n, BPF_JEQ, (unsigned)confine_denied[i],
		                    CONFINE_RET_EPERM, n + 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	                                      SECCOMP_RET_ERRNO | ENOSYS);
	f[n++] =
	    (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	                                      SECCOMP_RET_ERRNO | EPERM);
}
#endif

static int confine_seccomp(char *why, size_t len)
{
#ifdef CONFINE_ARCH
	/* Every jump is forward and must fit in 8 bits: the farthest one,
	 * from the x32 check to the last return, bounds the list sizes. */
	_Static_assert(CONFINE_LEN - 5 <= 255, "seccomp filter too long");
	struct sock_filter f[CONFINE_LEN];
	struct sock_fprog prog = {.len = CONFINE_LEN, .filter = f};

	confine_build(f);
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	            SECCOMP_FILTER_FLAG_TSYNC, &prog) != 0) {
		snprintf(why, len, "seccomp: %s", strerror(errno));
		return errno;
	}
	return 0;
#else
	snprintf(why, len, "seccomp: no filter for this architecture");
	return ENOSYS;
#endif
}

int proc_confine(const struct proc_confine *cf, char *why, size_t len)
{
	int rc;

	why[0] = 0;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(why, len, "no_new_privs: %s", strerror(errno));
		return errno;
	}
	rc = confine_landlock(cf, why, len);
	if (rc != 0 && !(rc == ENOSYS && cf->best_effort))
		return rc;
	why[0] = 0;
	return confine_seccomp(why, len);
}
