#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The plugin loader, with the test plugins of test/plugins: plugins start
# in the order their requires need however they are listed; a missing
# dependency, another ABI, a second provider of an auth method are refused
# by name; a plugin whose init fails is unloaded with its reason and its
# dependants refused with it; keys plugins declare are checked by type and
# reach them through api->value; undeclared keys and auth methods no
# loaded plugin provides are refused with FILE:LINE:COL; a plugin's config
# check runs before its init, its warnings are printed at the key they
# name and its errors refuse the config, at start and at a reload; a reload
# checks against the loaded plugins.
set -eu
# shellcheck source=/dev/null # checked on its own
. "${0%/*}/lib.sh"

TP="$E2E_TOP/$E2E_B/test/plugins"
[ -f "$TP/tp_base.so" ] || fail "no test plugins in $TP (make check-e2e builds them)"

# conf FILE PLUGINS [EXTRA CONNECTION LINES]
conf() {
	cat >"$W/$1" <<EOF
daemon:
  listen: [127.0.0.1]
  plugin_dir: "$TP"
  plugins: [$2]
  retransmit: {timeout: 0.3s, base: 1.5, tries: 2}
plugins:
  tp_base: {conn: site, tags: [a, b]}
connections:
  site:
    local_addrs: [127.0.0.1]
    remote_addrs: [127.0.0.2]
    local: {auth: tpauth, id: moon}
    remote: {auth: tpauth}
    tp: {delay: 30s, mode: slow}
    tp_level: 7
${3:-}
    children:
      net:
        tp_flag: true
EOF
}

run() {
	st=0
	"$CHAROND" "$@" >"$W/run.out" 2>&1 || st=$?
	sed 's/^/  | /' "$W/run.out"
}

has() {
	grep -qF -- "$1" "$W/run.out" || fail "$2 ('$1' not in the output)"
	pass "$2"
}

# Listed in reverse: still both start, tp_base first.
conf good.yaml "tp_dep, tp_base"
run -c "$W/good.yaml" --version
[ $st -eq 0 ] || fail "--version exited $st"
has "plugins: tp_base-1.0 tp_dep-1.0" \
    "a plugin listed before what it requires starts after it"
has "plugin tp_dep: started after base" "the dependant's init ran"
# The declared keys arrive typed, with where they were written.
has "conn site auth tpauth: tp.delay=30000ms at $W/good.yaml:14:17, tp.mode=1, tp_level=7 (set), net.tp_flag=true, tags=a,b" \
    "declared keys of every scope reach the plugin through api->value"
run -c "$W/good.yaml" --check-config
[ $st -eq 0 ] || fail "--check-config exited $st on a valid file"
pass "--check-config knows the keys of the plugins it opens"

# A missing dependency.
conf missing.yaml "tp_missing, tp_base"
run -c "$W/missing.yaml" --version
has "plugin tp_missing refused: it requires 'nothing-here', which no loaded plugin provides" \
    "a missing dependency is refused by name"
has "plugins: tp_base-1.0" "the others still start"

# Another ABI.
conf abi.yaml "tp_oldabi, tp_base"
run -c "$W/abi.yaml" --version
has "plugin tp_oldabi refused: $TP/tp_oldabi.so was built for plugin ABI 1, this charond has ABI 7" \
    "a plugin of another ABI is refused, naming it and both ABIs"

# A failing init, and its dependant.
conf fail.yaml "tp_needfail, tp_fail, tp_base"
run -c "$W/fail.yaml" --version
has "plugin tp_fail failed to start: the test says no" \
    "a failing init is logged with its reason"
has "plugin tp_needfail not started: it requires auth:tpfail, whose provider tp_fail failed: the test says no" \
    "its dependant is refused with that reason"
has "plugins: tp_base-1.0" "the failed plugin is unloaded, the others run"

# Two providers of one auth method.
conf dup.yaml "tp_base, tp_dupauth"
run -c "$W/dup.yaml" --version
has "plugin tp_dupauth refused: auth:tpauth is provided by plugin tp_base already" \
    "a second provider of an auth method is refused"

# One plugin listed twice starts once.
conf twice.yaml "tp_base, tp_base"
run -c "$W/twice.yaml" --version
has "plugin tp_base refused ($TP/tp_base.so): a plugin of that name is loaded already" \
    "a plugin listed twice is refused the second time"
has "plugins: tp_base-1.0" "and starts once"

# Undeclared keys, bad values, unknown auth methods: FILE:LINE:COL.
conf bad.yaml "tp_base" "    tp_nope: 1"
sed -i -e 's/mode: slow}/mode: slow, dleay: 1s}/' \
    -e 's/remote: {auth: tpauth}/remote: {auth: pubkey}/' \
    -e 's/tp_level: 7/tp_level: 11/' \
    -e 's/^  tp_base: .*/&\n  tp_dep: {x: 1}/' "$W/bad.yaml"
run -c "$W/bad.yaml" --check-config
[ $st -eq 2 ] || fail "--check-config exited $st on a broken file, want 2"
grep -Eq "^$W/bad.yaml:[0-9]+:[0-9]+: error: unknown key 'tp_nope' in connection 'site'" \
    "$W/run.out" || fail "no FILE:LINE:COL for an undeclared key"
pass "an undeclared key is refused with FILE:LINE:COL"
grep -Eq "^$W/bad.yaml:15:[0-9]+: error: unknown key 'dleay' in 'tp'" \
    "$W/run.out" || fail "no FILE:LINE:COL for an undeclared member of a map"
pass "an undeclared member of a declared map is refused"
grep -Eq "^$W/bad.yaml:[0-9]+:[0-9]+: error: bad value '11' for 'tp_level': expected 0 to 10" \
    "$W/run.out" || fail "an int out of its bounds is not refused"
pass "a declared int is checked against its bounds"
grep -Eq "^$W/bad.yaml:14:[0-9]+: error: connection 'site': no loaded plugin provides auth method 'pubkey' \(the x509 plugin does\)" \
    "$W/run.out" || fail "an auth method no plugin provides is not refused"
pass "an auth method no loaded plugin provides is refused"
has "error: settings for plugin 'tp_dep', which is not loaded" \
    "a section for a plugin not loaded is refused"

# A plugin's check (tp_check): a warning at the key it names, the config
# loads; its init runs after it.
conf chk.yaml "tp_base, tp_check" "    tp_verdict: fair"
sed -i 's/^        tp_flag: true/&\n        tp_note: hello/' "$W/chk.yaml"
run -c "$W/chk.yaml" --check-config
[ $st -eq 0 ] || fail "--check-config exited $st with warnings only"
has "$W/chk.yaml:16:17: warning: connection 'site' (auth tpauth) is fair" \
    "a check's warning is printed at the connection key it names"
has "$W/chk.yaml:20:18: warning: child 'net' of 'site': hello" \
    "and at a child's key"
run -c "$W/chk.yaml" --version
[ $st -eq 0 ] || fail "--version exited $st"
has "plugin tp_check: started after 1 check" "the check runs before init"
# An error refuses the config, at the key.
sed 's/tp_verdict: fair/tp_verdict: poor/' "$W/chk.yaml" >"$W/chkbad.yaml"
run -c "$W/chkbad.yaml" --check-config
[ $st -eq 2 ] || fail "--check-config exited $st on a check's error, want 2"
has "$W/chkbad.yaml:16:17: error: connection 'site' (auth tpauth) is poor" \
    "a check's error refuses the config with FILE:LINE:COL"
run -c "$W/chkbad.yaml" --version
[ $st -eq 2 ] || fail "charond started with a check's error (exit $st)"
pass "charond does not start on a check's error"

# A reload checks against the loaded plugins; a changed plugin value
# restarts the connection.
cp "$W/good.yaml" "$W/moon.yaml"
e2e_start moon
pid=$(cat "$W/moon.pid")
sed -i 's/tp_level: 7/tp_level: 5\n    tp_nope: 1/' "$W/moon.yaml"
kill -HUP "$pid"
sleep 0.5
expect_in "$W/moon.log" "unknown key 'tp_nope' in connection 'site'" \
    "a reload refuses an undeclared key"
expect_in "$W/moon.log" "has errors; keeping the running configuration" \
    "and keeps the running configuration"
sed -i '/tp_nope/d' "$W/moon.yaml"
kill -HUP "$pid"
sleep 0.5
expect_in "$W/moon.log" "connection 'site' changed; restarting it" \
    "a changed plugin value restarts its connection"
ctl moon --json version
expect_rc 0 "charonctl version"
grep -q '"tp_base"' "$W/out" || fail "charonctl version does not list tp_base"
pass "charonctl version lists the started plugins"
e2e_stop moon

# A reload runs the checks: an error keeps the running config (tp_level
# changed with it is not applied), a warning does not.
cp "$W/chk.yaml" "$W/moon.yaml"
e2e_start moon
pid=$(cat "$W/moon.pid")
sed -i -e 's/tp_verdict: fair/tp_verdict: poor/' \
    -e 's/tp_level: 7/tp_level: 5/' "$W/moon.yaml"
kill -HUP "$pid"
sleep 0.5
expect_in "$W/moon.log" \
    "$W/moon.yaml:16:17: error: connection 'site' (auth tpauth) is poor" \
    "a reload runs the plugins' checks"
expect_in "$W/moon.log" "has errors; keeping the running configuration" \
    "and a check's error keeps the running configuration"
! grep -qF "connection 'site' changed" "$W/moon.log" ||
	fail "a refused reload changed connection 'site'"
pass "nothing of the refused configuration is applied"
sed -i 's/tp_verdict: poor/tp_verdict: fair/' "$W/moon.yaml"
kill -HUP "$pid"
sleep 0.5
expect_in "$W/moon.log" "connection 'site' changed; restarting it" \
    "a reload with a check's warning only is applied"
[ "$(grep -c 'plugin tp_check: started' "$W/moon.log")" -eq 1 ] ||
	fail "tp_check was started again by a reload"
pass "a reload checks without starting the plugin again"
e2e_stop moon
