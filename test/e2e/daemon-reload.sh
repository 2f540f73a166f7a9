#!/bin/sh
# SPDX-License-Identifier: ISC
#
# A reload (charonctl load, SIGHUP) and the daemon's own settings: those
# that cannot change in a running daemon (listen, port, port_nat_t, socket,
# socket_group, plugins) are named in the reply and the log as needing a
# restart, and the running values stay in force, reload after reload;
# those that can (ctl_idle_timeout, log level, retransmit,
# limits) take effect.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

IKEINIT="$E2E_TOP/test/e2e/ikeinit.py"

e2e_conf moon 127.0.0.1 127.0.0.1 "" aes128gcm16-prfsha256-x25519
rm -f "$W/moon.sock"
# No --log-level: the file's level is in force.
"$CHAROND" -c "$W/moon.yaml" -S "$W/moon.sock" >"$W/moon.log" 2>&1 &
echo $! >"$W/moon.pid"
sleep 0.5
alive moon

sed -i -e 's/^daemon:$/daemon:\n  port: 600\n  port_nat_t: 4600\n  ctl_idle_timeout: 1s\n  log: {level: debug}/' \
    -e 's/^  listen: .*/  listen: [127.0.0.1, 127.0.0.2]/' "$W/moon.yaml"
ctl moon --json load
expect_rc 0 "load with changed daemon settings"
check "the reply names what needs a restart" test \
    "$(jget 'd["restart_required"]' <"$W/out")" = \
    "['daemon.listen', 'daemon.port', 'daemon.port_nat_t']"
check "and says so in its warnings" test \
    "$(jget 'sum("restart" in w for w in d["warnings"])' <"$W/out")" = 3
expect_in "$W/moon.log" \
    "daemon.port changed in $W/moon.yaml: the running daemon keeps 500 until restarted" \
    "the log says so too"

ctl moon load
expect_rc 0 "load for humans"
expect_in "$W/err" "daemon.port changed" \
    "charonctl shows it (the running value stays, so it says so again)"

python3 "$IKEINIT" 127.0.0.1 500 1 >"$W/init.out"
expect_in "$W/init.out" "answered 1 " "the old port still answers"

ctl moon --json stats
check "the new log level is in force" test \
    "$(jget 'd["log_level"]' <"$W/out")" = debug
python3 "$RAW" "$W/moon.sock" idle 1 1.5 >"$W/out"
check "the new ctl_idle_timeout is in force" test \
    "$(sed -n 3p "$W/out" | sed 's/ then .*//' | jget 'd["error"]["code"]')" \
    = TIMEOUT

kill -HUP "$(cat "$W/moon.pid")"
sleep 0.3
check "SIGHUP logs it as well" test \
    "$(grep -c 'daemon.port changed' "$W/moon.log")" -ge 3
alive moon
e2e_stop moon
