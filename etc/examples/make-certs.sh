#!/bin/sh
# SPDX-License-Identifier: ISC
#
# make-certs.sh DIR -- a small PKI for site-to-site-certs.yaml with the
# openssl CLI, as etc/examples/certificates.md explains it step by step:
#
#   DIR/ca/      the CAs' keys, databases and configs: keep this off the
#                gateways (ideally on an offline machine), mode 0700
#   DIR/moon/    what goes into moon's /etc/charond/
#   DIR/sun/     what goes into sun's /etc/charond/
#       x509/GW.pem       the gateway's certificate (SANs: DNS name, IP)
#       x509ca/inter.pem  the intermediate CA, sent with it (local.certs)
#       x509ca/root.pem   the root CA, the authority both trust
#       x509crl/root.crl  the root's CRL
#       private/GW.key    the gateway's key, 0600 in a 0700 directory
#
# Root CA: ECDSA P-384, 10 years. Intermediate: ECDSA P-256, 5 years.
# Gateways: ECDSA P-256, 2 years. The test/e2e/examples-certs.sh test runs
# this script and checks site-to-site-certs.yaml against its files.
set -eu

D=${1:?usage: make-certs.sh DIR}
umask 077 # keys are born private; certificates are opened up below
mkdir -p "$D/ca"
cd "$D"

# --- 1. the root CA --------------------------------------------------------
# `openssl ca` keeps a database of what it issued (index.txt, serial):
# needed to revoke and to write CRLs.
cat >ca/ca.cnf <<'EOF'
[ca]
default_ca = root
[root]
dir = ca
database = $dir/root.index
serial = $dir/root.serial
crlnumber = $dir/root.crlnumber
new_certs_dir = $dir/issued
certificate = $dir/root.pem
private_key = $dir/root.key
default_md = sha384
default_days = 1825
default_crl_days = 30
policy = policy_dn
copy_extensions = copy
unique_subject = no
[inter]
dir = ca
database = $dir/inter.index
serial = $dir/inter.serial
crlnumber = $dir/inter.crlnumber
new_certs_dir = $dir/issued
certificate = $dir/inter.pem
private_key = $dir/inter.key
default_md = sha256
default_days = 730
default_crl_days = 30
policy = policy_dn
copy_extensions = copy
unique_subject = no
[policy_dn]
countryName = optional
organizationName = supplied
commonName = supplied
[v3_inter]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_gateway]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
mkdir -p ca/issued
: >ca/root.index
: >ca/inter.index
echo 1000 >ca/root.serial
echo 1000 >ca/inter.serial
echo 01 >ca/root.crlnumber
echo 01 >ca/inter.crlnumber

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 \
    -out ca/root.key
openssl req -new -x509 -key ca/root.key -sha384 -days 3650 \
    -subj "/O=Example/CN=Example Root CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" \
    -out ca/root.pem

# --- 2. the intermediate CA, certified by the root ---------------------------
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out ca/inter.key
openssl req -new -key ca/inter.key \
    -subj "/O=Example/CN=Example Gateways CA" -out ca/inter.csr
openssl ca -batch -config ca/ca.cnf -name root -extensions v3_inter \
    -in ca/inter.csr -out ca/inter.pem -notext

# --- 3. a gateway: key, request with its SANs, certificate -------------------
# gateway NAME DNSNAME ADDRESS
gateway() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "ca/$1.key"
	openssl req -new -key "ca/$1.key" -subj "/O=Example/CN=$2" \
	    -addext "subjectAltName=DNS:$2,IP:$3" -out "ca/$1.csr"
	openssl ca -batch -config ca/ca.cnf -name inter \
	    -extensions v3_gateway -in "ca/$1.csr" -out "ca/$1.pem" -notext
}
gateway moon moon.example.org 192.0.2.1
gateway sun sun.example.org 192.0.2.2

# --- 4. the root's CRL (empty until something is revoked) --------------------
openssl ca -batch -config ca/ca.cnf -name root -gencrl -out ca/root.crl

# --- 5. each gateway's /etc/charond files, with their modes ------------------
for gw in moon sun; do
	mkdir -p "$gw/x509" "$gw/x509ca" "$gw/x509crl" "$gw/private"
	cp "ca/$gw.pem" "$gw/x509/$gw.pem"
	cp ca/inter.pem ca/root.pem "$gw/x509ca/"
	cp ca/root.crl "$gw/x509crl/root.crl"
	cp "ca/$gw.key" "$gw/private/$gw.key"
	chmod 0755 "$gw" "$gw/x509" "$gw/x509ca" "$gw/x509crl"
	chmod 0644 "$gw/x509/$gw.pem" "$gw"/x509ca/*.pem "$gw/x509crl/root.crl"
	chmod 0700 "$gw/private"
	chmod 0600 "$gw/private/$gw.key"
done
