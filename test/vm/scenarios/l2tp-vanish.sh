#!/bin/sh
# SPDX-License-Identifier: ISC
#
# An L2TP/IPsec client that vanishes without a word (test/vm/l2tp.sh: the
# gateway from the samples on sun; alice as Windows behind the NAT of
# test/vm/nat.sh): once her PPP link is pinged through, the router drops
# all her traffic (the cable pulled) and her strongSwan, xl2tpd and pppd
# are SIGKILLed: no DELETE, no StopCCN. sun's charond (the sample's dpd,
# its delay shortened from 30 s to 2 s by l2tp_server_conf, retransmit
# 1 s x1.5, 3 tries) must declare her dead and leave no SA and no policy
# (and, with the l2tp plugin, no map element and no marked conntrack entry,
# where there were some before) within the DPD time. Her pppN on sun goes
# when pppd's LCP echoes give up on their own: the sample's 30 s x 4 are
# shortened here to 2 s x 3, as the DPD delay is (with the sample's, it
# took 91 s: xl2tpd's HELLO retransmissions ran out first); that time is
# printed.
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

nat_topology alice
nat_masq plain
mkdir -p "$L2TP_DIR"
l2tp_server_conf "$L2TP_DIR/sun.yaml" 2s
l2tp_server_start "$L2TP_DIR/sun.yaml"
# pppd reads its options when xl2tpd starts it for alice, after this.
sed -i -e 's/^lcp-echo-interval .*/lcp-echo-interval 2/' \
    -e 's/^lcp-echo-failure .*/lcp-echo-failure 3/' /etc/ppp/options.xl2tpd
grep -q '^lcp-echo-interval 2$' /etc/ppp/options.xl2tpd ||
    fail "options.xl2tpd has no lcp-echo-interval line to shorten"
l2tp_client alice windows
l2tp_ping alice
ppp=$(l2tp_server_ppp "$(l2tp_ppp_addr alice)")
# What the l2tp plugin holds for alice, so that its absence later means
# something.
[ -n "$(l2tp_plugin_maps)" ] ||
    fail "the l2tp plugin's maps hold nothing for alice"
[ -n "$(l2tp_plugin_conntrack)" ] ||
    fail "no conntrack entry carries the l2tp plugin's mark"
pass "the l2tp plugin holds map elements and marked conntrack entries for alice"

# Gone: nothing from or to alice passes the router, and her daemons die
# where they stand.
vm_in nat nft insert rule ip count forward ip saddr 10.1.0.10 drop
vm_in nat nft insert rule ip count forward ip daddr 10.1.0.10 drop
for p in $(ip netns pids alice); do
	kill -KILL "$p" 2>/dev/null || :
done
sw_now
t0=$SW_NOW
pass "alice vanished (router drops her traffic, her daemons SIGKILLed)"

# The DPD time: 2 s of silence, then R-U-THERE at 0, 1, 2.5 s, given up
# at about 4.75 s; 15 s leaves room for the emulation.
l2tp_server_empty "after alice vanished" 15 kernel
sw_now
grep -q "connection 'l2tp': peer 192.0.2.1 is dead" "$CD_DIR/sun/log" ||
    fail "charond did not say alice is dead"
pass "charond declared alice dead and cleared her SAs ($((SW_NOW - t0)) s)"

# The PPP link is xl2tpd's and pppd's business: pppd notices in 8 s at
# most (the last of 3 LCP echoes 2 s apart, plus one interval).
while [ -n "$(l2tp_ppp_links sun)" ]; do
	sw_now
	[ $((SW_NOW - t0)) -lt 40 ] ||
	    fail "sun keeps $ppp $((SW_NOW - t0)) s after alice vanished"
	sleep 1
done
sw_now
pass "sun's $ppp is gone $((SW_NOW - t0)) s after alice vanished"
l2tp_server_empty "once xl2tpd and pppd gave up on alice"
