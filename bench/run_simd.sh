#!/bin/sh
# run_simd.sh BUILD_DIR: the SIMD kernels (called by 'make bench-simd').
#
# Builds each bench/simd/*.c natively (gcc -O2, the scalar source) and
# twice to wasm32-wasi (clang -O2: scalar; clang -O2 -msimd128: the
# wasm_simd128.h path) into BUILD_DIR/bench-simd/, runs native, both wasm
# builds under BUILD_DIR/wasmix and the SIMD build under node, checks that
# all print the same line, and prints the best wall-clock time of
# BENCH_RUNS runs each with the ratios that matter: SIMD over scalar under
# wasmix, and native time over each engine's time (1.0x = native speed).
# Knobs as bench/run.sh: BENCH_RUNS, BENCH_SCALE, BENCH_TIMEOUT, NODE,
# BENCH_CC, WASM_CC. WAMR=path/to/iwasm (a WAMR fast interpreter with
# SIMD, built outside the repo, never committed) also runs the SIMD build
# there and prints its time and WAMR's time over wasmix's.

B=${1:-build}
OUT=$B/bench-simd
RUNS=${BENCH_RUNS:-3}
SCALE=${BENCH_SCALE:-1}
TMO=${BENCH_TIMEOUT:-600}
NODE=${NODE:-node}
NCC=${BENCH_CC:-gcc}
WCC=${WASM_CC:-clang}
HERE=$(dirname "$0")
. "$HERE/lib.sh"

die() {
	echo "bench/run_simd.sh: $*" >&2
	exit 1
}

[ -x "$B/wasmix" ] || die "$B/wasmix not built"
mkdir -p "$OUT" || die "cannot create $OUT"
command -v "$NODE" >/dev/null 2>&1 || NODE=
WAMR=${WAMR:-}
[ -z "$WAMR" ] || [ -x "$WAMR" ] || die "WAMR=$WAMR is not executable"

kernels=$(for f in "$HERE"/simd/*.c; do basename "$f" .c; done)
for k in $kernels; do
	src=$HERE/simd/$k.c
	$NCC -O2 "$src" -o "$OUT/$k" -lm || die "cannot build $k"
	$WCC --target=wasm32-wasi -O2 "$src" -o "$OUT/$k.scalar.wasm" ||
		die "cannot build $k.scalar.wasm"
	$WCC --target=wasm32-wasi -O2 -msimd128 "$src" \
		-o "$OUT/$k.simd.wasm" || die "cannot build $k.simd.wasm"
done

echo "wasmix SIMD benchmark: best of $RUNS, scale $SCALE, $(date -u +%F)" >&2
printf '%-9s %8s %10s %10s %9s %9s %9s %12s %11s %10s  %s\n' kernel \
	"native s" "scalar s" "simd s" "node s" "wamr s" "simd/scl" \
	"simd/native" "node/native" "wamr/simd" check
bad=0
for k in $kernels; do
	tn=$(bench_best "$OUT/$k.native" "$TMO" "$OUT/$k" "$SCALE")
	ts=$(bench_best "$OUT/$k.scalar" "$TMO" "$B/wasmix" run \
		"$OUT/$k.scalar.wasm" "$SCALE")
	tv=$(bench_best "$OUT/$k.simd" "$TMO" "$B/wasmix" run \
		"$OUT/$k.simd.wasm" "$SCALE")
	tj=-
	if [ -n "$NODE" ]; then
		tj=$(bench_best "$OUT/$k.node" "$TMO" "$NODE" --no-warnings \
			"$HERE/run_node.mjs" "$OUT/$k.simd.wasm" "$SCALE")
	fi
	tw=-
	if [ -n "$WAMR" ]; then
		tw=$(bench_best "$OUT/$k.wamr" "$TMO" "$WAMR" \
			"$OUT/$k.simd.wasm" "$SCALE")
	fi
	check=ok
	for e in scalar simd node wamr; do
		[ "$e" = node ] && [ -z "$NODE" ] && continue
		[ "$e" = wamr ] && [ -z "$WAMR" ] && continue
		cmp -s "$OUT/$k.native.out" "$OUT/$k.$e.out" ||
			check="MISMATCH($e)"
	done
	[ "$check" = ok ] || bad=1
	echo "$k $tn $ts $tv $tj $tw $check"
done | awk '
function secs(us) { return us ~ /^[0-9]+$/ ? sprintf("%.3f", us / 1e6) : us }
function ratio(n, e) {
	if (n !~ /^[0-9]+$/ || e !~ /^[0-9]+$/ || e == 0) return "-"
	return sprintf("%.3fx", n / e)
}
{
	printf "%-9s %8s %10s %10s %9s %9s %9s %12s %11s %10s  %s\n", $1,
	       secs($2), secs($3), secs($4), secs($5), secs($6), ratio($3, $4),
	       ratio($2, $4), ratio($2, $5), ratio($6, $4), $7
	if ($7 != "ok") bad = 1
}
END { exit bad }'
