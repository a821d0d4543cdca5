#!/bin/sh
# fuzz_seed.sh SPEC_BUILD_DIR SEED_DIR: builds the fuzzers' seed corpus.
#
# Copies every .wasm file that wast2json made from the spec suite (under
# SPEC_BUILD_DIR, i.e. BUILD/spec/) into SEED_DIR with a flat, unique name
# (the path with '/' turned into '_'), plus the regression inputs of
# tests/fuzz/regress/ that are already binary. The seed corpus is made at
# test time and never committed.
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
echo "fuzz_seed.sh: $(ls "$dst" | wc -l) seed inputs in $dst"
