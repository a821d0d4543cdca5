/*
 * spec_file.c: one wast2json JSON file of the spec runner: its store, the
 * modules and instances it defines, the import resolver, and the loop that
 * runs and counts its commands.
 *
 * Keeps true: modules outlive the store (they are freed after
 * vm_store_free); every command is counted exactly once; a file that
 * cannot be read or parsed is one failure, never a crash.
 */
#include "spec.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot/aot.h"
#include "spec_host.h"

int spec_why(struct spec_file *f, int outcome, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->why, sizeof(f->why), fmt, ap);
	va_end(ap);
	return outcome;
}

void spec_note(struct spec_file *f, const char *expected, const char *got)
{
	snprintf(f->note, sizeof(f->note), "expected \"%s\", got \"%s\"",
	         expected, got);
}

int spec_bind(struct spec_bindings *b, const char *name, size_t len,
              struct vm_instance *inst)
{
	char *copy;

	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8;
		struct spec_binding *nv = realloc(b->v, cap * sizeof(*nv));

		if (!nv)
			return -1;
		b->v = nv;
		b->cap = cap;
	}
	copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, name, len);
	copy[len] = 0;
	b->v[b->n].name = copy;
	b->v[b->n].len = len;
	b->v[b->n].inst = inst;
	b->n++;
	return 0;
}

struct vm_instance *spec_lookup(const struct spec_bindings *b, const char *name,
                                size_t len)
{
	for (size_t i = b->n; i-- > 0;) {
		if (b->v[i].len == len && memcmp(b->v[i].name, name, len) == 0)
			return b->v[i].inst;
	}
	return NULL;
}

static void bindings_free(struct spec_bindings *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->v[i].name);
	free(b->v);
	memset(b, 0, sizeof(*b));
}

/* Keeps 'm' until the store is freed; frees it at once if out of memory. */
static int keep_module(struct spec_file *f, struct wasm_module *m)
{
	if (f->nmods == f->capmods) {
		size_t cap = f->capmods ? f->capmods * 2 : 16;
		struct wasm_module **nv = realloc(f->mods, cap * sizeof(*nv));

		if (!nv) {
			wasm_module_free(m);
			return -1;
		}
		f->mods = nv;
		f->capmods = cap;
	}
	f->mods[f->nmods++] = m;
	return 0;
}

/* Module k of the script for filename "k.wasm", or NULL. */
static const struct wast_module *script_module(const struct spec_file *f,
                                               const char *fname)
{
	char *end;
	unsigned long k;

	if (!f->script || !fname)
		return NULL;
	k = strtoul(fname, &end, 10);
	if (end == fname || strcmp(end, ".wasm") != 0 || k >= f->script->nmods)
		return NULL;
	return &f->script->mods[k];
}

const char *spec_text_error(const struct spec_file *f,
                            const struct spec_json *c)
{
	const struct wast_module *wm =
	    script_module(f, spec_json_str(c, "filename", NULL));

	return wm ? wm->error : NULL;
}

/* The bytes of command 'c's module: in memory, or read from its file. */
static int module_bytes(struct spec_file *f, const struct spec_json *c,
                        uint8_t **bytes, size_t *len, bool *owned,
                        struct diag *diag)
{
	const char *fname = spec_json_str(c, "filename", NULL);
	const struct wast_module *wm = script_module(f, fname);
	char *path, err[512];

	*owned = false;
	if (wm && wm->error)
		return diag_set(diag, WX_EMALFORMED, "%s", wm->error);
	if (wm) {
		*bytes = wm->bytes;
		*len = wm->len;
		return 0;
	}
	if (!fname || strchr(fname, '/') || f->script)
		return diag_set(diag, WX_EIO, "bad or missing \"filename\"");
	path = malloc(strlen(f->dir) + strlen(fname) + 2);
	if (!path)
		return diag_set(diag, WX_EIO, "out of memory");
	sprintf(path, "%s/%s", f->dir, fname);
	if (spec_read_file(path, SPEC_MAX_FILE, bytes, len, err, sizeof(err))) {
		free(path);
		return diag_set(diag, WX_EIO, "%s", err);
	}
	free(path);
	*owned = true;
	return 0;
}

int spec_load(struct spec_file *f, const struct spec_json *c,
              struct wasm_module **out, struct diag *diag)
{
	struct wasm_limits lim;
	uint8_t *bytes = NULL;
	size_t len = 0;
	bool owned;
	int rc;

	*out = NULL;
	diag_clear(diag);
	rc = module_bytes(f, c, &bytes, &len, &owned, diag);
	if (rc)
		return rc;
	wasm_limits_default(&lim);
	lim.wasm2 = (spec_wat_flags & WAT_WASM2) != 0;
	rc = wasm_decode(bytes, len, &lim, out, diag);
	if (rc) {
		rc = WX_EMALFORMED;
		goto out;
	}
	rc = wasm_validate(*out, diag);
	if (rc) {
		wasm_module_free(*out);
		*out = NULL;
		rc = WX_EINVALID;
	}
out:
	if (owned)
		free(bytes);
	return rc;
}

/* What an opcode byte the decoder called illegal needs. */
static const char *opcode_feature(uint8_t b)
{
	switch (b) {
	case 0xfd:
		return "SIMD";
	case 0xfb:
	case 0xd3:
		return "GC";
	case 0x06:
	case 0x07:
	case 0x08:
	case 0x09:
	case 0x0a:
	case 0x18:
	case 0x19:
	case 0x1f:
		return "exceptions";
	case 0x12:
	case 0x13:
	case 0x15:
		return "tail calls";
	case 0x14:
	case 0xd4:
	case 0xd5:
	case 0xd6:
		return "typed function references";
	default:
		return NULL;
	}
}

/* What a value or reference type byte the decoder rejected needs. */
static const char *type_feature(uint8_t b)
{
	switch (b) {
	case 0x7b:
		return "SIMD";
	case 0x63:
	case 0x64:
		return "typed function references";
	case 0x69:
	case 0x74:
		return "exceptions";
	case 0x4e:
	case 0x4f:
	case 0x50:
	case 0x5e:
	case 0x5f:
	case 0x6e:
	case 0x6d:
	case 0x6c:
	case 0x6b:
	case 0x6a:
	case 0x71:
	case 0x72:
	case 0x73:
		return "GC";
	default:
		return NULL;
	}
}

/* The feature a decoder message about the byte at 'at' points to. */
static const char *decode_feature(const char *msg, const uint8_t *bytes,
                                  size_t len)
{
	const char *o = strstr(msg, "offset 0x");
	size_t at;
	uint8_t b;

	if (!o)
		return NULL;
	at = (size_t)strtoull(o + 9, NULL, 16);
	if (at >= len)
		return NULL;
	b = bytes[at];
	if (strstr(msg, "illegal opcode"))
		return opcode_feature(b);
	if (strstr(msg, "reference type") && b == 0x40)
		return "typed function references"; /* table initialiser */
	if (strstr(msg, "value type") || strstr(msg, "reference type") ||
	    strstr(msg, "function type"))
		return type_feature(b);
	if (strstr(msg, "malformed section id") && b == 13)
		return "exceptions";
	if (strstr(msg, "import kind") || strstr(msg, "export kind"))
		return b == 4 ? "exceptions" : NULL;
	if (strstr(msg, "integer too large") && b >= 4 && b <= 7)
		return "memory64"; /* limits flags with the 64-bit bit */
	if (strstr(msg, "zero byte expected"))
		return "multi-memory"; /* a memory index other than 0 */
	return NULL;
}

/* The feature a validator message names, or NULL. */
static const char *validate_feature(const char *msg)
{
	if (strstr(msg, "multiple memories"))
		return "multi-memory";
	if (strstr(msg, "constant expression required") ||
	    (strstr(msg, "unknown global") &&
	     (strstr(msg, "segment") || strstr(msg, "(global"))))
		return "extended constant expressions";
	return NULL;
}

/* Reads a LEB128 u64 at *p (below end); false if it runs out. */
static bool leb_u(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	*v = 0;
	for (unsigned shift = 0; *p < end && shift < 64; shift += 7) {
		uint8_t b = *(*p)++;
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return true;
	}
	return false;
}

/* Skips a value or reference type (with a heap type after 0x63/0x64). */
static bool skip_type(const uint8_t **p, const uint8_t *end)
{
	uint64_t v;
	if (*p >= end)
		return false;
	uint8_t b = *(*p)++;
	return (b != 0x63 && b != 0x64) || leb_u(p, end, &v);
}

static bool skip_limits(const uint8_t **p, const uint8_t *end)
{
	uint64_t v;
	if (*p >= end)
		return false;
	uint8_t flags = *(*p)++;
	return leb_u(p, end, &v) && (!(flags & 1) || leb_u(p, end, &v));
}

/* Calls 'fn' with each import's module name; false if malformed. */
static bool each_import_module(const uint8_t *p, const uint8_t *end,
                               void (*fn)(struct spec_file *, const char *,
                                          size_t, const char *),
                               struct spec_file *f, const char *reason)
{
	uint64_t n, len, v;
	if (!leb_u(&p, end, &n))
		return false;
	for (uint64_t i = 0; i < n; i++) {
		if (!leb_u(&p, end, &len) || len > (uint64_t)(end - p))
			return false;
		fn(f, (const char *)p, (size_t)len, reason);
		p += len;
		if (!leb_u(&p, end, &len) || len > (uint64_t)(end - p) ||
		    (p += len) >= end)
			return false;
		uint8_t kind = *p++;
		bool ok = kind == 0 ? leb_u(&p, end, &v)
		          : kind == 1
		              ? skip_type(&p, end) && skip_limits(&p, end)
		          : kind == 2 ? skip_limits(&p, end)
		          : kind == 3 ? skip_type(&p, end) && p++ < end
		          : kind == 4 ? p++ < end && leb_u(&p, end, &v)
		                      : false;
		if (!ok)
			return false;
	}
	return true;
}

static void taint_one(struct spec_file *f, const char *name, size_t len,
                      const char *reason)
{
	struct vm_instance *inst = spec_lookup(&f->regs, name, len);
	struct spec_taint *v;

	if (!inst || spec_tainted(f, inst))
		return;
	v = realloc(f->taint, (f->ntaint + 1) * sizeof(*v));
	if (!v)
		return;
	f->taint = v;
	v[f->ntaint].inst = inst;
	snprintf(v[f->ntaint].reason, sizeof(v->reason), "%.95s", reason);
	f->ntaint++;
}

void spec_taint_imports(struct spec_file *f, const struct spec_json *c,
                        const char *reason)
{
	uint8_t *bytes = NULL;
	size_t len = 0;
	bool owned = false;
	struct diag d;

	diag_clear(&d);
	if (module_bytes(f, c, &bytes, &len, &owned, &d) != 0)
		return;
	const uint8_t *p = bytes + 8, *end = bytes + len;
	while (len >= 8 && p < end) {
		uint8_t id = *p++;
		uint64_t size;
		if (!leb_u(&p, end, &size) || size > (uint64_t)(end - p))
			break;
		if (id == 2) {
			each_import_module(p, p + size, taint_one, f, reason);
			break;
		}
		p += size;
	}
	if (owned)
		free(bytes);
}

const char *spec_tainted(const struct spec_file *f,
                         const struct vm_instance *inst)
{
	for (size_t i = 0; i < f->ntaint; i++)
		if (f->taint[i].inst == inst)
			return f->taint[i].reason;
	return NULL;
}

bool spec_unsupported(struct spec_file *f, const struct spec_json *c,
                      const char *msg, char *reason, size_t cap)
{
	uint8_t *bytes = NULL;
	size_t len = 0;
	bool owned = false;
	const char *feat = NULL;
	struct diag d;

	const char *ns = strstr(msg, " not supported");
	char named[64];

	diag_clear(&d);
	if (ns &&
	    ns - msg < (ptrdiff_t)sizeof(named)) { /* "SIMD not supported" */
		snprintf(named, sizeof(named), "%.*s", (int)(ns - msg), msg);
		feat = named;
	} else if ((feat = validate_feature(msg)) != NULL) {
		/* named by the validator */
	} else if (module_bytes(f, c, &bytes, &len, &owned, &d) == 0)
		feat = decode_feature(msg, bytes, len);
	if (owned)
		free(bytes);
	if (!feat)
		return false;
	snprintf(reason, cap, "%s: not implemented", feat);
	return true;
}

static int resolve(void *ud, const struct wasm_import *imp,
                   struct vm_extern *out)
{
	struct spec_file *f = ud;
	struct vm_instance *inst;

	inst = spec_lookup(&f->regs, imp->module, imp->module_len);
	if (inst)
		return vm_instance_export(inst, imp->name, imp->name_len, out)
		           ? -1
		           : 0;
	if (imp->module_len != 8 || memcmp(imp->module, "spectest", 8) != 0)
		return -1;
	if (!f->host)
		f->host = spec_host_new(f->store, f->verbose);
	if (!f->host)
		return -1;
	return spec_host_lookup(f->host, imp->name, imp->name_len, out);
}

int spec_instantiate(struct spec_file *f, struct wasm_module *m,
                     struct vm_instance **out, struct diag *diag)
{
	*out = NULL;
	diag_clear(diag);
	if (keep_module(f, m))
		return diag_set(diag, WX_ENOMEM, "out of memory");
	return vm_instantiate(f->store, m, resolve, f, out, diag);
}

/* Do two names agree up to their extensions (.json, .wast)? */
static bool same_stem(const char *a, const char *b)
{
	const char *da = strrchr(a, '.'), *db = strrchr(b, '.');
	size_t la = da ? (size_t)(da - a) : strlen(a);
	size_t lb = db ? (size_t)(db - b) : strlen(b);

	return la == lb && memcmp(a, b, la) == 0;
}

/* The skip-list reason for the current command, or NULL. */
static const char *skip_reason(const struct spec_file *f)
{
	for (size_t i = 0; f->skip && i < f->skip->n; i++) {
		const struct spec_skip *s = &f->skip->v[i];

		if (same_stem(s->file, f->name) &&
		    (s->line == 0 || s->line == f->line))
			return s->reason;
	}
	return NULL;
}

static void record(struct spec_file *f, int outcome)
{
	struct spec_counts *k = f->counts;

	switch (outcome) {
	case SPEC_PASS:
		k->passed++;
		if (f->note[0]) {
			k->mismatched++;
			if (f->verbose)
				printf("%s:%ld: %s: message mismatch: %s\n",
				       f->name, f->line, f->cmd, f->note);
		}
		break;
	case SPEC_SKIP:
		k->skipped++;
		if (f->verbose)
			printf("%s:%ld: %s: skipped: %s\n", f->name, f->line,
			       f->cmd, f->why);
		break;
	default:
		k->failed++;
		printf("%s:%ld: %s: %s\n", f->name, f->line, f->cmd, f->why);
		break;
	}
}

static void run_commands(struct spec_file *f, const struct spec_json *cmds)
{
	for (size_t i = 0; i < cmds->n; i++) {
		const struct spec_json *c = &cmds->items[i];
		const char *reason;
		int outcome;

		f->line = 0;
		spec_json_long(c, "line", &f->line);
		f->cmd = spec_json_str(c, "type", NULL);
		if (!f->cmd)
			f->cmd = "?";
		f->counts->cur_line = f->line;
		snprintf(f->counts->cur_cmd, sizeof(f->counts->cur_cmd), "%s",
		         f->cmd);
		f->why[0] = 0;
		f->note[0] = 0;
		reason = skip_reason(f);
		if (reason)
			outcome = spec_why(f, SPEC_SKIP, "%s", reason);
		else
			outcome = spec_cmd_run(f, c);
		record(f, outcome);
	}
	f->counts->cur_line = 0;
}

/* Fails the whole file (unreadable, unparsable): one failure line. */
static int file_fail(struct spec_file *f, const char *msg)
{
	f->counts->failed++;
	printf("%s:0: file: %s\n", f->name, msg);
	return -1;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 1;
	char *d = malloc(n + 2);

	if (!d)
		return NULL;
	if (n == 0) /* "/x.json": the root directory */
		n = 1;
	memcpy(d, slash ? path : ".", n);
	d[n] = 0;
	return d;
}

unsigned spec_wat_flags;
const char *spec_write_dir;
bool spec_aot;

/*
 * --write-modules: writes every binary module of the script as
 * DIR/NAME.K.wasm (NAME the display name with '/' made '_').
 */
static int write_modules(const char *name, const struct wast_script *sc)
{
	for (size_t k = 0; k < sc->nmods; k++) {
		const struct wast_module *wm = &sc->mods[k];
		char path[4096];
		FILE *fp;

		if (!wm->bytes)
			continue;
		snprintf(path, sizeof(path), "%s/%s.%zu.wasm", spec_write_dir,
		         name, k);
		for (char *q = path + strlen(spec_write_dir) + 1; *q; q++)
			if (*q == '/')
				*q = '_';
		fp = fopen(path, "wb");
		if (!fp || fwrite(wm->bytes, 1, wm->len, fp) != wm->len) {
			if (fp)
				fclose(fp);
			return -1;
		}
		if (fclose(fp) != 0)
			return -1;
	}
	return 0;
}

static bool is_wast(const char *path)
{
	size_t n = strlen(path);

	return n > 5 && strcmp(path + n - 5, ".wast") == 0;
}

/* Runs the parsed document's commands in a new store. */
static int run_doc(struct spec_file *f, const struct spec_json *root)
{
	const struct spec_json *cmds = spec_json_get(root, "commands");
	struct vm_config cfg;
	struct aot_session *aot = NULL;

	if (!cmds || cmds->type != SPEC_JARR)
		return file_fail(f, "no \"commands\" array");
	f->counts->total = cmds->n;
	vm_config_default(&cfg);
	if (spec_aot) {
		struct aot_options ao = {.checked = cfg.bounds_checks,
		                         .verbose = f->verbose};
		aot = aot_session_new(&ao, true);
		if (aot == NULL)
			return file_fail(f, "out of memory");
		cfg.on_instance = aot_on_instance;
		cfg.on_instance_ud = aot;
	}
	f->store = vm_store_new(&cfg);
	if (!f->store) {
		aot_session_free(aot);
		return file_fail(f, "cannot make a store");
	}
	run_commands(f, cmds);
	spec_host_free(f->host);
	vm_store_free(f->store);
	if (aot != NULL)
		aot_session_counts(aot, &f->counts->aot_native,
		                   &f->counts->aot_interp);
	aot_session_free(aot);
	f->store = NULL;
	f->host = NULL;
	return 0;
}

int spec_file_run(const char *path, const char *name, bool verbose,
                  const struct spec_skiplist *skip, struct spec_counts *counts)
{
	struct spec_file f = {0};
	struct spec_json_doc *doc = NULL;
	struct wast_script script = {0};
	uint8_t *text = NULL;
	size_t len;
	char err[512];
	int rc = -1;

	f.name = name;
	f.verbose = verbose;
	f.skip = skip;
	f.counts = counts;
	f.dir = dir_of(path);
	if (!f.dir) {
		file_fail(&f, "out of memory");
		goto out;
	}
	if (spec_read_file(path, SPEC_MAX_FILE, &text, &len, err,
	                   sizeof(err))) {
		file_fail(&f, err);
		goto out;
	}
	if (is_wast(path)) {
		struct diag d;

		diag_clear(&d);
		if (wast_to_json(name, (const char *)text, len, spec_wat_flags,
		                 &script, &d)) {
			file_fail(&f, d.msg);
			goto out;
		}
		f.script = &script;
		if (spec_write_dir && !*spec_write_dir) {
			rc = 0; /* --parse-only */
			goto out;
		}
		if (spec_write_dir) {
			rc = write_modules(name, &script);
			if (rc)
				file_fail(&f, "cannot write the modules");
			goto out;
		}
		free(text);
		text = (uint8_t *)script.json;
		len = script.json_len;
		script.json = NULL;
	}
	if (spec_json_parse((const char *)text, len, &doc, err, sizeof(err))) {
		file_fail(&f, err);
		goto out;
	}
	rc = run_doc(&f, spec_json_root(doc));
out:
	for (size_t i = 0; i < f.nmods; i++)
		wasm_module_free(f.mods[i]);
	free(f.mods);
	bindings_free(&f.names);
	bindings_free(&f.regs);
	for (size_t i = 0; i < f.nskipped; i++)
		free(f.skipped[i].name);
	free(f.skipped);
	free(f.taint);
	for (size_t i = 0; i < f.ndefs; i++)
		free(f.defs[i].name);
	free(f.defs);
	wast_script_free(&script);
	spec_json_free(doc);
	free(text);
	free(f.dir);
	return rc;
}
