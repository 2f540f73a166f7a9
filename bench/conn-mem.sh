#!/bin/sh
# SPDX-License-Identifier: ISC
#
# What a configured connection costs charond in memory, on the host, with no
# SA: charond starts with no connection, is measured, loads N connections
# (`charonctl load`; each like those of setup-rate.sh: one IKE proposal, one
# child with one ESP proposal and a selector each way, PSK) and is measured
# again. Prints the heap (glibc's malloc_stats() "in use bytes", through
# gdb, as setup-rate.sh's heap_kB/conn) and VmRSS per connection.
#
#   bench/conn-mem.sh [BUILD [N]]        as root; BUILD build/gcc, N 10000
#
# Runs itself in a network namespace of its own (unshare --net).
set -eu

B=${1:-build/gcc}
N=${2:-10000}
TOP=$PWD
if [ -z "${CONN_MEM_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "conn-mem: needs root" >&2; exit 1; }
	CONN_MEM_NS=1 exec unshare --net "$0" "$@"
fi
ip link set lo up
command -v gdb >/dev/null || { echo "conn-mem: needs gdb" >&2; exit 1; }
W=$(mktemp -d /tmp/charond-conn-mem.XXXXXX)
trap 'kill -TERM "$(cat "$W/pid" 2>/dev/null)" 2>/dev/null; rm -rf "$W"' EXIT

conf_head() {
	echo "daemon:"
	echo "  listen: [127.0.0.1]"
	echo "  plugin_dir: \"$TOP/$B/plugins\""
	echo "  log: {level: warn}"
}

conf() {
	conf_head
	echo "connections:"
	awk -v n="$1" 'BEGIN {
		for (i = 1; i <= n; i++) {
			a = int(i / 65536) "." int(i / 256) % 256 "." i % 256
			printf "  t%d:\n    version: 2\n", i
			printf "    local_addrs: [127.0.0.1]\n"
			printf "    remote_addrs: [10.%s]\n", a
			printf "    proposals: [aes128gcm16-prfsha256-ecp256]\n"
			printf "    local: {auth: psk}\n    remote: {auth: psk}\n"
			printf "    children:\n      c%d:\n", i
			printf "        mode: tunnel\n"
			printf "        local_ts: [10.64.%d.0/24]\n", i % 256
			printf "        remote_ts: [10.128.%d.0/24]\n", i % 256
			printf "        esp_proposals: [aes128gcm16]\n"
			printf "        start_action: none\n"
		}
	}'
	echo "secrets:"
	echo "  psk:"
	echo "    - secret: \"a benchmark secret\""
}

# heap: in-use bytes of the daemon's malloc (all arenas, mmapped chunks).
heap() {
	: >"$W/log"
	gdb -p "$(cat "$W/pid")" -batch -ex 'call (void) malloc_stats()' \
	    >/dev/null 2>&1
	awk '/^Total \(incl. mmap\):/ { t = 1; next }
	    t && /^in use bytes/ { v = $NF; t = 0 } END { print v }' "$W/log"
}

rss() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$(cat "$W/pid")/status"
}

conf_head >"$W/c.yaml"
"$TOP/$B/bin/charond" -c "$W/c.yaml" -S "$W/s.sock" 2>>"$W/log" &
echo $! >"$W/pid"
i=0
while ! "$TOP/$B/bin/charonctl" -S "$W/s.sock" version >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "conn-mem: charond did not start" >&2; exit 1; }
	sleep 0.1
done
h0=$(heap)
r0=$(rss)
conf "$N" >"$W/c.yaml"
t0=$(date +%s.%N)
"$TOP/$B/bin/charonctl" -S "$W/s.sock" load >/dev/null
t1=$(date +%s.%N)
h1=$(heap)
r1=$(rss)
# Again, nothing changed: every connection compared and kept.
t2=$(date +%s.%N)
"$TOP/$B/bin/charonctl" -S "$W/s.sock" load >/dev/null
t3=$(date +%s.%N)
awk -v n="$N" -v h0="$h0" -v h1="$h1" -v r0="$r0" -v r1="$r1" \
    -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" 'BEGIN {
	printf "connections %d  load_s %.2f  reload_s %.2f  heap_B/conn %.0f  " \
	    "rss_kB/conn %.2f\n", n, t1 - t0, t3 - t2, (h1 - h0) / n,
	    (r1 - r0) / n
}'
