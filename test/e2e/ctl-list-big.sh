#!/bin/sh
# SPDX-License-Identifier: ISC
#
# list-sas with more SAs than fit in a client's output limit (4 MiB, some
# 12,000 half-open IKE SAs): charond writes the list as the client reads
# it, charonctl prints it as it comes, in both output forms, and a raw
# client that asks without "stream" gets the one reply line as always.
# E2E_LIST_N sets how many (default 20000; the unit test test_ctl_list.c
# lists 100,000 from an engine).
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

N=${E2E_LIST_N:-20000}
IKEINIT="$E2E_TOP/test/e2e/ikeinit.py"

e2e_conf moon 127.0.0.1 127.0.0.1 "" aes128gcm16-prfsha256-x25519
# All from one address: the per-source half-open limits would stop them.
sed -i 's/^daemon:$/daemon:\n  limits: {half_open_timeout: 10m, cookie_threshold: 1000000, cookie_threshold_ip: 1000000, block_threshold: 1000000, init_limit_half_open: 0}/' \
    "$W/moon.yaml"
e2e_start moon
# Each IKE_SA_INIT is logged at debug: keep the log readable.
ctl moon log-level info

python3 "$IKEINIT" 127.0.0.1 500 "$N" >"$W/init.out"
expect_in "$W/init.out" "answered $N " "$N IKE_SA_INITs answered"

ctl moon --json list-sas
expect_rc 0 "list-sas --json with $N SAs"
check "every SA listed once, newest first, as one result object" test \
    "$(jget '(len(d), len(d["ike_sas"]), len(set(s["id"] for s in d["ike_sas"])), [s["id"] for s in d["ike_sas"]] == sorted((s["id"] for s in d["ike_sas"]), reverse=True))' <"$W/out")" \
    = "(1, $N, $N, True)"
check "the output is more than a client may leave unread" test \
    "$(wc -c <"$W/out")" -gt 4194304

ctl moon list-sas
expect_rc 0 "list-sas for humans with $N SAs"
check "a header line per IKE SA" test \
    "$(grep -c '^site: #' "$W/out")" = "$N"

python3 "$RAW" "$W/moon.sock" send '{"id": 9, "cmd": "list-sas"}' \
    >"$W/out" || fail "list-sas without stream: no reply"
check "without stream: one reply line with every SA" test \
    "$(jget '(d["id"], d["ok"], len(d["result"]["ike_sas"]))' <"$W/out")" \
    = "(9, True, $N)"

ctl moon --json list-sas --ike-id 5
check "--ike-id still lists just that SA" test \
    "$(jget '[s["id"] for s in d["ike_sas"]]' <"$W/out")" = "[5]"
ctl moon --json list-sas --ike nonesuch
check "an empty list is still a list" test "$(cat "$W/out")" = '{"ike_sas":[]}'
# Terminating them all: every one, not the first 256, and quickly (SAs
# are found by id in O(1)).
t0=$(date +%s)
ctl moon --json terminate --ike site --timeout 60
expect_rc 0 "terminate of $N half-open SAs"
check "terminate took less than 20 s" test $(($(date +%s) - t0)) -lt 20
ctl moon --json list-sas
check "no SA is left" test "$(jget 'len(d["ike_sas"])' <"$W/out")" = 0
alive moon
pass "the daemon serves on"
e2e_stop moon
