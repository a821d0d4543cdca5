#!/bin/sh
# run_net.sh BUILD_DIR: the networking tests (docs/networking.md) that
# need no wasix-libc. Builds tests/wasixlibc/net.c natively (gcc) and
# with the SDK (sdk/wasmix-cc), runs each part natively and under
# 'wasmix run --net' on loopback and compares stdout and exit status
# (TCP and UDP echo both ways, IPv6, an epoll server with 20 clients, a
# pre-fork server, half-close, 16 MiB with a checksum, sendfile,
# ECONNREFUSED, non-blocking calls, eventfd, socket pairs, options,
# names, SO_RCVTIMEO, getaddrinfo, EINTR from a signal); then the network policy, whose
# output has no native twin: no flag (no IP sockets; pairs and eventfd
# work), allow rules (and a forked child under the same rules), and the
# command line's errors. Every server binds port 0; runs are bounded by
# 'timeout'. Prints one line per check and a summary; exits 1 on failure.
# (The same program also runs in the wasix-libc corpus,
# tests/run_wasixlibc.sh.)
#
# Called by 'make test' as: sh tests/run_net.sh BUILD_DIR

B=${1:-build}
W=$(cd "$(dirname "$B/wasmix")" && pwd)/wasmix
SDKLIB=$(cd "$B/sdk" 2>/dev/null && pwd)
T=$B/tests-net
S=tests/wasixlibc
. "$(dirname "$0")/lib.sh"

[ -x "$W" ] || die "$W not built"
[ -f "$SDKLIB/libwasix.a" ] || die "$B/sdk/libwasix.a not built"
mkdir -p "$T/root" || die "cannot create $T"
T=$(cd "$T" && pwd)
R=$T/root

if [ ! -f "$T/net" ] || [ $S/net.c -nt "$T/net" ] || [ $S/corpus.h -nt "$T/net" ]; then
	gcc -O2 -Wall -Wextra -o "$T/net" $S/net.c 2>"$T/err" ||
		die "cannot build net.c natively: $(head -3 "$T/err")"
fi
if [ ! -f "$R/net.wasm" ] || [ $S/net.c -nt "$R/net.wasm" ] ||
	[ "$SDKLIB/libwasix.a" -nt "$R/net.wasm" ]; then
	WASMIX_SDK_LIB=$SDKLIB sh sdk/wasmix-cc -O2 -Wall -Wextra -Werror \
		-D_GNU_SOURCE $S/net.c -o "$R/net.wasm" 2>"$T/err" ||
		die "cannot build net.c with the SDK: $(grep -m3 error "$T/err")"
fi

# wrun OPTS... -- ARGS...: net.wasm under wasmix in the root; sets $rc.
wrun() {
	(cd "$R" && timeout 120 "$W" run --dir .::/ --env CORPUS_ROOT= "$@") \
		</dev/null >"$T/out" 2>"$T/err"
	rc=$?
}

for part in tcp tcp6 udp epoll prefork halfclose bulk sendfile refused \
	nonblock eventfd pair sockopt names timeout lookup eintr readwait; do
	(cd "$R" && CORPUS_ROOT="$R" timeout 120 "$T/net" $part) \
		</dev/null >"$T/want" 2>/dev/null
	want_rc=$?
	wrun --net net.wasm $part
	if [ "$rc" = "$want_rc" ] && cmp -s "$T/out" "$T/want"; then
		ok "net $part (as native)"
	else
		diff "$T/want" "$T/out" >"$T/diff"
		cp "$T/diff" "$T/out"
		bad "net $part" "status $rc, want $want_rc, or stdout differs"
	fi
done

# expect NAME TEXT OPTS...: status 0 and exactly TEXT on stdout.
expect() {
	e_name=$1
	printf '%s\n' "$2" >"$T/want"
	shift 2
	wrun "$@"
	if [ "$rc" = 0 ] && cmp -s "$T/out" "$T/want"; then
		ok "$e_name"
	else
		bad "$e_name" "status $rc or stdout differs from: $(cat "$T/want")"
	fi
}

expect "policy: no flag, no IP sockets; pairs and eventfd work" \
	"socket: -1 EACCES
udp6 socket: -1 EACCES
socketpair: 0
eventfd: 1" net.wasm policy
expect "policy: allow rules for connect and bind, inherited by fork" \
	"bind 0.0.0.0: -1 EACCES
bind 127.0.0.1:1: -1 EACCES
connect 127.0.0.1: 1
connect 127.0.0.2: -1 EACCES
child: connect 127.0.0.2: -1 EACCES
rules child: 1 of 1 children ok
sendto 8.8.8.8: -1 EACCES
connect ::1: -1 EACCES" \
	--net-allow-connect 127.0.0.1 --net-allow-bind 127.0.0.1:0 net.wasm rules
expect "policy: a /8 and a port range" \
	"bind 0.0.0.0: -1 EACCES
bind 127.0.0.1:1: -1 EACCES
connect 127.0.0.1: 1
connect 127.0.0.2: -1 ECONNREFUSED
child: connect 127.0.0.2: -1 ECONNREFUSED
rules child: 1 of 1 children ok
sendto 8.8.8.8: -1 EACCES
connect ::1: -1 EACCES" \
	--net-allow-connect 127.0.0.0/8:1024-65535 --net-allow-bind '127.0.0.0/8:0' \
	net.wasm rules

# The command line refuses malformed rules with one line and status 2.
for bad_opt in "--net-allow-connect 10.0.0.0/33" "--net-allow-bind [::1" \
	"--net-allow-connect 1.2.3.4:70000" "--net-allow-connect host:80" \
	"--net-lookup maybe"; do
	# shellcheck disable=SC2086
	wrun $bad_opt net.wasm policy
	if [ "$rc" = 2 ] && [ "$(wc -l <"$T/err")" = 1 ] && [ ! -s "$T/out" ]; then
		ok "refused: $bad_opt"
	else
		bad "refused: $bad_opt" "status $rc, want 2 and one line on stderr"
	fi
done

summary run_net.sh
