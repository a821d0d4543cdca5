/* msh.c: a small POSIX-like shell, the corpus's bin/sh under wasmix (so
 * that wasix-libc's system() and popen() find one) and the interpreter
 * of the fd-games scripts, which natively run under the host's /bin/sh.
 * Understands only what those scripts use: "sh -c CMD" and "sh FILE";
 * lines and ';', pipelines with '|', single and double quotes, $?,
 * '#' comments, the redirections [N]>F [N]>>F [N]<F [N]>&M [N]<&M
 * [N]>&- and the builtins exit, exec (with or without a command), cd,
 * echo, true. Exit status of a signal death is 128+N, as in sh. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXW 64

struct redir {
	int fd;      /* the fd redirected */
	int op;      /* '>', 'a' (>>), '<', '&' (dup), '-' (close) */
	char *word;  /* the file, or the fd number to duplicate */
};

struct cmd {
	char *argv[MAXW];
	int argc;
	struct redir r[16];
	int nr;
};

static int last_status;

/* Applies C's redirections to this process; -1 with a message on error. */
static int redirect(const struct cmd *c)
{
	for (int i = 0; i < c->nr; i++) {
		const struct redir *r = &c->r[i];
		int fd;
		if (r->op == '-') {
			close(r->fd);
			continue;
		}
		if (r->op == '&') {
			fd = atoi(r->word);
			if (fd != r->fd && dup2(fd, r->fd) < 0) {
				fprintf(stderr, "sh: %s: Bad file descriptor\n", r->word);
				return -1;
			}
			continue;
		}
		int fl = r->op == '<' ? O_RDONLY
		       : r->op == 'a' ? O_WRONLY | O_CREAT | O_APPEND
				      : O_WRONLY | O_CREAT | O_TRUNC;
		fd = open(r->word, fl, 0666);
		if (fd < 0) {
			fprintf(stderr, "sh: cannot open %s: %s\n", r->word, strerror(errno));
			return -1;
		}
		if (fd != r->fd) {
			dup2(fd, r->fd);
			close(fd);
		}
	}
	return 0;
}

/* Runs a builtin in this process; returns its status, or -1 if C is not
 * a builtin. */
static int builtin(struct cmd *c, int in_child)
{
	const char *n = c->argc ? c->argv[0] : "";
	if (!strcmp(n, "exit"))
		exit(c->argc > 1 ? atoi(c->argv[1]) : last_status);
	if (!strcmp(n, "cd"))
		return chdir(c->argc > 1 ? c->argv[1] : "/") ? 1 : 0;
	if (!strcmp(n, "true"))
		return 0;
	if (!strcmp(n, "echo") && in_child) {
		for (int i = 1; i < c->argc; i++)
			printf("%s%s", c->argv[i], i + 1 < c->argc ? " " : "");
		printf("\n");
		fflush(stdout);
		return ferror(stdout) ? 1 : 0;
	}
	return -1;
}

static void run_external(struct cmd *c)
{
	if (redirect(c))
		_exit(2);
	int st = builtin(c, 1);
	if (st >= 0)
		_exit(st);
	execvp(c->argv[0], c->argv);
	fprintf(stderr, "sh: %s: not found\n", c->argv[0]);
	_exit(127);
}

static int wait_status(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 127;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void run_pipeline(struct cmd *cs, int n)
{
	if (n == 1 && cs[0].argc && !strcmp(cs[0].argv[0], "exec")) {
		if (cs[0].argc == 1) {
			last_status = redirect(&cs[0]) ? 2 : 0;
			return;
		}
		if (redirect(&cs[0]))
			exit(2);
		execvp(cs[0].argv[1], cs[0].argv + 1);
		fprintf(stderr, "sh: %s: not found\n", cs[0].argv[1]);
		exit(127);
	}
	if (n == 1 && cs[0].nr == 0 && cs[0].argc) {
		int st = strcmp(cs[0].argv[0], "echo") ? builtin(&cs[0], 0) : -1;
		if (st >= 0) {
			last_status = st;
			return;
		}
	}
	pid_t pids[16];
	int in = -1;
	fflush(stdout);
	for (int i = 0; i < n; i++) {
		int p[2] = {-1, -1};
		if (i + 1 < n && pipe(p)) {
			perror("sh: pipe");
			last_status = 2;
			return;
		}
		pids[i] = fork();
		if (pids[i] == 0) {
			if (in >= 0) {
				dup2(in, 0);
				close(in);
			}
			if (p[1] >= 0) {
				dup2(p[1], 1);
				close(p[1]);
				close(p[0]);
			}
			run_external(&cs[i]);
		}
		if (in >= 0)
			close(in);
		if (p[1] >= 0)
			close(p[1]);
		in = p[0];
	}
	for (int i = 0; i < n; i++)
		last_status = wait_status(pids[i]);
}

/* Splits LINE (modified in place) into commands and runs them. */
static void run_line(char *s)
{
	static char words[4096];
	struct cmd cs[16];
	int n = 0;
	char *w = words;
	memset(cs, 0, sizeof cs);
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#' || *s == ';' || *s == '\n') {
			if (cs[n].argc || cs[n].nr || n)
				run_pipeline(cs, n + 1);
			if (!*s || *s == '#')
				return;
			s++;
			n = 0;
			memset(cs, 0, sizeof cs);
			continue;
		}
		if (*s == '|') {
			s++;
			n++;
			continue;
		}
		struct cmd *c = &cs[n];
		/* A redirection: optional fd digits, then > >> < >& <&. */
		char *t = s;
		int fd = -1;
		if (isdigit((unsigned char)*t)) {
			fd = 0;
			while (isdigit((unsigned char)*t))
				fd = fd * 10 + (*t++ - '0');
		}
		if (*t == '>' || *t == '<') {
			struct redir *r = &c->r[c->nr++];
			r->fd = fd >= 0 ? fd : (*t == '<' ? 0 : 1);
			r->op = *t == '<' ? '<' : '>';
			t++;
			if (r->op == '>' && *t == '>') {
				r->op = 'a';
				t++;
			} else if (*t == '&') {
				r->op = '&';
				t++;
				if (*t == '-') {
					r->op = '-';
					t++;
				}
			}
			while (*t == ' ')
				t++;
			s = t;
			if (r->op == '-')
				continue;
		}
		/* A word, with quotes and $?. */
		char *start = w;
		while (*s && !strchr(" \t;|\n<>", *s)) {
			if (*s == '\'' || *s == '"') {
				char q = *s++;
				while (*s && *s != q)
					*w++ = *s++;
				if (*s)
					s++;
			} else if (s[0] == '$' && s[1] == '?') {
				w += sprintf(w, "%d", last_status);
				s += 2;
			} else {
				*w++ = *s++;
			}
		}
		*w++ = 0;
		if (c->nr && !c->r[c->nr - 1].word && c->r[c->nr - 1].op != '-')
			c->r[c->nr - 1].word = start;
		else if (c->argc < MAXW - 1)
			c->argv[c->argc++] = start;
	}
}

int main(int argc, char **argv)
{
	char line[4096];
	if (argc > 2 && !strcmp(argv[1], "-c")) {
		snprintf(line, sizeof line, "%s", argv[2]);
		run_line(line);
		return last_status;
	}
	FILE *f = argc > 1 ? fopen(argv[1], "r") : stdin;
	if (!f) {
		fprintf(stderr, "sh: cannot open %s\n", argv[1]);
		return 127;
	}
	while (fgets(line, sizeof line, f))
		run_line(line);
	return last_status;
}
