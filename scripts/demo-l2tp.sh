#!/bin/sh
# SPDX-License-Identifier: ISC
#
# `make demo-l2tp`: the L2TP/IPsec gateway at work, inside the test VM
# (test/vm/run.sh: the host's kernel has no L2TP or PPP). sun runs charond
# with etc/examples/l2tp-server.yaml beside xl2tpd and pppd with
# etc/examples/xl2tpd.conf and options.xl2tpd (test/vm/l2tp.sh says what
# the test setup changes in them); alice is a client set up as Windows
# sets itself up (strongSwan offering Windows' IKEv1 proposals, an xl2tpd
# LAC and pppd). Shows the SAs charond negotiated, the kernel's SAs, the
# PPP links, and a ping across PPP counted by the ESP SAs.
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=/dev/null
. test/vm/lib.sh
# shellcheck source=/dev/null
. test/vm/charond.sh
# shellcheck source=/dev/null
. test/vm/strongswan.sh
# shellcheck source=/dev/null
. test/vm/nat.sh
# shellcheck source=/dev/null
. test/vm/l2tp.sh
vm_require_guest

say() { printf '\n== %s\n' "$*"; }

say "two hosts: sun, the gateway (192.0.2.2); alice, a client (192.0.2.10)"
l2tp_topology alice

say "sun: charond (l2tp-server.yaml), xl2tpd (xl2tpd.conf, options.xl2tpd)"
l2tp_server_start

say "alice: IKEv1 as Windows offers it, then xl2tpd dials and pppd logs in as alice"
l2tp_client alice windows

say "sun: charonctl list-sas"
l2tp_ctl list-sas

say "sun: ip xfrm state (ESP in transport mode for UDP/1701)"
ip -n sun xfrm state | sed "s/0x[0-9a-f]\{32,\}/<key>/"
say "sun: ip xfrm policy"
ip -n sun xfrm policy | grep -v '^src 0.0.0.0/0\|^src ::/0\|socket'

say "sun: the l2tp plugin's nftables table"
ip netns exec sun nft list table ip charond-l2tp

say "the PPP links: alice's ppp0, sun's end of it"
ip -n alice -4 -o addr show dev ppp0
ip -n sun -4 -o addr show | grep ppp

say "ping across PPP from alice (10.10.0.10) to the gateway (10.10.0.1)"
ip netns exec alice ping -c 3 -i 0.2 "$L2TP_LOCAL"

say "sun's ESP SAs counted it (inside L2TP, inside ESP)"
ip -n sun -s xfrm state | grep -E '^src|packets\)'

say "alice hangs up (L2TP StopCCN, then her IKE DELETE)"
l2tp_client_stop alice
l2tp_server_empty "after alice hung up"
echo
echo "demo-l2tp: OK"
