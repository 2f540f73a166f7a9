#!/bin/sh
# SPDX-License-Identifier: ISC
#
# charonctl log: one connection's log lines and SA events, live, among
# others'. moon (127.0.0.1) and sun (127.0.0.2) each have two connections,
# site and other; moon brings up and closes an IKE SA of each while
# `charonctl log --conn site` (human and --json) and `log --ike-id N` run:
# they get site's lines and events (or that SA's) and nothing of other's,
# nor the daemon's lines about no connection. A plain monitor sees both.
# Ctrl-C and a reader that goes away (| head) end charonctl log with 0.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

# A second connection, other, with the same ends and a name of its own.
add_other() {
	python3 - "$W/$1.yaml" "$2" "$3" <<'PY'
import sys
p, local, remote = sys.argv[1:]
s = open(p).read()
other = f"""  other:
    local_addrs: [{local}]
    remote_addrs: [{remote}]
    proposals: [aes128gcm16-prfsha256-ecp256]
    local: {{auth: psk, id: other.example.org}}
    remote: {{auth: psk}}
"""
s = s.replace("secrets:\n", other + "secrets:\n", 1)
open(p, "w").write(s)
PY
}

e2e_conf sun 127.0.0.2 127.0.0.1
e2e_conf moon 127.0.0.1 127.0.0.2
add_other sun 127.0.0.2 127.0.0.1
add_other moon 127.0.0.1 127.0.0.2
e2e_start sun
e2e_start moon

M="$W/moon.sock"
"$CHARONCTL" -S "$M" log --conn site --level debug \
    >"$W/log.txt" 2>"$W/log.err" &
lt=$!
"$CHARONCTL" -S "$M" --json log --conn site --level debug \
    >"$W/log.json" 2>"$W/logj.err" &
lj=$!
"$CHARONCTL" -S "$M" --json monitor --level debug \
    >"$W/monitor.json" 2>"$W/monitor.err" &
mon=$!
sleep 0.3

ctl moon --json initiate --ike site --timeout 10
expect_rc 0 "site is up"
site_id=$(jget 'd["ike_id"]' <"$W/out")
ctl moon --json initiate --ike other --timeout 10
expect_rc 0 "other is up"
other_id=$(jget 'd["ike_id"]' <"$W/out")

# Following one IKE SA by number, started once both are up.
"$CHARONCTL" -S "$M" --json log --ike-id "$other_id" --level debug \
    >"$W/log-id.json" 2>"$W/logid.err" &
li=$!
sleep 0.3
ctl moon terminate --ike site --timeout 10
expect_rc 0 "site is closed"
ctl moon terminate --ike other --timeout 10
expect_rc 0 "other is closed"
sleep 0.3

for p in $lt $lj $li $mon; do
	kill -INT "$p"
	st=0
	wait "$p" || st=$?
	[ "$st" -eq 0 ] || fail "charonctl $p exited with $st on SIGINT"
done
pass "charonctl log and monitor exit 0 on Ctrl-C"

cat >"$W/check.py" <<'PY'
import json, sys
path, conn, ike_id = sys.argv[1], sys.argv[2], int(sys.argv[3])
ev = [json.loads(l) for l in open(path)]
assert ev, "no events"
for e in ev:
    assert e["conn"] == conn and e["ike_id"] == ike_id, e
kinds = {e["event"] for e in ev}
# log --ike-id starts once the SA is up: it sees it close only.
want = {"ike-down", "log"} | ({"ike-up"} if conn == "site" else set())
assert want <= kinds, kinds
print(len(ev), sorted(kinds))
PY
check "log --conn site --json: only site's events and lines, up and down" \
    python3 "$W/check.py" "$W/log.json" site "$site_id"
check "with site's establishment" \
    grep -q '"event":"log".*IKE SA established.*"conn":"site"' "$W/log.json"
check "nothing of other's, nor lines about no connection" sh -c \
    "! grep -q -e other -e 'control:' '$W/log.json'"
check "log --ike-id: only that IKE SA (other's), its close" \
    python3 "$W/check.py" "$W/log-id.json" other "$other_id"
check "and not site's" sh -c "! grep -q '\"site\"' '$W/log-id.json'"
check "monitor without a filter sees both and lines about none" sh -c \
    "grep -q '\"conn\":\"other\"' '$W/monitor.json' &&
     grep -q '\"conn\":\"site\"' '$W/monitor.json' &&
     grep -q 'control: initiating' '$W/monitor.json'"

expect_in "$W/log.txt" "ike-up site #$site_id" "log for humans: the event"
expect_in "$W/log.txt" "[site#$site_id] IKE SA established" \
    "log for humans: the line"
check "log for humans: nothing of other's" sh -c \
    "! grep -q other '$W/log.txt'"

# A reader that goes away: charonctl log ends with 0 at the next line.
(
	st=0
	"$CHARONCTL" -S "$M" log --conn site --level debug || st=$?
	echo "$st" >"$W/pipe.rc"
) | head -n 1 >"$W/pipe.out" &
sleep 0.3
ctl moon initiate --ike site --timeout 10
expect_rc 0 "site is up again"
ctl moon terminate --ike site --timeout 10
i=0
while [ ! -s "$W/pipe.rc" ]; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "charonctl log did not end when its reader did"
	sleep 0.1
done
check "charonctl log exits 0 when its reader went away" \
    test "$(cat "$W/pipe.rc")" = 0
expect_in "$W/pipe.out" "site" "the reader got site's first line"

ctl moon log --ike-id 0
expect_rc 2 "log --ike-id 0 is a usage error"
ctl moon log extra
expect_rc 2 "log with an argument is a usage error"
e2e_stop moon
e2e_stop sun
