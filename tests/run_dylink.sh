#!/bin/sh
# run_dylink.sh BUILD_DIR: dynamic linking (src/dl/, docs/dylink.md)
# through the wasmix command line, with no wasix-libc: the programs of
# tests/dylink/ are built with clang and wasm-ld from their C sources
# with no libc (position independent: main modules -pie, libraries
# -shared, --experimental-pic) into BUILD_DIR/tests-dylink/, the
# libraries installed in a guest root's /lib. Checks libraries needed at
# start (a chain, constructors in order, calls and relocations both
# ways, weak symbols), dlopen/dlsym/dl_invalid_handle with fork and exec,
# call_dynamic, reflect_signature and closures, and the errors: a missing library, an undefined data symbol, a call
# of a function nobody defines. Prints one line per check, then "N
# passed, M failed"; exits 1 on failure.
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
cc libdye -DDYE_DATA=0 && lib libdye.so libdye
cc libdye-f -DDYE_DATA=1 && lib libdyf.so libdye-f
cp "$T/libdye.so" "$T/libdyg.so"
cc dy_main && main dy_main libdya.so
cc dy_open && main dy_open
cc dy_err && main dy_err libdye.so
cc dy_ffi && main dy_ffi
cp "$T/dy_err.o" "$T/dy_undef.o" && main dy_undef libdyf.so
cp "$T/dy_err.o" "$T/dy_missing.o" && main dy_missing libdyg.so
for l in libdya.so libdyb.so libdyc.so libdye.so libdyf.so; do
	cp "$T/$l" "$T/root/lib/" || exit 1
done
cp "$T/dy_main.wasm" "$T/root/" || exit 1

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
run dy_err 134 '^calling$' "trap: unresolved symbol 'nowhere_fn' \(called from libdye.so\)"
run dy_undef 2 '' 'libdyf.so: undefined symbol: nowhere_data'
run dy_missing 2 '' 'libdyg.so: cannot open shared object file: No such file or directory'
# LD_LIBRARY_PATH is searched before /lib: an empty libdya.so there fails.
mkdir -p "$T/root/alt" && cp "$T/libdyc.so" "$T/root/alt/libdya.so"
run dy_main 2 '' 'main: undefined symbol: dya_ptr_b' \
	--env LD_LIBRARY_PATH=/alt
# Not a library: a program found as a needed library.
mkdir -p "$T/root/alt2" && cp "$T/dy_main.wasm" "$T/root/alt2/libdya.so"
run dy_main 2 '' '/alt2/libdya.so: a program \(it exports _start\), not a library' \
	--env LD_LIBRARY_PATH=/nowhere:/alt2
summary "run_dylink.sh"
