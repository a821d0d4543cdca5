#!/bin/sh
# run.sh BUILD_DIR: the compute-kernel benchmark (called by 'make bench').
#
# Builds each bench/kernels/*.c natively (gcc -O2) and to wasm32-wasi
# (clang -O2) into BUILD_DIR/bench/, runs each kernel natively, under
# BUILD_DIR/wasmix and under node (V8, via bench/run_node.mjs), checks
# that all three print the same checksum, and prints a table of the best
# wall-clock time of BENCH_RUNS runs each, with speed ratios to native
# (native time / engine time: 1.0x is native speed, 0.05x is 20 times
# slower). See bench/README.md.
#
# Knobs (environment):
#   BENCH_RUNS=3          runs per kernel and engine; the best one counts
#   BENCH_KERNELS="a b"   only these kernels (default: all)
#   BENCH_SCALE=1         work multiplier passed to every kernel as argv[1]
#   BENCH_TIMEOUT=600     seconds before one run is killed (then "fail")
#   NODE=node             the node binary; the column is "-" without one
#   CC=gcc WASM_CC=clang

B=${1:-build}
OUT=$B/bench
RUNS=${BENCH_RUNS:-3}
SCALE=${BENCH_SCALE:-1}
TMO=${BENCH_TIMEOUT:-600}
NODE=${NODE:-node}
NCC=${BENCH_CC:-gcc}
WCC=${WASM_CC:-clang}
HERE=$(dirname "$0")
. "$HERE/lib.sh"

die() {
	echo "bench/run.sh: $*" >&2
	exit 1
}

[ -x "$B/wasmix" ] || die "$B/wasmix not built"
mkdir -p "$OUT" || die "cannot create $OUT"
command -v "$NODE" >/dev/null 2>&1 || NODE=

kernels=${BENCH_KERNELS:-$(for f in "$HERE"/kernels/*.c; do
	basename "$f" .c
done)}

for k in $kernels; do
	src=$HERE/kernels/$k.c
	[ -f "$src" ] || die "no kernel $src"
	if [ ! -x "$OUT/$k" ] || [ "$src" -nt "$OUT/$k" ]; then
		$NCC -O2 "$src" -o "$OUT/$k" || die "cannot build $k"
	fi
	if [ ! -f "$OUT/$k.wasm" ] || [ "$src" -nt "$OUT/$k.wasm" ]; then
		$WCC --target=wasm32-wasi -O2 "$src" -o "$OUT/$k.wasm" ||
			die "cannot build $k.wasm"
	fi
done


csv=$OUT/results.csv
echo "kernel,native_us,wasmix_us,node_us,check" >"$csv"
echo "wasmix benchmark: best of $RUNS, scale $SCALE, $(date -u +%F)" >&2
for k in $kernels; do
	echo "  running $k ..." >&2
	tn=$(bench_best "$OUT/$k.native" "$TMO" "$OUT/$k" "$SCALE")
	tw=$(bench_best "$OUT/$k.wasmix" "$TMO" "$B/wasmix" run \
		"$OUT/$k.wasm" "$SCALE")
	tj=-
	if [ -n "$NODE" ]; then
		tj=$(bench_best "$OUT/$k.node" "$TMO" "$NODE" --no-warnings \
			"$HERE/run_node.mjs" "$OUT/$k.wasm" "$SCALE")
	fi
	check=ok
	for e in wasmix node; do
		[ "$e" = node ] && [ -z "$NODE" ] && continue
		cmp -s "$OUT/$k.native.out" "$OUT/$k.$e.out" ||
			check="MISMATCH($e)"
	done
	echo "$k,$tn,$tw,$tj,$check" >>"$csv"
done

awk -F, '
function secs(us) { return us ~ /^[0-9]+$/ ? sprintf("%.3f", us / 1e6) : us }
function ratio(n, e) {
	if (n !~ /^[0-9]+$/ || e !~ /^[0-9]+$/ || e == 0) return "-"
	return sprintf("%.3fx", n / e)
}
NR == 1 { next }
{
	printf "%-10s %10s %10s %10s %14s %12s  %s\n", $1, secs($2),
	       secs($3), secs($4), ratio($2, $3), ratio($2, $4), $5
	if ($2 ~ /^[0-9]+$/ && $3 ~ /^[0-9]+$/ && $3 > 0) {
		lw += log($2 / $3); nw++
	}
	if ($2 ~ /^[0-9]+$/ && $4 ~ /^[0-9]+$/ && $4 > 0) {
		lj += log($2 / $4); nj++
	}
	if ($5 != "ok") bad++
}
BEGIN {
	printf "%-10s %10s %10s %10s %14s %12s  %s\n", "kernel", "native s",
	       "wasmix s", "node s", "wasmix/native", "node/native", "check"
}
END {
	printf "%-10s %10s %10s %10s %14s %12s\n", "geomean", "", "", "",
	       nw ? sprintf("%.3fx", exp(lw / nw)) : "-",
	       nj ? sprintf("%.3fx", exp(lj / nj)) : "-"
	exit bad ? 1 : 0
}' "$csv"
