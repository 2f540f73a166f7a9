#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The natt plugin between two hosts with no NAT (moon 127.0.0.1, sun
# 127.0.0.2, daemon.kernel: none): NAT detection finds nothing and the
# SAs stay on port 500, unencapsulated. With `encap: true` on moon, moon
# fakes its NAT detection data (RFC 7296 2.23): sun believes moon behind a
# NAT, both move to port 4500 after IKE_SA_INIT, and every CHILD SA,
# rekeyed ones too, goes to the kernel UDP-encapsulated. list-sas says so
# on both ends. The plugin's keys are typed and refused without it.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

for n in moon sun; do
	if [ $n = moon ]; then
		e2e_conf moon 127.0.0.1 127.0.0.2
	else
		e2e_conf sun 127.0.0.2 127.0.0.1
		sed -i -e 's|local_ts: \[10.1.0.0/16\]|local_ts: [10.2.0.0/16]|' \
		    -e 's|remote_ts: \[10.2.0.0/16\]|remote_ts: [10.1.0.0/16]|' \
		    "$W/sun.yaml"
	fi
	sed -i 's|^daemon:$|daemon:\n  kernel: none|' "$W/$n.yaml"
done
e2e_start sun
e2e_start moon

# NAME's first IKE SA as "local_port remote_port nat_local nat_remote
# child_encap".
sa_line() {
	ctl "$1" --json list-sas
	jget '" ".join(str(x) for x in (d["ike_sas"][0]["local"]["port"],
	    d["ike_sas"][0]["remote"]["port"], d["ike_sas"][0]["nat"]["local"],
	    d["ike_sas"][0]["nat"]["remote"],
	    d["ike_sas"][0]["children"][0]["encap"]))' <"$W/out"
}

ctl moon --json initiate --child net --timeout 10
expect_rc 0 "without a NAT: IKE SA and CHILD SA up"
sleep 0.2
for n in moon sun; do
	check "$n: port 500, no NAT, no encapsulation" test \
	    "$(sa_line $n)" = "500 500 False False False"
done
ctl moon --json terminate --ike site --timeout 10
expect_rc 0 "terminated"

# encap: true on moon only.
sed -i 's|^    local_addrs: \[127.0.0.1\]$|    encap: true\n&|' "$W/moon.yaml"
ctl moon load
expect_rc 0 "moon loads encap: true"
ctl moon --json list-conns
check "list-conns shows encap: true" test \
    "$(jget 'd["conns"][0]["encap"]' <"$W/out")" = True
ctl moon --json initiate --child net --timeout 10
expect_rc 0 "with encap: true: IKE SA and CHILD SA up"
sleep 0.2
check "moon: on 4500, no NAT of its own, CHILD SA encapsulated" test \
    "$(sa_line moon)" = "4500 4500 False False True"
check "sun: on 4500, believes moon behind a NAT, CHILD SA encapsulated" \
    test "$(sa_line sun)" = "4500 4500 False True True"
expect_in "$W/moon.log" "no NAT, UDP encapsulation forced (encap: true)" \
    "moon says why it encapsulates"
expect_in "$W/sun.log" "NAT detected, the peer is behind a NAT" \
    "sun says what it detected"
expect_in "$W/moon.log" "moved from 127.0.0.1:500 - 127.0.0.2:500 to 127.0.0.1:4500 - 127.0.0.2:4500" \
    "moon moved its IKE SA to port 4500 in one line"

# A rekeyed CHILD SA is encapsulated too, and IKE keeps going over 4500.
ctl moon --json list-sas
id=$(jget 'd["ike_sas"][0]["id"]' <"$W/out")
cid=$(jget 'd["ike_sas"][0]["children"][0]["id"]' <"$W/out")
ctl moon --json rekey --ike-id "$id" --child-id "$cid"
expect_rc 0 "rekey of the CHILD SA over port 4500"
i=0
until [ "$(ctl moon --json list-sas; jget 'd["ike_sas"][0]["children"][0]["id"] != '"$cid"' and d["ike_sas"][0]["children"][0]["state"] == "INSTALLED"' <"$W/out")" = True ]; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "no rekeyed CHILD SA after 5 s"
	sleep 0.1
done
sleep 0.2
for n in moon sun; do
	check "$n: the rekeyed CHILD SA is encapsulated" test \
	    "$(sa_line $n | cut -d' ' -f5)" = True
done
ctl moon --json rekey --ike-id "$id"
expect_rc 0 "rekey of the IKE SA over port 4500"
sleep 1
check "sun: the new IKE SA keeps what natt knew" test \
    "$(sa_line sun)" = "4500 4500 False True True"
ctl moon --json terminate --ike site --timeout 10
expect_rc 0 "terminated over port 4500"

# Typed keys, refused without the plugin.
sed 's|^    encap: true$|    encap: sometimes|' "$W/moon.yaml" >"$W/bad.yaml"
rc=0
"$CHAROND" -c "$W/bad.yaml" --check-config >"$W/out" 2>&1 || rc=$?
check "encap: sometimes refused" test "$rc" -ne 0
expect_in "$W/out" "bad.yaml:8:12: error: bad value 'sometimes' for 'encap'" \
    "with FILE:LINE:COL"
sed 's|^daemon:$|daemon:\n  plugins: [psk]|' "$W/moon.yaml" >"$W/bad.yaml"
rc=0
"$CHAROND" -c "$W/bad.yaml" --check-config >"$W/out" 2>&1 || rc=$?
check "encap without the natt plugin refused" test "$rc" -ne 0
expect_in "$W/out" "error: not supported yet: encap (needs the natt plugin)" \
    "naming the plugin"
printf 'plugins:\n  natt:\n    keepalive: 2h\n' >>"$W/moon.yaml"
rc=0
"$CHAROND" -c "$W/moon.yaml" --check-config >"$W/out" 2>&1 || rc=$?
check "a keepalive of 2h refused" test "$rc" -ne 0
expect_in "$W/out" "error: bad duration '2h' for 'keepalive': expected 0s to 3600s" \
    "with its bounds"

e2e_stop moon
e2e_stop sun
