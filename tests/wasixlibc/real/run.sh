#!/bin/sh
# run.sh BUILD_DIR OUT: runs the real programs that build.sh put in OUT
# (dash as sh, lua, sqlite3, busybox's applets) natively and under
# BUILD_DIR/wasmix, plain and asyncified, and compares stdout and exit
# status per case: dash running pipelines and redirections (shell.sh),
# Lua's errors through setjmp, coroutines, files and popen (lua.lua), the
# sqlite3 shell on a database file (sql.sh), dash driving busybox's
# coreutils-style applets (coreutils.sh) and on files, directories and
# symlinks (files.sh), small dash -c pipelines,
# applets run directly (exec through a bin/ symlink to busybox), and
# busybox's ash running coreutils.sh and shell.sh. Each form has a root
# OUT/root-<form> (bin/ and the scripts; a fixture made afresh per case);
# natively it is the cwd, under wasmix it is mapped at "/". Prints one
# ok/FAIL line per case and form and "N passed, M failed".
B=${1:?usage: run.sh BUILD_DIR OUT}
OUT=${2:?usage: run.sh BUILD_DIR OUT}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../lib.sh"
W=$(cd "$(dirname "$B/wasmix")" && pwd)/wasmix
OUT=$(cd "$OUT" && pwd)
T=$OUT/run
mkdir -p "$T"
[ -x "$W" ] || die "$W not built"
for f in native plain async; do
	[ -f "$OUT/$f/bin/sh" ] || die "$OUT/$f/bin/sh missing: run build.sh first"
	[ -f "$OUT/$f/bin/busybox" ] ||
		die "$OUT/$f/bin/busybox missing: run build.sh (REAL_ONLY=busybox builds only it)"
	rm -rf "$OUT/root-$f" && mkdir -p "$OUT/root-$f"
	cp -r "$OUT/$f/bin" "$OUT/root-$f/bin"
	cp "$here"/shell.sh "$here"/lua.lua "$here"/sql.sh "$here"/coreutils.sh \
		"$here"/files.sh "$OUT/root-$f/"
done

fixture() {
	rm -rf "$1/sub" "$1/d" "$1/q" "$1"/*.txt "$1"/*.db
	mkdir -p "$1/sub" && echo hello >"$1/r.txt" && echo aaa >"$1/sub/a.txt"
	printf 'b.txt\nnotes\na.txt\n' >"$1/sub/list" && echo bbb >"$1/sub/b.txt"
}

# runcase NAME PROG ARGS...
runcase() {
	c_name=$1 c_prog=$2
	shift 2
	fixture "$OUT/root-native"
	(cd "$OUT/root-native" && timeout 120 env -i PATH="$OUT/root-native/bin" \
		HOME=/home/u "bin/$c_prog" "$@" </dev/null >"$T/want" 2>"$T/want.err"
	exit $?) 2>/dev/null
	want_rc=$?
	for f in plain async; do
		fixture "$OUT/root-$f"
		(cd "$OUT/root-$f" && timeout 120 "$W" run --dir .::/ --env PATH=/bin \
			--env HOME=/home/u "bin/$c_prog" -- "$@" </dev/null \
			>"$T/got" 2>"$T/err"
		exit $?) 2>/dev/null
		rc=$?
		if [ "$rc" = "$want_rc" ] && cmp -s "$T/got" "$T/want"; then
			ok "$c_name [$f]"
			continue
		fi
		why="status $rc, want $want_rc"
		[ "$rc" = "$want_rc" ] && why="stdout differs"
		diff "$T/want" "$T/got" | grep '^[<>]' >"$T/out"
		BAD_OUT="diff (<native >wasm)" BAD_OUT_LINES=12 BAD_ERR="wasm stderr" \
			BAD_ERR_LINES=4 bad "$c_name [$f]" "$why"
	done
}

runcase "dash: pipelines, substitutions, redirections, exec 3>" sh shell.sh
runcase "lua: errors through setjmp, coroutines, files, popen" lua lua.lua
runcase "sqlite3 shell: a database file, queries, errors" sh sql.sh
runcase "dash -c 'exit 7'" sh -c 'exit 7'
runcase "dash: a pipeline's status is its last command's" sh -c 'lua -e "os.exit(0)" | sh -c "exit 3"'
runcase "dash: 2>/dev/null and a missing command (127)" sh -c 'nope 2>/dev/null'
runcase "dash: killed by a signal (143)" sh -c 'kill -TERM $$'
runcase "dash: set -e stops at a failing command" sh -c 'set -e; echo before; sh -c "exit 2"; echo after'
runcase "lua -e through dash -c, stdin from a file" sh -c 'lua -e "io.write(io.read(\"a\"):upper())" <r.txt'

runcase "busybox: coreutils pipelines driven by dash" sh coreutils.sh
runcase "busybox: files, directories, symlinks (files.sh)" sh files.sh
runcase "ls sub | sort | wc -l" sh -c 'ls sub | sort | wc -l'
runcase "cat | tr a-z A-Z | head" sh -c 'cat sub/list r.txt | tr a-z A-Z | head -3'
runcase "seq 1 1000 | xargs echo | wc -c" sh -c 'seq 1 1000 | xargs echo | wc -c'
runcase "find . -name '*.txt' | sort" sh -c "cd sub && find . -name '*.txt' | sort"
runcase "grep | sed | awk" sh -c "grep -h . sub/*.txt | sed 's/^/> /' | awk '{ print NR, \$0 }'"
# shellcheck disable=SC2016
runcase "sh -c with command substitution" sh -c 'n=$(ls sub | wc -l); sh -c "echo \$(expr $n \* 10) \$(cat r.txt | tr l L)"'
runcase "a failing stage: grep's 1" sh -c 'echo abc | grep -q xyz'
runcase "yes | head (SIGPIPE ends yes)" sh -c 'yes wasm | head -n 4; echo "after: $?"'
runcase "ls (applet run directly)" ls -1 sub
runcase "sort -r (applet run directly, stdin a file)" sh -c 'sort -r <sub/list'
runcase "wc -l on a missing file (1)" wc -l nothere
runcase "busybox cat (the multi-call name)" busybox cat r.txt sub/a.txt
runcase "test (applet run directly, status 1)" test -d r.txt
runcase "busybox ash: the coreutils pipelines" ash coreutils.sh
runcase "busybox ash: shell.sh (exec 3>, traps, lua filters)" ash shell.sh
runcase "ash: pipefail, background jobs and wait, trap on USR1" ash -c \
	'set -o pipefail; false | true; echo "pipefail: $?"; sleep 0.2 & sleep 0.1 & wait; echo waited; trap "echo got USR1" USR1; kill -USR1 $$; echo after'
# shellcheck disable=SC2016
runcase "ash: getopts, functions, arithmetic, read from a pipe" ash -c \
	'set -- -a -b x; while getopts ab: o; do echo "$o $OPTARG"; done; f() { [ $1 -le 0 ] && return; echo -n "$1 "; f $(( $1 - 1 )); }; f 5; echo; printf "a b\nc d\n" | while read x y; do echo "$y-$x"; done'
runcase "ash: killed by SIGKILL (137)" ash -c 'kill -9 $$'

summary run.sh
