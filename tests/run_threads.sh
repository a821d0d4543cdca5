#!/bin/sh
# run_threads.sh BUILD_DIR: guest threads end to end (docs/threads.md).
#
# Builds the WAT modules of tests/threads/ (wat2wasm --enable-threads;
# NTHREADS/NITER placeholders substituted per run) and the C guests
# (clang --target=wasm32-wasi with atomics, no libc: see guest.h) into
# BUILD_DIR/tests-threads/, runs them with BUILD_DIR/wasmix and checks
# exit statuses and output: exact totals of atomic counters and of
# futex-mutex-guarded counters, a condition variable, wait timeouts,
# thread_exit vs proc_exit, a trap in a thread, ENOTCAPABLE, memory.grow
# while threads run, fork from a threaded process, _start returning while
# a thread still runs, and the 64 x 10,000
# lock/unlock stress run. Under a sanitizer build (make O=... EXTRA_CFLAGS=
# -fsanitize=...) the same runs check the runtime for errors and races:
# any sanitizer report on stderr fails the check.
# Prints one line per check, then "N passed, M failed"; exits 1 on failure.

B=${1:-build}
W=$B/wasmix
T=$B/tests-threads
S=tests/threads
WASM_CC=${WASM_CC:-clang}
WAT2WASM=${WAT2WASM:-wat2wasm}
pass=0
nfail=0

die() {
	echo "run_threads.sh: $*" >&2
	exit 1
}

[ -x "$W" ] || die "$W not built"
mkdir -p "$T" || die "cannot create $T"

# wat NAME NTHREADS NITER: BUILD_DIR/tests-threads/NAME-NTHREADS-NITER.wasm
wat() {
	out=$T/$1-$2-$3.wasm
	if [ ! -f "$out" ] || [ "$S/$1.wat" -nt "$out" ]; then
		sed -e "s/NTHREADS/$2/g" -e "s/NITER/$3/g" "$S/$1.wat" \
			>"$T/$1-$2-$3.wat" || die "cannot write $T"
		$WAT2WASM --enable-threads "$T/$1-$2-$3.wat" -o "$out" ||
			die "cannot build $S/$1.wat"
	fi
}

for src in $S/c_*.c; do
	out=$T/$(basename "$src" .c).wasm
	if [ ! -f "$out" ] || [ "$src" -nt "$out" ] ||
		[ "$S/guest.h" -nt "$out" ]; then
		$WASM_CC --target=wasm32-wasi -O2 -Wall -Wextra -Werror \
			-matomics -mbulk-memory -nostdlib \
			-Wl,--import-memory,--shared-memory \
			-Wl,--max-memory=4194304,--export=_start \
			"$src" "$S/guest_start.s" -o "$out" ||
			die "cannot build $src"
	fi
done

# t NAME STATUS OUT_RE ERR_RE WASM: runs WASM, checks status and output;
# stderr must not hold a sanitizer report.
t() {
	name=$1 want=$2 out_re=$3 err_re=$4
	timeout 120 "$W" run "$5" >"$T/out" 2>"$T/err"
	got=$?
	why=
	if [ "$got" != "$want" ]; then
		why="status $got, want $want"
	elif [ -n "$out_re" ] && ! grep -Eq -- "$out_re" "$T/out"; then
		why="stdout does not match /$out_re/"
	elif [ -n "$err_re" ] && ! grep -Eq -- "$err_re" "$T/err"; then
		why="stderr does not match /$err_re/"
	elif grep -Eq 'Sanitizer|runtime error' "$T/err"; then
		why="sanitizer report"
	fi
	if [ -z "$why" ]; then
		pass=$((pass + 1))
		echo "ok   $name"
	else
		nfail=$((nfail + 1))
		echo "FAIL $name: $why"
		sed 's/^/     stdout: /' "$T/out" | head -5
		sed 's/^/     stderr: /' "$T/err" | head -20
	fi
}

wat counter 16 10000
wat mutex 8 5000
wat mutex 64 10000
wat condvar 16 0
wat wasix_mutex 8 2000
wat timeout 0 0
wat thread_exit 0 0
wat proc_exit 0 0
wat thread_trap 0 0
wat notcapable 0 0
wat grow 16 0
wat fork 0 0
wat start_returns 0 0

t counter-16x10000 0 '' '' "$T/counter-16-10000.wasm"
t mutex-8x5000 0 '' '' "$T/mutex-8-5000.wasm"
t stress-mutex-64x10000 0 '' '' "$T/mutex-64-10000.wasm"
t condvar-16 0 '' '' "$T/condvar-16-0.wasm"
t wasix-futex-mutex-8x2000 0 '' '' "$T/wasix_mutex-8-2000.wasm"
t wait-timeouts 0 '' '' "$T/timeout-0-0.wasm"
t thread-exit-vs-proc-exit 7 '' '' "$T/thread_exit-0-0.wasm"
t proc-exit-in-thread 42 '' '' "$T/proc_exit-0-0.wasm"
t trap-in-thread 134 '' '^wasmix: thread [0-9]+: trap: integer divide by zero$' \
	"$T/thread_trap-0-0.wasm"
t no-wasi-thread-start 0 '' '' "$T/notcapable-0-0.wasm"
t grow-while-running 0 '' '' "$T/grow-16-0.wasm"
# LeakSanitizer cannot run in the child of a threaded process (it tries
# to stop the parent's threads, which the child does not have, and may
# hang); the child also keeps, by design, the contexts of those threads.
saved_asan=${ASAN_OPTIONS-}
export ASAN_OPTIONS="${saved_asan:+$saved_asan:}detect_leaks=0"
t fork-threaded 0 '' '' "$T/fork-0-0.wasm"
export ASAN_OPTIONS="$saved_asan"
t start-returns-threads-running 0 '' '' "$T/start_returns-0-0.wasm"
t c-atomic-counters 0 '^counter=640000$' '' "$T/c_counter.wasm"
t c-stress-mutex-condvar-64x10000 0 '^counter=640000$' '' "$T/c_stress.wasm"

echo "$pass passed, $nfail failed"
[ "$nfail" -eq 0 ]
