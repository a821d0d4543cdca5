#!/bin/sh
# run_aot.sh BUILD_DIR: the compiled tier against its alternatives, side by
# side in one run (docs/aot.md). For each program: native (gcc -O2), the
# wasmix interpreter, wasmix compiled (--aot, the cache warm: compile time
# is reported apart), node (V8), and wabt's wasm2c + gcc -O2 with
# bench/aot/w2c_wasi.c (when /usr/bin/wasm2c and its runtime
# /usr/share/wabt/wasm2c/wasm-rt-impl.c are installed; the column says
# why not otherwise). Prints best-of-BENCH_RUNS wall-clock seconds and
# ratios native/engine (1.000x is native speed), checks that every engine
# printed what native printed, and writes BUILD_DIR/bench/aot.csv.
#
# Programs: bench/kernels/*.c (built here), and CoreMark when
# COREMARK_WASM and COREMARK_NATIVE name builds of it made beside the
# project (its sources are not in the repository; docs/aot.md says how
# they were built). CoreMark is compared by its own "Iterations/Sec"
# line rather than wall time.
#
# Knobs: BENCH_RUNS=3, BENCH_KERNELS="fib sort", BENCH_SCALE=1,
# BENCH_TIMEOUT=600, NODE=node, BENCH_CC=gcc, WASM_CC=clang,
# BENCH_INTERP=0 to leave out the (slow) interpreter column.

B=${1:-build}
OUT=$B/bench
RUNS=${BENCH_RUNS:-3}
SCALE=${BENCH_SCALE:-1}
TMO=${BENCH_TIMEOUT:-600}
NODE=${NODE:-node}
NCC=${BENCH_CC:-gcc}
WCC=${WASM_CC:-clang}
INTERP=${BENCH_INTERP:-1}
HERE=$(dirname "$0")
W2C_RT=/usr/share/wabt/wasm2c
. "$HERE/lib.sh"

die() {
	echo "bench/run_aot.sh: $*" >&2
	exit 1
}

[ -x "$B/wasmix" ] || die "$B/wasmix not built"
mkdir -p "$OUT/w2c" || die "cannot create $OUT"
command -v "$NODE" >/dev/null 2>&1 || NODE=
W2C=
if ! command -v wasm2c >/dev/null 2>&1; then
	echo "wasm2c column skipped: no wasm2c (Debian package wabt)" >&2
elif [ ! -f "$W2C_RT/wasm-rt-impl.c" ]; then
	echo "wasm2c column skipped: no $W2C_RT/wasm-rt-impl.c" >&2
else
	W2C=1
fi
# The cache of this run only, never the user's.
XDG_CACHE_HOME=$OUT/aot-cache
export XDG_CACHE_HOME

kernels=${BENCH_KERNELS:-$(for f in "$HERE"/kernels/*.c; do
	basename "$f" .c
done)}

# w2c NAME WASM: builds OUT/w2c/NAME from WASM with wasm2c; 0 on success.
w2c() {
	[ -n "$W2C" ] || return 1
	d=$OUT/w2c/$1
	if [ ! -x "$d/prog" ] || [ "$2" -nt "$d/prog" ]; then
		mkdir -p "$d" &&
			wasm2c -n m "$2" -o "$d/m.c" &&
			$NCC -O2 -I"$d" -I"$W2C_RT" -DW2C_HEADER='"m.h"' \
				"$d/m.c" "$W2C_RT/wasm-rt-impl.c" \
				"$HERE/aot/w2c_wasi.c" -o "$d/prog" -lm ||
			return 1
	fi
	return 0
}

# compile_ms WASM: milliseconds 'wasmix compile' takes (cache cold).
compile_ms() {
	rm -rf "$XDG_CACHE_HOME"
	_s=$(date +%s%N)
	"$B/wasmix" compile "$1" >/dev/null 2>&1 || {
		echo fail
		return
	}
	_e=$(date +%s%N)
	echo $(((_e - _s) / 1000000))
}

csv=$OUT/aot.csv
echo "program,native_us,interp_us,aot_us,node_us,w2c_us,compile_ms,check" >"$csv"
echo "wasmix compiled tier: best of $RUNS, scale $SCALE, $(date -u +%F)" >&2

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
	echo "  running $k ..." >&2
	cms=$(compile_ms "$OUT/$k.wasm")
	tn=$(bench_best "$OUT/$k.native" "$TMO" "$OUT/$k" "$SCALE")
	ti=-
	[ "$INTERP" = 1 ] && ti=$(bench_best "$OUT/$k.interp" "$TMO" \
		"$B/wasmix" run --interp "$OUT/$k.wasm" "$SCALE")
	ta=$(bench_best "$OUT/$k.aot" "$TMO" "$B/wasmix" run --aot \
		"$OUT/$k.wasm" "$SCALE")
	tj=-
	[ -n "$NODE" ] && tj=$(bench_best "$OUT/$k.node" "$TMO" "$NODE" \
		--no-warnings "$HERE/run_node.mjs" "$OUT/$k.wasm" "$SCALE")
	tc=-
	w2c "$k" "$OUT/$k.wasm" && tc=$(bench_best "$OUT/$k.w2c" "$TMO" \
		"$OUT/w2c/$k/prog" "$SCALE")
	check=ok
	for e in interp aot node w2c; do
		[ -f "$OUT/$k.$e.out" ] || continue
		cmp -s "$OUT/$k.native.out" "$OUT/$k.$e.out" ||
			check="MISMATCH($e)"
	done
	rm -f "$OUT/$k".*.out
	echo "$k,$tn,$ti,$ta,$tj,$tc,$cms,$check" >>"$csv"
done

# CoreMark: iterations per second from its own output; 'time' columns
# hold 1e12 / (it/s) so that ratios read the same way as the others.
cm_rate() {
	_best=
	_i=0
	while [ "$_i" -lt "$RUNS" ]; do
		r=$(timeout "$TMO" "$@" 2>/dev/null |
			sed -n 's/^Iterations\/Sec *: *\([0-9.]*\).*/\1/p')
		[ -n "$r" ] || {
			echo fail
			return
		}
		us=$(awk -v r="$r" 'BEGIN { printf "%d", 1e12 / r }')
		if [ -z "$_best" ] || [ "$us" -lt "$_best" ]; then _best=$us; fi
		_i=$((_i + 1))
	done
	echo "$_best"
}
if [ -n "$COREMARK_WASM" ] && [ -n "$COREMARK_NATIVE" ]; then
	echo "  running coremark ..." >&2
	cms=$(compile_ms "$COREMARK_WASM")
	tn=$(cm_rate "$COREMARK_NATIVE")
	ti=-
	[ "$INTERP" = 1 ] && [ -n "$COREMARK_INTERP_WASM" ] &&
		ti=$(cm_rate "$B/wasmix" run --interp "$COREMARK_INTERP_WASM")
	ta=$(cm_rate "$B/wasmix" run --aot "$COREMARK_WASM")
	tj=-
	[ -n "$NODE" ] && tj=$(cm_rate "$NODE" --no-warnings \
		"$HERE/run_node.mjs" "$COREMARK_WASM")
	tc=-
	w2c coremark "$COREMARK_WASM" && tc=$(cm_rate "$OUT/w2c/coremark/prog")
	echo "coremark,$tn,$ti,$ta,$tj,$tc,$cms,ok" >>"$csv"
else
	echo "coremark skipped: set COREMARK_WASM and COREMARK_NATIVE" >&2
fi

awk -F, -v w2c="${W2C:+1}" '
function secs(us) { return us ~ /^[0-9]+$/ ? sprintf("%.3f", us / 1e6) : us }
function ratio(n, e) {
	if (n !~ /^[0-9]+$/ || e !~ /^[0-9]+$/ || e == 0) return "-"
	return sprintf("%.3fx", n / e)
}
NR == 1 { next }
{
	printf "%-9s %8s %9s %9s %9s %9s %9s %8s  %s\n", $1, secs($2),
	       ratio($2, $3), ratio($2, $4), ratio($2, $5), ratio($2, $6),
	       ratio($5, $4), $7, $8
	for (c = 3; c <= 6; c++)
		if ($2 ~ /^[0-9]+$/ && $c ~ /^[0-9]+$/ && $c > 0) {
			lg[c] += log($2 / $c); ng[c]++
		}
	if ($8 != "ok") bad++
}
BEGIN {
	printf "%-9s %8s %9s %9s %9s %9s %9s %8s  %s\n", "program",
	       "native s", "interp", "aot", "node", "wasm2c", "aot/node",
	       "cc ms", "check"
}
END {
	printf "%-9s %8s", "geomean", ""
	for (c = 3; c <= 6; c++)
		printf " %9s", ng[c] ? sprintf("%.3fx", exp(lg[c] / ng[c])) : "-"
	printf "\n(ratios: native time / engine time; CoreMark by it/s)\n"
	exit bad ? 1 : 0
}' "$csv"
