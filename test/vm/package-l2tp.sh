# shellcheck shell=sh
# SPDX-License-Identifier: ISC
#
# The L2TP/IPsec guide (docs/l2tp-ipsec-server.md), followed on the
# installed package as a new admin would, sourced by package.sh after
# package-user.sh: sd, pass, fail and the assert_* helpers are package.sh's
# and lib.sh's. Sections 2 to 5 as the guide has them: the sample from
# /usr/share/doc/charond/examples with a random group key, xl2tpd.conf and
# options.xl2tpd, a user in /etc/ppp/chap-secrets, systemctl restart
# xl2tpd and charond (the packaged unit, its sandbox and all). Then a
# client as Windows makes one (strongSwan 5.9.8 with an xl2tpd LAC and
# pppd, test/vm/l2tp.sh) connects from its own network namespace: PPP up
# on both ends, a ping across it through ESP, list-sas as section 8 reads
# it, the l2tp plugin's table; it hangs up and the server is empty.
#
# The guest's own network namespace is the server's; it is attached
# under the name "guest" so that l2tp.sh's helpers reach it as a host.

# shellcheck source=/dev/null # checked on their own
. "${0%/*}/strongswan.sh"
ip netns attach guest 1 || fail "cannot name the guest's namespace"
# shellcheck source=/dev/null
. "${0%/*}/l2tp.sh"
# shellcheck disable=SC2034 # read by l2tp.sh's functions
L2TP_HOST=guest L2TP_SERVER=198.51.100.1
# l2tp.sh's trap stops its daemons; package.sh's cleanup stops systemd.
# shellcheck disable=SC2154 # cleanup is package.sh's
trap 'st=$?; set +e; [ "$st" = 0 ] || { l2tp_dump; sd journalctl -u charond -u xl2tpd --no-pager | tail -n 60; }; l2tp_xl2tpd_stop alice; sw_cleanup "$st"; cleanup; exit "$st"' EXIT

ex=/usr/share/doc/charond/examples
for f in l2tp-server.yaml xl2tpd.conf options.xl2tpd; do
	[ -f "$ex/$f" ] || fail "the package has no $ex/$f"
done
pass "the package ships the three samples the guide copies"

# --- 2. charond: /etc/charond/charond.yaml ----------------------------------
install -m 0600 "$ex/l2tp-server.yaml" /etc/charond/charond.yaml
psk=$(openssl rand -base64 18)
sed -i "s|change me to a long random group secret|$psk|" \
    /etc/charond/charond.yaml
grep -qF "$psk" /etc/charond/charond.yaml || fail "the key is not in the file"
# What the users type into their clients (l2tp.sh's client uses it).
# shellcheck disable=SC2034
L2TP_PSK=$psk
out=$(/usr/sbin/charond --check-config 2>&1) ||
    fail "charond --check-config refuses the sample: $out"
echo "$out" | sed 's/^/  check-config: /'
assert_contains "$out" "configuration is valid" "section 2: the sample is valid"
assert_contains "$out" "warning: xl2tpd is not listening on UDP/1701" \
    "section 2: the l2tp plugin warns that xl2tpd is not running yet"

# --- 3. xl2tpd and pppd -------------------------------------------------------
mkdir -p /etc/xl2tpd
install -m 0644 "$ex/xl2tpd.conf" /etc/xl2tpd/xl2tpd.conf
install -m 0644 "$ex/options.xl2tpd" /etc/ppp/options.xl2tpd

# --- 4. users: /etc/ppp/chap-secrets -----------------------------------------
# The client's pppd (alice, in its namespace) reads the same file: one
# line serves both ends.
cat >/etc/ppp/chap-secrets <<'EOF'
# client   server   secret                      addresses
alice      *        "a long password for alice" *
EOF
chmod 0600 /etc/ppp/chap-secrets
mkdir -p "$L2TP_DIR"
: >"$L2TP_DIR/.ppp" # l2tp.sh: the users are written already

# --- 5. start -------------------------------------------------------------------
assert_ok "section 5: systemctl restart xl2tpd" sd systemctl restart xl2tpd
i=0
until ss -uln 'sport = :1701' | grep -q 1701; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "xl2tpd does not listen on 1701: $(sd journalctl -u xl2tpd --no-pager | tail -n 20)"
	sleep 0.1
done
assert_ok "section 5: systemctl restart charond" sd systemctl restart charond
assert_ok "charond is active" sd systemctl is-active --quiet charond
out=$(charonctl list-conns 2>&1)
echo "$out" | sed 's/^/  /'
assert_contains "$out" "l2tp" "section 5: list-conns shows the connection l2tp"
assert_not_contains "$(sd journalctl -u charond -b --no-pager -o cat | tail -n 30)" \
    "xl2tpd is not listening" "no warning about xl2tpd once it runs"

# --- 8. a client connects -------------------------------------------------------
vm_host alice
ip link add pkg1 type veth peer name eth0 netns alice ||
    fail "no veth to alice"
ip addr add "$L2TP_SERVER/24" dev pkg1
ip link set pkg1 up
vm_addr alice eth0 198.51.100.10/24
ip -n alice link set eth0 up
l2tp_client alice windows
l2tp_ping alice
out=$(charonctl list-sas 2>&1)
echo "$out" | sed 's/^/  /'
assert_contains "$out" "ESTABLISHED, IKEv1" "section 8: list-sas shows the IKEv1 SA"
assert_contains "$out" "'198.51.100.10' @ 198.51.100.10" \
    "section 8: the client's identity and address"
assert_contains "$out" "INSTALLED, TRANSPORT" "section 8: its child, transport mode"
assert_contains "$(nft list table ip charond-l2tp)" "198.51.100.10" \
    "section 7: the l2tp plugin's table holds the client, under the unit's sandbox"
l2tp_client_stop alice
l2tp_server_empty "after alice hung up" 10 kernel
sd systemctl stop xl2tpd
