#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Smoke test of the VM harness and the guest kernel's ESP. Two hosts, moon
# and sun, share one link; hand-made transport mode SAs and policies
# protect the traffic between them, one suite at a time:
#   AES-GCM-16 (rfc4106) over IPv4, AES-CBC + HMAC-SHA-256 over IPv4,
#   AES-GCM-16 over IPv6.
# Each round pings moon to sun, then checks that both SAs counted the
# packets on both hosts and that sun's nftables saw ESP on the wire. A last
# round proves the policies really hold traffic: with the SAs flushed the
# ping fails, and sun drops clear packets when moon stops protecting them.
#
# Run: test/vm/run.sh test/vm/scenarios/xfrm-esp-smoke.sh
set -eu
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/../lib.sh"
vm_require_guest

M4=192.0.2.1 S4=192.0.2.2
M6=2001:db8::1 S6=2001:db8::2

# Test keys, not secrets. GCM: 128-bit key then the 32-bit salt.
GCM_KEY=0x0123456789abcdef0123456789abcdef01234567
AES_KEY=0x00112233445566778899aabbccddeeff
HMAC_KEY=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

vm_host moon sun
vm_link moon eth0 "$M4/24,$M6/64" sun eth0 "$S4/24,$S6/64"

# Static IPv6 neighbours: the host-to-host policies below would otherwise
# also catch sun's Neighbour Advertisements to moon, so neighbour discovery
# would depend on the SAs and fail in the no-SA round for the wrong reason.
mac() { ip -n "$1" -br link show eth0 | awk '{ print $3 }'; }
ip -n moon neigh replace "$S6" lladdr "$(mac sun)" dev eth0 nud permanent
ip -n sun neigh replace "$M6" lladdr "$(mac moon)" dev eth0 nud permanent

assert_ok "moon pings sun in clear over IPv4" \
    vm_in moon ping -c 1 -W 2 "$S4"
assert_ok "moon pings sun in clear over IPv6" \
    vm_in moon ping -c 1 -W 2 "$S6"

# sun counts the ESP packets it receives, to show they were on the wire.
vm_in sun nft -f - <<'EOF' || fail "cannot load sun's nftables counter"
table inet smoke {
	counter esp_in { }
	chain input {
		type filter hook input priority 0; policy accept;
		meta l4proto esp counter name esp_in
	}
}
EOF
esp_seen() {
	vm_in sun nft list counter inet smoke esp_in |
	    sed -n 's/.*packets \([0-9][0-9]*\).*/\1/p'
}

# policy HOST SRC DST DIR: traffic SRC -> DST must use ESP in transport mode.
policy() {
	ip -n "$1" xfrm policy add src "$2" dst "$3" dir "$4" \
	    tmpl src "$2" dst "$3" proto esp mode transport ||
	    fail "cannot add policy $2 -> $3 $4 on $1"
}
for pair in "$M4 $S4" "$M6 $S6"; do
	# shellcheck disable=SC2086 # "MOON SUN"
	set -- $pair
	policy moon "$1" "$2" out
	policy moon "$2" "$1" in
	policy sun "$2" "$1" out
	policy sun "$1" "$2" in
done

# sa SUITE SRC DST SPI: the same SA on both hosts (outbound on one,
# inbound on the other).
sa() {
	for h in moon sun; do
		case $1 in
		gcm)
			ip -n "$h" xfrm state add src "$2" dst "$3" proto esp \
			    spi "$4" mode transport \
			    aead 'rfc4106(gcm(aes))' "$GCM_KEY" 128
			;;
		cbc)
			ip -n "$h" xfrm state add src "$2" dst "$3" proto esp \
			    spi "$4" mode transport \
			    enc 'cbc(aes)' "$AES_KEY" \
			    auth-trunc 'hmac(sha256)' "$HMAC_KEY" 128
			;;
		esac || fail "cannot add $1 SA $4 ($2 -> $3) on $h"
	done
}

# sa_stat HOST SRC DST SPI: "PACKETS FAILED" of one SA, from the
# "N(packets)" line of its current lifetime and its integrity failures.
sa_stat() {
	ip -n "$1" -s xfrm state get src "$2" dst "$3" proto esp spi "$4" |
	    sed -n 's/.* \([0-9][0-9]*\)(packets).*/\1/p
	            s/.* failed \([0-9][0-9]*\).*/\1/p'
}

# check_sa HOST SRC DST SPI: the SA carried the round's pings, cleanly.
check_sa() {
	# shellcheck disable=SC2046 # two numbers
	set -- "$1" "$4" $(sa_stat "$1" "$2" "$3" "$4")
	assert_ge "$r_name: $1's SA $2 counted the pings" "${3:-}" 3
	[ "${4:-}" = 0 ] ||
	    fail "$r_name: $1's SA $2 had '${4:-}' integrity failures"
}

# round NAME SUITE MOON SUN SPI_TO_SUN SPI_TO_MOON
round() {
	r_name=$1 r_m=$3 r_s=$4
	echo "--- $r_name"
	sa "$2" "$r_m" "$r_s" "$5"
	sa "$2" "$r_s" "$r_m" "$6"
	before=$(esp_seen)
	assert_ok "$r_name: moon pings sun through ESP" \
	    vm_in moon ping -c 3 -i 0.2 -W 2 "$r_s"
	for h in moon sun; do
		check_sa "$h" "$r_m" "$r_s" "$5"
		check_sa "$h" "$r_s" "$r_m" "$6"
	done
	assert_ge "$r_name: ESP packets on the wire to sun" \
	    "$(($(esp_seen) - before))" 3
	ip -n moon xfrm state flush
	ip -n sun xfrm state flush
}

round "AES-GCM-16 over IPv4" gcm "$M4" "$S4" 0x1001 0x1002
round "AES-CBC/HMAC-SHA-256 over IPv4" cbc "$M4" "$S4" 0x2001 0x2002
round "AES-GCM-16 over IPv6" gcm "$M6" "$S6" 0x3001 0x3002

echo "--- no SAs, policies still there"
xfrm_stat() {
	# shellcheck disable=SC2016 # awk's $1, not the shell's
	vm_in "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/xfrm_stat
}
assert_fails "moon cannot ping sun over IPv4 without SAs" \
    vm_in moon ping -c 1 -W 1 "$S4"
assert_fails "moon cannot ping sun over IPv6 without SAs" \
    vm_in moon ping -c 1 -W 1 "$S6"
assert_ge "moon's kernel found no SA for its policy (XfrmOutNoStates)" \
    "$(xfrm_stat moon XfrmOutNoStates)" 2

echo "--- moon stops protecting, sun still requires ESP"
ip -n moon xfrm policy delete src "$M4" dst "$S4" dir out
assert_fails "sun drops moon's clear IPv4 packets" \
    vm_in moon ping -c 1 -W 1 "$S4"
assert_ge "sun's kernel refused them by policy (XfrmInTmplMismatch)" \
    "$(xfrm_stat sun XfrmInTmplMismatch)" 1

echo "PASS: xfrm-esp-smoke"
