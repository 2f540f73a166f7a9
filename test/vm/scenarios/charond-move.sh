#!/bin/sh
# SPDX-License-Identifier: ISC
#
# A live tunnel moved to a new address without a rekey (kernel.c's
# kernel_child_move, XFRM_MSG_MIGRATE). moon (192.0.2.1, LAN 10.1.0.0/16)
# and sun (192.0.2.2, LAN 10.2.0.0/16) run charond with psk and the test
# plugin tp_hooks (action `move`); moon also holds 192.0.2.11 on its link.
# With the tunnel up and pings through ESP, the scenario creates the
# trigger file: moon's plugin moves its IKE SA to 192.0.2.11 (local), sun's
# moves its own to 192.0.2.11 (remote): there is no MOBIKE to tell sun.
# Then on both hosts the SAs run between 192.0.2.11 and 192.0.2.2 with the
# same SPIs, the tunnel policies' templates too, the outbound sequence
# numbers go on from where they were (oseq, and the peer's inbound seq),
# pings in both directions pass through the moved SAs and sun's nftables
# sees ESP from and to 192.0.2.11; and moon's DELETE, now sent from
# 192.0.2.11, still removes sun's SAs.
#
# Run: test/vm/run.sh test/vm/scenarios/charond-move.sh
set -eu
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/../lib.sh"
# shellcheck source=/dev/null
. "${0%/*}/../charond.sh"
vm_require_guest

W=/tmp/charond-move
mkdir -p "$W/plugins"
ln -sf "$PWD/$CHAROND_BUILD/plugins/psk.so" \
    "$PWD/$CHAROND_BUILD/test/plugins/tp_hooks.so" "$W/plugins/"
[ -f "$W/plugins/tp_hooks.so" ] ||
    fail "no $CHAROND_BUILD/test/plugins/tp_hooks.so (make check-e2e builds it)"

on_exit() {
	rc=$?
	if [ $rc -ne 0 ]; then
		cd_log moon
		cd_log sun
	fi
	vm_cleanup
	exit $rc
}
trap on_exit EXIT

vm_host moon sun
vm_link moon eth0 192.0.2.1/24 sun eth0 192.0.2.2/24
ip -n moon addr add 192.0.2.11/24 dev eth0
vm_dummy moon lan 10.1.0.1/16
vm_dummy sun lan 10.2.0.1/16
ip -n moon route add 10.2.0.0/16 via 192.0.2.2
ip -n sun route add 10.1.0.0/16 via 192.0.2.1

# conf HOST LOCAL REMOTE LOCAL_TS REMOTE_TS START MOVE_KEY
conf() {
	cat >"$W/$1.yaml" <<EOF
daemon:
  plugin_dir: "$W/plugins"
  plugins: [psk, tp_hooks]
  retransmit: {timeout: 2s, base: 1.8, tries: 4}
connections:
  site:
    local_addrs: ["$2"]
    remote_addrs: ["$3"]
    proposals: [aes128gcm16-prfsha256-ecp256]
    local: {auth: psk}
    remote: {auth: psk}
    children:
      net:
        mode: tunnel
        esp_proposals: [aes128gcm16]
        local_ts: ["$4"]
        remote_ts: ["$5"]
        start_action: $6
secrets:
  psk:
    - secret: "charond-move test only"
plugins:
  tp_hooks: {action: move, delay: 200ms, $7: 192.0.2.11, trigger: "$W/go"}
EOF
}
conf sun 192.0.2.2 192.0.2.1 10.2.0.0/16 10.1.0.0/16 none move_remote
conf moon 192.0.2.1 192.0.2.2 10.1.0.0/16 10.2.0.0/16 start move_local
cd_start sun "$W/sun.yaml"
sleep 0.5
cd_start moon "$W/moon.yaml"
if ! cd_wait_states moon 2 || ! cd_wait_states sun 2; then
	fail "the tunnel did not come up"
fi
pass "tunnel up: two SAs on each host"

# seqs HOST: "SRC DST SPI SEQ OSEQ" per SA, from the anti-replay context.
seqs() {
	# shellcheck disable=SC2016 # awk's $n, not the shell's
	ip -n "$1" -s xfrm state | awk '
	$1 == "src" { src = $2; dst = $4 }
	$1 == "proto" { spi = $4; sub(/\(.*/, "", spi) }
	/anti-replay/ { gsub(",", ""); for (i = 1; i < NF; i++) {
	    if ($i == "seq") sq = $(i + 1); if ($i == "oseq") oq = $(i + 1) }
	    print src, dst, spi, sq, oq }'
}
# field HOST SRC DST N: field N of seqs' line for the SA SRC -> DST.
field() {
	seqs "$1" | awk -v s="$2" -v d="$3" -v n="$4" \
	    '$1 == s && $2 == d { print $n }'
}

assert_ok "moon's LAN pings sun's LAN" \
    vm_in moon ping -c 3 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1
seqs moon | sed 's/^/  moon before: /'
seqs sun | sed 's/^/  sun before:  /'
m_out=$(field moon 192.0.2.1 192.0.2.2 3)
m_in=$(field moon 192.0.2.2 192.0.2.1 3)
oseq0=$(field moon 192.0.2.1 192.0.2.2 5)
s_oseq0=$(field sun 192.0.2.2 192.0.2.1 5)
if [ -z "$m_out" ] || [ -z "$m_in" ]; then
	fail "no SAs at the old addresses"
fi
[ "$m_out" = "$(field sun 192.0.2.1 192.0.2.2 3)" ] ||
    fail "moon's outbound SPI is not sun's inbound"
assert_ge "moon's outbound sequence number before the move" \
    "$((oseq0))" 3

vm_in sun nft -f - <<'EOF' || fail "cannot load sun's nftables counters"
table inet move {
	counter esp_from_new { }
	counter esp_to_new { }
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr 192.0.2.11 meta l4proto esp counter name esp_from_new
	}
	chain output {
		type filter hook output priority 0; policy accept;
		ip daddr 192.0.2.11 meta l4proto esp counter name esp_to_new
	}
}
EOF

touch "$W/go"
i=0
while ! grep -q "sa_action move on SA .* returned" "$CD_DIR/moon/log" ||
    ! grep -q "sa_action move on SA .* returned" "$CD_DIR/sun/log"; do
	[ $i -lt 50 ] || fail "the plugins did not move the SAs"
	sleep 0.1
	i=$((i + 1))
done
for h in moon sun; do
	assert_contains "$(grep "sa_action move" "$CD_DIR/$h/log")" \
	    "returned 0" "$h: CHAROND_SA_MOVE succeeded"
	assert_contains "$(grep "moved from" "$CD_DIR/$h/log")" \
	    "CHILD SA net of 'site' (SPIs" "$h: logged the moved CHILD SA"
done
grep "moved from" "$CD_DIR/moon/log" "$CD_DIR/sun/log" | sed 's/^/  /'

seqs moon | sed 's/^/  moon after:  /'
seqs sun | sed 's/^/  sun after:   /'
m=$(vm_xfrm_states moon)
s=$(vm_xfrm_states sun)
assert_contains "$m" "192.0.2.11 192.0.2.2 esp $m_out tunnel" \
    "moon's outbound SA moved to 192.0.2.11 with its SPI $m_out"
assert_contains "$m" "192.0.2.2 192.0.2.11 esp $m_in tunnel" \
    "moon's inbound SA moved to 192.0.2.11 with its SPI $m_in"
assert_contains "$s" "192.0.2.11 192.0.2.2 esp $m_out tunnel" \
    "sun's inbound SA moved to 192.0.2.11 with its SPI $m_out"
assert_contains "$s" "192.0.2.2 192.0.2.11 esp $m_in tunnel" \
    "sun's outbound SA moved to 192.0.2.11 with its SPI $m_in"
if [ "$(echo "$m" | wc -l)" -ne 2 ] || [ "$(echo "$s" | wc -l)" -ne 2 ]; then
	fail "SAs left at the old addresses"
fi
assert_not_contains "$m$s" "192.0.2.1 " "no SA left at 192.0.2.1"
assert_contains "$(vm_xfrm_policies moon)" \
    "10.1.0.0/16 10.2.0.0/16 out 192.0.2.11 192.0.2.2 esp tunnel" \
    "moon's out policy's template moved"
assert_contains "$(vm_xfrm_policies moon)" \
    "10.2.0.0/16 10.1.0.0/16 fwd 192.0.2.2 192.0.2.11 esp tunnel" \
    "moon's fwd policy's template moved"
assert_contains "$(vm_xfrm_policies sun)" \
    "10.2.0.0/16 10.1.0.0/16 out 192.0.2.2 192.0.2.11 esp tunnel" \
    "sun's out policy's template moved"
oseq1=$(field moon 192.0.2.11 192.0.2.2 5)
[ "$((oseq1))" -eq "$((oseq0))" ] ||
    fail "moon's outbound oseq changed in the move: $oseq0 -> $oseq1"
pass "moon's outbound oseq kept by the move ($oseq0)"

assert_ok "moon's LAN pings sun's LAN after the move" \
    vm_in moon ping -c 3 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1
assert_ok "sun's LAN pings moon's LAN after the move" \
    vm_in sun ping -c 3 -i 0.2 -W 2 -I 10.2.0.1 10.1.0.1
seqs moon | sed 's/^/  moon pinged: /'
seqs sun | sed 's/^/  sun pinged:  /'
oseq2=$(field moon 192.0.2.11 192.0.2.2 5)
assert_ge "moon's outbound oseq went on from $oseq0 (now $oseq2)" \
    "$((oseq2))" $((oseq0 + 6))
s_seq=$(field sun 192.0.2.11 192.0.2.2 4)
assert_ge "sun's inbound SA took them in order (seq $s_seq)" \
    "$((s_seq))" $((oseq0 + 6))
s_oseq2=$(field sun 192.0.2.2 192.0.2.11 5)
assert_ge "sun's outbound oseq went on from $s_oseq0 (now $s_oseq2)" \
    "$((s_oseq2))" $((s_oseq0 + 6))
n=$(vm_in sun nft list counter inet move esp_from_new |
    sed -n 's/.*packets \([0-9][0-9]*\).*/\1/p')
assert_ge "ESP from 192.0.2.11 on sun's wire" "$n" 6
n=$(vm_in sun nft list counter inet move esp_to_new |
    sed -n 's/.*packets \([0-9][0-9]*\).*/\1/p')
assert_ge "ESP to 192.0.2.11 on sun's wire" "$n" 6

cd_stop moon || fail "moon's charond did not exit"
cd_wait_states sun 0 || fail "moon's DELETE (from 192.0.2.11) did not reach sun"
pass "moon's DELETE from its new address removed sun's SAs"
cd_stop sun || fail "sun's charond did not exit"
