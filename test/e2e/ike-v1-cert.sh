#!/bin/sh
# SPDX-License-Identifier: ISC
#
# IKEv1 Main Mode with certificates (RFC 2409 5.1, RFC 4754) between two
# daemons with the x509 plugin (moon 127.0.0.1, sun 127.0.0.2, `kernel:
# none`), a PKI made here by the openssl CLI as x509-auth.sh makes it:
# RSA and ECDSA P-256 keys bring the ISAKMP SA up in both directions
# (moon initiating, then sun), list-sas shows version 1 ESTABLISHED on
# both ends with the peer's ID, and the logs name the method and the
# certificate checked. A certificate of a CA sun does not trust, and one
# its CRL revokes, fail with sun's one line and no SA left; keys of different kinds (RSA against
# ECDSA) are a method mismatch sun names. No children: Quick Mode is not
# there yet.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"
# shellcheck source=../lib/pki.sh
. "${0%/*}/../lib/pki.sh"

P=$W/pki
mkdir -p "$P"

mkca() {
	pki_ca_dir "$P/$1"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$P/$1/ca.key" -out "$P/$1/ca.pem" -days 60 \
	    -subj "/O=Example/CN=$2" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

# mkee CA NAME KEYTYPE SAN: NAME.key and NAME.pem
mkee() {
	case $3 in
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$P/$2.key" 2>/dev/null ;;
	p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$P/$2.key" 2>/dev/null ;;
	esac
	openssl req -new -key "$P/$2.key" -out "$P/$2.csr" \
	    -subj "/O=Example/CN=${2%%-*}" -addext "subjectAltName=$4" \
	    2>/dev/null
	openssl ca -batch -config "$P/$1/ca.cnf" -extensions ee \
	    -in "$P/$2.csr" -out "$P/$2.pem" -notext 2>/dev/null
}

mkca ca "Test CA"
mkca other "Other CA"
for kt in rsa p256; do
	mkee ca "moon-$kt" $kt DNS:moon.example.org
	mkee ca "sun-$kt" $kt DNS:sun.example.org
done
mkee other moon-other rsa DNS:moon.example.org
mkee ca moon-revoked rsa DNS:moon.example.org
openssl ca -batch -config "$P/ca/ca.cnf" -revoke "$P/moon-revoked.pem" \
    2>/dev/null
openssl ca -batch -config "$P/ca/ca.cnf" -gencrl -out "$P/ca/crl.pem" \
    2>/dev/null
pass "a PKI made with the openssl CLI"

# conf NAME LOCAL REMOTE KEYNAME ID: version 1, pubkey, no children.
conf() {
	cat >"$W/$1.yaml" <<EOF
daemon:
  kernel: none
  listen: [$2]
  plugin_dir: "$E2E_TOP/$E2E_B/plugins"
  retransmit: {timeout: 0.3s, base: 1.5, tries: 2}
authorities:
  test-ca:
    cacert: $P/ca/ca.pem
    crl: $P/ca/crl.pem
connections:
  site:
    version: 1
    local_addrs: [$2]
    remote_addrs: [$3]
    proposals: [aes128-sha256-modp2048]
    local: {auth: pubkey, id: $5, certs: [$P/$4.pem], key: $P/$4.key}
    remote: {auth: pubkey, ca: test-ca}
EOF
}

conf moon 127.0.0.1 127.0.0.2 moon-rsa moon.example.org
conf sun 127.0.0.2 127.0.0.1 sun-rsa sun.example.org
e2e_start sun
e2e_start moon

no_sa() {
	for n in moon sun; do
		ctl $n --json list-sas
		check "$n: no SA left ($1)" test \
		    "$(jget 'len(d["ike_sas"])' <"$W/out")" = 0
	done
}

# reload MOONKEY SUNKEY: both daemons with these certificates. The SAs
# of a changed connection go with it (there is no Informational DELETE
# yet to tell the peer: v1_info.c).
reload() {
	conf moon 127.0.0.1 127.0.0.2 "$1" moon.example.org
	conf sun 127.0.0.2 127.0.0.1 "$2" sun.example.org
	ctl moon load
	expect_rc 0 "moon loads $1"
	ctl sun load
	expect_rc 0 "sun loads $2"
}

# up FROM TO WHAT METHOD: FROM initiates, both list the ISAKMP SA, TO
# names FROM's certificate and the method.
up() {
	t0=$(wc -l <"$W/$2.log")
	ctl "$1" --json initiate --ike site --timeout 10
	expect_rc 0 "$3: $1 brings the ISAKMP SA up"
	for n in moon sun; do
		ctl $n --json list-sas
		check "$3: $n lists one ESTABLISHED IKEv1 SA" test \
		    "$(jget '(len(d["ike_sas"]), d["ike_sas"][0]["version"],
			d["ike_sas"][0]["state"])' <"$W/out")" = \
		    "(1, 1, 'ESTABLISHED')"
	done
	check "$3: sun sees moon's ID" test \
	    "$(jget 'd["ike_sas"][0]["remote"]["id"]' <"$W/out")" = \
	    moon.example.org
	check "$3: $2 checked $1's certificate" \
	    sh -c "tail -n +$((t0 + 1)) '$W/$2.log' | grep -q -F 'peer certificate CN=$1,O=Example, $4, issued by CN=Test CA,O=Example'"
	check "$3: $2 says how $1 authenticated" \
	    sh -c "tail -n +$((t0 + 1)) '$W/$2.log' | grep -q -F \"peer '$1.example.org' authenticated with $5\""
	ctl "$1" --json terminate --ike site --timeout 10
	expect_rc 0 "$3: terminated"
}

up moon sun "RSA" "RSA signatures" "RSA signatures"
reload moon-p256 sun-p256
up moon sun "ECDSA P-256" "ECDSA signatures on P-256 (SHA-256)" \
    "ECDSA signatures on P-256"
reload moon-rsa sun-rsa
up sun moon "RSA, sun initiating" "RSA signatures" "RSA signatures"
reload moon-p256 sun-p256
up sun moon "ECDSA P-256, sun initiating" \
    "ECDSA signatures on P-256 (SHA-256)" "ECDSA signatures on P-256"

# A certificate of a CA sun does not trust: sun's line, nothing up.
reload moon-other sun-rsa
ctl moon --json initiate --ike site --timeout 10
check "another CA: initiate fails" test "$rc" -ne 0
expect_in "$W/sun.log" "peer failed authentication in message 5: peer certificate CN=moon,O=Example issued by CN=Other CA,O=Example: no trusted authority" \
    "another CA: sun's line"
expect_in "$W/moon.log" "peer refused our signature (AUTHENTICATION-FAILED)" \
    "another CA: moon told"
no_sa "another CA"

# A revoked certificate (the CA's CRL): refused as for IKEv2.
reload moon-revoked sun-rsa
ctl moon --json initiate --ike site --timeout 10
check "revoked: initiate fails" test "$rc" -ne 0
expect_in "$W/sun.log" "peer failed authentication in message 5: peer certificate CN=moon,O=Example revoked" \
    "revoked: sun's line"
no_sa "revoked"

# RSA against ECDSA: one method for both ends in IKEv1, named by sun.
reload moon-rsa sun-p256
ctl moon --json initiate --ike site --timeout 10
check "RSA against ECDSA: initiate fails" test "$rc" -ne 0
expect_in "$W/sun.log" "peer offered RSA signatures, connection 'site' has auth: pubkey (ECDSA signatures on P-256)" \
    "method mismatch: sun's line"
expect_in "$W/moon.log" "NO-PROPOSAL-CHOSEN" "method mismatch: moon told"
no_sa "method mismatch"

e2e_stop moon
e2e_stop sun
