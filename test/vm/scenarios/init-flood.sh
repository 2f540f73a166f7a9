#!/bin/sh
# SPDX-License-Identifier: ISC
#
# An IKE_SA_INIT flood against charond. charond on moon (192.0.2.1, LAN
# 10.1.0.0/16) takes peers from anywhere; mallory (198.51.100.66, routed
# through moon's eth1) sends 5,000 IKE_SA_INIT requests over 10 s
# (test/tools/ikeforge.py flood: random SPIs and nonces, valid ecp256
# public values) from three spoofed addresses (203.0.113.1-3) and its own,
# in turn. While it runs, strongSwan on sun (192.0.2.2, LAN 10.2.0.0/16)
# brings up an IKE SA and CHILD SA with moon, within 20 s (it gets a
# COOKIE, as everyone does beyond cookie_threshold, and comes back with
# it), and again after it, the flood's half-open SAs still held. Checks: half-open SAs stay at the limits (at most cookie_threshold
# 10 without cookies), charond's RSS grows by less than 20 MB, `charonctl
# stats` answers during and after the flood, ESP passes, and the half-open
# SAs are gone after their 30 s lifetime while sun's SA stays. Prints the
# numbers: packets sent, half-open SAs seen, what moon answered, RSS.
#
# Run: test/vm/run.sh test/vm/scenarios/init-flood.sh
set -eu
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/../lib.sh"
# shellcheck source=/dev/null
. "${0%/*}/../charond.sh"
# shellcheck source=/dev/null
. "${0%/*}/../strongswan.sh"
vm_require_guest

CTL="$CHAROND_BUILD/bin/charonctl"
FORGE="$PWD/test/tools/ikeforge.py"
m=192.0.2.1 s=192.0.2.2
T=/tmp/init-flood
CD_DIR=$T/cd
# The flood: packets, over seconds.
N=5000 SECS=10
# RSS growth allowed, in kB. Half-open SAs are capped (10 here), each
# holding the peer's request and our answer (under 1 kB each), keys and
# a key exchange: well under 1 MB in all. 20 MB is the malloc arenas and
# OpenSSL's caches with room to spare, and still catches a leak of 4 kB
# per request (a copy of each request kept, say), which would be 20 MB.
RSS_MAX=20480
flood=

finish() {
	st=$?
	[ -z "$flood" ] || kill "$flood" 2>/dev/null || :
	if [ $st -ne 0 ]; then
		echo "--- charond log of moon, last 60 lines"
		tail -n 60 "$CD_DIR/moon/log" | sed 's/^/  | /'
	fi
	cp "$CD_DIR/moon/log" "$VM_OUT/charond-moon.log" 2>/dev/null || :
	cd_stop moon || :
	sw_cleanup "$st"
	vm_cleanup
	exit "$st"
}
trap finish EXIT

vm_host moon sun mallory
vm_link moon eth0 $m/24 sun eth0 $s/24
vm_link moon eth1 198.51.100.1/24 mallory eth0 198.51.100.66/24
vm_dummy moon lan 10.1.0.1/16
vm_dummy sun lan 10.2.0.1/16
ip -n moon route add 10.2.0.0/16 via $s
ip -n sun route add 10.1.0.0/16 via $m
ip -n mallory route add default via 198.51.100.1
# moon's answers to the spoofed addresses go to mallory (and die there).
ip -n moon route add 203.0.113.0/24 via 198.51.100.66
vm_in moon sysctl -q -w net.ipv4.conf.all.rp_filter=0 \
    net.ipv4.conf.eth1.rp_filter=0 >/dev/null
vm_in moon nft -f - <<EOF || fail "cannot load moon's nftables counters"
table inet watch {
	counter ike_out { }
	counter flood_in { }
	chain out {
		type filter hook output priority 0
		oifname "eth1" udp sport { 500, 4500 } counter name ike_out
	}
	chain in {
		type filter hook input priority 0
		iifname "eth1" udp dport { 500, 4500 } counter name flood_in
	}
}
EOF

# The kernel instantiates AES-GCM for ESP on the first SA, loading modules
# through modprobe: with the flood taking the VM's one CPU that took 13 s
# once, all of it inside charond's SA install (its event loop waits for
# the kernel). Not what this scenario measures: warm it up first.
vm_in moon ip xfrm state add src $m dst $s proto esp spi 0x100 mode tunnel \
    aead 'rfc4106(gcm(aes))' 0x0102030405060708091011121314151617181920 128 ||
    fail "cannot add a warm-up SA"
vm_in moon ip xfrm state flush

mkdir -p $T
# Any peer address: the flood's requests become half-open SAs, up to the
# limits, rather than NO_PROPOSAL_CHOSEN.
cd_conf $T/moon.yaml $m 0.0.0.0/0 aes128gcm16-prfsha256-ecp256 \
    aes128gcm16 tunnel "flood test key" none 10.1.0.0/16 10.2.0.0/16
sw_start sun
sw_psk sun local=$s remote=$m ike=aes128gcm16-prfsha256-ecp256 \
    esp=aes128gcm16 local_ts=10.2.0.0/16 remote_ts=10.1.0.0/16 \
    psk="flood test key"
sw_load sun
cd_start moon $T/moon.yaml
i=0
until "$CTL" -S "$CD_DIR/moon/ctl.sock" version >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "charond on moon does not answer"
	sleep 0.1
done
read -r pid <"$CD_DIR/moon/pid"

# half_open: set $half to the CONNECTING IKE SAs in `charonctl stats`
# (fails the scenario if it does not answer).
half_open() {
	out=$("$CTL" -S "$CD_DIR/moon/ctl.sock" --json stats 2>&1) ||
	    fail "charonctl stats failed: $out"
	half=$(echo "$out" | sed -n 's/.*"CONNECTING":\([0-9]*\).*/\1/p')
	[ -n "$half" ] || fail "no CONNECTING count in stats: $out"
}
rss() {
	awk '$1 == "VmRSS:" { print $2 }' "/proc/$pid/status"
}
# charond's CPU time (user + system), in clock ticks of 10 ms.
cpu() {
	awk '{ print $14 + $15 }' "/proc/$pid/stat"
}
counter() {
	vm_in moon nft list counter inet watch "$1" |
	    awk '$1 == "packets" { print $2 }'
}
udp_errors() {
	vm_in moon awk '$1 == "Udp:" && $2 ~ /^[0-9]/ { print $3 + $4 }' \
	    /proc/net/snmp
}
now() {
	read -r up _ </proc/uptime
	echo "$up"
}

# A first IKE SA, before the flood: the daemon's steady state.
half_open
[ "$half" = 0 ] || fail "half-open SAs before the flood: $half"
rss0=$(rss)
err0=$(udp_errors)
cpu0=$(cpu)
echo "  RSS of charond before the flood: $rss0 kB"

vm_in mallory python3 -S "$FORGE" --to $m --spoof 203.0.113.1 \
    --spoof 203.0.113.2 --spoof 203.0.113.3 --from 198.51.100.66 \
    --rate $((N / SECS)) --wait 0.5 flood --count $N >$T/flood.out 2>&1 &
flood=$!
# Python takes seconds to start under emulation: time from its first
# packet. Let the flood fill the half-open slots, then strongSwan comes in.
i=0
until grep -q flooding $T/flood.out 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "the flood did not start within 30 s"
	sleep 0.1
done
t0=$(now)
maxhalf=0
until [ "$maxhalf" -ge 10 ]; do
	half_open
	[ "$half" -le "$maxhalf" ] || maxhalf=$half
	[ "$(echo "$(now) $t0" | awk '{ print ($1 - $2 > 5) }')" = 0 ] ||
	    break
	sleep 0.2
done
echo "  half-open SAs on moon once the flood runs: $maxhalf"
t1=$(now)
SW_TIMEOUT=20 sw_initiate sun net gw >$T/initiate.out 2>&1 ||
    { cat $T/initiate.out; fail "strongSwan could not connect within 20 s"; }
t2=$(now)
pass "strongSwan connected during the flood in $(echo "$t2 $t1" |
    awk '{ printf "%.1f", $1 - $2 }') s"
! grep -qi "cookie" $T/initiate.out ||
    echo "  (strongSwan had to return a COOKIE)"
while sw_alive "$flood"; do
	half_open
	[ "$half" -le "$maxhalf" ] || maxhalf=$half
	sleep 0.5
done
wait "$flood" || { cat $T/flood.out; fail "ikeforge.py flood failed"; }
flood=
t3=$(now)
sed 's/^/  flood: /' $T/flood.out
half_open
[ "$half" -le "$maxhalf" ] || maxhalf=$half
echo "  the flood took $(echo "$t3 $t0" | awk '{ printf "%.1f", $1 - $2 }') s;" \
    "moon received $(counter flood_in) datagrams from mallory's link," \
    "answered $(counter ike_out), $(($(udp_errors) - err0)) not read" \
    "(socket buffer full)"
echo "  charond's CPU time during the flood:" \
    "$(($(cpu) - cpu0))0 ms"
echo "  half-open SAs seen: at most $maxhalf, now $half"
[ "$maxhalf" -le 11 ] ||
    fail "more half-open SAs than cookie_threshold (10) + strongSwan's"
[ "$half" -ge 3 ] ||
    fail "the flood left no half-open SAs to expire: nothing tested"
pass "half-open SAs stayed within cookie_threshold ($maxhalf)"

rss1=$(rss)
echo "  RSS of charond: before $rss0 kB, after $rss1 kB," \
    "growth $((rss1 - rss0)) kB (limit $RSS_MAX kB)"
[ $((rss1 - rss0)) -le $RSS_MAX ] || fail "charond's RSS grew too much"
pass "charond's RSS stayed bounded"

# A new IKE SA while the flood's half-open SAs still fill the slots.
assert_ok "strongSwan terminates" sw_terminate sun gw
cd_wait_states moon 0 || fail "SAs left in moon's kernel"
t5=$(now)
SW_TIMEOUT=20 sw_initiate sun net gw >$T/initiate2.out 2>&1 ||
    { cat $T/initiate2.out; fail "strongSwan could not connect again"; }
t6=$(now)
pass "strongSwan connected again after the flood in $(echo "$t6 $t5" |
    awk '{ printf "%.1f", $1 - $2 }') s ($half half-open SAs held)"
assert_ok "ping through ESP after the flood" \
    vm_in moon ping -c 3 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1
pk=$(vm_xfrm_states sun | awk -v a=$m '$1 == a { print $7 }')
assert_ge "packets into sun's inbound SA" "$pk" 3

# The flood's half-open SAs time out 30 s after they were made (the
# first at once, the last before the flood ended); sun's SA stays.
until [ "$half" = 0 ]; do
	[ "$(echo "$(now) $t3" | awk '{ print ($1 - $2 > 35) }')" = 0 ] ||
	    fail "$half half-open SAs left 35 s after the flood ended"
	sleep 1
	half_open
done
t4=$(now)
pass "the half-open SAs were gone $(echo "$t4 $t0 $t3" |
    awk '{ printf "%.1f s after the flood began, %.1f s after it ended",
    $1 - $2, $1 - $3 }')"
out=$("$CTL" -S "$CD_DIR/moon/ctl.sock" list-sas 2>&1) ||
    fail "list-sas failed: $out"
assert_contains "$out" "ESTABLISHED" "sun's IKE SA is still up on moon"
sw_list_sas sun | grep -q ESTABLISHED || fail "sun lost its IKE SA"
pass "sun still holds its IKE SA"
rss2=$(rss)
echo "  RSS of charond after the half-open SAs expired: $rss2 kB"
# What charond made of the flood, by its own count (drops by reason,
# COOKIEs, rate-limited log lines), for the record.
out=$("$CTL" -S "$CD_DIR/moon/ctl.sock" --json stats 2>&1) ||
    fail "charonctl stats failed: $out"
echo "  charond's input counters: $(echo "$out" |
    python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["input"]))')"
cookies=$(echo "$out" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["input"]["cookies_sent"])')
[ "$cookies" -gt 1000 ] || fail "stats counts only $cookies COOKIEs sent"
pass "stats counts the COOKIEs and drops of the flood"
