// fuzz_gen.mjs: a generator of random *valid* WebAssembly modules for the
// differential test (fuzz_diff.mjs). Written for wasmix; no dependencies.
//
//   genModule(seed) -> Uint8Array
//
// Every module has: a memory of 1 page (max 4) exported as "mem", a few
// mutable globals exported as "g0".., a funcref table holding every
// function, and 1-6 functions exported as "f0".. whose bodies are built
// from typed expressions and statements: integer and float arithmetic,
// comparisons, conversions (trapping ones included), loads and stores at
// random addresses, memory.grow/size/fill/copy, if/else, blocks with
// br_if or br_table, bounded loops, direct calls to earlier functions,
// call_indirect through the table, table.get/set/size/grow/fill with
// ref.func and ref.null, memory.init and data.drop of a passive segment.
//
// Keeps true:
//  - Every module validates (types are tracked while generating).
//  - Direct calls only go to earlier functions and every loop counts
//    down a fresh local from at most 8 each time its label is reached,
//    so only call_indirect can recurse
//    (both engines then overflow their stack, or wasmix runs out of fuel
//    and the call is not compared).
//  - NaN bit patterns, which the specification leaves nondeterministic,
//    never become observable: a float is made canonical before it is
//    stored, reinterpreted, written to a global or used as copysign's
//    sign operand.

const I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c;
const VALTYPES = [I32, I64, F32, F64];

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

// One function body under construction.
class Body {
	constructor(g, fn) {
		this.g = g;
		this.r = g.r;
		this.fn = fn;
		this.locals = [...fn.params];
		this.nparams = fn.params.length;
		this.out = [];
		// Enclosing labels, innermost last: true if a br_if may target
		// it (a block with no results; not a loop, whose counter a
		// branch would skip, nor a block with results).
		this.labels = [];
		// Scratch locals for NaN canonicalisation.
		this.scratch = { [F32]: this.local(F32), [F64]: this.local(F64) };
		for (let i = this.r.int(4); i > 0; i--)
			this.local(this.r.pick(VALTYPES));
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

	constant(t) {
		const r = this.r;
		if (t === I32)
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

	// An address: mostly small and in bounds, sometimes anything.
	address(depth) {
		if (this.r.chance(0.9))
			this.emit(0x41, ...sleb(BigInt(this.r.chance(0.95)
				? this.r.int(65500) : this.r.int(70000))));
		else
			this.expr(I32, depth);
	}

	load(t, depth) {
		const [op, align] = this.r.pick(LOAD[t]);
		this.address(depth);
		this.emit(op, ...uleb(this.r.int(align + 1)),
			...uleb(this.r.chance(0.8) ? this.r.int(64) : this.r.int(70000)));
	}

	call(t, depth) {
		const cands = this.g.funcs.slice(0, this.fn.index).filter(
			(f) => f.results.length === 1 && f.results[0] === t);
		if (cands.length === 0)
			return false;
		const f = this.r.pick(cands);
		for (const p of f.params)
			this.expr(p, depth);
		if (this.r.chance(0.3)) {
			// call_indirect: maybe the wrong slot (a trap).
			const slot = this.r.chance(0.8) ? f.index
				: this.r.int(this.g.funcs.length + 2);
			this.emit(0x41, ...sleb(BigInt(slot)), 0x11,
				...uleb(f.type), 0x00);
		} else {
			this.emit(0x10, ...uleb(f.index));
		}
		return true;
	}

	// A value of type t, at most 'depth' operators deep.
	expr(t, depth) {
		const r = this.r;
		if (depth <= 0 || r.chance(0.15)) {
			this.leaf(t);
			return;
		}
		const k = r.int(12);
		if (k < 6)
			this.numeric(t, depth - 1, k);
		else
			this.structured(t, depth - 1, k);
	}

	// A local of type t or a constant.
	leaf(t) {
		const ls = this.locals.map((lt, i) => [lt, i])
			.filter(([lt]) => lt === t);
		if (ls.length && this.r.chance(0.5))
			this.emit(0x20, ...uleb(this.r.pick(ls)[1]));
		else
			this.constant(t);
	}

	// Arithmetic: binary (k 0-2), unary and conversions (3-4), then a
	// comparison, a saturating truncation or copysign (5).
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
		} else if (t === I32) {
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
	// and table queries (k 6-11).
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
			this.labels.push(false);
			this.stmts(d, 2);
			this.expr(t, d);
			this.emit(0x05);
			this.stmts(d, 2);
			this.expr(t, d);
			this.emit(0x0b);
			this.labels.pop();
			return;
		case 9: // select
			this.expr(t, d);
			this.expr(t, d);
			this.expr(I32, d);
			this.emit(0x1b);
			return;
		case 10:
			if (!this.call(t, d))
				this.constant(t);
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
				this.emit(0x41, ...sleb(BigInt(r.int(3))));
				this.emit(0x40, 0x00); // memory.grow
			}
		} else {
			const gs = this.g.globals.map((gt, i) => [gt, i])
				.filter(([gt]) => gt === t);
			if (gs.length)
				this.emit(0x23, ...uleb(r.pick(gs)[1]));
			else
				this.constant(t);
		}
	}

	// A counted loop: a fresh counter from 1..8, tested and decremented
	// at the top, so any branch back to the loop label also counts.
	loop(depth) {
		const c = this.local(I32);
		this.emit(0x41, ...sleb(BigInt(1 + this.r.int(8))), 0x21,
			...uleb(c));
		this.emit(0x02, 0x40, 0x03, 0x40);
		this.labels.push(true, true);
		this.emit(0x20, ...uleb(c), 0x45, 0x0d, 0x01); // eqz, br_if 1
		this.emit(0x20, ...uleb(c), 0x41, 0x01, 0x6b, 0x21, ...uleb(c));
		this.stmts(depth, 3);
		this.emit(0x0c, 0x00); // br 0: back to the loop
		this.emit(0x0b, 0x0b);
		this.labels.length -= 2;
	}

	// A funcref: null or one of the module's functions.
	funcref() {
		if (this.r.chance(0.3))
			this.emit(0xd0, 0x70); // ref.null func
		else
			this.emit(0xd2, ...uleb(this.r.int(this.g.funcs.length)));
	}

	// An i32 from table 0: size, grow, or whether an entry is null.
	tableExpr(depth) {
		const k = this.r.int(3);
		if (k === 0) {
			this.emit(0xfc, 0x10, 0x00); // table.size
		} else if (k === 1) {
			this.funcref();
			this.emit(0x41, ...sleb(BigInt(this.r.int(3))));
			this.emit(0xfc, 0x0f, 0x00); // table.grow
		} else {
			this.emit(0x41, ...sleb(BigInt(this.r.int(
				this.g.funcs.length + 2))));
			this.emit(0x25, 0x00, 0xd1); // table.get, ref.is_null
		}
	}

	// table.set / table.fill / memory.init / data.drop.
	tableStmt(depth) {
		const r = this.r;
		const idx = () => this.emit(0x41, ...sleb(BigInt(r.int(
			this.g.funcs.length + 2))));
		switch (r.int(4)) {
		case 0:
			idx();
			this.funcref();
			this.emit(0x26, 0x00); // table.set
			return;
		case 1:
			idx();
			this.funcref();
			idx();
			this.emit(0xfc, 0x11, 0x00); // table.fill
			return;
		case 2:
			this.address(depth);
			this.emit(0x41, ...sleb(BigInt(r.int(24))));
			this.emit(0x41, ...sleb(BigInt(r.int(24))));
			this.emit(0xfc, 0x08, 0x00, 0x00); // memory.init 0
			return;
		default:
			this.emit(0xfc, 0x09, 0x00); // data.drop 0
		}
	}

	// br_table over the targetable labels (loops included).
	brTable(depth) {
		const n = this.r.int(5);
		const targets = [];
		for (let i = 0; i <= n; i++)
			targets.push(this.branchTarget());
		this.expr(I32, depth);
		this.emit(0x0e, ...uleb(n), ...targets.flatMap((t) => uleb(t)));
	}

	stmt(depth) {
		const r = this.r;
		const d = depth - 1;
		switch (r.int(depth > 0 ? 11 : 4)) {
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
		case 3: // drop
			this.expr(r.pick(VALTYPES), d);
			this.emit(0x1a);
			return;
		case 4:
			this.loop(d);
			return;
		case 5: // if without else
			this.expr(I32, d);
			this.emit(0x04, 0x40);
			this.labels.push(true);
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
				this.emit(0x41, ...sleb(BigInt(r.int(300))));
				this.emit(0xfc, 0x0b, 0x00);
			} else {
				this.address(d);
				this.emit(0x41, ...sleb(BigInt(r.int(300))));
				this.emit(0xfc, 0x0a, 0x00, 0x00);
			}
			return;
		case 8:
			this.tableStmt(d);
			return;
		default:
			this.callStmt(d);
		}
	}

	// A block with a conditional exit (br_if) or a br_table.
	block(d) {
		this.emit(0x02, 0x40);
		this.labels.push(true);
		this.stmts(d, 2);
		if (this.r.chance(0.7)) {
			this.expr(I32, d);
			this.emit(0x0d, ...uleb(this.branchTarget()));
		} else {
			this.brTable(d);
		}
		this.stmts(d, 2);
		this.emit(0x0b);
		this.labels.pop();
	}

	// A call to an earlier function for its effects.
	callStmt(d) {
		const f = this.r.pick(this.g.funcs.slice(0, this.fn.index + 1));
		if (f.index === this.fn.index)
			return;
		for (const p of f.params)
			this.expr(p, d);
		this.emit(0x10, ...uleb(f.index));
		for (let i = 0; i < f.results.length; i++)
			this.emit(0x1a);
	}

	// A relative depth for br_if: the innermost targetable label.
	branchTarget() {
		const n = this.labels.length;
		const ok = [];
		for (let i = 0; i < n; i++)
			if (this.labels[n - 1 - i])
				ok.push(i);
		return this.r.pick(ok); // the block just opened is one
	}

	stmts(depth, max) {
		for (let n = this.r.int(max + 1); n > 0; n--)
			this.stmt(depth);
	}

	build() {
		this.stmts(3, 5);
		for (const t of this.fn.results)
			this.expr(t, 4);
		this.emit(0x0b);
		// Locals after the params, one run each.
		const decl = this.locals.slice(this.nparams)
			.map((t) => [1, t]);
		const bytes = [...vec(decl), ...this.out];
		return [...uleb(bytes.length), ...bytes];
	}
}

// The module for 'seed' as bytes.
export function genModule(seed) {
	const r = rng(seed);
	const g = { r, funcs: [], globals: [] };
	for (let i = 1 + r.int(4); i > 0; i--)
		g.globals.push(r.pick(VALTYPES));
	const nf = 1 + r.int(6);
	for (let i = 0; i < nf; i++) {
		const params = [], results = [];
		for (let n = r.int(4); n > 0; n--)
			params.push(r.pick(VALTYPES));
		for (let n = r.int(3); n > 0; n--)
			results.push(r.pick(VALTYPES));
		g.funcs.push({ index: i, type: i, params, results });
	}
	const types = g.funcs.map((f) =>
		[0x60, ...vec(f.params.map((t) => [t])),
			...vec(f.results.map((t) => [t]))]);
	const globals = g.globals.map((t) => {
		const init = { [I32]: [0x41, 0], [I64]: [0x42, 0],
			[F32]: [0x43, 0, 0, 0, 0],
			[F64]: [0x44, 0, 0, 0, 0, 0, 0, 0, 0] }[t];
		return [t, 1, ...init, 0x0b];
	});
	const exports = [[...str('mem'), 2, 0],
		...g.globals.map((_, i) => [...str('g' + i), 3, ...uleb(i)]),
		...g.funcs.map((f) => [...str('f' + f.index), 0, ...uleb(f.index)])];
	const bodies = g.funcs.map((f) => new Body(g, f).build());
	const elem = [0x00, 0x41, 0x00, 0x0b,
		...vec(g.funcs.map((f) => uleb(f.index)))];
	return new Uint8Array([
		0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
		...section(1, vec(types)),
		...section(3, vec(g.funcs.map((f) => uleb(f.type)))),
		...section(4, vec([[0x70, 0x00, ...uleb(nf)]])),
		...section(5, vec([[0x01, 0x01, 0x04]])),
		...section(6, vec(globals)),
		...section(7, vec(exports)),
		...section(9, vec([elem])),
		...section(12, uleb(1)),
		...section(10, vec(bodies)),
		...section(11, vec([[0x01, ...str('wasmix: passive data 0123')]])),
	]);
}
