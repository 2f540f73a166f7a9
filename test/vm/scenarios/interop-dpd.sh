#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Dead peer detection and trap policies between charond (moon, 192.0.2.1,
# LAN 10.1.0.0/16) and strongSwan 5.9.8 (sun, 192.0.2.2, LAN
# 10.2.0.0/16), in one boot. A peer "killed hard" is SIGKILLed and its
# kernel state flushed: it vanished without a word.
#   sw-responder-dies   charond initiates, dpd clear: strongSwan killed,
#                       charond says so within delay plus its retransmit
#                       schedule and leaves nothing in its kernel
#   sw-initiator-dies   strongSwan initiates, charond (dpd restart) is the
#                       responder: strongSwan killed, charond declares it
#                       dead and initiates itself until strongSwan is
#                       back; the tunnel comes back, pings pass
#   cd-traps            charond's child with start_action trap, strongSwan
#                       responds: a ping starts it, later pings pass
#   sw-traps            strongSwan traps (start_action = trap), charond
#                       responds: a ping from sun's LAN starts it
#   sw-dpd              strongSwan's dpd (dpd_delay 2s) against charond
#                       killed: strongSwan clears its SAs
#
# Run: test/vm/run.sh test/vm/scenarios/interop-dpd.sh
set -eu
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/../lib.sh"
# shellcheck source=/dev/null
. "${0%/*}/../charond.sh"
# shellcheck source=/dev/null
. "${0%/*}/../strongswan.sh"
vm_require_guest

m=192.0.2.1 s=192.0.2.2
ike=aes128gcm16-prfsha256-ecp256 esp=aes128gcm16 psk="interop dpd key"

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
mkdir -p "$CD_DIR"

# cd_dpd DPD START: moon's charond config, dpd: {DPD} (none: empty),
# start_action START, retransmissions 1, 1.5, 2.25 s, keyingtries 0.
cd_dpd() {
	cd_conf "$CD_DIR/moon.yaml" "$m" "$s" "$ike" "$esp" tunnel "$psk" \
	    "$2" 10.1.0.0/16 10.2.0.0/16
	sed -i 's|retransmit: {.*}|retransmit: {timeout: 1s, base: 1.5, tries: 2}|' \
	    "$CD_DIR/moon.yaml"
	[ -z "$1" ] || sed -i "s|^    proposals: |    dpd: {$1}\n    keyingtries: 0\n    proposals: |" \
	    "$CD_DIR/moon.yaml"
}

# sw_up [ARGS...]: strongSwan on sun, its connection gw/net loaded.
sw_up() {
	sw_start sun -c 'retransmit_timeout = 1' -c 'retransmit_base = 1.5' \
	    -c 'retransmit_tries = 2'
	sw_psk sun local="$s" remote="$m" ike="$ike" esp="$esp" \
	    local_ts=10.2.0.0/16 remote_ts=10.1.0.0/16 psk="$psk" "$@"
	sw_load sun
}

sw_kill() {
	sw_pid sun && kill -KILL "$SW_PID"
	sw_stop sun
	ip -n sun xfrm state flush
	ip -n sun xfrm policy flush
}

cd_kill() {
	kill -KILL "$(cat "$CD_DIR/moon/pid")"
	wait "$(cat "$CD_DIR/moon/pid")" 2>/dev/null || :
	ip -n moon xfrm state flush
	ip -n moon xfrm policy flush
}

states() {
	ip -n "$1" xfrm state | grep -c '^src' || :
}

wait_dead() {
	wd_i=0
	while ! grep -q "peer 192.0.2.2 is dead" "$CD_DIR/moon/log"; do
		[ $wd_i -lt $(($1 * 10)) ] ||
		    { cd_log moon; fail "$2: charond did not declare strongSwan dead within $1 s"; }
		sleep 0.1
		wd_i=$((wd_i + 1))
	done
	echo "  moon: $(grep "is dead" "$CD_DIR/moon/log")"
}

up_both() {
	if ! cd_wait_states moon 2 || ! cd_wait_states sun 2; then
		cd_log moon
		sw_log sun 40
		fail "$1: the tunnel did not come up"
	fi
}

ping_m() { vm_in moon ping -c 3 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1; }
ping_s() { vm_in sun ping -c 3 -i 0.2 -W 2 -I 10.2.0.1 10.1.0.1; }

nothing_on() {
	[ "$(states "$1")" = 0 ] && [ -z "$(vm_xfrm_policies "$1")" ]
}

cd_reset() {
	cd_stop moon || :
	ip -n moon xfrm state flush
	ip -n moon xfrm policy flush
	rm -f "$CD_DIR/moon/log"
}

# --- sw-responder-dies ---------------------------------------------------
c=sw-responder-dies
sw_up
cd_dpd "delay: 2s, action: clear" start
cd_start moon "$CD_DIR/moon.yaml"
up_both $c
assert_ok "$c: tunnel up, pings pass" ping_m
sw_kill
t0=$(date +%s)
wait_dead 15 $c
pass "$c: charond declared strongSwan dead after $(($(date +%s) - t0)) s"
cd_wait_states moon 0 || fail "$c: SAs left on moon"
nothing_on moon || { vm_xfrm_policies moon; fail "$c: policies left on moon"; }
pass "$c: clear left nothing in moon's kernel"
cd_reset

# --- sw-initiator-dies -----------------------------------------------------
c=sw-initiator-dies
sw_up
cd_dpd "delay: 2s, action: restart" none
cd_start moon "$CD_DIR/moon.yaml"
sleep 0.5
sw_initiate sun net gw >/dev/null || { sw_log sun 30; fail "$c: strongSwan could not initiate"; }
up_both $c
sw_kill
wait_dead 15 $c
assert_contains "$(grep "is dead" "$CD_DIR/moon/log")" "action restart" \
    "$c: charond restarts the connection"
sleep 2
# Until its connection is loaded, a starting strongSwan would refuse
# charond's tries with NO_PROPOSAL_CHOSEN, which ends them: its answers
# are held back meanwhile.
ip -n sun route add blackhole 192.0.2.1/32
sw_up
ip -n sun route del blackhole 192.0.2.1/32
cd_wait_states moon 2 || cd_wait_states moon 2 ||
    { cd_log moon; fail "$c: the tunnel did not come back"; }
cd_wait_states sun 2 || { sw_log sun 30; fail "$c: not on sun"; }
assert_ok "$c: strongSwan back, charond brought the tunnel back, pings pass" ping_m
sw_stop sun
cd_reset

# --- cd-traps ---------------------------------------------------------------
c=cd-traps
sw_up
cd_dpd "" trap
cd_start moon "$CD_DIR/moon.yaml"
sleep 1
[ "$(states moon)" = 0 ] || fail "$c: an SA before any traffic"
assert_contains "$(vm_xfrm_policies moon)" \
    "10.1.0.0/16 10.2.0.0/16 out 192.0.2.1 192.0.2.2 esp tunnel" \
    "$c: trap policy installed, no SA"
vm_in moon ping -c 1 -W 1 -I 10.1.0.1 10.2.0.1 >/dev/null 2>&1 || :
up_both $c
assert_ok "$c: the ping started the tunnel, later pings pass" ping_m
sw_stop sun
cd_reset

# --- sw-traps -----------------------------------------------------------------
c=sw-traps
sw_up start_action=trap
cd_dpd "" none
cd_start moon "$CD_DIR/moon.yaml"
sleep 1
[ "$(states sun)" = 0 ] || fail "$c: an SA before any traffic"
vm_in sun ping -c 1 -W 1 -I 10.2.0.1 10.1.0.1 >/dev/null 2>&1 || :
up_both $c
assert_ok "$c: strongSwan's trap started the tunnel to charond, pings pass" ping_s
sw_stop sun
cd_reset

# --- sw-dpd -------------------------------------------------------------------
c=sw-dpd
sw_up conn_opt='dpd_delay = 2s'
cd_dpd "" start
cd_start moon "$CD_DIR/moon.yaml"
up_both $c
cd_kill
sw_wait_gone sun ESTABLISHED 20 || { sw_log sun 30; fail "$c: strongSwan kept the SA"; }
cd_wait_states sun 0 || fail "$c: SAs left on sun"
sw_log sun | grep -q "sending DPD request" || { sw_log sun 30; fail "$c: strongSwan sent no DPD"; }
pass "$c: strongSwan's dpd found charond dead and cleared its SAs"
sw_stop sun
