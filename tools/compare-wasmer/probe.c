/*
 * probe.c: one WASIX process-model question per sub-command, answered by
 * "key=value" lines, so that the same binary can be run under wasmix and
 * under Wasmer (tools/compare-wasmer/compare.sh) and the outputs diffed.
 * It uses only raw imports that Wasmer links (proc_exec3, proc_spawn2,
 * proc_raise_interval; not proc_exec4, proc_spawn3, proc_raise_interval2)
 * and not libwasix.a, so a difference is a difference of the runtimes.
 * Numbers printed are raw WASI errnos and raw join_status fields; a field
 * the runtime did not write keeps the filler 0xee (tag238, code61166).
 * Guest root: this file built by mkw.sh as /probe.wasm, its plain build
 * as /show.wasm (what exec and spawn start), /sub/keep.txt, /text.txt
 * ("hello\n") and /empty.txt. Build the plain one with
 * clang --target=wasm32-wasi -I sdk/include.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>
#include <wasix/wasix.h>

WASIX_IMPORT("proc_raise_interval")
int32_t px_raise_interval(int32_t sig, uint64_t interval, int32_t repeat);
WASIX_IMPORT("stack_checkpoint")
int32_t px_stack_checkpoint(uint8_t *snapshot, uint64_t *ret);
__attribute__((import_module("wasi_snapshot_preview1"),
               import_name("proc_raise"))) int32_t px_raise(int32_t sig);
WASIX_IMPORT("proc_exec")
void px_proc_exec(const char *name, size_t len, const char *args,
                  size_t args_len);

extern char **environ;

#define SELF "/show.wasm" /* the plain build of this file */

static void out(const char *key, long long v)
{
	printf("%s=%lld\n", key, v);
	fflush(stdout);
}

/* Waits for pid (0: any); prints "<key>=tag,code,signal errno=<e>". */
static void join(const char *key, uint32_t pid, uint32_t flags)
{
	wasix_option_pid_t o = {pid ? 1 : 0, pid};
	uint8_t st[8] = {0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0, 0};
	int32_t e;

	do
		e = wasix_proc_join(&o, flags, (wasix_join_status_t *)st);
	while (e == __WASI_ERRNO_INTR);
	printf("%s=err%d tag%d code%d sig%d", key, e, st[0],
	       st[2] | st[3] << 8, st[4]);
	if (o.pid != pid)
		printf(" option_pid=%d,%u", o.tag, o.pid);
	printf("\n");
	fflush(stdout);
}

static uint32_t forked(void)
{
	uint32_t pid = 0xffffffff;
	int32_t e = wasix_proc_fork(1, &pid);

	if (e != 0) {
		out("fork_errno", e);
		exit(99);
	}
	return pid;
}

static int fd_open(int fd)
{
	__wasi_fdstat_t s;

	return __wasi_fd_fdstat_get(fd, &s) == 0;
}

static int open_ro(const char *path)
{
	__wasi_fd_t fd = 0;
	int32_t e = __wasi_path_open(3, 0, path, 0, 0x1fffffffu, 0x1fffffffu,
	                             0, &fd);

	return e ? -e : (int)fd;
}

/* The exec target: what the new program sees; "show FD..." also says
 * whether each FD is open. */
static int show(int argc, char **argv)
{
	uint32_t pid = 0;
	char cwd[256];
	uint32_t len = sizeof cwd - 1;

	wasix_proc_id(&pid);
	memset(cwd, 0, sizeof cwd);
	if (wasix_getcwd(cwd, &len) != 0)
		strcpy(cwd, "?");
	printf("show pid=%u cwd=%s argc=%d", pid, cwd, argc);
	for (int i = 2; i < argc; i++)
		printf(" fd%s=%d", argv[i], fd_open(atoi(argv[i])));
	for (int i = 0; i < argc; i++)
		printf(" argv%d=[%s]", i, argv[i]);
	printf(" env:");
	for (char **e = environ; *e; e++)
		printf(" %s", *e);
	printf("\n");
	return 0;
}

static int exec3(const char *name, const char *args, const char *envs,
                 int search, const char *path)
{
	return wasix_proc_exec3(name, strlen(name), args, strlen(args), envs,
	                        envs ? strlen(envs) : 0, search, path,
	                        path ? strlen(path) : 0);
}

static int p_fork(void)
{
	static int value = 10;
	uint32_t me = 0, pid, ppid = 0;

	wasix_proc_id(&me);
	out("self_pid", me);
	pid = forked();
	if (pid == 0) {
		uint32_t c = 0;
		value++;
		wasix_proc_id(&c);
		wasix_proc_parent(c, &ppid);
		printf("child pid_differs=%d ppid=%u (parent %u) value=%d\n",
		       c != me, ppid, me, value);
		fflush(stdout);
		exit(7);
	}
	join("join_child", pid, 0);
	out("parent_value", value);
	join("join_again", pid, 0);
	join("join_none_left", 0, 0);
	out("parent_of_4242_errno", wasix_proc_parent(4242, &ppid));
	return 0;
}

static int p_codes(void)
{
	static const int codes[] = {0, 1, 79, 127, 255, 256 + 3};

	for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		char key[32];
		uint32_t pid = forked();

		if (pid == 0)
			__wasi_proc_exit(codes[i]);
		snprintf(key, sizeof key, "exit_%d", codes[i]);
		join(key, pid, 0);
	}
	return 0;
}

static volatile int got_sig;

__attribute__((export_name("px_on_signal"))) void px_on_signal(int sig);
void px_on_signal(int sig)
{
	got_sig = sig;
}

__attribute__((export_name("px_trap_signal"))) void px_trap_signal(int sig);
void px_trap_signal(int sig)
{
	(void)sig;
	__builtin_trap();
}

static void sleep_ms(unsigned ms)
{
	__wasi_subscription_t sub;
	__wasi_event_t ev;
	__wasi_size_t n = 0;

	memset(&sub, 0, sizeof sub);
	sub.u.tag = __WASI_EVENTTYPE_CLOCK;
	sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
	sub.u.u.clock.timeout = (uint64_t)ms * 1000000u;
	(void)__wasi_poll_oneoff(&sub, &ev, 1, &n);
}

static uint64_t now_ms(void)
{
	__wasi_timestamp_t t = 0;

	(void)__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t);
	return t / 1000000u;
}

static int p_sigdeath(void)
{
	uint32_t pid = forked();

	if (pid == 0) { /* no handler registered: raise SIGTERM */
		px_raise(15);
		exit(3);
	}
	join("raise_term_no_handler", pid, 0);
	pid = forked();
	if (pid == 0) { /* handler traps, as wasix-libc's SIG_DFL does */
		wasix_callback_signal("px_trap_signal", 14);
		px_raise(15);
		exit(3);
	}
	join("raise_term_trapping_handler", pid, 0);
	pid = forked();
	if (pid == 0) {
		for (;;)
			sleep_ms(10);
	}
	sleep_ms(100);
	out("signal_int_child_errno", wasix_proc_signal(pid, 2));
	join("killed_by_int", pid, 0);
	pid = forked();
	if (pid == 0) {
		for (;;)
			;
	}
	sleep_ms(100);
	out("signal_kill_spinning_errno", wasix_proc_signal(pid, 9));
	join("killed_by_kill", pid, 0);
	return 0;
}

static int p_kill(void)
{
	uint32_t me = 0, pid;

	wasix_proc_id(&me);
	out("signal_4242_errno", wasix_proc_signal(4242, 15));
	out("signal_self_65_errno", wasix_proc_signal(me, 65));
	out("signal_self_0_errno", wasix_proc_signal(me, 0));
	pid = forked();
	if (pid == 0) {
		sleep_ms(300);
		exit(0);
	}
	out("signal_child_0_errno", wasix_proc_signal(pid, 0));
	join("join", pid, 0);
	out("signal_reaped_0_errno", wasix_proc_signal(pid, 0));
	join("join_no_children", 0, 0);
	pid = forked();
	if (pid == 0) {
		sleep_ms(300);
		exit(5);
	}
	join("join_nonblocking", pid, 1);
	join("join_blocking", pid, 0);
	return 0;
}

/* A registered callback gets USR1 from proc_signal, wasix proc_raise and
 * (last, as it may kill) preview1 proc_raise. */
static int p_handler(void)
{
	uint32_t me = 0;

	wasix_proc_id(&me);
	wasix_callback_signal("px_on_signal", 12);
	out("signal_self_usr1_errno", wasix_proc_signal(me, 10));
	sleep_ms(10);
	out("handler_ran_after_proc_signal", got_sig);
	got_sig = 0;
	out("wasix_proc_raise_usr1_errno", wasix_proc_raise(10));
	out("handler_ran_after_wasix_proc_raise", got_sig);
	got_sig = 0;
	out("preview1_proc_raise_usr1_errno", px_raise(10));
	out("handler_ran_after_preview1_proc_raise", got_sig);
	return 0;
}

static int p_interval(const char *arg)
{
	uint64_t iv = strtoull(arg, NULL, 10);
	int e;

	wasix_callback_signal("px_on_signal", 12);
	uint64_t t0 = now_ms();
	int i;

	e = px_raise_interval(14, iv, 0);
	out("raise_interval_errno", e);
	for (i = 0; i < 40 && got_sig == 0; i++)
		sleep_ms(10);
	printf("fired=%d after %d sleeps of 10 ms, %llu ms\n", got_sig == 14, i,
	       (unsigned long long)(now_ms() - t0));
	fflush(stdout);
	out("cancel_errno", px_raise_interval(14, 0, 0));
	return 0;
}

static int p_execenv(const char *envs)
{
	int e;

	setenv("FOO", "inherited", 1);
	fflush(stdout);
	e = exec3(SELF, "probe\nshow\n", envs[0] ? envs : NULL, 0, NULL);
	out("exec3_errno", e);
	return 0;
}

static int p_execfail(void)
{
	char *keep = getenv("FOO");
	__wasi_size_t argc = 0, sz = 0;
	int e = exec3("/missing.wasm", "m\nnew1\nnew2\n", "BAR=new\n", 0,
	              NULL);

	out("exec3_missing_errno", e);
	(void)__wasi_args_sizes_get(&argc, &sz);
	out("argc_after_failed_exec", argc);
	e = exec3("/text.txt", "t\nnew1\nnew2\n", "BAR=new\n", 0, NULL);
	out("exec3_text_errno", e);
	(void)__wasi_args_sizes_get(&argc, &sz);
	out("argc_after_failed_exec2", argc);
	(void)__wasi_environ_sizes_get(&argc, &sz);
	printf("FOO_before=%s\n", keep ? keep : "(unset)");
	out("envc_after_failed_exec", argc);
	out("envbytes_after_failed_exec", sz);
	e = exec3(SELF, "probe\nshow\n", "NOEQUALS\n", 0, NULL);
	out("exec3_env_without_eq_errno", e);
	return 0;
}

static int p_execerr(void)
{
	static char long_name[300];
	static const char *names[] = {"/missing.wasm", "/text.txt",
	                              "/empty.txt", "/sub",
	                              "/text.txt/x.wasm", long_name};

	memset(long_name, 'a', sizeof long_name - 1);
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
		char key[64];
		snprintf(key, sizeof key, "exec3_%.20s_errno",
		         i == 5 ? "aaa(299)" : names[i]);
		out(key, exec3(names[i], "x\n", NULL, 0, NULL));
	}
	out("exec3_search_probe.wasm_errno",
	    exec3("nothere.wasm", "x\n", NULL, 1, "/sub:/nope"));
	return 0;
}

static int p_execkeep(void)
{
	int keep = open_ro("text.txt"), shut = open_ro("text.txt");
	char args[64];

	out("fd_keep", keep);
	out("fd_shut", shut);
	out("fdflags_set_errno", wasix_fd_fdflags_set(shut, 1));
	out("chdir_errno", wasix_chdir("/sub", 4));
	fflush(stdout);
	snprintf(args, sizeof args, "probe\nshow\n%d\n%d\n", keep, shut);
	out("exec3_errno", exec3("../show.wasm", args, NULL, 0, NULL));
	return 0;
}

static int p_fds(void)
{
	int a = open_ro("text.txt");
	uint32_t nfd = 0, rd = 0, wr = 0;
	uint16_t fl = 0;
	char c = 'x';
	__wasi_ciovec_t ci = {(const uint8_t *)&c, 1};
	__wasi_iovec_t io = {(uint8_t *)&c, 1};
	__wasi_size_t done = 0;

	out("open_fd", a);
	out("renumber_4_to_10_errno", __wasi_fd_renumber(a, 10));
	out("after_renumber_fd4_open", fd_open(a));
	out("after_renumber_fd10_open", fd_open(10));
	out("renumber_over_preopen_3_errno", __wasi_fd_renumber(10, 3));
	out("renumber_closed_99_errno", __wasi_fd_renumber(99, 12));
	out("dup2_cloexec_errno", wasix_fd_dup2(10, 20, 1, &nfd));
	out("dup2_new_fd", nfd);
	out("fdflags_get_errno", wasix_fd_fdflags_get(nfd, &fl));
	out("dup2_fdflags", fl);
	out("fd_dup_errno", wasix_fd_dup(10, &nfd));
	out("fd_dup_new_fd", nfd);
	out("pipe_errno", wasix_fd_pipe(&rd, &wr));
	out("pipe_rd", rd);
	out("pipe_wr", wr);
	out("write_wr_errno", __wasi_fd_write(wr, &ci, 1, &done));
	out("read_rd_errno", __wasi_fd_read(rd, &io, 1, &done));
	out("read_rd_n", done);
	out("write_on_read_end_errno", __wasi_fd_write(rd, &ci, 1, &done));
	return 0;
}

static int p_cwd(void)
{
	char buf[256];
	uint32_t len = sizeof buf - 1, pid;

	memset(buf, 0, sizeof buf);
	out("getcwd_errno", wasix_getcwd(buf, &len));
	printf("cwd=%s len=%u\n", buf, len);
	out("chdir_sub_errno", wasix_chdir("/sub", 4));
	out("chdir_missing_errno", wasix_chdir("/nope", 5));
	out("chdir_file_errno", wasix_chdir("/text.txt", 9));
	len = 2;
	out("getcwd_small_buf_errno", wasix_getcwd(buf, &len));
	out("getcwd_small_buf_len", len);
	out("path_open_fd3_dotdot_text_after_chdir", open_ro("../text.txt"));
	out("path_open_fd3_keep_after_chdir", open_ro("keep.txt"));
	pid = forked();
	if (pid == 0) {
		len = sizeof buf - 1;
		memset(buf, 0, sizeof buf);
		wasix_getcwd(buf, &len);
		printf("child_cwd=%s\n", buf);
		fflush(stdout);
		exit(0);
	}
	join("join", pid, 0);
	return 0;
}

static int p_spawn(void)
{
	wasix_spawn_fd_op_t op[2];
	uint32_t rd = 0, wr = 0, pid = 0xabcd;
	char buf[512];
	__wasi_iovec_t io = {(uint8_t *)buf, sizeof buf - 1};
	__wasi_size_t n = 0;
	int e;

	wasix_fd_pipe(&rd, &wr);
	memset(op, 0, sizeof op);
	op[0].cmd = 1; /* DUP2 wr -> 1 */
	op[0].fd = 1;
	op[0].src_fd = wr;
	e = wasix_proc_spawn2(SELF, strlen(SELF), "probe\nshow\n", 11, NULL, 0,
	                      op, 1, NULL, 0, 0, NULL, 0, &pid);
	out("spawn_dup2_errno", e);
	(void)__wasi_fd_close(wr);
	if (e == 0) {
		size_t got = 0;
		memset(buf, 0, sizeof buf);
		do {
			io.buf = (uint8_t *)buf + got;
			io.buf_len = sizeof buf - 1 - got;
			n = 0;
			if (__wasi_fd_read(rd, &io, 1, &n) != 0)
				break;
			got += n;
		} while (n > 0 && got < sizeof buf - 1);
		printf("spawn_child_said=%s", got ? buf : "(nothing)\n");
		join("spawn_join", pid, 0);
	}
	/* CHDIR /sub, then OPEN /text.txt as fd 12 (read), then exec. */
	memset(op, 0, sizeof op);
	op[0].cmd = 3;
	op[0].path = "/sub";
	op[0].path_len = 4;
	op[1].cmd = 2;
	op[1].fd = 12;
	op[1].path = "/text.txt";
	op[1].path_len = 9;
	op[1].rights_base = 0x1fffffffu;
	op[1].rights_inheriting = 0x1fffffffu;
	e = wasix_proc_spawn2(SELF, strlen(SELF), "probe\nshow\n12\n", 14,
	                      NULL, 0, op, 2, NULL, 0, 0, NULL, 0, &pid);
	out("spawn_chdir_open_errno", e);
	if (e == 0)
		join("spawn_chdir_open_join", pid, 0);
	/* OPEN onto fd 0, which is open: POSIX closes it first. */
	memset(op, 0, sizeof op);
	op[0].cmd = 2;
	op[0].path = "/text.txt";
	op[0].path_len = 9;
	op[0].rights_base = 0x1fffffffu;
	op[0].rights_inheriting = 0x1fffffffu;
	e = wasix_proc_spawn2(SELF, strlen(SELF), "probe\nshow\n0\n", 13,
	                      NULL, 0, op, 1, NULL, 0, 0, NULL, 0, &pid);
	out("spawn_open_onto_fd0_errno", e);
	if (e == 0)
		join("spawn_open_onto_fd0_join", pid, 0);
	pid = 0xabcd;
	e = wasix_proc_spawn2("/missing.wasm", 13, "m\n", 2, NULL, 0, NULL, 0,
	                      NULL, 0, 0, NULL, 0, &pid);
	out("spawn_missing_errno", e);
	out("spawn_missing_pid_untouched", pid == 0xabcd);
	join("after_spawn_missing_join_any", 0, 1);
	pid = 0xabcd;
	op[0].cmd = 1;
	op[0].fd = 1;
	op[0].src_fd = 77; /* not open */
	e = wasix_proc_spawn2(SELF, strlen(SELF), "probe\nshow\n", 11, NULL, 0,
	                      op, 1, NULL, 0, 0, NULL, 0, &pid);
	out("spawn_bad_dup2_errno", e);
	out("spawn_bad_dup2_pid_untouched", pid == 0xabcd);
	join("after_bad_dup2_join_any", 0, 1);
	op[0].cmd = 3; /* CHDIR to a missing dir */
	op[0].path = "/nope";
	op[0].path_len = 5;
	e = wasix_proc_spawn2(SELF, strlen(SELF), "probe\nshow\n", 11, NULL, 0,
	                      op, 1, NULL, 0, 0, NULL, 0, &pid);
	out("spawn_bad_chdir_errno", e);
	join("after_bad_chdir_join_any", 0, 1);
	return 0;
}

/* A child spins with no calls until its handler runs; the parent sends
 * USR1 and polls for 3 s, then kills it. */
static int p_spinhandler(void)
{
	uint32_t pid = forked();
	int i;

	if (pid == 0) {
		wasix_callback_signal("px_on_signal", 12);
		while (got_sig == 0)
			;
		__wasi_proc_exit(got_sig + 100);
	}
	sleep_ms(300);
	out("signal_usr1_errno", wasix_proc_signal(pid, 10));
	for (i = 0; i < 300; i++) {
		wasix_option_pid_t o = {1, pid};
		wasix_join_status_t st;

		if (wasix_proc_join(&o, 1, &st) == 0 && st.tag != 0) {
			printf("spinning child ended: tag%d code%d sig%d\n",
			       st.tag, st.code, st.signal);
			return 0;
		}
		sleep_ms(10);
	}
	printf("spinning child still running after 3 s\n");
	fflush(stdout);
	out("signal_kill_errno", wasix_proc_signal(pid, 9));
	join("join_after_kill", pid, 0);
	return 0;
}

static int p_preopens(void)
{
	for (int fd = 3; fd < 10; fd++) {
		__wasi_prestat_t ps;
		char name[128];

		if (__wasi_fd_prestat_get(fd, &ps) != 0)
			continue;
		memset(name, 0, sizeof name);
		if (ps.u.dir.pr_name_len < sizeof name)
			(void)__wasi_fd_prestat_dir_name(fd, (uint8_t *)name,
			                                 ps.u.dir.pr_name_len);
		printf("preopen fd%d=%s\n", fd, name);
	}
	return 0;
}

static int p_execsearch(void)
{
	fflush(stdout);
	out("exec3_search_errno",
	    exec3("show.wasm", "show.wasm\nshow\n", NULL, 1, "/nope:/sub:/"));
	return 0;
}

static int p_stack(void)
{
	uint8_t snap[24];
	uint64_t ret = 77;

	out("stack_checkpoint_errno", px_stack_checkpoint(snap, &ret));
	out("stack_checkpoint_ret", (long long)ret);
	return 0;
}

static int p_forkenv(void)
{
	uint32_t pid = 0xabcd;
	int e = wasix_proc_fork_env(&pid);

	out("fork_env_errno", e);
	out("fork_env_pid", pid);
	if (e == 0) {
		wasix_proc_exit2(9);
		printf("returned_from_exit2\n");
		join("join_fork_env_child", 0, 0);
	}
	return 0;
}

static int p_oldexec(void)
{
	fflush(stdout);
	px_proc_exec("/missing.wasm", 13, "m\n", 2);
	printf("proc_exec_returned\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	if (strcmp(c, "show") == 0)
		return show(argc, argv);
	if (strcmp(c, "fork") == 0)
		return p_fork();
	if (strcmp(c, "codes") == 0)
		return p_codes();
	if (strcmp(c, "sigdeath") == 0)
		return p_sigdeath();
	if (strcmp(c, "kill") == 0)
		return p_kill();
	if (strcmp(c, "interval") == 0 && argc > 2)
		return p_interval(argv[2]);
	if (strcmp(c, "execenv") == 0)
		return p_execenv(argc > 2 ? argv[2] : "");
	if (strcmp(c, "execfail") == 0)
		return p_execfail();
	if (strcmp(c, "execerr") == 0)
		return p_execerr();
	if (strcmp(c, "execkeep") == 0)
		return p_execkeep();
	if (strcmp(c, "fds") == 0)
		return p_fds();
	if (strcmp(c, "cwd") == 0)
		return p_cwd();
	if (strcmp(c, "spawn") == 0)
		return p_spawn();
	if (strcmp(c, "spinhandler") == 0)
		return p_spinhandler();
	if (strcmp(c, "handler") == 0)
		return p_handler();
	if (strcmp(c, "preopens") == 0)
		return p_preopens();
	if (strcmp(c, "execsearch") == 0)
		return p_execsearch();
	if (strcmp(c, "stack") == 0)
		return p_stack();
	if (strcmp(c, "forkenv") == 0)
		return p_forkenv();
	if (strcmp(c, "oldexec") == 0)
		return p_oldexec();
	fprintf(stderr, "probe: unknown sub-command '%s'\n", c);
	return 2;
}
