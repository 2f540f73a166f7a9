#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Idle control clients are closed after daemon.ctl_idle_timeout, so that
# 64 connections that say nothing cannot lock everybody else out for good;
# a monitor client is never idle, nor is one whose request is in progress.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

e2e_conf moon 127.0.0.1 127.0.0.3
sed -i 's/^daemon:$/daemon:\n  ctl_idle_timeout: 1s/' "$W/moon.yaml"
sed -i "s/tries: 2/tries: 8/" "$W/moon.yaml"
e2e_start moon
S=$W/moon.sock

"$CHARONCTL" -S "$S" --json monitor --level info >"$W/monitor.out" 2>&1 &
mon=$!
# A request that waits 3 s, three times the idle timeout, on its answer.
ctl_wait_rc=0
"$CHARONCTL" -S "$S" initiate --ike site --timeout 3 >"$W/wait.out" 2>&1 ||
    ctl_wait_rc=$? &
waiter=$!
sleep 0.3

# 62 idle ones fill the 64 places; the next is refused, and once the idle
# ones are gone (1 s) a newcomer is served.
python3 "$RAW" "$S" idle 62 2 >"$W/out"
check "while the idle ones hold every place, a newcomer is BUSY" test \
    "$(sed -n 1p "$W/out" | jget 'd["error"]["code"]')" = BUSY
check "after the idle timeout a newcomer is served" test \
    "$(sed -n 2p "$W/out" | jget '(d["id"], d["ok"])')" = "(1, True)"
check "each idle client was told why, then hung up on" test \
    "$(sed -n '3,$p' "$W/out" | sed 's/"message":"[^"]*"/M/')" = \
    '{"id":null,"ok":false,"error":{"code":"TIMEOUT",M}} then closed'
expect_in "$W/moon.log" "idle for 1 s; closed" "the daemon logs it"

wait "$waiter" || true
expect_in "$W/wait.out" "TIMEOUT" \
    "a request in progress longer than the idle timeout gets its own answer"
expect_in "$W/wait.out" "not up yet" "(its own TIMEOUT, not the idle one)"

ctl moon log-level debug
sleep 0.3
check "the monitor client is still there" kill -0 "$mon"
expect_in "$W/monitor.out" "log level debug" "and still gets events"
kill "$mon"
alive moon
e2e_stop moon
