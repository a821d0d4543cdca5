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

#include "vfs/vfs.h"
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
	CHECK(before > 0 && count_fds() == before);
	return t_report("t_vfs_threads");
}
