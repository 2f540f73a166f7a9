#!/bin/sh
# SPDX-License-Identifier: ISC
#
# IKEv1 charond to charond in the kernel: moon (192.0.2.1, LAN
# 10.1.0.0/16) brings up a PSK tunnel with PFS to sun (192.0.2.2, LAN
# 10.2.0.0/16), Main Mode and Quick Mode. Both kernels hold the pair and a
# ping goes through it; each side rekeys the pair, then each side
# replaces the ISAKMP SA (its pairs renewed under the new one), a ping
# after each; then sun dies and moon's DPD (R-U-THERE) clears everything
# from moon's kernel.
#
# Run: test/vm/run.sh test/vm/scenarios/ikev1-charond-charond.sh
set -eu
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/../lib.sh"
# shellcheck source=/dev/null
. "${0%/*}/../charond.sh"
vm_require_guest
trap 'vm_cleanup' EXIT

vm_host moon sun
vm_link moon eth0 192.0.2.1/24 sun eth0 192.0.2.2/24
vm_dummy moon lan 10.1.0.1/16
vm_dummy sun lan 10.2.0.1/16
ip -n moon route add 10.2.0.0/16 via 192.0.2.2
ip -n sun route add 10.1.0.0/16 via 192.0.2.1

psk="ikev1 charond to charond"
CD_VERSION=1 cd_conf /tmp/moon.yaml 192.0.2.1 192.0.2.2 \
    aes128-sha256-modp2048 aes128-sha256-modp2048 tunnel "$psk" start \
    10.1.0.0/16 10.2.0.0/16
# moon watches sun (DPD every 2 s, cleared when it is gone).
sed -i 's|^    proposals: |    dpd: {delay: 2s, action: clear}\n    proposals: |' \
    /tmp/moon.yaml
CD_VERSION=1 cd_conf /tmp/sun.yaml 192.0.2.2 192.0.2.1 \
    aes128-sha256-modp2048 aes128-sha256-modp2048 tunnel "$psk" none \
    10.2.0.0/16 10.1.0.0/16
cd_start sun /tmp/sun.yaml
sleep 0.5
cd_start moon /tmp/moon.yaml

ctl() {
	h=$1
	shift
	"$CHAROND_BUILD/bin/charonctl" -S "$CD_DIR/$h/ctl.sock" "$@"
}
# "IKE CHILD OUT IN" of HOST's installed pair (SPIs as ip shows them).
pair() {
	ctl "$1" --json list-sas | python3 -c 'import json, sys
for s in json.load(sys.stdin)["ike_sas"]:
    for c in s["children"]:
        if c["state"] == "INSTALLED":
            print(s["id"], c["id"], "0x" + c["spi_out"], "0x" + c["spi_in"])
            sys.exit(0)'
}
# The installed pairs of moon and sun are one pair, in both kernels.
check_pair() {
	what=$1
	# shellcheck disable=SC2046 # four words wanted
	set -- $(pair moon)
	mo=${3:-none} mi=${4:-none}
	# shellcheck disable=SC2046
	set -- $(pair sun)
	if [ "${3:-x}" != "$mi" ] || [ "${4:-x}" != "$mo" ]; then
		cd_log moon
		cd_log sun
		fail "$what: the installed pairs differ (moon $mo/$mi, sun ${3:-}/${4:-})"
	fi
	for h in moon sun; do
		for spi in "$mo" "$mi"; do
			ip -n $h xfrm state | grep -q "spi $spi " ||
			    fail "$what: SPI $spi is not in $h's kernel"
		done
	done
	pass "$what: the pair ($mo, $mi) is installed on both, in both kernels"
}
ping_lans() {
	assert_ok "$1: ping through ESP" \
	    vm_in moon ping -c 2 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1
}
# wait_new HOST OLD_OUT: until HOST's installed pair is another.
wait_new() {
	i=0
	while [ "$(pair "$1" | cut -d' ' -f3)" = "$2" ]; do
		[ $i -lt 50 ] || { cd_log moon; cd_log sun; fail "no new pair on $1"; }
		sleep 0.2
		i=$((i + 1))
	done
}

if ! cd_wait_states moon 2 || ! cd_wait_states sun 2; then
	cd_log moon
	cd_log sun
	fail "the IKEv1 tunnel did not come up"
fi
check_pair "up"
grep -q "Quick Mode done: CHILD SA 'net' (tunnel mode, lifetime .*PFS)" \
    "$CD_DIR/sun/log" || { cd_log sun; fail "sun did not install with PFS"; }
pass "sun answered Quick Mode with PFS"
ping_lans "up"

for who in sun moon; do
	old=$(pair moon | cut -d' ' -f3)
	# shellcheck disable=SC2046
	set -- $(pair $who)
	assert_ok "$who rekeys the pair" ctl $who rekey --ike-id "$1" \
	    --child-id "$2"
	wait_new moon "$old"
	check_pair "$who's rekey"
	ping_lans "$who's rekey"
done

for who in moon sun; do
	old=$(pair moon | cut -d' ' -f3)
	# shellcheck disable=SC2046
	set -- $(pair $who)
	assert_ok "$who replaces the ISAKMP SA" ctl $who rekey --ike-id "$1"
	wait_new moon "$old"
	sleep 1
	check_pair "$who's new ISAKMP SA"
	ping_lans "$who's new ISAKMP SA"
	n=$(ctl moon --json list-sas | python3 -c 'import json, sys
d = json.load(sys.stdin)["ike_sas"]
print(sum(1 for s in d if any(c["state"] == "INSTALLED" for c in s["children"])))')
	[ "$n" = 1 ] || fail "$who's new ISAKMP SA: $n SAs on moon hold installed pairs"
	pass "$who's new ISAKMP SA: one ISAKMP SA on moon holds the pair"
done

# sun dies without a word: moon's R-U-THERE goes unanswered, and its
# dpd action (clear) empties moon's kernel.
kill -KILL "$(cat "$CD_DIR/sun/pid")"
i=0
while [ "$(ip -n moon xfrm state | grep -c '^src')" != 0 ]; do
	[ $i -lt 300 ] || { cd_log moon; fail "moon still has SAs 30 s after sun died"; }
	sleep 0.1
	i=$((i + 1))
done
grep -q "did not answer R-U-THERE" "$CD_DIR/moon/log" ||
    { cd_log moon; fail "moon did not say sun stopped answering R-U-THERE"; }
pass "sun dead: moon's DPD cleared its SAs ($((i / 10)) s)"
[ -z "$(vm_xfrm_policies moon)" ] || fail "policies left on moon"
pass "no policy left on moon"
cd_stop moon || fail "moon's charond did not exit"
