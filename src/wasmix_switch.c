/*
 * wasmix_switch.c: the watcher of a background compile (wasmix_switch.h).
 */
#include "wasmix_switch.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

static void *wasmix_switch_main(void *arg)
{
	struct wasmix_switch *w = arg;
	struct pollfd p[2] = {{.fd = w->fd, .events = POLLIN},
	                      {.fd = w->stop[0], .events = POLLIN}};

	for (;;) {
		int n = poll(p, 2, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || p[1].revents != 0)
			return NULL;
		if (p[0].revents != 0)
			break;
	}
	__atomic_store_n(w->ready, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(w->flag, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

int wasmix_switch_start(struct wasmix_switch *w, int fd, int *ready,
                        volatile sig_atomic_t *flag)
{
	memset(w, 0, sizeof *w);
	w->fd = fd;
	w->ready = ready;
	w->flag = flag;
	w->stop[0] = w->stop[1] = -1;
	if (fd < 0 || pipe2(w->stop, O_CLOEXEC) != 0)
		return -1;
	w->owner = getpid();
	if (pthread_create(&w->thread, NULL, wasmix_switch_main, w) != 0) {
		close(w->stop[0]);
		close(w->stop[1]);
		w->stop[0] = w->stop[1] = -1;
		return -1;
	}
	w->started = 1;
	return 0;
}

void wasmix_switch_stop(struct wasmix_switch *w)
{
	char b = 1;

	if (!w->started || w->owner != getpid())
		return;
	if (write(w->stop[1], &b, 1) < 0)
		(void)0; /* a full pipe cannot happen: one byte */
	pthread_join(w->thread, NULL);
	close(w->stop[0]);
	close(w->stop[1]);
	w->started = 0;
}
