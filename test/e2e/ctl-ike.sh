#!/bin/sh
# SPDX-License-Identifier: ISC
#
# IKE SAs driven through charonctl between two daemons on loopback, moon
# (127.0.0.1) and sun (127.0.0.2). The host kernel has no ESP, so these
# are IKE SAs without CHILD SAs (`initiate --ike`); the VM scenarios
# (test/vm/scenarios/ctl-*.sh) do the same with CHILD SAs and traffic.
# initiate waits for the outcome and says why it failed (wrong PSK,
# proposals that do not meet, a peer that never answers, a timeout);
# list-sas shows both ends; terminate waits for the peer's answer to our
# DELETE; monitor sees the events and log lines as they happen.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

e2e_conf sun 127.0.0.2 127.0.0.1
e2e_conf moon 127.0.0.1 127.0.0.2
e2e_start sun
e2e_start moon

"$CHARONCTL" -S "$W/moon.sock" --json monitor --level info \
    >"$W/monitor.out" 2>"$W/monitor.err" &
mon=$!
sleep 0.3

ctl moon --json initiate --ike site --timeout 10
expect_rc 0 "initiate --ike: the IKE SA is up when charonctl returns"
id=$(jget 'd["ike_id"]' <"$W/out")
check "initiate answers with the IKE SA" test \
    "$(jget 'd["ike_sa"]["state"]' <"$W/out")" = ESTABLISHED

ctl moon --json list-sas
expect_rc 0 "list-sas on the initiator"
jget 'd["ike_sas"][0]' <"$W/out" >/dev/null || fail "no IKE SA listed"
check "fields: id, name, version, state, initiator" test \
    "$(jget '[(s["id"], s["name"], s["version"], s["state"], s["initiator"])
	for s in d["ike_sas"]]' <"$W/out")" = \
    "[($id, 'site', 2, 'ESTABLISHED', True)]"
check "local and remote: address, port, identity" test \
    "$(jget '[(s["local"]["addr"], s["local"]["port"], s["local"]["id"],
	s["remote"]["addr"], s["remote"]["id"]) for s in d["ike_sas"]]' \
	<"$W/out")" = \
    "[('127.0.0.1', 500, 'moon.example.org', '127.0.0.2', 'sun.example.org')]"
check "SPIs are 16 lowercase hex digits without 0x" test \
    "$(jget 'all(len(s[k]["spi"]) == 16 and
	s[k]["spi"] == s[k]["spi"].lower() and int(s[k]["spi"], 16) > 0
	for s in d["ike_sas"] for k in ("local", "remote"))' <"$W/out")" = True
check "the negotiated proposal; no NAT; no children" test \
    "$(jget '[(s["proposal"], s["nat"], s["children"])
	for s in d["ike_sas"]]' <"$W/out")" = \
    "[('aes128gcm16-prfsha256-ecp256', {'local': False, 'remote': False}, [])]"
moon_spis=$(jget 'd["ike_sas"][0]["local"]["spi"] + d["ike_sas"][0]["remote"]["spi"]' \
    <"$W/out")
ctl sun --json list-sas
check "sun lists the same SA as responder, SPIs mirrored" test \
    "$(jget 'not d["ike_sas"][0]["initiator"] and
	d["ike_sas"][0]["remote"]["spi"] + d["ike_sas"][0]["local"]["spi"]' \
	<"$W/out")" = "$moon_spis"
ctl moon list-sas
expect_in "$W/out" "site: #$id, ESTABLISHED, IKEv2, " "list-sas for humans"
expect_in "$W/out" "  local  'moon.example.org' @ 127.0.0.1[500]" \
    "list-sas for humans: local side"

ctl moon --json stats
check "stats: one established IKE SA, one ike-up" test \
    "$(jget '(d["ike_sas"]["ESTABLISHED"], d["events"]["ike_up"])' \
	<"$W/out")" = "(1, 1)"
ctl moon stats --prometheus
expect_in "$W/out" 'charond_ike_sas{state="ESTABLISHED"} 1' \
    "prometheus: one established IKE SA"

# A CHILD SA the peer refuses (both sides claim 10.1/16 as theirs).
ctl moon --json initiate --child net --timeout 10
expect_rc 1 "initiate of a child the peer refuses fails"
check "with TS_UNACCEPTABLE" test \
    "$(jget 'd["code"]' <"$W/err")" = TS_UNACCEPTABLE

# Rekey the IKE SA on demand: a new SA with new SPIs replaces it.
ctl moon --json rekey --ike-id "$id"
expect_rc 0 "rekey of the IKE SA starts"
i=0
while :; do
	ctl moon --json list-sas
	new=$(jget 'd["ike_sas"][0]["id"] if len(d["ike_sas"]) == 1 else 0' \
	    <"$W/out")
	[ "$new" != 0 ] && [ "$new" != "$id" ] && break
	i=$((i + 1))
	[ $i -lt 50 ] || fail "no rekeyed IKE SA after 5 s"
	sleep 0.1
done
check "the rekeyed IKE SA has new SPIs" test \
    "$(jget 'd["ike_sas"][0]["local"]["spi"] + d["ike_sas"][0]["remote"]["spi"]' \
	<"$W/out")" != "$moon_spis"
ctl sun --json list-sas
check "sun has exactly the rekeyed SA" test \
    "$(jget 'len(d["ike_sas"]) == 1 and d["ike_sas"][0]["state"]' \
	<"$W/out")" = ESTABLISHED
id=$new

ctl moon --json terminate --ike-id "$id" --timeout 10
expect_rc 0 "terminate waits for the peer's answer to DELETE"
check "terminate names the SA" test \
    "$(jget 'd["terminated"]' <"$W/out")" = "[$id]"
ctl moon --json list-sas
check "no SA left on moon" test "$(cat "$W/out")" = '{"ike_sas":[]}'
ctl sun --json list-sas
check "no SA left on sun" test "$(cat "$W/out")" = '{"ike_sas":[]}'
ctl moon terminate --ike-id "$id"
expect_rc 1 "terminating it again fails (NOT_FOUND)"

sleep 0.3
kill -INT $mon
mst=0
wait $mon || mst=$?
check "monitor exits 0 when interrupted" test "$mst" -eq 0
check "monitor saw ike-up" grep -q '"event":"ike-up".*"conn":"site"' \
    "$W/monitor.out"
check "monitor saw child-failed" grep -q '"event":"child-failed"' \
    "$W/monitor.out"
check "monitor saw ike-down" grep -q '"event":"ike-down"' "$W/monitor.out"
check "monitor saw ike-rekeyed, naming the old SA" \
    grep -q '"event":"ike-rekeyed".*"old_id":' "$W/monitor.out"
check "monitor saw log lines at info" grep -q \
    '"event":"log".*"level":"info".*IKE SA established' "$W/monitor.out"
check "but none at debug" test \
    "$(grep -c '"level":"debug"' "$W/monitor.out" || true)" -eq 0
check "every monitor line is a JSON object with an event" python3 -c '
import json, sys
for l in open(sys.argv[1]):
    assert "event" in json.loads(l)' "$W/monitor.out"

# Failures, each with its reason.
e2e_stop sun
e2e_conf sun 127.0.0.2 127.0.0.1 "not the same secret"
e2e_start sun
ctl moon --json initiate --ike site
expect_rc 1 "initiate with the wrong PSK fails"
check "with AUTH_FAILED" test "$(jget 'd["code"]' <"$W/err")" = AUTH_FAILED

e2e_stop sun
e2e_conf sun 127.0.0.2 127.0.0.1 "" aes256-sha256-modp3072
e2e_start sun
ctl moon initiate --ike site
expect_rc 1 "initiate with proposals that do not meet fails"
expect_in "$W/err" "(NO_PROPOSAL_CHOSEN)" "with NO_PROPOSAL_CHOSEN"

e2e_stop sun
ctl moon initiate --ike site
expect_rc 1 "initiate towards a peer that is not there fails"
expect_in "$W/err" "(PEER_NOT_RESPONDING)" "with PEER_NOT_RESPONDING"
ctl moon initiate --ike site --timeout 0.2
expect_rc 1 "initiate with a timeout shorter than the exchange"
expect_in "$W/err" "(TIMEOUT)" "with TIMEOUT"
ctl moon terminate --ike site
expect_rc 0 "terminate of the SA still connecting"

ctl moon --json stats
check "stats counts the failures by reason" test \
    "$(jget 'd["events"]["auth_failed"] >= 1 and
	d["events"]["ike_failed"] >= 3 and len(d["failures"]) >= 3' \
	<"$W/out")" = True
e2e_stop moon
