#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Which of our certificates the x509 plugin sends (RFC 7296 3.7): moon's
# one key is certified by CA "old" and, through an intermediate, by CA
# "new" (a CA migration), both in local.certs. The peer's CERTREQ names
# the CA it trusts: sun trusting only new gets moon's certificate from
# new, with its intermediate; only old, the one from old; both, the first
# written. In both roles, checked by the ID sun saw (no local.id: the
# chosen certificate's subject, O=Old or O=New) and sun's log of the
# certificate it verified. The config check refuses an end entity of
# another key, a list of CA certificates only, and a local.id that is in
# none of them.
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

# mkee CA OUT KEY SUBJECT SAN: OUT.pem for KEY, issued by CA.
mkee() {
	openssl req -new -key "$P/$3.key" -out "$P/$2.csr" -subj "$4" \
	    -addext "subjectAltName=$5" 2>/dev/null
	openssl ca -batch -config "$P/$1/ca.cnf" -extensions ee \
	    -in "$P/$2.csr" -out "$P/$2.pem" -notext 2>/dev/null
}

mkca old "Old CA"
mkca new "New CA"
mkca inter "New Inter"
openssl req -new -key "$P/inter/ca.key" -subj "/O=Example/CN=New Inter" \
    -out "$P/inter/ca.csr" 2>/dev/null
openssl ca -batch -config "$P/new/ca.cnf" -extensions inter \
    -in "$P/inter/ca.csr" -out "$P/inter/ca.pem" -notext 2>/dev/null
for k in moon sun other; do
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$P/$k.key" 2>/dev/null
done
mkee old moon-old moon "/O=Old/CN=moon" DNS:moon.example.org
mkee inter moon-new moon "/O=New/CN=moon" \
    DNS:moon.example.org,DNS:moon.new.example.org
mkee old moon-other other "/O=Old/CN=moon" DNS:moon.example.org
mkee new sun sun "/O=Example/CN=sun" DNS:sun.example.org
pass "two CAs, moon's key certified by each"

# conf NAME LOCAL REMOTE CERTS KEY [CA [ID]]: a pubkey connection; the
# peer's certificate from CA (none: any of old and new).
conf() {
	cat >"$W/$1.yaml" <<EOF2
daemon:
  kernel: none
  listen: [$2]
  plugin_dir: "$E2E_TOP/$E2E_B/plugins"
  retransmit: {timeout: 0.3s, base: 1.5, tries: 2}
authorities:
  old:
    cacert: $P/old/ca.pem
  new:
    cacert: $P/new/ca.pem
connections:
  site:
    local_addrs: [$2]
    remote_addrs: [$3]
    proposals: [aes128gcm16-prfsha256-ecp256]
    local: {auth: pubkey, ${7:+id: $7, }certs: [$4], key: $5}
    remote: {auth: pubkey${6:+, ca: $6}}
    children:
      net:
        local_ts: [$8]
        remote_ts: [$9]
        esp_proposals: [aes128gcm16]
EOF2
}

MOON_CERTS="$P/moon-old.pem, $P/inter/ca.pem, $P/moon-new.pem"
conf moon 127.0.0.1 127.0.0.2 "$MOON_CERTS" "$P/moon.key" "" "" \
    10.1.0.0/16 10.2.0.0/16
conf sun 127.0.0.2 127.0.0.1 "$P/sun.pem" "$P/sun.key" new "" \
    10.2.0.0/16 10.1.0.0/16
e2e_start moon
e2e_start sun

# logged NAME TEXT DESC: TEXT in NAME's log since the last mark.
mark() {
	m_moon=$(wc -l <"$W/moon.log")
	m_sun=$(wc -l <"$W/sun.log")
}
logged() {
	eval "l_from=\$m_$1"
	tail -n "+$((l_from + 1))" "$W/$1.log" >"$W/since"
	expect_in "$W/since" "$2" "$3"
}

# up INITIATOR DESC ORG ISSUER: the SA comes up, sun saw moon's
# certificate of O=ORG issued by ISSUER, and moon said why it sent it.
up() {
	mark
	ctl "$1" --json initiate --child net --timeout 10
	expect_rc 0 "$2: up ($1 initiates)"
	ctl sun --json list-sas
	check "$2 ($1 initiates): sun saw moon's certificate of $3" test \
	    "$(jget 'd["ike_sas"][0]["remote"]["id"]' <"$W/out")" = \
	    "CN=moon,O=$3"
	logged sun "peer certificate CN=moon,O=$3, ecdsa-with-SHA256, issued by CN=$4,O=Example" \
	    "$2 ($1 initiates): sun verified moon's certificate from $4"
	ctl "$1" --json terminate --ike site --timeout 10
	expect_rc 0 "$2 ($1 initiates): terminated"
}

# sun trusts only new: its CERTREQ names new, so moon's second end
# entity goes, with the intermediate that chains it to new.
for who in moon sun; do
	up $who "sun trusts new" New "New Inter"
	logged moon "sending certificate CN=moon,O=New (issuer CN=New Inter,O=Example): the peer's CERTREQ names CN=New CA,O=Example" \
	    "moon says why ($who initiates)"
done

conf sun 127.0.0.2 127.0.0.1 "$P/sun.pem" "$P/sun.key" old "" \
    10.2.0.0/16 10.1.0.0/16
ctl sun load
expect_rc 0 "sun now trusts only old"
for who in moon sun; do
	up $who "sun trusts old" Old "Old CA"
	logged moon "sending certificate CN=moon,O=Old (issuer CN=Old CA,O=Example): the peer's CERTREQ names CN=Old CA,O=Example" \
	    "moon says why ($who initiates)"
done

# Both trusted: the first of local.certs the CERTREQ names.
conf sun 127.0.0.2 127.0.0.1 "$P/sun.pem" "$P/sun.key" "" "" \
    10.2.0.0/16 10.1.0.0/16
ctl sun load
expect_rc 0 "sun trusts both"
up moon "sun trusts both" Old "Old CA"
# The same, written the other way round: new first.
conf moon 127.0.0.1 127.0.0.2 "$P/inter/ca.pem, $P/moon-new.pem, $P/moon-old.pem" \
    "$P/moon.key" "" "" 10.1.0.0/16 10.2.0.0/16
ctl moon load
expect_rc 0 "moon lists new first"
up moon "new written first, sun trusts both" New "New Inter"

# A configured local.id narrows the choice to the certificates that
# hold it: moon.new.example.org is only in the one from new.
conf moon 127.0.0.1 127.0.0.2 "$MOON_CERTS" "$P/moon.key" "" \
    moon.new.example.org 10.1.0.0/16 10.2.0.0/16
ctl moon load
expect_rc 0 "moon loads local.id moon.new.example.org"
mark
ctl moon --json initiate --child net --timeout 10
expect_rc 0 "local.id in the second certificate: up"
logged moon "sending certificate CN=moon,O=New (issuer CN=New Inter,O=Example)" \
    "the certificate that holds local.id goes"
ctl moon --json terminate --ike site --timeout 10

# list-certs: both end entities are moon's certificates for site.
conf moon 127.0.0.1 127.0.0.2 "$MOON_CERTS" "$P/moon.key" "" "" \
    10.1.0.0/16 10.2.0.0/16
ctl moon load
ctl moon --json list-certs --conn site
expect_rc 0 "list-certs"
check "list-certs: each end entity a local-cert, the intermediate one" test \
    "$(jget '[(c["path"].split("/")[-1], c["used_by"][0]["as"]) for c in d["certs"] if c["used_by"][0].get("conn") == "site"]' <"$W/out")" = \
    "[('moon-old.pem', 'local-cert'), ('ca.pem', 'local-intermediate'), ('moon-new.pem', 'local-cert')]"

# refused YAML-EDIT TEXT DESC: moon.yaml so edited fails the config check
# at local.certs (or local for the ID), saying TEXT.
refused() {
	sed "$1" "$W/moon.yaml" >"$W/bad.yaml"
	rc=0
	"$CHAROND" -c "$W/bad.yaml" --check-config >"$W/out" 2>&1 || rc=$?
	check "$3: refused" test "$rc" -eq 2
	expect_in "$W/out" "$2" "$3: says why"
	line=$(grep -n 'certs:' "$W/bad.yaml" | cut -d: -f1)
	expect_in "$W/out" "bad.yaml:$line:" "$3: FILE:LINE:COL of the connection's local"
}
refused "s|$P/moon-new.pem|$P/moon-other.pem|" \
    "$P/moon.key is not the key of $P/moon-other.pem (CN=moon,O=Old, an end-entity certificate" \
    "an end entity of another key"
refused "s|certs: \[.*\]|certs: [$P/inter/ca.pem]|" \
    "no end-entity certificate in local.certs, only CA certificates" \
    "CA certificates only"
refused "s|auth: pubkey, certs|auth: pubkey, id: other.example.org, certs|" \
    "local ID other.example.org not in its certificate (SANs: moon.example.org), nor in our other certificates" \
    "a local.id in none of them"

e2e_stop moon
e2e_stop sun
