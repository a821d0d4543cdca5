/*
 * sys/sendfile.h: sendfile for wasmix SDK programs, over WASIX
 * sock_send_file. As on Linux: with 'offset', the file's own offset stays
 * and *offset advances; without, the file offset advances.
 */
#ifndef WASIX_SYS_SENDFILE_H
#define WASIX_SYS_SENDFILE_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

ssize_t sendfile(int out_fd, int in_fd, off_t *offset, size_t count);

#ifdef __cplusplus
}
#endif

#endif
