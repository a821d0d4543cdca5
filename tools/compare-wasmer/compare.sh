#!/bin/sh
# compare.sh [BUILD_DIR]: runs the same WASIX guests under wasmix
# (BUILD_DIR/wasmix, default build) and under Wasmer (@wasmer/sdk in
# Node), and prints the two results side by side, one block per probe,
# with '*' in front of the lines that differ. See README.md.
#
# Scratch directory: $CMP_DIR (default /tmp/compare-wasmer). The first run
# installs @wasmer/sdk@$WASMER_SDK (default 0.16.0) and binaryen@$BINARYEN
# (default 132, for wasm-opt --asyncify) there with npm; nothing from npm
# is kept in the repository. Not part of 'make test' or CI.
# Needs: node >= 20, npm, clang + wasi-libc, wabt; BUILD_DIR/sdk/libwasix.a
# (make sdk) for the second part (the SDK test programs).
set -e
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
B=$(cd "${1:-$top/build}" && pwd)
W=$B/wasmix
D=${CMP_DIR:-/tmp/compare-wasmer}
[ -x "$W" ] || { echo "compare.sh: $W not built" >&2; exit 1; }
mkdir -p "$D"
D=$(cd "$D" && pwd)
if [ ! -d "$D/node_modules/@wasmer/sdk" ] || [ ! -x "$D/node_modules/.bin/wasm-opt" ]; then
	(cd "$D" && { [ -f package.json ] || npm init -y >/dev/null; } &&
		npm install --no-audit --no-fund "@wasmer/sdk@${WASMER_SDK:-0.16.0}" \
			"binaryen@${BINARYEN:-132}" >/dev/null)
fi
cp "$here/run.mjs" "$D/run.mjs"
export WASM_OPT="$D/node_modules/.bin/wasm-opt"
CC="clang --target=wasm32-wasi -O2 -Wall -Wextra -Werror -I$top/sdk/include"

echo "wasmix: $W"
echo "wasmer: @wasmer/sdk $(node -p "require('$D/node_modules/@wasmer/sdk/package.json').version") under node $(node --version)"

# Part 1: probe.c. /probe.wasm is the fork-capable build (mkw.sh),
# /show.wasm the plain build that exec and spawn start.
P=$D/probe-root
rm -rf "$P" && mkdir -p "$P/sub"
echo hello >"$P/text.txt"
: >"$P/empty.txt"
echo keep >"$P/sub/keep.txt"
$CC "$here/probe.c" -o "$P/show.wasm"
sh "$here/mkw.sh" -Wall -Wextra -Werror -I"$top/sdk/include" \
	"$here/probe.c" -o "$P/probe.wasm"

# side NAME: prints $D/out/NAME.wasmix and .wasmer side by side.
side() {
	awk -v w="$D/out/$1.wasmer" '
	BEGIN { while ((getline l < w) > 0) b[++nb] = l }
	{ a[++na] = $0 }
	END {
		n = na > nb ? na : nb
		for (i = 1; i <= n; i++)
			printf "%s %-58s | %s\n", (a[i] == b[i] ? " " : "*"), a[i], b[i]
	}' "$D/out/$1.wasmix"
}

# wasmer_text: JSON line of run.mjs on stdin -> stdout, [stderr], [exit N].
wasmer_text() {
	node -e '
	let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
		let r; try { r = JSON.parse(s); } catch { console.log("(no result: node hung or crashed)"); return; }
		if (r.error) { console.log("ERROR " + r.error); return; }
		if (r.link) console.log("LINK " + r.link);
		const out = r.stdout + (r.stderr ? "[stderr] " + r.stderr : "");
		process.stdout.write(out + (out && !out.endsWith("\n") ? "\n" : ""));
		console.log("[exit " + r.exit + (r.reason !== "exited" ? " " + r.reason : "") + "]");
	})'
}

# both ROOT NAME PROG [ENV/CMD OPTIONS] -- ARGS: one program under both.
# (wasmix: --env as given, --cmd becomes --map-command.)
both() {
	b_root=$1 b_name=$2 b_prog=$3
	shift 3
	wopts= nopts=
	while [ "$1" != -- ]; do
		case $1 in
		--env) wopts="$wopts --env $2" nopts="$nopts --env $2" ;;
		--cmd) wopts="$wopts --map-command $2" nopts="$nopts --cmd $2" ;;
		esac
		shift 2
	done
	shift
	mkdir -p "$D/out"
	# shellcheck disable=SC2086
	(cd "$b_root" && timeout 120 "$W" run --dir .::/ $wopts "$b_prog" "$@" \
		</dev/null >"$D/out/$b_name.wasmix" 2>&1
	echo "[exit $?]" >>"$D/out/$b_name.wasmix")
	# Wasmer under Node sometimes hangs (see README.md): up to
	# $WASMER_RUNS attempts (default 2) until one ends by itself.
	b_try=1
	while :; do
		# shellcheck disable=SC2086
		(cd "$D" && timeout 60 node run.mjs "$b_root" "$b_prog" $nopts \
			-- "$@" 2>/dev/null | wasmer_text) >"$D/out/$b_name.wasmer"
		grep -q -e '^\[exit 137 timeout\]$' -e '^(no result' \
			"$D/out/$b_name.wasmer" || break
		[ $b_try -lt "${WASMER_RUNS:-2}" ] || break
		b_try=$((b_try + 1))
	done
	[ $b_try = 1 ] || echo "(Wasmer: $b_try attempts, earlier ones hung)" \
		>>"$D/out/$b_name.wasmer"
	echo
	echo "### $b_name: $b_prog $*"
	side "$b_name"
}

set +e # from here on, failures are results
for t in preopens fork codes sigdeath kill handler spinhandler \
	"interval 100" "interval 2000" "interval 50000000" execenv \
	"execenv A=1" execfail execerr execsearch execkeep fds cwd spawn \
	stack forkenv oldexec; do
	# shellcheck disable=SC2086
	both "$P" "$(echo "$t" | tr ' =' '__')" probe.wasm --env FOO=bar -- $t
done

# Part 2: the programs of tests/wasix/ with the arguments that
# tests/run_wasix.sh gives them. Programs that fork are mkw.sh builds;
# wx_child and wx_sh (exec/spawn targets, no fork) are plain builds, and
# wx_child's alarm() is alarm_shim.c (proc_raise_interval in ns) because
# Wasmer has no proc_raise_interval2.
[ -f "$B/sdk/libwasix.a" ] || { echo "(no $B/sdk/libwasix.a: part 2 skipped)"; exit 0; }
set -e
T=$D/tests-root
rm -rf "$T" && mkdir -p "$T/sub" "$T/bin"
export WASMIX_SDK_LIB=$B/sdk
SDKCC="sh $top/sdk/wasmix-cc"
$SDKCC -O2 -Dalarm=cmp_alarm "$top/tests/wasix/wx_child.c" \
	"$here/alarm_shim.c" -o "$T/wx_child.wasm"
$SDKCC -O2 "$top/tests/wasix/wx_sh.c" -o "$T/wx_sh.wasm"
cp "$T/wx_child.wasm" "$T/bin/wx_child"
for p in wx_fork wx_exec wx_forkenv wx_sigloop wx_spawn wx_system; do
	MKW_CC=$SDKCC sh "$here/mkw.sh" "$top/tests/wasix/$p.c" -o "$T/$p.wasm" ||
		echo "(cannot build $p)"
done
echo hello >"$T/text.txt"
: >"$T/empty.txt"
echo keep >"$T/sub/keep.txt" # Wasmer's package has no empty directories
printf '#!/wx_child.wasm echo\n' >"$T/s1.sh"
printf '#! /s1.sh \n' >"$T/s2.sh"
printf '#!/missing.wasm\n' >"$T/s3.sh"
printf '#!/loop.sh\n' >"$T/loop.sh"
set +e
for p in wx_fork wx_exec wx_forkenv wx_sigloop wx_spawn; do
	both "$T" "$p" "$p.wasm" --env PATH=/bin --
done
both "$T" sh_pipe wx_sh.wasm --env PATH=/bin -- \
	'wx_child echo hello world | wx_child upper | wx_child cat'
both "$T" sh_subst wx_sh.wasm --env PATH=/bin -- \
	'wx_child echo got $(wx_child echo inner | wx_child upper) end'
both "$T" sh_status wx_sh.wasm --env PATH=/bin -- 'wx_child echo a | wx_child exit 3'
both "$T" sh_exit255 wx_sh.wasm --env PATH=/bin -- 'wx_child exit 255'
both "$T" wx_system wx_system.wasm --env PATH=/bin --cmd "sh=$T/wx_sh.wasm" --
