#!/bin/sh
# SPDX-License-Identifier: ISC
#
# NAT traversal (RFC 7296 2.23, RFC 3948) through a real NAT (test/vm/nat.sh):
# clients alice (10.1.0.10) and bob (10.1.0.20) behind the router "nat"
# (public 192.0.2.1, nftables masquerade), sun (192.0.2.2, LAN 10.2.0.0/16)
# on the public side. One pairing per run; scenarios/natt-*.sh name them:
#   strongswan-initiates  strongSwan 5.9.8 on alice and bob, charond on sun
#   charond-initiates     charond on alice and bob, strongSwan on sun
#   charond-charond       charond everywhere, behind a fully-random NAT
#   strongswan-strongswan strongSwan everywhere: the harness's own check
#                         (not a scenario; test/vm/run.sh test/vm/natt.sh
#                         strongswan-strongswan)
# Each runs these steps in one VM boot:
#   tunnel       alice, then bob, bring up a tunnel (their address <->
#                10.2.0.0/16) at the same time through the same NAT: IKE
#                moves to 4500, every SA is ESP in UDP with the ports the
#                NAT shows (conntrack), both ping through their own SAs
#   keepalive    idle, the clients send a NAT keepalive (one 0xFF byte,
#                4500 -> 4500) every 2 s (the configured interval), sun none
#   remap        the NAT forgets its mappings and moves to other ports:
#                bob's next IKE request (a CHILD SA rekey) and alice's
#                next ESP (sun's kernel reports XFRM_MSG_MAPPING) move
#                their SAs on sun to the new ports: sun's LAN pings bob
#                through his new SAs, alice's traffic recovers within a
#                keepalive interval plus one exchange, no stale SA is left
#   transport    alice rekeys her IKE SA, then adds a transport mode CHILD
#                SA on the new one (CREATE_CHILD_SA) between her address
#                and sun's; sun's side uses the NAT's public address
#                (RFC 7296 2.23.1), ESP in UDP with the NAT's port
#                (with charond on sun: a replay of that request from
#                another port of the NAT moves nothing)
#   close        the clients close everything: no SA, no policy anywhere
#   encap        no NAT any more (plain routing), alice forces UDP
#                encapsulation (encap: true): ESP in UDP/4500 all the same
# After every step each host's kernel SAs and policies are checked
# (addresses, modes, UDP encapsulation and its ports), pings are counted
# by the SA counters, and on every charond host `charonctl --json
# list-sas` is checked against the kernel (nat flags, encap, ports).
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

pairing=${1:?pairing}
case $pairing in
strongswan-initiates) cli=sw srv=cd masq=plain ;;
charond-initiates) cli=cd srv=sw masq=plain ;;
charond-charond) cli=cd srv=cd masq=random ;;
strongswan-strongswan) cli=sw srv=sw masq=plain ;;
*) fail "unknown pairing $pairing" ;;
esac
CTL=$CHAROND_BUILD/bin/charonctl
SUN=$NAT_SUN PUB=$NAT_PUBLIC
ALICE=10.1.0.10 BOB=10.1.0.20
KEEPALIVE=2
IKE=aes128gcm16-prfsha256-ecp256 ESP=aes128gcm16
ALG='rfc4106(gcm(aes))'
PSK='natt test key, not a secret'
echo "--- natt $pairing: clients $cli behind a $masq NAT, $srv on sun"

finish() {
	st=$?
	set +e
	nat_capture_stop
	if [ "$st" != 0 ]; then
		for h in alice bob nat sun; do
			echo "--- $h: ip -s xfrm state; ip xfrm policy"
			ip -n "$h" -s xfrm state 2>/dev/null | sed 's/^/  | /'
			vm_xfrm_policies "$h" 2>/dev/null | sed 's/^/  | /'
		done
		echo "--- the router's mappings"
		nat_mappings | sed 's/^/  | /'
	fi
	for h in alice bob sun; do
		[ -f "$CD_DIR/$h/pid" ] || continue
		cd_stop "$h" || :
		cp "$CD_DIR/$h/log" "$VM_OUT/charond-$h.log" 2>/dev/null || :
		[ "$st" = 0 ] || { cd_log "$h" | tail -n 60; }
	done
	sw_cleanup "$st"
	vm_cleanup
	exit "$st"
}
trap finish EXIT

# phase TEXT: a step's heading, with the guest's uptime (for timing).
phase() {
	read -r up _ </proc/uptime
	echo "--- $* (uptime ${up%.*} s)"
}

# --- the daemons -------------------------------------------------------------

# cd_client HOST ADDR ID: charond behind the NAT: connection gw with the
# children net (tunnel to sun's LAN) and host (transport to sun), and enc
# (encap: true, tunnel), all started by charonctl.
cd_client() {
	mkdir -p "$CD_DIR/$1"
	cat >"$CD_DIR/$1.yaml" <<EOF
daemon:
  listen: ["$2"]
  plugin_dir: "@PLUGIN_DIR@"
  retransmit: {timeout: 2s, base: 1.8, tries: 4}
plugins:
  natt: {keepalive: ${KEEPALIVE}s}
connections:
  gw:
    local_addrs: ["$2"]
    remote_addrs: ["$SUN"]
    proposals: [$IKE]
    local: {auth: psk, id: $3}
    remote: {auth: psk, id: sun.example.org}
    children:
      net:
        remote_ts: [10.2.0.0/16]
        esp_proposals: [$ESP]
      host:
        mode: transport
        esp_proposals: [$ESP]
  enc:
    local_addrs: ["$2"]
    remote_addrs: ["$SUN"]
    proposals: [$IKE]
    encap: true
    local: {auth: psk, id: $3}
    remote: {auth: psk, id: sun.example.org}
    children:
      enc:
        remote_ts: [10.2.0.0/16]
        esp_proposals: [$ESP]
secrets:
  psk:
    - secret: "$PSK"
EOF
	cd_start "$1" "$CD_DIR/$1.yaml"
}

# sw_client HOST ADDR ID: the same with strongSwan.
sw_client() {
	sw_start "$1" -n -c "keep_alive = ${KEEPALIVE}s"
	sw_conf "$1" <<EOF
connections {
	gw {
		local_addrs = $2
		remote_addrs = $SUN
		proposals = $IKE
		local {
			auth = psk
			id = $3
		}
		remote {
			auth = psk
			id = sun.example.org
		}
		children {
			net {
				esp_proposals = $ESP
				remote_ts = 10.2.0.0/16
			}
			host {
				mode = transport
				esp_proposals = $ESP
			}
		}
	}
	enc {
		local_addrs = $2
		remote_addrs = $SUN
		proposals = $IKE
		encap = yes
		local {
			auth = psk
			id = $3
		}
		remote {
			auth = psk
			id = sun.example.org
		}
		children {
			enc {
				esp_proposals = $ESP
				remote_ts = 10.2.0.0/16
			}
		}
	}
}
secrets {
	ike-any {
		secret = "$PSK"
	}
}
EOF
}

# The server on sun: connection rw for any peer, children net (tunnel,
# 10.2.0.0/16 <-> the clients' LAN) and host (transport).
cd_server() {
	mkdir -p "$CD_DIR/sun"
	cat >"$CD_DIR/sun.yaml" <<EOF
daemon:
  listen: ["$SUN"]
  plugin_dir: "@PLUGIN_DIR@"
  retransmit: {timeout: 2s, base: 1.8, tries: 4}
plugins:
  natt: {keepalive: ${KEEPALIVE}s}
connections:
  rw:
    local_addrs: ["$SUN"]
    remote_addrs: ["%any"]
    proposals: [$IKE]
    local: {auth: psk, id: sun.example.org}
    remote: {auth: psk}
    children:
      net:
        local_ts: [10.2.0.0/16]
        remote_ts: [10.1.0.0/24]
        esp_proposals: [$ESP]
      host:
        mode: transport
        esp_proposals: [$ESP]
secrets:
  psk:
    - secret: "$PSK"
EOF
	cd_start sun "$CD_DIR/sun.yaml"
}

# No MOBIKE (charond has none either): with MOBIKE, strongSwan moves an
# IKE SA only when told (RFC 4555), not on a request from a new port.
sw_server() {
	# The old inbound SA of a rekeyed pair goes 1 s after the DELETE, not
	# 5 s (0 would keep it until it expires): the scenario counts SAs.
	sw_start sun -n -c 'delete_rekeyed_delay = 1'
	sw_conf sun <<EOF
connections {
	rw {
		local_addrs = $SUN
		proposals = $IKE
		mobike = no
		local {
			auth = psk
			id = sun.example.org
		}
		remote {
			auth = psk
		}
		children {
			net {
				esp_proposals = $ESP
				local_ts = 10.2.0.0/16
				remote_ts = 10.1.0.0/24
			}
			host {
				mode = transport
				esp_proposals = $ESP
			}
		}
	}
}
secrets {
	ike-any {
		secret = "$PSK"
	}
}
EOF
}

# cd_ready HOST: wait until HOST's charond answers on its control socket.
cd_ready() {
	i=0
	until "$CTL" -S "$CD_DIR/$1/ctl.sock" version >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -ge 100 ] || ! kill -0 "$(cat "$CD_DIR/$1/pid")" \
		    2>/dev/null; then
			cd_log "$1"
			fail "charond on $1 does not answer"
		fi
		sleep 0.1
	done
}

# ctl HOST ARGS...: charonctl against HOST's charond; output in $out,
# status in $rc.
ctl() {
	h=$1
	shift
	rc=0
	out=$("$CTL" -S "$CD_DIR/$h/ctl.sock" "$@" 2>&1) || rc=$?
}

# up HOST CHILD CONN: the client on HOST brings CHILD of CONN up (on
# CONN's IKE SA if there is one) and waits.
up() {
	if [ "$cli" = cd ]; then
		ctl "$1" --json initiate --child "$2" --ike "$3" --timeout 30
		[ $rc -eq 0 ] || fail "$1: initiate $3/$2: exit $rc: $out"
	else
		out=$(sw_initiate "$1" "$2" "$3" 2>&1) ||
		    { echo "$out"; fail "$1: swanctl --initiate $3/$2"; }
	fi
	pass "$1 brought $3/$2 up"
}

# down HOST CONN: the client closes CONN's IKE SA and waits for sun.
down() {
	if [ "$cli" = cd ]; then
		ctl "$1" --json terminate --ike "$2" --timeout 20
		[ $rc -eq 0 ] || fail "$1: terminate $2: exit $rc: $out"
	else
		out=$(sw_terminate "$1" "$2" 2>&1) ||
		    { echo "$out"; fail "$1: swanctl --terminate $2"; }
	fi
}

# rekey HOST CONN CHILD: the client rekeys CHILD (an IKE exchange) and
# waits until its kernel holds a new outbound SA in place of OLD_SPI ($4).
rekey() {
	if [ "$cli" = cd ]; then
		ctl "$1" --json list-sas --ike "$2"
		ids=$(printf '%s' "$out" | jq -r --arg c "$3" '.ike_sas[0] |
		    "\(.id) \(.children[] | select(.name == $c) | .id)"')
		# shellcheck disable=SC2086 # two numbers
		set -- "$1" "$2" "$3" "$4" $ids
		ctl "$1" --json rekey --ike-id "$5" --child-id "$6"
		[ $rc -eq 0 ] || fail "$1: rekey $2/$3: exit $rc: $out"
	else
		sw_rekey_child "$1" "$3" >/dev/null ||
		    fail "$1: swanctl --rekey --child $3"
	fi
	i=0
	while :; do
		st=$(vm_xfrm_states "$1")
		case $st in
		*" $4 "*) ;;
		*) [ "$(printf '%s\n' "$st" | grep -c .)" -le 2 ] && break ;;
		esac
		i=$((i + 1))
		[ $i -lt 100 ] || fail "$1: the rekey of $2/$3 did not finish"
		sleep 0.1
	done
	pass "$1 rekeyed $2/$3"
}

# ike_spi HOST CONN: set IKE_SPI to the client's local IKE SPI of CONN
# and IKE_N to how many IKE SAs of CONN are established.
ike_spi() {
	if [ "$cli" = cd ]; then
		ctl "$1" --json list-sas --ike "$2"
		# shellcheck disable=SC2046 # two words
		set -- $(printf '%s' "$out" | jq -r '[.ike_sas[] |
		    select(.state == "ESTABLISHED")] | "\(length) \(.[0].local.spi)"')
	else
		# "gw: #3, ESTABLISHED, IKEv2, 0123456789abcdef_i* ..."
		# shellcheck disable=SC2046 # two words
		set -- $(sw_list_sas "$1" --ike "$2" 2>/dev/null | awk -v c="$2:" '
		    $1 == c && $3 == "ESTABLISHED," { n++; s = $5 }
		    END { print n + 0, s }')
	fi
	IKE_N=$1 IKE_SPI=${2:-}
}

# rekey_ike HOST CONN: the client rekeys CONN's IKE SA and waits until
# the new one is the only one.
rekey_ike() {
	ike_spi "$1" "$2"
	old=$IKE_SPI
	if [ "$cli" = cd ]; then
		ctl "$1" --json list-sas --ike "$2"
		ctl "$1" --json rekey --ike-id \
		    "$(printf '%s' "$out" | jq -r '.ike_sas[0].id')"
		[ $rc -eq 0 ] || fail "$1: rekey of the IKE SA $2: exit $rc: $out"
	else
		sw_ctl "$1" --rekey --ike "$2" >/dev/null ||
		    fail "$1: swanctl --rekey --ike $2"
	fi
	i=0
	while :; do
		ike_spi "$1" "$2"
		[ "$IKE_N" != 1 ] || [ "$IKE_SPI" = "$old" ] || break
		i=$((i + 1))
		[ $i -lt 50 ] || fail "$1: the rekey of the IKE SA $2 did not finish"
		sleep 0.2
	done
	pass "$1 rekeyed the IKE SA $2 (${old%%_*} -> ${IKE_SPI%%_*})"
}

# --- checks ------------------------------------------------------------------

# snap HOST...: take each HOST's SAs and policies (vm_xfrm_states,
# vm_xfrm_policies) for sa, spi_sa, expect_sa and expect_policy, which
# look at these snapshots: a process start costs 0.1 to 0.3 s under TCG.
snap() {
	for h in "$@"; do
		eval "ST_$h=\$(vm_xfrm_states \"\$h\")"
		eval "PO_$h=\$(vm_xfrm_policies \"\$h\")"
	done
}

# states HOST, policies HOST: HOST's snapshot.
states() {
	eval "printf '%s\\n' \"\$ST_$1\""
}
policies() {
	eval "printf '%s\\n' \"\$PO_$1\""
}

# sa HOST SRC DST MODE: HOST's only SA from SRC to DST in MODE: its SPI,
# encapsulation and packet counter in SA_SPI, SA_ENCAP, SA_PK; fails
# unless there is exactly one.
sa() {
	r=$(states "$1" | awk -v s="$2" -v d="$3" -v m="$4" \
	    '$1 == s && $2 == d && $3 == "esp" && $5 == m { print $4, $9, $7 }')
	if [ -z "$r" ] || [ "$(printf '%s\n' "$r" | grep -c .)" != 1 ]; then
		states "$1" | sed "s/^/  $1: /"
		fail "$1: not exactly one $4 SA $2 -> $3"
	fi
	# shellcheck disable=SC2086 # three words
	set -- $r
	SA_SPI=$1 SA_ENCAP=$2 SA_PK=$3
}

# spi_sa HOST SPI: "SRC DST MODE ENCAP PACKETS" of HOST's SA with SPI.
spi_sa() {
	states "$1" | awk -v p="$2" '$4 == p { print $1, $2, $5, $9, $7 }'
}

# expect_sa WHAT HOST SPI SRC DST MODE ENCAP: HOST's SA SPI is as given.
expect_sa() {
	r=$(spi_sa "$2" "$3")
	set -- "$1" "$2" "$3" "$4 $5 $6 $7"
	[ "${r% *}" = "$4" ] || {
		states "$2" | sed "s/^/  $2: /"
		fail "$1: $2's SA $3 is '${r% *}', not '$4'"
	}
	pass "$1: $2's SA $3 is $4"
}

# nsas HOST: the number of SAs in HOST's kernel (now).
nsas() {
	ip -n "$1" xfrm state | grep -c '^src' || :
}

# expect_policy WHAT HOST LINE: HOST's SPD holds LINE (vm_xfrm_policies).
expect_policy() {
	assert_contains "$(policies "$2")" "$3" "$1: $2's policy $3"
}

# ctl_check WHAT HOST NAT_LOCAL NAT_REMOTE: HOST's charond lists its
# CHILD SAs as its kernel holds them: for each one, both SPIs in the
# kernel between the IKE SA's addresses, ESP in UDP with the IKE SA's
# ports (4500 here) when encap is true, the kernel's packet counters;
# every IKE SA with these NAT flags; no SA in the kernel that list-sas
# does not show.
ctl_check() {
	ctl "$2" --json list-sas
	[ $rc -eq 0 ] || fail "$1: $2: list-sas: exit $rc: $out"
	rows=$(printf '%s' "$out" | jq -r '.ike_sas[] | . as $i |
	    .children[] | [$i.local.addr, $i.local.port, $i.remote.addr,
	    $i.remote.port, $i.nat.local, $i.nat.remote, .name, .mode,
	    .encap, .spi_in, .spi_out, .packets_in, .packets_out] |
	    map(tostring) | join(" ")') ||
	    fail "$1: $2: list-sas is not what jq expects: $out"
	[ -n "$rows" ] || fail "$1: $2 lists no CHILD SA: $out"
	n=0
	kst=$(vm_xfrm_states "$2")
	while read -r la lp ra rp nl nr name mode encap si so pi po; do
		[ "$nl $nr" = "$3 $4" ] ||
		    fail "$1: $2: IKE SA $la:$lp-$ra:$rp nat {local: $nl," \
		    "remote: $nr}, expected {$3, $4}"
		[ "$lp" = 4500 ] ||
		    fail "$1: $2: IKE SA $la:$lp-$ra:$rp not on port 4500"
		[ "$encap" = true ] || fail "$1: $2: child $name encap $encap"
		ko=$(printf '%s\n' "$kst" | awk -v p="0x$so" '$4 == p')
		ki=$(printf '%s\n' "$kst" | awk -v p="0x$si" '$4 == p')
		set -- "$1" "$2" "$3" "$4" "$la $ra esp 0x$so $mode $ALG" \
		    "$ra $la esp 0x$si $mode $ALG"
		case $ko in
		"$5 $po 0 espinudp:$lp:$rp") ;;
		*) fail "$1: $2: child $name out: list-sas '$5 $po" \
		    "espinudp:$lp:$rp', kernel '$ko'" ;;
		esac
		case $ki in
		"$6 $pi 0 espinudp:$rp:$lp") ;;
		*) fail "$1: $2: child $name in: list-sas '$6 $pi" \
		    "espinudp:$rp:$lp', kernel '$ki'" ;;
		esac
		n=$((n + 2))
	done <<EOF
$rows
EOF
	[ "$(printf '%s\n' "$kst" | grep -c .)" = $n ] ||
	    fail "$1: $2's kernel holds SAs list-sas does not show"
	pass "$1: $2's list-sas matches its kernel ($((n / 2)) CHILD SAs," \
	    "nat {local: $3, remote: $4}, ESP in UDP, packet counters)"
}

# ping_ok WHAT HOST ARGS...: N pings (-c N first in ARGS) all answered.
ping_ok() {
	w=$1
	h=$2
	shift 2
	assert_ok "$w" vm_in "$h" ping -i 0.2 -W 2 -q "$@"
}

# check_tunnel WHAT HOST ADDR PUBPORT: HOST (ADDR) and sun hold one tunnel
# mode pair ADDR <-> 10.2.0.0/16, ESP in UDP 4500 on HOST, the NAT's
# PUBPORT on sun; sets OUT, IN (HOST's SPIs) and OUT_PK, IN_PK (packets).
check_tunnel() {
	snap "$2" sun
	sa "$2" "$3" "$SUN" tunnel
	OUT=$SA_SPI OUT_PK=$SA_PK
	[ "$SA_ENCAP" = espinudp:4500:4500 ] || fail "$1: $2's outbound SA" \
	    "$OUT encap $SA_ENCAP, not espinudp:4500:4500"
	sa "$2" "$SUN" "$3" tunnel
	IN=$SA_SPI IN_PK=$SA_PK
	[ "$SA_ENCAP" = espinudp:4500:4500 ] || fail "$1: $2's inbound SA" \
	    "$IN encap $SA_ENCAP, not espinudp:4500:4500"
	pass "$1: $2's SAs $OUT/$IN are ESP in UDP 4500 <-> 4500"
	expect_sa "$1" sun "$OUT" "$PUB" "$SUN" tunnel "espinudp:$4:4500"
	expect_sa "$1" sun "$IN" "$SUN" "$PUB" tunnel "espinudp:4500:$4"
	expect_policy "$1" "$2" "$3/32 10.2.0.0/16 out $3 $SUN esp tunnel"
	expect_policy "$1" "$2" "10.2.0.0/16 $3/32 in $SUN $3 esp tunnel"
	expect_policy "$1" sun "10.2.0.0/16 $3/32 out $SUN $PUB esp tunnel"
	expect_policy "$1" sun "$3/32 10.2.0.0/16 in $PUB $SUN esp tunnel"
}

# pkts HOST SPI: the packet counter of HOST's SA SPI (now).
pkts() {
	vm_xfrm_states "$1" | awk -v p="$2" '$4 == p { print $7 }'
}

# pubport ADDR: set PUBPORT to the NAT's public port for ADDR:4500
# towards sun.
pubport() {
	PUBPORT=$(nat_public_port "$1" 4500)
	[ -n "$PUBPORT" ] || { nat_mappings; fail "no NAT mapping for $1:4500"; }
}

# sun_ports WHAT PORT...: sun's charond lists its IKE SAs with the NAT's
# public address and these ports, one each.
sun_ports() {
	w=$1
	shift
	ctl sun --json list-sas
	ports=$(printf '%s' "$out" | jq -r '[.ike_sas[] |
	    "\(.remote.addr):\(.remote.port)"] | sort | join(" ")')
	exp=$(for p in "$@"; do echo "$PUB:$p"; done | sort | tr '\n' ' ')
	[ "$ports " = "$exp" ] ||
	    fail "$w: sun's IKE SAs are with $ports, not $exp"
	pass "$w: sun's IKE SAs are with the NAT's $*"
}

# check_ctl WHAT: list-sas against the kernel on every charond host.
check_ctl() {
	if [ "$cli" = cd ]; then
		for h in $clients; do
			ctl_check "$1" "$h" true false
		done
	fi
	[ "$srv" = sw ] || ctl_check "$1" sun false true
}

# --- the network and the daemons ---------------------------------------------

clients="alice bob"
nat_topology alice bob
nat_masq "$masq"
if [ "$srv" = cd ]; then cd_server; else sw_server; fi
if [ "$cli" = cd ]; then
	cd_client alice "$ALICE" alice.example.org
	cd_client bob "$BOB" bob.example.org
else
	sw_client alice "$ALICE" alice.example.org
	sw_client bob "$BOB" bob.example.org
fi
if [ "$cli" = sw ]; then
	sw_wait_ready alice bob
	sw_load alice
	sw_load bob
fi
if [ "$srv" = sw ]; then
	sw_wait_ready sun
	sw_load sun
fi
for h in alice bob sun; do
	[ ! -f "$CD_DIR/$h/pid" ] || cd_ready "$h"
done
pass "daemons up: $cli on alice and bob, $srv on sun"

# --- tunnel: two clients behind one NAT --------------------------------------
phase "tunnel: alice and bob behind the same NAT"
up alice net gw
up bob net gw
[ "$(nat_count esp_dropped)" = 0 ] || fail "plain ESP reached the NAT"
pubport "$ALICE"
pa=$PUBPORT
pubport "$BOB"
pb=$PUBPORT
[ "$pa" != "$pb" ] || fail "the NAT gave alice and bob the same port $pa"
pass "the NAT maps alice's 4500 to $pa, bob's to $pb"
ping_ok "tunnel: alice pings sun's LAN" alice -c 3 10.2.0.1
ping_ok "tunnel: bob pings sun's LAN" bob -c 3 10.2.0.1
# From here the clients are idle until the remap: the keepalive step
# counts what this capture sees meanwhile.
ka0=$(nat_count keepalive_out)
nat_capture nat eth1 /tmp/ka 'udp port 4500 and udp[4:2] = 9 and udp[8] = 0xff'
read -r ka_t0 _ </proc/uptime
ka_t0=${ka_t0%.*}
check_tunnel tunnel alice "$ALICE" "$pa"
a_out=$OUT a_in=$IN
assert_ge "tunnel: alice's pings through her outbound SA" "$OUT_PK" 3
assert_ge "tunnel: and back through her inbound SA" "$IN_PK" 3
assert_ge "tunnel: sun counts alice's pings" "$(pkts sun "$OUT")" 3
check_tunnel tunnel bob "$BOB" "$pb"
b_out=$OUT
assert_ge "tunnel: bob's pings through his outbound SA" "$OUT_PK" 3
assert_ge "tunnel: sun counts bob's pings" "$(pkts sun "$OUT")" 3
[ "$(nsas sun)" = 4 ] || fail "tunnel: sun holds $(nsas sun) SAs, not 4"
pass "tunnel: sun holds exactly the four SAs"
[ "$(nat_count esp_dropped)" = 0 ] || fail "plain ESP reached the NAT"
assert_ge "tunnel: ESP in UDP 4500 through the NAT" "$(nat_count nat_t_out)" 6
check_ctl tunnel
[ "$srv" = sw ] || sun_ports tunnel "$pa" "$pb"

# --- keepalive -----------------------------------------------------------------
phase "keepalive: ${KEEPALIVE}s interval, clients idle"
# Until three from each client, 12 s after the last ping at most.
while :; do
	na=$(grep -c -F " $PUB.$pa > $SUN.4500: " /tmp/ka || :)
	nb=$(grep -c -F " $PUB.$pb > $SUN.4500: " /tmp/ka || :)
	[ "$na" -lt 3 ] || [ "$nb" -lt 3 ] || break
	read -r t _ </proc/uptime
	[ "${t%.*}" -lt $((ka_t0 + 12)) ] || break
	sleep 0.5
done
read -r t _ </proc/uptime
nat_capture_stop
echo "  keepalives on the NAT's public side in $((${t%.*} - ka_t0)) s:"
sed 's/^/  | /' /tmp/ka
for c in "alice $pa" "bob $pb"; do
	# shellcheck disable=SC2086 # name and port
	set -- $c
	grep -F " $PUB.$2 > $SUN.4500: " /tmp/ka >"/tmp/ka.$1" || :
	n=$(grep -c . "/tmp/ka.$1" || :)
	assert_ge "keepalive: $1's keepalives from the NAT's $2 to 4500" "$n" 3
	iv=$(nat_intervals "/tmp/ka.$1" | tr '\n' ' ')
	for t in $iv; do
		awk -v t="$t" 'BEGIN { exit !(t >= 1.0 && t <= 3.5) }' ||
		    fail "keepalive: $1's intervals ($iv) are not about ${KEEPALIVE}s"
	done
	pass "keepalive: $1's intervals $iv"
done
assert_not_contains "$(cat /tmp/ka)" " $SUN.4500 > " \
    "keepalive: sun, not behind a NAT, sends none"
ka=$(($(nat_count keepalive_out) - ka0))
assert_ge "keepalive: UDP 4500 -> 4500 with one 0xFF byte from the LAN" \
    "$ka" 6

# --- remap: the NAT forgets and moves ------------------------------------------
phase "remap: new NAT mappings"
if [ "$masq" = random ]; then
	nat_flush
else
	nat_masq range 20000-29999
	nat_flush
fi
# bob: IKE first (a CHILD SA rekey from the new port), then sun pings him.
rekey bob gw net "$b_out"
pubport "$BOB"
pb2=$PUBPORT
[ "$pb2" != "$pb" ] || fail "remap: the NAT kept bob's port $pb"
check_tunnel remap bob "$BOB" "$pb2"
[ "$OUT" != "$b_out" ] || fail "remap: bob's SA was not rekeyed"
ping_ok "remap: sun's LAN pings bob" sun -c 3 -I 10.2.0.1 "$BOB"
assert_ge "remap: bob's new inbound SA counts sun's pings" "$(pkts bob "$IN")" 3
# alice: ESP first (sun's kernel reports the new mapping, XFRM_MSG_MAPPING),
# answered once sun followed it.
sw_now
t0=$SW_NOW
i=0
until vm_in alice ping -c 1 -W 1 -q 10.2.0.1 >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -ge $((KEEPALIVE + 4)) ]; then
		snap sun
		fail "remap: alice's traffic did not recover within $i s:" \
		    "sun's SA $a_out is '$(spi_sa sun "$a_out")'," \
		    "the NAT maps her to $(nat_public_port "$ALICE" 4500)" \
		    "(did sun's charond hear the kernel's XFRM_MSG_MAPPING?)"
	fi
done
sw_now
pass "remap: alice's traffic recovered after $i lost pings ($((SW_NOW - t0)) s)"
pubport "$ALICE"
pa2=$PUBPORT
[ "$pa2" != "$pa" ] || fail "remap: the NAT kept alice's port $pa"
ping_ok "remap: alice pings sun's LAN" alice -c 3 10.2.0.1
check_tunnel remap alice "$ALICE" "$pa2"
[ "$OUT $IN" = "$a_out $a_in" ] ||
    fail "remap: alice's SAs changed ($a_out/$a_in -> $OUT/$IN)"
pass "remap: sun moved alice's SAs $OUT/$IN to the NAT's new port $pa2"
# The old pair goes with the DELETE that follows the rekey.
cd_wait_states sun 4 || fail "remap: sun holds $(nsas sun) SAs, not 4"
[ "$(nsas alice) $(nsas bob)" = "2 2" ] ||
    fail "remap: alice and bob hold $(nsas alice) and $(nsas bob) SAs"
pass "remap: no stale SA (4 on sun, 2 on each client)"
check_ctl remap
[ "$srv" = sw ] || sun_ports remap "$pa2" "$pb2"

# --- transport -----------------------------------------------------------------
phase "transport: alice rekeys her IKE SA, then adds a transport mode CHILD SA"
# The new IKE SA runs through the same NAT: the CHILD SA it creates must
# be ESP in UDP with the NAT's ports too.
rekey_ike alice gw
if [ "$srv" = cd ]; then
	# alice's CREATE_CHILD_SA request (UDP 4500, non-ESP marker, IKE
	# exchange 36, not a response), to be replayed from another port.
	vm_in sun tcpdump -i eth0 -n -c 1 -Z root -w /tmp/ccsa.pcap \
	    "src $PUB and udp dst port 4500 and udp[8:4] = 0 and" \
	    "udp[30] = 36 and udp[31] & 0x20 = 0" 2>/tmp/ccsa.err &
	cap=$!
	i=0
	until grep -q "listening on" /tmp/ccsa.err 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "transport: tcpdump on sun did not start"
		sleep 0.1
	done
fi
up alice host gw
snap alice sun
sa alice "$ALICE" "$SUN" transport
t_out=$SA_SPI
[ "$SA_ENCAP" = espinudp:4500:4500 ] || fail "transport: alice's SA encap $SA_ENCAP"
sa alice "$SUN" "$ALICE" transport
t_in=$SA_SPI
[ "$SA_ENCAP" = espinudp:4500:4500 ] || fail "transport: alice's SA encap $SA_ENCAP"
pass "transport: alice's SAs $t_out/$t_in are ESP in UDP 4500 <-> 4500"
expect_sa transport sun "$t_out" "$PUB" "$SUN" transport "espinudp:$pa2:4500"
expect_sa transport sun "$t_in" "$SUN" "$PUB" transport "espinudp:4500:$pa2"
expect_policy transport alice "$ALICE/32 $SUN/32 out"
expect_policy transport sun "$SUN/32 $PUB/32 out"
expect_policy transport sun "$PUB/32 $SUN/32 in"
ping_ok "transport: alice pings sun" alice -c 3 "$SUN"
assert_ge "transport: sun's inbound transport SA counts them" \
    "$(pkts sun "$t_out")" 3
assert_ge "transport: alice's inbound transport SA counts the answers" \
    "$(pkts alice "$t_in")" 3
[ "$(nsas sun)" = 6 ] || fail "transport: sun holds $(nsas sun) SAs, not 6"
check_ctl transport
if [ "$srv" = cd ]; then
	# A replay of alice's authenticated request from another port of the
	# NAT's address (the router's own socket): the ICV checks, but it is
	# a retransmission, which must not move her IKE SA (2.23 follows a
	# peer only on new, authenticated messages).
	wait "$cap" || { cat /tmp/ccsa.err; fail "transport: nothing captured"; }
	# The datagram's UDP payload, from the pcap file (24 bytes of file
	# header, 16 of packet header, 14 of Ethernet, the IP header), sent
	# three times from the router's own 40404.
	r0=$(grep -c "retransmitted request" "$CD_DIR/sun/log" || :)
	vm_in nat python3 -S -c 'import socket, sys
p = open(sys.argv[1], "rb").read()[24 + 16 + 14:]
d = p[(p[0] & 15) * 4 + 8:]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[2], 40404))
for i in range(3):
    s.sendto(d, (sys.argv[3], 4500))' \
	    /tmp/ccsa.pcap "$PUB" "$SUN" || fail "transport: the replay failed"
	sleep 0.5
	r1=$(grep -c "retransmitted request" "$CD_DIR/sun/log" || :)
	assert_ge "transport: sun answered the replays as retransmissions" \
	    "$((r1 - r0))" 1
	sun_ports "transport: after a replay of alice's request from port 40404" \
	    "$pa2" "$pb2"
	snap sun
	expect_sa transport sun "$t_in" "$SUN" "$PUB" transport \
	    "espinudp:4500:$pa2"
	ping_ok "transport: alice still pings sun" alice -c 2 "$SUN"
fi

# --- close -----------------------------------------------------------------------
phase "close: the clients close everything"
down alice gw
down bob gw
cd_wait_states sun 0 || :
for h in alice bob sun; do
	[ "$(nsas "$h")" = 0 ] || fail "close: SAs left on $h"
	[ -z "$(vm_xfrm_policies "$h")" ] || fail "close: policies left on $h"
done
pass "close: no SA or policy left on alice, bob or sun"

# --- encap: true without a NAT -----------------------------------------------------
phase "encap: no NAT, alice forces UDP encapsulation"
nat_masq off
nat_flush
out=$(vm_in alice ping -c 1 -W 2 "$SUN") || fail "encap: no route without NAT"
up alice enc enc
snap alice sun
sa alice "$ALICE" "$SUN" tunnel
e_out=$SA_SPI
[ "$SA_ENCAP" = espinudp:4500:4500 ] || fail "encap: alice's outbound SA encap $SA_ENCAP"
sa alice "$SUN" "$ALICE" tunnel
e_in=$SA_SPI
[ "$SA_ENCAP" = espinudp:4500:4500 ] || fail "encap: alice's inbound SA encap $SA_ENCAP"
expect_sa encap sun "$e_out" "$ALICE" "$SUN" tunnel espinudp:4500:4500
expect_sa encap sun "$e_in" "$SUN" "$ALICE" tunnel espinudp:4500:4500
expect_policy encap sun "10.2.0.0/16 $ALICE/32 out $SUN $ALICE esp tunnel"
t0=$(nat_count nat_t_out)
ping_ok "encap: alice pings sun's LAN" alice -c 3 10.2.0.1
assert_ge "encap: sun's inbound SA counts them" "$(pkts sun "$e_out")" 3
assert_ge "encap: the router forwarded them as UDP to 4500" \
    "$(($(nat_count nat_t_out) - t0))" 3
[ "$(nat_count esp_dropped)" = 0 ] || fail "encap: plain ESP on the wire"
pass "encap: no plain ESP on the wire"
if [ "$cli" = cd ]; then
	ctl alice --json list-sas
	r=$(printf '%s' "$out" | jq -r '.ike_sas[0] |
	    "\(.local.port) \(.remote.port) \(.children[0].encap)"')
	[ "$r" = "4500 4500 true" ] ||
	    fail "encap: alice lists ports and encap '$r': $out"
	pass "encap: alice lists 4500 <-> 4500, encap true"
fi
if [ "$srv" = cd ]; then
	ctl_check encap sun false true
fi
down alice enc
cd_wait_states sun 0 || :
for h in alice sun; do
	[ "$(nsas "$h")" = 0 ] || fail "encap: SAs left on $h"
done
pass "encap: closed, no SA left"
phase "natt $pairing: done"
