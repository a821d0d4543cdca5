#!/bin/sh
# run_shell.sh BUILD_DIR [OUT]: a shell script's fork + exec + wait chain
# with real programs (docs/process.md, "Exec of the same program").
#
# OUT is what tests/wasixlibc/real/build.sh made (default ../ext/netreal/out,
# or $WASMIX_REAL_OUT): OUT/native/bin and OUT/plain/bin with busybox and
# dash ('sh'), built outside the repository from fetched sources. Without
# them the script prints why and exits 0 (nothing is measured).
#
# Times, best of BENCH_RUNS (5) runs, natively and under BUILD_DIR/wasmix
# (the root mapped at "/"), a loop of BENCH_N (200) external commands:
#   ash  -> true   busybox's ash running the 'true' applet through a bin/
#                  symlink to busybox: every exec is of the running file
#   dash -> true   dash running the same applet: every exec is of another
#                  program than the running one (only its validation,
#                  after the first, is reused)
# Prints the time per command and the ratio native time / wasmix time.
#
# Knobs (environment): BENCH_RUNS=5 BENCH_N=200

B=${1:-build}
REAL=${2:-${WASMIX_REAL_OUT:-../ext/netreal/out}}
N=${BENCH_N:-200}
BENCH_RUNS=${BENCH_RUNS:-5}
export BENCH_RUNS
. "$(dirname "$0")/lib.sh"

die() {
	echo "bench/run_shell.sh: $*" >&2
	exit 1
}

[ -x "$B/wasmix" ] || die "$B/wasmix not built"
for f in native/bin/busybox native/bin/sh plain/bin/busybox plain/bin/sh; do
	if [ ! -f "$REAL/$f" ]; then
		echo "bench/run_shell.sh: skipped: $REAL/$f missing (build it" \
			"with tests/wasixlibc/real/build.sh; never committed)"
		exit 0
	fi
done
W=$(cd "$B" && pwd)/wasmix
ROOT=$B/bench/shell
for form in native plain; do
	rm -rf "$ROOT/$form" && mkdir -p "$ROOT/$form/bin" ||
		die "cannot create $ROOT/$form"
	cp "$REAL/$form/bin/busybox" "$REAL/$form/bin/sh" "$ROOT/$form/bin/" ||
		die "cannot copy the $form programs"
	ln -s busybox "$ROOT/$form/bin/ash" && ln -s busybox "$ROOT/$form/bin/true" ||
		die "cannot link the applets"
done
ROOT=$(cd "$ROOT" && pwd)
loop="i=0; while [ \$i -lt $N ]; do bin/true; i=\$((i+1)); done"

# row NAME SHELL: one line of the table.
row() {
	n_us=$(bench_best /dev/null 600 env -C "$ROOT/native" "bin/$2" -c "$loop")
	w_us=$(bench_best /dev/null 600 env -C "$ROOT/plain" "$W" run --dir .::/ \
		"bin/$2" -- -c "$loop")
	echo "$n_us $w_us $N" | awk -v name="$1" '{
		if ($1 == "fail" || $2 == "fail") {
			printf "%-34s %14s %14s %8s\n", name, $1, $2, "-"; exit }
		printf "%-34s %11.0f us %11.0f us %7.2fx\n", name, $1 / $3,
			$2 / $3, $1 / $2 }'
}

echo "shell benchmark: $N external commands (best of $BENCH_RUNS;" \
	"ratio = native / wasmix time)"
printf '%-34s %14s %14s %8s\n' case native wasmix ratio
row "ash -> true (same program)" ash
row "dash -> true (another program)" sh
