#!/bin/sh
# SPDX-License-Identifier: ISC
#
# On-path forgery against a live tunnel. charond on moon (192.0.2.1, LAN
# 10.1.0.0/16) and strongSwan on sun (192.0.2.2, LAN 10.2.0.0/16) hold an
# IKE SA and a CHILD SA; mallory (198.51.100.66, routed through moon's
# eth1) knows the SPIs and sends moon, from sun's address and port 500
# (test/tools/ikeforge.py, raw IPv4 with IP_HDRINCL):
#   - 1,024 header-only requests with the SA's SPIs: INFORMATIONAL and
#     CREATE_CHILD_SA, message IDs 0 to 7 and 0xffffffff (the next, the
#     one after, the previous one and 0, whichever role sun has), next
#     payload none, SK, SKF and N, I flag set and clear;
#   - requests with a cleartext Delete, Notify or a random Encrypted
#     payload; cleartext IKE_SA_INIT "responses" (SA/KE/Nonce, header
#     only, NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD, COOKIE) with message
#     IDs 0 to 5; unsolicited INFORMATIONAL responses; header-only
#     IKE_SA_INIT and IKE_AUTH requests with the SA's SPIs; some of the
#     above to port 4500 (behind the non-ESP marker) as well;
#   - truncated and bit-flipped copies of sun's IKE_AUTH message, captured
#     on moon while the SA came up.
# moon must answer none of them (nftables counts every IKE datagram moon
# sends, and every forged one it receives, with no UDP receive errors: so
# charond read them all), and afterwards both IKE SAs and CHILD SAs are
# still ESTABLISHED/INSTALLED with the same SPIs on both hosts, pings
# pass through ESP (the SAs' counters grow), and charond still answers on
# its control socket. Both roles in one boot: charond initiates, then
# (after terminating) strongSwan does.
#
# The forgeries go to charond only, never to strongSwan: strongSwan 5.9.8
# itself falls to them (a 28-byte CREATE_CHILD_SA request with the
# expected message ID, or a cleartext response of the wrong exchange type
# with the outstanding message ID, destroys its IKE SA), which is not what
# this scenario tests.
#
# Run: test/vm/run.sh test/vm/scenarios/inject.sh
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
T=/tmp/inject
CD_DIR=$T/cd

finish() {
	st=$?
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
# sun's address arriving on eth1: no reverse path filter in the way.
vm_in moon sysctl -q -w net.ipv4.conf.all.rp_filter=0 \
    net.ipv4.conf.eth1.rp_filter=0 >/dev/null
# What moon sends from its IKE ports, to anyone; what reaches it from
# "sun" through mallory's link.
vm_in moon nft -f - <<EOF || fail "cannot load moon's nftables counters"
table inet watch {
	counter ike_out { }
	counter forged_in { }
	chain out {
		type filter hook output priority 0
		udp sport { 500, 4500 } counter name ike_out
	}
	chain in {
		type filter hook input priority 0
		iifname "eth1" ip saddr $s udp dport { 500, 4500 } \
		    counter name forged_in
	}
}
EOF

mkdir -p $T
cd_conf $T/moon.yaml $m $s aes128gcm16-prfsha256-ecp256 \
    aes128gcm16 tunnel "inject test key" none 10.1.0.0/16 10.2.0.0/16
sw_start sun
sw_psk sun local=$s remote=$m ike=aes128gcm16-prfsha256-ecp256 \
    esp=aes128gcm16 local_ts=10.2.0.0/16 remote_ts=10.1.0.0/16 \
    psk="inject test key"
sw_load sun
cd_start moon $T/moon.yaml
i=0
until "$CTL" -S "$CD_DIR/moon/ctl.sock" version >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "charond on moon does not answer"
	sleep 0.1
done

# ctl ARGS...: charonctl against moon; output in $out, status in $rc.
ctl() {
	rc=0
	out=$("$CTL" -S "$CD_DIR/moon/ctl.sock" "$@" 2>&1) || rc=$?
}
# moon_sa: set $sa to charond's view of its one IKE SA and CHILD SA,
# "STATE SPI_I SPI_R CHILD_STATE SPI_IN SPI_OUT PACKETS_IN PACKETS_OUT".
moon_sa() {
	ctl --json list-sas
	[ $rc -eq 0 ] || fail "list-sas on moon: exit $rc: $out"
	sa=$(echo "$out" | python3 -S -c 'import json, sys
sas = json.load(sys.stdin)["ike_sas"]
if len(sas) != 1 or len(sas[0]["children"]) != 1:
	print("not-one-sa"); sys.exit()
sa = sas[0]; c = sa["children"][0]
ours, theirs = sa["local"]["spi"], sa["remote"]["spi"]
i, r = (ours, theirs) if sa["initiator"] else (theirs, ours)
print(sa["state"], i, r, c["state"], c["spi_in"], c["spi_out"],
      c["packets_in"], c["packets_out"])')
}
# sun_sa: strongSwan's view, "STATE SPI_I SPI_R CHILD_STATE SPI_IN SPI_OUT".
sun_sa() {
	sw_list_sas sun | awk '
	$1 == "gw:" { st = $3; sub(/,$/, "", st); i = $5; r = $6
	    sub(/_i\*?$/, "", i); sub(/_r\*?$/, "", r) }
	$1 == "net:" { cs = $5; sub(/,$/, "", cs) }
	$1 == "in" { ci = $2; sub(/,$/, "", ci) }
	$1 == "out" { co = $2; sub(/,$/, "", co) }
	END { print st, i, r, cs, ci, co }'
}
counter() {
	vm_in moon nft list counter inet watch "$1" |
	    awk '$1 == "packets" { print $2 }'
}
# UDP datagrams moon's kernel could not hand to a socket: NoPorts plus
# InErrors (which counts a full receive buffer).
udp_errors() {
	vm_in moon awk '$1 == "Udp:" && $2 ~ /^[0-9]/ { print $3 + $4 }' \
	    /proc/net/snmp
}

# attack ROLE: charond's SA with sun is up; forge, then check.
attack() {
	r=$1
	moon_sa
	# shellcheck disable=SC2086 # split on purpose
	set -- $sa
	[ "$1" = ESTABLISHED ] && [ "$4" = INSTALLED ] ||
	    fail "$r: moon's SAs are not up: $*"
	spi_i=$2 spi_r=$3 c_in=$5 c_out=$6 p_in=$7 p_out=$8
	moon_before="$1 $2 $3 $4 $5 $6"
	sun_before=$(sun_sa)
	echo "  $r: moon: $moon_before"
	echo "  $r: sun:  $sun_before"
	[ "$sun_before" = "ESTABLISHED $spi_i $spi_r INSTALLED $c_out $c_in" ] ||
	    fail "$r: strongSwan's SAs are not moon's mirrored"
	pass "$r: both hosts hold the same IKE SA and CHILD SA"

	out0=$(counter ike_out) in0=$(counter forged_in) err0=$(udp_errors)
	t0=$(date +%s.%N)
	ids="--spi-i $spi_i --spi-r $spi_r"
	vm_in mallory python3 -S "$FORGE" --to $m --spoof $s:500 --rate 2000 \
	    batch >"$T/forge-$r.out" 2>&1 <<EOF || { cat "$T/forge-$r.out"; fail "$r: ikeforge.py failed"; }
header $ids --exchange INFORMATIONAL,CREATE_CHILD_SA --count 1024 \
    --msgid 0-7,0xffffffff --flags I,- --next none,SK,SKF,N
header $ids --exchange INFORMATIONAL,CREATE_CHILD_SA --msgid 0-7 --flags I,- \
    --body delete,notify:14,sk:64
init-response $ids --msgid 0-5 --flags R,IR \
    --payloads sa,none,notify:14,notify:17,notify:16390
info-response $ids --msgid 0-7 --flags R,IR --body none,delete,sk:80
header $ids --exchange IKE_SA_INIT,IKE_AUTH --msgid 0-2 --flags I,- \
    --next none,SK
--to $m:4500 header $ids --exchange INFORMATIONAL,CREATE_CHILD_SA \
    --msgid 0-7 --flags I,- --next none,SK
--to $m:4500 info-response $ids --msgid 0-3 --body none,sk:80
mangle --in $T/captured-$r --count 64
EOF
	sed 's/^/  forge: /' "$T/forge-$r.out"
	sent=$(sed -n 's/^sent \([0-9]*\) in .*/\1/p' "$T/forge-$r.out")
	# charond reads its sockets before the next control request
	# completes; a short grace for what is still in flight.
	ctl stats
	[ $rc -eq 0 ] || fail "$r: charond stopped answering stats: $out"
	sleep 0.5
	t1=$(date +%s.%N)
	out1=$(counter ike_out) in1=$(counter forged_in) err1=$(udp_errors)
	echo "  $r: $sent forged datagrams, $(echo "$t0 $t1" |
	    awk '{ printf "%.1f", $2 - $1 }') s with Python's start;" \
	    "moon received $((in1 - in0)), sent $((out1 - out0))," \
	    "UDP receive errors $((err1 - err0))"
	[ $((in1 - in0)) -eq "$sent" ] ||
	    fail "$r: moon received $((in1 - in0)) forged datagrams, not $sent"
	[ $((err1 - err0)) -eq 0 ] ||
	    fail "$r: $((err1 - err0)) datagrams never reached charond"
	pass "$r: all $sent forgeries reached charond's sockets"
	[ $((out1 - out0)) -eq 0 ] ||
	    fail "$r: charond sent $((out1 - out0)) IKE datagrams while forged"
	pass "$r: charond answered none of them"

	moon_sa
	# shellcheck disable=SC2086
	set -- $sa
	[ "$1 $2 $3 $4 $5 $6" = "$moon_before" ] ||
	    fail "$r: moon's SAs changed: $* (was $moon_before)"
	pass "$r: moon: IKE SA ESTABLISHED, CHILD SA INSTALLED, same SPIs"
	[ "$(sun_sa)" = "$sun_before" ] ||
	    fail "$r: sun's SAs changed: $(sun_sa) (was $sun_before)"
	pass "$r: sun: IKE SA ESTABLISHED, CHILD SA INSTALLED, same SPIs"
	assert_ok "$r: ping through ESP after the forgeries" \
	    vm_in moon ping -c 3 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1
	moon_sa
	# shellcheck disable=SC2086
	set -- $sa
	assert_ge "$r: packets out of moon's CHILD SA since" $(($8 - p_out)) 3
	assert_ge "$r: packets into moon's CHILD SA since" $(($7 - p_in)) 3
	ctl stats
	[ $rc -eq 0 ] || fail "$r: charond stopped answering stats: $out"
	pass "$r: charond still answers on its control socket"
	n=$(grep -c "dropped" "$CD_DIR/moon/log") || :
	echo "  $r: charond logged $n drop lines (rate-limited)"
}

# capture_start ROLE: catch sun's IKE_AUTH message on moon while the SA
# comes up, for the mangled copies.
capture_start() {
	vm_in moon python3 -S "$FORGE" capture --listen $m --peer $s \
	    --exchange 35 --timeout 30 --out $T/captured-$1 >$T/capture-$1.out \
	    2>&1 &
	cap=$!
	i=0
	until grep -q listening $T/capture-$1.out 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "$1: the capture did not start"
		sleep 0.1
	done
}
capture_end() {
	wait $cap || { cat $T/capture-$1.out; fail "$1: nothing captured"; }
	sed 's/^/  /' $T/capture-$1.out | grep captured
}

# --- charond initiates ------------------------------------------------------
capture_start charond-initiates
ctl --json initiate --child net --timeout 30
[ $rc -eq 0 ] || fail "charond could not initiate: $out"
capture_end charond-initiates
assert_ok "charond-initiates: ping through ESP" \
    vm_in moon ping -c 2 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1
attack charond-initiates
ctl --json terminate --ike site --timeout 30
[ $rc -eq 0 ] || fail "charond could not terminate: $out"
sw_wait_gone sun ESTABLISHED 10 || fail "sun kept its IKE SA"
cd_wait_states moon 0 || fail "SAs left in moon's kernel"

# --- strongSwan initiates ---------------------------------------------------
capture_start strongswan-initiates
sw_initiate sun net gw >/dev/null || fail "strongSwan could not initiate"
capture_end strongswan-initiates
cd_wait_states moon 2 || fail "moon's kernel does not hold two SAs"
assert_ok "strongswan-initiates: ping through ESP" \
    vm_in moon ping -c 2 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1
attack strongswan-initiates
