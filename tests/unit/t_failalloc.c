/*
 * t_failalloc.c: failure injection (issue 17). Each scenario goes
 * through the public API and so through the text front end, the
 * decoder, the validator, instantiation, WASI setup and calls, and the
 * WASIX context, its calls and an exec. A scenario runs once to count
 * its allocations; then, for every i below that count, it runs again
 * with allocation i failing: once in "sticky" mode (every allocation
 * from i on fails) and once in "once" mode (only allocation i fails).
 *
 * Each run must end cleanly: a run that failed says "out of memory" in
 * its status and its one-line message, a run that succeeded exits as
 * the program does (a guest that saw ENOMEM from a call may end
 * differently; its exit code is then one the program can give). No
 * crash and no leak: the blocks of the library's allocator (set with
 * wasmix_set_allocator) all go back, and under ASan LeakSanitizer
 * checks each fork child too.
 *
 * Prints failures and "t_failalloc: N passed, M failed"; exits 1 on
 * failure.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "t_check.h"
#include "wasmix.h"

/*
 * A WASI program: args, env, stdout, a file beneath the preopen, a
 * directory listing, mkdir, stat and rmdir.
 */
static const char wasi_wat[] =
    "(module\n"
    " (import \"wasi_snapshot_preview1\" \"args_sizes_get\"\n"
    "  (func $asg (param i32 i32) (result i32)))\n"
    " (import \"wasi_snapshot_preview1\" \"args_get\"\n"
    "  (func $ag (param i32 i32) (result i32)))\n"
    " (import \"wasi_snapshot_preview1\" \"environ_get\"\n"
    "  (func $eg (param i32 i32) (result i32)))\n"
    " (import \"wasi_snapshot_preview1\" \"fd_write\"\n"
    "  (func $fw (param i32 i32 i32 i32) (result i32)))\n"
    " (import \"wasi_snapshot_preview1\" \"path_open\"\n"
    "  (func $po (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result "
    "i32)))\n"
    " (import \"wasi_snapshot_preview1\" \"fd_read\"\n"
    "  (func $fr (param i32 i32 i32 i32) (result i32)))\n"
    " (import \"wasi_snapshot_preview1\" \"fd_close\"\n"
    "  (func $fc (param i32) (result i32)))\n"
    " (import \"wasi_snapshot_preview1\" \"proc_exit\"\n"
    "  (func $exit (param i32)))\n"
    " (import \"wasi_snapshot_preview1\" \"fd_readdir\"\n"
    "  (func $rd (param i32 i32 i32 i64 i32) (result i32)))\n"
    " (import \"wasi_snapshot_preview1\" \"path_create_directory\"\n"
    "  (func $mkd (param i32 i32 i32) (result i32)))\n"
    " (import \"wasi_snapshot_preview1\" \"path_remove_directory\"\n"
    "  (func $rmd (param i32 i32 i32) (result i32)))\n"
    " (import \"wasi_snapshot_preview1\" \"path_filestat_get\"\n"
    "  (func $st (param i32 i32 i32 i32 i32) (result i32)))\n"
    " (memory (export \"memory\") 1)\n"
    " (table 4 funcref)\n"
    " (global $g (mut i32) (i32.const 7))\n"
    " (elem (i32.const 0) $one)\n"
    " (func $one (result i32) (i32.const 1))\n"
    " (data (i32.const 100) \"hello\\n\")\n"
    " (data (i32.const 200) \"f.txt\")\n"
    " (data (i32.const 210) \"newdir\")\n"
    " (func (export \"_start\")\n"
    "  (drop (call $asg (i32.const 0) (i32.const 4)))\n"
    "  (drop (call $ag (i32.const 1024) (i32.const 2048)))\n"
    "  (drop (call $eg (i32.const 3072) (i32.const 4096)))\n"
    "  (i32.store (i32.const 300) (i32.const 100))\n"
    "  (i32.store (i32.const 304) (i32.const 6))\n"
    "  (drop (call $fw (i32.const 1) (i32.const 300) (i32.const 1)\n"
    "   (i32.const 308)))\n"
    "  (if (i32.eqz (call $po (i32.const 3) (i32.const 0) (i32.const 200)\n"
    "    (i32.const 5) (i32.const 0) (i64.const 2) (i64.const 0)\n"
    "    (i32.const 0) (i32.const 312)))\n"
    "   (then\n"
    "    (i32.store (i32.const 320) (i32.const 400))\n"
    "    (i32.store (i32.const 324) (i32.const 16))\n"
    "    (drop (call $fr (i32.load (i32.const 312)) (i32.const 320)\n"
    "     (i32.const 1) (i32.const 328)))\n"
    "    (drop (call $fc (i32.load (i32.const 312))))))\n"
    "  (drop (call $rd (i32.const 3) (i32.const 5000) (i32.const 512)\n"
    "   (i64.const 0) (i32.const 332)))\n"
    "  (drop (call $mkd (i32.const 3) (i32.const 210) (i32.const 6)))\n"
    "  (drop (call $st (i32.const 3) (i32.const 0) (i32.const 210)\n"
    "   (i32.const 6) (i32.const 6000)))\n"
    "  (drop (call $rmd (i32.const 3) (i32.const 210) (i32.const 6)))\n"
    "  (global.set $g (call_indirect (result i32) (i32.const 0)))\n"
    "  (call $exit (global.get $g))))\n";

/*
 * A WASIX program: a thread (which ends at once), cwd, pid, dup, pipe,
 * then exec of /p.wasm.
 */
static const char wasix_wat[] =
    "(module\n"
    " (import \"wasix_32v1\" \"getcwd\" (func $cwd (param i32 i32) (result "
    "i32)))\n"
    " (import \"wasix_32v1\" \"chdir\" (func $cd (param i32 i32) (result "
    "i32)))\n"
    " (import \"wasix_32v1\" \"proc_id\" (func $pid (param i32) (result "
    "i32)))\n"
    " (import \"wasix_32v1\" \"fd_dup\" (func $dup (param i32 i32) (result "
    "i32)))\n"
    " (import \"wasix_32v1\" \"fd_pipe\" (func $pipe (param i32 i32) "
    "(result i32)))\n"
    " (import \"wasix_32v1\" \"proc_exec4\" (func $exec4 (param i32 i32 i32 "
    "i32 i32 i32 i32 i32 i32) (result i32)))\n"
    " (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param "
    "i32)))\n"
    " (import \"wasi\" \"thread-spawn\" (func $spawn (param i32) (result "
    "i32)))\n"
    " (import \"env\" \"memory\" (memory 1 1 shared))\n"
    " (func (export \"wasi_thread_start\") (param i32 i32))\n"
    " (data (i32.const 16) \"/p.wasm\")\n"
    " (data (i32.const 32) \"/sub\")\n"
    " (data (i32.const 64) \"\\10\\00\\00\\00\")\n"
    " (func (export \"_start\")\n"
    "  (drop (call $spawn (i32.const 0)))\n"
    "  (i32.store (i32.const 200) (i32.const 64))\n"
    "  (drop (call $cwd (i32.const 100) (i32.const 200)))\n"
    "  (drop (call $cd (i32.const 32) (i32.const 4)))\n"
    "  (drop (call $pid (i32.const 204)))\n"
    "  (drop (call $dup (i32.const 1) (i32.const 208)))\n"
    "  (drop (call $pipe (i32.const 212) (i32.const 216)))\n"
    "  (drop (call $exec4 (i32.const 16) (i32.const 7) (i32.const 64)\n"
    "   (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)\n"
    "   (i32.const 0) (i32.const 0)))\n"
    "  (call $exit (i32.const 3))))\n";

/* What /p.wasm is: exits with 5. */
static const char exec_wat[] =
    "(module\n"
    " (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $e (param "
    "i32)))\n"
    " (memory (export \"memory\") 1)\n"
    " (func (export \"_start\") (call $e (i32.const 5))))\n";

static uint8_t *wasix_bin;
static size_t wasix_len;
static char dir[64];
static int devnull = -1;

/* Checks the outcome of one run: a clean error, or a normal end. */
static bool clean(int st, const char *err, int code, const int *codes,
                  size_t ncodes)
{
	if (st == WASMIX_NOMEM)
		return strstr(err, "out of memory") != NULL;
	if (st != WASMIX_OK)
		return false;
	for (size_t i = 0; i < ncodes; i++)
		if (code == codes[i])
			return true;
	return false;
}

/* A config like the command line's, made under the injector too. */
static int make_config(wasmix_config **out)
{
	static const char *const argv[] = {"prog", "a", "bb"};
	wasmix_config *c = wasmix_config_new();
	int st = WASMIX_NOMEM;

	*out = c;
	if (c == NULL)
		return WASMIX_NOMEM;
	/* In this process, as the command line runs guests: the injector
	 * counts this process's allocations only. */
	wasmix_config_set_isolate(c, 0);
	wasmix_config_set_stdio(c, devnull, devnull, devnull);
	if (wasmix_config_set_args(c, 3, argv) != WASMIX_OK ||
	    wasmix_config_add_env(c, "A=1") != WASMIX_OK ||
	    wasmix_config_add_env(c, "PATH=/") != WASMIX_OK ||
	    wasmix_config_add_dir(c, dir, "/") != WASMIX_OK ||
	    wasmix_config_map_command(c, "p", "/nonexistent") != WASMIX_OK)
		return st;
	return WASMIX_OK;
}

/* One run of 'bin'; the clean() verdict. */
static bool run_module(const uint8_t *bin, size_t len, const int *codes,
                       size_t ncodes)
{
	wasmix_config *c;
	char err[256] = "";
	int code = -1, st;

	st = make_config(&c);
	if (st == WASMIX_OK)
		st = wasmix_run_bytes(c, bin, len, "m.wasm", &code, err,
		                      sizeof err);
	else
		snprintf(err, sizeof err, "out of memory (config)");
	wasmix_config_free(c);
	if (!clean(st, err, code, codes, ncodes)) {
		printf("  status %d, exit %d: %s\n", st, code, err);
		return false;
	}
	return true;
}

static bool sc_wat(void)
{
	uint8_t *out = NULL;
	size_t n = 0;
	char err[256] = "";
	int st = wasmix_wat2wasm("w.wat", wasi_wat, sizeof wasi_wat - 1, &out,
	                         &n, err, sizeof err);

	wasmix_free(out);
	if (st == WASMIX_OK || (st == WASMIX_NOMEM && err[0] != 0))
		return true;
	printf("  wat2wasm: status %d: %s\n", st, err);
	return false;
}

static bool sc_wasi(void)
{
	static const int codes[] = {1};

	/* The text itself: the run converts it (src/wat) first. */
	return run_module((const uint8_t *)wasi_wat, sizeof wasi_wat - 1, codes,
	                  1);
}

static bool sc_wasix(void)
{
	/* 5: the exec'd program; 3: the exec failed (ENOMEM). */
	static const int codes[] = {5, 3};

	return run_module(wasix_bin, wasix_len, codes, 2);
}

/*
 * Runs 'fn' in a fork child, its stderr in a file: a guest thread that
 * cannot go on (out of memory translating its code, say) ends its whole
 * process with status 134, as a trap in a thread does. That and a clean
 * run are fine; the child's own exit checks for leaks under ASan.
 */
static bool in_child(bool (*fn)(void))
{
	char path[128], err[512] = "";
	pid_t pid;
	int st = 0, fd;
	ssize_t n;

	snprintf(path, sizeof path, "%s.err", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return false;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(fd, 2);
		exit(fn() ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid) {
		close(fd);
		return false;
	}
	n = pread(fd, err, sizeof err - 1, 0);
	close(fd);
	unlink(path);
	err[n > 0 ? n : 0] = 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return true;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 134 &&
	    strstr(err, "out of memory") != NULL)
		return true;
	printf("  child status 0x%x: %s\n", st, err);
	return false;
}

/* The WASIX scenario, each run in a child of its own. */
static bool sc_wasix_child(void)
{
	return in_child(sc_wasix);
}

/*
 * Counts the allocations of scenario 'count' (run here), then runs 'fn'
 * with each of them failing in turn, in both modes; one check per run.
 */
static void sweep_counted(const char *name, bool (*count)(void),
                          bool (*fn)(void))
{
	uint64_t before = wx_alloc_count();
	uint64_t n, i;
	int bad = 0;

	CHECK(count());
	n = wx_alloc_count() - before;
	for (int once = 0; once < 2; once++) {
		for (i = 0; i < n + 2; i++) {
			bool ok;

			wx_alloc_fail_after((int64_t)i, once != 0);
			ok = fn();
			wx_alloc_fail_after(-1, false);
			if (!ok && bad++ < 5)
				printf("FAIL %s: allocation %llu of %llu "
				       "failing (%s)\n",
				       name, (unsigned long long)i,
				       (unsigned long long)n,
				       once ? "once" : "sticky");
			CHECK(ok);
		}
	}
	printf("t_failalloc: %s: %llu allocations, each failed in turn "
	       "(2 modes)\n",
	       name, (unsigned long long)n);
}

static void sweep(const char *name, bool (*fn)(void))
{
	sweep_counted(name, fn, fn);
}

/* wat2wasm without injection, for the modules the runs use. */
static uint8_t *compile(const char *text, size_t *len)
{
	uint8_t *out = NULL;
	char err[256];

	if (wasmix_wat2wasm("t.wat", text, strlen(text), &out, len, err,
	                    sizeof err) != WASMIX_OK) {
		printf("FAIL: %s\n", err);
		exit(1);
	}
	return out;
}

/* Writes 'len' bytes to DIR/name; false on failure. */
static bool put_file(const char *name, const void *p, size_t len)
{
	char path[128];
	int fd;
	bool ok;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return false;
	ok = write(fd, p, len) == (ssize_t)len;
	close(fd);
	return ok;
}

/* wasmix_set_allocator: the C library's, counting the live blocks. */
static long live_blocks;

static void *counting_alloc(void *ud, void *ptr, size_t size)
{
	void *p;

	(void)ud;
	if (size == 0) {
		if (ptr != NULL)
			__atomic_fetch_sub(&live_blocks, 1, __ATOMIC_RELAXED);
		free(ptr);
		return NULL;
	}
	p = realloc(ptr, size);
	if (p != NULL && ptr == NULL)
		__atomic_fetch_add(&live_blocks, 1, __ATOMIC_RELAXED);
	return p;
}

int main(void)
{
	uint8_t *exec_bin;
	size_t exec_len;
	char path[128];

	wasmix_set_allocator(counting_alloc, NULL);
	snprintf(dir, sizeof dir, "/tmp/t_failalloc.XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	devnull = open("/dev/null", O_RDWR);
	CHECK(devnull >= 0);
	wasix_bin = compile(wasix_wat, &wasix_len);
	exec_bin = compile(exec_wat, &exec_len);
	snprintf(path, sizeof path, "%s/sub", dir);
	CHECK(mkdir(path, 0755) == 0);
	CHECK(put_file("f.txt", "file text\n", 10));
	CHECK(put_file("p.wasm", exec_bin, exec_len));
	wasmix_free(exec_bin);

	sweep("wat2wasm", sc_wat);
	sweep("decode, validate, instantiate, WASI calls", sc_wasi);
	/* Counted in this process: the children's counts do not come back. */
	sweep_counted("WASIX context, a thread, calls and exec", sc_wasix,
	              sc_wasix_child);

	wasmix_free(wasix_bin);
	/* Every block the library made in this process went back. */
	CHECK(__atomic_load_n(&live_blocks, __ATOMIC_RELAXED) == 0);
	close(devnull);
	unlink(path);
	rmdir(path);
	snprintf(path, sizeof path, "%s/f.txt", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/p.wasm", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/newdir", dir); /* a run cut short */
	rmdir(path);
	CHECK(rmdir(dir) == 0);
	return t_report("t_failalloc");
}
