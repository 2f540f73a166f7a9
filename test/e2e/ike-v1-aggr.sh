#!/bin/sh
# SPDX-License-Identifier: ISC
#
# IKEv1 Aggressive Mode with a pre-shared key between two daemons (moon
# 127.0.0.1 initiates with `aggressive: yes`, sun 127.0.0.2 answers):
# refused by sun without the key (its one line, no SA on either side),
# up with it (ESTABLISHED on both, sun's PSK chosen by moon's ID from
# message 1), and the key refused on an IKEv2 connection at FILE:LINE:COL.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

# NAME LOCAL REMOTE AGGRESSIVE: version 1, no children, one key.
v1_conf() {
	e2e_conf "$1" "$2" "$3" "one key" aes128-sha256-modp2048
	sed -i -e '/^    children:$/,/esp_proposals/d' \
	    -e "s|^  site:\$|  site:\n    version: 1\n    keyingtries: 1\n    aggressive: $4|" \
	    "$W/$1.yaml"
}

v1_conf moon 127.0.0.1 127.0.0.2 yes
v1_conf sun 127.0.0.2 127.0.0.1 no
e2e_start sun
e2e_start moon

ctl moon --json initiate --ike site --timeout 5
check "initiate fails: sun refuses Aggressive Mode" test "$rc" -ne 0
expect_in "$W/sun.log" "peer 127.0.0.1 offered IKEv1 Aggressive Mode: refused, its PSK hash could be cracked offline (aggressive: yes on connection 'site' allows it)" \
    "sun's line names moon and the connection"
expect_in "$W/moon.log" "initiating Aggressive Mode" "moon used Aggressive Mode"
for n in moon sun; do
	ctl $n --json list-sas
	check "$n has no SA" test "$(jget 'len(d["ike_sas"])' <"$W/out")" = 0
done

# Allowed: sun's key for moon's ID beats its ID-less one, which would
# not match: the ID in message 1 chose it.
e2e_stop sun
v1_conf sun 127.0.0.2 127.0.0.1 yes
sed -i -e 's|^    - secret: "one key"$|    - {ids: [moon.example.org], secret: "one key"}\n    - secret: "not the key"|' \
    "$W/sun.yaml"
e2e_start sun
ctl moon --json initiate --ike site --timeout 10
expect_rc 0 "Aggressive Mode: ISAKMP SA up"
for n in moon sun; do
	ctl $n --json list-sas
	check "$n lists one ESTABLISHED IKEv1 SA" test \
	    "$(jget '(len(d["ike_sas"]), d["ike_sas"][0]["version"],
		d["ike_sas"][0]["state"])' <"$W/out")" = "(1, 1, 'ESTABLISHED')"
	expect_in "$W/$n.log" "ISAKMP SA established (Aggressive Mode)" \
	    "$n says so"
done
expect_in "$W/sun.log" "peer 'moon.example.org' authenticated with a pre-shared key" \
    "sun authenticated moon"

# The key means nothing for IKEv2: refused where it is written.
e2e_conf bad 127.0.0.1 127.0.0.2
sed -i 's|^  site:$|  site:\n    aggressive: yes|' "$W/bad.yaml"
rc=0
"$CHAROND" -c "$W/bad.yaml" --check-config >"$W/out" 2>&1 || rc=$?
check "aggressive on a version 2 connection refused" test "$rc" -ne 0
expect_in "$W/out" "bad.yaml:7:17: error: aggressive: yes is IKEv1 Aggressive Mode, but connection 'site' has version 2" \
    "at FILE:LINE:COL"

e2e_stop moon
e2e_stop sun
