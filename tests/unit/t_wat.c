/*
 * t_wat.c: unit tests of the text front end (src/wat/): exact bytes for
 * literals, strings, abbreviations and implicit types; error messages
 * with their line and column; the nesting cap; scripts to JSON.
 *
 * Prints one line per failed check and "t_wat: N passed, M failed";
 * exits non-zero if any check failed.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "t_check.h"
#include "wat/wat.h"

#define HDR "\0asm\1\0\0\0"

/* Converts 'text'; true if it gives exactly the 'n' bytes 'want'. */
static bool gives(const char *text, const char *want, size_t n)
{
	uint8_t *out = NULL;
	size_t len = 0;
	struct diag d;

	diag_clear(&d);
	if (wat_to_wasm("t.wat", text, strlen(text), &out, &len, &d) != 0) {
		printf("  unexpected error: %s\n", d.msg);
		return false;
	}
	bool ok = len == n && memcmp(out, want, n) == 0;
	if (!ok) {
		printf("  got %zu bytes:", len);
		for (size_t i = 0; i < len; i++)
			printf(" %02x", out[i]);
		printf("\n");
	}
	wx_free(out);
	return ok;
}

/* Converts 'text'; true if it fails with message 'msg' exactly. */
static bool fails(const char *text, const char *msg)
{
	uint8_t *out = NULL;
	size_t len = 0;
	struct diag d;

	diag_clear(&d);
	if (wat_to_wasm("t.wat", text, strlen(text), &out, &len, &d) == 0) {
		wx_free(out);
		printf("  accepted: %s\n", text);
		return false;
	}
	if (strcmp(d.msg, msg) != 0) {
		printf("  message \"%s\", want \"%s\"\n", d.msg, msg);
		return false;
	}
	return true;
}

#define GIVES(text, bytes) CHECK(gives(text, bytes, sizeof(bytes) - 1))

/* A function () -> i32 whose body is 'body' (n bytes, without end). */
#define FN_I32(body)                                                           \
	HDR "\1\5\1\x60\0\1\x7f"                                               \
	    "\3\2\1\0"                                                         \
	    "\12" body

static void test_literals(void)
{
	/* i32.const -1 with underscores and hex: 0x41 0x7f */
	GIVES("(func (result i32) (i32.const -0x0_1))",
	      FN_I32("\6\1\4\0\x41\x7f\x0b"));
	/* the largest unsigned i32 is -1 too */
	GIVES("(func (result i32) (i32.const 4_294_967_295))",
	      FN_I32("\6\1\4\0\x41\x7f\x0b"));
	CHECK(fails("(func (result i32) (i32.const 4294967296))",
	            "t.wat:1:31: i32 constant out of range"));
	CHECK(fails("(func (result i32) (i32.const 1__0))",
	            "t.wat:1:31: unknown operator"));
	/* hex float 0x1.8p1 = 3.0 = 0x40400000 */
	GIVES("(func (result f32) (f32.const 0x1.8p1))", HDR
	      "\1\5\1\x60\0\1\x7d\3\2\1\0\12\x09\1\7\0\x43\0\0\x40\x40\x0b");
	/* nan:0x200000 with a sign: 0xffa00000 */
	GIVES("(func (result f32) (f32.const -nan:0x20_0000))", HDR
	      "\1\5\1\x60\0\1\x7d\3\2\1\0\12\x09\1\7\0\x43\0\0\xa0\xff\x0b");
	GIVES("(func (result f32) (f32.const inf))", HDR
	      "\1\5\1\x60\0\1\x7d\3\2\1\0\12\x09\1\7\0\x43\0\0\x80\x7f\x0b");
	CHECK(fails("(func (result f32) (f32.const nan:0x80_0000))",
	            "t.wat:1:31: constant out of range"));
	CHECK(fails("(func (result f32) (f32.const 1e39))",
	            "t.wat:1:31: constant out of range"));
}

static void test_strings(void)
{
	/* every escape: \t \n \r \" \' \\ \41 \u{e9} */
	GIVES("(memory 1) (data (i32.const 0) "
	      "\"\\t\\n\\r\\\"\\'\\\\\\41\\u{e9}\")",
	      HDR "\5\3\1\0\1"
	          "\13\17\1\0\x41\0\x0b\11\t\n\r\"'\\A\xc3\xa9");
	CHECK(fails("(memory 1) (data (i32.const 0) \"\\q\")",
	            "t.wat:1:33: illegal escape"));
	CHECK(fails("(memory 1) (data (i32.const 0) \"abc",
	            "t.wat:1:32: unclosed string"));
	CHECK(fails("(func (export \"\\ff\"))",
	            "t.wat:1:15: malformed UTF-8 encoding"));
}

static void test_comments(void)
{
	GIVES("(; a (; nested ;) comment ;) (module ;; line\n (@other \"x\" "
	      "(y)))",
	      HDR);
	CHECK(fails("(module (; open", "t.wat:1:9: unclosed comment"));
	CHECK(fails("(module (@) )", "t.wat:1:9: empty annotation id"));
}

/* (@custom ...): custom sections where they are placed, in order. */
static void test_custom(void)
{
	GIVES("(module (@custom \"x\" \"a\" \"b\"))", HDR "\0\4\1xab");
	GIVES("(memory 1) (@custom \"z\" \"\") "
	      "(@custom \"c\" (before first) \"\") "
	      "(@custom \"m\" (after memory) \"\\01\") "
	      "(@custom \"d\" (before data) \"\")",
	      HDR "\0\2\1c"
	          "\5\3\1\0\1"
	          "\0\3\1m\1"
	          "\0\2\1d"
	          "\0\2\1z");
	/* Inside a function it is an annotation like any other: dropped. */
	GIVES("(func (@custom \"x\" \"a\"))", HDR "\1\4\1\x60\0\0"
	                                          "\3\2\1\0"
	                                          "\12\4\1\2\0\x0b");
	CHECK(fails("(module (@custom \"x\" (after nothing) \"\"))",
	            "t.wat:1:29: malformed annotation: unknown section in "
	            "custom placement"));
	CHECK(fails("(module (@custom \"x\" (y) \"\"))",
	            "t.wat:1:22: malformed annotation: custom placement is "
	            "(before ...) or (after ...)"));
}

static void test_abbreviations(void)
{
	/* inline export and import, implicit type shared by both */
	GIVES("(func $i (import \"m\" \"f\") (param i32)) (func (export \"e\") "
	      "(param i32))",
	      HDR "\1\5\1\x60\1\x7f\0"
	          "\2\7\1\1m\1f\0\0"
	          "\3\2\1\0"
	          "\7\5\1\1e\0\1"
	          "\12\4\1\2\0\x0b");
	/* memory with inline data: 1 page, active segment at 0 */
	GIVES("(memory (data \"hi\"))", HDR "\5\4\1\1\1\1"
	                                    "\13\10\1\0\x41\0\x0b\2hi");
	/* table with inline elem: funcref, min = max = 1, segment flag 0 */
	GIVES("(func $f) (table funcref (elem $f))",
	      HDR "\1\4\1\x60\0\0"
	          "\3\2\1\0"
	          "\4\5\1\x70\1\1\1"
	          "\11\7\1\0\x41\0\x0b\1\0"
	          "\12\4\1\2\0\x0b");
}

static void test_names(void)
{
	/* labels by name: br $outer from two blocks deep is br 1 */
	GIVES("(func (block $outer (block (br $outer))))",
	      HDR "\1\4\1\x60\0\0\3\2\1\0\12\14\1\12\0\2\x40\2\x40\x0c\1\x0b"
	          "\x0b\x0b");
	CHECK(fails("(func (br $nowhere))",
	            "t.wat:1:11: unknown label $nowhere"));
	CHECK(fails("(func $f) (func $f)", "t.wat:1:17: duplicate func $f"));
	CHECK(fails("(func (local $x i32) (local $x i32))",
	            "t.wat:1:29: duplicate local $x"));
	CHECK(fails("(func (block $a end $b))",
	            "t.wat:1:17: unexpected token \"end\""));
	CHECK(fails("(func block $a end $b)", "t.wat:1:20: mismatching label"));
	CHECK(fails("(type $t (func)) (func (type $t) (param i32))",
	            "t.wat:1:24: inline function type"));
	CHECK(fails("(func (i32.bogus))", "t.wat:1:8: unknown operator"));
	CHECK(fails("(func (drop (i32.load align=3 (i32.const 0))))",
	            "t.wat:1:23: alignment must be a power of two"));
}

static void test_limits(void)
{
	/* 5000 nested blocks: refused with a message, no stack overflow */
	size_t n = 5000;
	char *text = malloc(n * 7 + 16);
	CHECK(text != NULL);
	if (!text)
		return;
	strcpy(text, "(func ");
	for (size_t i = 0; i < n; i++)
		strcat(text + 6 + i * 6, "block ");
	strcat(text, ")");
	uint8_t *out;
	size_t len;
	struct diag d;
	diag_clear(&d);
	CHECK(wat_to_wasm("t.wat", text, strlen(text), &out, &len, &d) ==
	      WX_EMALFORMED);
	CHECK(strstr(d.msg, "nesting too deep") != NULL);
	free(text);
	diag_clear(&d);
	CHECK(wat_to_wasm("t.wat", "", 0, &out, &len, &d) == 0 && len == 8);
	if (d.set == 0)
		wx_free(out);
}

static void test_script(void)
{
	const char *w =
	    "(module $M (func (export \"f\") (result i32) (i32.const 7)))\n"
	    "(assert_return (invoke $M \"f\") (i32.const 7))\n"
	    "(assert_malformed (module quote \"(func (i32.bogus))\") \"unknown "
	    "operator\")\n";
	struct wast_script s;
	struct diag d;
	diag_clear(&d);
	CHECK(wast_to_json("t.wast", w, strlen(w), 0, &s, &d) == 0);
	if (d.set)
		return;
	CHECK(s.nmods == 2);
	CHECK(s.mods[0].bytes != NULL && s.mods[0].error == NULL);
	CHECK(s.mods[1].bytes == NULL && s.mods[1].error != NULL &&
	      strstr(s.mods[1].error, "unknown operator") != NULL);
	CHECK(strstr(s.json, "\"type\": \"assert_return\", \"line\": 2") !=
	      NULL);
	CHECK(strstr(s.json,
	             "\"expected\": [{\"type\": \"i32\", \"value\": \"7\"}]") !=
	      NULL);
	wast_script_free(&s);
}

int main(void)
{
	test_literals();
	test_strings();
	test_comments();
	test_custom();
	test_abbreviations();
	test_names();
	test_limits();
	test_script();
	return t_report("t_wat");
}
