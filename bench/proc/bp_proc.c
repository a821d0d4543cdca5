/*
 * bp_proc.c: the process benchmark, the same source natively (cc) and as
 * a WASIX guest (sdk/wasmix-cc). Modes:
 *   bp_proc rt N DIR       N rounds of fork + exec DIR/bp_proc true + wait
 *   bp_proc pipe MB DIR    DIR/bp_proc gen MB | DIR/bp_proc cat |
 *                          DIR/bp_proc count, spawned and waited for
 *   bp_proc true | gen MB | cat | count   the pieces
 * Prints one result line ("rt N", "pipe BYTES"); exits non-zero on
 * failure. Timing is done by the caller (bench/run_proc.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHUNK 65536

static char self[512];

/* fork + exec 'argv' with fds 0/1 replaced by 'in'/'out' (-1: keep). */
static pid_t start(char **argv, int in, int out, int close1, int close2)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	if (in >= 0)
		dup2(in, 0);
	if (out >= 0)
		dup2(out, 1);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (close1 >= 0)
		close(close1);
	if (close2 >= 0)
		close(close2);
	execv(argv[0], argv);
	_exit(127);
}

static int round_trips(long n)
{
	char *argv[] = {self, "true", NULL};
	int st;

	for (long i = 0; i < n; i++) {
		pid_t pid = start(argv, -1, -1, -1, -1);
		if (pid < 0 || waitpid(pid, &st, 0) != pid || st != 0)
			return 1;
	}
	printf("rt %ld\n", n);
	return 0;
}

static int pipeline(const char *mb)
{
	char *gen[] = {self, "gen", (char *)mb, NULL};
	char *cat[] = {self, "cat", NULL};
	char *count[] = {self, "count", NULL};
	int a[2], b[2], st, bad = 0;
	pid_t p[3];

	if (pipe(a) != 0 || pipe(b) != 0)
		return 1;
	p[0] = start(gen, -1, a[1], a[0], b[0]);
	p[1] = start(cat, a[0], b[1], a[1], b[0]);
	close(a[0]);
	close(a[1]);
	close(b[1]);
	p[2] = start(count, b[0], -1, -1, -1);
	close(b[0]);
	for (int i = 0; i < 3; i++)
		bad |= waitpid(p[i], &st, 0) != p[i] || st != 0;
	return bad;
}

static int copy(int count)
{
	static char buf[CHUNK];
	long long total = 0;
	ssize_t n;

	while ((n = read(0, buf, sizeof buf)) > 0) {
		total += n;
		for (ssize_t off = 0; !count && off < n;) {
			ssize_t w = write(1, buf + off, (size_t)(n - off));
			if (w <= 0)
				return 1;
			off += w;
		}
	}
	if (count)
		printf("pipe %lld\n", total);
	return n < 0;
}

static int gen(long mb)
{
	static char buf[CHUNK];

	memset(buf, 'x', sizeof buf);
	for (long i = 0; i < mb * 16; i++)
		for (ssize_t off = 0; off < CHUNK;) {
			ssize_t w = write(1, buf + off, (size_t)(CHUNK - off));
			if (w <= 0)
				return 1;
			off += w;
		}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (argc > 3)
		snprintf(self, sizeof self, "%s/bp_proc", argv[3]);
	if (strcmp(argv[1], "true") == 0)
		return 0;
	if (strcmp(argv[1], "rt") == 0 && argc > 3)
		return round_trips(atol(argv[2]));
	if (strcmp(argv[1], "pipe") == 0 && argc > 3)
		return pipeline(argv[2]);
	if (strcmp(argv[1], "gen") == 0 && argc > 2)
		return gen(atol(argv[2]));
	if (strcmp(argv[1], "cat") == 0)
		return copy(0);
	if (strcmp(argv[1], "count") == 0)
		return copy(1);
	return 2;
}
