/*
 * t_wasi.c: unit tests of the WASI preview1 layer, without any module:
 * host functions are called directly on a VM memory of one page, with
 * pipes standing in for the standard streams. Checks the ABI (results
 * written little-endian where the guest asked), EFAULT for every guest
 * pointer or length out of bounds (and nothing transferred then), EBADF,
 * proc_exit, and that all 46 preview1 names resolve.
 *
 * Prints failures and "t_wasi: N passed, M failed"; exits 1 on failure.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "t_check.h"
#include "wasi/wasi_impl.h"

#define PAGE 65536u

struct fixture {
	struct vm_store *store;
	struct vm_memory *mem;
	uint8_t *base;
	struct wasi_ctx *w;
	int in[2], out[2]; /* pipes: guest stdin reads in[0], stdout out[1] */
};

/* Calls host function 'fn' with up to 8 i32/i64 arguments; the errno. */
static uint64_t call(struct fixture *f, vm_host_fn fn, int *rc, uint64_t a0,
                     uint64_t a1, uint64_t a2, uint64_t a3)
{
	uint64_t args[8] = {a0, a1, a2, a3}, res[1] = {~(uint64_t)0};
	struct vm_call c;

	memset(&c, 0, sizeof c);
	c.store = f->store;
	c.memory = f->mem;
	c.args = args;
	c.results = res;
	*rc = fn(&c, f->w);
	if (*rc == WX_EEXIT)
		return (uint64_t)c.exit_code;
	return res[0];
}

static uint32_t get32(struct fixture *f, uint32_t off)
{
	return wasi_get_u32(f->base + off);
}

static void put_iov(struct fixture *f, uint32_t at, uint32_t base, uint32_t len)
{
	wasi_put_u32(f->base + at, base);
	wasi_put_u32(f->base + at + 4, len);
}

static int setup(struct fixture *f)
{
	static const char *const argv[] = {"prog.wasm", "a", "bc"};
	static const char *const envp[] = {"K=V"};
	struct wasm_limits_decl lim = {.min = 1, .max = 1, .has_max = true};
	struct wasi_config wc;
	struct vm_config vc;
	struct diag d = {0};

	vm_config_default(&vc);
	f->store = vm_store_new(&vc);
	f->mem = f->store ? vm_memory_new(f->store, &lim) : NULL;
	if (f->mem == NULL || pipe(f->in) != 0 || pipe(f->out) != 0)
		return -1;
	f->base = vm_memory_data(f->mem);
	memset(&wc, 0, sizeof wc);
	wc.argc = 3;
	wc.argv = argv;
	wc.envc = 1;
	wc.envp = envp;
	wc.stdio[0] = f->in[0];
	wc.stdio[1] = f->out[1];
	wc.stdio[2] = f->out[1];
	fcntl(f->out[0], F_SETFL, O_NONBLOCK);
	return wasi_ctx_new(&wc, &f->w, &d);
}

static void test_args(struct fixture *f)
{
	int rc;

	CHECK(call(f, wasi_args_sizes_get, &rc, 100, 104, 0, 0) == 0);
	CHECK(get32(f, 100) == 3 && get32(f, 104) == 15);
	CHECK(call(f, wasi_args_get, &rc, 200, 300, 0, 0) == 0);
	CHECK(get32(f, 200) == 300 && get32(f, 204) == 310 &&
	      get32(f, 208) == 312);
	CHECK(memcmp(f->base + 300, "prog.wasm\0a\0bc\0", 15) == 0);
	CHECK(call(f, wasi_environ_sizes_get, &rc, 100, 104, 0, 0) == 0);
	CHECK(get32(f, 100) == 1 && get32(f, 104) == 4);
	CHECK(call(f, wasi_environ_get, &rc, 200, 300, 0, 0) == 0);
	CHECK(get32(f, 200) == 300 && memcmp(f->base + 300, "K=V", 4) == 0);
	/* Out of bounds, by one byte and far. */
	CHECK(call(f, wasi_args_get, &rc, PAGE - 11, 0, 0, 0) == WASI_EFAULT);
	CHECK(call(f, wasi_args_get, &rc, 0, PAGE - 14, 0, 0) == WASI_EFAULT);
	CHECK(call(f, wasi_args_get, &rc, 0, PAGE - 15, 0, 0) == 0);
	CHECK(call(f, wasi_args_sizes_get, &rc, PAGE - 3, 0, 0, 0) ==
	      WASI_EFAULT);
	CHECK(call(f, wasi_environ_sizes_get, &rc, 0, 0xffffffff, 0, 0) ==
	      WASI_EFAULT);
}

static void test_write(struct fixture *f)
{
	char buf[64];
	int rc;

	memcpy(f->base + 1000, "hello, ", 7);
	memcpy(f->base + 2000, "world\n", 6);
	put_iov(f, 100, 1000, 7);
	put_iov(f, 108, 2000, 6);
	CHECK(call(f, wasi_fd_write, &rc, 1, 100, 2, 120) == 0);
	CHECK(get32(f, 120) == 13);
	CHECK(read(f->out[0], buf, sizeof buf) == 13);
	CHECK(memcmp(buf, "hello, world\n", 13) == 0);
	/* A bad second buffer: EFAULT and nothing written. */
	put_iov(f, 108, PAGE - 2, 3);
	CHECK(call(f, wasi_fd_write, &rc, 1, 100, 2, 120) == WASI_EFAULT);
	CHECK(read(f->out[0], buf, sizeof buf) < 0);
	CHECK(call(f, wasi_fd_write, &rc, 1, 100, 0xffffffff, 120) ==
	      WASI_EFAULT);
	CHECK(call(f, wasi_fd_write, &rc, 1, PAGE - 4, 1, 120) == WASI_EFAULT);
	CHECK(call(f, wasi_fd_write, &rc, 1, 100, 1, PAGE - 3) == WASI_EFAULT);
	CHECK(call(f, wasi_fd_write, &rc, 1, 100, 0, 120) == 0);
	CHECK(get32(f, 120) == 0);
	CHECK(call(f, wasi_fd_write, &rc, 40, 100, 1, 120) == WASI_EBADF);
	CHECK(call(f, wasi_fd_write, &rc, 0xffffffff, 100, 1, 120) ==
	      WASI_EBADF);
}

static void test_read(struct fixture *f)
{
	int rc;

	CHECK(write(f->in[1], "abcdef", 6) == 6);
	put_iov(f, 100, 1000, 2);
	put_iov(f, 108, 2000, 10);
	CHECK(call(f, wasi_fd_read, &rc, 0, 100, 2, 120) == 0);
	CHECK(get32(f, 120) == 6);
	CHECK(memcmp(f->base + 1000, "ab", 2) == 0);
	CHECK(memcmp(f->base + 2000, "cdef", 4) == 0);
	put_iov(f, 100, PAGE - 1, 2);
	CHECK(call(f, wasi_fd_read, &rc, 0, 100, 1, 120) == WASI_EFAULT);
}

static void test_fd_misc(struct fixture *f)
{
	int rc;

	CHECK(call(f, wasi_fd_fdstat_get, &rc, 1, 400, 0, 0) == 0);
	CHECK(f->base[400] == 0); /* a pipe: filetype unknown */
	CHECK(call(f, wasi_fd_fdstat_get, &rc, 1, PAGE - 23, 0, 0) ==
	      WASI_EFAULT);
	CHECK(call(f, wasi_fd_fdstat_get, &rc, 40, 400, 0, 0) == WASI_EBADF);
	CHECK(call(f, wasi_fd_seek, &rc, 1, 0, 0, 400) == WASI_ESPIPE);
	CHECK(call(f, wasi_fd_tell, &rc, 2, 400, 0, 0) == WASI_ESPIPE);
	CHECK(call(f, wasi_fd_prestat_get, &rc, 3, 400, 0, 0) == WASI_EBADF);
	CHECK(call(f, wasi_fd_prestat_dir_name, &rc, 3, 400, 8, 0) ==
	      WASI_EBADF);
	CHECK(call(f, wasi_fd_close, &rc, 2, 0, 0, 0) == 0);
	CHECK(call(f, wasi_fd_close, &rc, 2, 0, 0, 0) == WASI_EBADF);
	put_iov(f, 100, 1000, 1);
	CHECK(call(f, wasi_fd_write, &rc, 2, 100, 1, 120) == WASI_EBADF);
}

static void test_clock_random(struct fixture *f)
{
	uint64_t t1, t2;
	int rc, i, nonzero = 0;

	CHECK(call(f, wasi_clock_time_get, &rc, 1, 1, 500, 0) == 0);
	t1 = (uint64_t)get32(f, 500) | (uint64_t)get32(f, 504) << 32;
	CHECK(call(f, wasi_clock_time_get, &rc, 1, 1, 500, 0) == 0);
	t2 = (uint64_t)get32(f, 500) | (uint64_t)get32(f, 504) << 32;
	CHECK(t2 >= t1 && t1 > 0);
	CHECK(call(f, wasi_clock_time_get, &rc, 4, 1, 500, 0) == WASI_EINVAL);
	CHECK(call(f, wasi_clock_time_get, &rc, 0, 1, PAGE - 7, 0) ==
	      WASI_EFAULT);
	CHECK(call(f, wasi_clock_res_get, &rc, 2, 500, 0, 0) == 0);
	CHECK(call(f, wasi_clock_res_get, &rc, 2, PAGE - 4, 0, 0) ==
	      WASI_EFAULT);
	memset(f->base + PAGE - 64, 0, 64);
	CHECK(call(f, wasi_random_get, &rc, PAGE - 64, 64, 0, 0) == 0);
	for (i = 0; i < 64; i++)
		nonzero += f->base[PAGE - 64 + i] != 0;
	CHECK(nonzero > 0);
	CHECK(call(f, wasi_random_get, &rc, PAGE - 64, 65, 0, 0) ==
	      WASI_EFAULT);
	CHECK(call(f, wasi_random_get, &rc, 0, 0xffffffff, 0, 0) ==
	      WASI_EFAULT);
	CHECK(call(f, wasi_sched_yield, &rc, 0, 0, 0, 0) == 0);
}

/* All 46 names resolve in the right module only, with their types. */
static void test_resolve(struct fixture *f)
{
	static const char *const names[] = {
	    "args_get",
	    "args_sizes_get",
	    "environ_get",
	    "environ_sizes_get",
	    "clock_res_get",
	    "clock_time_get",
	    "fd_advise",
	    "fd_allocate",
	    "fd_close",
	    "fd_datasync",
	    "fd_fdstat_get",
	    "fd_fdstat_set_flags",
	    "fd_fdstat_set_rights",
	    "fd_filestat_get",
	    "fd_filestat_set_size",
	    "fd_filestat_set_times",
	    "fd_pread",
	    "fd_prestat_get",
	    "fd_prestat_dir_name",
	    "fd_pwrite",
	    "fd_read",
	    "fd_readdir",
	    "fd_renumber",
	    "fd_seek",
	    "fd_sync",
	    "fd_tell",
	    "fd_write",
	    "path_create_directory",
	    "path_filestat_get",
	    "path_filestat_set_times",
	    "path_link",
	    "path_open",
	    "path_readlink",
	    "path_remove_directory",
	    "path_rename",
	    "path_symlink",
	    "path_unlink_file",
	    "poll_oneoff",
	    "proc_exit",
	    "proc_raise",
	    "sched_yield",
	    "random_get",
	    "sock_accept",
	    "sock_recv",
	    "sock_send",
	    "sock_shutdown",
	};
	struct wasm_import imp;
	struct vm_extern ext;
	const struct wasm_functype *ft;
	size_t i;

	memset(&imp, 0, sizeof imp);
	imp.kind = WASM_EXT_FUNC;
	imp.module = WASI_MODULE;
	imp.module_len = (uint32_t)strlen(WASI_MODULE);
	CHECK(WX_ARRAY_LEN(names) == 46);
	for (i = 0; i < WX_ARRAY_LEN(names); i++) {
		imp.name = names[i];
		imp.name_len = (uint32_t)strlen(names[i]);
		CHECK(wasi_resolve(f->w, f->store, NULL, &imp, &ext) == 0);
	}
	imp.name = "path_open";
	imp.name_len = 9;
	CHECK(wasi_resolve(f->w, f->store, NULL, &imp, &ext) == 0);
	ft = vm_func_type(ext.u.func);
	CHECK(ft->nparams == 9 && ft->nresults == 1);
	CHECK(ft->types[5] == WASM_I64 && ft->types[9] == WASM_I32);
	imp.name = "proc_exit";
	imp.name_len = 9;
	CHECK(wasi_resolve(f->w, f->store, NULL, &imp, &ext) == 0);
	ft = vm_func_type(ext.u.func);
	CHECK(ft->nparams == 1 && ft->nresults == 0);
	/* A memory64 module: pointers and sizes are i64, the rest keep
	 * their width (fd_write(fd, iovs, iovs_len, *nwritten)). */
	{
		struct wasm_limits_decl mem64 = {.min = 1, .is64 = true};
		struct wasm_module m64;

		memset(&m64, 0, sizeof m64);
		m64.nmemories = 1;
		m64.memories = &mem64;
		CHECK(wasi_module_is64(&m64) && !wasi_module_is64(NULL));
		imp.name = "fd_write";
		imp.name_len = 8;
		CHECK(wasi_resolve(f->w, f->store, &m64, &imp, &ext) == 0);
		ft = vm_func_type(ext.u.func);
		CHECK(ft->nparams == 4 && ft->nresults == 1);
		CHECK(ft->types[0] == WASM_I32 && ft->types[1] == WASM_I64 &&
		      ft->types[2] == WASM_I64 && ft->types[3] == WASM_I64 &&
		      ft->types[4] == WASM_I32);
		CHECK(wasi_resolve(f->w, f->store, NULL, &imp, &ext) == 0);
		ft = vm_func_type(ext.u.func);
		CHECK(ft->types[1] == WASM_I32 && ft->types[3] == WASM_I32);
	}
	imp.name = "fd_writ";
	imp.name_len = 7;
	CHECK(wasi_resolve(f->w, f->store, NULL, &imp, &ext) == WX_ELINK);
	imp.name = "fd_write";
	imp.name_len = 8;
	imp.module = "wasi_unstable";
	imp.module_len = 13;
	CHECK(wasi_resolve(f->w, f->store, NULL, &imp, &ext) == WX_ELINK);
}

static void test_exit(struct fixture *f)
{
	int rc, code = -1;

	CHECK(!wasi_exited(f->w, &code));
	CHECK(call(f, wasi_proc_exit, &rc, 300, 0, 0, 0) == 300);
	CHECK(rc == WX_EEXIT);
	CHECK(wasi_exited(f->w, &code) && code == 300);
}

int main(void)
{
	struct fixture f;

	memset(&f, 0, sizeof f);
	if (setup(&f) != 0) {
		printf("t_wasi: setup failed\n");
		return 1;
	}
	test_args(&f);
	test_write(&f);
	test_read(&f);
	test_fd_misc(&f);
	test_clock_random(&f);
	test_resolve(&f);
	test_exit(&f);
	wasi_ctx_free(f.w);
	vm_store_free(f.store);
	return t_report("t_wasi");
}
