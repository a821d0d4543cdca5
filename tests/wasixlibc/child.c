/* child.c: the program the corpus execs and spawns (bin/child), natively
 * and as wasm. argv[1] says what to do:
 *   echo ARGS...   print ARGS joined by spaces
 *   exit N         exit with status N
 *   sig N          raise signal N (its default action)
 *   env NAME...    print NAME=value (or NAME unset) for each
 *   cwd            print the cwd as seen from the test root
 *   fds            print which of fds 0-9 are open
 *   cat / upper    copy stdin to stdout (upper: in upper case)
 *   write FD TEXT  write TEXT and a newline to fd FD
 *   wait           read stdin until EOF, then exit 0
 * Keeps true: it prints nothing that depends on pids or the root's
 * host path. */
#include "corpus.h"
#include <ctype.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	corpus_init();
	const char *cmd = argc > 1 ? argv[1] : "";
	if (!strcmp(cmd, "echo")) {
		for (int i = 2; i < argc; i++)
			printf("%s%s", argv[i], i + 1 < argc ? " " : "");
		printf("\n");
	} else if (!strcmp(cmd, "exit") && argc > 2) {
		return atoi(argv[2]);
	} else if (!strcmp(cmd, "sig") && argc > 2) {
		fflush(stdout);
		raise(atoi(argv[2]));
		printf("survived signal\n");
		return 99;
	} else if (!strcmp(cmd, "env")) {
		for (int i = 2; i < argc; i++) {
			const char *v = getenv(argv[i]);
			printf("%s%s%s\n", argv[i], v ? "=" : " unset", v ? v : "");
		}
	} else if (!strcmp(cmd, "cwd")) {
		char b[600];
		printf("cwd %s\n", getcwd(b, sizeof b) ? show(b) : ename(errno));
	} else if (!strcmp(cmd, "fds")) {
		printf("open fds:");
		for (int fd = 0; fd < 10; fd++)
			if (fcntl(fd, F_GETFD) != -1)
				printf(" %d", fd);
		printf("\n");
	} else if (!strcmp(cmd, "cat") || !strcmp(cmd, "upper")) {
		int c;
		while ((c = getchar()) != EOF)
			putchar(cmd[0] == 'u' ? toupper(c) : c);
	} else if (!strcmp(cmd, "write") && argc > 3) {
		char b[300];
		int n = snprintf(b, sizeof b, "%s\n", argv[3]);
		if (write(atoi(argv[2]), b, n) != n) {
			printf("write fd %s: %s\n", argv[2], ename(errno));
			return 1;
		}
	} else if (!strcmp(cmd, "wait")) {
		while (getchar() != EOF)
			;
	} else {
		fprintf(stderr, "child: unknown command %s\n", cmd);
		return 2;
	}
	return 0;
}
