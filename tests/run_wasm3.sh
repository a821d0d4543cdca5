#!/bin/sh
# run_wasm3.sh BUILD_DIR: WebAssembly 3.0 features through the wasmix
# command line: exception handling, tail calls, multiple memories.
# Builds tests/wasm3/ into BUILD_DIR/tests-wasm3/: the C++ programs with
# clang -fwasm-exceptions (legacy EH: try, catch, catch_all, rethrow,
# delegate, throw; cxx_fork with the SDK: fork and a signal inside try
# bodies) and the .wat files with wasmix wat2wasm
# (no wabt), runs them and checks exit
# statuses and output. Prints one line per failure, then "N passed, M
# failed"; exits 1 on failure.
#
# Called by 'make test' as: sh tests/run_wasm3.sh BUILD_DIR

B=${1:-build}
# The compiled tier's cache: never the user's (tests/lib.sh; 'make test'
# gives WASMIX_TEST_CACHE, else one in BUILD_DIR, removed at the end).
# Absolute: wasmix ignores a relative XDG_CACHE_HOME (as the XDG rules
# say) and would fall back to ~/.cache.
XDG_CACHE_HOME=${WASMIX_TEST_CACHE:-$(cd "$B" && pwd)/tests-cache-$$}
export XDG_CACHE_HOME
W=$B/wasmix
T=$B/tests-wasm3
WASM_CC=${WASM_CC:-clang}
WASM_CXX=${WASM_CXX:-clang++}
WAT2WASM=${WAT2WASM:-$W wat2wasm}
pass=0
nfail=0

[ -x "$W" ] || { echo "run_wasm3.sh: $W not built" >&2; exit 1; }
mkdir -p "$T" || exit 1
EHFLAGS="--target=wasm32-wasi -O2 -fwasm-exceptions -Wall -Wextra -Werror"
$WASM_CXX $EHFLAGS -fno-rtti -nostdinc++ -c tests/wasm3/cxx_unwind.cpp \
	-o "$T/cxx_unwind.o" &&
	$WASM_CC $EHFLAGS -c tests/wasm3/cxx_rt.c -o "$T/cxx_rt.o" &&
	$WASM_CC $EHFLAGS "$T/cxx_unwind.o" "$T/cxx_rt.o" \
		-o "$T/cxx_unwind.wasm" ||
	{ echo "run_wasm3.sh: cannot build cxx_unwind" >&2; exit 1; }
# The same runtime with the SDK's fork and signals (libwasix.a).
SDKLIB=$(cd "$B/sdk" 2>/dev/null && pwd)
[ -f "$SDKLIB/libwasix.a" ] || { echo "run_wasm3.sh: $B/sdk/libwasix.a not built" >&2; exit 1; }
$WASM_CXX $EHFLAGS -fno-rtti -nostdinc++ -c tests/wasm3/cxx_fork.cpp \
	-o "$T/cxx_fork.o" &&
	WASM_CC=$WASM_CC WASMIX_SDK_LIB=$SDKLIB sh sdk/wasmix-cc \
		-fwasm-exceptions "$T/cxx_fork.o" "$T/cxx_rt.o" \
		-o "$T/cxx_fork.wasm" ||
	{ echo "run_wasm3.sh: cannot build cxx_fork" >&2; exit 1; }
for src in tests/wasm3/*.wat; do
	out=$T/$(basename "$src" .wat).wasm
	# shellcheck disable=SC2086
	$WAT2WASM "$src" -o "$out" ||
		{ echo "run_wasm3.sh: cannot build $src" >&2; exit 1; }
done

# check NAME STATUS TEXT: runs NAME, wants STATUS and TEXT in its output.
check() {
	"$W" run "$T/$1.wasm" >"$T/out" 2>&1
	got=$?
	if [ "$got" -ne "$2" ] || { [ -n "$3" ] && ! grep -q "$3" "$T/out"; }; then
		echo "FAIL $1: status $got (want $2): $(head -3 "$T/out")"
		nfail=$((nfail + 1))
	else
		pass=$((pass + 1))
	fi
}

check cxx_unwind 0 "caught 7000, destructors 11000, rethrown 1000"
check uncaught 134 "wasmix: trap: uncaught exception"
check cxx_fork 0 "ok fork and signal inside try: child 7, outer 2, handler 1"
check tail_mutual 0 ""
check multi_memory 0 ""
check multi_memory_oob 134 "wasmix: trap: out of bounds memory access"
if [ -z "${WASMIX_TEST_CACHE:-}" ]; then
	[ ! -d "$XDG_CACHE_HOME/wasmix" ] || flock -x "$XDG_CACHE_HOME/wasmix" true
	rm -rf "$XDG_CACHE_HOME"
fi
echo "run_wasm3.sh: $pass passed, $nfail failed"
[ "$nfail" -eq 0 ]
