#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The control socket under abuse: malformed JSON, requests of the wrong
# shape, unknown commands and arguments, wrong argument types, an
# over-long line, a client that never reads, one that leaves mid-request,
# one that half-closes, more clients than allowed. Each gets its error
# (or is dropped) and each is followed by proof that the daemon still
# serves everyone else.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

e2e_conf moon 127.0.0.1 127.0.0.3
e2e_start moon
S=$W/moon.sock

# raw LINE CODE DESC: the reply to LINE is an error with CODE.
raw() {
	python3 "$RAW" "$S" send "$1" >"$W/out" 2>"$W/err" ||
	    fail "$3: the daemon did not answer"
	got=$(jget 'd["error"]["code"] if not d["ok"] else "ok"' <"$W/out")
	[ "$got" = "$2" ] || fail "$3: got $got, want $2"
	alive moon
	pass "$3: $2, and the daemon still serves"
}

raw '{"id": 1, "cmd": "version"' PARSE_ERROR "truncated JSON"
raw 'not json at all' PARSE_ERROR "not JSON"
raw '{"id": 1, "cmd": "a", "cmd": "b"}' PARSE_ERROR "a duplicate key"
raw '["version"]' BAD_REQUEST "an array instead of an object"
raw '{"id": 1}' BAD_REQUEST "no cmd"
raw '{"id": 1, "cmd": 42}' BAD_REQUEST "cmd of the wrong type"
raw '{"id": 1, "cmd": "version", "args": [1]}' BAD_REQUEST \
    "args of the wrong type"
raw '{"id": [1], "cmd": "version"}' BAD_REQUEST "id of the wrong type"
raw '{"id": 1, "cmd": "reboot"}' UNKNOWN_COMMAND "an unknown command"
raw '{"id": 1, "cmd": "list-sas", "args": {"ike": 5}}' INVALID_ARGS \
    "a number where a name belongs"
raw '{"id": 1, "cmd": "list-sas", "args": {"ike_id": "one"}}' INVALID_ARGS \
    "a string where a number belongs"
raw '{"id": 1, "cmd": "list-sas", "args": {"ike_id": -1}}' INVALID_ARGS \
    "a negative id"
raw '{"id": 1, "cmd": "initiate", "args": {"child": "net", "timeout": "x"}}' \
    INVALID_ARGS "a string timeout"
raw '{"id": 1, "cmd": "initiate", "args": {"child": "net", "timeout": -3}}' \
    INVALID_ARGS "a negative timeout"
raw '{"id": 1, "cmd": "version", "args": {"verbose": true}}' INVALID_ARGS \
    "an unknown argument"
raw '{"id": 1, "cmd": "monitor", "args": {"level": "chatty"}}' INVALID_ARGS \
    "an unknown log level"
raw '{"id": 1, "cmd": "rekey", "args": {"child_id": 1}}' INVALID_ARGS \
    "rekey of a CHILD SA without its IKE SA"
raw '{"id": 1, "cmd": "terminate", "args": {"child_id": 1}}' INVALID_ARGS \
    "terminate of a CHILD SA without its IKE SA"
raw '{"id": 1, "cmd": "terminate", "args": {}}' INVALID_ARGS \
    "terminate of nothing"

# The id comes back as sent, a string included; pipelined requests are
# answered in order on one connection.
python3 "$RAW" "$S" send '{"id": "req-1", "cmd": "version"}' \
    '{"id": 2, "cmd": "stats"}' >"$W/out"
check "a string id is echoed; replies come in order" test \
    "$(sed -n 's/^{"id":\("[^"]*"\|[0-9]*\),.*/\1/p' "$W/out" | tr '\n' ' ')" \
    = '"req-1" 2 '

python3 "$RAW" "$S" long 100000 >"$W/out" ||
    fail "an over-long line: the daemon did not answer"
check "an over-long line gets LINE_TOO_LONG" test \
    "$(head -n 1 "$W/out" | jget 'd["error"]["code"]')" = LINE_TOO_LONG
check "the next request on that connection is served" test \
    "$(tail -n 1 "$W/out" | jget 'd["id"], d["ok"]')" = "(2, True)"
alive moon
pass "the daemon still serves after an over-long line"

# A client that never reads is dropped once its output passes the limit;
# meanwhile and afterwards the others are served.
python3 "$RAW" "$S" flood 40000 >"$W/flood.out" &
flood=$!
sleep 0.3
alive moon
pass "served while a client does not read"
wait $flood || fail "the flooding client crashed"
check "the client that never read was dropped" test \
    "$(cat "$W/flood.out")" = dropped
expect_in "$W/moon.log" "is not reading; dropped" "the daemon logged the drop"
alive moon
pass "the daemon still serves after dropping it"

# A client that leaves while its initiate waits: the wait goes with it.
python3 "$RAW" "$S" vanish \
    '{"id": 1, "cmd": "initiate", "args": {"child": "net"}}' >/dev/null
sleep 0.5
ctl moon --json stats
check "the vanished client is gone (only our stats client is connected)" \
    test "$(jget 'd["control"]["clients"]' <"$W/out")" = 1
# One that only half-closes still gets its answer (nc -N, socat).
python3 "$RAW" "$S" halfclose \
    '{"id": 5, "cmd": "initiate", "args": {"child": "net", "timeout": 0.2}}' \
    >"$W/out"
check "a half-closed client still gets its reply" test \
    "$(jget 'd["id"], d["error"]["code"]' <"$W/out")" = "(5, 'TIMEOUT')"
ctl moon terminate --ike site
alive moon

# CTL_MAX_CLIENTS (64) connections: the next one is told BUSY.
python3 "$RAW" "$S" crowd 64 >"$W/out"
check "a client beyond the limit is refused with BUSY" test \
    "$(jget 'd["error"]["code"]' <"$W/out")" = BUSY
sleep 0.3
alive moon
pass "served again once the crowd left"

e2e_stop moon
