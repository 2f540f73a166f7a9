#!/bin/sh
# SPDX-License-Identifier: ISC
#
# list-certs and list-authorities (charond/ctl_certs.c, cert_info.c), with
# the x509 plugin loaded and daemon.kernel: none, against a PKI made here
# by the openssl CLI: a root CA (RSA 3072) with a CRL revoking one serial,
# an intermediate (ECDSA P-256) under it, end entities with ECDSA P-256
# (DNS, email and IP SANs, sent with the intermediate), RSA 2048 and
# Ed25519 keys (the intermediate and the Ed25519 certificate in one PEM
# file), and a second authority in DER without a CRL. Checked: every JSON
# field, who uses what, --conn, the human output, and a file broken after
# the start listed with its error while the others still are.
set -eu
# shellcheck source=lib.sh
. "${0%/*}/lib.sh"

P=$W/pki
mkdir -p "$P"

# ca DIR CN KEYOPTS...: a self-signed CA with `openssl ca`'s database.
ca() {
	d=$P/$1 cn=$2
	shift 2
	mkdir -p "$d"
	: >"$d/index.txt"
	echo 1000 >"$d/serial"
	cat >"$d/ca.cnf" <<EOF
[ca]
default_ca = ca_default
[ca_default]
dir = $d
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
certificate = \$dir/ca.pem
private_key = \$dir/ca.key
default_md = sha256
default_days = 30
default_crl_days = 7
policy = policy_any
copy_extensions = copy
unique_subject = no
[policy_any]
organizationName = optional
commonName = supplied
[ee]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
[inter]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
EOF
	openssl genpkey "$@" -out "$d/ca.key" 2>/dev/null
	openssl req -x509 -key "$d/ca.key" -out "$d/ca.pem" -days 60 \
	    -subj "/O=Example/CN=$cn" -set_serial 0x0a \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign"
}

# ee CA NAME SAN KEYOPTS...: NAME.key, NAME.pem issued by CA.
ee() {
	c=$1 n=$2 san=$3
	shift 3
	openssl genpkey "$@" -out "$P/$n.key" 2>/dev/null
	openssl req -new -key "$P/$n.key" -out "$P/$n.csr" \
	    -subj "/O=Example/CN=$n" -addext "subjectAltName=$san"
	openssl ca -batch -config "$P/$c/ca.cnf" -extensions ee \
	    -in "$P/$n.csr" -out "$P/$n.pem" -notext 2>/dev/null
}

ca root "Root CA" -algorithm RSA -pkeyopt rsa_keygen_bits:3072
ca other "Other CA" -algorithm EC -pkeyopt ec_paramgen_curve:P-256
# The intermediate: its own database (it issues), certified by root.
ca inter "Inter CA" -algorithm EC -pkeyopt ec_paramgen_curve:P-256
openssl req -new -key "$P/inter/ca.key" -subj "/O=Example/CN=Inter CA" \
    -out "$P/inter/ca.csr"
openssl ca -batch -config "$P/root/ca.cnf" -extensions inter \
    -in "$P/inter/ca.csr" -out "$P/inter/ca.pem" -notext 2>/dev/null
ee inter moon-ec "DNS:moon.example.org,email:admin@example.org,IP:192.0.2.1,IP:2001:db8::1" \
    -algorithm EC -pkeyopt ec_paramgen_curve:P-256
ee root moon-rsa "DNS:rsa.example.org" -algorithm RSA \
    -pkeyopt rsa_keygen_bits:2048
ee root moon-old "DNS:old.example.org" -algorithm EC \
    -pkeyopt ec_paramgen_curve:P-256
ee inter moon-ed "DNS:ed.example.org" -algorithm ed25519
openssl ca -batch -config "$P/root/ca.cnf" -revoke "$P/moon-old.pem" \
    2>/dev/null
openssl ca -batch -config "$P/root/ca.cnf" -gencrl -out "$P/root/crl.pem" \
    2>/dev/null
old_serial=$(openssl x509 -in "$P/moon-old.pem" -noout -serial |
    sed 's/^serial=//' | tr 'A-F' 'a-f')
cat "$P/moon-ed.pem" "$P/inter/ca.pem" >"$P/moon-ed-chain.pem"
openssl x509 -in "$P/other/ca.pem" -outform DER -out "$P/other/ca.der"
pass "a PKI made with the openssl CLI"

# site-ec sends the intermediate; site-ed has it in its one file; site-rsa
# trusts any authority (no remote.ca); site-psk none.
cat >"$W/moon.yaml" <<EOF
daemon:
  kernel: none
  listen: [127.0.0.1]
  plugin_dir: "$E2E_TOP/$E2E_B/plugins"
authorities:
  root:
    cacert: $P/root/ca.pem
    crl: $P/root/crl.pem
  other:
    cacert: $P/other/ca.der
connections:
  site-ec:
    remote_addrs: [127.0.0.2]
    local: {auth: pubkey, certs: [$P/moon-ec.pem, $P/inter/ca.pem], key: $P/moon-ec.key}
    remote: {auth: pubkey, ca: root}
  site-ed:
    remote_addrs: [127.0.0.3]
    local: {auth: pubkey, certs: [$P/moon-ed-chain.pem], key: $P/moon-ed.key}
    remote: {auth: pubkey, ca: other}
  site-rsa:
    remote_addrs: [127.0.0.4]
    local: {auth: pubkey, certs: [$P/moon-rsa.pem], key: $P/moon-rsa.key}
    remote: {auth: pubkey}
  site-psk:
    remote_addrs: [127.0.0.5]
    local: {auth: psk}
    remote: {auth: psk}
secrets:
  psk:
    - secret: "an e2e test secret"
EOF
"$CHAROND" --check-config -c "$W/moon.yaml" >"$W/out" 2>&1 ||
    fail "the config is good"
e2e_start moon

# cert PATH INDEX EXPR: EXPR over c, that certificate's list-certs entry.
cert() {
	jget "(lambda c: c$3)([x for x in d['certs'] if x['path'] == '$1' and x.get('index', 0) == $2][0])" <"$W/out"
}
ctl moon --json list-certs
expect_rc 0 "list-certs --json"
check "every file listed once per certificate in it (6 files, 7 certificates)" \
    test "$(jget 'len(d["certs"])' <"$W/out")" = 7
check "connections' certificates first, in the order written" test \
    "$(jget '[c["path"].split("/")[-1] for c in d["certs"]]' <"$W/out")" = \
    "['moon-ec.pem', 'ca.pem', 'moon-ed-chain.pem', 'moon-ed-chain.pem', 'moon-rsa.pem', 'ca.pem', 'ca.der']"
E=$P/moon-ec.pem
check "subject and issuer (RFC 2253, as the x509 plugin logs them)" test \
    "$(cert "$E" 0 '["subject"] + "|" + c["issuer"]')" = \
    "CN=moon-ec,O=Example|CN=Inter CA,O=Example"
check "serial in lowercase hex" test "$(cert "$E" 0 '["serial"]')" = \
    "$(openssl x509 -in "$E" -noout -serial | sed 's/^serial=//' | tr A-F a-f)"
nb=$(openssl x509 -in "$E" -noout -startdate | sed 's/^notBefore=//')
check "not_before in UTC ISO 8601" test "$(cert "$E" 0 '["not_before"]')" = \
    "$(date -u -d "$nb" +%Y-%m-%dT%H:%M:%SZ)"
na=$(openssl x509 -in "$E" -noout -enddate | sed 's/^notAfter=//')
check "not_after in UTC ISO 8601" test "$(cert "$E" 0 '["not_after"]')" = \
    "$(date -u -d "$na" +%Y-%m-%dT%H:%M:%SZ)"
check "ECDSA P-256" test \
    "$(cert "$E" 0 '["key"] + "|" + c["key_type"] + "|" + str(c["key_bits"])')" = \
    "ECDSA P-256|ECDSA|256"
check "SANs: DNS, email, IPv4, IPv6" test "$(cert "$E" 0 '["sans"]')" = \
    "['DNS:moon.example.org', 'email:admin@example.org', 'IP:192.0.2.1', 'IP:2001:db8::1']"
check "an end entity is no CA" test "$(cert "$E" 0 '["ca"]')" = False
check "used as site-ec's local certificate" test \
    "$(cert "$E" 0 '["used_by"]')" = "[{'as': 'local-cert', 'conn': 'site-ec'}]"
I=$P/inter/ca.pem
check "the intermediate: a CA, ECDSA, sent by site-ec" test \
    "$(cert "$I" 0 '["ca"]')|$(cert "$I" 0 '["issuer"]')|$(cert "$I" 0 '["used_by"]')" = \
    "True|CN=Root CA,O=Example|[{'as': 'local-intermediate', 'conn': 'site-ec'}]"
D=$P/moon-ed-chain.pem
check "Ed25519, the first of its file" test \
    "$(cert "$D" 0 '["key"] + "|" + c["subject"]')" = "Ed25519|CN=moon-ed,O=Example"
check "the second certificate of a PEM file, index 1" test \
    "$(cert "$D" 1 '["subject"] + "|" + str(c["ca"])')" = "CN=Inter CA,O=Example|True"
check "RSA 2048" test "$(cert "$P/moon-rsa.pem" 0 '["key"]')" = "RSA 2048"
R=$P/root/ca.pem
check "root: RSA 3072, self-issued, serial 0a" test \
    "$(cert "$R" 0 '["key"] + "|" + c["issuer"] + "|" + c["serial"]')" = \
    "RSA 3072|CN=Root CA,O=Example|0a"
check "root: authority root, trusted by site-ec and site-rsa (any CA)" test \
    "$(cert "$R" 0 '["used_by"]')" = \
    "[{'as': 'authority', 'authority': 'root', 'trusted_by': ['site-ec', 'site-rsa']}]"
check "a DER CA certificate read" test \
    "$(cert "$P/other/ca.der" 0 '["subject"] + "|" + str(c["used_by"][0]["trusted_by"])')" = \
    "CN=Other CA,O=Example|['site-ed', 'site-rsa']"

ctl moon --json list-certs --conn site-ed
expect_rc 0 "list-certs --conn"
check "--conn site-ed: its file and the authorities it trusts only" test \
    "$(jget '[(c["path"].split("/")[-1], c["index"]) for c in d["certs"]]' <"$W/out")" = \
    "[('moon-ed-chain.pem', 0), ('moon-ed-chain.pem', 1), ('ca.der', 0)]"
ctl moon --json list-certs --conn site-psk
check "--conn site-psk: nothing" test "$(jget 'd["certs"]' <"$W/out")" = "[]"
ctl moon list-certs --conn nosuch
expect_rc 1 "--conn of no connection: NOT_FOUND, exit 1"
expect_in "$W/err" "no connection named 'nosuch'" "it says which"

ctl moon list-certs
expect_rc 0 "list-certs for humans"
for t in "$E:" '  subject:   "CN=moon-ec,O=Example"' \
    '  issuer:    "CN=Inter CA,O=Example"' \
    '  altNames:  DNS:moon.example.org, email:admin@example.org, IP:192.0.2.1, IP:2001:db8::1' \
    '  pubkey:    ECDSA P-256' '  pubkey:    RSA 3072' '  pubkey:    Ed25519' \
    '  flags:     CA' '  used as:   local certificate of site-ec' \
    '  used as:   local intermediate of site-ec' \
    '  used as:   authority root, trusted by site-ec, site-rsa' \
    "$D (certificate 2 in it):"; do
	expect_in "$W/out" "$t" "human list-certs: $t"
done
grep -q "not after  $(date -u -d "$na" '+%Y-%m-%d %H:%M:%S') UTC, ok" "$W/out" ||
    fail "human list-certs: validity in UTC"
pass "human list-certs: validity in UTC"

cert_na() {
	date -u -d "$(openssl x509 -in "$1" -noout -enddate |
	    sed 's/^notAfter=//')" +%Y-%m-%dT%H:%M:%SZ
}
ctl moon --json list-authorities
expect_rc 0 "list-authorities --json"
a() {
	jget "(lambda a: a$2)([x for x in d['authorities'] if x['name'] == '$1'][0])" <"$W/out"
}
check "two authorities, in the order written" test \
    "$(jget '[a["name"] for a in d["authorities"]]' <"$W/out")" = "['root', 'other']"
check "root: its file, subject, validity" test \
    "$(a root '["cacert"] + "|" + a["subject"] + "|" + a["not_after"]')" = \
    "$R|CN=Root CA,O=Example|$(cert_na "$R")"
check "root's CRL: path, issuer, one revoked: moon-old's serial" test \
    "$(a root '["crl"]["path"] + "|" + a["crl"]["issuer"] + "|" + str(a["crl"]["revoked"]) + "|" + str(a["crl"]["revoked_serials"])')" = \
    "$P/root/crl.pem|CN=Root CA,O=Example|1|['$old_serial']"
lu=$(openssl crl -in "$P/root/crl.pem" -noout -lastupdate | sed 's/^lastUpdate=//')
nu=$(openssl crl -in "$P/root/crl.pem" -noout -nextupdate | sed 's/^nextUpdate=//')
check "root's CRL: last and next update in UTC ISO 8601" test \
    "$(a root '["crl"]["last_update"] + "|" + a["crl"]["next_update"]')" = \
    "$(date -u -d "$lu" +%Y-%m-%dT%H:%M:%SZ)|$(date -u -d "$nu" +%Y-%m-%dT%H:%M:%SZ)"
check "root trusted by site-ec and site-rsa" test \
    "$(a root '["trusted_by"]')" = "['site-ec', 'site-rsa']"
check "other: no CRL (null), trusted by site-ed and site-rsa" test \
    "$(a other '["crl"]')|$(a other '["trusted_by"]')" = "None|['site-ed', 'site-rsa']"

ctl moon list-authorities
expect_rc 0 "list-authorities for humans"
for t in "root: $R" "other: $P/other/ca.der" "  crl:       $P/root/crl.pem" \
    "             revoked: 1 (serial $old_serial)" "  crl:       none" \
    "  trusted by: site-ec, site-rsa" "             next update $(date -u -d "$nu" '+%Y-%m-%d %H:%M:%S') UTC"; do
	expect_in "$W/out" "$t" "human list-authorities: $t"
done

# A file broken under the running daemon (it keeps what it loaded): listed
# with its error, the others as before; the same for a CRL gone.
echo "not a certificate" >"$P/moon-rsa.pem"
mv "$P/root/crl.pem" "$P/root/crl.gone"
ctl moon --json list-certs
expect_rc 0 "list-certs with a broken file still succeeds"
check "the broken file: its path and error, its use" test \
    "$(cert "$P/moon-rsa.pem" 0 '["error"].split(": ")[0:2] + [c["used_by"][0]["conn"]]')" = \
    "['$P/moon-rsa.pem', 'no certificate in it (PEM or DER)', 'site-rsa']"
check "the others still listed" test "$(jget 'len(d["certs"])' <"$W/out")" = 7
ctl moon list-certs
expect_in "$W/out" "  error:     $P/moon-rsa.pem: no certificate" \
    "human list-certs shows the error"
ctl moon --json list-authorities
check "a CRL gone: its path and error" test \
    "$(a root '["crl"]["error"]')" = \
    "cannot read $P/root/crl.pem: No such file or directory"
# (root reads any mode: a directory where the file was instead.)
rm "$P/other/ca.der"
mkdir "$P/other/ca.der"
ctl moon --json list-authorities
check "an unreadable CA file: the authority with its error" test \
    "$(a other '["error"]')" = \
    "$P/other/ca.der: not a regular file of at most 1 MiB"
ctl moon list-authorities
expect_in "$W/out" "  error:     $P/other/ca.der: not a regular file" \
    "human list-authorities shows the error"

ctl moon --json list-authorities --conn site-ec
expect_rc 2 "list-authorities takes no --conn: usage error"
e2e_stop moon
