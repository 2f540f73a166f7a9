#!/bin/sh
# SPDX-License-Identifier: ISC
#
# IKE fragmentation (RFC 7383) between two daemons (moon 127.0.0.1, sun
# 127.0.0.2, daemon.kernel: none). With fragment_size 576 on both, an
# IKE_AUTH made large by eight selectors a side and many ESP proposals
# goes out in fragments (sun's smaller answer fits one datagram), and the
# CHILD SA comes up; with
# fragment_size 0 on sun, neither end fragments, and it comes up all the
# same. Bad sizes are refused with FILE:LINE:COL.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

ts_m="[10.1.1.0/24, 10.1.2.0/24, 10.1.3.0/24, 10.1.4.0/24, 10.1.5.0/24, 10.1.6.0/24, 10.1.7.0/24, 10.1.8.0/24]"
ts_s="[10.2.1.0/24, 10.2.2.0/24, 10.2.3.0/24, 10.2.4.0/24, 10.2.5.0/24, 10.2.6.0/24, 10.2.7.0/24, 10.2.8.0/24]"
esp="[aes128gcm16, aes256gcm16, aes128-sha256, aes256-sha256, aes128-sha384, aes256-sha384, aes128-sha512, aes256-sha512]"
for n in moon sun; do
	if [ $n = moon ]; then
		e2e_conf moon 127.0.0.1 127.0.0.2
		l=$ts_m r=$ts_s
	else
		e2e_conf sun 127.0.0.2 127.0.0.1
		l=$ts_s r=$ts_m
	fi
	sed -i -e "s|local_ts: \[10.1.0.0/16\]|local_ts: $l|" \
	    -e "s|remote_ts: \[10.2.0.0/16\]|remote_ts: $r|" \
	    -e "s|esp_proposals: \[aes128gcm16\]|esp_proposals: $esp|" \
	    -e 's|^daemon:$|daemon:\n  kernel: none\n  fragment_size: 576|' \
	    "$W/$n.yaml"
done
e2e_start sun
e2e_start moon

ctl moon --json initiate --child net --timeout 10
expect_rc 0 "IKE_AUTH in fragments: IKE SA and CHILD SA up"
expect_in "$W/moon.log" "message 1 of" "moon's IKE_AUTH request went in fragments"
ctl moon --json list-sas
check "the CHILD SA is INSTALLED with its 8 selectors a side" test \
    "$(jget '(d["ike_sas"][0]["children"][0]["state"],
	len(d["ike_sas"][0]["children"][0]["local_ts"]))' <"$W/out")" = \
    "('INSTALLED', 8)"
ctl moon --json terminate --ike site --timeout 10
expect_rc 0 "terminated"

# sun does not announce it: whole messages both ways.
sed -i 's|fragment_size: 576|fragment_size: 0|' "$W/sun.yaml"
e2e_stop sun
e2e_start sun
n_before=$(grep -c "sent in [0-9]* fragments" "$W/moon.log")
ctl moon --json initiate --child net --timeout 10
expect_rc 0 "without fragmentation on sun: up all the same"
check "moon sent no fragments to a peer that did not announce them" test \
    "$(grep -c "sent in [0-9]* fragments" "$W/moon.log")" = "$n_before"

for v in 100 9001 big; do
	sed "s|fragment_size: 576|fragment_size: $v|" "$W/moon.yaml" >"$W/bad.yaml"
	rc=0
	"$CHAROND" -c "$W/bad.yaml" --check-config >"$W/out" 2>&1 || rc=$?
	check "fragment_size: $v refused" test "$rc" -ne 0
	expect_in "$W/out" "bad.yaml:3:18: error: bad value '$v' for 'fragment_size'" \
	    "at FILE:LINE:COL"
done

e2e_stop moon
e2e_stop sun
