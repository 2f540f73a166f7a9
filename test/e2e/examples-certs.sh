#!/bin/sh
# SPDX-License-Identifier: ISC
#
# etc/examples/certificates.md, as an admin would follow it: its commands
# (make-certs.sh, which the guide shows step by step, and the blocks of
# the guide marked for this test) make the PKI; the files have the modes
# the guide gives and the chain verifies; site-to-site-certs.yaml passes
# `charond --check-config` with them, and so does sun's file made by the
# guide's sed; moon and sun (`kernel: none`, on loopback instead of
# 192.0.2.1/2) bring the tunnel up with them; the guide's revocation of
# the intermediate makes the next attempt fail with AUTH_FAILED.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

EX=$E2E_TOP/etc/examples
P=$W/pki

"$EX/make-certs.sh" "$P" >"$W/make.log" 2>&1 || {
	cat "$W/make.log"
	fail "make-certs.sh"
}
pass "make-certs.sh made the PKI"

mode() {
	check "$1 has mode $2" test "$(stat -c %a "$P/$1")" = "$2"
}
for gw in moon sun; do
	mode "$gw/private" 700
	mode "$gw/private/$gw.key" 600
	mode "$gw/x509/$gw.pem" 644
	mode "$gw/x509ca/inter.pem" 644
	mode "$gw/x509ca/root.pem" 644
	mode "$gw/x509crl/root.crl" 644
done
mode ca 700
mode ca/root.key 600
check "moon's chain verifies to the root" \
    openssl verify -CAfile "$P/moon/x509ca/root.pem" \
    -untrusted "$P/moon/x509ca/inter.pem" "$P/moon/x509/moon.pem"
check "the root's CRL is signed by the root" \
    openssl crl -in "$P/moon/x509crl/root.crl" \
    -CAfile "$P/moon/x509ca/root.pem" -noout
openssl x509 -in "$P/sun/x509/sun.pem" -noout -ext subjectAltName >"$W/san"
expect_in "$W/san" "DNS:sun.example.org, IP Address:192.0.2.2" \
    "sun's certificate names it by DNS name and address"

# The guide's block after the Nth marker, as sh.
block() {
	awk -v n="$1" '/<!-- examples-certs.sh runs this block -->/ { m++; next }
	    m == n && /^```sh$/ { on = 1; next }
	    on && /^```$/ { exit }
	    on { print }' "$EX/certificates.md"
}
block 2 >"$W/sun-sed.sh"
check "the guide's sed for sun's file is there" test -s "$W/sun-sed.sh"

# The sample as moon's /etc/charond/charond.yaml; the plugins from the build.
sed "s|^daemon:|daemon:\n  plugin_dir: \"$E2E_TOP/$E2E_B/plugins\"|" \
    "$EX/site-to-site-certs.yaml" >"$P/moon/charond.yaml"
(cd "$P" && sh "$W/sun-sed.sh")
for gw in moon sun; do
	"$CHAROND" --check-config -c "$P/$gw/charond.yaml" >"$W/out" 2>&1 ||
	    fail "$gw: --check-config (exit $?): $(cat "$W/out")"
	pass "$gw: the sample passes --check-config with the guide's files"
done
expect_in "$P/sun/charond.yaml" "certs: [x509/sun.pem, x509ca/inter.pem]" \
    "sun's file names sun's certificate"
expect_in "$P/sun/charond.yaml" "remote_ts: [10.1.0.0/16]" \
    "sun's file has the subnets swapped"

# Live, on loopback: the sample's addresses moved, no kernel, no start.
for gw in moon sun; do
	sed -e 's/192\.0\.2\./127.0.0./' -e 's/start_action: start/start_action: none/' \
	    -e "s|^daemon:|daemon:\n  kernel: none\n  listen: [$( [ $gw = moon ] && echo 127.0.0.1 || echo 127.0.0.2)]\n  retransmit: {timeout: 0.3s, base: 1.5, tries: 2}|" \
	    "$P/$gw/charond.yaml" >"$P/$gw/live.yaml"
	cp "$P/$gw/live.yaml" "$W/$gw.yaml"
done
# Relative paths are taken from the file's directory: run from there.
sed -i "s|x509/|$P/moon/x509/|; s|x509ca/|$P/moon/x509ca/|g; s|x509crl/|$P/moon/x509crl/|; s|private/|$P/moon/private/|" "$W/moon.yaml"
sed -i "s|x509/|$P/sun/x509/|; s|x509ca/|$P/sun/x509ca/|g; s|x509crl/|$P/sun/x509crl/|; s|private/|$P/sun/private/|" "$W/sun.yaml"
e2e_start sun
e2e_start moon
ctl moon --json initiate --child net --timeout 10
expect_rc 0 "moon and sun bring the tunnel up with the guide's certificates"
ctl sun --json list-sas
check "sun sees moon's ID" test \
    "$(jget 'd["ike_sas"][0]["remote"]["id"]' <"$W/out")" = moon.example.org
ctl moon --json list-certs
check "list-certs: moon's certificate, the intermediate, the root" test \
    "$(jget '[c["subject"] for c in d["certs"]]' <"$W/out")" = \
    "['CN=moon.example.org,O=Example', 'CN=Example Gateways CA,O=Example', 'CN=Example Root CA,O=Example']"
ctl moon --json terminate --ike site --timeout 10
expect_rc 0 "terminated"

# The guide's revocation of the intermediate.
block 1 >"$W/revoke.sh"
(cd "$P" && sh "$W/revoke.sh") >"$W/revoke.log" 2>&1 ||
    fail "the guide's revocation commands: $(cat "$W/revoke.log")"
pass "the guide's revocation commands ran"
ctl sun --json list-authorities
check "list-authorities reads the CRL on disk: one serial revoked" \
    test "$(jget 'd["authorities"][0]["crl"]["revoked"]' <"$W/out")" = 1
ctl sun load
expect_rc 0 "sun reloads with the new CRL"
ctl moon --json initiate --child net --timeout 10
expect_rc 1 "the intermediate revoked: moon is refused"
check "with AUTH_FAILED" grep -q AUTH_FAILED "$W/err"
expect_in "$W/sun.log" "revoked" "sun's log says the certificate is revoked"
