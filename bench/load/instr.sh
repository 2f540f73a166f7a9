#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Instructions per IKE SA of each responder, counted by valgrind's
# callgrind (this host's VM has no hardware counters for perf stat, and
# a count does not depend on the machine's load): run.sh at N1 and N2
# SAs with the responder under callgrind; the difference of the two
# totals over N2 - N1 cancels start-up, configuration and shutdown.
#
#   bench/load/instr.sh [N1 N2]           (root; defaults 200 600)
#
# Environment: as run.sh (LT_SUITES, LT_RESPONDERS, B, ...). Prints one
# line per suite and responder; the callgrind files stay in
# build/load-tester/out/cg/.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
n1=${1:-200}
n2=${2:-600}
out=${LT_DIR:-$top/build/load-tester}/out/cg
mkdir -p "$out"
command -v valgrind >/dev/null || { echo "instr: no valgrind" >&2; exit 1; }

# ir FILE: the total instructions of one callgrind file.
ir() { awk '/^(summary|totals):/ { print $2; exit }' "$1"; }

for s in ${LT_SUITES:-psk-ecp256 psk-x25519}; do
	for r in ${LT_RESPONDERS:-charond strongswan}; do
		for n in "$n1" "$n2"; do
			rm -f "$out/$s-$r-$n".*
			LT_SUITES=$s LT_RESPONDERS=$r LT_SPEED=0 LT_TIMEOUT=60 \
			    LT_RESULTS=$out/results.md LT_WRAP="valgrind -q \
--tool=callgrind --callgrind-out-file=$out/$s-$r-$n.%p" \
			    "$top/bench/load/run.sh" "$n" >/dev/null
		done
		a=$(ir "$(ls "$out/$s-$r-$n1".* | head -n 1)")
		b=$(ir "$(ls "$out/$s-$r-$n2".* | head -n 1)")
		echo "$s $r: $(((b - a) / (n2 - n1))) instructions per SA" \
		    "($n1 SAs: $a, $n2 SAs: $b)"
	done
done
