#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The x509 plugin between moon (127.0.0.1) and sun (127.0.0.2) with
# daemon.kernel: none, certificates made here by the openssl CLI (no key
# is committed): `auth: pubkey` with RSA, ECDSA P-256 and Ed25519 keys
# brings the SAs up; a certificate of another CA, an expired one, a
# revoked one and an ID that is not in the certificate each fail with
# AUTH_FAILED (AUTHENTICATION_FAILED on the wire), the responder's log
# saying why in one line, and no SA left on either end; so does a
# certificate the intermediate's CRL revokes (`crl: [root's, inter's]`).
# A broken certificate or CRL file refuses the config at its key,
# FILE:LINE:COL. An encrypted key comes up with its passphrase from
# `secrets: private` (secret_file), is refused without one or with a
# wrong one, and a changed passphrase and key take effect on load.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"
# shellcheck source=../lib/pki.sh
. "${0%/*}/../lib/pki.sh"

P=$W/pki
mkdir -p "$P"

# A CA (ECDSA P-256) with `openssl ca`'s database, for dates and CRLs.
mkca() {
	pki_ca_dir "$P/$1"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$P/$1/ca.key" -out "$P/$1/ca.pem" -days 60 \
	    -subj "/O=Example/CN=$2" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

# mkee CA NAME KEYTYPE SAN [openssl ca options]: NAME.key and NAME.pem
mkee() {
	ca=$1 name=$2 kt=$3 san=$4
	shift 4
	case $kt in
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$P/$name.key" 2>/dev/null ;;
	p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$P/$name.key" 2>/dev/null ;;
	p384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 \
	    -out "$P/$name.key" 2>/dev/null ;;
	ed25519) openssl genpkey -algorithm ed25519 -out "$P/$name.key" ;;
	ed448) openssl genpkey -algorithm ed448 -out "$P/$name.key" ;;
	esac
	openssl req -new -key "$P/$name.key" -out "$P/$name.csr" \
	    -subj "/O=Example/CN=${name%%-*}" -addext "subjectAltName=$san" \
	    2>/dev/null
	openssl ca -batch -config "$P/$ca/ca.cnf" -extensions ee \
	    -in "$P/$name.csr" -out "$P/$name.pem" -notext "$@" 2>/dev/null
}

mkca ca "Test CA"
mkca other "Other CA"
for kt in rsa p256 p384 ed25519 ed448; do
	mkee ca "moon-$kt" $kt DNS:moon.example.org
	mkee ca "sun-$kt" $kt DNS:sun.example.org
done
mkee other moon-other p256 DNS:moon.example.org
mkee other sun-other p256 DNS:sun.example.org
mkee ca moon-expired p256 DNS:moon.example.org \
    -startdate 20200101000000Z -enddate 20210101120000Z
mkee ca moon-revoked p256 DNS:moon.example.org
# An intermediate CA under test-ca, and a certificate of moon's from it.
mkca inter "Inter CA"
openssl req -new -key "$P/inter/ca.key" -subj "/O=Example/CN=Inter CA" \
    -out "$P/inter/ca.csr" 2>/dev/null
openssl ca -batch -config "$P/ca/ca.cnf" -extensions inter \
    -in "$P/inter/ca.csr" -out "$P/inter/ca.pem" -notext 2>/dev/null
mkee inter moon-chained p256 DNS:moon.example.org
# Another of the intermediate's, which the intermediate's CRL revokes.
mkee inter moon-chrevoked p256 DNS:moon.example.org
openssl ca -batch -config "$P/inter/ca.cnf" -revoke "$P/moon-chrevoked.pem" \
    2>/dev/null
openssl ca -batch -config "$P/inter/ca.cnf" -gencrl -out "$P/inter/crl.pem" \
    2>/dev/null
# moon-p256's key in a certificate for another name.
openssl req -new -key "$P/moon-p256.key" -out "$P/moon-wrong.csr" \
    -subj "/O=Example/CN=moon" -addext "subjectAltName=DNS:other.example.org" \
    2>/dev/null
openssl ca -batch -config "$P/ca/ca.cnf" -extensions ee \
    -in "$P/moon-wrong.csr" -out "$P/moon-wrong.pem" -notext 2>/dev/null
openssl ca -batch -config "$P/ca/ca.cnf" -revoke "$P/moon-revoked.pem" \
    2>/dev/null
openssl ca -batch -config "$P/ca/ca.cnf" -gencrl -out "$P/ca/crl.pem" \
    2>/dev/null
# DER on sun's side, PEM on moon's: both load.
openssl x509 -in "$P/ca/ca.pem" -outform DER -out "$P/ca/ca.der"
for kt in rsa p256 p384 ed25519 ed448 other; do
	openssl x509 -in "$P/sun-$kt.pem" -outform DER -out "$P/sun-$kt.der"
	openssl pkey -in "$P/sun-$kt.key" -outform DER -out "$P/sun-$kt.kder"
done
pass "a PKI made with the openssl CLI"

# conf NAME LOCAL REMOTE CERT KEY [ID]: a pubkey connection trusting
# test-ca (with its CRL).
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
    local_addrs: [$2]
    remote_addrs: [$3]
    proposals: [aes128gcm16-prfsha256-ecp256]
    local: {auth: pubkey, ${6:+id: $6, }certs: [$4], key: $5}
    remote: {auth: pubkey, ca: test-ca}
    children:
      net:
        local_ts: [10.1.0.0/16]
        remote_ts: [10.2.0.0/16]
        esp_proposals: [aes128gcm16]
EOF
}

conf moon 127.0.0.1 127.0.0.2 "$P/moon-rsa.pem" "$P/moon-rsa.key" \
    moon.example.org
conf sun 127.0.0.2 127.0.0.1 "$P/sun-rsa.der" "$P/sun-rsa.kder" \
    sun.example.org
# sun: the other end's selectors, and the CA in DER.
swap_ts() {
	sed -i -e 's|local_ts: \[10.1.0.0/16\]|local_ts: [10.2.0.0/16]|' \
	    -e 's|remote_ts: \[10.2.0.0/16\]|remote_ts: [10.1.0.0/16]|' \
	    -e "s|cacert: $P/ca/ca.pem|cacert: $P/ca/ca.der|" "$W/sun.yaml"
}
swap_ts
e2e_start sun
e2e_start moon

no_sa() {
	for n in moon sun; do
		ctl $n --json list-sas
		check "$n: no SA left ($1)" test \
		    "$(jget 'len(d["ike_sas"])' <"$W/out")" = 0
	done
}

# up KT: moon and sun with KT keys; the SA comes up and goes.
up() {
	conf moon 127.0.0.1 127.0.0.2 "$P/moon-$1.pem" "$P/moon-$1.key" \
	    moon.example.org
	conf sun 127.0.0.2 127.0.0.1 "$P/sun-$1.der" "$P/sun-$1.kder" \
	    sun.example.org
	swap_ts
	ctl moon load
	expect_rc 0 "moon loads its $1 certificate"
	ctl sun load
	expect_rc 0 "sun loads its $1 certificate (DER)"
	ctl moon --json initiate --child net --timeout 10
	expect_rc 0 "$1: IKE SA and CHILD SA up"
	ctl sun --json list-sas
	check "$1: sun sees moon's ID" test \
	    "$(jget 'd["ike_sas"][0]["remote"]["id"]' <"$W/out")" = \
	    moon.example.org
	ctl moon --json terminate --ike site --timeout 10
	expect_rc 0 "$1: terminated"
}

up rsa
expect_in "$W/sun.log" "peer certificate CN=moon,O=Example, rsassa-pss-SHA256" \
    "RSA: an RFC 7427 RSASSA-PSS signature, verified"
# allow_sha1 on both ends: each names its hashes, so AUTH is still method
# 14 with SHA-256 (we never sign SHA-1 there), and no SHA-1 is accepted.
# (Method 1 with SHA-1 needs a peer without RFC 7427: the VM's
# x509-strongswan scenario.)
conf moon 127.0.0.1 127.0.0.2 "$P/moon-rsa.pem" "$P/moon-rsa.key" \
    moon.example.org
conf sun 127.0.0.2 127.0.0.1 "$P/sun-rsa.der" "$P/sun-rsa.kder" \
    sun.example.org
swap_ts
sed -i 's|^  site:$|  site:\n    allow_sha1: yes|' "$W/moon.yaml" "$W/sun.yaml"
ctl moon load
expect_rc 0 "moon loads allow_sha1: yes"
ctl sun load
expect_rc 0 "sun loads allow_sha1: yes"
m0=$(wc -l <"$W/moon.log") s0=$(wc -l <"$W/sun.log")
ctl moon --json initiate --child net --timeout 10
expect_rc 0 "allow_sha1 on both: up"
check "allow_sha1: sun verified RSASSA-PSS with SHA-256 (method 14)" \
    sh -c "tail -n +$((s0 + 1)) '$W/sun.log' | grep -q -F 'peer certificate CN=moon,O=Example, rsassa-pss-SHA256'"
check "allow_sha1: moon verified RSASSA-PSS with SHA-256 (method 14)" \
    sh -c "tail -n +$((m0 + 1)) '$W/moon.log' | grep -q -F 'peer certificate CN=sun,O=Example, rsassa-pss-SHA256'"
check "allow_sha1: no SHA-1 signature made or accepted" \
    sh -c "! { tail -n +$((s0 + 1)) '$W/sun.log'; tail -n +$((m0 + 1)) '$W/moon.log'; } | grep -q -e SHA-1 -e 'AUTH method 1)'"
ctl moon --json terminate --ike site --timeout 10
expect_rc 0 "allow_sha1: terminated"

up p256
expect_in "$W/sun.log" "peer certificate CN=moon,O=Example, ecdsa-with-SHA256" \
    "ECDSA P-256: an RFC 7427 signature, verified"
up ed25519
expect_in "$W/sun.log" "peer certificate CN=moon,O=Example, ED25519" \
    "Ed25519: an RFC 7427 signature, verified"
up p384
expect_in "$W/sun.log" "peer certificate CN=moon,O=Example, ecdsa-with-SHA384" \
    "ECDSA P-384: SHA-384, the curve's own hash"
up ed448
expect_in "$W/sun.log" "peer certificate CN=moon,O=Example, ED448" \
    "Ed448: an RFC 7427 signature, verified"

# A chain: moon sends its certificate and the intermediate (local.certs);
# sun trusts only test-ca, whose CRL (about what test-ca issued) counts.
conf moon 127.0.0.1 127.0.0.2 "$P/moon-chained.pem, $P/inter/ca.pem" \
    "$P/moon-p256.key" moon.example.org
sed -i "s|key: $P/moon-p256.key|key: $P/moon-chained.key|" "$W/moon.yaml"
ctl moon load
expect_rc 0 "moon loads its certificate and the intermediate"
ctl moon --json initiate --child net --timeout 10
expect_rc 0 "through an intermediate: up"
expect_in "$W/sun.log" "peer certificate CN=moon,O=Example, ecdsa-with-SHA256" \
    "sun verified the chained certificate"
ctl moon --json terminate --ike site --timeout 10
expect_rc 0 "terminated"
conf moon 127.0.0.1 127.0.0.2 "$P/moon-chained.pem" "$P/moon-chained.key" \
    moon.example.org
ctl moon load
ctl moon --json initiate --ike site --timeout 10
expect_rc 1 "without the intermediate: refused"
expect_in "$W/sun.log" "peer certificate CN=moon,O=Example issued by CN=Inter CA,O=Example: no trusted authority (connection site trusts test-ca)" \
    "sun says the chain does not reach test-ca"

# The intermediate's CRL in test-ca's list (`crl: [root's, inter's]`):
# what the intermediate issued and revoked is refused, the rest goes up.
sed -i "s|crl: $P/ca/crl.pem|crl: [$P/ca/crl.pem, $P/inter/crl.pem]|" \
    "$W/sun.yaml"
ctl sun load
expect_rc 0 "sun loads test-ca with two CRLs"
ctl sun --json list-authorities
check "list-authorities shows both CRLs" test \
    "$(jget '"|".join(c["path"] + " " + c["issuer"] for c in d["authorities"][0]["crls"])' <"$W/out")" = \
    "$P/ca/crl.pem CN=Test CA,O=Example|$P/inter/crl.pem CN=Inter CA,O=Example"
conf moon 127.0.0.1 127.0.0.2 "$P/moon-chained.pem, $P/inter/ca.pem" \
    "$P/moon-chained.key" moon.example.org
ctl moon load
ctl moon --json initiate --child net --timeout 10
expect_rc 0 "chained, not revoked, with the intermediate's CRL: up"
ctl moon --json terminate --ike site --timeout 10
expect_rc 0 "terminated"
conf moon 127.0.0.1 127.0.0.2 "$P/moon-chrevoked.pem, $P/inter/ca.pem" \
    "$P/moon-chrevoked.key" moon.example.org
ctl moon load
expect_rc 0 "moon loads the certificate the intermediate revoked"
ctl moon --json initiate --ike site --timeout 10
expect_rc 1 "revoked by the intermediate's CRL: initiate fails"
check "with AUTH_FAILED" test "$(jget 'd["code"]' <"$W/err")" = AUTH_FAILED
expect_in "$W/sun.log" "failed authentication: peer certificate CN=moon,O=Example revoked $(date -u +%Y-%m-%d) (CRL of CN=Inter CA,O=Example)" \
    "sun says the intermediate's CRL revokes it"
sleep 0.3
no_sa "revoked by the intermediate"

# The initiator refuses the responder's certificate too.
conf moon 127.0.0.1 127.0.0.2 "$P/moon-p256.pem" "$P/moon-p256.key" \
    moon.example.org
conf sun 127.0.0.2 127.0.0.1 "$P/sun-other.der" "$P/sun-other.kder" \
    sun.example.org
swap_ts
ctl moon load
ctl sun load
expect_rc 0 "sun loads a certificate of another CA"
ctl moon --json initiate --ike site --timeout 10
expect_rc 1 "moon refuses sun's certificate: initiate fails"
check "with AUTH_FAILED" test "$(jget 'd["code"]' <"$W/err")" = AUTH_FAILED
expect_in "$W/moon.log" "peer 'sun.example.org' failed authentication: peer certificate CN=sun,O=Example issued by CN=Other CA,O=Example: no trusted authority (connection site trusts test-ca)" \
    "moon says why"
sleep 0.5
no_sa "the initiator refused"
conf sun 127.0.0.2 127.0.0.1 "$P/sun-p256.der" "$P/sun-p256.kder" \
    sun.example.org
swap_ts
ctl sun load
expect_rc 0 "sun back to its own certificate"

# fails CERT KEY [ID] REASON DESC: moon with that certificate is refused.
fails() {
	conf moon 127.0.0.1 127.0.0.2 "$P/$1.pem" "$P/$1.key" "$3"
	ctl moon load
	expect_rc 0 "moon loads $1"
	ctl moon --json initiate --ike site --timeout 10
	expect_rc 1 "$5: initiate fails"
	check "$5: with AUTH_FAILED" test \
	    "$(jget 'd["code"]' <"$W/err")" = AUTH_FAILED
	expect_in "$W/sun.log" "$4" "$5: sun says why"
	sleep 0.3
	no_sa "$5"
}

fails moon-other "" moon.example.org \
    "failed authentication: peer certificate CN=moon,O=Example issued by CN=Other CA,O=Example: no trusted authority (connection site trusts test-ca)" \
    "another CA"
fails moon-expired "" moon.example.org \
    "failed authentication: peer certificate CN=moon,O=Example expired 2021-01-01 12:00:00 UTC" \
    "an expired certificate"
fails moon-revoked "" moon.example.org \
    "failed authentication: peer certificate CN=moon,O=Example revoked $(date -u +%Y-%m-%d) (CRL of test-ca)" \
    "a revoked certificate"
# An ID not in the certificate: moon's own check would refuse that, so
# its certificate file changes after the load, which the next use reads.
conf moon 127.0.0.1 127.0.0.2 "$P/moon-id.pem" "$P/moon-p256.key" \
    moon.example.org
cp "$P/moon-p256.pem" "$P/moon-id.pem"
ctl moon load
expect_rc 0 "moon loads moon-id.pem"
rm "$P/moon-id.pem"
cp "$P/moon-wrong.pem" "$P/moon-id.pem"
ctl moon --json initiate --ike site --timeout 10
expect_rc 1 "an ID not in the certificate: initiate fails"
check "an ID not in the certificate: with AUTH_FAILED" test \
    "$(jget 'd["code"]' <"$W/err")" = AUTH_FAILED
expect_in "$W/sun.log" "peer ID moon.example.org not in its certificate (SANs: other.example.org)" \
    "an ID not in the certificate: sun says why"
sleep 0.3
no_sa "an ID not in the certificate"

# Without local.id: our certificate's subject DN (ID_DER_ASN1_DN).
conf moon 127.0.0.1 127.0.0.2 "$P/moon-p256.pem" "$P/moon-p256.key"
ctl moon load
expect_rc 0 "moon loads a connection without local.id"
ctl moon --json initiate --child net --timeout 10
expect_rc 0 "without local.id: up, with the subject DN as ID"
ctl moon --json list-sas
check "moon: its ID is its certificate's subject" test \
    "$(jget 'd["ike_sas"][0]["local"]["id"]' <"$W/out")" = "CN=moon,O=Example"
ctl sun --json list-sas
check "sun: moon's ID is that DN" test \
    "$(jget 'd["ike_sas"][0]["remote"]["id"]' <"$W/out")" = "CN=moon,O=Example"
expect_in "$W/sun.log" "peer 'CN=moon,O=Example' authenticated (AUTH method 14)" \
    "the log names the DN"
ctl moon --json terminate --ike site --timeout 10
expect_rc 0 "terminated"

# A DN written as the log prints it: moon's local.id, sun's remote.id.
conf moon 127.0.0.1 127.0.0.2 "$P/moon-p256.pem" "$P/moon-p256.key" \
    '"CN=moon, O=Example"'
sed -i 's|remote: {auth: pubkey, ca: test-ca}|remote: {auth: pubkey, ca: test-ca, id: "CN=moon,O=Example"}|' \
    "$W/sun.yaml"
ctl moon load
expect_rc 0 "moon loads local.id as a DN"
ctl sun load
expect_rc 0 "sun loads remote.id as a DN"
ctl moon --json initiate --child net --timeout 10
expect_rc 0 "DN IDs written in both configs: up"
ctl sun --json list-sas
check "sun: moon's ID is the DN" test \
    "$(jget 'd["ike_sas"][0]["remote"]["id"]' <"$W/out")" = "CN=moon,O=Example"
ctl moon --json terminate --ike site --timeout 10
expect_rc 0 "terminated"
sed -i 's|id: "CN=moon,O=Example"}|id: "CN=other,O=Example"}|' "$W/sun.yaml"
ctl sun load
ctl moon --json initiate --ike site --timeout 10
expect_rc 1 "sun expects another DN: initiate fails"
expect_in "$W/sun.log" "peer identity 'CN=moon,O=Example' is not the one configured for 'site'" \
    "sun says whom it saw"
conf sun 127.0.0.2 127.0.0.1 "$P/sun-p256.der" "$P/sun-p256.kder" \
    sun.example.org
swap_ts
ctl sun load

# A certificate file broken under a running daemon: the reload is refused
# at the key, and the daemon goes on with what it had loaded.
cp "$P/moon-p256.pem" "$P/moon-live.pem"
conf moon 127.0.0.1 127.0.0.2 "$P/moon-live.pem" "$P/moon-p256.key" \
    moon.example.org
ctl moon load
expect_rc 0 "moon loads moon-live.pem"
rm "$P/moon-live.pem"
echo "broken" >"$P/moon-live.pem"
ctl moon load
expect_rc 2 "a reload with the file broken is refused"
expect_in "$W/err" "moon.yaml:15:56: error: $P/moon-live.pem: no certificate in it" \
    "at local.certs"
ctl moon --json initiate --child net --timeout 10
expect_rc 0 "the running config still comes up, with what had loaded"
ctl moon --json terminate --ike site --timeout 10
expect_rc 0 "terminated"

# Broken files refuse the config at their key.
conf moon 127.0.0.1 127.0.0.2 "$P/moon-p256.pem" "$P/moon-p256.key" \
    moon.example.org
echo "not a certificate" >"$P/broken.pem"
sed "s|certs: \[$P/moon-p256.pem\]|certs: [$P/broken.pem]|" "$W/moon.yaml" \
    >"$W/bad.yaml"
rc=0
"$CHAROND" -c "$W/bad.yaml" --check-config >"$W/out" 2>&1 || rc=$?
check "a broken certificate refused" test "$rc" -eq 2
expect_in "$W/out" "bad.yaml:15:56: error: $P/broken.pem: no certificate in it" \
    "at local.certs, FILE:LINE:COL"
openssl pkey -in "$P/moon-p256.key" -aes256 -passout pass:x \
    -out "$P/enc.key"
sed "s|key: $P/moon-p256.key|key: $P/enc.key|" "$W/moon.yaml" >"$W/bad.yaml"
rc=0
"$CHAROND" -c "$W/bad.yaml" --check-config >"$W/out" 2>&1 || rc=$?
check "an encrypted key without a passphrase refused" test "$rc" -eq 2
col=$(awk 'NR == 15 { print index($0, "key: ") + 5 }' "$W/bad.yaml")
expect_in "$W/out" "bad.yaml:15:$col: error: key $P/enc.key is encrypted: add a secrets.private entry with its passphrase" \
    "saying what to add, at local.key"
echo "not a CRL" >"$P/broken.crl"
sed "s|crl: $P/ca/crl.pem|crl: [$P/ca/crl.pem, $P/broken.crl]|" \
    "$W/moon.yaml" >"$W/bad.yaml"
rc=0
"$CHAROND" -c "$W/bad.yaml" --check-config >"$W/out" 2>&1 || rc=$?
check "a broken CRL in a list refused" test "$rc" -eq 2
expect_in "$W/out" "bad.yaml:16:32: error: authority test-ca: $P/broken.crl: no CRL in it" \
    "at remote.ca, FILE:LINE:COL"
sed "s|crl: $P/ca/crl.pem|crl: [$P/ca/crl.pem, $P/gone.crl]|" \
    "$W/moon.yaml" >"$W/bad.yaml"
rc=0
"$CHAROND" -c "$W/bad.yaml" --check-config >"$W/out" 2>&1 || rc=$?
check "a missing CRL in a list refused" test "$rc" -eq 2
expect_in "$W/out" "bad.yaml:9:" "at its item in the list"
many=$P/ca/crl.pem
for i in $(seq 16); do many="$many, $P/ca/crl.pem"; done
sed "s|crl: $P/ca/crl.pem|crl: [$many]|" "$W/moon.yaml" >"$W/bad.yaml"
rc=0
"$CHAROND" -c "$W/bad.yaml" --check-config >"$W/out" 2>&1 || rc=$?
check "more CRL files than are checked refused" test "$rc" -eq 2
expect_in "$W/out" "bad.yaml:16:32: error: authority test-ca: 17 CRL files, at most 16" \
    "saying the limit"
sed "s|key: $P/moon-p256.key|key: $P/moon-rsa.key|" "$W/moon.yaml" \
    >"$W/bad.yaml"
rc=0
"$CHAROND" -c "$W/bad.yaml" --check-config >"$W/out" 2>&1 || rc=$?
check "a key that is not the certificate's refused" test "$rc" -eq 2
expect_in "$W/out" "is not the key of $P/moon-p256.pem" "saying which"
sed "s|id: moon.example.org|id: other.example.org|" "$W/moon.yaml" \
    >"$W/bad.yaml"
rc=0
"$CHAROND" -c "$W/bad.yaml" --check-config >"$W/out" 2>&1 || rc=$?
check "a local ID not in our certificate refused" test "$rc" -eq 2
expect_in "$W/out" "local ID other.example.org not in its certificate (SANs: moon.example.org)" \
    "naming the SANs"
sed 's|^  site:$|  site:\n    allow_sha1: maybe|' "$W/moon.yaml" >"$W/bad.yaml"
rc=0
"$CHAROND" -c "$W/bad.yaml" --check-config >"$W/out" 2>&1 || rc=$?
check "allow_sha1: maybe refused" test "$rc" -eq 2
expect_in "$W/out" "bad.yaml:12:17: error: bad value 'maybe' for 'allow_sha1'" \
    "at allow_sha1's value"
cat >"$W/bad.yaml" <<EOF
daemon:
  kernel: none
  plugin_dir: "$E2E_TOP/$E2E_B/plugins"
connections:
  site:
    allow_sha1: yes
    remote_addrs: [127.0.0.2]
    local: {auth: psk}
    remote: {auth: psk}
secrets:
  psk:
    - secret: "an e2e test secret"
EOF
rc=0
"$CHAROND" -c "$W/bad.yaml" --check-config >"$W/out" 2>&1 || rc=$?
check "allow_sha1 on a psk connection loads" test "$rc" -eq 0
expect_in "$W/out" "bad.yaml:6:17: warning: allow_sha1 has effect with auth: pubkey only" \
    "with a warning at the key"
sed 's|^daemon:$|daemon:\n  plugins: [psk]|' "$W/moon.yaml" >"$W/bad.yaml"
rc=0
"$CHAROND" -c "$W/bad.yaml" --check-config >"$W/out" 2>&1 || rc=$?
check "certificates without the x509 plugin refused" test "$rc" -eq 2
expect_in "$W/out" "not supported yet: certs (needs the x509 plugin)" \
    "naming the plugin"

# An encrypted key, its passphrase in a secret_file of secrets.private.
openssl pkey -in "$P/moon-p256.key" -aes256 -passout pass:"moon's pass" \
    -out "$P/moon-enc.key"
printf "%s\n" "moon's pass" >"$P/moon.pass"
chmod 600 "$P/moon.pass"
conf moon 127.0.0.1 127.0.0.2 "$P/moon-p256.pem" "$P/moon-enc.key" \
    moon.example.org
cat >>"$W/moon.yaml" <<EOF
secrets:
  private:
    - file: $P/moon-enc.key
      secret_file: $P/moon.pass
EOF
ctl moon load
expect_rc 0 "moon loads its encrypted key with the passphrase"
ctl moon --json initiate --child net --timeout 10
expect_rc 0 "an encrypted key with its passphrase: up"
ctl moon --json terminate --ike site --timeout 10
expect_rc 0 "terminated"
if grep -qF "moon's pass" "$W/moon.log" "$W/sun.log"; then
	fail "the passphrase in a log"
fi
pass "the passphrase in no log"
# A wrong passphrase: refused at --check-config and on reload, which the
# running daemon survives with what it had loaded.
printf "%s\n" "not it" >"$P/moon.pass"
rc=0
"$CHAROND" -c "$W/moon.yaml" --check-config >"$W/out" 2>&1 || rc=$?
check "a wrong passphrase refused by --check-config" test "$rc" -eq 2
col=$(awk 'NR == 15 { print index($0, "key: ") + 5 }' "$W/moon.yaml")
expect_in "$W/out" "moon.yaml:15:$col: error: key $P/moon-enc.key: the passphrase in secrets.private ($W/moon.yaml:24) does not decrypt it" \
    "saying which entry, at local.key"
ctl moon load
expect_rc 2 "a reload with a wrong passphrase is refused"
expect_in "$W/err" "the passphrase in secrets.private ($W/moon.yaml:24) does not decrypt it" \
    "the reload says why"
ctl moon --json initiate --child net --timeout 10
expect_rc 0 "the running config still comes up with the key it had"
ctl moon --json terminate --ike site --timeout 10
# The key re-encrypted with a new passphrase (PKCS#8 DER this time), the
# new passphrase inline: taken on load.
openssl pkcs8 -topk8 -in "$P/moon-p256.key" -v2 aes-256-cbc \
    -passout pass:newpass -outform DER -out "$P/moon-enc.key"
sed -i "s|secret_file: $P/moon.pass|secret: newpass|" "$W/moon.yaml"
ctl moon load
expect_rc 0 "moon loads the key re-encrypted, with the new passphrase"
ctl moon --json initiate --child net --timeout 10
expect_rc 0 "the new key and passphrase: up"
ctl moon --json terminate --ike site --timeout 10
expect_rc 0 "terminated"

e2e_stop moon
e2e_stop sun
