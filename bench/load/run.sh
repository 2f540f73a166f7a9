#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Host benchmark of a responder: strongSwan's load-tester (built by
# build-load-tester.sh) initiates N IKE SAs, each with one CHILD SA, to
#   1. charond with daemon.kernel: none, then
#   2. strongSwan's charon (the same build) with load-tester's fake
#      kernel, as the reference,
# and this prints, per suite, N and responder: SAs established, wall
# time, rate (whole run, first and last 10 %), setup latency p50/p99, the
# responder's CPU time per SA, its RSS and heap per SA, retransmissions
# and drops (bench/load/report.py computes the row). Nothing reaches XFRM
# on either side. The table also goes to build/bench-load/results.md,
# after `openssl speed` for the same curves, measured in the same run.
#
#   bench/load/run.sh [N...]            (root: network namespaces; gdb)
#
# Environment: B (charond's build, build/gcc), LT_DIR (build/load-tester),
# LT_INITIATORS (8: initiator threads, and IKE SAs in flight at once,
# one each), LT_DELAY (1: ms each thread sleeps after an initiation and
# between polls of the in-flight limit; 0 makes them spin, see README),
# LT_RESPONDERS ("charond strongswan"), LT_TIMEOUT (20: s without
# progress before a run is given up), LT_SUITES ("psk-ecp256 psk-x25519";
# cert-ecdsa too: see suite()), LT_PERF (empty; "record": perf record of the
# responder over the timed window into OUT/SUITE-RESPONDER-N.perf.data),
# LT_WRAP (empty: a command the responder is started under, e.g.
# "valgrind --tool=callgrind"), LT_SPEED (1: run openssl speed first),
# LT_RESULTS (build/bench-load/results.md, rewritten), LT_OUT
# ($LT_DIR/out: logs and configurations), LT_KERNEL (none: the
# responder installs nothing, charond's kernel: none and strongSwan's
# fake_kernel; real: into the responder namespace's XFRM, checked
# afterwards, see bench/kernel/), LT_UNIQUE_TS (0; 1: every CHILD SA's
# initiator selector has a port of its own, so that each one has
# policies of its own), LT_XFRM_LOG (empty; a file that gets one line per
# run with the SAs and policies found in the responder's XFRM),
# LT_INITIATOR (empty: load-tester; "flood": bench/load/initflood.c, IKE_SA_INIT only,
# psk-ecp256, LT_WINDOW requests in flight, default 64), responders
# "charond" (daemon.crypto_workers at its default, one per CPU) and
# "charond-1thread" (crypto_workers: 0) besides "strongswan".
#
# Topology: namespaces lt-ini (192.0.2.1) and lt-resp (192.0.2.2) joined
# by a veth pair, so both daemons own port 500. Logs, configurations and
# a results file stay in build/load-tester/out/.
set -eu

# One benchmark at a time on this machine: the namespaces and their
# addresses are fixed, so a second run would tear down the first's.
exec 9>/tmp/charond-bench-load.lock
if ! flock -n 9; then
	echo "load: another bench/load run holds /tmp/charond-bench-load.lock; waiting" >&2
	flock 9
fi

top=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build/gcc}
LT_DIR=${LT_DIR:-$top/build/load-tester}
LT_INITIATORS=${LT_INITIATORS:-8}
LT_DELAY=${LT_DELAY:-1}
LT_RESPONDERS=${LT_RESPONDERS:-charond strongswan}
LT_TIMEOUT=${LT_TIMEOUT:-20}
prefix=$LT_DIR/prefix
CHARON=$prefix/libexec/ipsec/charon
SWANCTL=$prefix/sbin/swanctl
CHAROND=$top/$B/bin/charond
CHARONCTL=$top/$B/bin/charonctl
LT_SUITES=${LT_SUITES:-psk-ecp256 psk-x25519}
LT_PERF=${LT_PERF:-}
LT_WRAP=${LT_WRAP:-}
LT_SPEED=${LT_SPEED:-1}
LT_RESULTS=${LT_RESULTS:-$top/build/bench-load/results.md}
LT_INITIATOR=${LT_INITIATOR:-}
LT_WINDOW=${LT_WINDOW:-64}
FLOOD=$top/$B/bench/initflood
if [ "$LT_INITIATOR" = flood ]; then
	[ "$LT_SUITES" = psk-ecp256 ] || {
		echo "load: LT_INITIATOR=flood sends psk-ecp256 only" >&2
		exit 2
	}
	[ -x "$FLOOD" ] || { echo "load: build $FLOOD first" >&2; exit 2; }
fi
LT_KERNEL=${LT_KERNEL:-none}
LT_UNIQUE_TS=${LT_UNIQUE_TS:-0}
LT_XFRM_LOG=${LT_XFRM_LOG:-}
case $LT_KERNEL in none | real) ;; *)
	echo "load: LT_KERNEL is none or real, not $LT_KERNEL" >&2; exit 1 ;;
esac
PSK="a load-tester benchmark secret"
PROPOSAL=aes128gcm16-prfsha256-ecp256
AUTH=psk

# suite NAME: the IKE proposal and authentication of a suite. cert-ecdsa
# needs load-tester built with bench/load/patches/load-tester-ecdsa.patch
# (build-load-tester.sh applies it): unpatched, its credential set loads
# and offers RSA keys only.
suite() {
	case $1 in
	psk-ecp256) PROPOSAL=aes128gcm16-prfsha256-ecp256 AUTH=psk ;;
	psk-x25519) PROPOSAL=aes128gcm16-prfsha256-x25519 AUTH=psk ;;
	cert-ecdsa) PROPOSAL=aes128gcm16-prfsha256-ecp256 AUTH=pubkey ;;
	*) echo "load: unknown suite $1 (psk-ecp256, psk-x25519," \
		"cert-ecdsa)" >&2
		exit 1 ;;
	esac
}
INI=192.0.2.1
RESP=192.0.2.2

[ "$(id -u)" = 0 ] || { echo "load: needs root (netns)" >&2; exit 1; }
[ -x "$CHARON" ] || { echo "load: no $CHARON: run" \
	"bench/load/build-load-tester.sh first" >&2; exit 1; }
[ -x "$CHAROND" ] || { echo "load: no $CHAROND: make all first" >&2; exit 1; }

# lt_patched: whether LT_DIR's build has bench/load/patches as they are
# now (build-load-tester.sh writes their hash, computed the same way, to
# its configure-options); an unpatched load-tester fails every
# certificate SA, and only after LT_TIMEOUT.
lt_patched() {
	# shellcheck disable=SC2046 # file names without spaces
	want=$(cat /dev/null $(find "$top/bench/load/patches" -name '*.patch' |
	    LC_ALL=C sort) | sha256sum | cut -c1-16)
	case $(cat "$LT_DIR/configure-options" 2>/dev/null) in
	*" patches:$want") ;;
	*) echo "load: $LT_DIR is not built with bench/load/patches as" \
		"they are (suite $S needs them): run" \
		"bench/load/build-load-tester.sh" >&2
		exit 1 ;;
	esac
}
# Every suite known, and its load-tester fit, before the first run.
for S in $LT_SUITES; do
	suite "$S"
	[ "$AUTH" != pubkey ] || lt_patched
done
command -v gdb >/dev/null || echo "load: no gdb: heap figures will be empty" >&2

OUT=${LT_OUT:-$LT_DIR/out}
mkdir -p "$OUT" "$(dirname "$LT_RESULTS")"

cleanup() {
	pids=
	for f in "$OUT"/*.pid; do
		[ -f "$f" ] || continue
		pids="$pids $(cat "$f")"
		kill "$(cat "$f")" 2>/dev/null || :
		rm -f "$f"
	done
	# Each one's exit (under LT_WRAP, callgrind writes its counts then),
	# for up to 60 s.
	i=0
	for p in $pids; do
		while kill -0 "$p" 2>/dev/null && [ $i -lt 600 ]; do
			sleep 0.1
			i=$((i + 1))
		done
	done
	ip netns del lt-ini 2>/dev/null || :
	ip netns del lt-resp 2>/dev/null || :
}
trap cleanup EXIT
trap 'exit 130' INT TERM

netns_up() {
	ip netns add lt-ini
	ip netns add lt-resp
	ip link add lt-i type veth peer name lt-r
	ip link set lt-i netns lt-ini
	ip link set lt-r netns lt-resp
	ip -n lt-ini addr add $INI/24 dev lt-i
	ip -n lt-resp addr add $RESP/24 dev lt-r
	for n in lt-ini:lt-i lt-resp:lt-r; do
		ip -n "${n%%:*}" link set lo up
		ip -n "${n%%:*}" link set "${n#*:}" up
	done
}

# now: seconds since the epoch, with nanoseconds.
now() { date +%s.%N; }

# cpu_ticks PID: utime + stime, all threads (clock ticks).
cpu_ticks() {
	sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# heap PID LOG: glibc's malloc_stats() "in use bytes" (all arenas), which
# the daemon prints to its stderr (LOG) when gdb calls it.
heap() {
	# Not with gdb missing, nor under LT_WRAP (valgrind).
	command -v gdb >/dev/null && [ -z "$LT_WRAP" ] || { echo ""; return; }
	h_off=$(wc -c <"$2")
	gdb -p "$1" -batch -ex 'call (void) malloc_stats()' >/dev/null 2>&1 ||
		:
	sleep 0.2
	tail -c +"$((h_off + 1))" "$2" | awk '/^Total \(incl. mmap\):/ { t = 1; next }
	    t && /^in use bytes/ { v = $NF; t = 0 } END { print v }'
}

# pki: for cert-ecdsa, OUT/pki/ with one CA (ECDSA P-256, ca.key and
# ca.pem: load-tester's issuer_key and issuer_cert, and charond's
# authority) and charond's certificate srv.pem and key srv.key (P-256),
# subject the DN load-tester's initiator expects of its responder. The
# initiator (and the reference responder) signs with the CA's key and
# certifies it for its own DN on demand: load-tester's way. Made afresh
# by the openssl CLI for every run; no key is kept in the tree.
pki() {
	P=$OUT/pki
	rm -rf "$P"
	mkdir -p "$P"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$P/ca.key" -out "$P/ca.pem" -days 30 \
	    -subj "/CN=load-test CA/OU=load-test/O=strongSwan" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>"$P/err" &&
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$P/srv.key" 2>>"$P/err" &&
	openssl req -new -key "$P/srv.key" -out "$P/srv.csr" \
	    -subj "/CN=srv/OU=load-test/O=strongSwan" 2>>"$P/err" &&
	printf '%s\n' "basicConstraints=CA:FALSE" \
	    "keyUsage=critical,digitalSignature" \
	    "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" \
	    >"$P/ee.ext" &&
	openssl x509 -req -in "$P/srv.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" \
	    -set_serial 2 -days 30 -sha256 -extfile "$P/ee.ext" \
	    -out "$P/srv.pem" 2>>"$P/err" || {
		echo "load: openssl could not make the PKI:" >&2
		cat "$P/err" >&2
		exit 1
	}
}

# charond_auth: the authentication part of charond's connection and its
# secrets or authorities, for AUTH.
charond_auth() {
	if [ "$AUTH" = pubkey ]; then
		cat <<EOF
    local: {auth: pubkey, certs: [$OUT/pki/srv.pem], key: $OUT/pki/srv.key}
    remote: {auth: pubkey, ca: lt-ca}
    children:
      net:
        esp_proposals: [aes128gcm16]
authorities:
  lt-ca:
    cacert: $OUT/pki/ca.pem
EOF
	else
		cat <<EOF
    local: {auth: psk, id: srv.strongswan.org}
    remote: {auth: psk}
    children:
      net:
        esp_proposals: [aes128gcm16]
secrets:
  psk:
    - secret: "$PSK"
EOF
	fi
}

# charond as responder: one connection for any peer, PSK or certificates
# (AUTH), one child whose selectors are the two addresses (dynamic, the
# default); the per-address DoS limits raised, as the man page says a
# gateway load-tested from one address must.
charond_conf() {
	cat <<EOF
daemon:
  listen: [$RESP]
$([ "$LT_KERNEL" = real ] || echo "  kernel: none")
  plugin_dir: "$top/$B/plugins"
$([ "$R" = charond-1thread ] && echo "  crypto_workers: 0")
  log: {level: info}
  limits:
    cookie_threshold: 10000000
    cookie_threshold_ip: 10000000
    block_threshold: 10000000
    init_limit_half_open: 0
connections:
  lt:
    local_addrs: [$RESP]
    remote_addrs: ["%any"]
    proposals: [$PROPOSAL]
EOF
	charond_auth
}

# lt_auth: load-tester's authentication settings for AUTH; with pubkey
# the CA of pki() issues (with SHA-256) the certificates it makes.
lt_auth() {
	echo "			initiator_auth = $AUTH"
	echo "			responder_auth = $AUTH"
	if [ "$AUTH" = pubkey ]; then
		echo "			issuer_key = $OUT/pki/ca.key"
		echo "			issuer_cert = $OUT/pki/ca.pem"
		echo "			digest = sha256"
	else
		echo "			preshared_key = $PSK"
	fi
}

# strongswan_conf ROLE N: strongswan.conf for the load-tester initiator
# (ROLE ini) or the reference responder (ROLE resp: load-tester loaded
# with no initiator, for its responder configuration, its PSK and its fake
# kernel).
strongswan_conf() {
	if [ "$1" = ini ]; then
		inits=$LT_INITIATORS
		iters=$((($2 + LT_INITIATORS - 1) / LT_INITIATORS))
		lvl=1 # the retransmissions are counted in this log
		fake=yes # the initiator never installs anything
		# Each initiator holds a worker thread for its whole run:
		# with no threads left for the answers it never completes one.
		threads=$((LT_INITIATORS + 16))
	else
		inits=0
		iters=0
		lvl=0
		threads=16
		fake=yes
		[ "$LT_KERNEL" = none ] || fake=no
	fi
	cat <<EOF
charon {
	load = random nonce openssl pem pkcs1 x509 pubkey kdf load-tester kernel-netlink socket-default vici
	# The IKE SA table's default is one bucket (a list searched for
	# every message); strongSwan's documentation has load tests raise it.
	# 65536 keeps the lists at 100,000 SAs short (two on average).
	ikesa_table_size = 65536
	ikesa_table_segments = 16
	# Without this, each initiation compares its configuration with that
	# of every IKE SA up (to reuse one): O(N) per SA, the initiator's
	# limit after a few thousand.
	reuse_ikesa = no
	threads = $threads
	install_routes = no
	install_virtual_ip = no
	cookie_threshold = 10000000
	cookie_threshold_ip = 10000000
	block_threshold = 0
	filelog {
		log {
			path = $OUT/$1.log
			default = $lvl
			# Seconds since the epoch with milliseconds: report.py
			# takes each SA's initiation and establishment times
			# from the initiator's log.
			time_format = %s
			time_add_ms = yes
			# Each line written at once: run.sh counts them as they
			# come.
			flush_line = yes
		}
	}
	syslog {
		daemon {
			default = -1
		}
	}
	plugins {
		vici {
			socket = unix://$OUT/$1.vici
		}
		load-tester {
			enable = yes
			fake_kernel = $fake
			initiators = $inits
			iterations = $iters
			init_limit = $inits
			delay = $LT_DELAY
			initiator = $INI
			responder = $RESP
			proposal = $PROPOSAL
			esp = aes128gcm16
$(lt_auth)
			child_rekey = 0
			ike_rekey = 0
			version = 2
$([ "$LT_UNIQUE_TS" != 1 ] || printf '\t\t\t%s\n' \
    "initiator_tsi = %dynamic[udp/%unique]")
		}
	}
}
EOF
}

# start_charon ROLE NS: strongSwan's charon in namespace NS, in a mount
# namespace of its own whose piddir is a private tmpfs, so that two of
# them run at once.
start_charon() {
	strongswan_conf "$1" "$N" >"$OUT/$1.conf"
	rm -f "$OUT/$1.log" "$OUT/$1.vici"
	mkdir -p "$LT_DIR/run"
	w=
	[ "$1" = ini ] || w=$LT_WRAP
	STRONGSWAN_CONF=$OUT/$1.conf ip netns exec "$2" unshare -m sh -c \
	    "mount -t tmpfs lt-run '$LT_DIR/run' && exec $w '$CHARON'" \
	    >"$OUT/$1.stderr" 2>&1 &
	echo $! >"$OUT/$1.pid"
}

wait_vici() {
	i=0
	until "$SWANCTL" --stats --uri "unix://$OUT/$1.vici" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 300 ] || { echo "load: charon $1 did not start" >&2
			cat "$OUT/$1.stderr" >&2; exit 1; }
		sleep 0.1
	done
}

# watch_up: counts the responder's "established" log lines as they are
# written (tail -F into awk through a fifo) and writes $OUT/up.t, the
# time the N-th one was read, and every 100 the count in $OUT/up. The
# responder is never queried while the clock runs: charonctl stats (and
# list-sas) walk every IKE SA, which costs charond more the more SAs it
# holds (see README).
watch_up() {
	case $R in
	charond*) pat="IKE SA established" ;;
	strongswan) pat="established between" ;; # the CHILD SA's: "with"
	esac
	rm -f "$OUT/up" "$OUT/up.t" "$OUT/fifo"
	mkfifo "$OUT/fifo"
	# mawk reads a pipe in blocks unless interactive.
	aw="awk"
	awk -W interactive 'BEGIN {}' 2>/dev/null && aw="awk -W interactive"
	$aw -v n="$N" -v p="$pat" -v f="$OUT/up" '$0 ~ p {
		c++
		if (c >= n) { system("date +%s.%N >" f ".t"); print c >f; exit }
		if (c % 100 == 0) { print c >f; close(f) }
	    }' <"$OUT/fifo" &
	echo $! >"$OUT/awk.pid"
	tail -n +1 -F "$WLOG" >"$OUT/fifo" 2>/dev/null &
	echo $! >"$OUT/tail.pid"
}

unwatch() {
	for f in "$OUT/tail.pid" "$OUT/awk.pid"; do
		[ -f "$f" ] || continue
		kill "$(cat "$f")" 2>/dev/null || :
		rm -f "$f"
	done
	rm -f "$OUT/fifo"
}

# established: IKE SAs the responder holds established, asked once after
# the run.
established() {
	case $R in
	charond*)
		# "IKE SAs:   N total, N connecting, N established, ..."
		"$CHARONCTL" -S "$OUT/resp.sock" stats 2>/dev/null |
			awk '/^IKE SAs:/ { print $7; f = 1 } END { if (!f) print 0 }'
		;;
	strongswan)
		"$SWANCTL" --stats --uri "unix://$OUT/resp.vici" 2>/dev/null |
			awk '/^IKE_SAs:/ { print $2 - $4; f = 1 }
			    END { if (!f) print 0 }'
		;;
	esac
}

start_responder() {
	case $R in
	charond*)
		charond_conf >"$OUT/resp.yaml"
		rm -f "$OUT/resp.sock"
		# shellcheck disable=SC2086 # LT_WRAP is a command line
		ip netns exec lt-resp $LT_WRAP "$CHAROND" -c "$OUT/resp.yaml" \
		    -S "$OUT/resp.sock" >"$OUT/resp.log" 2>&1 &
		echo $! >"$OUT/resp.pid"
		i=0
		until "$CHARONCTL" -S "$OUT/resp.sock" version >/dev/null 2>&1; do
			i=$((i + 1))
			[ $i -lt 300 ] || { echo "load: charond did not start" >&2
				cat "$OUT/resp.log" >&2; exit 1; }
			sleep 0.1
		done
		RPID=$(cat "$OUT/resp.pid")
		RLOG=$OUT/resp.log # its log and malloc_stats()
		WLOG=$RLOG
		;;
	strongswan)
		start_charon resp lt-resp
		wait_vici resp
		# The process in the mount namespace: sh exec'd charon.
		RPID=$(cat "$OUT/resp.pid")
		RLOG=$OUT/resp.stderr # malloc_stats()
		WLOG=$OUT/resp.log
		;;
	esac
}

# One run: responder R, N IKE SAs.
run_one() {
	cleanup
	trap cleanup EXIT
	rm -f "$OUT"/*.log "$OUT"/*.conf "$OUT"/*.stderr "$OUT"/resp.* \
	    "$OUT"/resp-stats.*
	netns_up
	[ "$AUTH" != pubkey ] || pki
	start_responder
	sleep 0.5
	heap0=$(heap "$RPID" "$RLOG")
	rss0=$(rss_kb "$RPID")
	cpu0=$(cpu_ticks "$RPID")
	[ "$LT_INITIATOR" = flood ] || watch_up
	if [ "$LT_PERF" = record ]; then
		# Frame pointers are missing in OpenSSL and glibc: DWARF
		# unwinding gives the callers (children) right.
		perf record -q -F 499 --call-graph dwarf,16384 -p "$RPID" \
		    -o "$OUT/$S-$R-$N.perf.data" >"$OUT/perf.stderr" 2>&1 &
		echo $! >"$OUT/perf.pid"
		sleep 1
	fi
	t0=$(now)
	if [ "$LT_INITIATOR" = flood ]; then
		rm -f "$OUT/up" "$OUT/up.t"
		ip netns exec lt-ini "$FLOOD" -n "$N" -w "$LT_WINDOW" -o "$OUT" \
		    "$RESP" >"$OUT/flood.out" 2>&1 &
		echo $! >"$OUT/ini.pid"
	else
		start_charon ini lt-ini
	fi
	# Wait for the N-th or until nothing moves for LT_TIMEOUT s.
	last=0
	lastt=$(date +%s)
	while [ ! -s "$OUT/up.t" ]; do
		e=$(cat "$OUT/up" 2>/dev/null || :)
		case $e in '' | *[!0-9]*) e=$last ;; esac # being rewritten
		if [ "$e" -ne "$last" ]; then
			last=$e
			lastt=$(date +%s)
		elif [ $(($(date +%s) - lastt)) -ge "$LT_TIMEOUT" ]; then
			echo "load: $R: stuck at about $e of $N for $LT_TIMEOUT s" >&2
			break
		fi
		kill -0 "$RPID" 2>/dev/null || {
			echo "load: $R: responder died (log: $RLOG)" >&2
			break
		}
		sleep 0.05
	done
	t1=$(cat "$OUT/up.t" 2>/dev/null || now)
	unwatch
	IPID=$(cat "$OUT/ini.pid")
	cpu1=$(cpu_ticks "$RPID" 2>/dev/null || echo "$cpu0")
	if [ "$LT_INITIATOR" = flood ]; then
		icpu=$(awk '$1 == "cpu_ticks" { print $2 }' "$OUT/flood.out")
	else
		icpu=$(cpu_ticks "$IPID" 2>/dev/null || echo 0)
	fi
	if [ -f "$OUT/perf.pid" ]; then
		p=$(cat "$OUT/perf.pid")
		kill -INT "$p" 2>/dev/null || :
		while kill -0 "$p" 2>/dev/null; do sleep 0.2; done
		rm -f "$OUT/perf.pid"
	fi
	sleep 1
	if [ "$LT_INITIATOR" = flood ]; then
		e=$(cat "$OUT/up" 2>/dev/null || echo 0)
	else
		e=$(established)
	fi
	rss1=$(rss_kb "$RPID" 2>/dev/null || echo 0)
	heap1=$(heap "$RPID" "$RLOG")
	retr=$(grep -c "retransmit [0-9]* of request" "$OUT/ini.log" || :)
	fail=$(grep -c "giving up after\|establishing IKE_SA failed" \
	    "$OUT/ini.log" || :)
	rcvbuf=$(ip netns exec lt-resp awk '/^Udp:/ { n++; if (n == 1)
	    for (i = 1; i <= NF; i++) { if ($i == "RcvbufErrors") c = i }
	    else print $c }' /proc/net/snmp)
	drops=-
	if [ "$R" != strongswan ]; then
		"$CHARONCTL" -S "$OUT/resp.sock" --json stats >"$OUT/resp-stats.json"
		drops=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))["input"]
print(sum(d["drops"].values()) + d["socket_drops"])' "$OUT/resp-stats.json")
	else
		"$SWANCTL" --stats --uri "unix://$OUT/resp.vici" \
		    >"$OUT/resp-stats.txt" 2>&1 || :
	fi
	# No SA or SPD policy may have reached XFRM on either side, but for
	# the responder's with LT_KERNEL=real. (The per-socket policies that
	# exempt a daemon's IKE sockets from IPsec, "socket in/out", are set
	# with setsockopt(), not through XFRM netlink: charond sets them with
	# kernel: none too.)
	xsa=$(ip -n lt-resp xfrm state | grep -c "^src" || :)
	xpol=$(ip -n lt-resp xfrm policy |
	    grep -cE "^[[:space:]]*dir (in|out|fwd)" || :)
	x=$(for n in lt-ini lt-resp; do
	    [ $n = lt-resp ] && [ "$LT_KERNEL" = real ] && continue
	    ip -n $n xfrm state | grep "^src"
	    ip -n $n xfrm policy | grep -E "^[[:space:]]*dir (in|out|fwd)"
	    done | wc -l)
	[ "$x" = 0 ] || echo "load: $R: $x XFRM SAs/policies found" >&2
	if [ -n "$LT_XFRM_LOG" ]; then
		echo "$S $R $N $LT_KERNEL $e $xsa $xpol $x" >>"$LT_XFRM_LOG"
	fi
	hz=$(getconf CLK_TCK)
	python3 "$top/bench/load/report.py" row "$S${LT_INITIATOR:+/$LT_INITIATOR}" \
	    "$R" "$N" "$e" "$t0" "$t1" \
	    "$cpu0" "$cpu1" "$hz" "$rss0" "$rss1" "$heap0" "$heap1" "$retr" \
	    "$fail" "$rcvbuf" "$drops" "$icpu" "$OUT/ini.log" |
	    tee -a "$LT_RESULTS"
	# Keep this run's logs.
	d=$OUT/$S${LT_INITIATOR:+-$LT_INITIATOR}-$R-$N
	rm -rf "$d"
	mkdir -p "$d"
	cp "$OUT"/*.log "$OUT"/*.conf "$OUT"/resp.* "$OUT"/resp-stats.* "$d"/ 2>/dev/null || :
	grep -n "error\|crit\|assert\|Segmentation" "$RLOG" >"$d/errors.txt" || :
}

[ $# -gt 0 ] || set -- 1000
{
	echo "# bench-load $(date -u +%Y-%m-%dT%H:%MZ)"
	echo
	echo "$(uname -r), $(nproc) CPUs, $(awk '/^MemTotal/ { printf "%.0f GB",
	    $2 / 1048576 }' /proc/meminfo), load average at the start" \
	    "$(cut -d' ' -f1-3 /proc/loadavg); charond" \
	    "$(git -C "$top" rev-parse --short HEAD 2>/dev/null) ($B)," \
	    "$($CHARON --version 2>/dev/null | head -n 1 || echo charon)" \
	    "(load-tester, responder and initiator); initiators" \
	    "$LT_INITIATORS, delay $LT_DELAY ms; suites $LT_SUITES; N $*."
	echo
	if [ "$LT_SPEED" = 1 ]; then
		# The crypto bound, on this machine at this load: one
		# responder SA costs one ECDH key generation and one
		# derivation (two "op"s of the ecdh rows).
		echo "\`openssl speed -seconds 3 ecdhp256 ecdhx25519 ecdsap256\`"
		echo '(`'"$(openssl version)"'`):'
		echo
		echo '```'
		openssl speed -seconds 3 ecdhp256 ecdhx25519 ecdsap256 2>/dev/null |
			awk '/ (op +op\/s|sign +verify)/ { p = 1 } p'
		echo '```'
		echo
	fi
	python3 "$top/bench/load/report.py" header
} | tee "$LT_RESULTS"
for S in $LT_SUITES; do
	suite "$S"
	for N in "$@"; do
		# Each initiator thread sets up the same number of IKE SAs.
		N=$(((N + LT_INITIATORS - 1) / LT_INITIATORS * LT_INITIATORS))
		for R in $LT_RESPONDERS; do
			run_one
		done
	done
done
echo | tee -a "$LT_RESULTS"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" |
	tee -a "$LT_RESULTS"
