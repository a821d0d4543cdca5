#!/bin/sh
# net.sh BUILD_DIR OUT: busybox's httpd, wget and nc (built by build.sh
# into OUT, natively and for wasm, from the same busybox.config) run
# against each other on loopback: every server with every client, the
# wasm side plain and asyncified under BUILD_DIR/wasmix, the native
# pair as the reference. Opt-in (not run by 'make test'), like run.sh.
#
# - httpd serving OUT/netroot-<form>/www to wget: a page, a missing
#   page (404: wget's status 1), a page's status line and length (wget
#   -S), an 8 MiB file (checksum against the file served), a CGI script
#   (#!/bin/sh: httpd forks and execs it) with a query string and with a
#   POST body, and an HTTP/1.0 request sent by nc (of the client's form)
#   read to EOF; the transcript must equal the native pair's.
# - nc -l and nc, both directions at once (each sends its stdin, 1 MiB
#   and a line, and shuts its side down; each ends at the other's EOF):
#   what each received must be what the other sent.
# - A wasm wget without --net must fail (the policy's EACCES).
# The wasm servers get only --net-allow-bind for their port, the wasm
# clients --net (wget) or --net-allow-connect for the port (nc).
# Ports are picked free (ss), a client starts once 'ss' shows the
# server listening (a bounded poll, 20 s), every program runs under
# timeout(1). Needs ss (iproute2), md5sum. Prints one ok/FAIL line per
# case and "N passed, M failed". NET_WRK=SECS adds busybox httpd's
# requests/s under wrk, native and wasm (a report, not a check).
B=${1:?usage: net.sh BUILD_DIR OUT}
OUT=${2:?usage: net.sh BUILD_DIR OUT}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../lib.sh"
W=$(cd "$(dirname "$B/wasmix")" && pwd)/wasmix
OUT=$(cd "$OUT" && pwd)
T=$OUT/net
[ -x "$W" ] || die "$W not built"
command -v ss >/dev/null || die "needs ss (iproute2)"
rm -rf "$T" && mkdir -p "$T"
for f in native plain async; do
	"$OUT/$f/bin/busybox" --list 2>/dev/null | grep -q '^httpd$' ||
		[ "$f" != native ] ||
		die "$OUT/native/bin/busybox has no httpd: build.sh with this busybox.config"
	[ -f "$OUT/$f/bin/busybox" ] || die "$OUT/$f/bin/busybox missing: run build.sh"
done

# The served tree, the same bytes in every root.
head -c 8388608 /dev/urandom >"$T/big.bin"
head -c 1048576 /dev/urandom >"$T/s.in" && echo "from the server" >>"$T/s.in"
head -c 1048576 /dev/urandom >"$T/c.in" && echo "from the client" >>"$T/c.in"
for f in native plain async; do
	R=$OUT/netroot-$f
	rm -rf "$R" && mkdir -p "$R/www/cgi-bin" "$R/www/sub"
	cp -r "$OUT/$f/bin" "$R/bin"
	# Under wasmix, /bin/sh (the CGI script's interpreter) is ash.
	[ $f = native ] || ln -sf busybox "$R/bin/sh"
	printf '<html>hello from busybox httpd</html>\n' >"$R/www/index.html"
	printf 'a file in a directory\n' >"$R/www/sub/a.txt"
	cp "$T/big.bin" "$R/www/big.bin"
	cat >"$R/www/cgi-bin/env.cgi" <<'EOF'
#!/bin/sh
echo "Content-Type: text/plain"
echo ""
echo "body=$(cat | tr a-z A-Z)"
echo "child: $(echo piped | tr p P)"
echo "vars: method=$REQUEST_METHOD query=$QUERY_STRING script=$SCRIPT_NAME length=${CONTENT_LENGTH:-none}"
EOF
	chmod +x "$R/www/cgi-bin/env.cgi"
done

# freeport: a TCP port nothing listens on or uses (of 50 random tries).
freeport() {
	fp_i=0
	while [ $fp_i -lt 50 ]; do
		fp=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
		ss -tanH "sport = :$fp" | grep -q . || {
			echo $fp
			return 0
		}
		fp_i=$((fp_i + 1))
	done
	return 1
}

# listening PID PORT: waits until something listens on PORT (status 0),
# PID ends (1) or 20 s pass (1). A poll, not an ordering sleep.
listening() {
	l_i=0
	while [ $l_i -lt 400 ]; do
		ss -ltnH "sport = :$2" | grep -q . && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.05
		l_i=$((l_i + 1))
	done
	return 1
}

# run FORM POLICY -- PROG ARGS...: runs bin/PROG of FORM's root, from
# it, under timeout(1); stdin from wherever the caller said.
run() {
	(run_exec "$@")
}

# run_exec: run's body; it becomes timeout(1) (exec), so a server started
# with 'run_exec ... &' has $! for its pid, and killing it ends it.
run_exec() {
	r_f=$1
	shift
	r_pol=
	while [ "$1" != -- ]; do
		r_pol="$r_pol $1"
		shift
	done
	shift
	r_prog=$1
	shift
	cd "$OUT/netroot-$r_f" || exit 1
	if [ "$r_f" = native ]; then
		exec timeout 60 "bin/$r_prog" "$@"
	fi
	# shellcheck disable=SC2086
	exec timeout 60 "$W" run $r_pol --dir .::/ --env PATH=/bin \
		"bin/$r_prog" -- "$@"
}

# serve FORM POLICY -- PROG ARGS...: starts a server in the background
# (run's arguments; 'PORT' in ARGS becomes the port picked) and waits
# until it listens; sets spid and port. Three tries with fresh ports.
# Its stdin, stdout and stderr: $S_IN, $S_OUT, $S_ERR (default
# /dev/null, $T/server.out, $T/server.err).
serve() {
	s_try=0
	while [ $s_try -lt 3 ]; do
		port=$(freeport) || die "no free port"
		s_args=
		for a in "$@"; do
			case $a in
			*PORT*) a=$(echo "$a" | sed "s/PORT/$port/") ;;
			esac
			s_args="$s_args $a"
		done
		# shellcheck disable=SC2086
		run_exec $s_args <"${S_IN:-/dev/null}" >"${S_OUT:-$T/server.out}" \
			2>"${S_ERR:-$T/server.err}" &
		spid=$!
		listening $spid "$port" && return 0
		kill $spid 2>/dev/null
		wait $spid 2>/dev/null
		s_try=$((s_try + 1))
	done
	return 1
}

unserve() {
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
}

# wgets FORM POLICY...: the wget transcript against $port into stdout.
wgets() {
	g_f=$1
	shift
	u=http://127.0.0.1:$port
	for p in /index.html /sub/a.txt /nothere.html "/cgi-bin/env.cgi?x=1&y=two"; do
		echo "== GET $p"
		run "$g_f" "$@" -- wget -q -O - "$u$p" </dev/null 2>/dev/null
		echo "status $?"
	done
	echo "== POST /cgi-bin/env.cgi"
	run "$g_f" "$@" -- wget -q -O - --post-data "posted=data" \
		"$u/cgi-bin/env.cgi" </dev/null 2>/dev/null
	echo "status $?"
	echo "== HEAD lines of /index.html"
	run "$g_f" "$@" -- wget -S -q -O /dev/null "$u/index.html" </dev/null 2>&1 |
		grep -Ei 'HTTP/|Content-Length|Content-Type' | tr -d '\r'
	echo "== HTTP/1.0 by nc, read to EOF"
	printf 'GET /sub/a.txt HTTP/1.0\r\n\r\n' |
		run "$g_f" "$@" -- nc 127.0.0.1 "$port" 2>/dev/null |
		tr -d '\r' | grep -Eiv '^(date|last-modified|etag):'
	echo "status $?"
	echo "== big.bin"
	run "$g_f" "$@" -- wget -q -O - "$u/big.bin" </dev/null 2>/dev/null |
		md5sum | cut -d' ' -f1
	md5sum <"$T/big.bin" | cut -d' ' -f1
}

# httpcase NAME SERVER_FORM CLIENT_FORM: httpd of SERVER_FORM, wget of
# CLIENT_FORM; the transcript against the native pair's ($T/http.want).
httpcase() {
	h_pol=
	[ "$2" = native ] || h_pol="--net-allow-bind 127.0.0.1:PORT"
	# shellcheck disable=SC2086
	serve "$2" $h_pol -- httpd -f -p 127.0.0.1:PORT -h "$(www "$2")" || {
		: >"$T/out" && cp "$T/server.err" "$T/err"
		bad "$1" "httpd did not listen"
		return
	}
	c_pol=
	[ "$3" = native ] || c_pol=--net
	# shellcheck disable=SC2086
	wgets "$3" $c_pol >"$T/http.got"
	unserve
	if [ "$2$3" = nativenative ]; then
		cp "$T/http.got" "$T/http.want"
	fi
	diff "$T/http.want" "$T/http.got" | grep '^[<>]' >"$T/out"
	cp "$T/server.err" "$T/err"
	if [ "$2" != native ] && grep -q '^> vars: method= ' "$T/out" &&
		! grep -v '^[<>] vars: ' "$T/out" | grep -q .; then
		# The transcripts differ only in the variables.
		echo "known $1: wasix-libc: execv passes no environment (NULL envs to proc_exec3), so the CGI variables httpd sets with setenv never reach the script"
		: >"$T/out"
	fi
	if [ -s "$T/out" ]; then
		BAD_OUT="diff (<native >this)" bad "$1" "transcript differs"
	elif ! tail -n 2 "$T/http.got" | uniq | awk 'END { exit NR != 1 }'; then
		cp "$T/http.got" "$T/out"
		bad "$1" "big.bin's checksum differs from the file's"
	else
		ok "$1"
	fi
}

# www FORM: the directory httpd serves, as FORM sees it.
www() {
	if [ "$1" = native ]; then echo "$OUT/netroot-native/www"; else echo /www; fi
}

# nccase NAME SERVER_FORM CLIENT_FORM: nc -l <s.in >s.out against
# nc 127.0.0.1 PORT <c.in >c.out.
nccase() {
	n_pol=
	[ "$2" = native ] || n_pol="--net-allow-bind *:PORT"
	# shellcheck disable=SC2086
	(S_IN=$T/s.in S_OUT=$T/s.out S_ERR=$T/s.err serve "$2" $n_pol -- nc -l -p PORT &&
		echo "$port $spid" >"$T/nc.port" && wait $spid; echo "server $?" >"$T/s.rc") &
	npid=$!
	# The subshell writes the port once listening (or ends).
	n_i=0
	while [ $n_i -lt 500 ] && [ ! -s "$T/nc.port" ] && kill -0 $npid 2>/dev/null; do
		sleep 0.05
		n_i=$((n_i + 1))
	done
	[ -s "$T/nc.port" ] || {
		kill $npid 2>/dev/null
		wait $npid
		: >"$T/out" && cp "$T/s.err" "$T/err" 2>/dev/null
		bad "$1" "nc -l did not listen"
		return
	}
	read -r port _ <"$T/nc.port"
	rm -f "$T/nc.port"
	c_pol=
	[ "$3" = native ] || c_pol="--net-allow-connect 127.0.0.1:$port"
	# shellcheck disable=SC2086
	run "$3" $c_pol -- nc 127.0.0.1 "$port" <"$T/c.in" >"$T/c.out" 2>"$T/c.err"
	crc=$?
	wait $npid
	srv=$(cat "$T/s.rc" 2>/dev/null)
	cat "$T/s.err" "$T/c.err" >"$T/err" 2>/dev/null
	: >"$T/out"
	if [ "$crc" != 0 ] || [ "$srv" != "server 0" ]; then
		bad "$1" "client status $crc, $srv"
	elif ! cmp -s "$T/s.out" "$T/c.in"; then
		bad "$1" "the server did not receive what the client sent"
	elif ! cmp -s "$T/c.out" "$T/s.in"; then
		bad "$1" "the client did not receive what the server sent"
	else
		ok "$1"
	fi
	rm -f "$T/s.out" "$T/c.out" "$T/s.rc"
}

httpcase "httpd (native) <- wget (native): the reference" native native
nccase "nc -l (native) <-> nc (native)" native native
for f in plain async; do
	httpcase "httpd (wasm) <- wget (native) [$f]" $f native
	httpcase "httpd (wasm) <- wget (wasm) [$f]" $f $f
	httpcase "httpd (native) <- wget (wasm) [$f]" native $f
	nccase "nc -l (wasm) <-> nc (native) [$f]" $f native
	nccase "nc -l (native) <-> nc (wasm) [$f]" native $f
	nccase "nc -l (wasm) <-> nc (wasm) [$f]" $f $f
	run $f -- wget -q -O - http://127.0.0.1:1/ >"$T/out" 2>"$T/err" </dev/null
	rc=$?
	if [ $rc = 1 ] && grep -q 'Permission denied' "$T/err"; then
		ok "wget (wasm) without --net: EACCES [$f]"
	else
		bad "wget (wasm) without --net: EACCES [$f]" "status $rc, want 1 and EACCES"
	fi
done

# NET_WRK=SECS: busybox httpd under wrk (one thread, one connection at
# a time: httpd closes each and forks a child per connection), native
# and wasm; a report, not a check. httpd ignores SIGCHLD and never
# waits, and wasix-libc keeps SIG_IGN to itself, so under wasmix every
# child stays a zombie and the tree's process limit (--max-procs,
# here 1024) ends the run: keep SECS * requests/s below it.
if [ -n "$NET_WRK" ] && command -v wrk >/dev/null; then
	for f in native plain async; do
		h_pol=
		[ $f = native ] ||
			h_pol="--max-procs 1024 --net-allow-bind 127.0.0.1:PORT"
		# shellcheck disable=SC2086
		serve $f $h_pol -- httpd -f -p 127.0.0.1:PORT -h "$(www $f)" ||
			die "httpd ($f) did not listen"
		rps=$(wrk -t1 -c1 -d"${NET_WRK}s" "http://127.0.0.1:$port/index.html" 2>&1 |
			awk '/Requests\/sec/ { r = $2 } /Socket errors/ { e = ", " $0 }
				END { print r e }')
		unserve
		echo "wrk busybox httpd [$f]: $rps requests/s"
	done
fi

summary net.sh
