#!/bin/sh
# build.sh SRC OUT: builds real programs, unmodified, from Debian's source
# packages in SRC (made there with 'apt-get source dash lua5.4 sqlite3
# busybox': dash-0.5.12/, lua5.4-5.4.4/, sqlite3-3.40.1/,
# busybox-1.35.0/) three ways, like the corpus (tests/run_wasixlibc.sh):
# natively with gcc into OUT/native/bin, against WASIX_SYSROOT into
# OUT/plain/bin and asyncified into OUT/async/bin. REAL_ONLY="busybox"
# (any of dash lua sqlite3 busybox) builds only those. Opt-in (not run by
# 'make test'); run.sh runs them.
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
# - busybox: the applets of busybox.config (its header says which are
#   off and why), one configuration for both builds, out of tree (O=),
#   SOURCE_DATE_EPOCH fixed so both print the same banner. Every applet
#   is a symlink to busybox in bin/ (argv[0] dispatch), except sh (ash
#   is bin/ash). For wasm, only make variables:
#   - three headers libbb.h includes on every platform it does not list
#     and wasix-libc lacks, written into OUT/work/bbinc: <mntent.h> and
#     <sys/statfs.h> empty (only df and stat -f use them, both off),
#     <sys/sysmacros.h> with Linux's major/minor/makedev;
#   - -DSOCK_RDM=4: wasix-libc's <sys/socket.h> skips its SOCK_* block
#     when <netdb.h> has defined SOCK_STREAM, and libbb.h checks them all;
#   - -D'getgroups(n,l)=0' (no supplementary groups; test -r/-w/-x and id
#     call it) and -D'mknod(...)' failing with ENOSYS (cp of a device
#     node): wasix-libc has neither function;
#   - CFLAGS_mode_string.o: Linux's S_IF* and permission constants for
#     that one file: with wasi-libc's values (S_IFIFO 0xc000) its
#     fallback redefines mode_t and no longer compiles; so ls -l shows a
#     FIFO as 's' and a socket as '?' (run.sh makes neither);
#   - CFLAGS_udp_io.o: a header that includes <netinet/in.h> and
#     undefines IP_PKTINFO and IPV6_PKTINFO, so libbb/udp_io.c (which
#     CONFIG_NC compiles in; small nc has no UDP and never calls it)
#     takes its own path for systems without them: wasix-libc defines
#     both but has no struct cmsghdr or CMSG_* macros;
#   - AR=llvm-ar-14 (GNU ar writes no index for wasm objects); the link
#     wrapper drops --start-group/--end-group/--warn-common, which
#     wasm-ld 14 rejects (it resolves archives in any order anyway).
# Needs WASIX_SYSROOT, clang-14 (or WASIX_CC), gcc, wasm-opt, autoreconf,
# tclsh, llvm-ar-14. Prints what it built; exits 1 with a message on
# failure.
set -e
SRC=$(cd "${1:?usage: build.sh SRC OUT}" && pwd)
mkdir -p "${2:?usage: build.sh SRC OUT}"
OUT=$(cd "$2" && pwd)
D=$(cd "$(dirname "$0")/.." && pwd)
[ -n "$WASIX_SYSROOT" ] || { echo "build.sh: WASIX_SYSROOT is not set" >&2; exit 1; }
WCC=${WASIX_CC:-$(command -v clang-14 || echo clang)}
. "$D/flags.sh"
mkdir -p "$OUT/native/bin" "$OUT/plain/bin" "$OUT/async/bin" "$OUT/work"

# The compiler for configure: WCFLAGS always, WLDFLAGS when it links
# (not for -r, a relocatable object); drops the linker flags wasm-ld 14
# rejects (busybox's trylink passes them).
cat >"$OUT/work/wcc" <<WRAP
#!/bin/sh
for a in "\$@"; do
	shift
	case \$a in
	-Wl,--start-group | -Wl,--end-group | -Wl,--warn-common) ;;
	*) set -- "\$@" "\$a" ;;
	esac
done
link=1
for a in "\$@"; do
	case \$a in -c | -E | -S | -M | -MM | -r) link=0 ;; esac
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

build_dash() {
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
}

build_lua() {
	printf '#define DEB_HOST_MULTIARCH "wasm32-wasi"\n' >"$OUT/work/lua5.4-deb-multiarch.h"
	LUASRC=$(ls "$SRC"/lua5.4-5.4.4/src/*.c | grep -v '/luac\.c$')
	# shellcheck disable=SC2086
	gcc -O2 -w -DLUA_USE_POSIX -I"$OUT/work" $LUASRC -o "$OUT/native/bin/lua" -lm
	# shellcheck disable=SC2086
	"$WRAPCC" -O2 -w -DLUA_USE_POSIX -D_setjmp=setjmp -D_longjmp=longjmp \
		-I"$OUT/work" $LUASRC -o "$OUT/work/lua.wasm" -lm
	place lua "$OUT/work/lua.wasm"
}

build_sqlite3() {
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
}

build_busybox() {
	BB=busybox-1.35.0
	export SOURCE_DATE_EPOCH=1672531200
	mkdir -p "$OUT/work/bbinc/sys"
	echo '/* empty: df and stat -f, which use it, are off */' >"$OUT/work/bbinc/mntent.h"
	cp "$OUT/work/bbinc/mntent.h" "$OUT/work/bbinc/sys/statfs.h"
	cat >"$OUT/work/bbinc/sys/sysmacros.h" <<'EOF'
#define major(d) ((unsigned)(((d) >> 8) & 0xfff))
#define minor(d) ((unsigned)(((d) & 0xff) | (((d) >> 12) & 0xfff00)))
#define makedev(a, b) ((((a) & 0xfff) << 8) | ((b) & 0xff) | (((b) & 0xfff00) << 12))
EOF
	printf '#include <netinet/in.h>\n#undef IP_PKTINFO\n#undef IPV6_PKTINFO\n' \
		>"$OUT/work/bbinc/nopktinfo.h"
	# The quotes are for the shell that runs busybox's compile commands.
	# shellcheck disable=SC2089
	BBCFLAGS="-I$OUT/work/bbinc -DSOCK_RDM=4 -D'getgroups(n,l)=0'
	 -D'mknod(p,m,d)=(errno = ENOSYS, -1)'"
	MODEFLAGS="-D__wasilibc___mode_t_h -DS_IFMT=0170000 -DS_IFDIR=0040000
	 -DS_IFCHR=0020000 -DS_IFBLK=0060000 -DS_IFREG=0100000 -DS_IFIFO=0010000
	 -DS_IFLNK=0120000 -DS_IFSOCK=0140000 -DS_ISUID=04000 -DS_ISGID=02000
	 -DS_ISVTX=01000 -DS_IRUSR=0400 -DS_IWUSR=0200 -DS_IXUSR=0100 -DS_IRWXU=0700
	 -DS_IRGRP=040 -DS_IWGRP=020 -DS_IXGRP=010 -DS_IRWXG=070 -DS_IROTH=04
	 -DS_IWOTH=02 -DS_IXOTH=01 -DS_IRWXO=07"
	BBSYMS=$(grep '^CONFIG_' "$D/real/busybox.config" | sed 's/=y$//')
	for kind in native wasm; do
		rm -rf "$OUT/work/busybox-$kind"
		mkdir -p "$OUT/work/busybox-$kind"
		(
			# Out of tree (O=): the source stays as apt-get left it.
			make -C "$SRC/$BB" O="$OUT/work/busybox-$kind" allnoconfig \
				>"$OUT/work/busybox-$kind/config.log" 2>&1
			cd "$OUT/work/busybox-$kind"
			for s in $BBSYMS; do
				sed -i "/^# $s is not set\$/d; /^$s=/d" .config
				echo "$s=y" >>.config
			done
			yes "" | make oldconfig >>config.log 2>&1
			for s in $BBSYMS; do
				grep -q "^$s=y\$" .config || { echo "$s did not stick" >>config.log; exit 1; }
			done
			if [ $kind = native ]; then
				make -j2 SKIP_STRIP=y >make.log 2>&1
			else
				# echo joins the flags' lines into one word.
			# shellcheck disable=SC2086,SC2090,SC2116
			make -j2 SKIP_STRIP=y CC="$WRAPCC" AR=llvm-ar-14 HOSTCC=gcc \
					EXTRA_CFLAGS="$(echo $BBCFLAGS)" \
					CFLAGS_mode_string.o="$(echo $MODEFLAGS)" \
					CFLAGS_udp_io.o="-include $OUT/work/bbinc/nopktinfo.h" \
					>make.log 2>&1
			fi
		) || { echo "build.sh: busybox ($kind) failed, see $OUT/work/busybox-$kind/*.log" >&2; exit 1; }
	done
	cp "$OUT/work/busybox-native/busybox" "$OUT/native/bin/busybox"
	place busybox "$OUT/work/busybox-wasm/busybox"
	n=0
	for a in $("$OUT/native/bin/busybox" --list); do
		[ "$a" = sh ] && continue
		for f in native plain async; do
			ln -sf busybox "$OUT/$f/bin/$a"
		done
		n=$((n + 1))
	done
	echo "linked $n busybox applets in bin/ (native, plain, async)"
}

for p in ${REAL_ONLY:-dash lua sqlite3 busybox}; do
	case $p in
	dash | lua | sqlite3 | busybox) "build_$p" ;;
	*) echo "build.sh: unknown program in REAL_ONLY: $p" >&2 && exit 1 ;;
	esac
done
