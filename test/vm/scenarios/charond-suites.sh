#!/bin/sh
# SPDX-License-Identifier: ISC
#
# charond to charond across proposals, modes and address families. For
# each case both kernels must hold exactly the two ESP SAs with the
# negotiated algorithm and matching SPIs, traffic must pass through them,
# and SIGTERM on the initiator must leave nothing on either host:
#   aes256gcm16-prfsha384-ecp384 / aes256gcm16, tunnel, IPv4
#   aes256-sha256-modp3072 / aes256-sha256, transport, IPv4
#   aes128gcm16-prfsha256-curve25519 / aes128gcm16, transport, IPv6 outer
#
# Run: test/vm/run.sh test/vm/scenarios/charond-suites.sh
set -eu
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/../lib.sh"
# shellcheck source=/dev/null
. "${0%/*}/../charond.sh"
vm_require_guest
trap 'vm_cleanup' EXIT

vm_host moon sun
vm_link moon eth0 "192.0.2.1/24,2001:db8::1/64" sun eth0 \
    "192.0.2.2/24,2001:db8::2/64"
vm_dummy moon lan 10.1.0.1/16
vm_dummy sun lan 10.2.0.1/16
ip -n moon route add 10.2.0.0/16 via 192.0.2.2
ip -n sun route add 10.1.0.0/16 via 192.0.2.1
# Host-to-host transport policies would also catch neighbour discovery.
mac() { ip -n "$1" -br link show eth0 | awk '{ print $3 }'; }
ip -n moon neigh replace 2001:db8::2 lladdr "$(mac sun)" dev eth0 nud permanent
ip -n sun neigh replace 2001:db8::1 lladdr "$(mac moon)" dev eth0 nud permanent

# run_case NAME M S IKE ESP MODE ALG PING_FROM PING_TO [TS_M TS_S]
run_case() {
	n=$1
	cd_conf "/tmp/$n-sun.yaml" "$3" "$2" "$4" "$5" "$6" "k3y $n" none \
	    "${11:-}" "${10:-}"
	cd_conf "/tmp/$n-moon.yaml" "$2" "$3" "$4" "$5" "$6" "k3y $n" start \
	    "${10:-}" "${11:-}"
	cd_start sun "/tmp/$n-sun.yaml"
	sleep 0.3
	cd_start moon "/tmp/$n-moon.yaml"
	if ! cd_wait_states moon 2 || ! cd_wait_states sun 2; then
		cd_log moon
		cd_log sun
		fail "$n: the SAs did not come up"
	fi
	m=$(vm_xfrm_states moon)
	s=$(vm_xfrm_states sun)
	m_out=$(echo "$m" | awk -v a="$2" '$1 == a { print $4 }')
	s_in=$(echo "$s" | awk -v a="$2" '$1 == a { print $4 }')
	if [ -z "$m_out" ] || [ "$m_out" != "$s_in" ]; then
		echo "$m"
		echo "$s"
		fail "$n: SPIs do not pair up"
	fi
	assert_contains "$m" "esp $m_out $6 $7" "$n: moon's SA is $6 $7"
	assert_contains "$s" "esp $s_in $6 $7" "$n: sun's SA is $6 $7"
	assert_ok "$n: ping through ESP" \
	    vm_in moon ping -c 2 -i 0.2 -W 2 -I "$8" "$9"
	pk=$(vm_xfrm_states sun | awk -v a="$2" '$1 == a { print $7 }')
	assert_ge "$n: packets through sun's inbound SA" "$pk" 2
	cd_stop moon || fail "$n: moon did not exit"
	cd_wait_states sun 0 || fail "$n: SAs left on sun"
	cd_wait_states moon 0 || fail "$n: SAs left on moon"
	[ -z "$(vm_xfrm_policies sun)" ] || fail "$n: policies left on sun"
	cd_stop sun || fail "$n: sun did not exit"
	pass "$n: terminated cleanly on both hosts"
}

run_case ecp384 192.0.2.1 192.0.2.2 aes256gcm16-prfsha384-ecp384 \
    aes256gcm16 tunnel "rfc4106(gcm(aes))" 10.1.0.1 10.2.0.1 \
    10.1.0.0/16 10.2.0.0/16
run_case modp3072 192.0.2.1 192.0.2.2 aes256-sha256-modp3072 \
    aes256-sha256 transport "hmac(sha256)+cbc(aes)" 192.0.2.1 192.0.2.2
run_case curve25519-v6 2001:db8::1 2001:db8::2 \
    aes128gcm16-prfsha256-curve25519 aes128gcm16 transport \
    "rfc4106(gcm(aes))" 2001:db8::1 2001:db8::2
