// run_node.mjs PROG.wasm [ARGS...]: runs a WASI preview1 command module
// under Node's built-in node:wasi (V8: Liftoff, then TurboFan), so that
// bench/run.sh can compare wasmix with a JIT on the very same .wasm file.
// The guest sees PROG.wasm as argv[0], no environment, and host stdio;
// its exit status becomes node's.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const [path, ...rest] = process.argv.slice(2);
if (path === undefined) {
	console.error('usage: node run_node.mjs PROG.wasm [ARGS...]');
	process.exit(2);
}
const wasi = new WASI({
	version: 'preview1',
	args: [path, ...rest],
	env: {},
	returnOnExit: true,
});
const module = await WebAssembly.compile(await readFile(path));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
