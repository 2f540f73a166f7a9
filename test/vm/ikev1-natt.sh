#!/bin/sh
# SPDX-License-Identifier: ISC
#
# IKEv1 NAT traversal (RFC 3947, RFC 3948) through a real NAT
# (test/vm/nat.sh): alice (10.1.0.10) behind the router "nat" (public
# 192.0.2.1, nftables masquerade, no plain ESP forwarded), sun (192.0.2.2,
# LAN 10.2.0.0/16) on the public side. In one VM boot:
#   strongswan-initiates  strongSwan 5.9.8 on alice, charond on sun:
#     l2tp    transport for udp/1701 as an L2TP client sets it up (alice
#             names itself by its private address): ESP in UDP on both
#             kernels, sun's policies and SA name the NAT's public
#             address, datagrams through the pair both ways
#     tunnel  alice's address <-> 10.2.0.0/16 on a second ISAKMP SA:
#             ESP in UDP, pings through
#   charond-initiates     charond on alice, strongSwan on sun: a tunnel
#             10.1.0.0/24 <-> 10.2.0.0/16, charond floats to 4500 at
#             Main Mode message 5, ESP in UDP, pings through, keepalives;
#             then charond replaces the ISAKMP SA: the pair stays, pings
# After each step both kernels' SAs are checked (mode, ESP in UDP with the
# ports the NAT shows) and the router dropped no plain ESP.
set -eu
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/lib.sh"
# shellcheck source=/dev/null
. "${0%/*}/charond.sh"
# shellcheck source=/dev/null
. "${0%/*}/strongswan.sh"
# shellcheck source=/dev/null
. "${0%/*}/nat.sh"
vm_require_guest

SUN=$NAT_SUN PUB=$NAT_PUBLIC ALICE=10.1.0.10
IKE=aes128-sha256-modp2048 ESP=aes128-sha1
PSK='ikev1 natt key, not a secret'
CTL=$CHAROND_BUILD/bin/charonctl

finish() {
	st=$?
	set +e
	if [ "$st" != 0 ]; then
		for h in alice nat sun; do
			echo "--- $h: ip -s xfrm state; ip xfrm policy"
			ip -n "$h" -s xfrm state 2>/dev/null | sed 's/^/  | /'
			vm_xfrm_policies "$h" 2>/dev/null | sed 's/^/  | /'
		done
		echo "--- the router's mappings"
		nat_mappings | sed 's/^/  | /'
	fi
	for h in alice sun; do
		[ -f "$CD_DIR/$h/pid" ] || continue
		cd_stop "$h" || :
		cp "$CD_DIR/$h/log" "$VM_OUT/charond-$h.log" 2>/dev/null || :
		[ "$st" = 0 ] || { cd_log "$h" | tail -n 80; }
	done
	sw_cleanup "$st"
	vm_cleanup
	exit "$st"
}
trap finish EXIT

nat_topology alice
nat_masq plain

# ctl HOST ARGS...: charonctl against HOST's charond.
ctl() {
	ctl_h=$1
	shift
	"$CTL" -S "$CD_DIR/$ctl_h/ctl.sock" "$@"
}

# one_sa HOST SRC DST MODE: HOST's only ESP SA SRC -> DST in MODE as
# "SPI ENCAP PACKETS" (vm_xfrm_states); fails unless there is one.
one_sa() {
	r=$(vm_xfrm_states "$1" | awk -v s="$2" -v d="$3" -v m="$4" \
	    '$1 == s && $2 == d && $3 == "esp" && $5 == m { print $4, $9, $7 }')
	if [ -z "$r" ] || [ "$(printf '%s\n' "$r" | grep -c .)" != 1 ]; then
		vm_xfrm_states "$1" | sed "s/^/  $1: /"
		fail "$1: not exactly one $4 SA $2 -> $3"
	fi
	echo "$r"
}

# pair_ok WHAT MODE ALICE_SRC: alice's and sun's SAs of MODE are ESP in
# UDP: alice 4500 <-> 4500, sun 4500 <-> the NAT's public port for
# alice's 4500. Sets A_OUT A_IN S_OUT S_IN (SPIs).
pair_ok() {
	pp=$(nat_public_port "$ALICE" 4500)
	[ -n "$pp" ] || fail "$1: the router has no mapping for $ALICE:4500"
	# shellcheck disable=SC2046 # three words
	set -- "$1" "$2" $(one_sa alice "$ALICE" "$SUN" "$2")
	A_OUT=$3
	[ "$4" = espinudp:4500:4500 ] ||
	    fail "$1: alice's outbound SA encap $4, not espinudp:4500:4500"
	# shellcheck disable=SC2046
	set -- "$1" "$2" $(one_sa alice "$SUN" "$ALICE" "$2")
	A_IN=$3
	[ "$4" = espinudp:4500:4500 ] ||
	    fail "$1: alice's inbound SA encap $4, not espinudp:4500:4500"
	# shellcheck disable=SC2046
	set -- "$1" "$2" $(one_sa sun "$SUN" "$PUB" "$2")
	S_OUT=$3
	[ "$4" = "espinudp:4500:$pp" ] ||
	    fail "$1: sun's outbound SA encap $4, not espinudp:4500:$pp"
	# shellcheck disable=SC2046
	set -- "$1" "$2" $(one_sa sun "$PUB" "$SUN" "$2")
	S_IN=$3
	[ "$4" = "espinudp:$pp:4500" ] ||
	    fail "$1: sun's inbound SA encap $4, not espinudp:$pp:4500"
	if [ "$A_OUT" != "$S_IN" ] || [ "$S_OUT" != "$A_IN" ]; then
		fail "$1: the SPIs do not pair up ($A_OUT/$S_IN, $S_OUT/$A_IN)"
	fi
	pass "$1: $2 pair, ESP in UDP: alice 4500 <-> 4500, sun 4500 <-> NAT's $pp"
}

# packets HOST SPI: the packet counter of HOST's SA SPI.
packets() {
	vm_xfrm_states "$1" | awk -v p="$2" '$4 == p { print $7; exit }'
}

no_plain_esp() {
	[ "$(nat_count esp_dropped)" = 0 ] ||
	    fail "$1: the router dropped $(nat_count esp_dropped) plain ESP packets"
	pass "$1: no plain ESP reached the router"
}

# --- strongSwan on alice initiates, charond on sun -------------------------
echo "--- strongswan-initiates: strongSwan on alice behind the NAT, charond on sun"
mkdir -p "$CD_DIR/sun"
cat >"$CD_DIR/sun.yaml" <<EOF
daemon:
  listen: ["$SUN"]
  plugin_dir: "@PLUGIN_DIR@"
  retransmit: {timeout: 2s, base: 1.8, tries: 4}
connections:
  rw:
    version: 1
    local_addrs: ["$SUN"]
    proposals: [$IKE]
    local: {auth: psk}
    remote: {auth: psk}
    children:
      l2tp:
        mode: transport
        local_ts: ["dynamic[udp/1701]"]
        remote_ts: ["dynamic[udp/1701]"]
        esp_proposals: [$ESP]
      net:
        local_ts: [10.2.0.0/16]
        remote_ts: [10.1.0.0/24]
        esp_proposals: [$ESP]
secrets:
  psk:
    - secret: "$PSK"
EOF
cd_start sun "$CD_DIR/sun.yaml"
sw_start alice
sw_psk alice version=1 conn=l2tp child=l2tp local="$ALICE" remote="$SUN" \
    ike="$IKE" esp="$ESP" mode=transport local_ts='dynamic[udp/1701]' \
    remote_ts='dynamic[udp/1701]' psk="$PSK"
sw_psk alice -a version=1 conn=tun child=tun local="$ALICE" remote="$SUN" \
    ike="$IKE" esp="$ESP" local_ts=dynamic remote_ts=10.2.0.0/16 psk="$PSK"
sw_load alice
sleep 1

assert_ok "l2tp: strongSwan brings up transport for udp/1701" \
    sw_initiate alice l2tp l2tp
cd_wait_states sun 2 || fail "l2tp: not 2 SAs in sun's kernel"
pair_ok l2tp transport
assert_contains "$(vm_xfrm_policies sun)" "$SUN/32 $PUB/32 out" \
    "l2tp: sun's policies name the NAT's public address"
assert_contains "$(ip -n sun xfrm policy)" "proto udp sport 1701 dport 1701" \
    "l2tp: sun's policies are for udp 1701 only"
grep -q "NAT detected, the peer is behind a NAT" "$CD_DIR/sun/log" ||
    { cd_log sun; fail "l2tp: charond did not say it found the NAT"; }
pass "l2tp: charond found alice behind the NAT"
# L2TP's datagrams both ways, counted by the inbound SAs.
vm_in alice python3 -S -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("'"$ALICE"'", 1701))
for i in range(3):
    s.sendto(b"l2tp", ("'"$SUN"'", 1701))'
vm_in sun python3 -S -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("'"$SUN"'", 1701))
for i in range(3):
    s.sendto(b"l2tp", ("'"$PUB"'", 1701))'
sleep 0.5
assert_ge "l2tp: alice's datagrams arrived through sun's inbound SA" \
    "$(packets sun "$S_IN")" 3
assert_ge "l2tp: sun's datagrams arrived through alice's inbound SA" \
    "$(packets alice "$A_IN")" 3
no_plain_esp l2tp

assert_ok "tunnel: strongSwan brings up a tunnel" sw_initiate alice tun tun
cd_wait_states sun 4 || fail "tunnel: not 4 SAs in sun's kernel"
pair_ok tunnel tunnel
assert_ok "tunnel: ping from alice to sun's LAN through ESP in UDP" \
    vm_in alice ping -c 3 -i 0.2 -W 2 -q -I "$ALICE" 10.2.0.1
assert_ge "tunnel: sun received the pings on its inbound SA" \
    "$(packets sun "$S_IN")" 3
no_plain_esp tunnel

sw_terminate alice tun >/dev/null 2>&1 || :
sw_terminate alice l2tp >/dev/null 2>&1 || :
cd_wait_states sun 0 || fail "strongswan-initiates: SAs left on sun"
pass "strongswan-initiates: nothing left on sun"
cd_stop sun || fail "charond on sun did not exit on SIGTERM"
cp "$CD_DIR/sun/log" "$VM_OUT/charond-sun.log" 2>/dev/null || :
rm -f "$CD_DIR/sun/pid"
sw_stop alice
for h in alice sun; do
	ip -n "$h" xfrm state flush
	ip -n "$h" xfrm policy flush
done
nat_flush

# --- charond on alice initiates, strongSwan on sun --------------------------
echo "--- charond-initiates: charond on alice behind the NAT, strongSwan on sun"
mkdir -p "$CD_DIR/alice"
cat >"$CD_DIR/alice.yaml" <<EOF
daemon:
  listen: ["$ALICE"]
  plugin_dir: "@PLUGIN_DIR@"
  retransmit: {timeout: 2s, base: 1.8, tries: 4}
plugins:
  natt: {keepalive: 2s}
connections:
  gw:
    version: 1
    local_addrs: ["$ALICE"]
    remote_addrs: ["$SUN"]
    proposals: [$IKE]
    local: {auth: psk}
    remote: {auth: psk}
    children:
      net:
        local_ts: [10.1.0.0/24]
        remote_ts: [10.2.0.0/16]
        esp_proposals: [$ESP]
secrets:
  psk:
    - secret: "$PSK"
EOF
sw_start sun
sw_psk sun version=1 conn=rw child=net local="$SUN" remote=%any \
    ike="$IKE" esp="$ESP" local_ts=10.2.0.0/16 remote_ts=10.1.0.0/24 \
    psk="$PSK"
sw_load sun
cd_start alice "$CD_DIR/alice.yaml"
i=0
until ctl alice version >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 100 ] || { cd_log alice; fail "charond on alice does not answer"; }
	sleep 0.1
done
assert_ok "charond-initiates: charond on alice brings the tunnel up" \
    ctl alice --json initiate --child net --ike gw --timeout 30
cd_wait_states alice 2 || fail "charond-initiates: not 2 SAs on alice"
pair_ok charond-initiates tunnel
grep -q "moved from $ALICE:500 - $SUN:500 to $ALICE:4500 - $SUN:4500" \
    "$CD_DIR/alice/log" || { cd_log alice; fail "charond did not float to 4500"; }
pass "charond-initiates: charond floated to port 4500"
grep -q "NAT detected, we are behind a NAT" "$CD_DIR/alice/log" ||
    { cd_log alice; fail "charond did not find itself behind the NAT"; }
pass "charond-initiates: charond found itself behind the NAT"
l=$(ctl alice --json list-sas | jq -r '.ike_sas[0] |
    "\(.version) \(.local.port) \(.remote.port) \(.nat.local) \(.children[0].encap)"')
[ "$l" = "1 4500 4500 true true" ] ||
    fail "charond-initiates: list-sas says '$l', not '1 4500 4500 true true'"
pass "charond-initiates: list-sas shows IKEv1 on 4500, NAT, ESP in UDP"
assert_ok "charond-initiates: ping from alice to sun's LAN through ESP in UDP" \
    vm_in alice ping -c 3 -i 0.2 -W 2 -q -I "$ALICE" 10.2.0.1
assert_ge "charond-initiates: strongSwan received the pings" \
    "$(packets sun "$S_IN")" 3
ka=$(nat_count keepalive_out)
sleep 5
assert_ge "charond-initiates: charond sent NAT keepalives (2 s)" \
    "$(($(nat_count keepalive_out) - ka))" 2
no_plain_esp charond-initiates
# charond replaces the ISAKMP SA behind the NAT: the new one runs on
# 4500 with NAT-T negotiated anew, the pair is renewed under it (ESP in
# UDP) and the old one deleted.
ike=$(ctl alice --json list-sas | jq -r '.ike_sas[0].id')
assert_ok "charond-initiates: charond replaces the ISAKMP SA" \
    ctl alice rekey --ike-id "$ike"
i=0
until grep -q "CHILD SA(s) renewed under it" "$CD_DIR/alice/log"; do
	[ $i -lt 100 ] || { cd_log alice; sw_log sun 40; fail "charond-initiates: no replacement"; }
	sleep 0.1
	i=$((i + 1))
done
sleep 1
l=$(ctl alice --json list-sas | jq -r '[.ike_sas[] |
    "\(.version) \(.local.port) \(.remote.port) \(.nat.local) \(.children | length)"] | join(",")')
[ "$l" = "1 4500 4500 true 1" ] ||
    { cd_log alice; fail "charond-initiates: after the replacement list-sas says '$l'"; }
pass "charond-initiates: one ISAKMP SA on 4500 behind the NAT holds the pair"
sw_list_sas sun | grep -q INSTALLED ||
    { sw_log sun 40; fail "charond-initiates: strongSwan lost the pair"; }
assert_ok "charond-initiates: ping after the replacement" \
    vm_in alice ping -c 3 -i 0.2 -W 2 -q -I "$ALICE" 10.2.0.1
no_plain_esp charond-initiates
assert_ok "charond-initiates: terminate" \
    ctl alice --json terminate --ike gw --timeout 20
cd_wait_states alice 0 || fail "charond-initiates: SAs left on alice"
pass "charond-initiates: nothing left on alice"
