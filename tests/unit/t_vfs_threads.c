/*
 * t_vfs_threads.c: the vfs fd table used by several host threads at once
 * (guest threads share their process's table; see src/vfs/vfs.h).
 *
 *  - owners: 8 threads each install and close entries of their own
 *    (tagged with the thread) 20,000 times while readers take and drop
 *    references on every fd; a slot handed to two threads at once, or an
 *    entry seen in a slot its owner did not give it, fails.
 *  - chaos: 8 threads install, close, dup2 and renumber over a small fd
 *    range while 4 readers take references and check, while holding one,
 *    that the entry's host fd is still open (fcntl F_GETFD).
 *  - a reference outlives a close: a reader keeps reading a pipe whose
 *    fd another thread closed.
 *  - WASI calls racing with fd_close of their fd (wasi_fd_get hands out
 *    references): a thread blocked in poll_oneoff and one blocked in
 *    fd_read on a pipe while another closes that fd still see the pipe
 *    (the write end can still write, and the data arrives); threads
 *    calling fd_readdir, fd_filestat_get, fd_fdstat_get, fd_seek,
 *    fd_prestat_get and path_open on a directory fd that another thread
 *    keeps closing and reopening get only ESUCCESS or EBADF (and, under
 *    AddressSanitizer, no use of a freed entry).
 *  - afterwards the process has exactly the host fds it had before (no
 *    leak; a double close would have closed one of the baseline fds).
 * Run it under ThreadSanitizer too (docs/threads.md).
 *
 * Prints failures and "t_vfs_threads: N passed, M failed"; exits 1 on
 * failure.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "base/base.h"
#include "vfs/vfs.h"
#include "wasi/wasi_impl.h"
#include "t_check.h"

#define NOWNERS 8
#define NITER   20000
#define NCHAOS  8
#define NREAD   4
#define CHAOS_FDS 64

static struct vfs_table table;
static int stop_readers;
/* Counted by the threads, checked after joining them. */
static int bad_owner[NOWNERS], bad_fd[NREAD], bad_install;

/* Open host fds of the process (entries of /proc/self/fd). */
static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (d == NULL)
		return -1;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

/* A fresh entry on a new host fd, tagged 'tag' (rights_base). */
static struct vfs_entry *new_entry(uint64_t tag)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	struct vfs_entry *e;

	if (fd < 0)
		return NULL;
	e = vfs_entry_new(fd, VFS_CHARDEV, false);
	if (e != NULL)
		e->rights_base = tag;
	return e;
}

static void *owner(void *arg)
{
	int id = (int)(intptr_t)arg;
	uint32_t mine[4];
	int n = 0;

	for (int i = 0; i < NITER; i++) {
		if (n < 4) {
			struct vfs_entry *e = new_entry((uint64_t)id + 1);
			uint32_t fd;

			if (e == NULL || vfs_install(&table, e, 3, &fd) != 0) {
				vfs_entry_unref(e);
				__atomic_fetch_add(&bad_install, 1,
				                   __ATOMIC_RELAXED);
				continue;
			}
			mine[n++] = fd;
		}
		/* Every slot this thread holds still has its own entry. */
		for (int k = 0; k < n; k++) {
			struct vfs_entry *e = vfs_get_ref(&table, mine[k]);
			if (e == NULL || e->rights_base != (uint64_t)id + 1)
				bad_owner[id]++;
			vfs_entry_unref(e);
		}
		if (n > 0 && (n == 4 || (i & 1))) {
			int k = i % n;
			if (vfs_close(&table, mine[k]) != 0)
				bad_owner[id]++;
			mine[k] = mine[--n];
		}
	}
	while (n > 0)
		vfs_close(&table, mine[--n]);
	return NULL;
}

static void *chaos(void *arg)
{
	unsigned seed = (unsigned)(intptr_t)arg * 7919u + 1;

	for (int i = 0; i < NITER; i++) {
		uint32_t a = (uint32_t)rand_r(&seed) % CHAOS_FDS;
		uint32_t b = (uint32_t)rand_r(&seed) % CHAOS_FDS;
		struct vfs_entry *e;

		switch (rand_r(&seed) % 5) {
		case 0:
			e = new_entry(0);
			if (e != NULL && vfs_install_at(&table, e, a) != 0)
				vfs_entry_unref(e);
			break;
		case 1:
			vfs_close(&table, a);
			break;
		case 2:
			vfs_dup2(&table, a, b);
			break;
		case 3: /* renumber: dup2 then close the source */
			if (a != b && vfs_dup2(&table, a, b) == 0)
				vfs_close(&table, a);
			break;
		default:
			vfs_set_cloexec(&table, a, (i & 1) != 0);
			break;
		}
	}
	return NULL;
}

static void *reader(void *arg)
{
	int id = (int)(intptr_t)arg;
	uint32_t fd = 0;

	while (!__atomic_load_n(&stop_readers, __ATOMIC_ACQUIRE)) {
		struct vfs_entry *e = vfs_get_ref(&table, fd);

		if (e != NULL) {
			if (fcntl(e->host_fd, F_GETFD) < 0)
				bad_fd[id]++;
			vfs_entry_unref(e);
		}
		vfs_get_cloexec(&table, fd);
		fd = (fd + 1) % CHAOS_FDS;
	}
	return NULL;
}

/* Runs 'n' threads of 'fn' plus NREAD readers until 'fn' ones end. */
static void run(void *(*fn)(void *), int n)
{
	pthread_t t[NCHAOS > NOWNERS ? NCHAOS : NOWNERS], r[NREAD];

	__atomic_store_n(&stop_readers, 0, __ATOMIC_RELEASE);
	for (int i = 0; i < NREAD; i++)
		pthread_create(&r[i], NULL, reader, (void *)(intptr_t)i);
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, fn, (void *)(intptr_t)i);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	__atomic_store_n(&stop_readers, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < NREAD; i++)
		pthread_join(r[i], NULL);
}

struct pipe_reader {
	struct vfs_entry *e;
	char got[8];
	ssize_t n;
};

static void *pipe_read(void *arg)
{
	struct pipe_reader *p = arg;

	p->n = read(p->e->host_fd, p->got, sizeof p->got);
	vfs_entry_unref(p->e);
	return NULL;
}

/* A blocking read through a reference outlives a close of the fd. */
static void test_ref_outlives_close(void)
{
	struct pipe_reader p = {0};
	struct vfs_entry *e;
	pthread_t t;
	uint32_t fd = 0;
	int pfd[2];

	CHECK(pipe2(pfd, O_CLOEXEC) == 0);
	e = vfs_entry_new(pfd[0], VFS_PIPE, false);
	CHECK(e != NULL && vfs_install(&table, e, 0, &fd) == 0);
	p.e = vfs_get_ref(&table, fd);
	CHECK(p.e == e);
	pthread_create(&t, NULL, pipe_read, &p);
	CHECK(vfs_close(&table, fd) == 0);
	CHECK(vfs_get(&table, fd) == NULL);
	CHECK(write(pfd[1], "ok", 2) == 2);
	pthread_join(t, NULL);
	CHECK(p.n == 2 && memcmp(p.got, "ok", 2) == 0);
	/* The last reference closed the read end: writing now fails. */
	CHECK(fcntl(pfd[0], F_GETFD) < 0 && errno == EBADF);
	close(pfd[1]);
}

/* ---- WASI calls racing with fd_close ---------------------------------- */

#define PAGE 65536u

/* One wasi context shared by the threads, as guest threads share it. */
struct wfix {
	struct vm_store *store;
	struct vm_memory *mem;
	uint8_t *base;
	struct wasi_ctx *w;
	char dir[64];
};

/* Calls host function 'fn' with up to 5 arguments; the errno. */
static uint32_t wcall(struct wfix *f, vm_host_fn fn, uint64_t a0, uint64_t a1,
                      uint64_t a2, uint64_t a3, uint64_t a4)
{
	uint64_t args[8] = {a0, a1, a2, a3, a4}, res[1] = {~(uint64_t)0};
	struct vm_call c;

	memset(&c, 0, sizeof c);
	c.store = f->store;
	c.memory = f->mem;
	c.args = args;
	c.results = res;
	if (fn(&c, f->w) != 0)
		return ~0u;
	return (uint32_t)res[0];
}

/* A context with a preopened temporary directory (guest fd 3). */
static int wfix_new(struct wfix *f)
{
	struct wasm_limits_decl lim = {.min = 1, .max = 1, .has_max = true};
	struct wasi_preopen pre = {f->dir, "/"};
	static const char *const argv[] = {"t"};
	struct wasi_config wc;
	struct vm_config vc;
	struct diag d = {0};

	strcpy(f->dir, "/tmp/t_vfs_threads.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	vm_config_default(&vc);
	f->store = vm_store_new(&vc);
	f->mem = f->store ? vm_memory_new(f->store, &lim) : NULL;
	if (f->mem == NULL)
		return -1;
	f->base = vm_memory_data(f->mem);
	memset(&wc, 0, sizeof wc);
	wc.argc = 1;
	wc.argv = argv;
	wc.stdio[0] = wc.stdio[1] = wc.stdio[2] = -1;
	wc.npreopens = 1;
	wc.preopens = &pre;
	return wasi_ctx_new(&wc, &f->w, &d);
}

static void wfix_free(struct wfix *f)
{
	wasi_ctx_free(f->w);
	vm_store_free(f->store);
	rmdir(f->dir);
}

/* Installs host fd 'hfd' as a pipe end with stream rights; its fd. */
static uint32_t wfix_pipe_fd(struct wfix *f, int hfd)
{
	struct vfs_entry *e = vfs_entry_new(hfd, VFS_PIPE, false);
	uint32_t fd = ~0u;

	if (e == NULL)
		return fd;
	e->rights_base = e->rights_inheriting = WASI_RIGHTS_STREAM;
	if (vfs_install(&f->w->fds, e, 0, &fd) != 0)
		vfs_entry_unref(e);
	return fd;
}

/* A thread blocked in one WASI call on 'fd'; results land in guest
 * memory at 'mem'. */
struct blocked {
	struct wfix *f;
	uint32_t fd, mem, err;
	bool poll;
	pid_t tid; /* __atomic: the host thread's id, once it runs */
};

static void *blocked_main(void *arg)
{
	struct blocked *b = arg;
	uint8_t *m = b->f->base + b->mem;

	__atomic_store_n(&b->tid, (pid_t)syscall(SYS_gettid),
	                 __ATOMIC_RELEASE);
	if (b->poll) {
		/* One fd_read subscription (48 bytes) at mem, event at +64. */
		memset(m, 0, 48);
		wasi_put_u64(m, 77);
		m[8] = 1;
		wasi_put_u32(m + 16, b->fd);
		b->err = wcall(b->f, wasi_poll_oneoff, b->mem, b->mem + 64, 1,
		               b->mem + 96, 0);
	} else {
		/* One 8-byte buffer at +16, iovec at mem, count at +8. */
		wasi_put_u32(m, b->mem + 16);
		wasi_put_u32(m + 4, 8);
		b->err = wcall(b->f, wasi_fd_read, b->fd, b->mem, 1,
		               b->mem + 8, 0);
	}
	return NULL;
}

/*
 * Whether host thread 'tid' sleeps in poll(2)/ppoll(2) on one fd, as
 * poll_oneoff and fd_read's wait do (nothing else in the test calls it
 * with one fd; numbers of x86-64 and arm64).
 */
static bool in_fd_wait(pid_t tid)
{
#if defined(__x86_64__)
	static const long waits[] = {7, 271};
#elif defined(__aarch64__)
	static const long waits[] = {73};
#else
	static const long waits[] = {-2};
#endif
	char path[64], buf[128], *end;
	long nr = -1, nfds = -1;
	FILE *fp;

	snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)tid);
	fp = fopen(path, "r");
	if (fp == NULL)
		return false;
	if (fgets(buf, sizeof buf, fp) != NULL) {
		nr = strtol(buf, &end, 10);
		strtoul(end, &end, 16); /* the pollfd array */
		nfds = (long)strtoul(end, NULL, 16);
	}
	fclose(fp);
	for (size_t i = 0; i < sizeof waits / sizeof waits[0]; i++)
		if (nr == waits[i] && nfds == 1)
			return true;
	return false;
}

/*
 * A thread blocks in poll_oneoff (or fd_read) on a pipe's read end; this
 * one closes that fd, then writes: the write works (the read end is still
 * open through the blocked call's reference) and the call returns the
 * data (fd_read) or a ready event without error (poll_oneoff).
 */
static void test_wasi_blocked_close(struct wfix *f, bool poll)
{
	struct blocked b = {.f = f, .mem = poll ? 4096 : 8192, .poll = poll};
	uint8_t *m = f->base + b.mem;
	pthread_t t;
	pid_t tid;
	int p[2];

	CHECK(pipe2(p, O_CLOEXEC) == 0);
	b.fd = wfix_pipe_fd(f, p[0]);
	CHECK(b.fd != ~0u);
	CHECK(pthread_create(&t, NULL, blocked_main, &b) == 0);
	/* Not a timed wait: until the thread sleeps in its poll. */
	while ((tid = __atomic_load_n(&b.tid, __ATOMIC_ACQUIRE)) == 0 ||
	       !in_fd_wait(tid))
		usleep(1000);
	CHECK(wcall(f, wasi_fd_close, b.fd, 0, 0, 0, 0) == WASI_ESUCCESS);
	CHECK(vfs_get(&f->w->fds, b.fd) == NULL);
	CHECK(write(p[1], "ok", 2) == 2);
	pthread_join(t, NULL);
	CHECK(b.err == WASI_ESUCCESS);
	if (poll)
		CHECK(wasi_get_u32(m + 96) == 1 && wasi_get_u64(m + 64) == 77 &&
		      m[64 + 8] == 0 && m[64 + 9] == 0 && m[64 + 10] == 1);
	else
		CHECK(wasi_get_u32(m + 8) == 2 &&
		      memcmp(m + 16, "ok", 2) == 0);
	/* The call's reference was the last: the read end is closed now. */
	CHECK(write(p[1], "x", 1) < 0 && errno == EPIPE);
	close(p[1]);
}

/* Calls on the directory fd; counts results other than ESUCCESS/EBADF. */
struct dir_user {
	struct wfix *f;
	uint32_t fd, mem;
	int odd, stop; /* stop: __atomic */
};

static void *dir_user_main(void *arg)
{
	struct dir_user *u = arg;
	uint32_t r[6], m = u->mem;
	uint8_t *path = u->f->base + m + 2048;

	memcpy(path, ".", 1);
	while (!__atomic_load_n(&u->stop, __ATOMIC_ACQUIRE)) {
		r[0] = wcall(u->f, wasi_fd_readdir, u->fd, m, 1024, 0, m + 1024);
		r[1] = wcall(u->f, wasi_fd_filestat_get, u->fd, m, 0, 0, 0);
		r[2] = wcall(u->f, wasi_fd_fdstat_get, u->fd, m, 0, 0, 0);
		r[3] = wcall(u->f, wasi_fd_prestat_get, u->fd, m, 0, 0, 0);
		r[4] = wcall(u->f, wasi_fd_seek, u->fd, 0, 1, m, 0);
		{
			uint64_t a[9] = {u->fd, 0, m + 2048, 1, 2,
			                 WASI_RIGHTS_DIR, WASI_RIGHTS_DIR, 0,
			                 m + 1032};
			uint64_t res[1] = {~(uint64_t)0};
			struct vm_call c;

			memset(&c, 0, sizeof c);
			c.store = u->f->store;
			c.memory = u->f->mem;
			c.args = a;
			c.results = res;
			wasi_path_open(&c, u->f->w);
			r[5] = (uint32_t)res[0];
			if (r[5] == WASI_ESUCCESS)
				wcall(u->f, wasi_fd_close,
				      wasi_get_u32(u->f->base + m + 1032), 0, 0,
				      0, 0);
		}
		for (int i = 0; i < 6; i++)
			if (r[i] != WASI_ESUCCESS && r[i] != WASI_EBADF)
				u->odd++;
	}
	return NULL;
}

/* A new entry for the temporary directory, named like a preopen. */
static struct vfs_entry *dir_entry(struct wfix *f)
{
	int hfd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct vfs_entry *e =
	    hfd < 0 ? NULL : vfs_entry_new(hfd, VFS_DIR, false);

	if (e == NULL)
		return NULL;
	e->rights_base = e->rights_inheriting = WASI_RIGHTS_DIR;
	e->preopen = wx_malloc(2);
	if (e->preopen != NULL)
		memcpy(e->preopen, "/", 2);
	return e;
}

/*
 * Two threads use directory fd 3 while this one closes it and installs
 * a new entry there, 2,000 times: each closed entry is freed by the last
 * user's reference (under ASan a use after that would be reported).
 */
static void test_wasi_dir_close_race(struct wfix *f)
{
	struct dir_user u[2] = {{.f = f, .fd = 3, .mem = 16384},
	                        {.f = f, .fd = 3, .mem = 32768}};
	struct vfs_entry *e;
	pthread_t t[2];
	int i, bad = 0;

	for (i = 0; i < 2; i++)
		CHECK(pthread_create(&t[i], NULL, dir_user_main, &u[i]) == 0);
	for (i = 0; i < 2000; i++) {
		/* Whatever is at 3 (a user's path_open may have taken it). */
		wcall(f, wasi_fd_close, 3, 0, 0, 0, 0);
		e = dir_entry(f);
		if (e == NULL || vfs_install_at(&f->w->fds, e, 3) != 0)
			bad++;
	}
	CHECK(bad == 0);
	for (i = 0; i < 2; i++) {
		__atomic_store_n(&u[i].stop, 1, __ATOMIC_RELEASE);
		pthread_join(t[i], NULL);
		CHECK(u[i].odd == 0);
	}
}

static void test_wasi_races(void)
{
	struct wfix f;

	memset(&f, 0, sizeof f);
	CHECK(wfix_new(&f) == 0);
	if (f.w == NULL)
		return;
	test_wasi_blocked_close(&f, true);
	test_wasi_blocked_close(&f, false);
	test_wasi_dir_close_race(&f);
	wfix_free(&f);
}

int main(void)
{
	int before = count_fds(), sum = 0;

	vfs_threads_begin();
	vfs_table_init(&table, 4096);
	run(owner, NOWNERS);
	for (int i = 0; i < NOWNERS; i++)
		sum += bad_owner[i];
	CHECK(sum == 0);
	CHECK(bad_install == 0);
	for (uint32_t fd = 0; fd < 64; fd++)
		CHECK(vfs_get(&table, fd) == NULL);
	run(chaos, NCHAOS);
	sum = 0;
	for (int i = 0; i < NREAD; i++)
		sum += bad_fd[i];
	CHECK(sum == 0);
	test_ref_outlives_close();
	vfs_table_free(&table);
	signal(SIGPIPE, SIG_IGN);
	test_wasi_races();
	CHECK(before > 0 && count_fds() == before);
	return t_report("t_vfs_threads");
}
