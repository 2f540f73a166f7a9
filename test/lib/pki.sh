# shellcheck shell=sh
# SPDX-License-Identifier: ISC
#
# The PKI of the certificate tests (test/e2e/x509-auth.sh, test/vm/x509.sh),
# sourced: an `openssl ca` directory per CA, whose database gives the
# tests dates, serials and CRLs of their choosing.
#
#   pki_ca_dir DIR   index.txt, serial (from 1000) and ca.cnf in DIR, for
#                    a CA whose key is DIR/ca.key and certificate
#                    DIR/ca.pem; the extension sections `ee` (an end
#                    entity: digitalSignature) and `inter` (a CA under
#                    it: pathlen 0)
pki_ca_dir() {
	mkdir -p "$1"
	: >"$1/index.txt"
	echo 1000 >"$1/serial"
	cat >"$1/ca.cnf" <<EOF
[ca]
default_ca = ca_default
[ca_default]
dir = $1
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
certificate = \$dir/ca.pem
private_key = \$dir/ca.key
default_md = sha256
default_days = 30
default_crl_days = 30
policy = policy_any
copy_extensions = copy
unique_subject = no
[policy_any]
organizationName = optional
commonName = supplied
[ee]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[inter]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
}
