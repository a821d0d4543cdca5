#!/bin/sh
# fuzz_regress.sh BUILD_DIR: replays the regression inputs of
# tests/fuzz/regress/ through decode, validate, instantiate and the
# execution of every export (BUILD_DIR/fuzz_replay, the execute fuzz
# target with a plain main()).
#
# Inputs: NAME.wat (converted with wasmix wat2wasm, which never validates, so invalid
# modules can be kept too), NAME.wasm (a module) and NAME.bin (a raw
# fuzzer input, e.g. a function body). Each must run to the end without
# a crash, a sanitizer report or a hang (each file gets 60 seconds).
# Prints one line per input; exits 1 on any failure.
set -u
B=${1:-build}
R=$B/fuzz-regress
WAT2WASM=${WAT2WASM:-$B/wasmix wat2wasm}
mkdir -p "$R"
n=0
nfail=0
for src in tests/fuzz/regress/*.wat tests/fuzz/regress/*.wasm \
	tests/fuzz/regress/*.bin; do
	[ -f "$src" ] || continue
	case $src in
	*.wat)
		in=$R/$(basename "$src" .wat).wasm
		if ! $WAT2WASM --no-check --enable-threads "$src" -o "$in"; then
			echo "FAIL $src: wat2wasm failed"
			nfail=$((nfail + 1))
			continue
		fi
		;;
	*) in=$src ;;
	esac
	n=$((n + 1))
	if timeout 60 "$B/fuzz_replay" "$in" >"$R/out" 2>&1; then
		echo "ok   regress $(basename "$src")"
	else
		echo "FAIL regress $src"
		head -20 "$R/out"
		nfail=$((nfail + 1))
	fi
done
echo "fuzz regressions: $((n - nfail)) passed, $nfail failed"
[ "$nfail" -eq 0 ]
