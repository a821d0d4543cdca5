/*
 * t_simd.c: the SIMD instruction sets of this host agree. Every SIMD
 * instruction with only v128 operands and no immediates (v:v, vv:v,
 * vvv:v, v:i) and i8x16.shuffle runs through vm_op_simd on special and
 * random operands with each instruction set (vm_simd_select: "generic",
 * the portable code every host has, then "sse2" and "sse4.1" where the
 * CPU has them), and each result must equal the portable one bit for
 * bit, except that in a float lane two quiet NaNs are equal (the spec
 * leaves NaN payloads open; a signalling NaN result is an error).
 *
 * The operands mix random bits with the values where the forms differ
 * most: zeros of both signs, halves (ties), the edges of the integer
 * ranges in each float width, 2^23 and 2^52, infinities, quiet and
 * signalling NaNs, and the extreme lanes of each integer width.
 *
 * Also: host functions (vm_func_new_host, the API under WASI, WASIX and
 * the spec's "spectest") with v128 parameters and results among scalar
 * ones, called from wasm and calling back into it, their slot layout
 * (two slots per v128, low half first), and that a host function whose
 * type has two i64 where the import has a v128 is refused at link time.
 */
#include <math.h>
#include <string.h>

#include "base/base.h"
#include "t_check.h"
#include "vm/vm_code.h"
#include "vm/vm_simd.h"
#include "wat/wat.h"

#define TRIALS 3000

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const float f32_special[] = {
    0.0f,           -0.0f,         0.5f,          -0.5f,
    1.5f,           -1.5f,         2.5f,          -2.5f,
    1.0f,           -1.0f,         0.49999997f,   -0.7f,
    8388607.5f,     -8388607.5f,   8388608.0f,    -8388609.0f,
    16777215.0f,    2147483520.0f, 2147483648.0f, -2147483648.0f,
    -2147483904.0f, 4294967040.0f, 4294967296.0f, 1e10f,
    -1e10f,         1e-45f,        -1e-45f,       3.4028235e38f,
    INFINITY,       -INFINITY,     NAN,           -NAN,
};

static const double f64_special[] = {
    0.0,
    -0.0,
    0.5,
    -0.5,
    2.5,
    -2.5,
    -0.7,
    1.0000000000000002,
    4503599627370495.5,
    -4503599627370495.5,
    4503599627370496.0,
    4503599627370497.0,
    9007199254740993.0,
    2147483647.0,
    2147483647.9,
    2147483648.0,
    -2147483648.0,
    -2147483648.9,
    -2147483649.0,
    4294967295.0,
    4294967295.5,
    4294967296.0,
    1e300,
    -1e300,
    5e-324,
    3.4028235677973366e38,
    3.4028235677973366e38 * 1.0000001,
    1.401298464324817e-45,
    INFINITY,
    -INFINITY,
    NAN,
    -NAN,
};

static const uint32_t i32_special[] = {
    0,          1,          0x7f,       0x80,       0xff,       0x7fff,
    0x8000,     0xffff,     0x10000,    0x7fffffff, 0x80000000, 0x80000001,
    0xffffffff, 0xff80ff80, 0x7f807f80, 0x80008000, 0x7fff7fff, 0x00ff00ff,
    0xfffe0001, 0x7fc00000, 0x7fa00000, 0xffc00001, 0x4b000000, 0x4f000000,
};

/* One operand: each 64-bit half random or from the pools above. */
static v128 operand(void)
{
	v128 v;
	for (int h = 0; h < 2; h++) {
		uint64_t r = next();
		uint32_t lo, hi;
		switch (r % 6) {
		case 0:
			v.u64[h] = next();
			break;
		case 1: {
			double d =
			    f64_special[(r >> 8) % (sizeof f64_special /
			                            sizeof *f64_special)];
			memcpy(&v.u64[h], &d, 8);
			if ((r >> 20) % 8 == 0) /* a signalling NaN */
				v.u64[h] = 0x7ff4000000000000ull | (r >> 40);
			break;
		}
		case 2: {
			size_t n = sizeof f32_special / sizeof *f32_special;
			memcpy(&lo, &f32_special[(r >> 8) % n], 4);
			memcpy(&hi, &f32_special[(r >> 16) % n], 4);
			if ((r >> 24) % 8 == 0)
				lo = 0x7fa00000u | (uint32_t)(r >> 44);
			v.u64[h] = lo | (uint64_t)hi << 32;
			break;
		}
		case 3: {
			size_t n = sizeof i32_special / sizeof *i32_special;
			lo = i32_special[(r >> 8) % n];
			hi = i32_special[(r >> 16) % n];
			v.u64[h] = lo | (uint64_t)hi << 32;
			break;
		}
		case 4: /* small integers, as lane indices and counts */
			for (int i = 0; i < 8; i++)
				v.b[8 * h + i] =
				    (uint8_t)((r >> (8 * i)) % 40 - 4);
			break;
		default: /* extreme bytes */
			for (int i = 0; i < 8; i++) {
				static const uint8_t b[] = {
				    0, 1, 0x7f, 0x80, 0x81, 0xfe, 0xff};
				v.b[8 * h + i] = b[(r >> (4 * i)) % 7];
			}
			break;
		}
	}
	return v;
}

/* Result lanes as floats: 4 for f32x4.*, 8 for f64x2.*, else 0. */
static int float_lanes(unsigned op)
{
	const char *name = wasm_op_name((enum wasm_opcode)op);
	if (strncmp(name, "f32x4.", 6) == 0)
		return 4;
	if (strncmp(name, "f64x2.", 6) == 0)
		return 8;
	return 0;
}

static bool quiet_nan(const uint8_t *p, int width)
{
	if (width == 4) {
		uint32_t x;
		memcpy(&x, p, 4);
		return (x & 0x7fc00000u) == 0x7fc00000u;
	}
	uint64_t x;
	memcpy(&x, p, 8);
	return (x & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
}

static bool same(unsigned op, const v128 *a, const v128 *b)
{
	int w = float_lanes(op);
	if (w == 0)
		return memcmp(a, b, 16) == 0;
	for (int i = 0; i < 16; i += w) {
		if (memcmp(a->b + i, b->b + i, (size_t)w) == 0)
			continue;
		if (!quiet_nan(a->b + i, w) || !quiet_nan(b->b + i, w))
			return false;
	}
	return true;
}

/* Runs 'op' on x, y, z (as many as it takes) with the current set. */
static v128 run(unsigned op, v128 x, v128 y, v128 z, const uint8_t *lanes)
{
	uint64_t fp[8] = {0};
	uint32_t pc[2 + 4 + 4];
	unsigned nc = 0;
	size_t n = 0;

	v128_put(fp + 2, x);
	v128_put(fp + 4, y);
	v128_put(fp + 6, z);
	pc[n++] = VMOP_SIMD;
	pc[n++] = op;
	pc[n++] = 0; /* dst */
	pc[n++] = 2;
	pc[n++] = 4;
	pc[n++] = 6;
	if (lanes != NULL) {
		n--; /* shuffle: [dst][a][b][16 lane bytes] */
		memcpy(pc + n, lanes, 16);
		n += 4;
	}
	pc[1] |= (uint32_t)(n + 1) << 20;
	const char *msg = vm_op_simd(NULL, fp, pc, &nc);
	if (msg != NULL || nc != n + 1)
		printf("%s: %s\n", wasm_op_name((enum wasm_opcode)op),
		       msg ? msg : "bad length");
	return v128_get(fp);
}

/* The instructions under test: v128 operands only, no immediates. */
static bool testable(unsigned op)
{
	const char *sig = wasm_op_sig((enum wasm_opcode)op);
	const char *name = wasm_op_name((enum wasm_opcode)op);
	if (op == WASM_OP_I8X16_SHUFFLE)
		return true;
	if (name == NULL || sig == NULL ||
	    wasm_op_imm((enum wasm_opcode)op) != WASM_IMM_NONE)
		return false;
	return strcmp(sig, "v:v") == 0 || strcmp(sig, "vv:v") == 0 ||
	       strcmp(sig, "vvv:v") == 0 || strcmp(sig, "v:i") == 0;
}

/* Compares set 'isa' with the portable code; returns the ops tried. */
static unsigned compare_with(const char *isa)
{
	unsigned nops = 0, bad_ops = 0;

	for (unsigned op = 0; op < WASM_OP_COUNT_; op++) {
		if (!testable(op))
			continue;
		nops++;
		unsigned bad = 0;
		for (int t = 0; t < TRIALS; t++) {
			v128 x = operand(), y = operand(), z = operand(), g, s;
			uint8_t lanes[16];
			for (int i = 0; i < 16; i++)
				lanes[i] = (uint8_t)(next() % 32);
			const uint8_t *l =
			    op == WASM_OP_I8X16_SHUFFLE ? lanes : NULL;
			vm_simd_select("generic");
			g = run(op, x, y, z, l);
			vm_simd_select(isa);
			s = run(op, x, y, z, l);
			if (!same(op, &g, &s) && bad++ == 0)
				printf("%s %s: x=%016llx%016llx "
				       "y=%016llx%016llx: generic "
				       "%016llx%016llx, %s %016llx%016llx\n",
				       isa, wasm_op_name((enum wasm_opcode)op),
				       (unsigned long long)x.u64[1],
				       (unsigned long long)x.u64[0],
				       (unsigned long long)y.u64[1],
				       (unsigned long long)y.u64[0],
				       (unsigned long long)g.u64[1],
				       (unsigned long long)g.u64[0], isa,
				       (unsigned long long)s.u64[1],
				       (unsigned long long)s.u64[0]);
		}
		bad_ops += bad != 0;
	}
	CHECK(bad_ops == 0);
	return nops;
}

/* ---- host functions with v128 ---------------------------------------- */

static const char host_wat[] =
    "(module\n"
    "  (import \"env\" \"mix\" (func $mix (param i32 v128 i64 v128)\n"
    "    (result v128 i32 v128)))\n"
    "  (import \"env\" \"twice\" (func $twice (param v128) (result v128)))\n"
    "  (func (export \"run\") (param v128 v128) (result v128 i32 v128)\n"
    "    (call $mix (i32.const 7) (local.get 0) (i64.const -2)\n"
    "      (local.get 1)))\n"
    "  (func (export \"chain\") (param v128) (result v128)\n"
    "    (i32x4.add (call $twice (i32x4.mul (local.get 0)\n"
    "      (v128.const i32x4 3 3 3 3))) (v128.const i32x4 1 1 1 1)))\n"
    "  (func (export \"lanes\") (param v128) (result v128)\n"
    "    (i8x16.swizzle (local.get 0)\n"
    "      (v128.const i8x16 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1 99))))\n";

struct host_fx {
	struct vm_store *store;
	struct vm_func *mix, *twice;
	uint64_t seen[6]; /* what mix received */
};

/* (i32 a, v128 x, i64 b, v128 y) -> (y, a + b, x), recording its args. */
static int host_mix(struct vm_call *call, void *ud)
{
	struct host_fx *fx = ud;
	memcpy(fx->seen, call->args, sizeof fx->seen);
	call->results[0] = call->args[4];
	call->results[1] = call->args[5];
	call->results[2] =
	    (uint32_t)((uint32_t)call->args[0] + (uint32_t)call->args[3]);
	call->results[3] = call->args[1];
	call->results[4] = call->args[2];
	return 0;
}

/* v128 -> v128: the i32 lanes doubled, through the instance's "lanes"
 * export first (a wasm call from inside the host call). */
static int host_twice(struct vm_call *call, void *ud)
{
	struct host_fx *fx = ud;
	struct vm_extern e;
	struct diag d = {0};
	uint64_t r[2];
	v128 v;

	if (vm_instance_export(call->caller, "lanes", 5, &e) != WX_OK)
		return vm_call_trap(call, "no lanes");
	int rc = vm_invoke(fx->store, e.u.func, call->args, r, NULL, &d);
	if (rc != WX_OK)
		return rc;
	/* "lanes" reversed the bytes, byte 15 zeroed: reverse them back */
	v = v128_get(r);
	for (int i = 0; i < 16; i++)
		((uint8_t *)call->results)[i] = i == 0 ? 0 : v.b[15 - i];
	v = v128_get(call->results);
	v.u32 = v.u32 * 2;
	v128_put(call->results, v);
	return 0;
}

static int host_resolve(void *ud, const struct wasm_import *imp,
                        struct vm_extern *out)
{
	struct host_fx *fx = ud;

	out->kind = WASM_EXT_FUNC;
	if (imp->name_len == 3 && memcmp(imp->name, "mix", 3) == 0)
		out->u.func = fx->mix;
	else if (imp->name_len == 5 && memcmp(imp->name, "twice", 5) == 0)
		out->u.func = fx->twice;
	else
		return 1;
	return 0;
}

static void test_host_v128(void)
{
	static const uint32_t mix_sig[] = {WASM_I32,  WASM_V128, WASM_I64,
	                                   WASM_V128, WASM_V128, WASM_I32,
	                                   WASM_V128};
	static const uint32_t twice_sig[] = {WASM_V128, WASM_V128};
	static const uint32_t wrong_sig[] = {WASM_I64, WASM_I64, WASM_V128};
	struct wasm_functype mix_t = {4, 3, (uint32_t *)mix_sig};
	struct wasm_functype twice_t = {1, 1, (uint32_t *)twice_sig};
	struct wasm_functype wrong_t = {2, 1, (uint32_t *)wrong_sig};
	struct host_fx fx = {0};
	struct wasm_module *m = NULL;
	struct vm_instance *inst = NULL;
	struct vm_extern e;
	struct diag d = {0};
	uint8_t *bin = NULL;
	size_t len = 0;

	CHECK(wat_to_wasm("host", host_wat, sizeof host_wat - 1, &bin, &len,
	                  &d) == WX_OK);
	CHECK(bin != NULL && wasm_decode(bin, len, NULL, &m, &d) == WX_OK &&
	      wasm_validate(m, &d) == WX_OK);
	wx_free(bin);
	if (m == NULL) {
		printf("host module: %s\n", d.msg);
		return;
	}
	struct vm_config cfg;
	vm_config_default(&cfg);
	fx.store = vm_store_new(&cfg);
	fx.mix = vm_func_new_host(fx.store, &mix_t, host_mix, &fx);
	fx.twice = vm_func_new_host(fx.store, &twice_t, host_twice, &fx);
	CHECK(vm_instantiate(fx.store, m, host_resolve, &fx, &inst, &d) ==
	      WX_OK);

	/* run(x, y): mix gets (7, x, -2, y) in 6 slots, returns (y, 5, x) */
	uint64_t args[4] = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull,
	                    0x1716151413121110ull, 0x1f1e1d1c1b1a1918ull};
	uint64_t res[5] = {0};
	CHECK(vm_instance_export(inst, "run", 3, &e) == WX_OK);
	CHECK(vm_invoke(fx.store, e.u.func, args, res, NULL, &d) == WX_OK);
	CHECK(fx.seen[0] == 7 && fx.seen[1] == args[0] &&
	      fx.seen[2] == args[1] && fx.seen[3] == (uint64_t)-2 &&
	      fx.seen[4] == args[2] && fx.seen[5] == args[3]);
	CHECK(res[0] == args[2] && res[1] == args[3] && (uint32_t)res[2] == 5 &&
	      res[3] == args[0] && res[4] == args[1]);

	/* chain(x) = twice(x * 3) + 1 per i32 lane, twice calling "lanes" */
	v128 x, r;
	x.i32 = (i32x4){1, -2, 0x10000000, 7};
	uint64_t xs[2], rs[2] = {0};
	v128_put(xs, x);
	CHECK(vm_instance_export(inst, "chain", 5, &e) == WX_OK);
	CHECK(vm_invoke(fx.store, e.u.func, xs, rs, NULL, &d) == WX_OK);
	r = v128_get(rs);
	/* "lanes" reverses the bytes but puts 0 (index 99) in byte 15, so
	 * the round trip loses byte 0: lane 0, 1 * 3, comes back 0. */
	CHECK(r.i32[0] == 1 && r.i32[1] == -11 && r.i32[2] == 0x60000001 &&
	      r.i32[3] == 43);

	/* two i64 are not a v128: refused when linking */
	struct vm_func *wrong =
	    vm_func_new_host(fx.store, &wrong_t, host_mix, &fx);
	struct vm_instance *inst2 = NULL;
	fx.mix = wrong;
	diag_clear(&d);
	CHECK(vm_instantiate(fx.store, m, host_resolve, &fx, &inst2, &d) ==
	      WX_ELINK);
	CHECK(strstr(d.msg, "incompatible import type") != NULL);

	vm_store_free(fx.store);
	wasm_module_free(m);
}

int main(void)
{
	test_host_v128();
	const char *best = vm_simd_isa_name();

	CHECK(vm_simd_select("avx-9000") == WX_EARG);
	CHECK(strcmp(vm_simd_isa_name(), best) == 0);
	CHECK(vm_simd_select("generic") == WX_OK);
	CHECK(strcmp(vm_simd_isa_name(), "generic") == 0);
#if VM_SIMD_X86
	/* Every x86-64 CPU has SSE2; SSE4.1 is checked where it is. */
	CHECK(strcmp(best, "generic") != 0);
	CHECK(vm_simd_select("sse2") == WX_OK);
	CHECK(compare_with("sse2") >= 200);
	if (vm_simd_select("sse4.1") == WX_OK)
		CHECK(compare_with("sse4.1") >= 200);
	else
		printf("t_simd: no SSE4.1 on this CPU, sse2 only\n");
#else
	CHECK(strcmp(best, "generic") == 0);
	CHECK(vm_simd_select("sse2") == WX_EARG);
#endif
	vm_simd_select(best);
	return t_report("t_simd");
}
