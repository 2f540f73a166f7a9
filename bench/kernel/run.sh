#!/bin/sh
# SPDX-License-Identifier: ISC
#
# bench/kernel/run.sh [N...]: `make bench-kernel`. Boots the test VM once
# and runs bench/kernel/vm.sh N... in it (default $BENCH_KERNEL_N, else
# 200): charond and strongSwan as responders to strongSwan's
# load-tester, with their kernel off and on, on the guest's real kernel
# (see bench/README.md, "Installing CHILD SAs in the kernel").
# The console goes to build/bench-kernel/console.log, the guest's tables
# and logs to build/bench-kernel/; the summary is printed.
#
# Needs charond and xfrm-bench built (make bench-kernel builds them) and
# the load-tester (bench/load/build-load-tester.sh, into build/load-tester,
# where the guest looks for it): the guest can build none of them.
# Environment: BENCH_KERNEL_N, BENCH_KERNEL_XB (tunnels charond's libxfrm
# installs alone, without IKE: bench/kernel/xfrm-bench.c; 4000) and
# test/vm/run.sh's VM_*; VM_TIMEOUT defaults to 600 s plus 5 s per N (four
# runs of N tunnels each, under TCG).
set -eu
cd "$(dirname "$0")/../.."
# shellcheck disable=SC2086 # a list of numbers
[ $# -gt 0 ] || set -- ${BENCH_KERNEL_N:-200}
LT_DIR=$PWD/build/load-tester
[ -x "$LT_DIR/prefix/libexec/ipsec/charon" ] || { echo "bench-kernel: no" \
	"load-tester in $LT_DIR: run bench/load/build-load-tester.sh" >&2
	exit 1; }
total=0
for n in "$@"; do
	case $n in
	'' | *[!0-9]*)
		echo "bench-kernel: N must be a number, not '$n'" >&2
		exit 2
		;;
	esac
	total=$((total + n))
done
# The guest's root is the host's, read-only: the directory charon's
# private tmpfs (its pid files) is mounted on must exist beforehand.
mkdir -p "$LT_DIR/run" build/bench-kernel
log=build/bench-kernel/console.log
echo "bench-kernel: N $* in the VM (console: $log), $(date -u +%H:%MZ)," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
st=0
VM_KEEP=1 VM_TIMEOUT=${VM_TIMEOUT:-$((600 + total * 5))} \
    test/vm/run.sh bench/kernel/vm.sh "xb=${BENCH_KERNEL_XB:-4000}" "$@" \
    >"$log" 2>&1 || st=$?
run=$(sed -n 's/^vm: .*files in //p' "$log" | tail -n 1)
if [ -n "$run" ] && [ -d "$run/out" ]; then
	rm -rf build/bench-kernel/out
	cp -r "$run/out" build/bench-kernel/out
	rm -rf "$run"
fi
echo "bench-kernel: load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$st" -ne 0 ]; then
	tail -n 60 "$log"
	echo "bench-kernel: FAILED with status $st (log: $log," \
	    "results: build/bench-kernel/out/)"
	exit 1
fi
cat build/bench-kernel/out/summary.md
