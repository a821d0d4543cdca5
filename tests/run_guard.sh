#!/bin/sh
# run_guard.sh BUILD_DIR: memory bounds through the wasmix command line, in
# each bounds-checking mode: guard pages (the default), explicit checks
# (WASMIX_BOUNDS_CHECKS=1), and the automatic fallback to explicit checks
# when 8 GiB of address space is not available ('ulimit -v' of 6.7 GiB,
# enough for the 4 GiB explicit-check reservation; skipped for
# an ASan build, whose shadow memory needs more). In-bounds accesses must
# work (exit 0) and out-of-bounds ones trap (exit 134, the spec message).
# Prints one line per failure, then "N passed, M failed"; exits 1 on failure.
#
# Called by 'make test' as: sh tests/run_guard.sh BUILD_DIR

B=${1:-build}
# The compiled tier's cache: never the user's (tests/lib.sh; 'make test'
# gives WASMIX_TEST_CACHE, else one under T, removed with it).
# Absolute: a relative XDG_CACHE_HOME is ignored (then ~/.cache).
XDG_CACHE_HOME=${WASMIX_TEST_CACHE:-$(cd "$B" && pwd)/tests-cache-$$}
export XDG_CACHE_HOME
W=$B/wasmix
T=$B/tests-guard
WAT2WASM=${WAT2WASM:-$W wat2wasm}
pass=0
nfail=0

[ -x "$W" ] || { echo "run_guard.sh: $W not built" >&2; exit 1; }
mkdir -p "$T" || exit 1
for src in tests/guard/*.wat; do
	out=$T/$(basename "$src" .wat).wasm
	$WAT2WASM "$src" -o "$out" || { echo "cannot build $src" >&2; exit 1; }
done

# check MODE WASM STATUS [STDERR]: runs WASM in MODE, compares.
check() {
	mode=$1 prog=$T/$2.wasm want=$3 msg=$4
	case $mode in
	guard) (WASMIX_BOUNDS_CHECKS=0 "$W" run "$prog") 2>"$T/err" ;;
	checks) (WASMIX_BOUNDS_CHECKS=1 "$W" run "$prog") 2>"$T/err" ;;
	ulimit) (ulimit -v 7000000 && "$W" run "$prog") 2>"$T/err" ;;
	esac
	got=$?
	if [ "$got" -ne "$want" ] ||
		{ [ -n "$msg" ] && ! grep -q "$msg" "$T/err"; }; then
		echo "FAIL $mode $2: status $got (want $want): $(cat "$T/err")"
		nfail=$((nfail + 1))
	else
		pass=$((pass + 1))
	fi
}

modes="guard checks ulimit"
if grep -aq __asan_init "$W"; then
	modes="guard checks"
fi
for m in $modes; do
	check "$m" edge 0
	check "$m" oob 134 "out of bounds memory access"
	check "$m" oob_max 134 "out of bounds memory access"
	check "$m" oob_grow 134 "out of bounds memory access"
done
if [ -z "${WASMIX_TEST_CACHE:-}" ]; then
	[ ! -d "$XDG_CACHE_HOME/wasmix" ] || flock -x "$XDG_CACHE_HOME/wasmix" true
	rm -rf "$XDG_CACHE_HOME"
fi
echo "run_guard.sh: $pass passed, $nfail failed"
[ "$nfail" -eq 0 ]
