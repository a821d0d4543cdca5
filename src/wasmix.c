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
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "vm/vm.h"
#include "wasi/wasi.h"
#include "wasm/wasm_module.h"

struct wasmix_config {
	char **argv; /* argc copied strings, or NULL */
	int argc;
	char **envp; /* envc copied "K=V" strings, room for envcap */
	int envc, envcap;
	int stdio[3];
	uint64_t max_pages; /* 0: the VM's default */
	uint32_t max_depth; /* 0: the VM's default */
	uint64_t fuel;      /* 0: unlimited */
};

/* Everything one run creates; freed by wasmix_run_free. */
struct wasmix_run {
	const char *name;
	struct wasm_module *mod;
	struct wasi_ctx *wasi;
	struct vm_store *store;
	struct vm_instance *inst;
	struct diag diag;
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
	if (c == NULL)
		return;
	wasmix_strv_free(c->argv, c->argc);
	wasmix_strv_free(c->envp, c->envc);
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

/* ---- one run ----------------------------------------------------------- */

static void wasmix_run_free(struct wasmix_run *r)
{
	vm_store_free(r->store);
	wasi_ctx_free(r->wasi);
	wasm_module_free(r->mod);
}

/* vm_resolve_fn: every import must be a WASI preview1 function. */
static int wasmix_resolve(void *ud, const struct wasm_import *imp,
                          struct vm_extern *out)
{
	struct wasmix_run *r = ud;

	return wasi_resolve(r->wasi, r->store, imp, out);
}

/* Decodes and validates; on failure the message is in r->diag. */
static int wasmix_load(struct wasmix_run *r, const uint8_t *bytes, size_t len)
{
	struct wasm_limits lim;
	int rc;

	wasm_limits_default(&lim);
	lim.max_module_bytes = WASMIX_MAX_MODULE_BYTES;
	rc = wasm_decode(bytes, len, &lim, &r->mod, &r->diag);
	if (rc != 0)
		return rc;
	return wasm_validate(r->mod, &r->diag);
}

/* Makes the WASI context, the store and the instance. */
static int wasmix_link(struct wasmix_run *r, const struct wasmix_config *c)
{
	const char *argv0[1] = {r->name};
	struct wasi_config wc;
	struct vm_config vc;
	int rc;

	memset(&wc, 0, sizeof wc);
	wc.argc = c->argc > 0 ? (uint32_t)c->argc : 1;
	wc.argv = c->argc > 0 ? (const char *const *)c->argv : argv0;
	wc.envc = (uint32_t)c->envc;
	wc.envp = (const char *const *)c->envp;
	memcpy(wc.stdio, c->stdio, sizeof wc.stdio);
	rc = wasi_ctx_new(&wc, &r->wasi, &r->diag);
	if (rc != 0)
		return rc;

	vm_config_default(&vc);
	if (c->max_pages != 0)
		vc.max_memory_pages = c->max_pages;
	if (c->max_depth != 0)
		vc.max_call_depth = c->max_depth;
	vc.fuel = c->fuel;
	r->store = vm_store_new(&vc);
	if (r->store == NULL)
		return diag_set(&r->diag, WX_ENOMEM, "out of memory");
	return vm_instantiate(r->store, r->mod, wasmix_resolve, r, &r->inst,
	                      &r->diag);
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
	if (status == WASMIX_TRAP)
		return wasmix_err(errbuf, errlen, status, "trap: %s",
		                  r->diag.set ? r->diag.msg : "unknown trap");
	return wasmix_err(errbuf, errlen, status, "%s: %s", r->name,
	                  r->diag.set ? r->diag.msg
	                              : wasmix_status_string(status));
}

int wasmix_run_bytes(const wasmix_config *c, const uint8_t *bytes, size_t len,
                     const char *name, int *exit_code, char *errbuf,
                     size_t errlen)
{
	struct wasmix_config defaults;
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
	memset(&r, 0, sizeof r);
	r.name = name ? name : "module.wasm";
	if (len > WASMIX_MAX_MODULE_BYTES)
		rc =
		    diag_set(&r.diag, WX_ELIMIT, "module too large (limit %zu)",
		             WASMIX_MAX_MODULE_BYTES);
	else
		rc = wasmix_load(&r, bytes, len);
	if (rc == 0)
		rc = wasmix_link(&r, c);
	if (rc == 0)
		rc = wasmix_call_export(&r, "_initialize", false, &code);
	if (rc == 0)
		rc = wasmix_call_export(&r, "_start", true, &code);
	rc = wasmix_finish(&r, rc, code, exit_code, errbuf, errlen);
	wasmix_run_free(&r);
	return rc;
}

/*
 * Reads all of 'fd' into '*out' (owned by the caller), at most
 * WASMIX_MAX_MODULE_BYTES. 'hint' is the size fstat reported (0 for
 * pipes and devices). Returns 0, or a status with errno-based text.
 */
static int wasmix_read_fd(int fd, size_t hint, uint8_t **out, size_t *len,
                          int *err)
{
	size_t cap = hint + 1, n = 0;
	uint8_t *buf = NULL, *nb;
	ssize_t r;

	*err = 0;
	for (;;) {
		if (n == cap || buf == NULL) {
			if (buf != NULL)
				cap *= 2;
			if (cap > WASMIX_MAX_MODULE_BYTES + 1)
				cap = WASMIX_MAX_MODULE_BYTES + 1;
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
		if (n > WASMIX_MAX_MODULE_BYTES) {
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
	size_t len = 0, hint = 0;
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
		if ((uint64_t)st.st_size > WASMIX_MAX_MODULE_BYTES)
			hint = WASMIX_MAX_MODULE_BYTES;
		else
			hint = (size_t)st.st_size;
	} else {
		hint = 65536;
	}
	rc = wasmix_read_fd(fd, hint, &bytes, &len, &err);
	close(fd);
	if (rc == WASMIX_IOERR)
		return wasmix_err(errbuf, errlen, rc, "%s: %s", path,
		                  strerror(err));
	if (rc == WASMIX_LIMIT)
		return wasmix_err(errbuf, errlen, rc,
		                  "%s: file too large (limit %zu bytes)", path,
		                  WASMIX_MAX_MODULE_BYTES);
	if (rc != WASMIX_OK)
		return wasmix_err(errbuf, errlen, rc, "%s: out of memory",
		                  path);
	rc = wasmix_run_bytes(c, bytes, len, path, exit_code, errbuf, errlen);
	wx_free(bytes);
	return rc;
}
