# shellcheck shell=sh
# SPDX-License-Identifier: ISC
#
# A new user's first tunnel with the installed package (issue 14), sourced
# by package.sh between its reload and purge steps: sd, gid, pass, fail and
# the assert_* helpers are package.sh's and lib.sh's.
#
# Only what the package ships and its manuals say: the default
# /etc/charond/charond.yaml includes conf.d/*.yaml, so the connection goes
# into /etc/charond/conf.d/site.yaml; `systemctl reload charond`; charonctl
# as a member of the group charond (not root), as charonctl(8) says.
#
# The peer, sun, is a second charond (from the build tree, as
# test/vm/charond.sh starts it) in a network namespace of the guest; the
# packaged one runs in the guest's own. The user first types the
# pre-shared key wrong: the initiation must fail, and the journal must
# hold exactly one line saying why (authentication, the peer, the key).
# Then a typo in a key: systemctl reload fails, charond keeps the running
# configuration, and the journal and --check-config give FILE:LINE:COL. Then the right key: the
# tunnel comes up, the kernel holds its SAs and a ping goes through ESP.

# shellcheck source=/dev/null # checked on its own
. "${0%/*}/charond.sh"

# user CMD...: CMD as a member of the group charond who is not root, as
# after `adduser alice charond` and a new login.
: "${gid:?}" "${SD_PID:?}"
user() { setpriv --reuid=nobody --regid=nogroup --groups="$gid" "$@"; }

# journal: the unit's journal lines since the last call, as a user reads
# them (journalctl -u charond), without the timestamp and host columns.
journal() { sd journalctl -u charond --cursor-file=/run/pkg-user.cursor \
    -q --no-pager -o cat; }
journal >/dev/null

# --- the network: this host (moon) and the peer (sun) ----------------------
vm_host sun
ip link add pkg0 type veth peer name eth0 netns sun || fail "no veth to sun"
ip addr add 192.0.2.1/24 dev pkg0
ip link set pkg0 up
vm_addr sun eth0 192.0.2.2/24
ip -n sun link set eth0 up
ip link add lan type dummy
ip addr add 10.1.0.1/16 dev lan
ip link set lan up
vm_dummy sun lan 10.2.0.1/16
ip route add 10.2.0.0/16 via 192.0.2.2
ip -n sun route add 10.1.0.0/16 via 192.0.2.1

cat >/tmp/sun.yaml <<'EOF'
daemon:
  listen: [192.0.2.2]
  plugin_dir: "@PLUGIN_DIR@"
connections:
  site:
    remote_addrs: [192.0.2.1]
    local:  {auth: psk, id: sun.example.org}
    remote: {auth: psk, id: moon.example.org}
    children:
      net:
        local_ts: [10.2.0.0/16]
        remote_ts: [10.1.0.0/16]
secrets:
  psk:
    - ids: [moon.example.org]
      secret: "correct horse battery staple"
EOF
cd_start sun /tmp/sun.yaml

# --- the user's connection, with the key mistyped ---------------------------
# site_conf SECRET [KEY]: /etc/charond/conf.d/site.yaml, written as the
# user would from charond.yaml(5); KEY is the name of remote_addrs.
site_conf() {
	cat >/etc/charond/conf.d/site.yaml <<EOF
# The tunnel to sun's office.
connections:
  site:
    ${2:-remote_addrs}: [192.0.2.2]
    local:  {auth: psk, id: moon.example.org}
    remote: {auth: psk, id: sun.example.org}
    children:
      net:
        local_ts: [10.1.0.0/16]
        remote_ts: [10.2.0.0/16]
secrets:
  psk:
    - ids: [sun.example.org]
      secret: "$1"
EOF
	chmod 0600 /etc/charond/conf.d/site.yaml
}
site_conf "correct horse battery stapel"
out=$(/usr/sbin/charond --check-config 2>&1) ||
    fail "charond --check-config refuses the user's file: $out"
pass "charond --check-config: $out"

# reload_took CONN: systemctl reload, then list-conns (as the user) shows
# CONN within 5 s.
reload_took() {
	assert_ok "systemctl reload charond" sd systemctl reload charond
	i=0
	until user charonctl list-conns 2>&1 | grep -q "^$1:"; do
		i=$((i + 1))
		[ $i -lt 50 ] ||
		    fail "list-conns has no $1 after the reload: $(journal)"
		sleep 0.1
	done
}
reload_took site
out=$(user charonctl list-conns 2>&1)
echo "$out" | sed 's/^/  /'
assert_contains "$out" "192.0.2.2" "list-conns (as a group member) shows site to 192.0.2.2"

# --- the initiation fails; why, in one line ---------------------------------
journal >/dev/null
if out=$(user charonctl initiate --child net --timeout 20 2>&1); then
	echo "$out" | sed 's/^/  /'
	fail "the tunnel came up with the wrong key"
fi
echo "$out" | sed 's/^/  charonctl: /'
assert_contains "$out" "AUTH" "charonctl initiate fails with an authentication error"
j=$(journal)
echo "$j" | sed 's/^/  journal: /'
why=$(echo "$j" | grep -i 'auth' || :)
n=$(printf '%s' "$why" | grep -c . || :)
[ "$n" -eq 1 ] || fail "$n journal lines about the authentication, not 1"
pass "one journal line says why: $why"
assert_contains "$why" "did not accept our identity or credentials" \
    "it says the peer refused our credentials (here the pre-shared key)"
case $why in
"warn  [site#1] "*) pass "at level warn, without a timestamp of its own" ;;
*) fail "not 'warn  [site#1] ...' (a timestamp of charond's?): $why" ;;
esac
assert_contains "$(sd journalctl -u charond -p warning -q --no-pager -o cat)" \
    "$why" "journalctl -u charond -p warning shows it (priority <4>)"
assert_contains "$why" "[site#1]" "it names the connection"
assert_contains "$why" "refused by 192.0.2.2" "and the peer"
assert_contains "$why" "we sent identity 'moon.example.org'" \
    "and the identity sent (whose key the peer checked)"
[ -z "$(vm_xfrm_states sun)$(ip xfrm state)" ] || fail "SAs after a failure"
pass "no SA in either kernel"

# --- a typo in a key: the reload keeps the running configuration ------------
site_conf "correct horse battery staple" remote_adrs
out=$(/usr/sbin/charond --check-config 2>&1) && fail "--check-config accepts remote_adrs"
echo "$out" | sed 's/^/  check-config: /'
assert_contains "$out" "/etc/charond/conf.d/site.yaml:4:5: error: unknown key 'remote_adrs'" \
    "charond --check-config: FILE:LINE:COL of the unknown key"
journal >/dev/null
# The unit's ExecReload is charonctl load: the reload fails, and says so.
if out=$(sd systemctl reload charond 2>&1); then
	fail "systemctl reload succeeds with remote_adrs in the file"
fi
pass "systemctl reload charond fails: $out"
i=0
until journal | tee -a /run/pkg-user.j | grep -q "keeping the running"; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "no 'keeping the running configuration': $(cat /run/pkg-user.j)"
	sleep 0.1
done
sed 's/^/  journal: /' /run/pkg-user.j
assert_contains "$(cat /run/pkg-user.j)" "/etc/charond/conf.d/site.yaml:4:5: error: unknown key 'remote_adrs'" \
    "the journal has FILE:LINE:COL of the unknown key"
assert_ok "still active" sd systemctl is-active --quiet charond
assert_contains "$(user charonctl list-conns 2>&1)" "192.0.2.2" \
    "the running configuration (site to 192.0.2.2) stays"

# --- the right key: the tunnel comes up -------------------------------------
site_conf "correct horse battery staple"
assert_ok "charond --check-config accepts the fixed file" /usr/sbin/charond --check-config
# The reload (charonctl load) is done when systemctl returns; the
# connection itself is unchanged, its secret is read at the next IKE_AUTH.
journal >/dev/null
assert_ok "systemctl reload charond" sd systemctl reload charond
journal | sed 's/^/  journal: /'
out=$(user charonctl initiate --child net --timeout 20 2>&1) || {
	echo "$out"
	journal
	cd_log sun
	fail "charonctl initiate --child net failed with the right key"
}
pass "charonctl initiate --child net: up"
out=$(user charonctl list-sas 2>&1)
echo "$out" | sed 's/^/  /'
assert_contains "$out" "ESTABLISHED" "list-sas: the IKE SA is ESTABLISHED"
assert_contains "$out" "INSTALLED" "list-sas: its CHILD SA is INSTALLED"
[ "$(ip xfrm state | grep -c '^src')" -eq 2 ] ||
    fail "the kernel holds no pair of SAs: $(ip xfrm state)"
pass "the kernel holds the two ESP SAs (ip xfrm state)"
assert_ok "10.1.0.1 pings sun's 10.2.0.1 through the tunnel" \
    ping -c 2 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1
pk=$(vm_xfrm_states sun | awk '$1 == "192.0.2.1" { print $7 }')
assert_ge "packets through sun's inbound SA" "${pk:-0}" 2
cd_stop sun || fail "sun's charond did not exit"
