#!/bin/sh
# fuzz_ci.sh BUILD_DIR SECONDS NGEN: the fuzzing part of CI (make fuzz-ci).
#
# Runs every binary libFuzzer target SECONDS on its seed corpus (the spec
# suite's modules and the committed regression inputs, BUILD_DIR/fuzz/seed),
# the text target fuzz_wat FUZZ_CI_WAT_TIME seconds (default 30) on the
# suite's .wast files (BUILD_DIR/fuzz/seed-wat), then,
# when node is installed, the differential test on NGEN generated modules
# from fixed seeds (1..NGEN, the same every run) and NGEN from a seed taken
# from the clock (printed, so a finding can be regenerated with --seed).
#
# Keeps true: every step runs even if an earlier one failed; each finding
# prints one 'fuzz: FAIL' or 'DIFF' line naming the target and the
# reproducer (its base64 when small, as CI keeps no files); the script
# exits 1 if anything was found, 0 otherwise.
set -u
B=$1
secs=$2
ngen=$3
status=0
sh tests/fuzz/fuzz_run.sh "$B/fuzz" "$secs" decode validate instantiate \
	execute || status=1
# The text front end: a shorter run on the spec suite's .wast files.
sh tests/fuzz/fuzz_run.sh "$B/fuzz" "${FUZZ_CI_WAT_TIME:-30}" wat || status=1
if command -v node >/dev/null; then
	rm -rf "$B"/fuzz-diff/ci-*
	seed=$(date +%s)
	for s in 1 "$seed"; do
		node tests/fuzz/diff/fuzz_diff.mjs --driver "$B/fuzz_diffrun" \
			--gen "$ngen" --seed "$s" --out "$B/fuzz-diff/ci-$s" ||
			status=1
	done
else
	echo "fuzz-ci: node not found, differential test skipped"
fi
if [ "$status" -ne 0 ]; then
	echo "fuzz-ci: FAILED (the 'fuzz: FAIL', 'DIFF' and 'GEN-REJECT'" \
		"lines above name each target and reproducer)"
else
	echo "fuzz-ci: passed"
fi
exit $status
