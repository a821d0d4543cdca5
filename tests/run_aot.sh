#!/bin/sh
# run_aot.sh BUILD_DIR: the compiled tier (docs/aot.md).
#
#   1. the WebAssembly 2.0 spec suite (SIMD files and the threads proposal
#      included) and tests/spec/engine through 'wasmix-spec --aot': nothing
#      may fail, and at least AOT_MIN_FUNCS functions must have run
#      compiled (a compiled tier that silently interpreted everything
#      would otherwise pass);
#   2. the memory files of the suite again with explicit bounds checks
#      (WASMIX_BOUNDS_CHECKS=1: the code checks, no guard pages); the 3.0
#      suite's exception files and tests/aot/eh.wast (exceptions across
#      the tiers);
#   3. the WASI, WASIX and 3.0 tests (tests/run_wasi.sh, run_wasix.sh,
#      run_wasm3.sh: C++ exceptions) with WASMIX_AOT=1;
#   4. the command line: 'wasmix compile', the cache (made 0700, reused,
#      --no-cache leaves nothing, two compiles at once, a changed
#      compiler makes a new entry), no C compiler
#      (interpreted, one -v line), every trap message equal to the
#      interpreter's, --timeout and --fuel reaching a busy loop (one that
#      calls nothing: no poll, the asynchronous interrupt), --fuel
#      counting exactly as the interpreter counts, a C stack bounded
#      below a huge --max-call-depth, setjmp/longjmp between compiled and
#      interpreted frames and its refusals (tests/aot/sjlj.wat), and
#      meeting try_table regions (tests/aot/sjlj_eh.wat); a module
#      split into several C files (WASMIX_AOT_SPLIT_BYTES) behaving the
#      same;
#      exceptions through a host call (tests/aot/eh_host.wat) and
#      uncaught ones (traps.wat o, p);
#   5. guest threads compiled: tests/run_threads.sh with WASMIX_AOT=1 (and
#      how many of its modules compiled), threads under contention
#      (tests/aot/atomics.wat), the atomics' trap messages, --timeout
#      reaching a spinning thread.
#   6. the default policy of 'wasmix run': a miss interprets and fills
#      the cache in the background, a hit runs compiled, --interp and
#      WASMIX_AOT=0 interpret, no compiler interprets, and a long run
#      switches over to compiled code when the compile ends.
#
# The cache is a temporary directory (XDG_CACHE_HOME), never $HOME's.
# Called by 'make test' as: sh tests/run_aot.sh BUILD_DIR

B=${1:-build}
W=$(cd "$(dirname "$B/wasmix")" && pwd)/wasmix
S=$(cd "$(dirname "$B/wasmix")" && pwd)/wasmix-spec
SPEC_DIR=${SPEC_DIR:-../shared/testdata/wasm-spec}
SPEC3_DIR=${SPEC3_DIR:-../shared/testdata/wasm-spec-3.0}
AOT_MIN_FUNCS=${AOT_MIN_FUNCS:-4000}
. "$(dirname "$0")/lib.sh"

[ -x "$W" ] && [ -x "$S" ] || die "$W or $S not built"
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmix-aot.XXXXXX") || die "no temp dir"
trap 'rm -rf "$T"' EXIT
XDG_CACHE_HOME=$T/cache
# Compile in the foreground whatever the size (one test below sets it).
WASMIX_AOT_BACKGROUND_BYTES=0
export XDG_CACHE_HOME WASMIX_AOT_BACKGROUND_BYTES
unset WASMIX_AOT WASMIX_CC
C=$XDG_CACHE_HOME/wasmix
TR=tests/aot/traps.wat

if ! command -v "${CC:-cc}" >/dev/null 2>&1; then
	echo "run_aot.sh: skipped: no C compiler (${CC:-cc}) to compile with"
	exit 0
fi

# --- 1. the spec suite compiled -----------------------------------------------
"$S" --aot tests/spec/engine/*.wast >"$T/out" 2>"$T/err"
got=$?
if [ "$got" != 0 ]; then
	bad "spec --aot, tests/spec/engine" "status $got"
else
	ok "spec --aot, tests/spec/engine: $(tail -1 "$T/out")"
fi
"$S" --aot --wasm2 --skip tests/spec/skip.txt "$SPEC_DIR"/*.wast \
	"$SPEC_DIR"/proposals/threads/*.wast >"$T/out" 2>"$T/err"
got=$?
funcs=$(sed -n 's/^aot: \([0-9]*\) functions compiled.*/\1/p' "$T/out")
: "${funcs:=0}"
if [ "$got" != 0 ]; then
	BAD_OUT_LINES=40
	grep -v ' 0 failed' "$T/out" >"$T/out2"; mv "$T/out2" "$T/out"
	bad "spec --aot" "status $got"
elif [ "$funcs" -lt "$AOT_MIN_FUNCS" ]; then
	bad "spec --aot" "only $funcs functions compiled"
else
	ok "spec --aot: $(tail -1 "$T/out"); $(tail -2 "$T/out" | head -1)"
fi

# --- 2. explicit bounds checks ------------------------------------------------
WASMIX_BOUNDS_CHECKS=1 "$S" --aot --wasm2 --skip tests/spec/skip.txt \
	"$SPEC_DIR"/address.wast "$SPEC_DIR"/memory*.wast \
	"$SPEC_DIR"/traps.wast "$SPEC_DIR"/bulk.wast "$SPEC_DIR"/load.wast \
	"$SPEC_DIR"/store.wast >"$T/out" 2>"$T/err"
got=$?
if [ "$got" != 0 ] || ! grep -q "^aot: [1-9]" "$T/out"; then
	bad "spec --aot, explicit checks" "status $got"
else
	ok "spec --aot, explicit checks: $(tail -1 "$T/out")"
fi

# --- 2b. exceptions ---------------------------------------------------------
# The 3.0 suite's exception files, legacy ones included (all their
# functions compile but 6 with tail calls), then tests/aot/eh.wast:
# exceptions across the tiers, both ways, through an interpreted frame,
# throw_ref, traps inside try_table, exnrefs held by compiled code.
AOT_MIN_EH_FUNCS=${AOT_MIN_EH_FUNCS:-106}
"$S" --aot "$SPEC3_DIR"/exceptions/*.wast \
	"$SPEC3_DIR"/legacy-exceptions/*.wast >"$T/out" 2>"$T/err"
got=$?
funcs=$(sed -n 's/^aot: \([0-9]*\) functions compiled.*/\1/p' "$T/out")
: "${funcs:=0}"
if [ "$got" != 0 ]; then
	BAD_OUT_LINES=40
	bad "spec --aot, exceptions" "status $got"
elif [ "$funcs" -lt "$AOT_MIN_EH_FUNCS" ] ||
	! grep -q '^aot: [0-9]* functions compiled, 0 instances' "$T/out"; then
	bad "spec --aot, exceptions" "$(tail -2 "$T/out" | head -1)"
else
	ok "spec --aot, exceptions: $(tail -1 "$T/out"); $(tail -2 "$T/out" | head -1)"
fi
"$S" --aot tests/aot/eh.wast >"$T/out" 2>"$T/err"
got=$?
if [ "$got" != 0 ]; then
	BAD_OUT_LINES=40
	bad "spec --aot, tests/aot/eh.wast" "status $got"
elif ! grep -q '^aot: 13 functions compiled, 1 instances interpreted' \
	"$T/out"; then
	bad "spec --aot, tests/aot/eh.wast" "$(tail -2 "$T/out" | head -1)"
else
	ok "spec --aot, tests/aot/eh.wast: $(tail -1 "$T/out")"
fi

# --- 3. the WASI tests compiled -----------------------------------------------
WASMIX_AOT=1 sh tests/run_wasi.sh "$B" >"$T/out" 2>"$T/err"
got=$?
if [ "$got" != 0 ]; then
	BAD_OUT_LINES=40
	bad "run_wasi.sh with WASMIX_AOT=1" "status $got"
else
	ok "run_wasi.sh with WASMIX_AOT=1: $(tail -1 "$T/out")"
fi

# The WASIX tests too (programs using threads run interpreted; the others,
# setjmp and vfork included, compiled). Needs the SDK ('make test' builds
# it).
if [ -f "$B/sdk/libwasix.a" ]; then
	WASMIX_AOT=1 sh tests/run_wasix.sh "$B" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" != 0 ]; then
		BAD_OUT_LINES=40
		grep -v '^ok ' "$T/out" >"$T/out2"; mv "$T/out2" "$T/out"
		bad "run_wasix.sh with WASMIX_AOT=1" "status $got"
	else
		ok "run_wasix.sh with WASMIX_AOT=1: $(tail -1 "$T/out")"
	fi
else
	echo "skip run_wasix.sh with WASMIX_AOT=1: no $B/sdk/libwasix.a (make sdk)"
fi

# WebAssembly 3.0 programs (tests/run_wasm3.sh) compiled: C++ built with
# clang -fwasm-exceptions (legacy EH through 11 frames of destructors, a
# fork and a signal inside try bodies); every function of cxx_unwind
# compiles.
if [ -f "$B/sdk/libwasix.a" ] && command -v "${WASM_CXX:-clang++}" >/dev/null; then
	XDG_CACHE_HOME=$T/cache-wasm3 WASMIX_AOT=1 \
		sh tests/run_wasm3.sh "$B" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" != 0 ]; then
		BAD_OUT_LINES=40
		bad "run_wasm3.sh with WASMIX_AOT=1" "status $got"
	else
		ok "run_wasm3.sh with WASMIX_AOT=1: $(tail -1 "$T/out")"
	fi
	# (cli is defined below: this check is spelt out)
	if env XDG_CACHE_HOME="$T/cache-wasm3" "$W" compile \
		"$B/tests-wasm3/cxx_unwind.wasm" >"$T/out" 2>&1 &&
		grep -Eq 'cxx_unwind.wasm: ([0-9]+) of \1 functions' "$T/out"; then
		ok cxx-unwind-compiled
	else
		bad cxx-unwind-compiled "$(head -3 "$T/out")"
	fi
else
	echo "skip run_wasm3.sh with WASMIX_AOT=1: no $B/sdk/libwasix.a or clang++"
fi

# The threads tests (tests/run_threads.sh): guest threads, atomics and
# shared memories, compiled. Each module compiled makes one cache entry:
# all but the one that uses setjmp (c_jmp) must be there, less one per
# case the script skips (a sanitizer build skips pt_fork's).
AOT_MIN_THREAD_MODULES=${AOT_MIN_THREAD_MODULES:-23}
if [ -f "$B/sdk/libwasix-pthread.a" ]; then
	WASMIX_TEST_CACHE=$T/cache-threads XDG_CACHE_HOME=$T/cache-threads \
		WASMIX_AOT=1 sh tests/run_threads.sh "$B" >"$T/out" 2>"$T/err"
	got=$?
	n=$(ls "$T/cache-threads/wasmix" 2>/dev/null | grep -c '\.so$')
	want=$((AOT_MIN_THREAD_MODULES - $(grep -c '^skip ' "$T/out")))
	if [ "$got" != 0 ]; then
		BAD_OUT_LINES=40
		grep -v '^ok ' "$T/out" >"$T/out2"; mv "$T/out2" "$T/out"
		bad "run_threads.sh with WASMIX_AOT=1" "status $got"
	elif [ "$n" -lt "$want" ]; then
		bad "run_threads.sh with WASMIX_AOT=1" \
			"$n modules compiled, want $want"
	else
		ok "run_threads.sh with WASMIX_AOT=1: $(tail -1 "$T/out"); $n modules compiled"
	fi
	rm -rf "$T/cache-threads"
else
	echo "skip run_threads.sh with WASMIX_AOT=1: no $B/sdk/libwasix-pthread.a (make sdk)"
fi

# --- 4. the command line -------------------------------------------------------
# cli NAME STATUS OUT_RE ERR_RE CMD...
cli() {
	c_name=$1 c_want=$2 c_out=$3 c_err=$4
	shift 4
	"$@" </dev/null >"$T/out" 2>"$T/err"
	mismatch $? "$c_want" "$c_out" "$c_err"
	if [ -n "$why" ]; then bad "$c_name" "$why"; else ok "$c_name"; fi
}

rm -rf "$XDG_CACHE_HOME"
cli compile-o 0 "7 of 7 functions compiled into $T/hello.so" '' \
	"$W" compile "$B/examples/hello.wasm" -o "$T/hello.so"
if [ -s "$T/hello.so" ] && [ ! -e "$C" ]; then ok compile-o-no-cache
else bad compile-o-no-cache "no $T/hello.so, or the cache was written"; fi

cli run-aot 0 '^Hello, world!$' '' "$W" run --aot "$B/examples/hello.wasm"
n=$(ls "$C" 2>/dev/null | grep -c '\.so$')
mode=$(stat -c %a "$C" 2>/dev/null)
if [ "$n" = 1 ] && [ "$mode" = 700 ]; then ok cache-made
else bad cache-made "$n entries, mode $mode"; fi
first=$(ls -i "$C"/*.so 2>/dev/null)
cli run-aot-cached 0 '^Hello, world!$' '' "$W" run --aot "$B/examples/hello.wasm"
if [ "$(ls -i "$C"/*.so 2>/dev/null)" = "$first" ]; then ok cache-reused
else bad cache-reused "the entry was made again"; fi
cli compile-cached 0 '7 of 7 functions compiled \(cached\)' '' \
	"$W" compile "$B/examples/hello.wasm"
# The cap (WASMIX_CACHE_MAX_MB) evicts least recently used entries after a
# compile; what dead compiles left (work files, split directories,
# markers untouched for an hour) is swept, a live compile's is not.
E=$T/evict
K=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
mkdir -p "$E/wasmix/$K.9.0.d" && chmod 700 "$E" "$E/wasmix" &&
	truncate -s 2M "$E/wasmix/${K%?}1.so" "$E/wasmix/${K%?}2.so" &&
	: >"$E/wasmix/$K.9.0.d/p0.c" && : >"$E/wasmix/$K.9.1.c" &&
	: >"$E/wasmix/$K.compiling" && : >"$E/wasmix/${K%?}2.9.0.c" &&
	: >"$E/wasmix/notes.txt" &&
	touch -d '2 days ago' "$E/wasmix/${K%?}1.so" &&
	touch -d '2 hours ago' "$E/wasmix/$K.9.0.d" "$E/wasmix/$K.9.1.c" \
		"$E/wasmix/$K.compiling" "$E/wasmix/notes.txt" ||
	bad cache-cap "cannot set up $E"
XDG_CACHE_HOME=$E WASMIX_CACHE_MAX_MB=3 "$W" compile \
	"$B/examples/hello.wasm" >/dev/null 2>&1 || bad cache-cap "compile failed"
left=$(cd "$E/wasmix" && ls | sed "s/^$K/K/; s/^${K%?}/K-/; s/^[0-9a-f]\{64\}\.so$/new.so/" |
	sort | tr '\n' ' ')
if [ "$left" = "K-2.9.0.c K-2.so new.so notes.txt " ]; then
	ok "cache-cap: oldest entry evicted, dead compiles' files swept"
else bad cache-cap "left: $left"; fi
# Code that counts fuel is another entry (the fuel setting is part of the
# key; it was once left out, and a --fuel run then found the plain entry).
cli run-aot-fuel 0 '^Hello, world!$' '' \
	"$W" run --aot --fuel 100000000 "$B/examples/hello.wasm"
n=$(ls "$C" 2>/dev/null | grep -c '\.so$')
if [ "$n" = 2 ]; then ok cache-fuel-entry
else bad cache-fuel-entry "$n entries after a --fuel run, want 2"; fi

# The compiler's identity is part of the key: the same command name
# resolving to a changed file (an upgrade) makes a new entry.
rm -rf "$XDG_CACHE_HOME"
mkdir -p "$T/bin"
printf '#!/bin/sh\nexec %s "$@"\n' "$(command -v cc)" >"$T/bin/cc"
chmod +x "$T/bin/cc"
PATH=$T/bin:$PATH "$W" run --aot "$B/examples/hello.wasm" >/dev/null 2>&1
PATH=$T/bin:$PATH "$W" run --aot "$B/examples/hello.wasm" >/dev/null 2>&1
n1=$(ls "$C" 2>/dev/null | grep -c '\.so$')
touch -d 2001-01-01 "$T/bin/cc"
PATH=$T/bin:$PATH "$W" run --aot "$B/examples/hello.wasm" >/dev/null 2>&1
n2=$(ls "$C" 2>/dev/null | grep -c '\.so$')
if [ "$n1" = 1 ] && [ "$n2" = 2 ]; then ok cache-compiler-identity
else bad cache-compiler-identity "$n1 then $n2 entries, want 1 then 2"; fi

rm -rf "$XDG_CACHE_HOME"
cli no-cache 0 '^Hello, world!$' '' \
	"$W" run --aot --no-cache "$B/examples/hello.wasm"
if [ -z "$(ls "$C" 2>/dev/null)" ]; then ok no-cache-empty
else bad no-cache-empty "the cache has $(ls "$C")"; fi

# Two compiles of one module at once: both run, one entry stays.
rm -rf "$XDG_CACHE_HOME"
"$W" run --aot "$TR" a >"$T/o1" 2>"$T/e1" &
p1=$!
"$W" run --aot "$TR" a >"$T/o2" 2>"$T/e2"
s2=$?
wait $p1
s1=$?
n=$(ls "$C" | grep -c '\.so$')
left=$(ls "$C" | grep -vc '\.so$')
if [ "$s1" = 134 ] && [ "$s2" = 134 ] && [ "$n" = 1 ] && [ "$left" = 0 ]; then
	ok concurrent-compile
else
	bad concurrent-compile "status $s1 and $s2, $n entries, $left others"
fi


WASMIX_CC=/nonexistent/cc cli no-compiler 0 '^Hello, world!$' \
	"interpreting: no C compiler '/nonexistent/cc' found" \
	env WASMIX_CC=/nonexistent/cc "$W" run --aot -v --no-cache \
	"$B/examples/hello.wasm"

# Every trap: the same message and status compiled as interpreted.
for t in a b c e f g h i l m n o p; do
	"$W" run --interp "$TR" $t >/dev/null 2>"$T/want"
	sw=$?
	cli "trap-$t" "$sw" '' "^$(cat "$T/want")\$" "$W" run --aot "$TR" $t
done
# An exception thrown again by a host function (a WASIX context's
# escaped exception, from context_switch) caught by compiled code; and
# one not caught there: the interpreter's message.
cli eh-host 42 '' '' "$W" run --aot tests/aot/eh_host.wat
cli eh-host-compiled 0 '^tests/aot/eh_host.wat: 2 of 2 functions' '' \
	"$W" compile tests/aot/eh_host.wat
cli eh-host-uncaught 134 '' '^wasmix: trap: uncaught exception$' \
	"$W" run --aot tests/dylink/ctx_throw.wat
# Every function of the trap module compiles (its atomics included), so
# the comparisons above were of compiled code.
cli traps-compiled 0 '^tests/aot/traps.wat: ([0-9]+) of \1 functions' '' \
	"$W" compile "$TR"
# Threads under contention, compiled (every function: -v says only that):
# atomic adds of every width, a cmpxchg spin lock, wait and notify.
cli atomics-threads 0 '' '' "$W" run --aot -v tests/aot/atomics.wat
if grep -v '^wasmix: compiled: 5 of 5 functions run natively$' "$T/err" |
	grep -q .; then
	bad atomics-threads-compiled "-v: $(head -1 "$T/err")"
else ok atomics-threads-compiled; fi
# --timeout stops a compiled thread spinning in a loop (a poll or the
# asynchronous interrupt) as it stops an interpreted one (a hang fails after 60 s).
cli timeout-thread 134 '' '^wasmix: thread 2: trap: interrupted$' \
	timeout 60 "$W" run --aot --timeout 0.3 tests/aot/thread_spin.wat
# setjmp/longjmp across compiled and interpreted frames (tests/aot/sjlj.wat:
# each mode says what it checks): the same status, and trap message, as
# interpreted, and the value the mode names.
SJ=tests/aot/sjlj.wat
for m in a:47 b:43 c:44 d:45 e:46 f:47 "g:its frame returned" \
	"h:its frame returned" "i:forged" "j:its frame returned" k:48 l:49; do
	mode=${m%%:*} want=${m#*:}
	"$W" run --interp "$SJ" "$mode" >/dev/null 2>"$T/want"
	sw=$?
	case $want in
	[0-9]*) [ "$sw" = "$want" ] || bad "sjlj-$mode" "interpreted: $sw" ;;
	*) [ "$sw" = 134 ] && grep -q "setjmp snapshot ($want" "$T/want" ||
		bad "sjlj-$mode" "interpreted: $sw $(cat "$T/want")" ;;
	esac
	case $want in
	[0-9]*) re='' ;;
	*) re="^wasmix: trap: invalid or stale setjmp snapshot .$want" ;;
	esac
	cli "sjlj-$mode" "$sw" '' "$re" "$W" run --aot "$SJ" "$mode"
	cmp -s "$T/want" "$T/err" ||
		bad "sjlj-$mode" "stderr differs from the interpreter's"
done
# setjmp/longjmp meeting try_table regions (tests/aot/sjlj_eh.wat): a
# longjmp puts back the thread's chain of landings and the anchor's region
# in force; the same status as interpreted, and the value the mode names.
for m in m:57 n:69 o:70; do
	mode=${m%%:*} want=${m#*:}
	"$W" run --interp tests/aot/sjlj_eh.wat "$mode" >/dev/null 2>&1
	sw=$?
	[ "$sw" = "$want" ] || bad "sjlj-eh-$mode" "interpreted: $sw"
	cli "sjlj-eh-$mode" "$want" '' '' "$W" run --aot tests/aot/sjlj_eh.wat "$mode"
done
cli sjlj-eh-compiled 0 '^tests/aot/sjlj_eh.wat: 8 of 9 functions' '' \
	"$W" compile tests/aot/sjlj_eh.wat
# Only the setjmp function and the return_call holders stay interpreted:
# the anchors above are compiled.
"$W" run --aot -v --no-cache "$SJ" a >/dev/null 2>"$T/err"
n=$(grep -c 'stays interpreted' "$T/err")
if [ "$n" = 5 ] && grep -q 'function 7 stays interpreted: a setjmp function' \
	"$T/err"; then
	ok "sjlj: 5 functions interpreted, the setjmp function named"
else
	bad "sjlj: functions interpreted" "$n: $(cat "$T/err")"
fi

# The busy loop of 'd' calls nothing: its back-edge has no poll
# (AOT_BACKEDGE_FREE) and only the asynchronous interrupt (a signal from a
# timer on the thread's CPU time, aot_run.c) stops it below.
WASMIX_AOT_KEEP_C=1 "$W" compile "$TR" -o "$T/tr.so" >/dev/null 2>&1
if grep -q 'AOT_BACKEDGE_FREE(); goto' "$T"/tr.so.*.c 2>/dev/null; then
	ok async-loop-has-no-poll
else
	bad async-loop-has-no-poll "no AOT_BACKEDGE_FREE in the C of $TR"
fi
rm -f "$T"/tr.so*
cli timeout-busy 134 '' '^wasmix: trap: timeout' \
	"$W" run --aot --timeout 0.3 "$TR" d
cli timeout-loop-call 134 '' '^wasmix: trap: timeout' \
	"$W" run --aot --timeout 0.3 "$TR" j
cli timeout-recursion 134 '' '^wasmix: trap: timeout' \
	"$W" run --aot --timeout 0.3 "$TR" k
cli fuel-busy 134 '' '^wasmix: trap: fuel exhausted' \
	"$W" run --aot --fuel 100000 "$TR" d
cli deep-c-stack 134 '' '^wasmix: trap: call stack exhausted' \
	"$W" run --aot --max-call-depth 100000000 "$TR" c

# A module split into several C files (WASMIX_AOT_SPLIT_BYTES=1: one
# function per file): calls across files are direct calls of hidden
# symbols; every trap, the timeout and the depth limit as in one file;
# two compiles at once leave one entry and no work directory.
rm -rf "$XDG_CACHE_HOME"
WASMIX_AOT_KEEP_C=1 WASMIX_AOT_SPLIT_BYTES=1 "$W" compile "$TR" \
	-o "$T/split.so" >/dev/null 2>&1
nc=$(ls "$T"/split.so.*.d/p*.c 2>/dev/null | wc -l)
if [ -s "$T/split.so" ] && [ "$nc" -gt 10 ] &&
	! nm -D "$T/split.so" | grep -q ' T f[0-9]'; then
	ok "split-compile-o: $nc C files"
else
	bad split-compile-o "$nc C files, or f<k> exported"
fi
WASMIX_AOT_SPLIT_BYTES=1
export WASMIX_AOT_SPLIT_BYTES
"$W" run --aot "$TR" a >"$T/o1" 2>"$T/e1" &
p1=$!
"$W" run --aot "$TR" a >"$T/o2" 2>"$T/e2"
s2=$?
wait $p1
s1=$?
n=$(ls "$C" | grep -c '\.so$')
left=$(ls "$C" | grep -vc '\.so$')
if [ "$s1" = 134 ] && [ "$s2" = 134 ] && [ "$n" = 1 ] && [ "$left" = 0 ]; then
	ok split-concurrent-compile
else
	bad split-concurrent-compile "status $s1 and $s2, $n entries, $left others"
fi
for t in a b c e f g h i; do
	"$W" run --interp "$TR" $t >/dev/null 2>"$T/want"
	sw=$?
	cli "split-trap-$t" "$sw" '' "^$(cat "$T/want")\$" "$W" run --aot "$TR" $t
done
cli split-timeout-recursion 134 '' '^wasmix: trap: timeout' \
	"$W" run --aot --timeout 0.3 "$TR" k
unset WASMIX_AOT_SPLIT_BYTES
"$W" run --aot "$TR" a >/dev/null 2>&1
n=$(ls "$C" | grep -c '\.so$')
if [ "$n" = 2 ]; then ok split-own-entry
else bad split-own-entry "$n entries, want 2 (one file and split)"; fi

# --fuel and --max-call-depth count the same: the least value of OPTION
# that lets the program finish, interpreted and compiled.
least() {
	lo=0 hi=100000
	while [ $((hi - lo)) -gt 1 ]; do
		mid=$(((lo + hi) / 2))
		if "$W" run "$1" "$2" $mid tests/aot/fuel.wat 2>/dev/null; then
			hi=$mid
		else
			lo=$mid
		fi
	done
	echo $hi
}
for opt in --fuel --max-call-depth; do
	vi=$(least --interp $opt)
	va=$(least --aot $opt)
	if [ "$vi" = "$va" ] && [ "$vi" -gt 2 ] && [ "$vi" -lt 100000 ]; then
		ok "same $opt: $va"
	else
		bad "same $opt" "interpreter needs $vi, compiled $va"
	fi
done
# The same for setjmp/longjmp between compiled anchors and the
# interpreted setjmp function (its fuel comes from the store: the
# compiled caller gives its slice back around the call).
sjleast() {
	lo=0 hi=1000000
	while [ $((hi - lo)) -gt 1 ]; do
		mid=$(((lo + hi) / 2))
		"$W" run "$1" --fuel $mid "$SJ" "$2" >/dev/null 2>&1
		if [ $? = "$3" ]; then hi=$mid; else lo=$mid; fi
	done
	echo $hi
}
for m in a:47 f:47; do
	vi=$(sjleast --interp "${m%%:*}" "${m#*:}")
	va=$(sjleast --aot "${m%%:*}" "${m#*:}")
	if [ "$vi" = "$va" ] && [ "$vi" -gt 2 ] && [ "$vi" -lt 1000000 ]; then
		ok "same --fuel, sjlj ${m%%:*}: $va"
	else
		bad "same --fuel, sjlj ${m%%:*}" "interpreter needs $vi, compiled $va"
	fi
done

# --- 5. the default policy (docs/aot.md) ---------------------------------------
# A module not in the cache: this run interprets at once (one -v line)
# while a detached process compiles it; the next run finds it compiled.
rm -rf "$XDG_CACHE_HOME"
cli policy-miss 0 '^Hello, world!$' \
	'^wasmix: interpreting: not in the cache; compiling [0-9]+ bytes in the background' \
	env -u WASMIX_AOT_BACKGROUND_BYTES "$W" run -v "$B/examples/hello.wasm"
cache_wait # the background compile has ended
n=$(ls "$C" | grep -c '\.so$')
left=$(ls "$C" | grep -vc '\.so$')
if [ "$n" = 1 ] && [ "$left" = 0 ]; then ok policy-miss-filled
else bad policy-miss-filled "$n entries, $left others: $(ls "$C")"; fi
cli policy-hit 0 '^Hello, world!$' \
	'^wasmix: compiled: 7 of 7 functions run natively$' \
	env -u WASMIX_AOT_BACKGROUND_BYTES "$W" run -v "$B/examples/hello.wasm"
# Forced interpretation: no compile, no cache entry, one -v line.
rm -rf "$XDG_CACHE_HOME"
cli policy-interp 0 '^Hello, world!$' \
	'^wasmix: interpreting: the compiled tier is off' \
	"$W" run -v --interp "$B/examples/hello.wasm"
cli policy-aot0 0 '^Hello, world!$' \
	'^wasmix: interpreting: the compiled tier is off' \
	env WASMIX_AOT=0 "$W" run -v "$B/examples/hello.wasm"
if [ -z "$(ls "$C" 2>/dev/null)" ]; then ok policy-interp-no-entry
else bad policy-interp-no-entry "the cache has $(ls "$C")"; fi
# WASMIX_AOT_BACKGROUND_BYTES above the module's size: the run waits.
cli policy-small-waits 0 '^Hello, world!$' \
	'^wasmix: compiled: 7 of 7 functions run natively$' \
	env WASMIX_AOT_BACKGROUND_BYTES=100000000 "$W" run -v \
	"$B/examples/hello.wasm"
# No C compiler under the default policy: interpreted, one -v line, no
# background process.
rm -rf "$XDG_CACHE_HOME"
cli policy-no-compiler 0 '^Hello, world!$' \
	"^wasmix: interpreting: no C compiler '/nonexistent/cc' found" \
	env -u WASMIX_AOT_BACKGROUND_BYTES WASMIX_CC=/nonexistent/cc \
	"$W" run -v "$B/examples/hello.wasm"

# The switch-over: a run that loops forever starts interpreted; when the
# background compile ends, the run binds the compiled code at its next
# poll and says so. The test waits for that line (or for the run to end:
# its --timeout bounds a run that never switches), then ends it.
rm -rf "$XDG_CACHE_HOME"
if grep -aq __asan_init "$W"; then
	echo "skip switch-over: not in sanitizer builds (src/wasmix.c, WASMIX_CAN_WATCH)"
else
	env -u WASMIX_AOT_BACKGROUND_BYTES "$W" run -v --timeout 120 \
		tests/aot/spin.wat >"$T/out" 2>"$T/err" &
	spin=$!
	while kill -0 $spin 2>/dev/null &&
		! grep -q 'switched over' "$T/err"; do
		sleep 0.1 # a poll for an event, not an ordering
	done
	kill $spin 2>/dev/null
	wait $spin 2>/dev/null
	if grep -q '^wasmix: interpreting: not in the cache' "$T/err" &&
		grep -q '^wasmix: compiled: switched over: 2 functions run natively' "$T/err"; then
		ok switch-over
	else
		bad switch-over "no 'switched over' line"
	fi
	# With threads: each guest thread has an instance of its own, made
	# while the compile ran; all three switch, whichever thread polls.
	cache_wait
	rm -rf "$XDG_CACHE_HOME"
	env -u WASMIX_AOT_BACKGROUND_BYTES "$W" run -v --timeout 120 \
		tests/aot/spin_threads.wat >"$T/out" 2>"$T/err" &
	spin=$!
	while kill -0 $spin 2>/dev/null &&
		[ "$(grep -c 'switched over' "$T/err")" -lt 3 ]; do
		sleep 0.1 # a poll for an event, not an ordering
	done
	kill $spin 2>/dev/null
	wait $spin 2>/dev/null
	n=$(grep -c '^wasmix: compiled: switched over: 4 functions' "$T/err")
	if [ "$n" = 3 ]; then ok switch-over-threads
	else bad switch-over-threads "$n instances switched: $(cat "$T/err")"; fi
fi
cache_wait

summary run_aot.sh
