#!/bin/sh
# SPDX-License-Identifier: ISC
#
# IKEv1 NAT-T between two daemons with no NAT (moon 127.0.0.1 initiates,
# sun 127.0.0.2, daemon.kernel: none), through the natt plugin: without
# a NAT both find none from the NAT-D payloads of Main Mode messages 3
# and 4, and everything stays on port 500 unencapsulated. With `encap:
# true` on moon, its faked NAT-D makes sun believe it behind a NAT: moon
# floats to port 4500 at message 5, sun follows, Quick Mode negotiates
# UDP-Encapsulated-Tunnel and the CHILD SA goes to the kernel
# UDP-encapsulated on both; list-sas says so.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

v1n_conf() {
	e2e_conf "$1" "$2" "$3" "one key" aes128-sha256-modp2048
	sed -i -e 's|^daemon:$|daemon:\n  kernel: none|' \
	    -e 's|^  site:$|  site:\n    version: 1|' \
	    -e 's|esp_proposals: \[aes128gcm16\]|esp_proposals: [aes128-sha256]|' \
	    "$W/$1.yaml"
	if [ "$1" = sun ]; then
		sed -i -e 's|local_ts: \[10.1.0.0/16\]|local_ts: [10.2.0.0/16]|' \
		    -e 's|remote_ts: \[10.2.0.0/16\]|remote_ts: [10.1.0.0/16]|' \
		    "$W/$1.yaml"
	fi
}
v1n_conf moon 127.0.0.1 127.0.0.2
v1n_conf sun 127.0.0.2 127.0.0.1
e2e_start sun
e2e_start moon

# NAME's first IKE SA as "version local_port remote_port nat_local
# nat_remote child_encap".
sa_line() {
	ctl "$1" --json list-sas
	jget '" ".join(str(x) for x in (d["ike_sas"][0]["version"],
	    d["ike_sas"][0]["local"]["port"],
	    d["ike_sas"][0]["remote"]["port"], d["ike_sas"][0]["nat"]["local"],
	    d["ike_sas"][0]["nat"]["remote"],
	    d["ike_sas"][0]["children"][0]["encap"]))' <"$W/out"
}

ctl moon --json initiate --child net --timeout 10
expect_rc 0 "IKEv1 without a NAT: ISAKMP SA and CHILD SA up"
sleep 0.2
for n in moon sun; do
	check "$n: IKEv1 on port 500, no NAT, no encapsulation" test \
	    "$(sa_line $n)" = "1 500 500 False False False"
done
expect_in "$W/sun.log" "peer does NAT-T as RFC 3947" \
    "sun read moon's RFC 3947 vendor ID"
ctl moon --json terminate --ike site --timeout 10
expect_rc 0 "terminated"

sed -i 's|^    local_addrs: \[127.0.0.1\]$|    encap: true\n&|' "$W/moon.yaml"
ctl moon load
expect_rc 0 "moon loads encap: true"
ctl moon --json initiate --child net --timeout 10
expect_rc 0 "IKEv1 with encap: true: ISAKMP SA and CHILD SA up"
sleep 0.2
check "moon: on 4500, no NAT of its own, CHILD SA encapsulated" test \
    "$(sa_line moon)" = "1 4500 4500 False False True"
check "sun: on 4500, believes moon behind a NAT, CHILD SA encapsulated" \
    test "$(sa_line sun)" = "1 4500 4500 False True True"
expect_in "$W/moon.log" "no NAT, UDP encapsulation forced (encap: true)" \
    "moon says why it encapsulates"
expect_in "$W/sun.log" "NAT detected, the peer is behind a NAT" \
    "sun says what it detected"
expect_in "$W/moon.log" "moved from 127.0.0.1:500 - 127.0.0.2:500 to 127.0.0.1:4500 - 127.0.0.2:4500" \
    "moon floated to port 4500 before message 5"
expect_in "$W/sun.log" "moved from 127.0.0.2:500 - 127.0.0.1:500 to 127.0.0.2:4500 - 127.0.0.1:4500" \
    "sun followed it there"
ctl moon --json terminate --ike site --timeout 10
expect_rc 0 "terminated over port 4500"

e2e_stop moon
e2e_stop sun
