/*
 * wx_sh.c: a tiny shell for the tests. 'wx_sh LINE' (or 'wx_sh -c
 * LINE', so that it can serve as system()'s "sh") runs LINE: words
 * split on blanks, commands joined by '|' run as a pipeline of spawned
 * programs (found through PATH), '$(LINE)' is replaced by the output of
 * LINE (trailing newlines dropped, one level deep). Exits with the status
 * of the last command (128 + signal for a signal death).
 *
 * 'wx_sh -v -c LINE' acts as an interactive shell waiting for its
 * foreground job: it catches SIGINT (saying so on stderr) and, once the
 * pipeline has ended, prints how each command ended on stderr
 * ("cmd I exit N" or "cmd I signal N"), for tests/wasix/host_pty.c.
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CMDS  16
#define MAX_WORDS 32
#define MAX_LINE  4096

static int verbose;
static volatile sig_atomic_t got_int;

static void on_int(int sig)
{
	got_int = sig;
}

/* -v: how command 'i' ended (wait status 'st'). */
static void report(int i, int st)
{
	if (!verbose)
		return;
	if (WIFSIGNALED(st))
		fprintf(stderr, "cmd %d signal %d\n", i, WTERMSIG(st));
	else
		fprintf(stderr, "cmd %d exit %d\n", i, WEXITSTATUS(st));
}

/* Splits 'cmd' (modified) into words; returns their number. */
static int split(char *cmd, char **w)
{
	int n = 0;

	for (char *t = strtok(cmd, " \t"); t && n < MAX_WORDS - 1;
	     t = strtok(NULL, " \t"))
		w[n++] = t;
	w[n] = NULL;
	return n;
}

/*
 * Runs pipeline 'line' (modified) with stdout going to 'out_fd'. Returns
 * the wait status of the last command, or -1.
 */
static int run_pipeline(char *line, int out_fd)
{
	char *cmds[MAX_CMDS], *save = NULL, *w[MAX_WORDS];
	pid_t pids[MAX_CMDS];
	int n = 0, in_fd = 0, st = -1, last = -1;

	for (char *c = strtok_r(line, "|", &save); c && n < MAX_CMDS;
	     c = strtok_r(NULL, "|", &save))
		cmds[n++] = c;
	for (int i = 0; i < n; i++) {
		posix_spawn_file_actions_t fa;
		int p[2] = {-1, -1}, out = out_fd;

		if (i + 1 < n) {
			if (pipe(p) != 0)
				return -1;
			out = p[1];
		}
		posix_spawn_file_actions_init(&fa);
		if (in_fd != 0)
			posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
		if (out != 1)
			posix_spawn_file_actions_adddup2(&fa, out, 1);
		if (p[0] >= 0)
			posix_spawn_file_actions_addclose(&fa, p[0]);
		if (split(cmds[i], w) == 0 ||
		    posix_spawnp(&pids[i], w[0], &fa, NULL, w, NULL) != 0) {
			fprintf(stderr, "wx_sh: cannot run '%s'\n", w[0]);
			pids[i] = -1;
		}
		posix_spawn_file_actions_destroy(&fa);
		if (in_fd != 0)
			close(in_fd);
		if (p[1] >= 0)
			close(p[1]);
		in_fd = p[0];
	}
	for (int i = 0; i < n; i++) {
		pid_t r = -1;

		while (pids[i] > 0 && (r = waitpid(pids[i], &st, 0)) < 0 &&
		       errno == EINTR)
			; /* our SIGINT handler ran (-v) */
		if (pids[i] <= 0 || r != pids[i])
			continue;
		report(i, st);
		if (i == n - 1)
			last = st;
	}
	return last;
}

/* Replaces one $(...) in 'line' by the output of what it holds. */
static int substitute(char *line)
{
	char *s = strstr(line, "$("), *e, out[MAX_LINE], inner[MAX_LINE];
	int p[2];
	ssize_t r;
	size_t n = 0;

	if (s == NULL)
		return 0;
	e = strchr(s, ')');
	if (e == NULL || pipe(p) != 0)
		return -1;
	snprintf(inner, sizeof inner, "%.*s", (int)(e - s - 2), s + 2);
	run_pipeline(inner, p[1]);
	close(p[1]);
	while (n + 1 < sizeof out &&
	       (r = read(p[0], out + n, sizeof out - 1 - n)) > 0)
		n += (size_t)r;
	close(p[0]);
	while (n > 0 && out[n - 1] == '\n')
		n--;
	out[n] = 0;
	snprintf(inner, sizeof inner, "%.*s%s%s", (int)(s - line), line, out,
	         e + 1);
	strcpy(line, inner);
	return 0;
}

int main(int argc, char **argv)
{
	char line[MAX_LINE];
	int st;

	const char *text = argc == 2 ? argv[1] : NULL;

	if (argc == 3 && strcmp(argv[1], "-c") == 0)
		text = argv[2]; /* as 'sh -c LINE', for system() and popen() */
	if (argc == 4 && strcmp(argv[1], "-v") == 0 &&
	    strcmp(argv[2], "-c") == 0) {
		text = argv[3];
		verbose = 1;
		signal(SIGINT, on_int);
	}
	if (text == NULL || strlen(text) >= sizeof line)
		return 2;
	strcpy(line, text);
	if (substitute(line) != 0)
		return 2;
	fflush(stdout);
	st = run_pipeline(line, 1);
	if (verbose && got_int)
		fprintf(stderr, "sh got SIGINT\n");
	if (st < 0)
		return 127;
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}
