# tests/lib.sh: what the shell test scripts (run_cli.sh, run_wasi.sh,
# run_threads.sh, run_wasix.sh) share, sourced by each of them near the
# top as: . "$(dirname "$0")/lib.sh"
#
# Gives: the counters 'pass' and 'nfail' (both 0 here), 'die MSG' (one
# line "SCRIPT: MSG" on stderr, exit 1), XDG_CACHE_HOME (below),
# 'precompile' and 'cache_wait', 'ok NAME' and 'bad NAME WHY'
# (one "ok   NAME" or "FAIL NAME: WHY" line, then the first lines of
# $T/out and $T/err), and 'summary [PREFIX]' (the "N passed, M failed"
# line, after "PREFIX: " if given; its status is the script's: 0 when
# nothing failed, else 1), and 'mismatch GOT WANT OUT_RE ERR_RE' (sets
# 'why' to what differs, or to nothing).
#
# A script may set, before calling bad: BAD_OUT and BAD_ERR (labels of
# the output lines, default "out" and "err") and BAD_OUT_LINES and
# BAD_ERR_LINES (how many lines of each to show, default 20 and 5).

pass=0
nfail=0

# The compiled tier's cache (docs/aot.md): 'wasmix run' compiles through
# it by default, so a test never uses the user's (~/.cache/wasmix). Under
# 'make test' every script shares WASMIX_TEST_CACHE (made and removed by
# the Makefile); a script run alone gets a temporary one, which 'summary'
# removes. 'summary' also waits for the background compiles the script
# started (each holds a shared lock on the directory), so that none
# outlives the tests.
if [ -n "${WASMIX_TEST_CACHE:-}" ]; then
	XDG_CACHE_HOME=$WASMIX_TEST_CACHE
	lib_own_cache=
else
	XDG_CACHE_HOME=$(mktemp -d "${TMPDIR:-/tmp}/wasmix-cache.XXXXXX") || {
		echo "$(basename "$0"): no temporary directory" >&2
		exit 1
	}
	lib_own_cache=$XDG_CACHE_HOME
fi
export XDG_CACHE_HOME

# precompile WASMIX FILE...: compiles each module into the cache
# ('wasmix compile', two at a time), so that the runs that follow find
# them there and run compiled (the default policy with a warm cache,
# docs/aot.md); prints how many were compiled and why the others were
# not (one line each reason). Without a C compiler it says so.
precompile() {
	pc_w=$1
	shift
	pc_out=$(printf '%s\n' "$@" | xargs -P2 -I{} "$pc_w" compile {} 2>&1)
	pc_n=$(printf '%s\n' "$pc_out" | grep -c 'functions compiled (cached)$')
	echo "precompiled: $pc_n of $# modules into the cache (they run compiled)"
	printf '%s\n' "$pc_out" | grep -v 'functions compiled (cached)$' |
		sed -n 's/.*: \(not compiled: .*\|no C compiler.*\)$/\1/p' |
		sort | uniq -c | sed 's/^ */  interpreted: /'
}

# cache_wait: returns when no background compile runs in the cache.
cache_wait() {
	if [ -d "$XDG_CACHE_HOME/wasmix" ]; then
		flock -x "$XDG_CACHE_HOME/wasmix" true
	fi
}

die() {
	echo "$(basename "$0"): $*" >&2
	[ -z "$lib_own_cache" ] || rm -rf "$lib_own_cache"
	exit 1
}

ok() {
	pass=$((pass + 1))
	echo "ok   $1"
}

bad() {
	nfail=$((nfail + 1))
	echo "FAIL $1: $2"
	sed "s/^/     ${BAD_OUT:-out}: /" "$T/out" | head -"${BAD_OUT_LINES:-20}"
	sed "s/^/     ${BAD_ERR:-err}: /" "$T/err" | head -"${BAD_ERR_LINES:-5}"
}

# mismatch GOT WANT OUT_RE ERR_RE: 'why' = the first difference between
# a run's status GOT and WANT, or $T/out and $T/err and the extended
# regular expressions OUT_RE and ERR_RE (an empty one is not checked);
# empty when all match.
mismatch() {
	why=
	if [ "$1" != "$2" ]; then
		why="status $1, want $2"
	elif [ -n "$3" ] && ! grep -Eq -- "$3" "$T/out"; then
		why="stdout does not match /$3/"
	elif [ -n "$4" ] && ! grep -Eq -- "$4" "$T/err"; then
		why="stderr does not match /$4/"
	fi
}

summary() {
	cache_wait
	[ -z "$lib_own_cache" ] || rm -rf "$lib_own_cache"
	echo "${1:+$1: }$pass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
}
