#!/bin/sh
# run_threads.sh BUILD_DIR: guest threads end to end (docs/threads.md).
#
# Builds the WAT modules of tests/threads/ (wasmix wat2wasm;
# NTHREADS/NITER placeholders substituted per run) and the C guests
# (clang --target=wasm32-wasi with atomics, no libc: see guest.h) into
# BUILD_DIR/tests-threads/, runs them with BUILD_DIR/wasmix and checks
# exit statuses and output: exact totals of atomic counters and of
# futex-mutex-guarded counters, a condition variable, wait timeouts,
# thread_exit vs proc_exit, a trap in a thread, ENOTCAPABLE, memory.grow
# while threads run, fork from a threaded process, _start returning while
# a thread still runs, the 64 x 10,000 lock/unlock stress run, exec from
# a threaded process (from the main thread and from another), which
# thread runs signal handlers, and the -pthread SDK programs. Under a sanitizer build (make O=... EXTRA_CFLAGS=
# -fsanitize=...) the same runs check the runtime for errors and races:
# any sanitizer report on stderr fails the check.
# Prints one line per check, then "N passed, M failed"; exits 1 on failure.

B=${1:-build}
W=$B/wasmix
T=$B/tests-threads
S=tests/threads
WASM_CC=${WASM_CC:-clang}
WAT2WASM=${WAT2WASM:-$W wat2wasm}
. "$(dirname "$0")/lib.sh"
BAD_OUT=stdout BAD_OUT_LINES=5 BAD_ERR=stderr BAD_ERR_LINES=20
RUNFLAGS=
AFTER_RE=
NOT_AFTER_RE=

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

# -pthread C programs (pt_*.c) through the SDK (sdk/wasmix-cc -pthread,
# BUILD_DIR/sdk/libwasix-pthread.a and libwasix.a: make O=BUILD_DIR sdk).
SDKLIB=$(cd "$B/sdk" 2>/dev/null && pwd)
[ -f "$SDKLIB/libwasix-pthread.a" ] ||
	die "$B/sdk/libwasix-pthread.a not built (make O=$B sdk)"
for src in $S/pt_*.c; do
	out=$T/$(basename "$src" .c).wasm
	if [ ! -f "$out" ] || [ "$src" -nt "$out" ] ||
		[ "$SDKLIB/libwasix-pthread.a" -nt "$out" ] ||
		[ "$SDKLIB/libwasix.a" -nt "$out" ]; then
		WASMIX_SDK_LIB=$SDKLIB sh sdk/wasmix-cc -pthread -O2 -Wall \
			-Wextra -Werror "$src" -o "$out" || die "cannot build $src"
	fi
done

# The default policy with a warm cache (shared memories run interpreted
# until the compiled tier takes them: precompile says so).
precompile "$W" "$T"/*.wasm

# t NAME STATUS OUT_RE ERR_RE WASM [ARGS...]: runs WASM (with $RUNFLAGS
# before it, ARGS after), checks status and output; stderr must not hold
# a sanitizer report.
t() {
	name=$1 want=$2 out_re=$3 err_re=$4 wasm=$5
	shift 5
	# shellcheck disable=SC2086
	timeout 120 "$W" run $RUNFLAGS "$wasm" -- "$@" >"$T/out" 2>"$T/err"
	got=$?
	mismatch "$got" "$want" "$out_re" "$err_re"
	if [ -n "$why" ]; then
		:
	elif [ -n "$AFTER_RE" ] && sed -n "/$AFTER_RE/,\$p" "$T/out" |
		grep -Eq -- "$NOT_AFTER_RE"; then
		why="stdout has /$NOT_AFTER_RE/ after /$AFTER_RE/"
	elif grep -Eq 'Sanitizer|runtime error' "$T/err"; then
		why="sanitizer report"
	fi
	if [ -z "$why" ]; then
		ok "$name"
	else
		bad "$name" "$why"
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
# --trace names the guest thread of each line after its pid.
RUNFLAGS=--trace
# (The main thread's own lines: a spawn's line is written when it returns,
# so one whose thread ends the process at once may never be written.)
t trace-thread-spawn 7 '' '^\[pid 1\] thread_spawn_v2\(0x100, \[2\]\) = 0$' \
	"$T/thread_exit-0-0.wasm"
t trace-thread-ids 42 '' '^\[pid 1 tid 2\] \+\+\+ exited with 42 \+\+\+$' \
	"$T/proc_exit-0-0.wasm"
RUNFLAGS=
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
t longjmp-own-ok-cross-thread-traps 134 '^thread-own=ok$' \
	'^wasmix: thread [0-9]+: trap: invalid or stale setjmp snapshot \(forged, or taken on another thread\)$' \
	"$T/c_jmp.wasm"

# Exec from a threaded process (c_exec.c): the new program runs alone and
# no old thread prints after it started; a failed exec changes nothing.
RUNFLAGS="--map-command execme=$T/c_exec.wasm"
AFTER_RE='^new program' NOT_AFTER_RE='^old'
t exec-from-main-ends-threads 7 '^new done$' '' "$T/c_exec.wasm" main
t exec-from-thread-ends-threads 7 '^new done$' '' "$T/c_exec.wasm" thread
AFTER_RE='' NOT_AFTER_RE=''
# A fork child made by a spawned thread has no main thread: the thread
# that execs there runs the new program itself (status 7, not 0).
saved_asan=${ASAN_OPTIONS-}
export ASAN_OPTIONS="${saved_asan:+$saved_asan:}detect_leaks=0"
t exec-from-thread-in-fork-child 0 '^forkchild status=7$' '' \
	"$T/c_exec.wasm" forkthread
export ASAN_OPTIONS="$saved_asan"
t exec-fails-threads-run-on 0 '^exec failed, threads run on$' '' \
	"$T/c_exec.wasm" fail
RUNFLAGS=
# Process signals run on one thread: main, else the lowest live id.
t signal-one-thread 0 '^phase2 on=4$' '' "$T/c_signal.wasm"

# C programs built with wasmix-cc -pthread (the SDK's pthread layer).
t pthread-mutex-8x20000 0 '^counter=160000 recursive=8000$' '' \
	"$T/pt_mutex.wasm"
t pthread-condvar-producer-consumer 0 '^items=20000 sum=50010000$' '' \
	"$T/pt_condvar.wasm"
t pthread-join-keys-once 0 '^joined=8 dtors=8 once=1$' '' \
	"$T/pt_join_keys.wasm"
t pthread-malloc-8x20000 0 '^rounds=160000$' '' "$T/pt_malloc.wasm"
t pthread-errno-links-shared 0 '^errno ok$' '' "$T/pt_errno.wasm"
# Its child starts a thread: ThreadSanitizer allows that after a fork of
# a threaded process only with die_after_fork=0.
saved_tsan=${TSAN_OPTIONS-}
export ASAN_OPTIONS="${saved_asan:+$saved_asan:}detect_leaks=0"
export TSAN_OPTIONS="${saved_tsan:+$saved_tsan:}die_after_fork=0"
# Under AddressSanitizer it is skipped: gcc 12's libasan does not hold
# its allocator lock across fork(), so when a parent thread is inside
# malloc at the fork, the child's new thread deadlocks inside ASan's
# allocator (seen with gdb: SizeClassAllocator64::GetFromAllocator), a
# hang in the sanitizer, not in wasmix. The plain and TSan builds run it.
if ldd "$W" 2>/dev/null | grep -q libasan; then
	echo "skip pthread-fork-only-caller (ASan build: libasan's allocator lock is not held across fork)"
else
	t pthread-fork-only-caller 0 '^parent ok$' '' "$T/pt_fork.wasm"
fi
export ASAN_OPTIONS="$saved_asan" TSAN_OPTIONS="$saved_tsan"

summary
