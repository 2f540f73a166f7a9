#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The kernel-side benchmark, inside the test VM (bench/kernel/run.sh boots
# it): for each N, bench/load/run.sh's load-tester initiates N IKE SAs,
# each with one CHILD SA whose initiator selector has a UDP port of its
# own (so that every CHILD SA has policies of its own), to charond and to
# strongSwan's charon, first with the responder's kernel off (charond
# kernel: none, strongSwan fake_kernel), then with the real kernel. The
# difference between the two is what installing the CHILD SAs (SAs and
# policies) costs each responder. The initiator never installs anything.
#
#   test/vm/run.sh bench/kernel/vm.sh [xb=XB] N...   (root, in the guest)
#
# Then charond's libxfrm alone (bench/kernel/xfrm-bench.c) installs XB
# tunnels (4,000: 12,000 policies; the guest gets no environment, hence
# the argument) with four kinds of selectors (below). N 0 runs
# xfrm-bench alone, XB 0 none.
#
# Writes to $VM_OUT: none-N.md and real-N.md (bench/load/report.py's
# tables), xfrm.txt (SAs and policies in the responder's XFRM after each
# run), summary.md (bench/kernel/summary.py), xfrm-bench-*.txt and the runs'
# logs (gzipped).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${VM_OUT:-/tmp/bench-kernel}
mkdir -p "$out"
XB=4000
case ${1:-} in xb=*) XB=${1#xb=}; shift ;; esac
[ $# -gt 0 ] || set -- 200
: >"$out/xfrm.txt"
rc=0
# The kernel's first AES-GCM SA instantiates its crypto templates (about
# 5 s under TCG, and the initiator retransmits meanwhile): done here, so
# that the first responder to install does not pay it for both.
ip netns add warm
ip -n warm xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x100 \
    mode tunnel aead 'rfc4106(gcm(aes))' \
    0x0102030405060708090a0b0c0d0e0f1011121314 128 ||
	echo "bench-kernel: the warm-up SA was refused" >&2
ip netns del warm
for n in "$@"; do
	[ "$n" -gt 0 ] || continue # N 0: xfrm-bench alone
	for k in none real; do
		echo "bench-kernel: N $n, responder's kernel $k"
		# Fewer initiator threads, polling less often than on the
		# host: one vCPU runs the initiator and the responder.
		LT_INITIATORS=4 LT_DELAY=20 \
		    LT_KERNEL=$k LT_UNIQUE_TS=1 LT_SPEED=0 LT_SUITES=psk-ecp256 \
		    LT_OUT=/tmp/lt-out LT_XFRM_LOG="$out/xfrm.txt" \
		    LT_RESULTS="$out/$k-$n.md" LT_TIMEOUT=${LT_TIMEOUT:-60} \
		    "$top/bench/load/run.sh" "$n" || rc=1
		# The logs of this N and kernel setting, without the big
		# ones' copies twice.
		mkdir -p "$out/logs/$k-$n"
		for d in /tmp/lt-out/psk-ecp256-*; do
			[ -d "$d" ] || continue
			mkdir -p "$out/logs/$k-$n/${d##*/}"
			for f in "$d"/*; do
				gzip -c "$f" >"$out/logs/$k-$n/${d##*/}/${f##*/}.gz"
			done
			rm -rf "$d"
		done
	done
done
# Then charond's libxfrm alone, without IKE: XB tunnels (two SAs and
# three policies each) with distinct /32 hosts, with distinct /24 subnets
# and the kernel's IPv4 hash thresholds lowered to /24 (so that it hashes
# those policies rather than keep them in its inexact lists), with the
# same subnets and the default thresholds, and with the load-tester runs'
# selectors (the same two hosts, a port each). After the load-tester
# runs: tearing down a namespace with thousands of inexact policies keeps
# the kernel busy after the namespace is gone.
for m in hosts hthresh distinct ports; do
	[ "$XB" -gt 0 ] || break
	ip netns add xb
	a=$m
	if [ $m = hthresh ]; then
		ip -n xb xfrm policy set hthresh4 24 24
		a=distinct
	fi
	echo "bench-kernel: xfrm-bench $XB $m"
	ip netns exec xb "$top/${B:-build/gcc}/bench/xfrm-bench" "$XB" "$a" \
	    >"$out/xfrm-bench-$m.txt" 2>&1 || rc=1
	# The kernel's own counts (SADINFO, SPDINFO): a dump of thousands
	# takes long under TCG.
	{ ip -n xb xfrm state count; ip -n xb xfrm policy count; } \
	    >>"$out/xfrm-bench-$m.txt" 2>&1
	cat "$out/xfrm-bench-$m.txt"
	ip netns del xb
done
if [ -n "$(ls "$out"/real-*.md 2>/dev/null)" ]; then
	python3 "$top/bench/kernel/summary.py" "$out" |
		tee "$out/summary.md" || rc=1
fi
exit "$rc"
