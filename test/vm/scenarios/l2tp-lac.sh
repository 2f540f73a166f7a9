#!/bin/sh
# SPDX-License-Identifier: ISC
#
# charond as an L2TP/IPsec client (test/vm/l2tp.sh's l2tp_lac_conf: IKEv1
# with Windows' proposals, transport mode for its L2TP datagrams, started
# at once) on alice, beside an xl2tpd LAC and pppd, no NAT, against:
#   strongswan  strongSwan 5.9.8 (IKEv1, transport udp/1701 <-> udp) and
#               xl2tpd with the samples as the server on sun
#   charond     the gateway from the samples (l2tp_server_start) on sun
# Each: alice's ppp0 and sun's pppN get their addresses, pings across PPP
# are counted by both SAs on both kernels, and once alice hangs up and her
# charond stops (its DELETE) sun holds no SA, policy or PPP link.
set -eu
# shellcheck source=/dev/null # checked on their own
. "${0%/*}/../lib.sh"
# shellcheck source=/dev/null
. "${0%/*}/../charond.sh"
# shellcheck source=/dev/null
. "${0%/*}/../strongswan.sh"
# shellcheck source=/dev/null
. "${0%/*}/../nat.sh"
# shellcheck source=/dev/null
. "${0%/*}/../l2tp.sh"
vm_require_guest

[ $# -gt 0 ] || set -- strongswan charond

l2tp_topology alice
mkdir -p "$L2TP_DIR"
l2tp_lac_conf "$L2TP_DIR/alice.yaml" 192.0.2.10

for server in "$@"; do
	case $server in
	strongswan)
		sw_start sun
		sw_psk sun conn=l2tp child=l2tp version=1 local="$L2TP_SERVER" \
		    ike=aes256-sha1-ecp384,aes128-sha1-ecp256,aes256-sha1-modp2048 \
		    esp=aes128-sha1,aes256-sha1 mode=transport \
		    local_ts='dynamic[udp/1701]' remote_ts='dynamic[udp]' \
		    psk="$L2TP_PSK"
		sw_load sun
		l2tp_lns_start
		;;
	charond) l2tp_server_start ;;
	*) fail "unknown server $server" ;;
	esac
	cd_start alice "$L2TP_DIR/alice.yaml"
	if ! cd_wait_states alice 2 || ! cd_wait_states sun 2; then
		cd_log alice | tail -n 40
		fail "$server: no transport pair"
	fi
	pass "$server: alice's charond brought up the pair"
	l2tp_lac alice 1701
	pass "$server: ppp0 $(l2tp_ppp_addr alice) on alice, $(l2tp_server_ppp "$(l2tp_ppp_addr alice)") on sun"
	l2tp_ping alice
	l2tp_client_stop alice
	l2tp_server_empty "after alice ($server's client) hung up"
	case $server in
	strongswan) sw_stop sun ;;
	charond) cd_stop sun || fail "charond on sun did not stop" ;;
	esac
	l2tp_xl2tpd_stop sun
done
