/*
 * wasmix_validate.c: wasmix_validate of include/wasmix.h, the check
 * behind 'wasmix validate': decode and validate a module, with the
 * engine's one-line reason on failure. Allocates nothing that outlives
 * the call.
 */
#include "wasmix.h"

#include <stdio.h>

#include "base/base.h"
#include "wasm/wasm_module.h"

int wasmix_validate(const uint8_t *bytes, size_t len, char *errbuf,
                    size_t errlen)
{
	struct wasm_limits lim;
	struct wasm_module *m = NULL;
	struct diag d;
	int rc;

	diag_clear(&d);
	if (errlen > 0)
		errbuf[0] = 0;
	if (bytes == NULL && len != 0)
		return WASMIX_ERROR;
	wasm_limits_default(&lim);
	rc = wasm_decode(bytes, len, &lim, &m, &d);
	if (rc == WX_OK)
		rc = wasm_validate(m, &d);
	wasm_module_free(m);
	if (rc == WX_OK)
		return WASMIX_OK;
	if (errlen > 0)
		snprintf(errbuf, errlen, "%s", d.msg);
	if (rc == WX_ENOMEM)
		return WASMIX_NOMEM;
	return rc == WX_EINVALID ? WASMIX_INVALID : WASMIX_MALFORMED;
}
