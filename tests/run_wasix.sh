#!/bin/sh
# run_wasix.sh BUILD_DIR: the WASIX process-model tests. Builds the guest
# programs of tests/wasix/ with the SDK (sdk/wasmix-cc, BUILD_DIR/sdk/
# libwasix.a) into a guest root BUILD_DIR/tests-wasix/root/ (mapped as the
# guest's "/", with sub/, text.txt, empty.txt and bin/wx_child), runs
# them and checks their "ok" lines, outputs and exit statuses; then
# checks from the host side (and wasix_64v1: w64_twin.wat in 64 and 32
# bits): fds and zombies after 200 fork+exec+wait
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
. "$(dirname "$0")/lib.sh"

[ -x "$W" ] || die "$W not built"
[ -f "$SDKLIB/libwasix.a" ] || die "$B/sdk/libwasix.a not built"
mkdir -p "$T/root/sub" "$T/root/bin" || die "cannot create $T"
T=$(cd "$T" && pwd -P) # physical: fds are compared with readlink
R=$T/root

for src in tests/wasix/wx_*.c; do
	out=$R/$(basename "$src" .c).wasm
	if [ ! -f "$out" ] || [ "$src" -nt "$out" ] ||
		[ tests/wasix/wx_check.h -nt "$out" ] ||
		[ "$SDKLIB/libwasix.a" -nt "$out" ]; then
		WASMIX_SDK_LIB=$SDKLIB sh sdk/wasmix-cc -O2 -Wall -Wextra \
			-Werror "$src" -o "$out" || die "cannot build $src"
	fi
done
# wx_reexec's other variant: the same size, other bytes.
if [ ! -f "$R/wx_reexec2.wasm" ] ||
	[ "$R/wx_reexec.wasm" -nt "$R/wx_reexec2.wasm" ]; then
	WASMIX_SDK_LIB=$SDKLIB sh sdk/wasmix-cc -O2 -Wall -Wextra -Werror \
		-DWX_VARIANT=2 tests/wasix/wx_reexec.c -o "$R/wx_reexec2.wasm" ||
		die "cannot build wx_reexec2"
fi
cp "$R/wx_child.wasm" "$R/bin/wx_child" || die "cannot copy wx_child"
echo hello >"$R/text.txt"
: >"$R/empty.txt"
printf '#!/wx_child.wasm echo\n' >"$R/s1.sh"
printf '#! /s1.sh \n' >"$R/s2.sh"
printf '#!/missing.wasm\n' >"$R/s3.sh"
printf '#!/loop.sh\n' >"$R/loop.sh"
# For wx_execerr: modules that fail to decode, validate or link, #!
# chains, a directory where PATH search finds the name.
printf '\000bsm\001\000\000\000' >"$R/badmagic.wasm"
printf '\000asm\002\000\000\000' >"$R/badver.wasm"
head -c 30 "$R/wx_child.wasm" >"$R/trunc.wasm"
printf '\000asm\001\000\000\000\001\005\001\140\000\001\177\003\002\001\000\012\004\001\002\000\013' \
	>"$R/invalid.wasm"
printf '\000asm\001\000\000\000\001\004\001\140\000\000\002\015\001\004nope\004nope\000\000' \
	>"$R/nolink.wasm"
printf '#!/text.txt\n' >"$R/t1.sh"
printf '#!/wx_child.wasm echo\n' >"$R/n1.sh"
for i in 2 3 4 5; do
	printf '#!/n%s.sh\n' $((i - 1)) >"$R/n$i.sh"
done
mkdir -p "$R/pa/dir/wx_child" || die "cannot create $R/pa"

# The default policy with a warm cache: every module compiled beforehand
# (those using setjmp, vfork or threads run interpreted: precompile says).
precompile "$W" "$R"/wx_*.wasm

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

# The filesystem as wasix-libc uses it (wx_root.c, docs/filesystem.md):
# absolute paths on the root preopen, /dev, the program's own fd 3; then
# the same with the directory mapped at /data under a virtual root.
mkdir -p "$T/fsroot/tmp" || die "cannot create $T/fsroot"
echo "root file" >"$T/fsroot/r.txt"
cp "$R/wx_root.wasm" "$T/fsroot/" || die "cannot copy wx_root"
# fscase NAME GUEST N ARGS...: wx_root with fsroot mapped at GUEST gives
# N ok lines, the /dev/stdout line, exit 0 and nothing on stderr.
fscase() {
	f_name=$1 f_guest=$2 f_n=$3
	shift 3
	(cd "$T/fsroot" && timeout 120 "$W" run --dir ".::$f_guest" \
		wx_root.wasm "$@") </dev/null >"$T/out" 2>"$T/err"
	rc=$?
	n=$(grep -c '^ok ' "$T/out")
	if [ "$rc" = 0 ] && [ "$n" = "$f_n" ] && [ ! -s "$T/err" ] &&
		grep -q '^written to /dev/stdout$' "$T/out"; then
		ok "filesystem: $f_name ($n checks)"
	else
		bad "filesystem: $f_name" "exit $rc, $n of $f_n ok lines"
	fi
}
fscase "root at /, /dev, the program's own fd 3" / 9
fscase "a mount at /data under a virtual root" /data 10 data

oklines "fork, waitpid, exit codes, kill, handlers, vfork" 7 wx_fork.wasm
oklines "the same under --timeout (fork children inherit the deadline)" 7 \
	--timeout 60 wx_fork.wasm
expect "exec keeps pid, fds, cwd; closes cloexec" 0 \
	"ok exec errors, argv intact
ok execvp PATH search
pid=1 argc=2 cwd=/sub FOO=bar fd4=1 fd5=0" wx_exec.wasm
oklines "proc_fork_env: exec and exit as the child" 2 wx_forkenv.wasm
oklines "execl/execlp/execle, setitimer/getitimer, F_DUPFD, getpgrp, ids, abort, getcwd" \
	4 wx_execl.wasm
oklines "the exec error table, env and args rows; failures change nothing" \
	6 --env FOO=keep wx_execerr.wasm
oklines "signal handlers reach a guest spinning in a loop" 3 wx_sigloop.wasm
# wx_sigchld gets a host pid outside the run: its own (sh execs wasmix).
(cd "$R" && timeout 120 sh -c 'exec "$0" run --dir .::/ wx_sigchld.wasm $$' \
	"$W") </dev/null >"$T/out" 2>"$T/err"
rc=$?
n=$(grep -c '^ok ' "$T/out")
if [ "$rc" != 0 ] || [ "$n" != 7 ] || grep -q FAIL "$T/out"; then
	bad "CHLD/URG/WINCH/CONT handlers, restart, ESRCH, reap once" \
		"exit $rc, $n of 9 ok lines"
else
	ok "CHLD/URG/WINCH/CONT handlers, restart, ESRCH, reap once ($n checks)"
fi
oklines "posix_spawn, pipes, signals, alarm, 200 cycles" 10 wx_spawn.wasm
# The process-tree limits (docs/process.md#limits).
oklines "--max-procs 8: 7 children, then fork and spawn fail with EAGAIN" 3 \
	--max-procs 8 wx_limits.wasm procs 8
oklines "a fork bomb under --max-procs 32 ends with EAGAIN" 1 \
	--max-procs 32 wx_limits.wasm bomb
oklines "--max-tree-memory 16M: malloc and fork fail (ENOMEM)" 2 \
	--max-tree-memory 16M wx_limits.wasm memory
expect "exec of the running program and of a known one: reuse only for the same bytes" 0 \
	"ok variant 1: 142
ok variant 2: 142
ok variant 1: 142
ok re-exec: same bytes, changed bytes, same again
ok variant 2: 142
ok another program again; a changed copy is checked anew" wx_reexec.wasm
expect "a failed exec of itself leaves the program intact" 0 \
	"ok exec of itself past the memory cap fails; it runs on" \
	--max-tree-memory 16M wx_reexec.wasm memory
oklines "--max-fds 16: EMFILE from open and dup" 2 --max-fds 16 \
	wx_limits.wasm fds 16
# Constructors and atexit handlers run once, not around every signal.
expect "constructors and atexit once across signal deliveries" 0 \
	"ok ctors once
atexit ctors=1 handled=4" wx_ctors.wasm
# A handler ends a busy loop that calls nothing (compiled: no poll in
# the loop, the asynchronous interrupt delivers).
expect "a signal handler ends a busy loop" 0 "round 1: handled 1
round 2: handled 2" --timeout 60 wx_sigspin.wasm
# The SDK's signal masks, sigsuspend, siglongjmp's mask, EINTR sleeps, a
# read that a blocked signal does not interrupt.
oklines "signal masks, pending, sigsuspend, siglongjmp mask, EINTR sleeps" \
	7 wx_sigmask.wasm
expect "shell pipeline a | b | c" 0 "HELLO WORLD" wx_sh.wasm -- \
	'wx_child echo hello world | wx_child upper | wx_child cat'
expect "shell \$(...)" 0 "got INNER end" wx_sh.wasm -- \
	'wx_child echo got $(wx_child echo inner | wx_child upper) end'
expect "shell pipeline status of the last" 3 "" wx_sh.wasm -- \
	'wx_child echo a | wx_child exit 3'
expect "exec'd program's exit code" 255 "" wx_sh.wasm -- 'wx_child exit 255'
# The spawned program runs compiled from the cache although the process
# confined itself before loading it (docs/aot.md): -v says "compiled"
# for both programs. Unless the compiled tier is off or has no compiler.
if [ "${WASMIX_AOT:-}" != 0 ] &&
	"$W" compile "$R/wx_child.wasm" >/dev/null 2>&1 &&
	"$W" compile "$R/wx_sh.wasm" >/dev/null 2>&1; then
	run -v wx_sh.wasm -- 'wx_child exit 3'
	n=$(grep -c '^wasmix: compiled: [0-9]* of [0-9]* functions run natively' "$T/err")
	if [ "$rc" = 3 ] && [ "$n" = 2 ]; then
		ok "exec'd program runs compiled from the cache"
	else
		bad "exec'd program runs compiled from the cache" \
			"status $rc, $n 'compiled' lines, want 3 and 2"
	fi
else
	echo "skip exec'd program compiled: the compiled tier is off or has no C compiler"
fi
# An exec'd (here: spawned) program is instantiated as from the command
# line: shared env.memory, wasi.thread-spawn; exits 0 once its thread ran.
cat >"$T/thr.wat" <<'EOF'
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))
  (func (export "wasi_thread_start") (param i32 i32)
    (i32.atomic.store (i32.const 0) (i32.const 1))
    (drop (memory.atomic.notify (i32.const 0) (i32.const 1))))
  (func (export "_start")
    (if (i32.lt_s (call $spawn (i32.const 0)) (i32.const 1))
      (then (call $exit (i32.const 1))))
    (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1)))
    (call $exit (i32.sub (i32.const 3)
      (i32.mul (i32.const 3) (i32.atomic.load (i32.const 0)))))))
EOF
"$W" wat2wasm "$T/thr.wat" -o "$R/thr.wasm" ||
	die "cannot build $T/thr.wat"
expect "a thread program runs from the command line" 0 "" thr.wasm
expect "an exec'd program gets env.memory and thread-spawn" 0 "" \
	wx_sh.wasm -- '/thr.wasm'
for w in raise_preview1 forkenv_pid forkenv_eh sig_dfl main_tls exec_race path_race \
	thread_cap; do
	"$W" wat2wasm "tests/wasix/$w.wat" -o "$R/$w.wasm" ||
		die "cannot build tests/wasix/$w.wat"
done
# wasix_64v1: each WAT source built for memory64 and as its 32-bit twin
# (w64_twin.wat says how), and w64_c.c compiled for wasm64 and wasm32;
# both widths must print the same lines.
for width in 64 32; do
	if [ $width = 64 ]; then
		t=i64 ps=8 big=0x100000200
	else
		t=i32 ps=4 big=0xfffffe00
	fi
	for src in twin thread; do
		sed -e "s/\bptr\b/$t/g; s/ptr\./$t./g; s/PS3/$((3 * ps))/g" \
			-e "s/PS2/$((2 * ps))/g; s/PS/$ps/g; s/BIG/$big/g" \
			-e "s/MOD/wasix_${width}v1/g" \
			"tests/wasix/w64_$src.wat" >"$T/$src$width.wat" &&
			"$W" wat2wasm "$T/$src$width.wat" -o "$R/$src$width.wasm" ||
			die "cannot build the $width-bit w64_$src"
	done
	expect "a ${width}-bit program: thread_spawn_v2, thread-spawn, futexes" \
		0 "" "thread$width.wasm"
	# The C twin: freestanding, its imports declared in w64_imports.h.
	${WASM_CC:-clang} --target=wasm$width -O2 -Wall -Wextra -Werror \
		-nostdlib -Wl,--entry=_start tests/wasix/w64_c.c \
		-o "$R/c$width.wasm" || die "cannot build the $width-bit w64_c.c"
	expect "a ${width}-bit C program: environ, pread, call_dynamic, spawn" \
		0 "argone
W64=yes
hello world
/
call_dynamic 42
signal 10
exec'd
joined 9
spawned" --env W64=yes "c$width.wasm" argone
	# --trace decodes a program's strings and join status at its width.
	run --trace="$T/trace$width" "c$width.wasm" argone
	if grep -qF "proc_exec3(\"c$width.wasm\", \"x\\nexec\"" "$T/trace$width" &&
		grep -qF "exited 9]) = 0" "$T/trace$width"; then
		ok "--trace of a ${width}-bit program shows its strings and joins"
	else
		bad "--trace at ${width} bits" "no decoded proc_exec3/proc_join lines"
	fi
	expect "a ${width}-bit program: files, sockets, epoll, setjmp, signal, fork, exec" \
		0 "argone
/
hello world
ping
/
jumped 5
signal 10
child
exec'd
joined 7" "twin$width.wasm" argone
done
# wasix_64v1 with a 32-bit memory does not link (pointers would be cut).
cat >"$T/mism.wat" <<'EOF'
(module
  (import "wasix_64v1" "proc_id" (func $id (param i64) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $exit (call $id (i64.const 0x100000000)))))
EOF
"$W" wat2wasm "$T/mism.wat" -o "$R/mism.wasm" || die "cannot build mism.wat"
run mism.wasm
if [ "$rc" = 2 ] && grep -q '"wasix_64v1" "proc_id"' "$T/err"; then
	ok "wasix_64v1 with a 32-bit memory is a link error"
else
	bad "wasix_64v1 with a 32-bit memory" "exit $rc, want 2 and the import"
fi
expect "preview1 proc_raise runs the WASIX handler" 10 "" \
	raise_preview1.wasm
expect "proc_fork_env writes the child's pid" 2 "" forkenv_pid.wasm
expect "vfork of wasix-libc's EH builds (throw back to setjmp, both encodings)" \
	0 "" forkenv_eh.wasm
# wasix-libc's SIG_DFL path (sig_dfl.wat): death by the signal, silent
run sig_dfl.wasm
if [ "$rc" = 143 ] && [ ! -s "$T/out" ] && [ ! -s "$T/err" ]; then
	ok "a signal at its default action kills, as on Linux"
else
	bad "default action of SIGTERM" "exit $rc, want 143 and no output"
fi
expect "a handler that blocks signals later runs to its end" 0 \
	"handled" sig_dfl.wasm late
expect "the main thread gets a TLS block below its stack" 100 "" \
	main_tls.wasm
expect "argv read once while another thread changes it (issue 17)" 0 "" \
	exec_race.wasm
expect "a path copied, then checked, while another thread changes it" 0 "" \
	path_race.wasm
expect "--max-threads 5: the sixth thread spawn fails" 5 "" \
	--max-threads 5 thread_cap.wasm
expect "system, popen, --map-command sh, #! scripts" 0 "3
ok system popen pclose
ok #! scripts" --map-command "sh=$R/wx_sh.wasm" wx_system.wasm

# --trace (docs/cli.md): one line per call of every process, on stderr
# or appended to a file. tline RE: whether a line of $T/trace matches RE.
tline() {
	grep -Eq -- "$1" "$T/trace"
}
run --trace wx_child.wasm open /missing.txt
cp "$T/err" "$T/trace"
if [ "$rc" = 4 ] && grep -qx 'open: No such file or directory' "$T/out" &&
	tline '^\[pid 1\] path_open\(3, SYMLINK_FOLLOW, "missing\.txt", 0, .*\) = -1 ENOENT$' &&
	tline '^\[pid 1\] proc_exit\(4\) = \?$' &&
	tline '^\[pid 1\] \+\+\+ exited with 4 \+\+\+$'; then
	ok "--trace: a missing file's path_open, ENOENT, the exit status"
else
	bad "--trace of a missing file" "exit $rc or trace lines missing"
fi
rm -f "$T/trace"
run --trace="$T/trace" wx_child.wasm forkexec
if [ "$rc" = 0 ] && grep -qx 'child status 3' "$T/out" && [ ! -s "$T/err" ] &&
	tline '^\[pid 1\] proc_fork\(1, \[2\]\) = 0$' &&
	tline '^\[pid 2\] proc_fork\(1, \[0\]\) = 0$' &&
	tline '^\[pid 2\] path_open\(3, [^"]*"no-such-child-file", .* = -1 ENOENT$' &&
	tline '^\[pid 2\] proc_exec4\("/bin/wx_child", \["wx_child", "exit", "3"\], .*\) = 0$' &&
	tline '^\[pid 2\] args_sizes_get\(\[3\], ' &&
	tline '^\[pid 2\] \+\+\+ exited with 3 \+\+\+$' &&
	tline '^\[pid 1\] --- SIGCHLD delivered ---$' &&
	tline '^\[pid 1\] proc_join\(2, 0, \[pid 2 exited 3\]\) = 0$' &&
	tline '^\[pid 1\] \+\+\+ exited with 0 \+\+\+$'; then
	ok "--trace=FILE: fork (each pid its own), exec, SIGCHLD, exit statuses"
else
	cp "$T/trace" "$T/out" 2>/dev/null
	bad "--trace=FILE of fork and exec" "exit $rc or trace lines missing"
fi
# A pipeline of four processes into one file: whole lines only, each
# process's own, and the same stdout and status as without --trace.
rm -f "$T/trace"
run --trace="$T/trace" wx_sh.wasm -- \
	'wx_child echo hello world | wx_child upper | wx_child cat | wx_child count'
t_bad=$(grep -Evc '^\[pid [0-9]+( tid [0-9]+)?\] ([a-z_0-9-]+\(.*\) = .+|\+\+\+ .+ \+\+\+|--- .+ ---)$' "$T/trace")
t_pids=$(sed -n 's/^\[pid \([0-9]*\)\] +++ exited with 0 +++$/\1/p' "$T/trace" |
	sort -n | tr '\n' ' ')
if [ "$rc" = 0 ] && grep -qx 12 "$T/out" && [ "$t_bad" = 0 ] &&
	[ "$t_pids" = "1 2 3 4 5 " ]; then
	ok "--trace=FILE: a 5-process pipeline, whole lines, each exit"
else
	cp "$T/trace" "$T/out"
	bad "--trace=FILE of a pipeline" \
		"exit $rc, $t_bad malformed lines, exits of pids: $t_pids"
fi
for args in "wx_child echo a b | wx_child upper" "wx_child echo a | wx_child exit 3"; do
	run wx_sh.wasm -- "$args"
	cp "$T/out" "$T/out0"
	rc0=$rc
	run --trace wx_sh.wasm -- "$args"
	if [ "$rc" = "$rc0" ] && cmp -s "$T/out" "$T/out0" &&
		grep -q '^\[pid 1\] proc_spawn3("wx_child", ' "$T/err"; then
		ok "--trace changes neither stdout nor the status ($rc): $args"
	else
		bad "--trace changes the run: $args" "status $rc, want $rc0"
	fi
done
# The trace is not the guest's fd 2: closing all its fds leaves it.
run --trace wx_child.wasm closeall
cp "$T/err" "$T/trace"
if [ "$rc" = 5 ] && tline '^\[pid 1\] fd_close\(2\) = 0$' &&
	tline '^\[pid 1\] fd_close\(3\) = 0$' &&
	tline '^\[pid 1\] \+\+\+ exited with 5 \+\+\+$'; then
	ok "--trace goes on after the guest closed its fds 0-63"
else
	: >"$T/out"
	bad "--trace after the guest closed its fds" "exit $rc or lines missing"
fi
# A path of 100,000 bytes: a bounded line, the string cut with "...".
run --trace wx_child.wasm longopen 100000
cp "$T/err" "$T/trace"
t_max=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$T/trace")
if [ "$rc" = 4 ] && [ "$t_max" -lt 4096 ] &&
	tline '^\[pid 1\] path_open\(3, SYMLINK_FOLLOW, "a{200}"\.\.\., 0, .*\) = -1 E[A-Z]+$'; then
	ok "--trace: a 100,000-byte path makes a bounded line (longest $t_max)"
else
	: >"$T/out"
	bad "--trace of a huge path" "exit $rc, longest line $t_max"
fi

# Host side: after 200 cycles the wasmix process has as many fds as a
# program that did nothing, and no children (no zombies). Both programs
# print "held" (flushed) and then block reading the fifo, so the counts
# are taken while each is running, as soon as it is ready.
fifo=$T/fifo
rm -f "$fifo" && mkfifo "$fifo" || die "cannot make a fifo"
count_fds() {
	# Emptied here, not only by the background job's redirection: the
	# loop below must never see the previous run's "held".
	: >"$T/out"
	(cd "$R" && exec "$W" run --dir .::/ "$@") <"$fifo" >"$T/out" 2>&1 &
	c_pid=$!
	exec 7>"$fifo"
	i=0
	# A hang guard of 2 minutes (sanitizer builds fork slowly).
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
count_fds wx_child.wasm hold
base=$c_fds
b_kids=$c_kids
count_fds wx_spawn.wasm hold
if [ "$b_kids" != 0 ]; then
	bad "host fds / zombies" "baseline program: children $b_kids"
elif [ "$c_fds" = "$base" ] && [ "$c_kids" = 0 ]; then
	ok "200 fork+exec+wait: host fds $c_fds = $base, no zombies"
else
	bad "host fds / zombies" "fds $c_fds (baseline $base), children $c_kids"
fi

# The trace's host fd, seen while the guest runs: O_APPEND and
# close-on-exec (a host program never inherits it).
: >"$T/out"
(cd "$R" && exec "$W" run --trace="$T/trace.hold" --dir .::/ wx_child.wasm \
	hold) <"$fifo" >"$T/out" 2>&1 &
c_pid=$!
exec 7>"$fifo"
i=0
while [ $i -lt 600 ] && ! grep -q held "$T/out" 2>/dev/null; do
	sleep 0.2
	i=$((i + 1))
done
t_flags=0
for f in /proc/$c_pid/fd/*; do
	if [ "$(readlink "$f")" = "$T/trace.hold" ]; then
		t_flags=$(sed -n 's/^flags:[[:space:]]*//p' \
			"/proc/$c_pid/fdinfo/${f##*/}")
	fi
done
exec 7>&-
wait $c_pid
case $t_flags in *[!0-7]* | '') t_flags=0 ;; esac
if [ $((t_flags & 02000000)) != 0 ] && [ $((t_flags & 02000)) != 0 ] &&
	grep -q 'exited with 0' "$T/trace.hold"; then
	ok "--trace=FILE: the host fd is O_APPEND and close-on-exec ($t_flags)"
else
	bad "--trace=FILE host fd flags" "flags '$t_flags'"
fi

# ^C on a terminal reaches the whole guest process group: host_pty runs
# wx_sh on a new pty (session leader, controlling terminal), waits for
# the pipeline's "ready" lines, writes ^C and prints what the terminal
# showed and how wx_sh ended.
# pty NAME N WANT LINE...: WANT is a file of lines that must all appear.
pty() {
	p_name=$1 p_n=$2 p_want=$3
	shift 3
	(cd "$R" && "$T/host_pty" "$p_n" 120 "$W" run --dir .::/ \
		--env PATH=/bin wx_sh.wasm -- "$@") </dev/null >"$T/out" 2>"$T/err"
	rc=$?
	p_miss=$(grep -vxFf "$T/out" "$p_want" | head -1)
	if [ "$rc" != 0 ] || [ -n "$p_miss" ]; then
		bad "$p_name" "driver exit $rc, missing line: $p_miss"
	else
		ok "$p_name"
	fi
}
if ${CC:-cc} -O2 -Wall -Wextra -Werror -o "$T/host_pty" \
	tests/wasix/host_pty.c 2>"$T/err"; then
	printf '%s\n' 'cmd 0 signal 2' 'cmd 1 signal 2' 'cmd 2 signal 2' \
		'sh got SIGINT' 'status exit 130' >"$T/want"
	pty "^C on a pty kills a 3-process pipeline (SIGINT to each)" 3 \
		"$T/want" -v -c 'wx_child wait 1 | wx_child wait 2 | wx_child wait 3'
	printf '%s\n' 'cmd 0 signal 2' 'handled INT 2' 'cmd 1 exit 0' \
		'sh got SIGINT' 'status exit 0' >"$T/want"
	pty "^C on a pty runs a guest's SIGINT handler" 2 "$T/want" \
		-v -c 'wx_child wait 1 | wx_child waitint 2'
	printf '%s\n' 'status signal 2' >"$T/want"
	pty "^C on a pty: a shell with no handler dies of SIGINT" 2 \
		"$T/want" 'wx_child wait 1 | wx_child wait 2'
else
	: >"$T/out"
	bad "host_pty" "cannot build tests/wasix/host_pty.c"
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

# --timeout bounds the whole run: wx_child's 'tree' forks a spinning child
# (which forks a spinning grandchild) and a child that execs into a 1000 s
# sleep, then waits for them. All four processes exist, the run ends with
# the timeout trap, and no host process of the run is left afterwards.
tmo_re="^[^ ]*wasmix run .* wx_child.wasm tree tmo$$\$"
(cd "$R" && exec timeout 60 "$W" run --dir .::/ --env PATH=/bin \
	--timeout 2 wx_child.wasm tree "tmo$$") </dev/null >"$T/out" 2>"$T/err" &
tmo_pid=$!
tmo_n=0 i=0
while [ "$tmo_n" -lt 4 ] && [ $i -lt 200 ]; do
	tmo_n=$(pgrep -f "$tmo_re" | wc -l)
	i=$((i + 1))
	sleep 0.05
done
wait $tmo_pid
rc=$?
i=0
while tmo_left=$(pgrep -f "$tmo_re") && [ $i -lt 100 ]; do
	i=$((i + 1))
	sleep 0.1
done
if [ "$rc" = 134 ] && [ "$tmo_n" -ge 4 ] && [ -z "$tmo_left" ] &&
	grep -q '^tree ' "$T/out" &&
	grep -q '^wasmix: trap: timeout' "$T/err"; then
	ok "--timeout ends every process of the run (forked, exec'd, spinning, sleeping)"
else
	bad "--timeout over a process tree" \
		"exit $rc (want 134), $tmo_n processes seen (want 4), left: $tmo_left"
	[ -z "$tmo_left" ] || kill -KILL $tmo_left
fi

# setjmp/longjmp (wx_jmp.c): the checks, then each misuse traps (exit
# 134) with the runtime's message and nothing of the guest's after it.
oklines "setjmp/longjmp: frames, nesting, loops, fork, signals, pending" 6 \
	wx_jmp.wasm
for m in stale:returned forged:forged badhash:forged evicted:evicted \
	deadcall:returned; do
	run wx_jmp.wasm "${m%%:*}"
	if [ "$rc" = 134 ] && [ ! -s "$T/out" ] &&
		grep -q "invalid or stale setjmp snapshot (.*${m#*:}" "$T/err"; then
		ok "longjmp to a ${m%%:*} snapshot traps"
	else
		bad "longjmp to a ${m%%:*} snapshot" "exit $rc, want 134 and the message"
	fi
done

# The same through wasix-libc-style setjmp functions (wx_jmp2.c): 1-3
# (and 8) wrapper frames between the user's frame and stack_checkpoint,
# rebuilt by the runtime; a longjmp after the user's frame returned still
# traps, as does one made through more than 8 wrappers.
oklines "setjmp/longjmp through setjmp functions (wasix-libc style)" 12 \
	wx_jmp2.wasm
for m in stale1 stale2 stale3 deadcall toodeep; do
	run wx_jmp2.wasm $m
	if [ "$rc" = 134 ] && [ ! -s "$T/out" ] &&
		grep -q "invalid or stale setjmp snapshot (its frame returned)" \
			"$T/err"; then
		ok "wasix-libc style: longjmp to a $m snapshot traps"
	else
		bad "wasix-libc style: longjmp to a $m snapshot" \
			"exit $rc, want 134 and the message"
	fi
done

# Every WASIX import links; unimplemented ones return ENOSYS (52), in
# both wasix_32v1 and wasix_64v1 (with a memory64 memory and the
# signatures widened as wasix-libc's 64-bit headers have them); port_mac:
# the virtual NIC calls stay ENOSYS by choice (docs/networking.md).
if [ -f "$TSV" ]; then
	for mod in wasix_32v1 wasix_64v1; do
		awk -F'\t' -v mod=$mod 'NR > 1 {
			sig = $2; split(sig, a, "->"); p = a[1]; r = a[2]
			gsub(/[(),]/, " ", p); gsub(/[()]/, "", r)
			if (mod == "wasix_64v1") p = wide(p, $3)
			printf "(import \"%s\" \"%s\" (func $%s (param %s)%s))\n",
				mod, $1, $1, p, (r == "void" ? "" : " (result " r ")")
		}
		# wasix_64v1 (memory64): pointers and sizes widen to i64. From
		# the C parameters: a string is (pointer, size), any other
		# pointer one i64, a size_t or a function pointer one i64, the
		# rest keep their type.
		function wide(p, c,   w, t, n, i, k, out) {
			n = split(p, w, " "); k = split(c, t, ", "); out = ""
			i = 1
			for (j = 1; j <= k && i <= n; j++) {
				if (t[j] ~ /^const char \*/) {
					out = out " i64 i64"; i += 2
				} else if (t[j] ~ /\*/ || t[j] ~ /^(size_t|__wasi_size_t|__wasi_pointersize_t|__wasi_function_pointer_t) /) {
					out = out " i64"; i++
				} else {
					out = out " " w[i]; i++
				}
			}
			for (; i <= n; i++) out = out " " w[i]
			return out
		}' "$TSV" >"$T/imports.wat"
		if [ $mod = wasix_32v1 ]; then
			call='(call $port_mac (i32.const 0))'
		else
			call='(call $port_mac (i64.const 0))'
		fi
		{
			echo '(module'
			cat "$T/imports.wat"
			echo '(import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))'
			if [ $mod = wasix_64v1 ]; then
				echo '(memory (export "memory") i64 1)'
			else
				echo '(memory (export "memory") 1)'
			fi
			echo "(func (export \"_start\") (call \$exit $call)))"
		} >"$T/all_$mod.wat"
		if ! "$W" wat2wasm "$T/all_$mod.wat" -o "$T/all_$mod.wasm" 2>"$T/err"; then
			: >"$T/out"
			bad "$mod imports" "wasmix wat2wasm failed: $(cat "$T/err")"
			continue
		fi
		run "$T/all_$mod.wasm"
		n=$(($(wc -l <"$T/imports.wat")))
		if [ "$rc" = 52 ]; then
			ok "all $n $mod imports link; port_mac returns ENOSYS"
		else
			bad "$mod imports" "exit $rc, want 52"
		fi
	done
else
	bad "import table check" "no $TSV (WASIX_TSV names it)"
fi

summary run_wasix.sh
