/*
 * w2c_wasi.c: the few WASI preview1 calls the benchmark programs make,
 * for a module translated by wabt's wasm2c (bench/run_aot.sh builds it
 * with the output of 'wasm2c -n m', never committed). Not a sandbox and
 * not a WASI implementation: just enough to run CoreMark and
 * bench/kernels for a speed comparison. Build with -DW2C_HEADER="m.h".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include W2C_HEADER

struct Z_wasi_snapshot_preview1_instance_t {
	wasm_rt_memory_t *mem;
	int argc;
	char **argv;
};

static uint8_t *mem_at(struct Z_wasi_snapshot_preview1_instance_t *w,
                       uint32_t p, uint32_t n)
{
	if ((uint64_t)p + n > w->mem->size) {
		fprintf(stderr, "w2c_wasi: out of bounds\n");
		exit(134);
	}
	return w->mem->data + p;
}

static void put32(struct Z_wasi_snapshot_preview1_instance_t *w, uint32_t p,
                  uint32_t v)
{
	memcpy(mem_at(w, p, 4), &v, 4);
}

u32 Z_wasi_snapshot_preview1Z_args_sizes_get(
    struct Z_wasi_snapshot_preview1_instance_t *w, u32 argc, u32 size)
{
	uint32_t n = 0;
	for (int i = 0; i < w->argc; i++)
		n += (uint32_t)strlen(w->argv[i]) + 1;
	put32(w, argc, (uint32_t)w->argc);
	put32(w, size, n);
	return 0;
}

u32 Z_wasi_snapshot_preview1Z_args_get(
    struct Z_wasi_snapshot_preview1_instance_t *w, u32 argv, u32 buf)
{
	for (int i = 0; i < w->argc; i++) {
		uint32_t n = (uint32_t)strlen(w->argv[i]) + 1;
		put32(w, argv + 4 * (uint32_t)i, buf);
		memcpy(mem_at(w, buf, n), w->argv[i], n);
		buf += n;
	}
	return 0;
}

u32 Z_wasi_snapshot_preview1Z_clock_time_get(
    struct Z_wasi_snapshot_preview1_instance_t *w, u32 id, u64 prec, u32 out)
{
	struct timespec ts;
	(void)prec;
	clock_gettime(id == 0 ? CLOCK_REALTIME : CLOCK_MONOTONIC, &ts);
	uint64_t ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	memcpy(mem_at(w, out, 8), &ns, 8);
	return 0;
}

u32 Z_wasi_snapshot_preview1Z_fd_close(
    struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd)
{
	(void)w, (void)fd;
	return 0;
}

u32 Z_wasi_snapshot_preview1Z_fd_fdstat_get(
    struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd, u32 out)
{
	memset(mem_at(w, out, 24), 0, 24);
	*mem_at(w, out, 1) = fd <= 2 ? 2 : 0; /* character device */
	return fd <= 2 ? 0 : 8;
}

u32 Z_wasi_snapshot_preview1Z_fd_seek(
    struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd, u64 off, u32 wh,
    u32 out)
{
	(void)w, (void)fd, (void)off, (void)wh, (void)out;
	return 70; /* ESPIPE */
}

u32 Z_wasi_snapshot_preview1Z_fd_write(
    struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd, u32 iov, u32 n,
    u32 out)
{
	uint32_t total = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t p, len;
		memcpy(&p, mem_at(w, iov + 8 * i, 4), 4);
		memcpy(&len, mem_at(w, iov + 8 * i + 4, 4), 4);
		if (write(fd == 2 ? 2 : 1, mem_at(w, p, len), len) < 0)
			return 29; /* EIO */
		total += len;
	}
	put32(w, out, total);
	return 0;
}

void Z_wasi_snapshot_preview1Z_proc_exit(
    struct Z_wasi_snapshot_preview1_instance_t *w, u32 code)
{
	(void)w;
	exit((int)code);
}

u32 Z_wasi_snapshot_preview1Z_environ_sizes_get(
    struct Z_wasi_snapshot_preview1_instance_t *w, u32 count, u32 size)
{
	put32(w, count, 0);
	put32(w, size, 0);
	return 0;
}

u32 Z_wasi_snapshot_preview1Z_environ_get(
    struct Z_wasi_snapshot_preview1_instance_t *w, u32 env, u32 buf)
{
	(void)w, (void)env, (void)buf;
	return 0;
}

/* No preopened directories: the scan ends at fd 3. */
u32 Z_wasi_snapshot_preview1Z_fd_prestat_get(
    struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd, u32 out)
{
	(void)w, (void)fd, (void)out;
	return 8; /* EBADF */
}

/* Everything else a program may import: ENOSYS. */
#define W       S_ *w
#define S_      struct Z_wasi_snapshot_preview1_instance_t
#define ENOSYS_ 52
u32 Z_wasi_snapshot_preview1Z_fd_fdstat_set_flags(W, u32 a, u32 b)
{
	(void)w, (void)a, (void)b;
	return ENOSYS_;
}
u32 Z_wasi_snapshot_preview1Z_fd_filestat_get(W, u32 a, u32 b)
{
	(void)w, (void)a, (void)b;
	return ENOSYS_;
}
u32 Z_wasi_snapshot_preview1Z_fd_filestat_set_size(W, u32 a, u64 b)
{
	(void)w, (void)a, (void)b;
	return ENOSYS_;
}
u32 Z_wasi_snapshot_preview1Z_fd_prestat_dir_name(W, u32 a, u32 b, u32 c)
{
	(void)w, (void)a, (void)b, (void)c;
	return ENOSYS_;
}
u32 Z_wasi_snapshot_preview1Z_fd_read(W, u32 a, u32 b, u32 c, u32 d)
{
	(void)w, (void)a, (void)b, (void)c, (void)d;
	return ENOSYS_;
}
u32 Z_wasi_snapshot_preview1Z_fd_sync(W, u32 a)
{
	(void)w, (void)a;
	return ENOSYS_;
}
u32 Z_wasi_snapshot_preview1Z_path_create_directory(W, u32 a, u32 b, u32 c)
{
	(void)w, (void)a, (void)b, (void)c;
	return ENOSYS_;
}
u32 Z_wasi_snapshot_preview1Z_path_filestat_get(W, u32 a, u32 b, u32 c, u32 d,
                                                u32 e)
{
	(void)w, (void)a, (void)b, (void)c, (void)d, (void)e;
	return ENOSYS_;
}
u32 Z_wasi_snapshot_preview1Z_path_filestat_set_times(W, u32 a, u32 b, u32 c,
                                                      u32 d, u64 e, u64 f,
                                                      u32 g)
{
	(void)w, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f, (void)g;
	return ENOSYS_;
}
u32 Z_wasi_snapshot_preview1Z_path_open(W, u32 a, u32 b, u32 c, u32 d, u32 e,
                                        u64 f, u64 g, u32 h, u32 i)
{
	(void)w, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f;
	(void)g, (void)h, (void)i;
	return ENOSYS_;
}
u32 Z_wasi_snapshot_preview1Z_path_readlink(W, u32 a, u32 b, u32 c, u32 d,
                                            u32 e, u32 f)
{
	(void)w, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f;
	return ENOSYS_;
}
u32 Z_wasi_snapshot_preview1Z_path_remove_directory(W, u32 a, u32 b, u32 c)
{
	(void)w, (void)a, (void)b, (void)c;
	return ENOSYS_;
}
u32 Z_wasi_snapshot_preview1Z_path_unlink_file(W, u32 a, u32 b, u32 c)
{
	(void)w, (void)a, (void)b, (void)c;
	return ENOSYS_;
}
u32 Z_wasi_snapshot_preview1Z_poll_oneoff(W, u32 a, u32 b, u32 c, u32 d)
{
	(void)w, (void)a, (void)b, (void)c, (void)d;
	return ENOSYS_;
}
#undef W
#undef S_

int main(int argc, char **argv)
{
	static Z_m_instance_t inst;
	struct Z_wasi_snapshot_preview1_instance_t w = {NULL, argc, argv};

	wasm_rt_init();
	Z_m_init_module();
	Z_m_instantiate(&inst, &w);
	w.mem = Z_mZ_memory(&inst);
	Z_mZ__start(&inst);
	Z_m_free(&inst);
	wasm_rt_free();
	return 0;
}
