#!/bin/sh
# corpus.sh [BUILD_DIR]: runs the wasix-libc compatibility corpus
# (tests/wasixlibc/, harness tests/run_wasixlibc.sh) natively, under
# wasmix (BUILD_DIR/wasmix, default build) and under Wasmer (@wasmer/sdk
# in Node), and prints one table row per case: the native exit status,
# then for each runtime and form "ok" (same stdout and exit status as
# native) or what differs. Never builds anything: it takes the binaries
# that the corpus harness (and, optionally, real/build.sh) already built
# against a wasix-libc sysroot. Not part of 'make test' or CI.
#
# Inputs (environment):
#   CORPUS_OUT   the harness's output directory, with native/bin,
#                plain/bin and async/bin (default BUILD_DIR/tests-wasixlibc)
#   CORPUS_SRC   the corpus sources: the case list is read from
#                CORPUS_SRC/../run_wasixlibc.sh and CORPUS_SRC/real/run.sh
#                (default tests/wasixlibc of this tree)
#   REAL_OUT     real/build.sh's OUT (native/bin, plain/bin, async/bin with
#                sh, lua, sqlite3, busybox and its applets); unset: the
#                real programs are skipped
#   CORPUS_ONLY  a grep -E pattern of case names to run
#   WASMER_FORMS forms run under Wasmer (default "async plain"; Wasmer's
#                fork needs the asyncified form)
#   WASMER_RUNS  attempts per Wasmer run that hangs (default 2)
#   CMP_TIMEOUT  seconds per run (default 60)
#   CMP_DIR      scratch directory (default /tmp/compare-wasmer): the
#                binaries are copied there, one test root per form, and
#                each run's stdout is kept in CMP_DIR/corpus/out/
# The first run installs @wasmer/sdk@$WASMER_SDK (default 0.16.0) into
# CMP_DIR with npm; nothing from npm is kept in the repository.
#
# Each case runs as run_wasixlibc.sh runs it: a fixture made afresh,
# natively from the root with CORPUS_ROOT=<root>, under wasmix with
# '--dir ROOT::/' (or ::/data for the "@data" cases), under Wasmer with
# the root's files at the same guest paths (run.mjs --mount), stdin
# empty. Cells: "ok", or "rc N" (status differs), "out" (stdout
# differs), "hang" (timed out). Cases that the harness marks as known
# wasix-libc differences get "(known)" after their name.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
B=$(cd "${1:-$top/build}" && pwd) || exit 1
W=$B/wasmix
SRC=${CORPUS_SRC:-$top/tests/wasixlibc}
CO=${CORPUS_OUT:-$B/tests-wasixlibc}
D=${CMP_DIR:-/tmp/compare-wasmer}
TMO=${CMP_TIMEOUT:-60}
WFORMS=${WASMER_FORMS:-async plain}
die() {
	echo "corpus.sh: $*" >&2
	exit 1
}
[ -x "$W" ] || die "$W not built"
[ -f "$SRC/../run_wasixlibc.sh" ] || die "no $SRC/../run_wasixlibc.sh (set CORPUS_SRC)"
for f in native plain async; do
	[ -f "$CO/$f/bin/fs" ] || die "no $CO/$f/bin/fs: run tests/run_wasixlibc.sh with WASIX_SYSROOT first (or set CORPUS_OUT)"
done
mkdir -p "$D" && D=$(cd "$D" && pwd)
if [ ! -d "$D/node_modules/@wasmer/sdk" ]; then
	(cd "$D" && { [ -f package.json ] || npm init -y >/dev/null; } &&
		npm install --no-audit --no-fund "@wasmer/sdk@${WASMER_SDK:-0.16.0}" \
			>/dev/null) || die "npm install @wasmer/sdk failed"
fi
cp "$here/run.mjs" "$D/run.mjs"
C=$D/corpus
rm -rf "$C" && mkdir -p "$C/out" || die "cannot create $C"

echo "wasmix: $W ($(cd "$top" && git rev-parse --short HEAD 2>/dev/null))"
echo "wasmer: @wasmer/sdk $(node -p "require('$D/node_modules/@wasmer/sdk/package.json').version") under node $(node --version)"
echo "corpus: $CO${REAL_OUT:+, real programs: $REAL_OUT}"

# Test roots: $C/<set>-<form>, set "c" (corpus) or "r" (real programs).
for f in native plain async; do
	mkdir -p "$C/c-$f" && cp -r "$CO/$f/bin" "$C/c-$f/bin" &&
		cp "$SRC/fdgames.sh" "$C/c-$f/" || die "cannot copy the corpus ($f)"
	[ -n "$REAL_OUT" ] || continue
	mkdir -p "$C/r-$f" && cp -r "$REAL_OUT/$f/bin" "$C/r-$f/bin" &&
		cp "$SRC/real/shell.sh" "$SRC/real/lua.lua" "$SRC/real/sql.sh" \
			"$SRC/real/coreutils.sh" "$SRC/real/files.sh" "$C/r-$f/" ||
		die "cannot copy the real programs ($f)"
done

# fixture SET ROOT: what run_wasixlibc.sh and real/run.sh make before
# each case (everything but bin/ and the scripts made afresh).
fixture() {
	for e in "$2"/* "$2"/.[!.]*; do
		case "$e" in */bin | */fdgames.sh | */shell.sh | */lua.lua | */sql.sh | */coreutils.sh | */files.sh | */'.[!.]*' | */'*') ;;
		*) rm -rf "$e" ;;
		esac
	done
	mkdir -p "$2/sub" && echo hello >"$2/r.txt" && echo aaa >"$2/sub/a.txt"
	if [ "$1" = r ]; then
		printf 'b.txt\nnotes\na.txt\n' >"$2/sub/list" && echo bbb >"$2/sub/b.txt"
		return 0
	fi
	: >"$2/empty.txt" && echo junk >"$2/junk" && chmod 755 "$2/junk"
}

# wasmer_out JSON OUTFILE: writes the run's stdout to OUTFILE, prints
# its exit status, or "hang" when node gave no result.
wasmer_out() {
	node -e '
	const fs = require("fs");
	let r; try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch { r = null; }
	if (!r || r.error || r.exit === undefined) {
		fs.writeFileSync(process.argv[2], r ? JSON.stringify(r) + "\n" : "");
		console.log(r ? (r.link ? "link" : "error") : "hang");
	} else {
		fs.writeFileSync(process.argv[2], r.stdout);
		console.log(r.reason === "exited" ? r.exit :
			(r.reason === "timeout" ? "hang" : r.exit + "/" + r.reason));
	}
	' "$1" "$2"
}

# cell RC OUT: "ok" when RC and OUT match the native run, else what differs.
cell() {
	if [ "$1" = hang ] || [ "$1" = 124 ]; then
		echo hang
	elif [ "$1" = link ] || [ "$1" = error ]; then
		echo "$1"
	elif [ "$1" = "$want_rc" ] && cmp -s "$2" "$C/want"; then
		echo ok
	elif [ "$1" = "$want_rc" ]; then
		echo out
	elif cmp -s "$2" "$C/want"; then
		echo "rc $1"
	else
		echo "rc $1 out"
	fi
}

# one SET NAME MODE ENVS PROG ARGS...: one case natively, under wasmix
# (plain, async) and under Wasmer ($WFORMS); prints its table row.
# ENVS: space-separated K=V without spaces in them (the guest side).
ncase=0
nsame_async=0
nsame_plain=0
one() {
	o_set=$1 o_name=$2 o_mode=$3 o_envs=$4 o_prog=$5
	shift 5
	if [ -n "$CORPUS_ONLY" ] && ! echo "$o_name" | grep -Eq -- "$CORPUS_ONLY"; then
		return
	fi
	ncase=$((ncase + 1))
	o_file=$(echo "$o_set $o_name" | tr -c 'A-Za-z0-9\n' '_')
	R=$C/$o_set-native
	fixture "$o_set" "$R"
	n_envs=$o_envs
	[ "$o_set" = c ] && n_envs="CORPUS_ROOT=$R PATH=$R/bin FOO=bar CORPUS_CHDIR=1"
	[ "$o_set" = r ] && n_envs="PATH=$R/bin HOME=/home/u"
	# shellcheck disable=SC2086
	(cd "$R" && timeout "$TMO" env -i $n_envs "bin/$o_prog" "$@" </dev/null \
		>"$C/want" 2>/dev/null
	exit $?) 2>/dev/null
	want_rc=$?
	cp "$C/want" "$C/out/$o_file.native"
	row="| $o_name${o_known:+ (known)} | $want_rc"
	for f in plain async; do
		R=$C/$o_set-$f
		fixture "$o_set" "$R"
		wenv=
		for e in $o_envs; do wenv="$wenv --env $e"; done
		# shellcheck disable=SC2086
		(cd "$R" && timeout "$TMO" "$W" run --dir ".::$o_mode" $wenv \
			"bin/$o_prog" -- "$@" </dev/null >"$C/out/$o_file.wasmix-$f" 2>/dev/null
		exit $?) 2>/dev/null
		x_rc=$?
		c=$(cell $x_rc "$C/out/$o_file.wasmix-$f")
		eval "x_rc_$f=\$x_rc"
		row="$row | $c"
	done
	for f in $WFORMS; do
		R=$C/$o_set-$f
		wenv=
		for e in $o_envs; do wenv="$wenv --env $e"; done
		try=1
		while :; do
			fixture "$o_set" "$R"
			# Wasmer under Node sometimes hangs under load (README.md).
			# shellcheck disable=SC2086
			(cd "$D" && timeout "$TMO" node run.mjs "$R" "bin/$o_prog" $wenv \
				--mount "${o_mode%/}" --stdin "" --timeout $((TMO * 1000 / 2)) \
				-- "$@" >"$C/json" 2>/dev/null)
			rc=$(wasmer_out "$C/json" "$C/out/$o_file.wasmer-$f")
			[ "$rc" = hang ] && [ $try -lt "${WASMER_RUNS:-2}" ] || break
			try=$((try + 1))
		done
		c=$(cell "$rc" "$C/out/$o_file.wasmer-$f")
		[ $try = 1 ] || c="$c ($try tries)"
		row="$row | $c"
		# Same outcome: the same status and the same stdout.
		eval "x_rc=\$x_rc_$f"
		if [ "$x_rc" = "$rc" ] &&
			cmp -s "$C/out/$o_file.wasmix-$f" "$C/out/$o_file.wasmer-$f"; then
			eval "nsame_$f=\$((nsame_$f + 1))"
		fi
	done
	echo "$row |"
}

# The harness's own case lists, read from its scripts so that both run
# the same cases: run_wasixlibc.sh's 'runcase NAME MODE PROG ARGS' and
# 'known'/'chosen REASON NAME MODE PROG ARGS' lines (between the definition of
# known() and its summary), and real/run.sh's 'runcase NAME PROG ARGS'.
runcase() {
	c_name=$1 c_mode=$2
	shift 2
	c_root=$c_mode
	[ "$c_mode" = / ] && c_root=
	one c "$c_name" "$c_mode" \
		"CORPUS_ROOT=$c_root PATH=$c_root/bin FOO=bar CORPUS_CHDIR=1" "$@"
}
known() {
	o_known=1
	shift
	runcase "$@"
	o_known=
}
chosen() {
	known "$@"
}
o_known=
cases=$(awk '/^c_known=$/ { on = 1; next } /^\[ "\$known" = 0 \]/ { on = 0 } on' \
	"$SRC/../run_wasixlibc.sh")
echo "$cases" | grep -q '^runcase "fd games' || die "cannot read the case list of run_wasixlibc.sh"

echo
echo "| case | native rc | wasmix plain | wasmix async |$(for f in $WFORMS; do printf ' wasmer %s |' "$f"; done)"
echo "|---|---|---|---|$(for f in $WFORMS; do printf -- '---|'; done)"
eval "$cases"

if [ -n "$REAL_OUT" ]; then
	runcase() {
		r_name=$1
		shift
		one r "real: $r_name" / "PATH=/bin HOME=/home/u" "$@"
	}
	# A case may go on over lines ending in a backslash.
	real=$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$SRC/real/run.sh" | grep '^runcase ')
	[ -n "$real" ] || die "cannot read the case list of real/run.sh"
	eval "$real"
fi
echo
for f in $WFORMS; do
	eval "echo \"corpus.sh: $f form: \$nsame_$f of $ncase cases give the same stdout and status under wasmix and Wasmer\""
done
echo "corpus.sh: each run's stdout is in $C/out"
