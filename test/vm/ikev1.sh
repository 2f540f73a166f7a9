#!/bin/sh
# SPDX-License-Identifier: ISC
#
# IKEv1 between charond (on moon, 192.0.2.1) and strongSwan 5.9.8 (on sun,
# 192.0.2.2), Main Mode and Quick Mode with a pre-shared key; one case per
# run, test/vm/scenarios/ikev1-*.sh name them:
#   charond-initiates     tunnel 10.1/16 <-> 10.2/16 with PFS
#                         (aes128-sha256-modp2048 / aes128-sha256-modp2048),
#                         ping; charond rekeys the pair, then strongSwan
#                         does, a ping through each new pair; then
#                         charond offers ESP strongSwan refuses, then
#                         phase 1 proposals it refuses: nothing more in
#                         either kernel, charond's line
#   strongswan-initiates  a tunnel (aes256-sha256-modp3072), rekeyed by
#                         each side and deleted by charond; then
#                         transport for udp/1701 as an L2TP client sets it
#                         up (3des-sha1-modp1024 / aes128-sha1), the
#                         policies for udp 1701 only and datagrams through
#                         the pair; then strongSwan with another key:
#                         nothing in either kernel, charond's line
#   clients               an L2TP/IPsec server as deployed
#                         (etc/examples/l2tp-server.yaml's proposals), and
#                         strongSwan offering what Windows, macOS and
#                         Android <= 11 offer (../shared/docs/clients.md),
#                         each with its quirk: Windows' private address as
#                         its ID, macOS' random L2TP source port; each gets
#                         the expected proposal, its datagrams go through,
#                         and its DELETE leaves moon's kernel empty
# A case passes when both kernels hold exactly the negotiated SAs (or
# nothing) and traffic goes through them.
set -eu
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/lib.sh"
# shellcheck source=/dev/null
. "${0%/*}/charond.sh"
# shellcheck source=/dev/null
. "${0%/*}/strongswan.sh"
vm_require_guest

c=${1:?case}
m=192.0.2.1 s=192.0.2.2
psk="ikev1 interop key"

vm_host moon sun
vm_link moon eth0 192.0.2.1/24 sun eth0 192.0.2.2/24
vm_dummy moon lan 10.1.0.1/16
vm_dummy sun lan 10.2.0.1/16
ip -n moon route add 10.2.0.0/16 via 192.0.2.2
ip -n sun route add 10.1.0.0/16 via 192.0.2.1

ctl() { "$CHAROND_BUILD/bin/charonctl" -S "$CD_DIR/moon/ctl.sock" "$@"; }

# "OUT IN", the SPIs (as ip shows them) of the pair charond lists as
# INSTALLED: the newest (a pair a rekey replaced shows REKEYED).
pair() {
	ctl --json list-sas | python3 -c 'import json, sys
for s in json.load(sys.stdin)["ike_sas"]:
    for c in s["children"]:
        if c["state"] == "INSTALLED":
            print("0x" + c["spi_out"], "0x" + c["spi_in"])
            sys.exit(0)'
}

# Both kernels hold N SAs, else the logs and a failure.
want_states() {
	if ! cd_wait_states moon "$1" || ! cd_wait_states sun "$1"; then
		ip -n moon xfrm state | grep '^src\|spi'
		ip -n sun xfrm state | grep '^src\|spi'
		cd_log moon
		sw_log sun 40
		fail "$c: not $1 SAs in each kernel ($2)"
	fi
	pass "$c: $1 SAs in each kernel ($2)"
}

# The packet counter of the SA with SPI (0x...) in HOST's kernel.
packets() {
	# shellcheck disable=SC2016 # awk's $n, not the shell's
	ip -n "$1" -s xfrm state | awk -v spi="$2" '
	$1 == "proto" { x = $4; sub(/\(.*/, "", x); f = x == spi }
	f && $2 ~ /^[0-9]+\(packets\)$/ { sub(/\(.*/, "", $2); print $2; exit }'
}

# The pair charond lists as INSTALLED is in both kernels; OUT and IN
# set to its SPIs.
check_pair() {
	# shellcheck disable=SC2046 # two words wanted
	set -- $(pair)
	OUT=${1:-none} IN=${2:-none}
	for h in moon sun; do
		for spi in "$OUT" "$IN"; do
			ip -n $h xfrm state | grep -q "spi $spi " || {
				ip -n $h xfrm state | grep 'spi'
				cd_log moon
				fail "$c: SPI $spi is not in $h's kernel"
			}
		done
	done
	pass "$c: the pair ($OUT, $IN) is in both kernels"
}

ping_through() {
	assert_ok "$c: ping through ESP ($1)" \
	    vm_in moon ping -c 2 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1
}

case $c in
charond-initiates)
	CD_VERSION=1 cd_conf /tmp/moon.yaml "$m" "$s" aes128-sha256-modp2048 \
	    aes128-sha256-modp2048 tunnel "$psk" start 10.1.0.0/16 10.2.0.0/16
	sw_start sun
	sw_psk sun version=1 local="$s" remote="$m" \
	    ike=aes128-sha256-modp2048 esp=aes128-sha256-modp2048 \
	    local_ts=10.2.0.0/16 remote_ts=10.1.0.0/16 psk="$psk"
	sw_load sun
	cd_start moon /tmp/moon.yaml
	want_states 2 "Main Mode and Quick Mode"
	check_pair
	assert_contains "$(vm_xfrm_states moon)" "tunnel hmac(sha256)+cbc(aes)" \
	    "$c: charond's SA is tunnel aes128-sha256"
	grep -q "Quick Mode done: CHILD SA 'net' (tunnel mode, lifetime .*PFS)" \
	    "$CD_DIR/moon/log" || { cd_log moon; fail "$c: no PFS line"; }
	pass "$c: charond says Quick Mode is done, with PFS"
	sw_list_sas sun | grep -q "IKEv1" ||
	    { sw_list_sas sun; fail "$c: strongSwan lists no IKEv1 SA"; }
	ping_through "the first pair"
	first=$OUT

	# charond rekeys: a second pair, traffic through it.
	ike=$(ctl --json list-sas | python3 -c 'import json, sys
d = json.load(sys.stdin)["ike_sas"][0]
print(d["id"], d["children"][0]["id"])')
	# shellcheck disable=SC2086 # two words wanted
	set -- $ike
	assert_ok "$c: charond rekeys the pair" \
	    ctl rekey --ike-id "$1" --child-id "$2"
	i=0
	while [ "$(pair)" = "$first ${IN}" ] && [ $i -lt 50 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	check_pair
	[ "$OUT" != "$first" ] || fail "$c: the rekey made no new pair"
	ping_through "charond's new pair"
	second=$OUT
	assert_ge "$c: strongSwan received on the new pair" \
	    "$(packets sun "$OUT")" 2
	assert_ge "$c: the old pair stays a while on moon (REKEYED)" \
	    "$(ctl --json list-sas | grep -c REKEYED)" 1

	# strongSwan rekeys: charond takes it.
	assert_ok "$c: strongSwan rekeys the pair" sw_rekey_child sun net
	i=0
	while [ "$(pair | cut -d' ' -f1)" = "$second" ] && [ $i -lt 50 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	check_pair
	[ "$OUT" != "$second" ] ||
	    { cd_log moon; sw_log sun 40; fail "$c: no new pair from strongSwan's rekey"; }
	ping_through "strongSwan's new pair"
	assert_ge "$c: strongSwan received on its new pair" \
	    "$(packets sun "$OUT")" 2

	# The ISAKMP SA replaced by either side: the IPsec SAs are kept
	# (strongSwan's) or renewed (charond's) under the new one, and
	# traffic goes on through them.
	for who in strongswan charond; do
		# strongSwan's reauthentication hands its pairs over, charond's
		# renews them under the new SA.
		line="CHILD SA(s) kept under it"
		[ $who = strongswan ] || line="CHILD SA(s) renewed under it"
		before=$(grep -c "$line" "$CD_DIR/moon/log" || :)
		if [ $who = strongswan ]; then
			assert_ok "$c: strongSwan replaces the ISAKMP SA" \
			    sw_ctl sun --rekey --ike gw --reauth
		else
			# The one that holds the pairs.
			ike=$(ctl --json list-sas | python3 -c 'import json, sys
print([s["id"] for s in json.load(sys.stdin)["ike_sas"] if s["children"]][0])')
			assert_ok "$c: charond replaces the ISAKMP SA" \
			    ctl rekey --ike-id "$ike"
		fi
		i=0
		while [ "$(grep -c "$line" "$CD_DIR/moon/log")" = "$before" ]; do
			[ $i -lt 100 ] || { cd_log moon; sw_log sun 60; fail "$c: $who's new ISAKMP SA did not take the IPsec SAs"; }
			sleep 0.1
			i=$((i + 1))
		done
		sleep 1
		# The newest ISAKMP SA holds every pair; an older one none
		# (strongSwan deletes its old one later, charond at once).
		n=$(ctl --json list-sas | python3 -c 'import json, sys
d = sorted(json.load(sys.stdin)["ike_sas"], key=lambda s: s["id"])
print(len(d[-1]["children"]), sum(len(s["children"]) for s in d[:-1]))')
		case $n in
		[1-9]*" 0") pass "$c: the newest ISAKMP SA on moon has the pairs after $who's ($n)" ;;
		*) cd_log moon; fail "$c: moon's pairs after $who's: '$n' (newest, others)" ;;
		esac
		sw_list_sas sun | grep -q "INSTALLED" ||
		    { sw_list_sas sun; sw_log sun 60; fail "$c: strongSwan lost its IPsec SAs"; }
		ping_through "after $who replaced the ISAKMP SA"
	done

	# ESP strongSwan does not accept: refused, nothing new installed.
	n=$(ip -n moon xfrm state | grep -c '^src')
	cd_stop moon || fail "$c: charond did not exit"
	sw_ctl sun --terminate --ike gw >/dev/null 2>&1 || :
	ip -n moon xfrm state flush
	ip -n moon xfrm policy flush
	want_states 0 "before the refused offer"
	CD_VERSION=1 cd_conf /tmp/moon.yaml "$m" "$s" aes128-sha256-modp2048 \
	    3des-md5 tunnel "$psk" start 10.1.0.0/16 10.2.0.0/16
	cd_start moon /tmp/moon.yaml
	sleep 4
	want_states 0 "after an ESP proposal strongSwan refuses"
	sw_log sun 200 | grep -q "no matching proposal found\|NO_PROPOSAL_CHOSEN" ||
	    { sw_log sun 40; fail "$c: strongSwan did not refuse the proposal"; }
	pass "$c: strongSwan refused the Quick Mode proposal ($n SAs before)"

	# Main Mode proposals strongSwan refuses: its NO-PROPOSAL-CHOSEN
	# ends the attempt with charond's line, nothing installed.
	cd_stop moon || fail "$c: charond did not exit"
	CD_VERSION=1 cd_conf /tmp/moon.yaml "$m" "$s" aes256-sha512-modp4096 \
	    aes128-sha256 tunnel "$psk" start 10.1.0.0/16 10.2.0.0/16
	cd_start moon /tmp/moon.yaml
	i=0
	until grep -q "peer accepts none of our Main Mode proposals" \
	    "$CD_DIR/moon/log"; do
		[ $i -lt 50 ] || { cd_log moon; sw_log sun 30; fail "$c: no NO-PROPOSAL-CHOSEN line"; }
		sleep 0.2
		i=$((i + 1))
	done
	want_states 0 "after Main Mode proposals strongSwan refuses"
	pass "$c: strongSwan refused our Main Mode proposals, charond said so"
	;;
strongswan-initiates)
	# A tunnel first: strongSwan, the ISAKMP SA's initiator, brings it
	# up; each side rekeys the pair; charond deletes it.
	CD_VERSION=1 cd_conf /tmp/moon.yaml "$m" "$s" aes256-sha256-modp3072 \
	    aes256-sha256 tunnel "$psk" none 10.1.0.0/16 10.2.0.0/16
	sw_start sun
	sw_psk sun version=1 local="$s" remote="$m" \
	    ike=aes256-sha256-modp3072 esp=aes256-sha256 \
	    local_ts=10.2.0.0/16 remote_ts=10.1.0.0/16 psk="$psk"
	sw_load sun
	cd_start moon /tmp/moon.yaml
	sleep 1
	assert_ok "$c: strongSwan initiates a tunnel" sw_initiate sun net gw
	want_states 2 "tunnel"
	check_pair
	ping_through "the tunnel strongSwan made"
	for who in charond strongswan; do
		before=$OUT
		if [ $who = charond ]; then
			ike=$(ctl --json list-sas | python3 -c 'import json, sys
d = json.load(sys.stdin)["ike_sas"][0]
print(d["id"], [c["id"] for c in d["children"] if c["state"] == "INSTALLED"][0])')
			# shellcheck disable=SC2086 # two words wanted
			set -- $ike
			assert_ok "$c: charond (ISAKMP responder) rekeys the pair" \
			    ctl rekey --ike-id "$1" --child-id "$2"
		else
			assert_ok "$c: strongSwan (ISAKMP initiator) rekeys the pair" \
			    sw_rekey_child sun net
		fi
		i=0
		while [ "$(pair | cut -d' ' -f1)" = "$before" ] && [ $i -lt 50 ]; do
			sleep 0.2
			i=$((i + 1))
		done
		check_pair
		[ "$OUT" != "$before" ] || fail "$c: $who's rekey made no new pair"
		ping_through "$who's new pair"
	done
	ike=$(ctl --json list-sas | python3 -c 'import json, sys
print(json.load(sys.stdin)["ike_sas"][0]["id"])')
	assert_ok "$c: charond (ISAKMP responder) deletes it all" \
	    ctl terminate --ike-id "$ike" --timeout 10
	cd_wait_states sun 0 ||
	    { sw_log sun 40; fail "$c: charond's DELETEs left SAs in strongSwan's kernel"; }
	sw_wait_gone sun ESTABLISHED 10 ||
	    { sw_list_sas sun; fail "$c: strongSwan keeps the ISAKMP SA after its DELETE"; }
	pass "$c: charond's DELETEs emptied strongSwan's kernel and SAs"
	cd_stop moon || fail "$c: charond did not exit"
	ip -n moon xfrm state flush
	ip -n moon xfrm policy flush

	cat >/tmp/moon.yaml <<YAML
daemon:
  listen: ["$m"]
  plugin_dir: "@PLUGIN_DIR@"
connections:
  l2tp:
    version: 1
    local_addrs: ["$m"]
    proposals: [aes256-sha256-modp2048, 3des-sha1-modp1024]
    local: {auth: psk}
    remote: {auth: psk}
    children:
      l2tp:
        mode: transport
        local_ts: ["dynamic[udp/1701]"]
        remote_ts: ["dynamic[udp/1701]"]
        esp_proposals: [aes128-sha1, 3des-sha1]
secrets:
  psk:
    - secret: "$psk"
YAML
	sw_psk sun version=1 local="$s" remote="$m" ike=3des-sha1-modp1024 \
	    esp=aes128-sha1 mode=transport local_ts='dynamic[udp/1701]' \
	    remote_ts='dynamic[udp/1701]' psk="$psk"
	sw_load sun
	cd_start moon /tmp/moon.yaml
	sleep 1
	assert_ok "$c: strongSwan initiates" sw_initiate sun net gw
	want_states 2 "transport for L2TP"
	check_pair
	assert_contains "$(vm_xfrm_states moon)" "transport hmac(sha1)+cbc(aes)" \
	    "$c: charond's SA is transport aes128-sha1"
	pol=$(ip -n moon xfrm policy)
	assert_contains "$pol" "proto udp sport 1701 dport 1701" \
	    "$c: moon's policies are for udp 1701 only"
	grep -q "phase 1 uses a weak algorithm" "$CD_DIR/moon/log" ||
	    { cd_log moon; fail "$c: no warning for 3des-sha1-modp1024"; }
	pass "$c: charond warned of the weak phase 1 algorithms"
	# L2TP's datagrams go through the pair; others do not.
	vm_in sun python3 -S -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("'"$s"'", 1701))
for i in range(3):
    s.sendto(b"l2tp", ("'"$m"'", 1701))'
	sleep 0.5
	assert_ge "$c: L2TP datagrams arrived through moon's inbound SA" \
	    "$(packets moon "$IN")" 3

	# Another key: nothing in either kernel, and charond says why.
	assert_ok "$c: strongSwan terminates" sw_terminate sun gw
	cd_stop moon || fail "$c: charond did not exit"
	ip -n moon xfrm state flush
	ip -n moon xfrm policy flush
	want_states 0 "before the wrong key"
	sw_psk sun version=1 local="$s" remote="$m" ike=3des-sha1-modp1024 \
	    esp=aes128-sha1 mode=transport local_ts='dynamic[udp/1701]' \
	    remote_ts='dynamic[udp/1701]' psk="not the same key"
	sw_load sun
	cd_start moon /tmp/moon.yaml
	sleep 1
	SW_TIMEOUT=10 assert_fails "$c: strongSwan with another key fails" \
	    sw_initiate sun net gw
	want_states 0 "after a wrong key"
	grep -q "wrong pre-shared key?" "$CD_DIR/moon/log" ||
	    { cd_log moon; fail "$c: charond did not say why"; }
	pass "$c: charond said the key is wrong"
	;;
clients)
	cat >/tmp/moon.yaml <<YAML
daemon:
  listen: ["$m"]
  plugin_dir: "@PLUGIN_DIR@"
connections:
  l2tp:
    version: 1
    local_addrs: ["$m"]
    proposals: [aes256-sha1-ecp384, aes128-sha1-ecp256, aes256-sha1-modp2048,
                aes256-sha256-modp2048, aes128-sha1-modp2048,
                aes256-sha256-modp1024, aes256-sha1-modp1024]
    local: {auth: psk}
    remote: {auth: psk}
    children:
      l2tp:
        mode: transport
        local_ts: ["dynamic[udp/1701]"]
        remote_ts: ["dynamic[udp]"]
        esp_proposals: [aes128-sha1, aes256-sha1, aes256-sha256]
secrets:
  psk:
    - secret: "$psk"
YAML
	cd_start moon /tmp/moon.yaml
	sw_start sun
	# client IKE ESP ID SPORT WANT_IKE WANT_ESP
	while read -r who ike esp id sport want_ike want_esp; do
		lts="dynamic[udp/$sport]"
		[ "$sport" != "%any" ] || lts="dynamic[udp]"
		sw_psk sun version=1 local="$s" remote="$m" local_id="$id" \
		    ike="$ike" esp="$esp" mode=transport local_ts="$lts" \
		    remote_ts='dynamic[udp/1701]' psk="$psk"
		sw_load sun
		assert_ok "$c: $who connects" sw_initiate sun net gw
		want_states 2 "$who"
		check_pair
		got=$(ctl --json list-sas | python3 -c 'import json, sys
s = json.load(sys.stdin)["ike_sas"][0]
print(s["proposal"], s["children"][0]["proposal"], s["children"][0]["mode"])')
		[ "$got" = "$want_ike $want_esp transport" ] ||
		    { cd_log moon; fail "$c: $who got '$got', want '$want_ike $want_esp transport'"; }
		pass "$c: $who gets $want_ike / $want_esp, transport"
		port=$sport
		[ "$port" != "%any" ] || port=49152
		vm_in sun python3 -S -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("'"$s"'", '"$port"'))
for i in range(3):
    s.sendto(b"l2tp", ("'"$m"'", 1701))'
		sleep 0.3
		assert_ge "$c: $who's L2TP datagrams through moon's inbound SA" \
		    "$(packets moon "$IN")" 3
		assert_ok "$c: $who disconnects" sw_terminate sun gw
		cd_wait_states moon 0 ||
		    { cd_log moon; fail "$c: $who's DELETE left SAs on moon"; }
		[ -z "$(vm_xfrm_policies moon)" ] ||
		    { vm_xfrm_policies moon; fail "$c: $who's DELETE left policies on moon"; }
		pass "$c: $who's DELETE leaves moon's kernel empty"
	done <<LIST
Windows aes256-sha1-ecp384,aes128-sha1-ecp256,aes256-sha1-modp2048,aes128-sha1-modp2048,aes256-sha1-modp1024,3des-sha1-modp1024 aes256-sha1,aes128-sha1,3des-sha1 192.168.1.23 1701 aes256-sha1-ecp384 aes128-sha1
macOS aes256-sha256-modp2048,aes256-sha1-modp2048,aes256-md5-modp2048,aes256-sha512-modp2048,aes256-sha256-modp1536,aes256-sha1-modp1536,aes256-sha256-modp1024,aes256-sha1-modp1024,3des-sha1-modp1024 aes128-sha1 $s %any aes256-sha1-modp2048 aes128-sha1
Android aes256-sha256-modp1024,aes128-sha256-modp1024,3des-sha256-modp1024,aes256-sha1-modp1024,aes128-sha1-modp1024,3des-sha1-modp1024,aes256-md5-modp1024 aes256-sha1,aes128-sha1 $s 1701 aes256-sha256-modp1024 aes128-sha1
LIST
	;;
*) fail "unknown case $c" ;;
esac
cd_stop moon || fail "$c: charond did not exit on SIGTERM"
