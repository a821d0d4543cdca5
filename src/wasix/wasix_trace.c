/*
 * wasix_trace.c: the trace of a run (wasix_trace.h): a wrapper around
 * each host function, the printing of each kind of parameter, and the
 * line writer.
 *
 * How to print each parameter is the 'trace' column of the import table
 * (src/wasi/wasi_imports.def), beside the signature; a kinds string
 * whose length differs from the function's parameter count is not used
 * (t_trace checks that none does). A function without one is printed
 * generically (each parameter as a number).
 *
 * Kinds, one letter per parameter:
 *   f fd            u unsigned         d signed        x pointer (hex)
 *   s string: this pointer and the next parameter ('n', its length)
 *   A argv: an array of string pointers and the next parameter ('n', the
 *     count), shown as ["a", "b"] (the first TR_ARGV_MAX, each cut at
 *     TR_ARGV_STR bytes)
 *   o oflags        l lookupflags      r rights        F fdflags
 *   w whence        c clock id         a advice        T fstflags
 *   S signal        E exit status (the call ends the process)
 *   R u32 result pointer, Q u64 result pointer: "[value]" after success
 *   P proc_join's option_pid pointer: the pid asked for (-1: any)
 *   j proc_join's flags       W proc_join's join_status pointer: after
 *     success "[pid 2 exited 3]", "[pid 2 killed by SIGTERM]", "[none]"
 *
 * Keeps true: every call's arguments (and strings) are copied before the
 * call, since its results may overwrite them; the line is formatted into
 * a fixed buffer and written with one write(2).
 */
#include "wasix/wasix_trace.h"
#include "wasix/wasix_abi.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "proc/proc.h"
#include "wasi/wasi_impl.h"
#include "wasix/wasix.h"
#include "wasix/wasix_thread.h"

/* At most this many parameters are decoded, and strings per call. */
#define TR_MAX_ARGS 16
#define TR_MAX_STRS 4
#define TR_NAME_MAX 48
#define TR_ARGV_MAX 8
#define TR_ARGV_STR 64

/* The user data of a traced function (owned by its vm_func). */
struct tr_fn {
	vm_host_fn fn;
	void *ud;
	int fd;
	const struct wasi_import_row *row; /* NULL: printed generically */
	uint32_t nparams, nresults;
	uint32_t types[TR_MAX_ARGS];
	char name[TR_NAME_MAX];
};

/* A line being formatted; 'trunc' once something did not fit. */
struct tr_line {
	char s[WASIX_TRACE_LINE_MAX];
	size_t n;
	bool trunc;
};

/* Room kept at the end for "...\n". */
#define TR_TAIL 4

static void tr_vput(struct tr_line *l, const char *fmt, va_list ap)
{
	size_t cap = sizeof l->s - TR_TAIL;
	int k;

	if (l->n >= cap) {
		l->trunc = true;
		return;
	}
	k = vsnprintf(l->s + l->n, cap - l->n, fmt, ap);
	if (k < 0)
		return;
	if ((size_t)k >= cap - l->n) {
		l->n = cap - 1;
		l->trunc = true;
	} else {
		l->n += (size_t)k;
	}
}

static void tr_put(struct tr_line *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void tr_put(struct tr_line *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tr_vput(l, fmt, ap);
	va_end(ap);
}

/* Starts a line with its "[pid P] " or "[pid P tid T] " prefix. */
static void tr_begin(struct tr_line *l, uint32_t pid)
{
	int tid = wasix_thread_trace_tid();

	l->n = 0;
	l->trunc = false;
	if (tid > 0)
		tr_put(l, "[pid %u tid %d] ", pid, tid);
	else
		tr_put(l, "[pid %u] ", pid);
}

/* Ends the line and writes it with one write(2); keeps errno. */
static void tr_end(struct tr_line *l, int fd)
{
	int saved = errno;
	ssize_t w;

	if (l->trunc) {
		memcpy(l->s + l->n, "...", 3);
		l->n += 3;
	}
	l->s[l->n++] = '\n';
	do
		w = write(fd, l->s, l->n);
	while (w < 0 && errno == EINTR);
	errno = saved;
}

static void tr_vevent(int fd, uint32_t pid, const char *fmt, va_list ap)
{
	struct tr_line l;

	tr_begin(&l, pid);
	tr_vput(&l, fmt, ap);
	tr_end(&l, fd);
}

static void tr_event_pid(int fd, uint32_t pid, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void tr_event_pid(int fd, uint32_t pid, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tr_vevent(fd, pid, fmt, ap);
	va_end(ap);
}

void wasix_trace_event(int fd, const char *fmt, ...)
{
	va_list ap;

	if (fd < 0)
		return;
	va_start(ap, fmt);
	tr_vevent(fd, proc_self(), fmt, ap);
	va_end(ap);
}

const char *wasix_trace_signame(int sig, char buf[16])
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
	const char *n = sig > 0 ? sigabbrev_np(sig) : NULL;

	if (n != NULL) {
		snprintf(buf, 16, "SIG%s", n);
		return buf;
	}
#endif
	snprintf(buf, 16, "%d", sig);
	return buf;
}

/* ---- symbolic values ----------------------------------------------------- */

struct tr_bit {
	uint64_t bit;
	const char *name;
};

/* Prints 'v' as NAME|NAME|0x.. from 'bits' ("0" for none). */
static void tr_flags(struct tr_line *l, uint64_t v, const struct tr_bit *bits,
                     size_t n)
{
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		if ((v & bits[i].bit) == 0)
			continue;
		tr_put(l, "%s%s", any ? "|" : "", bits[i].name);
		v &= ~bits[i].bit;
		any = true;
	}
	if (v != 0 || !any)
		tr_put(l, "%s%#llx", any ? "|" : "", (unsigned long long)v);
}

/* clang-format off */
#define TR_RIGHT(n) {WASI_RIGHT_##n, #n}
/* clang-format on */
static const struct tr_bit tr_rights[] = {
    TR_RIGHT(FD_DATASYNC),
    TR_RIGHT(FD_READ),
    TR_RIGHT(FD_SEEK),
    TR_RIGHT(FD_FDSTAT_SET_FLAGS),
    TR_RIGHT(FD_SYNC),
    TR_RIGHT(FD_TELL),
    TR_RIGHT(FD_WRITE),
    TR_RIGHT(FD_ADVISE),
    TR_RIGHT(FD_ALLOCATE),
    TR_RIGHT(PATH_CREATE_DIRECTORY),
    TR_RIGHT(PATH_CREATE_FILE),
    TR_RIGHT(PATH_LINK_SOURCE),
    TR_RIGHT(PATH_LINK_TARGET),
    TR_RIGHT(PATH_OPEN),
    TR_RIGHT(FD_READDIR),
    TR_RIGHT(PATH_READLINK),
    TR_RIGHT(PATH_RENAME_SOURCE),
    TR_RIGHT(PATH_RENAME_TARGET),
    TR_RIGHT(PATH_FILESTAT_GET),
    TR_RIGHT(PATH_FILESTAT_SET_SIZE),
    TR_RIGHT(PATH_FILESTAT_SET_TIMES),
    TR_RIGHT(FD_FILESTAT_GET),
    TR_RIGHT(FD_FILESTAT_SET_SIZE),
    TR_RIGHT(FD_FILESTAT_SET_TIMES),
    TR_RIGHT(PATH_SYMLINK),
    TR_RIGHT(PATH_REMOVE_DIRECTORY),
    TR_RIGHT(PATH_UNLINK_FILE),
    TR_RIGHT(POLL_FD_READWRITE),
    TR_RIGHT(SOCK_SHUTDOWN),
    TR_RIGHT(SOCK_ACCEPT),
};
#undef TR_RIGHT

/*
 * Rights: the names of the bits set, or, with most of them set (as libc
 * passes them), ALL_RIGHTS and the names of those missing.
 */
static void tr_rights_put(struct tr_line *l, uint64_t u)
{
	uint64_t missing = ~u & WASI_RIGHTS_ALL;

	if (__builtin_popcountll(missing) > 10) {
		tr_flags(l, u, tr_rights, WX_ARRAY_LEN(tr_rights));
		return;
	}
	tr_put(l, "ALL_RIGHTS");
	if (missing != 0) {
		tr_put(l, "&~(");
		tr_flags(l, missing, tr_rights, WX_ARRAY_LEN(tr_rights));
		tr_put(l, ")");
	}
	if (u & ~WASI_RIGHTS_ALL)
		tr_put(l, "|%#llx", (unsigned long long)(u & ~WASI_RIGHTS_ALL));
}

static const struct tr_bit tr_oflags[] = {
    {WASI_O_CREAT, "O_CREAT"},
    {WASI_O_DIRECTORY, "O_DIRECTORY"},
    {WASI_O_EXCL, "O_EXCL"},
    {WASI_O_TRUNC, "O_TRUNC"},
};

static const struct tr_bit tr_fdflags[] = {
    {WASI_FDFLAG_APPEND, "APPEND"},     {WASI_FDFLAG_DSYNC, "DSYNC"},
    {WASI_FDFLAG_NONBLOCK, "NONBLOCK"}, {WASI_FDFLAG_RSYNC, "RSYNC"},
    {WASI_FDFLAG_SYNC, "SYNC"},
};

static const struct tr_bit tr_lookup[] = {
    {WASI_LOOKUP_SYMLINK_FOLLOW, "SYMLINK_FOLLOW"},
};

static const struct tr_bit tr_join[] = {
    {1, "NON_BLOCKING"},
};

static const struct tr_bit tr_fst[] = {
    {WASI_FST_ATIM, "ATIM"},
    {WASI_FST_ATIM_NOW, "ATIM_NOW"},
    {WASI_FST_MTIM, "MTIM"},
    {WASI_FST_MTIM_NOW, "MTIM_NOW"},
};

/* Prints 'v' as names[v], or as a number past the end. */
static void tr_enum(struct tr_line *l, uint64_t v, const char *const *names,
                    size_t n)
{
	if (v < n)
		tr_put(l, "%s", names[v]);
	else
		tr_put(l, "%llu", (unsigned long long)v);
}

/* preview1's clockid, whence and advice values, in their order. */
static const char *const tr_clocks[] = {"CLOCK_REALTIME", "CLOCK_MONOTONIC",
                                        "CLOCK_PROCESS_CPUTIME_ID",
                                        "CLOCK_THREAD_CPUTIME_ID"};
static const char *const tr_whence[] = {"SEEK_SET", "SEEK_CUR", "SEEK_END"};
static const char *const tr_advice[] = {"NORMAL",   "SEQUENTIAL", "RANDOM",
                                        "WILLNEED", "DONTNEED",   "NOREUSE"};

#define TR_ERRNO_NAME(n) #n,
static const char *const tr_errnos[] = {WASI_ERRNO_LIST(TR_ERRNO_NAME)};
#undef TR_ERRNO_NAME

/* ---- strings ------------------------------------------------------------- */

/* A guest string copied once before the call. */
struct tr_str {
	uint64_t ptr, len; /* as the guest passed them */
	uint32_t n;        /* bytes copied into 'b' */
	bool ok;           /* in bounds */
	char b[WASIX_TRACE_STR_MAX];
};

static void tr_str_take(struct vm_call *c, uint64_t ptr, uint64_t len,
                        struct tr_str *s)
{
	uint32_t n =
	    len < WASIX_TRACE_STR_MAX ? (uint32_t)len : WASIX_TRACE_STR_MAX;
	const void *p = wasi_mem(c, ptr, n);

	s->ptr = ptr;
	s->len = len;
	s->n = n;
	s->ok = p != NULL;
	if (p != NULL)
		memcpy(s->b, p, n);
}

/* "text" with C escapes, then "..." when the guest's string was longer. */
static void tr_str_put(struct tr_line *l, const struct tr_str *s)
{
	char q[WASIX_TRACE_STR_MAX * 4 + 1];
	size_t k = 0;

	if (!s->ok) {
		tr_put(l, "%#llx", (unsigned long long)s->ptr);
		return;
	}
	for (uint32_t i = 0; i < s->n; i++) {
		unsigned char ch = (unsigned char)s->b[i];

		if (ch == '"' || ch == '\\') {
			q[k++] = '\\';
			q[k++] = (char)ch;
		} else if (ch == '\n') {
			q[k++] = '\\';
			q[k++] = 'n';
		} else if (ch == '\t') {
			q[k++] = '\\';
			q[k++] = 't';
		} else if (ch < 0x20 || ch > 0x7e) {
			k += (size_t)snprintf(q + k, 5, "\\x%02x", ch);
		} else {
			q[k++] = (char)ch;
		}
	}
	q[k] = 0;
	tr_put(l, "\"%s\"%s", q, s->len > s->n ? "..." : "");
}

/* An argv array copied once before the call (an exec replaces memory). */
struct tr_argv {
	uint64_t ptr, count;
	bool ok; /* the array is in bounds */
	struct {
		uint8_t len;
		bool ok, more; /* in bounds; longer than TR_ARGV_STR */
		char b[TR_ARGV_STR];
	} s[TR_ARGV_MAX];
};

/* Copies string 'i' at guest 'ptr': at most TR_ARGV_STR bytes, to a NUL. */
static void tr_argv_str(struct vm_call *c, uint64_t ptr, struct tr_argv *v,
                        unsigned i)
{
	uint64_t size = c->memory != NULL ? vm_memory_size(c->memory) : 0;
	uint64_t k = size > ptr ? size - ptr : 0;
	const void *p;
	char tmp[TR_ARGV_STR + 1];
	const char *z;

	if (k > sizeof tmp)
		k = sizeof tmp;
	p = k > 0 ? wasi_mem(c, ptr, k) : NULL;
	v->s[i].ok = p != NULL;
	if (p == NULL)
		return;
	memcpy(tmp, p, k);
	z = memchr(tmp, 0, k);
	if (z != NULL)
		k = (uint64_t)(z - tmp);
	else if (k > TR_ARGV_STR)
		k = TR_ARGV_STR;
	v->s[i].len = (uint8_t)k;
	v->s[i].more = z == NULL;
	memcpy(v->s[i].b, tmp, v->s[i].len);
}

static void tr_argv_take(struct vm_call *c, uint64_t ptr, uint64_t count,
                         struct tr_argv *v)
{
	unsigned n = count < TR_ARGV_MAX ? (unsigned)count : TR_ARGV_MAX;
	unsigned ps = wasi_psize(c); /* 4, or 8 with memory64 */
	const void *p = wasi_mem(c, ptr, (uint64_t)ps * n);
	uint8_t ptrs[8 * TR_ARGV_MAX];

	v->ptr = ptr;
	v->count = count;
	v->ok = p != NULL;
	if (p == NULL)
		return;
	memcpy(ptrs, p, (size_t)ps * n);
	for (unsigned i = 0; i < n; i++)
		tr_argv_str(c, wasi_get_ptr(c, ptrs + (size_t)ps * i), v, i);
}

static void tr_argv_put(struct tr_line *l, const struct tr_argv *v)
{
	unsigned n = v->count < TR_ARGV_MAX ? v->count : TR_ARGV_MAX;

	if (!v->ok) {
		tr_put(l, "%#llx", (unsigned long long)v->ptr);
		return;
	}
	tr_put(l, "[");
	for (unsigned i = 0; i < n; i++) {
		struct tr_str s = {.len = v->s[i].len + v->s[i].more,
		                   .n = v->s[i].len,
		                   .ok = v->s[i].ok};

		memcpy(s.b, v->s[i].b, v->s[i].len);
		tr_put(l, "%s", i > 0 ? ", " : "");
		if (s.ok)
			tr_str_put(l, &s);
		else
			tr_put(l, "?");
	}
	tr_put(l, "%s]", v->count > n ? ", ..." : "");
}

/* ---- the wrapper -------------------------------------------------------- */

/* The call's copied arguments, strings, argv array and join pid. */
struct tr_args {
	uint64_t v[TR_MAX_ARGS];
	struct tr_str str[TR_MAX_STRS];
	struct tr_argv argv;
	bool opt_ok;    /* 'P': the option_pid was in bounds */
	uint8_t opt[WASIX_OPTPID_SIZE]; /* its bytes (wasix_abi.h) */
};

static void tr_opt_take(struct vm_call *c, uint64_t ptr, struct tr_args *a)
{
	a->opt_ok =
	    wasi_copy_in(c, ptr, a->opt, sizeof a->opt) == WASI_ESUCCESS;
}

/* 'P': the pid the guest asked for, or the pointer. */
static void tr_opt_put(struct tr_line *l, const struct tr_args *a, uint64_t ptr)
{
	if (!a->opt_ok)
		tr_put(l, "%#llx", (unsigned long long)ptr);
	else if (a->opt[WASIX_OPTPID_TAG] == 1)
		tr_put(l, "%u", wasi_get_u32(a->opt + WASIX_OPTPID_PID));
	else
		tr_put(l, "-1");
}

/*
 * 'W' after a successful join: the child the join reports (written back
 * into the option_pid at 'opt_ptr') and how it ended (wasix_proc.c's
 * join_status: tag 0 nothing, 1 exit code u16 at 2, 2 signal at 4).
 */
static void tr_status_put(struct tr_line *l, struct vm_call *c,
                          uint64_t opt_ptr, uint64_t ptr, bool ok)
{
	const void *po = ok ? wasi_mem(c, opt_ptr, 8) : NULL;
	const void *ps = ok ? wasi_mem(c, ptr, 6) : NULL;
	uint8_t o[8], st[6];
	char sb[16];

	if (po == NULL || ps == NULL) {
		tr_put(l, "%#llx", (unsigned long long)ptr);
		return;
	}
	memcpy(o, po, 8);
	memcpy(st, ps, 6);
	if (st[0] == 1)
		tr_put(l, "[pid %u exited %u]", wasi_get_u32(o + 4),
		       (unsigned)(st[2] | st[3] << 8));
	else if (st[0] == 2)
		tr_put(l, "[pid %u killed by %s]", wasi_get_u32(o + 4),
		       wasix_trace_signame(st[4], sb));
	else
		tr_put(l, "[none]");
}

/* A pointer or size argument at the caller's width (wasi_ptr's rule). */
static uint64_t tr_ptr(const struct vm_call *c, uint64_t v)
{
	return wasi_is64(c) ? v : (uint32_t)v;
}

static void tr_capture(struct vm_call *c, const struct tr_fn *t,
                       struct tr_args *a)
{
	unsigned ns = 0;

	for (uint32_t i = 0; i < t->nparams; i++)
		a->v[i] = c->args[i];
	if (t->row == NULL)
		return;
	for (uint32_t i = 0; i < t->nparams; i++)
		if (t->row->trace[i] == 's' && i + 1 < t->nparams &&
		    ns < TR_MAX_STRS)
			tr_str_take(c, tr_ptr(c, a->v[i]),
			            tr_ptr(c, a->v[i + 1]), &a->str[ns++]);
		else if (t->row->trace[i] == 'A' && i + 1 < t->nparams)
			tr_argv_take(c, tr_ptr(c, a->v[i]),
			             tr_ptr(c, a->v[i + 1]), &a->argv);
		else if (t->row->trace[i] == 'P')
			tr_opt_take(c, tr_ptr(c, a->v[i]), a);
}

/* A result pointer after the call: "[value]" on success, else the pointer. */
static void tr_out(struct tr_line *l, struct vm_call *c, uint64_t ptr,
                   unsigned size, bool ok)
{
	const uint8_t *p = ok ? wasi_mem(c, ptr, size) : NULL;
	uint8_t b[8];

	if (p == NULL) {
		tr_put(l, "%#llx", (unsigned long long)ptr);
		return;
	}
	memcpy(b, p, size);
	if (size == 4)
		tr_put(l, "[%u]", wasi_get_u32(b));
	else
		tr_put(l, "[%llu]", (unsigned long long)wasi_get_u64(b));
}

/* One parameter of kind 'k' and value 'v' (of wasm type 'type'). */
static void tr_arg(struct tr_line *l, struct vm_call *c, char k, uint64_t v,
                   uint32_t type, bool ok)
{
	char sb[16];
	uint64_t u = type == WASM_I64 ? v : (uint32_t)v;
	long long d = type == WASM_I64 ? (long long)(int64_t)v
	                               : (long long)(int32_t)(uint32_t)v;

	switch (k) {
	case 'f':
	case 'd':
	case 'E':
		tr_put(l, "%lld", d);
		break;
	case 'x':
		tr_put(l, "%#llx", (unsigned long long)u);
		break;
	case 'o':
		tr_flags(l, u, tr_oflags, WX_ARRAY_LEN(tr_oflags));
		break;
	case 'l':
		tr_flags(l, u, tr_lookup, WX_ARRAY_LEN(tr_lookup));
		break;
	case 'r':
		tr_rights_put(l, u);
		break;
	case 'F':
		tr_flags(l, u, tr_fdflags, WX_ARRAY_LEN(tr_fdflags));
		break;
	case 'T':
		tr_flags(l, u, tr_fst, WX_ARRAY_LEN(tr_fst));
		break;
	case 'j':
		tr_flags(l, u, tr_join, WX_ARRAY_LEN(tr_join));
		break;
	case 'w':
		tr_enum(l, u, tr_whence, WX_ARRAY_LEN(tr_whence));
		break;
	case 'c':
		tr_enum(l, u, tr_clocks, WX_ARRAY_LEN(tr_clocks));
		break;
	case 'a':
		tr_enum(l, u, tr_advice, WX_ARRAY_LEN(tr_advice));
		break;
	case 'S':
		tr_put(l, "%s", wasix_trace_signame((int)u, sb));
		break;
	case 'R':
		tr_out(l, c, u, 4, ok);
		break;
	case 'Q':
		tr_out(l, c, u, 8, ok);
		break;
	default: /* 'u' */
		tr_put(l, "%llu", (unsigned long long)u);
		break;
	}
}

/* Generic: small numbers in decimal, others (likely pointers) in hex. */
static void tr_generic(struct tr_line *l, uint64_t v, uint32_t type)
{
	uint64_t u = type == WASM_I64 ? v : (uint32_t)v;

	if (u < 4096)
		tr_put(l, "%llu", (unsigned long long)u);
	else
		tr_put(l, "%#llx", (unsigned long long)u);
}

/*
 * "= 0", "= -1 ENOENT", "= ?" (did not return), "= void"; an exec that
 * committed "= 0", as strace shows execve.
 */
static void tr_result(struct tr_line *l, const struct tr_fn *t,
                      struct vm_call *c, int rc)
{
	bool exec = strncmp(t->name, "proc_exec", 9) == 0;
	bool spawn = strncmp(t->name, "proc_spawn", 10) == 0;
	uint32_t e;

	if (rc == WX_EEXIT && exec) {
		tr_put(l, " = 0");
		return;
	}
	if (rc == WX_EEXIT && spawn) {
		tr_put(l, " = ? <the new child runs it>");
		return;
	}
	if (rc != 0) {
		tr_put(l, " = ?");
		return;
	}
	if (t->nresults == 0) {
		tr_put(l, " = void");
		return;
	}
	e = (uint32_t)c->results[0];
	if (t->row != NULL && strcmp(t->row->name, "thread-spawn") == 0)
		tr_put(l, " = %d", (int32_t)e);
	else if (e == 0)
		tr_put(l, " = 0");
	else if (e < WX_ARRAY_LEN(tr_errnos))
		tr_put(l, " = -1 %s", tr_errnos[e]);
	else
		tr_put(l, " = -1 E#%u", e);
}

/* The traced call: copy, call, print. */
static int tr_call(struct vm_call *c, void *ud)
{
	const struct tr_fn *t = ud;
	const char *k = t->row != NULL ? t->row->trace : NULL;
	bool is_exit = k != NULL && k[0] == 'E';
	uint32_t pid0 = proc_self(), pid;
	struct tr_args a;
	struct tr_line l;
	unsigned ns = 0;
	bool ok, env_exit;
	int rc;

	tr_capture(c, t, &a);
	rc = t->fn(c, t->ud);
	pid = is_exit ? pid0 : proc_self();
	ok = rc == 0 && (t->nresults == 0 || c->results[0] == 0);
	tr_begin(&l, pid);
	tr_put(&l, "%s(", t->name);
	for (uint32_t i = 0; i < t->nparams; i++) {
		if (k != NULL && k[i] == 'n')
			continue;
		if (i > 0)
			tr_put(&l, ", ");
		if (k == NULL)
			tr_generic(&l, a.v[i], t->types[i]);
		else if (k[i] == 's' && ns < TR_MAX_STRS)
			tr_str_put(&l, &a.str[ns++]);
		else if (k[i] == 'A')
			tr_argv_put(&l, &a.argv);
		else if (k[i] == 'P')
			tr_opt_put(&l, &a, tr_ptr(c, a.v[i]));
		else if (k[i] == 'W' && i > 0)
			tr_status_put(&l, c, tr_ptr(c, a.v[0]),
			              tr_ptr(c, a.v[i]), ok);
		else
			tr_arg(&l, c, k[i], a.v[i], t->types[i], ok);
	}
	tr_put(&l, ")");
	/* proc_exit2 of a proc_fork_env child returns in the parent. */
	env_exit = is_exit && rc == 0 && proc_self() != pid0;
	tr_result(&l, t, c, env_exit ? WX_EEXIT : rc);
	tr_end(&l, t->fd);
	if (is_exit && (rc == WX_EEXIT || env_exit))
		tr_event_pid(t->fd, pid0, "+++ exited with %d +++",
		             env_exit ? (int)(uint32_t)a.v[0] : c->exit_code);
	return rc;
}

/* The import table's row of 'imp' if it has argument kinds, or NULL. */
static const struct wasi_import_row *tr_find(const struct wasm_import *imp)
{
	bool is64;
	const struct wasi_import_row *r = wasi_import_find(NULL, imp, &is64);

	return r != NULL && r->trace != NULL ? r : NULL;
}

int wasix_trace_wrap(int fd, struct vm_store *s, const struct wasm_import *imp,
                     struct vm_extern *ext)
{
	const struct wasm_functype *ft;
	struct tr_fn *t;
	struct vm_func *f;
	vm_host_fn fn;
	void *ud, *data;
	uint32_t i, n;

	if (fd < 0 || ext->kind != WASM_EXT_FUNC ||
	    !vm_func_host(ext->u.func, &fn, &ud))
		return 0;
	ft = vm_func_type(ext->u.func);
	if (ft->nparams > TR_MAX_ARGS)
		return 0; /* none of ours: left untraced */
	f = vm_func_new_host_data(s, ft, tr_call, sizeof *t, &data);
	if (f == NULL)
		return WX_ENOMEM;
	t = data;
	t->fn = fn;
	t->ud = ud;
	t->fd = fd;
	t->row = tr_find(imp);
	if (t->row != NULL && strlen(t->row->trace) != ft->nparams)
		t->row = NULL;
	t->nparams = ft->nparams;
	t->nresults = ft->nresults;
	memcpy(t->types, ft->types, ft->nparams * sizeof *t->types);
	n = imp->name_len < TR_NAME_MAX - 1 ? imp->name_len : TR_NAME_MAX - 1;
	for (i = 0; i < n; i++) {
		char ch = imp->name[i];
		t->name[i] = ch > 0x20 && ch < 0x7f ? ch : '?';
	}
	t->name[n] = 0;
	ext->u.func = f;
	return 0;
}
