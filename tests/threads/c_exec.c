/*
 * c_exec.c: exec from a threaded process ends the other threads first.
 * Run as "c_exec MODE" with --map-command execme=<this file's .wasm>:
 *   main    four threads run: one spins (printing "old spin" now and
 *           then), one waits in a futex forever, one sleeps 60 s, one
 *           blocks in fd_read on an empty pipe; then the main thread
 *           execs "execme new".
 *   thread  the same, but a fifth thread execs while the main thread
 *           waits in a futex forever.
 *   fail    the same threads, then an exec of a missing program (exec3):
 *           it must fail with an errno and leave the threads running
 *           (the spinner goes on printing); exits 0.
 *   forkthread  a spawned thread forks; in the child (which has no main
 *           thread) that thread execs "execme new"; the parent joins
 *           the child and prints "forkchild status=S" (S: its exit
 *           code, 7 when the new program ran) and exits 0.
 *   new     the exec'd program: prints "new program tid=T", sleeps
 *           100 ms (the old spinner would print meanwhile if it still
 *           ran), prints "new done" and exits 7.
 * The runner checks the status (7), that "new done" came, and that no
 * "old" line follows "new program". Exits 2..6 on a failed step.
 */
#include "guest.h"

IMPORT("wasix_32v1", "proc_exec")
void guest_exec(const char *name, int32_t nlen, const char *args,
                int32_t alen);
IMPORT("wasix_32v1", "proc_exec3")
int32_t guest_exec3(const char *name, int32_t nlen, const char *args,
                    int32_t alen, const char *envs, int32_t elen,
                    int32_t search, const char *path, int32_t plen);
IMPORT("wasix_32v1", "thread_sleep") int32_t guest_sleep(int64_t ns);
IMPORT("wasix_32v1", "thread_id") int32_t guest_tid(int32_t *tid);
IMPORT("wasix_32v1", "fd_pipe") int32_t guest_pipe(int32_t *r, int32_t *w);
IMPORT("wasi_snapshot_preview1", "fd_read")
int32_t guest_fd_read(int32_t fd, const void *iov, int32_t n, int32_t *nr);
IMPORT("wasi_snapshot_preview1", "args_sizes_get")
int32_t guest_args_sizes(int32_t *argc, int32_t *size);
IMPORT("wasi_snapshot_preview1", "args_get")
int32_t guest_args_get(char **argv, char *buf);
IMPORT("wasix_32v1", "proc_fork")
int32_t guest_fork(int32_t copy_memory, int32_t *pid);
IMPORT("wasix_32v1", "proc_join")
int32_t guest_join(void *option_pid, int32_t flags, void *status);

static int32_t spins_printed, ready, never;
static char argbuf[256];
static char *argv[8];

/* argv[1] (the mode), or "". */
static const char *mode(void)
{
	int32_t argc = 0, size = 0;

	if (guest_args_sizes(&argc, &size) != 0 || argc < 2 || argc > 8 ||
	    size > (int32_t)sizeof argbuf)
		return "";
	guest_args_get(argv, argbuf);
	return argv[1];
}

static int same(const char *a, const char *b)
{
	while (*a != 0 && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static void spinner(void *arg)
{
	uint32_t n = 0;

	(void)arg;
	for (;;) {
		if ((++n & 0x3ffff) == 0) {
			guest_puts("old spin\n");
			__atomic_fetch_add(&spins_printed, 1, __ATOMIC_SEQ_CST);
		}
	}
}

static void waiter(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&ready, 1, __ATOMIC_SEQ_CST);
	for (;;)
		guest_wait(&never, 0, -1);
}

static void sleeper(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&ready, 1, __ATOMIC_SEQ_CST);
	guest_sleep(60000000000ll);
	guest_puts("old sleeper woke\n");
}

static void reader(void *arg)
{
	int32_t r, w, nr;
	char buf[8];
	uint32_t iov[2] = {(uint32_t)(uintptr_t)buf, sizeof buf};

	(void)arg;
	if (guest_pipe(&r, &w) != 0)
		guest_exit(2);
	__atomic_fetch_add(&ready, 1, __ATOMIC_SEQ_CST);
	guest_fd_read(r, iov, 1, &nr);
	guest_puts("old reader returned\n");
}

static void do_exec(void)
{
	static const char name[] = "execme", args[] = "execme\nnew";

	guest_exec(name, sizeof name - 1, args, sizeof args - 1);
	guest_exit(3); /* proc_exec returns only on failure */
}

static void execer(void *arg)
{
	(void)arg;
	do_exec();
}

static int32_t forked_pid = -1;

/* Forks; the child (this thread only) execs, the parent reports the pid. */
static void forker(void *arg)
{
	int32_t pid = -1;

	(void)arg;
	if (guest_fork(1, &pid) != 0)
		guest_exit(8);
	if (pid == 0)
		do_exec(); /* exits 3 if the exec fails */
	__atomic_store_n(&forked_pid, pid, __ATOMIC_SEQ_CST);
	guest_notify(&forked_pid, 1);
}

/* Mode "forkthread": joins the child of 'forker', prints its status. */
static void run_forkthread(void)
{
	struct {
		uint8_t tag;
		uint8_t pad[3];
		int32_t pid;
	} opt = {1, {0}, 0};
	struct {
		uint8_t tag;
		uint8_t pad;
		uint16_t code;
		uint32_t rest[3];
	} st = {0, 0, 0, {0}};
	int32_t pid;

	if (guest_spawn(forker, 0) < 1)
		guest_exit(4);
	while ((pid = __atomic_load_n(&forked_pid, __ATOMIC_SEQ_CST)) < 0)
		guest_wait(&forked_pid, -1, -1);
	opt.pid = pid;
	if (guest_join(&opt, 0, &st) != 0)
		guest_exit(9);
	if (st.tag != 1) /* EXIT_NORMAL */
		guest_exit(10);
	guest_print("forkchild status", st.code);
	guest_exit(0);
}

static void run_new(void)
{
	int32_t tid = 0;

	guest_tid(&tid);
	guest_print("new program tid", (uint64_t)tid);
	guest_sleep(100000000);
	guest_puts("new done\n");
	guest_exit(7);
}

void _start(void)
{
	const char *m = mode();

	if (same(m, "new"))
		run_new();
	if (same(m, "forkthread"))
		run_forkthread();
	if (guest_spawn(spinner, 0) < 1 || guest_spawn(waiter, 0) < 1 ||
	    guest_spawn(sleeper, 0) < 1 || guest_spawn(reader, 0) < 1)
		guest_exit(4);
	while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) < 3 ||
	       __atomic_load_n(&spins_printed, __ATOMIC_SEQ_CST) < 1)
		guest_sleep(1000000);
	guest_sleep(20000000); /* let them block */
	if (same(m, "main"))
		do_exec();
	if (same(m, "fail")) {
		static const char name[] = "missing", args[] = "missing";
		int32_t before;

		if (guest_exec3(name, sizeof name - 1, args, sizeof args - 1, 0,
		                0, 0, 0, 0) == 0)
			guest_exit(6);
		before = __atomic_load_n(&spins_printed, __ATOMIC_SEQ_CST);
		while (__atomic_load_n(&spins_printed, __ATOMIC_SEQ_CST) == before)
			guest_sleep(1000000);
		guest_puts("exec failed, threads run on\n");
		guest_exit(0);
	}
	if (!same(m, "thread") || guest_spawn(execer, 0) < 1)
		guest_exit(5);
	for (;;)
		guest_wait(&never, 0, -1);
}
