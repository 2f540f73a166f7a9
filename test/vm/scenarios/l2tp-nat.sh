#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The L2TP/IPsec gateway (test/vm/l2tp.sh: charond + xl2tpd + pppd from the
# samples on sun) with its clients behind one NAT (test/vm/nat.sh: alice,
# bob and carol behind the router's masquerade, public 192.0.2.1), ESP in
# UDP. Cases, all in one boot unless named as arguments:
#   windows  alice and bob as Windows (both L2TP from port 1701: to sun
#            their datagrams look the same, 192.0.2.1:1701 to 1701), each
#            with its own PPP link and pings across it counted by its own
#            SAs; then carol as Windows too, and all three pinged again;
#            all hang up: sun is empty
#   macos    alice as Windows and bob as macOS (L2TP from a high port)
#            behind the same NAT, both pinged; both hang up
# The windows case is the l2tp plugin's: the kernel alone cannot tell
# identical five-tuples apart. Without it (measured with explicit
# selectors instead of l2tp: true) sun held one policy pair for both
# clients, bob's xl2tpd got alice's L2TP packets ("Can not find tunnel")
# and bob's PPP never came up.
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

[ $# -gt 0 ] || set -- windows macos

nat_topology alice bob carol
nat_masq plain
l2tp_server_start

# ESP through the NAT is in UDP on sun's side, and the router dropped no
# plain ESP.
in_udp() {
	n=$(vm_xfrm_states sun | awk '$9 !~ /^espinudp:/' | grep -c . || :)
	[ "$n" = 0 ] || { vm_xfrm_states sun; fail "$1: sun has SAs not in UDP"; }
	[ "$(nat_count esp_dropped)" = 0 ] ||
	    fail "$1: the router dropped plain ESP"
	pass "$1: every SA on sun is ESP in UDP, no plain ESP at the router"
}

# The clients named have distinct PPP addresses and distinct links on sun.
distinct() {
	seen=
	for h in "$@"; do
		a=$(l2tp_ppp_addr "$h")
		case " $seen " in
		*" $a "*) fail "$h's PPP address $a is another client's" ;;
		esac
		seen="$seen $a"
	done
	pass "$*: PPP addresses$seen, one each"
}

for c in "$@"; do
	case $c in
	windows)
		l2tp_client alice windows
		l2tp_client bob windows
		distinct alice bob
		l2tp_ping alice
		l2tp_ping bob
		in_udp "$c: two clients"
		l2tp_client carol windows
		distinct alice bob carol
		# All three sent from 1701 through the NAT; sun's xl2tpd must
		# have taken them for three peers (the plugin's SNAT ports).
		n=$(grep -o "Connection established to $NAT_PUBLIC, [0-9]*" \
		    "$L2TP_DIR/sun/xl2tpd.log" | sort -u | grep -c . || :)
		assert_ge "$c: sun's xl2tpd took three tunnels from three peers" "$n" 3
		for h in alice bob carol; do
			l2tp_ping "$h"
		done
		in_udp "$c: three clients"
		for h in alice bob carol; do
			l2tp_client_stop "$h"
		done
		l2tp_server_empty "after the three hung up"
		;;
	macos)
		l2tp_client alice windows
		l2tp_client bob macos
		distinct alice bob
		l2tp_ping alice
		l2tp_ping bob
		in_udp "$c: Windows and macOS"
		l2tp_client_stop alice
		l2tp_client_stop bob
		l2tp_server_empty "after alice and bob hung up"
		;;
	*) fail "unknown case $c" ;;
	esac
done
