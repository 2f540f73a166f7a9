#!/bin/sh
# SPDX-License-Identifier: ISC
#
# An example of driving charond from a script through `charonctl --json`:
# bring a tunnel up, check it, run something through it, tear it down.
# Only POSIX sh, charonctl and python3 (for reading JSON; jq does as well).
#
#   orchestrate.sh [-S SOCKET] [-t SECONDS] IKE CHILD [CHECK-COMMAND...]
#
#   IKE, CHILD       the connection and child to bring up
#   -S SOCKET        charond's control socket (default: charonctl's)
#   -t SECONDS       how long to wait for each step (default 30)
#   CHECK-COMMAND    run while the tunnel is up (a ping through it, say);
#                    the tunnel must then have counted packets both ways
#
# Exit status: 0 when every step worked; otherwise charonctl's status of
# the step that failed (1 failed, 2 usage or configuration, 3 daemon not
# reachable), or 1 when a check failed. A tunnel this script brought up is
# torn down even when a later step fails.
#
# Example (moon's LAN reaches sun's):
#   orchestrate.sh -S /run/charond/charond.sock site net \
#       ping -c 3 -I 10.1.0.1 10.2.0.1
set -eu

CHARONCTL=${CHARONCTL:-charonctl}
timeout=30
sock=

usage() {
	echo "usage: $0 [-S SOCKET] [-t SECONDS] IKE CHILD [CHECK-COMMAND...]" >&2
	exit 2
}

while getopts S:t: o; do
	case $o in
	S) sock=$OPTARG ;;
	t) timeout=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || usage
ike=$1
child=$2
shift 2

say() {
	echo "orchestrate: $*"
}

# ctl ARGS...: charonctl --json; the result object on stdout.
ctl() {
	if [ -n "$sock" ]; then
		"$CHARONCTL" -S "$sock" --json "$@"
	else
		"$CHARONCTL" --json "$@"
	fi
}

# field EXPR: evaluate a Python expression over r, the JSON on stdin.
field() {
	python3 -c 'import json, sys
r = json.load(sys.stdin)
print(eval(sys.argv[1]))' "$1"
}

# 1. Up: initiate waits until the CHILD SA is installed, or says why not
# (with --json, the error object comes on stderr).
st=0
up=$(ctl initiate --ike "$ike" --child "$child" --timeout "$timeout" 2>&1) ||
    st=$?
if [ $st -ne 0 ]; then
	why=$(echo "$up" | field 'r["code"] + ": " + r["message"]' 2>/dev/null) ||
	    why=$up
	say "could not bring $ike/$child up: $why (exit status $st)"
	exit $st
fi
id=$(echo "$up" | field 'r["ike_id"]')
say "IKE SA #$id of $ike is up"

teardown() {
	st=0
	ctl terminate --ike-id "$id" --timeout "$timeout" >/dev/null || st=$?
	if [ $st -ne 0 ]; then
		say "terminate of IKE SA #$id failed (exit status $st)"
		return $st
	fi
	left=$(ctl list-sas --ike-id "$id" | field 'len(r["ike_sas"])')
	if [ "$left" -ne 0 ]; then
		say "IKE SA #$id is still listed after terminate"
		return 1
	fi
	say "IKE SA #$id is gone"
}

# child_counter FIELD: the CHILD SA's kernel counter, from list-sas.
child_counter() {
	ctl list-sas --ike-id "$id" | field "
sum(c['$1'] for s in r['ike_sas'] for c in s['children']
    if c['name'] == '$child')"
}

# 2. Check: the child is installed, with SPIs both ways.
state=$(ctl list-sas --ike-id "$id" | field "
[(c['state'], c['spi_in'], c['spi_out']) for s in r['ike_sas']
 for c in s['children'] if c['name'] == '$child']")
case $state in
"[('INSTALLED', '"*)
	say "CHILD SA $child installed: (state, spi_in, spi_out) $state"
	;;
*)
	say "CHILD SA $child is not installed: $state"
	teardown || true
	exit 1
	;;
esac

# 3. Use it: the check command's traffic must show in the counters.
if [ $# -gt 0 ]; then
	before=$(child_counter packets_out)
	if ! "$@" >/dev/null; then
		say "the check command failed: $*"
		teardown || true
		exit 1
	fi
	out=$(child_counter packets_out)
	in=$(child_counter packets_in)
	if [ "$out" -le "$before" ] || [ "$in" -eq 0 ]; then
		say "no traffic through $child (packets out $before -> $out, in $in)"
		teardown || true
		exit 1
	fi
	say "traffic through $child: $out packets out, $in packets in"
fi

# 4. Down: terminate waits until the peer answered our DELETE.
teardown
