#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Half-open IKE SAs from one address are bounded: 100 IKE_SA_INIT requests
# from 127.0.0.2 (test/tools/ikeforge.py flood, which echoes every COOKIE
# it gets, as a real initiator would) leave at most block_threshold (5)
# half-open SAs on moon. The first cookie_threshold_ip (3) requests are
# answered, the others get a COOKIE; of the requests echoing it, moon
# answers until the address holds 5 half-open SAs and drops the rest in
# silence. A peer on another address (sun, 127.0.0.3) still gets in.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

FORGE="$E2E_TOP/test/tools/ikeforge.py"
ip addr add 127.0.0.2/8 dev lo 2>/dev/null || :
ip addr add 127.0.0.3/8 dev lo 2>/dev/null || :
# Connection "site" takes any peer of 127.0.0.0/24 (the flood's address
# too), so that each admitted request becomes a half-open SA.
e2e_conf moon 127.0.0.1 127.0.0.0/24
e2e_conf sun 127.0.0.3 127.0.0.1
e2e_start moon
e2e_start sun

python3 "$FORGE" --to 127.0.0.1 --from 127.0.0.2 flood --count 100 \
    --echo-cookies >"$W/flood.out" 2>&1 ||
    fail "ikeforge.py flood failed: $(cat "$W/flood.out")"
sed 's/^/  flood: /' "$W/flood.out"
# received: every answer, to both rounds; answers: what each request
# got last (silent: nothing).
got() {
	sed -n "s/^$1:.* $2=\([0-9]*\).*/\1/p" "$W/flood.out"
}
init=$(got received init)
cookies=$(got received cookie)
others=$(($(got received notify) + $(got received other)))
silent=$(got answers silent)
check "moon answered 3 to 5 of the 100 requests with an SA (got $init)" \
    test "$init" -ge 3 -a "$init" -le 5
check "the others got a COOKIE first (got $cookies)" \
    test "$cookies" -eq $((100 - 3))
check "no other answers (got $others)" test "$others" -eq 0
check "the cookie echoes beyond the limit got nothing ($silent)" \
    test "$silent" -eq $((100 - init))

ctl moon --json list-sas
expect_rc 0 "list-sas after the flood"
half=$(jget 'sum(1 for s in d["ike_sas"] if s["state"] == "CONNECTING")' \
    <"$W/out")
all=$(jget 'len(d["ike_sas"])' <"$W/out")
echo "  half-open IKE SAs on moon: $half (of $all)"
check "at most block_threshold (5) half-open SAs ($half)" \
    test "$half" -le 5 -a "$half" -eq "$init" -a "$all" -eq "$half"
check "their peer is 127.0.0.2" test "$(jget 'sorted(set(
	s["remote"]["addr"] for s in d["ike_sas"]))' <"$W/out")" = \
    "['127.0.0.2']"
expect_in "$W/moon.log" "IKE_SA_INIT refused: 5 half-open IKE SAs from this" \
    "moon logged the refusals"

ctl sun --json initiate --ike site --timeout 10
expect_rc 0 "a peer on another address still gets in"
ctl moon --json list-sas
check "moon: one ESTABLISHED SA, with sun" test \
    "$(jget '[s["remote"]["addr"] for s in d["ike_sas"]
	if s["state"] == "ESTABLISHED"]' <"$W/out")" = "['127.0.0.3']"
ctl moon stats
expect_rc 0 "stats still answers"
e2e_stop sun
e2e_stop moon
