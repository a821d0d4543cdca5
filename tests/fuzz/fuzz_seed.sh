#!/bin/sh
# fuzz_seed.sh SPEC_BUILD_DIR SEED_DIR: builds the fuzzers' seed corpus.
#
# Copies every .wasm file that wast2json made from the spec suite (under
# SPEC_BUILD_DIR, i.e. BUILD/spec/) into SEED_DIR with a flat, unique name
# (the path with '/' turned into '_'), plus the regression inputs of
# tests/fuzz/regress/ (binary ones copied, .wat ones converted with
# wat2wasm --no-check, so that CI's short runs replay them first), and
# 300 modules of tests/fuzz/diff/fuzz_gen.mjs (seeds 1-300) when node is
# installed. The seed corpus is made at test time and never committed.
set -eu
src=$1
dst=$2
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
	${WAT2WASM:-wat2wasm} --no-check --enable-threads "$f" \
		-o "$dst/regress_$(basename "$f" .wat).wasm"
done
# Modules from the differential test's generator (multi-value, tables,
# atomics...), which mutation rarely reaches from the spec modules.
if command -v node >/dev/null; then
	node tests/fuzz/diff/fuzz_gen.mjs "$dst" 1 "${FUZZ_SEED_GEN:-300}"
fi
echo "fuzz_seed.sh: $(ls "$dst" | wc -l) seed inputs in $dst"
