#!/bin/sh
# run_threads.sh BUILD_DIR: the futex lock benchmark (called by
# 'make bench' after run.sh). Builds bench/threads/futex_lock.c natively
# (gcc -O2 -pthread) and for wasm (clang, atomics, shared imported
# memory) for an uncontended run (1 thread) and a contended one
# (BENCH_LOCK_THREADS threads, 4 by default, on one mutex), runs each
# BENCH_RUNS times, and prints the best wall-clock times and the ratio
# native time / wasmix time (1.0x is native speed). The checksum line
# (the final counter) must match. Knobs: BENCH_RUNS=3, BENCH_LOCK_ITERS
# (lock/unlock pairs per thread, default 2000000 uncontended, 500000
# contended), BENCH_LOCK_THREADS=4, CC=gcc WASM_CC=clang.

B=${1:-build}
OUT=$B/bench/threads
RUNS=${BENCH_RUNS:-3}
NCC=${BENCH_CC:-gcc}
WCC=${WASM_CC:-clang}
NT=${BENCH_LOCK_THREADS:-4}
HERE=$(dirname "$0")
. "$HERE/lib.sh"
SRC=$HERE/threads/futex_lock.c

die() {
	echo "bench/run_threads.sh: $*" >&2
	exit 1
}

[ -x "$B/wasmix" ] || die "$B/wasmix not built"
mkdir -p "$OUT" || die "cannot create $OUT"

# build NAME NTHREADS ITERS
build() {
	$NCC -O2 -pthread -DNTHREADS="$2" -DITERS="$3" "$SRC" \
		-o "$OUT/$1" || die "cannot build $1"
	$WCC --target=wasm32-wasi -O2 -matomics -mbulk-memory -nostdlib \
		-DNTHREADS="$2" -DITERS="$3" \
		-Wl,--import-memory,--shared-memory \
		-Wl,--max-memory=4194304,--export=_start \
		"$SRC" "$HERE/../tests/threads/guest_start.s" \
		-o "$OUT/$1.wasm" || die "cannot build $1.wasm"
}

build uncontended 1 "${BENCH_LOCK_ITERS:-2000000}"
build contended "$NT" "${BENCH_LOCK_ITERS:-500000}"

echo "futex lock/unlock: best of $RUNS" >&2
printf '%-22s %10s %10s %14s  %s\n' case "native s" "wasmix s" \
	wasmix/native check
bad=0
for c in uncontended contended; do
	tn=$(bench_best "$OUT/$c.native" 600 "$OUT/$c")
	tw=$(bench_best "$OUT/$c.wasmix" 600 "$B/wasmix" run "$OUT/$c.wasm")
	check=ok
	cmp -s "$OUT/$c.native.out" "$OUT/$c.wasmix.out" ||
		{ check=MISMATCH; bad=1; }
	label=$c
	[ "$c" = contended ] && label="contended ($NT thr)"
	awk -v l="$label" -v n="$tn" -v w="$tw" -v c="$check" '
	function secs(us) {
		if (us ~ /^[0-9]+$/) return sprintf("%.3f", us / 1e6)
		return us
	}
	BEGIN {
		r = "-"
		if (n ~ /^[0-9]+$/ && w ~ /^[0-9]+$/ && w > 0)
			r = sprintf("%.3fx", n / w)
		printf "%-22s %10s %10s %14s  %s\n", l, secs(n), secs(w), r, c
	}'
done
exit $bad
