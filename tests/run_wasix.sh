#!/bin/sh
# run_wasix.sh BUILD_DIR: the WASIX process-model tests. Builds the guest
# programs of tests/wasix/ with the SDK (sdk/wasmix-cc, BUILD_DIR/sdk/
# libwasix.a) into a guest root BUILD_DIR/tests-wasix/root/ (mapped as the
# guest's "/", with sub/, text.txt, empty.txt and bin/wx_child), runs
# them and checks their "ok" lines, outputs and exit statuses; then
# checks from the host side: fds and zombies after 200 fork+exec+wait
# cycles, a signal death of the wasmix process, --map-command, and that
# every import of shared/spec/wasix_32v1.tsv links (wasix_32v1 and
# wasix_64v1) and returns ENOSYS when not implemented.
# Prints one line per check and a summary; exits 1 on failure.
#
# Called by 'make test' as: sh tests/run_wasix.sh BUILD_DIR

B=${1:-build}
W=$(cd "$(dirname "$B/wasmix")" && pwd)/wasmix
SDKLIB=$(cd "$B/sdk" 2>/dev/null && pwd)
T=$B/tests-wasix
TSV=${WASIX_TSV:-../shared/spec/wasix_32v1.tsv}
pass=0
nfail=0

die() {
	echo "run_wasix.sh: $*" >&2
	exit 1
}

[ -x "$W" ] || die "$W not built"
[ -f "$SDKLIB/libwasix.a" ] || die "$B/sdk/libwasix.a not built"
mkdir -p "$T/root/sub" "$T/root/bin" || die "cannot create $T"
T=$(cd "$T" && pwd)
R=$T/root

for src in tests/wasix/*.c; do
	out=$R/$(basename "$src" .c).wasm
	if [ ! -f "$out" ] || [ "$src" -nt "$out" ] ||
		[ "$SDKLIB/libwasix.a" -nt "$out" ]; then
		WASMIX_SDK_LIB=$SDKLIB sh sdk/wasmix-cc -O2 -Wall -Wextra \
			-Werror "$src" -o "$out" || die "cannot build $src"
	fi
done
cp "$R/wx_child.wasm" "$R/bin/wx_child" || die "cannot copy wx_child"
echo hello >"$R/text.txt"
: >"$R/empty.txt"
printf '#!/wx_child.wasm echo\n' >"$R/s1.sh"
printf '#! /s1.sh \n' >"$R/s2.sh"
printf '#!/missing.wasm\n' >"$R/s3.sh"
printf '#!/loop.sh\n' >"$R/loop.sh"

ok() {
	pass=$((pass + 1))
	echo "ok   $1"
}

bad() {
	nfail=$((nfail + 1))
	echo "FAIL $1: $2"
	sed 's/^/     out: /' "$T/out" | head -20
	sed 's/^/     err: /' "$T/err" | head -5
}

# run ARGS...: runs wasmix in the guest root with PATH=/bin; sets $rc.
run() {
	(cd "$R" && timeout 120 "$W" run --dir .::/ --env PATH=/bin "$@") \
		</dev/null >"$T/out" 2>"$T/err"
	rc=$?
}

# expect NAME STATUS TEXT ARGS...: status and exact stdout.
expect() {
	e_name=$1 e_rc=$2 e_text=$3
	shift 3
	run "$@"
	if [ -n "$e_text" ]; then
		printf '%s\n' "$e_text" >"$T/want"
	else
		: >"$T/want"
	fi
	if [ "$rc" != "$e_rc" ]; then
		bad "$e_name" "exit status $rc, want $e_rc"
	elif ! cmp -s "$T/out" "$T/want"; then
		bad "$e_name" "output differs from: $e_text"
	else
		ok "$e_name"
	fi
}

# oklines NAME N ARGS...: a test program that prints N "ok" lines, exit 0.
oklines() {
	o_name=$1 o_n=$2
	shift 2
	run "$@"
	n=$(grep -c '^ok ' "$T/out")
	if [ "$rc" != 0 ] || [ "$n" != "$o_n" ] || grep -q FAIL "$T/out"; then
		bad "$o_name" "exit $rc, $n of $o_n ok lines"
	else
		ok "$o_name ($n checks)"
	fi
}

oklines "fork, waitpid, exit codes, kill, handlers, vfork" 6 wx_fork.wasm
oklines "the same under --timeout (a fork child has no timer thread)" 6 \
	--timeout 60 wx_fork.wasm
expect "exec keeps pid, fds, cwd; closes cloexec" 0 \
	"ok exec errors, argv intact
ok execvp PATH search
pid=1 argc=2 cwd=/sub FOO=bar fd4=1 fd5=0" wx_exec.wasm
oklines "proc_fork_env: exec and exit as the child" 2 wx_forkenv.wasm
oklines "signal handlers reach a guest spinning in a loop" 3 wx_sigloop.wasm
oklines "posix_spawn, pipes, signals, alarm, 200 cycles" 10 wx_spawn.wasm
expect "shell pipeline a | b | c" 0 "HELLO WORLD" wx_sh.wasm -- \
	'wx_child echo hello world | wx_child upper | wx_child cat'
expect "shell \$(...)" 0 "got INNER end" wx_sh.wasm -- \
	'wx_child echo got $(wx_child echo inner | wx_child upper) end'
expect "shell pipeline status of the last" 3 "" wx_sh.wasm -- \
	'wx_child echo a | wx_child exit 3'
expect "exec'd program's exit code" 255 "" wx_sh.wasm -- 'wx_child exit 255'
expect "system, popen, --map-command sh, #! scripts" 0 "3
ok system popen pclose
ok #! scripts" --map-command "sh=$R/wx_sh.wasm" wx_system.wasm

# Host side: after 200 cycles the wasmix process has as many fds as a
# program that did nothing, and no children (no zombies).
fifo=$T/fifo
rm -f "$fifo" && mkfifo "$fifo" || die "cannot make a fifo"
count_fds() {
	(cd "$R" && exec "$W" run --dir .::/ "$@") <"$fifo" >"$T/out" 2>&1 &
	c_pid=$!
	exec 7>"$fifo"
	i=0
	# Up to 2 minutes: sanitizer builds fork slowly.
	while [ $i -lt 600 ] && ! grep -q held "$T/out" 2>/dev/null; do
		sleep 0.2
		i=$((i + 1))
	done
	c_fds=$(ls /proc/$c_pid/fd | wc -l)
	c_kids=$(ps -o pid= --ppid $c_pid | wc -l)
	grep -q held "$T/out" || c_kids="$c_kids (never held)"
	exec 7>&-
	wait $c_pid
}
printf 'held\n' >"$R/held.txt"
count_fds wx_child.wasm cat held.txt
base=$c_fds
(cd "$R" && "$W" run --dir .::/ wx_child.wasm cat held.txt) >/dev/null
count_fds wx_spawn.wasm hold
if [ "$c_fds" = "$base" ] && [ "$c_kids" = 0 ]; then
	ok "200 fork+exec+wait: host fds $c_fds = $base, no zombies"
else
	bad "host fds / zombies" "fds $c_fds (baseline $base), children $c_kids"
fi

# A guest killed by a signal kills the wasmix process by that signal.
# (SIGTERM: a background job of a non-interactive shell starts with
# SIGINT ignored, and an ignored signal stays ignored, as natively.)
(cd "$R" && exec "$W" run --dir .::/ wx_child.wasm spin) &
s_pid=$!
sleep 0.3
kill -TERM $s_pid
wait $s_pid
rc=$?
if [ $rc = 143 ]; then
	ok "SIGTERM kills a spinning guest as SIGTERM (status 143)"
else
	: >"$T/out" && : >"$T/err"
	bad "SIGTERM to wasmix" "status $rc, want 143"
fi

# --timeout still stops a guest that makes host calls all the time (the
# flag it raises is shared with signals and must not be lowered by them).
run --timeout 1 wx_child.wasm yield
if [ "$rc" = 134 ] && grep -q timeout "$T/err"; then
	ok "--timeout stops a guest busy with host calls"
else
	bad "--timeout with host calls" "exit $rc"
fi

# Every WASIX import links; unimplemented ones return ENOSYS (52), in
# both wasix_32v1 and wasix_64v1.
if command -v wat2wasm >/dev/null && [ -f "$TSV" ]; then
	for mod in wasix_32v1 wasix_64v1; do
		awk -F'\t' -v mod=$mod 'NR > 1 {
			sig = $2; split(sig, a, "->"); p = a[1]; r = a[2]
			gsub(/[(),]/, " ", p); gsub(/[()]/, "", r)
			if (mod == "wasix_64v1") gsub(/i32/, "i64", p)
			printf "(import \"%s\" \"%s\" (func $%s (param %s)%s))\n",
				mod, $1, $1, p, (r == "void" ? "" : " (result " r ")")
		}' "$TSV" >"$T/imports.wat"
		if [ $mod = wasix_32v1 ]; then
			call='(call $sock_open (i32.const 1) (i32.const 1) (i32.const 0) (i32.const 0))'
		else
			call='(call $sock_open (i64.const 1) (i64.const 1) (i64.const 0) (i64.const 0))'
		fi
		{
			echo '(module'
			cat "$T/imports.wat"
			echo '(import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))'
			echo '(memory (export "memory") 1)'
			echo "(func (export \"_start\") (call \$exit $call)))"
		} >"$T/all_$mod.wat"
		if ! wat2wasm "$T/all_$mod.wat" -o "$T/all_$mod.wasm" 2>"$T/err"; then
			: >"$T/out"
			bad "$mod imports" "wat2wasm failed"
			continue
		fi
		run "$T/all_$mod.wasm"
		n=$(($(wc -l <"$T/imports.wat")))
		if [ "$rc" = 52 ]; then
			ok "all $n $mod imports link; sock_open returns ENOSYS"
		else
			bad "$mod imports" "exit $rc, want 52"
		fi
	done
else
	echo "skip import table check (no wat2wasm or $TSV)"
fi

echo "run_wasix.sh: $pass passed, $nfail failed"
[ $nfail = 0 ]
