#!/bin/sh
# SPDX-License-Identifier: ISC
#
# A lone IKE_SA_INIT and nothing after it: the half-open IKE SA shows in
# list-sas, and is gone once daemon.limits.half_open_timeout has passed. This
# holds only if the daemon re-arms the engine's timer after every batch of
# datagrams, however small.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

IKEINIT="$E2E_TOP/test/e2e/ikeinit.py"

e2e_conf moon 127.0.0.1 127.0.0.1 "" aes128gcm16-prfsha256-x25519
sed -i 's/^daemon:$/daemon:\n  limits: {half_open_timeout: 2s}/' "$W/moon.yaml"
e2e_start moon

python3 "$IKEINIT" 127.0.0.1 500 1 >"$W/init.out"
expect_in "$W/init.out" "answered 1 " "one IKE_SA_INIT is answered"

ctl moon --json list-sas
expect_rc 0 "list-sas"
check "the half-open IKE SA is listed as CONNECTING, responder" test \
    "$(jget '[(s["state"], s["initiator"]) for s in d["ike_sas"]]' \
    <"$W/out")" = "[('CONNECTING', False)]"

# No traffic at all from here on: only the engine's timer can end it.
i=0
while :; do
	ctl moon --json list-sas
	[ "$(jget 'len(d["ike_sas"])' <"$W/out")" = 0 ] && break
	i=$((i + 1))
	[ $i -lt 50 ] || fail "the half-open IKE SA is still there 5 s after \
its 2 s lifetime"
	sleep 0.1
done
pass "the half-open IKE SA expired on its own"
e2e_stop moon
