#!/bin/sh
# run_wasixlibc.sh BUILD_DIR: the wasix-libc compatibility corpus
# (tests/wasixlibc/, README there). With WASIX_SYSROOT naming a wasix-libc
# sysroot (built by the user from github.com/wasix-org/wasix-libc; never
# part of this repository), builds every corpus program three ways:
# natively with gcc, for wasm against that sysroot ("plain"), and the
# same wasm asyncified by binaryen's wasm-opt as wasixcc does for
# Wasmer ("async"). Runs each case natively and under wasmix in both
# forms and compares stdout and exit status; prints one ok/FAIL line per
# case and form and "N passed, M failed". Without WASIX_SYSROOT it prints
# one skip line and succeeds: CI cannot download wasix-libc.
#
# Each form has its own test root (BUILD_DIR/tests-wasixlibc/<form>/)
# with bin/ (the programs, bin/child, and bin/sh = msh.c) and a fixture
# made afresh before every case. Natively a case runs with its root as
# cwd and CORPUS_ROOT=<absolute root>; under wasmix the root is mapped at
# "/" (CORPUS_ROOT empty) or, for the "@data" cases, at "/data", so the
# programs print the same paths (corpus.h).
#
# Knobs: WASIX_CC (clang for wasm32, default clang-14), WASM_OPT,
# CORPUS_ONLY (a grep -E pattern of case names to run), CORPUS_FORMS
# (default "plain async"), CORPUS_TIMEOUT (seconds per run, default 120),
# CORPUS_ALL_DATA=1 (every case with the root at "/data", to look past
# problems of a root mapped at "/"; system() and popen() then find no
# /bin/sh).
#
# Called by 'make test' as: sh tests/run_wasixlibc.sh BUILD_DIR

B=${1:-build}
D=$(dirname "$0")/wasixlibc
. "$(dirname "$0")/lib.sh"

FORMS=${CORPUS_FORMS:-plain async}
case " $FORMS " in *" plain "* | *" async "*) libc=1 ;; *) libc=0 ;; esac
if [ $libc = 1 ] && [ -z "$WASIX_SYSROOT" ]; then
	echo "skip wasix-libc corpus: WASIX_SYSROOT is not set (CI cannot download wasix-libc; see tests/wasixlibc/README.md)"
	exit 0
fi
[ $libc = 0 ] || [ -f "$WASIX_SYSROOT/lib/wasm32-wasi/libc.a" ] ||
	die "WASIX_SYSROOT=$WASIX_SYSROOT has no lib/wasm32-wasi/libc.a"
W=$(cd "$(dirname "$B/wasmix")" && pwd)/wasmix
[ -x "$W" ] || die "$W not built"
SDKLIB=$(cd "$B/sdk" 2>/dev/null && pwd)
case " $FORMS " in *" sdk "*)
	[ -f "$SDKLIB/libwasix.a" ] || die "$B/sdk/libwasix.a not built" ;;
esac
WCC=${WASIX_CC:-$(command -v clang-14 || echo clang)}
WOPT=${WASM_OPT:-wasm-opt}
TMO=${CORPUS_TIMEOUT:-120}
case " $FORMS " in *" async "*)
	command -v "$WOPT" >/dev/null ||
		die "no $WOPT (binaryen) for the asyncified form; CORPUS_FORMS=plain runs without it" ;;
esac
T=$B/tests-wasixlibc
mkdir -p "$T/native/bin" "$T/obj" || die "cannot create $T"
T=$(cd "$T" && pwd)

. "$D/flags.sh"

PROGS="fs proc sig jmp thr fdg child msh net"

# newer FILE: true when FILE is missing or older than a corpus source.
newer() {
	[ ! -f "$1" ] && return 0
	for s in "$D"/*.c "$D"/*.h "$D"/*.sh "$0"; do
		[ "$s" -nt "$1" ] && return 0
	done
	return 1
}

# The sdk form: the SDK over Debian's wasi-libc (sdk/wasmix-cc), with
# the emulations wasi-libc needs for mmap and clock(). Its pthread layer
# has no barriers or rwlocks: thr.c is not built for it.
SDKFLAGS="-O2 -Wall -Wextra -D_GNU_SOURCE -D_WASI_EMULATED_MMAN
 -D_WASI_EMULATED_PROCESS_CLOCKS"
SDKLIBS="-lwasi-emulated-mman -lwasi-emulated-process-clocks"
SDK_NO_THR="the SDK's pthread layer has no barriers or rwlocks (thr.c uses both)"

for p in $PROGS; do
	name=$p
	[ $p = msh ] && name=sh
	if newer "$T/native/bin/$name"; then
		gcc -O2 -Wall -Wextra -pthread -o "$T/native/bin/$name" "$D/$p.c" \
			2>"$T/obj/$p.native.log" || die "cannot build $p natively: $(head -3 "$T/obj/$p.native.log")"
	fi
	for f in $FORMS; do
		mkdir -p "$T/$f/bin"
		newer "$T/$f/bin/$name" || continue
		if [ $f = sdk ]; then
			[ $p = thr ] && continue
			# shellcheck disable=SC2086
			WASMIX_SDK_LIB=$SDKLIB sh sdk/wasmix-cc $SDKFLAGS "$D/$p.c" \
				-o "$T/$f/bin/$name" $SDKLIBS 2>"$T/obj/$p.sdk.log" ||
				die "cannot build $p with the SDK: $(grep -m3 error "$T/obj/$p.sdk.log")"
			continue
		fi
		if newer "$T/obj/$p.wasm"; then
			# shellcheck disable=SC2086
			"$WCC" $WCFLAGS "$D/$p.c" -o "$T/obj/$p.wasm" $WLDFLAGS \
				2>"$T/obj/$p.wasm.log" ||
				die "cannot build $p for wasm: $(grep -m3 error "$T/obj/$p.wasm.log")"
		fi
		if [ $f = async ]; then
			# shellcheck disable=SC2086
			"$WOPT" $WOPTFLAGS "$T/obj/$p.wasm" -o "$T/$f/bin/$name" ||
				die "wasm-opt failed on $p"
		else
			cp "$T/obj/$p.wasm" "$T/$f/bin/$name"
		fi
	done
done
cp "$D/fdgames.sh" "$T/native/fdgames.sh"
for f in $FORMS; do
	cp "$D/fdgames.sh" "$T/$f/fdgames.sh"
done

# fixture ROOT: everything but bin/ and fdgames.sh made afresh: r.txt,
# sub/a.txt, empty.txt and junk (executable, neither ELF nor wasm).
fixture() {
	for e in "$1"/* "$1"/.[!.]*; do
		case "$e" in */bin | */fdgames.sh | */'.[!.]*' | */'*') ;;
		*) rm -rf "$e" ;;
		esac
	done
	mkdir -p "$1/sub" && echo hello >"$1/r.txt" && echo aaa >"$1/sub/a.txt" &&
		: >"$1/empty.txt" && echo junk >"$1/junk" && chmod 755 "$1/junk"
}

# runcase NAME MODE PROG ARGS...: MODE "/" or "/data"; PROG is a name
# in bin/. The native run gives the expected stdout and status; then
# each form runs under wasmix and is compared with it.
runcase() {
	c_name=$1 c_mode=$2 c_prog=$3
	shift 3
	if [ -n "$CORPUS_ONLY" ] && ! echo "$c_name" | grep -Eq -- "$CORPUS_ONLY"; then
		return
	fi
	[ "$CORPUS_ALL_DATA" = 1 ] && c_mode=/data
	fixture "$T/native"
	# (The "exit $?" keeps the subshell from exec'ing its last command:
	# a signal death is then reported by the subshell, whose stderr is
	# /dev/null, not by this script's shell.)
	(cd "$T/native" && timeout "$TMO" env -i CORPUS_ROOT="$T/native" \
		PATH="$T/native/bin" FOO=bar CORPUS_CHDIR=1 "bin/$c_prog" "$@" \
		</dev/null >"$T/want" 2>"$T/want.err"
	exit $?) 2>/dev/null
	want_rc=$?
	if [ "$c_mode" = / ]; then
		c_opts="--dir .::/ --env CORPUS_ROOT= --env PATH=/bin"
	else
		c_opts="--dir .::/data --env CORPUS_ROOT=/data --env PATH=/data/bin"
	fi
	for f in $FORMS; do
		if [ $f = sdk ] && [ $c_prog = thr ]; then
			echo "skip $c_name [sdk]: $SDK_NO_THR"
			continue
		fi
		fixture "$T/$f"
		# shellcheck disable=SC2086
		(cd "$T/$f" && timeout "$TMO" "$W" run $c_opts $c_wopts --env FOO=bar \
			--env CORPUS_CHDIR=1 "bin/$c_prog" -- "$@" </dev/null \
			>"$T/got" 2>"$T/err"
		exit $?) 2>/dev/null
		rc=$?
		label="$c_name [$f]"
		if [ "$rc" = "$want_rc" ] && cmp -s "$T/got" "$T/want"; then
			[ $f = sdk ] && c_note= || c_note=$c_known
			ok "$label${c_note:+ (a known wasix-libc gap no longer shows)}"
			continue
		fi
		if [ -n "$c_known" ] && [ $f != sdk ]; then
			known=$((known + 1))
			echo "known $label: $c_known"
			continue
		fi
		why="status $rc, want $want_rc"
		[ "$rc" = 124 ] && why="timed out after ${TMO}s, want status $want_rc"
		[ "$rc" = "$want_rc" ] && why="stdout differs"
		diff "$T/want" "$T/got" | grep '^[<>]' >"$T/out"
		BAD_OUT="diff (<native >wasm)" BAD_OUT_LINES=12 BAD_ERR="wasm stderr" \
			BAD_ERR_LINES=4 bad "$label" "$why"
	done
}

# known REASON NAME MODE PROG ARGS...: a case that shows what wasix-libc
# itself leaves out (its source says so; no runtime can change it). A
# difference prints "known NAME [form]: wasix-libc: REASON" and is not
# a failure; a match counts as passed.
known=0
known() {
	c_known="wasix-libc: $1"
	shift
	runcase "$@"
	c_known=
}

# chosen REASON NAME MODE PROG ARGS...: a case where wasmix differs from
# Linux by a documented decision (REASON names where); reported as
# "known NAME [form]: wasmix: REASON", not a failure.
chosen() {
	c_known="wasmix: $1"
	shift
	runcase "$@"
	c_known=
}
c_known=

# Files and directories, with the root at "/" and at "/data".
for part in files dirs cwd stdio dev mmap; do
	runcase "fs $part" / fs $part
	runcase "fs $part @data" /data fs $part
done
runcase "args and environ" / proc args "a b" "" c
for part in ids fork exec spawn shell pipe time execself; do
	runcase "proc $part" / proc $part
done
chosen "the first program is pid 1, and like Linux's init its parent is 0 (docs/process.md)" \
	"getppid of the first process" / proc ppid1
for part in basics timers jumps die abort; do
	runcase "sig $part" / sig $part
done
known "getpgrp returns a libc variable, 0 unless setpgid set it" \
	"proc getpgrp" / proc libc
known "pthread_sigmask and sigpending do nothing, sigsuspend returns EINVAL, kill returns the WASI errno instead of -1, SA_RESETHAND is not kept" \
	"sig masks, sigsuspend, kill errors, SA_RESETHAND" / sig libc
known "setitimer sends only it_interval (so alarm() and one-shot timers never fire), getitimer reads nothing" \
	"sig alarm, one-shot setitimer, getitimer" / sig libctimers
runcase "setjmp/longjmp" / jmp
runcase "setjmp/longjmp @data" /data jmp
runcase "pthreads" / thr
chosen "thread_signal runs the handler on the caller (shared/spec/wasix-process.md), so pthread_kill to another thread is handled by the sender" \
	"pthread_kill to another thread" / thr kill
runcase "fd games" / fdg
runcase "fd games @data" /data fdg
runcase "fd games script (exec 3>file ...)" / sh fdgames.sh

# Sockets on loopback, under --net (docs/networking.md).
c_wopts=--net
for part in tcp tcp6 udp epoll prefork halfclose bulk refused nonblock \
	eventfd pair sockopt names timeout lookup eintr readwait; do
	runcase "net $part" / net $part
done
known "sendfile with an offset leaves *offset and moves the file offset (it passes *offset to sock_send_file and never updates it)" \
	"net sendfile" / net sendfile
c_wopts=

[ "$known" = 0 ] || echo "run_wasixlibc.sh: $known known differences (wasix-libc gaps or documented wasmix choices; not failures)"
summary run_wasixlibc.sh
