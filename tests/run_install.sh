#!/bin/sh
# run_install.sh BUILD_DIR: 'make install' and 'make uninstall' as a
# packager and an embedder use them (docs/embedding.md).
#
# 1. Installs into a temporary prefix; checks every file is where the
#    Makefile says, the shared library's SONAME and that it exports only
#    wasm_* and wasmix_* functions; builds examples/embed*.c with nothing
#    but 'pkg-config --cflags --libs wasmix' (plus the sanitizer flags of
#    an ASan build, which its library needs) and runs them against the
#    installed shared library, isolated runs also through the installed
#    wasmix-helper.
# 2. Stages an install for PREFIX=/usr under DESTDIR; checks the paths and
#    that wasmix.pc names /usr, then that 'make uninstall' with the same
#    variables leaves no file behind.
# Prints one line per check, then "N passed, M failed"; exits 1 on failure.
#
# Called by 'make install-test' (in 'make test') as: sh tests/run_install.sh
# BUILD_DIR. Needs pkg-config, readelf and nm (binutils).

B=${1:-build}
. "$(dirname "$0")/lib.sh"
command -v pkg-config >/dev/null || die "pkg-config is not installed"
T=$(mktemp -d "${TMPDIR:-/tmp}/wasmix-install.XXXXXX") || die "no temp dir"
trap 'rm -rf "$T"' EXIT
: >"$T/out"
: >"$T/err"
MAKE=${MAKE:-make}
P=$T/prefix
VERSION=$(sed -n 's/^#define WASMIX_VERSION "\(.*\)"/\1/p' include/wasmix.h)
MAJOR=${VERSION%%.*}

# -- 1: a real prefix -----------------------------------------------------------
$MAKE -s O="$B" install PREFIX="$P" >"$T/out" 2>"$T/err" &&
	ok "make install PREFIX=..." || bad "make install" "failed"
for f in bin/wasmix libexec/wasmix/wasmix-helper lib/libwasmix.a \
	"lib/libwasmix.so.$VERSION" \
	"lib/libwasmix.so.$MAJOR" lib/libwasmix.so include/wasm.h \
	include/wasmix.h lib/pkgconfig/wasmix.pc share/man/man1/wasmix.1 \
	share/man/man3/wasmix.3; do
	[ -e "$P/$f" ] && ok "installed $f" || bad "installed $f" "missing"
done
[ "$(readlink "$P/lib/libwasmix.so")" = "libwasmix.so.$MAJOR" ] &&
	ok "libwasmix.so -> libwasmix.so.$MAJOR" || bad "dev symlink" "wrong"
readelf -d "$P/lib/libwasmix.so.$VERSION" >"$T/out" 2>"$T/err"
grep -q "Library soname: \[libwasmix.so.$MAJOR\]" "$T/out" &&
	ok "SONAME libwasmix.so.$MAJOR" || bad "SONAME" "not libwasmix.so.$MAJOR"
# Exported symbols: functions of the two headers only ('A': the version node).
nm -D --defined-only "$P/lib/libwasmix.so.$VERSION" | awk '$2 != "A" {print $3}' |
	sed 's/@.*//' | sort >"$T/syms"
others=$(grep -Ev '^(wasm_|wasmix_)' "$T/syms" | head -5)
[ -z "$others" ] && ok "only wasm_* and wasmix_* exported" ||
	bad "exports" "also exports: $others"
for s in wasm_func_call wasm_instance_new wasm_ref_same wasmix_run_file \
	wasmix_validate; do
	grep -qx "$s" "$T/syms" && ok "exports $s" || bad "exports $s" "missing"
done
for s in wasm_decode wasm_validate vm_invoke wx_malloc; do
	grep -qx "$s" "$T/syms" && bad "hides $s" "exported" || ok "hides $s"
done
"$P/bin/wasmix" --version >"$T/out" 2>"$T/err" &&
	grep -q "^wasmix $VERSION$" "$T/out" && ok "installed wasmix runs" ||
	bad "installed wasmix" "--version"

export PKG_CONFIG_PATH="$P/lib/pkgconfig"
flags=$(pkg-config --cflags --libs wasmix 2>"$T/err") &&
	ok "pkg-config --cflags --libs wasmix: $flags" || bad "pkg-config" "failed"
[ "$(pkg-config --modversion wasmix)" = "$VERSION" ] &&
	ok "pkg-config --modversion" || bad "pkg-config --modversion" "wrong"
for src in examples/embed*.c; do
	name=$(basename "$src" .c)
	# shellcheck disable=SC2086 # the flags are words
	if ${CC:-cc} $EXTRA_CFLAGS "$src" $flags -o "$T/$name" \
		>"$T/out" 2>"$T/err"; then
		ok "build $name with pkg-config"
	else
		bad "build $name" "compile or link failed"
	fi
done
LD_LIBRARY_PATH=$P/lib
export LD_LIBRARY_PATH
ldd "$T/embed_capi" >"$T/out" 2>&1
grep -q "$P/lib/libwasmix.so.$MAJOR" "$T/out" &&
	ok "embed_capi uses the installed libwasmix.so.$MAJOR" ||
	bad "embed_capi linkage" "not the installed shared library"
"$T/embed_capi" >"$T/out" 2>"$T/err"
mismatch $? 0 '^sum_squares\(3, 4\) = 25$' ''
[ -z "$why" ] && grep -q '^crash trapped: unreachable$' "$T/out" &&
	ok "embed_capi runs" || bad "embed_capi" "${why:-no trap line}"
"$T/embed_run" "$B/examples/hello.wasm" >"$T/out" 2>"$T/err"
mismatch $? 0 '^Hello, world!$' ''
[ -z "$why" ] && ok "embed_run runs hello.wasm" || bad "embed_run" "$why"
# The same through the installed helper (the library's built-in path is
# that of the build's PREFIX, so name this prefix's).
WASMIX_HELPER=$P/libexec/wasmix/wasmix-helper "$T/embed_run" \
	"$B/examples/hello.wasm" >"$T/out" 2>"$T/err"
mismatch $? 0 '^Hello, world!$' ''
[ -z "$why" ] && ok "embed_run runs hello.wasm in the installed helper" ||
	bad "embed_run with the installed helper" "$why"
"$T/embed_run" "$T/nonexistent.wasm" >"$T/out" 2>"$T/err"
mismatch $? 2 '' '^embed_run: .*nonexistent\.wasm'
[ -z "$why" ] && ok "embed_run reports a missing file" || bad "embed_run" "$why"
unset LD_LIBRARY_PATH PKG_CONFIG_PATH

# -- 2: a staged install, then uninstall ------------------------------------------
D=$T/stage
$MAKE -s O="$B" install PREFIX=/usr DESTDIR="$D" >"$T/out" 2>"$T/err" &&
	ok "make install DESTDIR=... PREFIX=/usr" || bad "staged install" "failed"
[ -x "$D/usr/bin/wasmix" ] && [ -e "$D/usr/lib/libwasmix.so.$MAJOR" ] &&
	ok "staged under DESTDIR/usr" || bad "staged install" "paths"
grep -qx 'prefix=/usr' "$D/usr/lib/pkgconfig/wasmix.pc" &&
	ok "wasmix.pc names the final prefix" || bad "wasmix.pc" "prefix"
$MAKE -s O="$B" uninstall PREFIX=/usr DESTDIR="$D" >"$T/out" 2>"$T/err" &&
	ok "make uninstall" || bad "make uninstall" "failed"
left=$(find "$D" \( -type f -o -type l \) | head -3)
[ -z "$left" ] && ok "uninstall removed every file" ||
	bad "uninstall" "left $left"
summary install
