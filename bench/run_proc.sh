#!/bin/sh
# run_proc.sh BUILD_DIR: the process benchmark (called by 'make bench').
#
# Builds bench/proc/bp_proc.c natively (cc -O2) and as a WASIX guest
# (sdk/wasmix-cc -O2, BUILD_DIR/sdk/libwasix.a) and times, best of
# BENCH_RUNS runs each:
#   rt     BENCH_RT rounds of fork + exec of a trivial program + wait
#   pipe   a 3-stage pipeline (gen | cat | count) pushing BENCH_MB MiB
# Prints a table with the time per round trip / the throughput, and the
# ratio native time / wasmix time (1.0x is native speed).
#
# Knobs (environment): BENCH_RUNS=3 BENCH_RT=200 BENCH_MB=100 CC WASM_CC

B=${1:-build}
OUT=$B/bench/proc
RUNS=${BENCH_RUNS:-3}
NRT=${BENCH_RT:-200}
MB=${BENCH_MB:-100}
NCC=${BENCH_CC:-cc}
. "$(dirname "$0")/lib.sh"

die() {
	echo "bench/run_proc.sh: $*" >&2
	exit 1
}

[ -x "$B/wasmix" ] || die "$B/wasmix not built"
[ -f "$B/sdk/libwasix.a" ] || die "$B/sdk/libwasix.a not built"
mkdir -p "$OUT/native" "$OUT/wasm" || die "cannot create $OUT"
OUT=$(cd "$OUT" && pwd)
W=$(cd "$B" && pwd)/wasmix
SDKLIB=$(cd "$B/sdk" && pwd)

$NCC -O2 -o "$OUT/native/bp_proc" bench/proc/bp_proc.c ||
	die "cannot build natively"
WASMIX_SDK_LIB=$SDKLIB sh sdk/wasmix-cc -O2 -o "$OUT/wasm/bp_proc" \
	bench/proc/bp_proc.c || die "cannot build the guest"

# The guest runs with its build directory as "/".
wasm="env -C $OUT/wasm $W run --dir .::/ bp_proc --"
n_rt=$(bench_best /dev/null 600 "$OUT/native/bp_proc" rt "$NRT" "$OUT/native")
w_rt=$(bench_best /dev/null 600 $wasm rt "$NRT" /)
n_pipe=$(bench_best /dev/null 600 "$OUT/native/bp_proc" pipe "$MB" \
	"$OUT/native")
w_pipe=$(bench_best /dev/null 600 $wasm pipe "$MB" /)

echo "process benchmark (best of $RUNS; ratio = native / wasmix time)"
printf '%-34s %14s %14s %8s\n' case native wasmix ratio
echo "$n_rt $w_rt $NRT" | awk '{
	if ($1 == "fail" || $2 == "fail") { printf "%-34s %14s %14s %8s\n",
		"fork+exec+wait round trip", $1, $2, "-"; exit }
	printf "%-34s %11.0f us %11.0f us %7.2fx\n", "fork+exec+wait round trip",
		$1 / $3, $2 / $3, $1 / $2 }'
echo "$n_pipe $w_pipe $MB" | awk '{
	if ($1 == "fail" || $2 == "fail") { printf "%-34s %14s %14s %8s\n",
		"3-stage pipeline", $1, $2, "-"; exit }
	printf "%-34s %9.0f MiB/s %9.0f MiB/s %7.2fx\n",
		"3-stage pipeline, " $3 " MiB", $3 / ($1 / 1e6), $3 / ($2 / 1e6), $1 / $2 }'
