#!/bin/sh
# SPDX-License-Identifier: ISC
#
# charond reads its sockets a batch of datagrams at a time (recvmmsg, 8 a
# call, 64 a wake-up): 64 IKE_SA_INIT requests queued while it is stopped,
# and more as it answers, are each answered once, none lost or left
# waiting for the peer's retransmission, none dropped.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

N=203 # not a multiple of the batch
IKEINIT="$E2E_TOP/test/e2e/ikeinit.py"

e2e_conf moon 127.0.0.1 127.0.0.1 "" aes128gcm16-prfsha256-x25519
# All from one address: the per-source half-open limits would stop them.
sed -i 's/^daemon:$/daemon:\n  limits: {half_open_timeout: 10m, cookie_threshold: 1000000, cookie_threshold_ip: 1000000, block_threshold: 1000000, init_limit_half_open: 0}/' \
    "$W/moon.yaml"
e2e_start moon

# ikeinit.py sends 64 at once, then one per answer: all 64 wait in moon's
# socket until it runs again.
kill -STOP "$(cat "$W/moon.pid")"
python3 "$IKEINIT" 127.0.0.1 500 "$N" >"$W/init.out" &
ini=$!
sleep 0.5
kill -CONT "$(cat "$W/moon.pid")"
wait "$ini"
expect_in "$W/init.out" "answered $N cookies 0 resent 0" \
    "$N IKE_SA_INITs answered, none sent twice"
ctl moon --json stats
check "$N half-open IKE SAs, no drops" test \
    "$(jget '(d["ike_sas"].get("CONNECTING", 0), d["input"]["socket_drops"])' <"$W/out")" \
    = "($N, 0)"
alive moon
e2e_stop moon
