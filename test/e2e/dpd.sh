#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The dpd plugin and trap policies on the host, with daemon.kernel: none
# on both ends: moon (127.0.0.1, dpd) and sun (127.0.0.2, none).
#   - dpd without the dpd plugin is refused with FILE:LINE:COL;
#   - list-conns shows a connection's dpd settings (as its plugin declares
#     them: the core knows no dpd);
#   - a live peer is not declared dead: its answers to the checks count;
#   - sun SIGKILLed: moon's retransmissions give up, one line names the
#     connection, the peer, how long it was not heard and the action; with
#     clear nothing is left (no SA, nothing recorded);
#   - restart: moon initiates again until sun is back, the CHILD SA too;
#     with keyingtries 2 it tries twice and no more;
#   - dpd's own timeout (retransmissions slower than it): the SA is
#     dropped at once, and action trap leaves the child's trap policies;
#   - start_action trap: its policies recorded from the start, without an
#     SA; a reload that drops it removes them.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

# conf NAME LOCAL REMOTE: kernel none, mirrored selectors on sun.
conf() {
	e2e_conf "$1" "$2" "$3"
	sed -i 's|^daemon:$|daemon:\n  kernel: none|' "$W/$1.yaml"
	if [ "$1" = sun ]; then
		sed -i -e 's|local_ts: \[10.1.0.0/16\]|local_ts: [10.2.0.0/16]|' \
		    -e 's|remote_ts: \[10.2.0.0/16\]|remote_ts: [10.1.0.0/16]|' \
		    "$W/sun.yaml"
	fi
}

# moon_dpd SETTINGS: moon's connection gets dpd: {SETTINGS}.
moon_dpd() {
	conf moon 127.0.0.1 127.0.0.2
	sed -i "s|^    proposals: |    dpd: {$1}\n    keyingtries: 0\n    proposals: |" \
	    "$W/moon.yaml"
}

recorded() {
	ctl "$1" --json stats
	jget '(d["kernel"]["sas"], d["kernel"]["policies"])' <"$W/out"
}

# state NAME: the (IKE state, [CHILD states]) of NAME's SAs.
state() {
	ctl "$1" --json list-sas
	jget '[(s["state"], [c["state"] for c in s["children"]])
	    for s in d["ike_sas"]]' <"$W/out"
}

# wait_for SECONDS CMD...: until CMD succeeds, polling every 0.1 s.
wait_for() {
	wf_n=$(($1 * 10))
	shift
	while ! "$@"; do
		wf_n=$((wf_n - 1))
		[ "$wf_n" -gt 0 ] || return 1
		sleep 0.1
	done
}

kill_hard() {
	kill -KILL "$(cat "$W/$1.pid")"
	wait "$(cat "$W/$1.pid")" 2>/dev/null || true
	rm -f "$W/$1.pid" "$W/$1.sock"
}

dead_lines() {
	grep -c "dpd: connection 'site': peer 127.0.0.2 is dead" \
	    "$W/moon.log" || true
}

# Declared dead, once (for wait_for: evaluated at every try).
is_dead() {
	test "$(dead_lines)" = 1
}

# --- refused without the plugin ----------------------------------------
moon_dpd "delay: 1s, timeout: 20s, action: clear"
sed -i 's|^daemon:$|daemon:\n  plugins: [psk]|' "$W/moon.yaml"
st=0
"$CHAROND" --check-config -c "$W/moon.yaml" >"$W/check.out" 2>&1 || st=$?
check "dpd without the dpd plugin: --check-config exits 2" test "$st" = 2
line=$(grep -n '^    dpd:' "$W/moon.yaml" | cut -d: -f1)
expect_in "$W/check.out" \
    "$W/moon.yaml:$line:5: error: not supported yet: dpd (needs the dpd plugin)" \
    "... at FILE:LINE:COL, naming the plugin"
sed -i '/^  plugins: \[psk\]$/d' "$W/moon.yaml"
check "with the dpd plugin the same file is accepted" \
    "$CHAROND" --check-config -c "$W/moon.yaml"
sed -i 's|delay: 1s|delay: 1s, delai: 2s|' "$W/moon.yaml"
line=$(grep -n '^    dpd:' "$W/moon.yaml" | cut -d: -f1)
st=0
"$CHAROND" --check-config -c "$W/moon.yaml" >"$W/check.out" 2>&1 || st=$?
check "a misspelt dpd key is refused" test "$st" = 2
expect_in "$W/check.out" "$W/moon.yaml:$line:22: error: unknown key 'delai' in 'dpd'" \
    "... at its position"
sed -i 's|, delai: 2s||' "$W/moon.yaml"

# --- clear: sun killed, moon's retransmissions give up -----------------
conf sun 127.0.0.2 127.0.0.1
e2e_start sun
e2e_start moon
ctl moon --json list-conns
check "list-conns --json shows dpd as written" test \
    "$(jget '[c["dpd"] for c in d["conns"]]' <"$W/out")" = \
    "[{'delay': 1, 'timeout': 20, 'action': 'clear'}]"
ctl moon list-conns
expect_in "$W/out" "dpd: delay 1, timeout 20, action clear" \
    "list-conns for humans shows it"
ctl moon --json initiate --child net --timeout 10
expect_rc 0 "moon brings up site with net"
# Some 4 checks in 4 s, each answered: sun is alive.
sleep 4
check "a peer that answers is not declared dead" test "$(dead_lines)" = 0
check "moon's SA is still up" test "$(state moon)" = \
    "[('ESTABLISHED', ['INSTALLED'])]"
# With a 20 s timeout, a second check within 4 s means the first one's
# answer was heard.
check "moon asked sun every second, each answer heard" test \
    "$(grep -c 'asking the peer' "$W/moon.log")" -ge 3

kill_hard sun
t0=$(date +%s)
# delay (1 s) + retransmissions (0.3 + 0.45 + 0.675 s), and some slack.
check "moon declares sun dead within 5 s" wait_for 5 is_dead
t1=$(date +%s)
grep "is dead" "$W/moon.log" | sed 's/^/  | /'
expect_in "$W/moon.log" "action clear" "... saying the action"
check "... and how long it was not heard (about 2 s)" grep -Eq \
    "not heard for [1-3]\.[0-9] s" "$W/moon.log"
check "it took $((t1 - t0)) s" test $((t1 - t0)) -le 5
check "clear: no SA left on moon" test "$(state moon)" = "[]"
check "clear: nothing left in moon's kernel" test "$(recorded moon)" = \
    "(0, 0)"
sleep 2
check "clear: nothing tried again" test "$(state moon)" = "[]"
e2e_stop moon

# --- restart: moon initiates again until sun is back -------------------
moon_dpd "delay: 1s, action: restart"
e2e_start sun
e2e_start moon
ctl moon --json initiate --child net --timeout 10
expect_rc 0 "moon brings up site with net"
kill_hard sun
check "moon declares sun dead" wait_for 5 is_dead
expect_in "$W/moon.log" "action restart" "... and restarts it"
sleep 2
check "... while sun is away, moon keeps trying (keyingtries: 0)" test \
    "$(grep -c "re-initiating connection 'site'\|keying try" "$W/moon.log")" -ge 2
e2e_start sun
up() { test "$(state moon)" = "[('ESTABLISHED', ['INSTALLED'])]"; }
check "sun back: the tunnel comes back with its CHILD SA" wait_for 10 up
check "... recorded in moon's kernel: 2 SAs, 3 policies" test \
    "$(recorded moon)" = "(2, 3)"
e2e_stop moon
e2e_stop sun

# --- restart honours keyingtries -----------------------------------------
moon_dpd "delay: 1s, action: restart"
sed -i 's|keyingtries: 0|keyingtries: 2|' "$W/moon.yaml"
e2e_start sun
e2e_start moon
ctl moon --json initiate --child net --timeout 10
expect_rc 0 "moon brings up site with net (keyingtries: 2)"
kill_hard sun
check "moon declares sun dead" wait_for 5 is_dead
gone() { test "$(state moon)" = "[]"; }
# Two tries of some 1.4 s each.
check "restart gives up after keyingtries" wait_for 8 gone
check "... having tried twice" test \
    "$(grep -c "keying try 1 of 2 failed" "$W/moon.log")" = 1
sleep 2
check "... and no more" test "$(state moon)" = "[]"
check "... the second try not repeated" test \
    "$(grep -c "keying try 2 of 2" "$W/moon.log")" = 0
e2e_stop moon

# --- dpd's timeout, action trap ----------------------------------------
moon_dpd "delay: 1s, timeout: 1s, action: trap"
# Retransmissions slower than dpd: its timeout is what finds sun dead.
sed -i 's|retransmit: {.*}|retransmit: {timeout: 10s, base: 2, tries: 5}|' \
    "$W/moon.yaml"
e2e_start sun
e2e_start moon
ctl moon --json initiate --child net --timeout 10
expect_rc 0 "moon brings up site with net"
kill_hard sun
check "dpd's timeout declares sun dead within 4 s" wait_for 4 is_dead
expect_in "$W/moon.log" "action trap" "... action trap"
check "no SA left on moon" test "$(state moon)" = "[]"
check "trap: the child's 3 trap policies, no SA, in moon's kernel" test \
    "$(recorded moon)" = "(0, 3)"
expect_in "$W/moon.log" "trap policies for child 'net'" "... logged"
e2e_stop moon

# --- start_action trap -------------------------------------------------
conf moon 127.0.0.1 127.0.0.2
sed -i 's|esp_proposals: \[aes128gcm16\]|esp_proposals: [aes128gcm16]\n        start_action: trap|' \
    "$W/moon.yaml"
e2e_start moon
check "start_action trap: 3 policies recorded at start, no SA" test \
    "$(recorded moon)" = "(0, 3)"
check "... and no IKE SA started" test "$(state moon)" = "[]"
e2e_start sun
ctl moon --json initiate --child net --timeout 10
expect_rc 0 "the trapped child brought up by hand"
check "its CHILD SA's policies replace the trap's: 2 SAs, 3 policies" \
    test "$(recorded moon)" = "(2, 3)"
ctl moon load
expect_rc 0 "a reload while the CHILD SA is up"
check "... leaves its policies alone: 2 SAs, 3 policies" \
    test "$(recorded moon)" = "(2, 3)"
ctl moon --json terminate --ike site --timeout 10
expect_rc 0 "terminated"
check "the CHILD SA gone, the trap policies are back" test \
    "$(recorded moon)" = "(0, 3)"
sed -i 's|        start_action: trap|        start_action: none|' "$W/moon.yaml"
ctl moon load
expect_rc 0 "a reload without the trap"
check "... removes its policies" test "$(recorded moon)" = "(0, 0)"
e2e_stop moon
e2e_stop sun
