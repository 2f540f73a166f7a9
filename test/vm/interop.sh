#!/bin/sh
# SPDX-License-Identifier: ISC
#
# charond (on moon, 192.0.2.1) against strongSwan 5.9.8 (on sun,
# 192.0.2.2), one case per run; test/vm/scenarios/interop-*.sh name them:
#   charond-initiates    tunnel 10.1/16 <-> 10.2/16, aes128gcm16-prfsha256-ecp256,
#                        and charond rekeys the IKE SA after 4 s
#   strongswan-initiates transport, aes256-sha256-modp3072, then strongSwan
#                        rekeys the CHILD SA and the IKE SA, and terminates
#   invalid-ke           strongSwan sends ecp256, charond wants modp3072
#   ipv6                 IPv6 outer, aes128gcm16-prfsha256-curve25519, charond initiates
#   wrong-psk            strongSwan initiates with another key
#   no-proposal          charond initiates with proposals strongSwan refuses
# A case passes when both kernels hold exactly the negotiated SAs (or, for
# the failures, nothing) and traffic flows through them.
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
ike=aes128gcm16-prfsha256-ecp256 sw_ike='' esp=aes128gcm16 mode=tunnel
algs='rfc4106(gcm(aes))' psk="interop test key" sw_key=''
ping_from=10.1.0.1 ping_to=10.2.0.1 ts_m=10.1.0.0/16 ts_s=10.2.0.0/16
who=charond expect=up
case $c in
charond-initiates) ;;
strongswan-initiates)
	who=strongswan ike=aes256-sha256-modp3072 esp=aes256-sha256
	mode=transport algs='hmac(sha256)+cbc(aes)'
	ping_from=$m ping_to=$s ts_m='' ts_s=''
	;;
invalid-ke)
	who=strongswan ike=aes128gcm16-prfsha256-modp3072
	sw_ike=aes128gcm16-prfsha256-ecp256-modp3072
	;;
ipv6)
	m=2001:db8::1 s=2001:db8::2 ike=aes128gcm16-prfsha256-curve25519
	mode=transport ping_from=$m ping_to=$s ts_m='' ts_s=''
	;;
wrong-psk) who=strongswan sw_key="not the same key" expect=authfail ;;
no-proposal) sw_ike=aes256-sha512-modp4096 expect=noprop ;;
*) fail "unknown case $c" ;;
esac
echo "--- $c: $who initiates, $mode, $ike / $esp, $m <-> $s"

vm_host moon sun
vm_link moon eth0 192.0.2.1/24,2001:db8::1/64 sun eth0 \
    192.0.2.2/24,2001:db8::2/64
vm_dummy moon lan 10.1.0.1/16
vm_dummy sun lan 10.2.0.1/16
ip -n moon route add 10.2.0.0/16 via 192.0.2.2
ip -n sun route add 10.1.0.0/16 via 192.0.2.1
mac() { ip -n "$1" -br link show eth0 | awk '{ print $3 }'; }
ip -n moon neigh replace 2001:db8::2 lladdr "$(mac sun)" dev eth0 nud permanent
ip -n sun neigh replace 2001:db8::1 lladdr "$(mac moon)" dev eth0 nud permanent

start=none
[ "$who" = charond ] && start=start
ike_rekey=
[ "$c" = charond-initiates ] && ike_rekey=4s
CD_IKE_REKEY=$ike_rekey cd_conf /tmp/moon.yaml "$m" "$s" "$ike" "$esp" \
    "$mode" "$psk" "$start" "$ts_m" "$ts_s"
sw_start sun
sw_psk sun local="$s" remote="$m" ike="${sw_ike:-$ike}" esp="$esp" \
    mode="$mode" local_ts="${ts_s:-dynamic}" remote_ts="${ts_m:-dynamic}" \
    psk="${sw_key:-$psk}"
sw_load sun
cd_start moon /tmp/moon.yaml
sleep 1
if [ "$who" = strongswan ]; then
	if sw_initiate sun net gw; then r=ok; else r=failed; fi
	echo "--- swanctl --initiate: $r"
fi

case $expect in
authfail | noprop)
	sleep 3
	[ "$(ip -n moon xfrm state | grep -c '^src')" = 0 ] ||
	    fail "SAs in moon's kernel after a failed negotiation"
	[ "$(ip -n sun xfrm state | grep -c '^src')" = 0 ] ||
	    fail "SAs in sun's kernel after a failed negotiation"
	pass "$c: nothing installed on either host"
	if [ $expect = authfail ]; then
		grep -q "pre-shared keys differ" "$CD_DIR/moon/log" ||
		    { cd_log moon; fail "charond did not say why"; }
		sw_log sun | grep -q "AUTHENTICATION_FAILED" ||
		    { sw_log sun 30; fail "strongSwan got no AUTHENTICATION_FAILED"; }
		pass "$c: charond logged why, strongSwan got AUTHENTICATION_FAILED"
	else
		# strongSwan's answer is the notify charond reports.
		grep -q "peer refused IKE_SA_INIT with NO_PROPOSAL_CHOSEN" \
		    "$CD_DIR/moon/log" ||
		    { cd_log moon; fail "charond did not log NO_PROPOSAL_CHOSEN"; }
		pass "$c: strongSwan answered NO_PROPOSAL_CHOSEN, charond said so"
	fi
	cd_stop moon || fail "charond did not exit"
	exit 0
	;;
esac

if ! cd_wait_states moon 2 || ! cd_wait_states sun 2; then
	cd_log moon
	sw_log sun 40
	fail "$c: the SAs did not come up"
fi
st_m=$(vm_xfrm_states moon)
st_s=$(vm_xfrm_states sun)
printf '%s\n' "$st_m" | sed 's/^/  moon: /'
printf '%s\n' "$st_s" | sed 's/^/  sun:  /'
out_m=$(echo "$st_m" | awk -v a="$m" '$1 == a { print $4 }')
in_s=$(echo "$st_s" | awk -v a="$m" '$1 == a { print $4 }')
in_m=$(echo "$st_m" | awk -v a="$s" '$1 == a { print $4 }')
out_s=$(echo "$st_s" | awk -v a="$s" '$1 == a { print $4 }')
if [ -z "$out_m" ] || [ "$out_m" != "$in_s" ] || [ "$in_m" != "$out_s" ]; then
	fail "$c: SPIs do not pair up"
fi
pass "$c: SPIs pair up ($out_m, $in_m)"
assert_contains "$st_m" "esp $out_m $mode $algs" "$c: charond's SA is $mode $algs"
assert_contains "$st_s" "esp $out_s $mode $algs" "$c: strongSwan's SA is $mode $algs"
assert_ok "$c: ping through ESP" \
    vm_in moon ping -c 2 -i 0.2 -W 2 -I "$ping_from" "$ping_to"
pk=$(vm_xfrm_states sun | awk -v a="$m" '$1 == a { print $7 }')
assert_ge "$c: packets into strongSwan's inbound SA" "$pk" 2
if [ "$c" = invalid-ke ]; then
	grep -q "asking for group 15" "$CD_DIR/moon/log" ||
	    fail "$c: charond did not ask for group 15"
	pass "$c: charond asked for group 15 (INVALID_KE_PAYLOAD)"
fi

if [ "$c" = strongswan-initiates ]; then
	assert_ok "$c: strongSwan rekeys the CHILD SA" sw_rekey_child sun net
	sleep 2
	st_m=$(vm_xfrm_states moon)
	printf '%s\n' "$st_m" | sed 's/^/  moon: /'
	[ "$(printf '%s\n' "$st_m" | grep -c .)" = 2 ] ||
	    { cd_log moon; fail "$c: not exactly two SAs on moon after the rekey"; }
	new_out=$(echo "$st_m" | awk -v a="$m" '$1 == a { print $4 }')
	[ "$new_out" != "$out_m" ] || fail "$c: the SPIs did not change"
	pass "$c: the rekeyed pair replaced the old one ($new_out)"
	assert_ok "$c: ping through the rekeyed SAs" \
	    vm_in moon ping -c 2 -i 0.2 -W 2 -I "$ping_from" "$ping_to"
	assert_ok "$c: strongSwan rekeys the IKE SA" sw_ctl sun --rekey --ike gw
	sleep 2
	grep -q "IKE SA rekeyed by the peer" "$CD_DIR/moon/log" ||
	    { cd_log moon; fail "$c: charond did not take the IKE SA rekey"; }
	[ "$(vm_xfrm_states moon | grep -c .)" = 2 ] ||
	    fail "$c: the CHILD SA did not survive the IKE SA rekey"
	assert_ok "$c: ping after the IKE SA rekey" \
	    vm_in moon ping -c 2 -i 0.2 -W 2 -I "$ping_from" "$ping_to"
	assert_ok "$c: strongSwan terminates" sw_terminate sun gw
	cd_wait_states moon 0 || { cd_log moon; fail "$c: SAs left on moon"; }
	[ -z "$(vm_xfrm_policies moon)" ] || fail "$c: policies left on moon"
	pass "$c: strongSwan's DELETE removed everything on moon"
	cd_stop moon || fail "charond did not exit"
	exit 0
fi

if [ "$c" = charond-initiates ]; then
	# charond (CD_IKE_REKEY=4s) rekeys the IKE SA with strongSwan.
	i=0
	until grep -q "IKE SA rekeyed (replaces" "$CD_DIR/moon/log"; do
		[ $i -lt 150 ] || { cd_log moon; sw_log sun 30; fail "$c: no IKE SA rekey"; }
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.5
	sw_list_sas sun | grep -q ESTABLISHED ||
	    { sw_log sun 30; fail "$c: strongSwan lost the IKE SA"; }
	assert_ok "$c: ping after charond rekeyed the IKE SA" \
	    vm_in moon ping -c 2 -i 0.2 -W 2 -I "$ping_from" "$ping_to"
fi

cd_stop moon || fail "$c: charond did not exit on SIGTERM"
cd_wait_states moon 0 || fail "$c: SAs left on moon"
cd_wait_states sun 0 || { sw_log sun 30; fail "$c: SAs left on sun"; }
[ -z "$(vm_xfrm_policies moon)" ] || fail "$c: policies left on moon"
pass "$c: charond's DELETE removed everything on both hosts"
