#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The kernel's XFRM_MSG_MAPPING reaches the plugins: charond on moon and
# sun with the test plugin tp_hooks (`encap: true`: its child filter puts
# ESP in UDP, port 4500 at both ends; its mapping hook logs what it is
# told). A source NAT on sun rewrites its ESP-in-UDP packets to come from
# port 4600: moon's kernel decapsulates them (from a port its inbound SA
# does not name) and sends XFRM_MSG_MAPPING, which charond's event loop
# takes to the IKE SA owning that inbound SPI and hands, with the new
# endpoint, to the plugins' mapping hooks. Who then moves the SA is the
# natt plugin's business, not tested here.
#
# Run: test/vm/run.sh test/vm/scenarios/charond-mapping.sh
set -eu
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/../lib.sh"
# shellcheck source=/dev/null
. "${0%/*}/../charond.sh"
vm_require_guest

W=/tmp/charond-mapping
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
vm_dummy moon lan 10.1.0.1/16
vm_dummy sun lan 10.2.0.1/16
ip -n moon route add 10.2.0.0/16 via 192.0.2.2
ip -n sun route add 10.1.0.0/16 via 192.0.2.1

# conf HOST LOCAL REMOTE LOCAL_TS REMOTE_TS START
conf() {
	cat >"$W/$1.yaml" <<EOF
daemon:
  plugin_dir: "$W/plugins"
  plugins: [psk, tp_hooks]
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
    - secret: "charond-mapping test only"
plugins:
  tp_hooks: {encap: true}
EOF
}
conf sun 192.0.2.2 192.0.2.1 10.2.0.0/16 10.1.0.0/16 none
conf moon 192.0.2.1 192.0.2.2 10.1.0.0/16 10.2.0.0/16 start

# sun's ESP in UDP leaves from port 4600 (IKE, on port 500, is left
# alone): a NAT between them that maps the port anew.
vm_in sun nft -f - <<'EOF' || fail "cannot load sun's source NAT"
table ip nat {
	chain post {
		type nat hook postrouting priority srcnat;
		ip daddr 192.0.2.1 udp sport 4500 snat to 192.0.2.2:4600
	}
}
EOF

cd_start sun "$W/sun.yaml"
sleep 0.5
cd_start moon "$W/moon.yaml"
if ! cd_wait_states moon 2 || ! cd_wait_states sun 2; then
	fail "the tunnel did not come up"
fi
st=$(vm_xfrm_states moon)
echo "$st" | sed 's/^/  moon: /'
assert_contains "$st" "192.0.2.2 192.0.2.1 esp" "moon's inbound SA"
# shellcheck disable=SC2016 # awk's $NF
assert_ok "both of moon's SAs are UDP-encapsulated" sh -c \
    'echo "$1" | awk '"'"'$NF == "-" { bad = 1 } END { exit bad }'"'"'' - "$st"
assert_fails "no mapping change yet" grep -q "mapping of IKE SA" \
    "$CD_DIR/moon/log"

# sun's pings leave from 192.0.2.2:4600 (sun speaks first: a NAT maps
# new flows only, and the answers of an existing one match it).
assert_ok "sun's LAN pings moon's LAN through the NAT" \
    vm_in sun ping -c 3 -i 0.2 -W 2 -I 10.2.0.1 10.1.0.1
i=0
while ! grep -q "mapping of IKE SA" "$CD_DIR/moon/log"; do
	[ $i -lt 50 ] || fail "no mapping change reached the plugins"
	sleep 0.1
	i=$((i + 1))
done
line=$(grep "mapping of IKE SA" "$CD_DIR/moon/log" | head -n 1)
echo "  moon: $line"
assert_contains "$line" "mapping of IKE SA 1: peer now 192.0.2.2:4600" \
    "XFRM_MSG_MAPPING reached the plugins: IKE SA 1, the new port"
# The kernel says so for every such packet (no rate limit without
# XFRMA_MTIMER_THRESH): three pings, three calls. (sun sees changes too:
# its conntrack gives moon's answers, which clash with its own flow's
# original direction, another port.)
assert_ge "... once per packet from the new port" \
    "$(grep -c "mapping of IKE SA 1: peer now 192.0.2.2:4600" \
	"$CD_DIR/moon/log")" 3
cd_stop moon || fail "moon did not stop"
cd_stop sun || fail "sun did not stop"
