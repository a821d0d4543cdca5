/*
 * sys/epoll.h: epoll for wasmix SDK programs (Linux's constants and
 * struct; libwasix.a maps them to WASIX epoll_create/ctl/wait).
 * epoll_pwait ignores its mask. EPOLL_CLOEXEC marks the fd close-on-exec.
 */
#ifndef WASIX_SYS_EPOLL_H
#define WASIX_SYS_EPOLL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EPOLLIN      0x001
#define EPOLLPRI     0x002
#define EPOLLOUT     0x004
#define EPOLLERR     0x008
#define EPOLLHUP     0x010
#define EPOLLRDNORM  0x040
#define EPOLLWRNORM  0x100
#define EPOLLRDHUP   0x2000
#define EPOLLONESHOT (1u << 30)
#define EPOLLET      (1u << 31)

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3

#define EPOLL_CLOEXEC 0x2000 /* = SOCK_CLOEXEC */

typedef union epoll_data {
	void *ptr;
	int fd;
	uint32_t u32;
	uint64_t u64;
} epoll_data_t;

struct epoll_event {
	uint32_t events;
	epoll_data_t data;
};

int epoll_create(int size);
int epoll_create1(int flags);
int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev);
int epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout_ms);
int epoll_pwait(int epfd, struct epoll_event *ev, int max, int timeout_ms,
                const void *sigmask);

#ifdef __cplusplus
}
#endif

#endif
