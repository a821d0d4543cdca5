/*
 * host_pty.c: a host-side test driver (built with the host cc by
 * tests/run_wasix.sh) for "Ctrl-C on the terminal reaches the guest
 * process group as it would natively".
 *
 *   host_pty N TIMEOUT_S COMMAND ARGS...
 *
 * Runs COMMAND on a new pseudo-terminal as the session leader with the
 * pty as its controlling terminal (so COMMAND and every process it forks
 * are in the terminal's foreground process group), copies everything the
 * terminal shows to stdout (without '\r'), waits until N lines that start
 * with "ready" have appeared, writes ^C (0x03) to the master, and then
 * reads until the terminal closes. Last line: "status exit N" or "status
 * signal N" for COMMAND. The caller asserts on the transcript.
 *
 * No timing is asserted: TIMEOUT_S is only a hang guard (the session is
 * then killed and the driver exits 2 with "timeout").
 */
#define _XOPEN_SOURCE 600
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static pid_t child = -1;

static void on_alarm(int sig)
{
	(void)sig;
	if (child > 0)
		kill(-child, SIGKILL);
	static const char msg[] = "host_pty: timeout\n";
	(void)!write(2, msg, sizeof msg - 1);
	_exit(2);
}

/* The child: new session, the pty 'fd' as controlling terminal, stdio. */
static void start(int fd, char **argv)
{
	if (setsid() < 0 || ioctl(fd, TIOCSCTTY, 0) != 0)
		_exit(126);
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	signal(SIGINT, SIG_DFL);
	execvp(argv[0], argv);
	_exit(127);
}

/*
 * Copies what the master gives to stdout until it closes; counts lines
 * that start with "ready" and writes ^C once 'want' of them are seen.
 * 's' is our own slave fd, which keeps the master from reporting EIO
 * before the child opened the terminal; it is closed before the ^C, so
 * that the master closes once the session's processes are gone.
 */
static void pump(int m, int s, int want)
{
	char buf[512], line[256];
	size_t ln = 0;
	int seen = 0, sent = 0;
	ssize_t n;

	for (;;) {
		n = read(m, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* EIO: every slave fd is closed */
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\r')
				continue;
			putchar(buf[i]);
			if (buf[i] != '\n') {
				if (ln + 1 < sizeof line)
					line[ln++] = buf[i];
				continue;
			}
			line[ln] = 0;
			ln = 0;
			if (strncmp(line, "ready", 5) == 0)
				seen++;
		}
		fflush(stdout);
		if (!sent && seen >= want) {
			close(s);
			if (write(m, "\003", 1) != 1)
				return;
			sent = 1;
		}
	}
}

int main(int argc, char **argv)
{
	struct termios t;
	int m, s, st;
	char *slave;

	if (argc < 4) {
		fprintf(stderr, "usage: host_pty N TIMEOUT_S COMMAND ARGS...\n");
		return 2;
	}
	signal(SIGALRM, on_alarm);
	alarm((unsigned)atoi(argv[2]));
	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0 ||
	    (slave = ptsname(m)) == NULL) {
		perror("host_pty: pty");
		return 2;
	}
	s = open(slave, O_RDWR | O_NOCTTY);
	if (s < 0 || tcgetattr(s, &t) != 0) {
		perror("host_pty: open slave");
		return 2;
	}
	/* No echo (the ^C would show as "^C"); ISIG stays on. */
	t.c_lflag &= ~(tcflag_t)ECHO;
	t.c_lflag |= ISIG;
	if (tcsetattr(s, TCSANOW, &t) != 0) {
		perror("host_pty: tcsetattr");
		return 2;
	}
	child = fork();
	if (child < 0) {
		perror("host_pty: fork");
		return 2;
	}
	if (child == 0) {
		close(m);
		start(s, argv + 3);
	}
	pump(m, s, atoi(argv[1]));
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR) {
			perror("host_pty: waitpid");
			return 2;
		}
	if (WIFSIGNALED(st))
		printf("status signal %d\n", WTERMSIG(st));
	else
		printf("status exit %d\n", WEXITSTATUS(st));
	return 0;
}
