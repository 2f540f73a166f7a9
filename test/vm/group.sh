#!/bin/bash
# SPDX-License-Identifier: ISC
#
# test/vm/group.sh: checks run.sh --group, on the host: one boot runs
# selftest/dirty.sh (leaves daemons, a namespace, SAs, a policy, an
# nftables table, files, a mount, a hostname; status 3), clean.sh (passes
# only if none of it is left), hang.sh (killed by VM_EACH_TIMEOUT: 124)
# and clean.sh's twin again after it. Each must get its own status and
# its own $VM_OUT, in order, between guest-init's begin and end lines.
set -u
cd "$(dirname "$0")/../.." || exit 2
t=test/vm/selftest
tmp=$(mktemp -d build/vm-group.XXXXXX) || exit 2
trap 'rm -rf "$tmp"' EXIT
# clean.sh again under another name: names in a group are unique.
printf '#!/bin/sh\nexec %s/%s/clean.sh\n' "$PWD" "$t" >"$tmp/clean2.sh"
chmod +x "$tmp/clean2.sh"
out=$(VM_EACH_TIMEOUT=8 VM_KEEP=1 test/vm/run.sh --group "$t/dirty.sh" \
    "$t/clean.sh" "$t/hang.sh" "$tmp/clean2.sh" 2>&1)
st=$?
printf '%s\n' "$out" | sed 's/^/  | /'
bad=0
check() {
	if printf '%s\n' "$out" | grep -qx -- "$2"; then
		echo "PASS: $1"
	else
		echo "FAIL: $1 (no line \"$2\")"
		bad=1
	fi
}
check "dirty.sh failed with its own status" "vm: dirty: exit status 3"
check "clean.sh found a clean guest" "vm: clean: exit status 0"
check "hang.sh ended by its time limit" "vm: hang: exit status 124"
check "clean2.sh ran after the hang" "vm: clean2: exit status 0"
check "the console says where each ends" \
    "vm| vm init: scenario hang ends: exit status 124 (.*s)"
if [ "$st" -eq 1 ]; then
	echo "PASS: run.sh status 1"
else
	echo "FAIL: run.sh status $st, want 1"
	bad=1
fi
run=$(printf '%s\n' "$out" | sed -n 's/^vm: files in //p')
if [ -s "$run/out/clean/clean.out" ] && [ -s "$run/out/clean2/clean.out" ]
then
	echo "PASS: each scenario has its own \$VM_OUT"
else
	echo "FAIL: no out/clean/clean.out or out/clean2/clean.out in $run"
	bad=1
fi
[ -n "$run" ] && rm -rf "$run"
[ "$bad" -eq 0 ] && echo "vm group: ok"
exit "$bad"
