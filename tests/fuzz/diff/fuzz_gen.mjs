// fuzz_gen.mjs: a generator of random *valid* WebAssembly modules for the
// differential test (fuzz_diff.mjs). Written for wasmix; no dependencies.
//
//   genModule(seed) -> Uint8Array  (genModule(seed, { v8: true }): the
//                                   same module in node 20's encoding)
//   node fuzz_gen.mjs DIR FIRST COUNT   writes DIR/gen-SEED.wasm for COUNT
//                                       seeds from FIRST (fuzz_seed.sh)
//
// Every module has: a memory of 1 page (max 4) exported as "mem", with
// 64-bit addresses (memory64) in about a third of the modules; 1-4
// mutable globals (numbers or references) exported as "g0"..; up to three
// tables exported as "t0".. (0: funcref holding every function; maybe a
// small funcref table with its own active segment; maybe an externref
// table); passive, active and declarative element segments; passive and
// active data segments; 1-6 functions exported as "f0".. with 0-3 params
// and 0-2 results (multi-value, references included); sometimes a start
// function. Bodies are built from typed expressions and statements:
// integer and float arithmetic, comparisons, conversions (trapping and
// saturating), sign extension, loads and stores at random (sometimes
// out-of-bounds) addresses, memory.grow/size/fill/copy/init, data.drop,
// if/else, blocks, br/br_if/br_table carrying values, return and tail
// calls (return_call, return_call_indirect, return_call_ref), typed
// function references (call_ref of ref.func or ref.null $t, through
// ref.as_non_null, br_on_null or br_on_non_null), legacy exception handling
// (tags; try/catch/catch_all/rethrow/delegate, throw), counted
// loops, blocks, ifs and loops with a type index (multi-value params and
// results), select (untyped and typed, references too), direct calls,
// call_indirect through either funcref table (sometimes a wrong slot or
// type), ref.null/ref.func/ref.is_null, table.get/set/size/grow/fill/
// copy/init, elem.drop, atomics on the unshared memory (loads, stores,
// read-modify-write, cmpxchg, fence, notify, and rarely a wait, which
// traps), nop and unreachable. SIMD (fixed-width, not relaxed): v128
// values live in locals and expressions (never in params, results or
// globals, which JavaScript cannot pass) and reach the compared state
// through extract_lane, any_true/all_true/bitmask, v128.store and
// store_lane; see v128Expr.
//
// Keeps true:
//  - Every module validates (types are tracked while generating).
//  - Direct calls only go to earlier functions and every loop counts
//    down a fresh local from at most 8 each time its label is reached
//    (a loop with parameters carries its counter as the first one and
//    is targeted by its own back-edge only), so only call_indirect can
//    recurse (both engines then overflow their stack, or wasmix runs out
//    of fuel and the call is not compared).
//  - NaN bit patterns, which the specification leaves nondeterministic,
//    never become observable: a float is made canonical before it is
//    stored, reinterpreted, written to a global or used as copysign's
//    sign operand; every v128 made by a float lane operation has its NaN
//    lanes made canonical at once (v128Canon).

const I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c, V128 = 0x7b;
const VALTYPES = [I32, I64, F32, F64];

// SIMD sub-opcodes (after 0xfd), by what they need and give. Integer
// lane operations and float comparisons, conversions from integers and
// saturating truncations have deterministic bits; FLT_* results are made
// canonical (v128Canon) with the shape given.
const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const SIMD_BIN = [0x0e, ...range(0x23, 0x4c), 0x4e, 0x4f, 0x50, 0x51, 0x65,
	0x66, ...range(0x6e, 0x73), ...range(0x76, 0x79), 0x7b, 0x82, 0x85,
	0x86, ...range(0x8e, 0x93), ...range(0x95, 0x99), ...range(0x9b, 0x9f),
	0xae, 0xb1, ...range(0xb5, 0xba), ...range(0xbc, 0xbf), 0xce, 0xd1,
	...range(0xd5, 0xdf)];
const SIMD_UN = [0x4d, 0x60, 0x61, 0x62, ...range(0x7c, 0x7f), 0x80, 0x81,
	...range(0x87, 0x8a), 0xa0, 0xa1, ...range(0xa7, 0xaa), 0xc0, 0xc1,
	...range(0xc7, 0xca), ...range(0xf8, 0xff)];
const SIMD_SHIFT = [0x6b, 0x6c, 0x6d, 0x8b, 0x8c, 0x8d, 0xab, 0xac, 0xad,
	0xcb, 0xcc, 0xcd];
const FLT_BIN = { [F32]: range(0xe4, 0xeb), [F64]: range(0xf0, 0xf7) };
const FLT_UN = { [F32]: [0xe0, 0xe1, 0xe3, 0x67, 0x68, 0x69, 0x6a, 0x5e],
	[F64]: [0xec, 0xed, 0xef, 0x74, 0x75, 0x7a, 0x94, 0x5f] };
// [sub-opcode, log2 of the natural alignment]
const SIMD_LOAD = [[0x00, 4], ...range(0x01, 0x06).map((o) => [o, 3]),
	[0x07, 0], [0x08, 1], [0x09, 2], [0x0a, 3], [0x5c, 2], [0x5d, 3]];
// extract_lane by result type: [sub-opcode, lanes]
const SIMD_EXTRACT = { [I32]: [[0x15, 16], [0x16, 16], [0x18, 8], [0x19, 8],
	[0x1b, 4]], [I64]: [[0x1d, 2]], [F32]: [[0x1f, 4]], [F64]: [[0x21, 2]] };
// splat and replace_lane by operand type: [splat, replace, lanes]
const SIMD_SPLAT = [[I32, 0x0f, 0x17, 16], [I32, 0x10, 0x1a, 8],
	[I32, 0x11, 0x1c, 4], [I64, 0x12, 0x1e, 2], [F32, 0x13, 0x20, 4],
	[F64, 0x14, 0x22, 2]];
const SIMD_TEST = [0x53, 0x63, 0x64, 0x83, 0x84, 0xa3, 0xa4, 0xc3, 0xc4];

// xorshift32: deterministic from the seed.
function rng(seed) {
	let s = (seed >>> 0) || 1;
	const next = () => {
		s ^= s << 13; s >>>= 0;
		s ^= s >>> 17;
		s ^= s << 5; s >>>= 0;
		return s;
	};
	return {
		int: (n) => next() % n,
		pick: (a) => a[next() % a.length],
		chance: (p) => next() / 4294967296 < p,
		u32: () => next(),
	};
}

function uleb(v) {
	const out = [];
	do {
		let b = v & 0x7f;
		v = Math.floor(v / 128);
		out.push(v ? b | 0x80 : b);
	} while (v);
	return out;
}

function sleb(v) { // v: BigInt
	const out = [];
	for (;;) {
		const b = Number(v & 0x7fn);
		v >>= 7n;
		if ((v === 0n && !(b & 0x40)) || (v === -1n && (b & 0x40))) {
			out.push(b);
			return out;
		}
		out.push(b | 0x80);
	}
}

const vec = (items) => [...uleb(items.length), ...items.flat()];
const section = (id, bytes) => [id, ...uleb(bytes.length), ...bytes];
const str = (s) => vec([...Buffer.from(s, 'utf8')]);

const I32_EDGE = [0, 1, -1, 2, 7, 8, 16, 31, 32, 255, 256, 65535, 65536,
	0x7fffffff, -0x80000000, 100, 1000, 65532];
const I64_EDGE = [0n, 1n, -1n, 63n, 64n, 0x7fffffffffffffffn,
	-0x8000000000000000n, 0xffffffffn, 0x100000000n, 12345678901234n];
const F_EDGE = [0, -0, 1, -1, 0.5, 1.5, -2.5, 3.75, 1e10, -1e-10,
	2147483648, -2147483649, 4294967296, 9.3e18, Infinity, -Infinity, NaN,
	1.401298464324817e-45];

function f32bytes(v) {
	const b = Buffer.alloc(4);
	b.writeFloatLE(v);
	return [...b];
}

function f64bytes(v) {
	const b = Buffer.alloc(8);
	b.writeDoubleLE(v);
	return [...b];
}

// Opcode tables by result type: [opcode, operand types...].
const BIN = {
	[I32]: [[0x6a], [0x6b], [0x6c], [0x6d], [0x6e], [0x6f], [0x70], [0x71],
		[0x72], [0x73], [0x74], [0x75], [0x76], [0x77], [0x78]],
	[I64]: [[0x7c], [0x7d], [0x7e], [0x7f], [0x80], [0x81], [0x82], [0x83],
		[0x84], [0x85], [0x86], [0x87], [0x88], [0x89], [0x8a]],
	[F32]: [[0x92], [0x93], [0x94], [0x95], [0x96], [0x97]],
	[F64]: [[0xa0], [0xa1], [0xa2], [0xa3], [0xa4], [0xa5]],
};
const UN = {
	[I32]: [[0x67, I32], [0x68, I32], [0x69, I32], [0x45, I32], [0xc0, I32],
		[0xc1, I32], [0x50, I64], [0xa7, I64], [0xa8, F32], [0xa9, F32],
		[0xaa, F64], [0xab, F64]],
	[I64]: [[0x79, I64], [0x7a, I64], [0x7b, I64], [0xc2, I64], [0xc3, I64],
		[0xc4, I64], [0xac, I32], [0xad, I32], [0xae, F32], [0xaf, F32],
		[0xb0, F64], [0xb1, F64]],
	[F32]: [[0x8b, F32], [0x8c, F32], [0x8d, F32], [0x8e, F32], [0x8f, F32],
		[0x90, F32], [0x91, F32], [0xb2, I32], [0xb3, I32], [0xb4, I64],
		[0xb5, I64], [0xb6, F64]],
	[F64]: [[0x99, F64], [0x9a, F64], [0x9b, F64], [0x9c, F64], [0x9d, F64],
		[0x9e, F64], [0x9f, F64], [0xb7, I32], [0xb8, I32], [0xb9, I64],
		[0xba, I64], [0xbb, F32]],
};
// Comparisons: operand type -> opcodes (all give i32).
const CMP = {
	[I32]: [0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f],
	[I64]: [0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a],
	[F32]: [0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60],
	[F64]: [0x61, 0x62, 0x63, 0x64, 0x65, 0x66],
};
// Saturating truncations (0xfc prefix): result type -> [sub, operand].
const TRUNC_SAT = {
	[I32]: [[0, F32], [1, F32], [2, F64], [3, F64]],
	[I64]: [[4, F32], [5, F32], [6, F64], [7, F64]],
};
// Loads: result type -> [opcode, natural alignment log2].
const LOAD = {
	[I32]: [[0x28, 2], [0x2c, 0], [0x2d, 0], [0x2e, 1], [0x2f, 1]],
	[I64]: [[0x29, 3], [0x30, 0], [0x31, 0], [0x32, 1], [0x33, 1],
		[0x34, 2], [0x35, 2]],
	[F32]: [[0x2a, 2]],
	[F64]: [[0x2b, 3]],
};
const STORE = {
	[I32]: [[0x36, 2], [0x3a, 0], [0x3b, 1]],
	[I64]: [[0x37, 3], [0x3c, 0], [0x3d, 1], [0x3e, 2]],
	[F32]: [[0x38, 2]],
	[F64]: [[0x39, 3]],
};

const FUNCREF = 0x70, EXTERNREF = 0x6f;

// Typed function references in the final (3.0) encoding, and in the one
// of V8 11 (node 20), which predates the renumbering: genModule(seed,
// { v8: true }) writes the same module for node to compile.
const ENC_FINAL = { refNull: 0x63, ref: 0x64, asNonNull: 0xd4,
	brOnNull: 0xd5, brOnNonNull: 0xd6 };
const ENC_V8_11 = { refNull: 0x6c, ref: 0x6b, asNonNull: 0xd3,
	brOnNull: 0xd4, brOnNonNull: 0xd6 };
let enc = ENC_FINAL;
const isRef = (t) => t === FUNCREF || t === EXTERNREF;

// Atomics (0xfe prefix, natural alignment only): result type ->
// [opcode, alignment log2]. RMW: add, sub, and, or, xor, xchg, each a
// run of 7 opcodes from 0x1e; cmpxchg the run from 0x48.
const ATOMIC_LOAD = {
	[I32]: [[0x10, 2], [0x12, 0], [0x13, 1]],
	[I64]: [[0x11, 3], [0x14, 0], [0x15, 1], [0x16, 2]],
};
const ATOMIC_STORE = {
	[I32]: [[0x17, 2], [0x19, 0], [0x1a, 1]],
	[I64]: [[0x18, 3], [0x1b, 0], [0x1c, 1], [0x1d, 2]],
};
const atomicRun = (base) => ({
	[I32]: [[base, 2], [base + 2, 0], [base + 3, 1]],
	[I64]: [[base + 1, 3], [base + 4, 0], [base + 5, 1], [base + 6, 2]],
});
const ATOMIC_RMW = [0x1e, 0x25, 0x2c, 0x33, 0x3a, 0x41].map(atomicRun);
const ATOMIC_CMPXCHG = atomicRun(0x48);

// A value type: numeric, or with probability pRef a reference type.
function randType(r, pRef) {
	return r.chance(pRef) ? r.pick([FUNCREF, EXTERNREF])
		: r.pick(VALTYPES);
}

function randTypes(r, max, pRef) {
	const out = [];
	for (let n = r.int(max + 1); n > 0; n--)
		out.push(randType(r, pRef));
	return out;
}

// One function body under construction.
class Body {
	constructor(g, fn) {
		this.g = g;
		this.r = g.r;
		this.fn = fn;
		this.locals = [...fn.params];
		this.nparams = fn.params.length;
		this.out = [];
		// Enclosing labels, innermost last, the function's own first:
		// { types } are the values a branch to it carries, null when
		// no branch may target it (a loop with parameters, whose
		// counter a branch would bypass).
		this.labels = [{ types: fn.results }];
		// Scratch locals for NaN canonicalisation.
		this.scratch = { [F32]: this.local(F32), [F64]: this.local(F64),
			[V128]: this.local(V128) };
		for (let i = this.r.int(4); i > 0; i--)
			this.local(randType(this.r, 0.15));
	}

	local(t) {
		this.locals.push(t);
		return this.locals.length - 1;
	}

	emit(...b) {
		this.out.push(...b);
	}

	// A value of type t with NaNs replaced by the canonical one.
	canonical(t, depth) {
		this.expr(t, depth);
		if (t !== F32 && t !== F64)
			return;
		const s = this.scratch[t];
		this.emit(0x22, ...uleb(s)); // local.tee
		if (t === F32)
			this.emit(0x43, ...f32bytes(NaN));
		else
			this.emit(0x44, ...f64bytes(NaN));
		this.emit(0x20, ...uleb(s), 0x20, ...uleb(s));
		this.emit(t === F32 ? 0x5b : 0x61, 0x1b); // eq, select
	}

	values(types, depth) {
		for (const t of types)
			this.expr(t, depth);
	}

	constant(t) {
		const r = this.r;
		if (isRef(t))
			this.emit(0xd0, t); // ref.null
		else if (t === I32)
			this.emit(0x41, ...sleb(BigInt(r.chance(0.7)
				? r.pick(I32_EDGE) : r.u32() | 0)));
		else if (t === I64)
			this.emit(0x42, ...sleb(r.chance(0.7) ? r.pick(I64_EDGE)
				: BigInt.asIntN(64, BigInt(r.u32()) << 20n)));
		else if (t === F32)
			this.emit(0x43, ...f32bytes(r.pick(F_EDGE)));
		else
			this.emit(0x44, ...f64bytes(r.pick(F_EDGE)));
	}

	i32(v) {
		this.emit(0x41, ...sleb(BigInt(v)));
	}

	// A constant address (i64.const for a 64-bit memory).
	addr(v) {
		if (this.g.mem64)
			this.emit(0x42, ...sleb(BigInt(v)));
		else
			this.i32(v);
	}

	// An address: mostly small and in bounds, sometimes anything (for a
	// 64-bit memory also past 32 bits).
	address(depth) {
		const r = this.r;
		if (r.chance(0.9))
			this.addr(r.chance(0.95) ? r.int(65500) : r.int(70000));
		else if (this.g.mem64 && r.chance(0.3))
			this.emit(0x42, ...sleb(r.pick([1n << 32n, (1n << 32n) + 8n,
				-1n, 0xffffffffn, 1n << 40n])));
		else if (this.g.mem64)
			this.expr(I64, depth);
		else
			this.expr(I32, depth);
	}

	// A length for memory.fill and memory.copy (i64 for memory64).
	length(n) {
		this.addr(this.r.int(n));
	}

	// Wraps an i64 memory.size or memory.grow result to i32.
	wrapAddr() {
		if (this.g.mem64)
			this.emit(0xa7); // i32.wrap_i64
	}

	load(t, depth) {
		const [op, align] = this.r.pick(LOAD[t]);
		this.address(depth);
		this.emit(op, ...uleb(this.r.int(align + 1)),
			...uleb(this.r.chance(0.95) ? this.r.int(64)
				: this.r.int(70000)));
	}

	// Leaves the result of type t at position k of 'types' (the values
	// on the stack) and drops or stores the others.
	pickResult(types, t) {
		if (types.length === 1)
			return;
		const ks = types.map((x, i) => [x, i]).filter(([x]) => x === t);
		const k = this.r.pick(ks)[1];
		const tmp = this.local(t);
		for (let j = types.length - 1; j >= 0; j--) {
			if (j === k)
				this.emit(0x21, ...uleb(tmp));
			else if (this.r.chance(0.5))
				this.emit(0x1a);
			else
				this.emit(0x21, ...uleb(this.local(types[j])));
		}
		this.emit(0x20, ...uleb(tmp));
	}

	// A call (direct or through a funcref table) to an earlier function
	// with a result of type t; false if there is none.
	call(t, depth) {
		const g = this.g;
		const cands = g.funcs.slice(0, this.fn.index).filter(
			(f) => f.results.includes(t));
		if (cands.length === 0)
			return false;
		const f = this.r.pick(cands);
		this.values(f.params, depth);
		if (this.r.chance(0.3)) {
			// call_indirect: maybe the wrong slot (a trap), maybe
			// through the second funcref table.
			const tabs = g.tables.map((x, i) => [x, i])
				.filter(([x]) => x.elem === FUNCREF);
			const [tab, ti] = this.r.pick(tabs);
			const slot = ti === 0 && this.r.chance(0.8) ? f.index
				: this.r.int(tab.min + 2);
			this.i32(slot);
			this.emit(0x11, ...uleb(f.type), ...uleb(ti));
		} else {
			this.emit(0x10, ...uleb(f.index));
		}
		this.pickResult(f.results, t);
		return true;
	}

	// A value of type t, at most 'depth' operators deep.
	expr(t, depth) {
		const r = this.r;
		if (isRef(t)) {
			this.refExpr(t, depth);
			return;
		}
		if (t === V128) {
			this.v128Expr(depth);
			return;
		}
		if (depth <= 0 || r.chance(0.15)) {
			this.leaf(t);
			return;
		}
		if (r.chance(0.1)) {
			this.simdScalar(t, depth - 1);
			return;
		}
		const k = r.int(14);
		if (k < 6)
			this.numeric(t, depth - 1, k);
		else
			this.structured(t, depth - 1, k);
	}

	simd(sub, ...imm) {
		this.emit(0xfd, ...uleb(sub), ...imm);
	}

	// A scalar of type t taken from a v128: a lane, or (i32) a test.
	simdScalar(t, d) {
		const r = this.r;
		this.v128Expr(d);
		if (t === I32 && r.chance(0.3)) {
			this.simd(r.pick(SIMD_TEST));
			return;
		}
		const [op, lanes] = r.pick(SIMD_EXTRACT[t]);
		this.simd(op, r.int(lanes));
	}

	// Makes the NaN lanes of the v128 on the stack (float shape t)
	// canonical: bitselect(v, canonical NaNs, v == v).
	v128Canon(t) {
		const s = this.scratch[V128];
		this.emit(0x22, ...uleb(s)); // local.tee
		const nan = t === F32 ? f32bytes(NaN) : f64bytes(NaN);
		this.simd(0x0c, ...(t === F32 ? [...nan, ...nan, ...nan, ...nan]
			: [...nan, ...nan]));
		this.emit(0x20, ...uleb(s), 0x20, ...uleb(s));
		this.simd(t === F32 ? 0x41 : 0x47); // eq
		this.simd(0x52); // bitselect
	}

	// A memarg for a SIMD access of natural alignment 'align'.
	simdMemarg(align) {
		return [...uleb(this.r.int(align + 1)),
			...uleb(this.r.chance(0.95) ? this.r.int(64)
				: this.r.int(70000))];
	}

	// A v128 whose bits are deterministic (float results canonical).
	v128Expr(depth) {
		const r = this.r;
		const d = depth - 1;
		if (depth <= 0 || r.chance(0.15)) {
			const ls = this.locals.map((lt, i) => [lt, i])
				.filter(([lt]) => lt === V128);
			if (ls.length && r.chance(0.5)) {
				this.emit(0x20, ...uleb(r.pick(ls)[1]));
			} else {
				const b = [];
				for (let i = 0; i < 16; i++)
					b.push(r.chance(0.5) ? r.pick([0, 0xff,
						0x80, 0x7f, 1]) : r.int(256));
				this.simd(0x0c, ...b);
			}
			return;
		}
		switch (r.int(10)) {
		case 0: { // splat
			const [t, op] = r.pick(SIMD_SPLAT);
			this.canonical(t, d);
			this.simd(op);
			return;
		}
		case 1: { // load, maybe out of bounds
			const [op, align] = r.pick(SIMD_LOAD);
			this.address(d);
			this.simd(op, ...this.simdMemarg(align));
			return;
		}
		case 2:
		case 3:
			this.v128Expr(d);
			this.v128Expr(d);
			this.simd(r.pick(SIMD_BIN));
			return;
		case 4:
			this.v128Expr(d);
			this.simd(r.pick(SIMD_UN));
			return;
		case 5:
			this.v128Expr(d);
			this.expr(I32, d);
			this.simd(r.pick(SIMD_SHIFT));
			return;
		case 6: { // float lane arithmetic, made canonical
			const t = r.pick([F32, F64]);
			if (r.chance(0.6)) {
				this.v128Expr(d);
				this.v128Expr(d);
				this.simd(r.pick(FLT_BIN[t]));
			} else {
				this.v128Expr(d);
				this.simd(r.pick(FLT_UN[t]));
			}
			// demote (0x5e) gives f32 lanes, promote (0x5f) f64
			this.v128Canon(t);
			return;
		}
		case 7: { // shuffle or bitselect
			this.v128Expr(d);
			this.v128Expr(d);
			if (r.chance(0.5)) {
				const l = [];
				for (let i = 0; i < 16; i++)
					l.push(r.int(32));
				this.simd(0x0d, ...l);
			} else {
				this.v128Expr(d);
				this.simd(0x52);
			}
			return;
		}
		case 8: { // replace_lane
			const [t, , op, lanes] = r.pick(SIMD_SPLAT);
			this.v128Expr(d);
			this.canonical(t, d);
			this.simd(op, r.int(lanes));
			return;
		}
		default: { // load_lane
			const n = r.int(4);
			this.address(d);
			this.v128Expr(d);
			this.simd(0x54 + n, ...this.simdMemarg(n),
				r.int(16 >> n));
			return;
		}
		}
	}

	// A local of type t or a constant.
	leaf(t) {
		const ls = this.locals.map((lt, i) => [lt, i])
			.filter(([lt]) => lt === t);
		if (ls.length && this.r.chance(0.5))
			this.emit(0x20, ...uleb(this.r.pick(ls)[1]));
		else if (t === FUNCREF && this.r.chance(0.6))
			this.emit(0xd2, ...uleb(this.r.int(this.g.funcs.length)));
		else
			this.constant(t);
	}

	// A reference of type t: a leaf, table.get, a typed select, a
	// global, a call or a multi-value block.
	refExpr(t, depth) {
		const r = this.r, g = this.g;
		if (depth <= 0 || r.chance(0.2)) {
			this.leaf(t);
			return;
		}
		const d = depth - 1;
		const tabs = g.tables.map((x, i) => [x, i])
			.filter(([x]) => x.elem === t);
		const gs = g.globals.map((x, i) => [x, i])
			.filter(([x]) => x === t);
		switch (r.int(6)) {
		case 0:
			if (tabs.length) {
				const [tab, ti] = r.pick(tabs);
				this.i32(r.int(tab.min + (r.chance(0.9) ? 0 : 2)));
				this.emit(0x25, ...uleb(ti)); // table.get
				return;
			}
			break;
		case 1:
			this.refExpr(t, d);
			this.refExpr(t, d);
			this.expr(I32, d);
			this.emit(0x1c, 0x01, t); // select (result t)
			return;
		case 2:
			if (gs.length) {
				this.emit(0x23, ...uleb(r.pick(gs)[1]));
				return;
			}
			break;
		case 3:
			if (this.call(t, d))
				return;
			break;
		case 4:
			this.mvExpr(t, d);
			return;
		}
		this.leaf(t);
	}

	// Arithmetic: binary (k 0-2), unary and conversions (3-4), then a
	// comparison or saturating truncation (i32), a saturating
	// truncation (i64) or copysign (floats) (5).
	numeric(t, d, k) {
		const r = this.r;
		if (k <= 2) {
			const [op] = r.pick(BIN[t]);
			this.expr(t, d);
			this.expr(t, d);
			this.emit(op);
		} else if (k <= 4) {
			const [op, from] = r.pick(UN[t]);
			this.expr(from, d);
			this.emit(op);
		} else if (t === I32 && r.chance(0.75)) {
			const ot = r.pick(VALTYPES);
			this.expr(ot, d);
			this.expr(ot, d);
			this.emit(r.pick(CMP[ot]));
		} else if (TRUNC_SAT[t]) {
			const [sub, from] = r.pick(TRUNC_SAT[t]);
			this.expr(from, d);
			this.emit(0xfc, ...uleb(sub));
		} else {
			// f32/f64 copysign with a canonical sign operand.
			this.expr(t, d);
			this.canonical(t, d);
			this.emit(t === F32 ? 0x98 : 0xa6);
		}
	}

	// Loads, reinterpretations, if/else, select, calls, globals, memory
	// and table queries, multi-value blocks, atomics (k 6-13).
	structured(t, d, k) {
		const r = this.r;
		switch (k) {
		case 6:
			this.load(t, d);
			return;
		case 7: // reinterpret, NaN made canonical first
			if (t === I32 || t === I64) {
				this.canonical(t === I32 ? F32 : F64, d);
				this.emit(t === I32 ? 0xbc : 0xbd);
			} else {
				this.expr(t === F32 ? I32 : I64, d);
				this.emit(t === F32 ? 0xbe : 0xbf);
			}
			return;
		case 8: // if/else with a result
			this.expr(I32, d);
			this.emit(0x04, t);
			this.labels.push({ types: [t] });
			this.stmts(d, 2);
			this.expr(t, d);
			this.emit(0x05);
			this.stmts(d, 2);
			this.expr(t, d);
			this.emit(0x0b);
			this.labels.pop();
			return;
		case 9: // select, untyped or typed
			this.expr(t, d);
			this.expr(t, d);
			this.expr(I32, d);
			if (r.chance(0.3))
				this.emit(0x1c, 0x01, t);
			else
				this.emit(0x1b);
			return;
		case 10:
			if (!this.call(t, d))
				this.constant(t);
			return;
		case 12:
			this.mvExpr(t, d);
			return;
		case 13:
			if (t === I32 || t === I64)
				this.atomicExpr(t, d);
			else
				this.load(t, d);
			return;
		default:
			this.query(t, d);
		}
	}

	// Table or memory queries (i32), else a global of type t.
	query(t, d) {
		const r = this.r;
		if (t === I32 && r.chance(0.3)) {
			this.tableExpr(d);
		} else if (t === I32 && r.chance(0.5)) {
			if (r.chance(0.5)) {
				this.emit(0x3f, 0x00); // memory.size
			} else {
				this.addr(r.int(3));
				this.emit(0x40, 0x00); // memory.grow
			}
			this.wrapAddr();
		} else {
			const gs = this.g.globals.map((gt, i) => [gt, i])
				.filter(([gt]) => gt === t);
			if (gs.length)
				this.emit(0x23, ...uleb(r.pick(gs)[1]));
			else
				this.constant(t);
		}
	}

	// A multi-value block, if or loop whose results include t; the
	// value of type t is left on the stack.
	mvExpr(t, d) {
		const r = this.r;
		const R = randTypes(r, 2, 0.1);
		R.splice(r.int(R.length + 1), 0, t);
		if (r.chance(0.3))
			this.mvLoop(R, d);
		else
			this.mvBlock(R, d, r.chance(0.4));
		this.pickResult(R, t);
	}

	// block/if with a type index: params P are stored into fresh
	// locals, results R come last, maybe through a br_if to the block.
	mvBlock(R, d, isIf) {
		const r = this.r;
		const P = randTypes(r, 2, 0.1);
		const ti = this.g.typeIndex(P, R);
		this.values(P, d);
		if (isIf)
			this.expr(I32, d);
		this.emit(isIf ? 0x04 : 0x02, ...sleb(BigInt(ti)));
		const pl = P.map((p) => this.local(p));
		this.labels.push({ types: R });
		const arm = () => {
			for (let i = P.length - 1; i >= 0; i--)
				this.emit(0x21, ...uleb(pl[i]));
			this.stmts(d, 2);
			this.values(R, d);
			if (r.chance(0.4)) {
				this.expr(I32, d);
				this.emit(0x0d, 0x00); // br_if 0 with R
			}
		};
		arm();
		if (isIf) {
			this.emit(0x05);
			arm();
		}
		this.emit(0x0b);
		this.labels.pop();
	}

	// A loop with parameters (a counter first) and results R: each
	// iteration branches back with counter - 1 until it is 0.
	mvLoop(R, d) {
		const r = this.r;
		const P = [I32, ...randTypes(r, 1, 0.1)];
		const ti = this.g.typeIndex(P, R);
		this.i32(1 + r.int(6));
		this.values(P.slice(1), d);
		this.emit(0x03, ...sleb(BigInt(ti)));
		const pl = P.map((p) => this.local(p));
		for (let i = P.length - 1; i >= 0; i--)
			this.emit(0x21, ...uleb(pl[i]));
		this.labels.push(null);
		this.stmts(d, 2);
		const c = uleb(pl[0]);
		this.emit(0x20, ...c, 0x41, 0x01, 0x6b); // counter - 1
		this.values(P.slice(1), d);
		this.emit(0x20, ...c, 0x0d, 0x00); // br_if 0 while counter
		for (let i = 0; i < P.length; i++)
			this.emit(0x1a);
		this.values(R, d);
		this.labels.pop();
		this.emit(0x0b);
	}

	// A counted loop: a fresh counter from 1..8, tested and decremented
	// at the top, so any branch back to the loop label also counts.
	loop(depth) {
		const c = this.local(I32);
		this.i32(1 + this.r.int(8));
		this.emit(0x21, ...uleb(c));
		this.emit(0x02, 0x40, 0x03, 0x40);
		this.labels.push({ types: [] }, { types: [] });
		this.emit(0x20, ...uleb(c), 0x45, 0x0d, 0x01); // eqz, br_if 1
		this.emit(0x20, ...uleb(c), 0x41, 0x01, 0x6b, 0x21, ...uleb(c));
		this.stmts(depth, 3);
		this.emit(0x0c, 0x00); // br 0: back to the loop
		this.emit(0x0b, 0x0b);
		this.labels.length -= 2;
	}

	// An i32 from a table: size, grow, whether an entry or a
	// reference is null.
	tableExpr(d) {
		const r = this.r;
		const ti = r.int(this.g.tables.length);
		const tab = this.g.tables[ti];
		switch (r.int(4)) {
		case 0:
			this.emit(0xfc, 0x10, ...uleb(ti)); // table.size
			return;
		case 1:
			this.refExpr(tab.elem, d);
			this.i32(r.int(3));
			this.emit(0xfc, 0x0f, ...uleb(ti)); // table.grow
			return;
		case 2:
			this.i32(r.int(tab.min + (r.chance(0.9) ? 0 : 2)));
			this.emit(0x25, ...uleb(ti), 0xd1); // table.get, is_null
			return;
		default:
			this.refExpr(r.pick([FUNCREF, EXTERNREF]), d);
			this.emit(0xd1); // ref.is_null
		}
	}

	// table.set/fill/copy/init, elem.drop, memory.init, data.drop.
	tableStmt(d) {
		const r = this.r, g = this.g;
		const ti = r.int(g.tables.length);
		const tab = g.tables[ti];
		// An index: in bounds nine times in ten (if the table is
		// not empty), else up to 2 past the end.
		const idx = (t) => this.i32(t.min && r.chance(0.9)
			? r.int(t.min) : r.int(t.min + 3));
		const same = (e) => g.tables.map((x, i) => [x, i])
			.filter(([x]) => x.elem === e);
		switch (r.int(7)) {
		case 0:
			idx(tab);
			this.refExpr(tab.elem, d);
			this.emit(0x26, ...uleb(ti)); // table.set
			return;
		case 1:
			idx(tab);
			this.refExpr(tab.elem, d);
			this.i32(r.int(3));
			this.emit(0xfc, 0x11, ...uleb(ti)); // table.fill
			return;
		case 2: {
			const [src, si] = r.pick(same(tab.elem));
			idx(tab);
			idx(src);
			this.i32(r.int(3));
			this.emit(0xfc, 0x0e, ...uleb(ti), ...uleb(si));
			return;
		}
		case 3: {
			const segs = g.elems.map((x, i) => [x, i])
				.filter(([x]) => x.elem === tab.elem);
			const [seg, s] = r.pick(segs);
			const s0 = r.int(seg.len + 1);
			idx(tab);
			this.i32(s0);
			this.i32(r.int(seg.len - s0 + 2));
			this.emit(0xfc, 0x0c, ...uleb(s), ...uleb(ti));
			return;
		}
		case 4:
			if (r.chance(0.3)) // elem.drop (later inits then trap)
				this.emit(0xfc, 0x0d, ...uleb(r.int(g.elems.length)));
			return;
		case 5: {
			const s = r.int(g.datas.length);
			const s0 = r.int(g.datas[s] + 1);
			this.address(d);
			this.i32(s0);
			this.i32(r.int(g.datas[s] - s0 + 2));
			this.emit(0xfc, 0x08, ...uleb(s), 0x00); // memory.init
			return;
		}
		default:
			if (r.chance(0.3)) // data.drop
				this.emit(0xfc, 0x09, ...uleb(r.int(g.datas.length)));
		}
	}

	// An address for an atomic access of 2^al bytes: aligned (with an
	// aligned offset) nine times in ten, else anything (may trap).
	// Emits the address; returns the memarg bytes.
	atomicAddr(al, d) {
		const r = this.r, size = 1 << al;
		let off;
		if (r.chance(0.9)) {
			this.addr(r.int(65500) & ~(size - 1));
			off = size * r.int(8);
		} else {
			this.address(d);
			off = r.int(64);
		}
		return [...uleb(al), ...uleb(off)];
	}

	// atomic load, read-modify-write or compare-exchange of type t.
	atomicExpr(t, d) {
		const r = this.r;
		const k = r.int(3);
		const [op, al] = r.pick(k === 0 ? ATOMIC_LOAD[t] : k === 1
			? r.pick(ATOMIC_RMW)[t] : ATOMIC_CMPXCHG[t]);
		const m = this.atomicAddr(al, d);
		if (k >= 1)
			this.expr(t, d);
		if (k === 2)
			this.expr(t, d);
		this.emit(0xfe, op, ...m);
	}

	// atomic store, fence, notify (0 waiters: memory is not shared),
	// or rarely a wait, which traps on an unshared memory.
	atomicStmt(d) {
		const r = this.r;
		const t = r.pick([I32, I64]);
		switch (r.int(4)) {
		case 0: {
			const [op, al] = r.pick(ATOMIC_STORE[t]);
			const m = this.atomicAddr(al, d);
			this.expr(t, d);
			this.emit(0xfe, op, ...m);
			return;
		}
		case 1:
			this.emit(0xfe, 0x03, 0x00); // atomic.fence
			return;
		case 2: {
			const m = this.atomicAddr(2, d);
			this.expr(I32, d);
			this.emit(0xfe, 0x00, ...m, 0x1a); // notify, drop
			return;
		}
		default:
			if (r.chance(0.05)) {
				const w = t === I32 ? 1 : 2;
				const m = this.atomicAddr(w + 1, d);
				this.expr(t, d);
				this.emit(0x42, 0x00); // timeout 0
				this.emit(0xfe, w, ...m, 0x1a); // wait: a trap
			} else {
				this.atomicExpr(t, d);
				this.emit(0x1a);
			}
		}
	}

	// A relative depth of a label a branch may target.
	branchTarget() {
		const n = this.labels.length;
		const ok = [];
		for (let i = 0; i < n; i++)
			if (this.labels[n - 1 - i])
				ok.push(i);
		return this.r.pick(ok);
	}

	labelTypes(depth) {
		return this.labels[this.labels.length - 1 - depth].types;
	}

	// br_if with the target's values; dropped if not taken.
	brIf(d) {
		const l = this.branchTarget();
		const types = this.labelTypes(l);
		this.values(types, d);
		this.expr(I32, d);
		this.emit(0x0d, ...uleb(l));
		for (let i = 0; i < types.length; i++)
			this.emit(0x1a);
	}

	// br_table over the labels that take the same values.
	brTable(d) {
		const first = this.branchTarget();
		const key = this.labelTypes(first).join();
		const ok = [];
		for (let i = 0; i < this.labels.length; i++)
			if (this.labels[this.labels.length - 1 - i] &&
			    this.labelTypes(i).join() === key)
				ok.push(i);
		const n = this.r.int(5);
		const targets = [first];
		for (let i = 0; i < n; i++)
			targets.push(this.r.pick(ok));
		this.values(this.labelTypes(first), d);
		this.expr(I32, d);
		this.emit(0x0e, ...uleb(n), ...targets.flatMap((t) => uleb(t)));
	}

	// if (cond) { br L with its values | return }.
	exit(d) {
		this.expr(I32, d);
		this.emit(0x04, 0x40);
		this.labels.push({ types: [] });
		if (this.r.chance(0.3)) {
			this.ret(d);
		} else {
			const l = this.branchTarget();
			this.values(this.labelTypes(l), d);
			this.emit(0x0c, ...uleb(l)); // br
		}
		this.emit(0x0b);
		this.labels.pop();
	}

	// return, or a tail call to an earlier function with the same
	// results (return_call, or return_call_indirect through table 0,
	// sometimes at a wrong slot).
	ret(d) {
		const r = this.r, g = this.g;
		const key = this.fn.results.join();
		const tail = g.funcs.slice(0, this.fn.index)
			.filter((f) => f.results.join() === key);
		if (!tail.length || r.chance(0.3)) {
			this.values(this.fn.results, d);
			this.emit(0x0f); // return
			return;
		}
		const f = r.pick(tail);
		this.values(f.params, d);
		if (r.chance(0.6)) {
			this.emit(0x12, ...uleb(f.index)); // return_call
			return;
		}
		if (r.chance(0.25)) {
			this.funcRef(f);
			this.emit(0x15, ...uleb(f.type)); // return_call_ref
			return;
		}
		this.i32(r.chance(0.8) ? f.index : r.int(g.funcs.length + 2));
		this.emit(0x13, ...uleb(f.type), 0x00); // return_call_indirect
	}

	// Legacy exception handling: try with catch clauses (payloads kept
	// in locals or dropped, sometimes a rethrow) and maybe catch_all,
	// or try ... delegate to any enclosing label.
	tryStmt(d) {
		const r = this.r, g = this.g;
		this.emit(0x06, 0x40);
		this.labels.push({ types: [] });
		this.stmts(d, 3);
		if (r.chance(0.15)) {
			this.labels.pop();
			this.emit(0x18, ...uleb(r.int(this.labels.length)));
			return;
		}
		const handler = () => {
			this.stmts(d, 2);
			if (r.chance(0.2))
				this.emit(0x09, 0x00); // rethrow
		};
		const nc = r.int(3);
		for (let i = 0; i < nc; i++) {
			const ti = r.int(g.tags.length);
			this.emit(0x07, ...uleb(ti)); // catch
			const ps = g.tags[ti].params;
			for (let j = ps.length - 1; j >= 0; j--) {
				if (r.chance(0.5))
					this.emit(0x1a);
				else
					this.emit(0x21, ...uleb(this.local(ps[j])));
			}
			handler();
		}
		if (nc === 0 || r.chance(0.5)) {
			this.emit(0x19); // catch_all
			handler();
		}
		this.emit(0x0b);
		this.labels.pop();
	}

	// if (cond) throw $tag(values).
	throwStmt(d) {
		const ti = this.r.int(this.g.tags.length);
		this.expr(I32, d);
		this.emit(0x04, 0x40);
		this.labels.push({ types: [] });
		this.values(this.g.tags[ti].params, d);
		this.emit(0x08, ...uleb(ti));
		this.emit(0x0b);
		this.labels.pop();
	}

	stmt(depth) {
		const r = this.r;
		const d = depth - 1;
		switch (r.int(depth > 0 ? 18 : 4)) {
		case 0: { // local.set
			const i = r.int(this.locals.length);
			this.canonical(this.locals[i], d);
			this.emit(0x21, ...uleb(i));
			return;
		}
		case 1: { // store
			const t = r.pick(VALTYPES);
			const [op, align] = r.pick(STORE[t]);
			this.address(d);
			this.canonical(t, d);
			this.emit(op, ...uleb(r.int(align + 1)),
				...uleb(r.int(64)));
			return;
		}
		case 2: { // global.set
			const i = r.int(this.g.globals.length);
			this.canonical(this.g.globals[i], d);
			this.emit(0x24, ...uleb(i));
			return;
		}
		case 3: // drop, or store a v128
			if (r.chance(0.15)) {
				this.address(d);
				this.v128Expr(d);
				if (r.chance(0.5)) {
					this.simd(0x0b, ...this.simdMemarg(4));
				} else {
					const n = r.int(4);
					this.simd(0x58 + n, ...this.simdMemarg(n),
						r.int(16 >> n));
				}
				return;
			}
			this.expr(randType(r, 0.1), d);
			this.emit(0x1a);
			return;
		case 4:
			this.loop(d);
			return;
		case 5: // if without else
			this.expr(I32, d);
			this.emit(0x04, 0x40);
			this.labels.push({ types: [] });
			this.stmts(d, 3);
			this.emit(0x0b);
			this.labels.pop();
			return;
		case 6:
			this.block(d);
			return;
		case 7: // memory.fill (dest, byte, len) / memory.copy
			this.address(d);
			if (r.chance(0.5)) {
				this.expr(I32, 0);
				this.length(300);
				this.emit(0xfc, 0x0b, 0x00);
			} else {
				this.address(d);
				this.length(300);
				this.emit(0xfc, 0x0a, 0x00, 0x00);
			}
			return;
		case 8:
		case 9:
			this.tableStmt(d);
			return;
		case 10:
			this.atomicStmt(d);
			return;
		case 11:
			this.exit(d);
			return;
		case 12: // a multi-value block for its effects
			this.mvExpr(randType(r, 0.1), d);
			this.emit(0x1a);
			return;
		case 13: // nop, or rarely if (cond) unreachable
			if (r.chance(0.9)) {
				this.emit(0x01);
			} else {
				this.expr(I32, d);
				this.emit(0x04, 0x40, 0x00, 0x0b);
			}
			return;
		case 14:
			this.tryStmt(d);
			return;
		case 15:
			this.throwStmt(d);
			return;
		case 16:
			this.refCallStmt(d);
			return;
		default:
			this.callStmt(d);
		}
	}

	// A block with a conditional exit (br_if) or a br_table.
	block(d) {
		this.emit(0x02, 0x40);
		this.labels.push({ types: [] });
		this.stmts(d, 2);
		if (this.r.chance(0.7))
			this.brIf(d);
		else
			this.brTable(d);
		this.stmts(d, 2);
		this.emit(0x0b);
		this.labels.pop();
	}

	// A reference to function f: ref.func (typed (ref $t)), sometimes
	// ref.null $t instead, sometimes through ref.as_non_null (which
	// traps on the null).
	funcRef(f) {
		if (this.r.chance(0.15))
			this.emit(0xd0, ...sleb(BigInt(f.type))); // ref.null $t
		else
			this.emit(0xd2, ...uleb(f.index)); // ref.func
		if (this.r.chance(0.2))
			this.emit(enc.asNonNull);
	}

	// Typed function references: a call_ref of an earlier function for
	// its effects, the reference maybe passed through a br_on_null
	// (null: the call is skipped) or a br_on_non_null (null: ref.func
	// of the same function instead).
	refCallStmt(d) {
		const r = this.r;
		const f = r.pick(this.g.funcs.slice(0, this.fn.index + 1));
		if (f.index === this.fn.index)
			return;
		const form = r.int(3);
		if (form === 1) {
			this.emit(0x02, 0x40); // block: a null skips the call
			this.labels.push({ types: [] });
		}
		this.values(f.params, d);
		if (form === 2) {
			// block (result (ref $t)) ref br_on_non_null 0
			// ref.func f end
			this.emit(0x02, enc.ref, ...sleb(BigInt(f.type)));
			this.labels.push({ types: null });
			this.funcRef(f);
			this.emit(enc.brOnNonNull, 0x00, 0xd2, ...uleb(f.index),
				0x0b);
			this.labels.pop();
		} else {
			this.funcRef(f);
			if (form === 1)
				this.emit(enc.brOnNull, 0x00);
		}
		this.emit(0x14, ...uleb(f.type)); // call_ref
		for (let i = 0; i < f.results.length; i++)
			this.emit(0x1a);
		if (form === 1) {
			this.emit(0x0b);
			this.labels.pop();
		}
	}

	// A call to an earlier function for its effects.
	callStmt(d) {
		const f = this.r.pick(this.g.funcs.slice(0, this.fn.index + 1));
		if (f.index === this.fn.index)
			return;
		this.values(f.params, d);
		this.emit(0x10, ...uleb(f.index));
		for (let i = 0; i < f.results.length; i++)
			this.emit(0x1a);
	}

	stmts(depth, max) {
		for (let n = this.r.int(max + 1); n > 0; n--)
			this.stmt(depth);
	}

	build() {
		this.stmts(3, 5);
		this.values(this.fn.results, 4);
		this.emit(0x0b);
		// Locals after the params, one run each.
		const decl = this.locals.slice(this.nparams)
			.map((t) => [1, t]);
		const bytes = [...vec(decl), ...this.out];
		return [...uleb(bytes.length), ...bytes];
	}
}

const constExpr = (t, g) => {
	if (t === FUNCREF)
		return g.r.chance(0.5) ? [0xd2, ...uleb(g.r.int(g.funcs.length))]
			: [0xd0, t];
	return { [I32]: [0x41, 0], [I64]: [0x42, 0],
		[F32]: [0x43, 0, 0, 0, 0],
		[F64]: [0x44, 0, 0, 0, 0, 0, 0, 0, 0],
		[EXTERNREF]: [0xd0, t] }[t];
};

// Tables: 0 holds every function (no maximum); 1, if any, is a small
// funcref table with an active segment; then maybe an externref table.
function genTables(g) {
	const r = g.r;
	const nf = g.funcs.length;
	g.tables = [{ elem: FUNCREF, min: nf, max: null }];
	if (r.chance(0.6)) {
		const min = 1 + r.int(6);
		g.tables.push({ elem: FUNCREF, min,
			max: r.chance(0.5) ? min + r.int(8) : null });
	}
	if (r.chance(0.5)) {
		const min = 1 + r.int(4);
		g.tables.push({ elem: EXTERNREF, min,
			max: r.chance(0.5) ? min + r.int(4) : null });
	}
	// Element segments: { elem, len, bytes }.
	const funcIdx = (n) => Array.from({ length: n },
		() => uleb(r.int(nf)));
	const refExprs = (t, n) => Array.from({ length: n }, () =>
		[...(t === FUNCREF && r.chance(0.7) ? [0xd2, ...uleb(r.int(nf))]
			: [0xd0, t]), 0x0b]);
	g.elems = [{ elem: FUNCREF, len: nf, bytes: [0x00, 0x41, 0x00, 0x0b,
		...vec(g.funcs.map((f) => uleb(f.index)))] }];
	let n = 1 + r.int(5);
	g.elems.push({ elem: FUNCREF, len: n,
		bytes: [0x05, FUNCREF, ...vec(refExprs(FUNCREF, n))] });
	n = r.int(4);
	g.elems.push({ elem: FUNCREF, len: n,
		bytes: [0x01, 0x00, ...vec(funcIdx(n))] });
	if (g.tables.length > 1 && g.tables[1].elem === FUNCREF) {
		n = r.int(Math.min(g.tables[1].min, 4) + 1);
		g.elems.push({ elem: FUNCREF, len: n, bytes: [0x02, 0x01,
			0x41, 0x00, 0x0b, 0x00, ...vec(funcIdx(n))] });
	}
	if (g.tables.some((x) => x.elem === EXTERNREF)) {
		n = 1 + r.int(3);
		g.elems.push({ elem: EXTERNREF, len: n,
			bytes: [0x05, EXTERNREF, ...vec(refExprs(EXTERNREF, n))] });
	}
	if (r.chance(0.3)) { // declarative: dropped at instantiation
		n = 1 + r.int(3);
		g.elems.push({ elem: FUNCREF, len: n,
			bytes: [0x03, 0x00, ...vec(funcIdx(n))] });
	}
}

// Data segments: a passive text, an active one, a passive random one.
function genData(g) {
	const r = g.r;
	const rand = (n) => Array.from({ length: n }, () => r.int(256));
	const text = [...Buffer.from('wasmix: passive data 0123', 'utf8')];
	const act = rand(1 + r.int(16));
	const pas = rand(r.int(9));
	g.datas = [text.length, act.length, pas.length];
	return [[0x01, ...vec(text)],
		[0x00, g.mem64 ? 0x42 : 0x41, ...sleb(BigInt(r.int(65000))), 0x0b,
			...vec(act)],
		[0x01, ...vec(pas)]];
}

// The module for 'seed' as bytes.
export function genModule(seed, opts = {}) {
	enc = opts.v8 ? ENC_V8_11 : ENC_FINAL;
	const r = rng(seed);
	const g = { r, funcs: [], globals: [], types: [], typeMap: new Map() };
	g.typeIndex = (params, results) => {
		const key = params.join() + '>' + results.join();
		if (!g.typeMap.has(key)) {
			g.typeMap.set(key, g.types.length);
			g.types.push([0x60, ...vec(params.map((t) => [t])),
				...vec(results.map((t) => [t]))]);
		}
		return g.typeMap.get(key);
	};
	// Sometimes a 64-bit memory (memory64): i64 addresses everywhere.
	g.mem64 = r.chance(0.3);
	for (let i = 1 + r.int(4); i > 0; i--)
		g.globals.push(randType(r, 0.2));
	const nf = 1 + r.int(6);
	for (let i = 0; i < nf; i++) {
		const params = randTypes(r, 3, 0.1);
		// Sometimes an earlier function's results: tail call targets.
		const results = i > 0 && r.chance(0.4)
			? [...g.funcs[r.int(i)].results] : randTypes(r, 2, 0.1);
		g.funcs.push({ index: i, type: g.typeIndex(params, results),
			params, results });
	}
	// Exception tags: numeric payloads of 0-2 values.
	g.tags = [];
	for (let i = 1 + r.int(2); i > 0; i--) {
		const params = randTypes(r, 2, 0);
		g.tags.push({ params, type: g.typeIndex(params, []) });
	}
	genTables(g);
	const datas = genData(g);
	const globals = g.globals.map((t) => [t, 1, ...constExpr(t, g), 0x0b]);
	const exports = [[...str('mem'), 2, 0],
		...g.globals.map((_, i) => [...str('g' + i), 3, ...uleb(i)]),
		...g.tables.map((_, i) => [...str('t' + i), 1, ...uleb(i)]),
		...g.funcs.map((f) => [...str('f' + f.index), 0, ...uleb(f.index)])];
	const bodies = g.funcs.map((f) => new Body(g, f).build());
	// Sometimes a start function: one without params and results.
	const nullary = g.funcs.filter((f) => !f.params.length &&
		!f.results.length);
	const start = nullary.length && r.chance(0.3)
		? section(8, uleb(r.pick(nullary).index)) : [];
	const tables = g.tables.map((x) => x.max === null
		? [x.elem, 0x00, ...uleb(x.min)]
		: [x.elem, 0x01, ...uleb(x.min), ...uleb(x.max)]);
	return new Uint8Array([
		0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
		...section(1, vec(g.types)),
		...section(3, vec(g.funcs.map((f) => uleb(f.type)))),
		...section(4, vec(tables)),
		...section(5, vec([[g.mem64 ? 0x05 : 0x01, 0x01, 0x04]])),
		...section(13, vec(g.tags.map((t) => [0x00, ...uleb(t.type)]))),
		...section(6, vec(globals)),
		...section(7, vec(exports)),
		...start,
		...section(9, vec(g.elems.map((e) => e.bytes))),
		...section(12, uleb(datas.length)),
		...section(10, vec(bodies)),
		...section(11, vec(datas)),
	]);
}

// Command line: writes modules for the fuzzers' seed corpus.
if (process.argv[1] && import.meta.url ===
    (await import('node:url')).pathToFileURL(process.argv[1]).href) {
	const fs = await import('node:fs');
	const [dir, first, count] = process.argv.slice(2);
	if (!dir || !(Number(count) >= 0)) {
		console.error('usage: fuzz_gen.mjs DIR FIRST COUNT');
		process.exit(2);
	}
	fs.mkdirSync(dir, { recursive: true });
	for (let i = 0; i < Number(count); i++) {
		const seed = Number(first) + i;
		fs.writeFileSync(`${dir}/gen-${seed}.wasm`, genModule(seed));
	}
}
