#!/bin/sh
# run_net.sh BUILD_DIR: the networking benchmark (docs/networking.md).
#
# Builds bench/net/bn_http.c natively (cc -O2) and as a WASIX guest
# (sdk/wasmix-cc -O2) and measures, side by side on loopback:
#   http   requests/s of the HTTP/1.1 keep-alive epoll server under
#          Debian's wrk (BENCH_WRK_CONNS connections, one wrk thread,
#          BENCH_SECS seconds), the server native and under wasmix --net
#   bulk   MiB/s of one TCP stream of BENCH_MB MiB from a native sender
#          into the sink, native and under wasmix --net
# Prints a table with the ratio wasmix / native (1.0x is native speed).
# Needs wrk (apt-get install wrk); without it the http row is skipped.
#
# Knobs (environment): BENCH_SECS=3 BENCH_WRK_CONNS=16 BENCH_MB=512 CC

B=${1:-build}
OUT=$B/bench/net
SECS=${BENCH_SECS:-3}
CONNS=${BENCH_WRK_CONNS:-16}
MB=${BENCH_MB:-512}
NCC=${BENCH_CC:-cc}

die() {
	echo "bench/run_net.sh: $*" >&2
	exit 1
}

[ -x "$B/wasmix" ] || die "$B/wasmix not built"
[ -f "$B/sdk/libwasix.a" ] || die "$B/sdk/libwasix.a not built"
mkdir -p "$OUT" || die "cannot create $OUT"
OUT=$(cd "$OUT" && pwd)
W=$(cd "$B" && pwd)/wasmix
"$NCC" -O2 -D_GNU_SOURCE -o "$OUT/bn_http" bench/net/bn_http.c ||
	die "cannot build bn_http natively"
WASMIX_SDK_LIB=$(cd "$B/sdk" && pwd) sh sdk/wasmix-cc -O2 -D_GNU_SOURCE \
	bench/net/bn_http.c -o "$OUT/bn_http.wasm" || die "cannot build bn_http.wasm"

# start MODE CMD...: runs a server in the background; sets $spid and
# $port (its first line, read through a fifo: no polling).
start() {
	rm -f "$OUT/fifo" && mkfifo "$OUT/fifo" || die "mkfifo"
	"$@" >"$OUT/fifo" 2>"$OUT/server.err" &
	spid=$!
	exec 3<"$OUT/fifo"
	read -r port <&3 || die "no port from $*"
}

stop() {
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	exec 3<&-
}

# http CMD...: requests/s of the server CMD under wrk.
http() {
	start "$@" http
	rps=$(wrk -t1 -c"$CONNS" -d"${SECS}s" "http://127.0.0.1:$port/" 2>&1 |
		awk '/Requests\/sec/ { print $2 }')
	stop
	echo "${rps:-0}"
}

# bulk CMD...: MiB/s from a native sender into the sink CMD.
bulk() {
	start "$@" sink
	t0=$(date +%s%N)
	"$OUT/bn_http" send "$port" "$MB" || die "send failed"
	read -r got <&3
	t1=$(date +%s%N)
	wait "$spid" 2>/dev/null
	exec 3<&-
	[ "$got" = "$((MB * 1048576)) bytes" ] || die "sink got '$got'"
	awk -v mb="$MB" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", mb / (ns / 1e9) }'
}

printf '%-6s %14s %14s %10s\n' test native wasmix wasmix/native
if command -v wrk >/dev/null; then
	n=$(http "$OUT/bn_http")
	w=$(http "$W" run --net "$OUT/bn_http.wasm")
	awk -v n="$n" -v w="$w" 'BEGIN { printf "%-6s %10.0f r/s %10.0f r/s %9.2fx\n", "http", n, w, (n > 0 ? w / n : 0) }'
else
	echo "http   skipped: no wrk (apt-get install wrk)"
fi
n=$(bulk "$OUT/bn_http")
w=$(bulk "$W" run --net "$OUT/bn_http.wasm")
awk -v n="$n" -v w="$w" 'BEGIN { printf "%-6s %10.0f MB/s %9.0f MB/s %9.2fx\n", "bulk", n, w, (n > 0 ? w / n : 0) }'
