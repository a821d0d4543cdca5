#!/bin/sh
# fuzz_seed.sh MODULE_DIR SEED_DIR BUILD_DIR: builds the fuzzers' seed corpus.
#
# Copies every .wasm file of MODULE_DIR (the spec suite's modules, written
# by wasmix-spec --write-modules) into SEED_DIR with a flat, unique name
# (the path with '/' turned into '_'), plus the regression inputs of
# tests/fuzz/regress/ (binary ones copied, .wat ones converted with
# BUILD_DIR/wasmix wat2wasm, so that CI's short runs replay them first), and
# 300 modules of tests/fuzz/diff/fuzz_gen.mjs (seeds 1-300) when node is
# installed. The seed corpus is made at test time and never committed.
set -eu
src=$1
dst=$2
build=${3:-build}
rm -rf "$dst"
mkdir -p "$dst"
find "$src" -name '*.wasm' | while read -r f; do
	cp "$f" "$dst/$(echo "${f#"$src"/}" | tr / _)"
done
for f in tests/fuzz/regress/*.wasm tests/fuzz/regress/*.bin; do
	[ -f "$f" ] && cp "$f" "$dst/regress_$(basename "$f")"
done
for f in tests/fuzz/regress/*.wat; do
	[ -f "$f" ] || continue
	${WAT2WASM:-$build/wasmix wat2wasm} "$f" \
		-o "$dst/regress_$(basename "$f" .wat).wasm"
done
# Modules from the differential test's generator (multi-value, tables,
# atomics...), which mutation rarely reaches from the spec modules.
if command -v node >/dev/null; then
	node tests/fuzz/diff/fuzz_gen.mjs "$dst" 1 "${FUZZ_SEED_GEN:-300}"
fi
echo "fuzz_seed.sh: $(ls "$dst" | wc -l) seed inputs in $dst"
