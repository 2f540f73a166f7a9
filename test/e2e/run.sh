#!/bin/sh
# SPDX-License-Identifier: ISC
#
# make check-e2e: every test/e2e/*.sh but lib.sh and run.sh (or those
# named), each in a network namespace of its own with loopback up, against
# the binaries of build directory B (default build/gcc). Prints "e2e: NAME
# ok" per test and stops at the first failure, showing the end of its log
# (the whole log is build/e2e/NAME.log). Needs root: without it, says so
# loudly and skips.
#
#   test/e2e/run.sh [B] [TEST...]
set -eu
cd "$(dirname "$0")/../.."
B=${1:-build/gcc}
[ $# -gt 0 ] && shift
if [ "$(id -u)" -ne 0 ]; then
	echo "*** check-e2e SKIPPED: needs root (network namespaces, setpriv) ***"
	exit 0
fi
for t in python3 unshare setpriv ip; do
	command -v "$t" >/dev/null || {
		echo "e2e: $t is missing (apt-get install python3 util-linux iproute2)"
		exit 1
	}
done
for t in "$B/bin/charond" "$B/bin/charonctl"; do
	[ -x "$t" ] || { echo "e2e: $t is missing; run make first"; exit 1; }
done
if [ $# -eq 0 ]; then
	for t in test/e2e/*.sh; do
		case $t in */lib.sh | */run.sh) ;; *) set -- "$@" "$t" ;; esac
	done
fi
mkdir -p build/e2e
for t in "$@"; do
	n=$(basename "$t" .sh)
	log=build/e2e/$n.log
	# shellcheck disable=SC2016 # $0 is for the inner shell
	if ! E2E_B=$B unshare --net sh -c 'ip link set lo up && exec sh "$0"' \
	    "$t" >"$log" 2>&1; then
		tail -n 60 "$log"
		echo "e2e: $n FAILED (log: $log)"
		exit 1
	fi
	echo "e2e: $n ok ($(grep -c '^PASS' "$log") checks)"
done
