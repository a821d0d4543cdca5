/*
 * spec_cmd.c: the commands of a wast2json script: module, register,
 * action and the assertions, with value parsing and result matching.
 *
 * Values in the JSON are unsigned decimal strings (floats as their bit
 * patterns), "nan:canonical" / "nan:arithmetic" patterns, or "null" / a
 * number for references; externref N is passed to the VM as the handle
 * N + 1 so that externref 0 is not the null handle. A v128 is an array of
 * lane values ("lane_type" i8 ... f64), each lane matched on its own (NaN
 * patterns per float lane); it takes two slots, low half first.
 *
 * Keeps true: each handler returns exactly one enum spec_outcome and
 * frees what it allocated; a module that was instantiated (even partly) is
 * handed to spec_instantiate, which keeps it until the store is freed.
 */
#include "spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How an expected value matches a result. */
enum vkind {
	V_EXACT,
	V_NAN_CANON,
	V_NAN_ARITH,
	V_REF_NONNULL, /* a funcref given by number: any non-null function */
	V_REF_NULL,    /* "(ref.null)": a null reference of any type */
};

struct spec_val {
	uint32_t type; /* enum wasm_valtype */
	uint8_t kind;  /* enum vkind */
	uint64_t bits;
	/* v128: the upper half (bits is the lower), lane width in bytes,
	 * float lanes, and each lane's enum vkind (EXACT or a NaN pattern) */
	uint64_t hi;
	uint8_t lane_bytes;
	bool lane_float;
	uint8_t lane_kind[16];
};

/* An action's outcome: the VM's return code and, on success, results. */
struct action_result {
	int rc;
	struct diag diag;
	uint32_t n;
	uint64_t *vals;
	const uint32_t *types;
	uint32_t gtype; /* valtype of a "get" */
	char what[128]; /* 'invoke "name"' or 'get "name"', for messages */
};

static const char *rc_name(int rc)
{
	static const char *const names[] = {
	    "ok",         "out of memory", "limit", "malformed", "invalid",
	    "link error", "trap",          "exit",  "I/O error", "bad argument",
	};

	if (rc >= 0 && (size_t)rc < sizeof(names) / sizeof(names[0]))
		return names[rc];
	return "unknown error";
}

/* Writes a printable, length-capped form of a name for messages. */
static void fmt_name(const char *s, size_t len, char *buf, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != 0x7f && c != '"' && c != '\\')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
	}
	buf[o] = 0;
}

/* Appends 's' to the string in 'buf' ('cap' bytes), truncating. */
static void append(char *buf, size_t cap, const char *s)
{
	size_t o = strlen(buf);

	if (o + 1 < cap)
		snprintf(buf + o, cap - o, "%s", s);
}

static int valtype_of(const char *name)
{
	static const struct {
		const char *name;
		uint8_t type;
	} types[] = {{"i32", WASM_I32},         {"i64", WASM_I64},
	             {"f32", WASM_F32},         {"f64", WASM_F64},
	             {"funcref", WASM_FUNCREF}, {"externref", WASM_EXTERNREF},
	             {"v128", WASM_V128}};

	for (size_t i = 0; name && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(name, types[i].name) == 0)
			return types[i].type;
	return -1;
}

static const char *valtype_name(uint32_t t)
{
	switch (t) {
	case WASM_I32:
		return "i32";
	case WASM_I64:
		return "i64";
	case WASM_F32:
		return "f32";
	case WASM_F64:
		return "f64";
	case WASM_FUNCREF:
		return "funcref";
	case WASM_EXTERNREF:
		return "externref";
	case WASM_V128:
		return "v128";
	default:
		return "?";
	}
}

/* Parses an unsigned decimal string no larger than 'max'. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (d > 9 || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* A v128 value: "lane_type" and one string per lane in "value". */
static int parse_v128(struct spec_file *f, const struct spec_json *v,
                      struct spec_val *out)
{
	const char *lt = spec_json_str(v, "lane_type", NULL);
	const struct spec_json *lanes = spec_json_get(v, "value");
	uint8_t bytes[16];
	unsigned bits;

	if (!lt || !lanes || lanes->type != SPEC_JARR ||
	    sscanf(lt + 1, "%u", &bits) != 1 || (lt[0] != 'i' && lt[0] != 'f') ||
	    (bits != 8 && bits != 16 && bits != 32 && bits != 64) ||
	    lanes->n != 128 / bits)
		return spec_why(f, -1, "bad v128 value");
	out->kind = V_EXACT;
	out->lane_bytes = (uint8_t)(bits / 8);
	out->lane_float = lt[0] == 'f';
	for (size_t i = 0; i < lanes->n; i++) {
		const struct spec_json *l = &lanes->items[i];
		uint64_t x = 0;
		char txt[32];
		if (l->type != SPEC_JSTR || l->len >= sizeof txt)
			return spec_why(f, -1, "bad v128 lane");
		memcpy(txt, l->s, l->len);
		txt[l->len] = 0;
		out->lane_kind[i] = V_EXACT;
		if (strcmp(txt, "nan:canonical") == 0)
			out->lane_kind[i] = V_NAN_CANON;
		else if (strcmp(txt, "nan:arithmetic") == 0)
			out->lane_kind[i] = V_NAN_ARITH;
		else if (parse_u64(txt, bits == 64 ? UINT64_MAX
		                                   : (UINT64_C(1) << bits) - 1,
		                   &x))
			return spec_why(f, -1, "bad v128 lane \"%s\"", txt);
		memcpy(bytes + i * out->lane_bytes, &x, out->lane_bytes);
	}
	memcpy(&out->bits, bytes, 8);
	memcpy(&out->hi, bytes + 8, 8);
	return 0;
}

/* Does float lane 'g' (of 'nbytes') match NaN pattern 'kind'? */
static bool nan_match(uint8_t kind, uint64_t g, unsigned nbytes)
{
	if (nbytes == 4) {
		g = (uint32_t)g;
		if (kind == V_NAN_CANON)
			return (g & 0x7fffffff) == 0x7fc00000;
		return (g & 0x7fc00000) == 0x7fc00000;
	}
	if (kind == V_NAN_CANON)
		return (g & 0x7fffffffffffffffULL) == 0x7ff8000000000000ULL;
	return (g & 0x7ff8000000000000ULL) == 0x7ff8000000000000ULL;
}

/* Does v128 result (lo, hi) match expected 'e', lane by lane? */
static bool v128_match(const struct spec_val *e, uint64_t lo, uint64_t hi)
{
	uint8_t got[16], want[16];
	unsigned n = e->lane_bytes;

	memcpy(got, &lo, 8);
	memcpy(got + 8, &hi, 8);
	memcpy(want, &e->bits, 8);
	memcpy(want + 8, &e->hi, 8);
	for (unsigned i = 0; i < 16 / n; i++) {
		uint64_t g = 0;
		memcpy(&g, got + i * n, n);
		if (e->lane_kind[i] != V_EXACT) {
			if (!nan_match(e->lane_kind[i], g, n))
				return false;
		} else if (memcmp(got + i * n, want + i * n, n) != 0) {
			return false;
		}
	}
	return true;
}

/*
 * Parses one JSON value object. Returns 0, or -1 (f->why set) if it is
 * malformed (2: a value of a proposal wasmix lacks, reason set).
 */
static int parse_val(struct spec_file *f, const struct spec_json *v,
                     struct spec_val *out)
{
	const char *tname = spec_json_str(v, "type", NULL);
	const char *s = spec_json_str(v, "value", NULL);
	int t = valtype_of(tname);
	bool narrow = t == WASM_I32 || t == WASM_F32;
	/* externref N becomes handle N + 1, which must not wrap to null */
	uint64_t max = narrow                ? UINT32_MAX
	               : t == WASM_EXTERNREF ? UINT64_MAX - 1
	                                     : UINT64_MAX;

	memset(out, 0, sizeof(*out));
	if (tname && strcmp(tname, "refnull") == 0) {
		out->kind = V_REF_NULL;
		return 0;
	}
	if (tname &&
	    (strcmp(tname, "anyref") == 0 || strcmp(tname, "exnref") == 0))
		return spec_why(f, 2, "%s: not implemented",
		                tname[0] == 'a' ? "GC" : "exceptions");
	if ((t == WASM_FUNCREF || t == WASM_EXTERNREF) && !s) {
		out->type = (uint32_t)t;
		out->kind = V_REF_NONNULL;
		return 0;
	}
	if (t == WASM_V128) {
		out->type = WASM_V128;
		return parse_v128(f, v, out);
	}
	if (t < 0 || !s)
		return spec_why(f, -1, "bad value (type %s)",
		                tname ? tname : "missing");
	out->type = (uint32_t)t;
	if ((t == WASM_F32 || t == WASM_F64) && strncmp(s, "nan:", 4) == 0) {
		if (strcmp(s, "nan:canonical") == 0)
			out->kind = V_NAN_CANON;
		else if (strcmp(s, "nan:arithmetic") == 0)
			out->kind = V_NAN_ARITH;
		else
			return spec_why(f, -1, "bad NaN pattern \"%s\"", s);
		return 0;
	}
	if (wasm_is_reftype((uint32_t)t) && strcmp(s, "null") == 0)
		return 0;
	if (parse_u64(s, max, &out->bits))
		return spec_why(f, -1, "bad %s value \"%s\"", tname, s);
	if (t == WASM_EXTERNREF)
		out->bits++;
	else if (t == WASM_FUNCREF)
		out->kind = V_REF_NONNULL;
	return 0;
}

static void fmt_slot(uint32_t type, uint64_t v, char *buf, size_t cap)
{
	switch (type) {
	case WASM_I32:
	case WASM_F32:
		snprintf(buf, cap, "%s:%u (0x%08x)", valtype_name(type),
		         (unsigned)(uint32_t)v, (unsigned)(uint32_t)v);
		break;
	case WASM_FUNCREF:
		snprintf(buf, cap, v ? "funcref:0x%llx" : "funcref:null",
		         (unsigned long long)v);
		break;
	case WASM_EXTERNREF:
		snprintf(buf, cap, v ? "externref:%llu" : "externref:null",
		         (unsigned long long)(v - 1));
		break;
	default:
		snprintf(buf, cap, "%s:%llu (0x%016llx)", valtype_name(type),
		         (unsigned long long)v, (unsigned long long)v);
		break;
	}
}

static void fmt_val(const struct spec_val *e, char *buf, size_t cap)
{
	if (e->type == WASM_V128) {
		snprintf(buf, cap, "v128:0x%016llx%016llx",
		         (unsigned long long)e->hi, (unsigned long long)e->bits);
		return;
	}
	switch (e->kind) {
	case V_NAN_CANON:
		snprintf(buf, cap, "%s:nan:canonical", valtype_name(e->type));
		break;
	case V_NAN_ARITH:
		snprintf(buf, cap, "%s:nan:arithmetic", valtype_name(e->type));
		break;
	case V_REF_NONNULL:
		snprintf(buf, cap, "%s:non-null", valtype_name(e->type));
		break;
	case V_REF_NULL:
		snprintf(buf, cap, "ref:null");
		break;
	default:
		fmt_slot(e->type, e->bits, buf, cap);
		break;
	}
}

static bool val_match(const struct spec_val *e, uint32_t type, uint64_t got)
{
	uint64_t g = got;

	/* A result of type (ref $t), (ref func), ... matches as funcref. */
	if (wasm_is_reftype(type))
		type = wasm_vt_top(type);
	if (e->kind == V_REF_NULL)
		return wasm_is_reftype(type) && got == 0;
	if (e->type != type)
		return false;
	if (type == WASM_I32 || type == WASM_F32)
		g = (uint32_t)got;
	switch (e->kind) {
	case V_NAN_CANON:
		if (type == WASM_F32)
			return (g & 0x7fffffff) == 0x7fc00000;
		return (g & 0x7fffffffffffffffULL) == 0x7ff8000000000000ULL;
	case V_NAN_ARITH:
		if (type == WASM_F32)
			return (g & 0x7fc00000) == 0x7fc00000;
		return (g & 0x7ff8000000000000ULL) == 0x7ff8000000000000ULL;
	case V_REF_NONNULL:
		return g != 0;
	default:
		return g == e->bits;
	}
}

/* Makes the argument slots of an invoke; returns an outcome. */
static int make_args(struct spec_file *f, const struct spec_json *args,
                     const struct wasm_functype *ft, uint64_t *argv)
{
	for (uint32_t i = 0, k = 0; i < ft->nparams; i++) {
		struct spec_val v;
		int rc = parse_val(f, &args->items[i], &v);

		if (rc == 2)
			return SPEC_SKIP;
		if (rc != 0)
			return SPEC_FAIL;
		if (v.kind != V_EXACT)
			return spec_why(f, SPEC_FAIL, "argument %u: %s", i,
			                v.kind == V_REF_NONNULL
			                    ? "funcref arguments unsupported"
			                    : "NaN pattern as an argument");
		/* (ref extern) and friends take their top type's values. */
		uint32_t want = wasm_is_reftype(ft->types[i])
		                    ? wasm_vt_top(ft->types[i])
		                    : ft->types[i];
		if (v.type != want)
			return spec_why(
			    f, SPEC_FAIL, "argument %u: %s given, %s expected",
			    i, valtype_name(v.type), valtype_name(want));
		argv[k++] = v.bits;
		if (v.type == WASM_V128)
			argv[k++] = v.hi;
	}
	return SPEC_PASS;
}

/* Calls exported function 'ext' with the JSON arguments. */
static int do_invoke(struct spec_file *f, const struct spec_json *act,
                     const struct vm_extern *ext, struct action_result *r)
{
	const struct spec_json *args = spec_json_get(act, "args");
	const struct wasm_functype *ft;
	uint64_t *argv;
	int outcome;

	if (ext->kind != WASM_EXT_FUNC)
		return spec_why(f, SPEC_FAIL, "%s: not a function", r->what);
	ft = vm_func_type(ext->u.func);
	if (!args || args->type != SPEC_JARR || args->n != ft->nparams)
		return spec_why(f, SPEC_FAIL, "%s: bad \"args\" (%u expected)",
		                r->what, ft->nparams);
	argv = calloc(2 * ft->nparams + 1u, sizeof(*argv));
	r->vals = calloc(2 * ft->nresults + 1u, sizeof(*r->vals));
	if (!argv || !r->vals) {
		free(argv);
		return spec_why(f, SPEC_FAIL, "out of memory");
	}
	outcome = make_args(f, args, ft, argv);
	if (outcome == SPEC_PASS) {
		r->n = ft->nresults;
		r->types = ft->types + ft->nparams;
		r->rc = vm_invoke(f->store, ext->u.func, argv, r->vals, NULL,
		                  &r->diag);
	}
	free(argv);
	return outcome;
}

/* Remembers that module or registration 'name' was skipped for 'reason'. */
static void skipped_add(struct spec_file *f, const char *name, size_t len,
                        const char *reason)
{
	struct spec_named_skip *v;

	if (!name)
		return;
	v = realloc(f->skipped, (f->nskipped + 1) * sizeof(*v));
	if (!v)
		return;
	f->skipped = v;
	v = &f->skipped[f->nskipped];
	v->name = malloc(len + 1);
	if (!v->name)
		return;
	memcpy(v->name, name, len);
	v->name[len] = 0;
	v->len = len;
	snprintf(v->reason, sizeof(v->reason), "%.95s", reason);
	f->nskipped++;
}

static const char *skipped_find(const struct spec_file *f, const char *name,
                                size_t len)
{
	for (size_t i = f->nskipped; i-- > 0;)
		if (f->skipped[i].len == len &&
		    memcmp(f->skipped[i].name, name, len) == 0)
			return f->skipped[i].reason;
	return NULL;
}

/*
 * Was module 'mod' (NULL: the current one) skipped? Then sets the
 * command's reason to the same one and returns true.
 */
static bool skipped_module(struct spec_file *f, const char *mod, size_t mlen)
{
	const char *reason = mod ? skipped_find(f, mod, mlen)
	                         : (f->cur_skip[0] ? f->cur_skip : NULL);

	if (!reason)
		return false;
	spec_why(f, SPEC_SKIP, "%s", reason);
	return true;
}

/*
 * Does 'm' import from a registration that was skipped? Then the link
 * failure is that feature's, and the reason is set.
 */
static bool imports_skipped(struct spec_file *f, const struct wasm_module *m)
{
	for (uint32_t i = 0; m && i < m->nimports; i++) {
		const struct wasm_import *imp = &m->imports[i];
		const char *reason =
		    skipped_find(f, imp->module, imp->module_len);

		if (reason) {
			spec_why(f, SPEC_SKIP, "%s", reason);
			return true;
		}
	}
	return false;
}

/*
 * A load failure of command 'c': SPEC_SKIP (reason set) if it comes from
 * a feature the engine lacks, else -1.
 */
static int unsupported(struct spec_file *f, const struct spec_json *c,
                       const char *msg)
{
	char reason[96];

	if (!spec_unsupported(f, c, msg, reason, sizeof(reason)))
		return -1;
	return spec_why(f, SPEC_SKIP, "%s", reason);
}

/*
 * Runs the "action" of command 'c'. Returns SPEC_PASS when the VM ran it
 * (its verdict in r->rc), SPEC_FAIL for a broken command (no module, no
 * such export), SPEC_SKIP for values of a missing feature. r->vals must
 * be freed.
 */
static int run_action(struct spec_file *f, const struct spec_json *c,
                      struct action_result *r)
{
	const struct spec_json *act = spec_json_get(c, "action");
	const char *type = spec_json_str(act, "type", NULL);
	size_t flen, mlen;
	const char *field = spec_json_str(act, "field", &flen);
	const char *mod = spec_json_str(act, "module", &mlen);
	struct vm_instance *inst = f->cur;
	struct vm_extern ext;
	char name[96];

	memset(r, 0, sizeof(*r));
	if (!type || !field)
		return spec_why(f, SPEC_FAIL, "bad \"action\"");
	fmt_name(field, flen, name, sizeof(name));
	snprintf(r->what, sizeof(r->what), "%s \"%s\"", type, name);
	if (mod)
		inst = spec_lookup(&f->names, mod, mlen);
	if (!inst && skipped_module(f, mod, mlen))
		return SPEC_SKIP;
	if (inst && spec_tainted(f, inst))
		return spec_why(f, SPEC_SKIP, "%s", spec_tainted(f, inst));
	if (!inst)
		return spec_why(f, SPEC_FAIL, "%s: no module %s", r->what,
		                mod ? mod : "defined");
	if (vm_instance_export(inst, field, flen, &ext))
		return spec_why(f, SPEC_FAIL, "%s: no such export", r->what);
	if (strcmp(type, "invoke") == 0)
		return do_invoke(f, act, &ext, r);
	if (strcmp(type, "get") != 0)
		return spec_why(f, SPEC_FAIL, "unknown action \"%s\"", type);
	if (ext.kind != WASM_EXT_GLOBAL)
		return spec_why(f, SPEC_FAIL, "%s: not a global", r->what);
	r->vals = calloc(2, sizeof(*r->vals));
	if (!r->vals)
		return spec_why(f, SPEC_FAIL, "out of memory");
	r->gtype = vm_global_type(ext.u.global)->valtype;
	r->types = &r->gtype;
	r->n = 1;
	if (r->gtype == WASM_V128)
		vm_global_get128(ext.u.global, r->vals);
	else
		r->vals[0] = vm_global_get(ext.u.global);
	return SPEC_PASS;
}

/* Fails the command because the action did not return normally. */
static int not_returned(struct spec_file *f, const struct action_result *r)
{
	return spec_why(f, SPEC_FAIL, "%s: %s: %s", r->what, rc_name(r->rc),
	                r->diag.msg);
}

/*
 * Does one expected value (or an "either" of several) match? Returns
 * SPEC_PASS, SPEC_FAIL or SPEC_SKIP for a broken value, or -1 if
 * it does not match (then 'exp' describes what was expected).
 */
static int match_one(struct spec_file *f, const struct spec_json *e,
                     uint32_t type, const uint64_t *gotp, char *exp,
                     size_t cap)
{
	uint64_t got = gotp[0];
	const struct spec_json *alts = spec_json_get(e, "values");
	const char *tname = spec_json_str(e, "type", NULL);
	bool either = tname && strcmp(tname, "either") == 0;
	size_t n = either ? (alts && alts->type == SPEC_JARR ? alts->n : 0) : 1;
	char one[96];

	exp[0] = 0;
	if (n == 0)
		return spec_why(f, SPEC_FAIL, "bad \"either\" value");
	for (size_t i = 0; i < n; i++) {
		struct spec_val v;
		int rc = parse_val(f, either ? &alts->items[i] : e, &v);

		if (rc == 2)
			return SPEC_SKIP;
		if (rc)
			return SPEC_FAIL;
		if (v.type == WASM_V128 && type == WASM_V128
		        ? v128_match(&v, gotp[0], gotp[1])
		        : val_match(&v, type, got))
			return SPEC_PASS;
		fmt_val(&v, one, sizeof(one));
		if (i)
			append(exp, cap, " or ");
		append(exp, cap, one);
	}
	return -1;
}

/* Checks the results of a returned action against "expected". */
static int check_results(struct spec_file *f, const struct spec_json *c,
                         const struct action_result *r)
{
	const struct spec_json *exp = spec_json_get(c, "expected");
	char want[256], got[96];

	if (!exp || exp->type != SPEC_JARR)
		return spec_why(f, SPEC_FAIL, "bad \"expected\"");
	if (exp->n != r->n)
		return spec_why(f, SPEC_FAIL, "%s: %u results, %zu expected",
		                r->what, r->n, exp->n);
	for (uint32_t i = 0, k = 0; i < r->n; i++, k++) {
		int rc = match_one(f, &exp->items[i], r->types[i], r->vals + k,
		                   want, sizeof(want));

		if (rc == SPEC_FAIL || rc == SPEC_SKIP)
			return rc;
		if (rc == SPEC_PASS &&
		    (r->types[i] == WASM_I32 || r->types[i] == WASM_F32) &&
		    (r->vals[k] >> 32) != 0)
			return spec_why(
			    f, SPEC_FAIL,
			    "%s: result %u: %s slot not zero-extended "
			    "(0x%016llx)",
			    r->what, i, valtype_name(r->types[i]),
			    (unsigned long long)r->vals[k]);
		if (rc == SPEC_PASS) {
			k += r->types[i] == WASM_V128;
			continue;
		}
		if (r->types[i] == WASM_V128)
			snprintf(got, sizeof(got), "v128:0x%016llx%016llx",
			         (unsigned long long)r->vals[k + 1],
			         (unsigned long long)r->vals[k]);
		else
			fmt_slot(r->types[i], r->vals[k], got, sizeof(got));
		return spec_why(f, SPEC_FAIL,
		                "%s: result %u: expected %s, got %s", r->what,
		                i, want, got);
	}
	return SPEC_PASS;
}

static int cmd_assert_return(struct spec_file *f, const struct spec_json *c)
{
	struct action_result r;
	int outcome;

	outcome = run_action(f, c, &r);
	if (outcome == SPEC_PASS)
		outcome = r.rc ? not_returned(f, &r) : check_results(f, c, &r);
	free(r.vals);
	return outcome;
}

static int cmd_action(struct spec_file *f, const struct spec_json *c)
{
	struct action_result r;
	int outcome = run_action(f, c, &r);

	if (outcome == SPEC_PASS && r.rc)
		outcome = not_returned(f, &r);
	free(r.vals);
	return outcome;
}

/*
 * assert_trap / assert_exhaustion on an action: it must trap with
 * "text"; assert_exception: with the engine's "uncaught exception" (an
 * exception leaving vm_invoke is a trap, docs/interp.md).
 */
static int cmd_action_trap(struct spec_file *f, const struct spec_json *c)
{
	const char *text = strcmp(f->cmd, "assert_exception") == 0
	                       ? "uncaught exception"
	                       : spec_json_str(c, "text", NULL);
	struct action_result r;
	int outcome = run_action(f, c, &r);

	if (outcome != SPEC_PASS)
		goto out;
	if (!text)
		outcome = spec_why(f, SPEC_FAIL, "missing \"text\"");
	else if (r.rc == 0)
		outcome = spec_why(
		    f, SPEC_FAIL, "%s: returned normally, expected trap \"%s\"",
		    r.what, text);
	else if (r.rc != WX_ETRAP)
		outcome =
		    spec_why(f, SPEC_FAIL, "%s: %s (%s), expected trap \"%s\"",
		             r.what, rc_name(r.rc), r.diag.msg, text);
	else if (!strstr(r.diag.msg, text))
		outcome = spec_why(f, SPEC_FAIL,
		                   "%s: trapped with \"%s\", expected \"%s\"",
		                   r.what, r.diag.msg, text);
out:
	free(r.vals);
	return outcome;
}

static bool is_text_module(const struct spec_json *c)
{
	const char *mt = spec_json_str(c, "module_type", NULL);

	return mt && strcmp(mt, "text") == 0;
}

static bool is_definition(const struct spec_json *c)
{
	const struct spec_json *d = spec_json_get(c, "definition");

	return d && d->type == SPEC_JBOOL && d->b;
}

static int add_definition(struct spec_file *f, const char *name, size_t nlen,
                          const struct spec_json *c)
{
	struct spec_defs *v = realloc(f->defs, (f->ndefs + 1) * sizeof(*v));

	if (!v)
		return spec_why(f, SPEC_FAIL, "out of memory");
	f->defs = v;
	v[f->ndefs].name = name ? strndup(name, nlen) : NULL;
	v[f->ndefs].len = name ? nlen : 0;
	v[f->ndefs].cmd = c;
	f->ndefs++;
	return SPEC_PASS;
}

/* Loads 'c's module and instantiates it as 'name' (may be NULL). */
static int instantiate_cmd(struct spec_file *f, const struct spec_json *c,
                           const char *name, size_t nlen, bool define)
{
	struct wasm_module *m;
	struct vm_instance *inst;
	struct diag d;
	int rc;
	const char *terr = spec_text_error(f, c);

	if (terr)
		return spec_why(f, SPEC_FAIL, "text: %s", terr);
	rc = spec_load(f, c, &m, &d);
	if (rc && unsupported(f, c, d.msg) == SPEC_SKIP) {
		spec_taint_imports(f, c, f->why);
		snprintf(f->cur_skip, sizeof(f->cur_skip), "%.95s", f->why);
		skipped_add(f, name, nlen, f->why);
		return SPEC_SKIP;
	}
	if (rc)
		return spec_why(f, SPEC_FAIL, "%s: %s", rc_name(rc), d.msg);
	if (define) {
		wasm_module_free(m);
		return add_definition(f, name, nlen, c);
	}
	rc = spec_instantiate(f, m, &inst, &d);
	if (rc && imports_skipped(f, m)) {
		snprintf(f->cur_skip, sizeof(f->cur_skip), "%.95s", f->why);
		skipped_add(f, name, nlen, f->why);
		return SPEC_SKIP;
	}
	if (rc)
		return spec_why(f, SPEC_FAIL, "instantiation: %s: %s",
		                rc_name(rc), d.msg);
	f->cur = inst;
	if (name && spec_bind(&f->names, name, nlen, inst))
		return spec_why(f, SPEC_FAIL, "out of memory");
	return SPEC_PASS;
}

static int cmd_module(struct spec_file *f, const struct spec_json *c)
{
	size_t nlen;
	const char *name = spec_json_str(c, "name", &nlen);

	f->cur = NULL;
	f->cur_skip[0] = 0;
	if (is_text_module(c) && !f->script)
		return spec_why(f, SPEC_SKIP, "text format");
	return instantiate_cmd(f, c, name, nlen, is_definition(c));
}

/* "module instance $I $M": a new instance of definition $M. */
static int cmd_module_instance(struct spec_file *f, const struct spec_json *c)
{
	size_t nlen, mlen;
	const char *name = spec_json_str(c, "name", &nlen);
	const char *mod = spec_json_str(c, "module", &mlen);

	f->cur = NULL;
	f->cur_skip[0] = 0;
	for (size_t i = f->ndefs; mod && i-- > 0;)
		if (f->defs[i].name && f->defs[i].len == mlen &&
		    memcmp(f->defs[i].name, mod, mlen) == 0)
			return instantiate_cmd(f, f->defs[i].cmd, name, nlen,
			                       false);
	if (skipped_module(f, mod, mlen)) {
		snprintf(f->cur_skip, sizeof(f->cur_skip), "%.95s", f->why);
		skipped_add(f, name, nlen, f->why);
		return SPEC_SKIP;
	}
	return spec_why(f, SPEC_FAIL, "no module definition %s",
	                mod ? mod : "given");
}

static int cmd_register(struct spec_file *f, const struct spec_json *c)
{
	size_t alen, nlen;
	const char *as = spec_json_str(c, "as", &alen);
	const char *name = spec_json_str(c, "name", &nlen);
	struct vm_instance *inst = f->cur;

	if (!as)
		return spec_why(f, SPEC_FAIL, "missing \"as\"");
	if (name)
		inst = spec_lookup(&f->names, name, nlen);
	if (!inst && skipped_module(f, name, nlen)) {
		skipped_add(f, as, alen, f->why);
		return SPEC_SKIP;
	}
	if (!inst)
		return spec_why(f, SPEC_FAIL, "no module %s",
		                name ? name : "defined");
	if (spec_bind(&f->regs, as, alen, inst))
		return spec_why(f, SPEC_FAIL, "out of memory");
	return SPEC_PASS;
}

/*
 * Our message without what we add around the reason: a "NAME:LINE:COL: "
 * prefix (text errors) and a " (at offset ...)" or " (function N, ...)"
 * suffix. Into 'out' ('cap' bytes).
 */
static void core_message(const char *msg, char *out, size_t cap)
{
	const char *p = msg, *colon;
	size_t n;

	/* "file.wast:1:18: unexpected token": skip three colons' worth. */
	colon = strstr(p, ": ");
	if (colon != NULL && strchr(p, ':') < colon &&
	    (colon[-1] >= '0' && colon[-1] <= '9'))
		p = colon + 2;
	n = strlen(p);
	for (const char *q = p; *q; q++)
		if (q[0] == ' ' && q[1] == '(') {
			n = (size_t)(q - p);
			break;
		}
	if (n >= cap)
		n = cap - 1;
	memcpy(out, p, n);
	out[n] = 0;
}

/*
 * Whether our rejection message 'got' gives the reason the suite names
 * ('want') in other words. Only these count as the same reason:
 *  - our message is the start of the suite's, which adds detail ("illegal
 *    opcode" for "illegal opcode ff", "unknown operator" for "unknown
 *    operator get_local", "type mismatch" for "type mismatch: instruction
 *    requires [i32] but stack has []");
 *  - a synonym of the table below, where the two wordings name one rule.
 * Anything else is a rejection for another reason: not a pass.
 */
static bool same_reason(const char *want, const char *got)
{
	static const char *const synonyms[][2] = {
	    /* global.set of an immutable global: the validator's one rule */
	    {"immutable global", "global is immutable"},
	    /* text: a token that is no keyword, literal or name where one
	     * is needed ("nan:1", "anyfunc", data"a"); the reference lexer
	     * calls the same token an unknown operator */
	    {"unknown operator", "unexpected token"},
	};
	char core[256];
	size_t n;

	core_message(got, core, sizeof core);
	n = strlen(core);
	if (n >= 8 && strncmp(want, core, n) == 0 &&
	    (want[n] == 0 || want[n] == ' ' || want[n] == ':'))
		return true;
	for (size_t i = 0; i < sizeof synonyms / sizeof synonyms[0]; i++)
		if (strstr(want, synonyms[i][0]) && strstr(core, synonyms[i][1]))
			return true;
	return false;
}

/*
 * A rejection with a message: a pass when it is the expected one (or
 * the same reason in other words: noted, -v lists it), otherwise a skip
 * that says so, never a pass. 'stage' names who rejected the module.
 */
static int rejected_why(struct spec_file *f, const char *text,
                        const char *msg, const char *stage)
{
	if (strstr(msg, text))
		return SPEC_PASS;
	if (same_reason(text, msg)) {
		spec_note(f, text, msg);
		return SPEC_PASS;
	}
	return spec_why(f, SPEC_SKIP,
	                "rejected for another reason (by the %s): expected "
	                "\"%s\", got \"%s\"",
	                stage, text, msg);
}

/*
 * assert_malformed / assert_invalid: the module must be rejected by the
 * decoder (malformed; or the text parser), or by the validator (invalid),
 * for the reason the suite gives (rejected_why). An invalid module the
 * decoder already rejects passes only with the expected message.
 */
static int cmd_rejected(struct spec_file *f, const struct spec_json *c,
                        bool malformed)
{
	const char *text = spec_json_str(c, "text", NULL);
	const char *terr = spec_text_error(f, c);
	struct wasm_module *m;
	struct diag d;
	int rc;

	if (is_text_module(c) && !f->script)
		return spec_why(f, SPEC_SKIP, "text format");
	if (!text)
		return spec_why(f, SPEC_FAIL, "missing \"text\"");
	if (terr && malformed)
		return rejected_why(f, text, terr, "text parser");
	if (terr)
		return spec_why(f, SPEC_FAIL, "text: %s", terr);
	if (malformed && is_text_module(c))
		return spec_why(
		    f, SPEC_FAIL,
		    "text accepted by the text parser, expected \"%s\"", text);
	rc = spec_load(f, c, &m, &d);
	if (rc == 0) {
		wasm_module_free(m);
		return spec_why(f, SPEC_FAIL,
		                "module accepted, expected \"%s\"", text);
	}
	if (rc == WX_EINVALID && malformed)
		return spec_why(f, SPEC_FAIL,
		                "decoded, then rejected by the validator "
		                "(%s), expected decode error \"%s\"",
		                d.msg, text);
	if (rc != WX_EMALFORMED && rc != WX_EINVALID)
		return spec_why(f, SPEC_FAIL, "%s: %s", rc_name(rc), d.msg);
	if (!strstr(d.msg, text) && unsupported(f, c, d.msg) == SPEC_SKIP)
		return SPEC_SKIP;
	return rejected_why(f, text, d.msg,
	                    rc == WX_EMALFORMED ? "decoder" : "validator");
}

/*
 * assert_unlinkable (want WX_ELINK, message only noted), and
 * assert_uninstantiable / assert_trap on a module (want WX_ETRAP with the
 * message): the module is valid and instantiation must fail that way.
 */
static int cmd_inst_fails(struct spec_file *f, const struct spec_json *c,
                          int want)
{
	const char *text = spec_json_str(c, "text", NULL);
	struct wasm_module *m;
	struct vm_instance *inst;
	struct diag d;
	int rc;

	if (is_text_module(c) && !f->script)
		return spec_why(f, SPEC_SKIP, "text format");
	if (!text)
		return spec_why(f, SPEC_FAIL, "missing \"text\"");
	if (spec_text_error(f, c))
		return spec_why(f, SPEC_FAIL, "text: %s",
		                spec_text_error(f, c));
	rc = spec_load(f, c, &m, &d);
	if (rc && unsupported(f, c, d.msg) == SPEC_SKIP) {
		spec_taint_imports(f, c, f->why);
		return SPEC_SKIP;
	}
	if (rc)
		return spec_why(f, SPEC_FAIL,
		                "%s: %s, expected \"%s\" at instantiation",
		                rc_name(rc), d.msg, text);
	rc = spec_instantiate(f, m, &inst, &d);
	if (rc && rc != want && imports_skipped(f, m))
		return SPEC_SKIP;
	if (rc == 0)
		return spec_why(f, SPEC_FAIL,
		                "instantiated, expected %s \"%s\"",
		                rc_name(want), text);
	if (rc != want)
		return spec_why(f, SPEC_FAIL, "%s (%s), expected %s \"%s\"",
		                rc_name(rc), d.msg, rc_name(want), text);
	if (!strstr(d.msg, text)) {
		if (want == WX_ETRAP)
			return spec_why(f, SPEC_FAIL,
			                "trapped with \"%s\", expected \"%s\"",
			                d.msg, text);
		spec_note(f, text, d.msg);
	}
	return SPEC_PASS;
}

int spec_cmd_run(struct spec_file *f, const struct spec_json *c)
{
	const char *t = f->cmd;

	if (strcmp(t, "module") == 0)
		return cmd_module(f, c);
	if (strcmp(t, "register") == 0)
		return cmd_register(f, c);
	if (strcmp(t, "module_instance") == 0)
		return cmd_module_instance(f, c);
	if (strcmp(t, "action") == 0)
		return cmd_action(f, c);
	if (strcmp(t, "assert_return") == 0)
		return cmd_assert_return(f, c);
	if (strcmp(t, "assert_trap") == 0)
		return spec_json_get(c, "action")
		           ? cmd_action_trap(f, c)
		           : cmd_inst_fails(f, c, WX_ETRAP);
	if (strcmp(t, "assert_exhaustion") == 0 ||
	    strcmp(t, "assert_exception") == 0)
		return cmd_action_trap(f, c);
	if (strcmp(t, "assert_malformed") == 0)
		return cmd_rejected(f, c, true);
	if (strcmp(t, "assert_invalid") == 0)
		return cmd_rejected(f, c, false);
	if (strcmp(t, "assert_unlinkable") == 0)
		return cmd_inst_fails(f, c, WX_ELINK);
	if (strcmp(t, "assert_uninstantiable") == 0)
		return cmd_inst_fails(f, c, WX_ETRAP);
	return spec_why(f, SPEC_FAIL, "unknown command type");
}
