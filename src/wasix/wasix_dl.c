/*
 * wasix_dl.c: WASIX dlopen, dlsym and dl_invalid_handle: marshalling
 * between the guest and the dynamic linker (dl.h).
 *
 * Errors: the function returns an errno and, for dlopen and dlsym, puts
 * one NUL-terminated line in the guest's error buffer (truncated to
 * fit), which wasix-libc hands to dlerror(). ENOSYS when the program is
 * not position independent (it has no linker). Pointers and sizes are
 * read at the caller's width (wasix_32v1 and wasix_64v1); dlsym's result
 * is pointer-wide, the handle a u32 at both.
 */
#include "wasix/wasix_impl.h"

#include <stdio.h>
#include <string.h>

#include "dl/dl.h"

void wasix_set_linker(struct wasix_ctx *x, struct dl_linker *dl)
{
	x->dl = dl;
}

/* Copies 'msg' into the guest buffer at args[i], args[i+1] (if any). */
static void wasix_dl_err(struct vm_call *c, unsigned i, const char *msg)
{
	uint64_t ptr = wasi_ptr(c, i);
	uint32_t cap = wasi_size32(c, i + 1);
	size_t n = strlen(msg);
	uint8_t *p;

	if (cap == 0)
		return;
	if (n > cap - 1)
		n = cap - 1;
	p = wasi_mem(c, ptr, n + 1);
	if (p == NULL)
		return;
	memcpy(p, msg, n);
	p[n] = 0;
}

/* The errno of a failed dl call. */
static uint32_t wasix_dl_errno(int rc)
{
	switch (rc) {
	case WX_ENOMEM:
	case WX_ELIMIT:
		return WASI_ENOMEM;
	case WX_EARG:
		return WASI_EINVAL;
	case WX_EMALFORMED:
	case WX_EINVALID:
		return WASI_ENOEXEC;
	default:
		return WASI_ENOENT;
	}
}

static const char wasix_dl_nolinker[] =
    "dynamic loading needs a position-independent main module (one "
    "with a dylink.0 section)";

/* dlopen(path, path_len, flags, err_buf, err_len, ld_path, ld_len, ret) */
int wasix_dlopen(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	char path[VFS_PATH_MAX + 1], *ld = NULL;
	struct diag d = {0};
	uint32_t handle = 0, e, ldlen = wasi_size32(c, 6);
	int rc, code = 0;

	if (x->dl == NULL) {
		wasix_dl_err(c, 3, wasix_dl_nolinker);
		return wasi_ret(c, WASI_ENOSYS);
	}
	e = wasix_str(c, 0, path, sizeof path);
	if (e == WASI_ESUCCESS && ldlen > 0) {
		ld = wx_malloc((size_t)ldlen + 1);
		e = ld == NULL ? WASI_ENOMEM
		               : wasix_str(c, 5, ld, (size_t)ldlen + 1);
	}
	if (e != WASI_ESUCCESS) {
		wx_free(ld);
		return wasi_ret(c, e);
	}
	rc = dl_open(x->dl, path, wasi_u32(c, 2), ld, &handle, &code, &d);
	wx_free(ld);
	if (rc == WX_EEXIT) {
		c->exit_code = code;
		return WX_EEXIT;
	}
	if (rc == WX_ETRAP)
		return vm_call_trap(c, d.msg);
	if (rc != WX_OK) {
		wasix_dl_err(c, 3, d.msg);
		return wasi_ret(c, wasix_dl_errno(rc));
	}
	return wasi_ret(c, wasi_store_u32(c, wasi_ptr(c, 7), handle));
}

/* dlsym(handle, sym, sym_len, err_buf, err_len, ret) */
int wasix_dlsym(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;
	char name[1024];
	struct diag d = {0};
	uint64_t addr = 0;
	uint32_t e;
	int rc;

	if (x->dl == NULL) {
		wasix_dl_err(c, 3, wasix_dl_nolinker);
		return wasi_ret(c, WASI_ENOSYS);
	}
	e = wasix_str(c, 1, name, sizeof name);
	if (e != WASI_ESUCCESS)
		return wasi_ret(c, e);
	rc = dl_sym(x->dl, wasi_u32(c, 0), name, &addr, &d);
	if (rc != WX_OK) {
		wasix_dl_err(c, 3, d.msg);
		return wasi_ret(c, wasix_dl_errno(rc));
	}
	/* An address or a table slot: pointer-wide. */
	return wasi_ret(c, wasi_store_size(c, wasi_ptr(c, 5), addr));
}

/* dl_invalid_handle(handle): 0 for a loaded module, else EINVAL. */
int wasix_dl_invalid_handle(struct vm_call *c, void *ud)
{
	struct wasix_ctx *x = ud;

	if (x->dl == NULL)
		return wasi_ret(c, WASI_ENOSYS);
	return wasi_ret(c, dl_handle_valid(x->dl, wasi_u32(c, 0))
	                       ? WASI_ESUCCESS
	                       : WASI_EINVAL);
}
