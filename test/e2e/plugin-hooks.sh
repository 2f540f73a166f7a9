#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The runtime hooks of the plugin ABI in running daemons: moon (127.0.0.1)
# and sun (127.0.0.2) load psk and the test plugin tp_hooks
# (test/plugins/tp_hooks.c), which adds a private-use notify (40999,
# "charond-e2e") to its IKE_SA_INIT and INFORMATIONAL messages and logs
# the peer's (an exchange extension), keeps a counter per IKE SA in its
# slot, arms a timer on IKE_UP that reads the slot and sa_query's
# last_heard and then runs its configured sa_action (an SA listener, a
# per-SA slot, timers, SA actions). Each run is an IKE SA without CHILD
# SAs (`initiate --ike`; no ESP on the host, so the child filter it
# registers never runs):
#   liveness (moon)    the INFORMATIONAL with the notifies both ways, the
#                      SA still up, last_heard advanced by the answer;
#   reinitiate (moon)  a new IKE SA on both ends, the old one gone and
#                      its slot freed; the new SA's timer does nothing;
#   delete (sun)       the SA gone on both ends, its slots freed;
#   a peer without tp_hooks: no notify seen, its notify ignored.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

TP="$E2E_TOP/$E2E_B/test/plugins/tp_hooks.so"
PSK="$E2E_TOP/$E2E_B/plugins/psk.so"
[ -f "$TP" ] || fail "no $TP (make check-e2e builds it)"
[ -f "$PSK" ] || fail "no $PSK"
# One plugin directory with both.
mkdir "$W/plugins"
ln -s "$PSK" "$TP" "$W/plugins/"

# hconf NAME LOCAL REMOTE ACTION [PSK [EXTRA]]: e2e_conf with psk and
# tp_hooks, whose timer runs ACTION 300 ms after IKE_UP; ACTION "-":
# tp_hooks not loaded. EXTRA: more of tp_hooks' keys.
hconf() {
	e2e_conf "$1" "$2" "$3" "${5:-}"
	if [ "$4" = - ]; then
		sed -i "s|^  plugin_dir: .*|  plugin_dir: \"$W/plugins\"\n  plugins: [psk]|" \
		    "$W/$1.yaml"
		return
	fi
	sed -i "s|^  plugin_dir: .*|  plugin_dir: \"$W/plugins\"\n  plugins: [psk, tp_hooks]|" \
	    "$W/$1.yaml"
	printf 'plugins:\n  tp_hooks: {action: %s, delay: 300ms%s}\n' "$4" \
	    "${6:+, $6}" >>"$W/$1.yaml"
}

# wait_log NAME TEXT DESC: TEXT shows up in NAME's log within 5 s.
wait_log() {
	i=0
	while ! grep -qF -- "$2" "$W/$1.log"; do
		i=$((i + 1))
		[ $i -lt 50 ] || fail "$3 ('$2' not in $1.log after 5 s)"
		sleep 0.1
	done
	pass "$3"
}

# no_log NAME TEXT DESC
no_log() {
	! grep -qF -- "$2" "$W/$1.log" || fail "$3 ('$2' in $1.log)"
	pass "$3"
}

# in_order FILE A B DESC: A is logged, and before B.
in_order() {
	a=$(grep -nF -- "$2" "$1" | head -n 1 | cut -d: -f1)
	b=$(grep -nF -- "$3" "$1" | head -n 1 | cut -d: -f1)
	if [ -z "$a" ] || [ -z "$b" ] || [ "$a" -ge "$b" ]; then
		fail "$4 ('$2' not before '$3' in $1)"
	fi
	pass "$4"
}

# ids NAME: the ids of NAME's IKE SAs and their states, e.g. [(2, 'ESTABLISHED')]
ids() {
	ctl "$1" --json list-sas
	[ "$rc" -eq 0 ] || fail "list-sas on $1"
	jget '[(s["id"], s["state"]) for s in d["ike_sas"]]' <"$W/out"
}

# up MOON_ACTION SUN_ACTION: both started, moon's IKE SA up; $id is it,
# $sid sun's.
up() {
	hconf sun 127.0.0.2 127.0.0.1 "$2"
	hconf moon 127.0.0.1 127.0.0.2 "$1"
	e2e_start sun
	e2e_start moon
	ctl moon --json initiate --ike site --timeout 10
	expect_rc 0 "moon ($1) and sun ($2): the IKE SA is up"
	id=$(jget 'd["ike_id"]' <"$W/out")
	# sun's id from its log, not list-sas: the action may have replaced
	# or deleted the SA by the time a list-sas would run.
	if [ "$2" = - ]; then
		ctl sun --json list-sas
		sid=$(jget 'd["ike_sas"][0]["id"]' <"$W/out")
		return
	fi
	wait_log sun "plugin tp_hooks: IKE_UP of SA " "sun: the IKE SA is up"
	sid=$(sed -n 's/.*plugin tp_hooks: IKE_UP of SA \([0-9]*\) .*/\1/p' \
	    "$W/sun.log" | head -n 1)
}

# down PHASE [TEXT]: stop moon, then (with TEXT) wait for sun to log it
# before sun's own SIGTERM: what sun does on moon's DELETE happens on its
# next engine tick, which a SIGTERM right away may overtake.
down() {
	e2e_stop moon
	[ -z "${2:-}" ] || wait_log sun "$2" "sun: '$2' before its SIGTERM"
	e2e_stop sun
	for n in moon sun; do
		mv "$W/$n.log" "$W/$n.$1.log"
	done
}

N="plugin tp_hooks: peer's notify 40999 'charond-e2e'"

# --- liveness, by moon ---------------------------------------------------
up liveness none
for n in moon sun; do
	expect_in "$W/$n.log" "plugin tp_hooks: registered extension, listener, child filter and slot 0" \
	    "$n: tp_hooks registered its hooks and got a slot"
done
# IKE_SA_INIT, both ways: sun sees moon's request (no SA yet: id 0),
# moon sees sun's response.
expect_in "$W/sun.log" "$N in IKE_SA_INIT request, ike_id 0, we are responder" \
    "sun saw moon's notify in the IKE_SA_INIT request"
expect_in "$W/moon.log" "$N in IKE_SA_INIT response, ike_id $id, we are initiator" \
    "moon saw sun's notify in the IKE_SA_INIT response"
# timer_ran NAME SA: NAME's IKE_UP set the slot and armed the timer, which
# read the slot back and queried the SA.
timer_ran() {
	expect_in "$W/$1.log" "plugin tp_hooks: IKE_UP of SA $2 (site): state counter 1, timer armed in 300 ms" \
	    "$1: IKE_UP set the slot and armed the timer"
	wait_log "$1" "plugin tp_hooks: timer of SA $2 at " "$1: the timer fired"
	grep -F "plugin tp_hooks: timer of SA $2 at " "$W/$1.log" |
	    grep -qF ": state counter 1" ||
	    fail "$1: sa_get did not return what sa_set stored"
	pass "$1: sa_get returned what sa_set stored"
	grep -E "plugin tp_hooks: sa_query of SA $2: ESTABLISHED, last_heard [1-9][0-9]* " \
	    "$W/$1.log" >/dev/null || fail "$1: sa_query gave no last_heard"
	pass "$1: sa_query sees the SA ESTABLISHED with last_heard > 0"
}
timer_ran moon "$id"
timer_ran sun "$sid"
# The timer ran no earlier than its delay: from IKE_UP to the timer.
check "the engine clock: the timer fired 300 ms or more after IKE_UP" \
    python3 -c '
import re, sys
t = [re.match(r"(\d+):(\d+):([\d.]+)", l) for l in open(sys.argv[1])
     if "IKE_UP of SA" in l or "timer of SA" in l]
s = [int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3]) for m in t]
sys.exit(not (len(s) == 2 and s[1] - s[0] >= 0.29))' "$W/moon.log"
expect_in "$W/sun.log" "plugin tp_hooks: SA $sid: no action" \
    "sun's timer ran no action (none)"
expect_in "$W/moon.log" "plugin tp_hooks: sa_action liveness on SA $id returned 0" \
    "moon: sa_action LIVENESS returned 0"
wait_log sun "$N in INFORMATIONAL request, ike_id $sid, we are responder" \
    "sun saw moon's notify in the liveness request"
wait_log moon "$N in INFORMATIONAL response, ike_id $id, we are initiator" \
    "moon saw sun's notify in the liveness response"
wait_log moon "plugin tp_hooks: check of SA $id: ESTABLISHED, last_heard " \
    "moon: the check timer after the liveness ran"
expect_in "$W/moon.log" "(heard from the peer since the action at" \
    "moon: last_heard advanced with the answer"
sleep 0.3
check "moon: the SA is still up after the liveness check" test \
    "$(ids moon)" = "[($id, 'ESTABLISHED')]"
check "sun: the SA is still up" test "$(ids sun)" = "[($sid, 'ESTABLISHED')]"
no_log moon "freed state of SA" "moon: the live SA's state is not freed"
no_log sun "freed state of SA" "sun: the live SA's state is not freed"
down liveness "plugin tp_hooks: freed state of SA $sid (counter 1"
# SIGTERM deleted it; the slot's data goes with the plugin, before
# it is unloaded (else free_fn would run unmapped: a crash, exit 139).
in_order "$W/moon.liveness.log" "signal 15" \
    "plugin tp_hooks: freed state of SA $id (counter 1" \
    "moon: the state was freed at shutdown"
# sun heard moon's DELETE before its own SIGTERM.
in_order "$W/sun.liveness.log" \
    "plugin tp_hooks: IKE_DOWN of SA $sid (deleted by peer): state still there" \
    "plugin tp_hooks: freed state of SA $sid (counter 1" \
    "sun: the listener saw IKE_DOWN with its state still there"
in_order "$W/sun.liveness.log" \
    "plugin tp_hooks: freed state of SA $sid (counter 1" "signal 15" \
    "sun: the state was freed after IKE_DOWN, not at shutdown"

# --- reinitiate, by moon -------------------------------------------------
up reinitiate none
old=$id
sold=$sid
wait_log moon "plugin tp_hooks: sa_action reinitiate on SA $old returned 0" \
    "moon: sa_action REINITIATE returned 0"
wait_log moon "plugin tp_hooks: freed state of SA $old (counter 1" \
    "moon: the old SA's state was freed"
wait_log sun "plugin tp_hooks: freed state of SA $sold (counter 1" \
    "sun: the old SA's state was freed"
expect_in "$W/moon.log" "plugin tp_hooks: IKE_DOWN of SA $old" \
    "moon: IKE_DOWN of the old SA"
wait_log moon "plugin tp_hooks: IKE_UP of SA" "moon: a new SA came up"
new=$(sed -n 's/.*plugin tp_hooks: IKE_UP of SA \([0-9]*\) (site): state counter 2,.*/\1/p' \
    "$W/moon.log")
check "moon: the new SA has a new id and the next counter" \
    test -n "$new" -a "$new" != "$old"
wait_log sun "plugin tp_hooks: IKE_UP of SA" "sun: the new SA came up"
snew=$(sed -n 's/.*plugin tp_hooks: IKE_UP of SA \([0-9]*\) (site): state counter 2,.*/\1/p' \
    "$W/sun.log")
check "sun: the new SA has a new id" test -n "$snew" -a "$snew" != "$sold"
expect_in "$W/sun.log" "$N in IKE_SA_INIT request, ike_id 0" \
    "sun saw the notify in the new SA's IKE_SA_INIT"
check "moon: the old SA gone, the new one established" test \
    "$(ids moon)" = "[($new, 'ESTABLISHED')]"
check "sun: the old SA gone, the new one established" test \
    "$(ids sun)" = "[($snew, 'ESTABLISHED')]"
wait_log moon "plugin tp_hooks: SA $new: no action" \
    "moon: the new SA's timer ran no action (times 1)"
no_log moon "freed state of SA $new" "moon: the new SA's state is kept"
check "the new SA is still the only one" test \
    "$(ids moon)" = "[($new, 'ESTABLISHED')]"
down reinitiate

# --- delete, by sun (the responder) ----------------------------------------
up none delete
wait_log sun "plugin tp_hooks: sa_action delete on SA $sid returned 0" \
    "sun: sa_action DELETE returned 0"
wait_log sun "plugin tp_hooks: freed state of SA $sid (counter 1" \
    "sun: the deleted SA's state was freed"
wait_log moon "plugin tp_hooks: freed state of SA $id (counter 1" \
    "moon: the deleted SA's state was freed"
expect_in "$W/moon.log" "$N in INFORMATIONAL request, ike_id $id, we are initiator" \
    "moon saw sun's notify in the DELETE request"
wait_log sun "$N in INFORMATIONAL response, ike_id $sid, we are responder" \
    "sun saw moon's notify in the DELETE response"
expect_in "$W/moon.log" "plugin tp_hooks: IKE_DOWN of SA $id (deleted by peer): state still there" \
    "moon: the listener saw IKE_DOWN first, with its state"
wait_log sun "plugin tp_hooks: IKE_DOWN of SA $sid (deleted): state still there" \
    "sun: the listener saw IKE_DOWN first, with its state"
check "moon: no SA left" test "$(ids moon)" = "[]"
check "sun: no SA left" test "$(ids sun)" = "[]"
down delete

# --- a peer without tp_hooks ------------------------------------------------
up liveness -
wait_log moon "plugin tp_hooks: check of SA $id: ESTABLISHED, last_heard " \
    "moon: the liveness check against a peer without tp_hooks ran"
expect_in "$W/moon.log" "(heard from the peer since the action at" \
    "sun ignored the unknown status notify and answered"
no_log moon "$N" "moon saw no notify from a peer without tp_hooks"
check "moon: the SA is still up" test "$(ids moon)" = "[($id, 'ESTABLISHED')]"
down plain

# --- an IKE SA that never comes up ------------------------------------------
# With `early`, tp_hooks sets the slot in IKE_SA_INIT (sun building its
# answer, moon reading it); the PSKs differ, so IKE_AUTH fails on both
# ends: sun's SA goes after AUTH_FAILED, moon's with FAILED. Their slots
# must go with them, not stay until the daemon stops.
hconf sun 127.0.0.2 127.0.0.1 none "not the same secret" "early: true"
hconf moon 127.0.0.1 127.0.0.2 none "" "early: true"
e2e_start sun
e2e_start moon
ctl moon --json initiate --ike site --timeout 10
expect_rc 1 "initiate with the wrong PSK fails"
check "with AUTH_FAILED" test "$(jget 'd["code"]' <"$W/err")" = AUTH_FAILED
expect_in "$W/moon.log" "plugin tp_hooks: state of SA 1 set in IKE_SA_INIT" \
    "moon: the slot was set in IKE_SA_INIT"
expect_in "$W/sun.log" "plugin tp_hooks: state of SA 1 set in IKE_SA_INIT" \
    "sun: the slot was set in IKE_SA_INIT"
expect_in "$W/sun.log" "plugin tp_hooks: AUTH_FAILED of SA 1 (peer failed authentication): state still there" \
    "sun: the listener saw AUTH_FAILED with its state"
expect_in "$W/moon.log" "plugin tp_hooks: FAILED of SA 1 (" \
    "moon: the listener saw FAILED"
wait_log moon "plugin tp_hooks: freed state of SA 1 (counter 0" \
    "moon: the failed SA's state was freed"
wait_log sun "plugin tp_hooks: freed state of SA 1 (counter 0" \
    "sun: the failed SA's state was freed"
no_log moon "IKE_UP of SA" "moon: no IKE_UP"
check "moon: no SA left" test "$(ids moon)" = "[]"
check "sun: no SA left" test "$(ids sun)" = "[]"
down failed
