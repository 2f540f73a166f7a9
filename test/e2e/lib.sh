# SPDX-License-Identifier: ISC
# shellcheck shell=sh
#
# Helpers for the end-to-end tests on the host (test/e2e/README.md). Each
# test runs as root in a network namespace of its own (run.sh sets that up),
# with charond daemons listening on loopback addresses and charonctl
# talking to them through sockets in a scratch directory:
#
#   e2e_conf NAME LOCAL REMOTE [PSK] [PROPOSAL]   a one-connection config
#   e2e_start NAME [ARGS]   start charond with $W/NAME.yaml, socket
#                           $W/NAME.sock; wait until it answers
#   e2e_stop NAME           SIGTERM; exit status 0 and socket removed
#   ctl NAME ARGS...        charonctl against NAME, output in $W/out and
#                           $W/err, status in $rc (never fails itself)
#   jget EXPR               evaluate a Python expression over d, the JSON
#                           document on stdin, and print it
#   check DESC COND...      run COND; PASS or FAIL (and exit) with DESC
#   expect_rc WANT DESC     $rc must be WANT
#   expect_in FILE TEXT DESC  FILE contains TEXT

E2E_B=${E2E_B:-build/gcc}
E2E_TOP=${E2E_TOP:-$PWD}
CHAROND="$E2E_TOP/$E2E_B/bin/charond"
CHARONCTL="$E2E_TOP/$E2E_B/bin/charonctl"
# shellcheck disable=SC2034 # for the tests that source this file
RAW="$E2E_TOP/test/e2e/ctlraw.py"
W=$(mktemp -d /tmp/charond-e2e.XXXXXX)
# nobody must be able to reach the sockets in the permission tests.
chmod 0755 "$W"
rc=0

e2e_cleanup() {
	set +e # a daemon already gone is fine here
	for p in "$W"/*.pid; do
		[ -f "$p" ] && kill -TERM "$(cat "$p")" 2>/dev/null
	done
	sleep 0.2
	for p in "$W"/*.pid; do
		[ -f "$p" ] && kill -KILL "$(cat "$p")" 2>/dev/null
	done
	if [ "${E2E_KEEP:-0}" = 1 ]; then
		echo "kept $W"
	else
		rm -rf "$W"
	fi
}
trap e2e_cleanup EXIT

e2e_logs() {
	for l in "$W"/*.log; do
		[ -f "$l" ] || continue
		echo "--- $l"
		tail -n 40 "$l" | sed 's/^/  | /'
	done
}

pass() {
	echo "PASS: $*"
}

fail() {
	echo "FAIL: $*"
	echo "--- stdout of the last charonctl:"
	sed 's/^/  | /' "$W/out" 2>/dev/null
	echo "--- stderr of the last charonctl:"
	sed 's/^/  | /' "$W/err" 2>/dev/null
	e2e_logs
	exit 1
}

check() {
	e2e_desc=$1
	shift
	if "$@"; then
		pass "$e2e_desc"
	else
		fail "$e2e_desc"
	fi
}

expect_rc() {
	[ "$rc" -eq "$1" ] || fail "$2 (exit status $rc, want $1)"
	pass "$2"
}

# The line may come a moment after what the test saw (the other daemon's
# log is written at the end of its loop iteration): up to 2 s.
expect_in() {
	e2e_w=0
	until grep -qF -- "$2" "$1"; do
		[ $e2e_w -lt 20 ] || fail "$3 ('$2' not in $1)"
		e2e_w=$((e2e_w + 1))
		sleep 0.1
	done
	pass "$3"
}

ctl() {
	e2e_n=$1
	shift
	rc=0
	"$CHARONCTL" -S "$W/$e2e_n.sock" "$@" >"$W/out" 2>"$W/err" || rc=$?
}

jget() {
	python3 -c 'import json, sys
d = json.load(sys.stdin)
print(eval("(" + sys.argv[1] + ")"))' "$1"
}

# A config for NAME: connection "site" (child "net") from LOCAL to REMOTE,
# PSK authentication with the IDs NAME.example.org and any peer, short
# retransmissions so that an unreachable peer is given up quickly.
e2e_conf() {
	cat >"$W/$1.yaml" <<EOF
daemon:
  listen: [$2]
  plugin_dir: "$E2E_TOP/$E2E_B/plugins"
  retransmit: {timeout: 0.3s, base: 1.5, tries: 2}
connections:
  site:
    local_addrs: [$2]
    remote_addrs: [$3]
    proposals: [${5:-aes128gcm16-prfsha256-ecp256}]
    local: {auth: psk, id: $1.example.org}
    remote: {auth: psk}
    children:
      net:
        local_ts: [10.1.0.0/16]
        remote_ts: [10.2.0.0/16]
        esp_proposals: [aes128gcm16]
secrets:
  psk:
    - secret: "${4:-an e2e test secret}"
EOF
}

e2e_start() {
	e2e_n=$1
	shift
	rm -f "$W/$e2e_n.sock"
	"$CHAROND" -c "$W/$e2e_n.yaml" -S "$W/$e2e_n.sock" --log-level debug \
	    "$@" >"$W/$e2e_n.log" 2>&1 &
	echo $! >"$W/$e2e_n.pid"
	e2e_i=0
	while ! "$CHARONCTL" -S "$W/$e2e_n.sock" version >/dev/null 2>&1; do
		e2e_i=$((e2e_i + 1))
		[ $e2e_i -lt 50 ] || fail "charond $e2e_n did not come up"
		sleep 0.1
	done
}

e2e_stop() {
	e2e_pid=$(cat "$W/$1.pid")
	kill -TERM "$e2e_pid"
	e2e_st=0
	wait "$e2e_pid" || e2e_st=$?
	rm -f "$W/$1.pid"
	[ "$e2e_st" -eq 0 ] || fail "charond $1 exited with $e2e_st"
	[ ! -e "$W/$1.sock" ] || fail "charond $1 left its socket behind"
	pass "charond $1 stopped cleanly and removed its socket"
}

# charond NAME still answers: the proof after each abuse.
alive() {
	ctl "$1" version
	[ "$rc" -eq 0 ] || fail "charond $1 stopped answering"
}
