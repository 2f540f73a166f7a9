#!/bin/sh
# SPDX-License-Identifier: ISC
#
# IKEv1 between two daemons (moon 127.0.0.1 initiates, sun 127.0.0.2
# answers), daemon.kernel none: Main Mode with a pre-shared key brings the
# ISAKMP SA up and list-sas shows version 1 on both; terminate on either
# side deletes it on both (the Informational DELETE); with different keys
# it fails with sun's one line and moon's. Quick Mode then makes the
# child, both sides list it with the same SPIs crosswise, a rekey started
# by either side replaces it, and terminating the child deletes it on
# both. SKEYID comes from the psk plugin.
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

# Quick Mode: the child on both sides, SPIs crosswise.
e2e_stop sun
e2e_stop moon
v1q_conf() {
	e2e_conf "$1" "$2" "$3" "one key" aes128-sha256-modp2048
	sed -i -e 's|^daemon:$|daemon:\n  kernel: none|' \
	    -e 's|^  site:$|  site:\n    version: 1|' \
	    -e 's|esp_proposals: \[aes128gcm16\]|esp_proposals: [aes128-sha256-modp2048]|' \
	    "$W/$1.yaml"
	if [ "$1" = sun ]; then
		sed -i -e 's|local_ts: \[10.1.0.0/16\]|local_ts: [10.2.0.0/16]|' \
		    -e 's|remote_ts: \[10.2.0.0/16\]|remote_ts: [10.1.0.0/16]|' \
		    "$W/$1.yaml"
	fi
}
v1q_conf moon 127.0.0.1 127.0.0.2
v1q_conf sun 127.0.0.2 127.0.0.1
e2e_start sun
e2e_start moon
# "IN OUT STATE" of the one child of the one SA of NAME, and its id.
child_of() {
	ctl "$1" --json list-sas
	jget '[" ".join([str(c["spi_in"]), str(c["spi_out"]), c["state"]])
	    for c in d["ike_sas"][0]["children"]][0]' <"$W/out"
}
ctl moon --json initiate --child net --timeout 10
expect_rc 0 "Quick Mode: the child comes up"
cm=$(child_of moon)
cs=$(child_of sun)
echo "moon: $cm / sun: $cs"
# shellcheck disable=SC2086 # three words wanted
set -- $cm
mi=$1 mo=$2
# shellcheck disable=SC2086
set -- $cs
check "the child is INSTALLED on both" test "$3" = INSTALLED
check "SPIs crosswise" test "$mi" = "$2" -a "$mo" = "$1"
expect_in "$W/moon.log" "Quick Mode done: CHILD SA 'net' (tunnel mode" \
    "moon's line"
expect_in "$W/sun.log" ", PFS)" "with PFS"
for who in sun moon; do
	ctl $who --json list-sas
	ike=$(jget 'd["ike_sas"][0]["id"]' <"$W/out")
	id=$(jget '[c["id"] for c in d["ike_sas"][0]["children"]
	    if c["state"] == "INSTALLED"][0]' <"$W/out")
	ctl $who --json rekey --ike-id "$ike" --child-id "$id"
	expect_rc 0 "$who rekeys the child"
	sleep 0.5
	ctl moon --json list-sas
	check "moon: the new child INSTALLED, the old one REKEYED after $who's rekey" \
	    test "$(jget 'sorted(set(c["state"] for c in d["ike_sas"][0]["children"]))' \
	    <"$W/out")" = "['INSTALLED', 'REKEYED']"
	expect_in "$W/$who.log" "rekeying CHILD SA 'net'" "$who's line"
done

# Terminating the newest child on sun: its DELETE removes it on moon too.
ctl sun --json list-sas
ike=$(jget 'd["ike_sas"][0]["id"]' <"$W/out")
id=$(jget '[c["id"] for c in d["ike_sas"][0]["children"]
    if c["state"] == "INSTALLED"][0]' <"$W/out")
spi=$(jget '[c["spi_out"] for c in d["ike_sas"][0]["children"]
    if c["state"] == "INSTALLED"][0]' <"$W/out")
ctl sun --json terminate --ike-id "$ike" --child-id "$id" --timeout 10
expect_rc 0 "sun terminates the child"
sleep 0.5
ctl moon --json list-sas
check "moon no longer has the pair sun deleted" test \
    "$(jget '[c["spi_in"] for c in d["ike_sas"][0]["children"]].count("'"$spi"'")' \
    <"$W/out")" = 0
expect_in "$W/moon.log" "peer deleted CHILD SA 'net'" "moon's line"

e2e_stop moon
e2e_stop sun
