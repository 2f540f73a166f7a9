#!/bin/sh
# SPDX-License-Identifier: ISC
#
# IKEv1 dead peer detection (RFC 3706) between charond (moon, 192.0.2.1,
# LAN 10.1.0.0/16) and strongSwan 5.9.8 (sun, 192.0.2.2, LAN
# 10.2.0.0/16), Main Mode and Quick Mode with a PSK, charond initiating;
# both with DPD every 2 s, in one boot:
#   both-alive   each side announces DPD with its vendor ID; then ESP
#                one way only (the receiver drops the pings, so nothing
#                comes back): the side that receives ESP hears its peer
#                and stays quiet, the other asks. Pings sun -> moon:
#                strongSwan asks, charond answers (strongSwan parses
#                R-U-THERE-ACKs); pings moon -> sun: charond asks,
#                strongSwan answers; the SAs stay
#   sw-dies      strongSwan SIGKILLed, its kernel state flushed: charond's
#                R-U-THEREs go unanswered, it declares strongSwan dead
#                and its action clear leaves nothing in moon's kernel
#
# Run: test/vm/run.sh test/vm/scenarios/ikev1-dpd-strongswan.sh
set -eu
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/../lib.sh"
# shellcheck source=/dev/null
. "${0%/*}/../charond.sh"
# shellcheck source=/dev/null
. "${0%/*}/../strongswan.sh"
vm_require_guest

m=192.0.2.1 s=192.0.2.2
ike=aes128-sha256-modp2048 esp=aes128-sha256 psk="ikev1 dpd key"

vm_host moon sun
vm_link moon eth0 192.0.2.1/24 sun eth0 192.0.2.2/24
vm_dummy moon lan 10.1.0.1/16
vm_dummy sun lan 10.2.0.1/16
ip -n moon route add 10.2.0.0/16 via 192.0.2.2
ip -n sun route add 10.1.0.0/16 via 192.0.2.1
mkdir -p "$CD_DIR"

# moon: version 1, dpd every 2 s with action clear, retransmissions of
# 1, 1.5 and 2.25 s (an unanswered R-U-THERE gives up after about 5 s).
CD_VERSION=1 cd_conf "$CD_DIR/moon.yaml" "$m" "$s" "$ike" "$esp" tunnel \
    "$psk" start 10.1.0.0/16 10.2.0.0/16
sed -i -e 's|retransmit: {.*}|retransmit: {timeout: 1s, base: 1.5, tries: 2}|' \
    -e 's|^    proposals: |    dpd: {delay: 2s, action: clear}\n    proposals: |' \
    "$CD_DIR/moon.yaml"

# log_wait HOST-LOG TEXT SECONDS: wait until the file has a line with
# TEXT (a grep -E pattern).
log_wait() {
	lw_i=0
	while ! grep -Eq "$2" "$1" 2>/dev/null; do
		[ $lw_i -lt $(($3 * 10)) ] || return 1
		sleep 0.1
		lw_i=$((lw_i + 1))
	done
}

sw_start sun
sw_psk sun version=1 local="$s" remote="$m" ike="$ike" esp="$esp" \
    local_ts=10.2.0.0/16 remote_ts=10.1.0.0/16 psk="$psk" \
    conn_opt='dpd_delay = 2s'
sw_load sun
cd_start moon "$CD_DIR/moon.yaml"
swlog=$SW_ROOT/sun/charon.log

# --- both-alive ------------------------------------------------------------
c=both-alive
if ! cd_wait_states moon 2 || ! cd_wait_states sun 2; then
	cd_log moon
	sw_log sun 40
	fail "$c: the tunnel did not come up"
fi
pass "$c: Main Mode and Quick Mode done, 2 SAs in each kernel"
grep -q "peer sent vendor IDs: .*DPD (RFC 3706)" "$CD_DIR/moon/log" ||
    { cd_log moon; fail "$c: charond did not see strongSwan's DPD vendor ID"; }
pass "$c: charond read strongSwan's DPD vendor ID"
grep -q "received DPD vendor ID" "$swlog" ||
    { sw_log sun 40; fail "$c: strongSwan did not see charond's DPD vendor ID"; }
pass "$c: strongSwan read charond's DPD vendor ID"
# one_way FROM TO SECONDS: pings from FROM's LAN to TO's for SECONDS,
# which TO drops after ESP decrypted them: ESP in on TO only.
one_way() {
	vm_in "$2" nft -f - <<EOF || fail "$c: cannot set $2's filter"
table inet oneway {
	chain in { type filter hook input priority 0; ip protocol icmp drop; }
}
EOF
	src=10.1.0.1 dst=10.2.0.1
	[ "$1" = moon ] || { src=10.2.0.1 dst=10.1.0.1; }
	vm_in "$1" ping -q -i 0.3 -w "$3" -I $src $dst >/dev/null 2>&1 &
	OW_PID=$!
}

one_way_end() {
	kill "$OW_PID" 2>/dev/null || :
	wait "$OW_PID" 2>/dev/null || :
	vm_in "$1" nft delete table inet oneway
}

one_way sun moon 20
# strongSwan names R-U-THERE-ACK "DPD_ACK" in its message lines.
log_wait "$swlog" 'parsed INFORMATIONAL_V1 .*N\(DPD_ACK\)' 15 ||
    { sw_log sun 40; cd_log moon; fail "$c: strongSwan received no R-U-THERE-ACK"; }
one_way_end moon
pass "$c: charond answered strongSwan's R-U-THERE (strongSwan parsed the ACK)"
one_way moon sun 20
log_wait "$CD_DIR/moon/log" "peer answered R-U-THERE" 15 ||
    { cd_log moon; sw_log sun 40; fail "$c: strongSwan did not answer charond's R-U-THERE"; }
one_way_end sun
pass "$c: strongSwan answered charond's R-U-THERE"
sleep 4
sw_list_sas sun | grep -q ESTABLISHED ||
    { sw_log sun 40; fail "$c: strongSwan's SA went"; }
[ "$(ip -n moon xfrm state | grep -c '^src')" = 2 ] ||
    { cd_log moon; fail "$c: charond's SAs went"; }
! grep -q "is dead" "$CD_DIR/moon/log" ||
    { cd_log moon; fail "$c: charond declared a live peer dead"; }
pass "$c: after more DPD rounds both still hold their SAs"
assert_ok "$c: ping through ESP" \
    vm_in moon ping -c 2 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1

# --- sw-dies ---------------------------------------------------------------
c=sw-dies
# shellcheck disable=SC2153 # sw_pid sets it
sw_pid sun && kill -KILL "$SW_PID"
sw_stop sun
ip -n sun xfrm state flush
ip -n sun xfrm policy flush
t0=$(date +%s)
log_wait "$CD_DIR/moon/log" "peer 192.0.2.2 is dead" 20 ||
    { cd_log moon; fail "$c: charond did not declare strongSwan dead within 20 s"; }
echo "  moon: $(grep "is dead" "$CD_DIR/moon/log")"
grep -q "did not answer R-U-THERE" "$CD_DIR/moon/log" ||
    { cd_log moon; fail "$c: no line about the unanswered R-U-THERE"; }
pass "$c: charond declared strongSwan dead after $(($(date +%s) - t0)) s (R-U-THERE unanswered)"
cd_wait_states moon 0 || { cd_log moon; fail "$c: SAs left on moon"; }
[ -z "$(vm_xfrm_policies moon)" ] ||
    { vm_xfrm_policies moon; fail "$c: policies left on moon"; }
pass "$c: clear left nothing in moon's kernel"
cd_stop moon || :
