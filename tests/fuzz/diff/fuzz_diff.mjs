// fuzz_diff.mjs: differential test of wasmix against node's V8.
//
//   node fuzz_diff.mjs --driver BUILD/fuzz_diffrun [--gen N] [--seed S]
//                      [--out DIR] [--verbose] [FILE.wasm|DIR ...]
//
// For each module (the files and directories given, plus N modules from
// fuzz_gen.mjs, written to DIR so a difference can be replayed), runs
// fuzz_diffrun (wasmix) and replays the very same instantiation and calls
// in V8 with the same stub imports, comparing after each step:
//   - validation: V8 must compile every module wasmix validates;
//   - instantiation: success, trap or link error alike;
//   - each call: results (NaNs compared as "nan"), or trap vs no trap
//     (the engines word messages differently, so only trap-ness counts);
//   - state: the FNV-1a hash and page count of each exported memory,
//     the value of each exported global, and each exported table's size
//     and which exported function (or null) each element holds.
// Calls after wasmix ran out of fuel are not compared (V8 has no fuel).
// When only one engine exhausts its call stack, the module is counted as
// a 'limit' difference (the engines' stack depths differ by design) and
// the rest of it is skipped, since its state may now diverge.
//
// V8 flags: see setFlagsFromString below (node 20: typed function
// references). Generated modules must all be valid: one that either engine rejects
// is a generator bug, counted as 'generated rejected' and a failure.
//
// Prints one line per difference (with the module in base64 when it is
// at most 4 KiB, so that a CI log alone can reproduce it) and a
// summary; exits 1 if any real (non-limit) difference was found.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { genModule } from './fuzz_gen.mjs';

// Node 20's V8 (11.3) runs legacy exception handling and tail calls by
// default; typed function references need --experimental-wasm-typed-funcref
// (call_ref, ref.as_non_null) and --experimental-wasm-gc (br_on_null and
// br_on_non_null sit behind it); memory64 needs
// --experimental-wasm-memory64. Set before anything is compiled.
v8.setFlagsFromString('--experimental-wasm-typed-funcref');
v8.setFlagsFromString('--experimental-wasm-gc');
v8.setFlagsFromString('--experimental-wasm-memory64');

const opts = { driver: null, gen: 0, seed: 1, out: null, verbose: false };
const inputs = [];
for (let i = 2; i < process.argv.length; i++) {
	const a = process.argv[i];
	if (a === '--driver') opts.driver = process.argv[++i];
	else if (a === '--gen') opts.gen = Number(process.argv[++i]);
	else if (a === '--seed') opts.seed = Number(process.argv[++i]);
	else if (a === '--out') opts.out = process.argv[++i];
	else if (a === '--verbose') opts.verbose = true;
	else inputs.push(a);
}
if (!opts.driver) {
	console.error('usage: fuzz_diff.mjs --driver FUZZ_DIFFRUN [--gen N] ' +
		'[--seed S] [--out DIR] [FILE|DIR ...]');
	process.exit(2);
}

const fromHex = (h) => (h === '-' ? '' : Buffer.from(h, 'hex').toString());
const scratch = new DataView(new ArrayBuffer(8));

// TYPE:HEX (as printed by fuzz_diffrun) -> a JS argument.
function toJs(tok) {
	const [t, v] = tok.split(':');
	if (t === 'i32') return Number(BigInt.asIntN(32, BigInt('0x' + v)));
	if (t === 'i64') return BigInt.asIntN(64, BigInt('0x' + v));
	if (t === 'f32') {
		if (v === 'nan') return NaN;
		scratch.setUint32(0, Number(BigInt('0x' + v)));
		return scratch.getFloat32(0);
	}
	if (t === 'f64') {
		if (v === 'nan') return NaN;
		scratch.setBigUint64(0, BigInt('0x' + v));
		return scratch.getFloat64(0);
	}
	return null;
}

// A JS value of wasm type t -> TYPE:HEX as fuzz_diffrun prints it.
function fromJs(t, v) {
	if (t === 'i32') return 'i32:' + (v >>> 0).toString(16);
	if (t === 'i64') return 'i64:' + BigInt.asUintN(64, v).toString(16);
	if (t === 'f32' || t === 'f64') {
		if (Number.isNaN(v)) return t + ':nan';
		if (t === 'f32') {
			scratch.setFloat32(0, v);
			return 'f32:' + scratch.getUint32(0).toString(16);
		}
		scratch.setFloat64(0, v);
		return 'f64:' + scratch.getBigUint64(0).toString(16);
	}
	return v === null ? 'ref:null' : 'ref:nonnull';
}

const zero = (t) => (t === 'i64' ? 0n : t === 'funcref' ||
	t === 'externref' ? null : 0);
const jsType = { funcref: 'anyfunc', externref: 'externref' };

// Builds V8 imports from the 'import' lines; null if V8 cannot express
// them (two imports with one module and name but different objects).
function makeImports(lines) {
	const obj = {};
	for (const l of lines) {
		const f = l.split(' ');
		const mod = fromHex(f[1]), name = fromHex(f[2]);
		let v;
		if (f[3] === 'func') {
			const res = f[5] === '-' ? [] : f[5].split(',');
			v = () => (res.length === 0 ? undefined : res.length === 1
				? zero(res[0]) : res.map(zero));
		} else if (f[3] === 'memory') {
			const d = { initial: Number(f[4]) };
			if (f[5] !== '-') d.maximum = Number(f[5]);
			if (f[6] === '1') d.shared = true;
			v = new WebAssembly.Memory(d);
		} else if (f[3] === 'table') {
			const d = { element: jsType[f[4]], initial: Number(f[5]) };
			if (f[6] !== '-') d.maximum = Number(f[6]);
			v = new WebAssembly.Table(d);
		} else {
			v = new WebAssembly.Global({ value: jsType[f[4]] ?? f[4],
				mutable: f[5] === '1' }, zero(f[4]));
		}
		obj[mod] ??= {};
		if (name in obj[mod]) return null;
		obj[mod][name] = v;
	}
	return obj;
}

function fnv(bytes) {
	let h = 2166136261;
	for (let i = 0; i < bytes.length; i++)
		h = Math.imul(h ^ bytes[i], 16777619) >>> 0;
	return h.toString(16).padStart(8, '0');
}

// The elements of table 'tab' as fuzz_diffrun's table_hash sees them:
// "-" (null), the hex name of the first export that is the same
// function, or "?"; joined by "," and hashed.
function tableHash(inst, funcNames, tab) {
	const els = [];
	for (let i = 0; i < tab.length; i++) {
		const v = tab.get(i);
		if (v === null) {
			els.push('-');
			continue;
		}
		const hit = funcNames.find((n) => inst.exports[n] === v);
		els.push(hit === undefined ? '?'
			: Buffer.from(hit, 'utf8').toString('hex'));
	}
	return fnv(Buffer.from(els.join(','), 'utf8'));
}

// The 'state' line of V8's instance, in the form of 'want' (wasmix's).
function state(inst, want, mod) {
	const parts = ['state'];
	const funcNames = WebAssembly.Module.exports(mod)
		.filter((e) => e.kind === 'function').map((e) => e.name);
	for (const item of want.split(' ').slice(1)) {
		const [hname, kind] = item.split('=');
		const x = inst.exports[fromHex(hname)];
		if (kind.startsWith('table:')) {
			parts.push(`${hname}=table:${x.length}:` +
				tableHash(inst, funcNames, x));
		} else if (kind.startsWith('mem:')) {
			const b = new Uint8Array(x.buffer);
			parts.push(`${hname}=mem:${b.length / 65536}:${fnv(b)}`);
		} else {
			const t = kind.split(':')[1];
			const v = x.value;
			parts.push(`${hname}=global:${fromJs(t === 'ref' ?
				'ref' : t, v)}`);
		}
	}
	return parts.join(' ');
}

const isStack = (e) => e instanceof RangeError ||
	/call stack exhausted/.test(String(e));
// An exception no wasm code caught: wasmix makes it the trap "uncaught
// exception", V8 throws a WebAssembly.Exception.
const isExn = (e) => typeof WebAssembly.Exception === 'function' &&
	e instanceof WebAssembly.Exception;

// Runs V8's side of one call line; returns its outcome text.
function callV8(inst, types, line) {
	const [lhs] = line.split(' => ');
	const f = lhs.split(' ');
	const fn = inst.exports[fromHex(f[1])];
	const args = f.slice(2).map(toJs);
	try {
		let r = fn(...args);
		if (types.length === 0) return 'ok';
		if (types.length === 1) r = [r];
		return 'ok ' + [...r].map((v, i) => fromJs(types[i], v)).join(' ');
	} catch (e) {
		return isStack(e) ? 'trap-stack' : isExn(e) ? 'trap-exn'
			: e instanceof WebAssembly.RuntimeError ? 'trap'
			: 'error ' + e;
	}
}

const stats = { modules: 0, skipped: 0, rejected: 0, calls: 0, same: 0, diffs: 0,
	limit: 0, traps: 0, genRejected: 0 };
const diffs = [];
const generated = new Set();
// Generated file -> the same module in V8 11's encoding of typed
// function references (fuzz_gen.mjs), which node 20 compiles instead.
const v8Bytes = new Map();

function b64(file) {
	const b = fs.readFileSync(file);
	return b.length <= 4096 ? `\n      base64: ${b.toString('base64')}` : '';
}

function differ(file, what, wasmix, v8, limit) {
	if (limit) stats.limit++;
	else stats.diffs++;
	diffs.push(`${limit ? 'LIMIT' : 'DIFF '} ${file}: ${what}\n` +
		`      wasmix: ${wasmix}\n      v8:     ${v8}` +
		(limit ? '' : b64(file)));
}

// A generated module both engines reject: the generator is wrong.
function genReject(file, why) {
	stats.genRejected++;
	diffs.push(`GEN-REJECT ${file}: ${why}${b64(file)}`);
}

function runOne(file) {
	const bytes = v8Bytes.get(file) ?? fs.readFileSync(file);
	let out;
	try {
		out = execFileSync(opts.driver, [file], { encoding: 'utf8',
			timeout: 120000, maxBuffer: 1 << 28 });
	} catch (e) {
		differ(file, 'wasmix driver failed', e.message.split('\n')[0],
			'-', false);
		return;
	}
	const lines = out.trimEnd().split('\n');
	const inst0 = lines.findIndex((l) => l.startsWith('inst '));
	const instLine = lines[inst0];
	if (instLine.startsWith('inst invalid')) {
		// Both must reject it (V8 may word or locate it differently).
		stats.rejected++;
		let ok = true;
		try { new WebAssembly.Module(bytes); } catch (e) { ok = false; }
		if (ok)
			differ(file, 'validation', instLine, 'valid', false);
		else if (generated.has(file))
			genReject(file, instLine);
		return;
	}
	stats.modules++;
	let mod;
	try {
		mod = new WebAssembly.Module(bytes);
	} catch (e) {
		differ(file, 'validation', 'valid', String(e), false);
		return;
	}
	const imports = makeImports(lines.slice(0, inst0));
	if (imports === null || instLine === 'inst fuel') {
		stats.skipped++;
		return;
	}
	let inst;
	try {
		inst = new WebAssembly.Instance(mod, imports);
	} catch (e) {
		const v8 = isStack(e) ? 'trap-stack' : isExn(e) || e instanceof
			WebAssembly.RuntimeError ? 'trap' : 'error';
		const ours = instLine.split(' ')[1];
		if (ours !== v8 && !(ours === 'trap' && v8 === 'trap-stack'))
			differ(file, 'instantiation', instLine, `${v8} ${e}`,
				ours === 'ok' && v8 === 'trap-stack');
		return;
	}
	if (instLine !== 'inst ok') {
		differ(file, 'instantiation', instLine, 'ok', false);
		return;
	}
	compareCalls(file, mod, inst, lines.slice(inst0 + 1));
}

// Replays the 'call' lines and compares each outcome and state line.
function compareCalls(file, mod, inst, lines) {
	const fs0 = state(inst, lines[0], mod);
	if (fs0 !== lines[0]) {
		differ(file, 'state after instantiation', lines[0], fs0, false);
		return;
	}
	for (let i = 1; i + 1 < lines.length; i += 2) {
		const line = lines[i], want = lines[i + 1];
		const ours = line.split(' => ')[1];
		if (ours === 'fuel') return;
		const types = (ours.startsWith('ok') ? ours.split(' ').slice(1)
			: []).map((tok) => tok.split(':')[0]
			.replace(/^ref$/, 'funcref'));
		stats.calls++;
		let v8 = callV8(inst, types, line);
		const ourKind = ours.startsWith('trap') ?
			(/call stack exhausted/.test(ours) ? 'trap-stack'
			: /uncaught exception/.test(ours) ? 'trap-exn' : 'trap')
			: ours;
		if (ourKind.startsWith('trap')) stats.traps++;
		const same = ourKind === v8 || (ourKind.startsWith('trap') &&
			v8.startsWith('trap') && (ourKind === 'trap-stack') ===
			(v8 === 'trap-stack') && (ourKind === 'trap-exn') ===
			(v8 === 'trap-exn'));
		if (!same) {
			const limit = ourKind === 'trap-stack' ||
				v8 === 'trap-stack';
			differ(file, line.split(' => ')[0], ours, v8, limit);
			return;
		}
		const got = state(inst, want, mod);
		if (got !== want) {
			differ(file, 'state after ' + line.split(' => ')[0],
				want, got, false);
			return;
		}
		stats.same++;
	}
}

function expand(p) {
	if (fs.statSync(p).isDirectory())
		return fs.readdirSync(p).filter((n) => n.endsWith('.wasm'))
			.sort().map((n) => path.join(p, n));
	return [p];
}

const files = inputs.flatMap(expand);
if (opts.gen > 0) {
	const dir = opts.out ?? fs.mkdtempSync('/tmp/fuzz-diff-');
	fs.mkdirSync(dir, { recursive: true });
	for (let i = 0; i < opts.gen; i++) {
		const f = path.join(dir, `gen-${opts.seed + i}.wasm`);
		fs.writeFileSync(f, genModule(opts.seed + i));
		v8Bytes.set(f, genModule(opts.seed + i, { v8: true }));
		files.push(f);
		generated.add(f);
	}
}
for (const f of files) {
	try {
		runOne(f);
	} catch (e) {
		differ(f, 'harness error', '-', String(e), false);
	}
}
for (const d of diffs) console.log(d);
const seeds = opts.gen > 0 ? `, seeds ${opts.seed}-${opts.seed + opts.gen - 1}`
	: '';
console.log(`fuzz_diff: ${files.length} files${seeds}, ${stats.rejected} ` +
	`rejected by both (${stats.genRejected} of them generated), ` +
	`${stats.modules} modules ` +
	`compared (${stats.skipped} skipped), ${stats.calls} calls ` +
	`(${stats.traps} traps), ${stats.same} identical; ` +
	`${stats.diffs} differences, ${stats.limit} limit differences`);
const bad = stats.diffs + stats.genRejected;
if (bad > 0)
	console.log(`fuzz_diff: FAILED: ${bad} difference(s) or invalid ` +
		`generated module(s); reproducers listed above (replay: node ` +
		`tests/fuzz/diff/fuzz_diff.mjs --driver ${opts.driver} FILE)`);
process.exit(bad > 0 ? 1 : 0);
