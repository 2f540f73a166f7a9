# shellcheck shell=sh
# SPDX-License-Identifier: ISC
#
# Helpers for test/vm scenarios, sourced (POSIX sh) by scripts that
# test/vm/run.sh runs as root inside the VM:
#
#   . "${0%/*}/../lib.sh"
#   vm_require_guest
#   vm_host moon sun
#   vm_link moon eth0 192.0.2.1/24,2001:db8::1/64 sun eth0 192.0.2.2/24
#   out=$(vm_in moon ping -c 1 192.0.2.2) || fail "ping"
#   assert_contains "$out" "1 received" "moon pings sun"
#
# A test host is a network namespace of that name, so `ip -n moon ...` and
# `ip netns exec moon ...` work too. Sourcing installs an EXIT trap that
# deletes the hosts (vm_cleanup); a scenario that needs its own EXIT trap
# calls vm_cleanup from it. fail exits the script: call it (and the
# assert_* helpers) from the scenario's shell, not from inside $(...).
#
# Addresses: only documentation ranges (192.0.2.0/24, 198.51.100.0/24,
# 203.0.113.0/24, 2001:db8::/32) and 10.0.0.0/8, all inside the guest.

VM_HOSTS=

# Prints one PASS line.
pass() {
	echo "PASS: $*"
}

# Prints one FAIL line and ends the scenario with status 1.
fail() {
	echo "FAIL: $*"
	exit 1
}

# Refuses to run outside the VM, where the host's kernel lacks ESP and
# namespaces like "moon" would be created on the developer's machine.
vm_require_guest() {
	[ "${VM:-}" = 1 ] && return 0
	echo "$0: run me inside the VM: test/vm/run.sh $0" >&2
	exit 2
}

# vm_host NAME...: one network namespace per NAME, with loopback up.
vm_host() {
	for vm_h in "$@"; do
		ip netns add "$vm_h" || fail "cannot create host $vm_h"
		VM_HOSTS="$VM_HOSTS $vm_h"
		ip -n "$vm_h" link set lo up || fail "no loopback on $vm_h"
	done
}

# vm_forward HOST: make HOST a router (IPv4 and IPv6 forwarding).
vm_forward() {
	vm_in "$1" sysctl -q -w net.ipv4.ip_forward=1 \
	    net.ipv6.conf.all.forwarding=1 >/dev/null ||
	    fail "cannot enable forwarding on $1"
}

# vm_in HOST CMD [ARGS...]: run CMD in HOST's network namespace.
vm_in() {
	vm_h=$1
	shift
	ip netns exec "$vm_h" "$@"
}

# vm_addr HOST IFACE ADDR[,ADDR...]: add addresses (CIDR) to IFACE.
# IPv6 addresses skip duplicate address detection, which would leave them
# unusable ("tentative") for about a second.
vm_addr() {
	vm_h=$1 vm_if=$2
	vm_old_ifs=$IFS
	IFS=,
	# shellcheck disable=SC2086 # split on commas on purpose
	set -- $3
	IFS=$vm_old_ifs
	for vm_a in "$@"; do
		case $vm_a in
		*:*) ip -n "$vm_h" -6 addr add "$vm_a" dev "$vm_if" nodad ;;
		*) ip -n "$vm_h" addr add "$vm_a" dev "$vm_if" ;;
		esac || fail "cannot add $vm_a to $vm_h/$vm_if"
	done
}

# vm_link HOST_A IF_A ADDRS_A HOST_B IF_B ADDRS_B: join two hosts with a
# veth pair named IF_A in HOST_A and IF_B in HOST_B, give each end its
# comma-separated addresses ("" for none) and bring both up.
vm_link() {
	# Created straight in the target namespaces: the same name (eth0)
	# can then be used on every host.
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4" ||
	    fail "cannot link $1/$2 to $4/$5"
	[ -z "$3" ] || vm_addr "$1" "$2" "$3"
	[ -z "$6" ] || vm_addr "$4" "$5" "$6"
	ip -n "$1" link set "$2" up || fail "cannot bring up $1/$2"
	ip -n "$4" link set "$5" up || fail "cannot bring up $4/$5"
}

# vm_dummy HOST IFACE ADDRS: a dummy interface IFACE on HOST, up, with its
# comma-separated addresses: the "subnet behind a gateway" of a tunnel mode
# test, an address to send from with ping -I without another host.
vm_dummy() {
	ip -n "$1" link add "$2" type dummy || fail "cannot add $1/$2"
	vm_addr "$1" "$2" "$3"
	ip -n "$1" link set "$2" up || fail "cannot bring up $1/$2"
}

# vm_xfrm_states HOST: one line per SA in HOST's kernel (ip -s xfrm state):
#   SRC DST PROTO SPI MODE ALGS PACKETS FAILED ENCAP
# SPI as ip prints it (0x...), ALGS the kernel's algorithm names joined
# by "+" (rfc4106(gcm(aes)), cbc(aes)+hmac(sha256)), PACKETS the SA's
# packet counter, FAILED its integrity failures, ENCAP "-" or the UDP
# encapsulation as TYPE:SPORT:DPORT (espinudp:4500:4500). Empty without SAs.
vm_xfrm_states() {
	# shellcheck disable=SC2016 # awk's $n, not the shell's
	ip -n "$1" -s xfrm state | awk '
	function flush() { if (src != "") print src, dst, proto, spi, mode,
	    (algs == "" ? "-" : algs), pkts, failed, encap }
	$1 == "src" { flush(); src = $2; dst = $4; proto = spi = mode = "-"
	    algs = ""; pkts = failed = 0; encap = "-" }
	$1 == "proto" { proto = $2; spi = $4; sub(/\(.*/, "", spi)
	    for (i = 1; i < NF; i++) if ($i == "mode") mode = $(i + 1) }
	$1 == "aead" || $1 == "enc" || $1 == "auth" || $1 == "auth-trunc" ||
	    $1 == "comp" { algs = algs (algs == "" ? "" : "+") $2 }
	$1 == "encap" { encap = $3 ":" $5 ":" $7 }
	# "lifetime current:" is followed by "N(bytes), M(packets)"; the
	# limits above it say "(INF)(packets)".
	$2 ~ /^[0-9]+\(packets\)$/ { pkts = $2; sub(/\(.*/, "", pkts) }
	$1 == "replay-window" && $3 == "replay" { failed = $6 }
	END { flush() }'
}

# vm_xfrm_policies HOST: one line per policy in HOST's SPD:
#   SRC DST DIR [TMPL_SRC TMPL_DST PROTO MODE]...
# (selectors as CIDR; a template's fields for each template it has).
# Per-socket policies ("socket in", which IKE daemons set on their UDP
# sockets to bypass IPsec) are left out: they come and go with the
# daemon, not with the SAs.
vm_xfrm_policies() {
	# shellcheck disable=SC2016 # awk's $n, not the shell's
	ip -n "$1" xfrm policy | awk '
	function flush() { if (src != "" && dir != "") print src, dst, dir tmpl }
	$1 == "src" { flush(); src = $2; dst = $4; dir = ""; tmpl = "" }
	$1 == "dir" { dir = $2 }
	$1 == "tmpl" { tsrc = $3; tdst = $5 }
	$1 == "proto" && tsrc != "" { m = "-"
	    for (i = 1; i < NF; i++) if ($i == "mode") m = $(i + 1)
	    tmpl = tmpl " " tsrc " " tdst " " $2 " " m; tsrc = "" }
	END { flush() }'
}

# assert_contains TEXT NEEDLE WHAT: PASS if TEXT contains NEEDLE.
assert_contains() {
	case $1 in
	*"$2"*) pass "$3" ;;
	*)
		printf '%s\n' "$1" | sed 's/^/  | /'
		fail "$3 (no \"$2\" in the output above)"
		;;
	esac
}

# assert_not_contains TEXT NEEDLE WHAT: PASS if TEXT lacks NEEDLE.
assert_not_contains() {
	case $1 in
	*"$2"*)
		printf '%s\n' "$1" | sed 's/^/  | /'
		fail "$3 (\"$2\" in the output above)"
		;;
	*) pass "$3" ;;
	esac
}

# assert_ok WHAT CMD [ARGS...]: PASS if CMD succeeds; its output is shown
# only when it fails.
assert_ok() {
	vm_what=$1
	shift
	if vm_out=$("$@" 2>&1); then
		pass "$vm_what"
	else
		printf '%s\n' "$vm_out" | sed 's/^/  | /'
		fail "$vm_what (failed: $*)"
	fi
}

# assert_fails WHAT CMD [ARGS...]: PASS if CMD fails.
assert_fails() {
	vm_what=$1
	shift
	if vm_out=$("$@" 2>&1); then
		printf '%s\n' "$vm_out" | sed 's/^/  | /'
		fail "$vm_what (succeeded: $*)"
	else
		pass "$vm_what"
	fi
}

# assert_ge WHAT ACTUAL MIN: PASS if the integer ACTUAL >= MIN.
# assert_eq WHAT GOT WANT
assert_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
	pass "$1"
}

assert_ge() {
	case $2 in
	'' | *[!0-9]*) fail "$1 (not a number: '$2')" ;;
	esac
	[ "$2" -ge "$3" ] || fail "$1 ($2 < $3)"
	pass "$1 ($2)"
}

# vm_cleanup: kill what runs in the hosts and delete them.
vm_cleanup() {
	for vm_h in $VM_HOSTS; do
		for vm_p in $(ip netns pids "$vm_h" 2>/dev/null); do
			kill "$vm_p" 2>/dev/null || :
		done
		ip netns del "$vm_h" 2>/dev/null || :
	done
	VM_HOSTS=
}

trap vm_cleanup EXIT
