/*
 * wasix_abi.h: the layout of the WASIX structs that host functions read
 * from or write to guest memory (wasix_32v1; shared/spec/ names them),
 * written down once: every marshalling function and the tracer use these
 * names, never a bare offset. A struct that holds pointers or sizes has
 * a layout per pointer width (a table indexed by wasi_is64).
 *
 * Keeps true: each size is the whole struct as the guest's libc lays it
 * out (little-endian, natural alignment); each offset is of a field
 * inside it. Reading: a host function copies a struct it relies on into
 * host memory once (wasi_copy_in, wasi_impl.h) before looking at it.
 */
#ifndef WASMIX_WASIX_ABI_H
#define WASMIX_WASIX_ABI_H

#include <stdbool.h>
#include <stdint.h>

/* option_pid: { tag u8 (1: some), pid u32 } (proc_join). */
#define WASIX_OPTPID_SIZE 8
#define WASIX_OPTPID_TAG  0
#define WASIX_OPTPID_PID  4

/* join_status: { tag u8 (0 nothing, 1 exit, 2 signal), u16 exit code
 * at 2 | u8 signal at 4 } (proc_join). */
#define WASIX_JOIN_SIZE   6
#define WASIX_JOIN_TAG    0
#define WASIX_JOIN_EXIT   2
#define WASIX_JOIN_SIGNAL 4

/* option_timestamp: { tag u8 (1: some), ns u64 } (futex_wait). */
#define WASIX_OPTTIME_SIZE 16
#define WASIX_OPTTIME_TAG  0
#define WASIX_OPTTIME_NS   8

/* timeval { sec u64, usec u64 }; itimerval { interval, value }
 * (proc_raise_interval2). */
#define WASIX_TIMEVAL_SIZE    16
#define WASIX_TIMEVAL_SEC     0
#define WASIX_TIMEVAL_USEC    8
#define WASIX_ITIMER_SIZE     32
#define WASIX_ITIMER_INTERVAL 0
#define WASIX_ITIMER_VALUE    16

/* tty { cols, rows, width, height u32; stdin_tty, stdout_tty,
 * stderr_tty, echo, line_buffered, line_feeds u8 } (tty_get, tty_set). */
#define WASIX_TTY_SIZE      24
#define WASIX_TTY_COLS      0
#define WASIX_TTY_ROWS      4
#define WASIX_TTY_WIDTH     8
#define WASIX_TTY_HEIGHT    12
#define WASIX_TTY_STDIN     16
#define WASIX_TTY_STDOUT    17
#define WASIX_TTY_STDERR    18
#define WASIX_TTY_ECHO      19
#define WASIX_TTY_LINEBUF   20
#define WASIX_TTY_LINEFEEDS 21

/* stack snapshot { user u64, token[16] } (stack_checkpoint/restore). */
#define WASIX_SNAPSHOT_SIZE  24
#define WASIX_SNAPSHOT_USER  0
#define WASIX_SNAPSHOT_TOKEN 8

/*
 * spawn fd action (proc_spawn2/3): { kind u8 (0 close, 1 dup2, 2 open,
 * 3 chdir, 4 fchdir), fd u32, src u32, path pointer, path len size,
 * dirflags u32, oflags u16, rights base u64, rights inheriting u64,
 * fdflags u16, fdflagsext u16 }, laid out by C's rules: [0] for 32-bit
 * callers (56 bytes), [1] for 64-bit ones, whose path and length are 8
 * bytes (64 bytes). wasix_fdop_layout picks one.
 */
struct wasix_fdop_layout {
	uint8_t size, kind, fd, src, path, path_len, oflags, rights, inherit,
	    fdflags;
};

static inline const struct wasix_fdop_layout *wasix_fdop_layout(bool is64)
{
	static const struct wasix_fdop_layout l[2] = {
	    {.size = 56,
	     .kind = 0,
	     .fd = 4,
	     .src = 8,
	     .path = 12,
	     .path_len = 16,
	     .oflags = 24,
	     .rights = 32,
	     .inherit = 40,
	     .fdflags = 48},
	    {.size = 64,
	     .kind = 0,
	     .fd = 4,
	     .src = 8,
	     .path = 16,
	     .path_len = 24,
	     .oflags = 36,
	     .rights = 40,
	     .inherit = 48,
	     .fdflags = 56},
	};

	return &l[is64 ? 1 : 0];
}

/*
 * epoll_event { events u32, data { ptr pointer-size, fd u32, data1 u32,
 * data2 u64 } at 8 }: 32 bytes at both widths, but with memory64 the
 * data's pointer is 8 bytes and moves fd and data1 ([0] 32-bit, [1]
 * 64-bit; wasix_epev_layout picks one).
 */
struct wasix_epev_layout {
	uint8_t size, events, ptr, fd, data1, data2;
};

static inline const struct wasix_epev_layout *wasix_epev_layout(bool is64)
{
	static const struct wasix_epev_layout l[2] = {
	    {.size = 32,
	     .events = 0,
	     .ptr = 8,
	     .fd = 12,
	     .data1 = 16,
	     .data2 = 24},
	    {.size = 32,
	     .events = 0,
	     .ptr = 8,
	     .fd = 16,
	     .data1 = 20,
	     .data2 = 24},
	};

	return &l[is64 ? 1 : 0];
}

/* signal disposition for spawn: { sig u8, action u8 (1: ignore) }. */
#define WASIX_SIGDISP_SIZE   2
#define WASIX_SIGDISP_SIG    0
#define WASIX_SIGDISP_ACTION 1

#endif
