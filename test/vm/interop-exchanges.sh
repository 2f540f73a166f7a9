#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Every exchange on an established IKE SA, started by each side, with
# charond in each IKE role, against strongSwan 5.9.8: CHILD SA rekey, IKE
# SA rekey, CHILD SA delete (and a new CHILD SA), IKE SA delete. charond
# on moon (192.0.2.1, LAN 10.1/16), strongSwan on sun (192.0.2.2, LAN
# 10.2/16), tunnel aes128gcm16 without PFS.
#
#   interop-exchanges.sh charond|strongswan STEP...
#
# The first argument says who brings the IKE SA up (and so whether charond
# starts as IKE initiator). Each STEP is WHO-WHAT, WHO cd (charond) or sw
# (strongSwan), WHAT one of
#   child      rekey the CHILD SA          ike     rekey the IKE SA (the
#   delchild   delete the CHILD SA                 starter becomes the new
#   newchild   create a CHILD SA                   SA's initiator, 2.18)
#   delike     delete the IKE SA           up      bring a new IKE SA up
#   dpd        (sw only) wait for strongSwan's liveness check (dpd_delay),
#              an empty INFORMATIONAL charond answers
# or a collision (RFC 7296 2.8.1, 2.8.2, 2.25), both sides starting at once
# with 700 ms of delay (netem) each way so that the requests cross:
#   both-child     both rekey the CHILD SA: one pair must be left
#   both-ike       both rekey the IKE SA: one IKE SA must be left
#   both-delchild  both delete the CHILD SA
#   cdrekey-swdel  charond rekeys the CHILD SA strongSwan deletes
# After each step both kernels must hold exactly the SAs expected, the SPIs
# crossed, and a ping from LAN to LAN must pass with the packets counted by
# the SAs in both directions and no integrity failure on either host (RFC
# 7296 2.17: keys from the nonces of the exchange's initiator and
# responder, whichever side started it). Each step prints charond's IKE
# role, so the log shows which case of the matrix it covered.
set -eu
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/lib.sh"
# shellcheck source=/dev/null
. "${0%/*}/charond.sh"
# shellcheck source=/dev/null
. "${0%/*}/strongswan.sh"
vm_require_guest

first=${1:?charond or strongswan}
shift
m=192.0.2.1 s=192.0.2.2
CTL="$CHAROND_BUILD/bin/charonctl"

vm_host moon sun
vm_link moon eth0 192.0.2.1/24 sun eth0 192.0.2.2/24
vm_dummy moon lan 10.1.0.1/16
vm_dummy sun lan 10.2.0.1/16
ip -n moon route add 10.2.0.0/16 via 192.0.2.2
ip -n sun route add 10.1.0.0/16 via 192.0.2.1

psk="exchanges test key"
cd_conf /tmp/moon.yaml "$m" "$s" aes128gcm16-prfsha256-ecp256 aes128gcm16 \
    tunnel "$psk" none 10.1.0.0/16 10.2.0.0/16
sw_start sun
sw_psk sun local="$s" remote="$m" ike=aes128gcm16-prfsha256-ecp256 \
    esp=aes128gcm16 local_ts=10.2.0.0/16 remote_ts=10.1.0.0/16 psk="$psk" \
    conn_opt='dpd_delay = 2s'
sw_load sun
cd_start moon /tmp/moon.yaml
i=0
until "$CTL" -S "$CD_DIR/moon/ctl.sock" version >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "charond does not answer"
	sleep 0.1
done

ctl() { "$CTL" -S "$CD_DIR/moon/ctl.sock" "$@"; }
logs() {
	cd_log moon | tail -n 40
	sw_log sun 40
}

# charond's first established IKE SA as "IKE_ID CHILD_ID ROLE" (CHILD_ID 0
# without an installed child; ROLE I or R), or nothing.
cd_sa() {
	ctl --json list-sas | python3 -c 'import json, sys
for sa in json.load(sys.stdin)["ike_sas"]:
    if sa["state"] != "ESTABLISHED":
        continue
    ch = [c["id"] for c in sa["children"] if c["state"] == "INSTALLED"]
    print(sa["id"], ch[0] if ch else 0, "I" if sa["initiator"] else "R")
    break'
}

# settle N [OLD_SPI]: wait (10 s) until both kernels hold N SAs and, with
# OLD_SPI, moon's outbound SA is another one.
settle() {
	i=0
	while :; do
		st_m=$(vm_xfrm_states moon)
		st_s=$(vm_xfrm_states sun)
		out_m=$(echo "$st_m" | awk -v a="$m" '$1 == a { print $4 }')
		if [ "$(echo "$st_m" | grep -c .)" = "$1" ] &&
		    [ "$(echo "$st_s" | grep -c .)" = "$1" ] &&
		    { [ -z "${2:-}" ] || [ "$out_m" != "$2" ]; }; then
			return 0
		fi
		[ $i -lt 100 ] || { logs; fail "$step: kernels did not settle" \
		    "on $1 SAs (moon: $st_m; sun: $st_s)"; }
		sleep 0.1
		i=$((i + 1))
	done
}

# check: one pair of SAs, SPIs crossed, a ping through it counted by the
# SAs of both hosts in both directions, no integrity failures anywhere.
check() {
	out_m=$(echo "$st_m" | awk -v a="$m" '$1 == a { print $4 }')
	in_s=$(echo "$st_s" | awk -v a="$m" '$1 == a { print $4 }')
	in_m=$(echo "$st_m" | awk -v a="$s" '$1 == a { print $4 }')
	out_s=$(echo "$st_s" | awk -v a="$s" '$1 == a { print $4 }')
	if [ -z "$out_m" ] || [ "$out_m" != "$in_s" ] || [ "$in_m" != "$out_s" ]
	then
		logs
		fail "$step: SPIs do not pair up (moon: $st_m; sun: $st_s)"
	fi
	vm_in moon ping -c 2 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1 >/dev/null ||
	    { logs; fail "$step: no ping through the SAs $out_m/$in_m" \
	    "($(vm_xfrm_states moon) | $(vm_xfrm_states sun))"; }
	st_m=$(vm_xfrm_states moon)
	st_s=$(vm_xfrm_states sun)
	pk_s=$(echo "$st_s" | awk -v a="$m" '$1 == a { print $7 }')
	pk_m=$(echo "$st_m" | awk -v a="$s" '$1 == a { print $7 }')
	bad=$(printf '%s\n%s\n' "$st_m" "$st_s" | awk '$8 != 0' | head -n 1)
	[ -z "$bad" ] || { logs; fail "$step: integrity failures: $bad"; }
	if [ "$pk_s" -lt 2 ] || [ "$pk_m" -lt 2 ]; then
		fail "$step: packets in: sun $pk_s, moon $pk_m"
	fi
	# shellcheck disable=SC2046 # split into fields on purpose
	set -- $(cd_sa)
	pass "$step (charond IKE ${3:-?}): ping through $out_m/$in_m," \
	    "packets in $pk_s (sun) $pk_m (moon), no integrity failures"
}

# delay on|off: 700 ms each way on the link (under charond's 2 s
# retransmission timeout), for requests to cross.
delay() {
	for h in moon sun; do
		if [ "$1" = on ]; then
			ip netns exec $h tc qdisc add dev eth0 root netem delay 700ms
		else
			ip netns exec $h tc qdisc del dev eth0 root
		fi
	done
}
# collided TEXT N: did charond log TEXT more than N times? The requests
# cross only if both tools start within the delay, which TCG does not
# always manage: without a collision the step still checks the outcome,
# and says that the collision did not happen.
collided() {
	if [ "$(grep -c "$1" "$CD_DIR/moon/log")" -gt "$2" ]; then
		pass "$step: the requests crossed"
	else
		echo "NOTE: $step: the requests did not cross this time"
	fi
}

# The cases: charond's IKE role before the step is what counts.
for step in "up-$first" "$@"; do
	# shellcheck disable=SC2046 # split into fields on purpose
	set -- $(cd_sa) 0 0 -
	ike=$1 child=$2 role=$3
	echo "--- $step: charond is IKE ${role} (IKE SA #$ike, CHILD SA #$child)"
	step="$step [charond $role before]"
	old=$(vm_xfrm_states moon | awk -v a="$m" '$1 == a { print $4 }')
	case ${step%% *} in
	up-charond | cd-up)
		ctl initiate --child net --timeout 20 >/dev/null ||
		    { logs; fail "$step: charonctl initiate"; }
		settle 2
		;;
	up-strongswan | sw-up)
		sw_initiate sun net gw >/dev/null ||
		    { logs; fail "$step: swanctl --initiate"; }
		settle 2
		;;
	cd-child)
		ctl rekey --ike-id "$ike" --child-id "$child" ||
		    fail "$step: charonctl rekey"
		settle 2 "$old"
		;;
	sw-child)
		sw_rekey_child sun net >/dev/null || fail "$step: swanctl --rekey"
		settle 2 "$old"
		;;
	cd-ike | sw-ike)
		if [ "${step%%-*}" = cd ]; then
			ctl rekey --ike-id "$ike" || fail "$step: charonctl rekey"
		else
			sw_ctl sun --rekey --ike gw >/dev/null ||
			    fail "$step: swanctl --rekey --ike"
		fi
		i=0
		while :; do
			# shellcheck disable=SC2046 # split into fields on purpose
			set -- $(cd_sa) 0
			[ "$1" = "$ike" ] || [ "$1" = 0 ] || break
			[ $i -lt 100 ] || { logs; fail "$step: no new IKE SA"; }
			sleep 0.1
			i=$((i + 1))
		done
		# The old one goes, strongSwan keeps one.
		i=0
		while [ "$(ctl list-sas | grep -c 'ESTABLISHED\|DELETING')" != 1 ]
		do
			[ $i -lt 100 ] || { logs; fail "$step: old IKE SA stays"; }
			sleep 0.1
			i=$((i + 1))
		done
		[ "$(sw_list_sas sun | grep -c ESTABLISHED)" = 1 ] ||
		    { logs; fail "$step: strongSwan has not one IKE SA"; }
		settle 2
		[ "$(vm_xfrm_states moon | awk -v a="$m" '$1 == a { print $4 }')" = "$old" ] ||
		    fail "$step: the CHILD SA changed with the IKE SA rekey"
		;;
	cd-delchild | sw-delchild)
		if [ "${step%%-*}" = cd ]; then
			ctl terminate --ike-id "$ike" --child-id "$child" \
			    --timeout 10 >/dev/null ||
			    fail "$step: charonctl terminate"
		else
			sw_terminate_child sun net >/dev/null ||
			    fail "$step: swanctl --terminate --child"
		fi
		settle 0
		[ -z "$(vm_xfrm_policies moon)" ] ||
		    fail "$step: policies left on moon"
		[ "$(sw_list_sas sun | grep -c ESTABLISHED)" = 1 ] ||
		    fail "$step: the IKE SA did not stay"
		pass "$step: CHILD SA gone from both kernels, IKE SA kept"
		continue
		;;
	cd-newchild)
		ctl initiate --child net --timeout 20 >/dev/null ||
		    { logs; fail "$step: charonctl initiate --child"; }
		settle 2
		;;
	sw-newchild)
		sw_initiate sun net gw >/dev/null ||
		    { logs; fail "$step: swanctl --initiate --child"; }
		settle 2
		;;
	cd-delike | sw-delike)
		if [ "${step%%-*}" = cd ]; then
			ctl terminate --ike-id "$ike" --timeout 10 >/dev/null ||
			    fail "$step: charonctl terminate"
		else
			sw_terminate sun gw >/dev/null ||
			    fail "$step: swanctl --terminate"
		fi
		settle 0
		sw_wait_gone sun ESTABLISHED 5 ||
		    fail "$step: strongSwan kept an IKE SA"
		i=0
		while [ -n "$(cd_sa)" ]; do
			[ $i -lt 50 ] || fail "$step: charond kept an IKE SA"
			sleep 0.1
			i=$((i + 1))
		done
		if [ -n "$(vm_xfrm_policies moon)" ] ||
		    [ -n "$(vm_xfrm_policies sun)" ]; then
			fail "$step: policies left"
		fi
		pass "$step: no IKE SA, no SA, no policy on either host"
		continue
		;;
	sw-dpd)
		n=$(sw_log sun | grep -c "sending DPD request" || true)
		i=0
		while [ "$(sw_log sun | grep -c "sending DPD request")" -le "$n" ]
		do
			[ $i -lt 60 ] || { logs; fail "$step: no DPD from sun"; }
			sleep 0.1
			i=$((i + 1))
		done
		sleep 1
		sw_log sun | grep "DPD\|INFORMATIONAL" | tail -n 4 | sed 's/^/  | /'
		[ "$(sw_list_sas sun | grep -c ESTABLISHED)" = 1 ] ||
		    fail "$step: strongSwan dropped the IKE SA"
		sw_log sun | tail -n 20 | grep -q "retransmit" &&
		    fail "$step: strongSwan retransmits its DPD"
		settle 2
		;;
	both-child)
		n=$(grep -c "rekeys CHILD SA .* as we do" "$CD_DIR/moon/log" || true)
		delay on
		sw_rekey_child sun net >/dev/null &
		ctl rekey --ike-id "$ike" --child-id "$child" ||
		    fail "$step: charonctl rekey"
		wait $! || fail "$step: swanctl --rekey"
		settle 2 "$old"
		delay off
		collided "rekeys CHILD SA .* as we do" "$n"
		grep "simultaneous rekey of CHILD SA" "$CD_DIR/moon/log" |
		    tail -n 1 | sed 's/^/  | /'
		;;
	both-ike)
		n=$(grep -c "rekeys the IKE SA as we do" "$CD_DIR/moon/log" || true)
		delay on
		sw_ctl sun --rekey --ike gw >/dev/null &
		ctl rekey --ike-id "$ike" || fail "$step: charonctl rekey"
		wait $! || fail "$step: swanctl --rekey --ike"
		i=0
		while [ "$(ctl list-sas | grep -c 'ESTABLISHED\|DELETING')" != 1 ] ||
		    [ "$(sw_list_sas sun | grep -c 'ESTABLISHED\|DELETING\|REKEY')" != 1 ] ||
		    [ "$(cd_sa | cut -d' ' -f1)" = "$ike" ]; do
			[ $i -lt 150 ] || { logs; fail "$step: not one new IKE SA"; }
			sleep 0.1
			i=$((i + 1))
		done
		delay off
		collided "rekeys the IKE SA as we do" "$n"
		grep "simultaneous IKE SA rekey" "$CD_DIR/moon/log" |
		    tail -n 1 | sed 's/^/  | /'
		settle 2
		;;
	both-delchild | cdrekey-swdel)
		sw_log=$SW_ROOT/sun/charon.log
		late=$(grep -c 'REKEYED => DELETING' "$sw_log" || true)
		delay on
		if [ "${step%%-*}" = both ]; then
			ctl terminate --ike-id "$ike" --child-id "$child" \
			    --timeout 10 >/dev/null &
		else
			ctl rekey --ike-id "$ike" --child-id "$child" &
		fi
		sw_terminate_child sun net >/dev/null ||
		    fail "$step: swanctl --terminate --child"
		wait $! || fail "$step: charonctl"
		# strongSwan holds its DELETE back while an exchange of its
		# own (a DPD) is out; if our rekey lands first, it deletes the
		# CHILD SA it was told to, now rekeyed, and the new one stays:
		# the requests did not cross. Check that outcome, then clear it.
		if [ "${step%%-*}" = cdrekey ] &&
		    [ "$(grep -c 'REKEYED => DELETING' "$sw_log" || true)" -gt "$late" ]; then
			echo "NOTE: $step: the requests did not cross this time"
			settle 2
			delay off
			check
			# shellcheck disable=SC2046 # split into fields on purpose
			set -- $(cd_sa)
			ctl terminate --ike-id "$ike" --child-id "$2" \
			    --timeout 10 >/dev/null || fail "$step: terminate"
			settle 0
			continue
		fi
		settle 0
		sleep 1 # anything late would show now
		settle 0
		delay off
		[ -z "$(vm_xfrm_policies moon)" ] ||
		    fail "$step: policies left on moon"
		[ "$(sw_list_sas sun | grep -c ESTABLISHED)" = 1 ] ||
		    fail "$step: the IKE SA did not stay"
		# shellcheck disable=SC2046 # split into fields on purpose
		set -- $(cd_sa) 0 0
		[ "$2" = 0 ] || fail "$step: charond still lists CHILD SA #$2"
		pass "$step: no CHILD SA on either side, IKE SA kept"
		continue
		;;
	*) fail "unknown step $step" ;;
	esac
	check
done
cd_stop moon || fail "charond did not exit"
pass "all steps done"
