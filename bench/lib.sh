# bench/lib.sh: helpers shared by the benchmark scripts (sourced, not run).
#
# bench_best LOG TIMEOUT CMD...: runs CMD BENCH_RUNS times (default 3),
# stdout to LOG.out and stderr to LOG.err (LOG=/dev/null discards both),
# each run killed after TIMEOUT seconds; prints the best wall-clock time
# in microseconds, or "fail" as soon as one run fails. Wall time by
# date +%s%N, so the caller's numbers are comparable across scripts.

# The benchmarks measure the interpreter and the runtime around it:
# 'wasmix run' would otherwise compile in the background and switch over
# (docs/aot.md), so a run's tier would depend on the cache.
# bench/run_aot.sh says --aot and --interp itself; WASMIX_AOT= (empty)
# measures the default policy instead (use a warm cache of your own:
# XDG_CACHE_HOME).
WASMIX_AOT=${WASMIX_AOT-0}
export WASMIX_AOT

bench_best() {
	_log=$1
	_tmo=$2
	shift 2
	if [ "$_log" = /dev/null ]; then
		_out=/dev/null _err=/dev/null
	else
		_out=$_log.out _err=$_log.err
	fi
	_best=
	_i=0
	while [ "$_i" -lt "${BENCH_RUNS:-3}" ]; do
		_s=$(date +%s%N)
		timeout "$_tmo" "$@" >"$_out" 2>"$_err" || {
			echo fail
			return
		}
		_e=$(date +%s%N)
		_us=$(((_e - _s) / 1000))
		if [ -z "$_best" ] || [ "$_us" -lt "$_best" ]; then
			_best=$_us
		fi
		_i=$((_i + 1))
	done
	echo "$_best"
}
