#!/bin/sh
# wat-diff.sh BUILD_DIR [SPEC_DIR]: the differential check of wasmix's text
# front end against wabt's (by hand; needs wabt's wast2json).
#
# For every .wast file of the 2.0 suite (SPEC_DIR, default
# ../shared/testdata/wasm-spec, its proposals/threads too), wast2json and
# 'wasmix-spec --write-modules' each write one .wasm per module, numbered
# in the same order (every module of the script, assertions included).
# Each module wabt converts is compared byte for byte with wasmix's.
# Prints each difference, then "identical N, different M, missing K";
# exits 1 if anything differs or is missing, except the legitimate encoding
# differences listed in expected.txt beside this script (and docs/wat.md).
#
# The 2.0 files go through the same rewrite as 'make spec-json' (SPEC_FIXUP:
# wabt 1.0.32 lacks the implicit table index); comments.wast crashes
# wabt's lexer and is left out.
set -u
B=${1:-build}
S=${2:-../shared/testdata/wasm-spec}
T=$B/wat-diff
rm -rf "$T"
mkdir -p "$T/wabt" "$T/ours" "$T/src"
fix() {
	sed -E -e 's/\((table\.(get|set|fill|grow)) \(/(\1 0 (/g' \
		-e 's/(table\.size)\)/\1 0)/g' \
		-e 's/\(if \(i32\.const 1\) \(i32\.eqz\) \(then\)/(if (i32.eqz (i32.const 1)) (then)/' "$1"
}
for f in "$S"/*.wast "$S"/proposals/threads/*.wast; do
	n=$(basename "$f" .wast)
	[ "$n" = comments ] && continue
	case $f in */threads/*) n=threads_$n ;; esac
	fix "$f" >"$T/src/$n.wast"
	wast2json --enable-threads "$T/src/$n.wast" -o "$T/wabt/$n.json" \
		>/dev/null 2>&1
done
"$B/wasmix-spec" --wasm2 --write-modules "$T/ours" "$T"/src/*.wast >/dev/null
same=0
expected=0
diff=0
missing=0
for w in "$T"/wabt/*.wasm; do
	base=$(basename "$w" .wasm)   # NAME.K
	n=${base%.*}
	k=${base##*.}
	o=$T/ours/src_$n.wast.$k.wasm  # display name "src/NAME.wast"
	if [ ! -f "$o" ]; then
		echo "MISSING $n.wast module $k (wasmix rejected its text)"
		missing=$((missing + 1))
	elif cmp -s "$w" "$o"; then
		same=$((same + 1))
	elif grep -q "^$n.wast:$k " "$(dirname "$0")/expected.txt"; then
		echo "EXPECTED $n.wast module $k: $(grep "^$n.wast:$k " \
			"$(dirname "$0")/expected.txt" | cut -d' ' -f2-)"
		expected=$((expected + 1))
	else
		echo "DIFF $n.wast module $k: $w $o"
		diff=$((diff + 1))
	fi
done
echo "identical $same, listed differences $expected, different $diff, missing $missing"
[ "$diff" -eq 0 ] && [ "$missing" -eq 0 ]
