#!/bin/sh
# SPDX-License-Identifier: ISC
#
# charond to charond with a CHILD SA rekey_time of 6 s (and PFS) and an
# IKE SA rekey_time of 9 s: the initiator must rekey both on time, both
# kernels must end up with exactly the new pair of ESP SAs (the old one
# deleted, the policies kept), and traffic must flow throughout.
#
# Run: test/vm/run.sh test/vm/scenarios/charond-rekey.sh
set -eu
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/../lib.sh"
# shellcheck source=/dev/null
. "${0%/*}/../charond.sh"
vm_require_guest
trap 'vm_cleanup' EXIT

vm_host moon sun
vm_link moon eth0 192.0.2.1/24 sun eth0 192.0.2.2/24
vm_dummy moon lan 10.1.0.1/16
vm_dummy sun lan 10.2.0.1/16
ip -n moon route add 10.2.0.0/16 via 192.0.2.2
ip -n sun route add 10.1.0.0/16 via 192.0.2.1

CD_REKEY=6s CD_IKE_REKEY=9s cd_conf /tmp/moon.yaml 192.0.2.1 192.0.2.2 \
    aes128gcm16-prfsha256-ecp256 aes128gcm16-ecp256 tunnel "rekey key" start \
    10.1.0.0/16 10.2.0.0/16
cd_conf /tmp/sun.yaml 192.0.2.2 192.0.2.1 aes128gcm16-prfsha256-ecp256 \
    aes128gcm16-ecp256 tunnel "rekey key" none 10.2.0.0/16 10.1.0.0/16
cd_start sun /tmp/sun.yaml
sleep 0.3
cd_start moon /tmp/moon.yaml
if ! cd_wait_states moon 2 || ! cd_wait_states sun 2; then
	cd_log moon
	cd_log sun
	fail "the tunnel did not come up"
fi
first=$(vm_xfrm_states moon | awk '$1 == "192.0.2.1" { print $4 }')
assert_ok "ping before the rekey" \
    vm_in moon ping -c 2 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1

i=0
while :; do
	now=$(vm_xfrm_states moon | awk '$1 == "192.0.2.1" { print $4 }')
	[ -n "$now" ] && [ "$now" != "$first" ] &&
	    [ "$(vm_xfrm_states moon | grep -c .)" = 2 ] &&
	    [ "$(vm_xfrm_states sun | grep -c .)" = 2 ] && break
	[ $i -lt 300 ] || { cd_log moon; cd_log sun; fail "no rekey in 30 s"; }
	sleep 0.1
	i=$((i + 1))
done
pass "rekeyed: outbound SPI $first -> $now, two SAs on each host"
s_in=$(vm_xfrm_states sun | awk '$1 == "192.0.2.1" { print $4 }')
[ "$s_in" = "$now" ] || fail "sun's inbound SPI $s_in is not moon's $now"
pass "the new SPIs pair up"
assert_contains "$(vm_xfrm_policies moon)" \
    "10.1.0.0/16 10.2.0.0/16 out 192.0.2.1 192.0.2.2 esp tunnel" \
    "moon's policies survived the old SA's deletion"
assert_ok "ping after the rekey" \
    vm_in moon ping -c 2 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1
pk=$(vm_xfrm_states sun | awk '$1 == "192.0.2.1" { print $7 }')
assert_ge "packets through the new inbound SA on sun" "$pk" 2
grep -q "rekeyed as" "$CD_DIR/moon/log" || fail "moon did not log the rekey"

i=0
until grep -q "IKE SA rekeyed (replaces" "$CD_DIR/moon/log"; do
	[ $i -lt 200 ] || { cd_log moon; fail "no IKE SA rekey in 20 s"; }
	sleep 0.1
	i=$((i + 1))
done
grep -q "IKE SA rekeyed by the peer" "$CD_DIR/sun/log" ||
    { cd_log sun; fail "sun did not take the IKE SA rekey"; }
pass "moon rekeyed the IKE SA, sun followed"
sleep 0.5
[ "$(vm_xfrm_states moon | grep -c .)" = 2 ] ||
    fail "CHILD SAs changed by the IKE SA rekey"
assert_ok "ping after the IKE SA rekey" \
    vm_in moon ping -c 2 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1
cd_stop moon || fail "moon did not exit"
cd_wait_states sun 0 || fail "SAs left on sun"
pass "terminated cleanly"
