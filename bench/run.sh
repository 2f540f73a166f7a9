#!/bin/sh
# SPDX-License-Identifier: ISC
#
# bench/run.sh [N...]: `make bench`. Boots the test VM once per N
# (default $BENCH_N, else 100) and runs bench/setup-rate.sh N ROUNDS in it
# (ROUNDS is $BENCH_ROUNDS, default 3; BENCH_DAEMONS="strongswan" runs
# one daemon only).
# The console goes to build/bench/setup-rate-N.log and the guest's results
# to build/bench/setup-rate-N.json, with the daemons' logs beside them
# (build/bench/N/). Build first: the guest cannot (make bench does).
#
# Environment: BENCH_N, BENCH_ROUNDS, BENCH_DAEMONS, and test/vm/run.sh's
# VM_* (
# VM_MEM...); VM_TIMEOUT defaults to 300 s plus 8 s per tunnel.
set -eu
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- "${BENCH_N:-100}"
rounds=${BENCH_ROUNDS:-3}
mkdir -p build/bench
rc=0
for n in "$@"; do
	case $n in
	'' | *[!0-9]*)
		echo "bench: N must be a number, not '$n'" >&2
		exit 2
		;;
	esac
	log=build/bench/setup-rate-$n.log
	echo "bench: $n tunnels per daemon (console: $log)"
	st=0
	# shellcheck disable=SC2086 # BENCH_DAEMONS is a list of words
	VM_KEEP=1 VM_TIMEOUT=${VM_TIMEOUT:-$((300 + 4 * n * rounds))} \
	    test/vm/run.sh bench/setup-rate.sh "$n" "$rounds" ${BENCH_DAEMONS:-} \
	    >"$log" 2>&1 || st=$?
	run=$(sed -n 's/^vm: files in //p' "$log" | tail -n 1)
	if [ -n "$run" ] && [ -d "$run/out" ]; then
		rm -rf "build/bench/$n"
		mkdir -p "build/bench/$n"
		cp "$run"/out/* "build/bench/$n/" 2>/dev/null || :
		if [ -f "$run/out/bench.json" ]; then
			cp "$run/out/bench.json" "build/bench/setup-rate-$n.json"
		fi
		rm -rf "$run"
	fi
	if [ "$st" -ne 0 ]; then
		tail -n 80 "$log"
		echo "bench: FAILED with status $st (log: $log, daemons' logs:" \
		    "build/bench/$n/)"
		rc=1
		continue
	fi
	# The table: from the header line to the end of the guest's report.
	sed -n 's/^vm| //; /^daemon  /,/^--- JSON/p' "$log" | sed '$d'
	echo "bench: build/bench/setup-rate-$n.json"
done
exit "$rc"
