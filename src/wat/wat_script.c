/*
 * wat_script.c: .wast scripts: converts the commands of a script to the
 * JSON that wast2json writes (the spec runner's input), encoding every
 * module in memory.
 *
 * A module whose text does not parse (assert_malformed on "module quote")
 * does not end the script: its error is kept with it, and the script goes
 * on after its closing parenthesis.
 *
 * Keeps true: the JSON is valid whatever the names contain (every byte
 * below 0x20, '"' and '\\' is escaped); module i is "i.wasm".
 */
#include "wat/wat_impl.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct script {
	struct wat_ctx *c;
	struct wat_buf js;
	struct wast_script *out;
	size_t capmods;
	bool first;
};

static void js(struct script *s, const char *str)
{
	wat_put(s->c, &s->js, str, strlen(str));
}

static void jsf(struct script *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void jsf(struct script *s, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	wat_put(s->c, &s->js, buf,
	        n < (int)sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* A JSON string of 'n' bytes. */
static void jstr(struct script *s, const char *p, size_t n)
{
	wat_byte(s->c, &s->js, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];
		if (ch < 0x20 || ch == '"' || ch == '\\' || ch == 0x7f)
			jsf(s, "\\u%04x", ch);
		else
			wat_byte(s->c, &s->js, ch);
	}
	wat_byte(s->c, &s->js, '"');
}

static void jid(struct script *s, const char *key, const struct wat_token *id)
{
	char *tmp = wat_alloc(s->c, id->len + 1);
	tmp[0] = '$';
	memcpy(tmp + 1, id->s, id->len);
	jsf(s, ", \"%s\": ", key);
	jstr(s, tmp, id->len + 1);
}

static void begin_cmd(struct script *s, const char *type,
                      const struct wat_token *at)
{
	js(s, s->first ? "\n  {" : ",\n  {");
	s->first = false;
	jsf(s, "\"type\": \"%s\", \"line\": %u", type, (unsigned)at->line);
}

/* --- modules
 * ------------------------------------------------------------------ */

static size_t add_module(struct script *s)
{
	struct wast_script *o = s->out;
	if (o->nmods == s->capmods) {
		size_t cap = s->capmods ? s->capmods * 2 : 16;
		struct wast_module *v = realloc(o->mods, cap * sizeof *v);
		if (v == NULL)
			wat_oom(s->c);
		o->mods = v;
		s->capmods = cap;
	}
	memset(&o->mods[o->nmods], 0, sizeof o->mods[0]);
	return o->nmods++;
}

static void keep_bytes(struct script *s, size_t k, const struct wat_buf *b)
{
	uint8_t *p = malloc(b->n ? b->n : 1);
	if (p == NULL)
		wat_oom(s->c);
	if (b->n)
		memcpy(p, b->p, b->n);
	s->out->mods[k].bytes = p;
	s->out->mods[k].len = b->n;
}

static void keep_error(struct script *s, size_t k, const char *msg)
{
	char *e = strdup(msg);
	if (e == NULL)
		wat_oom(s->c);
	s->out->mods[k].error = e;
}

struct quoted {
	const char *text;
	size_t len;
	struct wat_buf out; /* in the caller's arena */
	struct wat_ctx *outer;
};

static void quoted_body(struct wat_ctx *c, void *arg)
{
	struct quoted *q = arg;
	struct wat_buf out = {0};
	wat_lex(c, q->text, q->len);
	wat_module_encode(c, !wat_at_field(c, "module"), &out);
	if (wat_cur(c)->kind != WT_EOF)
		wat_unexpected(c);
	wat_put(q->outer, &q->out, out.p, out.n);
}

/* "quote" "..."*: parses the text in a context of its own. */
static void quote_module(struct script *s, size_t k)
{
	struct wat_ctx *c = s->c;
	struct wat_buf text = {0};
	c->pos++;
	while (wat_cur(c)->kind == WT_STRING) {
		struct wat_token *t = wat_string(c);
		wat_put(c, &text, t->s, t->len);
	}
	struct wat_ctx q = {0};
	struct diag d;
	diag_clear(&d);
	q.name = c->name;
	q.flags = c->flags;
	q.diag = &d;
	struct quoted arg = {(const char *)text.p, text.n, {0}, c};
	if (text.p == NULL)
		arg.text = "";
	int rc = wat_guard(&q, quoted_body, &arg);
	if (rc == WX_ENOMEM)
		wat_oom(c);
	if (rc)
		keep_error(s, k, d.msg);
	else
		keep_bytes(s, k, &arg.out);
}

/* A text module, under an error exit of its own. */
static void text_module(struct script *s, size_t k, uint32_t start)
{
	struct wat_ctx *c = s->c;
	jmp_buf saved;
	struct diag *sd = c->diag, d;
	struct wat_buf out = {0};
	uint32_t end = c->t[start].match + 1;
	memcpy(saved, c->fail, sizeof saved);
	diag_clear(&d);
	c->diag = &d;
	c->pos = start;
	if (setjmp(c->fail) == 0) {
		wat_module_encode(c, false, &out);
		keep_bytes(s, k, &out);
	} else {
		if (c->err == WX_ENOMEM) {
			c->diag = sd;
			memcpy(c->fail, saved, sizeof saved);
			wat_oom(c);
		}
		keep_error(s, k, d.msg);
	}
	memcpy(c->fail, saved, sizeof saved);
	c->diag = sd;
	c->err = 0;
	c->pos = end;
}

/*
 * "(module ...)" at c->pos: encodes it, writes ', "filename": ...' and
 * module_type, and the name if 'name_out' wants it. Returns past ')'.
 */
static void module_cmd(struct script *s, bool with_name)
{
	struct wat_ctx *c = s->c;
	uint32_t start = c->pos, end = wat_cur(c)->match + 1;
	c->pos += 2;
	bool def = wat_is_kw(wat_cur(c), "definition");
	if (def)
		c->pos++;
	struct wat_token *id = wat_opt_id(c);
	size_t k = add_module(s);
	bool text = true;
	if (wat_is_kw(wat_cur(c), "binary")) {
		struct wat_buf b = {0};
		c->pos++;
		while (wat_cur(c)->kind == WT_STRING) {
			struct wat_token *t = wat_string(c);
			wat_put(c, &b, t->s, t->len);
		}
		keep_bytes(s, k, &b);
		text = false;
	} else if (wat_is_kw(wat_cur(c), "quote")) {
		quote_module(s, k);
	} else {
		text_module(s, k, start);
	}
	if (with_name && id)
		jid(s, "name", id);
	jsf(s, ", \"filename\": \"%zu.wasm\", \"module_type\": \"%s\"", k,
	    text ? "text" : "binary");
	if (def)
		js(s, ", \"definition\": true");
	c->pos = end;
}

/* "(module instance $I? $M?)" */
static bool module_instance(struct script *s, const struct wat_token *at)
{
	struct wat_ctx *c = s->c;
	if (!wat_is_kw(wat_peek(c, 2), "instance"))
		return false;
	uint32_t end = wat_cur(c)->match + 1;
	c->pos += 3;
	struct wat_token *inst = wat_opt_id(c), *mod = wat_opt_id(c);
	if (inst && !mod) {
		mod = inst;
		inst = NULL;
	}
	begin_cmd(s, "module_instance", at);
	if (inst)
		jid(s, "name", inst);
	if (mod)
		jid(s, "module", mod);
	js(s, "}");
	if (c->pos != end - 1)
		wat_unexpected(c);
	c->pos = end;
	return true;
}

/* --- values
 * --------------------------------------------------------------------- */

static void num_value(struct script *s, const char *type, uint64_t v)
{
	jsf(s, "{\"type\": \"%s\", \"value\": \"%" PRIu64 "\"}", type, v);
}

static bool nan_pattern(struct wat_ctx *c, char *buf)
{
	struct wat_token *tk = wat_cur(c);
	if (wat_is_kw(tk, "nan:canonical") || wat_is_kw(tk, "nan:arithmetic")) {
		memcpy(buf, tk->s, tk->len);
		buf[tk->len] = 0;
		c->pos++;
		return true;
	}
	return false;
}

static void v128_value(struct script *s)
{
	struct wat_ctx *c = s->c;
	static const struct {
		const char *shape, *lane;
		unsigned n, bits;
	} shapes[] = {{"i8x16", "i8", 16, 8},  {"i16x8", "i16", 8, 16},
	              {"i32x4", "i32", 4, 32}, {"i64x2", "i64", 2, 64},
	              {"f32x4", "f32", 4, 32}, {"f64x2", "f64", 2, 64}};
	for (size_t i = 0; i < WX_ARRAY_LEN(shapes); i++) {
		if (!wat_is_kw(wat_cur(c), shapes[i].shape))
			continue;
		c->pos++;
		jsf(s,
		    "{\"type\": \"v128\", \"lane_type\": \"%s\", \"value\": [",
		    shapes[i].lane);
		for (unsigned l = 0; l < shapes[i].n; l++) {
			char pat[32];
			uint64_t v;
			js(s, l ? ", " : "");
			if (shapes[i].lane[0] == 'f' && nan_pattern(c, pat)) {
				jsf(s, "\"%s\"", pat);
				continue;
			}
			struct wat_token *tk = wat_cur(c);
			if (shapes[i].lane[0] == 'f')
				v = shapes[i].bits == 32 ? wat_parse_f32(c, tk)
				                         : wat_parse_f64(c, tk);
			else
				v = wat_parse_int(c, tk, shapes[i].bits);
			c->pos++;
			jsf(s, "\"%" PRIu64 "\"", v);
		}
		js(s, "]}");
		return;
	}
	wat_unexpected(c);
}

/* The JSON type of a reference to heap type 'tk'. */
static const char *ref_type_name(const struct wat_token *tk)
{
	if (wat_is_kw(tk, "func") || wat_is_kw(tk, "nofunc"))
		return "funcref";
	if (wat_is_kw(tk, "extern") || wat_is_kw(tk, "noextern"))
		return "externref";
	if (wat_is_kw(tk, "exn") || wat_is_kw(tk, "noexn"))
		return "exnref";
	return "anyref";
}

/* One value "(i32.const 1)", "(ref.null func)", ...; 'result' allows
 * patterns (nan:canonical, ref.func without index, either). */
static void value(struct script *s, bool result)
{
	struct wat_ctx *c = s->c;
	wat_expect_lpar(c);
	struct wat_token *kw = wat_cur(c);
	char pat[32];
	c->pos++;
	if (wat_is_kw(kw, "i32.const")) {
		num_value(s, "i32", wat_parse_int(c, wat_cur(c), 32));
		c->pos++;
	} else if (wat_is_kw(kw, "i64.const")) {
		num_value(s, "i64", wat_parse_int(c, wat_cur(c), 64));
		c->pos++;
	} else if ((wat_is_kw(kw, "f32.const") || wat_is_kw(kw, "f64.const")) &&
	           result && nan_pattern(c, pat)) {
		jsf(s, "{\"type\": \"%.3s\", \"value\": \"%s\"}", kw->s, pat);
	} else if (wat_is_kw(kw, "f32.const")) {
		num_value(s, "f32", wat_parse_f32(c, wat_cur(c)));
		c->pos++;
	} else if (wat_is_kw(kw, "f64.const")) {
		num_value(s, "f64", wat_parse_f64(c, wat_cur(c)));
		c->pos++;
	} else if (wat_is_kw(kw, "v128.const")) {
		v128_value(s);
	} else if (wat_is_kw(kw, "ref.null")) {
		if (wat_cur(c)->kind == WT_RPAR) {
			js(s, "{\"type\": \"refnull\", \"value\": \"null\"}");
		} else {
			jsf(s, "{\"type\": \"%s\", \"value\": \"null\"}",
			    ref_type_name(wat_cur(c)));
			c->pos++;
		}
	} else if (wat_is_kw(kw, "ref.extern") || wat_is_kw(kw, "ref.host")) {
		if (wat_cur(c)->kind == WT_RPAR && result) {
			js(s, "{\"type\": \"externref\"}");
		} else {
			num_value(s, "externref",
			          wat_parse_uint(c, wat_cur(c), 32));
			c->pos++;
		}
	} else if (result && wat_is_kw(kw, "either")) {
		js(s, "{\"type\": \"either\", \"values\": [");
		for (bool first = true; wat_cur(c)->kind == WT_LPAR;
		     first = false) {
			js(s, first ? "" : ", ");
			value(s, true);
		}
		js(s, "]}");
	} else if (result && kw->kind == WT_KEYWORD && kw->len > 4 &&
	           memcmp(kw->s, "ref.", 4) == 0) {
		/* ref.func, ref.any, ref.eq, ref.i31, ref.struct, ...: any
		 * non-null */
		jsf(s, "{\"type\": \"%s\"}",
		    wat_is_kw(kw, "ref.func")  ? "funcref"
		    : wat_is_kw(kw, "ref.exn") ? "exnref"
		                               : "anyref");
		while (wat_cur(c)->kind != WT_RPAR &&
		       wat_cur(c)->kind != WT_EOF)
			c->pos++;
	} else {
		wat_fail(c, kw, "unknown operator");
	}
	wat_expect_rpar(c);
}

/* "(invoke $M? "name" value*)" or "(get $M? "name")". */
static void action(struct script *s)
{
	struct wat_ctx *c = s->c;
	wat_expect_lpar(c);
	struct wat_token *kw = wat_cur(c);
	bool invoke = wat_is_kw(kw, "invoke");
	if (!invoke && !wat_is_kw(kw, "get"))
		wat_unexpected(c);
	c->pos++;
	struct wat_token *mod = wat_opt_id(c);
	struct wat_token *name = wat_string(c);
	jsf(s, ", \"action\": {\"type\": \"%s\"", invoke ? "invoke" : "get");
	if (mod)
		jid(s, "module", mod);
	js(s, ", \"field\": ");
	jstr(s, name->s, name->len);
	if (invoke) {
		js(s, ", \"args\": [");
		for (bool first = true; wat_cur(c)->kind == WT_LPAR;
		     first = false) {
			js(s, first ? "" : ", ");
			value(s, false);
		}
		js(s, "]");
	}
	js(s, "}");
	wat_expect_rpar(c);
}

static void text_field(struct script *s)
{
	struct wat_token *t = wat_string(s->c);
	js(s, ", \"text\": ");
	jstr(s, t->s, t->len);
}

/* --- commands
 * ------------------------------------------------------------------- */

static void assert_return(struct script *s)
{
	struct wat_ctx *c = s->c;
	action(s);
	js(s, ", \"expected\": [");
	for (bool first = true; wat_cur(c)->kind == WT_LPAR; first = false) {
		js(s, first ? "" : ", ");
		value(s, true);
	}
	js(s, "]");
}

/* assert_trap: on an action, or (as wast2json) uninstantiable module. */
static void assert_with_module(struct script *s, const char *type,
                               const struct wat_token *at)
{
	struct wat_ctx *c = s->c;
	(void)at;
	if (wat_at_field(c, "module")) {
		begin_cmd(s, type, wat_cur(c));
		module_cmd(s, false);
		text_field(s);
		return;
	}
	begin_cmd(s, type, wat_cur(c));
	action(s);
	if (wat_cur(c)->kind == WT_STRING)
		text_field(s);
	js(s, ", \"expected\": []");
}

static void command(struct script *s)
{
	struct wat_ctx *c = s->c;
	struct wat_token *at = wat_cur(c);
	if (at->kind != WT_LPAR)
		wat_unexpected(c);
	struct wat_token *kw = wat_peek(c, 1);
	uint32_t end = at->match + 1;
	if (wat_is_kw(kw, "@custom")) { /* an annotation, not a command */
		c->pos = end;
		return;
	}
	if (wat_is_kw(kw, "module")) {
		if (module_instance(s, at))
			return;
		begin_cmd(s, "module", at);
		module_cmd(s, true);
		js(s, "}");
		return;
	}
	c->pos += 2;
	if (wat_is_kw(kw, "register")) {
		begin_cmd(s, "register", at);
		struct wat_token *as = wat_string(c), *id = wat_opt_id(c);
		if (id)
			jid(s, "name", id);
		js(s, ", \"as\": ");
		jstr(s, as->s, as->len);
	} else if (wat_is_kw(kw, "invoke") || wat_is_kw(kw, "get")) {
		c->pos -= 2;
		begin_cmd(s, "action", at);
		action(s);
		js(s, ", \"expected\": []}");
		c->pos = end;
		return;
	} else if (wat_is_kw(kw, "assert_return")) {
		begin_cmd(s, "assert_return", wat_cur(c));
		assert_return(s);
	} else if (wat_is_kw(kw, "assert_trap")) {
		assert_with_module(s,
		                   wat_at_field(c, "module")
		                       ? "assert_uninstantiable"
		                       : "assert_trap",
		                   at);
	} else if (wat_is_kw(kw, "assert_exhaustion") ||
	           wat_is_kw(kw, "assert_exception")) {
		char type[32];
		snprintf(type, sizeof type, "%.*s", (int)kw->len, kw->s);
		assert_with_module(s, type, at);
	} else if (wat_is_kw(kw, "assert_malformed") ||
	           wat_is_kw(kw, "assert_invalid") ||
	           wat_is_kw(kw, "assert_unlinkable") ||
	           wat_is_kw(kw, "assert_uninstantiable")) {
		char type[32];
		snprintf(type, sizeof type, "%.*s", (int)kw->len, kw->s);
		if (!wat_at_field(c, "module"))
			wat_unexpected(c);
		begin_cmd(s, type, wat_cur(c));
		module_cmd(s, false);
		text_field(s);
	} else {
		wat_fail(c, kw, "unknown command");
	}
	js(s, "}");
	if (wat_cur(c)->kind != WT_RPAR)
		wat_unexpected(c);
	c->pos = end;
}

static void script_body(struct wat_ctx *c, void *arg)
{
	struct script *s = arg;
	s->c = c;
	wat_lex(c, s->out->json, s->out->json_len); /* text, see wast_to_json */
	s->out->json = NULL;
	js(s, "{\"source_filename\": ");
	jstr(s, c->name, strlen(c->name));
	js(s, ",\n \"commands\": [");
	s->first = true;
	if (wat_cur(c)->kind == WT_LPAR &&
	    !wat_is_kw(wat_peek(c, 1), "module") &&
	    wat_peek(c, 1)->kind == WT_KEYWORD &&
	    !wat_is_kw(wat_peek(c, 1), "register") &&
	    strncmp(wat_peek(c, 1)->s, "assert_", 7) != 0 &&
	    !wat_is_kw(wat_peek(c, 1), "invoke") &&
	    !wat_is_kw(wat_peek(c, 1), "get")) {
		/* a bare module: its fields without "(module ...)" */
		size_t k = add_module(s);
		struct wat_buf out = {0};
		wat_module_encode(c, true, &out);
		keep_bytes(s, k, &out);
		begin_cmd(s, "module", &c->t[0]);
		jsf(s,
		    ", \"filename\": \"%zu.wasm\", \"module_type\": \"text\"}",
		    k);
	}
	while (wat_cur(c)->kind != WT_EOF)
		command(s);
	js(s, "]}\n");
	char *j = malloc(s->js.n + 1);
	if (j == NULL)
		wat_oom(c);
	memcpy(j, s->js.p, s->js.n);
	j[s->js.n] = 0;
	s->out->json = j;
	s->out->json_len = s->js.n;
}

int wast_to_json(const char *name, const char *text, size_t len, unsigned flags,
                 struct wast_script *out, struct diag *diag)
{
	struct wat_ctx c = {0};
	c.flags = flags;
	struct script s = {0};
	memset(out, 0, sizeof *out);
	c.name = name ? name : "script.wast";
	c.diag = diag;
	s.out = out;
	out->json = (char *)text; /* handed to script_body */
	out->json_len = len;
	int rc = wat_guard(&c, script_body, &s);
	if (rc != 0) {
		if (out->json == text)
			out->json = NULL;
		wast_script_free(out);
	}
	return rc;
}

void wast_script_free(struct wast_script *s)
{
	for (size_t i = 0; s->mods && i < s->nmods; i++) {
		free(s->mods[i].bytes);
		free(s->mods[i].error);
	}
	free(s->mods);
	free(s->json);
	memset(s, 0, sizeof *s);
}
