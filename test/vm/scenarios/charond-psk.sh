#!/bin/sh
# SPDX-License-Identifier: ISC
#
# charond to charond: moon (192.0.2.1, LAN 10.1.0.0/16) brings up a PSK
# tunnel to sun (192.0.2.2, LAN 10.2.0.0/16) with the demo configs of
# etc/demo. Both kernels must hold exactly the negotiated pair of ESP SAs
# (AES-GCM, matching SPIs) and the tunnel policies; a ping between the
# LANs must pass through ESP (counters); SIGTERM on moon must remove every
# SA and policy on both hosts (moon's DELETE reaches sun).
#
# Run: test/vm/run.sh test/vm/scenarios/charond-psk.sh
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
# Routing to the LAN behind the peer is the admin's; IPsec only protects.
ip -n moon route add 10.2.0.0/16 via 192.0.2.2
ip -n sun route add 10.1.0.0/16 via 192.0.2.1

cd_start sun etc/demo/sun.yaml
sleep 0.5
cd_start moon etc/demo/moon.yaml

if ! cd_wait_states moon 2 || ! cd_wait_states sun 2; then
	cd_log moon
	cd_log sun
	fail "the tunnel did not come up"
fi
pass "tunnel up: two SAs on each host"

m=$(vm_xfrm_states moon)
s=$(vm_xfrm_states sun)
echo "$m" | sed 's/^/  moon: /'
echo "$s" | sed 's/^/  sun:  /'
m_out=$(echo "$m" | awk '$1 == "192.0.2.1" { print $4 }')
m_in=$(echo "$m" | awk '$1 == "192.0.2.2" { print $4 }')
s_in=$(echo "$s" | awk '$1 == "192.0.2.1" { print $4 }')
s_out=$(echo "$s" | awk '$1 == "192.0.2.2" { print $4 }')
if [ -z "$m_out" ] || [ "$m_out" != "$s_in" ]; then
	fail "moon's outbound SPI $m_out is not sun's inbound $s_in"
fi
if [ -z "$m_in" ] || [ "$m_in" != "$s_out" ]; then
	fail "moon's inbound SPI $m_in is not sun's outbound $s_out"
fi
pass "SPIs pair up ($m_out, $m_in)"
assert_contains "$m" "esp $m_out tunnel rfc4106(gcm(aes))" \
    "moon's outbound SA is ESP tunnel mode AES-GCM"
assert_contains "$s" "esp $s_out tunnel rfc4106(gcm(aes))" \
    "sun's outbound SA is ESP tunnel mode AES-GCM"
p=$(vm_xfrm_policies moon)
assert_contains "$p" "10.1.0.0/16 10.2.0.0/16 out 192.0.2.1 192.0.2.2 esp tunnel" \
    "moon sends 10.1/16 -> 10.2/16 through the tunnel"
assert_contains "$p" "10.2.0.0/16 10.1.0.0/16 in 192.0.2.2 192.0.2.1 esp tunnel" \
    "moon takes 10.2/16 -> 10.1/16 from the tunnel"
assert_contains "$(vm_xfrm_policies sun)" \
    "10.2.0.0/16 10.1.0.0/16 out 192.0.2.2 192.0.2.1 esp tunnel" \
    "sun sends 10.2/16 -> 10.1/16 through the tunnel"

assert_ok "moon's LAN pings sun's LAN" \
    vm_in moon ping -c 3 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1
pk=$(vm_xfrm_states moon | awk '$1 == "192.0.2.1" { print $7 }')
assert_ge "packets through moon's outbound SA" "$pk" 3
pk=$(vm_xfrm_states sun | awk '$1 == "192.0.2.1" { print $7 }')
assert_ge "packets through sun's inbound SA" "$pk" 3

cd_stop moon || fail "moon's charond did not exit on SIGTERM"
cd_wait_states moon 0 || fail "SAs left on moon"
cd_wait_states sun 0 || { cd_log sun; fail "SAs left on sun"; }
[ -z "$(vm_xfrm_policies moon)" ] || fail "policies left on moon"
[ -z "$(vm_xfrm_policies sun)" ] || fail "policies left on sun"
pass "SIGTERM on moon removed every SA and policy on both hosts"
cd_stop sun || fail "sun's charond did not exit"
grep -q "peer deleted the IKE SA" "$CD_DIR/sun/log" ||
    { cd_log sun; fail "sun did not log moon's DELETE"; }
pass "sun logged moon's DELETE"
