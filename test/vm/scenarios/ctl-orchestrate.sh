#!/bin/sh
# SPDX-License-Identifier: ISC
#
# etc/examples/orchestrate.sh, the example of scripting charond through
# `charonctl --json`, run against the demo tunnel (moon 192.0.2.1 with LAN
# 10.1.0.0/16, sun 192.0.2.2 with LAN 10.2.0.0/16): it must bring the
# tunnel up, see a ping through it in the counters, tear it down, and leave
# both kernels clean. Then its failure path: a wrong PSK on sun must make
# it stop with charonctl's status 1 and the reason AUTH_FAILED.
#
# Run: test/vm/run.sh test/vm/scenarios/ctl-orchestrate.sh
set -eu
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/../lib.sh"
# shellcheck source=/dev/null
. "${0%/*}/../charond.sh"
vm_require_guest

finish() {
	st=$?
	if [ $st -ne 0 ]; then
		cd_log moon
		cd_log sun
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

for h in moon sun; do
	mkdir -p "$CD_DIR/$h"
	sed -e "s|^daemon:|daemon:\n  socket: $CD_DIR/$h/ctl.sock|" \
	    -e 's/start_action: start/start_action: none/' \
	    "etc/demo/$h.yaml" >"$CD_DIR/$h.yaml"
done
cd_start sun "$CD_DIR/sun.yaml"
cd_start moon "$CD_DIR/moon.yaml"
CHARONCTL="$PWD/$CHAROND_BUILD/bin/charonctl"
export CHARONCTL
i=0
until "$CHARONCTL" -S "$CD_DIR/moon/ctl.sock" version >/dev/null 2>&1 &&
    "$CHARONCTL" -S "$CD_DIR/sun/ctl.sock" version >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "the daemons do not answer"
	sleep 0.1
done

st=0
out=$(etc/examples/orchestrate.sh -S "$CD_DIR/moon/ctl.sock" -t 30 site net \
    ip netns exec moon ping -c 3 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1 2>&1) ||
    st=$?
printf '%s\n' "$out" | sed 's/^/  | /'
[ $st -eq 0 ] || fail "orchestrate.sh exited with $st"
pass "orchestrate.sh brought the tunnel up, used it and tore it down"
assert_contains "$out" "CHILD SA net installed" "it saw the CHILD SA installed"
assert_contains "$out" "traffic through net: " "it saw the ping in the counters"
assert_contains "$out" "is gone" "it saw the SA gone"
[ -z "$(vm_xfrm_states moon)" ] || fail "SAs left on moon"
[ -z "$(vm_xfrm_policies moon)" ] || fail "policies left on moon"
cd_wait_states sun 0 || fail "SAs left on sun"
pass "both kernels are clean afterwards"

# The failure path: sun with another PSK.
cd_stop sun || fail "sun did not stop"
sed 's/secret: ".*"/secret: "not the demo secret"/' "$CD_DIR/sun.yaml" \
    >"$CD_DIR/sun-bad.yaml"
cd_start sun "$CD_DIR/sun-bad.yaml"
sleep 0.5
st=0
out=$(etc/examples/orchestrate.sh -S "$CD_DIR/moon/ctl.sock" -t 30 site net \
    2>&1) || st=$?
printf '%s\n' "$out" | sed 's/^/  | /'
[ $st -eq 1 ] || fail "orchestrate.sh against a wrong PSK exited $st, not 1"
assert_contains "$out" "up: AUTH_FAILED: " "it reports AUTH_FAILED"
[ -z "$(vm_xfrm_states moon)" ] || fail "SAs left on moon after the failure"
pass "nothing left behind after the failure"
