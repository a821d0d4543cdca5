#!/bin/sh
# fuzz_run.sh FUZZ_DIR SECONDS TARGET...: runs each libFuzzer target
# FUZZ_DIR/fuzz_TARGET for SECONDS on its own working corpus
# (FUZZ_DIR/corpus/TARGET, kept between runs) plus the seed corpus
# (FUZZ_DIR/seed), one after the other.
#
# Logs go to FUZZ_DIR/logs/TARGET.log and crash inputs to
# FUZZ_DIR/artifacts/. Prints one summary line per target: time, runs,
# executions per second, coverage (cov: edges, ft: features), corpus
# size, and whether it found anything. Exits 1 if any target found a
# crash, leak, timeout or out-of-memory input.
set -u
dir=$1
secs=$2
shift 2
mkdir -p "$dir/logs" "$dir/artifacts"
status=0
for t in "$@"; do
	bin=$dir/fuzz_$t
	log=$dir/logs/$t.log
	mkdir -p "$dir/corpus/$t"
	start=$(date +%s)
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2560 \
		-print_final_stats=1 -close_fd_mask=3 \
		-artifact_prefix="$dir/artifacts/$t-" \
		"$dir/corpus/$t" "$dir/seed" >"$log" 2>&1
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
done
exit $status
