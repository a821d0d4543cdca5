#!/bin/sh
# run_confine.sh BUILD_DIR: the cost of confinement (called by 'make
# bench'; docs/cli.md#confinement). Times, best of BENCH_RUNS runs each,
# the same guest work confined (the default) and with --no-confine:
#   start  BENCH_START runs of a guest that exits at once (the Landlock
#          ruleset and the seccomp filter are made once per run)
#   rt     bench/proc/bp_proc.c: BENCH_RT rounds of fork + exec + wait
#   pipe   bp_proc: a 3-stage pipeline pushing BENCH_MB MiB (system
#          calls, each of which runs the seccomp filter)
# Prints the two times and the overhead in percent.
#
# Knobs (environment): BENCH_RUNS=3 BENCH_START=100 BENCH_RT=200
# BENCH_MB=100

B=${1:-build}
OUT=$B/bench/confine
RUNS=${BENCH_RUNS:-3}
NSTART=${BENCH_START:-100}
NRT=${BENCH_RT:-200}
MB=${BENCH_MB:-100}
. "$(dirname "$0")/lib.sh"

die() {
	echo "bench/run_confine.sh: $*" >&2
	exit 1
}

[ -x "$B/wasmix" ] || die "$B/wasmix not built"
[ -f "$B/sdk/libwasix.a" ] || die "$B/sdk/libwasix.a not built"
mkdir -p "$OUT" || die "cannot create $OUT"
OUT=$(cd "$OUT" && pwd)
W=$(cd "$B" && pwd)/wasmix
WASMIX_SDK_LIB=$(cd "$B/sdk" && pwd) sh sdk/wasmix-cc -O2 \
	-o "$OUT/bp_proc" bench/proc/bp_proc.c || die "cannot build the guest"
printf '(module (func (export "_start")))' >"$OUT/empty.wat"
"$W" wat2wasm "$OUT/empty.wat" -o "$OUT/empty.wasm" ||
	die "cannot build empty.wasm"

# N runs of the empty module, one after the other, in one sh.
STARTS='i=0; while [ $i -lt "$1" ]; do "$2" run ${3:+"$3"} "$4" || exit 1;
	i=$((i + 1)); done'

for mode in on off; do
	opt=
	[ "$mode" = off ] && opt=--no-confine
	eval "start_$mode=\$(bench_best /dev/null 600 sh -c '$STARTS' sh \
		$NSTART $W '$opt' $OUT/empty.wasm)"
	eval "rt_$mode=\$(bench_best /dev/null 600 env -C $OUT $W run $opt \
		--dir .::/ bp_proc -- rt $NRT /)"
	eval "pipe_$mode=\$(bench_best /dev/null 600 env -C $OUT $W run $opt \
		--dir .::/ bp_proc -- pipe $MB /)"
done

echo "confinement (best of $RUNS; overhead = confined / unconfined - 1)"
printf '%-36s %12s %12s %9s\n' case confined unconfined overhead
row() {
	echo "$2 $3 $4" | awk -v name="$1" '{
		if ($1 == "fail" || $2 == "fail") {
			printf "%-36s %12s %12s %9s\n", name, $1, $2, "-"; exit }
		printf "%-36s %9.0f us %9.0f us %8.1f%%\n", name, $1 / $3,
			$2 / $3, ($1 / $2 - 1) * 100 }'
}
row "start and exit (per run)" "$start_on" "$start_off" "$NSTART"
row "fork+exec+wait (per round trip)" "$rt_on" "$rt_off" "$NRT"
row "3-stage pipeline, $MB MiB (whole)" "$pipe_on" "$pipe_off" 1
