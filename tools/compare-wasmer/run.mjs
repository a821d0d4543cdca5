// run.mjs: runs one WASIX module under Wasmer (@wasmer/sdk, Node, offline)
// the way 'wasmix run --dir ROOT::/' runs it: every file under ROOT appears
// at the same absolute guest path, the command starts in cwd "/".
//
//   node run.mjs ROOT PROG [--env K=V]... [--cwd DIR] [--stdin TEXT]
//                [--cmd NAME=FILE.wasm]... [--timeout MS] [--mount DIR]
//                -- ARGS...
//
// --mount DIR puts ROOT's files under the guest directory DIR instead of
// "/" (the counterpart of 'wasmix run --dir ROOT::DIR'); PROG is still
// relative to ROOT on the host.
// --cmd adds a command NAME to the package (Wasmer's counterpart of
// wasmix's --map-command). Prints one JSON line: {exit, reason, stdout,
// stderr} or {error}, plus "link" when a WebAssembly LinkError names the
// import that Wasmer does not provide. Always exits 0 itself. Must be run
// from a directory whose node_modules holds @wasmer/sdk (compare.sh
// installs it into a scratch directory; nothing is vendored here).
import { Wasmer } from "@wasmer/sdk/node";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, basename } from "node:path";

const args = process.argv.slice(2);
const root = args.shift();
const prog = args.shift();
const env = {};
const extra = {};
let cwd = "/";
let mount = "";
let stdin;
let timeoutMs = 30000;

function keyValue(s) {
	const i = s.indexOf("=");
	if (i < 1) throw new Error(`run.mjs: expected NAME=VALUE, got '${s}'`);
	return [s.slice(0, i), s.slice(i + 1)];
}

while (args.length && args[0] !== "--") {
	const o = args.shift();
	if (o === "--env") { const [k, v] = keyValue(args.shift()); env[k] = v; }
	else if (o === "--cmd") { const [k, v] = keyValue(args.shift()); extra[k] = v; }
	else if (o === "--cwd") cwd = args.shift();
	else if (o === "--stdin") stdin = args.shift();
	else if (o === "--timeout") timeoutMs = Number(args.shift());
	else if (o === "--mount") mount = args.shift().replace(/\/+$/, "");
	else throw new Error(`run.mjs: unknown option ${o}`);
}
args.shift();

const files = {};
(function walk(dir, guest) {
	for (const n of readdirSync(dir)) {
		const p = join(dir, n);
		if (statSync(p).isDirectory()) walk(p, `${guest}/${n}`);
		else files[`${guest}/${n}`] = readFileSync(p);
	}
})(root, mount);

// The SDK logs worker failures with long stacks; keep only the LinkError.
const linkRe = /Import #\d+ module="[^"]*" function="[^"]*"[^\n]*/;
let link;
console.error = (...x) => {
	const m = x.map(String).join(" ").match(linkRe);
	if (m && !link) link = m[0];
};

const name = basename(prog);
const modules = { app: readFileSync(join(root, prog)) };
const commands = { [name]: { module: "app" } };
for (const [k, f] of Object.entries(extra)) {
	modules[`m_${k}`] = readFileSync(f);
	commands[k] = { module: `m_${k}` };
}

const wasmer = new Wasmer({ cache: false });
let res;
try {
	const pkg = await wasmer.packages.create({ modules, commands, entrypoint: name, files });
	const sandbox = await wasmer.sandboxes.create({ packages: [pkg], env });
	const out = await sandbox.command(pkg, args, { cwd }).run({ check: false, timeoutMs, stdin });
	res = {
		exit: out.exitCode,
		reason: out.reason,
		stdout: out.stdout.text(),
		stderr: out.stderr.text(),
	};
	await sandbox.close().catch(() => {});
} catch (e) {
	res = { error: `${e.code}: ${String(e.message).split("\n")[0]}` };
}
try {
	await wasmer.close();
} catch (e) {
	const m = String(e.message).match(linkRe);
	if (m && !link) link = m[0];
}
if (link) res.link = link;
process.stdout.write(`${JSON.stringify(res)}\n`);
process.exit(0);
