#!/bin/sh
# run_cli.sh BUILD_DIR: end-to-end tests of the wasmix command line.
#
# Builds the guest programs of tests/cli/ (C with clang --target=wasm32-wasi,
# .wat with wasmix wat2wasm) into BUILD_DIR/tests-cli/, runs BUILD_DIR/wasmix on
# them and on bad inputs, and checks exit statuses, stdout and stderr
# against docs/cli.md: the guest's status passes through, 2 for usage and
# load errors, 134 for traps, one "wasmix: " line on stderr for failures.
# Prints one line per check, then "N passed, M failed"; exits 1 on failure.
#
# Called by 'make test' as: sh tests/run_cli.sh BUILD_DIR

B=${1:-build}
W=$B/wasmix
T=$B/tests-cli
EX=$B/examples
WASM_CC=${WASM_CC:-clang}
WAT2WASM=${WAT2WASM:-$W wat2wasm}
. "$(dirname "$0")/lib.sh"
BAD_OUT=stdout BAD_OUT_LINES=5 BAD_ERR=stderr

[ -x "$W" ] || die "$W not built"
mkdir -p "$T" || die "cannot create $T"

# Guest programs: rebuild when the source is newer.
for src in tests/cli/*.c; do
	out=$T/$(basename "$src" .c).wasm
	if [ ! -f "$out" ] || [ "$src" -nt "$out" ]; then
		$WASM_CC --target=wasm32-wasi -O2 -Wall -Wextra -Werror \
			"$src" -o "$out" || die "cannot build $src"
	fi
done
for src in tests/cli/*.wat; do
	out=$T/$(basename "$src" .wat).wasm
	if [ ! -f "$out" ] || [ "$src" -nt "$out" ]; then
		# invalid.wat is invalid on purpose.
		$WAT2WASM --no-check "$src" -o "$out" || die "cannot build $src"
	fi
done
printf 'this is not wasm\n' >"$T/text.wasm"
: >"$T/empty.wasm"
head -c 20 "$EX/hello.wasm" >"$T/truncated.wasm"

# check NAME STATUS OUT_RE ERR_RE ONELINE CMD...: runs CMD with stdin from
# $T/in; checks the status, that stdout and stderr match the extended
# regular expressions (an empty one is not checked) and, if ONELINE is 1,
# that stderr is exactly one line and stdout is empty.
check() {
	name=$1 want=$2 out_re=$3 err_re=$4 oneline=$5
	shift 5
	"$@" <"$T/in" >"$T/out" 2>"$T/err"
	got=$?
	mismatch "$got" "$want" "$out_re" "$err_re"
	if [ -n "$why" ]; then
		:
	elif [ "$oneline" = 1 ] && [ "$(wc -l <"$T/err")" -ne 1 ]; then
		why="stderr is not exactly one line"
	elif [ "$oneline" = 1 ] && [ -s "$T/out" ]; then
		why="stdout is not empty"
	fi
	if [ -z "$why" ]; then
		ok "$name"
	else
		bad "$name" "$why"
	fi
}

# t NAME STATUS OUT_RE ERR_RE CMD...: a program run.
t() {
	t_name=$1 t_status=$2 t_out=$3 t_err=$4
	shift 4
	check "$t_name" "$t_status" "$t_out" "$t_err" 0 "$@"
}

# e NAME STATUS ERR_RE CMD...: a failure of wasmix itself, reported as one
# line on stderr with nothing on stdout.
e() {
	e_name=$1 e_status=$2 e_err=$3
	shift 3
	check "$e_name" "$e_status" '' "$e_err" 1 "$@"
}

: >"$T/in"

# --- the command line itself --------------------------------------------------
t version 0 '^wasmix [0-9]+\.[0-9]+' '' "$W" --version
t help 0 '^usage: wasmix run' '' "$W" --help
t run-help 0 '^usage: wasmix run' '' "$W" run --help
t no-args 2 '' 'usage' "$W"
e no-program 2 '^wasmix: no program given' "$W" run
e unknown-option 2 "^wasmix: unknown option '--bogus'" "$W" run --bogus x
e missing-value 2 '^wasmix: --fuel needs a value' "$W" run --fuel
e bad-fuel 2 "^wasmix: --fuel: expected a number, got 'ten'" \
	"$W" run --fuel ten "$EX/hello.wasm"
e bad-memory 2 '^wasmix: --max-memory: expected' \
	"$W" run --max-memory 5X "$EX/hello.wasm"
e bad-depth 2 '^wasmix: --max-call-depth: expected' \
	"$W" run --max-call-depth 0 "$EX/hello.wasm"
e bad-env 2 "^wasmix: --env: expected KEY=VALUE, got '=x'" \
	"$W" run --env =x "$EX/hello.wasm"
e trace-empty 2 '^wasmix: --trace=: expected a file name$' \
	"$W" run --trace= "$EX/hello.wasm"
e trace-bad-file 2 '^wasmix: --trace: /nonexistent/t: No such file' \
	"$W" run --trace=/nonexistent/t "$EX/hello.wasm"

# --- bad modules: one line, status 2 ----------------------------------------------
e missing-file 2 '^wasmix: /nonexistent/x\.wasm: No such file or directory$' \
	"$W" run /nonexistent/x.wasm
e directory 2 '^wasmix: tests: Is a directory$' "$W" run tests
e not-wasm 2 "^wasmix: $T/text\.wasm: magic header not detected" \
	"$W" run "$T/text.wasm"
e empty-file 2 "^wasmix: $T/empty\.wasm: " "$W" run "$T/empty.wasm"
e truncated 2 "^wasmix: $T/truncated\.wasm: " "$W" run "$T/truncated.wasm"
e invalid 2 "^wasmix: $T/invalid\.wasm: .*type mismatch" \
	"$W" run "$T/invalid.wasm"
e unknown-import 2 "^wasmix: $T/badimport\.wasm: .*unknown import" \
	"$W" run "$T/badimport.wasm"
e import-type 2 "^wasmix: $T/badsig\.wasm: .*incompatible import type" \
	"$W" run "$T/badsig.wasm"
e no-start 2 "^wasmix: $T/nostart\.wasm: no '_start' function exported" \
	"$W" run "$T/nostart.wasm"

# --- programs that run -------------------------------------------------------------
t hello 0 '^Hello, world!$' '' "$W" run "$EX/hello.wasm"
t hello-shorthand 0 '^Hello, world!$' '' "$W" "$EX/hello.wasm"
t hello-no-confine 0 '^Hello, world!$' '' "$W" run --no-confine \
	"$EX/hello.wasm"
t max-procs-range 2 '' 'max-procs: expected a number from 1 to 1024' \
	"$W" run --max-procs 1025 "$EX/hello.wasm"
t max-tree-memory-none 0 '^Hello, world!$' '' "$W" run \
	--max-tree-memory none --max-fds 16 "$EX/hello.wasm"
t trace-hello 0 '^Hello, world!$' \
	'^\[pid 1\] fd_write\(1, 0x[0-9a-f]+, [0-9]+, \[14\]\) = 0$' \
	"$W" run --trace "$EX/hello.wasm"
t raw-wasi 42 '^raw$' '' "$W" run "$T/rawexit.wasm"

# --- the text format: run .wat directly, wasmix wat2wasm ----------------------
t run-wat 42 '^raw$' '' "$W" run tests/cli/rawexit.wat
t wat2wasm-stdout 0 '' '' "$W" wat2wasm tests/cli/rawexit.wat
if cmp -s "$T/out" "$T/rawexit.wasm"; then
	ok "wat2wasm to stdout: the same bytes as -o"
else
	bad "wat2wasm to stdout" "differs from $T/rawexit.wasm"
fi
printf '(module\n  (func (export "_start")\n    (i32.bogus)))\n' >"$T/bad.wat"
e wat-error 2 "^wasmix: $T/bad\.wat:3:6: unknown operator$" \
	"$W" run "$T/bad.wat"
e wat2wasm-error 2 "^wasmix: $T/bad\.wat:3:6: unknown operator$" \
	"$W" wat2wasm "$T/bad.wat" -o "$T/bad.wasm"
e wat2wasm-usage 2 '^wasmix: usage: wasmix wat2wasm' "$W" wat2wasm
printf '(module (func $f) (func $f))' >"$T/dup.wat"
e wat-duplicate 2 ':1:25: duplicate func \$f$' "$W" wat2wasm "$T/dup.wat"
# --- module tools: run --invoke, validate, inspect (docs/cli.md) ----------------
L=$T/library.wasm
t invoke-add 0 '^5$' '' "$W" run --invoke add "$L" 2 3
t invoke-wat 0 '^-1$' '' "$W" run --invoke add tests/cli/library.wat 0xffffffff 0
t invoke-i64 0 '^-9000000000$' '' "$W" run --invoke mul64 "$L" 3 -3000000000
t invoke-f64 0 '^1.25$' '' "$W" run --invoke half "$L" 2.5
t invoke-f32 0 '^1.41421354$' '' "$W" run --invoke sqrt32 "$L" 2
t invoke-nan 0 '^nan$' '' "$W" run --invoke half "$L" nan
t invoke-multi 0 '^-7$' '' "$W" run --invoke pair "$L" -7
[ "$(cat "$T/out")" = "$(printf -- '-7\n-7')" ] && ok invoke-multi-lines ||
	bad invoke-multi-lines "$(cat "$T/out")"
t invoke-none 0 '' '' "$W" run --invoke nothing "$L"
[ -s "$T/out" ] && bad invoke-none-silent "printed $(cat "$T/out")" ||
	ok invoke-none-silent
e invoke-trap 134 '^wasmix: trap: integer divide by zero$' \
	"$W" run --invoke div "$L" 1 0
e invoke-host-import 134 '^wasmix: trap: import env\.log is not available' \
	"$W" run --invoke calls_host "$L"
e invoke-bad-arg 2 "^wasmix: argument 2 of add: 'x' is not an i32$" \
	"$W" run --invoke add "$L" 1 x
e invoke-range 2 "argument 1 of add: '4294967296' is not an i32" \
	"$W" run --invoke add "$L" 4294967296 1
e invoke-arity 2 '^wasmix: add takes 2 arguments, 1 given$' \
	"$W" run --invoke add "$L" 1
e invoke-missing 2 "^wasmix: $L: no exported function 'nope'$" \
	"$W" run --invoke nope "$L"
e invoke-global 2 "no exported function 'answer'" \
	"$W" run --invoke answer "$L"
e invoke-v128 2 "^wasmix: $T/inspect_kinds\.wasm: f takes or returns v128, which --invoke cannot pass or print$" \
	"$W" run --invoke f "$T/inspect_kinds.wasm" 1 2
e invoke-start-trap 134 '^wasmix: trap: .*unreachable' \
	"$W" run --invoke _start "$T/starttrap.wasm"
e invoke-invalid 2 "^wasmix: $T/invalid\.wasm: " \
	"$W" run --invoke _start "$T/invalid.wasm"
t validate-ok 0 "^$L: valid$" '' "$W" validate "$L"
e validate-invalid 1 "^wasmix: $T/invalid\.wasm: .*type mismatch" \
	"$W" validate "$T/invalid.wasm"
e validate-text 1 "^wasmix: $T/text\.wasm:1:1: " "$W" validate "$T/text.wasm"
e validate-missing 2 "^wasmix: $T/nonexistent\.wasm: No such file" \
	"$W" validate "$T/nonexistent.wasm"
t validate-several 1 "^$L: valid$" "invalid" \
	"$W" validate "$L" "$T/invalid.wasm"
e validate-usage 2 '^wasmix: usage: wasmix validate' "$W" validate
t inspect 0 '^  func   add \(i32 i32\) -> \(i32\)$' '' "$W" inspect "$L"
for want in '^imports: 1$' '^  func   env\.log \(i32\) -> \(\)$' \
	'^exports: 10$' '^  memory mem pages min 1 max 2$' \
	'^  global answer const i32$' '^  func   pair \(i32\) -> \(i32 i64\)$' \
	'^  code +offset 0x[0-9a-f]+ size [0-9]+$' '^sections:$'; do
	grep -Eq -- "$want" "$T/out" && ok "inspect: $want" ||
		bad "inspect" "no line matching $want"
done
# What wasm.h's views cannot show (wasmix.h's reflection): the whole
# import/export listing, exactly.
t inspect-kinds 0 '^  tag    tg \(i32\)$' '' "$W" inspect "$T/inspect_kinds.wasm"
sed -n '/^imports:/,$p' "$T/out" >"$T/inspect.got"
printf '%s\n' 'imports: 0' 'exports: 4' '  tag    tg (i32)' \
	'  func   f (v128 i32) -> (v128)' '  memory m i64 pages min 1' \
	'  global g mut v128' >"$T/inspect.want"
cmp -s "$T/inspect.got" "$T/inspect.want" && ok inspect-kinds-listing ||
	bad inspect-kinds-listing "$(cat "$T/inspect.got")"
t inspect-refs 0 '^  global env\.g const exnref$' '' \
	"$W" inspect "$T/inspect_refs.wasm"
sed -n '/^imports:/,$p' "$T/out" >"$T/inspect.got"
printf '%s\n' 'imports: 4' '  tag    env.t (i64 f32)' \
	'  memory env.mem pages min 1 max 10 shared' \
	'  table  env.tab i64 funcref min 2' '  global env.g const exnref' \
	'exports: 4' \
	'  func   call ((ref null 0) (ref extern) nullfuncref) -> (exnref)' \
	'  memory big i64 pages min 8589934592 max 12884901888' \
	'  table  tt i64 (ref null 0) min 1 max 100' '  tag    it (i64 f32)' \
	>"$T/inspect.want"
cmp -s "$T/inspect.got" "$T/inspect.want" && ok inspect-refs-listing ||
	bad inspect-refs-listing "$(cat "$T/inspect.got")"
t inspect-custom 0 '^  custom +offset .* "producers"$' '' \
	"$W" inspect "$EX/hello.wasm"
e inspect-invalid 1 "^wasmix: $T/invalid\.wasm: " "$W" inspect "$T/invalid.wasm"
e inspect-usage 2 '^wasmix: usage: wasmix inspect FILE$' "$W" inspect

t argv0 0 "^argv\[0\]=$EX/args\.wasm$" '' "$W" run "$EX/args.wasm"
t argc 0 '^argc=3$' '' "$W" run "$EX/args.wasm" a 'b c'
t argv-space 0 '^argv\[2\]=b c$' '' "$W" run "$EX/args.wasm" a 'b c'
t argv-dashdash 0 '^argv\[1\]=--env$' '' \
	"$W" run "$EX/args.wasm" -- --env x
t argv-after-prog 0 '^argv\[1\]=--fuel$' '' \
	"$W" run "$EX/args.wasm" --fuel 1
t env 0 '^env: GREETING=hello world$' '' \
	"$W" run --env 'GREETING=hello world' "$EX/args.wasm"
t env-equals 0 '^env: A=1$' '' "$W" run --env=A=1 "$EX/args.wasm"
t env-inherit 0 '^env: WASMIX_T=inherited$' '' \
	env WASMIX_T=inherited "$W" run --env WASMIX_T "$EX/args.wasm"
t env-empty 0 '^argc=1$' '' "$W" run "$EX/args.wasm"
if grep -q '^env:' "$T/out"; then
	bad env-none "the guest saw host environment variables"
else
	ok env-none
fi
t args-exit 3 '^argv\[1\]=--exit$' '' "$W" run "$EX/args.wasm" --exit 3
for code in 0 1 79 255; do
	t "exit-$code" "$code" '' '' "$W" run "$T/exitcode.wasm" exit "$code"
	t "return-$code" "$code" '' '' \
		"$W" run "$T/exitcode.wasm" return "$code"
done
t exit-256 0 '' '' "$W" run "$T/exitcode.wasm" exit 256
printf 'abc\ndef\n' >"$T/in"
t stdin 0 '^def$' '^8 bytes$' "$W" run "$T/cat.wasm"
: >"$T/in"
t wasi-calls 0 '^ok [0-9]+$' '' "$W" run "$T/wasicalls.wasm"
t grow 0 '^got 8 MiB \(1\)$' '' "$W" run "$T/grow.wasm" 8
t max-memory 1 '^malloc failed$' '' \
	"$W" run --max-memory 4M "$T/grow.wasm" 8
t max-memory-pages 0 '^got 1 MiB \(1\)$' '' \
	"$W" run --max-memory 64 "$T/grow.wasm" 1
e max-memory-min 2 "^wasmix: $EX/hello\.wasm: " \
	"$W" run --max-memory 1 "$EX/hello.wasm"
t fuel-enough 0 '^Hello, world!$' '' \
	"$W" run --fuel 100000000 "$EX/hello.wasm"

# --- traps: status 134, the guest's output, one "wasmix: trap:" line -------------
t trap-div 134 '' '^wasmix: trap: integer divide by zero' \
	"$W" run "$T/trap.wasm" div
t trap-output 134 '' '^about to trap: div$' "$W" run "$T/trap.wasm" div
t trap-unreachable 134 '' '^wasmix: trap: unreachable' \
	"$W" run "$T/trap.wasm" unreachable
t trap-oob 134 '' '^wasmix: trap: out of bounds memory access' \
	"$W" run "$T/trap.wasm" oob
t trap-stack 134 '' '^wasmix: trap: call stack exhausted' \
	"$W" run "$T/trap.wasm" stack
t trap-depth 134 '' '^wasmix: trap: call stack exhausted' \
	"$W" run --max-call-depth 50 "$T/trap.wasm" stack
t trap-start 134 '' '^wasmix: trap: unreachable' "$W" run "$T/starttrap.wasm"
t trap-fuel 134 '' '^wasmix: trap: .*fuel' \
	"$W" run --fuel 1000 "$T/grow.wasm" 8

# --- resource limits (docs/fuzzing.md): refused before allocation, or a trap ----
# 'timeout 20' guards the checks that must end by themselves: a limit that
# does not work shows up as status 124, not as a hung test run.
e limit-memory-min 2 "^wasmix: $T/bigmem\.wasm: memory 0 needs 20 pages.*limit of 16" \
	"$W" run --max-memory 1M "$T/bigmem.wasm"
t limit-memory-grow 3 '' '' "$W" run --max-memory 64 "$T/growmem.wasm"
t limit-memory-grow-ok 0 '' '' "$W" run --max-memory 128 "$T/growmem.wasm"
e limit-table 2 "^wasmix: $T/bigmem\.wasm: table 0 needs 1000 elements.*limit of 100" \
	"$W" run --max-table 100 "$T/bigmem.wasm"
t limit-table-ok 0 '' '' "$W" run --max-table 1000 "$T/bigmem.wasm"
t limit-table-grow 0 '' '' timeout 20 "$W" run "$T/tablegrow.wasm"
e limit-table-sum 2 "^wasmix: $T/manytables\.wasm: tables 0 to 10 need 11000000 elements in all" \
	"$W" run "$T/manytables.wasm"
t limit-fuel-spin 134 '' '^wasmix: trap: fuel exhausted' \
	timeout 20 "$W" run --fuel 100000 "$T/spin.wasm"
t limit-timeout-spin 134 '' '^wasmix: trap: timeout' \
	timeout 20 "$W" run --timeout 0.3 "$T/spin.wasm"
t limit-timeout-unused 0 '^Hello, world!$' '' \
	"$W" run --timeout 30 "$EX/hello.wasm"
e limit-timeout-bad 2 "^wasmix: --timeout: expected" \
	"$W" run --timeout -1 "$T/spin.wasm"
t limit-depth-ok 0 '' '' "$W" run "$T/deep.wasm"
t limit-depth 134 '' '^wasmix: trap: call stack exhausted' \
	"$W" run --max-call-depth 100 "$T/deep.wasm"
e limit-module-size 2 "^wasmix: $EX/hello\.wasm: module too large" \
	"$W" run --max-module-size 1K "$EX/hello.wasm"
e limit-module-size-bad 2 "^wasmix: --max-module-size: expected" \
	"$W" run --max-module-size 2G "$EX/hello.wasm"
e limit-funcs 2 "^wasmix: $EX/hello\.wasm: too many functions" \
	"$W" run --max-funcs 2 "$EX/hello.wasm"
e limit-types 2 "^wasmix: $EX/hello\.wasm: too many types" \
	"$W" run --max-types 1 "$EX/hello.wasm"
e limit-locals 2 "^wasmix: $EX/hello\.wasm: too many locals" \
	"$W" run --max-locals 1 "$EX/hello.wasm"

summary
