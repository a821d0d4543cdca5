#!/bin/sh
# mkw.sh SRC.c... -o OUT.wasm [clang options]: builds a guest that Wasmer
# can fork. Wasmer's proc_fork unwinds and rewinds the guest stack with
# asyncify and copies an imported shared memory, so the module gets what
# wasix-libc programs have: __stack_pointer, __data_end and __heap_base
# exported, binaryen's --asyncify pass, and its memory turned into an
# imported shared "env"."memory" with the same initial size.
# Environment: MKW_CC (default clang; e.g. "sh sdk/wasmix-cc"), WASM_OPT
# (binaryen's wasm-opt, required). Needs wasm2wat/wat2wasm (wabt).
set -e
: "${WASM_OPT:?set WASM_OPT to binaryen's wasm-opt}"
out=
for a in "$@"; do
	[ "$prev" = -o ] && out=$a
	prev=$a
done
[ -n "$out" ] || { echo "mkw.sh: no -o OUT.wasm" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Build to $tmp/a.wasm: the last -o wins.
${MKW_CC:-clang} --target=wasm32-wasi -O2 -mmutable-globals "$@" \
	-Wl,--export=__stack_pointer -Wl,--export=__data_end \
	-Wl,--export=__heap_base -o "$tmp/a.wasm"
"$WASM_OPT" -O2 --asyncify "$tmp/a.wasm" -o "$tmp/b.wasm"
wasm2wat "$tmp/b.wasm" -o "$tmp/b.wat"
awk '
/^  \(memory \(;0;\) [0-9]+\)$/ { pages = $3; sub(/\)/, "", pages); next }
/^  \(import / { last = NR }
{ line[NR] = $0 }
END {
	if (pages == "") exit 1
	for (i = 1; i <= NR; i++) {
		if (i in line) print line[i]
		if (i == last)
			print "  (import \"env\" \"memory\" (memory (;0;) " pages " 65536 shared))"
	}
}' "$tmp/b.wat" >"$tmp/c.wat" || { echo "mkw.sh: no plain memory in $out" >&2; exit 1; }
wat2wasm --enable-threads "$tmp/c.wat" -o "$out"
