#!/bin/sh
# SPDX-License-Identifier: ISC
#
# daemon.log.format json: every line charond writes is one JSON object
# (time, level, conn, ike_id, msg), the IKE SA's lines with its connection
# and number, the others with null; a reload switches it; a bad format is
# refused with its place.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

e2e_conf sun 127.0.0.2 127.0.0.1
e2e_conf moon 127.0.0.1 127.0.0.2
sed -i 's/^daemon:$/daemon:\n  log: {format: json}/' "$W/moon.yaml"
e2e_start sun
e2e_start moon

ctl moon --json initiate --ike site --timeout 10
expect_rc 0 "initiate --ike: the IKE SA is up"
id=$(jget 'd["ike_id"]' <"$W/out")
ctl moon terminate --ike site --timeout 10
e2e_stop moon

cat >"$W/check.py" <<'PY'
import json, re, sys
n, est = 0, 0
for raw in open(sys.argv[1], "rb"):
    o = json.loads(raw.decode("utf-8"))
    assert set(o) >= {"time", "level", "conn", "ike_id", "msg"}, o
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z",
                        o["time"]), o
    assert o["level"] in ("error", "warn", "info", "debug", "trace"), o
    assert (o["conn"] is None) == (o["ike_id"] is None), o
    if o["msg"] == "IKE SA established" and o["conn"] == "site" and \
            o["ike_id"] == int(sys.argv[2]):
        est += 1
    n += 1
assert n > 5 and est == 1, (n, est)
print(n)
PY
check "every line of moon's log is a JSON object, one establishment" \
    python3 "$W/check.py" "$W/moon.log" "$id"
check "lines without an IKE SA have conn and ike_id null" \
    grep -q '"conn":null,"ike_id":null' "$W/moon.log"
check "sun, without format, logs text" grep -q "IKE SA established" \
    "$W/sun.log"
check "sun's lines are not JSON" sh -c "! grep -q '^{' '$W/sun.log'"

# The format follows a reload.
sed -i 's/^daemon:$/daemon:\n  log: {format: json}/' "$W/sun.yaml"
ctl sun load
expect_rc 0 "sun reloads with format json"
check "and says so in JSON from then on" python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
i = [n for n, l in enumerate(lines) if "log format json" in l][0]
assert all(json.loads(l) for l in lines[i:]), lines[i:]' "$W/sun.log"
e2e_stop sun

sed -i 's/{format: json}/{format: xml}/' "$W/moon.yaml"
rc=0
"$CHAROND" -c "$W/moon.yaml" --check-config >"$W/out" 2>"$W/err" || rc=$?
expect_rc 2 "a bad format is refused"
expect_in "$W/err" "moon.yaml:2:17: error: bad value 'xml' for 'format': expected text|json" \
    "with FILE:LINE:COL"
