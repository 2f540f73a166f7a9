#!/bin/bash
# SPDX-License-Identifier: ISC
#
# make check-vm: every scenario (or those named), VM_JOBS guests at a time
# (default 2: one per core; TCG keeps a guest on one host CPU). The short
# scenarios share boots: those known to take at most VM_GROUP_MAX seconds
# (default 30) are packed into groups of at most VM_GROUP_SECS (default
# 120) in all, each group one guest running its scenarios one after the
# other from a clean state (run.sh --group); VM_GROUP_MAX=0 boots once per
# scenario, and a scenario with a line "# vm: alone" always gets its own. Guests (a scenario alone or a group) start longest-known
# first. Prints "vm: NAME ok (Ns)" or "vm: NAME FAILED (log: ...)" per
# scenario as each ends, the end of each failed log, and exits 1 if any
# failed. Logs: build/vm/NAME.log, one per scenario, grouped or not.
#
# Durations (NAME SECONDS, for the grouping and the ordering): those of
# the last run in build/vm/durations, else test/vm/durations (measured
# on the project's machine); unknown scenarios count as long and run
# alone. A grouped scenario's time is from the end of the one before it
# (its clean state included), the first's from the boot.
#
#   test/vm/run-all.sh [SCENARIO...]
set -u
cd "$(dirname "$0")/../.." || exit 2
jobs=${VM_JOBS:-2}
group_max=${VM_GROUP_MAX:-30}
group_secs=${VM_GROUP_SECS:-120}
mkdir -p build/vm
times=build/vm/durations
[ -f "$times" ] || : >"$times"

if [ $# -eq 0 ]; then
	set -- test/vm/scenarios/*.sh
fi

# "SECONDS ALONE PATH" per scenario: SECONDS 0 when unknown, ALONE 1 if
# the scenario has a line "# vm: alone" (it needs a fresh boot).
known() {
	local s n t a
	for s in "$@"; do
		n=$(basename "$s" .sh)
		t=$(awk -v n="$n" '$1 == n { t = $2 } END { print t + 0 }' \
		    test/vm/durations "$times")
		a=0
		grep -qx '# vm: alone' "$s" && a=1
		printf '%s %s %s\n' "$t" "$a" "$s"
	done
}

# One line per guest, longest first: "SECONDS PATH..." (several paths for
# a group). First fit, longest first, packs the short ones.
plan() {
	known "$@" | awk -v max="$group_max" -v cap="$group_secs" '
	{ t = $1 + 0; p = $3
	  if (t == 0) { print 999, p; next }
	  if (t > max || $2 == 1) { print t, p; next }
	  short[++n] = t " " p }
	END {
		# sort the short ones, longest first (insertion sort: few)
		for (i = 2; i <= n; i++) {
			x = short[i]; split(x, a, " ")
			for (j = i - 1; j >= 1; j--) {
				split(short[j], b, " ")
				if (b[1] + 0 >= a[1] + 0) break
				short[j + 1] = short[j]
			}
			short[j + 1] = x
		}
		for (i = 1; i <= n; i++) {
			split(short[i], a, " ")
			for (g = 1; g <= ng; g++)
				if (sum[g] + a[1] <= cap) break
			if (g > ng) ng = g
			sum[g] += a[1]; list[g] = list[g] " " a[2]
		}
		for (g = 1; g <= ng; g++) print sum[g] list[g]
	}' | sort -rn | cut -d' ' -f2-
}

# report NAME SECONDS STATUS: the result line (and a failed log's end).
report() {
	local n=$1 t=$2 st=$3 log=build/vm/$1.log
	echo "$n $t $st" >>build/vm/results.$$
	if [ "$st" -eq 0 ]; then
		echo "vm: $n ok (${t}s)"
	else
		tail -n 80 "$log" | sed "s/^/$n| /"
		echo "vm: $n FAILED (log: $log)"
	fi
}

run_one() {
	local s=$1 n log start st
	n=$(basename "$s" .sh)
	log=build/vm/$n.log
	start=$(date +%s)
	test/vm/run.sh "$s" >"$log" 2>&1
	st=$?
	report "$n" "$(($(date +%s) - start))" "$st"
	return "$st"
}

# run_group PATH...: one guest for them all; its console split into
# their logs at guest-init's "scenario NAME begins" and "ends" lines, the
# boot in the first one's, and each reported as it ends. Those the guest
# did not finish (timeout, panic) fail with what there is.
run_group() {
	local names=() n line cur last now st rc
	local -A done_st=() member=()
	for s in "$@"; do
		n=$(basename "$s" .sh)
		names+=("$n")
		member[$n]=1
	done
	for n in "${names[@]}"; do
		echo "vm: $n runs in one boot with: ${names[*]}" \
		    "(the boot is in build/vm/${names[0]}.log)" >"build/vm/$n.log"
	done
	cur=${names[0]}
	printf -v last '%(%s)T' -1
	local begin='^vm\| vm init: scenario ([^ ]+) begins$'
	local end='^vm\| vm init: scenario ([^ ]+) ends: exit status ([0-9]+) '
	while IFS= read -r line; do
		if [[ $line =~ $begin ]] && [ -n "${member[${BASH_REMATCH[1]}]:-}" ]; then
			cur=${BASH_REMATCH[1]}
		fi
		printf '%s\n' "$line" >>"build/vm/$cur.log"
		if [[ $line =~ $end ]] && [ "${BASH_REMATCH[1]}" = "$cur" ]; then
			printf -v now '%(%s)T' -1
			done_st[$cur]=${BASH_REMATCH[2]}
			report "$cur" "$((now - last))" "${BASH_REMATCH[2]}"
			last=$now
		fi
	done < <(test/vm/run.sh --group "$@" 2>&1; echo "vm: run.sh status $?")
	st=0
	for n in "${names[@]}"; do
		[ -n "${done_st[$n]:-}" ] && continue
		rc=$(sed -n 's/^vm: run.sh status //p' "build/vm/$cur.log" | tail -n 1)
		if [ "$n" = "$cur" ]; then
			echo "vm: $n did not finish: its guest ended (run.sh status $rc)" \
			    >>"build/vm/$n.log"
		else
			echo "vm: $n did not run: its guest ended during $cur" \
			    "(run.sh status $rc, log build/vm/$cur.log)" \
			    >>"build/vm/$n.log"
		fi
		printf -v now '%(%s)T' -1
		report "$n" "$((now - last))" 1
		st=1
	done
	return "$st"
}

: >build/vm/results.$$
# The kernel and initramfs cache, built once before guests start side by
# side.
if ! test/vm/run.sh --prepare >build/vm/prepare.log 2>&1; then
	cat build/vm/prepare.log
	echo "vm: set-up FAILED (log: build/vm/prepare.log)"
	exit 1
fi
mapfile -t units < <(plan "$@")
running=0
for u in "${units[@]}"; do
	read -r -a unit <<<"$u"
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
	if [ "${#unit[@]}" -eq 1 ]; then
		run_one "${unit[0]}" &
	else
		run_group "${unit[@]}" &
	fi
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
