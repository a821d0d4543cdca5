#!/bin/sh
# run_wat.sh BUILD_DIR [SPEC3_DIR]: the text front end's speed, side by side
# with wabt's wast2json in the same run (by hand: 'make bench-wat'; needs
# wabt for the wast2json column, which is skipped without it).
#
# Over every .wast file of the WebAssembly 3.0 suite (262 files):
#   wasmix parse+run  BUILD_DIR/wasmix-spec on all files: reads, parses,
#                     encodes every module, then decodes, validates,
#                     instantiates and runs every command (a child process
#                     per file, as in 'make spec3')
#   wasmix parse      wasmix-spec --parse-only: text to binary only
#   wast2json         wast2json --enable-all on each file, one process per
#                     file (the files it cannot convert still count their
#                     time until it gives up)
# Wall-clock seconds, best of BENCH_RUNS runs (default 3).
set -u
B=${1:-build}
S=${2:-../shared/testdata/wasm-spec-3.0}
runs=${BENCH_RUNS:-3}
T=$B/bench-wat
mkdir -p "$T"
files=$(find "$S" -name '*.wast' | sort)
nfiles=$(echo "$files" | wc -l)

now() { date +%s%N; }

# best CMD...: the best wall time of 'runs' runs of CMD, in ms.
best() {
	b=
	i=0
	while [ $i -lt "$runs" ]; do
		t0=$(now)
		"$@" >/dev/null 2>&1
		t1=$(now)
		ms=$(((t1 - t0) / 1000000))
		if [ -z "$b" ] || [ "$ms" -lt "$b" ]; then b=$ms; fi
		i=$((i + 1))
	done
	echo "$b"
}

wasmix_all() { "$B/wasmix-spec" $files; }
wasmix_parse() { "$B/wasmix-spec" --parse-only $files; }
w2j_all() {
	for f in $files; do
		wast2json --enable-all "$f" -o "$T/w2j.json" || :
	done
}

a=$(best wasmix_all)
p=$(best wasmix_parse)
ok=0
for f in $files; do
	wast2json --enable-all "$f" -o "$T/w2j.json" >/dev/null 2>&1 && ok=$((ok + 1))
done
printf '%-34s %10s\n' "3.0 suite, $nfiles files" "seconds"
printf '%-34s %10s\n' "wasmix parse+run (all files)" "$(echo "$a" | awk '{printf "%.3f", $1/1000}')"
printf '%-34s %10s\n' "wasmix parse only (all files)" "$(echo "$p" | awk '{printf "%.3f", $1/1000}')"
if command -v wast2json >/dev/null; then
	w=$(best w2j_all)
	printf '%-34s %10s\n' "wast2json ($ok of $nfiles converted)" "$(echo "$w" | awk '{printf "%.3f", $1/1000}')"
	echo "$a $w" | awk '{printf "wasmix parse+run takes %.2fx the time of wast2json alone\n", $1/$2}'
else
	echo "wast2json: not installed (apt-get install wabt for this column)"
fi
