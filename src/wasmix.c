/*
 * wasmix.c: implements include/wasmix.h by wiring the layers together:
 * read the file, wasm_decode, wasm_validate, a WASI context, a VM store,
 * vm_instantiate with the WASI resolver, then '_initialize' and '_start'.
 *
 * One run owns one 'struct wasmix_run' that holds every object it made;
 * wasmix_run_free releases them on the single cleanup path, in the
 * reverse order of creation (the store before the module it borrows).
 * Error text is produced here once, as one line into the caller's
 * buffer: load errors are prefixed by the module's name, traps by
 * "trap: ".
 */
#include "wasmix.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aot/aot.h"
#include "base/base.h"
#include "dl/dl.h"
#include "proc/proc.h"
#include "vm/vm.h"
#include "wasi/wasi.h"
#include "wasix/wasix.h"
#include "wasix/wasix_thread.h"
#include "wasix/wasix_trace.h"
#include "wasm/wasm_module.h"
#include "wasmix_capture.h"
#include "wasmix_config.h"
#include "wasmix_isolate.h"
#include "wasmix_known.h"
#include "wasmix_switch.h"
#include "wasmix_timer.h"
#include "wat/wat.h"

/* Everything one run creates; freed by wasmix_run_free. */
struct wasmix_run {
	const char *name;
	struct wasm_module *mod;
	struct wasi_ctx *wasi;
	struct vm_store *store;
	struct vm_instance *inst;
	struct diag diag;
	/* Set by the timeout thread; polled by the VM (vm_config.interrupt). */
	volatile sig_atomic_t interrupt;
	int timed_out; /* read and written with __atomic builtins */
	double timeout_s;
	/* WASIX: the process state, kept across exec (wasix.h). */
	struct wasix_ctx *wasix;
	const struct wasmix_config *cfg;
	struct wasmix_run *main; /* an exec's program: the run it joins */
	uint8_t *own_bytes;      /* module bytes owned by the run, or NULL */
	char *own_name;
	/* Guest threads (wasix_thread.h); they share 'store' and 'wasi'. */
	struct wasix_threads *threads;
	/* The dynamic linker of a position-independent program, or NULL. */
	struct dl_linker *dl;
	/* An exec'd program: the LD_LIBRARY_PATH of its environment (its
	 * libraries are found there, not on the command line's). */
	bool exec_ld_set;
	const char *exec_ld_path;
	/* The compiled tier's code for this run's modules, or NULL. */
	struct aot_session *aot;
	/* The switch-over (docs/aot.md): the watcher of this run's
	 * background compile sets 'aot_ready' (atomic) and raises
	 * 'interrupt'; wasmix_on_interrupt binds the code. */
	struct wasmix_switch aot_watch;
	int aot_ready;
	/* The host process that started the run (wasmix_run_free). */
	pid_t host_pid;
};

const char *wasmix_version(void)
{
	return WASMIX_VERSION;
}

const char *wasmix_status_string(int status)
{
	static const char *const names[] = {
	    [WASMIX_OK] = "ok",
	    [WASMIX_ERROR] = "bad argument",
	    [WASMIX_NOMEM] = "out of memory",
	    [WASMIX_IOERR] = "cannot read module",
	    [WASMIX_MALFORMED] = "malformed module",
	    [WASMIX_INVALID] = "invalid module",
	    [WASMIX_LINK] = "link error",
	    [WASMIX_LIMIT] = "limit exceeded",
	    [WASMIX_TRAP] = "trap",
	    [WASMIX_SIGNALED] = "killed by a signal",
	};

	if (status < 0 || (size_t)status >= WX_ARRAY_LEN(names))
		return "unknown status";
	return names[status];
}

/* Maps an internal error code to a public status. */
static int wasmix_status_of(int err)
{
	switch (err) {
	case WX_OK:
	case WX_EEXIT:
		return WASMIX_OK;
	case WX_ENOMEM:
		return WASMIX_NOMEM;
	case WX_ELIMIT:
		return WASMIX_LIMIT;
	case WX_EMALFORMED:
		return WASMIX_MALFORMED;
	case WX_EINVALID:
		return WASMIX_INVALID;
	case WX_ELINK:
		return WASMIX_LINK;
	case WX_ETRAP:
		return WASMIX_TRAP;
	case WX_EIO:
		return WASMIX_IOERR;
	default:
		return WASMIX_ERROR;
	}
}

/* Writes one line into the caller's buffer; returns 'status'. */
static int wasmix_err(char *buf, size_t len, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int wasmix_err(char *buf, size_t len, int status, const char *fmt, ...)
{
	va_list ap;

	if (buf == NULL || len == 0)
		return status;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return status;
}

/* ---- config ------------------------------------------------------------ */

static void wasmix_config_init(struct wasmix_config *c)
{
	memset(c, 0, sizeof *c);
	c->stdio[0] = 0;
	c->stdio[1] = 1;
	c->stdio[2] = 2;
	c->trace_fd = -1;
	/* Embedders are never forked (docs/embedding.md); the CLI opts out. */
	c->isolate = true;
}

wasmix_config *wasmix_config_new(void)
{
	struct wasmix_config *c = wx_malloc(sizeof *c);

	if (c != NULL)
		wasmix_config_init(c);
	return c;
}

static void wasmix_strv_free(char **v, int n)
{
	int i;

	for (i = 0; v != NULL && i < n; i++)
		wx_free(v[i]);
	wx_free(v);
}

void wasmix_config_free(wasmix_config *c)
{
	int i;

	if (c == NULL)
		return;
	wasmix_strv_free(c->argv, c->argc);
	wasmix_strv_free(c->envp, c->envc);
	for (i = 0; i < c->ndirs; i++) {
		wx_free((char *)c->dirs[i].host);
		wx_free((char *)c->dirs[i].guest);
	}
	wx_free(c->dirs);
	wx_free(c->socks);
	wasmix_strv_free(c->cmd_names, c->ncmds);
	wasmix_strv_free(c->cmd_files, c->ncmds);
	wx_free(c);
}

static char *wasmix_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = wx_malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

int wasmix_config_set_args(wasmix_config *c, int argc, const char *const *argv)
{
	char **v;
	int i;

	if (c == NULL || argc < 0 || (argc > 0 && argv == NULL))
		return WASMIX_ERROR;
	v = wx_alloc_array((size_t)argc + 1, sizeof *v);
	if (v == NULL)
		return WASMIX_NOMEM;
	for (i = 0; i < argc; i++) {
		v[i] = argv[i] ? wasmix_strdup(argv[i]) : NULL;
		if (v[i] == NULL) {
			wasmix_strv_free(v, i);
			return argv[i] ? WASMIX_NOMEM : WASMIX_ERROR;
		}
	}
	wasmix_strv_free(c->argv, c->argc);
	c->argv = v;
	c->argc = argc;
	return WASMIX_OK;
}

int wasmix_config_add_env(wasmix_config *c, const char *kv)
{
	const char *eq = kv ? strchr(kv, '=') : NULL;
	char **v;
	int cap;

	if (c == NULL || eq == NULL || eq == kv)
		return WASMIX_ERROR;
	if (c->envc == c->envcap) {
		cap = c->envcap ? 2 * c->envcap : 8;
		if (cap < c->envcap)
			return WASMIX_NOMEM;
		v = wx_realloc(c->envp, (size_t)cap * sizeof *v);
		if (v == NULL)
			return WASMIX_NOMEM;
		c->envp = v;
		c->envcap = cap;
	}
	c->envp[c->envc] = wasmix_strdup(kv);
	if (c->envp[c->envc] == NULL)
		return WASMIX_NOMEM;
	c->envc++;
	return WASMIX_OK;
}

void wasmix_config_set_stdio(wasmix_config *c, int in_fd, int out_fd,
                             int err_fd)
{
	if (c == NULL)
		return;
	c->stdio[0] = in_fd;
	c->stdio[1] = out_fd;
	c->stdio[2] = err_fd;
}

int wasmix_config_capture_output(wasmix_config *c, int fd, size_t cap)
{
	if (c == NULL || (fd != 1 && fd != 2) || cap > WASMIX_MAX_CAPTURE_BYTES)
		return WASMIX_ERROR;
	c->capture[fd - 1] = cap;
	return WASMIX_OK;
}

int wasmix_config_run_output(wasmix_config *c, int fd, void *buf, size_t cap,
                             size_t *len, uint64_t *dropped)
{
	if (c == NULL || (fd != 1 && fd != 2) ||
	    (buf != NULL &&
	     (cap == 0 || cap > WASMIX_MAX_CAPTURE_BYTES || len == NULL)))
		return WASMIX_ERROR;
	c->run_output[fd - 1] = (struct wasmix_run_output){
	    buf, buf != NULL ? cap : 0, buf != NULL ? len : NULL,
	    buf != NULL ? dropped : NULL};
	return WASMIX_OK;
}

int wasmix_config_add_dir(wasmix_config *c, const char *host, const char *guest)
{
	struct wasi_preopen *v;
	char *h, *g;

	if (c == NULL || host == NULL || guest == NULL || *host == 0 ||
	    *guest == 0 || c->ndirs >= WASI_MAX_ARGS)
		return WASMIX_ERROR;
	v = wx_realloc(c->dirs, ((size_t)c->ndirs + 1) * sizeof *v);
	if (v == NULL)
		return WASMIX_NOMEM;
	c->dirs = v;
	h = wasmix_strdup(host);
	g = wasmix_strdup(guest);
	if (h == NULL || g == NULL) {
		wx_free(h);
		wx_free(g);
		return WASMIX_NOMEM;
	}
	v[c->ndirs].host = h;
	v[c->ndirs].guest = g;
	c->ndirs++;
	return WASMIX_OK;
}

int wasmix_config_add_socket(wasmix_config *c, int fd)
{
	int *v;

	if (c == NULL || fd < 0 || c->nsocks >= WASI_MAX_ARGS)
		return WASMIX_ERROR;
	v = wx_realloc(c->socks, ((size_t)c->nsocks + 1) * sizeof *v);
	if (v == NULL)
		return WASMIX_NOMEM;
	v[c->nsocks++] = fd;
	c->socks = v;
	return WASMIX_OK;
}

int wasmix_config_map_command(wasmix_config *c, const char *name,
                              const char *file)
{
	char **vn, **vf, *n, *f;

	if (c == NULL || name == NULL || file == NULL || *name == 0 ||
	    strchr(name, '/') != NULL || *file == 0 || c->ncmds >= 256)
		return WASMIX_ERROR;
	vn = wx_realloc(c->cmd_names, ((size_t)c->ncmds + 1) * sizeof *vn);
	if (vn == NULL)
		return WASMIX_NOMEM;
	c->cmd_names = vn;
	vf = wx_realloc(c->cmd_files, ((size_t)c->ncmds + 1) * sizeof *vf);
	if (vf == NULL)
		return WASMIX_NOMEM;
	c->cmd_files = vf;
	n = wasmix_strdup(name);
	f = wasmix_strdup(file);
	if (n == NULL || f == NULL) {
		wx_free(n);
		wx_free(f);
		return WASMIX_NOMEM;
	}
	vn[c->ncmds] = n;
	vf[c->ncmds] = f;
	c->ncmds++;
	return WASMIX_OK;
}

void wasmix_config_set_interrupt(wasmix_config *c, volatile sig_atomic_t *flag)
{
	if (c != NULL)
		c->interrupt = flag;
}

void wasmix_config_set_max_memory_pages(wasmix_config *c, uint64_t pages)
{
	if (c != NULL)
		c->max_pages = pages;
}

void wasmix_config_set_max_call_depth(wasmix_config *c, uint32_t depth)
{
	if (c != NULL)
		c->max_depth = depth;
}

void wasmix_config_set_fuel(wasmix_config *c, uint64_t fuel)
{
	if (c != NULL)
		c->fuel = fuel;
}

int wasmix_config_set_limit(wasmix_config *c, int which, uint64_t value)
{
	if (c == NULL)
		return WASMIX_ERROR;
	if (which == WASMIX_LIMIT_MODULE_BYTES) {
		if (value > WASMIX_MAX_MODULE_BYTES)
			return WASMIX_ERROR;
		c->max_module_bytes = (size_t)value;
		return WASMIX_OK;
	}
	if (which == WASMIX_LIMIT_TREE_MEMORY) {
		c->max_tree_memory = value;
		return WASMIX_OK;
	}
	if (which == WASMIX_LIMIT_PROCS) {
		if (value > PROC_MAX_PROCS)
			return WASMIX_ERROR;
		c->max_procs = (uint32_t)value;
		return WASMIX_OK;
	}
	if (value > UINT32_MAX)
		return WASMIX_ERROR;
	switch (which) {
	case WASMIX_LIMIT_TABLE_ELEMS:
		c->max_table_elems = value;
		return WASMIX_OK;
	case WASMIX_LIMIT_FUNCS:
		c->max_funcs = (uint32_t)value;
		return WASMIX_OK;
	case WASMIX_LIMIT_LOCALS:
		c->max_locals = (uint32_t)value;
		return WASMIX_OK;
	case WASMIX_LIMIT_TYPES:
		c->max_types = (uint32_t)value;
		return WASMIX_OK;
	case WASMIX_LIMIT_FDS:
		c->max_fds = (uint32_t)value;
		return WASMIX_OK;
	case WASMIX_LIMIT_THREADS:
		c->max_threads = (uint32_t)value;
		return WASMIX_OK;
	default:
		return WASMIX_ERROR;
	}
}

void wasmix_config_set_net(wasmix_config *c, int on)
{
	if (c != NULL)
		c->net.all = on != 0;
}

int wasmix_config_net_allow(wasmix_config *c, int what, const char *spec)
{
	if (c == NULL || spec == NULL ||
	    (what != WASMIX_NET_CONNECT && what != WASMIX_NET_BIND) ||
	    c->net.nrules >= WASIX_NET_MAX_RULES)
		return WASMIX_ERROR;
	if (wasix_net_rule_parse(spec,
	                         what == WASMIX_NET_CONNECT ? WASIX_NET_CONNECT
	                                                    : WASIX_NET_BIND,
	                         &c->net.rules[c->net.nrules]) != 0)
		return WASMIX_ERROR;
	c->net.nrules++;
	return WASMIX_OK;
}

void wasmix_config_set_net_lookup(wasmix_config *c, int on)
{
	if (c != NULL)
		c->net.lookup = on ? 1 : -1;
}

void wasmix_config_set_trace_fd(wasmix_config *c, int fd)
{
	if (c != NULL)
		c->trace_fd = fd < 0 ? -1 : fd;
}

void wasmix_config_set_confine(wasmix_config *c, int on)
{
	if (c != NULL)
		c->confine = on != 0;
}

void wasmix_config_set_isolate(wasmix_config *c, int on)
{
	if (c != NULL)
		c->isolate = on != 0;
}

void wasmix_config_set_timeout_ms(wasmix_config *c, uint64_t ms)
{
	if (c != NULL)
		c->timeout_ms = ms;
}

/* The module-size limit of 'c' in bytes. */
static size_t wasmix_max_module_bytes(const struct wasmix_config *c)
{
	return c != NULL && c->max_module_bytes != 0 ? c->max_module_bytes
	                                             : WASMIX_MAX_MODULE_BYTES;
}

/* ---- timeout ----------------------------------------------------------- */

/* --timeout: fork children end this long after the first process's
 * deadline (see wasmix_timer_start and docs/process.md). */
#define WASMIX_CHILD_GRACE_MS 200

/*
 * Arms the run's timeout for 'ms' milliseconds (0: none). Returns 0 or
 * WX_ENOMEM (message in r->diag).
 */
static int wasmix_run_timer_start(struct wasmix_timer *t, struct wasmix_run *r,
                                  uint64_t ms)
{
	struct timespec kill_at;
	int rc;

	memset(t, 0, sizeof *t);
	if (ms == 0)
		return WX_OK;
	r->timeout_s = (double)ms / 1000.0;
	rc = wasmix_timer_start(t, ms, &r->timed_out, &r->interrupt);
	if (rc != 0)
		return diag_set(&r->diag, WX_ENOMEM,
		                "cannot start the timeout thread: %s",
		                strerror(rc));
	/* Fork children inherit the deadline and get SIGKILL a little after
	 * it (proc.h), so that this process, which reports the timeout, has
	 * raised its flag before a child's death can wake it. */
	kill_at = t->deadline;
	wasmix_ts_add_ms(&kill_at, WASMIX_CHILD_GRACE_MS);
	proc_deadline_set(&kill_at);
	return WX_OK;
}

/* Stops the run's timeout, if one was armed (not in a guest fork child). */
static void wasmix_run_timer_stop(struct wasmix_timer *t)
{
	if (!t->started || t->owner != getpid())
		return;
	proc_deadline_set(NULL);
	wasmix_timer_stop(t);
}

/* vm_config.on_interrupt: the timeout, guest threads ending, signals,
 * and compiled code becoming ready (the switch-over). */
static int wasmix_on_interrupt(struct vm_store *s, struct vm_instance *inst,
                               void *ud)
{
	struct wasmix_run *r = ud;

	(void)s;
	(void)inst;
	int rc;

	if (__atomic_load_n(&r->timed_out, __ATOMIC_SEQ_CST))
		return WX_ETRAP;
	if (wasix_threads_poll(r->threads) != 0)
		return WX_EEXIT; /* a thread ended by wasix_threads_stop_others
		                  */
	rc = wasix_on_interrupt(r->wasix); /* lowers the flag first */
	/* After the flag is lowered: a watcher raising it now is seen at
	 * the next poll. One thread switches every thread's instance. */
	if (rc == 0 &&
	    __atomic_exchange_n(&r->aot_ready, 0, __ATOMIC_SEQ_CST)) {
		rc = aot_session_switch(r->aot, r->inst);
		/* WASIX lowers the embedder's flag when it has one, not the
		 * run's, which only the timeout raises besides the watcher. */
		if (r->cfg != NULL && r->cfg->interrupt != NULL &&
		    r->cfg->interrupt != &r->interrupt &&
		    !__atomic_load_n(&r->timed_out, __ATOMIC_SEQ_CST))
			__atomic_store_n(&r->interrupt, 0, __ATOMIC_SEQ_CST);
	}
	return rc;
}

/* ---- one run ----------------------------------------------------------- */

/*
 * The guest process ends when _start returns (or proc_exit or a trap on
 * the main thread): its other threads must stop before 'r' (which they
 * reach through the store's config and the resolver) goes away. They end
 * at their next poll (blocking waits see the interrupt flag). One that
 * does not within a second (blocked in a host call that ignores the
 * flag) cannot be stopped safely: the host process ends then, with the
 * run's status, as exit_group would.
 */
static void wasmix_end_threads(struct wasmix_run *r, int status, int code,
                               const char *errbuf)
{
	if (wasix_threads_live(r->threads) == 0 ||
	    wasix_threads_stop_others(r->threads, 1000000000) == WX_OK)
		return;
	if (errbuf != NULL && errbuf[0] != 0)
		fprintf(stderr, "wasmix: %s\n", errbuf);
	fflush(NULL);
	_exit(status == WASMIX_OK ? code : WASIX_THREAD_TRAP_STATUS);
}

/* A run whose threads outlived _start (see wasmix_run_free). */
static struct wasmix_run wasmix_abandoned;
/* Its address escapes here, so that no store into it is optimised away
 * (nothing reads it: it only keeps the objects reachable). */
static struct wasmix_run *volatile wasmix_abandoned_at;

static void wasmix_run_free(struct wasmix_run *r)
{
	/* First: the watcher points into 'r', which is about to go (only
	 * the process that started it has it). */
	wasmix_switch_stop(&r->aot_watch);
	/* Threads still running use the store and the contexts: the process
	 * is ending (its _start returned), so leave them to the exit, kept
	 * reachable from a static so that no leak checker reports them. */
	if (wasix_threads_live(r->threads) > 0) {
		wasmix_abandoned = *r;
		wasmix_abandoned_at = &wasmix_abandoned;
		return;
	}
	/* A guest's fork child (a process of the tree other than the one
	 * that started the run) ends when its run returns: every caller of
	 * wasmix_run_bytes exits there (the command line, the isolation
	 * helper). Freeing the program would only copy the pages it shares
	 * with its parent (each free writes next to its block) for an exit
	 * that unmaps them anyway: a shell's every command paid that. The
	 * contexts (host fds) are released as always. */
	if (r->host_pid != 0 && getpid() != r->host_pid) {
		wasix_ctx_free(r->wasix);
		wasi_ctx_free(r->wasi);
		r->wasix = NULL;
		r->wasi = NULL;
		wasmix_abandoned = *r; /* reachable: not a leak */
		wasmix_abandoned_at = &wasmix_abandoned;
		return;
	}
	wasix_threads_free(r->threads);
	wasix_contexts_reset();
	vm_store_free(r->store);
	aot_session_free(r->aot); /* after the store that ran its code */
	dl_linker_free(r->dl);
	wasix_ctx_free(r->wasix);
	wasi_ctx_free(r->wasi);
	wasm_module_free(r->mod);
	wx_free(r->own_bytes);
	wx_free(r->own_name);
}

/* An import of WASI, WASIX or the thread layer (or "env" "memory"). */
static int wasmix_resolve_host(struct wasmix_run *r,
                               const struct wasm_import *imp,
                               struct vm_extern *out)
{
	if (r->wasix == NULL)
		return wasi_resolve(r->wasi, r->store, r->mod, imp, out);
	return wasix_resolve(r->wasix, r->threads, r->store, r->mod, imp, out);
}

/*
 * vm_resolve_fn: every import must be one of the above. With --trace,
 * each host function is wrapped here, once, by the tracer; without it
 * nothing stands between the guest and the host function.
 */
static int wasmix_resolve(void *ud, const struct wasm_import *imp,
                          struct vm_extern *out)
{
	struct wasmix_run *r = ud;
	int rc = wasmix_resolve_host(r, imp, out);

	if (rc == 0 && r->cfg != NULL && r->cfg->trace_fd >= 0)
		rc = wasix_trace_wrap(r->cfg->trace_fd, r->store, imp, out);
	return rc;
}

/* What decoding and validating depend on besides the bytes: 'lim'. */
static uint64_t wasmix_limits_key(const struct wasm_limits *lim)
{
	const uint64_t v[] = {
	    lim->max_module_bytes, lim->max_types,      lim->max_funcs,
	    lim->max_imports,      lim->max_exports,    lim->max_globals,
	    lim->max_tables,       lim->max_memories,   lim->max_segments,
	    lim->max_params,       lim->max_locals,     lim->max_total_locals,
	    lim->max_br_table,     lim->max_elem_items, lim->wasm2};
	uint64_t h = 0xcbf29ce484222325u;

	for (size_t i = 0; i < WX_ARRAY_LEN(v); i++)
		h = (h ^ v[i]) * 0x100000001b3u;
	return h;
}

/*
 * Decodes and validates under the config's limits; on failure the
 * message is in r->diag. 'use_known' (an exec's program that is not the
 * running one): through the tree's set of known modules
 * (wasmix_known.h), keyed by these limits: bytes validated before under
 * them are neither validated nor their bodies scanned again; bytes that
 * validate now join the set.
 */
static int wasmix_load_as(struct wasmix_run *r, const struct wasmix_config *c,
                          const uint8_t *bytes, size_t len, bool use_known)
{
	struct wasm_limits lim;
	bool known = false;
	uint64_t key;
	int rc;

	wasm_limits_default(&lim);
	lim.max_module_bytes = wasmix_max_module_bytes(c);
	if (c->max_funcs != 0)
		lim.max_funcs = c->max_funcs;
	if (c->max_locals != 0)
		lim.max_locals = c->max_locals;
	if (c->max_types != 0)
		lim.max_types = c->max_types;
	if (wat_is_text(bytes, len)) {
		uint8_t *bin = NULL;
		size_t binlen = 0;
		rc = wat_to_wasm(r->name, (const char *)bytes, len, &bin,
		                 &binlen, &r->diag);
		if (rc == 0)
			rc = wasm_decode(bin, binlen, &lim, &r->mod, &r->diag);
		wx_free(bin);
	} else {
		key = wasmix_limits_key(&lim);
		known = use_known && wasmix_known_has(bytes, len, key);
		lim.bodies_known = known;
		rc = wasm_decode(bytes, len, &lim, &r->mod, &r->diag);
		if (rc == 0 && !known)
			rc = wasm_validate(r->mod, &r->diag);
		if (rc == 0 && use_known && !known)
			wasmix_known_add(bytes, len, key);
		return rc;
	}
	if (rc != 0)
		return rc;
	return wasm_validate(r->mod, &r->diag);
}

static int wasmix_load(struct wasmix_run *r, const struct wasmix_config *c,
                       const uint8_t *bytes, size_t len)
{
	return wasmix_load_as(r, c, bytes, len, false);
}

int wasmix_wat2wasm(const char *name, const char *text, size_t len,
                    uint8_t **out, size_t *outlen, char *errbuf, size_t errlen)
{
	struct diag d;
	int rc;

	diag_clear(&d);
	if (text == NULL || out == NULL || outlen == NULL)
		return WASMIX_ERROR;
	rc = wat_to_wasm(name, text, len, out, outlen, &d);
	if (rc == 0)
		return WASMIX_OK;
	if (errlen > 0)
		snprintf(errbuf, errlen, "%s", d.msg);
	return rc == WX_ENOMEM ? WASMIX_NOMEM : WASMIX_MALFORMED;
}

void wasmix_free(void *p)
{
	wx_free(p);
}

void wasmix_set_allocator(wasmix_alloc_fn fn, void *ud)
{
	wx_set_allocator(fn, ud);
}

/*
 * Checks the module's own memories and tables against the caps before
 * the VM allocates anything for them, so that the message names the
 * limit. Imports are WASI functions only, so these are all of them. The
 * table cap bounds each table and also the sum of their sizes: a module
 * of a few hundred bytes may declare thousands of large tables.
 */
static int wasmix_check_sizes(struct wasmix_run *r, const struct vm_config *vc)
{
	const struct wasm_module *m = r->mod;
	uint64_t total = 0;

	for (uint32_t i = 0; i < m->nmemories; i++)
		if (m->memories[i].min > vc->max_memory_pages)
			return diag_set(
			    &r->diag, WX_ELIMIT,
			    "memory %u needs %llu pages of 64 KiB, "
			    "above the limit of %llu pages",
			    i, (unsigned long long)m->memories[i].min,
			    (unsigned long long)vc->max_memory_pages);
	for (uint32_t i = 0; i < m->ntables; i++) {
		if (m->tables[i].limits.min > vc->max_table_elems)
			return diag_set(
			    &r->diag, WX_ELIMIT,
			    "table %u needs %llu elements, above the limit of "
			    "%llu",
			    i, (unsigned long long)m->tables[i].limits.min,
			    (unsigned long long)vc->max_table_elems);
		/* Many tables of a few bytes each: cap their sum too. */
		total += m->tables[i].limits.min;
		if (total > vc->max_table_elems)
			return diag_set(
			    &r->diag, WX_ELIMIT,
			    "tables 0 to %u need %llu elements in "
			    "all, above the limit of %llu",
			    i, (unsigned long long)total,
			    (unsigned long long)vc->max_table_elems);
	}
	return WX_OK;
}

/* dl_host.read: a guest file, through the process's namespace. */
static int wasmix_dl_read(void *ud, const char *path, uint8_t **bytes,
                          size_t *len)
{
	struct wasmix_run *r = ud;

	if (r->wasix == NULL)
		return ENOENT;
	return wasix_read_file(r->wasix, path, bytes, len);
}

/* The value of LD_LIBRARY_PATH in the config's environment, or NULL. */
static const char *wasmix_ld_path(const struct wasmix_config *c)
{
	for (int i = 0; i < c->envc; i++)
		if (strncmp(c->envp[i], "LD_LIBRARY_PATH=", 16) == 0)
			return c->envp[i] + 16;
	return NULL;
}

/*
 * A position-independent program (dl.h): the linker instantiates it and
 * the libraries it needs. Those are read through the WASIX context, so
 * only WASIX programs can have any.
 */
static int wasmix_link_dynamic(struct wasmix_run *r,
                               const struct wasmix_config *c)
{
	struct dl_host host = {wasmix_dl_read, wasmix_resolve, r, NULL};
	struct wasm_limits lim;

	wasm_limits_default(&lim);
	lim.max_module_bytes = wasmix_max_module_bytes(c);
	host.limits = &lim;
	if (dl_linker_new(r->store, &host, &r->dl) != WX_OK)
		return diag_set(&r->diag, WX_ENOMEM, "out of memory");
	return dl_link_main(
	    r->dl, r->mod, r->exec_ld_set ? r->exec_ld_path : wasmix_ld_path(c),
	    &r->inst, &r->diag);
}

void wasmix_vm_config(const struct wasmix_config *c, struct vm_config *vc)
{
	vm_config_default(vc);
	if (c == NULL)
		return;
	if (c->max_pages != 0)
		vc->max_memory_pages = c->max_pages;
	if (c->max_depth != 0)
		vc->max_call_depth = c->max_depth;
	if (c->max_table_elems != 0)
		vc->max_table_elems = c->max_table_elems;
	vc->fuel = c->fuel;
}

/* Makes the store (with the config's limits) and the instance. */
static int wasmix_instantiate(struct wasmix_run *r,
                              const struct wasmix_config *c)
{
	struct vm_config vc;
	int rc;

	wasmix_vm_config(c, &vc);
	/* Only the timeout raises it for now; see wasmix_on_interrupt. */
	vc.interrupt = r->main ? &r->main->interrupt : &r->interrupt;
	vc.on_interrupt = wasmix_on_interrupt;
	vc.interrupt_ud = r->main ? r->main : r;
	if (r->aot != NULL) {
		vc.on_instance = aot_on_instance;
		vc.on_instance_ud = r->aot;
	}
	rc = wasmix_check_sizes(r, &vc);
	if (rc != 0)
		return rc;
	r->store = vm_store_new(&vc);
	if (r->store == NULL)
		return diag_set(&r->diag, WX_ENOMEM, "out of memory");
	if (dl_module_is_pic(r->mod))
		return wasmix_link_dynamic(r, c);
	return vm_instantiate(r->store, r->mod, wasmix_resolve, r, &r->inst,
	                      &r->diag);
}

/* ---- WASIX exec (wasix.h's protocol) ----------------------------------- */

/* wasix_exec_ops.discard */
static void wasmix_exec_discard(void *ud, void *prog)
{
	struct wasmix_run *nr = prog, *r = ud;

	if (nr == NULL)
		return;
	vm_store_free(nr->store);
	dl_linker_free(nr->dl);
	wasix_threads_free(nr->threads);
	wasix_threads_set_current(r->threads);
	if (nr->mod != r->mod) /* else borrowed: wasmix_same_program */
		wasm_module_free(nr->mod);
	wx_free(nr->own_bytes);
	wx_free(nr->own_name);
	wx_free(nr);
}

/* wasix_exec_ops.running: the running module's bytes. */
static const uint8_t *wasmix_exec_running(void *ud, size_t *len)
{
	const struct wasmix_run *r = ud;

	*len = r->mod != NULL ? r->mod->nbytes : 0;
	return r->mod != NULL ? r->mod->bytes : NULL;
}

/*
 * Exec of the program that is running (a shell's fork child running
 * another applet of the same busybox; docs/process.md): when the new
 * file's bytes equal the running module's, byte for byte ('bytes' NULL:
 * wasix_exec.c compared them as it read the file), the decoded and
 * validated module is shared instead of made again (decoding is a pure
 * function of the bytes and the limits, which are the run's). The exec
 * borrows it from 'r' until the swap hands it over. Frees 'bytes' when
 * it returns true.
 */
static bool wasmix_same_program(struct wasmix_run *r, struct wasmix_run *nr,
                                uint8_t *bytes, size_t len)
{
	const struct wasm_module *m = r->mod;

	if (m == NULL || (bytes != NULL && (m->nbytes != len ||
	                                    memcmp(m->bytes, bytes, len) != 0)))
		return false;
	nr->mod = r->mod;
	nr->own_bytes = NULL;
	wx_free(bytes);
	return true;
}

/* wasix_exec_ops.build: a new program joining run 'ud''s contexts. */
static int wasmix_exec_build(void *ud, uint8_t *bytes, size_t len,
                             const char *name, const char *ld_library_path,
                             void **prog)
{
	struct wasmix_run *r = ud, *nr = wx_calloc(1, sizeof *nr);
	int rc;

	if (nr == NULL) {
		wx_free(bytes);
		return WX_ENOMEM;
	}
	nr->own_bytes = bytes;
	nr->own_name = wasmix_strdup(name);
	nr->name = nr->own_name ? nr->own_name : "module.wasm";
	nr->wasi = r->wasi;
	nr->wasix = r->wasix;
	nr->main = r;
	nr->cfg = r->cfg;
	nr->exec_ld_set = true;
	nr->exec_ld_path = ld_library_path; /* used by the build only */
	/* Its own threads and env.memory, as from the command line; they
	 * resolve through 'r', which holds the program after the swap. */
	rc = wasix_threads_new(wasmix_resolve, r,
	                       wasix_threads_interrupt(r->threads),
	                       &nr->threads);
	wasix_threads_set_current(r->threads);
	if (rc == 0 && len > wasmix_max_module_bytes(r->cfg))
		rc = WX_ELIMIT;
	else if (rc == 0 && !wasmix_same_program(r, nr, bytes, len))
		rc = wasmix_load_as(nr, r->cfg, bytes, len, true);
	/* The compiled tier: the run's session (borrowed), which only looks
	 * in the cache now that the process is confined (docs/aot.md). */
	nr->aot = r->aot;
	if (rc == 0 && nr->aot != NULL)
		rc = aot_session_prepare(nr->aot, nr->mod);
	if (rc == 0)
		rc = wasmix_instantiate(nr, r->cfg);
	if (rc != 0) {
		wasmix_exec_discard(r, nr);
		return rc;
	}
	*prog = nr;
	return 0;
}

/*
 * Whether the root preopen of module 'm' need not occupy fd 3
 * (wasi_config.root_unseen): unless it imports preview1's path_open, the
 * call of libcs that resolve paths relative to their preopen's fd
 * (wasi-libc, and so the SDK). wasix-libc opens with path_open2 and
 * keeps every path absolute; a program with no path call at all does
 * not care.
 */
bool wasmix_root_unseen(const struct wasm_module *m)
{
	static const char mod[] = "wasi_snapshot_preview1";

	for (uint32_t i = 0; i < m->nimports; i++) {
		const struct wasm_import *imp = &m->imports[i];

		if (imp->kind == WASM_EXT_FUNC && imp->name_len == 9 &&
		    memcmp(imp->name, "path_open", 9) == 0 &&
		    imp->module_len == sizeof mod - 1 &&
		    memcmp(imp->module, mod, sizeof mod - 1) == 0)
			return false;
	}
	return true;
}

/*
 * Whether module 'm' sees the root at "/" and absolute paths: a WASIX
 * program, or a dynamically linked one (its libraries are found by
 * absolute guest paths).
 */
static bool wasmix_posix_root(const struct wasm_module *m)
{
	return wasix_module_uses(m) || dl_module_is_pic(m);
}

/* Replaces the running program of 'r' by the exec'd one 'nr'. */
static void wasmix_exec_swap(struct wasmix_run *r, struct wasmix_run *nr)
{
	wasix_contexts_reset(); /* they ran code of the old store */
	if (nr->mod == r->mod)  /* its translations, where still valid */
		vm_instance_adopt_code(nr->inst, r->inst);
	vm_store_release(r->store); /* in a fork child: left to the exit */
	dl_linker_free(r->dl);
	r->dl = nr->dl;
	if (r->dl != NULL) /* its callbacks reached 'nr', freed below */
		dl_set_host_ud(r->dl, r);
	if (r->mod != nr->mod)
		wasm_module_free(r->mod);
	wx_free(r->own_bytes);
	wx_free(r->own_name);
	r->store = nr->store;
	r->mod = nr->mod;
	r->inst = nr->inst;
	r->own_bytes = nr->own_bytes;
	r->own_name = nr->own_name;
	r->name = nr->name;
	wasix_threads_set_current(nr->threads);
	wasix_threads_free(r->threads);
	r->threads = nr->threads;
	wx_free(nr);
	wasix_set_instance(r->wasix, r->store, r->inst);
	wasix_set_linker(r->wasix, r->dl);
	wasix_threads_set_linker(r->threads, r->dl);
	/* The fds (and so the preopens shown) stay; path rules follow the
	 * new program's kind. */
	wasi_ctx_set_posix_paths(r->wasi, wasmix_posix_root(r->mod),
	                         wasmix_root_unseen(r->mod));
}

/* vm_set_memory_charge: linear memory counts against the tree's cap. */
static int wasmix_mem_charge(int64_t bytes)
{
	return proc_mem_charge(bytes);
}

/* Makes the WASIX context of run 'r' (its process). */
static int wasmix_wasix_new(struct wasmix_run *r, const struct wasmix_config *c,
                            volatile sig_atomic_t *flag)
{
	struct wasix_exec_ops ops = {.build = wasmix_exec_build,
	                             .discard = wasmix_exec_discard,
	                             .ud = r,
	                             .running = wasmix_exec_running};
	uint64_t mem = c->max_tree_memory;

	r->cfg = c;
	if (wasix_ctx_new(r->wasi, &ops, flag, &r->wasix) != 0)
		return diag_set(&r->diag, WX_ENOMEM, "out of memory");
	/* The process table exists now (wasix_ctx_new made it). */
	mem = mem == 0 ? PROC_DEFAULT_MAX_MEM : mem == UINT64_MAX ? 0 : mem;
	if (proc_set_limits(c->max_procs, mem, c->max_threads) != 0)
		return diag_set(&r->diag, WX_ENOMEM, "out of memory");
	/* Before any fork; an eighth of the tree's memory cap at most. */
	wasmix_known_init(mem != 0 && mem / 8 < WASMIX_KNOWN_BUDGET
	                      ? (size_t)(mem / 8)
	                      : WASMIX_KNOWN_BUDGET);
	vm_set_memory_charge(wasmix_mem_charge);
	wasix_set_sticky(r->wasix, &r->timed_out);
	wasix_set_trace(r->wasix, c->trace_fd);
	wasix_set_net(r->wasix, &c->net);
	for (int i = 0; i < c->ncmds; i++)
		if (wasix_ctx_map_command(r->wasix, c->cmd_names[i],
		                          c->cmd_files[i]) != 0)
			return diag_set(&r->diag, WX_ENOMEM, "out of memory");
	return 0;
}

static void wasmix_orphan_exec(void *ud);

/* Makes the WASI context, the store and the instance. */
static int wasmix_link(struct wasmix_run *r, const struct wasmix_config *c)
{
	const char *argv0[1] = {r->name};
	struct wasi_config wc;
	int rc;

	memset(&wc, 0, sizeof wc);
	wc.argc = c->argc > 0 ? (uint32_t)c->argc : 1;
	wc.argv = c->argc > 0 ? (const char *const *)c->argv : argv0;
	wc.envc = (uint32_t)c->envc;
	wc.envp = (const char *const *)c->envp;
	memcpy(wc.stdio, c->stdio, sizeof wc.stdio);
	wc.npreopens = (uint32_t)c->ndirs;
	wc.preopens = c->dirs;
	wc.posix_root = wasmix_posix_root(r->mod);
	wc.root_unseen = wc.posix_root && wasmix_root_unseen(r->mod);
	wc.nsockets = (uint32_t)c->nsocks;
	wc.sockets = c->socks;
	wc.max_fds = c->max_fds != 0 ? c->max_fds : WASMIX_DEFAULT_MAX_FDS;
	/* The embedder's flag, else the run's own (the timeout raises it), so
	 * that a guest blocked in poll_oneoff or fd_read still stops. */
	wc.interrupt = c->interrupt != NULL ? c->interrupt : &r->interrupt;
	rc = wasi_ctx_new(&wc, &r->wasi, &r->diag);
	if (rc != 0)
		return rc;
	rc = wasmix_wasix_new(r, c, wc.interrupt);
	if (rc != 0)
		return rc;
	wasix_threads_set_exec_runner(wasmix_orphan_exec);
	if (wasix_threads_new(wasmix_resolve, r, wc.interrupt, &r->threads))
		return diag_set(&r->diag, WX_ENOMEM, "out of memory");
	rc = wasmix_instantiate(r, c);
	if (rc == 0) {
		wasix_set_instance(r->wasix, r->store, r->inst);
		wasix_set_linker(r->wasix, r->dl);
		wasix_threads_set_linker(r->threads, r->dl);
	}
	return rc;
}

/*
 * Calls export 'name' if it is a function of type [] -> []. 'required'
 * says whether its absence is an error. Returns 0, WX_EEXIT (code in
 * '*code'), WX_ETRAP, or WX_ELINK.
 */
static int wasmix_call_export(struct wasmix_run *r, const char *name,
                              bool required, int *code)
{
	struct vm_extern ext;
	const struct wasm_functype *ft;
	uint64_t none[1] = {0};

	if (vm_instance_export(r->inst, name, strlen(name), &ext) != 0) {
		if (!required)
			return 0;
		return diag_set(&r->diag, WX_ELINK,
		                "no '%s' function exported (not a WASI command "
		                "module)",
		                name);
	}
	if (ext.kind != WASM_EXT_FUNC)
		return diag_set(&r->diag, WX_ELINK,
		                "export '%s' is not a function", name);
	ft = vm_func_type(ext.u.func);
	if (ft->nparams != 0 || ft->nresults != 0)
		return diag_set(&r->diag, WX_ELINK,
		                "export '%s' must have type [] -> []", name);
	return vm_invoke(r->store, ext.u.func, none, none, code, &r->diag);
}

/* Turns the run's outcome into a status, an exit code and a message. */
static int wasmix_finish(struct wasmix_run *r, int rc, int code, int *exit_code,
                         char *errbuf, size_t errlen)
{
	int status = wasmix_status_of(rc);

	if ((r->wasi != NULL && wasi_exited(r->wasi, &code)) ||
	    rc == WX_EEXIT || rc == 0) {
		*exit_code = code;
		return wasmix_err(errbuf, errlen, WASMIX_OK, "%s", "");
	}
	if (status == WASMIX_TRAP &&
	    __atomic_load_n(&r->timed_out, __ATOMIC_SEQ_CST) &&
	    strcmp(r->diag.msg, "interrupted") == 0)
		return wasmix_err(errbuf, errlen, status,
		                  "trap: timeout (the guest ran longer than "
		                  "%g s)",
		                  r->timeout_s);
	if (status == WASMIX_TRAP)
		return wasmix_err(errbuf, errlen, status, "trap: %s",
		                  r->diag.set ? r->diag.msg : "unknown trap");
	size_t nl = strlen(r->name);
	if (r->diag.set && strncmp(r->diag.msg, r->name, nl) == 0 &&
	    r->diag.msg[nl] == ':') /* text errors carry "NAME:LINE:COL" */
		return wasmix_err(errbuf, errlen, status, "%s", r->diag.msg);
	return wasmix_err(errbuf, errlen, status, "%s: %s", r->name,
	                  r->diag.set ? r->diag.msg
	                              : wasmix_status_string(status));
}

/*
 * A committed exec unwinds with WX_EEXIT ('rc'): runs the new program
 * (and the next, for as long as each execs). Returns the last program's
 * outcome as wasmix_call_export; '*code' its exit code.
 */
static int wasmix_exec_loop(struct wasmix_run *r, int rc, int *code)
{
	while (rc == WX_EEXIT && r->wasix != NULL) {
		void *prog;

		/* An exec from a spawned thread stashes the program before that
		 * thread ends; every thread must be gone before the swap. */
		if (wasix_threads_live(r->threads) > 0 &&
		    wasix_threads_stop_others(r->threads, 1000000000) != WX_OK)
			break;
		prog = wasix_exec_take(r->wasix);
		if (prog == NULL)
			break;
		wasmix_exec_swap(r, prog);
		*code = 0;
		rc = wasix_init_main_tls(r->store, r->inst, &r->diag);
		if (rc == 0)
			rc = wasmix_call_export(r, "_initialize", false, code);
		if (rc == 0)
			rc = wasmix_call_export(r, "_start", true, code);
	}
	return rc;
}

/*
 * wasix_threads_set_exec_runner: an exec committed by a spawned thread in
 * a fork child that has no main thread (nor this run's loop, which stayed
 * in the parent). That thread runs the new program as its main thread,
 * then ends the process as the command line would: the exit code, or an
 * error line and 134 (trap) or 2.
 */
static void wasmix_orphan_exec(void *ud)
{
	struct wasmix_run *r = ud;
	char errbuf[512];
	int rc, code = 0, exit_code = 0;

	rc = wasmix_exec_loop(r, WX_EEXIT, &code);
	rc = wasmix_finish(r, rc, code, &exit_code, errbuf, sizeof errbuf);
	wasmix_end_threads(r, rc, exit_code, errbuf);
	if (rc != WASMIX_OK) {
		fprintf(stderr, "wasmix: %s\n", errbuf);
		exit_code = rc == WASMIX_TRAP ? WASIX_THREAD_TRAP_STATUS : 2;
	}
	fflush(NULL);
	_exit(exit_code & 0xff);
}

/*
 * The trace line of a process that ends here: _start returned, or a trap
 * (proc_exit traced its own). Only for a guest that started.
 */
static void wasmix_trace_end(struct wasmix_run *r, int status, int code,
                             const char *errbuf)
{
	if (r->cfg == NULL || r->cfg->trace_fd < 0 || r->inst == NULL ||
	    (r->wasi != NULL && wasi_exited(r->wasi, NULL)))
		return;
	if (status == WASMIX_OK)
		wasix_trace_event(r->cfg->trace_fd, "+++ exited with %d +++",
		                  code);
	else
		wasix_trace_event(r->cfg->trace_fd, "+++ %s +++",
		                  errbuf != NULL && errbuf[0] != 0
		                      ? errbuf
		                      : wasmix_status_string(status));
}

#if defined(__SANITIZE_ADDRESS__)
#define WASMIX_CAN_CONFINE 0 /* LeakSanitizer attaches with ptrace */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WASMIX_CAN_CONFINE 0
#endif
#endif
#ifndef WASMIX_CAN_CONFINE
#define WASMIX_CAN_CONFINE 1
#endif
/* The switch-over's watcher thread: not in sanitizer builds, where a
 * guest fork while it runs makes LeakSanitizer in the child report a
 * thread it cannot suspend (the run stays interpreted; the next one is
 * compiled). Same test as above. */
#define WASMIX_CAN_WATCH WASMIX_CAN_CONFINE

/*
 * wasmix_config_set_confine: the process confines itself to the
 * config's directories and command files. Returns 0 or WASMIX_ERROR
 * with the reason in 'errbuf'.
 */
static void wasmix_aot_options(const struct wasmix_config *c,
                               struct aot_options *o);

static int wasmix_confine(const struct wasmix_config *c, char *errbuf,
                          size_t errlen)
{
	const char **dirs;
	struct proc_confine cf;
	char why[256];
	int rc;

	if (!c->confine || !WASMIX_CAN_CONFINE)
		return 0;
	dirs = wx_alloc_array((size_t)c->ndirs + 1, sizeof *dirs);
	if (dirs == NULL)
		return wasmix_err(errbuf, errlen, WASMIX_NOMEM,
		                  "confinement: out of memory");
	const char **files =
	    wx_alloc_array((size_t)c->ncmds + 1, sizeof *files);
	char cache[4096];
	struct aot_options o;
	size_t nfiles = 0;

	if (files == NULL) {
		wx_free(dirs);
		return wasmix_err(errbuf, errlen, WASMIX_NOMEM,
		                  "confinement: out of memory");
	}
	for (int i = 0; i < c->ndirs; i++)
		dirs[i] = c->dirs[i].host;
	for (int i = 0; i < c->ncmds; i++)
		files[nfiles++] = c->cmd_files[i];
	/* The compiled tier's cache, read only: exec'd programs and the
	 * switch-over load code from it (docs/aot.md). */
	wasmix_aot_options(c, &o);
	if (c->compile && aot_cache_path(&o, cache, sizeof cache) == WX_OK)
		files[nfiles++] = cache;
	memset(&cf, 0, sizeof cf);
	cf.dirs = dirs;
	cf.ndirs = (size_t)c->ndirs;
	cf.files = files;
	cf.nfiles = nfiles;
	cf.best_effort = true;
	rc = proc_confine(&cf, why, sizeof why);
	wx_free(dirs);
	wx_free(files);
	if (rc != 0)
		return wasmix_err(errbuf, errlen, WASMIX_ERROR,
		                  "confinement: %s (--no-confine runs without)",
		                  why);
	return 0;
}

/*
 * wasmix_config_run_output: runs 'c' with guest fds 1 and 2 on the pipes
 * of library captures (wasmix_capture.h) drained by threads of this
 * process, then copies what they kept into the caller's buffers. The
 * run itself (isolated or not) sees a copy of the config with those
 * pipes as its stdio and no run buffers.
 */
static int wasmix_run_captured(const struct wasmix_config *c,
                               const uint8_t *bytes, size_t len,
                               const char *name, int *exit_code, char *errbuf,
                               size_t errlen)
{
	struct wasmix_capture *k[2] = {NULL, NULL};
	struct wasmix_config cc = *c;
	pid_t self = getpid();
	int rc = WASMIX_OK;

	for (int i = 0; i < 2; i++) {
		const struct wasmix_run_output *o = &c->run_output[i];
		memset(&cc.run_output[i], 0, sizeof cc.run_output[i]);
		if (o->buf == NULL)
			continue;
		*o->len = 0;
		if (o->dropped != NULL)
			*o->dropped = 0;
		if (wasmix_capture_new(o->cap, &k[i], &cc.stdio[i + 1]) != 0)
			rc = wasmix_err(errbuf, errlen, WASMIX_NOMEM,
			                "cannot capture fd %d: no memory, pipe "
			                "or thread",
			                i + 1);
	}
	if (rc == WASMIX_OK)
		rc = wasmix_run_bytes(&cc, bytes, len, name, exit_code, errbuf,
		                      errlen);
	/* A guest fork child of a run that is not isolated returns here in
	 * its own process, which has no drain threads: leave them alone. */
	if (getpid() != self)
		return rc;
	for (int i = 0; i < 2; i++) {
		const struct wasmix_run_output *o = &c->run_output[i];
		const uint8_t *data;
		size_t n;
		uint64_t lost;

		if (k[i] == NULL)
			continue;
		wasmix_capture_get(k[i], &data, &n, &lost);
		memcpy(o->buf, data, n);
		*o->len = n;
		if (o->dropped != NULL)
			*o->dropped = lost;
		wasmix_capture_free(k[i]);
	}
	return rc;
}

static int wasmix_read_fd(int fd, size_t hint, size_t max, uint8_t **out,
                          size_t *len, int *err);

/* wasmix_load with the module size cap. */
static int wasmix_load_checked(struct wasmix_run *r,
                               const struct wasmix_config *c,
                               const uint8_t *bytes, size_t len)
{
	if (len > wasmix_max_module_bytes(c))
		return diag_set(&r->diag, WX_ELIMIT,
		                "module too large (%zu bytes, limit %zu)", len,
		                wasmix_max_module_bytes(c));
	return wasmix_load(r, c, bytes, len);
}

/* The compiled tier's options for config 'c'. */
static void wasmix_aot_options(const struct wasmix_config *c,
                               struct aot_options *o)
{
	struct vm_config vc;

	vm_config_default(&vc);
	memset(o, 0, sizeof *o);
	o->checked = vc.bounds_checks;
	o->fuel = c->fuel != 0;
	o->verbose = c->compile_verbose;
	o->no_cache = !c->compile_cache;
	/* WASMIX_COMPILE_AUTO: a module not in the cache is interpreted at
	 * once while a background process compiles it (docs/aot.md, the
	 * policy); WASMIX_AOT_BACKGROUND_BYTES=N makes modules below N bytes
	 * wait for the compiler instead (0: every module waits).
	 * WASMIX_COMPILE_WAIT always waits. */
	const char *bg = getenv("WASMIX_AOT_BACKGROUND_BYTES");
	if (c->compile == WASMIX_COMPILE_AUTO)
		o->background_bytes =
		    bg != NULL && bg[0] != 0 ? strtoull(bg, NULL, 10) : 1;
}

/* Compiles or finds the main module's code (a failure: interpreted). */
static int wasmix_prepare_aot(struct wasmix_run *r,
                              const struct wasmix_config *c)
{
	struct aot_options o;

	wasmix_aot_options(c, &o);
	r->aot = aot_session_new(&o, false);
	if (r->aot == NULL || aot_session_prepare(r->aot, r->mod) != WX_OK)
		return diag_set(&r->diag, WX_ENOMEM, "out of memory");
	return WX_OK;
}

void wasmix_config_set_compile(wasmix_config *c, int on, int cache, int verbose)
{
	if (c != NULL) {
		c->compile = on == WASMIX_COMPILE_AUTO ? WASMIX_COMPILE_AUTO
		             : on != 0                 ? WASMIX_COMPILE_WAIT
		                                       : WASMIX_COMPILE_OFF;
		c->compile_cache = cache != 0;
		c->compile_verbose = verbose != 0;
	}
}

int wasmix_compile_file(const char *path, const char *out, unsigned *ncompiled,
                        unsigned *nfuncs, char *errbuf, size_t errlen)
{
	struct wasmix_config c;
	struct wasmix_run r;
	struct aot_options o;
	struct aot_code *code = NULL;
	uint8_t *bytes = NULL;
	size_t len = 0;
	int fd, err = 0, rc;

	*ncompiled = *nfuncs = 0;
	wasmix_config_init(&c);
	c.compile_cache = out == NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return wasmix_err(errbuf, errlen, WASMIX_IOERR, "%s: %s", path,
		                  strerror(errno));
	rc = wasmix_read_fd(fd, 65536, wasmix_max_module_bytes(&c), &bytes,
	                    &len, &err);
	close(fd);
	if (rc != WASMIX_OK)
		return wasmix_err(errbuf, errlen, rc, "%s: %s", path,
		                  err ? strerror(err) : "cannot read");
	memset(&r, 0, sizeof r);
	r.name = path;
	rc = wasmix_load_checked(&r, &c, bytes, len);
	wx_free(bytes);
	wasmix_aot_options(&c, &o);
	o.background_bytes = 0; /* 'wasmix compile' waits for the compiler */
	if (rc == WX_OK && out != NULL)
		rc = aot_compile_to(r.mod, &o, out, &r.diag);
	else if (rc == WX_OK)
		rc = aot_load(r.mod, &o, &code, &r.diag);
	if (rc == WX_OK) {
		*nfuncs = r.mod->nfuncs - r.mod->num_imported_funcs;
		if (code != NULL) {
			*ncompiled = aot_code_ncompiled(code);
		} else {
			/* -o: count by emitting again, to nowhere. */
			FILE *devnull = fopen("/dev/null", "w");
			uint32_t n = 0;
			if (devnull != NULL) {
				aot_emit_c(r.mod, &o, devnull, &n, &r.diag);
				fclose(devnull);
			}
			*ncompiled = n;
		}
	}
	aot_code_free(code);
	if (rc != WX_OK)
		rc = wasmix_err(errbuf, errlen, wasmix_status_of(rc), "%s: %s",
		                path, r.diag.msg);
	wasm_module_free(r.mod);
	return rc;
}

int wasmix_run_bytes(const wasmix_config *c, const uint8_t *bytes, size_t len,
                     const char *name, int *exit_code, char *errbuf,
                     size_t errlen)
{
	struct wasmix_config defaults;
	struct wasmix_timer timer;
	struct wasmix_run r;
	int rc, code = 0;

	if (errbuf != NULL && errlen > 0)
		errbuf[0] = 0;
	if (exit_code == NULL || (bytes == NULL && len > 0))
		return wasmix_err(errbuf, errlen, WASMIX_ERROR,
		                  "bad argument to wasmix_run_bytes");
	*exit_code = 0;
	if (c == NULL) {
		wasmix_config_init(&defaults);
		c = &defaults;
	}
	if (c->run_output[0].buf != NULL || c->run_output[1].buf != NULL)
		return wasmix_run_captured(c, bytes, len, name, exit_code,
		                           errbuf, errlen);
	if (c->isolate && !wasmix_isolate_inside())
		return wasmix_isolated_run(c, bytes, len, name, exit_code,
		                           errbuf, errlen);
	memset(&r, 0, sizeof r);
	r.host_pid = getpid();
	r.name = name ? name : "module.wasm";
	if (c->compile) {
		/* The compiler runs (and the cache is read) before the
		 * process confines itself: decoding comes first then. */
		rc = wasmix_load_checked(&r, c, bytes, len);
		if (rc == 0)
			rc = wasmix_prepare_aot(&r, c);
		if (rc != 0) {
			rc =
			    wasmix_finish(&r, rc, 0, exit_code, errbuf, errlen);
			wasmix_run_free(&r);
			return rc;
		}
	}
	/* First, with no other thread yet: the module's bytes are the
	 * guest's too. */
	rc = wasmix_confine(c, errbuf, errlen);
	if (rc != 0) {
		wasmix_run_free(&r);
		return rc;
	}
	if (r.aot != NULL) /* no compiler from here on: exec looks up */
		aot_session_lookup_only(r.aot);
	if (!c->compile) {
		if (c->compile_verbose)
			fprintf(stderr,
			        "wasmix: interpreting: the compiled "
			        "tier is off (--interp, WASMIX_AOT=0)\n");
		rc = wasmix_load_checked(&r, c, bytes, len);
	}
	/* The timeout covers the start function, _initialize and _start. */
	if (rc == 0)
		rc = wasmix_run_timer_start(&timer, &r, c->timeout_ms);
	else
		memset(&timer, 0, sizeof timer);
	if (rc == 0)
		rc = wasmix_link(&r, c);
	if (rc == 0)
		rc = wasix_init_main_tls(r.store, r.inst, &r.diag);
	/* A background compile of this module: switch over when it ends. */
	if (rc == 0 && WASMIX_CAN_WATCH && aot_session_pending_fd(r.aot) >= 0)
		wasmix_switch_start(&r.aot_watch, aot_session_pending_fd(r.aot),
		                    &r.aot_ready, &r.interrupt);
	if (rc == 0)
		rc = wasmix_call_export(&r, "_initialize", false, &code);
	if (rc == 0)
		rc = wasmix_call_export(&r, "_start", true, &code);
	rc = wasmix_exec_loop(&r, rc, &code);
	wasmix_run_timer_stop(&timer);
	rc = wasmix_finish(&r, rc, code, exit_code, errbuf, errlen);
	wasmix_trace_end(&r, rc, *exit_code, errbuf);
	wasmix_end_threads(&r, rc, *exit_code, errbuf);
	wasmix_run_free(&r);
	return rc;
}

/*
 * Reads all of 'fd' into '*out' (owned by the caller), at most 'max'
 * bytes (WASMIX_LIMIT past that, having buffered at most max + 1).
 * 'hint' is the size fstat reported (0 for pipes and devices). Returns
 * 0, or a status with errno-based text.
 */
static int wasmix_read_fd(int fd, size_t hint, size_t max, uint8_t **out,
                          size_t *len, int *err)
{
	size_t cap = hint + 1, n = 0;
	uint8_t *buf = NULL, *nb;
	ssize_t r;

	*err = 0;
	for (;;) {
		if (n == cap || buf == NULL) {
			if (buf != NULL)
				cap *= 2;
			if (cap > max + 1)
				cap = max + 1;
			nb = wx_realloc(buf, cap);
			if (nb == NULL)
				goto fail_nomem;
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*err = errno;
			wx_free(buf);
			return WASMIX_IOERR;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			wx_free(buf);
			return WASMIX_LIMIT;
		}
	}
	*out = buf;
	*len = n;
	return WASMIX_OK;
fail_nomem:
	wx_free(buf);
	return WASMIX_NOMEM;
}

int wasmix_run_file(const wasmix_config *c, const char *path, int *exit_code,
                    char *errbuf, size_t errlen)
{
	struct stat st;
	uint8_t *bytes = NULL;
	size_t len = 0, hint = 0, max = wasmix_max_module_bytes(c);
	int fd, rc, err = 0;

	if (errbuf != NULL && errlen > 0)
		errbuf[0] = 0;
	if (path == NULL || exit_code == NULL)
		return wasmix_err(errbuf, errlen, WASMIX_ERROR,
		                  "bad argument to wasmix_run_file");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return wasmix_err(errbuf, errlen, WASMIX_IOERR, "%s: %s", path,
		                  strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		/* Known too large: fail before reading anything. */
		hint = (uint64_t)st.st_size > max ? max : (size_t)st.st_size;
		rc = (uint64_t)st.st_size > max ? WASMIX_LIMIT : WASMIX_OK;
	} else {
		hint = 65536;
		rc = WASMIX_OK;
	}
	if (rc == WASMIX_OK)
		rc = wasmix_read_fd(fd, hint, max, &bytes, &len, &err);
	close(fd);
	if (rc == WASMIX_IOERR)
		return wasmix_err(errbuf, errlen, rc, "%s: %s", path,
		                  strerror(err));
	if (rc == WASMIX_LIMIT)
		return wasmix_err(errbuf, errlen, rc,
		                  "%s: module too large (limit %zu bytes)",
		                  path, max);
	if (rc != WASMIX_OK)
		return wasmix_err(errbuf, errlen, rc, "%s: out of memory",
		                  path);
	rc = wasmix_run_bytes(c, bytes, len, path, exit_code, errbuf, errlen);
	wx_free(bytes);
	return rc;
}
