#!/bin/sh
# SPDX-License-Identifier: ISC
#
# strongSwan against strongSwan through the guest kernel's ESP: the
# baseline that scenarios with our daemon in one of the roles are measured
# against, and the proof that test/vm/strongswan.sh gives a working peer.
#
# Two hosts, moon (192.0.2.1, 2001:db8::1) and sun (192.0.2.2,
# 2001:db8::2), each with a subnet on a dummy interface (moon 10.1.0.1/16
# and 2001:db8:1::1/48, sun 10.2.0.1/16 and 2001:db8:2::1/48). One charon
# on each, PSK authentication; moon initiates. Then, on both hosts:
#   - the kernel holds exactly two ESP SAs, with the negotiated algorithm
#     and mode, and one host's outbound SPI is the other's inbound one
#     (and the one swanctl reports);
#   - the policies carry the CHILD SA's traffic selectors;
#   - pings between the protected addresses pass and both SAs count them;
#   - swanctl --terminate on moon leaves no SA and no policy on either.
#
# The case, the scenario's argument (default tunnel4):
#   tunnel4    tunnel 10.1.0.0/16 <-> 10.2.0.0/16 over IPv4,
#              aes128gcm16-prfsha256-ecp256, ESP aes128gcm16
#   transport4 transport mode between 192.0.2.1 and 192.0.2.2,
#              aes256-sha256-modp3072, ESP aes256-sha256
#   tunnel6    tunnel over IPv6 carrying 10.1.0.0/16 <-> 10.2.0.0/16 and
#              2001:db8:1::/48 <-> 2001:db8:2::/48 in one CHILD SA,
#              aes256gcm16-prfsha384-ecp384, ESP aes256gcm16
# strongswan-transport.sh and strongswan-ipv6.sh run the other two cases.
#
# Run: test/vm/run.sh test/vm/scenarios/strongswan-baseline.sh [CASE]
set -eu
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/../lib.sh"
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/../strongswan.sh"
vm_require_guest

# Seconds between two readings of /proc/uptime, for the timings printed.
elapsed() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'
}
read -r t0 _ </proc/uptime
c=${1:-tunnel4}

# Per case: outer addresses, proposals, mode, moon's and sun's traffic
# selectors (empty: transport between the hosts), the kernel's name of
# the ESP algorithms, and the pings (moon's source, sun's address).
case $c in
tunnel4)
	m=192.0.2.1 s=192.0.2.2
	ike=aes128gcm16-prfsha256-ecp256 esp=aes128gcm16
	mode=tunnel ts_m=10.1.0.0/16 ts_s=10.2.0.0/16
	algs='rfc4106(gcm(aes))'
	pings='10.1.0.1>10.2.0.1'
	;;
transport4)
	m=192.0.2.1 s=192.0.2.2
	ike=aes256-sha256-modp3072 esp=aes256-sha256
	mode=transport ts_m='' ts_s=''
	algs='hmac(sha256)+cbc(aes)'
	pings='192.0.2.1>192.0.2.2'
	;;
tunnel6)
	m=2001:db8::1 s=2001:db8::2
	ike=aes256gcm16-prfsha384-ecp384 esp=aes256gcm16
	mode=tunnel ts_m=10.1.0.0/16,2001:db8:1::/48
	ts_s=10.2.0.0/16,2001:db8:2::/48
	algs='rfc4106(gcm(aes))'
	pings='10.1.0.1>10.2.0.1 2001:db8:1::1>2001:db8:2::1'
	;;
*)
	fail "unknown case '$c' (tunnel4, transport4, tunnel6)"
	;;
esac
echo "--- case $c: $mode, $ike, ESP $esp, $m <-> $s"

vm_host moon sun
vm_link moon eth0 192.0.2.1/24,2001:db8::1/64 sun eth0 192.0.2.2/24,2001:db8::2/64
vm_dummy moon dummy0 10.1.0.1/16,2001:db8:1::1/48
vm_dummy sun dummy0 10.2.0.1/16,2001:db8:2::1/48
# The daemons install no routes (as our daemon will not): each host
# routes the other's subnets out of eth0 itself, where the policies pick
# the packets up. In transport mode the link's own route does.
if [ "$mode" = tunnel ]; then
	ip -n moon route add 10.2.0.0/16 dev eth0
	ip -n moon -6 route add 2001:db8:2::/48 dev eth0
	ip -n sun route add 10.1.0.0/16 dev eth0
	ip -n sun -6 route add 2001:db8:1::/48 dev eth0
fi

# Side by side: each start takes seconds under TCG.
sw_start moon -n
sw_start sun -n
sw_wait_ready moon sun
read -r t1 _ </proc/uptime
echo "--- daemons up after $(elapsed "$t0" "$t1")s"
sw_psk moon local="$m" remote="$s" local_id=moon.example.org \
    remote_id=sun.example.org ike="$ike" esp="$esp" mode="$mode" \
    local_ts="${ts_m:-dynamic}" remote_ts="${ts_s:-dynamic}"
sw_psk sun local="$s" remote="$m" local_id=sun.example.org \
    remote_id=moon.example.org ike="$ike" esp="$esp" mode="$mode" \
    local_ts="${ts_s:-dynamic}" remote_ts="${ts_m:-dynamic}"
sw_load moon
sw_load sun

assert_ok "moon initiates gw/net to sun" sw_initiate moon net gw
read -r t2 _ </proc/uptime
echo "--- CHILD SA up after $(elapsed "$t1" "$t2")s"
assert_ok "sun lists the CHILD SA as installed" sw_wait sun INSTALLED 5

# --- the kernel's SAs ---------------------------------------------------
# vm_xfrm_states: SRC DST PROTO SPI MODE ALGS PACKETS FAILED ENCAP
st_m=$(vm_xfrm_states moon)
st_s=$(vm_xfrm_states sun)
for h in moon sun; do
	if [ $h = moon ]; then st=$st_m; else st=$st_s; fi
	printf '%s\n' "$st" | sed "s/^/  $h: /"
	n=$(printf '%s\n' "$st" | awk -v a="$algs" -v mo="$mode" \
	    '$3 == "esp" && $6 == a && $5 == mo' | wc -l)
	if [ "$(printf '%s\n' "$st" | grep -c .)" != 2 ] || [ "$n" != 2 ]; then
		fail "$h: not exactly two ESP SAs with $algs in $mode mode"
	fi
	pass "$h: exactly two ESP SAs, $algs, $mode mode"
done

# spi STATES SRC DST: the SPI of the SA from SRC to DST.
spi() {
	printf '%s\n' "$1" | awk -v s="$2" -v d="$3" \
	    '$1 == s && $2 == d { print $4 }'
}
out_m=$(spi "$st_m" "$m" "$s") in_m=$(spi "$st_m" "$s" "$m")
in_s=$(spi "$st_s" "$m" "$s") out_s=$(spi "$st_s" "$s" "$m")
if [ -z "$out_m" ] || [ "$out_m" != "$in_s" ]; then
	fail "moon's outbound SPI '$out_m' is not sun's inbound '$in_s'"
fi
pass "moon's outbound SPI is sun's inbound ($out_m)"
if [ -z "$out_s" ] || [ "$out_s" != "$in_m" ]; then
	fail "sun's outbound SPI '$out_s' is not moon's inbound '$in_m'"
fi
pass "sun's outbound SPI is moon's inbound ($out_s)"
[ "$out_m" != "$out_s" ] || fail "both directions use SPI $out_m"
spis=$(sw_spis moon net) || fail "swanctl shows no CHILD SA on moon"
[ "$spis" = "${in_m#0x} ${out_m#0x}" ] ||
    fail "swanctl's SPIs on moon ($spis) are not the kernel's"
pass "swanctl's SPIs on moon are the kernel's ($spis)"

# --- the kernel's policies ----------------------------------------------
# vm_xfrm_policies: SRC DST DIR [TMPL_SRC TMPL_DST PROTO MODE]
pol_m=$(vm_xfrm_policies moon)
pol_s=$(vm_xfrm_policies sun)
printf '%s\n' "$pol_m" | sed 's/^/  moon: /'
printf '%s\n' "$pol_s" | sed 's/^/  sun: /'
# has_policy POLICIES SRC DST DIR WHAT: a policy SRC -> DST in DIR whose
# template is ESP in the case's mode.
has_policy() {
	printf '%s\n' "$1" | awk -v s="$2" -v d="$3" -v dir="$4" \
	    -v mo="$mode" '$1 == s && $2 == d && $3 == dir &&
	        $6 == "esp" && $7 == mo { ok = 1 } END { exit !ok }' ||
	    fail "$5: no $4 policy $2 -> $3 (ESP, $mode)"
	pass "$5: $4 policy $2 -> $3"
}
# cidr ADDR: the host's own address as a selector.
cidr() {
	case $1 in
	*/*) echo "$1" ;;
	*:*) echo "$1/128" ;;
	*) echo "$1/32" ;;
	esac
}
tm=${ts_m:-$(cidr "$m")} ts=${ts_s:-$(cidr "$s")}
for a in $(echo "$tm" | tr , ' '); do
	for b in $(echo "$ts" | tr , ' '); do
		# Only selectors of one family make a policy.
		case $a$b in *:*.* | *.*:*) continue ;; esac
		has_policy "$pol_m" "$a" "$b" out moon
		has_policy "$pol_m" "$b" "$a" in moon
		has_policy "$pol_s" "$b" "$a" out sun
		has_policy "$pol_s" "$a" "$b" in sun
		if [ "$mode" = tunnel ]; then
			has_policy "$pol_m" "$b" "$a" fwd moon
			has_policy "$pol_s" "$a" "$b" fwd sun
		fi
	done
done

# --- traffic ------------------------------------------------------------
for p in $pings; do
	assert_ok "moon pings ${p#*>} from ${p%>*} through the SA" \
	    vm_in moon ping -c 3 -i 0.2 -W 2 -I "${p%>*}" "${p#*>}"
done
n=$(($(echo "$pings" | wc -w) * 3))
# packets STATES SRC DST: PACKETS of the SA from SRC to DST, then FAILED.
packets() {
	printf '%s\n' "$1" | awk -v s="$2" -v d="$3" \
	    '$1 == s && $2 == d { print $7, $8 }'
}
st_m2=$(vm_xfrm_states moon)
st_s2=$(vm_xfrm_states sun)
for sa in "moon $m $s" "moon $s $m" "sun $m $s" "sun $s $m"; do
	# shellcheck disable=SC2086 # "HOST SRC DST"
	set -- $sa
	if [ "$1" = moon ]; then a=$st_m b=$st_m2; else a=$st_s b=$st_s2; fi
	# shellcheck disable=SC2046 # "PACKETS FAILED" before and after
	set -- "$@" $(packets "$a" "$2" "$3") $(packets "$b" "$2" "$3")
	assert_ge "$1: SA $2 -> $3 counted the pings ($4 before)" \
	    "$(($6 - $4))" "$n"
	[ "$7" = 0 ] || fail "$1: SA $2 -> $3 had $7 integrity failures"
done

# --- teardown -----------------------------------------------------------
assert_ok "moon terminates gw" sw_terminate moon gw
# sun deletes its SAs when moon's DELETE arrives, which swanctl on moon
# has waited for; still, allow sun's kernel a moment.
i=0
while [ -n "$(vm_xfrm_states sun)$(vm_xfrm_policies sun)" ] &&
    [ $i -lt 25 ]; do
	sleep 0.2
	i=$((i + 1))
done
for h in moon sun; do
	st=$(vm_xfrm_states $h)
	pol=$(vm_xfrm_policies $h)
	[ -z "$st$pol" ] || {
		printf '%s\n' "$st" "$pol" | sed "s/^/  $h: /"
		fail "$h: SAs or policies left after the termination"
	}
	pass "$h: no SA and no policy left"
	assert_not_contains "$(sw_list_sas $h)" ESTABLISHED "$h: no IKE SA left"
done

read -r t3 _ </proc/uptime
echo "--- scenario took $(elapsed "$t0" "$t3")s (guest clock)"
echo "PASS: strongswan-baseline $c"
