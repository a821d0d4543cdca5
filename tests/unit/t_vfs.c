/*
 * t_vfs.c: unit tests of src/vfs with no WebAssembly at all: the fd table
 * (lowest free slot, dup2 sharing one entry, reference counts closing the
 * host fd exactly once, EMFILE at the cap, preopens from a minimum fd,
 * directory cookies) and sandboxed path resolution, run twice: with
 * openat2 (when the kernel has it) and with the component walk forced.
 * Each run resolves a matrix of paths in a scratch tree (dot-dot above the
 * root, absolute paths and symlinks, loops, links through /proc/self,
 * trailing slashes) and races a thread that keeps swapping a directory
 * for a symlink that points outside, checking that nothing outside is
 * ever opened. Also the namespace (vfs_ns.c): normalisation, mounts,
 * the virtual /dev and virtual directories.
 *
 * Prints failures and "t_vfs: N passed, M failed"; exits 1 on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "t_check.h"
#include "vfs/vfs.h"

static char base[64];

/* Creates the scratch tree; returns the root's fd. */
static int make_tree(void)
{
	char p[1024];
	int fd;

	snprintf(base, sizeof base, "/tmp/t_vfs.%d", (int)getpid());
	snprintf(p, sizeof p,
	         "rm -rf %s && mkdir -p %s/out %s/root/sub/deep %s/root/race/d"
	         " && echo SECRET > %s/out/secret && echo in > %s/root/f"
	         " && echo in > %s/root/race/d/f && echo SECRET > %s/out/f",
	         base, base, base, base, base, base, base, base);
	if (system(p) != 0)
		return -1;
	snprintf(p, sizeof p, "%s/root", base);
	fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	static const char *const links[][2] = {
	    {"../out", "out"},      {"/etc", "abs"}, {"l2", "l1"},
	    {"l1", "l2"},           {"sub", "rel"},  {"../..", "sub/up"},
	    {"/proc/self", "proc"}, {"f", "flink"},  {"missing", "dangle"},
	    {"deep/..", "sub/dd"},
	};
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
		if (symlinkat(links[i][0], fd, links[i][1]) != 0)
			return -1;
	return fd;
}

/* vfs_open of 'path' read-only; 0 or the error. Reads "SECRET" = fail. */
static int try_open(int root, const char *path, unsigned flags)
{
	char buf[8] = "";
	int fd, rc;

	rc = vfs_open(root, path, strlen(path), O_RDONLY, 0, flags, &fd, NULL);
	if (rc != 0)
		return rc;
	if (read(fd, buf, 6) == 6 && memcmp(buf, "SECRET", 6) == 0) {
		printf("t_vfs: escaped through '%s'\n", path);
		failed++;
	}
	close(fd);
	return 0;
}

static void test_paths(int root)
{
	struct vfs_target t;
	const unsigned F = VFS_FOLLOW;

	CHECK(try_open(root, "f", F) == 0);
	CHECK(try_open(root, "./sub/../f", F) == 0);
	CHECK(try_open(root, "rel/../f", F) == 0);
	CHECK(try_open(root, "flink", F) == 0);
	CHECK(try_open(root, "flink", 0) == ELOOP);
	CHECK(try_open(root, "sub/dd/../f", F) == 0);
	CHECK(try_open(root, "sub/dd/../../f", F) == VFS_ENOTCAPABLE);
	CHECK(try_open(root, "", F) == ENOENT);
	CHECK(try_open(root, "nope", F) == ENOENT);
	CHECK(try_open(root, "f/x", F) == ENOTDIR);
	CHECK(try_open(root, "dangle", F) == ENOENT);
	CHECK(try_open(root, "..", F) == VFS_ENOTCAPABLE);
	CHECK(try_open(root, "../out/secret", F) == VFS_ENOTCAPABLE);
	CHECK(try_open(root, "sub/../../out/secret", F) == VFS_ENOTCAPABLE);
	CHECK(try_open(root, "/etc/passwd", F) == VFS_ENOTCAPABLE);
	CHECK(try_open(root, "out/secret", F) == VFS_ENOTCAPABLE);
	CHECK(try_open(root, "abs/passwd", F) == VFS_ENOTCAPABLE);
	CHECK(try_open(root, "abs", F) == VFS_ENOTCAPABLE);
	CHECK(try_open(root, "sub/up/out/secret", F) == VFS_ENOTCAPABLE);
	CHECK(try_open(root, "proc/root/etc/passwd", F) == VFS_ENOTCAPABLE);
	CHECK(try_open(root, "l1", F) == ELOOP);
	CHECK(try_open(root, "l1/x", F) == ELOOP);
	CHECK(try_open(root, "f\0x", F) == 0); /* strlen stops at the NUL */
	CHECK(vfs_open(root, "f\0x", 3, O_RDONLY, 0, F, &(int){0}, NULL) ==
	      EINVAL);
	/* resolve: parent + last component */
	CHECK(vfs_resolve(root, "sub/deep", 8, 0, &t) == 0);
	CHECK(t.dirfd >= 0 && strcmp(t.name, "deep") == 0 && !t.trailing);
	close(t.dirfd);
	CHECK(vfs_resolve(root, "sub/deep//", 10, 0, &t) == 0);
	CHECK(strcmp(t.name, "deep") == 0 && t.trailing);
	close(t.dirfd);
	CHECK(vfs_resolve(root, "f/", 2, 0, &t) == ENOTDIR && t.dirfd == -1);
	CHECK(vfs_resolve(root, "flink", 5, 0, &t) == 0);
	CHECK(strcmp(t.name, "flink") == 0);
	close(t.dirfd);
	CHECK(vfs_resolve(root, "flink", 5, F, &t) == 0);
	CHECK(strcmp(t.name, "f") == 0);
	close(t.dirfd);
	CHECK(vfs_resolve(root, "out", 3, 0, &t) == 0); /* the link itself */
	close(t.dirfd);
	CHECK(vfs_resolve(root, "out", 3, F, &t) == VFS_ENOTCAPABLE);
	CHECK(vfs_resolve(root, "out/x", 5, 0, &t) == VFS_ENOTCAPABLE);
	CHECK(vfs_resolve(root, "sub/..", 6, 0, &t) == 0);
	CHECK(strcmp(t.name, ".") == 0);
	close(t.dirfd);
	/* VFS_ABSLINK: an absolute target hands back the path to restart
	 * from the guest root; '..' above is still refused; nothing opened. */
	{
		char abs[VFS_PATH_MAX + 1];
		int fd = -1;

		t.abs = abs;
		CHECK(vfs_resolve(root, "abs/x/y", 7, VFS_ABSLINK, &t) ==
		          VFS_EABSLINK &&
		      t.dirfd == -1);
		CHECK(strcmp(abs, "/etc/x/y") == 0);
		CHECK(vfs_resolve(root, "abs", 3, F | VFS_ABSLINK, &t) ==
		          VFS_EABSLINK &&
		      strcmp(abs, "/etc") == 0);
		CHECK(vfs_resolve(root, "abs/", 4, F | VFS_ABSLINK, &t) ==
		          VFS_EABSLINK &&
		      strcmp(abs, "/etc/") == 0);
		CHECK(vfs_open(root, "abs", 3, O_RDONLY, 0, F | VFS_ABSLINK,
		               &fd, abs) == VFS_EABSLINK &&
		      fd == -1 && strcmp(abs, "/etc") == 0);
		CHECK(vfs_resolve(root, "out", 3, F | VFS_ABSLINK, &t) ==
		      VFS_ENOTCAPABLE);
		CHECK(vfs_resolve(root, "abs", 3, VFS_ABSLINK, &t) == 0 &&
		      strcmp(t.name, "abs") == 0); /* the link itself */
		close(t.dirfd);
	}
	CHECK(vfs_resolve(root, "new", 3, F, &t) == 0); /* need not exist */
	close(t.dirfd);
	char big[VFS_PATH_MAX + 2];
	memset(big, 'a', sizeof big);
	CHECK(vfs_resolve(root, big, sizeof big, 0, &t) == ENAMETOOLONG);
	CHECK(vfs_resolve(root, big, 300, 0, &t) == ENAMETOOLONG);
}

static atomic_bool race_stop;

/* Keeps swapping root/race/d between a directory and a link outside. */
static void *race_swapper(void *arg)
{
	char d[300], real[300], out[300];

	(void)arg;
	snprintf(d, sizeof d, "%s/root/race/d", base);
	snprintf(real, sizeof real, "%s/root/race/real", base);
	snprintf(out, sizeof out, "%s/out", base);
	while (!atomic_load(&race_stop)) {
		if (rename(d, real) != 0)
			continue;
		if (symlink(out, d) == 0)
			unlink(d);
		if (symlink("../../out", d) == 0)
			unlink(d);
		rename(real, d);
	}
	return NULL;
}

static void test_race(int root)
{
	pthread_t th;
	int i, ok = 0, refused = 0;

	atomic_store(&race_stop, false);
	if (pthread_create(&th, NULL, race_swapper, NULL) != 0) {
		CHECK(!"pthread_create");
		return;
	}
	for (i = 0; i < 20000; i++) {
		int rc = try_open(root, "race/d/f", VFS_FOLLOW);

		ok += rc == 0;
		refused += rc == VFS_ENOTCAPABLE || rc == ENOENT;
	}
	atomic_store(&race_stop, true);
	pthread_join(th, NULL);
	CHECK(ok + refused > 0);
}

static void test_table(void)
{
	struct vfs_table t;
	struct vfs_entry *e;
	uint32_t fd, fd2;
	int p[2];

	vfs_table_init(&t, 8);
	CHECK(pipe(p) == 0);
	e = vfs_entry_new(p[0], vfs_kind_of(p[0]), false);
	CHECK(e != NULL && e->kind == VFS_PIPE);
	CHECK(vfs_install(&t, e, 0, &fd) == 0 && fd == 0);
	CHECK(vfs_dup2(&t, 0, 5) == 0 && vfs_get(&t, 5) == e && e->refs == 2);
	CHECK(vfs_close(&t, 0) == 0 && vfs_get(&t, 0) == NULL);
	CHECK(fcntl(p[0], F_GETFD) >= 0); /* still referenced by fd 5 */
	CHECK(vfs_close(&t, 0) == EBADF);
	CHECK(vfs_close(&t, 5) == 0);
	CHECK(fcntl(p[0], F_GETFD) < 0 && errno == EBADF); /* closed once */
	e = vfs_entry_new(p[1], VFS_PIPE, true);           /* borrowed */
	CHECK(vfs_install(&t, e, 3, &fd) == 0 && fd == 3);
	CHECK(vfs_dup2(&t, 3, 8) == EBADF); /* >= max */
	CHECK(vfs_dup2(&t, 4, 6) == EBADF); /* not open */
	for (int i = 0; i < 7; i++) {
		vfs_entry_ref(e);
		if (vfs_install(&t, e, 0, &fd2) != 0) {
			vfs_entry_unref(e);
			CHECK(i == 7 - 0 || fd2 == 7);
			break;
		}
	}
	vfs_entry_ref(e);
	CHECK(vfs_install(&t, e, 0, &fd2) == EMFILE);
	vfs_entry_unref(e);
	/* fork-style clone shares entries; exec closes cloexec slots */
	struct vfs_table c;
	uint32_t refs = e->refs;
	CHECK(vfs_set_cloexec(&t, 3, true) == 0);
	CHECK(vfs_set_cloexec(&t, 99, true) == EBADF);
	CHECK(vfs_table_clone(&c, &t) == 0);
	CHECK(vfs_get(&c, 3) == e && e->refs > refs && c.slot[3].cloexec);
	vfs_close_on_exec(&c);
	CHECK(vfs_get(&c, 3) == NULL && vfs_get(&c, 4) == e);
	CHECK(vfs_dup2(&c, 4, 3) == 0 && !c.slot[3].cloexec);
	vfs_table_free(&c);
	CHECK(e->refs == refs);
	vfs_table_free(&t);
	CHECK(fcntl(p[1], F_GETFD) >= 0); /* borrowed: never closed */
	close(p[1]);

	vfs_table_init(&t, 0);
	CHECK(vfs_preopen(&t, "/nonexistent/x", "x", 3, &fd) == ENOENT);
	CHECK(vfs_preopen(&t, base, "/", 3, &fd) == 0 && fd == 3);
	CHECK(strcmp(vfs_get(&t, 3)->preopen, "/") == 0);
	CHECK(vfs_get(&t, 3)->kind == VFS_DIR);
	/* directory cookies: root of the tree has out, root: 2 + '.' '..' */
	struct vfs_dirent d;
	int n = 0;
	e = vfs_get(&t, 3);
	CHECK(vfs_dir_seek(e, 0) == 0);
	while (vfs_dir_next(e, &d) == 0)
		n++;
	CHECK(n == 4);
	CHECK(vfs_dir_seek(e, 2) == 0 && vfs_dir_next(e, &d) == 0 &&
	      d.next == 3);
	CHECK(vfs_dir_seek(e, 99) == 0 && vfs_dir_next(e, &d) == -1);
	vfs_table_free(&t);
}

/* Normalises 'p' from 'base' and compares with 'want' ("E<errno>"). */
static void norm_is(const char *b, const char *p, const char *want)
{
	char out[VFS_PATH_MAX + 1], got[VFS_PATH_MAX + 8];
	int rc = vfs_ns_norm(b, p, strlen(p), out);

	if (rc != 0)
		snprintf(got, sizeof got, "E%d", rc);
	else
		snprintf(got, sizeof got, "%s", out);
	CHECK(strcmp(got, want) == 0);
	if (strcmp(got, want) != 0)
		printf("     norm(%s, %s) = %s, want %s\n", b ? b : "NULL", p,
		       got, want);
}

/* Namespace: normalisation, mounts, /dev, virtual directories. */
static void test_ns(void)
{
	char host[128], big[VFS_PATH_MAX + 10];
	struct vfs_entry *e;
	struct vfs_dirent d;
	struct vfs_table t;
	struct vfs_loc loc;
	struct vfs_ns *ns;
	struct stat st;
	int fd, n;

	norm_is(NULL, "a/./b//c/", "/a/b/c");
	norm_is(NULL, "/../../x", "/x");
	norm_is("/a/b", "../c", "/a/c");
	norm_is("/a/b", "/abs", "/abs");
	norm_is("/a", "", "/a");
	norm_is(NULL, "..", "/");
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = 0;
	norm_is(NULL, big, "E36"); /* ENAMETOOLONG */
	CHECK(vfs_ns_norm(NULL, "a\0b", 3, big) == EINVAL);

	snprintf(host, sizeof host, "%s/root", base);
	CHECK(vfs_ns_new(&ns) == 0);
	CHECK(vfs_ns_mount(ns, host, "/data/in") == 0);
	CHECK(vfs_ns_mount(ns, "/nonexistent/x", "/y") == ENOENT);
	CHECK(vfs_ns_seal(ns) == 0);
	CHECK(vfs_ns_virtual_dev(ns));
	CHECK(vfs_ns_mount(ns, host, "/z") == EBUSY);
	CHECK(vfs_ns_locate(ns, "/", false, &loc) == 0 &&
	      loc.kind == VFS_LOC_VDIR);
	CHECK(vfs_ns_locate(ns, "/data", false, &loc) == 0 &&
	      loc.kind == VFS_LOC_VDIR);
	CHECK(vfs_ns_locate(ns, "/etc", false, &loc) == ENOENT);
	CHECK(vfs_ns_locate(ns, "/data/in/sub/f", true, &loc) == 0 &&
	      loc.kind == VFS_LOC_HOST && strcmp(loc.rest, "sub/f/") == 0);
	CHECK(vfs_ns_locate(ns, "/data/in", false, &loc) == 0 &&
	      loc.kind == VFS_LOC_HOST && strcmp(loc.rest, ".") == 0);
	CHECK(vfs_ns_locate(ns, "/dev/null", false, &loc) == 0 &&
	      loc.kind == VFS_LOC_DEV);
	CHECK(vfs_ns_locate(ns, "/dev/null/x", false, &loc) == ENOTDIR);
	CHECK(vfs_ns_locate(ns, "/dev/sda", false, &loc) == ENOENT);
	CHECK(vfs_ns_locate(ns, "/dev/null", true, &loc) == ENOTDIR);

	/* Devices: the host's null by name; stdout reopens guest fd 1. */
	vfs_table_init(&t, 0);
	CHECK(vfs_ns_locate(ns, "/dev/null", false, &loc) == 0);
	CHECK(vfs_dev_open(&t, loc.dev, O_RDWR, &fd) == 0);
	CHECK(fstat(fd, &st) == 0 && S_ISCHR(st.st_mode));
	close(fd);
	CHECK(vfs_dev_open(&t, loc.dev, O_CREAT | O_EXCL, &fd) == EEXIST);
	CHECK(vfs_dev_open(&t, loc.dev, O_DIRECTORY, &fd) == ENOTDIR);
	CHECK(vfs_ns_locate(ns, "/dev/stdout", false, &loc) == 0);
	CHECK(vfs_dev_open(&t, loc.dev, O_WRONLY, &fd) == ENOENT); /* none */
	e = vfs_entry_new(open("/dev/null", O_WRONLY | O_CLOEXEC), VFS_CHARDEV,
	                  false);
	CHECK(e != NULL && vfs_install_at(&t, e, 1) == 0);
	CHECK(vfs_dev_open(&t, loc.dev, O_WRONLY, &fd) == 0);
	close(fd);
	CHECK(vfs_ns_locate(ns, "/dev/tty", false, &loc) == 0);
	CHECK(vfs_dev_open(&t, loc.dev, O_RDWR, &fd) == ENXIO);
	vfs_table_free(&t);

	/* A virtual directory: "." "..", the mounts' first names, "dev". */
	CHECK(vfs_vdir_entry(ns, "/", &e) == 0);
	CHECK(e->kind == VFS_DIR && e->vdir && strcmp(e->nspath, "/") == 0);
	vfs_dir_lock(e);
	CHECK(vfs_dir_seek(e, 0) == 0);
	for (n = 0; vfs_dir_next(e, &d) == 0; n++)
		CHECK(strcmp(d.name, n == 0   ? "."
		                     : n == 1 ? ".."
		                     : n == 2 ? "data"
		                              : "dev") == 0);
	CHECK(n == 4);
	CHECK(vfs_dir_seek(e, 2) == 0 && vfs_dir_next(e, &d) == 0 &&
	      strcmp(d.name, "data") == 0 && d.next == 3);
	vfs_dir_unlock(e);
	vfs_entry_unref(e);
	CHECK(vfs_vdir_entry(ns, "/dev", &e) == 0);
	vfs_dir_lock(e);
	CHECK(vfs_dir_seek(e, 0) == 0);
	for (n = 0; vfs_dir_next(e, &d) == 0; n++)
		;
	CHECK(n == 10); /* . .. and eight devices */
	vfs_dir_unlock(e);
	vfs_entry_unref(e);
	vfs_vdir_stat("/", &st);
	CHECK(S_ISDIR(st.st_mode) && st.st_ino != 0);
	vfs_ns_free(ns);

	/* A host mount at /dev replaces the virtual one. */
	CHECK(vfs_ns_new(&ns) == 0);
	CHECK(vfs_ns_mount(ns, host, "/dev") == 0);
	CHECK(vfs_ns_seal(ns) == 0);
	CHECK(!vfs_ns_virtual_dev(ns));
	CHECK(vfs_ns_locate(ns, "/dev/null", false, &loc) == 0 &&
	      loc.kind == VFS_LOC_HOST);
	vfs_ns_free(ns);
}

int main(void)
{
	int root = make_tree();
	char cmd[300];

	if (root < 0) {
		printf("t_vfs: cannot make the scratch tree\n");
		return 1;
	}
	test_table();
	test_ns();
	printf("t_vfs: openat2 %s\n",
	       vfs_use_walk(false) ? "in use" : "missing: walk only");
	test_paths(root);
	test_race(root);
	vfs_use_walk(true);
	test_paths(root);
	test_race(root);
	vfs_use_walk(false);
	close(root);
	snprintf(cmd, sizeof cmd, "rm -rf %s", base);
	if (system(cmd) != 0)
		failed++;
	return t_report("t_vfs");
}
