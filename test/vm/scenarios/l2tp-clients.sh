#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The L2TP/IPsec gateway as an admin sets it up from the samples
# (etc/examples/l2tp-server.yaml for charond, with aes256-sha1-modp1024
# appended for old Android as its comment says; xl2tpd.conf and
# options.xl2tpd for xl2tpd and pppd) on sun, and each built-in client in
# turn on alice (test/vm/l2tp.sh's profiles: strongSwan 5.9.8 offering
# what Windows, macOS and Android <= 11 offer, an xl2tpd LAC and pppd),
# no NAT. Each: the IKEv1 SA and transport pair come up with the expected
# proposals, alice's ppp0 and a pppN on sun get addresses from the sample's
# range, pings across PPP both ways are counted by both SAs on both
# kernels, and once alice hangs up and deletes her SAs sun holds no SA,
# no policy and no PPP link.
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

l2tp_topology alice
mkdir -p "$L2TP_DIR"
L2TP_ANDROID=1 l2tp_server_conf "$L2TP_DIR/sun.yaml"
l2tp_server_start "$L2TP_DIR/sun.yaml"
# The modules guest-init.sh loads give xl2tpd the kernel's data path.
grep -q "Using l2tp kernel support" "$L2TP_DIR/sun/xl2tpd.log" ||
    fail "xl2tpd found no kernel L2TP support"
pass "xl2tpd uses the kernel's L2TP (l2tp_ppp)"

# profile, then the IKE and ESP proposals charond should pick
while read -r p ike esp; do
	l2tp_client alice "$p"
	got=$(l2tp_ctl --json list-sas | jq -r '.ike_sas[0] |
	    "\(.proposal) \(.children[0].proposal) \(.children[0].mode)"')
	[ "$got" = "$ike $esp transport" ] ||
	    fail "$p: charond chose '$got', not '$ike $esp transport'"
	pass "$p: charond chose $ike / $esp, transport"
	# xl2tpd sees the port the l2tp plugin gave the SA (49152+slot),
	# not the profile's L2TP source port.
	from="192.0.2.10, 4915"
	last=$(grep "Connection established to" "$L2TP_DIR/sun/xl2tpd.log" |
	    tail -n 1)
	case $last in
	*"Connection established to $from"*) ;;
	*) fail "$p: sun's xl2tpd did not hear alice from $from ($last)" ;;
	esac
	pass "$p: sun's xl2tpd took alice's tunnel from $from"
	l2tp_ping alice
	l2tp_client_stop alice
	l2tp_server_empty "after alice ($p) hung up"
done <<'LIST'
windows aes256-sha1-ecp384 aes128-sha1
macos aes256-sha1-modp2048 aes128-sha1
android aes256-sha1-modp1024 aes128-sha1
LIST
