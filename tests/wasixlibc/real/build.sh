#!/bin/sh
# build.sh SRC OUT: builds real programs, unmodified, from Debian's source
# packages in SRC (made there with 'apt-get source dash lua5.4 sqlite3':
# dash-0.5.12/, lua5.4-5.4.4/, sqlite3-3.40.1/) three ways, like the
# corpus (tests/run_wasixlibc.sh): natively with gcc into OUT/native/bin,
# against WASIX_SYSROOT into OUT/plain/bin and asyncified into
# OUT/async/bin. Opt-in (not run by 'make test'); run.sh runs them.
#
# Only configure flags, -D defines and build-time helpers, never patches:
# - dash: autoreconf (Debian's patches change configure.ac and
#   src/Makefile.am, as its rules file knows), then --host=wasm32-wasi.
# - lua: the library and lua.c with LUA_USE_POSIX; -D_setjmp=setjmp
#   -D_longjmp=longjmp (wasix-libc has no _setjmp); the header Debian's
#   rules generate, lua5.4-deb-multiarch.h, written into OUT.
# - sqlite3: the amalgamation (sqlite3.c, shell.c) made by its own
#   Makefile on the host (tclsh); the F_*LCK constants wasix-libc's
#   <fcntl.h> lacks given with -D (the calls then fail: run.sh uses
#   -vfs unix-none, natively too).
# Needs WASIX_SYSROOT, clang-14 (or WASIX_CC), gcc, wasm-opt, autoreconf,
# tclsh. Prints what it built; exits 1 with a message on failure.
set -e
SRC=$(cd "${1:?usage: build.sh SRC OUT}" && pwd)
mkdir -p "${2:?usage: build.sh SRC OUT}"
OUT=$(cd "$2" && pwd)
D=$(cd "$(dirname "$0")/.." && pwd)
[ -n "$WASIX_SYSROOT" ] || { echo "build.sh: WASIX_SYSROOT is not set" >&2; exit 1; }
WCC=${WASIX_CC:-$(command -v clang-14 || echo clang)}
. "$D/flags.sh"
mkdir -p "$OUT/native/bin" "$OUT/plain/bin" "$OUT/async/bin" "$OUT/work"

# The compiler for configure: WCFLAGS always, WLDFLAGS when it links.
cat >"$OUT/work/wcc" <<WRAP
#!/bin/sh
link=1
for a in "\$@"; do
	case \$a in -c | -E | -S | -M | -MM) link=0 ;; esac
done
if [ \$link = 1 ]; then
	exec "$WCC" $(echo $WCFLAGS) -Wno-unused-command-line-argument "\$@" $(echo $WLDFLAGS)
fi
exec "$WCC" $(echo $WCFLAGS) "\$@"
WRAP
chmod +x "$OUT/work/wcc"
WRAPCC=$OUT/work/wcc

# place NAME WASM: the plain and the asyncified copy.
place() {
	cp "$2" "$OUT/plain/bin/$1"
	# shellcheck disable=SC2086
	wasm-opt $WOPTFLAGS "$2" -o "$OUT/async/bin/$1"
	chmod +x "$OUT/async/bin/$1"
	echo "built $1 (native, plain, async)"
}

# dash
for kind in native wasm; do
	rm -rf "$OUT/work/dash-$kind"
	cp -a "$SRC/dash-0.5.12" "$OUT/work/dash-$kind"
	(
		cd "$OUT/work/dash-$kind"
		autoreconf -fi >autoreconf.log 2>&1
		if [ $kind = native ]; then
			./configure CFLAGS=-O2 >configure.log 2>&1
		else
			./configure --host=wasm32-wasi CC="$WRAPCC" CC_FOR_BUILD=gcc \
				CFLAGS=-O2 >configure.log 2>&1
		fi
		make -j2 >make.log 2>&1
	) || { echo "build.sh: dash ($kind) failed, see $OUT/work/dash-$kind/*.log" >&2; exit 1; }
done
cp "$OUT/work/dash-native/src/dash" "$OUT/native/bin/sh"
place sh "$OUT/work/dash-wasm/src/dash"

# lua
printf '#define DEB_HOST_MULTIARCH "wasm32-wasi"\n' >"$OUT/work/lua5.4-deb-multiarch.h"
LUASRC=$(ls "$SRC"/lua5.4-5.4.4/src/*.c | grep -v '/luac\.c$')
# shellcheck disable=SC2086
gcc -O2 -w -DLUA_USE_POSIX -I"$OUT/work" $LUASRC -o "$OUT/native/bin/lua" -lm
# shellcheck disable=SC2086
"$WRAPCC" -O2 -w -DLUA_USE_POSIX -D_setjmp=setjmp -D_longjmp=longjmp \
	-I"$OUT/work" $LUASRC -o "$OUT/work/lua.wasm" -lm
place lua "$OUT/work/lua.wasm"

# sqlite3
rm -rf "$OUT/work/sqlite" && mkdir -p "$OUT/work/sqlite"
(
	cd "$OUT/work/sqlite"
	"$SRC/sqlite3-3.40.1/configure" --disable-tcl >configure.log 2>&1
	make -j2 sqlite3.c shell.c >make.log 2>&1
) || { echo "build.sh: sqlite3 amalgamation failed, see $OUT/work/sqlite/*.log" >&2; exit 1; }
SQLDEF="-DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_THREADSAFE=0 -DHAVE_USLEEP=1"
LK="-DF_GETLK=5 -DF_SETLK=6 -DF_SETLKW=7 -DF_RDLCK=0 -DF_WRLCK=1 -DF_UNLCK=2"
# shellcheck disable=SC2086
gcc -O2 -w $SQLDEF -I"$OUT/work/sqlite" "$OUT/work/sqlite/shell.c" \
	"$OUT/work/sqlite/sqlite3.c" -o "$OUT/native/bin/sqlite3" -lm
# shellcheck disable=SC2086
"$WRAPCC" -O2 -w $SQLDEF $LK -I"$OUT/work/sqlite" "$OUT/work/sqlite/shell.c" \
	"$OUT/work/sqlite/sqlite3.c" -o "$OUT/work/sqlite3.wasm"
place sqlite3 "$OUT/work/sqlite3.wasm"
