#!/bin/sh
# fuzz_run.sh FUZZ_DIR SECONDS TARGET...: runs each libFuzzer target
# FUZZ_DIR/fuzz_TARGET for SECONDS on its own working corpus
# (FUZZ_DIR/corpus/TARGET, kept between runs) plus the seed corpus
# (FUZZ_DIR/seed, or FUZZ_DIR/seed-TARGET if there is one), one after
# the other.
#
# Logs go to FUZZ_DIR/logs/TARGET.log and crash inputs to
# FUZZ_DIR/artifacts/. Prints one summary line per target: time, runs,
# executions per second, coverage (cov: edges, ft: features), corpus
# size, and whether it found anything; for a finding, the log's last
# lines and one 'fuzz: FAIL' line with the reproducer's path (and its
# base64 when small). Exits 1 if any target found a crash, leak,
# timeout or out-of-memory input.
set -u
dir=$1
secs=$2
shift 2
mkdir -p "$dir/logs" "$dir/artifacts"
status=0

# report TARGET BIN LOG STATUS: the end of the log (the stack, since CI
# keeps no artefacts), then one line naming the target, what it found
# and the reproducer (in base64 too when at most 4 KiB).
report() {
	echo "---- last lines of $3:"
	tail -n 40 "$3"
	echo "----"
	what=$(grep -m1 '^SUMMARY: ' "$3" | cut -c10-)
	art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$3" | tail -1)
	if [ -n "$art" ] && [ -f "$art" ]; then
		n=$(wc -c <"$art")
		b=""
		[ "$n" -le 4096 ] && b=", base64 $(base64 -w0 "$art")"
		echo "fuzz: FAIL fuzz_$1 (${what:-status $4}): reproducer" \
			"$art ($n bytes$b); replay: $2 $art"
	else
		echo "fuzz: FAIL fuzz_$1 (${what:-status $4}): no reproducer" \
			"written, see $3"
	fi
}
for t in "$@"; do
	bin=$dir/fuzz_$t
	log=$dir/logs/$t.log
	mkdir -p "$dir/corpus/$t"
	seed=$dir/seed
	[ -d "$dir/seed-$t" ] && seed=$dir/seed-$t
	start=$(date +%s)
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2560 \
		-print_final_stats=1 -close_fd_mask=3 \
		-artifact_prefix="$dir/artifacts/$t-" \
		"$dir/corpus/$t" "$seed" >"$log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\).*/\1/p')
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	if [ "$rc" -eq 0 ]; then
		found=nothing
	else
		found="FOUND (status $rc, see $log)"
		status=1
	fi
	echo "fuzz_$t: ${took}s, ${runs:-?} runs, ${eps:-?} exec/s," \
		"cov ${cov:-?} ft ${ft:-?}, corpus ${corp:-?}: $found"
	[ "$rc" -eq 0 ] || report "$t" "$bin" "$log" "$rc"
done
exit $status
