/*
 * base.h: the few things every layer shares: error codes, the first-wins
 * diagnostic buffer, checked allocation, and small helpers.
 *
 * Keeps true: nothing here knows about WebAssembly, processes or files.
 * Every allocation sized by input goes through wx_alloc_array (overflow
 * checked) or is capped by the caller before it is made.
 */
#ifndef WASMIX_BASE_H
#define WASMIX_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Error codes returned by functions of every layer (0 is success). */
enum wx_err {
	WX_OK = 0,
	WX_ENOMEM = 1,     /* host allocation failed */
	WX_ELIMIT = 2,     /* a configured cap was exceeded */
	WX_EMALFORMED = 3, /* module bytes do not decode */
	WX_EINVALID = 4,   /* module does not validate */
	WX_ELINK = 5,      /* imports do not match ("unknown import", ...) */
	WX_ETRAP = 6,      /* execution trapped; message in the diag */
	WX_EEXIT = 7,      /* the guest called proc_exit; code kept aside */
	WX_EIO = 8,        /* host I/O failed */
	WX_EARG = 9,       /* bad argument from the caller */
};

/*
 * A one-line message buffer. The first message set wins, so the deepest
 * (most precise) cause is what the user sees. Not thread-safe: one per
 * thread or operation.
 */
struct diag {
	int set;
	char msg[256];
};

/* Sets the message if none is set yet; returns 'err' for tail use. */
int diag_set(struct diag *d, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clears the buffer for reuse. */
static inline void diag_clear(struct diag *d)
{
	d->set = 0;
	d->msg[0] = 0;
}

/*
 * Allocation. All return NULL on failure (and never abort); wx_free(NULL)
 * is allowed. wx_alloc_array returns zeroed memory for n * size bytes, or
 * NULL if that product overflows.
 */
void *wx_malloc(size_t n);
void *wx_calloc(size_t n, size_t size);
void *wx_realloc(void *p, size_t n);
void *wx_alloc_array(size_t n, size_t size);
void wx_free(void *p);

/*
 * The allocator behind all of the above, in the spirit of lua_Alloc:
 * fn(ud, ptr, size) acts as realloc(ptr, size) for size > 0 (ptr NULL:
 * a new block) and as free(ptr) for size 0 (returning NULL). NULL
 * restores the C library's. Process-wide; set it before anything is
 * allocated, since blocks must be freed by the allocator that made them.
 */
typedef void *(*wx_alloc_fn)(void *ud, void *ptr, size_t size);
void wx_set_allocator(wx_alloc_fn fn, void *ud);

/*
 * Failure injection (tests): after 'n' more successful allocations
 * (wx_malloc, wx_calloc, wx_realloc, wx_alloc_array), every allocation
 * fails until it is called again, or with 'once' only the next one;
 * n = -1 turns it off (the default).
 * wx_alloc_count is the number of allocations asked for so far.
 * Thread-safe.
 */
void wx_alloc_fail_after(int64_t n, bool once);
uint64_t wx_alloc_count(void);

#define WX_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define WX_LIKELY(x)    __builtin_expect(!!(x), 1)
#define WX_UNLIKELY(x)  __builtin_expect(!!(x), 0)

#endif
