#!/bin/sh
# SPDX-License-Identifier: ISC
#
# libxfrm against a kernel with ESP: runs libxfrm's unit test runner, built
# on the host beforehand (`make check-vm` builds it; the guest sees the
# same paths), with XFRM_VM_TESTS=1 so that its xfrm_vm suite runs too:
# real NEWSA/UPDSA/GETSA/DELSA with AEAD and CBC+HMAC (ESN, NAT-T, marks,
# lifetimes), soft and hard EXPIRE events, and pings between two network
# namespaces through ESP tunnels that libxfrm installed, checked with the
# SAs' counters. The runner makes its own namespaces, one per test.
#
# Run: test/vm/run.sh test/vm/scenarios/libxfrm.sh [RUNNER]
# RUNNER defaults to the newest build/*/check_libxfrm.
set -eu
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/../lib.sh"
vm_require_guest

runner=${1:-}
if [ -z "$runner" ]; then
	# shellcheck disable=SC2012 # build directory names are plain
	runner=$(ls -t build/*/check_libxfrm 2>/dev/null | head -n 1)
fi
if [ -z "$runner" ] || [ ! -x "$runner" ]; then
	fail "no check_libxfrm runner: build it first (make check-vm does)"
fi
echo "--- $runner"

# Crypto the suites need beyond what guest-init loads.
modprobe -q chacha20poly1305 2>/dev/null || :

# CK_FORK: each test in its own process, so one crash cannot hide the rest.
if XFRM_VM_TESTS=1 CK_FORK=yes "$runner"; then
	pass "libxfrm unit, kernel and ESP tests"
else
	fail "check_libxfrm reported failures (above)"
fi
echo "PASS: libxfrm"
