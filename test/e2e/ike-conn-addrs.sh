#!/bin/sh
# SPDX-License-Identifier: ISC
#
# A responder picks a connection by every entry of remote_addrs, a subnet
# being just that subnet: moon's "site" takes 127.0.0.3 and 127.0.1.0/24.
# An IKE_SA_INIT from 127.0.1.5 (inside the subnet) is answered with an
# SA, one from 127.0.0.2 (in neither) with NO_PROPOSAL_CHOSEN, and sun
# (127.0.0.3, the first entry) gets in. list-conns shows both entries.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

FORGE="$E2E_TOP/test/tools/ikeforge.py"
for a in 127.0.0.2 127.0.0.3 127.0.1.5; do
	ip addr add $a/8 dev lo 2>/dev/null || :
done
e2e_conf moon 127.0.0.1 "127.0.0.3, 127.0.1.0/24"
e2e_conf sun 127.0.0.3 127.0.0.1
e2e_start moon
e2e_start sun

# One IKE_SA_INIT from $1; prints what came back: init=N notify=N ...
probe() {
	python3 "$FORGE" --to 127.0.0.1 --from "$1" --wait 1 flood --count 1 \
	    >"$W/probe.out" 2>&1 ||
	    fail "ikeforge.py from $1 failed: $(cat "$W/probe.out")"
	sed -n 's/^received: //p' "$W/probe.out"
}
inside=$(probe 127.0.1.5)
echo "  from 127.0.1.5: $inside"
check "a peer inside the subnet is answered with an SA" \
    test "${inside#init=1 }" != "$inside"
outside=$(probe 127.0.0.2)
echo "  from 127.0.0.2: $outside"
check "a peer outside every entry is refused" \
    test "${outside#init=0 cookie=0 notify=1 }" != "$outside"
expect_in "$W/moon.log" "no connection is configured for" \
    "moon logged the refusal"

ctl sun --json initiate --ike site --timeout 10
expect_rc 0 "sun, the first entry, gets in"
ctl moon --json list-conns
expect_rc 0 "list-conns"
check "list-conns shows both remote addresses" test \
    "$(jget 'd["conns"][0]["remote_addrs"]' <"$W/out")" = \
    "['127.0.0.3', '127.0.1.0/24']"
e2e_stop sun
e2e_stop moon
