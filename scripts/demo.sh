#!/bin/sh
# SPDX-License-Identifier: ISC
#
# `make demo`: two hosts (network namespaces) moon and sun, each running
# charond with its config from etc/demo/, bring up a PSK tunnel between
# their LANs, show the negotiated SAs and ping through them. Runs inside
# the test VM (test/vm/run.sh) when the host kernel has no ESP.
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=/dev/null
. test/vm/lib.sh
# shellcheck source=/dev/null
. test/vm/charond.sh
trap 'vm_cleanup' EXIT

say() { printf '\n== %s\n' "$*"; }

say "two hosts: moon 192.0.2.1 (LAN 10.1.0.0/16), sun 192.0.2.2 (LAN 10.2.0.0/16)"
vm_host moon sun
vm_link moon eth0 192.0.2.1/24 sun eth0 192.0.2.2/24
vm_dummy moon lan 10.1.0.1/16
vm_dummy sun lan 10.2.0.1/16
ip -n moon route add 10.2.0.0/16 via 192.0.2.2
ip -n sun route add 10.1.0.0/16 via 192.0.2.1

say "starting charond on sun (responder) and moon (start_action: start)"
cd_start sun etc/demo/sun.yaml
sleep 0.5
cd_start moon etc/demo/moon.yaml
if ! cd_wait_states moon 2; then
	cd_log moon
	cd_log sun
	echo "demo: the tunnel did not come up" >&2
	exit 1
fi
sed 's/^/  moon| /' "$CD_DIR/moon/log"

say "moon: ip xfrm state"
ip -n moon xfrm state | sed "s/0x[0-9a-f]\{32,\}/<key>/"
say "moon: ip xfrm policy"
ip -n moon xfrm policy
say "sun: ip xfrm state"
ip -n sun xfrm state | sed "s/0x[0-9a-f]\{32,\}/<key>/"

say "ping from moon's LAN (10.1.0.1) to sun's LAN (10.2.0.1) through ESP"
ip netns exec moon ping -c 3 -i 0.2 -I 10.1.0.1 10.2.0.1

say "moon's SA counters after the ping"
ip -n moon -s xfrm state | grep -E '^src|esp|packets\)'

say "stopping moon: its DELETE removes the SAs on both hosts"
cd_stop moon
cd_wait_states sun 0 && echo "sun: no SAs left"
cd_stop sun
echo
echo "demo: OK"
