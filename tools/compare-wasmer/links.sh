#!/bin/sh
# links.sh: which WASIX imports Wasmer (@wasmer/sdk under Node) links.
# For every function of shared/spec/wasix_32v1.tsv, plus the SDK's extra
# imports (proc_exec4, proc_spawn3, proc_raise_interval2, proc_raise) and
# a made-up name, builds a module that imports only that function and
# exits 0, and runs it: "links" or "NO" (exit 45, a LinkError). Needs
# compare.sh to have installed the SDK into $CMP_DIR first. About 2 s a
# module. Not part of 'make test'.
here=$(cd "$(dirname "$0")" && pwd)
TSV=${WASIX_TSV:-$here/../../../shared/spec/wasix_32v1.tsv}
D=${CMP_DIR:-/tmp/compare-wasmer}
[ -f "$TSV" ] || { echo "links.sh: no $TSV" >&2; exit 1; }
[ -d "$D/node_modules/@wasmer/sdk" ] || { echo "links.sh: run compare.sh first" >&2; exit 1; }
cp "$here/run.mjs" "$D/run.mjs"
L=$D/links
rm -rf "$L" && mkdir -p "$L"
{
	awk -F'\t' 'NR > 1 {
		sig = $2; split(sig, a, "->"); p = a[1]; r = a[2]
		gsub(/[(),]/, " ", p); gsub(/[()]/, "", r)
		printf "%s\t(param %s)%s\n", $1, p, (r == "void" ? "" : " (result " r ")")
	}' "$TSV"
	printf 'proc_exec4\t(param i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)\n'
	printf 'proc_spawn3\t(param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)\n'
	printf 'proc_raise_interval2\t(param i32 i32 i32) (result i32)\n'
	printf 'proc_raise\t(param i32) (result i32)\n'
	printf 'bogus_fn\t(param i32) (result i32)\n'
} | while IFS='	' read -r name sig; do
	cat >"$L/$name.wat" <<W
(module
 (import "wasix_32v1" "$name" (func \$f $sig))
 (import "wasi_snapshot_preview1" "proc_exit" (func \$exit (param i32)))
 (memory (export "memory") 1)
 (func (export "_start") (call \$exit (i32.const 0))))
W
	wat2wasm "$L/$name.wat" -o "$L/$name.wasm" || { echo "$name: wat2wasm failed"; continue; }
	r=$(cd "$D" && timeout 60 node run.mjs "$L" "$name.wasm" -- 2>/dev/null)
	case $r in
	*'"exit":0,'*) echo "links $name" ;;
	*) echo "NO    $name: $r" ;;
	esac
done
