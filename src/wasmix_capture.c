/*
 * wasmix_capture.c: guest output captured in memory (wasmix_capture.h).
 *
 * What it keeps true: the buffer is allocated once at its cap and never
 * moves, so bytes handed out stay valid and unchanged; every drain (the
 * thread's and wasmix_capture_get's) happens under 'mu' with
 * non-blocking reads, so a get sees every byte whose write(2) returned
 * before it. The thread ends on a byte in the stop pipe, not on EOF, so a
 * copy of the write end held elsewhere (a fork of the embedder) cannot
 * keep wasmix_capture_free waiting.
 */
#include "wasmix_capture.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"

struct wasmix_capture {
	int rfd, wfd;       /* the guest's pipe */
	int stop_r, stop_w; /* wakes the thread to end */
	pthread_t thread;
	pthread_mutex_t mu;
	uint8_t *buf; /* 'cap' bytes */
	size_t len, cap;
	uint64_t dropped;
};

/* Moves what the pipe holds into the buffer; under k->mu. */
static void capture_drain(struct wasmix_capture *k)
{
	uint8_t tmp[4096];

	for (;;) {
		ssize_t n = read(k->rfd, tmp, sizeof tmp);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* empty (EAGAIN), or no writer left */
		size_t room = k->cap - k->len;
		size_t take = (size_t)n < room ? (size_t)n : room;
		memcpy(k->buf + k->len, tmp, take);
		k->len += take;
		k->dropped += (size_t)n - take;
	}
}

static void *capture_main(void *arg)
{
	struct wasmix_capture *k = arg;
	struct pollfd p[2] = {{k->rfd, POLLIN, 0}, {k->stop_r, POLLIN, 0}};

	for (;;) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		pthread_mutex_lock(&k->mu);
		capture_drain(k);
		pthread_mutex_unlock(&k->mu);
		if (p[1].revents != 0)
			break;
		if (p[0].revents & (POLLHUP | POLLERR))
			p[0].fd = -1; /* no writer: wait for the stop only */
	}
	return NULL;
}

int wasmix_capture_new(size_t cap, struct wasmix_capture **out, int *write_fd)
{
	struct wasmix_capture *k = wx_calloc(1, sizeof *k);
	int fds[2] = {-1, -1}, stop[2] = {-1, -1};
	int rc = WX_ENOMEM;

	*out = NULL;
	if (k == NULL || cap == 0)
		goto fail;
	k->buf = wx_malloc(cap);
	if (k->buf == NULL)
		goto fail;
	rc = WX_EIO;
	if (pipe2(fds, O_CLOEXEC) != 0 || pipe2(stop, O_CLOEXEC) != 0 ||
	    fcntl(fds[0], F_SETFL, O_NONBLOCK) != 0)
		goto fail;
	k->rfd = fds[0];
	k->wfd = fds[1];
	k->stop_r = stop[0];
	k->stop_w = stop[1];
	k->cap = cap;
	if (pthread_mutex_init(&k->mu, NULL) != 0)
		goto fail;
	if (pthread_create(&k->thread, NULL, capture_main, k) != 0) {
		pthread_mutex_destroy(&k->mu);
		goto fail;
	}
	*out = k;
	*write_fd = k->wfd;
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		if (stop[i] >= 0)
			close(stop[i]);
	}
	if (k != NULL)
		wx_free(k->buf);
	wx_free(k);
	return rc;
}

void wasmix_capture_get(struct wasmix_capture *k, const uint8_t **data,
                        size_t *len, uint64_t *dropped)
{
	pthread_mutex_lock(&k->mu);
	capture_drain(k);
	*data = k->buf;
	*len = k->len;
	*dropped = k->dropped;
	pthread_mutex_unlock(&k->mu);
}

void wasmix_capture_free(struct wasmix_capture *k)
{
	char one = 1;

	if (k == NULL)
		return;
	while (write(k->stop_w, &one, 1) < 0 && errno == EINTR)
		;
	pthread_join(k->thread, NULL);
	pthread_mutex_destroy(&k->mu);
	close(k->rfd);
	close(k->wfd);
	close(k->stop_r);
	close(k->stop_w);
	wx_free(k->buf);
	wx_free(k);
}
