#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Dead peer detection and trap policies, charond against charond on a real
# kernel, in one boot: moon (192.0.2.1, LAN 10.1.0.0/16) and sun
# (192.0.2.2, LAN 10.2.0.0/16), a PSK tunnel between the LANs.
#   clear:   moon asks an idle sun, not one whose ESP flows (the kernel's
#            last use of the inbound SA counts as word from it);
#            sun dies hard (SIGKILL, its kernel state flushed); moon, with
#            dpd delay 2s and short retransmissions, says so in one line
#            within delay plus its retransmit schedule and leaves nothing
#            in its kernel (no SA, no policy);
#   restart: the same, and once sun is back the tunnel comes back by
#            itself: pings between the LANs pass;
#   trap:    moon's child with start_action trap: trap policies and no SA
#            at start; a ping triggers the negotiation (ACQUIRE) and later
#            pings pass through ESP; when sun dies with dpd action trap,
#            the trap policies come back, and the next ping brings the
#            tunnel up again.
#
# Run: test/vm/run.sh test/vm/scenarios/charond-dpd.sh
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
# The first ESP SA makes the kernel load AES-GCM (seconds under TCG, more
# than the short retransmissions below wait for an IKE_AUTH answer): not
# what is tested here, so it is loaded first.
ip -n moon xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x100 \
    mode tunnel aead 'rfc4106(gcm(aes))' \
    0x0102030405060708091011121314151617181920 128 ||
    fail "cannot add a warm-up SA"
ip -n moon xfrm state flush

# conf HOST DPD START: HOST's config with dpd: {DPD} (none if empty) and
# start_action START; retransmissions 1 s, 1.5 s, 2.25 s, then give up.
conf() {
	if [ "$1" = moon ]; then
		cd_conf "$CD_DIR/moon.yaml" 192.0.2.1 192.0.2.2 \
		    aes128gcm16-prfsha256-ecp256 aes128gcm16 tunnel \
		    "dpd test" "$3" 10.1.0.0/16 10.2.0.0/16
	else
		cd_conf "$CD_DIR/sun.yaml" 192.0.2.2 192.0.2.1 \
		    aes128gcm16-prfsha256-ecp256 aes128gcm16 tunnel \
		    "dpd test" "$3" 10.2.0.0/16 10.1.0.0/16
	fi
	sed -i -e 's|retransmit: {.*}|retransmit: {timeout: 1s, base: 1.5, tries: 2}|' \
	    "$CD_DIR/$1.yaml"
	[ -z "$2" ] || sed -i "s|^    proposals: |    dpd: {$2}\n    keyingtries: 0\n    proposals: |" \
	    "$CD_DIR/$1.yaml"
}

# kill_hard HOST: charond SIGKILLed, its kernel state flushed: a peer
# that vanished without a word.
kill_hard() {
	kill -KILL "$(cat "$CD_DIR/$1/pid")"
	wait "$(cat "$CD_DIR/$1/pid")" 2>/dev/null || :
	ip -n "$1" xfrm state flush
	ip -n "$1" xfrm policy flush
}

# wait_dead N SECONDS: moon's Nth "is dead" line within SECONDS.
wait_dead() {
	wd_i=0
	while [ "$(grep -c "peer 192.0.2.2 is dead" "$CD_DIR/moon/log")" -lt "$1" ]; do
		[ $wd_i -lt $(($2 * 10)) ] || { cd_log moon; fail "moon did not declare sun dead within $2 s"; }
		sleep 0.1
		wd_i=$((wd_i + 1))
	done
	echo "  moon: $(grep "is dead" "$CD_DIR/moon/log" | tail -n 1)"
}

ping_lans() {
	vm_in moon ping -c 3 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1
}

mkdir -p "$CD_DIR"

# --- clear -------------------------------------------------------------
conf moon "delay: 2s, action: clear" start
conf sun "" none
cd_start sun "$CD_DIR/sun.yaml"
sleep 0.5
cd_start moon "$CD_DIR/moon.yaml"
if ! cd_wait_states moon 2 || ! cd_wait_states sun 2; then
	cd_log moon
	cd_log sun
	fail "the tunnel did not come up"
fi
assert_ok "clear: tunnel up, moon's LAN pings sun's LAN" ping_lans
# Up to two delays: ESP seen at the first look counts as then.
sleep 5
assert_ge "moon asks sun while the tunnel is idle" \
    "$(grep -c 'asking the peer' "$CD_DIR/moon/log")" 1
[ "$(grep -c "is dead" "$CD_DIR/moon/log")" = 0 ] ||
    { cd_log moon; fail "moon declared a live sun dead"; }
pass "a live peer is not declared dead"
# ESP received is word from the peer too (the kernel's last use of the
# inbound SA): 6 s of pings, where silence would have cost 3 checks.
n0=$(grep -c 'asking the peer' "$CD_DIR/moon/log")
vm_in moon ping -c 12 -i 0.5 -W 2 -I 10.1.0.1 10.2.0.1 >/dev/null ||
    fail "pings during the ESP check failed"
n1=$(grep -c 'asking the peer' "$CD_DIR/moon/log")
[ $((n1 - n0)) -le 1 ] ||
    { cd_log moon; fail "moon asked $((n1 - n0)) times while ESP flowed"; }
pass "ESP flowing: moon asked $((n1 - n0)) times in 6 s (silence: 3)"
kill_hard sun
t0=$(date +%s)
# delay 2 s + 1 + 1.5 + 2.25 s of retransmissions, under TCG.
wait_dead 1 15
t1=$(date +%s)
pass "moon declared sun dead after $((t1 - t0)) s"
assert_contains "$(grep "is dead" "$CD_DIR/moon/log")" "action clear" \
    "... action clear"
cd_wait_states moon 0 || fail "clear: SAs left in moon's kernel"
[ -z "$(vm_xfrm_policies moon)" ] ||
    { vm_xfrm_policies moon; fail "clear: policies left in moon's kernel"; }
pass "clear: nothing left in moon's kernel (ip xfrm state, policy)"
cd_stop moon || fail "moon did not stop"

# --- restart -----------------------------------------------------------
conf moon "delay: 2s, action: restart" start
rm -f "$CD_DIR/moon/log"
cd_start sun "$CD_DIR/sun.yaml"
sleep 0.5
cd_start moon "$CD_DIR/moon.yaml"
cd_wait_states moon 2 || { cd_log moon; fail "restart: the tunnel did not come up"; }
assert_ok "restart: tunnel up" ping_lans
kill_hard sun
wait_dead 1 15
assert_contains "$(grep "is dead" "$CD_DIR/moon/log")" "action restart" \
    "... action restart"
sleep 2
cd_start sun "$CD_DIR/sun.yaml"
# moon tries every few seconds (keyingtries: 0): give it a round.
cd_wait_states moon 2 || cd_wait_states moon 2 ||
    { cd_log moon; fail "restart: the tunnel did not come back"; }
assert_ok "restart: sun back, the tunnel came back by itself" ping_lans
cd_stop moon || fail "moon did not stop"
cd_stop sun || fail "sun did not stop"
cd_wait_states moon 0 || fail "SAs left on moon"

# --- trap --------------------------------------------------------------
conf moon "delay: 2s, action: trap" trap
rm -f "$CD_DIR/moon/log"
cd_start sun "$CD_DIR/sun.yaml"
sleep 0.5
cd_start moon "$CD_DIR/moon.yaml"
sleep 1
[ "$(ip -n moon xfrm state | grep -c '^src')" = 0 ] ||
    fail "trap: an SA before any traffic"
p=$(vm_xfrm_policies moon)
echo "$p" | sed 's/^/  moon: /'
assert_contains "$p" "10.1.0.0/16 10.2.0.0/16 out 192.0.2.1 192.0.2.2 esp tunnel" \
    "trap: moon's out trap policy, with its template"
# The first packet is held (and lost) while the tunnel comes up.
vm_in moon ping -c 1 -W 1 -I 10.1.0.1 10.2.0.1 >/dev/null 2>&1 || :
cd_wait_states moon 2 || { cd_log moon; fail "trap: the ping started nothing"; }
grep -q "traffic for trapped child 'net'" "$CD_DIR/moon/log" ||
    { cd_log moon; fail "trap: not started by the kernel's ACQUIRE"; }
pass "trap: the ping's ACQUIRE brought the tunnel up"
assert_ok "trap: later pings pass" ping_lans
pk=$(vm_xfrm_states moon | awk '$1 == "192.0.2.1" { print $7 }')
assert_ge "... through ESP" "$pk" 3
kill_hard sun
wait_dead 1 15
cd_wait_states moon 0 || fail "trap: SAs left on moon"
assert_contains "$(vm_xfrm_policies moon)" \
    "10.1.0.0/16 10.2.0.0/16 out 192.0.2.1 192.0.2.2 esp tunnel" \
    "dpd trap: the trap policies are back"
cd_start sun "$CD_DIR/sun.yaml"
sleep 0.5
vm_in moon ping -c 1 -W 1 -I 10.1.0.1 10.2.0.1 >/dev/null 2>&1 || :
cd_wait_states moon 2 || { cd_log moon; fail "trap: no tunnel after sun came back"; }
assert_ok "dpd trap: traffic brings the tunnel up again" ping_lans
cd_stop moon || fail "moon did not stop"
cd_wait_states moon 0 || fail "SAs left on moon after SIGTERM"
[ -z "$(vm_xfrm_policies moon)" ] ||
    { vm_xfrm_policies moon; fail "trap policies left after SIGTERM"; }
pass "SIGTERM removed the trap policies"
cd_stop sun || :
