#!/bin/sh
# SPDX-License-Identifier: ISC
#
# charonctl against charond with real ESP: moon (192.0.2.1, LAN
# 10.1.0.0/16) and sun (192.0.2.2, LAN 10.2.0.0/16) with the demo configs,
# moon's child not started by itself. `charonctl initiate` returns once the
# CHILD SA is installed, with the SPIs the kernels hold; list-sas shows the
# kernel's counters after a ping, on both hosts; sun's monitor sees the
# events; `terminate` returns once both kernels are clean; a child brought
# up on an existing IKE SA and closed alone (`terminate --child`,
# `--ike-id N --child-id M`) leaves its IKE SA up.
#
# Run: test/vm/run.sh test/vm/scenarios/ctl-tunnel.sh
set -eu
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/../lib.sh"
# shellcheck source=/dev/null
. "${0%/*}/../charond.sh"
vm_require_guest

CTL="$CHAROND_BUILD/bin/charonctl"
mon=
finish() {
	st=$?
	[ -z "$mon" ] || kill "$mon" 2>/dev/null || true
	if [ $st -ne 0 ]; then
		cd_log moon
		cd_log sun
		[ ! -f "$CD_DIR/sun/monitor" ] || sed 's/^/  mon| /' \
		    "$CD_DIR/sun/monitor"
	fi
	cd_stop moon || true
	cd_stop sun || true
	vm_cleanup
}
trap finish EXIT

vm_host moon sun
vm_link moon eth0 192.0.2.1/24 sun eth0 192.0.2.2/24
vm_dummy moon lan 10.1.0.1/16
vm_dummy sun lan 10.2.0.1/16
ip -n moon route add 10.2.0.0/16 via 192.0.2.2
ip -n sun route add 10.1.0.0/16 via 192.0.2.1

# The demo configs, each with a control socket of its own (they share the
# VM's /run), moon waiting for charonctl instead of starting by itself.
for h in moon sun; do
	mkdir -p "$CD_DIR/$h"
	sed -e "s|^daemon:|daemon:\n  socket: $CD_DIR/$h/ctl.sock|" \
	    -e 's/start_action: start/start_action: none/' \
	    "etc/demo/$h.yaml" >"$CD_DIR/$h.yaml"
done
cd_start sun "$CD_DIR/sun.yaml"
cd_start moon "$CD_DIR/moon.yaml"

# ctl HOST ARGS...: charonctl against HOST's daemon; output in $out.
ctl() {
	h=$1
	shift
	rc=0
	out=$("$CTL" -S "$CD_DIR/$h/ctl.sock" "$@" 2>&1) || rc=$?
}
# j EXPR: a Python expression over d, the JSON in $out.
j() {
	echo "$out" | python3 -c 'import json, sys
d = json.load(sys.stdin)
print(eval("(" + sys.argv[1] + ")"))' "$1"
}

for h in moon sun; do
	i=0
	until "$CTL" -S "$CD_DIR/$h/ctl.sock" version >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 50 ] || fail "charond on $h does not answer"
		sleep 0.1
	done
done
pass "both daemons answer on their control sockets"
ctl moon --json list-sas
[ "$out" = '{"ike_sas":[]}' ] || fail "moon has SAs before initiate: $out"
pass "no SA before initiate"

"$CTL" -S "$CD_DIR/sun/ctl.sock" --json monitor --level info \
    >"$CD_DIR/sun/monitor" 2>&1 &
mon=$!

ctl moon --json initiate --child net --timeout 30
[ $rc -eq 0 ] || fail "initiate --child net: exit $rc: $out"
pass "initiate --child net returned 0"
ike=$(j 'd["ike_id"]')
[ "$(j 'd["ike_sa"]["children"][0]["state"]')" = INSTALLED ] ||
    fail "initiate answered before the child was installed: $out"
pass "the CHILD SA is installed when initiate returns"
spi_in=$(j 'd["ike_sa"]["children"][0]["spi_in"]')
spi_out=$(j 'd["ike_sa"]["children"][0]["spi_out"]')
cd_wait_states moon 2 || fail "moon's kernel does not hold two SAs"
m=$(vm_xfrm_states moon)
echo "$m" | sed 's/^/  moon: /'
assert_contains "$m" "192.0.2.2 192.0.2.1 esp 0x$spi_in tunnel" \
    "list-sas spi_in is moon's inbound SA in the kernel"
assert_contains "$m" "192.0.2.1 192.0.2.2 esp 0x$spi_out tunnel" \
    "list-sas spi_out is moon's outbound SA in the kernel"

assert_ok "moon's LAN pings sun's LAN through the tunnel" \
    vm_in moon ping -c 3 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1
ctl moon --json list-sas
c='d["ike_sas"][0]["children"][0]'
assert_ge "list-sas packets_out on moon" "$(j "${c}[\"packets_out\"]")" 3
assert_ge "list-sas packets_in on moon" "$(j "${c}[\"packets_in\"]")" 3
assert_ge "list-sas bytes_out on moon" "$(j "${c}[\"bytes_out\"]")" 250
assert_ge "list-sas bytes_in on moon" "$(j "${c}[\"bytes_in\"]")" 250
kp=$(vm_xfrm_states moon | awk -v s="0x$spi_out" '$4 == s { print $7 }')
[ "$(j "${c}[\"packets_out\"]")" = "$kp" ] ||
    fail "packets_out $(j "${c}[\"packets_out\"]") is not the kernel's $kp"
pass "packets_out is the kernel's counter ($kp)"
ctl sun --json list-sas
[ "$(j 'd["ike_sas"][0]["initiator"]')" = False ] ||
    fail "sun is not the responder: $out"
[ "$(j "${c}[\"spi_in\"]")" = "$spi_out" ] ||
    fail "sun's spi_in is not moon's spi_out: $out"
assert_ge "list-sas packets_in on sun" "$(j "${c}[\"packets_in\"]")" 3
pass "sun lists the same CHILD SA, SPIs crossed"

ctl moon list-sas
echo "$out" | sed 's/^/  | /'
assert_contains "$out" "site: #$ike, ESTABLISHED, IKEv2" \
    "list-sas for humans: the IKE SA"
assert_contains "$out" "net: #" "list-sas for humans: the CHILD SA"
assert_contains "$out" "in  $spi_in, " "list-sas for humans: inbound SPI"
ctl moon --json stats
assert_ge "stats: traffic out counted" "$(j 'd["traffic"]["packets_out"]')" 3
[ "$(j 'd["child_sas"]["INSTALLED"]')" = 1 ] || fail "stats: $out"
pass "stats: one CHILD SA installed"

ctl moon --json terminate --ike site --timeout 20
[ $rc -eq 0 ] || fail "terminate --ike site: exit $rc: $out"
pass "terminate --ike site returned 0"
[ -z "$(vm_xfrm_states moon)" ] || fail "SAs left on moon after terminate"
[ -z "$(vm_xfrm_policies moon)" ] || fail "policies left on moon"
cd_wait_states sun 0 || fail "SAs left on sun after terminate"
pass "terminate: no SA or policy left on either host"
ctl sun --json list-sas
[ "$out" = '{"ike_sas":[]}' ] || fail "sun still lists an SA: $out"
pass "sun lists no SA"

# The IKE SA alone, then the child on it (CREATE_CHILD_SA); the child
# closed on its own (the IKE SA stays), by name and by number.
ctl moon --json initiate --ike site --timeout 30
[ $rc -eq 0 ] || fail "initiate --ike site: exit $rc: $out"
[ "$(j 'len(d["ike_sa"]["children"])')" = 0 ] ||
    fail "initiate --ike brought a child up: $out"
ike=$(j 'd["ike_id"]')
pass "initiate --ike: IKE SA #$ike only"
ctl moon --json initiate --child net --timeout 30
[ $rc -eq 0 ] || fail "initiate --child on the IKE SA: exit $rc: $out"
[ "$(j 'd["ike_id"]')" = "$ike" ] || fail "$out"
cd_wait_states moon 2 || fail "no CHILD SA in moon's kernel"
pass "initiate --child rides on the existing IKE SA"
ctl moon --json terminate --child net --timeout 20
[ $rc -eq 0 ] || fail "terminate --child net: exit $rc: $out"
[ "$(j 'len(d["children"]), d["terminated"]')" = "(1, [])" ] ||
    fail "terminate --child: $out"
[ -z "$(vm_xfrm_states moon)" ] || fail "SAs left on moon"
cd_wait_states sun 0 || fail "SAs left on sun"
pass "terminate --child net: the CHILD SA is gone from both kernels"
ctl moon --json list-sas
[ "$(j '[(s["state"], s["children"]) for s in d["ike_sas"]]')" = \
    "[('ESTABLISHED', [])]" ] || fail "after terminate --child: $out"
ctl sun --json list-sas
[ "$(j '[(s["state"], s["children"]) for s in d["ike_sas"]]')" = \
    "[('ESTABLISHED', [])]" ] || fail "sun after terminate --child: $out"
pass "the IKE SA stays up on both hosts, without children"
ctl moon --json initiate --child net --timeout 30
[ $rc -eq 0 ] || fail "initiate --child again: exit $rc: $out"
child=$(j 'd["child_id"]')
cd_wait_states moon 2 || fail "no CHILD SA in moon's kernel"
ctl moon terminate --ike-id "$ike" --child-id "$child" --timeout 20
[ $rc -eq 0 ] || fail "terminate --ike-id --child-id: exit $rc: $out"
assert_contains "$out" "terminated CHILD SA #$child of IKE SA #$ike" \
    "terminate --ike-id $ike --child-id $child"
cd_wait_states sun 0 || fail "SAs left on sun"
ctl moon terminate --ike site --timeout 20
[ $rc -eq 0 ] || fail "terminate --ike site: exit $rc: $out"
cd_wait_states sun 0 || fail "SAs left on sun"
ctl sun --json list-sas
[ "$out" = '{"ike_sas":[]}' ] || fail "sun still lists an SA: $out"
pass "terminate --ike site: nothing left"

sleep 0.5
kill "$mon"
mon=
ev=$(sed -n 's/.*"event":"\([a-z-]*\)".*/\1/p' "$CD_DIR/sun/monitor" |
    grep -v '^log$' | tr '\n' ' ')
echo "  sun's monitor: $ev"
# (The engine reports ike-down and child-down in either order.)
assert_contains "$ev" "ike-up child-up " "sun's monitor: ike-up, child-up"
assert_contains "$ev" "child-down" "sun's monitor: child-down"
assert_contains "$ev" "ike-down" "sun's monitor: ike-down"
assert_contains "$(cat "$CD_DIR/sun/monitor")" '"event":"log"' \
    "sun's monitor: log lines"
