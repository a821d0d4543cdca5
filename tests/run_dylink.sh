#!/bin/sh
# run_dylink.sh BUILD_DIR: dynamic linking (src/dl/, docs/dylink.md)
# through the wasmix command line, with no wasix-libc: the programs of
# tests/dylink/ are built with clang and wasm-ld from their C sources
# with no libc (position independent: main modules -pie, libraries
# -shared, --experimental-pic) into BUILD_DIR/tests-dylink/, the
# libraries installed in a guest root's /lib. Checks libraries needed at
# start (a chain, constructors in order, calls and relocations both
# ways, weak symbols), dlopen/dlsym/dl_invalid_handle with fork and exec,
# call_dynamic, reflect_signature and closures, threads, contexts (with
# exceptions, setjmp/longjmp and signals: tests/dylink/ctx_*.wat), and
# the errors: a missing library, an undefined data symbol, a call
# of a function nobody defines, and 64-bit twins (memory64, wasix_64v1)
# of dy_main, dy_open and dy_ffi whose output must match. Prints one line
# per check, then "N passed, M failed"; exits 1 on failure.
#
# Called by 'make test' as: sh tests/run_dylink.sh BUILD_DIR

B=${1:-build}
W=$B/wasmix
T=$B/tests-dylink
S=tests/dylink
WASM_CC=${WASM_CC:-clang}
WASM_LD=${WASM_LD:-wasm-ld}
. "$(dirname "$0")/lib.sh"

[ -x "$W" ] || die "$W not built"
rm -rf "$T" && mkdir -p "$T/root/lib" || exit 1
# The emscripten target is the one whose clang 14 emits PIC for wasm32;
# nothing of emscripten is used (no headers, no libraries).
CFLAGS="--target=wasm32-unknown-emscripten -O1 -fPIC -fvisibility=default
	-nostdlib -fno-builtin -Wall -Wextra -Werror"
LDPIC="--experimental-pic"

# cc NAME [FLAGS]: tests/dylink/NAME.c -> $T/NAME.o
cc() {
	n=$1
	shift
	# shellcheck disable=SC2086
	$WASM_CC $CFLAGS "$@" -c "$S/${n%%-*}.c" -o "$T/$n.o" ||
		die "cannot compile $n"
}
# lib NAME.so OBJ: a side module
lib() {
	$WASM_LD $LDPIC -shared -o "$T/$1" "$T/$2.o" || die "cannot link $1"
}
# main NAME LIBS...: a main module (-pie) linked against libraries
main() {
	n=$1
	shift
	libs=
	for l in "$@"; do libs="$libs $T/$l"; done
	# shellcheck disable=SC2086
	$WASM_LD $LDPIC -pie --import-memory --export-dynamic --no-entry \
		--export=_start \
		-o "$T/$n.wasm" "$T/$n.o" $libs || die "cannot link $n"
}

cc libdyb && lib libdyb.so libdyb
cc libdya && $WASM_LD $LDPIC -shared -o "$T/libdya.so" "$T/libdya.o" \
	"$T/libdyb.so" || die "cannot link libdya.so"
cc libdyc && lib libdyc.so libdyc
cc libdyk && lib libdyk.so libdyk
cc libdye -DDYE_DATA=0 && lib libdye.so libdye
cc libdye-f -DDYE_DATA=1 && lib libdyf.so libdye-f
cp "$T/libdye.so" "$T/libdyg.so"
cc dy_main && main dy_main libdya.so
cc dy_open && main dy_open
cc dy_err && main dy_err libdye.so
cc dy_ffi && main dy_ffi
# Threads: shared memory (atomics), the entry in assembly.
cc libdyt -matomics -mbulk-memory &&
	$WASM_LD $LDPIC -shared --shared-memory -o "$T/libdyt.so" \
		"$T/libdyt.o" || die "cannot link libdyt.so"
cc dy_thr -matomics -mbulk-memory
$WASM_CC --target=wasm32-unknown-emscripten -matomics -mbulk-memory \
	-c "$S/dy_thr_start.s" -o "$T/dy_thr_start.o" ||
	die "cannot assemble dy_thr_start.s"
$WASM_LD $LDPIC -pie --import-memory --shared-memory \
	--max-memory=67108864 --export-dynamic --no-entry --export=_start \
	-o "$T/dy_thr.wasm" "$T/dy_thr.o" "$T/dy_thr_start.o" \
	"$T/libdyt.so" || die "cannot link dy_thr"
cc dy_ctx && main dy_ctx
cc dy_ctxend && main dy_ctxend
cp "$T/dy_err.o" "$T/dy_undef.o" && main dy_undef libdyf.so
cp "$T/dy_err.o" "$T/dy_missing.o" && main dy_missing libdyg.so
for l in libdya.so libdyb.so libdyc.so libdyk.so libdye.so libdyf.so \
	libdyt.so; do
	cp "$T/$l" "$T/root/lib/" || exit 1
done
cp "$T/dy_main.wasm" "$T/root/" || exit 1
# A library written as text (its dylink.0 an annotation), with TLS.
"$W" wat2wasm "$S/libdytls.wat" -o "$T/root/lib/libdytls.so" ||
	die "cannot build libdytls.wat"
cp "$T/root/lib/libdytls.so" "$T/root/lib/libdytls2.so" || exit 1
# Contexts with exceptions, setjmp/longjmp and signals: text modules.
for w in ctx_eh ctx_stale ctx_throw; do
	"$W" wat2wasm "$S/$w.wat" -o "$T/$w.wasm" || die "cannot build $w.wat"
done

# run NAME WANT OUT_RE ERR_RE [ARGS...]: runs NAME.wasm with the root.
run() {
	name=$1 want=$2 out_re=$3 err_re=$4
	shift 4
	"$W" run --dir "$T/root::/" "$@" "$T/$name.wasm" >"$T/out" 2>"$T/err"
	mismatch $? "$want" "$out_re" "$err_re"
	if [ -z "$why" ]; then ok "$name $*"; else bad "$name $*" "$why"; fi
}

run dy_main 0 '^ok dylink start$' ''
run dy_open 0 '^ok dlopen$' ''
# After the exec, dy_main's own line: its libraries loaded again.
grep -q '^ok dylink start$' "$T/out" && ok "dy_open exec" ||
	bad "dy_open exec" "no line from the exec'd dy_main"
run dy_ffi 0 '^ok ffi$' ''
run dy_thr 0 '^ok threads$' ''
run dy_ctx 0 '^ok contexts$' ''
run dy_ctxend 134 '^in the context$' 'trap: context 1: entrypoint returned'
run ctx_eh 0 '^ok ctx_eh$' ''
run ctx_stale 134 '' 'trap: context 1: invalid or stale setjmp snapshot'
run ctx_throw 134 '' 'trap: uncaught exception'
run dy_err 134 '^calling$' "trap: unresolved symbol 'nowhere_fn' \(called from libdye.so\)"
run dy_undef 2 '' 'libdyf.so: undefined symbol: nowhere_data'
run dy_missing 2 '' 'libdyg.so: cannot open shared object file: No such file or directory'
# LD_LIBRARY_PATH is searched before /lib: an empty libdya.so there fails.
mkdir -p "$T/root/alt" && cp "$T/libdyc.so" "$T/root/alt/libdya.so"
run dy_main 2 '' 'main: undefined symbol: dya_ptr_b' \
	--env LD_LIBRARY_PATH=/alt
# After an exec, the exec'd environment's LD_LIBRARY_PATH counts.
run dy_open 0 '^ok dlopen$' '' --env LD_LIBRARY_PATH=/alt
grep -q '^ok dylink start$' "$T/out" && ok "dy_open exec, new environment" ||
	bad "dy_open exec, new environment" "no line from the exec'd dy_main"
# Not a library: a program found as a needed library.
mkdir -p "$T/root/alt2" && cp "$T/dy_main.wasm" "$T/root/alt2/libdya.so"
run dy_main 2 '' '/alt2/libdya.so: a program \(it exports _start\), not a library' \
	--env LD_LIBRARY_PATH=/nowhere:/alt2

# 64-bit twins (memory64, wasix_64v1): the same sources built for
# wasm64 (i64 __memory_base, __stack_pointer and GOT.mem; i64 __table_base
# plus i32 __table_base32): a main module with a library chain linked at
# start and a dlopen'd one, dlopen/dlsym of a function and a data symbol,
# fork and exec, call_dynamic and closures (dy_ffi). Each must print what its 32-bit twin printed.
T64=$T/w64
C64="--target=wasm64-unknown-emscripten -O1 -fPIC -fvisibility=default
	-nostdlib -fno-builtin -Wall -Wextra -Werror"
L64="$WASM_LD -mwasm64 $LDPIC"
w64_build() {
	mkdir -p "$T64/root/lib" || return 1
	for n in libdyb libdya libdyc libdyk dy_main dy_open dy_ffi; do
		# shellcheck disable=SC2086
		$WASM_CC $C64 -c "$S/$n.c" -o "$T64/$n.o" || return 1
	done
	$L64 -shared -o "$T64/root/lib/libdyb.so" "$T64/libdyb.o" &&
		$L64 -shared -o "$T64/root/lib/libdya.so" "$T64/libdya.o" \
			"$T64/root/lib/libdyb.so" &&
		$L64 -shared -o "$T64/root/lib/libdyc.so" "$T64/libdyc.o" &&
		$L64 -shared -o "$T64/root/lib/libdyk.so" "$T64/libdyk.o" ||
		return 1
	for n in dy_main dy_open dy_ffi; do
		libs=
		[ $n = dy_main ] && libs=$T64/root/lib/libdya.so
		# shellcheck disable=SC2086
		$L64 -pie --import-memory --export-dynamic --no-entry \
			--export=_start -o "$T64/$n.wasm" "$T64/$n.o" $libs ||
			return 1
	done
	cp "$T64/dy_main.wasm" "$T64/root/"
}
if w64_build; then
	for n in dy_main dy_open dy_ffi; do
		"$W" run --dir "$T/root::/" "$T/$n.wasm" >"$T/out32" 2>&1
		r32=$?
		"$W" run --dir "$T64/root::/" "$T64/$n.wasm" >"$T/out64" 2>&1
		r64=$?
		if [ $r32 -eq 0 ] && [ $r64 -eq 0 ] && [ -s "$T/out64" ] &&
			cmp -s "$T/out32" "$T/out64"; then
			ok "$n wasm64 (as wasm32)"
		else
			bad "$n wasm64" "exit $r64 (wasm32: $r32), output: $(head -c 200 "$T/out64")"
		fi
	done
else
	bad "wasm64 twins" "cannot build them with $WASM_CC -mwasm64"
fi

# Real programs: wasix-libc's EH+PIC sysroot (WASIX_PIC_SYSROOT: built by
# hand beside the project as its build32-ehpic.sh configures it; CI has
# none) with clang-19, linked as Wasmer documents (linker.rs): the main
# module carries all of libc (--whole-archive --export-all), libraries
# import it.
real() {
	R=$S/real
	CC19=${WASM_CC19:-clang-19}
	LD19=${WASM_LD19:-wasm-ld-19}
	SR=$WASIX_PIC_SYSROOT
	RF="--target=wasm32-wasi --sysroot=$SR -O1 -fPIC -matomics -mbulk-memory
		-mmutable-globals -pthread -mthread-model posix
		-ftls-model=local-exec -fno-trapping-math -mexception-handling
		-fwasm-exceptions -mllvm --wasm-enable-sjlj -D_WASI_EMULATED_MMAN
		-D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS"
	FEAT=--extra-features=atomics,bulk-memory,mutable-globals
	mkdir -p "$T/real/lib" || return 1
	for l in side plugin deep; do
		# shellcheck disable=SC2086
		$CC19 $RF -fvisibility=default -c "$R/$l.c" -o "$T/real/$l.o" &&
			$LD19 $FEAT --experimental-pic -shared --shared-memory \
				--unresolved-symbols=import-dynamic \
				--export=__wasm_call_ctors \
				--export-if-defined=__wasm_apply_data_relocs \
				-o "$T/real/lib/lib$l.so" "$T/real/$l.o" || return 1
	done
	# A library with thread-local variables: wasix-libc's scrt1.o.
	# shellcheck disable=SC2086
	$CC19 $RF -fvisibility=default -c "$R/tlsv.c" -o "$T/real/tlsv.o" &&
		$LD19 $FEAT --experimental-pic -shared --shared-memory \
			--unresolved-symbols=import-dynamic \
			--export=__wasm_call_ctors \
			--export-if-defined=__wasm_apply_data_relocs \
			-o "$T/real/lib/libtlsv.so" "$T/real/tlsv.o" \
			"$SR/lib/wasm32-wasi/scrt1.o" || return 1
	cp "$T/real/lib/libtlsv.so" "$T/real/lib/libtlsv2.so" || return 1
	for p in real_main:side real_thr:deep real_ctx:side real_tls:tlsv \
		real_tlsd:side; do
		# shellcheck disable=SC2086
		$CC19 $RF -c "$R/${p%%:*}.c" -o "$T/real/${p%%:*}.o" &&
			$LD19 -L"$T/real/lib" -L"$SR/lib/wasm32-wasi" \
				--whole-archive --export-all "$T/real/${p%%:*}.o" \
				"$SR/lib/wasm32-wasi/crt1.o" "-l${p#*:}" -lc \
				-lpthread -lwasi-emulated-mman \
				-lcommon-tag-stubs --no-whole-archive \
				"$($CC19 --target=wasm32-wasi -print-libgcc-file-name)" \
				--import-memory --shared-memory \
				--max-memory=4294967296 $FEAT \
				--export=__wasm_signal --export=__tls_size \
				--export=__tls_align --export=__tls_base \
				--export=__wasm_call_ctors \
				--export-if-defined=__wasm_apply_data_relocs \
				--experimental-pic -pie -mllvm --wasm-enable-sjlj \
				-o "$T/real/${p%%:*}.wasm" || return 1
	done
	"$W" run --dir "$T/real::/" "$T/real/real_main.wasm" >"$T/out" 2>"$T/err"
	mismatch $? 0 '' ''
	if [ -z "$why" ] && ! diff "$R/expected.txt" "$T/out" >/dev/null; then
		why="output differs from $R/expected.txt"
	fi
	if [ -z "$why" ]; then ok "real_main (wasix-libc EH+PIC)"; else bad real_main "$why"; fi
	"$W" run --dir "$T/real::/" "$T/real/real_thr.wasm" >"$T/out" 2>"$T/err"
	mismatch $? 0 '^threads agree, main.s tls 5$' ''
	if [ -z "$why" ]; then ok "real_thr (wasix-libc EH+PIC)"; else bad real_thr "$why"; fi
	"$W" run --dir "$T/real::/" "$T/real/real_ctx.wasm" >"$T/out" 2>"$T/err"
	mismatch $? 0 '^longjmp out of the context: 7$' ''
	[ -n "$why" ] || grep -q '^jumps=1000 handled=1$' "$T/out" ||
		why="no 'jumps=1000 handled=1' line"
	[ -n "$why" ] || grep -q '^switch to the ended context: -1 EINVAL$' \
		"$T/out" || why="no EINVAL for the ended context"
	if [ -z "$why" ]; then ok "real_ctx (wasix-libc EH+PIC)"; else bad real_ctx "$why"; fi
	"$W" run --dir "$T/real::/" "$T/real/real_tls.wasm" >"$T/out" 2>"$T/err"
	mismatch $? 0 '^1005 1005 1005 1005 1005 distinct=1$' ''
	if [ -z "$why" ]; then ok "real_tls (wasix-libc EH+PIC)"; else bad real_tls "$why"; fi
	"$W" run --dir "$T/real::/" "$T/real/real_tlsd.wasm" >"$T/out" 2>"$T/err"
	mismatch $? 0 '^1005 1005 1005 1005 1005 distinct=1$' ''
	if [ -z "$why" ]; then ok "real_tlsd (wasix-libc EH+PIC)"; else bad real_tlsd "$why"; fi
}
if [ -n "${WASIX_PIC_SYSROOT:-}" ]; then
	real || bad real_main "cannot build with $WASIX_PIC_SYSROOT"
else
	echo "skip real_main: WASIX_PIC_SYSROOT is not set (a wasix-libc" \
		"sysroot built EH+PIC, by hand; see docs/dylink.md)"
fi
summary "run_dylink.sh"
