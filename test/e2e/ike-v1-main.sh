#!/bin/sh
# SPDX-License-Identifier: ISC
#
# IKEv1 Main Mode with a pre-shared key between two daemons (moon
# 127.0.0.1 initiates, sun 127.0.0.2 answers): the ISAKMP SA comes up and
# list-sas shows version 1 on both; terminate on either side deletes it
# on both (the Informational DELETE); with different keys it fails with
# sun's one line and moon's; a version 1 connection with children is
# refused (Quick Mode is not there yet). SKEYID comes from the psk plugin.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

v1_conf() {
	e2e_conf "$1" "$2" "$3" "$4" aes128-sha256-modp2048
	# No children, version 1.
	sed -i -e '/^    children:$/,/esp_proposals/d' \
	    -e 's|^  site:$|  site:\n    version: 1|' "$W/$1.yaml"
}

v1_conf moon 127.0.0.1 127.0.0.2 "one key"
v1_conf sun 127.0.0.2 127.0.0.1 "one key"
e2e_start sun
e2e_start moon

ctl moon --json initiate --ike site --timeout 10
expect_rc 0 "Main Mode: ISAKMP SA up"
for n in moon sun; do
	ctl $n --json list-sas
	check "$n lists one ESTABLISHED IKEv1 SA" test \
	    "$(jget '(len(d["ike_sas"]), d["ike_sas"][0]["version"],
		d["ike_sas"][0]["state"])' <"$W/out")" = "(1, 1, 'ESTABLISHED')"
done
expect_in "$W/sun.log" "ISAKMP SA established (Main Mode)" "sun says so"

# How many IKE SAs NAME lists, waiting up to 3 s for it to be WANT: the
# peer's DELETE is one datagram, handled a moment after terminate returns.
sas_become() {
	i=0
	while :; do
		ctl "$1" --json list-sas
		n=$(jget 'len(d["ike_sas"])' <"$W/out")
		[ "$n" = "$2" ] || [ $i -ge 30 ] || { i=$((i + 1)); sleep 0.1; continue; }
		echo "$n"
		return
	done
}

# terminate on either side sends the Informational DELETE: the ISAKMP SA
# disappears from both daemons.
ctl moon --json terminate --ike site --timeout 10
expect_rc 0 "moon terminates the ISAKMP SA"
check "moon lists no SA" test "$(sas_become moon 0)" = 0
check "sun lists no SA: moon's DELETE reached it" test "$(sas_become sun 0)" = 0
expect_in "$W/sun.log" "peer deleted the ISAKMP SA" "sun says so"
ctl moon --json initiate --ike site --timeout 10
expect_rc 0 "Main Mode again"
check "sun has the new SA" test "$(sas_become sun 1)" = 1
ctl sun --json terminate --ike site --timeout 10
expect_rc 0 "sun, the responder, terminates it"
check "sun lists no SA" test "$(sas_become sun 0)" = 0
check "moon lists no SA: sun's DELETE reached it" test "$(sas_become moon 0)" = 0
expect_in "$W/moon.log" "peer deleted the ISAKMP SA" "moon says so"

# Different keys: sun's one line, moon told, nothing up.
e2e_stop sun
v1_conf sun 127.0.0.2 127.0.0.1 "another key"
e2e_start sun
ctl moon --json initiate --ike site --timeout 10
check "initiate fails with a wrong key" test "$rc" -ne 0
expect_in "$W/sun.log" "peer's HASH_I does not verify: wrong pre-shared key?" \
    "sun's line"
expect_in "$W/moon.log" "peer refused our HASH_I" "moon's line"
ctl sun --json list-sas
check "sun has no SA left" test "$(jget 'len(d["ike_sas"])' <"$W/out")" = 0

# Children need Quick Mode: refused at the connection.
e2e_conf bad 127.0.0.1 127.0.0.2
sed -i 's|^  site:$|  site:\n    version: 1|' "$W/bad.yaml"
rc=0
"$CHAROND" -c "$W/bad.yaml" --check-config >"$W/out" 2>&1 || rc=$?
check "version 1 with children refused" test "$rc" -ne 0
expect_in "$W/out" "bad.yaml:6:3: error: not supported yet: version=1 with children" \
    "at FILE:LINE:COL"

e2e_stop moon
e2e_stop sun
