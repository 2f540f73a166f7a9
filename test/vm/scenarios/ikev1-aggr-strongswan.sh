#!/bin/sh
# SPDX-License-Identifier: ISC
#
# strongSwan 5.9.8 (moon, 192.0.2.1) initiates IKEv1 Aggressive Mode with
# a pre-shared key to charond (sun, 192.0.2.2), an ISAKMP SA alone (no
# Quick Mode yet):
#   refused  sun's connection lacks `aggressive: yes`: charond logs its one
#            line naming moon and the connection, and neither side keeps
#            an SA
#   allowed  with the key: ESTABLISHED on both, sun's key chosen by moon's
#            ID from message 1
#
# Run: test/vm/run.sh test/vm/scenarios/ikev1-aggr-strongswan.sh
set -eu
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/../lib.sh"
# shellcheck source=/dev/null
. "${0%/*}/../charond.sh"
# shellcheck source=/dev/null
. "${0%/*}/../strongswan.sh"
vm_require_guest
# charond's log joins strongSwan's in $VM_OUT (kept on failure).
keep_logs() {
	kl_rc=$?
	if [ -n "${VM_OUT:-}" ] && [ -d "$VM_OUT" ]; then
		cp "$CD_DIR/sun/log" "$VM_OUT/charond-sun.log" 2>/dev/null || :
	fi
	(exit "$kl_rc")
	sw_exit_trap
}
trap 'keep_logs' EXIT

psk="aggressive mode test key"
refused="peer 192.0.2.1 offered IKEv1 Aggressive Mode: refused, its PSK \
hash could be cracked offline (aggressive: yes on connection 'site' \
allows it)"

vm_host moon sun
vm_link moon eth0 192.0.2.1/24 sun eth0 192.0.2.2/24

# sun_conf AGGRESSIVE: charond's config, its key for moon's ID first and
# an ID-less one that would not match after it.
sun_conf() {
	cat >"$CD_DIR/sun.yaml" <<CONF
daemon:
  listen: ["192.0.2.2"]
  plugin_dir: "@PLUGIN_DIR@"
connections:
  site:
    version: 1
    aggressive: $1
    local_addrs: ["192.0.2.2"]
    remote_addrs: ["192.0.2.1"]
    proposals: [aes128-sha256-modp2048]
    local: {auth: psk, id: sun.example.org}
    remote: {auth: psk, id: moon.example.org}
secrets:
  psk:
    - {ids: [moon.example.org], secret: "$psk"}
    - secret: "not the key"
CONF
}
mkdir -p "$CD_DIR"

# strongSwan refuses Aggressive Mode with a PSK unless told it may, and
# gives up after two quick retransmits so that the refused case is short.
sw_start moon -c 'i_dont_care_about_security_and_use_aggressive_mode_psk = yes' \
    -c 'retransmit_tries = 2' -c 'retransmit_timeout = 1'
sw_conf moon <<CONF
connections {
	gw {
		version = 1
		aggressive = yes
		local_addrs = 192.0.2.1
		remote_addrs = 192.0.2.2
		proposals = aes128-sha256-modp2048
		local {
			auth = psk
			id = moon.example.org
		}
		remote {
			auth = psk
			id = sun.example.org
		}
	}
}
secrets {
	ike-gw {
		id-1 = moon.example.org
		id-2 = sun.example.org
		secret = "$psk"
	}
}
CONF
sw_load moon

# --- refused ---------------------------------------------------------
sun_conf no
cd_start sun "$CD_DIR/sun.yaml"
sleep 1
if SW_TIMEOUT=40 sw_initiate moon "" gw >"$CD_DIR/sw.out" 2>&1; then
	sed 's/^/  | /' "$CD_DIR/sw.out"
	fail "strongSwan's Aggressive Mode came up against a refusing sun"
fi
pass "strongSwan's initiation failed"
grep -qF "$refused" "$CD_DIR/sun/log" ||
    { cd_log sun; fail "charond did not log its refusal"; }
pass "charond logged its refusal, naming moon and the connection"
n=$("$CHAROND_BUILD/bin/charonctl" -S "$CD_DIR/sun/ctl.sock" list-sas |
    grep -c ESTABLISHED || :)
[ "$n" = 0 ] || fail "charond holds $n SAs"
case $(sw_list_sas moon 2>/dev/null) in
*ESTABLISHED*) fail "strongSwan holds an ESTABLISHED SA" ;;
esac
pass "no SA on either side"
cd_stop sun || fail "charond did not exit"

# --- allowed ---------------------------------------------------------
sun_conf yes
cd_start sun "$CD_DIR/sun.yaml"
sleep 1
if ! sw_initiate moon "" gw >"$CD_DIR/sw.out" 2>&1; then
	sed 's/^/  | /' "$CD_DIR/sw.out"
	cd_log sun
	fail "strongSwan's Aggressive Mode did not come up"
fi
pass "strongSwan: Aggressive Mode initiation succeeded"
assert_contains "$(sw_list_sas moon)" "ESTABLISHED" \
    "strongSwan lists the ISAKMP SA ESTABLISHED"
assert_contains "$("$CHAROND_BUILD/bin/charonctl" -S "$CD_DIR/sun/ctl.sock" \
    list-sas)" "ESTABLISHED" "charond lists the ISAKMP SA ESTABLISHED"
grep -q "ISAKMP SA established (Aggressive Mode)" "$CD_DIR/sun/log" ||
    { cd_log sun; fail "charond did not log the Aggressive Mode SA"; }
grep -q "peer 'moon.example.org' authenticated with a pre-shared key" \
    "$CD_DIR/sun/log" || { cd_log sun; fail "charond did not name moon"; }
pass "charond logged moon's authentication and the SA"
cd_stop sun || fail "charond did not exit"
