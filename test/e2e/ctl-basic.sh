#!/bin/sh
# SPDX-License-Identifier: ISC
#
# charonctl's commands that need no peer: version, list-conns, list-sas,
# load with a good and with a broken file (rejected whole, with its
# FILE:LINE:COL messages, the running config untouched), log-level, rekey,
# stats and its Prometheus form, and the exit codes of the interface spec
# (0 success, 1 failed, 2 usage or configuration, 3 unreachable).
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

e2e_conf moon 127.0.0.1 192.0.2.2
e2e_start moon

ctl moon version
expect_rc 0 "version"
expect_in "$W/out" "charond 0.1.0" "version names the daemon"
expect_in "$W/out" "psk" "version lists the psk plugin"
ctl moon --json version
check "version --json is the result object" \
    test "$(jget 'd["daemon"] + " " + d["version"]' <"$W/out")" = \
    "charond 0.1.0"

ctl moon list-conns
expect_rc 0 "list-conns"
expect_in "$W/out" "site: IKEv2" "list-conns shows the connection"
expect_in "$W/out" "    remote: 10.2.0.0/16" "list-conns shows selectors"
ctl moon list-conns --json
check "list-conns --json: connection, child, selectors" test \
    "$(jget '[c["name"] + "/" + c["children"][0]["name"] + " " +
	c["children"][0]["local_ts"][0] for c in d["conns"]]' <"$W/out")" = \
    "['site/net 10.1.0.0/16']"
ctl moon list-conns --ike nosuch
expect_rc 1 "list-conns of an unknown connection fails"

ctl moon --json list-sas
expect_rc 0 "list-sas with no SAs"
check "list-sas --json: empty list" test "$(cat "$W/out")" = '{"ike_sas":[]}'
ctl moon list-sas
check "list-sas for humans: nothing" test ! -s "$W/out"

# load: a connection added, then a file with two errors is refused whole.
cp "$W/moon.yaml" "$W/moon.good"
cat >>"$W/moon.yaml" <<EOF
  extra:
    remote_addrs: [198.51.100.7]
    local: {auth: psk}
    remote: {auth: psk}
    children: {net: {}}
EOF
# The appended connection belongs under connections:, before secrets.
python3 - "$W/moon.yaml" <<'EOF'
import sys
p = sys.argv[1]
t = open(p).read()
head, sec, rest = t.partition("secrets:\n")
body, _, extra = rest.partition("  extra:\n")
open(p, "w").write(head + "  extra:\n" + extra + sec + body)
EOF
ctl moon --json load
expect_rc 0 "load a file with one more connection"
check "load reports it added, site unchanged" test \
    "$(jget 'str(d["added"]) + str(d["unchanged"]) + str(d["removed"])' \
	<"$W/out")" = "['extra']['site'][]"
ctl moon list-conns --ike extra
expect_rc 0 "the new connection is listed"
# Child names are unique within their connection only (site has a `net`
# too): --child alone is then ambiguous, --ike picks.
ctl moon initiate --child net
expect_rc 2 "initiate --child of a name two connections have is refused"
expect_in "$W/err" "INVALID_ARGS" "with INVALID_ARGS"
expect_in "$W/err" "2 connections ('site', 'extra')" \
    "the error lists the connections"
ctl moon initiate --child net --ike site --timeout 0.2
expect_rc 1 "initiate --child net --ike site picks site's child (no peer)"
check "and is not refused as ambiguous" \
    sh -c "! grep -q INVALID_ARGS '$W/err'"

cat >"$W/moon.yaml" <<EOF
daemon:
  listen: [127.0.0.1]
  port: 70000
connections:
  broken:
    remote_addrs: [not an address!]
    local: {auth: psk}
    remote: {auth: psk}
EOF
ctl moon load
expect_rc 2 "load of a file with errors exits 2"
expect_in "$W/err" "CONFIG_ERROR" "the error code is CONFIG_ERROR"
expect_in "$W/err" "$W/moon.yaml:3:9: error:" "the bad port is at FILE:LINE:COL"
expect_in "$W/err" "$W/moon.yaml:6:20: error:" "the bad address is at FILE:LINE:COL"
ctl moon --json load
expect_rc 2 "load --json of the broken file exits 2"
check "--json: nothing on stdout, the error object on stderr" test \
    ! -s "$W/out"
check "the error object carries the diagnostics" test \
    "$(jget 'len(d["diagnostics"]) >= 2 and d["code"]' <"$W/err")" = \
    "CONFIG_ERROR"
ctl moon --json list-conns
check "the running configuration stayed" test \
    "$(jget '[c["name"] for c in d["conns"]]' <"$W/out")" = \
    "['site', 'extra']"
cp "$W/moon.good" "$W/moon.yaml"
ctl moon --json load
check "load back: extra removed" test \
    "$(jget 'str(d["removed"])' <"$W/out")" = "['extra']"

# SIGHUP goes the same way as load.
sed 's/^  site:$/  hup:/' "$W/moon.good" >"$W/moon.yaml"
kill -HUP "$(cat "$W/moon.pid")"
sleep 0.5
ctl moon --json list-conns
check "SIGHUP reloads the file" test \
    "$(jget '[c["name"] for c in d["conns"]]' <"$W/out")" = "['hup']"
cp "$W/moon.good" "$W/moon.yaml"
kill -HUP "$(cat "$W/moon.pid")"
sleep 0.5

ctl moon log-level debug
expect_rc 0 "log-level debug"
expect_in "$W/out" "log level debug" "log-level says the new level"
ctl moon log-level loud
expect_rc 2 "log-level with an unknown level exits 2"
ctl moon log-level
expect_rc 2 "log-level without a level is a usage error"

ctl moon rekey --ike-id 7
expect_rc 1 "rekey of an unknown SA fails"
expect_in "$W/err" "NOT_FOUND" "with NOT_FOUND"
ctl moon rekey
expect_rc 2 "rekey without an SA is a usage error"

ctl moon stats --json
expect_rc 0 "stats"
check "stats counts requests and has SA counts" test \
    "$(jget 'd["control"]["requests"] > 5 and d["ike_sas"]["total"]' \
	<"$W/out")" = "0"
# Junk and a header-only message for no SA: dropped, counted by reason.
python3 - <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"junk", ("127.0.0.1", 500))
hdr = bytes(range(1, 9)) + bytes(8) + bytes([0, 0x20, 37, 0x08]) + bytes(4)
s.sendto(hdr + (28).to_bytes(4, "big"), ("127.0.0.1", 500))
PY
sleep 0.2
ctl moon stats --json
check "stats counts input drops by reason" test \
    "$(jget 'd["input"]["drops"]["malformed"] >= 1 and d["input"]["drops"]["unknown_sa"] >= 1 and d["input"]["half_open"] == 0' \
	<"$W/out")" = "True"
ctl moon stats
expect_in "$W/out" "malformed: " "stats prints the drops"
ctl moon stats --prometheus
expect_rc 0 "stats --prometheus"
expect_in "$W/out" 'charond_input_drops_total{reason="unknown_sa"} 1' \
    "exposition has the drops by reason"
expect_in "$W/out" '# TYPE charond_ike_sas gauge' "exposition has TYPE lines"
expect_in "$W/out" 'charond_ike_sas{state="ESTABLISHED"} 0' \
    "exposition has labelled samples"
check "every sample line is NAME[{LABELS}] VALUE" sh -c \
    "grep -v '^#' '$W/out' | grep -Evq '^[a-z_]+(\{[a-z_]+=\"[^\"]*\"\})? -?[0-9]+$' && exit 1 || exit 0"

# Exit codes of charonctl itself.
ctl moon frobnicate
expect_rc 2 "an unknown command is a usage error"
ctl moon initiate
expect_rc 2 "initiate without --child or --ike is a usage error"
ctl moon terminate --ike-id x
expect_rc 2 "a non-numeric --ike-id is a usage error"
ctl moon initiate --child nosuch
expect_rc 1 "initiating an unknown child fails"
expect_in "$W/err" "NOT_FOUND" "with NOT_FOUND"
ctl moon list-sas --help
expect_rc 0 "list-sas --help"
expect_in "$W/out" "usage: charonctl" "--help prints the command's usage"
rc=0
"$CHARONCTL" -S "$W/nobody-here.sock" version >"$W/out" 2>"$W/err" || rc=$?
expect_rc 3 "no daemon at the socket: exit 3"
rc=0
CHAROND_SOCKET="$W/moon.sock" "$CHARONCTL" version >"$W/out" 2>&1 || rc=$?
expect_rc 0 "CHAROND_SOCKET names the socket"

# A second daemon does not take a live socket over.
e2e_conf sun 127.0.0.2 127.0.0.1
"$CHAROND" -c "$W/sun.yaml" -S "$W/moon.sock" >"$W/sun.log" 2>&1 &
echo $! >"$W/sun.pid"
sleep 0.5
expect_in "$W/sun.log" "another daemon answers there" \
    "a second daemon leaves the live socket alone"
alive moon
pass "the first daemon still answers on it"
kill -TERM "$(cat "$W/sun.pid")"
wait "$(cat "$W/sun.pid")" || true
rm -f "$W/sun.pid"

e2e_stop moon
