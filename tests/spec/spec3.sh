#!/bin/sh
# spec3.sh BUILD_DIR SPEC3_DIR: runs the WebAssembly 3.0 suite from .wast
# (every file of SPEC3_DIR and its folders) and prints the counts of each
# folder, then the skip reasons with their counts. Exits non-zero if any
# command failed. Skips are expected: each names the engine feature its
# module needs ("GC: not implemented", ...), as computed by the runner
# from what the decoder rejects.
set -u
B=$1
D=$2
LOG=$B/spec3.log
: > "$LOG"
rc=0
for dir in "$D" "$D"/*/; do
	dir=${dir%/}
	ls "$dir"/*.wast >/dev/null 2>&1 || continue
	name=$(basename "$dir")
	[ "$dir" = "$D" ] && name="(top level)"
	"$B/wasmix-spec" -v "$dir"/*.wast > "$B/spec3-one.log" 2>&1 || rc=1
	cat "$B/spec3-one.log" >> "$LOG"
	printf '%-20s %s\n' "$name" "$(tail -1 "$B/spec3-one.log")"
done
echo "skip reasons (command count):"
grep ': skipped: ' "$LOG" | sed 's/.*: skipped: //' |
	sed 's/^\(rejected for another reason\) .*/\1 (-v lists each)/' |
	sort | uniq -c | sort -rn
grep -v ': skipped: \|: message mismatch: \|: [0-9]* passed, \|^spectest\.\|^[0-9]* passed, \|^message mismatches' "$LOG" | head -50
awk '/^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$/ {p+=$1; f+=$3; s+=$5}
     END {printf "3.0 suite: %d passed, %d failed, %d skipped\n", p, f, s}' "$LOG"
exit $rc
