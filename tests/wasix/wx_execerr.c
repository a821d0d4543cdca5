/*
 * wx_execerr.c: the exec table of shared/spec/wasix-process.md, row by
 * row, one "ok" line per group:
 *   - resolution errors: ENOENT (absolute, cwd-relative, not on PATH),
 *     ENOTDIR, ENAMETOOLONG (a component over 255 bytes);
 *   - ENOEXEC for what the file holds: text, empty, bad magic, bad
 *     version, truncated, a module that does not validate, one whose
 *     imports do not link, a #! naming a text file, #! nested too deep
 *     (4 levels run);
 *   - EACCES: a directory; on a PATH search an EACCES seen on the way
 *     wins over ENOENT, and a later regular file still runs;
 *   - PATH: pointer 0 means /usr/local/bin:/bin:/usr/bin, an empty
 *     element means the cwd;
 *   - environment: pointer 0 inherits, a list replaces (no merge), an
 *     entry without '=' is EINVAL (exec3 and exec4);
 *   - arguments: exec3 keeps empty entries, an empty list means [name],
 *     exec4 passes '\n' inside an argument;
 *   - proc_exec and proc_exec2 end the caller with status 45 on failure;
 *   - none of the failed execs changed argv, environment, fds or cwd.
 * The guest root (tests/run_wasix.sh) holds wx_child.wasm, bin/wx_child,
 * text.txt, empty.txt, sub/, bad*.wasm, n1.sh..n5.sh, t1.sh, pa/wx_child.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wasix/wasix.h>

#include "wx_check.h"

__attribute__((import_module("wasix_32v1"), import_name("proc_exec"))) void
raw_exec(const char *name, size_t name_len, const char *args, size_t len);
__attribute__((import_module("wasix_32v1"), import_name("proc_exec2"))) void
raw_exec2(const char *name, size_t name_len, const char *args, size_t len,
          const char *envs, size_t envs_len);

static char out[512];

/* Fails with 'err' when exec'd by path (execv) or by PATH search. */
static void expect_err(const char *path, int search, int err)
{
	char *argv[] = {"x", NULL};

	errno = 0;
	CHECK((search ? execvp(path, argv) : execv(path, argv)) == -1);
	if (errno != err) {
		printf("FAIL exec %s: errno %d, want %d\n", path, errno, err);
		exit(1);
	}
}

/*
 * Runs 'fn(arg)' in a child with stdout into 'out'. An exec that returns
 * ends the child with 100 + errno. Returns the exit status (-1 for a
 * signal).
 */
static int run(int (*fn)(const void *), const void *arg)
{
	int p[2], st;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	fflush(stdout);
	CHECK(pipe(p) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		_exit(100 + (fn(arg) == 0 ? 0 : errno));
	}
	close(p[1]);
	while (n + 1 < sizeof out &&
	       (r = read(p[0], out + n, sizeof out - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = 0;
	close(p[0]);
	CHECK(waitpid(pid, &st, 0) == pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_resolution(void)
{
	char long_name[300];

	expect_err("/missing.wasm", 0, ENOENT);
	expect_err("missing.wasm", 0, ENOENT);
	expect_err("missing-cmd", 1, ENOENT);
	expect_err("/text.txt/x.wasm", 0, ENOTDIR);
	memset(long_name, 'a', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = 0;
	expect_err(long_name, 0, ENAMETOOLONG);
	printf("ok ENOENT, ENOTDIR, ENAMETOOLONG\n");
}

static void test_noexec(void)
{
	static const char *const bad[] = {
	    "/text.txt",      "/empty.txt",   "/badmagic.wasm",
	    "/badver.wasm",   "/trunc.wasm",  "/invalid.wasm",
	    "/nolink.wasm",   "/t1.sh",       "/n5.sh",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_err(bad[i], 0, ENOEXEC);
	printf("ok ENOEXEC: text, empty, magic, version, truncated, "
	       "invalid, link, #! text, #! too deep\n");
}

static int exec_path(const void *arg)
{
	char *argv[] = {(char *)arg, "a", NULL};

	return execv(arg, argv);
}

/* exec3 of 'name' with a PATH search over 'path' (NULL: pointer 0). */
static int exec3_search(const char *name, const char *path)
{
	static const char args[] = "wx_child\nexit\n41\n";

	return wasix_proc_exec3(name, strlen(name), args, sizeof args - 1,
	                        NULL, 0, 1, path, path ? strlen(path) : 0);
}

static int exec_default_path(const void *arg)
{
	(void)arg;
	errno = exec3_search("wx_child", NULL);
	return -1;
}

static int exec_empty_elem(const void *arg)
{
	(void)arg;
	errno = exec3_search("wx_child.wasm", "/nope::/none");
	return -1;
}

static int exec_acces_then_file(const void *arg)
{
	(void)arg;
	errno = exec3_search("wx_child", "/pa/dir:/bin");
	return -1;
}

static void test_search(void)
{
	CHECK(run(exec_path, "/n4.sh") == 0 &&
	      strcmp(out, "/n1.sh /n2.sh /n3.sh /n4.sh a\n") == 0);
	expect_err("/sub", 0, EACCES);
	setenv("PATH", "/pa/dir:/nope", 1);
	expect_err("wx_child", 1, EACCES);
	CHECK(run(exec_acces_then_file, NULL) == 41);
	CHECK(run(exec_default_path, NULL) == 41);
	CHECK(chdir("/") == 0);
	CHECK(run(exec_empty_elem, NULL) == 41);
	printf("ok EACCES wins on PATH; default PATH; empty element = cwd; "
	       "4 #! levels run\n");
}

static int exec3_env(const void *arg)
{
	static const char args[] = "wx_child\ncheck\n";
	const char *envs = arg;

	errno = wasix_proc_exec3("/wx_child.wasm", 14, args, sizeof args - 1,
	                         envs, envs ? strlen(envs) : 0, 0, NULL, 0);
	return -1;
}

static void test_env(void)
{
	const char *bad[] = {"FOO=x", "NOEQUALS"};
	char *argv[] = {"x", NULL};

	CHECK(run(exec3_env, NULL) == 0 && strstr(out, " FOO=keep ") != NULL);
	CHECK(run(exec3_env, "BAR=1\n") == 0 &&
	      strstr(out, " FOO=(unset) ") != NULL);
	CHECK(run(exec3_env, "FOO=new\n") == 0 &&
	      strstr(out, " FOO=new ") != NULL);
	errno = wasix_proc_exec3("/wx_child.wasm", 14, "x\n", 2,
	                         "FOO=x\nNOEQUALS\n", 15, 0, NULL, 0);
	CHECK(errno == EINVAL);
	errno = wasix_proc_exec4("/wx_child.wasm", 14,
	                         (const char *const *)argv, 1, bad, 2, 0,
	                         NULL, 0);
	CHECK(errno == EINVAL);
	printf("ok env: inherited, replaced, EINVAL without '='\n");
}

static int exec3_args(const void *arg)
{
	errno = wasix_proc_exec3("/wx_child.wasm", 14, arg, strlen(arg), NULL,
	                         0, 0, NULL, 0);
	return -1;
}

static int exec4_newline(const void *arg)
{
	const char *argv[] = {"wx_child", "echo", "a\nb", "c"};

	(void)arg;
	errno = wasix_proc_exec4("/wx_child.wasm", 14, argv, 4, NULL, 0, 0,
	                         NULL, 0);
	return -1;
}

static int old_exec(const void *arg)
{
	raw_exec("/missing.wasm", 13, "x\n", 2);
	(void)arg;
	return 0; /* not reached: the failure ends the caller (45) */
}

static int old_exec2(const void *arg)
{
	raw_exec2("/text.txt", 9, "x\n", 2, "A=1\n", 4);
	(void)arg;
	return 0;
}

static void test_args(void)
{
	CHECK(run(exec3_args, "wx_child\ncheck\n\n") == 0 &&
	      strstr(out, " argc=3 ") != NULL);
	CHECK(run(exec3_args, "") == 2); /* argv = [name]: argc 1 */
	CHECK(run(exec4_newline, NULL) == 0 && strcmp(out, "a\nb c\n") == 0);
	CHECK(run(old_exec, NULL) == 45);
	CHECK(run(old_exec2, NULL) == 45);
	printf("ok args: empty kept, [] is [name], newline; old forms 45\n");
}

int main(int argc, char **argv)
{
	char cwd[256];
	int keep, shut;

	(void)argc;
	setenv("FOO", "keep", 1);
	keep = open("/text.txt", O_RDONLY);
	shut = open("/text.txt", O_RDONLY);
	CHECK(keep >= 0 && shut >= 0 && fcntl(shut, F_SETFD, FD_CLOEXEC) == 0);
	CHECK(chdir("/sub") == 0);
	test_resolution();
	test_noexec();
	test_search();
	test_env();
	test_args();
	CHECK(strstr(argv[0], "wx_execerr") != NULL);
	CHECK(strcmp(getenv("FOO"), "keep") == 0);
	CHECK(fcntl(keep, F_GETFD) == 0 && fcntl(shut, F_GETFD) == FD_CLOEXEC);
	CHECK(getcwd(cwd, sizeof cwd) != NULL && strcmp(cwd, "/") == 0);
	printf("ok failed execs changed nothing\n");
	return 0;
}
