/*
 * w64_c.c: a freestanding C program (no libc: w64_imports.h declares its
 * imports) that run_wasix.sh builds with clang for wasm32 and for wasm64
 * (memory64, "wasix_64v1") and runs both: they must print the same lines.
 * It reads argv and environ, writes a file with two iovecs and reads it
 * back with fd_pread, stats it, lists the directory, runs a signal
 * handler, forks a child that execs this program (which exits 9), and
 * spawns this program with an fd action that sends its stdout to a file
 * (the 64-bit layout of the spawn fd action), then prints that file; it
 * also calls a function through its (pointer-wide) function pointer
 * with call_dynamic and reads its type with reflect_signature.
 * A failed step exits with its own code (10 and up).
 */
#include "w64_imports.h"

#define RIGHTS_ALL 0x3fffffffu
#define O_CREAT    1u
#define O_TRUNC    8u

static char argbuf[512], envbuf[512], rbuf[256];
static char *argv[16], *envp[16];
static uint8_t dirbuf[1024];
static struct w64_fdop op;

static size_t slen(const char *s)
{
	size_t n = 0;

	while (s[n] != 0)
		n++;
	return n;
}

static void out(const char *s, size_t n)
{
	struct w64_iovec v = {s, n};
	size_t done;

	if (w64_fd_write(1, &v, 1, &done) != 0 || done != n)
		w64_proc_exit(9);
}

static void say(const char *s)
{
	out(s, slen(s));
}

static void check(int ok, int code)
{
	if (!ok)
		w64_proc_exit(code);
}

/* Reached through its function pointer only. */
static int64_t add(int32_t a, int64_t b)
{
	return a + b;
}

static int64_t (*volatile add_ptr)(int32_t, int64_t) = add;

__attribute__((export_name("on_sig"))) void on_sig(int sig)
{
	if (sig == 10)
		say("signal 10\n");
}

/* Joins 'pid' and returns its exit code (-1 if it did not exit). */
static int join(uint32_t pid)
{
	uint32_t opt[2] = {1, pid};
	uint8_t st[8];

	check(w64_proc_join(opt, 0, st) == 0, 30);
	return st[0] == 1 ? st[2] | st[3] << 8 : -1;
}

/* Prints the file 'name' under fd 3 and removes it. */
static void show(const char *name, int code)
{
	struct w64_iovec v = {rbuf, sizeof rbuf};
	size_t n;
	int fd;

	check(w64_path_open(3, 0, name, slen(name), 0, RIGHTS_ALL, RIGHTS_ALL,
	                    0, &fd) == 0,
	      code);
	check(w64_fd_pread(fd, &v, 1, 0, &n) == 0, code + 1);
	out(rbuf, n);
	check(w64_fd_close(fd) == 0, code + 2);
	check(w64_path_unlink_file(3, name, slen(name)) == 0, code + 3);
}

void _start(void)
{
	struct w64_iovec iov[2] = {{"hello ", 6}, {"world\n", 6}};
	size_t argc, bytes, n, i;
	uint64_t st[8];
	uint32_t pid;
	char cwd[64];
	int fd;

	check(w64_args_sizes_get(&argc, &bytes) == 0, 10);
	check(argc >= 2 && argc <= 16 && bytes <= sizeof argbuf, 11);
	check(w64_args_get(argv, argbuf) == 0, 12);
	if (argv[1][0] == 'e') { /* exec'd by the fork child */
		say("exec'd\n");
		w64_proc_exit(9);
	}
	if (argv[1][0] == 's') { /* spawned: stdout is spawn.txt */
		say("spawned\n");
		w64_proc_exit(0);
	}
	say(argv[1]);
	say("\n");

	check(w64_environ_sizes_get(&n, &bytes) == 0, 13);
	check(n <= 16 && bytes <= sizeof envbuf, 14);
	check(w64_environ_get(envp, envbuf) == 0, 15);
	for (i = 0; i < n; i++)
		if (envp[i][0] == 'W' && envp[i][1] == '6' &&
		    envp[i][2] == '4') {
			say(envp[i]);
			say("\n");
		}

	check(w64_path_open(3, 0, "c64.txt", 7, O_CREAT | O_TRUNC, RIGHTS_ALL,
	                    RIGHTS_ALL, 0, &fd) == 0,
	      16);
	check(w64_fd_write(fd, iov, 2, &n) == 0 && n == 12, 17);
	check(w64_fd_filestat_get(fd, st) == 0 && st[4] == 12, 18);
	check(w64_fd_close(fd) == 0, 19);
	show("c64.txt", 20);

	check(w64_fd_readdir(3, dirbuf, sizeof dirbuf, 0, &n) == 0 && n > 24,
	      24);
	n = sizeof cwd;
	check(w64_getcwd(cwd, &n) == 0 && n == 1, 25);
	out(cwd, n);
	say("\n");

	{
		uint8_t vals[12] = {40, 0, 0, 0, 2}, types[3], sig[6];
		int64_t sum = 0;
		size_t fn = (size_t)add_ptr;

		check(add_ptr(1, 2) == 3, 37); /* a call_indirect: a table */
		check(w64_call_dynamic(fn, vals, 12, &sum, 8, 1) == 0 &&
		          sum == 42,
		      34);
		check(w64_reflect_signature(fn, types, 2, types + 2, 1, sig) ==
		              0 &&
		          sig[2] == 2 && sig[4] == 1 && types[0] == 0 &&
		          types[1] == 1 && types[2] == 1,
		      35);
		say("call_dynamic 42\n");
	}

	w64_callback_signal("on_sig", 6);
	check(w64_proc_raise(10) == 0, 26);

	check(w64_proc_fork(1, &pid) == 0, 27);
	if (pid == 0) {
		w64_proc_exec3(argv[0], slen(argv[0]), "x\nexec", 6, NULL, 0, 0,
		               NULL, 0);
		w64_proc_exit(28);
	}
	check(join(pid) == 9, 29);
	say("joined 9\n");

	op.cmd = 2;
	op.fd = 1;
	op.path = "spawn.txt";
	op.path_len = 9;
	op.oflags = O_CREAT | O_TRUNC;
	op.rights_base = RIGHTS_ALL;
	op.rights_inheriting = RIGHTS_ALL;
	check(w64_proc_spawn2(argv[0], slen(argv[0]), "x\nspawned", 9, NULL, 0,
	                      &op, 1, NULL, 0, 0, NULL, 0, &pid) == 0,
	      31);
	check(join(pid) == 0, 32);
	show("spawn.txt", 33);
	w64_proc_exit(0);
}
