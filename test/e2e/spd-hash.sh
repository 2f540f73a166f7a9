#!/bin/sh
# SPDX-License-Identifier: ISC
#
# daemon.spd_hash_ipv4 / spd_hash_ipv6: the thresholds above which the
# kernel hashes policies by address (bench/README.md: subnet policies
# otherwise make each new tunnel slower), set in charond's network
# namespace at start and on a reload that changes them, one line each
# time; 0 (the default) leaves the kernel's; bad values are refused where
# written. Needs no ESP: the SPD is the kernel's with or without it.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

# thresholds: "L4 R4 L6 R6" as the kernel reports them.
thresholds() {
	ip -s -s xfrm policy count | awk '
	    /SPD IPv4 thresholds/ { v4 = $5 " " $7 }
	    /SPD IPv6 thresholds/ { v6 = $5 " " $7 }
	    END { print v4 " " v6 }'
}

check "the namespace starts with the kernel's /32 and /128" test \
    "$(thresholds)" = "32 32 128 128"
e2e_conf sun 127.0.0.2 127.0.0.1
e2e_start sun
check "without the keys charond leaves them" test \
    "$(thresholds)" = "32 32 128 128"
check "and says nothing of them" sh -c \
    "! grep -q 'SPD hash thresholds' '$W/sun.log'"
e2e_stop sun

sed -i 's|^daemon:$|daemon:\n  spd_hash_ipv4: 24|' "$W/sun.yaml"
e2e_start sun
check "spd_hash_ipv4: 24 sets IPv4's to /24 and /24" test \
    "$(thresholds)" = "24 24 128 128"
expect_in "$W/sun.log" \
    "SPD hash thresholds: IPv4 /24, IPv6 as it is (policies whose prefixes are at least that long are hashed)" \
    "one line says so"

sed -i 's|^  spd_hash_ipv4: 24$|  spd_hash_ipv4: 24\n  spd_hash_ipv6: 64|' \
    "$W/sun.yaml"
ctl sun --json load
expect_rc 0 "a reload adding spd_hash_ipv6: 64"
check "IPv6's become /64, IPv4's stay" test "$(thresholds)" = "24 24 64 64"
check "restart_required stays empty" test \
    "$(jget 'd["restart_required"]' <"$W/out")" = "[]"
ctl sun --json load
expect_rc 0 "a reload changing nothing"
check "sets nothing again (one line for IPv6's change in all)" test \
    "$(grep -c 'SPD hash thresholds: IPv4 /24, IPv6 /64' "$W/sun.log")" = 1

sed 's|spd_hash_ipv4: 24|spd_hash_ipv4: 33|' "$W/sun.yaml" >"$W/bad.yaml"
rc=0
"$CHAROND" -c "$W/bad.yaml" --check-config >"$W/out" 2>&1 || rc=$?
expect_rc 2 "spd_hash_ipv4: 33 is refused"
expect_in "$W/out" "bad.yaml:2:18: error: bad value '33' for 'spd_hash_ipv4': expected 0 to 32" \
    "with FILE:LINE:COL"
sed 's|spd_hash_ipv6: 64|spd_hash_ipv6: 129|' "$W/sun.yaml" >"$W/bad.yaml"
rc=0
"$CHAROND" -c "$W/bad.yaml" --check-config >"$W/out" 2>&1 || rc=$?
expect_rc 2 "spd_hash_ipv6: 129 is refused"
e2e_stop sun
