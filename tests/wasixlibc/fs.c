/* fs.c: files, directories, cwd and stdio in the test root (corpus.h):
 * open/read/write/lseek, O_APPEND/O_EXCL/O_TRUNC, stat/fstat/lstat,
 * mkdir/rmdir/unlink/rename, readdir, symlinks, chdir/getcwd and
 * relative paths, openat/fstatat (wasix-libc has no fchdir), fopen/fgets/fseek, /dev/null and
 * /dev/zero, the mmap emulation. Starts from the fixture that
 * run_wasixlibc.sh makes (r.txt = "hello\n", sub/a.txt, empty.txt). */
#define _GNU_SOURCE
#include "corpus.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints the sorted names in DIR (without . and ..). */
static void list(const char *label, const char *dir)
{
	char *names[64];
	int n = 0;
	DIR *d = opendir(dir);
	if (!d) {
		printf("%s opendir %s\n", label, ename(errno));
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)) && n < 64)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof *names, cmp);
	printf("%s:", label);
	for (int i = 0; i < n; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
}

static void cwd(const char *label)
{
	char b[600];
	if (getcwd(b, sizeof b))
		printf("%s cwd %s\n", label, show(b));
	else
		printf("%s getcwd %s\n", label, ename(errno));
}

static void readall(const char *label, const char *path)
{
	char b[256];
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("%s open %s\n", label, ename(errno));
		return;
	}
	ssize_t n = read(fd, b, sizeof b - 1);
	close(fd);
	if (n < 0) {
		printf("%s read %s\n", label, ename(errno));
		return;
	}
	b[n] = 0;
	for (ssize_t i = 0; i < n; i++)
		if (b[i] == '\n')
			b[i] = '|';
	printf("%s [%s]\n", label, b);
}

static void files(void)
{
	readall("abs r.txt", P("r.txt"));
	readall("rel r.txt", "r.txt");
	readall("dot r.txt", "./r.txt");
	readall("sub/../r.txt", "sub/../r.txt");
	readall("abs sub/a.txt", P("sub/a.txt"));
	readall("missing", P("nope.txt"));
	int fd = open(P("w.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	R("create w.txt", fd);
	R("write", write(fd, "abcdef", 6));
	R("lseek 2", lseek(fd, 2, SEEK_SET));
	R("write at 2", write(fd, "XY", 2));
	printf("lseek end %ld\n", (long)lseek(fd, 0, SEEK_END));
	close(fd);
	readall("w.txt", P("w.txt"));
	fd = open(P("w.txt"), O_WRONLY | O_APPEND);
	R("append", write(fd, "++", 2));
	close(fd);
	readall("w.txt appended", P("w.txt"));
	R("O_EXCL existing", open(P("w.txt"), O_WRONLY | O_CREAT | O_EXCL, 0644));
	fd = open(P("w.txt"), O_RDWR | O_TRUNC);
	R("O_TRUNC", fd);
	struct stat st;
	R("fstat", fstat(fd, &st));
	printf("size after trunc %ld reg %d\n", (long)st.st_size, S_ISREG(st.st_mode));
	R("ftruncate 10", ftruncate(fd, 10));
	fstat(fd, &st);
	printf("size %ld\n", (long)st.st_size);
	char z[10];
	long got = (long)pread(fd, z, 10, 0);
	printf("pread %ld zero %d\n", got, z[0] == 0 && z[9] == 0);
	R("pwrite", pwrite(fd, "Q", 1, 3));
	close(fd);
	R("stat dir", stat(P("sub"), &st));
	printf("sub isdir %d\n", S_ISDIR(st.st_mode));
	R("stat root", stat(P(""), &st));
	printf("root isdir %d\n", S_ISDIR(st.st_mode));
	R("stat missing", stat(P("nope"), &st));
	R("stat file/x", stat(P("r.txt/x"), &st));
	R("open dir for write", open(P("sub"), O_WRONLY));
	R("access r.txt", access(P("r.txt"), F_OK));
	R("access nope", access(P("nope"), F_OK));
}

static void dirs(void)
{
	list("root", P(""));
	R("mkdir d", mkdir(P("d"), 0755));
	R("mkdir d again", mkdir(P("d"), 0755));
	R("mkdir d/e", mkdir(P("d/e"), 0755));
	int fd = open(P("d/e/f.txt"), O_CREAT | O_WRONLY, 0644);
	R("create d/e/f.txt", fd);
	close(fd);
	list("d/e", P("d/e"));
	R("rmdir nonempty", rmdir(P("d/e")));
	R("rename f->g", rename(P("d/e/f.txt"), P("d/g.txt")));
	list("d", P("d"));
	R("rename over existing", rename(P("w.txt"), P("d/g.txt")));
	list("d after", P("d"));
	R("unlink g", unlink(P("d/g.txt")));
	R("unlink dir", unlink(P("d/e")));
	R("rmdir e", rmdir(P("d/e")));
	R("rmdir d", rmdir(P("d")));
	R("rmdir missing", rmdir(P("d")));
	R("symlink", symlink("r.txt", P("ln")));
	char b[100];
	ssize_t n = readlink(P("ln"), b, sizeof b - 1);
	b[n < 0 ? 0 : n] = 0;
	printf("readlink %ld %s\n", (long)n, b);
	readall("via symlink", P("ln"));
	struct stat st;
	R("lstat ln", lstat(P("ln"), &st));
	printf("ln islnk %d\n", S_ISLNK(st.st_mode));
	R("unlink ln", unlink(P("ln")));
	list("root after", P(""));
}

static void cwds(void)
{
	cwd("start");
	R("chdir sub", chdir("sub"));
	cwd("in sub");
	readall("rel a.txt", "a.txt");
	readall("rel ../r.txt", "../r.txt");
	R("chdir ..", chdir(".."));
	cwd("back");
	R("chdir abs sub", chdir(P("sub")));
	cwd("abs sub");
	R("chdir root", chdir(P("")));
	cwd("root");
	R("chdir missing", chdir("nope"));
	R("chdir file", chdir("r.txt"));
	cwd("still");
	R("mkdir rel", mkdir("rd", 0755));
	R("chdir rel", chdir("rd"));
	int fd = open("x", O_CREAT | O_WRONLY, 0644);
	R("create rel x", fd);
	close(fd);
	R("chdir ..", chdir(".."));
	R("stat rd/x", access("rd/x", F_OK));
	R("unlink rd/x", unlink("rd/x"));
	R("rmdir rd", rmdir("rd"));
	int dfd = open(P("sub"), O_RDONLY | O_DIRECTORY);
	R("open dir", dfd);
	fd = openat(dfd, "a.txt", O_RDONLY);
	R("openat", fd);
	char b[20] = {0};
	long got = (long)read(fd, b, sizeof b - 1);
	printf("openat read %ld %s", got, b);
	close(fd);
	struct stat st;
	R("fstatat", fstatat(dfd, "a.txt", &st, 0));
	printf("fstatat size %ld\n", (long)st.st_size);
	close(dfd);
	chdir(P(""));
}

static void stdio(void)
{
	FILE *f = fopen(P("s.txt"), "w+");
	printf("fopen %s\n", f ? "ok" : ename(errno));
	if (!f)
		return;
	fprintf(f, "line1\nline2 %d\n", 42);
	fputs("line3\n", f);
	rewind(f);
	char b[64];
	while (fgets(b, sizeof b, f))
		printf("fgets %s", b);
	printf("feof %d ftell %ld\n", feof(f) != 0, ftell(f));
	fseek(f, 2, SEEK_SET);
	int c = fgetc(f);
	ungetc('Z', f);
	printf("fgetc %c after ungetc %c\n", c, fgetc(f));
	fclose(f);
	f = fopen(P("s.txt"), "a");
	if (f) {
		fputs("line4\n", f);
		fclose(f);
	}
	f = fopen(P("s.txt"), "r");
	int lines = 0;
	while (f && fgets(b, sizeof b, f))
		lines++;
	if (f)
		fclose(f);
	printf("lines %d\n", lines);
	printf("fopen missing %s\n", fopen(P("nope"), "r") ? "ok" : ename(errno));
	printf("fopen r+ dir %s\n", fopen(P("sub"), "r+") ? "ok" : ename(errno));
	remove(P("s.txt"));
	fflush(stdout);
	fprintf(stderr, "to stderr\n");
	dprintf(1, "dprintf %d\n", 7);
}

static void devices(void)
{
	int fd = open("/dev/null", O_RDWR);
	R("open /dev/null", fd);
	char b[16];
	printf("write null %ld read null %ld\n", (long)write(fd, "abc", 3),
	       (long)read(fd, b, sizeof b));
	close(fd);
	fd = open("/dev/zero", O_RDONLY);
	R("open /dev/zero", fd);
	memset(b, 1, sizeof b);
	long got = (long)read(fd, b, sizeof b);
	printf("read zero %ld %d\n", got, b[0] == 0 && b[15] == 0);
	close(fd);
	fd = open("/dev/urandom", O_RDONLY);
	R("open /dev/urandom", fd);
	printf("read urandom %ld\n", (long)read(fd, b, sizeof b));
	close(fd);
	FILE *f = fopen("/dev/null", "w");
	printf("fopen /dev/null %s\n", f ? "ok" : ename(errno));
	if (f)
		fclose(f);
	struct stat st;
	R("stat /dev/null", stat("/dev/null", &st));
	printf("null ischr %d\n", S_ISCHR(st.st_mode));
}

static void maps(void)
{
	char *p = mmap(NULL, 100000, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("mmap anon %s\n", p == MAP_FAILED ? ename(errno) : "ok");
	if (p != MAP_FAILED) {
		printf("anon zero %d\n", p[0] == 0 && p[99999] == 0);
		p[500] = 7;
		printf("anon write %d\n", p[500]);
		R("munmap", munmap(p, 100000));
	}
	int fd = open(P("r.txt"), O_RDONLY);
	p = mmap(NULL, 6, PROT_READ, MAP_PRIVATE, fd, 0);
	printf("mmap file %s\n", p == MAP_FAILED ? ename(errno) : "ok");
	if (p != MAP_FAILED) {
		printf("file map [%.5s]\n", p);
		munmap(p, 6);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	corpus_init();
	const char *only = argc > 1 ? argv[1] : "";
	if (!*only || !strcmp(only, "files"))
		files();
	if (!*only || !strcmp(only, "dirs"))
		dirs();
	if (!*only || !strcmp(only, "cwd"))
		cwds();
	if (!*only || !strcmp(only, "stdio"))
		stdio();
	if (!*only || !strcmp(only, "dev"))
		devices();
	if (!*only || !strcmp(only, "mmap"))
		maps();
	printf("done\n");
	return 0;
}
