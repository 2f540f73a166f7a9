#!/bin/sh
# SPDX-License-Identifier: ISC
#
# charond itself on the host (no ESP needed): --version lists the plugins
# that loaded; a plugin built for another ABI is refused with a message
# that says so; --check-config reports FILE:LINE:COL and exits 2, or 0;
# SIGHUP with a broken file keeps the running configuration, with a good
# one loads it (initiating new start children, restarting changed
# connections); SIGTERM exits 0.
set -eu
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/lib.sh"

e2e_conf moon 127.0.0.1 127.0.0.2

out=$("$CHAROND" -c "$W/moon.yaml" --version)
echo "$out"
case $out in
*"plugins: "*"psk-"*) pass "--version lists the psk plugin" ;;
*) fail "--version does not list psk" ;;
esac
case $out in
*"plugins: "*"dpd-"*) pass "--version lists the dpd plugin" ;;
*) fail "--version does not list dpd" ;;
esac

# A plugin of another ABI: refused, by name, with the reason.
mkdir -p "$W/plugins"
cp "$E2E_TOP/$E2E_B/plugins/psk.so" "$W/plugins/"
cat >"$W/old.c" <<'C'
struct old { unsigned abi; const char *name, *version, *provides, *requires;
	void *init, *fini; };
const struct old charond_plugin = { 99, "old", "0.0", "", "", 0, 0 };
C
cc -shared -fPIC -o "$W/plugins/old.so" "$W/old.c"
sed "s|plugin_dir: .*|plugin_dir: \"$W/plugins\"|" "$W/moon.yaml" \
    >"$W/abi.yaml"
out=$("$CHAROND" -c "$W/abi.yaml" --version 2>&1)
echo "$out"
case $out in
*"old.so was built for plugin ABI 99, this charond has ABI 7"*)
	pass "a plugin of another ABI is refused, with the reason" ;;
*) fail "no ABI mismatch message" ;;
esac
case $out in
*"plugins: psk-"*) pass "the good plugin still loads" ;;
*) fail "psk did not load next to the bad plugin" ;;
esac

# --check-config: a valid file exits 0, a broken one 2 with positions.
check "--check-config accepts a valid file" \
    "$CHAROND" --check-config -c "$W/moon.yaml"
sed 's/remote_addrs:/remote_adrs:/; s/aes128gcm16-prfsha256/aes129gcm16-prfsha256/' \
    "$W/moon.yaml" >"$W/bad.yaml"
st=0
"$CHAROND" --check-config -c "$W/bad.yaml" >"$W/check.out" 2>&1 || st=$?
cat "$W/check.out"
[ $st -eq 2 ] || fail "--check-config exited $st on a broken file, want 2"
pass "--check-config exits 2 on a broken file"
grep -Eq "^$W/bad.yaml:[0-9]+:[0-9]+: error: unknown key 'remote_adrs'" \
    "$W/check.out" || fail "no FILE:LINE:COL for the unknown key"
grep -Eq "^$W/bad.yaml:[0-9]+:[0-9]+: error: .*aes129gcm16" \
    "$W/check.out" || fail "no FILE:LINE:COL for the unknown proposal keyword"
pass "every problem reported as FILE:LINE:COL: message"

# SIGHUP: a broken file is refused whole, a good one is loaded.
e2e_start moon
pid=$(cat "$W/moon.pid")
cp "$W/moon.yaml" "$W/moon.good"
cp "$W/bad.yaml" "$W/moon.yaml"
kill -HUP "$pid"
sleep 0.5
expect_in "$W/moon.log" "has errors; keeping the running configuration" \
    "SIGHUP with a broken file keeps the running configuration"
alive moon
# site goes, site2 comes with start_action: start and must be initiated.
sed -e 's/  site:/  site2:/' \
    -e 's/^\(  *\)esp_proposals: \(.*\)/\1esp_proposals: \2\n\1start_action: start/' \
    "$W/moon.good" >"$W/moon.yaml"
kill -HUP "$pid"
sleep 0.5
expect_in "$W/moon.log" "[site2#" "the new connection's start child is initiated"
ctl moon --json list-conns
expect_rc 0 "list-conns after a good reload"
grep -q site2 "$W/out" || fail "the reloaded connection is not listed"
pass "SIGHUP with a good file loads it"
# A changed connection starts over.
sed -i 's/aes128gcm16-prfsha256-ecp256/aes256gcm16-prfsha384-ecp384/' \
    "$W/moon.yaml"
kill -HUP "$pid"
sleep 0.5
expect_in "$W/moon.log" "connection 'site2' changed; restarting it" \
    "a changed connection is restarted on reload"
e2e_stop moon
