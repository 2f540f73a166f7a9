#!/bin/bash
# SPDX-License-Identifier: ISC
#
# make check-vm: every scenario (or those named), VM_JOBS guests at a time
# (default 2: one per core; TCG keeps a guest on one host CPU). The first
# scenario runs alone, so that the kernel and initramfs cache is built
# once; the rest run longest-known first. Prints "vm: NAME ok (Ns)" or
# "vm: NAME FAILED" per scenario as each ends, the end of each failed
# log, and exits 1 if any failed. Logs: build/vm/NAME.log; durations of
# the last run: build/vm/durations (for the ordering).
#
#   test/vm/run-all.sh [SCENARIO...]
set -u
cd "$(dirname "$0")/../.."
jobs=${VM_JOBS:-2}
mkdir -p build/vm
times=build/vm/durations
[ -f "$times" ] || : >"$times"

if [ $# -eq 0 ]; then
	set -- test/vm/scenarios/*.sh
fi

# Longest first by the last run's durations; unknown ones count as long.
order() {
	local s n t
	for s in "$@"; do
		n=$(basename "$s" .sh)
		t=$(awk -v n="$n" '$1 == n { t = $2 } END { print t + 0 }' "$times")
		[ "$t" -gt 0 ] || t=999
		printf '%s %s\n' "$t" "$s"
	done | sort -rn | cut -d' ' -f2-
}

run_one() {
	local s=$1 n log start st
	n=$(basename "$s" .sh)
	log=build/vm/$n.log
	start=$(date +%s)
	test/vm/run.sh "$s" >"$log" 2>&1
	st=$?
	echo "$n $(($(date +%s) - start)) $st" >>build/vm/results.$$
	if [ "$st" -eq 0 ]; then
		echo "vm: $n ok ($(($(date +%s) - start))s)"
	else
		tail -n 80 "$log" | sed "s/^/$n| /"
		echo "vm: $n FAILED (log: $log)"
	fi
	return "$st"
}

: >build/vm/results.$$
first=$1
shift
run_one "$first"
running=0
for s in $(order "$@"); do
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
	run_one "$s" &
	running=$((running + 1))
done
wait

failed=$(awk '$3 != 0 { n++ } END { print n + 0 }' build/vm/results.$$)
# Keep the durations of this run for the next one's ordering.
awk 'NR == FNR { t[$1] = $2; next } { if (!($1 in t)) t[$1] = $2 }
     END { for (n in t) print n, t[n] }' build/vm/results.$$ "$times" \
    >"$times.new" && mv "$times.new" "$times"
total=$(awk '{ n++ } END { print n + 0 }' build/vm/results.$$)
rm -f build/vm/results.$$
echo "vm: $((total - failed)) of $total scenarios passed"
[ "$failed" -eq 0 ]
